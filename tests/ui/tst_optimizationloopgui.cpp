#include <algorithm>
#include <cmath>
#include <iterator>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSplitter>
#include <QTableView>
#include <QTemporaryDir>
#include <QTreeWidget>

#include "compare/compareplace.h"
#include "history/historyplace.h"
#include "history/resultsfilterproxy.h"
#include "history/resultstablemodel.h"
#include "history/rundetails.h"
#include "history/runlooppanel.h"
#include "history/runviewer.h"
#include "interop/resultimport.h"
#include "metrics/latencyhistogram.h"
#include "plan/planjson.h"
#include "plan/planpresets.h"
#include "plot/plotstyle.h"
#include "run/runsummarypanel.h"
#include "session/changelog.h"
#include "session/schedule.h"
#include "session/storedrun.h"
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
    void noiseHistoryStopsAtAChange();
    void screenshots();

private:
    //! A completed run of the test: @p p95 ms at about @p rate requests a second for
    //! kIntervals seconds, against its threshold p(95)<100; @p extra goes into its summary.
    qint64 addRun(double p95, bool passed, const QJsonObject &extra = {}, int rate = 100);
    //! History with run @p runId selected and its trend loaded.
    std::unique_ptr<HistoryPlace> placeShowing(qint64 runId);
    //! An nginx access log (the combined format, then $request_time and $msec) of real users on
    //! the fixture's routes, @p seconds long from @p start; its path, empty when not written.
    QString writeAccessLog(const QDateTime &start, int seconds);
    //! XDG_CONFIG_HOME in the test's directory (cleanup() restores it): the user units there.
    void useOwnUnitDirectory();
    //! The units `schedule add "Checkout flow" --every=daily --at=02:30 --fail-on-regression`
    //! writes, in the test's own user unit directory.
    bool installSchedule(QString *error);
    //! A scheduled run (appended to m_runs) with the comparison RunSession stores for it:
    //! against the pinned baseline, the plan's earlier runs as the noise history. Its verdict.
    QString addScheduledRun(double p95, int rate);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<HistoryStore> m_store;
    qint64 m_test = 0;
    QList<qint64> m_runs;
    QByteArray m_configHome;
    bool m_configHomeSet = false;
};

namespace {

//! How long a fixture run is: 20 one-second intervals, over the verdict's minimum of 10 (and
//! its 5 s), so that a change across runs is measured rather than called inconclusive.
constexpr int kIntervals = 20;

//! The two routes of the fixture's plan with each one's share of the requests, named as a run of
//! the plan names its endpoints (steps without a name: method and path).
struct Route
{
    const char *method;
    const char *path;
    int sharePct;
};
constexpr Route kRoutes[] = {{"GET", "/api/catalogue", 70}, {"POST", "/api/checkout", 30}};

QString endpointName(const Route &route)
{
    return QLatin1String(route.method) + u' ' + QLatin1String(route.path);
}

//! The latency at quantile @p u of a run whose p95 is @p p95 ms, in µs: p50 at half of p95, p99
//! at 1.5 times, the slowest request at 3 times (linear in between), so the histograms give the
//! figures the summary states.
qint64 latencyUs(double p95, double u)
{
    struct Knot
    {
        double u, factor;
    };
    static constexpr Knot knots[] = {{0, 0.2}, {0.5, 0.5}, {0.95, 1.0}, {0.99, 1.5}, {1, 3.0}};
    for (size_t k = 1; k < std::size(knots); ++k) {
        if (u <= knots[k].u) {
            const double f = knots[k - 1].factor + (knots[k].factor - knots[k - 1].factor) *
                                                       (u - knots[k - 1].u) /
                                                       (knots[k].u - knots[k - 1].u);
            return qint64(p95 * 1000.0 * f);
        }
    }
    return qint64(p95 * 3000.0);
}

} // namespace

