#include <QTemporaryDir>

#include "analysis/timelineevents.h"
#include "history/runviewer.h"
#include "plot/plotstyle.h"
#include "run/livecharts.h"
#include "run/runplace.h"
#include "sample/sampleapihost.h"
#include "session/sampletarget.h"
#include "store/historystore.h"
#include "widgettestmain.h"

using namespace loadscope;

// The baseline beside the live run (issue #16): its series as a ghost at the same elapsed
// seconds, KPI deltas, a provisional verdict mid-run, and events marked on the charts.
class TestBaselineGhost : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void ghostAndProvisionalRegression();
    void markersAtStageChangeAndThresholdFailure();
    void cleanupTestCase();

private:
    static TestPlan steadyPlan(qint64 durationMs);
    qint64 runToEnd(const TestPlan &plan);

    QTemporaryDir m_dir;
    HistoryStore m_store;
    SampleApiHost m_host;
    std::unique_ptr<RunPlace> m_place;
};

TestPlan TestBaselineGhost::steadyPlan(qint64 durationMs)
{
    TestPlan p;
    p.name = QStringLiteral("ghost test");
    p.type = TestType::LoadTest;
    Step health;
    health.path = QStringLiteral("/api/health");
    health.thinkTimeMs = 20; // a light load: the generator must not saturate
    p.steps = {health};
    p.load.executor = Executor::ConstantVus;
    p.load.vus = 4;
    p.load.durationMs = durationMs;
    p.load.gracefulStopMs = 1000;
    p.intervalMs = 250; // many intervals in a few seconds
    p.threads = 1;
    return p;
}

void TestBaselineGhost::initTestCase()
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

void TestBaselineGhost::cleanupTestCase()
{
    m_place.reset();
}

qint64 TestBaselineGhost::runToEnd(const TestPlan &plan)
{
    QSignalSpy finished(m_place.get(), &RunPlace::runFinished);
    QString error;
    if (!m_place->start(plan, &error)) {
        qWarning() << error;
        return 0;
    }
    if (!finished.wait(30000))
        return 0;
    return finished.first().first().toLongLong();
}

void TestBaselineGhost::ghostAndProvisionalRegression()
{
    // The sample API in a process of its own (as the GUI runs it), so that the generator's
    // CPU figures are its own and both runs can support a verdict.
    SampleTargetProcess api;
    QString error;
    QVERIFY2(api.start({}, &error), qPrintable(error));
    m_place->setDefaultTarget(api.target());
    // On a shared 2-core machine the generator's CPU can read as saturated, which makes any
    // verdict "inconclusive" (rightly); without resource figures the runs stay judgeable.
    MonitorOptions noMonitor;
    noMonitor.enabled = false;
    m_place->setMonitorOptions(noMonitor);
    const qint64 baselineId = runToEnd(steadyPlan(7000));
    QVERIFY(baselineId > 0);
    QCOMPARE(m_place->baselineId(), 0); // the first run of the test has none
    const QList<IntervalSample> baseline = m_place->lastSummary().timeline;
    QVERIFY(baseline.size() >= 20);

    // The candidate meets a sample API 100 ms slower per response (a change no busy machine hides),
    // and runs longer than the baseline so that the verdict must come before its end.
    QVERIFY2(api.restart({QStringLiteral("--latency-ms=100")}, &error), qPrintable(error));
    m_place->setDefaultTarget(api.target());
    QVERIFY2(m_place->start(steadyPlan(20000), &error), qPrintable(error));
    QCOMPARE(m_place->baselineId(), baselineId);

    // The ghost holds the baseline's points at the baseline's elapsed seconds.
    LiveCharts *charts = m_place->charts();
    QCPGraph *rps = charts->ghostGraph(LiveCharts::GhostThroughput);
    QCPGraph *p95 = charts->ghostGraph(LiveCharts::GhostP95);
    QVERIFY(rps->visible());
    QCOMPARE(rps->dataCount(), int(baseline.size()));
    QCOMPARE(p95->dataCount(), int(baseline.size()));
    for (int i = 0; i < baseline.size(); ++i) {
        QCOMPARE(rps->data()->at(i)->key, baseline.at(i).tSec);
        QCOMPARE(rps->data()->at(i)->value, baseline.at(i).throughputRps());
        QCOMPARE(p95->data()->at(i)->key, baseline.at(i).tSec);
        QCOMPARE(p95->data()->at(i)->value, baseline.at(i).overall.latency.p95Ms);
    }

    // Mid-run: the KPI tile says how much slower, and the verdict turns "regression" while
    // the run still goes (it is planned for 20 s; the verdict needs 5 s and 10 intervals).
    QTRY_VERIFY2_WITH_TIMEOUT(m_place->provisionalVerdict() == QLatin1String("regression"),
                              qPrintable(m_place->provisionalText()), 15000);
    QVERIFY(m_place->isRunning());
    QVERIFY(m_place->provisionalAtSec() < 20.0);
    QTRY_VERIFY(m_place->kpiDeltaText(QStringLiteral("p95")).startsWith(u'+'));
    QVERIFY2(m_place->kpiDeltaText(QStringLiteral("p95")).contains(QStringLiteral("vs #")),
             qPrintable(m_place->kpiDeltaText(QStringLiteral("p95"))));

    QSignalSpy finished(m_place.get(), &RunPlace::runFinished);
    m_place->stop();
    QVERIFY(finished.wait(15000));
    // The stop is marked where the run ended.
    const QList<TimelineEvent> events = charts->events();
    QVERIFY(!events.isEmpty());
    QCOMPARE(events.last().kind, TimelineEvent::Abort);
    QCOMPARE(events.last().tSec, m_place->lastSummary().durationSec);
    m_place->setDefaultTarget(DefaultTarget{m_host.baseUrl().toString(), 0});
    m_place->setMonitorOptions(MonitorOptions());
}

