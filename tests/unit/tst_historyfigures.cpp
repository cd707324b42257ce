// The list figures of schema version 5 (issue #13): filled from the summary by every path that
// stores one and by the migration, exactly; lists sorted, filtered and paged in SQL; pruning
// that keeps pinned baselines and the newest runs and leaves no orphan rows.
#include <functional>

#include <QJsonArray>
#include <QJsonDocument>
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

bool withConnection(const QString &path, const std::function<bool(QSqlDatabase &)> &body)
{
    static int counter = 0;
    const QString name = QStringLiteral("figures-raw-") + QString::number(++counter);
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

//! A summary with figures that are hard to round-trip (17 significant digits, tiny, huge).
QJsonObject summaryWith(QRandomGenerator &random, bool thresholdsPass, const QString &verdict)
{
    const auto any = [&random] {
        return random.generateDouble() * std::pow(10.0, random.bounded(-6, 7));
    };
    QJsonObject summary{
        {QStringLiteral("durationSec"), any()},
        {QStringLiteral("totals"),
         QJsonObject{{QStringLiteral("requests"), qint64(random.bounded(1, 1 << 30))},
                     {QStringLiteral("errors"), qint64(random.bounded(0, 1000))},
                     {QStringLiteral("throughputRps"), any()},
                     {QStringLiteral("errorRate"), random.generateDouble()},
                     {QStringLiteral("bytesIn"), 12345}}},
        {QStringLiteral("latencyMs"), QJsonObject{{QStringLiteral("p50"), any()},
                                                  {QStringLiteral("p90"), any()},
                                                  {QStringLiteral("p95"), any()},
                                                  {QStringLiteral("p99"), any()},
                                                  {QStringLiteral("max"), any()},
                                                  {QStringLiteral("avg"), 0.1 + 0.2}}},
        {QStringLiteral("thresholds"),
         QJsonArray{QJsonObject{{QStringLiteral("passed"), true}},
                    QJsonObject{{QStringLiteral("passed"), thresholdsPass}}}}};
    if (!verdict.isEmpty())
        summary.insert(QStringLiteral("comparison"),
                       QJsonObject{{QStringLiteral("verdict"), verdict}});
    return summary;
}

void compareFigures(const ResultFigures &actual, const ResultFigures &expected)
{
    QCOMPARE(actual.requests, expected.requests);
    QCOMPARE(actual.errors, expected.errors);
    QCOMPARE(actual.rps, expected.rps);
    QCOMPARE(actual.errorRate, expected.errorRate);
    QCOMPARE(actual.p50Ms, expected.p50Ms);
    QCOMPARE(actual.p90Ms, expected.p90Ms);
    QCOMPARE(actual.p95Ms, expected.p95Ms);
    QCOMPARE(actual.p99Ms, expected.p99Ms);
    QCOMPARE(actual.maxMs, expected.maxMs);
    QCOMPARE(actual.meanMs, expected.meanMs);
    QCOMPARE(actual.durationSec, expected.durationSec);
    QCOMPARE(actual.verdict, expected.verdict);
    QCOMPARE(actual.thresholdsPassed, expected.thresholdsPassed);
    QCOMPARE(actual.totals, expected.totals);
    QCOMPARE(actual.latencyMs, expected.latencyMs);
}

QString text(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

} // namespace

class TestHistoryFigures : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }
    void migrationFillsFiguresExactly();
    void everyWritePathFillsFigures();
    void rowsAreSortedFilteredAndPagedInSql();
    void pruneKeepsPinnedAndNewest();
    void pruneOlderThanAndIncludePinned();
    void vacuumGivesSpaceBack();

private:
    QString path(const char *name) const { return m_dir.filePath(QLatin1String(name)); }
    QTemporaryDir m_dir;
};

