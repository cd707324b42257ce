#include "thresholdevaluator.h"

#include <optional>

#include "plan/thresholdexpression.h"

namespace loadscope {
namespace {

const QString kCorrected = QStringLiteral("http_req_duration_corrected");

//! The observed figure of a metric, or why there is none.
struct Observed
{
    double value = 0;
    QString error;
};

Observed failure(const QString &error)
{
    return Observed{0, error};
}

Observed noData()
{
    return failure(QStringLiteral("no data"));
}

QString aggregationText(const ThresholdExpression &e)
{
    switch (e.aggregation) {
    case ThresholdExpression::Percentile:
        return QStringLiteral("p(") + QString::number(e.percentile) + QLatin1Char(')');
    case ThresholdExpression::Avg:
        return QStringLiteral("avg");
    case ThresholdExpression::Min:
        return QStringLiteral("min");
    case ThresholdExpression::Max:
        return QStringLiteral("max");
    case ThresholdExpression::Med:
        return QStringLiteral("med");
    case ThresholdExpression::Rate:
        return QStringLiteral("rate");
    case ThresholdExpression::Count:
        return QStringLiteral("count");
    case ThresholdExpression::Value:
        return QStringLiteral("value");
    }
    return {};
}

QString aggregationsFor(MetricKind kind)
{
    switch (kind) {
    case MetricKind::Trend:
        return QStringLiteral("p(N), avg, min, max or med");
    case MetricKind::Rate:
        return QStringLiteral("rate");
    case MetricKind::Counter:
        return QStringLiteral("count or rate");
    case MetricKind::Gauge:
        return QStringLiteral("value");
    }
    return {};
}

//! k6 timing trend name -> RunSummary::timings key ("http_req_waiting" -> "waiting").
std::optional<QString> timingKey(const QString &metric)
{
    static const QLatin1String prefix("http_req_");
    if (!metric.startsWith(prefix))
        return std::nullopt;
    const QString key = metric.mid(prefix.size());
    if (timingNames().contains(key))
        return key;
    return std::nullopt;
}

//! Metrics measured per endpoint, on which tag filters can select endpoints.
bool isPerEndpoint(const QString &metric)
{
    static const QStringList names{QStringLiteral("http_req_duration"),
                                   kCorrected,
                                   QStringLiteral("http_req_failed"),
                                   QStringLiteral("http_reqs"),
                                   QStringLiteral("checks"),
                                   QStringLiteral("data_received"),
                                   QStringLiteral("data_sent")};
    return names.contains(metric);
}

//! Whole-run figures of the endpoints a tag filter selects (or of the whole run).
struct Selection
{
    TrafficTotals totals;
    LatencyHistogram duration;
    LatencyHistogram durationCorrected;
    QString error;
};

bool endpointMatches(const EndpointSummary &endpoint, const QList<QPair<QString, QString>> &tags)
{
    for (const auto &[key, value] : tags) {
        if (key == QLatin1String("name") || key == QLatin1String("endpoint")) {
            if (endpoint.name != value)
                return false;
        } else if (key == QLatin1String("method")) {
            if (endpoint.method.compare(value, Qt::CaseInsensitive) != 0)
                return false;
        } else if (key == QLatin1String("path")) {
            if (endpoint.path != value)
                return false;
        }
    }
    return true;
}

Selection select(const MetricSelector &selector, const RunSummary &summary)
{
    Selection s;
    if (selector.tags.isEmpty()) {
        s.totals = summary.totals;
        s.duration = summary.duration;
        s.durationCorrected = summary.durationCorrected;
        return s;
    }
    if (!isPerEndpoint(selector.name)) {
        s.error = QStringLiteral("tag filters are not available on ") + selector.name +
                  QStringLiteral(" (only on per-endpoint metrics such as http_req_duration)");
        return s;
    }
    for (const auto &tag : selector.tags) {
        static const QStringList known{QStringLiteral("name"), QStringLiteral("endpoint"),
                                       QStringLiteral("method"), QStringLiteral("path")};
        if (!known.contains(tag.first)) {
            s.error = QStringLiteral("unsupported tag \"") + tag.first +
                      QStringLiteral("\" (supported: name, endpoint, method, path)");
            return s;
        }
    }
    bool any = false;
    for (const EndpointSummary &endpoint : summary.endpoints) {
        if (!endpointMatches(endpoint, selector.tags))
            continue;
        any = true;
        s.totals.add(endpoint.totals);
        s.duration.merge(endpoint.duration);
        s.durationCorrected.merge(endpoint.durationCorrected);
    }
    if (!any) {
        const auto &first = selector.tags.first();
        const bool byName = selector.tags.size() == 1 && (first.first == QLatin1String("name") ||
                                                          first.first == QLatin1String("endpoint"));
        s.error = byName ? QStringLiteral("no endpoint named ") + first.second
                         : QStringLiteral("no endpoint matches ") + selector.toString();
    }
    return s;
}

Observed trend(const LatencyHistogram &h, const ThresholdExpression &e)
{
    if (h.isEmpty())
        return noData();
    switch (e.aggregation) {
    case ThresholdExpression::Percentile:
        return {double(h.valueAtPercentile(e.percentile)) / 1000.0, {}};
    case ThresholdExpression::Avg:
        return {h.mean() / 1000.0, {}};
    case ThresholdExpression::Min:
        return {double(h.min()) / 1000.0, {}};
    case ThresholdExpression::Max:
        return {double(h.max()) / 1000.0, {}};
    case ThresholdExpression::Med:
        return {double(h.valueAtPercentile(50)) / 1000.0, {}};
    default:
        return failure(QStringLiteral("internal: not a trend aggregation"));
    }
}

Observed rate(qint64 hits, qint64 total)
{
    if (total <= 0)
        return noData();
    return {double(hits) / double(total), {}};
}

Observed counter(qint64 count, const ThresholdExpression &e, const RunSummary &summary)
{
    if (e.aggregation == ThresholdExpression::Count)
        return {double(count), {}};
    if (summary.durationSec <= 0)
        return failure(QStringLiteral("no data (the run lasted 0 s)"));
    return {double(count) / summary.durationSec, {}};
}

//! Requests that failed at the HTTP level (k6's http_req_failed): every class but Check.
qint64 httpFailures(const TrafficTotals &totals)
{
    qint64 failures = 0;
    for (int i = int(ErrorClass::None) + 1; i < kErrorClassCount; ++i) {
        if (ErrorClass(i) != ErrorClass::Check)
            failures += totals.errorsByClass[size_t(i)];
    }
    return failures;
}

Observed observe(const MetricSelector &selector, const ThresholdExpression &e,
                 const RunSummary &summary)
{
    const QString &name = selector.name;
    const Selection s = select(selector, summary);
    if (!s.error.isEmpty())
        return failure(s.error);

    if (name == QLatin1String("http_req_duration"))
        return trend(s.duration, e);
    if (name == kCorrected) {
        if (!summary.openModel)
            return failure(kCorrected +
                           QStringLiteral(" is only measured for arrival-rate executors"));
        return trend(s.durationCorrected, e);
    }
    if (name == QLatin1String("iteration_duration"))
        return trend(summary.iterationDuration, e);
    if (const auto key = timingKey(name)) {
        const auto it = summary.timings.constFind(*key);
        return it == summary.timings.cend() ? noData() : trend(*it, e);
    }
    if (name.startsWith(QLatin1String("server_timing_"))) {
        const QString metric = name.mid(14);
        const auto it = summary.serverTiming.constFind(metric);
        if (it == summary.serverTiming.cend())
            return failure(QStringLiteral("no data (no Server-Timing metric \"") + metric +
                           QStringLiteral("\" was received)"));
        return trend(*it, e);
    }
    if (name == QLatin1String("http_req_failed"))
        return rate(httpFailures(s.totals), s.totals.requests);
    if (name == QLatin1String("checks"))
        return rate(s.totals.checksPassed, s.totals.checksPassed + s.totals.checksFailed);
    if (name == QLatin1String("http_reqs"))
        return counter(s.totals.requests, e, summary);
    if (name == QLatin1String("data_received"))
        return counter(s.totals.bytesIn, e, summary);
    if (name == QLatin1String("data_sent"))
        return counter(s.totals.bytesOut, e, summary);
    if (name == QLatin1String("iterations"))
        return counter(summary.totals.iterations, e, summary);
    if (name == QLatin1String("dropped_iterations"))
        return counter(summary.totals.droppedIterations, e, summary);
    if (name == QLatin1String("vus_max"))
        return {double(summary.maxVus), {}};
    if (name == QLatin1String("vus")) {
        if (summary.timeline.isEmpty())
            return noData();
        return {double(summary.timeline.constLast().activeVus), {}};
    }
    return failure(name + QStringLiteral(" is not measured by Loadscope"));
}

} // namespace

ThresholdResult evaluateThreshold(const ThresholdSpec &spec, const RunSummary &summary)
{
    ThresholdResult r;
    r.metric = spec.metric;
    r.expression = spec.expression;
    r.abortOnFail = spec.abortOnFail;
    r.passed = false;

    QString parseError;
    const auto selector = parseMetric(spec.metric, &parseError);
    if (!selector) {
        r.error =
            QStringLiteral("bad metric \"") + spec.metric + QStringLiteral("\": ") + parseError;
        return r;
    }
    const auto expression = ThresholdExpression::parse(spec.expression, &parseError);
    if (!expression) {
        r.error = QStringLiteral("bad expression \"") + spec.expression + QStringLiteral("\": ") +
                  parseError;
        return r;
    }
    const auto kind = selector->name == kCorrected ? std::optional(MetricKind::Trend)
                                                   : metricKind(selector->name);
    if (!kind) {
        r.error = QStringLiteral("unknown metric \"") + selector->name + QLatin1Char('"');
        return r;
    }
    if (!aggregationApplies(expression->aggregation, *kind)) {
        r.error = aggregationText(*expression) + QStringLiteral(" does not apply to ") +
                  selector->name + QStringLiteral(" (a ") + metricKindName(*kind) +
                  QStringLiteral(": use ") + aggregationsFor(*kind) + QLatin1Char(')');
        return r;
    }
    const Observed observed = observe(*selector, *expression, summary);
    if (!observed.error.isEmpty()) {
        r.error = observed.error;
        return r;
    }
    r.value = observed.value;
    r.passed = expression->evaluate(observed.value);
    return r;
}

QList<ThresholdResult> evaluateThresholds(const QList<ThresholdSpec> &specs,
                                          const RunSummary &summary)
{
    QList<ThresholdResult> results;
    results.reserve(specs.size());
    for (const ThresholdSpec &spec : specs)
        results.append(evaluateThreshold(spec, summary));
    return results;
}

int abortingThreshold(const QList<ThresholdSpec> &specs, const QList<ThresholdResult> &results,
                      double elapsedSec)
{
    const qsizetype n = std::min(specs.size(), results.size());
    for (qsizetype i = 0; i < n; ++i) {
        const ThresholdSpec &spec = specs.at(i);
        const ThresholdResult &result = results.at(i);
        if (!spec.abortOnFail || result.passed || !result.error.isEmpty())
            continue;
        if (elapsedSec * 1000.0 >= double(spec.delayAbortEvalMs))
            return int(i);
    }
    return -1;
}

bool shouldAbort(const QList<ThresholdSpec> &specs, const QList<ThresholdResult> &results,
                 double elapsedSec)
{
    return abortingThreshold(specs, results, elapsedSec) >= 0;
}

} // namespace loadscope
