#include "plan/thresholdexpression.h"
#include "testmain.h"

using namespace loadscope;

Q_DECLARE_METATYPE(loadscope::ThresholdExpression::Aggregation)
Q_DECLARE_METATYPE(loadscope::ThresholdExpression::Op)

class TestThresholdExpression : public QObject
{
    Q_OBJECT

private slots:
    void parsesGood_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<ThresholdExpression::Aggregation>("aggregation");
        QTest::addColumn<double>("percentile");
        QTest::addColumn<ThresholdExpression::Op>("op");
        QTest::addColumn<double>("bound");
        QTest::addColumn<QString>("canonical");

        using E = ThresholdExpression;
        QTest::newRow("p95") << "p(95)<200" << E::Percentile << 95.0 << E::Less << 200.0
                             << "p(95)<200";
        QTest::newRow("p99.9") << "p(99.9)<=1500" << E::Percentile << 99.9 << E::LessEqual << 1500.0
                               << "p(99.9)<=1500";
        QTest::newRow("avg") << "avg<100" << E::Avg << 0.0 << E::Less << 100.0 << "avg<100";
        QTest::newRow("min") << "min>0" << E::Min << 0.0 << E::Greater << 0.0 << "min>0";
        QTest::newRow("med") << "med<50" << E::Med << 0.0 << E::Less << 50.0 << "med<50";
        QTest::newRow("max") << "max<1000" << E::Max << 0.0 << E::Less << 1000.0 << "max<1000";
        QTest::newRow("rate") << "rate<0.01" << E::Rate << 0.0 << E::Less << 0.01 << "rate<0.01";
        QTest::newRow("count") << "count<10" << E::Count << 0.0 << E::Less << 10.0 << "count<10";
        QTest::newRow("value") << "value<5" << E::Value << 0.0 << E::Less << 5.0 << "value<5";
        QTest::newRow(">=") << "count>=3" << E::Count << 0.0 << E::GreaterEqual << 3.0
                            << "count>=3";
        QTest::newRow("==") << "value==2" << E::Value << 0.0 << E::Equal << 2.0 << "value==2";
        QTest::newRow("===") << "value===2" << E::Value << 0.0 << E::Equal << 2.0 << "value==2";
        QTest::newRow("!=") << "count!=0" << E::Count << 0.0 << E::NotEqual << 0.0 << "count!=0";
        QTest::newRow("spaces") << "  p( 90 )  <  250.5 " << E::Percentile << 90.0 << E::Less
                                << 250.5 << "p(90)<250.5";
        QTest::newRow("negative bound")
            << "min > -1" << E::Min << 0.0 << E::Greater << -1.0 << "min>-1";
        QTest::newRow("exponent") << "rate<1e-3" << E::Rate << 0.0 << E::Less << 0.001
                                  << "rate<0.001";
        QTest::newRow("p0") << "p(0)>=0" << E::Percentile << 0.0 << E::GreaterEqual << 0.0
                            << "p(0)>=0";
        QTest::newRow("p100") << "p(100)<9" << E::Percentile << 100.0 << E::Less << 9.0
                              << "p(100)<9";
    }

    void parsesGood()
    {
        QFETCH(QString, text);
        QFETCH(ThresholdExpression::Aggregation, aggregation);
        QFETCH(double, percentile);
        QFETCH(ThresholdExpression::Op, op);
        QFETCH(double, bound);
        QFETCH(QString, canonical);

        QString error;
        const auto parsed = ThresholdExpression::parse(text, &error);
        QVERIFY2(parsed.has_value(), qPrintable(error));
        QCOMPARE(parsed->aggregation, aggregation);
        if (aggregation == ThresholdExpression::Percentile)
            QCOMPARE(parsed->percentile, percentile);
        QCOMPARE(parsed->op, op);
        QCOMPARE(parsed->bound, bound);
        QCOMPARE(parsed->toString(), canonical);
        // The canonical text parses back to the same expression.
        const auto again = ThresholdExpression::parse(parsed->toString());
        QVERIFY(again.has_value());
        QVERIFY(*again == *parsed);
    }

    void rejectsBad_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("message");

        QTest::newRow("double op") << "p(95)<<200"
                                   << "expected a number after \"<\" at position 6";
        QTest::newRow("empty") << "   "
                               << "empty expression";
        QTest::newRow("unknown agg") << "mean<100"
                                     << "unknown aggregation \"mean\" at position 0";
        QTest::newRow("upper case") << "AVG<100"
                                    << "unknown aggregation \"AVG\"";
        QTest::newRow("no op") << "avg 100"
                               << "expected a comparison operator";
        QTest::newRow("no bound") << "avg<"
                                  << "expected a number after \"<\" at position 4";
        QTest::newRow("word bound") << "avg<=fast"
                                    << "expected a number after \"<=\" at position 5";
        QTest::newRow("missing paren") << "p(95<200"
                                       << "expected \")\" at position 4";
        QTest::newRow("no percentile") << "p()<200"
                                       << "expected a percentile after \"p(\" at position 2";
        QTest::newRow("p without paren") << "p95<200"
                                         << "expected \"(\" after \"p\" at position 1";
        QTest::newRow("percentile range")
            << "p(150)<200"
            << "percentile 150 at position 2 is not between 0 and 100";
        QTest::newRow("trailing") << "avg<100ms"
                                  << "unexpected \"ms\" at position 7";
        QTest::newRow("symbol first") << "<100"
                                      << "unknown aggregation \"<\" at position 0";
        QTest::newRow("single =") << "avg=100"
                                  << "expected a comparison operator";
    }

    void rejectsBad()
    {
        QFETCH(QString, text);
        QFETCH(QString, message);
        QString error;
        const auto parsed = ThresholdExpression::parse(text, &error);
        QVERIFY(!parsed.has_value());
        QVERIFY2(error.contains(message), qPrintable(error));
    }

    void evaluates_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<double>("observed");
        QTest::addColumn<bool>("passes");

        QTest::newRow("< below") << "p(95)<200" << 199.9 << true;
        QTest::newRow("< equal") << "p(95)<200" << 200.0 << false;
        QTest::newRow("<= equal") << "p(95)<=200" << 200.0 << true;
        QTest::newRow("<= above") << "p(95)<=200" << 200.1 << false;
        QTest::newRow("> above") << "min>0" << 0.5 << true;
        QTest::newRow("> equal") << "min>0" << 0.0 << false;
        QTest::newRow(">= equal") << "rate>=0.99" << 0.99 << true;
        QTest::newRow(">= below") << "rate>=0.99" << 0.98 << false;
        QTest::newRow("== equal") << "count==3" << 3.0 << true;
        QTest::newRow("== other") << "count===3" << 4.0 << false;
        QTest::newRow("!= other") << "count!=0" << 1.0 << true;
        QTest::newRow("!= equal") << "count!=0" << 0.0 << false;
        QTest::newRow("nan") << "avg<100" << std::numeric_limits<double>::quiet_NaN() << false;
    }

    void evaluates()
    {
        QFETCH(QString, text);
        QFETCH(double, observed);
        QFETCH(bool, passes);
        const auto parsed = ThresholdExpression::parse(text);
        QVERIFY(parsed.has_value());
        QCOMPARE(parsed->evaluate(observed), passes);
    }

    void parsesMetric()
    {
        auto plain = parseMetric(QStringLiteral("http_req_duration"));
        QVERIFY(plain.has_value());
        QCOMPARE(plain->name, QStringLiteral("http_req_duration"));
        QVERIFY(plain->tags.isEmpty());

        auto tagged = parseMetric(QStringLiteral("http_req_duration{name:login,status:200}"));
        QVERIFY(tagged.has_value());
        QCOMPARE(tagged->name, QStringLiteral("http_req_duration"));
        const QList<QPair<QString, QString>> expected = {
            {QStringLiteral("name"), QStringLiteral("login")},
            {QStringLiteral("status"), QStringLiteral("200")}};
        QCOMPARE(tagged->tags, expected);
        QCOMPARE(tagged->toString(), QStringLiteral("http_req_duration{name:login,status:200}"));

        auto spaced = parseMetric(QStringLiteral(" http_reqs{ url : http://x/a?b , name:\"q\" } "));
        QVERIFY(spaced.has_value());
        QCOMPARE(spaced->name, QStringLiteral("http_reqs"));
        QCOMPARE(spaced->tags.size(), 2);
        QCOMPARE(spaced->tags[0].first, QStringLiteral("url"));
        QCOMPARE(spaced->tags[0].second, QStringLiteral("http://x/a?b")); // first ':' splits
        QCOMPARE(spaced->tags[1].second, QStringLiteral("q"));            // quotes dropped

        auto timing = parseMetric(QStringLiteral("server_timing_inference"));
        QVERIFY(timing.has_value());
        QCOMPARE(metricKind(timing->name), std::optional<MetricKind>(MetricKind::Trend));
    }

    void rejectsBadMetric_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty") << ""
                               << "empty metric name";
        QTest::newRow("only tags") << "{name:x}"
                                   << "empty metric name";
        QTest::newRow("unclosed") << "http_reqs{name:x"
                                  << "missing \"}\"";
        QTest::newRow("no colon") << "http_reqs{name}"
                                  << "needs the form key:value";
        QTest::newRow("empty key") << "http_reqs{:x}"
                                   << "empty key";
        QTest::newRow("empty filter") << "http_reqs{}"
                                      << "empty tag filter";
        QTest::newRow("bad name") << "http reqs"
                                  << "is not a metric name";
    }

    void rejectsBadMetric()
    {
        QFETCH(QString, text);
        QFETCH(QString, message);
        QString error;
        QVERIFY(!parseMetric(text, &error).has_value());
        QVERIFY2(error.contains(message), qPrintable(error));
    }

    void metricKinds()
    {
        QCOMPARE(metricKind(QStringLiteral("http_req_duration")),
                 std::optional<MetricKind>(MetricKind::Trend));
        QCOMPARE(metricKind(QStringLiteral("http_req_failed")),
                 std::optional<MetricKind>(MetricKind::Rate));
        QCOMPARE(metricKind(QStringLiteral("dropped_iterations")),
                 std::optional<MetricKind>(MetricKind::Counter));
        QCOMPARE(metricKind(QStringLiteral("vus")), std::optional<MetricKind>(MetricKind::Gauge));
        QVERIFY(!metricKind(QStringLiteral("server_timing_")).has_value());
        QVERIFY(!metricKind(QStringLiteral("made_up")).has_value());
        QVERIFY(aggregationApplies(ThresholdExpression::Percentile, MetricKind::Trend));
        QVERIFY(!aggregationApplies(ThresholdExpression::Rate, MetricKind::Trend));
        QVERIFY(aggregationApplies(ThresholdExpression::Rate, MetricKind::Rate));
        QVERIFY(!aggregationApplies(ThresholdExpression::Avg, MetricKind::Rate));
        QVERIFY(aggregationApplies(ThresholdExpression::Count, MetricKind::Counter));
        QVERIFY(aggregationApplies(ThresholdExpression::Value, MetricKind::Gauge));
    }
};

LOADSCOPE_TEST_MAIN(TestThresholdExpression)
#include "tst_thresholdexpression.moc"
