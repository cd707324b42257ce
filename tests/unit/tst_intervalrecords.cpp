#include <QJsonArray>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>

#include "interop/resultjson.h"
#include "monitor/resourcesample.h"
#include "session/storedrun.h"
#include "store/historystore.h"
#include "store/intervalcodec.h"
#include "store/storeschema.h"
#include "store/storesql.h"
#include "testmain.h"

using namespace loadscope;

namespace {

//! Interval @p i of a run with two endpoints, every field the store keeps set to a value of
//! its own (by hand: the oracle the records are checked against).
IntervalSample makeInterval(int i)
{
    IntervalSample s;
    s.index = i;
    s.tSec = i + 0.25;
    s.intervalSec = i % 3 == 0 ? 0.5 : 1.0;
    s.activeVus = 10 + i;
    s.plannedTarget = 300.0 + i;
    auto endpoint = [i](const QString &name, qint64 requests) {
        EndpointSample e;
        e.name = name;
        e.totals.requests = requests;
        e.totals.errors = 7 + i;
        e.totals.bytesIn = requests * 512;
        e.totals.bytesOut = requests * 64;
        e.totals.checksPassed = requests - 3;
        e.totals.checksFailed = 3;
        e.totals.errorsByClass[size_t(ErrorClass::Timeout)] = 4 + i;
        e.totals.errorsByClass[size_t(ErrorClass::Http5xx)] = 3;
        e.latency = {requests, 0, 2.5 + i, 0, 1.25, 3.5, 4.75, 9.125, 12.0, 20.5 + i};
        e.latencyCorrected = {requests, 0, 3.5, 0, 2.25, 4.5, 5.75, 10.125, 13.0, 21.5};
        return e;
    };
    s.overall = endpoint(QString(), 1000 + i);
    s.endpoints = {endpoint(QStringLiteral("GET /api/health"), 600 + i),
                   endpoint(QStringLiteral("POST /api/bridge/predict"), 400)};
    LatencyStats inference;
    inference.p50Ms = 1.5 + i;
    inference.p95Ms = 4.25;
    s.serverTiming.insert(QStringLiteral("inference"), inference);
    s.timingMeansMs.insert(QStringLiteral("waiting"), 2.125 + i);
    s.timingMeansMs.insert(QStringLiteral("connecting"), 0.0625);
    ResourceSample r;
    r.tSec = s.tSec;
    r.machineCpuPct = 55.5 + i;
    r.perCoreCpuPct = {50.0, 61.0};
    r.memTotalBytes = 8LL << 30;
    r.generator.valid = true;
    r.generator.pid = 4242;
    r.generator.cpuPct = 33.25;
    r.generator.rssBytes = 48 << 20;
    r.target.valid = i % 2 == 0;
    r.target.cpuPct = 12.5 + i;
    r.target.rssBytes = 96 << 20;
    r.generatorSaturated = i == 2;
    r.notes = {QStringLiteral("a note nobody charts")};
    s.resources = r.toJson();
    return s;
}

void compareEndpoint(const EndpointSample &got, const EndpointSample &want)
{
    QCOMPARE(got.name, want.name);
    QCOMPARE(got.totals.requests, want.totals.requests);
    QCOMPARE(got.totals.errors, want.totals.errors);
    QCOMPARE(got.totals.bytesIn, want.totals.bytesIn);
    QCOMPARE(got.totals.bytesOut, want.totals.bytesOut);
    QCOMPARE(got.totals.checksPassed, want.totals.checksPassed);
    QCOMPARE(got.totals.checksFailed, want.totals.checksFailed);
    QVERIFY(got.totals.errorsByClass == want.totals.errorsByClass);
    for (const auto &[a, b] : {std::pair{got.latency, want.latency},
                               std::pair{got.latencyCorrected, want.latencyCorrected}}) {
        QCOMPARE(a.count, b.count);
        QCOMPARE(a.meanMs, b.meanMs);
        QCOMPARE(a.p50Ms, b.p50Ms);
        QCOMPARE(a.p90Ms, b.p90Ms);
        QCOMPARE(a.p95Ms, b.p95Ms);
        QCOMPARE(a.p99Ms, b.p99Ms);
        QCOMPARE(a.p999Ms, b.p999Ms);
        QCOMPARE(a.maxMs, b.maxMs);
    }
}

//! @p got as read back from the store against @p want as the engine measured it.
void compareInterval(const IntervalSample &got, const IntervalSample &want)
{
    QCOMPARE(got.tSec, want.tSec);
    QCOMPARE(got.intervalSec, want.intervalSec);
    QCOMPARE(got.activeVus, want.activeVus);
    QCOMPARE(got.plannedTarget, want.plannedTarget);
    compareEndpoint(got.overall, want.overall);
    QCOMPARE(got.endpoints.size(), want.endpoints.size());
    for (int e = 0; e < want.endpoints.size(); ++e)
        compareEndpoint(got.endpoints.at(e), want.endpoints.at(e));
    QCOMPARE(got.serverTiming.keys(), want.serverTiming.keys());
    QCOMPARE(got.serverTiming.first().p50Ms, want.serverTiming.first().p50Ms);
    QCOMPARE(got.serverTiming.first().p95Ms, want.serverTiming.first().p95Ms);
    QCOMPARE(got.timingMeansMs, want.timingMeansMs);
    // The resource figures that are charted and compared, with the defaults their readers use.
    const QJsonObject &r = got.resources;
    QCOMPARE(r.value(QLatin1String("machineCpuPct")).toDouble(),
             want.resources.value(QLatin1String("machineCpuPct")).toDouble());
    QCOMPARE(r.value(QLatin1String("generatorSaturated")).toBool(),
             want.resources.value(QLatin1String("generatorSaturated")).toBool());
    for (const char *process : {"generator", "target"}) {
        const QJsonObject a = r.value(QLatin1String(process)).toObject();
        const QJsonObject b = want.resources.value(QLatin1String(process)).toObject();
        QCOMPARE(a.value(QLatin1String("valid")).toBool(true),
                 b.value(QLatin1String("valid")).toBool(true));
        QCOMPARE(a.value(QLatin1String("cpuPct")).toDouble(),
                 b.value(QLatin1String("cpuPct")).toDouble());
        QCOMPARE(a.value(QLatin1String("rssBytes")).toDouble(),
                 b.value(QLatin1String("rssBytes")).toDouble());
    }
}

bool exec(QSqlQuery &query)
{
    if (query.exec())
        return true;
    qWarning("%s", qPrintable(query.lastError().text()));
    return false;
}

} // namespace

