#include "historystore.h"

#include <atomic>
#include <cerrno>
#include <signal.h>
#include <sys/types.h>

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QSysInfo>
#include <QThread>

#include "store/intervalcodec.h"
#include "store/storeschema.h"
#include "store/storesql.h"
#include "store/storewriter.h"

namespace loadscope {

namespace {

std::atomic<int> s_storeCounter{0};

//! Writes @p samples of result @p resultId: their result_samples rows, and each interval's
//! compact record (result_intervals) that opening and comparing the run read instead of the
//! rows' JSON. A second write for an interval already recorded appends its rows to the record.
bool insertSamples(const QSqlDatabase &db, qint64 resultId, const QList<ResultSample> &samples,
                   QString *error)
{
    QSqlQuery query(db);
    query.prepare(QStringLiteral("INSERT INTO result_samples(result_id, ") +
                  StoreSql::sampleColumns() +
                  QStringLiteral(") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    for (const ResultSample &s : samples) {
        query.addBindValue(resultId);
        query.addBindValue(s.tSec);
        query.addBindValue(StoreSql::nonNull(s.endpoint));
        query.addBindValue(s.requests);
        query.addBindValue(s.errors);
        query.addBindValue(s.bytesIn);
        query.addBindValue(s.bytesOut);
        query.addBindValue(s.activeVus);
        query.addBindValue(s.rps);
        query.addBindValue(s.meanMs);
        query.addBindValue(s.p50Ms);
        query.addBindValue(s.p90Ms);
        query.addBindValue(s.p95Ms);
        query.addBindValue(s.p99Ms);
        query.addBindValue(s.p999Ms);
        query.addBindValue(s.maxMs);
        query.addBindValue(StoreSql::jsonValue(s.data));
        if (!StoreSql::exec(query, QString(), error))
            return false;
    }
    QSqlQuery record(db);
    record.prepare(QStringLiteral("INSERT INTO result_intervals(result_id, t_sec, record)"
                                  " VALUES (?, ?, ?) ON CONFLICT DO NOTHING"));
    const QList<std::pair<double, QByteArray>> records = IntervalCodec::encodeByInterval(samples);
    for (const auto &[tSec, bytes] : records) {
        record.addBindValue(resultId);
        record.addBindValue(tSec);
        record.addBindValue(bytes);
        if (!StoreSql::exec(record, QString(), error))
            return false;
        if (record.numRowsAffected() > 0)
            continue;
        QSqlQuery append(db);
        append.prepare(QStringLiteral("UPDATE result_intervals SET record = ?"
                                      " WHERE result_id = ? AND t_sec = ?"));
        QSqlQuery old(db);
        old.prepare(QStringLiteral(
            "SELECT record FROM result_intervals WHERE result_id = ? AND t_sec = ?"));
        old.addBindValue(resultId);
        old.addBindValue(tSec);
        if (!StoreSql::exec(old, QString(), error))
            return false;
        if (!old.next()) {
            *error = QStringLiteral("the record of interval %1 s vanished").arg(tSec);
            return false;
        }
        append.addBindValue(QByteArray(old.value(0).toByteArray() + IntervalCodec::rowsOf(bytes)));
        append.addBindValue(resultId);
        append.addBindValue(tSec);
        if (!StoreSql::exec(append, QString(), error))
            return false;
    }
    return true;
}

bool processIsGone(qint64 pid)
{
    if (pid <= 0)
        return false;
    return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

QString formatSeconds(double seconds)
{
    return QString::number(seconds, 'g', 10);
}

} // namespace

HistoryStore::HistoryStore(QObject *parent)
    : QObject(parent)
{}

HistoryStore::~HistoryStore()
{
    close();
}

QString HistoryStore::defaultPath()
{
    const QString fromEnvironment = qEnvironmentVariable("LOADSCOPE_DB");
    if (!fromEnvironment.isEmpty())
        return fromEnvironment;
    // One folder for the GUI and the CLI whatever their application names:
    // ~/.local/share/loadscope.
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
                        QStringLiteral("/loadscope");
    QDir().mkpath(dir);
    return QDir(dir).filePath(QStringLiteral("loadscope.db"));
}

bool HistoryStore::open(const QString &path, QString *error)
{
    return open(path, OpenMode::ReadWrite, error);
}

bool HistoryStore::open(const QString &path, OpenMode mode, QString *error)
{
    close();
    QString message;
    auto fail = [&](const QString &text) {
        m_lastError = text;
        if (error)
            *error = text;
        close();
        return false;
    };

    const bool readOnly = mode == OpenMode::ReadOnly;
    if (readOnly && !QFileInfo::exists(path))
        return fail(QStringLiteral("there is no history database at ") + path);
    if (!StoreSchema::checkFile(path, &message,
                                readOnly ? StoreSchema::ForReading : StoreSchema::ForWriting))
        return fail(message);

    const int instance = ++s_storeCounter;
    m_path = path;
    m_readOnly = readOnly;
    m_readConnection = QStringLiteral("loadscope-store-read-") + QString::number(instance);
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_readConnection);
    m_db.setDatabaseName(path);
    if (readOnly)
        m_db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
    if (!m_db.open())
        return fail(StoreSchema::describeError(path, m_db.lastError()));
    if (!StoreSchema::configureConnection(m_db, path, &message))
        return fail(message);
    if (readOnly) {
        // Only check: a read-only open never migrates, so an old or foreign file is refused.
        if (!StoreSchema::checkReadable(m_db, path, &message) || !recoverAbandonedResults(&message))
            return fail(message);
        m_lastError.clear();
        return true;
    }
    if (!StoreSchema::prepare(m_db, path, &message) || !recoverAbandonedResults(&message))
        return fail(message);

    m_writerThread = makeThread(QStringLiteral("loadscope-store-writer"));
    m_writer = std::make_unique<StoreWriter>(
        QStringLiteral("loadscope-store-writer-") + QString::number(instance), path);
    m_writer->moveToThread(m_writerThread.get());
    connect(m_writer.get(), &StoreWriter::writeFailed, this, [this](const QString &text) {
        m_lastError = text;
        emit writeFailed(text);
    });
    m_writerThread->start();
    bool writerOpen = false;
    QMetaObject::invokeMethod(
        m_writer.get(), [&] { writerOpen = m_writer->openConnection(&message); },
        Qt::BlockingQueuedConnection);
    if (!writerOpen)
        return fail(message);
    m_lastError.clear();
    return true;
}

void HistoryStore::close()
{
    if (m_writer) {
        if (m_writerThread && m_writerThread->isRunning()) {
            flush();
            QMetaObject::invokeMethod(
                m_writer.get(), [this] { m_writer->closeConnection(); },
                Qt::BlockingQueuedConnection);
        }
        m_writerThread.reset(); // quit + wait: no event of the writer runs after this
        m_writer.reset();
    }
    m_writerThread.reset();
    if (m_db.isValid()) {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_readConnection);
    }
    m_readConnection.clear();
    m_path.clear();
    m_readOnly = false;
    m_abandoned.clear();
}

bool HistoryStore::isOpen() const
{
    return (m_writer != nullptr || m_readOnly) && m_db.isOpen();
}

QString HistoryStore::path() const
{
    return m_path;
}

QString HistoryStore::lastError() const
{
    return m_lastError;
}

bool HistoryStore::ensureOpen()
{
    m_readError.clear(); // every read starts here: readError() is about the latest one
    if (isOpen())
        return true;
    m_lastError = QStringLiteral("The history database is not open");
    m_readError = m_lastError;
    return false;
}

void HistoryStore::markAbandoned(ResultRecord &record) const
{
    const auto it = m_abandoned.constFind(record.id);
    if (it == m_abandoned.constEnd() || record.status != ResultStatus::Running)
        return;
    record.status = ResultStatus::Aborted;
    record.endedAt = it->first;
    record.errorDetails = it->second;
}

bool HistoryStore::failRead(const QString &what, const QSqlError &error)
{
    m_lastError = what + QStringLiteral(" in ") + m_path + QStringLiteral(" failed: ") +
                  StoreSql::errorText(error);
    m_readError = m_lastError;
    return false;
}

void HistoryStore::enqueue(const QString &what, WriteFunction run)
{
    if (!m_writer) {
        // Callable from any thread, so no m_lastError here: the signal carries the message.
        QMetaObject::invokeMethod(
            this,
            [this, what] {
                m_lastError = what + QStringLiteral(" failed: the history database is not open");
                emit writeFailed(m_lastError);
            },
            Qt::QueuedConnection);
        return;
    }
    m_writer->enqueue(WriteOp{what, std::move(run), nullptr});
}

std::optional<qint64> HistoryStore::runSync(const QString &what, WriteFunction run)
{
    if (!ensureOpen())
        return std::nullopt;
    if (!m_writer) {
        m_lastError =
            what + QStringLiteral(" failed: ") + m_path + QStringLiteral(" was opened read-only");
        return std::nullopt;
    }
    auto outcome = std::make_shared<WriteOutcome>();
    const qint64 sequence = m_writer->enqueue(WriteOp{what, std::move(run), outcome});
    if (!m_writer->waitFor(sequence, 30000)) {
        m_lastError = what + QStringLiteral(" timed out waiting for the history writer");
        return std::nullopt;
    }
    if (!outcome->ok) {
        m_lastError = what + QStringLiteral(" failed: ") + outcome->error;
        return std::nullopt;
    }
    return outcome->value;
}

bool HistoryStore::flush(int timeoutMs)
{
    if (!m_writer)
        return true;
    return m_writer->waitFor(m_writer->lastQueued(), timeoutMs);
}

qint64 HistoryStore::writeMark() const
{
    return m_writer ? m_writer->lastQueued() : 0;
}

StoreOutcome HistoryStore::flushSince(qint64 mark, int timeoutMs)
{
    if (!m_writer)
        return {false, QStringLiteral("the history database is not open for writing")};
    const qint64 upTo = m_writer->lastQueued();
    if (!m_writer->waitFor(upTo, timeoutMs)) {
        return {false, QStringLiteral("the history writer did not finish within ") +
                           QString::number(timeoutMs / 1000) + QStringLiteral(" s")};
    }
    const QString failure = m_writer->firstFailure(mark, upTo);
    if (failure.isEmpty())
        return {};
    return {false, failure};
}

bool HistoryStore::recoverAbandonedResults(QString *error)
{
    // A run whose process was killed stays 'running' forever unless someone notices: the
    // pid + host columns let a later open tell it from a run that is still going elsewhere.
    QSqlQuery query(m_db);
    query.prepare(
        QStringLiteral("SELECT r.id, r.pid, r.started_at,"
                       " (SELECT MAX(s.t_sec) FROM result_samples s WHERE s.result_id = r.id)"
                       " FROM performance_test_results r"
                       " WHERE r.status = 'running' AND r.pid IS NOT NULL AND r.host = ?"));
    query.addBindValue(QSysInfo::machineHostName());
    if (!StoreSql::exec(query, QStringLiteral("Looking for abandoned runs"), error))
        return false;
    struct Abandoned
    {
        qint64 id;
        QDateTime endedAt;
        QString details;
    };
    QList<Abandoned> abandoned;
    while (query.next()) {
        if (!processIsGone(query.value(1).toLongLong()))
            continue;
        const QDateTime startedAt = StoreSql::timeFrom(query.value(2));
        QString details = QStringLiteral("the process running this test ended before it finished ");
        QDateTime endedAt = startedAt;
        if (query.value(3).isNull()) {
            details += QStringLiteral("(no sample was recorded)");
        } else {
            const double lastT = query.value(3).toDouble();
            details +=
                QStringLiteral("(last sample at t=") + formatSeconds(lastT) + QStringLiteral("s)");
            endedAt = startedAt.addMSecs(qRound64(lastT * 1000.0));
        }
        abandoned.append({query.value(0).toLongLong(), endedAt, details});
    }
    query.finish();
    if (query.lastError().isValid()) {
        if (error)
            *error = StoreSchema::describeError(m_path, query.lastError());
        return false;
    }
    for (const Abandoned &run : abandoned) {
        if (m_readOnly) {
            // Nothing may be written: readers see the run as aborted all the same.
            m_abandoned.insert(run.id, {run.endedAt, run.details});
            continue;
        }
        QSqlQuery update(m_db);
        update.prepare(QStringLiteral("UPDATE performance_test_results SET status = 'aborted',"
                                      " ended_at = ?, error_details = ?"
                                      " WHERE id = ? AND status = 'running'"));
        update.addBindValue(StoreSql::timeValue(run.endedAt));
        update.addBindValue(run.details);
        update.addBindValue(run.id);
        if (!StoreSql::exec(update, QStringLiteral("Marking an abandoned run as aborted"), error))
            return false;
    }
    return true;
}

// ---- tests ------------------------------------------------------------------------------

qint64 HistoryStore::saveTest(const StoredTest &test)
{
    const bool insert = test.id <= 0;
    const auto id =
        runSync(insert ? QStringLiteral("Saving new test \"%1\"").arg(test.name)
                       : QStringLiteral("Saving test %1").arg(test.id),
                [test, insert](const QSqlDatabase &db, qint64 *value, QString *error) {
                    const QDateTime now = QDateTime::currentDateTimeUtc();
                    QSqlQuery query(db);
                    if (insert) {
                        query.prepare(QStringLiteral(
                            "INSERT INTO performance_tests(name, test_type, plan_json, created_at,"
                            " updated_at, baseline_result_id) VALUES (?, ?, ?, ?, ?, ?)"));
                        query.addBindValue(StoreSql::nonNull(test.name));
                        query.addBindValue(StoreSql::nonNull(test.testType));
                        query.addBindValue(StoreSql::jsonText(test.plan));
                        query.addBindValue(
                            StoreSql::timeValue(test.createdAt.isValid() ? test.createdAt : now));
                        query.addBindValue(StoreSql::timeValue(now));
                        query.addBindValue(StoreSql::idValue(test.baselineResultId));
                        if (!StoreSql::exec(query, QString(), error))
                            return false;
                        *value = query.lastInsertId().toLongLong();
                        return true;
                    }
                    query.prepare(QStringLiteral(
                        "UPDATE performance_tests SET name = ?, test_type = ?, plan_json = ?,"
                        " updated_at = ?, baseline_result_id = ? WHERE id = ?"));
                    query.addBindValue(StoreSql::nonNull(test.name));
                    query.addBindValue(StoreSql::nonNull(test.testType));
                    query.addBindValue(StoreSql::jsonText(test.plan));
                    query.addBindValue(StoreSql::timeValue(now));
                    query.addBindValue(StoreSql::idValue(test.baselineResultId));
                    query.addBindValue(test.id);
                    if (!StoreSql::exec(query, QString(), error))
                        return false;
                    if (query.numRowsAffected() == 0) {
                        *error =
                            QStringLiteral("there is no test with id ") + QString::number(test.id);
                        return false;
                    }
                    *value = test.id;
                    return true;
                });
    return id.value_or(-1);
}

qint64 HistoryStore::upsertTestByName(const StoredTest &test)
{
    const auto id =
        runSync(QStringLiteral("Saving test \"%1\"").arg(test.name),
                [test](const QSqlDatabase &db, qint64 *value, QString *error) {
                    const QVariant now = StoreSql::timeValue(QDateTime::currentDateTimeUtc());
                    // One statement: of two processes saving one new name, one inserts, the other
                    // updates — never two rows (the name is UNIQUE since schema version 3).
                    QSqlQuery query(db);
                    query.prepare(QStringLiteral(
                        "INSERT INTO performance_tests(name, test_type, plan_json, created_at,"
                        " updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET"
                        " test_type = excluded.test_type, plan_json = excluded.plan_json,"
                        " updated_at = excluded.updated_at"));
                    query.addBindValue(StoreSql::nonNull(test.name));
                    query.addBindValue(StoreSql::nonNull(test.testType));
                    query.addBindValue(StoreSql::jsonText(test.plan));
                    query.addBindValue(now);
                    query.addBindValue(now);
                    if (!StoreSql::exec(query, QString(), error))
                        return false;
                    // lastInsertId() is not the row's id after the DO UPDATE branch: ask by name.
                    QSqlQuery find(db);
                    find.prepare(QStringLiteral("SELECT id FROM performance_tests WHERE name = ?"));
                    find.addBindValue(StoreSql::nonNull(test.name));
                    if (!StoreSql::exec(find, QString(), error))
                        return false;
                    if (!find.next()) {
                        *error = QStringLiteral("the saved test is not there");
                        return false;
                    }
                    *value = find.value(0).toLongLong();
                    return true;
                });
    return id.value_or(-1);
}

bool HistoryStore::updateSummary(qint64 resultId, const QJsonObject &summary)
{
    return runSync(QStringLiteral("Rewriting the summary of result %1").arg(resultId),
                   [resultId, summary](const QSqlDatabase &db, qint64 *, QString *error) {
                       QSqlQuery query(db);
                       query.prepare(QStringLiteral("UPDATE performance_test_results"
                                                    " SET summary_json = ? WHERE id = ?"));
                       query.addBindValue(StoreSql::jsonValue(summary));
                       query.addBindValue(resultId);
                       if (!StoreSql::exec(query, QString(), error))
                           return false;
                       if (query.numRowsAffected() == 0) {
                           *error = QStringLiteral("there is no result with id ") +
                                    QString::number(resultId);
                           return false;
                       }
                       return true;
                   })
        .has_value();
}

QList<qint64> HistoryStore::resultsWithoutSummary()
{
    QList<qint64> ids;
    if (!ensureOpen())
        return ids;
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT id FROM performance_test_results"
                                   " WHERE status = 'aborted' AND summary_json IS NULL"
                                   " AND EXISTS (SELECT 1 FROM result_samples s"
                                   "  WHERE s.result_id = performance_test_results.id)"
                                   " ORDER BY id"))) {
        failRead(QStringLiteral("Looking for runs to rebuild"), query.lastError());
        return ids;
    }
    while (query.next())
        ids.append(query.value(0).toLongLong());
    failedStep(query);
    return ids;
}

