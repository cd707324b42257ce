#include <cmath>

#include <QJsonArray>

#include "analysis/runcomparison.h"
#include "analysis/trend.h"
#include "testmain.h"

using namespace loadscope;

namespace {

// Deterministic uniform numbers in [0, 1), the same on every platform.
class Lcg
{
public:
    explicit Lcg(quint32 seed)
        : m_state(seed)
    {}
    double next()
    {
        m_state = m_state * 1664525u + 1013904223u;
        return double(m_state >> 8) / double(1u << 24);
    }
    double around(double value, double spread) { return value * (1 + spread * (2 * next() - 1)); }

private:
    quint32 m_state;
};

struct RunShape
{
    int intervals = 30;
    double latencyMs = 20; // scale of the latency distribution
    double rps = 100;
    double errorRate = 0;
    double noise = 0.1; // ± relative, per interval
    quint32 seed = 1;
    QStringList serverTimings{QStringLiteral("inference")};
};

const QString kEndpoint = QStringLiteral("GET /api/predict");

// A run whose every interval records `rps` requests from an exponential-like distribution
// scaled by latencyMs × noise; overall, per endpoint and Server-Timing figures stay consistent.
RunSummary makeRun(const RunShape &shape)
{
    Lcg rng(shape.seed);
    RunSummary s;
    s.durationSec = shape.intervals;
    EndpointSummary endpoint;
    endpoint.name = kEndpoint;
    for (int i = 0; i < shape.intervals; ++i) {
        const double scale = rng.around(shape.latencyMs, shape.noise);
        const auto requests = qint64(std::llround(rng.around(shape.rps, shape.noise)));
        LatencyHistogram h, server;
        for (qint64 k = 0; k < requests; ++k) {
            const double q = (double(k) + 0.5) / double(requests);
            const double ms = scale * (0.5 + 0.5 * -std::log(1 - q));
            h.record(qint64(ms * 1000));
            server.record(qint64(ms * 300));
        }
        IntervalSample iv;
        iv.index = i;
        iv.tSec = i + 1;
        iv.activeVus = 10;
        iv.overall.totals.requests = requests;
        iv.overall.totals.errors = qint64(std::llround(double(requests) * shape.errorRate));
        iv.overall.latency = LatencyStats::fromHistogram(h);
        EndpointSample e = iv.overall;
        e.name = kEndpoint;
        iv.endpoints.append(e);
        for (const QString &name : shape.serverTimings) {
            iv.serverTiming.insert(name, LatencyStats::fromHistogram(server));
            s.serverTiming[name].merge(server);
        }
        s.timeline.append(iv);
        s.totals.add(iv.overall.totals);
        endpoint.totals.add(iv.overall.totals);
        s.duration.merge(h);
        endpoint.duration.merge(h);
    }
    s.endpoints.append(endpoint);
    return s;
}

RunForComparison run(qint64 id, const RunShape &shape, const QString &plan = QStringLiteral("A"))
{
    return {id, QStringLiteral("#%1").arg(id), plan, makeRun(shape)};
}

const MetricDelta &find(const QList<MetricDelta> &deltas, const QString &metric)
{
    for (const MetricDelta &d : deltas)
        if (d.metric == metric)
            return d;
    qFatal("metric %s missing", qPrintable(metric));
}

QList<TrendPoint> trendOf(const QList<double> &values)
{
    QList<TrendPoint> points;
    const QDateTime start(QDate(2025, 1, 1), QTime(12, 0), Qt::UTC);
    for (int i = 0; i < values.size(); ++i)
        points.append({100 + i, start.addDays(i), QStringLiteral("v1.%1").arg(i), values[i]});
    return points;
}

} // namespace

