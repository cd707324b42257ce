#pragma once

#include <memory>

#include <QByteArray>
#include <QtGlobal>

#include "engine/httptypes.h"
#include "engine/transport.h"
#include "engine/transportshared.h"

struct ssl_st;

namespace loadscope {

class HttpConnection;
class LeanHttpTransport;

//! A sink that gets the lean transport's own connection type back (for code that works with
//! LeanHttpTransport directly; the engine uses the generic HttpTransportSink).
class HttpResultSink : public HttpTransportSink
{
public:
    //! @p result may be moved from. Called on the transport's thread, never from inside send().
    virtual void httpFinished(HttpConnection *connection, quint64 tag, HttpResult &result) = 0;
    //! Forwards to httpFinished(); only HttpConnection calls it.
    void requestFinished(HttpTransportConnection *connection, quint64 tag,
                         HttpResult &result) final;
};

//! One keep-alive HTTP/1.1 connection of a LeanHttpTransport (one per virtual user): at most
//! one request in flight, no pipelining. Connects lazily on the first send(), reconnects after
//! the server closed it, and retries once, silently, when a reused connection turns out to
//! have been closed by the server before any response byte arrived (as browsers and k6 do).
//! On an https target the TLS handshake (OpenSSL on the same socket) follows the connect.
//! Owned by its transport; use it only on the transport's thread.
class HttpConnection final : public HttpTransportConnection
{
public:
    ~HttpConnection() override;
    Q_DISABLE_COPY_MOVE(HttpConnection)

    //! Sends @p request; @p sink->requestFinished(this, @p tag, result) is called exactly once,
    //! later (never from inside send()). Returns false (and calls nothing) when a request is
    //! already in flight or @p request has no bytes. @p captureResponse keeps headers and body.
    bool send(const PreparedRequest &request, bool captureResponse, HttpTransportSink *sink,
              quint64 tag = 0) override;
    //! As above with a callback (convenient; the sink overload avoids a std::function).
    bool send(const PreparedRequest &request, bool captureResponse, Callback callback) override;
    //! Prepares @p request and sends it (one allocation per call; prefer PreparedRequest).
    bool send(const HttpRequestData &request, bool captureResponse, Callback callback);

    //! True while a request is in flight.
    bool isBusy() const override { return m_busy; }
    //! True while a socket is open (connecting, in use or idle keep-alive).
    bool isOpen() const { return m_fd >= 0; }
    //! Drops the in-flight request, if any, without calling back, and closes the socket.
    void abort() override;
    //! TLS handshakes completed by this connection so far.
    int tlsHandshakes() const { return m_tlsHandshakes; }
    //! True when the last TLS handshake resumed a session of an earlier connection.
    bool tlsSessionResumed() const { return m_tlsResumed; }
    //! Sockets opened by this connection so far (1 when keep-alive worked throughout).
    int socketsOpened() const { return m_socketsOpened; }
    //! Requests silently re-sent because a reused connection had been closed by the server.
    int silentRetries() const { return m_silentRetries; }
    //! The transport owning this connection.
    LeanHttpTransport *transport() const { return m_transport; }
    //! Takes @p fd, an already connected stream socket (one end of a socketpair in the fuzzer
    //! and tests), as this connection's idle socket: the next send() writes to it and reads
    //! the response from it through the same parser and states as a socket it opened itself.
    //! Plain HTTP only. False (and @p fd left to the caller) while busy or on a TLS target.
    bool adoptConnectedSocket(int fd);

private:
    friend class LeanHttpTransport;
    struct Parser;
    enum class State
    {
        Closed,
        Connecting,
        Handshaking,
        Idle,
        Writing,
        Reading
    };

    HttpConnection(LeanHttpTransport *transport, quint32 index);
    quint64 token() const { return (quint64(m_generation) << 32) | m_index; }
    bool begin(const PreparedRequest &request, bool captureResponse);
    void startConnect();
    void onConnectEvent();
    void startHandshake();
    void continueHandshake();
    void watchWrite(bool write);
    bool continueTlsWrite();
    void onTlsReadable();
    void startWrite();
    void continueWrite();
    void onReadable();
    void onIdleReadable();
    bool feed(const char *data, qint64 size);
    void onEof();
    void onSocketError(int error);
    bool retryOnFreshConnection();
    void completeResponse(bool keepAlive);
    void followRedirect(const QByteArray &location);
    void fail(ErrorClass error, const QString &text);
    void fillTiming(qint64 endNs);
    void deliver();
    void closeSocket();
    void checkDeadline(qint64 nowNs);
    void onEvents(quint32 events);

    LeanHttpTransport *m_transport;
    quint32 m_index;
    quint32 m_generation = 0;
    int m_fd = -1;
    ssl_st *m_ssl = nullptr; // non-null on an https connection once the handshake started
    State m_state = State::Closed;
    bool m_busy = false;
    bool m_inSend = false;   // failures inside send() are delivered later, never re-entrantly
    bool m_deferred = false; // result waits in the transport's deferred queue
    bool m_released = false;
    bool m_reused = false;    // the open socket already carried a complete response
    bool m_retried = false;   // the silent stale-connection retry was used
    bool m_wantWrite = false; // EPOLLOUT is registered
    bool m_capture = false;
    bool m_isHead = false;
    QByteArray m_request;
    std::shared_ptr<const HttpRequestData> m_hopRequest; // what m_request was built from
    int m_maxRedirects = 0;
    int m_redirects = 0;      // followed so far for the request in flight
    RequestTiming m_hops;     // timing of the hops before the current one
    qint64 m_hopsBytesIn = 0; // bytes of the hops before the current one
    qint64 m_hopsBytesOut = 0;
    qint64 m_written = 0;
    ResultRecipient m_recipient;
    HttpResult m_result;
    qint64 m_connectStartNs = 0;
    qint64 m_connectDeadlineNs = 0;
    qint64 m_deadlineNs = 0;
    qint64 m_writeStartNs = 0;
    qint64 m_writeEndNs = 0;
    qint64 m_firstByteNs = 0;
    int m_socketsOpened = 0;
    int m_silentRetries = 0;
    qint64 m_tlsStartNs = 0;
    int m_tlsHandshakes = 0;
    bool m_tlsResumed = false;
    std::unique_ptr<Parser> m_parser;
};

} // namespace loadscope
