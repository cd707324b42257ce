#include "resultstablemodel.h"

#include <cmath>
#include <limits>

#include <QApplication>
#include <QColor>
#include <QIcon>
#include <QStyle>

#include "metrics/durationformat.h"

namespace loadscope {

namespace {

QString figure(double value, int decimals)
{
    return std::isnan(value) ? QStringLiteral("–") : QString::number(value, 'f', decimals);
}

//! Missing figures sort before every real one.
double sortable(double value)
{
    return std::isnan(value) ? -std::numeric_limits<double>::max() : value;
}

} // namespace

ResultsTableModel::ResultsTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

int ResultsTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_results.size());
}

int ResultsTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

double ResultsTableModel::summaryValue(const ResultRecord &record, const char *group,
                                       const char *key)
{
    const QJsonValue value =
        record.summary.value(QLatin1String(group)).toObject().value(QLatin1String(key));
    return value.isDouble() ? value.toDouble() : std::numeric_limits<double>::quiet_NaN();
}

double ResultsTableModel::durationSec(const ResultRecord &record)
{
    const QJsonValue stored = record.summary.value(QLatin1String("durationSec"));
    if (stored.isDouble())
        return stored.toDouble();
    if (record.startedAt.isValid() && record.endedAt.isValid())
        return double(record.startedAt.msecsTo(record.endedAt)) / 1000.0;
    return std::numeric_limits<double>::quiet_NaN();
}

QVariant ResultsTableModel::displayValue(const ResultRecord &record, int column) const
{
    switch (column) {
    case IdColumn:
        return record.id;
    case TestColumn:
        return record.testName;
    case TypeColumn:
        return record.testType;
    case StatusColumn:
        return resultStatusToString(record.status);
    case VersionColumn:
        return record.versionLabel;
    case StartedColumn:
        return record.startedAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"));
    case DurationColumn: {
        const double seconds = durationSec(record);
        return std::isnan(seconds) ? QStringLiteral("–") : figure(seconds, 1) + u's';
    }
    case RpsColumn:
        return figure(summaryValue(record, "totals", "throughputRps"), 1);
    case P95Column: {
        const double p95 = summaryValue(record, "latencyMs", "p95");
        return std::isnan(p95) ? QStringLiteral("–") : formatDurationMs(p95);
    }
    case ErrorRateColumn:
        return figure(summaryValue(record, "totals", "errorRate") * 100.0, 2);
    case VerdictColumn: {
        const QString verdict = m_verdicts.value(record.id);
        if (verdict == QLatin1String("no significant change"))
            return tr("no change");
        if (verdict == QLatin1String("insufficient data"))
            return tr("too little data");
        return verdict.isEmpty() ? QStringLiteral("–") : verdict;
    }
    case SourceColumn:
        return record.source.isImported() ? record.source.tool : QStringLiteral("Loadscope");
    default:
        return {};
    }
}

QVariant ResultsTableModel::sortValue(const ResultRecord &record, int column) const
{
    switch (column) {
    case IdColumn:
        return record.id;
    case StartedColumn:
        return record.startedAt;
    case DurationColumn:
        return sortable(durationSec(record));
    case RpsColumn:
        return sortable(summaryValue(record, "totals", "throughputRps"));
    case P95Column:
        return sortable(summaryValue(record, "latencyMs", "p95"));
    case ErrorRateColumn:
        return sortable(summaryValue(record, "totals", "errorRate"));
    default:
        return displayValue(record, column);
    }
}

QVariant ResultsTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ResultRecord &record = m_results.at(index.row());
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return displayValue(record, column);
    case SortRole:
        return sortValue(record, column);
    case ResultIdRole:
        return record.id;
    case Qt::TextAlignmentRole:
        if (column == IdColumn || (column >= DurationColumn && column < VerdictColumn))
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::DecorationRole:
        if (column == IdColumn && m_baselines.contains(record.id))
            return QApplication::style()->standardIcon(QStyle::SP_DialogApplyButton);
        return {};
    case Qt::ToolTipRole:
        if (column == IdColumn && m_baselines.contains(record.id))
            return tr("Pinned baseline of %1").arg(record.testName);
        if (column == StatusColumn && !record.errorDetails.isEmpty())
            return record.errorDetails;
        if (column == TypeColumn)
            return record.testType;
        if (column == StartedColumn)
            return record.startedAt.toLocalTime().toString(Qt::ISODate);
        if (column == VerdictColumn)
            return m_verdicts.value(record.id).isEmpty()
                       ? tr("No baseline to compare with (first run of its test)")
                       : tr("Against the pinned baseline, else the previous completed run: %1")
                             .arg(m_verdicts.value(record.id));
        return {};
    case Qt::ForegroundRole:
        if (column == StatusColumn) {
            switch (record.status) {
            case ResultStatus::Completed:
                return QColor(0x2e, 0x7d, 0x32);
            case ResultStatus::Failed:
                return QColor(0xc6, 0x28, 0x28);
            case ResultStatus::Aborted:
                return QColor(0xef, 0x6c, 0x00);
            case ResultStatus::Running:
                return QColor(0x15, 0x65, 0xc0);
            }
        }
        if (column == VerdictColumn) {
            const QString verdict = m_verdicts.value(record.id);
            if (verdict == QLatin1String("regression"))
                return QColor(0xc6, 0x28, 0x28);
            if (verdict == QLatin1String("improvement"))
                return QColor(0x2e, 0x7d, 0x32);
            return QColor(0x75, 0x75, 0x75);
        }
        return {};
    default:
        return {};
    }
}

QVariant ResultsTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case IdColumn:
        return tr("ID");
    case TestColumn:
        return tr("Test");
    case TypeColumn:
        return tr("Type");
    case StatusColumn:
        return tr("Status");
    case VersionColumn:
        return tr("Version");
    case StartedColumn:
        return tr("Started");
    case DurationColumn:
        return tr("Duration");
    case RpsColumn:
        return tr("RPS");
    case P95Column:
        return tr("p95");
    case ErrorRateColumn:
        return tr("Errors %");
    case VerdictColumn:
        return tr("Verdict");
    case SourceColumn:
        return tr("Source");
    default:
        return {};
    }
}

void ResultsTableModel::setResults(const QList<ResultRecord> &results,
                                   const QSet<qint64> &baselines)
{
    beginResetModel();
    m_results = results;
    m_baselines = baselines;
    endResetModel();
}

void ResultsTableModel::setVerdicts(const QHash<qint64, QString> &verdicts)
{
    m_verdicts = verdicts;
    if (!m_results.isEmpty())
        emit dataChanged(index(0, VerdictColumn), index(int(m_results.size()) - 1, VerdictColumn));
}

int ResultsTableModel::rowOf(qint64 id) const
{
    for (int row = 0; row < m_results.size(); ++row) {
        if (m_results.at(row).id == id)
            return row;
    }
    return -1;
}

} // namespace loadscope
