// nginx / Apache access logs (`import --format=nginx|apache|combined` and `plan import
// --format=access-log`): the first byte picks the dialect; for nginx and Apache the first line
// is the log_format / LogFormat and the rest the log, for combined all of it is the log. Any
// input gives a run, a replay plan that reads back, or refusals that say why.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "fuzzsupport.h"
#include "interop/accesslogimport.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace loadscope;
    if (size == 0)
        return 0;
    static const char *const names[] = {"combined", "nginx", "apache"};
    static const ImportFormat formats[] = {ImportFormat::Combined, ImportFormat::Nginx,
                                           ImportFormat::Apache};
    const int pick = data[0] % 3;
    ++data;
    --size;
    QString spec;
    if (pick != 0) {
        const auto *end = static_cast<const uint8_t *>(std::memchr(data, '\n', size));
        const size_t length = end ? size_t(end - data) : size;
        spec = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(length));
        data += end ? length + 1 : length;
        size -= end ? length + 1 : length;
    }
    fuzz::parseResultBytes(data, size, formats[pick], spec);

    QString error;
    const auto format = accessLogFormatFor(QLatin1String(names[pick]), spec, &error);
    if (!format) {
        if (error.isEmpty())
            __builtin_trap(); // a format refused must say why
        return 0;
    }
    const QString path = fuzz::scratchFile(data, size);
    const auto plan = replayPlanFromAccessLog(path, *format, 1.0, &error);
    if (!plan && error.isEmpty())
        __builtin_trap(); // a log refused must say why
    fuzz::checkImportedPlan(plan);
    return 0;
}
