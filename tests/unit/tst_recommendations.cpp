#include <cmath>
#include <functional>

#include "analysis/recommendations.h"
#include "testmain.h"

using namespace loadscope;

namespace {

constexpr qint64 kRequests = 30000;

LatencyHistogram histogram(std::initializer_list<QPair<qint64, qint64>> valueUsAndCount)
{
    LatencyHistogram h;
    for (const auto &[value, count] : valueUsAndCount)
        h.recordN(value, count);
    return h;
}

IntervalSample interval(int index, int vus, double rps, double p95Ms, double meanMs,
                        double errorRate)
{
    IntervalSample s;
    s.index = index;
    s.tSec = index + 1;
    s.activeVus = vus;
    s.plannedTarget = vus;
    s.overall.totals.requests = qint64(std::llround(rps));
    s.overall.totals.errors = qint64(std::llround(rps * errorRate));
    s.overall.latency.count = s.overall.totals.requests;
    s.overall.latency.p95Ms = p95Ms;
    s.overall.latency.meanMs = meanMs;
    return s;
}

// A healthy 30 s run at 20 VUs: 1000 req/s, p50 9 ms, p99 28 ms, 2 KiB responses, connections
// reused, a balanced Server-Timing breakdown, one endpoint, the generator at 40 % CPU.
RecommendationInput healthy()
{
    RecommendationInput in;
    RunSummary &s = in.summary;
    s.durationSec = 30;
    for (int i = 0; i < 30; ++i)
        s.timeline.append(interval(i, 20, 1000, 18, 11.3, 0));
    s.totals.requests = kRequests;
    s.totals.iterations = kRequests;
    s.totals.bytesIn = kRequests * 2048;
    s.duration = histogram({{9000, 15000}, {12000, 12000}, {18000, 2400}, {28000, 600}});
    s.iterationDuration = histogram({{10500, kRequests}});
    s.timings.insert(QStringLiteral("connecting"), histogram({{0, kRequests - 20}, {1000, 20}}));
    s.timings.insert(QStringLiteral("receiving"), histogram({{200, kRequests}}));
    s.serverTiming.insert(QStringLiteral("inference"), histogram({{3000, kRequests}}));
    s.serverTiming.insert(QStringLiteral("db"), histogram({{2000, kRequests}}));
    s.serverTiming.insert(QStringLiteral("total"), histogram({{6000, kRequests}}));
    EndpointSummary e;
    e.name = QStringLiteral("POST /api/bridge/predict");
    e.totals = s.totals;
    e.duration = s.duration;
    s.endpoints.append(e);
    in.generatorCpuPct = QList<double>(30, 40.0);
    in.machineCpuPct = QList<double>(30, 50.0);
    in.targetCpuPct = QList<double>(30, 60.0);
    in.workerThreads = 2;
    return in;
}

// Closed-model ramp 10 → 80 VUs, 5 intervals per level, throughput min(100·N, cap);
// p95 and (Little's law) mean latency grow once the cap is reached when latencyRises.
void setRamp(RunSummary &s, double cap, bool latencyRises,
             const std::function<double(int)> &errorRateAt = nullptr)
{
    s.timeline.clear();
    int index = 0;
    for (int vus = 10; vus <= 80; vus += 10) {
        for (int k = 0; k < 5; ++k, ++index) {
            const double x = std::min(100.0 * vus, cap);
            const double mean = latencyRises ? 1000.0 * vus / x : 10.0;
            s.timeline.append(
                interval(index, vus, x, 1.5 * mean, mean, errorRateAt ? errorRateAt(vus) : 0.0));
        }
    }
}

const Recommendation *findArea(const QList<Recommendation> &list, const QString &area)
{
    for (const Recommendation &r : list)
        if (r.area == area)
            return &r;
    return nullptr;
}

} // namespace

class TestRecommendations : public QObject
{
    Q_OBJECT

private slots:
    void healthyRunIsSilent()
    {
        const QList<Recommendation> found = recommend(healthy());
        for (const Recommendation &r : found)
            qWarning() << "unexpected:" << r.title;
        QVERIFY(found.isEmpty());
        QVERIFY(!resultsUntrustworthy(found));
        QVERIFY(recommend(RecommendationInput{}).isEmpty()); // an empty run says nothing
    }

