#pragma once

#include <QAbstractTableModel>
#include <QList>

#include "metrics/runmetrics.h"

namespace loadscope {

//! Per-endpoint figures of a run as a table: live, request and error counts add up over the
//! intervals and rps and percentiles are the last interval's; after the run, setSummary()
//! replaces them with the whole-run figures from the endpoints' histograms.
class EndpointTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EndpointTableModel)

public:
    enum Column
    {
        EndpointColumn,
        RequestsColumn,
        ErrorsColumn,
        ErrorRateColumn,
        RpsColumn,
        P50Column,
        P95Column,
        P99Column,
        MaxColumn,
        ColumnCount
    };
    enum Role
    {
        SortRole = Qt::UserRole + 1 //!< raw numbers for sorting
    };

    explicit EndpointTableModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    //! Empties the table.
    void clear();
    //! Adds a batch of intervals: new endpoints become rows, known ones change in place.
    void addSamples(const QList<IntervalSample> &samples);
    //! Shows the whole-run figures of @p summary.
    void setSummary(const RunSummary &summary);
    //! True once setSummary() replaced the live figures.
    bool isFinal() const { return m_final; }
    //! Requests counted for endpoint @p name so far (0 if unknown).
    qint64 requests(const QString &name) const;

private:
    struct Row
    {
        QString name;
        qint64 requests = 0;
        qint64 errors = 0;
        double rps = 0;
        LatencyStats latency;
    };
    int rowOf(const QString &name) const;
    QVariant value(const Row &row, int column) const;

    QList<Row> m_rows;
    bool m_final = false;
};

} // namespace loadscope
