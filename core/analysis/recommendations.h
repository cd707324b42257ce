#pragma once

#include <QList>

#include "analysis/recommendation.h"
#include "metrics/runmetrics.h"

namespace loadscope {

//! What the recommendation rules look at: the run and, when sampled, CPU figures.
struct RecommendationInput
{
    RunSummary summary;
    QList<double> generatorCpuPct; //!< per interval, the generator process, % of one core (top)
    QList<double> machineCpuPct;   //!< per interval, the generator's machine, % of all cores
    QList<double> targetCpuPct;    //!< per interval, the target, % of its CPU capacity
    int workerThreads = 1;         //!< the generator's worker threads
    qint64 generatorPid = -1;      //!< the generator process, -1 when not known
    //! The local target process whose CPU targetCpuPct holds, -1 when not known (a remote
    //! target, or figures from Prometheus). Equal to generatorPid means the target runs inside
    //! the generator: its CPU cannot be told apart, and no rule gives advice about it.
    qint64 targetPid = -1;
};

//! Runs every rule over @p input (DESIGN.md §3.4) and returns what they found: the
//! load-generator rule first (its evidence has "untrustworthy": true), then the others by
//! impact. Areas: "load generator", "infrastructure", "code", "network", "api", "model",
//! "database"; impacts: low, medium, high, critical. Healthy data gives an empty list.
QList<Recommendation> recommend(const RecommendationInput &input);

//! True when @p recommendations say the measurement itself cannot be trusted.
bool resultsUntrustworthy(const QList<Recommendation> &recommendations);

} // namespace loadscope
