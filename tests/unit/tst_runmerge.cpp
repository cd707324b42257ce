// The agent result layouts and their merge (#12): loadscope.hdr/2 (interval records streamed
// from the file) gives the same merged run as loadscope.hdr/1 (a JSON object per interval), and
// both give the percentiles of the union of the agents' histograms, computed here by hand.
#include <cstring>
#include <random>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include "interop/resultjson.h"
#include "interop/resultjsonskim.h"
#include "interop/resultjsonstream.h"
#include "interop/runmerge.h"
#include "plan/executionsegment.h"
#include "plan/planjson.h"
#include "testmain.h"

using namespace loadscope;

namespace {

constexpr int kAgents = 3;
constexpr int kIntervals = 40;

QJsonObject planJson()
{
    return QJsonObject{
        {QStringLiteral("name"), QStringLiteral("merge-layouts")},
        {QStringLiteral("testType"), QStringLiteral("LOAD_TEST")},
        {QStringLiteral("baseUrl"), QStringLiteral("http://10.0.0.1:8080")},
        {QStringLiteral("steps"),
         QJsonArray{QJsonObject{{QStringLiteral("path"), QStringLiteral("/api/a")}},
                    QJsonObject{{QStringLiteral("path"), QStringLiteral("/api/b")}}}},
        {QStringLiteral("load"),
         QJsonObject{{QStringLiteral("executor"), QStringLiteral("constant-arrival-rate")},
                     {QStringLiteral("rate"), 300},
                     {QStringLiteral("duration"), QStringLiteral("40s")},
                     {QStringLiteral("preAllocatedVUs"), 6},
                     {QStringLiteral("maxVUs"), 12}}}};
}

//! One synthetic agent: its summary (with per-interval histograms, as `run --segment` keeps
//! them) and, kept apart for the oracle, its interval histograms of "duration".
struct SyntheticAgent
{
    RunSummary summary;
    std::vector<LatencyHistogram> intervalDuration;
    int startOffsetSec = 0;
};

SyntheticAgent makeAgent(const TestPlan &plan, int index, const QDateTime &origin,
                         std::mt19937_64 &rng)
{
    SyntheticAgent agent;
    agent.startOffsetSec = index; // agents start 0, 1, 2 s apart: intervals are realigned
    std::lognormal_distribution<double> service(std::log(1500.0 * (index + 1)), 0.7);
    std::exponential_distribution<double> queue(1.0 / 200.0);
    RunSummary &s = agent.summary;
    s.openModel = true;
    s.startedAt = origin.addSecs(agent.startOffsetSec);
    s.endedAt = s.startedAt.addSecs(kIntervals);
    s.durationSec = kIntervals;
    s.target = QStringLiteral("http://10.0.0.1:8080");
    for (const Step &step : plan.steps) {
        EndpointSummary e;
        e.name = step.displayName();
        e.method = step.method;
        e.path = step.path;
        s.endpoints.append(e);
    }
    for (int k = 0; k < kIntervals; ++k) {
        IntervalSample sample;
        sample.index = k;
        sample.tSec = k + 1;
        sample.intervalSec = 1;
        sample.activeVus = 2 + index;
        sample.plannedTarget = 100;
        LatencyHistogram overall;
        LatencyHistogram overallCorrected;
        for (qsizetype e = 0; e < s.endpoints.size(); ++e) {
            LatencyHistogram d;
            LatencyHistogram c;
            const int n = 20 + int(rng() % 60) + int(e) * 10;
            for (int i = 0; i < n; ++i) {
                const auto v = qint64(service(rng)) * (e + 1);
                d.record(v);
                c.record(v + qint64(queue(rng)));
            }
            EndpointSample part;
            part.name = s.endpoints[e].name;
            part.totals.requests = n;
            part.totals.iterations = n;
            part.totals.bytesIn = 120 * n;
            part.totals.errors = (k + int(e)) % 7 == 0 ? 2 : 0;
            part.totals.errorsByClass[size_t(ErrorClass::Http5xx)] = part.totals.errors;
            part.latency = LatencyStats::fromHistogram(d);
            part.histograms.insert(QStringLiteral("duration"), d.serialize());
            part.histograms.insert(QStringLiteral("duration_corrected"), c.serialize());
            sample.endpoints.append(part);
            sample.overall.totals.add(part.totals);
            s.endpoints[e].totals.add(part.totals);
            s.endpoints[e].duration.merge(d);
            s.endpoints[e].durationCorrected.merge(c);
            overall.merge(d);
            overallCorrected.merge(c);
        }
        sample.overall.latency = LatencyStats::fromHistogram(overall);
        sample.overall.histograms.insert(QStringLiteral("duration"), overall.serialize());
        sample.overall.histograms.insert(QStringLiteral("duration_corrected"),
                                         overallCorrected.serialize());
        s.totals.add(sample.overall.totals);
        s.duration.merge(overall);
        s.durationCorrected.merge(overallCorrected);
        s.timeline.append(sample);
        agent.intervalDuration.push_back(overall);
    }
    s.maxVus = 2 + index;
    s.extras.agent =
        QJsonObject{{QStringLiteral("host"), QStringLiteral("agent-%1").arg(index)},
                    {QStringLiteral("segment"), ExecutionSegment{index, kAgents}.toString()},
                    {QStringLiteral("clockStart"), s.startedAt.toString(Qt::ISODateWithMs)}};
    return agent;
}

bool writeBytes(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

//! The agent's result document in @p layout, as `run --segment` writes it (indented JSON).
QByteArray document(const TestPlan &plan, const SyntheticAgent &agent, HistogramLayout layout)
{
    QJsonObject doc = resultDocument(plan, agent.summary, 0, QString());
    QJsonObject result = doc.value(QStringLiteral("result")).toObject();
    result.insert(QStringLiteral("histograms"), histogramsJson(agent.summary, layout));
    doc.insert(QStringLiteral("result"), result);
    return QJsonDocument(doc).toJson(QJsonDocument::Indented);
}

//! Everything a merged run reports, for comparing two merges.
QJsonObject figures(const MergedRun &run)
{
    QJsonObject json = resultObject(run.summary, 0, QString(), true);
    json.remove(QStringLiteral("agents")); // their "source" is the file name
    return json;
}

} // namespace

class TestRunMerge : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::optional<TestPlan> m_plan;
    std::vector<SyntheticAgent> m_agents;
    QStringList m_v1;
    QStringList m_v2;

