#pragma once

#include <functional>

#include <QFont>
#include <QString>
#include <QStringList>

class QAbstractItemView;
class QFrame;
class QHBoxLayout;
class QLabel;
class QScrollArea;
class QTableWidget;
class QWidget;

// Small factories that give every editor of the Design place the same look.

namespace loadscope {

//! A compact editable table with the given column titles; the last column stretches.
QTableWidget *makeTable(const QStringList &columns, QWidget *parent);
//! A bold caption above a group of fields.
QLabel *sectionLabel(const QString &text, QWidget *parent);
//! A word-wrapped grey explanation.
QLabel *hintLabel(const QString &text, QWidget *parent);
//! "Add" / "Remove" buttons for @p table: add runs @p onAdd; remove deletes the selected rows
//! and then runs @p onRemoved.
QHBoxLayout *addRemoveRow(QWidget *parent, QTableWidget *table, std::function<void()> onAdd,
                          std::function<void()> onRemoved);
//! A KPI tile: a small grey caption over a large bold value; *@p value receives the label.
QFrame *kpiTile(const QString &caption, QLabel **value, QWidget *parent);
//! @p content in a frameless scroll area that follows its size: a form taller (or wider) than
//! the window scrolls instead of pushing the window bigger.
QScrollArea *scrollable(QWidget *content, QWidget *parent);
//! Keeps @p view's columns inside its width, so that a narrow column of the window never needs
//! a sideways scroll bar: when the interactive columns (at the widths code or the user gave
//! them) do not fit beside the stretched ones, they shrink in proportion, each to no less
//! than @p minimum px, and grow back when there is room. With @p followContents, a table
//! view's interactive columns take their contents' width whenever the rows change.
void fitColumnsToWidth(QAbstractItemView *view, bool followContents = false, int minimum = 40);
//! The system fixed-pitch font.
QFont monospaceFont();

} // namespace loadscope
