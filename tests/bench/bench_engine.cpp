// Benchmark (run by hand, not by CTest): loadscope-cli against wrk on the same nginx, in the
// same run, alternating, so both see the same machine. Build the release preset first:
//   cmake --preset release && cmake --build --preset release
//   build/release/tests/bench_engine [--rounds=3] [--seconds=5] [--connections=50,500]
//                                    [--long=60] [--no-memory] [--no-latency]
// Prints requests/s of each, the ratio loadscope/wrk, CPU microseconds per request and peak
// RSS; then the peak RSS of a short and a long run (flat memory), and the latency both report
// at one connection against an idle target. Nothing here passes or fails.

#include <cstdio>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include "referenceserver.h"
#include "testsupport.h"

using namespace loadscope::test;

namespace {

LoadscopeRun runLoadscope(const QString &baseUrl, int connections, int seconds,
                          const QString &outputFile)
{
    return runLoadscopeCli(baseUrl, connections, seconds, outputFile,
                           {QStringLiteral("--threads=1")});
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    int rounds = 3;
    int seconds = 5;
    int longSeconds = 60;
    bool memory = true;
    bool latency = true;
    QList<int> connectionCounts = {50, 500};
    for (const QString &arg : app.arguments().mid(1)) {
        if (arg.startsWith(QLatin1String("--rounds=")))
            rounds = arg.mid(9).toInt();
        else if (arg.startsWith(QLatin1String("--seconds=")))
            seconds = arg.mid(10).toInt();
        else if (arg.startsWith(QLatin1String("--long=")))
            longSeconds = arg.mid(7).toInt();
        else if (arg == QLatin1String("--no-memory"))
            memory = false;
        else if (arg == QLatin1String("--no-latency"))
            latency = false;
        else if (arg.startsWith(QLatin1String("--connections="))) {
            connectionCounts.clear();
            for (const QString &n : arg.mid(14).split(u','))
                connectionCounts.append(n.toInt());
        } else {
            std::fprintf(stderr, "unknown argument %s\n", qPrintable(arg));
            return 2;
        }
    }
    NginxServer nginx;
    QString error;
    if (!nginx.start(&error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    QTemporaryDir dir;
    const QString output = dir.filePath(QStringLiteral("result.json"));
    const QString url = nginx.baseUrl() + QStringLiteral("/api/health");
    std::printf("nginx on %s, %d s per run, %d rounds; loadscope-cli %s\n", qPrintable(url),
                seconds, rounds, qPrintable(cliPath()));
    std::printf("\nThroughput (full recording on: histograms per endpoint, interval and timing)\n");
    std::printf("%-6s %-5s %11s %11s %6s %9s %9s %9s %9s\n", "round", "conns", "wrk req/s",
                "ls req/s", "ratio", "wrk us/r", "ls us/r", "wrk RSS", "ls RSS");
    for (int round = 1; round <= rounds; ++round) {
        for (int connections : connectionCounts) {
            const WrkRun wrk = runWrk(url, connections, seconds);
            const LoadscopeRun ls = runLoadscope(nginx.baseUrl(), connections, seconds, output);
            std::printf("%-6d %-5d %11.0f %11.0f %6.2f %9.2f %9.2f %7ldMB %7ldMB\n", round,
                        connections, wrk.rps, ls.rps, wrk.rps > 0 ? ls.rps / wrk.rps : 0.0,
                        wrk.cpuUsPerRequest, ls.cpuUsPerRequest, wrk.peakRssKb / 1024,
                        ls.peakRssKb / 1024);
            std::fflush(stdout);
        }
    }
    if (memory) {
        std::printf("\nFlat memory: peak RSS at full speed, 50 connections\n");
        const LoadscopeRun shortRun = runLoadscope(nginx.baseUrl(), 50, 10, output);
        const LoadscopeRun longRun = runLoadscope(nginx.baseUrl(), 50, longSeconds, output);
        std::printf("10 s: %ld KB   %d s: %ld KB   ratio %.3f\n", shortRun.peakRssKb, longSeconds,
                    longRun.peakRssKb,
                    shortRun.peakRssKb > 0 ? double(longRun.peakRssKb) / double(shortRun.peakRssKb)
                                           : 0.0);
        std::fflush(stdout);
    }
    if (latency) {
        std::printf("\nLatency at one connection (idle target), %d s each\n", seconds);
        std::printf("%-10s %9s %9s %9s\n", "client", "avg ms", "p50 ms", "p99 ms");
        for (int round = 1; round <= rounds; ++round) {
            const WrkRun wrk = runWrk(url, 1, seconds);
            const LoadscopeRun ls = runLoadscope(nginx.baseUrl(), 1, seconds, output);
            std::printf(
                "%-10s %9.4f %9.4f %9.4f\n%-10s %9.4f %9.4f %9.4f   ratio avg %.3f p50 %.3f\n",
                "wrk", wrk.latencyAvgMs, wrk.latencyP50Ms, wrk.latencyP99Ms, "loadscope",
                ls.latencyAvgMs, ls.latencyP50Ms, ls.latencyP99Ms,
                wrk.latencyAvgMs > 0 ? ls.latencyAvgMs / wrk.latencyAvgMs : 0.0,
                wrk.latencyP50Ms > 0 ? ls.latencyP50Ms / wrk.latencyP50Ms : 0.0);
            std::fflush(stdout);
        }
    }
    return 0;
}
