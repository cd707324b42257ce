// What `loadscope-cli` says about the history must be what the history holds: a run is
// "stored" only once committed, a damaged or full database is named as such, two processes
// opening a new file never collide, and a killed run keeps the figures of its intervals.
#include <csignal>
#include <unistd.h>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTemporaryDir>

#include "sample/sampleapihost.h"
#include "session/storedrun.h"
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

QJsonArray listJson(const QString &db)
{
    const CliRun run = runCli({QStringLiteral("history"), QStringLiteral("list"),
                               QStringLiteral("--format=json"), QStringLiteral("--db=") + db});
    return run.exitCode == 0 ? QJsonDocument::fromJson(run.out.toUtf8()).array() : QJsonArray();
}

//! Overwrites @p bytes at @p offset of @p path.
bool overwrite(const QString &path, qint64 offset, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::ReadWrite) && file.seek(offset) &&
           file.write(bytes) == bytes.size();
}

//! An 8 MiB tmpfs mounted at @p mount for one test and unmounted when it goes; `path` is empty
//! (and `why` says why) when it cannot be had.
struct SmallFileSystem
{
    explicit SmallFileSystem(const QString &mount)
    {
        if (::geteuid() != 0) {
            why = QStringLiteral("needs root to mount a small tmpfs that can be filled up");
            return;
        }
        QDir().mkpath(mount);
        if (QProcess::execute(QStringLiteral("mount"),
                              {QStringLiteral("-t"), QStringLiteral("tmpfs"), QStringLiteral("-o"),
                               QStringLiteral("size=8m"), QStringLiteral("tmpfs"), mount}) != 0) {
            why = QStringLiteral(
                "mount -t tmpfs is not permitted here (a container without CAP_SYS_ADMIN)");
            return;
        }
        path = mount;
    }
    ~SmallFileSystem()
    {
        if (!path.isEmpty())
            QProcess::execute(QStringLiteral("umount"), {QStringLiteral("-l"), path});
    }
    Q_DISABLE_COPY_MOVE(SmallFileSystem)

    QString path;
    QString why;
};

} // namespace

class TestCliStore : public QObject
{
    Q_OBJECT

private:
    QString path(const QString &name) const { return m_dir.filePath(name); }
    QString baseUrlOption() const
    {
        return QStringLiteral("--base-url=") + m_sample.baseUrl().toString();
    }
    QStringList shortRun(const QString &db, const QString &duration = QStringLiteral("1")) const
    {
        return {QStringLiteral("run"),
                QStringLiteral("--type=API_LATENCY"),
                baseUrlOption(),
                QStringLiteral("--duration=") + duration,
                QStringLiteral("--concurrency=1"),
                QStringLiteral("--db=") + db};
    }
    //! Stores one short completed run in @p db; its id.
    qint64 storeOneRun(const QString &db)
    {
        const CliRun run = runCli(shortRun(db));
        static const QRegularExpression stored(QStringLiteral("stored +run #(\\d+)"));
        const QRegularExpressionMatch match = stored.match(run.out);
        if (run.exitCode != 0 || !match.hasMatch()) {
            qWarning("%s", qPrintable(describe(run)));
            return 0;
        }
        return match.captured(1).toLongLong();
    }

    //! Writes into @p mount until its file system is full.
    static bool fillUp(const QString &mount)
    {
        QFile fill(mount + QStringLiteral("/fill"));
        if (!fill.open(QIODevice::WriteOnly))
            return false;
        const QByteArray chunk(64 * 1024, 'x');
        while (fill.write(chunk) == chunk.size() && fill.flush()) {
        }
        return true;
    }

