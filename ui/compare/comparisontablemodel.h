#pragma once

#include <QAbstractTableModel>
#include <QColor>
#include <QList>
#include <QStringList>

#include "analysis/runcomparison.h"

namespace loadscope {

//! A RunComparison as a table: one row per metric (throughput, error rate, percentiles,
//! Server-Timing, per endpoint), the baseline's value, then per candidate its value, the
//! absolute and relative change, the p of the change under the noise model (Holm-adjusted p and
//! the noise figures in its tooltip) and the verdict, coloured by verdict.
class ComparisonTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ComparisonTableModel)

public:
    //! Columns of one candidate, after MetricColumn and BaselineColumn.
    enum Field
    {
        ValueField,
        AbsDeltaField,
        RelDeltaField,
        PValueField,
        VerdictField,
        FieldCount
    };
    enum FixedColumn
    {
        MetricColumn,
        BaselineColumn,
        FixedColumnCount
    };
    enum Role
    {
        VerdictRole = Qt::UserRole + 1, //!< MetricDelta::Verdict of the cell's candidate (int)
        SortRole                        //!< raw number
    };

    explicit ComparisonTableModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    void setComparison(const RunComparison &comparison);
    void clear();
    const RunComparison &comparison() const { return m_comparison; }

    //! The column of @p field for candidate @p candidate (0-based).
    static int columnOf(int candidate, Field field);
    //! The row of metric @p metric ("p95", "endpoint:GET /api/health p95", ...), -1 if absent.
    int rowOf(const QString &metric) const;
    //! The delta of row @p row for candidate @p candidate; nullptr when it lacks the metric.
    const MetricDelta *delta(int row, int candidate) const;

private:
    QRgb background(MetricDelta::Verdict verdict) const;

    RunComparison m_comparison;
    QStringList m_metrics; //!< row order: the first candidate's, then any others'
};

} // namespace loadscope
