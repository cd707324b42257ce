#include <arpa/inet.h>
#include <atomic>
#include <cstring>
#include <netinet/in.h>
#include <optional>
#include <sys/resource.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include <QDir>
#include <QElapsedTimer>
#include <QMutex>
#include <QTcpServer>
#include <QThread>

#include "engine/httpconnection.h"
#include "engine/leanhttptransport.h"
#include "fakehttpserver.h"
#include "testmain.h"

using namespace loadscope;
using loadscope::test::FakeHttpServer;
using loadscope::test::FakeReply;
using loadscope::test::FakeRequest;

namespace {

LeanHttpTransport::Target targetFor(const FakeHttpServer &server)
{
    return {QByteArrayLiteral("127.0.0.1"), server.port(), false};
}

HttpRequestData get(const QByteArray &target = QByteArrayLiteral("/"))
{
    HttpRequestData request;
    request.method = "GET";
    request.target = target;
    return request;
}

// Sends one request and spins the event loop until its result arrives (or 10 s pass).
std::optional<HttpResult> roundTrip(HttpConnection *connection, const HttpRequestData &request,
                                    bool capture = true)
{
    std::optional<HttpResult> out;
    const bool sent =
        connection->send(request, capture, [&out](HttpResult &result) { out = std::move(result); });
    if (!sent)
        return std::nullopt;
    if (!QTest::qWaitFor([&out] { return out.has_value(); }, 10000))
        return std::nullopt;
    return out;
}

//! A server that answers "200 OK" and then streams header lines until the client goes: the
//! case where a client without a header limit reads forever. Plain blocking sockets on a thread
//! of its own, so it writes as fast as the client reads.
class EndlessHeaderServer
{
public:
    EndlessHeaderServer()
    {
        m_listen = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        if (m_listen < 0 || ::bind(m_listen, reinterpret_cast<sockaddr *>(&addr), len) != 0 ||
            ::listen(m_listen, 1) != 0 ||
            ::getsockname(m_listen, reinterpret_cast<sockaddr *>(&addr), &len) != 0)
            return;
        m_port = ntohs(addr.sin_port);
        m_thread = std::thread([this] { serve(); });
    }
    ~EndlessHeaderServer()
    {
        ::shutdown(m_listen, SHUT_RDWR);
        if (m_thread.joinable())
            m_thread.join();
        ::close(m_listen);
    }
    quint16 port() const { return m_port; }
    qint64 written() const { return m_written; }

private:
    void serve()
    {
        const int fd = ::accept(m_listen, nullptr, nullptr);
        if (fd < 0)
            return;
        char request[4096];
        if (::recv(fd, request, sizeof request, 0) > 0) {
            const QByteArray status = "HTTP/1.1 200 OK\r\n";
            const QByteArray line = "X-Filler: " + QByteArray(1000, 'x') + "\r\n";
            if (::send(fd, status.constData(), size_t(status.size()), MSG_NOSIGNAL) > 0) {
                // Until the client closes (EPIPE/ECONNRESET), or 256 MiB as a bound for a test
                // that would otherwise never end.
                while (m_written < (qint64(256) << 20)) {
                    const ssize_t n =
                        ::send(fd, line.constData(), size_t(line.size()), MSG_NOSIGNAL);
                    if (n <= 0)
                        break;
                    m_written += n;
                }
            }
        }
        ::close(fd);
    }

    int m_listen = -1;
    quint16 m_port = 0;
    std::atomic<qint64> m_written{0};
    std::thread m_thread;
};

// Runs a transport on its own thread with N closed-loop connections, as the engine will.
class ThreadedLoad final : public QObject
{
public:
    ThreadedLoad(quint16 port, int connections, int requestsEach)
        : m_port(port)
        , m_connections(connections)
        , m_requestsEach(requestsEach)
    {}
    std::atomic<int> ok{0};
    std::atomic<int> failed{0};
    std::atomic<bool> onWorkerThread{true};

    void run()
    {
        m_transport = new LeanHttpTransport({QByteArrayLiteral("127.0.0.1"), m_port, false}, this);
        m_request = m_transport->prepare(get("/load"));
        for (int i = 0; i < m_connections; ++i)
            next(m_transport->createConnection(), 0);
    }

private:
    void next(HttpConnection *connection, int done)
    {
        if (done == m_requestsEach)
            return;
        connection->send(m_request, false, [this, connection, done](HttpResult &result) {
            if (QThread::currentThread() != thread())
                onWorkerThread = false;
            if (result.error == ErrorClass::None && result.status == 200)
                ++ok;
            else
                ++failed;
            next(connection, done + 1);
        });
    }

