#include "leanhttp2transport.h"

#include <algorithm>

#include <QMetaObject>

#include "engine/http2session.h"
#include "engine/httpconnection.h"
#include "engine/steadyclock.h"
#include "engine/tlscontext.h"

namespace loadscope {

namespace {
constexpr int kReadBufferBytes = 64 * 1024;
constexpr int kTickMs = 10;

//! Header fields HTTP/2 forbids (RFC 9113 §8.2.2) or carries as pseudo-headers.
bool isConnectionSpecific(const QByteArray &lowerName)
{
    return lowerName == "connection" || lowerName == "keep-alive" ||
           lowerName == "proxy-connection" || lowerName == "transfer-encoding" ||
           lowerName == "upgrade" || lowerName == "host";
}

LeanHttpTransport::Options http1Options(const LeanHttp2Transport::Options &options)
{
    LeanHttpTransport::Options o;
    o.connectTimeoutMs = options.connectTimeoutMs;
    o.requestTimeoutMs = options.requestTimeoutMs;
    o.maxCapturedBodyBytes = options.maxCapturedBodyBytes;
    o.maxHeaderBytes = options.maxHeaderBytes;
    o.hostHeader = options.hostHeader;
    o.insecureSkipVerify = options.insecureSkipVerify;
    return o;
}
} // namespace

// ---- Http2Stream -------------------------------------------------------------------------

Http2Stream::Http2Stream(LeanHttp2Transport *transport)
    : m_transport(transport)
{}

Http2Stream::~Http2Stream() = default;

bool Http2Stream::send(const PreparedRequest &request, bool captureResponse,
                       HttpTransportSink *sink, quint64 tag)
{
    if (m_busy || !request.isValid())
        return false;
    m_recipient.set(sink, tag);
    return begin(request, captureResponse);
}

bool Http2Stream::send(const PreparedRequest &request, bool captureResponse, Callback callback)
{
    if (m_busy || !request.isValid())
        return false;
    m_recipient.set(std::move(callback));
    return begin(request, captureResponse);
}

bool Http2Stream::begin(const PreparedRequest &request, bool captureResponse)
{
    m_busy = true;
    m_inSend = true;
    m_transport->m_inFlight.started();
    m_prepared = request;
    m_capture = captureResponse;
    m_retries = 0;
    m_result = HttpResult();
    m_result.startNs = steadyNowNs();
    m_deadlineNs = m_result.startNs + qint64(m_transport->m_options.requestTimeoutMs) * 1000000;
    resetForRetry();
    m_retries = 0;
    if (!request.refusal.isEmpty())
        fail(ErrorClass::Check, request.refusal);
    else if (!m_transport->m_http1->isResolved())
        fail(ErrorClass::Dns, m_transport->m_http1->resolveError());
    else if (m_transport->m_http1Mode)
        sendOverHttp1();
    else if (!request.http2)
        fail(ErrorClass::Local, QStringLiteral("request was not prepared for HTTP/2"));
    else {
        m_transport->startTiming(this);
        m_transport->enqueue(this);
    }
    m_inSend = false;
    return true;
}

void Http2Stream::resetForRetry()
{
    ++m_retries;
    m_session = nullptr;
    m_streamId = -1;
    m_headersSent = false;
    m_bodyOffset = 0;
    m_headerBytes = 0;
    m_limitError.clear();
    const qint64 startNs = m_result.startNs;
    m_result = HttpResult();
    m_result.startNs = startNs;
    m_writeStartNs = m_writeEndNs = m_firstByteNs = 0;
}

void Http2Stream::sendOverHttp1()
{
    m_transport->stopTiming(this); // the HTTP/1.1 transport times it now
    if (m_http1 == nullptr)
        m_http1 = m_transport->m_http1->createConnection();
    m_http1->send(m_prepared, m_capture, static_cast<HttpTransportSink *>(this), 0);
}

void Http2Stream::requestFinished(HttpTransportConnection *, quint64, HttpResult &result)
{
    result.protocol = HttpProtocol::Http11;
    m_busy = false;
    m_transport->m_inFlight.ended();
    m_recipient.deliver(this, result);
}

void Http2Stream::fillTiming(qint64 endNs)
{
    fillPhaseTiming(m_result.timing, m_writeStartNs, m_writeEndNs, m_firstByteNs, endNs);
}

void Http2Stream::complete(qint64 endNs)
{
    fillTiming(endNs);
    m_result.error = errorClassForStatus(m_result.status);
    if (m_result.error != ErrorClass::None)
        m_result.errorText = QStringLiteral("HTTP %1").arg(m_result.status);
    deliver();
}

void Http2Stream::fail(ErrorClass error, const QString &text)
{
    m_transport->stopTiming(this);
    fillTiming(steadyNowNs());
    m_result.error = error;
    m_result.errorText = text;
    if (m_inSend) {
        m_transport->deferFailure(this);
        return;
    }
    deliver();
}

void Http2Stream::deliver()
{
    m_transport->stopTiming(this);
    m_busy = false;
    m_deferred = false;
    m_transport->m_inFlight.ended();
    m_result.protocol = HttpProtocol::Http2;
    HttpResult result = std::move(m_result);
    m_recipient.deliver(this, result);
}

void Http2Stream::abort()
{
    if (m_http1 != nullptr)
        m_http1->abort();
    if (!m_busy)
        return;
    if (m_queued) {
        auto &pending = m_transport->m_pending;
        pending.erase(std::remove(pending.begin(), pending.end(), this), pending.end());
        m_queued = false;
    }
    if (m_session != nullptr)
        m_session->detach(this);
    m_transport->stopTiming(this);
    m_busy = false;
    m_deferred = false;
    m_recipient.clear();
    m_transport->m_inFlight.ended();
}

// ---- LeanHttp2Transport ------------------------------------------------------------------

LeanHttp2Transport::LeanHttp2Transport(const LeanHttpTransport::Target &target,
                                       const Options &options, QObject *parent)
    : QObject(parent)
    , m_target(target)
    , m_options(options)
    , m_http1(std::make_unique<LeanHttpTransport>(target, http1Options(options), this))
    , m_loop(new EpollLoop(this, this))
    , m_inFlight(this, kTickMs, [this](qint64 now) { checkDeadlines(now); })
    , m_readBuffer(kReadBufferBytes)
{
    m_authority = m_http1->hostHeader();
}

LeanHttp2Transport::~LeanHttp2Transport()
{
    closeAll();
    m_sessions.clear(); // before m_loop goes: their sockets leave the epoll set
}

TlsContext *LeanHttp2Transport::tlsContext()
{
    if (!m_tls) {
        // h2 first; with the fallback allowed, the server may pick HTTP/1.1 instead.
        const QByteArray alpn = m_options.fallbackToHttp1 ? QByteArrayLiteral("\x02h2\x08http/1.1")
                                                          : QByteArrayLiteral("\x02h2");
        m_tls = std::make_unique<TlsContext>(m_target.host, m_options.insecureSkipVerify, alpn,
                                             true); // onReadable() drains hasPending()
    }
    return m_tls.get();
}

PreparedRequest LeanHttp2Transport::prepare(const HttpRequestData &request) const
{
    PreparedRequest prepared;
    if (m_options.fallbackToHttp1)
        prepared = m_http1->prepare(request); // what HTTP/1.1 sends after a fallback
    prepared.refusal = requestDefect(request);
    if (!prepared.refusal.isEmpty())
        return prepared;
    auto h2 = std::make_shared<Http2Request>();
    h2->method = request.method.isEmpty() ? QByteArrayLiteral("GET") : request.method;
    h2->path =
        request.target.isEmpty() ? QByteArrayLiteral("/") : encodeRequestTarget(request.target);
    h2->authority = m_authority;
    bool hasLength = false;
    for (const auto &header : request.headers) {
        const QByteArray name = header.first.toLower();
        if (name == "host") {
            h2->authority = header.second;
            continue;
        }
        if (isConnectionSpecific(name) || (name == "te" && header.second != "trailers"))
            continue;
        hasLength = hasLength || name == "content-length";
        h2->headers.append({name, header.second});
    }
    const bool bodyExpected = h2->method == "POST" || h2->method == "PUT" || h2->method == "PATCH";
    if ((!request.body.isEmpty() || bodyExpected) && !hasLength)
        h2->headers.append(
            {QByteArrayLiteral("content-length"), QByteArray::number(request.body.size())});
    h2->body = request.body;
    prepared.isHead = h2->method.compare("HEAD", Qt::CaseInsensitive) == 0;
    prepared.http2 = std::move(h2);
    return prepared;
}

HttpTransportConnection *LeanHttp2Transport::createConnection()
{
    m_streams.push_back(std::unique_ptr<Http2Stream>(new Http2Stream(this)));
    return m_streams.back().get();
}

int LeanHttp2Transport::openConnections() const
{
    return int(std::count_if(m_sessions.begin(), m_sessions.end(), [](const auto &session) {
        return session->state() != Http2Session::State::Closed;
    }));
}

int LeanHttp2Transport::abortAll()
{
    int dropped = 0;
    for (const auto &stream : m_streams) {
        if (stream->isBusy()) {
            stream->abort();
            ++dropped;
        }
    }
    m_pending.clear();
    m_deferred.clear();
    return dropped;
}

void LeanHttp2Transport::closeAll()
{
    abortAll();
    for (const auto &session : m_sessions)
        session->closeQuietly();
    m_http1->closeAll();
}

void LeanHttp2Transport::epollEvent(quint64 token, quint32 events)
{
    const auto index = quint32(token & 0xffffffffu);
    if (index >= m_sessions.size())
        return;
    Http2Session *session = m_sessions[index].get();
    if (session->generation() != quint32(token >> 32))
        return; // stale: that socket was closed earlier in this batch
    ++m_dispatchDepth;
    m_current = session;
    session->onEvents(events);
    --m_dispatchDepth;
    if (m_dispatchDepth == 0 && !m_pending.empty())
        pump();
    m_current = nullptr;
}

void LeanHttp2Transport::enqueue(Http2Stream *stream)
{
    stream->m_queued = true;
    m_pending.push_back(stream);
    schedulePump();
}

void LeanHttp2Transport::schedulePump()
{
    // Inside an epoll event the pump runs when the event is handled; otherwise next round of
    // the event loop, never from inside send() or an nghttp2 callback.
    if (m_dispatchDepth > 0 || m_pumpScheduled)
        return;
    m_pumpScheduled = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_pumpScheduled = false;
            pump();
        },
        Qt::QueuedConnection);
}

