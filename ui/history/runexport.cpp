#include "runexport.h"

#include "interop/resultwriters.h"
#include "session/storedrun.h"

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

bool writeRunExport(HistoryStore &store, qint64 resultId, ResultFormat format, const QString &path,
                    QString *error)
{
    QString why;
    const auto document = loadResultDocument(store, resultId, &why);
    if (!document) {
        if (error)
            *error = why;
        return false;
    }
    return writeResult(format, path, *document, error);
}

} // namespace loadscope
