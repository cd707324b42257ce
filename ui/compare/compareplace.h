#pragma once

#include <QList>
#include <QWidget>

#include "session/storedrun.h"

class QBoxPlotSeries;
class QChartView;
class QCustomPlot;
class QHBoxLayout;
class QLabel;
class QTableView;
class QTabWidget;
class QTextBrowser;

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

    //! Loads and compares @p resultIds (at least two). The baseline is a selected run pinned
    //! as its test's baseline, else the oldest. False with @p error when a run cannot be read.
    bool compare(const QList<qint64> &resultIds, QString *error = nullptr);

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
    //! The verdict line shown above the charts.
    QString verdictText() const;

signals:
    void message(const QString &text);

private:
    QWidget *createCharts();
    void showTimeSeries();
    void showBoxes();
    void showPercentileCurves();
    void showRecommendations();
    void showHeader();

    HistoryStore *m_store;
    QList<StoredRun> m_runs;
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