    quint16 m_port;
    int m_connections;
    int m_requestsEach;
    LeanHttpTransport *m_transport = nullptr;
    PreparedRequest m_request;
};

} // namespace

class TestLeanHttpTransport : public QObject
{
    Q_OBJECT

private slots:
    void keepAliveReusesOneConnection()
    {
        const FakeReply reply = FakeReply::ok("hello", "Content-Type: text/plain\r\n");
        FakeHttpServer server([reply](const FakeRequest &) { return reply; });
        QVERIFY(server.start());
        LeanHttpTransport transport(targetFor(server));
        HttpConnection *connection = transport.createConnection();
        const PreparedRequest prepared = transport.prepare(get("/a"));
        for (int i = 0; i < 20; ++i) {
            const auto result = roundTrip(connection, get("/a"));
            QVERIFY(result);
            QCOMPARE(result->error, ErrorClass::None);
            QCOMPARE(result->status, 200);
            QCOMPARE(result->body, QByteArray("hello"));
            QCOMPARE(result->bytesIn, qint64(reply.bytes.size()));
            QCOMPARE(result->bytesOut, qint64(prepared.bytes.size()));
            if (i > 0)
                QCOMPARE(result->timing.connectingUs, qint64(0));
        }
        QCOMPARE(server.connectionsAccepted(), 1);
        QCOMPARE(server.requestsSeen(), 20);
        QCOMPARE(connection->socketsOpened(), 1);
        QCOMPARE(transport.inFlight(), 0);
    }

    void requestBytesAsSent()
    {
        FakeRequest seen;
        FakeHttpServer server([&seen](const FakeRequest &request) {
            seen = request; // read by the test only after the reply arrived
            return FakeReply::ok(request.body);
        });
        QVERIFY(server.start());
        LeanHttpTransport transport(targetFor(server));
        HttpRequestData post;
        post.method = "POST";
        post.target = "/api/echo?x=1";
        post.headers.append({QByteArrayLiteral("X-Test"), QByteArrayLiteral("yes")});
        post.body = R"({"a":1})";
        const auto result = roundTrip(transport.createConnection(), post);
        QVERIFY(result);
        QCOMPARE(result->body, post.body);
        QCOMPARE(seen.method, QByteArray("POST"));
        QCOMPARE(seen.target, QByteArray("/api/echo?x=1"));
        QCOMPARE(seen.header("x-test"), QByteArray("yes"));
        QCOMPARE(seen.header("host"), "127.0.0.1:" + QByteArray::number(server.port()));
        QCOMPARE(seen.header("content-length"), QByteArray("7"));
    }

    void reconnectsAfterServerCloseWithoutError()
    {
        // Keep-alive headers, but the server closes after every response.
        FakeHttpServer server([](const FakeRequest &) {
            FakeReply reply = FakeReply::ok("x");
            reply.after = FakeReply::After::Close;
            return reply;
        });
        QVERIFY(server.start());
        LeanHttpTransport transport(targetFor(server));
        HttpConnection *connection = transport.createConnection();
        for (int i = 0; i < 5; ++i) {
            const auto result = roundTrip(connection, get());
            QVERIFY(result);
            QCOMPARE(result->error, ErrorClass::None);
            QCOMPARE(result->body, QByteArray("x"));
        }
        QCOMPARE(server.connectionsAccepted(), 5);
    }

    void retriesOnceWhenReusedConnectionWasClosed()
    {
        FakeHttpServer server;
        QVERIFY(server.start());
        LeanHttpTransport transport(targetFor(server));
        HttpConnection *connection = transport.createConnection();
        QVERIFY(roundTrip(connection, get()));
        QCOMPARE(connection->socketsOpened(), 1);
        // The server drops the idle connection; no event loop runs before the next send, so
        // the client cannot have noticed: it writes on the dead socket and must retry silently.
        server.closeAllConnections();
        // Wait without spinning this thread's event loop (QTRY would let the client see the FIN).
        for (int i = 0; i < 1000 && server.openConnections() > 0; ++i)
            QThread::msleep(1);
        QCOMPARE(server.openConnections(), 0);
        std::optional<HttpResult> out;
        QVERIFY(connection->send(get(), true, [&out](HttpResult &r) { out = std::move(r); }));
        QTRY_VERIFY(out.has_value());
        QCOMPARE(out->error, ErrorClass::None);
        QCOMPARE(out->status, 200);
        QCOMPARE(out->body, QByteArray("ok"));
        QCOMPARE(server.connectionsAccepted(), 2);
        QCOMPARE(connection->socketsOpened(), 2);
        QCOMPARE(connection->silentRetries(), 1);
    }

