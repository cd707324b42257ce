#pragma once

#include <array>
#include <deque>
#include <memory>
#include <vector>

#include <QList>
#include <QObject>
#include <QPair>
#include <QString>
#include <queue>

#include "engine/leanhttptransport.h"
#include "engine/scenario.h"
#include "engine/transport.h"
#include "metrics/runmetrics.h"
#include "plan/executionsegment.h"
#include "plan/testplan.h"

class QTimer;

namespace loadscope {

//! One endpoint's counters and histograms for one interval of one worker.
struct EndpointAccumulator
{
    TrafficTotals totals;
    LatencyHistogram duration;
    LatencyHistogram corrected;
};

//! Index of each k6 timing in WorkerSnapshot::timings (timingNames() order).
enum TimingIndex
{
    Blocked,
    Connecting,
    TlsHandshaking,
    Sending,
    Waiting,
    Receiving,
    TimingCount
};

//! What a worker measured in one interval; moved to the engine thread as a value.
struct WorkerSnapshot
{
    int worker = 0;
    QList<EndpointAccumulator> endpoints;
    TrafficTotals flow; //!< iterations, dropped iterations (not per endpoint)
    LatencyHistogram iteration;
    std::array<LatencyHistogram, TimingCount> timings;
    QList<QPair<QByteArray, LatencyHistogram>> serverTiming;
    int activeVus = 0;
    int allocatedVus = 0;
    QString firstError; //!< the first error message of the interval, for error details
};

//! Everything a worker needs to run its share of the load.
struct WorkerSetup
{
    LoadModel load;
    Timeouts timeouts;
    QList<CompiledStep> steps;
    int endpointCount = 0;
    LeanHttpTransport::Target target;
    QByteArray hostHeader;
    bool insecureSkipVerify = false; //!< TLS: accept any certificate
    bool useQnam = false;       //!< Qt's network stack (QnamTransport) instead of the lean client
    bool http2 = false;         //!< with useQnam: allow HTTP/2
    bool leanHttp2 = false;     //!< the lean HTTP/2 client (LeanHttp2Transport)
    bool http2Fallback = false; //!< with leanHttp2: HTTP/1.1 when ALPN does not pick h2
    int http2Connections = 0;   //!< with leanHttp2: connections over all workers; 0 = as needed
    int http2MaxStreams = 0;    //!< with leanHttp2: streams per connection; 0 = the server's
    QString proxy;              //!< with useQnam: "http://[user:pass@]host:port", empty for none
    qint64 maxHeaderBytes = 64 * 1024; //!< lean client: status line + headers cap
    int index = 0;
    int count = 1;
    qint64 startNs = 0;       //!< steady-clock start of the run, shared by all workers
    ExecutionSegment segment; //!< the part of the plan this process runs (agents)
    QList<VariableMap> dataRows;
    VariableMap variables;
};

//! Runs one share of the virtual users (closed model) or arrivals (open model) on its own
//! QThread with a LeanHttpTransport (or a QnamTransport for HTTP/2 and proxies); hands its
//! measurements to the engine as snapshots.
//!
//! Open model, an arrival that finds every VU busy (and maxVUs reached): it waits in a FIFO
//! backlog for the next VU to become free, and its latency counts from its intended start
//! (coordinated-omission correction; the wait is also its `blocked` time). The backlog is
//! bounded twice: an arrival that has waited longer than the request timeout, or that finds
//! 1,000,000 arrivals already waiting, is dropped and counted in dropped_iterations (k6's
//! name); arrivals still waiting when the run stops are dropped too. While the pool is
//! exhausted the worker sleeps until the next arrival is due or a request completes (the
//! timers are rounded up, never a 0 ms spin).
class LoadWorker final : public QObject, private HttpTransportSink
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LoadWorker)

