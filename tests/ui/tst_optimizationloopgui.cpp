#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QScopeGuard>
#include <QSplitter>
#include <QTemporaryDir>
#include <QTreeWidget>

#include "history/historyplace.h"
#include "history/rundetails.h"
#include "history/runlooppanel.h"
#include "history/runviewer.h"
#include "metrics/latencyhistogram.h"
#include "plan/planjson.h"
#include "plan/planpresets.h"
#include "plot/plotstyle.h"
#include "run/runsummarypanel.h"
#include "session/changelog.h"
#include "session/schedule.h"
#include "store/historystore.h"
#include "theme.h"
#include "widgettestmain.h"

using namespace loadscope;

//! The optimization loop in History's run details, over a real history file: notes added,
//! edited and deleted on a run (the store the CLI writes), change markers and the p95 budget on
//! the trend chart, each run against its thresholds, and a recommendation marked applied with
//! its measured gain beside the estimate.
class TestOptimizationLoopGui : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void notesAddEditDelete();
    void trendShowsMarkersAndBudget();
    void runShowsItsThresholds();
    void recommendationFollowUp();
    void showsTheScheduleAndItsLastRun();
    void annotatesFromTheRunSummary();
    void screenshots();

private:
    qint64 addRun(double p95, bool passed, const QJsonObject &extra = {});
    //! History with run @p runId selected and its trend loaded.
    std::unique_ptr<HistoryPlace> placeShowing(qint64 runId);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<HistoryStore> m_store;
    qint64 m_test = 0;
    QList<qint64> m_runs;
};

qint64 TestOptimizationLoopGui::addRun(double p95, bool passed, const QJsonObject &extra)
{
    const auto test = m_store->test(m_test);
    const qint64 id = m_store->startResult(m_test, test->plan, QString());
    QList<ResultSample> samples;
    for (int t = 1; t <= 5; ++t) {
        ResultSample overall;
        overall.tSec = t;
        overall.requests = 100;
        overall.rps = 100;
        overall.p95Ms = p95;
        overall.activeVus = 5;
        samples.append(overall);
    }
    m_store->appendSamples(id, samples);
    // 500 latencies spread evenly up to a little over p95, so the run's p95 is about @p p95.
    LatencyHistogram duration;
    for (int i = 0; i < 500; ++i)
        duration.record(qint64(p95 * 1000.0 * (0.5 + 0.55 * i / 499.0)));
    m_store->storeHistogram(id, QString(), QStringLiteral("duration"), duration.serialize());
    const QJsonObject threshold{{QStringLiteral("metric"), QStringLiteral("http_req_duration")},
                                {QStringLiteral("expression"), QStringLiteral("p(95)<100")},
                                {QStringLiteral("value"), p95},
                                {QStringLiteral("passed"), passed},
                                {QStringLiteral("abortOnFail"), false}};
    QJsonObject summary{
        {QStringLiteral("durationSec"), 5.0},
        {QStringLiteral("totals"), QJsonObject{{QStringLiteral("requests"), 500},
                                               {QStringLiteral("errors"), 0},
                                               {QStringLiteral("throughputRps"), 100.0},
                                               {QStringLiteral("errorRate"), 0.0}}},
        {QStringLiteral("latencyMs"), QJsonObject{{QStringLiteral("p50"), p95 / 2},
                                                  {QStringLiteral("p95"), p95},
                                                  {QStringLiteral("p99"), p95 * 1.5},
                                                  {QStringLiteral("max"), p95 * 3}}},
        {QStringLiteral("thresholds"), QJsonArray{threshold}}};
    for (auto it = extra.constBegin(); it != extra.constEnd(); ++it)
        summary.insert(it.key(), it.value());
    m_store->finishResult(id, ResultStatus::Completed, summary, QString());
    return id;
}

