#include "analysis/thresholdevaluator.h"
#include "testmain.h"

using namespace loadscope;

namespace {

//! Records @p count values of @p ms milliseconds.
void recordMs(LatencyHistogram &h, double ms, qint64 count = 1)
{
    h.recordN(qint64(ms * 1000.0), count);
}

//! 100 requests over 10 s: 1..100 ms overall; "login" POST /api/login gets 1..40 ms,
//! "health" GET /api/health 41..100 ms.
RunSummary makeSummary()
{
    RunSummary s;
    s.durationSec = 10;
    s.maxVus = 7;
    s.openModel = true;
    EndpointSummary login{
        QStringLiteral("login"), QStringLiteral("POST"), QStringLiteral("/api/login"), {}, {}, {}};
    EndpointSummary health{
        QStringLiteral("health"), QStringLiteral("GET"), QStringLiteral("/api/health"), {}, {}, {}};
    for (int i = 1; i <= 100; ++i) {
        recordMs(s.duration, i);
        recordMs(s.durationCorrected, i + 1000);
        EndpointSummary &e = i <= 40 ? login : health;
        recordMs(e.duration, i);
        recordMs(e.durationCorrected, i + 1000);
    }
    login.totals.requests = 40;
    login.totals.errors = 4;
    login.totals.errorsByClass[size_t(ErrorClass::Http4xx)] = 4;
    login.totals.bytesIn = 4000;
    login.totals.bytesOut = 2000;
    login.totals.checksPassed = 30;
    login.totals.checksFailed = 10;
    health.totals.requests = 60;
    health.totals.errors = 8;
    health.totals.errorsByClass[size_t(ErrorClass::Http5xx)] = 2;
    health.totals.errorsByClass[size_t(ErrorClass::Check)] = 6; // not http_req_failed
    health.totals.bytesIn = 6000;
    health.totals.bytesOut = 3000;
    health.totals.checksPassed = 54;
    health.totals.checksFailed = 6;
    s.totals.add(login.totals);
    s.totals.add(health.totals);
    s.totals.iterations = 50;
    s.totals.droppedIterations = 3;
    s.endpoints = {login, health};
    recordMs(s.iterationDuration, 200, 25);
    recordMs(s.iterationDuration, 400, 25);
    recordMs(s.timings[QStringLiteral("waiting")], 8, 10);
    recordMs(s.timings[QStringLiteral("connecting")], 2, 10);
    recordMs(s.serverTiming[QStringLiteral("inference")], 3, 9);
    recordMs(s.serverTiming[QStringLiteral("inference")], 30, 1);
    IntervalSample last;
    last.activeVus = 5;
    s.timeline = {last};
    return s;
}

ThresholdResult eval(const QString &metric, const QString &expression,
                     const RunSummary &summary = makeSummary())
{
    return evaluateThreshold(ThresholdSpec{metric, expression, false, 0}, summary);
}

} // namespace

