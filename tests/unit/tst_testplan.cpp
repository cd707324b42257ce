#include <functional>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>

#include "plan/duration.h"
#include "plan/planjson.h"
#include "plan/planjsonreader.h"
#include "plan/planpresets.h"
#include "plan/planvalidator.h"
#include "plan/testplan.h"
#include "testmain.h"

using namespace loadscope;

using PlanMutation = std::function<void(TestPlan &)>;
Q_DECLARE_METATYPE(PlanMutation)
Q_DECLARE_METATYPE(loadscope::TestType)

namespace {

QString issuesText(const QStringList &issues)
{
    return issues.isEmpty() ? QStringLiteral("(no issues)") : issues.join(u'\n');
}

bool hasIssueStartingWith(const QStringList &issues, const QString &prefix)
{
    for (const QString &issue : issues) {
        if (issue.startsWith(prefix))
            return true;
    }
    return false;
}

// A small valid plan whose indices the validation cases below refer to.
TestPlan basePlan()
{
    TestPlan plan;
    plan.name = QStringLiteral("base");
    plan.load.executor = Executor::ConstantVus;
    plan.load.vus = 2;
    plan.load.durationMs = 5000;

    Step health;
    health.path = QStringLiteral("/api/health");
    Check status;
    status.kind = Check::Kind::Status;
    status.status = 200;
    Check field;
    field.kind = Check::Kind::JsonPointerEquals;
    field.pointer = QStringLiteral("/status");
    field.value = QStringLiteral("ok");
    health.checks = {status, field};

    Step predict;
    predict.method = QStringLiteral("POST");
    predict.path = QStringLiteral("/api/bridge/predict");
    predict.body = QStringLiteral(R"({"symbol":"AAPL"})");
    Extraction id;
    id.name = QStringLiteral("n");
    id.source = Extraction::Source::Regex;
    id.expression = QStringLiteral(R"(id=(\d+))");
    predict.extractions = {id};

    Step use;
    use.method = QStringLiteral("POST");
    use.path = QStringLiteral("/api/signals");
    use.body = QStringLiteral(R"({"id":"{{n}}"})");

    plan.steps = {health, predict, use};
    plan.thresholds = {{QStringLiteral("http_req_duration"), QStringLiteral("p(95)<200"), false, 0},
                       {QStringLiteral("http_req_failed"), QStringLiteral("rate<0.01"), false, 0}};
    return plan;
}

// A plan where every field differs from its default.
TestPlan fullPlan()
{
    TestPlan plan;
    plan.name = QStringLiteral("Everything \"quoted\" \u00e9");
    plan.description = QStringLiteral("line one\nline two");
    plan.type = TestType::EndToEnd;
    plan.baseUrl = QStringLiteral("https://api.example.test:8443/v1");
    plan.versionLabel = QStringLiteral("v1.4.2");
    plan.dataFile = QStringLiteral("users.csv");
    plan.variables = {{QStringLiteral("user"), QStringLiteral("alice")},
                      {QStringLiteral("token"), QStringLiteral("t0k")}};
    plan.timeouts.requestMs = 12500;
    plan.timeouts.connectMs = 3001;
    plan.threads = 3;
    plan.http2 = true;
    plan.insecureSkipTlsVerify = true;
    plan.proxy = QStringLiteral("http://127.0.0.1:3128");
    plan.intervalMs = 500;

    Step login;
    login.name = QStringLiteral("login");
    login.method = QStringLiteral("POST");
    login.path = QStringLiteral("/auth/login?x=1");
    // Not in sorted order and with a duplicate name: must survive as [name, value] pairs.
    login.headers = {{QStringLiteral("X-B"), QStringLiteral("2")},
                     {QStringLiteral("Accept"), QStringLiteral("*/*")},
                     {QStringLiteral("X-B"), QStringLiteral("3")}};
    login.body = QStringLiteral(R"({"user":"{{user}}"})");
    Check c1;
    c1.kind = Check::Kind::Status;
    c1.status = 201;
    Check c2;
    c2.kind = Check::Kind::BodyContains;
    c2.text = QStringLiteral("token");
    Check c3;
    c3.kind = Check::Kind::JsonPointerEquals;
    c3.pointer = QStringLiteral("/a~1b/0");
    c3.value = QJsonObject{{QStringLiteral("k"), QJsonArray{1, 2.5, true, QJsonValue()}}};
    Check c4;
    c4.kind = Check::Kind::JsonPointerExists;
    c4.pointer = QStringLiteral("/token");
    Check c5;
    c5.kind = Check::Kind::JsonPointerEquals;
    c5.pointer = QStringLiteral("/n");
    c5.value = 0.1;
    login.checks = {c1, c2, c3, c4, c5};
    login.extractions = {
        {QStringLiteral("tok"), Extraction::Source::JsonPointer, QStringLiteral("/token"), 1},
        {QStringLiteral("rid"), Extraction::Source::Header, QStringLiteral("X-Request-Id"), 1},
        {QStringLiteral("num"), Extraction::Source::Regex, QStringLiteral(R"((a)(\d+))"), 2}};
    login.thinkTimeMs = 1500;

    Step upload;
    upload.name = QString();
    upload.method = QStringLiteral("PUT");
    upload.path = QStringLiteral("/files/{{num}}");
    upload.headers = {{QStringLiteral("Authorization"), QStringLiteral("Bearer {{tok}}")},
                      {QStringLiteral("Content-Type"), QStringLiteral("application/octet-stream")}};
    upload.bodyFile = QStringLiteral("payload.bin");
    upload.thinkTimeMs = 3723004; // 1h2m3s4ms

    plan.steps = {login, upload};

    plan.load.executor = Executor::RampingArrivalRate;
    plan.load.vus = 7;
    plan.load.durationMs = 45000;
    plan.load.stages = {{10000, 12.5}, {0, 40}, {90500, 0.25}};
    plan.load.startVus = 4;
    plan.load.startRate = 3.5;
    plan.load.rate = 123.456;
    plan.load.timeUnitMs = 60000;
    plan.load.preAllocatedVus = 20;
    plan.load.maxVus = 400;
    plan.load.gracefulRampDownMs = 5000;
    plan.load.gracefulStopMs = 250;

    plan.thresholds = {
        {QStringLiteral("http_req_failed"), QStringLiteral("rate<0.02"), false, 0},
        {QStringLiteral("http_req_duration"), QStringLiteral("p(95)<200"), false, 0},
        {QStringLiteral("http_req_duration"), QStringLiteral("p(99)<500"), true, 10000},
        {QStringLiteral("http_req_duration{name:login}"), QStringLiteral("max<900"), false, 2000},
        {QStringLiteral("server_timing_inference"), QStringLiteral("avg<  50"), true, 0}};
    return plan;
}

TestPlan roundTrip(const TestPlan &plan, QByteArray *first = nullptr, QByteArray *second = nullptr)
{
    const QByteArray bytes = planToJsonBytes(plan);
    QString error;
    const auto back = planFromJsonBytes(bytes, &error);
    if (!back) {
        qWarning("round trip failed: %s", qPrintable(error));
        return {};
    }
    if (first)
        *first = bytes;
    if (second)
        *second = planToJsonBytes(*back);
    return *back;
}

QString readError(const QByteArray &json)
{
    QString error;
    const auto plan = planFromJsonBytes(json, &error);
    return plan ? QStringLiteral("(accepted)") : error;
}

} // namespace

