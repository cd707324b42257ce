#pragma once

#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>

#include "metrics/runmetrics.h"

namespace loadscope {

//! Universal Scalability Law fit X(N) = λN / (1 + σ(N−1) + κN(N−1)).
struct UslFit
{
    bool valid = false;
    QString message; //!< why the fit is not valid
    int points = 0;
    double lambda = 0; //!< throughput of one unit of concurrency
    double sigma = 0;  //!< contention (serialized share), in [0, 1]
    double kappa = 0;  //!< coherency (crosstalk) cost
    double r2 = 0;
    double peakConcurrency = qQNaN(); //!< N* = sqrt((1−σ)/κ); NaN when κ = 0 (no peak)
    double peakThroughput = qQNaN();  //!< X(N*)

    //! Predicted throughput at concurrency @p n.
    double at(double n) const;
    QJsonObject toJson() const;
};

//! Least-squares USL fit of (N, X) points: a grid over σ and κ (λ solved in closed form for
//! each), refined by a pattern search. Needs three distinct N > 0.
UslFit fitUsl(const QList<QPair<double, double>> &points);

//! The intervals of a run grouped by load level (active VUs, or the planned rate).
struct LoadLevel
{
    double load = 0; //!< VUs, or iterations/s for open models
    int intervals = 0;
    double throughputRps = 0; //!< mean over the level's intervals
    double meanMs = 0;        //!< request-weighted mean latency
    double p95Ms = 0;         //!< median of the intervals' p95
    qint64 requests = 0;
    qint64 errors = 0;
    double errorRate() const { return requests > 0 ? double(errors) / double(requests) : 0.0; }
};

//! Groups intervals with requests by activeVus (closed) or plannedTarget (@p byPlannedTarget
//! or activeVus 0), ordered by load; levels closer than 2 % are merged into one.
QList<LoadLevel> loadLevels(const QList<IntervalSample> &timeline, bool byPlannedTarget);

} // namespace loadscope
