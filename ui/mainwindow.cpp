#include "mainwindow.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QToolBar>
#include <QVBoxLayout>

#include "compare/compareplace.h"
#include "design/designplace.h"
#include "design/formwidgets.h"
#include "design/planinterop.h"
#include "history/historyplace.h"
#include "history/resultstablemodel.h"
#include "history/runviewer.h"
#include "plan/testplan.h"
#include "run/agentmerge.h"
#include "run/k8sexportdialog.h"
#include "run/livecharts.h"
#include "run/runplace.h"
#include "session/storedrun.h"
#include "store/historystore.h"
#include "theme.h"
#include "windowstate.h"

namespace loadscope {

namespace {

const QString kRecentKey = QStringLiteral("recentPlans");
const QString kGeometryKey = QStringLiteral("window/geometry");
const QString kMaximizedKey = QStringLiteral("window/maximized");
const QString kPlaceKey = QStringLiteral("window/place");
const QString kSplittersGroup = QStringLiteral("window/splitters");
// Without saved geometry: this, or what the screen has room for.
constexpr QSize kDefaultSize(1366, 800);
constexpr int kRecentMax = 8;

QString planFilter()
{
    return QObject::tr("Loadscope plans (*.json);;All files (*)");
}

} // namespace

MainWindow::MainWindow(HistoryStore *store, const DefaultTarget &sample, QWidget *parent)
    : QMainWindow(parent)
    , m_store(store)
{
    auto *central = new QWidget(this);
    auto *layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    m_navigation = new QListWidget(central);
    m_navigation->setFrameShape(QFrame::NoFrame);
    m_navigation->setIconSize(QSize(22, 22));
    m_navigation->setSpacing(2);
    m_navigation->setFixedWidth(128);
    m_navigation->setFocusPolicy(Qt::NoFocus);
    m_navigation->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_navigation->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_navigation->setStyleSheet(QStringLiteral(
        "QListWidget { background: palette(window); border-right: 1px solid palette(mid); "
        "padding-top: 6px; }"
        "QListWidget::item { padding: 8px 6px; border-radius: 4px; margin: 0 6px; }"
        "QListWidget::item:selected { background: palette(highlight); "
        "color: palette(highlighted-text); }"));
    const QList<QPair<QString, QStyle::StandardPixmap>> places = {
        {tr("Design"), QStyle::SP_FileDialogDetailedView},
        {tr("Run"), QStyle::SP_MediaPlay},
        {tr("History"), QStyle::SP_FileDialogContentsView},
        {tr("Compare"), QStyle::SP_FileDialogListView}};
    for (const auto &[name, icon] : places)
        new QListWidgetItem(style()->standardIcon(icon), name, m_navigation);

    m_stack = new QStackedWidget(central);
    m_design = new DesignPlace(m_stack);
    m_design->setBuiltInBaseUrl(sample.baseUrl);
    m_design->setHistoryStore(store);
    m_run = new RunPlace(store, m_stack);
    m_run->setDefaultTarget(sample);
    m_history = new HistoryPlace(store, m_stack);
    m_compare = new ComparePlace(store, m_stack);
    m_stack->addWidget(m_design);
    m_stack->addWidget(m_run);
    m_stack->addWidget(m_history);
    m_stack->addWidget(m_compare);
    layout->addWidget(m_navigation);
    layout->addWidget(m_stack, 1);
    setCentralWidget(central);

    connect(m_navigation, &QListWidget::currentRowChanged, m_stack,
            &QStackedWidget::setCurrentIndex);
    connect(m_design, &DesignPlace::savedToHistory, m_history, &HistoryPlace::reload);
    connect(m_design, &DesignPlace::currentFileChanged, this, &MainWindow::updateTitle);
    connect(m_design, &DesignPlace::planChanged, this, &MainWindow::updateTitle);
    connect(m_history, &HistoryPlace::errorOccurred, this,
            [this](const QString &message) { statusBar()->showMessage(message, 10000); });
    connect(m_history, &HistoryPlace::compareRequested, this, &MainWindow::compareRunsInBackground);
    connect(m_compare, &ComparePlace::comparisonFinished, this,
            [this](quint64, bool ok, const QString &error) {
                if (!ok) {
                    statusBar()->showMessage(tr("Cannot compare: %1").arg(error), 10000);
                    return;
                }
                statusBar()->clearMessage();
                setCurrentPlace(ComparePlaceIndex);
            });
    connect(m_history, &HistoryPlace::openRequested, this, &MainWindow::openRun);
    connect(m_run, &RunPlace::message, this,
            [this](const QString &message) { statusBar()->showMessage(message, 10000); });
    connect(m_run, &RunPlace::runStarted, this, [this] {
        m_history->reload(); // the run is listed (as running) at once
        updateRunActions();
    });
    connect(m_run, &RunPlace::runFinished, this, [this] {
        m_history->reload();
        updateRunActions();
    });

    createMenus();
    createHistoryMenu();
    createStatusBar(sample.baseUrl);
    createHistoryStatus();
    m_design->loadPreset(TestType::LoadTest);
    setCurrentPlace(DesignPlaceIndex);
    updateTitle();
    restoreWindowState();
}

MainWindow::~MainWindow() = default;

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    m_presetMenu = file->addMenu(tr("&New plan from preset"));
    for (const TestType type : allTestTypes()) {
        QAction *action = m_presetMenu->addAction(testTypeName(type));
        connect(action, &QAction::triggered, this, [this, type] {
            m_design->loadPreset(type);
            setCurrentPlace(DesignPlaceIndex);
        });
    }
    file->addAction(style()->standardIcon(QStyle::SP_DialogOpenButton), tr("&Open plan…"),
                    QKeySequence::Open, this, [this] {
                        const QString path = QFileDialog::getOpenFileName(
                            this, tr("Open plan"), QDir::homePath(), planFilter());
                        if (!path.isEmpty())
                            openPlan(path);
                    });
    file->addAction(style()->standardIcon(QStyle::SP_DialogSaveButton), tr("&Save plan"),
                    QKeySequence::Save, this, &MainWindow::savePlan);
    file->addAction(tr("Save plan &as…"), QKeySequence::SaveAs, this, &MainWindow::savePlanAs);
    m_recentMenu = file->addMenu(tr("&Recent plans"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::rebuildRecentMenu);
    rebuildRecentMenu();
    file->addSeparator();
    file->addAction(tr("Import &curl command…"), this, &MainWindow::importCurl);
    QMenu *importMenu = file->addMenu(tr("&Import plan"));
    importMenu->setObjectName(QStringLiteral("importPlanMenu"));
    const std::pair<PlanSource, QString> formats[] = {
        {PlanSource::Curl, tr("curl commands…")},
        {PlanSource::Har, tr("HAR file…")},
        {PlanSource::Postman, tr("Postman collection…")},
        {PlanSource::OpenApi, tr("OpenAPI document…")}};
    for (const auto &[format, label] : formats) {
        importMenu->addAction(label, this, [this, source = format] {
            const QString path = QFileDialog::getOpenFileName(
                this, tr("Import plan"), QDir::homePath(), importFileFilter(source));
            if (!path.isEmpty())
                importPlanFrom(path, source);
        });
    }
    file->addAction(tr("&Export as k6 script…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export as k6 script"), QDir::homePath(), tr("k6 scripts (*.js *.mjs)"));
        if (!path.isEmpty())
            exportK6To(path);
    });
    file->addSeparator();
    file->addAction(tr("Import &results…"), this, [this] {
        const QStringList paths = QFileDialog::getOpenFileNames(
            this, tr("Import k6, JMeter or Locust results"), QDir::homePath(),
            tr("Results (*.json *.ndjson *.csv *.jtl *.xml *.tsv);;All files (*)"));
        if (paths.isEmpty())
            return;
        setCurrentPlace(HistoryPlaceIndex);
        m_history->importFiles(paths);
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu *run = menuBar()->addMenu(tr("&Run"));
    m_runAction = run->addAction(style()->standardIcon(QStyle::SP_MediaPlay), tr("&Run plan"), this,
                                 &MainWindow::runPlan);
    m_runAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_runAction->setShortcutContext(Qt::ApplicationShortcut);
    m_runAction->setToolTip(tr("Run the plan of the Design place (Ctrl+R)"));
    m_stopAction = run->addAction(style()->standardIcon(QStyle::SP_MediaStop), tr("&Stop run"),
                                  m_run, &RunPlace::stop);
    m_stopAction->setToolTip(tr("Stop the run; everything measured is kept (Esc in Run)"));
    run->addSeparator();
    run->addAction(tr("Export for &Kubernetes…"), this, [this] {
        K8sExportDialog dialog(m_design->plan(), this);
        dialog.exec();
    });
    run->addAction(tr("&Merge agent results…"), this, [this] {
        const QStringList paths =
            QFileDialog::getOpenFileNames(this, tr("Merge agent results"), QDir::homePath(),
                                          tr("Agent results (*.json);;All files (*)"));
        if (!paths.isEmpty())
            mergeAgentResults(paths);
    });
    QToolBar *toolBar = addToolBar(tr("Run"));
    toolBar->setObjectName(QStringLiteral("runToolBar"));
    toolBar->setMovable(false);
    toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolBar->addAction(m_runAction);
    toolBar->addAction(m_stopAction);
    updateRunActions();

    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < PlaceCount; ++i) {
        QAction *action = view->addAction(m_navigation->item(i)->text());
        action->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
        action->setShortcutContext(Qt::ApplicationShortcut);
        connect(action, &QAction::triggered, this, [this, i] { setCurrentPlace(i); });
        m_placeActions.append(action);
    }
    view->addSeparator();
    QMenu *themeMenu = view->addMenu(tr("&Theme"));
    themeMenu->setObjectName(QStringLiteral("themeMenu"));
    auto *themes = new QActionGroup(themeMenu);
    const std::pair<Theme, QString> themeLabels[] = {{Theme::System, tr("Follow the &desktop")},
                                                     {Theme::Light, tr("&Light")},
                                                     {Theme::Dark, tr("&Dark")}};
    for (const auto &[theme, label] : themeLabels) {
        QAction *action = themeMenu->addAction(label);
        action->setCheckable(true);
        action->setChecked(theme == currentTheme());
        action->setData(themeName(theme));
        themes->addAction(action);
        connect(action, &QAction::triggered, this, [chosen = theme] {
            applyTheme(chosen);
            saveTheme(chosen);
        });
    }
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Loadscope"), this, [this] {
        QMessageBox::about(this, tr("About Loadscope"),
                           tr("<b>Loadscope %1</b><p>A desktop performance workbench for HTTP "
                              "APIs.</p>")
                               .arg(QStringLiteral(LOADSCOPE_VERSION)));
    });
}

