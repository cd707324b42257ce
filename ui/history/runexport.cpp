#include "runexport.h"

#include <cmath>

#include <QJsonArray>

#include "history/resultstablemodel.h"
#include "interop/resultjson.h"

namespace loadscope {

QString resultFormatSuffix(ResultFormat format)
{
    switch (format) {
    case ResultFormat::Json:
        return QStringLiteral("json");
    case ResultFormat::Csv:
        return QStringLiteral("csv");
    case ResultFormat::Junit:
        return QStringLiteral("xml");
    case ResultFormat::Html:
        return QStringLiteral("html");
    case ResultFormat::Markdown:
        return QStringLiteral("md");
    }
    return {};
}

QJsonObject storedRunDocument(const ResultRecord &record, const QList<ResultSample> &samples)
{
    QJsonObject result = record.summary;
    // The row is the authority on identity and life cycle: a summary written by an older
    // version, or a run that never finished, may lack these or disagree.
    result.insert(QStringLiteral("id"), record.id);
    result.insert(QStringLiteral("status"), resultStatusToString(record.status));
    result.insert(QStringLiteral("startedAt"), record.startedAt.toString(Qt::ISODateWithMs));
    result.insert(QStringLiteral("endedAt"),
                  record.endedAt.isValid() ? QJsonValue(record.endedAt.toString(Qt::ISODateWithMs))
                                           : QJsonValue());
    const double seconds = ResultsTableModel::durationSec(record);
    if (!std::isnan(seconds))
        result.insert(QStringLiteral("durationSec"), seconds);
    result.insert(QStringLiteral("versionLabel"), record.versionLabel);
    if (!record.errorDetails.isEmpty())
        result.insert(QStringLiteral("errorDetails"), record.errorDetails);
    if (!result.contains(QStringLiteral("timeline"))) {
        QJsonArray timeline;
        for (const ResultSample &sample : samples) {
            if (sample.endpoint.isEmpty())
                timeline.append(timelineEntryFromSample(sample));
        }
        result.insert(QStringLiteral("timeline"), timeline);
    }
    return QJsonObject{{QStringLiteral("schema"), QLatin1String(kResultSchema)},
                       {QStringLiteral("test"), record.plan},
                       {QStringLiteral("result"), result}};
}

bool writeRunExport(const ResultRecord &record, const QList<ResultSample> &samples,
                    ResultFormat format, const QString &path, QString *error)
{
    return writeResult(format, path, storedRunDocument(record, samples), error);
}

} // namespace loadscope
