// The inputs the fuzzers (tests/fuzz) found problems with, kept as regression cases, and the
// seam the response fuzzer drives: HttpConnection::adoptConnectedSocket() over a socketpair,
// which must behave as a socket the connection opened itself.
#include <cmath>
#include <fcntl.h>
#include <optional>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QFile>
#include <QTemporaryDir>

#include "engine/httpconnection.h"
#include "engine/leanhttptransport.h"
#include "interop/accesslogformat.h"
#include "interop/harimport.h"
#include "interop/importreader.h"
#include "interop/resultimport.h"
#include "plan/planjson.h"
#include "testmain.h"

using namespace loadscope;

namespace {

//! One connection of a transport whose own connects go nowhere (port 9 on loopback is
//! refused on this machine's test runs; nothing here should connect at all).
struct AdoptedConnection
{
    LeanHttpTransport transport{
        LeanHttpTransport::Target{QByteArrayLiteral("127.0.0.1"), 9, false}};
    HttpConnection *connection = transport.createConnection();
    int server = -1; //!< the peer's end of the socketpair
    int client = -1; //!< the connection's end (owned by the connection)

    ~AdoptedConnection()
    {
        if (server >= 0)
            ::close(server);
    }

    bool adopt()
    {
        int pair[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) != 0)
            return false;
        if (!connection->adoptConnectedSocket(pair[0])) {
            ::close(pair[0]);
            ::close(pair[1]);
            return false;
        }
        if (server >= 0)
            ::close(server);
        server = pair[1];
        client = pair[0];
        return true;
    }

    QByteArray readRequest() const
    {
        QByteArray request;
        char buffer[4096];
        for (ssize_t n; (n = ::recv(server, buffer, sizeof buffer, MSG_DONTWAIT)) > 0;)
            request.append(buffer, n);
        return request;
    }

    //! Sends GET /, then writes @p response in writes of @p chunk bytes (0: one write), each
    //! read by the client before the next; closes the server's side when @p close.
    std::optional<HttpResult> exchange(const QByteArray &response, int chunk, bool close = false)
    {
        std::optional<HttpResult> out;
        HttpRequestData request;
        request.maxRedirects = 0;
        if (!connection->send(request, true, [&out](HttpResult &r) { out = std::move(r); }))
            return std::nullopt;
        const qsizetype step = chunk > 0 ? chunk : qMax<qsizetype>(1, response.size());
        for (qsizetype at = 0; at < response.size() && !out; at += step) {
            const QByteArray part = response.mid(at, step);
            if (::send(server, part.constData(), size_t(part.size()), MSG_NOSIGNAL) != part.size())
                return std::nullopt;
            // Split reads: the client reads this write before the next one is sent.
            if (!QTest::qWaitFor(
                    [&] {
                        (void)readRequest();
                        return out.has_value() || !connection->isOpen() || pendingOnClient() == 0;
                    },
                    10000))
                return std::nullopt;
        }
        if (close)
            ::shutdown(server, SHUT_WR);
        if (!QTest::qWaitFor([&out] { return out.has_value(); }, 10000))
            return std::nullopt;
        return out;
    }

    //! Bytes written by the server and not yet read by the client.
    int pendingOnClient() const
    {
        int pending = 0;
        return ::ioctl(client, FIONREAD, &pending) == 0 ? pending : 0;
    }
};

const QByteArray kResponse = QByteArrayLiteral("HTTP/1.1 200 OK\r\n"
                                               "Content-Type: text/plain\r\n"
                                               "Server-Timing: db;dur=1.5, app;dur=2\r\n"
                                               "Transfer-Encoding: chunked\r\n\r\n"
                                               "3\r\nabc\r\n"
                                               "4\r\ndefg\r\n"
                                               "0\r\n\r\n");

} // namespace

class TestFuzzRegressions : public QObject
{
    Q_OBJECT

private slots:
    void adoptedSocketReadsWholeAndSplitResponsesAlike_data()
    {
        QTest::addColumn<int>("chunk");
        QTest::newRow("one write") << 0;
        QTest::newRow("byte by byte") << 1;
        QTest::newRow("7-byte writes") << 7;
    }

    void adoptedSocketReadsWholeAndSplitResponsesAlike()
    {
        QFETCH(int, chunk);
        AdoptedConnection c;
        QVERIFY(c.adopt());
        const auto result = c.exchange(kResponse, chunk);
        QVERIFY(result);
        QCOMPARE(result->error, ErrorClass::None);
        QCOMPARE(result->status, 200);
        QCOMPARE(result->body, QByteArrayLiteral("abcdefg"));
        QCOMPARE(result->serverTiming, QByteArrayLiteral("db;dur=1.5, app;dur=2"));
        QCOMPARE(result->bytesIn, kResponse.size());
        QCOMPARE(result->headers.size(), 3);
        // Kept alive on the adopted socket: a second request goes out on it.
        QVERIFY(c.connection->isOpen());
        const auto again = c.exchange(kResponse, chunk);
        QVERIFY(again);
        QCOMPARE(again->status, 200);
        QCOMPARE(c.connection->socketsOpened(), 1);
    }

