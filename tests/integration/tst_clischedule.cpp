#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>

#include "plan/planjson.h"
#include "plan/planpresets.h"
#include "store/historystore.h"
#include "testmain.h"
#include "testsupport.h"

using namespace loadscope;
using loadscope::test::CliRun;
using loadscope::test::runCli;

namespace {

// A name that needs every kind of quoting: spaces, both quotes, '%' (a newline to cron, a
// specifier to systemd), '$' (a variable to both) and a backslash.
const QString kAwkwardName = QStringLiteral("nightly \"api\" it's 100% $HOME\\x");

QString describe(const CliRun &run)
{
    return QStringLiteral("exit %1\n--- stdout\n%2\n--- stderr\n%3")
        .arg(run.exitCode)
        .arg(run.out, run.err);
}

struct Tool
{
    int exitCode = -1;
    QString out;
};

Tool runTool(const QString &program, const QStringList &args, const QStringList &env = {})
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const QString &entry : env)
        environment.insert(entry.section(u'=', 0, 0), entry.section(u'=', 1));
    process.setProcessEnvironment(environment);
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, args);
    if (!process.waitForFinished(60000))
        return {};
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAll())};
}

//! The units `schedule add --print` wrote, split at their "# NAME.service" / "# NAME.timer"
//! heading lines.
QMap<QString, QString> splitUnits(const QString &text)
{
    QMap<QString, QString> units;
    QString current;
    for (const QString &line : text.split(u'\n')) {
        static const QRegularExpression heading(QStringLiteral("^# (\\S+\\.(service|timer))$"));
        const auto match = heading.match(line);
        if (match.hasMatch()) {
            current = match.captured(1);
            continue;
        }
        if (!current.isEmpty())
            units[current] += line + u'\n';
    }
    return units;
}

QStringList onCalendarLines(const QString &timer)
{
    QStringList lines;
    for (const QString &line : timer.split(u'\n'))
        if (line.startsWith(QLatin1String("OnCalendar=")))
            lines << line.mid(11);
    return lines;
}

//! The next @p count elapse times of systemd calendar expressions (their union), as systemd
//! itself computes them, from @p base.
QStringList systemdElapses(const QStringList &calendars, const QDateTime &base, int count)
{
    QStringList times;
    for (const QString &calendar : calendars) {
        const Tool tool = runTool(
            QStringLiteral("systemd-analyze"),
            {QStringLiteral("calendar"), QStringLiteral("--iterations=") + QString::number(count),
             QStringLiteral("--base-time=@") + QString::number(base.toSecsSinceEpoch()), calendar},
            {QStringLiteral("TZ=UTC")});
        static const QRegularExpression elapse(QStringLiteral(
            "(?:Next elapse|Iter\\. #\\d+): \\w+ (\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d)"));
        auto it = elapse.globalMatch(tool.out);
        while (it.hasNext())
            times << it.next().captured(1);
    }
    times.sort();
    times.removeDuplicates();
    return times.mid(0, count);
}

//! The same from croniter (Debian's python3-croniter), an independent reading of cron.
QStringList croniterElapses(const QString &cron, const QDateTime &base, int count)
{
    const QString script =
        QStringLiteral("import sys, datetime\n"
                       "from croniter import croniter\n"
                       "base = datetime.datetime.utcfromtimestamp(int(sys.argv[2]))\n"
                       "it = croniter(sys.argv[1], base)\n"
                       "for _ in range(int(sys.argv[3])):\n"
                       "    print(it.get_next(datetime.datetime).strftime('%Y-%m-%d %H:%M:%S'))\n");
    const Tool tool = runTool(QStringLiteral("/usr/bin/python3"),
                              {QStringLiteral("-c"), script, cron,
                               QString::number(base.toSecsSinceEpoch()), QString::number(count)});
    return tool.out.split(u'\n', Qt::SkipEmptyParts);
}

} // namespace

