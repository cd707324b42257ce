#pragma once

#include <functional>

#include <QString>

class QChartView;
class QCustomPlot;
class QMenu;
class QWidget;

// Saving a chart as PNG or PDF, shared by every place that shows one (Run, Compare, History).

namespace loadscope {

//! Saves @p path (PNG, or PDF by its suffix); false with @p error naming the file.
using ChartSaveFunction = std::function<bool(const QString &path, QString *error)>;

//! Saves @p plot as PNG or PDF (by the suffix of @p path), at least 800x400 so that a chart
//! shown small still exports readably; false with @p error.
bool savePlot(QCustomPlot *plot, const QString &path, QString *error = nullptr);

//! Saves a Qt Charts view as PNG or PDF (by the suffix of @p path); false with @p error.
bool saveChartView(QChartView *view, const QString &path, QString *error = nullptr);

//! Adds "Save as PNG…" and "Save as PDF…" to @p menu: each asks for a file (under @p parent)
//! and saves through @p save, warning when that fails.
void addSaveAsActions(QMenu *menu, QWidget *parent, const ChartSaveFunction &save);

//! Gives @p chart a context menu with the two actions of addSaveAsActions() (object names
//! saveAsPng and saveAsPdf).
void installSaveAsMenu(QWidget *chart, const ChartSaveFunction &save);
void installSaveAsMenu(QCustomPlot *plot);
void installSaveAsMenu(QChartView *view);

} // namespace loadscope
