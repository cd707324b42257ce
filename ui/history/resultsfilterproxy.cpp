#include "resultsfilterproxy.h"

#include "history/resultstablemodel.h"

namespace loadscope {

ResultsFilterProxy::ResultsFilterProxy(QObject *parent)
    : QIdentityProxyModel(parent)
{}

void ResultsFilterProxy::apply()
{
    if (auto *model = qobject_cast<ResultsTableModel *>(sourceModel()))
        model->setFilter(m_filter);
}

void ResultsFilterProxy::setTextFilter(const QString &text)
{
    m_filter.text = text.trimmed();
    apply();
}

void ResultsFilterProxy::setTypeFilter(const QString &type)
{
    m_filter.testType = type;
    apply();
}

void ResultsFilterProxy::setStatusFilter(const QString &status)
{
    m_filter.status = status;
    apply();
}

void ResultsFilterProxy::setVersionFilter(const QString &label)
{
    m_filter.versionText = label.trimmed();
    apply();
}

void ResultsFilterProxy::setSourceFilter(const QString &tool)
{
    m_filter.source = tool;
    apply();
}

void ResultsFilterProxy::setScheduledRegressionsOnly(bool on)
{
    m_filter.trigger = on ? QStringLiteral("schedule") : QString();
    m_filter.verdict = on ? QStringLiteral("regression") : QString();
    apply();
}

void ResultsFilterProxy::setDateRange(const QDateTime &from, const QDateTime &to)
{
    m_filter.from = from;
    m_filter.to = to;
    apply();
}

} // namespace loadscope
