#pragma once

#include <QString>

#include "interop/resultwriters.h"

namespace loadscope {

class HistoryStore;

//! File suffix for @p format ("json", "csv", "xml", "html", "md").
QString resultFormatSuffix(ResultFormat format);

//! Renders stored run @p resultId in @p format (core's result writers) from the same result
//! document `history show --format=json` and the REST API give (loadResultDocument()), and
//! writes it atomically to @p path; on failure @p error says why.
bool writeRunExport(HistoryStore &store, qint64 resultId, ResultFormat format, const QString &path,
                    QString *error = nullptr);

} // namespace loadscope
