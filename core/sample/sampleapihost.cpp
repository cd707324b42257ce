#include "sample/sampleapihost.h"

#include <QMetaObject>
#include <QThread>

namespace loadscope {

SampleApiHost::SampleApiHost(const SampleApiOptions &options)
    : m_options(options)
{}

SampleApiHost::~SampleApiHost()
{
    stop();
}

quint16 SampleApiHost::start(const QHostAddress &address, quint16 port, QString *error)
{
    if (m_server) {
        if (error)
            *error = QStringLiteral("the sample API already runs on port %1").arg(m_port);
        return 0;
    }
    m_thread = std::make_unique<QThread>();
    m_thread->setObjectName(QStringLiteral("loadscope-sample-api"));
    // Created here, then moved: its QHttpServer and every socket it accepts belong to m_thread.
    m_server = new SampleApiServer(m_options);
    m_server->moveToThread(m_thread.get());
    m_thread->start();

    quint16 bound = 0;
    QString listenError;
    SampleApiServer *server = m_server;
    QMetaObject::invokeMethod(
        m_server,
        [server, address, port, &bound, &listenError] {
            bound = server->listen(address, port, &listenError);
        },
        Qt::BlockingQueuedConnection);
    if (bound == 0) {
        if (error)
            *error = listenError;
        stop();
        return 0;
    }
    m_address = address;
    m_port = bound;
    return bound;
}

void SampleApiHost::stop()
{
    if (!m_thread)
        return;
    Q_ASSERT(QThread::currentThread() != m_thread.get());
    if (m_server) {
        SampleApiServer *server = m_server;
        // Deleted on its own thread: its sockets and timers must not be touched from here.
        QMetaObject::invokeMethod(
            server, [server] { delete server; }, Qt::BlockingQueuedConnection);
        m_server = nullptr;
    }
    m_thread->quit();
    m_thread->wait();
    m_thread.reset();
    m_port = 0;
}

QUrl SampleApiHost::baseUrl() const
{
    if (!m_port)
        return {};
    QHostAddress host = m_address;
    if (host == QHostAddress::Any || host == QHostAddress::AnyIPv4)
        host = QHostAddress::LocalHost;
    else if (host == QHostAddress::AnyIPv6)
        host = QHostAddress::LocalHostIPv6;
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(host.toString());
    url.setPort(m_port);
    return url;
}

void SampleApiHost::setOptions(const SampleApiOptions &options)
{
    m_options = options;
    if (m_server)
        m_server->setOptions(options);
}

SampleApiOptions SampleApiHost::options() const
{
    return m_options;
}

SampleApiCounters SampleApiHost::counters() const
{
    return m_server ? m_server->counters() : SampleApiCounters{};
}

} // namespace loadscope
