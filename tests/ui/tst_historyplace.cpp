#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLineEdit>
#include <QTableView>
#include <QTemporaryDir>

#include "chartsaving.h"
#include "history/historyplace.h"
#include "history/resultsfilterproxy.h"
#include "history/resultstablemodel.h"
#include "history/rundetails.h"
#include "plan/planjson.h"
#include "plan/planpresets.h"
#include "plot/plotstyle.h"
#include "store/historystore.h"
#include "widgettestmain.h"

using namespace loadscope;

class TestHistoryPlace : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void modelShowsTheRuns();
    void sortsNumerically();
    void filters();
    void selectionShowsDetails();
    void chartsSaveAsPngAndPdf();
    void pinsBaseline();
    void deletesAfterConfirmation();
    void exportsFiles();
    void cleansUpKeepingPinned();

private:
    struct Run
    {
        qint64 testId;
        QString version;
        ResultStatus status;
        double rps;
        double errorRate;
        double p95;
    };
    qint64 addRun(const Run &run);
    //! Proxy rows' result ids in view order.
    QList<qint64> visibleIds(const HistoryPlace &place) const;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<HistoryStore> m_store;
    qint64 m_checkout = 0;
    qint64 m_probe = 0;
    QList<qint64> m_runs; // r1..r4 below
};

qint64 TestHistoryPlace::addRun(const Run &run)
{
    const auto test = m_store->test(run.testId);
    const qint64 id = m_store->startResult(run.testId, test->plan, run.version);
    if (id <= 0)
        return id;
    QList<ResultSample> samples;
    for (int t = 1; t <= 5; ++t) {
        ResultSample overall;
        overall.tSec = t;
        overall.requests = qint64(run.rps);
        overall.rps = run.rps + t;
        overall.p95Ms = run.p95 + t;
        overall.activeVus = 5;
        samples.append(overall);
        ResultSample endpoint = overall;
        endpoint.endpoint = QStringLiteral("GET /api/health");
        samples.append(endpoint);
    }
    m_store->appendSamples(id, samples);
    const QJsonObject summary{
        {QStringLiteral("durationSec"), 5.0},
        {QStringLiteral("totals"),
         QJsonObject{{QStringLiteral("requests"), run.rps * 5},
                     {QStringLiteral("errors"), run.rps * 5 * run.errorRate},
                     {QStringLiteral("throughputRps"), run.rps},
                     {QStringLiteral("errorRate"), run.errorRate}}},
        {QStringLiteral("latencyMs"), QJsonObject{{QStringLiteral("p50"), run.p95 / 2},
                                                  {QStringLiteral("p95"), run.p95},
                                                  {QStringLiteral("p99"), run.p95 * 1.5},
                                                  {QStringLiteral("max"), run.p95 * 3}}}};
    m_store->finishResult(id, run.status, summary,
                          run.status == ResultStatus::Failed ? QStringLiteral("target unreachable")
                                                             : QString());
    return id;
}

void TestHistoryPlace::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_store = std::make_unique<HistoryStore>();
    QString error;
    QVERIFY2(m_store->open(m_dir->filePath(QStringLiteral("history.db")), &error),
             qPrintable(error));
    StoredTest checkout;
    checkout.name = QStringLiteral("Checkout flow");
    checkout.testType = QStringLiteral("LOAD_TEST");
    checkout.plan = toJson(presetPlan(TestType::LoadTest));
    m_checkout = m_store->saveTest(checkout);
    StoredTest probe;
    probe.name = QStringLiteral("Health probe");
    probe.testType = QStringLiteral("API_LATENCY");
    probe.plan = toJson(presetPlan(TestType::ApiLatency));
    m_probe = m_store->saveTest(probe);
    QVERIFY(m_checkout > 0 && m_probe > 0);
    m_runs = {addRun({m_checkout, QStringLiteral("v1.0"), ResultStatus::Completed, 100, 0.01, 120}),
              addRun({m_checkout, QStringLiteral("v1.1"), ResultStatus::Completed, 150, 0.0, 90}),
              addRun({m_probe, QString(), ResultStatus::Failed, 10, 0.5, 300}),
              addRun({m_checkout, QStringLiteral("v1.2"), ResultStatus::Aborted, 120, 0.02, 200})};
    for (const qint64 id : std::as_const(m_runs))
        QVERIFY(id > 0);
    QVERIFY(m_store->flush());
}

void TestHistoryPlace::cleanup()
{
    m_store.reset();
    m_dir.reset();
}

