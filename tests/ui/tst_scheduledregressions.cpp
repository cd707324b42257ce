// A scheduled run that regresses is flagged in the History table (issue #14): an icon and a
// tooltip in the verdict column of a run `run --scheduled` stored with a regression verdict
// against its baseline, never on a scheduled run without one nor on a regression started by hand,
// and a filter (in SQL, on the trigger column of schema version 7) that keeps only those.
#include <QAbstractItemModelTester>
#include <QIcon>
#include <QTableView>
#include <QTemporaryDir>

#include "history/historyplace.h"
#include "history/resultsfilterproxy.h"
#include "history/resultstablemodel.h"
#include "metrics/runmetrics.h"
#include "store/historystore.h"
#include "theme.h"
#include "widgettestmain.h"

using namespace loadscope;

class TestScheduledRegressions : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void flagsOnlyTheScheduledRegression();
    void filtersScheduledRegressions();
    void historyPlaceShowsTheFlag();

private:
    //! A finished run whose summary says what RunSession writes: its trigger and the verdict
    //! against its baseline (none for the first run).
    qint64 addRun(double p95, const QString &trigger, const QString &verdict);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<HistoryStore> m_store;
    qint64 m_test = 0;
    qint64 m_baseline = 0;
    qint64 m_scheduledUnchanged = 0;
    qint64 m_scheduledRegressed = 0;
    qint64 m_manualRegressed = 0;
};

qint64 TestScheduledRegressions::addRun(double p95, const QString &trigger, const QString &verdict)
{
    const qint64 id = m_store->startResult(m_test, QJsonObject(), QString());
    ResultSample overall;
    overall.tSec = 1;
    overall.requests = 100;
    overall.rps = 100;
    overall.p95Ms = p95;
    m_store->appendSamples(id, {overall});
    RunExtras extras;
    extras.trigger = trigger;
    if (!verdict.isEmpty())
        extras.comparison = QJsonObject{{QStringLiteral("verdict"), verdict}};
    QJsonObject summary = extras.toJson();
    summary.insert(QStringLiteral("durationSec"), 1.0);
    summary.insert(QStringLiteral("totals"), QJsonObject{{QStringLiteral("requests"), 100},
                                                         {QStringLiteral("throughputRps"), 100.0},
                                                         {QStringLiteral("errorRate"), 0.0}});
    summary.insert(QStringLiteral("latencyMs"), QJsonObject{{QStringLiteral("p95"), p95}});
    m_store->finishResult(id, ResultStatus::Completed, summary, QString());
    return id;
}

void TestScheduledRegressions::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_store = std::make_unique<HistoryStore>();
    QString error;
    QVERIFY2(m_store->open(m_dir->filePath(QStringLiteral("history.db")), &error),
             qPrintable(error));
    StoredTest test;
    test.name = QStringLiteral("Nightly checkout");
    test.testType = QStringLiteral("LOAD_TEST");
    m_test = m_store->saveTest(test);
    QVERIFY(m_test > 0);
    m_baseline = addRun(20, QString(), QString());
    m_scheduledUnchanged =
        addRun(20.5, QStringLiteral("schedule"), QStringLiteral("no significant change"));
    m_scheduledRegressed = addRun(35, QStringLiteral("schedule"), QStringLiteral("regression"));
    m_manualRegressed = addRun(36, QString(), QStringLiteral("regression"));
    QVERIFY(m_store->flush());
}

void TestScheduledRegressions::cleanup()
{
    m_store.reset();
    m_dir.reset();
}

