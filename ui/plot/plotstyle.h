#pragma once

// Include QCustomPlot through this header. qcustomplot.h iterates with `foreach`, which the
// project disables (QT_NO_FOREACH); its two loops only read, so a range-for stands in.
#if defined(QT_NO_FOREACH) && !defined(foreach)
#define LOADSCOPE_FOREACH_SHIM
#define foreach(variable, container) for (variable : container)
#endif
#include <qcustomplot.h>
#ifdef LOADSCOPE_FOREACH_SHIM
#undef foreach
#undef LOADSCOPE_FOREACH_SHIM
#endif

namespace loadscope {

//! Series colours shared by every chart, in order of use.
QColor seriesColor(int index);

//! A grey between the palette's base and text, for planned and reference series.
QColor neutralSeriesColor(const QPalette &palette);

//! Gives @p plot the house look: base-coloured background, light grid, no frame on the
//! top/right, the application font; its colours follow the palette when it changes (dark theme).
void applyPlotStyle(QCustomPlot *plot);
//! The palette-dependent part of applyPlotStyle(): backgrounds, grid, axes, legend text.
void applyPlotColors(QCustomPlot *plot);

//! A graph on @p plot with the house pen for series @p index (and a faint fill if @p fill).
QCPGraph *addStyledGraph(QCustomPlot *plot, int index, QCPAxis *valueAxis = nullptr,
                         bool fill = false);

//! Shows @p plot's legend in a row of its own above the axis rect, so it never hides data.
void placeLegendOnTop(QCustomPlot *plot);

} // namespace loadscope
