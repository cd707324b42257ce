#include "httpconnection.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QUrl>

#include "engine/leanhttptransport.h"
#include "engine/steadyclock.h"
#include "engine/tlscontext.h"

extern "C" {
#include <llhttp.h>
}

namespace loadscope {

namespace {

QString errnoText(int error)
{
    return QString::fromLocal8Bit(strerror(error));
}

//! The generator's own limits (file descriptors, local ports) as opposed to the target's
//! failures: what ran out, in words a user can act on; empty for other errors.
QString localExhaustion(int error)
{
    switch (error) {
    case EMFILE:
        return QStringLiteral("the load generator has no file descriptor left (EMFILE: the "
                              "process limit RLIMIT_NOFILE is reached; fewer VUs or ulimit -n)");
    case ENFILE:
        return QStringLiteral("the machine has no file descriptor left (ENFILE: the system-wide "
                              "limit is reached)");
    case EADDRNOTAVAIL:
        return QStringLiteral("no local port is free (EADDRNOTAVAIL: the ephemeral port range is "
                              "used up by connections and TIME_WAIT; keep-alive or fewer VUs)");
    default:
        return QString();
    }
}

constexpr char kServerTiming[] = "server-timing";
constexpr int kServerTimingLen = sizeof(kServerTiming) - 1;
constexpr char kLocation[] = "location";
constexpr int kLocationLen = sizeof(kLocation) - 1;
static_assert(kLocationLen <= kServerTimingLen, "the field buffer holds the longest name");

bool isRedirectStatus(int status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

RequestTiming &operator+=(RequestTiming &a, const RequestTiming &b)
{
    a.blockedUs += b.blockedUs;
    a.connectingUs += b.connectingUs;
    a.tlsHandshakingUs += b.tlsHandshakingUs;
    a.sendingUs += b.sendingUs;
    a.waitingUs += b.waitingUs;
    a.receivingUs += b.receivingUs;
    a.durationUs += b.durationUs;
    return a;
}

} // namespace

// llhttp state and the header bookkeeping that must survive across reads.
struct HttpConnection::Parser
{
    llhttp_t parser{};
    HttpConnection *connection = nullptr;
    bool messageDone = false;
    bool keepAlive = false;
    bool fieldIsServerTiming = false;
    bool fieldIsLocation = false;
    int fieldLen = 0;
    char field[kServerTimingLen] = {};
    QByteArray capturedField;
    QByteArray capturedValue;
    QByteArray location;  //!< the final response's Location header, for following redirects
    qint64 headBytes = 0; //!< status line and header bytes of the message being read
    int headerCount = 0;
    //! Set when a callback stops the parse: the response broke a limit or has no status code.
    QString limitError;

    void reset()
    {
        llhttp_init(&parser, HTTP_RESPONSE, &settings());
        parser.data = this;
        messageDone = false;
        keepAlive = false;
        fieldLen = 0;
        headBytes = 0;
        headerCount = 0;
        limitError.clear();
    }

    //! Counts @p length more bytes of the status line and headers; false (the parse must stop)
    //! past the transport's limit. A server that streams headers forever ends here.
    bool countHead(size_t length)
    {
        headBytes += qint64(length);
        const qint64 limit = connection->m_transport->m_options.maxHeaderBytes;
        if (headBytes <= limit)
            return true;
        limitError = QStringLiteral("response status line and headers from %1 exceed %2 bytes")
                         .arg(connection->m_transport->m_peerText)
                         .arg(limit);
        return false;
    }

    static int onStatus(llhttp_t *p, const char *, size_t length)
    {
        return self(p)->countHead(length) ? 0 : -1;
    }

    static Parser *self(llhttp_t *p) { return static_cast<Parser *>(p->data); }

