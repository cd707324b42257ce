#pragma once

#include <optional>

#include <QString>

// One way to print a time everywhere (CLI, history, GUI, reports): the unit is picked so that
// three significant digits show, from 0 µs up to hours, and a change is printed as a
// percentage only when it is larger than what the latency histogram can resolve.
namespace loadscope {

//! The smallest time step the latency histogram resolves, in milliseconds (1 µs).
inline constexpr double kTimeResolutionMs = 0.001;

//! @p ms as "0 µs", "3 µs", "2.50 µs", "12.3 µs", "250 µs", "1.23 ms", "45.6 ms", "312 ms",
//! "1.23 s", "12.3 s", "3600 s": µs below 1 ms, ms below 1 s, s above; three significant
//! digits (whole µs without decimals). "–" for NaN or infinity.
QString formatDurationMs(double ms);
//! The same for a value in microseconds.
QString formatDurationUs(double us);

//! Relative change from @p beforeMs to @p afterMs in percent, or nullopt when it would not
//! be a measurement: the baseline is below the histogram's resolution (e.g. 0 µs), or the
//! change is at most one resolution step (1 µs), which quantization alone can produce.
std::optional<double> relativeChangePct(double beforeMs, double afterMs);

//! A change for tables: "+12.3 %" when relativeChangePct() has a value, else the absolute
//! difference ("+3 µs", "±0 µs") so that nothing reads as "+100 %" between 0 and 1 µs.
QString formatTimeChange(double beforeMs, double afterMs);

} // namespace loadscope