//! The compact interval records (result_intervals, schema version 7): what opening and comparing
//! a run read instead of each sample row's JSON. They must give back exactly what the rows say.
class TestIntervalRecords : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }
    void recordGivesBackTheInterval();
    void damagedRecordIsRefused();
    void migratesAVersion6File();
    void secondWriteOfAnIntervalAppends();
    void runWithoutRecordsReadsItsRows();
    void recordsGoWithTheirRun();

private:
    QString path(const char *name) const { return m_dir.filePath(QLatin1String(name)); }
    QTemporaryDir m_dir;
};

void TestIntervalRecords::recordGivesBackTheInterval()
{
    IntervalCodec::Decoder decoder;
    QString previousName;
    for (int i = 0; i < 4; ++i) {
        const IntervalSample want = makeInterval(i);
        IntervalSample got;
        QVERIFY(decoder.decode(IntervalCodec::encode(samplesForStore(want)), &got));
        compareInterval(got, want);
        // Endpoint names are shared between the intervals one decoder reads.
        if (i > 0)
            QVERIFY(got.endpoints.first().name.isSharedWith(previousName));
        previousName = got.endpoints.first().name;
    }
    // No resources sampled: none read back (charts then show no resource panel).
    IntervalSample plain = makeInterval(1);
    plain.resources = QJsonObject();
    IntervalSample got;
    QVERIFY(decoder.decode(IntervalCodec::encode(samplesForStore(plain)), &got));
    QVERIFY(got.resources.isEmpty());
    // Resources with none of the charted figures still read as sampled.
    plain.resources = QJsonObject{{QStringLiteral("notes"), QJsonArray()}};
    QVERIFY(decoder.decode(IntervalCodec::encode(samplesForStore(plain)), &got));
    QVERIFY(!got.resources.isEmpty());
    QCOMPARE(got.resources.value(QLatin1String("machineCpuPct")).toDouble(), 0.0);
}

void TestIntervalRecords::damagedRecordIsRefused()
{
    const QByteArray record = IntervalCodec::encode(samplesForStore(makeInterval(1)));
    IntervalCodec::Decoder decoder;
    IntervalSample sample;
    QVERIFY(!decoder.decode(record.left(record.size() - 3), &sample));
    QVERIFY(!decoder.decode(record.left(40), &sample));
    QByteArray otherFormat = record;
    otherFormat[0] = char(IntervalCodec::kFormat + 1);
    QVERIFY(!decoder.decode(otherFormat, &sample));
    QVERIFY(!decoder.decode(QByteArray(), &sample));
}

