#include "storeschema.h"

#include <atomic>
#include <iterator>

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>
#include <QThread>

#include "store/intervalcodec.h"
#include "store/storesql.h"

namespace loadscope {

namespace {

QStringList version1Statements()
{
    return {
        QStringLiteral("CREATE TABLE performance_tests ("
                       " id INTEGER PRIMARY KEY,"
                       " name TEXT NOT NULL,"
                       " test_type TEXT NOT NULL,"
                       " plan_json TEXT NOT NULL,"
                       " created_at TEXT NOT NULL,"
                       " updated_at TEXT NOT NULL)"),
        QStringLiteral("CREATE TABLE performance_test_results ("
                       " id INTEGER PRIMARY KEY,"
                       " test_id INTEGER NOT NULL REFERENCES performance_tests(id)"
                       " ON DELETE CASCADE,"
                       " status TEXT NOT NULL"
                       " CHECK(status IN ('running','completed','failed','aborted')),"
                       " started_at TEXT NOT NULL,"
                       " ended_at TEXT,"
                       " version_label TEXT,"
                       " plan_json TEXT,"
                       " summary_json TEXT,"
                       " error_details TEXT)"),
        QStringLiteral("CREATE INDEX idx_results_test_started"
                       " ON performance_test_results(test_id, started_at)"),
        QStringLiteral("CREATE INDEX idx_results_status ON performance_test_results(status)"),
        QStringLiteral("CREATE TABLE optimization_recommendations ("
                       " id INTEGER PRIMARY KEY,"
                       " result_id INTEGER NOT NULL REFERENCES performance_test_results(id)"
                       " ON DELETE CASCADE,"
                       " area TEXT NOT NULL,"
                       " impact TEXT NOT NULL"
                       " CHECK(impact IN ('low','medium','high','critical')),"
                       " title TEXT NOT NULL,"
                       " detail TEXT,"
                       " implementation TEXT,"
                       " estimated_improvement TEXT,"
                       " evidence_json TEXT,"
                       " created_at TEXT NOT NULL)"),
        QStringLiteral("CREATE INDEX idx_recommendations_result"
                       " ON optimization_recommendations(result_id)"),
        QStringLiteral("CREATE TABLE result_samples ("
                       " id INTEGER PRIMARY KEY,"
                       " result_id INTEGER NOT NULL REFERENCES performance_test_results(id)"
                       " ON DELETE CASCADE,"
                       " t_sec REAL NOT NULL,"
                       " endpoint TEXT NOT NULL DEFAULT '',"
                       " requests INTEGER, errors INTEGER, bytes_in INTEGER, bytes_out INTEGER,"
                       " active_vus INTEGER, rps REAL, mean_ms REAL, p50_ms REAL, p90_ms REAL,"
                       " p95_ms REAL, p99_ms REAL, p999_ms REAL, max_ms REAL,"
                       " data_json TEXT)"),
        QStringLiteral("CREATE INDEX idx_samples_result_endpoint_t"
                       " ON result_samples(result_id, endpoint, t_sec)"),
        QStringLiteral("CREATE TABLE result_histograms ("
                       " id INTEGER PRIMARY KEY,"
                       " result_id INTEGER NOT NULL REFERENCES performance_test_results(id)"
                       " ON DELETE CASCADE,"
                       " endpoint TEXT NOT NULL DEFAULT '',"
                       " metric TEXT NOT NULL,"
                       " blob BLOB NOT NULL,"
                       " UNIQUE(result_id, endpoint, metric))"),
    };
}

// Version 2: a pinned baseline per test, the test type copied onto each run (so a run keeps
// it when its test is edited) and the pid/host of the process that writes a running result,
// so that a later open can tell a live run from one whose process was killed.
QStringList version2Statements()
{
    return {
        QStringLiteral("ALTER TABLE performance_tests ADD COLUMN baseline_result_id INTEGER NULL"
                       " REFERENCES performance_test_results(id) ON DELETE SET NULL"),
        QStringLiteral("ALTER TABLE performance_test_results ADD COLUMN test_type TEXT"),
        QStringLiteral("ALTER TABLE performance_test_results ADD COLUMN pid INTEGER"),
        QStringLiteral("ALTER TABLE performance_test_results ADD COLUMN host TEXT"),
        QStringLiteral("UPDATE performance_test_results SET test_type ="
                       " (SELECT t.test_type FROM performance_tests t"
                       "  WHERE t.id = performance_test_results.test_id)"
                       " WHERE test_type IS NULL"),
    };
}

// Version 3: test names are unique, so that creating a test is one upsert and two processes
// can never create two tests of one name (which hid runs from `history list --test=`).
// Existing duplicates merge into the oldest test of the name: every run is kept and re-pointed.
QStringList version3Statements()
{
    const QString survivor = QStringLiteral(
        "(SELECT MIN(k.id) FROM performance_tests k WHERE k.name = performance_tests.name)");
    return {
        QStringLiteral("UPDATE performance_test_results SET test_id ="
                       " (SELECT MIN(k.id) FROM performance_tests k WHERE k.name ="
                       "  (SELECT t.name FROM performance_tests t"
                       "   WHERE t.id = performance_test_results.test_id))"),
        // The survivor takes the newest plan and the pinned baseline of the duplicates.
        QStringLiteral("UPDATE performance_tests SET"
                       " plan_json = (SELECT d.plan_json FROM performance_tests d"
                       "  WHERE d.name = performance_tests.name"
                       "  ORDER BY d.updated_at DESC, d.id DESC LIMIT 1),"
                       " updated_at = (SELECT MAX(d.updated_at) FROM performance_tests d"
                       "  WHERE d.name = performance_tests.name),"
                       " baseline_result_id = COALESCE(baseline_result_id,"
                       "  (SELECT d.baseline_result_id FROM performance_tests d"
                       "   WHERE d.name = performance_tests.name"
                       "   AND d.baseline_result_id IS NOT NULL"
                       "   ORDER BY d.updated_at DESC, d.id DESC LIMIT 1))"
                       " WHERE id = ") +
            survivor +
            QStringLiteral(" AND (SELECT COUNT(*) FROM performance_tests d"
                           "  WHERE d.name = performance_tests.name) > 1"),
        QStringLiteral("DELETE FROM performance_tests WHERE id <> ") + survivor,
        QStringLiteral("CREATE UNIQUE INDEX idx_tests_name ON performance_tests(name)"),
    };
}

// Version 4: where an imported run came from (k6, JMeter, Locust): one row per imported run.
// The content hash is unique, so the same file imported twice is recognised and never stored
// twice; a Loadscope run has no row.
QStringList version4Statements()
{
    return {
        QStringLiteral("CREATE TABLE result_sources ("
                       " result_id INTEGER PRIMARY KEY REFERENCES performance_test_results(id)"
                       " ON DELETE CASCADE,"
                       " tool TEXT NOT NULL,"
                       " tool_version TEXT,"
                       " format TEXT NOT NULL,"
                       " file_name TEXT NOT NULL,"
                       " content_hash TEXT NOT NULL UNIQUE,"
                       " lines INTEGER,"
                       " bad_lines INTEGER,"
                       " imported_at TEXT NOT NULL)"),
    };
}

// Version 5: the figures a list shows, in columns of the run's row, so that listing 10,000
// runs (history list, the REST list, the History table) reads no summary JSON. Triggers fill
// them from summary_json whenever a row is inserted with one or its summary is rewritten, so
// every path that stores a summary (own runs, imports, rebuilt runs) fills them in one place;
// the last statement fills them for the runs already stored. An index on the start time lets a
// newest-first page walk the index instead of sorting every row.
QStringList version5Statements()
{
    QStringList statements;
    for (const char *column :
         {"requests INTEGER", "errors INTEGER", "rps REAL", "error_rate REAL", "p50_ms REAL",
          "p90_ms REAL", "p95_ms REAL", "p99_ms REAL", "max_ms REAL", "mean_ms REAL",
          "duration_sec REAL", "verdict TEXT", "thresholds_passed INTEGER", "totals_json TEXT",
          "latency_json TEXT"}) {
        statements << QStringLiteral("ALTER TABLE performance_test_results ADD COLUMN ") +
                          QLatin1String(column);
    }
    const QString fill = StoreSchema::figuresUpdateSql();
    statements << QStringLiteral("CREATE TRIGGER results_figures_on_insert"
                                 " AFTER INSERT ON performance_test_results"
                                 " WHEN NEW.summary_json IS NOT NULL BEGIN ") +
                      fill + QStringLiteral(" WHERE id = NEW.id; END");
    statements << QStringLiteral("CREATE TRIGGER results_figures_on_summary"
                                 " AFTER UPDATE OF summary_json ON performance_test_results"
                                 " BEGIN ") +
                      fill + QStringLiteral(" WHERE id = NEW.id; END");
    statements << fill;
    statements << QStringLiteral("CREATE INDEX idx_results_started"
                                 " ON performance_test_results(started_at, id)");
    return statements;
}

//! The optimization loop: annotations (what changed, by whom, a link) on a run or on a test
//! at a point in time, and the follow-up state of each recommendation.
QStringList version6Statements()
{
    return {
        QStringLiteral("CREATE TABLE result_annotations ("
                       " id INTEGER PRIMARY KEY,"
                       " test_id INTEGER NOT NULL REFERENCES performance_tests(id)"
                       " ON DELETE CASCADE,"
                       " result_id INTEGER REFERENCES performance_test_results(id)"
                       " ON DELETE CASCADE,"
                       " at TEXT NOT NULL,"
                       " note TEXT NOT NULL,"
                       " author TEXT,"
                       " link TEXT,"
                       " created_at TEXT NOT NULL)"),
        QStringLiteral("CREATE INDEX idx_annotations_test ON result_annotations(test_id, at)"),
        QStringLiteral("CREATE INDEX idx_annotations_result ON result_annotations(result_id)"),
        QStringLiteral("ALTER TABLE optimization_recommendations ADD COLUMN state TEXT NOT NULL"
                       " DEFAULT 'open' CHECK(state IN ('open','applied','dismissed'))"),
        QStringLiteral("ALTER TABLE optimization_recommendations ADD COLUMN applied_result_id"
                       " INTEGER REFERENCES performance_test_results(id) ON DELETE SET NULL"),
        QStringLiteral("ALTER TABLE optimization_recommendations ADD COLUMN state_reason TEXT"),
        QStringLiteral("ALTER TABLE optimization_recommendations ADD COLUMN state_changed_at TEXT"),
        QStringLiteral("ALTER TABLE optimization_recommendations ADD COLUMN measured_json TEXT"),
    };
}

// Version 7: (1) each interval's compact record (IntervalCodec) in a table of its own, keyed by
// run and time, so that opening or comparing a one-hour run reads 3,600 short records in key
// order instead of parsing 14,400 JSON texts and sorting them; applySteps() fills it for the
// runs already stored (C++ work: the records are binary). (2) What started a run (`run
// --scheduled` stores "trigger": "schedule" in its summary) in a column of its own, filled by
// triggers like the version 5 figures, so that the History table can flag scheduled runs that
// regressed and filter them in SQL; a partial index holds only the triggered runs.
QStringList version7Statements()
{
    const QString fill =
        QStringLiteral("UPDATE performance_test_results SET run_trigger ="
                       " CASE WHEN json_valid(summary_json) THEN summary_json ->> '$.trigger' END");
    return {
        // A rowid table: a record (~1 KB for four rows) fits in its leaf page there, where a
        // WITHOUT ROWID table's smaller local payload would spill each into an overflow page.
        QStringLiteral("CREATE TABLE result_intervals ("
                       " id INTEGER PRIMARY KEY,"
                       " result_id INTEGER NOT NULL REFERENCES performance_test_results(id)"
                       " ON DELETE CASCADE,"
                       " t_sec REAL NOT NULL,"
                       " record BLOB NOT NULL,"
                       " UNIQUE(result_id, t_sec))"),
        QStringLiteral("ALTER TABLE performance_test_results ADD COLUMN run_trigger TEXT"),
        QStringLiteral("CREATE TRIGGER results_trigger_on_insert"
                       " AFTER INSERT ON performance_test_results"
                       " WHEN NEW.summary_json IS NOT NULL BEGIN ") +
            fill + QStringLiteral(" WHERE id = NEW.id; END"),
        QStringLiteral("CREATE TRIGGER results_trigger_on_summary"
                       " AFTER UPDATE OF summary_json ON performance_test_results BEGIN ") +
            fill + QStringLiteral(" WHERE id = NEW.id; END"),
        fill + QStringLiteral(" WHERE summary_json IS NOT NULL"),
        QStringLiteral("CREATE INDEX idx_results_trigger ON performance_test_results"
                       "(run_trigger, verdict, started_at) WHERE run_trigger IS NOT NULL"),
    };
}

QStringList statementsFor(int version)
{
    switch (version) {
    case 1:
        return version1Statements();
    case 2:
        return version2Statements();
    case 3:
        return version3Statements();
    case 4:
        return version4Statements();
    case 5:
        return version5Statements();
    case 6:
        return version6Statements();
    case 7:
        return version7Statements();
    default:
        return {};
    }
}

// The first existing ancestor of a directory that could not be created, to say why.
QString blockingAncestor(const QString &dir)
{
    QFileInfo info(dir);
    while (!info.exists() && !info.isRoot()) {
        const QString parent = info.absolutePath();
        if (parent == info.absoluteFilePath())
            break;
        info = QFileInfo(parent);
    }
    return info.absoluteFilePath();
}

std::atomic<int> s_tempConnectionCounter{0};

} // namespace

QString StoreSchema::figuresUpdateSql()
{
    // One parse per row: json_extract with several paths answers one JSON array of the values.
    // A summary that is not valid JSON leaves the figures NULL rather than failing the write.
    static const char *const paths[] = {
        "$.totals.requests", "$.totals.errors", "$.totals.throughputRps", "$.totals.errorRate",
        "$.latencyMs.p50",   "$.latencyMs.p90", "$.latencyMs.p95",        "$.latencyMs.p99",
        "$.latencyMs.max",   "$.latencyMs.avg", "$.durationSec",          "$.comparison.verdict",
        "$.totals",          "$.latencyMs"};
    QStringList quoted;
    QStringList picks;
    for (int i = 0; i < int(std::size(paths)); ++i) {
        quoted << u'\'' + QLatin1String(paths[i]) + u'\'';
        // ->> answers SQL values: numbers as numbers, objects as their JSON text.
        picks << QStringLiteral("f ->> %1").arg(i);
    }
    return QStringLiteral("UPDATE performance_test_results SET (requests, errors, rps,"
                          " error_rate, p50_ms, p90_ms, p95_ms, p99_ms, max_ms, mean_ms,"
                          " duration_sec, verdict, totals_json, latency_json,"
                          " thresholds_passed) = (SELECT ") +
           picks.join(QStringLiteral(", ")) +
           QStringLiteral(", (SELECT min(coalesce(t.value ->> 'passed', 1)) FROM"
                          "  json_each(performance_test_results.summary_json, '$.thresholds') t)"
                          " FROM (SELECT json_extract(performance_test_results.summary_json, ") +
           quoted.join(QStringLiteral(", ")) +
           QStringLiteral(") AS f WHERE json_valid(performance_test_results.summary_json)))");
}

bool StoreSchema::checkFile(const QString &path, QString *error, Access access)
{
    auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    if (path.isEmpty())
        return fail(QStringLiteral("No history database file was given"));

    const QFileInfo info(path);
    const QString dir = info.absolutePath();
    if (info.exists() && info.isDir())
        return fail(path + QStringLiteral(" is a directory, not a Loadscope database"));

    if (!QFileInfo(dir).isDir() && access == ForWriting) {
        if (!QDir().mkpath(dir)) {
            const QString ancestor = blockingAncestor(dir);
            const QFileInfo ancestorInfo(ancestor);
            QString reason;
            if (ancestorInfo.exists() && !ancestorInfo.isDir())
                reason = ancestor + QStringLiteral(" is a file, not a directory");
            else
                reason = ancestor + QStringLiteral(" is not writable");
            return fail(QStringLiteral("Cannot create the directory of ") + path +
                        QStringLiteral(": ") + reason);
        }
    }

    if (info.exists()) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return fail(path + QStringLiteral(" cannot be read: ") + file.errorString());
        const QByteArray header = file.read(16);
        static const QByteArray sqliteHeader("SQLite format 3\0", 16);
        // An empty file is a valid new database for SQLite; anything else must carry the header.
        if (file.size() > 0 && header != sqliteHeader) {
            return fail(path +
                        QStringLiteral(" is not a Loadscope database: file is not a database"));
        }
        if (access == ForReading)
            return true;
        if (!info.isWritable())
            return fail(path + QStringLiteral(" is read-only: the file is not writable"));
    }
    if (access == ForReading)
        return true;
    if (!QFileInfo(dir).isWritable()) {
        return fail(path + QStringLiteral(" is read-only: its directory ") + dir +
                    QStringLiteral(" is not writable (SQLite keeps its -wal and -shm files"
                                   " there)"));
    }
    return true;
}