public:
    explicit LoadWorker(WorkerSetup setup, QObject *parent = nullptr);
    ~LoadWorker() override;

    //! Starts issuing requests (call on the worker's thread).
    void begin();
    //! Emits snapshotReady(@p seq, the interval's measurements) and starts a new interval.
    void takeSnapshot(int seq);
    //! Starts no new requests; waits up to @p graceMs for in-flight ones, then emits stopped().
    void stopGracefully(qint64 graceMs);

signals:
    void snapshotReady(int seq, const loadscope::WorkerSnapshot &snapshot);
    void stopped(const loadscope::WorkerSnapshot &finalSnapshot);

private:
    struct Vu
    {
        int id = 0;
        HttpTransportConnection *connection = nullptr;
        VariableMap variables;
        int step = 0;
        qint64 iteration = 0;
        qint64 iterationStartNs = 0;
        qint64 intendedStartNs = 0; //!< open model: when the arrival was due
        bool running = false;       //!< in an iteration (request or think time)
        bool active = false;        //!< closed model: counted towards the target
        bool stopping = false;      //!< closed model: ends after this iteration
        qint64 stopDeadlineNs = 0;
        quint32 wakeGeneration = 0;
        bool pausedAfterFailure = false; //!< the next wake starts a new iteration
    };
    struct Wake
    {
        qint64 dueNs;
        int vu;
        quint32 generation;
        bool operator>(const Wake &o) const { return dueNs > o.dueNs; }
    };

    void requestFinished(HttpTransportConnection *connection, quint64 tag,
                         HttpResult &result) override;
    Vu &newVu();
    void startIteration(Vu &vu);
    void sendStep(Vu &vu);
    void endIteration(Vu &vu, bool completed);
    void afterStep(Vu &vu, qint64 pauseMs);
    void scheduleWake(Vu &vu, qint64 dueNs);
    void onWakeTimer();
    void armWakeTimer();
    void onControlTick();
    void onArrivalTimer();
    void dispatchArrival(qint64 intendedNs);
    void dropStaleArrivals(qint64 now);
    double nextArrivalMs(double fromMs) const;
    int share(qint64 total) const;
    //! Open model: this worker takes global arrival a when a % stride == offset (the segment
    //! stripes arrivals over agents, then the agent over its workers).
    qint64 arrivalStride() const { return qint64(m_setup.segment.count) * m_setup.count; }
    qint64 arrivalOffset() const
    {
        return m_setup.segment.index + qint64(m_setup.segment.count) * m_setup.index;
    }
    void finishStop();
    WorkerSnapshot takeAccumulated();
    void recordServerTiming(const QByteArray &header);

    WorkerSetup m_setup;
    bool m_open = false;
    bool m_needsVariables = false; //!< some step uses templates or extracts values
    //! The protocol of results whose transport does not say (the lean HTTP/1.1 client's).
    HttpProtocol m_defaultProtocol = HttpProtocol::Unknown;
    std::unique_ptr<HttpTransport> m_transport;
    std::vector<std::unique_ptr<Vu>> m_vus;
    std::vector<int> m_idle;      //!< open model: VUs free for the next arrival
    std::deque<qint64> m_backlog; //!< open model: intended starts waiting for a free VU
    int m_activeTarget = 0;       //!< closed model: VUs counted as active
    int m_maxVus = 0;
    QTimer *m_controlTimer = nullptr;
    QTimer *m_arrivalTimer = nullptr;
    QTimer *m_wakeTimer = nullptr;
    QTimer *m_graceTimer = nullptr;
    std::priority_queue<Wake, std::vector<Wake>, std::greater<Wake>> m_wakes;
    double m_nextArrivalMs = 0; //!< global schedule position (ms since start)
    qint64 m_arrivalIndex = 0;  //!< global arrival number of m_nextArrivalMs
    qint64 m_dataCursor = 0;
    bool m_stopping = false;
    bool m_stopped = false;

    WorkerSnapshot m_acc; //!< the current interval
};

} // namespace loadscope

Q_DECLARE_METATYPE(loadscope::WorkerSnapshot)
