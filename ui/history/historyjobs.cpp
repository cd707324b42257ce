#include "historyjobs.h"

#include <QElapsedTimer>
#include <QPointer>

#include "analysis/runcomparison.h"
#include "compare/runanalysis.h"
#include "store/historystore.h"

namespace loadscope {

//! Lives on the jobs thread; owns the read-only store it opens there.
class HistoryJobsWorker final : public QObject
{
public:
    HistoryJobsWorker(const QString &path, const std::atomic<quint64> *generation)
        : m_path(path)
        , m_generation(generation)
    {}

    //! The store, opened on first use on this thread; null with @p error when it cannot be.
    HistoryStore *store(QString *error)
    {
        Q_ASSERT(QThread::currentThread() == thread());
        if (!m_store) {
            auto store = std::make_unique<HistoryStore>();
            if (!store->open(m_path, HistoryStore::OpenMode::ReadOnly, error))
                return nullptr;
            m_store = std::move(store);
        }
        return m_store.get();
    }
    void closeStore() { m_store.reset(); }
    bool stale(quint64 generation) const { return generation != m_generation->load(); }

private:
    const QString m_path;
    const std::atomic<quint64> *m_generation;
    std::unique_ptr<HistoryStore> m_store;
};

HistoryJobs::HistoryJobs(const QString &databasePath, QObject *parent)
    : QObject(parent)
    , m_thread(makeThread(QStringLiteral("loadscope-history-jobs")))
    , m_worker(std::make_unique<HistoryJobsWorker>(databasePath, &m_generation))
{
    m_worker->moveToThread(m_thread.get());
    m_thread->start(QThread::LowPriority);
}

HistoryJobs::~HistoryJobs()
{
    m_generation.store(~quint64(0)); // every queued request is stale now
    // The connection belongs to the worker's thread: it is closed there, after the job that
    // runs (if any) has seen that it is stale.
    QMetaObject::invokeMethod(
        m_worker.get(), [worker = m_worker.get()] { worker->closeStore(); },
        Qt::BlockingQueuedConnection);
    m_thread.reset();
    m_worker.reset();
}

void HistoryJobs::setGeneration(quint64 generation)
{
    m_generation.store(generation);
}

void HistoryJobs::requestVerdicts(quint64 generation, const QList<qint64> &resultIds)
{
    if (resultIds.isEmpty())
        return;
    QPointer<HistoryJobs> self(this);
    HistoryJobsWorker *worker = m_worker.get();
    QMetaObject::invokeMethod(worker, [self, worker, generation, resultIds] {
        QString error;
        if (worker->stale(generation))
            return;
        HistoryStore *store = worker->store(&error);
        const auto post = [self](auto function) {
            QMetaObject::invokeMethod(self, std::move(function), Qt::QueuedConnection);
        };
        if (!store) {
            post([self, error] {
                if (self)
                    emit self->failed(error);
            });
            return;
        }
        // Batches every 100 ms, so that verdicts fill in as they are computed.
        QHash<qint64, QString> batch;
        QElapsedTimer sinceBatch;
        sinceBatch.start();
        for (const qint64 id : resultIds) {
            if (worker->stale(generation))
                return;
            QString why;
            const auto comparison = compareWithBaseline(*store, id, &why);
            batch.insert(id, comparison ? verdictName(comparison->overall) : QString());
            if (sinceBatch.elapsed() >= 100 || id == resultIds.last()) {
                post([self, generation, batch] {
                    if (self)
                        emit self->verdictsReady(generation, batch);
                });
                batch.clear();
                sinceBatch.restart();
            }
        }
    });
}

void HistoryJobs::requestTrend(quint64 generation, qint64 testId)
{
    QPointer<HistoryJobs> self(this);
    HistoryJobsWorker *worker = m_worker.get();
    QMetaObject::invokeMethod(worker, [self, worker, generation, testId] {
        if (worker->stale(generation))
            return;
        QString error;
        HistoryStore *store = worker->store(&error);
        QList<ResultRecord> runs;
        if (store) {
            ResultFilter filter;
            filter.testId = testId;
            filter.ascending = true;
            runs = store->listResultRows(filter);
            error = store->readError();
        }
        QMetaObject::invokeMethod(
            self,
            [self, generation, testId, runs, error] {
                if (!self)
                    return;
                if (!error.isEmpty())
                    emit self->failed(error);
                else
                    emit self->trendReady(generation, testId, runs);
            },
            Qt::QueuedConnection);
    });
}

} // namespace loadscope
