#include <memory>
#include <optional>

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTcpServer>
#include <QTcpSocket>

#include "engine/loadengine.h"
#include "engine/qnamtransport.h"
#include "fakehttpserver.h"
#include "referenceserver.h"
#include "testmain.h"

using namespace loadscope;
using loadscope::test::FakeHttpServer;
using loadscope::test::FakeReply;
using loadscope::test::FakeRequest;
using loadscope::test::NginxServer;

namespace {

// A forward proxy that answers by itself: it records each request line (absolute-form, as
// clients send to proxies) and replies "200 proxied" on a keep-alive connection.
class FakeProxy final : public QTcpServer
{
public:
    QList<QByteArray> requestLines;

protected:
    void incomingConnection(qintptr descriptor) override
    {
        auto *socket = new QTcpSocket(this);
        socket->setSocketDescriptor(descriptor);
        auto buffer = std::make_shared<QByteArray>();
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QTcpSocket::readyRead, socket, [this, socket, buffer] {
            buffer->append(socket->readAll());
            qsizetype end;
            while ((end = buffer->indexOf("\r\n\r\n")) >= 0) {
                requestLines.append(buffer->left(buffer->indexOf("\r\n")));
                buffer->remove(0, end + 4);
                socket->write("HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nproxied");
            }
        });
    }
};

LeanHttpTransport::Target targetFor(quint16 port)
{
    return {QByteArrayLiteral("127.0.0.1"), port, false};
}

HttpRequestData get(const QByteArray &target = QByteArrayLiteral("/"))
{
    HttpRequestData request;
    request.target = target;
    return request;
}

std::optional<HttpResult> roundTrip(QnamTransport &transport, const HttpRequestData &request,
                                    bool capture = true)
{
    std::optional<HttpResult> out;
    HttpTransportConnection *connection = transport.createConnection();
    if (!connection->send(transport.prepare(request), capture,
                          [&out](HttpResult &result) { out = std::move(result); }))
        return std::nullopt;
    if (!QTest::qWaitFor([&out] { return out.has_value(); }, 15000))
        return std::nullopt;
    return out;
}

QnamTransport::Options fastOptions()
{
    QnamTransport::Options options;
    options.requestTimeoutMs = 5000;
    return options;
}

TestPlan shortPlan()
{
    TestPlan plan;
    plan.name = QStringLiteral("qnam engine test");
    Step step;
    step.name = QStringLiteral("get");
    step.path = QStringLiteral("/x");
    plan.steps = {step};
    plan.load.executor = Executor::ConstantVus;
    plan.load.vus = 3;
    plan.load.durationMs = 600;
    plan.load.gracefulStopMs = 2000;
    plan.timeouts.requestMs = 3000;
    plan.timeouts.connectMs = 2000;
    plan.threads = 1;
    plan.intervalMs = 250;
    return plan;
}

// Sends the transport's request for "/api/health" with a manager of our own, to read
// Http2WasUsedAttribute (the transport does not report the protocol).
bool http2WasUsed(const QnamTransport &transport)
{
    QNetworkAccessManager manager;
    manager.setProxy(QNetworkProxy::NoProxy);
    QNetworkReply *reply = manager.get(transport.networkRequest(get("/api/health")));
    if (!QTest::qWaitFor([reply] { return reply->isFinished(); }, 10000))
        return false;
    const bool used = reply->error() == QNetworkReply::NoError &&
                      reply->attribute(QNetworkRequest::Http2WasUsedAttribute).toBool();
    if (!used)
        qWarning() << "HTTP/2 not used:" << reply->errorString();
    delete reply;
    return used;
}

std::optional<RunSummary> runEngine(const TestPlan &plan, const QString &baseUrl, QString *error)
{
    LoadEngine engine;
    std::optional<RunSummary> out;
    QObject::connect(&engine, &LoadEngine::finished, &engine,
                     [&out](const RunSummary &summary) { out = summary; });
    if (!engine.start(plan, baseUrl, error))
        return std::nullopt;
    if (!QTest::qWaitFor([&out] { return out.has_value(); }, 20000))
        return std::nullopt;
    return out;
}

} // namespace

