#include "http2session.h"

#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <nghttp2/nghttp2.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/leanhttp2transport.h"
#include "engine/steadyclock.h"
#include "engine/tlscontext.h"

namespace loadscope {

namespace {

//! Streams assumed per connection until the server's SETTINGS say (RFC 9113 asks servers
//! for at least 100).
constexpr int kAssumedStreams = 100;
//! Receive windows sized for throughput, as h2load's: the server never waits for us.
constexpr int kStreamWindow = (1 << 30) - 1;
constexpr int kConnectionWindow = (1 << 30) - 1;
//! Output collected from nghttp2 before it is written in one go.
constexpr size_t kWriteBatch = 64 * 1024;

QString errnoText(int error)
{
    return QString::fromLocal8Bit(strerror(error));
}

QString h2ErrorName(quint32 code)
{
    return QString::fromLatin1(nghttp2_http2_strerror(code));
}

bool isProtocolErrorCode(quint32 code)
{
    return code == NGHTTP2_PROTOCOL_ERROR || code == NGHTTP2_FRAME_SIZE_ERROR ||
           code == NGHTTP2_COMPRESSION_ERROR || code == NGHTTP2_FLOW_CONTROL_ERROR ||
           code == NGHTTP2_STREAM_CLOSED;
}

//! Streams a request may move to a new connection before the refusal counts as an error.
constexpr int kMaxRetries = 5;

Http2Stream *streamOf(nghttp2_session *session, qint32 id)
{
    return static_cast<Http2Stream *>(nghttp2_session_get_stream_user_data(session, id));
}

} // namespace

// The nghttp2 callbacks, with the session as user data.
struct Http2Session::Callbacks
{
    static Http2Session *self(void *data) { return static_cast<Http2Session *>(data); }

    static int onFrameSend(nghttp2_session *h2, const nghttp2_frame *frame, void *data)
    {
        if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA)
            return 0;
        Http2Stream *stream = streamOf(h2, frame->hd.stream_id);
        if (stream == nullptr)
            return 0;
        stream->m_result.bytesOut += qint64(frame->hd.length) + 9;
        if (frame->hd.type == NGHTTP2_HEADERS)
            stream->m_headersSent = true;
        if (frame->hd.flags & NGHTTP2_FLAG_END_STREAM)
            stream->m_writeEndNs = self(data)->m_sendNs;
        return 0;
    }

    static int onFrameNotSend(nghttp2_session *h2, const nghttp2_frame *frame, int libError,
                              void *data)
    {
        if (frame->hd.type != NGHTTP2_HEADERS)
            return 0;
        Http2Stream *stream = streamOf(h2, frame->hd.stream_id);
        if (stream == nullptr)
            return 0;
        nghttp2_session_set_stream_user_data(h2, frame->hd.stream_id, nullptr);
        // Not sent because the server said GOAWAY (or the connection is closing): the server
        // never saw it, so it goes to another connection.
        self(data)->requeueOrFail(stream, ErrorClass::Protocol,
                                  QStringLiteral("HTTP/2 request to %1 not sent: %2")
                                      .arg(self(data)->m_transport->peerText(),
                                           QString::fromLatin1(nghttp2_strerror(libError))));
        return 0;
    }

    static int onFrameRecv(nghttp2_session *h2, const nghttp2_frame *frame, void *data)
    {
        Http2Session *s = self(data);
        s->m_anyFrame = true;
        switch (frame->hd.type) {
        case NGHTTP2_HEADERS:
        case NGHTTP2_DATA:
            if (Http2Stream *stream = streamOf(h2, frame->hd.stream_id))
                stream->m_result.bytesIn += qint64(frame->hd.length) + 9;
            break;
        case NGHTTP2_GOAWAY:
            s->m_goaway = true;
            ++s->m_transport->m_sessionEpoch;
            s->m_goawayLastStream = frame->goaway.last_stream_id;
            if (frame->goaway.error_code != NGHTTP2_NO_ERROR)
                s->m_goawayText = QStringLiteral("the server sent GOAWAY with %1")
                                      .arg(h2ErrorName(frame->goaway.error_code));
            s->m_transport->schedulePump(); // the rest go to a new connection
            break;
        case NGHTTP2_SETTINGS:
            if ((frame->hd.flags & NGHTTP2_FLAG_ACK) == 0) {
                s->m_serverLimit =
                    int(qMin<quint32>(nghttp2_session_get_remote_settings(
                                          h2, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS),
                                      1u << 30));
                s->m_transport->m_serverStreams = s->m_serverLimit;
            }
            s->m_transport->schedulePump(); // the stream limit may have grown
            break;
        default:
            break;
        }
        return 0;
    }

