#include "endpointtablemodel.h"

#include "metrics/durationformat.h"

namespace loadscope {

EndpointTableModel::EndpointTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

int EndpointTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int EndpointTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

int EndpointTableModel::rowOf(const QString &name) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).name == name)
            return i;
    }
    return -1;
}

qint64 EndpointTableModel::requests(const QString &name) const
{
    const int row = rowOf(name);
    return row < 0 ? 0 : m_rows.at(row).requests;
}

void EndpointTableModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_final = false;
    endResetModel();
}

void EndpointTableModel::addSamples(const QList<IntervalSample> &samples)
{
    if (samples.isEmpty() || m_final)
        return;
    const int before = int(m_rows.size());
    QList<Row> rows = m_rows;
    for (const IntervalSample &sample : samples) {
        for (const EndpointSample &e : sample.endpoints) {
            int row = -1;
            for (int i = 0; i < rows.size(); ++i) {
                if (rows.at(i).name == e.name) {
                    row = i;
                    break;
                }
            }
            if (row < 0) {
                rows.append(Row{e.name, 0, 0, 0, {}});
                row = int(rows.size()) - 1;
            }
            Row &r = rows[row];
            r.requests += e.totals.requests;
            r.errors += e.totals.errors;
            r.rps = sample.intervalSec > 0 ? double(e.totals.requests) / sample.intervalSec : 0;
            if (e.totals.requests > 0)
                r.latency = e.latency;
        }
    }
    // Rows are only ever appended while live: announce the new ones, then the changes.
    if (rows.size() > before) {
        beginInsertRows(QModelIndex(), before, int(rows.size()) - 1);
        m_rows = rows;
        endInsertRows();
    } else {
        m_rows = rows;
    }
    if (before > 0)
        emit dataChanged(index(0, RequestsColumn), index(before - 1, ColumnCount - 1),
                         {Qt::DisplayRole, SortRole});
}

void EndpointTableModel::setSummary(const RunSummary &summary)
{
    beginResetModel();
    m_rows.clear();
    for (const EndpointSummary &e : summary.endpoints) {
        Row row;
        row.name = e.name;
        row.requests = e.totals.requests;
        row.errors = e.totals.errors;
        row.rps = summary.durationSec > 0 ? double(e.totals.requests) / summary.durationSec : 0;
        row.latency = LatencyStats::fromHistogram(e.duration);
        m_rows.append(row);
    }
    m_final = true;
    endResetModel();
}

QVariant EndpointTableModel::value(const Row &row, int column) const
{
    switch (column) {
    case EndpointColumn:
        return row.name;
    case RequestsColumn:
        return row.requests;
    case ErrorsColumn:
        return row.errors;
    case ErrorRateColumn:
        return row.requests > 0 ? 100.0 * double(row.errors) / double(row.requests) : 0.0;
    case RpsColumn:
        return row.rps;
    case P50Column:
        return row.latency.p50Ms;
    case P95Column:
        return row.latency.p95Ms;
    case P99Column:
        return row.latency.p99Ms;
    case MaxColumn:
        return row.latency.maxMs;
    default:
        return {};
    }
}

QVariant EndpointTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole: {
        const QVariant v = value(row, column);
        if (column == EndpointColumn || column == RequestsColumn || column == ErrorsColumn)
            return v;
        if (column >= P50Column && column <= MaxColumn)
            return formatDurationMs(v.toDouble()); // µs / ms / s, three significant digits
        const int decimals = column == ErrorRateColumn ? 2 : 1;
        return QString::number(v.toDouble(), 'f', decimals);
    }
    case SortRole:
        return value(row, column);
    case Qt::TextAlignmentRole:
        return column == EndpointColumn ? int(Qt::AlignLeft | Qt::AlignVCenter)
                                        : int(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ToolTipRole:
        return column == EndpointColumn ? QVariant(row.name) : QVariant();
    default:
        return {};
    }
}

QVariant EndpointTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::ToolTipRole && section >= RpsColumn)
        return m_final ? tr("Whole run") : tr("Last interval");
    if (role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case EndpointColumn:
        return tr("Endpoint");
    case RequestsColumn:
        return tr("Requests");
    case ErrorsColumn:
        return tr("Errors");
    case ErrorRateColumn:
        return tr("Errors %");
    case RpsColumn:
        return tr("req/s");
    case P50Column:
        return tr("p50");
    case P95Column:
        return tr("p95");
    case P99Column:
        return tr("p99");
    case MaxColumn:
        return tr("max");
    default:
        return {};
    }
}

} // namespace loadscope
