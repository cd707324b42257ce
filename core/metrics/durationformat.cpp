#include "metrics/durationformat.h"

#include <cmath>

namespace loadscope {
namespace {

//! @p value rounded to three significant digits (0 stays 0).
double roundSignificant(double value)
{
    if (value == 0)
        return 0;
    const double magnitude = std::floor(std::log10(std::abs(value)));
    const double scale = std::pow(10.0, 2 - magnitude);
    return std::round(value * scale) / scale;
}

QString withDigits(double value, const char *unit)
{
    const double a = std::abs(value);
    const int decimals = a >= 100 ? 0 : a >= 10 ? 1 : 2;
    return QString::number(value, 'f', decimals) + QLatin1Char(' ') + QString::fromUtf8(unit);
}

} // namespace

QString formatDurationUs(double us)
{
    if (!std::isfinite(us))
        return QStringLiteral("–");
    // Round first so that 999.7 µs reads "1.00 ms", not "1000 µs".
    const double r = roundSignificant(us);
    const double a = std::abs(r);
    if (a < 1000) {
        if (r == std::round(r))
            return QString::number(qint64(r)) +
                   QStringLiteral(" µs"); // histogram values are whole µs
        return withDigits(r, "µs");
    }
    if (a < 1'000'000)
        return withDigits(r / 1000.0, "ms");
    return withDigits(r / 1'000'000.0, "s");
}

QString formatDurationMs(double ms)
{
    return formatDurationUs(ms * 1000.0);
}

std::optional<double> relativeChangePct(double beforeMs, double afterMs)
{
    if (!std::isfinite(beforeMs) || !std::isfinite(afterMs))
        return std::nullopt;
    // Half a step of slack: values arrive as doubles converted from whole µs.
    const double slack = kTimeResolutionMs * 1.5;
    if (std::abs(beforeMs) < kTimeResolutionMs / 2 || std::abs(afterMs - beforeMs) < slack)
        return std::nullopt;
    return 100.0 * (afterMs - beforeMs) / beforeMs;
}

QString formatTimeChange(double beforeMs, double afterMs)
{
    if (const auto pct = relativeChangePct(beforeMs, afterMs))
        return (*pct >= 0 ? QStringLiteral("+") : QString()) + QString::number(*pct, 'f', 1) +
               QStringLiteral(" %");
    if (!std::isfinite(beforeMs) || !std::isfinite(afterMs))
        return QStringLiteral("–");
    const double diff = afterMs - beforeMs;
    if (std::abs(diff) < kTimeResolutionMs / 2)
        return QStringLiteral("±0 µs");
    return (diff > 0 ? QStringLiteral("+") : QString()) + formatDurationMs(diff);
}

} // namespace loadscope