    static int onMessageBegin(llhttp_t *p)
    {
        Parser *s = self(p);
        HttpResult &r = s->connection->m_result;
        // An interim 1xx response may have filled these: only the final response counts.
        r.status = 0;
        if (!r.serverTiming.isEmpty())
            r.serverTiming.clear();
        if (!s->location.isEmpty())
            s->location.clear();
        if (s->connection->m_capture) {
            r.headers.clear();
            r.body.clear();
            r.bodyTruncated = false;
        }
        s->fieldLen = 0;
        s->headBytes = 0;
        s->headerCount = 0;
        return 0;
    }

    static int onHeaderField(llhttp_t *p, const char *at, size_t length)
    {
        Parser *s = self(p);
        if (!s->countHead(length))
            return -1;
        // Only the first bytes matter for recognising Server-Timing; the length tells the rest.
        const qsizetype room = kServerTimingLen - s->fieldLen;
        if (room > 0)
            std::memcpy(s->field + s->fieldLen, at,
                        size_t(qMin<qsizetype>(room, qsizetype(length))));
        s->fieldLen = int(qMin<qint64>(qint64(s->fieldLen) + qint64(length), 1 << 20));
        if (s->connection->m_capture)
            s->capturedField.append(at, qsizetype(length));
        return 0;
    }

    static int onHeaderFieldComplete(llhttp_t *p)
    {
        Parser *s = self(p);
        s->fieldIsServerTiming =
            s->fieldLen == kServerTimingLen &&
            qstrnicmp(s->field, kServerTimingLen, kServerTiming, kServerTimingLen) == 0;
        s->fieldIsLocation = s->fieldLen == kLocationLen &&
                             qstrnicmp(s->field, kLocationLen, kLocation, kLocationLen) == 0;
        s->fieldLen = 0;
        QByteArray &st = s->connection->m_result.serverTiming;
        if (s->fieldIsServerTiming && !st.isEmpty())
            st.append(", ");
        return 0;
    }

    static int onHeaderValue(llhttp_t *p, const char *at, size_t length)
    {
        Parser *s = self(p);
        if (!s->countHead(length))
            return -1;
        if (s->fieldIsServerTiming)
            s->connection->m_result.serverTiming.append(at, qsizetype(length));
        if (s->fieldIsLocation && s->location.size() < 8192)
            s->location.append(at, qsizetype(length));
        if (s->connection->m_capture)
            s->capturedValue.append(at, qsizetype(length));
        return 0;
    }

    static int onHeaderValueComplete(llhttp_t *p)
    {
        Parser *s = self(p);
        const int maxHeaders = s->connection->m_transport->m_options.maxHeaderCount;
        if (++s->headerCount > maxHeaders) {
            s->limitError = QStringLiteral("response from %1 has more than %2 header fields")
                                .arg(s->connection->m_transport->m_peerText)
                                .arg(maxHeaders);
            return -1;
        }
        s->fieldIsServerTiming = false;
        s->fieldIsLocation = false;
        if (s->connection->m_capture) {
            s->connection->m_result.headers.append(
                {std::move(s->capturedField), std::move(s->capturedValue)});
            s->capturedField = QByteArray();
            s->capturedValue = QByteArray();
        }
        return 0;
    }

    static int onHeadersComplete(llhttp_t *p)
    {
        Parser *s = self(p);
        const int status = p->status_code;
        if (status < 100) {
            // llhttp takes "HTTP/1.1  OK" (no code) as status 0, which would count as a success.
            s->limitError = QStringLiteral("invalid HTTP response from %1: the status line has "
                                           "no status code from 100 to 999 (read %2)")
                                .arg(s->connection->m_transport->m_peerText)
                                .arg(status);
            return -1;
        }
        s->connection->m_result.status = status;
        // No body, whatever Content-Length says: HEAD, 204, 304 and interim 1xx responses
        // (a 304 often carries the Content-Length of the representation it did not send).
        if (s->connection->m_isHead || status == 204 || status == 304 ||
            (status >= 100 && status < 200 && status != 101))
            return 1;
        return 0;
    }

