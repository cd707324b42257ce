// Soak benchmark (run by hand, not by CTest): loadscope-cli runs at full rate against nginx
// for a long time with everything recorded (histograms per endpoint, interval and timing) and
// the history written while it runs, and its resident memory, open file descriptors and threads
// are sampled from /proc every 10 s. Build the release preset first:
//   cmake --preset release && cmake --build --preset release
//   build/release/tests/bench_soak [--minutes=10] [--connections=50] [--threads=N] [--no-db]
// --no-db runs the same load without the history write: the engine's own growth, so a slope
// with the history can be told apart from SQLite's page cache filling as the file grows.
// Prints the samples, then the RSS slope after the first minute in MB/hour beside the same
// figure over the first minute (the reference: warm-up growth measured in the same run) and the
// slope over the second half (the steady state), the file descriptors after the first minute
// (flat: max - min), the growth per minute of RSS, fds and threads, and the run's errors by
// class (nginx serves a static body, so every error is the generator's or the machine's).
// Samples from the planned end on (the process winding down) are printed but not fitted.
// Nothing here passes or fails on a number.

#include <cstdio>
#include <vector>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>

#include "referenceserver.h"
#include "testsupport.h"

using namespace loadscope::test;

namespace {

struct Sample
{
    double seconds = 0;
    double rssMb = 0;
    int fds = 0;
    int threads = 0;
    double dbMb = 0; //!< history file plus its WAL
};

//! The number after @p key ("VmRSS:", "Threads:") in /proc/<pid>/status; 0 when gone.
double procStatus(qint64 pid, const QByteArray &key)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> lines = status.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith(key))
            return line.mid(key.size()).trimmed().split(' ').value(0).toDouble();
    }
    return 0;
}

int fdsOf(qint64 pid)
{
    return int(QDir(QStringLiteral("/proc/%1/fd").arg(pid))
                   .entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot)
                   .size());
}

