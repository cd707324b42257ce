#include "qnamtransport.h"

#include <ctime>

#include <QMetaObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#ifndef QT_NO_SSL
#include <QSslConfiguration>

#include "engine/steadyclock.h"
#endif

namespace loadscope {

namespace {

constexpr int kTickMs = 50;
// Qt opens at most 6 HTTP/1.1 connections per host and manager; more would queue inside it.
constexpr int kConnectionsPerManager = 6;

ErrorClass errorClassFor(QNetworkReply::NetworkError error, int status)
{
    switch (error) {
    case QNetworkReply::NoError:
        return errorClassForStatus(status);
    case QNetworkReply::ConnectionRefusedError:
    case QNetworkReply::NetworkSessionFailedError:
    case QNetworkReply::TemporaryNetworkFailureError:
    case QNetworkReply::BackgroundRequestNotAllowedError:
    case QNetworkReply::ProxyConnectionRefusedError:
    case QNetworkReply::ProxyConnectionClosedError:
    case QNetworkReply::ProxyTimeoutError:
    case QNetworkReply::UnknownProxyError:
        return ErrorClass::Connect;
    case QNetworkReply::HostNotFoundError:
    case QNetworkReply::ProxyNotFoundError:
        return ErrorClass::Dns;
    case QNetworkReply::TimeoutError:
    case QNetworkReply::OperationCanceledError: // Qt's transfer timeout; our aborts never get here
        return ErrorClass::Timeout;
    case QNetworkReply::SslHandshakeFailedError:
        return ErrorClass::Tls;
    case QNetworkReply::RemoteHostClosedError:
        return ErrorClass::Reset;
    case QNetworkReply::ProtocolFailure:
    case QNetworkReply::ProtocolUnknownError:
    case QNetworkReply::ProtocolInvalidOperationError:
    case QNetworkReply::InsecureRedirectError:
    case QNetworkReply::TooManyRedirectsError:
    case QNetworkReply::UnknownNetworkError:
        return ErrorClass::Protocol;
    default:
        // The rest are Qt's names for HTTP statuses (ContentNotFoundError = 404, ...,
        // ProxyAuthenticationRequiredError = 407): the status decides.
        return status > 0 ? errorClassForStatus(status) : ErrorClass::Protocol;
    }
}

qint64 requestBytes(const HttpRequestData &request)
{
    // Request line + headers + blank line + body, as an HTTP/1.1 client would write them.
    qint64 n = request.method.size() + request.target.size() + 12 + request.body.size();
    for (const auto &header : request.headers)
        n += header.first.size() + header.second.size() + 4;
    return n;
}

} // namespace

//! One virtual user's requests through a manager of the transport.
class QnamConnection final : public HttpTransportConnection
{
public:
    QnamConnection(QnamTransport *transport, int index)
        : m_transport(transport)
        , m_index(index)
    {}
    ~QnamConnection() override { abort(); }
    Q_DISABLE_COPY_MOVE(QnamConnection)

    bool send(const PreparedRequest &request, bool captureResponse, HttpTransportSink *sink,
              quint64 tag) override
    {
        if (m_busy || !request.isValid())
            return false;
        m_recipient.set(sink, tag);
        begin(request, captureResponse);
        return true;
    }

    bool send(const PreparedRequest &request, bool captureResponse, Callback callback) override
    {
        if (m_busy || !request.isValid())
            return false;
        m_recipient.set(std::move(callback));
        begin(request, captureResponse);
        return true;
    }

    bool isBusy() const override { return m_busy; }

    void abort() override
    {
        ++m_generation; // a queued delivery of the dropped request is ignored
        dropReply();
        if (m_busy) {
            m_busy = false;
            m_recipient.clear();
            m_transport->m_inFlight.ended();
        }
    }

