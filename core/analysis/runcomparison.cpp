#include "runcomparison.h"

#include <cmath>
#include <functional>
#include <optional>

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

#include "analysis/statistics.h"
#include "metrics/durationformat.h"

namespace loadscope {
namespace {

using Whole = std::function<std::optional<double>(const RunSummary &)>;
using PerInterval = std::function<std::optional<double>(const IntervalSample &)>;
using Stored = std::function<std::optional<double>(const QJsonObject &)>;

//! Which default run-to-run spread a metric gets.
enum class Spread
{
    Ordinary,
    Tail,
    Max,
    ErrorRate
};

struct MetricSpec
{
    QString metric;
    QString unit;
    bool higherIsBetter = false;
    bool key = false;
    bool errorRate = false;
    Whole whole;
    PerInterval perInterval;
    Stored stored; //!< the same figure from a stored summary (the "result" object)
    Spread spread = Spread::Ordinary;
};

std::optional<double> jsonNumber(const QJsonValue &v)
{
    if (!v.isDouble())
        return std::nullopt;
    return v.toDouble();
}

QJsonObject storedEndpoint(const QJsonObject &summary, const QString &name)
{
    const QJsonArray endpoints = summary.value(QLatin1String("endpoints")).toArray();
    for (const QJsonValue &e : endpoints)
        if (e.toObject().value(QLatin1String("name")).toString() == name)
            return e.toObject();
    return QJsonObject();
}

QJsonValue number(double v)
{
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null);
}

std::optional<double> statOf(const LatencyHistogram &h, double LatencyStats::*field)
{
    if (h.isEmpty())
        return std::nullopt;
    return LatencyStats::fromHistogram(h).*field;
}

//! A figure an aggregated source gave (RunExtras::aggregated) for the run (@p endpoint "") or
//! an endpoint; nothing when it gave none.
std::optional<double> givenStat(const RunSummary &s, const QString &endpoint, const QString &key)
{
    const QJsonObject &given = s.extras.aggregated;
    const QJsonObject latency = endpoint.isEmpty()
                                    ? given.value(QLatin1String("latencyMs")).toObject()
                                    : given.value(QLatin1String("endpoints"))
                                          .toObject()
                                          .value(endpoint)
                                          .toObject()
                                          .value(QLatin1String("latencyMs"))
                                          .toObject();
    return jsonNumber(latency.value(key));
}

//! The histogram's figure, or for a run without one (an aggregated import) the given one.
std::optional<double> statOrGiven(const RunSummary &s, const LatencyHistogram &h,
                                  double LatencyStats::*field, const QString &endpoint,
                                  const QString &key)
{
    if (!h.isEmpty() || s.extras.aggregated.isEmpty())
        return statOf(h, field);
    return givenStat(s, endpoint, key);
}

std::optional<double> intervalStat(const LatencyStats &s, double LatencyStats::*field)
{
    if (s.count <= 0)
        return std::nullopt;
    return s.*field;
}

const EndpointSummary *findEndpoint(const RunSummary &s, const QString &name)
{
    for (const EndpointSummary &e : s.endpoints)
        if (e.name == name)
            return &e;
    return nullptr;
}

const EndpointSample *findEndpoint(const IntervalSample &s, const QString &name)
{
    for (const EndpointSample &e : s.endpoints)
        if (e.name == name)
            return &e;
    return nullptr;
}

QList<MetricSpec> metricSpecs(const RunSummary &a, const RunSummary &b)
{
    QList<MetricSpec> specs;
    specs.append(
        {QStringLiteral("throughput"), QStringLiteral("req/s"), true, true, false,
         [](const RunSummary &s) -> std::optional<double> {
             if (s.durationSec <= 0)
                 return std::nullopt;
             return s.throughputRps();
         },
         [](const IntervalSample &i) -> std::optional<double> {
             if (i.intervalSec <= 0)
                 return std::nullopt;
             return i.throughputRps();
         },
         [](const QJsonObject &j) {
             return jsonNumber(
                 j.value(QLatin1String("totals")).toObject().value(QLatin1String("throughputRps")));
         }});
    specs.append(
        {QStringLiteral("errorRate"), QStringLiteral("%"), false, true, true,
         [](const RunSummary &s) -> std::optional<double> {
             if (s.totals.requests <= 0)
                 return std::nullopt;
             return 100.0 * s.totals.errorRate();
         },
         [](const IntervalSample &i) -> std::optional<double> {
             if (i.overall.totals.requests <= 0)
                 return std::nullopt;
             return 100.0 * i.overall.totals.errorRate();
         },
         [](const QJsonObject &j) -> std::optional<double> {
             const auto v = jsonNumber(
                 j.value(QLatin1String("totals")).toObject().value(QLatin1String("errorRate")));
             return v ? std::optional<double>(100.0 * *v) : std::nullopt;
         },
         Spread::ErrorRate});
    const QList<QPair<QString, double LatencyStats::*>> percentiles{
        {QStringLiteral("p50"), &LatencyStats::p50Ms},
        {QStringLiteral("p90"), &LatencyStats::p90Ms},
        {QStringLiteral("p95"), &LatencyStats::p95Ms},
        {QStringLiteral("p99"), &LatencyStats::p99Ms},
        {QStringLiteral("max"), &LatencyStats::maxMs}};
    for (const auto &[name, field] : percentiles) {
        const bool key = name == QLatin1String("p95") || name == QLatin1String("p99");
        const Spread spread = name == QLatin1String("p99")   ? Spread::Tail
                              : name == QLatin1String("max") ? Spread::Max
                                                             : Spread::Ordinary;
        specs.append({name, QStringLiteral("ms"), false, key, false,
                      [field = field, name = name](const RunSummary &s) {
                          return statOrGiven(s, s.duration, field, QString(), name);
                      },
                      [field = field](const IntervalSample &i) {
                          return intervalStat(i.overall.latency, field);
                      },
                      [name = name](const QJsonObject &j) {
                          return jsonNumber(
                              j.value(QLatin1String("latencyMs")).toObject().value(name));
                      },
                      spread});
    }

    // Server-Timing series and endpoints of either run, so a missing one shows as such.
    QStringList timingNames(a.serverTiming.keyBegin(), a.serverTiming.keyEnd());
    for (auto it = b.serverTiming.keyBegin(); it != b.serverTiming.keyEnd(); ++it)
        timingNames.append(*it);
    timingNames.removeDuplicates();
    timingNames.sort();
    for (const QString &name : std::as_const(timingNames)) {
        for (const auto &[suffix, field] :
             {qMakePair(QStringLiteral("p50"), &LatencyStats::p50Ms),
              qMakePair(QStringLiteral("p95"), &LatencyStats::p95Ms)}) {
            specs.append({QStringLiteral("server_timing:") + name + u' ' + suffix,
                          QStringLiteral("ms"), false, false, false,
                          [name, field = field](const RunSummary &s) -> std::optional<double> {
                              const auto it = s.serverTiming.constFind(name);
                              if (it == s.serverTiming.cend())
                                  return std::nullopt;
                              return statOf(*it, field);
                          },
                          [name, field = field](const IntervalSample &i) -> std::optional<double> {
                              // Stored interval rows keep Server-Timing percentiles without
                              // their count: a positive figure is a measured one.
                              const LatencyStats st = i.serverTiming.value(name);
                              if (st.count <= 0 && !(st.*field > 0))
                                  return std::nullopt;
                              return st.*field;
                          },
                          [name, suffix = suffix](const QJsonObject &j) {
                              return jsonNumber(j.value(QLatin1String("serverTiming"))
                                                    .toObject()
                                                    .value(name)
                                                    .toObject()
                                                    .value(suffix));
                          }});
        }
    }
    QStringList endpointNames;
    for (const RunSummary *s : {&a, &b})
        for (const EndpointSummary &e : s->endpoints)
            if (!endpointNames.contains(e.name))
                endpointNames.append(e.name);
    for (const QString &name : std::as_const(endpointNames)) {
        specs.append({QStringLiteral("endpoint:") + name + QStringLiteral(" p95"),
                      QStringLiteral("ms"), false, false, false,
                      [name](const RunSummary &s) -> std::optional<double> {
                          const EndpointSummary *e = findEndpoint(s, name);
                          return e ? statOrGiven(s, e->duration, &LatencyStats::p95Ms, name,
                                                 QStringLiteral("p95"))
                                   : std::nullopt;
                      },
                      [name](const IntervalSample &i) -> std::optional<double> {
                          const EndpointSample *e = findEndpoint(i, name);
                          return e ? intervalStat(e->latency, &LatencyStats::p95Ms) : std::nullopt;
                      },
                      [name](const QJsonObject &j) {
                          return jsonNumber(storedEndpoint(j, name)
                                                .value(QLatin1String("latencyMs"))
                                                .toObject()
                                                .value(QLatin1String("p95")));
                      }});
        specs.append({QStringLiteral("endpoint:") + name + QStringLiteral(" errorRate"),
                      QStringLiteral("%"), false, false, true,
                      [name](const RunSummary &s) -> std::optional<double> {
                          const EndpointSummary *e = findEndpoint(s, name);
                          if (!e || e->totals.requests <= 0)
                              return std::nullopt;
                          return 100.0 * e->totals.errorRate();
                      },
                      [name](const IntervalSample &i) -> std::optional<double> {
                          const EndpointSample *e = findEndpoint(i, name);
                          if (!e || e->totals.requests <= 0)
                              return std::nullopt;
                          return 100.0 * e->totals.errorRate();
                      },
                      [name](const QJsonObject &j) -> std::optional<double> {
                          const auto v = jsonNumber(storedEndpoint(j, name)
                                                        .value(QLatin1String("totals"))
                                                        .toObject()
                                                        .value(QLatin1String("errorRate")));
                          return v ? std::optional<double>(100.0 * *v) : std::nullopt;
                      },
                      Spread::ErrorRate});
    }
    return specs;
}

QList<double> samplesOf(const RunSummary &s, const PerInterval &f)
{
    QList<double> values;
    for (const IntervalSample &i : s.timeline)
        if (const auto v = f(i))
            values.append(*v);
    return values;
}

//! One side's per-interval values of a metric, summarized for the noise model.
struct Side
{
    int n = 0;
    double sd = 0;        //!< of the log values (relative metrics), else of the values
    double effective = 0; //!< effectiveSampleSize() of the series
};

//! Latencies and throughput are positive and their noise multiplicative: their spread is
//! measured on the log scale. A zero (an interval without requests) counts as a hundredth of
//! the series' mean, so one stall weighs heavily but finitely.
QList<double> logValues(const QList<double> &values)
{
    const double floor = 0.01 * mean(values);
    QList<double> logs;
    logs.reserve(values.size());
    for (const double v : values)
        logs.append(std::log(std::max(v, floor > 0 ? floor : 1e-9)));
    return logs;
}

Side sideOf(const MetricSpec &spec, const QList<double> &values)
{
    const QList<double> series = spec.errorRate ? values : logValues(values);
    Side side;
    side.n = int(series.size());
    // The plain standard deviation, not a robust one: a stalled interval is part of the noise
    // a run's figure carries (the robust spread let busy-machine A/A pairs through).
    side.sd = stddev(series);
    side.effective = effectiveSampleSize(series);
    return side;
}

//! The run-to-run spread of a metric: measured over earlier runs, or the default.
struct RunToRun
{
    double sigma =
        0; //!< on the log scale (about relative) for latencies and throughput, pp for error rates
    int runs = 0; //!< earlier runs it was measured over; 0: the default
};

//! Measured over earlier runs, else the default; never below the interval-to-interval spread
//! of either run (on the log scale; pp for error rates).
RunToRun runToRunOf(const MetricSpec &spec, double base, const Side &sb, const Side &sc,
                    const QList<QJsonObject> &history, const ComparisonOptions &o)
{
    QList<double> values;
    for (const QJsonObject &summary : history)
        if (const auto v = spec.stored(summary))
            values.append(*v);
    RunToRun r;
    // A machine whose load moves the figures from one second to the next moves them from one
    // run to the next at least as much: a run counts for no more than one of its intervals.
    // This also keeps a few earlier runs that agreed by chance from shrinking the spread.
    const auto intervalFloor = [&](double sigma) { return std::max({sigma, sb.sd, sc.sd}); };
    if (values.size() >= o.minHistoryRuns) {
        r.runs = int(values.size());
        r.sigma = intervalFloor(stddev(spec.errorRate ? values : logValues(values)));
        return r;
    }
    switch (spec.spread) {
    case Spread::ErrorRate:
        r.sigma = o.defaultErrorRateRunToRunPp;
        break;
    case Spread::Tail:
        r.sigma = o.defaultTailRunToRunPct / 100.0;
        break;
    case Spread::Max:
        r.sigma = o.defaultMaxRunToRunPct / 100.0;
        break;
    case Spread::Ordinary:
        r.sigma = o.defaultRunToRunPct / 100.0;
        break;
    }
    if (spec.unit == QLatin1String("ms") && base > 0)
        r.sigma = std::max(r.sigma, o.defaultRunToRunMs / base);
    // On a quiet machine the default decides; on a busy one the intervals do.
    r.sigma = intervalFloor(r.sigma);
    return r;
}

//! Fills in d's figures and its raw p; the verdict is decided after the Holm step.
MetricDelta measureMetric(const MetricSpec &spec, const RunSummary &base, const RunSummary &cand,
                          const QList<QJsonObject> &history, const ComparisonOptions &o)
{
    MetricDelta d;
    d.metric = spec.metric;
    d.unit = spec.unit;
    d.higherIsBetter = spec.higherIsBetter;
    d.key = spec.key;
    const auto b = spec.whole(base);
    const auto c = spec.whole(cand);
    if (!b || !c) {
        d.base = b.value_or(qQNaN());
        d.candidate = c.value_or(qQNaN());
        d.absDelta = d.relDeltaPct = qQNaN();
        return d;
    }
    d.base = *b;
    d.candidate = *c;
    d.absDelta = d.candidate - d.base;
    if (d.base != 0)
        d.relDeltaPct = 100.0 * d.absDelta / std::abs(d.base);
    else
        d.relDeltaPct = d.absDelta == 0 ? 0.0 : qInf();
    d.verdict = MetricDelta::NoSignificantChange;

    const Side sb = sideOf(spec, samplesOf(base, spec.perInterval));
    const Side sc = sideOf(spec, samplesOf(cand, spec.perInterval));
    d.effectiveIntervalsBase = sb.effective;
    d.effectiveIntervalsCandidate = sc.effective;
    if (sb.n < o.minIntervals || sc.n < o.minIntervals)
        return d; // no test: the verdict step calls the metric inconclusive
    if (!spec.errorRate && !(d.base > 0))
        return d;

    // Error rates are in percent already and change in percentage points. Latencies and
    // throughput are positive and their noise is multiplicative (a run at ten times the level
    // moves ten times as much: a loopback p99 of 0.3 ms in one run, intervals of 0.2–4 ms in
    // the next): their change is tested as the log of the ratio, with every spread measured on
    // the log scale (sideOf()). Measured as fractions of each side's mean, the busy run's
    // intervals looked half as spread as they were, and A/A pairs of nginx on a shared machine
    // read as 10-fold changes at p < 0.01.
    const auto sideError = [&](const Side &side) {
        return side.sd / std::sqrt(std::max(1.0, side.effective));
    };
    const double change = spec.errorRate    ? d.absDelta
                          : d.candidate > 0 ? std::log(d.candidate / d.base)
                                            : -qInf();
    const double seB = sideError(sb);
    const double seC = sideError(sc);
    const RunToRun r2r = runToRunOf(spec, d.base, sb, sc, history, o);
    d.runToRun = spec.errorRate ? r2r.sigma : 100.0 * r2r.sigma;
    d.runToRunFromHistory = r2r.runs > 0;
    // Each run's figure is off by its own run-to-run deviation: a difference of two runs has
    // twice that variance. A measured spread already holds the within-run noise of those runs,
    // so with history that part is counted twice: conservative.
    const double varB = seB * seB;
    const double varC = seC * seC;
    const double varRuns = 2 * r2r.sigma * r2r.sigma;
    const double variance = varB + varC + varRuns;
    d.standardError = (spec.errorRate ? 1.0 : 100.0) * std::sqrt(variance);
    if (!(variance > 0)) {
        d.pValue = change == 0 ? 1.0 : 0.0;
        return d;
    }
    // Welch–Satterthwaite: the degrees of freedom of a sum of estimated variances. A default
    // spread is a constant (no estimate), a measured one has runs − 1.
    double denominator = varB * varB / std::max(1.0, sb.effective - 1) +
                         varC * varC / std::max(1.0, sc.effective - 1);
    if (r2r.runs > 0)
        denominator += varRuns * varRuns / double(r2r.runs - 1);
    const double df = denominator > 0 ? variance * variance / denominator : qInf();
    d.pValue = studentTwoSidedP(change / std::sqrt(variance), df);
    return d;
}

//! The verdict of a measured delta, given its (adjusted) p and whether the runs are usable.
MetricDelta::Verdict verdictOf(const MetricSpec &spec, const MetricDelta &d, bool trustworthy,
                               const ComparisonOptions &o)
{
    if (std::isnan(d.base) || std::isnan(d.candidate))
        return MetricDelta::Insufficient;
    // Floors first: a change too small to matter is no change, however certain.
    const double magnitude = spec.errorRate ? std::abs(d.absDelta) : std::abs(d.relDeltaPct);
    const double floor = spec.errorRate ? o.errorRateFloorPct : o.noiseFloorPct;
    if (!(magnitude > floor))
        return MetricDelta::NoSignificantChange;
    if (spec.unit == QLatin1String("ms") && !(std::abs(d.absDelta) > o.absoluteFloorMs))
        return MetricDelta::NoSignificantChange;
    if (std::isnan(d.pAdjusted))
        return MetricDelta::Inconclusive; // a change the intervals cannot test
    if (!(d.pAdjusted < o.alpha))
        return MetricDelta::NoSignificantChange;
    if (!trustworthy)
        return MetricDelta::Inconclusive;
    const bool worse = spec.higherIsBetter ? d.absDelta < 0 : d.absDelta > 0;
    return worse ? MetricDelta::Regression : MetricDelta::Improvement;
}

//! Holm–Bonferroni within the key metrics and, apart, within the others.
void adjust(QList<MetricDelta> &deltas, const ComparisonOptions &o)
{
    for (const bool key : {true, false}) {
        QList<double> raw;
        QList<qsizetype> at;
        for (qsizetype i = 0; i < deltas.size(); ++i) {
            if (deltas[i].key == key) {
                raw.append(deltas[i].pValue);
                at.append(i);
            }
        }
        const QList<double> adjusted = o.holm ? holmAdjust(raw) : raw;
        for (qsizetype k = 0; k < at.size(); ++k)
            deltas[at[k]].pAdjusted = adjusted[k];
    }
}

MetricDelta::Verdict overallOf(const QList<MetricDelta> &deltas)
{
    bool improved = false;
    for (const MetricDelta &d : deltas) {
        if (!d.key)
            continue;
        if (d.verdict == MetricDelta::Regression)
            return MetricDelta::Regression;
        improved = improved || d.verdict == MetricDelta::Improvement;
    }
    return improved ? MetricDelta::Improvement : MetricDelta::NoSignificantChange;
}

//! How bad a candidate's verdict is for the overall one: a regression anywhere must not hide
//! behind an improvement, and a candidate that could not be judged outweighs good news.
int severity(MetricDelta::Verdict v)
{
    switch (v) {
    case MetricDelta::Regression:
        return 3;
    case MetricDelta::Inconclusive:
        return 2;
    case MetricDelta::Improvement:
        return 1;
    default:
        return 0;
    }
}

bool recommendationsSayUntrustworthy(const RunExtras &extras)
{
    if (extras.untrustworthy)
        return true;
    // Stored runs keep their recommendations; the load-generator rule comes first.
    const QJsonArray recommendations = extras.recommendations.value_or(QJsonArray());
    return !recommendations.isEmpty() && recommendations.first()
                                             .toObject()
                                             .value(QLatin1String("evidence"))
                                             .toObject()
                                             .value(QLatin1String("untrustworthy"))
                                             .toBool();
}

QString formatValue(double v, const QString &unit)
{
    if (!std::isfinite(v))
        return QStringLiteral("–");
    if (unit == QLatin1String("ms"))
        return formatDurationMs(v); // µs / ms / s, three significant digits, as everywhere
    const int decimals = unit == QLatin1String("%") ? 2 : (std::abs(v) < 100 ? 1 : 0);
    return QString::number(v, 'f', decimals) +
           (unit == QLatin1String("%") ? QStringLiteral(" %") : u' ' + unit);
}

QString formatSigned(double v, const QString &unit)
{
    if (!std::isfinite(v))
        return QStringLiteral("–");
    return (v > 0 ? QStringLiteral("+") : QString()) + formatValue(v, unit);
}

QString formatRel(double pct)
{
    if (std::isnan(pct))
        return QStringLiteral("–");
    if (std::isinf(pct))
        return QStringLiteral("new");
    return (pct > 0 ? QStringLiteral("+") : QString()) + QString::number(pct, 'f', 1) +
           QStringLiteral(" %");
}

QString formatP(double p)
{
    if (std::isnan(p))
        return QStringLiteral("–");
    return p < 0.001 ? QStringLiteral("<0.001") : QString::number(p, 'f', 3);
}

QStringList rowOf(const MetricDelta &d)
{
    // A time change within the histogram's resolution (e.g. 0 µs → 1 µs) is no percentage.
    const bool relMeaningful =
        d.unit != QLatin1String("ms") || relativeChangePct(d.base, d.candidate).has_value();
    return {d.metric,
            formatValue(d.base, d.unit),
            formatValue(d.candidate, d.unit),
            formatSigned(d.absDelta, d.unit),
            relMeaningful ? formatRel(d.relDeltaPct) : QStringLiteral("–"),
            formatP(d.pValue),
            formatP(d.pAdjusted),
            verdictName(d.verdict)};
}

QString header(const RunComparison &c, qsizetype i)
{
    return c.candidates[i].label + QStringLiteral(" vs ") + c.baseline.label +
           QStringLiteral(" (baseline): ") + verdictName(c.candidateVerdicts[i]);
}

QString reasonsLine(const RunComparison &c, qsizetype i)
{
    const QStringList reasons = c.inconclusiveReasons.value(i);
    return reasons.isEmpty() ? QString()
                             : QStringLiteral("no verdict: ") + reasons.join(QStringLiteral("; "));
}

QList<const RunForComparison *> givenRunsOf(const RunForComparison &baseline,
                                            const QList<RunForComparison> &candidates)
{
    QList<const RunForComparison *> runs;
    if (!baseline.summary.extras.aggregated.isEmpty())
        runs << &baseline;
    for (const RunForComparison &c : candidates)
        if (!c.summary.extras.aggregated.isEmpty())
            runs << &c;
    return runs;
}

QString notComparedLine(const RunComparison &c, qsizetype i)
{
    const QStringList missing = c.notCompared.value(i);
    return missing.isEmpty() ? QString()
                             : QStringLiteral("not compared, a side lacks them: ") +
                                   missing.join(QStringLiteral(", "));
}

QString testDescription(const RunComparison &c)
{
    return QStringLiteral("t test of the change (log ratio; error rates in points; two-sided, "
                          "Welch-Satterthwaite df): per-interval "
                          "sampling error with effective sample sizes plus run-to-run spread ") +
           (c.historyRuns > 0 ? QStringLiteral("measured over %1 earlier runs").arg(c.historyRuns)
                              : QStringLiteral("from the defaults")) +
           (c.options.holm ? QStringLiteral("; Holm-Bonferroni over the key metrics") : QString());
}

} // namespace

