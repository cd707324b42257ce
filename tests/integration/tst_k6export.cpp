#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

#include "interop/k6export.h"
#include "plan/planjson.h"
#include "testmain.h"
#include "testsupport.h"

// `loadscope-cli export-k6` writes a k6 script that node parses (`node --check`, Debian's
// nodejs) and that, run by node against stand-ins for k6's modules, sends what the plan sends:
// extracted values feed the later requests, checks and think time are there.

using namespace loadscope;

namespace {

QString fixture(const QString &name)
{
    return QStringLiteral(LOADSCOPE_TEST_DATA_DIR "/interop/") + name;
}

// Stand-ins for the k6 modules the script imports: http.request answers from a list of
// canned responses and records each request; res.json(path) reads gjson paths as k6 does.
const char *const kHarness = R"JS(
const requests = [], checks = [], slept = [];
const canned = [
  { status: 200, body: '{"session":{"ok":true,"token":"tok-123"},"ref":"order-42"}',
    headers: { 'X-Csrf-Token': 'csrf-9' } },
  { status: 200, body: '{"items":[{"sku.id":"A1"}]}', headers: {} },
  { status: 204, body: '', headers: {} },
];
function gjson(value, path) {
  const parts = path.match(/(\\.|[^.])+/g).map((p) => p.replace(/\\(.)/g, '$1'));
  for (const p of parts) { if (value === undefined || value === null) return undefined; value = value[p]; }
  return value;
}
const http = {
  request(method, url, body, params) {
    requests.push({ method, url, body, headers: params.headers, name: params.tags.name });
    const r = canned[requests.length - 1];
    return { ...r, json(path) { const doc = JSON.parse(r.body); return path === undefined ? doc : gjson(doc, path); } };
  },
};
function check(res, set) { for (const [name, fn] of Object.entries(set)) checks.push([name, fn(res)]); }
function sleep(s) { slept.push(s); }
const exec = { scenario: { iterationInTest: 1 } };
class SharedArray { constructor(name, make) { return make(); } }
const papaparse = { parse(text, opts) { const [head, ...rows] = text.trim().split('\n');
  return { data: rows.map((row) => ({ [head]: row })) }; } };
function open(path) { return OPENED[path]; }
const __ENV = {};
)JS";

} // namespace

