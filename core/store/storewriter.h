#pragma once

#include <functional>
#include <map>
#include <memory>
#include <vector>

#include <QMutex>
#include <QObject>
#include <QSqlDatabase>
#include <QString>
#include <QWaitCondition>

namespace loadscope {

//! What a synchronous write hands back to the thread waiting for it.
struct WriteOutcome
{
    bool ok = false;
    qint64 value = -1;
    QString error;
};

//! One write, run on the writer thread inside the batch's transaction.
struct WriteOp
{
    QString what; //!< names the operation in error messages, e.g. "appending 3 samples to result 5"
    std::function<bool(const QSqlDatabase &db, qint64 *value, QString *error)> run;
    std::shared_ptr<WriteOutcome> outcome; //!< set for synchronous writes, null otherwise
};

//! The history store's single writer: lives on its own thread with its own connection and
//! commits everything queued since the last drain in one transaction (internal to the store).
class StoreWriter final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StoreWriter)

public:
    explicit StoreWriter(const QString &connectionName, const QString &path);
    ~StoreWriter() override;

    //! Opens the writer's connection; call on the writer's thread.
    bool openConnection(QString *error);
    //! Closes and removes the connection; call on the writer's thread after the last drain.
    void closeConnection();

    //! Queues \a op (any thread) and returns its sequence number.
    qint64 enqueue(WriteOp op);
    //! The sequence number of the last queued operation.
    qint64 lastQueued() const;
    //! Blocks until operation \a sequence has been committed (or failed); false on timeout.
    bool waitFor(qint64 sequence, int timeoutMs);
    //! The first failure among operations after \a after up to \a upTo (empty: all committed).
    QString firstFailure(qint64 after, qint64 upTo) const;

signals:
    //! An asynchronous write failed; what was committed before stays.
    void writeFailed(const QString &message);

private:
    void drain();

    const QString m_connectionName;
    const QString m_path;
    QSqlDatabase m_db;

    mutable QMutex m_mutex;
    QWaitCondition m_processedChanged;
    std::vector<WriteOp> m_queue;
    qint64 m_queued = 0;
    qint64 m_processed = 0;
    //! Failed operations by sequence (bounded), so that a caller that flushes learns whether
    //! what it queued was stored — a queued signal may arrive after the process has exited.
    std::map<qint64, QString> m_failures;
};

} // namespace loadscope
