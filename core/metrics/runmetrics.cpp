#include "runmetrics.h"

namespace loadscope {
namespace {

double ms(qint64 us)
{
    return double(us) / 1000.0;
}

} // namespace

LatencyStats LatencyStats::fromHistogram(const LatencyHistogram &h)
{
    LatencyStats s;
    s.count = h.count();
    if (s.count == 0)
        return s;
    s.minMs = ms(h.min());
    s.maxMs = ms(h.max());
    s.meanMs = h.mean() / 1000.0;
    s.stddevMs = h.stddev() / 1000.0;
    s.p50Ms = ms(h.valueAtPercentile(50));
    s.p90Ms = ms(h.valueAtPercentile(90));
    s.p95Ms = ms(h.valueAtPercentile(95));
    s.p99Ms = ms(h.valueAtPercentile(99));
    s.p999Ms = ms(h.valueAtPercentile(99.9));
    return s;
}

QJsonObject LatencyStats::toJson() const
{
    return QJsonObject{{QStringLiteral("count"), count}, {QStringLiteral("min"), minMs},
                       {QStringLiteral("avg"), meanMs},  {QStringLiteral("stddev"), stddevMs},
                       {QStringLiteral("max"), maxMs},   {QStringLiteral("p50"), p50Ms},
                       {QStringLiteral("p90"), p90Ms},   {QStringLiteral("p95"), p95Ms},
                       {QStringLiteral("p99"), p99Ms},   {QStringLiteral("p999"), p999Ms}};
}

LatencyStats LatencyStats::fromJson(const QJsonObject &json, qint64 count)
{
    const auto get = [&json](const char *key, const char *fallback = nullptr) {
        const QJsonValue v = json.value(QLatin1String(key));
        return v.isUndefined() && fallback ? json.value(QLatin1String(fallback)).toDouble()
                                           : v.toDouble();
    };
    LatencyStats s;
    s.count = count;
    s.minMs = get("min");
    s.meanMs = get("avg");
    s.stddevMs = get("stddev");
    s.p50Ms = get("p50", "med");
    s.p90Ms = get("p90");
    s.p95Ms = get("p95");
    s.p99Ms = get("p99");
    s.p999Ms = get("p999");
    s.maxMs = get("max", "p100");
    return s;
}

void TrafficTotals::add(const TrafficTotals &o)
{
    requests += o.requests;
    errors += o.errors;
    bytesIn += o.bytesIn;
    bytesOut += o.bytesOut;
    iterations += o.iterations;
    droppedIterations += o.droppedIterations;
    checksPassed += o.checksPassed;
    checksFailed += o.checksFailed;
    for (int i = 0; i < kErrorClassCount; ++i)
        errorsByClass[size_t(i)] += o.errorsByClass[size_t(i)];
    protocols |= o.protocols;
}

QString TrafficTotals::protocolText() const
{
    QStringList names;
    if (protocols & 1)
        names.append(QStringLiteral("HTTP/1.1"));
    if (protocols & 2)
        names.append(QStringLiteral("HTTP/2.0"));
    return names.join(QStringLiteral(", "));
}

QJsonObject TrafficTotals::errorsByClassJson() const
{
    QJsonObject json;
    for (int i = 1; i < kErrorClassCount; ++i) {
        if (errorsByClass[size_t(i)] > 0)
            json.insert(QString(errorClassName(ErrorClass(i))), errorsByClass[size_t(i)]);
    }
    return json;
}

bool RunSummary::thresholdsPassed() const
{
    for (const ThresholdResult &t : thresholds)
        if (!t.passed)
            return false;
    return true;
}

const QStringList &timingNames()
{
    static const QStringList names{QStringLiteral("blocked"),         QStringLiteral("connecting"),
                                   QStringLiteral("tls_handshaking"), QStringLiteral("sending"),
                                   QStringLiteral("waiting"),         QStringLiteral("receiving")};
    return names;
}

QJsonObject RunExtras::toJson() const
{
    QJsonObject json{{QStringLiteral("resources"), resources},
                     {QStringLiteral("recommendations"), recommendations.value_or(QJsonArray())},
                     {QStringLiteral("comparison"), comparison}};
    if (untrustworthy)
        json.insert(QStringLiteral("untrustworthy"), true);
    if (!anomalies.isEmpty())
        json.insert(QStringLiteral("anomalies"), anomalies);
    if (!stress.isEmpty())
        json.insert(QStringLiteral("stress"), stress);
    if (rebuiltFromIntervals)
        json.insert(QStringLiteral("rebuiltFromIntervals"), true);
    if (!trigger.isEmpty())
        json.insert(QStringLiteral("trigger"), trigger);
    if (!aggregated.isEmpty())
        json.insert(QStringLiteral("aggregated"), aggregated);
    if (!agent.isEmpty())
        json.insert(QStringLiteral("agent"), agent);
    if (!agents.isEmpty())
        json.insert(QStringLiteral("agents"), agents);
    return json;
}

RunExtras RunExtras::fromJson(const QJsonObject &result)
{
    RunExtras e;
    e.resources = result.value(QStringLiteral("resources")).toObject();
    if (const QJsonValue r = result.value(QStringLiteral("recommendations")); r.isArray())
        e.recommendations = r.toArray();
    e.untrustworthy = result.value(QStringLiteral("untrustworthy")).toBool();
    e.comparison = result.value(QStringLiteral("comparison")).toObject();
    e.anomalies = result.value(QStringLiteral("anomalies")).toArray();
    e.stress = result.value(QStringLiteral("stress")).toObject();
    e.rebuiltFromIntervals = result.value(QStringLiteral("rebuiltFromIntervals")).toBool();
    e.trigger = result.value(QStringLiteral("trigger")).toString();
    e.aggregated = result.value(QStringLiteral("aggregated")).toObject();
    e.agent = result.value(QStringLiteral("agent")).toObject();
    e.agents = result.value(QStringLiteral("agents")).toArray();
    return e;
}

} // namespace loadscope
