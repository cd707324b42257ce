#include <algorithm>

#include <QAbstractScrollArea>
#include <QHeaderView>
#include <QImage>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTreeView>

#include "compare/compareplace.h"
#include "design/designplace.h"
#include "history/historyplace.h"
#include "mainwindow.h"
#include "plot/plotstyle.h"
#include "run/livecharts.h"
#include "run/runplace.h"
#include "sample/sampleapihost.h"
#include "screenshottour.h"
#include "store/historystore.h"
#include "widgettestmain.h"
#include "windowstate.h"

using namespace loadscope;

namespace {

//! True when @p widget sits inside a scroll area's viewport: it may lie outside the window and
//! still be reached by scrolling.
bool insideScrolledViewport(const QWidget *widget, const QWidget *window)
{
    for (const QWidget *w = widget->parentWidget(); w && w != window; w = w->parentWidget()) {
        if (const auto *area = qobject_cast<const QAbstractScrollArea *>(w->parentWidget());
            area && area->viewport() == w)
            return true;
    }
    return false;
}

//! Every visible widget of @p window that lies (partly) outside it or whose size is empty, and
//! every visible table column squeezed under @p minColumn pixels, as "Class name: why".
QStringList layoutProblems(QWidget *window, int minColumn = 12)
{
    QStringList problems;
    const QRect bounds = window->rect();
    const auto widgets = window->findChildren<QWidget *>();
    for (QWidget *w : widgets) {
        if (!w->isVisibleTo(window) || w->isWindow() || insideScrolledViewport(w, window))
            continue;
        const QRect r(w->mapTo(window, QPoint(0, 0)), w->size());
        const QString what = QString::fromLatin1(w->metaObject()->className()) + u' ' +
                             w->objectName() + QStringLiteral(" (parent ") +
                             QString::fromLatin1(w->parentWidget()->metaObject()->className()) +
                             u')';
        if (!bounds.contains(r))
            problems << what + QStringLiteral(": at %1,%2 %3×%4 outside the %5×%6 window")
                                   .arg(r.x())
                                   .arg(r.y())
                                   .arg(r.width())
                                   .arg(r.height())
                                   .arg(bounds.width())
                                   .arg(bounds.height());
    }
    const auto views = window->findChildren<QTableView *>();
    for (QTableView *view : views) {
        if (!view->isVisibleTo(window) || !view->model())
            continue;
        const QHeaderView *header = view->horizontalHeader();
        for (int c = 0; c < header->count(); ++c) {
            if (header->isSectionHidden(c))
                continue;
            if (header->sectionSize(c) < minColumn)
                problems << QStringLiteral("%1 column %2 (%3) is %4 px wide")
                                .arg(view->objectName())
                                .arg(c)
                                .arg(view->model()->headerData(c, Qt::Horizontal).toString())
                                .arg(header->sectionSize(c));
        }
    }
    return problems;
}

//! Every visible scroll area of @p window (a form column, a table) whose content is wider than
//! its viewport, so that it needs a horizontal scroll bar: the place does not fit sideways.
QStringList sidewaysScrolling(QWidget *window)
{
    QStringList problems;
    const auto areas = window->findChildren<QAbstractScrollArea *>();
    for (QAbstractScrollArea *area : areas) {
        if (!area->isVisibleTo(window) ||
            area->horizontalScrollBarPolicy() == Qt::ScrollBarAlwaysOff)
            continue;
        const QScrollBar *bar = area->horizontalScrollBar();
        if (bar->maximum() <= bar->minimum())
            continue;
        const QWidget *content = area->viewport();
        if (const auto *scroll = qobject_cast<const QScrollArea *>(area);
            scroll && scroll->widget())
            content = scroll->widget();
        // What holds the content wide: the children whose minimum width is the largest.
        QStringList widest;
        if (const auto *scroll = qobject_cast<const QScrollArea *>(area);
            scroll && scroll->widget()) {
            QList<QPair<int, QString>> minimums;
            const auto children = scroll->widget()->findChildren<QWidget *>();
            for (const QWidget *child : children) {
                if (child->isVisibleTo(scroll->widget()))
                    minimums.append(
                        {std::max(child->minimumSizeHint().width(), child->minimumWidth()),
                         QString::fromLatin1(child->metaObject()->className()) + u' ' +
                             child->objectName()});
            }
            std::sort(minimums.begin(), minimums.end(),
                      [](const auto &a, const auto &b) { return a.first > b.first; });
            for (int i = 0; i < std::min<int>(6, int(minimums.size())); ++i)
                widest
                    << QStringLiteral("%1 %2").arg(minimums.at(i).second).arg(minimums.at(i).first);
        }
        problems << QStringLiteral("%1 %2 (in %3) scrolls sideways: %4 more (viewport %5 px, "
                                   "content %6 px)%7")
                        .arg(QString::fromLatin1(area->metaObject()->className()),
                             area->objectName(),
                             QString::fromLatin1(area->parentWidget()->metaObject()->className()) +
                                 u' ' + area->parentWidget()->objectName())
                        .arg(bar->maximum() - bar->minimum())
                        .arg(area->viewport()->width())
                        .arg(content->width())
                        .arg(widest.isEmpty() ? QString()
                                              : QStringLiteral("; widest: ") +
                                                    widest.join(QStringLiteral(", ")));
    }
    return problems;
}

} // namespace

