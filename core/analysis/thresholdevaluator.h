#pragma once

#include <QList>

#include "metrics/runmetrics.h"
#include "plan/testplan.h"

// k6 threshold semantics over a RunSummary (DESIGN.md §3.4). Trends are reported in
// milliseconds; rates are fractions (0..1) for rate metrics and per second for counters.
//
// Metrics: http_req_duration, http_req_duration_corrected (open models), http_req_failed,
// http_reqs, iteration_duration, iterations, dropped_iterations, checks, data_received,
// data_sent, vus, vus_max, http_req_{blocked,connecting,tls_handshaking,sending,waiting,
// receiving} and server_timing_<name>. Tag filters {name:X} (alias {endpoint:X}),
// {method:M} and {path:/p} select endpoints; they apply to the per-endpoint metrics
// (http_req_duration[_corrected], http_req_failed, http_reqs, checks, data_*).

namespace loadscope {

//! Evaluates one threshold; a bad metric, aggregation, filter or missing data gives a failed
//! result whose error says why (never a silent pass).
ThresholdResult evaluateThreshold(const ThresholdSpec &spec, const RunSummary &summary);

//! Evaluates every threshold, results in the order of @p specs.
QList<ThresholdResult> evaluateThresholds(const QList<ThresholdSpec> &specs,
                                          const RunSummary &summary);

//! Index of the first abortOnFail threshold that is crossed once its delayAbortEval has
//! passed at @p elapsedSec, or -1. @p results are in the order of @p specs. A result with an
//! error (e.g. "no data" early in a run) is not a crossing and does not abort.
int abortingThreshold(const QList<ThresholdSpec> &specs, const QList<ThresholdResult> &results,
                      double elapsedSec);

//! True when abortingThreshold() finds a threshold that should stop the run now.
bool shouldAbort(const QList<ThresholdSpec> &specs, const QList<ThresholdResult> &results,
                 double elapsedSec);

} // namespace loadscope
