#include "decimate.h"

#include <cmath>

namespace loadscope {

DecimatedSeries decimateMinMax(const QVector<double> &keys, const QVector<double> &values,
                               int columns)
{
    Q_ASSERT(keys.size() == values.size());
    const qsizetype n = std::min(keys.size(), values.size());
    if (columns < 1 || n <= 2 * qsizetype(columns))
        return {keys.mid(0, n), values.mid(0, n)};

    DecimatedSeries out;
    out.keys.reserve(2 * columns);
    out.values.reserve(2 * columns);
    const double first = keys.at(0);
    const double span = keys.at(n - 1) - first;
    qsizetype i = 0;
    while (i < n) {
        // The bucket of point i, and its end: every following point with the same bucket.
        const auto bucketOf = [&](double key) {
            const int b = span > 0 ? int((key - first) / span * columns) : 0;
            return std::min(b, columns - 1);
        };
        const int bucket = bucketOf(keys.at(i));
        qsizetype minAt = -1;
        qsizetype maxAt = -1;
        qsizetype nanAt = -1;
        for (; i < n && bucketOf(keys.at(i)) == bucket; ++i) {
            const double v = values.at(i);
            if (std::isnan(v)) {
                if (nanAt < 0)
                    nanAt = i;
                continue;
            }
            if (minAt < 0 || v < values.at(minAt))
                minAt = i;
            if (maxAt < 0 || v > values.at(maxAt))
                maxAt = i;
        }
        if (minAt < 0) {
            out.keys.append(keys.at(nanAt));
            out.values.append(values.at(nanAt));
            continue;
        }
        const qsizetype a = std::min(minAt, maxAt);
        const qsizetype b = std::max(minAt, maxAt);
        out.keys.append(keys.at(a));
        out.values.append(values.at(a));
        if (b != a) {
            out.keys.append(keys.at(b));
            out.values.append(values.at(b));
        }
    }
    return out;
}

} // namespace loadscope
