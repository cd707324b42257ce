#include <cmath>

#include "analysis/usl.h"
#include "testmain.h"

using namespace loadscope;

namespace {

double usl(double n, double lambda, double sigma, double kappa)
{
    return lambda * n / (1 + sigma * (n - 1) + kappa * n * (n - 1));
}

// Deterministic noise in [−1, 1].
double wobble(int i)
{
    return std::sin(i * 12.9898) * 0.999;
}

QList<QPair<double, double>> curve(const QList<double> &ns, double lambda, double sigma,
                                   double kappa, double noise)
{
    QList<QPair<double, double>> points;
    int i = 0;
    for (double n : ns)
        points.append({n, usl(n, lambda, sigma, kappa) * (1 + noise * wobble(i++))});
    return points;
}

bool near(double value, double expected, double relative)
{
    return std::abs(value - expected) <= relative * std::abs(expected);
}

QString describe(const UslFit &f)
{
    return QStringLiteral("λ=%1 σ=%2 κ=%3 R²=%4 iterations=%5 valid=%6 peak=%7: %8")
        .arg(f.lambda)
        .arg(f.sigma)
        .arg(f.kappa)
        .arg(f.r2)
        .arg(f.iterations)
        .arg(f.valid)
        .arg(f.peakReported)
        .arg(f.message);
}

} // namespace

class TestUsl : public QObject
{
    Q_OBJECT

private slots:
    // Oracles are the parameters the points were generated from; N* = sqrt((1−σ)/κ) and
    // X(N*) are computed here by hand from them, not by the code under test.
    void recoversKnownParameters_data()
    {
        QTest::addColumn<QList<double>>("ns");
        QTest::addColumn<double>("lambda");
        QTest::addColumn<double>("sigma");
        QTest::addColumn<double>("kappa");
        QTest::addColumn<double>("noise");
        QTest::addColumn<double>("tolerance");
        const QList<double> wide{1, 2, 4, 8, 16, 24, 32, 48, 64, 80};
        QTest::newRow("λ1000 σ0.05 κ0.0005 exact")
            << wide << 1000.0 << 0.05 << 0.0005 << 0.0 << 0.001;
        QTest::newRow("λ1000 σ0.05 κ0.0005 ±0.5%")
            << wide << 1000.0 << 0.05 << 0.0005 << 0.005 << 0.05;
        QTest::newRow("λ250 σ0.1 κ0.002 ±1%") << QList<double>{1, 3, 6, 10, 15, 20, 25, 30, 40}
                                              << 250.0 << 0.1 << 0.002 << 0.01 << 0.05;
        QTest::newRow("λ40 σ0.3 κ0.01 exact")
            << QList<double>{1, 2, 3, 5, 8, 10, 13, 16} << 40.0 << 0.3 << 0.01 << 0.0 << 0.001;
        QTest::newRow("λ5000 σ0.02 κ0.00002 ±0.3%")
            << QList<double>{1, 10, 25, 50, 100, 150, 200, 300} << 5000.0 << 0.02 << 0.00002
            << 0.003 << 0.05;
    }
    void recoversKnownParameters()
    {
        QFETCH(QList<double>, ns);
        QFETCH(double, lambda);
        QFETCH(double, sigma);
        QFETCH(double, kappa);
        QFETCH(double, noise);
        QFETCH(double, tolerance);
        const UslFit fit = fitUsl(curve(ns, lambda, sigma, kappa, noise));
        QVERIFY2(fit.valid && fit.peakReported, qPrintable(describe(fit)));
        QCOMPARE(fit.points, int(ns.size()));
        QVERIFY2(near(fit.lambda, lambda, tolerance), qPrintable(describe(fit)));
        QVERIFY2(near(fit.sigma, sigma, tolerance), qPrintable(describe(fit)));
        QVERIFY2(near(fit.kappa, kappa, tolerance), qPrintable(describe(fit)));
        QVERIFY2(fit.r2 > 0.99, qPrintable(describe(fit)));
        QVERIFY(fit.relativeResidualRms <= noise + 1e-6);
        const double nStar = std::sqrt((1 - sigma) / kappa);
        QVERIFY2(near(fit.peakConcurrency, nStar, tolerance),
                 qPrintable(QString::number(fit.peakConcurrency)));
        QVERIFY(near(fit.peakThroughput, usl(nStar, lambda, sigma, kappa), tolerance));
    }

