// OpenAPI 3.0/3.1 documents, JSON or YAML (yaml-cpp), into a plan: $ref resolution, examples
// and bodies generated from schemas.
#include <cstddef>
#include <cstdint>

#include "fuzzsupport.h"
#include "interop/openapiimport.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    loadscope::fuzz::quietQt();
    QString error;
    loadscope::fuzz::checkImportedPlan(
        loadscope::importOpenApi(loadscope::fuzz::bytes(data, size), &error));
    return 0;
}
