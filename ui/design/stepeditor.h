#pragma once

#include <QWidget>

#include "plan/testplan.h"

class QComboBox;
class QLineEdit;
class QPlainTextEdit;
class QTableWidget;
class QTabWidget;
class QSpinBox;

namespace loadscope {

class DurationEdit;

//! Edits one step: method, path, think time, headers, body, checks and extractions.
class StepEditor final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StepEditor)

public:
    explicit StepEditor(QWidget *parent = nullptr);

    //! Shows @p step without emitting stepEdited().
    void setStep(const Step &step);
    //! The step as the widgets describe it.
    Step step() const { return m_step; }
    //! Focuses the widget for a validator path suffix: "method", "path", "headers[1].name",
    //! "body", "thinkTime", "checks[0].pointer", "extract[2].name", ...
    void focusField(const QString &field);

    QComboBox *methodCombo() const { return m_method; }
    QLineEdit *nameEdit() const { return m_name; }
    QLineEdit *pathEdit() const { return m_path; }
    QPlainTextEdit *bodyEdit() const { return m_body; }
    QTableWidget *headersTable() const { return m_headers; }
    QTableWidget *checksTable() const { return m_checks; }
    QTableWidget *extractionsTable() const { return m_extractions; }

public slots:
    //! Reformats the body as indented JSON; false (and nothing changes) when it is not JSON.
    bool prettyPrintBody();

signals:
    void stepEdited();

private:
    QWidget *createRequestTab();
    QWidget *createChecksTab();
    QWidget *createExtractionsTab();
    void addCheckRow(const Check &check);
    void addExtractionRow(const Extraction &extraction);
    void readWidgets();

    Step m_step;
    bool m_loading = false;
    QTabWidget *m_tabs = nullptr;
    QLineEdit *m_name = nullptr;
    QComboBox *m_method = nullptr;
    QLineEdit *m_path = nullptr;
    DurationEdit *m_thinkTime = nullptr;
    QTableWidget *m_headers = nullptr;
    QPlainTextEdit *m_body = nullptr;
    QLineEdit *m_bodyFile = nullptr;
    QTableWidget *m_checks = nullptr;
    QTableWidget *m_extractions = nullptr;
};

} // namespace loadscope
