#include <algorithm>
#include <cmath>
#include <vector>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>

#include "referenceserver.h"
#include "session/sampletarget.h"
#include "store/historystore.h"
#include "testmain.h"
#include "testsupport.h"

using namespace loadscope;
using loadscope::test::CliRun;
using loadscope::test::runCli;

namespace {

// The custom format of the test: the request time and the upstream's, as people add them.
const char *const kTimedFormat = "$remote_addr [$time_local] \"$request\" $status "
                                 "$body_bytes_sent $request_time \"$upstream_response_time\"";

QString describe(const CliRun &run)
{
    return QStringLiteral("exit %1\n--- stdout\n%2\n--- stderr\n%3")
        .arg(run.exitCode)
        .arg(run.out, run.err);
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

double nearestRank(std::vector<qint64> values, double p)
{
    std::sort(values.begin(), values.end());
    const auto rank = size_t(std::ceil(p / 100.0 * double(values.size())));
    return double(values[std::max<size_t>(rank, 1) - 1]) / 1000.0;
}

qint64 importedId(const CliRun &run)
{
    static const QRegularExpression id(QStringLiteral("as run #(\\d+)"));
    return id.match(run.out).captured(1).toLongLong();
}

} // namespace

//! Real nginx in front of the sample API writes the logs; Loadscope sends the traffic, then
//! imports what nginx logged: the counts must be what was sent.
class TestCliAccessLog : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    SampleTargetProcess m_sample{test::cliPath()};
    test::NginxServer m_nginx;
    qint64 m_sent = 0;
    qint64 m_runId = 0;

    QString path(const char *name) const { return m_dir.filePath(QString::fromLatin1(name)); }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QString error;
        QVERIFY2(m_sample.start({QStringLiteral("--latency-ms=2")}, &error), qPrintable(error));
        m_nginx.addAccessLog(path("combined.log"));
        m_nginx.addAccessLog(path("timed.log"), QString::fromLatin1(kTimedFormat));
        m_nginx.addLocations(QStringLiteral("    location /upstream/ { proxy_pass %1/api/; }\n"
                                            "    location /items/ { return 200 'item'; }\n"
                                            "    location /missing { return 404; }\n")
                                 .arg(m_sample.target().baseUrl));
        QVERIFY2(m_nginx.start(&error), qPrintable(error));

