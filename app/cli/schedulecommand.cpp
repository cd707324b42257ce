#include "schedulecommand.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QProcess>
#include <QSaveFile>
#include <QTextStream>

#include "cli/cliapp.h"
#include "cli/commandline.h"
#include "metrics/runmetrics.h"
#include "session/schedule.h"
#include "store/historystore.h"

namespace loadscope {
namespace {

constexpr int kSystemctlTimeoutMs = 30000;

QString quoted(const QString &value)
{
    return u'"' + value + u'"';
}

QString dbPathOf(const QCommandLineParser &p)
{
    const QString path =
        p.isSet(QStringLiteral("db")) ? p.value(QStringLiteral("db")) : HistoryStore::defaultPath();
    return QFileInfo(path).absoluteFilePath();
}

//! Runs `systemctl --user ARGS`; false with what it said (or why it could not start).
bool systemctlUser(const QStringList &args, QString *error)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(QStringLiteral("systemctl"), QStringList{QStringLiteral("--user")} + args);
    if (!process.waitForStarted()) {
        *error = QStringLiteral("systemctl cannot be started (") + process.errorString() + u')';
        return false;
    }
    if (!process.waitForFinished(kSystemctlTimeoutMs)) {
        process.kill();
        process.waitForFinished();
        *error = QStringLiteral("systemctl --user ") + args.join(u' ') +
                 QStringLiteral(" did not finish in 30 s");
        return false;
    }
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        *error = QStringLiteral("systemctl --user ") + args.join(u' ') + QStringLiteral(": ") +
                 QString::fromLocal8Bit(process.readAll()).trimmed();
        return false;
    }
    return true;
}

bool writeUnit(const QString &path, const QString &text, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(text.toUtf8()) < 0 || !file.commit()) {
        *error = path + QStringLiteral(": ") + file.errorString();
        return false;
    }
    return true;
}