    static int onBeginHeaders(nghttp2_session *h2, const nghttp2_frame *frame, void *data)
    {
        if (frame->hd.type != NGHTTP2_HEADERS)
            return 0;
        Http2Stream *stream = streamOf(h2, frame->hd.stream_id);
        if (stream != nullptr && stream->m_firstByteNs == 0)
            stream->m_firstByteNs = self(data)->m_readNs;
        return 0;
    }

    static int onHeader(nghttp2_session *h2, const nghttp2_frame *frame, const uint8_t *name,
                        size_t nameLength, const uint8_t *value, size_t valueLength, uint8_t,
                        void *data)
    {
        Http2Stream *stream = streamOf(h2, frame->hd.stream_id);
        if (stream == nullptr)
            return 0;
        Http2Session *s = self(data);
        const qint64 limit = s->m_transport->m_options.maxHeaderBytes;
        stream->m_headerBytes += qint64(nameLength + valueLength);
        if (stream->m_headerBytes > limit) {
            stream->m_limitError = QStringLiteral("response headers from %1 exceed %2 bytes")
                                       .arg(s->m_transport->peerText())
                                       .arg(limit);
            return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE; // resets this stream only
        }
        const auto *n = reinterpret_cast<const char *>(name);
        const auto *v = reinterpret_cast<const char *>(value);
        HttpResult &r = stream->m_result;
        if (nameLength == 7 && std::memcmp(n, ":status", 7) == 0) {
            r.status = QByteArray::fromRawData(v, qsizetype(valueLength)).toInt();
            return 0;
        }
        if (nameLength == 13 && std::memcmp(n, "server-timing", 13) == 0) {
            if (!r.serverTiming.isEmpty())
                r.serverTiming.append(", ");
            r.serverTiming.append(v, qsizetype(valueLength));
        }
        if (stream->m_capture)
            r.headers.append(
                {QByteArray(n, qsizetype(nameLength)), QByteArray(v, qsizetype(valueLength))});
        return 0;
    }

    static int onDataChunk(nghttp2_session *h2, uint8_t, int32_t id, const uint8_t *data,
                           size_t length, void *user)
    {
        Http2Stream *stream = streamOf(h2, id);
        if (stream == nullptr || !stream->m_capture)
            return 0;
        HttpResult &r = stream->m_result;
        const qint64 room = self(user)->m_transport->m_options.maxCapturedBodyBytes - r.body.size();
        const qint64 take = qMin<qint64>(room, qint64(length));
        if (take > 0)
            r.body.append(reinterpret_cast<const char *>(data), qsizetype(take));
        if (take < qint64(length))
            r.bodyTruncated = true;
        return 0;
    }

    static int onStreamClose(nghttp2_session *h2, int32_t id, uint32_t errorCode, void *data)
    {
        Http2Stream *stream = streamOf(h2, id);
        if (stream == nullptr)
            return 0; // dropped earlier (abort, timeout)
        nghttp2_session_set_stream_user_data(h2, id, nullptr);
        self(data)->streamClosed(stream, errorCode);
        return 0;
    }