    void sigmaAtItsLowerBound()
    {
        // Pure coherency cost: σ = 0 sits on the bound; the fit must stay there, not go negative.
        const UslFit fit = fitUsl(curve({1, 10, 30, 60, 100, 140, 180}, 50, 0, 0.0001, 0.002));
        QVERIFY2(fit.valid && fit.peakReported, qPrintable(describe(fit)));
        QVERIFY2(fit.sigma >= 0 && fit.sigma < 0.002, qPrintable(describe(fit)));
        QVERIFY(near(fit.kappa, 0.0001, 0.05));
        QVERIFY(near(fit.peakConcurrency, 100, 0.05));
    }

    void linearScalingHasNoPeak()
    {
        const UslFit fit = fitUsl({{1, 100}, {2, 200}, {4, 400}, {8, 800}});
        QVERIFY2(fit.valid, qPrintable(describe(fit)));
        QVERIFY(near(fit.lambda, 100, 0.005));
        QVERIFY(fit.sigma < 0.001);
        QVERIFY(!fit.peakReported);
        QVERIFY(fit.message.contains(QStringLiteral("linearly")));
        QVERIFY(fit.toJson().value(QStringLiteral("peakThroughput")).isNull());
    }

    void contentionWithoutCoherencyHasACeilingNotAPeak()
    {
        // Amdahl: X → λ/σ = 2000 req/s, never down.
        const UslFit fit = fitUsl(curve({1, 2, 4, 8, 16, 32, 64}, 200, 0.1, 0, 0));
        QVERIFY2(fit.valid, qPrintable(describe(fit)));
        QVERIFY(near(fit.sigma, 0.1, 0.01));
        QVERIFY(!fit.peakReported);
        QVERIFY2(fit.message.contains(QStringLiteral("2000.0 req/s")), qPrintable(fit.message));
        QVERIFY(std::isnan(fit.peakConcurrency));
    }

    void peakFarBeyondTheMeasuredRangeIsNotReported()
    {
        // N* = sqrt(0.98 / 0.0004) ≈ 49.5, measured only up to 16.
        const UslFit fit = fitUsl(curve({1, 2, 4, 8, 12, 16}, 1000, 0.02, 0.0004, 0));
        QVERIFY2(fit.valid, qPrintable(describe(fit)));
        QVERIFY(near(fit.kappa, 0.0004, 0.01));
        QVERIFY(!fit.peakReported);
        QVERIFY2(fit.message.contains(QStringLiteral("beyond")), qPrintable(fit.message));
    }

    void tooFewLevelsSayWhy()
    {
        const UslFit fit = fitUsl({{1, 100}, {2, 190}, {2, 195}, {4, 300}});
        QVERIFY(!fit.valid);
        QVERIFY(!fit.peakReported);
        QCOMPARE(fit.distinctLevels, 3);
        QVERIFY2(fit.message.contains(QStringLiteral("4 or more distinct")),
                 qPrintable(fit.message));
        QVERIFY(fit.toJson().value(QStringLiteral("peakConcurrency")).isNull());
    }

    void poorFitIsNotAPeak()
    {
        // Throughput jumping around with no relation to concurrency.
        const UslFit fit = fitUsl({{1, 900}, {2, 100}, {3, 1000}, {4, 150}, {5, 950}, {6, 120}});
        QVERIFY(!fit.valid);
        QVERIFY(!fit.peakReported);
        QVERIFY(fit.r2 < UslFit::kMinR2);
        QVERIFY2(fit.message.contains(QStringLiteral("fits poorly")), qPrintable(fit.message));
        QVERIFY(fit.toJson().value(QStringLiteral("peakThroughput")).isNull());
    }

    void badPointsAreIgnored()
    {
        QList<QPair<double, double>> points =
            curve({1, 4, 8, 16, 32, 48, 64}, 1000, 0.05, 0.0005, 0);
        points.append({0, 5000});
        points.append({-3, 100});
        points.append({8, qQNaN()});
        const UslFit fit = fitUsl(points);
        QCOMPARE(fit.points, 7);
        QVERIFY(near(fit.sigma, 0.05, 0.001));
    }
};

LOADSCOPE_TEST_MAIN(TestUsl)
#include "tst_usl.moc"
