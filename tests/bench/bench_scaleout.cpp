// The scale-out rehearsal on one machine (not in CTest: run by hand).
//
//   bench_scaleout [--rate=RPS] [--seconds=S] [--synthetic-agents=N] [--synthetic-rps=RPS]
//                  [--merge-only] [--legacy]
//
// 1. Starts nginx on loopback and runs one open-model plan (constant-arrival-rate, default
//    1000/s for 10 s) once as a single process (the reference), then as N = 1, 2 and 4 agents
//    (separate `loadscope-cli run --segment=I/N` processes with a common --start-at), merges
//    each set with `loadscope-cli merge`, and prints the merged rate against the plan's, the
//    merged request count against the agents' sum, and the merged percentiles against the
//    single process's.
// 2. Writes N = 64 synthetic agent files of a 1-hour run (1 s intervals, --synthetic-rps per
//    agent, default 100) through the real result writer, and times `loadscope-cli merge` of
//    them in a child process (its peak RSS from wait4), against a floor measured in the same
//    run: parsing the same files with QJsonDocument and nothing else. The files are in the
//    current layout (loadscope.hdr/2, the intervals as one record stream); --legacy times the
//    same agents in the layout of earlier agents (hdr/1, a JSON object per interval) too.
//    --merge-only stops after part 2.
// It measures; it does not pass or fail.
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fcntl.h>
#include <random>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include "interop/resultjson.h"
#include "plan/executionsegment.h"
#include "plan/planjson.h"
#include "referenceserver.h"
#include "testsupport.h"

using namespace loadscope;

