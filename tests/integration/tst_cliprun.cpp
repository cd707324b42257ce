#include <csignal>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>

#include "referenceserver.h"
#include "testmain.h"
#include "testsupport.h"

using loadscope::test::CliRun;
using loadscope::test::runCli;

namespace {

QJsonObject readJson(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

QString describe(const CliRun &run)
{
    return QStringLiteral("exit %1\n--- stdout\n%2\n--- stderr\n%3")
        .arg(run.exitCode)
        .arg(run.out, run.err);
}

//! Lines of @p text that are interval progress lines ("t=1/2s ...").
int intervalLines(const QString &text)
{
    static const QRegularExpression line(QStringLiteral("^t=\\d+/\\d+s "),
                                         QRegularExpression::MultilineOption);
    int count = 0;
    auto it = line.globalMatch(text);
    while (it.hasNext()) {
        it.next();
        ++count;
    }
    return count;
}

} // namespace

class TestCliRun : public QObject
{
    Q_OBJECT

private:
    QString path(const QString &name) const { return m_dir.filePath(name); }
    QString writeFile(const QString &name, const QByteArray &bytes) const
    {
        QFile file(path(name));
        if (file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            file.write(bytes);
        return file.fileName();
    }

    QTemporaryDir m_dir;

private slots:
    void moreVusThanFileDescriptorsIsRefused()
    {
        // A plan asking for a billion VUs is refused before anything is allocated, naming the
        // field, the limit and the bound (it used to grow by ~130 MB/s until the machine died).
        const CliRun huge =
            runCli({QStringLiteral("run"), QStringLiteral("--concurrency=1000000000"),
                    QStringLiteral("--duration=1s"), QStringLiteral("--no-db"),
                    QStringLiteral("--quiet")});
        QCOMPARE(huge.exitCode, 2);
        QVERIFY2(huge.err.contains(QStringLiteral("load.vus: 1000000000 VUs")),
                 qPrintable(huge.err));
        QVERIFY2(huge.err.contains(QStringLiteral("RLIMIT_NOFILE")), qPrintable(huge.err));

        // Under a hard limit of 256 open files the bound is 256 − 64: 192 VUs.
        QProcess limited;
        limited.start(QStringLiteral("prlimit"),
                      {QStringLiteral("--nofile=256:256"), loadscope::test::cliPath(),
                       QStringLiteral("run"), QStringLiteral("--concurrency=500"),
                       QStringLiteral("--duration=1s"), QStringLiteral("--no-db"),
                       QStringLiteral("--quiet")});
        if (!limited.waitForStarted(10000))
            QSKIP("prlimit (util-linux) is not installed");
        QVERIFY(limited.waitForFinished(30000));
        const QString err = QString::fromUtf8(limited.readAllStandardError());
        QCOMPARE(limited.exitCode(), 2);
        QVERIFY2(err.contains(QStringLiteral("load.vus: 500 VUs")), qPrintable(err));
        QVERIFY2(err.contains(QStringLiteral("it may open 256 files")), qPrintable(err));
        QVERIFY2(err.contains(QStringLiteral("at most 192 VUs")), qPrintable(err));
    }

    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void runWritesJsonResult()
    {
        const QString out = path(QStringLiteral("api.json"));
        const CliRun run = runCli({QStringLiteral("run"), QStringLiteral("--type=API_LATENCY"),
                                   QStringLiteral("--duration=2"), QStringLiteral("--no-db"),
                                   QStringLiteral("--output-file=") + out});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        // Not a terminal: one "t=" line per interval, then the summary.
        QVERIFY2(intervalLines(run.out) >= 1, qPrintable(run.out));
        QVERIFY2(run.out.contains(QLatin1String("API_LATENCY")) &&
                     run.out.contains(QLatin1String("completed")),
                 qPrintable(run.out));
        QVERIFY2(run.out.contains(QLatin1String("result written to ") + out), qPrintable(run.out));

        const QJsonObject doc = readJson(out);
        QCOMPARE(doc.value(QStringLiteral("schema")).toString(),
                 QStringLiteral("loadscope.result/1"));
        QVERIFY(doc.value(QStringLiteral("test")).isObject());
        const QJsonObject result = doc.value(QStringLiteral("result")).toObject();
        QCOMPARE(result.value(QStringLiteral("status")).toString(), QStringLiteral("completed"));
        const QJsonObject totals = result.value(QStringLiteral("totals")).toObject();
        QVERIFY(totals.value(QStringLiteral("requests")).toDouble() > 0);
        QCOMPARE(totals.value(QStringLiteral("errors")).toDouble(), 0.0);
        QVERIFY(totals.value(QStringLiteral("throughputRps")).toDouble() > 0);
        QVERIFY(result.value(QStringLiteral("latencyMs"))
                    .toObject()
                    .value(QStringLiteral("p95"))
                    .toDouble() > 0);
        const QJsonArray timeline = result.value(QStringLiteral("timeline")).toArray();
        QVERIFY(!timeline.isEmpty());
        QVERIFY(timeline.first().toObject().contains(QStringLiteral("requests")));
        const QJsonArray thresholds = result.value(QStringLiteral("thresholds")).toArray();
        QVERIFY(!thresholds.isEmpty());
        for (const QJsonValue &t : thresholds)
            QVERIFY2(t.toObject().value(QStringLiteral("passed")).toBool(),
                     QJsonDocument(t.toObject()).toJson().constData());
    }

    void originalFrameworkSpelling()
    {
        const QString out = path(QStringLiteral("results.json"));
        const CliRun run =
            runCli({QStringLiteral("run"), QStringLiteral("--type=API_LATENCY"),
                    QStringLiteral("--endpoint=/api/health"), QStringLiteral("--duration=2"),
                    QStringLiteral("--concurrency=3"), QStringLiteral("--outputFile=") + out,
                    QStringLiteral("--no-db"), QStringLiteral("--quiet")});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QCOMPARE(intervalLines(run.out), 0); // --quiet
        const QJsonObject doc = readJson(out);
        const QJsonObject result = doc.value(QStringLiteral("result")).toObject();
        QVERIFY(result.value(QStringLiteral("totals"))
                    .toObject()
                    .value(QStringLiteral("requests"))
                    .toDouble() > 0);
        const QJsonArray steps =
            doc.value(QStringLiteral("test")).toObject().value(QStringLiteral("steps")).toArray();
        QCOMPARE(steps.size(), 1);
        QCOMPARE(steps[0].toObject().value(QStringLiteral("path")).toString(),
                 QStringLiteral("/api/health"));
        QCOMPARE(doc.value(QStringLiteral("test"))
                     .toObject()
                     .value(QStringLiteral("load"))
                     .toObject()
                     .value(QStringLiteral("vus"))
                     .toInt(),
                 3);
    }

    void thresholdsDecideTheExitCode()
    {
        CliRun run = runCli({QStringLiteral("run"), QStringLiteral("--duration=1"),
                             QStringLiteral("--no-db"), QStringLiteral("--quiet"),
                             QStringLiteral("--threshold=p(95)<0.001")});
        QVERIFY2(run.exitCode == 99, qPrintable(describe(run)));
        QVERIFY2(run.out.contains(QLatin1String("FAIL")) &&
                     run.out.contains(QLatin1String("p(95)<0.001")),
                 qPrintable(run.out));

        run = runCli({QStringLiteral("run"), QStringLiteral("--duration=1"),
                      QStringLiteral("--no-db"), QStringLiteral("--quiet"),
                      QStringLiteral("--threshold=p(95)<60000"),
                      QStringLiteral("--threshold=http_req_failed: rate<0.5")});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QVERIFY2(run.out.contains(QLatin1String("PASS")), qPrintable(run.out));

        run = runCli({QStringLiteral("run"), QStringLiteral("--no-db"),
                      QStringLiteral("--threshold=p(95)<<1")});
        QVERIFY2(run.exitCode == 2, qPrintable(describe(run)));
        QVERIFY2(run.err.contains(QLatin1String("--threshold")), qPrintable(run.err));
    }

    void unreachableTargetExitsOne()
    {
        const quint16 port = loadscope::test::freeLoopbackPort();
        QVERIFY(port != 0);
        const QString peer = QStringLiteral("127.0.0.1:") + QString::number(port);
        const CliRun run =
            runCli({QStringLiteral("run"), QStringLiteral("--base-url=http://") + peer,
                    QStringLiteral("--duration=20"), QStringLiteral("--no-db")},
                   15000);
        QVERIFY2(run.exitCode == 1, qPrintable(describe(run)));
        QVERIFY2(run.err.contains(peer), qPrintable(run.err));
        QVERIFY2(run.out.contains(QLatin1String("failed")), qPrintable(run.out));
    }

    void unresolvableHostExitsOne()
    {
        const CliRun run = runCli({QStringLiteral("run"),
                                   QStringLiteral("--base-url=http://no-such-host.invalid:8080"),
                                   QStringLiteral("--duration=1"), QStringLiteral("--no-db")},
                                  30000);
        QVERIFY2(run.exitCode == 1, qPrintable(describe(run)));
        QVERIFY2(run.err.contains(QLatin1String("no-such-host.invalid")), qPrintable(run.err));
    }

    void badInputExitsTwo_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown flag")
            << QStringList{QStringLiteral("--frobnicate")} << "frobnicate";
        QTest::newRow("duration") << QStringList{QStringLiteral("--duration=soon")} << "--duration";
        QTest::newRow("stages") << QStringList{QStringLiteral("--stages=10s")} << "--stages";
        QTest::newRow("rate") << QStringList{QStringLiteral("--rate=-3")} << "--rate";
        QTest::newRow("concurrency")
            << QStringList{QStringLiteral("--concurrency=0")} << "--concurrency";
        QTest::newRow("type") << QStringList{QStringLiteral("--type=SOAK")} << "--type";
        QTest::newRow("format") << QStringList{QStringLiteral("--format=pdf")} << "--format";
        QTest::newRow("missing plan")
            << QStringList{QStringLiteral("/nonexistent/plan.json")} << "/nonexistent/plan.json";
    }

