#include <atomic>
#include <memory>
#include <optional>

#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpServer>
#include <QThread>

#include "engine/httpconnection.h"
#include "engine/leanhttptransport.h"
#include "engine/loadengine.h"
#include "engine/tlscertificate.h"
#include "fakehttpserver.h"
#include "referenceserver.h"
#include "testmain.h"

using namespace loadscope;
using loadscope::test::FakeHttpServer;
using loadscope::test::FakeReply;
using loadscope::test::FakeRequest;
using loadscope::test::NginxServer;

namespace {

// A small HTTPS/1.1 server on 127.0.0.1 on its own thread: QTcpServer + QSslSocket (Qt 6.4
// has no QSslServer). Every request gets "200 ok"; in plain mode it answers the first bytes
// it gets with a plaintext 400, as an HTTP server does when a TLS ClientHello arrives.
class TlsTestServer final : public QTcpServer
{
public:
    TlsTestServer(const TlsCertificate &cert, bool plain)
        : m_certificate(cert.certificatePem)
        , m_key(cert.privateKeyPem, QSsl::Ec)
        , m_plain(plain)
    {}

    std::atomic<int> accepted{0};
    std::atomic<int> encrypted{0};
    std::atomic<int> requests{0};

protected:
    void incomingConnection(qintptr descriptor) override
    {
        ++accepted;
        auto *socket = new QSslSocket(this);
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            return;
        }
        auto buffer = std::make_shared<QByteArray>();
        connect(socket, &QSslSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QSslSocket::encrypted, this, [this] { ++encrypted; });
        connect(socket, &QSslSocket::readyRead, socket, [this, socket, buffer] {
            buffer->append(socket->readAll());
            if (m_plain) {
                socket->write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                              "Connection: close\r\n\r\n");
                socket->disconnectFromHost();
                return;
            }
            qsizetype end;
            while ((end = buffer->indexOf("\r\n\r\n")) >= 0) {
                buffer->remove(0, end + 4);
                ++requests;
                socket->write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
                              "Server-Timing: tls;dur=1.5\r\n\r\nok");
            }
        });
        if (m_plain)
            return;
        socket->setLocalCertificate(m_certificate);
        socket->setPrivateKey(m_key);
        socket->setPeerVerifyMode(QSslSocket::VerifyNone);
        socket->startServerEncryption();
    }

private:
    QSslCertificate m_certificate;
    QSslKey m_key;
    bool m_plain;
};

// Runs a TlsTestServer on a thread of its own, so that the client's event loop and the
// server's never mix.
class ServerThread final
{
public:
    ServerThread(const TlsCertificate &cert, bool plain)
    {
        m_thread.start();
        m_server = new TlsTestServer(cert, plain);
        m_server->moveToThread(&m_thread);
        QMetaObject::invokeMethod(
            m_server, [this] { m_server->listen(QHostAddress::LocalHost, 0); },
            Qt::BlockingQueuedConnection);
    }
    ~ServerThread()
    {
        QMetaObject::invokeMethod(
            m_server, [this] { delete m_server; }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }
    Q_DISABLE_COPY_MOVE(ServerThread)
    quint16 port() const { return m_server->serverPort(); }
    TlsTestServer *server() const { return m_server; }

private:
    QThread m_thread;
    TlsTestServer *m_server = nullptr;
};

HttpRequestData get(const QByteArray &target = QByteArrayLiteral("/"))
{
    HttpRequestData request;
    request.target = target;
    return request;
}

std::optional<HttpResult> roundTrip(HttpConnection *connection, const HttpRequestData &request)
{
    std::optional<HttpResult> out;
    if (!connection->send(request, true, [&out](HttpResult &result) { out = std::move(result); }))
        return std::nullopt;
    if (!QTest::qWaitFor([&out] { return out.has_value(); }, 10000))
        return std::nullopt;
    return out;
}

// Runs @p plan against @p baseUrl to its end; the summary, or nothing after 20 s.
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

TestPlan shortPlan()
{
    TestPlan plan;
    plan.name = QStringLiteral("tls engine test");
    Step step;
    step.name = QStringLiteral("get");
    step.path = QStringLiteral("/x");
    plan.steps = {step};
    plan.load.executor = Executor::ConstantVus;
    plan.load.vus = 2;
    plan.load.durationMs = 500;
    plan.load.gracefulStopMs = 2000;
    plan.timeouts.requestMs = 3000;
    plan.timeouts.connectMs = 2000;
    plan.threads = 1;
    plan.intervalMs = 250;
    return plan;
}

LeanHttpTransport::Options fastOptions(bool insecure)
{
    LeanHttpTransport::Options options;
    options.insecureSkipVerify = insecure;
    options.requestTimeoutMs = 5000;
    options.connectTimeoutMs = 2000;
    return options;
}

} // namespace

