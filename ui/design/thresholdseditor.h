#pragma once

#include <QWidget>

#include "plan/testplan.h"

class QTableWidget;
class QTableWidgetItem;

namespace loadscope {

//! Edits thresholds as metric / expression / abort-on-fail rows. Expressions are parsed as
//! they are typed (ThresholdExpression::parse): a bad one turns its cell red, with the parse
//! error as tooltip.
class ThresholdsEditor final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ThresholdsEditor)

public:
    enum Column
    {
        MetricColumn,
        ExpressionColumn,
        AbortColumn
    };

    explicit ThresholdsEditor(QWidget *parent = nullptr);

    //! Shows @p thresholds without emitting thresholdsEdited().
    void setThresholds(const QList<ThresholdSpec> &thresholds);
    QList<ThresholdSpec> thresholds() const { return m_thresholds; }
    //! Selects row @p row and focuses its expression.
    void focusRow(int row);

    QTableWidget *table() const { return m_table; }

signals:
    void thresholdsEdited();

private:
    void addRow(const ThresholdSpec &spec);
    void readWidgets();
    void checkItem(QTableWidgetItem *item);

    QList<ThresholdSpec> m_thresholds;
    bool m_loading = false;
    QTableWidget *m_table = nullptr;
};

} // namespace loadscope
