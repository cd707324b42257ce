#include "storetypes.h"

namespace loadscope {

QString resultStatusToString(ResultStatus status)
{
    switch (status) {
    case ResultStatus::Running:
        return QStringLiteral("running");
    case ResultStatus::Completed:
        return QStringLiteral("completed");
    case ResultStatus::Failed:
        return QStringLiteral("failed");
    case ResultStatus::Aborted:
        return QStringLiteral("aborted");
    }
    return QStringLiteral("failed");
}

std::optional<ResultStatus> resultStatusFromString(const QString &text)
{
    for (auto status : {ResultStatus::Running, ResultStatus::Completed, ResultStatus::Failed,
                        ResultStatus::Aborted}) {
        if (resultStatusToString(status) == text)
            return status;
    }
    return std::nullopt;
}

QString ResultSource::label() const
{
    if (!isImported())
        return QStringLiteral("Loadscope");
    QString text = tool;
    if (!toolVersion.isEmpty())
        text += QLatin1Char(' ') + toolVersion;
    if (!fileName.isEmpty())
        text += QStringLiteral(" (") + fileName + QLatin1Char(')');
    return text;
}

QJsonObject ResultSource::toJson() const
{
    QJsonObject json{
        {QStringLiteral("tool"), tool},     {QStringLiteral("format"), format},
        {QStringLiteral("file"), fileName}, {QStringLiteral("contentHash"), contentHash},
        {QStringLiteral("lines"), lines},   {QStringLiteral("badLines"), badLines}};
    if (!toolVersion.isEmpty())
        json.insert(QStringLiteral("toolVersion"), toolVersion);
    if (importedAt.isValid())
        json.insert(QStringLiteral("importedAt"), importedAt.toString(Qt::ISODateWithMs));
    return json;
}

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

} // namespace loadscope
