#include <cmath>

#include "analysis/stressanalysis.h"
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

IntervalSample interval(int index, int vus, double rps, double p95Ms, double errorRate)
{
    IntervalSample s;
    s.index = index;
    s.tSec = index + 1;
    s.activeVus = vus;
    s.plannedTarget = vus;
    s.overall.totals.requests = qint64(std::llround(rps));
    s.overall.totals.errors = qint64(std::llround(rps * errorRate));
    s.overall.totals.errorsByClass[size_t(ErrorClass::Timeout)] = s.overall.totals.errors;
    s.overall.latency.count = s.overall.totals.requests;
    s.overall.latency.p95Ms = p95Ms;
    s.overall.latency.meanMs = p95Ms / 1.5;
    return s;
}

// Closed-model stress ramp: 10 → 120 VUs, +10 every 5 s. Capacity 5000 req/s reached at 50
// VUs; p95 is flat at 15 ms up to there, then explodes; timeouts start at 90 VUs.
RunSummary stressRamp()
{
    RunSummary s;
    int index = 0;
    for (int vus = 10; vus <= 120; vus += 10) {
        for (int k = 0; k < 5; ++k, ++index) {
            const double rps = std::min(100.0 * vus, 5000.0) * (1 + 0.01 * wobble(index));
            const double over = std::max(0.0, (vus - 50) / 10.0);
            const double p95 = 15 * (1 + over) * (1 + over) * (1 + 0.02 * wobble(index + 99));
            const double errors = vus >= 90 ? 0.05 : 0.0;
            s.timeline.append(interval(index, vus, rps, p95, errors));
            s.totals.add(s.timeline.last().overall.totals);
        }
    }
    s.durationSec = index;
    s.maxVus = 120;
    return s;
}

} // namespace

class TestStressAnalysis : public QObject
{
    Q_OBJECT

private slots:
    void uslRecoversKnownParameters()
    {
        QList<QPair<double, double>> points;
        int i = 0;
        for (double n : {1, 2, 4, 8, 12, 16, 20, 24, 32, 40, 48, 56, 64})
            points.append({n, usl(n, 1000, 0.05, 0.001) * (1 + 0.002 * wobble(i++))});
        const UslFit fit = fitUsl(points);
        QVERIFY2(fit.valid, qPrintable(fit.message));
        QCOMPARE(fit.points, 13);
        QVERIFY2(std::abs(fit.lambda - 1000) < 20, qPrintable(QString::number(fit.lambda)));
        QVERIFY2(std::abs(fit.sigma - 0.05) < 0.005, qPrintable(QString::number(fit.sigma)));
        QVERIFY2(std::abs(fit.kappa - 0.001) < 0.0001, qPrintable(QString::number(fit.kappa)));
        QVERIFY(fit.r2 > 0.999);
        const double nStar = std::sqrt(0.95 / 0.001); // 30.8
        QVERIFY2(std::abs(fit.peakConcurrency - nStar) / nStar < 0.05,
                 qPrintable(QString::number(fit.peakConcurrency)));
        const double xStar = usl(nStar, 1000, 0.05, 0.001);
        QVERIFY(std::abs(fit.peakThroughput - xStar) / xStar < 0.02);
        QVERIFY(std::abs(fit.at(10) / usl(10, 1000, 0.05, 0.001) - 1) < 0.01);
    }

    void uslExactDataIsExact()
    {
        QList<QPair<double, double>> points;
        for (double n = 1; n <= 50; n += 7)
            points.append({n, usl(n, 250, 0.1, 0.0005)});
        const UslFit fit = fitUsl(points);
        QVERIFY(std::abs(fit.lambda - 250) < 0.5);
        QVERIFY(std::abs(fit.sigma - 0.1) < 0.001);
        QVERIFY(std::abs(fit.kappa - 0.0005) < 0.00001);
    }

    void uslLinearScalingHasNoPeak()
    {
        const UslFit fit = fitUsl({{1, 100}, {2, 200}, {4, 400}, {8, 800}});
        QVERIFY(fit.valid);
        QVERIFY(std::abs(fit.lambda - 100) < 0.5);
        QVERIFY(fit.sigma < 0.001);
        QVERIFY(fit.kappa < 1e-6);
        QVERIFY(fit.kappa == 0 || fit.peakConcurrency > 1000);
    }

    void uslNeedsThreeLevels()
    {
        const UslFit fit = fitUsl({{1, 100}, {2, 190}, {2, 195}});
        QVERIFY(!fit.valid);
        QVERIFY(fit.message.contains(QStringLiteral("three")));
        QVERIFY(fit.toJson().value(QStringLiteral("peakConcurrency")).isNull());
    }

