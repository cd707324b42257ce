#include "runoptions.h"

#include <QCommandLineParser>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QUrl>

#include <algorithm>
#include <cmath>

#include "cli/commandline.h"
#include "plan/duration.h"
#include "plan/planjson.h"
#include "plan/planpresets.h"
#include "plan/planvalidator.h"
#include "plan/thresholdexpression.h"

namespace loadscope {
namespace {

QString quoted(const QString &value)
{
    return u'"' + value + u'"';
}

double peakTarget(const QList<Stage> &stages)
{
    double peak = 0;
    for (const Stage &s : stages)
        peak = std::max(peak, s.target);
    return peak;
}

//! Stretches or compresses ramping stages so they last @p totalMs, keeping the shape.
void scaleStagesTo(QList<Stage> &stages, qint64 totalMs)
{
    qint64 current = 0;
    for (const Stage &s : stages)
        current += s.durationMs;
    if (current <= 0)
        return;
    qint64 assigned = 0;
    for (int i = 0; i < stages.size(); ++i) {
        if (i + 1 == stages.size()) {
            stages[i].durationMs = totalMs - assigned;
        } else {
            stages[i].durationMs = qRound64(double(stages[i].durationMs) * totalMs / current);
            assigned += stages[i].durationMs;
        }
    }
}

//! Scales stage targets so that the highest becomes @p peak.
void scaleTargetsTo(QList<Stage> &stages, double peak)
{
    const double current = peakTarget(stages);
    for (Stage &s : stages)
        s.target = current > 0 ? std::round(s.target * peak / current * 1000.0) / 1000.0 : peak;
}

std::optional<ResultFormat> formatFromName(const QString &name)
{
    const QString n = name.toLower();
    if (n == QLatin1String("json"))
        return ResultFormat::Json;
    if (n == QLatin1String("csv"))
        return ResultFormat::Csv;
    if (n == QLatin1String("junit") || n == QLatin1String("xml"))
        return ResultFormat::Junit;
    if (n == QLatin1String("html") || n == QLatin1String("htm"))
        return ResultFormat::Html;
    if (n == QLatin1String("md") || n == QLatin1String("markdown"))
        return ResultFormat::Markdown;
    return std::nullopt;
}

bool positiveInt(const QCommandLineParser &p, const char *name, int min, int *value, QString *error)
{
    const QString option = QString::fromLatin1(name);
    if (!p.isSet(option))
        return true;
    bool ok = false;
    const int v = p.value(option).toInt(&ok);
    if (!ok || v < min) {
        *error = QStringLiteral("--") + option + QStringLiteral(": ") + quoted(p.value(option)) +
                 QStringLiteral(" is not a whole number >= ") + QString::number(min);
        return false;
    }
    *value = v;
    return true;
}

//! Splits an absolute endpoint URL into base URL and path; leaves a path as it is.
bool applyEndpoint(const QString &endpoint, TestPlan &plan, QString *path, QString *error)
{
    if (endpoint.startsWith(u'/')) {
        *path = endpoint;
        return true;
    }
    const QUrl url(endpoint, QUrl::StrictMode);
    if (url.isValid() &&
        (url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https")) &&
        !url.host().isEmpty()) {
        QUrl base = url.adjusted(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment);
        const QString baseText = base.toString();
        if (!plan.baseUrl.isEmpty() && plan.baseUrl != baseText) {
            *error = QStringLiteral("--endpoint: ") + quoted(endpoint) +
                     QStringLiteral(" is on another host than the base URL ") +
                     quoted(plan.baseUrl);
            return false;
        }
        plan.baseUrl = baseText;
        *path = url.path(QUrl::FullyEncoded).isEmpty() ? QStringLiteral("/")
                                                       : url.path(QUrl::FullyEncoded);
        if (url.hasQuery())
            *path += u'?' + url.query(QUrl::FullyEncoded);
        return true;
    }
    *error = QStringLiteral("--endpoint: ") + quoted(endpoint) +
             QStringLiteral(" is neither a path starting with \"/\" nor an http(s) URL");
    return false;
}

} // namespace

void addRunOptions(SubcommandLine &line)
{
    const auto opt = [&line](QStringList names, const char *help, const char *value) {
        line.addOption(
            QCommandLineOption(names, QString::fromLatin1(help), QString::fromLatin1(value)));
    };
    const auto flag = [&line](QStringList names, const char *help) {
        line.addOption(QCommandLineOption(names, QString::fromLatin1(help)));
    };
    opt({QStringLiteral("type")},
        "Test type preset: API_LATENCY, LOAD_TEST, STRESS_TEST, ML_PREDICTION_THROUGHPUT, "
        "SIGNAL_GENERATION, STRATEGY_EXECUTION, END_TO_END (default API_LATENCY).",
        "TYPE");
    opt({QStringLiteral("base-url"), QStringLiteral("baseUrl")},
        "Target base URL (default: the built-in sample API, started in-process).", "URL");
    opt({QStringLiteral("endpoint")},
        "Request this path (or absolute URL); repeat for several. Replaces the plan's steps.",
        "PATH");
    opt({QStringLiteral("method")}, "HTTP method of --endpoint requests (default GET).", "M");
    opt({QStringLiteral("duration")},
        "Test length: seconds or a k6 duration (30s, 2m). Ramping stages are scaled to fit.",
        "SECONDS");
    opt({QStringLiteral("concurrency"), QStringLiteral("vus")},
        "Virtual users (the peak of ramping stages is scaled to it).", "N");
    opt({QStringLiteral("rate")}, "Open model: requests (iterations) per second.", "RPS");
    opt({QStringLiteral("stages")}, "Ramping stages, e.g. 30s:10,60s:50,30s:0.", "STAGES");
    opt({QStringLiteral("threshold")},
        "Pass/fail threshold in k6 syntax, e.g. 'p(95)<200' or 'http_req_failed: rate<0.01'; "
        "append ';abortOnFail' to stop the run when crossed. Repeatable.",
        "EXPR");
    opt({QStringLiteral("threads")}, "Worker threads (default: one per core).", "N");
    opt({QStringLiteral("timeout")}, "Per-request timeout (seconds or k6 duration).", "T");
    flag({QStringLiteral("http2")}, "Use HTTP/2 (through Qt's network stack).");
    flag({QStringLiteral("insecure")}, "Do not verify TLS certificates.");
    opt({QStringLiteral("output-file"), QStringLiteral("outputFile")}, "Write the result here.",
        "FILE");
    opt({QStringLiteral("format")},
        "Output file format: json, csv, junit, html or md (default: from the file's extension, "
        "else json).",
        "FORMAT");
    line.addDbOption();
    flag({QStringLiteral("no-db")}, "Do not store the run in the history database.");
    opt({QStringLiteral("version-label"), QStringLiteral("versionLabel")},
        "Version of the target under test, stored with the run.", "V");
    opt({QStringLiteral("baseline")},
        "Compare with the previous completed run of this test (last), a run ID, or none "
        "(default: the test's pinned baseline, else its previous run).",
        "last|ID|none");
    opt({QStringLiteral("target-pid")},
        "Monitor this process as the target (default: found from a local target's port).", "PID");
    opt({QStringLiteral("target-metrics")},
        "Scrape a remote target's Prometheus endpoint every interval.", "URL");
    opt({QStringLiteral("target-gauge")}, "Also record this Prometheus gauge. Repeatable.", "NAME");
    flag({QStringLiteral("no-monitor")}, "Do not sample CPU and memory.");
    flag({QStringLiteral("fail-on-regression")}, "Exit 98 when the comparison finds a regression.");
    flag({QStringLiteral("quiet"), QStringLiteral("q")}, "At most one line per interval.");
    line.addPositional(QStringLiteral("PLAN"), QStringLiteral("Plan JSON file (optional)."),
                       QStringLiteral("[PLAN.json]"));
}

std::optional<QList<Stage>> parseStagesOption(const QString &text, QString *error)
{
    QList<Stage> stages;
    const QStringList parts = text.split(u',', Qt::SkipEmptyParts);
    if (parts.isEmpty()) {
        *error = QStringLiteral("--stages: expected DURATION:TARGET[,DURATION:TARGET...]");
        return std::nullopt;
    }
    for (int i = 0; i < parts.size(); ++i) {
        const QString part = parts[i].trimmed();
        const qsizetype colon = part.indexOf(u':');
        QString why;
        const auto duration =
            colon > 0 ? parseDurationMs(part.left(colon).trimmed(), &why) : std::optional<qint64>();
        bool ok = false;
        const double target = colon > 0 ? part.mid(colon + 1).trimmed().toDouble(&ok) : 0.0;
        if (!duration || !ok || target < 0 || !std::isfinite(target)) {
            *error = QStringLiteral("--stages: stage ") + QString::number(i + 1) +
                     QStringLiteral(" ") + quoted(part) +
                     QStringLiteral(" is not DURATION:TARGET") +
                     (why.isEmpty() ? QString() : QStringLiteral(" (") + why + u')');
            return std::nullopt;
        }
        stages.append(Stage{*duration, target});
    }
    return stages;
}

std::optional<ThresholdSpec> parseThresholdOption(const QString &text, QString *error)
{
    ThresholdSpec spec;
    QString expression = text.trimmed();
    static const QRegularExpression abortSuffix(QStringLiteral("\\s*;\\s*abortOnFail\\s*$"),
                                                QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch abort = abortSuffix.match(expression);
    if (abort.hasMatch()) {
        spec.abortOnFail = true;
        expression.truncate(abort.capturedStart());
    }
    static const QRegularExpression withMetric(
        QStringLiteral("^([A-Za-z_][A-Za-z0-9_:.-]*?(\\{[^}]*\\})?)\\s*[:=]\\s*(\\S.*)$"));
    const QRegularExpressionMatch m = withMetric.match(expression);
    // "p(95)<200" has no metric; "http_req_duration{name:x}: p(95)<200" has one.
    if (m.hasMatch() && !m.captured(1).contains(u'(')) {
        spec.metric = m.captured(1);
        expression = m.captured(3).trimmed();
    }
    QString why;
    const auto parsed = ThresholdExpression::parse(expression, &why);
    if (!parsed) {
        *error = QStringLiteral("--threshold: ") + quoted(text) +
                 QStringLiteral(" is not a threshold expression: ") + why;
        return std::nullopt;
    }
    if (spec.metric.isEmpty()) {
        switch (parsed->aggregation) {
        case ThresholdExpression::Rate:
            spec.metric = QStringLiteral("http_req_failed");
            break;
        case ThresholdExpression::Count:
            spec.metric = QStringLiteral("http_reqs");
            break;
        default:
            spec.metric = QStringLiteral("http_req_duration");
            break;
        }
    }
    spec.expression = expression;
    return spec;
}

std::optional<RunRequest> runRequestFromOptions(const QCommandLineParser &p, QString *error)
{
    RunRequest request;
    const QStringList positional = p.positionalArguments();
    if (positional.size() > 1) {
        *error = QStringLiteral("expects at most one plan file, got ") +
                 QString::number(positional.size()) + QStringLiteral(" (") +
                 positional.join(QStringLiteral(", ")) + u')';
        return std::nullopt;
    }

    std::optional<TestType> type;
    if (p.isSet(QStringLiteral("type"))) {
        type = testTypeFromString(p.value(QStringLiteral("type")));
        if (!type) {
            QStringList names;
            for (TestType t : allTestTypes())
                names.append(testTypeName(t));
            *error = QStringLiteral("--type: ") + quoted(p.value(QStringLiteral("type"))) +
                     QStringLiteral(" is not a test type (") + names.join(QStringLiteral(", ")) +
                     u')';
            return std::nullopt;
        }
    }

    TestPlan &plan = request.plan;
    if (!positional.isEmpty()) {
        request.planFile = positional.first();
        QFile file(request.planFile);
        if (!file.open(QIODevice::ReadOnly)) {
            *error =
                request.planFile + QStringLiteral(": cannot read the plan: ") + file.errorString();
            return std::nullopt;
        }
        QString why;
        const auto loaded = planFromJsonBytes(file.readAll(), &why);
        if (!loaded) {
            *error = request.planFile + QStringLiteral(": ") + why;
            return std::nullopt;
        }
        plan = *loaded;
        if (type)
            plan.type = *type;
    } else {
        plan = presetPlan(type.value_or(TestType::ApiLatency));
    }

    if (p.isSet(QStringLiteral("base-url")))
        plan.baseUrl = p.value(QStringLiteral("base-url"));

    const QStringList endpoints = p.values(QStringLiteral("endpoint"));
    const QString method = p.value(QStringLiteral("method")).toUpper();
    if (!endpoints.isEmpty()) {
        plan.steps.clear();
        for (const QString &endpoint : endpoints) {
            Step step;
            if (!applyEndpoint(endpoint, plan, &step.path, error))
                return std::nullopt;
            step.method = method.isEmpty() ? QStringLiteral("GET") : method;
            plan.steps.append(step);
        }
    } else if (!method.isEmpty()) {
        for (Step &step : plan.steps)
            step.method = method;
    }

    LoadModel &load = plan.load;
    if (p.isSet(QStringLiteral("stages"))) {
        const auto stages = parseStagesOption(p.value(QStringLiteral("stages")), error);
        if (!stages)
            return std::nullopt;
        load.stages = *stages;
        load.executor = isOpenModel(load.executor) || p.isSet(QStringLiteral("rate"))
                            ? Executor::RampingArrivalRate
                            : Executor::RampingVus;
    }
    if (p.isSet(QStringLiteral("rate"))) {
        bool ok = false;
        const double rate = p.value(QStringLiteral("rate")).toDouble(&ok);
        if (!ok || rate <= 0 || !std::isfinite(rate)) {
            *error = QStringLiteral("--rate: ") + quoted(p.value(QStringLiteral("rate"))) +
                     QStringLiteral(" is not a positive number of requests per second");
            return std::nullopt;
        }
        if (load.executor == Executor::RampingArrivalRate) {
            scaleTargetsTo(load.stages, rate);
        } else {
            const qint64 total = load.totalDurationMs();
            const int vus =
                load.executor == Executor::RampingVus ? int(peakTarget(load.stages)) : load.vus;
            load.executor = Executor::ConstantArrivalRate;
            load.durationMs = total;
            load.rate = rate;
            load.timeUnitMs = 1000;
            load.preAllocatedVus = std::max(1, vus);
            load.maxVus = std::max(load.preAllocatedVus, std::max(load.maxVus, vus * 10));
        }
    }
    if (p.isSet(QStringLiteral("duration"))) {
        QString why;
        const auto ms = parseDurationMs(p.value(QStringLiteral("duration")), &why);
        if (!ms || *ms <= 0) {
            *error = QStringLiteral("--duration: ") + quoted(p.value(QStringLiteral("duration"))) +
                     QStringLiteral(" is not a positive duration") +
                     (why.isEmpty() ? QString() : QStringLiteral(": ") + why);
            return std::nullopt;
        }
        if (isRamping(load.executor))
            scaleStagesTo(load.stages, *ms);
        else
            load.durationMs = *ms;
    }
    if (p.isSet(QStringLiteral("concurrency"))) {
        int vus = 0;
        if (!positiveInt(p, "concurrency", 1, &vus, error))
            return std::nullopt;
        switch (load.executor) {
        case Executor::ConstantVus:
            load.vus = vus;
            break;
        case Executor::RampingVus:
            scaleTargetsTo(load.stages, vus);
            break;
        case Executor::ConstantArrivalRate:
        case Executor::RampingArrivalRate:
            load.maxVus = vus;
            load.preAllocatedVus = std::min(load.preAllocatedVus, vus);
            break;
        }
    }
    if (!positiveInt(p, "threads", 1, &plan.threads, error))
        return std::nullopt;
    if (p.isSet(QStringLiteral("timeout"))) {
        QString why;
        const auto ms = parseDurationMs(p.value(QStringLiteral("timeout")), &why);
        if (!ms || *ms <= 0) {
            *error = QStringLiteral("--timeout: ") + quoted(p.value(QStringLiteral("timeout"))) +
                     QStringLiteral(" is not a positive duration");
            return std::nullopt;
        }
        plan.timeouts.requestMs = *ms;
    }
    if (p.isSet(QStringLiteral("http2")))
        plan.http2 = true;
    if (p.isSet(QStringLiteral("insecure")))
        plan.insecureSkipTlsVerify = true;
    if (p.isSet(QStringLiteral("version-label")))
        plan.versionLabel = p.value(QStringLiteral("version-label"));
    const QStringList thresholds = p.values(QStringLiteral("threshold"));
    if (!thresholds.isEmpty()) {
        plan.thresholds.clear();
        for (const QString &text : thresholds) {
            const auto spec = parseThresholdOption(text, error);
            if (!spec)
                return std::nullopt;
            plan.thresholds.append(*spec);
        }
    }

    request.outputFile = p.value(QStringLiteral("output-file"));
    if (p.isSet(QStringLiteral("format"))) {
        const auto format = formatFromName(p.value(QStringLiteral("format")));
        if (!format) {
            *error = QStringLiteral("--format: ") + quoted(p.value(QStringLiteral("format"))) +
                     QStringLiteral(" is not json, csv, junit, html or md");
            return std::nullopt;
        }
        request.format = *format;
    } else if (!request.outputFile.isEmpty()) {
        request.format =
            formatFromName(QFileInfo(request.outputFile).suffix()).value_or(ResultFormat::Json);
    }
    request.useDb = !p.isSet(QStringLiteral("no-db"));
    const QString baseline = p.value(QStringLiteral("baseline"));
    if (baseline == QLatin1String("last")) {
        request.baseline.mode = BaselineChoice::Last;
    } else if (baseline == QLatin1String("none")) {
        request.baseline.mode = BaselineChoice::None;
    } else if (!baseline.isEmpty()) {
        bool ok = false;
        request.baseline.id = baseline.toLongLong(&ok);
        request.baseline.mode = BaselineChoice::Id;
        if (!ok || request.baseline.id <= 0) {
            *error = QStringLiteral("--baseline: ") + quoted(baseline) +
                     QStringLiteral(" is not \"last\", \"none\" or a result ID");
            return std::nullopt;
        }
    }
    if (!request.useDb && (request.baseline.mode == BaselineChoice::Last ||
                           request.baseline.mode == BaselineChoice::Id)) {
        *error = QStringLiteral("--baseline: comparing with a stored run needs the history "
                                "database (drop --no-db)");
        return std::nullopt;
    }
    request.monitor.enabled = !p.isSet(QStringLiteral("no-monitor"));
    if (p.isSet(QStringLiteral("target-pid"))) {
        bool ok = false;
        request.monitor.targetPid = p.value(QStringLiteral("target-pid")).toLongLong(&ok);
        if (!ok || request.monitor.targetPid <= 0) {
            *error = QStringLiteral("--target-pid: ") +
                     quoted(p.value(QStringLiteral("target-pid"))) +
                     QStringLiteral(" is not a process ID");
            return std::nullopt;
        }
    }
    if (p.isSet(QStringLiteral("target-metrics"))) {
        const QUrl url(p.value(QStringLiteral("target-metrics")), QUrl::StrictMode);
        if (!url.isValid() ||
            (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))) {
            *error = QStringLiteral("--target-metrics: ") +
                     quoted(p.value(QStringLiteral("target-metrics"))) +
                     QStringLiteral(" is not an http(s) URL");
            return std::nullopt;
        }
        request.monitor.prometheusUrl = url;
    }
    request.monitor.gauges = p.values(QStringLiteral("target-gauge"));
    request.failOnRegression = p.isSet(QStringLiteral("fail-on-regression"));
    request.quiet = p.isSet(QStringLiteral("quiet"));

    const QStringList problems = validatePlan(plan);
    if (!problems.isEmpty()) {
        const QString where =
            request.planFile.isEmpty() ? QStringLiteral("plan") : request.planFile;
        *error = where + QStringLiteral(": ") + problems.join(u'\n' + where + QStringLiteral(": "));
        return std::nullopt;
    }
    return request;
}

} // namespace loadscope