// The workbench on a small screen (issue #16): every place at 1024×640 keeps every widget in
// the window and every table column readable, and nothing needs scrolling sideways; geometry
// that no longer fits is fitted.
class TestLayout : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void fitsAt1024x640();
    void everyPlaceFitsAfterRuns();
    void chartGridReflows();
    void fitToScreenKeepsWhatFits();
    void restoredGeometryIsFittedToASmallerScreen();
    void placeAndSplittersPersist();
    void cleanupTestCase();

private:
    void checkEveryPlace(const char *when);

    QTemporaryDir m_dir;
    HistoryStore m_store;
    SampleApiHost m_host;
    std::unique_ptr<MainWindow> m_window;
};

void TestLayout::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("LoadscopeTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_layout"));
    QSettings().clear();
    QVERIFY(m_dir.isValid());
    QString error;
    QVERIFY2(m_store.open(m_dir.filePath(QStringLiteral("history.db")), &error), qPrintable(error));
    QVERIFY2(m_host.start(QHostAddress::LocalHost, 0, &error) > 0, qPrintable(error));
    m_window =
        std::make_unique<MainWindow>(&m_store, DefaultTarget{m_host.baseUrl().toString(), 0});
    m_window->resize(1024, 640);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestLayout::cleanupTestCase()
{
    m_window.reset();
    QSettings().clear();
}

void TestLayout::checkEveryPlace(const char *when)
{
    QStringList all; // every place's problems, so that one run shows them all
    for (int place = 0; place < MainWindow::PlaceCount; ++place) {
        m_window->setCurrentPlace(place);
        QCoreApplication::sendPostedEvents();
        QCoreApplication::processEvents();
        const QString name = MainWindow::placeNames().at(place);
        QVERIFY2(m_window->size() == QSize(1024, 640),
                 qPrintable(QStringLiteral("%1 %2: the window grew to %3×%4")
                                .arg(QLatin1String(when), name)
                                .arg(m_window->width())
                                .arg(m_window->height())));
        const QStringList problems =
            layoutProblems(m_window.get()) + sidewaysScrolling(m_window.get());
        if (!problems.isEmpty())
            all << QStringLiteral("%1 %2:\n").arg(QLatin1String(when), name) + problems.join(u'\n');
    }
    QVERIFY2(all.isEmpty(), qPrintable(all.join(u'\n')));
}

void TestLayout::fitsAt1024x640()
{
    const QSize minimum = m_window->minimumSizeHint().expandedTo(m_window->minimumSize());
    QVERIFY2(
        minimum.width() <= 1024 && minimum.height() <= 640,
        qPrintable(QStringLiteral("minimum %1×%2").arg(minimum.width()).arg(minimum.height())));
    checkEveryPlace("empty history");
}

void TestLayout::everyPlaceFitsAfterRuns()
{
    // Two real runs through the screenshot tour: a live run, its summary, History with rows,
    // Compare with two runs; the tour's PNGs are taken at this size too.
    const QString dir = m_dir.filePath(QStringLiteral("shots"));
    ScreenshotTour tour(m_window.get(), dir);
    tour.setRunSeconds(3);
    QSignalSpy done(&tour, &ScreenshotTour::finished);
    tour.start();
    QVERIFY(done.wait(60000));
    QVERIFY2(done.first().first().toBool(), qPrintable(done.first().at(1).toString()));
    checkEveryPlace("after two runs");
    for (const QString &name : MainWindow::placeNames())
        QCOMPARE(QImage(dir + u'/' + name + QStringLiteral(".png")).size(), QSize(1024, 640));
}

