#pragma once

#include <QList>
#include <QString>

#include "metrics/runmetrics.h"
#include "plan/testplan.h"

namespace loadscope {

//! Something that happened at one second of a run, drawn as a marker on its charts. A new kind
//! (annotations, when they exist) is one more enumerator: the charts draw every kind alike,
//! with its own colour and the event's text as the tooltip.
struct TimelineEvent
{
    enum Kind
    {
        StageChange,     //!< a ramping stage began
        ThresholdFailed, //!< a threshold failed for the first time
        Abort,           //!< the run was stopped early
        ErrorsStarted,   //!< errors began after an error-free stretch (or at the start)
        Annotation       //!< a note a person attached to the run (storedAnnotationEvents())
    };

    Kind kind = StageChange;
    double tSec = 0; //!< elapsed seconds
    QString title;   //!< short: "stage 2", "p(95)<200 failed"
    QString detail;  //!< the tooltip's second line; may be empty

    bool operator==(const TimelineEvent &other) const
    {
        return kind == other.kind && tSec == other.tSec && title == other.title &&
               detail == other.detail;
    }
    bool operator!=(const TimelineEvent &other) const { return !(*this == other); }
};

//! "stage change", "threshold failed", "abort", "errors start", "annotation".
QString timelineEventKindName(TimelineEvent::Kind kind);

//! The start of every stage of @p load after the first (ramping executors only), up to
//! @p untilSec.
QList<TimelineEvent> stageEvents(const LoadModel &load, double untilSec);

//! The seconds where errors start: the first interval with errors, and each later one that
//! follows at least @p quietIntervals intervals without any. The detail names the classes.
QList<TimelineEvent> errorStartEvents(const QList<IntervalSample> &timeline,
                                      int quietIntervals = 5);

//! The first second each of @p thresholds failed, evaluated after every interval on the
//! figures of the run so far (summaryOfIntervals()): for stored runs, whose intervals are all
//! that is kept of how the run went.
QList<TimelineEvent> thresholdEvents(const QList<ThresholdSpec> &thresholds,
                                     const QList<IntervalSample> &timeline);

//! A threshold-failed event for @p result at @p tSec (the live path, which evaluates on the
//! engine's own figures).
TimelineEvent thresholdFailedEvent(const ThresholdResult &result, double tSec);

//! The abort of @p summary at its end, when it was aborted; nothing otherwise.
QList<TimelineEvent> abortEvents(const RunSummary &summary);

//! Every event of a finished run: stages of @p plan (when known), threshold failures, error
//! starts and the abort, sorted by time.
QList<TimelineEvent> runEvents(const TestPlan *plan, const RunSummary &summary);

} // namespace loadscope
