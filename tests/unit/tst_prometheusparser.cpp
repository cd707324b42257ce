#include <cmath>

#include "monitor/prometheusparser.h"
#include "testmain.h"

using namespace loadscope;

namespace {

// What a Go service instrumented with client_golang exposes (trimmed), including a histogram.
const char GoExposition[] = R"(# HELP go_goroutines Number of goroutines that currently exist.
# TYPE go_goroutines gauge
go_goroutines 42
# HELP go_memstats_alloc_bytes Number of bytes allocated and still in use.
# TYPE go_memstats_alloc_bytes gauge
go_memstats_alloc_bytes 3.694968e+06
# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.
# TYPE process_cpu_seconds_total counter
process_cpu_seconds_total 12.47
# HELP process_max_fds Maximum number of open file descriptors.
# TYPE process_max_fds gauge
process_max_fds 1.048576e+06
# HELP process_resident_memory_bytes Resident memory size in bytes.
# TYPE process_resident_memory_bytes gauge
process_resident_memory_bytes 2.1839872e+07
# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.
# TYPE process_start_time_seconds gauge
process_start_time_seconds 1.71234567891e+09
# HELP http_request_duration_seconds A histogram of the request duration.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{handler="/api/health",le="0.005"} 1021
http_request_duration_seconds_bucket{handler="/api/health",le="0.01"} 1530
http_request_duration_seconds_bucket{handler="/api/health",le="0.1"} 1602
http_request_duration_seconds_bucket{handler="/api/health",le="+Inf"} 1610
http_request_duration_seconds_sum{handler="/api/health"} 7.132
http_request_duration_seconds_count{handler="/api/health"} 1610
# HELP rpc_duration_seconds A summary of the RPC duration in seconds.
# TYPE rpc_duration_seconds summary
rpc_duration_seconds{quantile="0.5"} 4.773
rpc_duration_seconds{quantile="0.99"} NaN
rpc_duration_seconds_sum 1.7560473e+07
rpc_duration_seconds_count 2693
)";

} // namespace

class TestPrometheusParser : public QObject
{
    Q_OBJECT

private slots:
    void goClientExposition()
    {
        QStringList warnings;
        const QList<PromSample> samples = parsePrometheusText(GoExposition, &warnings);
        QVERIFY2(warnings.isEmpty(), qPrintable(warnings.join(QLatin1Char('\n'))));
        QCOMPARE(samples.size(), 16);

        const PromSample *cpu =
            findPromSample(samples, QStringLiteral("process_cpu_seconds_total"));
        QVERIFY(cpu);
        QCOMPARE(cpu->value, 12.47);
        QCOMPARE(cpu->type, QStringLiteral("counter"));
        QVERIFY(cpu->labels.isEmpty());
        QVERIFY(!cpu->timestampMs);

        const PromSample *rss =
            findPromSample(samples, QStringLiteral("process_resident_memory_bytes"));
        QVERIFY(rss);
        QCOMPARE(rss->value, 21839872.0);
        QCOMPARE(rss->type, QStringLiteral("gauge"));
        QCOMPARE(findPromSample(samples, QStringLiteral("go_memstats_alloc_bytes"))->value,
                 3694968.0);
        QCOMPARE(findPromSample(samples, QStringLiteral("process_start_time_seconds"))->value,
                 1712345678.91);
    }

    void histogramAndSummary()
    {
        const QList<PromSample> samples = parsePrometheusText(GoExposition, nullptr);
        const QString bucket = QStringLiteral("http_request_duration_seconds_bucket");
        const PromSample *inf =
            findPromSample(samples, bucket, {{QStringLiteral("le"), QStringLiteral("+Inf")}});
        QVERIFY(inf);
        QCOMPARE(inf->value, 1610.0);
        QCOMPARE(inf->labels.value(QStringLiteral("handler")), QStringLiteral("/api/health"));
        QCOMPARE(inf->type, QStringLiteral("histogram"));
        const PromSample *le01 =
            findPromSample(samples, bucket, {{QStringLiteral("le"), QStringLiteral("0.01")}});
        QVERIFY(le01);
        QCOMPARE(le01->value, 1530.0);
        QCOMPARE(findPromSample(samples, QStringLiteral("http_request_duration_seconds_sum"))->type,
                 QStringLiteral("histogram"));
        QCOMPARE(findPromSample(samples, QStringLiteral("rpc_duration_seconds_count"))->type,
                 QStringLiteral("summary"));

        const PromSample *p99 =
            findPromSample(samples, QStringLiteral("rpc_duration_seconds"),
                           {{QStringLiteral("quantile"), QStringLiteral("0.99")}});
        QVERIFY(p99);
        QVERIFY(std::isnan(p99->value));
        // No such series: nullptr, not a crash.
        QVERIFY(!findPromSample(samples, bucket, {{QStringLiteral("le"), QStringLiteral("7")}}));
    }

