#include <cmath>

#include <QJsonArray>

#include "analysis/stressanalysis.h"
#include "testmain.h"

using namespace loadscope;

namespace {

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
    s.overall.totals.iterations = s.overall.totals.requests;
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

// Open-model staircase against a server that completes at most capacity req/s FIFO with an
// unbounded queue: levels of four 0.5 s intervals, the planned rate jumping inside the first
// interval of each level (as the engine reports it: planned at the interval's end). Latency is
// 1 ms plus the queue's wait at the end of the interval.
RunSummary capacityStaircase(double capacity, const QList<double> &rates)
{
    RunSummary s;
    s.openModel = true;
    double queue = 0;
    int index = 0;
    for (double rate : rates) {
        for (int k = 0; k < 4; ++k, ++index) {
            // The jump happens a quarter into the first interval.
            const double offered =
                k == 0 && index > 0 ? 0.25 * s.timeline.last().plannedTarget + 0.75 * rate : rate;
            const double arrivals = 0.5 * offered;
            const double served = std::min(queue + arrivals, 0.5 * capacity);
            queue += arrivals - served;
            const double p95 = 1.0 + 1000.0 * queue / capacity;
            IntervalSample i = interval(index, 0, 2 * served, p95, 0);
            i.intervalSec = 0.5;
            i.tSec = 0.5 * (index + 1);
            i.overall.totals.requests = qint64(std::llround(served));
            i.overall.totals.iterations = i.overall.totals.requests;
            i.overall.latency.count = i.overall.totals.requests;
            i.plannedTarget = rate;
            s.timeline.append(i);
        }
    }
    // The engine's last interval is short and reads planned 0.
    IntervalSample tail = interval(index, 0, 100, 500, 0);
    tail.intervalSec = 0.1;
    tail.plannedTarget = 0;
    s.timeline.append(tail);
    return s;
}

} // namespace

class TestStressAnalysis : public QObject
{
    Q_OBJECT

private slots:
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

    void staircaseKneeAndSustainedLandOnTheCapacity()
    {
        const RunSummary s = capacityStaircase(1000, {200, 400, 600, 800, 950, 1050, 1200, 1400});
        StressLimits limits;
        limits.p95LimitMs = 500;
        limits.errorRateLimit = 0.05;
        const StressAnalysis a = analyzeStress(s, limits);
        QVERIFY2(a.valid, qPrintable(a.message));
        // Band: the 200 and 400 levels (three steady intervals each, the first left out as
        // settling leaves two), p95 exactly 1 ms: limit 1 + max(0, 1, 2) = 3 ms.
        QCOMPARE(a.bandIntervals, 4);
        QCOMPARE(a.bandMaxLoad, 400.0);
        QCOMPARE(a.bandMedianP95Ms, 1.0);
        QCOMPARE(a.kneeLimitMs, 3.0);
        // 1050/s: 25 requests queue per 0.5 s, 25 ms more wait, from the first interval on.
        QCOMPARE(a.kneeLoad, 1050.0);
        QCOMPARE(a.kneeIndex, 20);
        QCOMPARE(a.kneeMetric, QStringLiteral("p95"));
        // 1050/s is still met to 95 % (1000 ≥ 997.5) within p95 < 500 ms; 1200/s is not.
        QVERIFY2(std::abs(a.maxSustainedRps - 1000) < 1,
                 qPrintable(QString::number(a.maxSustainedRps)));
        QCOMPARE(a.maxSustainedLoad, 1050.0);
        QVERIFY(a.kneeRule.contains(QStringLiteral("3.00 ms")));
        QVERIFY(a.sustainedRule.contains(QStringLiteral("95 % of the offered rate")));
        // One USL point per steady level; the ramping intervals are not points.
        QCOMPARE(a.usl.points, 8);
        int steady = 0;
        for (const StressLevel &l : a.levels)
            steady += l.steady ? 1 : 0;
        QCOMPARE(steady, 8);
        QCOMPARE(a.levels.size(), 8 + 8); // and each level's first, ramping (or warm-up) interval
        const QJsonObject json = a.toJson();
        QVERIFY(json.value(QStringLiteral("knee"))
                    .toObject()
                    .value(QStringLiteral("description"))
                    .toString()
                    .contains(QStringLiteral("1050 iterations/s")));
        QCOMPARE(json.value(QStringLiteral("levels")).toArray().size(), 16);
        QCOMPARE(json.value(QStringLiteral("band"))
                     .toObject()
                     .value(QStringLiteral("kneeLimitMs"))
                     .toDouble(),
                 3.0);
    }