bool HistoryStore::deleteTest(qint64 id)
{
    return runSync(QStringLiteral("Deleting test %1").arg(id),
                   [id](const QSqlDatabase &db, qint64 *, QString *error) {
                       QSqlQuery query(db);
                       query.prepare(QStringLiteral("DELETE FROM performance_tests WHERE id = ?"));
                       query.addBindValue(id);
                       if (!StoreSql::exec(query, QString(), error))
                           return false;
                       if (query.numRowsAffected() == 0) {
                           *error =
                               QStringLiteral("there is no test with id ") + QString::number(id);
                           return false;
                       }
                       return true;
                   })
        .has_value();
}

bool HistoryStore::setBaseline(qint64 testId, qint64 resultId)
{
    return runSync(QStringLiteral("Setting the baseline of test %1").arg(testId),
                   [testId, resultId](const QSqlDatabase &db, qint64 *, QString *error) {
                       QSqlQuery query(db);
                       query.prepare(QStringLiteral(
                           "UPDATE performance_tests SET baseline_result_id = ? WHERE id = ?"
                           " AND (? IS NULL OR EXISTS (SELECT 1 FROM performance_test_results r"
                           "  WHERE r.id = ? AND r.test_id = performance_tests.id))"));
                       query.addBindValue(StoreSql::idValue(resultId));
                       query.addBindValue(testId);
                       query.addBindValue(StoreSql::idValue(resultId));
                       query.addBindValue(resultId);
                       if (!StoreSql::exec(query, QString(), error))
                           return false;
                       if (query.numRowsAffected() == 0) {
                           *error = QStringLiteral("there is no test %1 with a result %2")
                                        .arg(testId)
                                        .arg(resultId);
                           return false;
                       }
                       return true;
                   })
        .has_value();
}