void MainWindow::createHistoryMenu()
{
    // Before Help, after the menus createMenus() made.
    QMenu *history = new QMenu(tr("&History"), this);
    menuBar()->insertMenu(menuBar()->actions().constLast(), history);
    history->addAction(tr("&Clean up…"), this, [this] {
        setCurrentPlace(HistoryPlaceIndex);
        m_history->cleanUp();
    });
}

void MainWindow::createHistoryStatus()
{
    m_historyStatus = new QLabel(this);
    m_historyStatus->setToolTip(tr("Runs stored and the size of the history file"));
    statusBar()->addPermanentWidget(m_historyStatus);
    const auto show = [this](const StoreStats &stats) {
        m_historyStatus->setText(tr("%Ln run(s) · %1 MB", nullptr, int(stats.runs))
                                     .arg(double(stats.bytes) / 1048576.0, 0, 'f', 1));
    };
    connect(m_history, &HistoryPlace::historyStatsChanged, this, show);
    show(m_store->stats());
}

void MainWindow::createStatusBar(const QString &sampleBaseUrl)
{
    m_validation = new QLabel(this);
    statusBar()->addWidget(m_validation);
    auto *database =
        new QLabel(tr("Database: %1").arg(QDir::toNativeSeparators(m_store->path())), this);
    database->setToolTip(m_store->path());
    auto *sample = new QLabel(sampleBaseUrl.isEmpty() ? tr("Sample API: not running")
                                                      : tr("Sample API: %1").arg(sampleBaseUrl),
                              this);
    statusBar()->addPermanentWidget(database);
    statusBar()->addPermanentWidget(sample);
    connect(m_design, &DesignPlace::validated, this, [this](int errors, int warnings) {
        updateRunActions();
        m_validation->setText(errors > 0     ? tr("Plan: %n error(s)", nullptr, errors)
                              : warnings > 0 ? tr("Plan ready, %n warning(s)", nullptr, warnings)
                                             : tr("Plan ready to run"));
    });
    m_design->validateNow();
}

