#include <QMutex>

#include "engine/loadengine.h"
#include "fakehttpserver.h"
#include "plan/planjson.h"
#include "plan/planvalidator.h"
#include "testmain.h"

// Requests are built from templates on every iteration; what a server returns must not be able
// to add headers or requests of its own (request smuggling). A loopback capture server records
// everything that reached it. Also: the plan's maxRedirects reaches the transport.

using namespace loadscope;
using loadscope::test::FakeHttpServer;
using loadscope::test::FakeReply;
using loadscope::test::FakeRequest;

namespace {

//! Everything the capture server saw.
struct Seen
{
    QMutex mutex;
    QList<FakeRequest> requests;

    void add(const FakeRequest &request)
    {
        QMutexLocker lock(&mutex);
        requests.append(request);
    }
    int countWith(const std::function<bool(const FakeRequest &)> &match)
    {
        QMutexLocker lock(&mutex);
        return int(std::count_if(requests.cbegin(), requests.cend(), match));
    }
};

TestPlan shortPlan(const QList<Step> &steps, const QString &baseUrl)
{
    TestPlan plan;
    plan.name = QStringLiteral("safety");
    plan.baseUrl = baseUrl;
    plan.steps = steps;
    plan.load.executor = Executor::ConstantVus;
    plan.load.vus = 1;
    plan.load.durationMs = 400;
    plan.load.gracefulStopMs = 2000;
    plan.timeouts.requestMs = 5000;
    plan.threads = 1;
    plan.intervalMs = 200;
    return plan;
}

Step step(const QString &name, const QString &path)
{
    Step s;
    s.name = name;
    s.path = path;
    return s;
}

//! Runs @p plan to its end; nullopt (and @p error) when it did not start or finish.
std::optional<RunSummary> run(const TestPlan &plan, QString *error)
{
    LoadEngine engine;
    std::optional<RunSummary> summary;
    QObject::connect(&engine, &LoadEngine::finished, &engine,
                     [&summary](const RunSummary &s) { summary = s; });
    if (!engine.start(plan, plan.baseUrl, error))
        return std::nullopt;
    if (!QTest::qWaitFor([&summary] { return summary.has_value(); }, 20000)) {
        *error = QStringLiteral("finished() did not arrive");
        return std::nullopt;
    }
    return summary;
}

QString urlOf(const FakeHttpServer &server)
{
    return QStringLiteral("http://127.0.0.1:") + QString::number(server.port());
}

} // namespace

class TestRequestSafety : public QObject
{
    Q_OBJECT

private slots:
    void extractedLineBreakNeverReachesTheServer_data()
    {
        QTest::addColumn<QByteArray>("token"); // JSON text of the extracted value
        QTest::addColumn<bool>("inHeader");    // used in a header value, else in the path
        QTest::newRow("CRLF in a header") << QByteArray(R"("abc\r\nX-Injected: yes")") << true;
        QTest::newRow("LF in a header") << QByteArray(R"("abc\nX-Injected: yes")") << true;
        QTest::newRow("NUL in a header") << QByteArray(R"("abc\u0000X-Injected: yes")") << true;
        QTest::newRow("CRLF in the path")
            << QByteArray(R"("x HTTP/1.1\r\nX-Injected: yes\r\n\r\nGET /smuggled")") << false;
        QTest::newRow("NUL in the path") << QByteArray(R"("x\u0000y")") << false;
    }