void TestOptimizationLoopGui::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_store = std::make_unique<HistoryStore>();
    QString error;
    QVERIFY2(m_store->open(m_dir->filePath(QStringLiteral("history.db")), &error),
             qPrintable(error));
    TestPlan plan = presetPlan(TestType::LoadTest);
    plan.thresholds = {{QStringLiteral("http_req_duration"), QStringLiteral("p(95)<100")}};
    StoredTest test;
    test.name = QStringLiteral("Checkout flow");
    test.testType = QStringLiteral("LOAD_TEST");
    test.plan = toJson(plan);
    m_test = m_store->saveTest(test);
    QVERIFY(m_test > 0);
    // A baseline over budget, the same again, then the change that brings p95 under it.
    m_runs = {addRun(160, false), addRun(158, false), addRun(80, true)};
    Recommendation pool;
    pool.area = QStringLiteral("server");
    pool.impact = QStringLiteral("high");
    pool.title = QStringLiteral("Raise the connection pool");
    pool.estimatedImprovement = QStringLiteral("p95 -40 %");
    Recommendation critical = pool;
    critical.impact = QStringLiteral("critical");
    critical.title = QStringLiteral("Cache the catalogue");
    Recommendation low = pool;
    low.impact = QStringLiteral("low");
    low.title = QStringLiteral("Compress responses");
    m_store->addRecommendations(m_runs[0], {low, pool, critical});
    QVERIFY(m_store->flush());
}

void TestOptimizationLoopGui::cleanup()
{
    m_store.reset();
    m_dir.reset();
}

std::unique_ptr<HistoryPlace> TestOptimizationLoopGui::placeShowing(qint64 runId)
{
    auto place = std::make_unique<HistoryPlace>(m_store.get());
    place->resize(1366, 768);
    place->show();
    place->reload();
    if (!place->selectResult(runId))
        return nullptr;
    // The trend arrives from the history jobs: all three runs on the chart.
    if (!QTest::qWaitFor(
            [&] { return place->details()->trendPlot()->graph(0)->dataCount() == m_runs.size(); }))
        return nullptr;
    return place;
}

void TestOptimizationLoopGui::notesAddEditDelete()
{
    auto place = placeShowing(m_runs[2]);
    QVERIFY(place);
    RunLoopPanel *loop = place->details()->loopPanel();
    QCOMPARE(loop->notes()->count(), 1); // "No changes noted yet."
    loop->noteEdit()->setText(QStringLiteral("changed pool size to 50"));
    QTest::keyClick(loop->noteEdit(), Qt::Key_Return);
    // Stored through the store API the CLI reads back.
    QList<Annotation> notes = m_store->resultAnnotations(m_runs[2]);
    QCOMPARE(notes.size(), 1);
    QCOMPARE(notes.constFirst().note, QStringLiteral("changed pool size to 50"));
    QCOMPARE(notes.constFirst().testId, m_test);
    // The change log line names the effect measured across it, as `history trend` does.
    QCOMPARE(loop->notes()->count(), 1);
    const QString line = loop->notes()->item(0)->text();
    QVERIFY2(line.contains(QLatin1String("changed pool size to 50")) &&
                 line.contains(QStringLiteral("#%1 → #%2").arg(m_runs[1]).arg(m_runs[2])) &&
                 line.contains(QLatin1String("p95 -49.")),
             qPrintable(line));

    loop->notes()->setCurrentRow(0);
    QCOMPARE(loop->noteEdit()->text(), QStringLiteral("changed pool size to 50"));
    loop->noteEdit()->setText(QStringLiteral("pool size 50, keep-alive on"));
    QVERIFY(loop->editSelectedNote());
    notes = m_store->resultAnnotations(m_runs[2]);
    QCOMPARE(notes.constFirst().note, QStringLiteral("pool size 50, keep-alive on"));
    QCOMPARE(place->details()->trendMarkerNotes(),
             QStringList{QStringLiteral("pool size 50, keep-alive on")});

    loop->notes()->setCurrentRow(0);
    QVERIFY(loop->deleteSelectedNote());
    QVERIFY(m_store->resultAnnotations(m_runs[2]).isEmpty());
    QVERIFY(place->details()->trendMarkerNotes().isEmpty());
    // An empty note is refused with a message, nothing stored.
    QVERIFY(!loop->addNote(QStringLiteral("  ")));
    QVERIFY(!loop->statusText().isEmpty());
    QVERIFY(m_store->annotations(m_test).isEmpty());
}

