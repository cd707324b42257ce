#include "restapiserver.h"

#include <memory>

#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMetaEnum>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include "rest/apitoken.h"
#include "rest/restapiserver_p.h"
#include "session/sampletarget.h"
#include "store/historystore.h"

// HTTP plumbing, authentication and routing of the REST API (the endpoints are in
// restapiruns.cpp). QHttpServer 6.4 buffers a whole request before the handler sees it; every
// route goes through the missing handler so that authentication, 404 and 405 are decided here
// in one place.

namespace loadscope {
namespace {

QByteArray methodName(QHttpServerRequest::Method method)
{
    const char *key = QMetaEnum::fromType<QHttpServerRequest::Method>().valueToKey(int(method));
    return key ? QByteArray(key).toUpper() : QByteArrayLiteral("UNKNOWN");
}

QString quoted(const QString &text)
{
    return u'"' + text + u'"';
}

// QHttpServer 6.4 buffers a request body of any size before a handler can refuse it. Connections
// are therefore watched from the start: once a request has sent more than the body limit plus
// room for headers, it is answered 413 and the connection is closed. (Clients here do not
// pipeline, so the bytes received since the last response belong to the current request.)
// Connections beyond a cap are answered 503 and closed, and a connection that stays silent
// in both directions for the idle timeout is closed: slow or idle clients cannot hold it.
class GuardedTcpServer final : public QTcpServer
{
public:
    //! @p maxUploadBytes applies instead to POSTs of agents' results (results/merge).
    GuardedTcpServer(qint64 maxRequestBytes, qint64 maxUploadBytes, int maxConnections,
                     int idleTimeoutMs, QObject *parent)
        : QTcpServer(parent)
        , m_maxRequestBytes(maxRequestBytes)
        , m_maxUploadBytes(maxUploadBytes)
        , m_maxConnections(maxConnections)
        , m_idleTimeoutMs(idleTimeoutMs)
    {}

    QTcpSocket *nextPendingConnection() override
    {
        QTcpSocket *socket = QTcpServer::nextPendingConnection();
        while (socket && m_open >= m_maxConnections) {
            tooMany(socket);
            socket = QTcpServer::nextPendingConnection();
        }
        if (!socket)
            return nullptr;
        ++m_open;
        connect(socket, &QObject::destroyed, this, [this] { --m_open; });
        auto *idle = new QTimer(socket);
        idle->setSingleShot(true);
        idle->setInterval(m_idleTimeoutMs);
        connect(idle, &QTimer::timeout, socket, [socket] { socket->abort(); });
        connect(socket, &QTcpSocket::bytesWritten, idle, qOverload<>(&QTimer::start));
        idle->start();
        // Connected before QHttpServer's own readyRead handler, so it runs first.
        auto received = std::make_shared<qint64>(0);
        connect(socket, &QTcpSocket::bytesWritten, socket, [received] { *received = 0; });
        auto limit = std::make_shared<qint64>(m_maxRequestBytes);
        connect(
            socket, &QTcpSocket::readyRead, socket,
            [socket, received, limit, idle, normal = m_maxRequestBytes, upload = m_maxUploadBytes] {
                idle->start();
                if (*received == 0) {
                    // A new request: its request line says which limit holds.
                    static const QByteArray merge =
                        "POST " + QByteArray(RestApiServer::kPrefix) + "/results/merge";
                    *limit = socket->peek(merge.size() + 1).startsWith(merge) ? upload : normal;
                }
                *received += socket->bytesAvailable();
                if (*received > *limit)
                    refuse(socket, *limit);
            });
        return socket;
    }

    //! Connections handed to the HTTP server and not yet gone.
    int openConnections() const { return m_open; }

private:
    static QByteArray errorResponse(const QByteArray &status, const QString &message)
    {
        const QByteArray body = QJsonDocument(QJsonObject{{QStringLiteral("error"), message}})
                                    .toJson(QJsonDocument::Compact) +
                                '\n';
        return "HTTP/1.1 " + status +
               "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
               QByteArray::number(body.size()) + "\r\n\r\n" + body;
    }

    void tooMany(QTcpSocket *socket)
    {
        socket->setParent(this);
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        socket->write(errorResponse(
            "503 Service Unavailable",
            QStringLiteral("more than %1 connections are open; try again").arg(m_maxConnections)));
        socket->disconnectFromHost();
    }

    static void refuse(QTcpSocket *socket, qint64 max)
    {
        // Stop QHttpServer (and this guard) from reading the connection, then drop what comes.
        QObject::disconnect(socket, &QTcpSocket::readyRead, nullptr, nullptr);
        QObject::disconnect(socket, &QTcpSocket::bytesWritten, nullptr, nullptr);
        if (socket->isTransactionStarted())
            socket->commitTransaction();
        socket->readAll();
        connect(socket, &QTcpSocket::readyRead, socket, [socket] { socket->readAll(); });
        socket->write(
            errorResponse("413 Payload Too Large",
                          QStringLiteral("the request is larger than %1 bytes").arg(max)));
        socket->disconnectFromHost();
    }