    static ssize_t readBody(nghttp2_session *, int32_t, uint8_t *buffer, size_t length,
                            uint32_t *flags, nghttp2_data_source *source, void *)
    {
        auto *stream = static_cast<Http2Stream *>(source->ptr);
        const QByteArray &body = stream->m_prepared.http2->body;
        const qint64 left = body.size() - stream->m_bodyOffset;
        const qint64 take = qMin<qint64>(left, qint64(length));
        std::memcpy(buffer, body.constData() + stream->m_bodyOffset, size_t(take));
        stream->m_bodyOffset += take;
        if (stream->m_bodyOffset >= body.size())
            *flags |= NGHTTP2_DATA_FLAG_EOF;
        return ssize_t(take);
    }

    static nghttp2_session_callbacks *make()
    {
        nghttp2_session_callbacks *c = nullptr;
        nghttp2_session_callbacks_new(&c);
        nghttp2_session_callbacks_set_on_frame_send_callback(c, &onFrameSend);
        nghttp2_session_callbacks_set_on_frame_not_send_callback(c, &onFrameNotSend);
        nghttp2_session_callbacks_set_on_frame_recv_callback(c, &onFrameRecv);
        nghttp2_session_callbacks_set_on_begin_headers_callback(c, &onBeginHeaders);
        nghttp2_session_callbacks_set_on_header_callback(c, &onHeader);
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(c, &onDataChunk);
        nghttp2_session_callbacks_set_on_stream_close_callback(c, &onStreamClose);
        return c;
    }
};

Http2Session::Http2Session(LeanHttp2Transport *transport, quint32 index)
    : m_transport(transport)
    , m_index(index)
{}

Http2Session::~Http2Session()
{
    closeQuietly();
    if (m_h2 != nullptr)
        nghttp2_session_del(m_h2);
}

int Http2Session::streamLimit() const
{
    const int configured = m_transport->m_options.maxStreams;
    // Asked for every request on every connection: the server's figure is kept, not asked of
    // nghttp2 each time.
    int server = m_transport->m_serverStreams > 0 ? m_transport->m_serverStreams : kAssumedStreams;
    if (m_state == State::Open && m_serverLimit > 0)
        server = m_serverLimit;
    return configured > 0 ? qMin(configured, server) : server;
}

bool Http2Session::canTake() const
{
    return m_state != State::Closed && !m_goaway && !m_closeAfter &&
           int(m_live.size()) < streamLimit();
}

void Http2Session::start()
{
    if (m_h2 != nullptr && m_inCallbacks == 0) {
        nghttp2_session_del(m_h2);
        m_h2 = nullptr;
    }
    ++m_transport->m_sessionEpoch;
    m_goaway = false;
    m_goawayLastStream = 0x7fffffff;
    m_goawayText.clear();
    m_anyFrame = false;
    m_serverLimit = 0;
    m_closeAfter = false;
    m_out.clear();
    m_outOffset = 0;
    m_connectingUs = m_tlsUs = 0;
    const sockaddr *addr = m_transport->m_http1->address();
    m_fd = ::socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    m_state = State::Connecting;
    m_connectStartNs = steadyNowNs();
    m_connectDeadlineNs =
        m_connectStartNs + qint64(m_transport->m_options.connectTimeoutMs) * 1000000;
    if (m_fd < 0) {
        const int error = errno;
        close(error == EMFILE || error == ENFILE ? ErrorClass::Local : ErrorClass::Connect,
              QStringLiteral("cannot open a connection to %1: %2")
                  .arg(m_transport->peerText(), errnoText(error)));
        return;
    }
    ++m_generation;
    ++m_transport->m_connectionsOpened;
    const int one = 1;
    setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const int rc = ::connect(m_fd, addr, m_transport->m_http1->addressLength());
    if (rc != 0 && errno != EINPROGRESS) {
        const int error = errno;
        close(error == EADDRNOTAVAIL ? ErrorClass::Local : ErrorClass::Connect,
              connectErrorText(m_transport->peerText(), error));
        return;
    }
    m_wantWrite = true;
    m_transport->m_loop->add(m_fd, EPOLLOUT, token());
}

void Http2Session::onEvents(quint32 events)
{
    switch (m_state) {
    case State::Closed:
        return;
    case State::Connecting:
        onConnectEvent();
        return;
    case State::Handshaking:
        continueHandshake();
        return;
    case State::Open:
        if (events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP))
            onReadable();
        if (m_state == State::Open && (events & EPOLLOUT))
            flush();
        return;
    }
}

