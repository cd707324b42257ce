#include "resultjson.h"

#include <algorithm>

#include "interop/resultjsonstream.h"
#include "plan/planjson.h"

namespace loadscope {
namespace {

QString key(const char *name)
{
    return QLatin1String(name);
}

QJsonValue timestamp(const QDateTime &time)
{
    if (!time.isValid())
        return QJsonValue();
    return time.toUTC().toString(Qt::ISODateWithMs);
}

QJsonObject statsJson(const LatencyHistogram &histogram)
{
    return LatencyStats::fromHistogram(histogram).toJson();
}

QJsonObject totalsJson(const TrafficTotals &totals, double durationSec)
{
    return QJsonObject{
        {key("requests"), totals.requests},
        {key("errors"), totals.errors},
        {key("errorRate"), totals.errorRate()},
        {key("throughputRps"), durationSec > 0 ? double(totals.requests) / durationSec : 0.0},
        {key("bytesIn"), totals.bytesIn},
        {key("bytesOut"), totals.bytesOut},
        {key("droppedIterations"), totals.droppedIterations},
        {key("iterations"), totals.iterations},
        {key("checksPassed"), totals.checksPassed},
        {key("checksFailed"), totals.checksFailed}};
}

QJsonObject endpointJson(const EndpointSummary &endpoint, const RunSummary &summary)
{
    QJsonObject json{{key("name"), endpoint.name},
                     {key("method"), endpoint.method},
                     {key("path"), endpoint.path},
                     {key("totals"), totalsJson(endpoint.totals, summary.durationSec)},
                     {key("errorsByClass"), endpoint.totals.errorsByClassJson()},
                     {key("latencyMs"), statsJson(endpoint.duration)}};
    if (summary.openModel)
        json.insert(key("latencyCorrectedMs"), statsJson(endpoint.durationCorrected));
    // k6's proto tag: the HTTP version the endpoint's responses actually came over.
    if (endpoint.totals.protocols != 0)
        json.insert(key("proto"), endpoint.totals.protocolText());
    return json;
}

//! Percentiles kept in result_samples.data for the corrected latency.
QJsonObject compactStats(const LatencyStats &s)
{
    return QJsonObject{{key("avg"), s.meanMs}, {key("p50"), s.p50Ms}, {key("p90"), s.p90Ms},
                       {key("p95"), s.p95Ms},  {key("p99"), s.p99Ms}, {key("p999"), s.p999Ms},
                       {key("max"), s.maxMs}};
}

ResultSample sampleRow(const EndpointSample &e, const IntervalSample &sample)
{
    ResultSample row;
    row.tSec = sample.tSec;
    row.endpoint = e.name;
    row.requests = e.totals.requests;
    row.errors = e.totals.errors;
    row.bytesIn = e.totals.bytesIn;
    row.bytesOut = e.totals.bytesOut;
    row.activeVus = sample.activeVus;
    row.rps = sample.intervalSec > 0 ? double(e.totals.requests) / sample.intervalSec : 0.0;
    row.meanMs = e.latency.meanMs;
    row.p50Ms = e.latency.p50Ms;
    row.p90Ms = e.latency.p90Ms;
    row.p95Ms = e.latency.p95Ms;
    row.p99Ms = e.latency.p99Ms;
    row.p999Ms = e.latency.p999Ms;
    row.maxMs = e.latency.maxMs;
    row.data.insert(key("errorsByClass"), e.totals.errorsByClassJson());
    row.data.insert(key("plannedTarget"), sample.plannedTarget);
    row.data.insert(key("checks"), QJsonObject{{key("passed"), e.totals.checksPassed},
                                               {key("failed"), e.totals.checksFailed}});
    if (e.latencyCorrected.count > 0)
        row.data.insert(key("latencyCorrectedMs"), compactStats(e.latencyCorrected));
    return row;
}

} // namespace

QJsonArray thresholdsJson(const QList<ThresholdResult> &thresholds)
{
    QJsonArray array;
    for (const ThresholdResult &t : thresholds) {
        QJsonObject json{{key("expression"), t.expression},
                         {key("metric"), t.metric},
                         {key("value"), t.value},
                         {key("passed"), t.passed},
                         {key("abortOnFail"), t.abortOnFail}};
        if (!t.error.isEmpty())
            json.insert(key("error"), t.error);
        array.append(json);
    }
    return array;
}

QJsonObject timelineEntry(const IntervalSample &sample, bool openModel)
{
    QJsonObject json{{key("t"), sample.tSec},
                     {key("requests"), sample.overall.totals.requests},
                     {key("errors"), sample.overall.totals.errors},
                     {key("rps"), sample.throughputRps()},
                     {key("activeVus"), sample.activeVus},
                     {key("target"), sample.plannedTarget},
                     {key("latencyMs"), sample.overall.latency.toJson()},
                     {key("errorsByClass"), sample.overall.totals.errorsByClassJson()}};
    if (openModel)
        json.insert(key("latencyCorrectedMs"), sample.overall.latencyCorrected.toJson());
    return json;
}

QJsonObject resultObject(const RunSummary &summary, qint64 resultId, const QString &versionLabel,
                         bool withTimeline)
{
    QJsonObject result;
    result.insert(key("id"), resultId > 0 ? QJsonValue(resultId) : QJsonValue());
    result.insert(key("status"), resultStatusToString(summary.status));
    result.insert(key("startedAt"), timestamp(summary.startedAt));
    result.insert(key("endedAt"), timestamp(summary.endedAt));
    result.insert(key("durationSec"), summary.durationSec);
    result.insert(key("versionLabel"), versionLabel);
    if (!summary.errorDetails.isEmpty())
        result.insert(key("errorDetails"), summary.errorDetails);
    if (!summary.target.isEmpty())
        result.insert(key("target"), summary.target);
    result.insert(key("vusMax"), summary.maxVus);

    result.insert(key("totals"), totalsJson(summary.totals, summary.durationSec));
    result.insert(key("errorsByClass"), summary.totals.errorsByClassJson());
    if (summary.totals.protocols != 0)
        result.insert(key("proto"), summary.totals.protocolText());
    result.insert(key("latencyMs"), statsJson(summary.duration));
    if (summary.openModel)
        result.insert(key("latencyCorrectedMs"), statsJson(summary.durationCorrected));
    if (!summary.iterationDuration.isEmpty())
        result.insert(key("iterationDurationMs"), statsJson(summary.iterationDuration));

    QJsonObject timings;
    for (const QString &name : timingNames()) {
        const auto it = summary.timings.constFind(name);
        timings.insert(name,
                       it == summary.timings.cend() ? LatencyStats().toJson() : statsJson(*it));
    }
    result.insert(key("timingsMs"), timings);

    QJsonObject serverTiming;
    for (auto it = summary.serverTiming.cbegin(); it != summary.serverTiming.cend(); ++it)
        serverTiming.insert(it.key(), statsJson(it.value()));
    result.insert(key("serverTiming"), serverTiming);

    QJsonArray endpoints;
    for (const EndpointSummary &endpoint : summary.endpoints)
        endpoints.append(endpointJson(endpoint, summary));
    result.insert(key("endpoints"), endpoints);

    if (withTimeline) {
        QJsonArray timeline;
        for (const IntervalSample &sample : summary.timeline)
            timeline.append(timelineEntry(sample, summary.openModel));
        result.insert(key("timeline"), timeline);
    }

    if (withTimeline && hasIntervalHistograms(summary))
        result.insert(key("histograms"), histogramsJson(summary));

    result.insert(key("thresholds"), thresholdsJson(summary.thresholds));
    const QJsonObject extras = summary.extras.toJson();
    for (auto it = extras.constBegin(); it != extras.constEnd(); ++it)
        result.insert(it.key(), it.value());
    return result;
}

bool hasIntervalHistograms(const RunSummary &summary)
{
    return std::any_of(summary.timeline.cbegin(), summary.timeline.cend(),
                       [](const IntervalSample &s) { return !s.overall.histograms.isEmpty(); });
}

QJsonObject fullTotalsJson(const TrafficTotals &totals)
{
    return QJsonObject{{key("requests"), totals.requests},
                       {key("errors"), totals.errors},
                       {key("bytesIn"), totals.bytesIn},
                       {key("bytesOut"), totals.bytesOut},
                       {key("iterations"), totals.iterations},
                       {key("droppedIterations"), totals.droppedIterations},
                       {key("checksPassed"), totals.checksPassed},
                       {key("checksFailed"), totals.checksFailed},
                       {key("errorsByClass"), totals.errorsByClassJson()}};
}

namespace {

QJsonObject blobsJson(const QMap<QString, QByteArray> &blobs)
{
    QJsonObject json;
    for (auto it = blobs.cbegin(); it != blobs.cend(); ++it)
        json.insert(it.key(), QString::fromLatin1(it.value().toBase64()));
    return json;
}

void insertBlob(QJsonObject &json, const char *metric, const LatencyHistogram &histogram)
{
    if (!histogram.isEmpty())
        json.insert(key(metric), QString::fromLatin1(histogram.serialize().toBase64()));
}

} // namespace

QJsonObject histogramsJson(const RunSummary &summary, HistogramLayout layout)
{
    QJsonObject overall;
    insertBlob(overall, "duration", summary.duration);
    if (summary.openModel)
        insertBlob(overall, "duration_corrected", summary.durationCorrected);
    insertBlob(overall, "iteration_duration", summary.iterationDuration);
    for (auto it = summary.timings.cbegin(); it != summary.timings.cend(); ++it) {
        if (!it.value().isEmpty())
            overall.insert(it.key(), QString::fromLatin1(it.value().serialize().toBase64()));
    }
    for (auto it = summary.serverTiming.cbegin(); it != summary.serverTiming.cend(); ++it)
        overall.insert(QStringLiteral("server_timing:") + it.key(),
                       QString::fromLatin1(it.value().serialize().toBase64()));
    QJsonObject endpoints;
    for (const EndpointSummary &endpoint : summary.endpoints) {
        QJsonObject blobs;
        insertBlob(blobs, "duration", endpoint.duration);
        if (summary.openModel)
            insertBlob(blobs, "duration_corrected", endpoint.durationCorrected);
        endpoints.insert(endpoint.name,
                         QJsonObject{{key("totals"), fullTotalsJson(endpoint.totals)},
                                     {key("method"), endpoint.method},
                                     {key("path"), endpoint.path},
                                     {key("histograms"), blobs}});
    }
    const QJsonObject run{{key("totals"), fullTotalsJson(summary.totals)},
                          {key("overall"), overall},
                          {key("endpoints"), endpoints}};
    if (layout == HistogramLayout::Records) {
        QStringList metricNames;
        QStringList endpointNames;
        const QByteArray records = intervalRecords(summary, &metricNames, &endpointNames);
        return QJsonObject{{key("format"), key(kHistogramsFormat)},
                           {key("run"), run},
                           {key("metricNames"), QJsonArray::fromStringList(metricNames)},
                           {key("endpointNames"), QJsonArray::fromStringList(endpointNames)},
                           {key("errorClasses"), QJsonArray::fromStringList(recordErrorClasses())},
                           {key("intervalCount"), summary.timeline.size()},
                           {key("records"), QString::fromLatin1(records.toBase64())}};
    }
    QJsonArray intervals;
    // A plan's only endpoint has the overall histograms: they are written once.
    const bool single = summary.endpoints.size() == 1;
    for (const IntervalSample &sample : summary.timeline) {
        QJsonObject perEndpoint;
        for (const EndpointSample &endpoint : sample.endpoints) {
            QJsonObject json{{key("totals"), fullTotalsJson(endpoint.totals)}};
            if (single)
                json.insert(key("sameAsOverall"), true);
            else
                json.insert(key("histograms"), blobsJson(endpoint.histograms));
            perEndpoint.insert(endpoint.name, json);
        }
        intervals.append(QJsonObject{{key("index"), sample.index},
                                     {key("t"), sample.tSec},
                                     {key("intervalSec"), sample.intervalSec},
                                     {key("activeVus"), sample.activeVus},
                                     {key("plannedTarget"), sample.plannedTarget},
                                     {key("totals"), fullTotalsJson(sample.overall.totals)},
                                     {key("histograms"), blobsJson(sample.overall.histograms)},
                                     {key("endpoints"), perEndpoint}});
    }
    return QJsonObject{{key("format"), key(kHistogramsFormatV1)},
                       {key("run"), run},
                       {key("intervals"), intervals}};
}

QJsonObject resultDocument(const TestPlan &plan, const RunSummary &summary, qint64 resultId,
                           const QString &versionLabel)
{
    return QJsonObject{{key("schema"), key(kResultSchema)},
                       {key("test"), toJson(plan)},
                       {key("result"), resultObject(summary, resultId, versionLabel, true)}};
}

QJsonObject resultSummaryForStore(const RunSummary &summary, qint64 resultId,
                                  const QString &versionLabel)
{
    return resultObject(summary, resultId, versionLabel, false);
}

QList<StoredHistogram> histogramsForStore(const RunSummary &summary, StoredHistograms which)
{
    QList<StoredHistogram> out;
    const auto add = [&out](const QString &endpoint, const QString &metric,
                            const LatencyHistogram &h) {
        if (!h.isEmpty())
            out.append({endpoint, metric, h.serialize()});
    };
    const QString duration = QStringLiteral("duration");
    const QString corrected = QStringLiteral("duration_corrected");
    add(QString(), duration, summary.duration);
    if (summary.openModel)
        add(QString(), corrected, summary.durationCorrected);
    if (which == StoredHistograms::All) {
        add(QString(), QStringLiteral("iteration_duration"), summary.iterationDuration);
        for (auto it = summary.timings.cbegin(); it != summary.timings.cend(); ++it)
            add(QString(), it.key(), it.value());
        for (auto it = summary.serverTiming.cbegin(); it != summary.serverTiming.cend(); ++it)
            add(QString(), QStringLiteral("server_timing:") + it.key(), it.value());
    }
    for (const EndpointSummary &endpoint : summary.endpoints) {
        add(endpoint.name, duration, endpoint.duration);
        if (summary.openModel)
            add(endpoint.name, corrected, endpoint.durationCorrected);
    }
    return out;
}

QList<ResultSample> samplesForStore(const IntervalSample &sample)
{
    QList<ResultSample> rows;
    rows.reserve(sample.endpoints.size() + 1);
    ResultSample overall = sampleRow(sample.overall, sample);
    overall.endpoint = QString(); // the overall row is '' whatever the sample's name says
    QJsonObject serverTiming;
    for (auto it = sample.serverTiming.cbegin(); it != sample.serverTiming.cend(); ++it) {
        serverTiming.insert(
            it.key(), QJsonObject{{key("p50"), it.value().p50Ms}, {key("p95"), it.value().p95Ms}});
    }
    if (!serverTiming.isEmpty())
        overall.data.insert(key("serverTiming"), serverTiming);
    QJsonObject timingMeans;
    for (auto it = sample.timingMeansMs.cbegin(); it != sample.timingMeansMs.cend(); ++it)
        timingMeans.insert(it.key(), it.value());
    if (!timingMeans.isEmpty())
        overall.data.insert(key("timingMeansMs"), timingMeans);
    if (!sample.resources.isEmpty())
        overall.data.insert(key("resources"), sample.resources);
    rows.append(overall);
    for (const EndpointSample &endpoint : sample.endpoints)
        rows.append(sampleRow(endpoint, sample));
    return rows;
}

QJsonObject timelineEntryFromSample(const ResultSample &sample)
{
    QJsonObject json{{key("t"), sample.tSec},
                     {key("requests"), sample.requests},
                     {key("errors"), sample.errors},
                     {key("rps"), sample.rps},
                     {key("activeVus"), sample.activeVus},
                     {key("target"), sample.data.value(key("plannedTarget")).toDouble()},
                     {key("latencyMs"), QJsonObject{{key("avg"), sample.meanMs},
                                                    {key("p50"), sample.p50Ms},
                                                    {key("p90"), sample.p90Ms},
                                                    {key("p95"), sample.p95Ms},
                                                    {key("p99"), sample.p99Ms},
                                                    {key("p999"), sample.p999Ms},
                                                    {key("max"), sample.maxMs}}},
                     {key("errorsByClass"), sample.data.value(key("errorsByClass")).toObject()}};
    const QJsonValue corrected = sample.data.value(key("latencyCorrectedMs"));
    if (corrected.isObject())
        json.insert(key("latencyCorrectedMs"), corrected);
    return json;
}

} // namespace loadscope