bool StoreSchema::configureConnection(const QSqlDatabase &db, const QString &path, QString *error)
{
    // busy_timeout first: every later statement may meet another process's lock.
    for (const char *pragma : {"PRAGMA busy_timeout = 5000", "PRAGMA foreign_keys = ON",
                               "PRAGMA synchronous = NORMAL"}) {
        QSqlQuery query(db);
        if (!query.exec(QLatin1String(pragma))) {
            if (error)
                *error = describeError(path, query.lastError());
            return false;
        }
    }
    return true;
}

int StoreSchema::userVersion(const QSqlDatabase &db, const QString &path, QString *error)
{
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("PRAGMA user_version")) || !query.next()) {
        if (error)
            *error = describeError(path, query.lastError());
        return -1;
    }
    return query.value(0).toInt();
}

bool StoreSchema::refuseVersion(const QSqlDatabase &db, const QString &path, int version,
                                QString *error)
{
    if (version > currentVersion) {
        if (error) {
            *error = path + QStringLiteral(" was written by a newer Loadscope (schema version ") +
                     QString::number(version) +
                     QStringLiteral("; this build knows versions up to ") +
                     QString::number(currentVersion) +
                     QStringLiteral("); it is left untouched, open it with a newer Loadscope");
        }
        return true;
    }
    if (version == 0) {
        // A fresh file has no tables; an SQLite file of another program must not get ours.
        QSqlQuery query(db);
        if (!query.exec(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table'"
                                       " AND name NOT LIKE 'sqlite_%' ORDER BY name"))) {
            if (error)
                *error = describeError(path, query.lastError());
            return true;
        }
        QStringList tables;
        while (query.next())
            tables << query.value(0).toString();
        if (query.lastError().isValid()) {
            if (error)
                *error = describeError(path, query.lastError());
            return true;
        }
        // Another process may have migrated the new file between our two reads: its tables
        // are ours then, and its version says so.
        if (!tables.isEmpty()) {
            const int now = userVersion(db, path, nullptr);
            if (now > 0 && now <= currentVersion)
                return false;
        }
        if (!tables.isEmpty()) {
            if (error) {
                *error = path +
                         QStringLiteral(" is not a Loadscope database: it holds other"
                                        " tables (") +
                         tables.join(QStringLiteral(", ")) + QLatin1Char(')');
            }
            return true;
        }
    }
    return false;
}

