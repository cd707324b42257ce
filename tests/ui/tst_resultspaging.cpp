// The History table over a 5,000-run database (issue #13): rows read a page at a time as the
// view asks, sorted and filtered in SQL, checked by QAbstractItemModelTester; verdicts computed in
// the background for a table that has been refreshed since are dropped.
#include <QAbstractItemModelTester>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTableView>
#include <QTemporaryDir>

#include "history/historyjobs.h"
#include "history/historyplace.h"
#include "history/resultsfilterproxy.h"
#include "history/resultstablemodel.h"
#include "store/historystore.h"
#include "widgettestmain.h"

using namespace loadscope;

namespace {

constexpr int kRuns = 5000;

//! The p95 of run number @p i (1-based): a permutation, so that p95 order is not id order.
double p95Of(int i)
{
    return double((i * 7919) % kRuns) + 0.5;
}

} // namespace

class TestResultsPaging : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void pagesAsTheViewScrolls();
    void sortsAndFiltersInSql();
    void staleVerdictsAreDropped();
    void placeFillsVerdictsInTheBackground();

private:
    QString m_path;
    QTemporaryDir m_dir;
};

void TestResultsPaging::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_path = m_dir.filePath(QStringLiteral("5000.db"));
    {
        HistoryStore schema; // creates the file at the current version
        QString error;
        QVERIFY2(schema.open(m_path, &error), qPrintable(error));
        QVERIFY(schema.upsertTestByName(
                    {0, QStringLiteral("alpha"), QStringLiteral("LOAD_TEST"), {}, {}, {}, 0}) == 1);
        QVERIFY(schema.upsertTestByName(
                    {0, QStringLiteral("beta"), QStringLiteral("STRESS_TEST"), {}, {}, {}, 0}) ==
                2);
    }
    // One transaction of plain inserts: the schema's triggers fill the figures columns.
    {
        QSqlDatabase db =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("fill"));
        db.setDatabaseName(m_path);
        QVERIFY(db.open());
        QSqlQuery(db).exec(QStringLiteral("BEGIN"));
        QSqlQuery insert(db);
        insert.prepare(QStringLiteral(
            "INSERT INTO performance_test_results(test_id, test_type, status, started_at,"
            " ended_at, version_label, summary_json) VALUES (?, 'LOAD_TEST', 'completed', ?, ?,"
            " ?, ?)"));
        const QDateTime start = QDateTime::currentDateTimeUtc().addDays(-30);
        for (int i = 1; i <= kRuns; ++i) {
            const QJsonObject summary{
                {QStringLiteral("durationSec"), 10.0},
                {QStringLiteral("totals"), QJsonObject{{QStringLiteral("requests"), 1000 + i},
                                                       {QStringLiteral("throughputRps"), 100.0},
                                                       {QStringLiteral("errorRate"), 0.0}}},
                {QStringLiteral("latencyMs"),
                 QJsonObject{{QStringLiteral("p50"), 1.0}, {QStringLiteral("p95"), p95Of(i)}}}};
            insert.addBindValue(i % 5 == 0 ? 2 : 1); // every fifth run is "beta"
            insert.addBindValue(start.addSecs(60LL * i).toString(Qt::ISODateWithMs));
            insert.addBindValue(start.addSecs(60LL * i + 10).toString(Qt::ISODateWithMs));
            insert.addBindValue(QStringLiteral("v%1").arg(i % 10));
            insert.addBindValue(
                QString::fromUtf8(QJsonDocument(summary).toJson(QJsonDocument::Compact)));
            QVERIFY2(insert.exec(), qPrintable(insert.lastError().text()));
        }
        QVERIFY(QSqlQuery(db).exec(QStringLiteral("COMMIT")));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("fill"));
}

