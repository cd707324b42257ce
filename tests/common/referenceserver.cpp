#include "referenceserver.h"

#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

#include "engine/tlscertificate.h"

extern char **environ;

namespace loadscope::test {
namespace {

bool waitForPort(quint16 port)
{
    for (int i = 0; i < 100; ++i) {
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, port);
        if (probe.waitForConnected(100))
            return true;
        QThread::msleep(50);
    }
    return false;
}

double parseWrkTime(const QString &value, const QString &unit)
{
    const double v = value.toDouble();
    if (unit == QLatin1String("us"))
        return v / 1000.0;
    if (unit == QLatin1String("s"))
        return v * 1000.0;
    return v; // ms
}

} // namespace

quint16 freeLoopbackPort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

double cpuSeconds(int who)
{
    rusage usage{};
    getrusage(who, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

NginxServer::~NginxServer()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.terminate();
        if (!m_process.waitForFinished(5000))
            m_process.kill();
        m_process.waitForFinished(2000);
    }
}

QString NginxServer::baseUrl() const
{
    return (m_tls ? QStringLiteral("https://127.0.0.1:") : QStringLiteral("http://127.0.0.1:")) +
           QString::number(m_port);
}

bool NginxServer::start(QString *error)
{
    return startServer(false, false, error);
}

bool NginxServer::startTls(QString *error, bool http2)
{
    return startServer(true, http2, error);
}

bool NginxServer::startH2c(QString *error)
{
    return startServer(false, true, error);
}

void NginxServer::addAccessLog(const QString &path, const QString &format)
{
    if (m_logCount++ == 0)
        m_logs.clear();
    if (format.isEmpty()) {
        m_logs += QStringLiteral("  access_log ") + path + QStringLiteral(" combined;\n");
        return;
    }
    const QString name = QStringLiteral("custom") + QString::number(m_logCount);
    m_logs += QStringLiteral("  log_format ") + name + QStringLiteral(" '") + format +
              QStringLiteral("';\n  access_log ") + path + u' ' + name + QStringLiteral(";\n");
}

bool NginxServer::startServer(bool tls, bool http2, QString *error)
{
    m_tls = tls;
    m_port = freeLoopbackPort();
    const QString h2 = http2 ? QStringLiteral(" http2") : QString();
    QString listen = QStringLiteral("listen 127.0.0.1:%1%2;\n").arg(QString::number(m_port), h2);
    if (tls) {
        const TlsCertificate cert = makeSelfSignedCertificate(
            {QByteArrayLiteral("127.0.0.1"), QByteArrayLiteral("localhost")}, 2, error);
        QFile certFile(m_dir.filePath(QStringLiteral("cert.pem")));
        QFile keyFile(m_dir.filePath(QStringLiteral("key.pem")));
        if (cert.isNull() || !certFile.open(QIODevice::WriteOnly) ||
            certFile.write(cert.certificatePem) < 0 || !keyFile.open(QIODevice::WriteOnly) ||
            keyFile.write(cert.privateKeyPem) < 0) {
            if (!cert.isNull())
                *error = QStringLiteral("cannot write the certificate into ") + m_dir.path();
            return false;
        }
        listen = QStringLiteral("listen 127.0.0.1:%1 ssl%2;\n"
                                "    ssl_certificate %3;\n"
                                "    ssl_certificate_key %4;\n"
                                "    ssl_protocols TLSv1.2 TLSv1.3;\n")
                     .arg(QString::number(m_port), h2, certFile.fileName(), keyFile.fileName());
    }
    const QString config =
        QStringLiteral("worker_processes 1;\n"
                       "daemon off;\n"
                       "pid %1/nginx.pid;\n"
                       "error_log %1/error.log;\n"
                       "events { worker_connections 8192; }\n"
                       "http {\n"
                       "%3"
                       "  default_type application/json;\n"
                       "  keepalive_timeout 65;\n"
                       "  keepalive_requests 100000000;\n"
                       "  client_body_temp_path %1/body;\n"
                       "  server {\n"
                       "    %2"
                       "    location /api/health { return 200 '{\"status\":\"ok\"}'; }\n"
                       "%4"
                       "  }\n"
                       "}\n")
            .arg(m_dir.path(), listen, m_logs, m_locations);
    QFile file(m_dir.filePath(QStringLiteral("nginx.conf")));
    if (!file.open(QIODevice::WriteOnly) || file.write(config.toUtf8()) < 0) {
        *error = QStringLiteral("cannot write ") + file.fileName();
        return false;
    }
    file.close();
    m_process.setProcessChannelMode(QProcess::ForwardedChannels);
    m_process.start(QStringLiteral("nginx"),
                    {QStringLiteral("-p"), m_dir.path(), QStringLiteral("-e"),
                     m_dir.filePath(QStringLiteral("error.log")), QStringLiteral("-c"),
                     file.fileName()});
    if (!m_process.waitForStarted() || !waitForPort(m_port)) {
        *error = QStringLiteral("nginx did not start (is nginx-light installed? see ") +
                 m_dir.filePath(QStringLiteral("error.log")) + u')';
        m_dir.setAutoRemove(false);
        return false;
    }
    return true;
}