void TestHistoryFigures::migrationFillsFiguresExactly()
{
    const QString db = path("v1-figures.db");
    QString error;
    QVERIFY2(StoreSchema::createVersion1Database(db, &error), qPrintable(error));
    QRandomGenerator random(13);
    QHash<qint64, QString> stored; // by result id: the summary text as an old build wrote it
    QVERIFY(withConnection(db, [&](QSqlDatabase &c) {
        QSqlQuery test(c);
        if (!test.exec(QStringLiteral("INSERT INTO performance_tests(id, name, test_type,"
                                      " plan_json, created_at, updated_at) VALUES (1, 'old',"
                                      " 'LOAD_TEST', '{}', '2026-01-01T00:00:00.000Z',"
                                      " '2026-01-01T00:00:00.000Z')")))
            return false;
        QSqlQuery run(c);
        run.prepare(QStringLiteral("INSERT INTO performance_test_results(id, test_id, status,"
                                   " started_at, summary_json) VALUES (?, 1, ?, ?, ?)"));
        for (int i = 1; i <= 200; ++i) {
            QString summary = text(summaryWith(
                random, i % 3 != 0, i % 4 == 0 ? QStringLiteral("regression") : QString()));
            QString status = QStringLiteral("completed");
            if (i == 7)
                summary = QStringLiteral("{not json"); // damaged: figures stay empty
            if (i == 8) {
                summary = QString(); // a killed run: no summary at all
                status = QStringLiteral("aborted");
            }
            run.addBindValue(i);
            run.addBindValue(status);
            run.addBindValue(
                QStringLiteral("2026-01-01T00:%1:00.000Z").arg(i % 60, 2, 10, QLatin1Char('0')));
            run.addBindValue(summary.isNull() ? QVariant(QMetaType::fromType<QString>())
                                              : QVariant(summary));
            if (!run.exec())
                return false;
            stored.insert(i, summary);
        }
        return true;
    }));

    HistoryStore store;
    QVERIFY2(store.open(db, &error), qPrintable(error));
    const QList<ResultRecord> rows = store.listResultRows();
    QVERIFY(store.readError().isEmpty());
    QCOMPARE(rows.size(), 200); // the damaged summary did not stop the migration or lose a run
    for (const ResultRecord &row : rows) {
        QVERIFY(row.summary.isEmpty()); // a list row never carries the summary
        const QJsonObject parsed = QJsonDocument::fromJson(stored.value(row.id).toUtf8()).object();
        compareFigures(row.figures, ResultFigures::fromSummary(parsed));
        if (row.id == 7 || row.id == 8)
            QVERIFY(!row.figures.rps && row.figures.totals.isEmpty());
        else
            QVERIFY(row.figures.rps && row.figures.p95Ms && row.figures.thresholdsPassed);
    }
    QCOMPARE(store.result(4)->figures.verdict, QStringLiteral("regression"));
    QCOMPARE(store.result(3)->figures.thresholdsPassed, std::optional<bool>(false));
    QCOMPARE(store.result(1)->figures.thresholdsPassed, std::optional<bool>(true));
}

void TestHistoryFigures::everyWritePathFillsFigures()
{
    HistoryStore store;
    QString error;
    QVERIFY2(store.open(path("paths.db"), &error), qPrintable(error));
    QRandomGenerator random(5);
    const qint64 testId = store.upsertTestByName(
        {0, QStringLiteral("t"), QStringLiteral("LOAD_TEST"), {}, {}, {}, 0});
    QVERIFY(testId > 0);

    // An own run: finishResult() writes the summary at the end.
    const QJsonObject own = summaryWith(random, true, QStringLiteral("improvement"));
    const qint64 ownId = store.startResult(testId, {}, QStringLiteral("v1"));
    QVERIFY(!store.result(ownId)->figures.rps); // running: nothing yet
    store.finishResult(ownId, ResultStatus::Completed, own);
    QVERIFY(store.flush());
    compareFigures(store.result(ownId)->figures, ResultFigures::fromSummary(own));

    // A killed run rebuilt from its intervals: updateSummary().
    const QJsonObject rebuilt = summaryWith(random, false, QString());
    const qint64 killedId = store.startResult(testId, {}, QString());
    QVERIFY(store.updateSummary(killedId, rebuilt));
    compareFigures(store.result(killedId)->figures, ResultFigures::fromSummary(rebuilt));
    // ... and rewritten again: the figures follow.
    QVERIFY(store.updateSummary(killedId, own));
    compareFigures(store.result(killedId)->figures, ResultFigures::fromSummary(own));

    // An imported run: one transaction with its summary.
    ImportedResult imported;
    imported.test.name = QStringLiteral("k6 run");
    imported.test.testType = QStringLiteral("LOAD_TEST");
    imported.startedAt = QDateTime::currentDateTimeUtc();
    imported.endedAt = imported.startedAt.addSecs(10);
    imported.summary = summaryWith(random, true, QString());
    imported.source.tool = QStringLiteral("k6");
    imported.source.format = QStringLiteral("k6-json");
    imported.source.fileName = QStringLiteral("run.json");
    imported.source.contentHash = QStringLiteral("abc");
    bool duplicate = true;
    const qint64 importedId = store.storeImportedResult(imported, &duplicate);
    QVERIFY(importedId > 0 && !duplicate);
    compareFigures(store.result(importedId)->figures, ResultFigures::fromSummary(imported.summary));
}

