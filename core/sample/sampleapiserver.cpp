#include "sample/sampleapiserver.h"

#include <algorithm>
#include <cmath>

#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonDocument>
#include <QMetaEnum>
#include <QMutexLocker>
#include <QPointer>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

// HTTP plumbing of the sample API: routing, fault injection and delayed delivery. The
// endpoint handlers are in sampleapiendpoints.cpp.

namespace loadscope {

// A reply held back by injected latency or a stall. QHttpServer 6.4 lets a handler take the
// QHttpServerResponder by rvalue and answer later, so holding never blocks the server thread.
struct SampleApiServer::PendingReply
{
    std::unique_ptr<QHttpServerResponder> responder;
    QPointer<QTcpSocket> socket;
    Reply reply;
    qint64 dueNs = 0;
    bool ready = false;
};

namespace {

QByteArray methodName(const QHttpServerRequest &request)
{
    const char *key =
        QMetaEnum::fromType<QHttpServerRequest::Method>().valueToKey(int(request.method()));
    return key ? QByteArray(key).toUpper() : QByteArrayLiteral("UNKNOWN");
}

QByteArray serverTimingHeader(const QList<QPair<QByteArray, double>> &timings)
{
    QByteArray header;
    for (const auto &metric : timings) {
        if (!header.isEmpty())
            header += ", ";
        header += metric.first + ";dur=" + QByteArray::number(metric.second, 'f', 3);
    }
    return header;
}

double elapsedMs(const QElapsedTimer &timer)
{
    return double(timer.nsecsElapsed()) / 1e6;
}

} // namespace

SampleApiServer::SampleApiServer(const SampleApiOptions &options, QObject *parent)
    : QObject(parent)
    , m_http(new QHttpServer(this))
    , m_instanceTag(QRandomGenerator::global()->generate())
    , m_options(options)
    , m_rng(options.seed)
{
    m_clock.start();
    if (!loadModel(&m_modelError))
        qWarning("SampleApiServer: %ls", qUtf16Printable(m_modelError));

    addRoute(QStringLiteral("/api/health"), "GET", &SampleApiServer::health);
    addRoute(QStringLiteral("/api/bridge/predict"), "POST", &SampleApiServer::predict);
    addRoute(QStringLiteral("/api/bridge/model/reload"), "POST", &SampleApiServer::reloadModel);
    addRoute(QStringLiteral("/api/signals"), "POST", &SampleApiServer::signalsFor);
    addRoute(QStringLiteral("/api/strategy/execute"), "POST", &SampleApiServer::executeStrategy);

    m_http->setMissingHandler([this](const QHttpServerRequest &request,
                                     QHttpServerResponder &&responder) {
        QElapsedTimer timer;
        timer.start();
        const qint64 arrivalNs = m_clock.nsecsElapsed();
        drawInjection(QStringLiteral("unmatched"), true);
        Reply reply;
        reply.status = 404;
        reply.body =
            QJsonObject{{QStringLiteral("error"),
                         QStringLiteral("no route for %1 %2")
                             .arg(QString::fromLatin1(methodName(request)), request.url().path())}};
        reply.timings.append({QByteArrayLiteral("total"), elapsedMs(timer)});
        deliver(std::move(responder), std::move(reply), arrivalNs, 0);
    });
}

SampleApiServer::~SampleApiServer() = default;

quint16 SampleApiServer::listen(const QHostAddress &address, quint16 port, QString *error)
{
    if (m_port != 0) {
        if (error)
            *error = QStringLiteral("the sample API already listens on port %1").arg(m_port);
        return 0;
    }
    // Our own QTcpServer so that a failure (port in use, bad address) has a readable reason.
    auto *tcp = new QTcpServer(m_http);
    if (!tcp->listen(address, port)) {
        if (error)
            *error = QStringLiteral("cannot listen on %1:%2: %3")
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

void SampleApiServer::setOptions(const SampleApiOptions &options)
{
    QMutexLocker locker(&m_mutex);
    m_options = options;
    m_rng.seed(options.seed);
    m_stallAnchorNs = m_clock.nsecsElapsed();
    m_capacityTatNs = 0;
}

SampleApiOptions SampleApiServer::options() const
{
    QMutexLocker locker(&m_mutex);
    return m_options;
}

SampleApiCounters SampleApiServer::counters() const
{
    QMutexLocker locker(&m_mutex);
    return m_counters;
}

void SampleApiServer::addRoute(const QString &path, const QByteArray &method, Handler handler)
{
    // Routes accept every method so that a wrong one gets 405 rather than the 404 handler.
    m_http->route(path, [this, path, method, handler](const QHttpServerRequest &request,
                                                      QHttpServerResponder &&responder) {
        dispatch(path, method, handler, request, std::move(responder));
    });
}

void SampleApiServer::dispatch(const QString &path, const QByteArray &method, Handler handler,
                               const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    QElapsedTimer timer;
    timer.start();
    const qint64 arrivalNs = m_clock.nsecsElapsed();
    const QByteArray requestMethod = methodName(request);
    const bool methodAllowed = requestMethod == method;
    const Injection injection = drawInjection(path, !methodAllowed);

    Reply reply;
    if (!methodAllowed) {
        reply.status = 405;
        reply.allow = method;
        reply.body = QJsonObject{
            {QStringLiteral("error"),
             QStringLiteral("method %1 not allowed on %2; use %3")
                 .arg(QString::fromLatin1(requestMethod), path, QString::fromLatin1(method))}};
    } else if (injection.overCapacity) {
        reply.status = 503;
        reply.body = QJsonObject{
            {QStringLiteral("error"),
             QStringLiteral("over capacity: the queue of requests waiting for the %1 req/s "
                            "capacity is full")
                 .arg(options().capacityRps)}};
    } else if (injection.error) {
        reply.status = 500;
        reply.body = QJsonObject{
            {QStringLiteral("error"), QStringLiteral("injected error (errorRate option)")}};
    } else if (method == "GET") {
        reply = (this->*handler)(QJsonObject());
    } else {
        const QByteArray body = request.body();
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
        QString problem;
        if (body.trimmed().isEmpty())
            problem = QStringLiteral("request body is empty; expected a JSON object");
        else if (parseError.error != QJsonParseError::NoError)
            problem = QStringLiteral("invalid JSON at offset %1: %2")
                          .arg(parseError.offset)
                          .arg(parseError.errorString());
        else if (!document.isObject())
            problem = QStringLiteral("request body must be a JSON object");
        if (problem.isEmpty()) {
            reply = (this->*handler)(document.object());
        } else {
            reply.status = 400;
            reply.body = QJsonObject{{QStringLiteral("error"), problem}};
        }
    }
    // Waiting for capacity is time spent in the server, so "total" includes it.
    const double queueMs = double(injection.queueNs) / 1e6;
    if (injection.queueNs > 0)
        reply.timings.append({QByteArrayLiteral("queue"), queueMs});
    reply.timings.append({QByteArrayLiteral("total"), elapsedMs(timer) + queueMs});
    deliver(std::move(responder), std::move(reply), arrivalNs, injection.delayNs);
}

SampleApiServer::Injection SampleApiServer::drawInjection(const QString &routeKey, bool countOnly)
{
    const qint64 nowNs = m_clock.nsecsElapsed();
    QMutexLocker locker(&m_mutex);
    ++m_counters.requests;
    ++m_counters.requestsByRoute[routeKey];
    Injection out;
    if (countOnly)
        return out;
    const SampleApiOptions &o = m_options;
    if (o.capacityRps > 0.0) {
        // A fixed service rate, FIFO across all connections, as a virtual clock (GCRA): each
        // request takes the next 1/capacity slot and waits for it. A burst of 20 ms' worth
        // passes unqueued so that a client's scheduling hiccup does not read as overload;
        // sustained excess waits ever longer until the queue is full, then gets 503 at once.
        const double periodNs = 1e9 / o.capacityRps;
        const double burstNs = std::max(0.0, std::floor(0.02 * o.capacityRps) - 1.0) * periodNs;
        const double queueLimit =
            o.capacityQueue > 0 ? double(o.capacityQueue) : std::max(1.0, std::ceil(o.capacityRps));
        const double now = double(nowNs);
        const double tat = std::max(m_capacityTatNs, now);
        const double waitNs = std::max(0.0, tat - burstNs - now);
        if (waitNs > queueLimit * periodNs) {
            out.overCapacity = true;
            ++m_counters.rejectedOverCapacity;
            return out;
        }
        m_capacityTatNs = tat + periodNs;
        out.queueNs = qint64(waitNs);
    }
    if (o.errorRate > 0.0) {
        const double draw = double(m_rng() >> 11) * (1.0 / 9007199254740992.0);
        out.error = draw < o.errorRate;
        if (out.error)
            ++m_counters.errorsInjected;
    }
    qint64 latencyNs = qint64(std::max(o.latencyMs, 0)) * 1000000;
    if (o.jitterMs > 0)
        latencyNs += qint64(m_rng() % quint64(qint64(o.jitterMs) * 1000000 + 1));
    qint64 stallWaitNs = 0;
    if (o.stallEverySec > 0.0 && o.stallMs > 0) {
        // Stall k covers [k*P, k*P + S) after the anchor (k >= 1, so a fresh server or a fresh
        // setting starts un-stalled); a request arriving inside waits for the stall's end.
        const auto periodNs = qint64(o.stallEverySec * 1e9);
        const qint64 stallNs = qint64(o.stallMs) * 1000000;
        const qint64 t = nowNs - m_stallAnchorNs;
        const qint64 k = periodNs > 0 ? t / periodNs : 0;
        if (k >= 1 && t - k * periodNs < stallNs)
            stallWaitNs = k * periodNs + stallNs - t;
    }
    out.delayNs = out.queueNs + stallWaitNs + latencyNs;
    return out;
}

void SampleApiServer::deliver(QHttpServerResponder &&responder, Reply reply, qint64 arrivalNs,
                              qint64 delayNs)
{
    QTcpSocket *socket = responder.socket();
    auto queue = m_pending.find(socket);
    const bool queued = queue != m_pending.end() && !queue->empty();
    if (delayNs <= 0 && !queued) {
        writeReply(responder, reply);
        return;
    }
    if (queue == m_pending.end()) {
        // Keyed by socket so that pipelined replies leave in request order.
        queue = m_pending.insert(socket, {});
        connect(socket, &QObject::destroyed, this, [this, socket] { m_pending.remove(socket); });
    }
    auto entry = std::make_shared<PendingReply>();
    entry->responder = std::make_unique<QHttpServerResponder>(std::move(responder));
    entry->socket = socket;
    entry->reply = std::move(reply);
    entry->dueNs = arrivalNs + delayNs;
    entry->ready = delayNs <= 0;
    queue->push_back(entry);
    if (entry->ready)
        flush(socket);
    else
        scheduleDue(entry);
}

void SampleApiServer::scheduleDue(const std::shared_ptr<PendingReply> &entry)
{
    const qint64 remainingNs = entry->dueNs - m_clock.nsecsElapsed();
    const int ms = int(std::max<qint64>(0, (remainingNs + 999999) / 1000000));
    std::weak_ptr<PendingReply> weak = entry;
    // Precise timer: a coarse one may fire up to 5 % early, and a lower bound on the injected
    // latency is what tests and users rely on.
    QTimer::singleShot(ms, Qt::PreciseTimer, this, [this, weak] {
        const std::shared_ptr<PendingReply> pending = weak.lock();
        if (!pending)
            return; // the connection went away
        if (m_clock.nsecsElapsed() < pending->dueNs) {
            scheduleDue(pending);
            return;
        }
        pending->ready = true;
        flush(pending->socket);
    });
}

void SampleApiServer::flush(QTcpSocket *socket)
{
    const auto queue = m_pending.find(socket);
    if (queue == m_pending.end())
        return;
    while (!queue->empty() && queue->front()->ready) {
        const std::shared_ptr<PendingReply> entry = queue->front();
        queue->pop_front();
        if (entry->socket && entry->socket->state() == QAbstractSocket::ConnectedState)
            writeReply(*entry->responder, entry->reply);
    }
}

void SampleApiServer::writeReply(QHttpServerResponder &responder, const Reply &reply)
{
    const QByteArray body = QJsonDocument(reply.body).toJson(QJsonDocument::Compact);
    responder.writeStatusLine(QHttpServerResponder::StatusCode(reply.status));
    responder.writeHeader(QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json"));
    responder.writeHeader(QByteArrayLiteral("Content-Length"), QByteArray::number(body.size()));
    responder.writeHeader(QByteArrayLiteral("Server-Timing"), serverTimingHeader(reply.timings));
    if (!reply.allow.isEmpty())
        responder.writeHeader(QByteArrayLiteral("Allow"), reply.allow);
    responder.writeBody(body);
}

} // namespace loadscope
