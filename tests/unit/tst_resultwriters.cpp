#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QXmlStreamReader>

#include "interop/resultjson.h"
#include "interop/resultwriters.h"
#include "plan/planjson.h"
#include "testmain.h"

using namespace loadscope;

namespace {

QString k(const char *name)
{
    return QLatin1String(name);
}

TestPlan makePlan()
{
    TestPlan plan;
    plan.name = QStringLiteral("checkout <v2> & \"friends\"");
    plan.load.executor = Executor::ConstantArrivalRate;
    Step step;
    step.name = QStringLiteral("login|<admin>");
    step.method = QStringLiteral("POST");
    step.path = QStringLiteral("/api/login");
    plan.steps = {step};
    plan.thresholds = {
        {QStringLiteral("http_req_duration"), QStringLiteral("p(95)<200"), false, 0}};
    return plan;
}

IntervalSample makeInterval(int index, qint64 requests, double p95, bool open)
{
    IntervalSample s;
    s.index = index;
    s.tSec = index + 1;
    s.intervalSec = index == 2 ? 0.5 : 1.0; // a shorter last interval
    s.activeVus = 3 + index;
    s.plannedTarget = 10;
    s.overall.totals.requests = requests;
    s.overall.totals.errors = index;
    s.overall.totals.errorsByClass[size_t(ErrorClass::Timeout)] = index;
    s.overall.latency.count = requests;
    s.overall.latency.p50Ms = p95 / 2;
    s.overall.latency.p90Ms = p95 - 1;
    s.overall.latency.p95Ms = p95;
    s.overall.latency.p99Ms = p95 + 1.25;
    s.overall.latency.maxMs = p95 + 10;
    if (open) {
        s.overall.latencyCorrected = s.overall.latency;
        s.overall.latencyCorrected.p99Ms = p95 + 100.5;
    }
    EndpointSample e = s.overall;
    e.name = QStringLiteral("login|<admin>");
    s.endpoints = {e};
    s.serverTiming.insert(QStringLiteral("inference"),
                          LatencyStats{5, 1, 2, 0, 3, 4, 4.5, 5, 5, 5});
    s.timingMeansMs.insert(QStringLiteral("waiting"), 1.5);
    return s;
}

RunSummary makeSummary(bool open)
{
    RunSummary s;
    s.startedAt = QDateTime(QDate(2024, 5, 1), QTime(13, 0, 0, 250), Qt::OffsetFromUTC, 3600);
    s.endedAt = QDateTime(QDate(2024, 5, 1), QTime(12, 0, 8, 0), Qt::UTC);
    s.durationSec = 8;
    s.openModel = open;
    s.maxVus = 6;
    s.target = QStringLiteral("http://127.0.0.1:8080");
    s.totals.requests = 200;
    s.totals.errors = 10;
    s.totals.errorsByClass[size_t(ErrorClass::Http5xx)] = 6;
    s.totals.errorsByClass[size_t(ErrorClass::Check)] = 4;
    s.totals.bytesIn = 123456;
    s.totals.bytesOut = 7890;
    s.totals.iterations = 190;
    s.totals.droppedIterations = 2;
    s.totals.checksPassed = 196;
    s.totals.checksFailed = 4;
    for (int i = 1; i <= 200; ++i) {
        s.duration.record(i * 1000);
        s.durationCorrected.record(i * 2000);
    }
    s.timings[QStringLiteral("waiting")].recordN(1500, 200);
    s.serverTiming[QStringLiteral("inference")].recordN(3000, 10);
    EndpointSummary e{QStringLiteral("login|<admin>"),
                      QStringLiteral("POST"),
                      QStringLiteral("/api/login"),
                      s.totals,
                      s.duration,
                      s.durationCorrected};
    s.endpoints = {e};
    s.timeline = {makeInterval(0, 80, 12.5, open), makeInterval(1, 90, 250.25, open),
                  makeInterval(2, 30, 40, open)};
    s.thresholds = {
        {QStringLiteral("http_req_duration"), QStringLiteral("p(95)<200"), 250.3, false, true, {}},
        {QStringLiteral("http_req_failed"), QStringLiteral("rate<0.1"), 0.03, true, false, {}},
        {QStringLiteral("http_req_duration{name:nope}"), QStringLiteral("avg<1"), 0, false, false,
         QStringLiteral("no endpoint named nope")}};
    return s;
}

QJsonObject makeDocument(bool open = true)
{
    return resultDocument(makePlan(), makeSummary(open), 12, QStringLiteral("v1.4.2"));
}

QList<QStringList> parseCsv(const QByteArray &bytes)
{
    QList<QStringList> rows;
    const QString text = QString::fromUtf8(bytes);
    const QStringList lines = text.split(QStringLiteral("\r\n"));
    for (const QString &line : lines) {
        if (!line.isEmpty())
            rows.append(line.split(QLatin1Char(',')));
    }
    return rows;
}

} // namespace