    static int onBody(llhttp_t *p, const char *at, size_t length)
    {
        Parser *s = self(p);
        HttpConnection *c = s->connection;
        if (!c->m_capture)
            return 0;
        HttpResult &r = c->m_result;
        const qint64 room = c->m_transport->m_options.maxCapturedBodyBytes - r.body.size();
        const qint64 take = qMin<qint64>(room, qint64(length));
        if (take > 0)
            r.body.append(at, qsizetype(take));
        if (take < qint64(length))
            r.bodyTruncated = true;
        return 0;
    }

    static int onMessageComplete(llhttp_t *p)
    {
        Parser *s = self(p);
        const int status = p->status_code;
        if (status >= 100 && status < 200 && status != 101)
            return 0; // 100 Continue and friends: keep parsing for the final response
        s->messageDone = true;
        // Read now: llhttp clears the flags this depends on right after this callback.
        s->keepAlive = llhttp_should_keep_alive(p) != 0 && status != 101;
        return HPE_PAUSED; // no pipelining: anything after this message is unexpected
    }

    static const llhttp_settings_t &settings()
    {
        static const llhttp_settings_t s = [] {
            llhttp_settings_t init;
            llhttp_settings_init(&init);
            init.on_message_begin = &Parser::onMessageBegin;
            init.on_status = &Parser::onStatus;
            init.on_header_field = &Parser::onHeaderField;
            init.on_header_field_complete = &Parser::onHeaderFieldComplete;
            init.on_header_value = &Parser::onHeaderValue;
            init.on_header_value_complete = &Parser::onHeaderValueComplete;
            init.on_headers_complete = &Parser::onHeadersComplete;
            init.on_body = &Parser::onBody;
            init.on_message_complete = &Parser::onMessageComplete;
            return init;
        }();
        return s;
    }
};

void HttpResultSink::requestFinished(HttpTransportConnection *connection, quint64 tag,
                                     HttpResult &result)
{
    httpFinished(static_cast<HttpConnection *>(connection), tag, result);
}

HttpConnection::HttpConnection(LeanHttpTransport *transport, quint32 index)
    : m_transport(transport)
    , m_index(index)
    , m_parser(std::make_unique<Parser>())
{
    m_parser->connection = this;
    m_parser->reset();
}

HttpConnection::~HttpConnection()
{
    closeSocket();
}

bool HttpConnection::send(const PreparedRequest &request, bool captureResponse,
                          HttpTransportSink *sink, quint64 tag)
{
    if (m_busy || m_released || !request.isValid())
        return false;
    m_recipient.set(sink, tag);
    return begin(request, captureResponse);
}

bool HttpConnection::send(const PreparedRequest &request, bool captureResponse, Callback callback)
{
    if (m_busy || m_released || !request.isValid())
        return false;
    m_recipient.set(std::move(callback));
    return begin(request, captureResponse);
}

bool HttpConnection::send(const HttpRequestData &request, bool captureResponse, Callback callback)
{
    return send(m_transport->prepare(request), captureResponse, std::move(callback));
}

bool HttpConnection::begin(const PreparedRequest &request, bool captureResponse)
{
    m_busy = true;
    m_inSend = true;
    m_transport->requestStarted();
    m_request = request.bytes;
    m_isHead = request.isHead;
    m_hopRequest = request.request;
    m_maxRedirects = request.request ? request.maxRedirects : 0;
    m_redirects = 0;
    m_hops = RequestTiming();
    m_hopsBytesIn = m_hopsBytesOut = 0;
    m_capture = captureResponse;
    m_retried = false;
    m_result = HttpResult();
    m_result.startNs = steadyNowNs();
    m_deadlineNs = m_result.startNs + qint64(m_transport->m_options.requestTimeoutMs) * 1000000;
    m_writeStartNs = m_writeEndNs = m_firstByteNs = 0;

    if (!request.refusal.isEmpty()) {
        // Never written: fails as a check, and the connection stays as it was.
        m_result.error = ErrorClass::Check;
        m_result.errorText = request.refusal;
        m_deferred = true;
        m_transport->scheduleDeferred(this);
    } else if (!m_transport->isResolved()) {
        fail(ErrorClass::Dns, m_transport->m_resolveError);
    } else if (m_state == State::Idle) {
        startWrite();
    } else {
        startConnect();
    }
    m_inSend = false;
    return true;
}

bool HttpConnection::adoptConnectedSocket(int fd)
{
    if (m_busy || m_released || fd < 0 || m_transport->m_target.tls)
        return false;
    closeSocket();
    ++m_generation; // as startConnect(): events of an earlier socket are ignored
    if (!m_transport->m_loop->add(fd, EPOLLIN | EPOLLRDHUP, token()))
        return false;
    m_fd = fd;
    ++m_socketsOpened;
    m_reused = false;
    m_parser->reset();
    m_state = State::Idle;
    return true;
}

void HttpConnection::startConnect()
{
    closeSocket();
    const auto *addr = reinterpret_cast<const sockaddr *>(&m_transport->m_addr);
    m_fd = ::socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (m_fd < 0) {
        const int error = errno;
        if (const QString local = localExhaustion(error); !local.isEmpty()) {
            fail(ErrorClass::Local, QStringLiteral("cannot open a connection to %1: %2")
                                        .arg(m_transport->m_peerText, local));
            return;
        }
        fail(ErrorClass::Connect, QStringLiteral("cannot create a socket for %1: %2")
                                      .arg(m_transport->m_peerText, errnoText(error)));
        return;
    }
    ++m_socketsOpened;
    ++m_generation;
    m_reused = false;
    const int one = 1;
    setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    m_parser->reset();
    m_connectStartNs = steadyNowNs();
    m_connectDeadlineNs =
        m_connectStartNs + qint64(m_transport->m_options.connectTimeoutMs) * 1000000;
    const int rc = ::connect(m_fd, addr, m_transport->m_addrLen);
    if (rc == 0 || errno == EINPROGRESS) {
        m_state = State::Connecting;
        m_wantWrite = true;
        if (!m_transport->m_loop->add(m_fd, EPOLLOUT, token())) {
            fail(ErrorClass::Connect, QStringLiteral("cannot watch the socket for %1: %2")
                                          .arg(m_transport->m_peerText, errnoText(errno)));
        }
        return; // completion (or refusal) arrives as EPOLLOUT
    }
    const int error = errno;
    if (const QString local = localExhaustion(error); !local.isEmpty()) {
        fail(ErrorClass::Local,
             QStringLiteral("cannot connect to %1: %2").arg(m_transport->m_peerText, local));
        return;
    }
    fail(ErrorClass::Connect, connectErrorText(m_transport->m_peerText, error));
}

void HttpConnection::onConnectEvent()
{
    int error = 0;
    socklen_t len = sizeof error;
    if (getsockopt(m_fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0)
        error = errno;
    if (error != 0) {
        fail(ErrorClass::Connect, connectErrorText(m_transport->m_peerText, error));
        return;
    }
    m_result.timing.connectingUs = (steadyNowNs() - m_connectStartNs) / 1000;
    m_transport->m_loop->modify(m_fd, EPOLLIN | EPOLLRDHUP, token());
    m_wantWrite = false;
    if (m_transport->m_target.tls)
        startHandshake();
    else
        startWrite();
}

void HttpConnection::startWrite()
{
    m_state = State::Writing;
    m_written = 0;
    m_writeStartNs = steadyNowNs();
    continueWrite();
}

void HttpConnection::continueWrite()
{
    const char *data = m_request.constData();
    const qint64 size = m_request.size();
    if (m_ssl != nullptr && !continueTlsWrite())
        return;
    while (m_written < size) {
        const ssize_t n = ::send(m_fd, data + m_written, size_t(size - m_written), MSG_NOSIGNAL);
        if (n > 0) {
            m_written += n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!m_wantWrite) {
                m_wantWrite = true;
                m_transport->m_loop->modify(m_fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP, token());
            }
            return;
        }
        onSocketError(n < 0 ? errno : EPIPE);
        return;
    }
    m_writeEndNs = steadyNowNs();
    m_result.bytesOut = m_written;
    m_state = State::Reading;
    if (m_wantWrite) {
        m_wantWrite = false;
        m_transport->m_loop->modify(m_fd, EPOLLIN | EPOLLRDHUP, token());
    }
}

void HttpConnection::onEvents(quint32 events)
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
    case State::Idle:
        onIdleReadable();
        return;
    case State::Writing:
        if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) {
            continueWrite();
            if (m_state != State::Reading)
                return; // still writing, or failed (and maybe already reused by the callback)
        }
        if (events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP))
            onReadable();
        return;
    case State::Reading:
        onReadable();
        return;
    }
}

