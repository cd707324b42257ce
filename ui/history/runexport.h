#pragma once

#include <optional>

#include <QByteArray>
#include <QList>
#include <QString>

#include "store/storetypes.h"

namespace loadscope {

enum class RunExportFormat
{
    Json,
    Csv,
    Markdown
};

//! "json", "csv" or "md": the file suffix of @p format.
QString runExportSuffix(RunExportFormat format);

//! The DESIGN.md §4.1 result document: schema, the plan as run, and the stored summary with
//! the run's identity; the samples become result.timeline unless the summary has one.
QByteArray runToJson(const ResultRecord &record, const QList<ResultSample> &samples);
//! One line per sample (every endpoint; '' = overall) with a header row.
QByteArray samplesToCsv(const QList<ResultSample> &samples);
//! A Markdown summary table of the run.
QByteArray runToMarkdown(const ResultRecord &record);

//! Writes @p record in @p format to @p path; on failure @p error names the file.
bool writeRunExport(const ResultRecord &record, const QList<ResultSample> &samples,
                    RunExportFormat format, const QString &path, QString *error = nullptr);

} // namespace loadscope