    QTemporaryDir m_dir;
    SampleApiHost m_sample;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(m_sample.start() > 0);
    }

    void fullDiskIsReportedAndOutputStillWritten()
    {
        const SmallFileSystem small(path(QStringLiteral("small-fs")));
        if (small.path.isEmpty())
            QSKIP(qPrintable(small.why));
        const QString mount = small.path;
        const QString db = mount + QStringLiteral("/history.db");
        const qint64 first = storeOneRun(db);
        QVERIFY(first > 0);

        const QString outputFile = path(QStringLiteral("full-disk.json"));
        QProcess process;
        process.start(loadscope::test::cliPath(),
                      shortRun(db, QStringLiteral("4"))
                          << QStringLiteral("--output-file=") + outputFile);
        QVERIFY(process.waitForStarted(10000));
        QString out;
        QTRY_VERIFY_WITH_TIMEOUT(
            (out += QString::fromUtf8(process.readAllStandardOutput()), intervalLines(out) >= 1),
            15000);
        // Fill the file system while the run writes its intervals.
        QVERIFY(fillUp(mount));
        QVERIFY2(process.waitForFinished(20000), qPrintable(out));
        out += QString::fromUtf8(process.readAllStandardOutput());
        const QString err = QString::fromUtf8(process.readAllStandardError());
        const QString all = out + QStringLiteral("\n--- stderr\n") + err;
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QVERIFY2(process.exitCode() == 1, qPrintable(all));
        QVERIFY2(err.contains(QLatin1String("NOT stored")), qPrintable(all));
        QVERIFY2(err.contains(QLatin1String("the disk is full")), qPrintable(all));
        QVERIFY2(!out.contains(QRegularExpression(QStringLiteral("stored +run #"))),
                 qPrintable(all));
        // The summary and the --output-file are still there (written outside the full disk).
        QVERIFY2(out.contains(QLatin1String("requests    ")), qPrintable(all));
        QFile file(outputFile);
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(all));
        const QJsonObject result = QJsonDocument::fromJson(file.readAll())
                                       .object()
                                       .value(QStringLiteral("result"))
                                       .toObject();
        QVERIFY(result.value(QStringLiteral("totals"))
                    .toObject()
                    .value(QStringLiteral("requests"))
                    .toDouble() > 0);

        // Reading still works on the full disk (read-only open), and the earlier run is intact.
        const CliRun list = runCli(
            {QStringLiteral("history"), QStringLiteral("list"), QStringLiteral("--db=") + db});
        QVERIFY2(list.exitCode == 0, qPrintable(describe(list)));
        QVERIFY2(
            list.out.contains(QRegularExpression(QStringLiteral("(?m)^") + QString::number(first) +
                                                 QStringLiteral(" .*completed"))),
            qPrintable(describe(list)));
    }

    // A run started through the REST API whose history write fails must not be "running" for
    // ever to its poller, nor look stored: the result says stored=false and why.
    void restResultSaysWhenTheRunWasNotStored()
    {
        const SmallFileSystem small(path(QStringLiteral("small-fs-rest")));
        if (small.path.isEmpty())
            QSKIP(qPrintable(small.why));
        const QString mount = small.path;
        const QString db = mount + QStringLiteral("/history.db");
        QVERIFY(storeOneRun(db) > 0);

        QProcess serve;
        const QByteArray token = "store-failure-token-0123456789";
        const QString api = loadscope::test::startServe(
            serve,
            {QStringLiteral("--port=0"), QStringLiteral("--token=") + QString::fromLatin1(token),
             QStringLiteral("--db=") + db},
            path(QStringLiteral("rest-config")));
        const auto stop = qScopeGuard([&serve] {
            serve.terminate();
            if (!serve.waitForFinished(20000))
                serve.kill();
        });
        QVERIFY(!api.isEmpty());

        QNetworkAccessManager network;
        const auto call = [&](const QByteArray &verb, const QString &where,
                              const QByteArray &body = {}) {
            QNetworkRequest request{QUrl(api + where)};
            request.setRawHeader("Authorization", "Bearer " + token);
            request.setHeader(QNetworkRequest::ContentTypeHeader,
                              QByteArrayLiteral("application/json"));
            QNetworkReply *reply = network.sendCustomRequest(request, verb, body);
            if (!QTest::qWaitFor([reply] { return reply->isFinished(); }, 20000))
                qWarning("%s %s: no reply within 20 s", verb.constData(), qPrintable(where));
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            const QJsonObject json = QJsonDocument::fromJson(reply->readAll()).object();
            reply->deleteLater();
            return std::make_pair(status, json);
        };
        const QString target = m_sample.baseUrl().toString() + QStringLiteral("/api/health");
        const auto started = call("POST", QStringLiteral("/load-test"),
                                  QStringLiteral(R"({"name": "full disk", "stages":
                                                   [{"duration": "4s", "target": 2}],
                                                   "targetEndpoints": ["%1"]})")
                                      .arg(target)
                                      .toUtf8());
        QVERIFY2(started.first == 202, QJsonDocument(started.second).toJson().constData());
        const qint64 id = started.second.value(QStringLiteral("resultId")).toInteger();
        const QString result = QStringLiteral("/results/") + QString::number(id);
        // Fill the file system once the run writes intervals, then wait for its end.
        QTRY_VERIFY_WITH_TIMEOUT(call("GET", result + QStringLiteral("/samples"))
                                         .second.value(QStringLiteral("samples"))
                                         .toArray()
                                         .size() >= 1,
                                 15000);
        QVERIFY(fillUp(mount));
        QJsonObject document;
        QTRY_VERIFY_WITH_TIMEOUT(
            (document = call("GET", result).second,
             document.value(QStringLiteral("result")).toObject().value(QStringLiteral("status")) !=
                 QLatin1String("running")),
            30000);
        const QJsonObject run = document.value(QStringLiteral("result")).toObject();
        const QByteArray text = QJsonDocument(document).toJson();
        QCOMPARE(run.value(QStringLiteral("stored")).toBool(true), false);
        QVERIFY2(run.value(QStringLiteral("storeError"))
                     .toString()
                     .contains(QLatin1String("the disk is full")),
                 text.constData());
        // The measured figures are still given to the poller.
        QVERIFY2(run.value(QStringLiteral("totals"))
                         .toObject()
                         .value(QStringLiteral("requests"))
                         .toDouble() > 0,
                 text.constData());
        const auto samples = call("GET", result + QStringLiteral("/samples"));
        QVERIFY(samples.second.value(QStringLiteral("done")).toBool());
        // The samples stream of the ended run closes with an end event that says the same.
        QNetworkRequest streamRequest{QUrl(api + result + QStringLiteral("/samples?stream=1"))};
        streamRequest.setRawHeader("Authorization", "Bearer " + token);
        QNetworkReply *stream = network.get(streamRequest);
        QVERIFY(QTest::qWaitFor([stream] { return stream->isFinished(); }, 20000));
        const QByteArray events = stream->readAll();
        stream->deleteLater();
        const qsizetype end = events.indexOf("event: end");
        QVERIFY2(end >= 0, events.constData());
        const QByteArray endEvent = events.mid(end);
        QVERIFY2(endEvent.contains("\"stored\":false") && endEvent.contains("the disk is full"),
                 endEvent.constData());
    }

    void damagedDatabaseIsReported()
    {
        const QString db = path(QStringLiteral("damaged.db"));
        QVERIFY(storeOneRun(db) > 0);
        QVERIFY(!QFile::exists(db + QStringLiteral("-wal"))); // all of it is in the main file
        QFile file(db);
        QVERIFY(file.size() > 3 * 4096);
        // Every page after the first (which holds the schema) becomes garbage.
        QVERIFY(overwrite(db, 4096, QByteArray(int(file.size() - 4096), '\x5a')));

        for (const QStringList &args :
             {QStringList{QStringLiteral("history"), QStringLiteral("list")},
              QStringList{QStringLiteral("history"), QStringLiteral("show"), QStringLiteral("1")},
              QStringList{QStringLiteral("history"), QStringLiteral("trend"),
                          QStringLiteral("API latency")},
              shortRun(db)}) {
            const CliRun run = runCli(QStringList(args) << QStringLiteral("--db=") + db);
            QVERIFY2(run.exitCode != 0, qPrintable(args.join(u' ') + u'\n' + describe(run)));
            QVERIFY2(run.err.contains(QLatin1String("damaged")),
                     qPrintable(args.join(u' ') + u'\n' + describe(run)));
            QVERIFY2(!run.out.contains(QLatin1String("No runs")), qPrintable(describe(run)));
        }

        // A header that is not SQLite's: refused by name, nothing written.
        const QString header = path(QStringLiteral("bad-header.db"));
        QVERIFY(storeOneRun(header) > 0);
        QVERIFY(overwrite(header, 0, QByteArray(16, '\0')));
        const QByteArray before = [&] {
            QFile f(header);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        }();
        const CliRun list = runCli(
            {QStringLiteral("history"), QStringLiteral("list"), QStringLiteral("--db=") + header});
        QVERIFY2(list.exitCode == 2, qPrintable(describe(list)));
        QVERIFY2(list.err.contains(header) && list.err.contains(QLatin1String("not a")),
                 qPrintable(describe(list)));
        QFile after(header);
        QVERIFY(after.open(QIODevice::ReadOnly));
        QCOMPARE(after.readAll(), before);
    }

    void concurrentFirstOpen()
    {
        // Two processes start the same new test on one new file, 20 times: one migrates while
        // the other waits, and the test is created once (an upsert on a UNIQUE name).
        for (int trial = 0; trial < 20; ++trial) {
            const QString db = path(QStringLiteral("race-%1.db").arg(trial));
            QProcess a;
            QProcess b;
            a.start(loadscope::test::cliPath(), shortRun(db));
            b.start(loadscope::test::cliPath(), shortRun(db));
            QVERIFY(a.waitForFinished(30000) && b.waitForFinished(30000));
            for (QProcess *p : {&a, &b}) {
                QVERIFY2(p->exitStatus() == QProcess::NormalExit && p->exitCode() == 0,
                         qPrintable(QStringLiteral("trial %1: ").arg(trial) +
                                    QString::fromUtf8(p->readAllStandardError())));
            }
            HistoryStore store;
            QString error;
            QVERIFY2(store.open(db, HistoryStore::OpenMode::ReadOnly, &error), qPrintable(error));
            QCOMPARE(store.listTests().size(), 1);
            QCOMPARE(store.listResults().size(), 2);
        }
    }

    void killedRunKeepsItsIntervals()
    {
        const QString db = path(QStringLiteral("killed.db"));
        QProcess process;
        process.start(loadscope::test::cliPath(), shortRun(db, QStringLiteral("30"))
                                                      << QStringLiteral("--concurrency=2"));
        QVERIFY(process.waitForStarted(10000));
        QString out;
        QTRY_VERIFY_WITH_TIMEOUT(
            (out += QString::fromUtf8(process.readAllStandardOutput()), intervalLines(out) >= 2),
            20000);
        process.kill(); // SIGKILL: nothing of the run's end is written
        QVERIFY(process.waitForFinished(10000));

        const QJsonArray runs = listJson(db);
        QCOMPARE(runs.size(), 1);
        const QJsonObject listed = runs.first().toObject();
        QCOMPARE(listed.value(QStringLiteral("status")).toString(), QStringLiteral("aborted"));
        const qint64 id = listed.value(QStringLiteral("id")).toInteger();

        // The oracle: the interval rows as stored, summed here.
        const CliRun show =
            runCli({QStringLiteral("history"), QStringLiteral("show"), QString::number(id),
                    QStringLiteral("--format=json"), QStringLiteral("--db=") + db});
        QVERIFY2(show.exitCode == 0, qPrintable(describe(show)));
        const QJsonObject result = QJsonDocument::fromJson(show.out.toUtf8())
                                       .object()
                                       .value(QStringLiteral("result"))
                                       .toObject();
        const QJsonArray timeline = result.value(QStringLiteral("timeline")).toArray();
        QVERIFY(timeline.size() >= 2);
        qint64 requests = 0;
        double maxMs = 0;
        for (const QJsonValue &interval : timeline) {
            requests += interval.toObject().value(QStringLiteral("requests")).toInteger();
            maxMs = std::max(maxMs, interval.toObject()
                                        .value(QStringLiteral("latencyMs"))
                                        .toObject()
                                        .value(QStringLiteral("max"))
                                        .toDouble());
        }
        QVERIFY(requests > 0);
        const QJsonObject totals = result.value(QStringLiteral("totals")).toObject();
        QCOMPARE(totals.value(QStringLiteral("requests")).toInteger(), requests);
        QCOMPARE(listed.value(QStringLiteral("totals"))
                     .toObject()
                     .value(QStringLiteral("requests"))
                     .toInteger(),
                 requests);
        // Percentiles from the checkpointed whole-run histogram: within the intervals' range.
        const QJsonObject latency = result.value(QStringLiteral("latencyMs")).toObject();
        const double p95 = latency.value(QStringLiteral("p95")).toDouble();
        QVERIFY2(p95 > 0 && p95 <= maxMs * 1.01, qPrintable(QString::number(p95)));
        QVERIFY(totals.value(QStringLiteral("throughputRps")).toDouble() > 0);
        const QJsonArray endpoints = result.value(QStringLiteral("endpoints")).toArray();
        QCOMPARE(endpoints.size(), 1);

        // The text row shows rps and p95, not '-'.
        const CliRun list = runCli(
            {QStringLiteral("history"), QStringLiteral("list"), QStringLiteral("--db=") + db});
        static const QRegularExpression row(
            QStringLiteral("(?m)^%1 .* aborted .* (\\d+\\.\\d) +(\\d+\\.\\d\\d) +\\d+\\.\\d\\d$")
                .arg(id));
        QVERIFY2(row.match(list.out).hasMatch(), qPrintable(describe(list)));

        // A writable open persists the rebuilt summary (what a later run or the GUI does).
        HistoryStore store;
        QString error;
        QVERIFY2(store.open(db, &error), qPrintable(error));
        QCOMPARE(rebuildAbandonedRuns(store, &error), 1);
        const auto stored = store.result(id);
        QVERIFY(stored);
        QCOMPARE(stored->summary.value(QStringLiteral("totals"))
                     .toObject()
                     .value(QStringLiteral("requests"))
                     .toInteger(),
                 requests);
        QCOMPARE(rebuildAbandonedRuns(store, &error), 0); // once
    }

    void baselineOfNoRunIsBadUsage()
    {
        const QString db = path(QStringLiteral("baseline.db"));
        QVERIFY(storeOneRun(db) > 0);
        const CliRun run = runCli(shortRun(db) << QStringLiteral("--baseline=999"));
        QVERIFY2(run.exitCode == 2, qPrintable(describe(run)));
        QVERIFY2(run.err.contains(QLatin1String("--baseline=999")) &&
                     run.err.contains(QLatin1String("no stored run with ID 999")),
                 qPrintable(describe(run)));
        QCOMPARE(listJson(db).size(), 1); // nothing ran
    }

    void runThatCannotStartStoresNothing()
    {
        const QString db = path(QStringLiteral("never-started.db"));
        const qint64 first = storeOneRun(db);
        QVERIFY(first > 0);
        const QString plan = path(QStringLiteral("unreadable-data.json"));
        QFile file(plan);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(
            QJsonDocument(
                QJsonObject{
                    {QStringLiteral("schema"), QStringLiteral("loadscope.plan/1")},
                    {QStringLiteral("name"), QStringLiteral("never started")},
                    {QStringLiteral("testType"), QStringLiteral("LOAD_TEST")},
                    {QStringLiteral("baseUrl"), m_sample.baseUrl().toString()},
                    {QStringLiteral("dataFile"), path(QStringLiteral("missing/users.csv"))},
                    {QStringLiteral("steps"),
                     QJsonArray{
                         QJsonObject{{QStringLiteral("path"), QStringLiteral("/api/health")}}}},
                    {QStringLiteral("load"),
                     QJsonObject{{QStringLiteral("executor"), QStringLiteral("constant-vus")},
                                 {QStringLiteral("vus"), 1},
                                 {QStringLiteral("duration"), QStringLiteral("1s")}}}})
                .toJson());
        file.close();
        const CliRun run = runCli({QStringLiteral("run"), plan, QStringLiteral("--db=") + db});
        QVERIFY2(run.exitCode == 2, qPrintable(describe(run)));
        QVERIFY2(run.err.contains(QLatin1String("dataFile")), qPrintable(describe(run)));

        HistoryStore store;
        QString error;
        QVERIFY2(store.open(db, HistoryStore::OpenMode::ReadOnly, &error), qPrintable(error));
        QCOMPARE(store.listResults().size(), 1); // only the earlier run
        QCOMPARE(store.listTests().size(), 1);   // and no empty test "never started"
        QVERIFY(!store.findTestByName(QStringLiteral("never started")));
    }
};

LOADSCOPE_TEST_MAIN(TestCliStore)

#include "tst_clistore.moc"
