#include "formwidgets.h"

#include <algorithm>

#include <QEvent>
#include <QFontDatabase>
#include <QFrame>
#include <QHBoxLayout>
#include <QHash>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSet>
#include <QTableWidget>
#include <QTreeView>
#include <QVBoxLayout>

namespace loadscope {

namespace {

QHeaderView *horizontalHeaderOf(QAbstractItemView *view)
{
    if (auto *table = qobject_cast<QTableView *>(view))
        return table->horizontalHeader();
    if (auto *tree = qobject_cast<QTreeView *>(view))
        return tree->header();
    return nullptr;
}

//! fitColumnsToWidth(): remembers each interactive column's wanted width (what code or the
//! user set), and on every resize of the viewport gives the columns what fits of it.
class ColumnFitter final : public QObject
{
public:
    ColumnFitter(QAbstractItemView *view, QHeaderView *header, bool followContents, int minimum)
        : QObject(view)
        , m_view(view)
        , m_header(header)
        , m_minimum(minimum)
    {
        // The fitter owns the widths: stretched columns (Stretch, or the stretched last one)
        // become interactive ones that fit() gives what is left, so that none keeps a floor of
        // its own (Qt keeps a stretched section at least defaultSectionSize wide).
        for (int c = 0; c < header->count(); ++c) {
            const bool last = header->stretchLastSection() && c == header->count() - 1;
            if (header->sectionResizeMode(c) == QHeaderView::Stretch || last) {
                m_stretched.insert(c);
                header->setSectionResizeMode(c, QHeaderView::Interactive);
            }
        }
        header->setStretchLastSection(false);
        header->setMinimumSectionSize(std::min(header->minimumSectionSize(), minimum));
        view->viewport()->installEventFilter(this);
        // A viewport that narrowed without a resize event of its own (a scroll bar or the
        // vertical header appearing while hidden) shows as a sideways range: fit then too.
        connect(view->horizontalScrollBar(), &QScrollBar::rangeChanged, this,
                [this](int, int maximum) {
                    if (maximum > 0 && !m_fitting)
                        QMetaObject::invokeMethod(this, &ColumnFitter::fit, Qt::QueuedConnection);
                });
        connect(header, &QHeaderView::sectionResized, this, [this](int section, int, int size) {
            if (!m_fitting && isShrinkable(section))
                m_wanted.insert(section, size);
        });
        if (auto *table = qobject_cast<QTableView *>(view);
            table && followContents && view->model()) {
            const auto contents = [this, table] {
                m_fitting = true;
                for (int c = 0; c < m_header->count(); ++c) {
                    if (isShrinkable(c)) {
                        table->resizeColumnToContents(c);
                        m_wanted.insert(c, m_header->sectionSize(c));
                    }
                }
                m_fitting = false;
                fit();
            };
            QAbstractItemModel *model = view->model();
            connect(model, &QAbstractItemModel::modelReset, this, contents);
            connect(model, &QAbstractItemModel::rowsInserted, this, contents);
            connect(model, &QAbstractItemModel::rowsRemoved, this, contents);
            connect(model, &QAbstractItemModel::dataChanged, this, contents);
        }
    }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (watched == m_view->viewport() && event->type() == QEvent::Resize)
            fit();
        return false;
    }

private:
    bool isShrinkable(int section) const
    {
        return !m_stretched.contains(section) &&
               m_header->sectionResizeMode(section) == QHeaderView::Interactive;
    }

    void fit()
    {
        int wanted = 0;
        int fixed = 0; // columns sized to their contents, which fit() leaves alone
        QList<int> shrinkable;
        QList<int> stretched;
        for (int c = 0; c < m_header->count(); ++c) {
            if (m_header->isSectionHidden(c))
                continue;
            if (m_stretched.contains(c)) {
                stretched.append(c);
            } else if (isShrinkable(c)) {
                shrinkable.append(c);
                wanted += m_wanted.value(c, m_header->sectionSize(c));
            } else {
                fixed += m_header->sectionSize(c);
            }
        }
        const int width = m_view->viewport()->width();
        const int room = width - fixed - m_minimum * int(stretched.size());
        const double scale =
            wanted <= room || wanted <= 0 ? 1.0 : double(std::max(0, room)) / double(wanted);
        QList<int> sizes;
        int used = fixed;
        for (const int c : std::as_const(shrinkable)) {
            const int want = m_wanted.value(c, m_header->sectionSize(c));
            m_wanted.insert(c, want);
            sizes.append(std::max(std::min(m_minimum, want), int(want * scale)));
            used += sizes.constLast();
        }
        // Columns held at the minimum took more than their share: the widest give it back.
        for (int excess = used + m_minimum * int(stretched.size()) - width; excess > 0; --excess) {
            const auto widest = std::max_element(sizes.begin(), sizes.end());
            if (widest == sizes.end() || *widest <= m_minimum)
                break;
            --*widest;
            --used;
        }
        m_fitting = true;
        for (int i = 0; i < shrinkable.size(); ++i)
            m_header->resizeSection(shrinkable.at(i), sizes.at(i));
        // The stretched columns share what is left, in equal parts.
        const int left = std::max(0, width - used);
        for (int i = 0; i < stretched.size(); ++i) {
            const int share =
                left / int(stretched.size()) + (i < left % int(stretched.size()) ? 1 : 0);
            m_header->resizeSection(stretched.at(i), std::max(m_minimum, share));
        }
        m_fitting = false;
    }

    QAbstractItemView *m_view;
    QHeaderView *m_header;
    int m_minimum;
    bool m_fitting = false;
    QHash<int, int> m_wanted;
    QSet<int> m_stretched;
};

} // namespace

void fitColumnsToWidth(QAbstractItemView *view, bool followContents, int minimum)
{
    if (QHeaderView *header = horizontalHeaderOf(view))
        new ColumnFitter(view, header, followContents, minimum);
}

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
    fitColumnsToWidth(table);
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