class TestQnamTransport : public QObject
{
    Q_OBJECT

private slots:
    void statusBodyHeadersAndServerTiming()
    {
        FakeHttpServer fake([](const FakeRequest &request) {
            return FakeReply::ok("echo:" + request.body,
                                 "Server-Timing: db;dur=2.5, app;dur=4\r\nX-Test: yes\r\n");
        });
        QVERIFY(fake.start());
        QnamTransport transport(targetFor(fake.port()), fastOptions());
        HttpRequestData post;
        post.method = "POST";
        post.target = "/api/echo?x=1";
        post.headers = {{"Content-Type", "text/plain"}, {"X-Client", "loadscope"}};
        post.body = "payload";
        const auto result = roundTrip(transport, post);
        QVERIFY(result.has_value());
        QVERIFY2(result->error == ErrorClass::None, qPrintable(result->errorText));
        QCOMPARE(result->status, 200);
        QCOMPARE(result->body, QByteArray("echo:payload"));
        QCOMPARE(result->serverTiming, QByteArray("db;dur=2.5, app;dur=4"));
        bool found = false;
        for (const auto &header : result->headers)
            found = found || (header.first == "X-Test" && header.second == "yes");
        QVERIFY(found);
        QVERIFY(result->bytesIn > result->body.size());
        QVERIFY(result->bytesOut >= post.body.size());
        QVERIFY(result->timing.durationUs > 0);
        QVERIFY(result->timing.connectingUs >= 0);
        QCOMPARE(fake.requestsSeen(), 1);
    }

    void requestAsTheServerSawIt()
    {
        std::shared_ptr<FakeRequest> seen = std::make_shared<FakeRequest>();
        FakeHttpServer fake([seen](const FakeRequest &request) {
            *seen = request;
            return FakeReply::ok("ok");
        });
        QVERIFY(fake.start());
        QnamTransport transport(targetFor(fake.port()), fastOptions());
        HttpRequestData request = get("/a/b?c=d%20e");
        request.headers = {{"X-Client", "loadscope"}};
        QVERIFY(roundTrip(transport, request).has_value());
        QCOMPARE(seen->method, QByteArray("GET"));
        QCOMPARE(seen->target, QByteArray("/a/b?c=d%20e"));
        QCOMPARE(seen->version, QByteArray("HTTP/1.1"));
        QCOMPARE(seen->header("x-client"), QByteArray("loadscope"));
        QCOMPARE(seen->header("host"), QByteArray("127.0.0.1:") + QByteArray::number(fake.port()));
    }

    void errorStatusesClassified()
    {
        FakeHttpServer fake([](const FakeRequest &request) {
            return FakeReply::withStatus(request.target == "/missing" ? 404 : 503, "no");
        });
        QVERIFY(fake.start());
        QnamTransport transport(targetFor(fake.port()), fastOptions());
        const auto serverError = roundTrip(transport, get("/down"));
        QVERIFY(serverError.has_value());
        QCOMPARE(serverError->status, 503);
        QCOMPARE(serverError->error, ErrorClass::Http5xx);
        QCOMPARE(serverError->errorText, QStringLiteral("HTTP 503"));
        QCOMPARE(serverError->body, QByteArray("no"));
        const auto notFound = roundTrip(transport, get("/missing"));
        QVERIFY(notFound.has_value());
        QCOMPARE(notFound->status, 404);
        QCOMPARE(notFound->error, ErrorClass::Http4xx);
    }

    void refusedIsConnectError()
    {
        const quint16 port = test::freeLoopbackPort();
        QVERIFY(port != 0);
        QnamTransport transport(targetFor(port), fastOptions());
        const auto result = roundTrip(transport, get());
        QVERIFY(result.has_value());
        QCOMPARE(result->error, ErrorClass::Connect);
        QCOMPARE(result->status, 0);
        QVERIFY2(result->errorText.contains(QString::number(port)), qPrintable(result->errorText));
    }

    void noAnswerTimesOut()
    {
        FakeHttpServer fake([](const FakeRequest &) { return FakeReply::never(); });
        QVERIFY(fake.start());
        QnamTransport::Options options = fastOptions();
        options.requestTimeoutMs = 300;
        QnamTransport transport(targetFor(fake.port()), options);
        const auto result = roundTrip(transport, get());
        QVERIFY(result.has_value());
        QCOMPARE(result->error, ErrorClass::Timeout);
        QCOMPARE(transport.inFlight(), 0);
    }

    void abortAllDropsWithoutCallback()
    {
        FakeHttpServer fake([](const FakeRequest &) { return FakeReply::never(); });
        QVERIFY(fake.start());
        QnamTransport transport(targetFor(fake.port()), fastOptions());
        int called = 0;
        HttpTransportConnection *connection = transport.createConnection();
        QVERIFY(connection->send(transport.prepare(get()), false,
                                 [&called](HttpResult &) { ++called; }));
        QVERIFY(connection->isBusy());
        QVERIFY(!connection->send(transport.prepare(get()), false, [](HttpResult &) {}));
        QTRY_COMPARE(fake.requestsSeen(), 1);
        QCOMPARE(transport.abortAll(), 1);
        QCOMPARE(transport.inFlight(), 0);
        QVERIFY(!connection->isBusy());
        QTest::qWait(100);
        QCOMPARE(called, 0);
    }

