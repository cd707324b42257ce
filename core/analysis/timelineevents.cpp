#include "timelineevents.h"

#include <algorithm>

#include "analysis/provisionalverdict.h"
#include "analysis/thresholdevaluator.h"
#include "metrics/errorclass.h"

namespace loadscope {

QString timelineEventKindName(TimelineEvent::Kind kind)
{
    switch (kind) {
    case TimelineEvent::StageChange:
        return QStringLiteral("stage change");
    case TimelineEvent::ThresholdFailed:
        return QStringLiteral("threshold failed");
    case TimelineEvent::Abort:
        return QStringLiteral("abort");
    case TimelineEvent::ErrorsStarted:
        return QStringLiteral("errors start");
    case TimelineEvent::Annotation:
        return QStringLiteral("annotation");
    }
    return {};
}

QList<TimelineEvent> stageEvents(const LoadModel &load, double untilSec)
{
    QList<TimelineEvent> events;
    if (!isRamping(load.executor))
        return events;
    const bool open = isOpenModel(load.executor);
    qint64 startMs = 0;
    for (qsizetype i = 0; i < load.stages.size(); ++i) {
        const Stage &stage = load.stages.at(i);
        const double t = double(startMs) / 1000.0;
        if (i > 0 && t <= untilSec) {
            const QString target = open ? QStringLiteral("%1 iterations per %2 ms")
                                              .arg(stage.target)
                                              .arg(load.timeUnitMs)
                                        : QStringLiteral("%1 VUs").arg(stage.target);
            events.append({TimelineEvent::StageChange, t,
                           QStringLiteral("stage %1 of %2").arg(i + 1).arg(load.stages.size()),
                           QStringLiteral("to %1 over %2 s")
                               .arg(target)
                               .arg(double(stage.durationMs) / 1000.0)});
        }
        startMs += stage.durationMs;
    }
    return events;
}

QList<TimelineEvent> errorStartEvents(const QList<IntervalSample> &timeline, int quietIntervals)
{
    QList<TimelineEvent> events;
    int quiet = quietIntervals; // the start counts as quiet
    for (const IntervalSample &i : timeline) {
        const TrafficTotals &t = i.overall.totals;
        if (t.errors <= 0) {
            ++quiet;
            continue;
        }
        if (quiet >= quietIntervals) {
            QStringList classes;
            for (int c = 0; c < kErrorClassCount; ++c) {
                if (t.errorsByClass[size_t(c)] > 0)
                    classes << QStringLiteral("%1 %2")
                                   .arg(t.errorsByClass[size_t(c)])
                                   .arg(errorClassName(ErrorClass(c)));
            }
            // The interval's start: the errors began within it.
            const double start = std::max(0.0, i.tSec - (i.intervalSec > 0 ? i.intervalSec : 1.0));
            events.append(
                {TimelineEvent::ErrorsStarted, start,
                 QStringLiteral("errors start: %1 of %2 requests").arg(t.errors).arg(t.requests),
                 classes.join(QStringLiteral(", "))});
        }
        quiet = 0;
    }
    return events;
}

TimelineEvent thresholdFailedEvent(const ThresholdResult &result, double tSec)
{
    return {TimelineEvent::ThresholdFailed, tSec,
            QStringLiteral("%1 %2 failed").arg(result.metric, result.expression),
            QStringLiteral("value %1 at %2 s").arg(result.value, 0, 'f', 2).arg(tSec)};
}

QList<TimelineEvent> thresholdEvents(const QList<ThresholdSpec> &thresholds,
                                     const QList<IntervalSample> &timeline)
{
    QList<TimelineEvent> events;
    if (thresholds.isEmpty())
        return events;
    QList<bool> failed(thresholds.size(), false);
    RunSummary soFar;
    for (const IntervalSample &i : timeline) {
        addIntervalToSummary(soFar, i);
        const QList<ThresholdResult> results = evaluateThresholds(thresholds, soFar);
        for (qsizetype k = 0; k < results.size() && k < failed.size(); ++k) {
            const ThresholdResult &r = results.at(k);
            if (failed.at(k) || !r.error.isEmpty() || r.passed)
                continue;
            failed[k] = true;
            events.append(thresholdFailedEvent(r, i.tSec));
        }
        if (!failed.contains(false))
            break;
    }
    return events;
}

QList<TimelineEvent> abortEvents(const RunSummary &summary)
{
    if (summary.status != ResultStatus::Aborted)
        return {};
    return {{TimelineEvent::Abort, summary.durationSec, QStringLiteral("aborted"),
             summary.errorDetails}};
}

QList<TimelineEvent> runEvents(const TestPlan *plan, const RunSummary &summary)
{
    QList<TimelineEvent> events;
    if (plan) {
        events << stageEvents(plan->load, summary.durationSec);
        events << thresholdEvents(plan->thresholds, summary.timeline);
    }
    events << errorStartEvents(summary.timeline) << abortEvents(summary);
    std::stable_sort(
        events.begin(), events.end(),
        [](const TimelineEvent &a, const TimelineEvent &b) { return a.tSec < b.tSec; });
    return events;
}

} // namespace loadscope
