#pragma once

#include <functional>

#include <QColor>
#include <QList>
#include <QString>

#include "analysis/timelineevents.h"

class QCPItemStraightLine;
class QCustomPlot;

namespace loadscope {

// Timeline events (stage changes, threshold failures, aborts, error starts, notes) look and
// explain themselves alike on every chart that marks them: the live and stored Run charts and
// History's trend.

//! The colour of an event kind's markers.
QColor timelineEventColor(TimelineEvent::Kind kind);
//! A vertical line across @p plot's axis rect at @p key for an event of @p kind: in the kind's
//! colour, dotted for a stage change, dashed for a note, solid otherwise.
QCPItemStraightLine *addEventMarker(QCustomPlot *plot, double key, TimelineEvent::Kind kind);
//! One event in a marker's tooltip: "<b>AT</b> · title", the detail on a second line; @p at says
//! where it sits ("12 s", "before #3"). HTML, escaped.
QString eventToolTipLine(const TimelineEvent &event, const QString &at);
//! The tooltip for a pointer @p x pixels across @p plot: every event of @p events whose marker
//! at @p keys (as many, in plot coordinates) lies within a few pixels, each headed by @p at of
//! its index, the events separated by a rule; empty when none is near.
QString eventsToolTip(const QCustomPlot *plot, const QList<TimelineEvent> &events,
                      const QList<double> &keys, double x, const std::function<QString(int)> &at);

} // namespace loadscope
