#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include "metrics/runmetrics.h"

namespace loadscope {

//! How compareRuns() separates a real change from noise (DESIGN.md §3.4).
//!
//! The noise model of a metric's change between two runs has two parts: the sampling error
//! of each run's figure, from its per-interval values with their autocorrelation taken into
//! account (effective sample size), and the run-to-run spread of the same plan on the same
//! target, which on a shared machine is the larger one. The spread comes from earlier runs of
//! the plan when there are at least minHistoryRuns of them, else from the default*Pct figures
//! below; either way it is at least the interval-to-interval spread (standard deviation of
//! the log values; of the values in points for error rates) of either run: a machine whose load
//! moves the figures between seconds moves them between runs as much. The change (the log of the
//! candidate-to-baseline ratio for latencies and throughput, whose noise grows with their level;
//! percentage points for error rates) is tested two-sided by its t score (Welch–Satterthwaite
//! degrees of freedom) and the p-values of the key metrics are Holm–Bonferroni adjusted as one
//! family.
struct ComparisonOptions
{
    double noiseFloorPct = 5.0;     //!< relative changes at or under this are noise
    double errorRateFloorPct = 0.5; //!< error rate: absolute floor in percentage points
    double alpha = 0.05;            //!< family-wise significance level (after Holm)
    int minIntervals = 10;          //!< fewer intervals with requests on a side: inconclusive
    double minDurationSec = 5.0;    //!< a shorter run: inconclusive
    //! Latencies: changes smaller than this many milliseconds are noise whatever their
    //! relative size (a Server-Timing component going from 0.12 to 0.17 ms is not a finding).
    double absoluteFloorMs = 0.1;
    bool holm = true;       //!< Holm–Bonferroni over the key metrics (and over the others)
    int minHistoryRuns = 3; //!< earlier runs needed to measure the run-to-run spread
    //! Run-to-run spread (one standard deviation, relative) assumed without enough history, as
    //! a floor under the runs' own interval-to-interval spread. On a busy machine the interval
    //! spread decides: measured on the 2-core development machine loaded by parallel builds,
    //! p95 of 10 s runs of one plan moved by 15–30 % between runs, and so it did between
    //! intervals of a run (tests/data/verdicts/README.md). On a quiet machine this default
    //! decides, and it sets what can be seen: the difference of two runs has a standard
    //! deviation of √2·3 % = 4.2 %, Holm over the four key metrics asks |t| > 2.5, so a change
    //! of 11 % (e^(2.5·0.042) − 1) is the least that can count and a 20 % one is seen about 99 % of
    //! the time; at 5 % (the earlier default) the least was 17.7 % and a 20 % change was missed
    //! about half the time. A system whose runs really move by 5 % gets measured spread after three
    //! runs; until then the noise floor (noiseFloorPct) still keeps changes of 5 % or less quiet.
    double defaultRunToRunPct = 3.0;      //!< p50, p90, p95, throughput, Server-Timing, endpoints
    double defaultTailRunToRunPct = 12.0; //!< p99
    double defaultMaxRunToRunPct = 30.0;  //!< max: one request decides it
    double defaultErrorRateRunToRunPp = 0.25; //!< error rates, in percentage points
    //! Latencies below a millisecond move by scheduler noise more than by percent: the spread
    //! assumed is at least this many milliseconds.
    double defaultRunToRunMs = 0.05;
};

//! One run as compareRuns() needs it.
struct RunForComparison
{
    qint64 id = 0;
    QString label;           //!< shown in reports, e.g. "#12 v1.4.2"
    QString planFingerprint; //!< planFingerprint() of the plan as run; "" when unknown
    RunSummary summary;      //!< its timeline's intervals are the samples for the test
};

//! The change of one metric from the baseline to a candidate.
struct MetricDelta
{
    enum Verdict
    {
        Regression,
        Improvement,
        NoSignificantChange,
        Insufficient, //!< a side has no data for this metric
        //! The runs cannot support a verdict: a run is untrustworthy (generator saturated,
        //! too short, too few intervals), so no regression or improvement is claimed.
        Inconclusive
    };

