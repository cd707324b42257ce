// The lean HTTP/2 client (LeanHttp2Transport) against real servers on loopback: nginx with its
// http2 module (h2 over TLS by ALPN, h2c with prior knowledge) and a small HTTP/2 server written
// here with nghttp2's server API, which can send GOAWAY every N streams, withhold
// WINDOW_UPDATE, never answer a stream or reset it.

#include <map>
#include <memory>
#include <nghttp2/nghttp2.h>
#include <optional>

#include <QJsonObject>
#include <QPointer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

#include "engine/leanhttp2transport.h"
#include "engine/loadengine.h"
#include "engine/steadyclock.h"
#include "fakehttpserver.h"
#include "interop/resultjson.h"
#include "plan/planjson.h"
#include "referenceserver.h"
#include "testmain.h"

using namespace loadscope;
using loadscope::test::FakeHttpServer;
using loadscope::test::FakeReply;
using loadscope::test::FakeRequest;
using loadscope::test::NginxServer;

namespace {

//! How the fake HTTP/2 server behaves.
struct FakeH2Behaviour
{
    int goawayEvery = 0;               //!< > 0: GOAWAY after this many streams on a connection
    bool withholdWindowUpdate = false; //!< never a WINDOW_UPDATE: request bodies stall
    int maxStreams = 100;              //!< SETTINGS_MAX_CONCURRENT_STREAMS
};

//! One HTTP/2 server connection: nghttp2's server session over a QTcpSocket. Paths:
//! /hang never answered; /reset and /reset-protocol answered with RST_STREAM INTERNAL_ERROR /
//! PROTOCOL_ERROR; anything else 200 with {"path": PATH, "n": N} and Server-Timing.
class FakeH2Connection final : public QObject
{
public:
    FakeH2Connection(QTcpSocket *socket, const FakeH2Behaviour &behaviour, int *streamsSeen)
        : m_socket(socket)
        , m_behaviour(behaviour)
        , m_streamsSeen(streamsSeen)
    {
        nghttp2_session_callbacks *callbacks = nullptr;
        nghttp2_session_callbacks_new(&callbacks);
        nghttp2_session_callbacks_set_on_header_callback(callbacks, &onHeader);
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, &onFrameRecv);
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, &onStreamClose);
        nghttp2_option *option = nullptr;
        nghttp2_option_new(&option);
        nghttp2_option_set_no_auto_window_update(option, behaviour.withholdWindowUpdate ? 1 : 0);
        nghttp2_session_server_new2(&m_h2, callbacks, this, option);
        nghttp2_option_del(option);
        nghttp2_session_callbacks_del(callbacks);
        nghttp2_settings_entry settings[1] = {
            {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, quint32(behaviour.maxStreams)}};
        nghttp2_submit_settings(m_h2, NGHTTP2_FLAG_NONE, settings, 1);
        connect(socket, &QTcpSocket::readyRead, this, &FakeH2Connection::onReadyRead);
        connect(socket, &QTcpSocket::disconnected, this, &QObject::deleteLater);
        flush();
    }
    ~FakeH2Connection() override { nghttp2_session_del(m_h2); }