class TestTlsTransport : public QObject
{
    Q_OBJECT

    TlsCertificate m_cert;

private slots:
    void initTestCase()
    {
        QString error;
        m_cert = makeSelfSignedCertificate({QByteArrayLiteral("127.0.0.1")}, 2, &error);
        QVERIFY2(!m_cert.isNull(), qPrintable(error));
        if (!QSslSocket::supportsSsl())
            QSKIP("Qt has no TLS backend here: the test server cannot serve HTTPS");
    }

    void certificateHasTheSan()
    {
        const QSslCertificate cert(m_cert.certificatePem);
        QVERIFY(!cert.isNull());
        const auto sans = cert.subjectAlternativeNames();
        QVERIFY(sans.values(QSsl::IpAddressEntry).contains(QStringLiteral("127.0.0.1")));
        QVERIFY(!QSslKey(m_cert.privateKeyPem, QSsl::Ec).isNull());
    }

    void insecureSkipVerifyKeepsOneHandshake()
    {
        ServerThread server(m_cert, false);
        QVERIFY(server.port() != 0);
        LeanHttpTransport transport({QByteArrayLiteral("127.0.0.1"), server.port(), true},
                                    fastOptions(true));
        HttpConnection *connection = transport.createConnection();
        for (int i = 0; i < 5; ++i) {
            const auto result = roundTrip(connection, get("/x"));
            QVERIFY(result.has_value());
            QVERIFY2(result->error == ErrorClass::None, qPrintable(result->errorText));
            QCOMPARE(result->status, 200);
            QCOMPARE(result->body, QByteArray("ok"));
            QCOMPARE(result->serverTiming, QByteArray("tls;dur=1.5"));
            if (i == 0) {
                QVERIFY(result->timing.tlsHandshakingUs > 0);
                QVERIFY(result->timing.connectingUs >= 0);
            } else {
                QCOMPARE(result->timing.tlsHandshakingUs, 0); // reused: no new handshake
            }
            QVERIFY(result->bytesIn > 0);
        }
        QCOMPARE(connection->socketsOpened(), 1);
        QCOMPARE(connection->tlsHandshakes(), 1);
        QCOMPARE(server.server()->accepted.load(), 1);
        QCOMPARE(server.server()->requests.load(), 5);
    }

    void selfSignedFailsVerification()
    {
        ServerThread server(m_cert, false);
        LeanHttpTransport transport({QByteArrayLiteral("127.0.0.1"), server.port(), true},
                                    fastOptions(false));
        const auto result = roundTrip(transport.createConnection(), get());
        QVERIFY(result.has_value());
        QCOMPARE(result->error, ErrorClass::Tls);
        QCOMPARE(result->status, 0);
        const QString hostPort = QStringLiteral("127.0.0.1:") + QString::number(server.port());
        QVERIFY2(
            result->errorText.contains(QStringLiteral("certificate verify failed for ") + hostPort),
            qPrintable(result->errorText));
        QVERIFY2(result->errorText.contains(QStringLiteral("self")) &&
                     result->errorText.contains(QStringLiteral("signed")),
                 qPrintable(result->errorText));
        QCOMPARE(server.server()->requests.load(), 0);
    }

    void plainClientToTlsPort()
    {
        ServerThread server(m_cert, false);
        LeanHttpTransport transport({QByteArrayLiteral("127.0.0.1"), server.port(), false},
                                    fastOptions(false));
        const auto result = roundTrip(transport.createConnection(), get());
        QVERIFY(result.has_value());
        QVERIFY2(result->error == ErrorClass::Reset || result->error == ErrorClass::Protocol,
                 qPrintable(result->errorText));
        QCOMPARE(server.server()->requests.load(), 0);
    }

    void tlsClientToPlainPort()
    {
        ServerThread server(m_cert, true);
        LeanHttpTransport transport({QByteArrayLiteral("127.0.0.1"), server.port(), true},
                                    fastOptions(true));
        const auto result = roundTrip(transport.createConnection(), get());
        QVERIFY(result.has_value());
        QCOMPARE(result->error, ErrorClass::Tls);
        QVERIFY2(result->errorText.contains(QStringLiteral("127.0.0.1:") +
                                            QString::number(server.port())),
                 qPrintable(result->errorText));
    }