class TestResultWriters : public QObject
{
    Q_OBJECT

private slots:
    void documentHasEverySection()
    {
        const RunSummary summary = makeSummary(true);
        const QJsonObject doc = makeDocument(true);
        QCOMPARE(doc.value(k("schema")).toString(), QStringLiteral("loadscope.result/1"));
        QCOMPARE(doc.value(k("test")).toObject(), toJson(makePlan()));
        const QJsonObject r = doc.value(k("result")).toObject();
        QCOMPARE(r.value(k("id")).toInteger(), 12);
        QCOMPARE(r.value(k("status")).toString(), QStringLiteral("completed"));
        QCOMPARE(r.value(k("startedAt")).toString(), QStringLiteral("2024-05-01T12:00:00.250Z"));
        QCOMPARE(r.value(k("endedAt")).toString(), QStringLiteral("2024-05-01T12:00:08.000Z"));
        QCOMPARE(r.value(k("durationSec")).toDouble(), 8.0);
        QCOMPARE(r.value(k("versionLabel")).toString(), QStringLiteral("v1.4.2"));

        const QJsonObject totals = r.value(k("totals")).toObject();
        QCOMPARE(totals.value(k("requests")).toInteger(), 200);
        QCOMPARE(totals.value(k("errors")).toInteger(), 10);
        QCOMPARE(totals.value(k("errorRate")).toDouble(), 0.05);
        QCOMPARE(totals.value(k("throughputRps")).toDouble(), 25.0);
        QCOMPARE(totals.value(k("bytesIn")).toInteger(), 123456);
        QCOMPARE(totals.value(k("bytesOut")).toInteger(), 7890);
        QCOMPARE(totals.value(k("droppedIterations")).toInteger(), 2);
        QCOMPARE(totals.value(k("iterations")).toInteger(), 190);
        QCOMPARE(totals.value(k("checksPassed")).toInteger(), 196);
        QCOMPARE(totals.value(k("checksFailed")).toInteger(), 4);
        QCOMPARE(r.value(k("errorsByClass")).toObject(),
                 (QJsonObject{{k("http5xx"), 6}, {k("check"), 4}}));

        const QJsonObject latency = r.value(k("latencyMs")).toObject();
        for (const char *name : {"min", "avg", "max", "p50", "p90", "p95", "p99", "p999"})
            QVERIFY2(latency.contains(k(name)), name);
        QCOMPARE(latency.value(k("p95")).toDouble(),
                 double(summary.duration.valueAtPercentile(95)) / 1000.0);
        QCOMPARE(latency.value(k("min")).toDouble(), 1.0);
        QCOMPARE(latency.value(k("max")).toDouble(), 200.0);
        QCOMPARE(latency.value(k("avg")).toDouble(), 100.5);
        QCOMPARE(r.value(k("latencyCorrectedMs")).toObject().value(k("max")).toDouble(), 400.0);

        const QJsonObject timings = r.value(k("timingsMs")).toObject();
        for (const QString &name : timingNames())
            QVERIFY2(timings.value(name).isObject(), qPrintable(name));
        QCOMPARE(timings.value(k("waiting")).toObject().value(k("p95")).toDouble(), 1.5);
        QCOMPARE(r.value(k("serverTiming"))
                     .toObject()
                     .value(k("inference"))
                     .toObject()
                     .value(k("p50"))
                     .toDouble(),
                 3.0);

        const QJsonArray endpoints = r.value(k("endpoints")).toArray();
        QCOMPARE(endpoints.size(), 1);
        const QJsonObject e = endpoints.at(0).toObject();
        QCOMPARE(e.value(k("name")).toString(), QStringLiteral("login|<admin>"));
        QCOMPARE(e.value(k("method")).toString(), QStringLiteral("POST"));
        QCOMPARE(e.value(k("path")).toString(), QStringLiteral("/api/login"));
        QCOMPARE(e.value(k("totals")).toObject().value(k("throughputRps")).toDouble(), 25.0);
        QVERIFY(e.value(k("errorsByClass")).isObject());
        QCOMPARE(e.value(k("latencyMs")).toObject().value(k("p95")).toDouble(),
                 latency.value(k("p95")).toDouble());
        QVERIFY(e.value(k("latencyCorrectedMs")).isObject());

        const QJsonArray timeline = r.value(k("timeline")).toArray();
        QCOMPARE(timeline.size(), 3);
        const QJsonObject last = timeline.at(2).toObject();
        QCOMPARE(last.value(k("t")).toDouble(), 3.0);
        QCOMPARE(last.value(k("requests")).toInteger(), 30);
        QCOMPARE(last.value(k("errors")).toInteger(), 2);
        QCOMPARE(last.value(k("rps")).toDouble(), 60.0); // 30 requests in a 0.5 s interval
        QCOMPARE(last.value(k("activeVus")).toInt(), 5);
        QCOMPARE(last.value(k("target")).toDouble(), 10.0);
        QCOMPARE(last.value(k("latencyMs")).toObject().value(k("p95")).toDouble(), 40.0);
        QCOMPARE(last.value(k("latencyCorrectedMs")).toObject().value(k("p99")).toDouble(), 140.5);
        QCOMPARE(last.value(k("errorsByClass")).toObject(), (QJsonObject{{k("timeout"), 2}}));
        QVERIFY(!last.contains(k("endpoints")));

        const QJsonArray thresholds = r.value(k("thresholds")).toArray();
        QCOMPARE(thresholds.size(), 3);
        QCOMPARE(thresholds.at(0).toObject(), (QJsonObject{{k("expression"), k("p(95)<200")},
                                                           {k("metric"), k("http_req_duration")},
                                                           {k("value"), 250.3},
                                                           {k("passed"), false},
                                                           {k("abortOnFail"), true}}));
        QCOMPARE(thresholds.at(2).toObject().value(k("error")).toString(),
                 QStringLiteral("no endpoint named nope"));
        QVERIFY(r.value(k("resources")).isObject());
        QVERIFY(r.value(k("recommendations")).isArray());
        QVERIFY(r.value(k("comparison")).isObject());
    }