private:
    struct Stream
    {
        QByteArray path;
        QByteArray body;
        qsizetype offset = 0;
    };

    static FakeH2Connection *self(void *data) { return static_cast<FakeH2Connection *>(data); }

    static int onHeader(nghttp2_session *, const nghttp2_frame *frame, const uint8_t *name,
                        size_t nameLength, const uint8_t *value, size_t valueLength, uint8_t,
                        void *data)
    {
        if (QByteArray(reinterpret_cast<const char *>(name), qsizetype(nameLength)) == ":path")
            self(data)->m_streams[frame->hd.stream_id].path =
                QByteArray(reinterpret_cast<const char *>(value), qsizetype(valueLength));
        return 0;
    }

    static int onFrameRecv(nghttp2_session *, const nghttp2_frame *frame, void *data)
    {
        const bool requestDone =
            (frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
            (frame->hd.flags & NGHTTP2_FLAG_END_STREAM);
        if (requestDone)
            self(data)->respond(frame->hd.stream_id);
        if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST)
            self(data)->onRequestStarted(frame->hd.stream_id);
        return 0;
    }

    static int onStreamClose(nghttp2_session *, int32_t id, uint32_t, void *data)
    {
        self(data)->m_streams.erase(id);
        return 0;
    }

    static ssize_t readBody(nghttp2_session *, int32_t, uint8_t *buffer, size_t length,
                            uint32_t *flags, nghttp2_data_source *source, void *)
    {
        auto *stream = static_cast<Stream *>(source->ptr);
        const qsizetype take =
            qMin<qsizetype>(qsizetype(length), stream->body.size() - stream->offset);
        memcpy(buffer, stream->body.constData() + stream->offset, size_t(take));
        stream->offset += take;
        if (stream->offset >= stream->body.size())
            *flags |= NGHTTP2_DATA_FLAG_EOF;
        return take;
    }

    void onRequestStarted(int32_t id)
    {
        ++*m_streamsSeen;
        ++m_count;
        if (m_behaviour.goawayEvery > 0 && m_count == m_behaviour.goawayEvery)
            nghttp2_submit_goaway(m_h2, NGHTTP2_FLAG_NONE, id, NGHTTP2_NO_ERROR, nullptr, 0);
    }

    void respond(int32_t id)
    {
        Stream &stream = m_streams[id];
        if (stream.path == "/hang")
            return;
        if (stream.path.startsWith("/reset")) {
            nghttp2_submit_rst_stream(m_h2, NGHTTP2_FLAG_NONE, id,
                                      stream.path == "/reset-protocol" ? NGHTTP2_PROTOCOL_ERROR
                                                                       : NGHTTP2_INTERNAL_ERROR);
            return;
        }
        stream.body = "{\"path\":\"" + stream.path + "\",\"n\":" + QByteArray::number(id) + '}';
        static const QByteArray status = ":status", ok = "200", type = "content-type",
                                json = "application/json", timing = "server-timing",
                                timingValue = "app;dur=2.5";
        const auto nv = [](const QByteArray &n, const QByteArray &v) {
            return nghttp2_nv{const_cast<uint8_t *>(reinterpret_cast<const uint8_t *>(n.data())),
                              const_cast<uint8_t *>(reinterpret_cast<const uint8_t *>(v.data())),
                              size_t(n.size()), size_t(v.size()), NGHTTP2_NV_FLAG_NONE};
        };
        const nghttp2_nv headers[] = {nv(status, ok), nv(type, json), nv(timing, timingValue)};
        nghttp2_data_provider body{};
        body.source.ptr = &stream;
        body.read_callback = &readBody;
        nghttp2_submit_response(m_h2, id, headers, 3, &body);
    }

    void onReadyRead()
    {
        const QByteArray data = m_socket->readAll();
        if (nghttp2_session_mem_recv(m_h2, reinterpret_cast<const uint8_t *>(data.constData()),
                                     size_t(data.size())) < 0) {
            m_socket->disconnectFromHost();
            return;
        }
        flush();
    }

    void flush()
    {
        for (;;) {
            const uint8_t *data = nullptr;
            const ssize_t n = nghttp2_session_mem_send(m_h2, &data);
            if (n <= 0)
                break;
            m_socket->write(reinterpret_cast<const char *>(data), n);
        }
        // After a GOAWAY, once the accepted streams are answered, nghttp2 is done.
        if (nghttp2_session_want_read(m_h2) == 0 && nghttp2_session_want_write(m_h2) == 0)
            m_socket->disconnectFromHost();
    }

    QTcpSocket *m_socket;
    FakeH2Behaviour m_behaviour;
    int *m_streamsSeen;
    nghttp2_session *m_h2 = nullptr;
    std::map<int32_t, Stream> m_streams;
    int m_count = 0;
};

//! An HTTP/2 (h2c, prior knowledge) server on a loopback port, on the test's thread.
class FakeH2Server final : public QTcpServer
{
public:
    explicit FakeH2Server(const FakeH2Behaviour &behaviour = {})
        : m_behaviour(behaviour)
    {
        connect(this, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = nextPendingConnection()) {
                ++connections;
                socket->setParent(this);
                new FakeH2Connection(socket, m_behaviour, &streams);
            }
        });
        listen(QHostAddress::LocalHost, 0);
    }
    QString baseUrl() const { return QStringLiteral("http://127.0.0.1:%1").arg(serverPort()); }

    int connections = 0;
    int streams = 0;