// ---- results: writes ---------------------------------------------------------------------

qint64 HistoryStore::startResult(qint64 testId, const QJsonObject &planAsRun,
                                 const QString &versionLabel)
{
    const qint64 pid = QCoreApplication::applicationPid();
    const QString host = QSysInfo::machineHostName();
    const auto id = runSync(
        QStringLiteral("Starting a result of test %1").arg(testId),
        [=](const QSqlDatabase &db, qint64 *value, QString *error) {
            QSqlQuery query(db);
            query.prepare(QStringLiteral(
                "INSERT INTO performance_test_results(test_id, test_type, status, started_at,"
                " version_label, plan_json, pid, host)"
                " VALUES (?, (SELECT test_type FROM performance_tests WHERE id = ?),"
                " 'running', ?, ?, ?, ?, ?)"));
            query.addBindValue(testId);
            query.addBindValue(testId);
            query.addBindValue(StoreSql::timeValue(QDateTime::currentDateTimeUtc()));
            query.addBindValue(versionLabel);
            query.addBindValue(StoreSql::jsonValue(planAsRun));
            query.addBindValue(pid);
            query.addBindValue(host);
            if (!StoreSql::exec(query, QString(), error))
                return false;
            *value = query.lastInsertId().toLongLong();
            return true;
        });
    return id.value_or(-1);
}

