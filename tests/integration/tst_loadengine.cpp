#include <algorithm>

#include <QElapsedTimer>
#include <QMutex>
#include <QSet>
#include <QTemporaryDir>

#include "engine/loadengine.h"
#include "fakehttpserver.h"
#include "referenceserver.h"
#include "sample/sampleapihost.h"
#include "testmain.h"

using namespace loadscope;
using loadscope::test::FakeHttpServer;
using loadscope::test::FakeReply;
using loadscope::test::FakeRequest;

namespace {

Step getStep(const QString &name, const QString &path)
{
    Step step;
    step.name = name;
    step.path = path;
    return step;
}

//! A short constant-vus plan with fast intervals; tests adjust what they need.
TestPlan shortPlan(int vus, qint64 durationMs, int threads = 1)
{
    TestPlan plan;
    plan.name = QStringLiteral("engine test");
    plan.steps = {getStep(QStringLiteral("get"), QStringLiteral("/x"))};
    plan.load.executor = Executor::ConstantVus;
    plan.load.vus = vus;
    plan.load.durationMs = durationMs;
    plan.load.gracefulStopMs = 3000;
    plan.load.gracefulRampDownMs = 3000;
    plan.timeouts.requestMs = 5000;
    plan.timeouts.connectMs = 2000;
    plan.threads = threads;
    plan.intervalMs = 250;
    return plan;
}

QString urlOf(quint16 port)
{
    return QStringLiteral("http://127.0.0.1:") + QString::number(port);
}

qint64 timelineRequests(const RunSummary &summary)
{
    qint64 total = 0;
    for (const IntervalSample &sample : summary.timeline)
        total += sample.overall.totals.requests;
    return total;
}

//! Runs a plan to its end, collecting the intervals and the summary.
struct EngineRun
{
    LoadEngine engine;
    QList<IntervalSample> intervals;
    QList<RunSummary> finished;

    EngineRun()
    {
        QObject::connect(&engine, &LoadEngine::intervalSample, &engine,
                         [this](const IntervalSample &s) { intervals.append(s); });
        QObject::connect(&engine, &LoadEngine::finished, &engine,
                         [this](const RunSummary &s) { finished.append(s); });
    }

    //! Starts @p plan and waits up to @p timeoutMs for finished(); false on either failure.
    bool run(const TestPlan &plan, const QString &baseUrl, int timeoutMs, QString *error)
    {
        if (!engine.start(plan, baseUrl, error))
            return false;
        if (!QTest::qWaitFor([this] { return !finished.isEmpty(); }, timeoutMs)) {
            *error = QStringLiteral("finished() did not arrive");
            return false;
        }
        return true;
    }
    const RunSummary &summary() const { return finished.first(); }
};

} // namespace