void MainWindow::saveWindowState()
{
    QSettings settings;
    settings.setValue(kGeometryKey, normalGeometry().isValid() ? normalGeometry() : geometry());
    settings.setValue(kMaximizedKey, isMaximized());
    settings.setValue(kPlaceKey, currentPlace());
    saveSplitterStates(this, kSplittersGroup);
}

void MainWindow::restoreWindowState(const QRect &available)
{
    const QRect area = available.isValid() ? available
                       : screen()          ? screen()->availableGeometry()
                                           : QRect();
    const QSettings settings;
    const QRect saved = settings.value(kGeometryKey).toRect();
    const QRect wanted = saved.isValid() ? saved : QRect(area.topLeft(), kDefaultSize);
    setGeometry(fitToScreen(wanted, area));
    if (settings.value(kMaximizedKey).toBool())
        setWindowState(windowState() | Qt::WindowMaximized);
    restoreSplitterStates(this, kSplittersGroup);
    setCurrentPlace(settings.value(kPlaceKey, DesignPlaceIndex).toInt());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveWindowState();
    QMainWindow::closeEvent(event);
}

int MainWindow::currentPlace() const
{
    return m_stack->currentIndex();
}

void MainWindow::setCurrentPlace(int place)
{
    if (place < 0 || place >= PlaceCount)
        return;
    m_navigation->setCurrentRow(place);
    m_stack->setCurrentIndex(place);
}

