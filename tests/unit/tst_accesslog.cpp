#include <algorithm>
#include <cmath>
#include <vector>

#include <QFile>
#include <QTemporaryDir>

#include "interop/accesslogimport.h"
#include "interop/resultimport.h"
#include "testmain.h"

using namespace loadscope;

namespace {

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

// Nearest-rank percentile in ms of µs values, the definition LatencyHistogram follows.
double nearestRank(std::vector<qint64> values, double p)
{
    std::sort(values.begin(), values.end());
    const auto rank = size_t(std::ceil(p / 100.0 * double(values.size())));
    return double(values[std::max<size_t>(rank, 1) - 1]) / 1000.0;
}

bool near(double got, double want)
{
    return std::abs(got - want) <= want * 0.001 + 0.001;
}

const EndpointSummary *endpointNamed(const RunSummary &s, const QString &name)
{
    for (const EndpointSummary &e : s.endpoints)
        if (e.name == name)
            return &e;
    return nullptr;
}

const char *const kApacheD =
    "%h %l %u %t \\\"%r\\\" %>s %b \\\"%{Referer}i\\\" \\\"%{User-agent}i\\\" %D";

} // namespace

class TestAccessLog : public QObject
{
    Q_OBJECT

private slots:
    void routesFoldIds_data()
    {
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("route");
        QTest::newRow("number") << "/api/users/42"
                                << "/api/users/{id}";
        QTest::newRow("query dropped") << "/v1/search?q=42&page=2"
                                       << "/v1/search";
        QTest::newRow("uuid") << "/files/3f2a9c1e-1b2c-4d5e-8f90-123456789abc/meta"
                              << "/files/{id}/meta";
        QTest::newRow("hex hash") << "/blobs/9f86d081884c7d65"
                                  << "/blobs/{id}";
        QTest::newRow("opaque token") << "/t/dGhpcyBpcyBhIHRva2Vu1234"
                                      << "/t/{id}";
        QTest::newRow("words stay") << "/blog/my-first-post"
                                    << "/blog/my-first-post";
        QTest::newRow("versions stay") << "/api/v2/orders"
                                       << "/api/v2/orders";
        QTest::newRow("file names stay") << "/assets/app.js"
                                         << "/assets/app.js";
        QTest::newRow("absolute form") << "http://example.test/a/7?x"
                                       << "/a/{id}";
        QTest::newRow("root") << "/?utm=1"
                              << "/";
    }

    void routesFoldIds()
    {
        QFETCH(QString, target);
        QFETCH(QString, route);
        QCOMPARE(QString::fromStdString(accessLogRoute(target.toStdString())), route);
    }

    void formatsThatCannotBeReadAreRefused_data()
    {
        QTest::addColumn<QString>("dialect");
        QTest::addColumn<QString>("spec");
        QTest::addColumn<QString>("message");
        QTest::newRow("no status") << "nginx"
                                   << "[$time_local] \"$request\""
                                   << "lacks the status";
        QTest::newRow("no time") << "apache"
                                 << "\"%r\" %>s"
                                 << "lacks a time";
        QTest::newRow("no request") << "nginx"
                                    << "[$time_local] $status"
                                    << "lacks the request";
        QTest::newRow("fields touching") << "nginx"
                                         << "[$time_local] $status$request_time \"$request\""
                                         << "two fields with nothing between";
        QTest::newRow("unknown name") << "iis"
                                      << ""
                                      << "not an access-log format";
    }

    void formatsThatCannotBeReadAreRefused()
    {
        QFETCH(QString, dialect);
        QFETCH(QString, spec);
        QFETCH(QString, message);
        QString error;
        QVERIFY(!accessLogFormatFor(dialect, spec, &error));
        QVERIFY2(error.contains(message), qPrintable(error));
    }

