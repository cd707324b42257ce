// The seven test types of DESIGN.md §2 run against the built-in SmartMarket sample API, each
// for a couple of seconds, and produce the figures their type is about.
#include <QJsonArray>
#include <QJsonObject>
#include <QSignalSpy>

#include "cli/commandline.h"
#include "cli/runoptions.h"
#include "sample/sampleapihost.h"
#include "session/runsession.h"
#include "testmain.h"

using namespace loadscope;

namespace {

//! The preset of @p type shortened exactly as `loadscope-cli run --type=T --duration=S` does.
TestPlan shortPreset(const QString &type, const QString &seconds)
{
    SubcommandLine line(QStringLiteral("run"), QString());
    addRunOptions(line);
    QTextStream out(stdout);
    QTextStream err(stderr);
    int code = 0;
    const bool parsed =
        line.parse({QStringLiteral("--type=") + type, QStringLiteral("--duration=") + seconds,
                    QStringLiteral("--no-db")},
                   out, err, &code);
    QString error;
    const auto request = parsed ? runRequestFromOptions(line.parser(), &error) : std::nullopt;
    if (!request)
        qFatal("cannot build the %s preset: %s", qPrintable(type), qPrintable(error));
    TestPlan plan = request->plan;
    plan.intervalMs = 500;
    return plan;
}

double p50(const LatencyHistogram &h)
{
    return LatencyStats::fromHistogram(h).p50Ms;
}

const EndpointSummary *endpoint(const RunSummary &s, const QString &pathSuffix)
{
    for (const EndpointSummary &e : s.endpoints)
        if (e.path.endsWith(pathSuffix))
            return &e;
    return nullptr;
}

} // namespace

class TestPresets : public QObject
{
    Q_OBJECT

private:
    //! Runs @p plan against a fresh sample API (so its model load is measured again).
    RunSummary run(TestPlan plan)
    {
        SampleApiHost host;
        QString error;
        if (host.start(QHostAddress::LocalHost, 0, &error) == 0)
            qFatal("sample API: %s", qPrintable(error));
        RunSession session(nullptr);
        session.setDefaultTarget(DefaultTarget{host.baseUrl().toString(), 0});
        MonitorOptions monitor;
        monitor.enabled = false;
        session.setMonitorOptions(monitor);
        QSignalSpy finished(&session, &RunSession::finished);
        QSignalSpy intervals(&session, &RunSession::intervalSample);
        if (!session.start(plan, &error))
            qFatal("start: %s", qPrintable(error));
        if (!finished.wait(60000))
            qFatal("the run did not finish");
        m_intervals = int(intervals.size());
        return finished.first().first().value<RunSummary>();
    }

    void expectHealthy(const RunSummary &s)
    {
        QCOMPARE(s.status, ResultStatus::Completed);
        QVERIFY(s.totals.requests > 0);
        QCOMPARE(s.totals.errors, qint64(0));
        QVERIFY(m_intervals >= 3);
        QVERIFY(!s.thresholds.isEmpty());
    }

    int m_intervals = 0;

private slots:
    void apiLatency()
    {
        const RunSummary s = run(shortPreset(QStringLiteral("API_LATENCY"), QStringLiteral("2")));
        expectHealthy(s);
        QVERIFY(s.duration.count() == s.totals.requests);
        const LatencyStats l = LatencyStats::fromHistogram(s.duration);
        QVERIFY(l.p50Ms > 0 && l.p50Ms <= l.p95Ms && l.p95Ms <= l.p99Ms && l.p99Ms <= l.maxMs);
        QVERIFY(s.thresholdsPassed());
    }

    void loadTestRampsInStages()
    {
        TestPlan plan = shortPreset(QStringLiteral("LOAD_TEST"), QStringLiteral("3"));
        QCOMPARE(plan.load.executor, Executor::RampingVus);
        const RunSummary s = run(plan);
        expectHealthy(s);
        // The four stages of the original framework, compressed: up, up, hold, down.
        int peak = 0;
        for (const IntervalSample &i : s.timeline)
            peak = std::max(peak, i.activeVus);
        QVERIFY2(peak >= 20, qPrintable(QString::number(peak)));
        QVERIFY(s.timeline.first().activeVus < peak);
        QCOMPARE(s.endpoints.size(), 2);
    }