bool StoreSchema::checkReadable(const QSqlDatabase &db, const QString &path, QString *error)
{
    const int version = userVersion(db, path, error);
    if (version < 0 || refuseVersion(db, path, version, error))
        return false;
    if (version < currentVersion) {
        if (error) {
            *error = path + QStringLiteral(" holds schema version ") + QString::number(version) +
                     QStringLiteral("; open it once for writing (e.g. loadscope-cli run) to"
                                    " update it to version ") +
                     QString::number(currentVersion);
        }
        return false;
    }
    return true;
}

bool StoreSchema::prepare(const QSqlDatabase &db, const QString &path, QString *error)
{
    // A first look outside any transaction, so that a refused file is never modified...
    const int version = userVersion(db, path, error);
    if (version < 0 || refuseVersion(db, path, version, error))
        return false;
    if (version == currentVersion)
        return true; // the common case: no lock taken, the file already is in WAL mode

    // ... switching to WAL needs no transaction and is idempotent...
    // SQLite answers SQLITE_BUSY to a journal-mode change without calling the busy handler
    // while another process holds the new file, so that one statement waits here itself.
    QSqlQuery wal(db);
    QDeadlineTimer patience(5000);
    while (!wal.exec(QStringLiteral("PRAGMA journal_mode = WAL"))) {
        const QString code = wal.lastError().nativeErrorCode();
        const bool busy = code == QLatin1String("5") || code == QLatin1String("6");
        if (!busy || patience.hasExpired()) {
            if (error)
                *error = describeError(path, wal.lastError());
            return false;
        }
        QThread::msleep(10);
    }
    wal.finish();
    // ... and the version that counts is read again under the write lock (applySteps).
    return applySteps(db, path, currentVersion, error);
}

