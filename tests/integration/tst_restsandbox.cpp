#include <memory>

#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTemporaryDir>

#include "fakehttpserver.h"
#include "plan/planjson.h"
#include "rest/restapiserver.h"
#include "rest/restsandbox.h"
#include "store/historystore.h"
#include "testmain.h"
#include "testsupport.h"

using namespace loadscope;
using loadscope::test::FakeHttpServer;
using loadscope::test::FakeReply;
using loadscope::test::FakeRequest;

// Plans that arrive over the REST API may name local files only under serve's --allow-files
// folder and may send traffic only to --allow-targets (loopback by default). Every refusal is
// checked to happen before anything is stored or sent: a loopback capture server counts the
// requests that got out.
//
// Addresses outside loopback (10.1.2.3, 169.254.169.254) are only ever posted to POST /tests,
// which stores and never runs, or checked by RestSandbox directly, so that even a broken check
// sends no traffic off this machine; the routes that start runs are tested with 0.0.0.0, which
// is not in 127.0.0.0/8 but which Linux connects to the local host.

namespace {

struct Response
{
    int status = 0;
    QJsonObject json;
    QString error() const { return json.value(QStringLiteral("error")).toString(); }
    QString field() const { return json.value(QStringLiteral("field")).toString(); }
    QString rule() const { return json.value(QStringLiteral("rule")).toString(); }
};

constexpr char kToken[] = "sandbox-test-token-0123456789";

} // namespace