Http2Session *LeanHttp2Transport::pickSession()
{
    // Steady state: the connection that just finished streams takes their successors, once
    // every connection asked for is up (the scan below visits each connection per request).
    if (m_current != nullptr && m_current->canTake() &&
        (m_options.connections <= 0 ||
         (m_scanEpoch == m_sessionEpoch && m_liveAtScan >= m_options.connections)))
        return m_current;
    Http2Session *best = nullptr;
    Http2Session *closed = nullptr;
    int live = 0;
    for (const auto &session : m_sessions) {
        if (session->state() == Http2Session::State::Closed) {
            if (closed == nullptr)
                closed = session.get();
            continue;
        }
        if (!session->isDraining())
            ++live;
        if (session->canTake() && (best == nullptr || session->attached() < best->attached()))
            best = session.get();
    }
    m_scanEpoch = m_sessionEpoch;
    m_liveAtScan = live;
    // Spread over the configured connections; without a number, open one only when full.
    const bool mayOpen = m_options.connections > 0 ? live < m_options.connections : best == nullptr;
    if (mayOpen && (best == nullptr || best->attached() > 0)) {
        if (closed != nullptr)
            return closed;
        m_sessions.push_back(std::make_unique<Http2Session>(this, quint32(m_sessions.size())));
        return m_sessions.back().get();
    }
    return best;
}

