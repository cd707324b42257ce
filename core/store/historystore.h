#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <utility>

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QSqlDatabase>
#include <QSqlError>
#include <QString>
#include <QStringList>

#include "metrics/runmetrics.h"
#include "store/storetypes.h"
#include "util/threadhandle.h"

class QSqlQuery;

namespace loadscope {

class StoreWriter;

//! Whether writes reached the database file: SQLite's reason in plain words when not.
struct StoreOutcome
{
    bool ok = true;
    QString error;
};

//! The SQLite history of tests and runs (DESIGN.md §3.3).
//!
//! Reads run on the thread that called open() with that thread's own connection. Writes go
//! to one writer thread with its own connection: appendSamples(), storeHistogram(),
//! addRecommendations() and finishResult() are queued and may be called from any thread;
//! the other writes wait for the writer and return its answer. Failures of queued writes are
//! reported through writeFailed().
class HistoryStore final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryStore)

public:
    explicit HistoryStore(QObject *parent = nullptr);
    //! Flushes pending writes, stops the writer and removes both connections.
    ~HistoryStore() override;

    //! $LOADSCOPE_DB when set and non-empty, else ~/.local/share/loadscope/loadscope.db (directory
    //! created).
    static QString defaultPath();

    //! How open() treats the file.
    enum class OpenMode
    {
        ReadWrite, //!< creates or migrates the file, marks abandoned runs aborted
        ReadOnly   //!< never writes (SQLITE_OPEN_READONLY): works on a read-only or full disk
    };

    //! Opens (creating or migrating) the database at \a path; false with a message naming it.
    bool open(const QString &path, QString *error = nullptr);
    //! As open(); ReadOnly refuses every write with a message and needs an existing file.
    bool open(const QString &path, OpenMode mode, QString *error);
    //! Flushes, stops the writer and closes; open() may be called again.
    void close();
    bool isOpen() const;
    QString path() const;
    //! The message of the last failure on this store.
    QString lastError() const;
    //! The failure of the last read call (listResults(), result(), ...), empty when it worked:
    //! tells "nothing stored" from "could not read" (a damaged file).
    QString readError() const { return m_readError; }

    //! Inserts (id <= 0) or updates a test; returns its id, or -1.
    qint64 saveTest(const StoredTest &test);
    //! Creates the test named test.name or updates the one of that name (names are unique),
    //! in one statement so that two processes never create two; returns its id, or -1.
    qint64 upsertTestByName(const StoredTest &test);
    QList<StoredTest> listTests();
    std::optional<StoredTest> test(qint64 id);
    //! The most recently updated test named \a name.
    std::optional<StoredTest> findTestByName(const QString &name);
    //! Deletes a test with all its results.
    bool deleteTest(qint64 id);
    //! Pins \a resultId (a result of \a testId) as the test's baseline; 0 clears it.
    bool setBaseline(qint64 testId, qint64 resultId);

    //! Records a new running result of \a testId (committed on return); its id, or -1.
    qint64 startResult(qint64 testId, const QJsonObject &planAsRun, const QString &versionLabel);
    //! Stores an imported run — test (if new), result, samples, histograms and source — in one
    //! transaction: all of it or nothing. Its id, or -1. When a run with the same content hash
    //! is stored already, stores nothing, sets *duplicate and returns that run's id.
    qint64 storeImportedResult(const ImportedResult &imported, bool *duplicate);
    //! The result imported from content hash @p hash, 0 when none.
    qint64 resultWithContentHash(const QString &hash);
    //! Queues interval samples of a result (any thread).
    void appendSamples(qint64 resultId, const QList<ResultSample> &samples);
    //! Queues a histogram blob; replaces an earlier one with the same key (any thread).
    void storeHistogram(qint64 resultId, const QString &endpoint, const QString &metric,
                        const QByteArray &blob);
    //! Queues recommendations of a result (any thread).
    void addRecommendations(qint64 resultId, const QList<Recommendation> &recommendations);
    //! Queues the end of a run: status, summary, error details and end time (any thread).
    void finishResult(qint64 resultId, ResultStatus status, const QJsonObject &summary,
                      const QString &errorDetails = QString());
    //! Blocks until everything queued before the call is committed (or failed); false on timeout.
    bool flush(int timeoutMs = 30000);
    //! A mark for flushSince(): the sequence of the last queued write.
    qint64 writeMark() const;
    //! Flushes, then says whether every write queued after \a mark was committed (the first
    //! failure's reason otherwise, also on a timeout).
    StoreOutcome flushSince(qint64 mark, int timeoutMs = 30000);
    //! Rewrites the summary of result \a resultId (waits for the writer).
    bool updateSummary(qint64 resultId, const QJsonObject &summary);
    //! Results marked aborted whose summary was never written (their process was killed);
    //! their figures can be rebuilt from the stored intervals.
    QList<qint64> resultsWithoutSummary();

    //! Results matching \a filter, newest first (or in the filter's order), with plan and summary.
    QList<ResultRecord> listResults(const ResultFilter &filter = ResultFilter());
    //! As listResults() without plan and summary: what a list shows, from the figures columns
    //! (ResultRecord::figures), so that no summary JSON is read or parsed.
    QList<ResultRecord> listResultRows(const ResultFilter &filter = ResultFilter());
    //! How many results match \a filter (its limit and offset aside).
    qint64 countResults(const ResultFilter &filter = ResultFilter());
    std::optional<ResultRecord> result(qint64 id);
    //! Samples of a result ordered by time; a null \a endpoint means every endpoint, '' overall.
    QList<ResultSample> samples(qint64 resultId, const QString &endpoint = QString());
    //! The intervals of a result ordered by time, as a stored run's timeline holds them (see
    //! IntervalCodec), read in one query from their compact records (result_intervals);
    //! intervalSec is 0 where the overall rate does not tell it and index is 0.
    QList<IntervalSample> intervals(qint64 resultId);
    //! The stored blob, empty if there is none.
    QByteArray histogram(qint64 resultId, const QString &endpoint, const QString &metric);
    //! The histograms of a result as histogramKey() strings, sorted.
    QStringList histogramKeys(qint64 resultId);
    //! Every histogram blob of a result by histogramKey(), in one query (opening a run).
    QHash<QString, QByteArray> histograms(qint64 resultId);
    QList<Recommendation> recommendations(qint64 resultId);
    //! The latest completed result of \a testId started before \a beforeResultId (0 = latest).
    std::optional<ResultRecord> previousCompletedResult(qint64 testId, qint64 beforeResultId);
    //! Deletes a result with its samples, histograms and recommendations.
    bool deleteResult(qint64 id);

    //! The runs prune() would delete for \a request, oldest first (reads only).
    QList<qint64> pruneCandidates(const PruneRequest &request);
    //! Deletes the runs \a request selects, with their samples, histograms, recommendations and
    //! sources, in one transaction (waits for the writer); the ids deleted, nothing on failure.
    std::optional<QList<qint64>> prune(const PruneRequest &request);
    //! Rebuilds the file to give the space of deleted runs back (VACUUM) and truncates the WAL;
    //! the sizes before and after in bytes. False with lastError() when it failed.
    bool vacuum(qint64 *bytesBefore = nullptr, qint64 *bytesAfter = nullptr);
    //! The number of runs and the size of the file.
    StoreStats stats();

    // ---- the optimization loop (historystorenotes.cpp) ----
    //! Stores an annotation of a test (and run, when resultId is set); its id, or -1. A run's
    //! annotation without a time gets the run's start.
    qint64 addAnnotation(const Annotation &annotation);
    //! The annotations of test @p testId, by time.
    QList<Annotation> annotations(qint64 testId);
    //! The annotations made on run @p resultId.
    QList<Annotation> resultAnnotations(qint64 resultId);
    //! Replaces annotation @p annotationId's note (not empty); false with lastError() otherwise.
    bool setAnnotationNote(qint64 annotationId, const QString &note);
    //! Deletes annotation @p annotationId; false with lastError() when there is none.
    bool removeAnnotation(qint64 annotationId);
    //! The recommendations of test @p testId's runs with their follow-up, critical first, then
    //! newest; only open ones when @p openOnly.
    QList<RecommendationFollowUp> testRecommendations(qint64 testId, bool openOnly);
    std::optional<RecommendationFollowUp> recommendationFollowUp(qint64 recommendationId);
    //! Sets a recommendation's state: "applied" (in run @p appliedResultId of the same test,
    //! with the @p measured change), "dismissed" (@p reason required) or "open" again.
    bool setRecommendationState(qint64 recommendationId, const QString &state,
                                qint64 appliedResultId, const QString &reason,
                                const QJsonObject &measured);

    //! "endpoint<TAB>metric" (endpoint '' = overall), as histogramKeys() lists them.
    static QString histogramKey(const QString &endpoint, const QString &metric);
    //! The (endpoint, metric) of a histogramKey() string.
    static std::pair<QString, QString> splitHistogramKey(const QString &key);

signals:
    //! A queued write failed; the message names the operation and SQLite's error.
    void writeFailed(const QString &message);

private:
    using WriteFunction = std::function<bool(const QSqlDatabase &, qint64 *, QString *)>;

    bool ensureOpen();
    QList<ResultRecord> readResults(const ResultFilter &filter, bool full);
    //! The annotations whose @p column ("test_id" or "result_id") is @p id, by time.
    QList<Annotation> readAnnotations(const char *column, qint64 id, const QString &what);
    void enqueue(const QString &what, WriteFunction run);
    std::optional<qint64> runSync(const QString &what, WriteFunction run);
    bool recoverAbandonedResults(QString *error);
    bool failRead(const QString &what, const QSqlError &error);
    void failedStep(const QSqlQuery &query);
    void markAbandoned(ResultRecord &record) const;

    QString m_path;
    QString m_readConnection;
    QSqlDatabase m_db;
    ThreadHandle m_writerThread;
    std::unique_ptr<StoreWriter> m_writer;
    QString m_lastError;
    QString m_readError;
    bool m_readOnly = false;
    //! Read-only opens: runs whose process is gone, shown as aborted (ended at, details).
    QHash<qint64, std::pair<QDateTime, QString>> m_abandoned;
};

} // namespace loadscope
