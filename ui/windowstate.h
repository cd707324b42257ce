#pragma once

#include <QRect>

class QWidget;

namespace loadscope {

//! Where a window whose geometry was @p saved goes on a screen whose free area is @p available:
//! unchanged when it fits, else shrunk to the free area and moved inside it.
QRect fitToScreen(const QRect &saved, const QRect &available);

//! Saves every named QSplitter under @p root as "<group>/<objectName>" in QSettings.
void saveSplitterStates(QWidget *root, const QString &group);
//! Restores what saveSplitterStates() saved; splitters without a saved state keep their sizes.
void restoreSplitterStates(QWidget *root, const QString &group);

} // namespace loadscope