void LeanHttp2Transport::pump()
{
    ++m_dispatchDepth; // failures below may send again: queue those for the next round
    std::vector<Http2Session *> touched;
    const qint64 nowNs = steadyNowNs(); // when these streams' sending starts
    while (!m_pending.empty() && !m_http1Mode) {
        Http2Session *session = pickSession();
        if (session == nullptr)
            break; // every connection is full: the rest wait for a stream to end
        Http2Stream *stream = m_pending.front();
        m_pending.pop_front();
        stream->m_queued = false;
        session->attach(stream, nowNs);
        if (std::find(touched.begin(), touched.end(), session) == touched.end())
            touched.push_back(session);
    }
    for (Http2Session *session : touched)
        session->flush();
    --m_dispatchDepth;
    if (!m_pending.empty() && m_http1Mode) {
        std::deque<Http2Stream *> pending;
        pending.swap(m_pending);
        for (Http2Stream *stream : pending) {
            stream->m_queued = false;
            stream->sendOverHttp1();
        }
    }
}

void LeanHttp2Transport::fallBackToHttp1()
{
    // ALPN picked HTTP/1.1: this server (one target per transport) is HTTP/1.1 from now on.
    m_http1Mode = true;
    std::vector<Http2Stream *> moved;
    for (const auto &stream : m_streams) {
        if (stream->m_busy && stream->m_http1 == nullptr &&
            (stream->m_session != nullptr || stream->m_queued))
            moved.push_back(stream.get());
    }
    for (Http2Stream *stream : moved) {
        if (stream->m_session != nullptr)
            stream->m_session->detach(stream);
        stream->m_queued = false;
    }
    m_pending.clear();
    for (const auto &session : m_sessions)
        session->closeQuietly();
    for (Http2Stream *stream : moved)
        stream->sendOverHttp1();
}