    QString path(const QString &name) const { return m_dir.filePath(name); }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QString error;
        m_plan = planFromJson(planJson(), &error);
        QVERIFY2(m_plan, qPrintable(error));
        std::mt19937_64 rng(7);
        const QDateTime origin =
            QDateTime::fromString(QStringLiteral("2026-12-03T08:00:00.000Z"), Qt::ISODateWithMs);
        for (int i = 0; i < kAgents; ++i) {
            m_agents.push_back(makeAgent(*m_plan, i, origin, rng));
            m_v1 << path(QStringLiteral("v1-%1.json").arg(i));
            m_v2 << path(QStringLiteral("v2-%1.json").arg(i));
            QVERIFY(writeBytes(m_v1.last(),
                               document(*m_plan, m_agents.back(), HistogramLayout::JsonIntervals)));
            QVERIFY(writeBytes(m_v2.last(),
                               document(*m_plan, m_agents.back(), HistogramLayout::Records)));
        }
    }

    void writesTheRecordLayout()
    {
        QFile file(m_v2[0]);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject histograms = QJsonDocument::fromJson(file.readAll())
                                           .object()[QStringLiteral("result")]
                                           .toObject()[QStringLiteral("histograms")]
                                           .toObject();
        QCOMPARE(histograms[QStringLiteral("format")].toString(), QLatin1String(kHistogramsFormat));
        QVERIFY(!histograms.contains(QStringLiteral("intervals")));
        QCOMPARE(histograms[QStringLiteral("intervalCount")].toInt(), kIntervals);
        const QStringList metrics =
            histograms[QStringLiteral("metricNames")].toVariant().toStringList();
        const QStringList endpoints =
            histograms[QStringLiteral("endpointNames")].toVariant().toStringList();
        QCOMPARE(endpoints.size(), 2);

        // The records read back are the intervals written: counters and blobs byte for byte.
        IntervalRecordReader reader(
            QByteArray::fromBase64(histograms[QStringLiteral("records")].toString().toLatin1()));
        std::vector<int> classes;
        for (int i = 1; i < kErrorClassCount; ++i)
            classes.push_back(i);
        reader.setHeader(int(metrics.size()), int(endpoints.size()), classes);
        IntervalRecord record;
        QString error;
        const RunSummary &s = m_agents[0].summary;
        for (int k = 0; k < kIntervals; ++k) {
            QVERIFY2(reader.next(&record, &error), qPrintable(error));
            const IntervalSample &sample = s.timeline[k];
            QCOMPARE(record.index, k);
            QCOMPARE(record.tSec, sample.tSec);
            QCOMPARE(record.totals.requests, sample.overall.totals.requests);
            QCOMPARE(record.totals.errorsByClass, sample.overall.totals.errorsByClass);
            QCOMPARE(int(record.histograms.size()), 2);
            for (const RecordHistogram &h : record.histograms)
                QCOMPARE(h.blob, sample.overall.histograms.value(metrics[h.metric]));
            QCOMPARE(int(record.endpoints.size()), 2);
            for (const RecordEndpoint &e : record.endpoints) {
                const EndpointSample &part = sample.endpoints[e.endpoint];
                QCOMPARE(endpoints[e.endpoint], part.name);
                QVERIFY(!e.sameAsOverall);
                QCOMPARE(e.totals.requests, part.totals.requests);
                for (const RecordHistogram &h : e.histograms)
                    QCOMPARE(h.blob, part.histograms.value(metrics[h.metric]));
            }
        }
        QVERIFY(!reader.next(&record, &error));
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    void bothLayoutsMergeToTheUnionOfTheHistograms()
    {
        QString error;
        const auto v1 = mergeAgentFiles(m_v1, &error);
        QVERIFY2(v1, qPrintable(error));
        const auto v2 = mergeAgentFiles(m_v2, &error);
        QVERIFY2(v2, qPrintable(error));
        // An old and a new agent in one merge.
        const auto mixed = mergeAgentFiles({m_v1[0], m_v2[1], m_v1[2]}, &error);
        QVERIFY2(mixed, qPrintable(error));
        QCOMPARE(figures(*v2), figures(*v1));
        QCOMPARE(figures(*mixed), figures(*v1));

        // The oracle: counts summed and percentiles of the union, interval by interval, with
        // agent i's interval j in merged interval i + j (it started i seconds later).
        const RunSummary &m = v2->summary;
        qint64 requests = 0;
        LatencyHistogram all;
        for (const SyntheticAgent &a : m_agents) {
            requests += a.summary.totals.requests;
            all.merge(a.summary.duration);
        }
        QCOMPARE(m.totals.requests, requests);
        QCOMPARE(m.duration, all);
        QCOMPARE(m.timeline.size(), kIntervals + kAgents - 1);
        for (int k = 0; k < int(m.timeline.size()); ++k) {
            LatencyHistogram union_;
            qint64 count = 0;
            int vus = 0;
            for (const SyntheticAgent &a : m_agents) {
                const int j = k - a.startOffsetSec;
                if (j < 0 || j >= kIntervals)
                    continue;
                union_.merge(a.intervalDuration[size_t(j)]);
                count += a.summary.timeline[j].overall.totals.requests;
                vus += a.summary.timeline[j].activeVus;
            }
            const IntervalSample &sample = m.timeline[k];
            QCOMPARE(sample.overall.totals.requests, count);
            QCOMPARE(sample.activeVus, vus);
            QCOMPARE(sample.overall.latency.toJson(), LatencyStats::fromHistogram(union_).toJson());
        }
    }

    void aDocumentInMemoryMergesAsItsFile()
    {
        // The REST API's path: documents parsed whole, the records decoded in memory.
        RunMerger merger;
        QString error;
        for (const QString &file : std::as_const(m_v2)) {
            QFile f(file);
            QVERIFY(f.open(QIODevice::ReadOnly));
            QVERIFY2(merger.add(QJsonDocument::fromJson(f.readAll()).object(), file, &error),
                     qPrintable(error));
        }
        const auto inMemory = merger.finish(&error);
        QVERIFY2(inMemory, qPrintable(error));
        const auto fromFiles = mergeAgentFiles(m_v2, &error);
        QVERIFY2(fromFiles, qPrintable(error));
        QCOMPARE(figures(*inMemory), figures(*fromFiles));
    }

    void readsAnAgentsLog()
    {
        // `kubectl logs`: progress lines, then the result (compact) as the last line.
        QFile file(m_v2[1]);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray compact =
            QJsonDocument::fromJson(file.readAll()).toJson(QJsonDocument::Compact);
        const QString log = path(QStringLiteral("agent-1.log"));
        QVERIFY(writeBytes(log, "starting segment 1/3\n{\"progress\": 1}\n" + compact + "\n"));
        QString error;
        const auto merged = mergeAgentFiles({m_v2[0], log, m_v2[2]}, &error);
        QVERIFY2(merged, qPrintable(error));
        const auto reference = mergeAgentFiles(m_v2, &error);
        QVERIFY2(reference, qPrintable(error));
        QCOMPARE(figures(*merged), figures(*reference));
    }

    void refusesBrokenRecords_data()
    {
        QTest::addColumn<int>("damage");
        QTest::addColumn<QString>("says");
        QTest::newRow("a histogram's byte flipped")
            << 0 << "result.histograms.records[3]: latency histogram";
        QTest::newRow("records cut short") << 1 << "result.histograms.records[39]";
        QTest::newRow("not base64") << 2 << "result.histograms.records[0]: not base64";
    }
    void refusesBrokenRecords()
    {
        QFETCH(int, damage);
        QFETCH(QString, says);
        QFile file(m_v2[2]);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QJsonObject doc = QJsonDocument::fromJson(file.readAll()).object();
        QJsonObject result = doc[QStringLiteral("result")].toObject();
        QJsonObject histograms = result[QStringLiteral("histograms")].toObject();
        QByteArray records =
            QByteArray::fromBase64(histograms[QStringLiteral("records")].toString().toLatin1());
        QString base64;
        if (damage == 0) {
            // Rewrite the stream with one blob of interval 3 damaged (its CRC catches it).
            IntervalRecordReader reader(records);
            std::vector<int> classes;
            for (int i = 1; i < kErrorClassCount; ++i)
                classes.push_back(i);
            reader.setHeader(8, 2, classes);
            IntervalRecordWriter writer;
            IntervalRecord record;
            QString error;
            while (reader.next(&record, &error)) {
                if (record.index == 3) {
                    QByteArray blob = record.histograms[0].blob;
                    blob.detach();
                    blob[blob.size() / 2] = char(blob[blob.size() / 2] ^ 0x10);
                    record.histograms[0].blob = blob;
                }
                writer.append(record);
            }
            QVERIFY2(error.isEmpty(), qPrintable(error));
            base64 = QString::fromLatin1(writer.bytes().toBase64());
        } else if (damage == 1) {
            records.chop(5);
            base64 = QString::fromLatin1(records.toBase64());
        } else {
            base64 = QStringLiteral("!!!!") + QString::fromLatin1(records.toBase64()).mid(4);
        }
        histograms[QStringLiteral("records")] = base64;
        result[QStringLiteral("histograms")] = histograms;
        doc[QStringLiteral("result")] = result;
        const QString broken = path(QStringLiteral("broken-%1.json").arg(damage));
        QVERIFY(writeBytes(broken, QJsonDocument(doc).toJson()));
        QString error;
        QVERIFY(!mergeAgentFiles({m_v2[0], m_v2[1], broken}, &error));
        QVERIFY2(error.startsWith(broken + QStringLiteral(": ") + says), qPrintable(error));
    }

    void namesSaturatedAndUntrustworthyAgents()
    {
        // Agent 1's generator saturated; agent 2 idle on a machine busy with other work (its
        // own recommendation calls its figures untrustworthy, its generator flag is false).
        std::vector<SyntheticAgent> agents = m_agents;
        agents[1].summary.extras.resources = QJsonObject{
            {QStringLiteral("generatorCpuPct"),
             QJsonObject{{QStringLiteral("avg"), 97.0}, {QStringLiteral("saturated"), true}}}};
        agents[1].summary.extras.untrustworthy = true;
        agents[2].summary.extras.resources = QJsonObject{
            {QStringLiteral("generatorCpuPct"),
             QJsonObject{{QStringLiteral("avg"), 0.8}, {QStringLiteral("saturated"), false}}},
            {QStringLiteral("machineCpuPct"), QJsonObject{{QStringLiteral("avg"), 99.0}}}};
        agents[2].summary.extras.untrustworthy = true;
        QStringList files;
        for (int i = 0; i < kAgents; ++i) {
            files << path(QStringLiteral("flags-%1.json").arg(i));
            QVERIFY(writeBytes(files.last(),
                               document(*m_plan, agents[size_t(i)], HistogramLayout::Records)));
        }
        QString error;
        const auto merged = mergeAgentFiles(files, &error);
        QVERIFY2(merged, qPrintable(error));
        QCOMPARE(merged->agents[0].saturated, false);
        QCOMPARE(merged->agents[1].saturated, true);
        QCOMPARE(merged->agents[2].saturated, false);
        QCOMPARE(merged->agents[2].untrustworthy, true);
        const QJsonArray recommendations =
            merged->summary.extras.recommendations.value_or(QJsonArray());
        QStringList titles;
        for (const QJsonValue &r : recommendations)
            titles << r.toObject().value(QStringLiteral("title")).toString();
        QVERIFY2(titles.constFirst().startsWith(QLatin1String("Agent 1/3 (agent-1) saturated")),
                 qPrintable(titles.join(u'\n')));
        QVERIFY2(
            titles.filter(QStringLiteral("Agent 2/3 (agent-2) measured under conditions")).size() ==
                1,
            qPrintable(titles.join(u'\n')));
        QVERIFY(!titles.join(u'\n').contains(QLatin1String("agent-2) saturated")));
        QVERIFY(merged->summary.extras.untrustworthy);
    }

    void decodesBase64AsQtDoes()
    {
        std::mt19937_64 rng(3);
        for (int size = 0; size < 40; ++size) {
            QByteArray bytes(size, Qt::Uninitialized);
            for (char &c : bytes)
                c = char(rng());
            const QByteArray base64 = bytes.toBase64();
            QByteArray decoded("prefix");
            QVERIFY(appendBase64Decoded(base64.constData(), base64.size(), &decoded));
            QCOMPARE(decoded, QByteArray("prefix") + bytes);
        }
        QByteArray out;
        for (const char *bad : {"QUJD!", "QU=D", "QQ==QUJD", "Q===", "QUJ", "QUJD\n"})
            QVERIFY2(!appendBase64Decoded(bad, qsizetype(std::strlen(bad)), &out), bad);
    }

    void skimsMembersWithoutParsingThem()
    {
        const QByteArray text =
            " {\"a\": \"x\\\"}y\", \"b\" : [1, {\"c\": \"]\"}], \"c\":{\"d\":{}} ,\"e\":-1.5e3}";
        std::vector<JsonMember> members;
        qsizetype end = 0;
        QVERIFY(jsonObjectMembers(text, 0, &members, &end));
        QCOMPARE(end, text.size());
        QCOMPARE(int(members.size()), 4);
        QCOMPARE(members[0].key, QByteArrayView("a"));
        QCOMPARE(text.mid(members[0].begin, members[0].end - members[0].begin),
                 QByteArray("\"x\\\"}y\""));
        QCOMPARE(text.mid(members[1].begin, members[1].end - members[1].begin),
                 QByteArray("[1, {\"c\": \"]\"}]"));
        QCOMPARE(text.mid(members[3].begin, members[3].end - members[3].begin),
                 QByteArray("-1.5e3"));
        QJsonObject parsed;
        QString error;
        QVERIFY(parseMembers(text, members, {"b"}, &parsed, &error));
        QCOMPARE(parsed, (QJsonObject{{QStringLiteral("a"), QStringLiteral("x\"}y")},
                                      {QStringLiteral("c"),
                                       QJsonObject{{QStringLiteral("d"), QJsonObject()}}},
                                      {QStringLiteral("e"), -1500}}));
        QVERIFY(!jsonObjectMembers("{\"a\": [1, 2}", 0, &members));
        QVERIFY(!jsonObjectMembers("{\"a\" 1}", 0, &members));
        QVERIFY(!jsonObjectMembers("[1]", 0, &members));
    }
};

LOADSCOPE_TEST_MAIN(TestRunMerge)
#include "tst_runmerge.moc"
