// Results of other tools read into runs (interop/resultimport): real files (fixtures written
// from the formats' documentation, and files generated here), a real SQLite history.
#include <algorithm>
#include <cmath>

#include <QFile>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>

#include "interop/resultimport.h"
#include "metrics/runmetrics.h"
#include "store/historystore.h"
#include "store/storeschema.h"
#include "testmain.h"

using namespace loadscope;

namespace {

QString fixture(const char *name)
{
    return QStringLiteral(LOADSCOPE_TEST_DATA_DIR "/import/") + QLatin1String(name);
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

// Nearest-rank percentile, the definition LatencyHistogram follows (to its bucket).
double nearestRank(std::vector<qint64> sorted, double p)
{
    std::sort(sorted.begin(), sorted.end());
    const auto rank = size_t(std::ceil(p / 100.0 * double(sorted.size())));
    return double(sorted[std::max<size_t>(rank, 1) - 1]) / 1000.0;
}

QByteArray k6Point(const char *metric, qint64 epochMs, double value, const QByteArray &name,
                   int status)
{
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(epochMs, Qt::UTC);
    return QByteArrayLiteral("{\"type\":\"Point\",\"data\":{\"time\":\"") +
           t.toString(Qt::ISODateWithMs).toLatin1() + QByteArrayLiteral("\",\"value\":") +
           QByteArray::number(value, 'f', 3) + QByteArrayLiteral(",\"tags\":{\"method\":\"GET\",") +
           QByteArrayLiteral("\"name\":\"") + name + QByteArrayLiteral("\",\"status\":\"") +
           QByteArray::number(status) + QByteArrayLiteral("\",\"url\":\"http://t/") + name +
           QByteArrayLiteral("\"}},\"metric\":\"") + metric + QByteArrayLiteral("\"}\n");
}

const EndpointSummary *endpointNamed(const RunSummary &s, const QString &name)
{
    for (const EndpointSummary &e : s.endpoints) {
        if (e.name == name)
            return &e;
    }
    return nullptr;
}

} // namespace

class TestResultImport : public QObject
{
    Q_OBJECT

private slots:
    void k6JsonFixture()
    {
        // Groups, checks, vus, data_*, a 5xx and a request timeout (error_code 1050); the file
        // starts with a UTF-8 BOM.
        ParsedResult parsed;
        ImportReport report;
        QVERIFY2(parseResultFile(fixture("k6-groups-checks.ndjson"), {}, &parsed, &report),
                 qPrintable(report.error));
        QCOMPARE(report.format, ImportFormat::K6Json);
        QCOMPARE(report.badRecords, 0);
        const RunSummary &s = parsed.summary;
        QCOMPARE(s.totals.requests, 6);
        QCOMPARE(s.totals.errors, 2);
        QCOMPARE(s.totals.errorsByClass[size_t(ErrorClass::Http5xx)], 1);
        QCOMPARE(s.totals.errorsByClass[size_t(ErrorClass::Timeout)], 1);
        QCOMPARE(s.totals.checksPassed, 2);
        QCOMPARE(s.totals.checksFailed, 1);
        QCOMPARE(s.totals.bytesIn, 3000);
        QCOMPARE(s.totals.bytesOut, 400);
        QCOMPARE(s.totals.iterations, 1);
        QCOMPARE(s.maxVus, 3);
        QCOMPARE(s.endpoints.size(), 2);
        // k6's name tag equals the URL unless the script names the request: method + URL then.
        const EndpointSummary *health =
            endpointNamed(s, QStringLiteral("GET https://api.test/health"));
        const EndpointSummary *login = endpointNamed(s, QStringLiteral("login"));
        QVERIFY(health && login);
        QCOMPARE(health->totals.requests, 4);
        QCOMPARE(login->totals.requests, 2);
        QCOMPARE(login->duration.max(), 80000);
        QCOMPARE(health->duration.min(), 10000);
        QCOMPARE(s.duration.mean(), (12.5 + 40 + 15 + 80 + 1500 + 10) / 6.0 * 1000.0);
        // Timeline: one interval per second of the request ends (09:00:00-09:00:02.7 UTC).
        QCOMPARE(s.timeline.size(), 3);
        QCOMPARE(s.timeline[0].overall.totals.requests, 2);
        QCOMPARE(s.timeline[1].overall.totals.errors, 1);
        QCOMPARE(s.timeline[2].overall.totals.errorsByClass[size_t(ErrorClass::Timeout)], 1);
        QCOMPARE(s.timeline[0].activeVus, 2);
        QCOMPARE(s.timeline[1].activeVus, 3);
        QCOMPARE(s.startedAt, QDateTime(QDate(2026, 11, 27), QTime(9, 0), Qt::UTC));
        QCOMPARE(s.endedAt, QDateTime(QDate(2026, 11, 27), QTime(9, 0, 2, 700), Qt::UTC));
        QCOMPARE(s.durationSec, 2.7);
        // Breakdown: connecting 3 ms and 0 ms, waiting on four requests.
        QCOMPARE(s.timings.value(QStringLiteral("connecting")).count(), 2);
        QCOMPARE(s.timings.value(QStringLiteral("connecting")).max(), 3000);
        QCOMPARE(s.timings.value(QStringLiteral("waiting")).count(), 4);
        QCOMPARE(s.timings.value(QStringLiteral("waiting")).mean(), (8.0 + 35 + 12 + 7) / 4 * 1000);
        QCOMPARE(parsed.source.tool, QStringLiteral("k6"));
        QCOMPARE(parsed.source.format, QStringLiteral("k6-json"));
        QCOMPARE(parsed.source.contentHash.size(), 64);
    }

