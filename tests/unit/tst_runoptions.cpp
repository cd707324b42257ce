#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTextStream>

#include "cli/commandline.h"
#include "cli/runoptions.h"
#include "testmain.h"

using namespace loadscope;

namespace {

//! Parses `run` arguments the way the CLI does; returns the request or sets @p error.
std::optional<RunRequest> request(const QStringList &args, QString *error)
{
    SubcommandLine line(QStringLiteral("run"), QStringLiteral("test"));
    addRunOptions(line);
    QString outText;
    QString errText;
    QTextStream out(&outText);
    QTextStream err(&errText);
    int code = 0;
    if (!line.parse(args, out, err, &code)) {
        err.flush();
        *error = QStringLiteral("parse failed (%1): ").arg(code) + errText;
        return std::nullopt;
    }
    return runRequestFromOptions(line.parser(), error);
}

qint64 totalMs(const QList<Stage> &stages)
{
    qint64 total = 0;
    for (const Stage &s : stages)
        total += s.durationMs;
    return total;
}

} // namespace

class TestRunOptions : public QObject
{
    Q_OBJECT

private slots:
    void presetDefaults()
    {
        QString error;
        const auto r = request({}, &error);
        QVERIFY2(r, qPrintable(error));
        QCOMPARE(r->plan.type, TestType::ApiLatency);
        QVERIFY(r->planFile.isEmpty());
        QVERIFY(r->plan.baseUrl.isEmpty()); // the built-in sample target
        QCOMPARE(r->plan.load.executor, Executor::ConstantVus);
        QCOMPARE(r->plan.steps.size(), 1);
        QCOMPARE(r->plan.steps[0].path, QStringLiteral("/api/health"));
        QVERIFY(r->useDb);
        QVERIFY(!r->quiet);
        QCOMPARE(r->format, ResultFormat::Json);
        QVERIFY(!r->plan.thresholds.isEmpty());
    }