private:
    FakeH2Behaviour m_behaviour;
};

LeanHttpTransport::Target targetOf(const QString &baseUrl)
{
    const QUrl url(baseUrl);
    LeanHttpTransport::Target target;
    target.host = url.host().toLatin1();
    target.tls = url.scheme() == QLatin1String("https");
    target.port = quint16(url.port(target.tls ? 443 : 80));
    return target;
}

HttpRequestData get(const QByteArray &path)
{
    HttpRequestData request;
    request.target = path;
    return request;
}

//! Sends @p paths at once, one per handle, and waits for every result.
QList<HttpResult> sendAll(LeanHttp2Transport &transport, const QList<QByteArray> &paths)
{
    auto results = std::make_shared<QList<std::optional<HttpResult>>>(paths.size());
    auto done = std::make_shared<int>(0);
    for (int i = 0; i < paths.size(); ++i) {
        HttpTransportConnection *handle = transport.createConnection();
        handle->send(transport.prepare(get(paths[i])), true, [results, done, i](HttpResult &r) {
            (*results)[i] = std::move(r);
            ++*done;
        });
    }
    QList<HttpResult> out;
    if (!QTest::qWaitFor([&] { return *done == paths.size(); }, 20000))
        return out;
    for (const auto &r : *results)
        out.append(*r);
    return out;
}

TestPlan shortPlan(const QString &path = QStringLiteral("/api/health"))
{
    TestPlan plan;
    plan.name = QStringLiteral("http2 test");
    Step step;
    step.name = QStringLiteral("get");
    step.path = path;
    plan.steps = {step};
    plan.load.executor = Executor::ConstantVus;
    plan.load.vus = 10;
    plan.load.durationMs = 800;
    plan.load.gracefulStopMs = 500;
    plan.timeouts.requestMs = 5000;
    plan.timeouts.connectMs = 2000;
    plan.threads = 1;
    plan.intervalMs = 200;
    plan.http2 = true;
    plan.insecureSkipTlsVerify = true;
    return plan;
}

//! Runs @p plan to its end; the summary, and the wall-clock seconds it took in @p seconds.
std::optional<RunSummary> runEngine(const TestPlan &plan, const QString &baseUrl, QString *error,
                                    double *seconds = nullptr)
{
    LoadEngine engine;
    std::optional<RunSummary> out;
    QObject::connect(&engine, &LoadEngine::finished, &engine,
                     [&out](const RunSummary &summary) { out = summary; });
    const qint64 start = steadyNowNs();
    if (!engine.start(plan, baseUrl, error))
        return std::nullopt;
    // Far beyond any plan here: a run that does not end is the failure being tested.
    // The engine's destructor joins its worker threads: a worker that never returns to its
    // event loop would hang the test until CTest's timeout, so end the process with the reason.
    if (!QTest::qWaitFor([&out] { return out.has_value(); }, 30000))
        qFatal("the run did not end within 30 s (a worker thread never returned to its loop)");
    if (seconds != nullptr)
        *seconds = double(steadyNowNs() - start) / 1e9;
    return out;
}

//! The run's planned end plus its graceful stop, plus slack for a loaded machine.
double onTimeBound(const TestPlan &plan)
{
    return double(plan.load.durationMs + plan.load.gracefulStopMs) / 1000.0 + 2.0;
}

} // namespace

class TestHttp2 : public QObject
{
    Q_OBJECT

private slots:
    void multiplexedOverOneConnectionWithTheRightBodies()
    {
        FakeH2Server fake;
        QVERIFY(fake.isListening());
        LeanHttp2Transport::Options options;
        options.connections = 1;
        LeanHttp2Transport transport(targetOf(fake.baseUrl()), options);
        QList<QByteArray> paths;
        for (int i = 0; i < 50; ++i)
            paths.append("/item/" + QByteArray::number(i));
        const QList<HttpResult> results = sendAll(transport, paths);
        QCOMPARE(results.size(), paths.size());
        for (int i = 0; i < paths.size(); ++i) {
            QVERIFY2(results[i].error == ErrorClass::None, qPrintable(results[i].errorText));
            QCOMPARE(results[i].status, 200);
            QCOMPARE(results[i].protocol, HttpProtocol::Http2);
            QVERIFY2(results[i].body.startsWith(QByteArray("{\"path\":\"" + paths[i] + "\"")),
                     results[i].body.constData());
            QCOMPARE(results[i].serverTiming, QByteArray("app;dur=2.5"));
        }
        QCOMPARE(fake.connections, 1);
        QCOMPARE(transport.connectionsOpened(), 1);
        QCOMPARE(fake.streams, 50);
    }

