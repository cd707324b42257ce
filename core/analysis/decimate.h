#pragma once

#include <QVector>

namespace loadscope {

//! A series reduced for drawing: keys ascending, as many points as the chart can show.
struct DecimatedSeries
{
    QVector<double> keys;
    QVector<double> values;
};

//! Min/max decimation for charts: the key range is cut into @p columns equal buckets (one per
//! pixel column) and each bucket keeps its smallest and its largest value, in key order, so a
//! one-interval spike or dip is never dropped — averaging or taking every n-th point would.
//! NaN values are gaps: a bucket that holds only NaN keeps one NaN so the line still breaks.
//! Series of at most 2 × @p columns points, or @p columns < 1, are returned unchanged.
//! @p keys must be ascending and as long as @p values.
DecimatedSeries decimateMinMax(const QVector<double> &keys, const QVector<double> &values,
                               int columns);

} // namespace loadscope
