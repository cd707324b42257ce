#include "k6export.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>
#include <QMap>

#include "plan/duration.h"

namespace loadscope {

namespace {

//! A JavaScript string literal in single quotes.
QString jsString(const QString &text)
{
    QString out = QStringLiteral("'");
    for (const QChar c : text) {
        switch (c.unicode()) {
        case '\\':
            out += QLatin1String("\\\\");
            break;
        case '\'':
            out += QLatin1String("\\'");
            break;
        case '\n':
            out += QLatin1String("\\n");
            break;
        case '\r':
            out += QLatin1String("\\r");
            break;
        case '\t':
            out += QLatin1String("\\t");
            break;
        case 0x2028:
            out += QLatin1String("\\u2028");
            break;
        case 0x2029:
            out += QLatin1String("\\u2029");
            break;
        default:
            if (c.unicode() < 0x20)
                out += QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'));
            else
                out += c;
        }
    }
    return out + u'\'';
}

//! A JavaScript template literal of @p text with every {{name}} as ${v('name')}.
QString jsTemplate(const QString &text, const QString &prefix = {})
{
    QString out = QStringLiteral("`") + prefix;
    const auto literal = [&out](QStringView piece) {
        for (qsizetype i = 0; i < piece.size(); ++i) {
            const QChar c = piece.at(i);
            if (c == u'`' || c == u'\\' ||
                (c == u'$' && i + 1 < piece.size() && piece.at(i + 1) == u'{'))
                out += u'\\';
            if (c == u'\r') {
                out += QLatin1String("\\r");
                continue;
            }
            out += c;
        }
    };
    qsizetype from = 0;
    while (true) {
        const qsizetype open = text.indexOf(QLatin1String("{{"), from);
        const qsizetype close = open < 0 ? -1 : text.indexOf(QLatin1String("}}"), open + 2);
        if (close < 0) {
            literal(QStringView(text).mid(from));
            break;
        }
        literal(QStringView(text).mid(from, open - from));
        out += QStringLiteral("${v(") + jsString(text.mid(open + 2, close - open - 2).trimmed()) +
               QStringLiteral(")}");
        from = close + 2;
    }
    return out + u'`';
}

QString jsDuration(qint64 ms)
{
    return jsString(formatDurationMs(ms));
}

QString jsNumber(double value)
{
    return QString::number(value, 'g', 15);
}

QString stagesJs(const QList<Stage> &stages, const QString &indent)
{
    QString out = QStringLiteral("[\n");
    for (const Stage &stage : stages)
        out += indent + QStringLiteral("  { duration: ") + jsDuration(stage.durationMs) +
               QStringLiteral(", target: ") + jsNumber(stage.target) + QStringLiteral(" },\n");
    return out + indent + u']';
}

QString scenarioJs(const LoadModel &load)
{
    const QString in = QStringLiteral("      ");
    QString out = in + QStringLiteral("executor: ") + jsString(executorName(load.executor)) +
                  QStringLiteral(",\n");
    switch (load.executor) {
    case Executor::ConstantVus:
        out += in + QStringLiteral("vus: ") + QString::number(load.vus) + QStringLiteral(",\n");
        out +=
            in + QStringLiteral("duration: ") + jsDuration(load.durationMs) + QStringLiteral(",\n");
        break;
    case Executor::RampingVus:
        out += in + QStringLiteral("startVUs: ") + QString::number(load.startVus) +
               QStringLiteral(",\n");
        out += in + QStringLiteral("stages: ") + stagesJs(load.stages, in) + QStringLiteral(",\n");
        out += in + QStringLiteral("gracefulRampDown: ") + jsDuration(load.gracefulRampDownMs) +
               QStringLiteral(",\n");
        break;
    case Executor::ConstantArrivalRate:
    case Executor::RampingArrivalRate:
        if (load.executor == Executor::ConstantArrivalRate) {
            out += in + QStringLiteral("rate: ") + jsNumber(load.rate) + QStringLiteral(",\n");
            out += in + QStringLiteral("duration: ") + jsDuration(load.durationMs) +
                   QStringLiteral(",\n");
        } else {
            out += in + QStringLiteral("startRate: ") + jsNumber(load.startRate) +
                   QStringLiteral(",\n");
            out +=
                in + QStringLiteral("stages: ") + stagesJs(load.stages, in) + QStringLiteral(",\n");
        }
        out +=
            in + QStringLiteral("timeUnit: ") + jsDuration(load.timeUnitMs) + QStringLiteral(",\n");
        out += in + QStringLiteral("preAllocatedVUs: ") + QString::number(load.preAllocatedVus) +
               QStringLiteral(",\n");
        out +=
            in + QStringLiteral("maxVUs: ") + QString::number(load.maxVus) + QStringLiteral(",\n");
        break;
    }
    out += in + QStringLiteral("gracefulStop: ") + jsDuration(load.gracefulStopMs) +
           QStringLiteral(",\n");
    return out;
}

QString checkJs(const Check &check)
{
    switch (check.kind) {
    case Check::Kind::Status:
        return jsString(QStringLiteral("status is ") + QString::number(check.status)) +
               QStringLiteral(": (r) => r.status === ") + QString::number(check.status);
    case Check::Kind::BodyContains:
        return jsString(QStringLiteral("body contains ") + check.text) +
               QStringLiteral(": (r) => typeof r.body === 'string' && r.body.includes(") +
               jsString(check.text) + u')';
    case Check::Kind::JsonPointerEquals: {
        const QString expected = QString::fromUtf8(QJsonDocument(QJsonArray{check.value})
                                                       .toJson(QJsonDocument::Compact)
                                                       .mid(1)
                                                       .chopped(1));
        return jsString(check.pointer + QStringLiteral(" equals ") + expected) +
               QStringLiteral(": (r) => JSON.stringify(field(r, ") +
               jsString(gjsonPathFromPointer(check.pointer)) + QStringLiteral(")) === ") +
               jsString(expected);
    }
    case Check::Kind::JsonPointerExists:
        return jsString(check.pointer + QStringLiteral(" exists")) +
               QStringLiteral(": (r) => field(r, ") +
               jsString(gjsonPathFromPointer(check.pointer)) + QStringLiteral(") !== undefined");
    }
    return {};
}

QString extractionJs(const Extraction &extraction)
{
    const QString target =
        QStringLiteral("    vars[") + jsString(extraction.name) + QStringLiteral("] = text(");
    switch (extraction.source) {
    case Extraction::Source::JsonPointer:
        return target + QStringLiteral("field(res, ") +
               jsString(gjsonPathFromPointer(extraction.expression)) + QStringLiteral("));\n");
    case Extraction::Source::Header:
        return target + QStringLiteral("header(res, ") + jsString(extraction.expression) +
               QStringLiteral("));\n");
    case Extraction::Source::Regex:
        return target + QStringLiteral("match(res, new RegExp(") + jsString(extraction.expression) +
               QStringLiteral("), ") + QString::number(extraction.group) + QStringLiteral("));\n");
    }
    return {};
}

const char *const kHelpers = R"JS(
// {{name}} in the plan: an extracted value, a data-file column or a plan variable; unknown
// names stay as written, as Loadscope leaves them.
let vars = {};
function v(name) {
  return name in vars ? vars[name] : '{{' + name + '}}';
}
function fill(template) {
  return template.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (all, name) => (name in vars ? vars[name] : all));
}
function text(value) {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
function field(res, path) {
  try {
    return path === '' ? res.json() : res.json(path);
  } catch (e) {
    return undefined;
  }
}
function header(res, name) {
  const wanted = name.toLowerCase();
  for (const key of Object.keys(res.headers)) {
    if (key.toLowerCase() === wanted) return res.headers[key];
  }
  return undefined;
}
function match(res, regex, group) {
  const found = typeof res.body === 'string' ? res.body.match(regex) : null;
  return found ? found[group] : undefined;
}
)JS";

} // namespace

