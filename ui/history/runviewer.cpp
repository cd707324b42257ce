#include "runviewer.h"

#include <QSplitter>
#include <QVBoxLayout>

#include "compare/runanalysis.h"
#include "run/livecharts.h"
#include "run/runsummarypanel.h"
#include "session/storedrun.h"
#include "store/historystore.h"

namespace loadscope {

RunViewer::RunViewer(HistoryStore *store, QWidget *parent)
    : QDialog(parent)
    , m_store(store)
{
    resize(1200, 820);
    auto *layout = new QVBoxLayout(this);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setChildrenCollapsible(false);
    m_charts = new LiveCharts(splitter);
    m_summary = new RunSummaryPanel(splitter);
    splitter->addWidget(m_charts);
    splitter->addWidget(m_summary);
    splitter->setSizes({560, 260});
    layout->addWidget(splitter);
}

bool RunViewer::showRun(qint64 resultId, QString *error)
{
    QString why;
    const auto run = loadStoredRun(*m_store, resultId, &why);
    if (!run) {
        if (error)
            *error = why;
        return false;
    }
    setWindowTitle(tr("Run %1 — %2").arg(run->label(), run->testName));
    m_charts->showTimeline(run->plan.value_or(TestPlan()), run->summary);
    QJsonObject comparison = run->summary.extras.comparison;
    if (comparison.isEmpty()) {
        if (const auto computed = compareWithBaseline(*m_store, resultId, &why))
            comparison = computed->toJson();
    }
    m_summary->showSummary(run->summary, recommendationsFor(run->summary, m_store, resultId),
                           comparison);
    m_summary->showLoop(m_store, resultId, run->testId);
    return true;
}

} // namespace loadscope