//! Least-squares slope of @p value (of a sample) over time, per hour, for samples in
//! [@p from, @p to] seconds.
template<typename Value>
double slopePerHour(const std::vector<Sample> &samples, double from, double to, Value value)
{
    double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (const Sample &s : samples) {
        if (s.seconds < from || s.seconds > to)
            continue;
        n += 1;
        sx += s.seconds;
        sy += value(s);
        sxx += s.seconds * s.seconds;
        sxy += s.seconds * value(s);
    }
    const double denominator = n * sxx - sx * sx;
    if (n < 2 || denominator <= 0)
        return 0;
    return (n * sxy - sx * sy) / denominator * 3600.0;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    int minutes = 10;
    int connections = 50;
    QString threads;
    bool noDb = false;
    for (const QString &arg : app.arguments().mid(1)) {
        if (arg.startsWith(QLatin1String("--minutes=")))
            minutes = arg.mid(10).toInt();
        else if (arg.startsWith(QLatin1String("--connections=")))
            connections = arg.mid(14).toInt();
        else if (arg.startsWith(QLatin1String("--threads=")))
            threads = arg;
        else if (arg == QLatin1String("--no-db"))
            noDb = true;
        else {
            std::fprintf(stderr, "unknown argument %s\n", qPrintable(arg));
            return 2;
        }
    }
    if (minutes < 2 || connections < 1) {
        std::fprintf(stderr, "--minutes must be at least 2 (the first minute is the reference) "
                             "and --connections at least 1\n");
        return 2;
    }
    NginxServer nginx;
    QString error;
    if (!nginx.start(&error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("soak.db"));
    const QString output = dir.filePath(QStringLiteral("result.json"));
    QStringList args{QStringLiteral("run"),
                     QStringLiteral("--base-url=") + nginx.baseUrl(),
                     QStringLiteral("--endpoint=/api/health"),
                     QStringLiteral("--concurrency=%1").arg(connections),
                     QStringLiteral("--duration=%1").arg(minutes * 60),
                     noDb ? QStringLiteral("--no-db") : QStringLiteral("--db=") + db,
                     QStringLiteral("--quiet"),
                     QStringLiteral("--output-file=") + output};
    if (!threads.isEmpty())
        args.append(threads);

    std::printf("soak: loadscope-cli %s against nginx %s, %d connections, %d min, history %s\n",
                qPrintable(cliPath()), qPrintable(nginx.baseUrl()), connections, minutes,
                noDb ? "not written (--no-db)" : qPrintable(db));
    std::printf("%8s %10s %6s %8s %10s\n", "t s", "RSS MB", "fds", "threads", "history MB");
    std::fflush(stdout);

    QProcess cli;
    cli.setProcessChannelMode(QProcess::MergedChannels);
    std::vector<Sample> samples;
    QElapsedTimer clock;
    QTimer sampler;
    sampler.setInterval(10000);
    QObject::connect(&sampler, &QTimer::timeout, &app, [&] {
        const qint64 pid = cli.processId();
        if (pid <= 0)
            return;
        Sample s;
        s.seconds = double(clock.elapsed()) / 1000.0;
        s.rssMb = procStatus(pid, "VmRSS:") / 1024.0;
        s.fds = fdsOf(pid);
        s.threads = int(procStatus(pid, "Threads:"));
        s.dbMb = double(QFileInfo(db).size() + QFileInfo(db + QStringLiteral("-wal")).size()) /
                 (1024.0 * 1024.0);
        if (s.rssMb <= 0)
            return; // exiting
        // From the planned end on, the process is closing its connections, reading its timeline
        // back and writing the result: printed, but not part of the steady state fitted below.
        if (s.seconds < double(minutes * 60) - 1.0)
            samples.push_back(s);
        std::printf("%8.0f %10.1f %6d %8d %10.2f\n", s.seconds, s.rssMb, s.fds, s.threads, s.dbMb);
        std::fflush(stdout);
    });
    QObject::connect(&cli, &QIODevice::readyRead, &app, [&] { (void)cli.readAll(); });
    QObject::connect(&cli, &QProcess::finished, &app, [&] { app.quit(); });
    // Bounded: the run's own duration plus time to write its result.
    QTimer::singleShot((minutes * 60 + 120) * 1000, &app, [&] {
        std::fprintf(stderr, "soak: loadscope-cli did not finish in time; killed\n");
        cli.kill();
    });
    clock.start();
    cli.start(cliPath(), args);
    if (!cli.waitForStarted(10000)) {
        std::fprintf(stderr, "cannot start %s: %s\n", qPrintable(cliPath()),
                     qPrintable(cli.errorString()));
        return 1;
    }
    sampler.start();
    app.exec();
    sampler.stop();

    QFile file(output);
    if (cli.exitStatus() != QProcess::NormalExit || cli.exitCode() != 0 ||
        !file.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "loadscope-cli exited %d without a result\n", cli.exitCode());
        return 1;
    }
    const QJsonObject result =
        QJsonDocument::fromJson(file.readAll()).object().value(QStringLiteral("result")).toObject();
    const QJsonObject totals = result.value(QStringLiteral("totals")).toObject();

    const auto rss = [](const Sample &s) { return s.rssMb; };
    const double firstMinute = slopePerHour(samples, 0, 60, rss);
    const double afterFirst = slopePerHour(samples, 60, 1e9, rss);
    // The second half: after the warm-up that outlasts the first minute (SQLite's page cache
    // filling as the history grows, the first timeline spill after two minutes).
    const double half = minutes * 30.0;
    const double secondHalf = slopePerHour(samples, half, 1e9, rss);
    int fdMin = 1 << 30, fdMax = 0;
    double rssAtMinute = 0;
    for (const Sample &s : samples) {
        if (s.seconds < 60)
            continue;
        if (rssAtMinute == 0)
            rssAtMinute = s.rssMb;
        fdMin = qMin(fdMin, s.fds);
        fdMax = qMax(fdMax, s.fds);
    }
    std::printf("\nrequests %.0f at %.0f req/s, errors %.0f",
                totals.value(QStringLiteral("requests")).toDouble(),
                totals.value(QStringLiteral("throughputRps")).toDouble(),
                totals.value(QStringLiteral("errors")).toDouble());
    const QJsonObject byClass = result.value(QStringLiteral("errorsByClass")).toObject();
    for (auto it = byClass.constBegin(); it != byClass.constEnd(); ++it) {
        if (it.value().toDouble() > 0)
            std::printf(" %s=%.0f", qPrintable(it.key()), it.value().toDouble());
    }
    std::printf("\nRSS: %.1f MB at the first minute, %.1f MB at the end\n", rssAtMinute,
                samples.empty() ? 0.0 : samples.back().rssMb);
    std::printf("RSS slope after the first minute: %.2f MB/hour   (first minute: %.2f MB/hour, "
                "ratio %.3f)\n",
                afterFirst, firstMinute, firstMinute != 0 ? afterFirst / firstMinute : 0.0);
    std::printf("RSS slope over the second half (from %.0f s): %.2f MB/hour\n", half, secondHalf);
    std::printf("open fds after the first minute: min %d max %d (spread %d)\n", fdMin, fdMax,
                fdMax - fdMin);
    // Growth per minute after the first minute (least squares), the figures of the README table.
    const auto perMinute = [&samples](auto value) {
        return slopePerHour(samples, 60, 1e9, value) / 60.0;
    };
    std::printf("growth per minute after the first minute: RSS %+.3f MB, fds %+.3f, threads "
                "%+.3f\n",
                perMinute(rss), perMinute([](const Sample &s) { return double(s.fds); }),
                perMinute([](const Sample &s) { return double(s.threads); }));
    return 0;
}
