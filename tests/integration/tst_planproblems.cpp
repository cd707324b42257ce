#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QTemporaryDir>

#include "testmain.h"
#include "testsupport.h"

// Bad input is refused by the real loadscope-cli (exit 2, every problem named at once) and by
// the real `serve` (one 400 listing every problem); a plan's relative data file is found next
// to the plan whatever the working directory.

using namespace loadscope;

namespace {

// Four independent problems: a duplicate key, a type error, an unknown key and a bad value.
const QByteArray kBadPlan = "{\"schema\":\"loadscope.plan/1\",\"name\":\"bad\",\n"
                            " \"steps\":[{\"path\":\"/api/health\",\"method\":\"FETCH\"}],\n"
                            " \"load\":{\"executor\":\"constant-vus\",\"vus\":\"two\","
                            "\"duration\":\"1s\",\"vsu\":1},\n"
                            " \"timeouts\":{\"request\":\"5s\",\"request\":\"6s\"}}\n";
const QStringList kBadPlanFields{QStringLiteral("timeouts.request"), QStringLiteral("load.vus"),
                                 QStringLiteral("load.vsu"), QStringLiteral("steps[0].method")};

} // namespace

class TestPlanProblems : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString write(const QString &name, const QByteArray &bytes)
    {
        const QString path = m_dir.filePath(name);
        QDir().mkpath(QFileInfo(path).absolutePath());
        QFile file(path);
        if (file.open(QIODevice::WriteOnly))
            file.write(bytes);
        return path;
    }

private slots:
    void cliListsEveryProblemAtOnce()
    {
        const QString plan = write(QStringLiteral("bad.json"), kBadPlan);
        const test::CliRun exit = test::runCli(
            {QStringLiteral("run"), plan, QStringLiteral("--no-db")}, 60000, {}, m_dir.path());
        QCOMPARE(exit.exitCode, 2);
        for (const QString &field : kBadPlanFields)
            QVERIFY2(exit.err.contains(plan + QStringLiteral(": ") + field + QStringLiteral(": ")),
                     qPrintable(exit.err));
    }

    void cliRefusesSmallerMistakes_data()
    {
        QTest::addColumn<QByteArray>("plan");
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<QString>("field");
        const QByteArray steps = "\"steps\":[{\"path\":\"/api/health\"}]";
        QTest::newRow("empty name")
            << QByteArray(
                   "{\"name\":\"  \"," + steps +
                   ",\"load\":{\"executor\":\"constant-vus\",\"vus\":1,\"duration\":\"1s\"}}")
            << QStringList{} << "name: must not be empty";
        QTest::newRow("all-zero stages")
            << QByteArray("{\"name\":\"z\"," + steps +
                          ",\"load\":{\"executor\":\"ramping-vus\",\"stages\":[{\"duration\":"
                          "\"2s\",\"target\":0},{\"duration\":\"2s\",\"target\":0}]}}")
            << QStringList{} << "load.stages: every stage's target and startVUs are 0";
        QTest::newRow("duplicate key") << QByteArray("{\"name\":\"d\"," + steps + "," + steps + "}")
                                       << QStringList{} << "steps: written more than once";
        // No process has this ID (it is above any Linux pid_max).
        QTest::newRow("target pid")
            << QByteArray(
                   "{\"name\":\"p\"," + steps +
                   ",\"load\":{\"executor\":\"constant-vus\",\"vus\":1,\"duration\":\"1s\"}}")
            << QStringList{QStringLiteral("--target-pid=2147483647")}
            << "--target-pid: no process has ID 2147483647";
    }

    void cliRefusesSmallerMistakes()
    {
        QFETCH(QByteArray, plan);
        QFETCH(QStringList, extra);
        QFETCH(QString, field);
        const QString path = write(QStringLiteral("small.json"), plan);
        const test::CliRun exit = test::runCli(
            QStringList{QStringLiteral("run"), path, QStringLiteral("--no-db")} + extra, 30000, {},
            m_dir.path());
        QCOMPARE(exit.exitCode, 2);
        QVERIFY2(exit.err.contains(field), qPrintable(exit.err));
    }

    void dataFileIsFoundNextToThePlan()
    {
        // The data file's only column feeds the path: with the file found, every request is
        // GET /api/health; with it looked up in the working directory the run cannot start.
        write(QStringLiteral("plans/rows.csv"), "endpoint\nhealth\nhealth\n");
        write(QStringLiteral("plans/data.json"),
              "{\"name\":\"data next to plan\",\"dataFile\":\"rows.csv\","
              "\"steps\":[{\"path\":\"/api/{{endpoint}}\"}],"
              "\"load\":{\"executor\":\"constant-vus\",\"vus\":1,\"duration\":\"1s\"},"
              "\"thresholds\":{\"http_req_failed\":[\"rate<0.01\"]}}");
        QDir().mkpath(m_dir.filePath(QStringLiteral("elsewhere")));
        const QString out = m_dir.filePath(QStringLiteral("elsewhere/result.json"));
        const test::CliRun exit = test::runCli(
            {QStringLiteral("run"), QStringLiteral("../plans/data.json"), QStringLiteral("--no-db"),
             QStringLiteral("--quiet"), QStringLiteral("--output-file=") + out},
            90000, {}, m_dir.filePath(QStringLiteral("elsewhere")));
        QVERIFY2(exit.exitCode == 0, qPrintable(QString::number(exit.exitCode) + u'\n' + exit.err));
        QFile file(out);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject result = QJsonDocument::fromJson(file.readAll())
                                       .object()
                                       .value(QStringLiteral("result"))
                                       .toObject();
        const QJsonObject totals = result.value(QStringLiteral("totals")).toObject();
        QVERIFY(totals.value(QStringLiteral("requests")).toInteger() > 0);
        QCOMPARE(totals.value(QStringLiteral("errors")).toInteger(), qint64(0));
    }

    void restListsEveryProblemInOne400()
    {
        QProcess serve;
        const QString token = QStringLiteral("plan-problems-token-0123456789");
        const QString api =
            test::startServe(serve,
                             {QStringLiteral("--port=0"), QStringLiteral("--token=") + token,
                              QStringLiteral("--db=") + m_dir.filePath(QStringLiteral("rest.db"))},
                             m_dir.filePath(QStringLiteral("config")));
        QVERIFY(!api.isEmpty());

        QNetworkAccessManager network;
        QNetworkRequest request(QUrl(api + QStringLiteral("/tests")));
        request.setRawHeader("Authorization", "Bearer " + token.toLatin1());
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/json"));
        // QJsonDocument would drop the duplicate before the server saw it: the bytes go as
        // they are, duplicate "request" key included.
        QNetworkReply *reply = network.post(request, kBadPlan);
        QVERIFY(QTest::qWaitFor([reply] { return reply->isFinished(); }, 20000));
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray body = reply->readAll();
        reply->deleteLater();
        serve.terminate();
        QVERIFY(serve.waitForFinished(20000));

        QCOMPARE(status, 400);
        QStringList fields;
        const QJsonArray problems =
            QJsonDocument::fromJson(body).object().value(QStringLiteral("problems")).toArray();
        for (const QJsonValue &problem : problems)
            fields.append(problem.toObject().value(QStringLiteral("field")).toString());
        // The key set twice is listed with the other problems, in the same 400.
        for (const QString &field : kBadPlanFields)
            QVERIFY2(fields.contains(field), body.constData());
    }
};

LOADSCOPE_TEST_MAIN(TestPlanProblems)
#include "tst_planproblems.moc"
