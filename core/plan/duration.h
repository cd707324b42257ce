#pragma once

#include <optional>

#include <QString>
#include <QStringView>

namespace loadscope {

//! Parses a k6/Go style duration ("30s", "1m30s", "500ms", "1.5h", "2d") into milliseconds.
//! A bare number ("30", "0.5") means seconds, as on the command line. Fractions are rounded
//! to the nearest millisecond. Negative values and unknown units are rejected with @p error.
std::optional<qint64> parseDurationMs(QStringView text, QString *error = nullptr);

//! Formats milliseconds as the shortest exact k6 duration string ("1m30s", "500ms", "0s").
QString formatDurationMs(qint64 ms);

} // namespace loadscope