    void apacheMicrosecondsImportExactly()
    {
        // 300 requests over 30 s in Apache's combined format plus %D, written as mod_log_config
        // documents it: %t in brackets with the zone, escaped quotes inside quoted fields, "-"
        // for an empty body; a BOM before the first line and a last line cut short.
        QTemporaryDir dir;
        QByteArray text = "\xEF\xBB\xBF";
        std::vector<qint64> all, users;
        qint64 errors4xx = 0, errors5xx = 0;
        for (int i = 0; i < 300; ++i) {
            const int second = i / 10;
            const qint64 us = 800 + (i * 7919) % 90000;
            all.push_back(us);
            const char *path = i % 3 == 0   ? "/api/users/%1?verbose=1"
                               : i % 3 == 1 ? "/api/health"
                                            : "/api/orders/%1/items";
            const int status = i % 50 == 7 ? 503 : i % 25 == 3 ? 404 : 200;
            errors5xx += status >= 500;
            errors4xx += status >= 400 && status < 500;
            if (i % 3 == 0)
                users.push_back(us);
            const QString agent = i == 5 ? QStringLiteral("Mozilla/5.0 \\\"quoted\\\" agent")
                                         : QStringLiteral("curl/8.1");
            text += QStringLiteral("10.0.0.%1 - %2 [02/Dec/2026:10:00:%3 +0100] \"GET %4 "
                                   "HTTP/1.1\" %5 %6 \"-\" \"%7\" %8\n")
                        .arg(QString::number(i % 7),
                             i == 9 ? QStringLiteral("frank") : QStringLiteral("-"),
                             QStringLiteral("%1").arg(second, 2, 10, QLatin1Char('0')),
                             QString::fromLatin1(path).arg(1000 + i), QString::number(status),
                             i % 11 == 0 ? QStringLiteral("-") : QString::number(100 + i), agent,
                             QString::number(us))
                        .toUtf8();
        }
        text += "10.0.0.1 - - [02/Dec/2026:10:00:29 +0100] \"GET /api/health HTTP/1.1\" 200 1";
        const QString path = dir.filePath(QStringLiteral("access.log"));
        QVERIFY(writeFile(path, text));

        ResultImportOptions options;
        options.format = ImportFormat::Apache;
        options.logFormat = QString::fromLatin1(kApacheD);
        ParsedResult parsed;
        ImportReport report;
        QVERIFY2(parseResultFile(path, options, &parsed, &report), qPrintable(report.error));
        const RunSummary &s = parsed.summary;
        QCOMPARE(s.totals.requests, 300);
        QCOMPARE(s.totals.errorsByClass[size_t(ErrorClass::Http4xx)], errors4xx);
        QCOMPARE(s.totals.errorsByClass[size_t(ErrorClass::Http5xx)], errors5xx);
        QCOMPARE(report.badRecords, 1);
        QVERIFY2(report.badNotes.value(0).startsWith(QLatin1String("line 301:")) &&
                     report.badNotes.value(0).contains(QLatin1String("the file ends inside")),
                 qPrintable(report.badNotes.join(u'\n')));
        QCOMPARE(parsed.source.tool, QStringLiteral("real users"));
        // %t is the arrival in Apache: 10:00:00 +0100 is 09:00:00 UTC, 30 one-second intervals.
        QCOMPARE(s.startedAt.toUTC(), QDateTime(QDate(2026, 12, 2), QTime(9, 0), Qt::UTC));
        QCOMPARE(s.timeline.size(), 30);
        const LatencyStats overall = LatencyStats::fromHistogram(s.duration);
        for (const auto &[got, p] :
             {std::pair{overall.p50Ms, 50.0}, {overall.p95Ms, 95.0}, {overall.p99Ms, 99.0}})
            QVERIFY2(near(got, nearestRank(all, p)),
                     qPrintable(
                         QStringLiteral("p%1: %2 vs %3").arg(p).arg(got).arg(nearestRank(all, p))));
        QCOMPARE(s.endpoints.size(), 3);
        const EndpointSummary *route = endpointNamed(s, QStringLiteral("GET /api/users/{id}"));
        QVERIFY(route);
        QCOMPARE(route->totals.requests, qint64(users.size()));
        QVERIFY(near(LatencyStats::fromHistogram(route->duration).p95Ms, nearestRank(users, 95)));
        QVERIFY(endpointNamed(s, QStringLiteral("GET /api/orders/{id}/items")));
    }