    void chunkedBodyReassembled()
    {
        const QByteArray big(5000, 'z');
        FakeHttpServer server([big](const FakeRequest &) {
            return FakeReply::chunked({"abc", "defgh", big});
        });
        QVERIFY(server.start());
        LeanHttpTransport transport(targetFor(server));
        HttpConnection *connection = transport.createConnection();
        for (int i = 0; i < 3; ++i) {
            const auto result = roundTrip(connection, get());
            QVERIFY(result);
            QCOMPARE(result->error, ErrorClass::None);
            QCOMPARE(result->body, "abcdefgh" + big);
        }
        QCOMPARE(server.connectionsAccepted(), 1);
    }

    void closeDelimitedBodyExact()
    {
        const QByteArray body = QByteArray(3000, 'c') + "END";
        FakeHttpServer server(
            [body](const FakeRequest &) { return FakeReply::closeDelimited(body); });
        QVERIFY(server.start());
        LeanHttpTransport transport(targetFor(server));
        HttpConnection *connection = transport.createConnection();
        for (int i = 0; i < 2; ++i) {
            const auto result = roundTrip(connection, get());
            QVERIFY(result);
            QCOMPARE(result->error, ErrorClass::None);
            QCOMPARE(result->body, body);
        }
        QCOMPARE(server.connectionsAccepted(), 2);
    }

    void connectionCloseHonoured()
    {
        FakeHttpServer server(
            [](const FakeRequest &) { return FakeReply::connectionClose("bye"); });
        QVERIFY(server.start());
        LeanHttpTransport transport(targetFor(server));
        HttpConnection *connection = transport.createConnection();
        for (int i = 0; i < 3; ++i) {
            const auto result = roundTrip(connection, get());
            QVERIFY(result);
            QCOMPARE(result->error, ErrorClass::None);
            QCOMPARE(result->body, QByteArray("bye"));
            QVERIFY(!connection->isOpen());
        }
        QCOMPARE(server.connectionsAccepted(), 3);
    }

    void bodylessResponsesDoNotHang()
    {
        // Each of these announces a length it does not send; the next response on the same
        // connection must still parse, so nothing was waited for or misread.
        FakeHttpServer server([](const FakeRequest &request) {
            FakeReply reply;
            if (request.method == "HEAD")
                reply.bytes = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n";
            else if (request.target == "/204")
                reply.bytes = "HTTP/1.1 204 No Content\r\n\r\n";
            else if (request.target == "/304")
                reply.bytes = "HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n";
            else if (request.target == "/continue")
                reply.bytes = "HTTP/1.1 100 Continue\r\n\r\n"
                              "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
            else
                reply = FakeReply::ok("after");
            return reply;
        });
        QVERIFY(server.start());
        LeanHttpTransport transport(targetFor(server));
        HttpConnection *connection = transport.createConnection();
        HttpRequestData head = get();
        head.method = "HEAD";
        const QList<QPair<HttpRequestData, int>> cases = {
            {head, 200}, {get("/204"), 204}, {get("/304"), 304}, {get("/continue"), 200}};
        for (const auto &[request, status] : cases) {
            auto result = roundTrip(connection, request);
            QVERIFY(result);
            QCOMPARE(result->error, ErrorClass::None);
            QCOMPARE(result->status, status);
            QCOMPARE(result->body, request.target == "/continue" ? QByteArray("ok") : QByteArray());
            result = roundTrip(connection, get("/next"));
            QVERIFY(result);
            QCOMPARE(result->body, QByteArray("after"));
        }
        QCOMPARE(server.connectionsAccepted(), 1);
    }

    void resetMidBodyIsReset()
    {
        FakeHttpServer server(
            [](const FakeRequest &) { return FakeReply::resetMidBody(QByteArray(1000, 'r')); });
        QVERIFY(server.start());
        LeanHttpTransport transport(targetFor(server));
        const auto result = roundTrip(transport.createConnection(), get());
        QVERIFY(result);
        QCOMPARE(result->error, ErrorClass::Reset);
        QVERIFY2(result->errorText.contains(QStringLiteral("127.0.0.1")),
                 qPrintable(result->errorText));
    }

    void garbageIsProtocolError()
    {
        FakeHttpServer server([](const FakeRequest &) { return FakeReply::garbage(); });
        QVERIFY(server.start());
        LeanHttpTransport transport(targetFor(server));
        const auto result = roundTrip(transport.createConnection(), get());
        QVERIFY(result);
        QCOMPARE(result->error, ErrorClass::Protocol);
        QCOMPARE(errorClassName(result->error), QLatin1String("protocol"));
        QVERIFY2(result->errorText.contains(QStringLiteral("invalid HTTP response")),
                 qPrintable(result->errorText));
    }

