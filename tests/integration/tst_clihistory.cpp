#include <algorithm>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>

#include "store/historystore.h"
#include "testmain.h"
#include "testsupport.h"

using namespace loadscope;
using loadscope::test::CliRun;
using loadscope::test::runCli;

namespace {

QString describe(const CliRun &run)
{
    return QStringLiteral("exit %1\n--- stdout\n%2\n--- stderr\n%3")
        .arg(run.exitCode)
        .arg(run.out, run.err);
}

QJsonArray jsonArray(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).array();
}

QList<qint64> ids(const QJsonArray &runs)
{
    QList<qint64> out;
    for (const QJsonValue &run : runs)
        out.append(run.toObject().value(QStringLiteral("id")).toInteger());
    return out;
}

} // namespace

class TestCliHistory : public QObject
{
    Q_OBJECT

private:
    //! Stores one finished run of test @p name; returns its result id.
    qint64 storeRun(HistoryStore &store, const QString &name, const QString &type,
                    ResultStatus status, const QString &version, double rps)
    {
        StoredTest test;
        if (const auto existing = store.findTestByName(name))
            test = *existing;
        test.name = name;
        test.testType = type;
        test.plan = QJsonObject{{QStringLiteral("name"), name}};
        const qint64 testId = store.saveTest(test);
        if (testId <= 0)
            return 0;
        const qint64 id = store.startResult(testId, test.plan, version);
        const QJsonObject summary{
            {QStringLiteral("totals"), QJsonObject{{QStringLiteral("requests"), rps * 2},
                                                   {QStringLiteral("errors"), 0},
                                                   {QStringLiteral("errorRate"), 0.0},
                                                   {QStringLiteral("throughputRps"), rps}}},
            {QStringLiteral("latencyMs"), QJsonObject{{QStringLiteral("p95"), 12.5}}}};
        store.finishResult(id, status, summary,
                           status == ResultStatus::Failed ? QStringLiteral("target unreachable")
                                                          : QString());
        return id;
    }

