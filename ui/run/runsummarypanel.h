#pragma once

#include <QJsonObject>
#include <QList>
#include <QWidget>

#include "metrics/runmetrics.h"
#include "store/storetypes.h"

class QLabel;
class QTableWidget;
class QTextBrowser;

namespace loadscope {

class AgentsPanel;
class HistoryStore;
class RunLoopPanel;

//! The end of a run: its verdict against the baseline, totals, latency percentiles,
//! threshold results and recommendations. Shown by the Run place when a run finishes and by
//! the run viewer for a stored run.
class RunSummaryPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunSummaryPanel)

public:
    explicit RunSummaryPanel(QWidget *parent = nullptr);

    //! Shows @p summary with its @p recommendations; @p comparison is RunComparison::toJson()
    //! of the run against its baseline, empty when there is none.
    void showSummary(const RunSummary &summary, const QList<Recommendation> &recommendations,
                     const QJsonObject &comparison);
    //! The overall verdict shown ("regression", ...), empty without a baseline.
    QString verdict() const { return m_verdictName; }
    int recommendationCount() const { return m_recommendationCount; }
    QTableWidget *percentileTable() const { return m_percentiles; }
    //! A merged run's agents (hidden for other runs).
    AgentsPanel *agentsPanel() const { return m_agents; }
    //! Shows the change log and the recommendations' follow-up of stored run @p resultId of
    //! test @p testId (a note on it, a recommendation applied in it); hidden without a store.
    void showLoop(HistoryStore *store, qint64 resultId, qint64 testId);
    RunLoopPanel *loopPanel() const { return m_loop; }

private:
    QLabel *m_verdict = nullptr;
    QLabel *m_totals = nullptr;
    QTableWidget *m_percentiles = nullptr;
    QLabel *m_thresholds = nullptr;
    QTextBrowser *m_recommendations = nullptr;
    AgentsPanel *m_agents = nullptr;
    RunLoopPanel *m_loop = nullptr;
    QString m_verdictName;
    int m_recommendationCount = 0;
};

//! Recommendations as HTML: impact, title, detail, implementation and estimated improvement.
QString recommendationsHtml(const QList<Recommendation> &recommendations);

} // namespace loadscope
