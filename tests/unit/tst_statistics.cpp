#include <cmath>

#include "analysis/statistics.h"
#include "testmain.h"

using namespace loadscope;

class TestStatistics : public QObject
{
    Q_OBJECT

private slots:
    void mannWhitneyExactSmallSample()
    {
        // Completely separated samples of 5: U = 0; exact two-sided p = 2 / C(10,5) = 2/252.
        const MannWhitneyResult r = mannWhitneyU({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10});
        QCOMPARE(r.n1, 5);
        QCOMPARE(r.n2, 5);
        QCOMPARE(r.u, 0.0);
        QCOMPARE(r.u1, 0.0);
        QVERIFY(r.exact);
        QVERIFY(std::abs(r.pValue - 2.0 / 252.0) < 1e-12);
        QVERIFY(r.z < 0); // a is the smaller sample
    }

    void mannWhitneyWithTies()
    {
        // Hand-computed: ranks 1, 3, 3, 5 for a (the three 2s share ranks 2..4), so R1 = 12,
        // U1 = 12 − 10 = 2, U2 = 10; μ = 6; σ² = 4·3/12 · (8 − 24/42) = 7.4286;
        // z = −(|2 − 6| − 0.5)/2.7255 = −1.2841; p = 0.1991.
        const MannWhitneyResult r = mannWhitneyU({1, 2, 2, 3}, {2, 4, 5});
        QCOMPARE(r.u1, 2.0);
        QCOMPARE(r.u, 2.0);
        QVERIFY(!r.exact);
        QVERIFY(std::abs(r.z + 1.2841) < 1e-3);
        QVERIFY(std::abs(r.pValue - 0.19909) < 1e-4);
    }

    void mannWhitneyNormalApproximationLargeSamples()
    {
        // 21 even and 21 odd numbers (no ties, 441 pairs): the normal approximation is used.
        QList<double> a, b;
        for (int i = 0; i < 21; ++i) {
            a.append(2 * i);
            b.append(2 * i + 11);
        }
        const MannWhitneyResult r = mannWhitneyU(a, b);
        QVERIFY(!r.exact);
        // b[j] = 2j + 11 is above a[i] = 2i exactly when i ≥ j + 6: U1 = Σ_{j=0..14} (15 − j) =
        // 120.
        QCOMPARE(r.u1, 120.0);
        const double sigma = std::sqrt(21.0 * 21.0 * 43.0 / 12.0);
        const double z = -(220.5 - 120.0 - 0.5) / sigma;
        QVERIFY(std::abs(r.z - z) < 1e-9);
        QVERIFY(std::abs(r.pValue - std::erfc(std::abs(z) / std::sqrt(2.0))) < 1e-12);
        QVERIFY(r.pValue < 0.05);
    }

    void mannWhitneyIdenticalSamples()
    {
        QCOMPARE(mannWhitneyU({5, 5, 5}, {5, 5, 5}).pValue, 1.0);
        const MannWhitneyResult same = mannWhitneyU({1, 2, 3, 4, 5, 6}, {1, 2, 3, 4, 5, 6});
        QCOMPARE(same.pValue, 1.0);
        QCOMPARE(same.z, 0.0);
        QCOMPARE(mannWhitneyU({}, {1, 2}).pValue, 1.0);
    }

    void medianAndMad()
    {
        QCOMPARE(median({}), 0.0);
        QCOMPARE(median({3, 1, 2}), 2.0);
        QCOMPARE(median({4, 1, 3, 2}), 2.5);
        // deviations from 3: 2 1 0 1 97 → median 1
        QCOMPARE(mad({1, 2, 3, 4, 100}), 1.0);
        QCOMPARE(mean({1, 2, 3, 4}), 2.5);
        QVERIFY(std::abs(stddev({2, 4, 4, 4, 5, 5, 7, 9}) - 2.13809) < 1e-5);
    }

    void robustZScores()
    {
        const QList<double> ref{10, 11, 9, 10, 12, 8, 10};
        // median 10, MAD 1 → z = 0.6745·(20 − 10)/1
        QVERIFY(std::abs(robustZ(20, ref) - 6.745) < 1e-9);
        QCOMPARE(robustZ(10, ref), 0.0);
        QVERIFY(robustZ(5, ref) < 0);
        // MAD 0: the mean absolute deviation (×1.2533) takes over; all equal: 0 or infinity.
        const QList<double> mostlyFlat{10, 10, 10, 10, 20};
        QVERIFY(std::abs(robustZ(20, mostlyFlat) - 10.0 / (1.2533 * 2.0)) < 1e-9);
        QCOMPARE(robustZ(10, {10, 10, 10}), 0.0);
        QVERIFY(std::isinf(robustZ(11, {10, 10, 10})));
    }

    void linearFitRecoversLine()
    {
        const LinearFit fit = linearFit({1, 2, 3, 4}, {3, 5, 7, 9});
        QCOMPARE(fit.n, 4);
        QVERIFY(std::abs(fit.slope - 2) < 1e-12);
        QVERIFY(std::abs(fit.intercept - 1) < 1e-12);
        QVERIFY(std::abs(fit.r2 - 1) < 1e-12);
        QVERIFY(std::abs(fit.at(10) - 21) < 1e-9);
        const LinearFit noisy = linearFit({1, 2, 3, 4}, {1, 3, 2, 4});
        QVERIFY(noisy.r2 > 0 && noisy.r2 < 1);
        QCOMPARE(linearFit({1, 1, 1}, {1, 2, 3}).n, 0); // x constant
        QCOMPARE(linearFit({1}, {1}).n, 0);
    }
};

LOADSCOPE_TEST_MAIN(TestStatistics)
#include "tst_statistics.moc"
