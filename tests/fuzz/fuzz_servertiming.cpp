// Server-Timing response header values, as a server may send them.
#include <cstddef>
#include <cstdint>

#include "engine/servertiming.h"
#include "fuzzsupport.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    loadscope::fuzz::quietQt();
    const QByteArray header = loadscope::fuzz::bytes(data, size);
    (void)loadscope::parseServerTiming(QByteArrayView(header));
    return 0;
}
