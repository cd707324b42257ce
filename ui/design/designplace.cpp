#include "designplace.h"

#include <QAction>
#include <QComboBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSaveFile>
#include <QScrollArea>
#include <QSplitter>
#include <QStyle>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QUrl>
#include <QVBoxLayout>

#include "design/durationedit.h"
#include "design/formwidgets.h"
#include "design/loadmodeleditor.h"
#include "design/optionseditor.h"
#include "design/sendpanel.h"
#include "design/stepeditor.h"
#include "design/stepstablemodel.h"
#include "design/thresholdseditor.h"
#include "interop/curlimport.h"
#include "plan/planjson.h"
#include "plan/planpresets.h"
#include "plan/planvalidator.h"
#include "store/historystore.h"

namespace loadscope {

namespace {

constexpr int kPathRole = Qt::UserRole + 1;

QGroupBox *group(const QString &title, QWidget *parent)
{
    auto *box = new QGroupBox(title, parent);
    return box;
}

} // namespace

DesignPlace::DesignPlace(QWidget *parent)
    : QWidget(parent)
    , m_steps(new StepsTableModel(this))
    , m_validateTimer(new QTimer(this))
{
    m_confirm = [this](const QString &question) {
        return QMessageBox::question(this, tr("Loadscope"), question) == QMessageBox::Yes;
    };
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(QStringLiteral("designSplitter"));
    splitter->setChildrenCollapsible(false);

    auto *left = new QWidget(splitter);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 4, 0);
    leftLayout->addWidget(createPlanBox());
    leftLayout->addWidget(createStepsBox(), 1);
    auto *problemsBox = group(tr("Problems"), left);
    auto *problemsLayout = new QVBoxLayout(problemsBox);
    m_problemsTitle = hintLabel(QString(), problemsBox);
    m_problems = new QListWidget(problemsBox);
    m_problems->setWordWrap(true);
    m_problems->setMinimumHeight(60);
    m_problems->setMaximumHeight(150);
    problemsLayout->addWidget(m_problemsTitle);
    problemsLayout->addWidget(m_problems, 1);
    leftLayout->addWidget(problemsBox);

    // Each column scrolls on its own when the window is smaller than the form (1024×640).
    splitter->addWidget(scrollable(left, splitter));
    splitter->addWidget(scrollable(createStepBox(), splitter));
    splitter->addWidget(scrollable(createLoadBox(), splitter));
    splitter->setStretchFactor(0, 4);
    splitter->setStretchFactor(1, 5);
    splitter->setStretchFactor(2, 4);
    splitter->setSizes({440, 500, 440});
    layout->addWidget(splitter);

    m_validateTimer->setSingleShot(true);
    m_validateTimer->setInterval(250);
    connect(m_validateTimer, &QTimer::timeout, this, &DesignPlace::validateNow);
    connect(m_problems, &QListWidget::itemClicked, this,
            [this](QListWidgetItem *item) { focusIssuePath(item->data(kPathRole).toString()); });
    connect(m_problems, &QListWidget::itemActivated, this,
            [this](QListWidgetItem *item) { focusIssuePath(item->data(kPathRole).toString()); });
    setBuiltInBaseUrl(QString());
    setPlan(presetPlan(TestType::ApiLatency));
}

DesignPlace::~DesignPlace() = default;

