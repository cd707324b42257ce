#include "testmain.h"

// Raw string literals here keep an even number of quotes and no "//": moc does not read raw
// strings and would otherwise lose track of the class.

#include <algorithm>
#include <memory>
#include <optional>
#include <sys/resource.h>
#include <vector>

#include <QFileInfo>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>

#include "plan/planjson.h"
#include "plan/planpresets.h"
#include "rest/apitoken.h"
#include "rest/restapiserver.h"
#include "store/historystore.h"
#include "testsupport.h"

using namespace loadscope;

namespace {

struct Response
{
    int status = 0;
    QByteArray raw;
    QJsonObject json;
    QList<QNetworkReply::RawHeaderPair> headers;

    QByteArray header(const QByteArray &name) const
    {
        for (const auto &h : headers) {
            if (h.first.compare(name, Qt::CaseInsensitive) == 0)
                return h.second;
        }
        return QByteArray();
    }
    QString error() const { return json.value(QStringLiteral("error")).toString(); }
    QString field() const { return json.value(QStringLiteral("field")).toString(); }
};

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace

class TestRestApi : public QObject
{
    Q_OBJECT

private:
    static constexpr qint64 kMaxBody = 64 * 1024;

    QTemporaryDir m_dir;
    HistoryStore m_store;
    std::unique_ptr<RestApiServer> m_server;
    QNetworkAccessManager m_network;
    QString m_token;
    QString m_tokenPath;
    quint16 m_port = 0;

