#include "design/curlimport.h"
#include "testmain.h"

using namespace loadscope;

class TestCurlImport : public QObject
{
    Q_OBJECT

private slots:
    void shellWords_data();
    void shellWords();
    void unbalancedQuotes_data();
    void unbalancedQuotes();
    void postWithJson();
    void repeatedHeaders();
    void explicitMethodAndQuery();
    void defaultsAndGluedOptions();
    void continuationLinesAndBundledFlags();
    void badInput_data();
    void badInput();
};

void TestCurlImport::shellWords_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QStringList>("words");
    QTest::newRow("plain") << QStringLiteral("curl  -s http://h/x")
                           << QStringList{QStringLiteral("curl"), QStringLiteral("-s"),
                                          QStringLiteral("http://h/x")};
    QTest::newRow("single quotes keep everything")
        << QStringLiteral(R"(a 'b "c" \d' e)")
        << QStringList{QStringLiteral("a"), QStringLiteral(R"(b "c" \d)"), QStringLiteral("e")};
    QTest::newRow("double quotes escape")
        << QStringLiteral(R"(a "x \"y\" \\ \n")")
        << QStringList{QStringLiteral("a"), QStringLiteral(R"(x "y" \ \n)")};
    QTest::newRow("backslash outside quotes")
        << QStringLiteral(R"(a\ b c\'d)")
        << QStringList{QStringLiteral("a b"), QStringLiteral("c'd")};
    QTest::newRow("adjacent pieces join")
        << QStringLiteral(R"('a'"b"c)") << QStringList{QStringLiteral("abc")};
    QTest::newRow("empty quoted word")
        << QStringLiteral("a '' b")
        << QStringList{QStringLiteral("a"), QString(), QStringLiteral("b")};
    QTest::newRow("ansi-c quoting")
        << QStringLiteral(R"($'l1\nl2 \'q\'')") << QStringList{QStringLiteral("l1\nl2 'q'")};
}

void TestCurlImport::shellWords()
{
    QFETCH(QString, command);
    QFETCH(QStringList, words);
    QString error;
    const auto got = splitShellWords(command, &error);
    QVERIFY2(got, qPrintable(error));
    QCOMPARE(*got, words);
}

void TestCurlImport::unbalancedQuotes_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("message");
    QTest::newRow("single") << QStringLiteral("curl 'abc")
                            << QStringLiteral("unbalanced single quote at column 6");
    QTest::newRow("double") << QStringLiteral(R"(curl -d "{\"a\":1})")
                            << QStringLiteral("unbalanced double quote at column 9");
    QTest::newRow("trailing backslash")
        << QStringLiteral("curl x\\") << QStringLiteral("a backslash ends the command at column 7");
}

void TestCurlImport::unbalancedQuotes()
{
    QFETCH(QString, command);
    QFETCH(QString, message);
    QString error;
    QVERIFY(!splitShellWords(command, &error));
    QCOMPARE(error, message);
    QVERIFY(!importCurl(command, &error));
    QCOMPARE(error, message);
}

void TestCurlImport::postWithJson()
{
    QString error;
    const auto imported = importCurl(
        QStringLiteral(R"(curl -X POST -H 'Content-Type: application/json' -d '{"a":1}' )"
                       R"(http://127.0.0.1:8080/api/bridge/predict)"),
        &error);
    QVERIFY2(imported, qPrintable(error));
    QCOMPARE(imported->baseUrl, QStringLiteral("http://127.0.0.1:8080"));
    QCOMPARE(imported->step.method, QStringLiteral("POST"));
    QCOMPARE(imported->step.path, QStringLiteral("/api/bridge/predict"));
    QCOMPARE(imported->step.body, QStringLiteral(R"({"a":1})"));
    QCOMPARE(imported->step.name, QStringLiteral("predict"));
    const QList<QPair<QString, QString>> headers{
        {QStringLiteral("Content-Type"), QStringLiteral("application/json")}};
    QCOMPARE(imported->step.headers, headers);
}