void TestBaselineGhost::markersAtStageChangeAndThresholdFailure()
{
    // The in-process sample API, whatever the test before left behind.
    m_place->setDefaultTarget(DefaultTarget{m_host.baseUrl().toString(), 0});
    m_place->setMonitorOptions(MonitorOptions());
    if (m_place->isRunning()) {
        QSignalSpy finished(m_place.get(), &RunPlace::runFinished);
        m_place->stop();
        QVERIFY(finished.wait(15000));
    }
    TestPlan plan = steadyPlan(0);
    plan.name = QStringLiteral("marker test");
    plan.load.executor = Executor::RampingVus;
    plan.load.startVus = 1;
    plan.load.stages = {{2000, 2}, {1500, 4}};
    plan.load.gracefulRampDownMs = 500;
    // Fails from the first interval on: every response takes at least 5 ms.
    plan.thresholds = {{QStringLiteral("http_req_duration"), QStringLiteral("p(95)<2"), false, 0}};
    SampleApiOptions slow;
    slow.latencyMs = 5;
    m_host.setOptions(slow);
    const qint64 id = runToEnd(plan);
    m_host.setOptions(SampleApiOptions());
    QVERIFY(id > 0);
    const QList<IntervalSample> timeline = m_place->lastSummary().timeline;
    QVERIFY(!timeline.isEmpty());

    const auto check = [&](const QList<TimelineEvent> &events, const char *where) {
        const auto find = [&events](TimelineEvent::Kind kind) {
            return std::find_if(events.cbegin(), events.cend(),
                                [kind](const TimelineEvent &e) { return e.kind == kind; });
        };
        const auto stage = find(TimelineEvent::StageChange);
        QVERIFY2(stage != events.cend(), where);
        QCOMPARE(stage->tSec, 2.0);
        QCOMPARE(stage->title, QStringLiteral("stage 2 of 2"));
        const auto failed = find(TimelineEvent::ThresholdFailed);
        QVERIFY2(failed != events.cend(), where);
        // The first interval already failed it.
        QCOMPARE(failed->tSec, timeline.first().tSec);
        QVERIFY(failed->title.contains(QStringLiteral("p(95)<2")));
    };
    LiveCharts *live = m_place->charts();
    check(live->events(), "live");
    // Every chart carries a marker per event, with the event as its tooltip.
    QCOMPARE(live->plot(LiveCharts::LatencyChart)->itemCount(), int(live->events().size()));
    const QCustomPlot *latency = live->plot(LiveCharts::LatencyChart);
    const double stageX = latency->xAxis->coordToPixel(2.0);
    QVERIFY(
        live->markerToolTip(LiveCharts::LatencyChart, stageX).contains(QStringLiteral("stage 2")));
    QVERIFY(live->markerToolTip(LiveCharts::LatencyChart, stageX + 40).isEmpty());

    // The stored run, opened again, gets the same markers from its intervals.
    RunViewer viewer(&m_store);
    QString error;
    QVERIFY2(viewer.showRun(id, &error), qPrintable(error));
    check(viewer.charts()->events(), "stored");
}

LOADSCOPE_WIDGET_TEST_MAIN(TestBaselineGhost)
#include "tst_baselineghost.moc"
