// HistoryPlace's background work: verdicts and trends computed by HistoryJobs, filled in as
// they arrive; kept apart from the place's layout code.
#include <QTableView>

#include "history/historyjobs.h"
#include "history/historyplace.h"
#include "history/resultstablemodel.h"
#include "history/rundetails.h"
#include "store/historystore.h"

namespace loadscope {

void HistoryPlace::connectJobs()
{
    if (!m_store || !m_store->isOpen())
        return;
    m_jobs = new HistoryJobs(m_store->path(), this);
    connect(m_jobs, &HistoryJobs::verdictsReady, m_model,
            [this](quint64 generation, const QHash<qint64, QString> &verdicts) {
                Q_ASSERT(QThread::currentThread() == thread());
                m_model->setVerdicts(generation, verdicts); // drops those of an older generation
            });
    connect(m_jobs, &HistoryJobs::trendReady, this, &HistoryPlace::onTrendReady);
    connect(m_jobs, &HistoryJobs::failed, this, &HistoryPlace::fail);
    // Pages fetched as the view scrolls get their verdicts too.
    connect(m_model, &ResultsTableModel::rowsLoaded, this, [this](int first, int) {
        if (first > 0)
            requestVerdicts(first);
    });
    // A reset by sorting or filtering (not through reload()) starts a new generation too.
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        m_jobs->setGeneration(m_model->generation());
        requestVerdicts(0);
    });
}

void HistoryPlace::requestVerdicts(int firstRow)
{
    if (!m_jobs)
        return;
    m_jobs->requestVerdicts(m_model->generation(), m_model->rowsWithoutVerdict(firstRow));
}

void HistoryPlace::onTrendReady(quint64 generation, qint64 testId, const QList<ResultRecord> &runs)
{
    Q_ASSERT(QThread::currentThread() == thread());
    const QList<qint64> ids = selectedResultIds();
    if (generation != m_model->generation() || ids.size() != 1 || ids.first() != m_shownId)
        return; // another selection or a refreshed table since it was asked for
    const int row = m_model->rowOf(m_shownId);
    if (row < 0 || m_model->record(row).testId != testId)
        return;
    m_details->showRun(m_model->record(row), m_shownSamples, runs);
}

} // namespace loadscope
