// Scale-out (#12) with real agents: separate `loadscope-cli run --segment=I/N` processes against
// a loopback server, merged by `loadscope-cli merge` into one run whose counts are the sum of
// theirs and whose percentiles are those of the union of their histograms.
#include <cmath>

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QUrlQuery>

#include "fakehttpserver.h"
#include "interop/resultjsonstream.h"
#include "metrics/runmetrics.h"
#include "plan/executionsegment.h"
#include "testmain.h"
#include "testsupport.h"

using namespace loadscope;
using loadscope::test::CliRun;
using loadscope::test::FakeHttpServer;
using loadscope::test::FakeReply;
using loadscope::test::FakeRequest;
using loadscope::test::runCli;

namespace {

constexpr int kRate = 100;      // arrivals per second
constexpr int kDurationSec = 3; // so the plan's arrivals are exactly 300
constexpr int kPlanned = kRate * kDurationSec;
constexpr int kDataRows = 40;

QString describe(const CliRun &run)
{
    return QStringLiteral("exit %1\n--- stdout\n%2\n--- stderr\n%3")
        .arg(run.exitCode)
        .arg(run.out, run.err);
}

QJsonObject readJson(const QString &path)
{
    return QJsonDocument::fromJson(loadscope::test::readFileBytes(path)).object();
}

bool writeJson(const QString &path, const QJsonObject &json)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) &&
           file.write(QJsonDocument(json).toJson(QJsonDocument::Compact)) > 0;
}

LatencyHistogram blob(const QJsonValue &base64)
{
    const auto h =
        LatencyHistogram::deserialize(QByteArray::fromBase64(base64.toString().toLatin1()));
    return h.value_or(LatencyHistogram());
}

//! One interval of an agent's result file, from its records (loadscope.hdr/2).
struct AgentInterval
{
    LatencyHistogram duration;
    qint64 requests = 0;
    int activeVus = 0;
};

//! The header an IntervalRecordReader of @p histograms needs.
void setHeader(IntervalRecordReader &reader, const QJsonObject &histograms)
{
    std::vector<int> classes;
    for (int i = 1; i < kErrorClassCount; ++i)
        classes.push_back(i);
    reader.setHeader(int(histograms[QStringLiteral("metricNames")].toArray().size()),
                     int(histograms[QStringLiteral("endpointNames")].toArray().size()), classes);
}

QByteArray records(const QJsonObject &histograms)
{
    return QByteArray::fromBase64(histograms[QStringLiteral("records")].toString().toLatin1());
}

//! The intervals of an agent's "result" object.
QList<AgentInterval> agentIntervals(const QJsonObject &result)
{
    const QJsonObject histograms = result[QStringLiteral("histograms")].toObject();
    const QJsonArray metrics = histograms[QStringLiteral("metricNames")].toArray();
    IntervalRecordReader reader(records(histograms));
    setHeader(reader, histograms);
    QList<AgentInterval> out;
    IntervalRecord record;
    QString error;
    while (reader.next(&record, &error)) {
        AgentInterval in;
        in.requests = record.totals.requests;
        in.activeVus = record.activeVus;
        for (const RecordHistogram &h : record.histograms) {
            if (metrics[h.metric].toString() == QLatin1String("duration"))
                in.duration = LatencyHistogram::deserialize(h.blob).value_or(LatencyHistogram());
        }
        out.append(in);
    }
    return out;
}

} // namespace

