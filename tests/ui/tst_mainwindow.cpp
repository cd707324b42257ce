#include <algorithm>

#include <QAction>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>

#include "compare/compareplace.h"
#include "compare/comparisontablemodel.h"
#include "design/designplace.h"
#include "design/durationedit.h"
#include "design/loadmodeleditor.h"
#include "history/historyplace.h"
#include "history/resultsfilterproxy.h"
#include "history/resultstablemodel.h"
#include "history/runviewer.h"
#include "mainwindow.h"
#include "plan/planpresets.h"
#include "plot/plotstyle.h"
#include "run/endpointtablemodel.h"
#include "run/livecharts.h"
#include "run/runplace.h"
#include "run/runsummarypanel.h"
#include "sample/sampleapihost.h"
#include "screenshottour.h"
#include "store/historystore.h"
#include "widgettestmain.h"

using namespace loadscope;

// Smoke test: the real window starts offscreen on a temporary database and a sample API.
class TestMainWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void startsOnTheDesignPlace();
    void switchesPlacesWithShortcuts();
    void newPlanFromPreset();
    void savingToHistoryReloadsHistory();
    void rememberRecentPlans();
    void savesScreenshots();
    void wholeFlow();
    void screenshotTour();
    void cleanupTestCase();

private:
    QTemporaryDir m_dir;
    HistoryStore m_store;
    SampleApiHost m_host;
    QString m_baseUrl;
    std::unique_ptr<MainWindow> m_window;
};

