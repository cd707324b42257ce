#pragma once

#include <QList>
#include <QWidget>

#include "analysis/recommendations.h"
#include "analysis/runcomparison.h"
#include "analysis/timelineevents.h"
#include "session/storedrun.h"

class QBoxPlotSeries;
class QCPAbstractItem;
class QChartView;
class QCustomPlot;
class QHBoxLayout;
class QLabel;
class QTableView;
class QTabWidget;
class QTextBrowser;
class QThread;

namespace loadscope {

class ComparisonTableModel;
class HistoryStore;

//! The Compare place (DESIGN.md §4.3): two or more stored runs against a baseline — rps and
//! p95 overlaid on elapsed time, a percentile table with deltas and verdicts, the latency
//! distribution per run (Qt Charts box plots and an overlaid HDR percentile curve), and the
//! runs' recommendations side by side.
//!
//! Box plots are drawn from each run's whole-run duration histogram (exact to the HDR bucket)
//! rather than from per-interval percentiles: box at p25/p50/p75, whiskers at min and p99.
//! The maximum is one request and would flatten every box; it is in the table instead.
class ComparePlace final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ComparePlace)

public:
    //! @p store is not owned and must outlive the place.
    explicit ComparePlace(HistoryStore *store, QWidget *parent = nullptr);
    //! Waits for comparisons still being read in the background (their results are dropped).
    ~ComparePlace() override;

    //! Loads and compares @p resultIds (at least two). The baseline is a selected run pinned
    //! as its test's baseline, else the oldest. False with @p error when a run cannot be read.
    //! Reads on the GUI thread; a pending compareInBackground() result becomes stale.
    bool compare(const QList<qint64> &resultIds, QString *error = nullptr);
    //! As compare(), but the runs are read and compared on a thread of its own with its own
    //! read-only connection, and shown when comparisonFinished() reports this request's
    //! generation. A later request (either call) supersedes it: its result is dropped. Returns
    //! the request's generation.
    quint64 compareInBackground(const QList<qint64> &resultIds);
    //! The generation of the latest request.
    quint64 generation() const { return m_generation; }
    //! Background comparisons whose result has not arrived (shown or dropped) yet.
    int pendingComparisons() const { return m_pending; }

    //! The compared runs, baseline first.
    const QList<StoredRun> &runs() const { return m_runs; }
    ComparisonTableModel *tableModel() const { return m_model; }
    QTableView *tableView() const { return m_view; }
    QBoxPlotSeries *boxSeries() const { return m_boxes; }
    QChartView *boxView() const { return m_boxView; }
    //! Graph i is run i (baseline first); keys are elapsed seconds.
    QCustomPlot *throughputPlot() const { return m_rpsPlot; }
    QCustomPlot *p95Plot() const { return m_p95Plot; }
    //! Graph i is run i; keys are 1/(1-p) on a log axis, values milliseconds.
    QCustomPlot *percentilePlot() const { return m_hdrPlot; }
    //! One recommendations column per run.
    int recommendationColumns() const { return int(m_recommendationViews.size()); }
    //! Each run's timeline events (stage changes, threshold failures, error starts, aborts,
    //! annotations), drawn as markers in the run's colour on the throughput and p95 charts.
    const QList<QList<TimelineEvent>> &events() const { return m_events; }
    //! The marker lines on the throughput and p95 charts (one per event and chart).
    int markerCount() const { return int(m_markerItems.size()); }
    //! The tooltip for a point @p x pixels across @p plot: the events within a few pixels.
    QString markerToolTip(const QCustomPlot *plot, double x) const;
    //! The verdict line shown above the charts.
    QString verdictText() const;

signals:
    void message(const QString &text);
    //! The result of compareInBackground() request @p generation is shown (@p ok) or failed
    //! with @p error. Never emitted for a superseded request.
    void comparisonFinished(quint64 generation, bool ok, const QString &error);

private:
    //! What a comparison reads and computes, as values: built on any thread.
    struct Prepared
    {
        QList<StoredRun> runs; // baseline first
        RunComparison comparison;
        QList<QList<Recommendation>> recommendations; // one list per run
        QList<QList<TimelineEvent>> events;           // one list per run
        QString error;                                // empty when it worked
    };
    static Prepared prepare(HistoryStore &store, const QList<qint64> &resultIds);
    bool showPrepared(Prepared prepared, QString *error);
    QWidget *createCharts();
    void showTimeSeries();
    void showBoxes();
    void showPercentileCurves();
    void showRecommendations(const QList<QList<Recommendation>> &recommendations);
    void showHeader();
    void showMarkers();
    bool eventFilter(QObject *watched, QEvent *event) override;

    HistoryStore *m_store;
    quint64 m_generation = 0;
    int m_pending = 0;
    QList<QThread *> m_threads; // running background comparisons, waited for on destruction
    QList<StoredRun> m_runs;
    QList<QList<TimelineEvent>> m_events;
    QList<QCPAbstractItem *> m_markerItems;
    QLabel *m_title = nullptr;
    QLabel *m_verdict = nullptr;
    QWidget *m_content = nullptr;
    QLabel *m_empty = nullptr;
    QCustomPlot *m_rpsPlot = nullptr;
    QCustomPlot *m_p95Plot = nullptr;
    QCustomPlot *m_hdrPlot = nullptr;
    QChartView *m_boxView = nullptr;
    QBoxPlotSeries *m_boxes = nullptr;
    ComparisonTableModel *m_model = nullptr;
    QTableView *m_view = nullptr;
    QTabWidget *m_tabs = nullptr;
    QHBoxLayout *m_recommendationLayout = nullptr;
    QList<QTextBrowser *> m_recommendationViews;
};

} // namespace loadscope