    void nginxRequestAndUpstreamTimes()
    {
        QTemporaryDir dir;
        const QByteArray text =
            "127.0.0.1 [02/Dec/2026:19:00:00 +0000] \"POST /login HTTP/1.1\" 200 42 0.120 "
            "\"0.100, 0.015\" 310\n"
            "127.0.0.1 [02/Dec/2026:19:00:01 +0000] \"GET /static/app.css HTTP/2.0\" 304 0 0.000 "
            "\"-\" 120\n"
            "127.0.0.1 [02/Dec/2026:19:00:01 +0000] \"GET /login HTTP/1.1\" 499 0 2.500 "
            "\"2.498\" 90\n";
        const QString path = dir.filePath(QStringLiteral("nginx.log"));
        QVERIFY(writeFile(path, text));
        ResultImportOptions options;
        options.format = ImportFormat::Nginx;
        options.logFormat = QStringLiteral("$remote_addr [$time_local] \"$request\" $status "
                                           "$body_bytes_sent $request_time "
                                           "\"$upstream_response_time\" $request_length");
        ParsedResult parsed;
        ImportReport report;
        QVERIFY2(parseResultFile(path, options, &parsed, &report), qPrintable(report.error));
        const RunSummary &s = parsed.summary;
        QCOMPARE(s.totals.requests, 3);
        QCOMPARE(s.totals.errorsByClass[size_t(ErrorClass::Http4xx)], 1); // 499, client gave up
        QCOMPARE(s.totals.bytesIn, 42);
        QCOMPARE(s.totals.bytesOut, 310 + 120 + 90);
        QVERIFY(near(double(s.duration.max()) / 1000.0, 2500.0));
        // The upstream's time (summed over two upstreams) is the waiting time.
        const LatencyHistogram waiting = s.timings.value(QStringLiteral("waiting"));
        QCOMPARE(waiting.count(), 2);
        QVERIFY(near(double(waiting.min()) / 1000.0, 115.0));
        // nginx logs at the end: the 2.5 s request started at 18:59:58.5.
        QCOMPARE(s.startedAt.toUTC().time(), QTime(18, 59, 58, 500));
        QVERIFY(endpointNamed(s, QStringLiteral("POST /login")));
        QVERIFY(endpointNamed(s, QStringLiteral("GET /login")));
    }

    void wholeSecondEndsKeepEverySecondWhole()
    {
        // nginx's $time_local is the end of a request in whole seconds: second k of 20 ends
        // k + 1 requests (210 in all). Each second is a 1 s interval with its own time, the last
        // one too, and every request is in the timeline: a tail cut to where the last request
        // "ended" (its second's start) was 1 ms long, read as 1000x the rate, and took the time
        // of the interval before it.
        QTemporaryDir dir;
        QByteArray text;
        for (int k = 0; k < 20; ++k) {
            for (int r = 0; r <= k; ++r) {
                text += QStringLiteral("127.0.0.1 [02/Dec/2026:19:00:%1 +0000] \"GET /api/health "
                                       "HTTP/1.1\" 200 2 0.0%2\n")
                            .arg(k, 2, 10, QLatin1Char('0'))
                            .arg(10 + r)
                            .toLatin1();
            }
        }
        const QString path = dir.filePath(QStringLiteral("seconds.log"));
        QVERIFY(writeFile(path, text));
        ResultImportOptions options;
        options.format = ImportFormat::Nginx;
        options.logFormat =
            QStringLiteral("$remote_addr [$time_local] \"$request\" $status $body_bytes_sent "
                           "$request_time");
        ParsedResult parsed;
        ImportReport report;
        QVERIFY2(parseResultFile(path, options, &parsed, &report), qPrintable(report.error));
        const RunSummary &s = parsed.summary;
        QCOMPARE(s.totals.requests, 210);
        QCOMPARE(s.timeline.size(), 20);
        qint64 inTimeline = 0;
        for (int i = 0; i < s.timeline.size(); ++i) {
            const IntervalSample &in = s.timeline.at(i);
            inTimeline += in.overall.totals.requests;
            QCOMPARE(in.intervalSec, 1.0);
            QCOMPARE(in.tSec, double(i + 1));
            QCOMPARE(in.overall.totals.requests, i + 1);
        }
        QCOMPARE(inTimeline, 210);
        // The last second: 20 requests in 1 s, not 20 in 1 ms.
        QCOMPARE(s.timeline.last().throughputRps(), 20.0);
    }