    void correctedOnlyForOpenModels()
    {
        const QJsonObject r = makeDocument(false).value(k("result")).toObject();
        QVERIFY(!r.contains(k("latencyCorrectedMs")));
        QVERIFY(
            !r.value(k("endpoints")).toArray().at(0).toObject().contains(k("latencyCorrectedMs")));
        QVERIFY(
            !r.value(k("timeline")).toArray().at(0).toObject().contains(k("latencyCorrectedMs")));
        QVERIFY(!parseCsv(resultToCsv(makeDocument(false)))
                     .at(0)
                     .contains(QStringLiteral("correctedP99Ms")));
    }

    void unstoredRunHasNullId()
    {
        const QJsonObject r =
            resultDocument(makePlan(), makeSummary(true), 0, {}).value(k("result")).toObject();
        QVERIFY(r.contains(k("id")));
        QVERIFY(r.value(k("id")).isNull());
    }

    void storeSummaryIsResultWithoutTimeline()
    {
        const RunSummary summary = makeSummary(true);
        QJsonObject expected = makeDocument(true).value(k("result")).toObject();
        expected.remove(k("timeline"));
        const QJsonObject stored = resultSummaryForStore(summary, 12, QStringLiteral("v1.4.2"));
        QCOMPARE(stored, expected);
        // What `history list` reads.
        QCOMPARE(stored.value(k("totals")).toObject().value(k("throughputRps")).toDouble(), 25.0);
        QCOMPARE(stored.value(k("totals")).toObject().value(k("errorRate")).toDouble(), 0.05);
        QVERIFY(stored.value(k("latencyMs")).toObject().value(k("p95")).toDouble() > 0);
    }