class TestLoadEngine : public QObject
{
    Q_OBJECT

private slots:
    void constantVusKeepAlive()
    {
        const FakeReply reply = FakeReply::ok("hello world");
        FakeHttpServer fake([reply](const FakeRequest &) { return reply; });
        QVERIFY(fake.start());
        TestPlan plan = shortPlan(4, 1500, 2);
        plan.steps.append(getStep(QStringLiteral("second"), QStringLiteral("/y")));

        EngineRun r;
        QSignalSpy finishedSpy(&r.engine, &LoadEngine::finished);
        QSignalSpy intervalSpy(&r.engine, &LoadEngine::intervalSample);
        QString error;
        QVERIFY2(r.run(plan, urlOf(fake.port()), 15000, &error), qPrintable(error));
        QCOMPARE(finishedSpy.count(), 1);
        QVERIFY(!r.engine.isRunning());
        QCOMPARE(r.engine.threadCount(), 0); // threads joined at the end

        const RunSummary &s = r.summary();
        QCOMPARE(s.status, ResultStatus::Completed);
        QVERIFY2(s.errorDetails.isEmpty(), qPrintable(s.errorDetails));
        QCOMPARE(s.target, urlOf(fake.port()));
        QVERIFY(!s.openModel);
        QVERIFY(s.totals.requests > 20);
        // Every request the server saw was counted once; nothing is lost or double counted.
        QCOMPARE(s.totals.requests, qint64(fake.requestsSeen()));
        QCOMPARE(s.totals.errors, qint64(0));
        QCOMPARE(s.totals.bytesIn, s.totals.requests * reply.bytes.size());
        QVERIFY(s.totals.bytesOut > s.totals.requests * 20);
        // Two requests per iteration; at the end each VU may have finished only the first.
        QVERIFY2(s.totals.requests - 2 * s.totals.iterations >= 0 &&
                     s.totals.requests - 2 * s.totals.iterations <= plan.load.vus,
                 qPrintable(QStringLiteral("%1 requests, %2 iterations")
                                .arg(s.totals.requests)
                                .arg(s.totals.iterations)));
        // Keep-alive: one connection per VU, not per request.
        QCOMPARE(fake.connectionsAccepted(), plan.load.vus);

        // Per endpoint figures add up to the overall ones.
        QCOMPARE(s.endpoints.size(), 2);
        QCOMPARE(s.endpoints[0].name, QStringLiteral("get"));
        QCOMPARE(s.endpoints[0].method, QStringLiteral("GET"));
        QCOMPARE(s.endpoints[0].path, QStringLiteral("/x"));
        QCOMPARE(s.endpoints[0].totals.requests + s.endpoints[1].totals.requests,
                 s.totals.requests);
        QVERIFY(std::abs(s.endpoints[0].totals.requests - s.endpoints[1].totals.requests) <=
                plan.load.vus);
        QCOMPARE(s.endpoints[0].duration.count() + s.endpoints[1].duration.count(),
                 s.totals.requests);

        const LatencyStats latency = LatencyStats::fromHistogram(s.duration);
        QCOMPARE(latency.count, s.totals.requests);
        QVERIFY(latency.minMs > 0);
        QVERIFY(latency.p50Ms > 0);
        QVERIFY(latency.p99Ms >= latency.p50Ms);
        QVERIFY(latency.maxMs >= latency.p99Ms);
        QCOMPARE(s.timings.value(QStringLiteral("waiting")).count(), s.totals.requests);
        QVERIFY(s.timings.value(QStringLiteral("connecting")).max() > 0); // the first requests
        QCOMPARE(s.iterationDuration.count(), s.totals.iterations);
        QCOMPARE(s.maxVus, plan.load.vus);

        // The timeline: one sample per interval, each emitted as it ended, in order.
        QCOMPARE(intervalSpy.count(), r.intervals.size());
        QCOMPARE(s.timeline.size(), r.intervals.size());
        QVERIFY2(s.timeline.size() >= 5, qPrintable(QString::number(s.timeline.size())));
        qint64 endpointSum = 0;
        for (int i = 0; i < s.timeline.size(); ++i) {
            const IntervalSample &sample = s.timeline[i];
            QCOMPARE(sample.index, i);
            QCOMPARE(sample.endpoints.size(), 2);
            endpointSum +=
                sample.endpoints[0].totals.requests + sample.endpoints[1].totals.requests;
            if (i > 0)
                QVERIFY(sample.tSec > s.timeline[i - 1].tSec);
            if (i > 0 && i + 1 < s.timeline.size()) { // middle intervals: full load
                QCOMPARE(sample.activeVus, plan.load.vus);
                QCOMPARE(sample.plannedTarget, double(plan.load.vus));
                QVERIFY(sample.overall.totals.requests > 0);
                QVERIFY(sample.overall.latency.p95Ms > 0);
                QVERIFY(sample.throughputRps() > 0);
                QVERIFY(sample.timingMeansMs.contains(QStringLiteral("waiting")));
            }
        }
        QCOMPARE(endpointSum, timelineRequests(s));
        // A final sliver shorter than a quarter interval is in the totals only.
        QVERIFY(timelineRequests(s) <= s.totals.requests);
        QVERIFY(s.durationSec >= 1.4);
    }

    void bodyFraming_data()
    {
        QTest::addColumn<int>("kind");
        QTest::newRow("chunked") << 0;
        QTest::newRow("close-delimited") << 1;
        QTest::newRow("connection: close") << 2;
    }