    void streamsBeyondTheServersLimitWaitOrOpenConnections()
    {
        FakeH2Behaviour behaviour;
        behaviour.maxStreams = 4;
        FakeH2Server fake(behaviour);
        LeanHttp2Transport::Options options; // connections: as many as the streams need
        LeanHttp2Transport transport(targetOf(fake.baseUrl()), options);
        // Learn the server's SETTINGS on one connection first.
        QCOMPARE(sendAll(transport, {"/warm"}).size(), 1);
        const QList<HttpResult> results = sendAll(
            transport, {"/a", "/b", "/c", "/d", "/e", "/f", "/g", "/h", "/i", "/j", "/k", "/l"});
        QCOMPARE(results.size(), 12);
        for (const HttpResult &r : results)
            QVERIFY2(r.error == ErrorClass::None, qPrintable(r.errorText));
        QCOMPARE(fake.connections, 3); // 12 streams at 4 per connection
    }

    void nginxH2c()
    {
        NginxServer nginx;
        QString error;
        if (!nginx.startH2c(&error))
            QSKIP(qPrintable(error));
        LeanHttp2Transport::Options options;
        options.connections = 2;
        LeanHttp2Transport transport(targetOf(nginx.baseUrl()), options);
        QList<QByteArray> paths(40, QByteArrayLiteral("/api/health"));
        const QList<HttpResult> results = sendAll(transport, paths);
        QCOMPARE(results.size(), 40);
        for (const HttpResult &r : results) {
            QVERIFY2(r.error == ErrorClass::None, qPrintable(r.errorText));
            QCOMPARE(r.body, QByteArray("{\"status\":\"ok\"}"));
        }
        QCOMPARE(transport.connectionsOpened(), 2);
    }

    void nginxH2OverTlsByAlpn()
    {
        NginxServer nginx;
        QString error;
        if (!nginx.startTls(&error, true))
            QSKIP(qPrintable(error));
        TestPlan plan = shortPlan();
        double seconds = 0;
        const auto summary = runEngine(plan, nginx.baseUrl(), &error, &seconds);
        QVERIFY2(summary.has_value(), qPrintable(error));
        QVERIFY(summary->totals.requests > 0);
        QCOMPARE(summary->totals.errors, 0);
        QCOMPARE(summary->endpoints.first().totals.protocolText(), QStringLiteral("HTTP/2.0"));
        const QJsonObject json = resultObject(*summary, 0, QString(), false);
        QCOMPARE(json.value(QStringLiteral("proto")).toString(), QStringLiteral("HTTP/2.0"));
        QVERIFY(summary->timings.value(QStringLiteral("tls_handshaking")).max() > 0);
        QVERIFY(seconds < onTimeBound(plan));
    }

    void autoFallsBackToHttp1ByAlpnAndReportsIt()
    {
        NginxServer http1Only;
        QString error;
        if (!http1Only.startTls(&error, false))
            QSKIP(qPrintable(error));
        TestPlan plan = shortPlan();
        plan.http2 = false;
        plan.httpAuto = true;
        auto summary = runEngine(plan, http1Only.baseUrl(), &error);
        QVERIFY2(summary.has_value(), qPrintable(error));
        QVERIFY(summary->totals.requests > 0);
        QCOMPARE(summary->totals.errors, 0);
        QCOMPARE(summary->endpoints.first().totals.protocolText(), QStringLiteral("HTTP/1.1"));

        NginxServer h2;
        if (!h2.startTls(&error, true))
            QSKIP(qPrintable(error));
        summary = runEngine(plan, h2.baseUrl(), &error);
        QVERIFY2(summary.has_value(), qPrintable(error));
        QCOMPARE(summary->totals.errors, 0);
        QCOMPARE(summary->endpoints.first().totals.protocolText(), QStringLiteral("HTTP/2.0"));
    }

