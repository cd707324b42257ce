#include "thresholdseditor.h"

#include <QCompleter>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QStyledItemDelegate>
#include <QTableWidget>
#include <QVBoxLayout>

#include "design/durationedit.h"
#include "design/formwidgets.h"
#include "plan/thresholdexpression.h"

namespace loadscope {

namespace {

const QColor kInvalidBackground(0xfd, 0xe2, 0xe1);

//! The parse error of @p text in @p column, empty when it is fine.
QString cellProblem(int column, const QString &text)
{
    QString error;
    if (column == ThresholdsEditor::ExpressionColumn)
        ThresholdExpression::parse(text, &error);
    else if (column == ThresholdsEditor::MetricColumn)
        parseMetric(text, &error);
    return error;
}

//! Checks the cell while it is being typed, not only when the edit is committed.
class LiveCheckDelegate final : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &option,
                          const QModelIndex &index) const override
    {
        QWidget *editor = QStyledItemDelegate::createEditor(parent, option, index);
        if (auto *line = qobject_cast<QLineEdit *>(editor)) {
            const int column = index.column();
            if (column == ThresholdsEditor::MetricColumn) {
                auto *completer = new QCompleter(
                    {QStringLiteral("http_req_duration"), QStringLiteral("http_req_failed"),
                     QStringLiteral("http_reqs"), QStringLiteral("iteration_duration"),
                     QStringLiteral("checks"), QStringLiteral("http_req_waiting"),
                     QStringLiteral("http_req_connecting"), QStringLiteral("dropped_iterations")},
                    line);
                line->setCompleter(completer);
            }
            connect(line, &QLineEdit::textEdited, line, [line, column](const QString &text) {
                const QString problem = cellProblem(column, text);
                markInvalid(line, !problem.isEmpty(), problem);
            });
        }
        return editor;
    }
};

} // namespace

ThresholdsEditor::ThresholdsEditor(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(
        hintLabel(tr("k6 syntax: p(95)<200, avg<100, rate<0.01, count>10. Tag a "
                     "metric to limit it to one step: http_req_duration{name:login}."),
                  this));
    m_table = makeTable({tr("Metric"), tr("Expression"), tr("Abort on fail")}, this);
    m_table->horizontalHeader()->setSectionResizeMode(MetricColumn, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(ExpressionColumn, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(AbortColumn, QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->setItemDelegate(new LiveCheckDelegate(m_table));
    layout->addWidget(m_table, 1);
    layout->addLayout(addRemoveRow(
        this, m_table,
        [this] {
            ThresholdSpec spec;
            spec.metric = QStringLiteral("http_req_duration");
            spec.expression = QStringLiteral("p(95)<500");
            addRow(spec);
            readWidgets();
            m_table->setCurrentCell(m_table->rowCount() - 1, ExpressionColumn);
        },
        [this] { readWidgets(); }));
    connect(m_table, &QTableWidget::itemChanged, this, [this](QTableWidgetItem *item) {
        checkItem(item);
        readWidgets();
    });
}

void ThresholdsEditor::addRow(const ThresholdSpec &spec)
{
    const QSignalBlocker blocker(m_table);
    const int row = m_table->rowCount();
    m_table->insertRow(row);
    auto *metric = new QTableWidgetItem(spec.metric);
    auto *expression = new QTableWidgetItem(spec.expression);
    auto *abort = new QTableWidgetItem;
    abort->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
    abort->setCheckState(spec.abortOnFail ? Qt::Checked : Qt::Unchecked);
    m_table->setItem(row, MetricColumn, metric);
    m_table->setItem(row, ExpressionColumn, expression);
    m_table->setItem(row, AbortColumn, abort);
    checkItem(metric);
    checkItem(expression);
}

void ThresholdsEditor::checkItem(QTableWidgetItem *item)
{
    if (item->column() == AbortColumn)
        return;
    const QSignalBlocker blocker(m_table);
    const QString problem = cellProblem(item->column(), item->text().trimmed());
    item->setBackground(problem.isEmpty() ? QBrush() : QBrush(kInvalidBackground));
    item->setToolTip(problem);
}

void ThresholdsEditor::setThresholds(const QList<ThresholdSpec> &thresholds)
{
    m_loading = true;
    m_thresholds = thresholds;
    m_table->setRowCount(0);
    for (const ThresholdSpec &spec : thresholds)
        addRow(spec);
    m_loading = false;
}

void ThresholdsEditor::readWidgets()
{
    if (m_loading)
        return;
    QList<ThresholdSpec> thresholds;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        // Keep fields the table does not show (delayAbortEval) for rows that stay in place.
        ThresholdSpec spec = row < m_thresholds.size() ? m_thresholds.at(row) : ThresholdSpec{};
        spec.metric = m_table->item(row, MetricColumn)->text().trimmed();
        spec.expression = m_table->item(row, ExpressionColumn)->text().trimmed();
        spec.abortOnFail = m_table->item(row, AbortColumn)->checkState() == Qt::Checked;
        thresholds.append(spec);
    }
    if (thresholds == m_thresholds)
        return;
    m_thresholds = thresholds;
    emit thresholdsEdited();
}

void ThresholdsEditor::focusRow(int row)
{
    if (row < 0 || row >= m_table->rowCount())
        return;
    m_table->setCurrentCell(row, ExpressionColumn);
    m_table->setFocus();
}

} // namespace loadscope
