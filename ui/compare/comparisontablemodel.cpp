#include "comparisontablemodel.h"

#include <algorithm>
#include <cmath>

#include <QBrush>
#include <QColor>
#include <QFont>

#include "compare/runanalysis.h"
#include "metrics/durationformat.h"

namespace loadscope {

namespace {

QString number(double value, int decimals)
{
    return std::isnan(value) ? QStringLiteral("–") : QString::number(value, 'f', decimals);
}

//! Enough decimals that sub-millisecond Server-Timing figures do not all read 0.0.
int decimalsFor(const MetricDelta &d)
{
    const double magnitude = std::max(std::abs(d.base), std::abs(d.candidate));
    if (magnitude < 1)
        return 3;
    return d.unit == QLatin1String("%") || magnitude < 10 ? 2 : 1;
}

//! "endpoint:GET /api/health p95" reads better as "GET /api/health · p95".
QString metricLabel(const QString &metric)
{
    QString text = metric;
    for (const QLatin1String prefix :
         {QLatin1String("endpoint:"), QLatin1String("server_timing:")}) {
        if (text.startsWith(prefix)) {
            text = text.mid(prefix.size());
            const int space = int(text.lastIndexOf(u' '));
            if (space > 0)
                text = text.left(space) + QStringLiteral("  ·  ") + text.mid(space + 1);
            if (prefix == QLatin1String("server_timing:"))
                text = QStringLiteral("Server-Timing ") + text;
        }
    }
    if (text == QLatin1String("errorRate"))
        return QStringLiteral("error rate");
    return text;
}

} // namespace

ComparisonTableModel::ComparisonTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

int ComparisonTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_metrics.size());
}

int ComparisonTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0
                            : FixedColumnCount + FieldCount * int(m_comparison.candidates.size());
}

int ComparisonTableModel::columnOf(int candidate, Field field)
{
    return FixedColumnCount + candidate * FieldCount + field;
}

void ComparisonTableModel::clear()
{
    setComparison(RunComparison());
}

void ComparisonTableModel::setComparison(const RunComparison &comparison)
{
    beginResetModel();
    m_comparison = comparison;
    m_metrics.clear();
    for (const QList<MetricDelta> &deltas : std::as_const(m_comparison.perCandidate)) {
        for (const MetricDelta &d : deltas) {
            if (!m_metrics.contains(d.metric))
                m_metrics.append(d.metric);
        }
    }
    endResetModel();
}

int ComparisonTableModel::rowOf(const QString &metric) const
{
    return int(m_metrics.indexOf(metric));
}

const MetricDelta *ComparisonTableModel::delta(int row, int candidate) const
{
    if (row < 0 || row >= m_metrics.size() || candidate < 0 ||
        candidate >= m_comparison.perCandidate.size())
        return nullptr;
    for (const MetricDelta &d : m_comparison.perCandidate.at(candidate)) {
        if (d.metric == m_metrics.at(row))
            return &d;
    }
    return nullptr;
}

QRgb ComparisonTableModel::background(MetricDelta::Verdict verdict) const
{
    switch (verdict) {
    case MetricDelta::Regression:
        return qRgb(0xfd, 0xe0, 0xdc);
    case MetricDelta::Improvement:
        return qRgb(0xdc, 0xf5, 0xe3);
    case MetricDelta::Inconclusive:
        return qRgb(0xff, 0xf3, 0xe0);
    default:
        return 0;
    }
}