void TestHistoryFigures::rowsAreSortedFilteredAndPagedInSql()
{
    HistoryStore store;
    QString error;
    QVERIFY2(store.open(path("rows.db"), &error), qPrintable(error));
    QRandomGenerator random(21);
    QList<std::pair<qint64, double>> p95s; // oracle
    for (int t = 0; t < 3; ++t) {
        const qint64 testId = store.upsertTestByName(
            {0, QStringLiteral("test %1").arg(t), QStringLiteral("LOAD_TEST"), {}, {}, {}, 0});
        for (int i = 0; i < 20; ++i) {
            const qint64 id = store.startResult(testId, {}, QStringLiteral("v%1").arg(i % 4));
            const QJsonObject summary = summaryWith(random, true, QString());
            store.finishResult(id, ResultStatus::Completed, summary);
            p95s.append({id, summary.value(QStringLiteral("latencyMs"))
                                 .toObject()
                                 .value(QStringLiteral("p95"))
                                 .toDouble()});
        }
    }
    QVERIFY(store.flush());
    std::sort(p95s.begin(), p95s.end(), [](const auto &a, const auto &b) {
        return a.second > b.second || (a.second == b.second && a.first > b.first);
    });

    ResultFilter filter;
    filter.order = ResultOrder::P95;
    filter.limit = 7;
    QList<qint64> paged;
    for (filter.offset = 0; filter.offset < 60; filter.offset += filter.limit) {
        const QList<ResultRecord> page = store.listResultRows(filter);
        QVERIFY(page.size() <= 7);
        for (const ResultRecord &r : page)
            paged.append(r.id);
    }
    QList<qint64> expected;
    for (const auto &[id, p95] : std::as_const(p95s))
        expected.append(id);
    QCOMPARE(paged, expected); // pages in p95 order, none lost or repeated

    ResultFilter test1;
    test1.text = QStringLiteral("ST 1"); // case-insensitive
    test1.versionText = QStringLiteral("V2");
    QCOMPARE(store.countResults(test1), 5);
    for (const ResultRecord &r : store.listResultRows(test1)) {
        QCOMPARE(r.testName, QStringLiteral("test 1"));
        QCOMPARE(r.versionLabel, QStringLiteral("v2"));
    }
    QCOMPARE(store.countResults(), 60);
}

void TestHistoryFigures::pruneKeepsPinnedAndNewest()
{
    HistoryStore store;
    QString error;
    QVERIFY2(store.open(path("prune.db"), &error), qPrintable(error));
    QRandomGenerator random(3);
    QList<QList<qint64>> byTest;
    for (int t = 0; t < 2; ++t) {
        const qint64 testId = store.upsertTestByName(
            {0, QStringLiteral("prune %1").arg(t), QStringLiteral("LOAD_TEST"), {}, {}, {}, 0});
        QList<qint64> ids;
        for (int i = 0; i < 6; ++i) {
            const qint64 id = store.startResult(testId, {}, QString());
            store.appendSamples(
                id,
                {ResultSample{1.0, QString(), 10, 0, 0, 0, 1, 10, 1, 1, 1, 1, 1, 1, 1, {}},
                 ResultSample{
                     1.0, QStringLiteral("GET /"), 10, 0, 0, 0, 1, 10, 1, 1, 1, 1, 1, 1, 1, {}}});
            store.storeHistogram(id, QString(), QStringLiteral("duration"), QByteArray("blob"));
            store.addRecommendations(id, {Recommendation{0,
                                                         QStringLiteral("a"),
                                                         QStringLiteral("low"),
                                                         QStringLiteral("t"),
                                                         {},
                                                         {},
                                                         {},
                                                         {}}});
            store.finishResult(id, ResultStatus::Completed, summaryWith(random, true, QString()));
            ids.append(id);
        }
        byTest.append(ids);
    }
    QVERIFY(store.flush());
    const qint64 running =
        store.startResult(store.findTestByName(QStringLiteral("prune 0"))->id, {}, QString());
    // The oldest run of test 0 is its pinned baseline.
    QVERIFY(store.setBaseline(store.findTestByName(QStringLiteral("prune 0"))->id, byTest[0][0]));

    PruneRequest keep2;
    keep2.keepNewest = 2;
    const QList<qint64> candidates = store.pruneCandidates(keep2);
    const auto deleted = store.prune(keep2);
    QVERIFY2(deleted, qPrintable(store.lastError()));
    QCOMPARE(*deleted, candidates); // the dry run tells the truth
    // Test 0: the running run and its newest completed one are the 2 newest, plus the pinned
    // baseline; test 1: its 2 newest.
    const QList<qint64> expectedDeleted{byTest[0][1], byTest[0][2], byTest[0][3], byTest[0][4],
                                        byTest[1][0], byTest[1][1], byTest[1][2], byTest[1][3]};
    QCOMPARE(*deleted, expectedDeleted);
    QList<qint64> left;
    for (const ResultRecord &r : store.listResultRows())
        left.append(r.id);
    std::sort(left.begin(), left.end());
    QCOMPARE(left,
             QList<qint64>({byTest[0][0], byTest[0][5], byTest[1][4], byTest[1][5], running}));
    QVERIFY(store.result(byTest[0][0])->pinned);

    // No orphan rows: every sample, histogram, recommendation belongs to a run that is there.
    QVERIFY(withConnection(path("prune.db"), [](QSqlDatabase &c) {
        QSqlQuery check(c);
        if (!check.exec(QStringLiteral("PRAGMA foreign_key_check")) || check.next())
            return false;
        for (const char *table :
             {"result_samples", "result_histograms", "optimization_recommendations"}) {
            QSqlQuery count(c);
            if (!count.exec(QStringLiteral("SELECT COUNT(*) FROM %1 WHERE result_id NOT IN"
                                           " (SELECT id FROM performance_test_results)")
                                .arg(QLatin1String(table))) ||
                !count.next() || count.value(0).toInt() != 0)
                return false;
        }
        QSqlQuery samples(c);
        return samples.exec(QStringLiteral("SELECT COUNT(*) FROM result_samples")) &&
               samples.next() && samples.value(0).toInt() == 8; // 4 completed runs kept × 2
    }));
}