    QUrl url(const QString &path) const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(path));
    }

    //! One request; @p token nullopt sends no Authorization header.
    Response call(const QByteArray &method, const QString &path, const QByteArray &body = {},
                  std::optional<QString> token = QString())
    {
        QNetworkRequest request(url(path));
        if (token && token->isEmpty())
            token = m_token;
        if (token)
            request.setRawHeader("Authorization", "Bearer " + token->toLatin1());
        if (!body.isEmpty())
            request.setHeader(QNetworkRequest::ContentTypeHeader,
                              QByteArrayLiteral("application/json"));
        QNetworkReply *reply = m_network.sendCustomRequest(request, method, body);
        Response response;
        if (!QTest::qWaitFor([reply] { return reply->isFinished(); }, 20000)) {
            reply->abort();
            reply->deleteLater();
            return response;
        }
        response.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        response.raw = reply->readAll();
        response.json = QJsonDocument::fromJson(response.raw).object();
        response.headers = reply->rawHeaderPairs();
        reply->deleteLater();
        return response;
    }

    Response post(const QString &path, const QJsonObject &body)
    {
        return call("POST", path, compact(body));
    }

    static QString api(const QString &rest) { return QStringLiteral("/api/performance") + rest; }

    qint64 createShortTest(const QString &name, int durationSec = 2, int concurrency = 2)
    {
        const Response r =
            post(api(QStringLiteral("/tests")),
                 QJsonObject{{QStringLiteral("name"), name},
                             {QStringLiteral("testType"), QStringLiteral("API_LATENCY")},
                             {QStringLiteral("duration"), durationSec},
                             {QStringLiteral("concurrency"), concurrency},
                             {QStringLiteral("targetEndpoint"), QStringLiteral("/api/health")}});
        if (r.status != 201 && r.status != 200)
            qWarning("create test: %d %s", r.status, r.raw.constData());
        return r.json.value(QStringLiteral("id")).toInteger();
    }

    bool waitIdle(int timeoutMs = 60000)
    {
        return QTest::qWaitFor([this] { return !m_server->isRunning(); }, timeoutMs);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        qputenv("LOADSCOPE_CONFIG_DIR", m_dir.filePath(QStringLiteral("config")).toUtf8());
        QString error;
        bool created = false;
        m_token = loadOrCreateApiToken(&m_tokenPath, &error, &created);
        QVERIFY2(!m_token.isEmpty(), qPrintable(error));
        QVERIFY(created);
        QVERIFY(m_store.open(m_dir.filePath(QStringLiteral("history.db")), &error));
        RestApiOptions options;
        options.token = m_token;
        options.maxBodyBytes = kMaxBody;
        m_server = std::make_unique<RestApiServer>(&m_store, options);
        m_port = m_server->listen(QHostAddress::LocalHost, 0, &error);
        QVERIFY2(m_port != 0, qPrintable(error));
        m_network.setProxy(QNetworkProxy::NoProxy);
    }

    void cleanupTestCase()
    {
        if (m_server && m_server->isRunning()) {
            m_server->stopRun(QStringLiteral("test over"));
            waitIdle();
        }
        m_server.reset();
    }

    void tokenFileIsPrivateAndStable()
    {
        QCOMPARE(m_tokenPath, m_dir.filePath(QStringLiteral("config/api-token")));
        QCOMPARE(m_token.size(), 64);
        const QFileDevice::Permissions others = QFileDevice::ReadGroup | QFileDevice::WriteGroup |
                                                QFileDevice::ExeGroup | QFileDevice::ReadOther |
                                                QFileDevice::WriteOther | QFileDevice::ExeOther;
        QCOMPARE(QFileInfo(m_tokenPath).permissions() & others, QFileDevice::Permissions());
        QVERIFY(QFileInfo(m_tokenPath).permissions() & QFileDevice::ReadOwner);
        QString path;
        QString error;
        bool created = true;
        QCOMPARE(loadOrCreateApiToken(&path, &error, &created), m_token);
        QVERIFY(!created);
        QVERIFY(apiTokenMatches(m_token, m_token));
        QVERIFY(!apiTokenMatches(m_token.left(63) + u'x', m_token));
        QVERIFY(!apiTokenMatches(QString(), QString()));
    }

    void refusesWithoutToken()
    {
        RestApiServer server(&m_store, RestApiOptions{});
        QString error;
        QCOMPARE(server.listen(QHostAddress::LocalHost, 0, &error), quint16(0));
        QVERIFY(error.contains(QLatin1String("token")));
    }

    void unauthorized()
    {
        const QString path = api(QStringLiteral("/tests"));
        Response r = call("GET", path, {}, std::nullopt);
        QCOMPARE(r.status, 401);
        QVERIFY(r.header("WWW-Authenticate").startsWith("Bearer"));
        QVERIFY(r.error().contains(QLatin1String("Authorization")));

        r = call("GET", path, {}, QStringLiteral("0123456789abcdef0123456789abcdef"));
        QCOMPARE(r.status, 401);
        QVERIFY(r.header("WWW-Authenticate").contains("invalid_token"));

        // Not even the existence of a route or a test leaks without the token.
        QCOMPARE(call("GET", api(QStringLiteral("/nothing")), {}, std::nullopt).status, 401);
        QCOMPARE(
            call("POST", api(QStringLiteral("/load-test")), "{}", QStringLiteral("wrong")).status,
            401);
        QCOMPARE(call("GET", path).status, 200);
    }

    void createShortFormAndGet()
    {
        Response r =
            post(api(QStringLiteral("/tests")),
                 QJsonObject{{QStringLiteral("name"), QStringLiteral("short form")},
                             {QStringLiteral("testType"), QStringLiteral("API_LATENCY")},
                             {QStringLiteral("duration"), 2},
                             {QStringLiteral("concurrency"), 3},
                             {QStringLiteral("targetEndpoint"), QStringLiteral("/api/health")}});
        QCOMPARE(r.status, 201);
        const qint64 id = r.json.value(QStringLiteral("id")).toInteger();
        QVERIFY(id > 0);
        QCOMPARE(r.header("Location"),
                 QByteArray("/api/performance/tests/") + QByteArray::number(id));
        QCOMPARE(r.json.value(QStringLiteral("testType")).toString(),
                 QStringLiteral("API_LATENCY"));
        const auto plan = planFromJson(r.json.value(QStringLiteral("plan")).toObject());
        QVERIFY(plan);
        QCOMPARE(plan->name, QStringLiteral("short form"));
        QCOMPARE(plan->load.vus, 3);
        QCOMPARE(plan->load.durationMs, qint64(2000));
        QCOMPARE(plan->steps.size(), 1);
        QCOMPARE(plan->steps[0].path, QStringLiteral("/api/health"));

        r = call("GET", api(QStringLiteral("/tests/%1").arg(id)));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QStringLiteral("name")).toString(), QStringLiteral("short form"));

        r = call("GET", api(QStringLiteral("/tests")));
        QCOMPARE(r.status, 200);
        bool listed = false;
        const QJsonArray tests = r.json.value(QStringLiteral("tests")).toArray();
        for (const QJsonValue &t : tests)
            listed = listed || t.toObject().value(QStringLiteral("id")).toInteger() == id;
        QVERIFY(listed);

        // The same name again replaces the plan of that test.
        r = post(api(QStringLiteral("/tests")),
                 QJsonObject{{QStringLiteral("name"), QStringLiteral("short form")},
                             {QStringLiteral("testType"), QStringLiteral("LOAD_TEST")},
                             {QStringLiteral("duration"), QStringLiteral("10s")}});
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QStringLiteral("id")).toInteger(), id);
        QCOMPARE(r.json.value(QStringLiteral("testType")).toString(), QStringLiteral("LOAD_TEST"));
    }

    void createFullPlan()
    {
        TestPlan plan = presetPlan(TestType::SignalGeneration);
        plan.name = QStringLiteral("full plan");
        Response r = post(api(QStringLiteral("/tests")), toJson(plan));
        QCOMPARE(r.status, 201);
        const auto stored = planFromJson(r.json.value(QStringLiteral("plan")).toObject());
        QVERIFY(stored);
        QCOMPARE(*stored, plan);

        QJsonObject bad = toJson(plan);
        QJsonArray steps = bad.value(QStringLiteral("steps")).toArray();
        QJsonObject step = steps[0].toObject();
        step.insert(QStringLiteral("method"), QStringLiteral("FETCH"));
        steps[0] = step;
        bad.insert(QStringLiteral("steps"), steps);
        r = post(api(QStringLiteral("/tests")), bad);
        QCOMPARE(r.status, 400);
        QCOMPARE(r.field(), QStringLiteral("steps[0].method"));
        QVERIFY(!r.json.value(QStringLiteral("problems")).toArray().isEmpty());

        bad = toJson(plan);
        bad.insert(QStringLiteral("vsu"), 3);
        r = post(api(QStringLiteral("/tests")), bad);
        QCOMPARE(r.status, 400);
        QCOMPARE(r.field(), QStringLiteral("vsu"));
    }

    void badInput_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("message");
        QTest::newRow("syntax") << QByteArray("{\n  \"name\": ") << QString()
                                << QStringLiteral("line 2, column");
        QTest::newRow("not an object")
            << QByteArray("[1, 2]") << QString() << QStringLiteral("JSON object");
        QTest::newRow("empty") << QByteArray(" ") << QString() << QStringLiteral("empty");
        QTest::newRow("no name") << QByteArray(R"({"testType": "API_LATENCY"})")
                                 << QStringLiteral("name") << QStringLiteral("required");
        QTest::newRow("unknown field") << QByteArray(R"({"name": "x", "vus": 3})")
                                       << QStringLiteral("vus") << QStringLiteral("unknown field");
        QTest::newRow("bad type") << QByteArray(R"({"name": "x", "testType": "NOPE"})")
                                  << QStringLiteral("testType")
                                  << QStringLiteral("not a test type");
        QTest::newRow("bad duration") << QByteArray(R"({"name": "x", "duration": "soon"})")
                                      << QStringLiteral("duration") << QStringLiteral("duration");
        QTest::newRow("zero concurrency")
            << QByteArray(R"({"name": "x", "concurrency": 0})") << QStringLiteral("concurrency")
            << QStringLiteral(">= 1");
        QTest::newRow("fractional concurrency")
            << QByteArray(R"({"name": "x", "concurrency": 2.5})") << QStringLiteral("concurrency")
            << QStringLiteral("whole number");
        QTest::newRow("bad endpoint")
            << QByteArray("{\"name\": \"x\", \"targetEndpoint\": \"ftp://h/x\"}")
            << QStringLiteral("targetEndpoint") << QStringLiteral("http");
        QTest::newRow("endpoint type")
            << QByteArray(R"({"name": "x", "targetEndpoint": [1]})")
            << QStringLiteral("targetEndpoint[0]") << QStringLiteral("string");
        // The last of two equal keys would win silently: refused, naming the key.
        QTest::newRow("duplicate key")
            << QByteArray(R"({"name": "x", "concurrency": 2, "concurrency": 200})")
            << QStringLiteral("concurrency") << QStringLiteral("more than once");
        // Nested past the limit: refused before Qt's parser recurses into it.
        QTest::newRow("nested too deep") << (QByteArray(R"({"name": "x", "description": )") +
                                             QByteArray(65, '[') + QByteArray(65, ']') + '}')
                                         << QString() << QStringLiteral("more than 64 deep");
        // ... and listed beside the body's other problems, in one answer.
        QTest::newRow("duplicate key and bad type")
            << QByteArray(R"({"name": "x", "name": "y", "testType": "NOPE"})")
            << QStringLiteral("name") << QStringLiteral("not a test type");
    }

    void badInput()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, field);
        QFETCH(QString, message);
        const Response r = call("POST", api(QStringLiteral("/tests")), body);
        QCOMPARE(r.status, 400);
        QCOMPARE(r.field(), field);
        QVERIFY2(r.error().contains(message), qPrintable(r.error()));
        if (QByteArray(QTest::currentDataTag()) == "syntax") {
            QCOMPARE(r.json.value(QStringLiteral("line")).toInt(), 2);
            QVERIFY(r.json.contains(QStringLiteral("offset")));
        }
    }

    void notFoundAndMethods()
    {
        QCOMPARE(call("GET", api(QStringLiteral("/tests/999999"))).status, 404);
        QCOMPARE(call("GET", api(QStringLiteral("/tests/abc"))).status, 400);
        QCOMPARE(call("POST", api(QStringLiteral("/tests/999999/start"))).status, 404);
        QCOMPARE(call("GET", api(QStringLiteral("/tests/999999/results"))).status, 404);
        QCOMPARE(call("GET", api(QStringLiteral("/results/999999"))).status, 404);
        QCOMPARE(call("GET", api(QStringLiteral("/results/999999/samples"))).status, 404);
        QCOMPARE(call("GET", api(QStringLiteral("/tests/1/other"))).status, 404);
        const Response unknown = call("GET", QStringLiteral("/elsewhere"));
        QCOMPARE(unknown.status, 404);
        QVERIFY(unknown.error().contains(QLatin1String("/elsewhere")));
        const Response r = call("DELETE", api(QStringLiteral("/tests")));
        QCOMPARE(r.status, 405);
        QCOMPARE(r.header("Allow"), QByteArray("GET, POST"));
        QCOMPARE(call("GET", api(QStringLiteral("/load-test"))).status, 405);
        QCOMPARE(call("GET", api(QStringLiteral("/tests/1/start"))).status, 405);
        QCOMPARE(call("POST", api(QStringLiteral("/results/1"))).status, 405);
    }

    void nonCanonicalIds_data()
    {
        QTest::addColumn<QByteArray>("target");
        QTest::addColumn<QString>("id");
        const QByteArray tests = "/api/performance/tests/";
        const QByteArray results = "/api/performance/results/";
        QTest::newRow("plus") << tests + "%2B1" << QStringLiteral("+1");
        QTest::newRow("raw plus") << tests + "+1" << QStringLiteral("+1");
        QTest::newRow("leading zero") << tests + "01" << QStringLiteral("01");
        QTest::newRow("nul") << tests + "1%00" << QStringLiteral("1%00");
        QTest::newRow("blank") << tests + "%201" << QStringLiteral(" 1");
        QTest::newRow("decimal") << tests + "1.0" << QStringLiteral("1.0");
        QTest::newRow("negative") << tests + "-1" << QStringLiteral("-1");
        QTest::newRow("zero") << tests + "0" << QStringLiteral("0");
        QTest::newRow("exponent") << tests + "1e0" << QStringLiteral("1e0");
        QTest::newRow("hex") << tests + "0x1" << QStringLiteral("0x1");
        QTest::newRow("huge") << tests + "99999999999999999999"
                              << QStringLiteral("99999999999999999999");
        QTest::newRow("start") << tests + "01/start" << QStringLiteral("01");
        QTest::newRow("results of test") << tests + "+1/results" << QStringLiteral("+1");
        QTest::newRow("result") << results + "01" << QStringLiteral("01");
        QTest::newRow("samples") << results + "1%00/samples" << QStringLiteral("1%00");
    }

    void nonCanonicalIds()
    {
        // Test 1 exists, so an id read leniently as 1 would answer 200.
        QVERIFY(createShortTest(QStringLiteral("canonical-id")) > 0);
        QFETCH(QByteArray, target);
        QFETCH(QString, id);
        // A raw socket: QUrl would normalise some of these before they are sent.
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        QVERIFY(socket.waitForConnected(5000));
        const QByteArray method = target.endsWith("/start") ? "POST" : "GET";
        socket.write(method + ' ' + target +
                     " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + m_token.toLatin1() +
                     "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        QByteArray answer;
        QTRY_VERIFY_WITH_TIMEOUT((answer += socket.readAll()).endsWith("}\n"), 10000);
        QVERIFY2(answer.startsWith("HTTP/1.1 400"), answer.constData());
        const QByteArray body = answer.mid(answer.indexOf("\r\n\r\n") + 4);
        const QString error =
            QJsonDocument::fromJson(body).object().value(QStringLiteral("error")).toString();
        // Named as received (the path decoded the way QHttpServer decodes it).
        QVERIFY2(error.contains(QStringLiteral("\" is not a")), qPrintable(error));
        QVERIFY2(error.startsWith(u'"' + id) ||
                     error.startsWith(u'"' + QUrl::fromPercentEncoding(target.split('/').value(4))),
                 qPrintable(error));
    }

    void manyIdleConnectionsDoNotStopAnswers()
    {
        // 500 clients connect and say nothing: an authorised request is still answered.
        rlimit files{};
        if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
            files.rlim_cur = files.rlim_max; // both ends of 500 connections live in this process
            setrlimit(RLIMIT_NOFILE, &files);
        }
        if (getrlimit(RLIMIT_NOFILE, &files) != 0 || files.rlim_cur < 1200)
            QSKIP("this process may not open 1200 files");
        std::vector<std::unique_ptr<QTcpSocket>> idle;
        for (int i = 0; i < 500; ++i) {
            idle.push_back(std::make_unique<QTcpSocket>());
            idle.back()->connectToHost(QHostAddress::LocalHost, m_port);
        }
        QTRY_VERIFY_WITH_TIMEOUT(std::all_of(idle.cbegin(), idle.cend(),
                                             [](const auto &s) {
                                                 return s->state() ==
                                                        QAbstractSocket::ConnectedState;
                                             }),
                                 20000);
        const Response r = call("GET", api(QStringLiteral("/tests")));
        QCOMPARE(r.status, 200);
        // None of the idle ones was closed for it.
        QVERIFY(std::all_of(idle.cbegin(), idle.cend(), [](const auto &s) {
            return s->state() == QAbstractSocket::ConnectedState;
        }));
    }

    void connectionCapAndIdleTimeout()
    {
        RestApiOptions options;
        options.token = m_token;
        options.maxConnections = 4;
        options.idleTimeoutMs = 300;
        RestApiServer server(&m_store, options);
        QString error;
        const quint16 port = server.listen(QHostAddress::LocalHost, 0, &error);
        QVERIFY2(port != 0, qPrintable(error));
        std::vector<std::unique_ptr<QTcpSocket>> held;
        for (int i = 0; i < 4; ++i) {
            held.push_back(std::make_unique<QTcpSocket>());
            held.back()->connectToHost(QHostAddress::LocalHost, port);
            QVERIFY(held.back()->waitForConnected(5000));
        }
        // The server accepts when its event loop runs; wait until the four are its own.
        QTest::qWait(0);
        QTcpSocket fifth;
        fifth.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(fifth.waitForConnected(5000));
        QByteArray answer;
        QTRY_VERIFY_WITH_TIMEOUT((answer += fifth.readAll()).contains("\r\n\r\n"), 10000);
        QVERIFY2(answer.startsWith("HTTP/1.1 503"), answer.constData());
        QVERIFY2(answer.contains("more than 4 connections"), answer.constData());
        // Silent for 300 ms: the server closes them, and a new client is served again.
        QTRY_VERIFY_WITH_TIMEOUT(std::all_of(held.cbegin(), held.cend(),
                                             [](const auto &s) {
                                                 return s->state() ==
                                                        QAbstractSocket::UnconnectedState;
                                             }),
                                 10000);
        QTcpSocket later;
        later.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(later.waitForConnected(5000));
        later.write("GET /api/performance/tests HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    "Authorization: Bearer " +
                    m_token.toLatin1() + "\r\n\r\n");
        QByteArray reply;
        QTRY_VERIFY_WITH_TIMEOUT((reply += later.readAll()).contains("\r\n\r\n"), 10000);
        QVERIFY2(reply.startsWith("HTTP/1.1 200"), reply.constData());
    }

    void oversizedBody()
    {
        const QByteArray body =
            compact(QJsonObject{{QStringLiteral("name"), QStringLiteral("big")},
                                {QStringLiteral("description"), QString(kMaxBody, u'x')}});
        const Response r = call("POST", api(QStringLiteral("/tests")), body);
        QCOMPARE(r.status, 413);
        QVERIFY(r.error().contains(QString::number(kMaxBody)));
    }

    void hugeBodyIsCutOffEarly()
    {
        // A body far over the limit is refused while it is still arriving, not buffered whole.
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        QVERIFY(socket.waitForConnected(5000));
        socket.write("POST /api/performance/tests HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Authorization: Bearer " +
                     m_token.toLatin1() +
                     "\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n\r\n");
        socket.write(QByteArray(4 * kMaxBody, 'x'));
        QByteArray answer;
        QTRY_VERIFY_WITH_TIMEOUT((answer += socket.readAll()).contains("\r\n\r\n"), 10000);
        QVERIFY2(answer.startsWith("HTTP/1.1 413"), answer.constData());
        QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, 10000);
        // The server goes on answering other connections.
        QCOMPARE(call("GET", api(QStringLiteral("/tests"))).status, 200);
    }

    void fullFlow()
    {
        const qint64 testId = createShortTest(QStringLiteral("flow"));
        QVERIFY(testId > 0);
        // The start body is optional; a bad one is refused before anything runs.
        Response r = call("POST", api(QStringLiteral("/tests/%1/start").arg(testId)),
                          R"({"versionLabel": 7})");
        QCOMPARE(r.status, 400);
        QCOMPARE(r.field(), QStringLiteral("versionLabel"));

        r = call("POST", api(QStringLiteral("/tests/%1/start").arg(testId)),
                 R"({"versionLabel": "v1.2.3"})");
        QCOMPARE(r.status, 202);
        const qint64 resultId = r.json.value(QStringLiteral("resultId")).toInteger();
        QVERIFY(resultId > 0);
        QCOMPARE(r.json.value(QStringLiteral("testId")).toInteger(), testId);
        QCOMPARE(r.header("Location"),
                 QByteArray("/api/performance/results/") + QByteArray::number(resultId));

        // One run at a time.
        r = call("POST", api(QStringLiteral("/tests/%1/start").arg(testId)));
        QCOMPARE(r.status, 409);
        QCOMPARE(r.json.value(QStringLiteral("runningResultId")).toInteger(), resultId);
        r = post(
            api(QStringLiteral("/load-test")),
            QJsonObject{
                {QStringLiteral("name"), QStringLiteral("second")},
                {QStringLiteral("stages"), QJsonArray{QJsonObject{{QStringLiteral("duration"), 1},
                                                                  {QStringLiteral("target"), 1}}}},
                {QStringLiteral("targetEndpoints"), QJsonArray{QStringLiteral("/api/health")}}});
        QCOMPARE(r.status, 409);

        bool sawProgress = false;
        QString status;
        const QString resultPath = api(QStringLiteral("/results/%1").arg(resultId));
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const Response poll = call("GET", resultPath);
                status = poll.json.value(QStringLiteral("result"))
                             .toObject()
                             .value(QStringLiteral("status"))
                             .toString();
                const QJsonObject progress = poll.json.value(QStringLiteral("progress")).toObject();
                if (status == QLatin1String("running") &&
                    progress.value(QStringLiteral("requests")).toInteger() > 0 &&
                    progress.value(QStringLiteral("plannedSec")).toDouble() == 2.0)
                    sawProgress = true;
                return status != QLatin1String("running") && !status.isEmpty();
            }(),
            60000);
        QCOMPARE(status, QStringLiteral("completed"));
        QVERIFY(sawProgress);
        QVERIFY(waitIdle());

        r = call("GET", resultPath);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QStringLiteral("schema")).toString(),
                 QStringLiteral("loadscope.result/1"));
        const QJsonObject result = r.json.value(QStringLiteral("result")).toObject();
        QCOMPARE(result.value(QStringLiteral("id")).toInteger(), resultId);
        QCOMPARE(result.value(QStringLiteral("testId")).toInteger(), testId);
        QCOMPARE(result.value(QStringLiteral("versionLabel")).toString(), QStringLiteral("v1.2.3"));
        QVERIFY(result.value(QStringLiteral("totals"))
                    .toObject()
                    .value(QStringLiteral("requests"))
                    .toInteger() > 0);
        QVERIFY(!r.json.contains(QStringLiteral("progress")));
        QVERIFY(result.value(QStringLiteral("stored")).toBool());
        // The one result document of a stored run: the CLI's `history show --format=json`
        // gives the same (the REST answer only adds that it is stored).
        {
            const test::CliRun show = test::runCli(
                {QStringLiteral("history"), QStringLiteral("show"), QString::number(resultId),
                 QStringLiteral("--format=json"),
                 QStringLiteral("--db=") + m_dir.filePath(QStringLiteral("history.db"))});
            QVERIFY2(show.exitCode == 0, qPrintable(show.err));
            QJsonObject rest = r.json;
            QJsonObject restResult = result;
            restResult.remove(QStringLiteral("stored"));
            rest.insert(QStringLiteral("result"), restResult);
            const QJsonObject cli = QJsonDocument::fromJson(show.out.toUtf8()).object();
            QVERIFY2(cli == rest, qPrintable(show.out + QStringLiteral("\n---\n") +
                                             QString::fromUtf8(QJsonDocument(rest).toJson())));
        }

        r = call("GET", api(QStringLiteral("/tests/%1/results").arg(testId)));
        QCOMPARE(r.status, 200);
        const QJsonArray results = r.json.value(QStringLiteral("results")).toArray();
        QCOMPARE(results.size(), 1);
        QCOMPARE(results[0].toObject().value(QStringLiteral("id")).toInteger(), resultId);
        QCOMPARE(results[0].toObject().value(QStringLiteral("status")).toString(),
                 QStringLiteral("completed"));

        // Samples, all and incrementally.
        const QString samplesPath = resultPath + QStringLiteral("/samples");
        r = call("GET", samplesPath);
        QCOMPARE(r.status, 200);
        QVERIFY(r.json.value(QStringLiteral("done")).toBool());
        const QJsonArray all = r.json.value(QStringLiteral("samples")).toArray();
        QVERIFY(all.size() >= 2);
        QCOMPARE(r.json.value(QStringLiteral("next")).toInteger(), all.size());
        QCOMPARE(all[0].toObject().value(QStringLiteral("n")).toInt(), 1);
        QVERIFY(all[0].toObject().contains(QStringLiteral("requests")));
        r = call("GET", samplesPath + QStringLiteral("?after=1"));
        QCOMPARE(r.status, 200);
        const QJsonArray rest = r.json.value(QStringLiteral("samples")).toArray();
        QCOMPARE(rest.size(), all.size() - 1);
        QCOMPARE(rest[0].toObject().value(QStringLiteral("n")).toInt(), 2);
        r = call("GET", samplesPath + QStringLiteral("?after=%1").arg(all.size()));
        QCOMPARE(r.json.value(QStringLiteral("samples")).toArray().size(), 0);
        r = call("GET", samplesPath + QStringLiteral("?after=-1"));
        QCOMPARE(r.status, 400);
        QCOMPARE(r.field(), QStringLiteral("after"));
    }

    void loadTestRunsAndStreams()
    {
        QSignalSpy finished(m_server.get(), &RestApiServer::runFinished);
        Response r = post(
            api(QStringLiteral("/load-test")),
            QJsonObject{
                {QStringLiteral("name"), QStringLiteral("ramp")},
                {QStringLiteral("stages"),
                 QJsonArray{
                     QJsonObject{{QStringLiteral("duration"), QStringLiteral("1s")},
                                 {QStringLiteral("target"), 2}},
                     QJsonObject{{QStringLiteral("duration"), 1}, {QStringLiteral("target"), 1}}}},
                {QStringLiteral("targetEndpoints"), QJsonArray{QStringLiteral("/api/health")}}});
        QCOMPARE(r.status, 202);
        const qint64 testId = r.json.value(QStringLiteral("testId")).toInteger();
        const qint64 resultId = r.json.value(QStringLiteral("resultId")).toInteger();
        QVERIFY(testId > 0);
        QVERIFY(resultId > 0);

        // Follow the run as server-sent events until it ends.
        QNetworkRequest request(url(api(QStringLiteral("/results/%1/samples").arg(resultId))));
        request.setRawHeader("Authorization", "Bearer " + m_token.toLatin1());
        request.setRawHeader("Accept", "text/event-stream");
        QNetworkReply *stream = m_network.get(request);
        QTRY_VERIFY_WITH_TIMEOUT(stream->isFinished(), 60000);
        QCOMPARE(stream->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        QVERIFY(stream->header(QNetworkRequest::ContentTypeHeader)
                    .toString()
                    .startsWith(QLatin1String("text/event-stream")));
        const QByteArray events = stream->readAll();
        stream->deleteLater();
        QVERIFY2(events.count("event: sample\n") >= 2, events.constData());
        QVERIFY(events.contains("event: end\n"));
        QVERIFY(events.contains("\"status\":\"completed\""));
        QVERIFY(events.indexOf("event: end") > events.lastIndexOf("event: sample"));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
        QCOMPARE(finished.at(0).at(0).toLongLong(), resultId);

        r = call("GET", api(QStringLiteral("/tests/%1").arg(testId)));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QStringLiteral("name")).toString(), QStringLiteral("ramp"));
        QCOMPARE(r.json.value(QStringLiteral("testType")).toString(), QStringLiteral("LOAD_TEST"));
        const auto plan = planFromJson(r.json.value(QStringLiteral("plan")).toObject());
        QVERIFY(plan);
        QCOMPARE(plan->load.executor, Executor::RampingVus);
        QCOMPARE(plan->load.stages.size(), 2);
        QCOMPARE(plan->load.stages[0].durationMs, qint64(1000));
        QCOMPARE(plan->load.stages[0].target, 2.0);
        QCOMPARE(plan->steps[0].path, QStringLiteral("/api/health"));

        // A stream of a finished run replays it and ends at once.
        request.setUrl(url(api(QStringLiteral("/results/%1/samples?stream=1").arg(resultId))));
        request.setRawHeader("Accept", "*/*");
        stream = m_network.get(request);
        QTRY_VERIFY_WITH_TIMEOUT(stream->isFinished(), 10000);
        const QByteArray replay = stream->readAll();
        stream->deleteLater();
        QCOMPARE(replay.count("event: sample\n"), events.count("event: sample\n"));
        QVERIFY(replay.contains("event: end\n"));
    }

    void loadTestBadInput_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("field");
        QTest::newRow("no stages") << QByteArray(R"({"name": "x", "targetEndpoints": ["/a"]})")
                                   << QStringLiteral("stages");
        QTest::newRow("stages not array")
            << QByteArray(R"({"name": "x", "stages": 3, "targetEndpoints": ["/a"]})")
            << QStringLiteral("stages");
        QTest::newRow("negative target")
            << QByteArray(
                   R"({"name": "x", "stages": [{"duration": "1s", "target": 1}, {"duration": "1s", "target": -1}], "targetEndpoints": ["/a"]})")
            << QStringLiteral("stages[1].target");
        QTest::newRow("bad duration")
            << QByteArray(
                   R"({"name": "x", "stages": [{"duration": "1 fortnight", "target": 1}], "targetEndpoints": ["/a"]})")
            << QStringLiteral("stages[0].duration");
        QTest::newRow("stage key")
            << QByteArray(
                   R"({"name": "x", "stages": [{"duration": "1s", "vus": 1}], "targetEndpoints": ["/a"]})")
            << QStringLiteral("stages[0].vus");
        QTest::newRow("no endpoints")
            << QByteArray(R"({"name": "x", "stages": [{"duration": "1s", "target": 1}]})")
            << QStringLiteral("targetEndpoints");
        QTest::newRow("bad endpoint")
            << QByteArray(
                   R"({"name": "x", "stages": [{"duration": "1s", "target": 1}], "targetEndpoints": ["nope"]})")
            << QStringLiteral("targetEndpoints");
        QTest::newRow("bad threshold")
            << QByteArray(
                   R"({"name": "x", "stages": [{"duration": "1s", "target": 1}], "targetEndpoints": ["/a"], "thresholds": ["p(95)<<3"]})")
            << QStringLiteral("thresholds");
    }

    void loadTestBadInput()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, field);
        const Response r = call("POST", api(QStringLiteral("/load-test")), body);
        QCOMPARE(r.status, 400);
        QVERIFY2(r.field() == field, r.raw.constData());
        QVERIFY(!m_server->isRunning());
    }

    void serveRefusesPublicBindWithoutToken()
    {
        QTemporaryDir dir;
        const QString config = dir.filePath(QStringLiteral("config"));
        const auto run = test::runCli(
            {QStringLiteral("serve"), QStringLiteral("--port=0"), QStringLiteral("--bind=0.0.0.0")},
            30000,
            {QStringLiteral("LOADSCOPE_CONFIG_DIR=") + config,
             QStringLiteral("LOADSCOPE_DB=") + dir.filePath(QStringLiteral("h.db"))});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QLatin1String("not a loopback address")), qPrintable(run.err));
        QVERIFY(run.err.contains(QLatin1String("--token")));
        QVERIFY(run.out.isEmpty());
        // Refused before anything was created: no token, no database.
        QVERIFY(!QFileInfo::exists(config));
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("h.db"))));
    }

    void serveBinaryAnswersAndStopsOnSigterm()
    {
        QTemporaryDir dir;
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LOADSCOPE_CONFIG_DIR"), dir.filePath(QStringLiteral("config")));
        process.setProcessEnvironment(env);
        process.start(test::cliPath(),
                      {QStringLiteral("serve"), QStringLiteral("--port=0"),
                       QStringLiteral("--db=") + dir.filePath(QStringLiteral("h.db"))});
        QVERIFY(process.waitForStarted(10000));
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT((out += process.readAllStandardOutput()).contains("Press Ctrl+C"),
                                 20000);
        const QRegularExpression listening(
            QStringLiteral("listening on http://127\\.0\\.0\\.1:(\\d+)/api/performance"));
        const auto match = listening.match(QString::fromUtf8(out));
        QVERIFY2(match.hasMatch(), out.constData());
        QVERIFY(out.contains("generated now"));
        QFile tokenFile(dir.filePath(QStringLiteral("config/api-token")));
        QVERIFY(tokenFile.open(QIODevice::ReadOnly));
        const QByteArray token = tokenFile.readAll().trimmed();
        QVERIFY(out.contains(token));

        const quint16 savedPort = m_port;
        m_port = quint16(match.captured(1).toUInt());
        const Response ok =
            call("GET", api(QStringLiteral("/tests")), {}, QString::fromLatin1(token));
        const Response denied = call("GET", api(QStringLiteral("/tests")), {}, m_token);
        m_port = savedPort;
        QCOMPARE(ok.status, 200);
        QVERIFY(ok.json.value(QStringLiteral("tests")).isArray());
        QCOMPARE(denied.status, 401);

        process.terminate(); // SIGTERM
        QVERIFY(process.waitForFinished(20000));
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), 0);
    }
};

LOADSCOPE_TEST_MAIN(TestRestApi)
#include "tst_restapi.moc"
