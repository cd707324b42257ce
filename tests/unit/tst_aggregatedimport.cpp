// Aggregated results (Locust's CSV files, k6's end-of-test summary) read into runs: fixtures
// written from the tools' own writers and documentation (Locust 2.x stats.py; k6's
// --summary-export and handleSummary() data), the awkward cases among them, a real SQLite
// history. Expected figures are the fixtures' own numbers, worked out by hand below.
#include <cmath>

#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>

#include "analysis/runcomparison.h"
#include "interop/importformats.h"
#include "interop/resultimport.h"
#include "session/storedrun.h"
#include "store/historystore.h"
#include "testmain.h"

using namespace loadscope;

namespace {

QString fixture(const char *name)
{
    return QStringLiteral(LOADSCOPE_TEST_DATA_DIR "/import/") + QLatin1String(name);
}

const EndpointSummary *endpointNamed(const RunSummary &s, const QString &name)
{
    for (const EndpointSummary &e : s.endpoints) {
        if (e.name == name)
            return &e;
    }
    return nullptr;
}

QJsonObject given(const RunSummary &s)
{
    return s.extras.aggregated.value(QLatin1String("latencyMs")).toObject();
}

QStringList lacks(const RunSummary &s)
{
    QStringList list;
    for (const QJsonValue &v : s.extras.aggregated.value(QLatin1String("lacks")).toArray())
        list << v.toString();
    return list;
}

bool anyContains(const QStringList &list, const char *text)
{
    for (const QString &line : list) {
        if (line.contains(QLatin1String(text)))
            return true;
    }
    return false;
}

ParsedResult parse(const QString &path, ImportReport *report = nullptr)
{
    ParsedResult parsed;
    ImportReport local;
    ImportReport &r = report ? *report : local;
    if (!parseResultFile(path, {}, &parsed, &r))
        qWarning("%s", qPrintable(r.error));
    return parsed;
}

} // namespace

