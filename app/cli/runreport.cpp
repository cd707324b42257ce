#include "runreport.h"

#include <algorithm>

#include <QJsonArray>
#include <QJsonObject>
#include <QTextStream>

#include "metrics/durationformat.h"

namespace loadscope {
namespace {

QString ms(double value)
{
    return formatDurationMs(value); // one formatter for every printed time (µs / ms / s)
}

QString rate(double perSecond)
{
    return QString::number(perSecond, 'f', perSecond >= 100 ? 0 : 1);
}

QString pct(double fraction)
{
    return QString::number(fraction * 100.0, 'f', 2) + QStringLiteral(" %");
}

QString latencyLine(const LatencyStats &s)
{
    return QStringLiteral("avg ") + ms(s.meanMs) + QStringLiteral("  p50 ") + ms(s.p50Ms) +
           QStringLiteral("  p90 ") + ms(s.p90Ms) + QStringLiteral("  p95 ") + ms(s.p95Ms) +
           QStringLiteral("  p99 ") + ms(s.p99Ms) + QStringLiteral("  max ") + ms(s.maxMs);
}

QString serverStats(const RunSummary &s, const char *name)
{
    const auto it = s.serverTiming.constFind(QLatin1String(name));
    if (it == s.serverTiming.cend() || it->count() == 0)
        return QStringLiteral("not reported");
    const LatencyStats l = LatencyStats::fromHistogram(*it);
    return QStringLiteral("p50 ") + ms(l.p50Ms) + QStringLiteral("  p95 ") + ms(l.p95Ms) +
           QStringLiteral("  max ") + ms(l.maxMs);
}

const EndpointSummary *endpointWithPath(const RunSummary &s, const char *path)
{
    for (const EndpointSummary &e : s.endpoints)
        if (e.path.endsWith(QLatin1String(path)))
            return &e;
    return nullptr;
}

//! The figures each test type is about (DESIGN.md §2), before the generic ones.
void printTypeHeadline(QTextStream &out, const TestPlan &plan, const RunSummary &s)
{
    const auto endpointRate = [&s](const EndpointSummary *e) {
        return e && s.durationSec > 0 ? double(e->totals.requests) / s.durationSec : 0.0;
    };
    switch (plan.type) {
    case TestType::MlPredictionThroughput: {
        const EndpointSummary *predict = endpointWithPath(s, "/predict");
        if (!predict)
            break;
        const LatencyStats l = LatencyStats::fromHistogram(predict->duration);
        out << "  predictions " << rate(endpointRate(predict)) << "/s, latency p50 " << ms(l.p50Ms)
            << "  p95 " << ms(l.p95Ms) << "  p99 " << ms(l.p99Ms) << '\n'
            << "  inference   " << serverStats(s, "inference") << '\n'
            << "  model load  " << serverStats(s, "model-load") << '\n';
        break;
    }
    case TestType::SignalGeneration: {
        const EndpointSummary *signalEndpoint = endpointWithPath(s, "/signals");
        out << "  signals     " << rate(endpointRate(signalEndpoint)) << "/s, generation time "
            << serverStats(s, "signal") << '\n';
        break;
    }
    case TestType::StrategyExecution: {
        const EndpointSummary *strategy = endpointWithPath(s, "/strategy/execute");
        out << "  strategies  " << rate(endpointRate(strategy)) << "/s, execution time "
            << serverStats(s, "strategy") << '\n';
        break;
    }
    case TestType::EndToEnd: {
        const LatencyStats flow = LatencyStats::fromHistogram(s.iterationDuration);
        out << "  flow        " << s.totals.iterations << " iterations, p50 " << ms(flow.p50Ms)
            << "  p95 " << ms(flow.p95Ms) << "  (steps:";
        for (const EndpointSummary &e : s.endpoints)
            out << ' ' << e.name << ' ' << ms(LatencyStats::fromHistogram(e.duration).p50Ms);
        out << " at p50)\n";
        break;
    }
    case TestType::StressTest: {
        const QJsonObject &stress = s.extras.stress;
        if (!stress.value(QStringLiteral("valid")).toBool()) {
            out << "  breaking    " << stress.value(QStringLiteral("message")).toString() << '\n';
            break;
        }
        const QJsonObject sustained = stress.value(QStringLiteral("maxSustained")).toObject();
        const QJsonObject rules = stress.value(QStringLiteral("rules")).toObject();
        if (sustained.isEmpty())
            out << "  sustained   " << stress.value(QStringLiteral("message")).toString() << '\n';
        else
            out << "  sustained   " << sustained.value(QStringLiteral("description")).toString()
                << '\n';
        const QJsonObject knee = stress.value(QStringLiteral("knee")).toObject();
        out << "  knee        "
            << (knee.isEmpty()
                    ? QStringLiteral("none: p95 and errors stayed in their low-load band")
                    : knee.value(QStringLiteral("description")).toString())
            << '\n';
        const QJsonObject failure = stress.value(QStringLiteral("firstFailure")).toObject();
        if (!failure.isEmpty())
            out << "  failed 1st  " << failure.value(QStringLiteral("description")).toString()
                << '\n';
        const QJsonObject usl = stress.value(QStringLiteral("usl")).toObject();
        const auto param = [&usl](const char *name, int decimals) {
            return QString::number(usl.value(QLatin1String(name)).toDouble(), 'g', decimals);
        };
        out << "  USL fit     ";
        if (usl.value(QStringLiteral("distinctLevels")).toInt() >=
            usl.value(QStringLiteral("minLevels")).toInt())
            out << "σ=" << param("sigma", 3) << " κ=" << param("kappa", 3)
                << " R²=" << QString::number(usl.value(QStringLiteral("r2")).toDouble(), 'f', 3)
                << " over " << usl.value(QStringLiteral("distinctLevels")).toInt()
                << " steady levels: ";
        if (usl.value(QStringLiteral("peakReported")).toBool())
            out << "peak " << rate(usl.value(QStringLiteral("peakThroughput")).toDouble())
                << " req/s at concurrency "
                << QString::number(usl.value(QStringLiteral("peakConcurrency")).toDouble(), 'f', 1)
                << '\n';
        else
            out << usl.value(QStringLiteral("message")).toString() << '\n';
        out << "  rules       " << rules.value(QStringLiteral("knee")).toString() << ";\n"
            << "              " << rules.value(QStringLiteral("sustained")).toString() << '\n';
        break;
    }
    case TestType::ApiLatency:
    case TestType::LoadTest:
        break;
    }
}

} // namespace

ProgressPrinter::ProgressPrinter(QTextStream &out, const TestPlan &plan, bool tty, bool quiet)
    : m_out(out)
    , m_plan(plan)
    , m_tty(tty)
    , m_quiet(quiet)
{}

void ProgressPrinter::started(const QString &baseUrl, qint64 resultId)
{
    if (m_quiet)
        return;
    m_out << "Running " << testTypeName(m_plan.type) << " \"" << m_plan.name << "\" against "
          << baseUrl << " (" << executorName(m_plan.load.executor) << ", "
          << QString::number(double(m_plan.load.totalDurationMs()) / 1000.0, 'f', 0) << " s)";
    if (resultId > 0)
        m_out << ", run #" << resultId;
    m_out << '\n';
    m_out.flush();
}

void ProgressPrinter::interval(const IntervalSample &sample, double elapsedSec)
{
    if (m_quiet)
        return;
    const double total = std::max(1.0, double(m_plan.load.totalDurationMs()) / 1000.0);
    const TrafficTotals &t = sample.overall.totals;
    const QString figures =
        QString::number(elapsedSec, 'f', 0) + u'/' + QString::number(total, 'f', 0) +
        QStringLiteral("s  ") + rate(sample.throughputRps()) + QStringLiteral(" req/s  p95 ") +
        ms(sample.overall.latency.p95Ms) + QStringLiteral("  errors ") + pct(t.errorRate()) +
        QStringLiteral("  VUs ") + QString::number(sample.activeVus);
    if (m_tty) {
        constexpr int width = 30;
        const int filled = int(std::clamp(elapsedSec / total, 0.0, 1.0) * width);
        m_out << "\r\033[2K[" << QString(filled, u'=') << QString(width - filled, u' ') << "] "
              << figures;
        m_lineOpen = true;
    } else {
        m_out << "t=" << figures << '\n';
    }
    m_out.flush();
}

void ProgressPrinter::note(const QString &text)
{
    finishLine();
    m_out << text << '\n';
    m_out.flush();
}

void ProgressPrinter::finishLine()
{
    if (m_lineOpen)
        m_out << '\n';
    m_lineOpen = false;
}

void printRunSummary(QTextStream &out, const TestPlan &plan, const RunSummary &s,
                     const QString &baseUrl, qint64 resultId, const QString &dbPath)
{
    const TrafficTotals &t = s.totals;
    out << '\n'
        << "  " << testTypeName(plan.type) << " \"" << plan.name << "\" against " << baseUrl << ": "
        << resultStatusToString(s.status) << " after " << QString::number(s.durationSec, 'f', 1)
        << " s, " << s.maxVus << " VUs max\n";
    if (!s.errorDetails.isEmpty())
        out << "  note        " << s.errorDetails << '\n';
    out << "  requests    " << t.requests << " (" << rate(s.throughputRps()) << "/s), errors "
        << t.errors << " (" << pct(t.errorRate()) << ")";
    if (t.iterations != t.requests)
        out << ", iterations " << t.iterations;
    if (s.openModel)
        out << ", dropped iterations " << t.droppedIterations;
    out << '\n';
    if (t.errors > 0) {
        out << "  errors by   ";
        for (int i = 1; i < kErrorClassCount; ++i)
            if (t.errorsByClass[size_t(i)] > 0)
                out << errorClassName(ErrorClass(i)) << ' ' << t.errorsByClass[size_t(i)] << "  ";
        out << '\n';
    }
    if (t.checksPassed + t.checksFailed > 0)
        out << "  checks      " << t.checksPassed << " passed, " << t.checksFailed << " failed\n";
    out << "  latency     " << latencyLine(LatencyStats::fromHistogram(s.duration)) << '\n';
    if (s.openModel)
        out << "  corrected   " << latencyLine(LatencyStats::fromHistogram(s.durationCorrected))
            << "  (from the intended start)\n";
    const auto timing = [&s](const char *name) {
        const LatencyHistogram h = s.timings.value(QLatin1String(name));
        return h.count() > 0 ? ms(h.mean() / 1000.0) : QStringLiteral("-");
    };
    out << "  timings     connecting " << timing("connecting") << ", waiting " << timing("waiting")
        << ", receiving " << timing("receiving") << " (means)\n";
    if (s.endpoints.size() > 1 || !s.serverTiming.isEmpty()) {
        for (const EndpointSummary &e : s.endpoints) {
            const LatencyStats l = LatencyStats::fromHistogram(e.duration);
            out << "  endpoint    " << e.name.leftJustified(34) << ' '
                << QString::number(e.totals.requests).rightJustified(8) << " req  p50 "
                << ms(l.p50Ms) << "  p95 " << ms(l.p95Ms) << "  errors "
                << pct(e.totals.errorRate()) << '\n';
        }
    }
    for (auto it = s.serverTiming.cbegin(); it != s.serverTiming.cend(); ++it) {
        const LatencyStats l = LatencyStats::fromHistogram(it.value());
        out << "  server      " << it.key().leftJustified(14) << " p50 " << ms(l.p50Ms) << "  p95 "
            << ms(l.p95Ms) << "  max " << ms(l.maxMs) << '\n';
    }
    printTypeHeadline(out, plan, s);
    for (const QJsonValue &value : s.extras.agents) {
        const QJsonObject a = value.toObject();
        const QJsonObject cpu = a.value(QStringLiteral("resources"))
                                    .toObject()
                                    .value(QStringLiteral("generatorCpuPct"))
                                    .toObject();
        out << "  agent       " << a.value(QStringLiteral("segment")).toString().leftJustified(6)
            << ' ' << a.value(QStringLiteral("host")).toString().leftJustified(20) << ' '
            << QString::number(qint64(a.value(QStringLiteral("requests")).toDouble()))
                   .rightJustified(9)
            << " req (" << rate(a.value(QStringLiteral("throughputRps")).toDouble()) << "/s)";
        if (!cpu.isEmpty())
            out << "  CPU avg "
                << QString::number(cpu.value(QStringLiteral("avg")).toDouble(), 'f', 0) << " % max "
                << QString::number(cpu.value(QStringLiteral("max")).toDouble(), 'f', 0) << " %";
        if (a.value(QStringLiteral("saturated")).toBool())
            out << "  SATURATED";
        out << '\n';
    }
    for (const ThresholdResult &r : s.thresholds) {
        out << "  threshold   " << (r.passed ? "PASS " : "FAIL ") << r.metric << ' '
            << r.expression;
        if (!r.error.isEmpty())
            out << "  (" << r.error << ')';
        else
            out << "  (observed " << QString::number(r.value, 'g', 4) << ')';
        out << '\n';
    }
    if (s.extras.untrustworthy)
        out << "\n  WARNING     the load generator was saturated: these figures are not "
               "trustworthy\n";
    const QJsonArray &anomalies = s.extras.anomalies;
    if (!anomalies.isEmpty()) {
        out << "\nAnomalous intervals (robust z-score over a rolling median)\n";
        for (const QJsonValue &value : anomalies) {
            const QJsonObject a = value.toObject();
            out << "  t=" << QString::number(a.value(QStringLiteral("t")).toDouble(), 'f', 0)
                << "s  " << a.value(QStringLiteral("metric")).toString() << ' '
                << QString::number(a.value(QStringLiteral("value")).toDouble(), 'g', 4)
                << " (median "
                << QString::number(a.value(QStringLiteral("median")).toDouble(), 'g', 4) << ", z "
                << QString::number(a.value(QStringLiteral("robustZ")).toDouble(), 'f', 1) << ")\n";
        }
    }
    const QJsonArray recommendations = s.extras.recommendations.value_or(QJsonArray());
    if (!recommendations.isEmpty()) {
        out << "\nRecommendations\n";
        for (const QJsonValue &value : recommendations) {
            const QJsonObject r = value.toObject();
            out << "  [" << r.value(QStringLiteral("impact")).toString() << ", "
                << r.value(QStringLiteral("area")).toString() << "] "
                << r.value(QStringLiteral("title")).toString() << '\n'
                << "      " << r.value(QStringLiteral("detail")).toString() << '\n'
                << "      do: " << r.value(QStringLiteral("implementation")).toString() << '\n'
                << "      gain: " << r.value(QStringLiteral("estimatedImprovement")).toString()
                << '\n';
        }
    }
    const QJsonObject &comparison = s.extras.comparison;
    if (comparison.contains(QStringLiteral("text"))) {
        out << "\nAgainst the baseline\n";
        const QStringList lines = comparison.value(QStringLiteral("text")).toString().split(u'\n');
        for (const QString &line : lines)
            if (!line.isEmpty())
                out << "  " << line << '\n';
    } else if (comparison.contains(QStringLiteral("note"))) {
        out << "\n  baseline    " << comparison.value(QStringLiteral("note")).toString() << '\n';
    }
    if (resultId > 0)
        out << "\n  stored      run #" << resultId << " in " << dbPath << '\n';
}

} // namespace loadscope
