#pragma once

#include <array>
#include <deque>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/httptypes.h"
#include "metrics/runmetrics.h"

namespace loadscope {

//! Builds the RunSummary of a per-request source (k6, JMeter) the way the engine builds ours:
//! latencies into HDR histograms per 1 s interval, per endpoint and overall, and whole-run
//! histograms beside them.
//!
//! Memory is bounded: intervals are kept open only while they are within kOpenSeconds (15 s) of the
//! latest timestamp seen (files are written roughly in time order, JMeter's by end time), then
//! folded into the timeline as values. A record older than that still counts in the whole-run
//! figures and is counted in lateRecords().
class RunBuilder
{
public:
    static constexpr qint64 kOpenSeconds = 15;
    //! Timing slots, timingNames() order (blocked, connecting, tls_handshaking, sending,
    //! waiting, receiving).
    static constexpr int kTimingCount = 6;
    //! Endpoints kept apart; the ones after share kOtherEndpoints.
    static constexpr int kMaxEndpoints = 1000;
    static constexpr std::string_view kOtherEndpoints = "(other endpoints)";

    RunBuilder();

    //! The index of endpoint @p name, created on first use (no allocation once it exists).
    int endpoint(std::string_view name);
    //! One request started at @p startUs (µs since the epoch) that took @p durationUs (-1: the
    //! source does not say; counted without a latency).
    void addRequest(qint64 startUs, int endpoint, qint64 durationUs, ErrorClass error,
                    qint64 bytesIn = 0, qint64 bytesOut = 0);
    //! One timing of the breakdown (index into timingNames()).
    void addTiming(qint64 atUs, int timing, qint64 valueUs);
    void addVus(qint64 atUs, int vus);
    void addCheck(qint64 atUs, bool passed);
    void addBytes(qint64 atUs, qint64 bytesIn, qint64 bytesOut);
    void addIteration(qint64 atUs, qint64 durationUs);
    //! A point in time the run covered (e.g. a JMeter sample's end), for start/end/duration.
    void touch(qint64 atUs);

    qint64 requests() const { return m_summary.totals.requests; }
    qint64 lateRecords() const { return m_late; }
    bool isEmpty() const { return m_firstUs == kUnset; }
    //! Microseconds since the epoch of the earliest and latest record (meaningless when empty).
    qint64 firstUs() const { return m_firstUs; }
    qint64 lastUs() const { return m_lastUs; }
    //! The longest span finish() turns into a gap-free 1 s timeline: a week, ~440 bytes per
    //! second even where nothing happened. A longer span is a bad timestamp or a file to split.
    static constexpr qint64 kMaxTimelineSeconds = 7 * 24 * 3600;

    //! The run: timeline, totals, whole-run histograms, start/end/duration from the timestamps.
    RunSummary finish();

private:
    static constexpr qint64 kUnset = std::numeric_limits<qint64>::min();
    struct Accumulator
    {
        TrafficTotals totals;
        LatencyHistogram duration;
    };
    struct Interval
    {
        std::vector<Accumulator> endpoints;
        TrafficTotals flow; //!< bytes, checks, iterations not tied to an endpoint
        std::array<double, kTimingCount> timingSum{};
        std::array<qint64, kTimingCount> timingCount{};
        int vus = -1;
    };

    Interval *interval(qint64 atUs);
    void closeBefore(qint64 index);
    void closeInterval(qint64 index, Interval &interval);

    RunSummary m_summary;
    //! The whole-run timing histograms, timingNames() order, into m_summary.timings at finish()
    //! (no QMap lookup by name per record).
    std::array<LatencyHistogram, kTimingCount> m_timings;
    //! Endpoint accumulators of closed intervals, reset, for the next interval to reuse: no
    //! allocation and growth of the histograms' counts per interval.
    std::vector<std::vector<Accumulator>> m_spare;
    LatencyHistogram m_overall; //!< closeInterval()'s sum of the endpoints, reused
    std::deque<std::string> m_names;
    std::unordered_map<std::string_view, int> m_index;
    std::map<qint64, Interval> m_open;
    std::map<qint64, IntervalSample> m_closed;
    qint64 m_originUs = kUnset; //!< start of interval 0
    qint64 m_firstUs = kUnset;
    qint64 m_lastUs = kUnset;
    //! The coarsest clock step (1 s, 1 ms or 1 µs) every request's end is a multiple of: a
    //! source that logs whole seconds cannot say where in its last second the run ended.
    qint64 m_endStepUs = 1'000'000;
    qint64 m_maxIndex = kUnset;
    qint64 m_closedBelow = kUnset; //!< every interval below this index is closed
    qint64 m_late = 0;
    qint64 m_lastIndex = kUnset;        //!< the interval interval() returned last ...
    Interval *m_lastInterval = nullptr; //!< ... (std::map nodes do not move while open)
};

} // namespace loadscope