void LeanHttp2Transport::startTiming(Http2Stream *stream)
{
    if (stream->m_timed)
        return;
    stream->m_timed = true;
    stream->m_timedNext = nullptr;
    stream->m_timedPrev = m_timedTail;
    if (m_timedTail != nullptr)
        m_timedTail->m_timedNext = stream;
    else
        m_timedHead = stream;
    m_timedTail = stream;
}

void LeanHttp2Transport::stopTiming(Http2Stream *stream)
{
    if (!stream->m_timed)
        return;
    stream->m_timed = false;
    (stream->m_timedPrev != nullptr ? stream->m_timedPrev->m_timedNext : m_timedHead) =
        stream->m_timedNext;
    (stream->m_timedNext != nullptr ? stream->m_timedNext->m_timedPrev : m_timedTail) =
        stream->m_timedPrev;
    stream->m_timedPrev = stream->m_timedNext = nullptr;
}

void LeanHttp2Transport::checkDeadlines(qint64 nowNs)
{
    // Requests that time out here start their next ones at the tail: stop at the tail as it
    // was, whatever the timeout.
    Http2Stream *const last = m_timedTail;
    while (Http2Stream *stream = m_timedHead) {
        if (nowNs < stream->m_deadlineNs)
            break;
        const bool wasLast = stream == last;
        stopTiming(stream);
        const qint32 id = stream->m_streamId;
        if (stream->m_queued) {
            m_pending.erase(std::remove(m_pending.begin(), m_pending.end(), stream),
                            m_pending.end());
            stream->m_queued = false;
        }
        if (stream->m_session != nullptr)
            stream->m_session->detach(stream);
        stream->fail(ErrorClass::Timeout,
                     id >= 0 ? QStringLiteral("no response from %1 within %2 ms (HTTP/2 stream %3)")
                                   .arg(peerText())
                                   .arg(m_options.requestTimeoutMs)
                                   .arg(id)
                             : QStringLiteral("no free HTTP/2 stream to %1 within %2 ms")
                                   .arg(peerText())
                                   .arg(m_options.requestTimeoutMs));
        if (wasLast)
            break;
    }
    for (size_t i = 0; i < m_sessions.size(); ++i)
        m_sessions[i]->checkDeadline(nowNs);
    if (!m_pending.empty())
        pump();
}

void LeanHttp2Transport::deferFailure(Http2Stream *stream)
{
    stream->m_deferred = true;
    m_deferred.push_back(stream);
    if (m_deferredScheduled)
        return;
    m_deferredScheduled = true;
    QMetaObject::invokeMethod(this, &LeanHttp2Transport::flushDeferred, Qt::QueuedConnection);
}

void LeanHttp2Transport::flushDeferred()
{
    m_deferredScheduled = false;
    std::vector<Http2Stream *> ready;
    ready.swap(m_deferred);
    for (Http2Stream *stream : ready) {
        if (stream->m_busy && stream->m_deferred)
            stream->deliver();
    }
}

} // namespace loadscope
