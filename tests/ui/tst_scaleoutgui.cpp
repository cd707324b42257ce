// Scale-out in the GUI (#12): Run ▸ Export for Kubernetes… writes the manifest the CLI writes
// (parsed back), and a merged run of real agent processes, stored in SQLite, shows its agents
// in the Run summary and in History's run details; a run that was not merged shows none.
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QScopeGuard>
#include <QTableWidget>
#include <QTemporaryDir>

#include "analysis/recommendations.h"
#include "common/agentspanel.h"
#include "fakehttpserver.h"
#include "history/rundetails.h"
#include "plan/planjson.h"
#include "run/agentmerge.h"
#include "run/k8sexportdialog.h"
#include "run/runsummarypanel.h"
#include "session/storedrun.h"
#include "store/historystore.h"
#include "testsupport.h"
#include "theme.h"
#include "widgettestmain.h"

using namespace loadscope;
using loadscope::test::FakeHttpServer;
using loadscope::test::FakeReply;
using loadscope::test::FakeRequest;

namespace {

QJsonObject readJson(const QString &path)
{
    return QJsonDocument::fromJson(loadscope::test::readFileBytes(path)).object();
}

QJsonObject itemOfKind(const QJsonArray &items, const QString &kind)
{
    for (const QJsonValue &v : items) {
        if (v.toObject().value(QStringLiteral("kind")).toString() == kind)
            return v.toObject();
    }
    return {};
}

} // namespace

