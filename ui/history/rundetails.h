#pragma once

#include <QList>
#include <QWidget>

#include "store/storetypes.h"

class QCustomPlot;
class QGridLayout;
class QLabel;

namespace loadscope {

class AgentsPanel;

//! The History place's right pane: one run's summary figures, its rps and p95 over time,
//! and the p95 trend of its test across runs.
class RunDetails final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunDetails)

public:
    explicit RunDetails(QWidget *parent = nullptr);

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

private:
    void setFigure(const QString &key, const QString &text);
    void showTrend(const ResultRecord &record, const QList<ResultRecord> &testRuns);

    QLabel *m_title = nullptr;
    QLabel *m_subtitle = nullptr;
    QWidget *m_content = nullptr;
    QGridLayout *m_figures = nullptr;
    QList<QPair<QString, QLabel *>> m_figureLabels;
    QCustomPlot *m_runPlot = nullptr;
    QCustomPlot *m_trendPlot = nullptr;
    AgentsPanel *m_agents = nullptr;
};

} // namespace loadscope
