// k6 end-of-test summary import (--summary-export and handleSummary data): any bytes either give
// a run with requests or a message that names the file; never a crash. The importer reads
// files, so the input is written to a temporary file first.
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
    const QString path = dir.filePath(QStringLiteral("summary.json"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return 0;
    file.write(loadscope::fuzz::bytes(data, size));
    file.close();
    loadscope::fuzz::checkImport(path, loadscope::ImportFormat::K6Summary);
    return 0;
}
