#include "restjson.h"

#include <QJsonArray>

#include "interop/resultjson.h"

namespace loadscope {

QJsonValue restTime(const QDateTime &time)
{
    if (!time.isValid())
        return QJsonValue(QJsonValue::Null);
    return time.toUTC().toString(Qt::ISODateWithMs);
}

QJsonObject storedTestJson(const StoredTest &test)
{
    return QJsonObject{{QStringLiteral("id"), test.id},
                       {QStringLiteral("name"), test.name},
                       {QStringLiteral("testType"), test.testType},
                       {QStringLiteral("plan"), test.plan},
                       {QStringLiteral("createdAt"), restTime(test.createdAt)},
                       {QStringLiteral("updatedAt"), restTime(test.updatedAt)},
                       {QStringLiteral("baselineResultId"), test.baselineResultId > 0
                                                                ? QJsonValue(test.baselineResultId)
                                                                : QJsonValue(QJsonValue::Null)}};
}

QJsonObject resultRowJson(const ResultRecord &record)
{
    QJsonObject json{{QStringLiteral("id"), record.id},
                     {QStringLiteral("testId"), record.testId},
                     {QStringLiteral("testName"), record.testName},
                     {QStringLiteral("testType"), record.testType},
                     {QStringLiteral("status"), resultStatusToString(record.status)},
                     {QStringLiteral("startedAt"), restTime(record.startedAt)},
                     {QStringLiteral("endedAt"), restTime(record.endedAt)},
                     {QStringLiteral("versionLabel"), record.versionLabel}};
    if (!record.errorDetails.isEmpty())
        json.insert(QStringLiteral("errorDetails"), record.errorDetails);
    // From the figures columns (HistoryStore::listResultRows()), never the summary JSON.
    const ResultFigures &f = record.figures;
    if (f.durationSec)
        json.insert(QStringLiteral("durationSec"), *f.durationSec);
    if (!f.totals.isEmpty())
        json.insert(QStringLiteral("totals"), f.totals);
    if (!f.latencyMs.isEmpty())
        json.insert(QStringLiteral("latencyMs"), f.latencyMs);
    if (f.thresholdsPassed)
        json.insert(QStringLiteral("thresholdsPassed"), *f.thresholdsPassed);
    return json;
}

QJsonObject unfinishedResultDocument(const ResultRecord &record)
{
    QJsonObject result{{QStringLiteral("id"), record.id},
                       {QStringLiteral("testId"), record.testId},
                       {QStringLiteral("testName"), record.testName},
                       {QStringLiteral("status"), resultStatusToString(record.status)},
                       {QStringLiteral("startedAt"), restTime(record.startedAt)},
                       {QStringLiteral("endedAt"), restTime(record.endedAt)},
                       {QStringLiteral("versionLabel"), record.versionLabel}};
    if (!record.errorDetails.isEmpty())
        result.insert(QStringLiteral("errorDetails"), record.errorDetails);
    return QJsonObject{{QStringLiteral("schema"), QString::fromLatin1(kResultSchema)},
                       {QStringLiteral("test"), record.plan},
                       {QStringLiteral("result"), result}};
}

} // namespace loadscope
