#include "storetypes.h"

#include <QHash>

namespace loadscope {

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

} // namespace loadscope

namespace loadscope {

namespace {

std::optional<double> numberIn(const QJsonObject &object, const QString &key)
{
    const QJsonValue value = object.value(key);
    if (!value.isDouble())
        return std::nullopt;
    return value.toDouble();
}

} // namespace

ResultFigures ResultFigures::fromSummary(const QJsonObject &summary)
{
    // The C++ twin of StoreSchema::figuresUpdateSql(), for summaries that are not stored.
    ResultFigures f;
    f.totals = summary.value(QLatin1String("totals")).toObject();
    f.latencyMs = summary.value(QLatin1String("latencyMs")).toObject();
    if (const auto requests = numberIn(f.totals, QStringLiteral("requests")))
        f.requests = qint64(*requests);
    if (const auto errors = numberIn(f.totals, QStringLiteral("errors")))
        f.errors = qint64(*errors);
    f.rps = numberIn(f.totals, QStringLiteral("throughputRps"));
    f.errorRate = numberIn(f.totals, QStringLiteral("errorRate"));
    f.p50Ms = numberIn(f.latencyMs, QStringLiteral("p50"));
    f.p90Ms = numberIn(f.latencyMs, QStringLiteral("p90"));
    f.p95Ms = numberIn(f.latencyMs, QStringLiteral("p95"));
    f.p99Ms = numberIn(f.latencyMs, QStringLiteral("p99"));
    f.maxMs = numberIn(f.latencyMs, QStringLiteral("max"));
    f.meanMs = numberIn(f.latencyMs, QStringLiteral("avg"));
    f.durationSec = numberIn(summary, QStringLiteral("durationSec"));
    f.verdict = summary.value(QLatin1String("comparison"))
                    .toObject()
                    .value(QLatin1String("verdict"))
                    .toString();
    f.trigger = summary.value(QLatin1String("trigger")).toString();
    const QJsonArray thresholds = summary.value(QLatin1String("thresholds")).toArray();
    if (!thresholds.isEmpty()) {
        bool passed = true;
        for (const QJsonValue &t : thresholds)
            passed = passed && t.toObject().value(QLatin1String("passed")).toBool(true);
        f.thresholdsPassed = passed;
    }
    return f;
}

std::optional<double> ResultFigures::value(const QString &group, const QString &key) const
{
    if (group == QLatin1String("totals")) {
        if (key == QLatin1String("throughputRps"))
            return rps;
        if (key == QLatin1String("errorRate"))
            return errorRate;
        if (key == QLatin1String("requests"))
            return requests ? std::optional<double>(double(*requests)) : std::nullopt;
        if (key == QLatin1String("errors"))
            return errors ? std::optional<double>(double(*errors)) : std::nullopt;
        return numberIn(totals, key);
    }
    if (group == QLatin1String("latencyMs")) {
        static const QHash<QString, std::optional<double> ResultFigures::*> byKey{
            {QStringLiteral("p50"), &ResultFigures::p50Ms},
            {QStringLiteral("p90"), &ResultFigures::p90Ms},
            {QStringLiteral("p95"), &ResultFigures::p95Ms},
            {QStringLiteral("p99"), &ResultFigures::p99Ms},
            {QStringLiteral("max"), &ResultFigures::maxMs},
            {QStringLiteral("avg"), &ResultFigures::meanMs}};
        const auto it = byKey.constFind(key);
        return it != byKey.constEnd() ? this->*(*it) : numberIn(latencyMs, key);
    }
    if (group.isEmpty() && key == QLatin1String("durationSec"))
        return durationSec;
    return std::nullopt;
}

QJsonObject Annotation::toJson() const
{
    QJsonObject json{{QStringLiteral("id"), id},
                     {QStringLiteral("testId"), testId},
                     {QStringLiteral("at"), at.toUTC().toString(Qt::ISODateWithMs)},
                     {QStringLiteral("note"), note},
                     {QStringLiteral("createdAt"), createdAt.toUTC().toString(Qt::ISODateWithMs)}};
    if (resultId > 0)
        json.insert(QStringLiteral("resultId"), resultId);
    if (!author.isEmpty())
        json.insert(QStringLiteral("author"), author);
    if (!link.isEmpty())
        json.insert(QStringLiteral("link"), link);
    return json;
}

QJsonObject RecommendationFollowUp::toJson() const
{
    QJsonObject json = recommendation.toJson();
    json.insert(QStringLiteral("id"), recommendation.id);
    json.insert(QStringLiteral("resultId"), resultId);
    json.insert(QStringLiteral("state"), state);
    if (appliedResultId > 0)
        json.insert(QStringLiteral("appliedResultId"), appliedResultId);
    if (!reason.isEmpty())
        json.insert(QStringLiteral("reason"), reason);
    if (changedAt.isValid())
        json.insert(QStringLiteral("changedAt"), changedAt.toUTC().toString(Qt::ISODateWithMs));
    if (!measured.isEmpty())
        json.insert(QStringLiteral("measured"), measured);
    return json;
}

} // namespace loadscope