    // Finding (fuzz_httpresponse): llhttp reads a status line without a code as status 0,
    // which counted as a success; it is a protocol error naming the line.
    void statusLineWithoutACodeIsAProtocolError_data()
    {
        QTest::addColumn<QByteArray>("response");
        QTest::newRow("no code") << QByteArrayLiteral("HTTP/1.1  OK\r\nContent-Length: 0\r\n\r\n");
        QTest::newRow("code 0") << QByteArrayLiteral(
            "HTTP/1.1 000 OK\r\nContent-Length: 0\r\n\r\n");
        QTest::newRow("code 99") << QByteArrayLiteral(
            "HTTP/1.1 099 OK\r\nContent-Length: 0\r\n\r\n");
    }

    void statusLineWithoutACodeIsAProtocolError()
    {
        QFETCH(QByteArray, response);
        AdoptedConnection c;
        QVERIFY(c.adopt());
        const auto result = c.exchange(response, 0);
        QVERIFY(result);
        QCOMPARE(result->error, ErrorClass::Protocol);
        QVERIFY2(result->errorText.contains(QLatin1String("no status code from 100 to 999")),
                 qPrintable(result->errorText));
    }

    // Finding (fuzz_k6csv): an empty CSV line reached memchr() with the null data() of an
    // empty view (UBSan: null pointer passed as argument 1). It is one empty field.
    void emptyCsvLineIsOneEmptyField()
    {
        std::vector<std::string_view> fields;
        std::vector<std::string> scratch;
        QVERIFY(importing::splitCsv(std::string_view(), ',', &fields, &scratch));
        QCOMPARE(fields.size(), size_t(1));
        QVERIFY(fields.front().empty());
        fields.clear();
        QVERIFY(importing::splitCsv(std::string_view("a,", 2), ',', &fields,
                                    &scratch)); // empty last field
        QCOMPARE(fields.size(), size_t(2));
        QVERIFY(fields.back().empty());
    }

    // Findings (fuzz_jmetercsv, fuzz_jmeterxml): a timestamp of 1.795e16 ms overflowed when
    // turned into microseconds (UBSan: signed overflow). Such a sample is a bad line that says
    // why; the others are imported.
    void jmeterTimestampPastAnyRunIsABadLine_data()
    {
        QTest::addColumn<QString>("suffix");
        QTest::addColumn<int>("formatNumber");
        QTest::addColumn<QString>("why");
        QTest::newRow("csv") << QStringLiteral("jtl.csv") << int(ImportFormat::JmeterCsv)
                             << QStringLiteral("timeStamp is not a time");
        QTest::newRow("xml") << QStringLiteral("jtl.xml") << int(ImportFormat::JmeterXml)
                             << QStringLiteral("ts is not a time");
    }
    void jmeterTimestampPastAnyRunIsABadLine()
    {
        QFETCH(QString, suffix);
        QFETCH(int, formatNumber);
        const auto format = ImportFormat(formatNumber);
        QFETCH(QString, why);
        const bool xml = format == ImportFormat::JmeterXml;
        QByteArray file = xml ? QByteArrayLiteral("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                                  "<testResults version=\"1.2\">\n")
                              : QByteArrayLiteral("timeStamp,elapsed,label,responseCode,success\n");
        const auto sample = [xml](const QByteArray &ts) -> QByteArray {
            if (xml)
                return "<httpSample t=\"120\" lt=\"100\" ts=\"" + ts +
                       "\" s=\"true\" lb=\"Pay\" rc=\"200\"/>\n";
            return ts + ",120,Pay,200,true\n";
        };
        for (int i = 0; i < 200; ++i)
            file += sample(QByteArray::number(1795000000000LL + i * 10));
        file += sample("17950000000000580");
        if (xml)
            file += "</testResults>\n";
        QTemporaryDir dir;
        const QString path = dir.filePath(suffix);
        QFile out(path);
        QVERIFY(out.open(QIODevice::WriteOnly) && out.write(file) == file.size());
        out.close();
        ResultImportOptions options;
        options.format = format;
        ParsedResult parsed;
        ImportReport report;
        QVERIFY2(parseResultFile(path, options, &parsed, &report), qPrintable(report.error));
        QCOMPARE(parsed.summary.totals.requests, qint64(200));
        QCOMPARE(report.badRecords, qint64(1));
        QVERIFY2(report.badNotes.join(QLatin1Char('\n')).contains(why),
                 qPrintable(report.badNotes.join(QLatin1Char('\n'))));
    }