namespace {

QJsonObject readJson(const QString &path)
{
    return QJsonDocument::fromJson(loadscope::test::readFileBytes(path)).object();
}

bool writeBytes(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

double number(const QJsonObject &o, const char *a, const char *b)
{
    return o.value(QLatin1String(a)).toObject().value(QLatin1String(b)).toDouble();
}

//! Runs `loadscope-cli ARGS` to its end; its exit code (-1 when it did not finish).
int cli(const QStringList &args, QString *output = nullptr)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(loadscope::test::cliPath(), args);
    if (!p.waitForFinished(600000))
        return -1;
    if (output)
        *output = QString::fromUtf8(p.readAll());
    return p.exitCode();
}

struct ChildMeasure
{
    int exitCode = -1;
    double seconds = 0;
    double cpuSeconds = 0; //!< user + system: what the merge costs, however busy the machine
    long peakRssKb = 0;
};

//! `loadscope-cli ARGS` through fork/exec and wait4: the wall time and that child's peak RSS.
ChildMeasure measureCli(const QStringList &args)
{
    QList<QByteArray> storage{loadscope::test::cliPath().toLocal8Bit()};
    for (const QString &a : args)
        storage << a.toLocal8Bit();
    std::vector<char *> argv;
    for (QByteArray &s : storage)
        argv.push_back(s.data());
    argv.push_back(nullptr);
    QElapsedTimer timer;
    timer.start();
    const pid_t pid = ::fork();
    if (pid == 0) {
        const int devnull = ::open("/dev/null", O_WRONLY);
        ::dup2(devnull, 1);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    ChildMeasure m;
    int status = 0;
    rusage usage{};
    ::wait4(pid, &status, 0, &usage);
    m.seconds = double(timer.nsecsElapsed()) / 1e9;
    m.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    m.peakRssKb = usage.ru_maxrss;
    m.cpuSeconds = double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                   double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    return m;
}

QJsonObject openPlan(const QString &baseUrl, double rate, int seconds)
{
    return QJsonObject{
        {QStringLiteral("name"), QStringLiteral("bench-scaleout")},
        {QStringLiteral("testType"), QStringLiteral("LOAD_TEST")},
        {QStringLiteral("baseUrl"), baseUrl},
        {QStringLiteral("steps"),
         QJsonArray{QJsonObject{{QStringLiteral("path"), QStringLiteral("/api/health")}}}},
        {QStringLiteral("load"),
         QJsonObject{{QStringLiteral("executor"), QStringLiteral("constant-arrival-rate")},
                     {QStringLiteral("rate"), rate},
                     {QStringLiteral("duration"), QStringLiteral("%1s").arg(seconds)},
                     {QStringLiteral("preAllocatedVUs"), 64},
                     {QStringLiteral("maxVUs"), 256}}}};
}

//! One agent's result of a 1-hour run at @p rps: real histograms per interval, through the
//! real writer (resultDocument), as `run --segment` writes it.
RunSummary syntheticAgent(const TestPlan &plan, ExecutionSegment segment, const QDateTime &start,
                          int rps, std::mt19937_64 &rng)
{
    std::lognormal_distribution<double> service(std::log(2000.0), 0.5); // µs, median 2 ms
    std::exponential_distribution<double> queue(1.0 / 300.0);
    constexpr int kIntervals = 3600;
    RunSummary s;
    s.openModel = true;
    s.startedAt = start;
    s.endedAt = start.addSecs(kIntervals);
    s.durationSec = kIntervals;
    s.target = QStringLiteral("http://10.0.0.1:8080");
    EndpointSummary endpoint;
    endpoint.name = plan.steps.first().displayName();
    endpoint.method = plan.steps.first().method;
    endpoint.path = plan.steps.first().path;
    LatencyHistogram duration;
    LatencyHistogram corrected;
    for (int k = 0; k < kIntervals; ++k) {
        duration.reset();
        corrected.reset();
        for (int i = 0; i < rps; ++i) {
            const auto d = qint64(service(rng));
            duration.record(d);
            corrected.record(d + qint64(queue(rng)));
        }
        IntervalSample sample;
        sample.index = k;
        sample.tSec = k + 1;
        sample.intervalSec = 1;
        sample.activeVus = 4;
        sample.plannedTarget = rps;
        sample.overall.totals.requests = rps;
        sample.overall.totals.iterations = rps;
        sample.overall.latency = LatencyStats::fromHistogram(duration);
        sample.overall.latencyCorrected = LatencyStats::fromHistogram(corrected);
        sample.overall.histograms.insert(QStringLiteral("duration"), duration.serialize());
        sample.overall.histograms.insert(QStringLiteral("duration_corrected"),
                                         corrected.serialize());
        EndpointSample e = sample.overall;
        e.name = endpoint.name;
        e.histograms.clear();
        sample.endpoints.append(e);
        s.timeline.append(sample);
        s.totals.add(sample.overall.totals);
        s.duration.merge(duration);
        s.durationCorrected.merge(corrected);
    }
    endpoint.totals = s.totals;
    endpoint.duration = s.duration;
    endpoint.durationCorrected = s.durationCorrected;
    s.endpoints.append(endpoint);
    s.maxVus = 4;
    s.extras.agent =
        QJsonObject{{QStringLiteral("host"), QStringLiteral("agent-%1").arg(segment.index)},
                    {QStringLiteral("segment"), segment.toString()},
                    {QStringLiteral("clockStart"), start.toString(Qt::ISODateWithMs)}};
    return s;
}

QByteArray agentFile(const TestPlan &plan, const RunSummary &s, HistogramLayout layout)
{
    QJsonObject doc = resultDocument(plan, s, 0, QString());
    if (layout != HistogramLayout::Records) {
        QJsonObject result = doc.value(QStringLiteral("result")).toObject();
        result.insert(QStringLiteral("histograms"), histogramsJson(s, layout));
        doc.insert(QStringLiteral("result"), result);
    }
    return QJsonDocument(doc).toJson(QJsonDocument::Compact);
}

double processCpuSeconds()
{
    timespec t{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}

struct MergeMeasure
{
    ChildMeasure merge;
    double parseSec = 0;
    double parseCpuSec = 0;
    qint64 bytes = 0;
};

//! `loadscope-cli merge` of @p files, and the QJsonDocument floor over the same files.
MergeMeasure measureMerge(const QStringList &files)
{
    MergeMeasure m;
    QElapsedTimer parse;
    parse.start();
    const double cpuStart = processCpuSeconds();
    qint64 parsed = 0;
    for (const QString &f : files) {
        const QByteArray bytes = loadscope::test::readFileBytes(f);
        m.bytes += bytes.size();
        parsed += QJsonDocument::fromJson(bytes).object().size();
    }
    m.parseSec = double(parse.nsecsElapsed()) / 1e9;
    m.parseCpuSec = processCpuSeconds() - cpuStart;
    if (parsed == 0)
        std::fprintf(stderr, "the files did not parse\n");
    QStringList args{QStringLiteral("merge")};
    args << files << QStringLiteral("--no-db");
    m.merge = measureCli(args);
    return m;
}

void printMerge(const char *layout, const MergeMeasure &m)
{
    std::printf("  %-6s %4.0f MB of JSON: merge %6.2f s (%5.2f s CPU), peak RSS %4.0f MB (exit "
                "%d); parse floor %6.2f s (%5.2f s CPU); ratio merge / floor %.2f (CPU %.2f)\n",
                layout, double(m.bytes) / 1e6, m.merge.seconds, m.merge.cpuSeconds,
                double(m.merge.peakRssKb) / 1024.0, m.merge.exitCode, m.parseSec, m.parseCpuSec,
                m.parseSec > 0 ? m.merge.seconds / m.parseSec : 0.0,
                m.parseCpuSec > 0 ? m.merge.cpuSeconds / m.parseCpuSec : 0.0);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    double rate = 1000;
    int seconds = 10;
    int syntheticAgents = 64;
    int syntheticRps = 100;
    bool mergeOnly = false;
    bool legacy = false;
    for (const QString &arg : app.arguments().mid(1)) {
        if (arg.startsWith(QLatin1String("--rate=")))
            rate = arg.mid(7).toDouble();
        else if (arg.startsWith(QLatin1String("--seconds=")))
            seconds = arg.mid(10).toInt();
        else if (arg.startsWith(QLatin1String("--synthetic-agents=")))
            syntheticAgents = arg.mid(19).toInt();
        else if (arg.startsWith(QLatin1String("--synthetic-rps=")))
            syntheticRps = arg.mid(16).toInt();
        else if (arg == QLatin1String("--merge-only"))
            mergeOnly = true;
        else if (arg == QLatin1String("--legacy"))
            legacy = true;
    }
    QTemporaryDir dir;
    dir.setAutoRemove(qEnvironmentVariableIsEmpty("BENCH_KEEP"));
    std::printf("files in %s\n", qPrintable(dir.path()));
    std::fflush(stdout);
    const auto path = [&dir](const QString &name) { return dir.filePath(name); };

    // ---- 2. merge of synthetic 1-hour agent files (first: no other child has run yet) -----
    {
        QString error;
        const auto plan = planFromJson(openPlan(QStringLiteral("http://10.0.0.1:8080"),
                                                double(syntheticRps) * syntheticAgents, 3600),
                                       &error);
        if (!plan) {
            std::fprintf(stderr, "plan: %s\n", qPrintable(error));
            return 1;
        }
        std::mt19937_64 rng(12);
        QStringList files;
        QStringList legacyFiles;
        const QDateTime start = QDateTime::currentDateTimeUtc();
        for (int i = 0; i < syntheticAgents; ++i) {
            const RunSummary agent = syntheticAgent(*plan, ExecutionSegment{i, syntheticAgents},
                                                    start, syntheticRps, rng);
            files << path(QStringLiteral("synthetic-%1.json").arg(i));
            if (!writeBytes(files.last(), agentFile(*plan, agent, HistogramLayout::Records))) {
                std::fprintf(stderr, "cannot write %s\n", qPrintable(files.last()));
                return 1;
            }
            if (legacy) {
                legacyFiles << path(QStringLiteral("synthetic-v1-%1.json").arg(i));
                if (!writeBytes(legacyFiles.last(),
                                agentFile(*plan, agent, HistogramLayout::JsonIntervals))) {
                    std::fprintf(stderr, "cannot write %s\n", qPrintable(legacyFiles.last()));
                    return 1;
                }
            }
        }
        std::printf("merge of %d synthetic 1-hour agent files (%d req/s each, 3600 intervals); "
                    "the floor is QJsonDocument parsing the same files:\n",
                    syntheticAgents, syntheticRps);
        printMerge("hdr/2", measureMerge(files));
        if (legacy)
            printMerge("hdr/1", measureMerge(legacyFiles));
        std::printf("\n");
    }
    if (mergeOnly)
        return 0;

    // ---- 1. real agents against nginx -----------------------------------------------------
    loadscope::test::NginxServer nginx;
    QString error;
    if (!nginx.start(&error)) {
        std::fprintf(stderr, "nginx: %s\n", qPrintable(error));
        return 1;
    }
    const QString planFile = path(QStringLiteral("plan.json"));
    writeBytes(planFile, QJsonDocument(openPlan(nginx.baseUrl(), rate, seconds)).toJson());
    std::printf("plan: constant-arrival-rate %.0f/s for %d s against nginx on %s\n\n", rate,
                seconds, qPrintable(nginx.baseUrl()));

    const QString single = path(QStringLiteral("single.json"));
    if (cli({QStringLiteral("run"), planFile, QStringLiteral("--no-db"), QStringLiteral("--quiet"),
             QStringLiteral("--output-file=") + single}) != 0) {
        std::fprintf(stderr, "the single-process run failed\n");
        return 1;
    }
    const QJsonObject reference = readJson(single).value(QStringLiteral("result")).toObject();
    const double refP50 = number(reference, "latencyMs", "p50");
    const double refP99 = number(reference, "latencyMs", "p99");
    const double refC99 = number(reference, "latencyCorrectedMs", "p99");
    std::printf("%-10s %10s %10s %9s %12s %9s %9s %9s %9s %9s\n", "run", "requests", "sum",
                "rate/s", "rate/plan", "p50 ms", "p50/ref", "p99 ms", "p99/ref", "cp99/ref");
    std::printf("%-10s %10lld %10s %9.1f %12.4f %9.3f %9s %9.3f %9s %9s\n", "single",
                qlonglong(number(reference, "totals", "requests")), "-",
                number(reference, "totals", "throughputRps"),
                number(reference, "totals", "throughputRps") / rate, refP50, "1", refP99, "1", "1");

    for (int agents : {1, 2, 4}) {
        const QString startAt =
            QDateTime::currentDateTimeUtc().addMSecs(1500).toString(Qt::ISODateWithMs);
        std::vector<std::unique_ptr<QProcess>> processes;
        QStringList files;
        for (int i = 0; i < agents; ++i) {
            files << path(QStringLiteral("agent-%1-%2.json").arg(agents).arg(i));
            auto p = std::make_unique<QProcess>();
            p->start(loadscope::test::cliPath(),
                     {QStringLiteral("run"), planFile,
                      QStringLiteral("--segment=%1/%2").arg(i).arg(agents),
                      QStringLiteral("--start-at=") + startAt, QStringLiteral("--quiet"),
                      QStringLiteral("--output-file=") + files.last()});
            processes.push_back(std::move(p));
        }
        qint64 sum = 0;
        for (int i = 0; i < agents; ++i) {
            processes[size_t(i)]->waitForFinished(600000);
            sum += qint64(number(readJson(files[i]).value(QStringLiteral("result")).toObject(),
                                 "totals", "requests"));
        }
        const QString merged = path(QStringLiteral("merged-%1.json").arg(agents));
        QStringList args{QStringLiteral("merge")};
        args << files << QStringLiteral("--no-db") << QStringLiteral("--output-file=") + merged;
        QString output;
        const int code = cli(args, &output);
        if (code != 0) {
            std::fprintf(stderr, "merge of %d agents: exit %d\n%s\n", agents, code,
                         qPrintable(output));
            continue;
        }
        const QJsonObject m = readJson(merged).value(QStringLiteral("result")).toObject();
        const double rps = number(m, "totals", "throughputRps");
        std::printf("%-10s %10lld %10lld %9.1f %12.4f %9.3f %9.3f %9.3f %9.3f %9.3f\n",
                    qPrintable(QStringLiteral("%1 agent%2")
                                   .arg(agents)
                                   .arg(agents > 1 ? QStringLiteral("s") : QString())),
                    qlonglong(number(m, "totals", "requests")), qlonglong(sum), rps, rps / rate,
                    number(m, "latencyMs", "p50"), number(m, "latencyMs", "p50") / refP50,
                    number(m, "latencyMs", "p99"), number(m, "latencyMs", "p99") / refP99,
                    number(m, "latencyCorrectedMs", "p99") / refC99);
    }
    std::printf("\nrate/plan: merged throughput over the plan's rate; sum: the agents' own request "
                "counts added up; p50/ref, p99/ref: merged percentiles over the single process's "
                "(cp99: corrected for coordinated omission).\n");
    return 0;
}
