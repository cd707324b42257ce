#include "formwidgets.h"

#include <algorithm>

#include <QFontDatabase>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QTableWidget>
#include <QVBoxLayout>

namespace loadscope {

QTableWidget *makeTable(const QStringList &columns, QWidget *parent)
{
    auto *table = new QTableWidget(0, int(columns.size()), parent);
    table->setHorizontalHeaderLabels(columns);
    table->horizontalHeader()->setStretchLastSection(true);
    table->horizontalHeader()->setHighlightSections(false);
    table->verticalHeader()->setVisible(false);
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 10);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setAlternatingRowColors(true);
    table->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                           QAbstractItemView::AnyKeyPressed | QAbstractItemView::SelectedClicked);
    return table;
}

QLabel *sectionLabel(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    QFont font = label->font();
    font.setBold(true);
    label->setFont(font);
    return label;
}

QLabel *hintLabel(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setWordWrap(true);
    QPalette palette = label->palette();
    palette.setColor(QPalette::WindowText, palette.color(QPalette::PlaceholderText));
    label->setPalette(palette);
    return label;
}

QHBoxLayout *addRemoveRow(QWidget *parent, QTableWidget *table, std::function<void()> onAdd,
                          std::function<void()> onRemoved)
{
    auto *row = new QHBoxLayout;
    auto *add = new QPushButton(QObject::tr("Add"), parent);
    auto *remove = new QPushButton(QObject::tr("Remove"), parent);
    remove->setEnabled(false);
    QObject::connect(add, &QPushButton::clicked, parent, [onAdd = std::move(onAdd)] { onAdd(); });
    QObject::connect(remove, &QPushButton::clicked, parent,
                     [table, onRemoved = std::move(onRemoved)] {
                         QList<int> rows;
                         const auto selected = table->selectionModel()->selectedRows();
                         for (const QModelIndex &index : selected)
                             rows.append(index.row());
                         if (rows.isEmpty() && table->currentRow() >= 0)
                             rows.append(table->currentRow());
                         std::sort(rows.begin(), rows.end(), std::greater<int>());
                         for (const int r : std::as_const(rows))
                             table->removeRow(r);
                         onRemoved();
                     });
    QObject::connect(table, &QTableWidget::itemSelectionChanged, remove,
                     [table, remove] { remove->setEnabled(table->currentRow() >= 0); });
    row->addWidget(add);
    row->addWidget(remove);
    row->addStretch();
    return row;
}

QScrollArea *scrollable(QWidget *content, QWidget *parent)
{
    auto *area = new QScrollArea(parent);
    area->setFrameShape(QFrame::NoFrame);
    area->setWidgetResizable(true);
    area->setWidget(content);
    return area;
}

QFont monospaceFont()
{
    return QFontDatabase::systemFont(QFontDatabase::FixedFont);
}

QFrame *kpiTile(const QString &caption, QLabel **value, QWidget *parent)
{
    auto *frame = new QFrame(parent);
    frame->setFrameShape(QFrame::StyledPanel);
    frame->setAutoFillBackground(true);
    frame->setBackgroundRole(QPalette::Base);
    auto *layout = new QVBoxLayout(frame);
    layout->setContentsMargins(10, 6, 10, 6);
    layout->setSpacing(2);
    layout->addWidget(hintLabel(caption, frame));
    *value = new QLabel(QStringLiteral("–"), frame);
    QFont font = (*value)->font();
    font.setPointSizeF(font.pointSizeF() * 1.25);
    font.setBold(true);
    (*value)->setFont(font);
    layout->addWidget(*value);
    return frame;
}

} // namespace loadscope
