#pragma once

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QSet>

#include "store/storetypes.h"

namespace loadscope {

class HistoryStore;

//! Stored runs as a table, read from the store a page at a time as the view scrolls
//! (canFetchMore()/fetchMore()) from the figures columns (HistoryStore::listResultRows()), so that
//! no summary JSON is read however long the history. Sorting (sort()) and filtering (setFilter())
//! run in SQL. Qt::DisplayRole is formatted text; SortRole holds the raw value.
//!
//! Every reset starts a new generation(): verdicts computed in the background for an earlier
//! one are dropped by setVerdicts().
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
        ResultIdRole,
        //! bool: a scheduled run (`run --scheduled`) whose verdict against its baseline is a
        //! regression; flagged with an icon and a tooltip in the verdict column.
        ScheduledRegressionRole
    };

    //! Rows read per page.
    static constexpr int kPageSize = 200;

    explicit ResultsTableModel(QObject *parent = nullptr);

    //! Reads from @p store (not owned; it must outlive the model). Call refresh() to read.
    void setStore(HistoryStore *store);
    //! Filters in SQL (its order, limit and offset are the model's own); reads again.
    void setFilter(const ResultFilter &filter);
    const ResultFilter &filter() const { return m_filter; }
    //! Reads the rows again from the first page, at least as many as were loaded (so that a
    //! selection survives); a new generation.
    void refresh();
    //! How many runs match the filter (loaded or not).
    qint64 totalCount() const { return m_total; }
    quint64 generation() const { return m_generation; }
    //! Loads pages until run @p id is loaded or none is left; its row, or -1.
    int fetchUntil(qint64 id);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    //! Sorts in SQL and reads again from the first page.
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

    const ResultRecord &record(int row) const { return m_results.at(row); }
    const QList<ResultRecord> &records() const { return m_results; }
    //! The row of result @p id, -1 if absent.
    int rowOf(qint64 id) const;
    bool isBaseline(int row) const { return m_results.at(row).pinned; }
    //! Adds verdicts against the baseline ("regression", ... as verdictName()) by result id,
    //! computed for @p generation; dropped when the model has been reset since. An empty one:
    //! the run has no baseline.
    void setVerdicts(quint64 generation, const QHash<qint64, QString> &verdicts);
    //! Forgets the computed verdicts (a baseline changed); a new generation.
    void clearVerdicts();
    //! The verdict stored with the run's summary, else the one computed; empty when none.
    QString verdict(qint64 id) const;
    //! Whether @p record is a scheduled run that regressed against its baseline.
    bool isScheduledRegression(const ResultRecord &record) const;
    //! Whether run @p id has a verdict (stored, or computed with or without a baseline).
    bool hasVerdict(const ResultRecord &record) const;
    //! The loaded rows from @p first on whose verdict is still to be computed.
    QList<qint64> rowsWithoutVerdict(int first = 0) const;

signals:
    //! Rows [@p first, @p last] were appended by fetchMore(), or the model was reset (first 0).
    void rowsLoaded(int first, int last);

public:
    //! A figure ("totals", "throughputRps"): the figures columns, else the summary (a full
    //! record); NaN when absent.
    static double summaryValue(const ResultRecord &record, const char *group, const char *key);
    //! The run's length in seconds: its durationSec figure, else end - start; NaN while unknown.
    static double durationSec(const ResultRecord &record);

private:
    QVariant displayValue(const ResultRecord &record, int column) const;
    QVariant sortValue(const ResultRecord &record, int column) const;
    QList<ResultRecord> readPage(int offset, int limit);
    //! Resets to the first @p rows of the current filter and order; a new generation.
    void load(int rows);
    QString verdictOf(const ResultRecord &record) const;

    HistoryStore *m_store = nullptr;
    ResultFilter m_filter;
    QList<ResultRecord> m_results;
    qint64 m_total = 0;
    quint64 m_generation = 1;
    //! Within a reset or an insertion, until every receiver heard of it: no fetch meanwhile.
    bool m_changing = false;
    QHash<qint64, QString> m_verdicts;
};

} // namespace loadscope
