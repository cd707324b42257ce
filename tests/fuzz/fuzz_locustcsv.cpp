// Locust CSV import: any bytes, split at NUL bytes into PREFIX_stats.csv, _stats_history.csv and
// _failures.csv, either give a run with requests or a message that names the file; never a
// crash. The importer reads files, so the input is written to a temporary directory first.
#include <cstddef>
#include <cstdint>

#include <QFile>
#include <QTemporaryDir>

#include "fuzzimport.h"
#include "fuzzsupport.h"

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
    loadscope::fuzz::checkImport(prefix, loadscope::ImportFormat::LocustCsv);
    return 0;
}