    void k6JsonPercentilesExact()
    {
        // 20,000 requests of two endpoints over ~20 s: percentiles against the sorted values.
        QTemporaryDir dir;
        QByteArray text;
        std::vector<qint64> all, slow;
        QRandomGenerator random(42);
        const qint64 t0 = 1'795'000'000'000LL;
        for (int i = 0; i < 20000; ++i) {
            const bool isSlow = i % 3 == 0;
            const qint64 us = isSlow ? 20000 + random.bounded(400000) : 500 + random.bounded(30000);
            all.push_back(us);
            if (isSlow)
                slow.push_back(us);
            text += k6Point("http_req_duration", t0 + i, double(us) / 1000.0,
                            isSlow ? "slow" : "fast", 200);
        }
        const QString path = dir.filePath(QStringLiteral("many.json"));
        QVERIFY(writeFile(path, text));
        ParsedResult parsed;
        ImportReport report;
        QVERIFY2(parseResultFile(path, {}, &parsed, &report), qPrintable(report.error));
        const LatencyStats overall = LatencyStats::fromHistogram(parsed.summary.duration);
        const LatencyStats slowStats = LatencyStats::fromHistogram(
            endpointNamed(parsed.summary, QStringLiteral("slow"))->duration);
        const auto near = [](double got, double want) {
            return std::abs(got - want) <= want * 0.001 + 0.001;
        };
        for (const auto &[got, p] : {std::pair{overall.p50Ms, 50.0},
                                     {overall.p90Ms, 90.0},
                                     {overall.p95Ms, 95.0},
                                     {overall.p99Ms, 99.0}}) {
            QVERIFY2(near(got, nearestRank(all, p)),
                     qPrintable(
                         QStringLiteral("p%1: %2 vs %3").arg(p).arg(got).arg(nearestRank(all, p))));
        }
        QVERIFY(near(slowStats.p95Ms, nearestRank(slow, 95)));
        QCOMPARE(parsed.summary.timeline.size(), 20);
        QCOMPARE(parsed.summary.totals.requests, 20000);
    }

    void k6CsvWithExtraTags()
    {
        ParsedResult parsed;
        ImportReport report;
        QVERIFY2(parseResultFile(fixture("k6-extra-tags.csv"), {}, &parsed, &report),
                 qPrintable(report.error));
        QCOMPARE(report.format, ImportFormat::K6Csv);
        QCOMPARE(report.badRecords, 0);
        const RunSummary &s = parsed.summary;
        QCOMPARE(s.totals.requests, 4);
        QCOMPARE(s.totals.errorsByClass[size_t(ErrorClass::Http5xx)], 1);
        QCOMPARE(s.totals.errorsByClass[size_t(ErrorClass::Timeout)], 1);
        QCOMPARE(s.totals.errors, 2);
        QCOMPARE(s.totals.checksPassed, 1);
        QCOMPARE(s.totals.checksFailed, 1);
        QCOMPARE(s.totals.bytesIn, 5000);
        QCOMPARE(s.totals.bytesOut, 700);
        QCOMPARE(s.maxVus, 4);
        QVERIFY(endpointNamed(s, QStringLiteral("GET http://t.test/a")));
        QCOMPARE(endpointNamed(s, QStringLiteral("items"))->totals.requests, 2);
        QCOMPARE(endpointNamed(s, QStringLiteral("POST http://t.test/pay"))->duration.max(),
                 1500000);
        QCOMPARE(s.timings.value(QStringLiteral("connecting")).max(), 2000);
        QCOMPARE(s.timings.value(QStringLiteral("waiting")).count(), 1);
    }

