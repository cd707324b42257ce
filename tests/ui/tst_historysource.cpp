// The History place's Source column and filter, over a real history holding a run of our own
// and one imported from a k6 file.
#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QMimeData>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>

#include "history/historyplace.h"
#include "history/resultsfilterproxy.h"
#include "history/resultstablemodel.h"
#include "interop/resultimport.h"
#include "store/historystore.h"
#include "widgettestmain.h"

using namespace loadscope;

class TestHistorySource : public QObject
{
    Q_OBJECT

private slots:
    void sourceColumnIsShownAndFilterable()
    {
        QTemporaryDir dir;
        HistoryStore store;
        QVERIFY(store.open(dir.filePath(QStringLiteral("h.db"))));
        StoredTest test;
        test.name = QStringLiteral("checkout");
        test.testType = QStringLiteral("LOAD_TEST");
        const qint64 testId = store.upsertTestByName(test);
        const qint64 ours = store.startResult(testId, {}, QStringLiteral("v1"));
        store.finishResult(ours, ResultStatus::Completed, {});
        QVERIFY(store.flush());
        ResultImportOptions options;
        options.testName = QStringLiteral("checkout");
        const ImportReport imported = importResultFile(
            store, QStringLiteral(LOADSCOPE_TEST_DATA_DIR "/import/k6-groups-checks.ndjson"),
            options);
        QVERIFY2(imported.ok, qPrintable(imported.error));

        HistoryPlace place(&store);
        QAbstractItemModelTester tester(place.model(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QAbstractItemModel *model = place.model();
        QCOMPARE(model->headerData(ResultsTableModel::SourceColumn, Qt::Horizontal).toString(),
                 QStringLiteral("Source"));
        QHash<qint64, QString> sources;
        for (int row = 0; row < model->rowCount(); ++row) {
            sources.insert(model->index(row, 0).data(ResultsTableModel::ResultIdRole).toLongLong(),
                           model->index(row, ResultsTableModel::SourceColumn).data().toString());
        }
        QCOMPARE(sources.value(ours), QStringLiteral("Loadscope"));
        QCOMPARE(sources.value(imported.resultId), QStringLiteral("k6"));

        const auto visible = [&place] {
            QList<qint64> ids;
            const QAbstractItemModel *proxy = place.view()->model();
            for (int row = 0; row < proxy->rowCount(); ++row)
                ids.append(proxy->index(row, 0).data(ResultsTableModel::ResultIdRole).toLongLong());
            return ids;
        };
        QCOMPARE(visible().size(), 2);
        place.sourceFilter()->setCurrentIndex(place.sourceFilter()->findData(QStringLiteral("k6")));
        QCOMPARE(visible(), QList<qint64>{imported.resultId});
        place.sourceFilter()->setCurrentIndex(
            place.sourceFilter()->findData(QStringLiteral("Loadscope")));
        QCOMPARE(visible(), QList<qint64>{ours});
        place.sourceFilter()->setCurrentIndex(0);
        QCOMPARE(visible().size(), 2);
    }

    void importAndDropAddRuns()
    {
        QTemporaryDir dir;
        HistoryStore store;
        QVERIFY(store.open(dir.filePath(QStringLiteral("h.db"))));
        HistoryPlace place(&store);
        QSignalSpy errors(&place, &HistoryPlace::errorOccurred);
        const QString k6 =
            QStringLiteral(LOADSCOPE_TEST_DATA_DIR "/import/k6-groups-checks.ndjson");
        const QString jmeter = QStringLiteral(LOADSCOPE_TEST_DATA_DIR "/import/jmeter-header.csv");
        // Two files at once (File > Import results...), then one of them again.
        const QStringList lines = place.importFiles({k6, jmeter});
        QCOMPARE(lines.size(), 2);
        QVERIFY2(lines[0].contains(QLatin1String("as run #1")) &&
                     lines[1].contains(QLatin1String("as run #2")),
                 qPrintable(lines.join(u'|')));
        QCOMPARE(place.model()->rowCount(), 2);
        QCOMPARE(place.selectedResultIds(), QList<qint64>{2});
        QVERIFY(place.importFiles({k6}).value(0).contains(QLatin1String("imported already")));
        QCOMPARE(place.model()->rowCount(), 2);
        QCOMPARE(errors.count(), 0);

        // Dropping a file on the place imports it; a file of no known format says why.
        const QString garbage = dir.filePath(QStringLiteral("notes.txt"));
        QFile file(garbage);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("not results\n");
        file.close();
        const QString xml = QStringLiteral(LOADSCOPE_TEST_DATA_DIR "/import/jmeter-subsamples.xml");
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(xml), QUrl::fromLocalFile(garbage)});
        QDragEnterEvent enter(QPoint(5, 5), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&place, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(5, 5), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&place, &drop);
        QCOMPARE(place.model()->rowCount(), 3);
        QCOMPARE(errors.count(), 1);
        QVERIFY2(errors.first().first().toString().contains(garbage),
                 qPrintable(errors.first().first().toString()));
    }
};

LOADSCOPE_WIDGET_TEST_MAIN(TestHistorySource)
#include "tst_historysource.moc"
