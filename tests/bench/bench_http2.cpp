// Benchmark (run by hand, not by CTest): HTTP/2 throughput of `loadscope-cli run --http2` against
// h2load (Debian's nghttp2-client) on the same nginx (1 worker, http2 module) on loopback, over
// TLS (ALPN h2) and cleartext (h2c, prior knowledge).
//   bench_http2 [--rounds=3] [--seconds=5] [--connections=1,10,100] [--streams=10,100]
//               [--modes=tls,h2c]
// For every point (connections x streams per connection) it alternates
// `h2load -t1 -cC -mM -D S URL` and `loadscope-cli run --http2 --threads=1 --concurrency=C*M
// --connections=C --max-streams=M`, and prints the requests/s of each, their ratio, each
// client's CPU time per request, peak RSS, and how far the CLI's run went past its duration;
// then, per point, the medians over the rounds (ratio range beside), and the machine's load
// average before and after (a shared machine makes single rounds swing).

#include <algorithm>
#include <cstdio>
#include <map>
#include <tuple>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>

#include "referenceserver.h"

using namespace loadscope::test;

namespace {

struct H2loadRun
{
    double rps = 0;
    double cpuUsPerRequest = 0;
    long peakRssKb = 0;
    qint64 failed = 0;
};

H2loadRun runH2load(const QString &url, int connections, int streams, int seconds)
{
    H2loadRun run;
    const ChildRun child =
        runChild(QStringLiteral("h2load"),
                 {QStringLiteral("-t1"), QStringLiteral("-c%1").arg(connections),
                  QStringLiteral("-m%1").arg(streams), QStringLiteral("-D%1").arg(seconds), url},
                 seconds + 30);
    const QString out = QString::fromLocal8Bit(child.out);
    const auto rps =
        QRegularExpression(QStringLiteral("finished in [0-9.]+s, ([0-9.]+) req/s")).match(out);
    const auto requests =
        QRegularExpression(QStringLiteral("requests: (\\d+) total, \\d+ started, (\\d+) done, "
                                          "(\\d+) succeeded, (\\d+) failed"))
            .match(out);
    if (!rps.hasMatch() || !requests.hasMatch()) {
        std::fprintf(stderr, "cannot parse h2load output:\n%s\n", qPrintable(out));
        return run;
    }
    run.rps = rps.captured(1).toDouble();
    const double done = requests.captured(2).toDouble();
    run.failed = requests.captured(4).toLongLong();
    run.cpuUsPerRequest = done > 0 ? child.cpuSec * 1e6 / done : 0;
    run.peakRssKb = child.peakRssKb;
    return run;
}

//! One round of one point: both clients' figures.
struct Round
{
    H2loadRun reference;
    LoadscopeRun cli;
    double overrun = 0;
};

double median(QList<double> values)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const qsizetype mid = values.size() / 2;
    return values.size() % 2 != 0 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

QString loadAverage()
{
    QFile file(QStringLiteral("/proc/loadavg"));
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("?");
    return QString::fromLatin1(file.readAll().split(' ').mid(0, 3).join(' '));
}

QList<int> numbers(const QString &text)
{
    QList<int> out;
    for (const QString &part : text.split(u',', Qt::SkipEmptyParts))
        out.append(part.toInt());
    return out;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    int rounds = 3;
    int seconds = 5;
    QList<int> connections{1, 10, 100};
    QList<int> streams{10, 100};
    QStringList modes{QStringLiteral("tls"), QStringLiteral("h2c")};
    for (const QString &arg : app.arguments().mid(1)) {
        if (arg.startsWith(QLatin1String("--rounds=")))
            rounds = arg.mid(9).toInt();
        else if (arg.startsWith(QLatin1String("--seconds=")))
            seconds = arg.mid(10).toInt();
        else if (arg.startsWith(QLatin1String("--connections=")))
            connections = numbers(arg.mid(14));
        else if (arg.startsWith(QLatin1String("--streams=")))
            streams = numbers(arg.mid(10));
        else if (arg.startsWith(QLatin1String("--modes=")))
            modes = arg.mid(8).split(u',', Qt::SkipEmptyParts);
    }

    QTemporaryDir dir;
    const QString outputFile = dir.filePath(QStringLiteral("result.json"));
    std::printf("h2load vs loadscope-cli --http2 --threads=1, nginx 1 worker, %d s per run, "
                "%d rounds; load average before: %s\n",
                seconds, rounds, qPrintable(loadAverage()));
    std::map<std::tuple<QString, int, int>, QList<Round>> points;
    std::printf("| mode | round | conns | streams | h2load req/s | cli req/s | ratio | h2load "
                "CPU us/req | cli CPU us/req | h2load RSS MB | cli RSS MB | cli errors | cli "
                "overrun s |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (const QString &mode : std::as_const(modes)) {
        NginxServer nginx;
        QString error;
        const bool tls = mode == QLatin1String("tls");
        if (!(tls ? nginx.startTls(&error, true) : nginx.startH2c(&error))) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return 1;
        }
        const QString url = nginx.baseUrl() + QStringLiteral("/api/health");
        for (int round = 1; round <= rounds; ++round) {
            for (const int c : std::as_const(connections)) {
                for (const int m : std::as_const(streams)) {
                    const H2loadRun reference = runH2load(url, c, m, seconds);
                    QElapsedTimer wall;
                    wall.start();
                    const LoadscopeRun cli = runLoadscopeCli(
                        nginx.baseUrl(), c * m, seconds, outputFile,
                        {QStringLiteral("--http2"), QStringLiteral("--insecure"),
                         QStringLiteral("--threads=1"), QStringLiteral("--connections=%1").arg(c),
                         QStringLiteral("--max-streams=%1").arg(m), QStringLiteral("--no-monitor"),
                         // The preset's p(95)<200 fails at 10,000 VUs (exit 99): measure only.
                         QStringLiteral("--threshold=rate<2")});
                    // Process start, analysis and report included: an upper bound on the run's.
                    const double overrun = double(wall.elapsed()) / 1000.0 - seconds;
                    points[{mode, c, m}].append({reference, cli, overrun});
                    std::printf("| %s | %d | %d | %d | %.0f | %.0f | %.2f | %.2f | %.2f | %.1f | "
                                "%.1f | %.0f | %.2f |\n",
                                qPrintable(mode), round, c, m, reference.rps, cli.rps,
                                reference.rps > 0 ? cli.rps / reference.rps : 0.0,
                                reference.cpuUsPerRequest, cli.cpuUsPerRequest,
                                double(reference.peakRssKb) / 1024.0,
                                double(cli.peakRssKb) / 1024.0, cli.errors, overrun);
                    std::fflush(stdout);
                }
            }
        }
    }
    std::printf("\nMedians over %d rounds; load average after: %s\n", rounds,
                qPrintable(loadAverage()));
    std::printf("| mode | conns x streams | h2load req/s | cli req/s | ratio, median (range) | "
                "h2load CPU us/req | cli CPU us/req | cli peak RSS MB | cli errors | longest "
                "overrun s |\n|---|---|---|---|---|---|---|---|---|---|\n");
    for (const QString &mode : std::as_const(modes)) {
        for (const int c : std::as_const(connections)) {
            for (const int m : std::as_const(streams)) {
                const QList<Round> &runs = points[{mode, c, m}];
                QList<double> refRps, cliRps, ratios, refCpu, cliCpu;
                double rss = 0, errors = 0, overrun = 0;
                for (const Round &r : runs) {
                    refRps.append(r.reference.rps);
                    cliRps.append(r.cli.rps);
                    ratios.append(r.reference.rps > 0 ? r.cli.rps / r.reference.rps : 0.0);
                    refCpu.append(r.reference.cpuUsPerRequest);
                    cliCpu.append(r.cli.cpuUsPerRequest);
                    rss = std::max(rss, double(r.cli.peakRssKb) / 1024.0);
                    errors += r.cli.errors;
                    overrun = std::max(overrun, r.overrun);
                }
                if (runs.isEmpty())
                    continue;
                std::printf(
                    "| %s | %d x %d | %.0f | %.0f | %.2f (%.2f-%.2f) | %.1f | %.1f | %.0f | "
                    "%.0f | %.2f |\n",
                    qPrintable(mode), c, m, median(refRps), median(cliRps), median(ratios),
                    *std::min_element(ratios.begin(), ratios.end()),
                    *std::max_element(ratios.begin(), ratios.end()), median(refCpu), median(cliCpu),
                    rss, errors, overrun);
            }
        }
    }
    return 0;
}