void TestOptimizationLoopGui::trendShowsMarkersAndBudget()
{
    // One note on the last run (from the CLI's side of the store), one on the test between
    // the first and the second run.
    Annotation onRun;
    onRun.resultId = m_runs[2];
    onRun.note = QStringLiteral("cache the catalogue");
    QVERIFY(m_store->addAnnotation(onRun) > 0);
    Annotation between;
    between.testId = m_test;
    between.at = m_store->result(m_runs[1])->startedAt.addMSecs(-1);
    between.note = QStringLiteral("restarted, same build");
    QVERIFY(m_store->addAnnotation(between) > 0);
    auto place = placeShowing(m_runs[0]);
    QVERIFY(place);
    const RunDetails *details = place->details();
    QCOMPARE(details->trendMarkerNotes(), (QStringList{QStringLiteral("restarted, same build"),
                                                       QStringLiteral("cache the catalogue")}));
    QCOMPARE(details->trendBudget(), 100.0);
    // Two markers and the budget line, each with its label.
    QCOMPARE(details->trendPlot()->itemCount(), 6);
    QVERIFY(details->trendPlot()->yAxis->range().upper >= 160);
    // The markers are the notes' Annotation events, as on the run charts, with their tooltip.
    QCOMPARE(details->trendMarkerEvents().size(), 2);
    QCOMPARE(details->trendMarkerEvents().constLast().kind, TimelineEvent::Annotation);
    QCustomPlot *trend = details->trendPlot();
    trend->replot(QCustomPlot::rpImmediateRefresh);
    const double lastX = trend->xAxis->coordToPixel(2);
    QVERIFY2(details->trendMarkerToolTip(lastX).contains(QLatin1String("cache the catalogue")),
             qPrintable(details->trendMarkerToolTip(lastX)));
    QVERIFY(details->trendMarkerToolTip(lastX - 60).isEmpty());
    // No label lies over another (the notes' and the budget's), and each is inside the chart.
    const QList<QRectF> labels = details->trendLabelRects();
    QCOMPARE(labels.size(), 3);
    for (int i = 0; i < labels.size(); ++i) {
        QVERIFY(QRectF(trend->rect()).contains(labels.at(i)));
        for (int j = i + 1; j < labels.size(); ++j)
            QVERIFY2(!labels.at(i).intersects(labels.at(j)),
                     qPrintable(QStringLiteral("%1 and %2").arg(i).arg(j)));
    }
}

void TestOptimizationLoopGui::runShowsItsThresholds()
{
    auto place = placeShowing(m_runs[0]);
    QVERIFY(place);
    QVERIFY2(place->details()->budgetText().contains(
                 QStringLiteral("✗ http_req_duration: p(95)<100  (160)")),
             qPrintable(place->details()->budgetText()));
    QVERIFY(place->selectResult(m_runs[2]));
    QVERIFY2(place->details()->budgetText().contains(
                 QStringLiteral("✓ http_req_duration: p(95)<100  (80)")),
             qPrintable(place->details()->budgetText()));
}