    void checkDeadline(qint64 nowNs)
    {
        if (!m_busy || m_reply == nullptr || nowNs < m_deadlineNs)
            return;
        dropReply();
        fillTiming(nowNs);
        m_result.error = ErrorClass::Timeout;
        m_result.errorText = QStringLiteral("no response from %1 within %2 ms")
                                 .arg(m_transport->m_targetText)
                                 .arg(m_transport->m_options.requestTimeoutMs);
        deliver();
    }

private:
    void begin(const PreparedRequest &prepared, bool capture)
    {
        m_busy = true;
        m_capture = capture;
        m_transport->m_inFlight.started();
        m_result = HttpResult();
        m_result.startNs = steadyNowNs();
        if (!prepared.refusal.isEmpty() || !prepared.request) {
            m_result.error = ErrorClass::Check;
            m_result.errorText = prepared.refusal;
            deliverLater();
            return;
        }
        const HttpRequestData &request = *prepared.request;
        m_result.bytesOut = requestBytes(request);
        m_deadlineNs = m_result.startNs + qint64(m_transport->m_options.requestTimeoutMs) * 1000000;
        m_connectNs = m_encryptedNs = m_sentNs = m_firstByteNs = 0;
        m_bodyBytes = 0;
        if (!m_transport->m_proxyError.isEmpty()) {
            m_result.error = ErrorClass::Connect;
            m_result.errorText = m_transport->m_proxyError;
            deliverLater();
            return;
        }
        QNetworkAccessManager *manager = m_transport->managerFor(m_index);
        const QNetworkRequest networkRequest = m_transport->networkRequest(request);
        const QByteArray method =
            request.method.isEmpty() ? QByteArrayLiteral("GET") : request.method.toUpper();
        m_reply = method == "HEAD"
                      ? manager->head(networkRequest)
                      : manager->sendCustomRequest(networkRequest, method, request.body);
        QNetworkReply *reply = m_reply;
        QObject *context = m_transport;
        QObject::connect(reply, &QNetworkReply::socketStartedConnecting, context,
                         [this] { m_connectNs = steadyNowNs(); });
        QObject::connect(reply, &QNetworkReply::encrypted, context,
                         [this] { m_encryptedNs = steadyNowNs(); });
        QObject::connect(reply, &QNetworkReply::requestSent, context,
                         [this] { m_sentNs = steadyNowNs(); });
        QObject::connect(reply, &QNetworkReply::metaDataChanged, context, [this] {
            if (m_firstByteNs == 0)
                m_firstByteNs = steadyNowNs();
        });
        QObject::connect(reply, &QNetworkReply::readyRead, context, [this] { readBody(); });
#ifndef QT_NO_SSL
        if (m_transport->m_options.insecureSkipVerify) {
            QObject::connect(reply, &QNetworkReply::sslErrors, context,
                             [reply] { reply->ignoreSslErrors(); });
        }
#endif
        QObject::connect(reply, &QNetworkReply::finished, context, [this] { onFinished(); });
    }

    void readBody()
    {
        if (m_firstByteNs == 0)
            m_firstByteNs = steadyNowNs();
        // Qt closes the reply when its own transfer timeout aborts it.
        const QByteArray chunk = m_reply->isOpen() ? m_reply->readAll() : QByteArray();
        m_bodyBytes += chunk.size();
        if (!m_capture)
            return;
        const qint64 room = m_transport->m_options.maxCapturedBodyBytes - m_result.body.size();
        const qint64 take = qMin<qint64>(room, chunk.size());
        if (take > 0)
            m_result.body.append(chunk.constData(), qsizetype(take));
        if (take < chunk.size())
            m_result.bodyTruncated = true;
    }

    void onFinished()
    {
        QNetworkReply *reply = m_reply;
        if (reply == nullptr)
            return;
        readBody();
        const qint64 end = steadyNowNs();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        m_result.status = status;
        m_result.protocol = reply->attribute(QNetworkRequest::Http2WasUsedAttribute).toBool()
                                ? HttpProtocol::Http2
                                : HttpProtocol::Http11;
        m_result.error = errorClassFor(reply->error(), status);
        if (m_result.error == ErrorClass::Http4xx || m_result.error == ErrorClass::Http5xx)
            m_result.errorText = QStringLiteral("HTTP %1").arg(status);
        else if (m_result.error != ErrorClass::None)
            m_result.errorText =
                m_transport->m_targetText + QStringLiteral(": ") + reply->errorString();
        m_result.serverTiming = reply->rawHeader("Server-Timing");
        const auto &pairs = reply->rawHeaderPairs();
        qint64 headerBytes = status > 0 ? 17 : 0; // "HTTP/1.1 200 OK\r\n"
        for (const auto &pair : pairs)
            headerBytes += pair.first.size() + pair.second.size() + 4;
        m_result.bytesIn = status > 0 ? headerBytes + 2 + m_bodyBytes : m_bodyBytes;
        if (m_capture)
            m_result.headers = pairs;
        fillTiming(end);
        dropReply();
        deliver();
    }

