#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

#include "analysis/usl.h"
#include "metrics/runmetrics.h"

namespace loadscope {

//! Bounds a stress run must stay within for a load level to count as "sustained".
struct StressLimits
{
    double p95LimitMs = 0;        //!< 0: 5 × the median p95 of the low-load band
    double errorRateLimit = 0.01; //!< fraction of failed requests
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

//! One load level of a stress run: consecutive intervals at one planned load (steady), or a
//! single interval during which the planned load changed (a ramp).
struct StressLevel
{
    double load = 0;    //!< VUs, or iterations/s for open models (the plan's value)
    double offered = 0; //!< open models: iterations/s asked for (the mean over a ramp)
    //! The lower end of a ramp (the load itself when steady): what completions must reach to
    //! count as met, since the plan's shape inside an interval is not known.
    double offeredFloor = 0;
    bool steady = false;
    int firstIndex = -1;      //!< first interval used
    int intervals = 0;        //!< intervals used (a settling first one is left out)
    double throughputRps = 0; //!< requests/s, mean over the intervals used
    double iterationRps = 0;  //!< completed iterations/s, mean over the intervals used
    double p95Ms = 0;         //!< the highest interval p95 among those used
    double meanMs = 0;        //!< request-weighted mean latency
    double errorRate = 0;
    bool sustained = false; //!< met the offered load within the bounds
    QJsonObject toJson() const;
};

//! Breaking point of a STRESS_TEST run (DESIGN.md §2, §3.4).
//!
//! Rules (also written into the result as text):
//! - low-load band: median m and raw MAD of the interval p95s over the lowest load levels
//!   (at least one level, more until 4 intervals, at most a third of the levels);
//! - knee: the first load level above the band's loads whose median interval p95 > m +
//!   max(4 · 1.4826 · MAD, m, 2 ms) or whose error rate > the band's + 1 %, over two
//!   intervals or more (a one-interval level counts with the next), after which no level at
//!   that load or higher comes back inside the band;
//! - sustained: a level whose error rate and worst p95 are within the limits and, in open
//!   models, whose completed iterations reach 95 % of the offered rate; the maximum is the
//!   highest throughput among them.
struct StressAnalysis
{
    static constexpr double kKneeMadFactor = 4.0;     //!< band + k·σ̂ (σ̂ = 1.4826·MAD)
    static constexpr double kKneeRelativeFloor = 1.0; //!< … and at least + this × median
    static constexpr double kKneeAbsoluteFloorMs = 2.0;
    static constexpr double kKneeErrorFloor = 0.01; //!< error-rate rise over the band
    static constexpr double kMetOfferedShare = 0.95;

    bool valid = false;
    QString message;         //!< what could not be determined and why
    bool loadIsRate = false; //!< load figures are iterations/s (open model), else VUs
    double p95LimitMs = 0;   //!< the bounds actually used
    double errorRateLimit = 0;

    double bandMedianP95Ms = 0; //!< low-load band
    double bandMadP95Ms = 0;
    double bandErrorRate = 0;
    double bandMaxLoad = 0; //!< highest load in the band
    int bandIntervals = 0;
    double kneeLimitMs = 0; //!< p95 above this leaves the band
    QString kneeRule;
    QString sustainedRule;

    double maxSustainedRps = 0; //!< highest throughput of a sustained level
    int maxSustainedIndex = -1; //!< first interval of that level
    double maxSustainedLoad = 0;
    double maxSustainedOffered = 0;
    double maxSustainedP95Ms = 0;

    int kneeIndex = -1; //!< first interval of the knee level (see the rules above)
    QString kneeMetric; //!< "p95" or "errorRate"
    double kneeTSec = 0;
    double kneeLoad = 0;
    double kneeOffered = 0;
    double kneeRps = 0;
    double kneeP95Ms = 0; //!< median interval p95 of the knee level
    double kneeErrorRate = 0;
    double kneeExpectedP95Ms = 0; //!< the band's median p95

    StressFailure firstFailure;
    QStringList failedThresholds; //!< expressions of the run's thresholds that failed
    QList<StressLevel> levels;    //!< in time order
    UslFit usl;                   //!< over steady levels: VUs, or Little's law X·W when open

    QJsonObject toJson() const;
};

//! The load levels of a run's timeline (see StressLevel), in time order.
QList<StressLevel> stressLevels(const QList<IntervalSample> &timeline, bool openModel);

//! Finds the low-load band, the knee, the highest sustained throughput within @p limits, what
//! failed first and the USL fit of a (stress) run's timeline.
StressAnalysis analyzeStress(const RunSummary &summary, const StressLimits &limits = {});

} // namespace loadscope