void Http2Session::watchWrite(bool write)
{
    if (write == m_wantWrite || m_fd < 0)
        return;
    m_wantWrite = write;
    m_transport->m_loop->modify(
        m_fd, write ? EPOLLIN | EPOLLOUT | EPOLLRDHUP : EPOLLIN | EPOLLRDHUP, token());
}

void Http2Session::onConnectEvent()
{
    int error = 0;
    socklen_t length = sizeof error;
    if (getsockopt(m_fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0)
        error = errno;
    if (error != 0) {
        close(ErrorClass::Connect, connectErrorText(m_transport->peerText(), error));
        return;
    }
    m_connectingUs = (steadyNowNs() - m_connectStartNs) / 1000;
    m_wantWrite = true; // watchWrite(false) below re-registers for reading
    watchWrite(false);
    if (m_transport->m_target.tls)
        startHandshake();
    else
        open();
}

void Http2Session::startHandshake()
{
    QString error;
    TlsContext *tls = m_transport->tlsContext();
    m_ssl = tls->open(m_fd, &error);
    if (m_ssl == nullptr) {
        close(ErrorClass::Tls, error);
        return;
    }
    m_state = State::Handshaking;
    m_tlsStartNs = steadyNowNs();
    continueHandshake();
}

void Http2Session::continueHandshake()
{
    int sysError = 0;
    const QString peer = m_transport->m_http1->targetText();
    switch (TlsContext::handshake(m_ssl, &sysError)) {
    case TlsStatus::Done: {
        m_tlsUs = (steadyNowNs() - m_tlsStartNs) / 1000;
        watchWrite(false);
        const QByteArray alpn = TlsContext::alpnSelected(m_ssl);
        if (alpn == "h2") {
            open();
            // Read-ahead may have taken the server's first frames in with the handshake:
            // epoll will not report those.
            if (m_state == State::Open && m_ssl != nullptr && TlsContext::hasPending(m_ssl))
                onReadable();
        } else if (m_transport->m_options.fallbackToHttp1) {
            closeQuietly();
            m_transport->fallBackToHttp1();
        } else {
            close(ErrorClass::Protocol,
                  QStringLiteral("%1 did not agree to HTTP/2: offered h2 by ALPN, it chose %2 "
                                 "(use \"http\": \"auto\" or HTTP/1.1 for this server)")
                      .arg(peer, alpn.isEmpty() ? QStringLiteral("no protocol")
                                                : QString::fromLatin1(alpn)));
        }
        return;
    }
    case TlsStatus::WantRead:
        watchWrite(false);
        return;
    case TlsStatus::WantWrite:
        watchWrite(true);
        return;
    case TlsStatus::Closed:
        close(ErrorClass::Tls, QStringLiteral("TLS handshake with %1 failed: the server closed the "
                                              "connection (is it serving TLS on this port?)")
                                   .arg(peer));
        return;
    case TlsStatus::SysError:
        close(ErrorClass::Tls,
              QStringLiteral("TLS handshake with %1 failed: %2").arg(peer, errnoText(sysError)));
        return;
    case TlsStatus::Failed:
        close(ErrorClass::Tls, TlsContext::failureText(m_ssl, peer, true));
        return;
    }
}

void Http2Session::open()
{
    static nghttp2_session_callbacks *callbacks = Callbacks::make();
    nghttp2_option *option = nullptr;
    nghttp2_option_new(&option);
    nghttp2_option_set_peer_max_concurrent_streams(option, kAssumedStreams);
    if (m_h2 != nullptr)
        nghttp2_session_del(m_h2);
    m_h2 = nullptr;
    const int rc = nghttp2_session_client_new2(&m_h2, callbacks, this, option);
    nghttp2_option_del(option);
    if (rc != 0) {
        close(ErrorClass::Local, QStringLiteral("cannot set up an HTTP/2 session: %1")
                                     .arg(QString::fromLatin1(nghttp2_strerror(rc))));
        return;
    }
    const nghttp2_settings_entry settings[] = {
        {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, kStreamWindow},
    };
    nghttp2_submit_settings(m_h2, NGHTTP2_FLAG_NONE, settings, 2);
    nghttp2_session_set_local_window_size(m_h2, NGHTTP2_FLAG_NONE, 0, kConnectionWindow);
    m_state = State::Open;
    // Streams that waited for the connection carry its set-up times, as k6 reports them.
    const qint64 nowNs = steadyNowNs();
    for (Http2Stream *stream : std::vector<Http2Stream *>(m_live)) {
        if (stream->m_session != this || stream->m_streamId >= 0)
            continue;
        stream->m_result.timing.connectingUs = m_connectingUs;
        stream->m_result.timing.tlsHandshakingUs = m_tlsUs;
        submit(stream, nowNs);
    }
    flush();
}

void Http2Session::attach(Http2Stream *stream, qint64 nowNs)
{
    stream->m_session = this;
    stream->m_slot = m_live.size();
    m_live.push_back(stream);
    if (m_state == State::Closed)
        start();
    else if (m_state == State::Open)
        submit(stream, nowNs);
}

void Http2Session::unlink(Http2Stream *stream)
{
    const size_t slot = stream->m_slot;
    if (slot < m_live.size() && m_live[slot] == stream) {
        m_live[slot] = m_live.back();
        m_live[slot]->m_slot = slot;
        m_live.pop_back();
    }
    stream->m_session = nullptr;
}

void Http2Session::submit(Http2Stream *stream, qint64 nowNs)
{
    const Http2Request &request = *stream->m_prepared.http2;
    const bool tls = m_transport->m_target.tls;
    // Reused: the header fields of the request being submitted (one thread per transport).
    thread_local std::vector<nghttp2_nv> nva;
    nva.clear();
    const auto add = [](const QByteArray &name, const QByteArray &value) {
        // NO_COPY: the request is immutable and the stream holds it until the stream closes.
        nva.push_back(
            nghttp2_nv{const_cast<uint8_t *>(reinterpret_cast<const uint8_t *>(name.constData())),
                       const_cast<uint8_t *>(reinterpret_cast<const uint8_t *>(value.constData())),
                       size_t(name.size()), size_t(value.size()),
                       NGHTTP2_NV_FLAG_NO_COPY_NAME | NGHTTP2_NV_FLAG_NO_COPY_VALUE});
    };
    static const QByteArray method = QByteArrayLiteral(":method");
    static const QByteArray scheme = QByteArrayLiteral(":scheme");
    static const QByteArray authority = QByteArrayLiteral(":authority");
    static const QByteArray path = QByteArrayLiteral(":path");
    static const QByteArray https = QByteArrayLiteral("https");
    static const QByteArray http = QByteArrayLiteral("http");
    add(method, request.method);
    add(scheme, tls ? https : http);
    add(authority, request.authority);
    add(path, request.path);
    for (const auto &header : request.headers)
        add(header.first, header.second);
    nghttp2_data_provider body{};
    body.source.ptr = stream;
    body.read_callback = &Callbacks::readBody;
    stream->m_bodyOffset = 0;
    stream->m_writeStartNs = nowNs;
    const int32_t id = nghttp2_submit_request(m_h2, nullptr, nva.data(), nva.size(),
                                              request.body.isEmpty() ? nullptr : &body, stream);
    if (id < 0) {
        unlink(stream);
        stream->fail(ErrorClass::Protocol,
                     QStringLiteral("cannot send an HTTP/2 request to %1: %2")
                         .arg(m_transport->peerText(), QString::fromLatin1(nghttp2_strerror(id))));
        return;
    }
    stream->m_streamId = id;
}

void Http2Session::detach(Http2Stream *stream)
{
    if (stream->m_session != this)
        return;
    unlink(stream);
    if (stream->m_streamId >= 0 && m_h2 != nullptr) {
        nghttp2_session_set_stream_user_data(m_h2, stream->m_streamId, nullptr);
        nghttp2_submit_rst_stream(m_h2, NGHTTP2_FLAG_NONE, stream->m_streamId, NGHTTP2_CANCEL);
        flush();
    }
    stream->m_streamId = -1;
}

void Http2Session::streamClosed(Http2Stream *stream, quint32 errorCode)
{
    unlink(stream);
    const QString peer = m_transport->peerText();
    if (!stream->m_limitError.isEmpty()) {
        stream->fail(ErrorClass::Protocol, stream->m_limitError);
        return;
    }
    if (errorCode == NGHTTP2_NO_ERROR && stream->m_result.status > 0) {
        stream->complete(m_readNs); // its last frame came in with the bytes being parsed
        return;
    }
    if (errorCode == NGHTTP2_REFUSED_STREAM) {
        requeueOrFail(stream, ErrorClass::Reset,
                      QStringLiteral("HTTP/2 stream refused by %1 (REFUSED_STREAM, %2 times)")
                          .arg(peer)
                          .arg(stream->m_retries + 1));
        return;
    }
    if (errorCode == NGHTTP2_NO_ERROR) {
        stream->fail(ErrorClass::Protocol,
                     QStringLiteral("HTTP/2 stream from %1 ended without a response").arg(peer));
        return;
    }
    stream->fail(isProtocolErrorCode(errorCode) ? ErrorClass::Protocol : ErrorClass::Reset,
                 QStringLiteral("HTTP/2 stream reset by %1: RST_STREAM %2")
                     .arg(peer, h2ErrorName(errorCode)));
}

void Http2Session::requeueOrFail(Http2Stream *stream, ErrorClass error, const QString &text)
{
    if (stream->m_session == this)
        unlink(stream);
    if (stream->m_retries >= kMaxRetries) {
        stream->fail(error, text);
        return;
    }
    stream->resetForRetry();
    ++m_transport->m_streamsRetried;
    m_transport->enqueue(stream);
}

void Http2Session::onReadable()
{
    char *buffer = m_transport->readBuffer();
    const int capacity = m_transport->readBufferSize();
    for (;;) {
        if (m_ssl != nullptr) {
            // Every record OpenSSL holds already, parsed in one go: nginx sends a record per
            // response, and read-ahead brings many of them in with one recv(2).
            qint64 n = 0;
            int sysError = 0;
            TlsStatus status = TlsStatus::Done;
            do {
                int got = 0;
                status = TlsContext::read(m_ssl, buffer + n, capacity - int(n), &got, &sysError);
                n += got;
            } while (status == TlsStatus::Done && n < capacity && TlsContext::hasPending(m_ssl));
            if (n > 0 && !feed(buffer, n))
                return;
            switch (status) {
            case TlsStatus::Done:
                if (TlsContext::hasPending(m_ssl))
                    continue; // the buffer filled up first
                afterIo();
                return;
            case TlsStatus::WantRead:
                afterIo();
                return;
            case TlsStatus::WantWrite:
                watchWrite(true);
                afterIo();
                return;
            case TlsStatus::Closed:
                closedByPeer();
                return;
            case TlsStatus::SysError:
                close(ErrorClass::Reset, QStringLiteral("connection to %1 failed: %2")
                                             .arg(m_transport->peerText(), errnoText(sysError)));
                return;
            case TlsStatus::Failed:
                close(ErrorClass::Tls,
                      TlsContext::failureText(m_ssl, m_transport->m_http1->targetText(), false));
                return;
            }
            return;
        }
        const ssize_t got = ::recv(m_fd, buffer, size_t(capacity), 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                afterIo();
                return;
            }
            const int error = errno;
            close(ErrorClass::Reset,
                  error == ECONNRESET
                      ? QStringLiteral("HTTP/2 connection reset by %1").arg(m_transport->peerText())
                      : QStringLiteral("connection to %1 failed: %2")
                            .arg(m_transport->peerText(), errnoText(error)));
            return;
        }
        if (got == 0) {
            closedByPeer();
            return;
        }
        if (!feed(buffer, got))
            return;
        if (got < capacity) {
            afterIo();
            return;
        }
    }
}