bool StoreSchema::applySteps(const QSqlDatabase &db, const QString &path, int targetVersion,
                             QString *error)
{
    QString failure;
    int from = -1;
    // BEGIN IMMEDIATE takes the write lock at once (waiting up to busy_timeout for another
    // process's migration); user_version read inside it cannot change until COMMIT.
    bool ok = StoreSql::exec(db, QStringLiteral("BEGIN IMMEDIATE"), &failure);
    if (ok) {
        from = userVersion(db, path, &failure);
        ok = from >= 0 && !refuseVersion(db, path, from, &failure);
        for (int step = from + 1; ok && step <= targetVersion; ++step) {
            const QStringList statements = statementsFor(step);
            for (const QString &statement : statements) {
                if (!StoreSql::exec(db, statement, &failure)) {
                    ok = false;
                    break;
                }
            }
            if (ok && step == 7)
                ok = IntervalCodec::fillFromSamples(db, &failure);
            if (!ok)
                failure = QStringLiteral("schema version ") + QString::number(step) +
                          QStringLiteral(": ") + failure;
        }
        // user_version lives in the file header and is part of the transaction.
        if (ok && from < targetVersion) {
            ok = StoreSql::exec(
                db, QStringLiteral("PRAGMA user_version = ") + QString::number(targetVersion),
                &failure);
        }
        ok = ok && StoreSql::exec(db, QStringLiteral("COMMIT"), &failure);
        if (!ok)
            StoreSql::exec(db, QStringLiteral("ROLLBACK"), nullptr);
    }
    if (!ok && error) {
        *error = QStringLiteral("Updating ") + path + QStringLiteral(" to schema version ") +
                 QString::number(targetVersion) + QStringLiteral(" failed: ") + failure;
    }
    return ok;
}

