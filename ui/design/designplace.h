#pragma once

#include <functional>

#include <QWidget>

#include "plan/testplan.h"

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QTabWidget;
class QTableView;
class QTimer;

namespace loadscope {

class HistoryStore;
class LoadModelEditor;
class OptionsEditor;
class SendPanel;
class StepEditor;
class StepsTableModel;
class ThresholdsEditor;

//! The Design place (DESIGN.md §4.3): a form over the whole plan model, validated as it is
//! edited, with a load-shape preview and a one-request "Send".
class DesignPlace final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DesignPlace)

public:
    //! Asks the user a yes/no question; injectable so tests need no modal dialog.
    using ConfirmFunction = std::function<bool(const QString &question)>;

    explicit DesignPlace(QWidget *parent = nullptr);
    ~DesignPlace() override;

    //! The plan as the form describes it.
    TestPlan plan() const;
    //! Shows @p plan; the steps count as unedited afterwards.
    void setPlan(const TestPlan &plan);
    //! True when the plan has no errors (warnings allowed): it can run.
    bool isValid() const;

    //! Replaces the plan with the preset of @p type.
    void loadPreset(TestType type);
    //! Where an empty base URL sends requests: the built-in sample target.
    void setBuiltInBaseUrl(const QString &url);
    //! The store "Save to history" writes to (not owned; may be null).
    void setHistoryStore(HistoryStore *store);
    void setConfirmFunction(ConfirmFunction confirm);

    //! Reads a plan file; on failure @p error says "file: problem" and nothing changes.
    bool openFile(const QString &path, QString *error = nullptr);
    //! Writes the plan as indented JSON; on failure @p error names the file.
    bool saveFile(const QString &path, QString *error = nullptr);
    //! The file the plan was last opened from or saved to.
    QString currentFile() const { return m_currentFile; }
    //! Parses curl commands (one or several, see importCurlCommands()) and adds their steps
    //! after the selected one. When an origin differs from the plan's target, asks once whether
    //! to take it as the base URL or keep the steps' absolute URLs; cancelling returns false and
    //! changes nothing.
    bool importCurlCommand(const QString &command, QString *error = nullptr);
    //! Stores the plan as a test (updating the test of the same name); its id, or -1.
    qint64 saveToHistory(QString *error = nullptr);

    //! Runs validation now instead of after the debounce delay.
    void validateNow();
    //! Selects what a validator path ("steps[2].method", "load.vus", ...) points at.
    void focusIssuePath(const QString &path);
    int selectedStep() const;
    void selectStep(int row);

    QComboBox *typeCombo() const { return m_type; }
    QLineEdit *nameEdit() const { return m_name; }
    QLineEdit *baseUrlEdit() const { return m_baseUrl; }
    QTableView *stepsView() const { return m_stepsView; }
    StepEditor *stepEditor() const { return m_stepEditor; }
    LoadModelEditor *loadEditor() const { return m_loadEditor; }
    ThresholdsEditor *thresholdsEditor() const { return m_thresholdsEditor; }
    QListWidget *problemsList() const { return m_problems; }
    SendPanel *sendPanel() const { return m_sendPanel; }
    QAction *addStepAction() const { return m_addStep; }
    QAction *removeStepAction() const { return m_removeStep; }
    QAction *duplicateStepAction() const { return m_duplicateStep; }
    QAction *moveUpAction() const { return m_moveUp; }
    QAction *moveDownAction() const { return m_moveDown; }
    QAction *sendAction() const { return m_send; }

public slots:
    void addStep();
    void removeStep();
    void duplicateStep();
    void moveStepUp();
    void moveStepDown();
    //! Sends the selected step once (Ctrl+Enter).
    void sendSelectedStep();

signals:
    void planChanged();
    //! A validation pass finished; @p errors and @p warnings are counts.
    void validated(int errors, int warnings);
    void savedToHistory(qint64 testId);
    void currentFileChanged(const QString &path);

private:
    QWidget *createPlanBox();
    QWidget *createStepsBox();
    QWidget *createStepBox();
    QWidget *createLoadBox();
    void edited();
    void onTypePicked(int index);
    void onStepSelected();
    void onStepEdited();
    void addExtraction(const Extraction &extraction);
    void updateStepActions();
    void setCurrentFile(const QString &path);
    enum class CurlBaseUrl
    {
        UseCurlHost,
        KeepBaseUrl,
        Cancel
    };
    //! Asks whether a pasted curl command's origin replaces the plan's base URL (a modal box
    //! whose buttons are named useCurlBaseUrl, keepBaseUrl and cancelImport).
    CurlBaseUrl askCurlBaseUrl(const QString &curlBaseUrl);

    TestPlan m_plan; // everything but the steps, which live in m_steps
    bool m_loading = false;
    bool m_stepsEdited = false;
    QString m_builtInBaseUrl;
    QString m_currentFile;
    HistoryStore *m_store = nullptr;
    ConfirmFunction m_confirm;

    QComboBox *m_type = nullptr;
    QLineEdit *m_name = nullptr;
    QLineEdit *m_description = nullptr;
    QLineEdit *m_baseUrl = nullptr;
    QLineEdit *m_versionLabel = nullptr;
    QLabel *m_saveStatus = nullptr;
    StepsTableModel *m_steps = nullptr;
    QTableView *m_stepsView = nullptr;
    StepEditor *m_stepEditor = nullptr;
    LoadModelEditor *m_loadEditor = nullptr;
    ThresholdsEditor *m_thresholdsEditor = nullptr;
    OptionsEditor *m_optionsEditor = nullptr;
    QTabWidget *m_sideTabs = nullptr;
    QListWidget *m_problems = nullptr;
    QLabel *m_problemsTitle = nullptr;
    SendPanel *m_sendPanel = nullptr;
    QTimer *m_validateTimer = nullptr;
    QAction *m_addStep = nullptr;
    QAction *m_removeStep = nullptr;
    QAction *m_duplicateStep = nullptr;
    QAction *m_moveUp = nullptr;
    QAction *m_moveDown = nullptr;
    QAction *m_send = nullptr;
};

} // namespace loadscope
