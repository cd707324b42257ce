// curl command lines as pasted (POSIX shell quoting, cmd.exe ^ escapes, several commands):
// the word splitter, the option reader and the plan import built on them.
#include <cstddef>
#include <cstdint>

#include <QString>

#include "fuzzsupport.h"
#include "interop/curlimport.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    loadscope::fuzz::quietQt();
    const QString text = QString::fromUtf8(loadscope::fuzz::bytes(data, size));
    QString error;
    (void)loadscope::splitShellWords(text, &error);
    (void)loadscope::importCurl(text, &error);
    loadscope::fuzz::checkImportedPlan(loadscope::importCurlPlan(text, &error));
    return 0;
}