void Http2Session::closedByPeer()
{
    close(ErrorClass::Reset,
          m_goawayText.isEmpty()
              ? QStringLiteral("HTTP/2 connection closed by %1 before the response")
                    .arg(m_transport->peerText())
              : QStringLiteral("HTTP/2 connection closed by %1: %2")
                    .arg(m_transport->peerText(), m_goawayText));
}

bool Http2Session::feed(const char *data, qint64 size)
{
    // One clock read for every frame in these bytes: first bytes and ends of their streams.
    m_readNs = steadyNowNs();
    ++m_inCallbacks;
    const ssize_t rc =
        nghttp2_session_mem_recv(m_h2, reinterpret_cast<const uint8_t *>(data), size_t(size));
    --m_inCallbacks;
    if (m_closeAfter) {
        afterIo();
        return false;
    }
    if (rc >= 0)
        return m_state == State::Open;
    const QString peer = m_transport->peerText();
    if (!m_anyFrame && size >= 7 && std::memcmp(data, "HTTP/1.", 7) == 0) {
        const QByteArray line = QByteArray(data, int(qMin<qint64>(size, 200))).split('\r').first();
        close(ErrorClass::Protocol,
              QStringLiteral("%1 does not speak HTTP/2 with prior knowledge (h2c): it answered "
                             "\"%2\"; use HTTP/1.1 or https with ALPN for this server")
                  .arg(peer, QString::fromLatin1(line)));
    } else {
        close(ErrorClass::Protocol, QStringLiteral("HTTP/2 protocol error from %1: %2")
                                        .arg(peer, QString::fromLatin1(nghttp2_strerror(int(rc)))));
    }
    return false;
}

