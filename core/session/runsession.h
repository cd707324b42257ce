#pragma once

#include <memory>

#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QUrl>

#include "metrics/runmetrics.h"
#include "plan/executionsegment.h"
#include "plan/testplan.h"
#include "session/sampletarget.h"
#include "store/historystore.h"

namespace loadscope {

class LoadEngine;
class ResourceMonitor;
struct ResourceSample;

//! What the finished run is compared with (DESIGN.md §3.4).
struct BaselineChoice
{
    enum Mode
    {
        None,
        Auto,
        Last,
        Id
    };
    Mode mode = Auto; //!< Auto: the test's pinned baseline, else its previous completed run
    qint64 id = 0;    //!< for Id
};

//! Where resource figures come from besides the local machine and the generator itself.
struct MonitorOptions
{
    bool enabled = true;
    qint64 targetPid = 0; //!< 0: found from the target's port when the target is local
    QUrl prometheusUrl;   //!< a remote target's metrics endpoint
    QStringList gauges;   //!< extra Prometheus gauges to record
};

//! One run of a plan as the CLI, the GUI and the REST API all do it: picks the target (the
//! caller's default target when the plan has no base URL), records the run in the history while it
//! goes, stops on abortOnFail thresholds, and at the end evaluates thresholds and stores the
//! summary and histograms. Lives on the caller's thread.
class RunSession final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunSession)

public:
    //! @p store may be null (no history, e.g. --no-db).
    explicit RunSession(HistoryStore *store, QObject *parent = nullptr);
    ~RunSession() override;

    //! Target of plans without a base URL (the built-in sample API its caller started); its
    //! PID, when known, is the process the monitor measures as the target.
    void setDefaultTarget(const DefaultTarget &target) { m_defaultTarget = target; }
    //! The run to compare with at the end (needs a store).
    void setBaseline(const BaselineChoice &baseline) { m_baseline = baseline; }
    void setMonitorOptions(const MonitorOptions &options) { m_monitorOptions = options; }
    //! What started the run when not a person ("schedule"); stored in the summary.
    void setTrigger(const QString &trigger) { m_trigger = trigger; }
    //! Runs only this segment of the plan (a scale-out agent); default the whole plan.
    void setSegment(const ExecutionSegment &segment) { m_segment = segment; }
    //! Keeps each interval's histograms in the samples and the summary (for `merge`).
    void setKeepIntervalHistograms(bool keep) { m_keepIntervalHistograms = keep; }
    //! Marks the run as a scale-out agent's: @p agent (e.g. {"scheduledStart": …}) goes into
    //! the summary's "agent" object with the host, the segment and the clock start added.
    void setAgent(const QJsonObject &agent) { m_agent = agent; }

    //! Starts the run; false with a message naming the problem.
    bool start(const TestPlan &plan, QString *error = nullptr);
    //! Stops early, keeping everything measured (status aborted).
    void stop(const QString &reason = QString());

    bool isRunning() const;
    QString baseUrl() const { return m_baseUrl; }
    qint64 testId() const { return m_testId; }
    qint64 resultId() const { return m_resultId; }
    //! After finished(): whether everything this run wrote reached the history file (SQLite's
    //! reason in plain words otherwise). Always ok without a store.
    const StoreOutcome &storeOutcome() const { return m_storeOutcome; }
    const TestPlan &plan() const { return m_plan; }
    //! The plan's thresholds evaluated on the whole run so far, as of the last interval sample
    //! (empty before the first one); the final ones are in the finished() summary.
    const QList<ThresholdResult> &thresholdsSoFar() const { return m_thresholdsSoFar; }
    double elapsedSec() const;

    //! Whether the generator itself was the bottleneck in @p sample's interval: the monitor
    //! flagged it and the generator's process used ≥ 50 % of a core (a machine kept busy by other
    //! processes alone is not the generator's saturation).
    static bool generatorBusy(const ResourceSample &sample);
    //! The run's resources.generatorCpuPct.saturated: busy in at least one interval and in at
    //! least a quarter of the intervals with a generator figure.
    static bool generatorSaturated(int busyIntervals, int sampledIntervals);

signals:
    void intervalSample(const loadscope::IntervalSample &sample);
    //! The run ended; @p summary has its thresholds evaluated; @p resultId is 0 without a store.
    void finished(const loadscope::RunSummary &summary, qint64 resultId);
    //! Storing the run failed (e.g. the disk is full); the run itself goes on.
    void storeWarning(const QString &message);

private:
    void onInterval(const IntervalSample &sample);
    void onFinished(const RunSummary &summary);
    void onResources(const ResourceSample &sample);
    void startMonitor();
    void analyze(RunSummary &summary);
    void compareWithBaseline(RunSummary &summary);
    bool recordInHistory(QString *error);
    void checkpointHistograms(const RunSummary &soFar);

    HistoryStore *m_store = nullptr;
    DefaultTarget m_defaultTarget;
    bool m_onDefaultTarget = false;
    std::unique_ptr<LoadEngine> m_engine;
    TestPlan m_plan;
    QString m_baseUrl;
    qint64 m_testId = 0;
    qint64 m_resultId = 0;
    bool m_storeFailed = false;
    qint64 m_writeMark = 0;
    StoreOutcome m_storeOutcome;
    QList<ThresholdResult> m_thresholdsSoFar;
    BaselineChoice m_baseline;
    MonitorOptions m_monitorOptions;
    QString m_trigger;
    std::unique_ptr<ResourceMonitor> m_monitor;
    QJsonObject m_lastResources;
    QList<double> m_generatorCpu;
    QList<double> m_machineCpu;
    QList<double> m_targetCpu;
    qint64 m_peakGeneratorRss = 0;
    qint64 m_peakTargetRss = 0;
    qint64 m_generatorPid = -1; //!< from the monitor's samples, for the resources JSON and rules
    qint64 m_targetPid = -1;    //!< the local target process found (-1: none, or remote)
    //! Intervals in which the generator itself was the bottleneck (generatorBusy()), and
    //! intervals with a generator figure at all: the run's "saturated" is their ratio.
    int m_generatorBusyIntervals = 0;
    int m_generatorSampledIntervals = 0;
    int m_workerThreads = 1;
    QStringList m_monitorNotes;
    ExecutionSegment m_segment;
    bool m_keepIntervalHistograms = false;
    QJsonObject m_agent;
};

} // namespace loadscope
