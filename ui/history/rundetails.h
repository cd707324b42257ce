#pragma once

#include <QList>
#include <QRectF>
#include <QStringList>
#include <QWidget>
#include <QtNumeric>

#include "analysis/timelineevents.h"
#include "store/storetypes.h"

class QCPItemText;
class QCustomPlot;
class QGridLayout;
class QLabel;

namespace loadscope {

class AgentsPanel;
class HistoryStore;
class RunLoopPanel;

//! The History place's right pane: one run's summary figures, its rps and p95 over time,
//! and the p95 trend of its test across runs.
class RunDetails final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunDetails)

public:
    explicit RunDetails(QWidget *parent = nullptr);

    //! The history the change log, the recommendations, the trend's change markers and the
    //! budget line are read from (and notes written to); none without it.
    void setStore(HistoryStore *store);

    //! Shows @p record with its overall @p samples; @p testRuns are the runs of its test,
    //! oldest first, for the trend.
    void showRun(const ResultRecord &record, const QList<ResultSample> &samples,
                 const QList<ResultRecord> &testRuns);
    //! Shows a hint instead of a run (nothing or several runs selected).
    void showMessage(const QString &message);

    //! Graph 0: requests/s, graph 1: p95 ms (right axis); keys are seconds.
    QCustomPlot *runPlot() const { return m_runPlot; }
    //! Graph 0: p95 ms per run, keyed 0..n-1 oldest first.
    QCustomPlot *trendPlot() const { return m_trendPlot; }
    //! The text shown for a figure ("p95", "rps", ...), for tests.
    QString figureText(const QString &key) const;
    //! A merged run's agents (hidden for other runs).
    AgentsPanel *agentsPanel() const { return m_agents; }
    //! The run against its thresholds: one line per threshold, "✓"/"✗" first.
    QString budgetText() const;
    //! The notes of the change markers on the trend chart, left to right.
    QStringList trendMarkerNotes() const;
    //! The change markers' events (TimelineEvent::Annotation), as m_trendPlot marks them.
    const QList<TimelineEvent> &trendMarkerEvents() const { return m_markerEvents; }
    //! The tooltip for a pointer @p x pixels across the trend chart (eventsToolTip()).
    QString trendMarkerToolTip(double x) const;
    //! Where the trend chart's labels are drawn, in pixels: the notes', then the budget's.
    QList<QRectF> trendLabelRects() const;
    //! The p95 budget drawn on the trend chart (ms), NaN when the test has none.
    double trendBudget() const { return m_trendBudget; }
    RunLoopPanel *loopPanel() const { return m_loop; }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void placeTrendLabels();
    void setFigure(const QString &key, const QString &text);
    void showTrend(const ResultRecord &record, const QList<ResultRecord> &testRuns);
    void showBudgets(const ResultRecord &record);
    //! Change markers (a vertical line per annotation, its note as tooltip) and the budget line.
    void drawTrendMarks(const ResultRecord &record, const QList<ResultRecord> &shownRuns);

    QLabel *m_title = nullptr;
    QLabel *m_subtitle = nullptr;
    QWidget *m_content = nullptr;
    QGridLayout *m_figures = nullptr;
    QList<QPair<QString, QLabel *>> m_figureLabels;
    QList<QWidget *> m_tiles;
    int m_tileColumns = 4;
    QCustomPlot *m_runPlot = nullptr;
    QCustomPlot *m_trendPlot = nullptr;
    AgentsPanel *m_agents = nullptr;
    QLabel *m_budgets = nullptr;
    RunLoopPanel *m_loop = nullptr;
    HistoryStore *m_store = nullptr;
    ResultRecord m_trendRecord;
    QList<ResultRecord> m_trendRuns;
    QList<TimelineEvent> m_markerEvents;
    QList<double> m_markerKeys; //!< run positions on the trend's axis, as m_markerEvents
    QStringList m_markerPlaces; //!< "v1.2", "before #12": where each note sits
    QList<QCPItemText *> m_markerLabels;
    QCPItemText *m_budgetLabel = nullptr;
    double m_trendBudget = qQNaN();
};

} // namespace loadscope