class TestAggregatedImport : public QObject
{
    Q_OBJECT

private slots:
    void locustWithBomAndFullHistory()
    {
        // Any of the three files, or their prefix, reads all three.
        for (const char *name :
             {"locust-bom_stats.csv", "locust-bom_stats_history.csv", "locust-bom_failures.csv"}) {
            QCOMPARE(detectImportFormat(fixture(name), nullptr), ImportFormat::LocustCsv);
        }
        ImportReport report;
        const ParsedResult parsed = parse(fixture("locust-bom"), &report);
        QVERIFY2(report.error.isEmpty(), qPrintable(report.error));
        QCOMPARE(report.format, ImportFormat::LocustCsv);
        const RunSummary &s = parsed.summary;
        QCOMPARE(parsed.source.tool, QStringLiteral("Locust"));
        QCOMPARE(parsed.source.fileName, QStringLiteral("locust-bom_stats.csv"));
        QCOMPARE(s.totals.requests, 150);
        QCOMPARE(s.totals.errors, 7);
        QCOMPARE(s.durationSec, 3.0); // 150 requests at 50.0 req/s
        QCOMPARE(s.startedAt, QDateTime::fromSecsSinceEpoch(1796000000, Qt::UTC));
        QCOMPARE(s.endpoints.size(), 2);
        const EndpointSummary *health = endpointNamed(s, QStringLiteral("GET /api/health"));
        const EndpointSummary *predict =
            endpointNamed(s, QStringLiteral("POST /api/bridge/predict"));
        QVERIFY(health && predict);
        QCOMPARE(health->method, QStringLiteral("GET"));
        QCOMPARE(health->path, QStringLiteral("/api/health"));
        QCOMPARE(health->totals.requests, 100);
        QCOMPARE(health->totals.errors, 3);
        QCOMPARE(predict->totals.requests, 50);
        // Error classes from the messages: refused -> connect, read timeout -> timeout,
        // "500 Server Error" -> http5xx; ValueError says nothing: an error without a class.
        QCOMPARE(health->totals.errorsByClass[size_t(ErrorClass::Connect)], 2);
        QCOMPARE(health->totals.errorsByClass[size_t(ErrorClass::Timeout)], 1);
        QCOMPARE(predict->totals.errorsByClass[size_t(ErrorClass::Http5xx)], 3);
        QCOMPARE(s.totals.errorsByClass[size_t(ErrorClass::Http5xx)], 3);
        QVERIFY(anyContains(parsed.notes, "1 failure(s) whose message names no error class"));
        // Percentiles as Locust wrote them, not recomputed: there is no histogram.
        QVERIFY(s.duration.isEmpty());
        const QJsonObject overall = given(s);
        QCOMPARE(overall.value(QLatin1String("p50")).toDouble(), 5.0);
        QCOMPARE(overall.value(QLatin1String("p95")).toDouble(), 48.0);
        QCOMPARE(overall.value(QLatin1String("p99")).toDouble(), 190.0);
        QCOMPARE(overall.value(QLatin1String("p9999")).toDouble(), 340.0);
        QCOMPARE(overall.value(QLatin1String("max")).toDouble(), 340.2);
        QCOMPARE(overall.value(QLatin1String("avg")).toDouble(), 12.0);
        QVERIFY(s.extras.aggregated.value(QLatin1String("percentiles"))
                    .toString()
                    .startsWith(QLatin1String("as given by Locust")));
        // The timeline: running totals made into differences, the zero row at the start left
        // out; the means follow from the running means (60·10, then 120·12.5 − 600, ...).
        QCOMPARE(s.timeline.size(), 3);
        const QList<qint64> requests{60, 60, 30}, errors{3, 2, 2};
        const QList<double> means{10.0, 15.0, 10.0};
        for (int i = 0; i < 3; ++i) {
            const IntervalSample &interval = s.timeline[i];
            QCOMPARE(interval.tSec, double(i + 1));
            QCOMPARE(interval.overall.totals.requests, requests[i]);
            QCOMPARE(interval.overall.totals.errors, errors[i]);
            QVERIFY(std::abs(interval.overall.latency.meanMs - means[i]) < 1e-9);
            QCOMPARE(interval.overall.latency.p95Ms, 48.0);
            QCOMPARE(interval.activeVus, 10);
            QCOMPARE(interval.endpoints.size(), 2);
        }
        QCOMPARE(s.timeline[2].endpoints[0].totals.requests, 20); // health: 100 − 80
        QVERIFY(std::abs(s.timeline[1].endpoints[0].latency.meanMs - 6.0) < 1e-9);
        QVERIFY(anyContains(parsed.notes, "--csv-full-history"));
        QVERIFY(anyContains(lacks(s), "timing breakdown"));
        QVERIFY(!anyContains(lacks(s), "error classes"));
    }

    void locustCutFilesMissingColumnsNoFailures()
    {
        ImportReport report;
        const ParsedResult parsed = parse(fixture("locust-cut_stats.csv"), &report);
        QVERIFY2(report.error.isEmpty(), qPrintable(report.error));
        const RunSummary &s = parsed.summary;
        // The Aggregated row is cut off: the counts add up from the endpoints, the overall
        // percentiles are said to be missing rather than made up.
        QCOMPARE(s.totals.requests, 40);
        QCOMPARE(s.totals.errors, 10);
        QVERIFY(given(s).isEmpty());
        QVERIFY(anyContains(lacks(s), "overall percentiles"));
        QVERIFY(anyContains(parsed.notes, "locust-cut_stats.csv: line 4 is cut off"));
        // No "Average Content Size" and no "99.99%" column: no bytes, no p9999, the rest kept.
        QCOMPARE(s.totals.bytesIn, 0);
        const QJsonObject root = s.extras.aggregated.value(QLatin1String("endpoints"))
                                     .toObject()
                                     .value(QLatin1String("GET /"))
                                     .toObject()
                                     .value(QLatin1String("latencyMs"))
                                     .toObject();
        QCOMPARE(root.value(QLatin1String("p95")).toDouble(), 12.0);
        QVERIFY(!root.contains(QLatin1String("p9999")));
        // No failures file beside it: errors without classes, and it says so.
        QVERIFY(anyContains(lacks(s), "error classes (no locust-cut_failures.csv"));
        QCOMPARE(s.totals.errorsByClass[size_t(ErrorClass::Http4xx)], 0);
        // The history's last line is cut: left out, two intervals remain (13, then 27 − 13).
        QCOMPARE(s.timeline.size(), 2);
        QCOMPARE(s.timeline[0].overall.totals.requests, 13);
        QCOMPARE(s.timeline[1].overall.totals.requests, 14);
        QCOMPARE(s.timeline[1].overall.totals.errors, 4);
        QVERIFY(anyContains(parsed.notes, "locust-cut_stats_history.csv: line 5 is cut off"));
        QCOMPARE(s.durationSec, 2.0); // no Requests/s to divide by: the timeline's length
    }