    QTemporaryDir m_dir;
    QString m_db;
    qint64 m_completedLoad = 0;
    qint64 m_abortedLatency = 0;
    qint64 m_failedLoad = 0;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_db = m_dir.filePath(QStringLiteral("history.db"));
        HistoryStore store;
        QString error;
        QVERIFY2(store.open(m_db, &error), qPrintable(error));
        m_completedLoad =
            storeRun(store, QStringLiteral("checkout load"), QStringLiteral("LOAD_TEST"),
                     ResultStatus::Completed, QStringLiteral("v1"), 812.5);
        m_abortedLatency =
            storeRun(store, QStringLiteral("health latency"), QStringLiteral("API_LATENCY"),
                     ResultStatus::Aborted, QStringLiteral("v2"), 40.0);
        m_failedLoad = storeRun(store, QStringLiteral("checkout load"), QStringLiteral("LOAD_TEST"),
                                ResultStatus::Failed, QStringLiteral("v2"), 0.0);
        QVERIFY(m_completedLoad > 0 && m_abortedLatency > 0 && m_failedLoad > 0);
        QVERIFY(store.flush());
        store.close();
    }

    void help()
    {
        for (const QString &flag :
             {QStringLiteral("--help"), QStringLiteral("-h"), QStringLiteral("help")}) {
            const CliRun run = runCli({flag});
            QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
            QVERIFY2(run.out.startsWith(QLatin1String("Usage: loadscope-cli")),
                     qPrintable(run.out));
            for (const char *command : {"run", "demo", "history list", "history show"})
                QVERIFY2(run.out.contains(QLatin1String(command)), command);
        }
        // No arguments at all: the usage, but as an error.
        const CliRun bare = runCli({});
        QVERIFY2(bare.exitCode == 2, qPrintable(describe(bare)));
        QVERIFY(bare.err.contains(QLatin1String("Usage: loadscope-cli")));

        // A subcommand's own help.
        const CliRun runHelp = runCli({QStringLiteral("run"), QStringLiteral("--help")});
        QVERIFY2(runHelp.exitCode == 0, qPrintable(describe(runHelp)));
        for (const char *option :
             {"--type", "--base-url", "--endpoint", "--duration", "--concurrency", "--rate",
              "--stages", "--threshold", "--output-file", "--format", "--db", "--no-db", "--quiet"})
            QVERIFY2(runHelp.out.contains(QLatin1String(option)), option);
    }

    void version()
    {
        for (const QString &flag : {QStringLiteral("--version"), QStringLiteral("-v")}) {
            const CliRun run = runCli({flag});
            QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
            static const QRegularExpression pattern(QStringLiteral("^loadscope-cli \\d+\\.\\d+"));
            QVERIFY2(pattern.match(run.out).hasMatch(), qPrintable(run.out));
        }
    }

    void unknownCommandOrOption()
    {
        CliRun run = runCli({QStringLiteral("frobnicate")});
        QVERIFY2(run.exitCode == 2, qPrintable(describe(run)));
        QVERIFY2(run.err.contains(QLatin1String("unknown command 'frobnicate'")),
                 qPrintable(run.err));
        run = runCli({QStringLiteral("--frobnicate")});
        QVERIFY2(run.exitCode == 2, qPrintable(describe(run)));
        QVERIFY2(run.err.contains(QLatin1String("--frobnicate")), qPrintable(run.err));
        run = runCli({QStringLiteral("history"), QStringLiteral("list"),
                      QStringLiteral("--frobnicate"), QStringLiteral("--db=") + m_db});
        QVERIFY2(run.exitCode == 2, qPrintable(describe(run)));
        QVERIFY2(run.err.contains(QLatin1String("frobnicate")), qPrintable(run.err));
    }

    void historyNeedsSubcommand()
    {
        CliRun run = runCli({QStringLiteral("history")});
        QVERIFY2(run.exitCode == 2, qPrintable(describe(run)));
        QVERIFY2(run.err.contains(QLatin1String("history list")), qPrintable(run.err));
        run = runCli({QStringLiteral("history"), QStringLiteral("delete")});
        QVERIFY2(run.exitCode == 2, qPrintable(describe(run)));
        QVERIFY2(run.err.contains(QLatin1String("'delete'")), qPrintable(run.err));
        run = runCli(
            {QStringLiteral("history"), QStringLiteral("show"), QStringLiteral("--db=") + m_db});
        QVERIFY2(run.exitCode == 2, qPrintable(describe(run)));
        run = runCli({QStringLiteral("history"), QStringLiteral("show"), QStringLiteral("abc"),
                      QStringLiteral("--db=") + m_db});
        QVERIFY2(run.exitCode == 2 && run.err.contains(QLatin1String("abc")),
                 qPrintable(describe(run)));
    }

    void listAll()
    {
        const CliRun run = runCli(
            {QStringLiteral("history"), QStringLiteral("list"), QStringLiteral("--db=") + m_db});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        const QStringList lines = run.out.split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 4); // header + three runs, newest first
        QVERIFY(lines[0].startsWith(QLatin1String("ID")));
        QVERIFY2(lines[1].startsWith(QString::number(m_failedLoad) + u' '), qPrintable(run.out));
        QVERIFY2(lines[3].startsWith(QString::number(m_completedLoad) + u' '), qPrintable(run.out));
        QVERIFY2(lines[3].contains(QLatin1String("checkout load")) &&
                     lines[3].contains(QLatin1String("completed")) &&
                     lines[3].contains(QLatin1String("812.5")) &&
                     lines[3].contains(QLatin1String("12.50")),
                 qPrintable(lines[3]));
    }

    void listFilters_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("expectedCount");
        QTest::newRow("status") << QStringList{QStringLiteral("--status=aborted")} << 1;
        QTest::newRow("type") << QStringList{QStringLiteral("--type=load_test")} << 2;
        QTest::newRow("type and status")
            << QStringList{QStringLiteral("--type=LOAD_TEST"), QStringLiteral("--status=completed")}
            << 1;
        QTest::newRow("limit") << QStringList{QStringLiteral("--limit=2")} << 2;
        QTest::newRow("version") << QStringList{QStringLiteral("--version-label=v2")} << 2;
        QTest::newRow("test name") << QStringList{QStringLiteral("--test=checkout load")} << 2;
        QTest::newRow("since past") << QStringList{QStringLiteral("--since=2000-01-01")} << 3;
        QTest::newRow("since future")
            << QStringList{QStringLiteral("--since=2999-01-01T00:00:00")} << 0;
        QTest::newRow("until past") << QStringList{QStringLiteral("--until=2000-01-01")} << 0;
    }

    void listFilters()
    {
        QFETCH(QStringList, args);
        QFETCH(int, expectedCount);
        args.prepend(QStringLiteral("list"));
        args.prepend(QStringLiteral("history"));
        args << QStringLiteral("--format=json") << QStringLiteral("--db=") + m_db;
        const CliRun run = runCli(args);
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        const QJsonArray runs = jsonArray(run.out);
        QCOMPARE(runs.size(), expectedCount);
        const QString tag = QString::fromLatin1(QTest::currentDataTag());
        if (tag == QLatin1String("status")) {
            QCOMPARE(ids(runs), QList<qint64>{m_abortedLatency});
            QCOMPARE(runs[0].toObject().value(QStringLiteral("status")).toString(),
                     QStringLiteral("aborted"));
            QCOMPARE(runs[0].toObject().value(QStringLiteral("testType")).toString(),
                     QStringLiteral("API_LATENCY"));
        } else if (tag == QLatin1String("type")) {
            QCOMPARE(ids(runs), (QList<qint64>{m_failedLoad, m_completedLoad}));
        } else if (tag == QLatin1String("type and status")) {
            QCOMPARE(ids(runs), QList<qint64>{m_completedLoad});
            QCOMPARE(runs[0]
                         .toObject()
                         .value(QStringLiteral("totals"))
                         .toObject()
                         .value(QStringLiteral("throughputRps"))
                         .toDouble(),
                     812.5);
        } else if (tag == QLatin1String("limit")) {
            QCOMPARE(ids(runs), (QList<qint64>{m_failedLoad, m_abortedLatency})); // the newest
        }
    }

    void listBadFilters_data()
    {
        QTest::addColumn<QString>("arg");
        QTest::addColumn<QString>("named");
        QTest::newRow("since") << "--since=yesterday"
                               << "--since";
        QTest::newRow("until") << "--until=2024-13-45"
                               << "--until";
        QTest::newRow("status") << "--status=done"
                                << "--status";
        QTest::newRow("limit") << "--limit=0"
                               << "--limit";
        QTest::newRow("format") << "--format=xml"
                                << "--format";
        QTest::newRow("unknown test") << "--test=nobody"
                                      << "nobody";
    }

    void listBadFilters()
    {
        QFETCH(QString, arg);
        QFETCH(QString, named);
        const CliRun run = runCli({QStringLiteral("history"), QStringLiteral("list"), arg,
                                   QStringLiteral("--db=") + m_db});
        QVERIFY2(run.exitCode == 2, qPrintable(describe(run)));
        QVERIFY2(run.err.contains(named), qPrintable(run.err));
        QVERIFY(run.out.isEmpty());
    }

    void showStoredRun()
    {
        CliRun run = runCli({QStringLiteral("history"), QStringLiteral("show"),
                             QString::number(m_failedLoad), QStringLiteral("--db=") + m_db});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QVERIFY2(run.out.contains(QLatin1String("failed")) &&
                     run.out.contains(QLatin1String("target unreachable")),
                 qPrintable(run.out));
        run = runCli({QStringLiteral("history"), QStringLiteral("show"),
                      QString::number(m_completedLoad), QStringLiteral("--format=json"),
                      QStringLiteral("--db=") + m_db});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        const QJsonObject doc = QJsonDocument::fromJson(run.out.toUtf8()).object();
        const QJsonObject result = doc.value(QStringLiteral("result")).toObject();
        QCOMPARE(result.value(QStringLiteral("id")).toInteger(), m_completedLoad);
        QCOMPARE(result.value(QStringLiteral("status")).toString(), QStringLiteral("completed"));
        QCOMPARE(result.value(QStringLiteral("versionLabel")).toString(), QStringLiteral("v1"));
        QCOMPARE(
            doc.value(QStringLiteral("test")).toObject().value(QStringLiteral("name")).toString(),
            QStringLiteral("checkout load"));
        run = runCli({QStringLiteral("history"), QStringLiteral("show"), QStringLiteral("9999"),
                      QStringLiteral("--db=") + m_db});
        QVERIFY2(run.exitCode == 2 && run.err.contains(QLatin1String("9999")),
                 qPrintable(describe(run)));
    }

    void emptyDatabase()
    {
        const QString db = m_dir.filePath(QStringLiteral("empty.db"));
        const CliRun run = runCli(
            {QStringLiteral("history"), QStringLiteral("list"), QStringLiteral("--db=") + db});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QVERIFY2(run.out.contains(QLatin1String("No runs")), qPrintable(run.out));
    }

    void notADatabase()
    {
        const QString path = m_dir.filePath(QStringLiteral("notes.txt"));
        const QByteArray content = "these are my notes, not a database\n";
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(content);
        }
        const QList<QStringList> commands{
            {QStringLiteral("history"), QStringLiteral("list")},
            {QStringLiteral("history"), QStringLiteral("show"), QStringLiteral("1")},
            {QStringLiteral("run"), QStringLiteral("--duration=1")},
        };
        for (QStringList args : commands) {
            args << QStringLiteral("--db=") + path;
            const CliRun run = runCli(args);
            QVERIFY2(run.exitCode == 2, qPrintable(describe(run)));
            QVERIFY2(run.err.contains(path), qPrintable(run.err));
            QFile file(path);
            QVERIFY(file.open(QIODevice::ReadOnly));
            QCOMPARE(file.readAll(), content); // left as it was
        }
        QVERIFY(!QFile::exists(path + QStringLiteral("-wal")));
    }

    void pruneAndVacuum()
    {
        // Its own file: five runs of one test, the oldest pinned, two runs of another.
        const QString db = m_dir.filePath(QStringLiteral("prune.db"));
        QList<qint64> nightly;
        qint64 other = 0;
        {
            HistoryStore store;
            QString error;
            QVERIFY2(store.open(db, &error), qPrintable(error));
            for (int i = 0; i < 5; ++i)
                nightly.append(storeRun(store, QStringLiteral("nightly"),
                                        QStringLiteral("LOAD_TEST"), ResultStatus::Completed,
                                        QStringLiteral("v%1").arg(i), 100 + i));
            other = storeRun(store, QStringLiteral("other"), QStringLiteral("LOAD_TEST"),
                             ResultStatus::Completed, QString(), 50);
            storeRun(store, QStringLiteral("other"), QStringLiteral("LOAD_TEST"),
                     ResultStatus::Completed, QString(), 51);
            QVERIFY(store.flush());
            QVERIFY(store.setBaseline(store.findTestByName(QStringLiteral("nightly"))->id,
                                      nightly.first()));
        }
        const QString dbArg = QStringLiteral("--db=") + db;
        CliRun run = runCli({QStringLiteral("history"), QStringLiteral("prune"), dbArg});
        QCOMPARE(run.exitCode, 2); // no rule: bad usage, nothing deleted
        QVERIFY2(run.err.contains(QLatin1String("--keep=N or --older-than=D")),
                 qPrintable(run.err));
        run = runCli({QStringLiteral("history"), QStringLiteral("prune"),
                      QStringLiteral("--older-than=soon"), dbArg});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QLatin1String("--older-than: \"soon\"")), qPrintable(run.err));

        run = runCli({QStringLiteral("history"), QStringLiteral("prune"),
                      QStringLiteral("--keep=2"), QStringLiteral("--dry-run"), dbArg});
        QCOMPARE(run.exitCode, 0);
        // nightly keeps its two newest and its pinned baseline; "other" has only two runs.
        const QString expected = QStringLiteral("2 run(s) would be deleted from %1: #%2 #%3")
                                     .arg(db)
                                     .arg(nightly[1])
                                     .arg(nightly[2]);
        QVERIFY2(run.out.contains(expected), qPrintable(describe(run)));
        run = runCli({QStringLiteral("history"), QStringLiteral("prune"),
                      QStringLiteral("--keep=1"), QStringLiteral("--keep-pinned"), dbArg});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains(QLatin1String("deleted 4 run(s)")), qPrintable(describe(run)));
        run = runCli({QStringLiteral("history"), QStringLiteral("list"),
                      QStringLiteral("--format=json"), dbArg});
        QList<qint64> left = ids(jsonArray(run.out));
        std::sort(left.begin(), left.end());
        QCOMPARE(left, QList<qint64>({nightly[0], nightly[4], other + 1})); // pinned + newest
        run = runCli({QStringLiteral("history"), QStringLiteral("vacuum"), dbArg});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains(QLatin1String(" MB -> ")), qPrintable(describe(run)));
    }
};

LOADSCOPE_TEST_MAIN(TestCliHistory)
#include "tst_clihistory.moc"