QString verdictName(MetricDelta::Verdict verdict)
{
    switch (verdict) {
    case MetricDelta::Regression:
        return QStringLiteral("regression");
    case MetricDelta::Improvement:
        return QStringLiteral("improvement");
    case MetricDelta::NoSignificantChange:
        return QStringLiteral("no significant change");
    case MetricDelta::Inconclusive:
        return QStringLiteral("inconclusive");
    case MetricDelta::Insufficient:
        break;
    }
    return QStringLiteral("insufficient data");
}

QJsonObject MetricDelta::toJson() const
{
    return QJsonObject{{QStringLiteral("metric"), metric},
                       {QStringLiteral("unit"), unit},
                       {QStringLiteral("higherIsBetter"), higherIsBetter},
                       {QStringLiteral("key"), key},
                       {QStringLiteral("base"), number(base)},
                       {QStringLiteral("candidate"), number(candidate)},
                       {QStringLiteral("absDelta"), number(absDelta)},
                       {QStringLiteral("relDeltaPct"), number(relDeltaPct)},
                       {QStringLiteral("pValue"), number(pValue)},
                       {QStringLiteral("pAdjusted"), number(pAdjusted)},
                       {QStringLiteral("standardError"), number(standardError)},
                       {QStringLiteral("runToRun"), number(runToRun)},
                       {QStringLiteral("runToRunSource"),
                        std::isnan(runToRun)  ? QJsonValue(QJsonValue::Null)
                        : runToRunFromHistory ? QJsonValue(QStringLiteral("history"))
                                              : QJsonValue(QStringLiteral("default"))},
                       {QStringLiteral("effectiveIntervals"),
                        QJsonArray{effectiveIntervalsBase, effectiveIntervalsCandidate}},
                       {QStringLiteral("verdict"), verdictName(verdict)}};
}

