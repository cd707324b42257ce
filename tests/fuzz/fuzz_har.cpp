// HAR 1.1/1.2 recordings (JSON, BOM allowed) into a plan, correlations included.
#include <cstddef>
#include <cstdint>

#include "fuzzsupport.h"
#include "interop/harimport.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    loadscope::fuzz::quietQt();
    loadscope::ImportOptions options;
    options.format = loadscope::PlanSource::Har;
    options.sourceName = QStringLiteral("fuzz.har");
    QString error;
    loadscope::fuzz::checkImportedPlan(
        loadscope::importHar(loadscope::fuzz::bytes(data, size), options, &error));
    return 0;
}