QStringList MainWindow::placeNames()
{
    return {QStringLiteral("design"), QStringLiteral("run"), QStringLiteral("history"),
            QStringLiteral("compare")};
}

bool MainWindow::grabPlace(int place, const QString &path, QString *error)
{
    setCurrentPlace(place);
    // Let the newly shown place lay itself out and its plots replot before grabbing.
    QCoreApplication::sendPostedEvents();
    QCoreApplication::processEvents();
    if (!grab().save(path)) {
        if (error)
            *error = tr("could not write %1").arg(path);
        return false;
    }
    return true;
}

void MainWindow::updateRunActions()
{
    const bool running = m_run->isRunning();
    m_runAction->setEnabled(!running && m_design->isValid());
    m_stopAction->setEnabled(running);
}

bool MainWindow::runPlan()
{
    if (!m_design->isValid()) {
        statusBar()->showMessage(tr("The plan has errors: see the Problems list in Design."),
                                 10000);
        setCurrentPlace(DesignPlaceIndex);
        return false;
    }
    QString error;
    if (!m_run->start(m_design->plan(), &error)) {
        statusBar()->showMessage(tr("Run not started: %1").arg(error), 10000);
        return false;
    }
    setCurrentPlace(RunPlaceIndex);
    return true;
}

bool MainWindow::compareRuns(const QList<qint64> &resultIds)
{
    QString error;
    if (!m_compare->compare(resultIds, &error)) {
        statusBar()->showMessage(tr("Cannot compare: %1").arg(error), 10000);
        return false;
    }
    setCurrentPlace(ComparePlaceIndex);
    return true;
}