    void samplesForStoreRows()
    {
        const IntervalSample interval = makeInterval(2, 30, 40, true);
        const QList<ResultSample> rows = samplesForStore(interval);
        QCOMPARE(rows.size(), 2);
        const ResultSample &overall = rows.at(0);
        QVERIFY(overall.endpoint.isEmpty());
        QCOMPARE(overall.tSec, 3.0);
        QCOMPARE(overall.requests, 30);
        QCOMPARE(overall.errors, 2);
        QCOMPARE(overall.rps, 60.0);
        QCOMPARE(overall.activeVus, 5);
        QCOMPARE(overall.p95Ms, 40.0);
        QCOMPARE(overall.maxMs, 50.0);
        QCOMPARE(overall.data.value(k("errorsByClass")).toObject(),
                 (QJsonObject{{k("timeout"), 2}}));
        QCOMPARE(overall.data.value(k("plannedTarget")).toDouble(), 10.0);
        QCOMPARE(overall.data.value(k("serverTiming")).toObject(),
                 (QJsonObject{{k("inference"), QJsonObject{{k("p50"), 3.0}, {k("p95"), 4.5}}}}));
        QCOMPARE(overall.data.value(k("timingMeansMs")).toObject(),
                 (QJsonObject{{k("waiting"), 1.5}}));
        QCOMPARE(overall.data.value(k("latencyCorrectedMs")).toObject().value(k("p99")).toDouble(),
                 140.5);
        QVERIFY(overall.data.value(k("checks")).isObject());
        QCOMPARE(rows.at(1).endpoint, QStringLiteral("login|<admin>"));
        QCOMPARE(rows.at(1).rps, 60.0);

        // A stored row reads back as the timeline entry a fresh run writes.
        const QJsonObject fresh = timelineEntry(interval, true);
        const QJsonObject restored = timelineEntryFromSample(overall);
        for (const char *name :
             {"t", "requests", "errors", "rps", "activeVus", "target", "errorsByClass"})
            QCOMPARE(restored.value(k(name)), fresh.value(k(name)));
        for (const char *name : {"p50", "p90", "p95", "p99", "max"}) {
            QCOMPARE(restored.value(k("latencyMs")).toObject().value(k(name)),
                     fresh.value(k("latencyMs")).toObject().value(k(name)));
        }
        QCOMPARE(restored.value(k("latencyCorrectedMs")).toObject().value(k("p99")).toDouble(),
                 140.5);
    }

    void csvParsesBack()
    {
        const QJsonObject doc = makeDocument(true);
        const QList<QStringList> rows = parseCsv(resultToCsv(doc));
        QCOMPARE(rows.size(), 4);
        QCOMPARE(rows.at(0), (QStringList{k("t"), k("requests"), k("errors"), k("rps"),
                                          k("activeVus"), k("p50Ms"), k("p90Ms"), k("p95Ms"),
                                          k("p99Ms"), k("maxMs"), k("correctedP99Ms")}));
        const QJsonArray timeline =
            doc.value(k("result")).toObject().value(k("timeline")).toArray();
        for (int i = 0; i < 3; ++i) {
            const QJsonObject e = timeline.at(i).toObject();
            const QJsonObject l = e.value(k("latencyMs")).toObject();
            const QStringList &row = rows.at(i + 1);
            QCOMPARE(row.size(), 11);
            QCOMPARE(row.at(0).toDouble(), e.value(k("t")).toDouble());
            QCOMPARE(row.at(1).toDouble(), e.value(k("requests")).toDouble());
            QCOMPARE(row.at(2).toDouble(), e.value(k("errors")).toDouble());
            QCOMPARE(row.at(3).toDouble(), e.value(k("rps")).toDouble());
            QCOMPARE(row.at(4).toDouble(), e.value(k("activeVus")).toDouble());
            QCOMPARE(row.at(5).toDouble(), l.value(k("p50")).toDouble());
            QCOMPARE(row.at(7).toDouble(), l.value(k("p95")).toDouble());
            QCOMPARE(row.at(8).toDouble(), l.value(k("p99")).toDouble());
            QCOMPARE(row.at(9).toDouble(), l.value(k("max")).toDouble());
            QCOMPARE(row.at(10).toDouble(),
                     e.value(k("latencyCorrectedMs")).toObject().value(k("p99")).toDouble());
        }
        QCOMPARE(rows.at(2).at(7), QStringLiteral("250.25"));
    }

