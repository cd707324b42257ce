#pragma once

#include <cmath>

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QLocale>
#include <QString>

// Internal helpers shared by the result writers (resultwriters.cpp, resultreports.cpp): reading
// the result document tolerantly and formatting its numbers the same way in every output.

namespace loadscope::resultformat {

inline QString key(const char *name)
{
    return QLatin1String(name);
}

//! The "result" object of a result document.
inline QJsonObject result(const QJsonObject &document)
{
    return document.value(key("result")).toObject();
}

//! The plan name of the document, or a placeholder when it has none.
inline QString planName(const QJsonObject &document)
{
    const QString name = document.value(key("test")).toObject().value(key("name")).toString();
    return name.isEmpty() ? QStringLiteral("unnamed test") : name;
}

//! Shortest text that reads back as the same double, in fixed notation ("" for non-numbers).
inline QString exact(const QJsonValue &value)
{
    if (!value.isDouble())
        return {};
    return QString::number(value.toDouble(), 'f', QLocale::FloatingPointShortest);
}

//! @p value rounded to three decimals, without trailing zeros ("250.3", "1000000").
inline QString shortNumber(double value)
{
    const double rounded = std::round(value * 1000.0) / 1000.0;
    return QString::number(rounded == 0 ? 0.0 : rounded, 'f', QLocale::FloatingPointShortest);
}

//! @p value with a fixed number of decimals, "–" when absent.
inline QString fixed(const QJsonValue &value, int decimals)
{
    if (!value.isDouble())
        return QStringLiteral("–");
    return QString::number(value.toDouble(), 'f', decimals);
}

//! A fraction as a percentage with two decimals ("1.25 %").
inline QString percent(const QJsonValue &value)
{
    if (!value.isDouble())
        return QStringLiteral("–");
    return QString::number(value.toDouble() * 100.0, 'f', 2) + QStringLiteral(" %");
}

//! Bytes with k6's decimal units ("12 kB", "3.4 MB").
inline QString bytes(const QJsonValue &value)
{
    if (!value.isDouble())
        return QStringLiteral("–");
    double v = value.toDouble();
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
    int unit = 0;
    while (std::abs(v) >= 1000.0 && unit < 4) {
        v /= 1000.0;
        ++unit;
    }
    return (unit == 0 ? QString::number(v, 'f', 0) : QString::number(v, 'f', 1)) +
           QLatin1Char(' ') + QLatin1String(units[unit]);
}

//! "p(95)<200 on http_req_duration: observed 250.3" (or ": <error>" when not evaluated).
inline QString thresholdLine(const QJsonObject &t)
{
    const QString head = t.value(key("expression")).toString() + QStringLiteral(" on ") +
                         t.value(key("metric")).toString() + QStringLiteral(": ");
    const QString error = t.value(key("error")).toString();
    if (!error.isEmpty())
        return head + error;
    return head + QStringLiteral("observed ") + shortNumber(t.value(key("value")).toDouble());
}

//! True when every threshold passed (also when there are none).
inline bool thresholdsPassed(const QJsonArray &thresholds)
{
    for (const QJsonValue &t : thresholds) {
        if (!t.toObject().value(key("passed")).toBool())
            return false;
    }
    return true;
}

//! Latency columns of the reports: JSON key and heading.
struct LatencyColumn
{
    const char *key;
    const char *heading;
};

inline constexpr LatencyColumn kLatencyColumns[] = {
    {"min", "min"}, {"avg", "avg"}, {"p50", "p50"},    {"p90", "p90"},
    {"p95", "p95"}, {"p99", "p99"}, {"p999", "p99.9"}, {"max", "max"}};

} // namespace loadscope::resultformat