    void mlPredictionThroughput()
    {
        const RunSummary s =
            run(shortPreset(QStringLiteral("ML_PREDICTION_THROUGHPUT"), QStringLiteral("2")));
        expectHealthy(s);
        const EndpointSummary *predict = endpoint(s, QStringLiteral("/api/bridge/predict"));
        QVERIFY(predict);
        QVERIFY(predict->totals.requests > 0); // predictions/s = requests / duration
        for (const char *name : {"inference", "model-load", "features", "total"})
            QVERIFY2(s.serverTiming.contains(QLatin1String(name)), name);
        const LatencyHistogram &inference = s.serverTiming[QStringLiteral("inference")];
        QCOMPARE(inference.count(), predict->totals.requests);
        // Inference is part of the prediction, measured by the server: above zero, below the
        // latency the client saw.
        QVERIFY(inference.max() > 0);
        QVERIFY2(
            p50(inference) < p50(predict->duration),
            qPrintable(QStringLiteral("%1 vs %2").arg(p50(inference)).arg(p50(predict->duration))));
        // The fresh server loaded its model for the first prediction and reported the time.
        QVERIFY(s.serverTiming[QStringLiteral("model-load")].max() > 0);
    }

    void signalGeneration()
    {
        const RunSummary s =
            run(shortPreset(QStringLiteral("SIGNAL_GENERATION"), QStringLiteral("2")));
        expectHealthy(s);
        const EndpointSummary *signal = endpoint(s, QStringLiteral("/api/signals"));
        QVERIFY(signal);
        const LatencyHistogram &generation = s.serverTiming[QStringLiteral("signal")];
        QCOMPARE(generation.count(), signal->totals.requests);
        QVERIFY(generation.max() > 0);
        QVERIFY(p50(generation) < p50(signal->duration));
    }

    void strategyExecution()
    {
        const RunSummary s =
            run(shortPreset(QStringLiteral("STRATEGY_EXECUTION"), QStringLiteral("2")));
        expectHealthy(s);
        const EndpointSummary *strategy = endpoint(s, QStringLiteral("/api/strategy/execute"));
        QVERIFY(strategy);
        const LatencyHistogram &time = s.serverTiming[QStringLiteral("strategy")];
        QCOMPARE(time.count(), strategy->totals.requests);
        QVERIFY(time.max() > 0);
        QVERIFY(p50(time) < p50(strategy->duration));
    }

    void endToEndFlow()
    {
        const RunSummary s = run(shortPreset(QStringLiteral("END_TO_END"), QStringLiteral("2")));
        expectHealthy(s);
        QCOMPARE(s.endpoints.size(), 3);
        // Every check passed: the prediction id and the signal extracted from earlier
        // responses were accepted by the later steps.
        QVERIFY(s.totals.checksPassed > 0);
        QCOMPARE(s.totals.checksFailed, qint64(0));
        double sumOfStepMedians = 0;
        for (const EndpointSummary &e : s.endpoints) {
            QVERIFY(e.totals.requests >= s.totals.iterations);
            sumOfStepMedians += p50(e.duration);
        }
        QVERIFY(s.iterationDuration.count() == s.totals.iterations);
        QVERIFY2(p50(s.iterationDuration) >= sumOfStepMedians,
                 qPrintable(QStringLiteral("flow p50 %1 ms, sum of step medians %2 ms")
                                .arg(p50(s.iterationDuration))
                                .arg(sumOfStepMedians)));
    }

    void stressTestFindsItsLimits()
    {
        TestPlan plan = shortPreset(QStringLiteral("STRESS_TEST"), QStringLiteral("3"));
        QCOMPARE(plan.load.executor, Executor::RampingArrivalRate);
        const RunSummary s = run(plan);
        QVERIFY(s.openModel);
        QVERIFY(s.totals.requests > 0);
        // The arrival rate climbs the staircase.
        double highest = 0;
        for (const IntervalSample &i : s.timeline)
            highest = std::max(highest, i.plannedTarget);
        QVERIFY2(
            highest > 2 * s.timeline.first().plannedTarget,
            qPrintable(
                QStringLiteral("%1 vs %2").arg(highest).arg(s.timeline.first().plannedTarget)));
        QVERIFY(s.durationCorrected.count() == s.totals.requests);
        const QJsonObject stress = s.extras.stress;
        QVERIFY2(stress.contains(QStringLiteral("valid")), "no stress analysis in the result");
        QVERIFY(stress.contains(QStringLiteral("usl")));
        if (stress.value(QStringLiteral("valid")).toBool()) {
            const QJsonObject sustained = stress.value(QStringLiteral("maxSustained")).toObject();
            const QJsonObject failure = stress.value(QStringLiteral("firstFailure")).toObject();
            QVERIFY(!sustained.isEmpty() || !failure.isEmpty());
        }
    }
};

LOADSCOPE_TEST_MAIN(TestPresets)
#include "tst_presets.moc"
