#include "storewriter.h"

#include <QDeadlineTimer>
#include <QMutexLocker>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>

#include "store/storeschema.h"
#include "store/storesql.h"

namespace loadscope {

StoreWriter::StoreWriter(const QString &connectionName, const QString &path)
    : m_connectionName(connectionName)
    , m_path(path)
{}

StoreWriter::~StoreWriter() = default;

bool StoreWriter::openConnection(QString *error)
{
    Q_ASSERT(QThread::currentThread() == thread());
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    m_db.setDatabaseName(m_path);
    if (!m_db.open()) {
        if (error)
            *error = StoreSchema::describeError(m_path, m_db.lastError());
        closeConnection();
        return false;
    }
    if (!StoreSchema::configureConnection(m_db, m_path, error)) {
        closeConnection();
        return false;
    }
    // The writer appends (the right edge of each table's tree) and rewrites a run's few
    // histogram rows: 256 KiB of page cache hold what it touches again. SQLite's default of
    // 2 MB filled with every page the run wrote, ~1.8 MB over a 10-minute soak at full rate,
    // which read as a slope of 8-11 MB/hour for a cache that was only warming up.
    if (!StoreSql::exec(m_db, QStringLiteral("PRAGMA cache_size = -256"), error)) {
        closeConnection();
        return false;
    }
    return true;
}

void StoreWriter::closeConnection()
{
    Q_ASSERT(QThread::currentThread() == thread());
    if (!m_db.isValid())
        return;
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connectionName);
}

qint64 StoreWriter::enqueue(WriteOp op)
{
    QMutexLocker lock(&m_mutex);
    const bool wasEmpty = m_queue.empty();
    m_queue.push_back(std::move(op));
    const qint64 sequence = ++m_queued;
    // One drain per burst: later writes join the batch the pending drain will take.
    if (wasEmpty)
        QMetaObject::invokeMethod(this, &StoreWriter::drain, Qt::QueuedConnection);
    return sequence;
}

qint64 StoreWriter::lastQueued() const
{
    QMutexLocker lock(&m_mutex);
    return m_queued;
}

bool StoreWriter::waitFor(qint64 sequence, int timeoutMs)
{
    Q_ASSERT(QThread::currentThread() != thread());
    QDeadlineTimer deadline(timeoutMs);
    QMutexLocker lock(&m_mutex);
    while (m_processed < sequence) {
        if (!m_processedChanged.wait(&m_mutex, deadline))
            return m_processed >= sequence;
    }
    return true;
}

QString StoreWriter::firstFailure(qint64 after, qint64 upTo) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_failures.upper_bound(after);
    if (it == m_failures.end() || it->first > upTo)
        return QString();
    return it->second;
}

void StoreWriter::drain()
{
    std::vector<WriteOp> batch;
    qint64 lastSequence = 0;
    {
        QMutexLocker lock(&m_mutex);
        batch.swap(m_queue);
        lastSequence = m_queued;
    }
    const qint64 firstSequence = lastSequence - qint64(batch.size()) + 1;
    if (batch.empty())
        return;

    std::vector<WriteOutcome> outcomes(batch.size());
    QString batchError;
    if (!m_db.isOpen()) {
        batchError = QStringLiteral("the history database is closed");
    } else if (!StoreSql::exec(m_db, QStringLiteral("BEGIN IMMEDIATE"), &batchError)) {
        batchError = QStringLiteral("starting a transaction on ") + m_path +
                     QStringLiteral(" failed: ") + batchError;
    } else {
        for (std::size_t i = 0; i < batch.size(); ++i) {
            // A savepoint per write: one bad write (a constraint) must not undo the others.
            WriteOutcome &outcome = outcomes[i];
            outcome.ok = StoreSql::exec(m_db, QStringLiteral("SAVEPOINT write_op"), &outcome.error);
            if (outcome.ok)
                outcome.ok = batch[i].run(m_db, &outcome.value, &outcome.error);
            if (outcome.ok) {
                outcome.ok =
                    StoreSql::exec(m_db, QStringLiteral("RELEASE write_op"), &outcome.error);
            } else {
                StoreSql::exec(m_db, QStringLiteral("ROLLBACK TO write_op"), nullptr);
                StoreSql::exec(m_db, QStringLiteral("RELEASE write_op"), nullptr);
            }
        }
        QString commitError;
        if (!StoreSql::exec(m_db, QStringLiteral("COMMIT"), &commitError)) {
            StoreSql::exec(m_db, QStringLiteral("ROLLBACK"), nullptr);
            batchError = QStringLiteral("committing to ") + m_path + QStringLiteral(" failed: ") +
                         commitError;
        }
    }

    if (!batchError.isEmpty())
        batchError = StoreSql::withDiskState(batchError, m_path);
    for (std::size_t i = 0; i < batch.size(); ++i) {
        WriteOutcome &outcome = outcomes[i];
        if (!batchError.isEmpty()) {
            outcome.ok = false;
            outcome.error = batchError;
        } else if (!outcome.ok) {
            outcome.error = StoreSql::withDiskState(outcome.error, m_path);
        }
        if (!outcome.ok && !batch[i].outcome)
            emit writeFailed(batch[i].what + QStringLiteral(" failed: ") + outcome.error);
    }

    // Emitted before waking waiters: once flush() returns, the failure is already posted.
    QMutexLocker lock(&m_mutex);
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (batch[i].outcome)
            *batch[i].outcome = outcomes[i];
        if (!outcomes[i].ok)
            m_failures.emplace(firstSequence + qint64(i),
                               batch[i].what + QStringLiteral(" failed: ") + outcomes[i].error);
    }
    // A store that keeps failing (a full disk) must not grow without bound: the oldest go.
    while (m_failures.size() > 256)
        m_failures.erase(m_failures.begin());
    m_processed = lastSequence;
    m_processedChanged.wakeAll();
}

} // namespace loadscope
