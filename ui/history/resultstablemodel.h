#pragma once

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QSet>

#include "store/storetypes.h"

namespace loadscope {

//! Stored runs as a table (HistoryStore::listResults). Qt::DisplayRole is formatted text;
//! SortRole holds the raw value (numbers, QDateTime) so that sorting is numeric.
class ResultsTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ResultsTableModel)

public:
    enum Column
    {
        IdColumn,
        TestColumn,
        TypeColumn,
        StatusColumn,
        VersionColumn,
        StartedColumn,
        DurationColumn,
        RpsColumn,
        P95Column,
        ErrorRateColumn,
        VerdictColumn,
        SourceColumn, //!< "Loadscope", or the tool an imported run came from
        ColumnCount
    };
    enum Role
    {
        SortRole = Qt::UserRole + 1,
        ResultIdRole
    };

    explicit ResultsTableModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    //! Replaces the rows; @p baselines are the ids of pinned baseline results.
    void setResults(const QList<ResultRecord> &results, const QSet<qint64> &baselines = {});
    const ResultRecord &record(int row) const { return m_results.at(row); }
    const QList<ResultRecord> &records() const { return m_results; }
    //! The row of result @p id, -1 if absent.
    int rowOf(qint64 id) const;
    bool isBaseline(int row) const { return m_baselines.contains(m_results.at(row).id); }
    //! Sets the verdicts against the baseline ("regression", ... as verdictName()), by result
    //! id; a run without an entry (or an empty one) has no baseline.
    void setVerdicts(const QHash<qint64, QString> &verdicts);
    QString verdict(qint64 id) const { return m_verdicts.value(id); }

    //! A number from the summary JSON ("totals", "throughputRps"); NaN when absent.
    static double summaryValue(const ResultRecord &record, const char *group, const char *key);
    //! The run's length in seconds: summary durationSec, else end - start; NaN while unknown.
    static double durationSec(const ResultRecord &record);

private:
    QVariant displayValue(const ResultRecord &record, int column) const;
    QVariant sortValue(const ResultRecord &record, int column) const;

    QList<ResultRecord> m_results;
    QSet<qint64> m_baselines;
    QHash<qint64, QString> m_verdicts;
};

} // namespace loadscope
