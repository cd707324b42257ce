// `loadscope-cli export-k8s`: the manifest parsed back (JSON, and the YAML form read with
// yaml-cpp) holds a ConfigMap with the plan and its data file, and an Indexed Job of N agents
// that run their segments from a common start and report where they were told.
#include <yaml-cpp/yaml.h>

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include "plan/planjson.h"
#include "testmain.h"
#include "testsupport.h"

using namespace loadscope;
using loadscope::test::CliRun;
using loadscope::test::runCli;

namespace {

QString describe(const CliRun &run)
{
    return QStringLiteral("exit %1\n--- stdout\n%2\n--- stderr\n%3")
        .arg(run.exitCode)
        .arg(run.out, run.err);
}

QJsonObject container(const QJsonObject &job)
{
    return job[QStringLiteral("spec")]
        .toObject()[QStringLiteral("template")]
        .toObject()[QStringLiteral("spec")]
        .toObject()[QStringLiteral("containers")]
        .toArray()
        .first()
        .toObject();
}

QStringList strings(const QJsonArray &array)
{
    QStringList list;
    for (const QJsonValue &v : array)
        list << v.toString();
    return list;
}

} // namespace

class TestK8sExport : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_plan;

    QString writePlan(const QString &name, const QJsonObject &plan)
    {
        const QString path = m_dir.filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            return {};
        file.write(QJsonDocument(plan).toJson());
        return path;
    }

    QJsonObject planJson(const QString &baseUrl, int maxVus = 50) const
    {
        return QJsonObject{
            {QStringLiteral("name"), QStringLiteral("Checkout API")},
            {QStringLiteral("testType"), QStringLiteral("LOAD_TEST")},
            {QStringLiteral("baseUrl"), baseUrl},
            {QStringLiteral("dataFile"), m_dir.filePath(QStringLiteral("users.csv"))},
            {QStringLiteral("steps"),
             QJsonArray{
                 QJsonObject{{QStringLiteral("path"), QStringLiteral("/api/health?u={{user}}")}}}},
            {QStringLiteral("load"),
             QJsonObject{{QStringLiteral("executor"), QStringLiteral("constant-arrival-rate")},
                         {QStringLiteral("rate"), 4000},
                         {QStringLiteral("duration"), QStringLiteral("5m")},
                         {QStringLiteral("preAllocatedVUs"), 20},
                         {QStringLiteral("maxVUs"), maxVus}}}};
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QFile csv(m_dir.filePath(QStringLiteral("users.csv")));
        QVERIFY(csv.open(QIODevice::WriteOnly));
        csv.write("user\nann\nbob\ncid\ndan\neve\n");
        csv.close();
        m_plan = writePlan(QStringLiteral("plan.json"),
                           planJson(QStringLiteral("http://checkout.shop.svc:8080")));
        QVERIFY(!m_plan.isEmpty());
    }

    void manifestHoldsThePlanAndAnIndexedJob()
    {
        const QDateTime before = QDateTime::currentDateTimeUtc();
        const QString out = m_dir.filePath(QStringLiteral("manifest.json"));
        const CliRun run =
            runCli({QStringLiteral("export-k8s"), m_plan, QStringLiteral("--agents=4"),
                    QStringLiteral("--image=registry.example/loadscope-cli:1.0"),
                    QStringLiteral("--namespace=perf"), QStringLiteral("--start-delay=45s"),
                    QStringLiteral("--format=json"), QStringLiteral("--output-file=") + out});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        const QDateTime after = QDateTime::currentDateTimeUtc();
        const QJsonObject list =
            QJsonDocument::fromJson(loadscope::test::readFileBytes(out)).object();
        QCOMPARE(list[QStringLiteral("kind")].toString(), QStringLiteral("List"));
        const QJsonArray items = list[QStringLiteral("items")].toArray();
        QCOMPARE(items.size(), 2);

        // The ConfigMap: the plan as the pods read it, its data file beside it.
        const QJsonObject configMap = items[0].toObject();
        QCOMPARE(configMap[QStringLiteral("kind")].toString(), QStringLiteral("ConfigMap"));
        const QJsonObject meta = configMap[QStringLiteral("metadata")].toObject();
        QCOMPARE(meta[QStringLiteral("name")].toString(), QStringLiteral("checkout-api-plan"));
        QCOMPARE(meta[QStringLiteral("namespace")].toString(), QStringLiteral("perf"));
        const QJsonObject data = configMap[QStringLiteral("data")].toObject();
        QCOMPARE(data[QStringLiteral("data-users.csv")].toString(),
                 QStringLiteral("user\nann\nbob\ncid\ndan\neve\n"));
        QString error;
        const auto plan =
            planFromJsonBytes(data[QStringLiteral("plan.json")].toString().toUtf8(), &error);
        QVERIFY2(plan, qPrintable(error));
        QCOMPARE(plan->name, QStringLiteral("Checkout API"));
        QCOMPARE(plan->dataFile, QStringLiteral("/plan/data-users.csv"));
        QCOMPARE(plan->load.rate, 4000.0);

        // The Job: Indexed, one pod per segment, never retried.
        const QJsonObject job = items[1].toObject();
        QCOMPARE(job[QStringLiteral("apiVersion")].toString(), QStringLiteral("batch/v1"));
        QCOMPARE(job[QStringLiteral("kind")].toString(), QStringLiteral("Job"));
        const QJsonObject spec = job[QStringLiteral("spec")].toObject();
        QCOMPARE(spec[QStringLiteral("completionMode")].toString(), QStringLiteral("Indexed"));
        QCOMPARE(spec[QStringLiteral("completions")].toInt(), 4);
        QCOMPARE(spec[QStringLiteral("parallelism")].toInt(), 4);
        QCOMPARE(spec[QStringLiteral("backoffLimit")].toInt(), 0);
        const QJsonObject pod =
            spec[QStringLiteral("template")].toObject()[QStringLiteral("spec")].toObject();
        QCOMPARE(pod[QStringLiteral("restartPolicy")].toString(), QStringLiteral("Never"));
        const QJsonObject term =
            pod[QStringLiteral("affinity")]
                .toObject()[QStringLiteral("podAntiAffinity")]
                .toObject()[QStringLiteral("preferredDuringSchedulingIgnoredDuringExecution")]
                .toArray()
                .first()
                .toObject()[QStringLiteral("podAffinityTerm")]
                .toObject();
        QCOMPARE(term[QStringLiteral("topologyKey")].toString(),
                 QStringLiteral("kubernetes.io/hostname"));
        QCOMPARE(term[QStringLiteral("labelSelector")]
                     .toObject()[QStringLiteral("matchLabels")]
                     .toObject(),
                 job[QStringLiteral("spec")]
                     .toObject()[QStringLiteral("template")]
                     .toObject()[QStringLiteral("metadata")]
                     .toObject()[QStringLiteral("labels")]
                     .toObject());
        QCOMPARE(pod[QStringLiteral("volumes")]
                     .toArray()
                     .first()
                     .toObject()[QStringLiteral("configMap")]
                     .toObject()[QStringLiteral("name")]
                     .toString(),
                 QStringLiteral("checkout-api-plan"));

        const QJsonObject agent = container(job);
        QCOMPARE(agent[QStringLiteral("image")].toString(),
                 QStringLiteral("registry.example/loadscope-cli:1.0"));
        QCOMPARE(strings(agent[QStringLiteral("command")].toArray()),
                 QStringList({QStringLiteral("loadscope-cli"), QStringLiteral("run"),
                              QStringLiteral("/plan/plan.json"),
                              QStringLiteral("--segment=$(JOB_COMPLETION_INDEX)/4"),
                              QStringLiteral("--start-at=$(LOADSCOPE_START_AT)"),
                              QStringLiteral("--quiet"), QStringLiteral("--report-to=-")}));
        const QJsonObject env = agent[QStringLiteral("env")].toArray().first().toObject();
        QCOMPARE(env[QStringLiteral("name")].toString(), QStringLiteral("LOADSCOPE_START_AT"));
        const QDateTime startAt =
            QDateTime::fromString(env[QStringLiteral("value")].toString(), Qt::ISODateWithMs);
        QVERIFY(startAt >= before.addSecs(45) && startAt <= after.addSecs(45));
        const QJsonObject requests =
            agent[QStringLiteral("resources")].toObject()[QStringLiteral("requests")].toObject();
        QCOMPARE(requests[QStringLiteral("cpu")].toString(), QStringLiteral("1"));
        QCOMPARE(requests[QStringLiteral("memory")].toString(), QStringLiteral("256Mi"));
        QCOMPARE(agent[QStringLiteral("volumeMounts")]
                     .toArray()
                     .first()
                     .toObject()[QStringLiteral("mountPath")]
                     .toString(),
                 QStringLiteral("/plan"));
    }

    void yamlSaysTheSame()
    {
        const CliRun run = runCli(
            {QStringLiteral("export-k8s"), m_plan, QStringLiteral("--agents=3"),
             QStringLiteral("--report-to=http://workbench:8080/api/performance/results/merge")});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        const std::vector<YAML::Node> docs = YAML::LoadAll(run.out.toStdString());
        QCOMPARE(int(docs.size()), 2);
        QCOMPARE(QString::fromStdString(docs[0]["kind"].as<std::string>()),
                 QStringLiteral("ConfigMap"));
        const YAML::Node job = docs[1];
        QCOMPARE(QString::fromStdString(job["spec"]["completionMode"].as<std::string>()),
                 QStringLiteral("Indexed"));
        QCOMPARE(job["spec"]["completions"].as<int>(), 3);
        const YAML::Node agent = job["spec"]["template"]["spec"]["containers"][0];
        QCOMPARE(QString::fromStdString(agent["command"][3].as<std::string>()),
                 QStringLiteral("--segment=$(JOB_COMPLETION_INDEX)/3"));
        QCOMPARE(QString::fromStdString(agent["command"][6].as<std::string>()),
                 QStringLiteral("--report-to=http://workbench:8080/api/performance/results/merge"));
        // The token comes from an optional Secret; the start time stays a quoted string.
        QCOMPARE(QString::fromStdString(
                     agent["env"][1]["valueFrom"]["secretKeyRef"]["name"].as<std::string>()),
                 QStringLiteral("checkout-api-token"));
        QVERIFY(run.out.contains(QLatin1String("value: \"20")));
        // The plan text in the ConfigMap is the plan.
        QString error;
        QVERIFY2(
            planFromJsonBytes(
                QByteArray::fromStdString(docs[0]["data"]["plan.json"].as<std::string>()), &error),
            qPrintable(error));
    }

    void refusesWhatCannotRunThere()
    {
        // No base URL: every pod would test a sample API of its own.
        const QString noTarget = writePlan(QStringLiteral("no-target.json"), planJson(QString()));
        CliRun run = runCli({QStringLiteral("export-k8s"), noTarget, QStringLiteral("--agents=2")});
        QVERIFY2(run.exitCode == 2 && run.err.contains(QLatin1String("baseUrl")),
                 qPrintable(describe(run)));
        // ... unless one is given.
        run = runCli({QStringLiteral("export-k8s"), noTarget, QStringLiteral("--agents=2"),
                      QStringLiteral("--base-url=http://10.0.0.5:8080")});
        QVERIFY2(run.exitCode == 0 && run.out.contains(QLatin1String("10.0.0.5")),
                 qPrintable(describe(run)));
        // More agents than VUs, more agents than data rows, no agent count.
        const QString few =
            writePlan(QStringLiteral("few.json"), planJson(QStringLiteral("http://t:1"), 3));
        run = runCli({QStringLiteral("export-k8s"), few, QStringLiteral("--agents=4")});
        QVERIFY2(run.exitCode == 2 && run.err.contains(QLatin1String("load.maxVUs: 3 VUs")),
                 qPrintable(describe(run)));
        run = runCli({QStringLiteral("export-k8s"), m_plan, QStringLiteral("--agents=6")});
        QVERIFY2(run.exitCode == 2 && run.err.contains(QLatin1String("5 data rows")),
                 qPrintable(describe(run)));
        run = runCli({QStringLiteral("export-k8s"), m_plan});
        QVERIFY2(run.exitCode == 2 && run.err.contains(QLatin1String("--agents")),
                 qPrintable(describe(run)));
        run = runCli({QStringLiteral("export-k8s"), m_plan, QStringLiteral("--agents=2"),
                      QStringLiteral("--namespace=Perf Team")});
        QVERIFY2(run.exitCode == 2 && run.err.contains(QLatin1String("DNS-1123")),
                 qPrintable(describe(run)));
    }
};

LOADSCOPE_TEST_MAIN(TestK8sExport)
#include "tst_k8sexport.moc"