QWidget *DesignPlace::createPlanBox()
{
    auto *box = group(tr("Plan"), this);
    auto *form = new QFormLayout(box);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    // A narrow column puts the labels above their fields rather than scroll sideways.
    form->setRowWrapPolicy(QFormLayout::WrapLongRows);
    m_type = new QComboBox(box);
    for (const TestType type : allTestTypes())
        m_type->addItem(testTypeName(type), int(type));
    // As narrow as the column: the longest type name (ML_PREDICTION_THROUGHPUT) elides.
    m_type->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_type->setMinimumContentsLength(12);
    m_name = new QLineEdit(box);
    m_description = new QLineEdit(box);
    m_baseUrl = new QLineEdit(box);
    m_versionLabel = new QLineEdit(box);
    m_versionLabel->setPlaceholderText(tr("version of the target under test, e.g. v1.4.2"));
    form->addRow(tr("Test type"), m_type);
    form->addRow(tr("Name"), m_name);
    form->addRow(tr("Description"), m_description);
    form->addRow(tr("Base URL"), m_baseUrl);
    form->addRow(tr("Version label"), m_versionLabel);
    auto *saveRow = new QHBoxLayout;
    m_saveStatus = hintLabel(QString(), box);
    auto *saveButton = new QPushButton(tr("Save to history"), box);
    saveButton->setToolTip(tr("Store this plan as a test in the history database"));
    saveRow->addWidget(m_saveStatus, 1);
    saveRow->addWidget(saveButton);
    form->addRow(saveRow);

    connect(m_type, &QComboBox::currentIndexChanged, this, &DesignPlace::onTypePicked);
    const auto text = [this](QLineEdit *edit, QString TestPlan::*field) {
        connect(edit, &QLineEdit::textEdited, this, [this, field](const QString &value) {
            m_plan.*field = value.trimmed();
            edited();
        });
    };
    text(m_name, &TestPlan::name);
    text(m_description, &TestPlan::description);
    text(m_baseUrl, &TestPlan::baseUrl);
    text(m_versionLabel, &TestPlan::versionLabel);
    connect(saveButton, &QPushButton::clicked, this, [this] {
        QString error;
        const qint64 id = saveToHistory(&error);
        m_saveStatus->setText(id > 0 ? tr("Saved as test #%1").arg(id) : error);
    });
    return box;
}

QWidget *DesignPlace::createStepsBox()
{
    auto *box = group(tr("Steps"), this);
    auto *layout = new QVBoxLayout(box);
    auto *toolbar = new QToolBar(box);
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    toolbar->setIconSize(QSize(16, 16));
    const auto action = [this, toolbar](const QString &text, const QKeySequence &shortcut,
                                        void (DesignPlace::*slot)()) {
        auto *a = new QAction(text, this);
        a->setShortcut(shortcut);
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        a->setToolTip(text + QStringLiteral(" (") + shortcut.toString(QKeySequence::NativeText) +
                      u')');
        connect(a, &QAction::triggered, this, slot);
        toolbar->addAction(a);
        addAction(a);
        return a;
    };
    m_addStep =
        action(tr("Add"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N), &DesignPlace::addStep);
    m_duplicateStep =
        action(tr("Duplicate"), QKeySequence(Qt::CTRL | Qt::Key_D), &DesignPlace::duplicateStep);
    m_removeStep =
        action(tr("Remove"), QKeySequence(Qt::CTRL | Qt::Key_Delete), &DesignPlace::removeStep);
    toolbar->addSeparator();
    m_moveUp = action(tr("Up"), QKeySequence(Qt::ALT | Qt::Key_Up), &DesignPlace::moveStepUp);
    m_moveDown =
        action(tr("Down"), QKeySequence(Qt::ALT | Qt::Key_Down), &DesignPlace::moveStepDown);
    layout->addWidget(toolbar);

    m_stepsView = new QTableView(box);
    m_stepsView->setModel(m_steps);
    m_stepsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_stepsView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_stepsView->setAlternatingRowColors(true);
    m_stepsView->verticalHeader()->setDefaultSectionSize(m_stepsView->fontMetrics().height() + 10);
    m_stepsView->horizontalHeader()->setHighlightSections(false);
    // Columns as wide as their contents while they fit, narrower (eliding) in a narrow column;
    // the path takes what is left.
    m_stepsView->horizontalHeader()->setSectionResizeMode(StepsTableModel::PathColumn,
                                                          QHeaderView::Stretch);
    fitColumnsToWidth(m_stepsView, true, 30);
    m_stepsView->setMinimumHeight(110);
    layout->addWidget(m_stepsView, 1);
    connect(m_stepsView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &DesignPlace::onStepSelected);
    connect(m_steps, &QAbstractItemModel::rowsMoved, this, &DesignPlace::updateStepActions);
    return box;
}

