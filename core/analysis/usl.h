#pragma once

#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>

#include "metrics/runmetrics.h"

namespace loadscope {

//! Universal Scalability Law fit X(N) = λN / (1 + σ(N−1) + κN(N−1)), fitted by bounded
//! Levenberg–Marquardt (λ > 0, σ ∈ [0, 1], κ ≥ 0) over one point per steady load level.
//!
//! Invariants: `valid` means the curve describes the points (enough distinct levels, R² at
//! least kMinR2); `peakReported` additionally means the data supports a peak: κ > 0 and N*
//! within kMaxPeakExtrapolation × the highest measured N. Otherwise `message` says why and
//! peakConcurrency / peakThroughput are NaN (null in JSON).
struct UslFit
{
    static constexpr int kMinLevels = 4;                 //!< three parameters + one residual
    static constexpr double kMinR2 = 0.9;                //!< below it the fit is "poor"
    static constexpr double kMaxPeakExtrapolation = 2.0; //!< N* at most this × the largest N

    bool valid = false;
    bool peakReported = false;
    QString message; //!< why the fit is not valid, or why no peak is reported
    int points = 0;
    int distinctLevels = 0;
    double lambda = 0; //!< throughput of one unit of concurrency
    double sigma = 0;  //!< contention (serialized share), in [0, 1]
    double kappa = 0;  //!< coherency (crosstalk) cost, ≥ 0
    double r2 = 0;
    double residualRms = 0;         //!< root mean square residual, req/s
    double relativeResidualRms = 0; //!< residualRms / mean throughput
    double maxMeasuredConcurrency = 0;
    int iterations = 0;               //!< Levenberg–Marquardt iterations taken
    double peakConcurrency = qQNaN(); //!< N* = sqrt((1−σ)/κ), when peakReported
    double peakThroughput = qQNaN();  //!< X(N*), when peakReported

    //! Predicted throughput at concurrency @p n.
    double at(double n) const;
    QJsonObject toJson() const;
};

//! Fits the USL to (N, X) points (N > 0). Starts from the best of a coarse σ/κ grid (λ in
//! closed form for each), then runs bounded Levenberg–Marquardt on all three parameters.
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
