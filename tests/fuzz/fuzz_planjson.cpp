// Plan JSON reader and validator: any bytes either give a plan that validates, serializes and
// reads back the same, or a message; never a crash.
#include <cstddef>
#include <cstdint>

#include "fuzzsupport.h"
#include "plan/planjson.h"
#include "plan/planvalidator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    loadscope::fuzz::quietQt();
    QString error;
    const auto plan = loadscope::planFromJsonBytes(loadscope::fuzz::bytes(data, size), &error);
    if (!plan)
        return 0;
    (void)loadscope::validatePlan(*plan);
    const QByteArray written = loadscope::planToJsonBytes(*plan);
    const auto again = loadscope::planFromJsonBytes(written, &error);
    if (!again || loadscope::planToJsonBytes(*again) != written)
        __builtin_trap(); // the JSON form of a plan is lossless
    return 0;
}