    void bodyFraming()
    {
        QFETCH(int, kind);
        const QByteArray body(700, 'b');
        const FakeReply reply = kind == 0   ? FakeReply::chunked({body.left(100), body.mid(100)})
                                : kind == 1 ? FakeReply::closeDelimited(body)
                                            : FakeReply::connectionClose(body);
        FakeHttpServer fake([reply](const FakeRequest &) { return reply; });
        QVERIFY(fake.start());
        TestPlan plan = shortPlan(2, 1000);
        Check contains;
        contains.kind = Check::Kind::BodyContains;
        contains.text = QString::fromLatin1(body.right(50)); // the whole body arrived
        plan.steps[0].checks = {contains};

        EngineRun r;
        QString error;
        QVERIFY2(r.run(plan, urlOf(fake.port()), 15000, &error), qPrintable(error));
        const RunSummary &s = r.summary();
        QCOMPARE(s.status, ResultStatus::Completed);
        QVERIFY(s.totals.requests > 5);
        QCOMPARE(s.totals.requests, qint64(fake.requestsSeen()));
        QVERIFY2(s.totals.errors == 0, qPrintable(s.errorDetails));
        QCOMPARE(s.totals.checksPassed, s.totals.requests);
        QCOMPARE(s.totals.bytesIn, s.totals.requests * reply.bytes.size());
        if (kind == 0)
            QCOMPARE(fake.connectionsAccepted(), plan.load.vus); // chunked keeps the connection
        else
            QCOMPARE(fake.connectionsAccepted(), fake.requestsSeen()); // one per response
    }