    void endlessHeadersAreAProtocolError()
    {
        EndlessHeaderServer server;
        QVERIFY(server.port() != 0);
        LeanHttpTransport::Options options;
        options.requestTimeoutMs = 60000; // far beyond the test: the limit must end it
        options.maxHeaderBytes = 64 * 1024;
        LeanHttpTransport transport({QByteArrayLiteral("127.0.0.1"), server.port(), false},
                                    options);
        const auto result = roundTrip(transport.createConnection(), get(), false);
        QVERIFY(result);
        QCOMPARE(result->error, ErrorClass::Protocol);
        QVERIFY2(result->errorText.contains(QStringLiteral("exceed 65536 bytes")),
                 qPrintable(result->errorText));
        // What was read is bounded by the limit and one read buffer, not by the server.
        QVERIFY2(result->bytesIn <= 64 * 1024 + 256 * 1024,
                 qPrintable(QString::number(result->bytesIn)));
        QCOMPARE(transport.inFlight(), 0);
    }

    void tooManyHeaderFieldsAreAProtocolError()
    {
        QByteArray headers;
        for (int i = 0; i < 1500; ++i)
            headers += "A: b\r\n"; // 9 KB: under the byte limit, over the field limit
        FakeHttpServer server(
            [headers](const FakeRequest &) { return FakeReply::ok("{}", headers); });
        QVERIFY(server.start());
        LeanHttpTransport transport(targetFor(server));
        const auto result = roundTrip(transport.createConnection(), get());
        QVERIFY(result);
        QCOMPARE(result->error, ErrorClass::Protocol);
        QVERIFY2(result->errorText.contains(QStringLiteral("more than 1000 header fields")),
                 qPrintable(result->errorText));

        // At the limit it is an ordinary response.
        QByteArray fewer;
        for (int i = 0; i < 999; ++i)
            fewer += "A: b\r\n";
        FakeHttpServer fine([fewer](const FakeRequest &) { return FakeReply::ok("{}", fewer); });
        QVERIFY(fine.start());
        LeanHttpTransport ok(targetFor(fine));
        const auto good = roundTrip(ok.createConnection(), get());
        QVERIFY(good);
        QCOMPARE(good->error, ErrorClass::None);
        QCOMPARE(good->status, 200);
    }

    void runningOutOfFileDescriptorsIsALocalError()
    {
        // The generator's own limit, not the target's failure: with the soft RLIMIT_NOFILE at 3
        // (stdin, stdout and stderr hold 0-2) no new descriptor can be had, and a new
        // connection fails as a `local` error naming EMFILE. The limit is put back at once.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
        // UBSan's vptr check probes memory with pipe(): with no descriptor left it cannot read
        // the object and reports every virtual call as one on an invalid object.
        QSKIP("the sanitizers need descriptors of their own; this runs in the dev build");
#endif
#endif
        FakeHttpServer server;
        QVERIFY(server.start());
        LeanHttpTransport::Options options;
        options.requestTimeoutMs = 2000;
        LeanHttpTransport transport(targetFor(server), options);
        const auto warm = roundTrip(transport.createConnection(), get());
        QVERIFY(warm && warm->error == ErrorClass::None);
        rlimit saved{};
        QCOMPARE(getrlimit(RLIMIT_NOFILE, &saved), 0);
        rlimit tight = saved;
        tight.rlim_cur = 3;
        QCOMPARE(setrlimit(RLIMIT_NOFILE, &tight), 0);
        const int probe = ::dup(0);
        const int probeErrno = errno;
        std::optional<HttpResult> result;
        if (probe < 0)
            result = roundTrip(transport.createConnection(), get());
        QCOMPARE(setrlimit(RLIMIT_NOFILE, &saved), 0);
        if (probe >= 0) {
            ::close(probe);
            QSKIP("descriptors 0-2 are not all open here: the limit cannot be provoked");
        }
        QCOMPARE(probeErrno, EMFILE);
        QVERIFY(result);
        QCOMPARE(result->error, ErrorClass::Local);
        QCOMPARE(errorClassName(result->error), QLatin1String("local"));
        QVERIFY2(result->errorText.contains(QStringLiteral("EMFILE")),
                 qPrintable(result->errorText));
        // Descriptors are back: the next request is an ordinary one.
        const auto after = roundTrip(transport.createConnection(), get());
        QVERIFY(after && after->error == ErrorClass::None);
    }