class TestRunComparison : public QObject
{
    Q_OBJECT

private slots:
    void identicalRunsShowNoSignificantChange()
    {
        const RunForComparison base = run(1, {});
        RunForComparison same = base;
        same.id = 2;
        same.label = QStringLiteral("#2");
        const RunComparison c = compareRuns(base, {same});
        QCOMPARE(c.perCandidate.size(), 1);
        const QList<MetricDelta> &deltas = c.perCandidate.first();
        QCOMPARE(deltas.size(), 11); // 7 overall, 2 Server-Timing, 2 per endpoint
        for (const MetricDelta &d : deltas) {
            QVERIFY2(d.verdict == MetricDelta::NoSignificantChange, qPrintable(d.metric));
            QCOMPARE(d.absDelta, 0.0);
        }
        QCOMPARE(c.overall, MetricDelta::NoSignificantChange);
        QVERIFY(c.samePlan);
        QVERIFY(c.planNote.isEmpty());
        QVERIFY(std::isnan(find(deltas, QStringLiteral("p95")).pValue)); // under the floor: no test
    }

    void sameSystemOtherNoiseIsNoChange()
    {
        RunShape other;
        other.seed = 77;
        const RunComparison c = compareRuns(run(1, {}), {run(2, other)});
        for (const MetricDelta &d : c.perCandidate.first())
            QVERIFY2(d.verdict == MetricDelta::NoSignificantChange, qPrintable(d.metric));
        QCOMPARE(c.overall, MetricDelta::NoSignificantChange);
    }

    void latencyRegressionIsSignificant()
    {
        RunShape slower;
        slower.latencyMs = 28; // +40 %
        slower.seed = 5;
        const RunComparison c = compareRuns(run(1, {}), {run(2, slower)});
        const MetricDelta &p95 = find(c.perCandidate.first(), QStringLiteral("p95"));
        QCOMPARE(p95.verdict, MetricDelta::Regression);
        QVERIFY(p95.pValue < 0.05);
        QVERIFY(p95.relDeltaPct > 30 && p95.relDeltaPct < 50);
        QVERIFY(p95.key);
        QCOMPARE(
            find(c.perCandidate.first(), QStringLiteral("server_timing:inference p95")).verdict,
            MetricDelta::Regression);
        QCOMPARE(find(c.perCandidate.first(),
                      QStringLiteral("endpoint:") + kEndpoint + QStringLiteral(" p95"))
                     .verdict,
                 MetricDelta::Regression);
        QCOMPARE(c.overall, MetricDelta::Regression);
        QCOMPARE(c.candidateVerdicts.first(), MetricDelta::Regression);
    }

    void changeUnderTheNoiseFloorIsNoChange()
    {
        RunShape slightly;
        slightly.latencyMs = 20.4; // +2 %
        const RunComparison c = compareRuns(run(1, {}), {run(2, slightly)});
        const MetricDelta &p95 = find(c.perCandidate.first(), QStringLiteral("p95"));
        QVERIFY(p95.relDeltaPct > 0 && p95.relDeltaPct < 5);
        QCOMPARE(p95.verdict, MetricDelta::NoSignificantChange);
        QCOMPARE(c.overall, MetricDelta::NoSignificantChange);
    }

    void throughputDropIsRegression()
    {
        RunShape fewer;
        fewer.rps = 70; // −30 %
        fewer.seed = 9;
        const RunComparison c = compareRuns(run(1, {}), {run(2, fewer)});
        const MetricDelta &x = find(c.perCandidate.first(), QStringLiteral("throughput"));
        QVERIFY(x.higherIsBetter);
        QVERIFY(std::abs(x.relDeltaPct + 30) < 3);
        QCOMPARE(x.verdict, MetricDelta::Regression);
        QVERIFY(x.pValue < 0.05);
        QCOMPARE(c.overall, MetricDelta::Regression);
    }