bool StoreSchema::createVersion1Database(const QString &path, QString *error)
{
    return createDatabase(path, 1, error);
}

bool StoreSchema::createDatabase(const QString &path, int version, QString *error)
{
    if (version < 1 || version > currentVersion) {
        if (error)
            *error = QStringLiteral("no schema version ") + QString::number(version);
        return false;
    }
    if (!checkFile(path, error))
        return false;
    const QString name = QStringLiteral("loadscope-schema-v%1-").arg(version) +
                         QString::number(++s_tempConnectionCounter);
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        if (!db.open()) {
            if (error)
                *error = describeError(path, db.lastError());
        } else {
            const int existing = userVersion(db, path, error);
            if (existing == 0) {
                ok = configureConnection(db, path, error) && applySteps(db, path, version, error);
            } else if (existing > 0 && error) {
                *error = path + QStringLiteral(" already holds a schema (version ") +
                         QString::number(existing) + QLatin1Char(')');
            }
            db.close();
        }
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

QString StoreSchema::describeError(const QString &path, const QSqlError &error)
{
    const QString text = StoreSql::rawErrorText(error);
    switch (error.nativeErrorCode().toInt() & 0xff) {
    case SqliteNotADb:
        return path + QStringLiteral(" is not a Loadscope database: file is not a database");
    case SqliteReadOnly:
        return path + QStringLiteral(" is read-only: ") + text;
    case SqliteCantOpen:
        return path + QStringLiteral(" cannot be opened: ") + text;
    case SqliteIoErr:
        return path + QStringLiteral(": ") + StoreSql::withDiskState(text, path);
    default:
        return path + QStringLiteral(": ") + StoreSql::errorText(error);
    }
}

} // namespace loadscope