    void locustMissingColumnIsNamed()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("x_stats.csv"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("Type,Name,Request Count,Median Response Time,Requests/s\n"
                   "GET,/,10,4,5.0\n,Aggregated,10,4,5.0\n");
        file.close();
        ImportReport report;
        ParsedResult parsed;
        QVERIFY(!parseResultFile(path, {}, &parsed, &report));
        QVERIFY2(report.error.contains(QLatin1String("x_stats.csv: line 1")) &&
                     report.error.contains(QLatin1String("\"Failure Count\"")),
                 qPrintable(report.error));
        // Named by a prefix that has no stats file: no such file.
        QVERIFY(!parseResultFile(dir.filePath(QStringLiteral("nothing")), {}, &parsed, &report));
        QVERIFY2(report.error.contains(QLatin1String("no such file")), qPrintable(report.error));
        // A history file alone: its stats file is what is missing, and the message says so.
        const QString history = dir.filePath(QStringLiteral("y_stats_history.csv"));
        QVERIFY(QFile::copy(fixture("locust-bom_stats_history.csv"), history));
        QVERIFY(!parseResultFile(history, {}, &parsed, &report));
        QVERIFY2(report.error.contains(QLatin1String("no y_stats.csv beside it")),
                 qPrintable(report.error));
    }

    void locustErrorClasses()
    {
        const auto c = [](const char *message) {
            return importing::locustErrorClass(QString::fromLatin1(message));
        };
        QCOMPARE(c("ConnectionError(MaxRetryError(\"HTTPConnectionPool(host='127.0.0.1', "
                   "port=1): Max retries exceeded with url: /x (Caused by NewConnectionError('"
                   "<urllib3.connection.HTTPConnection object at 0x...>: Failed to establish a "
                   "new connection: [Errno 111] Connection refused'))\"))"),
                 ErrorClass::Connect);
        QCOMPARE(c("HTTPError('404 Client Error: NOT FOUND for url: /nope')"), ErrorClass::Http4xx);
        QCOMPARE(c("BadStatusCode('http://127.0.0.1/x', code=503)"), ErrorClass::Http5xx);
        QCOMPARE(c("ReadTimeout(...Read timed out. (read timeout=1))"), ErrorClass::Timeout);
        QCOMPARE(c("ConnectionError(('Connection aborted.', RemoteDisconnected('Remote end "
                   "closed connection without response')))"),
                 ErrorClass::Reset);
        QCOMPARE(c("CatchResponseError('Got wrong response')"), ErrorClass::Check);
        QCOMPARE(c("ValueError('boom')"), ErrorClass::None);
    }

