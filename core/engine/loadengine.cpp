#include "loadengine.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <sys/resource.h>

#include <QThread>
#include <QTimer>
#include <QUrl>

#include "engine/loadworker.h"
#include "engine/scenario.h"
#include "engine/steadyclock.h"
#include "plan/planvalidator.h"

namespace loadscope {
namespace {

void registerTypes()
{
    qRegisterMetaType<loadscope::WorkerSnapshot>();
    qRegisterMetaType<loadscope::IntervalSample>();
    qRegisterMetaType<loadscope::RunSummary>();
}

LatencyHistogram &histogramNamed(QMap<QString, LatencyHistogram> &map, const QString &name)
{
    return map[name];
}

void keepHistograms(EndpointSample &sample, const LatencyHistogram &duration,
                    const LatencyHistogram &corrected, bool open)
{
    sample.histograms.insert(QStringLiteral("duration"), duration.serialize());
    if (open)
        sample.histograms.insert(QStringLiteral("duration_corrected"), corrected.serialize());
}

} // namespace

LoadEngine::LoadEngine(QObject *parent)
    : QObject(parent)
{
    registerTypes();
    m_tickTimer = new QTimer(this);
    m_tickTimer->setSingleShot(true);
    m_tickTimer->setTimerType(Qt::PreciseTimer);
    connect(m_tickTimer, &QTimer::timeout, this, &LoadEngine::onIntervalTick);
    m_endTimer = new QTimer(this);
    m_endTimer->setSingleShot(true);
    m_endTimer->setTimerType(Qt::PreciseTimer);
    connect(m_endTimer, &QTimer::timeout, this, [this] {
        // The planned end usually falls on an interval boundary: close that interval first so
        // the last one only holds what finishes during the graceful stop.
        if (m_tickTimer->isActive() && m_tickTimer->remainingTime() <= 50) {
            m_tickTimer->stop();
            onIntervalTick();
        }
        beginStop(ResultStatus::Completed, QString());
    });
}

LoadEngine::~LoadEngine()
{
    // Quitting the threads deletes the workers (deleteLater on QThread::finished).
    m_workers.clear();
    m_threads.clear();
}

double LoadEngine::elapsedSec() const
{
    return m_startNs > 0 ? double(steadyNowNs() - m_startNs) / 1e9 : 0.0;
}

namespace {

//! The peak VUs of @p load and the plan field that asks for them.
std::pair<qint64, QString> peakVus(const LoadModel &load)
{
    switch (load.executor) {
    case Executor::ConstantVus:
        return {load.vus, QStringLiteral("load.vus")};
    case Executor::RampingVus: {
        std::pair<qint64, QString> peak{load.startVus, QStringLiteral("load.startVUs")};
        for (qsizetype i = 0; i < load.stages.size(); ++i) {
            if (qint64(load.stages[i].target) > peak.first)
                peak = {qint64(load.stages[i].target),
                        QStringLiteral("load.stages[%1].target").arg(i)};
        }
        return peak;
    }
    case Executor::ConstantArrivalRate:
    case Executor::RampingArrivalRate:
        return {std::max(load.maxVus, load.preAllocatedVus), QStringLiteral("load.maxVUs")};
    }
    return {0, QString()};
}

//! Raises the soft limit on open files to the hard one, once; the limits after that.
rlimit fileLimits()
{
    static const rlimit limits = [] {
        rlimit l{};
        if (getrlimit(RLIMIT_NOFILE, &l) != 0)
            return rlimit{RLIM_INFINITY, RLIM_INFINITY};
        if (l.rlim_cur < l.rlim_max) {
            rlimit raised = l;
            raised.rlim_cur = l.rlim_max;
            if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
                l = raised;
        }
        return l;
    }();
    return limits;
}

} // namespace

QString vuCapacityProblem(const LoadModel &load)
{
    constexpr qint64 kReserved = 64; // history, monitor, epoll, pipes, the program's own files
    const auto [peak, field] = peakVus(load);
    const rlimit limits = fileLimits();
    if (limits.rlim_cur == RLIM_INFINITY)
        return QString();
    const qint64 soft = qint64(limits.rlim_cur);
    const qint64 bound = std::max<qint64>(0, soft - kReserved);
    if (peak <= bound)
        return QString();
    const QString hard = limits.rlim_max == RLIM_INFINITY ? QStringLiteral("unlimited")
                                                          : QString::number(limits.rlim_max);
    return QStringLiteral("%1: %2 VUs at once is more than this process can run: each VU holds "
                          "a connection, and it may open %3 files (RLIMIT_NOFILE, hard limit "
                          "%4), of which %5 are kept for itself, so at most %6 VUs; lower the "
                          "VUs or raise the limit (ulimit -n)")
        .arg(field)
        .arg(peak)
        .arg(soft)
        .arg(hard)
        .arg(kReserved)
        .arg(bound);
}

bool LoadEngine::start(const TestPlan &plan, const QString &baseUrl, QString *error)
{
    QString dummy;
    QString &why = error ? *error : dummy;
    if (m_running) {
        why = QStringLiteral("a run is already in progress");
        return false;
    }
    const QStringList problems = planErrors(plan);
    if (!problems.isEmpty()) {
        why = problems.join(u'\n');
        return false;
    }
    // A segment holds only its share of the VUs, so its own peak is what this process needs.
    const LoadModel ownLoad = m_segment.load(plan.load);
    if (const QString tooMany = vuCapacityProblem(ownLoad); !tooMany.isEmpty()) {
        why = tooMany;
        return false;
    }
    const QUrl url(baseUrl, QUrl::StrictMode);
    const bool tls = url.scheme() == QLatin1String("https");
    if (!url.isValid() || (url.scheme() != QLatin1String("http") && !tls) || url.host().isEmpty()) {
        why = QStringLiteral("baseUrl: \"") + baseUrl + QStringLiteral("\" is not an http(s) URL");
        return false;
    }
    // Proxies (and whoever asks for it) go through Qt's network stack (QnamTransport); HTTP/2,
    // and "auto" on https, through the lean HTTP/2 client; all else the lean HTTP/1.1 client.
    const bool useQnam = plan.transport == QLatin1String("qnam") || !plan.proxy.isEmpty();
    const bool leanHttp2 = !useQnam && (plan.http2 || (plan.httpAuto && tls));

    m_endpointNames = endpointNames(plan);
    const auto steps = compileSteps(plan, baseUrl, m_endpointNames, &why);
    if (!steps)
        return false;
    QList<VariableMap> dataRows;
    if (!plan.dataFile.isEmpty()) {
        const auto rows = readDataFile(plan.dataFile, &why);
        if (!rows)
            return false;
        // Agents never share rows: this segment takes the rows it owns.
        if (const QStringList split = m_segment.problems(plan, rows->size()); !split.isEmpty()) {
            why = split.join(u'\n');
            return false;
        }
        dataRows = m_segment.ownItems(*rows);
    }
    if (const QStringList split = m_segment.problems(plan); !split.isEmpty()) {
        why = split.join(u'\n');
        return false;
    }
    VariableMap variables;
    for (auto it = plan.variables.constBegin(); it != plan.variables.constEnd(); ++it)
        variables.insert(it.key(), it.value());

    LeanHttpTransport::Target target;
    target.host = url.host(QUrl::FullyEncoded).toLatin1();
    target.tls = tls;
    target.port = quint16(url.port(tls ? 443 : 80));
    if (plan.proxy.isEmpty()) {
        // Resolve once here so that a bad host name is a clear error before anything starts
        // (through a proxy, the proxy resolves it).
        LeanHttpTransport probe(target);
        if (!probe.isResolved()) {
            why = QStringLiteral("baseUrl: ") + probe.resolveError();
            return false;
        }
    }

    m_plan = plan;
    m_baseUrl = baseUrl;
    m_endpointMethods.clear();
    m_endpointPaths.clear();
    for (const QString &name : std::as_const(m_endpointNames)) {
        for (const Step &step : plan.steps) {
            if (step.displayName() == name) {
                m_endpointMethods.append(step.method);
                m_endpointPaths.append(step.path);
                break;
            }
        }
    }

    const bool open = isOpenModel(plan.load.executor);
    int peak = open ? ownLoad.maxVus : ownLoad.vus;
    if (plan.load.executor == Executor::RampingVus) {
        peak = 1;
        for (const Stage &stage : ownLoad.stages)
            peak = std::max(peak, int(stage.target));
    }
    int threads = plan.threads > 0 ? plan.threads : QThread::idealThreadCount();
    threads = std::clamp(threads, 1, std::max(1, peak));

    m_summary = RunSummary();
    m_summary.openModel = open;
    m_summary.target = baseUrl;
    m_summary.startedAt = QDateTime::currentDateTimeUtc();
    for (int i = 0; i < m_endpointNames.size(); ++i) {
        EndpointSummary endpoint;
        endpoint.name = m_endpointNames[i];
        endpoint.method = m_endpointMethods.value(i);
        endpoint.path = m_endpointPaths.value(i);
        m_summary.endpoints.append(endpoint);
    }
    m_pending.clear();
    m_finalParts.clear();
    m_firstError.clear();
    m_spill.clear();
    m_intervalCount = 0;
    m_spillProblem.clear();
    m_tickSeq = 0;
    m_workersStopped = 0;
    m_stopping = false;
    m_status = ResultStatus::Completed;
    m_reason.clear();
    m_startNs = steadyNowNs();
    m_lastTickNs = m_startNs;

    for (int i = 0; i < threads; ++i) {
        WorkerSetup setup;
        setup.load = plan.load;
        setup.timeouts = plan.timeouts;
        setup.steps = *steps;
        setup.endpointCount = int(m_endpointNames.size());
        setup.target = target;
        setup.insecureSkipVerify = plan.insecureSkipTlsVerify;
        setup.useQnam = useQnam;
        setup.http2 = plan.http2 || plan.httpAuto;
        setup.leanHttp2 = leanHttp2;
        setup.http2Fallback = !plan.http2;
        setup.http2Connections = plan.connections;
        setup.http2MaxStreams = plan.maxStreams;
        setup.proxy = plan.proxy;
        setup.maxHeaderBytes = plan.maxHeaderBytes;
        setup.index = i;
        setup.count = threads;
        setup.startNs = m_startNs;
        setup.segment = m_segment;
        setup.dataRows = dataRows;
        setup.variables = variables;
        ThreadHandle thread = makeThread(QStringLiteral("loadscope-worker-") + QString::number(i));
        auto *worker = new LoadWorker(setup);
        worker->moveToThread(thread.get());
        connect(thread.get(), &QThread::finished, worker, &QObject::deleteLater);
        connect(worker, &LoadWorker::snapshotReady, this, &LoadEngine::onSnapshot);
        connect(worker, &LoadWorker::stopped, this, &LoadEngine::onWorkerStopped);
        thread->start();
        QMetaObject::invokeMethod(
            worker, [worker] { worker->begin(); }, Qt::QueuedConnection);
        m_workers.push_back(worker);
        m_threads.push_back(std::move(thread));
    }
    m_running = true;
    m_endTimer->start(int(std::min<qint64>(plan.load.totalDurationMs(), 1 << 30)));
    scheduleNextTick();
    return true;
}

void LoadEngine::scheduleNextTick()
{
    // Ticks are aligned to the start so intervals do not drift.
    const qint64 intervalNs = m_plan.intervalMs * 1000000;
    const qint64 due = m_startNs + qint64(m_tickSeq + 1) * intervalNs;
    m_tickTimer->start(int(std::max<qint64>(0, (due - steadyNowNs()) / 1000000)));
}

void LoadEngine::onIntervalTick()
{
    if (!m_running || m_stopping)
        return;
    const int seq = ++m_tickSeq;
    for (LoadWorker *worker : m_workers)
        QMetaObject::invokeMethod(
            worker, [worker, seq] { worker->takeSnapshot(seq); }, Qt::QueuedConnection);
    scheduleNextTick();
}

void LoadEngine::onSnapshot(int seq, const WorkerSnapshot &snapshot)
{
    QList<WorkerSnapshot> &parts = m_pending[seq];
    parts.append(snapshot);
    if (parts.size() < int(m_workers.size()))
        return;
    const QList<WorkerSnapshot> complete = m_pending.take(seq);
    mergeInterval(complete, false);
}

void LoadEngine::onWorkerStopped(const WorkerSnapshot &snapshot)
{
    m_finalParts.append(snapshot);
    if (m_finalParts.size() < int(m_workers.size()))
        return;
    // Intervals still waiting for parts cannot complete any more; fold them into the last one.
    for (auto it = m_pending.begin(); it != m_pending.end(); ++it)
        m_finalParts.append(it.value());
    m_pending.clear();
    mergeInterval(m_finalParts, true);
    finish();
}

void LoadEngine::mergeInterval(const QList<WorkerSnapshot> &parts, bool last)
{
    const qint64 now = steadyNowNs();
    IntervalSample sample;
    sample.index = m_intervalCount;
    sample.tSec = double(now - m_startNs) / 1e9;
    sample.intervalSec = std::max(1e-3, double(now - m_lastTickNs) / 1e9);
    m_lastTickNs = now;

    const bool open = m_summary.openModel;
    LatencyHistogram overall;
    LatencyHistogram overallCorrected;
    TrafficTotals overallTotals;
    const int endpointCount = int(m_endpointNames.size());
    for (int e = 0; e < endpointCount; ++e) {
        EndpointAccumulator merged;
        for (const WorkerSnapshot &part : parts) {
            if (e >= part.endpoints.size())
                continue;
            const EndpointAccumulator &p = part.endpoints[e];
            merged.totals.add(p.totals);
            merged.duration.merge(p.duration);
            merged.corrected.merge(p.corrected);
        }
        EndpointSample endpoint;
        endpoint.name = m_endpointNames[e];
        endpoint.totals = merged.totals;
        endpoint.latency = LatencyStats::fromHistogram(merged.duration);
        endpoint.latencyCorrected = LatencyStats::fromHistogram(merged.corrected);
        if (m_keepIntervalHistograms)
            keepHistograms(endpoint, merged.duration, merged.corrected, open);
        sample.endpoints.append(endpoint);

        overallTotals.add(merged.totals);
        overall.merge(merged.duration);
        overallCorrected.merge(merged.corrected);
        EndpointSummary &summary = m_summary.endpoints[e];
        summary.totals.add(merged.totals);
        summary.duration.merge(merged.duration);
        summary.durationCorrected.merge(merged.corrected);
    }
    std::array<LatencyHistogram, TimingCount> timings;
    QMap<QString, LatencyHistogram> serverTiming;
    LatencyHistogram iteration;
    for (const WorkerSnapshot &part : parts) {
        overallTotals.add(part.flow);
        iteration.merge(part.iteration);
        for (int i = 0; i < TimingCount; ++i)
            timings[size_t(i)].merge(part.timings[size_t(i)]);
        for (const auto &entry : part.serverTiming)
            histogramNamed(serverTiming, QString::fromLatin1(entry.first)).merge(entry.second);
        sample.activeVus += part.activeVus;
        if (m_firstError.isEmpty() && !part.firstError.isEmpty())
            m_firstError = part.firstError;
    }
    sample.overall.totals = overallTotals;
    sample.overall.latency = LatencyStats::fromHistogram(overall);
    sample.overall.latencyCorrected = LatencyStats::fromHistogram(overallCorrected);
    const qint64 elapsedMs = (now - m_startNs) / 1000000;
    sample.plannedTarget =
        m_plan.load.executor == Executor::ConstantVus ? double(m_segment.share(m_plan.load.vus))
        : m_plan.load.executor == Executor::ConstantArrivalRate
            ? m_plan.load.rate * 1000.0 / double(m_plan.load.timeUnitMs) * m_segment.fraction()
        : m_plan.load.executor == Executor::RampingArrivalRate
            ? m_plan.load.targetAt(elapsedMs) * 1000.0 / double(m_plan.load.timeUnitMs) *
                  m_segment.fraction()
            : double(m_segment.share(std::lround(m_plan.load.targetAt(elapsedMs))));
    if (last)
        sample.plannedTarget = 0;
    for (auto it = serverTiming.cbegin(); it != serverTiming.cend(); ++it)
        sample.serverTiming.insert(it.key(), LatencyStats::fromHistogram(it.value()));
    const QStringList &names = timingNames();
    for (int i = 0; i < TimingCount; ++i) {
        if (timings[size_t(i)].count() > 0)
            sample.timingMeansMs.insert(names[i], timings[size_t(i)].mean() / 1000.0);
    }
    if (m_keepIntervalHistograms) {
        keepHistograms(sample.overall, overall, overallCorrected, open);
        QMap<QString, QByteArray> &kept = sample.overall.histograms;
        if (!iteration.isEmpty())
            kept.insert(QStringLiteral("iteration_duration"), iteration.serialize());
        for (int i = 0; i < TimingCount; ++i) {
            if (!timings[size_t(i)].isEmpty())
                kept.insert(names[i], timings[size_t(i)].serialize());
        }
        for (auto it = serverTiming.cbegin(); it != serverTiming.cend(); ++it)
            kept.insert(QStringLiteral("server_timing:") + it.key(), it.value().serialize());
    }

    // Cumulative figures.
    m_summary.totals.add(overallTotals);
    m_summary.duration.merge(overall);
    m_summary.durationCorrected.merge(overallCorrected);
    m_summary.iterationDuration.merge(iteration);
    for (int i = 0; i < TimingCount; ++i)
        histogramNamed(m_summary.timings, names[i]).merge(timings[size_t(i)]);
    for (auto it = serverTiming.cbegin(); it != serverTiming.cend(); ++it)
        histogramNamed(m_summary.serverTiming, it.key()).merge(it.value());
    m_summary.maxVus = std::max(m_summary.maxVus, sample.activeVus);
    m_summary.durationSec = sample.tSec;
    // A sliver of an interval at the end (the graceful stop) would show as a spike or a dip on
    // per-second charts; its requests are in the totals, not in the timeline.
    const bool sliver = last && sample.intervalSec * 1000.0 < 0.25 * double(m_plan.intervalMs) &&
                        !m_summary.timeline.isEmpty();
    if (!sliver) {
        m_summary.timeline.append(sample);
        ++m_intervalCount;
        spillOlderIntervals();
        emit intervalSample(sample);
    }

    if (last || m_stopping)
        return;
    // A target that refuses every connection is a failed run, not a long list of errors.
    const TrafficTotals &t = m_summary.totals;
    const qint64 unreachable =
        t.errorsByClass[size_t(ErrorClass::Connect)] + t.errorsByClass[size_t(ErrorClass::Dns)];
    if (t.requests > 0 && unreachable == t.requests && sample.tSec >= 0.9) {
        beginStop(ResultStatus::Failed,
                  QStringLiteral("the target is unreachable: ") + m_firstError);
        return;
    }
    if (m_abortCheck) {
        const QString reason = m_abortCheck(m_summary);
        if (!reason.isEmpty())
            beginStop(ResultStatus::Aborted, reason);
    }
}

void LoadEngine::spillOlderIntervals()
{
    if (m_summary.timeline.size() < 2 * qsizetype(m_timelineMemory) || !m_spillProblem.isEmpty())
        return;
    const QList<IntervalSample> older = m_summary.timeline.first(m_timelineMemory);
    QString error;
    if (!m_spill.append(older, &error)) {
        // Nothing is lost: the timeline stays in memory for the rest of the run.
        m_spillProblem = error;
        qWarning("%s; the rest of the run's timeline stays in memory", qPrintable(error));
        return;
    }
    m_summary.timeline.remove(0, m_timelineMemory);
}

void LoadEngine::setAbortCheck(std::function<QString(const RunSummary &)> check)
{
    m_abortCheck = std::move(check);
}

void LoadEngine::stop(const QString &reason)
{
    if (!m_running)
        return;
    beginStop(ResultStatus::Aborted,
              reason.isEmpty() ? QStringLiteral("stopped before the planned end") : reason);
}

void LoadEngine::beginStop(ResultStatus status, const QString &reason)
{
    if (!m_running || m_stopping)
        return;
    m_stopping = true;
    m_status = status;
    m_reason = reason;
    m_tickTimer->stop();
    m_endTimer->stop();
    const qint64 grace = status == ResultStatus::Failed ? 1000 : m_plan.load.gracefulStopMs;
    for (LoadWorker *worker : m_workers)
        QMetaObject::invokeMethod(
            worker, [worker, grace] { worker->stopGracefully(grace); }, Qt::QueuedConnection);
}

void LoadEngine::finish()
{
    m_running = false;
    m_workers.clear();
    m_threads.clear(); // joins the worker threads; their workers are deleted as they end
    QList<IntervalSample> older;
    QString spillError;
    const bool spillRead = m_spill.takeAll(&older, &spillError);
    if (!older.isEmpty())
        m_summary.timeline = older + m_summary.timeline;
    m_summary.endedAt = QDateTime::currentDateTimeUtc();
    m_summary.durationSec = double(steadyNowNs() - m_startNs) / 1e9;
    m_summary.status = m_status;
    m_summary.errorDetails = m_reason;
    if (m_summary.errorDetails.isEmpty() && m_summary.totals.errors > 0 && !m_firstError.isEmpty())
        m_summary.errorDetails = QStringLiteral("first error: ") + m_firstError;
    if (!spillRead) {
        // The totals and histograms are whole; only the per-interval figures have a gap.
        qWarning("%s", qPrintable(spillError));
        m_summary.errorDetails +=
            (m_summary.errorDetails.isEmpty() ? QString() : QStringLiteral("; ")) + spillError;
    }
    emit finished(m_summary);
}

RunSummary LoadEngine::summarySoFar() const
{
    RunSummary summary = m_summary;
    if (m_running)
        summary.durationSec = elapsedSec();
    return summary;
}

} // namespace loadscope