    void badInputExitsTwo()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, expected);
        args.prepend(QStringLiteral("run"));
        args.append(QStringLiteral("--no-db"));
        const CliRun run = runCli(args);
        QVERIFY2(run.exitCode == 2, qPrintable(describe(run)));
        QVERIFY2(run.err.contains(expected), qPrintable(run.err));
        QVERIFY2(run.out.isEmpty(), qPrintable(run.out)); // nothing ran
    }

    void malformedPlanFiles()
    {
        const QString badField = writeFile(
            QStringLiteral("badfield.json"),
            R"({"schema":"loadscope.plan/1","name":"bad","steps":[{"method":"FETCH","path":"/api/health"}],
                "load":{"executor":"constant-vus","vus":1,"duration":"1s"}})");
        CliRun run = runCli({QStringLiteral("run"), badField, QStringLiteral("--no-db")});
        QVERIFY2(run.exitCode == 2, qPrintable(describe(run)));
        QVERIFY2(run.err.contains(QLatin1String("steps[0].method")), qPrintable(run.err));

        const QString badJson = writeFile(QStringLiteral("badjson.json"),
                                          "{\n  \"name\": \"x\",\n  \"steps\": [,]\n}\n");
        run = runCli({QStringLiteral("run"), badJson, QStringLiteral("--no-db")});
        QVERIFY2(run.exitCode == 2, qPrintable(describe(run)));
        QVERIFY2(run.err.contains(badJson), qPrintable(run.err));
        QVERIFY2(run.err.contains(QLatin1String("line 3, column")), qPrintable(run.err));
    }

    void planFileRuns()
    {
        // A good plan file with two steps, an extraction and thresholds runs end to end.
        const QString plan = QStringLiteral(LOADSCOPE_TEST_DATA_DIR "/plans/cli_two_steps.json");
        const QString out = path(QStringLiteral("good-result.json"));
        const CliRun run = runCli({QStringLiteral("run"), plan, QStringLiteral("--no-db"),
                                   QStringLiteral("--output-file=") + out});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QVERIFY2(intervalLines(run.out) >= 2, qPrintable(run.out));
        const QJsonObject result = readJson(out).value(QStringLiteral("result")).toObject();
        const QJsonArray endpoints = result.value(QStringLiteral("endpoints")).toArray();
        QCOMPARE(endpoints.size(), 2);
        QCOMPARE(endpoints[0].toObject().value(QStringLiteral("name")).toString(),
                 QStringLiteral("predict"));
        QVERIFY(result.value(QStringLiteral("serverTiming"))
                    .toObject()
                    .contains(QStringLiteral("inference")));
    }

    void outputFormats_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<QString>("marker");
        QTest::newRow("csv") << "csv"
                             << "t,requests";
        QTest::newRow("junit") << "junit"
                               << "<testsuites";
        QTest::newRow("md") << "md"
                            << "## Loadscope";
        QTest::newRow("html") << "html"
                              << "<!DOCTYPE html>";
    }

    void outputFormats()
    {
        QFETCH(QString, format);
        QFETCH(QString, marker);
        const QString out = path(QStringLiteral("report.") + format + QStringLiteral(".out"));
        const CliRun run =
            runCli({QStringLiteral("run"), QStringLiteral("--duration=1"),
                    QStringLiteral("--no-db"), QStringLiteral("--quiet"),
                    QStringLiteral("--format=") + format, QStringLiteral("--output-file=") + out});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        const QString text = QString::fromUtf8(loadscope::test::readFileBytes(out));
        QVERIFY2(!text.isEmpty(), qPrintable(out));
        QVERIFY2(text.contains(marker), qPrintable(text.left(400)));
        QVERIFY2(!text.trimmed().startsWith(u'{'), "not JSON"); // --format was honoured
    }

    void storedRunShowsInHistory()
    {
        const QString db = path(QStringLiteral("history.db"));
        CliRun run = runCli({QStringLiteral("run"), QStringLiteral("--duration=1"),
                             QStringLiteral("--quiet"), QStringLiteral("--db=") + db,
                             QStringLiteral("--version-label=v1.2")});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        static const QRegularExpression stored(QStringLiteral("stored +run #(\\d+)"));
        const QRegularExpressionMatch match = stored.match(run.out);
        QVERIFY2(match.hasMatch(), qPrintable(run.out));
        const QString id = match.captured(1);

        run = runCli(
            {QStringLiteral("history"), QStringLiteral("list"), QStringLiteral("--db=") + db});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QVERIFY2(run.out.contains(QLatin1String("RPS")), qPrintable(run.out));
        const QString row = run.out.section(u'\n', 1, 1);
        QVERIFY2(row.startsWith(id + u' ') && row.contains(QLatin1String("completed")) &&
                     row.contains(QLatin1String("API_LATENCY")) &&
                     row.contains(QLatin1String("v1.2")),
                 qPrintable(run.out));
        static const QRegularExpression rps(QStringLiteral("\\s(\\d+\\.\\d)\\s"));
        QVERIFY2(rps.match(row).hasMatch(), qPrintable(row));

        run = runCli({QStringLiteral("history"), QStringLiteral("show"), id,
                      QStringLiteral("--format=json"), QStringLiteral("--db=") + db});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        const QJsonObject doc = QJsonDocument::fromJson(run.out.toUtf8()).object();
        QCOMPARE(doc.value(QStringLiteral("schema")).toString(),
                 QStringLiteral("loadscope.result/1"));
        const QJsonObject result = doc.value(QStringLiteral("result")).toObject();
        QCOMPARE(result.value(QStringLiteral("id")).toInt(), id.toInt());
        QCOMPARE(result.value(QStringLiteral("status")).toString(), QStringLiteral("completed"));
        QCOMPARE(result.value(QStringLiteral("versionLabel")).toString(), QStringLiteral("v1.2"));
        QVERIFY(!result.value(QStringLiteral("timeline")).toArray().isEmpty());
        QVERIFY(result.value(QStringLiteral("totals"))
                    .toObject()
                    .value(QStringLiteral("requests"))
                    .toDouble() > 0);

        run = runCli(
            {QStringLiteral("history"), QStringLiteral("show"), id, QStringLiteral("--db=") + db});
        QVERIFY2(run.exitCode == 0 && run.out.contains(QLatin1String("completed")),
                 qPrintable(describe(run)));

        run = runCli({QStringLiteral("history"), QStringLiteral("show"), QStringLiteral("9999"),
                      QStringLiteral("--db=") + db});
        QVERIFY2(run.exitCode == 2, qPrintable(describe(run)));
        QVERIFY2(run.err.contains(QLatin1String("9999")), qPrintable(run.err));
    }

    void interruptStopsAndStores_data()
    {
        QTest::addColumn<int>("signalNumber");
        QTest::addColumn<QString>("name");
        // A CI cancel, `timeout` and a container stop send SIGTERM; a closed terminal SIGHUP.
        QTest::newRow("SIGINT") << int(SIGINT) << QStringLiteral("SIGINT");
        QTest::newRow("SIGTERM") << int(SIGTERM) << QStringLiteral("SIGTERM");
        QTest::newRow("SIGHUP") << int(SIGHUP) << QStringLiteral("SIGHUP");
    }

    void interruptStopsAndStores()
    {
        QFETCH(int, signalNumber);
        QFETCH(QString, name);
        const QString db = path(QStringLiteral("interrupt-") + name + QStringLiteral(".db"));
        const QString outputFile =
            path(QStringLiteral("interrupt-") + name + QStringLiteral(".json"));
        QProcess process;
        process.setProcessChannelMode(QProcess::SeparateChannels);
        process.start(loadscope::test::cliPath(),
                      {QStringLiteral("run"), QStringLiteral("--duration=30"),
                       QStringLiteral("--db=") + db,
                       QStringLiteral("--output-file=") + outputFile});
        QVERIFY(process.waitForStarted(10000));
        QString out;
        QTRY_VERIFY_WITH_TIMEOUT(
            (out += QString::fromUtf8(process.readAllStandardOutput()), intervalLines(out) >= 1),
            15000);
        QCOMPARE(::kill(pid_t(process.processId()), signalNumber), 0);
        // Far sooner than the planned 30 s: the in-flight requests finish and the run ends.
        QVERIFY2(process.waitForFinished(10000), qPrintable(out));
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        out += QString::fromUtf8(process.readAllStandardOutput());
        const QString err = QString::fromUtf8(process.readAllStandardError());
        QVERIFY2(out.contains(QStringLiteral("interrupted by ") + name), qPrintable(out));
        QVERIFY2(out.contains(QLatin1String(": aborted after")), qPrintable(out + err));
        QVERIFY2(out.contains(QLatin1String("requests    ")), qPrintable(out));
        static const QRegularExpression stored(QStringLiteral("stored +run #(\\d+)"));
        const QRegularExpressionMatch match = stored.match(out);
        QVERIFY2(match.hasMatch(), qPrintable(out));

        const CliRun show =
            runCli({QStringLiteral("history"), QStringLiteral("show"), match.captured(1),
                    QStringLiteral("--format=json"), QStringLiteral("--db=") + db});
        QVERIFY2(show.exitCode == 0, qPrintable(describe(show)));
        const QJsonObject result = QJsonDocument::fromJson(show.out.toUtf8())
                                       .object()
                                       .value(QStringLiteral("result"))
                                       .toObject();
        QCOMPARE(result.value(QStringLiteral("status")).toString(), QStringLiteral("aborted"));
        QVERIFY(!result.value(QStringLiteral("timeline")).toArray().isEmpty());
        const double storedRequests = result.value(QStringLiteral("totals"))
                                          .toObject()
                                          .value(QStringLiteral("requests"))
                                          .toDouble();
        QVERIFY(storedRequests > 0);

        // The --output-file was written, with the same totals as the stored run.
        QFile file(outputFile);
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(out + err));
        const QJsonObject written = QJsonDocument::fromJson(file.readAll())
                                        .object()
                                        .value(QStringLiteral("result"))
                                        .toObject();
        QCOMPARE(written.value(QStringLiteral("status")).toString(), QStringLiteral("aborted"));
        QCOMPARE(written.value(QStringLiteral("totals"))
                     .toObject()
                     .value(QStringLiteral("requests"))
                     .toDouble(),
                 storedRequests);
    }
};

LOADSCOPE_TEST_MAIN(TestCliRun)
#include "tst_cliprun.moc"