QJsonObject RunComparison::toJson() const
{
    auto runJson = [](const ComparedRun &r) {
        return QJsonObject{
            {QStringLiteral("id"), r.id},
            {QStringLiteral("label"), r.label},
            {QStringLiteral("trustworthy"), r.untrustworthy.isEmpty()},
            {QStringLiteral("untrustworthy"), QJsonArray::fromStringList(r.untrustworthy)}};
    };
    QJsonArray cands;
    for (qsizetype i = 0; i < candidates.size(); ++i) {
        QJsonArray metrics;
        for (const MetricDelta &d : perCandidate[i])
            metrics.append(d.toJson());
        QJsonObject c = runJson(candidates[i]);
        c.insert(QStringLiteral("verdict"), verdictName(candidateVerdicts[i]));
        c.insert(QStringLiteral("inconclusiveReasons"),
                 QJsonArray::fromStringList(inconclusiveReasons.value(i)));
        c.insert(QStringLiteral("metrics"), metrics);
        c.insert(QStringLiteral("notCompared"), QJsonArray::fromStringList(notCompared.value(i)));
        cands.append(c);
    }
    return QJsonObject{
        {QStringLiteral("baseline"), runJson(baseline)},
        {QStringLiteral("candidates"), cands},
        {QStringLiteral("samePlan"), samePlan},
        {QStringLiteral("planNote"), planNote},
        {QStringLiteral("givenFigures"), QJsonArray::fromStringList(givenFigures)},
        {QStringLiteral("verdict"), verdictName(overall)},
        {QStringLiteral("options"),
         QJsonObject{
             {QStringLiteral("noiseFloorPct"), options.noiseFloorPct},
             {QStringLiteral("absoluteFloorMs"), options.absoluteFloorMs},
             {QStringLiteral("errorRateFloorPct"), options.errorRateFloorPct},
             {QStringLiteral("alpha"), options.alpha},
             {QStringLiteral("minIntervals"), options.minIntervals},
             {QStringLiteral("minDurationSec"), options.minDurationSec},
             {QStringLiteral("holm"), options.holm},
             {QStringLiteral("historyRuns"), historyRuns},
             {QStringLiteral("defaultRunToRunPct"), options.defaultRunToRunPct},
             {QStringLiteral("defaultTailRunToRunPct"), options.defaultTailRunToRunPct},
             {QStringLiteral("defaultErrorRateRunToRunPp"), options.defaultErrorRateRunToRunPp},
             {QStringLiteral("test"), testDescription(*this)}}}};
}

