#include "recommendation.h"

namespace loadscope {

QJsonObject Recommendation::toJson() const
{
    return QJsonObject{{QStringLiteral("area"), area},
                       {QStringLiteral("impact"), impact},
                       {QStringLiteral("title"), title},
                       {QStringLiteral("detail"), detail},
                       {QStringLiteral("implementation"), implementation},
                       {QStringLiteral("estimatedImprovement"), estimatedImprovement},
                       {QStringLiteral("evidence"), evidence}};
}

Recommendation Recommendation::fromJson(const QJsonObject &json)
{
    Recommendation r;
    r.area = json.value(QStringLiteral("area")).toString();
    r.impact = json.value(QStringLiteral("impact")).toString();
    r.title = json.value(QStringLiteral("title")).toString();
    r.detail = json.value(QStringLiteral("detail")).toString();
    r.implementation = json.value(QStringLiteral("implementation")).toString();
    r.estimatedImprovement = json.value(QStringLiteral("estimatedImprovement")).toString();
    r.evidence = json.value(QStringLiteral("evidence")).toObject();
    return r;
}

QJsonArray recommendationsToJson(const QList<Recommendation> &recommendations)
{
    QJsonArray array;
    for (const Recommendation &r : recommendations)
        array.append(r.toJson());
    return array;
}

QList<Recommendation> recommendationsFromJson(const QJsonArray &array)
{
    QList<Recommendation> list;
    list.reserve(array.size());
    for (const QJsonValue &value : array)
        list.append(Recommendation::fromJson(value.toObject()));
    return list;
}

} // namespace loadscope
