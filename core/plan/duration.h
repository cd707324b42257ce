#pragma once

#include <optional>

#include <QString>
#include <QStringView>

namespace loadscope {

//! The longest duration parseDurationMs() accepts: 100 years (keeps every sum of stages far
//! from qint64 overflow). A plan holding a longer one cannot be read back.
constexpr qint64 kMaxDurationMs = qint64(100) * 365 * 24 * 3600 * 1000;

//! Parses a k6/Go style duration ("30s", "1m30s", "500ms", "1.5h", "2d") into milliseconds.
//! A bare number ("30", "0.5") means seconds, as on the command line. Fractions are rounded
//! to the nearest millisecond. Negative values and unknown units are rejected with @p error.
std::optional<qint64> parseDurationMs(QStringView text, QString *error = nullptr);

//! Formats milliseconds as the shortest exact k6 duration string ("1m30s", "500ms", "0s").
QString formatDurationMs(qint64 ms);

} // namespace loadscope
