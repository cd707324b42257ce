#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QTemporaryDir>

#include "testmain.h"
#include "testsupport.h"

// Every command of README.md's "Command line" and "REST API" sections, read from the README at
// test time, runs as written against loopback and ends as the README says. The rules that make
// a command runnable here, applied in this order:
//
//  1. Set-up lines of the REST section (`loadscope-cli serve &`, `TOKEN=...`, `API=...`) are
//     what this test does itself: it starts `loadscope-cli serve --port=0 --token=T` with a
//     temporary database and runs each curl command through /bin/sh with $TOKEN and $API set.
//  2. Usage lines (with `[...]`, `|`, an upper-case placeholder such as ID, or bare `--flag`
//     names) are not run: `loadscope-cli <command> --help` must exit 0 and list every flag the
//     line names.
//  3. `demo` and `serve` start servers: each is started with --port=0 and must say it listens
//     on 127.0.0.1; `serve` must then exit 0 on SIGTERM, `demo` (given --duration=2) by itself.
//  4. Other `loadscope-cli` commands run in a temporary folder with LOADSCOPE_DB set to a
//     temporary file; `--duration=N` becomes 2 s (a run without it gets --duration=2). They
//     must exit 0 (the README's "passed"); an --output-file must be written.
//  5. curl commands: a body's "duration" becomes 2 (seconds) or "1s" (k6 strings); `/tests/N`
//     is the N-th test the examples created and `/results/N` the run the last start example
//     started; `@FILE.json` is the README's plan example ("Test plans") written to FILE.json.
//     Before a start, the previous run is waited for (one run at a time, README's 409). The
//     status must be one the Endpoints table gives for that method and path (200 where it
//     gives none), and a `# {...}` answer comment under a command must match the answer's
//     keys and status. Every run the examples start must complete without a failed request.
//
// A README command that fits none of these fails the test, so a new example is either runnable
// or given a rule here, never skipped silently.

using namespace loadscope;

