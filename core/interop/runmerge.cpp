#include "runmerge.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <vector>

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonDocument>

#include "analysis/recommendations.h"
#include "analysis/runcomparison.h"
#include "analysis/thresholdevaluator.h"
#include "interop/resultjson.h"
#include "interop/resultjsonskim.h"
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
    return time.isValid() ? QJsonValue(time.toUTC().toString(Qt::ISODateWithMs)) : QJsonValue();
}

TrafficTotals totalsFromJson(const QJsonObject &json)
{
    TrafficTotals t;
    const auto n = [&json](const char *name) {
        return qint64(json.value(QLatin1String(name)).toDouble());
    };
    t.requests = n("requests");
    t.errors = n("errors");
    t.bytesIn = n("bytesIn");
    t.bytesOut = n("bytesOut");
    t.iterations = n("iterations");
    t.droppedIterations = n("droppedIterations");
    t.checksPassed = n("checksPassed");
    t.checksFailed = n("checksFailed");
    const QJsonObject byClass = json.value(key("errorsByClass")).toObject();
    for (int i = 1; i < kErrorClassCount; ++i)
        t.errorsByClass[size_t(i)] =
            qint64(byClass.value(QString(errorClassName(ErrorClass(i)))).toDouble());
    return t;
}

//! Histogram blobs of one endpoint (or overall) by interned metric id.
struct Blob
{
    int metric = 0;
    QByteArray data;
};
using Blobs = std::vector<Blob>;

//! An endpoint's whole-run figures in an agent's result.
struct EndpointPart
{
    int endpoint = 0;
    TrafficTotals totals;
    Blobs blobs;
};

//! Where an agent's interval records are: in memory (a document given whole, or an hdr/1
//! file converted) or as base64 inside its file, streamed by finish().
struct Records
{
    QByteArray bytes;
    QString file; //!< empty: the records are bytes
    qint64 offset = 0;
    qint64 base64Length = 0;
};

struct Agent
{
    AgentSummary summary;
    Blobs run;
    std::vector<EndpointPart> runEndpoints;
    Records records;
    int intervalCount = 0;
    bool v1 = false;               //!< hdr/1: places are named result.histograms.intervals[i]
    std::vector<int> metricMap;    //!< the records' metric ids -> the merger's
    std::vector<int> endpointMap;  //!< the records' endpoint ids -> the merger's
    std::vector<int> errorClasses; //!< the records' error counters -> ErrorClass
    QString target;
    QString identity; //!< for the content hash
};

//! A refusal naming where in the document it is.
bool refuse(QString *error, const QString &source, const QString &message)
{
    *error = source + QStringLiteral(": ") + message;
    return false;
}

} // namespace

QJsonObject AgentSummary::toJson() const
{
    QJsonObject json{{key("source"), source},
                     {key("segment"), segment.toString()},
                     {key("host"), host},
                     {key("clockStart"), timestamp(clockStart)},
                     {key("durationSec"), durationSec},
                     {key("status"), resultStatusToString(status)},
                     {key("requests"), totals.requests},
                     {key("errors"), totals.errors},
                     {key("throughputRps"), throughputRps()},
                     {key("droppedIterations"), totals.droppedIterations},
                     {key("maxVus"), maxVus},
                     {key("resources"), resources},
                     {key("saturated"), saturated},
                     {key("untrustworthy"), untrustworthy}};
    if (!errorDetails.isEmpty())
        json.insert(key("errorDetails"), errorDetails);
    return json;
}

struct RunMerger::RecordsInFile
{
    QString file;
    qint64 offset = 0;
    qint64 base64Length = 0;
};

struct RunMerger::State
{
    QJsonObject planJson;
    std::optional<TestPlan> plan;
    QString fingerprint;
    QString firstSource;
    int segmentCount = 0;
    bool openModel = false;
    QStringList metrics;
    QHash<QString, int> metricIds;
    QStringList endpoints;
    QStringList endpointMethods;
    QStringList endpointPaths;
    QHash<QString, int> endpointIds;
    std::map<int, Agent> agents; //!< by segment index

    int metricId(const QString &name)
    {
        const auto it = metricIds.constFind(name);
        if (it != metricIds.cend())
            return it.value();
        metrics.append(name);
        return metricIds[name] = int(metrics.size() - 1);
    }

    int endpointId(const QString &name, const QString &method = QString(),
                   const QString &path = QString())
    {
        const auto it = endpointIds.constFind(name);
        if (it != endpointIds.cend())
            return it.value();
        endpoints.append(name);
        endpointMethods.append(method);
        endpointPaths.append(path);
        return endpointIds[name] = int(endpoints.size() - 1);
    }

