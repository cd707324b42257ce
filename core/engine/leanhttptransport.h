#pragma once

#include <memory>
#include <sys/socket.h>
#include <vector>

#include <QByteArray>
#include <QObject>
#include <QString>

#include "engine/epollloop.h"
#include "engine/httpconnection.h"
#include "engine/httptypes.h"
#include "engine/transport.h"
#include "engine/transportshared.h"

namespace loadscope {

class TlsContext;

//! Lean HTTP/1.1 keep-alive client: raw non-blocking sockets on one epoll set behind one
//! QSocketNotifier, responses parsed with llhttp (DESIGN.md §3.1). One per worker thread,
//! created and used on that thread; one HttpConnection per virtual user, no pipelining.
//! HTTPS runs OpenSSL on the same non-blocking sockets (TlsContext).
//! Never delete the transport from inside a result callback (use deleteLater()).
class LeanHttpTransport final : public QObject, public HttpTransport, private EpollLoop::Handler
{
    Q_OBJECT
public:
    //! Where requests go; the host is resolved once, in the constructor.
    struct Target
    {
        QByteArray host = QByteArrayLiteral("127.0.0.1");
        quint16 port = 80;
        bool tls = false;
    };

    //! Transport-wide settings.
    struct Options
    {
        int connectTimeoutMs = 10000; //!< connect start -> established, else ErrorClass::Connect
        int requestTimeoutMs = 60000; //!< send() -> response complete, else ErrorClass::Timeout
        qint64 maxCapturedBodyBytes = 1 << 20; //!< captured bodies are cut here
        //! A response whose status line and headers pass this fails as a protocol error.
        qint64 maxHeaderBytes = 64 * 1024;
        int maxHeaderCount = 1000; //!< more header fields than this: a protocol error
        QByteArray hostHeader;     //!< Host header value; empty: "host" or "host:port"
        bool keepAlive = true;     //!< false: "Connection: close" and a new connection per request
        bool insecureSkipVerify = false; //!< TLS: accept any certificate and host name
    };

    //! Resolves @p target (blocking getaddrinfo, once); a failure is reported per request as Dns.
    explicit LeanHttpTransport(const Target &target, const Options &options,
                               QObject *parent = nullptr);
    explicit LeanHttpTransport(const Target &target, QObject *parent = nullptr)
        : LeanHttpTransport(target, Options(), parent)
    {}
    ~LeanHttpTransport() override;
    Q_DISABLE_COPY_MOVE(LeanHttpTransport)

    //! True when the host resolved; otherwise resolveError() says why.
    bool isResolved() const { return m_addrLen > 0; }
    //! Why the host did not resolve (empty when it did).
    QString resolveError() const { return m_resolveError; }
    //! The resolved peer as text ("127.0.0.1:8080", "[::1]:80"), used in error messages.
    QString peerText() const { return m_peerText; }
    //! The target as given ("localhost:8443"): the name a TLS certificate is checked against.
    QString targetText() const;
    const Target &target() const { return m_target; }
    const Options &options() const { return m_options; }
    //! The resolved address (meaningful when isResolved()).
    const sockaddr *address() const { return reinterpret_cast<const sockaddr *>(&m_addr); }
    socklen_t addressLength() const { return m_addrLen; }
    //! The Host header requests carry (HTTP/2's :authority).
    const QByteArray &hostHeader() const { return m_hostHeader; }

    //! Builds the bytes of @p request once: adds Host, Content-Length and (without keep-alive)
    //! "Connection: close" unless the request sets them itself.
    PreparedRequest prepare(const HttpRequestData &request) const override;

    //! A new (lazily connected) connection owned by the transport; valid until the transport dies.
    HttpConnection *createConnection() override;
    //! Closes @p connection (dropping its request, if any, without a callback) for later reuse.
    void releaseConnection(HttpConnection *connection);

    //! Requests currently in flight over all connections.
    int inFlight() const override { return m_inFlight.count(); }
    //! Connections created and not released.
    int connectionCount() const;
    //! Drops every in-flight request (no callback is called) and closes its connection.
    //! Returns how many were dropped.
    int abortAll() override;
    //! abortAll() and closes idle keep-alive connections too; connections stay usable.
    void closeAll() override;
    //! The TLS settings shared by the connections (made on first use; https targets only).
    TlsContext *tlsContext();

private:
    friend class HttpConnection;
    void epollEvent(quint64 token, quint32 events) override;
    void requestStarted() { m_inFlight.started(); }
    void requestEnded() { m_inFlight.ended(); }
    void scheduleDeferred(HttpConnection *connection);
    void flushDeferred();
    char *readBuffer() { return m_readBuffer.data(); }
    int readBufferSize() const { return static_cast<int>(m_readBuffer.size()); }
    void resolve();

    Target m_target;
    Options m_options;
    QByteArray m_hostHeader;
    sockaddr_storage m_addr{};
    socklen_t m_addrLen = 0;
    QString m_resolveError;
    QString m_peerText;
    EpollLoop *m_loop = nullptr;
    std::vector<std::unique_ptr<HttpConnection>> m_connections;
    std::vector<HttpConnection *> m_free;
    std::vector<HttpConnection *> m_deferred;
    bool m_deferredScheduled = false;
    InFlightDeadlines m_inFlight;
    std::vector<char> m_readBuffer;
    std::unique_ptr<TlsContext> m_tls;
};

} // namespace loadscope