    void combinedWithoutTimesCountsOnly()
    {
        QTemporaryDir dir;
        QByteArray text;
        for (int i = 0; i < 50; ++i)
            text += QStringLiteral("192.0.2.%1 - - [02/Dec/2026:19:00:%2 +0000] \"GET /p/%3 "
                                   "HTTP/1.1\" %4 512 \"https://ref.test/\" \"UA\"\n")
                        .arg(i)
                        .arg(i / 10, 2, 10, QLatin1Char('0'))
                        .arg(i)
                        .arg(i % 10 == 0 ? 500 : 200)
                        .toUtf8();
        const QString path = dir.filePath(QStringLiteral("combined.log"));
        QVERIFY(writeFile(path, text));
        // Found from the content, as every other format.
        QString why;
        QCOMPARE(detectImportFormat(path, &why), ImportFormat::Combined);
        ParsedResult parsed;
        ImportReport report;
        QVERIFY2(parseResultFile(path, {}, &parsed, &report), qPrintable(report.error));
        QCOMPARE(parsed.summary.totals.requests, 50);
        QCOMPARE(parsed.summary.totals.errors, 5);
        QCOMPARE(parsed.summary.duration.count(), 0); // no latency invented
        QCOMPARE(parsed.summary.timeline.size(), 5);
        QCOMPARE(parsed.summary.timeline.first().overall.totals.requests, 10);
        QVERIFY2(report.notes.join(u' ').contains(QLatin1String("no request time")),
                 qPrintable(report.notes.join(u'\n')));
    }

    void mostlyBadLinesStoreNothing()
    {
        QTemporaryDir dir;
        QByteArray text;
        for (int i = 0; i < 97; ++i)
            text +=
                "192.0.2.1 - - [02/Dec/2026:19:00:00 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"-\"\n";
        text += "garbage one\n\x16\x03\x01 binary\nnot a log line at all\n";
        const QString path = dir.filePath(QStringLiteral("bad.log"));
        QVERIFY(writeFile(path, text));
        ResultImportOptions options;
        options.format = ImportFormat::Combined;
        ParsedResult parsed;
        ImportReport report;
        QVERIFY(!parseResultFile(path, options, &parsed, &report));
        QVERIFY2(report.error.contains(QLatin1String("3 of 100 lines are bad")) &&
                     report.error.contains(QLatin1String("line 98:")),
                 qPrintable(report.error));
    }