namespace {

struct Command
{
    QString text;    //!< as in the README, continuation lines joined with '\n'
    QString comment; //!< a "# ..." line right under it (the answer it shows)
    QString section;
    int line = 0;
};

struct ShellResult
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

const QString kToken = QStringLiteral("readme-examples-token-0123456789abcdef");

QStringList sectionLines(const QStringList &lines, const QString &heading, int *first)
{
    int start = -1;
    for (int i = 0; i < lines.size(); ++i) {
        if (lines[i].startsWith(heading)) {
            start = i + 1;
            break;
        }
    }
    if (start < 0)
        return {};
    int end = start;
    while (end < lines.size() && !lines[end].startsWith(QLatin1String("## ")))
        ++end;
    *first = start + 1; // 1-based line numbers
    return lines.mid(start, end - start);
}

//! Updates the shell quote state over @p line.
void trackQuotes(const QString &line, bool *single, bool *dbl)
{
    for (qsizetype i = 0; i < line.size(); ++i) {
        const QChar c = line[i];
        if (c == u'\\' && !*single) {
            ++i;
        } else if (c == u'\'' && !*dbl) {
            *single = !*single;
        } else if (c == u'"' && !*single) {
            *dbl = !*dbl;
        }
    }
}

//! The commands of one README section: code-block commands (joined over continuation lines,
//! open quotes and indented lines) and inline `loadscope-cli ...` spans; json blocks go to
//! @p jsonBlocks.
QList<Command> commandsOf(const QStringList &lines, int firstLine, const QString &section,
                          QStringList *jsonBlocks)
{
    QList<Command> out;
    bool inBlock = false;
    QString language;
    QString json;
    QString prose;
    Command current;
    bool single = false;
    bool dbl = false;
    const auto flush = [&] {
        if (!current.text.trimmed().isEmpty())
            out.append(current);
        current = Command{};
        current.section = section;
    };
    for (int i = 0; i < lines.size(); ++i) {
        const QString &line = lines[i];
        if (line.startsWith(QLatin1String("```"))) {
            if (inBlock) {
                flush();
                if (language == QLatin1String("json"))
                    jsonBlocks->append(json);
                json.clear();
            }
            inBlock = !inBlock;
            language = line.mid(3).trimmed();
            single = dbl = false;
            continue;
        }
        if (!inBlock) {
            prose += line + u'\n';
            continue;
        }
        if (language == QLatin1String("json")) {
            json += line + u'\n';
            continue;
        }
        const bool continues =
            !current.text.isEmpty() && (single || dbl || current.text.endsWith(u'\\') ||
                                        (!line.isEmpty() && line.front().isSpace()));
        if (continues) {
            current.text += u'\n' + line;
        } else if (line.trimmed().startsWith(u'#')) {
            if (!out.isEmpty() && current.text.isEmpty())
                out.last().comment = line.trimmed().mid(1).trimmed();
            else
                current.comment = line.trimmed().mid(1).trimmed();
            flush();
            continue;
        } else if (!line.trimmed().isEmpty()) {
            flush();
            current.text = line;
            current.line = firstLine + i;
        }
        trackQuotes(line, &single, &dbl);
    }
    flush();
    // Inline spans may wrap over a line break in Markdown.
    static const QRegularExpression span(QStringLiteral("`(loadscope-cli [^`]+)`"));
    for (auto it = span.globalMatch(prose); it.hasNext();) {
        Command inline_;
        inline_.text = it.next().captured(1).simplified();
        inline_.section = section + QStringLiteral(" (inline)");
        out.append(inline_);
    }
    return out;
}

//! Says which rule checked a command, so that a run's log lists every README command.
void logRule(const Command &command, const char *rule)
{
    qInfo("%s line %d [%s]: %s", qPrintable(command.section), command.line, rule,
          qPrintable(command.text.simplified().left(110)));
}

bool isPlaceholder(const QString &token)
{
    static const QRegularExpression placeholder(QStringLiteral("^[A-Z][A-Z_.]*(\\.\\.\\.)?$"));
    return placeholder.match(token).hasMatch();
}

//! The words after "loadscope-cli" that name the command ("history compare").
QStringList commandWords(const QStringList &tokens)
{
    QStringList words;
    for (const QString &token : tokens.mid(1)) {
        if (token.startsWith(u'[') || token.startsWith(u'-') || token.contains(u'|') ||
            isPlaceholder(token) || token == QLatin1String("&"))
            break;
        words.append(token);
    }
    return words;
}

bool isUsage(const QStringList &tokens)
{
    bool allBareFlags = tokens.size() > 2;
    for (const QString &token : tokens.mid(1)) {
        if (token.contains(u'[') || token.contains(u'|') || isPlaceholder(token))
            return true;
        if (commandWords(tokens).contains(token))
            continue;
        allBareFlags =
            allBareFlags && token.startsWith(QLatin1String("--")) && !token.contains(u'=');
    }
    return allBareFlags;
}

ShellResult shell(const QString &script, const QString &workDir, const QStringList &env,
                  int timeoutMs)
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const QString &assignment : env) {
        const qsizetype eq = assignment.indexOf(u'=');
        environment.insert(assignment.left(eq), assignment.mid(eq + 1));
    }
    process.setProcessEnvironment(environment);
    process.setWorkingDirectory(workDir);
    process.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), script});
    ShellResult result;
    if (!process.waitForStarted(10000))
        return result;
    process.closeWriteChannel();
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        result.err = "timed out";
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    return result;
}

//! "GET /tests/:id" -> the statuses in its "Answer" cell of the Endpoints table.
QHash<QString, QList<int>> endpointStatuses(const QStringList &restLines)
{
    QHash<QString, QList<int>> out;
    static const QRegularExpression row(
        QStringLiteral("^\\|\\s*`([A-Z]+) ([^`]+)`\\s*\\|[^|]*\\|([^|]*)\\|"));
    static const QRegularExpression status(QStringLiteral("\\b([1-5][0-9][0-9])\\b"));
    for (const QString &line : restLines) {
        const auto match = row.match(line);
        if (!match.hasMatch())
            continue;
        QList<int> statuses;
        for (auto it = status.globalMatch(match.captured(3)); it.hasNext();)
            statuses.append(it.next().captured(1).toInt());
        if (statuses.isEmpty())
            statuses.append(200);
        out.insert(match.captured(1) + u' ' + match.captured(2).trimmed(), statuses);
    }
    return out;
}

} // namespace

