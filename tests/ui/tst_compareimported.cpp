// The Compare place with an imported run beside one of ours: a real short run against the
// sample API and k6's end-of-test summary imported into the same history. What both sides have
// is compared, what one lacks (k6's default summary has no p99) is listed, not made up.
#include <cmath>

#include <QBoxPlotSeries>
#include <QBoxSet>
#include <QTemporaryDir>

#include "compare/compareplace.h"
#include "compare/comparisontablemodel.h"
#include "interop/resultimport.h"
#include "plot/plotstyle.h"
#include "sample/sampleapihost.h"
#include "session/runsession.h"
#include "store/historystore.h"
#include "widgettestmain.h"

using namespace loadscope;

class TestCompareImported : public QObject
{
    Q_OBJECT

private slots:
    void importedSummaryBesideOurRun()
    {
        QTemporaryDir dir;
        HistoryStore store;
        QString error;
        QVERIFY2(store.open(dir.filePath(QStringLiteral("history.db")), &error), qPrintable(error));
        SampleApiHost host;
        QVERIFY2(host.start(QHostAddress::LocalHost, 0, &error) > 0, qPrintable(error));

        TestPlan plan;
        plan.name = QStringLiteral("checkout");
        Step step;
        step.path = QStringLiteral("/api/health");
        plan.steps = {step};
        plan.load.vus = 2;
        plan.load.durationMs = 2000;
        plan.intervalMs = 500;
        plan.threads = 1;
        RunSession session(&store);
        MonitorOptions monitor;
        monitor.enabled = false;
        session.setMonitorOptions(monitor);
        session.setDefaultTarget(DefaultTarget{host.baseUrl().toString(), 0});
        QSignalSpy finished(&session, &RunSession::finished);
        QVERIFY2(session.start(plan, &error), qPrintable(error));
        QVERIFY(finished.wait(20000));
        const qint64 ours = finished.first().at(1).toLongLong();
        QVERIFY(ours > 0);

        ResultImportOptions options;
        options.testName = QStringLiteral("checkout");
        const ImportReport imported = importResultFile(
            store, QStringLiteral(LOADSCOPE_TEST_DATA_DIR "/import/k6-summary-export.json"),
            options);
        QVERIFY2(imported.ok, qPrintable(imported.error));

        ComparePlace place(&store);
        place.resize(1400, 900);
        place.show();
        QVERIFY2(place.compare({ours, imported.resultId}, &error), qPrintable(error));
        QCOMPARE(place.runs().size(), 2);
        const int baseline = place.runs().at(0).id == ours ? 0 : 1;
        const StoredRun &k6 = place.runs().at(1 - baseline);
        QCOMPARE(k6.id, imported.resultId);

        // p95 on both sides: ours from its histogram, k6's as its summary gave it.
        ComparisonTableModel *model = place.tableModel();
        const MetricDelta *p95 = model->delta(model->rowOf(QStringLiteral("p95")), 0);
        QVERIFY(p95);
        QCOMPARE(baseline == 0 ? p95->candidate : p95->base, 215.95);
        QVERIFY(std::isfinite(baseline == 0 ? p95->base : p95->candidate));
        // p99 only on ours: listed in the header, its row says "insufficient data".
        const MetricDelta *p99 = model->delta(model->rowOf(QStringLiteral("p99")), 0);
        QVERIFY(p99);
        QCOMPARE(p99->verdict, MetricDelta::Insufficient);
        const QString header = place.verdictText();
        QVERIFY2(
            header.contains(QStringLiteral("p99 (not in ") + k6.label().toHtmlEscaped() + u')'),
            qPrintable(header));
        QVERIFY2(header.contains(QLatin1String("as given by k6")), qPrintable(header));
        // No histogram behind k6's figures: no box for it, and the axis says so; its given
        // percentiles are points on the percentile plot (p50, p90, p95).
        const QList<QBoxSet *> boxes = place.boxSeries()->boxSets();
        QCOMPARE(boxes.size(), 2);
        QVERIFY(boxes.at(1 - baseline)->label().contains(QLatin1String("no histogram")));
        QCOMPARE(place.percentilePlot()->graph(1 - baseline)->dataCount(), 3);
        QVERIFY(place.percentilePlot()->graph(baseline)->dataCount() > 3);
        // Recommendations for both, the imported run's from its own figures.
        QCOMPARE(place.recommendationColumns(), 2);
        QVERIFY(!place.grab().isNull());
    }
};

LOADSCOPE_WIDGET_TEST_MAIN(TestCompareImported)
#include "tst_compareimported.moc"