    void extractedLineBreakNeverReachesTheServer()
    {
        QFETCH(QByteArray, token);
        QFETCH(bool, inHeader);
        Seen seen;
        FakeHttpServer server([&seen, token](const FakeRequest &request) {
            seen.add(request);
            if (request.target == "/login")
                return FakeReply::ok("{\"t\": " + token + '}',
                                     "Content-Type: application/json\r\n");
            return FakeReply::ok("{}");
        });
        QVERIFY(server.start());
        Step login = step(QStringLiteral("login"), QStringLiteral("/login"));
        Extraction t;
        t.name = QStringLiteral("t");
        t.expression = QStringLiteral("/t");
        login.extractions = {t};
        Step use = step(QStringLiteral("use"),
                        inHeader ? QStringLiteral("/use") : QStringLiteral("/use/{{t}}"));
        if (inHeader)
            use.headers = {{QStringLiteral("X-Token"), QStringLiteral("Bearer {{t}}")}};
        QString error;
        const auto summary = run(shortPlan({login, use}, urlOf(server)), &error);
        QVERIFY2(summary, qPrintable(error));

        // Every "use" request failed as a check, named the variable and never went out.
        const EndpointSummary &used = summary->endpoints[1];
        QVERIFY(used.totals.requests > 0);
        QCOMPARE(used.totals.errorsByClass[size_t(ErrorClass::Check)], used.totals.requests);
        QCOMPARE(used.totals.bytesOut, qint64(0));
        QVERIFY2(summary->errorDetails.contains(QLatin1String("{{t}}")) &&
                     summary->errorDetails.contains(QLatin1String("request not sent")),
                 qPrintable(summary->errorDetails));
        QVERIFY2(summary->errorDetails.contains(inHeader ? QLatin1String("header X-Token")
                                                         : QLatin1String("path")),
                 qPrintable(summary->errorDetails));
        QCOMPARE(seen.countWith([](const FakeRequest &r) { return r.target.startsWith("/use"); }),
                 0);
        QCOMPARE(seen.countWith([](const FakeRequest &r) {
            return !r.header("X-Injected").isEmpty() || r.target.contains("smuggled");
        }),
                 0);
        QVERIFY(seen.countWith([](const FakeRequest &r) { return r.target == "/login"; }) > 0);
        // Refused requests took no time: they add nothing to the latency histogram.
        QCOMPARE(used.duration.count(), qint64(0));
    }

    void literalSmugglingPathIsRefusedAtStart()
    {
        Seen seen;
        FakeHttpServer server([&seen](const FakeRequest &request) {
            seen.add(request);
            return FakeReply::ok("{}");
        });
        QVERIFY(server.start());
        // The path from the issue, and a NUL.
        for (const QString &path :
             QStringList{QStringLiteral("/a b HTTP/1.0\r\nX-Evil: 1"),
                         QStringLiteral("/a") + QChar(0) + QStringLiteral("b")}) {
            QString error;
            QVERIFY(!run(shortPlan({step(QStringLiteral("evil"), path)}, urlOf(server)), &error));
            QVERIFY2(error.contains(QLatin1String("steps[0].path")) &&
                         error.contains(QLatin1String("CR, LF or NUL")),
                     qPrintable(error));
        }
        Step header = step(QStringLiteral("header"), QStringLiteral("/x"));
        header.headers = {{QStringLiteral("X-A"), QStringLiteral("1\r\nX-Evil: 1")}};
        QString error;
        QVERIFY(!run(shortPlan({header}, urlOf(server)), &error));
        QVERIFY2(error.contains(QLatin1String("steps[0].headers[0]")), qPrintable(error));
        header.headers = {{QStringLiteral("X A"), QStringLiteral("1")}};
        QVERIFY(!run(shortPlan({header}, urlOf(server)), &error));
        QVERIFY2(error.contains(QLatin1String("header name")), qPrintable(error));
        QCOMPARE(seen.countWith([](const FakeRequest &) { return true; }), 0);
    }

    void pathsArePercentEncoded()
    {
        Seen seen;
        FakeHttpServer server([&seen](const FakeRequest &request) {
            seen.add(request);
            return FakeReply::ok("{}");
        });
        QVERIFY(server.start());
        TestPlan plan = shortPlan(
            {step(QStringLiteral("fixed"), QStringLiteral("/a b/\u00fc\"<>?q=x y&z=1%2F")),
             step(QStringLiteral("templated"), QStringLiteral("/u/{{name}}")),
             step(QStringLiteral("plain"), QStringLiteral("/a/b?x=1&y=2"))},
            urlOf(server));
        plan.variables.insert(QStringLiteral("name"), QStringLiteral("Jo Doe/x?y"));
        QString error;
        const auto summary = run(plan, &error);
        QVERIFY2(summary, qPrintable(error));
        QVERIFY2(summary->totals.errors == 0, qPrintable(summary->errorDetails));
        QByteArrayList targets;
        seen.countWith([&targets](const FakeRequest &r) {
            if (!targets.contains(r.target))
                targets.append(r.target);
            return true;
        });
        QVERIFY2(targets.contains("/a%20b/%C3%BC%22%3C%3E?q=x%20y&z=1%2F"),
                 targets.join(' ').constData());
        // A substituted value keeps its '/' and '?': only what a request line cannot carry
        // is encoded.
        QVERIFY(seen.countWith([](const FakeRequest &r) { return r.target == "/u/Jo%20Doe/x?y"; }) >
                0);
        QVERIFY(seen.countWith([](const FakeRequest &r) { return r.target == "/a/b?x=1&y=2"; }) >
                0);
        QCOMPARE(seen.countWith([](const FakeRequest &r) { return r.target.contains(' '); }), 0);
    }