void TestOptimizationLoopGui::recommendationFollowUp()
{
    auto place = placeShowing(m_runs[2]);
    QVERIFY(place);
    RunLoopPanel *loop = place->details()->loopPanel();
    QTreeWidget *list = loop->recommendations();
    QCOMPARE(list->topLevelItemCount(), 3);
    // Critical first.
    QCOMPARE(list->topLevelItem(0)->text(1), QStringLiteral("Cache the catalogue"));
    QCOMPARE(list->topLevelItem(1)->text(0), QStringLiteral("high"));
    QCOMPARE(list->topLevelItem(2)->text(0), QStringLiteral("low"));
    QCOMPARE(list->topLevelItem(0)->text(3), QStringLiteral("open"));

    // Run 3 tests the cache: its gain is measured against run 1, where the advice came from.
    list->setCurrentItem(list->topLevelItem(0));
    const qint64 id = list->topLevelItem(0)->data(0, RunLoopPanel::IdRole).toLongLong();
    QVERIFY(loop->setSelectedRecommendationState(QStringLiteral("applied")));
    const auto applied = m_store->recommendationFollowUp(id);
    QVERIFY(applied);
    QCOMPARE(applied->state, QStringLiteral("applied"));
    QCOMPARE(applied->appliedResultId, m_runs[2]);
    const double gain = applied->measured.value(QLatin1String("p95"))
                            .toObject()
                            .value(QLatin1String("relDeltaPct"))
                            .toDouble();
    // 160 ms -> 80 ms: half, within the histogram's resolution.
    QVERIFY2(qAbs(gain - (80.0 - 160.0) / 160.0 * 100.0) < 0.5, qPrintable(QString::number(gain)));
    // The list shows what the CLI prints: the estimate beside the measurement.
    QCOMPARE(list->topLevelItem(0)->text(3), QStringLiteral("applied in #%1").arg(m_runs[2]));
    QCOMPARE(list->topLevelItem(0)->text(4), estimateBesideMeasurement(*applied));
    QVERIFY(list->topLevelItem(0)->text(4).contains(QLatin1String("measured in #")));

    // Dismissing needs a reason; reopening clears the state.
    list->setCurrentItem(list->topLevelItem(2));
    QVERIFY(!loop->setSelectedRecommendationState(QStringLiteral("dismissed")));
    loop->reasonEdit()->setText(QStringLiteral("already gzip at the proxy"));
    QVERIFY(loop->setSelectedRecommendationState(QStringLiteral("dismissed")));
    const qint64 low = list->topLevelItem(2)->data(0, RunLoopPanel::IdRole).toLongLong();
    QCOMPARE(m_store->recommendationFollowUp(low)->reason,
             QStringLiteral("already gzip at the proxy"));
    QCOMPARE(list->topLevelItem(2)->text(3),
             QStringLiteral("dismissed: already gzip at the proxy"));
    list->setCurrentItem(list->topLevelItem(2));
    QVERIFY(loop->setSelectedRecommendationState(QStringLiteral("open")));
    QCOMPARE(m_store->recommendationFollowUp(low)->state, QStringLiteral("open"));

    // A recommendation cannot be applied in the run it came from.
    QVERIFY(place->selectResult(m_runs[0]));
    list->setCurrentItem(list->topLevelItem(1));
    QVERIFY(!loop->setSelectedRecommendationState(QStringLiteral("applied")));
}

void TestOptimizationLoopGui::showsTheScheduleAndItsLastRun()
{
    // The units `schedule add` writes, in a user unit directory of the test's own.
    const QByteArray config = qgetenv("XDG_CONFIG_HOME");
    qputenv("XDG_CONFIG_HOME", m_dir->filePath(QStringLiteral("config")).toUtf8());
    const auto restore = qScopeGuard([&config] {
        config.isNull() ? qunsetenv("XDG_CONFIG_HOME") : qputenv("XDG_CONFIG_HOME", config);
    });
    {
        auto place = placeShowing(m_runs[0]);
        QVERIFY(place);
        QVERIFY2(place->details()->loopPanel()->scheduleText().startsWith(
                     QLatin1String("Not scheduled")),
                 qPrintable(place->details()->loopPanel()->scheduleText()));
    }
    Schedule schedule;
    schedule.test = QStringLiteral("Checkout flow");
    schedule.every = QStringLiteral("daily");
    schedule.at = QTime(2, 30);
    schedule.failOnRegression = true;
    schedule.dbPath = m_dir->filePath(QStringLiteral("history.db"));
    schedule.program = QStringLiteral("/usr/bin/loadscope-cli");
    QString error;
    const auto timer = timerUnitText(schedule, &error);
    QVERIFY2(timer, qPrintable(error));
    QVERIFY(QDir().mkpath(userUnitDirectory()));
    const QString base = QDir(userUnitDirectory()).filePath(schedule.unitName());
    QFile timerFile(base + QStringLiteral(".timer"));
    QVERIFY(timerFile.open(QIODevice::WriteOnly));
    timerFile.write(timer->toUtf8());
    timerFile.close();
    QFile serviceFile(base + QStringLiteral(".service"));
    QVERIFY(serviceFile.open(QIODevice::WriteOnly));
    serviceFile.write(serviceUnitText(schedule).toUtf8());
    serviceFile.close();
    // A scheduled run that regressed.
    const qint64 scheduled =
        addRun(190, false,
               {{QStringLiteral("trigger"), QStringLiteral("schedule")},
                {QStringLiteral("comparison"),
                 QJsonObject{{QStringLiteral("verdict"), QStringLiteral("regression")}}}});
    QVERIFY(m_store->flush());
    m_runs.append(scheduled);
    auto place = placeShowing(m_runs[0]);
    QVERIFY(place);
    const QString text = place->details()->loopPanel()->scheduleText();
    QVERIFY2(text.contains(QLatin1String("daily at 02:30, failing on a regression")) &&
                 text.contains(QStringLiteral("last scheduled run: #%1").arg(scheduled)) &&
                 text.contains(QLatin1String("regression")),
             qPrintable(text));
}