void HistoryStore::appendSamples(qint64 resultId, const QList<ResultSample> &samples)
{
    if (samples.isEmpty())
        return;
    enqueue(QStringLiteral("Appending %1 sample(s) to result %2").arg(samples.size()).arg(resultId),
            [resultId, samples](const QSqlDatabase &db, qint64 *, QString *error) {
                return insertSamples(db, resultId, samples, error);
            });
}

void HistoryStore::storeHistogram(qint64 resultId, const QString &endpoint, const QString &metric,
                                  const QByteArray &blob)
{
    enqueue(QStringLiteral("Storing histogram \"%1\" of result %2").arg(metric).arg(resultId),
            [=](const QSqlDatabase &db, qint64 *, QString *error) {
                QSqlQuery query(db);
                query.prepare(QStringLiteral(
                    "INSERT INTO result_histograms(result_id, endpoint, metric, blob)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT(result_id, endpoint, metric)"
                    " DO UPDATE SET blob = excluded.blob"));
                query.addBindValue(resultId);
                query.addBindValue(StoreSql::nonNull(endpoint));
                query.addBindValue(metric);
                query.addBindValue(blob.isNull() ? QByteArray("", 0) : blob);
                return StoreSql::exec(query, QString(), error);
            });
}

void HistoryStore::addRecommendations(qint64 resultId, const QList<Recommendation> &recommendations)
{
    if (recommendations.isEmpty())
        return;
    enqueue(QStringLiteral("Adding %1 recommendation(s) to result %2")
                .arg(recommendations.size())
                .arg(resultId),
            [resultId, recommendations](const QSqlDatabase &db, qint64 *, QString *error) {
                QSqlQuery query(db);
                query.prepare(QStringLiteral(
                    "INSERT INTO optimization_recommendations(result_id, area, impact, title,"
                    " detail, implementation, estimated_improvement, evidence_json, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
                const QVariant now = StoreSql::timeValue(QDateTime::currentDateTimeUtc());
                for (const Recommendation &r : recommendations) {
                    query.addBindValue(resultId);
                    query.addBindValue(StoreSql::nonNull(r.area));
                    query.addBindValue(StoreSql::nonNull(r.impact));
                    query.addBindValue(StoreSql::nonNull(r.title));
                    query.addBindValue(r.detail);
                    query.addBindValue(r.implementation);
                    query.addBindValue(r.estimatedImprovement);
                    query.addBindValue(StoreSql::jsonValue(r.evidence));
                    query.addBindValue(now);
                    if (!StoreSql::exec(query, QString(), error))
                        return false;
                }
                return true;
            });
}

void HistoryStore::finishResult(qint64 resultId, ResultStatus status, const QJsonObject &summary,
                                const QString &errorDetails)
{
    enqueue(QStringLiteral("Finishing result %1").arg(resultId), [=](const QSqlDatabase &db,
                                                                     qint64 *, QString *error) {
        QSqlQuery query(db);
        query.prepare(QStringLiteral("UPDATE performance_test_results SET status = ?, ended_at = ?,"
                                     " summary_json = ?, error_details = ? WHERE id = ?"));
        query.addBindValue(resultStatusToString(status));
        query.addBindValue(StoreSql::timeValue(QDateTime::currentDateTimeUtc()));
        query.addBindValue(StoreSql::jsonValue(summary));
        query.addBindValue(errorDetails);
        query.addBindValue(resultId);
        if (!StoreSql::exec(query, QString(), error))
            return false;
        if (query.numRowsAffected() == 0) {
            *error = QStringLiteral("there is no result with id ") + QString::number(resultId);
            return false;
        }
        return true;
    });
}

bool HistoryStore::deleteResult(qint64 id)
{
    return runSync(QStringLiteral("Deleting result %1").arg(id),
                   [id](const QSqlDatabase &db, qint64 *, QString *error) {
                       QSqlQuery query(db);
                       query.prepare(
                           QStringLiteral("DELETE FROM performance_test_results WHERE id = ?"));
                       query.addBindValue(id);
                       if (!StoreSql::exec(query, QString(), error))
                           return false;
                       if (query.numRowsAffected() == 0) {
                           *error =
                               QStringLiteral("there is no result with id ") + QString::number(id);
                           return false;
                       }
                       return true;
                   })
        .has_value();
}

QString HistoryStore::histogramKey(const QString &endpoint, const QString &metric)
{
    return endpoint + QLatin1Char('\t') + metric;
}

std::pair<QString, QString> HistoryStore::splitHistogramKey(const QString &key)
{
    const qsizetype tab = key.indexOf(QLatin1Char('\t'));
    if (tab < 0)
        return {QString(), key};
    return {key.left(tab), key.mid(tab + 1)};
}

} // namespace loadscope

namespace loadscope {

// ---- imported runs -----------------------------------------------------------------------

qint64 HistoryStore::storeImportedResult(const ImportedResult &imported, bool *duplicate)
{
    auto duplicateOf = std::make_shared<qint64>(0);
    // One write op is one savepoint inside the writer's transaction: a failure (or a kill)
    // anywhere below leaves nothing of the run in the file.
    const auto id = runSync(
        QStringLiteral("Importing \"%1\"").arg(imported.source.fileName),
        [imported, duplicateOf](const QSqlDatabase &db, qint64 *value, QString *error) {
            QSqlQuery seen(db);
            seen.prepare(
                QStringLiteral("SELECT result_id FROM result_sources WHERE content_hash = ?"));
            seen.addBindValue(imported.source.contentHash);
            if (!StoreSql::exec(seen, QString(), error))
                return false;
            if (seen.next()) {
                *duplicateOf = seen.value(0).toLongLong();
                *value = *duplicateOf;
                return true;
            }
            const QVariant now = StoreSql::timeValue(QDateTime::currentDateTimeUtc());
            QSqlQuery test(db);
            test.prepare(QStringLiteral(
                "INSERT INTO performance_tests(name, test_type, plan_json, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(name) DO NOTHING"));
            test.addBindValue(StoreSql::nonNull(imported.test.name));
            test.addBindValue(StoreSql::nonNull(imported.test.testType));
            test.addBindValue(StoreSql::jsonText(imported.test.plan));
            test.addBindValue(now);
            test.addBindValue(now);
            if (!StoreSql::exec(test, QString(), error))
                return false;
            QSqlQuery find(db);
            find.prepare(QStringLiteral("SELECT id FROM performance_tests WHERE name = ?"));
            find.addBindValue(StoreSql::nonNull(imported.test.name));
            if (!StoreSql::exec(find, QString(), error) || !find.next()) {
                if (error->isEmpty())
                    *error = QStringLiteral("the test is not there");
                return false;
            }
            const qint64 testId = find.value(0).toLongLong();

            QSqlQuery result(db);
            result.prepare(QStringLiteral(
                "INSERT INTO performance_test_results(test_id, test_type, status, started_at,"
                " ended_at, version_label, plan_json, error_details)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
            result.addBindValue(testId);
            result.addBindValue(StoreSql::nonNull(imported.test.testType));
            result.addBindValue(resultStatusToString(imported.status));
            result.addBindValue(StoreSql::timeValue(imported.startedAt));
            result.addBindValue(StoreSql::timeValue(imported.endedAt));
            result.addBindValue(imported.versionLabel);
            result.addBindValue(StoreSql::jsonValue(imported.plan));
            result.addBindValue(imported.errorDetails);
            if (!StoreSql::exec(result, QString(), error))
                return false;
            const qint64 resultId = result.lastInsertId().toLongLong();

            QJsonObject summary = imported.summary;
            summary.insert(QStringLiteral("id"), resultId);
            QSqlQuery setSummary(db);
            setSummary.prepare(QStringLiteral(
                "UPDATE performance_test_results SET summary_json = ? WHERE id = ?"));
            setSummary.addBindValue(StoreSql::jsonValue(summary));
            setSummary.addBindValue(resultId);
            if (!StoreSql::exec(setSummary, QString(), error))
                return false;

            if (!insertSamples(db, resultId, imported.samples, error))
                return false;
            QSqlQuery histogram(db);
            histogram.prepare(
                QStringLiteral("INSERT INTO result_histograms(result_id, endpoint, metric, blob)"
                               " VALUES (?, ?, ?, ?)"));
            for (const StoredHistogram &h : imported.histograms) {
                histogram.addBindValue(resultId);
                histogram.addBindValue(StoreSql::nonNull(h.endpoint));
                histogram.addBindValue(h.metric);
                histogram.addBindValue(h.blob.isNull() ? QByteArray("", 0) : h.blob);
                if (!StoreSql::exec(histogram, QString(), error))
                    return false;
            }
            const ResultSource &src = imported.source;
            QSqlQuery source(db);
            source.prepare(QStringLiteral(
                "INSERT INTO result_sources(result_id, tool, tool_version, format, file_name,"
                " content_hash, lines, bad_lines, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                "?)"));
            source.addBindValue(resultId);
            source.addBindValue(StoreSql::nonNull(src.tool));
            source.addBindValue(src.toolVersion.isEmpty() ? QVariant() : QVariant(src.toolVersion));
            source.addBindValue(StoreSql::nonNull(src.format));
            source.addBindValue(StoreSql::nonNull(src.fileName));
            source.addBindValue(src.contentHash);
            source.addBindValue(src.lines);
            source.addBindValue(src.badLines);
            source.addBindValue(now);
            if (!StoreSql::exec(source, QString(), error))
                return false;
            *value = resultId;
            return true;
        });
    if (duplicate)
        *duplicate = *duplicateOf > 0;
    return id.value_or(-1);
}

qint64 HistoryStore::resultWithContentHash(const QString &hash)
{
    if (!ensureOpen())
        return 0;
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT result_id FROM result_sources WHERE content_hash = ?"));
    query.addBindValue(hash);
    if (!query.exec()) {
        failRead(QStringLiteral("Looking for an imported file"), query.lastError());
        return 0;
    }
    return query.next() ? query.value(0).toLongLong() : 0;
}

} // namespace loadscope