void HttpConnection::onIdleReadable()
{
    // Between requests the only expected event is the server closing the keep-alive
    // connection; stray bytes would corrupt the next response, so either way: close. Over
    // TLS, a late session ticket is not application data and leaves the connection usable.
    if (m_ssl != nullptr) {
        int n = 0;
        int sysError = 0;
        if (TlsContext::read(m_ssl, m_transport->readBuffer(), m_transport->readBufferSize(), &n,
                             &sysError) == TlsStatus::WantRead)
            return;
    }
    closeSocket();
}

void HttpConnection::onReadable()
{
    if (m_ssl != nullptr) {
        onTlsReadable();
        return;
    }
    char *buffer = m_transport->readBuffer();
    const int capacity = m_transport->readBufferSize();
    for (;;) {
        const ssize_t n = ::recv(m_fd, buffer, size_t(capacity), 0);
        if (n > 0) {
            if (m_result.bytesIn == 0)
                m_firstByteNs = steadyNowNs();
            m_result.bytesIn += n;
            if (feed(buffer, n) || n < capacity)
                return; // finished, or drained (level-triggered epoll reports the rest)
            continue;
        }
        if (n == 0) {
            onEof();
            return;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return;
        onSocketError(errno);
        return;
    }
}

bool HttpConnection::feed(const char *data, qint64 size)
{
    const llhttp_errno_t rc = llhttp_execute(&m_parser->parser, data, size_t(size));
    if (rc == HPE_OK)
        return false;
    if ((rc == HPE_PAUSED || rc == HPE_PAUSED_UPGRADE) && m_parser->messageDone) {
        const char *end = llhttp_get_error_pos(&m_parser->parser);
        const bool trailingBytes = end != nullptr && end < data + size;
        completeResponse(m_parser->keepAlive && !trailingBytes);
        return true;
    }
    if (!m_parser->limitError.isEmpty()) { // a callback stopped the parse
        fail(ErrorClass::Protocol, m_parser->limitError);
        return true;
    }
    fail(ErrorClass::Protocol,
         QStringLiteral("invalid HTTP response from %1: %2 (%3)")
             .arg(m_transport->m_peerText,
                  QString::fromLatin1(llhttp_get_error_reason(&m_parser->parser)),
                  QString::fromLatin1(llhttp_errno_name(rc))));
    return true;
}

void HttpConnection::onEof()
{
    if (m_result.bytesIn == 0) {
        if (retryOnFreshConnection())
            return;
        fail(ErrorClass::Reset, QStringLiteral("connection closed by %1 before any response")
                                    .arg(m_transport->m_peerText));
        return;
    }
    // A close-delimited body ends here; any other message is cut short.
    llhttp_finish(&m_parser->parser);
    if (m_parser->messageDone) {
        completeResponse(false);
        return;
    }
    fail(ErrorClass::Reset,
         QStringLiteral("connection closed by %1 before the response was complete")
             .arg(m_transport->m_peerText));
}

void HttpConnection::onSocketError(int error)
{
    if ((error == ECONNRESET || error == EPIPE) && m_result.bytesIn == 0 &&
        retryOnFreshConnection())
        return;
    if (error == ECONNRESET || error == EPIPE) {
        fail(ErrorClass::Reset,
             QStringLiteral("connection reset by %1 %2")
                 .arg(m_transport->m_peerText, m_result.bytesIn == 0
                                                   ? QStringLiteral("before any response")
                                                   : QStringLiteral("during the response")));
        return;
    }
    fail(ErrorClass::Reset, QStringLiteral("connection to %1 failed: %2")
                                .arg(m_transport->m_peerText, errnoText(error)));
}

bool HttpConnection::retryOnFreshConnection()
{
    // The server may close an idle keep-alive connection just as we reuse it; that is not
    // the server failing the request, so retry once on a new connection without an error.
    if (!m_reused || m_retried)
        return false;
    m_retried = true;
    ++m_silentRetries;
    m_result.bytesOut = 0;
    m_result.timing = RequestTiming();
    startConnect();
    return true;
}

void HttpConnection::fillTiming(qint64 endNs)
{
    fillPhaseTiming(m_result.timing, m_writeStartNs, m_writeEndNs, m_firstByteNs, endNs);
}

void HttpConnection::completeResponse(bool keepAlive)
{
    fillTiming(steadyNowNs());
    const QByteArray location = m_parser->location;
    if (keepAlive && m_transport->m_options.keepAlive) {
        m_state = State::Idle;
        m_reused = true;
        m_parser->reset();
    } else {
        closeSocket();
    }
    if (m_maxRedirects > 0 && isRedirectStatus(m_result.status) && !location.isEmpty()) {
        followRedirect(location);
        return;
    }
    m_result.error = errorClassForStatus(m_result.status);
    if (m_result.error != ErrorClass::None)
        m_result.errorText = QStringLiteral("HTTP %1").arg(m_result.status);
    deliver();
}

void HttpConnection::followRedirect(const QByteArray &location)
{
    const int status = m_result.status;
    const LeanHttpTransport::Target &target = m_transport->m_target;
    const QString scheme = target.tls ? QStringLiteral("https") : QStringLiteral("http");
    const QUrl here = QUrl::fromEncoded(scheme.toLatin1() + "://" + m_transport->m_hostHeader +
                                        encodeRequestTarget(m_hopRequest->target));
    const QUrl next = here.resolved(QUrl::fromEncoded(location));
    const QString nextText = next.toString(QUrl::FullyEncoded);
    if (m_redirects >= m_maxRedirects) {
        fail(ErrorClass::Protocol,
             QStringLiteral("too many redirects: stopped after %1 (maxRedirects %1); the last, "
                            "HTTP %2, pointed to %3")
                 .arg(m_maxRedirects)
                 .arg(status)
                 .arg(nextText));
        return;
    }
    // The lean transport holds one resolved address: another host or port would need a new
    // transport, so such a redirect is reported instead of followed (a run targets one host).
    const int defaultPort = target.tls ? 443 : 80;
    const QString host = next.host().toLower();
    const bool sameHost =
        host == QString::fromLatin1(target.host).toLower() || host == here.host().toLower();
    if (!next.isValid() || next.scheme() != scheme || !sameHost ||
        next.port(defaultPort) != int(target.port)) {
        fail(ErrorClass::Protocol,
             QStringLiteral("redirect (HTTP %1) to %2 not followed: it leaves %3://%4; one run "
                            "targets one host")
                 .arg(status)
                 .arg(next.isValid() ? nextText : QString::fromLatin1(location), scheme,
                      QString::fromLatin1(m_transport->m_hostHeader)));
        return;
    }

    HttpRequestData request = *m_hopRequest;
    QByteArray path = next.path(QUrl::FullyEncoded).toLatin1();
    if (path.isEmpty())
        path = "/";
    if (next.hasQuery())
        path += '?' + next.query(QUrl::FullyEncoded).toLatin1();
    request.target = path;
    // As browsers, Go's client and so k6: 303 turns into GET (but HEAD), 301 and 302 turn a
    // POST into GET, and all three drop the body; 307 and 308 repeat the request as it was.
    const bool isPost = request.method.compare("POST", Qt::CaseInsensitive) == 0;
    const bool isHead = request.method.compare("HEAD", Qt::CaseInsensitive) == 0;
    if ((status == 303 && !isHead) || ((status == 301 || status == 302) && isPost))
        request.method = QByteArrayLiteral("GET");
    if (status == 301 || status == 302 || status == 303) {
        request.body.clear();
        request.headers.removeIf([](const QPair<QByteArray, QByteArray> &header) {
            return header.first.compare("Content-Length", Qt::CaseInsensitive) == 0 ||
                   header.first.compare("Content-Type", Qt::CaseInsensitive) == 0 ||
                   header.first.compare("Transfer-Encoding", Qt::CaseInsensitive) == 0;
        });
    }
    const PreparedRequest prepared = m_transport->prepare(request);
    if (!prepared.refusal.isEmpty()) {
        fail(ErrorClass::Protocol, QStringLiteral("redirect (HTTP %1) to %2 not followed: %3")
                                       .arg(status)
                                       .arg(nextText, prepared.refusal));
        return;
    }

    // Each hop is timed; the request's timing and bytes are the sum over all hops.
    m_hops += m_result.timing;
    m_hopsBytesIn += m_result.bytesIn;
    m_hopsBytesOut += m_result.bytesOut;
    m_result.timing = RequestTiming();
    m_result.bytesIn = m_result.bytesOut = 0;
    ++m_redirects;
    m_hopRequest = prepared.request;
    m_request = prepared.bytes;
    m_isHead = prepared.isHead;
    m_retried = false;
    m_writeStartNs = m_writeEndNs = m_firstByteNs = 0;
    if (m_state == State::Idle)
        startWrite();
    else
        startConnect();
}

void HttpConnection::fail(ErrorClass error, const QString &text)
{
    closeSocket();
    fillTiming(steadyNowNs());
    m_result.error = error;
    m_result.errorText = text;
    if (m_inSend) {
        m_deferred = true;
        m_transport->scheduleDeferred(this);
        return;
    }
    deliver();
}

void HttpConnection::deliver()
{
    m_busy = false;
    m_deferred = false;
    m_transport->requestEnded();
    if (m_redirects > 0) {
        m_result.timing += m_hops;
        m_result.bytesIn += m_hopsBytesIn;
        m_result.bytesOut += m_hopsBytesOut;
        m_redirects = 0;
    }
    // Move everything out first: the callback may send the next request on this connection.
    HttpResult result = std::move(m_result);
    m_recipient.deliver(this, result);
}

void HttpConnection::abort()
{
    if (m_busy) {
        m_busy = false;
        m_deferred = false;
        m_recipient.clear();
        m_transport->requestEnded();
    }
    closeSocket();
}

void HttpConnection::closeSocket()
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
    m_state = State::Closed;
    m_wantWrite = false;
    m_reused = false;
}

void HttpConnection::checkDeadline(qint64 nowNs)
{
    if (!m_busy || m_deferred)
        return;
    if (m_state == State::Connecting && nowNs >= m_connectDeadlineNs) {
        fail(ErrorClass::Connect, QStringLiteral("connecting to %1 timed out after %2 ms")
                                      .arg(m_transport->m_peerText)
                                      .arg(m_transport->m_options.connectTimeoutMs));
    } else if (nowNs >= m_deadlineNs) {
        fail(ErrorClass::Timeout, QStringLiteral("no response from %1 within %2 ms")
                                      .arg(m_transport->m_peerText)
                                      .arg(m_transport->m_options.requestTimeoutMs));
    }
}

} // namespace loadscope
