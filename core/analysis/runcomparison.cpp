#include "runcomparison.h"

#include <cmath>
#include <functional>
#include <optional>

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

#include "analysis/statistics.h"

namespace loadscope {
namespace {

using Whole = std::function<std::optional<double>(const RunSummary &)>;
using PerInterval = std::function<std::optional<double>(const IntervalSample &)>;

struct MetricSpec
{
    QString metric;
    QString unit;
    bool higherIsBetter = false;
    bool key = false;
    bool errorRate = false;
    Whole whole;
    PerInterval perInterval;
};

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
    specs.append({QStringLiteral("throughput"), QStringLiteral("req/s"), true, true, false,
                  [](const RunSummary &s) -> std::optional<double> {
                      if (s.durationSec <= 0)
                          return std::nullopt;
                      return s.throughputRps();
                  },
                  [](const IntervalSample &i) -> std::optional<double> {
                      if (i.intervalSec <= 0)
                          return std::nullopt;
                      return i.throughputRps();
                  }});
    specs.append({QStringLiteral("errorRate"), QStringLiteral("%"), false, true, true,
                  [](const RunSummary &s) -> std::optional<double> {
                      if (s.totals.requests <= 0)
                          return std::nullopt;
                      return 100.0 * s.totals.errorRate();
                  },
                  [](const IntervalSample &i) -> std::optional<double> {
                      if (i.overall.totals.requests <= 0)
                          return std::nullopt;
                      return 100.0 * i.overall.totals.errorRate();
                  }});
    const QList<QPair<QString, double LatencyStats::*>> percentiles{
        {QStringLiteral("p50"), &LatencyStats::p50Ms},
        {QStringLiteral("p90"), &LatencyStats::p90Ms},
        {QStringLiteral("p95"), &LatencyStats::p95Ms},
        {QStringLiteral("p99"), &LatencyStats::p99Ms},
        {QStringLiteral("max"), &LatencyStats::maxMs}};
    for (const auto &[name, field] : percentiles) {
        const bool key = name == QLatin1String("p95") || name == QLatin1String("p99");
        specs.append({name, QStringLiteral("ms"), false, key, false,
                      [field = field](const RunSummary &s) { return statOf(s.duration, field); },
                      [field = field](const IntervalSample &i) {
                          return intervalStat(i.overall.latency, field);
                      }});
    }

    // Server-Timing series and endpoints of either run, so a missing one shows as such.
    QStringList timingNames = a.serverTiming.keys() + b.serverTiming.keys();
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
                          [name, field = field](const IntervalSample &i) {
                              return intervalStat(i.serverTiming.value(name), field);
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
                          return e ? statOf(e->duration, &LatencyStats::p95Ms) : std::nullopt;
                      },
                      [name](const IntervalSample &i) -> std::optional<double> {
                          const EndpointSample *e = findEndpoint(i, name);
                          return e ? intervalStat(e->latency, &LatencyStats::p95Ms) : std::nullopt;
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
                      }});
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

MetricDelta compareMetric(const MetricSpec &spec, const RunSummary &base, const RunSummary &cand,
                          const ComparisonOptions &o)
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

    // Error rates are in percent already: their floor is absolute (percentage points), so
    // 0.1 % → 0.2 % is not called a doubling.
    const double magnitude = spec.errorRate ? std::abs(d.absDelta) : std::abs(d.relDeltaPct);
    const double floor = spec.errorRate ? o.errorRateFloorPct : o.noiseFloorPct;
    d.verdict = MetricDelta::NoSignificantChange;
    if (!(magnitude > floor))
        return d;
    if (spec.unit == QLatin1String("ms") && !(std::abs(d.absDelta) > o.absoluteFloorMs))
        return d;

    bool significant = false;
    const QList<double> sa = samplesOf(base, spec.perInterval);
    const QList<double> sc = samplesOf(cand, spec.perInterval);
    if (sa.size() >= o.minIntervals && sc.size() >= o.minIntervals) {
        d.pValue = mannWhitneyU(sa, sc).pValue;
        significant = d.pValue < o.alpha;
    } else {
        significant = magnitude > o.untestedFactor * floor;
    }
    if (!significant)
        return d;
    const bool worse = spec.higherIsBetter ? d.absDelta < 0 : d.absDelta > 0;
    d.verdict = worse ? MetricDelta::Regression : MetricDelta::Improvement;
    return d;
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

QString formatValue(double v, const QString &unit)
{
    if (!std::isfinite(v))
        return QStringLiteral("–");
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
    return {d.metric,
            formatValue(d.base, d.unit),
            formatValue(d.candidate, d.unit),
            formatSigned(d.absDelta, d.unit),
            formatRel(d.relDeltaPct),
            formatP(d.pValue),
            verdictName(d.verdict)};
}