    //! An hdr/2 header: what the ids of @p agent's records stand for.
    bool readHeader(const QJsonObject &histograms, Agent *agent, QString *error)
    {
        const QJsonArray metricNames = histograms.value(key("metricNames")).toArray();
        for (const QJsonValue &m : metricNames)
            agent->metricMap.push_back(metricId(m.toString()));
        const QJsonArray endpointNames = histograms.value(key("endpointNames")).toArray();
        for (const QJsonValue &e : endpointNames)
            agent->endpointMap.push_back(endpointId(e.toString()));
        const QJsonArray classes = histograms.value(key("errorClasses")).toArray();
        for (const QJsonValue &c : classes) {
            int cls = -1;
            for (int i = 1; i < kErrorClassCount; ++i) {
                if (c.toString() == errorClassName(ErrorClass(i)))
                    cls = i;
            }
            agent->errorClasses.push_back(cls);
        }
        const QJsonValue count = histograms.value(key("intervalCount"));
        if (!count.isDouble() || count.toDouble() < 0) {
            *error = QStringLiteral("intervalCount: not a count");
            return false;
        }
        agent->intervalCount = count.toInt();
        return true;
    }

    //! hdr/1's JSON intervals as a record stream in memory, with the merger's own ids.
    bool convertV1(const QJsonArray &intervals, Agent *agent, QString *error)
    {
        agent->v1 = true;
        IntervalRecordWriter writer;
        IntervalRecord record;
        Blobs blobs;
        const auto toRecord = [](Blobs &from, std::vector<RecordHistogram> *to) {
            to->clear();
            for (Blob &b : from)
                to->push_back({b.metric, std::move(b.data)});
        };
        for (qsizetype i = 0; i < intervals.size(); ++i) {
            const QJsonObject in = intervals[i].toObject();
            const QString where = QStringLiteral("result.histograms.intervals[%1]").arg(i);
            record.index = in.value(key("index")).toInt();
            record.tSec = in.value(key("t")).toDouble();
            record.intervalSec = in.value(key("intervalSec")).toDouble();
            record.activeVus = in.value(key("activeVus")).toInt();
            record.plannedTarget = in.value(key("plannedTarget")).toDouble();
            record.totals = totalsFromJson(in.value(key("totals")).toObject());
            blobs.clear();
            if (!readBlobs(in.value(key("histograms")).toObject(),
                           where + QStringLiteral(".histograms"), &blobs, error))
                return false;
            toRecord(blobs, &record.histograms);
            record.endpoints.clear();
            const QJsonObject perEndpoint = in.value(key("endpoints")).toObject();
            for (auto it = perEndpoint.constBegin(); it != perEndpoint.constEnd(); ++it) {
                const QJsonObject e = it.value().toObject();
                RecordEndpoint part;
                part.endpoint = endpointId(it.key());
                part.totals = totalsFromJson(e.value(key("totals")).toObject());
                part.sameAsOverall = e.value(key("sameAsOverall")).toBool();
                blobs.clear();
                if (!readBlobs(e.value(key("histograms")).toObject(),
                               where + QStringLiteral(".endpoints[\"%1\"]").arg(it.key()), &blobs,
                               error))
                    return false;
                toRecord(blobs, &part.histograms);
                record.endpoints.push_back(std::move(part));
            }
            writer.append(record);
        }
        agent->records.bytes = writer.bytes();
        agent->intervalCount = int(intervals.size());
        return true;
    }