    void generatorCpuSaturated()
    {
        RecommendationInput in = healthy();
        in.generatorCpuPct = QList<double>(30, 190.0); // 95 % of each of 2 threads
        const QList<Recommendation> found = recommend(in);
        QCOMPARE(found.size(), 1);
        const Recommendation &r = found.first();
        QCOMPARE(r.area, QStringLiteral("load generator"));
        QCOMPARE(r.impact, QStringLiteral("critical"));
        QVERIFY(r.detail.contains(QStringLiteral("95.0 %")));
        QVERIFY(r.title.contains(QStringLiteral("not trustworthy")));
        QVERIFY(r.estimatedImprovement.contains(QStringLiteral("~3 worker threads")));
        QVERIFY(resultsUntrustworthy(found));

        in.generatorCpuPct = QList<double>(30, 150.0); // 75 % per thread: fine
        QVERIFY(recommend(in).isEmpty());
        in.machineCpuPct = QList<double>(30, 97.0);
        const QList<Recommendation> machine = recommend(in);
        QCOMPARE(machine.size(), 1);
        QVERIFY(machine.first().detail.contains(QStringLiteral("97.0 %")));
    }

    void droppedIterationsComeFirst()
    {
        RecommendationInput in = healthy();
        in.summary.totals.iterations = 27000;
        in.summary.totals.droppedIterations = 3000;
        in.summary.duration = histogram({{10000, 29000}, {150000, 1000}}); // a high tail too
        const QList<Recommendation> found = recommend(in);
        QCOMPARE(found.size(), 2);
        const Recommendation &r = found.first();
        QCOMPARE(r.area, QStringLiteral("load generator"));
        QCOMPARE(r.impact, QStringLiteral("critical"));
        QVERIFY(r.detail.contains(QStringLiteral("3000 of 30000 planned iterations (10.0 %)")));
        // Little's law: 1000 iterations/s × 10.5 ms × 1.2 headroom → 13 VUs.
        QVERIFY(r.estimatedImprovement.contains(QStringLiteral("~13 VUs")));
        QCOMPARE(found[1].area, QStringLiteral("code"));

        in.summary.totals.iterations = 29700;
        in.summary.totals.droppedIterations = 300; // 1 %: high, still first before a high tail
        const QList<Recommendation> mild = recommend(in);
        QCOMPARE(mild.first().area, QStringLiteral("load generator"));
        QCOMPARE(mild.first().impact, QStringLiteral("high"));
        QCOMPARE(mild[1].impact, QStringLiteral("high"));
    }

    void openModelLittlesLawUsesServiceTime()
    {
        // An exhausted open-model pool: each iteration waited 500 ms for a free VU, then took
        // 10.5 ms. The iteration timer (from the intended start) says 510.5 ms; the VUs needed
        // come from the 10.5 ms a VU is actually held: 1000/s × 10.5 ms × 1.2 → 13, not 613.
        RecommendationInput in = healthy();
        in.summary.openModel = true;
        in.summary.totals.iterations = 27000;
        in.summary.totals.droppedIterations = 3000;
        in.summary.iterationDuration = histogram({{510500, 27000}});
        in.summary.timings.insert(QStringLiteral("blocked"), histogram({{500000, 27000}}));
        const QList<Recommendation> found = recommend(in);
        QVERIFY(!found.isEmpty());
        const Recommendation &r = found.first();
        QCOMPARE(r.area, QStringLiteral("load generator"));
        QVERIFY2(r.estimatedImprovement.contains(QStringLiteral("~13 VUs")),
                 qPrintable(r.estimatedImprovement));
        QVERIFY(r.estimatedImprovement.contains(QStringLiteral("10.5 ms service time")));
        QCOMPARE(r.evidence.value(QStringLiteral("vusNeeded")).toDouble(), 13.0);
        QVERIFY(std::abs(r.evidence.value(QStringLiteral("iterationServiceMs")).toDouble() - 10.5) <
                0.01);
    }

