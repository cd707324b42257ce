#pragma once

#include <atomic>
#include <memory>

#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

#include "store/storetypes.h"
#include "util/threadhandle.h"

namespace loadscope {

class HistoryJobsWorker;

//! What the History place computes off the GUI thread: the verdicts of runs against their
//! baselines (each reads two whole runs) and a test's runs for the p95 trend. One worker thread
//! with its own read-only connection to the history file does the work.
//!
//! Every request carries a generation (hotspot's JobTracker): setGeneration() moves on when what
//! the results are for changes (the table was refreshed, re-sorted, a baseline pinned), the
//! worker skips requests of older generations, and results reach the GUI thread as values
//! tagged with theirs, so that a receiver drops stale ones.
class HistoryJobs final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryJobs)

public:
    //! Reads @p databasePath (opened read-only on the worker thread at the first request).
    explicit HistoryJobs(const QString &databasePath, QObject *parent = nullptr);
    //! Cancels what is queued and joins the worker thread.
    ~HistoryJobs() override;

    //! Results of earlier generations are no longer wanted; queued work of them is skipped.
    void setGeneration(quint64 generation);
    quint64 generation() const { return m_generation.load(); }

    //! Computes the verdicts of runs @p resultIds in order; verdictsReady() brings them in
    //! batches as they are done. An empty verdict: the run has no baseline.
    void requestVerdicts(quint64 generation, const QList<qint64> &resultIds);
    //! Reads the list rows of test @p testId, oldest first, for its trend.
    void requestTrend(quint64 generation, qint64 testId);

signals:
    void verdictsReady(quint64 generation, const QHash<qint64, QString> &verdicts);
    void trendReady(quint64 generation, qint64 testId, const QList<loadscope::ResultRecord> &runs);
    //! A request failed (the file could not be read); @p message says why.
    void failed(const QString &message);

private:
    std::atomic<quint64> m_generation{0};
    ThreadHandle m_thread;
    std::unique_ptr<HistoryJobsWorker> m_worker;
};

} // namespace loadscope
