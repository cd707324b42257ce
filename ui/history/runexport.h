#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

#include "interop/resultwriters.h"
#include "store/storetypes.h"

namespace loadscope {

//! File suffix for @p format ("json", "csv", "xml", "html", "md").
QString resultFormatSuffix(ResultFormat format);

//! The DESIGN.md §4.1 result document of a stored run: the plan as run, the stored summary
//! with the run's identity (id, status, times, version label), and the overall samples as
//! the timeline, so a stored run exports like a fresh one.
QJsonObject storedRunDocument(const ResultRecord &record, const QList<ResultSample> &samples);

//! Renders the stored run in @p format (core's result writers) and writes it atomically to
//! @p path; on failure @p error says why.
bool writeRunExport(const ResultRecord &record, const QList<ResultSample> &samples,
                    ResultFormat format, const QString &path, QString *error = nullptr);

} // namespace loadscope