    void recordsYearsApartAreRefusedNotFilled()
    {
        // Fuzz finding (tests/fuzz/findings/accesslog-oom-far-dates): two lines dated 2026 and
        // 4052 made the builder fill a 1 s timeline over 2,026 years and run out of memory.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("far.log"));
        QVERIFY(writeFile(path, "192.0.2.1 - - [02/Dec/2026:19:00:00 +0000] \"GET /p/1 HTTP/1.1\" "
                                "200 5 \"-\" \"-\"\n"
                                "192.0.2.1 - - [02/Dec/4052:19:00:00 +0000] \"GET /p/1 HTTP/1.1\" "
                                "200 5 \"-\" \"-\"\n"));
        ResultImportOptions options;
        options.format = ImportFormat::Combined;
        ParsedResult parsed;
        ImportReport report;
        QVERIFY(!parseResultFile(path, options, &parsed, &report));
        QVERIFY2(report.error.contains(QLatin1String("the records span")) &&
                     report.error.contains(QLatin1String("at most 7 days")) &&
                     report.error.contains(QLatin1String("2026-12-02T19:00:00")),
                 qPrintable(report.error));

        // A week to the second is still one run.
        QVERIFY(writeFile(path, "192.0.2.1 - - [02/Dec/2026:19:00:00 +0000] \"GET /p/1 HTTP/1.1\" "
                                "200 5 \"-\" \"-\"\n"
                                "192.0.2.1 - - [09/Dec/2026:19:00:00 +0000] \"GET /p/1 HTTP/1.1\" "
                                "200 5 \"-\" \"-\"\n"));
        ParsedResult week;
        QVERIFY2(parseResultFile(path, options, &week, &report), qPrintable(report.error));
        QCOMPARE(week.summary.totals.requests, qint64(2));
    }

    void replayPlanFollowsTheArrivals()
    {
        // 10 s of traffic: second k has 2(k+1) requests (110 in all); routes 50 / 30 / 20 %.
        QTemporaryDir dir;
        QByteArray text;
        int n = 0;
        std::vector<int> perSecond;
        for (int second = 0; second < 10; ++second) {
            perSecond.push_back(2 * (second + 1));
            for (int k = 0; k < 2 * (second + 1); ++k, ++n) {
                const char *target = n % 10 < 5   ? "/api/items/%1"
                                     : n % 10 < 8 ? "/api/search?q=%1"
                                                  : "/api/cart";
                text += QStringLiteral("1.2.3.4 - - [02/Dec/2026:12:00:%1 +0000] \"GET %2 "
                                       "HTTP/1.1\" 200 10 \"-\" \"-\"\n")
                            .arg(second, 2, 10, QLatin1Char('0'))
                            .arg(QString::fromLatin1(target).arg(n))
                            .toUtf8();
            }
        }
        const QString path = dir.filePath(QStringLiteral("replay.log"));
        QVERIFY(writeFile(path, text));
        QString error;
        const auto format = accessLogFormatFor(QStringLiteral("combined"), {}, &error);
        QVERIFY(format);
        const auto imported = replayPlanFromAccessLog(path, *format, 2.0, &error);
        QVERIFY2(imported, qPrintable(error));
        const TestPlan &plan = imported->plan;
        QCOMPARE(plan.steps.size(), 20);
        int items = 0, search = 0, cart = 0;
        for (const Step &step : plan.steps) {
            items += step.name == QLatin1String("GET /api/items/{id}");
            search += step.name == QLatin1String("GET /api/search");
            cart += step.name == QLatin1String("GET /api/cart");
        }
        QCOMPARE(items, 10);
        QCOMPARE(search, 6);
        QCOMPARE(cart, 4);
        QVERIFY(plan.steps.first().path.startsWith(QLatin1String("/api/items/")));
        QCOMPARE(plan.load.executor, Executor::RampingArrivalRate);
        QCOMPARE(plan.load.stages.size(), 10);
        for (int s = 0; s < 10; ++s) {
            QCOMPARE(plan.load.stages[s].durationMs, 1000);
            // iterations/s × 20 requests per iteration = the log's rate × 2
            QVERIFY(near(plan.load.stages[s].target * 20, perSecond[size_t(s)] * 2.0));
        }
        QVERIFY(near(plan.load.startRate * 20, 4.0));
    }
};

LOADSCOPE_TEST_MAIN(TestAccessLog)
#include "tst_accesslog.moc"