    //! The base64 blobs of @p json ({metric: base64}) into @p out; false with the path.
    bool readBlobs(const QJsonObject &json, const QString &where, Blobs *out, QString *error)
    {
        out->reserve(size_t(json.size()));
        for (auto it = json.constBegin(); it != json.constEnd(); ++it) {
            const auto decoded = QByteArray::fromBase64Encoding(
                it.value().toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
            if (!it.value().isString() || !decoded) {
                *error = where + u'.' + it.key() + QStringLiteral(": not a base64 histogram");
                return false;
            }
            out->push_back({metricId(it.key()), *decoded});
        }
        return true;
    }
};

RunMerger::RunMerger()
    : d(std::make_unique<State>())
{}

RunMerger::~RunMerger() = default;

int RunMerger::agentCount() const
{
    return int(d->agents.size());
}

bool RunMerger::add(const QJsonObject &document, const QString &source, QString *error)
{
    return addDocument(document, source, nullptr, error);
}

bool RunMerger::addDocument(const QJsonObject &document, const QString &source,
                            const RecordsInFile *location, QString *error)
{
    if (document.value(key("schema")).toString() != QLatin1String(kResultSchema))
        return refuse(error, source,
                      QStringLiteral("not a Loadscope result (schema is not \"%1\")")
                          .arg(QLatin1String(kResultSchema)));
    const QJsonObject planJson = document.value(key("test")).toObject();
    const QJsonObject result = document.value(key("result")).toObject();
    const QJsonObject histograms = result.value(key("histograms")).toObject();
    const QString format = histograms.value(key("format")).toString();
    if (format != QLatin1String(kHistogramsFormat) && format != QLatin1String(kHistogramsFormatV1))
        return refuse(error, source,
                      QStringLiteral("carries no histograms (\"result.histograms\" in format "
                                     "%1): run the agents with --segment=I/N, or --histograms")
                          .arg(QLatin1String(kHistogramsFormat)));
    QString why;
    auto plan = planFromJson(planJson, &why);
    if (!plan)
        return refuse(error, source, QStringLiteral("test: ") + why);

    // Which part of the plan it ran; a run without "agent" is the whole plan (0/1).
    const QJsonObject agentJson = result.value(key("agent")).toObject();
    ExecutionSegment segment;
    if (agentJson.contains(key("segment"))) {
        const auto parsed =
            ExecutionSegment::parse(agentJson.value(key("segment")).toString(), &why);
        if (!parsed)
            return refuse(error, source, QStringLiteral("result.agent.segment: ") + why);
        segment = *parsed;
    }
    const QString fingerprint = planFingerprint(planJson);
    if (d->agents.empty()) {
        d->planJson = planJson;
        d->plan = plan;
        d->fingerprint = fingerprint;
        d->firstSource = source;
        d->segmentCount = segment.count;
        d->openModel = isOpenModel(plan->load.executor);
    } else {
        if (fingerprint != d->fingerprint || plan->name != d->plan->name)
            return refuse(error, source,
                          QStringLiteral("ran a different plan (\"%1\") than %2 (\"%3\"): only "
                                         "agents of one plan merge into one run")
                              .arg(plan->name, d->firstSource, d->plan->name));
        if (segment.count != d->segmentCount)
            return refuse(error, source,
                          QStringLiteral("is segment %1, but %2 split the plan into %3 "
                                         "segments: the agents must split it the same way")
                              .arg(segment.toString(), d->firstSource)
                              .arg(d->segmentCount));
        const auto same = d->agents.find(segment.index);
        if (same != d->agents.end())
            return refuse(error, source,
                          QStringLiteral("segment %1 overlaps %2, which ran it too")
                              .arg(segment.toString(), same->second.summary.source));
    }

    Agent agent;
    AgentSummary &s = agent.summary;
    s.source = source;
    s.segment = segment;
    s.host = agentJson.value(key("host")).toString();
    const QString clock = agentJson.value(key("clockStart")).toString();
    s.clockStart = QDateTime::fromString(
        clock.isEmpty() ? result.value(key("startedAt")).toString() : clock, Qt::ISODateWithMs);
    if (!s.clockStart.isValid())
        return refuse(
            error, source,
            QStringLiteral("result.agent.clockStart: not an ISO 8601 time (\"%1\")").arg(clock));
    s.endedAt = QDateTime::fromString(result.value(key("endedAt")).toString(), Qt::ISODateWithMs);
    s.durationSec = result.value(key("durationSec")).toDouble();
    s.status = resultStatusFromString(result.value(key("status")).toString())
                   .value_or(ResultStatus::Completed);
    s.errorDetails = result.value(key("errorDetails")).toString();
    s.maxVus = result.value(key("vusMax")).toInt();
    s.resources = result.value(key("resources")).toObject();
    // Saturated is the generator's own flag; its recommendations may call its figures
    // untrustworthy for other reasons too (its machine busy with other work, dropped iterations).
    s.saturated =
        s.resources.value(key("generatorCpuPct")).toObject().value(key("saturated")).toBool();
    s.untrustworthy = result.value(key("untrustworthy")).toBool();
    const QJsonArray recommendations = result.value(key("recommendations")).toArray();
    for (const QJsonValue &r : recommendations) {
        if (r.toObject().value(key("area")).toString() == QLatin1String("load generator"))
            s.saturationDetail = r.toObject().value(key("detail")).toString();
    }
    agent.target = result.value(key("target")).toString();

    const QJsonObject run = histograms.value(key("run")).toObject();
    s.totals = totalsFromJson(run.value(key("totals")).toObject());
    if (!d->readBlobs(run.value(key("overall")).toObject(),
                      QStringLiteral("result.histograms.run.overall"), &agent.run, &why))
        return refuse(error, source, why);
    const QJsonObject endpoints = run.value(key("endpoints")).toObject();
    for (auto it = endpoints.constBegin(); it != endpoints.constEnd(); ++it) {
        const QJsonObject e = it.value().toObject();
        EndpointPart part;
        part.endpoint = d->endpointId(it.key(), e.value(key("method")).toString(),
                                      e.value(key("path")).toString());
        part.totals = totalsFromJson(e.value(key("totals")).toObject());
        if (!d->readBlobs(e.value(key("histograms")).toObject(),
                          QStringLiteral("result.histograms.run.endpoints[\"%1\"]").arg(it.key()),
                          &part.blobs, &why))
            return refuse(error, source, why);
        agent.runEndpoints.push_back(std::move(part));
    }
    if (histograms.value(key("format")).toString() == QLatin1String(kHistogramsFormat)) {
        if (!d->readHeader(histograms, &agent, &why))
            return refuse(error, source, QStringLiteral("result.histograms.") + why);
        if (location) {
            agent.records.file = location->file;
            agent.records.offset = location->offset;
            agent.records.base64Length = location->base64Length;
        } else {
            const QByteArray base64 = histograms.value(key("records")).toString().toLatin1();
            if (!appendBase64Decoded(base64.constData(), base64.size(), &agent.records.bytes))
                return refuse(error, source,
                              QStringLiteral("result.histograms.records: not base64"));
        }
    } else if (!d->convertV1(histograms.value(key("intervals")).toArray(), &agent, &why)) {
        return refuse(error, source, why);
    }
    agent.identity = segment.toString() + u'|' + s.host + u'|' +
                     s.clockStart.toString(Qt::ISODateWithMs) + u'|' +
                     QString::number(s.totals.requests) + u'|' + fingerprint;
    d->agents.emplace(segment.index, std::move(agent));
    return true;
}

QString RunMerger::coverageProblem() const
{
    if (d->agents.empty())
        return QStringLiteral("no agent results to merge");
    QStringList missing;
    for (int i = 0; i < d->segmentCount; ++i) {
        if (d->agents.find(i) == d->agents.end())
            missing << QString::number(i) + u'/' + QString::number(d->segmentCount);
    }
    if (missing.isEmpty())
        return QString();
    return (missing.size() == 1 ? QStringLiteral("segment ") : QStringLiteral("segments ")) +
           missing.join(QStringLiteral(", ")) +
           (missing.size() == 1 ? QStringLiteral(" is") : QStringLiteral(" are")) +
           QStringLiteral(" missing: %1 of %2 agents' results were given, and the merged run "
                          "would not be the plan's")
               .arg(d->agents.size())
               .arg(d->segmentCount);
}

namespace {

//! Accumulators per metric id, reset and reused interval after interval.
struct Accumulators
{
    std::vector<LatencyHistogram> byMetric;
    std::vector<bool> used;