void MainWindow::compareRunsInBackground(const QList<qint64> &resultIds)
{
    m_compare->compareInBackground(resultIds);
    statusBar()->showMessage(tr("Comparing %n runs…", nullptr, int(resultIds.size())));
}

qint64 MainWindow::mergeAgentResults(const QStringList &paths)
{
    const AgentMergeOutcome outcome = mergeAgentResultFiles(*m_store, paths);
    if (outcome.resultId <= 0) {
        QMessageBox::warning(this, tr("Merge agent results"),
                             tr("The agents' results were not merged:\n%1").arg(outcome.error));
        return 0;
    }
    statusBar()->showMessage(
        outcome.duplicate
            ? tr("These %1 agents were merged before: run #%2")
                  .arg(outcome.agents)
                  .arg(outcome.resultId)
            : tr("Merged %1 agents into run #%2").arg(outcome.agents).arg(outcome.resultId),
        10000);
    m_history->reload();
    m_history->selectResult(outcome.resultId);
    setCurrentPlace(HistoryPlaceIndex);
    return outcome.resultId;
}

bool MainWindow::openRun(qint64 resultId)
{
    auto *viewer = new RunViewer(m_store, this);
    viewer->setAttribute(Qt::WA_DeleteOnClose);
    QString error;
    if (!viewer->showRun(resultId, &error)) {
        delete viewer;
        statusBar()->showMessage(tr("Cannot open run #%1: %2").arg(resultId).arg(error), 10000);
        return false;
    }
    // The viewer marks what the run's own figures show; the notes people made on it (or on
    // its test while it ran) are markers too, as on the live charts.
    LiveCharts *charts = viewer->charts();
    charts->setEvents(charts->events() + storedAnnotationEvents(*m_store, resultId));
    m_lastViewer = viewer;
    viewer->show();
    return true;
}

bool MainWindow::saveScreenshots(const QString &dir, QString *error)
{
    QDir().mkpath(dir);
    const int previous = currentPlace();
    // Show a run rather than an empty pane when the history has one.
    if (m_history->selectedResultIds().isEmpty() && !m_history->model()->records().isEmpty())
        m_history->selectResult(m_history->model()->records().first().id);
    const QStringList names = placeNames();
    for (int i = 0; i < PlaceCount; ++i) {
        if (!grabPlace(i, QDir(dir).filePath(names.at(i) + QStringLiteral(".png")), error))
            return false;
    }
    setCurrentPlace(previous);
    return true;
}

bool MainWindow::openPlan(const QString &path)
{
    QString error;
    if (!m_design->openFile(path, &error)) {
        QMessageBox::warning(this, tr("Open plan"), error);
        return false;
    }
    rememberRecent(path);
    setCurrentPlace(DesignPlaceIndex);
    return true;
}

bool MainWindow::savePlan()
{
    if (m_design->currentFile().isEmpty())
        return savePlanAs();
    QString error;
    if (!m_design->saveFile(m_design->currentFile(), &error)) {
        QMessageBox::warning(this, tr("Save plan"), error);
        return false;
    }
    rememberRecent(m_design->currentFile());
    statusBar()->showMessage(tr("Saved %1").arg(m_design->currentFile()), 5000);
    return true;
}

bool MainWindow::savePlanAs()
{
    QString suggestion = m_design->currentFile();
    if (suggestion.isEmpty()) {
        QString name = m_design->plan().name.toLower().simplified();
        name.replace(u' ', u'-');
        suggestion = QDir::home().filePath((name.isEmpty() ? QStringLiteral("plan") : name) +
                                           QStringLiteral(".json"));
    }
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Save plan"), suggestion, planFilter());
    if (path.isEmpty())
        return false;
    QString error;
    if (!m_design->saveFile(path, &error)) {
        QMessageBox::warning(this, tr("Save plan"), error);
        return false;
    }
    rememberRecent(path);
    return true;
}