    void k6CsvTimestampsAndColumnSets()
    {
        // unix_milli timestamps, a custom column set, the name only in extra_tags...
        ParsedResult milli;
        ImportReport report;
        QVERIFY2(parseResultFile(fixture("k6-unix-milli.csv"), {}, &milli, &report),
                 qPrintable(report.error));
        QCOMPARE(milli.summary.totals.requests, 3);
        QCOMPARE(endpointNamed(milli.summary, QStringLiteral("alpha"))->totals.requests, 2);
        QCOMPARE(milli.summary.totals.errorsByClass[size_t(ErrorClass::Http4xx)], 1);
        QCOMPARE(milli.summary.startedAt,
                 QDateTime::fromMSecsSinceEpoch(1795000000237LL, Qt::UTC)); // 250 ms less 12.5 ms
        QCOMPARE(milli.summary.timeline.size(), 2);
        // ... and RFC 3339 with an offset.
        ParsedResult rfc;
        QVERIFY2(parseResultFile(fixture("k6-rfc3339.csv"), {}, &rfc, &report),
                 qPrintable(report.error));
        QCOMPARE(rfc.summary.endedAt, QDateTime(QDate(2026, 11, 27), QTime(9, 0, 1, 250), Qt::UTC));
        QCOMPARE(rfc.summary.timeline.size(), 2);
    }

    void jmeterCsvWithAndWithoutHeader()
    {
        for (const char *name : {"jmeter-header.csv", "jmeter-noheader.jtl"}) {
            ParsedResult parsed;
            ImportReport report;
            QVERIFY2(parseResultFile(fixture(name), {}, &parsed, &report),
                     qPrintable(report.error));
            QCOMPARE(report.format, ImportFormat::JmeterCsv);
            QCOMPARE(report.badRecords, 0);
            const RunSummary &s = parsed.summary;
            QCOMPARE(s.totals.requests, 6);
            QCOMPARE(s.totals.errors, 3);
            QCOMPARE(s.totals.errorsByClass[size_t(ErrorClass::Http5xx)], 1);
            QCOMPARE(s.totals.errorsByClass[size_t(ErrorClass::Timeout)], 1);
            QCOMPARE(s.totals.errorsByClass[size_t(ErrorClass::Check)], 1); // assertion failed
            QCOMPARE(s.totals.bytesIn, 11364);
            QCOMPARE(s.totals.bytesOut, 990);
            QCOMPARE(s.maxVus, 2);
            QCOMPARE(s.endpoints.size(), 3);
            QCOMPARE(endpointNamed(s, QStringLiteral("Home"))->totals.requests, 3);
            QCOMPARE(endpointNamed(s, QStringLiteral("Search"))->duration.max(), 2000000);
            QCOMPARE(s.duration.min(), 40000);
            // Connect as connecting; Latency (connect included) less Connect as waiting.
            QCOMPARE(s.timings.value(QStringLiteral("connecting")).max(), 20000);
            QCOMPARE(s.timings.value(QStringLiteral("waiting")).max(), 290000);
            QCOMPARE(s.timings.value(QStringLiteral("waiting")).min(), 0);
            QCOMPARE(s.timings.value(QStringLiteral("receiving")).max(), 2000000);
            QCOMPARE(s.startedAt, QDateTime::fromMSecsSinceEpoch(1795000000000LL, Qt::UTC));
            QCOMPARE(s.endedAt, QDateTime::fromMSecsSinceEpoch(1795000003200LL, Qt::UTC));
            QCOMPARE(s.timeline.size(), 4);
            QCOMPARE(s.timeline[3].overall.totals.errorsByClass[size_t(ErrorClass::Timeout)], 1);
            QCOMPARE(parsed.source.tool, QStringLiteral("JMeter"));
        }
    }

    void jmeterCsvSubsetAndTruncated()
    {
        ParsedResult subset;
        ImportReport report;
        QVERIFY2(parseResultFile(fixture("jmeter-subset.tsv"), {}, &subset, &report),
                 qPrintable(report.error));
        QCOMPARE(subset.summary.totals.requests, 2);
        QCOMPARE(subset.summary.totals.errorsByClass[size_t(ErrorClass::Protocol)], 1);
        QVERIFY(subset.summary.timings.isEmpty()); // no Latency / Connect columns: no breakdown
        // One cut line in seven is more than 1 %: nothing, and the message names it.
        ParsedResult truncated;
        ImportReport refused;
        QVERIFY(!parseResultFile(fixture("jmeter-truncated.csv"), {}, &truncated, &refused));
        QVERIFY2(refused.error.contains(QLatin1String("line 8: ")) &&
                     refused.error.contains(QLatin1String("ends inside")),
                 qPrintable(refused.error));
    }

