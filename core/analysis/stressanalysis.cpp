#include "stressanalysis.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include <QJsonArray>
#include <QRegularExpression>

#include "analysis/statistics.h"

namespace loadscope {
namespace {

// One full interval with requests, with the planned load at its start and end.
struct Slice
{
    int index = 0;
    double tSec = 0;
    double load = 0;         // planned at the end of the interval
    double offered = 0;      // mean of the planned load at its start and end
    double offeredFloor = 0; // the lower of the two
    bool steady = false;
    double rps = 0;
    double iterationRps = 0;
    double p95 = 0;
    double meanMs = 0;
    qint64 requests = 0;
    qint64 errors = 0;
    double errorRate = 0;
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

bool sameLoad(double a, double b)
{
    return std::abs(a - b) <= 0.02 * std::max(a, b);
}

// Intervals with requests and a positive planned load, without the short last interval: its
// rate is noisy and its planned load reads 0. The planned load of the interval before gives
// this one's start, so an interval is steady when the plan did not move during it.
QList<Slice> slicesOf(const QList<IntervalSample> &timeline, bool openModel)
{
    QList<double> lengths;
    for (const IntervalSample &s : timeline)
        if (s.intervalSec > 0)
            lengths.append(s.intervalSec);
    const double fullSec = median(lengths);
    QList<Slice> out;
    double previous = -1;
    for (const IntervalSample &s : timeline) {
        const double load =
            openModel || s.plannedTarget > 0 ? s.plannedTarget : double(s.activeVus);
        const double start = previous;
        previous = load;
        const TrafficTotals &t = s.overall.totals;
        if (t.requests <= 0 || s.intervalSec < 0.5 * fullSec || load <= 0)
            continue;
        Slice slice;
        slice.index = s.index;
        slice.tSec = s.tSec;
        slice.load = load;
        slice.steady = start >= 0 && sameLoad(start, load);
        slice.offered = start >= 0 ? (start + load) / 2 : load;
        slice.offeredFloor = start >= 0 ? std::min(start, load) : load;
        slice.rps = s.throughputRps();
        slice.iterationRps = double(t.iterations) / s.intervalSec;
        slice.p95 = s.overall.latency.p95Ms;
        slice.meanMs = s.overall.latency.meanMs;
        slice.requests = t.requests;
        slice.errors = t.errors;
        slice.errorRate = t.errorRate();
        slice.topErrorClass = topErrorClass(t);
        out.append(slice);
    }
    return out;
}

// Consecutive steady slices at one load form a level (its first interval left out as settling
// when three or more remain); a ramping slice is a level of its own.
QList<QList<Slice>> groupsOf(const QList<Slice> &slices)
{
    QList<QList<Slice>> groups;
    for (const Slice &s : slices) {
        if (!groups.isEmpty()) {
            QList<Slice> &g = groups.last();
            if (s.steady && g.last().steady && sameLoad(g.last().load, s.load) &&
                s.index == g.last().index + 1) {
                g.append(s);
                continue;
            }
        }
        groups.append({s});
    }
    for (QList<Slice> &g : groups)
        if (g.size() >= 3)
            g.removeFirst();
    return groups;
}

StressLevel levelOf(const QList<Slice> &g)
{
    StressLevel l;
    l.load = g.first().load;
    l.steady = g.first().steady;
    l.offered = l.steady ? l.load : g.first().offered;
    l.offeredFloor = l.steady ? l.load : g.first().offeredFloor;
    l.firstIndex = g.first().index;
    l.intervals = int(g.size());
    qint64 requests = 0, errors = 0;
    double sumMs = 0;
    for (const Slice &s : g) {
        l.throughputRps += s.rps / double(g.size());
        l.iterationRps += s.iterationRps / double(g.size());
        l.p95Ms = std::max(l.p95Ms, s.p95);
        sumMs += s.meanMs * double(s.requests);
        requests += s.requests;
        errors += s.errors;
    }
    l.meanMs = requests > 0 ? sumMs / double(requests) : 0;
    l.errorRate = requests > 0 ? double(errors) / double(requests) : 0;
    return l;
}

// First index of a run of two failing points (or a failing last point), −1 if none.
int firstPersistent(const QList<Slice> &pts, const std::function<bool(const Slice &)> &fails)
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

QJsonObject StressLevel::toJson() const
{
    return QJsonObject{{QStringLiteral("load"), load},
                       {QStringLiteral("offered"), offered},
                       {QStringLiteral("offeredFloor"), offeredFloor},
                       {QStringLiteral("steady"), steady},
                       {QStringLiteral("interval"), firstIndex},
                       {QStringLiteral("intervals"), intervals},
                       {QStringLiteral("throughputRps"), throughputRps},
                       {QStringLiteral("iterationRps"), iterationRps},
                       {QStringLiteral("p95Ms"), p95Ms},
                       {QStringLiteral("meanMs"), meanMs},
                       {QStringLiteral("errorRate"), errorRate},
                       {QStringLiteral("sustained"), sustained}};
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
    QJsonArray levelArray;
    for (const StressLevel &l : levels)
        levelArray.append(l.toJson());
    const QString unit = loadIsRate ? QStringLiteral("iterations/s") : QStringLiteral("vus");
    QJsonObject json{
        {QStringLiteral("valid"), valid},
        {QStringLiteral("message"), message},
        {QStringLiteral("loadUnit"), unit},
        {QStringLiteral("p95LimitMs"), p95LimitMs},
        {QStringLiteral("errorRateLimit"), errorRateLimit},
        {QStringLiteral("firstFailure"), failure.isEmpty() ? QJsonValue() : QJsonValue(failure)},
        {QStringLiteral("failedThresholds"), QJsonArray::fromStringList(failedThresholds)},
        {QStringLiteral("band"), QJsonObject{{QStringLiteral("medianP95Ms"), bandMedianP95Ms},
                                             {QStringLiteral("madP95Ms"), bandMadP95Ms},
                                             {QStringLiteral("errorRate"), bandErrorRate},
                                             {QStringLiteral("maxLoad"), bandMaxLoad},
                                             {QStringLiteral("intervals"), bandIntervals},
                                             {QStringLiteral("kneeLimitMs"), kneeLimitMs}}},
        {QStringLiteral("rules"), QJsonObject{{QStringLiteral("knee"), kneeRule},
                                              {QStringLiteral("sustained"), sustainedRule}}},
        {QStringLiteral("levels"), levelArray},
        {QStringLiteral("usl"), usl.toJson()}};
    if (maxSustainedIndex >= 0) {
        const QString description =
            QStringLiteral("%1 req/s at %2 %3%4, p95 %5 ms")
                .arg(fmt(maxSustainedRps),
                     fmt(loadIsRate ? maxSustainedOffered : maxSustainedLoad, 0), unit,
                     loadIsRate ? QStringLiteral(" offered") : QString(), fmt(maxSustainedP95Ms));
        json.insert(QStringLiteral("maxSustained"),
                    QJsonObject{{QStringLiteral("throughputRps"), maxSustainedRps},
                                {QStringLiteral("interval"), maxSustainedIndex},
                                {QStringLiteral("load"), maxSustainedLoad},
                                {QStringLiteral("offered"), maxSustainedOffered},
                                {QStringLiteral("p95Ms"), maxSustainedP95Ms},
                                {QStringLiteral("description"), description}});
    }
    if (kneeIndex >= 0) {
        const QString what =
            kneeMetric == QLatin1String("p95")
                ? QStringLiteral("p95 %1 ms left the low-load band (%2 ms, limit %3 ms)")
                      .arg(fmt(kneeP95Ms), fmt(bandMedianP95Ms), fmt(kneeLimitMs))
                : QStringLiteral("error rate %1 % left the low-load band (%2 %)")
                      .arg(fmt(100 * kneeErrorRate, 2), fmt(100 * bandErrorRate, 2));
        const QString description =
            QStringLiteral("%1 at %2 %3, %4 req/s (t=%5 s)")
                .arg(what, fmt(kneeLoad, 0), unit, fmt(kneeRps), fmt(kneeTSec, 1));
        json.insert(QStringLiteral("knee"),
                    QJsonObject{{QStringLiteral("interval"), kneeIndex},
                                {QStringLiteral("metric"), kneeMetric},
                                {QStringLiteral("t"), kneeTSec},
                                {QStringLiteral("load"), kneeLoad},
                                {QStringLiteral("offered"), kneeOffered},
                                {QStringLiteral("throughputRps"), kneeRps},
                                {QStringLiteral("p95Ms"), kneeP95Ms},
                                {QStringLiteral("errorRate"), kneeErrorRate},
                                {QStringLiteral("expectedP95Ms"), kneeExpectedP95Ms},
                                {QStringLiteral("limitMs"), kneeLimitMs},
                                {QStringLiteral("description"), description}});
    }
    return json;
}

QList<StressLevel> stressLevels(const QList<IntervalSample> &timeline, bool openModel)
{
    QList<StressLevel> levels;
    for (const QList<Slice> &g : groupsOf(slicesOf(timeline, openModel)))
        levels.append(levelOf(g));
    return levels;
}

StressAnalysis analyzeStress(const RunSummary &summary, const StressLimits &limits)
{
    StressAnalysis a;
    a.loadIsRate = summary.openModel;
    for (const ThresholdResult &t : summary.thresholds)
        if (!t.passed)
            a.failedThresholds.append(t.expression);

    const QList<Slice> pts = slicesOf(summary.timeline, summary.openModel);
    if (pts.size() < 4) {
        a.message = QStringLiteral("a stress analysis needs at least 4 intervals with requests, "
                                   "the run has %1")
                        .arg(pts.size());
        return a;
    }
    a.valid = true;
    const QList<QList<Slice>> groups = groupsOf(pts);
    for (const QList<Slice> &g : groups)
        a.levels.append(levelOf(g));

    // Low-load band: the lowest levels (steady ones when there are any), at least one, more
    // until there are 4 intervals, at most a third of the levels.
    QList<int> order;
    for (int i = 0; i < groups.size(); ++i)
        order.append(i);
    const bool anySteady = std::any_of(a.levels.cbegin(), a.levels.cend(),
                                       [](const StressLevel &l) { return l.steady; });
    if (anySteady)
        order.removeIf([&a](int i) { return !a.levels[i].steady; });
    std::stable_sort(order.begin(), order.end(),
                     [&a](int x, int y) { return a.levels[x].load < a.levels[y].load; });
    const int maxBandLevels = std::max(1, int(order.size()) / 3);
    QList<double> bandP95;
    qint64 bandRequests = 0, bandErrors = 0;
    for (int taken = 0; taken < order.size(); ++taken) {
        if (taken >= 1 && (bandP95.size() >= 4 || taken >= maxBandLevels))
            break;
        for (const Slice &s : groups[order[taken]]) {
            bandP95.append(s.p95);
            bandRequests += s.requests;
            bandErrors += s.errors;
        }
        a.bandMaxLoad = std::max(a.bandMaxLoad, a.levels[order[taken]].load);
    }
    a.bandIntervals = int(bandP95.size());
    a.bandMedianP95Ms = median(bandP95);
    a.bandMadP95Ms = mad(bandP95);
    a.bandErrorRate = bandRequests > 0 ? double(bandErrors) / double(bandRequests) : 0;
    a.kneeLimitMs =
        a.bandMedianP95Ms + std::max({StressAnalysis::kKneeMadFactor * 1.4826 * a.bandMadP95Ms,
                                      StressAnalysis::kKneeRelativeFloor * a.bandMedianP95Ms,
                                      StressAnalysis::kKneeAbsoluteFloorMs});
    const double kneeErrorLimit = a.bandErrorRate + StressAnalysis::kKneeErrorFloor;

    a.p95LimitMs =
        limits.p95LimitMs > 0 ? limits.p95LimitMs : std::max(1.0, 5.0 * a.bandMedianP95Ms);
    a.errorRateLimit = limits.errorRateLimit;
    const QString unit = a.loadIsRate ? QStringLiteral("iterations/s") : QStringLiteral("VUs");
    a.kneeRule =
        QStringLiteral("knee: the first load level above the low-load band's loads (≤ %1 %2) "
                       "whose median interval p95 > median + max(4 × 1.4826 × MAD, median, 2 ms) "
                       "= %3 ms (band: median %4 ms, MAD %5 ms over %6 intervals) or whose error "
                       "rate > %7 % (band + 1 %), over 2 intervals or more, with no level at "
                       "that load or higher back inside the band")
            .arg(fmt(a.bandMaxLoad, 0), unit, fmt(a.kneeLimitMs, 2), fmt(a.bandMedianP95Ms, 2),
                 fmt(a.bandMadP95Ms, 2))
            .arg(a.bandIntervals)
            .arg(fmt(100 * kneeErrorLimit, 2));
    a.sustainedRule =
        QStringLiteral("sustained: a load level whose worst interval p95 ≤ %1 and error rate ≤ "
                       "%2%3; the maximum is the highest throughput among them")
            .arg(limits.p95Source.isEmpty() ? fmt(a.p95LimitMs) + QStringLiteral(" ms")
                                            : limits.p95Source,
                 limits.errorRateSource.isEmpty()
                     ? fmt(100 * a.errorRateLimit, 2) + QStringLiteral(" %")
                     : limits.errorRateSource,
                 a.loadIsRate ? QStringLiteral(", and whose completed iterations reach 95 % of "
                                               "the offered rate (of a ramp's lower end)")
                              : QString());

    // Knee: the band is the reference, so only loads above it can leave it. A level is out of
    // the band by the median of its intervals' p95 (one stalled interval does not move it) or by
    // its error rate; the knee is where the run leaves the band for good, so a transient at a
    // lower load that later loads recover from is not one.
    QList<bool> out;
    for (qsizetype i = 0; i < groups.size(); ++i) {
        QList<double> p95s;
        for (const Slice &s : groups[i])
            p95s.append(s.p95);
        out.append(median(p95s) > a.kneeLimitMs || a.levels[i].errorRate > kneeErrorLimit);
    }
    for (qsizetype i = 0; i < groups.size(); ++i) {
        const StressLevel &l = a.levels[i];
        if (l.load <= a.bandMaxLoad * 1.02 || !out[i])
            continue;
        // Held for two intervals: the level's own, or a one-interval level and the next.
        if (groups[i].size() < 2 && (i + 1 == groups.size() || !out[i + 1]))
            continue;
        bool forGood = true;
        for (qsizetype j = i + 1; j < groups.size() && forGood; ++j)
            forGood = out[j] || a.levels[j].load < 0.98 * l.load;
        if (!forGood)
            continue;
        QList<double> p95s;
        for (const Slice &s : groups[i])
            p95s.append(s.p95);
        const Slice &s = groups[i].first();
        a.kneeIndex = s.index;
        a.kneeMetric =
            median(p95s) > a.kneeLimitMs ? QStringLiteral("p95") : QStringLiteral("errorRate");
        a.kneeTSec = s.tSec;
        a.kneeLoad = l.load;
        a.kneeOffered = l.offered;
        a.kneeRps = l.throughputRps;
        a.kneeP95Ms = median(p95s);
        a.kneeErrorRate = l.errorRate;
        a.kneeExpectedP95Ms = a.bandMedianP95Ms;
        break;
    }

    // Sustained levels; no level the run held within the bounds is ever below the maximum.
    bool anyIterations = false;
    for (const Slice &s : pts)
        anyIterations = anyIterations || s.iterationRps > 0;
    for (StressLevel &l : a.levels) {
        // Imported runs may not count iterations; one request per iteration is then assumed.
        const double completed = anyIterations ? l.iterationRps : l.throughputRps;
        const bool met =
            !a.loadIsRate || completed >= StressAnalysis::kMetOfferedShare * l.offeredFloor;
        l.sustained = met && l.p95Ms <= a.p95LimitMs && l.errorRate <= a.errorRateLimit;
        if (l.sustained && l.throughputRps > a.maxSustainedRps) {
            a.maxSustainedRps = l.throughputRps;
            a.maxSustainedIndex = l.firstIndex;
            a.maxSustainedLoad = l.load;
            a.maxSustainedOffered = l.offered;
            a.maxSustainedP95Ms = l.p95Ms;
        }
    }
    if (a.maxSustainedIndex < 0)
        a.message =
            QStringLiteral("no load level stayed within p95 ≤ %1 ms and error rate ≤ "
                           "%2 %")
                .arg(fmt(a.p95LimitMs), fmt(100 * a.errorRateLimit, 2)) +
            (a.loadIsRate ? QStringLiteral(" while meeting 95 % of the offered rate") : QString());

    // What failed first; errors win a tie, they are the harder failure.
    const int errIdx =
        firstPersistent(pts, [&a](const Slice &p) { return p.errorRate > a.errorRateLimit; });
    const int latIdx = firstPersistent(pts, [&a](const Slice &p) { return p.p95 > a.p95LimitMs; });
    const int first = errIdx < 0 ? latIdx : (latIdx < 0 ? errIdx : std::min(errIdx, latIdx));
    if (first >= 0) {
        const Slice &p = pts[first];
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

    // USL over steady levels only (a ramping interval is no steady state): VUs for closed
    // models, Little's law L = X·W for open ones; X counts successful requests, since fast
    // rejections past a limit would otherwise read as scaling.
    QList<QPair<double, double>> uslPoints;
    for (const StressLevel &l : a.levels)
        if (l.steady)
            uslPoints.append({a.loadIsRate ? l.throughputRps * l.meanMs / 1000.0 : l.load,
                              l.throughputRps * (1.0 - l.errorRate)});
    a.usl = fitUsl(uslPoints);
    return a;
}

} // namespace loadscope
