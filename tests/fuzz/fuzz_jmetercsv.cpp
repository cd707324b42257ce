// JMeter JTL CSV results (with a header or in the default column order): any file gives a run or a
// refusal that says why.
#include <cstddef>
#include <cstdint>

#include "fuzzsupport.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    loadscope::fuzz::parseResultBytes(data, size, loadscope::ImportFormat::JmeterCsv);
    return 0;
}