QString RunComparison::toMarkdown() const
{
    QString md = QStringLiteral("## Comparison: ") + verdictName(overall) + QStringLiteral("\n\n");
    if (!planNote.isEmpty())
        md += QStringLiteral("> ") + planNote + QStringLiteral("\n\n");
    for (qsizetype i = 0; i < candidates.size(); ++i) {
        md += QStringLiteral("### ") + header(*this, i) + QStringLiteral("\n\n");
        if (!inconclusiveReasons.value(i).isEmpty())
            md += QStringLiteral("> ") + reasonsLine(*this, i) + QStringLiteral("\n\n");
        md += QStringLiteral("| Metric | Baseline | Candidate | Δ | Δ % | p | p adj. | Verdict |\n"
                             "|---|---:|---:|---:|---:|---:|---:|---|\n");
        for (const MetricDelta &d : perCandidate[i]) {
            QStringList cells = rowOf(d);
            if (d.verdict == MetricDelta::Regression || d.verdict == MetricDelta::Improvement)
                cells.last() = QStringLiteral("**") + cells.last() + QStringLiteral("**");
            md += QStringLiteral("| ") + cells.join(QStringLiteral(" | ")) + QStringLiteral(" |\n");
        }
        if (!notCompared.value(i).isEmpty())
            md += QStringLiteral("\n") + notComparedLine(*this, i) + QStringLiteral("\n");
        md += u'\n';
    }
    for (const QString &given : givenFigures)
        md += QStringLiteral("> ") + given + QStringLiteral("\n");
    if (!givenFigures.isEmpty())
        md += u'\n';
    md += QStringLiteral("Noise floor ") + QString::number(options.noiseFloorPct) +
          QStringLiteral(" % (error rate ") + QString::number(options.errorRateFloorPct) +
          QStringLiteral(" pp); ") + testDescription(*this) + QStringLiteral(", α = ") +
          QString::number(options.alpha) + QStringLiteral(".\n");
    return md;
}