    void k6SummaryExport()
    {
        QCOMPARE(detectImportFormat(fixture("k6-summary-export.json"), nullptr),
                 ImportFormat::K6Summary);
        ImportReport report;
        const ParsedResult parsed = parse(fixture("k6-summary-export.json"), &report);
        QVERIFY2(report.error.isEmpty(), qPrintable(report.error));
        const RunSummary &s = parsed.summary;
        QCOMPARE(parsed.source.tool, QStringLiteral("k6"));
        QCOMPARE(parsed.source.format, QStringLiteral("k6-summary"));
        QCOMPARE(s.totals.requests, 180);
        QCOMPARE(s.totals.errors, 2); // http_req_failed's passes are the failed requests
        QVERIFY(std::abs(s.durationSec - 180 / 4.36938) < 1e-9);
        QCOMPARE(s.totals.checksPassed, 178);
        QCOMPARE(s.totals.checksFailed, 2);
        QCOMPARE(s.totals.bytesIn, 1301616);
        QCOMPARE(s.totals.bytesOut, 81000);
        QCOMPARE(s.totals.iterations, 45);
        QCOMPARE(s.maxVus, 20);
        const QJsonObject overall = given(s);
        QCOMPARE(overall.value(QLatin1String("p50")).toDouble(), 110.47); // med
        QCOMPARE(overall.value(QLatin1String("p95")).toDouble(), 215.95);
        QCOMPARE(overall.value(QLatin1String("max")).toDouble(), 1140.2);
        QVERIFY(!overall.contains(QLatin1String("p99"))); // not in the default trend stats
        QVERIFY(anyContains(lacks(s), "p99"));
        QVERIFY(anyContains(lacks(s), "timeline"));
        QVERIFY(s.timeline.isEmpty());
        QCOMPARE(s.extras.aggregated.value(QLatin1String("timingsMs"))
                     .toObject()
                     .value(QLatin1String("connecting"))
                     .toObject()
                     .value(QLatin1String("p95"))
                     .toDouble(),
                 173.41);
        // {name:login} submetrics are the endpoint.
        QCOMPARE(s.endpoints.size(), 1);
        QCOMPARE(s.endpoints[0].name, QStringLiteral("login"));
        QCOMPARE(s.endpoints[0].totals.requests, 45);
        // Thresholds: --summary-export's boolean is true when the threshold FAILED.
        QCOMPARE(s.thresholds.size(), 3);
        for (const ThresholdResult &t : s.thresholds) {
            if (t.expression == QLatin1String("p(95)<500")) {
                QVERIFY(t.passed);
                QCOMPARE(t.value, 215.95);
            } else if (t.expression == QLatin1String("p(95)<300")) {
                QVERIFY(!t.passed);
                QCOMPARE(t.metric, QStringLiteral("http_req_duration{name:login}"));
                QCOMPARE(t.value, 350.4);
            } else {
                QCOMPARE(t.expression, QStringLiteral("rate<0.01"));
                QVERIFY(!t.passed);
                QVERIFY(std::abs(t.value - 2.0 / 180) < 1e-12);
            }
        }
    }

    void k6HandleSummaryData()
    {
        ImportReport report;
        const ParsedResult parsed = parse(fixture("k6-handlesummary.json"), &report);
        QVERIFY2(report.error.isEmpty(), qPrintable(report.error));
        const RunSummary &s = parsed.summary;
        QCOMPARE(s.totals.requests, 300);
        QCOMPARE(s.totals.errors, 3);
        QCOMPARE(s.durationSec, 30.0125); // state.testRunDurationMs
        const QJsonObject overall = given(s);
        QCOMPARE(overall.value(QLatin1String("p99")).toDouble(), 120.5);
        QCOMPARE(overall.value(QLatin1String("p999")).toDouble(), 390.1);
        QVERIFY(!anyContains(lacks(s), "p99 "));
        // {expected_response:true} is no endpoint; {name:GET /api/health} is.
        QCOMPARE(s.endpoints.size(), 1);
        QCOMPARE(s.endpoints[0].method, QStringLiteral("GET"));
        QCOMPARE(s.endpoints[0].path, QStringLiteral("/api/health"));
        QCOMPARE(s.endpoints[0].totals.requests, 200);
        int failed = 0;
        for (const ThresholdResult &t : s.thresholds)
            failed += t.passed ? 0 : 1;
        QCOMPARE(s.thresholds.size(), 3);
        QCOMPARE(failed, 1); // p(95)<40 with p95 = 48.25
    }

