#include "storedrun.h"

#include <algorithm>

#include <QJsonArray>
#include <QMap>

#include "interop/resultjson.h"
#include "plan/planjson.h"
#include "store/historystore.h"

namespace loadscope {
namespace {

TrafficTotals totalsFrom(const QJsonObject &totals, const QJsonObject &errorsByClass)
{
    TrafficTotals t;
    t.requests = totals.value(QStringLiteral("requests")).toInteger();
    t.errors = totals.value(QStringLiteral("errors")).toInteger();
    t.bytesIn = totals.value(QStringLiteral("bytesIn")).toInteger();
    t.bytesOut = totals.value(QStringLiteral("bytesOut")).toInteger();
    t.iterations = totals.value(QStringLiteral("iterations")).toInteger();
    t.droppedIterations = totals.value(QStringLiteral("droppedIterations")).toInteger();
    t.checksPassed = totals.value(QStringLiteral("checksPassed")).toInteger();
    t.checksFailed = totals.value(QStringLiteral("checksFailed")).toInteger();
    for (int i = 1; i < kErrorClassCount; ++i)
        t.errorsByClass[size_t(i)] =
            errorsByClass.value(QString(errorClassName(ErrorClass(i)))).toInteger();
    return t;
}

// From the blobs HistoryStore::histograms() read in one query for the whole run.
std::optional<LatencyHistogram> histogramFrom(const QHash<QString, QByteArray> &blobs,
                                              const QString &endpoint, const QString &metric)
{
    const QByteArray blob = blobs.value(HistoryStore::histogramKey(endpoint, metric));
    if (blob.isEmpty())
        return std::nullopt;
    return LatencyHistogram::deserialize(blob);
}

// A run whose process was killed never wrote its summary: its totals are the sums of its
// interval rows, its percentiles those of the whole-run histograms checkpointed after every
// interval (RunSession), so history show / list / compare see what was measured.
void rebuildFromTimeline(const QHash<QString, QByteArray> &blobs, StoredRun &run)
{
    RunSummary &s = run.summary;
    s.totals = TrafficTotals();
    for (const IntervalSample &sample : std::as_const(s.timeline)) {
        s.totals.add(sample.overall.totals);
        s.maxVus = std::max(s.maxVus, sample.activeVus);
    }
    s.durationSec = s.timeline.last().tSec;
    s.openModel = s.durationCorrected.count() > 0;

    QMap<QString, EndpointSummary> endpoints; // by name
    QStringList order;
    for (const IntervalSample &sample : std::as_const(s.timeline)) {
        for (const EndpointSample &e : sample.endpoints) {
            if (!endpoints.contains(e.name)) {
                order.append(e.name);
                endpoints[e.name].name = e.name;
            }
            endpoints[e.name].totals.add(e.totals);
        }
    }
    if (run.plan) {
        for (const Step &step : run.plan->steps) {
            if (endpoints.contains(step.displayName())) {
                endpoints[step.displayName()].method = step.method;
                endpoints[step.displayName()].path = step.path;
            }
        }
    }
    s.endpoints.clear();
    for (const QString &name : std::as_const(order)) {
        EndpointSummary endpoint = endpoints.value(name);
        if (const auto h = histogramFrom(blobs, name, QStringLiteral("duration")))
            endpoint.duration = *h;
        if (const auto h = histogramFrom(blobs, name, QStringLiteral("duration_corrected")))
            endpoint.durationCorrected = *h;
        s.totals.protocols |= endpoint.totals.protocols;
        s.endpoints.append(endpoint);
    }
    s.extras.rebuiltFromIntervals = true;
}

} // namespace

QString StoredRun::label() const
{
    QString text = u'#' + QString::number(id);
    if (!versionLabel.isEmpty())
        return text + u' ' + versionLabel;
    return text + u' ' +
           summary.startedAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

RunForComparison StoredRun::forComparison() const
{
    RunForComparison run;
    run.id = id;
    run.label = label();
    run.planFingerprint = planFingerprint(planJson);
    run.summary = summary;
    return run;
}

std::optional<StoredRun> loadStoredRun(HistoryStore &store, qint64 resultId, QString *error)
{
    const auto record = store.result(resultId);
    if (!record) {
        *error = QStringLiteral("no run with ID ") + QString::number(resultId) +
                 QStringLiteral(" in ") + store.path();
        return std::nullopt;
    }
    StoredRun run;
    run.id = record->id;
    run.testId = record->testId;
    run.testName = record->testName;
    run.versionLabel = record->versionLabel;
    run.planJson = record->plan;
    run.plan = planFromJson(record->plan);

    RunSummary &s = run.summary;
    const QJsonObject &json = record->summary;
    s.startedAt = record->startedAt;
    s.endedAt = record->endedAt;
    s.status = record->status;
    s.errorDetails = record->errorDetails;
    s.durationSec = json.value(QStringLiteral("durationSec")).toDouble();
    if (s.durationSec <= 0 && record->startedAt.isValid() && record->endedAt.isValid())
        s.durationSec = double(record->startedAt.msecsTo(record->endedAt)) / 1000.0;
    s.openModel = json.contains(QStringLiteral("latencyCorrectedMs"));
    s.target = json.value(QStringLiteral("target")).toString();
    s.maxVus = json.value(QStringLiteral("vusMax")).toInt();
    s.totals = totalsFrom(json.value(QStringLiteral("totals")).toObject(),
                          json.value(QStringLiteral("errorsByClass")).toObject());
    s.extras = RunExtras::fromJson(json);
    const QJsonArray thresholds = json.value(QStringLiteral("thresholds")).toArray();
    for (const QJsonValue &value : thresholds) {
        const QJsonObject t = value.toObject();
        ThresholdResult r;
        r.metric = t.value(QStringLiteral("metric")).toString();
        r.expression = t.value(QStringLiteral("expression")).toString();
        r.value = t.value(QStringLiteral("value")).toDouble();
        r.passed = t.value(QStringLiteral("passed")).toBool();
        r.abortOnFail = t.value(QStringLiteral("abortOnFail")).toBool();
        r.error = t.value(QStringLiteral("error")).toString();
        s.thresholds.append(r);
    }

    // Whole-run histograms: exact percentiles, as measured.
    const QHash<QString, QByteArray> blobs = store.histograms(resultId);
    for (auto it = blobs.constBegin(); it != blobs.constEnd(); ++it) {
        const auto [endpoint, metric] = HistoryStore::splitHistogramKey(it.key());
        if (!endpoint.isEmpty())
            continue;
        const auto h = histogramFrom(blobs, endpoint, metric);
        if (!h)
            continue;
        if (metric == QLatin1String("duration"))
            s.duration = *h;
        else if (metric == QLatin1String("duration_corrected"))
            s.durationCorrected = *h;
        else if (metric == QLatin1String("iteration_duration"))
            s.iterationDuration = *h;
        else if (metric.startsWith(QLatin1String("server_timing:")))
            s.serverTiming.insert(metric.mid(14), *h);
        else
            s.timings.insert(metric, *h);
    }
    const QJsonArray endpoints = json.value(QStringLiteral("endpoints")).toArray();
    for (const QJsonValue &value : endpoints) {
        const QJsonObject e = value.toObject();
        EndpointSummary endpoint;
        endpoint.name = e.value(QStringLiteral("name")).toString();
        endpoint.method = e.value(QStringLiteral("method")).toString();
        endpoint.path = e.value(QStringLiteral("path")).toString();
        endpoint.totals = totalsFrom(e.value(QStringLiteral("totals")).toObject(),
                                     e.value(QStringLiteral("errorsByClass")).toObject());
        const QString proto = e.value(QStringLiteral("proto")).toString();
        endpoint.totals.protocols = quint8((proto.contains(QLatin1String("HTTP/1.1")) ? 1 : 0) |
                                           (proto.contains(QLatin1String("HTTP/2.0")) ? 2 : 0));
        if (const auto h = histogramFrom(blobs, endpoint.name, QStringLiteral("duration")))
            endpoint.duration = *h;
        if (const auto h =
                histogramFrom(blobs, endpoint.name, QStringLiteral("duration_corrected")))
            endpoint.durationCorrected = *h;
        s.endpoints.append(endpoint);
    }

    // The timeline from the intervals' compact records, one query (HistoryStore::intervals()).
    s.timeline = store.intervals(resultId);
    double previous = 0;
    int index = 0;
    for (IntervalSample &sample : s.timeline) {
        sample.index = index++;
        if (sample.intervalSec <= 0)
            sample.intervalSec = std::max(1e-3, sample.tSec - previous);
        previous = sample.tSec;
    }
    if (!json.contains(QStringLiteral("totals")) && !s.timeline.isEmpty())
        rebuildFromTimeline(blobs, run);
    return run;
}

bool needsRebuild(const ResultRecord &record)
{
    // A list row (listResultRows()) has no summary but its figures say whether there is one.
    return record.status == ResultStatus::Aborted &&
           !record.summary.contains(QStringLiteral("totals")) && record.figures.totals.isEmpty();
}

QJsonObject summaryJson(const StoredRun &run)
{
    return resultSummaryForStore(run.summary, run.id, run.versionLabel);
}

int rebuildAbandonedRuns(HistoryStore &store, QString *error)
{
    int rebuilt = 0;
    for (const qint64 id : store.resultsWithoutSummary()) {
        QString why;
        const auto run = loadStoredRun(store, id, &why);
        if (!run || !store.updateSummary(id, summaryJson(*run))) {
            if (error)
                *error = run ? store.lastError() : why;
            continue;
        }
        ++rebuilt;
    }
    return rebuilt;
}

QList<QJsonObject> noiseHistory(HistoryStore &store, qint64 testId, const QString &fingerprint,
                                const QList<qint64> &exclude, const QDateTime &before,
                                qint64 baselineId)
{
    constexpr int kNoiseHistoryRuns = 20;
    // The baseline's segment of the change log: [last change at or before it, next change).
    // Times as the store keeps them: a run's annotation is at its stored start.
    QDateTime from;
    QDateTime to;
    const auto baseline = baselineId > 0 ? store.result(baselineId) : std::nullopt;
    if (baseline && baseline->startedAt.isValid()) {
        const QDateTime baselineStart = baseline->startedAt;
        const QList<Annotation> changes = store.annotations(testId);
        for (const Annotation &change : changes) {
            if (!change.at.isValid())
                continue;
            if (change.at <= baselineStart) {
                if (!from.isValid() || change.at > from)
                    from = change.at;
            } else if (!to.isValid() || change.at < to) {
                to = change.at;
            }
        }
    }
    ResultFilter filter;
    filter.testId = testId;
    filter.status = resultStatusToString(ResultStatus::Completed);
    filter.limit = 5 * kNoiseHistoryRuns;
    QList<QJsonObject> earlier;
    const QList<ResultRecord> records = store.listResults(filter);
    for (const ResultRecord &record : records) {
        if (exclude.contains(record.id) || planFingerprint(record.plan) != fingerprint ||
            (before.isValid() && record.startedAt > before) ||
            (from.isValid() && record.startedAt < from) || (to.isValid() && record.startedAt >= to))
            continue;
        earlier.append(record.summary);
        if (earlier.size() == kNoiseHistoryRuns)
            break;
    }
    return earlier;
}

std::optional<QJsonObject> loadResultDocument(HistoryStore &store, qint64 resultId, QString *error)
{
    const auto stored = loadStoredRun(store, resultId, error);
    if (!stored)
        return std::nullopt;
    QJsonObject document = resultDocument(stored->plan.value_or(TestPlan()), stored->summary,
                                          resultId, stored->versionLabel);
    document.insert(QStringLiteral("test"), stored->planJson);
    QJsonObject result = document.value(QStringLiteral("result")).toObject();
    result.insert(QStringLiteral("testId"), stored->testId);
    result.insert(QStringLiteral("testName"), stored->testName);
    // The recommendations table is the authority (a recommendation's state lives there); the
    // summary's own copy stands in for runs stored before it existed.
    const QList<Recommendation> recommendations = store.recommendations(resultId);
    if (!recommendations.isEmpty())
        result.insert(QStringLiteral("recommendations"), recommendationsToJson(recommendations));
    if (const auto record = store.result(resultId)) {
        if (!record->errorDetails.isEmpty())
            result.insert(QStringLiteral("errorDetails"), record->errorDetails);
        // A run stored without its whole-run histogram (a database from before they were kept,
        // an imported aggregate) has only the figures its summary says: those, not zeros.
        const QJsonValue latency = record->summary.value(QStringLiteral("latencyMs"));
        if (stored->summary.duration.isEmpty() && latency.isObject())
            result.insert(QStringLiteral("latencyMs"), latency);
        if (record->source.isImported())
            result.insert(QStringLiteral("source"), record->source.toJson());
    }
    document.insert(QStringLiteral("result"), result);
    return document;
}

QList<TimelineEvent> annotationEvents(const QList<Annotation> &annotations, qint64 resultId,
                                      const QDateTime &startedAt, double durationSec)
{
    QList<TimelineEvent> events;
    for (const Annotation &a : annotations) {
        const bool own = a.resultId == resultId;
        if (!own && a.resultId != 0)
            continue; // another run's note
        double t = 0;
        if (a.at.isValid() && startedAt.isValid())
            t = double(startedAt.msecsTo(a.at)) / 1000.0;
        if (!own && (t < 0 || t > durationSec))
            continue; // the test's note from outside this run
        t = std::clamp(t, 0.0, std::max(durationSec, 0.0));
        QString detail = a.author.isEmpty() ? QString() : a.author;
        if (!a.link.isEmpty())
            detail = detail.isEmpty() ? a.link : detail + QStringLiteral(" · ") + a.link;
        events.append({TimelineEvent::Annotation, t, a.note, detail});
    }
    std::stable_sort(
        events.begin(), events.end(),
        [](const TimelineEvent &x, const TimelineEvent &y) { return x.tSec < y.tSec; });
    return events;
}

QList<TimelineEvent> storedAnnotationEvents(HistoryStore &store, qint64 resultId)
{
    const auto record = store.result(resultId);
    if (!record)
        return {};
    const QDateTime end = record->endedAt.isValid() ? record->endedAt : record->startedAt;
    const double duration = double(record->startedAt.msecsTo(end)) / 1000.0;
    return annotationEvents(store.annotations(record->testId), resultId, record->startedAt,
                            duration);
}

} // namespace loadscope
