#include <algorithm>
#include <functional>
#include <unistd.h>

#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>

#include "store/historystore.h"
#include "store/storeschema.h"
#include "testmain.h"

using namespace loadscope;

namespace {

// Runs \a body on a plain connection to \a path, then removes the connection.
bool withConnection(const QString &path, const std::function<bool(QSqlDatabase &)> &body)
{
    static int counter = 0;
    const QString name = QStringLiteral("migration-raw-") + QString::number(++counter);
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        ok = db.open() && body(db);
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

bool run(QSqlDatabase &db, const QString &sql)
{
    QSqlQuery query(db);
    if (query.exec(sql))
        return true;
    qWarning("%s: %s", qPrintable(sql), qPrintable(query.lastError().text()));
    return false;
}

QVariant scalar(const QString &path, const QString &sql)
{
    QVariant value;
    withConnection(path, [&](QSqlDatabase &db) {
        QSqlQuery query(db);
        if (query.exec(sql) && query.next())
            value = query.value(0);
        return true;
    });
    return value;
}

QStringList columns(const QString &path, const QString &table)
{
    QStringList names;
    withConnection(path, [&](QSqlDatabase &db) {
        QSqlQuery query(db);
        query.exec(QStringLiteral("PRAGMA table_info(") + table + QLatin1Char(')'));
        while (query.next())
            names << query.value(1).toString();
        return true;
    });
    return names;
}

QByteArray contents(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

} // namespace

class TestStoreMigration : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }
    void migratesVersion1();
    void currentFileIsNotMigratedAgain();
    void newerVersionIsRefused();
    void notADatabaseIsRefused_data();
    void notADatabaseIsRefused();
    void foreignSqliteFileIsRefused();
    void emptyFileBecomesADatabase();
    void directoryThatCannotBeCreated();
    void directoryAsPath();
    void readOnlyFile();
    void duplicateTestNamesAreMerged();

private:
    QString path(const char *name) const { return m_dir.filePath(QLatin1String(name)); }
    QTemporaryDir m_dir;
};