qint64 TestOptimizationLoopGui::addRun(double p95, bool passed, const QJsonObject &extra, int rate)
{
    const auto test = m_store->test(m_test);
    const qint64 id = m_store->startResult(m_test, test->plan, QString());
    QList<ResultSample> samples;
    qint64 requests = 0;
    for (int t = 1; t <= kIntervals; ++t) {
        // A little movement from second to second, the same in every run: the rate ± 4 %,
        // p95 within 3 % of the run's.
        const qint64 count = rate + rate / 25 * ((t * 7) % 3 - 1);
        const double jitter = 1.0 + 0.03 * std::sin(1.7 * t);
        requests += count;
        ResultSample overall;
        overall.tSec = t;
        overall.requests = count;
        overall.rps = double(count);
        overall.p50Ms = p95 / 2 * jitter;
        overall.p95Ms = p95 * jitter;
        overall.p99Ms = p95 * 1.5 * jitter;
        overall.maxMs = p95 * 2 * jitter;
        overall.activeVus = 5;
        samples.append(overall);
        qint64 left = count;
        for (const Route &route : kRoutes) {
            ResultSample endpoint = overall;
            endpoint.endpoint = endpointName(route);
            endpoint.requests = &route == &kRoutes[0] ? count * route.sharePct / 100 : left;
            endpoint.rps = double(endpoint.requests);
            left -= endpoint.requests;
            samples.append(endpoint);
        }
    }
    m_store->appendSamples(id, samples);
    // One latency per request, spread over the quantiles; of every ten, seven go to the
    // catalogue and three to checkout, so both routes have the run's distribution and together
    // they are the whole run's.
    LatencyHistogram duration;
    QList<LatencyHistogram> byRoute(std::size(kRoutes));
    QJsonArray endpoints;
    const double p90 = double(latencyUs(p95, 0.9)) / 1000.0;
    for (qint64 i = 0; i < requests; ++i) {
        const qint64 value = latencyUs(p95, double(i) / double(requests - 1));
        duration.record(value);
        byRoute[(i % 10) < kRoutes[0].sharePct / 10 ? 0 : 1].record(value);
    }
    m_store->storeHistogram(id, QString(), QStringLiteral("duration"), duration.serialize());
    for (size_t r = 0; r < std::size(kRoutes); ++r) {
        const QString name = endpointName(kRoutes[r]);
        m_store->storeHistogram(id, name, QStringLiteral("duration"), byRoute[r].serialize());
        endpoints.append(QJsonObject{
            {QStringLiteral("name"), name},
            {QStringLiteral("method"), QLatin1String(kRoutes[r].method)},
            {QStringLiteral("path"), QLatin1String(kRoutes[r].path)},
            {QStringLiteral("totals"), QJsonObject{{QStringLiteral("requests"), byRoute[r].count()},
                                                   {QStringLiteral("errors"), 0}}},
            {QStringLiteral("latencyMs"), QJsonObject{{QStringLiteral("p50"), p95 / 2},
                                                      {QStringLiteral("p90"), p90},
                                                      {QStringLiteral("p95"), p95},
                                                      {QStringLiteral("p99"), p95 * 1.5},
                                                      {QStringLiteral("max"), p95 * 3}}}});
    }
    const QJsonObject threshold{{QStringLiteral("metric"), QStringLiteral("http_req_duration")},
                                {QStringLiteral("expression"), QStringLiteral("p(95)<100")},
                                {QStringLiteral("value"), p95},
                                {QStringLiteral("passed"), passed},
                                {QStringLiteral("abortOnFail"), false}};
    const double seconds = kIntervals;
    QJsonObject summary{
        {QStringLiteral("durationSec"), seconds},
        {QStringLiteral("totals"),
         QJsonObject{{QStringLiteral("requests"), requests},
                     {QStringLiteral("errors"), 0},
                     {QStringLiteral("throughputRps"), double(requests) / seconds},
                     {QStringLiteral("errorRate"), 0.0}}},
        {QStringLiteral("latencyMs"), QJsonObject{{QStringLiteral("p50"), p95 / 2},
                                                  {QStringLiteral("p90"), p90},
                                                  {QStringLiteral("p95"), p95},
                                                  {QStringLiteral("p99"), p95 * 1.5},
                                                  {QStringLiteral("max"), p95 * 3}}},
        {QStringLiteral("endpoints"), endpoints},
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
    plan.steps.clear();
    for (const Route &route : kRoutes) {
        Step step;
        step.method = QLatin1String(route.method);
        step.path = QLatin1String(route.path);
        plan.steps.append(step);
    }
    plan.load.executor = Executor::ConstantVus;
    plan.load.vus = 5;
    plan.load.durationMs = kIntervals * 1000;
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
    if (m_configHomeSet) {
        m_configHome.isNull() ? qunsetenv("XDG_CONFIG_HOME")
                              : qputenv("XDG_CONFIG_HOME", m_configHome);
        m_configHomeSet = false;
    }
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
    // The change log line names the effect measured across it, as `history trend` does: the
    // runs are long enough (20 intervals) for a verdict, and half the p95 is an improvement.
    QCOMPARE(loop->notes()->count(), 1);
    const QString line = loop->notes()->item(0)->text();
    QVERIFY2(line.contains(QLatin1String("changed pool size to 50")) &&
                 line.contains(QStringLiteral("#%1 → #%2").arg(m_runs[1]).arg(m_runs[2])) &&
                 line.contains(QLatin1String("p95 -49.")) &&
                 line.contains(QLatin1String("improvement")),
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

void TestOptimizationLoopGui::useOwnUnitDirectory()
{
    if (!m_configHomeSet) {
        m_configHome = qgetenv("XDG_CONFIG_HOME");
        m_configHomeSet = true;
    }
    qputenv("XDG_CONFIG_HOME", m_dir->filePath(QStringLiteral("config")).toUtf8());
}

bool TestOptimizationLoopGui::installSchedule(QString *error)
{
    useOwnUnitDirectory();
    Schedule schedule;
    schedule.test = QStringLiteral("Checkout flow");
    schedule.every = QStringLiteral("daily");
    schedule.at = QTime(2, 30);
    schedule.failOnRegression = true;
    schedule.dbPath = m_dir->filePath(QStringLiteral("history.db"));
    schedule.program = QStringLiteral("/usr/bin/loadscope-cli");
    const auto timer = timerUnitText(schedule, error);
    if (!timer)
        return false;
    const QString base = QDir(userUnitDirectory()).filePath(schedule.unitName());
    QFile timerFile(base + QStringLiteral(".timer"));
    QFile serviceFile(base + QStringLiteral(".service"));
    if (!QDir().mkpath(userUnitDirectory()) || !timerFile.open(QIODevice::WriteOnly) ||
        timerFile.write(timer->toUtf8()) < 0 || !serviceFile.open(QIODevice::WriteOnly) ||
        serviceFile.write(serviceUnitText(schedule).toUtf8()) < 0) {
        *error = QStringLiteral("cannot write the units in ") + userUnitDirectory();
        return false;
    }
    return true;
}

QString TestOptimizationLoopGui::addScheduledRun(double p95, int rate)
{
    const qint64 id =
        addRun(p95, p95 < 100, {{QStringLiteral("trigger"), QStringLiteral("schedule")}}, rate);
    m_runs.append(id);
    if (!m_store->flush())
        return m_store->lastError();
    // RunSession::compareWithBaseline(), over the stored runs.
    QString error;
    const auto baseline = loadStoredRun(*m_store, m_store->test(m_test)->baselineResultId, &error);
    const auto run = loadStoredRun(*m_store, id, &error);
    if (!baseline || !run)
        return error;
    const RunForComparison current = run->forComparison();
    const RunComparison comparison =
        compareRuns(baseline->forComparison(), {current}, ComparisonOptions(),
                    noiseHistory(*m_store, m_test, current.planFingerprint, {id}, {},
                                 m_store->test(m_test)->baselineResultId));
    QJsonObject summary = m_store->result(id)->summary;
    QJsonObject json = comparison.toJson();
    json.insert(QStringLiteral("text"), comparison.toText());
    summary.insert(QStringLiteral("comparison"), json);
    if (!m_store->updateSummary(id, summary) || !m_store->flush())
        return m_store->lastError();
    return comparison.toJson().value(QLatin1String("verdict")).toString();
}

void TestOptimizationLoopGui::noiseHistoryStopsAtAChange()
{
    // #1 at 160 ms and #2 at 158 ms, then "cache the catalogue" on #3 at 80 ms, pinned. A
    // scheduled run back at 160 ms at the same rate lost the cache: a regression in p95. With #1
    // and #2 as the noise history (they differ from #3 by the cache, not by chance) the run-to-run
    // spread was ~40 % and the doubled p95 read as "no significant change".
    Annotation cache;
    cache.resultId = m_runs[2];
    cache.note = QStringLiteral("cache the catalogue");
    QVERIFY(m_store->addAnnotation(cache) > 0);
    QVERIFY(m_store->setBaseline(m_test, m_runs[2]));
    QString error;
    const auto pinned = loadStoredRun(*m_store, m_runs[2], &error);
    QVERIFY2(pinned, qPrintable(error));
    const QString plan = pinned->forComparison().planFingerprint;
    QCOMPARE(noiseHistory(*m_store, m_test, plan, {}).size(), 3);
    QCOMPARE(noiseHistory(*m_store, m_test, plan, {}, {}, m_runs[0]).size(), 2);
    QCOMPARE(noiseHistory(*m_store, m_test, plan, {}, {}, m_runs[2]).size(), 1);
    QCOMPARE(addScheduledRun(160, 100), QStringLiteral("regression"));
    const QJsonArray metrics = m_store->result(m_runs.constLast())
                                   ->summary.value(QLatin1String("comparison"))
                                   .toObject()
                                   .value(QLatin1String("candidates"))
                                   .toArray()
                                   .at(0)
                                   .toObject()
                                   .value(QLatin1String("metrics"))
                                   .toArray();
    QString p95;
    for (const QJsonValue &metric : metrics) {
        if (metric.toObject().value(QLatin1String("metric")).toString() == QLatin1String("p95"))
            p95 = metric.toObject().value(QLatin1String("verdict")).toString();
    }
    QCOMPARE(p95, QStringLiteral("regression"));
}

void TestOptimizationLoopGui::showsTheScheduleAndItsLastRun()
{
    useOwnUnitDirectory();
    {
        auto place = placeShowing(m_runs[0]);
        QVERIFY(place);
        QVERIFY2(place->details()->loopPanel()->scheduleText().startsWith(
                     QLatin1String("Not scheduled")),
                 qPrintable(place->details()->loopPanel()->scheduleText()));
    }
    QString error;
    QVERIFY2(installSchedule(&error), qPrintable(error));
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

QString TestOptimizationLoopGui::writeAccessLog(const QDateTime &start, int seconds)
{
    QFile log(m_dir->filePath(QStringLiteral("production-access.log")));
    if (!log.open(QIODevice::WriteOnly))
        return QString();
    QRandomGenerator random(14); // a fixed seed: the same log, the same picture
    const QLocale c = QLocale::c();
    for (int second = 0; second < seconds; ++second) {
        // Real users arrive unevenly: 40 to 60 requests a second, 20 more in a busier middle.
        const int arrivals = 40 + int(random.bounded(20)) + (second > 6 && second < 14 ? 20 : 0);
        QList<qint64> endsMs;
        for (int i = 0; i < arrivals; ++i)
            endsMs.append(start.toMSecsSinceEpoch() + 1000 * second + random.bounded(1000));
        std::sort(endsMs.begin(), endsMs.end()); // nginx writes a line when a request ends
        for (const qint64 endMs : std::as_const(endsMs)) {
            const bool checkout = random.bounded(100) >= kRoutes[0].sharePct;
            const Route &route = kRoutes[checkout ? 1 : 0];
            const QString target =
                QLatin1String(route.path) +
                (checkout ? QString() : QStringLiteral("?page=%1").arg(random.bounded(1, 9)));
            // Slower than on the test machine and with a longer tail (real networks, cold
            // caches): most requests 60 to 140 ms, one in 20 up to 0.5 s; a few bad gateways.
            const double requestTime =
                random.bounded(100) < 5 ? 0.14 + random.bounded(0.36) : 0.06 + random.bounded(0.08);
            const int status = random.bounded(200) == 0 ? 502 : (checkout ? 201 : 200);
            const QDateTime end = QDateTime::fromMSecsSinceEpoch(endMs, Qt::UTC);
            const QString line =
                QStringLiteral("203.0.113.%1 - - [%2 +0000] \"%3 %4 HTTP/1.1\" %5 %6 \"-\" "
                               "\"Mozilla/5.0\" %7 %8\n")
                    .arg(QString::number(random.bounded(1, 255)),
                         c.toString(end, QStringLiteral("dd/MMM/yyyy:HH:mm:ss")),
                         QLatin1String(route.method), target, QString::number(status),
                         QString::number(checkout ? 312 : 4096 + random.bounded(2048)),
                         QString::number(requestTime, 'f', 3),
                         QString::number(double(endMs) / 1000.0, 'f', 3));
            log.write(line.toUtf8());
        }
    }
    return log.fileName();
}

//! README pictures, when LOADSCOPE_SCREENSHOT_DIR names a directory: History with a change
//! noted on the run that tests it and the recommendation it follows applied, light and dark,
//! with the test's schedule and its last scheduled run; the History table flagging that
//! scheduled run's regression; and Compare with real users (an access log imported) beside the
//! synthetic run of the same routes.
void TestOptimizationLoopGui::screenshots()
{
    const QString dir = qEnvironmentVariable("LOADSCOPE_SCREENSHOT_DIR");
    if (dir.isEmpty())
        QSKIP("LOADSCOPE_SCREENSHOT_DIR not set");
    Annotation restart;
    restart.resultId = m_runs[1];
    restart.note = QStringLiteral("restarted, same build");
    QVERIFY(m_store->addAnnotation(restart) > 0);
    // The run with the cache becomes the baseline, and the test runs every night against it:
    // the first scheduled run is back where the test was before the cache, at half the
    // throughput.
    QVERIFY(m_store->setBaseline(m_test, m_runs[2]));
    QString error;
    QVERIFY2(installSchedule(&error), qPrintable(error));
    QCOMPARE(addScheduledRun(160, 50), QStringLiteral("regression"));
    const qint64 scheduled = m_runs.constLast();
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
        // What the pictures are there to show: a measured improvement, not "inconclusive".
        const QString effect = loop->notes()->item(loop->notes()->count() - 1)->text();
        QVERIFY2(effect.contains(QLatin1String("cache the catalogue")) &&
                     effect.contains(QLatin1String("improvement")),
                 qPrintable(effect));
        QVERIFY2(
            loop->scheduleText().contains(QStringLiteral("last scheduled run: #%1").arg(scheduled)),
            qPrintable(loop->scheduleText()));
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

    // The History table with the scheduled run's regression flagged, that run selected.
    {
        auto place = placeShowing(scheduled);
        QVERIFY(place);
        if (auto *splitter = place->findChild<QSplitter *>())
            splitter->setSizes({880, 486});
        const QModelIndex verdict = place->proxy()->mapFromSource(place->model()->index(
            place->model()->rowOf(scheduled), ResultsTableModel::VerdictColumn));
        QTRY_VERIFY(verdict.data(ResultsTableModel::ScheduledRegressionRole).toBool());
        QVERIFY(place->view()->viewport()->rect().contains(place->view()->visualRect(verdict)));
        QCoreApplication::processEvents();
        QVERIFY(place->grab().save(dir + QStringLiteral("/history-scheduled.png")));
    }

    // Real users: yesterday evening's access log, imported as `loadscope-cli import` does,
    // beside the synthetic run of the same routes.
    const QDateTime start(QDate::currentDate().addDays(-1), QTime(18, 0), Qt::UTC);
    const QString log = writeAccessLog(start, kIntervals);
    QVERIFY(!log.isEmpty());
    ResultImportOptions options;
    options.format = ImportFormat::Nginx;
    // The combined format with the request time and $msec after it: $time_local has whole
    // seconds only, and with those the importer makes the last interval 1 ms long (its rate
    // a thousandfold); $msec, read last, gives the milliseconds.
    options.logFormat = QStringLiteral(
        "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent "
        "\"$http_referer\" \"$http_user_agent\" $request_time $msec");
    options.testName = QStringLiteral("Checkout flow"); // import ACCESS_LOG --test=TEST
    const ImportReport imported = importResultFile(*m_store, log, options);
    QVERIFY2(imported.ok, qPrintable(imported.error));
    QCOMPARE(imported.endpoints, int(std::size(kRoutes)));
    QCOMPARE(m_store->result(imported.resultId)->source.tool, QStringLiteral("real users"));
    ComparePlace compare(m_store.get());
    compare.resize(1366, 768);
    compare.show();
    QVERIFY2(compare.compare({m_runs[2], imported.resultId}, &error), qPrintable(error));
    QCOMPARE(compare.runs().constFirst().id, m_runs[2]); // the pinned baseline
    // The same routes on both sides: every figure compared, none listed as missing.
    QVERIFY2(!compare.verdictText().contains(QLatin1String("Not compared")),
             qPrintable(compare.verdictText()));
    // The markers on the real users' series are where the log's 502s begin.
    const QList<TimelineEvent> &events = compare.events().at(1);
    QVERIFY(!events.isEmpty());
    for (const TimelineEvent &event : events)
        QCOMPARE(event.kind, TimelineEvent::ErrorsStarted);
    QCoreApplication::processEvents();
    QVERIFY(compare.grab().save(dir + QStringLiteral("/compare-real-users.png")));
}

LOADSCOPE_WIDGET_TEST_MAIN(TestOptimizationLoopGui)
#include "tst_optimizationloopgui.moc"
