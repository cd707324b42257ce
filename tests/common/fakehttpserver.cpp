#include "fakehttpserver.h"

#include <sys/socket.h>

#include <QHash>
#include <QHostAddress>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>

namespace loadscope::test {

QByteArray FakeRequest::header(const QByteArray &name) const
{
    for (const auto &h : headers) {
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    }
    return {};
}

namespace {
QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 204:
        return "No Content";
    case 304:
        return "Not Modified";
    case 404:
        return "Not Found";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}
} // namespace

FakeReply FakeReply::withStatus(int status, const QByteArray &body, const QByteArray &extraHeaders)
{
    FakeReply r;
    r.bytes = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) +
              "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n" + extraHeaders +
              "\r\n" + body;
    return r;
}

FakeReply FakeReply::ok(const QByteArray &body, const QByteArray &extraHeaders)
{
    return withStatus(200, body, extraHeaders);
}

FakeReply FakeReply::chunked(const QList<QByteArray> &chunks, const QByteArray &extraHeaders)
{
    FakeReply r;
    r.bytes = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n" + extraHeaders + "\r\n";
    for (const QByteArray &chunk : chunks)
        r.bytes += QByteArray::number(chunk.size(), 16) + "\r\n" + chunk + "\r\n";
    r.bytes += "0\r\n\r\n";
    return r;
}

FakeReply FakeReply::closeDelimited(const QByteArray &body)
{
    FakeReply r;
    r.bytes = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n" + body;
    r.after = After::Close;
    return r;
}

FakeReply FakeReply::connectionClose(const QByteArray &body)
{
    FakeReply r = withStatus(200, body, "Connection: close\r\n");
    r.after = After::Close;
    return r;
}

FakeReply FakeReply::resetMidBody(const QByteArray &body)
{
    FakeReply r;
    r.bytes = "HTTP/1.1 200 OK\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" +
              body.left(body.size() / 2);
    r.after = After::Reset;
    return r;
}

FakeReply FakeReply::garbage()
{
    FakeReply r;
    r.bytes = "this is not HTTP at all\r\n\r\n";
    r.after = After::Close;
    return r;
}

FakeReply FakeReply::never()
{
    FakeReply r;
    r.noAnswer = true;
    return r;
}

// Lives on the server thread; owns the QTcpServer and the per-connection state.
struct FakeHttpServer::Worker : QObject
{
    struct Connection
    {
        QByteArray buffer;
        int index = 0;
        int requests = 0;
        bool silent = false;
    };

    explicit Worker(FakeHttpServer *owner)
        : m_owner(owner)
    {}
    // Sockets emit disconnected() while they die: delete them while the hash still exists.
    ~Worker() override { delete m_server; }
    Q_DISABLE_COPY_MOVE(Worker)

    bool listen(quint16 &port, QString &error)
    {
        m_server = new QTcpServer(this);
        m_server->setListenBacklogSize(1024); // tests open hundreds of connections at once
        m_server->setMaxPendingConnections(1024);
        QObject::connect(m_server, &QTcpServer::newConnection, this, [this] { accept(); });
        if (!m_server->listen(QHostAddress::LocalHost, 0)) {
            error = m_server->errorString();
            return false;
        }
        port = m_server->serverPort();
        return true;
    }