    void improvementsAreReported()
    {
        RunShape better;
        better.latencyMs = 12; // −40 %
        better.rps = 130;      // +30 %
        better.seed = 3;
        const RunComparison c = compareRuns(run(1, {}), {run(2, better)});
        QCOMPARE(find(c.perCandidate.first(), QStringLiteral("p95")).verdict,
                 MetricDelta::Improvement);
        QCOMPARE(find(c.perCandidate.first(), QStringLiteral("throughput")).verdict,
                 MetricDelta::Improvement);
        QCOMPARE(c.overall, MetricDelta::Improvement);
    }

    void worstCandidateDecidesOverall()
    {
        RunShape better, worse;
        better.latencyMs = 12;
        worse.latencyMs = 30;
        const RunComparison c = compareRuns(run(1, {}), {run(2, better), run(3, worse)});
        QCOMPARE(c.candidateVerdicts,
                 (QList<MetricDelta::Verdict>{MetricDelta::Improvement, MetricDelta::Regression}));
        QCOMPARE(c.overall, MetricDelta::Regression);
    }

    void errorRateUsesAnAbsoluteFloor()
    {
        RunShape base, little, lots;
        base.errorRate = 0.001;
        little.errorRate = 0.003; // tripled, but +0.2 percentage points
        lots.errorRate = 0.05;
        const RunComparison c = compareRuns(run(1, base), {run(2, little), run(3, lots)});
        QCOMPARE(find(c.perCandidate[0], QStringLiteral("errorRate")).verdict,
                 MetricDelta::NoSignificantChange);
        const MetricDelta &bad = find(c.perCandidate[1], QStringLiteral("errorRate"));
        QCOMPARE(bad.verdict, MetricDelta::Regression);
        QCOMPARE(bad.unit, QStringLiteral("%"));
        QVERIFY(std::abs(bad.candidate - 5.0) < 0.2);
        QCOMPARE(c.candidateVerdicts[1], MetricDelta::Regression);
    }

    void fewIntervalsNeedALargerChange()
    {
        RunShape base, plus10, plus25;
        base.intervals = plus10.intervals = plus25.intervals = 3;
        base.noise = plus10.noise = plus25.noise = 0;
        plus10.latencyMs = 22;
        plus25.latencyMs = 25;
        const RunComparison c = compareRuns(run(1, base), {run(2, plus10), run(3, plus25)});
        const MetricDelta &small = find(c.perCandidate[0], QStringLiteral("p95"));
        QCOMPARE(small.verdict, MetricDelta::NoSignificantChange); // 10 % < 3 × 5 %
        QVERIFY(std::isnan(small.pValue));
        const MetricDelta &large = find(c.perCandidate[1], QStringLiteral("p95"));
        QCOMPARE(large.verdict, MetricDelta::Regression); // 25 % > 15 %, untested
        QVERIFY(std::isnan(large.pValue));
    }

    void missingSeriesIsInsufficient()
    {
        RunShape withCache;
        withCache.serverTimings << QStringLiteral("cache");
        const RunComparison c = compareRuns(run(1, {}), {run(2, withCache)});
        const MetricDelta &d =
            find(c.perCandidate.first(), QStringLiteral("server_timing:cache p95"));
        QCOMPARE(d.verdict, MetricDelta::Insufficient);
        QVERIFY(std::isnan(d.base));
        QCOMPARE(c.overall, MetricDelta::NoSignificantChange);
        const QJsonObject json = d.toJson();
        QVERIFY(json.value(QStringLiteral("base")).isNull());
        QCOMPARE(json.value(QStringLiteral("verdict")).toString(),
                 QStringLiteral("insufficient data"));
    }

    void differentPlansAreNoted()
    {
        const RunComparison c =
            compareRuns(run(1, {}), {run(2, {}, QStringLiteral("B")), run(3, {})});
        QVERIFY(!c.samePlan);
        QVERIFY(c.planNote.contains(QStringLiteral("#2")));
        QVERIFY(!c.planNote.contains(QStringLiteral("#3")));
        QVERIFY(c.planNote.contains(QStringLiteral("different plan")));
        QVERIFY(c.toMarkdown().contains(c.planNote));
        QCOMPARE(c.toJson().value(QStringLiteral("samePlan")).toBool(), false);
    }

