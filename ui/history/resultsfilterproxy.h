#pragma once

#include <QDateTime>
#include <QSortFilterProxyModel>

namespace loadscope {

//! Filters a ResultsTableModel by test name text, type, status, version label and start time,
//! and sorts on its SortRole.
class ResultsFilterProxy final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ResultsFilterProxy)

public:
    explicit ResultsFilterProxy(QObject *parent = nullptr);

    //! Test names containing @p text (case-insensitive); empty = all.
    void setTextFilter(const QString &text);
    //! CLI type name ("LOAD_TEST"); empty = all.
    void setTypeFilter(const QString &type);
    //! Stored status spelling ("completed"); empty = all.
    void setStatusFilter(const QString &status);
    //! Version labels containing @p label (case-insensitive); empty = all.
    void setVersionFilter(const QString &label);
    //! Runs from tool @p tool ("k6", "JMeter", ...; "loadscope" = our own); empty = all.
    void setSourceFilter(const QString &tool);
    //! Runs started in [@p from, @p to]; an invalid bound is open.
    void setDateRange(const QDateTime &from, const QDateTime &to);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_text;
    QString m_type;
    QString m_status;
    QString m_version;
    QString m_source;
    QDateTime m_from;
    QDateTime m_to;
};

} // namespace loadscope
