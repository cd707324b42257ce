#pragma once

#include <deque>
#include <memory>
#include <vector>

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPair>
#include <QString>

#include "engine/epollloop.h"
#include "engine/leanhttptransport.h"
#include "engine/transport.h"
#include "engine/transportshared.h"

namespace loadscope {

class Http2Session;
class Http2Stream;
class TlsContext;

//! A request made ready for HTTP/2 once: lower-case header fields without the connection-
//! specific ones (Connection, Keep-Alive, Transfer-Encoding, Upgrade, Host), and the body.
struct Http2Request
{
    QByteArray method;
    QByteArray path;
    QByteArray authority;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
};

//! Lean HTTP/2 client (libnghttp2 framing and HPACK) on the same per-worker epoll loop and
//! non-blocking OpenSSL sockets as LeanHttpTransport: ALPN h2 over TLS, h2c with prior knowledge
//! on http://. Each createConnection() is one virtual user's handle (at most one request in
//! flight); requests become streams multiplexed over a few connections, each carrying at most
//! Options::maxStreams (default: the server's SETTINGS_MAX_CONCURRENT_STREAMS). A request that
//! finds every connection full waits in a FIFO (blocked, not timed) until a stream ends.
//! GOAWAY: streams the server accepted finish; the rest, and streams refused with
//! REFUSED_STREAM, move to a new connection. RST_STREAM is an error (Reset, or Protocol for
//! PROTOCOL_ERROR and friends). One per worker thread, created and used on that thread.
class LeanHttp2Transport final : public QObject, public HttpTransport, private EpollLoop::Handler
{
    Q_OBJECT
public:
    struct Options
    {
        int connectTimeoutMs = 10000; //!< connect start -> HTTP/2 ready, else ErrorClass::Connect
        int requestTimeoutMs = 60000; //!< send() -> stream closed, else ErrorClass::Timeout
        qint64 maxCapturedBodyBytes = 1 << 20; //!< captured bodies are cut here
        qint64 maxHeaderBytes = 64 * 1024;     //!< decoded response header bytes, else Protocol
        QByteArray hostHeader;                 //!< :authority; empty: "host" or "host:port"
        bool insecureSkipVerify = false;
        //! Most connections open at once; 0: a new one only when the open ones are full.
        int connections = 0;
        //! Concurrent streams per connection; 0: what the server's SETTINGS allow.
        int maxStreams = 0;
        //! https: when the server does not pick h2 by ALPN, speak HTTP/1.1 (plan "http": "auto").
        bool fallbackToHttp1 = false;
    };

    //! Resolves @p target once (blocking); a failure is reported per request as Dns.
    LeanHttp2Transport(const LeanHttpTransport::Target &target, const Options &options,
                       QObject *parent = nullptr);
    ~LeanHttp2Transport() override;
    Q_DISABLE_COPY_MOVE(LeanHttp2Transport)

    PreparedRequest prepare(const HttpRequestData &request) const override;
    HttpTransportConnection *createConnection() override;
    int inFlight() const override { return m_inFlight.count(); }
    int abortAll() override;
    void closeAll() override;

    const Options &options() const { return m_options; }
    //! Connections opened so far (TCP connects).
    int connectionsOpened() const { return m_connectionsOpened; }
    //! Connections open now.
    int openConnections() const;
    //! Requests moved to another connection because the server did not process them (GOAWAY
    //! past their stream, REFUSED_STREAM).
    int streamsRetried() const { return m_streamsRetried; }
    //! True once ALPN picked HTTP/1.1 and the transport fell back to it.
    bool fellBackToHttp1() const { return m_http1Mode; }
    //! The resolved peer as text, for messages.
    QString peerText() const { return m_http1->peerText(); }

private:
    friend class Http2Session;
    friend class Http2Stream;
    void epollEvent(quint64 token, quint32 events) override;
    void enqueue(Http2Stream *stream);
    void schedulePump();
    void pump();
    Http2Session *pickSession();
    void checkDeadlines(qint64 nowNs);
    void startTiming(Http2Stream *stream);
    void stopTiming(Http2Stream *stream);
    void fallBackToHttp1();
    void deferFailure(Http2Stream *stream);
    void flushDeferred();
    TlsContext *tlsContext();
    char *readBuffer() { return m_readBuffer.data(); }
    int readBufferSize() const { return int(m_readBuffer.size()); }

    LeanHttpTransport::Target m_target;
    Options m_options;
    //! Resolves the host, builds HTTP/1.1 bytes and, after a fallback, carries the requests.
    std::unique_ptr<LeanHttpTransport> m_http1;
    QByteArray m_authority;
    EpollLoop *m_loop = nullptr;
    std::vector<std::unique_ptr<Http2Session>> m_sessions;
    std::vector<std::unique_ptr<Http2Stream>> m_streams;
    std::deque<Http2Stream *> m_pending; //!< waiting for a connection with a free stream
    std::vector<Http2Stream *> m_deferred;
    //! Streams whose request timeout runs, in the order they started: every request has the
    //! same timeout, so this is deadline order and a tick looks only at the front (a scan of
    //! every VU's stream each tick cost a fifth of the CPU at 10,000 VUs).
    Http2Stream *m_timedHead = nullptr;
    Http2Stream *m_timedTail = nullptr;
    InFlightDeadlines m_inFlight;
    std::vector<char> m_readBuffer;
    std::unique_ptr<TlsContext> m_tls;
    int m_dispatchDepth = 0;
    bool m_pumpScheduled = false;
    bool m_deferredScheduled = false;
    bool m_http1Mode = false;
    int m_connectionsOpened = 0;
    int m_streamsRetried = 0;
    //! The connection whose epoll event is being handled: its finished streams' next requests
    //! go back onto it while it has room (no scan of every connection per request).
    Http2Session *m_current = nullptr;
    //! Bumped whenever a connection opens, closes or is told GOAWAY; with the live connections
    //! the last scan counted, it says whether that count still holds.
    quint64 m_sessionEpoch = 0;
    quint64 m_scanEpoch = ~quint64(0);
    int m_liveAtScan = 0;
    //! The server's SETTINGS_MAX_CONCURRENT_STREAMS as last received (0: not yet); what new
    //! connections assume until their own SETTINGS arrive.
    int m_serverStreams = 0;
};

} // namespace loadscope
