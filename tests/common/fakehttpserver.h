#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include <QByteArray>
#include <QList>
#include <QMutex>
#include <QPair>
#include <QString>

class QThread;

namespace loadscope::test {

//! A request as the fake server parsed it.
struct FakeRequest
{
    QByteArray method;
    QByteArray target;
    QByteArray version;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    int connectionIndex = 0;   //!< 0-based order in which the connection was accepted
    int indexOnConnection = 0; //!< 0 for the first request on its connection
    //! Value of header @p name (case-insensitive), empty when absent.
    QByteArray header(const QByteArray &name) const;
};

//! What the fake server does with one request.
struct FakeReply
{
    enum class After
    {
        KeepOpen, //!< keep the connection for the next request
        Close,    //!< close gracefully (FIN) after writing
        Reset,    //!< abort with SO_LINGER 0 (RST) after writing
    };
    QByteArray bytes; //!< written exactly as given (status line, headers, body)
    After after = After::KeepOpen;
    int delayMs = 0;       //!< wait this long before writing
    bool noAnswer = false; //!< never answer; the connection stays open

    //! "HTTP/1.1 <status> <reason>" with Content-Length, @p extraHeaders ("Name: value\r\n"...).
    static FakeReply withStatus(int status, const QByteArray &body,
                                const QByteArray &extraHeaders = {});
    //! 200 with Content-Length.
    static FakeReply ok(const QByteArray &body, const QByteArray &extraHeaders = {});
    //! 200 with Transfer-Encoding: chunked, one chunk per element of @p chunks.
    static FakeReply chunked(const QList<QByteArray> &chunks, const QByteArray &extraHeaders = {});
    //! 200 without length, body ended by closing the connection.
    static FakeReply closeDelimited(const QByteArray &body);
    //! 200 with "Connection: close", then the server closes.
    static FakeReply connectionClose(const QByteArray &body);
    //! Headers announcing @p body, only half of the body, then a TCP reset.
    static FakeReply resetMidBody(const QByteArray &body);
    //! Bytes that are not HTTP.
    static FakeReply garbage();
    //! No answer at all.
    static FakeReply never();
};

//! A scriptable HTTP/1.1 server on 127.0.0.1 (port 0) running on its own QThread, so that a
//! client under test and the server never share an event loop. The handler runs on the
//! server thread; the counters are thread-safe.
class FakeHttpServer final
{
public:
    using Handler = std::function<FakeReply(const FakeRequest &request)>;

    //! Without a handler every request gets `200 ok`.
    explicit FakeHttpServer(Handler handler = {});
    ~FakeHttpServer();
    Q_DISABLE_COPY_MOVE(FakeHttpServer)

    //! Starts listening; false (see errorString()) on failure.
    bool start();
    //! The port listened on (after start()).
    quint16 port() const { return m_port; }
    QString errorString() const { return m_error; }
    //! Replaces the handler (thread-safe; applies to requests parsed afterwards).
    void setHandler(Handler handler);
    //! Connections accepted so far.
    int connectionsAccepted() const { return m_accepted.load(); }
    //! Requests parsed so far.
    int requestsSeen() const { return m_requests.load(); }
    //! Connections currently open on the server side.
    int openConnections() const { return m_open.load(); }
    //! Closes every open connection gracefully (like a server's idle keep-alive timeout).
    void closeAllConnections();

    struct Worker;

private:
    FakeReply handle(const FakeRequest &request);

    Handler m_handler;
    mutable QMutex m_mutex;
    std::unique_ptr<QThread> m_thread;
    Worker *m_worker = nullptr;
    quint16 m_port = 0;
    QString m_error;
    std::atomic<int> m_accepted{0};
    std::atomic<int> m_requests{0};
    std::atomic<int> m_open{0};
};

} // namespace loadscope::test