void TestStoreMigration::migratesVersion1()
{
    const QString db = path("v1.db");
    QString error;
    QVERIFY2(StoreSchema::createVersion1Database(db, &error), qPrintable(error));
    QCOMPARE(scalar(db, QStringLiteral("PRAGMA user_version")).toInt(), 1);
    QVERIFY(!columns(db, QStringLiteral("performance_tests"))
                 .contains(QStringLiteral("baseline_result_id")));
    QVERIFY(
        !columns(db, QStringLiteral("performance_test_results")).contains(QStringLiteral("pid")));

    QVERIFY(withConnection(db, [](QSqlDatabase &c) {
        return run(c, QStringLiteral("INSERT INTO performance_tests VALUES (1, 'Legacy',"
                                     " 'ML_PREDICTION_THROUGHPUT', '{\"vus\":3}',"
                                     " '2024-01-02T03:04:05.000Z', '2024-01-02T03:04:05.000Z')")) &&
               run(c, QStringLiteral(
                          "INSERT INTO performance_tests VALUES (2, 'Other', 'LOAD_TEST',"
                          " '{}', '2024-01-03T00:00:00.000Z', '2024-01-03T00:00:00.000Z')")) &&
               run(c,
                   QStringLiteral("INSERT INTO performance_test_results(id, test_id, status,"
                                  " started_at, ended_at, version_label, summary_json) VALUES"
                                  " (10, 1, 'completed', '2024-01-02T04:00:00.000Z',"
                                  " '2024-01-02T04:00:30.000Z', 'v0.9', '{\"requests\":42}')")) &&
               run(c, QStringLiteral(
                          "INSERT INTO performance_test_results(id, test_id, status,"
                          " started_at) VALUES (11, 2, 'failed', '2024-01-03T01:00:00.000Z')")) &&
               run(c,
                   QStringLiteral("INSERT INTO result_samples(result_id, t_sec, requests, p95_ms)"
                                  " VALUES (10, 1.0, 100, 12.5)")) &&
               run(c, QStringLiteral("INSERT INTO result_histograms(result_id, metric, blob)"
                                     " VALUES (10, 'duration', x'0102')")) &&
               run(c, QStringLiteral(
                          "INSERT INTO optimization_recommendations(result_id, area,"
                          " impact, title, created_at) VALUES (10, 'latency', 'low', 'Tail',"
                          " '2024-01-02T04:00:31.000Z')"));
    }));

    {
        HistoryStore store;
        QVERIFY2(store.open(db, &error), qPrintable(error));
        const auto legacy = store.test(1);
        QVERIFY(legacy);
        QCOMPARE(legacy->name, QStringLiteral("Legacy"));
        QCOMPARE(legacy->plan.value(QStringLiteral("vus")).toInt(), 3);
        QCOMPARE(legacy->baselineResultId, 0);
        const auto result = store.result(10);
        QVERIFY(result);
        QCOMPARE(result->status, ResultStatus::Completed);
        QCOMPARE(result->testType, QStringLiteral("ML_PREDICTION_THROUGHPUT"));
        QCOMPARE(result->versionLabel, QStringLiteral("v0.9"));
        QCOMPARE(result->summary.value(QStringLiteral("requests")).toInt(), 42);
        QCOMPARE(result->startedAt, QDateTime(QDate(2024, 1, 2), QTime(4, 0), Qt::UTC));
        QCOMPARE(store.samples(10).size(), 1);
        QCOMPARE(store.samples(10).at(0).p95Ms, 12.5);
        QCOMPARE(store.histogram(10, QString(), QStringLiteral("duration")),
                 QByteArray("\x01\x02"));
        QCOMPARE(store.recommendations(10).size(), 1);
        QCOMPARE(store.listResults().size(), 2);
        // The new columns work on migrated rows.
        QVERIFY(store.setBaseline(1, 10));
        QVERIFY(store.startResult(1, {}, QStringLiteral("v1.0")) > 0);
    }

    QCOMPARE(scalar(db, QStringLiteral("PRAGMA user_version")).toInt(),
             StoreSchema::currentVersion);
    QCOMPARE(scalar(db, QStringLiteral("PRAGMA journal_mode")).toString(), QStringLiteral("wal"));
    QVERIFY(columns(db, QStringLiteral("performance_tests"))
                .contains(QStringLiteral("baseline_result_id")));
    const QStringList resultColumns = columns(db, QStringLiteral("performance_test_results"));
    for (const char *column : {"test_type", "pid", "host"})
        QVERIFY2(resultColumns.contains(QLatin1String(column)), column);
    // Backfilled from the test, not just computed on read.
    QCOMPARE(
        scalar(db, QStringLiteral("SELECT test_type FROM performance_test_results WHERE id = 10"))
            .toString(),
        QStringLiteral("ML_PREDICTION_THROUGHPUT"));
    QCOMPARE(
        scalar(db, QStringLiteral("SELECT test_type FROM performance_test_results WHERE id = 11"))
            .toString(),
        QStringLiteral("LOAD_TEST"));
    QCOMPARE(
        scalar(db, QStringLiteral("SELECT baseline_result_id FROM performance_tests WHERE id = 1"))
            .toInt(),
        10);

    // A v1 database is only created on a fresh file.
    QVERIFY(!StoreSchema::createVersion1Database(db, &error));
    QVERIFY2(error.contains(db), qPrintable(error));
}

void TestStoreMigration::currentFileIsNotMigratedAgain()
{
    const QString db = path("current.db");
    qint64 id = 0;
    {
        HistoryStore store;
        QVERIFY(store.open(db));
        id = store.saveTest(
            StoredTest{0, QStringLiteral("t"), QStringLiteral("LOAD_TEST"), {}, {}, {}, 0});
    }
    QCOMPARE(scalar(db, QStringLiteral("PRAGMA user_version")).toInt(),
             StoreSchema::currentVersion);
    HistoryStore again;
    QString error;
    QVERIFY2(again.open(db, &error), qPrintable(error));
    QCOMPARE(again.listTests().size(), 1);
    QCOMPARE(again.listTests().at(0).id, id);
}

void TestStoreMigration::newerVersionIsRefused()
{
    const QString db = path("future.db");
    QVERIFY(withConnection(db, [](QSqlDatabase &c) {
        return run(c, QStringLiteral(
                          "CREATE TABLE performance_tests(id INTEGER PRIMARY KEY, x TEXT)")) &&
               run(c,
                   QStringLiteral("INSERT INTO performance_tests VALUES (1, 'from the future')")) &&
               run(c, QStringLiteral("PRAGMA user_version = 99"));
    }));
    const QByteArray before = contents(db);
    QVERIFY(!before.isEmpty());

    HistoryStore store;
    QString error;
    QVERIFY(!store.open(db, &error));
    QVERIFY2(error.contains(db) && error.contains(QStringLiteral("newer")) &&
                 error.contains(QStringLiteral("99")),
             qPrintable(error));
    QCOMPARE(store.lastError(), error);
    QVERIFY(!store.isOpen());
    QCOMPARE(contents(db), before);
    QCOMPARE(scalar(db, QStringLiteral("PRAGMA user_version")).toInt(), 99);
    QCOMPARE(scalar(db, QStringLiteral("PRAGMA journal_mode")).toString(),
             QStringLiteral("delete"));
}