    void http2AttributesOnTheRequest()
    {
        QnamTransport::Options options = fastOptions();
        QnamTransport plain(targetFor(8080), options);
        QCOMPARE(plain.networkRequest(get()).attribute(QNetworkRequest::Http2AllowedAttribute),
                 QVariant(false));
        options.http2 = true;
        QnamTransport upgrade(targetFor(8080), options);
        const QNetworkRequest h2c = upgrade.networkRequest(get("/x"));
        QCOMPARE(h2c.attribute(QNetworkRequest::Http2AllowedAttribute), QVariant(true));
        QCOMPARE(h2c.attribute(QNetworkRequest::Http2CleartextAllowedAttribute), QVariant(true));
        QCOMPARE(h2c.url(), QUrl(QStringLiteral("http://127.0.0.1:8080/x")));
        options.h2cPriorKnowledge = true;
        QnamTransport direct(targetFor(8080), options);
        QCOMPARE(direct.networkRequest(get()).attribute(QNetworkRequest::Http2DirectAttribute),
                 QVariant(true));
        QnamTransport tls({QByteArrayLiteral("localhost"), 8443, true}, options);
        const QNetworkRequest h2 = tls.networkRequest(get());
        QCOMPARE(h2.url().scheme(), QStringLiteral("https"));
        QCOMPARE(h2.attribute(QNetworkRequest::Http2AllowedAttribute), QVariant(true));
        QVERIFY(!h2.attribute(QNetworkRequest::Http2DirectAttribute).toBool()); // ALPN decides
    }

    void http2FallsBackToHttp1()
    {
        std::shared_ptr<FakeRequest> seen = std::make_shared<FakeRequest>();
        FakeHttpServer fake([seen](const FakeRequest &request) {
            *seen = request;
            return FakeReply::ok("h1");
        });
        QVERIFY(fake.start());
        QnamTransport::Options options = fastOptions();
        options.http2 = true;
        QnamTransport transport(targetFor(fake.port()), options);
        const auto result = roundTrip(transport, get("/x"));
        QVERIFY(result.has_value());
        QVERIFY2(result->error == ErrorClass::None, qPrintable(result->errorText));
        QCOMPARE(result->body, QByteArray("h1"));
        QCOMPARE(seen->version, QByteArray("HTTP/1.1"));
        // HTTP/2 was offered (the h2c upgrade); the server answered in HTTP/1.1 and that's fine.
        QCOMPARE(seen->header("upgrade"), QByteArray("h2c"));
    }

    void http2WithAnH2cServer()
    {
        // nginx (its http2 module is in nginx-light) speaks h2c with prior knowledge; nghttpd
        // would do too, but it is not part of the set-up.
        NginxServer nginx;
        QString error;
        if (!nginx.startH2c(&error))
            QSKIP(qPrintable(QStringLiteral("no h2c-capable server (nginx with http2): ") + error));
        QnamTransport::Options options = fastOptions();
        options.http2 = true;
        options.h2cPriorKnowledge = true;
        QnamTransport transport(targetFor(nginx.port()), options);
        QVERIFY(http2WasUsed(transport));
        const auto result = roundTrip(transport, get("/api/health"));
        QVERIFY(result.has_value());
        QVERIFY2(result->error == ErrorClass::None, qPrintable(result->errorText));
        QCOMPARE(result->body, QByteArray("{\"status\":\"ok\"}"));
    }

    void http2OverTlsByAlpn()
    {
        NginxServer nginx;
        QString error;
        if (!nginx.startTls(&error, true))
            QSKIP(qPrintable(QStringLiteral("no nginx with TLS and http2: ") + error));
        QnamTransport::Options options = fastOptions();
        options.http2 = true;
        options.insecureSkipVerify = true;
        QnamTransport transport({QByteArrayLiteral("127.0.0.1"), nginx.port(), true}, options);
        QVERIFY(http2WasUsed(transport));
        const auto result = roundTrip(transport, get("/api/health"));
        QVERIFY(result.has_value());
        QVERIFY2(result->error == ErrorClass::None, qPrintable(result->errorText));
        QCOMPARE(result->status, 200);
        QVERIFY(result->timing.connectingUs > 0); // TCP + TLS, as QNAM reports them

        // Verification is on unless skipped: the self-signed certificate is refused.
        options.insecureSkipVerify = false;
        QnamTransport verifying({QByteArrayLiteral("127.0.0.1"), nginx.port(), true}, options);
        const auto refused = roundTrip(verifying, get("/api/health"));
        QVERIFY(refused.has_value());
        QCOMPARE(refused->error, ErrorClass::Tls);
    }

