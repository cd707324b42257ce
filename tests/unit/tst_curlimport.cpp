#include "interop/curlimport.h"
#include "plan/planvalidator.h"
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
    void commands_data();
    void commands();
    void severalCommands();
    void chromeCmdPaste();
    void multilineErrorNamesTheLine();
    void importedStepsValidate();
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
    QCOMPARE(imported->ignored, QStringList({QStringLiteral("-sSL")}));
    // --compressed advertises what curl would accept.
    QCOMPARE(imported->step.headers.first(),
             qMakePair(QStringLiteral("Accept-Encoding"), QStringLiteral("deflate, gzip")));
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

namespace {

//! "Name: value" per header, so that a table row reads like the request curl sends.
QStringList headerLines(const Step &step)
{
    QStringList lines;
    for (const auto &header : step.headers)
        lines.append(header.first + QStringLiteral(": ") + header.second);
    return lines;
}

using Lines = QStringList;

} // namespace

void TestCurlImport::commands_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("method");
    QTest::addColumn<QString>("url"); // base URL + path
    QTest::addColumn<QStringList>("headers");
    QTest::addColumn<QString>("body");
    QTest::addColumn<QString>("bodyFile");
    QTest::addColumn<QStringList>("ignored");
    const QString form = QStringLiteral("application/x-www-form-urlencoded");

    // As Chrome's "Copy as cURL (bash)" writes them.
    QTest::newRow("chrome get")
        << QStringLiteral("curl 'https://api.example.com/v1/orders?page=2' \\\n"
                          "  -H 'accept: application/json, text/plain, */*' \\\n"
                          "  -H 'accept-language: en-US,en;q=0.9' \\\n"
                          "  -b 'sid=abc123; theme=dark' \\\n"
                          "  -H 'user-agent: Mozilla/5.0 (X11; Linux x86_64)' \\\n"
                          "  --compressed")
        << QStringLiteral("GET") << QStringLiteral("https://api.example.com/v1/orders?page=2")
        << Lines{QStringLiteral("accept: application/json, text/plain, */*"),
                 QStringLiteral("accept-language: en-US,en;q=0.9"),
                 QStringLiteral("user-agent: Mozilla/5.0 (X11; Linux x86_64)"),
                 QStringLiteral("Cookie: sid=abc123; theme=dark"),
                 QStringLiteral("Accept-Encoding: deflate, gzip")}
        << QString() << QString() << Lines{};
    QTest::newRow("chrome post json")
        << QStringLiteral("curl 'https://api.example.com/v1/orders' \\\n"
                          "  -H 'content-type: application/json' \\\n"
                          "  --data-raw '{\"item\":\"AAPL\",\"qty\":3}'")
        << QStringLiteral("POST") << QStringLiteral("https://api.example.com/v1/orders")
        << Lines{QStringLiteral("content-type: application/json")}
        << QStringLiteral("{\"item\":\"AAPL\",\"qty\":3}") << QString() << Lines{};
    QTest::newRow("chrome ansi-c body")
        << QStringLiteral("curl 'http://h/api/notes' -H 'content-type: text/plain' --data-raw "
                          "$'line1\\nit\\'s'")
        << QStringLiteral("POST") << QStringLiteral("http://h/api/notes")
        << Lines{QStringLiteral("content-type: text/plain")} << QStringLiteral("line1\nit's")
        << QString() << Lines{};
    QTest::newRow("chrome data-raw at sign is literal")
        << QStringLiteral("curl http://h/a --data-raw '@me'") << QStringLiteral("POST")
        << QStringLiteral("http://h/a") << Lines{QStringLiteral("Content-Type: ") + form}
        << QStringLiteral("@me") << QString() << Lines{};
    QTest::newRow("chrome explicit put")
        << QStringLiteral(
               "curl 'http://h/api/items/7' -X 'PUT' -H 'content-type: application/json' "
               "--data-raw '{}' --insecure")
        << QStringLiteral("PUT") << QStringLiteral("http://h/api/items/7")
        << Lines{QStringLiteral("content-type: application/json")} << QStringLiteral("{}")
        << QString() << Lines{};
    // As Firefox's "Copy as cURL" writes them.
    QTest::newRow("firefox post")
        << QStringLiteral(
               "curl 'https://api.example.com/login' -X POST -H 'User-Agent: Mozilla/5.0' "
               "-H 'Accept: */*' -H 'Accept-Encoding: gzip, deflate, br' "
               "-H 'Content-Type: application/json' -H 'Origin: https://app.example.com' "
               "-H 'Connection: keep-alive' --data-raw '{\"u\":\"a\"}'")
        << QStringLiteral("POST") << QStringLiteral("https://api.example.com/login")
        << Lines{QStringLiteral("User-Agent: Mozilla/5.0"),
                 QStringLiteral("Accept: */*"),
                 QStringLiteral("Accept-Encoding: gzip, deflate, br"),
                 QStringLiteral("Content-Type: application/json"),
                 QStringLiteral("Origin: https://app.example.com"),
                 QStringLiteral("Connection: keep-alive")}
        << QStringLiteral("{\"u\":\"a\"}") << QString() << Lines{};
    QTest::newRow("firefox compressed keeps own accept-encoding")
        << QStringLiteral("curl 'http://h/x' --compressed -H 'Accept-Encoding: br'")
        << QStringLiteral("GET") << QStringLiteral("http://h/x")
        << Lines{QStringLiteral("Accept-Encoding: br")} << QString() << QString() << Lines{};
    // As people write them.
    QTest::newRow("bare host") << QStringLiteral("curl example.com") << QStringLiteral("GET")
                               << QStringLiteral("http://example.com/") << Lines{} << QString()
                               << QString() << Lines{};
    QTest::newRow("-G moves data into the query")
        << QStringLiteral("curl -G -d q=shoes -d 'page=2' http://h/search") << QStringLiteral("GET")
        << QStringLiteral("http://h/search?q=shoes&page=2") << Lines{} << QString() << QString()
        << Lines{};
    QTest::newRow("-G appends to an existing query")
        << QStringLiteral("curl --get http://h/s?a=1 --data-urlencode 'q=red shoes'")
        << QStringLiteral("GET") << QStringLiteral("http://h/s?a=1&q=red%20shoes") << Lines{}
        << QString() << QString() << Lines{};
    QTest::newRow("data-urlencode forms")
        << QStringLiteral("curl http://h/f --data-urlencode 'a=x&y' --data-urlencode '=z z' "
                          "--data-urlencode 'p+q'")
        << QStringLiteral("POST") << QStringLiteral("http://h/f")
        << Lines{QStringLiteral("Content-Type: ") + form} << QStringLiteral("a=x%26y&z%20z&p%2Bq")
        << QString() << Lines{};
    QTest::newRow("data from a file")
        << QStringLiteral("curl -d @payload.json http://h/up") << QStringLiteral("POST")
        << QStringLiteral("http://h/up") << Lines{QStringLiteral("Content-Type: ") + form}
        << QString() << QStringLiteral("payload.json") << Lines{};
    QTest::newRow("data file among pieces is listed")
        << QStringLiteral("curl -d a=1 -d @more.txt http://h/up") << QStringLiteral("POST")
        << QStringLiteral("http://h/up") << Lines{QStringLiteral("Content-Type: ") + form}
        << QStringLiteral("a=1") << QString() << Lines{QStringLiteral("-d @more.txt")};
    QTest::newRow("json option") << QStringLiteral("curl --json '{\"a\":[1]}' http://h/j")
                                 << QStringLiteral("POST") << QStringLiteral("http://h/j")
                                 << Lines{QStringLiteral("Content-Type: application/json"),
                                          QStringLiteral("Accept: application/json")}
                                 << QStringLiteral("{\"a\":[1]}") << QString() << Lines{};
    const QString boundary = QStringLiteral("------------------------loadscope7MA4YWxkTrZu0gW");
    QTest::newRow("multipart form")
        << QStringLiteral("curl -F name=Ada -F 'note=hi;type=text/plain' "
                          "--form-string 'raw=@not-a-file' http://h/forms")
        << QStringLiteral("POST") << QStringLiteral("http://h/forms")
        << Lines{QStringLiteral("Content-Type: multipart/form-data; boundary=") + boundary}
        << (QStringLiteral("--") + boundary +
            QStringLiteral("\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nAda\r\n--") +
            boundary +
            QStringLiteral("\r\nContent-Disposition: form-data; name=\"note\"\r\nContent-Type: "
                           "text/plain\r\n\r\nhi\r\n--") +
            boundary +
            QStringLiteral("\r\nContent-Disposition: form-data; name=\"raw\"\r\n\r\n@not-a-file"
                           "\r\n--") +
            boundary + QStringLiteral("--\r\n"))
        << QString() << Lines{};
    QTest::newRow("form file part is listed")
        << QStringLiteral("curl --form 'photo=@cat.jpg' http://h/up") << QStringLiteral("POST")
        << QStringLiteral("http://h/up")
        << Lines{QStringLiteral("Content-Type: multipart/form-data; boundary=") + boundary}
        << (QStringLiteral("--") + boundary + QStringLiteral("--\r\n")) << QString()
        << Lines{QStringLiteral("--form photo=@cat.jpg")};
    QTest::newRow("cookies joined")
        << QStringLiteral("curl -b a=1 --cookie 'b=2' http://h/c") << QStringLiteral("GET")
        << QStringLiteral("http://h/c") << Lines{QStringLiteral("Cookie: a=1; b=2")} << QString()
        << QString() << Lines{};
    QTest::newRow("cookie file is listed")
        << QStringLiteral("curl -b cookies.txt http://h/c") << QStringLiteral("GET")
        << QStringLiteral("http://h/c") << Lines{} << QString() << QString()
        << Lines{QStringLiteral("-b cookies.txt")};
    QTest::newRow("user agent and referer")
        << QStringLiteral("curl -A 'bot/1.0' -e https://ref.example/ http://h/")
        << QStringLiteral("GET") << QStringLiteral("http://h/")
        << Lines{QStringLiteral("User-Agent: bot/1.0"),
                 QStringLiteral("Referer: https://ref.example/")}
        << QString() << QString() << Lines{};
    QTest::newRow("head") << QStringLiteral("curl -I http://h/health") << QStringLiteral("HEAD")
                          << QStringLiteral("http://h/health") << Lines{} << QString() << QString()
                          << Lines{};
    QTest::newRow("head long and bundled")
        << QStringLiteral("curl -sI --head http://h/health") << QStringLiteral("HEAD")
        << QStringLiteral("http://h/health") << Lines{} << QString() << QString()
        << Lines{QStringLiteral("-sI")};
    QTest::newRow("--url") << QStringLiteral("curl --url 'https://h:8443/a/b?c=d'")
                           << QStringLiteral("GET") << QStringLiteral("https://h:8443/a/b?c=d")
                           << Lines{} << QString() << QString() << Lines{};
    QTest::newRow("user in URL") << QStringLiteral("curl http://me:pw@h/private")
                                 << QStringLiteral("GET") << QStringLiteral("http://h/private")
                                 << Lines{QStringLiteral("Authorization: Basic bWU6cHc=")}
                                 << QString() << QString() << Lines{};
    QTest::newRow("bearer") << QStringLiteral("curl --oauth2-bearer t0k http://h/me")
                            << QStringLiteral("GET") << QStringLiteral("http://h/me")
                            << Lines{QStringLiteral("Authorization: Bearer t0k")} << QString()
                            << QString() << Lines{};
    QTest::newRow("upload file is a PUT")
        << QStringLiteral("curl -T report.csv http://h/files/report.csv") << QStringLiteral("PUT")
        << QStringLiteral("http://h/files/report.csv") << Lines{} << QString()
        << QStringLiteral("report.csv") << Lines{};
    QTest::newRow("range") << QStringLiteral("curl -r 0-99 http://h/big") << QStringLiteral("GET")
                           << QStringLiteral("http://h/big")
                           << Lines{QStringLiteral("Range: bytes=0-99")} << QString() << QString()
                           << Lines{};
    QTest::newRow("options without a plan equivalent are listed")
        << QStringLiteral("curl -o out.json -m 5 --retry 3 -w '%{http_code}' -L -v http://h/x")
        << QStringLiteral("GET") << QStringLiteral("http://h/x") << Lines{} << QString()
        << QString() << Lines{QStringLiteral("-o out.json"), QStringLiteral("-m 5"),
                              QStringLiteral("--retry 3"),   QStringLiteral("-w %{http_code}"),
                              QStringLiteral("-L"),          QStringLiteral("-v")};
    QTest::newRow("header removal and empty header")
        << QStringLiteral("curl -H 'Accept:' -H 'X-Empty;' http://h/") << QStringLiteral("GET")
        << QStringLiteral("http://h/") << Lines{QStringLiteral("X-Empty: ")} << QString()
        << QString() << Lines{QStringLiteral("-H Accept:")};
    QTest::newRow("glued data and method")
        << QStringLiteral("curl -XPATCH -d'{\"a\":2}' -H'Content-Type: application/json' "
                          "http://h/p")
        << QStringLiteral("PATCH") << QStringLiteral("http://h/p")
        << Lines{QStringLiteral("Content-Type: application/json")} << QStringLiteral("{\"a\":2}")
        << QString() << Lines{};
    QTest::newRow("double-quoted json with escapes")
        << QStringLiteral(R"(curl -H "Content-Type: application/json" -d "{\"q\": \"\$HOME\"}" )"
                          R"("http://127.0.0.1:8080/api/signals")")
        << QStringLiteral("POST") << QStringLiteral("http://127.0.0.1:8080/api/signals")
        << Lines{QStringLiteral("Content-Type: application/json")}
        << QStringLiteral(R"({"q": "$HOME"})") << QString() << Lines{};
    QTest::newRow("https default port kept out, path variables kept")
        << QStringLiteral("curl 'https://h/users/{{id}}/orders?x=%2F'") << QStringLiteral("GET")
        << QStringLiteral("https://h/users/{{id}}/orders?x=%2F") << Lines{} << QString()
        << QString() << Lines{};
    QTest::newRow("delete with options after the URL")
        << QStringLiteral("curl http://h/items/3 -X DELETE -H 'Authorization: Bearer x'")
        << QStringLiteral("DELETE") << QStringLiteral("http://h/items/3")
        << Lines{QStringLiteral("Authorization: Bearer x")} << QString() << QString() << Lines{};
    QTest::newRow("insecure bundled")
        << QStringLiteral("curl -ks https://self-signed.local/") << QStringLiteral("GET")
        << QStringLiteral("https://self-signed.local/") << Lines{} << QString() << QString()
        << Lines{QStringLiteral("-ks")};
    QTest::newRow("comment line and trailing whitespace")
        << QStringLiteral("# health check\ncurl http://h/api/health   \n") << QStringLiteral("GET")
        << QStringLiteral("http://h/api/health") << Lines{} << QString() << QString() << Lines{};
}