    void stressFindsKneeSustainedRateAndFirstFailure()
    {
        RunSummary s = stressRamp();
        s.thresholds.append({QStringLiteral("http_req_duration"), QStringLiteral("p(95)<200"), 0,
                             false, false, QString()});
        s.thresholds.append({QStringLiteral("http_req_failed"), QStringLiteral("rate<0.01"), 0,
                             false, false, QString()});
        const StressLimits limits = StressLimits::fromThresholds(s.thresholds);
        QCOMPARE(limits.p95LimitMs, 200.0);
        QCOMPARE(limits.errorRateLimit, 0.01);

        const StressAnalysis a = analyzeStress(s, limits);
        QVERIFY2(a.valid, qPrintable(a.message));
        // Latency leaves its flat line at the first 60-VU interval (index 25).
        QCOMPARE(a.kneeIndex, 25);
        QCOMPARE(a.kneeLoad, 60.0);
        QVERIFY(std::abs(a.kneeExpectedP95Ms - 15) < 1);
        // Highest throughput within p95 < 200 ms and errors < 1 %: the 5000 req/s plateau,
        // reached from 50 VUs and held up to 70 VUs (p95 135 ms; 80 VUs gives 240 ms).
        QVERIFY(std::abs(a.maxSustainedRps - 5000) < 60);
        QVERIFY(a.maxSustainedLoad >= 50 && a.maxSustainedLoad <= 70);
        QVERIFY(a.maxSustainedP95Ms <= 200);
        // p95 crossed 200 ms at 80 VUs (index 35) before the timeouts began at 90 VUs.
        QCOMPARE(a.firstFailure.metric, QStringLiteral("p95"));
        QCOMPARE(a.firstFailure.intervalIndex, 35);
        QCOMPARE(a.firstFailure.load, 80.0);
        QVERIFY(a.firstFailure.description.contains(QStringLiteral("p(95)<200")));
        QCOMPARE(a.failedThresholds.size(), 2);
        QVERIFY(a.usl.valid);
        QVERIFY(a.usl.peakConcurrency > 30 && a.usl.peakConcurrency < 120);
        const QJsonObject json = a.toJson();
        QCOMPARE(
            json.value(QStringLiteral("knee")).toObject().value(QStringLiteral("load")).toDouble(),
            60.0);
        QCOMPARE(json.value(QStringLiteral("firstFailure"))
                     .toObject()
                     .value(QStringLiteral("metric"))
                     .toString(),
                 QStringLiteral("p95"));
    }

    void errorsCanFailFirst()
    {
        RunSummary s = stressRamp();
        StressLimits limits;
        limits.p95LimitMs = 1000; // latency never fails; timeouts at 90 VUs do
        const StressAnalysis a = analyzeStress(s, limits);
        QCOMPARE(a.firstFailure.metric, QStringLiteral("errorRate"));
        QCOMPARE(a.firstFailure.load, 90.0);
        QCOMPARE(a.firstFailure.errorClass, QStringLiteral("timeout"));
        QVERIFY(a.firstFailure.description.contains(QStringLiteral("timeout")));
    }

    void defaultBoundFollowsEarlyLatency()
    {
        const StressAnalysis a = analyzeStress(stressRamp());
        QVERIFY(std::abs(a.p95LimitMs - 75) < 3); // 5 × the early 15 ms
        QCOMPARE(a.firstFailure.metric, QStringLiteral("p95"));
        QCOMPARE(a.firstFailure.load, 70.0); // 15·3² = 135 ms > 75 ms
    }

    void healthyRampHasNoKneeAndNoFailure()
    {
        RunSummary s;
        int index = 0;
        for (int vus = 10; vus <= 60; vus += 10)
            for (int k = 0; k < 5; ++k, ++index)
                s.timeline.append(
                    interval(index, vus, 100.0 * vus, 15 * (1 + 0.02 * wobble(index)), 0));
        s.durationSec = index;
        const StressAnalysis a = analyzeStress(s);
        QVERIFY(a.valid);
        QCOMPARE(a.kneeIndex, -1);
        QCOMPARE(a.firstFailure.intervalIndex, -1);
        QVERIFY(a.toJson().value(QStringLiteral("firstFailure")).isNull());
        QVERIFY(std::abs(a.maxSustainedRps - 6000) < 200);
    }

    void tooShortRunSaysWhy()
    {
        RunSummary s;
        s.timeline.append(interval(0, 1, 10, 5, 0));
        const StressAnalysis a = analyzeStress(s);
        QVERIFY(!a.valid);
        QVERIFY(a.message.contains(QStringLiteral("at least 4 intervals")));
    }
};

LOADSCOPE_TEST_MAIN(TestStressAnalysis)
#include "tst_stressanalysis.moc"