class TestScaleOut : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<FakeHttpServer> m_server;
    QMutex m_mutex;
    QList<QPair<int, int>> m_seen; //!< (data row, global VU number) of every request
    QString m_plan;
    QMap<int, QStringList> m_agentFiles; //!< N -> the agents' result files
    QMap<int, QString> m_merged;         //!< N -> merged result file

    QString path(const QString &name) const { return m_dir.filePath(name); }

    //! POSTs @p body to @p url with the bearer token; (status, JSON answer).
    QPair<int, QJsonObject> post(const QString &url, const QString &token, const QByteArray &body)
    {
        QNetworkAccessManager network;
        QNetworkRequest request{QUrl(url)};
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/json"));
        request.setRawHeader("Authorization", "Bearer " + token.toLatin1());
        QNetworkReply *reply = body.isNull() ? network.get(request) : network.post(request, body);
        QSignalSpy done(reply, &QNetworkReply::finished);
        if (!done.wait(60000))
            return {0, {}};
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QJsonObject json = QJsonDocument::fromJson(reply->readAll()).object();
        reply->deleteLater();
        return {status, json};
    }

    //! Runs N agents as separate processes with a common start; their result files.
    QStringList runAgents(int count)
    {
        return loadscope::test::runSegmentAgents(m_plan, count, m_dir.path(), 2500);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_server = std::make_unique<FakeHttpServer>([this](const FakeRequest &request) {
            const QUrlQuery query(QUrl(QString::fromLatin1(request.target)).query());
            const QMutexLocker lock(&m_mutex);
            m_seen.append({query.queryItemValue(QStringLiteral("row")).toInt(),
                           request.header("X-VU").toInt()});
            return FakeReply::ok(QByteArrayLiteral("{\"status\":\"ok\"}"));
        });
        QVERIFY(m_server->start());
        QFile csv(path(QStringLiteral("rows.csv")));
        QVERIFY(csv.open(QIODevice::WriteOnly));
        csv.write("row\n");
        for (int r = 0; r < kDataRows; ++r)
            csv.write(QByteArray::number(r) + '\n');
        csv.close();
        // Each agent alone stays under the count threshold; the merged run crosses it, so
        // only a merge that evaluates thresholds again on the merged data exits 99.
        const QJsonObject plan{
            {QStringLiteral("name"), QStringLiteral("scale-out")},
            {QStringLiteral("testType"), QStringLiteral("LOAD_TEST")},
            {QStringLiteral("baseUrl"),
             QStringLiteral("http://127.0.0.1:%1").arg(m_server->port())},
            {QStringLiteral("dataFile"), csv.fileName()},
            {QStringLiteral("steps"),
             QJsonArray{
                 QJsonObject{{QStringLiteral("name"), QStringLiteral("health")},
                             {QStringLiteral("path"), QStringLiteral("/api/health?row={{row}}")},
                             {QStringLiteral("headers"),
                              QJsonObject{{QStringLiteral("X-VU"), QStringLiteral("{{__VU}}")}}}}}},
            {QStringLiteral("load"),
             QJsonObject{{QStringLiteral("executor"), QStringLiteral("constant-arrival-rate")},
                         {QStringLiteral("rate"), kRate},
                         {QStringLiteral("duration"), QStringLiteral("%1s").arg(kDurationSec)},
                         {QStringLiteral("preAllocatedVUs"), 8},
                         {QStringLiteral("maxVUs"), 16}}},
            {QStringLiteral("thresholds"),
             QJsonObject{{QStringLiteral("http_reqs"),
                          QJsonArray{QStringLiteral("count<%1").arg(kPlanned)}},
                         {QStringLiteral("http_req_duration"),
                          QJsonArray{QStringLiteral("p(95)<10000")}}}}};
        m_plan = path(QStringLiteral("plan.json"));
        QVERIFY(writeJson(m_plan, plan));
    }

    void agentsMergeIntoOneRun_data()
    {
        QTest::addColumn<int>("agents");
        QTest::newRow("2 agents") << 2;
        QTest::newRow("4 agents") << 4;
    }
    void agentsMergeIntoOneRun()
    {
        QFETCH(int, agents);
        {
            const QMutexLocker lock(&m_mutex);
            m_seen.clear();
        }
        const QStringList files = runAgents(agents);
        QVERIFY(!files.isEmpty());
        m_agentFiles[agents] = files;

        // Each agent ran exactly its striped share of the plan's arrivals.
        qint64 sum = 0;
        LatencyHistogram all;
        LatencyHistogram allCorrected;
        QList<QJsonObject> docs;
        for (int i = 0; i < agents; ++i) {
            const QJsonObject result =
                readJson(files[i]).value(QStringLiteral("result")).toObject();
            docs << result;
            const qint64 requests = qint64(
                result[QStringLiteral("totals")].toObject()[QStringLiteral("requests")].toDouble());
            QCOMPARE(requests, ExecutionSegment({i, agents}).share(kPlanned));
            QCOMPARE(
                result[QStringLiteral("agent")].toObject()[QStringLiteral("segment")].toString(),
                QStringLiteral("%1/%2").arg(i).arg(agents));
            sum += requests;
            const QJsonObject overall = result[QStringLiteral("histograms")]
                                            .toObject()[QStringLiteral("run")]
                                            .toObject()[QStringLiteral("overall")]
                                            .toObject();
            all.merge(blob(overall[QStringLiteral("duration")]));
            allCorrected.merge(blob(overall[QStringLiteral("duration_corrected")]));
        }
        QCOMPARE(sum, qint64(kPlanned));
        QCOMPARE(all.count(), sum);

        // Agents never used each other's data rows, and each used only rows it owns.
        {
            const QMutexLocker lock(&m_mutex);
            QCOMPARE(m_seen.size(), kPlanned);
            for (const auto &[row, vu] : std::as_const(m_seen)) {
                QVERIFY(vu >= 1);
                const int segment = (vu - 1) % agents; // global VU numbers are striped too
                QVERIFY2(ExecutionSegment({segment, agents}).owns(row),
                         qPrintable(QStringLiteral("row %1 used by VU %2").arg(row).arg(vu)));
            }
        }

        const QString merged = path(QStringLiteral("merged-%1.json").arg(agents));
        QStringList args{QStringLiteral("merge")};
        args << files << QStringLiteral("--no-db") << QStringLiteral("--output-file=") + merged;
        const CliRun run = runCli(args);
        // 300 requests cross "count<300" only together: thresholds are evaluated on the merge.
        QVERIFY2(run.exitCode == 99, qPrintable(describe(run)));
        QVERIFY2(run.out.contains(QLatin1String("FAIL http_reqs count<300")), qPrintable(run.out));
        m_merged[agents] = merged;

        const QJsonObject result = readJson(merged).value(QStringLiteral("result")).toObject();
        QCOMPARE(
            qint64(
                result[QStringLiteral("totals")].toObject()[QStringLiteral("requests")].toDouble()),
            sum);
        QCOMPARE(result[QStringLiteral("latencyMs")].toObject(),
                 LatencyStats::fromHistogram(all).toJson());
        QCOMPARE(result[QStringLiteral("latencyCorrectedMs")].toObject(),
                 LatencyStats::fromHistogram(allCorrected).toJson());
        const QJsonArray agentList = result[QStringLiteral("agents")].toArray();
        QCOMPARE(agentList.size(), agents);
        for (int i = 0; i < agents; ++i)
            QCOMPARE(agentList[i].toObject()[QStringLiteral("segment")].toString(),
                     QStringLiteral("%1/%2").arg(i).arg(agents));

        // Interval by interval, aligned on the agents' clock starts: summed counts and VUs, and
        // the percentiles of the union of the agents' interval histograms.
        const QDateTime origin = [&docs] {
            QDateTime first;
            for (const QJsonObject &d : docs) {
                const QDateTime t = QDateTime::fromString(
                    d[QStringLiteral("agent")].toObject()[QStringLiteral("clockStart")].toString(),
                    Qt::ISODateWithMs);
                if (!first.isValid() || t < first)
                    first = t;
            }
            return first;
        }();
        const QJsonArray timeline = result[QStringLiteral("timeline")].toArray();
        QVERIFY(timeline.size() >= kDurationSec);
        qint64 timelineRequests = 0;
        for (qsizetype k = 0; k < timeline.size(); ++k) {
            LatencyHistogram union_;
            qint64 requests = 0;
            int vus = 0;
            for (const QJsonObject &d : std::as_const(docs)) {
                const QDateTime start = QDateTime::fromString(
                    d[QStringLiteral("agent")].toObject()[QStringLiteral("clockStart")].toString(),
                    Qt::ISODateWithMs);
                const qsizetype j = k - qRound64(double(origin.msecsTo(start)) / 1000.0);
                const QList<AgentInterval> intervals = agentIntervals(d);
                if (j < 0 || j >= intervals.size())
                    continue;
                union_.merge(intervals[j].duration);
                requests += intervals[j].requests;
                vus += intervals[j].activeVus;
            }
            const QJsonObject entry = timeline[k].toObject();
            QCOMPARE(qint64(entry[QStringLiteral("requests")].toDouble()), requests);
            QCOMPARE(entry[QStringLiteral("activeVus")].toInt(), vus);
            QCOMPARE(entry[QStringLiteral("latencyMs")].toObject(),
                     LatencyStats::fromHistogram(union_).toJson());
            timelineRequests += requests;
        }
        QVERIFY(timelineRequests <= sum);
    }

    void refusesWhatDoesNotMerge()
    {
        const QStringList two = m_agentFiles.value(2);
        const QStringList four = m_agentFiles.value(4);
        QVERIFY(two.size() == 2 && four.size() == 4);

        // The same segment twice.
        CliRun run = runCli({QStringLiteral("merge"), two[0], two[0], QStringLiteral("--no-db")});
        QVERIFY2(run.exitCode == 2 &&
                     run.err.contains(two[0] + QStringLiteral(": segment 0/2 overlaps")),
                 qPrintable(describe(run)));
        // A segment missing.
        run =
            runCli({QStringLiteral("merge"), four[0], four[1], four[3], QStringLiteral("--no-db")});
        QVERIFY2(run.exitCode == 2 && run.err.contains(QLatin1String("segment 2/4 is missing")),
                 qPrintable(describe(run)));
        // Segments of different splits overlap as well.
        run = runCli({QStringLiteral("merge"), two[0], four[1], QStringLiteral("--no-db")});
        QVERIFY2(run.exitCode == 2 && run.err.contains(four[1]) &&
                     run.err.contains(QLatin1String("the same way")),
                 qPrintable(describe(run)));

        // Another plan: the rate changed.
        QJsonObject other = readJson(two[1]);
        QJsonObject test = other[QStringLiteral("test")].toObject();
        QJsonObject load = test[QStringLiteral("load")].toObject();
        load[QStringLiteral("rate")] = 2 * kRate;
        test[QStringLiteral("load")] = load;
        other[QStringLiteral("test")] = test;
        const QString otherPlan = path(QStringLiteral("other-plan.json"));
        QVERIFY(writeJson(otherPlan, other));
        run = runCli({QStringLiteral("merge"), two[0], otherPlan, QStringLiteral("--no-db")});
        QVERIFY2(run.exitCode == 2 &&
                     run.err.contains(otherPlan + QStringLiteral(": ran a different plan")),
                 qPrintable(describe(run)));

        // A corrupted histogram (one byte of an interval's blob flipped): named with its place.
        QJsonObject corrupt = readJson(two[1]);
        QJsonObject result = corrupt[QStringLiteral("result")].toObject();
        QJsonObject histograms = result[QStringLiteral("histograms")].toObject();
        IntervalRecordReader reader(records(histograms));
        setHeader(reader, histograms);
        IntervalRecordWriter writer;
        IntervalRecord record;
        QString error;
        while (reader.next(&record, &error)) {
            if (reader.position() == 1) {
                QByteArray bytes = record.histograms.front().blob;
                bytes.detach();
                bytes[bytes.size() / 2] = char(bytes[bytes.size() / 2] ^ 0x04);
                record.histograms.front().blob = bytes;
            }
            writer.append(record);
        }
        QVERIFY2(error.isEmpty(), qPrintable(error));
        histograms[QStringLiteral("records")] = QString::fromLatin1(writer.bytes().toBase64());
        result[QStringLiteral("histograms")] = histograms;
        corrupt[QStringLiteral("result")] = result;
        const QString corrupted = path(QStringLiteral("corrupted.json"));
        QVERIFY(writeJson(corrupted, corrupt));
        run = runCli({QStringLiteral("merge"), two[0], corrupted, QStringLiteral("--no-db")});
        QVERIFY2(
            run.exitCode == 2 &&
                run.err.contains(corrupted + QStringLiteral(": result.histograms.records[0]")) &&
                run.err.contains(QLatin1String("latency histogram")),
            qPrintable(describe(run)));

        // A result without histograms, and a file that is not JSON.
        QJsonObject bare = readJson(two[1]);
        QJsonObject bareResult = bare[QStringLiteral("result")].toObject();
        bareResult.remove(QStringLiteral("histograms"));
        bare[QStringLiteral("result")] = bareResult;
        const QString noHistograms = path(QStringLiteral("no-histograms.json"));
        QVERIFY(writeJson(noHistograms, bare));
        run = runCli({QStringLiteral("merge"), two[0], noHistograms, QStringLiteral("--no-db")});
        QVERIFY2(run.exitCode == 2 &&
                     run.err.contains(noHistograms + QStringLiteral(": carries no histograms")),
                 qPrintable(describe(run)));
        run = runCli({QStringLiteral("merge"), m_plan + QStringLiteral(".missing"),
                      QStringLiteral("--no-db")});
        QVERIFY2(run.exitCode == 2 && run.err.contains(QLatin1String(".missing: cannot read")),
                 qPrintable(describe(run)));
    }

    void mergedRunIsStoredListedAndCompared()
    {
        const QString db = path(QStringLiteral("history.db"));
        QList<qint64> ids;
        for (int agents : {2, 4}) {
            QStringList args{QStringLiteral("merge")};
            args << m_agentFiles.value(agents) << QStringLiteral("--db=") + db;
            const CliRun run = runCli(args);
            QVERIFY2(run.exitCode == 99, qPrintable(describe(run)));
            static const QRegularExpression stored(QStringLiteral("stored      run #(\\d+)"));
            const auto match = stored.match(run.out);
            QVERIFY2(match.hasMatch(), qPrintable(run.out));
            ids << match.captured(1).toLongLong();
        }
        // The same merge again is the same run, not a second one.
        QStringList again{QStringLiteral("merge")};
        again << m_agentFiles.value(2) << QStringLiteral("--db=") + db;
        CliRun run = runCli(again);
        QVERIFY2(run.out.contains(QStringLiteral("stored already, as run #%1").arg(ids[0])),
                 qPrintable(describe(run)));

        run = runCli(
            {QStringLiteral("history"), QStringLiteral("list"), QStringLiteral("--db=") + db});
        QVERIFY2(run.exitCode == 0 && run.out.contains(QLatin1String("scale-out")),
                 qPrintable(describe(run)));
        run = runCli({QStringLiteral("history"), QStringLiteral("show"), QString::number(ids[1]),
                      QStringLiteral("--format=json"), QStringLiteral("--db=") + db});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        const QJsonObject shown = QJsonDocument::fromJson(run.out.toUtf8()).object();
        const QJsonObject result = shown[QStringLiteral("result")].toObject();
        QCOMPARE(
            qint64(
                result[QStringLiteral("totals")].toObject()[QStringLiteral("requests")].toDouble()),
            qint64(kPlanned));
        QCOMPARE(result[QStringLiteral("agents")].toArray().size(), 4);
        QVERIFY(!result[QStringLiteral("timeline")].toArray().isEmpty());
        run = runCli({QStringLiteral("history"), QStringLiteral("compare"), QString::number(ids[0]),
                      QString::number(ids[1]), QStringLiteral("--db=") + db});
        QVERIFY2(run.exitCode == 0 && run.out.contains(QStringLiteral("#%1").arg(ids[1])),
                 qPrintable(describe(run)));
    }

    void agentsReportToTheRestApi()
    {
        // Each agent uploads its own result; the run is merged and stored when the last
        // segment arrives.
        const QString token = QStringLiteral("scale-out-test-token-0123456789");
        QProcess serve;
        const QString api = loadscope::test::startServe(
            serve,
            {QStringLiteral("--port=0"), QStringLiteral("--token=") + token,
             QStringLiteral("--db=") + path(QStringLiteral("rest.db"))},
            path(QStringLiteral("config")));
        QVERIFY2(!api.isEmpty(), serve.readAllStandardError().constData());
        const QString merge = api + QStringLiteral("/results/merge");
        const QStringList two = m_agentFiles.value(2);
        const QByteArray first = loadscope::test::readFileBytes(two[0]);
        const QByteArray second = loadscope::test::readFileBytes(two[1]);

        auto [status, answer] = post(merge, token, first);
        QCOMPARE(status, 202);
        QVERIFY2(answer[QStringLiteral("waitingFor")].toString().contains(
                     QLatin1String("segment 1/2 is missing")),
                 QJsonDocument(answer).toJson().constData());
        std::tie(status, answer) = post(merge, token, QByteArray());
        QCOMPARE(status, 200);
        QCOMPARE(answer[QStringLiteral("pending")].toArray().size(), 1);
        std::tie(status, answer) = post(merge, token, first); // the same segment again
        QCOMPARE(status, 409);
        QVERIFY(answer[QStringLiteral("error")].toString().contains(QLatin1String("overlaps")));
        std::tie(status, answer) = post(merge, token, second);
        QCOMPARE(status, 201);
        const qint64 id = qint64(answer[QStringLiteral("resultId")].toDouble());
        QVERIFY(id > 0);
        QCOMPARE(qint64(answer[QStringLiteral("requests")].toDouble()), qint64(kPlanned));
        QCOMPARE(answer[QStringLiteral("thresholdsPassed")].toBool(),
                 false); // count<300 on the merge

        std::tie(status, answer) =
            post(api + QStringLiteral("/results/%1").arg(id), token, QByteArray());
        QCOMPARE(status, 200);
        const QJsonObject result = answer[QStringLiteral("result")].toObject();
        QCOMPARE(result[QStringLiteral("agents")].toArray().size(), 2);
        QCOMPARE(
            qint64(
                result[QStringLiteral("totals")].toObject()[QStringLiteral("requests")].toDouble()),
            qint64(kPlanned));

        // All at once: the same agents are the run already stored; one alone is refused.
        const QJsonObject both{
            {QStringLiteral("results"), QJsonArray{QJsonDocument::fromJson(first).object(),
                                                   QJsonDocument::fromJson(second).object()}}};
        std::tie(status, answer) =
            post(merge, token, QJsonDocument(both).toJson(QJsonDocument::Compact));
        QCOMPARE(status, 200);
        QCOMPARE(qint64(answer[QStringLiteral("resultId")].toDouble()), id);
        QVERIFY(answer[QStringLiteral("duplicate")].toBool());
        const QJsonObject alone{
            {QStringLiteral("results"), QJsonArray{QJsonDocument::fromJson(first).object()}}};
        std::tie(status, answer) =
            post(merge, token, QJsonDocument(alone).toJson(QJsonDocument::Compact));
        QCOMPARE(status, 400);
        QVERIFY(answer[QStringLiteral("error")].toString().contains(
            QLatin1String("segment 1/2 is missing")));
        serve.terminate();
        serve.waitForFinished(10000);
    }
};

LOADSCOPE_TEST_MAIN(TestScaleOut)
#include "tst_scaleout.moc"
