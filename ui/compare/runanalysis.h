#pragma once

#include <optional>

#include <QJsonArray>
#include <QList>
#include <QString>

#include "analysis/recommendations.h"
#include "analysis/runcomparison.h"
#include "metrics/runmetrics.h"
#include "store/storetypes.h"

// What the GUI derives from stored runs when RunSession's end-of-run analysis has not put it
// in the summary extras: the baseline of a run, its verdict and its recommendations.

namespace loadscope {

class HistoryStore;

//! The run @p record is judged against: its test's pinned baseline (when that is another,
//! earlier run), else the latest completed run of the same test started before it; 0: none.
qint64 baselineIdFor(HistoryStore &store, const ResultRecord &record);

//! Compares run @p resultId with its baseline (baselineIdFor()); nothing when it has none,
//! or when a run cannot be read (@p error says why).
std::optional<RunComparison> compareWithBaseline(HistoryStore &store, qint64 resultId,
                                                 QString *error = nullptr);

//! The recommendation rules' input from a summary; CPU series from its timeline's resources.
RecommendationInput recommendationInput(const RunSummary &summary, int workerThreads = 1);

//! A run's recommendations: @p summary's extras when present, else the store's rows for
//! @p resultId (when @p store is set), else computed now with recommend().
QList<Recommendation> recommendationsFor(const RunSummary &summary, HistoryStore *store = nullptr,
                                         qint64 resultId = 0);

//! A colour for a verdict name ("regression", "improvement", "inconclusive", ...): red, green,
//! orange or grey.
QColor verdictColor(const QString &verdict);

} // namespace loadscope