    void junitHasFailures()
    {
        QJsonObject doc = makeDocument(true);
        QXmlStreamReader xml(resultToJunit(doc));
        QString suiteName;
        QStringList testcases;
        QMap<QString, QString> failures; // testcase -> failure/error message
        QString current;
        while (!xml.atEnd()) {
            if (xml.readNext() != QXmlStreamReader::StartElement)
                continue;
            const auto a = xml.attributes();
            if (xml.name() == QLatin1String("testsuite")) {
                suiteName = a.value(QLatin1String("name")).toString();
                QCOMPARE(a.value(QLatin1String("tests")).toString(), QStringLiteral("4"));
                QCOMPARE(a.value(QLatin1String("failures")).toString(), QStringLiteral("1"));
                QCOMPARE(a.value(QLatin1String("errors")).toString(), QStringLiteral("1"));
            } else if (xml.name() == QLatin1String("testcase")) {
                current = a.value(QLatin1String("name")).toString();
                testcases << current;
            } else if (xml.name() == QLatin1String("failure") ||
                       xml.name() == QLatin1String("error")) {
                failures.insert(current, xml.name().toString() + QLatin1Char(':') +
                                             a.value(QLatin1String("message")).toString());
            }
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QCOMPARE(suiteName, QStringLiteral("loadscope: checkout <v2> & \"friends\""));
        QCOMPARE(testcases.size(), 4);
        QCOMPARE(testcases.last(), QStringLiteral("run completed"));
        QCOMPARE(failures.value(QStringLiteral("http_req_duration p(95)<200")),
                 QStringLiteral("failure:p(95)<200 on http_req_duration: observed 250.3"));
        QVERIFY(!failures.contains(QStringLiteral("http_req_failed rate<0.1")));
        QCOMPARE(
            failures.value(QStringLiteral("http_req_duration{name:nope} avg<1")),
            QStringLiteral("error:avg<1 on http_req_duration{name:nope}: no endpoint named nope"));
        QVERIFY(!failures.contains(QStringLiteral("run completed")));

        // A run that did not complete fails the "run completed" case with its reason.
        QJsonObject r = doc.value(k("result")).toObject();
        r.insert(k("status"), k("aborted"));
        r.insert(k("errorDetails"), k("stopped <by> user"));
        doc.insert(k("result"), r);
        const QByteArray aborted = resultToJunit(doc);
        QVERIFY(aborted.contains("message=\"run aborted: stopped &lt;by&gt; user\""));
    }

    void markdownHasTheRows()
    {
        const QString md = QString::fromUtf8(resultToMarkdown(makeDocument(true)));
        QVERIFY2(md.contains(
                     QStringLiteral("## Loadscope: checkout &lt;v2&gt; &amp; &quot;friends&quot;")),
                 qPrintable(md));
        QVERIFY(md.contains(QStringLiteral("completed · FAIL: 2 of 3 thresholds failed")));
        QVERIFY(md.contains(QStringLiteral("run \\#12")));
        QVERIFY(md.contains(QStringLiteral("version v1.4.2")));
        // Totals, latency, endpoint, thresholds and errors rows.
        QVERIFY(md.contains(QStringLiteral(
            "| 200 | 10 | 5.00 % | 25.0 | 123.5 kB | 7.9 kB | 190 | 2 | 196 | 4 |")));
        // Times through the one formatter: three significant digits in the unit that fits.
        QVERIFY2(md.contains(QStringLiteral("| http\\_req\\_duration | 1.00 ms | 101 ms |")),
                 qPrintable(md));
        QVERIFY(md.contains(QStringLiteral("| corrected (from intended start) |")));
        QVERIFY(md.contains(QStringLiteral("| Server-Timing inference |")));
        QVERIFY(md.contains(QStringLiteral(
            "| login\\|&lt;admin&gt; | POST | /api/login | 200 | 10 | 5.00 % | 25.0 |")));
        QVERIFY(md.contains(QStringLiteral(
            "| FAIL (abortOnFail) | http\\_req\\_duration | p(95)&lt;200 | 250.3 |")));
        QVERIFY(md.contains(QStringLiteral("| PASS | http\\_req\\_failed | rate&lt;0.1 | 0.03 |")));
        QVERIFY(md.contains(QStringLiteral("no endpoint named nope |")));
        QVERIFY(md.contains(QStringLiteral("| http5xx | 6 |")));
        QVERIFY(md.contains(QStringLiteral("| check | 4 |")));
    }

    void htmlIsStandaloneAndEscaped()
    {
        const QByteArray html = resultToHtml(makeDocument(true));
        const QString text = QString::fromUtf8(html);
        QVERIFY(text.startsWith(QStringLiteral("<!DOCTYPE html>")));
        QVERIFY(text.contains(QStringLiteral("<svg")));
        // Throughput (and errors/s, the fixture has errors) and four latency percentiles.
        QCOMPARE(text.count(QStringLiteral("<polyline")), 6);
        QVERIFY(!text.contains(QStringLiteral("✅")));
        QVERIFY(!text.contains(QStringLiteral("❌")));
        QVERIFY(text.contains(QStringLiteral("<td class=\"fail\">FAIL (abortOnFail)</td>")));
        QVERIFY(text.contains(QStringLiteral("<td class=\"pass\">PASS</td>")));
        QVERIFY(text.contains(
            QStringLiteral("Loadscope: checkout &lt;v2&gt; &amp; &quot;friends&quot;")));
        QVERIFY(text.contains(QStringLiteral("login|&lt;admin&gt;")));
        QVERIFY(!text.contains(QStringLiteral("<v2>")));
        QVERIFY(!text.contains(QStringLiteral("<admin>")));
        QVERIFY(!text.contains(QStringLiteral("<script")));
        QVERIFY(!text.contains(QStringLiteral("src=")));
        QVERIFY(!text.contains(QStringLiteral("<link")));
        QVERIFY(text.contains(QStringLiteral("p(95)&lt;200")));
        // Well-formed: it parses as XML (void elements are self-closed).
        QXmlStreamReader xml(html);
        int tables = 0;
        while (!xml.atEnd()) {
            if (xml.readNext() == QXmlStreamReader::StartElement &&
                xml.name() == QLatin1String("table"))
                ++tables;
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QCOMPARE(tables, 5);
    }

    void htmlChartsAreReadable()
    {
        QJsonObject doc = makeDocument(true);
        QJsonObject r = doc.value(k("result")).toObject();
        r.insert(k("recommendations"),
                 QJsonArray{QJsonObject{{k("area"), k("infrastructure")},
                                        {k("impact"), k("high")},
                                        {k("title"), k("Tail <latency> high")},
                                        {k("detail"), k("p99 is 20x p50")},
                                        {k("implementation"), k("find the stalls")},
                                        {k("estimatedImprovement"), k("p99 -80 %")}}});
        doc.insert(k("result"), r);
        const QByteArray html = resultToHtml(doc);
        const QString text = QString::fromUtf8(html);
        QVERIFY(text.contains(QStringLiteral("Latency percentiles")));
        QVERIFY(text.contains(QStringLiteral("<b>Tail &lt;latency&gt; high</b>")));
        QVERIFY(text.contains(QStringLiteral("find the stalls")));

        // Every label of every chart: inside its SVG (a label of n characters is at most
        // 7.5·n px wide at 12 px) and rounded (no "250.25", no "12.347").
        QXmlStreamReader xml(html);
        double svgWidth = 0;
        QStringList labels;
        const QRegularExpression unrounded(
            QStringLiteral("\\d\\.\\d{3,}|\\d{2}\\.\\d{2,}|\\d{3}\\.\\d"));
        while (!xml.atEnd()) {
            if (xml.readNext() != QXmlStreamReader::StartElement)
                continue;
            const auto a = xml.attributes();
            if (xml.name() == QLatin1String("svg")) {
                svgWidth = a.value(QLatin1String("width")).toDouble();
                continue;
            }
            if (xml.name() != QLatin1String("text"))
                continue;
            const double x = a.value(QLatin1String("x")).toDouble();
            const double y = a.value(QLatin1String("y")).toDouble();
            const QString anchor = a.value(QLatin1String("text-anchor")).toString();
            const QString label = xml.readElementText();
            labels << label;
            const double w = 7.5 * label.size();
            const double from = anchor == QLatin1String("end")      ? x - w
                                : anchor == QLatin1String("middle") ? x - w / 2
                                                                    : x;
            QVERIFY2(from >= 0 && from + w <= svgWidth && y > 10,
                     qPrintable(QStringLiteral("label '%1' at x %2 y %3 leaves the chart")
                                    .arg(label)
                                    .arg(x)
                                    .arg(y)));
            QVERIFY2(!unrounded.match(label).hasMatch(), qPrintable(label));
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        // The fixture's p99 peaks at 251.5 ms: the latency axis ends on the round 300 ms, with
        // ticks every 100 ms; its three intervals end at 3 s.
        QVERIFY2(labels.contains(QStringLiteral("300 ms")), qPrintable(labels.join(u'|')));
        QVERIFY(labels.contains(QStringLiteral("100 ms")));
        QVERIFY(!labels.contains(QStringLiteral("0 µs"))); // the origin is a plain 0
        QVERIFY(labels.contains(QStringLiteral("3 s")));
        QVERIFY(labels.contains(QStringLiteral("p99")));
    }

    void writesEveryFormat()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QJsonObject doc = makeDocument(true);
        for (const ResultFormat format :
             {ResultFormat::Json, ResultFormat::Csv, ResultFormat::Junit, ResultFormat::Html,
              ResultFormat::Markdown}) {
            const QString path = dir.filePath(QStringLiteral("result-%1").arg(int(format)));
            QString error;
            QVERIFY2(writeResult(format, path, doc, &error), qPrintable(error));
            QFile file(path);
            QVERIFY(file.open(QIODevice::ReadOnly));
            QCOMPARE(file.readAll(), renderResult(format, doc));
        }
        QFile json(dir.filePath(QStringLiteral("result-0")));
        QVERIFY(json.open(QIODevice::ReadOnly));
        QCOMPARE(QJsonDocument::fromJson(json.readAll()).object(), doc);
    }

    void writeFailureNamesThePath()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString regular = dir.filePath(QStringLiteral("plain-file"));
        QFile file(regular);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        const QString path = regular + QStringLiteral("/result.json");
        QString error;
        QVERIFY(!writeResult(ResultFormat::Json, path, makeDocument(true), &error));
        QVERIFY2(error.startsWith(QStringLiteral("cannot write ") + path + QStringLiteral(": ")),
                 qPrintable(error));
        QVERIFY(error.size() > QStringLiteral("cannot write ").size() + path.size() + 2);

        QVERIFY(!writeResult(ResultFormat::Csv, QString(), makeDocument(true), &error));
        QVERIFY(error.contains(QLatin1String("no output file")));
    }
};

LOADSCOPE_TEST_MAIN(TestResultWriters)
#include "tst_resultwriters.moc"
