#include <cmath>

#include <QJsonArray>

#include "analysis/anomalies.h"
#include "testmain.h"

using namespace loadscope;

namespace {

double wobble(int i)
{
    return std::sin(i * 78.233) * 0.999;
}

// A steady run: ~1000 req/s, p95 ~20 ms, no errors, with a little deterministic noise.
QList<IntervalSample> flatRun(int count)
{
    QList<IntervalSample> timeline;
    for (int i = 0; i < count; ++i) {
        IntervalSample s;
        s.index = i;
        s.tSec = i + 1;
        s.activeVus = 20;
        s.overall.totals.requests = qint64(std::llround(1000 * (1 + 0.03 * wobble(i))));
        s.overall.latency.count = s.overall.totals.requests;
        s.overall.latency.p95Ms = 20 * (1 + 0.05 * wobble(i + 500));
        timeline.append(s);
    }
    return timeline;
}

} // namespace

class TestAnomalies : public QObject
{
    Q_OBJECT

private slots:
    void flatSeriesHasNone()
    {
        QVERIFY(detectAnomalies(flatRun(60)).isEmpty());
        QVERIFY(detectAnomalies(flatRun(3)).isEmpty()); // too short to judge
        QVERIFY(detectAnomalies({}).isEmpty());
    }

    void twoLatencySpikesAreExactlyFlagged()
    {
        QList<IntervalSample> t = flatRun(60);
        t[17].overall.latency.p95Ms = 95;
        t[42].overall.latency.p95Ms = 60;
        const QList<Anomaly> found = detectAnomalies(t);
        QCOMPARE(found.size(), 2);
        QCOMPARE(found[0].intervalIndex, 17);
        QCOMPARE(found[0].metric, QStringLiteral("p95"));
        QCOMPARE(found[0].value, 95.0);
        QVERIFY(std::abs(found[0].median - 20) < 1.5);
        QVERIFY(found[0].robustZ > 3.5);
        QCOMPARE(found[0].tSec, 18.0);
        QCOMPARE(found[1].intervalIndex, 42);
        const QJsonArray json = anomaliesToJson(found);
        QCOMPARE(json.size(), 2);
        QCOMPARE(json[1].toObject().value(QStringLiteral("interval")).toInt(), 42);
    }

    void spikesAtTheEdgesAreFlagged()
    {
        QList<IntervalSample> t = flatRun(40);
        t[0].overall.latency.p95Ms = 70;
        t[39].overall.latency.p95Ms = 70;
        const QList<Anomaly> found = detectAnomalies(t);
        QCOMPARE(found.size(), 2);
        QCOMPARE(found[0].intervalIndex, 0);
        QCOMPARE(found[1].intervalIndex, 39);
    }

    void errorBurstAndStallAreFlagged()
    {
        QList<IntervalSample> t = flatRun(50);
        t[10].overall.totals.errors = 150; // 15 % errors in one interval
        t[30].overall.totals.requests = 0; // a stall: nothing completed
        t[30].overall.latency.count = 0;
        const QList<Anomaly> found = detectAnomalies(t);
        QCOMPARE(found.size(), 2);
        QCOMPARE(found[0].intervalIndex, 10);
        QCOMPARE(found[0].metric, QStringLiteral("errorRate"));
        QVERIFY(std::abs(found[0].value - 0.15) < 0.01);
        QCOMPARE(found[1].intervalIndex, 30);
        QCOMPARE(found[1].metric, QStringLiteral("throughput"));
        QCOMPARE(found[1].value, 0.0);
        QVERIFY(found[1].robustZ < -3.5);
    }

    void smallDeviationsAreNotAnomalies()
    {
        // An exactly flat series makes the MAD 0, so any change has a huge z-score; the 20 %
        // practical floor keeps a +10 % blip out.
        QList<IntervalSample> t = flatRun(30);
        for (IntervalSample &s : t)
            s.overall.latency.p95Ms = 20;
        t[12].overall.latency.p95Ms = 22;
        QVERIFY(detectAnomalies(t).isEmpty());
        AnomalyOptions strict;
        strict.minRelativeDeviation = 0.05;
        QCOMPARE(detectAnomalies(t, strict).size(), 1);
    }
};

LOADSCOPE_TEST_MAIN(TestAnomalies)
#include "tst_anomalies.moc"