    // Findings (fuzz_k6json, fuzz_k6csv): a metric value of ~1e300 ms became INT64_MIN µs and
    // the request's start (time - duration) overflowed; a timestamp of 1.79e45 did not fit a
    // qint64. Durations clamp, timestamps past any run are refused.
    void fileTimesBeyondAnyRunNeitherOverflowNorWrap()
    {
        qint64 us = 0;
        QVERIFY(importing::msToUs(1.5, &us));
        QCOMPARE(us, qint64(1500));
        QVERIFY(!importing::msToUs(1e300, &us));
        QVERIFY(!importing::msToUs(std::nan(""), &us));
        QCOMPARE(importing::msToUsClamped(1e300), importing::kMaxFileUs);
        QCOMPARE(importing::msToUsClamped(-1e300), -importing::kMaxFileUs);
        QCOMPARE(importing::msToUsClamped(std::nan("")), qint64(0));
        QVERIFY(importing::parseTimestamp("1795000000000", &us)); // ms
        QCOMPARE(us, qint64(1795000000000000));
        QVERIFY(!importing::parseTimestamp("1.79511e+45", &us));
        QVERIFY(!importing::parseTimestamp("1e300", &us));
        // fuzz_accesslog: a $msec of 1.76e14 s did not fit either; it is a bad line.
        QString error;
        const auto format = AccessLogFormat::compile(
            AccessLogFormat::Dialect::Nginx,
            QStringLiteral("$msec $request_time \"$request\" $status"), &error);
        QVERIFY2(format, qPrintable(error));
        AccessLogFormat::Entry entry;
        const char *why = nullptr;
        QVERIFY(format->parse("1700000000.123 0.005 \"GET / HTTP/1.1\" 200", &entry, &why));
        QCOMPARE(entry.timeUs, qint64(1700000000123000));
        QVERIFY(!format->parse("176470000000000000000 0.005 \"GET / HTTP/1.1\" 200", &entry, &why));
        QCOMPARE(QByteArray(why), QByteArray("bad $msec"));
    }

    // Finding (fuzz_har): entries dated centuries apart gave a think time longer than a plan
    // can hold, so the plan `plan import` wrote could not be read back. The gap is left out
    // and said so.
    void harThinkTimeNoPlanCanHoldIsLeftOut()
    {
        const QByteArray har =
            "{\"log\": {\"version\": \"1.2\", \"entries\": ["
            "{\"startedDateTime\": \"1970-01-01T00:00:00.000Z\", \"time\": 5,"
            "\"request\": {\"method\": \"GET\", \"url\": \"http://127.0.0.1:8080/a\", \"headers\": "
            "[]},"
            "\"response\": {\"status\": 200, \"headers\": [], \"content\": {}}},"
            "{\"startedDateTime\": \"9999-12-31T00:00:00.000Z\", \"time\": 5,"
            "\"request\": {\"method\": \"GET\", \"url\": \"http://127.0.0.1:8080/b\", \"headers\": "
            "[]},"
            "\"response\": {\"status\": 200, \"headers\": [], \"content\": {}}}]}}";
        ImportOptions options;
        options.format = PlanSource::Har;
        options.sourceName = QStringLiteral("far.har");
        QString error;
        const auto imported = importHar(har, options, &error);
        QVERIFY2(imported, qPrintable(error));
        QCOMPARE(imported->plan.steps.size(), 2);
        QCOMPARE(imported->plan.steps.constFirst().thinkTimeMs, 0);
        QVERIFY2(imported->leftOut.join(QLatin1Char('\n'))
                     .contains(QLatin1String("think time after steps[0]")),
                 qPrintable(imported->leftOut.join(QLatin1Char('\n'))));
        const QByteArray written = planToJsonBytes(imported->plan);
        const auto again = planFromJsonBytes(written, &error);
        QVERIFY2(again, qPrintable(error));
        QCOMPARE(planToJsonBytes(*again), written);
    }

    void adoptedSocketClosesOnPipelinedBytes()
    {
        AdoptedConnection c;
        QVERIFY(c.adopt());
        const auto result = c.exchange(kResponse + "HTTP/1.1 200 OK\r\n", 0);
        QVERIFY(result);
        QCOMPARE(result->status, 200);
        QVERIFY(!c.connection->isOpen()); // no pipelining: a stray response is not read as the next
    }

    void adoptedSocketReportsAResponseCutShort()
    {
        AdoptedConnection c;
        QVERIFY(c.adopt());
        const auto result = c.exchange(
            QByteArrayLiteral("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"), 0, true);
        QVERIFY(result);
        QCOMPARE(result->error, ErrorClass::Reset);
        QVERIFY2(result->errorText.contains(QLatin1String("before the response was complete")),
                 qPrintable(result->errorText));
    }

    void adoptRefusedWhileBusy()
    {
        AdoptedConnection c;
        QVERIFY(c.adopt());
        HttpRequestData request;
        QVERIFY(c.connection->send(request, false, [](HttpResult &) {}));
        int pair[2];
        QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
        QVERIFY(!c.connection->adoptConnectedSocket(pair[0]));
        QVERIFY(::fcntl(pair[0], F_GETFD) != -1); // still the caller's
        ::close(pair[0]);
        ::close(pair[1]);
        c.connection->abort();
    }
};

LOADSCOPE_TEST_MAIN(TestFuzzRegressions)
#include "tst_fuzzregressions.moc"