QString RunComparison::toText() const
{
    QString text = QStringLiteral("Verdict: ") + verdictName(overall) + u'\n';
    if (!planNote.isEmpty())
        text += QStringLiteral("Note: ") + planNote + u'\n';
    const QStringList titles{QStringLiteral("metric"),    QStringLiteral("baseline"),
                             QStringLiteral("candidate"), QStringLiteral("delta"),
                             QStringLiteral("delta %"),   QStringLiteral("p"),
                             QStringLiteral("p adj."),    QStringLiteral("verdict")};
    for (qsizetype i = 0; i < candidates.size(); ++i) {
        text += u'\n' + header(*this, i) + u'\n';
        if (!inconclusiveReasons.value(i).isEmpty())
            text += reasonsLine(*this, i) + u'\n';
        QList<QStringList> rows{titles};
        for (const MetricDelta &d : perCandidate[i])
            rows.append(rowOf(d));
        QList<qsizetype> widths(titles.size(), 0);
        for (const QStringList &r : rows)
            for (qsizetype c = 0; c < r.size(); ++c)
                widths[c] = std::max(widths[c], r[c].size());
        for (const QStringList &r : rows) {
            QString line;
            for (qsizetype c = 0; c < r.size(); ++c)
                line += (c == 0 || c == r.size() - 1 ? r[c].leftJustified(widths[c])
                                                     : r[c].rightJustified(widths[c])) +
                        QStringLiteral("  ");
            text += line.trimmed() + u'\n';
        }
        if (!notCompared.value(i).isEmpty())
            text += notComparedLine(*this, i) + u'\n';
    }
    for (const QString &given : givenFigures)
        text += QStringLiteral("Figures of ") + given + u'\n';
    return text;
}