void TestHistoryFigures::pruneOlderThanAndIncludePinned()
{
    HistoryStore store;
    QString error;
    QVERIFY2(store.open(path("older.db"), &error), qPrintable(error));
    ImportedResult run;
    run.test.name = QStringLiteral("nightly");
    run.test.testType = QStringLiteral("LOAD_TEST");
    run.source.tool = QStringLiteral("k6");
    run.source.format = QStringLiteral("k6-json");
    run.source.fileName = QStringLiteral("n.json");
    QList<qint64> ids;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (int daysAgo : {40, 35, 20, 1}) {
        run.startedAt = now.addDays(-daysAgo);
        run.endedAt = run.startedAt.addSecs(10);
        run.source.contentHash = QString::number(daysAgo);
        bool duplicate = false;
        ids.append(store.storeImportedResult(run, &duplicate));
    }
    QVERIFY(store.setBaseline(store.findTestByName(QStringLiteral("nightly"))->id, ids[0]));
    PruneRequest old;
    old.olderThan = now.addDays(-30);
    QCOMPARE(*store.prune(old), QList<qint64>({ids[1]})); // the pinned 40-day-old run stays
    old.includePinned = true;
    QCOMPARE(*store.prune(old), QList<qint64>({ids[0]})); // asked for: it goes, unpinned
    QCOMPARE(store.findTestByName(QStringLiteral("nightly"))->baselineResultId, 0);
    QVERIFY(!store.prune(PruneRequest{})); // no rule: refused, nothing deleted
    QVERIFY(store.lastError().contains(QLatin1String("needs a rule")));
    QCOMPARE(store.countResults(), 2);
    QCOMPARE(store.resultWithContentHash(QStringLiteral("35")), 0); // its source row went too
}

void TestHistoryFigures::vacuumGivesSpaceBack()
{
    HistoryStore store;
    QString error;
    QVERIFY2(store.open(path("vacuum.db"), &error), qPrintable(error));
    const qint64 testId = store.upsertTestByName(
        {0, QStringLiteral("big"), QStringLiteral("LOAD_TEST"), {}, {}, {}, 0});
    QList<ResultSample> samples;
    for (int t = 0; t < 2000; ++t)
        samples.append(ResultSample{double(t), QString(), 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                                    QJsonObject{{QStringLiteral("pad"), QString(200, u'x')}}});
    for (int i = 0; i < 5; ++i) {
        const qint64 id = store.startResult(testId, {}, QString());
        store.appendSamples(id, samples);
        store.finishResult(id, ResultStatus::Completed, {});
    }
    QVERIFY(store.flush());
    PruneRequest keep1;
    keep1.keepNewest = 1;
    QCOMPARE(store.prune(keep1)->size(), 4);
    qint64 before = 0;
    qint64 after = 0;
    QVERIFY2(store.vacuum(&before, &after), qPrintable(store.lastError()));
    QVERIFY2(after < before / 2, qPrintable(QStringLiteral("%1 -> %2").arg(before).arg(after)));
    const StoreStats stats = store.stats();
    QCOMPARE(stats.runs, 1);
    QCOMPARE(stats.bytes, after);
    QCOMPARE(store.samples(store.listResultRows().constFirst().id).size(),
             2000); // the kept run is whole
}

LOADSCOPE_TEST_MAIN(TestHistoryFigures)
#include "tst_historyfigures.moc"