    void targetInsideGeneratorCannotTell()
    {
        // The default run: the sample API inside the generator, both at ~147 % under
        // one PID. No target advice; a note that says the run cannot tell.
        RecommendationInput in = healthy();
        in.targetCpuPct = QList<double>(30, 147.0);
        in.generatorPid = 4242;
        in.targetPid = 4242;
        const QList<Recommendation> found = recommend(in);
        QCOMPARE(found.size(), 1);
        const Recommendation &r = found.first();
        QVERIFY2(r.title.contains(QStringLiteral("cannot be told apart")), qPrintable(r.title));
        QVERIFY(!r.title.contains(QStringLiteral("saturated")));
        QCOMPARE(r.impact, QStringLiteral("low"));
        QVERIFY(r.evidence.value(QStringLiteral("cannotTell")).toBool());
        QVERIFY(r.detail.contains(QStringLiteral("pid 4242")));
        QVERIFY(!r.estimatedImprovement.contains(QStringLiteral("second instance")));

        // The same figures from a target process of its own are advice.
        in.targetPid = 4343;
        const QList<Recommendation> apart = recommend(in);
        QCOMPARE(apart.size(), 1);
        QVERIFY(apart.first().title.startsWith(QStringLiteral("Target CPU saturated")));
        QCOMPARE(apart.first().evidence.value(QStringLiteral("targetPid")).toDouble(), 4343.0);
    }

    void busyGeneratorCheapTargetBlamesOnlyTheGenerator()
    {
        RecommendationInput in = healthy();
        in.generatorPid = 100;
        in.targetPid = 200;
        in.generatorCpuPct = QList<double>(30, 190.0); // both worker threads saturated
        in.targetCpuPct = QList<double>(30, 6.0);      // a cheap target
        const QList<Recommendation> found = recommend(in);
        QCOMPARE(found.size(), 1);
        QCOMPARE(found.first().area, QStringLiteral("load generator"));
        for (const Recommendation &r : found)
            QVERIFY2(!r.title.contains(QStringLiteral("Target CPU")), qPrintable(r.title));
    }

    void throughputKneeWithLittlesLaw()
    {
        RecommendationInput in = healthy();
        setRamp(in.summary, 4000, true);
        const QList<Recommendation> found = recommend(in);
        QCOMPARE(found.size(), 1);
        const Recommendation &r = found.first();
        QCOMPARE(r.area, QStringLiteral("infrastructure"));
        QCOMPARE(r.impact, QStringLiteral("high")); // p95 30 ms at 80 VUs vs 15 ms at the knee
        QVERIFY(r.title.contains(QStringLiteral("4000 req/s from 40 VUs")));
        QVERIFY(r.detail.contains(QStringLiteral("Little's law")));
        QVERIFY(r.detail.contains(QStringLiteral("40 VUs / 4000.0 req/s = 10.0 ms")));
        QVERIFY(r.estimatedImprovement.contains(QStringLiteral("(−50.0 %)")));
        QCOMPARE(r.evidence.value(QStringLiteral("kneeLoad")).toDouble(), 40.0);

        setRamp(in.summary, 1e9, false); // linear scaling, flat latency
        QVERIFY(recommend(in).isEmpty());
        setRamp(in.summary, 4000, false); // plateau but latency flat: not this rule
        QVERIFY(recommend(in).isEmpty());
    }

    void targetCpuSaturated()
    {
        RecommendationInput in = healthy();
        in.targetCpuPct = QList<double>(30, 95.0);
        const QList<Recommendation> found = recommend(in);
        QCOMPARE(found.size(), 1);
        QCOMPARE(found.first().impact, QStringLiteral("high"));
        QVERIFY(found.first().title.contains(QStringLiteral("95.0 %")));
        QVERIFY(found.first().estimatedImprovement.contains(QStringLiteral("~2000 req/s")));
    }

