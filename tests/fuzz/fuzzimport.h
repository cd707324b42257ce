#pragma once

// Shared by the result-import fuzz targets: the importers read files, so a target writes its
// input first, then checks what any import must hold.

#include <QString>

#include "interop/resultimport.h"

namespace loadscope::fuzz {

//! Imports @p path as @p format (without storing) and traps unless it either gives a run with
//! requests and no error, or refuses with a message that names @p path.
inline void checkImport(const QString &path, ImportFormat format)
{
    ResultImportOptions options;
    options.format = format;
    ParsedResult parsed;
    ImportReport report;
    const bool ok = parseResultFile(path, options, &parsed, &report);
    if (ok && (parsed.summary.totals.requests <= 0 || !report.error.isEmpty()))
        __builtin_trap(); // a stored run has requests and no error
    if (!ok && !report.error.startsWith(path))
        __builtin_trap(); // a refusal names the file
    if (ok)
        (void)importedResultFor(parsed, options, QStringLiteral("fuzz"));
}

} // namespace loadscope::fuzz
