#include "planpresets.h"

namespace loadscope {

namespace {

const QString kPortfolio = QStringLiteral(R"("portfolio":{"cash":100000,"positions":{"AAPL":10}})");

Check statusCheck(int status)
{
    Check check;
    check.kind = Check::Kind::Status;
    check.status = status;
    return check;
}

Check existsCheck(const QString &pointer)
{
    Check check;
    check.kind = Check::Kind::JsonPointerExists;
    check.pointer = pointer;
    return check;
}

Extraction pointerExtraction(const QString &name, const QString &pointer)
{
    Extraction extraction;
    extraction.name = name;
    extraction.source = Extraction::Source::JsonPointer;
    extraction.expression = pointer;
    return extraction;
}

Step healthStep()
{
    Step step;
    step.name = QStringLiteral("health");
    step.method = QStringLiteral("GET");
    step.path = QStringLiteral("/api/health");
    step.checks = {statusCheck(200)};
    return step;
}

Step postStep(const QString &name, const QString &path, const QString &body)
{
    Step step;
    step.name = name;
    step.method = QStringLiteral("POST");
    step.path = path;
    step.headers = {{QStringLiteral("Content-Type"), QStringLiteral("application/json")}};
    step.body = body;
    step.checks = {statusCheck(200)};
    return step;
}

Step predictStep()
{
    Step step = postStep(QStringLiteral("predict"), QStringLiteral("/api/bridge/predict"),
                         QStringLiteral(R"({"symbol":"AAPL"})"));
    step.checks.append(existsCheck(QStringLiteral("/predictionId")));
    return step;
}

Step signalsStep(const QString &predictionId)
{
    Step step = postStep(QStringLiteral("signals"), QStringLiteral("/api/signals"),
                         QStringLiteral(R"({"symbol":"AAPL","predictionId":")") + predictionId +
                             QStringLiteral(R"("})"));
    step.checks.append(existsCheck(QStringLiteral("/combined/action")));
    return step;
}

Step strategyStep(const QString &signalJson)
{
    Step step = postStep(QStringLiteral("strategy"), QStringLiteral("/api/strategy/execute"),
                         QStringLiteral(R"({"symbol":"AAPL","signal":)") + signalJson + u',' +
                             kPortfolio + u'}');
    step.checks.append(existsCheck(QStringLiteral("/decision")));
    return step;
}

ThresholdSpec threshold(const QString &metric, const QString &expression, bool abort = false)
{
    ThresholdSpec spec;
    spec.metric = metric;
    spec.expression = expression;
    spec.abortOnFail = abort;
    // Give a run time to warm up before an early abort can trigger (k6's delayAbortEval).
    spec.delayAbortEvalMs = abort ? 10000 : 0;
    return spec;
}

LoadModel constantVus(int vus, qint64 durationMs)
{
    LoadModel load;
    load.executor = Executor::ConstantVus;
    load.vus = vus;
    load.durationMs = durationMs;
    return load;
}

const QString kDuration = QStringLiteral("http_req_duration");
const QString kFailed = QStringLiteral("http_req_failed");

} // namespace

TestPlan presetPlan(TestType type)
{
    TestPlan plan;
    plan.type = type;
    switch (type) {
    case TestType::ApiLatency:
        plan.name = QStringLiteral("API latency");
        plan.description = QStringLiteral("Response time of an endpoint under light, steady load.");
        plan.steps = {healthStep()};
        plan.load = constantVus(5, 30000);
        plan.thresholds = {threshold(kDuration, QStringLiteral("p(95)<200")),
                           threshold(kFailed, QStringLiteral("rate<0.01"))};
        break;
    case TestType::LoadTest:
        plan.name = QStringLiteral("Load test");
        plan.description = QStringLiteral("Expected load, ramped up in stages, held, and ramped "
                                          "down.");
        plan.steps = {healthStep(), predictStep()};
        plan.load.executor = Executor::RampingVus;
        plan.load.startVus = 0;
        plan.load.stages = {{30000, 10}, {60000, 50}, {120000, 50}, {30000, 0}};
        plan.thresholds = {threshold(kDuration, QStringLiteral("p(95)<500")),
                           threshold(kFailed, QStringLiteral("rate<0.01"))};
        break;
    case TestType::StressTest:
        plan.name = QStringLiteral("Stress test");
        plan.description = QStringLiteral("Arrival rate raised in steps past normal load until "
                                          "something breaks.");
        plan.steps = {predictStep()};
        plan.load.executor = Executor::RampingArrivalRate;
        plan.load.startRate = 50;
        plan.load.timeUnitMs = 1000;
        // A staircase: ramp for 10 s, hold for 20 s, so each level is measured steadily.
        plan.load.stages = {{10000, 500},  {20000, 500},  {10000, 1500}, {20000, 1500},
                            {10000, 3000}, {20000, 3000}, {10000, 5000}, {20000, 5000}};
        plan.load.preAllocatedVus = 50;
        plan.load.maxVus = 1000;
        plan.thresholds = {threshold(kDuration, QStringLiteral("p(95)<500"), true),
                           threshold(kFailed, QStringLiteral("rate<0.05"), true)};
        break;
    case TestType::MlPredictionThroughput:
        plan.name = QStringLiteral("ML prediction throughput");
        plan.description = QStringLiteral("Predictions per second and prediction latency of the "
                                          "model endpoint.");
        plan.steps = {predictStep()};
        plan.load = constantVus(10, 60000);
        plan.thresholds = {threshold(kDuration, QStringLiteral("p(95)<300")),
                           threshold(kFailed, QStringLiteral("rate<0.01"))};
        break;
    case TestType::SignalGeneration:
        plan.name = QStringLiteral("Signal generation");
        plan.description = QStringLiteral("Throughput and latency of the trading-signal endpoint.");
        plan.steps = {signalsStep(QStringLiteral("sample"))};
        plan.load = constantVus(10, 60000);
        plan.thresholds = {threshold(kDuration, QStringLiteral("p(95)<300")),
                           threshold(kFailed, QStringLiteral("rate<0.01"))};
        break;
    case TestType::StrategyExecution:
        plan.name = QStringLiteral("Strategy execution");
        plan.description = QStringLiteral("Latency of strategy execution: rule evaluation and "
                                          "decision.");
        plan.steps = {strategyStep(QStringLiteral(R"({"action":"BUY","strength":0.7})"))};
        plan.load = constantVus(5, 60000);
        plan.thresholds = {threshold(kDuration, QStringLiteral("p(95)<300")),
                           threshold(kFailed, QStringLiteral("rate<0.01"))};
        break;
    case TestType::EndToEnd: {
        plan.name = QStringLiteral("End-to-end flow");
        plan.description = QStringLiteral("Prediction, then signal, then strategy, each step "
                                          "using values from the one before.");
        Step predict = predictStep();
        predict.extractions = {
            pointerExtraction(QStringLiteral("predictionId"), QStringLiteral("/predictionId"))};
        Step signalStep = signalsStep(QStringLiteral("{{predictionId}}"));
        signalStep.extractions = {
            pointerExtraction(QStringLiteral("signal"), QStringLiteral("/combined"))};
        plan.steps = {predict, signalStep, strategyStep(QStringLiteral("{{signal}}"))};
        plan.load = constantVus(5, 60000);
        plan.thresholds = {
            threshold(kDuration, QStringLiteral("p(95)<500")),
            threshold(QStringLiteral("iteration_duration"), QStringLiteral("p(95)<1500")),
            threshold(kFailed, QStringLiteral("rate<0.01")),
            threshold(QStringLiteral("checks"), QStringLiteral("rate>0.99"))};
        break;
    }
    }
    return plan;
}

} // namespace loadscope