    void presetSelection_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<int>("expected");
        QTest::newRow("upper") << "LOAD_TEST" << int(TestType::LoadTest);
        QTest::newRow("lower") << "stress_test" << int(TestType::StressTest);
        QTest::newRow("ml") << "ML_PREDICTION_THROUGHPUT" << int(TestType::MlPredictionThroughput);
        QTest::newRow("e2e") << "END_TO_END" << int(TestType::EndToEnd);
    }

    void presetSelection()
    {
        QFETCH(QString, type);
        QFETCH(int, expected);
        QString error;
        const auto r = request({QStringLiteral("--type=") + type}, &error);
        QVERIFY2(r, qPrintable(error));
        QCOMPARE(int(r->plan.type), expected);
        QVERIFY(!r->plan.steps.isEmpty());
    }

    void endpointPathsAndMethod()
    {
        QString error;
        const auto r =
            request({QStringLiteral("--endpoint=/a"), QStringLiteral("--endpoint=/b?x=1"),
                     QStringLiteral("--method=post")},
                    &error);
        QVERIFY2(r, qPrintable(error));
        QCOMPARE(r->plan.steps.size(), 2);
        QCOMPARE(r->plan.steps[0].path, QStringLiteral("/a"));
        QCOMPARE(r->plan.steps[1].path, QStringLiteral("/b?x=1"));
        QCOMPARE(r->plan.steps[0].method, QStringLiteral("POST"));
        QVERIFY(r->plan.baseUrl.isEmpty());
    }

    void endpointAbsoluteUrlIsSplit()
    {
        QString error;
        auto r = request({QStringLiteral("--endpoint=http://127.0.0.1:9123/api/x?y=1")}, &error);
        QVERIFY2(r, qPrintable(error));
        QCOMPARE(r->plan.baseUrl, QStringLiteral("http://127.0.0.1:9123"));
        QCOMPARE(r->plan.steps.size(), 1);
        QCOMPARE(r->plan.steps[0].path, QStringLiteral("/api/x?y=1"));
        QCOMPARE(r->plan.steps[0].method, QStringLiteral("GET"));

        r = request({QStringLiteral("--endpoint=http://127.0.0.1:9123")}, &error);
        QVERIFY2(r, qPrintable(error));
        QCOMPARE(r->plan.steps[0].path, QStringLiteral("/"));

        // Two hosts in one run, or a base URL that disagrees, are rejected naming the flag.
        QVERIFY(!request({QStringLiteral("--endpoint=http://127.0.0.1:1/a"),
                          QStringLiteral("--endpoint=http://127.0.0.2:1/b")},
                         &error));
        QVERIFY2(error.startsWith(QLatin1String("--endpoint: ")), qPrintable(error));
        QVERIFY(!request({QStringLiteral("--base-url=http://127.0.0.1:1"),
                          QStringLiteral("--endpoint=http://127.0.0.1:2/a")},
                         &error));
        QVERIFY2(error.startsWith(QLatin1String("--endpoint: ")), qPrintable(error));
        QVERIFY(!request({QStringLiteral("--endpoint=api/health")}, &error));
        QVERIFY2(error.startsWith(QLatin1String("--endpoint: ")) &&
                     error.contains(QLatin1String("api/health")),
                 qPrintable(error));
    }

    void durationConstant()
    {
        QString error;
        auto r = request({QStringLiteral("--duration=7")}, &error);
        QVERIFY2(r, qPrintable(error));
        QCOMPARE(r->plan.load.durationMs, qint64(7000));
        r = request({QStringLiteral("--duration=1m30s")}, &error);
        QVERIFY2(r, qPrintable(error));
        QCOMPARE(r->plan.load.durationMs, qint64(90000));
    }

    void durationScalesRampingStages()
    {
        QString error;
        const auto preset = request({QStringLiteral("--type=LOAD_TEST")}, &error);
        QVERIFY2(preset, qPrintable(error));
        QCOMPARE(preset->plan.load.executor, Executor::RampingVus);
        const QList<Stage> original = preset->plan.load.stages;
        QVERIFY(original.size() >= 2);

        const auto r =
            request({QStringLiteral("--type=LOAD_TEST"), QStringLiteral("--duration=24")}, &error);
        QVERIFY2(r, qPrintable(error));
        const QList<Stage> &stages = r->plan.load.stages;
        QCOMPARE(stages.size(), original.size());
        QCOMPARE(totalMs(stages), qint64(24000));
        QCOMPARE(r->plan.load.totalDurationMs(), qint64(24000));
        const double factor = 24000.0 / double(totalMs(original));
        for (int i = 0; i < stages.size(); ++i) {
            QCOMPARE(stages[i].target, original[i].target); // the shape is kept
            QVERIFY2(std::abs(double(stages[i].durationMs) -
                              double(original[i].durationMs) * factor) <= 1.0,
                     qPrintable(QString::number(stages[i].durationMs)));
        }
    }

    void concurrencyScalesPeak()
    {
        QString error;
        auto r = request({QStringLiteral("--concurrency=3")}, &error);
        QVERIFY2(r, qPrintable(error));
        QCOMPARE(r->plan.load.vus, 3);

        const auto preset = request({QStringLiteral("--type=LOAD_TEST")}, &error);
        QVERIFY2(preset, qPrintable(error));
        double peak = 0;
        for (const Stage &s : preset->plan.load.stages)
            peak = std::max(peak, s.target);
        QVERIFY(peak > 0);
        r = request({QStringLiteral("--type=LOAD_TEST"), QStringLiteral("--vus=20")}, &error);
        QVERIFY2(r, qPrintable(error));
        double newPeak = 0;
        for (int i = 0; i < r->plan.load.stages.size(); ++i) {
            newPeak = std::max(newPeak, r->plan.load.stages[i].target);
            QCOMPARE(r->plan.load.stages[i].target,
                     std::round(preset->plan.load.stages[i].target * 20.0 / peak * 1000.0) /
                         1000.0);
        }
        QCOMPARE(newPeak, 20.0);
        QCOMPARE(r->plan.load.stages.last().target, 0.0);
    }

    void rateSwitchesToOpenModel()
    {
        QString error;
        auto r = request({QStringLiteral("--rate=150"), QStringLiteral("--duration=5")}, &error);
        QVERIFY2(r, qPrintable(error));
        const LoadModel &load = r->plan.load;
        QCOMPARE(load.executor, Executor::ConstantArrivalRate);
        QCOMPARE(load.rate, 150.0);
        QCOMPARE(load.timeUnitMs, qint64(1000));
        QCOMPARE(load.durationMs, qint64(5000));
        QVERIFY(load.preAllocatedVus >= 1);
        QVERIFY(load.maxVus >= load.preAllocatedVus);

        // --concurrency caps the VUs of an open model.
        r = request({QStringLiteral("--rate=150"), QStringLiteral("--concurrency=4")}, &error);
        QVERIFY2(r, qPrintable(error));
        QCOMPARE(r->plan.load.maxVus, 4);
        QVERIFY(r->plan.load.preAllocatedVus <= 4);

        // With stages, the rate becomes the peak of a ramping arrival rate.
        r = request({QStringLiteral("--stages=2s:10,4s:20,2s:0"), QStringLiteral("--rate=200")},
                    &error);
        QVERIFY2(r, qPrintable(error));
        QCOMPARE(r->plan.load.executor, Executor::RampingArrivalRate);
        QCOMPARE(r->plan.load.stages.size(), 3);
        QCOMPARE(r->plan.load.stages[0].target, 100.0);
        QCOMPARE(r->plan.load.stages[1].target, 200.0);
        QCOMPARE(r->plan.load.stages[2].target, 0.0);
    }

    void stagesOption()
    {
        QString error;
        const auto stages = parseStagesOption(QStringLiteral("30s:10, 1m:50,500ms:0"), &error);
        QVERIFY2(stages, qPrintable(error));
        QCOMPARE(stages->size(), 3);
        QCOMPARE(stages->at(0), (Stage{30000, 10}));
        QCOMPARE(stages->at(1), (Stage{60000, 50}));
        QCOMPARE(stages->at(2), (Stage{500, 0}));

        const auto r = request({QStringLiteral("--stages=3:2,2:5")}, &error);
        QVERIFY2(r, qPrintable(error));
        QCOMPARE(r->plan.load.executor, Executor::RampingVus);
        QCOMPARE(r->plan.load.stages, (QList<Stage>{{3000, 2}, {2000, 5}}));
        QCOMPARE(r->plan.load.totalDurationMs(), qint64(5000));

        for (const char *bad : {"", "10s", "10s:x", "x:10", "10s:-1", "10s:5,,oops"}) {
            error.clear();
            QVERIFY2(!parseStagesOption(QString::fromLatin1(bad), &error), bad);
            QVERIFY2(error.startsWith(QLatin1String("--stages: ")), qPrintable(error));
        }
        QVERIFY(!parseStagesOption(QStringLiteral("10s:1,20s:x"), &error));
        QVERIFY2(error.contains(QLatin1String("stage 2")), qPrintable(error));
    }

    void thresholdOption()
    {
        QString error;
        auto spec = parseThresholdOption(QStringLiteral("p(95)<200"), &error);
        QVERIFY2(spec, qPrintable(error));
        QCOMPARE(spec->metric, QStringLiteral("http_req_duration"));
        QCOMPARE(spec->expression, QStringLiteral("p(95)<200"));
        QVERIFY(!spec->abortOnFail);

        spec = parseThresholdOption(QStringLiteral("rate<0.01"), &error);
        QVERIFY2(spec, qPrintable(error));
        QCOMPARE(spec->metric, QStringLiteral("http_req_failed"));

        spec = parseThresholdOption(
            QStringLiteral("http_req_duration{name:login}: p(99)<500 ; abortOnFail"), &error);
        QVERIFY2(spec, qPrintable(error));
        QCOMPARE(spec->metric, QStringLiteral("http_req_duration{name:login}"));
        QCOMPARE(spec->expression, QStringLiteral("p(99)<500"));
        QVERIFY(spec->abortOnFail);

        spec = parseThresholdOption(QStringLiteral("http_req_failed: rate<0.05"), &error);
        QVERIFY2(spec, qPrintable(error));
        QCOMPARE(spec->metric, QStringLiteral("http_req_failed"));
        QCOMPARE(spec->expression, QStringLiteral("rate<0.05"));

        QVERIFY(!parseThresholdOption(QStringLiteral("p(95)<<1"), &error));
        QVERIFY2(error.startsWith(QLatin1String("--threshold: ")) &&
                     error.contains(QLatin1String("p(95)<<1")),
                 qPrintable(error));

        // Several --threshold flags replace the preset's thresholds.
        const auto r =
            request({QStringLiteral("--threshold=p(90)<50"),
                     QStringLiteral("--threshold=http_req_failed: rate<0.1;abortOnFail")},
                    &error);
        QVERIFY2(r, qPrintable(error));
        QCOMPARE(r->plan.thresholds.size(), 2);
        QCOMPARE(r->plan.thresholds[0].expression, QStringLiteral("p(90)<50"));
        QCOMPARE(r->plan.thresholds[1].metric, QStringLiteral("http_req_failed"));
        QVERIFY(r->plan.thresholds[1].abortOnFail);
    }

    void outputFormatAndFlags()
    {
        QString error;
        auto r =
            request({QStringLiteral("--outputFile=out/report.csv"), QStringLiteral("--no-db"),
                     QStringLiteral("--quiet"), QStringLiteral("--baseline=none"),
                     QStringLiteral("--fail-on-regression"), QStringLiteral("--versionLabel=v9")},
                    &error);
        QVERIFY2(r, qPrintable(error));
        QCOMPARE(r->outputFile, QStringLiteral("out/report.csv"));
        QCOMPARE(r->format, ResultFormat::Csv); // from the extension
        QVERIFY(!r->useDb);
        QVERIFY(r->quiet);
        QCOMPARE(r->baseline.mode, BaselineChoice::None);
        // A stored baseline needs the history.
        QVERIFY(!request({QStringLiteral("--no-db"), QStringLiteral("--baseline=last")}, &error));
        QVERIFY2(error.startsWith(QStringLiteral("--baseline: ")), qPrintable(error));
        auto withDb = request({QStringLiteral("--baseline=7")}, &error);
        QVERIFY2(withDb, qPrintable(error));
        QCOMPARE(withDb->baseline.mode, BaselineChoice::Id);
        QCOMPARE(withDb->baseline.id, qint64(7));
        QVERIFY(r->failOnRegression);
        QCOMPARE(r->plan.versionLabel, QStringLiteral("v9"));

        r = request({QStringLiteral("--output-file=x.txt"), QStringLiteral("--format=junit")},
                    &error);
        QVERIFY2(r, qPrintable(error));
        QCOMPARE(r->format, ResultFormat::Junit); // --format wins over the extension
        r = request({QStringLiteral("--output-file=x.unknown")}, &error);
        QVERIFY2(r, qPrintable(error));
        QCOMPARE(r->format, ResultFormat::Json);
        r = request({QStringLiteral("--timeout=2s"), QStringLiteral("--threads=2")}, &error);
        QVERIFY2(r, qPrintable(error));
        QCOMPARE(r->plan.timeouts.requestMs, qint64(2000));
        QCOMPARE(r->plan.threads, 2);
    }

    void planFile()
    {
        QString error;
        const QString example = QStringLiteral(LOADSCOPE_TEST_DATA_DIR "/plans/example.json");
        const auto r =
            request({example, QStringLiteral("--type=STRESS_TEST"), QStringLiteral("--duration=4")},
                    &error);
        QVERIFY2(r, qPrintable(error));
        QCOMPARE(r->planFile, example);
        QCOMPARE(r->plan.name, QStringLiteral("example"));
        QCOMPARE(r->plan.type, TestType::StressTest); // --type relabels a plan file
        QCOMPARE(r->plan.steps.size(), 1);
        QCOMPARE(r->plan.load.totalDurationMs(), qint64(4000));
    }

    void validationErrorsNameTheField_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("prefix");
        QTest::newRow("type") << QStringList{QStringLiteral("--type=NOPE")} << "--type: ";
        QTest::newRow("duration word")
            << QStringList{QStringLiteral("--duration=soon")} << "--duration: ";
        QTest::newRow("duration zero")
            << QStringList{QStringLiteral("--duration=0")} << "--duration: ";
        QTest::newRow("duration negative")
            << QStringList{QStringLiteral("--duration=-5")} << "--duration: ";
        QTest::newRow("concurrency zero")
            << QStringList{QStringLiteral("--concurrency=0")} << "--concurrency: ";
        QTest::newRow("concurrency text")
            << QStringList{QStringLiteral("--concurrency=many")} << "--concurrency: ";
        QTest::newRow("rate zero") << QStringList{QStringLiteral("--rate=0")} << "--rate: ";
        QTest::newRow("rate text") << QStringList{QStringLiteral("--rate=fast")} << "--rate: ";
        QTest::newRow("rate inf") << QStringList{QStringLiteral("--rate=inf")} << "--rate: ";
        QTest::newRow("stages") << QStringList{QStringLiteral("--stages=10s")} << "--stages: ";
        QTest::newRow("threshold")
            << QStringList{QStringLiteral("--threshold=p(95)<<1")} << "--threshold: ";
        QTest::newRow("threads") << QStringList{QStringLiteral("--threads=0")} << "--threads: ";
        QTest::newRow("timeout") << QStringList{QStringLiteral("--timeout=0")} << "--timeout: ";
        QTest::newRow("format") << QStringList{QStringLiteral("--format=xls")} << "--format: ";
        QTest::newRow("baseline") << QStringList{QStringLiteral("--baseline=yesterday")}
                                  << "--baseline: ";
        QTest::newRow("method") << QStringList{QStringLiteral("--method=FETCH")}
                                << "plan: steps[0].method";
        QTest::newRow("base url") << QStringList{QStringLiteral("--base-url=ftp://x")}
                                  << "plan: baseUrl";
        QTest::newRow("two plans")
            << QStringList{QStringLiteral("a.json"), QStringLiteral("b.json")}
            << "expects at most one plan file";
        QTest::newRow("target pid of no process")
            << QStringList{QStringLiteral("--target-pid=2147483647")} // above any pid_max
            << "--target-pid: no process has ID 2147483647";
        QTest::newRow("target pid text")
            << QStringList{QStringLiteral("--target-pid=abc")} << "--target-pid: ";
        QTest::newRow("missing plan file") << QStringList{QStringLiteral("/nonexistent/plan.json")}
                                           << "/nonexistent/plan.json: cannot read";
    }

    void validationErrorsNameTheField()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, prefix);
        QString error;
        QVERIFY(!request(args, &error));
        QVERIFY2(error.startsWith(prefix), qPrintable(error));
    }

    void targetPidOfARunningProcess()
    {
        QString error;
        const qint64 self = QCoreApplication::applicationPid();
        const auto r = request({QStringLiteral("--target-pid=") + QString::number(self)}, &error);
        QVERIFY2(r, qPrintable(error));
        QCOMPARE(r->monitor.targetPid, self);
    }

    void planFileProblemsComeTogether()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QFile file(dir.filePath(QStringLiteral("bad.json")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        // A type error, an unknown key, a duplicate key and a bad value, all independent.
        file.write(R"({"name":"x","steps":[{"path":"/a","method":"FETCH"}],
                      "load":{"executor":"constant-vus","vus":"two","duration":"1s","vsu":1},
                      "timeouts":{"request":"5s","request":"6s"}})");
        file.close();
        QString error;
        QVERIFY(!request({file.fileName()}, &error));
        const QString at = file.fileName() + QStringLiteral(": ");
        const QStringList lines = error.split(u'\n');
        for (const QString &line : lines)
            QVERIFY2(line.startsWith(at), qPrintable(error));
        for (const char *field :
             {"timeouts.request: written more than once", "load.vus: expected a number",
              "load.vsu: unknown field", "steps[0].method: \"FETCH\" is not an HTTP method"}) {
            QVERIFY2(error.contains(at + QLatin1String(field)), qPrintable(error));
        }
        QCOMPARE(lines.size(), 4);
    }

    void planFilePathsAreRelativeToThePlan()
    {
        QTemporaryDir dir;
        QTemporaryDir elsewhere;
        QVERIFY(dir.isValid() && elsewhere.isValid());
        QFile file(dir.filePath(QStringLiteral("plan.json")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(
            R"({"name":"p","dataFile":"users.csv","steps":[{"path":"/a","bodyFile":"b.json"}],
                      "load":{"executor":"constant-vus","vus":1,"duration":"1s"}})");
        file.close();
        const QString saved = QDir::currentPath();
        QVERIFY(QDir::setCurrent(elsewhere.path()));
        QString error;
        // Given as a path relative to the working directory, as a user types it.
        const auto r = request({QDir(elsewhere.path()).relativeFilePath(file.fileName())}, &error);
        QDir::setCurrent(saved);
        QVERIFY2(r, qPrintable(error));
        QCOMPARE(r->plan.dataFile, dir.filePath(QStringLiteral("users.csv")));
        QCOMPARE(r->plan.steps[0].bodyFile, dir.filePath(QStringLiteral("b.json")));
    }

    void malformedPlanFiles()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto write = [&dir](const QString &name, const QByteArray &bytes) {
            QFile file(dir.filePath(name));
            if (file.open(QIODevice::WriteOnly))
                file.write(bytes);
            return file.fileName();
        };
        QString error;
        const QString badMethod = write(
            QStringLiteral("method.json"),
            R"({"schema":"loadscope.plan/1","name":"m","steps":[{"method":"FETCH","path":"/x"}],
                                            "load":{"executor":"constant-vus","vus":1,"duration":"1s"}})");
        QVERIFY(!request({badMethod}, &error));
        QVERIFY2(error.startsWith(badMethod + QStringLiteral(": ")), qPrintable(error));
        QVERIFY2(error.contains(QLatin1String("steps[0].method")), qPrintable(error));

        const QString badJson =
            write(QStringLiteral("json.json"), "{\n  \"name\": \"x\",\n  oops\n}");
        QVERIFY(!request({badJson}, &error));
        QVERIFY2(error.startsWith(badJson + QStringLiteral(": ")), qPrintable(error));
        QVERIFY2(error.contains(QLatin1String("line 3")), qPrintable(error));
    }
};

LOADSCOPE_TEST_MAIN(TestRunOptions)
#include "tst_runoptions.moc"