void TestStoreMigration::notADatabaseIsRefused_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QRandomGenerator random(42); // fixed seed: the same bytes on every run
    QByteArray noise(8192, '\0');
    for (char &c : noise)
        c = static_cast<char>(random.bounded(256));
    QTest::newRow("random bytes") << noise;
    QTest::newRow("text file") << QByteArray("name,requests\nhealth,100\n");
    QTest::newRow("truncated header") << QByteArray("SQLite for");
}

void TestStoreMigration::notADatabaseIsRefused()
{
    QFETCH(QByteArray, bytes);
    const QString file = path("not-a-db.db");
    QVERIFY(writeFile(file, bytes));

    HistoryStore store;
    QString error;
    QVERIFY(!store.open(file, &error));
    QCOMPARE(error, file + QStringLiteral(" is not a Loadscope database: file is not a database"));
    QCOMPARE(contents(file), bytes);
    for (const char *suffix : {"-wal", "-shm", "-journal"})
        QVERIFY(!QFile::exists(file + QLatin1String(suffix)));
    QVERIFY(QFile::remove(file));
}

void TestStoreMigration::foreignSqliteFileIsRefused()
{
    const QString db = path("other-app.db");
    QVERIFY(withConnection(db, [](QSqlDatabase &c) {
        return run(c, QStringLiteral("CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT)"));
    }));
    const QByteArray before = contents(db);
    HistoryStore store;
    QString error;
    QVERIFY(!store.open(db, &error));
    QVERIFY2(error.startsWith(db + QStringLiteral(" is not a Loadscope database")) &&
                 error.contains(QStringLiteral("users")),
             qPrintable(error));
    QCOMPARE(contents(db), before);
}

void TestStoreMigration::emptyFileBecomesADatabase()
{
    const QString db = path("empty.db");
    QVERIFY(writeFile(db, QByteArray()));
    HistoryStore store;
    QString error;
    QVERIFY2(store.open(db, &error), qPrintable(error));
    QVERIFY(store.saveTest(StoredTest{
                0, QStringLiteral("t"), QStringLiteral("LOAD_TEST"), {}, {}, {}, 0}) > 0);
}

void TestStoreMigration::directoryThatCannotBeCreated()
{
    // Works as root too: no permission bit is involved, a file sits where a directory must go.
    const QString blocker = path("blocker");
    QVERIFY(writeFile(blocker, QByteArray("not a directory")));
    const QString db = blocker + QStringLiteral("/history/loadscope.db");
    HistoryStore store;
    QString error;
    QVERIFY(!store.open(db, &error));
    QVERIFY2(error.contains(db) && error.contains(blocker + QStringLiteral(" is a file")),
             qPrintable(error));
    QCOMPARE(contents(blocker), QByteArray("not a directory"));
}

void TestStoreMigration::directoryAsPath()
{
    HistoryStore store;
    QString error;
    QVERIFY(!store.open(m_dir.path(), &error));
    QVERIFY2(error.contains(m_dir.path()) && error.contains(QStringLiteral("directory")),
             qPrintable(error));
    QVERIFY(!store.open(QString(), &error));
    QVERIFY(!error.isEmpty());
}

