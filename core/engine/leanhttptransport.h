#pragma once

#include <memory>
#include <vector>

#include <sys/socket.h>

#include <QByteArray>
#include <QObject>
#include <QString>

#include "engine/epollloop.h"
#include "engine/httptypes.h"

class QTimer;

namespace loadscope {

class HttpConnection;

//! Request bytes built once (request line, headers, body) and sent as they are, so that the
//! hot path neither formats nor copies anything per request. Cheap to copy (implicitly shared).
struct PreparedRequest
{
    QByteArray bytes;    //!< the complete HTTP/1.1 request
    bool isHead = false; //!< a HEAD request: the response carries no body whatever its headers say
    bool isValid() const { return !bytes.isEmpty(); }
};

//! Receives finished requests without a std::function per request (the engine's hot path).
class HttpResultSink
{
public:
    virtual ~HttpResultSink() = default;
    //! @p result may be moved from. Called on the transport's thread, never from inside send().
    virtual void httpFinished(HttpConnection *connection, quint64 tag, HttpResult &result) = 0;
};

//! Lean HTTP/1.1 keep-alive client: raw non-blocking sockets on one epoll set behind one
//! QSocketNotifier, responses parsed with llhttp (DESIGN.md §3.1). One per worker thread,
//! created and used on that thread; one HttpConnection per virtual user, no pipelining.
//! Plain HTTP only for now: a TLS target completes every request with ErrorClass::Tls.
//! Never delete the transport from inside a result callback (use deleteLater()).
class LeanHttpTransport final : public QObject, private EpollLoop::Handler
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
        QByteArray hostHeader;                 //!< Host header value; empty: "host" or "host:port"
        bool keepAlive = true; //!< false: "Connection: close" and a new connection per request
        bool insecureSkipVerify = false; //!< for TLS (not implemented yet)
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
    const Target &target() const { return m_target; }
    const Options &options() const { return m_options; }

    //! Builds the bytes of @p request once: adds Host, Content-Length and (without keep-alive)
    //! "Connection: close" unless the request sets them itself.
    PreparedRequest prepare(const HttpRequestData &request) const;

    //! A new (lazily connected) connection owned by the transport; valid until the transport dies.
    HttpConnection *createConnection();
    //! Closes @p connection (dropping its request, if any, without a callback) for later reuse.
    void releaseConnection(HttpConnection *connection);

    //! Requests currently in flight over all connections.
    int inFlight() const { return m_inFlight; }
    //! Connections created and not released.
    int connectionCount() const;
    //! Drops every in-flight request (no callback is called) and closes its connection.
    //! Returns how many were dropped.
    int abortAll();
    //! abortAll() and closes idle keep-alive connections too; connections stay usable.
    void closeAll();

private:
    friend class HttpConnection;
    void epollEvent(quint64 token, quint32 events) override;
    void onTick();
    void requestStarted();
    void requestEnded() { --m_inFlight; }
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
    QTimer *m_timer = nullptr;
    std::vector<std::unique_ptr<HttpConnection>> m_connections;
    std::vector<HttpConnection *> m_free;
    std::vector<HttpConnection *> m_deferred;
    bool m_deferredScheduled = false;
    int m_inFlight = 0;
    std::vector<char> m_readBuffer;
};

} // namespace loadscope