    void labelEscapesAndSetShapes()
    {
        const QByteArray text = "msg{path=\"C:\\\\dir\\\\x\",quote=\"say \\\"hi\\\"\","
                                "lines=\"a\\nb\"} 1\n"
                                "empty{} 2\n"
                                "trailing{a=\"1\",b=\"2\",} 3\n"
                                "spaced { a = \"x y\" , } 4\n"
                                "unicode{city=\"Zürich\"} 5\n"
                                "braces{v=\"}{,=\"} 6\n";
        QStringList warnings;
        const QList<PromSample> samples = parsePrometheusText(text, &warnings);
        QVERIFY2(warnings.isEmpty(), qPrintable(warnings.join(QLatin1Char('\n'))));
        QCOMPARE(samples.size(), 6);
        QCOMPARE(samples[0].labels.value(QStringLiteral("path")), QStringLiteral("C:\\dir\\x"));
        QCOMPARE(samples[0].labels.value(QStringLiteral("quote")), QStringLiteral("say \"hi\""));
        QCOMPARE(samples[0].labels.value(QStringLiteral("lines")), QStringLiteral("a\nb"));
        QVERIFY(samples[1].labels.isEmpty());
        QCOMPARE(samples[1].value, 2.0);
        QCOMPARE(samples[2].labels.size(), 2);
        QCOMPARE(samples[2].labels.value(QStringLiteral("b")), QStringLiteral("2"));
        QCOMPARE(samples[3].name, QStringLiteral("spaced"));
        QCOMPARE(samples[3].labels.value(QStringLiteral("a")), QStringLiteral("x y"));
        QCOMPARE(samples[4].labels.value(QStringLiteral("city")), QString::fromUtf8("Zürich"));
        QCOMPARE(samples[5].labels.value(QStringLiteral("v")), QStringLiteral("}{,="));
        QCOMPARE(samples[5].value, 6.0);
        QCOMPARE(samples[0].type, QStringLiteral("untyped"));
    }

    void valuesAndTimestamps()
    {
        const QByteArray text = "a NaN\n"
                                "b +Inf\n"
                                "c -Inf\n"
                                "d 1.5e-3\n"
                                "e -2E+2 1395066363000\n"
                                "f 7 -1000\n"
                                "g .5\n"
                                "h\t3\t42\n"
                                "i 0x10\n"
                                "j inf\n";
        QStringList warnings;
        const QList<PromSample> s = parsePrometheusText(text, &warnings);
        QVERIFY2(warnings.isEmpty(), qPrintable(warnings.join(QLatin1Char('\n'))));
        QCOMPARE(s.size(), 10);
        QVERIFY(std::isnan(s[0].value));
        QVERIFY(std::isinf(s[1].value) && s[1].value > 0);
        QVERIFY(std::isinf(s[2].value) && s[2].value < 0);
        QCOMPARE(s[3].value, 0.0015);
        QCOMPARE(s[4].value, -200.0);
        QCOMPARE(s[4].timestampMs.value_or(0), Q_INT64_C(1395066363000));
        QCOMPARE(s[5].timestampMs.value_or(0), Q_INT64_C(-1000));
        QCOMPARE(s[6].value, 0.5);
        QCOMPARE(s[7].value, 3.0);
        QCOMPARE(s[7].timestampMs.value_or(0), Q_INT64_C(42));
        QCOMPARE(s[8].value, 16.0);
        QVERIFY(std::isinf(s[9].value));
        QVERIFY(!s[3].timestampMs);
    }

    void commentsBlankLinesAndCrlf()
    {
        const QByteArray text = "# a free comment\r\n"
                                "\r\n"
                                "   \r\n"
                                "#no space after hash\r\n"
                                "# HELP x_total Help with \\\\ and \\n escapes.\r\n"
                                "# TYPE x_total counter\r\n"
                                "x_total{code=\"200\"} 5 1000\r\n"
                                "  # indented comment\r\n"
                                "y 1\r\n"
                                "# EOF";
        QStringList warnings;
        const QList<PromSample> s = parsePrometheusText(text, &warnings);
        QVERIFY2(warnings.isEmpty(), qPrintable(warnings.join(QLatin1Char('\n'))));
        QCOMPARE(s.size(), 2);
        QCOMPARE(s[0].name, QStringLiteral("x_total"));
        QCOMPARE(s[0].labels.value(QStringLiteral("code")), QStringLiteral("200"));
        QCOMPARE(s[0].value, 5.0);
        QCOMPARE(s[0].timestampMs.value_or(0), Q_INT64_C(1000));
        QCOMPARE(s[0].type, QStringLiteral("counter"));
        QCOMPARE(s[1].value, 1.0); // no '\r' left on the value
    }

