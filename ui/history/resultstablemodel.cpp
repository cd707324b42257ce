#include "resultstablemodel.h"

#include <cmath>
#include <limits>

#include <QApplication>
#include <QColor>
#include <QIcon>
#include <QStyle>

#include "metrics/durationformat.h"
#include "store/historystore.h"

namespace loadscope {

namespace {

QString figure(double value, int decimals)
{
    return std::isnan(value) ? QStringLiteral("–") : QString::number(value, 'f', decimals);
}

bool isScheduled(const ResultRecord &record)
{
    return record.figures.trigger == QLatin1String("schedule");
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
    if (const auto figure = record.figures.value(QLatin1String(group), QLatin1String(key)))
        return *figure;
    const QJsonValue value =
        record.summary.value(QLatin1String(group)).toObject().value(QLatin1String(key));
    return value.isDouble() ? value.toDouble() : std::numeric_limits<double>::quiet_NaN();
}

double ResultsTableModel::durationSec(const ResultRecord &record)
{
    if (record.figures.durationSec)
        return *record.figures.durationSec;
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
        const QString verdict = verdictOf(record);
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
    case ScheduledRegressionRole:
        return isScheduledRegression(record);
    case Qt::TextAlignmentRole:
        if (column == IdColumn || (column >= DurationColumn && column < VerdictColumn))
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::DecorationRole:
        if (column == IdColumn && record.pinned)
            return QApplication::style()->standardIcon(QStyle::SP_DialogApplyButton);
        if (column == VerdictColumn && isScheduledRegression(record))
            return QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning);
        return {};
    case Qt::ToolTipRole:
        if (column == IdColumn && record.pinned)
            return tr("Pinned baseline of %1").arg(record.testName);
        if (column == StatusColumn && !record.errorDetails.isEmpty())
            return record.errorDetails;
        if (column == TypeColumn)
            return record.testType;
        if (column == StartedColumn)
            return record.startedAt.toLocalTime().toString(Qt::ISODate);
        if (column == VerdictColumn) {
            if (isScheduledRegression(record)) {
                return tr("Scheduled run that regressed against its baseline (the pinned one,"
                          " else the previous completed run)");
            }
            if (!hasVerdict(record))
                return tr("Being computed…");
            const QString scheduled = isScheduled(record) ? tr("Scheduled run. ") : QString();
            return QString(
                scheduled +
                (verdictOf(record).isEmpty()
                     ? tr("No baseline to compare with (first run of its test)")
                     : tr("Against the pinned baseline, else the previous completed run: %1")
                           .arg(verdictOf(record))));
        }
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
            const QString verdict = verdictOf(record);
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

void ResultsTableModel::setStore(HistoryStore *store)
{
    m_store = store;
}

void ResultsTableModel::setFilter(const ResultFilter &filter)
{
    const ResultOrder order = m_filter.order;
    const bool ascending = m_filter.ascending;
    m_filter = filter;
    m_filter.order = order;
    m_filter.ascending = ascending;
    m_filter.limit = 0;
    m_filter.offset = 0;
    load(kPageSize); // other rows: the first page again
}

void ResultsTableModel::sort(int column, Qt::SortOrder order)
{
    static const QHash<int, ResultOrder> orders{{IdColumn, ResultOrder::Id},
                                                {TestColumn, ResultOrder::Test},
                                                {TypeColumn, ResultOrder::Type},
                                                {StatusColumn, ResultOrder::Status},
                                                {VersionColumn, ResultOrder::Version},
                                                {StartedColumn, ResultOrder::StartedAt},
                                                {DurationColumn, ResultOrder::Duration},
                                                {RpsColumn, ResultOrder::Rps},
                                                {P95Column, ResultOrder::P95},
                                                {ErrorRateColumn, ResultOrder::ErrorRate},
                                                {VerdictColumn, ResultOrder::Verdict},
                                                {SourceColumn, ResultOrder::Source}};
    const ResultOrder wanted = orders.value(column, ResultOrder::StartedAt);
    const bool ascending = order == Qt::AscendingOrder;
    if (wanted == m_filter.order && ascending == m_filter.ascending && m_generation > 1)
        return;
    m_filter.order = wanted;
    m_filter.ascending = ascending;
    load(kPageSize);
}

QList<ResultRecord> ResultsTableModel::readPage(int offset, int limit)
{
    if (!m_store || !m_store->isOpen())
        return {};
    ResultFilter page = m_filter;
    page.offset = offset;
    page.limit = limit;
    return m_store->listResultRows(page);
}

void ResultsTableModel::refresh()
{
    load(std::max(kPageSize, int(m_results.size())));
}

void ResultsTableModel::load(int wanted)
{
    // Receivers of modelReset (a view, a proxy, a model tester) may ask for more before every
    // receiver has heard of the reset; rows inserted then would reach a proxy mid-reset.
    m_changing = true;
    beginResetModel();
    ++m_generation;
    m_total = m_store && m_store->isOpen() ? m_store->countResults(m_filter) : 0;
    m_results = readPage(0, wanted);
    // A run stored between the two reads: the count follows what was read.
    m_total = std::max<qint64>(m_total, m_results.size());
    endResetModel();
    m_changing = false;
    emit rowsLoaded(0, int(m_results.size()) - 1);
}

bool ResultsTableModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && !m_changing && m_results.size() < m_total;
}

void ResultsTableModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    QList<ResultRecord> page = readPage(int(m_results.size()), kPageSize);
    if (page.isEmpty()) {
        m_total = m_results.size(); // runs deleted meanwhile: nothing more to fetch
        return;
    }
    const int first = int(m_results.size());
    m_changing = true; // no nested fetch from a receiver of rowsInserted either
    beginInsertRows(QModelIndex(), first, first + int(page.size()) - 1);
    m_results.append(page);
    endInsertRows();
    m_changing = false;
    emit rowsLoaded(first, int(m_results.size()) - 1);
}

