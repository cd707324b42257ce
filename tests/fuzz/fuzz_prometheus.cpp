// Prometheus text exposition format, as a scraped target may serve it.
#include <cstddef>
#include <cstdint>

#include <QStringList>

#include "fuzzsupport.h"
#include "monitor/prometheusparser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    loadscope::fuzz::quietQt();
    QStringList warnings;
    const auto samples =
        loadscope::parsePrometheusText(loadscope::fuzz::bytes(data, size), &warnings);
    (void)loadscope::findPromSample(samples, QStringLiteral("process_cpu_seconds_total"), {});
    return 0;
}