    void tlsClientToSilentPlainServerTimesOut()
    {
        // A plain server that waits for a request line never answers a ClientHello.
        FakeHttpServer fake([](const FakeRequest &) { return FakeReply::ok("x"); });
        QVERIFY(fake.start());
        LeanHttpTransport::Options options = fastOptions(true);
        options.requestTimeoutMs = 300;
        LeanHttpTransport transport({QByteArrayLiteral("127.0.0.1"), fake.port(), true}, options);
        const auto result = roundTrip(transport.createConnection(), get());
        QVERIFY(result.has_value());
        QVERIFY2(result->error == ErrorClass::Timeout || result->error == ErrorClass::Tls,
                 qPrintable(result->errorText));
        QCOMPARE(fake.requestsSeen(), 0);
    }

    void engineRunsOverHttps()
    {
        ServerThread server(m_cert, false);
        const QString url = QStringLiteral("https://127.0.0.1:") + QString::number(server.port());
        TestPlan plan = shortPlan();
        plan.insecureSkipTlsVerify = true;
        QString error;
        const auto summary = runEngine(plan, url, &error);
        QVERIFY2(summary.has_value(), qPrintable(error));
        QVERIFY(summary->totals.requests > 0);
        QCOMPARE(summary->totals.errors, 0);
        QCOMPARE(server.server()->accepted.load(), plan.load.vus);
        // 0 µs is recorded as 1 µs: a larger maximum means handshakes were measured.
        QVERIFY(summary->timings.value(QStringLiteral("tls_handshaking")).max() > 1);
    }

    void engineVerifiesByDefault()
    {
        ServerThread server(m_cert, false);
        const QString url = QStringLiteral("https://127.0.0.1:") + QString::number(server.port());
        QString error;
        const auto summary = runEngine(shortPlan(), url, &error);
        QVERIFY2(summary.has_value(), qPrintable(error));
        QVERIFY(summary->totals.requests > 0);
        QCOMPARE(summary->totals.errorsByClass[size_t(ErrorClass::Tls)], summary->totals.requests);
        QCOMPARE(server.server()->requests.load(), 0);
    }

    void sessionResumedOnReconnect()
    {
        NginxServer nginx;
        QString error;
        if (!nginx.startTls(&error))
            QSKIP(qPrintable(QStringLiteral("no nginx with TLS: ") + error));
        LeanHttpTransport::Options options = fastOptions(true);
        options.keepAlive = false; // a new connection (and handshake) per request
        LeanHttpTransport transport({QByteArrayLiteral("127.0.0.1"), nginx.port(), true}, options);
        HttpConnection *connection = transport.createConnection();
        for (int i = 0; i < 3; ++i) {
            const auto result = roundTrip(connection, get("/api/health"));
            QVERIFY(result.has_value());
            QVERIFY2(result->error == ErrorClass::None, qPrintable(result->errorText));
            QCOMPARE(result->body, QByteArray("{\"status\":\"ok\"}"));
            QVERIFY(result->timing.tlsHandshakingUs > 0);
            QCOMPARE(connection->tlsSessionResumed(), i > 0);
        }
        QCOMPARE(connection->tlsHandshakes(), 3);
        QCOMPARE(connection->socketsOpened(), 3);
    }

    void nginxKeepAliveManyConnections()
    {
        NginxServer nginx;
        QString error;
        if (!nginx.startTls(&error))
            QSKIP(qPrintable(QStringLiteral("no nginx with TLS: ") + error));
        LeanHttpTransport transport({QByteArrayLiteral("127.0.0.1"), nginx.port(), true},
                                    fastOptions(true));
        const PreparedRequest request = transport.prepare(get("/api/health"));
        int ok = 0;
        int failed = 0;
        std::function<void(HttpConnection *, int)> next = [&](HttpConnection *c, int left) {
            if (left == 0)
                return;
            c->send(request, false, [&, c, left](HttpResult &result) {
                ++(result.error == ErrorClass::None ? ok : failed);
                next(c, left - 1);
            });
        };
        QList<HttpConnection *> connections;
        for (int i = 0; i < 8; ++i) {
            connections.append(transport.createConnection());
            next(connections.last(), 25);
        }
        QTRY_COMPARE_WITH_TIMEOUT(ok + failed, 200, 20000);
        QCOMPARE(failed, 0);
        for (HttpConnection *c : std::as_const(connections))
            QCOMPARE(c->tlsHandshakes(), 1);
    }
};

LOADSCOPE_TEST_MAIN(TestTlsTransport)
#include "tst_tlstransport.moc"