QWidget *DesignPlace::createStepBox()
{
    auto *column = new QSplitter(Qt::Vertical, this);
    column->setObjectName(QStringLiteral("designStepSplitter"));
    column->setChildrenCollapsible(false);
    auto *stepBox = group(tr("Selected step"), column);
    auto *stepLayout = new QVBoxLayout(stepBox);
    m_stepEditor = new StepEditor(stepBox);
    stepLayout->addWidget(m_stepEditor);
    connect(m_stepEditor, &StepEditor::stepEdited, this, &DesignPlace::onStepEdited);

    auto *responseBox = group(tr("Try it"), column);
    auto *responseLayout = new QVBoxLayout(responseBox);
    auto *sendRow = new QHBoxLayout;
    m_send = new QAction(tr("Send"), this);
    m_send->setShortcuts(
        {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
    m_send->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(m_send);
    auto *sendButton = new QPushButton(tr("Send  (Ctrl+Enter)"), responseBox);
    sendButton->setDefault(false);
    sendButton->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    connect(sendButton, &QPushButton::clicked, m_send, &QAction::trigger);
    connect(m_send, &QAction::triggered, this, &DesignPlace::sendSelectedStep);
    sendRow->addWidget(hintLabel(tr("Try the selected step once."), responseBox), 1);
    sendRow->addWidget(sendButton);
    responseLayout->addLayout(sendRow);
    m_sendPanel = new SendPanel(responseBox);
    responseLayout->addWidget(m_sendPanel, 1);
    connect(m_sendPanel, &SendPanel::extractRequested, this, &DesignPlace::addExtraction);

    column->addWidget(stepBox);
    column->addWidget(responseBox);
    column->setSizes({470, 330});
    return column;
}

QWidget *DesignPlace::createLoadBox()
{
    auto *column = new QSplitter(Qt::Vertical, this);
    column->setObjectName(QStringLiteral("designLoadSplitter"));
    column->setChildrenCollapsible(false);
    auto *loadBox = group(tr("Load shape"), column);
    auto *loadLayout = new QVBoxLayout(loadBox);
    m_loadEditor = new LoadModelEditor(loadBox);
    loadLayout->addWidget(m_loadEditor);
    connect(m_loadEditor, &LoadModelEditor::loadEdited, this, [this] {
        m_plan.load = m_loadEditor->loadModel();
        edited();
    });

    m_sideTabs = new QTabWidget(column);
    m_sideTabs->setUsesScrollButtons(true); // never wider than the column
    m_sideTabs->setElideMode(Qt::ElideRight);
    m_thresholdsEditor = new ThresholdsEditor(m_sideTabs);
    m_optionsEditor = new OptionsEditor(m_sideTabs);
    m_sideTabs->addTab(m_thresholdsEditor, tr("Thresholds"));
    m_sideTabs->addTab(m_optionsEditor, tr("Timeouts && data"));
    connect(m_thresholdsEditor, &ThresholdsEditor::thresholdsEdited, this, [this] {
        m_plan.thresholds = m_thresholdsEditor->thresholds();
        edited();
    });
    connect(m_optionsEditor, &OptionsEditor::optionsEdited, this, [this] {
        m_optionsEditor->apply(&m_plan);
        edited();
    });
    column->addWidget(loadBox);
    column->addWidget(m_sideTabs);
    column->setSizes({500, 300});
    return column;
}

TestPlan DesignPlace::plan() const
{
    TestPlan plan = m_plan;
    plan.steps = m_steps->steps();
    return plan;
}

void DesignPlace::setPlan(const TestPlan &plan)
{
    m_loading = true;
    m_plan = plan;
    m_type->setCurrentIndex(m_type->findData(int(plan.type)));
    m_name->setText(plan.name);
    m_description->setText(plan.description);
    m_baseUrl->setText(plan.baseUrl);
    m_versionLabel->setText(plan.versionLabel);
    for (QLineEdit *edit : {m_name, m_description, m_baseUrl, m_versionLabel})
        edit->setCursorPosition(0); // show the start of long text, not its end
    m_steps->setSteps(plan.steps);
    m_loadEditor->setLoadModel(plan.load);
    m_thresholdsEditor->setThresholds(plan.thresholds);
    m_optionsEditor->setPlan(plan);
    m_loading = false;
    m_stepsEdited = false;
    selectStep(plan.steps.isEmpty() ? -1 : 0);
    onStepSelected();
    validateNow();
    emit planChanged();
}

bool DesignPlace::isValid() const
{
    return planErrors(plan()).isEmpty();
}

void DesignPlace::loadPreset(TestType type)
{
    setPlan(presetPlan(type));
    setCurrentFile(QString());
}

void DesignPlace::setBuiltInBaseUrl(const QString &url)
{
    m_builtInBaseUrl = url;
    m_baseUrl->setPlaceholderText(url.isEmpty() ? tr("built-in sample API")
                                                : tr("built-in sample API (%1)").arg(url));
}

void DesignPlace::setHistoryStore(HistoryStore *store)
{
    m_store = store;
}

void DesignPlace::setConfirmFunction(ConfirmFunction confirm)
{
    m_confirm = std::move(confirm);
}

void DesignPlace::edited()
{
    if (m_loading)
        return;
    m_validateTimer->start();
    emit planChanged();
}

void DesignPlace::onTypePicked(int index)
{
    if (m_loading || index < 0)
        return;
    const auto type = TestType(m_type->itemData(index).toInt());
    if (type == m_plan.type)
        return;
    const bool replace =
        !m_stepsEdited ||
        m_confirm(tr("Replace the edited steps, load and thresholds with the %1 preset?\n"
                     "Choose No to keep them and only change the test type.")
                      .arg(testTypeName(type)));
    if (!replace) {
        m_plan.type = type;
        edited();
        return;
    }
    TestPlan preset = presetPlan(type);
    // The target is the user's choice, not the preset's.
    preset.baseUrl = m_plan.baseUrl;
    preset.versionLabel = m_plan.versionLabel;
    setPlan(preset);
}

int DesignPlace::selectedStep() const
{
    const QModelIndex current = m_stepsView->selectionModel()->currentIndex();
    return current.isValid() ? current.row() : -1;
}

void DesignPlace::selectStep(int row)
{
    if (row < 0 || row >= m_steps->rowCount()) {
        m_stepsView->selectionModel()->clearCurrentIndex();
        m_stepsView->clearSelection();
        return;
    }
    m_stepsView->selectionModel()->setCurrentIndex(
        m_steps->index(row, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

void DesignPlace::onStepSelected()
{
    const int row = selectedStep();
    m_stepEditor->setEnabled(row >= 0);
    m_stepEditor->setStep(row >= 0 ? m_steps->step(row) : Step{});
    updateStepActions();
}

void DesignPlace::onStepEdited()
{
    const int row = selectedStep();
    if (row < 0)
        return;
    m_steps->setStep(row, m_stepEditor->step());
    m_stepsEdited = true;
    edited();
}

void DesignPlace::updateStepActions()
{
    const int row = selectedStep();
    const int count = m_steps->rowCount();
    m_removeStep->setEnabled(row >= 0);
    m_duplicateStep->setEnabled(row >= 0);
    m_moveUp->setEnabled(row > 0);
    m_moveDown->setEnabled(row >= 0 && row + 1 < count);
    m_send->setEnabled(row >= 0);
}

void DesignPlace::addStep()
{
    Step step;
    step.name = tr("step %1").arg(m_steps->rowCount() + 1);
    step.path = QStringLiteral("/api/health");
    Check status;
    step.checks = {status};
    const int row = selectedStep() + 1 > 0 ? selectedStep() + 1 : m_steps->rowCount();
    m_steps->insertStep(row, step);
    selectStep(row);
    m_stepsEdited = true;
    edited();
    m_stepEditor->focusField(QStringLiteral("path"));
}

void DesignPlace::removeStep()
{
    const int row = selectedStep();
    if (row < 0)
        return;
    m_steps->removeStep(row);
    selectStep(std::min(row, m_steps->rowCount() - 1));
    onStepSelected();
    m_stepsEdited = true;
    edited();
}

void DesignPlace::duplicateStep()
{
    const int row = selectedStep();
    if (row < 0)
        return;
    Step copy = m_steps->step(row);
    if (!copy.name.isEmpty())
        copy.name += tr(" copy");
    m_steps->insertStep(row + 1, copy);
    selectStep(row + 1);
    m_stepsEdited = true;
    edited();
}

void DesignPlace::moveStepUp()
{
    const int row = selectedStep();
    if (row <= 0)
        return;
    m_steps->moveStep(row, row - 1);
    selectStep(row - 1);
    m_stepsEdited = true;
    edited();
}

void DesignPlace::moveStepDown()
{
    const int row = selectedStep();
    if (row < 0 || row + 1 >= m_steps->rowCount())
        return;
    m_steps->moveStep(row, row + 1);
    selectStep(row + 1);
    m_stepsEdited = true;
    edited();
}

void DesignPlace::sendSelectedStep()
{
    const int row = selectedStep();
    if (row >= 0)
        m_sendPanel->send(plan(), row, m_builtInBaseUrl);
}

void DesignPlace::addExtraction(const Extraction &extraction)
{
    const int row = selectedStep();
    if (row < 0)
        return;
    Step step = m_steps->step(row);
    Extraction added = extraction;
    // Variable names must be unique within the step.
    const auto taken = [&step](const QString &name) {
        return std::any_of(step.extractions.cbegin(), step.extractions.cend(),
                           [&name](const Extraction &e) { return e.name == name; });
    };
    for (int n = 2; taken(added.name); ++n)
        added.name = extraction.name + QString::number(n);
    step.extractions.append(added);
    m_steps->setStep(row, step);
    m_stepEditor->setStep(step);
    m_stepsEdited = true;
    edited();
}

void DesignPlace::validateNow()
{
    m_validateTimer->stop();
    const QList<PlanIssue> issues = planIssues(plan());
    m_problems->clear();
    int errors = 0;
    int warnings = 0;
    for (const PlanIssue &issue : issues) {
        const bool isError = issue.severity == PlanIssue::Severity::Error;
        (isError ? errors : warnings)++;
        auto *item =
            new QListWidgetItem(style()->standardIcon(isError ? QStyle::SP_MessageBoxCritical
                                                              : QStyle::SP_MessageBoxWarning),
                                issue.toString(), m_problems);
        item->setData(kPathRole, issue.path);
        item->setToolTip(tr("Click to go to %1").arg(issue.path));
    }
    m_problemsTitle->setText(issues.isEmpty()
                                 ? tr("No problems: the plan is ready to run.")
                                 : tr("%1 error(s), %2 warning(s) — click one to go to the field.")
                                       .arg(errors)
                                       .arg(warnings));
    markInvalid(
        m_baseUrl,
        !m_plan.baseUrl.isEmpty() &&
            std::any_of(issues.cbegin(), issues.cend(),
                        [](const PlanIssue &i) { return i.path == QLatin1String("baseUrl"); }),
        tr("Not an http or https URL"));
    emit validated(errors, warnings);
}

void DesignPlace::focusIssuePath(const QString &path)
{
    static const QRegularExpression stepPath(QStringLiteral(R"(^steps\[(\d+)\]\.?(.*)$)"));
    if (const auto match = stepPath.match(path); match.hasMatch()) {
        selectStep(match.captured(1).toInt());
        m_stepEditor->focusField(match.captured(2));
        return;
    }
    if (path == QLatin1String("steps")) {
        m_stepsView->setFocus();
    } else if (path.startsWith(QLatin1String("load."))) {
        m_loadEditor->focusField(path.mid(5));
    } else if (path.startsWith(QLatin1String("thresholds["))) {
        // "thresholds[metric][i]": the i-th threshold on that metric.
        const qsizetype close = path.indexOf(QLatin1String("]["));
        const QString metric = path.mid(11, (close < 0 ? path.size() - 1 : close) - 11);
        const int nth = close < 0 ? 0 : path.mid(close + 2).section(u']', 0, 0).toInt();
        int seen = 0;
        for (int row = 0; row < m_plan.thresholds.size(); ++row) {
            if (m_plan.thresholds.at(row).metric == metric && seen++ == nth) {
                m_sideTabs->setCurrentWidget(m_thresholdsEditor);
                m_thresholdsEditor->focusRow(row);
                break;
            }
        }
    } else if (path.startsWith(QLatin1String("timeouts")) ||
               path.startsWith(QLatin1String("variables")) || path == QLatin1String("dataFile")) {
        m_sideTabs->setCurrentWidget(m_optionsEditor);
        m_optionsEditor->focusField(path);
    } else if (path == QLatin1String("baseUrl")) {
        m_baseUrl->setFocus();
    } else if (path == QLatin1String("versionLabel")) {
        m_versionLabel->setFocus();
    } else {
        m_name->setFocus();
    }
}

bool DesignPlace::openFile(const QString &path, QString *error)
{
    const QString name = QFileInfo(path).fileName();
    QString why;
    // Relative data and body files are found next to the plan, as in the CLI.
    const auto loaded = planFromFile(path, &why);
    if (!loaded) {
        if (error)
            *error = name + QStringLiteral(": ") +
                     why.split(u'\n').join(u'\n' + name + QStringLiteral(": "));
        return false;
    }
    setPlan(*loaded);
    setCurrentFile(path);
    return true;
}

bool DesignPlace::saveFile(const QString &path, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(planToJsonBytes(plan(), true)) < 0 ||
        !file.commit()) {
        if (error)
            *error = QFileInfo(path).fileName() + QStringLiteral(": ") + file.errorString();
        return false;
    }
    setCurrentFile(path);
    return true;
}

void DesignPlace::setCurrentFile(const QString &path)
{
    if (m_currentFile == path)
        return;
    m_currentFile = path;
    emit currentFileChanged(path);
}

bool DesignPlace::importCurlCommand(const QString &command, QString *error)
{
    // A paste may hold several commands (one step each); the base URL question is asked once.
    const auto imported = importCurlCommands(command, error);
    if (!imported)
        return false;
    std::optional<CurlBaseUrl> answer;
    bool baseUrlChanged = false;
    QList<Step> steps;
    for (const CurlImport &one : *imported) {
        Step step = one.step;
        // An empty base URL means the built-in sample target, so that is what the curl URL is
        // compared with; the same origin needs no question.
        const QString current = m_plan.baseUrl.isEmpty() ? m_builtInBaseUrl : m_plan.baseUrl;
        if (QUrl(current).adjusted(QUrl::StripTrailingSlash) !=
            QUrl(one.baseUrl).adjusted(QUrl::StripTrailingSlash)) {
            // Replacing the base URL moves every other relative step to another host, so it is
            // never done without asking; keeping it (the step's URL stays absolute) is the
            // default.
            if (!answer)
                answer = askCurlBaseUrl(one.baseUrl);
            if (*answer == CurlBaseUrl::Cancel) {
                if (error)
                    *error = tr("Import cancelled: the plan is unchanged.");
                return false;
            }
            if (*answer == CurlBaseUrl::UseCurlHost && !baseUrlChanged) {
                m_plan.baseUrl = one.baseUrl;
                m_baseUrl->setText(m_plan.baseUrl);
                baseUrlChanged = true;
            } else {
                step.path = one.baseUrl + step.path; // a third host keeps its absolute URL
            }
        }
        steps.append(step);
    }
    int row = selectedStep() >= 0 ? selectedStep() + 1 : m_steps->rowCount();
    for (const Step &step : std::as_const(steps))
        m_steps->insertStep(row++, step);
    selectStep(row - 1);
    m_stepsEdited = true;
    edited();
    return true;
}

DesignPlace::CurlBaseUrl DesignPlace::askCurlBaseUrl(const QString &curlBaseUrl)
{
    const QString current =
        m_plan.baseUrl.isEmpty() ? tr("the built-in sample API") : m_plan.baseUrl;
    QMessageBox box(
        QMessageBox::Question, tr("Import curl command"),
        tr("The command requests %1, but the plan's base URL is %2.").arg(curlBaseUrl, current),
        QMessageBox::NoButton, this);
    box.setInformativeText(tr("Using %1 as the base URL sends every step with a relative path "
                              "there. Keeping the base URL adds this step with its absolute URL.")
                               .arg(curlBaseUrl));
    QPushButton *use =
        box.addButton(tr("Use %1 as base URL").arg(curlBaseUrl), QMessageBox::AcceptRole);
    use->setObjectName(QStringLiteral("useCurlBaseUrl"));
    QPushButton *keep = box.addButton(tr("Keep the base URL"), QMessageBox::AcceptRole);
    keep->setObjectName(QStringLiteral("keepBaseUrl"));
    box.addButton(QMessageBox::Cancel)->setObjectName(QStringLiteral("cancelImport"));
    box.setDefaultButton(keep);
    box.exec();
    if (box.clickedButton() == use)
        return CurlBaseUrl::UseCurlHost;
    if (box.clickedButton() == keep)
        return CurlBaseUrl::KeepBaseUrl;
    return CurlBaseUrl::Cancel;
}

qint64 DesignPlace::saveToHistory(QString *error)
{
    if (!m_store || !m_store->isOpen()) {
        if (error)
            *error = tr("No history database is open.");
        return -1;
    }
    const TestPlan current = plan();
    StoredTest test;
    test.name = current.name;
    test.testType = testTypeName(current.type);
    test.plan = toJson(current);
    const qint64 id = m_store->upsertTestByName(test); // the same upsert a run uses
    if (id <= 0) {
        if (error)
            *error = m_store->lastError();
        return -1;
    }
    emit savedToHistory(id);
    return id;
}

} // namespace loadscope