class TestThresholdEvaluator : public QObject
{
    Q_OBJECT

private slots:
    void observedValues_data()
    {
        QTest::addColumn<QString>("metric");
        QTest::addColumn<QString>("expression");
        QTest::addColumn<double>("value");
        QTest::addColumn<bool>("passed");

        // Trends (ms); histogram buckets are exact below 2.048 ms and within 1/2048 above.
        QTest::newRow("p95") << "http_req_duration"
                             << "p(95)<100" << 95.0 << true;
        QTest::newRow("p95 crossed") << "http_req_duration"
                                     << "p(95)<90" << 95.0 << false;
        QTest::newRow("p99.9") << "http_req_duration"
                               << "p(99.9)<=100" << 100.0 << true;
        QTest::newRow("avg") << "http_req_duration"
                             << "avg<50" << 50.5 << false;
        QTest::newRow("min") << "http_req_duration"
                             << "min>=1" << 1.0 << true;
        QTest::newRow("max") << "http_req_duration"
                             << "max<100" << 100.0 << false;
        QTest::newRow("med") << "http_req_duration"
                             << "med<=50" << 50.0 << true;
        QTest::newRow("corrected") << "http_req_duration_corrected"
                                   << "p(50)<1000" << 1050.0 << false;
        QTest::newRow("iteration avg") << "iteration_duration"
                                       << "avg<300" << 300.0 << false;
        QTest::newRow("iteration max") << "iteration_duration"
                                       << "max<=400" << 400.0 << true;
        QTest::newRow("waiting") << "http_req_waiting"
                                 << "p(90)<10" << 8.0 << true;
        QTest::newRow("connecting") << "http_req_connecting"
                                    << "max<1" << 2.0 << false;
        QTest::newRow("server timing p90") << "server_timing_inference"
                                           << "p(90)<5" << 3.0 << true;
        QTest::newRow("server timing max") << "server_timing_inference"
                                           << "max<5" << 30.0 << false;
        // Rates: http_req_failed excludes failed checks (4 + 2 of 100).
        QTest::newRow("failed") << "http_req_failed"
                                << "rate<0.05" << 0.06 << false;
        QTest::newRow("failed ok") << "http_req_failed"
                                   << "rate<=0.06" << 0.06 << true;
        QTest::newRow("checks") << "checks"
                                << "rate>0.9" << 0.84 << false;
        // Counters: count and per-second rate over the 10 s run.
        QTest::newRow("reqs count") << "http_reqs"
                                    << "count>=100" << 100.0 << true;
        QTest::newRow("reqs rate") << "http_reqs"
                                   << "rate>20" << 10.0 << false;
        QTest::newRow("iterations") << "iterations"
                                    << "count==50" << 50.0 << true;
        QTest::newRow("iterations rate") << "iterations"
                                         << "rate>=5" << 5.0 << true;
        QTest::newRow("dropped") << "dropped_iterations"
                                 << "count<1" << 3.0 << false;
        QTest::newRow("data received") << "data_received"
                                       << "count>5000" << 10000.0 << true;
        QTest::newRow("data received rate") << "data_received"
                                            << "rate<500" << 1000.0 << false;
        QTest::newRow("data sent") << "data_sent"
                                   << "count<5000" << 5000.0 << false;
        // Gauges.
        QTest::newRow("vus_max") << "vus_max"
                                 << "value<=7" << 7.0 << true;
        QTest::newRow("vus") << "vus"
                             << "value>5" << 5.0 << false;
        // Tag filters select endpoints.
        QTest::newRow("name filter") << "http_req_duration{name:login}"
                                     << "max<=40" << 40.0 << true;
        QTest::newRow("endpoint alias") << "http_req_duration{endpoint:health}"
                                        << "min>41" << 41.0 << false;
        QTest::newRow("method filter") << "http_req_duration{method:get}"
                                       << "min>=41" << 41.0 << true;
        QTest::newRow("path filter") << "http_reqs{path:/api/login}"
                                     << "count==40" << 40.0 << true;
        QTest::newRow("name and method") << "http_reqs{name:health,method:GET}"
                                         << "count==60" << 60.0 << true;
        QTest::newRow("failed by name") << "http_req_failed{name:login}"
                                        << "rate<0.1" << 0.1 << false;
        QTest::newRow("checks by name") << "checks{name:health}"
                                        << "rate>=0.9" << 0.9 << true;
        QTest::newRow("corrected by name") << "http_req_duration_corrected{name:login}"
                                           << "max<1041" << 1040.0 << true;
        QTest::newRow("data sent by name") << "data_sent{name:login}"
                                           << "count==2000" << 2000.0 << true;
    }

    void observedValues()
    {
        QFETCH(QString, metric);
        QFETCH(QString, expression);
        QFETCH(double, value);
        QFETCH(bool, passed);
        const ThresholdResult r = eval(metric, expression);
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QCOMPARE(r.metric, metric);
        QCOMPARE(r.expression, expression);
        // Bucket resolution above 2.048 ms: ≤ 1/2048 relative.
        QVERIFY2(qAbs(r.value - value) <= value / 1000.0 + 1e-9,
                 qPrintable(QString::number(r.value)));
        QCOMPARE(r.passed, passed);
    }

    void errors_data()
    {
        QTest::addColumn<QString>("metric");
        QTest::addColumn<QString>("expression");
        QTest::addColumn<QString>("error");

        QTest::newRow("unknown endpoint") << "http_req_duration{name:nope}"
                                          << "p(95)<1"
                                          << "no endpoint named nope";
        QTest::newRow("unknown combination") << "http_reqs{name:login,method:GET}"
                                             << "count>1"
                                             << "no endpoint matches";
        QTest::newRow("unknown tag") << "http_req_duration{status:200}"
                                     << "p(95)<1"
                                     << "unsupported tag \"status\"";
        QTest::newRow("tag on global metric") << "iterations{name:login}"
                                              << "count>1"
                                              << "tag filters are not available on iterations";
        QTest::newRow("unknown metric") << "http_req_speed"
                                        << "avg<1"
                                        << "unknown metric \"http_req_speed\"";
        QTest::newRow("rate on trend") << "http_req_duration"
                                       << "rate<0.1"
                                       << "rate does not apply to http_req_duration (a trend";
        QTest::newRow("p on rate") << "http_req_failed"
                                   << "p(95)<0.1"
                                   << "p(95) does not apply to http_req_failed (a rate";
        QTest::newRow("avg on counter") << "http_reqs"
                                        << "avg<1"
                                        << "avg does not apply to http_reqs (a counter";
        QTest::newRow("count on gauge") << "vus_max"
                                        << "count<1"
                                        << "count does not apply to vus_max (a gauge";
        QTest::newRow("bad expression") << "http_req_duration"
                                        << "p(95)<<1"
                                        << "bad expression \"p(95)<<1\"";
        QTest::newRow("bad metric") << "http_req_duration{name"
                                    << "p(95)<1"
                                    << "bad metric \"http_req_duration{name\"";
        QTest::newRow("no timing data") << "http_req_tls_handshaking"
                                        << "avg<1"
                                        << "no data";
        QTest::newRow("no server timing") << "server_timing_db"
                                          << "avg<1"
                                          << "no Server-Timing metric \"db\"";
        QTest::newRow("not measured") << "group_duration"
                                      << "avg<1"
                                      << "not measured";
    }