    void accept()
    {
        while (QTcpSocket *socket = m_server->nextPendingConnection()) {
            socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
            Connection &state = m_connections[socket];
            state.index = m_owner->m_accepted.fetch_add(1);
            m_owner->m_open.fetch_add(1);
            QObject::connect(socket, &QTcpSocket::readyRead, this,
                             [this, socket] { read(socket); });
            QObject::connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
                if (m_connections.remove(socket))
                    m_owner->m_open.fetch_sub(1);
                socket->deleteLater();
            });
        }
    }

    void read(QTcpSocket *socket)
    {
        auto it = m_connections.find(socket);
        if (it == m_connections.end())
            return;
        it->buffer += socket->readAll();
        while (!it->silent) {
            FakeRequest request;
            if (!takeRequest(it->buffer, request))
                return;
            request.connectionIndex = it->index;
            request.indexOnConnection = it->requests++;
            m_owner->m_requests.fetch_add(1);
            const FakeReply reply = m_owner->handle(request);
            if (reply.noAnswer) {
                it->silent = true;
                return;
            }
            if (reply.delayMs > 0) {
                QPointer<QTcpSocket> guard(socket);
                QTimer::singleShot(reply.delayMs, this, [this, guard, reply] {
                    if (guard)
                        write(guard, reply);
                });
            } else {
                write(socket, reply);
            }
            if (reply.after != FakeReply::After::KeepOpen)
                return; // the connection is going away
        }
    }

    static bool takeRequest(QByteArray &buffer, FakeRequest &request)
    {
        const qsizetype headerEnd = buffer.indexOf("\r\n\r\n");
        if (headerEnd < 0)
            return false;
        const QList<QByteArray> lines = buffer.left(headerEnd).split('\n');
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        request.method = requestLine.value(0);
        request.target = requestLine.value(1);
        request.version = requestLine.value(2);
        qsizetype contentLength = 0;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines[i].indexOf(':');
            if (colon <= 0)
                continue;
            const QByteArray name = lines[i].left(colon).trimmed();
            const QByteArray value = lines[i].mid(colon + 1).trimmed();
            if (name.compare("content-length", Qt::CaseInsensitive) == 0)
                contentLength = value.toLongLong();
            request.headers.append({name, value});
        }
        const qsizetype total = headerEnd + 4 + contentLength;
        if (buffer.size() < total)
            return false;
        request.body = buffer.mid(headerEnd + 4, contentLength);
        buffer.remove(0, total);
        return true;
    }

    void write(QTcpSocket *socket, const FakeReply &reply)
    {
        socket->write(reply.bytes);
        socket->flush();
        switch (reply.after) {
        case FakeReply::After::KeepOpen:
            break;
        case FakeReply::After::Close:
            socket->disconnectFromHost();
            break;
        case FakeReply::After::Reset: {
            socket->waitForBytesWritten(1000);
            const linger hard{1, 0}; // close() now sends RST instead of FIN
            setsockopt(int(socket->socketDescriptor()), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
            socket->abort();
            break;
        }
        }
    }

    void closeAll()
    {
        const QList<QTcpSocket *> sockets = m_connections.keys();
        for (QTcpSocket *socket : sockets)
            socket->disconnectFromHost();
    }

    FakeHttpServer *m_owner;
    QTcpServer *m_server = nullptr;
    QHash<QTcpSocket *, Connection> m_connections;
};

FakeHttpServer::FakeHttpServer(Handler handler)
    : m_handler(std::move(handler))
    , m_thread(std::make_unique<QThread>())
{
    m_thread->setObjectName(QStringLiteral("fake-http-server"));
}

FakeHttpServer::~FakeHttpServer()
{
    if (m_worker) {
        QMetaObject::invokeMethod(
            m_worker, [this] { delete m_worker; }, Qt::BlockingQueuedConnection);
        m_worker = nullptr;
    }
    m_thread->quit();
    m_thread->wait();
}

bool FakeHttpServer::start()
{
    m_worker = new Worker(this);
    m_worker->moveToThread(m_thread.get());
    m_thread->start();
    bool ok = false;
    QMetaObject::invokeMethod(
        m_worker, [this, &ok] { ok = m_worker->listen(m_port, m_error); },
        Qt::BlockingQueuedConnection);
    return ok;
}

void FakeHttpServer::setHandler(Handler handler)
{
    QMutexLocker lock(&m_mutex);
    m_handler = std::move(handler);
}

void FakeHttpServer::closeAllConnections()
{
    if (m_worker)
        QMetaObject::invokeMethod(
            m_worker, [this] { m_worker->closeAll(); }, Qt::BlockingQueuedConnection);
}

FakeReply FakeHttpServer::handle(const FakeRequest &request)
{
    Handler handler;
    {
        QMutexLocker lock(&m_mutex);
        handler = m_handler;
    }
    return handler ? handler(request) : FakeReply::ok("ok");
}

} // namespace loadscope::test
