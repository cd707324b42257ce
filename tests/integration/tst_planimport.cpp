#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QTemporaryDir>

#include "interop/harimport.h"
#include "interop/planimport.h"
#include "plan/planjson.h"
#include "plan/planvalidator.h"
#include "sample/sampleapihost.h"
#include "testmain.h"
#include "testsupport.h"

// Plan import from what users already have, through core (importPlan) and through the real
// `loadscope-cli plan import`; a HAR recorded against the sample API runs as a plan.

using namespace loadscope;

namespace {

QString fixture(const QString &name)
{
    return QStringLiteral(LOADSCOPE_TEST_DATA_DIR "/interop/") + name;
}

QStringList headerLines(const Step &step)
{
    QStringList lines;
    for (const auto &header : step.headers)
        lines.append(header.first + QStringLiteral(": ") + header.second);
    return lines;
}

QStringList extractionLines(const Step &step)
{
    QStringList lines;
    for (const Extraction &e : step.extractions)
        lines.append(e.name + u' ' + extractionSourceName(e.source) + u' ' + e.expression);
    return lines;
}

ImportResult importFixture(const QString &name, const ImportOptions &options = {})
{
    QString error;
    const auto result = importPlan(loadscope::test::readFileBytes(fixture(name)), options, &error);
    if (!result)
        qWarning("%s: %s", qPrintable(name), qPrintable(error));
    return result.value_or(ImportResult{});
}

} // namespace

class TestPlanImport : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString write(const QString &name, const QByteArray &bytes)
    {
        const QString path = m_dir.filePath(name);
        QFile file(path);
        if (file.open(QIODevice::WriteOnly))
            file.write(bytes);
        return path;
    }