    void errors()
    {
        QFETCH(QString, metric);
        QFETCH(QString, expression);
        QFETCH(QString, error);
        const ThresholdResult r = eval(metric, expression);
        QVERIFY(!r.passed);
        QVERIFY2(r.error.contains(error), qPrintable(r.error));
    }

    void emptyRunHasNoData()
    {
        RunSummary empty;
        for (const char *metric : {"http_req_duration", "iteration_duration", "http_req_failed",
                                   "checks", "http_req_waiting", "vus"}) {
            const QString m = QLatin1String(metric);
            const QString expr =
                m == QLatin1String("http_req_failed") || m == QLatin1String("checks")
                    ? QStringLiteral("rate<1")
                : m == QLatin1String("vus") ? QStringLiteral("value<1")
                                            : QStringLiteral("avg<1");
            const ThresholdResult r = eval(m, expr, empty);
            QVERIFY2(!r.passed, metric);
            QVERIFY2(r.error.startsWith(QLatin1String("no data")), qPrintable(r.error));
        }
        // A counter of zero is data; its rate over a 0 s run is not.
        QVERIFY(eval(QStringLiteral("http_reqs"), QStringLiteral("count==0"), empty).passed);
        QVERIFY(
            !eval(QStringLiteral("http_reqs"), QStringLiteral("rate<1"), empty).error.isEmpty());
    }

    void correctedNeedsOpenModel()
    {
        RunSummary closed = makeSummary();
        closed.openModel = false;
        const ThresholdResult r =
            eval(QStringLiteral("http_req_duration_corrected"), QStringLiteral("p(99)<1"), closed);
        QVERIFY(!r.passed);
        QVERIFY2(r.error.contains(QLatin1String("arrival-rate")), qPrintable(r.error));
    }

    void evaluatesAllInOrder()
    {
        const QList<ThresholdSpec> specs{
            {QStringLiteral("http_req_duration"), QStringLiteral("p(95)<200"), true, 5000},
            {QStringLiteral("http_req_failed"), QStringLiteral("rate<0.01"), false, 0},
            {QStringLiteral("nope"), QStringLiteral("avg<1"), false, 0}};
        const QList<ThresholdResult> results = evaluateThresholds(specs, makeSummary());
        QCOMPARE(results.size(), 3);
        QVERIFY(results[0].passed);
        QVERIFY(results[0].abortOnFail);
        QVERIFY(!results[1].passed);
        QVERIFY(results[1].error.isEmpty());
        QVERIFY(!results[2].error.isEmpty());
    }

    void abortOnFailWithDelay()
    {
        const QList<ThresholdSpec> specs{
            {QStringLiteral("http_req_failed"), QStringLiteral("rate<0.01"), false, 0},
            {QStringLiteral("http_req_duration"), QStringLiteral("p(95)<10"), true, 5000},
            {QStringLiteral("http_req_tls_handshaking"), QStringLiteral("avg<1"), true, 0}};
        const QList<ThresholdResult> results = evaluateThresholds(specs, makeSummary());
        QVERIFY(!results[0].passed); // crossed, but not abortOnFail
        QVERIFY(!results[1].passed); // crossed and abortOnFail after 5 s
        QVERIFY(!results[2].passed); // "no data" is not a crossing
        QVERIFY(!shouldAbort(specs, results, 4.999));
        QCOMPARE(abortingThreshold(specs, results, 4.999), -1);
        QVERIFY(shouldAbort(specs, results, 5.0));
        QCOMPARE(abortingThreshold(specs, results, 5.0), 1);

        QList<ThresholdResult> passing = results;
        passing[1].passed = true;
        QVERIFY(!shouldAbort(specs, passing, 60));
        QVERIFY(!shouldAbort(specs, {}, 60)); // no results yet
    }
};

LOADSCOPE_TEST_MAIN(TestThresholdEvaluator)
#include "tst_thresholdevaluator.moc"
