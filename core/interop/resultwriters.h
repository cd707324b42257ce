#pragma once

#include <optional>

#include <QByteArray>
#include <QJsonObject>
#include <QString>

// Result outputs of `loadscope-cli run --format=...` (DESIGN.md §4.1). Every writer works from
// the result JSON document (resultjson.h), so a stored run re-exports exactly like a fresh one;
// missing keys (an older or partial document) give empty cells, never a crash.

namespace loadscope {

//! Output formats; mirrors the CLI's OutputFormat without depending on the CLI.
enum class ResultFormat
{
    Json,
    Csv,
    Junit,
    Html,
    Markdown
};

//! The format named @p name case-insensitively (json, csv, junit or xml, html or htm, md or
//! markdown), as --format and file extensions spell it.
std::optional<ResultFormat> resultFormatFromName(const QString &name);

//! Indented JSON text of the document.
QByteArray resultToJson(const QJsonObject &resultDocument);

//! The timeline as RFC 4180 CSV (CRLF, header row): t, requests, errors, rps, activeVus,
//! p50Ms, p90Ms, p95Ms, p99Ms, maxMs, and correctedP99Ms when the run measured it.
QByteArray resultToCsv(const QJsonObject &resultDocument);

//! JUnit XML: one testsuite "loadscope: <plan name>", one testcase per threshold (a failure
//! when crossed, an error when it could not be evaluated) and a "run completed" testcase.
QByteArray resultToJunit(const QJsonObject &resultDocument);

//! A Markdown summary for a pull-request comment (GitHub-flavoured tables).
QByteArray resultToMarkdown(const QJsonObject &resultDocument);

//! A standalone HTML report: inline CSS, inline SVG chart of rps and p95, no scripts.
QByteArray resultToHtml(const QJsonObject &resultDocument);

//! The document rendered in @p format.
QByteArray renderResult(ResultFormat format, const QJsonObject &resultDocument);

//! Renders and writes atomically (QSaveFile) to @p path; on failure returns false and sets
//! @p error to "cannot write <path>: <reason>".
bool writeResult(ResultFormat format, const QString &path, const QJsonObject &resultDocument,
                 QString *error = nullptr);

} // namespace loadscope