class TestTestPlan : public QObject
{
    Q_OBJECT

private slots:
    void enumNames()
    {
        QCOMPARE(allTestTypes().size(), 7);
        for (TestType type : allTestTypes())
            QCOMPARE(testTypeFromString(testTypeName(type)), std::optional<TestType>(type));
        QCOMPARE(testTypeName(TestType::MlPredictionThroughput),
                 QStringLiteral("ML_PREDICTION_THROUGHPUT"));
        QCOMPARE(testTypeFromString(u"end_to_end"), std::optional<TestType>(TestType::EndToEnd));
        QVERIFY(!testTypeFromString(u"SOAK_TEST").has_value());

        QCOMPARE(executorName(Executor::RampingArrivalRate),
                 QStringLiteral("ramping-arrival-rate"));
        QCOMPARE(executorFromString(u"Constant-VUs"),
                 std::optional<Executor>(Executor::ConstantVus));
        QVERIFY(!executorFromString(u"per-vu-iterations").has_value());
        QVERIFY(isOpenModel(Executor::ConstantArrivalRate));
        QVERIFY(isOpenModel(Executor::RampingArrivalRate));
        QVERIFY(!isOpenModel(Executor::ConstantVus));
        QVERIFY(!isOpenModel(Executor::RampingVus));
    }

