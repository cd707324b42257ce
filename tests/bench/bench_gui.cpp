// Benchmark (run by hand, not by CTest): the engine's throughput with the GUI's Run place open
// at full rate against the same run without a GUI, on the same nginx, alternating.
//   cmake --preset release && cmake --build --preset release --target bench_gui loadscope-cli
//   QT_QPA_PLATFORM=offscreen build/release/tests/bench_gui [--rounds=2] [--seconds=10]
//                                                           [--vus=50] [--threads=1]
// Per round: (cli) loadscope-cli run as a separate process, (headless) a RunSession in this
// process, (gui) the real MainWindow running the plan from its Design place with the Run place
// shown. For each: requests/s, and the GUI thread's longest stall measured by a 10 ms QTimer
// drift probe (how late a tick came, beyond its 10 ms). Nothing here passes or fails.

#include <algorithm>
#include <cstdio>

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>

#include "design/designplace.h"
#include "mainwindow.h"
#include "referenceserver.h"
#include "run/livecharts.h"
#include "run/runplace.h"
#include "session/runsession.h"
#include "stallprobe.h"
#include "store/historystore.h"
#include "testsupport.h"

using namespace loadscope;
using namespace loadscope::test;

namespace {

TestPlan benchPlan(const QString &baseUrl, int vus, int seconds, int threads)
{
    TestPlan plan;
    plan.name = QStringLiteral("bench_gui");
    plan.type = TestType::LoadTest;
    plan.baseUrl = baseUrl;
    Step step;
    step.path = QStringLiteral("/api/health");
    plan.steps = {step};
    plan.load.executor = Executor::ConstantVus;
    plan.load.vus = vus;
    plan.load.durationMs = qint64(seconds) * 1000;
    plan.threads = threads;
    return plan;
}

double runCli(const QString &baseUrl, int vus, int seconds, int threads, const QString &output)
{
    const ChildRun child = runChild(
        cliPath(),
        {QStringLiteral("run"), QStringLiteral("--base-url=") + baseUrl,
         QStringLiteral("--endpoint=/api/health"), QStringLiteral("--concurrency=%1").arg(vus),
         QStringLiteral("--duration=%1").arg(seconds), QStringLiteral("--threads=%1").arg(threads),
         QStringLiteral("--no-db"), QStringLiteral("--quiet"),
         QStringLiteral("--output-file=") + output},
        seconds + 60);
    QFile file(output);
    if (child.exitCode != 0 || !file.open(QIODevice::ReadOnly))
        return 0;
    return QJsonDocument::fromJson(file.readAll())
        .object()
        .value(QStringLiteral("result"))
        .toObject()
        .value(QStringLiteral("totals"))
        .toObject()
        .value(QStringLiteral("throughputRps"))
        .toDouble();
}

struct InProcessRun
{
    double rps = 0;
    double stallMs = 0;
    int replots = 0;
};

InProcessRun runHeadless(HistoryStore *store, const TestPlan &plan)
{
    InProcessRun run;
    RunSession session(store);
    QSignalSpy finished(&session, &RunSession::finished);
    StallProbe probe;
    probe.start();
    QString error;
    if (!session.start(plan, &error)) {
        std::fprintf(stderr, "headless run: %s\n", qPrintable(error));
        return run;
    }
    finished.wait(int(plan.load.durationMs) + 60000);
    run.stallMs = probe.stopMs();
    if (!finished.isEmpty())
        run.rps = finished.first().first().value<RunSummary>().throughputRps();
    return run;
}

InProcessRun runGui(MainWindow &window, const TestPlan &plan)
{
    InProcessRun run;
    RunPlace *place = window.runPlace();
    QSignalSpy finished(place, &RunPlace::runFinished);
    window.designPlace()->setPlan(plan);
    window.designPlace()->validateNow();
    const int replotsBefore = place->charts()->replotCount();
    StallProbe probe;
    probe.start();
    if (!window.runPlan()) {
        std::fprintf(stderr, "GUI run did not start\n");
        return run;
    }
    finished.wait(int(plan.load.durationMs) + 60000);
    run.stallMs = probe.stopMs();
    run.rps = place->lastSummary().throughputRps();
    run.replots = place->charts()->replotCount() - replotsBefore;
    return run;
}

} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_QPA_PLATFORM",
            qEnvironmentVariable("QT_QPA_PLATFORM", QStringLiteral("offscreen")).toUtf8());
    QApplication app(argc, argv);
    int rounds = 2;
    int seconds = 10;
    int vus = 50;
    int threads = 1;
    for (const QString &arg : app.arguments().mid(1)) {
        if (arg.startsWith(QLatin1String("--rounds=")))
            rounds = arg.mid(9).toInt();
        else if (arg.startsWith(QLatin1String("--seconds=")))
            seconds = arg.mid(10).toInt();
        else if (arg.startsWith(QLatin1String("--vus=")))
            vus = arg.mid(6).toInt();
        else if (arg.startsWith(QLatin1String("--threads=")))
            threads = arg.mid(10).toInt();
        else {
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
    HistoryStore store;
    if (!store.open(dir.filePath(QStringLiteral("bench.db")), &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    const TestPlan plan = benchPlan(nginx.baseUrl(), vus, seconds, threads);
    MainWindow window(&store, DefaultTarget{});
    window.resize(1400, 900);
    window.show();
    QCoreApplication::processEvents();

    std::printf("nginx at %s, constant-vus %d VUs, %d s, %d worker thread(s), platform %s\n",
                qPrintable(nginx.baseUrl()), vus, seconds, threads,
                qPrintable(QGuiApplication::platformName()));
    std::printf("%-6s %11s %13s %11s %7s %7s %15s %17s %8s\n", "round", "cli req/s", "headless r/s",
                "gui req/s", "gui/cli", "gui/hl", "headless stall", "gui stall (max)", "replots");
    QList<double> headlessRatios;
    QList<double> guiRatios;
    double headlessStall = 0;
    double guiStall = 0;
    for (int round = 1; round <= rounds; ++round) {
        const double cli = runCli(nginx.baseUrl(), vus, seconds, threads,
                                  dir.filePath(QStringLiteral("cli.json")));
        const InProcessRun headless = runHeadless(&store, plan);
        const InProcessRun gui = runGui(window, plan);
        if (cli > 0) {
            headlessRatios.append(headless.rps / cli);
            guiRatios.append(gui.rps / cli);
        }
        headlessStall = std::max(headlessStall, headless.stallMs);
        guiStall = std::max(guiStall, gui.stallMs);
        std::printf("%-6d %11.0f %13.0f %11.0f %7.2f %7.2f %12.1f ms %14.1f ms %8d\n", round, cli,
                    headless.rps, gui.rps, cli > 0 ? gui.rps / cli : 0.0,
                    headless.rps > 0 ? gui.rps / headless.rps : 0.0, headless.stallMs, gui.stallMs,
                    gui.replots);
        std::fflush(stdout);
    }
    // Both figures of issue #13 item 6 in one table, each run's throughput as a ratio to the
    // CLI's measured in the same round (median over the rounds), stalls the worst of any round.
    auto median = [](QList<double> values) {
        if (values.isEmpty())
            return 0.0;
        std::sort(values.begin(), values.end());
        return values.at(values.size() / 2);
    };
    std::printf("\n| %d rounds | throughput / CLI (median) | GUI thread's longest stall |\n"
                "|---|---|---|\n",
                rounds);
    std::printf("| headless RunSession | %.2f× | %.1f ms |\n", median(headlessRatios),
                headlessStall);
    std::printf("| GUI, Run place shown | %.2f× | %.1f ms |\n", median(guiRatios), guiStall);
    std::printf("| target | ≥ 0.95× | ≤ 50 ms |\n");
    return 0;
}
