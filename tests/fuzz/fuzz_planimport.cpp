// `plan import --format=auto`: the format detection (curl, HAR, Postman, OpenAPI) and the
// importer it picks.
#include <cstddef>
#include <cstdint>

#include "fuzzsupport.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    loadscope::fuzz::quietQt();
    const QByteArray input = loadscope::fuzz::bytes(data, size);
    (void)loadscope::detectPlanSource(input);
    loadscope::ImportOptions options;
    options.sourceName = QStringLiteral("fuzz");
    QString error;
    const auto imported = loadscope::importPlan(input, options, &error);
    if (!imported && error.isEmpty())
        __builtin_trap(); // a refusal must say why
    loadscope::fuzz::checkImportedPlan(imported);
    return 0;
}
