#pragma once

#include <QMainWindow>
#include <QPointer>
#include <QStringList>

#include "history/runviewer.h"
#include "session/sampletarget.h"

class QAction;
class QLabel;
class QListWidget;
class QMenu;
class QStackedWidget;

namespace loadscope {

class ComparePlace;
class DesignPlace;
class HistoryPlace;
class HistoryStore;
class RunPlace;
enum class PlanSource;

//! The workbench window: a navigation list over the places, the File menu and a status bar.
//! It wires the places together and holds no business logic of its own.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    enum Place
    {
        DesignPlaceIndex,
        RunPlaceIndex,
        HistoryPlaceIndex,
        ComparePlaceIndex,
        PlaceCount
    };

    //! @p store must be open and outlive the window; @p sample is the built-in target
    //! ("http://127.0.0.1:PORT" and its PID), with an empty URL when it could not start.
    MainWindow(HistoryStore *store, const DefaultTarget &sample, QWidget *parent = nullptr);
    ~MainWindow() override;

    int currentPlace() const;
    void setCurrentPlace(int place);
    //! Lower-case names of the places, by index ("design", "run", "history", "compare").
    static QStringList placeNames();

    //! Saves DIR/<place>.png for every place; false with @p error naming the failed file.
    bool saveScreenshots(const QString &dir, QString *error = nullptr);
    //! Shows @p place and saves the window as @p path; false with @p error naming the file.
    bool grabPlace(int place, const QString &path, QString *error = nullptr);

    DesignPlace *designPlace() const { return m_design; }
    RunPlace *runPlace() const { return m_run; }
    HistoryPlace *historyPlace() const { return m_history; }
    ComparePlace *comparePlace() const { return m_compare; }
    //! Run (Ctrl+R): enabled while the Design place's plan is valid and nothing runs.
    QAction *runAction() const { return m_runAction; }
    QAction *stopAction() const { return m_stopAction; }
    //! The viewer opened last from History (null before the first).
    RunViewer *lastRunViewer() const { return m_lastViewer.data(); }
    QMenu *presetMenu() const { return m_presetMenu; }
    //! The actions that switch places (Ctrl+1, Ctrl+2), by index.
    QList<QAction *> placeActions() const { return m_placeActions; }
    //! The recent plan files, newest first (QSettings "recentPlans", at most 8).
    QStringList recentPlans() const;

    //! Saves the window's geometry, splitter sizes and current place (QSettings "window/...").
    void saveWindowState();
    //! Restores what saveWindowState() saved, fitted to @p available (default: the free area of
    //! the window's screen); without saved state, a size that fits that area.
    void restoreWindowState(const QRect &available = QRect());

protected:
    void closeEvent(QCloseEvent *event) override;

public slots:
    //! Runs the Design place's plan in the Run place; false (status bar says why) if it cannot.
    bool runPlan();
    //! Compares runs @p resultIds in the Compare place and shows it.
    bool compareRuns(const QList<qint64> &resultIds);
    //! As compareRuns(), with the runs read and compared off the GUI thread (History's
    //! Compare button); the Compare place is shown when the result arrives.
    void compareRunsInBackground(const QList<qint64> &resultIds);
    //! Merges agent result files into one stored run and shows it in History; its id, 0
    //! when they were refused (the reason shown in a message box).
    qint64 mergeAgentResults(const QStringList &paths);
    //! Opens a viewer over stored run @p resultId.
    bool openRun(qint64 resultId);
    bool openPlan(const QString &path);
    bool savePlan();
    bool savePlanAs();
    //! Imports @p path as @p format into Design and shows what was taken and left out
    //! (ImportSummaryDialog, window-modal); false (a message box says why) on bad input.
    bool importPlanFrom(const QString &path, loadscope::PlanSource format);
    //! Writes the Design place's plan as a k6 script to @p path; false with the status bar's why.
    bool exportK6To(const QString &path);

private:
    void createMenus();
    void createStatusBar(const QString &sampleBaseUrl);
    void createHistoryMenu();
    void createHistoryStatus();
    void rememberRecent(const QString &path);
    void rebuildRecentMenu();
    void importCurl();
    void updateTitle();
    void updateRunActions();

    HistoryStore *m_store;
    QListWidget *m_navigation = nullptr;
    QStackedWidget *m_stack = nullptr;
    DesignPlace *m_design = nullptr;
    HistoryPlace *m_history = nullptr;
    RunPlace *m_run = nullptr;
    ComparePlace *m_compare = nullptr;
    QAction *m_runAction = nullptr;
    QAction *m_stopAction = nullptr;
    QPointer<RunViewer> m_lastViewer;
    QMenu *m_presetMenu = nullptr;
    QMenu *m_recentMenu = nullptr;
    QList<QAction *> m_placeActions;
    QLabel *m_validation = nullptr;
    QLabel *m_historyStatus = nullptr; //!< "10,000 runs · 560 MB"
};

} // namespace loadscope