QStringList MainWindow::recentPlans() const
{
    return QSettings().value(kRecentKey).toStringList();
}

void MainWindow::rememberRecent(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList recent = recentPlans();
    recent.removeAll(absolute);
    recent.prepend(absolute);
    while (recent.size() > kRecentMax)
        recent.removeLast();
    QSettings().setValue(kRecentKey, recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = recentPlans();
    for (int i = 0; i < recent.size(); ++i) {
        const QString path = recent.at(i);
        QAction *action = m_recentMenu->addAction(
            QStringLiteral("&%1  %2").arg(i + 1).arg(QFileInfo(path).fileName()));
        action->setToolTip(path);
        action->setStatusTip(path);
        connect(action, &QAction::triggered, this, [this, path] { openPlan(path); });
    }
    if (recent.isEmpty()) {
        m_recentMenu->addAction(tr("No recent plans"))->setEnabled(false);
        return;
    }
    m_recentMenu->addSeparator();
    m_recentMenu->addAction(tr("Clear list"), this, [this] {
        QSettings().remove(kRecentKey);
        rebuildRecentMenu();
    });
}

void MainWindow::importCurl()
{
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Import curl command"));
    dialog.resize(640, 300);
    auto *layout = new QVBoxLayout(&dialog);
    layout->addWidget(hintLabel(tr("Paste a curl command (e.g. from the browser's \"Copy as "
                                   "cURL\"). It becomes a step after the selected one."),
                                &dialog));
    auto *text = new QPlainTextEdit(&dialog);
    text->setFont(monospaceFont());
    text->setPlaceholderText(QStringLiteral(
        "curl -X POST -H 'Content-Type: application/json' -d '{\"symbol\":\"AAPL\"}' "
        "http://127.0.0.1:8080/api/bridge/predict"));
    layout->addWidget(text, 1);
    auto *error = new QLabel(&dialog);
    error->setStyleSheet(QStringLiteral("color: #c62828;"));
    error->setWordWrap(true);
    layout->addWidget(error);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Import"));
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, [this, &dialog, text, error] {
        QString why;
        if (m_design->importCurlCommand(text->toPlainText(), &why))
            dialog.accept();
        else
            error->setText(why);
    });
    if (dialog.exec() == QDialog::Accepted)
        setCurrentPlace(DesignPlaceIndex);
}

bool MainWindow::importPlanFrom(const QString &path, PlanSource format)
{
    QString error;
    const auto imported = importPlanFile(path, format, &error);
    if (!imported) {
        auto *box =
            new QMessageBox(QMessageBox::Warning, tr("Import plan"), error, QMessageBox::Ok, this);
        box->setObjectName(QStringLiteral("importError"));
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
        return false;
    }
    m_design->setPlan(imported->plan);
    setCurrentPlace(DesignPlaceIndex);
    auto *summary = new ImportSummaryDialog(*imported, this);
    summary->setObjectName(QStringLiteral("importSummary"));
    summary->setAttribute(Qt::WA_DeleteOnClose);
    summary->open();
    return true;
}

bool MainWindow::exportK6To(const QString &path)
{
    QStringList notes;
    QString error;
    if (!exportK6File(m_design->plan(), path, &notes, &error)) {
        statusBar()->showMessage(tr("Export failed: %1").arg(error));
        return false;
    }
    statusBar()->showMessage(
        notes.isEmpty() ? tr("k6 script written to %1").arg(path)
                        : tr("k6 script written to %1; not expressed in k6 (see its top): %2")
                              .arg(path, notes.join(QLatin1String("; "))));
    return true;
}

void MainWindow::updateTitle()
{
    const QString file = m_design->currentFile();
    const QString what = file.isEmpty() ? m_design->plan().name : QFileInfo(file).fileName();
    setWindowTitle(what.isEmpty() ? tr("Loadscope") : what + QStringLiteral(" — Loadscope"));
}

} // namespace loadscope
