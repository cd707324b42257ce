#include <QFile>
#include <QListWidget>
#include <QMessageBox>
#include <QStandardPaths>
#include <QTemporaryDir>

#include "design/designplace.h"
#include "design/planinterop.h"
#include "mainwindow.h"
#include "store/historystore.h"
#include "widgettestmain.h"

// File ▸ Import plan opens the imported plan in Design with a summary of what was taken, left
// out and correlated; File ▸ Export as k6 script writes the Design plan as a script.

using namespace loadscope;

namespace {

QString fixture(const QString &name)
{
    return QStringLiteral(LOADSCOPE_TEST_DATA_DIR "/interop/") + name;
}

QStringList items(const QListWidget *list)
{
    QStringList out;
    for (int i = 0; list && i < list->count(); ++i)
        out.append(list->item(i)->text());
    return out;
}

} // namespace

class TestPlanInterop : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    HistoryStore m_store;
    std::unique_ptr<MainWindow> m_window;

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("LoadscopeTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_planinterop"));
        QVERIFY(m_dir.isValid());
        QString error;
        QVERIFY2(m_store.open(m_dir.filePath(QStringLiteral("history.db")), &error),
                 qPrintable(error));
        m_window = std::make_unique<MainWindow>(
            &m_store, DefaultTarget{QStringLiteral("http://127.0.0.1:9"), 0});
        m_window->show();
    }

    void importHarOpensItInDesignWithASummary()
    {
        m_window->setCurrentPlace(MainWindow::HistoryPlaceIndex);
        QVERIFY(m_window->importPlanFrom(fixture(QStringLiteral("checkout.har")), PlanSource::Har));
        QCOMPARE(m_window->currentPlace(), int(MainWindow::DesignPlaceIndex));
        const TestPlan plan = m_window->designPlace()->plan();
        QCOMPARE(plan.name, QStringLiteral("Shop checkout"));
        QCOMPARE(plan.steps.size(), 3);
        QCOMPARE(plan.steps.at(1).path, QStringLiteral("/api/users/{{user_id}}/orders?limit=5"));
        auto *summary = m_window->findChild<ImportSummaryDialog *>(QStringLiteral("importSummary"));
        QVERIFY(summary);
        QTRY_VERIFY(summary->isVisible());
        const QStringList correlations =
            items(summary->findChild<QListWidget *>(QStringLiteral("correlations")));
        QCOMPARE(correlations.size(), 4);
        QVERIFY2(correlations.first().startsWith(QLatin1String("{{token}} = eyJhbGciOiJIUzI1NiJ9")),
                 qPrintable(correlations.first()));
        QVERIFY(items(summary->findChild<QListWidget *>(QStringLiteral("leftOut")))
                    .contains(QStringLiteral("CONNECT entries (proxy tunnels): 1")));
        QCOMPARE(items(summary->findChild<QListWidget *>(QStringLiteral("taken"))).size(), 3 + 4);
        summary->close();
        QTRY_VERIFY(!m_window->findChild<ImportSummaryDialog *>(QStringLiteral("importSummary")));
    }

    void badInputLeavesThePlanAndSaysWhere()
    {
        const TestPlan before = m_window->designPlace()->plan();
        const QString bad = m_dir.filePath(QStringLiteral("bad.har"));
        QFile file(bad);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"log\":{\"version\":\"1.2\",\"entries\":[]}}");
        file.close();
        QVERIFY(!m_window->importPlanFrom(bad, PlanSource::Har));
        auto *box = m_window->findChild<QMessageBox *>(QStringLiteral("importError"));
        QVERIFY(box);
        QCOMPARE(box->text(), QStringLiteral("bad.har: log.entries: the HAR has no entries"));
        box->close();
        QCOMPARE(m_window->designPlace()->plan(), before);
    }

    void exportK6WritesTheDesignPlan()
    {
        QVERIFY(m_window->importPlanFrom(fixture(QStringLiteral("smartmarket.openapi.yaml")),
                                         PlanSource::OpenApi));
        const QString script = m_dir.filePath(QStringLiteral("smartmarket.js"));
        QVERIFY(m_window->exportK6To(script));
        QFile file(script);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(file.readAll());
        QVERIFY(text.contains(QLatin1String("tags: { name: 'updateOrderLine' }")));
        QVERIFY(text.contains(QLatin1String("'Authorization': `Bearer ${v('bearerauth')}`")));
        QVERIFY(text.contains(QLatin1String("'status is 202': (r) => r.status === 202")));
    }

    void cleanupTestCase() { m_window.reset(); }
};

LOADSCOPE_WIDGET_TEST_MAIN(TestPlanInterop)
#include "tst_planinterop.moc"