QString header(const RunComparison &c, qsizetype i)
{
    return c.candidates[i].label + QStringLiteral(" vs ") + c.baseline.label +
           QStringLiteral(" (baseline): ") + verdictName(c.candidateVerdicts[i]);
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
                       {QStringLiteral("verdict"), verdictName(verdict)}};
}

QJsonObject RunComparison::toJson() const
{
    auto runJson = [](const ComparedRun &r) {
        return QJsonObject{{QStringLiteral("id"), r.id}, {QStringLiteral("label"), r.label}};
    };
    QJsonArray cands;
    for (qsizetype i = 0; i < candidates.size(); ++i) {
        QJsonArray metrics;
        for (const MetricDelta &d : perCandidate[i])
            metrics.append(d.toJson());
        QJsonObject c = runJson(candidates[i]);
        c.insert(QStringLiteral("verdict"), verdictName(candidateVerdicts[i]));
        c.insert(QStringLiteral("metrics"), metrics);
        cands.append(c);
    }
    return QJsonObject{
        {QStringLiteral("baseline"), runJson(baseline)},
        {QStringLiteral("candidates"), cands},
        {QStringLiteral("samePlan"), samePlan},
        {QStringLiteral("planNote"), planNote},
        {QStringLiteral("verdict"), verdictName(overall)},
        {QStringLiteral("options"),
         QJsonObject{{QStringLiteral("noiseFloorPct"), options.noiseFloorPct},
                     {QStringLiteral("absoluteFloorMs"), options.absoluteFloorMs},
                     {QStringLiteral("errorRateFloorPct"), options.errorRateFloorPct},
                     {QStringLiteral("alpha"), options.alpha},
                     {QStringLiteral("test"), QStringLiteral("Mann-Whitney U, two-sided")}}}};
}

QString RunComparison::toMarkdown() const
{
    QString md = QStringLiteral("## Comparison: ") + verdictName(overall) + QStringLiteral("\n\n");
    if (!planNote.isEmpty())
        md += QStringLiteral("> ") + planNote + QStringLiteral("\n\n");
    for (qsizetype i = 0; i < candidates.size(); ++i) {
        md += QStringLiteral("### ") + header(*this, i) + QStringLiteral("\n\n");
        md += QStringLiteral("| Metric | Baseline | Candidate | Δ | Δ % | p | Verdict |\n"
                             "|---|---:|---:|---:|---:|---:|---|\n");
        for (const MetricDelta &d : perCandidate[i]) {
            QStringList cells = rowOf(d);
            if (d.verdict == MetricDelta::Regression || d.verdict == MetricDelta::Improvement)
                cells.last() = QStringLiteral("**") + cells.last() + QStringLiteral("**");
            md += QStringLiteral("| ") + cells.join(QStringLiteral(" | ")) + QStringLiteral(" |\n");
        }
        md += u'\n';
    }
    md += QStringLiteral("Noise floor ") + QString::number(options.noiseFloorPct) +
          QStringLiteral(" % (error rate ") + QString::number(options.errorRateFloorPct) +
          QStringLiteral(" pp); Mann–Whitney U over per-interval values, α = ") +
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
                             QStringLiteral("verdict")};
    for (qsizetype i = 0; i < candidates.size(); ++i) {
        text += u'\n' + header(*this, i) + u'\n';
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
    }
    return text;
}

RunComparison compareRuns(const RunForComparison &baseline,
                          const QList<RunForComparison> &candidates,
                          const ComparisonOptions &options)
{
    RunComparison result;
    result.options = options;
    result.baseline = {baseline.id, baseline.label};
    QStringList differing;
    for (const RunForComparison &cand : candidates) {
        result.candidates.append({cand.id, cand.label});
        QList<MetricDelta> deltas;
        const QList<MetricSpec> specs = metricSpecs(baseline.summary, cand.summary);
        for (const MetricSpec &spec : specs)
            deltas.append(compareMetric(spec, baseline.summary, cand.summary, options));
        const MetricDelta::Verdict v = overallOf(deltas);
        result.perCandidate.append(deltas);
        result.candidateVerdicts.append(v);
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
    // The worst candidate decides: a regression anywhere must not hide behind an improvement.
    result.overall = MetricDelta::NoSignificantChange;
    for (MetricDelta::Verdict v : std::as_const(result.candidateVerdicts)) {
        if (v == MetricDelta::Regression)
            result.overall = v;
        else if (v == MetricDelta::Improvement && result.overall != MetricDelta::Regression)
            result.overall = v;
    }
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
