#include "stepstablemodel.h"

#include <algorithm>

#include "plan/duration.h"

namespace loadscope {

StepsTableModel::StepsTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

int StepsTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_steps.size());
}

int StepsTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant StepsTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Step &step = m_steps.at(index.row());
    if (role == Qt::TextAlignmentRole) {
        if (index.column() >= ThinkTimeColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    }
    if (role == Qt::ToolTipRole && index.column() == PathColumn)
        return step.path;
    if (role != Qt::DisplayRole && role != Qt::EditRole)
        return {};
    switch (index.column()) {
    case NameColumn:
        return step.name;
    case MethodColumn:
        return step.method;
    case PathColumn:
        return step.path;
    case ThinkTimeColumn:
        return step.thinkTimeMs > 0 ? formatDurationMs(step.thinkTimeMs) : QStringLiteral("–");
    case ChecksColumn:
        return int(step.checks.size());
    case ExtractionsColumn:
        return int(step.extractions.size());
    default:
        return {};
    }
}

QVariant StepsTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole)
        return {};
    if (orientation == Qt::Vertical)
        return section + 1;
    switch (section) {
    case NameColumn:
        return tr("Name");
    case MethodColumn:
        return tr("Method");
    case PathColumn:
        return tr("Path");
    case ThinkTimeColumn:
        return tr("Think");
    case ChecksColumn:
        return tr("Checks");
    case ExtractionsColumn:
        return tr("Extracts");
    default:
        return {};
    }
}

void StepsTableModel::setSteps(const QList<Step> &steps)
{
    beginResetModel();
    m_steps = steps;
    endResetModel();
}

void StepsTableModel::setStep(int row, const Step &step)
{
    if (row < 0 || row >= m_steps.size() || m_steps.at(row) == step)
        return;
    m_steps[row] = step;
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void StepsTableModel::insertStep(int row, const Step &step)
{
    row = std::clamp(row, 0, int(m_steps.size()));
    beginInsertRows(QModelIndex(), row, row);
    m_steps.insert(row, step);
    endInsertRows();
}

void StepsTableModel::removeStep(int row)
{
    if (row < 0 || row >= m_steps.size())
        return;
    beginRemoveRows(QModelIndex(), row, row);
    m_steps.removeAt(row);
    endRemoveRows();
}

void StepsTableModel::moveStep(int from, int to)
{
    if (from < 0 || from >= m_steps.size() || to < 0 || to >= m_steps.size() || from == to)
        return;
    // beginMoveRows takes the destination as the row *before which* the item lands.
    const int destination = to > from ? to + 1 : to;
    beginMoveRows(QModelIndex(), from, from, QModelIndex(), destination);
    m_steps.move(from, to);
    endMoveRows();
}

} // namespace loadscope
