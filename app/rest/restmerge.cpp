#include <QJsonArray>

#include "analysis/runcomparison.h"
#include "rest/restapiserver_p.h"
#include "rest/restplans.h"
#include "restapiserver.h"
#include "store/historystore.h"

// POST /api/performance/results/merge: scale-out agents' results (DESIGN.md §4.4). A body
// {"results": [doc, ...]} is merged at once; a body that is one agent's result document is an
// upload that waits for the other segments of its run (same plan, split and scheduled start),
// and the run is merged and stored when the last one arrives.

namespace loadscope {

namespace {

//! Which run an agent's upload belongs to: plan, split and scheduled start.
QString mergeKey(const QJsonObject &document, int *segments)
{
    const QJsonObject agent = document.value(QStringLiteral("result"))
                                  .toObject()
                                  .value(QStringLiteral("agent"))
                                  .toObject();
    const QString segment = agent.value(QStringLiteral("segment")).toString(QStringLiteral("0/1"));
    *segments = segment.section(u'/', 1).toInt();
    return planFingerprint(document.value(QStringLiteral("test")).toObject()).left(12) + u'-' +
           QString::number(*segments) + u'-' +
           agent.value(QStringLiteral("scheduledStart")).toString();
}

} // namespace

RestApiServer::Reply RestApiServer::storeMerged(PendingMerge &pending)
{
    QString error;
    const auto merged = pending.merger->finish(&error);
    if (!merged)
        return Reply::error(400, error);
    bool duplicate = false;
    const qint64 id = m_store->storeImportedResult(mergedResultForStore(*merged), &duplicate);
    if (id <= 0)
        return Reply::error(503, QStringLiteral("the merged run could not be stored: ") +
                                     m_store->lastError());
    const QList<Recommendation> recommendations =
        recommendationsFromJson(merged->summary.extras.recommendations.value_or(QJsonArray()));
    if (!duplicate && !recommendations.isEmpty())
        m_store->addRecommendations(id, recommendations);
    m_store->flush();
    const QJsonObject body{
        {QStringLiteral("resultId"), id},
        {QStringLiteral("result"),
         QString(QString::fromLatin1(kPrefix) + QStringLiteral("/results/") + QString::number(id))},
        {QStringLiteral("test"), merged->plan.name},
        {QStringLiteral("agents"), int(merged->agents.size())},
        {QStringLiteral("requests"), merged->summary.totals.requests},
        {QStringLiteral("thresholdsPassed"), merged->summary.thresholdsPassed()},
        {QStringLiteral("duplicate"), duplicate}};
    return Reply{duplicate ? 200 : 201, body, {}};
}

RestApiServer::Reply RestApiServer::mergeResults(const Request &request)
{
    RestError refused;
    const auto body = requestJsonObject(request.body, &refused);
    if (!body)
        return Reply::error(refused);

    if (body->contains(QStringLiteral("results"))) {
        const QJsonValue results = body->value(QStringLiteral("results"));
        if (!results.isArray() || results.toArray().isEmpty())
            return Reply::error(400,
                                QStringLiteral("\"results\" must be a non-empty array of agent "
                                               "result documents"),
                                QStringLiteral("results"));
        PendingMerge all;
        const QJsonArray documents = results.toArray();
        for (qsizetype i = 0; i < documents.size(); ++i) {
            QString error;
            const QString source = QStringLiteral("results[%1]").arg(i);
            if (!all.merger->add(documents[i].toObject(), source, &error))
                return Reply::error(400, error, source);
        }
        return storeMerged(all);
    }

    // One agent's upload: it joins the other segments of its run.
    int segments = 0;
    const QString key = mergeKey(*body, &segments);
    auto it = std::find_if(m_pendingMerges.begin(), m_pendingMerges.end(),
                           [&key](const auto &p) { return p->key == key; });
    if (it == m_pendingMerges.end()) {
        auto pending = std::make_unique<PendingMerge>();
        pending->key = key;
        pending->segments = segments;
        m_pendingMerges.push_back(std::move(pending));
        it = m_pendingMerges.end() - 1;
    }
    PendingMerge &pending = **it;
    const QString segment = body->value(QStringLiteral("result"))
                                .toObject()
                                .value(QStringLiteral("agent"))
                                .toObject()
                                .value(QStringLiteral("segment"))
                                .toString(QStringLiteral("0/1"));
    QString error;
    if (!pending.merger->add(*body, QStringLiteral("segment ") + segment, &error)) {
        if (pending.merger->agentCount() == 0)
            m_pendingMerges.erase(it);
        return Reply::error(pending.received.contains(segment) ? 409 : 400, error);
    }
    pending.received << segment;
    pending.testName =
        body->value(QStringLiteral("test")).toObject().value(QStringLiteral("name")).toString();
    if (!pending.merger->coverageProblem().isEmpty()) {
        return Reply{
            202,
            QJsonObject{{QStringLiteral("merge"), key},
                        {QStringLiteral("test"), pending.testName},
                        {QStringLiteral("received"), QJsonArray::fromStringList(pending.received)},
                        {QStringLiteral("waitingFor"), pending.merger->coverageProblem()}},
            {}};
    }
    const std::unique_ptr<PendingMerge> complete = std::move(*it);
    m_pendingMerges.erase(it);
    return storeMerged(*complete);
}

RestApiServer::Reply RestApiServer::pendingMerges() const
{
    QJsonArray list;
    for (const auto &pending : m_pendingMerges)
        list.append(
            QJsonObject{{QStringLiteral("merge"), pending->key},
                        {QStringLiteral("test"), pending->testName},
                        {QStringLiteral("received"), QJsonArray::fromStringList(pending->received)},
                        {QStringLiteral("waitingFor"), pending->merger->coverageProblem()}});
    return Reply{200, QJsonObject{{QStringLiteral("pending"), list}}, {}};
}

} // namespace loadscope
