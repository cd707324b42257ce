#pragma once

#include <algorithm>
#include <functional>
#include <memory>
#include <vector>

#include <QList>
#include <QMap>
#include <QObject>
#include <QString>
#include <QStringList>

#include "metrics/runmetrics.h"
#include "metrics/timelinespill.h"
#include "plan/executionsegment.h"
#include "plan/testplan.h"
#include "util/threadhandle.h"

class QTimer;

namespace loadscope {

class LoadWorker;
struct WorkerSnapshot;

//! Runs a test plan: owns one LoadWorker per thread (DESIGN.md §3.1), merges their per-interval
//! snapshots into IntervalSample values and the whole-run RunSummary. Lives on the caller's
//! thread; everything it emits is a value, delivered on that thread.
//! Why this process cannot run @p load's peak VUs: each VU holds a connection (a file
//! descriptor), and the soft RLIMIT_NOFILE (raised to the hard one first) less a reserve for
//! the history, the monitor and the program bounds them. Empty when it can. Names the field
//! ("load.vus: ...") and the numbers.
QString vuCapacityProblem(const LoadModel &load);

class LoadEngine final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LoadEngine)

public:
    explicit LoadEngine(QObject *parent = nullptr);
    ~LoadEngine() override;

    //! Starts @p plan against @p baseUrl (http://host:port, the plan's own base URL or the
    //! built-in sample target's). Returns false with a message naming the problem (invalid
    //! plan, unreadable data or body file, unresolvable host) without starting anything.
    bool start(const TestPlan &plan, const QString &baseUrl, QString *error = nullptr);

    //! Stops the run: no new iterations; in-flight requests get up to the plan's graceful
    //! stop to finish, then finished() is emitted with everything measured (status aborted).
    void stop(const QString &reason = QString());

    bool isRunning() const { return m_running; }
    //! Worker threads of the current (or last) run.
    int threadCount() const { return int(m_workers.size()); }
    //! Seconds since the start of the current run.
    double elapsedSec() const;
    //! The cumulative figures so far (thresholds not evaluated). While running, its timeline
    //! holds only the latest intervals (at least the last one; see setTimelineMemory()); the
    //! summary that finished() carries has all of them.
    RunSummary summarySoFar() const;
    //! How many intervals a running engine keeps in memory before it moves the older ones to a
    //! temporary file (TimelineSpill), read back at the end: between @p intervals and twice as
    //! many are held. Default 60 (a minute at 1 s intervals); at least 1.
    void setTimelineMemory(int intervals) { m_timelineMemory = std::max(1, intervals); }
    //! Called after every interval with the cumulative figures; a non-empty answer stops the
    //! run as aborted with that reason (used for thresholds with abortOnFail).
    void setAbortCheck(std::function<QString(const RunSummary &)> check);
    //! Runs only @p segment of the plans started after this call (default: the whole plan):
    //! its share of the VUs, arrivals and data rows (ExecutionSegment).
    void setSegment(const ExecutionSegment &segment) { m_segment = segment; }
    const ExecutionSegment &segment() const { return m_segment; }
    //! Keeps every interval's serialized histograms in its IntervalSample (EndpointSample::
    //! histograms), so that the run can be merged with other agents' runs exactly.
    void setKeepIntervalHistograms(bool keep) { m_keepIntervalHistograms = keep; }

signals:
    //! One merged interval; emitted every plan.intervalMs while running, and once for the
    //! last (possibly shorter) interval before finished().
    void intervalSample(const loadscope::IntervalSample &sample);
    //! The run ended (planned end, stop(), or abort); @p summary holds everything measured.
    void finished(const loadscope::RunSummary &summary);

private:
    void onIntervalTick();
    void onSnapshot(int seq, const loadscope::WorkerSnapshot &snapshot);
    void onWorkerStopped(const loadscope::WorkerSnapshot &snapshot);
    void mergeInterval(const QList<WorkerSnapshot> &parts, bool last);
    void beginStop(ResultStatus status, const QString &reason);
    void finish();
    void spillOlderIntervals();
    void scheduleNextTick();

    std::vector<ThreadHandle> m_threads;
    std::vector<LoadWorker *> m_workers;
    TestPlan m_plan;
    QString m_baseUrl;
    QStringList m_endpointNames;
    QStringList m_endpointMethods;
    QStringList m_endpointPaths;
    qint64 m_startNs = 0;
    QDateTime m_startedAt;
    bool m_running = false;
    bool m_stopping = false;
    int m_tickSeq = 0;
    int m_workersStopped = 0;
    QMap<int, QList<WorkerSnapshot>> m_pending; //!< interval seq -> parts received so far
    QList<WorkerSnapshot> m_finalParts;
    QTimer *m_tickTimer = nullptr;
    QTimer *m_endTimer = nullptr;
    RunSummary m_summary;  //!< cumulative; its timeline is the tail not yet spilled
    TimelineSpill m_spill; //!< the timeline's older intervals while running
    int m_intervalCount = 0;
    int m_timelineMemory = 60;
    QString m_spillProblem; //!< why the timeline stays in memory (the spill could not be written)
    qint64 m_lastTickNs = 0;
    ResultStatus m_status = ResultStatus::Completed;
    QString m_reason;
    QString m_firstError;
    std::function<QString(const RunSummary &)> m_abortCheck;
    ExecutionSegment m_segment;
    bool m_keepIntervalHistograms = false;
};

} // namespace loadscope
