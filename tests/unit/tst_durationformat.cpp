// The one time formatter: unit and digits by hand, and the change that is no measurement.
#include <cmath>
#include <limits>

#include "metrics/durationformat.h"
#include "metrics/latencyhistogram.h"
#include "metrics/runmetrics.h"
#include "testmain.h"

using namespace loadscope;

class TestDurationFormat : public QObject
{
    Q_OBJECT

private slots:
    void threeSignificantDigits_data()
    {
        QTest::addColumn<double>("ms");
        QTest::addColumn<QString>("text");
        QTest::newRow("zero") << 0.0 << QStringLiteral("0 µs");
        QTest::newRow("3 µs") << 0.003 << QStringLiteral("3 µs");
        QTest::newRow("2.5 µs mean") << 0.0025 << QStringLiteral("2.50 µs");
        QTest::newRow("12.34 µs") << 0.01234 << QStringLiteral("12.3 µs");
        QTest::newRow("250 µs") << 0.25 << QStringLiteral("250 µs");
        QTest::newRow("999.7 µs rounds up a unit") << 0.9997 << QStringLiteral("1.00 ms");
        QTest::newRow("1.234 ms") << 1.234 << QStringLiteral("1.23 ms");
        QTest::newRow("45.66 ms") << 45.66 << QStringLiteral("45.7 ms");
        QTest::newRow("312.4 ms") << 312.4 << QStringLiteral("312 ms");
        QTest::newRow("1234 ms") << 1234.0 << QStringLiteral("1.23 s");
        QTest::newRow("12.34 s") << 12340.0 << QStringLiteral("12.3 s");
        QTest::newRow("1 h") << 3.6e6 << QStringLiteral("3600 s");
        QTest::newRow("negative") << -0.002 << QStringLiteral("-2 µs");
        QTest::newRow("NaN") << std::numeric_limits<double>::quiet_NaN() << QStringLiteral("–");
    }
    void threeSignificantDigits()
    {
        QFETCH(double, ms);
        QFETCH(QString, text);
        QCOMPARE(formatDurationMs(ms), text);
    }

    void histogramToTextKeepsZeroAndMicroseconds()
    {
        // 0 and 3 µs through the histogram, its millisecond statistics and the formatter: the
        // path every report takes. Before, 0 read as "0.001 ms" and min as 1 µs.
        LatencyHistogram h;
        h.record(0);
        h.record(3);
        const LatencyStats s = LatencyStats::fromHistogram(h);
        QCOMPARE(s.minMs, 0.0);
        QCOMPARE(formatDurationMs(s.minMs), QStringLiteral("0 µs"));
        QCOMPARE(formatDurationMs(s.maxMs), QStringLiteral("3 µs"));
        QCOMPARE(formatDurationMs(s.meanMs), QStringLiteral("1.50 µs"));
    }

    void changesBelowResolutionAreNotPercentages_data()
    {
        QTest::addColumn<double>("before");
        QTest::addColumn<double>("after");
        QTest::addColumn<bool>("hasPct");
        QTest::addColumn<QString>("text");
        QTest::newRow("0 → 1 µs (the +100 % of the issue)")
            << 0.0 << 0.001 << false << QStringLiteral("+1 µs");
        QTest::newRow("0 → 0") << 0.0 << 0.0 << false << QStringLiteral("±0 µs");
        QTest::newRow("1 → 2 µs: one step") << 0.001 << 0.002 << false << QStringLiteral("+1 µs");
        QTest::newRow("0 → 3 µs") << 0.0 << 0.003 << false << QStringLiteral("+3 µs");
        QTest::newRow("3 → 5 µs") << 0.003 << 0.005 << true << QStringLiteral("+66.7 %");
        QTest::newRow("10 → 8 ms") << 10.0 << 8.0 << true << QStringLiteral("-20.0 %");
        QTest::newRow("5 → 5 ms") << 5.0 << 5.0 << false << QStringLiteral("±0 µs");
    }
    void changesBelowResolutionAreNotPercentages()
    {
        QFETCH(double, before);
        QFETCH(double, after);
        QFETCH(bool, hasPct);
        QFETCH(QString, text);
        QCOMPARE(relativeChangePct(before, after).has_value(), hasPct);
        QCOMPARE(formatTimeChange(before, after), text);
    }
};

LOADSCOPE_TEST_MAIN(TestDurationFormat)
#include "tst_durationformat.moc"