class TestCliSchedule : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_db;
    QString m_config;

    //! The environment of a CLI whose systemd user units go to our directory and whose
    //! `systemctl --user` finds no user manager (so nothing is enabled on this machine).
    QStringList sandbox() const
    {
        return {QStringLiteral("XDG_CONFIG_HOME=") + m_config,
                QStringLiteral("XDG_RUNTIME_DIR=") + m_dir.filePath(QStringLiteral("runtime")),
                QStringLiteral("DBUS_SESSION_BUS_ADDRESS=unix:path=") +
                    m_dir.filePath(QStringLiteral("no-bus"))};
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_db = m_dir.filePath(QStringLiteral("history.db"));
        m_config = m_dir.filePath(QStringLiteral("config"));
        QVERIFY(QDir().mkpath(m_dir.filePath(QStringLiteral("runtime"))));
        HistoryStore store;
        QString error;
        QVERIFY2(store.open(m_db, &error), qPrintable(error));
        TestPlan plan = presetPlan(TestType::ApiLatency);
        plan.name = kAwkwardName;
        StoredTest test;
        test.name = kAwkwardName;
        test.testType = QStringLiteral("API_LATENCY");
        test.plan = toJson(plan);
        QVERIFY(store.saveTest(test) > 0);
    }

    void runByStoredNameIsMarkedScheduled()
    {
        const CliRun run = runCli({QStringLiteral("run"), QStringLiteral("--test=") + kAwkwardName,
                                   QStringLiteral("--duration=1"), QStringLiteral("--scheduled"),
                                   QStringLiteral("--quiet"), QStringLiteral("--db=") + m_db});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        HistoryStore store;
        QString error;
        QVERIFY2(store.open(m_db, HistoryStore::OpenMode::ReadOnly, &error), qPrintable(error));
        const QList<ResultRecord> results = store.listResults();
        QCOMPARE(results.size(), 1);
        QCOMPARE(results.first().testName, kAwkwardName);
        QCOMPARE(results.first().summary.value(QStringLiteral("trigger")).toString(),
                 QStringLiteral("schedule"));

        // A name the history does not hold is refused, listing the ones it does.
        const CliRun unknown = runCli(
            {QStringLiteral("run"), QStringLiteral("--test=nope"), QStringLiteral("--db=") + m_db});
        QCOMPARE(unknown.exitCode, 2);
        QVERIFY2(unknown.err.contains(QLatin1String("no stored test is named \"nope\"")) &&
                     unknown.err.contains(kAwkwardName),
                 qPrintable(describe(unknown)));
    }

    void printedUnitsPassSystemdVerify()
    {
        const CliRun print =
            runCli({QStringLiteral("schedule"), QStringLiteral("add"), kAwkwardName,
                    QStringLiteral("--every=daily"), QStringLiteral("--at=04:30"),
                    QStringLiteral("--fail-on-regression"), QStringLiteral("--print"),
                    QStringLiteral("--db=") + m_db});
        QVERIFY2(print.exitCode == 0, qPrintable(describe(print)));
        const QMap<QString, QString> units = splitUnits(print.out);
        QCOMPARE(units.size(), 2);
        const QString base = units.firstKey().section(u'.', 0, 0);
        QVERIFY2(base.startsWith(QLatin1String("loadscope-nightly-api-it-s-100-home-x-")),
                 qPrintable(base));
        const QString timer = units.value(base + QStringLiteral(".timer"));
        QCOMPARE(onCalendarLines(timer), QStringList{QStringLiteral("*-*-* 04:30:00")});
        QVERIFY(timer.contains(QLatin1String("Unit=") + base + QLatin1String(".service")));

        const QString unitDir = m_dir.filePath(QStringLiteral("verify"));
        QVERIFY(QDir().mkpath(unitDir));
        QStringList files;
        for (auto it = units.begin(); it != units.end(); ++it) {
            QFile file(unitDir + u'/' + it.key());
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(it.value().toUtf8());
            files << file.fileName();
        }
        const Tool verify = runTool(QStringLiteral("systemd-analyze"),
                                    QStringList{QStringLiteral("verify")} + files);
        QVERIFY2(verify.exitCode == 0 && !verify.out.contains(base), qPrintable(verify.out));

        // A broken unit fails the same check (the check is not a formality).
        QFile broken(unitDir + QStringLiteral("/broken-check.timer"));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("[Timer]\nOnCalendar=*-*-* 25:99:00\nUnit=nothing-here.service\n");
        broken.close();
        QVERIFY(runTool(QStringLiteral("systemd-analyze"),
                        {QStringLiteral("verify"), broken.fileName()})
                    .exitCode != 0);
    }

    void cronCalendarsMatchCroniter_data()
    {
        QTest::addColumn<QString>("cron");
        QTest::newRow("every 15 min on weekdays") << QStringLiteral("*/15 9-17 * * 1-5");
        QTest::newRow("lists and names") << QStringLiteral("0,30 8 * jan,jul mon,fri");
        QTest::newRow("day of month or of week") << QStringLiteral("0 6 1,15 * 0");
        QTest::newRow("range with step") << QStringLiteral("5-50/15 */6 * * *");
        QTest::newRow("Sunday as 7") << QStringLiteral("30 2 * * 7");
        QTest::newRow("monthly macro") << QStringLiteral("@monthly");
    }

    void cronCalendarsMatchCroniter()
    {
        QFETCH(QString, cron);
        const CliRun print = runCli({QStringLiteral("schedule"), QStringLiteral("add"),
                                     kAwkwardName, QStringLiteral("--every=") + cron,
                                     QStringLiteral("--print"), QStringLiteral("--db=") + m_db});
        QVERIFY2(print.exitCode == 0, qPrintable(describe(print)));
        QString timer;
        const QMap<QString, QString> units = splitUnits(print.out);
        for (auto it = units.begin(); it != units.end(); ++it)
            if (it.key().endsWith(QLatin1String(".timer")))
                timer = it.value();
        const QStringList calendars = onCalendarLines(timer);
        QVERIFY(!calendars.isEmpty());
        const QDateTime base(QDate(2026, 12, 2), QTime(19, 47), Qt::UTC);
        const QStringList expected = croniterElapses(cron, base, 20);
        QCOMPARE(expected.size(), 20);
        QCOMPARE(systemdElapses(calendars, base, 20), expected);

        // The crontab line carries the same five fields.
        const CliRun line = runCli({QStringLiteral("schedule"), QStringLiteral("add"), kAwkwardName,
                                    QStringLiteral("--every=") + cron, QStringLiteral("--crontab"),
                                    QStringLiteral("--db=") + m_db});
        QVERIFY2(line.exitCode == 0, qPrintable(describe(line)));
        const QString fields = line.out.section(u' ', 0, cron.startsWith(u'@') ? 0 : 4);
        QCOMPARE(croniterElapses(fields, base, 20), expected);
    }

    void crontabCommandParsesBackToTheArguments()
    {
        const CliRun line = runCli({QStringLiteral("schedule"), QStringLiteral("add"), kAwkwardName,
                                    QStringLiteral("--every=weekly"), QStringLiteral("--crontab"),
                                    QStringLiteral("--db=") + m_db});
        QVERIFY2(line.exitCode == 0, qPrintable(describe(line)));
        QVERIFY2(line.out.startsWith(QLatin1String("0 3 * * 1 '")), qPrintable(line.out));
        // What cron does (an unescaped % would end the command), then what /bin/sh does.
        QString command = line.out.trimmed().section(u' ', 5);
        QVERIFY2(!command.contains(QRegularExpression(QStringLiteral("[^\\\\]%"))),
                 qPrintable(command));
        command.replace(QStringLiteral("\\%"), QStringLiteral("%"));
        const Tool words =
            runTool(QStringLiteral("/bin/sh"),
                    {QStringLiteral("-c"), QStringLiteral("for w in ") + command.section(u' ', 1) +
                                               QStringLiteral("; do printf '%s\\n' \"$w\"; done")});
        QCOMPARE(words.out.split(u'\n', Qt::SkipEmptyParts),
                 (QStringList{QStringLiteral("run"), QStringLiteral("--test=") + kAwkwardName,
                              QStringLiteral("--db=") + m_db, QStringLiteral("--scheduled"),
                              QStringLiteral("--quiet")}));
    }

    void addListRemoveInTheUserUnitDirectory()
    {
        const CliRun add = runCli({QStringLiteral("schedule"), QStringLiteral("add"), kAwkwardName,
                                   QStringLiteral("--every=monthly"), QStringLiteral("--at=5:05"),
                                   QStringLiteral("--db=") + m_db},
                                  60000, sandbox());
        // No user manager runs here: the units are written and the message says how to enable.
        QVERIFY2(add.exitCode == 1 && add.err.contains(QLatin1String("not enabled")) &&
                     add.err.contains(QLatin1String("systemctl --user enable --now loadscope-")),
                 qPrintable(describe(add)));
        const QDir units(m_config + QStringLiteral("/systemd/user"));
        const QStringList written = units.entryList(QDir::Files, QDir::Name);
        QCOMPARE(written.size(), 2);
        QVERIFY(written.first().endsWith(QLatin1String(".service")));

        const CliRun list =
            runCli({QStringLiteral("schedule"), QStringLiteral("list")}, 60000, sandbox());
        QVERIFY2(list.exitCode == 0, qPrintable(describe(list)));
        QVERIFY2(list.out.contains(QLatin1String("monthly at 05:05")) &&
                     list.out.contains(QLatin1String("last scheduled run: #1 ")),
                 qPrintable(describe(list)));

        const CliRun remove = runCli(
            {QStringLiteral("schedule"), QStringLiteral("remove"), kAwkwardName}, 60000, sandbox());
        QVERIFY2(remove.exitCode == 0, qPrintable(describe(remove)));
        QVERIFY(units.entryList(QDir::Files).isEmpty());
        const CliRun again = runCli(
            {QStringLiteral("schedule"), QStringLiteral("remove"), kAwkwardName}, 60000, sandbox());
        QCOMPARE(again.exitCode, 2);
        QVERIFY2(again.err.contains(QLatin1String("no schedule for")), qPrintable(describe(again)));
    }

    void badSchedulesAreRefused_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown word")
            << QStringList{kAwkwardName, QStringLiteral("--every=fortnightly")}
            << QStringLiteral("\"fortnightly\" is neither daily, weekly, monthly nor");
        QTest::newRow("six fields")
            << QStringList{kAwkwardName, QStringLiteral("--every=0 0 * * * *")}
            << QStringLiteral("has 6 fields");
        QTest::newRow("minute out of range")
            << QStringList{kAwkwardName, QStringLiteral("--every=61 * * * *")}
            << QStringLiteral("cron minute field \"61\"");
        QTest::newRow("at with cron")
            << QStringList{kAwkwardName, QStringLiteral("--every=0 1 * * *"),
                           QStringLiteral("--at=02:00")}
            << QStringLiteral("--at applies to daily");
        QTest::newRow("bad time") << QStringList{kAwkwardName, QStringLiteral("--every=daily"),
                                                 QStringLiteral("--at=25:00")}
                                  << QStringLiteral("--at: \"25:00\"");
        QTest::newRow("unknown test")
            << QStringList{QStringLiteral("nope"), QStringLiteral("--every=daily")}
            << QStringLiteral("no stored test is named \"nope\"");
    }

    void badSchedulesAreRefused()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const CliRun run =
            runCli(QStringList{QStringLiteral("schedule"), QStringLiteral("add")} + args +
                       QStringList{QStringLiteral("--print"), QStringLiteral("--db=") + m_db},
                   60000, sandbox());
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(message), qPrintable(describe(run)));
    }
};

LOADSCOPE_TEST_MAIN(TestCliSchedule)
#include "tst_clischedule.moc"