void TestIntervalRecords::migratesAVersion6File()
{
    // A history file as version 6 wrote it: sample rows with their JSON, no records, no
    // trigger column.
    const QString db = path("v6.db");
    QString error;
    QVERIFY2(StoreSchema::createDatabase(db, 6, &error), qPrintable(error));
    QList<IntervalSample> intervals;
    for (int i = 0; i < 5; ++i)
        intervals.append(makeInterval(i));
    const QString summary =
        QStringLiteral("{\"trigger\":\"schedule\",\"comparison\":{\"verdict\":\"regression\"},"
                       "\"totals\":{\"requests\":5000}}");
    {
        QSqlDatabase c = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("v6"));
        c.setDatabaseName(db);
        QVERIFY(c.open());
        QSqlQuery q(c);
        QVERIFY(q.exec(QStringLiteral(
            "INSERT INTO performance_tests(id, name, test_type, plan_json, created_at,"
            " updated_at) VALUES (1, 'soak', 'LOAD_TEST', '{}', '2026-01-01', '2026-01-01')")));
        q.prepare(QStringLiteral("INSERT INTO performance_test_results(id, test_id, status,"
                                 " started_at, ended_at, summary_json) VALUES (?, 1, 'completed',"
                                 " ?, ?, ?)"));
        for (int id : {1, 2}) {
            q.addBindValue(id);
            q.addBindValue(QStringLiteral("2026-01-0%1T10:00:00.000Z").arg(id));
            q.addBindValue(QStringLiteral("2026-01-0%1T10:00:05.000Z").arg(id));
            q.addBindValue(id == 1 ? QStringLiteral("{\"totals\":{\"requests\":5000}}") : summary);
            QVERIFY(exec(q));
        }
        q.prepare(QStringLiteral("INSERT INTO result_samples(result_id, ") +
                  StoreSql::sampleColumns() +
                  QStringLiteral(") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        for (int id : {1, 2}) {
            for (const IntervalSample &interval : std::as_const(intervals)) {
                const QList<ResultSample> rows = samplesForStore(interval);
                for (const ResultSample &s : rows) {
                    for (const QVariant &v :
                         {QVariant(id), QVariant(s.tSec), QVariant(StoreSql::nonNull(s.endpoint)),
                          QVariant(s.requests), QVariant(s.errors), QVariant(s.bytesIn),
                          QVariant(s.bytesOut), QVariant(s.activeVus), QVariant(s.rps),
                          QVariant(s.meanMs), QVariant(s.p50Ms), QVariant(s.p90Ms),
                          QVariant(s.p95Ms), QVariant(s.p99Ms), QVariant(s.p999Ms),
                          QVariant(s.maxMs), StoreSql::jsonValue(s.data)})
                        q.addBindValue(v);
                    QVERIFY(exec(q));
                }
            }
        }
        c.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("v6"));

    HistoryStore store;
    QVERIFY2(store.open(db, &error), qPrintable(error));
    const QList<ResultSample> rowsBefore = [&] {
        QList<ResultSample> rows;
        for (const IntervalSample &interval : std::as_const(intervals))
            rows += samplesForStore(interval);
        return rows;
    }();
    for (qint64 id : {1, 2}) {
        // The records were filled from the rows, and the rows are as they were.
        const auto run = loadStoredRun(store, id, &error);
        QVERIFY2(run, qPrintable(error));
        QCOMPARE(run->summary.timeline.size(), intervals.size());
        for (int i = 0; i < intervals.size(); ++i) {
            compareInterval(run->summary.timeline.at(i), intervals.at(i));
            QCOMPARE(run->summary.timeline.at(i).index, i);
        }
        const QList<ResultSample> rows = store.samples(id);
        QCOMPARE(rows.size(), rowsBefore.size());
        for (int r = 0; r < rows.size(); ++r)
            QCOMPARE(rows.at(r).data, rowsBefore.at(r).data);
    }
    // A run written now (records written with the rows) reads back the same as a migrated one.
    const qint64 fresh = store.startResult(1, QJsonObject(), QStringLiteral("fresh"));
    for (const IntervalSample &interval : std::as_const(intervals))
        store.appendSamples(fresh, samplesForStore(interval));
    QVERIFY(store.flush());
    const auto freshRun = loadStoredRun(store, fresh, &error);
    QVERIFY2(freshRun, qPrintable(error));
    QCOMPARE(freshRun->summary.timeline.size(), intervals.size());
    for (int i = 0; i < intervals.size(); ++i)
        compareInterval(freshRun->summary.timeline.at(i), intervals.at(i));

    // The trigger column was filled from the summaries: scheduled regressions filter in SQL.
    ResultFilter scheduled;
    scheduled.trigger = QStringLiteral("schedule");
    scheduled.verdict = QStringLiteral("regression");
    const QList<ResultRecord> flagged = store.listResultRows(scheduled);
    QCOMPARE(flagged.size(), 1);
    QCOMPARE(flagged.first().id, 2);
    QCOMPARE(flagged.first().figures.trigger, QStringLiteral("schedule"));
    QCOMPARE(store.result(1)->figures.trigger, QString());
    store.close();

    QSqlDatabase c = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("v7"));
    c.setDatabaseName(db);
    QVERIFY(c.open());
    QSqlQuery q(c);
    QVERIFY(q.exec(QStringLiteral("PRAGMA user_version")) && q.next());
    QCOMPARE(q.value(0).toInt(), StoreSchema::currentVersion);
    QVERIFY(q.exec(QStringLiteral("SELECT result_id, COUNT(*) FROM result_intervals"
                                  " GROUP BY result_id ORDER BY result_id")));
    for (qint64 id : {qint64(1), qint64(2), fresh}) {
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toLongLong(), id);
        QCOMPARE(q.value(1).toInt(), intervals.size());
    }
    q.finish();
    c.close();
    c = QSqlDatabase();
    QSqlDatabase::removeDatabase(QStringLiteral("v7"));
}

