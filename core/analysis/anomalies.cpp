#include "anomalies.h"

#include <algorithm>
#include <cmath>

#include <QJsonArray>

#include "analysis/statistics.h"

namespace loadscope {
namespace {

struct Series
{
    QString metric;
    int direction; // +1: only high values matter, −1: only low ones
    bool absoluteFloor;
    QList<int> rows; // indexes into the timeline
    QList<double> values;
};

QJsonValue number(double v)
{
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null);
}

} // namespace

QJsonObject Anomaly::toJson() const
{
    return QJsonObject{
        {QStringLiteral("interval"), intervalIndex}, {QStringLiteral("t"), tSec},
        {QStringLiteral("metric"), metric},          {QStringLiteral("value"), value},
        {QStringLiteral("median"), median},          {QStringLiteral("robustZ"), number(robustZ)}};
}

QJsonArray anomaliesToJson(const QList<Anomaly> &anomalies)
{
    QJsonArray array;
    for (const Anomaly &a : anomalies)
        array.append(a.toJson());
    return array;
}

QList<Anomaly> detectAnomalies(const QList<IntervalSample> &timeline, const AnomalyOptions &o)
{
    Series p95{QStringLiteral("p95"), +1, false, {}, {}};
    Series errors{QStringLiteral("errorRate"), +1, true, {}, {}};
    Series rps{QStringLiteral("throughput"), -1, false, {}, {}};
    for (qsizetype r = 0; r < timeline.size(); ++r) {
        const IntervalSample &s = timeline[r];
        if (s.intervalSec <= 0)
            continue;
        // A stall (no requests at all) is a throughput anomaly but has no latency or errors.
        rps.rows.append(int(r));
        rps.values.append(s.throughputRps());
        if (s.overall.totals.requests <= 0)
            continue;
        errors.rows.append(int(r));
        errors.values.append(s.overall.totals.errorRate());
        if (s.overall.latency.count > 0) {
            p95.rows.append(int(r));
            p95.values.append(s.overall.latency.p95Ms);
        }
    }

    QList<Anomaly> found;
    const int window = std::max(3, o.window);
    for (const Series *series : {&p95, &errors, &rps}) {
        const int n = int(series->values.size());
        if (n < 5) // too few neighbours to say what is normal
            continue;
        const int w = std::min(window, n);
        for (int i = 0; i < n; ++i) {
            // Centred window, shifted at the ends so that it keeps w values.
            const int start = std::clamp(i - w / 2, 0, n - w);
            const QList<double> ref = series->values.mid(start, w);
            const double x = series->values[i];
            const double m = median(ref);
            const double z = robustZ(x, ref);
            const double deviation = (x - m) * series->direction;
            const double floor = series->absoluteFloor ? o.minErrorRateDeviation
                                                       : o.minRelativeDeviation * std::abs(m);
            if (z * series->direction > o.threshold && deviation > floor) {
                const IntervalSample &s = timeline[series->rows[i]];
                found.append({s.index, s.tSec, series->metric, x, m, z});
            }
        }
    }
    std::stable_sort(found.begin(), found.end(), [](const Anomaly &a, const Anomaly &b) {
        return a.intervalIndex < b.intervalIndex;
    });
    return found;
}

} // namespace loadscope