    void malformedLinesWarnByLineNumberAndAreSkipped_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<QString>("expectedInWarning");
        QTest::newRow("no value") << QByteArray("lonely") << QStringLiteral("has no value");
        QTest::newRow("bad value") << QByteArray("m abc") << QStringLiteral("not a number");
        QTest::newRow("value with unit") << QByteArray("m 12ms") << QStringLiteral("not a number");
        QTest::newRow("bad timestamp") << QByteArray("m 1 1.5") << QStringLiteral("timestamp");
        QTest::newRow("extra token") << QByteArray("m 1 2 3") << QStringLiteral("unexpected text");
        QTest::newRow("unclosed set")
            << QByteArray("m{a=\"b\" 1") << QStringLiteral("expected ','");
        QTest::newRow("unquoted label")
            << QByteArray("m{a=b} 1") << QStringLiteral("double quotes");
        QTest::newRow("no closing quote")
            << QByteArray("m{a=\"b} 1") << QStringLiteral("closing quote");
        QTest::newRow("bad escape")
            << QByteArray("m{a=\"\\t\"} 1") << QStringLiteral("invalid escape");
        QTest::newRow("duplicate label")
            << QByteArray("m{a=\"1\",a=\"2\"} 1") << QStringLiteral("twice");
        QTest::newRow("bad label name")
            << QByteArray("m{1a=\"1\"} 1") << QStringLiteral("label name");
        QTest::newRow("missing equals") << QByteArray("m{a \"1\"} 1") << QStringLiteral("'='");
        QTest::newRow("bad metric name") << QByteArray("9lives 1") << QStringLiteral("metric name");
        QTest::newRow("dash in name")
            << QByteArray("my-metric 1") << QStringLiteral("after metric name");
        QTest::newRow("unknown type")
            << QByteArray("# TYPE m distribution") << QStringLiteral("unknown metric type");
        QTest::newRow("type without name") << QByteArray("# TYPE") << QStringLiteral("metric name");
        QTest::newRow("sign only") << QByteArray("m +") << QStringLiteral("not a number");
    }

    void malformedLinesWarnByLineNumberAndAreSkipped()
    {
        QFETCH(QByteArray, line);
        QFETCH(QString, expectedInWarning);
        const QByteArray text = "# TYPE good gauge\ngood 1\n\n" + line + "\r\nafter 2\n";
        QStringList warnings;
        const QList<PromSample> s = parsePrometheusText(text, &warnings);
        QCOMPARE(warnings.size(), 1);
        QVERIFY2(warnings.first().startsWith(QStringLiteral("line 4: ")),
                 qPrintable(warnings.first()));
        QVERIFY2(warnings.first().contains(expectedInWarning), qPrintable(warnings.first()));
        // The lines around the bad one are kept.
        QCOMPARE(s.size(), 2);
        QCOMPARE(s[0].name, QStringLiteral("good"));
        QCOMPARE(s[1].name, QStringLiteral("after"));
        QCOMPARE(s[1].value, 2.0);
    }

    void manyBadLinesNeverAbort()
    {
        QByteArray text;
        for (int i = 0; i < 50; ++i)
            text += (i % 2 ? "ok_" + QByteArray::number(i) + " 1\n" : QByteArray("{} garbage\n"));
        QStringList warnings;
        const QList<PromSample> s = parsePrometheusText(text, &warnings);
        QCOMPARE(s.size(), 25);
        QCOMPARE(warnings.size(), 25);
        QVERIFY(warnings.last().startsWith(QStringLiteral("line 49: ")));
        // Without a warnings list the parse still works.
        QCOMPARE(parsePrometheusText(text, nullptr).size(), 25);
        QVERIFY(parsePrometheusText(QByteArray(), nullptr).isEmpty());
        QVERIFY(parsePrometheusText(QByteArray("\n\n\r\n"), nullptr).isEmpty());
    }

    void selectors()
    {
        QString name;
        QMap<QString, QString> labels;
        QVERIFY(parsePrometheusSelector(QStringLiteral("go_goroutines"), &name, &labels));
        QCOMPARE(name, QStringLiteral("go_goroutines"));
        QVERIFY(labels.isEmpty());
        QVERIFY(parsePrometheusSelector(QStringLiteral(" q{handler=\"/x\",code=\"2\\\"\"} "), &name,
                                        &labels));
        QCOMPARE(name, QStringLiteral("q"));
        QCOMPARE(labels.value(QStringLiteral("code")), QStringLiteral("2\""));
        QVERIFY(!parsePrometheusSelector(QStringLiteral("q 1"), &name, &labels));
        QVERIFY(!parsePrometheusSelector(QStringLiteral("not-a-name"), &name, &labels));
        QVERIFY(!parsePrometheusSelector(QStringLiteral("a\nb"), &name, &labels));
        QVERIFY(!parsePrometheusSelector(QString(), &name, &labels));
    }

    void findPrefersTheUnlabelledSeries()
    {
        const QList<PromSample> s =
            parsePrometheusText("m{a=\"1\"} 1\nm 2\nm{a=\"3\"} 3\n", nullptr);
        QCOMPARE(findPromSample(s, QStringLiteral("m"))->value, 2.0);
        QCOMPARE(
            findPromSample(s, QStringLiteral("m"), {{QStringLiteral("a"), QStringLiteral("3")}})
                ->value,
            3.0);
    }
};

LOADSCOPE_TEST_MAIN(TestPrometheusParser)
#include "tst_prometheusparser.moc"