void TestCurlImport::commands()
{
    QFETCH(QString, command);
    QFETCH(QString, method);
    QFETCH(QString, url);
    QFETCH(QStringList, headers);
    QFETCH(QString, body);
    QFETCH(QString, bodyFile);
    QFETCH(QStringList, ignored);
    QString error;
    const auto imported = importCurl(command, &error);
    QVERIFY2(imported, qPrintable(error));
    QCOMPARE(imported->step.method, method);
    QCOMPARE(imported->baseUrl + imported->step.path, url);
    QCOMPARE(headerLines(imported->step), headers);
    QCOMPARE(imported->step.body, body);
    QCOMPARE(imported->step.bodyFile, bodyFile);
    QCOMPARE(imported->ignored, ignored);
}

void TestCurlImport::severalCommands()
{
    QString error;
    const auto imported = importCurlCommands(
        QStringLiteral("curl -X POST http://h/api/login -d 'u=a' && curl http://h/api/cart\n"
                       "curl -s \\\n  http://h/api/checkout; curl -I http://h/api/health\n\n"),
        &error);
    QVERIFY2(imported, qPrintable(error));
    QCOMPARE(imported->size(), 4);
    QCOMPARE(imported->at(0).step.path, QStringLiteral("/api/login"));
    QCOMPARE(imported->at(0).step.method, QStringLiteral("POST"));
    QCOMPARE(imported->at(0).step.body, QStringLiteral("u=a"));
    QCOMPARE(imported->at(1).step.path, QStringLiteral("/api/cart"));
    QCOMPARE(imported->at(2).step.path, QStringLiteral("/api/checkout"));
    QCOMPARE(imported->at(2).ignored, QStringList{QStringLiteral("-s")});
    QCOMPARE(imported->at(3).step.method, QStringLiteral("HEAD"));

    // One command alone is not several: importCurl refuses a paste of two.
    QVERIFY(!importCurl(QStringLiteral("curl http://h/a && curl http://h/b"), &error));
    QCOMPARE(error, QStringLiteral("the text holds 2 commands, not one"));
    // The failing command is named.
    QVERIFY(
        !importCurlCommands(QStringLiteral("curl http://h/a\ncurl --bogus http://h/b"), &error));
    QCOMPARE(error, QStringLiteral("command 2: unsupported curl option \"--bogus\""));
}

