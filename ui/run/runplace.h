#pragma once

#include <optional>

#include <QList>
#include <QPointer>
#include <QWidget>

#include "analysis/runcomparison.h"
#include "analysis/timelineevents.h"
#include "metrics/runmetrics.h"
#include "plan/testplan.h"
#include "session/runsession.h"
#include "session/sampletarget.h"
#include "session/storedrun.h"

class QFrame;
class QLabel;
class QProgressBar;
class QPushButton;
class QStackedWidget;
class QTabWidget;
class QTableView;
class QTimer;

namespace loadscope {

class EndpointTableModel;
class HistoryStore;
class LiveCharts;
class RunSummaryPanel;

//! The Run place (DESIGN.md §4.3): runs a plan through a RunSession and shows it live —
//! KPI tiles, progress, charts, a per-endpoint table and threshold lights — then its summary,
//! recommendations and verdict against the baseline.
//!
//! Produce, coalesce, drain, render: the session's intervalSample slot only appends to a
//! pending list; a 10 Hz timer swaps that list out and hands it to the charts, the table and
//! the tiles in one go, so the GUI's cost does not grow with the engine's rate.
//! Threshold lights are evaluated on the engine's cumulative figures so far
//! (LoadEngine::summarySoFar), the same figures abortOnFail and the final verdict use: a light
//! that is green at the end is a passed threshold.
class RunPlace final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunPlace)

public:
    //! @p store may be null (runs are then not recorded); it must outlive the place.
    explicit RunPlace(HistoryStore *store, QWidget *parent = nullptr);
    ~RunPlace() override;

    //! Where plans without a base URL go (the GUI's built-in sample API).
    //! Target of plans without a base URL (the built-in sample API).
    void setDefaultTarget(const DefaultTarget &target) { m_defaultTarget = target; }
    //! Resource monitoring of the next runs (on by default).
    void setMonitorOptions(const MonitorOptions &options) { m_monitorOptions = options; }

    //! Starts @p plan; false with @p error when it cannot (a run is going, bad plan, ...).
    bool start(const TestPlan &plan, QString *error = nullptr);
    bool isRunning() const;

    //! Intervals received from the engine / drained into the views / waiting to be drained.
    int receivedIntervals() const { return m_received; }
    int drainedIntervals() const { return m_drained; }
    int pendingIntervals() const { return int(m_pending.size()); }
    //! The id of the current (or last) run in the history, 0 without one.
    qint64 resultId() const { return m_resultId; }
    //! True once the current run has finished (and the summary is shown).
    bool hasFinished() const { return m_finished; }
    const RunSummary &lastSummary() const { return m_summary; }
    //! Per threshold, in plan order: 1 passed so far, 0 crossed, -1 no data yet.
    QList<int> thresholdStates() const { return m_thresholdStates; }
    //! The text of a KPI tile ("rps", "p95", "errors", "vus", "requests").
    QString kpiText(const QString &key) const;
    //! The delta to the baseline under a KPI tile ("rps", "p95", "errors"); empty without one.
    QString kpiDeltaText(const QString &key) const;
    //! The id of the baseline drawn as the ghost series (0: none).
    qint64 baselineId() const { return m_baseline ? m_baseline->id : 0; }
    //! The verdict so far against the baseline (provisionalComparison()), as verdictName()
    //! gives it; empty before there is one (no baseline, no interval yet).
    QString provisionalVerdict() const { return m_provisionalVerdict; }
    //! The provisional verdict's line as shown (plain text), with its reasons.
    QString provisionalText() const;
    //! Elapsed second of the last interval the provisional verdict was computed on.
    double provisionalAtSec() const { return m_provisionalAt; }
    //! The events marked on the charts so far.
    QList<TimelineEvent> events() const;

    RunSession *session() const { return m_session; }
    LiveCharts *charts() const { return m_charts; }
    EndpointTableModel *endpointModel() const { return m_endpoints; }
    QTableView *endpointView() const { return m_endpointView; }
    RunSummaryPanel *summaryPanel() const { return m_summaryPanel; }
    QPushButton *stopButton() const { return m_stop; }
    QProgressBar *progressBar() const { return m_progress; }

public slots:
    //! Stops the run early; everything measured is kept (status aborted).
    void stop();
    //! Moves pending intervals into the views now (the timer does this at 10 Hz).
    void drain();

signals:
    void runStarted(qint64 resultId);
    //! The run ended and is in the history (@p resultId 0 without a store).
    void runFinished(qint64 resultId);
    //! A message for the status bar.
    void message(const QString &text);

private:
    QWidget *createRunPage();
    void onInterval(const IntervalSample &sample);
    void onFinished(const RunSummary &summary, qint64 resultId);
    void updateProgress();
    void updateThresholdLights();
    void setKpi(const QString &key, const QString &text);
    void loadBaseline();
    void updateBaselineFigures();
    void updateEvents();

    HistoryStore *m_store;
    DefaultTarget m_defaultTarget;
    MonitorOptions m_monitorOptions;
    QPointer<RunSession> m_session;
    TestPlan m_plan;
    QList<IntervalSample> m_pending;
    int m_received = 0;
    int m_drained = 0;
    qint64 m_resultId = 0;
    bool m_finished = false;
    RunSummary m_summary;
    TrafficTotals m_totals;
    QList<int> m_thresholdStates;
    std::optional<StoredRun> m_baseline;
    QList<QJsonObject> m_noiseHistory;
    QList<IntervalSample> m_timeline; //!< every interval drained so far
    QList<TimelineEvent> m_thresholdEvents;
    QList<TimelineEvent> m_endEvents;
    QString m_provisionalVerdict;
    double m_provisionalAt = 0;
    QLabel *m_provisional = nullptr;
    QList<QPair<QString, QLabel *>> m_deltas;

    QTimer *m_drainTimer = nullptr;
    QStackedWidget *m_pages = nullptr;
    QLabel *m_title = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_stop = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_time = nullptr;
    QList<QPair<QString, QLabel *>> m_kpis;
    QFrame *m_lightsBox = nullptr;
    QList<QLabel *> m_lights;
    LiveCharts *m_charts = nullptr;
    EndpointTableModel *m_endpoints = nullptr;
    QTableView *m_endpointView = nullptr;
    QTabWidget *m_tabs = nullptr;
    RunSummaryPanel *m_summaryPanel = nullptr;
};

} // namespace loadscope
