#include "leanhttptransport.h"

#include <arpa/inet.h>
#include <cstring>
#include <netdb.h>
#include <netinet/in.h>

#include <QMetaObject>

#include "engine/httpconnection.h"
#include "engine/steadyclock.h"
#include "engine/tlscontext.h"

namespace loadscope {

namespace {
constexpr int kReadBufferBytes = 64 * 1024;
constexpr int kTickMs = 10;

bool hasHeader(const HttpRequestData &request, const char *name)
{
    for (const auto &header : request.headers) {
        if (header.first.compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}
} // namespace

LeanHttpTransport::LeanHttpTransport(const Target &target, const Options &options, QObject *parent)
    : QObject(parent)
    , m_target(target)
    , m_options(options)
    , m_loop(new EpollLoop(this, this))
    , m_inFlight(this, kTickMs,
                 [this](qint64 now) {
                     // Index loop: a callback may create connections (and grow the vector)
                     // while we scan.
                     for (size_t i = 0; i < m_connections.size(); ++i)
                         m_connections[i]->checkDeadline(now);
                 })
    , m_readBuffer(kReadBufferBytes)
{
    m_hostHeader = m_options.hostHeader;
    if (m_hostHeader.isEmpty()) {
        const bool ipv6Literal = m_target.host.contains(':');
        m_hostHeader = ipv6Literal ? '[' + m_target.host + ']' : m_target.host;
        if (m_target.port != (m_target.tls ? 443 : 80))
            m_hostHeader += ':' + QByteArray::number(m_target.port);
    }
    resolve();
}

LeanHttpTransport::~LeanHttpTransport()
{
    closeAll();
    m_connections.clear(); // before m_loop goes: their sockets leave the epoll set
}

void LeanHttpTransport::resolve()
{
    m_peerText = QString::fromLatin1(m_target.host) + u':' + QString::number(m_target.port);
    if (!m_loop->isValid()) {
        m_resolveError = QStringLiteral("cannot create an epoll set: %1")
                             .arg(QString::fromLocal8Bit(strerror(errno)));
        return;
    }
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG;
    addrinfo *found = nullptr;
    const QByteArray service = QByteArray::number(m_target.port);
    const int rc = getaddrinfo(m_target.host.constData(), service.constData(), &hints, &found);
    if (rc != 0 || found == nullptr) {
        m_resolveError =
            QStringLiteral("cannot resolve host '%1': %2")
                .arg(QString::fromLatin1(m_target.host), QString::fromLocal8Bit(gai_strerror(rc)));
        return;
    }
    // Prefer IPv4 when both exist: "localhost" servers often listen on 127.0.0.1 only.
    const addrinfo *pick = found;
    for (const addrinfo *ai = found; ai != nullptr; ai = ai->ai_next) {
        if (ai->ai_family == AF_INET) {
            pick = ai;
            break;
        }
    }
    std::memcpy(&m_addr, pick->ai_addr, pick->ai_addrlen);
    m_addrLen = pick->ai_addrlen;
    freeaddrinfo(found);

    char text[INET6_ADDRSTRLEN] = {};
    if (m_addr.ss_family == AF_INET6) {
        const auto *a6 = reinterpret_cast<const sockaddr_in6 *>(&m_addr);
        inet_ntop(AF_INET6, &a6->sin6_addr, text, sizeof text);
        m_peerText = u'[' + QString::fromLatin1(text) + QStringLiteral("]:") +
                     QString::number(m_target.port);
    } else {
        const auto *a4 = reinterpret_cast<const sockaddr_in *>(&m_addr);
        inet_ntop(AF_INET, &a4->sin_addr, text, sizeof text);
        m_peerText = QString::fromLatin1(text) + u':' + QString::number(m_target.port);
    }
}

QString LeanHttpTransport::targetText() const
{
    const bool ipv6Literal = m_target.host.contains(':');
    const QString host = QString::fromLatin1(m_target.host);
    return (ipv6Literal ? u'[' + host + u']' : host) + u':' + QString::number(m_target.port);
}

TlsContext *LeanHttpTransport::tlsContext()
{
    // Made on first use: loading the CA store costs milliseconds, and a transport made only
    // to resolve the host never needs it.
    if (!m_tls && m_target.tls)
        m_tls = std::make_unique<TlsContext>(m_target.host, m_options.insecureSkipVerify);
    return m_tls.get();
}

PreparedRequest LeanHttpTransport::prepare(const HttpRequestData &request) const
{
    PreparedRequest prepared;
    prepared.maxRedirects = request.maxRedirects;
    // Checked on every request built, after template substitution: a line break in a value
    // would let it add headers or a second request (request smuggling).
    prepared.refusal = requestDefect(request);
    if (!prepared.refusal.isEmpty())
        return prepared;
    const QByteArray method = request.method.isEmpty() ? QByteArrayLiteral("GET") : request.method;
    prepared.isHead = method.compare("HEAD", Qt::CaseInsensitive) == 0;
    // Kept for following redirects, which rebuild the request for the new location.
    if (request.maxRedirects > 0)
        prepared.request = std::make_shared<const HttpRequestData>(request);
    QByteArray &out = prepared.bytes;
    out.reserve(64 + request.target.size() + request.body.size() + request.headers.size() * 32);
    out +=
        method + ' ' +
        (request.target.isEmpty() ? QByteArrayLiteral("/") : encodeRequestTarget(request.target)) +
        " HTTP/1.1\r\n";
    if (!hasHeader(request, "host"))
        out += "Host: " + m_hostHeader + "\r\n";
    for (const auto &header : request.headers)
        out += header.first + ": " + header.second + "\r\n";
    const bool bodyExpected = method == "POST" || method == "PUT" || method == "PATCH";
    if ((!request.body.isEmpty() || bodyExpected) && !hasHeader(request, "content-length"))
        out += "Content-Length: " + QByteArray::number(request.body.size()) + "\r\n";
    if (!m_options.keepAlive && !hasHeader(request, "connection"))
        out += "Connection: close\r\n";
    out += "\r\n";
    out += request.body;
    return prepared;
}

HttpConnection *LeanHttpTransport::createConnection()
{
    if (!m_free.empty()) {
        HttpConnection *connection = m_free.back();
        m_free.pop_back();
        connection->m_released = false;
        return connection;
    }
    const auto index = quint32(m_connections.size());
    m_connections.push_back(std::unique_ptr<HttpConnection>(new HttpConnection(this, index)));
    return m_connections.back().get();
}

void LeanHttpTransport::releaseConnection(HttpConnection *connection)
{
    if (connection == nullptr || connection->m_transport != this || connection->m_released)
        return;
    connection->abort();
    connection->m_released = true;
    m_free.push_back(connection);
}

int LeanHttpTransport::connectionCount() const
{
    return int(m_connections.size() - m_free.size());
}

int LeanHttpTransport::abortAll()
{
    int dropped = 0;
    for (const auto &connection : m_connections) {
        if (connection->isBusy()) {
            connection->abort();
            ++dropped;
        }
    }
    m_deferred.clear();
    return dropped;
}

void LeanHttpTransport::closeAll()
{
    abortAll();
    for (const auto &connection : m_connections)
        connection->closeSocket();
}

void LeanHttpTransport::epollEvent(quint64 token, quint32 events)
{
    const auto index = quint32(token & 0xffffffffu);
    const auto generation = quint32(token >> 32);
    if (index >= m_connections.size())
        return;
    HttpConnection *connection = m_connections[index].get();
    if (connection->m_generation != generation || connection->m_fd < 0)
        return; // stale: the socket was closed (and maybe replaced) earlier in this batch
    connection->onEvents(events);
}

void LeanHttpTransport::scheduleDeferred(HttpConnection *connection)
{
    m_deferred.push_back(connection);
    if (!m_deferredScheduled) {
        m_deferredScheduled = true;
        QMetaObject::invokeMethod(this, &LeanHttpTransport::flushDeferred, Qt::QueuedConnection);
    }
}

void LeanHttpTransport::flushDeferred()
{
    m_deferredScheduled = false;
    std::vector<HttpConnection *> ready;
    ready.swap(m_deferred);
    for (HttpConnection *connection : ready) {
        if (connection->m_busy && connection->m_deferred)
            connection->deliver();
    }
}

} // namespace loadscope