    void errorsRisingWithConcurrency()
    {
        RecommendationInput in = healthy();
        setRamp(in.summary, 1e9, false, [](int vus) {
            return vus < 30 ? 0.0 : (vus - 20) * 0.001; // 1 % at 30 VUs, then +1 % per 10 VUs
        });
        const QList<Recommendation> found = recommend(in);
        QCOMPARE(found.size(), 1);
        const Recommendation &r = found.first();
        QCOMPARE(r.title, QStringLiteral("Errors begin at 40 VUs")); // 30 VUs is exactly 1 %
        QCOMPARE(r.impact, QStringLiteral("high"));                  // 6 % at 80 VUs
        QVERIFY(r.detail.contains(QStringLiteral("reached 2.0 % at 40 VUs")));
        // Failed at ≥ 40 VUs: 5 intervals × (4000·2 % + 5000·3 % + … + 8000·6 %) = 5 × 1300.
        QVERIFY(r.estimatedImprovement.contains(QStringLiteral("~6500 of the 150000 requests")));
        QVERIFY(r.estimatedImprovement.contains(QStringLiteral("capping concurrency at 30 VUs")));

        setRamp(in.summary, 1e9, false, [](int) { return 0.002; });
        QVERIFY(recommend(in).isEmpty());
        setRamp(in.summary, 1e9, false, [](int) { return 0.05; }); // errors at every level
        QVERIFY(recommend(in).isEmpty());
    }

    void tailRatio()
    {
        RecommendationInput in = healthy();
        in.summary.duration = histogram({{10000, 980}, {150000, 20}});
        QList<Recommendation> found = recommend(in);
        QCOMPARE(found.size(), 1);
        QCOMPARE(found.first().area, QStringLiteral("code"));
        QCOMPARE(found.first().impact, QStringLiteral("high"));
        QVERIFY(found.first().title.contains(QStringLiteral("15.0×")));
        QVERIFY(found.first().estimatedImprovement.contains(
            QStringLiteral("p99 −80.0 % (from 150 ms to ~30.0 ms")));

        in.summary.duration = histogram({{10000, 980}, {70000, 20}});
        found = recommend(in);
        QCOMPARE(found.size(), 1);
        QCOMPARE(found.first().impact, QStringLiteral("medium"));

        in.summary.duration = histogram({{100, 980}, {1500, 20}}); // 15× but 1.4 ms apart
        QVERIFY(recommend(in).isEmpty());
    }

    void connectionSetupShare()
    {
        RecommendationInput in = healthy();
        in.summary.timings.insert(QStringLiteral("connecting"), histogram({{8000, kRequests}}));
        QList<Recommendation> found = recommend(in);
        QCOMPARE(found.size(), 1);
        const Recommendation &r = found.first();
        QCOMPARE(r.area, QStringLiteral("network"));
        QCOMPARE(r.impact, QStringLiteral("high")); // 8 of 19.3 ms = 41.5 %
        QVERIFY(r.title.contains(QStringLiteral("41.5 %")));
        QVERIFY(
            r.detail.contains(QStringLiteral("30000 of 30000 requests opened a new connection")));
        QVERIFY(r.estimatedImprovement.contains(QStringLiteral("from 19.3 ms to ~11.3 ms")));

        in.summary.timings.insert(QStringLiteral("connecting"), histogram({{3000, kRequests}}));
        in.summary.timings.insert(QStringLiteral("tls_handshaking"),
                                  histogram({{1000, kRequests}}));
        found = recommend(in);
        QCOMPARE(found.size(), 1);
        QCOMPARE(found.first().impact, QStringLiteral("medium")); // 4 of 15.3 ms = 26 %
    }

    void largeResponses()
    {
        RecommendationInput in = healthy();
        in.summary.totals.bytesIn = kRequests * 300 * 1024;
        QList<Recommendation> found = recommend(in);
        QCOMPARE(found.size(), 1);
        QCOMPARE(found.first().area, QStringLiteral("api"));
        QCOMPARE(found.first().impact, QStringLiteral("medium"));
        QVERIFY(found.first().title.contains(QStringLiteral("300.0 KiB")));
        QVERIFY(found.first().estimatedImprovement.contains(QStringLiteral("to ~90.0 KiB")));
        QVERIFY(
            found.first().estimatedImprovement.contains(QStringLiteral("of the 200 µs receiving")));
        in.summary.totals.bytesIn = kRequests * 2 * 1024 * 1024;
        QCOMPARE(recommend(in).constFirst().impact, QStringLiteral("high"));
    }