    void jmeterXmlWithSubSamples()
    {
        ParsedResult parsed;
        ImportReport report;
        QVERIFY2(parseResultFile(fixture("jmeter-subsamples.xml"), {}, &parsed, &report),
                 qPrintable(report.error));
        QCOMPARE(report.format, ImportFormat::JmeterXml);
        const RunSummary &s = parsed.summary;
        // Top-level samples are the requests (JMeter's report counts those); sub-samples are
        // inside their parent's time.
        QCOMPARE(s.totals.requests, 3);
        QCOMPARE(s.totals.errorsByClass[size_t(ErrorClass::Http5xx)], 1);
        QCOMPARE(endpointNamed(s, QStringLiteral("Home"))->totals.requests, 2);
        QCOMPARE(endpointNamed(s, QStringLiteral("Checkout"))->duration.max(), 380000);
        QVERIFY(!endpointNamed(s, QStringLiteral("Pay")));
        QCOMPARE(s.totals.bytesIn, 5120 + 612 + 5120);
        QVERIFY2(report.notes.join(u' ').contains(QLatin1String("4 sub-sample")),
                 qPrintable(report.notes.join(u'|')));
        QCOMPARE(s.timings.value(QStringLiteral("connecting")).max(), 20000);
        QCOMPARE(s.timeline.size(), 3);
        // Cut off mid-sample: the one sample is bad, and 1 of 3 is more than 1 %.
        QTemporaryDir dir;
        QFile whole(fixture("jmeter-subsamples.xml"));
        QVERIFY(whole.open(QIODevice::ReadOnly));
        const QString cut = dir.filePath(QStringLiteral("cut.xml"));
        QVERIFY(writeFile(cut, whole.readAll().left(900)));
        ParsedResult partial;
        ImportReport refused;
        QVERIFY(!parseResultFile(cut, {}, &partial, &refused));
        QVERIFY2(refused.error.contains(QLatin1String("truncated")), qPrintable(refused.error));
    }

    void badLinesUpToOnePercentAreSkipped()
    {
        QTemporaryDir dir;
        const qint64 t0 = 1'795'000'000'000LL;
        const auto file = [&](int bad, bool truncatedLast) {
            QByteArray text;
            for (int i = 0; i < 300 - bad; ++i)
                text += k6Point("http_req_duration", t0 + i * 10, 5.0, "a", 200);
            for (int i = 0; i < bad - (truncatedLast ? 1 : 0); ++i)
                text += "{\"type\":\"Point\",\"data\":{\"value\":oops}}\n";
            if (truncatedLast)
                text += k6Point("http_req_duration", t0, 5.0, "a", 200).left(40);
            return text;
        };
        const QString ok = dir.filePath(QStringLiteral("ok.json"));
        QVERIFY(writeFile(ok, file(3, true))); // 3 of 300: exactly 1 %
        ParsedResult parsed;
        ImportReport report;
        QVERIFY2(parseResultFile(ok, {}, &parsed, &report), qPrintable(report.error));
        QCOMPARE(report.badRecords, 3);
        QCOMPARE(parsed.summary.totals.requests, 297);
        QVERIFY2(report.badNotes.value(0).startsWith(QLatin1String("line 298: ")),
                 qPrintable(report.badNotes.join(u'|')));
        QVERIFY2(report.badNotes.value(2).startsWith(QLatin1String("line 300: ")) &&
                     report.badNotes.value(2).contains(QLatin1String("ends inside")),
                 qPrintable(report.badNotes.join(u'|')));

        const QString tooMany = dir.filePath(QStringLiteral("bad.json"));
        QVERIFY(writeFile(tooMany, file(4, false))); // 4 of 300: more than 1 %
        ParsedResult refused;
        ImportReport why;
        QVERIFY(!parseResultFile(tooMany, {}, &refused, &why));
        QVERIFY2(why.error.startsWith(tooMany) && why.error.contains(QLatin1String("line 297")) &&
                     why.error.contains(QLatin1String("more than 1 %")),
                 qPrintable(why.error));
    }

