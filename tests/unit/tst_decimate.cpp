#include <algorithm>
#include <cmath>

#include "analysis/decimate.h"
#include "testmain.h"

using namespace loadscope;

namespace {

// One hour of 1 s intervals at a flat 10 ms, with a 900 ms spike in interval @p spikeAt and a
// 1 ms dip in interval @p dipAt.
void hour(QVector<double> &keys, QVector<double> &values, int spikeAt, int dipAt)
{
    for (int i = 0; i < 3600; ++i) {
        keys.append(i + 1);
        values.append(i == spikeAt ? 900.0 : i == dipAt ? 1.0 : 10.0);
    }
}

} // namespace

class TestDecimate final : public QObject
{
    Q_OBJECT

private slots:
    void spikeSurvivesFiveHundredColumns_data()
    {
        QTest::addColumn<int>("spikeAt");
        QTest::newRow("first") << 0;
        QTest::newRow("middle") << 1801;
        QTest::newRow("last") << 3599;
    }

    void spikeSurvivesFiveHundredColumns()
    {
        QFETCH(int, spikeAt);
        QVector<double> keys, values;
        hour(keys, values, spikeAt, 1000);
        const DecimatedSeries d = decimateMinMax(keys, values, 500);
        QVERIFY(d.keys.size() <= 1000);
        QCOMPARE(d.keys.size(), d.values.size());
        // The spike keeps its value and its second; the dip survives too.
        const auto spike = std::find(d.values.cbegin(), d.values.cend(), 900.0);
        QVERIFY(spike != d.values.cend());
        QCOMPARE(d.keys.at(spike - d.values.cbegin()), double(spikeAt + 1));
        QCOMPARE(*std::min_element(d.values.cbegin(), d.values.cend()), 1.0);
        QVERIFY(std::is_sorted(d.keys.cbegin(), d.keys.cend()));
        // Every point is one of the input's.
        for (int i = 0; i < d.keys.size(); ++i)
            QCOMPARE(d.values.at(i), values.at(int(d.keys.at(i)) - 1));
    }

    void bucketsKeepMinThenMaxInKeyOrder()
    {
        // 8 points into 2 columns: [5 1 7 3] keeps 1 (k2) and 7 (k3), [2 8 6 4] keeps 2 (k5)
        // and 8 (k6), each pair in key order.
        const QVector<double> keys = {1, 2, 3, 4, 5, 6, 7, 8};
        const QVector<double> values = {5, 1, 7, 3, 2, 8, 6, 4};
        const DecimatedSeries d = decimateMinMax(keys, values, 2);
        QCOMPARE(d.keys, (QVector<double>{2, 3, 5, 6}));
        QCOMPARE(d.values, (QVector<double>{1, 7, 2, 8}));
    }

    void shortSeriesUnchanged()
    {
        const QVector<double> keys = {1, 2, 3};
        const QVector<double> values = {3, 1, 2};
        const DecimatedSeries d = decimateMinMax(keys, values, 500);
        QCOMPARE(d.keys, keys);
        QCOMPARE(d.values, values);
    }

    void nanBucketStaysAGap()
    {
        QVector<double> keys, values;
        for (int i = 0; i < 100; ++i) {
            keys.append(i);
            values.append(i >= 50 && i < 60 ? qQNaN() : 1.0);
        }
        const DecimatedSeries d = decimateMinMax(keys, values, 10);
        QCOMPARE(std::count_if(d.values.cbegin(), d.values.cend(),
                               [](double v) { return std::isnan(v); }),
                 1);
    }
};

LOADSCOPE_TEST_MAIN(TestDecimate)
#include "tst_decimate.moc"