void TestCurlImport::repeatedHeaders()
{
    QString error;
    const auto imported =
        importCurl(QStringLiteral(R"(curl --header "X-A: 1" -H 'X-A: 2' -H "Accept:text/plain" )"
                                  R"(--data-raw "{\"k\": \"v w\"}" https://api.example.com)"),
                   &error);
    QVERIFY2(imported, qPrintable(error));
    const QList<QPair<QString, QString>> headers{
        {QStringLiteral("X-A"), QStringLiteral("1")},
        {QStringLiteral("X-A"), QStringLiteral("2")},
        {QStringLiteral("Accept"), QStringLiteral("text/plain")},
        // curl adds this for -d; the step must send what curl sent.
        {QStringLiteral("Content-Type"), QStringLiteral("application/x-www-form-urlencoded")}};
    QCOMPARE(imported->step.headers, headers);
    QCOMPARE(imported->step.method, QStringLiteral("POST"));
    QCOMPARE(imported->step.body, QStringLiteral(R"({"k": "v w"})"));
    QCOMPARE(imported->baseUrl, QStringLiteral("https://api.example.com"));
    QCOMPARE(imported->step.path, QStringLiteral("/"));
}

void TestCurlImport::explicitMethodAndQuery()
{
    QString error;
    const auto imported = importCurl(
        QStringLiteral("curl --request delete 'http://h:9/api/items?id={{id}}&x=%20y#frag'"),
        &error);
    QVERIFY2(imported, qPrintable(error));
    QCOMPARE(imported->step.method, QStringLiteral("DELETE"));
    QCOMPARE(imported->baseUrl, QStringLiteral("http://h:9"));
    QCOMPARE(imported->step.path, QStringLiteral("/api/items?id={{id}}&x=%20y"));
    QCOMPARE(imported->step.name, QStringLiteral("items"));
    QVERIFY(imported->step.body.isEmpty());
}

void TestCurlImport::defaultsAndGluedOptions()
{
    QString error;
    auto imported = importCurl(QStringLiteral("curl localhost:3000/health"), &error);
    QVERIFY2(imported, qPrintable(error));
    QCOMPARE(imported->step.method, QStringLiteral("GET"));
    QCOMPARE(imported->baseUrl, QStringLiteral("http://localhost:3000"));
    QCOMPARE(imported->step.path, QStringLiteral("/health"));

    imported = importCurl(
        QStringLiteral("curl -XPUT -HX-Y:z -u me:pw --json '{}' --url http://h/p"), &error);
    QVERIFY2(imported, qPrintable(error));
    QCOMPARE(imported->step.method, QStringLiteral("PUT"));
    QCOMPARE(imported->step.body, QStringLiteral("{}"));
    const QList<QPair<QString, QString>> headers{
        {QStringLiteral("X-Y"), QStringLiteral("z")},
        {QStringLiteral("Authorization"), QStringLiteral("Basic bWU6cHc=")},
        {QStringLiteral("Content-Type"), QStringLiteral("application/json")},
        {QStringLiteral("Accept"), QStringLiteral("application/json")}};
    QCOMPARE(imported->step.headers, headers);
}

void TestCurlImport::continuationLinesAndBundledFlags()
{
    QString error;
    const auto imported = importCurl(QStringLiteral("curl -sSL \\\n  -d a=1 \\\n  -d b=2 "
                                                    "--compressed http://h/form"),
                                     &error);
    QVERIFY2(imported, qPrintable(error));
    QCOMPARE(imported->step.body, QStringLiteral("a=1&b=2"));
    QCOMPARE(imported->step.method, QStringLiteral("POST"));
    QCOMPARE(imported->ignored,
             QStringList({QStringLiteral("-sSL"), QStringLiteral("--compressed")}));
}

void TestCurlImport::badInput_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("message");
    QTest::newRow("empty") << QString()
                           << QStringLiteral("not a curl command: it must start with \"curl\"");
    QTest::newRow("wget") << QStringLiteral("wget http://h/")
                          << QStringLiteral("not a curl command: it must start with \"curl\"");
    QTest::newRow("no url") << QStringLiteral("curl -X POST")
                            << QStringLiteral("no URL in the curl command");
    QTest::newRow("missing value")
        << QStringLiteral("curl http://h/ -H") << QStringLiteral("option \"-H\" needs a value");
    QTest::newRow("unknown option") << QStringLiteral("curl --frobnicate http://h/")
                                    << QStringLiteral("unsupported curl option \"--frobnicate\"");
    QTest::newRow("bad header") << QStringLiteral("curl -H nocolon http://h/")
                                << QStringLiteral("header \"nocolon\" is not \"Name: value\"");
    QTest::newRow("two urls") << QStringLiteral("curl http://a/ http://b/")
                              << QStringLiteral(
                                     "more than one URL: \"http://a/\" and \"http://b/\"");
    QTest::newRow("ftp") << QStringLiteral("curl ftp://h/file")
                         << QStringLiteral("\"ftp://h/file\" is not an http or https URL");
}

void TestCurlImport::badInput()
{
    QFETCH(QString, command);
    QFETCH(QString, message);
    QString error;
    QVERIFY(!importCurl(command, &error));
    QCOMPARE(error, message);
}

LOADSCOPE_TEST_MAIN(TestCurlImport)
#include "tst_curlimport.moc"