    void k6SummaryNotJsonNamesTheLine()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("summary.json"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\n  \"metrics\": {\n    \"http_reqs\": {\"count\": 3,,}\n");
        file.close();
        ResultImportOptions options;
        options.format = ImportFormat::K6Summary;
        ImportReport report;
        ParsedResult parsed;
        QVERIFY(!parseResultFile(path, options, &parsed, &report));
        QVERIFY2(report.error.startsWith(path + QStringLiteral(": line 3: not JSON")),
                 qPrintable(report.error));
    }

    void recommendationsFromWhatTheImportGives()
    {
        const auto titles = [](const RunSummary &s) {
            QStringList list;
            for (const QJsonValue &r : s.extras.recommendations.value_or(QJsonArray()))
                list << r.toObject().value(QLatin1String("area")).toString() + u':' +
                            r.toObject().value(QLatin1String("title")).toString();
            return list;
        };
        // Locust gave p50 5 ms and p99 190 ms over 150 requests: the tail rule has its figures.
        const ParsedResult locust = parse(fixture("locust-bom"));
        QVERIFY(locust.summary.extras.recommendations.has_value());
        const QStringList fromLocust = titles(locust.summary);
        QVERIFY2(fromLocust.contains(QStringLiteral("code:Long latency tail: p99 is 38.0× p50")),
                 qPrintable(fromLocust.join(u'|')));
        // No resource samples were imported: no rule speaks of the generator or target CPU.
        QVERIFY2(!anyContains(fromLocust, "load generator:") && !anyContains(fromLocust, "CPU"),
                 qPrintable(fromLocust.join(u'|')));
        QVERIFY(!locust.summary.extras.untrustworthy);
        // k6's default summary has no p99: the tail rule stays silent rather than guess.
        const ParsedResult k6 = parse(fixture("k6-summary-export.json"));
        QVERIFY(k6.summary.extras.recommendations.has_value());
        QVERIFY2(!anyContains(titles(k6.summary), "tail"),
                 qPrintable(titles(k6.summary).join(u'|')));
        // A per-request import reaches the rules too: its histogram decides.
        const ParsedResult perRequest = parse(fixture("k6-groups-checks.ndjson"));
        QVERIFY(perRequest.summary.extras.recommendations.has_value());
    }

    void storedAndComparedWithWhatBothSidesHave()
    {
        QTemporaryDir dir;
        HistoryStore store;
        QVERIFY(store.open(dir.filePath(QStringLiteral("h.db"))));
        ResultImportOptions options;
        options.testName = QStringLiteral("checkout");
        const ImportReport locust = importResultFile(store, fixture("locust-bom"), options);
        QVERIFY2(locust.ok, qPrintable(locust.error));
        // The same three files named by another of them: the same content, stored once.
        const ImportReport again =
            importResultFile(store, fixture("locust-bom_failures.csv"), options);
        QVERIFY2(again.ok && again.duplicate && again.resultId == locust.resultId,
                 qPrintable(again.error));
        const ImportReport k6 = importResultFile(store, fixture("k6-summary-export.json"), options);
        QVERIFY2(k6.ok && !k6.duplicate, qPrintable(k6.error));

        // The stored summary says the given figures, and only those.
        const auto record = store.result(k6.resultId);
        QVERIFY(record);
        const QJsonObject latency = record->summary.value(QLatin1String("latencyMs")).toObject();
        QCOMPARE(latency.value(QLatin1String("p95")).toDouble(), 215.95);
        QVERIFY(!latency.contains(QLatin1String("p99")));
        QString error;
        const auto a = loadStoredRun(store, locust.resultId, &error);
        const auto b = loadStoredRun(store, k6.resultId, &error);
        QVERIFY2(a && b, qPrintable(error));
        QCOMPARE(a->summary.timeline.size(), 3);
        QCOMPARE(a->summary.extras.aggregated.value(QLatin1String("tool")).toString(),
                 QStringLiteral("Locust"));

        const RunComparison c = compareRuns(a->forComparison(), {b->forComparison()});
        const auto find = [&c](const char *metric) {
            for (const MetricDelta &d : c.perCandidate.first()) {
                if (d.metric == QLatin1String(metric))
                    return d;
            }
            return MetricDelta();
        };
        // p95 exists on both sides (as given), p99 only on Locust's: listed, not compared.
        QCOMPARE(find("p95").base, 48.0);
        QCOMPARE(find("p95").candidate, 215.95);
        QCOMPARE(find("p99").verdict, MetricDelta::Insufficient);
        QVERIFY2(c.notCompared.first().contains(QStringLiteral("p99 (not in ") + b->label() + u')'),
                 qPrintable(c.notCompared.first().join(u'|')));
        for (const QString &missing : c.notCompared.first())
            QVERIFY2(!missing.startsWith(QLatin1String("p95 ")), qPrintable(missing));
        // Endpoints of one side only are listed too (Locust's two, k6's "login").
        QVERIFY(c.notCompared.first().contains(QStringLiteral("endpoint:login p95 (not in ") +
                                               a->label() + u')'));
        QCOMPARE(c.givenFigures.size(), 2);
        const QString text = c.toText();
        QVERIFY2(text.contains(QLatin1String("not compared, a side lacks them: ")) &&
                     text.contains(QLatin1String("as given by Locust")),
                 qPrintable(text));
    }
};

LOADSCOPE_TEST_MAIN(TestAggregatedImport)
#include "tst_aggregatedimport.moc"
