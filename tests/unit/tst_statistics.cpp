#include <cmath>
#include <limits>

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

    void studentTDistribution()
    {
        // df = 1 is the Cauchy distribution: P(|T| > 1) = 1 − 2·atan(1)/π = 0.5.
        QVERIFY(std::abs(studentTwoSidedP(1, 1) - 0.5) < 1e-12);
        // df = 2 has a closed form: P(|T| > t) = 1 − t/√(2 + t²); t = 2 → 1 − 2/√6.
        QVERIFY(std::abs(studentTwoSidedP(2, 2) - (1 - 2 / std::sqrt(6.0))) < 1e-12);
        QVERIFY(std::abs(studentTwoSidedP(-2, 2) - (1 - 2 / std::sqrt(6.0))) < 1e-12);
        // Printed tables: t(0.975; 10) = 2.228139, t(0.975; 30) = 2.042272.
        QVERIFY(std::abs(studentTwoSidedP(2.228139, 10) - 0.05) < 1e-6);
        QVERIFY(std::abs(studentTwoSidedP(2.042272, 30) - 0.05) < 1e-6);
        // Fractional df (Welch–Satterthwaite) lies between its neighbours.
        const double p45 = studentTwoSidedP(2.5, 4.5);
        QVERIFY(p45 < studentTwoSidedP(2.5, 4) && p45 > studentTwoSidedP(2.5, 5));
        const double inf = std::numeric_limits<double>::infinity();
        QCOMPARE(studentTwoSidedP(1.959964, inf), normalTwoSidedP(1.959964));
        QCOMPARE(studentTwoSidedP(0, 7), 1.0);
        QCOMPARE(studentTwoSidedP(inf, 7), 0.0);
        QCOMPARE(studentTwoSidedP(1, 0), 1.0);
        // I_x(1, 1) = x and I_x(a, 1) = x^a.
        QVERIFY(std::abs(incompleteBeta(0.3, 1, 1) - 0.3) < 1e-12);
        QVERIFY(std::abs(incompleteBeta(0.6, 3, 1) - 0.216) < 1e-12);
        QCOMPARE(incompleteBeta(0, 2, 3), 0.0);
        QCOMPARE(incompleteBeta(1, 2, 3), 1.0);
    }

    void autocorrelationAndEffectiveSize()
    {
        // 1..8: deviations ±0.5 … ±3.5 from 4.5, Σd² = 42, Σ d_t·d_{t+1} = 26.25 → r1 = 0.625;
        // n_eff = 8·(1 − 0.625)/(1 + 0.625) = 1.846.
        const QList<double> trend{1, 2, 3, 4, 5, 6, 7, 8};
        QVERIFY(std::abs(lag1Autocorrelation(trend) - 0.625) < 1e-12);
        QVERIFY(std::abs(effectiveSampleSize(trend) - 8 * 0.375 / 1.625) < 1e-12);
        // Alternating values: r1 < 0, not credited: n_eff = n.
        const QList<double> alternating{1, -1, 1, -1, 1, -1};
        QVERIFY(lag1Autocorrelation(alternating) < 0);
        QCOMPARE(effectiveSampleSize(alternating), 6.0);
        // Constant or too short: no correlation to measure.
        QCOMPARE(lag1Autocorrelation({5, 5, 5, 5}), 0.0);
        QCOMPARE(effectiveSampleSize({5, 5, 5, 5}), 4.0);
        // A constant whose mean does not round back to it exactly is still constant.
        QCOMPARE(effectiveSampleSize(QList<double>(30, 38.992)), 30.0);
        QCOMPARE(lag1Autocorrelation({1, 2}), 0.0);
        // A strongly persistent series is worth n/19 at least (r1 clamped to 0.9).
        QList<double> steps;
        for (int i = 0; i < 38; ++i)
            steps.append(i < 19 ? 0 : 1);
        QVERIFY(lag1Autocorrelation(steps) > 0.9);
        QVERIFY(std::abs(effectiveSampleSize(steps) - 2.0) < 1e-12);
    }

    void holmBonferroni()
    {
        // Sorted 0.01, 0.03, 0.04 of a family of 3 (NaN not tested): 3·0.01 = 0.03,
        // 2·0.03 = 0.06, 1·0.04 = 0.04 → raised to 0.06 (adjusted values never decrease).
        const double nan = std::numeric_limits<double>::quiet_NaN();
        const QList<double> adjusted = holmAdjust({0.01, 0.04, 0.03, nan});
        QCOMPARE(adjusted.size(), 4);
        QVERIFY(std::abs(adjusted[0] - 0.03) < 1e-12);
        QVERIFY(std::abs(adjusted[1] - 0.06) < 1e-12);
        QVERIFY(std::abs(adjusted[2] - 0.06) < 1e-12);
        QVERIFY(std::isnan(adjusted[3]));
        QCOMPARE(holmAdjust({0.6, 0.5}), (QList<double>{1.0, 1.0})); // capped at 1
        QVERIFY(holmAdjust({}).isEmpty());
    }
};

LOADSCOPE_TEST_MAIN(TestStatistics)
#include "tst_statistics.moc"
