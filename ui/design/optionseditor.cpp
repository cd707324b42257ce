#include "optionseditor.h"

#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include "design/durationedit.h"
#include "design/formwidgets.h"

namespace loadscope {

OptionsEditor::OptionsEditor(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    m_requestTimeout = new DurationEdit(this);
    m_connectTimeout = new DurationEdit(this);
    m_requestTimeout->setFixedWidth(100);
    m_connectTimeout->setFixedWidth(100);
    form->addRow(tr("Request timeout"), m_requestTimeout);
    form->addRow(tr("Connect timeout"), m_connectTimeout);
    auto *fileRow = new QHBoxLayout;
    m_dataFile = new QLineEdit(this);
    m_dataFile->setPlaceholderText(tr("CSV with a header row: one row per iteration"));
    auto *browse = new QPushButton(tr("Browse…"), this);
    fileRow->addWidget(m_dataFile, 1);
    fileRow->addWidget(browse);
    form->addRow(tr("Data file"), fileRow);
    layout->addLayout(form);

    layout->addWidget(sectionLabel(tr("Variables"), this));
    m_variables = makeTable({tr("Name"), tr("Value")}, this);
    m_variables->setColumnWidth(0, 160);
    layout->addWidget(m_variables, 1);
    layout->addLayout(addRemoveRow(
        this, m_variables,
        [this] {
            const QSignalBlocker blocker(m_variables);
            const int row = m_variables->rowCount();
            m_variables->insertRow(row);
            m_variables->setItem(row, 0, new QTableWidgetItem);
            m_variables->setItem(row, 1, new QTableWidgetItem);
            m_variables->editItem(m_variables->item(row, 0));
        },
        [this] { emit optionsEdited(); }));

    const auto edited = [this] {
        if (!m_loading)
            emit optionsEdited();
    };
    connect(m_requestTimeout, &DurationEdit::durationChanged, this, edited);
    connect(m_connectTimeout, &DurationEdit::durationChanged, this, edited);
    connect(m_dataFile, &QLineEdit::textEdited, this, edited);
    connect(m_variables, &QTableWidget::itemChanged, this, edited);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, tr("Data file"), m_dataFile->text(),
                                                          tr("CSV files (*.csv);;All files (*)"));
        if (file.isEmpty())
            return;
        m_dataFile->setText(file);
        emit optionsEdited();
    });
}

void OptionsEditor::setPlan(const TestPlan &plan)
{
    m_loading = true;
    m_requestTimeout->setDurationMs(plan.timeouts.requestMs);
    m_connectTimeout->setDurationMs(plan.timeouts.connectMs);
    m_dataFile->setText(plan.dataFile);
    {
        const QSignalBlocker blocker(m_variables);
        m_variables->setRowCount(0);
        for (auto it = plan.variables.cbegin(); it != plan.variables.cend(); ++it) {
            const int row = m_variables->rowCount();
            m_variables->insertRow(row);
            m_variables->setItem(row, 0, new QTableWidgetItem(it.key()));
            m_variables->setItem(row, 1, new QTableWidgetItem(it.value()));
        }
    }
    m_loading = false;
}

void OptionsEditor::apply(TestPlan *plan) const
{
    plan->timeouts.requestMs = m_requestTimeout->durationMs();
    plan->timeouts.connectMs = m_connectTimeout->durationMs();
    plan->dataFile = m_dataFile->text().trimmed();
    plan->variables.clear();
    for (int row = 0; row < m_variables->rowCount(); ++row) {
        const QTableWidgetItem *name = m_variables->item(row, 0);
        const QTableWidgetItem *value = m_variables->item(row, 1);
        if (name && !name->text().trimmed().isEmpty())
            plan->variables.insert(name->text().trimmed(), value ? value->text() : QString());
    }
}

void OptionsEditor::focusField(const QString &path)
{
    if (path == QLatin1String("timeouts.connect")) {
        m_connectTimeout->setFocus();
    } else if (path.startsWith(QLatin1String("timeouts"))) {
        m_requestTimeout->setFocus();
    } else if (path.startsWith(QLatin1String("variables."))) {
        const QString name = path.mid(int(qstrlen("variables.")));
        for (int row = 0; row < m_variables->rowCount(); ++row) {
            if (m_variables->item(row, 0) && m_variables->item(row, 0)->text().trimmed() == name)
                m_variables->setCurrentCell(row, 0);
        }
        m_variables->setFocus();
    } else {
        m_dataFile->setFocus();
    }
}

} // namespace loadscope
