#pragma once

#include <QMainWindow>
#include <QStringList>

class QAction;
class QLabel;
class QListWidget;
class QMenu;
class QStackedWidget;

namespace loadscope {

class DesignPlace;
class HistoryPlace;
class HistoryStore;

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
        HistoryPlaceIndex,
        PlaceCount
    };

    //! @p store must be open and outlive the window; @p sampleBaseUrl is the built-in target
    //! ("http://127.0.0.1:PORT"), empty when it could not start.
    MainWindow(HistoryStore *store, const QString &sampleBaseUrl, QWidget *parent = nullptr);
    ~MainWindow() override;

    int currentPlace() const;
    void setCurrentPlace(int place);
    //! Lower-case names of the places, by index ("design", "history").
    static QStringList placeNames();

    //! Saves DIR/<place>.png for every place; false with @p error naming the failed file.
    bool saveScreenshots(const QString &dir, QString *error = nullptr);

    DesignPlace *designPlace() const { return m_design; }
    HistoryPlace *historyPlace() const { return m_history; }
    QMenu *presetMenu() const { return m_presetMenu; }
    //! The actions that switch places (Ctrl+1, Ctrl+2), by index.
    QList<QAction *> placeActions() const { return m_placeActions; }
    //! The recent plan files, newest first (QSettings "recentPlans", at most 8).
    QStringList recentPlans() const;

public slots:
    bool openPlan(const QString &path);
    bool savePlan();
    bool savePlanAs();

private:
    void createMenus();
    void createStatusBar(const QString &sampleBaseUrl);
    void rememberRecent(const QString &path);
    void rebuildRecentMenu();
    void importCurl();
    void updateTitle();

    HistoryStore *m_store;
    QListWidget *m_navigation = nullptr;
    QStackedWidget *m_stack = nullptr;
    DesignPlace *m_design = nullptr;
    HistoryPlace *m_history = nullptr;
    QMenu *m_presetMenu = nullptr;
    QMenu *m_recentMenu = nullptr;
    QList<QAction *> m_placeActions;
    QLabel *m_validation = nullptr;
};

} // namespace loadscope
