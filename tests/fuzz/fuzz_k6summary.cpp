// k6 end-of-test summary import (--summary-export and handleSummary data): any bytes either give
// a run with requests or a message that names the file; never a crash. The importer reads
// files, so the input is written to a temporary file first.
#include <cstddef>
#include <cstdint>

#include <QFile>
#include <QTemporaryDir>

#include "fuzzsupport.h"
#include "interop/resultimport.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    loadscope::fuzz::quietQt();
    static QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("summary.json"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return 0;
    file.write(loadscope::fuzz::bytes(data, size));
    file.close();
    loadscope::ResultImportOptions options;
    options.format = loadscope::ImportFormat::K6Summary;
    loadscope::ParsedResult parsed;
    loadscope::ImportReport report;
    const bool ok = loadscope::parseResultFile(path, options, &parsed, &report);
    if (ok && (parsed.summary.totals.requests <= 0 || !report.error.isEmpty()))
        __builtin_trap(); // a stored run has requests and no error
    if (!ok && !report.error.startsWith(path))
        __builtin_trap(); // a refusal names the file
    if (ok)
        (void)loadscope::importedResultFor(parsed, options, QStringLiteral("fuzz"));
    return 0;
}