void Http2Session::afterIo()
{
    if (m_closeAfter) {
        m_closeAfter = false;
        closeNow();
        return;
    }
    if (m_state != State::Open)
        return;
    flush();
    // After GOAWAY, once every accepted stream ended, nghttp2 wants nothing more: done.
    if (m_state == State::Open && nghttp2_session_want_read(m_h2) == 0 &&
        nghttp2_session_want_write(m_h2) == 0 && m_out.size() == m_outOffset)
        close(
            ErrorClass::Reset,
            QStringLiteral("HTTP/2 connection to %1 ended (GOAWAY)").arg(m_transport->peerText()));
    else if (m_state == State::Open && m_goaway && m_live.empty())
        close(ErrorClass::Reset, QString());
}

void Http2Session::flush()
{
    if (m_state != State::Open || m_h2 == nullptr || m_inCallbacks > 0)
        return;
    for (;;) {
        if (m_outOffset < m_out.size()) {
            if (!writeOut())
                return; // the socket is full (EPOLLOUT resumes) or failed
        }
        m_out.clear();
        m_outOffset = 0;
        m_sendNs = steadyNowNs(); // when the frames below went out, for their streams' timing
        ++m_inCallbacks;
        while (m_out.size() < kWriteBatch) {
            const uint8_t *data = nullptr;
            const ssize_t n = nghttp2_session_mem_send(m_h2, &data);
            if (n < 0) {
                --m_inCallbacks;
                close(ErrorClass::Protocol,
                      QStringLiteral("HTTP/2 error on the connection to %1: %2")
                          .arg(m_transport->peerText(),
                               QString::fromLatin1(nghttp2_strerror(int(n)))));
                return;
            }
            if (n == 0)
                break;
            m_out.append(reinterpret_cast<const char *>(data), size_t(n));
        }
        --m_inCallbacks;
        if (m_closeAfter) {
            afterIo();
            return;
        }
        if (m_out.empty()) {
            watchWrite(false);
            return;
        }
    }
}