    void serverTimingComponentDominates()
    {
        RecommendationInput in = healthy();
        in.summary.serverTiming.insert(QStringLiteral("inference"),
                                       histogram({{40000, kRequests}}));
        in.summary.serverTiming.insert(QStringLiteral("total"), histogram({{45000, kRequests}}));
        QList<Recommendation> found = recommend(in);
        QCOMPARE(found.size(), 1);
        const Recommendation &r = found.first();
        QCOMPARE(r.area, QStringLiteral("model"));
        QCOMPARE(r.impact, QStringLiteral("high"));
        QVERIFY(r.title.contains(QStringLiteral("inference takes 88.9 %")));
        QVERIFY(r.implementation.contains(QStringLiteral("Batch")));
        QVERIFY(
            r.estimatedImprovement.contains(QStringLiteral("from 45.0 ms to ~25.0 ms (−44.4 %)")));

        in.summary.serverTiming.clear();
        in.summary.serverTiming.insert(QStringLiteral("db_query"), histogram({{30000, kRequests}}));
        in.summary.serverTiming.insert(QStringLiteral("render"), histogram({{5000, kRequests}}));
        found = recommend(in);
        QCOMPARE(found.size(), 1);
        QCOMPARE(found.first().area, QStringLiteral("database"));

        in.summary.serverTiming.clear(); // one component alone has nothing to dominate
        in.summary.serverTiming.insert(QStringLiteral("inference"),
                                       histogram({{40000, kRequests}}));
        QVERIFY(recommend(in).isEmpty());
    }

    void endpointDominatesFlow()
    {
        RecommendationInput in = healthy();
        RunSummary &s = in.summary;
        s.endpoints.clear();
        const QList<QPair<QString, qint64>> steps{
            {QStringLiteral("POST /api/bridge/predict"), 85000},
            {QStringLiteral("GET /api/signals"), 10000},
            {QStringLiteral("POST /api/strategy/execute"), 10000}};
        for (const auto &[name, us] : steps) {
            EndpointSummary e;
            e.name = name;
            e.totals.requests = kRequests;
            e.duration = histogram({{us, kRequests}});
            s.endpoints.append(e);
        }
        s.iterationDuration = histogram({{105000, kRequests}});
        QList<Recommendation> found = recommend(in);
        QCOMPARE(found.size(), 1);
        const Recommendation &r = found.first();
        QCOMPARE(r.area, QStringLiteral("api"));
        QCOMPARE(r.impact, QStringLiteral("high")); // 85 of 105 ms = 81 %
        QVERIFY(r.title.startsWith(QStringLiteral("POST /api/bridge/predict takes 81.0 %")));
        QVERIFY(
            r.estimatedImprovement.contains(QStringLiteral("from 105 ms to ~62.5 ms (−40.5 %)")));

        for (EndpointSummary &e : s.endpoints)
            e.duration = histogram({{30000, kRequests}});
        s.iterationDuration = histogram({{90000, kRequests}});
        QVERIFY(recommend(in).isEmpty());
    }

    void sortedByImpact()
    {
        RecommendationInput in = healthy();
        in.summary.totals.bytesIn = kRequests * 300 * 1024;                // medium
        in.summary.duration = histogram({{10000, 29000}, {150000, 1000}}); // high
        in.targetCpuPct = QList<double>(30, 95.0);                         // high
        const QList<Recommendation> found = recommend(in);
        QCOMPARE(found.size(), 3);
        QCOMPARE(found[0].impact, QStringLiteral("high"));
        QCOMPARE(found[1].impact, QStringLiteral("high"));
        QCOMPARE(found[2].impact, QStringLiteral("medium"));
        QCOMPARE(findArea(found, QStringLiteral("api"))->impact, QStringLiteral("medium"));
    }
};

LOADSCOPE_TEST_MAIN(TestRecommendations)
#include "tst_recommendations.moc"
