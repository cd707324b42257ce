// Benchmark (run by hand, not by CTest): the lean transport against wrk on the same nginx.
//   bench_transport [--rounds=3] [--seconds=5] [--connections=50,500]
// Starts nginx-light on a free loopback port with a temporary configuration, then alternates
// wrk and a closed loop over LeanHttpTransport on one worker thread, and prints requests/s.

#include <atomic>
#include <cstdio>
#include <sys/resource.h>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include "engine/httpconnection.h"
#include "engine/leanhttptransport.h"
#include "referenceserver.h"

using namespace loadscope;
using namespace loadscope::test;

namespace {

// N closed-loop connections on the transport of the thread it runs on; each sends the next
// request as soon as the previous one completes.
class ClosedLoop final : public QObject, public HttpResultSink
{
public:
    ClosedLoop(quint16 port, int connections, int seconds)
        : m_port(port)
        , m_connections(connections)
        , m_seconds(seconds)
    {}

    std::atomic<qint64> completed{0};
    std::atomic<qint64> errors{0};
    std::atomic<qint64> elapsedNs{0};
    std::atomic<bool> finished{false};
    QString firstError;

    void run()
    {
        m_transport = new LeanHttpTransport({QByteArrayLiteral("127.0.0.1"), m_port, false}, this);
        HttpRequestData request;
        request.target = QByteArrayLiteral("/api/health");
        m_request = m_transport->prepare(request);
        m_clock.start();
        for (int i = 0; i < m_connections; ++i)
            m_transport->createConnection()->send(m_request, false, this);
        QTimer::singleShot(m_seconds * 1000, this, [this] {
            m_running = false;
            elapsedNs = m_clock.nsecsElapsed();
            completed = m_completed;
            errors = m_errors;
            m_transport->abortAll();
            delete m_transport;
            m_transport = nullptr;
            finished = true;
        });
    }

    void httpFinished(HttpConnection *connection, quint64, HttpResult &result) override
    {
        if (!m_running)
            return;
        if (result.error == ErrorClass::None) {
            ++m_completed;
        } else {
            if (m_errors++ == 0)
                firstError = result.errorText;
        }
        connection->send(m_request, false, this);
    }

private:
    quint16 m_port;
    int m_connections;
    int m_seconds;
    bool m_running = true;
    qint64 m_completed = 0;
    qint64 m_errors = 0;
    QElapsedTimer m_clock;
    LeanHttpTransport *m_transport = nullptr;
    PreparedRequest m_request;
};

struct LeanRun
{
    double rps = 0;
    qint64 errors = 0;
    double cpuUsPerRequest = 0;
};

LeanRun runLean(quint16 port, int connections, int seconds)
{
    QThread worker;
    worker.setObjectName(QStringLiteral("bench-worker"));
    ClosedLoop loop(port, connections, seconds);
    loop.moveToThread(&worker);
    worker.start();
    const double cpuBefore = cpuSeconds(RUSAGE_SELF);
    QMetaObject::invokeMethod(
        &loop, [&loop] { loop.run(); }, Qt::QueuedConnection);
    while (!loop.finished)
        QThread::msleep(20);
    const double cpu = cpuSeconds(RUSAGE_SELF) - cpuBefore;
    worker.quit();
    worker.wait();
    LeanRun run;
    run.rps = double(loop.completed) / (double(loop.elapsedNs) / 1e9);
    run.errors = loop.errors;
    run.cpuUsPerRequest = loop.completed > 0 ? cpu * 1e6 / double(loop.completed) : 0;
    if (loop.errors > 0)
        std::fprintf(stderr, "lean: %lld errors, first: %s\n", static_cast<long long>(loop.errors),
                     qPrintable(loop.firstError));
    return run;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    int rounds = 3;
    int seconds = 5;
    QList<int> connectionCounts = {50, 500};
    for (const QString &arg : app.arguments().mid(1)) {
        if (arg.startsWith(QLatin1String("--rounds=")))
            rounds = arg.mid(9).toInt();
        else if (arg.startsWith(QLatin1String("--seconds=")))
            seconds = arg.mid(10).toInt();
        else if (arg.startsWith(QLatin1String("--connections="))) {
            connectionCounts.clear();
            for (const QString &n : arg.mid(14).split(u','))
                connectionCounts.append(n.toInt());
        }
    }

    NginxServer nginx;
    QString error;
    if (!nginx.start(&error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    const quint16 port = nginx.port();
    std::printf("nginx on 127.0.0.1:%u, %d s per run, %d rounds\n", port, seconds, rounds);
    // CPU per request is the steadier figure when other processes share the cores.
    std::printf("%-6s %-5s %12s %12s %7s %12s %12s\n", "round", "conns", "wrk req/s", "lean req/s",
                "ratio", "wrk CPU/req", "lean CPU/req");
    for (int round = 1; round <= rounds; ++round) {
        for (int connections : connectionCounts) {
            const WrkRun wrk =
                runWrk(nginx.baseUrl() + QStringLiteral("/api/health"), connections, seconds);
            const LeanRun lean = runLean(port, connections, seconds);
            std::printf("%-6d %-5d %12.0f %12.0f %7.2f %10.2fus %10.2fus\n", round, connections,
                        wrk.rps, lean.rps, wrk.rps > 0 ? lean.rps / wrk.rps : 0.0,
                        wrk.cpuUsPerRequest, lean.cpuUsPerRequest);
            std::fflush(stdout);
        }
    }
    return 0;
}
