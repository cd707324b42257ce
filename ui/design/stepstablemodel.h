#pragma once

#include <QAbstractTableModel>
#include <QList>

#include "plan/testplan.h"

namespace loadscope {

//! The steps of a plan as a table: name, method, path, think time, #checks, #extractions.
//! It owns the step list the Design place edits.
class StepsTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StepsTableModel)

public:
    enum Column
    {
        NameColumn,
        MethodColumn,
        PathColumn,
        ThinkTimeColumn,
        ChecksColumn,
        ExtractionsColumn,
        ColumnCount
    };

    explicit StepsTableModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    const QList<Step> &steps() const { return m_steps; }
    void setSteps(const QList<Step> &steps);
    const Step &step(int row) const { return m_steps.at(row); }
    void setStep(int row, const Step &step);
    void insertStep(int row, const Step &step);
    void removeStep(int row);
    //! Moves the step at @p from so that it ends up at index @p to.
    void moveStep(int from, int to);

private:
    QList<Step> m_steps;
};

} // namespace loadscope
