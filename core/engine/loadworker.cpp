#include "loadworker.h"

#include <algorithm>
#include <cmath>
#include <ctime>

#include <QTimer>

#include "engine/httpconnection.h"
#include "engine/leanhttp2transport.h"
#include "engine/qnamtransport.h"
#include "engine/servertiming.h"
#include "engine/steadyclock.h"

namespace loadscope {
namespace {

constexpr qint64 kMsNs = 1000000;
constexpr int kControlTickMs = 50;
//! A VU whose connection failed waits this long before its next iteration, so a dead target
//! is not hammered in a tight loop of refused connections.
constexpr qint64 kConnectFailurePauseMs = 50;
//! At most this many arrivals wait for a free VU (8 MB of start times).
constexpr size_t kMaxBacklog = 1000000;
//! An arrival due within this much is started now rather than after another timer round.
constexpr qint64 kArrivalSlackNs = 200'000;

bool isTransportError(ErrorClass error)
{
    switch (error) {
    case ErrorClass::Connect:
    case ErrorClass::Dns:
    case ErrorClass::Timeout:
    case ErrorClass::Tls:
    case ErrorClass::Reset:
    case ErrorClass::Protocol:
        return true;
    default:
        return false;
    }
}

} // namespace

LoadWorker::LoadWorker(WorkerSetup setup, QObject *parent)
    : QObject(parent)
    , m_setup(std::move(setup))
{
    m_open = isOpenModel(m_setup.load.executor);
    m_acc.worker = m_setup.index;
    m_acc.endpoints.resize(m_setup.endpointCount);
}

LoadWorker::~LoadWorker() = default;

int LoadWorker::share(qint64 total) const
{
    // The segment's share of the plan's count, then this worker's share of the segment's: both
    // striped, so that every worker of every agent adds up to the plan's count.
    const qint64 own = m_setup.segment.share(total);
    const qint64 base = own / m_setup.count;
    return int(base + (m_setup.index < own % m_setup.count ? 1 : 0));
}

void LoadWorker::begin()
{
    if (m_setup.useQnam) {
        QnamTransport::Options options;
        options.requestTimeoutMs = int(std::min<qint64>(m_setup.timeouts.requestMs, 1 << 30));
        options.hostHeader = m_setup.hostHeader;
        options.insecureSkipVerify = m_setup.insecureSkipVerify;
        options.http2 = m_setup.http2;
        options.proxy = m_setup.proxy;
        m_transport = std::make_unique<QnamTransport>(m_setup.target, options);
    } else if (m_setup.leanHttp2) {
        LeanHttp2Transport::Options options;
        options.connectTimeoutMs = int(std::min<qint64>(m_setup.timeouts.connectMs, 1 << 30));
        options.requestTimeoutMs = int(std::min<qint64>(m_setup.timeouts.requestMs, 1 << 30));
        options.hostHeader = m_setup.hostHeader;
        options.insecureSkipVerify = m_setup.insecureSkipVerify;
        options.maxHeaderBytes = m_setup.maxHeaderBytes;
        options.connections =
            m_setup.http2Connections > 0 ? std::max(1, share(m_setup.http2Connections)) : 0;
        options.maxStreams = m_setup.http2MaxStreams;
        options.fallbackToHttp1 = m_setup.http2Fallback;
        m_transport = std::make_unique<LeanHttp2Transport>(m_setup.target, options);
    } else {
        m_defaultProtocol = HttpProtocol::Http11;
        LeanHttpTransport::Options options;
        options.connectTimeoutMs = int(std::min<qint64>(m_setup.timeouts.connectMs, 1 << 30));
        options.requestTimeoutMs = int(std::min<qint64>(m_setup.timeouts.requestMs, 1 << 30));
        options.hostHeader = m_setup.hostHeader;
        options.insecureSkipVerify = m_setup.insecureSkipVerify;
        options.maxHeaderBytes = m_setup.maxHeaderBytes;
        m_transport = std::make_unique<LeanHttpTransport>(m_setup.target, options);
    }
    for (CompiledStep &step : m_setup.steps) {
        m_needsVariables = m_needsVariables || step.templated || !step.step.extractions.isEmpty();
        if (!step.templated)
            step.prepared = m_transport->prepare(step.requestFor(m_setup.variables));
    }

    m_wakeTimer = new QTimer(this);
    m_wakeTimer->setSingleShot(true);
    m_wakeTimer->setTimerType(Qt::PreciseTimer);
    connect(m_wakeTimer, &QTimer::timeout, this, &LoadWorker::onWakeTimer);

    if (m_open) {
        m_maxVus = std::max(1, share(m_setup.load.maxVus));
        for (int i = 0; i < share(m_setup.load.preAllocatedVus); ++i)
            m_idle.push_back(newVu().id);
        m_arrivalTimer = new QTimer(this);
        m_arrivalTimer->setSingleShot(true);
        m_arrivalTimer->setTimerType(Qt::PreciseTimer);
        connect(m_arrivalTimer, &QTimer::timeout, this, &LoadWorker::onArrivalTimer);
        // Position on this worker's first arrival of the global schedule.
        m_nextArrivalMs = nextArrivalMs(-1);
        while (m_nextArrivalMs >= 0 && m_arrivalIndex % arrivalStride() != arrivalOffset()) {
            m_nextArrivalMs = nextArrivalMs(m_nextArrivalMs);
            ++m_arrivalIndex;
        }
        onArrivalTimer();
    } else {
        m_controlTimer = new QTimer(this);
        m_controlTimer->setTimerType(Qt::PreciseTimer);
        connect(m_controlTimer, &QTimer::timeout, this, &LoadWorker::onControlTick);
        m_controlTimer->start(kControlTickMs);
        onControlTick();
    }
}

LoadWorker::Vu &LoadWorker::newVu()
{
    auto vu = std::make_unique<Vu>();
    vu->id = int(m_vus.size());
    vu->connection = m_transport->createConnection();
    m_vus.push_back(std::move(vu));
    return *m_vus.back();
}

// ---- closed model -------------------------------------------------------------------------

void LoadWorker::onControlTick()
{
    if (m_stopping)
        return;
    const qint64 now = steadyNowNs();
    const qint64 elapsedMs = (now - m_setup.startNs) / kMsNs;
    const LoadModel &load = m_setup.load;
    int total = 0;
    if (elapsedMs < load.totalDurationMs()) {
        total = load.executor == Executor::RampingVus ? int(std::lround(load.targetAt(elapsedMs)))
                                                      : load.vus;
    }
    const int target = share(total);

    // Ramp up: reuse VUs that were ramping down, then idle ones, then new ones.
    for (auto &vu : m_vus) {
        if (m_activeTarget >= target)
            break;
        if (vu->active && vu->stopping) {
            vu->stopping = false;
            ++m_activeTarget;
        }
    }
    for (auto &vu : m_vus) {
        if (m_activeTarget >= target)
            break;
        if (!vu->active) {
            vu->active = true;
            ++m_activeTarget;
            startIteration(*vu);
        }
    }
    while (m_activeTarget < target) {
        Vu &vu = newVu();
        vu.active = true;
        ++m_activeTarget;
        startIteration(vu);
    }
    // Ramp down gracefully: the newest VUs finish their iteration, within gracefulRampDown.
    for (auto it = m_vus.rbegin(); it != m_vus.rend() && m_activeTarget > target; ++it) {
        Vu &vu = **it;
        if (vu.active && !vu.stopping) {
            vu.stopping = true;
            vu.stopDeadlineNs = now + load.gracefulRampDownMs * kMsNs;
            --m_activeTarget;
        }
    }
    for (auto &vu : m_vus) {
        if (vu->active && vu->stopping && now >= vu->stopDeadlineNs) {
            vu->connection->abort(); // interrupted: no callback, the iteration is not counted
            ++vu->wakeGeneration;
            vu->running = false;
            vu->active = false;
            vu->stopping = false;
        }
    }
}

// ---- open model ---------------------------------------------------------------------------

double LoadWorker::nextArrivalMs(double fromMs) const
{
    const LoadModel &load = m_setup.load;
    const double endMs = double(load.totalDurationMs());
    double t = fromMs < 0 ? 0.0 : fromMs;
    const auto ratePerMs = [&load](double at) {
        const double perUnit =
            load.executor == Executor::ConstantArrivalRate ? load.rate : load.targetAt(qint64(at));
        return perUnit / double(std::max<qint64>(1, load.timeUnitMs));
    };
    if (fromMs >= 0) {
        double rate = ratePerMs(t);
        // Skip spans where the rate is zero (e.g. a ramp starting at 0) in small steps.
        while (rate <= 0 && t < endMs) {
            t += 1.0;
            rate = ratePerMs(t);
        }
        if (rate <= 0)
            return -1;
        // Integrate over the interval with the rate at its midpoint, so ramps stay accurate.
        const double first = 1.0 / rate;
        const double mid = ratePerMs(t + first / 2);
        t += mid > 0 ? 1.0 / mid : first;
    } else {
        while (ratePerMs(t) <= 0 && t < endMs)
            t += 1.0;
    }
    return t < endMs ? t : -1;
}

void LoadWorker::onArrivalTimer()
{
    if (m_stopping)
        return;
    const qint64 now = steadyNowNs();
    dropStaleArrivals(now);
    while (m_nextArrivalMs >= 0) {
        const qint64 dueNs = m_setup.startNs + qint64(m_nextArrivalMs * double(kMsNs));
        if (dueNs - now > kArrivalSlackNs) {
            // Qt timers count whole milliseconds. Rounding the wait down made every arrival
            // less than 1 ms away a 0 ms timer, fired again and again until it was due: at
            // rates above ~1000/s per worker (an exhausted pool keeps them coming) that was a
            // busy-spin of a whole core. Round up instead; the sub-millisecond lateness is
            // measured (blocked time, latency from the intended start), not hidden.
            m_arrivalTimer->start(int((dueNs - now + kMsNs - 1) / kMsNs));
            return;
        }
        // Due now or within the slack: start it. One started early by up to the slack counts
        // from its real start, so that the latency from the intended start is never shorter
        // than the request itself.
        dispatchArrival(std::min(dueNs, now));
        // Advance to this worker's next arrival in the global schedule.
        for (qint64 i = 0; i < arrivalStride() && m_nextArrivalMs >= 0; ++i) {
            m_nextArrivalMs = nextArrivalMs(m_nextArrivalMs);
            ++m_arrivalIndex;
        }
    }
}

void LoadWorker::dropStaleArrivals(qint64 now)
{
    const qint64 patienceNs = m_setup.timeouts.requestMs * kMsNs;
    while (!m_backlog.empty() && now - m_backlog.front() > patienceNs) {
        m_backlog.pop_front();
        ++m_acc.flow.droppedIterations;
    }
}

void LoadWorker::dispatchArrival(qint64 intendedNs)
{
    Vu *vu = nullptr;
    if (!m_idle.empty()) {
        vu = m_vus[size_t(m_idle.back())].get();
        m_idle.pop_back();
    } else if (int(m_vus.size()) < m_maxVus) {
        vu = &newVu();
    }
    if (!vu) {
        // Every VU is busy: the arrival waits for one, as a request waits behind a stalled
        // connection in wrk2, so the wait shows in the latency from the intended start. An
        // arrival that waited longer than a request may take is dropped and counted (k6's
        // dropped_iterations), and so is one that finds the backlog full.
        if (m_backlog.size() < kMaxBacklog)
            m_backlog.push_back(intendedNs);
        else
            ++m_acc.flow.droppedIterations;
        return;
    }
    vu->intendedStartNs = intendedNs;
    startIteration(*vu);
}

// ---- iterations ---------------------------------------------------------------------------

void LoadWorker::startIteration(Vu &vu)
{
    vu.running = true;
    vu.step = 0;
    vu.iterationStartNs = m_open ? vu.intendedStartNs : steadyNowNs();
    if (m_needsVariables) {
        // Variables live for one iteration (as in a k6 default function): plan variables,
        // this iteration's data row, the VU and iteration numbers, then extractions.
        vu.variables = m_setup.variables;
        if (!m_setup.dataRows.isEmpty()) {
            const qint64 row = m_dataCursor++ * m_setup.count + m_setup.index;
            const VariableMap &data = m_setup.dataRows[int(row % m_setup.dataRows.size())];
            for (auto it = data.constBegin(); it != data.constEnd(); ++it)
                vu.variables.insert(it.key(), it.value());
        }
        // 1-based and unique over every agent: the agent's own VU numbers, striped.
        vu.variables.insert(
            QStringLiteral("__VU"),
            QString::number(
                m_setup.segment.globalIndex(m_setup.index + qint64(m_setup.count) * vu.id) + 1));
        vu.variables.insert(QStringLiteral("__ITER"), QString::number(vu.iteration));
    }
    sendStep(vu);
}

void LoadWorker::sendStep(Vu &vu)
{
    const CompiledStep &step = m_setup.steps[vu.step];
    if (step.templated) {
        const PreparedRequest prepared = m_transport->prepare(step.requestFor(vu.variables));
        vu.connection->send(prepared, step.captureResponse, this, quint64(vu.id));
    } else {
        vu.connection->send(step.prepared, step.captureResponse, this, quint64(vu.id));
    }
}

void LoadWorker::requestFinished(HttpTransportConnection *, quint64 tag, HttpResult &result)
{
    const qint64 now = steadyNowNs();
    Vu &vu = *m_vus[size_t(tag)];
    const CompiledStep &step = m_setup.steps[vu.step];
    EndpointAccumulator &acc = m_acc.endpoints[step.endpoint];
    TrafficTotals &totals = acc.totals;

    ErrorClass error = result.error;
    StepOutcome outcome;
    if (!isTransportError(error) &&
        (!step.step.checks.isEmpty() || !step.step.extractions.isEmpty())) {
        outcome = evaluateStep(step, result, vu.variables);
        totals.checksPassed += outcome.checksPassed;
        totals.checksFailed += outcome.checksFailed;
        if (outcome.checksFailed > 0 && error == ErrorClass::None) {
            error = ErrorClass::Check;
            if (m_acc.firstError.isEmpty())
                m_acc.firstError = step.step.displayName() + QStringLiteral(": check failed: ") +
                                   outcome.firstFailure;
        }
    }
    ++totals.requests;
    if (result.status > 0) {
        const HttpProtocol proto =
            result.protocol != HttpProtocol::Unknown ? result.protocol : m_defaultProtocol;
        totals.protocols |= quint8(proto);
    }
    totals.bytesIn += result.bytesIn;
    totals.bytesOut += result.bytesOut;
    if (error != ErrorClass::None) {
        ++totals.errors;
        ++totals.errorsByClass[size_t(error)];
        if (m_acc.firstError.isEmpty()) {
            m_acc.firstError = step.step.displayName() + QStringLiteral(": ") +
                               (result.errorText.isEmpty()
                                    ? QStringLiteral("HTTP ") + QString::number(result.status)
                                    : result.errorText);
        }
    }

    const RequestTiming &t = result.timing;
    // A request refused before it was written (bytesOut 0, no status) took no time to measure.
    if (result.status > 0 || (!isTransportError(error) && result.bytesOut > 0) ||
        error == ErrorClass::Timeout)
        acc.duration.record(t.durationUs);
    qint64 blockedUs = 0;
    if (m_open && vu.step == 0) {
        blockedUs = std::max<qint64>(0, (result.startNs - vu.intendedStartNs) / 1000);
        acc.corrected.record((now - vu.intendedStartNs) / 1000);
    } else if (m_open) {
        acc.corrected.record(t.durationUs);
    }
    m_acc.timings[Blocked].record(blockedUs);
    m_acc.timings[Connecting].record(t.connectingUs);
    m_acc.timings[TlsHandshaking].record(t.tlsHandshakingUs);
    m_acc.timings[Sending].record(t.sendingUs);
    m_acc.timings[Waiting].record(t.waitingUs);
    m_acc.timings[Receiving].record(t.receivingUs);
    if (!result.serverTiming.isEmpty())
        recordServerTiming(result.serverTiming);

    if (m_stopping) {
        // The iteration's last request completed within the graceful stop: it is complete.
        if (!isTransportError(error) && vu.step + 1 == m_setup.steps.size()) {
            ++m_acc.flow.iterations;
            m_acc.iteration.record((now - vu.iterationStartNs) / 1000);
        }
        vu.running = false;
        if (m_transport->inFlight() == 0)
            finishStop();
        return;
    }
    if (isTransportError(error)) {
        endIteration(vu, false);
        return;
    }
    afterStep(vu, step.step.thinkTimeMs);
}

void LoadWorker::afterStep(Vu &vu, qint64 pauseMs)
{
    ++vu.step;
    if (pauseMs > 0) {
        scheduleWake(vu, steadyNowNs() + pauseMs * kMsNs);
        return;
    }
    if (vu.step < m_setup.steps.size())
        sendStep(vu);
    else
        endIteration(vu, true);
}

void LoadWorker::endIteration(Vu &vu, bool completed)
{
    const qint64 now = steadyNowNs();
    if (completed) {
        ++m_acc.flow.iterations;
        m_acc.iteration.record((now - vu.iterationStartNs) / 1000);
    }
    ++vu.iteration;
    vu.running = false;
    if (m_open) {
        dropStaleArrivals(now);
        if (!m_backlog.empty() && !m_stopping) {
            vu.intendedStartNs = m_backlog.front();
            m_backlog.pop_front();
            startIteration(vu);
        } else {
            m_idle.push_back(vu.id);
        }
        return;
    }
    if (!vu.active)
        return;
    if (vu.stopping) {
        vu.active = false;
        vu.stopping = false;
        return;
    }
    if (!completed) {
        // The step failed at the transport level: pause briefly before trying again.
        vu.running = true;
        vu.pausedAfterFailure = true;
        scheduleWake(vu, now + kConnectFailurePauseMs * kMsNs);
        return;
    }
    startIteration(vu);
}

void LoadWorker::scheduleWake(Vu &vu, qint64 dueNs)
{
    m_wakes.push(Wake{dueNs, vu.id, ++vu.wakeGeneration});
    armWakeTimer();
}

void LoadWorker::armWakeTimer()
{
    if (m_wakes.empty())
        return;
    // Rounded up, as the arrival timer: a wait rounded down to 0 ms would spin until due.
    const qint64 wait = (m_wakes.top().dueNs - steadyNowNs() - kMsNs / 2 + kMsNs - 1) / kMsNs;
    m_wakeTimer->start(int(std::clamp<qint64>(wait, 0, 1 << 30)));
}

void LoadWorker::onWakeTimer()
{
    const qint64 now = steadyNowNs();
    while (!m_wakes.empty() && m_wakes.top().dueNs <= now + kMsNs / 2) {
        const Wake wake = m_wakes.top();
        m_wakes.pop();
        Vu &vu = *m_vus[size_t(wake.vu)];
        if (wake.generation != vu.wakeGeneration || m_stopping || !vu.running)
            continue;
        if (vu.pausedAfterFailure) {
            vu.pausedAfterFailure = false;
            if (vu.active && !vu.stopping) {
                startIteration(vu);
            } else {
                vu.running = false;
                vu.active = false;
                vu.stopping = false;
            }
        } else if (vu.step < m_setup.steps.size()) {
            sendStep(vu);
        } else {
            endIteration(vu, true);
        }
    }
    armWakeTimer();
}

void LoadWorker::recordServerTiming(const QByteArray &header)
{
    forEachServerTiming(header, this, [](void *context, const ServerTimingView &metric) {
        if (!metric.hasDur)
            return;
        auto *self = static_cast<LoadWorker *>(context);
        for (auto &entry : self->m_acc.serverTiming) {
            if (QByteArrayView(entry.first) == metric.name) {
                entry.second.record(qint64(std::llround(metric.durMs * 1000.0)));
                return;
            }
        }
        LatencyHistogram histogram;
        histogram.record(qint64(std::llround(metric.durMs * 1000.0)));
        self->m_acc.serverTiming.append({metric.name.toByteArray(), std::move(histogram)});
    });
}

// ---- snapshots and stop -------------------------------------------------------------------

WorkerSnapshot LoadWorker::takeAccumulated()
{
    int running = 0;
    for (const auto &vu : m_vus)
        running += (m_open ? vu->running : vu->active) ? 1 : 0;
    WorkerSnapshot snapshot = m_acc;
    snapshot.activeVus = running;
    snapshot.allocatedVus = int(m_vus.size());
    // Reset in place so the histograms keep their allocations for the next interval.
    for (EndpointAccumulator &e : m_acc.endpoints) {
        e.totals = TrafficTotals();
        e.duration.reset();
        e.corrected.reset();
    }
    m_acc.flow = TrafficTotals();
    m_acc.iteration.reset();
    for (LatencyHistogram &h : m_acc.timings)
        h.reset();
    for (auto &entry : m_acc.serverTiming)
        entry.second.reset();
    m_acc.firstError.clear();
    return snapshot;
}

void LoadWorker::takeSnapshot(int seq)
{
    emit snapshotReady(seq, takeAccumulated());
}

void LoadWorker::stopGracefully(qint64 graceMs)
{
    if (m_stopping)
        return;
    m_stopping = true;
    if (m_controlTimer)
        m_controlTimer->stop();
    if (m_arrivalTimer)
        m_arrivalTimer->stop();
    m_wakeTimer->stop();
    while (!m_wakes.empty())
        m_wakes.pop();
    // Arrivals still waiting for a VU will never start: they count as dropped.
    m_acc.flow.droppedIterations += qint64(m_backlog.size());
    m_backlog.clear();
    if (!m_transport || m_transport->inFlight() == 0) {
        finishStop();
        return;
    }
    m_graceTimer = new QTimer(this);
    m_graceTimer->setSingleShot(true);
    connect(m_graceTimer, &QTimer::timeout, this, [this] {
        m_transport->abortAll(); // unfinished requests after the grace period are not counted
        finishStop();
    });
    m_graceTimer->start(int(std::clamp<qint64>(graceMs, 0, 1 << 30)));
}

void LoadWorker::finishStop()
{
    if (m_stopped)
        return;
    m_stopped = true;
    if (m_graceTimer)
        m_graceTimer->stop();
    for (auto &vu : m_vus) {
        vu->running = false;
        vu->active = false;
        vu->stopping = false;
        vu->pausedAfterFailure = false;
    }
    WorkerSnapshot last = takeAccumulated();
    m_transport->closeAll();
    emit stopped(last);
}

} // namespace loadscope