    void noAnswerTimesOut()
    {
        FakeHttpServer server([](const FakeRequest &) { return FakeReply::never(); });
        QVERIFY(server.start());
        LeanHttpTransport::Options options;
        options.requestTimeoutMs = 300;
        LeanHttpTransport transport(targetFor(server), options);
        HttpConnection *connection = transport.createConnection();
        QElapsedTimer elapsed;
        elapsed.start();
        const auto result = roundTrip(connection, get());
        QVERIFY(result);
        QCOMPARE(result->error, ErrorClass::Timeout);
        QVERIFY(elapsed.elapsed() >= 300);
        QVERIFY2(result->errorText.contains(QStringLiteral("300 ms")),
                 qPrintable(result->errorText));
        QVERIFY(!connection->isOpen());
        QCOMPARE(transport.inFlight(), 0);
    }

    void delayedAnswerMeasuredAsWaiting()
    {
        FakeHttpServer server([](const FakeRequest &) {
            FakeReply reply = FakeReply::ok("late");
            reply.delayMs = 60;
            return reply;
        });
        QVERIFY(server.start());
        LeanHttpTransport transport(targetFor(server));
        const auto result = roundTrip(transport.createConnection(), get());
        QVERIFY(result);
        QCOMPARE(result->error, ErrorClass::None);
        const RequestTiming &t = result->timing;
        QVERIFY(t.connectingUs >= 0 && t.sendingUs >= 0 && t.waitingUs >= 0 && t.receivingUs >= 0);
        QVERIFY2(t.waitingUs >= 55000, qPrintable(QString::number(t.waitingUs)));
        QCOMPARE(t.durationUs, t.sendingUs + t.waitingUs + t.receivingUs);
        QVERIFY(result->startNs > 0);
    }

