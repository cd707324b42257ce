#include "testplan.h"

#include <algorithm>

#include <QRegularExpression>

namespace loadscope {

namespace {

struct TypeName
{
    TestType type;
    const char *name;
};

constexpr TypeName kTypeNames[] = {
    {TestType::ApiLatency, "API_LATENCY"},
    {TestType::LoadTest, "LOAD_TEST"},
    {TestType::StressTest, "STRESS_TEST"},
    {TestType::MlPredictionThroughput, "ML_PREDICTION_THROUGHPUT"},
    {TestType::SignalGeneration, "SIGNAL_GENERATION"},
    {TestType::StrategyExecution, "STRATEGY_EXECUTION"},
    {TestType::EndToEnd, "END_TO_END"},
};

struct ExecutorNameEntry
{
    Executor executor;
    const char *name;
};

constexpr ExecutorNameEntry kExecutorNames[] = {
    {Executor::ConstantVus, "constant-vus"},
    {Executor::RampingVus, "ramping-vus"},
    {Executor::ConstantArrivalRate, "constant-arrival-rate"},
    {Executor::RampingArrivalRate, "ramping-arrival-rate"},
};

} // namespace

QList<TestType> allTestTypes()
{
    QList<TestType> types;
    for (const TypeName &entry : kTypeNames)
        types.append(entry.type);
    return types;
}

QString testTypeName(TestType type)
{
    for (const TypeName &entry : kTypeNames) {
        if (entry.type == type)
            return QLatin1String(entry.name);
    }
    return {};
}

std::optional<TestType> testTypeFromString(QStringView name)
{
    const QStringView trimmed = name.trimmed();
    for (const TypeName &entry : kTypeNames) {
        if (trimmed.compare(QLatin1String(entry.name), Qt::CaseInsensitive) == 0)
            return entry.type;
    }
    return std::nullopt;
}

QString executorName(Executor executor)
{
    for (const ExecutorNameEntry &entry : kExecutorNames) {
        if (entry.executor == executor)
            return QLatin1String(entry.name);
    }
    return {};
}

std::optional<Executor> executorFromString(QStringView name)
{
    const QStringView trimmed = name.trimmed();
    for (const ExecutorNameEntry &entry : kExecutorNames) {
        if (trimmed.compare(QLatin1String(entry.name), Qt::CaseInsensitive) == 0)
            return entry.executor;
    }
    return std::nullopt;
}

bool isOpenModel(Executor executor)
{
    return executor == Executor::ConstantArrivalRate || executor == Executor::RampingArrivalRate;
}

bool isRamping(Executor executor)
{
    return executor == Executor::RampingVus || executor == Executor::RampingArrivalRate;
}

QString checkKindName(Check::Kind kind)
{
    switch (kind) {
    case Check::Kind::Status:
        return QStringLiteral("status");
    case Check::Kind::BodyContains:
        return QStringLiteral("bodyContains");
    case Check::Kind::JsonPointerEquals:
        return QStringLiteral("jsonPointerEquals");
    case Check::Kind::JsonPointerExists:
        return QStringLiteral("jsonPointerExists");
    }
    return {};
}

std::optional<Check::Kind> checkKindFromString(QStringView name)
{
    for (Check::Kind kind : {Check::Kind::Status, Check::Kind::BodyContains,
                             Check::Kind::JsonPointerEquals, Check::Kind::JsonPointerExists}) {
        if (name == checkKindName(kind))
            return kind;
    }
    return std::nullopt;
}

QString extractionSourceName(Extraction::Source source)
{
    switch (source) {
    case Extraction::Source::JsonPointer:
        return QStringLiteral("jsonPointer");
    case Extraction::Source::Header:
        return QStringLiteral("header");
    case Extraction::Source::Regex:
        return QStringLiteral("regex");
    }
    return {};
}

std::optional<Extraction::Source> extractionSourceFromString(QStringView name)
{
    for (Extraction::Source source :
         {Extraction::Source::JsonPointer, Extraction::Source::Header, Extraction::Source::Regex}) {
        if (name == extractionSourceName(source))
            return source;
    }
    return std::nullopt;
}

QString Step::displayName() const
{
    if (!name.isEmpty())
        return name;
    return method + u' ' + path;
}

qint64 LoadModel::totalDurationMs() const
{
    if (!isRamping(executor))
        return durationMs;
    qint64 total = 0;
    for (const Stage &stage : stages)
        total += stage.durationMs;
    return total;
}

double LoadModel::targetAt(qint64 ms) const
{
    if (ms < 0 || ms > totalDurationMs())
        return 0;
    switch (executor) {
    case Executor::ConstantVus:
        return vus;
    case Executor::ConstantArrivalRate:
        return rate;
    case Executor::RampingVus:
    case Executor::RampingArrivalRate:
        break;
    }
    double previous = executor == Executor::RampingVus ? double(startVus) : startRate;
    qint64 stageStart = 0;
    for (const Stage &stage : stages) {
        const qint64 stageEnd = stageStart + stage.durationMs;
        // A zero-length stage is a jump: it never matches here and only moves "previous".
        if (ms <= stageEnd && stage.durationMs > 0) {
            const double fraction = double(ms - stageStart) / double(stage.durationMs);
            return previous + (stage.target - previous) * fraction;
        }
        previous = stage.target;
        stageStart = stageEnd;
    }
    return previous;
}

QStringList templateReferences(const QString &text)
{
    static const QRegularExpression reference(
        QStringLiteral(R"(\{\{\s*([A-Za-z_][A-Za-z0-9_.\-]*)\s*\}\})"));
    QStringList names;
    auto it = reference.globalMatch(text);
    while (it.hasNext()) {
        const QString name = it.next().captured(1);
        if (!names.contains(name))
            names.append(name);
    }
    return names;
}

bool operator==(const Stage &a, const Stage &b)
{
    return a.durationMs == b.durationMs && a.target == b.target;
}

bool operator==(const Check &a, const Check &b)
{
    if (a.kind != b.kind)
        return false;
    switch (a.kind) {
    case Check::Kind::Status:
        return a.status == b.status;
    case Check::Kind::BodyContains:
        return a.text == b.text;
    case Check::Kind::JsonPointerEquals:
        return a.pointer == b.pointer && a.value == b.value;
    case Check::Kind::JsonPointerExists:
        return a.pointer == b.pointer;
    }
    return false;
}

bool operator==(const Extraction &a, const Extraction &b)
{
    return a.name == b.name && a.source == b.source && a.expression == b.expression &&
           (a.source != Extraction::Source::Regex || a.group == b.group);
}

bool operator==(const Step &a, const Step &b)
{
    return a.name == b.name && a.method == b.method && a.path == b.path && a.headers == b.headers &&
           a.body == b.body && a.bodyFile == b.bodyFile && a.checks == b.checks &&
           a.extractions == b.extractions && a.thinkTimeMs == b.thinkTimeMs;
}

bool operator==(const LoadModel &a, const LoadModel &b)
{
    return a.executor == b.executor && a.vus == b.vus && a.durationMs == b.durationMs &&
           a.stages == b.stages && a.startVus == b.startVus && a.startRate == b.startRate &&
           a.rate == b.rate && a.timeUnitMs == b.timeUnitMs &&
           a.preAllocatedVus == b.preAllocatedVus && a.maxVus == b.maxVus &&
           a.gracefulRampDownMs == b.gracefulRampDownMs && a.gracefulStopMs == b.gracefulStopMs;
}

bool operator==(const ThresholdSpec &a, const ThresholdSpec &b)
{
    return a.metric == b.metric && a.expression == b.expression && a.abortOnFail == b.abortOnFail &&
           a.delayAbortEvalMs == b.delayAbortEvalMs;
}

bool operator==(const Timeouts &a, const Timeouts &b)
{
    return a.requestMs == b.requestMs && a.connectMs == b.connectMs;
}

namespace {

// Thresholds grouped by metric, keeping the order within each metric (see TestPlan).
QList<ThresholdSpec> groupedByMetric(QList<ThresholdSpec> thresholds)
{
    std::stable_sort(
        thresholds.begin(), thresholds.end(),
        [](const ThresholdSpec &a, const ThresholdSpec &b) { return a.metric < b.metric; });
    return thresholds;
}

} // namespace

bool operator==(const TestPlan &a, const TestPlan &b)
{
    return a.name == b.name && a.description == b.description && a.type == b.type &&
           a.baseUrl == b.baseUrl && a.steps == b.steps && a.load == b.load &&
           groupedByMetric(a.thresholds) == groupedByMetric(b.thresholds) &&
           a.versionLabel == b.versionLabel && a.timeouts == b.timeouts &&
           a.dataFile == b.dataFile && a.variables == b.variables && a.threads == b.threads &&
           a.http2 == b.http2 && a.httpAuto == b.httpAuto && a.transport == b.transport &&
           a.connections == b.connections && a.maxStreams == b.maxStreams &&
           a.insecureSkipTlsVerify == b.insecureSkipTlsVerify && a.proxy == b.proxy &&
           a.maxRedirects == b.maxRedirects && a.intervalMs == b.intervalMs &&
           a.maxHeaderBytes == b.maxHeaderBytes;
}

} // namespace loadscope
