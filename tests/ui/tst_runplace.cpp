#include <QAbstractItemModelTester>
#include <QImage>
#include <QJsonObject>
#include <QPushButton>
#include <QTemporaryDir>

#include "plot/plotstyle.h"
#include "run/endpointtablemodel.h"
#include "run/livecharts.h"
#include "run/runplace.h"
#include "run/runsummarypanel.h"
#include "sample/sampleapihost.h"
#include "session/runsession.h"
#include "store/historystore.h"
#include "widgettestmain.h"

using namespace loadscope;

// The Run place against an in-test sample API: live intervals through the drain, charts,
// the endpoint model, threshold lights, Stop, and charts saved to files.
class TestRunPlace : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void runShowsIntervalsLive();
    void stopKeepsWhatWasMeasured();
    void refusesASecondRunWhileRunning();
    void hiddenChartsDoNotReplot();
    void resourcesAndServerTimingChartsAppearWithData();
    void openModelShowsCorrectedLatency();
    void longRunsAreDecimatedKeepingSpikes();
    void narrowChartsWrapTheirLegend();
    void savesChartsAsPngAndPdf();
    void cleanupTestCase();

private:
    static TestPlan plan(qint64 durationMs, int vus = 2);

    QTemporaryDir m_dir;
    HistoryStore m_store;
    SampleApiHost m_host;
    std::unique_ptr<RunPlace> m_place;
};

TestPlan TestRunPlace::plan(qint64 durationMs, int vus)
{
    TestPlan p;
    p.name = QStringLiteral("run place test");
    p.type = TestType::ApiLatency;
    Step health;
    health.path = QStringLiteral("/api/health");
    Step predict;
    predict.method = QStringLiteral("POST");
    predict.path = QStringLiteral("/api/bridge/predict");
    predict.headers = {{QStringLiteral("Content-Type"), QStringLiteral("application/json")}};
    predict.body = QStringLiteral("{\"symbol\":\"AAPL\"}");
    p.steps = {health, predict};
    p.load.executor = Executor::ConstantVus;
    p.load.vus = vus;
    p.load.durationMs = durationMs;
    p.load.gracefulStopMs = 2000;
    p.intervalMs = 200;
    p.threads = 1;
    // One that holds and one that is crossed at once: both lights must show it.
    p.thresholds = {{QStringLiteral("http_req_duration"), QStringLiteral("p(95)<5000"), false, 0},
                    {QStringLiteral("http_reqs"), QStringLiteral("count<1"), false, 0}};
    return p;
}

void TestRunPlace::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QString error;
    QVERIFY2(m_store.open(m_dir.filePath(QStringLiteral("history.db")), &error), qPrintable(error));
    QVERIFY2(m_host.start(QHostAddress::LocalHost, 0, &error) > 0, qPrintable(error));
    m_place = std::make_unique<RunPlace>(&m_store);
    m_place->setDefaultTarget(DefaultTarget{m_host.baseUrl().toString(), 0});
    m_place->resize(1200, 800);
    m_place->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_place.get()));
}

void TestRunPlace::cleanupTestCase()
{
    m_place.reset();
}