void TestLayout::chartGridReflows()
{
    m_window->setCurrentPlace(MainWindow::RunPlaceIndex);
    QTRY_COMPARE(m_window->runPlace()->charts()->columnCount(), 2); // 1024 px wide: 2 columns

    LiveCharts charts;
    charts.resize(600, 900);
    charts.show();
    QVERIFY(QTest::qWaitForWindowExposed(&charts));
    QTRY_COMPARE(charts.columnCount(), 1);
    // One column: the latency chart is below the throughput chart, not beside it.
    const QWidget *throughput = charts.plot(LiveCharts::ThroughputChart);
    const QWidget *latency = charts.plot(LiveCharts::LatencyChart);
    QTRY_VERIFY(latency->mapTo(&charts, QPoint()).y() > throughput->mapTo(&charts, QPoint()).y());
    QCOMPARE(latency->mapTo(&charts, QPoint()).x(), throughput->mapTo(&charts, QPoint()).x());
    charts.resize(1000, 900);
    QTRY_COMPARE(charts.columnCount(), 2);
    QTRY_VERIFY(latency->mapTo(&charts, QPoint()).x() > throughput->mapTo(&charts, QPoint()).x());
}

void TestLayout::fitToScreenKeepsWhatFits()
{
    const QRect screen(0, 0, 1366, 768);
    QCOMPARE(fitToScreen(QRect(100, 50, 1024, 640), screen), QRect(100, 50, 1024, 640));
    // Too big: shrunk to the screen; partly off: moved inside.
    QCOMPARE(fitToScreen(QRect(0, 0, 1920, 1080), screen), QRect(0, 0, 1366, 768));
    QCOMPARE(fitToScreen(QRect(800, 400, 1024, 640), screen), QRect(342, 128, 1024, 640));
    // A second screen to the left of the first, at negative coordinates.
    QCOMPARE(fitToScreen(QRect(-1500, 10, 1400, 900), QRect(-1280, 0, 1280, 720)),
             QRect(-1280, 0, 1280, 720));
}

void TestLayout::restoredGeometryIsFittedToASmallerScreen()
{
    // Saved on a big screen...
    m_window->resize(1600, 1000);
    m_window->saveWindowState();
    // ...restored on a 1280×720 one (its available area under a 32 px panel).
    MainWindow other(&m_store, DefaultTarget{m_host.baseUrl().toString(), 0});
    const QRect small(0, 32, 1280, 688);
    other.restoreWindowState(small);
    QVERIFY2(small.contains(other.geometry()), qPrintable(QStringLiteral("%1,%2 %3×%4")
                                                              .arg(other.geometry().x())
                                                              .arg(other.geometry().y())
                                                              .arg(other.width())
                                                              .arg(other.height())));
    QCOMPARE(other.size(), small.size());
    // On a screen that still has room, the saved size comes back as it was.
    other.restoreWindowState(QRect(0, 0, 2560, 1440));
    QCOMPARE(other.size(), QSize(1600, 1000));
    m_window->resize(1024, 640);
}

void TestLayout::placeAndSplittersPersist()
{
    auto *splitter = m_window->findChild<QSplitter *>(QStringLiteral("historySplitter"));
    QVERIFY(splitter);
    m_window->setCurrentPlace(MainWindow::HistoryPlaceIndex);
    QCoreApplication::processEvents();
    const int total = splitter->sizes().value(0) + splitter->sizes().value(1);
    splitter->setSizes({total - 330, 330});
    const QList<int> sizes = splitter->sizes();
    m_window->setCurrentPlace(MainWindow::ComparePlaceIndex);
    m_window->saveWindowState();

    MainWindow other(&m_store, DefaultTarget{m_host.baseUrl().toString(), 0});
    other.resize(m_window->size());
    other.restoreWindowState(QRect(0, 0, 2560, 1440));
    other.show();
    QVERIFY(QTest::qWaitForWindowExposed(&other));
    QCOMPARE(other.currentPlace(), int(MainWindow::ComparePlaceIndex));
    other.setCurrentPlace(MainWindow::HistoryPlaceIndex);
    QCoreApplication::processEvents();
    auto *restored = other.findChild<QSplitter *>(QStringLiteral("historySplitter"));
    QVERIFY(restored);
    QCOMPARE(restored->sizes(), sizes);
}

LOADSCOPE_WIDGET_TEST_MAIN(TestLayout)
#include "tst_layout.moc"