    void engineRunsHttp2OverTls()
    {
        NginxServer nginx;
        QString error;
        if (!nginx.startTls(&error, true))
            QSKIP(qPrintable(QStringLiteral("no nginx with TLS and http2: ") + error));
        TestPlan plan = shortPlan();
        plan.steps[0].path = QStringLiteral("/api/health");
        plan.http2 = true;
        plan.transport = QStringLiteral("qnam"); // the lean HTTP/2 client has tst_http2
        plan.insecureSkipTlsVerify = true;
        const auto summary = runEngine(plan, nginx.baseUrl(), &error);
        QVERIFY2(summary.has_value(), qPrintable(error));
        QVERIFY(summary->totals.requests > 0);
        QCOMPARE(summary->totals.errors, 0);
    }

    void requestGoesThroughTheProxy()
    {
        FakeProxy proxy;
        QVERIFY(proxy.listen(QHostAddress::LocalHost, 0));
        const quint16 target = test::freeLoopbackPort(); // nothing there: only the proxy can answer
        QnamTransport::Options options = fastOptions();
        options.proxy = QStringLiteral("http://127.0.0.1:") + QString::number(proxy.serverPort());
        QnamTransport transport(targetFor(target), options);
        QVERIFY(transport.proxyError().isEmpty());
        const auto result = roundTrip(transport, get("/x"));
        QVERIFY(result.has_value());
        QVERIFY2(result->error == ErrorClass::None, qPrintable(result->errorText));
        QCOMPARE(result->body, QByteArray("proxied"));
        QCOMPARE(proxy.requestLines.size(), 1);
        QCOMPARE(proxy.requestLines.first(),
                 QByteArray("GET http://127.0.0.1:") + QByteArray::number(target) + "/x HTTP/1.1");
    }

    void badProxyUrlIsAClearError()
    {
        QnamTransport::Options options = fastOptions();
        options.proxy = QStringLiteral("ftp://proxy.invalid");
        QnamTransport transport(targetFor(8080), options);
        QVERIFY(transport.proxyError().contains(QStringLiteral("ftp://proxy.invalid")));
        const auto result = roundTrip(transport, get());
        QVERIFY(result.has_value());
        QCOMPARE(result->error, ErrorClass::Connect);
        QCOMPARE(result->errorText, transport.proxyError());
    }

    void engineRunsHttp2Plans()
    {
        FakeHttpServer fake([](const FakeRequest &) { return FakeReply::ok("ok"); });
        QVERIFY(fake.start());
        TestPlan plan = shortPlan();
        plan.http2 = true;
        plan.transport = QStringLiteral("qnam");
        QString error;
        const auto summary = runEngine(
            plan, QStringLiteral("http://127.0.0.1:") + QString::number(fake.port()), &error);
        QVERIFY2(summary.has_value(), qPrintable(error));
        QVERIFY(summary->totals.requests > 0);
        QCOMPARE(summary->totals.errors, 0);
        QCOMPARE(summary->status, ResultStatus::Completed);
    }

    void engineRunsThroughAProxy()
    {
        FakeProxy proxy;
        QVERIFY(proxy.listen(QHostAddress::LocalHost, 0));
        TestPlan plan = shortPlan();
        plan.proxy = QStringLiteral("http://127.0.0.1:") + QString::number(proxy.serverPort());
        QString error;
        // A host name only the proxy would resolve: the engine must not insist on resolving it.
        const auto summary = runEngine(plan, QStringLiteral("http://target.invalid:8080"), &error);
        QVERIFY2(summary.has_value(), qPrintable(error));
        QVERIFY(summary->totals.requests > 0);
        QCOMPARE(summary->totals.errors, 0);
        QVERIFY(!proxy.requestLines.isEmpty());
        QCOMPARE(proxy.requestLines.first(),
                 QByteArray("GET http://target.invalid:8080/x HTTP/1.1"));
    }
};

LOADSCOPE_TEST_MAIN(TestQnamTransport)
#include "tst_qnamtransport.moc"
