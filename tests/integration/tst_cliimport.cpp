// `loadscope-cli import` end to end: the real executable, real files, a real history file.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>

#include "store/historystore.h"
#include "testmain.h"
#include "testsupport.h"

using namespace loadscope;
using namespace loadscope::test;

namespace {

QString fixture(const char *name)
{
    return QStringLiteral(LOADSCOPE_TEST_DATA_DIR "/import/") + QLatin1String(name);
}

QString describe(const CliRun &run)
{
    return QStringLiteral("exit %1\nstdout:\n%2\nstderr:\n%3")
        .arg(run.exitCode)
        .arg(run.out, run.err);
}

} // namespace

class TestCliImport : public QObject
{
    Q_OBJECT

private slots:
    void importsOnceAndListsTheSource()
    {
        QTemporaryDir dir;
        const QString db = QStringLiteral("--db=") + dir.filePath(QStringLiteral("h.db"));
        const CliRun first = runCli({QStringLiteral("import"), fixture("k6-groups-checks.ndjson"),
                                     QStringLiteral("--test=checkout"), db});
        QVERIFY2(first.exitCode == 0 && first.out.contains(QLatin1String("as run #1 ")),
                 qPrintable(describe(first)));
        const CliRun again =
            runCli({QStringLiteral("import"), fixture("k6-groups-checks.ndjson"), db});
        QVERIFY2(again.exitCode == 0 &&
                     again.out.contains(QLatin1String("imported already as run #1")),
                 qPrintable(describe(again)));

        const CliRun list = runCli({QStringLiteral("history"), QStringLiteral("list"), db});
        QVERIFY2(list.exitCode == 0, qPrintable(describe(list)));
        const QStringList lines = list.out.split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 2); // header + the one run: the second import stored nothing
        QVERIFY2(lines[0].contains(QRegularExpression(QStringLiteral(" TYPE +SOURCE +STATUS "))),
                 qPrintable(lines[0]));
        QVERIFY2(lines[1].startsWith(QLatin1String("1 ")) &&
                     lines[1].contains(
                         QRegularExpression(QStringLiteral("checkout +LOAD_TEST +k6 +completed"))),
                 qPrintable(lines[1]));
        const CliRun show =
            runCli({QStringLiteral("history"), QStringLiteral("show"), QStringLiteral("1"), db});
        QVERIFY2(show.out.contains(QLatin1String("source     k6 (k6-groups-checks.ndjson)")),
                 qPrintable(describe(show)));
        const CliRun json = runCli({QStringLiteral("history"), QStringLiteral("show"),
                                    QStringLiteral("1"), QStringLiteral("--format=json"), db});
        QVERIFY2(json.out.contains(QLatin1String("\"format\": \"k6-json\"")), qPrintable(json.out));
    }

    void importedRunComparesWithOurOwn()
    {
        // A Loadscope run against the built-in sample target and a JMeter file imported into
        // the same test: compare, trend and pin treat both as runs.
        QTemporaryDir dir;
        const QString db = QStringLiteral("--db=") + dir.filePath(QStringLiteral("h.db"));
        const CliRun ours =
            runCli({QStringLiteral("run"), QStringLiteral("--type=API_LATENCY"),
                    QStringLiteral("--duration=1"), QStringLiteral("--concurrency=1"),
                    QStringLiteral("--quiet"), db});
        QVERIFY2(ours.exitCode == 0, qPrintable(describe(ours)));
        const CliRun imported = runCli({QStringLiteral("import"), fixture("jmeter-header.csv"),
                                        QStringLiteral("--test=API latency"), db});
        QVERIFY2(imported.exitCode == 0 && imported.out.contains(QLatin1String("as run #2 ")),
                 qPrintable(describe(imported)));
        const CliRun compare = runCli({QStringLiteral("history"), QStringLiteral("compare"),
                                       QStringLiteral("2"), QStringLiteral("1"), db});
        QVERIFY2(compare.exitCode == 0, qPrintable(describe(compare)));
        QVERIFY2(compare.out.startsWith(
                     QLatin1String("Sources: #2 JMeter (jmeter-header.csv), #1 Loadscope\n")),
                 qPrintable(compare.out));
        // Figures both sides have are compared; an endpoint only JMeter measured is listed
        // with nothing invented for the other side.
        const QRegularExpression p95(QStringLiteral("(?m)^p95 +2\\.00 s +\\S+ (ms|µs)"));
        QVERIFY2(p95.match(compare.out).hasMatch(), qPrintable(compare.out));
        const QRegularExpression onlyJmeter(
            QStringLiteral("(?m)^endpoint:Search p95 +2\\.00 s +– +– +– "));
        QVERIFY2(onlyJmeter.match(compare.out).hasMatch(), qPrintable(compare.out));
        const CliRun trend = runCli({QStringLiteral("history"), QStringLiteral("trend"),
                                     QStringLiteral("API latency"), db});
        QVERIFY2(trend.exitCode == 0 &&
                     trend.out.contains(QLatin1String("over 2 completed runs")) &&
                     trend.out.contains(QLatin1String("#2 ")),
                 qPrintable(describe(trend)));
        const CliRun pin =
            runCli({QStringLiteral("history"), QStringLiteral("pin"), QStringLiteral("2"), db});
        QVERIFY2(pin.exitCode == 0, qPrintable(describe(pin)));
    }

    void aggregatedSourcesSayWhatTheyLack()
    {
        QTemporaryDir dir;
        const QString db = QStringLiteral("--db=") + dir.filePath(QStringLiteral("h.db"));
        // Locust named by its prefix, k6's summary by its file; one test.
        for (const char *name : {"locust-bom", "k6-summary-export.json"}) {
            const CliRun run = runCli(
                {QStringLiteral("import"), fixture(name), QStringLiteral("--test=shop"), db});
            QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        }
        const CliRun show =
            runCli({QStringLiteral("history"), QStringLiteral("show"), QStringLiteral("2"), db});
        QVERIFY2(show.exitCode == 0 && show.out.contains(QLatin1String("p99 -,")) &&
                     show.out.contains(QLatin1String("lacks      p99 (not in summaryTrendStats")) &&
                     show.out.contains(QLatin1String("figures    as given by k6")),
                 qPrintable(describe(show)));
        const CliRun locust =
            runCli({QStringLiteral("history"), QStringLiteral("show"), QStringLiteral("1"), db});
        QVERIFY2(locust.out.contains(QLatin1String("Long latency tail")),
                 qPrintable(describe(locust)));
        // The trend of p99 leaves out the run whose source has none, and says so.
        const CliRun trend = runCli({QStringLiteral("history"), QStringLiteral("trend"),
                                     QStringLiteral("shop"), QStringLiteral("--metric=p99"), db});
        QVERIFY2(
            trend.exitCode == 0 && trend.out.contains(QLatin1String("over 1 completed runs")) &&
                trend.out.contains(QLatin1String("Left out, their figures have no p99: #2 k6")),
            qPrintable(describe(trend)));
        // Compare: p95 from both, p99 listed as missing on k6's side.
        const CliRun compare = runCli({QStringLiteral("history"), QStringLiteral("compare"),
                                       QStringLiteral("1"), QStringLiteral("2"), db});
        QVERIFY2(compare.exitCode == 0 &&
                     compare.out.contains(
                         QRegularExpression(QStringLiteral("\\np95 +48\\.0 ms +216 ms"))) &&
                     compare.out.contains(
                         QLatin1String("not compared, a side lacks them: p99 (not in #2")),
                 qPrintable(describe(compare)));
    }

    void badInputExitsTwoAndStoresNothing()
    {
        QTemporaryDir dir;
        const QString dbPath = dir.filePath(QStringLiteral("h.db"));
        const QString garbage = dir.filePath(QStringLiteral("garbage.log"));
        QFile file(garbage);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("this is not a results file\n");
        file.close();
        const CliRun run =
            runCli({QStringLiteral("import"), garbage, QStringLiteral("--db=") + dbPath});
        QVERIFY2(run.exitCode == 2 && run.err.contains(garbage) &&
                     run.err.contains(QLatin1String("line 1")),
                 qPrintable(describe(run)));
        HistoryStore store;
        QVERIFY(store.open(dbPath));
        QVERIFY(store.listResults().isEmpty());
    }

    void killedImportLeavesNoTrace()
    {
        // The CLI reads from a FIFO this test writes to, so it is certainly in the middle of the
        // import when it is killed; the history must hold nothing of it afterwards.
        QTemporaryDir dir;
        const QString fifo = dir.filePath(QStringLiteral("k6.json"));
        QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
        const QString dbPath = dir.filePath(QStringLiteral("h.db"));
        QProcess cli;
        cli.start(cliPath(), {QStringLiteral("import"), fifo, QStringLiteral("--format=k6-json"),
                              QStringLiteral("--db=") + dbPath});
        QVERIFY(cli.waitForStarted());
        // Opening for writing blocks until the CLI opened the FIFO: past opening the history.
        const int fd = ::open(QFile::encodeName(fifo).constData(), O_WRONLY);
        QVERIFY(fd >= 0);
        QByteArray chunk;
        for (int i = 0; i < 2000; ++i) {
            chunk +=
                QByteArrayLiteral("{\"type\":\"Point\",\"data\":{\"time\":\"2026-11-27T10:00:0") +
                QByteArray::number(i % 10) +
                QByteArrayLiteral(
                    ".5Z\",\"value\":12.5,\"tags\":{\"name\":\"a\",\"status\":\"200\"}},"
                    "\"metric\":\"http_req_duration\"}\n");
        }
        // More than a pipe holds: write() returns only once the CLI has read most of it.
        for (int round = 0; round < 4; ++round)
            QCOMPARE(::write(fd, chunk.constData(), size_t(chunk.size())), ssize_t(chunk.size()));
        cli.kill();
        QVERIFY(cli.waitForFinished());
        ::close(fd);
        QCOMPARE(cli.exitStatus(), QProcess::CrashExit);
        HistoryStore store;
        QString error;
        QVERIFY2(store.open(dbPath, &error), qPrintable(error));
        QVERIFY(store.listResults().isEmpty());
        QVERIFY(store.listTests().isEmpty());
    }
};

LOADSCOPE_TEST_MAIN(TestCliImport)
#include "tst_cliimport.moc"