bool Http2Session::writeOut()
{
    while (m_outOffset < m_out.size()) {
        const char *data = m_out.data() + m_outOffset;
        const size_t size = m_out.size() - m_outOffset;
        if (m_ssl != nullptr) {
            int n = 0;
            int sysError = 0;
            switch (
                TlsContext::write(m_ssl, data, int(qMin<size_t>(size, 1 << 30)), &n, &sysError)) {
            case TlsStatus::Done:
                m_outOffset += size_t(n);
                continue;
            case TlsStatus::WantRead:
            case TlsStatus::WantWrite:
                watchWrite(true);
                return false;
            case TlsStatus::Closed:
                close(
                    ErrorClass::Reset,
                    QStringLiteral("HTTP/2 connection closed by %1").arg(m_transport->peerText()));
                return false;
            case TlsStatus::SysError:
                close(ErrorClass::Reset, QStringLiteral("connection to %1 failed: %2")
                                             .arg(m_transport->peerText(), errnoText(sysError)));
                return false;
            case TlsStatus::Failed:
                close(ErrorClass::Tls,
                      TlsContext::failureText(m_ssl, m_transport->m_http1->targetText(), false));
                return false;
            }
        }
        const ssize_t n = ::send(m_fd, data, size, MSG_NOSIGNAL);
        if (n > 0) {
            m_outOffset += size_t(n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            watchWrite(true);
            return false;
        }
        const int error = n < 0 ? errno : EPIPE;
        close(ErrorClass::Reset, QStringLiteral("connection to %1 failed: %2")
                                     .arg(m_transport->peerText(), errnoText(error)));
        return false;
    }
    return true;
}

void Http2Session::releaseSocket()
{
    if (m_ssl != nullptr) {
        TlsContext::release(m_ssl);
        m_ssl = nullptr;
    }
    if (m_fd >= 0) {
        m_transport->m_loop->remove(m_fd);
        ::close(m_fd);
        m_fd = -1;
        ++m_generation; // events still queued for the old socket are ignored
    }
    m_wantWrite = false;
}

void Http2Session::close(ErrorClass error, const QString &text)
{
    if (m_state == State::Closed && m_live.empty())
        return;
    const bool spokeHttp2 = m_anyFrame;
    std::vector<Http2Stream *> streams;
    streams.swap(m_live);
    for (Http2Stream *stream : streams) {
        if (m_h2 != nullptr && stream->m_streamId >= 0)
            nghttp2_session_set_stream_user_data(m_h2, stream->m_streamId, nullptr);
        stream->m_session = nullptr;
    }
    closeQuietly();
    for (Http2Stream *stream : streams) {
        if (!stream->m_busy)
            continue; // dropped by a result callback of an earlier stream in this loop
        // Never sent, or past the GOAWAY's last stream: the server did not process it.
        const bool unprocessed = stream->m_streamId < 0 || !stream->m_headersSent ||
                                 (m_goaway && stream->m_streamId > m_goawayLastStream);
        if (unprocessed && spokeHttp2 && stream->m_retries < kMaxRetries) {
            stream->resetForRetry();
            ++m_transport->m_streamsRetried;
            m_transport->enqueue(stream);
        } else {
            stream->fail(
                error,
                text.isEmpty()
                    ? QStringLiteral("HTTP/2 connection to %1 closed").arg(m_transport->peerText())
                    : text);
        }
    }
}

void Http2Session::closeQuietly()
{
    releaseSocket();
    m_state = State::Closed;
    ++m_transport->m_sessionEpoch;
    if (m_inCallbacks > 0) {
        m_closeAfter = true; // nghttp2 is on the stack: free its session once it returns
        return;
    }
    closeNow();
}

void Http2Session::closeNow()
{
    releaseSocket();
    m_state = State::Closed;
    if (m_h2 != nullptr) {
        nghttp2_session_del(m_h2);
        m_h2 = nullptr;
    }
    m_out.clear();
    m_outOffset = 0;
}

void Http2Session::checkDeadline(qint64 nowNs)
{
    if ((m_state == State::Connecting || m_state == State::Handshaking) &&
        nowNs >= m_connectDeadlineNs)
        close(ErrorClass::Connect, QStringLiteral("connecting to %1 timed out after %2 ms")
                                       .arg(m_transport->peerText())
                                       .arg(m_transport->m_options.connectTimeoutMs));
}

} // namespace loadscope