QList<qint64> TestHistoryPlace::visibleIds(const HistoryPlace &place) const
{
    QList<qint64> ids;
    const QAbstractItemModel *proxy = place.view()->model();
    for (int row = 0; row < proxy->rowCount(); ++row)
        ids.append(proxy->index(row, 0).data(ResultsTableModel::ResultIdRole).toLongLong());
    return ids;
}

void TestHistoryPlace::modelShowsTheRuns()
{
    HistoryPlace place(m_store.get());
    QAbstractItemModelTester sourceTester(place.model(),
                                          QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester proxyTester(place.proxy(),
                                         QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(place.model()->rowCount(), 4);
    const int row = place.model()->rowOf(m_runs[0]);
    QVERIFY(row >= 0);
    const auto cell = [&place, row](int column) {
        return place.model()->index(row, column).data().toString();
    };
    QCOMPARE(cell(ResultsTableModel::IdColumn), QString::number(m_runs[0]));
    QCOMPARE(cell(ResultsTableModel::TestColumn), QStringLiteral("Checkout flow"));
    QCOMPARE(cell(ResultsTableModel::TypeColumn), QStringLiteral("LOAD_TEST"));
    QCOMPARE(cell(ResultsTableModel::StatusColumn), QStringLiteral("completed"));
    QCOMPARE(cell(ResultsTableModel::VersionColumn), QStringLiteral("v1.0"));
    QCOMPARE(cell(ResultsTableModel::DurationColumn), QStringLiteral("5.0s"));
    QCOMPARE(cell(ResultsTableModel::RpsColumn), QStringLiteral("100.0"));
    QCOMPARE(cell(ResultsTableModel::P95Column), QStringLiteral("120 ms"));
    QCOMPARE(cell(ResultsTableModel::ErrorRateColumn), QStringLiteral("1.00"));
    // The first run of its test has no baseline to be judged against.
    QCOMPARE(cell(ResultsTableModel::VerdictColumn), QStringLiteral("–"));
    const QDateTime started = m_store->result(m_runs[0])->startedAt;
    QCOMPARE(cell(ResultsTableModel::StartedColumn),
             started.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")));

    // reload() picks up a run stored later; the testers check the reset.
    addRun({m_probe, QStringLiteral("v2"), ResultStatus::Completed, 20, 0, 15});
    QVERIFY(m_store->flush());
    place.reload();
    QCOMPARE(place.model()->rowCount(), 5);
}

void TestHistoryPlace::sortsNumerically()
{
    HistoryPlace place(m_store.get());
    place.view()->sortByColumn(ResultsTableModel::P95Column, Qt::AscendingOrder);
    QCOMPARE(visibleIds(place), QList<qint64>({m_runs[1], m_runs[0], m_runs[3], m_runs[2]}));
    place.view()->sortByColumn(ResultsTableModel::RpsColumn, Qt::DescendingOrder);
    QCOMPARE(visibleIds(place), QList<qint64>({m_runs[1], m_runs[3], m_runs[0], m_runs[2]}));
    place.view()->sortByColumn(ResultsTableModel::ErrorRateColumn, Qt::AscendingOrder);
    QCOMPARE(visibleIds(place), QList<qint64>({m_runs[1], m_runs[0], m_runs[3], m_runs[2]}));
}

void TestHistoryPlace::filters()
{
    HistoryPlace place(m_store.get());
    QAbstractItemModelTester proxyTester(place.proxy(),
                                         QAbstractItemModelTester::FailureReportingMode::QtTest);
    place.view()->sortByColumn(ResultsTableModel::IdColumn, Qt::AscendingOrder);
    QComboBox *type = place.typeFilter();
    type->setCurrentIndex(type->findData(QStringLiteral("API_LATENCY")));
    QCOMPARE(visibleIds(place), QList<qint64>({m_runs[2]}));
    type->setCurrentIndex(0);
    QCOMPARE(visibleIds(place).size(), 4);

    QComboBox *status = place.statusFilter();
    status->setCurrentIndex(status->findData(QStringLiteral("completed")));
    QCOMPARE(visibleIds(place), QList<qint64>({m_runs[0], m_runs[1]}));
    status->setCurrentIndex(status->findData(QStringLiteral("aborted")));
    QCOMPARE(visibleIds(place), QList<qint64>({m_runs[3]}));
    status->setCurrentIndex(0);

    QTest::keyClicks(place.textFilter(), QStringLiteral("CHECKOUT"));
    QCOMPARE(visibleIds(place), QList<qint64>({m_runs[0], m_runs[1], m_runs[3]}));
    QTest::keyClicks(place.versionFilter(), QStringLiteral("v1.1"));
    QCOMPARE(visibleIds(place), QList<qint64>({m_runs[1]}));
    place.textFilter()->clear();
    place.versionFilter()->clear();

    place.proxy()->setDateRange(QDateTime::currentDateTime().addDays(1), QDateTime());
    QVERIFY(visibleIds(place).isEmpty());
    place.proxy()->setDateRange(QDateTime(), QDateTime());
    place.dateFilter()->setCurrentIndex(1); // last 24 hours
    QCOMPARE(visibleIds(place).size(), 4);
}

void TestHistoryPlace::selectionShowsDetails()
{
    HistoryPlace place(m_store.get());
    QSignalSpy selection(&place, &HistoryPlace::selectionChanged);
    QVERIFY(place.selectResult(m_runs[0]));
    QVERIFY(selection.count() > 0);
    QCOMPARE(selection.last().at(0).value<QList<qint64>>(), QList<qint64>({m_runs[0]}));
    QCOMPARE(place.details()->figureText(QStringLiteral("p95")), QStringLiteral("120 ms"));
    QCOMPARE(place.details()->figureText(QStringLiteral("rps")), QStringLiteral("100.0 req/s"));
    QCOMPARE(place.details()->figureText(QStringLiteral("errors")), QStringLiteral("1.00 %"));

    // Only the overall samples are charted.
    const auto rps = place.details()->runPlot()->graph(0)->data();
    const auto p95 = place.details()->runPlot()->graph(1)->data();
    QCOMPARE(rps->size(), 5);
    QCOMPARE(rps->at(0)->key, 1.0);
    QCOMPARE(rps->at(0)->value, 101.0);
    QCOMPARE(p95->at(4)->value, 125.0);
    // The trend holds the test's three runs, oldest first, the selected one highlighted; it is
    // read off the GUI thread and shown when it arrives.
    const auto trend = place.details()->trendPlot()->graph(0)->data();
    QTRY_COMPARE_WITH_TIMEOUT(place.details()->trendPlot()->graph(0)->data()->size(), 3, 10000);
    QCOMPARE(trend->at(0)->value, 120.0);
    QCOMPARE(trend->at(1)->value, 90.0);
    QCOMPARE(trend->at(2)->value, 200.0);
    QCOMPARE(place.details()->trendPlot()->graph(1)->data()->at(0)->key, 0.0);
    auto ticker = place.details()->trendPlot()->xAxis->ticker().dynamicCast<QCPAxisTickerText>();
    QVERIFY(ticker);
    QCOMPARE(ticker->ticks().value(1.0), QStringLiteral("v1.1"));

    // Several runs selected (for Compare).
    place.view()->selectAll();
    QCOMPARE(selection.last().at(0).value<QList<qint64>>().size(), 4);
    QCOMPARE(place.selectedResultIds().size(), 4);
}

void TestHistoryPlace::chartsSaveAsPngAndPdf()
{
    HistoryPlace place(m_store.get());
    place.resize(1200, 800);
    place.show();
    QVERIFY(place.selectResult(m_runs[0]));
    QTemporaryDir dir;
    for (QCustomPlot *plot : {place.details()->runPlot(), place.details()->trendPlot()}) {
        const QString png = dir.filePath(QStringLiteral("chart.png"));
        const QString pdf = dir.filePath(QStringLiteral("chart.pdf"));
        QFile::remove(png);
        QFile::remove(pdf);
        QVERIFY(test::saveChartThroughMenu(plot, "saveAsPng", png));
        QVERIFY(test::isDrawnPng(png, 800)); // small charts export at least 800 wide
        QVERIFY(test::saveChartThroughMenu(plot, "saveAsPdf", pdf));
        QVERIFY(test::isPdf(pdf));
    }
}

void TestHistoryPlace::pinsBaseline()
{
    HistoryPlace place(m_store.get());
    QVERIFY(place.selectResult(m_runs[1]));
    QVERIFY(place.pinSelectedAsBaseline());
    QCOMPARE(m_store->test(m_checkout)->baselineResultId, m_runs[1]);
    QVERIFY(place.model()->isBaseline(place.model()->rowOf(m_runs[1])));
    QVERIFY(!place.model()->isBaseline(place.model()->rowOf(m_runs[0])));
    QCOMPARE(place.selectedResultIds(), QList<qint64>({m_runs[1]})); // kept across the reload
    // Pinning another run of the same test moves the pin.
    QVERIFY(place.selectResult(m_runs[0]));
    QVERIFY(place.pinSelectedAsBaseline());
    QCOMPARE(m_store->test(m_checkout)->baselineResultId, m_runs[0]);
    QVERIFY(!place.model()->isBaseline(place.model()->rowOf(m_runs[1])));
}

void TestHistoryPlace::deletesAfterConfirmation()
{
    HistoryPlace place(m_store.get());
    QStringList questions;
    bool answer = false;
    place.setConfirmFunction([&](const QString &question) {
        questions.append(question);
        return answer;
    });
    QVERIFY(place.selectResult(m_runs[2]));
    QCOMPARE(place.deleteSelected(), 0);
    QCOMPARE(questions.size(), 1);
    QVERIFY(questions.first().contains(QString::number(m_runs[2])));
    QVERIFY(m_store->result(m_runs[2]));

    answer = true;
    QCOMPARE(place.deleteSelected(), 1);
    QVERIFY(!m_store->result(m_runs[2]));
    QCOMPARE(place.model()->rowCount(), 3);
    QCOMPARE(place.model()->rowOf(m_runs[2]), -1);
}

void TestHistoryPlace::exportsFiles()
{
    HistoryPlace place(m_store.get());
    const auto read = [](const QString &path) {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    };
    QString error;
    const QString json = m_dir->filePath(QStringLiteral("run.json"));
    QVERIFY2(place.exportRun(m_runs[0], ResultFormat::Json, json, &error), qPrintable(error));
    const QJsonObject doc = QJsonDocument::fromJson(read(json)).object();
    QCOMPARE(doc.value(QStringLiteral("schema")).toString(), QStringLiteral("loadscope.result/1"));
    QCOMPARE(doc.value(QStringLiteral("test")).toObject(), toJson(presetPlan(TestType::LoadTest)));
    const QJsonObject result = doc.value(QStringLiteral("result")).toObject();
    QCOMPARE(result.value(QStringLiteral("id")).toInteger(), m_runs[0]);
    QCOMPARE(result.value(QStringLiteral("status")).toString(), QStringLiteral("completed"));
    QCOMPARE(result.value(QStringLiteral("versionLabel")).toString(), QStringLiteral("v1.0"));
    QCOMPARE(result.value(QStringLiteral("latencyMs")).toObject().value(QStringLiteral("p95")),
             QJsonValue(120.0));
    const QJsonArray timeline = result.value(QStringLiteral("timeline")).toArray();
    QCOMPARE(timeline.size(), 5);
    QCOMPARE(timeline.at(0).toObject().value(QStringLiteral("t")).toDouble(), 1.0);

    const QString csv = m_dir->filePath(QStringLiteral("run.csv"));
    QVERIFY2(place.exportRun(m_runs[0], ResultFormat::Csv, csv, &error), qPrintable(error));
    const QList<QByteArray> lines = read(csv).trimmed().split('\n');
    QCOMPARE(lines.size(), 6); // header + five intervals
    QVERIFY(lines.first().startsWith("t,"));

    const QString md = m_dir->filePath(QStringLiteral("run.md"));
    QVERIFY2(place.exportRun(m_runs[0], ResultFormat::Markdown, md, &error), qPrintable(error));
    QVERIFY(read(md).contains("|"));

    QVERIFY(!place.exportRun(9999, ResultFormat::Json, json, &error));
    QVERIFY2(error.contains(QStringLiteral("9999")), qPrintable(error));
    QVERIFY(!place.exportRun(m_runs[0], ResultFormat::Json,
                             m_dir->filePath(QStringLiteral("no/such/dir/run.json")), &error));
    QVERIFY(!error.isEmpty());
}

void TestHistoryPlace::cleansUpKeepingPinned()
{
    HistoryPlace place(m_store.get());
    QVERIFY(m_store->setBaseline(m_checkout, m_runs[0]));
    QSignalSpy stats(&place, &HistoryPlace::historyStatsChanged);
    PruneRequest keepNewest;
    keepNewest.keepNewest = 1;
    // Checkout flow keeps its newest (r4) and its pinned baseline (r1); the probe its only run.
    QCOMPARE(place.cleanUp(keepNewest), 1);
    QCOMPARE(place.model()->rowCount(), 3);
    QCOMPARE(place.model()->rowOf(m_runs[1]), -1);
    QVERIFY(place.model()->isBaseline(place.model()->rowOf(m_runs[0])));
    QCOMPARE(stats.size(), 1);
    QCOMPARE(stats.first().first().value<StoreStats>().runs, 3);
    QVERIFY(!m_store->samples(m_runs[0]).isEmpty()); // what stays is whole
}

LOADSCOPE_WIDGET_TEST_MAIN(TestHistoryPlace)
#include "tst_historyplace.moc"
