#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <functional>
#include <memory>
#include <unistd.h>

#include <QCoreApplication>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSocketNotifier>
#include <QTextStream>
#include <QTimer>
#include <QUrl>

#include "cli/cliapp.h"
#include "cli/commandline.h"
#include "cli/runoptions.h"
#include "cli/runreport.h"
#include "interop/resultjson.h"
#include "interop/resultupload.h"
#include "interop/resultwriters.h"
#include "session/runsession.h"
#include "session/sampletarget.h"
#include "store/historystore.h"

namespace loadscope {
namespace {

// Self-pipe: the handler only counts and writes one byte (both async-signal-safe); a
// QSocketNotifier on the read end turns the byte into a graceful stop on the event loop.
int g_signalPipe[2] = {-1, -1};
std::atomic<int> g_signals{0};
static_assert(std::atomic<int>::is_always_lock_free, "used from a signal handler");

void onStopSignal(int signalNumber)
{
    if (g_signals.fetch_add(1) > 0) {
        // The second signal stops at once, as the user asked twice.
        ::signal(signalNumber, SIG_DFL);
        ::raise(signalNumber);
        return;
    }
    const int saved = errno;
    const char byte = char(signalNumber);
    [[maybe_unused]] const ssize_t written = ::write(g_signalPipe[1], &byte, 1);
    errno = saved;
}

const char *signalName(int signalNumber)
{
    switch (signalNumber) {
    case SIGINT:
        return "SIGINT (Ctrl+C)";
    case SIGTERM:
        return "SIGTERM";
    case SIGHUP:
        return "SIGHUP";
    default:
        return "a signal";
    }
}

//! SIGINT, SIGTERM and SIGHUP stop the run like its planned end does (a CI cancel, `timeout`
//! and a container stop send SIGTERM); the previous handlers come back on destruction.
class StopSignals final
{
    Q_DISABLE_COPY_MOVE(StopSignals)

public:
    explicit StopSignals(std::function<void(int)> onSignal)
    {
        g_signals = 0;
        if (::pipe2(g_signalPipe, O_CLOEXEC | O_NONBLOCK) != 0)
            return;
        m_notifier = std::make_unique<QSocketNotifier>(g_signalPipe[0], QSocketNotifier::Read);
        QObject::connect(m_notifier.get(), &QSocketNotifier::activated, m_notifier.get(),
                         [onSignal = std::move(onSignal)] {
                             char byte = 0;
                             while (::read(g_signalPipe[0], &byte, 1) == 1)
                                 onSignal(int(byte));
                         });
        struct sigaction action = {};
        action.sa_handler = onStopSignal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;
        for (std::size_t i = 0; i < kSignals.size(); ++i)
            ::sigaction(kSignals[i], &action, &m_previous[i]);
        m_installed = true;
    }