void TestRunPlace::runShowsIntervalsLive()
{
    QAbstractItemModelTester tester(m_place->endpointModel(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy finished(m_place.get(), &RunPlace::runFinished);
    QString error;
    QVERIFY2(m_place->start(plan(1500), &error), qPrintable(error));
    QVERIFY(m_place->isRunning());
    QVERIFY(m_place->resultId() > 0);

    // Intervals arrive through the pending list and the drain timer.
    QTRY_VERIFY_WITH_TIMEOUT(m_place->drainedIntervals() >= 2, 10000);
    QCOMPARE(m_place->receivedIntervals(),
             m_place->drainedIntervals() + m_place->pendingIntervals());
    QVERIFY(m_place->charts()->plot(LiveCharts::ThroughputChart)->graph(0)->dataCount() >= 2);
    QVERIFY(m_place->charts()->plot(LiveCharts::LatencyChart)->graph(2)->dataCount() >= 2);
    QVERIFY(m_place->charts()->replotCount() <= m_place->drainedIntervals() + 1);
    QTRY_COMPARE_WITH_TIMEOUT(m_place->endpointModel()->rowCount(), 2, 5000);
    QVERIFY(m_place->endpointModel()->requests(QStringLiteral("GET /api/health")) > 0);
    QVERIFY(m_place->kpiText(QStringLiteral("requests")).toLongLong() > 0);
    QTRY_COMPARE_WITH_TIMEOUT(m_place->thresholdStates(), QList<int>({1, 0}), 5000);
    QVERIFY(m_place->progressBar()->value() > 0);

    QVERIFY(finished.wait(15000));
    QCOMPARE(finished.first().first().toLongLong(), m_place->resultId());
    QVERIFY(m_place->hasFinished());
    QCOMPARE(m_place->pendingIntervals(), 0);
    QVERIFY(m_place->endpointModel()->isFinal());
    QCOMPARE(m_place->thresholdStates(), QList<int>({1, 0}));
    QCOMPARE(m_place->lastSummary().status, ResultStatus::Completed);
    // The run is in the history with its samples.
    const auto record = m_store.result(m_place->resultId());
    QVERIFY(record);
    QCOMPARE(record->status, ResultStatus::Completed);
    QVERIFY(!m_store.samples(record->id, QStringLiteral("")).isEmpty());
    QVERIFY(!m_place->stopButton()->isEnabled());
    QVERIFY(m_place->summaryPanel()->isVisible());
    QCOMPARE(m_place->summaryPanel()->percentileTable()->rowCount(), 1);
}

void TestRunPlace::stopKeepsWhatWasMeasured()
{
    // A test of its own with a completed run first, so that the stopped run has a baseline
    // whatever other test functions ran before.
    TestPlan baselinePlan = plan(1000);
    baselinePlan.name = QStringLiteral("stop keeps what was measured");
    TestPlan longPlan = plan(60000);
    longPlan.name = baselinePlan.name;
    QSignalSpy finished(m_place.get(), &RunPlace::runFinished);
    QString error;
    QVERIFY2(m_place->start(baselinePlan, &error), qPrintable(error));
    QVERIFY(finished.wait(15000));
    QCOMPARE(m_place->lastSummary().status, ResultStatus::Completed);
    finished.clear();

    QVERIFY2(m_place->start(longPlan, &error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(m_place->drainedIntervals() >= 2, 10000);
    const qint64 seen = m_place->kpiText(QStringLiteral("requests")).toLongLong();
    QVERIFY(seen > 0);
    // Esc stops the run, as the Stop button does.
    QTest::keyClick(m_place.get(), Qt::Key_Escape);
    QVERIFY(finished.wait(15000));
    const RunSummary &summary = m_place->lastSummary();
    QCOMPARE(summary.status, ResultStatus::Aborted);
    QVERIFY(summary.totals.requests >= seen);
    QVERIFY(summary.durationSec < 30);
    const auto record = m_store.result(m_place->resultId());
    QVERIFY(record);
    QCOMPARE(record->status, ResultStatus::Aborted);
    QVERIFY(m_store.samples(record->id, QStringLiteral("")).size() >= 2);
    // A second run of the same test has the first as its baseline: a verdict is shown.
    QVERIFY(!m_place->summaryPanel()->verdict().isEmpty());
}

void TestRunPlace::refusesASecondRunWhileRunning()
{
    QSignalSpy finished(m_place.get(), &RunPlace::runFinished);
    QString error;
    QVERIFY2(m_place->start(plan(60000), &error), qPrintable(error));
    QVERIFY(!m_place->start(plan(1000), &error));
    QVERIFY2(error.contains(QStringLiteral("already")), qPrintable(error));
    m_place->stop();
    QVERIFY(finished.wait(15000));
}

static IntervalSample sample(int index)
{
    IntervalSample s;
    s.index = index;
    s.tSec = index + 1;
    s.activeVus = 3;
    s.overall.totals.requests = 100;
    s.overall.latency.p50Ms = 1;
    s.overall.latency.p95Ms = 2;
    s.overall.latency.p99Ms = 3;
    s.overall.latency.maxMs = 4;
    return s;
}

void TestRunPlace::hiddenChartsDoNotReplot()
{
    LiveCharts charts;
    TestPlan p = plan(10000);
    charts.reset(p);
    charts.append({sample(0), sample(1)});
    charts.append({sample(2)});
    QCOMPARE(charts.sampleCount(), 3);
    QCOMPARE(charts.replotCount(), 0); // never shown: data only
    QCOMPARE(charts.plot(LiveCharts::ThroughputChart)->graph(0)->dataCount(), 3);
    charts.show();
    QVERIFY(QTest::qWaitForWindowExposed(&charts));
    QCOMPARE(charts.replotCount(), 1); // one replot when it appears
    charts.append({sample(3)});
    QCOMPARE(charts.replotCount(), 2);
    // The planned shape is drawn whole from the start: constant 2 VUs over 10 s.
    QCPGraph *planned = charts.plot(LiveCharts::VusChart)->graph(1);
    QVERIFY(planned->dataCount() > 2);
    QCOMPARE(planned->data()->at(0)->value, 2.0);
    QCOMPARE(planned->data()->at(planned->dataCount() - 1)->key, 10.0);
}

void TestRunPlace::resourcesAndServerTimingChartsAppearWithData()
{
    LiveCharts charts;
    charts.reset(plan(5000));
    charts.append({sample(0)});
    QVERIFY(!charts.isChartShown(LiveCharts::ResourcesChart));
    QVERIFY(!charts.isChartShown(LiveCharts::ServerTimingChart));
    IntervalSample s = sample(1);
    s.resources =
        QJsonObject{{QStringLiteral("machineCpuPct"), 40.0},
                    {QStringLiteral("memUsedBytes"), 1e9},
                    {QStringLiteral("generator"),
                     QJsonObject{{QStringLiteral("valid"), true},
                                 {QStringLiteral("cpuPct"), 55.0},
                                 {QStringLiteral("rssBytes"), 50.0 * 1024 * 1024}}},
                    {QStringLiteral("target"), QJsonObject{{QStringLiteral("valid"), false}}}};
    LatencyStats inference;
    inference.count = 10;
    inference.p95Ms = 3.5;
    s.serverTiming.insert(QStringLiteral("inference"), inference);
    charts.append({s});
    QVERIFY(charts.isChartShown(LiveCharts::ResourcesChart));
    QVERIFY(charts.isChartShown(LiveCharts::ServerTimingChart));
    QCustomPlot *resources = charts.plot(LiveCharts::ResourcesChart);
    QCOMPARE(resources->graph(1)->data()->at(0)->value, 55.0);
    QCOMPARE(resources->graph(3)->data()->at(0)->value, 50.0);
    QCOMPARE(resources->graph(2)->dataCount(), 0); // target not monitored: no line
    QCustomPlot *st = charts.plot(LiveCharts::ServerTimingChart);
    QCOMPARE(st->graphCount(), 1);
    QCOMPARE(st->graph(0)->name(), QStringLiteral("inference"));
    QCOMPARE(st->graph(0)->data()->at(0)->value, 3.5);
    charts.reset(plan(5000));
    QVERIFY(!charts.isChartShown(LiveCharts::ResourcesChart));
    QCOMPARE(st->graphCount(), 0);
}

//! The largest and smallest value of @p g's points.
static std::pair<double, double> valueRange(const QCPGraph *g)
{
    bool ok = false;
    const QCPRange r = g->getValueRange(ok);
    return {r.lower, r.upper};
}

void TestRunPlace::longRunsAreDecimatedKeepingSpikes()
{
    // An hour of 1 s intervals with one slow second and one idle second: the chart draws a
    // point pair per pixel column at most, and the spike and the dip are still there.
    LiveCharts charts;
    charts.resize(900, 700);
    charts.reset(plan(3600 * 1000));
    QList<IntervalSample> samples;
    for (int i = 0; i < 3600; ++i) {
        IntervalSample s = sample(i);
        if (i == 1234)
            s.overall.latency.p95Ms = 250;
        if (i == 2345)
            s.overall.totals.requests = 1;
        samples.append(s);
    }
    charts.append(samples);
    charts.show();
    QVERIFY(QTest::qWaitForWindowExposed(&charts));
    QCustomPlot *latency = charts.plot(LiveCharts::LatencyChart);
    const QCPGraph *p95 = latency->graph(2);
    QVERIFY2(p95->dataCount() <= 2 * latency->width(),
             qPrintable(QString::number(p95->dataCount())));
    QVERIFY(p95->dataCount() > 100);
    QCOMPARE(valueRange(p95), std::make_pair(2.0, 250.0));
    const QCPGraph *rps = charts.plot(LiveCharts::ThroughputChart)->graph(0);
    QVERIFY(rps->dataCount() <= 2 * latency->width());
    QCOMPARE(valueRange(rps).first, 1.0); // the idle second: 1 request in 1 s
    // The spike is at its own second, not smeared into a bucket's.
    bool found = false;
    for (auto it = p95->data()->constBegin(); it != p95->data()->constEnd(); ++it)
        found = found || (it->value == 250.0 && it->key == 1235.0);
    QVERIFY(found);
    // Zoomed in on ten minutes around the spike: finer buckets, past one point per pixel
    // column the raw seconds themselves.
    latency->xAxis->setRange(1000, 1600);
    QTRY_COMPARE(p95->dataCount(), 3600);
    latency->xAxis->setRange(0, 3600);
    QTRY_VERIFY(p95->dataCount() <= 2 * latency->width());
}

void TestRunPlace::narrowChartsWrapTheirLegend()
{
    // Five resource series do not fit one legend row on a narrow chart: the legend wraps
    // into more rows and every entry lies inside the chart.
    LiveCharts charts;
    charts.resize(560, 900); // one column
    charts.reset(plan(5000));
    IntervalSample s = sample(0);
    s.resources =
        QJsonObject{{QStringLiteral("machineCpuPct"), 40.0},
                    {QStringLiteral("generator"), QJsonObject{{QStringLiteral("cpuPct"), 5.0},
                                                              {QStringLiteral("rssBytes"), 5e7}}},
                    {QStringLiteral("target"), QJsonObject{{QStringLiteral("valid"), true},
                                                           {QStringLiteral("cpuPct"), 9.0},
                                                           {QStringLiteral("rssBytes"), 6e7}}}};
    charts.append({s});
    charts.show();
    QVERIFY(QTest::qWaitForWindowExposed(&charts));
    QCustomPlot *resources = charts.plot(LiveCharts::ResourcesChart);
    const auto everyEntryInside = [resources] {
        resources->replot(QCustomPlot::rpImmediateRefresh);
        const QRect inside = resources->rect();
        int entries = 0;
        for (int i = 0; i < resources->legend->itemCount(); ++i) {
            const QCPAbstractLegendItem *item = resources->legend->item(i);
            if (!item)
                continue; // an empty cell of a wrapped legend
            ++entries;
            // What the entry draws (its icon and text) from where its cell starts.
            if (!inside.contains(QRect(item->outerRect().topLeft(), item->minimumOuterSizeHint())))
                return false;
        }
        return entries == 5;
    };
    QTRY_VERIFY(everyEntryInside());
    QVERIFY(resources->legend->rowCount() > 1);
    charts.resize(1500, 900); // two columns of 740 px: one row again
    QTRY_VERIFY2(everyEntryInside() && resources->legend->rowCount() == 1,
                 qPrintable(QStringLiteral("%1 rows, %2 wide")
                                .arg(resources->legend->rowCount())
                                .arg(resources->width())));
}

void TestRunPlace::openModelShowsCorrectedLatency()
{
    LiveCharts charts;
    TestPlan p = plan(4000);
    charts.reset(p);
    QVERIFY(!charts.plot(LiveCharts::LatencyChart)->graph(5)->visible());
    p.load.executor = Executor::ConstantArrivalRate;
    p.load.rate = 20;
    charts.reset(p);
    QVERIFY(charts.plot(LiveCharts::LatencyChart)->graph(5)->visible());
    IntervalSample s = sample(0);
    s.overall.latencyCorrected.p99Ms = 9;
    charts.append({s});
    QCOMPARE(charts.plot(LiveCharts::LatencyChart)->graph(5)->data()->at(0)->value, 9.0);
    // The planned shape of an open model is its arrival rate.
    QCOMPARE(charts.plot(LiveCharts::VusChart)->graph(1)->data()->at(0)->value, 20.0);
}

void TestRunPlace::savesChartsAsPngAndPdf()
{
    const QString png = m_dir.filePath(QStringLiteral("throughput.png"));
    const QString pdf = m_dir.filePath(QStringLiteral("latency.pdf"));
    QString error;
    QVERIFY2(m_place->charts()->saveChart(LiveCharts::ThroughputChart, png, &error),
             qPrintable(error));
    QVERIFY2(m_place->charts()->saveChart(LiveCharts::LatencyChart, pdf, &error),
             qPrintable(error));
    const QImage image(png);
    QVERIFY(!image.isNull());
    QVERIFY(image.width() >= 800);
    QFile file(pdf);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.read(5).startsWith("%PDF"));
    QVERIFY(!m_place->charts()->saveChart(
        LiveCharts::ThroughputChart, m_dir.filePath(QStringLiteral("missing/dir/x.png")), &error));
    QVERIFY(error.contains(QStringLiteral("missing/dir")));
}

LOADSCOPE_WIDGET_TEST_MAIN(TestRunPlace)
#include "tst_runplace.moc"
