#pragma once

#include <array>
#include <optional>

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>

#include "metrics/errorclass.h"
#include "metrics/latencyhistogram.h"
#include "metrics/runstatus.h"

namespace loadscope {

//! Percentiles and moments of a latency histogram, in milliseconds (DESIGN.md §4.1 names).
struct LatencyStats
{
    qint64 count = 0;
    double minMs = 0, meanMs = 0, stddevMs = 0, p50Ms = 0, p90Ms = 0, p95Ms = 0, p99Ms = 0,
           p999Ms = 0, maxMs = 0;

    //! The statistics of @p histogram (all zero when it is empty).
    static LatencyStats fromHistogram(const LatencyHistogram &histogram);
    //! {"min","avg","max","p50","p90","p95","p99","p999"} (+ "count", "stddev").
    QJsonObject toJson() const;
    //! The figures toJson() names in @p json (a missing one reads as 0; "med" stands in for a
    //! missing "p50", "p100" for "max"), with @p count requests behind them.
    static LatencyStats fromJson(const QJsonObject &json, qint64 count);
};

//! Counters of requests and their outcomes.
struct TrafficTotals
{
    qint64 requests = 0; //!< completed requests, failed ones included
    qint64 errors = 0;   //!< requests with any error class (checks included)
    qint64 bytesIn = 0;
    qint64 bytesOut = 0;
    qint64 iterations = 0;
    qint64 droppedIterations = 0;
    qint64 checksPassed = 0;
    qint64 checksFailed = 0;
    std::array<qint64, kErrorClassCount> errorsByClass{};
    //! HTTP versions responses came over, as bits: 1 = HTTP/1.1, 2 = HTTP/2.0 (k6's proto).
    quint8 protocols = 0;

    void add(const TrafficTotals &other);
    //! "HTTP/1.1", "HTTP/2.0", both joined by ", ", or empty (protocols' bits as k6 names them).
    QString protocolText() const;
    double errorRate() const { return requests > 0 ? double(errors) / double(requests) : 0.0; }
    //! {"connect": n, ...} with only the classes that occurred.
    QJsonObject errorsByClassJson() const;
};

//! One endpoint's (or the overall) figures for one interval.
struct EndpointSample
{
    QString name; //!< step display name; empty for the overall figures
    TrafficTotals totals;
    LatencyStats latency;          //!< http_req_duration (service time)
    LatencyStats latencyCorrected; //!< open models: from the intended start time
    //! This interval's HDR histograms (LatencyHistogram::serialize()) by metric name
    //! ("duration", "duration_corrected"; overall also "iteration_duration", the timing names
    //! and "server_timing:NAME"). Only kept when asked for (agent results, `run --histograms`):
    //! they are what lets runs of several agents be merged exactly.
    QMap<QString, QByteArray> histograms;
};

//! What the engine emits every interval (DESIGN.md §3.2): values only, safe to queue.
struct IntervalSample
{
    int index = 0;            //!< 0-based interval number
    double tSec = 0;          //!< seconds since the start at the end of the interval
    double intervalSec = 1;   //!< length of this interval (the last one may be shorter)
    int activeVus = 0;        //!< VUs running iterations at the end of the interval
    double plannedTarget = 0; //!< VUs (closed) or iterations/s (open) the plan asked for
    EndpointSample overall;
    QList<EndpointSample> endpoints;
    QMap<QString, LatencyStats> serverTiming; //!< Server-Timing metric name -> durations
    QMap<QString, double> timingMeansMs;      //!< k6 timing name -> mean in this interval
    QJsonObject resources; //!< resource monitor figures (ResourceSample::toJson), if sampled

    double throughputRps() const
    {
        return intervalSec > 0 ? double(overall.totals.requests) / intervalSec : 0.0;
    }
};

//! Whole-run figures of one endpoint.
struct EndpointSummary
{
    QString name;
    QString method;
    QString path;
    TrafficTotals totals;
    LatencyHistogram duration;
    LatencyHistogram durationCorrected;
};

//! Verdict of one threshold at the end of (or during) a run.
struct ThresholdResult
{
    QString metric;
    QString expression;
    double value = 0; //!< the observed value the expression was evaluated on
    bool passed = true;
    bool abortOnFail = false;
    QString error; //!< set when the metric is unknown or has no data
};

//! What the analysis adds to a run once it has ended, each under its own name in the result
//! JSON. The analysis types live above metrics, so their figures are kept here as the JSON
//! they write (Recommendation::toJson(), RunComparison::toJson(), ...); the names are fields,
//! not strings a reader has to spell.
struct RunExtras
{
    QJsonObject resources; //!< "resources": generator/target/machine CPU and memory, PIDs
    //! "recommendations": Recommendation::toJson() objects; unset when the run was never
    //! analysed (an empty list is an answer: nothing to recommend)
    std::optional<QJsonArray> recommendations;
    bool untrustworthy = false; //!< "untrustworthy": a recommendation says the figures are not
    QJsonObject comparison;     //!< "comparison": against the baseline, or {"note": why not}
    QJsonArray anomalies;       //!< "anomalies": anomalous intervals
    QJsonObject stress;         //!< "stress": the stress analysis (stress tests)
    bool rebuiltFromIntervals = false; //!< "rebuiltFromIntervals": a killed run read back
    QString trigger; //!< "trigger": what started the run when not a person ("schedule")
    //! "aggregated": what an aggregated source (Locust's CSV, k6's end-of-test summary) gave in
    //! place of its requests, for runs without histograms: {"tool", "percentiles": how the tool
    //! computed them, "latencyMs": {the figures it gave, by our names}, "endpoints": {name:
    //! {"latencyMs"}}, "lacks": [what it does not give]}. Empty for measured runs.
    QJsonObject aggregated;
    //! "agent": a scale-out agent's run — host, segment "I/N", scheduled and clock start
    QJsonObject agent;
    //! "agents": a merged run's agents, one object each (host, segment, requests, throughput,
    //! resources), in segment order
    QJsonArray agents;

    //! The names above; resources, recommendations and comparison always, the others when set.
    QJsonObject toJson() const;
    //! Reads those names from a stored "result" object; absent ones stay empty.
    static RunExtras fromJson(const QJsonObject &result);
};

//! Everything measured in a run, merged over workers (DESIGN.md §3.2).
struct RunSummary
{
    QDateTime startedAt;
    QDateTime endedAt;
    double durationSec = 0;
    bool openModel = false;
    ResultStatus status = ResultStatus::Completed; //!< completed, aborted or failed
    QString errorDetails;                          //!< why the run failed or was aborted
    QString target;                                //!< the base URL that was tested
    int maxVus = 0;
    TrafficTotals totals;
    LatencyHistogram duration;
    LatencyHistogram durationCorrected;
    LatencyHistogram iterationDuration;
    QMap<QString, LatencyHistogram> timings;      //!< "connecting", "waiting", ... (k6 names)
    QMap<QString, LatencyHistogram> serverTiming; //!< Server-Timing metric name -> durations
    QList<EndpointSummary> endpoints;
    QList<IntervalSample> timeline;
    QList<ThresholdResult> thresholds;
    RunExtras extras; //!< added after the run by the session's analysis

    double throughputRps() const
    {
        return durationSec > 0 ? double(totals.requests) / durationSec : 0.0;
    }
    bool thresholdsPassed() const;
};

//! The k6 timing names, in the order a request goes through them.
const QStringList &timingNames();

} // namespace loadscope

Q_DECLARE_METATYPE(loadscope::IntervalSample)
Q_DECLARE_METATYPE(loadscope::RunSummary)
