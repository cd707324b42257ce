#include "resultsfilterproxy.h"

#include "history/resultstablemodel.h"

namespace loadscope {

ResultsFilterProxy::ResultsFilterProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(ResultsTableModel::SortRole);
}

void ResultsFilterProxy::setTextFilter(const QString &text)
{
    m_text = text.trimmed();
    invalidateFilter();
}

void ResultsFilterProxy::setTypeFilter(const QString &type)
{
    m_type = type;
    invalidateFilter();
}

void ResultsFilterProxy::setStatusFilter(const QString &status)
{
    m_status = status;
    invalidateFilter();
}

void ResultsFilterProxy::setVersionFilter(const QString &label)
{
    m_version = label.trimmed();
    invalidateFilter();
}

void ResultsFilterProxy::setSourceFilter(const QString &tool)
{
    m_source = tool;
    invalidateFilter();
}

void ResultsFilterProxy::setDateRange(const QDateTime &from, const QDateTime &to)
{
    m_from = from;
    m_to = to;
    invalidateFilter();
}

bool ResultsFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const auto *model = qobject_cast<const ResultsTableModel *>(sourceModel());
    if (!model || sourceParent.isValid())
        return false;
    const ResultRecord &record = model->record(sourceRow);
    if (!m_text.isEmpty() && !record.testName.contains(m_text, Qt::CaseInsensitive))
        return false;
    if (!m_type.isEmpty() && record.testType != m_type)
        return false;
    if (!m_status.isEmpty() && resultStatusToString(record.status) != m_status)
        return false;
    if (!m_version.isEmpty() && !record.versionLabel.contains(m_version, Qt::CaseInsensitive))
        return false;
    if (!m_source.isEmpty()) {
        const QString tool =
            record.source.isImported() ? record.source.tool : QStringLiteral("loadscope");
        if (tool.compare(m_source, Qt::CaseInsensitive) != 0)
            return false;
    }
    if (m_from.isValid() && record.startedAt < m_from)
        return false;
    if (m_to.isValid() && record.startedAt > m_to)
        return false;
    return true;
}

} // namespace loadscope
