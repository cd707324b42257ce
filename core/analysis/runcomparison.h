#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

#include "metrics/runmetrics.h"

namespace loadscope {

//! How compareRuns() separates a real change from noise.
struct ComparisonOptions
{
    double noiseFloorPct = 5.0;     //!< relative changes at or under this are noise
    double errorRateFloorPct = 0.5; //!< error rate: absolute floor in percentage points
    double alpha = 0.05;            //!< significance level of the Mann–Whitney test
    int minIntervals = 5;           //!< fewer per-interval samples on a side: no test
    double untestedFactor = 3.0;    //!< untested changes must exceed this × the floor
    //! Latencies: changes smaller than this many milliseconds are noise whatever their
    //! relative size (a Server-Timing component going from 0.12 to 0.17 ms is not a finding).
    double absoluteFloorMs = 0.1;
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
        Insufficient //!< a side has no data for this metric
    };

    //! "throughput", "errorRate", "p50"…"max", "server_timing:NAME p95", "endpoint:NAME p95"
    QString metric;
    QString unit; //!< "ms", "req/s" or "%" (error rates are in percent)
    bool higherIsBetter = false;
    bool key = false; //!< p95, p99, throughput or errorRate: decides the overall verdict
    double base = 0;
    double candidate = 0;
    double absDelta = 0;     //!< candidate − base
    double relDeltaPct = 0;  //!< 100·absDelta/base (0 when base is 0 and nothing changed)
    double pValue = qQNaN(); //!< Mann–Whitney over per-interval values; NaN when not tested
    Verdict verdict = Insufficient;

    QJsonObject toJson() const;
};

//! "regression", "improvement", "no significant change" or "insufficient data".
QString verdictName(MetricDelta::Verdict verdict);

//! Identity of a compared run, without its data.
struct ComparedRun
{
    qint64 id = 0;
    QString label;
};

//! compareRuns()'s result: per candidate, one MetricDelta per metric.
struct RunComparison
{
    ComparedRun baseline;
    QList<ComparedRun> candidates;
    QList<QList<MetricDelta>> perCandidate;        //!< same order as candidates
    QList<MetricDelta::Verdict> candidateVerdicts; //!< overall verdict per candidate
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

//! Compares each candidate with @p baseline. The overall verdict of a candidate is
//! Regression when a key metric regressed, else Improvement when one improved. A metric
//! changes significantly when its change is beyond the noise floor AND either the
//! Mann–Whitney p over per-interval values is < alpha, or (fewer than minIntervals samples
//! on a side) the change exceeds untestedFactor × the floor.
RunComparison compareRuns(const RunForComparison &baseline,
                          const QList<RunForComparison> &candidates,
                          const ComparisonOptions &options = {});

//! SHA-1 (hex) of @p plan without the keys that do not change what is run
//! ("name", "description", "versionLabel", "id", "createdAt", "updatedAt").
QString planFingerprint(const QJsonObject &plan);

} // namespace loadscope
