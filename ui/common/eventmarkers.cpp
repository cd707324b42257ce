#include "eventmarkers.h"

#include <cmath>
#include <functional>

#include "plot/plotstyle.h"

namespace loadscope {

QColor timelineEventColor(TimelineEvent::Kind kind)
{
    switch (kind) {
    case TimelineEvent::StageChange:
        return QColor(0x7f, 0x8c, 0x9a);
    case TimelineEvent::ThresholdFailed:
        return QColor(0xd9, 0x48, 0x3b);
    case TimelineEvent::Abort:
        return QColor(0xe6, 0x7e, 0x22);
    case TimelineEvent::ErrorsStarted:
        return QColor(0xc2, 0x18, 0x5b);
    case TimelineEvent::Annotation:
        return QColor(0x3a, 0x7b, 0xe0);
    }
    return {};
}

QCPItemStraightLine *addEventMarker(QCustomPlot *plot, double key, TimelineEvent::Kind kind)
{
    auto *line = new QCPItemStraightLine(plot);
    line->setClipToAxisRect(true);
    line->point1->setCoords(key, 0);
    line->point2->setCoords(key, 1);
    line->setPen(QPen(timelineEventColor(kind), 1.2,
                      kind == TimelineEvent::StageChange  ? Qt::DotLine
                      : kind == TimelineEvent::Annotation ? Qt::DashLine
                                                          : Qt::SolidLine));
    line->setSelectable(false);
    return line;
}

QString eventToolTipLine(const TimelineEvent &event, const QString &at)
{
    QString line =
        QStringLiteral("<b>%1</b> · %2").arg(at.toHtmlEscaped(), event.title.toHtmlEscaped());
    if (!event.detail.isEmpty())
        line += QStringLiteral("<br>") + event.detail.toHtmlEscaped();
    return line;
}

QString eventsToolTip(const QCustomPlot *plot, const QList<TimelineEvent> &events,
                      const QList<double> &keys, double x, const std::function<QString(int)> &at)
{
    QStringList lines;
    for (int i = 0; i < events.size() && i < keys.size(); ++i) {
        if (std::abs(plot->xAxis->coordToPixel(keys.at(i)) - x) <= 4)
            lines << eventToolTipLine(events.at(i), at(i));
    }
    return lines.join(QStringLiteral("<hr>"));
}

} // namespace loadscope