    void fillTiming(qint64 endNs)
    {
        RequestTiming &t = m_result.timing;
        const qint64 connected = m_encryptedNs != 0 ? m_encryptedNs : m_sentNs;
        if (m_connectNs != 0 && connected >= m_connectNs)
            t.connectingUs = (connected - m_connectNs) / 1000;
        const qint64 sendStart = m_connectNs != 0 && connected != 0 ? connected : m_result.startNs;
        const qint64 sent = m_sentNs != 0 ? m_sentNs : (m_firstByteNs != 0 ? m_firstByteNs : endNs);
        t.sendingUs = qMax<qint64>(0, sent - sendStart) / 1000;
        if (m_firstByteNs != 0) {
            t.waitingUs = qMax<qint64>(0, m_firstByteNs - sent) / 1000;
            t.receivingUs = qMax<qint64>(0, endNs - qMax(m_firstByteNs, sent)) / 1000;
        } else {
            t.waitingUs = qMax<qint64>(0, endNs - sent) / 1000;
        }
        t.durationUs = t.sendingUs + t.waitingUs + t.receivingUs;
    }

    void dropReply()
    {
        if (m_reply == nullptr)
            return;
        QNetworkReply *reply = m_reply;
        m_reply = nullptr;
        QObject::disconnect(reply, nullptr, m_transport, nullptr);
        if (reply->isRunning())
            reply->abort();
        reply->deleteLater();
    }

    void deliverLater()
    {
        // Never call back from inside send().
        const quint64 generation = m_generation;
        QMetaObject::invokeMethod(
            m_transport,
            [this, generation] {
                if (m_busy && generation == m_generation)
                    deliver();
            },
            Qt::QueuedConnection);
    }

    void deliver()
    {
        m_busy = false;
        m_transport->m_inFlight.ended();
        HttpResult result = std::move(m_result);
        m_recipient.deliver(this, result);
    }