    void prepare(int metrics)
    {
        byMetric.resize(size_t(metrics));
        used.assign(size_t(metrics), false);
        for (LatencyHistogram &h : byMetric)
            h.reset();
    }
    bool merge(const Blobs &blobs, QString *error)
    {
        for (const Blob &blob : blobs) {
            if (!byMetric[size_t(blob.metric)].mergeSerialized(blob.data, error))
                return false;
            used[size_t(blob.metric)] = true;
        }
        return true;
    }
    bool merge(const std::vector<RecordHistogram> &histograms, const std::vector<int> &metricMap,
               QString *error)
    {
        for (const RecordHistogram &h : histograms) {
            const auto metric = size_t(metricMap[size_t(h.metric)]);
            if (!byMetric[metric].mergeSerialized(h.blob, error))
                return false;
            used[metric] = true;
        }
        return true;
    }
    const LatencyHistogram *find(int metric) const
    {
        return metric >= 0 && size_t(metric) < used.size() && used[size_t(metric)]
                   ? &byMetric[size_t(metric)]
                   : nullptr;
    }
};

LatencyStats statsOf(const Accumulators &acc, int metric)
{
    const LatencyHistogram *h = acc.find(metric);
    return h ? LatencyStats::fromHistogram(*h) : LatencyStats();
}

//! The agents a recommendation names: "I/N (host)" each, their own words, their figures.
struct NamedAgents
{
    QStringList names;
    QStringList details;
    QJsonArray evidence;

