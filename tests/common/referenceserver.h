#pragma once

#include <QProcess>
#include <QString>
#include <QTemporaryDir>

namespace loadscope::test {

//! nginx-light on a free loopback port with a temporary configuration (1 worker, keep-alive,
//! a static JSON body at /api/health): the fast reference server of the benchmarks.
class NginxServer
{
public:
    NginxServer() = default;
    ~NginxServer();
    NginxServer(const NginxServer &) = delete;
    NginxServer &operator=(const NginxServer &) = delete;

    //! Starts nginx and waits until it accepts connections; false with a reason.
    bool start(QString *error);
    //! As start(), serving HTTPS (TLS 1.2/1.3, session tickets) with a self-signed
    //! certificate for 127.0.0.1 and localhost made at run time; @p http2 offers h2 by ALPN.
    bool startTls(QString *error, bool http2 = false);
    //! As start(), serving cleartext HTTP/2 only (h2c with prior knowledge, as nginx does).
    bool startH2c(QString *error);
    //! Before start(): write an access log to @p path in nginx's log_format @p format (the
    //! predefined "combined" when empty); may be called twice for two logs.
    void addAccessLog(const QString &path, const QString &format = QString());
    //! Before start(): extra location blocks inside the server, e.g. a proxy_pass.
    void addLocations(const QString &locations) { m_locations += locations; }
    quint16 port() const { return m_port; }
    //! "http://127.0.0.1:PORT", or https:// after startTls().
    QString baseUrl() const;

private:
    bool startServer(bool tls, bool http2, QString *error);

    QTemporaryDir m_dir;
    QString m_logs = QStringLiteral("  access_log off;\n");
    QString m_locations;
    int m_logCount = 0;
    bool m_tls = false;
    QProcess m_process;
    quint16 m_port = 0;
};

//! What wrk reported for one run.
struct WrkRun
{
    double rps = 0;
    double cpuUsPerRequest = 0; //!< wrk's own CPU time per request
    double latencyAvgMs = 0;
    double latencyP50Ms = 0;
    double latencyP99Ms = 0;
    long peakRssKb = 0;
};

//! Runs `wrk -t1 -cN -dSs --latency URL` and parses its report.
WrkRun runWrk(const QString &url, int connections, int seconds);

//! A free TCP port on 127.0.0.1 (bound and released; fine for tests on one machine).
quint16 freeLoopbackPort();

//! User + system CPU seconds of this process (RUSAGE_SELF) or its reaped children.
double cpuSeconds(int who);

//! Runs @p program with @p args to completion (bounded by @p timeoutSec) and returns its
//! exit code, its CPU seconds and peak RSS (wait4's rusage, so just this child's figures).
struct ChildRun
{
    int exitCode = -1;
    double cpuSec = 0;
    long peakRssKb = 0;
    QByteArray out;
};
ChildRun runChild(const QString &program, const QStringList &args, int timeoutSec);

//! What one `loadscope-cli run ... --output-file=F` reported, read back from its result JSON.
struct LoadscopeRun
{
    bool ok = false;
    double rps = 0;
    double errors = 0;
    double cpuUsPerRequest = 0; //!< the whole CLI process's CPU time per request
    long peakRssKb = 0;
    double latencyAvgMs = 0;
    double latencyP50Ms = 0;
    double latencyP99Ms = 0;
};

//! Runs loadscope-cli `run` against @p baseUrl's /api/health with @p connections VUs for
//! @p seconds (plus @p extraArgs), without the history, and reads its result from
//! @p outputFile. Prints the CLI's output on failure.
LoadscopeRun runLoadscopeCli(const QString &baseUrl, int connections, int seconds,
                             const QString &outputFile, const QStringList &extraArgs = {});

} // namespace loadscope::test
