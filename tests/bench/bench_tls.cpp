// Benchmark (run by hand, not by CTest): HTTPS throughput of loadscope-cli against wrk on
// the same nginx (TLS 1.3, self-signed certificate, keep-alive, 1 worker) on loopback.
//   bench_tls [--rounds=3] [--seconds=5] [--connections=50] [--threads=1]
// Alternates `wrk -t1 -cN https://…/api/health` and `loadscope-cli run --insecure …` and
// prints requests/s, their ratio and each client's CPU time per request.

#include <cstdio>

#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include "referenceserver.h"

using namespace loadscope::test;

namespace {

LoadscopeRun runCli(const QString &baseUrl, int connections, int seconds, int threads,
                    const QString &outputFile)
{
    return runLoadscopeCli(
        baseUrl, connections, seconds, outputFile,
        {QStringLiteral("--insecure"), QStringLiteral("--threads=%1").arg(threads)});
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    int rounds = 3;
    int seconds = 5;
    int connections = 50;
    int threads = 1;
    for (const QString &arg : app.arguments().mid(1)) {
        if (arg.startsWith(QLatin1String("--rounds=")))
            rounds = arg.mid(9).toInt();
        else if (arg.startsWith(QLatin1String("--seconds=")))
            seconds = arg.mid(10).toInt();
        else if (arg.startsWith(QLatin1String("--connections=")))
            connections = arg.mid(14).toInt();
        else if (arg.startsWith(QLatin1String("--threads=")))
            threads = arg.mid(10).toInt();
    }

    NginxServer nginx;
    QString error;
    if (!nginx.startTls(&error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    QTemporaryDir dir;
    const QString outputFile = dir.filePath(QStringLiteral("result.json"));
    std::printf("nginx (TLS) on %s, %d connections, %d s per run, %d rounds, cli threads %d\n",
                qPrintable(nginx.baseUrl()), connections, seconds, rounds, threads);
    std::printf("%-6s %12s %12s %7s %12s %12s %8s\n", "round", "wrk req/s", "cli req/s", "ratio",
                "wrk CPU/req", "cli CPU/req", "cli errs");
    for (int round = 1; round <= rounds; ++round) {
        const WrkRun wrk =
            runWrk(nginx.baseUrl() + QStringLiteral("/api/health"), connections, seconds);
        const LoadscopeRun cli = runCli(nginx.baseUrl(), connections, seconds, threads, outputFile);
        std::printf("%-6d %12.0f %12.0f %7.2f %10.2fus %10.2fus %8.0f\n", round, wrk.rps, cli.rps,
                    wrk.rps > 0 ? cli.rps / wrk.rps : 0.0, wrk.cpuUsPerRequest, cli.cpuUsPerRequest,
                    cli.errors);
        std::fflush(stdout);
    }
    return 0;
}