    void add(const AgentSummary &a)
    {
        const QString name = a.segment.toString() +
                             (a.host.isEmpty() ? QString() : QStringLiteral(" (") + a.host + u')');
        names << name;
        if (!a.saturationDetail.isEmpty())
            details << QStringLiteral("Agent ") + name + QStringLiteral(": ") + a.saturationDetail;
        evidence.append(a.toJson());
    }
};

Recommendation saturatedAgents(const QList<AgentSummary> &agents, double mergedRps)
{
    NamedAgents named;
    double saturatedRps = 0;
    int saturated = 0;
    for (const AgentSummary &a : agents) {
        if (!a.saturated)
            continue;
        ++saturated;
        saturatedRps += a.throughputRps();
        named.add(a);
    }
    const QStringList &names = named.names;
    const QStringList &details = named.details;
    const QJsonArray &evidence = named.evidence;
    const int count = int(agents.size());
    const double fair = count > 0 ? mergedRps / double(count) : 0.0;
    Recommendation r;
    r.area = QStringLiteral("load generator");
    r.impact = QStringLiteral("critical");
    r.title = (saturated == 1 ? QStringLiteral("Agent %1 saturated")
                              : QStringLiteral("Agents %1 saturated"))
                  .arg(names.join(QStringLiteral(", "))) +
              QStringLiteral(": the merged results are not trustworthy");
    r.detail = QStringLiteral("%1 of %2 agents measured their own generator as the bottleneck, so "
                              "the merged latency and throughput describe them as much as the "
                              "target. ")
                   .arg(saturated)
                   .arg(count) +
               details.join(QStringLiteral(" "));
    r.implementation = QStringLiteral("Run more agents, each with a smaller segment "
                                      "(export-k8s --agents=%1), or give the agents more CPU "
                                      "(resources.requests.cpu) and worker threads.")
                           .arg(count + saturated);
    r.estimatedImprovement =
        QStringLiteral("the saturated agents served %1 req/s each against %2 req/s per agent "
                       "over all agents")
            .arg(saturated > 0 ? saturatedRps / saturated : 0.0, 0, 'f', 1)
            .arg(fair, 0, 'f', 1);
    r.evidence = QJsonObject{{key("untrustworthy"), true}, {key("agents"), evidence}};
    return r;
}

//! Agents not saturated whose own recommendations still call their figures untrustworthy.
std::optional<Recommendation> untrustworthyAgents(const QList<AgentSummary> &agents)
{
    NamedAgents named;
    for (const AgentSummary &a : agents) {
        if (!a.saturated && a.untrustworthy)
            named.add(a);
    }
    const QStringList &names = named.names;
    const QStringList &details = named.details;
    const QJsonArray &evidence = named.evidence;
    if (names.isEmpty())
        return std::nullopt;
    Recommendation r;
    r.area = QStringLiteral("load generator");
    r.impact = QStringLiteral("high");
    r.title = (names.size() == 1 ? QStringLiteral("Agent %1 measured under conditions that make "
                                                  "its figures untrustworthy")
                                 : QStringLiteral("Agents %1 measured under conditions that make "
                                                  "their figures untrustworthy"))
                  .arg(names.join(QStringLiteral(", ")));
    r.detail = (names.size() == 1
                    ? QStringLiteral("Its generator was not saturated, but its own result says "
                                     "its figures are not trustworthy. ")
                    : QStringLiteral("Their generators were not saturated, but their own results "
                                     "say their figures are not trustworthy. ")) +
               details.join(QStringLiteral(" "));
    r.implementation = QStringLiteral("Give the agents nodes of their own (the Job's pod "
                                      "anti-affinity, resources.requests.cpu) and run again.");
    r.evidence = QJsonObject{{key("untrustworthy"), true}, {key("agents"), evidence}};
    return r;
}

} // namespace

std::optional<MergedRun> RunMerger::finish(QString *error)
{
    if (const QString missing = coverageProblem(); !missing.isEmpty()) {
        *error = missing;
        return std::nullopt;
    }
    MergedRun merged;
    merged.plan = *d->plan;
    merged.planJson = d->planJson;
    RunSummary &sum = merged.summary;
    sum.openModel = d->openModel;
    const qint64 intervalMs = std::max<qint64>(1, merged.plan.intervalMs);

    QDateTime origin;
    QStringList identities;
    for (const auto &[index, agent] : d->agents) {
        if (!origin.isValid() || agent.summary.clockStart < origin)
            origin = agent.summary.clockStart;
        identities << agent.identity;
        merged.agents.append(agent.summary);
        if (sum.target.isEmpty())
            sum.target = agent.target;
    }
    merged.contentHash = QString::fromLatin1(
        QCryptographicHash::hash(identities.join(u'\n').toUtf8(), QCryptographicHash::Sha256)
            .toHex());
    sum.startedAt = origin;

    const int metricCount = int(d->metrics.size());
    const int endpointCount = int(d->endpoints.size());
    const auto endpointSlots = size_t(endpointCount);
    const auto failAt = [error](const Agent &agent, const QString &where, const QString &why) {
        *error = agent.summary.source + QStringLiteral(": ") + where + QStringLiteral(": ") + why;
        return std::nullopt;
    };

    // Whole-run figures.
    Accumulators run;
    run.prepare(metricCount);
    std::vector<Accumulators> runEndpoints(endpointSlots);
    for (Accumulators &a : runEndpoints)
        a.prepare(metricCount);
    std::vector<TrafficTotals> endpointTotals(endpointSlots);
    std::vector<int> offsets;
    int intervalCount = 0;
    QString why;
    QStringList problems;
    ResultStatus status = ResultStatus::Completed;
    for (const auto &[index, agent] : d->agents) {
        const AgentSummary &a = agent.summary;
        sum.totals.add(a.totals);
        if (a.endedAt.isValid() && (!sum.endedAt.isValid() || a.endedAt > sum.endedAt))
            sum.endedAt = a.endedAt;
        if (a.status != ResultStatus::Completed) {
            if (status != ResultStatus::Failed)
                status = a.status;
            problems << QStringLiteral("agent %1 %2%3")
                            .arg(a.segment.toString(), resultStatusToString(a.status),
                                 a.errorDetails.isEmpty() ? QString()
                                                          : QStringLiteral(": ") + a.errorDetails);
        }
        if (!run.merge(agent.run, &why))
            return failAt(agent, QStringLiteral("result.histograms.run.overall"), why);
        for (const EndpointPart &part : agent.runEndpoints) {
            endpointTotals[size_t(part.endpoint)].add(part.totals);
            if (!runEndpoints[size_t(part.endpoint)].merge(part.blobs, &why))
                return failAt(agent,
                              QStringLiteral("result.histograms.run.endpoints[\"%1\"]")
                                  .arg(d->endpoints[part.endpoint]),
                              why);
        }
        const qint64 offset = std::max<qint64>(
            0, qRound64(double(origin.msecsTo(a.clockStart)) / double(intervalMs)));
        offsets.push_back(int(offset));
        intervalCount = std::max(intervalCount, int(offset + qint64(agent.intervalCount)));
    }
    sum.status = status;
    sum.errorDetails = problems.join(QStringLiteral("; "));
    sum.durationSec = sum.endedAt.isValid() ? double(origin.msecsTo(sum.endedAt)) / 1000.0 : 0.0;

    const int duration = d->metricIds.value(key("duration"), -1);
    const int corrected = d->metricIds.value(key("duration_corrected"), -1);
    const int iteration = d->metricIds.value(key("iteration_duration"), -1);
    const auto copy = [](const Accumulators &acc, int metric, LatencyHistogram *into) {
        if (const LatencyHistogram *h = acc.find(metric))
            *into = *h;
    };
    copy(run, duration, &sum.duration);
    copy(run, corrected, &sum.durationCorrected);
    copy(run, iteration, &sum.iterationDuration);
    const QStringList &timings = timingNames();
    const QString serverPrefix = QStringLiteral("server_timing:");
    for (int m = 0; m < metricCount; ++m) {
        const LatencyHistogram *h = run.find(m);
        if (!h)
            continue;
        const QString &name = d->metrics[m];
        if (timings.contains(name))
            sum.timings.insert(name, *h);
        else if (name.startsWith(serverPrefix))
            sum.serverTiming.insert(name.mid(serverPrefix.size()), *h);
    }
    for (int e = 0; e < endpointCount; ++e) {
        EndpointSummary endpoint;
        endpoint.name = d->endpoints[e];
        endpoint.method = d->endpointMethods[e];
        endpoint.path = d->endpointPaths[e];
        endpoint.totals = endpointTotals[size_t(e)];
        copy(runEndpoints[size_t(e)], duration, &endpoint.duration);
        copy(runEndpoints[size_t(e)], corrected, &endpoint.durationCorrected);
        sum.endpoints.append(endpoint);
    }

    // Interval by interval: every agent's interval k - offset goes into merged interval k. The
    // agents' records are read in step, one interval of each at a time, so memory holds one
    // interval's accumulators and a chunk of each agent's stream, however long the run was.
    std::vector<std::unique_ptr<IntervalRecordReader>> readers;
    readers.reserve(d->agents.size());
    for (auto &[index, agent] : d->agents) {
        if (agent.v1) {
            // Converted with the merger's own ids, which later agents may have added to.
            agent.metricMap.resize(size_t(metricCount));
            std::iota(agent.metricMap.begin(), agent.metricMap.end(), 0);
            agent.endpointMap.resize(endpointSlots);
            std::iota(agent.endpointMap.begin(), agent.endpointMap.end(), 0);
            agent.errorClasses.resize(size_t(kErrorClassCount - 1));
            std::iota(agent.errorClasses.begin(), agent.errorClasses.end(), 1);
        }
        const Records &r = agent.records;
        auto reader = r.file.isEmpty() ? std::make_unique<IntervalRecordReader>(r.bytes)
                                       : std::make_unique<IntervalRecordReader>(r.file, r.offset,
                                                                                r.base64Length);
        reader->setHeader(int(agent.metricMap.size()), int(agent.endpointMap.size()),
                          agent.errorClasses);
        readers.push_back(std::move(reader));
    }
    const auto place = [](const Agent &agent, int j) {
        return agent.v1 ? QStringLiteral("result.histograms.intervals[%1]").arg(j)
                        : QStringLiteral("result.histograms.records[%1]").arg(j);
    };
    Accumulators overall;
    std::vector<Accumulators> perEndpoint(endpointSlots);
    IntervalRecord in;
    sum.timeline.reserve(intervalCount);
    for (int k = 0; k < intervalCount; ++k) {
        overall.prepare(metricCount);
        for (Accumulators &a : perEndpoint)
            a.prepare(metricCount);
        std::vector<TrafficTotals> totals(endpointSlots);
        std::vector<bool> sameAsOverall(endpointSlots, false);
        IntervalSample sample;
        sample.index = k;
        sample.intervalSec = 0;
        size_t agentNo = 0;
        for (const auto &[index, agent] : d->agents) {
            IntervalRecordReader &reader = *readers[agentNo];
            const int offset = offsets[agentNo++];
            const int j = k - offset;
            if (j < 0 || j >= agent.intervalCount)
                continue;
            if (!reader.next(&in, &why))
                return failAt(agent, place(agent, j),
                              why.isEmpty() ? QStringLiteral("missing: the records end after %1 "
                                                             "of %2 intervals")
                                                  .arg(j)
                                                  .arg(agent.intervalCount)
                                            : why);
            sample.overall.totals.add(in.totals);
            sample.activeVus += in.activeVus;
            sample.plannedTarget += in.plannedTarget;
            sample.intervalSec = std::max(sample.intervalSec, in.intervalSec);
            sample.tSec =
                std::max(sample.tSec, double(offset) * double(intervalMs) / 1000.0 + in.tSec);
            if (!overall.merge(in.histograms, agent.metricMap, &why))
                return failAt(agent, place(agent, j), why);
            for (const RecordEndpoint &part : in.endpoints) {
                const auto e = size_t(agent.endpointMap[size_t(part.endpoint)]);
                totals[e].add(part.totals);
                sameAsOverall[e] = part.sameAsOverall;
                if (!perEndpoint[e].merge(part.histograms, agent.metricMap, &why))
                    return failAt(
                        agent,
                        place(agent, j) +
                            QStringLiteral(".endpoints[\"%1\"]").arg(d->endpoints[int(e)]),
                        why);
            }
        }
        if (sample.intervalSec <= 0)
            sample.intervalSec = double(intervalMs) / 1000.0;
        sample.overall.latency = statsOf(overall, duration);
        sample.overall.latencyCorrected = statsOf(overall, corrected);
        for (int e = 0; e < endpointCount; ++e) {
            EndpointSample endpoint;
            endpoint.name = d->endpoints[e];
            endpoint.totals = totals[size_t(e)];
            if (sameAsOverall[size_t(e)]) {
                endpoint.latency = sample.overall.latency;
                endpoint.latencyCorrected = sample.overall.latencyCorrected;
            } else {
                endpoint.latency = statsOf(perEndpoint[size_t(e)], duration);
                endpoint.latencyCorrected = statsOf(perEndpoint[size_t(e)], corrected);
            }
            sample.endpoints.append(endpoint);
        }
        for (int m = 0; m < metricCount; ++m) {
            const LatencyHistogram *h = overall.find(m);
            if (!h)
                continue;
            const QString &name = d->metrics[m];
            if (timings.contains(name))
                sample.timingMeansMs.insert(name, h->mean() / 1000.0);
            else if (name.startsWith(serverPrefix))
                sample.serverTiming.insert(name.mid(serverPrefix.size()),
                                           LatencyStats::fromHistogram(*h));
        }
        sum.maxVus = std::max(sum.maxVus, sample.activeVus);
        sum.timeline.append(sample);
    }
    if (sum.timeline.isEmpty()) {
        for (const AgentSummary &a : std::as_const(merged.agents))
            sum.maxVus += a.maxVus;
    }

    // The analysis of a run, on the merged figures.
    sum.thresholds = evaluateThresholds(merged.plan.thresholds, sum);
    RecommendationInput input;
    input.summary = sum;
    QList<Recommendation> recommendations = recommend(input);
    const bool anySaturated = std::any_of(merged.agents.cbegin(), merged.agents.cend(),
                                          [](const AgentSummary &a) { return a.saturated; });
    if (anySaturated)
        recommendations.prepend(saturatedAgents(merged.agents, sum.throughputRps()));
    if (const auto doubtful = untrustworthyAgents(merged.agents)) {
        // Next to the saturated agents' (critical) one, before the rules' findings on the
        // merged figures: those figures are what it calls into doubt.
        recommendations.insert(anySaturated ? 1 : 0, *doubtful);
    }
    sum.extras.recommendations = recommendationsToJson(recommendations);
    sum.extras.untrustworthy = resultsUntrustworthy(recommendations);
    for (const AgentSummary &a : std::as_const(merged.agents))
        sum.extras.agents.append(a.toJson());
    sum.extras.resources = QJsonObject{
        {key("note"), QStringLiteral("merged from %1 agents; each agent's resources are in "
                                     "\"agents\"")
                          .arg(merged.agents.size())}};
    return merged;
}

bool RunMerger::addFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = path + QStringLiteral(": cannot read: ") + file.errorString();
        return false;
    }
    const QByteArray bytes = file.readAll();
    file.close();
    // The result's members by their spans: only the small ones are parsed; the timeline is
    // left out (merge rebuilds it) and the records are streamed from the file by finish().
    std::vector<JsonMember> top;
    if (!jsonObjectMembers(bytes, 0, &top)) {
        // `kubectl logs` of an agent: progress lines, then the result as the last line.
        qsizetype end = bytes.size();
        while (end > 0 && QChar::isSpace(uchar(bytes[end - 1])))
            --end;
        const qsizetype lastLine = end > 0 ? bytes.lastIndexOf('\n', end - 1) : -1;
        if (lastLine < 0 || !jsonObjectMembers(bytes, lastLine + 1, &top)) {
            QJsonParseError parseError{};
            QJsonDocument::fromJson(bytes, &parseError);
            *error = path + QStringLiteral(": not a JSON result (%1 at offset %2), nor a log "
                                           "whose last line is one")
                                .arg(parseError.errorString())
                                .arg(parseError.offset);
            return false;
        }
    }
    const auto broken = [&path, error](const QString &what, const QString &why) {
        *error = path + QStringLiteral(": not a JSON result (%1: %2)").arg(what, why);
        return false;
    };
    QString why;
    QJsonObject document;
    if (!parseMembers(bytes, top, {"result"}, &document, &why))
        return broken(QStringLiteral("the document"), why);
    std::optional<RecordsInFile> location;
    if (const JsonMember *resultMember = findMember(top, "result")) {
        std::vector<JsonMember> members;
        QJsonObject result;
        if (!jsonObjectMembers(bytes, resultMember->begin, &members) ||
            !parseMembers(bytes, members, {"timeline", "histograms"}, &result, &why))
            return broken(QStringLiteral("result"), why);
        if (const JsonMember *h = findMember(members, "histograms")) {
            std::vector<JsonMember> parts;
            QJsonObject histograms;
            if (!jsonObjectMembers(bytes, h->begin, &parts) ||
                !parseMembers(bytes, parts, {"records"}, &histograms, &why))
                return broken(QStringLiteral("result.histograms"), why);
            const JsonMember *records = findMember(parts, "records");
            const qsizetype length = records ? records->end - records->begin - 2 : 0;
            if (records && bytes[records->begin] == '"' &&
                QByteArrayView(bytes).sliced(records->begin + 1, length).indexOf('\\') < 0) {
                location = RecordsInFile{path, records->begin + 1, length};
            } else if (records) {
                // Not plain base64 text (escaped by some other writer): parse it as JSON.
                QJsonObject value;
                if (!parseMembers(bytes, parts, {}, &value, &why))
                    return broken(QStringLiteral("result.histograms.records"), why);
                histograms = value;
            }
            result.insert(key("histograms"), histograms);
        }
        document.insert(key("result"), result);
    }
    return addDocument(document, path, location ? &*location : nullptr, error);
}