QStringList untrustworthyReasons(const RunSummary &run, const ComparisonOptions &options)
{
    QStringList reasons;
    if (run.status == ResultStatus::Failed)
        reasons << QStringLiteral("the run failed");
    if (run.durationSec < options.minDurationSec)
        reasons << QStringLiteral("it ran %1 s, under the %2 s minimum")
                       .arg(run.durationSec, 0, 'f', 1)
                       .arg(options.minDurationSec);
    int withRequests = 0;
    int withResources = 0;
    int saturated = 0;
    for (const IntervalSample &i : run.timeline) {
        if (i.overall.totals.requests > 0)
            ++withRequests;
        if (i.resources.isEmpty())
            continue;
        ++withResources;
        if (i.resources.value(QLatin1String("generatorSaturated")).toBool())
            ++saturated;
    }
    if (withRequests < options.minIntervals)
        reasons << QStringLiteral("%1 intervals with requests, under the minimum of %2")
                       .arg(withRequests)
                       .arg(options.minIntervals);
    // The recommendation rule (p90 of the generator's CPU, dropped iterations) marks a run
    // untrustworthy; a quarter of its intervals saturated does too. The summary's own flag is
    // set by a single saturated interval, so it decides only when intervals carry no figures.
    const bool flagged = recommendationsSayUntrustworthy(run.extras);
    const bool manyIntervals = withResources > 0 && 4 * saturated >= withResources;
    const bool summaryFlag =
        withResources == 0 && run.extras.resources.value(QLatin1String("generatorCpuPct"))
                                  .toObject()
                                  .value(QLatin1String("saturated"))
                                  .toBool();
    if (flagged || manyIntervals || summaryFlag)
        reasons << (withResources > 0 && saturated > 0
                        ? QStringLiteral("the load generator was saturated (%1 of %2 intervals): "
                                         "its figures are not trustworthy")
                              .arg(saturated)
                              .arg(withResources)
                        : QStringLiteral("the load generator was saturated: its figures are not "
                                         "trustworthy"));
    return reasons;
}

