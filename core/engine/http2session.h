#pragma once

#include <memory>
#include <string>
#include <vector>

#include <QByteArray>
#include <QString>
#include <QtGlobal>

#include "engine/httptypes.h"
#include "engine/transport.h"
#include "engine/transportshared.h"

struct ssl_st;
struct nghttp2_session;

namespace loadscope {

class HttpConnection;
class Http2Session;
class LeanHttp2Transport;
struct Http2Request;

//! One virtual user's handle on a LeanHttp2Transport: at most one request in flight, carried as
//! a stream of whichever connection has room. Owned by the transport.
class Http2Stream final : public HttpTransportConnection, private HttpTransportSink
{
public:
    ~Http2Stream() override;
    Q_DISABLE_COPY_MOVE(Http2Stream)

    bool send(const PreparedRequest &request, bool captureResponse, HttpTransportSink *sink,
              quint64 tag = 0) override;
    bool send(const PreparedRequest &request, bool captureResponse, Callback callback) override;
    bool isBusy() const override { return m_busy; }
    void abort() override;

private:
    friend class Http2Session;
    friend class LeanHttp2Transport;
    explicit Http2Stream(LeanHttp2Transport *transport);
    bool begin(const PreparedRequest &request, bool captureResponse);
    void sendOverHttp1();
    void requestFinished(HttpTransportConnection *connection, quint64 tag,
                         HttpResult &result) override;
    void fail(ErrorClass error, const QString &text);
    void complete(qint64 endNs);
    void deliver();
    void resetForRetry();
    void fillTiming(qint64 endNs);

    LeanHttp2Transport *m_transport;
    bool m_busy = false;
    bool m_inSend = false;
    bool m_deferred = false;
    bool m_queued = false; //!< in the transport's pending FIFO
    bool m_capture = false;
    bool m_headersSent = false;
    PreparedRequest m_prepared;
    ResultRecipient m_recipient;
    HttpResult m_result;
    Http2Session *m_session = nullptr;
    qint32 m_streamId = -1;
    size_t m_slot = 0; //!< index in the session's live streams
    qint64 m_bodyOffset = 0;
    qint64 m_headerBytes = 0;
    QString m_limitError; //!< the response broke a limit; the stream was reset
    int m_retries = 0;
    qint64 m_deadlineNs = 0;
    //! Neighbours in the transport's list of timed streams, oldest deadline first.
    Http2Stream *m_timedPrev = nullptr;
    Http2Stream *m_timedNext = nullptr;
    bool m_timed = false;
    qint64 m_writeStartNs = 0;
    qint64 m_writeEndNs = 0;
    qint64 m_firstByteNs = 0;
    HttpConnection *m_http1 = nullptr; //!< after the fallback to HTTP/1.1
};

//! One HTTP/2 connection of a LeanHttp2Transport: the socket (and TLS), the nghttp2 client
//! session, and the streams attached to it. Reused for a new connection once closed.
class Http2Session final
{
public:
    Http2Session(LeanHttp2Transport *transport, quint32 index);
    ~Http2Session();
    Q_DISABLE_COPY_MOVE(Http2Session)

    enum class State
    {
        Closed,
        Connecting,
        Handshaking,
        Open,
    };

    //! Opens a new connection (state Connecting).
    void start();
    State state() const { return m_state; }
    //! True when new streams may be attached: not closed, no GOAWAY, below the stream limit.
    bool canTake() const;
    bool isDraining() const { return m_goaway; }
    int attached() const { return int(m_live.size()); }
    //! Streams this connection carries at once: Options::maxStreams capped by the server's.
    int streamLimit() const;
    //! Takes @p stream: submitted at once when open (its sending starts at @p nowNs), else when
    //! the connection is ready.
    void attach(Http2Stream *stream, qint64 nowNs);
    //! Drops @p stream without a result (RST_STREAM CANCEL when it went out).
    void detach(Http2Stream *stream);
    //! Writes what nghttp2 has queued.
    void flush();
    //! Closes the connection; streams on it fail with @p error / @p text unless the server is
    //! known not to have processed them (those move to another connection).
    void close(ErrorClass error, const QString &text);
    //! Closes without touching the streams (they were dropped already).
    void closeQuietly();
    void onEvents(quint32 events);
    void checkDeadline(qint64 nowNs);
    quint64 token() const { return (quint64(m_generation) << 32) | m_index; }
    quint32 generation() const { return m_generation; }

private:
    struct Callbacks;
    void onConnectEvent();
    void startHandshake();
    void continueHandshake();
    void open();
    void submit(Http2Stream *stream, qint64 nowNs);
    void onReadable();
    void closedByPeer();
    bool feed(const char *data, qint64 size);
    bool writeOut();
    void watchWrite(bool write);
    void releaseSocket();
    void closeNow();
    void unlink(Http2Stream *stream);
    void requeueOrFail(Http2Stream *stream, ErrorClass error, const QString &text);
    void streamClosed(Http2Stream *stream, quint32 errorCode);
    void afterIo();

    LeanHttp2Transport *m_transport;
    quint32 m_index;
    quint32 m_generation = 0;
    int m_fd = -1;
    ssl_st *m_ssl = nullptr;
    nghttp2_session *m_h2 = nullptr;
    State m_state = State::Closed;
    bool m_wantWrite = false;
    bool m_goaway = false;
    qint32 m_goawayLastStream = 0x7fffffff;
    QString m_goawayText;    //!< the GOAWAY's error, when it carried one
    bool m_anyFrame = false; //!< a frame arrived: the server speaks HTTP/2
    int m_serverLimit = 0;   //!< this server's SETTINGS_MAX_CONCURRENT_STREAMS; 0: not yet
    int m_inCallbacks = 0;   //!< nghttp2 is calling us: no session teardown now
    bool m_closeAfter = false;
    std::vector<Http2Stream *> m_live; //!< attached streams, submitted or waiting for open()
    std::string m_out;                 //!< bytes nghttp2 produced, not yet written
    size_t m_outOffset = 0;
    qint64 m_connectStartNs = 0;
    qint64 m_connectDeadlineNs = 0;
    qint64 m_connectingUs = 0;
    qint64 m_tlsStartNs = 0;
    qint64 m_tlsUs = 0;
    qint64 m_readNs = 0; //!< when the bytes being parsed were read
    qint64 m_sendNs = 0; //!< when the frames being produced were taken for writing
};

} // namespace loadscope
