#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include "metrics/runmetrics.h"

namespace loadscope {

//! An interval whose value stands out from its neighbours.
struct Anomaly
{
    int intervalIndex = 0; //!< IntervalSample::index
    double tSec = 0;
    QString metric; //!< "p95", "errorRate" (a fraction) or "throughput"
    double value = 0;
    double median = 0;  //!< rolling median around the interval
    double robustZ = 0; //!< 0.6745·(value − median)/MAD (±inf when the window is flat)

    QJsonObject toJson() const;
};

//! How detectAnomalies() decides that an interval stands out.
struct AnomalyOptions
{
    int window = 15;        //!< intervals in the rolling window (centred, clipped at ends)
    double threshold = 3.5; //!< |robust z| above this is an anomaly
    double minRelativeDeviation = 0.2;   //!< p95/throughput must also differ by this share
    double minErrorRateDeviation = 0.01; //!< error rate must also differ by this (absolute)
};

//! Intervals whose p95 or error rate is high, or whose throughput is low, by a robust
//! z-score over a rolling median/MAD window; ordered by interval, then metric.
QList<Anomaly> detectAnomalies(const QList<IntervalSample> &timeline,
                               const AnomalyOptions &options = {});

//! Every anomaly as a JSON array.
QJsonArray anomaliesToJson(const QList<Anomaly> &anomalies);

} // namespace loadscope
