#include "stressanalysis.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include <QJsonArray>
#include <QRegularExpression>

#include "analysis/statistics.h"

namespace loadscope {
namespace {

struct Point
{
    int index;
    double tSec;
    double load;
    double rps;
    double p95;
    double errorRate;
    QString topErrorClass;
};

QString topErrorClass(const TrafficTotals &t)
{
    int best = 0;
    for (int i = 1; i < kErrorClassCount; ++i)
        if (t.errorsByClass[size_t(i)] > t.errorsByClass[size_t(best)])
            best = i;
    return best == 0 ? QString() : QString(errorClassName(ErrorClass(best)));
}

QString fmt(double v, int decimals = 1)
{
    return QString::number(v, 'f', decimals);
}

// First index of a run of two failing points (or a failing last point), −1 if none.
int firstPersistent(const QList<Point> &pts, const std::function<bool(const Point &)> &fails)
{
    for (qsizetype i = 0; i < pts.size(); ++i)
        if (fails(pts[i]) && (i + 1 == pts.size() || fails(pts[i + 1])))
            return int(i);
    return -1;
}

} // namespace

StressLimits StressLimits::fromThresholds(const QList<ThresholdResult> &thresholds)
{
    StressLimits limits;
    static const QRegularExpression p95(
        QStringLiteral(R"(^\s*p\(\s*95\s*\)\s*<=?\s*([0-9.]+)\s*$)"));
    static const QRegularExpression rate(QStringLiteral(R"(^\s*rate\s*<=?\s*([0-9.]+)\s*$)"));
    for (const ThresholdResult &t : thresholds) {
        if (t.metric == QLatin1String("http_req_duration")) {
            const auto m = p95.match(t.expression);
            if (m.hasMatch()) {
                limits.p95LimitMs = m.captured(1).toDouble();
                limits.p95Source = t.expression;
            }
        } else if (t.metric == QLatin1String("http_req_failed")) {
            const auto m = rate.match(t.expression);
            if (m.hasMatch()) {
                limits.errorRateLimit = m.captured(1).toDouble();
                limits.errorRateSource = t.expression;
            }
        }
    }
    return limits;
}

QJsonObject StressAnalysis::toJson() const
{
    QJsonObject failure;
    if (firstFailure.intervalIndex >= 0)
        failure = QJsonObject{{QStringLiteral("metric"), firstFailure.metric},
                              {QStringLiteral("interval"), firstFailure.intervalIndex},
                              {QStringLiteral("t"), firstFailure.tSec},
                              {QStringLiteral("load"), firstFailure.load},
                              {QStringLiteral("value"), firstFailure.value},
                              {QStringLiteral("limit"), firstFailure.limit},
                              {QStringLiteral("errorClass"), firstFailure.errorClass},
                              {QStringLiteral("description"), firstFailure.description}};
    QJsonObject json{
        {QStringLiteral("valid"), valid},
        {QStringLiteral("message"), message},
        {QStringLiteral("loadUnit"),
         loadIsRate ? QStringLiteral("iterations/s") : QStringLiteral("vus")},
        {QStringLiteral("p95LimitMs"), p95LimitMs},
        {QStringLiteral("errorRateLimit"), errorRateLimit},
        {QStringLiteral("firstFailure"), failure.isEmpty() ? QJsonValue() : QJsonValue(failure)},
        {QStringLiteral("failedThresholds"), QJsonArray::fromStringList(failedThresholds)},
        {QStringLiteral("usl"), usl.toJson()}};
    if (maxSustainedIndex >= 0)
        json.insert(QStringLiteral("maxSustained"),
                    QJsonObject{{QStringLiteral("throughputRps"), maxSustainedRps},
                                {QStringLiteral("interval"), maxSustainedIndex},
                                {QStringLiteral("load"), maxSustainedLoad},
                                {QStringLiteral("p95Ms"), maxSustainedP95Ms}});
    if (kneeIndex >= 0)
        json.insert(QStringLiteral("knee"),
                    QJsonObject{{QStringLiteral("interval"), kneeIndex},
                                {QStringLiteral("t"), kneeTSec},
                                {QStringLiteral("load"), kneeLoad},
                                {QStringLiteral("throughputRps"), kneeRps},
                                {QStringLiteral("p95Ms"), kneeP95Ms},
                                {QStringLiteral("expectedP95Ms"), kneeExpectedP95Ms}});
    return json;
}

StressAnalysis analyzeStress(const RunSummary &summary, const StressLimits &limits)
{
    StressAnalysis a;
    a.loadIsRate = summary.openModel;
    for (const ThresholdResult &t : summary.thresholds)
        if (!t.passed)
            a.failedThresholds.append(t.expression);

    QList<Point> pts;
    for (const IntervalSample &s : summary.timeline) {
        if (s.overall.totals.requests <= 0 || s.intervalSec <= 0)
            continue;
        const double load =
            summary.openModel || s.activeVus <= 0 ? s.plannedTarget : double(s.activeVus);
        pts.append({s.index, s.tSec, load, s.throughputRps(), s.overall.latency.p95Ms,
                    s.overall.totals.errorRate(), topErrorClass(s.overall.totals)});
    }
    if (pts.size() < 4) {
        a.message = QStringLiteral("a stress analysis needs at least 4 intervals with requests, "
                                   "the run has %1")
                        .arg(pts.size());
        return a;
    }
    a.valid = true;

    // Early window: the reference for the default bound and for the linear trend.
    const int early = std::max(4, int(pts.size()) / 4);
    QList<double> earlyT, earlyP95;
    for (int i = 0; i < early && i < pts.size(); ++i) {
        earlyT.append(pts[i].tSec);
        earlyP95.append(pts[i].p95);
    }
    a.p95LimitMs =
        limits.p95LimitMs > 0 ? limits.p95LimitMs : std::max(1.0, 5.0 * median(earlyP95.mid(0, 3)));
    a.errorRateLimit = limits.errorRateLimit;

    // Highest throughput held for sustainIntervals consecutive intervals within the bounds.
    const int k = std::max(1, std::min(limits.sustainIntervals, int(pts.size())));
    auto within = [&a](const Point &p) {
        return p.p95 <= a.p95LimitMs && p.errorRate <= a.errorRateLimit;
    };
    for (qsizetype i = 0; i + k <= pts.size(); ++i) {
        double minRps = qInf();
        double loadSum = 0, p95Max = 0;
        bool ok = true;
        for (qsizetype j = i; j < i + k && ok; ++j) {
            ok = within(pts[j]) && pts[j].index == pts[i].index + int(j - i);
            minRps = std::min(minRps, pts[j].rps);
            loadSum += pts[j].load;
            p95Max = std::max(p95Max, pts[j].p95);
        }
        if (ok && minRps > a.maxSustainedRps) {
            a.maxSustainedRps = minRps;
            a.maxSustainedIndex = pts[i].index;
            a.maxSustainedLoad = loadSum / k;
            a.maxSustainedP95Ms = p95Max;
        }
    }
    if (a.maxSustainedIndex < 0)
        a.message = QStringLiteral("no %1 consecutive intervals stayed within p95 ≤ %2 ms and "
                                   "error rate ≤ %3 %")
                        .arg(k)
                        .arg(fmt(a.p95LimitMs))
                        .arg(fmt(100 * a.errorRateLimit, 2));

    // Knee: the first of two intervals in a row whose p95 is clearly above the early trend.
    const LinearFit trend = linearFit(earlyT, earlyP95);
    if (trend.n > 0) {
        auto above = [&trend](const Point &p) {
            const double expected = trend.at(p.tSec);
            const double tolerance =
                std::max({3.0 * trend.residualSd, 0.25 * std::abs(expected), 0.5});
            return p.p95 > expected + tolerance;
        };
        const QList<Point> rest = pts.mid(early);
        const int i = firstPersistent(rest, above);
        if (i >= 0 && i + 1 < rest.size()) {
            const Point &p = rest[i];
            a.kneeIndex = p.index;
            a.kneeTSec = p.tSec;
            a.kneeLoad = p.load;
            a.kneeRps = p.rps;
            a.kneeP95Ms = p.p95;
            a.kneeExpectedP95Ms = trend.at(p.tSec);
        }
    }

    // What failed first; errors win a tie, they are the harder failure.
    const int errIdx =
        firstPersistent(pts, [&a](const Point &p) { return p.errorRate > a.errorRateLimit; });
    const int latIdx = firstPersistent(pts, [&a](const Point &p) { return p.p95 > a.p95LimitMs; });
    const int first = errIdx < 0 ? latIdx : (latIdx < 0 ? errIdx : std::min(errIdx, latIdx));
    if (first >= 0) {
        const Point &p = pts[first];
        StressFailure &f = a.firstFailure;
        f.intervalIndex = p.index;
        f.tSec = p.tSec;
        f.load = p.load;
        const QString at =
            QStringLiteral(" at t=") + fmt(p.tSec, 0) + QStringLiteral(" s (") + fmt(p.load, 0) +
            (a.loadIsRate ? QStringLiteral(" iterations/s, ") : QStringLiteral(" VUs, ")) +
            fmt(p.rps) + QStringLiteral(" req/s)");
        if (first == errIdx) {
            f.metric = QStringLiteral("errorRate");
            f.value = p.errorRate;
            f.limit = a.errorRateLimit;
            f.errorClass = p.topErrorClass;
            f.description =
                QStringLiteral("error rate ") + fmt(100 * p.errorRate, 2) +
                QStringLiteral(" % exceeded ") +
                (limits.errorRateSource.isEmpty()
                     ? fmt(100 * a.errorRateLimit, 2) + QStringLiteral(" %")
                     : limits.errorRateSource) +
                at +
                (f.errorClass.isEmpty() ? QString() : QStringLiteral(", mostly ") + f.errorClass);
        } else {
            f.metric = QStringLiteral("p95");
            f.value = p.p95;
            f.limit = a.p95LimitMs;
            f.description = QStringLiteral("p95 ") + fmt(p.p95) + QStringLiteral(" ms exceeded ") +
                            (limits.p95Source.isEmpty() ? fmt(a.p95LimitMs) + QStringLiteral(" ms")
                                                        : limits.p95Source) +
                            at;
        }
    }

    // USL over load levels: VUs for closed models, Little's law L = λ·W for open ones.
    QList<QPair<double, double>> uslPoints;
    for (const LoadLevel &l : loadLevels(summary.timeline, summary.openModel)) {
        const double n = summary.openModel ? l.throughputRps * l.meanMs / 1000.0 : l.load;
        uslPoints.append({n, l.throughputRps});
    }
    a.usl = fitUsl(uslPoints);
    return a;
}

} // namespace loadscope