        const QByteArray plan = R"({"schema": "loadscope.plan/1", "name": "synthetic",
            "testType": "LOAD_TEST",
            "steps": [{"method": "GET", "path": "/upstream/health?probe=1"},
                      {"method": "GET", "path": "/items/17"},
                      {"method": "GET", "path": "/items/23"},
                      {"method": "GET", "path": "/missing"}],
            "load": {"executor": "constant-vus", "vus": 2, "duration": "2s"}})";
        QFile planFile(path("plan.json"));
        QVERIFY(planFile.open(QIODevice::WriteOnly));
        planFile.write(plan);
        planFile.close();
        const CliRun run =
            runCli({QStringLiteral("run"), planFile.fileName(),
                    QStringLiteral("--base-url=") + m_nginx.baseUrl(), QStringLiteral("--quiet"),
                    QStringLiteral("--db=") + path("h.db"),
                    QStringLiteral("--output-file=") + path("result.json")});
        QVERIFY2(run.exitCode == 0 || run.exitCode == 1, qPrintable(describe(run)));
        const QJsonObject result = QJsonDocument::fromJson(readAll(path("result.json")))
                                       .object()
                                       .value(QLatin1String("result"))
                                       .toObject();
        m_sent = result.value(QLatin1String("totals"))
                     .toObject()
                     .value(QLatin1String("requests"))
                     .toInteger();
        m_runId = result.value(QLatin1String("id")).toInteger();
        QVERIFY2(m_sent >= 8, qPrintable(describe(run)));
        // nginx writes a line when a request ends; every response was read, so all are there.
        QTRY_COMPARE_WITH_TIMEOUT(readAll(path("timed.log")).count('\n'), m_sent, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(readAll(path("combined.log")).count('\n'), m_sent, 10000);
    }

    void combinedLogHoldsWhatWasSent()
    {
        const CliRun run =
            runCli({QStringLiteral("import"), path("combined.log"),
                    QStringLiteral("--test=real users"), QStringLiteral("--db=") + path("h.db")});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QVERIFY2(run.out.contains(QLatin1String("(combined, ") + QString::number(m_sent) +
                                  QLatin1String(" requests, 3 endpoint(s)")),
                 qPrintable(describe(run)));
        QVERIFY2(run.out.contains(QLatin1String("no request time")), qPrintable(describe(run)));
        HistoryStore store;
        QString error;
        QVERIFY2(store.open(path("h.db"), HistoryStore::OpenMode::ReadOnly, &error),
                 qPrintable(error));
        const auto record = store.result(importedId(run));
        QVERIFY(record);
        QCOMPARE(record->source.tool, QStringLiteral("real users"));
        const QJsonObject totals = record->summary.value(QLatin1String("totals")).toObject();
        QCOMPARE(totals.value(QLatin1String("requests")).toInteger(), m_sent);
        // The /missing requests were 404s, as nginx answered them.
        QCOMPARE(record->summary.value(QLatin1String("errorsByClass"))
                     .toObject()
                     .value(QLatin1String("http4xx"))
                     .toInteger(),
                 qint64(readAll(path("combined.log")).count("GET /missing ")));
        QStringList names;
        const QJsonArray endpoints = record->summary.value(QLatin1String("endpoints")).toArray();
        for (const QJsonValue &e : endpoints)
            names << e.toObject().value(QLatin1String("name")).toString();
        names.sort();
        QCOMPARE(names,
                 (QStringList{QStringLiteral("GET /items/{id}"), QStringLiteral("GET /missing"),
                              QStringLiteral("GET /upstream/health")}));
    }

    void timedLogPercentilesAreNginxs()
    {
        const CliRun run =
            runCli({QStringLiteral("import"), path("timed.log"), QStringLiteral("--format=nginx"),
                    QStringLiteral("--log-format=") + QString::fromLatin1(kTimedFormat),
                    QStringLiteral("--test=real users"), QStringLiteral("--db=") + path("h.db")});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        // The oracle: $request_time read from the log by a regular expression, not our parser.
        std::vector<qint64> times;
        static const QRegularExpression requestTime(
            QStringLiteral("\" \\d+ \\d+ (\\d+\\.\\d+) \""));
        for (const QString &line : QString::fromUtf8(readAll(path("timed.log"))).split(u'\n')) {
            const auto match = requestTime.match(line);
            if (match.hasMatch())
                times.push_back(qint64(std::llround(match.captured(1).toDouble() * 1e6)));
        }
        QCOMPARE(qint64(times.size()), m_sent);
        HistoryStore store;
        QString error;
        QVERIFY2(store.open(path("h.db"), HistoryStore::OpenMode::ReadOnly, &error),
                 qPrintable(error));
        const auto record = store.result(importedId(run));
        QVERIFY(record);
        const QJsonObject latency = record->summary.value(QLatin1String("latencyMs")).toObject();
        for (const auto &[key, p] : {std::pair{"p50", 50.0}, {"p95", 95.0}, {"max", 100.0}}) {
            const double want = nearestRank(times, p);
            const double got = latency.value(QLatin1String(key)).toDouble();
            QVERIFY2(
                std::abs(got - want) <= want * 0.001 + 0.001,
                qPrintable(
                    QStringLiteral("%1: %2 vs %3").arg(QLatin1String(key)).arg(got).arg(want)));
        }
        // The proxied route waited on the sample API (2 ms injected), so its upstream time shows.
        QVERIFY(record->summary.value(QLatin1String("timingsMs"))
                    .toObject()
                    .contains(QLatin1String("waiting")));

        // Synthetic against real: the comparison of the two runs works and names both.
        const CliRun compare =
            runCli({QStringLiteral("history"), QStringLiteral("compare"), QString::number(m_runId),
                    QString::number(importedId(run)), QStringLiteral("--db=") + path("h.db")});
        QVERIFY2(compare.exitCode == 0, qPrintable(describe(compare)));
    }

    void replayPlanFromTheRealLog()
    {
        const CliRun run =
            runCli({QStringLiteral("plan"), QStringLiteral("import"), path("combined.log"),
                    QStringLiteral("--format=access-log"), QStringLiteral("--scale=3"),
                    QStringLiteral("--output-file=") + path("replay.json")});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        const QJsonObject plan = QJsonDocument::fromJson(readAll(path("replay.json"))).object();
        const QJsonArray steps = plan.value(QLatin1String("steps")).toArray();
        QCOMPARE(steps.size(), 20);
        int items = 0;
        for (const QJsonValue &step : steps)
            items += step.toObject()
                         .value(QLatin1String("path"))
                         .toString()
                         .startsWith(QLatin1String("/items/"));
        QCOMPARE(items, 10); // half of what was sent
        const QJsonObject load = plan.value(QLatin1String("load")).toObject();
        QCOMPARE(load.value(QLatin1String("executor")).toString(),
                 QStringLiteral("ramping-arrival-rate"));
        // The stages add up to the log's requests × 3, in iterations of 20 requests.
        double iterations = 0;
        const QJsonArray stages = load.value(QLatin1String("stages")).toArray();
        for (const QJsonValue &stage : stages) {
            const QJsonObject s = stage.toObject();
            iterations += s.value(QLatin1String("target")).toDouble() *
                          s.value(QLatin1String("duration")).toString().chopped(1).toDouble();
        }
        QVERIFY2(std::abs(iterations * 20 - 3.0 * double(m_sent)) < 1e-6 * double(m_sent) + 0.01,
                 qPrintable(QString::number(iterations * 20)));
    }
};

LOADSCOPE_TEST_MAIN(TestCliAccessLog)
#include "tst_cliaccesslog.moc"