std::optional<MergedRun> mergeAgentFiles(const QStringList &paths, QString *error)
{
    RunMerger merger;
    for (const QString &path : paths) {
        if (!merger.addFile(path, error))
            return std::nullopt;
    }
    return merger.finish(error);
}

ImportedResult mergedResultForStore(const MergedRun &run)
{
    const RunSummary &s = run.summary;
    ImportedResult r;
    r.test.name = run.plan.name;
    r.test.testType = testTypeName(run.plan.type);
    r.test.plan = run.planJson;
    r.plan = run.planJson;
    r.status = s.status;
    r.startedAt = s.startedAt;
    r.endedAt = s.endedAt;
    r.versionLabel = run.plan.versionLabel;
    r.errorDetails = s.errorDetails;
    r.summary = resultSummaryForStore(s, 0, run.plan.versionLabel);
    for (const IntervalSample &sample : s.timeline)
        r.samples.append(samplesForStore(sample));
    r.histograms = histogramsForStore(s);
    r.source.tool = QStringLiteral("Loadscope agents");
    r.source.format = QStringLiteral("merge");
    r.source.fileName = QStringLiteral("%1 agent results").arg(run.agents.size());
    r.source.contentHash = run.contentHash;
    r.source.lines = run.agents.size();
    r.source.importedAt = QDateTime::currentDateTimeUtc();
    return r;
}

} // namespace loadscope