bool usableForNoiseModel(const QJsonObject &summary)
{
    const QString status = summary.value(QLatin1String("status")).toString();
    if (!status.isEmpty() && status != QLatin1String("completed"))
        return false;
    return !recommendationsSayUntrustworthy(RunExtras::fromJson(summary)) &&
           !summary.value(QLatin1String("resources"))
                .toObject()
                .value(QLatin1String("generatorCpuPct"))
                .toObject()
                .value(QLatin1String("saturated"))
                .toBool();
}

RunComparison compareRuns(const RunForComparison &baseline,
                          const QList<RunForComparison> &candidates,
                          const ComparisonOptions &options, const QList<QJsonObject> &earlierRuns)
{
    RunComparison result;
    result.options = options;
    const QStringList baselineReasons = untrustworthyReasons(baseline.summary, options);
    result.baseline = {baseline.id, baseline.label, baselineReasons};
    QList<QJsonObject> history;
    for (const QJsonObject &summary : earlierRuns)
        if (usableForNoiseModel(summary))
            history.append(summary);
    if (history.size() >= options.minHistoryRuns)
        result.historyRuns = int(history.size());
    else
        history.clear();
    QStringList differing;
    for (const RunForComparison &cand : candidates) {
        const QStringList candidateReasons = untrustworthyReasons(cand.summary, options);
        result.candidates.append({cand.id, cand.label, candidateReasons});
        QStringList reasons;
        for (const QString &r : baselineReasons)
            reasons << QStringLiteral("baseline ") + baseline.label + QStringLiteral(": ") + r;
        for (const QString &r : candidateReasons)
            reasons << cand.label + QStringLiteral(": ") + r;
        const bool trustworthy = reasons.isEmpty();

        const QList<MetricSpec> specs = metricSpecs(baseline.summary, cand.summary);
        QList<MetricDelta> deltas;
        for (const MetricSpec &spec : specs)
            deltas.append(measureMetric(spec, baseline.summary, cand.summary, history, options));
        adjust(deltas, options);
        for (qsizetype k = 0; k < deltas.size(); ++k)
            deltas[k].verdict = verdictOf(specs[k], deltas[k], trustworthy, options);
        const MetricDelta::Verdict v = trustworthy ? overallOf(deltas) : MetricDelta::Inconclusive;
        QStringList missing;
        for (const MetricDelta &d : std::as_const(deltas)) {
            if (d.verdict != MetricDelta::Insufficient)
                continue;
            const bool noBase = std::isnan(d.base), noCandidate = std::isnan(d.candidate);
            missing << d.metric + QStringLiteral(" (not in ") +
                           (noBase && noCandidate ? QStringLiteral("either")
                            : noBase              ? baseline.label
                                                  : cand.label) +
                           u')';
        }
        result.notCompared.append(missing);
        result.perCandidate.append(deltas);
        result.candidateVerdicts.append(v);
        result.inconclusiveReasons.append(reasons);
        if (cand.planFingerprint != baseline.planFingerprint)
            differing.append(cand.label);
    }
    if (!differing.isEmpty()) {
        result.samePlan = false;
        result.planNote = differing.join(QStringLiteral(", ")) +
                          (differing.size() == 1 ? QStringLiteral(" ran a different plan than ")
                                                 : QStringLiteral(" ran different plans than ")) +
                          baseline.label +
                          QStringLiteral(": differences may come from the plan, not the target.");
    }
    for (const RunForComparison *run : givenRunsOf(baseline, candidates)) {
        result.givenFigures
            << run->label + QStringLiteral(": ") +
                   run->summary.extras.aggregated.value(QLatin1String("percentiles")).toString();
    }
    result.overall = MetricDelta::NoSignificantChange;
    for (MetricDelta::Verdict v : std::as_const(result.candidateVerdicts))
        if (severity(v) > severity(result.overall))
            result.overall = v;
    return result;
}

QString planFingerprint(const QJsonObject &plan)
{
    QJsonObject p = plan;
    for (const char *key : {"name", "description", "versionLabel", "id", "createdAt", "updatedAt"})
        p.remove(QLatin1String(key));
    // QJsonObject keeps its keys sorted, so the compact form is canonical.
    const QByteArray bytes = QJsonDocument(p).toJson(QJsonDocument::Compact);
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha1).toHex());
}

} // namespace loadscope
