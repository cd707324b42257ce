#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include "metrics/runmetrics.h"
#include "plan/testplan.h"
#include "store/storetypes.h"

// The JSON result of a run (DESIGN.md §4.1, schema "loadscope.result/1"): times in
// milliseconds as floating point, rates per second, timestamps ISO 8601 UTC with ms.

namespace loadscope {

//! Schema tag of the result document.
inline constexpr char kResultSchema[] = "loadscope.result/1";

//! The whole result document: {schema, test: the plan as run, result: {...}}.
//! @p resultId ≤ 0 (a run that was not stored) is written as null.
QJsonObject resultDocument(const TestPlan &plan, const RunSummary &summary, qint64 resultId,
                           const QString &versionLabel);

//! The "result" object of resultDocument(); @p withTimeline adds the per-interval timeline.
QJsonObject resultObject(const RunSummary &summary, qint64 resultId, const QString &versionLabel,
                         bool withTimeline = true);

//! What the history store keeps in summary_json: the result object without the timeline
//! (intervals are stored as result_samples rows).
QJsonObject resultSummaryForStore(const RunSummary &summary, qint64 resultId,
                                  const QString &versionLabel);

//! Which of a run's whole-run histograms histogramsForStore() gives.
enum class StoredHistograms
{
    Latency, //!< duration (and duration_corrected of open models), overall and per endpoint
    All,     //!< those, iteration_duration, every timing and Server-Timing metric
};

//! The whole-run histograms the history keeps for @p summary (result_histograms rows: metric
//! "duration", "duration_corrected", "iteration_duration", a timing name, "server_timing:NAME";
//! endpoint '' for the overall ones). Empty histograms are left out: a result without one
//! (an imported aggregate) reads its figures from the stored summary instead of zeros.
QList<StoredHistogram> histogramsForStore(const RunSummary &summary,
                                          StoredHistograms which = StoredHistograms::All);

//! [{expression, metric, value, passed, abortOnFail, error?}] in the order given.
QJsonArray thresholdsJson(const QList<ThresholdResult> &thresholds);

//! Version tag of the "histograms" object a result carries for merging (agent results): the
//! intervals as one base64 record stream (resultjsonstream.h).
inline constexpr char kHistogramsFormat[] = "loadscope.hdr/2";
//! The earlier layout, still read: every interval a JSON object with base64 blobs.
inline constexpr char kHistogramsFormatV1[] = "loadscope.hdr/1";

//! Whether the run kept its per-interval histograms (LoadEngine::setKeepIntervalHistograms).
bool hasIntervalHistograms(const RunSummary &summary);

//! How histogramsJson() writes the intervals.
enum class HistogramLayout
{
    Records,      //!< loadscope.hdr/2: one base64 record stream, read without a JSON parse
    JsonIntervals //!< loadscope.hdr/1: a JSON object per interval (what older agents wrote)
};

//! The "histograms" object of an agent result, everything `merge` needs to rebuild the run
//! exactly: {format, run: {totals, overall: {metric: base64}, endpoints: {name: {totals,
//! method, path, histograms: {metric: base64}}}}, then the intervals. Records (hdr/2):
//! metricNames, endpointNames and errorClasses (what the records' ids stand for),
//! intervalCount and records: base64 of the stream resultjsonstream.h describes (a reader skips
//! it, or streams it from the file, instead of parsing it). JsonIntervals (hdr/1): intervals:
//! [{index, t, intervalSec, activeVus, plannedTarget, totals, histograms: {metric: base64},
//! endpoints: {name: {totals, histograms}}}]. Blobs are LatencyHistogram::serialize(); a plan's
//! only endpoint says "sameAsOverall" in each interval instead of repeating the overall histograms.
QJsonObject histogramsJson(const RunSummary &summary,
                           HistogramLayout layout = HistogramLayout::Records);

//! Every counter of @p totals, errorsByClass included ({requests, errors, bytesIn, bytesOut,
//! iterations, droppedIterations, checksPassed, checksFailed, errorsByClass}).
QJsonObject fullTotalsJson(const TrafficTotals &totals);

//! One timeline entry {t, requests, errors, rps, activeVus, target, latencyMs,
//! latencyCorrectedMs?, errorsByClass}; corrected figures only when @p openModel.
QJsonObject timelineEntry(const IntervalSample &sample, bool openModel);

//! The result_samples rows of one interval: the overall row (endpoint "") first, then one row
//! per endpoint. data carries errorsByClass, checks, plannedTarget, latencyCorrectedMs (when
//! measured), and on the overall row serverTiming {name: {p50, p95}} and timingMeansMs.
QList<ResultSample> samplesForStore(const IntervalSample &sample);

//! The inverse of samplesForStore() for one overall row: a timeline entry as timelineEntry()
//! writes it, so that a stored run re-exports like a fresh one.
QJsonObject timelineEntryFromSample(const ResultSample &sample);

} // namespace loadscope