ChildRun runChild(const QString &program, const QStringList &args, int timeoutSec)
{
    ChildRun run;
    QList<QByteArray> storage;
    storage.append(program.toLocal8Bit());
    for (const QString &a : args)
        storage.append(a.toLocal8Bit());
    std::vector<char *> argv;
    for (QByteArray &s : storage)
        argv.push_back(s.data());
    argv.push_back(nullptr);
    char outTemplate[] = "/tmp/loadscope-bench-XXXXXX";
    const int outFd = mkstemp(outTemplate);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, outFd, 1);
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        close(outFd);
        unlink(outTemplate);
        return run;
    }
    int status = 0;
    rusage usage{};
    for (int waited = 0; waited < timeoutSec * 10; ++waited) {
        if (wait4(pid, &status, WNOHANG, &usage) == pid)
            break;
        if (waited + 1 == timeoutSec * 10) {
            kill(pid, SIGKILL);
            wait4(pid, &status, 0, &usage);
        }
        QThread::msleep(100);
    }
    run.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.cpuSec = double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                 double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    run.peakRssKb = usage.ru_maxrss;
    QFile out(QString::fromLocal8Bit(outTemplate));
    if (out.open(QIODevice::ReadOnly))
        run.out = out.readAll();
    close(outFd);
    unlink(outTemplate);
    return run;
}

WrkRun runWrk(const QString &url, int connections, int seconds)
{
    WrkRun run;
    const ChildRun child =
        runChild(QStringLiteral("wrk"),
                 {QStringLiteral("-t1"), QStringLiteral("-c%1").arg(connections),
                  QStringLiteral("-d%1s").arg(seconds), QStringLiteral("--latency"), url},
                 seconds + 30);
    const QString out = QString::fromLocal8Bit(child.out);
    const auto rps = QRegularExpression(QStringLiteral("Requests/sec:\\s+([0-9.]+)")).match(out);
    if (!rps.hasMatch()) {
        std::fprintf(stderr, "cannot parse wrk output:\n%s\n", qPrintable(out));
        return run;
    }
    run.rps = rps.captured(1).toDouble();
    const double requests = run.rps * seconds;
    run.cpuUsPerRequest = requests > 0 ? child.cpuSec * 1e6 / requests : 0;
    run.peakRssKb = child.peakRssKb;
    const auto avg = QRegularExpression(QStringLiteral("Latency\\s+([0-9.]+)(us|ms|s)")).match(out);
    if (avg.hasMatch())
        run.latencyAvgMs = parseWrkTime(avg.captured(1), avg.captured(2));
    const auto p50 =
        QRegularExpression(QStringLiteral("\\n\\s+50%\\s+([0-9.]+)(us|ms|s)")).match(out);
    if (p50.hasMatch())
        run.latencyP50Ms = parseWrkTime(p50.captured(1), p50.captured(2));
    const auto p99 =
        QRegularExpression(QStringLiteral("\\n\\s+99%\\s+([0-9.]+)(us|ms|s)")).match(out);
    if (p99.hasMatch())
        run.latencyP99Ms = parseWrkTime(p99.captured(1), p99.captured(2));
    return run;
}

LoadscopeRun runLoadscopeCli(const QString &baseUrl, int connections, int seconds,
                             const QString &outputFile, const QStringList &extraArgs)
{
    LoadscopeRun run;
    const ChildRun child = runChild(
        QStringLiteral(LOADSCOPE_CLI_PATH),
        QStringList{QStringLiteral("run"), QStringLiteral("--base-url=") + baseUrl,
                    QStringLiteral("--endpoint=/api/health"),
                    QStringLiteral("--concurrency=%1").arg(connections),
                    QStringLiteral("--duration=%1").arg(seconds), QStringLiteral("--no-db"),
                    QStringLiteral("--quiet"), QStringLiteral("--output-file=") + outputFile} +
            extraArgs,
        seconds + 60);
    QFile file(outputFile);
    if (child.exitCode != 0 || !file.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "loadscope-cli exited %d:\n%s\n", child.exitCode,
                     child.out.constData());
        return run;
    }
    const QJsonObject result =
        QJsonDocument::fromJson(file.readAll()).object().value(QStringLiteral("result")).toObject();
    const QJsonObject totals = result.value(QStringLiteral("totals")).toObject();
    const QJsonObject latency = result.value(QStringLiteral("latencyMs")).toObject();
    run.rps = totals.value(QStringLiteral("throughputRps")).toDouble();
    run.errors = totals.value(QStringLiteral("errors")).toDouble();
    const double requests = totals.value(QStringLiteral("requests")).toDouble();
    run.cpuUsPerRequest = requests > 0 ? child.cpuSec * 1e6 / requests : 0;
    run.peakRssKb = child.peakRssKb;
    run.latencyAvgMs = latency.value(QStringLiteral("avg")).toDouble();
    run.latencyP50Ms = latency.value(QStringLiteral("p50")).toDouble();
    run.latencyP99Ms = latency.value(QStringLiteral("p99")).toDouble();
    run.ok = true;
    return run;
}

} // namespace loadscope::test
