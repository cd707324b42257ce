// Locust CSV import: any bytes, split at NUL bytes into PREFIX_stats.csv, _stats_history.csv and
// _failures.csv, either give a run with requests or a message that names the file; never a
// crash. The importer reads files, so the input is written to a temporary directory first.
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
    const QString prefix = dir.filePath(QStringLiteral("run"));
    const QList<QByteArray> parts = loadscope::fuzz::bytes(data, size).split('\0');
    const char *suffixes[] = {"_stats.csv", "_stats_history.csv", "_failures.csv"};
    for (int i = 0; i < 3; ++i) {
        QFile file(prefix + QLatin1String(suffixes[i]));
        if (i < parts.size()) {
            if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
                return 0;
            file.write(parts[i]);
        } else {
            file.remove();
        }
    }
    loadscope::ResultImportOptions options;
    options.format = loadscope::ImportFormat::LocustCsv;
    loadscope::ParsedResult parsed;
    loadscope::ImportReport report;
    const bool ok = loadscope::parseResultFile(prefix, options, &parsed, &report);
    if (ok && (parsed.summary.totals.requests <= 0 || !report.error.isEmpty()))
        __builtin_trap(); // a stored run has requests and no error
    if (!ok && !report.error.startsWith(prefix))
        __builtin_trap(); // a refusal names the file
    if (ok)
        (void)loadscope::importedResultFor(parsed, options, QStringLiteral("fuzz"));
    return 0;
}