    void maxRedirectsInPlanJson()
    {
        TestPlan plan = shortPlan({step(QStringLiteral("a"), QStringLiteral("/a"))},
                                  QStringLiteral("http://127.0.0.1:1"));
        plan.maxRedirects = 3;
        const QJsonObject json = toJson(plan);
        QCOMPARE(json.value(QStringLiteral("options"))
                     .toObject()
                     .value(QStringLiteral("maxRedirects"))
                     .toInt(),
                 3);
        const auto back = planFromJson(json);
        QVERIFY(back);
        QCOMPARE(back->maxRedirects, 3);
        QCOMPARE(*back, plan);
        plan.maxRedirects = -1;
        const QStringList problems = planErrors(plan);
        QVERIFY2(problems.join(u'\n').contains(QLatin1String("options.maxRedirects")),
                 qPrintable(problems.join(u'\n')));
    }

    void planMaxRedirectsReachesTheTransport_data()
    {
        QTest::addColumn<int>("maxRedirects");
        QTest::newRow("default (10)") << 10;
        QTest::newRow("disabled") << 0;
    }

    void planMaxRedirectsReachesTheTransport()
    {
        QFETCH(int, maxRedirects);
        Seen seen;
        FakeHttpServer server([&seen](const FakeRequest &request) {
            seen.add(request);
            if (request.target == "/old")
                return FakeReply::withStatus(301, "moved", "Location: /new\r\n");
            return FakeReply::ok("{}");
        });
        QVERIFY(server.start());
        TestPlan plan =
            shortPlan({step(QStringLiteral("old"), QStringLiteral("/old"))}, urlOf(server));
        plan.maxRedirects = maxRedirects;
        QString error;
        const auto summary = run(plan, &error);
        QVERIFY2(summary, qPrintable(error));
        QCOMPARE(summary->totals.errors, qint64(0)); // a 3xx as the response is no error
        const int followed =
            seen.countWith([](const FakeRequest &r) { return r.target == "/new"; });
        const int first = seen.countWith([](const FakeRequest &r) { return r.target == "/old"; });
        QVERIFY(first > 0);
        QCOMPARE(followed, maxRedirects > 0 ? first : 0);
        // One request per step either way: the hops belong to it.
        QCOMPARE(summary->totals.requests, qint64(first));
    }

    void planMaxHeaderBytesReachesTheTransport()
    {
        // 4 KiB of headers: fine under the default 64 KiB, a protocol error under 2 KiB, with
        // the reason in the run's error details.
        const QByteArray headers = "X-Big: " + QByteArray(4096, 'h') + "\r\n";
        FakeHttpServer server(
            [headers](const FakeRequest &) { return FakeReply::ok("{}", headers); });
        QVERIFY(server.start());
        TestPlan plan =
            shortPlan({step(QStringLiteral("big"), QStringLiteral("/"))}, urlOf(server));
        QString error;
        const auto fine = run(plan, &error);
        QVERIFY2(fine, qPrintable(error));
        QVERIFY(fine->totals.requests > 0);
        QCOMPARE(fine->totals.errors, qint64(0));

        plan.maxHeaderBytes = 2048;
        QVERIFY(validatePlan(plan).isEmpty());
        const QJsonObject json = toJson(plan);
        QCOMPARE(json.value(QStringLiteral("options"))
                     .toObject()
                     .value(QStringLiteral("maxHeaderBytes"))
                     .toInt(),
                 2048);
        QCOMPARE(planFromJson(json)->maxHeaderBytes, qint64(2048));
        const auto limited = run(plan, &error);
        QVERIFY2(limited, qPrintable(error));
        QVERIFY(limited->totals.requests > 0);
        QCOMPARE(limited->totals.errors, limited->totals.requests);
        QCOMPARE(limited->totals.errorsByClass[size_t(ErrorClass::Protocol)],
                 limited->totals.requests);
        QVERIFY2(limited->errorDetails.contains(QStringLiteral("exceed 2048 bytes")),
                 qPrintable(limited->errorDetails));

        plan.maxHeaderBytes = 100;
        const QStringList problems = validatePlan(plan);
        QCOMPARE(problems.size(), 1);
        QVERIFY2(problems.first().startsWith(QStringLiteral("options.maxHeaderBytes")),
                 qPrintable(problems.first()));
    }
};

LOADSCOPE_TEST_MAIN(TestRequestSafety)
#include "tst_requestsafety.moc"