class TestK6Export : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_node;

    //! Runs node with @p args; its exit code, stdout in @p out and stderr in @p err.
    int node(const QStringList &args, QByteArray *out, QByteArray *err)
    {
        QProcess process;
        process.start(m_node, args);
        if (!process.waitForFinished(30000))
            return -1;
        *out = process.readAllStandardOutput();
        *err = process.readAllStandardError();
        return process.exitCode();
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_node = QStandardPaths::findExecutable(QStringLiteral("node"));
    }

    void exportedScriptIsValidJavaScriptWithThePlansShape()
    {
        const QString script = m_dir.filePath(QStringLiteral("checkout.mjs"));
        const test::CliRun run =
            test::runCli({QStringLiteral("export-k6"), fixture(QStringLiteral("k6-plan.json")),
                          QStringLiteral("--output-file=") + script});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QString text = QString::fromUtf8(loadscope::test::readFileBytes(script));
        // Executor and stages, thresholds in k6's syntax, checks, extractions, think time.
        for (const char *expected :
             {"executor: 'ramping-vus',", "startVUs: 1,", "{ duration: '30s', target: 10 },",
              "{ duration: '1m', target: 50 },", "{ duration: '30s', target: 0 },",
              "'http_req_duration': ['p(95)<200', { threshold: 'p(99)<500', abortOnFail: true }],",
              "'http_req_failed': ['rate<0.01'],", "'status is 200': (r) => r.status === 200,",
              "vars['token'] = text(field(res, 'session.token'));",
              "vars['csrf'] = text(header(res, 'X-CSRF-Token'));",
              "'Authorization': `Bearer ${v('token')}`,", "sleep(0.5);",
              "import { SharedArray } from 'k6/data';", "papaparse.parse(open('",
              "http.request('DELETE', `https://other.example/api/x`"})
            QVERIFY2(text.contains(QString::fromUtf8(expected)), expected);
        // The data file is named relative to the script, as k6's open() reads it.
        QVERIFY2(text.contains(
                     QStringLiteral("open('") +
                     QDir(m_dir.path()).relativeFilePath(fixture(QStringLiteral("users.csv"))) +
                     QStringLiteral("')")),
                 qPrintable(text));
        // What k6 cannot say is written at the top, before the first import.
        const qsizetype firstImport = text.indexOf(QLatin1String("import "));
        QVERIFY(text.indexOf(QLatin1String("//   - threshold server_timing_inference")) <
                firstImport);
        QVERIFY(text.indexOf(QLatin1String("//   - proxy http://127.0.0.1:3128")) < firstImport);
        QVERIFY(!text.contains(QLatin1String("'server_timing_inference':")));
        QVERIFY(run.err.contains(QLatin1String("not expressed in k6: proxy")));

        if (m_node.isEmpty())
            QSKIP("node (Debian's nodejs) is not installed: the script's syntax is not checked");
        QByteArray out, err;
        QCOMPARE(node({QStringLiteral("--check"), script}, &out, &err), 0);
        QVERIFY2(err.isEmpty(), err.constData());

        // A broken script must fail the check, or the check proves nothing.
        const QString broken = m_dir.filePath(QStringLiteral("broken.mjs"));
        QFile file(broken);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(loadscope::test::readFileBytes(script).replace("res = http.request(",
                                                                  "res = http.request(("));
        file.close();
        QVERIFY(node({QStringLiteral("--check"), broken}, &out, &err) != 0);
    }

    void scriptSendsWhatThePlanSends()
    {
        if (m_node.isEmpty())
            QSKIP("node (Debian's nodejs) is not installed");
        QString error;
        auto plan = planFromFile(fixture(QStringLiteral("k6-plan.json")), &error);
        QVERIFY2(plan, qPrintable(error));
        plan->dataFile = QStringLiteral("users.csv");
        QString script = exportK6(*plan).script;
        // Run the default function under node with stand-ins for the k6 modules.
        QStringList lines;
        for (const QString &line : script.split(u'\n')) {
            if (!line.startsWith(QLatin1String("import ")))
                lines.append(line);
        }
        script = lines.join(u'\n');
        script.replace(QLatin1String("export default function ()"),
                       QLatin1String("function main()"));
        script.replace(QLatin1String("export const options"), QLatin1String("const options"));
        const QString harness =
            QStringLiteral("const OPENED = { 'users.csv': 'user\\nada\\nbob\\n' };\n") +
            QString::fromLatin1(kHarness) + script +
            QStringLiteral("\nmain();\nconsole.log(JSON.stringify({ requests, checks, slept, "
                           "executor: options.scenarios.default.executor }));\n");
        const QString path = m_dir.filePath(QStringLiteral("harness.mjs"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(harness.toUtf8());
        file.close();
        QByteArray out, err;
        QCOMPARE(node({path}, &out, &err), 0);
        const QJsonObject result = QJsonDocument::fromJson(out).object();
        QVERIFY2(!result.isEmpty(), QByteArray(out + err).constData());
        const QJsonArray requests = result.value(QLatin1String("requests")).toArray();
        QCOMPARE(requests.size(), 3);
        const QJsonObject login = requests.at(0).toObject();
        QCOMPARE(login.value(QLatin1String("method")).toString(), QStringLiteral("POST"));
        QCOMPARE(login.value(QLatin1String("url")).toString(),
                 QStringLiteral("http://127.0.0.1:8080/api/login"));
        // The data row of iteration 1 ("bob") fills {{user}}; backquotes and ${ stay literal.
        QCOMPARE(login.value(QLatin1String("body")).toString(),
                 QStringLiteral("{\"user\":\"bob\",\"note\":\"`${not a template}` \\\\ done\"}"));
        const QJsonObject cart = requests.at(1).toObject();
        // The extractions of the login response (JSON path, header in any case, regex group).
        QCOMPARE(cart.value(QLatin1String("url")).toString(),
                 QStringLiteral("http://127.0.0.1:8080/api/cart/42?user=bob"));
        const QJsonObject headers = cart.value(QLatin1String("headers")).toObject();
        QCOMPARE(headers.value(QLatin1String("Authorization")).toString(),
                 QStringLiteral("Bearer tok-123"));
        QCOMPARE(headers.value(QLatin1String("X-CSRF-Token")).toString(), QStringLiteral("csrf-9"));
        QCOMPARE(requests.at(2).toObject().value(QLatin1String("url")).toString(),
                 QStringLiteral("https://other.example/api/x"));
        const QJsonArray checks = result.value(QLatin1String("checks")).toArray();
        QCOMPARE(checks.size(), 4);
        for (const QJsonValue &check : checks)
            QVERIFY2(check.toArray().at(1).toBool(), qPrintable(check.toArray().at(0).toString()));
        QCOMPARE(result.value(QLatin1String("slept")).toArray(), QJsonArray{0.5});
        QCOMPARE(result.value(QLatin1String("executor")).toString(), QStringLiteral("ramping-vus"));
    }

    void openModelsAndPaths()
    {
        TestPlan plan;
        plan.name = QStringLiteral("open");
        plan.steps.append(Step{});
        plan.steps[0].path = QStringLiteral("/api/health");
        plan.load.executor = Executor::ConstantArrivalRate;
        plan.load.rate = 25;
        plan.load.durationMs = 90000;
        plan.load.preAllocatedVus = 5;
        plan.load.maxVus = 20;
        QString script = exportK6(plan).script;
        for (const char *expected :
             {"executor: 'constant-arrival-rate',", "rate: 25,", "duration: '1m30s',",
              "timeUnit: '1s',", "preAllocatedVUs: 5,", "maxVUs: 20,",
              "// Everything in the plan is expressed below."})
            QVERIFY2(script.contains(QString::fromUtf8(expected)), expected);
        plan.load.executor = Executor::RampingArrivalRate;
        plan.load.startRate = 2;
        plan.load.stages = {{60000, 40}};
        script = exportK6(plan).script;
        QVERIFY(script.contains(QLatin1String("executor: 'ramping-arrival-rate',")));
        QVERIFY(script.contains(QLatin1String("startRate: 2,")));
        QVERIFY(script.contains(QLatin1String("{ duration: '1m', target: 40 },")));

        QCOMPARE(gjsonPathFromPointer(QStringLiteral("/a/0/b.c")), QStringLiteral("a.0.b\\.c"));
        QCOMPARE(gjsonPathFromPointer(QStringLiteral("/x~1y/m~0n")), QStringLiteral("x/y.m~n"));
        QCOMPARE(gjsonPathFromPointer(QString()), QString());
    }

    void badPlanIsExit2NamingThePlace()
    {
        const QString bad = m_dir.filePath(QStringLiteral("bad.json"));
        QFile file(bad);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"schema\": \"loadscope.plan/1\",\n \"name\": ]");
        file.close();
        const test::CliRun run = test::runCli({QStringLiteral("export-k6"), bad});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(bad + QStringLiteral(": line 2")), qPrintable(run.err));
        QCOMPARE(test::runCli({QStringLiteral("export-k6")}).exitCode, 2);
    }
};

LOADSCOPE_TEST_MAIN(TestK6Export)
#include "tst_k6export.moc"