    void planFingerprintIgnoresNames()
    {
        const QJsonObject a{{QStringLiteral("name"), QStringLiteral("one")},
                            {QStringLiteral("duration"), 30}};
        QJsonObject b = a;
        b.insert(QStringLiteral("name"), QStringLiteral("two"));
        b.insert(QStringLiteral("versionLabel"), QStringLiteral("v2"));
        QCOMPARE(planFingerprint(a), planFingerprint(b));
        b.insert(QStringLiteral("duration"), 60);
        QVERIFY(planFingerprint(a) != planFingerprint(b));
        QCOMPARE(planFingerprint(a).size(), 40);
    }

    void outputsCarryTheTable()
    {
        RunShape slower;
        slower.latencyMs = 28;
        RunForComparison base = run(12, {});
        base.label = QStringLiteral("#12 v1.4.2");
        const RunComparison c = compareRuns(base, {run(13, slower)});
        const QString md = c.toMarkdown();
        QVERIFY(md.contains(
            QStringLiteral("| Metric | Baseline | Candidate | Δ | Δ % | p | Verdict |")));
        QVERIFY(md.contains(QStringLiteral("| p95 | ")));
        QVERIFY(md.contains(QStringLiteral("**regression**")));
        QVERIFY(md.contains(QStringLiteral("#13 vs #12 v1.4.2 (baseline): regression")));
        const QString text = c.toText();
        QVERIFY(text.startsWith(QStringLiteral("Verdict: regression")));
        QVERIFY(text.contains(QStringLiteral("throughput")));
        const QJsonObject json = c.toJson();
        QCOMPARE(json.value(QStringLiteral("verdict")).toString(), QStringLiteral("regression"));
        const QJsonArray metrics = json.value(QStringLiteral("candidates"))
                                       .toArray()
                                       .first()
                                       .toObject()
                                       .value(QStringLiteral("metrics"))
                                       .toArray();
        QCOMPARE(metrics.size(), c.perCandidate.first().size());
        QCOMPARE(metrics.first().toObject().value(QStringLiteral("metric")).toString(),
                 QStringLiteral("throughput"));
    }

    void trendFlagsAStep()
    {
        Lcg rng(11);
        QList<double> values;
        for (int i = 0; i < 14; ++i)
            values.append(rng.around(i < 7 ? 100 : 130, 0.03));
        QList<TrendPoint> points = trendOf(values);
        std::swap(points[2], points[10]); // analyzeTrend orders by time itself
        const TrendAnalysis t = analyzeTrend(points);
        QVERIFY(t.hasChangePoint());
        QCOMPARE(t.changeIndex, 7);
        QCOMPARE(t.points[7].versionLabel, QStringLiteral("v1.7"));
        QVERIFY(t.pValue < 0.05);
        QVERIFY(t.shiftPct > 20 && t.shiftPct < 40);
        const QJsonObject cp = t.toJson().value(QStringLiteral("changePoint")).toObject();
        QCOMPARE(cp.value(QStringLiteral("resultId")).toInteger(), 107);
    }

    void trendIgnoresNoise()
    {
        Lcg rng(12);
        QList<double> values;
        for (int i = 0; i < 14; ++i)
            values.append(rng.around(100, 0.03));
        const TrendAnalysis t = analyzeTrend(trendOf(values));
        QVERIFY(!t.hasChangePoint());
        QVERIFY(t.toJson().value(QStringLiteral("changePoint")).isNull());
        QVERIFY(!analyzeTrend(trendOf({100, 200})).hasChangePoint()); // too short
    }
};

LOADSCOPE_TEST_MAIN(TestRunComparison)
#include "tst_runcomparison.moc"