void TestCurlImport::chromeCmdPaste()
{
    // Chrome's "Copy as cURL (cmd)": every word in ^"...^", cmd escapes, ^ continuations.
    const QString paste = QStringLiteral(
        "curl ^\"https://api.example.com/v1/search?q=a^&b=1^\" ^\r\n"
        "  -H ^\"accept: */*^\" ^\r\n"
        "  -H ^\"content-type: application/json^\" ^\r\n"
        "  --data-raw ^\"^{^\\^\"q^\\^\":^\\^\"x y^\\^\",^\\^\"pct^\\^\":^\\^\"50%^\\^\"^}^\" ^\r\n"
        "  --compressed");
    QString error;
    const auto imported = importCurlCommands(paste, &error);
    QVERIFY2(imported, qPrintable(error));
    QCOMPARE(imported->size(), 1);
    const CurlImport &one = imported->first();
    QCOMPARE(one.baseUrl + one.step.path,
             QStringLiteral("https://api.example.com/v1/search?q=a&b=1"));
    QCOMPARE(one.step.method, QStringLiteral("POST"));
    QCOMPARE(one.step.body, QStringLiteral(R"({"q":"x y","pct":"50%"})"));
    QCOMPARE(headerLines(one.step),
             (Lines{QStringLiteral("accept: */*"), QStringLiteral("content-type: application/json"),
                    QStringLiteral("Accept-Encoding: deflate, gzip")}));
}

void TestCurlImport::multilineErrorNamesTheLine()
{
    QString error;
    QVERIFY(!importCurlCommands(QStringLiteral("curl http://h/a\ncurl -d 'x http://h/b"), &error));
    QCOMPARE(error, QStringLiteral("unbalanced single quote at line 2, column 9"));
}

void TestCurlImport::importedStepsValidate()
{
    // The steps of a real paste make a plan the validator accepts as it is.
    QString error;
    const auto imported = importCurlCommands(
        QStringLiteral("curl -G -d q=1 http://h/a\ncurl -F x=1 http://h/b\n"
                       "curl --json '{}' -b s=1 --compressed http://h/c\ncurl -I http://h/d"),
        &error);
    QVERIFY2(imported, qPrintable(error));
    TestPlan plan;
    plan.name = QStringLiteral("pasted");
    for (const CurlImport &one : *imported) {
        Step step = one.step;
        step.path = one.baseUrl + step.path;
        plan.steps.append(step);
    }
    QCOMPARE(planErrors(plan), QStringList());
}

LOADSCOPE_TEST_MAIN(TestCurlImport)
#include "tst_curlimport.moc"
