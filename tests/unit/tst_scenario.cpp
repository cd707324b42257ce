#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>

#include "engine/scenario.h"
#include "testmain.h"

using namespace loadscope;

namespace {

//! A one-step plan whose step the test then fills in.
TestPlan planWith(const Step &step)
{
    TestPlan plan;
    plan.steps = {step};
    return plan;
}

//! Compiles @p step for a loopback base URL; fails the test (returns empty) on error.
CompiledStep compiled(const Step &step,
                      const QString &baseUrl = QStringLiteral("http://127.0.0.1:8080"))
{
    const TestPlan plan = planWith(step);
    QString error;
    const auto steps = compileSteps(plan, baseUrl, endpointNames(plan), &error);
    if (!steps || steps->size() != 1) {
        qWarning("compileSteps failed: %s", qPrintable(error));
        return {};
    }
    return steps->first();
}

HttpResult response(int status, const QByteArray &body,
                    const QList<QPair<QByteArray, QByteArray>> &headers = {})
{
    HttpResult result;
    result.status = status;
    result.body = body;
    result.headers = headers;
    return result;
}

Check check(Check::Kind kind)
{
    Check c;
    c.kind = kind;
    return c;
}

Extraction extraction(const QString &name, Extraction::Source source, const QString &expression,
                      int group = 1)
{
    Extraction e;
    e.name = name;
    e.source = source;
    e.expression = expression;
    e.group = group;
    return e;
}

} // namespace

class TestScenario : public QObject
{
    Q_OBJECT

private:
    //! Writes @p bytes to a file in the test's temporary folder and returns its path.
    QString writeFile(const QString &name, const QByteArray &bytes)
    {
        const QString path = m_dir.filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return QString();
        file.write(bytes);
        return path;
    }