void TestOptimizationLoopGui::annotatesFromTheRunSummary()
{
    // The run summary (the Run place's after a run, the run viewer's for a stored run).
    RunViewer viewer(m_store.get());
    QString error;
    QVERIFY2(viewer.showRun(m_runs[2], &error), qPrintable(error));
    RunLoopPanel *loop = viewer.summaryPanel()->loopPanel();
    QVERIFY(!loop->isHidden());
    QCOMPARE(loop->recommendations()->topLevelItemCount(), 3);
    loop->noteEdit()->setText(QStringLiteral("pool size 50"));
    auto *add = loop->findChild<QPushButton *>(QStringLiteral("addNote"));
    QVERIFY(add && add->isEnabled());
    add->click();
    const QList<Annotation> notes = m_store->resultAnnotations(m_runs[2]);
    QCOMPARE(notes.size(), 1);
    QCOMPARE(notes.constFirst().note, QStringLiteral("pool size 50"));
    // Without a store (a run not kept), there is nothing to annotate.
    RunSummaryPanel panel;
    panel.showLoop(nullptr, 0, 0);
    QVERIFY(panel.loopPanel()->isHidden());
}

//! README pictures, when LOADSCOPE_SCREENSHOT_DIR names a directory: History with a change
//! noted on the run that tests it and the recommendation it follows applied, light and dark.
void TestOptimizationLoopGui::screenshots()
{
    const QString dir = qEnvironmentVariable("LOADSCOPE_SCREENSHOT_DIR");
    if (dir.isEmpty())
        QSKIP("LOADSCOPE_SCREENSHOT_DIR not set");
    Annotation restart;
    restart.resultId = m_runs[1];
    restart.note = QStringLiteral("restarted, same build");
    QVERIFY(m_store->addAnnotation(restart) > 0);
    for (const Theme theme : {Theme::Light, Theme::Dark}) {
        applyTheme(theme);
        auto place = placeShowing(m_runs[2]);
        QVERIFY(place);
        RunLoopPanel *loop = place->details()->loopPanel();
        if (m_store->resultAnnotations(m_runs[2]).isEmpty()) {
            QVERIFY(loop->addNote(QStringLiteral("cache the catalogue (commit 3f2a1c)")));
            loop->recommendations()->setCurrentItem(loop->recommendations()->topLevelItem(0));
            QVERIFY(loop->setSelectedRecommendationState(QStringLiteral("applied")));
        }
        // A wider details pane than the default, as a person reading the loop would drag it.
        if (auto *splitter = place->findChild<QSplitter *>())
            splitter->setSizes({666, 700});
        // The details pane at full height, as it scrolls beside the table.
        RunDetails *details = place->details();
        details->resize(details->width(), details->sizeHint().height());
        QCoreApplication::processEvents(); // the queued replots
        const QString suffix = theme == Theme::Dark ? QStringLiteral("-dark") : QString();
        if (theme == Theme::Light)
            QVERIFY(place->grab().save(dir + QStringLiteral("/history-loop.png")));
        QVERIFY(details->grab().save(dir + QStringLiteral("/history-loop-details") + suffix +
                                     QStringLiteral(".png")));
    }
    applyTheme(Theme::Light);
}

LOADSCOPE_WIDGET_TEST_MAIN(TestOptimizationLoopGui)
#include "tst_optimizationloopgui.moc"