QVariant ComparisonTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    const int column = index.column();
    // The baseline value is the same in every candidate's delta: take the first that has it.
    const MetricDelta *any = nullptr;
    for (int c = 0; c < m_comparison.perCandidate.size() && !any; ++c)
        any = delta(row, c);
    if (column < FixedColumnCount) {
        switch (role) {
        case Qt::DisplayRole:
            if (column == MetricColumn)
                return QString(metricLabel(m_metrics.at(row)) +
                               (any && !any->unit.isEmpty()
                                    ? QString(QStringLiteral(" (") + any->unit + u')')
                                    : QString()));
            return any ? number(any->base, decimalsFor(*any)) : QStringLiteral("–");
        case SortRole:
            return column == MetricColumn ? QVariant(m_metrics.at(row))
                                          : QVariant(any ? any->base : 0.0);
        case Qt::ToolTipRole:
            return m_metrics.at(row);
        case Qt::FontRole:
            if (column == MetricColumn && any && any->key) {
                QFont font;
                font.setBold(true);
                return font;
            }
            return {};
        case Qt::TextAlignmentRole:
            return column == MetricColumn ? int(Qt::AlignLeft | Qt::AlignVCenter)
                                          : int(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return {};
        }
    }
    const int candidate = (column - FixedColumnCount) / FieldCount;
    const auto field = Field((column - FixedColumnCount) % FieldCount);
    const MetricDelta *d = delta(row, candidate);
    if (!d)
        return role == Qt::DisplayRole ? QVariant(QStringLiteral("–")) : QVariant();
    switch (role) {
    case Qt::DisplayRole:
        switch (field) {
        case ValueField:
            if (d->unit == QLatin1String("ms"))
                return formatDurationMs(d->candidate);
            return number(d->candidate, decimalsFor(*d));
        case AbsDeltaField:
            if (d->unit == QLatin1String("ms"))
                return d->absDelta == 0
                           ? QStringLiteral("±0 µs")
                           : QString((d->absDelta > 0 ? QStringLiteral("+") : QString()) +
                                     formatDurationMs(d->absDelta));
            return QString((d->absDelta > 0 ? QStringLiteral("+") : QString()) +
                           number(d->absDelta, decimalsFor(*d)));
        case RelDeltaField:
            // A time change within the histogram's resolution (0 → 1 µs) is no percentage.
            if (d->unit == QLatin1String("ms") && !relativeChangePct(d->base, d->candidate))
                return QStringLiteral("–");
            return QString((d->relDeltaPct > 0 ? QStringLiteral("+") : QString()) +
                           number(d->relDeltaPct, 1) + u'%');
        case PValueField:
            if (std::isnan(d->pValue))
                return QStringLiteral("–");
            return d->pValue < 0.001 ? QStringLiteral("<0.001")
                                     : QString::number(d->pValue, 'f', 3);
        case VerdictField:
            return verdictName(d->verdict);
        case FieldCount:
            break;
        }
        return {};
    case SortRole:
        switch (field) {
        case ValueField:
            return d->candidate;
        case AbsDeltaField:
            return d->absDelta;
        case RelDeltaField:
            return d->relDeltaPct;
        case PValueField:
            return d->pValue;
        default:
            return int(d->verdict);
        }
    case VerdictRole:
        return int(d->verdict);
    case Qt::BackgroundRole:
        if (field != ValueField && field != PValueField) {
            const QRgb rgb = background(d->verdict);
            if (rgb != 0)
                return QBrush(QColor(rgb));
        }
        return {};
    case Qt::ForegroundRole:
        if (field == VerdictField || field == RelDeltaField)
            return QBrush(verdictColor(verdictName(d->verdict)));
        return {};
    case Qt::TextAlignmentRole:
        return field == VerdictField ? int(Qt::AlignLeft | Qt::AlignVCenter)
                                     : int(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ToolTipRole: {
        if (std::isnan(d->pValue))
            return tr("Not tested: fewer than %1 intervals with this metric on a side")
                .arg(m_comparison.options.minIntervals);
        QString tip =
            tr("p = %1, Holm-adjusted %2 (α = %3); standard error of the change %4 %5, "
               "of which run-to-run %6 %5 per run (%7)")
                .arg(d->pValue, 0, 'g', 3)
                .arg(d->pAdjusted, 0, 'g', 3)
                .arg(m_comparison.options.alpha)
                .arg(d->standardError, 0, 'g', 3)
                .arg(d->unit == QLatin1String("%") ? tr("pp") : tr("%"))
                .arg(d->runToRun, 0, 'g', 3)
                .arg(d->runToRunFromHistory
                         ? tr("measured over %1 earlier runs").arg(m_comparison.historyRuns)
                         : tr("default"));
        const QStringList reasons = m_comparison.inconclusiveReasons.value(candidate);
        if (!reasons.isEmpty())
            tip += u'\n' + tr("No verdict: %1").arg(reasons.join(QStringLiteral("; ")));
        return tip;
    }
    default:
        return {};
    }
}

QVariant ComparisonTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= columnCount())
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (section == MetricColumn)
        return tr("Metric");
    if (section == BaselineColumn)
        return role == Qt::ToolTipRole
                   ? tr("Baseline %1").arg(m_comparison.baseline.label)
                   : tr("Baseline %1").arg(m_comparison.baseline.label.section(u' ', 0, 0));
    const int candidate = (section - FixedColumnCount) / FieldCount;
    const QString label = m_comparison.candidates.at(candidate).label;
    switch (Field((section - FixedColumnCount) % FieldCount)) {
    case ValueField:
        return role == Qt::ToolTipRole ? label : label.section(u' ', 0, 0);
    case AbsDeltaField:
        return tr("Δ");
    case RelDeltaField:
        return tr("Δ %");
    case PValueField:
        return tr("p");
    case VerdictField:
        return tr("verdict");
    case FieldCount:
        break;
    }
    return {};
}

} // namespace loadscope