    QTemporaryDir m_dir;

private slots:
    void substituteTemplates_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("none") << "/api/x"
                              << "/api/x";
        QTest::newRow("one") << "/u/{{user}}"
                             << "/u/alice";
        QTest::newRow("several and repeated") << "{{user}}:{{token}}:{{user}}"
                                              << "alice:abc123:alice";
        QTest::newRow("spaces inside braces") << "Bearer {{ token }}"
                                              << "Bearer abc123";
        QTest::newRow("unknown kept") << "/u/{{nobody}}/x"
                                      << "/u/{{nobody}}/x";
        QTest::newRow("unterminated kept") << "/u/{{user"
                                           << "/u/{{user";
        QTest::newRow("empty value") << "[{{empty}}]"
                                     << "[]";
        QTest::newRow("json body") << "{\"t\":\"{{token}}\"}"
                                   << "{\"t\":\"abc123\"}";
        QTest::newRow("value not re-expanded") << "{{recursive}}"
                                               << "{{user}}";
    }

    void substituteTemplates()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        const VariableMap variables{{QStringLiteral("user"), QStringLiteral("alice")},
                                    {QStringLiteral("token"), QStringLiteral("abc123")},
                                    {QStringLiteral("empty"), QString()},
                                    {QStringLiteral("recursive"), QStringLiteral("{{user}}")}};
        QCOMPARE(loadscope::substituteTemplates(text, variables), expected);
    }

    void resolveJsonPointer()
    {
        const QJsonObject root{
            {QStringLiteral("a"), QJsonObject{{QStringLiteral("b"), 7}}},
            {QStringLiteral("list"),
             QJsonArray{10, QJsonObject{{QStringLiteral("id"), QStringLiteral("x")}}}},
            {QStringLiteral("a/b"), 1},
            {QStringLiteral("m~n"), 2},
            {QStringLiteral("~1"), 3},
            {QString(), 4},
        };
        using loadscope::resolveJsonPointer;
        QCOMPARE(resolveJsonPointer(root, QString()).value(), QJsonValue(root));
        QCOMPARE(resolveJsonPointer(root, QStringLiteral("/a/b")).value(), QJsonValue(7));
        QCOMPARE(resolveJsonPointer(root, QStringLiteral("/list/0")).value(), QJsonValue(10));
        QCOMPARE(resolveJsonPointer(root, QStringLiteral("/list/1/id")).value(),
                 QJsonValue(QStringLiteral("x")));
        // RFC 6901 escapes: ~1 is "/", ~0 is "~", and "~01" is the literal "~1" (not "/").
        QCOMPARE(resolveJsonPointer(root, QStringLiteral("/a~1b")).value(), QJsonValue(1));
        QCOMPARE(resolveJsonPointer(root, QStringLiteral("/m~0n")).value(), QJsonValue(2));
        QCOMPARE(resolveJsonPointer(root, QStringLiteral("/~01")).value(), QJsonValue(3));
        QCOMPARE(resolveJsonPointer(root, QStringLiteral("/")).value(), QJsonValue(4));

        QVERIFY(!resolveJsonPointer(root, QStringLiteral("/missing")));
        QVERIFY(!resolveJsonPointer(root, QStringLiteral("/a/b/c"))); // into a number
        QVERIFY(!resolveJsonPointer(root, QStringLiteral("/list/2")));
        QVERIFY(!resolveJsonPointer(root, QStringLiteral("/list/-1")));
        QVERIFY(!resolveJsonPointer(root, QStringLiteral("/list/x")));
        QVERIFY(!resolveJsonPointer(root, QStringLiteral("a"))); // no leading slash
        QVERIFY(!resolveJsonPointer(QJsonValue(QJsonValue::Undefined), QStringLiteral("/a")));
    }

    void jsonValueText_data()
    {
        QTest::addColumn<QJsonValue>("value");
        QTest::addColumn<QString>("expected");
        QTest::newRow("string") << QJsonValue(QStringLiteral("abc")) << "abc";
        QTest::newRow("integer") << QJsonValue(3.0) << "3";
        QTest::newRow("negative integer") << QJsonValue(-42) << "-42";
        QTest::newRow("large integer") << QJsonValue(1234567890123.0) << "1234567890123";
        QTest::newRow("fraction") << QJsonValue(2.5) << "2.5";
        QTest::newRow("shortest fraction") << QJsonValue(0.1) << "0.1";
        QTest::newRow("true") << QJsonValue(true) << "true";
        QTest::newRow("false") << QJsonValue(false) << "false";
        QTest::newRow("null") << QJsonValue(QJsonValue::Null) << "null";
        QTest::newRow("object") << QJsonValue(QJsonObject{{QStringLiteral("k"), 1}}) << "{\"k\":1}";
        QTest::newRow("array") << QJsonValue(QJsonArray{1, QStringLiteral("a")}) << "[1,\"a\"]";
        QTest::newRow("undefined") << QJsonValue(QJsonValue::Undefined) << "";
    }

    void jsonValueText()
    {
        QFETCH(QJsonValue, value);
        QFETCH(QString, expected);
        QCOMPARE(loadscope::jsonValueText(value), expected);
    }

    void statusCheck()
    {
        Step step;
        step.path = QStringLiteral("/x");
        Check c = check(Check::Kind::Status);
        c.status = 201;
        step.checks = {c};
        const CompiledStep s = compiled(step);
        QVERIFY(!s.captureResponse); // a status check needs neither headers nor body
        VariableMap vars;
        StepOutcome out = evaluateStep(s, response(201, {}), vars);
        QCOMPARE(out.checksPassed, 1);
        QCOMPARE(out.checksFailed, 0);
        QVERIFY(out.firstFailure.isEmpty());
        out = evaluateStep(s, response(200, {}), vars);
        QCOMPARE(out.checksPassed, 0);
        QCOMPARE(out.checksFailed, 1);
        QVERIFY2(out.firstFailure.contains(QLatin1String("200")) &&
                     out.firstFailure.contains(QLatin1String("201")),
                 qPrintable(out.firstFailure));
    }

    void bodyContainsCheck()
    {
        Step step;
        step.path = QStringLiteral("/x");
        Check c = check(Check::Kind::BodyContains);
        c.text = QStringLiteral("\"ok\":true");
        step.checks = {c};
        const CompiledStep s = compiled(step);
        QVERIFY(s.captureResponse);
        VariableMap vars;
        QCOMPARE(evaluateStep(s, response(200, "{\"ok\":true}"), vars).checksPassed, 1);
        const StepOutcome out = evaluateStep(s, response(200, "{\"ok\":false}"), vars);
        QCOMPARE(out.checksFailed, 1);
        QVERIFY2(out.firstFailure.contains(c.text), qPrintable(out.firstFailure));
    }

    void jsonPointerChecks()
    {
        Step step;
        step.path = QStringLiteral("/x");
        Check exists = check(Check::Kind::JsonPointerExists);
        exists.pointer = QStringLiteral("/data/id");
        Check equalsString = check(Check::Kind::JsonPointerEquals);
        equalsString.pointer = QStringLiteral("/status");
        equalsString.value = QStringLiteral("ok");
        Check equalsNumber = check(Check::Kind::JsonPointerEquals);
        equalsNumber.pointer = QStringLiteral("/count");
        equalsNumber.value = 3; // an int compares equal to the parsed double 3.0
        step.checks = {exists, equalsString, equalsNumber};
        const CompiledStep s = compiled(step);
        VariableMap vars;

        StepOutcome out = evaluateStep(
            s, response(200, "{\"status\":\"ok\",\"count\":3.0,\"data\":{\"id\":null}}"), vars);
        QCOMPARE(out.checksPassed, 3);
        QCOMPARE(out.checksFailed, 0);

        out = evaluateStep(s, response(200, "{\"status\":\"degraded\",\"count\":4}"), vars);
        QCOMPARE(out.checksPassed, 0);
        QCOMPARE(out.checksFailed, 3);
        QVERIFY2(out.firstFailure.contains(QLatin1String("/data/id")),
                 qPrintable(out.firstFailure));

        // A body that is not JSON fails every JSON check instead of crashing.
        out = evaluateStep(s, response(200, "<html>"), vars);
        QCOMPARE(out.checksFailed, 3);

        // The string "3" is not the number 3.
        out = evaluateStep(
            s, response(200, "{\"status\":\"ok\",\"count\":\"3\",\"data\":{\"id\":1}}"), vars);
        QCOMPARE(out.checksPassed, 2);
        QCOMPARE(out.checksFailed, 1);
        QVERIFY2(out.firstFailure.contains(QLatin1String("/count")), qPrintable(out.firstFailure));
    }

    void extractions()
    {
        Step step;
        step.path = QStringLiteral("/x");
        step.extractions = {
            extraction(QStringLiteral("token"), Extraction::Source::JsonPointer,
                       QStringLiteral("/auth/token")),
            extraction(QStringLiteral("obj"), Extraction::Source::JsonPointer,
                       QStringLiteral("/auth")),
            extraction(QStringLiteral("num"), Extraction::Source::JsonPointer,
                       QStringLiteral("/n")),
            extraction(QStringLiteral("reqId"), Extraction::Source::Header,
                       QStringLiteral("x-request-id")),
            extraction(QStringLiteral("order"), Extraction::Source::Regex,
                       QStringLiteral("order=(\\d+)")),
            extraction(QStringLiteral("whole"), Extraction::Source::Regex,
                       QStringLiteral("order=\\d+"), 0),
        };
        const CompiledStep s = compiled(step);
        QVERIFY(s.captureResponse);
        QCOMPARE(s.extractionRegexes.size(), 6);

        VariableMap vars{{QStringLiteral("keep"), QStringLiteral("1")}};
        const QByteArray body = "{\"auth\":{\"token\":\"abc123\"},\"n\":42,\"note\":\"order=977\"}";
        StepOutcome out = evaluateStep(
            s, response(200, body, {{"X-Request-Id", "r-9"}, {"Content-Type", "application/json"}}),
            vars);
        QCOMPARE(out.checksFailed, 0);
        QCOMPARE(out.checksPassed, 6); // an extraction counts as a check, passed or failed
        QCOMPARE(vars.value(QStringLiteral("token")), QStringLiteral("abc123"));
        QCOMPARE(vars.value(QStringLiteral("obj")), QStringLiteral("{\"token\":\"abc123\"}"));
        QCOMPARE(vars.value(QStringLiteral("num")), QStringLiteral("42"));
        QCOMPARE(vars.value(QStringLiteral("reqId")), QStringLiteral("r-9")); // case-insensitive
        QCOMPARE(vars.value(QStringLiteral("order")), QStringLiteral("977"));
        QCOMPARE(vars.value(QStringLiteral("whole")), QStringLiteral("order=977"));
        QCOMPARE(vars.value(QStringLiteral("keep")), QStringLiteral("1"));

        // Nothing found: each extraction counts as a failed check and its stale value goes, so
        // a later step does not silently reuse the previous iteration's token.
        out = evaluateStep(s, response(200, "{}"), vars);
        QCOMPARE(out.checksFailed, 6);
        QCOMPARE(out.checksPassed, 0);
        QVERIFY2(out.firstFailure.contains(QLatin1String("token")), qPrintable(out.firstFailure));
        QVERIFY(!vars.contains(QStringLiteral("token")));
        QVERIFY(!vars.contains(QStringLiteral("reqId")));
        QVERIFY(!vars.contains(QStringLiteral("order")));
        QCOMPARE(vars.value(QStringLiteral("keep")), QStringLiteral("1"));
    }

    void compileTemplatedAndFixedSteps()
    {
        Step fixed;
        fixed.name = QStringLiteral("fixed");
        fixed.method = QStringLiteral("POST");
        fixed.path = QStringLiteral("/api/x?q=1");
        fixed.body = QStringLiteral("{\"a\":1}");
        Step templated;
        templated.name = QStringLiteral("templated");
        templated.path = QStringLiteral("/u/{{user}}");
        Step header;
        header.name = QStringLiteral("header");
        header.path = QStringLiteral("/h");
        header.headers = {{QStringLiteral("Authorization"), QStringLiteral("Bearer {{token}}")}};
        Step body;
        body.name = QStringLiteral("body");
        body.method = QStringLiteral("POST");
        body.path = QStringLiteral("/b");
        body.body = QStringLiteral("{\"t\":\"{{token}}\"}");
        TestPlan plan;
        plan.steps = {fixed, templated, header, body, fixed};
        const QStringList names = endpointNames(plan);
        QCOMPARE(names, QStringList({QStringLiteral("fixed"), QStringLiteral("templated"),
                                     QStringLiteral("header"), QStringLiteral("body")}));
        QString error;
        const auto steps =
            compileSteps(plan, QStringLiteral("http://127.0.0.1:9/base/"), names, &error);
        QVERIFY2(steps, qPrintable(error));
        QCOMPARE(steps->size(), 5);
        QCOMPARE((*steps)[0].target, QByteArray("/base/api/x?q=1")); // base URL path kept
        QCOMPARE((*steps)[0].body, QByteArray("{\"a\":1}"));
        QVERIFY(!(*steps)[0].templated);
        QVERIFY((*steps)[1].templated);
        QVERIFY((*steps)[2].templated);
        QVERIFY((*steps)[3].templated);
        QCOMPARE((*steps)[4].endpoint, 0); // same name, same endpoint

        const VariableMap vars{{QStringLiteral("user"), QStringLiteral("alice")},
                               {QStringLiteral("token"), QStringLiteral("abc123")}};
        QCOMPARE((*steps)[1].requestFor(vars).target, QByteArray("/base/u/alice"));
        const HttpRequestData h = (*steps)[2].requestFor(vars);
        QCOMPARE(h.headers.value(0).second, QByteArray("Bearer abc123"));
        bool userAgent = false;
        for (const auto &pair : h.headers)
            userAgent = userAgent || pair.first == "User-Agent";
        QVERIFY(userAgent);
        QCOMPARE((*steps)[3].requestFor(vars).body, QByteArray("{\"t\":\"abc123\"}"));
        QCOMPARE((*steps)[3].requestFor(vars).method, QByteArray("POST"));
    }

    void compileAbsoluteUrls()
    {
        Step same;
        same.path = QStringLiteral("http://127.0.0.1:8080/api/health?full=1");
        QCOMPARE(compiled(same).target, QByteArray("/api/health?full=1"));

        // A template in an absolute URL's path is still a template.
        Step templated;
        templated.path = QStringLiteral("http://127.0.0.1:8080/u/{{user}}");
        const CompiledStep t = compiled(templated);
        QVERIFY(t.templated);
        QCOMPARE(t.requestFor({{QStringLiteral("user"), QStringLiteral("bob")}}).target,
                 QByteArray("/u/bob"));

        Step other;
        other.path = QStringLiteral("http://example.invalid:8080/x");
        TestPlan plan;
        plan.steps = {same, other};
        QString error;
        QVERIFY(!compileSteps(plan, QStringLiteral("http://127.0.0.1:8080"), endpointNames(plan),
                              &error));
        QVERIFY2(error.startsWith(QLatin1String("steps[1].path")), qPrintable(error));
        QVERIFY2(error.contains(QLatin1String("example.invalid")), qPrintable(error));

        // Same host, other port: also another target.
        Step otherPort;
        otherPort.path = QStringLiteral("http://127.0.0.1:8081/x");
        plan.steps = {otherPort};
        QVERIFY(!compileSteps(plan, QStringLiteral("http://127.0.0.1:8080"), endpointNames(plan),
                              &error));
        QVERIFY2(error.startsWith(QLatin1String("steps[0].path")), qPrintable(error));
    }

    void substitutedLineBreaksAreRefused()
    {
        Step step;
        step.path = QStringLiteral("/u/{{id}}");
        step.headers = {{QStringLiteral("X-Token"), QStringLiteral("Bearer {{token}}")}};
        const CompiledStep c = compiled(step);
        QVERIFY(c.templated);
        HttpRequestData ok = c.requestFor({{QStringLiteral("id"), QStringLiteral("7")},
                                           {QStringLiteral("token"), QStringLiteral("abc")}});
        QVERIFY(ok.refusal.isEmpty());
        QVERIFY(requestDefect(ok).isEmpty());

        const HttpRequestData badHeader =
            c.requestFor({{QStringLiteral("id"), QStringLiteral("7")},
                          {QStringLiteral("token"), QStringLiteral("abc\r\nX-Injected: yes")}});
        QCOMPARE(badHeader.refusal,
                 QStringLiteral("header X-Token: the value of {{token}} holds a CR, LF or NUL "
                                "character; request not sent"));
        const HttpRequestData badPath =
            c.requestFor({{QStringLiteral("id"), QStringLiteral("7\nGET /x")},
                          {QStringLiteral("token"), QStringLiteral("abc")}});
        QCOMPARE(badPath.refusal, QStringLiteral("path: the value of {{id}} holds a CR, LF or "
                                                 "NUL character; request not sent"));
        const HttpRequestData nul = c.requestFor({{QStringLiteral("id"), QStringLiteral("7")},
                                                  {QStringLiteral("token"), QString(QChar(0))}});
        QVERIFY(nul.refusal.contains(QLatin1String("{{token}}")));
        QCOMPARE(requestDefect(nul), nul.refusal);
    }

    void literalUnsafePartsAreRefusedAtCompile()
    {
        QString error;
        Step path;
        path.path = QStringLiteral("/a b HTTP/1.0\r\nX-Evil: 1");
        TestPlan plan = planWith(path);
        QVERIFY(
            !compileSteps(plan, QStringLiteral("http://127.0.0.1:1"), endpointNames(plan), &error));
        QVERIFY2(error.startsWith(QLatin1String("steps[0].path: holds a CR, LF or NUL")),
                 qPrintable(error));
        Step method;
        method.path = QStringLiteral("/");
        method.method = QStringLiteral("GET / HTTP/1.1\r\n");
        plan = planWith(method);
        QVERIFY(
            !compileSteps(plan, QStringLiteral("http://127.0.0.1:1"), endpointNames(plan), &error));
        QVERIFY2(error.startsWith(QLatin1String("steps[0].method")), qPrintable(error));
    }

    void fixedPathsArePercentEncoded_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("target");
        QTest::newRow("as is") << QStringLiteral("/a/b?x=1&y=2") << QByteArray("/a/b?x=1&y=2");
        QTest::newRow("escapes kept")
            << QStringLiteral("/a%20b?q=%2F") << QByteArray("/a%20b?q=%2F");
        QTest::newRow("space") << QStringLiteral("/a b") << QByteArray("/a%20b");
        QTest::newRow("non-ASCII") << QStringLiteral("/caf\u00e9") << QByteArray("/caf%C3%A9");
        QTest::newRow("quotes and brackets")
            << QStringLiteral("/x\"<>{}|\\^`") << QByteArray("/x%22%3C%3E%7B%7D%7C%5C%5E%60");
        QTest::newRow("sub-delims")
            << QStringLiteral("/a:b@c!$&'()*+,;=") << QByteArray("/a:b@c!$&'()*+,;=");
    }

    void fixedPathsArePercentEncoded()
    {
        QFETCH(QString, path);
        QFETCH(QByteArray, target);
        Step step;
        step.path = path;
        QCOMPARE(compiled(step).target, target);
        QCOMPARE(encodeRequestTarget(target), target); // encoding twice changes nothing
    }

    void compileBodyFiles()
    {
        QVERIFY(m_dir.isValid());
        Step step;
        step.method = QStringLiteral("POST");
        step.path = QStringLiteral("/p");
        step.bodyFile = writeFile(QStringLiteral("body.json"), "{\"symbol\":\"{{sym}}\"}");
        const CompiledStep s = compiled(step);
        QVERIFY(s.templated);
        QCOMPARE(s.requestFor({{QStringLiteral("sym"), QStringLiteral("AAPL")}}).body,
                 QByteArray("{\"symbol\":\"AAPL\"}"));

        Step missing = step;
        missing.bodyFile = m_dir.filePath(QStringLiteral("nope.json"));
        TestPlan plan;
        plan.steps = {step, missing};
        QString error;
        QVERIFY(
            !compileSteps(plan, QStringLiteral("http://127.0.0.1:1"), endpointNames(plan), &error));
        QVERIFY2(error.startsWith(QLatin1String("steps[1].bodyFile")), qPrintable(error));
        QVERIFY2(error.contains(QLatin1String("nope.json")), qPrintable(error));
    }

    void readDataFileParsesCsv()
    {
        const QString path =
            writeFile(QStringLiteral("users.csv"), "user,password,note\r\n"
                                                   "alice,\"p,w\",plain\r\n"
                                                   "\r\n"
                                                   "bob,\"say \"\"hi\"\"\",\"two\nlines\"\n"
                                                   "carol,,last");
        QString error;
        const auto rows = readDataFile(path, &error);
        QVERIFY2(rows, qPrintable(error));
        QCOMPARE(rows->size(), 3);
        QCOMPARE(rows->at(0).value(QStringLiteral("user")), QStringLiteral("alice"));
        QCOMPARE(rows->at(0).value(QStringLiteral("password")), QStringLiteral("p,w"));
        QCOMPARE(rows->at(0).value(QStringLiteral("note")), QStringLiteral("plain"));
        QCOMPARE(rows->at(1).value(QStringLiteral("password")), QStringLiteral("say \"hi\""));
        QCOMPARE(rows->at(1).value(QStringLiteral("note")), QStringLiteral("two\nlines"));
        QCOMPARE(rows->at(2).value(QStringLiteral("user")), QStringLiteral("carol"));
        QCOMPARE(rows->at(2).value(QStringLiteral("password")), QString());
        QCOMPARE(rows->at(2).value(QStringLiteral("note")), QStringLiteral("last"));
    }

    void readDataFileWithByteOrderMark()
    {
        // Spreadsheet programs write a UTF-8 byte order mark; it is not part of the first name.
        const QString path = writeFile(QStringLiteral("bom.csv"), "\xEF\xBB\xBFuser\nalice\n");
        QString error;
        const auto rows = readDataFile(path, &error);
        QVERIFY2(rows, qPrintable(error));
        QCOMPARE(rows->size(), 1);
        QCOMPARE(rows->at(0).value(QStringLiteral("user")), QStringLiteral("alice"));
    }

    void readDataFileErrors_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expected");
        QTest::newRow("field count")
            << QByteArray("a,b\n1,2\n3\n") << ":3: 1 fields, the header has 2";
        QTest::newRow("field count after blank and CRLF")
            << QByteArray("a,b\r\n1,2\r\n\r\n3,4,5\r\n") << ":4: 3 fields";
        QTest::newRow("unterminated quote") << QByteArray("a\n1\n\"open\n") << ":3: unterminated";
        QTest::newRow("line after a quoted line break")
            << QByteArray("a,b\n\"x\ny\",2\n3\n") << ":4: 1 fields";
        QTest::newRow("empty file") << QByteArray() << "has no header row";
        QTest::newRow("header only") << QByteArray("a,b\n") << "has no data rows";
    }

    void readDataFileErrors()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, expected);
        const QString path = writeFile(QStringLiteral("bad.csv"), content);
        QString error;
        QVERIFY(!readDataFile(path, &error));
        QVERIFY2(error.startsWith(QLatin1String("dataFile: ")), qPrintable(error));
        QVERIFY2(error.contains(path), qPrintable(error));
        QVERIFY2(error.contains(expected), qPrintable(error));
    }

    void readDataFileMissing()
    {
        QString error;
        const QString path = m_dir.filePath(QStringLiteral("absent.csv"));
        QVERIFY(!readDataFile(path, &error));
        QVERIFY2(error.contains(path) && error.startsWith(QLatin1String("dataFile: cannot read")),
                 qPrintable(error));
    }
};

LOADSCOPE_TEST_MAIN(TestScenario)
#include "tst_scenario.moc"