void TestIntervalRecords::secondWriteOfAnIntervalAppends()
{
    HistoryStore store;
    QString error;
    QVERIFY2(store.open(path("append.db"), &error), qPrintable(error));
    StoredTest test;
    test.name = QStringLiteral("t");
    test.testType = QStringLiteral("LOAD_TEST");
    const qint64 testId = store.saveTest(test);
    const qint64 id = store.startResult(testId, QJsonObject(), QString());
    const IntervalSample want = makeInterval(1);
    QList<ResultSample> rows = samplesForStore(want);
    // The overall row in one write, the endpoints in a later one: one interval either way.
    store.appendSamples(id, rows.mid(0, 1));
    QVERIFY(store.flush());
    store.appendSamples(id, rows.mid(1));
    QVERIFY(store.flush());
    const QList<IntervalSample> intervals = store.intervals(id);
    QCOMPARE(intervals.size(), 1);
    compareInterval(intervals.first(), want);
}

void TestIntervalRecords::runWithoutRecordsReadsItsRows()
{
    HistoryStore store;
    QString error;
    const QString db = path("norecords.db");
    QVERIFY2(store.open(db, &error), qPrintable(error));
    StoredTest test;
    test.name = QStringLiteral("t");
    test.testType = QStringLiteral("LOAD_TEST");
    const qint64 id = store.startResult(store.saveTest(test), QJsonObject(), QString());
    for (int i = 3; i >= 0; --i) // written out of order: read back by time
        store.appendSamples(id, samplesForStore(makeInterval(i)));
    QVERIFY(store.flush());
    store.close();
    {
        QSqlDatabase c =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
        c.setDatabaseName(db);
        QVERIFY(c.open());
        QSqlQuery q(c);
        QVERIFY(q.exec(QStringLiteral("DELETE FROM result_intervals")));
        QCOMPARE(q.numRowsAffected(), 4);
        c.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("raw"));
    QVERIFY2(store.open(db, &error), qPrintable(error));
    const QList<IntervalSample> intervals = store.intervals(id);
    QCOMPARE(intervals.size(), 4);
    for (int i = 0; i < 4; ++i)
        compareInterval(intervals.at(i), makeInterval(i));
}

void TestIntervalRecords::recordsGoWithTheirRun()
{
    HistoryStore store;
    QString error;
    const QString db = path("delete.db");
    QVERIFY2(store.open(db, &error), qPrintable(error));
    StoredTest test;
    test.name = QStringLiteral("t");
    test.testType = QStringLiteral("LOAD_TEST");
    const qint64 testId = store.saveTest(test);
    const qint64 gone = store.startResult(testId, QJsonObject(), QString());
    const qint64 kept = store.startResult(testId, QJsonObject(), QString());
    for (const qint64 id : {gone, kept})
        store.appendSamples(id, samplesForStore(makeInterval(1)));
    QVERIFY(store.flush());
    QVERIFY(store.deleteResult(gone));
    QVERIFY(store.intervals(gone).isEmpty());
    QCOMPARE(store.intervals(kept).size(), 1);
    store.close();
    QSqlDatabase c = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("fk"));
    c.setDatabaseName(db);
    QVERIFY(c.open());
    {
        QSqlQuery q(c);
        QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM result_intervals")) && q.next());
        QCOMPARE(q.value(0).toInt(), 1);
        QVERIFY(q.exec(QStringLiteral("PRAGMA foreign_key_check")));
        QVERIFY(!q.next());
    }
    c.close();
    c = QSqlDatabase();
    QSqlDatabase::removeDatabase(QStringLiteral("fk"));
}

LOADSCOPE_TEST_MAIN(TestIntervalRecords)
#include "tst_intervalrecords.moc"
