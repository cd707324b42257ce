#pragma once

#include <QDateTime>
#include <QIdentityProxyModel>

#include "store/storetypes.h"

namespace loadscope {

class ResultsTableModel;

//! The History table's filters: test name text, type, status, version label, source, start
//! time and scheduled regressions. They run in SQL: each setter hands the ResultsTableModel
//! underneath a new ResultFilter, which reads its first page again; sorting is forwarded to it the
//! same way. Rows map one to one, so that the view keeps working through a proxy as before.
class ResultsFilterProxy final : public QIdentityProxyModel
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
    //! Only scheduled runs (`run --scheduled`) whose stored verdict is a regression, when @p on.
    void setScheduledRegressionsOnly(bool on);
    //! Runs started in [@p from, @p to]; an invalid bound is open.
    void setDateRange(const QDateTime &from, const QDateTime &to);

private:
    void apply();

    ResultFilter m_filter;
};

} // namespace loadscope