    void errorClasses_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("expected");
        QTest::newRow("reset mid-body") << 0 << int(ErrorClass::Reset);
        QTest::newRow("garbage") << 1 << int(ErrorClass::Protocol);
        QTest::newRow("never answers") << 2 << int(ErrorClass::Timeout);
        QTest::newRow("503") << 3 << int(ErrorClass::Http5xx);
        QTest::newRow("404") << 4 << int(ErrorClass::Http4xx);
    }

    void errorClasses()
    {
        QFETCH(int, kind);
        QFETCH(int, expected);
        FakeHttpServer fake([kind](const FakeRequest &) {
            switch (kind) {
            case 0:
                return FakeReply::resetMidBody(QByteArray(4000, 'r'));
            case 1:
                return FakeReply::garbage();
            case 2:
                return FakeReply::never();
            case 3:
                return FakeReply::withStatus(503, "busy");
            default:
                return FakeReply::withStatus(404, "no");
            }
        });
        QVERIFY(fake.start());
        TestPlan plan = shortPlan(2, 1000);
        plan.timeouts.requestMs = 300;

        EngineRun r;
        QString error;
        QVERIFY2(r.run(plan, urlOf(fake.port()), 15000, &error), qPrintable(error));
        const RunSummary &s = r.summary();
        // Bad responses are counted errors; the run itself completes.
        QCOMPARE(s.status, ResultStatus::Completed);
        QVERIFY(s.totals.requests > 0);
        QCOMPARE(s.totals.errors, s.totals.requests);
        QCOMPARE(s.totals.errorsByClass[size_t(expected)], s.totals.requests);
        QVERIFY2(s.errorDetails.startsWith(QLatin1String("first error: get: ")),
                 qPrintable(s.errorDetails));
        QVERIFY(!s.totals.errorsByClassJson().isEmpty());
        if (kind == 2) {
            // Each timed-out request waited for the timeout and is in the latency figures.
            QVERIFY(s.duration.count() == s.totals.requests);
            QVERIFY(LatencyStats::fromHistogram(s.duration).minMs >= 250);
        }
    }

    void openModelCorrectedLatency()
    {
        SampleApiOptions options;
        options.stallEverySec = 0.5;
        options.stallMs = 300;
        SampleApiHost host(options);
        QString error;
        QVERIFY2(host.start(QHostAddress::LocalHost, 0, &error) != 0, qPrintable(error));

        TestPlan plan = shortPlan(1, 0);
        plan.steps = {getStep(QStringLiteral("health"), QStringLiteral("/api/health"))};
        plan.load.executor = Executor::ConstantArrivalRate;
        plan.load.rate = 200;
        plan.load.timeUnitMs = 1000;
        plan.load.durationMs = 2000;
        plan.load.preAllocatedVus = 5;
        plan.load.maxVus = 100;
        plan.intervalMs = 500;

        EngineRun r;
        QVERIFY2(r.run(plan, host.baseUrl().toString(), 15000, &error), qPrintable(error));
        const RunSummary &s = r.summary();
        QCOMPARE(s.status, ResultStatus::Completed);
        QVERIFY(s.openModel);
        QCOMPARE(s.totals.errors, qint64(0));
        // 400 arrivals planned; every one was served although each stall holds ~60 of them
        // for up to 300 ms, far more than the 5 preallocated VUs ...
        QVERIFY2(s.totals.requests + s.totals.droppedIterations >= 380,
                 qPrintable(QString::number(s.totals.requests)));
        QCOMPARE(s.totals.droppedIterations, qint64(0));
        QCOMPARE(s.durationCorrected.count(), s.totals.requests);
        const LatencyStats raw = LatencyStats::fromHistogram(s.duration);
        const LatencyStats corrected = LatencyStats::fromHistogram(s.durationCorrected);
        // ... so each arrival started on time on a VU of its own (up to maxVUs): the stalls are
        // in the service time itself, and the latency from the intended start is never less.
        // It grows past the service time only when arrivals start late (a saturated generator).
        QVERIFY2(raw.p99Ms >= 150, qPrintable(QString::number(raw.p99Ms)));
        QVERIFY2(corrected.p50Ms >= raw.p50Ms, qPrintable(QString::number(corrected.p50Ms)));
        QVERIFY2(corrected.p99Ms >= raw.p99Ms, qPrintable(QString::number(raw.p99Ms)));
        QVERIFY(corrected.maxMs >= raw.maxMs);
        for (const IntervalSample &sample : s.timeline) {
            if (sample.plannedTarget > 0)
                QCOMPARE(sample.plannedTarget, 200.0);
        }
    }

    void openModelCorrectsForCoordinatedOmission()
    {
        // Two VUs at 200 arrivals/s against a target that stops the world for 500 ms every
        // second: the few requests caught in a stall are slow, but the ~100 arrivals that
        // queue behind them are late by up to the whole stall. Only the latency measured from
        // the intended start (wrk2) shows that; the service time hides it.
        SampleApiOptions options;
        options.stallEverySec = 1.0;
        options.stallMs = 500;
        SampleApiHost host(options);
        QString error;
        QVERIFY2(host.start(QHostAddress::LocalHost, 0, &error) != 0, qPrintable(error));

        TestPlan plan = shortPlan(1, 0);
        plan.steps = {getStep(QStringLiteral("health"), QStringLiteral("/api/health"))};
        plan.load.executor = Executor::ConstantArrivalRate;
        plan.load.rate = 200;
        plan.load.durationMs = 3000;
        plan.load.preAllocatedVus = 2;
        plan.load.maxVus = 2;
        plan.threads = 1;
        plan.intervalMs = 500;

        EngineRun r;
        QVERIFY2(r.run(plan, host.baseUrl().toString(), 20000, &error), qPrintable(error));
        const RunSummary &s = r.summary();
        QCOMPARE(s.totals.errors, qint64(0));
        const LatencyStats raw = LatencyStats::fromHistogram(s.duration);
        const LatencyStats corrected = LatencyStats::fromHistogram(s.durationCorrected);
        QVERIFY2(corrected.p99Ms >= 200, qPrintable(QString::number(corrected.p99Ms)));
        QVERIFY2(corrected.p99Ms >= 3 * raw.p99Ms,
                 qPrintable(QStringLiteral("corrected p99 %1 ms, uncorrected p99 %2 ms")
                                .arg(corrected.p99Ms)
                                .arg(raw.p99Ms)));
        QVERIFY(corrected.p50Ms >= raw.p50Ms);
    }

    void openModelDropsWhenVusRunOut()
    {
        FakeHttpServer fake([](const FakeRequest &) {
            FakeReply reply = FakeReply::ok("slow");
            reply.delayMs = 50;
            return reply;
        });
        QVERIFY(fake.start());
        TestPlan plan = shortPlan(1, 0);
        plan.load.executor = Executor::ConstantArrivalRate;
        plan.load.rate = 200;
        plan.load.durationMs = 1000;
        plan.load.preAllocatedVus = 1;
        plan.load.maxVus = 2; // at most ~40 iterations/s at 50 ms each
        // Arrivals wait for a free VU at most as long as a request may take; then they drop.
        plan.timeouts.requestMs = 200;

        EngineRun r;
        QString error;
        QVERIFY2(r.run(plan, urlOf(fake.port()), 15000, &error), qPrintable(error));
        const RunSummary &s = r.summary();
        QCOMPARE(s.totals.errors, qint64(0));
        QVERIFY(s.totals.requests > 0);
        QCOMPARE(s.totals.requests, qint64(fake.requestsSeen()));
        QVERIFY2(s.totals.droppedIterations >= 100,
                 qPrintable(QString::number(s.totals.droppedIterations)));
        QVERIFY(s.totals.requests + s.totals.droppedIterations >= 190);
        QVERIFY(s.maxVus <= 2);
        QVERIFY(fake.connectionsAccepted() <= 2);
        qint64 droppedInTimeline = 0;
        for (const IntervalSample &sample : s.timeline)
            droppedInTimeline += sample.overall.totals.droppedIterations;
        QVERIFY(droppedInTimeline > 0);
    }

    void rampingVusFollowsStages()
    {
        FakeHttpServer fake;
        QVERIFY(fake.start());
        TestPlan plan = shortPlan(1, 0, 2);
        plan.load.executor = Executor::RampingVus;
        plan.load.startVus = 0;
        plan.load.stages = {{1000, 6}, {500, 6}, {1000, 0}};

        EngineRun r;
        QString error;
        QVERIFY2(r.run(plan, urlOf(fake.port()), 15000, &error), qPrintable(error));
        const RunSummary &s = r.summary();
        QCOMPARE(s.status, ResultStatus::Completed);
        QCOMPARE(s.totals.errors, qint64(0));
        QCOMPARE(s.maxVus, 6);
        QVERIFY(s.timeline.size() >= 8);
        int peakIndex = -1;
        for (const IntervalSample &sample : s.timeline) {
            const double planned = plan.load.targetAt(qint64(sample.tSec * 1000));
            QVERIFY2(std::abs(sample.activeVus - planned) <= 2.0,
                     qPrintable(QStringLiteral("t=%1 active %2 planned %3")
                                    .arg(sample.tSec)
                                    .arg(sample.activeVus)
                                    .arg(planned)));
            if (sample.activeVus == 6 && peakIndex < 0)
                peakIndex = sample.index;
        }
        // Rises to the peak, then falls back.
        QVERIFY(peakIndex > 0);
        QVERIFY(s.timeline.first().activeVus < 6);
        QVERIFY(s.timeline[s.timeline.size() - 2].activeVus < 6);
        QVERIFY(fake.connectionsAccepted() >= 6);
    }

    void extractionFeedsLaterStep()
    {
        QMutex mutex;
        QList<QByteArray> authorizations;
        QList<QByteArray> bodies;
        FakeHttpServer fake([&](const FakeRequest &request) {
            if (request.target == "/login")
                return FakeReply::ok(R"({"token":"abc123"})", "Content-Type: application/json\r\n");
            QMutexLocker lock(&mutex);
            authorizations.append(request.header("Authorization"));
            bodies.append(request.body);
            return FakeReply::ok("{}");
        });
        QVERIFY(fake.start());
        TestPlan plan = shortPlan(2, 1000);
        Step login;
        login.name = QStringLiteral("login");
        login.method = QStringLiteral("POST");
        login.path = QStringLiteral("/login");
        Extraction token;
        token.name = QStringLiteral("token");
        token.source = Extraction::Source::JsonPointer;
        token.expression = QStringLiteral("/token");
        login.extractions = {token};
        Step use;
        use.name = QStringLiteral("use");
        use.method = QStringLiteral("POST");
        use.path = QStringLiteral("/use");
        use.headers = {{QStringLiteral("Authorization"), QStringLiteral("Bearer {{token}}")}};
        use.body = QStringLiteral(R"({"t":"{{token}}"})");
        plan.steps = {login, use};

        EngineRun r;
        QString error;
        QVERIFY2(r.run(plan, urlOf(fake.port()), 15000, &error), qPrintable(error));
        const RunSummary &s = r.summary();
        QVERIFY2(s.totals.errors == 0, qPrintable(s.errorDetails));
        QCOMPARE(s.totals.checksFailed, qint64(0));
        QCOMPARE(s.totals.checksPassed, s.endpoints[0].totals.requests); // one per extraction
        QMutexLocker lock(&mutex);
        QVERIFY(!authorizations.isEmpty());
        QCOMPARE(qint64(authorizations.size()), s.endpoints[1].totals.requests);
        for (int i = 0; i < authorizations.size(); ++i) {
            QCOMPARE(authorizations[i], QByteArray("Bearer abc123"));
            QCOMPARE(bodies[i], QByteArray(R"({"t":"abc123"})"));
        }
    }

    void failingChecksAreCounted()
    {
        FakeHttpServer fake(
            [](const FakeRequest &) { return FakeReply::ok(R"({"status":"degraded"})"); });
        QVERIFY(fake.start());
        TestPlan plan = shortPlan(1, 800);
        Check status;
        status.kind = Check::Kind::Status;
        status.status = 200;
        Check equals;
        equals.kind = Check::Kind::JsonPointerEquals;
        equals.pointer = QStringLiteral("/status");
        equals.value = QStringLiteral("ok");
        plan.steps[0].checks = {status, equals};

        EngineRun r;
        QString error;
        QVERIFY2(r.run(plan, urlOf(fake.port()), 15000, &error), qPrintable(error));
        const RunSummary &s = r.summary();
        QVERIFY(s.totals.requests > 0);
        QCOMPARE(s.totals.checksPassed, s.totals.requests);
        QCOMPARE(s.totals.checksFailed, s.totals.requests);
        QCOMPARE(s.totals.errors, s.totals.requests);
        QCOMPARE(s.totals.errorsByClass[size_t(ErrorClass::Check)], s.totals.requests);
        QVERIFY2(s.errorDetails.contains(QLatin1String("check failed")) &&
                     s.errorDetails.contains(QLatin1String("/status")),
                 qPrintable(s.errorDetails));
    }

    // A long run keeps only the latest intervals in memory and the older ones in a file
    // (TimelineSpill); the summary at the end has every interval, in order, with the figures
    // that were emitted live.
    void timelineSpilledAndReadBack()
    {
        FakeHttpServer fake;
        QVERIFY(fake.start());
        TestPlan plan = shortPlan(2, 1600);
        plan.intervalMs = 100;
        plan.steps.append(getStep(QStringLiteral("second"), QStringLiteral("/y")));
        EngineRun r;
        r.engine.setTimelineMemory(2);
        qsizetype mostHeld = 0;
        QObject::connect(&r.engine, &LoadEngine::intervalSample, &r.engine, [&] {
            mostHeld = std::max(mostHeld, r.engine.summarySoFar().timeline.size());
        });
        QString error;
        QVERIFY2(r.run(plan, urlOf(fake.port()), 15000, &error), qPrintable(error));
        const RunSummary &s = r.summary();
        QCOMPARE(s.status, ResultStatus::Completed);
        QVERIFY2(r.intervals.size() >= 8, qPrintable(QString::number(r.intervals.size())));
        QVERIFY2(mostHeld <= 4, qPrintable(QString::number(mostHeld))); // spilled as it went
        QCOMPARE(s.timeline.size(), r.intervals.size());
        qint64 requests = 0;
        for (int i = 0; i < s.timeline.size(); ++i) {
            const IntervalSample &stored = s.timeline[i];
            const IntervalSample &live = r.intervals[i];
            QCOMPARE(stored.index, i);
            QCOMPARE(stored.tSec, live.tSec);
            QCOMPARE(stored.activeVus, live.activeVus);
            QCOMPARE(stored.overall.totals.requests, live.overall.totals.requests);
            QCOMPARE(stored.overall.totals.errorsByClass, live.overall.totals.errorsByClass);
            QCOMPARE(stored.overall.latency.p95Ms, live.overall.latency.p95Ms);
            QCOMPARE(stored.endpoints.size(), 2);
            QCOMPARE(stored.endpoints[1].name, QStringLiteral("second"));
            QCOMPARE(stored.endpoints[1].latency.maxMs, live.endpoints[1].latency.maxMs);
            QCOMPARE(stored.timingMeansMs, live.timingMeansMs);
            requests += stored.overall.totals.requests;
        }
        QVERIFY(requests > 0);
        QVERIFY(requests <= s.totals.requests); // a sliver at the end is in the totals only
        QVERIFY2(!s.errorDetails.contains(QLatin1String("read back")), qPrintable(s.errorDetails));
    }

    void stopMidRun()
    {
        FakeHttpServer fake;
        QVERIFY(fake.start());
        TestPlan plan = shortPlan(3, 30000);
        EngineRun r;
        QSignalSpy intervals(&r.engine, &LoadEngine::intervalSample);
        QString error;
        QVERIFY2(r.engine.start(plan, urlOf(fake.port()), &error), qPrintable(error));
        QVERIFY(r.engine.isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(intervals.count() >= 2, 10000);
        QVERIFY(r.engine.summarySoFar().totals.requests > 0);
        r.engine.stop();
        QTRY_COMPARE_WITH_TIMEOUT(r.finished.size(), 1, 10000);
        const RunSummary &s = r.summary();
        QCOMPARE(s.status, ResultStatus::Aborted);
        QVERIFY2(s.errorDetails.contains(QLatin1String("stopped")), qPrintable(s.errorDetails));
        QVERIFY(s.totals.requests > 0);
        QCOMPARE(s.totals.requests, qint64(fake.requestsSeen()));
        QCOMPARE(s.totals.errors, qint64(0));
        QVERIFY(s.durationSec < 20);
        r.engine.stop(); // a second stop after the end is harmless
        QTest::qWait(50);
        QCOMPARE(r.finished.size(), 1);
    }

    void stopIsBoundedByGracefulStop()
    {
        // Every reply takes far longer than the graceful stop: in-flight requests are cut off.
        FakeHttpServer fake([](const FakeRequest &) {
            FakeReply reply = FakeReply::ok("late");
            reply.delayMs = 20000;
            return reply;
        });
        QVERIFY(fake.start());
        TestPlan plan = shortPlan(2, 30000);
        plan.timeouts.requestMs = 60000;
        plan.load.gracefulStopMs = 300;
        EngineRun r;
        QString error;
        QVERIFY2(r.engine.start(plan, urlOf(fake.port()), &error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(fake.requestsSeen(), 2, 10000);
        r.engine.stop(QStringLiteral("user pressed Stop"));
        // Not the 20 s reply, not the 60 s timeout, not the 30 s plan: the 300 ms grace.
        QTRY_COMPARE_WITH_TIMEOUT(r.finished.size(), 1, 8000);
        const RunSummary &s = r.summary();
        QCOMPARE(s.status, ResultStatus::Aborted);
        QCOMPARE(s.errorDetails, QStringLiteral("user pressed Stop"));
        QCOMPARE(s.totals.requests, qint64(0)); // cut-off requests are not counted
    }

    void unreachableTargetFails()
    {
        const quint16 port = test::freeLoopbackPort();
        QVERIFY(port != 0);
        TestPlan plan = shortPlan(2, 20000);
        EngineRun r;
        QString error;
        QVERIFY2(r.run(plan, urlOf(port), 10000, &error), qPrintable(error));
        const RunSummary &s = r.summary();
        QCOMPARE(s.status, ResultStatus::Failed);
        const QString peer = QStringLiteral("127.0.0.1:") + QString::number(port);
        QVERIFY2(s.errorDetails.contains(peer), qPrintable(s.errorDetails));
        QVERIFY(s.totals.requests > 0);
        QCOMPARE(s.totals.errorsByClass[size_t(ErrorClass::Connect)], s.totals.requests);
        QVERIFY(s.durationSec < 10); // stopped early, not after the planned 20 s
    }

    void unresolvableHostIsRefusedAtStart()
    {
        LoadEngine engine;
        QSignalSpy finished(&engine, &LoadEngine::finished);
        QString error;
        QVERIFY(!engine.start(shortPlan(1, 1000),
                              QStringLiteral("http://no-such-host.invalid:8080"), &error));
        QVERIFY2(error.startsWith(QLatin1String("baseUrl: ")), qPrintable(error));
        QVERIFY2(error.contains(QLatin1String("no-such-host.invalid")), qPrintable(error));
        QVERIFY(!engine.isRunning());
        QTest::qWait(20);
        QCOMPARE(finished.count(), 0);
    }

    void invalidInputIsRefusedAtStart()
    {
        LoadEngine engine;
        QString error;
        TestPlan plan = shortPlan(1, 1000);
        plan.steps[0].method = QStringLiteral("FETCH");
        QVERIFY(!engine.start(plan, QStringLiteral("http://127.0.0.1:1"), &error));
        QVERIFY2(error.contains(QLatin1String("steps[0].method")), qPrintable(error));
        QVERIFY(!engine.start(shortPlan(1, 1000), QStringLiteral("ftp://127.0.0.1:1"), &error));
        QVERIFY2(error.startsWith(QLatin1String("baseUrl: ")), qPrintable(error));
        plan = shortPlan(1, 1000);
        plan.dataFile = QStringLiteral("/nonexistent/users.csv");
        QVERIFY(!engine.start(plan, QStringLiteral("http://127.0.0.1:1"), &error));
        QVERIFY2(error.startsWith(QLatin1String("dataFile: ")), qPrintable(error));
        QVERIFY(!engine.isRunning());
    }

    void serverTimingFromSampleApi()
    {
        SampleApiHost host;
        QString error;
        QVERIFY2(host.start(QHostAddress::LocalHost, 0, &error) != 0, qPrintable(error));
        TestPlan plan = shortPlan(2, 1000);
        Step predict;
        predict.name = QStringLiteral("predict");
        predict.method = QStringLiteral("POST");
        predict.path = QStringLiteral("/api/bridge/predict");
        predict.headers = {{QStringLiteral("Content-Type"), QStringLiteral("application/json")}};
        predict.body = QStringLiteral(R"({"symbol":"AAPL"})");
        Check exists;
        exists.kind = Check::Kind::JsonPointerExists;
        exists.pointer = QStringLiteral("/predictionId");
        predict.checks = {exists};
        plan.steps = {predict};

        EngineRun r;
        QVERIFY2(r.run(plan, host.baseUrl().toString(), 15000, &error), qPrintable(error));
        const RunSummary &s = r.summary();
        QVERIFY2(s.totals.errors == 0, qPrintable(s.errorDetails));
        QVERIFY(s.totals.requests > 0);
        QVERIFY2(
            s.serverTiming.contains(QStringLiteral("inference")) &&
                s.serverTiming.contains(QStringLiteral("total")),
            qPrintable(QStringList(s.serverTiming.keyBegin(), s.serverTiming.keyEnd()).join(u',')));
        QCOMPARE(s.serverTiming.value(QStringLiteral("inference")).count(), s.totals.requests);
        QCOMPARE(s.serverTiming.value(QStringLiteral("total")).count(), s.totals.requests);
        QVERIFY(s.serverTiming.value(QStringLiteral("total")).max() > 0);
        bool inTimeline = false;
        for (const IntervalSample &sample : s.timeline)
            inTimeline =
                inTimeline || sample.serverTiming.value(QStringLiteral("inference")).count > 0;
        QVERIFY(inTimeline);
    }

    void dataFileGivesPerIterationVariables()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString csv = dir.filePath(QStringLiteral("users.csv"));
        {
            QFile file(csv);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("user,role\nalice,admin\nbob,user\ncarol,\"a, b\"\n");
        }
        QMutex mutex;
        QList<QByteArray> targets;
        FakeHttpServer fake([&](const FakeRequest &request) {
            QMutexLocker lock(&mutex);
            targets.append(request.target);
            return FakeReply::ok("ok");
        });
        QVERIFY(fake.start());
        TestPlan plan = shortPlan(2, 800, 2);
        plan.dataFile = csv;
        plan.variables.insert(QStringLiteral("v"), QStringLiteral("1"));
        plan.steps[0].path = QStringLiteral("/u/{{user}}?v={{v}}");

        EngineRun r;
        QString error;
        QVERIFY2(r.run(plan, urlOf(fake.port()), 15000, &error), qPrintable(error));
        QVERIFY2(r.summary().totals.errors == 0, qPrintable(r.summary().errorDetails));
        QMutexLocker lock(&mutex);
        QVERIFY(targets.size() >= 6);
        const QSet<QByteArray> expected{"/u/alice?v=1", "/u/bob?v=1", "/u/carol?v=1"};
        QSet<QByteArray> seen;
        for (const QByteArray &target : std::as_const(targets)) {
            QVERIFY2(expected.contains(target), target.constData());
            seen.insert(target);
        }
        QCOMPARE(seen, expected); // every row is used
    }
};

LOADSCOPE_TEST_MAIN(TestLoadEngine)
#include "tst_loadengine.moc"
