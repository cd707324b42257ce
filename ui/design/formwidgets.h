#pragma once

#include <functional>

#include <QFont>
#include <QString>
#include <QStringList>

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
//! The system fixed-pitch font.
QFont monospaceFont();

} // namespace loadscope
