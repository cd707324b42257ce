#include "widgettestmain.h"

#include <QAction>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>

#include "design/designplace.h"
#include "history/historyplace.h"
#include "mainwindow.h"
#include "plan/planpresets.h"
#include "server/sampleapihost.h"
#include "store/historystore.h"

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
    m_window = std::make_unique<MainWindow>(&m_store, m_baseUrl);
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
    QTest::keyClick(m_window.get(), Qt::Key_2, Qt::ControlModifier);
    QCOMPARE(m_window->currentPlace(), int(MainWindow::HistoryPlaceIndex));
    QVERIFY(m_window->historyPlace()->isVisible());
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

LOADSCOPE_WIDGET_TEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