    void refusedPortIsConnectError()
    {
        quint16 port = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            port = probe.serverPort();
        } // closed again: nothing listens there now
        LeanHttpTransport transport({QByteArrayLiteral("127.0.0.1"), port, false});
        const auto result = roundTrip(transport.createConnection(), get());
        QVERIFY(result);
        QCOMPARE(result->error, ErrorClass::Connect);
        QCOMPARE(result->status, 0);
        QCOMPARE(result->errorText, QStringLiteral("connection refused by 127.0.0.1:%1").arg(port));
    }

    void unresolvableHostIsDnsError()
    {
        LeanHttpTransport transport({QByteArrayLiteral("no-such-host.invalid"), 80, false});
        if (transport.isResolved())
            QSKIP("this machine's resolver answers for .invalid names");
        HttpConnection *connection = transport.createConnection();
        std::optional<HttpResult> out;
        QVERIFY(connection->send(get(), false, [&out](HttpResult &r) { out = std::move(r); }));
        QVERIFY(!out.has_value()); // never called back from inside send()
        QTRY_VERIFY(out.has_value());
        QCOMPARE(out->error, ErrorClass::Dns);
        QVERIFY2(out->errorText.contains(QStringLiteral("no-such-host.invalid")),
                 qPrintable(out->errorText));
    }

    void httpErrorStatusesClassified()
    {
        FakeHttpServer server([](const FakeRequest &request) {
            return FakeReply::withStatus(request.target == "/404" ? 404 : 503, "nope");
        });
        QVERIFY(server.start());
        LeanHttpTransport transport(targetFor(server));
        HttpConnection *connection = transport.createConnection();
        auto result = roundTrip(connection, get("/503"));
        QVERIFY(result);
        QCOMPARE(result->error, ErrorClass::Http5xx);
        QCOMPARE(result->status, 503);
        QVERIFY(result->timing.durationUs > 0);
        result = roundTrip(connection, get("/404"));
        QVERIFY(result);
        QCOMPARE(result->error, ErrorClass::Http4xx);
        QCOMPARE(result->status, 404);
        QCOMPARE(server.connectionsAccepted(), 1); // an error status keeps the connection
    }

    void serverTimingAndCapture()
    {
        FakeHttpServer server([](const FakeRequest &) {
            return FakeReply::ok(QByteArray(100, 'b'), "Server-Timing: inference;dur=3.1\r\n"
                                                       "X-Other: 1\r\n"
                                                       "server-timing: db;dur=0.5\r\n");
        });
        QVERIFY(server.start());
        LeanHttpTransport::Options options;
        options.maxCapturedBodyBytes = 10;
        LeanHttpTransport transport(targetFor(server), options);
        HttpConnection *connection = transport.createConnection();
        auto result = roundTrip(connection, get(), true);
        QVERIFY(result);
        QCOMPARE(result->serverTiming, QByteArray("inference;dur=3.1, db;dur=0.5"));
        QCOMPARE(result->body, QByteArray(10, 'b'));
        QVERIFY(result->bodyTruncated);
        QCOMPARE(result->headers.size(), 4);
        QCOMPARE(result->headers.at(2).first, QByteArray("X-Other"));
        QCOMPARE(result->headers.at(2).second, QByteArray("1"));
        result = roundTrip(connection, get(), false);
        QVERIFY(result);
        QCOMPARE(result->serverTiming, QByteArray("inference;dur=3.1, db;dur=0.5"));
        QVERIFY(result->headers.isEmpty());
        QVERIFY(result->body.isEmpty());
    }

    void abortAllDropsInFlight()
    {
        FakeHttpServer server([](const FakeRequest &) { return FakeReply::never(); });
        QVERIFY(server.start());
        LeanHttpTransport transport(targetFor(server));
        int calls = 0;
        for (int i = 0; i < 3; ++i)
            QVERIFY(transport.createConnection()->send(get(), false,
                                                       [&calls](HttpResult &) { ++calls; }));
        QCOMPARE(transport.inFlight(), 3);
        QTRY_COMPARE(server.requestsSeen(), 3);
        QCOMPARE(transport.abortAll(), 3);
        QCOMPARE(transport.inFlight(), 0);
        QTRY_COMPARE(server.openConnections(), 0); // the sockets really closed
        QCOMPARE(calls, 0);
    }

    void busyConnectionRefusesSecondSend()
    {
        FakeHttpServer server([](const FakeRequest &) { return FakeReply::never(); });
        QVERIFY(server.start());
        LeanHttpTransport transport(targetFor(server));
        HttpConnection *connection = transport.createConnection();
        QVERIFY(connection->send(get(), false, [](HttpResult &) {}));
        QVERIFY(connection->isBusy());
        QVERIFY(!connection->send(get(), false, [](HttpResult &) {}));
        transport.releaseConnection(connection);
        QCOMPARE(transport.inFlight(), 0);
        QCOMPARE(transport.createConnection(), connection); // released slots are reused
    }

    void redirectChainIsFollowedAndTimed()
    {
        // 301 (relative) -> 302 (absolute, same host) -> 307 (dot-dot) -> 308 -> 200, each hop
        // answered 30 ms late: the request's duration covers every hop.
        QMutex mutex;
        QList<FakeRequest> seen;
        quint16 port = 0;
        FakeHttpServer server([&](const FakeRequest &request) {
            {
                QMutexLocker lock(&mutex);
                seen.append(request);
            }
            FakeReply reply;
            if (request.target == "/r/3")
                reply = FakeReply::withStatus(301, "moved", "Location: /r/2\r\n");
            else if (request.target == "/r/2")
                reply = FakeReply::withStatus(
                    302, "", "Location: http://127.0.0.1:" + QByteArray::number(port) + "/r/1\r\n");
            else if (request.target == "/r/1")
                reply = FakeReply::withStatus(307, "", "Location: ../r/0?x=1&y=2\r\n");
            else if (request.target == "/r/0?x=1&y=2")
                reply = FakeReply::withStatus(308, "", "Location: /final\r\n");
            else
                reply = FakeReply::ok("done", "Server-Timing: app;dur=1\r\n");
            reply.delayMs = 30;
            return reply;
        });
        QVERIFY(server.start());
        port = server.port();
        LeanHttpTransport transport(targetFor(server));
        const auto result = roundTrip(transport.createConnection(), get("/r/3"));
        QVERIFY(result);
        QCOMPARE(result->error, ErrorClass::None);
        QCOMPARE(result->status, 200);
        QCOMPARE(result->body, QByteArray("done"));
        QCOMPARE(result->serverTiming, QByteArray("app;dur=1")); // the final response's
        QMutexLocker lock(&mutex);
        QCOMPARE(seen.size(), 5);
        const QList<QByteArray> expected{"/r/3", "/r/2", "/r/1", "/r/0?x=1&y=2", "/final"};
        for (int i = 0; i < seen.size(); ++i) {
            QCOMPARE(seen[i].target, expected[i]);
            QCOMPARE(seen[i].connectionIndex, 0); // same host: the keep-alive connection
        }
        const RequestTiming &t = result->timing;
        QVERIFY2(t.waitingUs >= 5 * 28000, qPrintable(QString::number(t.waitingUs)));
        QCOMPARE(t.durationUs, t.sendingUs + t.waitingUs + t.receivingUs);
        QVERIFY(result->bytesOut > 5 * qint64(strlen("GET /r/3 HTTP/1.1\r\n")));
    }

    void maxRedirectsZeroReturnsTheRedirect()
    {
        std::atomic<int> requests{0};
        FakeHttpServer server([&requests](const FakeRequest &) {
            ++requests;
            return FakeReply::withStatus(301, "moved", "Location: /elsewhere\r\n");
        });
        QVERIFY(server.start());
        LeanHttpTransport transport(targetFor(server));
        HttpRequestData request = get("/old");
        request.maxRedirects = 0;
        const auto result = roundTrip(transport.createConnection(), request);
        QVERIFY(result);
        QCOMPARE(result->status, 301);
        QCOMPARE(result->error, ErrorClass::None);
        QCOMPARE(result->body, QByteArray("moved"));
        QCOMPARE(requests.load(), 1);
    }

    void redirectMethodsAsBrowsersAndK6_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("expectedMethod");
        QTest::addColumn<bool>("keepsBody");
        QTest::newRow("301 POST -> GET") << 301 << QByteArray("POST") << QByteArray("GET") << false;
        QTest::newRow("302 POST -> GET") << 302 << QByteArray("POST") << QByteArray("GET") << false;
        QTest::newRow("303 PUT -> GET") << 303 << QByteArray("PUT") << QByteArray("GET") << false;
        QTest::newRow("301 PUT stays, no body")
            << 301 << QByteArray("PUT") << QByteArray("PUT") << false;
        QTest::newRow("307 POST stays") << 307 << QByteArray("POST") << QByteArray("POST") << true;
        QTest::newRow("308 PATCH stays")
            << 308 << QByteArray("PATCH") << QByteArray("PATCH") << true;
    }

    void redirectMethodsAsBrowsersAndK6()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, expectedMethod);
        QFETCH(bool, keepsBody);
        QMutex mutex;
        FakeRequest second;
        FakeHttpServer server([&](const FakeRequest &request) {
            if (request.target == "/from")
                return FakeReply::withStatus(status, "", "Location: /to\r\n");
            QMutexLocker lock(&mutex);
            second = request;
            return FakeReply::ok("ok");
        });
        QVERIFY(server.start());
        LeanHttpTransport transport(targetFor(server));
        HttpRequestData request = get("/from");
        request.method = method;
        request.body = "payload";
        request.headers.append(
            {QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/plain")});
        const auto result = roundTrip(transport.createConnection(), request);
        QVERIFY(result);
        QCOMPARE(result->status, 200);
        QMutexLocker lock(&mutex);
        QCOMPARE(second.method, expectedMethod);
        QCOMPARE(second.body, keepsBody ? QByteArray("payload") : QByteArray());
        QCOMPARE(second.header("content-type").isEmpty(), !keepsBody);
    }

    void redirectLoopIsAnError()
    {
        std::atomic<int> requests{0};
        FakeHttpServer server([&requests](const FakeRequest &) {
            ++requests;
            return FakeReply::withStatus(302, "", "Location: /loop\r\n");
        });
        QVERIFY(server.start());
        LeanHttpTransport transport(targetFor(server));
        HttpRequestData request = get("/loop");
        request.maxRedirects = 3;
        const auto result = roundTrip(transport.createConnection(), request);
        QVERIFY(result);
        QCOMPARE(result->error, ErrorClass::Protocol);
        QCOMPARE(result->status, 302);
        QVERIFY2(result->errorText.contains(QLatin1String("too many redirects")) &&
                     result->errorText.contains(QLatin1String("maxRedirects 3")),
                 qPrintable(result->errorText));
        QCOMPARE(requests.load(), 4); // the request and three redirects
    }

    void redirectToAnotherHostIsReported()
    {
        std::atomic<int> requests{0};
        FakeHttpServer server([&requests](const FakeRequest &) {
            ++requests;
            // Port 9 on loopback: never contacted, the transport refuses before.
            return FakeReply::withStatus(302, "", "Location: http://127.0.0.2:9/x\r\n");
        });
        QVERIFY(server.start());
        LeanHttpTransport transport(targetFor(server));
        const auto result = roundTrip(transport.createConnection(), get("/go"));
        QVERIFY(result);
        QCOMPARE(result->error, ErrorClass::Protocol);
        QVERIFY2(result->errorText.contains(QLatin1String("http://127.0.0.2:9/x")) &&
                     result->errorText.contains(QLatin1String("not followed")),
                 qPrintable(result->errorText));
        QCOMPARE(requests.load(), 1);
    }

    void unsafeRequestsNeverReachTheSocket_data()
    {
        QTest::addColumn<QByteArray>("target");
        QTest::addColumn<QByteArray>("headerName");
        QTest::addColumn<QByteArray>("headerValue");
        QTest::addColumn<QString>("named");
        QTest::newRow("CRLF in a header value")
            << QByteArray("/") << QByteArray("X-A") << QByteArray("1\r\nX-Injected: yes")
            << QStringLiteral("header X-A");
        QTest::newRow("LF in a header value")
            << QByteArray("/") << QByteArray("X-A") << QByteArray("1\nX-Injected: yes")
            << QStringLiteral("header X-A");
        QTest::newRow("NUL in a header value")
            << QByteArray("/") << QByteArray("X-A") << QByteArray("1\0X", 3)
            << QStringLiteral("header X-A");
        QTest::newRow("header name with a colon")
            << QByteArray("/") << QByteArray("X-A: 1\r\nX") << QByteArray("1")
            << QStringLiteral("header name");
        QTest::newRow("the issue's path")
            << QByteArray("/a b HTTP/1.0\r\nX-Evil: 1") << QByteArray("X-A") << QByteArray("1")
            << QStringLiteral("path");
        QTest::newRow("NUL in the path") << QByteArray("/a\0b", 4) << QByteArray("X-A")
                                         << QByteArray("1") << QStringLiteral("path");
    }

    void unsafeRequestsNeverReachTheSocket()
    {
        QFETCH(QByteArray, target);
        QFETCH(QByteArray, headerName);
        QFETCH(QByteArray, headerValue);
        QFETCH(QString, named);
        std::atomic<int> requests{0};
        FakeHttpServer server([&requests](const FakeRequest &) {
            ++requests;
            return FakeReply::ok("ok");
        });
        QVERIFY(server.start());
        LeanHttpTransport transport(targetFor(server));
        HttpConnection *connection = transport.createConnection();
        HttpRequestData request = get(target);
        request.headers.append({headerName, headerValue});
        const auto result = roundTrip(connection, request);
        QVERIFY(result);
        QCOMPARE(result->error, ErrorClass::Check);
        QCOMPARE(result->bytesOut, qint64(0));
        QVERIFY2(result->errorText.startsWith(named) &&
                     result->errorText.contains(QLatin1String("request not sent")),
                 qPrintable(result->errorText));
        // The connection is still usable, and nothing was ever written to it.
        const auto next = roundTrip(connection, get("/ok"));
        QVERIFY(next);
        QCOMPARE(next->status, 200);
        QCOMPARE(requests.load(), 1);
        QCOMPARE(server.connectionsAccepted(), 1);
    }

    void spacesInThePathAreEncoded()
    {
        QMutex mutex;
        QByteArray seen;
        FakeHttpServer server([&](const FakeRequest &request) {
            QMutexLocker lock(&mutex);
            seen = request.target;
            return FakeReply::ok("ok");
        });
        QVERIFY(server.start());
        LeanHttpTransport transport(targetFor(server));
        QVERIFY(roundTrip(transport.createConnection(), get("/a b/%41?q=1 2&r=[x]")));
        QMutexLocker lock(&mutex);
        QCOMPARE(seen, QByteArray("/a%20b/%41?q=1%202&r=%5Bx%5D"));
    }

    void manyConnectionsOnWorkerThread()
    {
        FakeHttpServer server(
            [](const FakeRequest &) { return FakeReply::ok("{\"status\":\"ok\"}"); });
        QVERIFY(server.start());
        QThread worker;
        worker.setObjectName(QStringLiteral("transport-worker"));
        ThreadedLoad load(server.port(), 200, 3);
        load.moveToThread(&worker);
        worker.start();
        QMetaObject::invokeMethod(
            &load, [&load] { load.run(); }, Qt::QueuedConnection);
        QTRY_COMPARE_WITH_TIMEOUT(load.ok.load() + load.failed.load(), 600, 30000);
        QCOMPARE(load.failed.load(), 0);
        QVERIFY(load.onWorkerThread.load());
        QCOMPARE(server.connectionsAccepted(), 200);
        // The transport (a child of load) must die on its own thread.
        QMetaObject::invokeMethod(
            &load, [&load] { qDeleteAll(load.children()); }, Qt::BlockingQueuedConnection);
        worker.quit();
        worker.wait();
    }
};

LOADSCOPE_TEST_MAIN(TestLeanHttpTransport)
#include "tst_leanhttptransport.moc"
