#include "provisionalverdict.h"

#include <algorithm>
#include <cmath>

namespace loadscope {

namespace {

// Tolerance on "ended by then": interval ends are measured, so two runs' seconds differ by a
// few milliseconds.
constexpr double kSlackSec = 0.25;

//! Adds @p stats' requests to @p histogram as a distribution through its percentiles: each
//! band's share of the requests at the band's upper percentile.
void addThroughPercentiles(LatencyHistogram &histogram, const LatencyStats &stats)
{
    if (stats.count <= 0)
        return;
    const bool hasP999 = stats.p999Ms > 0;
    const std::pair<double, double> bands[] = {{stats.p50Ms, 0.50},
                                               {stats.p90Ms, 0.40},
                                               {stats.p95Ms, 0.05},
                                               {stats.p99Ms, 0.04},
                                               {hasP999 ? stats.p999Ms : stats.maxMs, 0.009},
                                               {stats.maxMs, 0.001}};
    qint64 given = 0;
    double cumulative = 0;
    for (const auto &[ms, share] : bands) {
        cumulative += share;
        // Cumulative rounding, so the counts add up to the interval's exactly.
        const qint64 upTo = std::llround(cumulative * double(stats.count));
        const qint64 n = std::min(stats.count, upTo) - given;
        if (n > 0)
            histogram.recordN(std::max<qint64>(1, std::llround(ms * 1000.0)), n);
        given += std::max<qint64>(0, n);
    }
    if (given < stats.count)
        histogram.recordN(std::max<qint64>(1, std::llround(stats.maxMs * 1000.0)),
                          stats.count - given);
}

} // namespace

void addIntervalToSummary(RunSummary &s, const IntervalSample &i)
{
    s.timeline.append(i);
    s.durationSec += i.intervalSec > 0 ? i.intervalSec : 1.0;
    s.totals.add(i.overall.totals);
    s.maxVus = std::max(s.maxVus, i.activeVus);
    addThroughPercentiles(s.duration, i.overall.latency);
    for (const EndpointSample &e : i.endpoints) {
        auto it = std::find_if(s.endpoints.begin(), s.endpoints.end(),
                               [&e](const EndpointSummary &known) { return known.name == e.name; });
        if (it == s.endpoints.end()) {
            EndpointSummary endpoint;
            endpoint.name = e.name;
            s.endpoints.append(endpoint);
            it = s.endpoints.end() - 1;
        }
        it->totals.add(e.totals);
        addThroughPercentiles(it->duration, e.latency);
    }
}

RunSummary summaryOfIntervals(const QList<IntervalSample> &timeline, double untilSec)
{
    RunSummary s;
    s.status = ResultStatus::Completed;
    for (const IntervalSample &i : timeline) {
        if (i.tSec > untilSec + kSlackSec)
            break;
        addIntervalToSummary(s, i);
    }
    return s;
}

RunComparison provisionalComparison(const RunForComparison &baseline,
                                    const RunForComparison &candidateSoFar,
                                    const ComparisonOptions &options,
                                    const QList<QJsonObject> &earlierRuns)
{
    const double until =
        candidateSoFar.summary.timeline.isEmpty() ? 0 : candidateSoFar.summary.timeline.last().tSec;
    RunForComparison base = baseline;
    base.summary = summaryOfIntervals(baseline.summary.timeline, until);
    RunForComparison cand = candidateSoFar;
    cand.summary = summaryOfIntervals(candidateSoFar.summary.timeline, until);
    return compareRuns(base, {cand}, options, earlierRuns);
}

const IntervalSample *intervalAt(const QList<IntervalSample> &timeline, double tSec)
{
    const IntervalSample *best = nullptr;
    for (const IntervalSample &i : timeline) {
        const double half = 0.5 * (i.intervalSec > 0 ? i.intervalSec : 1.0);
        if (std::abs(i.tSec - tSec) <= half &&
            (!best || std::abs(i.tSec - tSec) < std::abs(best->tSec - tSec)))
            best = &i;
    }
    return best;
}

} // namespace loadscope
