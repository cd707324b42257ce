// k6 threshold expressions and metric selectors ("p(95)<200", "http_req_duration{name:x}").
#include <cstddef>
#include <cstdint>

#include <QString>

#include "fuzzsupport.h"
#include "plan/thresholdexpression.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    loadscope::fuzz::quietQt();
    const QString text = QString::fromUtf8(loadscope::fuzz::bytes(data, size));
    QString error;
    (void)loadscope::ThresholdExpression::parse(text, &error);
    (void)loadscope::parseMetric(text, &error);
    return 0;
}