void TestStoreMigration::readOnlyFile()
{
    if (::geteuid() == 0)
        QSKIP("running as root: permission bits do not stop root from writing a 0444 file, so"
              " there is no read-only file to test with (directoryThatCannotBeCreated covers"
              " an unusable location)");
    const QString db = path("readonly.db");
    {
        HistoryStore store;
        QVERIFY(store.open(db));
    }
    QVERIFY(QFile::setPermissions(db, QFileDevice::ReadOwner | QFileDevice::ReadGroup |
                                          QFileDevice::ReadOther));
    const QByteArray before = contents(db);
    HistoryStore store;
    QString error;
    QVERIFY(!store.open(db, &error));
    QVERIFY2(error.startsWith(db + QStringLiteral(" is read-only")), qPrintable(error));
    QCOMPARE(contents(db), before);

    // A writable file in a read-only directory: SQLite could not create its -wal file there.
    QVERIFY(QDir(m_dir.path()).mkdir(QStringLiteral("locked")));
    const QString lockedDb = path("locked/history.db");
    QVERIFY(writeFile(lockedDb, QByteArray()));
    const QString lockedDir = path("locked");
    QVERIFY(QFile::setPermissions(lockedDir, QFileDevice::ReadOwner | QFileDevice::ExeOwner));
    const bool refused = !store.open(lockedDb, &error);
    QFile::setPermissions(lockedDir,
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    QVERIFY(refused);
    QVERIFY2(error.startsWith(lockedDb + QStringLiteral(" is read-only: its directory")),
             qPrintable(error));
}

LOADSCOPE_TEST_MAIN(TestStoreMigration)
void TestStoreMigration::duplicateTestNamesAreMerged()
{
    // Before version 3, two processes could create two tests of one name (check-then-insert):
    // runs of the second were hidden from `history list --test=` and `trend`.
    const QString db = path("duplicates.db");
    QString error;
    QVERIFY2(StoreSchema::createVersion1Database(db, &error), qPrintable(error));
    QVERIFY(withConnection(db, [](QSqlDatabase &c) {
        return run(c, QStringLiteral("INSERT INTO performance_tests VALUES"
                                     " (1, 'Checkout', 'LOAD_TEST', '{\"vus\":1}',"
                                     " '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z'),"
                                     " (2, 'Checkout', 'LOAD_TEST', '{\"vus\":2}',"
                                     " '2024-01-02T00:00:00.000Z', '2024-01-05T00:00:00.000Z'),"
                                     " (3, 'Other', 'LOAD_TEST', '{}',"
                                     " '2024-01-03T00:00:00.000Z', '2024-01-03T00:00:00.000Z'),"
                                     " (4, 'Checkout', 'LOAD_TEST', '{\"vus\":4}',"
                                     " '2024-01-04T00:00:00.000Z', '2024-01-04T00:00:00.000Z')")) &&
               run(c, QStringLiteral("INSERT INTO performance_test_results(id, test_id, status,"
                                     " started_at) VALUES"
                                     " (10, 1, 'completed', '2024-01-01T01:00:00.000Z'),"
                                     " (11, 2, 'completed', '2024-01-02T01:00:00.000Z'),"
                                     " (12, 2, 'aborted', '2024-01-02T02:00:00.000Z'),"
                                     " (13, 3, 'completed', '2024-01-03T01:00:00.000Z'),"
                                     " (14, 4, 'failed', '2024-01-04T01:00:00.000Z')")) &&
               run(c, QStringLiteral("INSERT INTO result_samples(result_id, t_sec, requests)"
                                     " VALUES (11, 1.0, 7), (14, 1.0, 9)"));
    }));

    HistoryStore store;
    QVERIFY2(store.open(db, &error), qPrintable(error));
    const QList<StoredTest> tests = store.listTests();
    QCOMPARE(tests.size(), 2); // Checkout once, Other
    const auto checkout = store.findTestByName(QStringLiteral("Checkout"));
    QVERIFY(checkout);
    QCOMPARE(checkout->id, 1);                                        // the oldest survives
    QCOMPARE(checkout->plan.value(QStringLiteral("vus")).toInt(), 2); // with the newest plan
    // Every run is kept, re-pointed to the surviving test, with its samples.
    ResultFilter filter;
    filter.testId = 1;
    QList<qint64> ids;
    for (const ResultRecord &r : store.listResults(filter))
        ids.append(r.id);
    std::sort(ids.begin(), ids.end());
    QCOMPARE(ids, (QList<qint64>{10, 11, 12, 14}));
    QCOMPARE(store.listResults().size(), 5);
    QCOMPARE(store.samples(11).size(), 1);
    QCOMPARE(store.samples(14).size(), 1);
    QCOMPARE(store.result(13)->testName, QStringLiteral("Other"));

    // From now on a name cannot be inserted twice, and the upsert reuses the row.
    StoredTest again{0, QStringLiteral("Checkout"), QStringLiteral("LOAD_TEST"), {}, {}, {}, 0};
    QCOMPARE(store.saveTest(again), qint64(-1));
    QVERIFY2(store.lastError().contains(QLatin1String("UNIQUE")), qPrintable(store.lastError()));
    again.plan = QJsonObject{{QStringLiteral("vus"), 9}};
    QCOMPARE(store.upsertTestByName(again), qint64(1));
    QCOMPARE(store.test(1)->plan.value(QStringLiteral("vus")).toInt(), 9);
    QCOMPARE(store.listTests().size(), 2);
}

#include "tst_storemigration.moc"