    QnamTransport *m_transport;
    int m_index;
    QNetworkReply *m_reply = nullptr;
    bool m_busy = false;
    bool m_capture = false;
    quint64 m_generation = 0;
    ResultRecipient m_recipient;
    HttpResult m_result;
    qint64 m_deadlineNs = 0;
    qint64 m_connectNs = 0;
    qint64 m_encryptedNs = 0;
    qint64 m_sentNs = 0;
    qint64 m_firstByteNs = 0;
    qint64 m_bodyBytes = 0;
};

QnamTransport::QnamTransport(const LeanHttpTransport::Target &target, const Options &options,
                             QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_tls(target.tls)
    , m_proxy(QNetworkProxy::NoProxy)
    , m_inFlight(this, kTickMs, [this](qint64 now) {
        // Index loop: a callback may create connections while we scan.
        for (size_t i = 0; i < m_connections.size(); ++i)
            m_connections[i]->checkDeadline(now);
    })
{
    m_origin.setScheme(m_tls ? QStringLiteral("https") : QStringLiteral("http"));
    m_origin.setHost(QString::fromLatin1(target.host));
    m_origin.setPort(target.port);
    m_originPrefix = m_origin.toEncoded();
    m_targetText = m_origin.authority(QUrl::FullyEncoded);

    if (!m_options.proxy.isEmpty()) {
        const QUrl url(m_options.proxy, QUrl::StrictMode);
        const QString scheme = url.scheme().toLower();
        const bool socks = scheme == QLatin1String("socks5");
        // Qt has no TLS-to-the-proxy type; an https:// proxy URL is spoken to as HTTP CONNECT.
        if (!url.isValid() || url.host().isEmpty() ||
            (!socks && scheme != QLatin1String("http") && scheme != QLatin1String("https"))) {
            m_proxyError = QStringLiteral("proxy: \"%1\" is not an http:// or socks5:// URL")
                               .arg(m_options.proxy);
        } else {
            m_proxy =
                QNetworkProxy(socks ? QNetworkProxy::Socks5Proxy : QNetworkProxy::HttpProxy,
                              url.host(), quint16(url.port(socks ? 1080 : 8080)),
                              url.userName(QUrl::FullyDecoded), url.password(QUrl::FullyDecoded));
        }
    }
}

QnamTransport::~QnamTransport()
{
    abortAll();
    m_connections.clear(); // before the managers (children) go
}

PreparedRequest QnamTransport::prepare(const HttpRequestData &request) const
{
    PreparedRequest prepared;
    prepared.maxRedirects = request.maxRedirects;
    // As in the lean transport: nothing with a line break in a value reaches Qt.
    prepared.refusal = requestDefect(request);
    if (!prepared.refusal.isEmpty())
        return prepared;
    prepared.isHead = request.method.compare("HEAD", Qt::CaseInsensitive) == 0;
    HttpRequestData encoded = request;
    encoded.target = encodeRequestTarget(request.target);
    prepared.request = std::make_shared<const HttpRequestData>(std::move(encoded));
    return prepared;
}

QNetworkRequest QnamTransport::networkRequest(const HttpRequestData &request) const
{
    const QByteArray target = request.target.isEmpty() ? QByteArrayLiteral("/") : request.target;
    QNetworkRequest out(QUrl::fromEncoded(m_originPrefix + target));
    for (const auto &header : request.headers)
        out.setRawHeader(header.first, header.second);
    if (!m_options.hostHeader.isEmpty() && !out.hasRawHeader("Host"))
        out.setRawHeader("Host", m_options.hostHeader);
    out.setAttribute(QNetworkRequest::Http2AllowedAttribute, m_options.http2);
    if (m_options.http2 && !m_tls) {
        out.setAttribute(m_options.h2cPriorKnowledge
                             ? QNetworkRequest::Http2DirectAttribute
                             : QNetworkRequest::Http2CleartextAllowedAttribute,
                         true);
    }
    // Redirects as the lean transport follows them: up to maxRedirects, to the same host only
    // (Qt 6 would otherwise follow up to 50, to any host a response names).
    if (request.maxRedirects > 0) {
        out.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::SameOriginRedirectPolicy);
        out.setMaximumRedirectsAllowed(request.maxRedirects);
    } else {
        out.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    }
    // Load tests measure the server, not a cache, and never store cookies between VUs.
    out.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    out.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    out.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    out.setTransferTimeout(m_options.requestTimeoutMs);
#ifndef QT_NO_SSL
    if (m_tls && m_options.insecureSkipVerify) {
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        ssl.setPeerVerifyMode(QSslSocket::VerifyNone);
        out.setSslConfiguration(ssl);
    }
#endif
    return out;
}

QNetworkAccessManager *QnamTransport::managerFor(int connectionIndex)
{
    // With HTTP/2 one connection multiplexes every stream, so one manager serves all.
    const size_t slot = m_options.http2 ? 0 : size_t(connectionIndex / kConnectionsPerManager);
    while (m_managers.size() <= slot) {
        auto *manager = new QNetworkAccessManager(this);
        manager->setProxy(m_proxy);
        manager->setAutoDeleteReplies(false);
        m_managers.push_back(manager);
    }
    return m_managers[slot];
}

HttpTransportConnection *QnamTransport::createConnection()
{
    m_connections.push_back(std::make_unique<QnamConnection>(this, int(m_connections.size())));
    return m_connections.back().get();
}

int QnamTransport::abortAll()
{
    int dropped = 0;
    for (const auto &connection : m_connections) {
        if (connection->isBusy()) {
            connection->abort();
            ++dropped;
        }
    }
    return dropped;
}

void QnamTransport::closeAll()
{
    abortAll();
    for (QNetworkAccessManager *manager : m_managers)
        manager->clearConnectionCache();
}

} // namespace loadscope