    qint64 m_maxUploadBytes = 0;
    qint64 m_maxRequestBytes;
    int m_maxConnections;
    int m_idleTimeoutMs;
    int m_open = 0;
};

} // namespace

//! Only the canonical text of a positive integer is an id: "+1", "01", " 1", "1.0" or "1%00"
//! would otherwise all read as 1 (QString::toLongLong skips blanks and takes a sign), so one
//! resource would answer to many URLs.
std::optional<qint64> parseRestId(const QString &text)
{
    if (text.isEmpty() || text.size() > 18 || text[0] < u'1' || text[0] > u'9')
        return std::nullopt;
    qint64 id = 0;
    for (const QChar c : text) {
        if (c < u'0' || c > u'9')
            return std::nullopt;
        id = id * 10 + (c.unicode() - u'0');
    }
    return id;
}

RestApiServer::RestApiServer(HistoryStore *store, RestApiOptions options, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_options(std::move(options))
    , m_http(new QHttpServer(this))
{
    m_http->setMissingHandler(
        [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
            handle(request, std::move(responder));
        });
    // Streams of runs this server does not drive (another process writing the same database)
    // only see new intervals by looking; a live run's streams are also fed on every interval.
    auto *poll = new QTimer(this);
    poll->setInterval(1000);
    connect(poll, &QTimer::timeout, this, [this] {
        if (!m_streams.empty())
            feedStreams();
    });
    poll->start();
}

RestApiServer::~RestApiServer()
{
    if (m_live && m_live->session)
        m_live->session->stop(QStringLiteral("the REST API server shut down"));
}

quint16 RestApiServer::listen(const QHostAddress &address, quint16 port, QString *error)
{
    QString dummy;
    QString &why = error ? *error : dummy;
    if (m_options.token.isEmpty()) {
        why = QStringLiteral("refusing to serve without an API token");
        return 0;
    }
    if (!m_store || !m_store->isOpen()) {
        why = QStringLiteral("the history database is not open");
        return 0;
    }
    if (m_port != 0) {
        why = QStringLiteral("the REST API already listens on port %1").arg(m_port);
        return 0;
    }
    // Room for the request line and headers on top of the body limit.
    auto *tcp = new GuardedTcpServer(m_options.maxBodyBytes + 64 * 1024,
                                     m_options.maxResultBytes + 64 * 1024, m_options.maxConnections,
                                     m_options.idleTimeoutMs, m_http);
    if (!tcp->listen(address, port)) {
        why = QStringLiteral("cannot listen on %1:%2: %3")
                  .arg(address.toString())
                  .arg(port)
                  .arg(tcp->errorString());
        delete tcp;
        return 0;
    }
    m_http->bind(tcp);
    m_port = tcp->serverPort();
    return m_port;
}

bool RestApiServer::isRunning() const
{
    return m_live && m_live->running;
}

qint64 RestApiServer::runningResultId() const
{
    return isRunning() ? m_live->resultId : 0;
}

void RestApiServer::stopRun(const QString &reason)
{
    if (isRunning() && m_live->session)
        m_live->session->stop(reason);
}

void RestApiServer::handle(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    // Copied out at once: QHttpServer reuses the request object for the connection's next one.
    Request r;
    r.method = methodName(request.method());
    r.path = request.url().path();
    r.query = request.query();
    r.body = request.body();
    r.headers = request.headers();
    bool streaming = false;
    const Reply reply = route(r, responder, &streaming);
    if (!streaming)
        send(responder, reply);
}

void RestApiServer::send(QHttpServerResponder &responder, const Reply &reply)
{
    const QByteArray body = QJsonDocument(reply.body).toJson(QJsonDocument::Compact) + '\n';
    responder.writeStatusLine(QHttpServerResponder::StatusCode(reply.status));
    responder.writeHeader(QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json"));
    responder.writeHeader(QByteArrayLiteral("Content-Length"), QByteArray::number(body.size()));
    responder.writeHeader(QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-store"));
    for (const auto &header : reply.headers)
        responder.writeHeader(header.first, header.second);
    responder.writeBody(body);
}

RestApiServer::Reply RestApiServer::route(const Request &request, QHttpServerResponder &responder,
                                          bool *streaming)
{
    // Authentication comes first: without the token nothing else (not even 404) is revealed.
    const QByteArray authorization = request.header(QByteArrayLiteral("authorization")).trimmed();
    const bool bearer =
        authorization.size() > 7 &&
        authorization.left(7).compare(QByteArrayLiteral("Bearer "), Qt::CaseInsensitive) == 0;
    if (!bearer ||
        !apiTokenMatches(QString::fromLatin1(authorization.mid(7).trimmed()), m_options.token)) {
        Reply reply = Reply::error(401, bearer ? QStringLiteral("invalid API token")
                                               : QStringLiteral("missing \"Authorization: Bearer "
                                                                "<token>\" header"));
        reply.headers.append(
            {QByteArrayLiteral("WWW-Authenticate"),
             bearer ? QByteArrayLiteral("Bearer realm=\"loadscope\", error=\"invalid_token\"")
                    : QByteArrayLiteral("Bearer realm=\"loadscope\"")});
        return reply;
    }
    const QString prefix = QString::fromLatin1(kPrefix);
    const QString mergeRoute = prefix + QStringLiteral("/results/merge");
    const qint64 bodyLimit = request.path == mergeRoute || request.path == mergeRoute + u'/'
                                 ? m_options.maxResultBytes
                                 : m_options.maxBodyBytes;
    bool lengthOk = true;
    const qint64 declared =
        request.header(QByteArrayLiteral("content-length")).toLongLong(&lengthOk);
    if ((lengthOk && declared > bodyLimit) || request.body.size() > bodyLimit)
        return Reply::error(
            413, QStringLiteral("the request body is larger than %1 bytes").arg(bodyLimit));

    if (request.path == prefix || request.path == prefix + u'/') {
        if (request.method == "GET")
            return describe();
        Reply reply =
            Reply::error(405, QStringLiteral("method ") + QString::fromLatin1(request.method) +
                                  QStringLiteral(" not allowed on ") + request.path +
                                  QStringLiteral("; use GET"));
        reply.headers.append({QByteArrayLiteral("Allow"), QByteArrayLiteral("GET")});
        return reply;
    }
    if (!request.path.startsWith(prefix + u'/'))
        return Reply::error(404, QStringLiteral("no route ") + quoted(request.path) +
                                     QStringLiteral(" (every route starts with ") + prefix +
                                     QStringLiteral("/)"));
    const QStringList parts = request.path.mid(prefix.size()).split(u'/', Qt::SkipEmptyParts);
    const QByteArray &method = request.method;
    const auto allow = [&request](const QByteArray &methods) {
        Reply reply =
            Reply::error(405, QStringLiteral("method ") + QString::fromLatin1(request.method) +
                                  QStringLiteral(" not allowed on ") + request.path +
                                  QStringLiteral("; use ") + QString::fromLatin1(methods));
        reply.headers.append({QByteArrayLiteral("Allow"), methods});
        return reply;
    };
    const auto badId = [](const char *what, const QString &id) {
        return Reply::error(400,
                            quoted(id) + QStringLiteral(" is not a ") + QString::fromLatin1(what) +
                                QStringLiteral(" id (ids are positive decimal integers "
                                               "without sign, blanks or leading zeros)"),
                            QStringLiteral("id"));
    };

    bool loopRoute = false;
    Reply loopReply = routeLoop(parts, request, &loopRoute);
    if (loopRoute)
        return loopReply;
    if (parts.size() == 1 && parts[0] == QLatin1String("tests")) {
        if (method == "GET")
            return listTests();
        if (method == "POST")
            return createTest(request);
        return allow("GET, POST");
    }
    if (parts.size() == 1 && parts[0] == QLatin1String("load-test"))
        return method == "POST" ? loadTest(request) : allow("POST");
    if (parts.size() >= 2 && parts.size() <= 3 && parts[0] == QLatin1String("tests")) {
        const QString sub = parts.size() == 3 ? parts[2] : QString();
        const QByteArray expected = sub.isEmpty()                     ? QByteArrayLiteral("GET")
                                    : sub == QLatin1String("start")   ? QByteArrayLiteral("POST")
                                    : sub == QLatin1String("results") ? QByteArrayLiteral("GET")
                                                                      : QByteArray();
        if (expected.isEmpty())
            return Reply::error(404, QStringLiteral("no route ") + quoted(request.path));
        if (method != expected)
            return allow(expected);
        const auto id = parseRestId(parts[1]);
        if (!id)
            return badId("test", parts[1]);
        if (sub.isEmpty())
            return getTest(*id);
        if (sub == QLatin1String("start"))
            return startTest(*id, request);
        return testResults(*id);
    }
    if (parts.size() == 2 && parts[0] == QLatin1String("results") &&
        parts[1] == QLatin1String("merge")) {
        if (method == "POST")
            return mergeResults(request);
        return method == "GET" ? pendingMerges() : allow("GET, POST");
    }
    if (parts.size() >= 2 && parts.size() <= 3 && parts[0] == QLatin1String("results")) {
        if (parts.size() == 3 && parts[2] != QLatin1String("samples"))
            return Reply::error(404, QStringLiteral("no route ") + quoted(request.path));
        if (method != "GET")
            return allow("GET");
        const auto id = parseRestId(parts[1]);
        if (!id)
            return badId("result", parts[1]);
        if (parts.size() == 2)
            return getResult(*id);
        return getSamples(*id, request, responder, streaming);
    }
    return Reply::error(404, QStringLiteral("no route ") + quoted(request.path));
}

} // namespace loadscope