    void parsesDurations_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("ms");
        QTest::newRow("30s") << "30s" << qint64(30000);
        QTest::newRow("1m30s") << "1m30s" << qint64(90000);
        QTest::newRow("500ms") << "500ms" << qint64(500);
        QTest::newRow("1h2m3s4ms") << "1h2m3s4ms" << qint64(3723004);
        QTest::newRow("fraction") << "1.5s" << qint64(1500);
        QTest::newRow("fraction h") << "0.5h" << qint64(1800000);
        QTest::newRow("day") << "1d" << qint64(86400000);
        QTest::newRow("micro") << "1500us" << qint64(2);
        QTest::newRow("bare seconds") << "30" << qint64(30000);
        QTest::newRow("bare fraction") << "0.25" << qint64(250);
        QTest::newRow("spaces") << " 2m " << qint64(120000);
        QTest::newRow("zero") << "0s" << qint64(0);
    }

    void parsesDurations()
    {
        QFETCH(QString, text);
        QFETCH(qint64, ms);
        QString error;
        const auto parsed = parseDurationMs(text, &error);
        QVERIFY2(parsed.has_value(), qPrintable(error));
        QCOMPARE(*parsed, ms);
    }

    void rejectsBadDurations_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty") << ""
                               << "empty duration";
        QTest::newRow("negative") << "-5s"
                                  << "must not be negative";
        QTest::newRow("unit") << "3x"
                              << R"(unknown unit "x")";
        QTest::newRow("words") << "ten seconds"
                               << "expected a number at position 0";
        QTest::newRow("missing unit") << "1m30"
                                      << R"(missing unit after "30")";
        QTest::newRow("dots") << "1.2.3s"
                              << R"(bad number "1.2.3")";
        QTest::newRow("huge") << "99999999999h"
                              << "out of range";
        QTest::newRow("inner space") << "1m 30s"
                                     << "unknown unit";
    }

    void rejectsBadDurations()
    {
        QFETCH(QString, text);
        QFETCH(QString, message);
        QString error;
        QVERIFY(!parseDurationMs(text, &error).has_value());
        QVERIFY2(error.contains(message), qPrintable(error));
    }

    void formatsDurations()
    {
        QCOMPARE(formatDurationMs(0), QStringLiteral("0s"));
        QCOMPARE(formatDurationMs(500), QStringLiteral("500ms"));
        QCOMPARE(formatDurationMs(30000), QStringLiteral("30s"));
        QCOMPARE(formatDurationMs(90000), QStringLiteral("1m30s"));
        QCOMPARE(formatDurationMs(3600000), QStringLiteral("1h"));
        QCOMPARE(formatDurationMs(3723004), QStringLiteral("1h2m3s4ms"));
        QCOMPARE(formatDurationMs(86400000), QStringLiteral("24h"));
        for (qint64 ms : {qint64(1), qint64(999), qint64(1001), qint64(59999), qint64(60000),
                          qint64(123456789), qint64(7) * 24 * 3600 * 1000 + 1})
            QCOMPARE(parseDurationMs(formatDurationMs(ms)), std::optional<qint64>(ms));
    }

    void displayName()
    {
        Step step;
        step.method = QStringLiteral("POST");
        step.path = QStringLiteral("/api/signals");
        QCOMPARE(step.displayName(), QStringLiteral("POST /api/signals"));
        step.name = QStringLiteral("signals");
        QCOMPARE(step.displayName(), QStringLiteral("signals"));
    }

    void targetAtRampingVus()
    {
        const LoadModel load = presetPlan(TestType::LoadTest).load;
        QCOMPARE(load.executor, Executor::RampingVus);
        QCOMPARE(load.totalDurationMs(), qint64(240000));
        QCOMPARE(load.targetAt(0), 0.0);
        QCOMPARE(load.targetAt(15000), 5.0);  // mid first stage 0 -> 10
        QCOMPARE(load.targetAt(30000), 10.0); // end of the first stage
        QCOMPARE(load.targetAt(60000), 30.0); // mid second stage 10 -> 50
        QCOMPARE(load.targetAt(90000), 50.0);
        QCOMPARE(load.targetAt(150000), 50.0); // hold
        QCOMPARE(load.targetAt(210000), 50.0);
        QCOMPARE(load.targetAt(225000), 25.0); // mid ramp-down 50 -> 0
        QCOMPARE(load.targetAt(240000), 0.0);
        QCOMPARE(load.targetAt(240001), 0.0); // after the end
        QCOMPARE(load.targetAt(-1), 0.0);

        LoadModel fromFive = load;
        fromFive.startVus = 6;
        QCOMPARE(fromFive.targetAt(0), 6.0);
        QCOMPARE(fromFive.targetAt(15000), 8.0);
    }

    void targetAtArrivalRateAndJumps()
    {
        LoadModel load;
        load.executor = Executor::RampingArrivalRate;
        load.startRate = 10;
        load.stages = {{10000, 20}, {0, 100}, {10000, 100}, {20000, 0}};
        QCOMPARE(load.totalDurationMs(), qint64(40000));
        QCOMPARE(load.targetAt(0), 10.0);
        QCOMPARE(load.targetAt(5000), 15.0);
        QCOMPARE(load.targetAt(10000), 20.0);  // the end of the stage before the jump
        QCOMPARE(load.targetAt(10001), 100.0); // the zero-length stage jumped to 100
        QCOMPARE(load.targetAt(30000), 50.0);
        QCOMPARE(load.targetAt(40000), 0.0);

        LoadModel constant;
        constant.executor = Executor::ConstantVus;
        constant.vus = 7;
        constant.durationMs = 1000;
        constant.stages = {{99999, 1}}; // ignored by a constant executor
        QCOMPARE(constant.totalDurationMs(), qint64(1000));
        QCOMPARE(constant.targetAt(500), 7.0);
        QCOMPARE(constant.targetAt(1000), 7.0);
        QCOMPARE(constant.targetAt(1001), 0.0);

        LoadModel rate;
        rate.executor = Executor::ConstantArrivalRate;
        rate.rate = 250;
        rate.durationMs = 2000;
        QCOMPARE(rate.targetAt(1999), 250.0);
    }

    void presetsRoundTripAndValidate_data()
    {
        QTest::addColumn<TestType>("type");
        for (TestType type : allTestTypes())
            QTest::newRow(qPrintable(testTypeName(type))) << type;
    }

    void presetsRoundTripAndValidate()
    {
        QFETCH(TestType, type);
        const TestPlan plan = presetPlan(type);
        QCOMPARE(plan.type, type);
        QVERIFY(plan.baseUrl.isEmpty());
        QVERIFY(!plan.name.isEmpty());
        const QStringList issues = validatePlan(plan);
        QVERIFY2(issues.isEmpty(), qPrintable(issuesText(issues)));

        QByteArray first, second;
        const TestPlan back = roundTrip(plan, &first, &second);
        QVERIFY(back == plan);
        QCOMPARE(second, first);

        for (const Step &step : plan.steps) {
            if (step.method != u"POST")
                continue;
            const QPair<QString, QString> json{QStringLiteral("Content-Type"),
                                               QStringLiteral("application/json")};
            QVERIFY(step.headers.contains(json));
            QVERIFY(QJsonDocument::fromJson(step.body.toUtf8()).isObject() ||
                    step.body.contains(u"{{"));
            Check ok;
            ok.kind = Check::Kind::Status;
            ok.status = 200;
            QVERIFY(step.checks.contains(ok));
        }
    }

    void presetDetails()
    {
        const TestPlan latency = presetPlan(TestType::ApiLatency);
        QCOMPARE(latency.load.executor, Executor::ConstantVus);
        QCOMPARE(latency.load.vus, 5);
        QCOMPARE(latency.load.durationMs, qint64(30000));
        QCOMPARE(latency.steps.size(), 1);
        QCOMPARE(latency.steps[0].path, QStringLiteral("/api/health"));

        const TestPlan load = presetPlan(TestType::LoadTest);
        const QList<Stage> stages = {{30000, 10}, {60000, 50}, {120000, 50}, {30000, 0}};
        QCOMPARE(load.load.stages, stages);

        const TestPlan stress = presetPlan(TestType::StressTest);
        QCOMPARE(stress.load.executor, Executor::RampingArrivalRate);
        QCOMPARE(stress.load.startRate, 50.0);
        QCOMPARE(stress.load.stages.last().target, 5000.0);
        QCOMPARE(stress.load.preAllocatedVus, 50);
        QCOMPARE(stress.load.maxVus, 1000);
        QCOMPARE(stress.thresholds.size(), 2);
        for (const ThresholdSpec &spec : stress.thresholds)
            QVERIFY(spec.abortOnFail);

        const TestPlan ml = presetPlan(TestType::MlPredictionThroughput);
        Check exists;
        exists.kind = Check::Kind::JsonPointerExists;
        exists.pointer = QStringLiteral("/predictionId");
        QVERIFY(ml.steps[0].checks.contains(exists));

        const TestPlan e2e = presetPlan(TestType::EndToEnd);
        QCOMPARE(e2e.steps.size(), 3);
        QCOMPARE(e2e.steps[0].extractions[0].name, QStringLiteral("predictionId"));
        QVERIFY(e2e.steps[1].body.contains(QStringLiteral("{{predictionId}}")));
        QCOMPARE(e2e.steps[1].extractions[0].expression, QStringLiteral("/combined"));
        QVERIFY(e2e.steps[2].body.contains(QStringLiteral("\"signal\":{{signal}}")));
    }

    void fullPlanRoundTrip()
    {
        const TestPlan plan = fullPlan();
        QVERIFY(plan != TestPlan());
        QByteArray first, second;
        const TestPlan back = roundTrip(plan, &first, &second);
        QVERIFY2(back == plan, first.constData());
        QCOMPARE(second, first);
        // Spot checks that fields really travelled (not just defaulted on both sides).
        QCOMPARE(back.steps[0].headers.size(), 3);
        QCOMPARE(back.steps[0].headers[2].second, QStringLiteral("3"));
        QCOMPARE(back.steps[0].extractions[2].group, 2);
        QCOMPARE(back.steps[1].thinkTimeMs, qint64(3723004));
        QCOMPARE(back.load.rate, 123.456);
        QCOMPARE(back.load.stages[2].target, 0.25);
        QCOMPARE(back.thresholds.size(), 5);
        QCOMPARE(back.steps[0].checks[4].value.toDouble(), 0.1);

        // Every field matters to equality.
        TestPlan changed = back;
        changed.load.gracefulStopMs += 1;
        QVERIFY(changed != plan);
        changed = back;
        changed.steps[0].headers.swapItemsAt(0, 1);
        QVERIFY(changed != plan);
        changed = back;
        for (ThresholdSpec &spec : changed.thresholds) {
            if (spec.expression == u"p(95)<200")
                spec.abortOnFail = true;
        }
        QVERIFY(changed != plan);
    }

    void headersForms()
    {
        // Unique names already in sorted order are written as an object.
        TestPlan plan = basePlan();
        plan.steps[0].headers = {{QStringLiteral("Accept"), QStringLiteral("a")},
                                 {QStringLiteral("X-Z"), QStringLiteral("z")}};
        QJsonObject json = toJson(plan);
        QVERIFY(json.value(QStringLiteral("steps"))
                    .toArray()
                    .at(0)
                    .toObject()
                    .value(QStringLiteral("headers"))
                    .isObject());
        // Out of order: an array of pairs keeps the order.
        plan.steps[0].headers.swapItemsAt(0, 1);
        json = toJson(plan);
        const QJsonValue headers = json.value(QStringLiteral("steps"))
                                       .toArray()
                                       .at(0)
                                       .toObject()
                                       .value(QStringLiteral("headers"));
        QVERIFY(headers.isArray());
        QCOMPARE(headers.toArray().at(0).toArray().at(0).toString(), QStringLiteral("X-Z"));

        const auto read = planFromJsonBytes(
            R"({"steps":[{"path":"/a","headers":[["X-A","1"],["X-A","2"]]},
                         {"path":"/b","headers":{"K":"v"}}]})");
        QVERIFY(read.has_value());
        QCOMPARE(read->steps[0].headers.size(), 2);
        QCOMPARE(read->steps[0].headers[1].second, QStringLiteral("2"));
        QCOMPARE(read->steps[1].headers[0].first, QStringLiteral("K"));

        QCOMPARE(
            readError(R"({"name":"h","steps":[{"path":"/a","headers":[["X-A"]]}]})"),
            QStringLiteral(
                R"(steps[0].headers[0]: expected a [name, value] pair of strings, got ["X-A"])"));
    }

    void defaultsAndConveniences()
    {
        const auto empty = planFromJsonBytes("{}");
        QVERIFY(empty.has_value());
        QVERIFY(*empty == TestPlan());

        const auto plan = planFromJsonBytes(
            R"({"testType":"api_latency","steps":[{"path":"/x","body":{"a":[1,2]}}],
                "load":{"executor":"constant-vus","duration":90,"timeUnit":0.5},
                "thresholds":{"http_reqs":["count>1"]}})");
        QVERIFY(plan.has_value());
        QCOMPARE(plan->type, TestType::ApiLatency);
        QCOMPARE(plan->steps[0].method, QStringLiteral("GET"));
        QCOMPARE(plan->steps[0].body, QStringLiteral(R"({"a":[1,2]})"));
        QCOMPARE(plan->load.durationMs, qint64(90000));
        QCOMPARE(plan->load.timeUnitMs, qint64(500));
        QCOMPARE(plan->load.gracefulStopMs, qint64(30000));
        QCOMPARE(plan->timeouts.requestMs, qint64(30000));
        QCOMPARE(plan->intervalMs, qint64(1000));
        QCOMPARE(plan->thresholds.size(), 1);
        QCOMPARE(plan->thresholds[0].metric, QStringLiteral("http_reqs"));
    }

    void rejectsUnknownKeys_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("message");
        QTest::newRow("load") << QByteArray(R"({"load":{"vsu":10}})") << "load.vsu: unknown field";
        QTest::newRow("top") << QByteArray(R"({"nmae":"x"})") << "nmae: unknown field";
        QTest::newRow("step") << QByteArray(R"({"steps":[{"path":"/","headerz":{}}]})")
                              << "steps[0].headerz: unknown field";
        QTest::newRow("check field of other kind")
            << QByteArray(
                   R"({"steps":[{"checks":[{"type":"status","equals":200,"pointer":"/a"}]}]})")
            << "steps[0].checks[0].pointer: unknown field";
        QTest::newRow("stage") << QByteArray(
                                      R"({"load":{"stages":[{"duration":"1s","target":1,"x":0}]}})")
                               << "load.stages[0].x: unknown field";
        QTest::newRow("threshold object")
            << QByteArray(R"({"thresholds":{"checks":[{"threshold":"rate>0.9","abort":true}]}})")
            << "thresholds[checks][0].abort: unknown field";
        QTest::newRow("options") << QByteArray(R"({"options":{"thread":2}})")
                                 << "options.thread: unknown field";
        QTest::newRow("group on header extraction")
            << QByteArray(
                   R"({"steps":[{"extract":[{"name":"a","from":"header","expression":"X","group":2}]}]})")
            << "steps[0].extract[0].group: only applies to regex extractions";
    }

    void rejectsUnknownKeys()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, message);
        const QString error = readError(json);
        QVERIFY2(error.split(u'\n').contains(message), qPrintable(error));
    }

    void reportsTypeErrorsByPath_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("message");
        QTest::newRow("vus string") << QByteArray(R"({"load":{"vus":"ten"}})")
                                    << R"(load.vus: expected a number, got "ten")";
        QTest::newRow("vus fraction") << QByteArray(R"({"load":{"vus":1.5}})")
                                      << "load.vus: expected a whole number, got 1.5";
        QTest::newRow("method number") << QByteArray(R"({"steps":[{},{"method":5}]})")
                                       << "steps[1].method: expected a string, got 5";
        QTest::newRow("bool") << QByteArray(R"({"options":{"http2":"yes"}})")
                              << R"(options.http2: expected true or false, got "yes")";
        QTest::newRow("duration")
            << QByteArray(R"({"load":{"duration":"3x"}})")
            << R"(load.duration: "3x" is not a duration: unknown unit "x" (use ms, s, m, h or d))";
        QTest::newRow("duration type")
            << QByteArray(R"({"timeouts":{"request":true}})")
            << R"(timeouts.request: expected a duration such as "30s" or a number of seconds, got true)";
        QTest::newRow("negative seconds")
            << QByteArray(R"({"steps":[{"thinkTime":-1}]})")
            << "steps[0].thinkTime: -1 is not a duration: a duration must not be negative";
        QTest::newRow("test type")
            << QByteArray(R"({"testType":"SOAK"})")
            << R"(testType: "SOAK" is not a test type (API_LATENCY, LOAD_TEST, STRESS_TEST, ML_PREDICTION_THROUGHPUT, SIGNAL_GENERATION, STRATEGY_EXECUTION, END_TO_END))";
        QTest::newRow("executor")
            << QByteArray(R"({"load":{"executor":"shared-iterations"}})")
            << R"(load.executor: "shared-iterations" is not an executor (constant-vus, ramping-vus, constant-arrival-rate, ramping-arrival-rate))";
        QTest::newRow("steps object")
            << QByteArray(R"({"steps":{}})") << "steps: expected an array, got {}";
        QTest::newRow("threshold list")
            << QByteArray(R"({"thresholds":{"checks":"rate>0.9"}})")
            << R"(thresholds[checks]: expected an array, got "rate>0.9")";
        QTest::newRow("check type")
            << QByteArray(R"({"steps":[{"checks":[{"type":"regex"}]}]})")
            << R"(steps[0].checks[0].type: "regex" is not a check type (status, bodyContains, jsonPointerEquals, jsonPointerExists))";
        QTest::newRow("check missing value")
            << QByteArray(R"({"steps":[{"checks":[{"type":"jsonPointerEquals","pointer":"/a"}]}]})")
            << "steps[0].checks[0].value: required for a jsonPointerEquals check";
        QTest::newRow("variable") << QByteArray(R"({"variables":{"n":1}})")
                                  << "variables.n: expected a string, got 1";
        QTest::newRow("schema")
            << QByteArray(R"({"schema":"loadscope.plan/9"})")
            << R"(schema: "loadscope.plan/9" is not supported (expected "loadscope.plan/1"))";
        QTest::newRow("stage target") << QByteArray(R"({"load":{"stages":[{"duration":"1s"}]}})")
                                      << "load.stages[0].target: required";
    }

    void reportsTypeErrorsByPath()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, message);
        const QString error = readError(json);
        QVERIFY2(error.split(u'\n').contains(message), qPrintable(error));
    }

    void reportsEveryError()
    {
        // Reader problems (types, unknown keys) and the validator's problems with what could be
        // read come in one pass; the refused fields' defaults are not reported again.
        const QString error = readError(
            R"({"name":"","load":{"vus":"ten","vsu":1,"duration":"0s"},"steps":[{"method":1}]})");
        const QStringList expected{
            QStringLiteral("steps[0].method: expected a string, got 1"),
            QStringLiteral("load.vsu: unknown field"),
            QStringLiteral(R"(load.vus: expected a number, got "ten")"),
            QStringLiteral(
                "name: must not be empty (the history keeps runs under their test's name)"),
            QStringLiteral(
                R"(steps[0].path: must start with "/" (or be an absolute http or https URL))"),
            QStringLiteral("load.duration: must be greater than zero")};
        QCOMPARE(error.split(u'\n'), expected);

        // A refused field is not also reported by the validator: "steps" is not an array, so
        // the plan has no steps, which is the same problem.
        QCOMPARE(readError(R"({"name":"x","steps":{}})"),
                 QStringLiteral("steps: expected an array, got {}"));
    }

    void refusesDuplicateKeys_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("top level")
            << QByteArray(R"({"name":"a","name":"b"})") << QStringList{QStringLiteral("name")};
        QTest::newRow("nested in arrays")
            << QByteArray(R"({"steps":[{"path":"/a"},{"path":"/b","method":"GET","path":"/c"}],
                              "load":{"stages":[{"target":1,"duration":"1s","target":2}]}})")
            << QStringList{QStringLiteral("steps[1].path"),
                           QStringLiteral("load.stages[0].target")};
        QTest::newRow("three times reported once")
            << QByteArray(R"({"load":{"vus":1,"vus":2,"vus":3}})")
            << QStringList{QStringLiteral("load.vus")};
        QTest::newRow("escaped spelling") << QByteArray("{\"n\\u0061me\":\"a\",\"name\":\"b\"}")
                                          << QStringList{QStringLiteral("name")};
        // Same key in sibling objects, and braces, quotes and commas inside strings.
        QTest::newRow("no duplicates")
            << QByteArray(
                   "{\"steps\":[{\"name\":\"a\",\"body\":\"{\\\"name\\\":1,\\\"name\\\":2}\"},"
                   "{\"name\":\"b,\\\"name\\\":\"}], \"name\":\"x\"}")
            << QStringList{};
    }

    void refusesDuplicateKeys()
    {
        QFETCH(QByteArray, json);
        QFETCH(QStringList, expected);
        QStringList paths;
        for (const PlanIssue &issue : duplicateJsonKeys(json))
            paths.append(issue.path);
        QCOMPARE(paths, expected);
        if (expected.isEmpty())
            return;
        // A plan file with a duplicate is refused, naming the key, together with the rest.
        const QString error = readError(json);
        QVERIFY2(error.contains(expected.first() +
                                QStringLiteral(": written more than once in the same object")),
                 qPrintable(error));
    }

    void planFileResolvesPathsAgainstItsFolder()
    {
        QTemporaryDir planDir;
        QTemporaryDir elsewhere;
        QVERIFY(planDir.isValid() && elsewhere.isValid());
        const QString absoluteBody = elsewhere.filePath(QStringLiteral("abs.json"));
        QFile file(planDir.filePath(QStringLiteral("plan.json")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QStringLiteral(R"({"name":"p","dataFile":"data/users.csv","steps":[
            {"path":"/a","bodyFile":"bodies/../body.json"},
            {"path":"/b","bodyFile":"%1"},{"path":"/c"}]})")
                       .arg(absoluteBody)
                       .toUtf8());
        file.close();

        const QString saved = QDir::currentPath();
        QVERIFY(QDir::setCurrent(elsewhere.path()));
        QString error;
        const auto plan = planFromFile(file.fileName(), &error);
        QDir::setCurrent(saved);
        QVERIFY2(plan, qPrintable(error));
        const QDir dir(planDir.path());
        QCOMPARE(plan->dataFile, dir.filePath(QStringLiteral("data/users.csv")));
        QCOMPARE(plan->steps[0].bodyFile, dir.filePath(QStringLiteral("body.json")));
        QCOMPARE(plan->steps[1].bodyFile, absoluteBody); // absolute: as written
        QVERIFY(plan->steps[2].bodyFile.isEmpty());      // none stays none

        QVERIFY(!planFromFile(dir.filePath(QStringLiteral("missing.json")), &error));
        QVERIFY2(error.startsWith(QStringLiteral("cannot read the plan: ")), qPrintable(error));
    }

    void badJsonGivesLineAndColumn()
    {
        // The stray comma sits on line 3, column 13 (1-based).
        const QByteArray json = "{\n  \"name\": \"x\",\n  \"steps\": [,]\n}";
        QString error;
        QVERIFY(!planFromJsonBytes(json, &error).has_value());
        QVERIFY2(error.startsWith(QStringLiteral("line 3, column ")), qPrintable(error));
        QCOMPARE(error, QStringLiteral("line 3, column 13: illegal value"));

        QVERIFY(!planFromJsonBytes("{\n\"a\" 1}", &error).has_value());
        QCOMPARE(error, QStringLiteral("line 2, column 5: missing name separator"));
        // Columns count characters, not UTF-8 bytes.
        QVERIFY(!planFromJsonBytes("{\"\xc3\xa9\" 1}", &error).has_value());
        QCOMPARE(error, QStringLiteral("line 1, column 6: missing name separator"));
        QVERIFY(!planFromJsonBytes("{\"name\": \"x\"", &error).has_value());
        QVERIFY2(error.startsWith(QStringLiteral("line 1, column ")), qPrintable(error));
        QVERIFY(!planFromJsonBytes("", &error).has_value());
        QVERIFY2(error.startsWith(QStringLiteral("line 1, column 1: ")), qPrintable(error));

        QVERIFY(!planFromJsonBytes("[1,2]", &error).has_value());
        QCOMPARE(error, QStringLiteral("expected a JSON object at the top level"));
    }

    void validation_data()
    {
        QTest::addColumn<PlanMutation>("mutate");
        QTest::addColumn<QString>("expected");

        QTest::newRow("method") << PlanMutation([](TestPlan &p) {
            p.steps[2].method = QStringLiteral("FETCH");
        }) << R"(steps[2].method: "FETCH" is not an HTTP method)";
        QTest::newRow("lower-case method")
            << PlanMutation([](TestPlan &p) { p.steps[0].method = QStringLiteral("get"); })
            << R"(steps[0].method: "get" is not an HTTP method)";
        QTest::newRow("no stages")
            << PlanMutation([](TestPlan &p) { p.load.executor = Executor::RampingVus; })
            << "load.stages: ramping-vus needs at least one stage";
        QTest::newRow("no arrival stages")
            << PlanMutation([](TestPlan &p) { p.load.executor = Executor::RampingArrivalRate; })
            << "load.stages: ramping-arrival-rate needs at least one stage";
        QTest::newRow("vus") << PlanMutation([](TestPlan &p) { p.load.vus = 0; })
                             << "load.vus: must be at least 1";
        QTest::newRow("duration") << PlanMutation([](TestPlan &p) { p.load.durationMs = 0; })
                                  << "load.duration: must be greater than zero";
        QTest::newRow("threshold") << PlanMutation([](TestPlan &p) {
            p.thresholds[0].expression = QStringLiteral("p(95)<<200");
        }) << R"(thresholds[http_req_duration][0]: "p(95)<<200" is not a threshold expression: expected a number after "<" at position 6)";
        QTest::newRow("second threshold of a metric") << PlanMutation([](TestPlan &p) {
            p.thresholds.append(
                {QStringLiteral("http_req_duration"), QStringLiteral("avg<"), false, 0});
        }) << R"(thresholds[http_req_duration][1]: "avg<" is not a threshold expression)";
        QTest::newRow("aggregation kind") << PlanMutation([](TestPlan &p) {
            p.thresholds[0].expression = QStringLiteral("rate<0.1");
        }) << R"(thresholds[http_req_duration][0]: "rate<0.1" does not apply to http_req_duration, a trend metric)";
        QTest::newRow("metric syntax") << PlanMutation([](TestPlan &p) {
            p.thresholds[0].metric = QStringLiteral("http_req_duration{name");
        }) << "thresholds[http_req_duration{name]: \"http_req_duration{name\" is not a metric";
        QTest::newRow("baseUrl") << PlanMutation([](TestPlan &p) {
            p.baseUrl = QStringLiteral("ftp://x");
        }) << R"(baseUrl: "ftp://x" is not an http or https URL)";
        QTest::newRow("path") << PlanMutation([](TestPlan &p) {
            p.steps[0].path = QStringLiteral("api/health");
        }) << R"(steps[0].path: must start with "/")";
        QTest::newRow("regex") << PlanMutation([](TestPlan &p) {
            p.steps[1].extractions[0].expression = QStringLiteral("id=(\\d+");
        }) << "steps[1].extract[0].expression: invalid regular expression: ";
        QTest::newRow("regex group")
            << PlanMutation([](TestPlan &p) { p.steps[1].extractions[0].group = 2; })
            << "steps[1].extract[0].group: the expression has no capture group 2";
        QTest::newRow("check pointer") << PlanMutation([](TestPlan &p) {
            p.steps[0].checks[1].pointer = QStringLiteral("status");
        }) << R"(steps[0].checks[1].pointer: must start with "/")";
        QTest::newRow("check pointer escape") << PlanMutation([](TestPlan &p) {
            p.steps[0].checks[1].pointer = QStringLiteral("/a~2");
        }) << R"(steps[0].checks[1].pointer: "~" must be followed by 0 or 1)";
        QTest::newRow("status") << PlanMutation([](TestPlan &p) {
            p.steps[0].checks[0].status = 42;
        }) << "steps[0].checks[0].equals: 42 is not an HTTP status";
        QTest::newRow("maxVUs") << PlanMutation([](TestPlan &p) {
            p.load.executor = Executor::ConstantArrivalRate;
            p.load.preAllocatedVus = 50;
            p.load.maxVus = 10;
        }) << "load.maxVUs: must be >= preAllocatedVUs";
        QTest::newRow("rate") << PlanMutation([](TestPlan &p) {
            p.load.executor = Executor::ConstantArrivalRate;
            p.load.rate = 0;
        }) << "load.rate: must be greater than zero";
        QTest::newRow("stage target") << PlanMutation([](TestPlan &p) {
            p.load.executor = Executor::RampingVus;
            p.load.stages = {{1000, 5}, {1000, -1}};
        }) << "load.stages[1].target: must not be negative";
        QTest::newRow("no steps") << PlanMutation([](TestPlan &p) { p.steps.clear(); })
                                  << "steps: a plan needs at least one step";
        QTest::newRow("undefined reference")
            << PlanMutation([](TestPlan &p) { p.steps[2].body = QStringLiteral("{{missing}}"); })
            << "steps[2].body: {{missing}} is not defined";
        QTest::newRow("reference before extraction")
            << PlanMutation([](TestPlan &p) { p.steps[0].path = QStringLiteral("/x/{{n}}"); })
            << "steps[0].path: {{n}} is not defined";
        QTest::newRow("reference in header") << PlanMutation([](TestPlan &p) {
            p.steps[1].headers = {{QStringLiteral("X-T"), QStringLiteral("{{ token }}")}};
        }) << "steps[1].headers[0].value: {{token}} is not defined";
        QTest::newRow("header name") << PlanMutation([](TestPlan &p) {
            p.steps[1].headers = {{QStringLiteral("Bad Header"), QStringLiteral("v")}};
        }) << R"(steps[1].headers[0].name: "Bad Header" is not a valid header name)";
        QTest::newRow("body and file")
            << PlanMutation([](TestPlan &p) { p.steps[1].bodyFile = QStringLiteral("x.json"); })
            << "steps[1].bodyFile: set either body or bodyFile, not both";
        QTest::newRow("extract pointer") << PlanMutation([](TestPlan &p) {
            p.steps[1].extractions[0].source = Extraction::Source::JsonPointer;
            p.steps[1].extractions[0].expression = QStringLiteral("id");
        }) << R"(steps[1].extract[0].expression: must start with "/")";
        QTest::newRow("extract name") << PlanMutation([](TestPlan &p) {
            p.steps[1].extractions[0].name = QStringLiteral("1st");
        }) << R"(steps[1].extract[0].name: "1st" is not a variable name)";
        QTest::newRow("timeout") << PlanMutation([](TestPlan &p) { p.timeouts.requestMs = 0; })
                                 << "timeouts.request: must be greater than zero";
        QTest::newRow("interval") << PlanMutation([](TestPlan &p) { p.intervalMs = 10; })
                                  << "options.interval: must be at least 100ms";
        QTest::newRow("proxy") << PlanMutation([](TestPlan &p) {
            p.proxy = QStringLiteral("socks");
        }) << R"(options.proxy: "socks" is not an http or https URL)";
        QTest::newRow("threads") << PlanMutation([](TestPlan &p) { p.threads = -1; })
                                 << "options.threads: must not be negative";
        QTest::newRow("empty name")
            << PlanMutation([](TestPlan &p) { p.name = QStringLiteral("  "); })
            << "name: must not be empty";
        QTest::newRow("all-zero stages") << PlanMutation([](TestPlan &p) {
            p.load.executor = Executor::RampingVus;
            p.load.stages = {{10000, 0}, {5000, 0}};
        }) << "load.stages: every stage's target and startVUs are 0";
        QTest::newRow("all-zero rate stages") << PlanMutation([](TestPlan &p) {
            p.load.executor = Executor::RampingArrivalRate;
            p.load.stages = {{10000, 0}};
        }) << "load.stages: every stage's target and startRate are 0";
    }

    void validation()
    {
        QFETCH(PlanMutation, mutate);
        QFETCH(QString, expected);
        QVERIFY2(validatePlan(basePlan()).isEmpty(),
                 qPrintable(issuesText(validatePlan(basePlan()))));
        TestPlan plan = basePlan();
        mutate(plan);
        const QStringList issues = validatePlan(plan);
        QVERIFY2(hasIssueStartingWith(issues, expected), qPrintable(issuesText(issues)));
    }

    void referencesResolve()
    {
        TestPlan plan = basePlan();
        plan.steps[0].path = QStringLiteral("/users/{{user}}");
        QVERIFY(!validatePlan(plan).isEmpty());
        // An unresolved reference is a warning, not an error that blocks a run.
        QVERIFY(planErrors(plan).isEmpty());
        const QList<PlanIssue> issues = planIssues(plan);
        QCOMPARE(issues.size(), 1);
        QCOMPARE(issues[0].severity, PlanIssue::Severity::Warning);
        QCOMPARE(issues[0].path, QStringLiteral("steps[0].path"));

        plan.variables.insert(QStringLiteral("user"), QStringLiteral("alice"));
        QVERIFY(validatePlan(plan).isEmpty());

        plan.variables.clear();
        plan.dataFile = QStringLiteral("users.csv");
        QVERIFY(validatePlan(plan).isEmpty()); // columns unknown: not flagged
        const QStringList columns = {QStringLiteral("user")};
        QVERIFY(validatePlan(plan, &columns).isEmpty());
        const QStringList otherColumns = {QStringLiteral("name")};
        QVERIFY(hasIssueStartingWith(validatePlan(plan, &otherColumns),
                                     QStringLiteral("steps[0].path: {{user}} is not defined")));

        QCOMPARE(templateReferences(QStringLiteral("{{a}}/{{ b.c }}/{{a}}/{{1x}}/{x}")),
                 QStringList({QStringLiteral("a"), QStringLiteral("b.c")}));
    }

    void readsDocumentedExample()
    {
        QFile file(QStringLiteral(LOADSCOPE_TEST_DATA_DIR "/plans/example.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QString error;
        const auto plan = planFromJsonBytes(file.readAll(), &error);
        QVERIFY2(plan.has_value(), qPrintable(error));
        QVERIFY2(validatePlan(*plan).isEmpty(), qPrintable(issuesText(validatePlan(*plan))));
        QCOMPARE(plan->type, TestType::LoadTest);
        QCOMPARE(plan->variables.value(QStringLiteral("k")), QStringLiteral("v"));
        const Step &step = plan->steps.at(0);
        QCOMPARE(step.checks.size(), 4);
        QCOMPARE(step.checks[1].text, QStringLiteral("ok"));
        QCOMPARE(step.checks[2].value, QJsonValue(QStringLiteral("ok")));
        QCOMPARE(step.extractions[2].expression, QStringLiteral("id=(\\d+)"));
        QCOMPARE(step.extractions[1].source, Extraction::Source::Header);
        QCOMPARE(plan->load.executor, Executor::RampingVus);
        QCOMPARE(plan->load.stages, QList<Stage>({{30000, 10}}));
        QCOMPARE(plan->thresholds.size(), 3);
        QCOMPARE(plan->thresholds[1].expression, QStringLiteral("p(99)<500"));
        QVERIFY(plan->thresholds[1].abortOnFail);
        QCOMPARE(plan->thresholds[1].delayAbortEvalMs, qint64(10000));
        QCOMPARE(plan->thresholds[2].metric, QStringLiteral("http_req_failed"));
        // Reading then writing then reading again changes nothing.
        QVERIFY(roundTrip(*plan) == *plan);
    }

    void jsonValidationTogether()
    {
        // A file that parses but is not runnable: reading succeeds, validation names the path.
        const auto plan = planFromJsonBytes(
            R"({"steps":[{"method":"FETCH","path":"/a"}],"load":{"executor":"ramping-vus"}})");
        QVERIFY(plan.has_value());
        const QStringList issues = validatePlan(*plan);
        QVERIFY(hasIssueStartingWith(issues, QStringLiteral("steps[0].method: ")));
        QVERIFY(hasIssueStartingWith(issues, QStringLiteral("load.stages: ")));
    }
};

LOADSCOPE_TEST_MAIN(TestTestPlan)
#include "tst_testplan.moc"
