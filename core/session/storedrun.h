#pragma once

#include <optional>

#include <QDateTime>
#include <QString>

#include "analysis/runcomparison.h"
#include "analysis/timelineevents.h"
#include "metrics/runmetrics.h"
#include "plan/testplan.h"
#include "store/storetypes.h"

namespace loadscope {

class HistoryStore;

//! A run read back from the history: its plan and its figures rebuilt from the stored summary,
//! interval rows and histogram blobs, so that it can be compared and re-exported like a fresh one.
struct StoredRun
{
    qint64 id = 0;
    qint64 testId = 0;
    QString testName;
    QString versionLabel;
    QJsonObject planJson;
    std::optional<TestPlan> plan; //!< empty when the stored plan no longer parses
    RunSummary summary;

    //! "#12 v1.4.2" (or "#12 2026-11-27 08:30").
    QString label() const;
    RunForComparison forComparison() const;
};

//! Reads run @p resultId; nothing (with @p error) when it does not exist. A run that never wrote
//! its summary (its process was killed) gets its totals, percentiles and endpoints rebuilt from
//! its stored intervals and checkpointed histograms.
std::optional<StoredRun> loadStoredRun(HistoryStore &store, qint64 resultId, QString *error);

//! The result document of stored run @p resultId (interop/resultjson.h resultDocument(), the
//! form `run --output-file` writes), rebuilt from the history: the plan as it was stored, the
//! summary (a killed run's rebuilt from its intervals), the test's id and name, the stored
//! recommendations and the run's error details. The one form `history show --format=json`, the
//! REST API's GET /results/ID and the GUI's export all give. Nothing (with @p error) when the
//! run does not exist.
std::optional<QJsonObject> loadResultDocument(HistoryStore &store, qint64 resultId, QString *error);

//! True for an aborted run whose summary was never written (see loadStoredRun()).
bool needsRebuild(const ResultRecord &record);
//! The summary JSON the history keeps for @p run (resultSummaryForStore()).
QJsonObject summaryJson(const StoredRun &run);
//! Writes the rebuilt summary of every aborted run that has none; the number rebuilt (the
//! last failure in @p error).
int rebuildAbandonedRuns(HistoryStore &store, QString *error = nullptr);
//! The run-to-run noise history of a plan (compareRuns()'s earlier runs): the summaries of the
//! latest completed runs of test @p testId with plan fingerprint @p fingerprint, newest first,
//! at most 20, leaving out @p exclude and runs started after @p before (when valid). With
//! @p baselineId (the baseline run), only the runs between the test's changes around
//! it: from the last annotation at or before it to the next one after it. Runs on both sides of
//! a change differ by that change, not by noise; counted as noise, a cache that halved p95 made
//! a run back at the old p95 "no significant change" against the run with the cache.
QList<QJsonObject> noiseHistory(HistoryStore &store, qint64 testId, const QString &fingerprint,
                                const QList<qint64> &exclude, const QDateTime &before = {},
                                qint64 baselineId = 0);

//! The notes of @p annotations that belong on the charts of @p run (started at @p startedAt,
//! @p durationSec long) as TimelineEvent::Annotation markers at elapsed seconds: the run's own
//! (at their time, clamped into the run; a note without one sits at its start) and the test's
//! made while it ran. Sorted by time.
QList<TimelineEvent> annotationEvents(const QList<Annotation> &annotations, qint64 resultId,
                                      const QDateTime &startedAt, double durationSec);
//! annotationEvents() of stored run @p resultId from the history; nothing when it is unknown.
QList<TimelineEvent> storedAnnotationEvents(HistoryStore &store, qint64 resultId);

} // namespace loadscope