QString gjsonPathFromPointer(const QString &pointer)
{
    if (pointer.isEmpty())
        return {}; // the whole document
    QStringList parts;
    for (QString token : pointer.mid(1).split(u'/')) {
        token.replace(QLatin1String("~1"), QLatin1String("/"));
        token.replace(QLatin1String("~0"), QLatin1String("~"));
        QString escaped;
        for (const QChar c : token) {
            if (QStringView(u".*?|#@!\\").contains(c))
                escaped += u'\\';
            escaped += c;
        }
        parts.append(escaped);
    }
    return parts.join(u'.');
}

K6Script exportK6(const TestPlan &plan)
{
    K6Script out;
    QStringList &notes = out.notExpressed;
    if (plan.threads > 0)
        notes.append(
            QStringLiteral("options.threads=%1: k6 schedules VUs itself").arg(plan.threads));
    if (plan.http2)
        notes.append(QStringLiteral("http2: k6 negotiates HTTP/2 over TLS by itself"));
    if (!plan.proxy.isEmpty())
        notes.append(QStringLiteral("proxy %1: set HTTP_PROXY/HTTPS_PROXY for k6").arg(plan.proxy));
    if (plan.timeouts.connectMs != Timeouts().connectMs)
        notes.append(QStringLiteral("timeouts.connect=%1: k6 has no separate connect timeout")
                         .arg(formatDurationMs(plan.timeouts.connectMs)));
    if (plan.intervalMs != TestPlan().intervalMs)
        notes.append(QStringLiteral("options.interval=%1: k6 samples every request")
                         .arg(formatDurationMs(plan.intervalMs)));
    if (!plan.versionLabel.isEmpty())
        notes.append(QStringLiteral("versionLabel %1: pass it as a tag (--tag version=...)")
                         .arg(plan.versionLabel));

    // Thresholds by metric, in the order the plan lists them.
    QStringList metrics;
    QMap<QString, QStringList> byMetric;
    for (const ThresholdSpec &threshold : plan.thresholds) {
        if (threshold.metric.startsWith(QLatin1String("server_timing_"))) {
            notes.append(QStringLiteral("threshold %1: %2: Server-Timing is not a k6 metric")
                             .arg(threshold.metric, threshold.expression));
            continue;
        }
        if (!metrics.contains(threshold.metric))
            metrics.append(threshold.metric);
        QString entry = jsString(threshold.expression);
        if (threshold.abortOnFail) {
            entry = QStringLiteral("{ threshold: ") + entry + QStringLiteral(", abortOnFail: true");
            if (threshold.delayAbortEvalMs > 0)
                entry +=
                    QStringLiteral(", delayAbortEval: ") + jsDuration(threshold.delayAbortEvalMs);
            entry += QStringLiteral(" }");
        }
        byMetric[threshold.metric].append(entry);
    }

    QString s;
    s += QStringLiteral("// k6 script written by Loadscope from the plan ") + jsString(plan.name) +
         QStringLiteral(" (") + testTypeName(plan.type) + QStringLiteral(").\n");
    if (!plan.description.isEmpty())
        s += QStringLiteral("// ") + QString(plan.description).replace(u'\n', u' ') + u'\n';
    if (notes.isEmpty()) {
        s += QStringLiteral("// Everything in the plan is expressed below.\n");
    } else {
        s += QStringLiteral("// Not expressed in k6:\n");
        for (const QString &note : std::as_const(notes))
            s += QStringLiteral("//   - ") + QString(note).replace(u'\n', u' ') + u'\n';
    }
    s += QStringLiteral("import http from 'k6/http';\nimport { check, sleep } from 'k6';\n");
    if (!plan.dataFile.isEmpty()) {
        s += QStringLiteral(
            "import exec from 'k6/execution';\n"
            "import { SharedArray } from 'k6/data';\n"
            "import papaparse from 'https://jslib.k6.io/papaparse/5.1.1/index.js';\n");
    }
    s += u'\n';
    const QString baseUrl =
        plan.baseUrl.isEmpty() ? QStringLiteral("http://127.0.0.1:8080") : plan.baseUrl;
    s += QStringLiteral("const BASE_URL = __ENV.BASE_URL || ") + jsString(baseUrl) +
         QStringLiteral(";\n");
    if (!plan.dataFile.isEmpty()) {
        s += QStringLiteral("// One row of the data file per iteration, as Loadscope reads it.\n"
                            "const data = new SharedArray('data', function () {\n"
                            "  return papaparse.parse(open(") +
             jsString(plan.dataFile) +
             QStringLiteral("), { header: true, skipEmptyLines: true }).data;\n});\n");
    }
    QString variables = QStringLiteral("{");
    for (auto it = plan.variables.cbegin(); it != plan.variables.cend(); ++it)
        variables += u' ' + jsString(it.key()) + QStringLiteral(": ") + jsString(it.value()) + u',';
    variables += plan.variables.isEmpty() ? QStringLiteral("}") : QStringLiteral(" }");
    s += QStringLiteral("const VARIABLES = ") + variables + QStringLiteral(";\n");
    for (qsizetype i = 0; i < plan.steps.size(); ++i) {
        if (!plan.steps.at(i).bodyFile.isEmpty())
            s += QStringLiteral("const BODY_%1 = open(").arg(i) +
                 jsString(plan.steps.at(i).bodyFile) + QStringLiteral(");\n");
    }

    s += QStringLiteral("\nexport const options = {\n  scenarios: {\n    default: {\n");
    s += scenarioJs(plan.load);
    s += QStringLiteral("    },\n  },\n");
    if (!metrics.isEmpty()) {
        s += QStringLiteral("  thresholds: {\n");
        for (const QString &metric : std::as_const(metrics))
            s += QStringLiteral("    ") + jsString(metric) + QStringLiteral(": [") +
                 byMetric.value(metric).join(QLatin1String(", ")) + QStringLiteral("],\n");
        s += QStringLiteral("  },\n");
    }
    if (plan.insecureSkipTlsVerify)
        s += QStringLiteral("  insecureSkipTLSVerify: true,\n");
    s += QStringLiteral("  maxRedirects: ") + QString::number(plan.maxRedirects) +
         QStringLiteral(",\n};\n");
    s += QString::fromLatin1(kHelpers);

    s += QStringLiteral("\nexport default function () {\n");
    s += QStringLiteral("  vars = Object.assign({}, VARIABLES");
    if (!plan.dataFile.isEmpty())
        s += QStringLiteral(", data[exec.scenario.iterationInTest % data.length]");
    s += QStringLiteral(");\n  let res;\n");
    for (qsizetype i = 0; i < plan.steps.size(); ++i) {
        const Step &step = plan.steps.at(i);
        s += QStringLiteral("\n  // ") + QString(step.displayName()).replace(u'\n', u' ') + u'\n';
        const bool absolute = step.path.startsWith(QLatin1String("http://")) ||
                              step.path.startsWith(QLatin1String("https://"));
        const QString url =
            absolute ? jsTemplate(step.path) : jsTemplate(step.path, QStringLiteral("${BASE_URL}"));
        QString body = QStringLiteral("null");
        if (!step.bodyFile.isEmpty())
            body = QStringLiteral("fill(BODY_%1)").arg(i);
        else if (!step.body.isEmpty())
            body = jsTemplate(step.body);
        QString params = QStringLiteral("{\n    headers: {");
        for (const auto &header : step.headers)
            params += QStringLiteral("\n      ") + jsString(header.first) + QStringLiteral(": ") +
                      jsTemplate(header.second) + u',';
        params += step.headers.isEmpty() ? QStringLiteral("},\n") : QStringLiteral("\n    },\n");
        params += QStringLiteral("    tags: { name: ") + jsString(step.displayName()) +
                  QStringLiteral(" },\n    timeout: ") + jsDuration(plan.timeouts.requestMs) +
                  QStringLiteral(",\n  }");
        s += QStringLiteral("  res = http.request(") + jsString(step.method) +
             QStringLiteral(", ") + url + QStringLiteral(", ") + body + QStringLiteral(", ") +
             params + QStringLiteral(");\n");
        if (!step.checks.isEmpty()) {
            s += QStringLiteral("  check(res, {\n");
            for (const Check &check : step.checks)
                s += QStringLiteral("    ") + checkJs(check) + QStringLiteral(",\n");
            s += QStringLiteral("  });\n");
        }
        if (!step.extractions.isEmpty()) {
            s += QStringLiteral("  {\n");
            for (const Extraction &extraction : step.extractions)
                s += extractionJs(extraction);
            s += QStringLiteral("  }\n");
        }
        if (step.thinkTimeMs > 0)
            s += QStringLiteral("  sleep(") + jsNumber(double(step.thinkTimeMs) / 1000.0) +
                 QStringLiteral(");\n");
    }
    s += QStringLiteral("}\n");
    out.script = s;
    return out;
}

} // namespace loadscope
