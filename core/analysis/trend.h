#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace loadscope {

//! One run's value of the metric being followed.
struct TrendPoint
{
    qint64 resultId = 0;
    QDateTime at; //!< when the run started
    QString versionLabel;
    double value = 0;
};

//! When analyzeTrend() calls a shift a change point.
struct TrendOptions
{
    double noiseFloorPct = 5.0; //!< the shift of the means must exceed this (relative)
    double alpha = 0.05;        //!< Mann–Whitney significance of before vs after
    int minSegment = 3;         //!< fewest points on each side of a change
};

//! A metric across the runs of a test, oldest first, with its change point if any.
struct TrendAnalysis
{
    QList<TrendPoint> points; //!< sorted by time
    int changeIndex = -1;     //!< index in points of the first run after the change; −1 = none
    double meanBefore = 0;
    double meanAfter = 0;
    double shiftPct = 0;     //!< 100·(meanAfter − meanBefore)/meanBefore
    double pValue = qQNaN(); //!< Mann–Whitney p of before vs after at the best split

    bool hasChangePoint() const { return changeIndex >= 0; }
    QJsonObject toJson() const;
};

//! Sorts @p points by time and looks for one change point: the split maximizing the
//! difference of the means over the pooled standard deviation, kept only when both sides
//! differ by Mann–Whitney (p < alpha) and the shift exceeds the noise floor.
TrendAnalysis analyzeTrend(QList<TrendPoint> points, const TrendOptions &options = {});

} // namespace loadscope