    void forcedHttp2AgainstAnHttp1ServerIsAClearError()
    {
        FakeHttpServer http1([](const FakeRequest &) { return FakeReply::ok("ok"); });
        QVERIFY(http1.start());
        LeanHttp2Transport transport(
            targetOf(QStringLiteral("http://127.0.0.1:%1").arg(http1.port())),
            LeanHttp2Transport::Options());
        const QList<HttpResult> results = sendAll(transport, {"/x"});
        QCOMPARE(results.size(), 1);
        QVERIFY(results[0].error != ErrorClass::None);
        QVERIFY2(results[0].errorText.contains(QStringLiteral("HTTP/2")),
                 qPrintable(results[0].errorText));
    }

    void goawayEveryNStreamsContinuesOnNewConnectionsAndEndsOnTime()
    {
        FakeH2Behaviour behaviour;
        behaviour.goawayEvery = 7;
        FakeH2Server fake(behaviour);
        TestPlan plan = shortPlan(QStringLiteral("/x"));
        QString error;
        double seconds = 0;
        const auto summary = runEngine(plan, fake.baseUrl(), &error, &seconds);
        QVERIFY2(summary.has_value(), qPrintable(error));
        QVERIFY2(summary->totals.errors == 0, qPrintable(summary->errorDetails));
        QVERIFY(summary->totals.requests > 3 * behaviour.goawayEvery);
        QVERIFY(fake.connections > 3);
        QCOMPARE(summary->status, ResultStatus::Completed);
        QVERIFY2(seconds < onTimeBound(plan), qPrintable(QString::number(seconds)));
    }

    void goawayMovesTheStreamsTheServerDidNotTakeToNewConnections()
    {
        FakeH2Behaviour behaviour;
        behaviour.goawayEvery = 7; // GOAWAY names the 7th stream: later ones are not processed
        FakeH2Server fake(behaviour);
        LeanHttp2Transport::Options options;
        options.connections = 1;
        LeanHttp2Transport transport(targetOf(fake.baseUrl()), options);
        QList<QByteArray> paths;
        for (int i = 0; i < 30; ++i)
            paths.append("/moved/" + QByteArray::number(i));
        const QList<HttpResult> results = sendAll(transport, paths);
        QCOMPARE(results.size(), paths.size()); // none left hanging on a closed connection
        for (int i = 0; i < paths.size(); ++i) {
            QVERIFY2(results[i].error == ErrorClass::None, qPrintable(results[i].errorText));
            QVERIFY2(results[i].body.startsWith(QByteArray("{\"path\":\"" + paths[i] + "\"")),
                     results[i].body.constData());
        }
        // At most 7 streams per connection: 30 need 5, one after another (one at a time).
        QVERIFY2(transport.connectionsOpened() >= 5,
                 qPrintable(QString::number(transport.connectionsOpened())));
        QCOMPARE(fake.connections, transport.connectionsOpened());
        QVERIFY(transport.streamsRetried() >= 30 - 7);
    }

    void stalledWindowTimesOutAndTheRunEndsOnTime()
    {
        FakeH2Behaviour behaviour;
        behaviour.withholdWindowUpdate = true;
        FakeH2Server fake(behaviour);
        TestPlan plan = shortPlan(QStringLiteral("/upload"));
        plan.steps[0].method = QStringLiteral("POST");
        // Past the default 65,535-byte windows: the bodies cannot all go out.
        plan.steps[0].body = QString(100000, u'x');
        plan.timeouts.requestMs = 300;
        QString error;
        double seconds = 0;
        const auto summary = runEngine(plan, fake.baseUrl(), &error, &seconds);
        QVERIFY2(summary.has_value(), qPrintable(error));
        QVERIFY(summary->totals.requests > 0);
        QCOMPARE(summary->totals.errors, summary->totals.requests);
        QCOMPARE(summary->totals.errorsByClass[size_t(ErrorClass::Timeout)],
                 summary->totals.requests);
        QVERIFY2(seconds < onTimeBound(plan), qPrintable(QString::number(seconds)));
    }

    void unansweredStreamsEndWithTheGracefulStop()
    {
        FakeH2Server fake;
        TestPlan plan = shortPlan(QStringLiteral("/hang"));
        plan.timeouts.requestMs = 60000; // far past the run: only the graceful stop ends it
        QString error;
        double seconds = 0;
        const auto summary = runEngine(plan, fake.baseUrl(), &error, &seconds);
        QVERIFY2(summary.has_value(), qPrintable(error));
        QCOMPARE(summary->totals.requests, 0); // dropped at the stop, not counted
        QVERIFY(fake.streams >= plan.load.vus);
        QVERIFY2(seconds < onTimeBound(plan), qPrintable(QString::number(seconds)));
    }

