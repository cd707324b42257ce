#include "trend.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <QJsonArray>

#include "analysis/statistics.h"

namespace loadscope {

QJsonObject TrendAnalysis::toJson() const
{
    QJsonArray pts;
    for (const TrendPoint &p : points)
        pts.append(QJsonObject{{QStringLiteral("resultId"), p.resultId},
                               {QStringLiteral("at"), p.at.toString(Qt::ISODateWithMs)},
                               {QStringLiteral("versionLabel"), p.versionLabel},
                               {QStringLiteral("value"), p.value}});
    QJsonObject json{{QStringLiteral("points"), pts}};
    if (hasChangePoint()) {
        const TrendPoint &p = points[changeIndex];
        json.insert(QStringLiteral("changePoint"),
                    QJsonObject{{QStringLiteral("index"), changeIndex},
                                {QStringLiteral("resultId"), p.resultId},
                                {QStringLiteral("versionLabel"), p.versionLabel},
                                {QStringLiteral("meanBefore"), meanBefore},
                                {QStringLiteral("meanAfter"), meanAfter},
                                {QStringLiteral("shiftPct"), shiftPct},
                                {QStringLiteral("pValue"), pValue}});
    } else {
        json.insert(QStringLiteral("changePoint"), QJsonValue::Null);
    }
    return json;
}

TrendAnalysis analyzeTrend(QList<TrendPoint> points, const TrendOptions &options)
{
    std::stable_sort(points.begin(), points.end(),
                     [](const TrendPoint &a, const TrendPoint &b) { return a.at < b.at; });
    TrendAnalysis result;
    result.points = points;
    const int n = int(points.size());
    const int minSeg = std::max(2, options.minSegment);
    if (n < 2 * minSeg)
        return result;

    QList<double> values;
    for (const TrendPoint &p : points)
        values.append(p.value);

    int best = -1;
    double bestScore = -1;
    for (int k = minSeg; k <= n - minSeg; ++k) {
        const QList<double> before = values.mid(0, k);
        const QList<double> after = values.mid(k);
        const double diff = std::abs(mean(after) - mean(before));
        const double sb = stddev(before);
        const double sa = stddev(after);
        const double pooled = std::sqrt(((k - 1) * sb * sb + (n - k - 1) * sa * sa) / (n - 2));
        const double score =
            pooled > 0 ? diff / pooled : (diff > 0 ? std::numeric_limits<double>::max() : 0);
        if (score > bestScore) {
            bestScore = score;
            best = k;
        }
    }
    if (best < 0)
        return result;

    const QList<double> before = values.mid(0, best);
    const QList<double> after = values.mid(best);
    const double mb = mean(before);
    const double ma = mean(after);
    const double shift = mb != 0 ? 100.0 * (ma - mb) / std::abs(mb) : (ma != 0 ? qInf() : 0.0);
    const double p = mannWhitneyU(before, after).pValue;
    result.pValue = p;
    result.meanBefore = mb;
    result.meanAfter = ma;
    result.shiftPct = shift;
    if (p < options.alpha && std::abs(shift) > options.noiseFloorPct)
        result.changeIndex = best;
    return result;
}

} // namespace loadscope
