#include "runbuilder.h"

#include <algorithm>

namespace loadscope {

namespace {

constexpr qint64 kSecondUs = 1'000'000;

qint64 floorDiv(qint64 a, qint64 b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

} // namespace

RunBuilder::RunBuilder() = default;

int RunBuilder::endpoint(std::string_view name)
{
    const auto it = m_index.find(name);
    if (it != m_index.end())
        return it->second;
    // A source that names every URL apart (ids in paths, no name tag) must not grow without
    // bound: past kMaxEndpoints the rest share one endpoint.
    if (m_summary.endpoints.size() >= kMaxEndpoints && name != kOtherEndpoints)
        return endpoint(kOtherEndpoints);
    m_names.emplace_back(name);
    const int index = int(m_summary.endpoints.size());
    m_index.emplace(std::string_view(m_names.back()), index);
    EndpointSummary summary;
    summary.name = QString::fromUtf8(name.data(), qsizetype(name.size()));
    // "GET /path" names carry the method and path, as our own endpoints do.
    const qsizetype space = summary.name.indexOf(QLatin1Char(' '));
    if (space > 0 && isHttpToken(summary.name.left(space).toLatin1())) {
        summary.method = summary.name.left(space);
        summary.path = summary.name.mid(space + 1);
    }
    m_summary.endpoints.append(summary);
    return index;
}

void RunBuilder::touch(qint64 atUs)
{
    if (m_firstUs == kUnset || atUs < m_firstUs)
        m_firstUs = atUs;
    if (m_lastUs == kUnset || atUs > m_lastUs)
        m_lastUs = atUs;
}

RunBuilder::Interval *RunBuilder::interval(qint64 atUs)
{
    touch(atUs);
    if (m_originUs == kUnset)
        m_originUs = atUs - atUs % kSecondUs; // whole seconds, as a person reads the chart
    const qint64 index = floorDiv(atUs - m_originUs, kSecondUs);
    if (m_closedBelow != kUnset && index < m_closedBelow) {
        ++m_late;
        return nullptr;
    }
    if (index == m_lastIndex)
        return m_lastInterval; // most lines fall in the interval of the one before
    if (m_maxIndex == kUnset || index > m_maxIndex) {
        m_maxIndex = index;
        closeBefore(index - kOpenSeconds);
    }
    m_lastIndex = index;
    const auto [it, created] = m_open.try_emplace(index);
    if (created && !m_spare.empty()) {
        it->second.endpoints = std::move(m_spare.back());
        m_spare.pop_back();
    }
    m_lastInterval = &it->second;
    return m_lastInterval;
}

void RunBuilder::closeBefore(qint64 index)
{
    while (!m_open.empty() && m_open.begin()->first < index) {
        if (m_open.begin()->first == m_lastIndex) {
            m_lastIndex = kUnset;
            m_lastInterval = nullptr;
        }
        auto node = m_open.extract(m_open.begin());
        closeInterval(node.key(), node.mapped());
        // Kept for a later interval (as many as are open at once, so memory stays bounded).
        std::vector<Accumulator> &endpoints = node.mapped().endpoints;
        for (Accumulator &acc : endpoints) {
            acc.totals = TrafficTotals();
            acc.duration.reset();
        }
        if (m_spare.size() < size_t(kOpenSeconds) + 2)
            m_spare.push_back(std::move(endpoints));
    }
    if (m_closedBelow == kUnset || index > m_closedBelow)
        m_closedBelow = index;
}

void RunBuilder::closeInterval(qint64 index, Interval &in)
{
    IntervalSample sample;
    LatencyHistogram &overall = m_overall;
    overall.reset();
    for (int e = 0; e < int(in.endpoints.size()); ++e) {
        Accumulator &acc = in.endpoints[size_t(e)];
        if (acc.totals.requests == 0 && acc.duration.isEmpty())
            continue;
        EndpointSample endpoint;
        endpoint.name = m_summary.endpoints[e].name;
        endpoint.totals = acc.totals;
        endpoint.latency = LatencyStats::fromHistogram(acc.duration);
        sample.endpoints.append(endpoint);
        sample.overall.totals.add(acc.totals);
        overall.merge(acc.duration);
    }
    sample.overall.totals.add(in.flow);
    sample.overall.latency = LatencyStats::fromHistogram(overall);
    sample.activeVus = std::max(0, in.vus);
    const QStringList &names = timingNames();
    for (int i = 0; i < kTimingCount; ++i) {
        if (in.timingCount[size_t(i)] > 0)
            sample.timingMeansMs.insert(names[i], in.timingSum[size_t(i)] /
                                                      double(in.timingCount[size_t(i)]) / 1000.0);
    }
    m_closed.emplace(index, std::move(sample));
}

namespace {

//! One request into @p totals: what TrafficTotals::add() of a one-request total does, without
//! its loop over every error class (this runs three times per line of a 10^7-line file).
inline void countOne(TrafficTotals &totals, ErrorClass error, qint64 bytesIn, qint64 bytesOut)
{
    ++totals.requests;
    if (error != ErrorClass::None) {
        ++totals.errors;
        ++totals.errorsByClass[size_t(error)];
    }
    totals.bytesIn += bytesIn;
    totals.bytesOut += bytesOut;
}

} // namespace

void RunBuilder::addRequest(qint64 startUs, int endpoint, qint64 durationUs, ErrorClass error,
                            qint64 bytesIn, qint64 bytesOut)
{
    touch(startUs);
    // data(): no detach check per line (the list is not shared while the builder runs).
    EndpointSummary &summary = m_summary.endpoints.data()[endpoint];
    countOne(summary.totals, error, bytesIn, bytesOut);
    countOne(m_summary.totals, error, bytesIn, bytesOut);
    // A source without a request time (an access log in the combined format) counts the
    // request but has no latency to record.
    const bool timed = durationUs >= 0;
    if (timed) {
        summary.duration.record(durationUs);
        m_summary.duration.record(durationUs);
    }
    // The interval of its end, as the engine counts a request when it completes.
    const qint64 endUs = startUs + std::max<qint64>(0, durationUs);
    while (m_endStepUs > 1 && endUs % m_endStepUs != 0)
        m_endStepUs /= 1000;
    if (Interval *in = interval(endUs)) {
        if (in->endpoints.size() <= size_t(endpoint))
            in->endpoints.resize(size_t(endpoint) + 1);
        Accumulator &acc = in->endpoints[size_t(endpoint)];
        countOne(acc.totals, error, bytesIn, bytesOut);
        if (timed)
            acc.duration.record(durationUs);
    }
}

void RunBuilder::addTiming(qint64 atUs, int timing, qint64 valueUs)
{
    if (timing < 0 || timing >= kTimingCount)
        return;
    m_timings[size_t(timing)].record(valueUs);
    if (Interval *in = interval(atUs)) {
        in->timingSum[size_t(timing)] += double(valueUs);
        ++in->timingCount[size_t(timing)];
    }
}

void RunBuilder::addVus(qint64 atUs, int vus)
{
    m_summary.maxVus = std::max(m_summary.maxVus, vus);
    if (Interval *in = interval(atUs))
        in->vus = std::max(in->vus, vus);
}

void RunBuilder::addCheck(qint64 atUs, bool passed)
{
    (passed ? m_summary.totals.checksPassed : m_summary.totals.checksFailed) += 1;
    if (Interval *in = interval(atUs))
        (passed ? in->flow.checksPassed : in->flow.checksFailed) += 1;
}

void RunBuilder::addBytes(qint64 atUs, qint64 bytesIn, qint64 bytesOut)
{
    m_summary.totals.bytesIn += bytesIn;
    m_summary.totals.bytesOut += bytesOut;
    if (Interval *in = interval(atUs)) {
        in->flow.bytesIn += bytesIn;
        in->flow.bytesOut += bytesOut;
    }
}

void RunBuilder::addIteration(qint64 atUs, qint64 durationUs)
{
    m_summary.totals.iterations += 1;
    m_summary.iterationDuration.record(durationUs);
    if (Interval *in = interval(atUs))
        in->flow.iterations += 1;
}

RunSummary RunBuilder::finish()
{
    closeBefore(std::numeric_limits<qint64>::max());
    const QStringList &names = timingNames();
    for (int i = 0; i < kTimingCount; ++i)
        m_summary.timings.insert(names[i], std::move(m_timings[size_t(i)]));
    RunSummary summary = std::move(m_summary);
    m_summary = RunSummary();
    summary.timings.removeIf([](const auto &timing) { return timing.value().isEmpty(); });
    if (m_firstUs == kUnset)
        return summary;
    summary.startedAt = QDateTime::fromMSecsSinceEpoch(m_firstUs / 1000, Qt::UTC);
    summary.endedAt = QDateTime::fromMSecsSinceEpoch(m_lastUs / 1000, Qt::UTC);
    summary.durationSec = double(m_lastUs - m_firstUs) / 1e6;
    if (m_closed.empty())
        return summary;
    // A gap-free timeline from the first interval to the last, as the engine emits one.
    const qint64 first = m_closed.begin()->first;
    const qint64 last = m_closed.rbegin()->first;
    for (qint64 index = first; index <= last; ++index) {
        const auto it = m_closed.find(index);
        IntervalSample sample = it != m_closed.end() ? std::move(it->second) : IntervalSample();
        sample.index = int(index - first);
        sample.tSec = double(index - first + 1);
        sample.intervalSec = 1;
        summary.timeline.append(std::move(sample));
    }
    m_closed.clear();
    // Seconds from the first interval's start to the last record; the last interval may be
    // short, but not shorter than the source's clock step: requests whose ends were logged in
    // whole seconds (nginx's $time_local, k6's CSV) ended somewhere in that last second, not at
    // its start (a 1 ms tail made its rate a thousand times too high and its time the same as
    // the interval's before it).
    const double covered = double(m_lastUs - (m_originUs + first * kSecondUs)) / 1e6;
    IntervalSample &tail = summary.timeline.last();
    if (covered > 0 && covered < tail.tSec) {
        // No request: only other records (VUs, bytes) say where the run ended, at their µs.
        const double step = summary.totals.requests > 0 ? double(m_endStepUs) / 1e6 : 1e-6;
        const double inLast = std::max({1e-3, step, covered - (tail.tSec - 1)});
        if (inLast < 1) {
            tail.intervalSec = inLast;
            tail.tSec += inLast - 1;
        }
    }
    return summary;
}

} // namespace loadscope