    void defaultLatencyBoundKeepsSustainedBelowTheKnee()
    {
        // No thresholds: p95 ≤ 5 × the band's 1 ms. The 1050 level queues past it, so the
        // highest sustained level is 950/s.
        const StressAnalysis a =
            analyzeStress(capacityStaircase(1000, {200, 400, 600, 800, 950, 1050, 1200, 1400}));
        QCOMPARE(a.p95LimitMs, 5.0);
        QVERIFY(std::abs(a.maxSustainedRps - 950) < 1);
        QCOMPARE(a.maxSustainedOffered, 950.0);
        QCOMPARE(a.kneeLoad, 1050.0);
    }

    // Issue 17: a 15 s ramp whose p95 settled from a warm-up 6 ms to 4.5 ms, then jumped to 39 ms
    // at t = 13 s. The knee is the jump, not an earlier interval where latency had not risen.
    void kneeIsWhereLatencyRoseNotAWarmUpTrend()
    {
        RunSummary s;
        s.openModel = true;
        const QList<double> p95s{6.0, 5.2, 4.7, 4.5, 4.4, 4.6, 4.5, 4.4,
                                 4.6, 4.5, 4.5, 4.6, 39,  41,  44};
        for (int i = 0; i < p95s.size(); ++i) {
            IntervalSample x = interval(i, 0, 200.0 * (i + 1) - 100, p95s[i], 0);
            x.plannedTarget = 200.0 * (i + 1);
            s.timeline.append(x);
        }
        const StressAnalysis a = analyzeStress(s);
        QVERIFY2(a.kneeIndex == 12, qPrintable(a.toJson()
                                                   .value(QStringLiteral("knee"))
                                                   .toObject()
                                                   .value(QStringLiteral("description"))
                                                   .toString()));
        QCOMPARE(a.kneeP95Ms, 39.0);
        QCOMPARE(a.kneeMetric, QStringLiteral("p95"));
        // Every interval ramps: no steady level, so no USL points and no peak.
        QVERIFY(!a.usl.valid);
        QCOMPARE(a.usl.points, 0);
        QVERIFY(!a.usl.peakReported);
    }

    // Issue 17: a 5 s run that ran 4925 req/s at p95 4 ms without errors sustained at least that.
    void sustainedIsNeverBelowARateTheRunHeld()
    {
        RunSummary s;
        s.openModel = true;
        const QList<double> planned{1000, 2500, 4950, 4950, 4950};
        const QList<double> rps{500, 1750, 3700, 4925, 4925};
        for (int i = 0; i < planned.size(); ++i) {
            IntervalSample x = interval(i, 0, rps[i], 4.0, 0);
            x.plannedTarget = planned[i];
            s.timeline.append(x);
        }
        IntervalSample tail = interval(5, 0, 1500, 4.0, 0);
        tail.intervalSec = 0.3;
        tail.plannedTarget = 0;
        s.timeline.append(tail);
        s.thresholds.append({QStringLiteral("http_req_duration"), QStringLiteral("p(95)<500"), 4,
                             true, true, QString()});
        s.thresholds.append({QStringLiteral("http_req_failed"), QStringLiteral("rate<0.05"), 0,
                             true, true, QString()});
        const StressAnalysis a = analyzeStress(s, StressLimits::fromThresholds(s.thresholds));
        QVERIFY2(a.maxSustainedRps >= 4925, qPrintable(QString::number(a.maxSustainedRps)));
        QCOMPARE(a.maxSustainedOffered, 4950.0);
        QCOMPARE(a.kneeIndex, -1);
        QCOMPARE(a.firstFailure.intervalIndex, -1);
    }

    void errorsAloneMakeAKnee()
    {
        RunSummary s;
        int index = 0;
        for (int vus = 10; vus <= 60; vus += 10)
            for (int k = 0; k < 5; ++k, ++index)
                s.timeline.append(interval(index, vus, 100.0 * vus, 15, vus >= 50 ? 0.03 : 0));
        const StressAnalysis a = analyzeStress(s);
        QCOMPARE(a.kneeMetric, QStringLiteral("errorRate"));
        QCOMPARE(a.kneeLoad, 50.0);
        QCOMPARE(a.kneeIndex, 20);
        QVERIFY(a.toJson()
                    .value(QStringLiteral("knee"))
                    .toObject()
                    .value(QStringLiteral("description"))
                    .toString()
                    .contains(QStringLiteral("error rate 3.00 %")));
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