int ResultsTableModel::fetchUntil(qint64 id)
{
    int row = rowOf(id);
    while (row < 0 && canFetchMore(QModelIndex())) {
        const int before = int(m_results.size());
        fetchMore(QModelIndex());
        if (m_results.size() == before)
            break;
        for (int i = before; i < m_results.size() && row < 0; ++i) {
            if (m_results.at(i).id == id)
                row = i;
        }
    }
    return row;
}

void ResultsTableModel::setVerdicts(quint64 generation, const QHash<qint64, QString> &verdicts)
{
    if (generation != m_generation)
        return; // computed for rows (or baselines) that are gone
    for (auto it = verdicts.constBegin(); it != verdicts.constEnd(); ++it)
        m_verdicts.insert(it.key(), it.value());
    if (!m_results.isEmpty())
        emit dataChanged(index(0, VerdictColumn), index(int(m_results.size()) - 1, VerdictColumn));
}

void ResultsTableModel::clearVerdicts()
{
    m_verdicts.clear();
    ++m_generation;
}

QString ResultsTableModel::verdict(qint64 id) const
{
    const int row = rowOf(id);
    if (row >= 0)
        return verdictOf(m_results.at(row));
    return m_verdicts.value(id);
}

QString ResultsTableModel::verdictOf(const ResultRecord &record) const
{
    if (!record.figures.verdict.isEmpty())
        return record.figures.verdict;
    return m_verdicts.value(record.id);
}

bool ResultsTableModel::isScheduledRegression(const ResultRecord &record) const
{
    return isScheduled(record) && verdictOf(record) == QLatin1String("regression");
}

bool ResultsTableModel::hasVerdict(const ResultRecord &record) const
{
    // RunSession's own analysis is stored with the summary; running and failed runs have none.
    return !record.figures.verdict.isEmpty() || m_verdicts.contains(record.id) ||
           record.status == ResultStatus::Running || record.status == ResultStatus::Failed;
}

QList<qint64> ResultsTableModel::rowsWithoutVerdict(int first) const
{
    QList<qint64> ids;
    for (int row = std::max(0, first); row < m_results.size(); ++row) {
        if (!hasVerdict(m_results.at(row)))
            ids.append(m_results.at(row).id);
    }
    return ids;
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
