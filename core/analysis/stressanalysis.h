#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

#include "analysis/usl.h"
#include "metrics/runmetrics.h"

namespace loadscope {

//! Per-interval bounds a stress run must stay within to count as "sustained".
struct StressLimits
{
    double p95LimitMs = 0;        //!< 0: 5 × the median p95 of the first intervals
    double errorRateLimit = 0.01; //!< fraction of failed requests
    int sustainIntervals = 3;     //!< consecutive intervals a throughput must hold for
    QString p95Source;            //!< the threshold expression the bound came from, if any
    QString errorRateSource;      //!< likewise for the error-rate bound

    //! Bounds from a run's thresholds: "p(95)<N" on http_req_duration and "rate<F" on
    //! http_req_failed (untagged); anything else keeps the defaults.
    static StressLimits fromThresholds(const QList<ThresholdResult> &thresholds);
};

//! The first bound a stress run crossed for good (two intervals in a row, or the last).
struct StressFailure
{
    QString metric; //!< "p95" or "errorRate"; empty when nothing failed
    int intervalIndex = -1;
    double tSec = 0;
    double load = 0; //!< VUs or iterations/s at that interval
    double value = 0;
    double limit = 0;
    QString errorClass; //!< the most frequent error class there (errorRate failures)
    QString description;
};

//! Breaking point of a STRESS_TEST run (DESIGN.md §2, §3.4).
struct StressAnalysis
{
    bool valid = false;
    QString message;         //!< what could not be determined and why
    bool loadIsRate = false; //!< load figures are iterations/s (open model), else VUs
    double p95LimitMs = 0;   //!< the bounds actually used
    double errorRateLimit = 0;

    double maxSustainedRps = 0; //!< highest throughput held for sustainIntervals within bounds
    int maxSustainedIndex = -1; //!< first interval of that window
    double maxSustainedLoad = 0;
    double maxSustainedP95Ms = 0;

    int kneeIndex = -1; //!< first interval where p95 left its early linear trend
    double kneeTSec = 0;
    double kneeLoad = 0;
    double kneeRps = 0;
    double kneeP95Ms = 0;
    double kneeExpectedP95Ms = 0; //!< what the early trend predicted there

    StressFailure firstFailure;
    QStringList failedThresholds; //!< expressions of the run's thresholds that failed
    UslFit usl;                   //!< throughput against concurrency (VUs, or λ·W when open)

    QJsonObject toJson() const;
};

//! Finds the highest sustained throughput within @p limits, the latency knee, what failed
//! first and the USL fit of a (stress) run's timeline.
StressAnalysis analyzeStress(const RunSummary &summary, const StressLimits &limits = {});

} // namespace loadscope