    void rstStreamIsAClassedError()
    {
        FakeH2Server fake;
        LeanHttp2Transport transport(targetOf(fake.baseUrl()), LeanHttp2Transport::Options());
        const QList<HttpResult> results = sendAll(transport, {"/reset", "/reset-protocol", "/ok"});
        QCOMPARE(results.size(), 3);
        QCOMPARE(results[0].error, ErrorClass::Reset);
        QVERIFY2(results[0].errorText.contains(QStringLiteral("RST_STREAM INTERNAL_ERROR")),
                 qPrintable(results[0].errorText));
        QCOMPARE(results[1].error, ErrorClass::Protocol);
        QVERIFY2(results[1].errorText.contains(QStringLiteral("PROTOCOL_ERROR")),
                 qPrintable(results[1].errorText));
        QCOMPARE(results[2].error, ErrorClass::None); // the connection outlives a stream reset
        QCOMPARE(fake.connections, 1);
    }

    void checksExtractionsAndServerTimingOverHttp2()
    {
        FakeH2Server fake;
        TestPlan plan = shortPlan(QStringLiteral("/first"));
        Check status;
        status.kind = Check::Kind::Status;
        status.status = 200;
        Extraction n;
        n.name = QStringLiteral("n");
        n.expression = QStringLiteral("/n");
        plan.steps[0].checks = {status};
        plan.steps[0].extractions = {n};
        Step second;
        second.name = QStringLiteral("second");
        second.path = QStringLiteral("/after/{{n}}");
        Check echoed;
        echoed.kind = Check::Kind::JsonPointerExists;
        echoed.pointer = QStringLiteral("/n");
        Check path;
        path.kind = Check::Kind::BodyContains;
        path.text = QStringLiteral("\"/after/");
        second.checks = {echoed, path};
        plan.steps.append(second);
        QString error;
        const auto summary = runEngine(plan, fake.baseUrl(), &error);
        QVERIFY2(summary.has_value(), qPrintable(error));
        QVERIFY2(summary->totals.errors == 0, qPrintable(summary->errorDetails));
        QVERIFY(summary->totals.checksPassed > 0);
        QCOMPARE(summary->totals.checksFailed, 0);
        QVERIFY(summary->endpoints.size() == 2);
        QVERIFY(summary->endpoints[1].totals.requests > 0);
        QVERIFY(summary->serverTiming.contains(QStringLiteral("app")));
        QCOMPARE(summary->serverTiming.value(QStringLiteral("app")).max(), 2500);
    }

    void protoReportedPerEndpointForHttp1Too()
    {
        NginxServer nginx;
        QString error;
        if (!nginx.start(&error))
            QSKIP(qPrintable(error));
        TestPlan plan = shortPlan();
        plan.http2 = false;
        const auto summary = runEngine(plan, nginx.baseUrl(), &error);
        QVERIFY2(summary.has_value(), qPrintable(error));
        QCOMPARE(summary->endpoints.first().totals.protocolText(), QStringLiteral("HTTP/1.1"));
    }

    void planFieldsReadAndRefused()
    {
        QString error;
        auto plan = planFromJsonBytes(
            R"({"steps":[{"path":"/"}],"options":{"http":"2","transport":"lean","connections":4,"maxConcurrentStreams":50}})",
            &error);
        QVERIFY2(plan.has_value(), qPrintable(error));
        QVERIFY(plan->http2);
        QCOMPARE(plan->connections, 4);
        QCOMPARE(plan->maxStreams, 50);
        const auto again = planFromJsonBytes(planToJsonBytes(*plan), &error);
        QVERIFY(again.has_value());
        QCOMPARE(again->connections, 4);
        QVERIFY(!planFromJsonBytes(R"({"steps":[{"path":"/"}],"options":{"http":"3"}})", &error));
        QVERIFY2(error.contains(QStringLiteral("options.http")), qPrintable(error));
    }
};

LOADSCOPE_TEST_MAIN(TestHttp2)
#include "tst_http2.moc"