void TestMainWindow::initTestCase()
{
    // Keeps QSettings (recent plans) away from the user's configuration.
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("LoadscopeTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
    QVERIFY(m_dir.isValid());
    QString error;
    QVERIFY2(m_store.open(m_dir.filePath(QStringLiteral("history.db")), &error), qPrintable(error));
    QVERIFY2(m_host.start(QHostAddress::LocalHost, 0, &error) > 0, qPrintable(error));
    m_baseUrl = m_host.baseUrl().toString();
    m_window = std::make_unique<MainWindow>(&m_store, DefaultTarget{m_baseUrl, 0});
    m_window->show();
    QApplication::setActiveWindow(m_window.get());
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
}

void TestMainWindow::cleanupTestCase()
{
    m_window.reset();
    QSettings().clear();
}

void TestMainWindow::startsOnTheDesignPlace()
{
    QCOMPARE(m_window->currentPlace(), int(MainWindow::DesignPlaceIndex));
    DesignPlace *design = m_window->designPlace();
    QCOMPARE(design->plan(), presetPlan(TestType::LoadTest));
    QVERIFY(design->isValid());
    QVERIFY(design->baseUrlEdit()->placeholderText().contains(m_baseUrl));
    // The status bar names the database and the sample target.
    QStringList texts;
    const auto labels = m_window->statusBar()->findChildren<QLabel *>();
    for (const QLabel *label : labels)
        texts.append(label->text());
    const QString all = texts.join(u'\n');
    QVERIFY2(all.contains(m_store.path()), qPrintable(all));
    QVERIFY2(all.contains(m_baseUrl), qPrintable(all));
}

void TestMainWindow::switchesPlacesWithShortcuts()
{
    QTest::keyClick(m_window.get(), Qt::Key_3, Qt::ControlModifier);
    QCOMPARE(m_window->currentPlace(), int(MainWindow::HistoryPlaceIndex));
    QVERIFY(m_window->historyPlace()->isVisible());
    QTest::keyClick(m_window.get(), Qt::Key_2, Qt::ControlModifier);
    QCOMPARE(m_window->currentPlace(), int(MainWindow::RunPlaceIndex));
    QTest::keyClick(m_window.get(), Qt::Key_4, Qt::ControlModifier);
    QCOMPARE(m_window->currentPlace(), int(MainWindow::ComparePlaceIndex));
    QVERIFY(m_window->comparePlace()->isVisible());
    QTest::keyClick(m_window.get(), Qt::Key_1, Qt::ControlModifier);
    QCOMPARE(m_window->currentPlace(), int(MainWindow::DesignPlaceIndex));
    QVERIFY(m_window->designPlace()->isVisible());
    QCOMPARE(m_window->placeActions().size(), int(MainWindow::PlaceCount));
}

void TestMainWindow::newPlanFromPreset()
{
    m_window->setCurrentPlace(MainWindow::HistoryPlaceIndex);
    const QList<QAction *> presets = m_window->presetMenu()->actions();
    QCOMPARE(presets.size(), 7);
    QAction *endToEnd = presets.at(int(TestType::EndToEnd));
    QCOMPARE(endToEnd->text(), QStringLiteral("END_TO_END"));
    endToEnd->trigger();
    QCOMPARE(m_window->designPlace()->plan(), presetPlan(TestType::EndToEnd));
    QCOMPARE(m_window->currentPlace(), int(MainWindow::DesignPlaceIndex));
    QVERIFY(m_window->windowTitle().startsWith(presetPlan(TestType::EndToEnd).name));
}

void TestMainWindow::savingToHistoryReloadsHistory()
{
    QString error;
    const qint64 id = m_window->designPlace()->saveToHistory(&error);
    QVERIFY2(id > 0, qPrintable(error));
    const auto stored = m_store.test(id);
    QVERIFY(stored);
    QCOMPARE(stored->testType, QStringLiteral("END_TO_END"));
    // Saving the same name again updates that test.
    QCOMPARE(m_window->designPlace()->saveToHistory(&error), id);
    QCOMPARE(m_store.listTests().size(), 1);
}

void TestMainWindow::rememberRecentPlans()
{
    const QString path = m_dir.filePath(QStringLiteral("plan.json"));
    QString error;
    QVERIFY2(m_window->designPlace()->saveFile(path, &error), qPrintable(error));
    QVERIFY(m_window->openPlan(path));
    QCOMPARE(m_window->recentPlans().value(0), QFileInfo(path).absoluteFilePath());
    QVERIFY(m_window->savePlan()); // to the current file, no dialog
    QCOMPARE(m_window->recentPlans().size(), 1);
}

void TestMainWindow::savesScreenshots()
{
    m_window->resize(1400, 900);
    const QString dir = m_dir.filePath(QStringLiteral("shots"));
    QString error;
    QVERIFY2(m_window->saveScreenshots(dir, &error), qPrintable(error));
    for (const QString &name : MainWindow::placeNames()) {
        const QImage image(dir + u'/' + name + QStringLiteral(".png"));
        QVERIFY2(!image.isNull(), qPrintable(name));
        QCOMPARE(image.size(), m_window->size());
    }
}

// The whole flow through the real window: a plan built in the form, Run, live intervals, Stop
// (Esc), the run in History, a second run, both selected and compared, one opened again.
void TestMainWindow::wholeFlow()
{
    DesignPlace *design = m_window->designPlace();
    RunPlace *run = m_window->runPlace();
    HistoryPlace *history = m_window->historyPlace();
    m_window->presetMenu()->actions().at(int(TestType::ApiLatency))->trigger();
    QLineEdit *name = design->nameEdit();
    name->selectAll();
    QTest::keyClicks(name, QStringLiteral("Flow through the window"));
    LoadModelEditor *load = design->loadEditor();
    load->vusSpin()->setValue(2);
    load->durationEdit()->selectAll();
    QTest::keyClicks(load->durationEdit(), QStringLiteral("2s"));
    design->validateNow();
    QCOMPARE(design->plan().name, QStringLiteral("Flow through the window"));
    QCOMPARE(design->plan().load.vus, 2);
    QCOMPARE(design->plan().load.durationMs, 2000);
    QVERIFY(m_window->runAction()->isEnabled());
    QVERIFY(!m_window->stopAction()->isEnabled());

    // Run (Ctrl+R): the Run place shows, intervals reach its model.
    QSignalSpy finished(run, &RunPlace::runFinished);
    QTest::keyClick(m_window.get(), Qt::Key_R, Qt::ControlModifier);
    QCOMPARE(m_window->currentPlace(), int(MainWindow::RunPlaceIndex));
    QVERIFY(run->isRunning());
    QVERIFY(!m_window->runAction()->isEnabled());
    QVERIFY(m_window->stopAction()->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(run->drainedIntervals() >= 1, 10000);
    QVERIFY(run->charts()->plot(LiveCharts::ThroughputChart)->graph(0)->dataCount() >= 1);
    QVERIFY(run->endpointModel()->rowCount() >= 1);
    // The running run is listed in History at once.
    const qint64 first = run->resultId();
    QVERIFY(history->model()->rowOf(first) >= 0);

    // Stop with Esc: everything measured is kept.
    QTest::keyClick(m_window.get(), Qt::Key_Escape);
    QVERIFY(finished.wait(15000));
    QVERIFY(run->lastSummary().totals.requests > 0);
    QVERIFY(m_window->runAction()->isEnabled());
    const int row = history->model()->rowOf(first);
    QVERIFY(row >= 0);
    QVERIFY(history->model()->record(row).status == ResultStatus::Aborted ||
            history->model()->record(row).status == ResultStatus::Completed);

    // Run again and let it finish.
    QVERIFY(m_window->runPlan());
    const qint64 second = run->resultId();
    QVERIFY(second != first);
    QVERIFY(finished.wait(15000));
    QCOMPARE(run->lastSummary().status, ResultStatus::Completed);
    QVERIFY(run->summaryPanel()->isVisible());

    // History: select both and Compare.
    QTest::keyClick(m_window.get(), Qt::Key_3, Qt::ControlModifier);
    QVERIFY(history->selectResult(first));
    const QModelIndex secondIndex = history->proxy()->mapFromSource(
        history->model()->index(history->model()->rowOf(second), 0));
    history->view()->selectionModel()->select(secondIndex, QItemSelectionModel::Select |
                                                               QItemSelectionModel::Rows);
    QCOMPARE(history->selectedResultIds().size(), 2);
    QVERIFY(history->compareButton()->isEnabled());
    history->compareButton()->click();
    // Read and compared off the GUI thread: the Compare place shows when the result arrives.
    QTRY_COMPARE_WITH_TIMEOUT(m_window->currentPlace(), int(MainWindow::ComparePlaceIndex), 30000);
    ComparePlace *compare = m_window->comparePlace();
    QCOMPARE(compare->runs().size(), 2);
    QCOMPARE(compare->runs().first().id, first);
    QVERIFY(compare->tableModel()->rowOf(QStringLiteral("p95")) >= 0);
    QVERIFY(!compare->verdictText().isEmpty());

    // Open the second run again: its charts and summary, and a note on it as a marker.
    Annotation noteOnRun;
    noteOnRun.testId = m_store.result(second)->testId;
    noteOnRun.resultId = second;
    noteOnRun.at = m_store.result(second)->startedAt.addMSecs(1000);
    noteOnRun.note = QStringLiteral("cache warmed");
    QVERIFY(m_store.addAnnotation(noteOnRun) > 0);
    QVERIFY(m_window->openRun(second));
    RunViewer *viewer = m_window->lastRunViewer();
    QVERIFY(viewer);
    QVERIFY(viewer->charts()->sampleCount() >= 1);
    const QList<TimelineEvent> shown = viewer->charts()->events();
    const auto marker = std::find_if(shown.cbegin(), shown.cend(), [](const TimelineEvent &e) {
        return e.kind == TimelineEvent::Annotation;
    });
    QVERIFY(marker != shown.cend());
    QCOMPARE(marker->title, QStringLiteral("cache warmed"));
    QCOMPARE(marker->tSec, 1.0);
    QCOMPARE(viewer->summaryPanel()->percentileTable()->rowCount(), 1);
    // Only a completed run is a baseline: the stopped first run is none.
    const bool firstCompleted = m_store.result(first)->status == ResultStatus::Completed;
    QCOMPARE(viewer->summaryPanel()->verdict().isEmpty(), !firstCompleted);
    viewer->close();
}

void TestMainWindow::screenshotTour()
{
    const QString dir = m_dir.filePath(QStringLiteral("tour"));
    ScreenshotTour tour(m_window.get(), dir);
    tour.setRunSeconds(3);
    QSignalSpy done(&tour, &ScreenshotTour::finished);
    tour.start();
    QVERIFY(done.wait(60000));
    QVERIFY2(done.first().first().toBool(), qPrintable(done.first().at(1).toString()));
    for (const QString &name : MainWindow::placeNames()) {
        const QImage image(dir + u'/' + name + QStringLiteral(".png"));
        QVERIFY2(!image.isNull(), qPrintable(name));
    }
    QCOMPARE(m_window->currentPlace(), int(MainWindow::ComparePlaceIndex));
    QCOMPARE(m_window->comparePlace()->runs().size(), 2);
}

LOADSCOPE_WIDGET_TEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