class TestScaleOutGui : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<FakeHttpServer> m_server;
    QString m_planPath;
    QJsonObject m_planJson;

    QStringList m_agentFiles; //!< the two agents of mergedRunShowsItsAgents()

    QString path(const QString &name) const { return m_dir.filePath(name); }

    //! N agents as separate `loadscope-cli run --segment` processes with a common start.
    QStringList runAgents(int count)
    {
        return loadscope::test::runSegmentAgents(m_planPath, count, m_dir.path(), 2000);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_server = std::make_unique<FakeHttpServer>([](const FakeRequest &) {
            return FakeReply::ok(QByteArrayLiteral("{\"status\":\"ok\"}"));
        });
        QVERIFY(m_server->start());
        m_planJson = QJsonObject{
            {QStringLiteral("name"), QStringLiteral("Scale Out GUI")},
            {QStringLiteral("testType"), QStringLiteral("LOAD_TEST")},
            {QStringLiteral("baseUrl"),
             QStringLiteral("http://127.0.0.1:%1").arg(m_server->port())},
            {QStringLiteral("steps"),
             QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("health")},
                                    {QStringLiteral("path"), QStringLiteral("/api/health")}}}},
            {QStringLiteral("load"),
             QJsonObject{{QStringLiteral("executor"), QStringLiteral("constant-arrival-rate")},
                         {QStringLiteral("rate"), 40},
                         {QStringLiteral("duration"), QStringLiteral("2s")},
                         {QStringLiteral("preAllocatedVUs"), 4},
                         {QStringLiteral("maxVUs"), 8}}}};
        m_planPath = path(QStringLiteral("plan.json"));
        QFile file(m_planPath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QJsonDocument(m_planJson).toJson());
    }

    void exportDialogWritesTheManifest()
    {
        const auto plan = planFromJson(m_planJson);
        QVERIFY(plan);
        const QString out = path(QStringLiteral("k8s"));
        QVERIFY(QDir().mkpath(out));
        K8sExportDialog dialog(*plan);
        dialog.setAgents(3);
        dialog.setImage(QStringLiteral("registry.example/loadscope-cli:1.0"));
        dialog.setNamespace(QStringLiteral("perf"));
        dialog.setReportTo(QStringLiteral("http://workbench.perf:8080"));
        dialog.setStartDelaySec(45);
        dialog.setJson(true);
        dialog.setOutputDir(out);
        const QDateTime before = QDateTime::currentDateTimeUtc();
        QVERIFY2(dialog.exportManifest(), qPrintable(dialog.lastError()));
        QCOMPARE(dialog.writtenFile(),
                 QDir(out).filePath(QStringLiteral("scale-out-gui-k8s.json")));

        const QJsonObject list = readJson(dialog.writtenFile());
        QCOMPARE(list[QStringLiteral("kind")].toString(), QStringLiteral("List"));
        const QJsonArray items = list[QStringLiteral("items")].toArray();
        const QJsonObject configMap = itemOfKind(items, QStringLiteral("ConfigMap"));
        const QJsonObject job = itemOfKind(items, QStringLiteral("Job"));
        QVERIFY(!configMap.isEmpty());
        QVERIFY(!job.isEmpty());
        QCOMPARE(job[QStringLiteral("metadata")].toObject()[QStringLiteral("namespace")].toString(),
                 QStringLiteral("perf"));
        // The plan rides in the ConfigMap, as the one given.
        const auto shipped = planFromJsonBytes(configMap[QStringLiteral("data")]
                                                   .toObject()[QStringLiteral("plan.json")]
                                                   .toString()
                                                   .toUtf8());
        QVERIFY(shipped);
        QCOMPARE(shipped->name, plan->name);
        const QJsonObject spec = job[QStringLiteral("spec")].toObject();
        QCOMPARE(spec[QStringLiteral("completionMode")].toString(), QStringLiteral("Indexed"));
        QCOMPARE(spec[QStringLiteral("completions")].toInt(), 3);
        QCOMPARE(spec[QStringLiteral("parallelism")].toInt(), 3);
        const QJsonObject container = spec[QStringLiteral("template")]
                                          .toObject()[QStringLiteral("spec")]
                                          .toObject()[QStringLiteral("containers")]
                                          .toArray()
                                          .first()
                                          .toObject();
        QCOMPARE(container[QStringLiteral("image")].toString(),
                 QStringLiteral("registry.example/loadscope-cli:1.0"));
        const QString command =
            QString::fromUtf8(QJsonDocument(container).toJson(QJsonDocument::Compact));
        QVERIFY2(command.contains(QLatin1String("--segment=$(JOB_COMPLETION_INDEX)/3")),
                 qPrintable(command));
        QVERIFY2(command.contains(QLatin1String("http://workbench.perf:8080")),
                 qPrintable(command));
        // The common start is the export time plus the delay given.
        QString startAt;
        const QJsonArray env = container[QStringLiteral("env")].toArray();
        for (const QJsonValue &v : env) {
            if (v[QStringLiteral("name")].toString() == QLatin1String("LOADSCOPE_START_AT"))
                startAt = v[QStringLiteral("value")].toString();
        }
        const QDateTime start = QDateTime::fromString(startAt, Qt::ISODateWithMs);
        QVERIFY2(start.isValid() && start >= before.addSecs(44) &&
                     start <= QDateTime::currentDateTimeUtc().addSecs(46),
                 qPrintable(startAt));

        // YAML, the default: the same objects as a multi-document stream.
        dialog.setJson(false);
        QVERIFY(dialog.exportManifest());
        QVERIFY(dialog.writtenFile().endsWith(QLatin1String("scale-out-gui-k8s.yaml")));
        const QByteArray yaml = loadscope::test::readFileBytes(dialog.writtenFile());
        QVERIFY2(yaml.startsWith("---") && yaml.count("\n---") == 1, yaml.left(200).constData());
        QVERIFY2(yaml.contains("ConfigMap") && yaml.contains("Indexed") &&
                     yaml.contains("registry.example/loadscope-cli:1.0"),
                 yaml.left(400).constData());

        // Refused with the reason, nothing written.
        dialog.setNamespace(QStringLiteral("Not A Label"));
        QVERIFY(!dialog.exportManifest());
        QVERIFY(dialog.lastError().contains(QLatin1String("DNS-1123")));
        QVERIFY(dialog.writtenFile().isEmpty());
        dialog.setNamespace(QStringLiteral("perf"));
        dialog.setOutputDir(path(QStringLiteral("no-such-folder")));
        QVERIFY(!dialog.exportManifest());
        QVERIFY(!QFile::exists(path(QStringLiteral("no-such-folder"))));
    }

    void mergedRunShowsItsAgents()
    {
        const QStringList files = runAgents(2);
        QCOMPARE(files.size(), 2);
        m_agentFiles = files;
        qint64 requests[2] = {0, 0};
        for (int i = 0; i < 2; ++i)
            requests[i] = readJson(files[i])[QStringLiteral("result")]
                              .toObject()[QStringLiteral("totals")]
                              .toObject()[QStringLiteral("requests")]
                              .toInteger();
        QVERIFY(requests[0] > 0 && requests[1] > 0);

        HistoryStore store;
        QString error;
        QVERIFY2(store.open(path(QStringLiteral("history.db")), &error), qPrintable(error));
        const AgentMergeOutcome merged = mergeAgentResultFiles(store, files);
        QVERIFY2(merged.resultId > 0, qPrintable(merged.error));
        QCOMPARE(merged.agents, 2);
        QVERIFY(!merged.duplicate);
        // The same files again are the same run.
        const AgentMergeOutcome again = mergeAgentResultFiles(store, files);
        QCOMPARE(again.resultId, merged.resultId);
        QVERIFY(again.duplicate);
        // A missing segment is refused, nothing stored.
        const AgentMergeOutcome half = mergeAgentResultFiles(store, {files[0]});
        QCOMPARE(half.resultId, qint64(0));
        QVERIFY2(half.error.contains(QLatin1String("segment 1/2 is missing")),
                 qPrintable(half.error));

        // History's run details, from the stored record.
        const auto record = store.result(merged.resultId);
        QVERIFY(record);
        RunDetails details;
        details.resize(1366, 768);
        details.show();
        details.showRun(*record, store.samples(merged.resultId), {*record});
        AgentsPanel *panel = details.agentsPanel();
        QVERIFY(panel->isVisible());
        QCOMPARE(panel->agentCount(), 2);
        for (int i = 0; i < 2; ++i) {
            QCOMPARE(panel->table()->item(i, 0)->text(), QStringLiteral("%1/2").arg(i));
            QCOMPARE(QLocale().toLongLong(panel->table()->item(i, 2)->text()), requests[i]);
            QVERIFY(!panel->table()->item(i, 4)->text().isEmpty());
        }

        // The Run summary over the stored run (what the run viewer shows).
        const auto stored = loadStoredRun(store, merged.resultId, &error);
        QVERIFY2(stored, qPrintable(error));
        QCOMPARE(stored->summary.totals.requests, requests[0] + requests[1]);
        RunSummaryPanel summary;
        summary.resize(1366, 768);
        summary.show();
        summary.showSummary(stored->summary, {}, {});
        QVERIFY(summary.agentsPanel()->isVisible());
        QCOMPARE(summary.agentsPanel()->agentCount(), 2);
        QCOMPARE(summary.agentsPanel()->table()->item(1, 0)->text(), QStringLiteral("1/2"));
        if (!qEnvironmentVariableIsEmpty("LOADSCOPE_GRAB_DIR")) {
            const QDir grabs(qEnvironmentVariable("LOADSCOPE_GRAB_DIR"));
            details.grab().save(grabs.filePath(QStringLiteral("agents-details.png")));
            summary.grab().save(grabs.filePath(QStringLiteral("agents-summary.png")));
        }

        // A run that was not merged shows no agents.
        RunSummary single = stored->summary;
        single.extras.agents = QJsonArray();
        summary.showSummary(single, {}, {});
        QVERIFY(!summary.agentsPanel()->isVisible());
        QCOMPARE(summary.agentsPanel()->agentCount(), 0);
    }

    //! README's pictures (LOADSCOPE_SCREENSHOT_DIR): the export dialog and a merged run's agents
    //! in the Run summary, light and dark, at 1366×768.
    void screenshots()
    {
        const QString dir = qEnvironmentVariable("LOADSCOPE_SCREENSHOT_DIR");
        if (dir.isEmpty())
            QSKIP("LOADSCOPE_SCREENSHOT_DIR not set");
        QCOMPARE(m_agentFiles.size(), 2);
        HistoryStore store;
        QString error;
        QVERIFY2(store.open(path(QStringLiteral("screens.db")), &error), qPrintable(error));
        const AgentMergeOutcome merged = mergeAgentResultFiles(store, m_agentFiles);
        QVERIFY2(merged.resultId > 0, qPrintable(merged.error));
        const auto stored = loadStoredRun(store, merged.resultId, &error);
        QVERIFY2(stored, qPrintable(error));
        const auto plan = planFromJson(m_planJson);
        QVERIFY(plan);
        const auto cleanup = qScopeGuard([] { applyTheme(Theme::Light); });
        for (const Theme theme : {Theme::Light, Theme::Dark}) {
            applyTheme(theme);
            const QString suffix = theme == Theme::Dark ? QStringLiteral("-dark") : QString();
            K8sExportDialog dialog(*plan);
            dialog.setAgents(8);
            dialog.setImage(QStringLiteral("registry.example/loadscope-cli:0.1"));
            dialog.setNamespace(QStringLiteral("perf"));
            dialog.setReportTo(QStringLiteral("http://workbench.perf:8080/api/performance/"
                                              "results/merge"));
            dialog.setOutputDir(path(QStringLiteral("k8s")));
            QVERIFY(QDir().mkpath(path(QStringLiteral("k8s"))));
            dialog.show();
            QVERIFY2(dialog.exportManifest(), qPrintable(dialog.lastError()));
            QCoreApplication::processEvents();
            QVERIFY(dialog.grab().save(dir + QStringLiteral("/k8s-export") + suffix +
                                       QStringLiteral(".png")));

            RunSummaryPanel summary;
            summary.resize(1366, 768);
            summary.show();
            summary.showSummary(stored->summary,
                                recommendationsFromJson(
                                    stored->summary.extras.recommendations.value_or(QJsonArray())),
                                {});
            QCoreApplication::processEvents();
            QVERIFY(summary.grab().save(dir + QStringLiteral("/agents-summary") + suffix +
                                        QStringLiteral(".png")));
        }
    }
};

LOADSCOPE_WIDGET_TEST_MAIN(TestScaleOutGui)
#include "tst_scaleoutgui.moc"