int scheduleAdd(const QStringList &args, QTextStream &out, QTextStream &err)
{
    SubcommandLine line(QStringLiteral("schedule add"),
                        QStringLiteral("Run a stored test on a calendar, as a systemd user timer "
                                       "(or print the units or a crontab line)."));
    line.addValueOption("every", "daily, weekly (Mondays), monthly (the 1st) or a cron expression.",
                        "WHEN");
    line.addValueOption("at", "Time of day for daily, weekly and monthly (default 03:00).",
                        "HH:MM");
    line.addFlag({QStringLiteral("fail-on-regression")},
                 "The scheduled run fails (exit 98) when it regresses against the baseline.");
    line.addFlag({QStringLiteral("print")},
                 "Write the .service and .timer units to standard output instead of installing.");
    line.addFlag({QStringLiteral("crontab")}, "Print a crontab line instead of installing units.");
    line.addDbOption();
    line.addPositional(QStringLiteral("TEST"), QStringLiteral("Name of a stored test."),
                       QStringLiteral("TEST"));
    int code = 0;
    if (!line.parse(args, out, err, &code))
        return code;
    const QCommandLineParser &p = line.parser();
    if (p.positionalArguments().size() != 1)
        return line.usageError(err, QStringLiteral("expects one test name, got ") +
                                        QString::number(p.positionalArguments().size()));
    if (!p.isSet(QStringLiteral("every")))
        return line.usageError(err, QStringLiteral("--every is required (daily, weekly, monthly "
                                                   "or a cron expression)"));
    if (p.isSet(QStringLiteral("print")) && p.isSet(QStringLiteral("crontab")))
        return line.usageError(err, QStringLiteral("--print and --crontab exclude each other"));

    Schedule schedule;
    schedule.test = p.positionalArguments().constFirst();
    schedule.every = p.value(QStringLiteral("every")).trimmed();
    if (p.isSet(QStringLiteral("at"))) {
        schedule.at = QTime::fromString(p.value(QStringLiteral("at")), QStringLiteral("H:mm"));
        if (!schedule.at.isValid())
            return line.usageError(err, QStringLiteral("--at: ") +
                                            quoted(p.value(QStringLiteral("at"))) +
                                            QStringLiteral(" is not a time of day HH:MM"));
    }
    schedule.failOnRegression = p.isSet(QStringLiteral("fail-on-regression"));
    schedule.dbPath = dbPathOf(p);
    schedule.program = QFileInfo(QCoreApplication::applicationFilePath()).absoluteFilePath();

    // The scheduled run reads the plan from the history: refuse a test it would not find.
    HistoryStore store;
    QString error;
    if (!store.open(schedule.dbPath, HistoryStore::OpenMode::ReadOnly, &error))
        return line.usageError(err, QStringLiteral("cannot read the history database: ") + error);
    if (!store.findTestByName(schedule.test))
        return line.usageError(err, QStringLiteral("no stored test is named ") +
                                        quoted(schedule.test) + QStringLiteral(" in ") +
                                        schedule.dbPath +
                                        QStringLiteral(" (save it from the GUI, the REST API, or "
                                                       "run its plan once)"));

    const auto timer = timerUnitText(schedule, &error);
    if (!timer)
        return line.usageError(err, error.startsWith(QLatin1String("--"))
                                        ? error
                                        : QStringLiteral("--every: ") + error);
    const QString service = serviceUnitText(schedule);
    if (p.isSet(QStringLiteral("crontab"))) {
        out << *crontabLine(schedule, &error) << '\n';
        return ExitPassed;
    }
    if (p.isSet(QStringLiteral("print"))) {
        out << service << '\n' << *timer;
        return ExitPassed;
    }

    const QString unit = schedule.unitName();
    const QDir dir(userUnitDirectory());
    if (!QDir().mkpath(dir.path())) {
        err << "loadscope-cli schedule add: cannot create " << dir.path() << '\n';
        return ExitRunFailed;
    }
    const bool replacing = QFileInfo::exists(dir.filePath(unit + QStringLiteral(".timer")));
    if (!writeUnit(dir.filePath(unit + QStringLiteral(".service")), service, &error) ||
        !writeUnit(dir.filePath(unit + QStringLiteral(".timer")), *timer, &error)) {
        err << "loadscope-cli schedule add: " << error << '\n';
        return ExitRunFailed;
    }
    out << (replacing ? "replaced " : "wrote ") << dir.filePath(unit + QStringLiteral(".service"))
        << " and " << unit << ".timer\n";
    if (!systemctlUser({QStringLiteral("daemon-reload")}, &error) ||
        !systemctlUser(
            {QStringLiteral("enable"), QStringLiteral("--now"), unit + QStringLiteral(".timer")},
            &error)) {
        err << "loadscope-cli schedule add: the units are written but not enabled: " << error
            << "\n  enable them where a user session runs: systemctl --user daemon-reload && "
               "systemctl --user enable --now "
            << unit << ".timer\n  (or use --crontab on a machine without systemd)\n";
        return ExitRunFailed;
    }
    out << "scheduled " << quoted(schedule.test) << ": " << describeSchedule(schedule) << " ("
        << unit << ".timer enabled)\n";
    return ExitPassed;
}

int scheduleList(const QStringList &args, QTextStream &out, QTextStream &err)
{
    SubcommandLine line(QStringLiteral("schedule list"),
                        QStringLiteral("List the scheduled tests and their last scheduled run."));
    line.addDbOption();
    int code = 0;
    if (!line.parse(args, out, err, &code))
        return code;
    const auto schedules = installedSchedules();
    if (schedules.isEmpty()) {
        out << "no schedules in " << userUnitDirectory() << '\n';
        return ExitPassed;
    }
    // Each schedule names its own history; --db only fills in for units that do not.
    const QString fallbackDb = dbPathOf(line.parser());
    for (const auto &[unit, schedule] : schedules) {
        HistoryStore store;
        QString error;
        const QString db = schedule.dbPath.isEmpty() ? fallbackDb : schedule.dbPath;
        const QString last = store.open(db, HistoryStore::OpenMode::ReadOnly, &error)
                                 ? lastScheduledRun(store, schedule.test)
                                 : QStringLiteral("(history unreadable: ") + error + u')';
        out << quoted(schedule.test) << "  " << describeSchedule(schedule) << "\n  unit " << unit
            << ".timer, history " << db << "\n  last scheduled run: " << last << '\n';
    }
    return ExitPassed;
}