private slots:
    void detectsTheFormat()
    {
        QCOMPARE(detectPlanSource(
                     loadscope::test::readFileBytes(fixture(QStringLiteral("checkout.har")))),
                 PlanSource::Har);
        QCOMPARE(detectPlanSource("curl http://h/"), PlanSource::Curl);
        QCOMPARE(detectPlanSource("{\"info\":{\"name\":\"c\"},\"item\":[]}"), PlanSource::Postman);
        QCOMPARE(detectPlanSource("openapi: 3.1.0\ninfo: {}\n"), PlanSource::OpenApi);
        QCOMPARE(detectPlanSource("{\"openapi\":\"3.0.3\"}"), PlanSource::OpenApi);
        QCOMPARE(detectPlanSource(loadscope::test::readFileBytes(
                     fixture(QStringLiteral("smartmarket.openapi.yaml")))),
                 PlanSource::OpenApi);
    }

    void harStepsInOrderWithoutAssetsAndNoise()
    {
        const ImportResult result = importFixture(QStringLiteral("checkout.har"));
        const TestPlan &plan = result.plan;
        QCOMPARE(plan.name, QStringLiteral("Shop checkout"));
        QCOMPARE(plan.baseUrl, QStringLiteral("https://api.example.com"));
        QCOMPARE(plan.steps.size(), 3);
        const Step &login = plan.steps.at(0);
        QCOMPARE(login.method, QStringLiteral("POST"));
        QCOMPARE(login.path, QStringLiteral("/api/login"));
        // Pseudo-headers, sec-*, accept-encoding and content-length are not copied.
        QCOMPARE(headerLines(login),
                 (QStringList{QStringLiteral("content-type: application/json"),
                              QStringLiteral("accept: application/json"),
                              QStringLiteral("user-agent: Mozilla/5.0 (X11; Linux x86_64)")}));
        QCOMPARE(login.body, QStringLiteral("{\"user\":\"ada\",\"password\":\"s3cret\"}"));
        QCOMPARE(login.checks.size(), 1);
        QCOMPARE(login.checks.first().status, 200);
        // Think time: login's response ended at .120, the next API request started at 1.120.
        QCOMPARE(login.thinkTimeMs, 1000);
        QCOMPARE(plan.steps.at(1).thinkTimeMs, 500);
        QCOMPARE(plan.steps.at(2).thinkTimeMs, 0);
        QCOMPARE(plan.steps.at(2).checks.first().status, 201);
        // Form params become the urlencoded body.
        QCOMPARE(plan.steps.at(2).body,
                 QStringLiteral("amount=10&note=for%20{{user_id}}%20%26%20co"));
        QCOMPARE(planErrors(plan), QStringList());

        QVERIFY(result.leftOut.contains(
            QStringLiteral("static assets (scripts, styles, images, fonts): 2 requests")));
        QVERIFY(result.leftOut.contains(QStringLiteral("CONNECT entries (proxy tunnels): 1")));
        QVERIFY(result.leftOut.contains(
            QStringLiteral("another host, collect.analytics.example "
                           "(--include-host=collect.analytics.example keeps it): 1 requests")));
        QVERIFY(result.leftOut.last().contains(QLatin1String(":authority")));
    }

    void harCorrelatesTokensIdsAndCsrf()
    {
        const ImportResult result = importFixture(QStringLiteral("checkout.har"));
        const TestPlan &plan = result.plan;
        QCOMPARE(plan.steps.size(), 3);
        QCOMPARE(extractionLines(plan.steps.at(0)),
                 (QStringList{QStringLiteral("token jsonPointer /token"),
                              QStringLiteral("user_id jsonPointer /user/id"),
                              QStringLiteral("x_csrf_token header x-csrf-token")}));
        // The orders response was base64 in the HAR: decoded, its id correlated.
        QCOMPARE(extractionLines(plan.steps.at(1)),
                 QStringList{QStringLiteral("orders_id jsonPointer /orders/0/id")});
        QCOMPARE(plan.steps.at(1).path, QStringLiteral("/api/users/{{user_id}}/orders?limit=5"));
        QCOMPARE(headerLines(plan.steps.at(1)).constFirst(),
                 QStringLiteral("authorization: Bearer {{token}}"));
        QCOMPARE(plan.steps.at(2).path, QStringLiteral("/api/orders/{{orders_id}}/pay"));
        QCOMPARE(headerLines(plan.steps.at(2)).mid(0, 2),
                 (QStringList{QStringLiteral("authorization: Bearer {{token}}"),
                              QStringLiteral("x-csrf-token: {{x_csrf_token}}")}));
        QCOMPARE(result.correlations.size(), 4);
        const Correlation &token = result.correlations.first();
        QCOMPARE(token.variable, QStringLiteral("token"));
        QCOMPARE(token.value, QStringLiteral("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.sig"));
        QCOMPARE(token.fromStep, 0);
        QCOMPARE(token.usedIn, (QStringList{QStringLiteral("steps[1].headers.authorization"),
                                            QStringLiteral("steps[2].headers.authorization")}));
        // Every {{reference}} is resolved by an extraction of an earlier step: no warnings.
        QCOMPARE(validatePlan(plan), QStringList());
    }

    void harIncludeHost()
    {
        ImportOptions options;
        options.includeHosts = {QStringLiteral("collect.analytics.example")};
        const ImportResult result = importFixture(QStringLiteral("checkout.har"), options);
        QCOMPARE(result.plan.steps.size(), 4);
        QCOMPARE(result.plan.steps.at(1).path,
                 QStringLiteral("https://collect.analytics.example/beacon?e=login"));
    }

    void badHarIsExit2NamingThePlace_data()
    {
        QTest::addColumn<QByteArray>("har");
        QTest::addColumn<QString>("message");
        QTest::newRow("not json") << QByteArray("{\"log\": {\n  \"entries\": [,]}}")
                                  << QStringLiteral("line 2, column 15: not JSON");
        QTest::newRow("wrong version")
            << QByteArray("{\"log\":{\"version\":\"2.0\",\"entries\":[]}}")
            << QStringLiteral("log.version: \"2.0\" is not HAR 1.1 or 1.2");
        QTest::newRow("no entries") << QByteArray("\xEF\xBB\xBF{\"log\":{\"version\":\"1.2\"}}")
                                    << QStringLiteral("log.entries: the HAR has no entries");
        QTest::newRow("entry without url")
            << QByteArray("{\"log\":{\"version\":\"1.2\",\"entries\":[{\"request\":{\"method\":"
                          "\"GET\",\"url\":\"http://h/\"}},{\"request\":{\"method\":\"GET\"}}]}}")
            << QStringLiteral("log.entries[1].request.url: \"\" is not an http or https URL");
    }

    void badHarIsExit2NamingThePlace()
    {
        QFETCH(QByteArray, har);
        QFETCH(QString, message);
        const QString path = write(QStringLiteral("bad.har"), har);
        const test::CliRun run = test::runCli({QStringLiteral("plan"), QStringLiteral("import"),
                                               QStringLiteral("--format=har"), path});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(path + QStringLiteral(": ") + message), qPrintable(run.err));
        QVERIFY(run.out.isEmpty());
    }

    void postmanFoldersVariablesAuthAndBodies()
    {
        const ImportResult result =
            importFixture(QStringLiteral("smartmarket.postman_collection.json"));
        const TestPlan &plan = result.plan;
        QCOMPARE(plan.name, QStringLiteral("SmartMarket"));
        QCOMPARE(plan.baseUrl, QStringLiteral("http://127.0.0.1:8080"));
        // The origin variable became the base URL; the others are plan variables.
        QCOMPARE(plan.variables,
                 (QMap<QString, QString>{{QStringLiteral("symbol"), QStringLiteral("AAPL")},
                                         {QStringLiteral("token"), QStringLiteral("dev-token")}}));
        QCOMPARE(plan.steps.size(), 5);
        QStringList names, targets;
        for (const Step &step : plan.steps) {
            names.append(step.name);
            targets.append(step.method + u' ' + step.path);
        }
        QCOMPARE(names,
                 (QStringList{QStringLiteral("Health"), QStringLiteral("Trading / Predict"),
                              QStringLiteral("Trading / Signals / Get signals"),
                              QStringLiteral("Admin / Order"), QStringLiteral("Admin / Upload")}));
        QCOMPARE(targets, (QStringList{QStringLiteral("GET /api/health"),
                                       QStringLiteral("POST /api/bridge/predict"),
                                       QStringLiteral("POST /api/signals"),
                                       QStringLiteral("GET /api/orders/42?verbose=true"),
                                       QStringLiteral("POST /api/upload?api_key=k-1")}));
        // noauth, the collection's bearer, a folder's basic, a request's API key in the query.
        QCOMPARE(headerLines(plan.steps.at(0)), QStringList());
        QCOMPARE(headerLines(plan.steps.at(1)),
                 (QStringList{QStringLiteral("X-Request-Id: {{$guid}}"),
                              QStringLiteral("Authorization: Bearer {{token}}"),
                              QStringLiteral("Content-Type: application/json")}));
        QCOMPARE(plan.steps.at(1).body, QStringLiteral("{\"symbol\":\"{{symbol}}\"}"));
        QCOMPARE(plan.steps.at(2).body, QStringLiteral("symbol={{symbol}}&window=14%20days"));
        QCOMPARE(headerLines(plan.steps.at(2)).constLast(),
                 QStringLiteral("Content-Type: application/x-www-form-urlencoded"));
        QCOMPARE(headerLines(plan.steps.at(3)),
                 QStringList{QStringLiteral("Authorization: Basic YWRhOnB3")});
        QVERIFY(plan.steps.at(4).body.contains(QLatin1String("name=\"note\"\r\n\r\nhi\r\n")));
        QVERIFY(!plan.steps.at(4).body.contains(QLatin1String("name=\"file\"")));
        QCOMPARE(planErrors(plan), QStringList());
        // Scripts, disabled headers, file parts and dynamic variables are listed, not dropped.
        for (const char *left :
             {"collection: pre-request script not imported (1 lines)",
              "item[1].item[0] (Trading / Predict): test script not imported (3 lines)",
              "item[1].item[0]: disabled header X-Old",
              "item[1].item[0]: Postman dynamic variable {{$guid}} has no plan value",
              "item[2].item[1]: form-data file part file"})
            QVERIFY2(result.leftOut.contains(QString::fromUtf8(left)),
                     qPrintable(result.leftOut.join(u'\n')));
    }

    void postmanEnvironmentOverridesCollectionVariables()
    {
        const QString out = m_dir.filePath(QStringLiteral("staging.json"));
        const test::CliRun run =
            test::runCli({QStringLiteral("plan"), QStringLiteral("import"),
                          fixture(QStringLiteral("smartmarket.postman_collection.json")),
                          QStringLiteral("--environment=") +
                              fixture(QStringLiteral("smartmarket.postman_environment.json")),
                          QStringLiteral("--output-file=") + out});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QString error;
        const auto plan = planFromFile(out, &error);
        QVERIFY2(plan, qPrintable(error));
        // The environment's baseUrl and token win; its disabled symbol does not.
        QCOMPARE(plan->baseUrl, QStringLiteral("http://127.0.0.1:9090"));
        QCOMPARE(plan->variables.value(QStringLiteral("token")), QStringLiteral("staging-token"));
        QCOMPARE(plan->variables.value(QStringLiteral("symbol")), QStringLiteral("AAPL"));
        const test::CliRun bad = test::runCli(
            {QStringLiteral("plan"), QStringLiteral("import"),
             fixture(QStringLiteral("smartmarket.postman_collection.json")),
             QStringLiteral("--environment=") + fixture(QStringLiteral("k6-plan.json"))});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY2(bad.err.contains(QStringLiteral("environment.values: missing")),
                 qPrintable(bad.err));
    }

    void badPostmanIsExit2NamingThePlace_data()
    {
        QTest::addColumn<QByteArray>("collection");
        QTest::addColumn<QString>("message");
        QTest::newRow("v2.0")
            << QByteArray("{\"info\":{\"name\":\"c\",\"schema\":\"https://schema.getpostman.com/"
                          "json/collection/v2.0.0/collection.json\"},\"item\":[]}")
            << QStringLiteral("info.schema: "
                              "\"https://schema.getpostman.com/json/collection/v2.0.0/"
                              "collection.json\" is not Postman collection v2.1");
        QTest::newRow("no requests")
            << QByteArray("{\"info\":{\"name\":\"c\",\"schema\":\"https://schema.getpostman.com/"
                          "json/collection/v2.1.0/collection.json\"},\"item\":[]}")
            << QStringLiteral("item: the collection has no requests");
        QTest::newRow("undefined origin")
            << QByteArray("{\"info\":{\"name\":\"c\",\"schema\":\"https://schema.getpostman.com/"
                          "json/collection/v2.1.0/"
                          "collection.json\"},\"item\":[{\"name\":\"f\",\"item\":[{\"name\":\"r\","
                          "\"request\":{\"url\":\"{{host}}/x\"}}]}]}")
            << QStringLiteral(
                   "item[0].item[0].request.url: \"{{host}}/x\" is not an http or https URL");
    }

    void badPostmanIsExit2NamingThePlace()
    {
        QFETCH(QByteArray, collection);
        QFETCH(QString, message);
        const QString path = write(QStringLiteral("bad.postman.json"), collection);
        const test::CliRun run =
            test::runCli({QStringLiteral("plan"), QStringLiteral("import"), path});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(message), qPrintable(run.err));
    }

    void openApiYamlOperationsParametersAndRefBodies()
    {
        const ImportResult result = importFixture(QStringLiteral("smartmarket.openapi.yaml"));
        const TestPlan &plan = result.plan;
        QCOMPARE(plan.name, QStringLiteral("SmartMarket API"));
        QCOMPARE(plan.description, QStringLiteral("Predictions, signals and strategies."));
        // The first server with its {port} variable at the default; the trailing "/" dropped.
        QCOMPARE(plan.baseUrl, QStringLiteral("http://127.0.0.1:8080"));
        QCOMPARE(plan.steps.size(), 4);
        QStringList names, targets, checks;
        for (const Step &step : plan.steps) {
            names.append(step.name);
            targets.append(step.method + u' ' + step.path);
            checks.append(QString::number(step.checks.value(0).status));
        }
        QCOMPARE(names, (QStringList{QStringLiteral("health"), QStringLiteral("predict"),
                                     QStringLiteral("updateOrderLine"),
                                     QStringLiteral("POST /api/signals")}));
        // Path parameters from a $ref'd parameter's example and a schema minimum; a required
        // query parameter at its default; the optional one left out.
        QCOMPARE(targets,
                 (QStringList{QStringLiteral("GET /api/health"),
                              QStringLiteral("POST /api/bridge/predict"),
                              QStringLiteral("PUT /api/orders/ord-1001/items/1?dryRun=false"),
                              QStringLiteral("POST /api/signals")}));
        QCOMPARE(checks, (QStringList{QStringLiteral("200"), QStringLiteral("200"),
                                      QStringLiteral("202"), QStringLiteral("201")}));
        // security: [] on health; the document's bearer scheme elsewhere, as a variable.
        QCOMPARE(headerLines(plan.steps.at(0)), QStringList());
        QCOMPARE(headerLines(plan.steps.at(2)),
                 (QStringList{QStringLiteral("X-Tenant: acme"),
                              QStringLiteral("Content-Type: application/json"),
                              QStringLiteral("Authorization: Bearer {{bearerauth}}")}));
        QVERIFY(plan.variables.contains(QStringLiteral("bearerauth")));
        // A $ref requestBody's example; a body generated from a $ref schema (allOf, enum,
        // example, default, minimum, a 3.1 type list); form fields from a schema.
        QCOMPARE(plan.steps.at(1).body, QStringLiteral("{\"symbol\":\"AAPL\"}"));
        QCOMPARE(QJsonDocument::fromJson(plan.steps.at(2).body.toUtf8()).object(),
                 QJsonDocument::fromJson(
                     "{\"sku\":\"SKU-1\",\"quantity\":1,\"price\":{\"amount\":9.5,"
                     "\"currency\":\"EUR\"},\"note\":\"string\",\"tags\":[\"gift\"]}")
                     .object());
        QCOMPARE(plan.steps.at(3).body, QStringLiteral("symbol=MSFT&window=14"));
        QCOMPARE(planErrors(plan), QStringList());
        QVERIFY(result.leftOut.contains(QStringLiteral(
            "paths./api/orders/{orderId}/items/{line}.trace: TRACE is not a plan method")));
    }

    void openApiJson()
    {
        const ImportResult result = importFixture(QStringLiteral("petstore.openapi.json"));
        const TestPlan &plan = result.plan;
        QCOMPARE(plan.baseUrl, QStringLiteral("https://api.pets.example"));
        QCOMPARE(plan.steps.size(), 3);
        // Document order, the server's path as a prefix, an API key header as a variable.
        QCOMPARE(plan.steps.at(0).path, QStringLiteral("/v2/pets?limit=20"));
        QCOMPARE(headerLines(plan.steps.at(0)),
                 QStringList{QStringLiteral("X-API-Key: {{apikey}}")});
        QCOMPARE(plan.steps.at(1).method, QStringLiteral("POST"));
        QCOMPARE(plan.steps.at(1).body,
                 QStringLiteral("{\"birth\":\"2026-01-01\",\"name\":\"Rex\"}"));
        QCOMPARE(plan.steps.at(2).path, QStringLiteral("/v2/pets/7"));
        QCOMPARE(plan.steps.at(2).name, QStringLiteral("DELETE /v2/pets/{petId}"));
        QCOMPARE(plan.steps.at(2).checks.first().status, 204);
        QCOMPARE(planErrors(plan), QStringList());
    }

    void badOpenApiIsExit2NamingThePlace_data()
    {
        QTest::addColumn<QByteArray>("document");
        QTest::addColumn<QString>("message");
        QTest::newRow("swagger 2")
            << QByteArray("{\"swagger\": \"2.0\", \"paths\": {}}")
            << QStringLiteral("swagger: \"2.0\" is Swagger 2.0, not OpenAPI 3.0 or 3.1");
        QTest::newRow("openapi 4")
            << QByteArray("openapi: 4.0.0\npaths: {}\n")
            << QStringLiteral("openapi: \"4.0.0\" is not OpenAPI 3.0 or 3.1");
        QTest::newRow("bad yaml") << QByteArray("openapi: 3.1.0\npaths:\n  /a: [unclosed\n")
                                  << QStringLiteral("line 4, column 1: not YAML");
        QTest::newRow("bad json") << QByteArray("{\"openapi\": \"3.0.0\",\n \"paths\": {,}}")
                                  << QStringLiteral("line 2, column 12: not JSON");
        QTest::newRow("no paths") << QByteArray("openapi: 3.0.0\ninfo: {title: t}\n")
                                  << QStringLiteral("paths: the document has no operations");
    }

    void badOpenApiIsExit2NamingThePlace()
    {
        QFETCH(QByteArray, document);
        QFETCH(QString, message);
        const QString path = write(QStringLiteral("bad.openapi"), document);
        const test::CliRun run = test::runCli({QStringLiteral("plan"), QStringLiteral("import"),
                                               QStringLiteral("--format=openapi"), path});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(path + QStringLiteral(": ") + message), qPrintable(run.err));
    }

    void cliImportsCurlFromStdinEquivalentFile()
    {
        const QString path = write(QStringLiteral("paste.sh"),
                                   "curl -k https://h.example/api/a -H 'X-A: 1'\n"
                                   "curl -X POST https://h.example/api/b -d x=1 -o out.txt\n");
        const QString out = m_dir.filePath(QStringLiteral("paste.json"));
        const test::CliRun run = test::runCli({QStringLiteral("plan"), QStringLiteral("import"),
                                               path, QStringLiteral("--output-file=") + out});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QString error;
        const auto plan = planFromFile(out, &error);
        QVERIFY2(plan, qPrintable(error));
        QCOMPARE(plan->name, QStringLiteral("paste"));
        QCOMPARE(plan->baseUrl, QStringLiteral("https://h.example"));
        QCOMPARE(plan->steps.size(), 2);
        QCOMPARE(plan->steps.at(1).method, QStringLiteral("POST"));
        QVERIFY(plan->insecureSkipTlsVerify);
        QVERIFY2(run.err.contains(QStringLiteral("left out: steps[1]: curl option -o out.txt")),
                 qPrintable(run.err));
        // An unbalanced quote names line and column.
        const QString bad =
            write(QStringLiteral("bad.sh"), "curl http://h/a\ncurl -d 'x http://h/b\n");
        const test::CliRun refused =
            test::runCli({QStringLiteral("plan"), QStringLiteral("import"), bad});
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(
            refused.err.contains(QStringLiteral("unbalanced single quote at line 2, column 9")),
            qPrintable(refused.err));
        QCOMPARE(test::runCli({QStringLiteral("plan"), QStringLiteral("import"),
                               QStringLiteral("--format=wsdl"), bad})
                     .exitCode,
                 2);
    }

    void restAcceptsTheSameSources()
    {
        QProcess serve;
        const QString token = QStringLiteral("plan-import-token-0123456789");
        const QString api =
            test::startServe(serve,
                             {QStringLiteral("--port=0"), QStringLiteral("--token=") + token,
                              QStringLiteral("--db=") + m_dir.filePath(QStringLiteral("rest.db"))},
                             m_dir.filePath(QStringLiteral("config")));
        QVERIFY(!api.isEmpty());
        QNetworkAccessManager network;
        const auto post = [&](const QString &from, const QByteArray &body, QJsonObject *reply) {
            QNetworkRequest request(QUrl(api + QStringLiteral("/tests?from=") + from));
            request.setRawHeader("Authorization", "Bearer " + token.toLatin1());
            request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("text/plain"));
            QNetworkReply *answer = network.post(request, body);
            if (!QTest::qWaitFor([answer] { return answer->isFinished(); }, 20000))
                return -1;
            *reply = QJsonDocument::fromJson(answer->readAll()).object();
            answer->deleteLater();
            return answer->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        };
        QJsonObject reply;
        QCOMPARE(post(QStringLiteral("postman"),
                      loadscope::test::readFileBytes(
                          fixture(QStringLiteral("smartmarket.postman_collection.json"))),
                      &reply),
                 201);
        QVERIFY(reply.value(QLatin1String("id")).toInteger() > 0);
        QCOMPARE(reply.value(QLatin1String("name")).toString(), QStringLiteral("SmartMarket"));
        QVERIFY(!reply.value(QLatin1String("import"))
                     .toObject()
                     .value(QLatin1String("leftOut"))
                     .toArray()
                     .isEmpty());
        QCOMPARE(post(QStringLiteral("har"),
                      loadscope::test::readFileBytes(fixture(QStringLiteral("sample-api.har")))
                          .replace("SAMPLE_PORT", "8080"),
                      &reply),
                 201);
        QCOMPARE(reply.value(QLatin1String("import"))
                     .toObject()
                     .value(QLatin1String("taken"))
                     .toArray()
                     .size(),
                 3);
        // The sandbox still applies: a HAR recorded against another host is not stored.
        QCOMPARE(post(QStringLiteral("har"),
                      loadscope::test::readFileBytes(fixture(QStringLiteral("checkout.har"))),
                      &reply),
                 403);
        QCOMPARE(post(QStringLiteral("curl"), "curl -d 'x http://h/", &reply), 400);
        QCOMPARE(reply.value(QLatin1String("error")).toString(),
                 QStringLiteral("curl: unbalanced single quote at column 9"));
        QCOMPARE(post(QStringLiteral("wsdl"), "x", &reply), 400);
        QCOMPARE(reply.value(QLatin1String("field")).toString(), QStringLiteral("from"));
        serve.terminate();
        QVERIFY(serve.waitForFinished(20000));
    }

    void cliReadsStdinAndWritesOnlyThePlanToStdout()
    {
        QProcess cli;
        cli.start(test::cliPath(),
                  {QStringLiteral("plan"), QStringLiteral("import"), QStringLiteral("-")});
        QVERIFY(cli.waitForStarted(10000));
        cli.write("curl -H 'Accept: application/json' http://127.0.0.1:8080/api/health\n");
        cli.closeWriteChannel();
        QVERIFY(cli.waitForFinished(30000));
        QCOMPARE(cli.exitCode(), 0);
        QString error;
        const auto plan = planFromJsonBytes(cli.readAllStandardOutput(), &error);
        QVERIFY2(plan, qPrintable(error));
        QCOMPARE(plan->name, QStringLiteral("stdin"));
        QCOMPARE(plan->steps.size(), 1);
        QCOMPARE(plan->steps.first().path, QStringLiteral("/api/health"));
        QVERIFY(cli.readAllStandardError().contains("taken: steps[0]: GET"));
    }

    void importedHarRunsAgainstTheSampleApi()
    {
        SampleApiHost host;
        QString error;
        const quint16 port = host.start(QHostAddress::LocalHost, 0, &error);
        QVERIFY2(port != 0, qPrintable(error));
        const QString har =
            write(QStringLiteral("sample.har"),
                  loadscope::test::readFileBytes(fixture(QStringLiteral("sample-api.har")))
                      .replace("SAMPLE_PORT", QByteArray::number(port)));
        const QString planPath = m_dir.filePath(QStringLiteral("sample.json"));
        test::CliRun run = test::runCli({QStringLiteral("plan"), QStringLiteral("import"), har,
                                         QStringLiteral("--output-file=") + planPath});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const auto plan = planFromFile(planPath, &error);
        QVERIFY2(plan, qPrintable(error));
        QCOMPARE(plan->baseUrl, QStringLiteral("http://127.0.0.1:%1").arg(port));
        QCOMPARE(plan->steps.size(), 3);

        run = test::runCli({QStringLiteral("run"), planPath, QStringLiteral("--no-db"),
                            QStringLiteral("--duration=1"), QStringLiteral("--quiet")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
        const SampleApiCounters counters = host.counters();
        for (const char *route : {"/api/health", "/api/bridge/predict", "/api/signals"})
            QVERIFY2(counters.requestsByRoute.value(QString::fromLatin1(route)) > 0, route);
        QCOMPARE(counters.requestsByRoute.value(QStringLiteral("unmatched")), 0u);
    }
};

LOADSCOPE_TEST_MAIN(TestPlanImport)
#include "tst_planimport.moc"
