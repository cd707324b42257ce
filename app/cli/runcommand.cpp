#include <atomic>
#include <csignal>
#include <cstdio>
#include <unistd.h>

#include <QCoreApplication>
#include <QTextStream>
#include <QTimer>

#include "cli/cliapp.h"
#include "cli/commandline.h"
#include "cli/runoptions.h"
#include "cli/runreport.h"
#include "interop/resultjson.h"
#include "interop/resultwriters.h"
#include "session/runsession.h"
#include "session/sampletarget.h"
#include "store/historystore.h"

namespace loadscope {
namespace {

std::atomic<int> g_interrupts{0};

extern "C" void onInterrupt(int)
{
    g_interrupts.fetch_add(1);
    std::signal(SIGINT, SIG_DFL); // a second Ctrl+C ends the process at once
}

} // namespace

int runCommand(const QStringList &args, QTextStream &out, QTextStream &err)
{
    SubcommandLine line(QStringLiteral("run"),
                        QStringLiteral("Run a test plan (PLAN.json) or a test type preset."));
    addRunOptions(line);
    int code = 0;
    if (!line.parse(args, out, err, &code))
        return code;
    QString error;
    const auto request = runRequestFromOptions(line.parser(), &error);
    if (!request)
        return line.usageError(err, error);

    std::unique_ptr<HistoryStore> store;
    if (request->useDb) {
        store = openStoreFor(line.parser(), err, line.command());
        if (!store)
            return ExitUsage;
    }

    // Plans without a base URL run against the sample API in a child process of its own, so
    // that the generator and the target are measured apart.
    SampleTargetProcess sampleTarget(QCoreApplication::applicationFilePath());
    if (request->plan.baseUrl.isEmpty()) {
        QString why;
        if (!sampleTarget.start({}, &why)) {
            err << "loadscope-cli run: cannot start the built-in sample API: " << why << '\n';
            return ExitRunFailed;
        }
    }

    RunSession session(store.get());
    session.setDefaultTarget(sampleTarget.target());
    session.setBaseline(request->baseline);
    session.setMonitorOptions(request->monitor);
    const bool tty = isatty(fileno(stdout)) && !request->quiet;
    ProgressPrinter progress(out, request->plan, tty, request->quiet);
    QObject::connect(&session, &RunSession::intervalSample, &session,
                     [&progress, &session](const IntervalSample &sample) {
                         progress.interval(sample, session.elapsedSec());
                     });
    QObject::connect(&session, &RunSession::storeWarning, &session, [&err](const QString &message) {
        err << "loadscope-cli run: warning: storing the run failed: " << message << '\n';
        err.flush();
    });

    RunSummary summary;
    qint64 resultId = 0;
    bool done = false;
    QObject::connect(&session, &RunSession::finished, &session,
                     [&](const RunSummary &s, qint64 id) {
                         summary = s;
                         resultId = id;
                         done = true;
                         QCoreApplication::exit(0);
                     });
    if (!session.start(request->plan, &error)) {
        err << "loadscope-cli run: " << error << '\n';
        // A target we cannot reach is a failed run; anything else is bad input.
        return error.startsWith(QLatin1String("baseUrl: cannot resolve")) ? ExitRunFailed
                                                                          : ExitUsage;
    }
    progress.started(session.baseUrl(), resultId > 0 ? resultId : session.resultId());

    g_interrupts = 0;
    std::signal(SIGINT, onInterrupt);
    QTimer interruptPoll;
    QObject::connect(&interruptPoll, &QTimer::timeout, &session, [&session, &progress] {
        if (g_interrupts.load() > 0 && session.isRunning()) {
            progress.note(QStringLiteral("interrupted: finishing in-flight requests…"));
            session.stop(QStringLiteral("interrupted (Ctrl+C)"));
            g_interrupts = -1000;
        }
    });
    interruptPoll.start(100);
    if (!done)
        QCoreApplication::exec();
    interruptPoll.stop();
    std::signal(SIGINT, SIG_DFL);
    progress.finishLine();

    const QJsonObject document =
        resultDocument(request->plan, summary, resultId, request->plan.versionLabel);
    printRunSummary(out, request->plan, summary, session.baseUrl(), resultId,
                    store ? store->path() : QString());
    if (!request->outputFile.isEmpty()) {
        if (!writeResult(request->format, request->outputFile, document, &error))
            err << "loadscope-cli run: " << error << '\n';
        else
            out << "  result written to " << request->outputFile << '\n';
    }
    out.flush();

    if (summary.status == QLatin1String("failed")) {
        err << "loadscope-cli run: the run failed: " << summary.errorDetails << '\n';
        return ExitRunFailed;
    }
    if (summary.totals.requests == 0) {
        err << "loadscope-cli run: no request completed\n";
        return ExitRunFailed;
    }
    if (summary.totals.errors == summary.totals.requests) {
        err << "loadscope-cli run: every request failed (" << summary.errorDetails << ")\n";
        return ExitRunFailed;
    }
    if (!summary.thresholdsPassed())
        return ExitThresholds;
    if (request->failOnRegression &&
        summary.extras.value(QStringLiteral("comparison"))
                .toObject()
                .value(QStringLiteral("verdict")) == QLatin1String("regression")) {
        err << "loadscope-cli run: regression against the baseline\n";
        return ExitRegression;
    }
    return ExitPassed;
}

} // namespace loadscope