class TestReadmeExamples : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QStringList m_readme;
    QList<Command> m_cli;
    QList<Command> m_rest;
    QStringList m_jsonBlocks;
    QStringList m_restLines;
    QProcess m_serve;
    QString m_api;
    QList<qint64> m_createdTests; // in the order the examples created them
    QList<qint64> m_startedRuns;

    QStringList cliEnv() const
    {
        return {QStringLiteral("LOADSCOPE_DB=") + m_dir.filePath(QStringLiteral("cli.db")),
                QStringLiteral("LOADSCOPE_CONFIG_DIR=") + m_dir.filePath(QStringLiteral("config"))};
    }

    //! One REST call through curl (as the examples do); the status, and the body in @p body.
    int restCall(const QString &method, const QString &path, QJsonObject *body)
    {
        const ShellResult r =
            shell(QStringLiteral("curl -s -m 30 -X %1 -H \"Authorization: "
                                 "Bearer $TOKEN\" -w '\\n%{http_code}' \"$API%2\"")
                      .arg(method, path),
                  m_dir.path(), restEnv(), 40000);
        const qsizetype cut = r.out.lastIndexOf('\n');
        if (body)
            *body = QJsonDocument::fromJson(r.out.left(cut)).object();
        return r.out.mid(cut + 1).toInt();
    }

    QStringList restEnv() const
    {
        return {QStringLiteral("TOKEN=") + kToken, QStringLiteral("API=") + m_api};
    }

    //! Waits until run @p id is no longer running; its final result document.
    QJsonObject waitForRun(qint64 id)
    {
        QJsonObject body;
        for (int i = 0; i < 120; ++i) {
            if (restCall(QStringLiteral("GET"), QStringLiteral("/results/%1").arg(id), &body) ==
                    200 &&
                body.value(QStringLiteral("result")).toObject().value(QStringLiteral("status")) !=
                    QLatin1String("running"))
                return body;
            QTest::qWait(500);
        }
        return body;
    }

    void checkUsage(const Command &command, const QStringList &tokens)
    {
        const QStringList words = commandWords(tokens);
        QVERIFY2(!words.isEmpty(), qPrintable(command.text));
        const test::CliRun help =
            test::runCli(words + QStringList{QStringLiteral("--help")}, 30000, cliEnv());
        QVERIFY2(help.exitCode == 0, qPrintable(command.text + u'\n' + help.err));
        static const QRegularExpression flag(QStringLiteral("--([A-Za-z][A-Za-z0-9-]*)"));
        for (auto it = flag.globalMatch(command.text); it.hasNext();) {
            const QString name = it.next().captured(0);
            QVERIFY2(help.out.contains(name),
                     qPrintable(QStringLiteral("README line %1: `%2 --help` does not list %3")
                                    .arg(command.line)
                                    .arg(words.join(u' '), name)));
        }
    }

    void checkServer(const Command &command, const QStringList &tokens)
    {
        QStringList args = tokens.mid(1);
        args.removeAll(QStringLiteral("&"));
        if (!command.text.contains(QLatin1String("--port=")))
            args.append(QStringLiteral("--port=0"));
        const bool serve = args.first() == QLatin1String("serve");
        if (serve)
            args.append(QStringLiteral("--db=") + m_dir.filePath(QStringLiteral("serve.db")));
        else
            args.append(QStringLiteral("--duration=2"));
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LOADSCOPE_CONFIG_DIR"),
                   m_dir.filePath(QStringLiteral("config")));
        process.setProcessEnvironment(env);
        process.start(test::cliPath(), args);
        QVERIFY(process.waitForStarted(10000));
        QByteArray out;
        QTRY_VERIFY2_WITH_TIMEOUT(
            (out += process.readAllStandardOutput()).contains("listening on http://127.0.0.1:"),
            qPrintable(command.text), 20000);
        if (serve)
            process.terminate(); // the README: SIGTERM stops the server
        QVERIFY(process.waitForFinished(20000));
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), 0);
    }

    void checkRun(const Command &command, QStringList tokens)
    {
        static const QRegularExpression duration(QStringLiteral("^--duration=(.+)$"));
        bool hasDuration = false;
        QString outputFile;
        for (QString &token : tokens) {
            if (duration.match(token).hasMatch()) {
                token = QStringLiteral("--duration=2");
                hasDuration = true;
            }
            for (const char *prefix : {"--output-file=", "--outputFile="}) {
                if (token.startsWith(QLatin1String(prefix)))
                    outputFile = token.mid(int(qstrlen(prefix)));
            }
        }
        if (tokens.value(1) == QLatin1String("run") && !hasDuration)
            tokens.append(QStringLiteral("--duration=2"));
        QDir(m_dir.path()).mkpath(QStringLiteral("cli"));
        const QString workDir = m_dir.filePath(QStringLiteral("cli"));
        QStringList quoted;
        for (const QString &token : tokens.mid(1))
            quoted.append(u'\'' + token + u'\'');
        const ShellResult r =
            shell(u'"' + test::cliPath() + QStringLiteral("\" ") + quoted.join(u' '), workDir,
                  cliEnv(), 90000);
        QVERIFY2(r.exitCode == 0, qPrintable(QStringLiteral("README: `%1` exited %2\n%3")
                                                 .arg(command.text)
                                                 .arg(r.exitCode)
                                                 .arg(QString::fromUtf8(r.err))));
        if (!outputFile.isEmpty()) {
            QFile file(QDir(workDir).filePath(outputFile));
            QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(outputFile));
            QVERIFY(file.size() > 0);
        }
    }

    void checkCurl(const Command &command, const QHash<QString, QList<int>> &statuses)
    {
        QString script = command.text;
        // Rule 5: short runs, ids of this database, the plan file.
        // \K keeps the key out of the match, so only the value is replaced.
        static const QRegularExpression seconds(QStringLiteral("\"duration\":\\s*\\K\\d+"));
        static const QRegularExpression k6(QStringLiteral("\"duration\":\\s*\\K\"[^\"]+\""));
        script.replace(seconds, QStringLiteral("2"));
        script.replace(k6, QStringLiteral("\"1s\""));
        static const QRegularExpression testId(QStringLiteral("(/tests/)(\\d+)"));
        for (auto it = testId.globalMatch(command.text); it.hasNext();) {
            const auto match = it.next();
            const int n = match.captured(2).toInt();
            QVERIFY2(n >= 1 && n <= m_createdTests.size(),
                     qPrintable(QStringLiteral("README line %1: test %2 was not created by an "
                                               "earlier example")
                                    .arg(command.line)
                                    .arg(n)));
            script.replace(match.captured(0),
                           match.captured(1) + QString::number(m_createdTests.at(n - 1)));
        }
        static const QRegularExpression resultId(QStringLiteral("/results/\\d+"));
        if (resultId.match(script).hasMatch()) {
            QVERIFY2(!m_startedRuns.isEmpty(), qPrintable(command.text));
            script.replace(resultId,
                           QStringLiteral("/results/") + QString::number(m_startedRuns.last()));
        }
        static const QRegularExpression dataFile(QStringLiteral("@([\\w.-]+\\.json)"));
        const auto file = dataFile.match(script);
        if (file.hasMatch()) {
            QVERIFY2(!m_jsonBlocks.isEmpty(), "the README has no plan example to post");
            QFile plan(m_dir.filePath(file.captured(1)));
            QVERIFY(plan.open(QIODevice::WriteOnly));
            plan.write(m_jsonBlocks.first().toUtf8());
        }

        static const QRegularExpression methodOption(QStringLiteral("-X\\s+([A-Z]+)"));
        const auto explicitMethod = methodOption.match(script);
        const bool hasBody =
            script.contains(QLatin1String(" -d ")) || script.contains(QLatin1String("--data"));
        const QString method = explicitMethod.hasMatch() ? explicitMethod.captured(1)
                               : hasBody                 ? QStringLiteral("POST")
                                                         : QStringLiteral("GET");
        static const QRegularExpression pathOf(QStringLiteral("\\$API(/[^\\s\"'?]*)"));
        const auto pathMatch = pathOf.match(command.text);
        QVERIFY2(pathMatch.hasMatch(), qPrintable(command.text));
        QString route = pathMatch.captured(1);
        static const QRegularExpression number(QStringLiteral("/\\d+"));
        route.replace(number, QStringLiteral("/:id"));
        const QString key = method + u' ' + route;
        QVERIFY2(statuses.contains(key),
                 qPrintable(QStringLiteral("README line %1: %2 is not in the Endpoints table")
                                .arg(command.line)
                                .arg(key)));

        const bool starts =
            method == QLatin1String("POST") &&
            (route.endsWith(QLatin1String("/start")) || route == QLatin1String("/load-test"));
        if (starts && !m_startedRuns.isEmpty())
            waitForRun(m_startedRuns.last());

        const ShellResult r =
            shell(script.trimmed() + QStringLiteral(" -m 60 -w '\\n%{http_code}'"), m_dir.path(),
                  restEnv(), 90000);
        QVERIFY2(r.exitCode == 0, qPrintable(command.text + u'\n' + QString::fromUtf8(r.err)));
        const qsizetype cut = r.out.lastIndexOf('\n');
        const int status = r.out.mid(cut + 1).toInt();
        const QByteArray body = r.out.left(cut);
        QVERIFY2(statuses.value(key).contains(status),
                 qPrintable(QStringLiteral("README line %1: %2 answered %3, the README says %4\n%5")
                                .arg(command.line)
                                .arg(key)
                                .arg(status)
                                .arg(QString::number(statuses.value(key).constFirst()),
                                     QString::fromUtf8(body.left(600)))));
        const QJsonObject answer = QJsonDocument::fromJson(body).object();
        if (method == QLatin1String("POST") && route == QLatin1String("/tests"))
            m_createdTests.append(answer.value(QStringLiteral("id")).toInteger());
        if (starts) {
            m_startedRuns.append(answer.value(QStringLiteral("resultId")).toInteger());
            if (route == QLatin1String("/load-test"))
                m_createdTests.append(answer.value(QStringLiteral("testId")).toInteger());
            QVERIFY2(m_startedRuns.last() > 0, body.constData());
        }
        if (!command.comment.isEmpty())
            checkAnswerComment(command, answer);
    }

    //! A "# {...}" comment shows the answer's keys; its status must be the answer's.
    void checkAnswerComment(const Command &command, const QJsonObject &answer)
    {
        QString shown = command.comment;
        shown.replace(QRegularExpression(QStringLiteral(",\\s*\\.\\.\\.\\s*\\}")),
                      QStringLiteral("}"));
        QJsonParseError error;
        const QJsonObject expected = QJsonDocument::fromJson(shown.toUtf8(), &error).object();
        QVERIFY2(error.error == QJsonParseError::NoError,
                 qPrintable(QStringLiteral("README line %1: the answer comment is not JSON: %2")
                                .arg(command.line)
                                .arg(command.comment)));
        for (auto it = expected.begin(); it != expected.end(); ++it) {
            QVERIFY2(answer.contains(it.key()),
                     qPrintable(QStringLiteral("README line %1: the answer has no \"%2\"")
                                    .arg(command.line)
                                    .arg(it.key())));
            if (it.key() == QLatin1String("status"))
                QCOMPARE(answer.value(it.key()), it.value());
            if (it.key() == QLatin1String("result"))
                QCOMPARE(answer.value(it.key()).toString(),
                         QStringLiteral("/api/performance/results/") +
                             QString::number(m_startedRuns.last()));
        }
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QFile readme(QStringLiteral(LOADSCOPE_SOURCE_DIR "/README.md"));
        QVERIFY(readme.open(QIODevice::ReadOnly));
        m_readme = QString::fromUtf8(readme.readAll()).split(u'\n');
        int first = 0;
        const QStringList cli = sectionLines(m_readme, QStringLiteral("## Command line"), &first);
        m_cli = commandsOf(cli, first, QStringLiteral("Command line"), &m_jsonBlocks);
        m_restLines = sectionLines(m_readme, QStringLiteral("## REST API"), &first);
        QStringList restJson;
        m_rest = commandsOf(m_restLines, first, QStringLiteral("REST API"), &restJson);
        // Guards against a parser that finds nothing and so checks nothing.
        QVERIFY2(m_cli.size() >= 8, qPrintable(QString::number(m_cli.size())));
        QVERIFY2(m_rest.size() >= 10, qPrintable(QString::number(m_rest.size())));
        QCOMPARE(m_jsonBlocks.size(), 1);
    }

    void commandLineExamples()
    {
        for (const Command &command : std::as_const(m_cli)) {
            const QStringList tokens =
                command.text.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
            QVERIFY2(tokens.value(0) == QLatin1String("loadscope-cli"),
                     qPrintable(QStringLiteral("README line %1: no rule for `%2`")
                                    .arg(command.line)
                                    .arg(command.text)));
            if (isUsage(tokens)) {
                logRule(command, "usage");
                checkUsage(command, tokens);
            } else if (tokens.value(1) == QLatin1String("demo") ||
                       tokens.value(1) == QLatin1String("serve")) {
                logRule(command, "server");
                checkServer(command, tokens);
            } else {
                logRule(command, "run");
                checkRun(command, tokens);
            }
            if (QTest::currentTestFailed())
                return;
        }
    }

    void restExamples()
    {
        {
            QFile users(m_dir.filePath(QStringLiteral("users.csv")));
            QVERIFY(users.open(QIODevice::WriteOnly));
            users.write("user\nalice\nbob\n");
        }
        m_api =
            test::startServe(m_serve,
                             {QStringLiteral("--port=0"), QStringLiteral("--token=") + kToken,
                              QStringLiteral("--db=") + m_dir.filePath(QStringLiteral("rest.db")),
                              // The README's full plan names users.csv: allowed from this folder
                              // only, as its Sandbox section says.
                              QStringLiteral("--allow-files=") + m_dir.path()},
                             m_dir.filePath(QStringLiteral("config")));
        QVERIFY(!m_api.isEmpty());

        const QHash<QString, QList<int>> statuses = endpointStatuses(m_restLines);
        QVERIFY2(statuses.size() >= 8, qPrintable(QString::number(statuses.size())));
        int curls = 0;
        for (const Command &command : std::as_const(m_rest)) {
            const QString text = command.text.trimmed();
            const QStringList tokens =
                text.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
            if (text.startsWith(QLatin1String("TOKEN=")) ||
                text.startsWith(QLatin1String("API=")) ||
                text == QLatin1String("loadscope-cli serve &")) {
                logRule(command, "set-up");
                continue; // rule 1: this test's own set-up
            }
            if (tokens.value(0) == QLatin1String("loadscope-cli")) {
                if (isUsage(tokens)) {
                    logRule(command, "usage");
                    checkUsage(command, tokens);
                } else if (tokens.value(1) == QLatin1String("serve") ||
                           tokens.value(1) == QLatin1String("demo")) {
                    logRule(command, "server");
                    checkServer(command, tokens);
                } else {
                    logRule(command, "run");
                    checkRun(command, tokens);
                }
            } else if (tokens.value(0) == QLatin1String("curl")) {
                logRule(command, "curl");
                checkCurl(command, statuses);
                ++curls;
            } else {
                QFAIL(qPrintable(QStringLiteral("README line %1: no rule for `%2`")
                                     .arg(command.line)
                                     .arg(text)));
            }
            if (QTest::currentTestFailed())
                return;
        }
        QVERIFY(curls >= 8);

        // Every run the examples started ends completed, without a failed request: an example
        // that sends a method its endpoint refuses would end with every request a 4xx.
        QVERIFY(!m_startedRuns.isEmpty());
        for (qint64 id : std::as_const(m_startedRuns)) {
            const QJsonObject result = waitForRun(id).value(QStringLiteral("result")).toObject();
            QCOMPARE(result.value(QStringLiteral("status")).toString(),
                     QStringLiteral("completed"));
            const QJsonObject totals = result.value(QStringLiteral("totals")).toObject();
            QVERIFY(totals.value(QStringLiteral("requests")).toInteger() > 0);
            QCOMPARE(totals.value(QStringLiteral("errors")).toInteger(), qint64(0));
        }
    }

    void cleanupTestCase()
    {
        if (m_serve.state() != QProcess::NotRunning) {
            m_serve.terminate();
            if (!m_serve.waitForFinished(20000))
                m_serve.kill();
        }
    }
};

LOADSCOPE_TEST_MAIN(TestReadmeExamples)
#include "tst_readmeexamples.moc"
