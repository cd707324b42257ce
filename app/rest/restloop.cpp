// The optimization loop over REST: the change log (annotations of tests and runs, with the
// effect measured across each) and the follow-up of recommendations.
//   GET  tests/:id/annotations        the test's change log with measured effects
//   POST tests/:id/annotations        {note, author?, link?, at?}
//   GET  results/:id/annotations      the run's annotations
//   POST results/:id/annotations      {note, author?, link?}
//   GET  tests/:id/recommendations    ?all=1 for applied/dismissed ones too; critical first
//   POST recommendations/:id          {state: applied|dismissed|open, appliedResultId?, reason?}
#include <QJsonArray>

#include "rest/restapiserver_p.h"
#include "session/changelog.h"
#include "store/historystore.h"

namespace loadscope {

RestApiServer::Reply RestApiServer::routeLoop(const QStringList &parts, const Request &request,
                                              bool *matched)
{
    *matched = true;
    const QByteArray &method = request.method;
    const auto notAllowed = [](const QString &path, const QByteArray &used,
                               const QByteArray &allowed) {
        Reply reply =
            Reply::error(405, QStringLiteral("method ") + QString::fromLatin1(used) +
                                  QStringLiteral(" not allowed on ") + path +
                                  QStringLiteral("; use ") + QString::fromLatin1(allowed));
        reply.headers.append({QByteArrayLiteral("Allow"), allowed});
        return reply;
    };
    const bool getOrPost = method == "GET" || method == "POST";
    if (parts.size() == 3 && parts[2] == QLatin1String("annotations") &&
        (parts[0] == QLatin1String("tests") || parts[0] == QLatin1String("results"))) {
        const auto id = parseRestId(parts[1]);
        if (!id)
            return Reply::error(400, u'"' + parts[1] + QStringLiteral("\" is not an id"),
                                QStringLiteral("id"));
        if (!getOrPost)
            return notAllowed(request.path, method, QByteArrayLiteral("GET, POST"));
        const bool onTest = parts[0] == QLatin1String("tests");
        return method == "GET" ? annotations(onTest ? *id : 0, onTest ? 0 : *id)
                               : addAnnotation(onTest ? *id : 0, onTest ? 0 : *id, request);
    }
    if (parts.size() == 3 && parts[0] == QLatin1String("tests") &&
        parts[2] == QLatin1String("recommendations")) {
        const auto id = parseRestId(parts[1]);
        if (!id)
            return Reply::error(400, u'"' + parts[1] + QStringLiteral("\" is not an id"),
                                QStringLiteral("id"));
        if (method != "GET")
            return notAllowed(request.path, method, QByteArrayLiteral("GET"));
        return testRecommendations(*id, request);
    }
    if (parts.size() == 2 && parts[0] == QLatin1String("recommendations")) {
        const auto id = parseRestId(parts[1]);
        if (!id)
            return Reply::error(400, u'"' + parts[1] + QStringLiteral("\" is not an id"),
                                QStringLiteral("id"));
        if (method != "POST")
            return notAllowed(request.path, method, QByteArrayLiteral("POST"));
        return followUpRecommendation(*id, request);
    }
    *matched = false;
    return {};
}

RestApiServer::Reply RestApiServer::annotations(qint64 testId, qint64 resultId)
{
    QJsonArray array;
    if (testId > 0) {
        if (!m_store->test(testId))
            return Reply::error(404, QStringLiteral("no test with id %1").arg(testId));
        for (const ChangeEffect &e : changeEffects(*m_store, testId))
            array.append(e.toJson());
    } else {
        if (!m_store->result(resultId))
            return Reply::error(404, QStringLiteral("no result with id %1").arg(resultId));
        for (const Annotation &a : m_store->resultAnnotations(resultId))
            array.append(a.toJson());
    }
    return Reply{200, QJsonObject{{QStringLiteral("annotations"), array}}, {}};
}

RestApiServer::Reply RestApiServer::addAnnotation(qint64 testId, qint64 resultId,
                                                  const Request &request)
{
    RestError error;
    error.status = 400;
    const auto body = requestJsonObject(request.body, &error);
    if (!body)
        return Reply::error(error);
    if (testId > 0 && !m_store->test(testId))
        return Reply::error(404, QStringLiteral("no test with id %1").arg(testId));
    if (resultId > 0 && !m_store->result(resultId))
        return Reply::error(404, QStringLiteral("no result with id %1").arg(resultId));
    Annotation a;
    a.testId = testId;
    a.resultId = resultId;
    const QJsonValue note = body->value(QLatin1String("note"));
    if (!note.isString() || note.toString().trimmed().isEmpty())
        return Reply::error(400, QStringLiteral("\"note\" must be a non-empty string"),
                            QStringLiteral("note"));
    a.note = note.toString();
    a.author = body->value(QLatin1String("author")).toString();
    a.link = body->value(QLatin1String("link")).toString();
    if (body->contains(QLatin1String("at"))) {
        a.at =
            QDateTime::fromString(body->value(QLatin1String("at")).toString(), Qt::ISODateWithMs);
        if (!a.at.isValid() || resultId > 0)
            return Reply::error(400,
                                resultId > 0 ? QStringLiteral("a run's annotation is at the run")
                                             : QStringLiteral("\"at\" must be an RFC 3339 time"),
                                QStringLiteral("at"));
    }
    const qint64 id = m_store->addAnnotation(a);
    if (id <= 0)
        return Reply::error(500, m_store->lastError());
    for (const Annotation &stored :
         resultId > 0 ? m_store->resultAnnotations(resultId) : m_store->annotations(testId)) {
        if (stored.id == id)
            return Reply{201, stored.toJson(), {}};
    }
    return Reply::error(500, QStringLiteral("the annotation was stored but cannot be read back"));
}

RestApiServer::Reply RestApiServer::testRecommendations(qint64 testId, const Request &request)
{
    if (!m_store->test(testId))
        return Reply::error(404, QStringLiteral("no test with id %1").arg(testId));
    const bool all = request.query.queryItemValue(QStringLiteral("all")) == QLatin1String("1");
    QJsonArray array;
    for (const RecommendationFollowUp &f : m_store->testRecommendations(testId, !all))
        array.append(f.toJson());
    return Reply{200, QJsonObject{{QStringLiteral("recommendations"), array}}, {}};
}

RestApiServer::Reply RestApiServer::followUpRecommendation(qint64 id, const Request &request)
{
    RestError error;
    error.status = 400;
    const auto body = requestJsonObject(request.body, &error);
    if (!body)
        return Reply::error(error);
    const auto followUp = m_store->recommendationFollowUp(id);
    if (!followUp)
        return Reply::error(404, QStringLiteral("no recommendation with id %1").arg(id));
    const QString state = body->value(QLatin1String("state")).toString();
    const qint64 applied = body->value(QLatin1String("appliedResultId")).toInteger();
    const QString reason = body->value(QLatin1String("reason")).toString();
    QJsonObject measured;
    if (state == QLatin1String("applied")) {
        QString why;
        measured = measuredChange(*m_store, followUp->resultId, applied, &why);
        if (measured.isEmpty())
            return Reply::error(400, QStringLiteral("appliedResultId: ") + why,
                                QStringLiteral("appliedResultId"));
    }
    if (!m_store->setRecommendationState(id, state, applied, reason, measured))
        return Reply::error(400, m_store->lastError(), QStringLiteral("state"));
    return Reply{200, m_store->recommendationFollowUp(id).value_or(*followUp).toJson(), {}};
}

} // namespace loadscope
