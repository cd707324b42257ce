#pragma once

#include <QWidget>

#include "plan/testplan.h"

class QLineEdit;
class QTableWidget;

namespace loadscope {

class DurationEdit;

//! Edits the plan's timeouts, data file and variables.
class OptionsEditor final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OptionsEditor)

public:
    explicit OptionsEditor(QWidget *parent = nullptr);

    //! Shows the options of @p plan without emitting optionsEdited().
    void setPlan(const TestPlan &plan);
    //! Writes the edited options into @p plan.
    void apply(TestPlan *plan) const;
    //! Focuses the widget for a validator path ("timeouts.request", "variables.x", "dataFile").
    void focusField(const QString &path);

    QLineEdit *dataFileEdit() const { return m_dataFile; }
    QTableWidget *variablesTable() const { return m_variables; }

signals:
    void optionsEdited();

private:
    bool m_loading = false;
    DurationEdit *m_requestTimeout = nullptr;
    DurationEdit *m_connectTimeout = nullptr;
    QLineEdit *m_dataFile = nullptr;
    QTableWidget *m_variables = nullptr;
};

} // namespace loadscope