class TestRestSandbox : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    HistoryStore m_store;
    std::unique_ptr<RestApiServer> m_server;
    QNetworkAccessManager m_network;
    quint16 m_port = 0;
    QString m_allowed; // the --allow-files folder
    QString m_secret;  // a 0600 file outside it
    QMutex m_bodiesMutex;
    QList<QByteArray> m_bodies;
    FakeHttpServer m_capture; // after what its handler uses, so it stops first

    Response call(const QByteArray &method, const QString &path, const QByteArray &body = {})
    {
        QNetworkRequest request(
            QUrl(QStringLiteral("http://127.0.0.1:%1/api/performance%2").arg(m_port).arg(path)));
        request.setRawHeader("Authorization", QByteArray("Bearer ") + kToken);
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/json"));
        QNetworkReply *reply = m_network.sendCustomRequest(request, method, body);
        Response response;
        if (!QTest::qWaitFor([reply] { return reply->isFinished(); }, 20000)) {
            reply->abort();
            reply->deleteLater();
            return response;
        }
        response.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        response.json = QJsonDocument::fromJson(reply->readAll()).object();
        reply->deleteLater();
        return response;
    }

    Response post(const QString &path, const QJsonObject &body)
    {
        return call("POST", path, QJsonDocument(body).toJson(QJsonDocument::Compact));
    }

    //! A one-second plan POSTing to the capture server, its body from @p bodyFile.
    TestPlan capturePlan(const QString &name, const QString &bodyFile) const
    {
        TestPlan plan;
        plan.name = name;
        plan.baseUrl = QStringLiteral("http://127.0.0.1:%1").arg(m_capture.port());
        Step step;
        step.method = QStringLiteral("POST");
        step.path = QStringLiteral("/capture");
        step.bodyFile = bodyFile;
        plan.steps = {step};
        plan.load.executor = Executor::ConstantVus;
        plan.load.vus = 1;
        plan.load.durationMs = 500;
        plan.load.gracefulStopMs = 1000;
        return plan;
    }

    bool storedTestNamed(const QString &name) { return m_store.findTestByName(name).has_value(); }

    bool waitIdle()
    {
        return QTest::qWaitFor([this] { return !m_server->isRunning(); }, 30000);
    }

    static bool writeFile(const QString &path, const QByteArray &content)
    {
        QFile file(path);
        return file.open(QIODevice::WriteOnly) && file.write(content) == content.size();
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_capture.setHandler([this](const FakeRequest &request) {
            QMutexLocker lock(&m_bodiesMutex);
            m_bodies.append(request.body);
            return FakeReply::ok("{}");
        });
        QVERIFY2(m_capture.start(), qPrintable(m_capture.errorString()));

        m_allowed = m_dir.filePath(QStringLiteral("allowed"));
        QVERIFY(QDir().mkpath(m_allowed + QStringLiteral("/sub")));
        QVERIFY(writeFile(m_allowed + QStringLiteral("/body.json"), "{\"inside\": true}"));
        QVERIFY(writeFile(m_allowed + QStringLiteral("/rows.csv"), "a,b\n1,2\n"));
        m_secret = m_dir.filePath(QStringLiteral("secret.txt"));
        QVERIFY(writeFile(m_secret, "TOP-SECRET"));
        QVERIFY(QFile::setPermissions(m_secret, QFile::ReadOwner | QFile::WriteOwner));
        QVERIFY(QFile::link(m_secret, m_allowed + QStringLiteral("/link-out")));
        QVERIFY(QFile::link(m_dir.path(), m_allowed + QStringLiteral("/sub/up")));

        QString error;
        QVERIFY(m_store.open(m_dir.filePath(QStringLiteral("history.db")), &error));
        RestApiOptions options;
        options.token = QString::fromLatin1(kToken);
        QVERIFY2(options.sandbox.allowFiles(m_allowed, &error), qPrintable(error));
        m_server = std::make_unique<RestApiServer>(&m_store, options);
        m_port = m_server->listen(QHostAddress::LocalHost, 0, &error);
        QVERIFY2(m_port != 0, qPrintable(error));
        m_network.setProxy(QNetworkProxy::NoProxy);
    }

    void cleanupTestCase()
    {
        if (m_server && m_server->isRunning()) {
            m_server->stopRun(QStringLiteral("test over"));
            waitIdle();
        }
        m_server.reset();
    }

    void describesWhatIsAllowed()
    {
        const Response r = call("GET", QString());
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QStringLiteral("allowFiles")).toString(),
                 QFileInfo(m_allowed).canonicalFilePath());
        QCOMPARE(r.json.value(QStringLiteral("allowTargets")).toArray(),
                 (QJsonArray{QStringLiteral("127.0.0.0/8"), QStringLiteral("::1")}));
    }

    void fileOutsideTheFolderIsRefused_data()
    {
        QTest::addColumn<QString>("bodyFile");
        QTest::addColumn<bool>("dataFile");
        QTest::newRow("absolute, outside") << QStringLiteral("SECRET") << false;
        QTest::newRow("dataFile outside") << QStringLiteral("SECRET") << true;
        QTest::newRow("dot-dot") << QStringLiteral("ALLOWED/../secret.txt") << false;
        QTest::newRow("relative dot-dot") << QStringLiteral("../secret.txt") << false;
        QTest::newRow("symlink to a file outside") << QStringLiteral("ALLOWED/link-out") << false;
        QTest::newRow("through a symlinked folder")
            << QStringLiteral("ALLOWED/sub/up/secret.txt") << false;
        QTest::newRow("/etc/passwd") << QStringLiteral("/etc/passwd") << true;
    }

    void fileOutsideTheFolderIsRefused()
    {
        QFETCH(QString, bodyFile);
        QFETCH(bool, dataFile);
        bodyFile.replace(QLatin1String("SECRET"), m_secret)
            .replace(QLatin1String("ALLOWED"), m_allowed);
        const QString name = QStringLiteral("leak ") + QString::fromLatin1(QTest::currentDataTag());
        TestPlan plan = capturePlan(name, dataFile ? QString() : bodyFile);
        if (dataFile)
            plan.dataFile = bodyFile;
        const int before = m_capture.requestsSeen();
        const Response r = post(QStringLiteral("/tests"), toJson(plan));
        QCOMPARE(r.status, 403);
        QCOMPARE(r.field(),
                 dataFile ? QStringLiteral("dataFile") : QStringLiteral("steps[0].bodyFile"));
        QVERIFY2(r.error().contains(QLatin1String("outside the allowed folder")),
                 qPrintable(r.error()));
        QCOMPARE(r.rule(),
                 QStringLiteral("allow-files: ") + QFileInfo(m_allowed).canonicalFilePath());
        QVERIFY(!storedTestNamed(name));
        QCOMPARE(m_capture.requestsSeen(), before);
    }

    void fileInsideTheFolderIsSent()
    {
        // Absolute, and relative to the allowed folder.
        TestPlan plan =
            capturePlan(QStringLiteral("inside"), m_allowed + QStringLiteral("/body.json"));
        plan.dataFile = QStringLiteral("rows.csv");
        Response r = post(QStringLiteral("/tests"), toJson(plan));
        QCOMPARE(r.status, 201);
        const qint64 id = r.json.value(QStringLiteral("id")).toInteger();
        {
            QMutexLocker lock(&m_bodiesMutex);
            m_bodies.clear();
        }
        r = call("POST", QStringLiteral("/tests/%1/start").arg(id));
        QCOMPARE(r.status, 202);
        QVERIFY(waitIdle());
        QMutexLocker lock(&m_bodiesMutex);
        QVERIFY(!m_bodies.isEmpty());
        QCOMPARE(m_bodies.first(), QByteArray("{\"inside\": true}"));
    }

    void storedPlanIsCheckedAtStart()
    {
        // Stored by the CLI or the GUI (which may name any file): the REST start still refuses.
        StoredTest test;
        test.name = QStringLiteral("stored elsewhere");
        test.testType = QStringLiteral("LOAD_TEST");
        test.plan = toJson(capturePlan(test.name, m_secret));
        const qint64 id = m_store.saveTest(test);
        QVERIFY(id > 0);
        const int before = m_capture.requestsSeen();
        Response r = call("POST", QStringLiteral("/tests/%1/start").arg(id));
        QCOMPARE(r.status, 403);
        QCOMPARE(r.field(), QStringLiteral("steps[0].bodyFile"));
        QVERIFY(!m_server->isRunning());

        TestPlan elsewhere = capturePlan(QStringLiteral("stored target"), QString());
        elsewhere.steps[0].body = QStringLiteral("x");
        elsewhere.baseUrl = QStringLiteral("http://0.0.0.0:%1").arg(m_capture.port());
        test.name = elsewhere.name;
        test.plan = toJson(elsewhere);
        test.id = 0;
        const qint64 targetId = m_store.saveTest(test);
        r = call("POST", QStringLiteral("/tests/%1/start").arg(targetId));
        QCOMPARE(r.status, 403);
        QCOMPARE(r.field(), QStringLiteral("baseUrl"));
        QCOMPARE(r.rule(), QStringLiteral("allow-targets: 127.0.0.0/8, ::1"));
        QVERIFY(!m_server->isRunning());
        QCOMPARE(m_capture.requestsSeen(), before);
    }

    void targetOutsideLoopbackIsRefused_data()
    {
        QTest::addColumn<QString>("baseUrl");
        QTest::addColumn<QString>("stepPath");
        QTest::addColumn<QString>("field");
        QTest::newRow("metadata address")
            << QStringLiteral("http://169.254.169.254") << QStringLiteral("/latest/meta-data/")
            << QStringLiteral("baseUrl");
        QTest::newRow("private") << QStringLiteral("http://10.1.2.3:8080") << QStringLiteral("/x")
                                 << QStringLiteral("baseUrl");
        QTest::newRow("v4-mapped v6") << QStringLiteral("http://[::ffff:10.1.2.3]/")
                                      << QStringLiteral("/x") << QStringLiteral("baseUrl");
        QTest::newRow("absolute step URL")
            << QStringLiteral("http://127.0.0.1:9") << QStringLiteral("http://10.1.2.3/x")
            << QStringLiteral("steps[0].path");
    }

    void targetOutsideLoopbackIsRefused()
    {
        QFETCH(QString, baseUrl);
        QFETCH(QString, stepPath);
        QFETCH(QString, field);
        TestPlan plan = capturePlan(
            QStringLiteral("elsewhere ") + QString::fromLatin1(QTest::currentDataTag()), QString());
        plan.baseUrl = baseUrl;
        plan.steps[0].path = stepPath;
        plan.steps[0].method = QStringLiteral("GET");
        const Response r = post(QStringLiteral("/tests"), toJson(plan));
        QCOMPARE(r.status, 403);
        QCOMPARE(r.field(), field);
        QCOMPARE(r.rule(), QStringLiteral("allow-targets: 127.0.0.0/8, ::1"));
        QVERIFY2(r.error().contains(QLatin1String("is not allowed")), qPrintable(r.error()));
        QVERIFY(!storedTestNamed(plan.name));
    }

    void loadTestShortFormIsChecked()
    {
        const int before = m_capture.requestsSeen();
        const Response r = post(
            QStringLiteral("/load-test"),
            QJsonObject{
                {QStringLiteral("name"), QStringLiteral("short elsewhere")},
                {QStringLiteral("baseUrl"),
                 QStringLiteral("http://0.0.0.0:%1").arg(m_capture.port())},
                {QStringLiteral("stages"), QJsonArray{QJsonObject{{QStringLiteral("duration"), 1},
                                                                  {QStringLiteral("target"), 1}}}},
                {QStringLiteral("targetEndpoints"), QJsonArray{QStringLiteral("/x")}}});
        QCOMPARE(r.status, 403);
        QCOMPARE(r.field(), QStringLiteral("baseUrl"));
        QVERIFY(!m_server->isRunning());
        QCOMPARE(m_capture.requestsSeen(), before);
    }

    void noFilesWithoutTheOption()
    {
        RestSandbox sandbox;
        TestPlan plan =
            capturePlan(QStringLiteral("no files"), m_allowed + QStringLiteral("/body.json"));
        const auto refused = sandbox.check(plan);
        QVERIFY(refused);
        QCOMPARE(refused->status, 403);
        QCOMPARE(refused->field, QStringLiteral("steps[0].bodyFile"));
        QVERIFY(refused->extra.value(QStringLiteral("rule"))
                    .toString()
                    .contains(QLatin1String("--allow-files")));
        plan.steps[0].bodyFile.clear();
        QVERIFY(!sandbox.check(plan));
    }

    void allowTargetsRules()
    {
        // Checked without sending anything.
        RestSandbox sandbox;
        TestPlan plan = capturePlan(QStringLiteral("rules"), QString());
        plan.baseUrl = QStringLiteral("http://10.1.2.3:8080");
        QVERIFY(sandbox.check(plan));
        QString error;
        QVERIFY(sandbox.allowTargets({QStringLiteral("10.0.0.0/8"), QStringLiteral("api.example")},
                                     &error));
        QVERIFY(!sandbox.check(plan));
        plan.baseUrl = QStringLiteral("http://[::ffff:10.9.9.9]");
        QVERIFY(!sandbox.check(plan));
        plan.baseUrl = QStringLiteral("http://11.1.2.3");
        QVERIFY(sandbox.check(plan));
        plan.baseUrl = QStringLiteral("https://API.example:8443/v1");
        QVERIFY(!sandbox.check(plan)); // allowed by name, not resolved
        plan.baseUrl = QStringLiteral("http://localhost:1");
        QVERIFY(!sandbox.check(plan)); // resolves to loopback only
        plan.baseUrl = QStringLiteral("http://127.0.0.1:1");
        plan.proxy = QStringLiteral("http://10.1.2.3:3128");
        QVERIFY(!sandbox.check(plan));
        plan.proxy = QStringLiteral("http://192.168.1.1:3128");
        const auto refused = sandbox.check(plan);
        QVERIFY(refused);
        QCOMPARE(refused->field, QStringLiteral("proxy"));
        QCOMPARE(refused->extra.value(QStringLiteral("rule")).toString(),
                 QStringLiteral("allow-targets: 127.0.0.0/8, ::1, 10.0.0.0/8, api.example"));

        QVERIFY(!sandbox.allowTargets({QStringLiteral("10.0.0.0/33")}, &error));
        QVERIFY2(error.contains(QLatin1String("10.0.0.0/33")), qPrintable(error));
        QVERIFY(!sandbox.allowTargets({QStringLiteral("http://x")}, &error));
        QVERIFY2(error.contains(QLatin1String("http://x")), qPrintable(error));
        QVERIFY(!sandbox.allowFiles(m_dir.filePath(QStringLiteral("missing")), &error));
        QVERIFY2(error.contains(QLatin1String("missing")), qPrintable(error));
    }

    void serveRefusesBadOptions()
    {
        const auto run = loadscope::test::runCli(
            {QStringLiteral("serve"), QStringLiteral("--port=0"),
             QStringLiteral("--db=") + m_dir.filePath(QStringLiteral("cli.db")),
             QStringLiteral("--allow-targets=127.0.0.1,10.0.0.0/99")},
            20000);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QLatin1String("10.0.0.0/99")), qPrintable(run.err));
    }
};

LOADSCOPE_TEST_MAIN(TestRestSandbox)
#include "tst_restsandbox.moc"