    void unknownFormatIsRefused()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("notes.txt"));
        QVERIFY(writeFile(path, "hello\nworld\n"));
        ParsedResult parsed;
        ImportReport report;
        QVERIFY(!parseResultFile(path, {}, &parsed, &report));
        QVERIFY2(report.error.startsWith(path) && report.error.contains(QLatin1String("line 1")),
                 qPrintable(report.error));
        // Detection reads the content, not the name: a k6 file called .csv is still k6 JSON.
        const QString misnamed = dir.filePath(QStringLiteral("results.csv"));
        QVERIFY(QFile::copy(fixture("k6-groups-checks.ndjson"), misnamed));
        QCOMPARE(detectImportFormat(misnamed, nullptr), ImportFormat::K6Json);
    }

    void sameFileTwiceIsStoredOnce()
    {
        QTemporaryDir dir;
        HistoryStore store;
        QVERIFY(store.open(dir.filePath(QStringLiteral("h.db"))));
        ResultImportOptions options;
        options.testName = QStringLiteral("checkout");
        const ImportReport first =
            importResultFile(store, fixture("k6-groups-checks.ndjson"), options);
        QVERIFY2(first.ok && !first.duplicate && first.resultId > 0, qPrintable(first.error));
        // A copy under another name is the same content.
        const QString copy = dir.filePath(QStringLiteral("copy.json"));
        QVERIFY(QFile::copy(fixture("k6-groups-checks.ndjson"), copy));
        const ImportReport second = importResultFile(store, copy, options);
        QVERIFY2(second.ok && second.duplicate, qPrintable(second.error));
        QCOMPARE(second.resultId, first.resultId);
        QCOMPARE(store.listResults().size(), 1);
        const auto record = store.result(first.resultId);
        QVERIFY(record);
        QCOMPARE(record->source.tool, QStringLiteral("k6"));
        QCOMPARE(record->source.fileName, QStringLiteral("k6-groups-checks.ndjson"));
        QCOMPARE(record->status, ResultStatus::Completed);
        QCOMPARE(record->startedAt, QDateTime(QDate(2026, 11, 27), QTime(9, 0), Qt::UTC));
        QCOMPARE(store.samples(first.resultId, QStringLiteral("")).size(), 3);
        QVERIFY(store.histogramKeys(first.resultId)
                    .contains(HistoryStore::histogramKey(QStringLiteral("login"),
                                                         QStringLiteral("duration"))));
        ResultFilter k6;
        k6.source = QStringLiteral("k6");
        QCOMPARE(store.listResults(k6).size(), 1);
        ResultFilter ours;
        ours.source = QStringLiteral("loadscope");
        QCOMPARE(store.listResults(ours).size(), 0);
    }

    void importIsOneTransaction()
    {
        // A write that fails half-way (the second histogram breaks UNIQUE) leaves nothing:
        // no test, no result, no samples, no source.
        QTemporaryDir dir;
        const QString dbPath = dir.filePath(QStringLiteral("h.db"));
        HistoryStore store;
        QVERIFY(store.open(dbPath));
        ParsedResult parsed;
        ImportReport report;
        QVERIFY(parseResultFile(fixture("k6-groups-checks.ndjson"), {}, &parsed, &report));
        ImportedResult imported = importedResultFor(parsed, {}, QStringLiteral("broken"));
        QVERIFY(!imported.samples.isEmpty());
        imported.histograms.append(imported.histograms.first());
        bool duplicate = false;
        QCOMPARE(store.storeImportedResult(imported, &duplicate), -1);
        QVERIFY(!store.lastError().isEmpty());
        QVERIFY(store.listResults().isEmpty());
        QVERIFY(store.listTests().isEmpty());
        store.close();
        {
            QSqlDatabase db =
                QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
            db.setDatabaseName(dbPath);
            QVERIFY(db.open());
            for (const char *table : {"result_samples", "result_histograms", "result_sources"}) {
                QSqlQuery q(db);
                QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM ") + QLatin1String(table)));
                QVERIFY(q.next());
                QCOMPARE(q.value(0).toInt(), 0);
            }
        }
        QSqlDatabase::removeDatabase(QStringLiteral("raw"));
    }

    void oldHistoryGetsSourcesTable()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("v1.db"));
        QString error;
        QVERIFY2(StoreSchema::createVersion1Database(path, &error), qPrintable(error));
        HistoryStore store;
        QVERIFY2(store.open(path, &error), qPrintable(error));
        QVERIFY(StoreSchema::currentVersion >= 4); // result_sources came with version 4
        const ImportReport report = importResultFile(store, fixture("k6-groups-checks.ndjson"));
        QVERIFY2(report.ok, qPrintable(report.error));
        QCOMPARE(store.result(report.resultId)->source.format, QStringLiteral("k6-json"));
    }
};

LOADSCOPE_TEST_MAIN(TestResultImport)
#include "tst_resultimport.moc"
