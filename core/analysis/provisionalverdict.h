#pragma once

#include <QJsonObject>
#include <QList>

#include "analysis/runcomparison.h"
#include "metrics/runmetrics.h"

namespace loadscope {

//! The figures of a run's first intervals, up to @p untilSec elapsed (an interval counts when it
//! ended by then), as compareRuns() and evaluateThresholds() take them: totals summed, duration
//! the sum of the intervals' lengths, the intervals as the timeline. Intervals keep percentiles
//! rather than histograms, so the whole-window latency histogram is rebuilt from each interval's
//! percentiles weighted by its request count (half of its requests at p50, 40 % at p90, ...):
//! exact for steady intervals, an estimate when they differ. Endpoints get their totals only.
RunSummary summaryOfIntervals(const QList<IntervalSample> &timeline, double untilSec);
//! summaryOfIntervals()'s step: adds interval @p interval to @p summary.
void addIntervalToSummary(RunSummary &summary, const IntervalSample &interval);

//! The verdict a run would get now, while it goes: compareRuns() — the same test as the
//! end-of-run verdict — on the baseline's and the candidate's intervals up to the candidate's
//! last elapsed second, both through summaryOfIntervals() so that they are measured alike.
//! @p earlierRuns are the plan's earlier stored runs (the noise model), as for compareRuns().
RunComparison provisionalComparison(const RunForComparison &baseline,
                                    const RunForComparison &candidateSoFar,
                                    const ComparisonOptions &options = {},
                                    const QList<QJsonObject> &earlierRuns = {});

//! The baseline interval at the same elapsed second as @p tSec (the one whose end is nearest,
//! within half an interval); null when the baseline has none there.
const IntervalSample *intervalAt(const QList<IntervalSample> &timeline, double tSec);

} // namespace loadscope