    //! "throughput", "errorRate", "p50"…"max", "server_timing:NAME p95", "endpoint:NAME p95"
    QString metric;
    QString unit; //!< "ms", "req/s" or "%" (error rates are in percent)
    bool higherIsBetter = false;
    bool key = false; //!< p95, p99, throughput or errorRate: decides the overall verdict
    double base = 0;
    double candidate = 0;
    double absDelta = 0;        //!< candidate − base
    double relDeltaPct = 0;     //!< 100·absDelta/base (0 when base is 0 and nothing changed)
    double pValue = qQNaN();    //!< two-sided p of the change under the noise model; NaN: untested
    double pAdjusted = qQNaN(); //!< pValue after Holm–Bonferroni over its family (key or not)
    double runToRun = qQNaN();  //!< run-to-run spread assumed: % (pp for error rates)
    bool runToRunFromHistory = false;  //!< runToRun measured over earlier runs, not the default
    double standardError = qQNaN();    //!< of the change, in % (pp for error rates)
    double effectiveIntervalsBase = 0; //!< effective independent intervals of the baseline
    double effectiveIntervalsCandidate = 0;
    Verdict verdict = Insufficient;

    QJsonObject toJson() const;
};

//! "regression", "improvement", "no significant change", "insufficient data" or "inconclusive".
QString verdictName(MetricDelta::Verdict verdict);

//! Identity of a compared run, without its data.
struct ComparedRun
{
    qint64 id = 0;
    QString label;
    //! Why this run cannot support a verdict (generator saturated, too short, too few
    //! intervals, failed); empty when it can.
    QStringList untrustworthy;
};

//! Why @p run cannot support a verdict under @p options; empty when it can.
QStringList untrustworthyReasons(const RunSummary &run, const ComparisonOptions &options);

//! compareRuns()'s result: per candidate, one MetricDelta per metric.
struct RunComparison
{
    ComparedRun baseline;
    QList<ComparedRun> candidates;
    QList<QList<MetricDelta>> perCandidate;        //!< same order as candidates
    QList<MetricDelta::Verdict> candidateVerdicts; //!< overall verdict per candidate
    QList<QStringList> inconclusiveReasons;        //!< per candidate; empty unless Inconclusive
    //! Per candidate: the metrics a side lacks (an aggregated import gives fewer), each as
    //! "p99 (not in #13)": listed, not compared.
    QList<QStringList> notCompared;
    //! "#13: percentiles as given by Locust ..." for each run whose figures came from an
    //! aggregated source rather than from histograms.
    QStringList givenFigures;
    int historyRuns = 0; //!< earlier runs the run-to-run spread was measured over (0: defaults)
    bool samePlan = true;
    QString planNote; //!< says which runs were of a different plan; empty when samePlan
    MetricDelta::Verdict overall = MetricDelta::NoSignificantChange; //!< worst over candidates
    ComparisonOptions options;

    QJsonObject toJson() const;
    //! One Markdown table per candidate, the plan note and the verdicts.
    QString toMarkdown() const;
    //! Plain aligned text for a terminal.
    QString toText() const;
};

//! Compares each candidate with @p baseline. A candidate is Inconclusive when it or the
//! baseline is untrustworthy (untrustworthyReasons()); else Regression when a key metric
//! regressed, else Improvement when one improved. A metric changes significantly when its
//! change is beyond the noise floors AND its Holm-adjusted p under the noise model
//! (ComparisonOptions) is < alpha. @p earlierRuns are stored summaries (the "result" object of
//! the JSON result, as the history keeps it) of earlier completed runs of the same plan: their
//! spread is the run-to-run noise when there are options.minHistoryRuns trustworthy ones.
RunComparison compareRuns(const RunForComparison &baseline,
                          const QList<RunForComparison> &candidates,
                          const ComparisonOptions &options = {},
                          const QList<QJsonObject> &earlierRuns = {});

//! Whether a stored summary (@p summary, the "result" object) may serve the noise model: a
//! completed, trustworthy run.
bool usableForNoiseModel(const QJsonObject &summary);

//! SHA-1 (hex) of @p plan without the keys that do not change what is run
//! ("name", "description", "versionLabel", "id", "createdAt", "updatedAt").
QString planFingerprint(const QJsonObject &plan);

} // namespace loadscope
