// Postman collections v2.1 into a plan. The input is split at the first NUL byte: the
// collection, then (when present) an exported environment that overrides its variables.
#include <cstddef>
#include <cstdint>

#include "fuzzsupport.h"
#include "interop/postmanimport.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    loadscope::fuzz::quietQt();
    const QByteArray input = loadscope::fuzz::bytes(data, size);
    const qsizetype split = input.indexOf('\0');
    const QByteArray collection = split < 0 ? input : input.left(split);
    const QByteArray environment = split < 0 ? QByteArray() : input.mid(split + 1);
    QString error;
    loadscope::fuzz::checkImportedPlan(loadscope::importPostman(collection, &error, environment));
    return 0;
}