    ~StopSignals()
    {
        if (m_installed) {
            for (std::size_t i = 0; i < kSignals.size(); ++i)
                ::sigaction(kSignals[i], &m_previous[i], nullptr);
        }
        m_notifier.reset();
        for (int &fd : g_signalPipe) {
            if (fd >= 0)
                ::close(fd);
            fd = -1;
        }
    }

private:
    static constexpr std::array<int, 3> kSignals{SIGINT, SIGTERM, SIGHUP};
    std::array<struct sigaction, 3> m_previous{};
    std::unique_ptr<QSocketNotifier> m_notifier;
    bool m_installed = false;
};

//! Waits on the event loop until @p at (a signal gives up); false when interrupted. A time
//! already past starts at once: `merge` aligns the agents' intervals by their clock starts.
bool waitForStart(const QDateTime &at, const ExecutionSegment &segment, QTextStream &out,
                  QTextStream &err)
{
    const qint64 waitMs = QDateTime::currentDateTimeUtc().msecsTo(at);
    const QString who = segment.isWhole() ? QStringLiteral("the run")
                                          : QStringLiteral("segment ") + segment.toString();
    if (waitMs <= 0) {
        err << "loadscope-cli run: warning: --start-at " << at.toString(Qt::ISODateWithMs)
            << " passed " << QString::number(double(-waitMs) / 1000.0, 'f', 1) << " s ago; " << who
            << " starts now\n";
        err.flush();
        return true;
    }
    out << "  " << who << " starts at " << at.toString(Qt::ISODateWithMs) << " (in "
        << QString::number(double(waitMs) / 1000.0, 'f', 1) << " s)\n";
    out.flush();
    int code = 0;
    QTimer timer;
    timer.setSingleShot(true);
    timer.setTimerType(Qt::PreciseTimer);
    QObject::connect(&timer, &QTimer::timeout, &timer, [] { QCoreApplication::exit(0); });
    timer.start(int(std::min<qint64>(waitMs, 1 << 30)));
    {
        StopSignals stop([&code](int) {
            code = 1;
            QCoreApplication::exit(1);
        });
        QCoreApplication::exec();
    }
    if (code != 0) {
        err << "loadscope-cli run: interrupted before the start\n";
        return false;
    }
    // A Qt timer may fire up to a millisecond early; the start is the promised time or later.
    while (QDateTime::currentDateTimeUtc() < at) {
    }
    return true;
}

//! --report-to: "-" prints the result as one compact JSON line, the last of stdout (for
//! `kubectl logs`); a URL gets it POSTed (DESIGN.md §4.2), with $LOADSCOPE_TOKEN as bearer.
bool reportResult(const QString &to, const QJsonObject &document, QTextStream &out,
                  QTextStream &err)
{
    if (to == QLatin1String("-")) {
        out << QString::fromUtf8(QJsonDocument(document).toJson(QJsonDocument::Compact)) << '\n';
        out.flush();
        return true;
    }
    QString why;
    const QString token = qEnvironmentVariable("LOADSCOPE_TOKEN");
    if (!postResult(QUrl(to), token, document, &why)) {
        err << "loadscope-cli run: --report-to: " << why << '\n';
        return false;
    }
    out << "  result reported to " << to << '\n';
    return true;
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

    if (store && request->baseline.mode == BaselineChoice::Id &&
        !store->result(request->baseline.id)) {
        const QString why = store->readError().isEmpty()
                                ? QStringLiteral("no stored run with ID ") +
                                      QString::number(request->baseline.id) +
                                      QStringLiteral(" in ") + store->path()
                                : store->readError();
        return line.usageError(err, QStringLiteral("--baseline=") +
                                        QString::number(request->baseline.id) +
                                        QStringLiteral(": ") + why);
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
    if (request->scheduled)
        session.setTrigger(QStringLiteral("schedule"));
    session.setSegment(request->segment);
    session.setKeepIntervalHistograms(request->histograms);
    if (!request->segment.isWhole() || request->startAt.isValid()) {
        QJsonObject agent;
        if (request->startAt.isValid())
            agent.insert(QStringLiteral("scheduledStart"),
                         request->startAt.toString(Qt::ISODateWithMs));
        session.setAgent(agent);
    }
    if (request->startAt.isValid() && !waitForStart(request->startAt, request->segment, out, err))
        return ExitRunFailed;
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
        // A target we cannot reach or a history that cannot be written (a full disk) is a
        // failed run; anything else is bad input.
        return error.startsWith(QLatin1String("baseUrl: cannot resolve")) ||
                       error.startsWith(QLatin1String("cannot record the run in the history"))
                   ? ExitRunFailed
                   : ExitUsage;
    }
    progress.started(session.baseUrl(), resultId > 0 ? resultId : session.resultId());

    StopSignals stopSignals([&session, &progress](int signalNumber) {
        if (!session.isRunning())
            return;
        const QString reason =
            QStringLiteral("interrupted by ") + QLatin1String(signalName(signalNumber));
        progress.note(reason +
                      QStringLiteral(": finishing in-flight requests… (again to quit at once)"));
        session.stop(reason);
    });
    if (!done)
        QCoreApplication::exec();
    progress.finishLine();

    const QJsonObject document =
        resultDocument(request->plan, summary, resultId, request->plan.versionLabel);
    // "stored run #N" only once the final commit succeeded.
    const StoreOutcome stored = session.storeOutcome();
    printRunSummary(out, request->plan, summary, session.baseUrl(), stored.ok ? resultId : 0,
                    store ? store->path() : QString());
    if (!request->outputFile.isEmpty()) {
        if (!writeResult(request->format, request->outputFile, document, &error))
            err << "loadscope-cli run: " << error << '\n';
        else
            out << "  result written to " << request->outputFile << '\n';
    }
    out.flush();

    if (!request->reportTo.isEmpty() && !reportResult(request->reportTo, document, out, err))
        return ExitRunFailed;

    if (!stored.ok) {
        err << "loadscope-cli run: the run was NOT stored in " << store->path() << ": "
            << stored.error << '\n';
        return ExitRunFailed;
    }
    if (summary.status == ResultStatus::Failed) {
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
        summary.extras.comparison.value(QStringLiteral("verdict")) == QLatin1String("regression")) {
        err << "loadscope-cli run: regression against the baseline\n";
        return ExitRegression;
    }
    return ExitPassed;
}

} // namespace loadscope