void TestScheduledRegressions::flagsOnlyTheScheduledRegression()
{
    ResultsTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setStore(m_store.get());
    model.refresh();
    QCOMPARE(model.rowCount(), 4);
    for (int row = 0; row < model.rowCount(); ++row) {
        const qint64 id = model.record(row).id;
        const QModelIndex verdict = model.index(row, ResultsTableModel::VerdictColumn);
        const bool flagged = id == m_scheduledRegressed;
        QCOMPARE(verdict.data(ResultsTableModel::ScheduledRegressionRole).toBool(), flagged);
        QCOMPARE(!verdict.data(Qt::DecorationRole).value<QIcon>().isNull(), flagged);
        const QString tip = verdict.data(Qt::ToolTipRole).toString();
        const bool scheduled = id == m_scheduledRegressed || id == m_scheduledUnchanged;
        QVERIFY2(tip.contains(QLatin1String("Scheduled run")) == scheduled, qPrintable(tip));
        if (flagged)
            QVERIFY2(tip.contains(QLatin1String("regressed against its baseline")),
                     qPrintable(tip));
    }
    // The hand-started regression shows its verdict, unflagged.
    const int manual = model.rowOf(m_manualRegressed);
    QCOMPARE(model.index(manual, ResultsTableModel::VerdictColumn).data().toString(),
             QStringLiteral("regression"));
}

void TestScheduledRegressions::filtersScheduledRegressions()
{
    ResultsTableModel model;
    model.setStore(m_store.get());
    model.refresh();
    ResultsFilterProxy proxy;
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    proxy.setSourceModel(&model);
    proxy.setScheduledRegressionsOnly(true);
    QCOMPARE(proxy.rowCount(), 1);
    QCOMPARE(proxy.index(0, 0).data(ResultsTableModel::ResultIdRole).toLongLong(),
             m_scheduledRegressed);
    QCOMPARE(model.totalCount(), 1);
    // Another filter keeps it; a test name that does not match leaves nothing.
    proxy.setTextFilter(QStringLiteral("checkout"));
    QCOMPARE(proxy.rowCount(), 1);
    proxy.setTextFilter(QStringLiteral("login"));
    QCOMPARE(proxy.rowCount(), 0);
    proxy.setTextFilter(QString());
    proxy.setScheduledRegressionsOnly(false);
    QCOMPARE(proxy.rowCount(), 4);
}

void TestScheduledRegressions::historyPlaceShowsTheFlag()
{
    const QString dir = qEnvironmentVariable("LOADSCOPE_SCREENSHOT_DIR", m_dir->path());
    for (const Theme theme : {Theme::Light, Theme::Dark}) {
        applyTheme(theme);
        HistoryPlace place(m_store.get());
        place.resize(1366, 768);
        place.show();
        QTRY_COMPARE(place.model()->rowCount(), 4);
        const int row = place.model()->rowOf(m_scheduledRegressed);
        QVERIFY(row >= 0);
        const QModelIndex cell = place.proxy()->mapFromSource(
            place.model()->index(row, ResultsTableModel::VerdictColumn));
        QVERIFY(cell.data(ResultsTableModel::ScheduledRegressionRole).toBool());
        // The flag is drawn: the warning icon's yellow is in the flagged cell, not in the cell of
        // the regression started by hand (whose verdict text is as red).
        const QModelIndex manual = place.proxy()->mapFromSource(place.model()->index(
            place.model()->rowOf(m_manualRegressed), ResultsTableModel::VerdictColumn));
        QCoreApplication::processEvents();
        auto hasYellow = [&](const QModelIndex &index) {
            const QImage image =
                place.view()->viewport()->grab(place.view()->visualRect(index)).toImage();
            for (int y = 0; y < image.height(); ++y) {
                for (int x = 0; x < image.width(); ++x) {
                    const QColor c = image.pixelColor(x, y);
                    if (c.red() > 180 && c.green() > 140 && c.blue() < 110)
                        return true;
                }
            }
            return false;
        };
        QVERIFY(hasYellow(cell));
        QVERIFY(!hasYellow(manual));
        const QImage shot = place.grab().toImage();
        const QString suffix = theme == Theme::Dark ? QStringLiteral("-dark") : QString();
        QVERIFY(shot.save(dir + QStringLiteral("/history-scheduled-regression") + suffix +
                          QStringLiteral(".png")));
    }
    applyTheme(Theme::Light);
}

LOADSCOPE_WIDGET_TEST_MAIN(TestScheduledRegressions)
#include "tst_scheduledregressions.moc"