int scheduleRemove(const QStringList &args, QTextStream &out, QTextStream &err)
{
    SubcommandLine line(
        QStringLiteral("schedule remove"),
        QStringLiteral("Stop and delete a test's schedule (its stored runs stay)."));
    line.addPositional(QStringLiteral("TEST"), QStringLiteral("Name of a scheduled test."),
                       QStringLiteral("TEST"));
    int code = 0;
    if (!line.parse(args, out, err, &code))
        return code;
    const QStringList positional = line.parser().positionalArguments();
    if (positional.size() != 1)
        return line.usageError(err, QStringLiteral("expects one test name, got ") +
                                        QString::number(positional.size()));
    const auto schedules = installedSchedules();
    const auto found = std::find_if(schedules.begin(), schedules.end(), [&](const auto &entry) {
        return entry.second.test == positional.first();
    });
    if (found == schedules.end()) {
        QStringList names;
        for (const auto &entry : schedules)
            names << quoted(entry.second.test);
        return line.usageError(err,
                               QStringLiteral("no schedule for ") + quoted(positional.first()) +
                                   (names.isEmpty() ? QStringLiteral(" (there are none)")
                                                    : QStringLiteral(" (scheduled: ") +
                                                          names.join(QStringLiteral(", ")) + u')'));
    }
    const QString unit = found->first;
    QString error;
    const bool stopped = systemctlUser(
        {QStringLiteral("disable"), QStringLiteral("--now"), unit + QStringLiteral(".timer")},
        &error);
    const QDir dir(userUnitDirectory());
    for (const QString &suffix : {QStringLiteral(".timer"), QStringLiteral(".service")}) {
        const QString path = dir.filePath(unit + suffix);
        if (QFileInfo::exists(path) && !QFile::remove(path)) {
            err << "loadscope-cli schedule remove: cannot delete " << path << '\n';
            return ExitRunFailed;
        }
    }
    if (stopped)
        systemctlUser({QStringLiteral("daemon-reload")}, &error);
    else
        err << "loadscope-cli schedule remove: note: " << error
            << " (the unit files are deleted; a running systemd forgets the timer at its next "
               "daemon-reload)\n";
    out << "removed the schedule of " << quoted(found->second.test) << " (" << unit << ".timer)\n";
    return ExitPassed;
}

} // namespace

int scheduleCommand(const QStringList &args, QTextStream &out, QTextStream &err)
{
    const QString sub = args.value(0);
    if (sub == QLatin1String("add"))
        return scheduleAdd(args.mid(1), out, err);
    if (sub == QLatin1String("list"))
        return scheduleList(args.mid(1), out, err);
    if (sub == QLatin1String("remove"))
        return scheduleRemove(args.mid(1), out, err);
    if (sub.isEmpty() || sub == QLatin1String("--help") || sub == QLatin1String("-h")) {
        (sub.isEmpty() ? err : out)
            << "Usage: loadscope-cli schedule add TEST --every=daily|weekly|monthly|CRON "
               "[--at=HH:MM] [--fail-on-regression] [--print|--crontab] [--db=FILE]\n"
               "       loadscope-cli schedule list [--db=FILE]\n"
               "       loadscope-cli schedule remove TEST\n";
        return sub.isEmpty() ? ExitUsage : ExitPassed;
    }
    err << "loadscope-cli schedule: unknown subcommand '" << sub
        << "' (expected add, list or remove)\n";
    return ExitUsage;
}

} // namespace loadscope