void TestResultsPaging::pagesAsTheViewScrolls()
{
    HistoryStore store;
    QString error;
    QVERIFY2(store.open(m_path, &error), qPrintable(error));
    ResultsTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setStore(&store);
    model.refresh();
    QCOMPARE(model.totalCount(), kRuns);
    QCOMPARE(model.rowCount(), ResultsTableModel::kPageSize); // one page, not the history
    QVERIFY(model.canFetchMore(QModelIndex()));
    QCOMPARE(model.record(0).id, kRuns); // newest first

    // A view shown over it fetches more as it scrolls to the end.
    ResultsFilterProxy proxy;
    proxy.setSourceModel(&model);
    QTableView view;
    view.setModel(&proxy);
    view.resize(600, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const int before = model.rowCount();
    view.scrollToBottom();
    QTRY_VERIFY_WITH_TIMEOUT(model.rowCount() > before, 5000);

    while (model.canFetchMore(QModelIndex()))
        model.fetchMore(QModelIndex());
    QCOMPARE(model.rowCount(), kRuns);
    QSet<qint64> seen;
    for (int row = 0; row < model.rowCount(); ++row) {
        QCOMPARE(model.record(row).id, qint64(kRuns - row)); // in order, none twice or lost
        seen.insert(model.record(row).id);
        QVERIFY(model.record(row).summary.isEmpty()); // rows never carry the summary
    }
    QCOMPARE(seen.size(), kRuns);
    // A run deep in the history is found by fetching until it is there.
    model.refresh();
    QCOMPARE(model.rowCount(), kRuns); // as many as were loaded, so a selection survives
    ResultFilter none;
    model.setFilter(none);
    QCOMPARE(model.rowCount(), ResultsTableModel::kPageSize);
    QCOMPARE(model.fetchUntil(3), kRuns - 3);
}

void TestResultsPaging::sortsAndFiltersInSql()
{
    HistoryStore store;
    QString error;
    QVERIFY2(store.open(m_path, &error), qPrintable(error));
    ResultsTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    ResultsFilterProxy proxy;
    QAbstractItemModelTester proxyTester(&proxy,
                                         QAbstractItemModelTester::FailureReportingMode::QtTest);
    proxy.setSourceModel(&model);
    model.setStore(&store);

    // p95 ascending over all 5,000: the first page is the 200 smallest, in order.
    proxy.sort(ResultsTableModel::P95Column, Qt::AscendingOrder);
    QCOMPARE(model.rowCount(), ResultsTableModel::kPageSize);
    QList<double> expected;
    for (int i = 1; i <= kRuns; ++i)
        expected.append(p95Of(i));
    std::sort(expected.begin(), expected.end());
    for (int row = 0; row < model.rowCount(); ++row)
        QCOMPARE(model.index(row, ResultsTableModel::P95Column)
                     .data(ResultsTableModel::SortRole)
                     .toDouble(),
                 expected.at(row));
    model.fetchMore(QModelIndex());
    QCOMPARE(model.index(ResultsTableModel::kPageSize, ResultsTableModel::P95Column)
                 .data(ResultsTableModel::SortRole)
                 .toDouble(),
             expected.at(ResultsTableModel::kPageSize)); // the second page continues the order

    // Filters: test name and version label, counted over the whole history.
    proxy.setTextFilter(QStringLiteral("BET"));
    QCOMPARE(model.totalCount(), kRuns / 5);
    proxy.setVersionFilter(QStringLiteral("v5"));
    QCOMPARE(model.totalCount(), kRuns / 10); // i % 5 == 0 and i % 10 == 5
    for (int row = 0; row < model.rowCount(); ++row) {
        QCOMPARE(model.record(row).testName, QStringLiteral("beta"));
        QCOMPARE(model.record(row).versionLabel, QStringLiteral("v5"));
    }
    // Still sorted by p95 within the filter.
    for (int row = 1; row < model.rowCount(); ++row)
        QVERIFY(*model.record(row - 1).figures.p95Ms <= *model.record(row).figures.p95Ms);
    proxy.setTextFilter(QString());
    proxy.setVersionFilter(QString());
    QCOMPARE(model.totalCount(), kRuns);
}

void TestResultsPaging::staleVerdictsAreDropped()
{
    HistoryStore store;
    QString error;
    QVERIFY2(store.open(m_path, &error), qPrintable(error));
    ResultsTableModel model;
    model.setStore(&store);
    model.refresh();
    const qint64 first = model.record(0).id;
    const qint64 second = model.record(1).id;

    // Directly: a verdict for an older generation changes nothing.
    const quint64 old = model.generation();
    model.refresh();
    QVERIFY(model.generation() != old);
    model.setVerdicts(old, {{first, QStringLiteral("regression")}});
    QCOMPARE(model.verdict(first), QString());
    QVERIFY(!model.hasVerdict(model.record(0)));
    model.setVerdicts(model.generation(), {{first, QStringLiteral("improvement")}});
    QCOMPARE(model.verdict(first), QStringLiteral("improvement"));

    // Through the jobs thread: run `second` asked for, then the table refreshed before the
    // answer; run `first` asked for after. Answers come in order, so once `first`'s is in, any
    // answer for `second` has been delivered — and dropped.
    model.clearVerdicts();
    model.refresh();
    HistoryJobs jobs(m_path);
    connect(&jobs, &HistoryJobs::verdictsReady, &model, &ResultsTableModel::setVerdicts);
    QSignalSpy ready(&jobs, &HistoryJobs::verdictsReady);
    jobs.setGeneration(model.generation());
    jobs.requestVerdicts(model.generation(), {second});
    model.refresh();
    jobs.setGeneration(model.generation());
    jobs.requestVerdicts(model.generation(), {first});
    QTRY_VERIFY_WITH_TIMEOUT(model.hasVerdict(model.record(model.rowOf(first))), 20000);
    QVERIFY(!model.hasVerdict(model.record(model.rowOf(second))));
    for (const QList<QVariant> &signal : std::as_const(ready)) {
        const auto verdicts = signal.at(1).value<QHash<qint64, QString>>();
        if (signal.at(0).toULongLong() == model.generation())
            QVERIFY(!verdicts.contains(second));
    }
}

void TestResultsPaging::placeFillsVerdictsInTheBackground()
{
    HistoryStore store;
    QString error;
    QVERIFY2(store.open(m_path, &error), qPrintable(error));
    HistoryPlace place(&store);
    QCOMPARE(place.model()->rowCount(), ResultsTableModel::kPageSize);
    QVERIFY(place.jobs());
    // Same plan, same p95 pattern: each run has its previous one as baseline, so every loaded
    // row gets a verdict, filled in as the jobs answer.
    QTRY_VERIFY_WITH_TIMEOUT(place.verdictsSettled(), 60000);
    const qint64 newest = place.model()->record(0).id;
    QVERIFY(!place.verdictOf(newest).isEmpty());
    QCOMPARE(place.model()
                 ->index(0, ResultsTableModel::VerdictColumn)
                 .data(Qt::ToolTipRole)
                 .toString()
                 .contains(place.verdictOf(newest)),
             true);
}

LOADSCOPE_WIDGET_TEST_MAIN(TestResultsPaging)
#include "tst_resultspaging.moc"
