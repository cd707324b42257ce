#include "runoptions.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <limits>
#include <signal.h>

#include <QCommandLineParser>
#include <QFileInfo>
#include <QUrl>

#include "cli/commandline.h"
#include "plan/planjson.h"
#include "plan/planoverrides.h"
#include "plan/planpresets.h"
#include "plan/planvalidator.h"
#include "store/historystore.h"

namespace loadscope {
namespace {

QString quoted(const QString &value)
{
    return u'"' + value + u'"';
}

//! The plan of the stored test --test names, read from --db (read-only: a scheduled run must
//! not migrate or lock the file before it has a plan).
std::optional<TestPlan> storedTestPlan(const QCommandLineParser &p, QString *error)
{
    const QString name = p.value(QStringLiteral("test"));
    const QString path =
        p.isSet(QStringLiteral("db")) ? p.value(QStringLiteral("db")) : HistoryStore::defaultPath();
    HistoryStore store;
    QString why;
    if (!store.open(path, HistoryStore::OpenMode::ReadOnly, &why)) {
        *error = QStringLiteral("--test: cannot read the history database: ") + why;
        return std::nullopt;
    }
    const auto test = store.findTestByName(name);
    if (!test) {
        QStringList names;
        for (const StoredTest &t : store.listTests())
            names << quoted(t.name);
        *error = QStringLiteral("--test: no stored test is named ") + quoted(name) +
                 QStringLiteral(" in ") + path +
                 (names.isEmpty()
                      ? QStringLiteral(" (it holds none)")
                      : QStringLiteral(" (stored: ") + names.join(QStringLiteral(", ")) + u')');
        return std::nullopt;
    }
    auto plan = planFromJson(test->plan, &why);
    if (!plan)
        *error = QStringLiteral("--test: the stored plan of ") + quoted(name) +
                 QStringLiteral(" cannot be read: ") + why;
    return plan;
}

} // namespace

void addRunOptions(SubcommandLine &line)
{
    line.addValueOption(
        {QStringLiteral("type")},
        "Test type preset: API_LATENCY, LOAD_TEST, STRESS_TEST, ML_PREDICTION_THROUGHPUT, "
        "SIGNAL_GENERATION, STRATEGY_EXECUTION, END_TO_END (default API_LATENCY).",
        "TYPE");
    line.addValueOption({QStringLiteral("base-url"), QStringLiteral("baseUrl")},
                        "Target base URL (default: the built-in sample API, started in-process).",
                        "URL");
    line.addValueOption(
        {QStringLiteral("endpoint")},
        "Request this path (or absolute URL); repeat for several. Replaces the plan's steps.",
        "PATH");
    line.addValueOption({QStringLiteral("method")},
                        "HTTP method of --endpoint requests (default GET).", "M");
    line.addValueOption(
        {QStringLiteral("duration")},
        "Test length: seconds or a k6 duration (30s, 2m). Ramping stages are scaled to fit.",
        "SECONDS");
    line.addValueOption({QStringLiteral("concurrency"), QStringLiteral("vus")},
                        "Virtual users (the peak of ramping stages is scaled to it).", "N");
    line.addValueOption({QStringLiteral("rate")}, "Open model: requests (iterations) per second.",
                        "RPS");
    line.addValueOption({QStringLiteral("stages")}, "Ramping stages, e.g. 30s:10,60s:50,30s:0.",
                        "STAGES");
    line.addValueOption(
        {QStringLiteral("threshold")},
        "Pass/fail threshold in k6 syntax, e.g. 'p(95)<200' or 'http_req_failed: rate<0.01'; "
        "append ';abortOnFail' to stop the run when crossed. Repeatable.",
        "EXPR");
    line.addValueOption({QStringLiteral("threads")}, "Worker threads (default: one per core).",
                        "N");
    line.addValueOption({QStringLiteral("timeout")},
                        "Per-request timeout (seconds or k6 duration).", "T");
    line.addFlag({QStringLiteral("http2")},
                 "Use HTTP/2 (the lean client: ALPN h2 over TLS, h2c with prior knowledge on "
                 "http://); same as --http=2.");
    line.addValueOption({QStringLiteral("http")},
                        "HTTP version: 1.1 (default), 2, or auto (https: ALPN picks h2 or "
                        "HTTP/1.1).",
                        "1.1|2|auto");
    line.addValueOption({QStringLiteral("transport")},
                        "lean (default) or qnam (Qt's network stack: proxies, authentication "
                        "challenges, redirects over HTTP/2).",
                        "lean|qnam");
    line.addValueOption({QStringLiteral("connections")},
                        "HTTP/2: connections the VUs' streams are multiplexed over (default: a "
                        "new one only when the open ones are full).",
                        "N");
    line.addValueOption({QStringLiteral("max-streams")},
                        "HTTP/2: concurrent streams per connection (default: the server's "
                        "SETTINGS_MAX_CONCURRENT_STREAMS).",
                        "N");
    line.addFlag({QStringLiteral("insecure")}, "Do not verify TLS certificates.");
    line.addValueOption({QStringLiteral("output-file"), QStringLiteral("outputFile")},
                        "Write the result here.", "FILE");
    line.addValueOption(
        {QStringLiteral("format")},
        "Output file format: json, csv, junit, html or md (default: from the file's extension, "
        "else json).",
        "FORMAT");
    line.addDbOption();
    line.addFlag({QStringLiteral("no-db")}, "Do not store the run in the history database.");
    line.addValueOption({QStringLiteral("version-label"), QStringLiteral("versionLabel")},
                        "Version of the target under test, stored with the run.", "V");
    line.addValueOption(
        {QStringLiteral("baseline")},
        "Compare with the previous completed run of this test (last), a run ID, or none "
        "(default: the test's pinned baseline, else its previous run).",
        "last|ID|none");
    line.addValueOption(
        {QStringLiteral("target-pid")},
        "Monitor this process as the target (default: found from a local target's port).", "PID");
    line.addValueOption({QStringLiteral("target-metrics")},
                        "Scrape a remote target's Prometheus endpoint every interval.", "URL");
    line.addValueOption({QStringLiteral("target-gauge")},
                        "Also record this Prometheus gauge. Repeatable.", "NAME");
    line.addFlag({QStringLiteral("no-monitor")}, "Do not sample CPU and memory.");
    line.addFlag({QStringLiteral("fail-on-regression")},
                 "Exit 98 when the comparison finds a regression.");
    line.addFlag({QStringLiteral("quiet"), QStringLiteral("q")}, "At most one line per interval.");
    line.addValueOption({QStringLiteral("test")},
                        "Run the plan of this stored test (by name) instead of a plan file.",
                        "NAME");
    line.addFlag({QStringLiteral("scheduled")},
                 "Mark the run as started by a schedule (`loadscope-cli schedule add`).");
    line.addValueOption({QStringLiteral("segment")},
                        "Run segment I (0-based) of N of the plan, as one of N scale-out agents: "
                        "its share of the VUs, rates and data rows. Keeps histograms in the "
                        "result and does not store the run unless --db is given.",
                        "I/N");
    line.addValueOption(
        {QStringLiteral("start-at")},
        "Wait until this wall-clock time (RFC 3339 or Unix seconds), so agents start together.",
        "TIME");
    line.addFlag({QStringLiteral("histograms")},
                 "Keep every interval's HDR histograms in the JSON result (for `merge`).");
    line.addValueOption({QStringLiteral("report-to")},
                        "Report the JSON result: '-' prints it as the last line of stdout, a URL "
                        "posts it to a Loadscope REST API (token from $LOADSCOPE_TOKEN).",
                        "URL|-");
    line.addPositional(QStringLiteral("PLAN"), QStringLiteral("Plan JSON file (optional)."),
                       QStringLiteral("[PLAN.json]"));
}

std::optional<QList<Stage>> parseStagesOption(const QString &text, QString *error)
{
    auto stages = parseStageList(text, error);
    if (!stages)
        *error = QStringLiteral("--stages: ") + *error;
    return stages;
}

std::optional<ThresholdSpec> parseThresholdOption(const QString &text, QString *error)
{
    auto spec = parseThresholdText(text, error);
    if (!spec)
        *error = QStringLiteral("--threshold: ") + *error;
    return spec;
}

std::optional<QDateTime> parseWallClockTime(const QString &text, QString *error)
{
    const QString t = text.trimmed();
    bool isNumber = false;
    const double epoch = t.toDouble(&isNumber);
    if (isNumber) {
        // Seconds, as `date +%s` prints them; up to the year 9999.
        if (!std::isfinite(epoch) || epoch < 0 || epoch > 253402300799.0) {
            *error = quoted(text) + QStringLiteral(" is not a time in Unix seconds");
            return std::nullopt;
        }
        return QDateTime::fromMSecsSinceEpoch(qint64(std::llround(epoch * 1000.0)), Qt::UTC);
    }
    QDateTime time = QDateTime::fromString(t, Qt::ISODateWithMs);
    // RFC 3339 needs a zone (Z or an offset): a time without one would mean each agent's own.
    const bool zoned = t.endsWith(u'Z') || t.endsWith(u'z') ||
                       (t.size() > 6 && (t[t.size() - 6] == u'+' || t[t.size() - 6] == u'-'));
    if (!time.isValid() || !zoned) {
        *error = quoted(text) +
                 QStringLiteral(" is not an RFC 3339 time with a zone (2026-12-02T20:15:00Z) or "
                                "Unix seconds");
        return std::nullopt;
    }
    return time.toUTC();
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
    if (p.isSet(QStringLiteral("test"))) {
        if (!positional.isEmpty()) {
            *error = QStringLiteral("--test: names a stored test; give it or a plan file (") +
                     positional.first() + QStringLiteral("), not both");
            return std::nullopt;
        }
        const auto stored = storedTestPlan(p, error);
        if (!stored)
            return std::nullopt;
        plan = *stored;
        if (type)
            plan.type = *type;
    } else if (!positional.isEmpty()) {
        request.planFile = positional.first();
        QString why;
        const auto loaded = planFromFile(request.planFile, &why);
        if (!loaded) {
            // One line per problem, each naming the file, as the validation below prints them.
            *error = request.planFile + QStringLiteral(": ") +
                     why.split(u'\n').join(u'\n' + request.planFile + QStringLiteral(": "));
            return std::nullopt;
        }
        plan = *loaded;
        if (type)
            plan.type = *type;
    } else {
        plan = presetPlan(type.value_or(TestType::ApiLatency));
    }

    PlanOverrides overrides;
    const auto text = [&p](const char *name) -> std::optional<QString> {
        const QString option = QString::fromLatin1(name);
        return p.isSet(option) ? std::optional<QString>(p.value(option)) : std::nullopt;
    };
    overrides.baseUrl = text("base-url");
    overrides.endpoints = p.values(QStringLiteral("endpoint"));
    overrides.method = p.value(QStringLiteral("method"));
    overrides.stages = text("stages");
    overrides.rate = text("rate");
    overrides.duration = text("duration");
    overrides.concurrency = text("concurrency");
    overrides.threads = text("threads");
    overrides.timeout = text("timeout");
    overrides.versionLabel = text("version-label");
    if (p.isSet(QStringLiteral("threshold")))
        overrides.thresholds = p.values(QStringLiteral("threshold"));
    overrides.http2 = p.isSet(QStringLiteral("http2"));
    overrides.http = text("http");
    overrides.transport = text("transport");
    overrides.connections = text("connections");
    overrides.maxStreams = text("max-streams");
    overrides.insecure = p.isSet(QStringLiteral("insecure"));
    PlanOverrideError refused;
    if (!applyPlanOverrides(plan, overrides, &refused)) {
        *error = QStringLiteral("--") + refused.key + QStringLiteral(": ") + refused.message;
        return std::nullopt;
    }

    request.outputFile = p.value(QStringLiteral("output-file"));
    if (p.isSet(QStringLiteral("format"))) {
        const auto format = resultFormatFromName(p.value(QStringLiteral("format")));
        if (!format) {
            *error = QStringLiteral("--format: ") + quoted(p.value(QStringLiteral("format"))) +
                     QStringLiteral(" is not json, csv, junit, html or md");
            return std::nullopt;
        }
        request.format = *format;
    } else if (!request.outputFile.isEmpty()) {
        request.format = resultFormatFromName(QFileInfo(request.outputFile).suffix())
                             .value_or(ResultFormat::Json);
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
        if (!ok || request.monitor.targetPid <= 0 ||
            request.monitor.targetPid > std::numeric_limits<pid_t>::max()) {
            *error = QStringLiteral("--target-pid: ") +
                     quoted(p.value(QStringLiteral("target-pid"))) +
                     QStringLiteral(" is not a process ID");
            return std::nullopt;
        }
        // kill(pid, 0) sends nothing; ESRCH means no such process (EPERM: it exists, not ours).
        if (::kill(pid_t(request.monitor.targetPid), 0) != 0 && errno == ESRCH) {
            *error = QStringLiteral("--target-pid: no process has ID ") +
                     QString::number(request.monitor.targetPid);
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
    request.scheduled = p.isSet(QStringLiteral("scheduled"));

    if (p.isSet(QStringLiteral("segment"))) {
        QString why;
        const auto segment = ExecutionSegment::parse(p.value(QStringLiteral("segment")), &why);
        if (!segment) {
            *error = QStringLiteral("--segment: ") + why;
            return std::nullopt;
        }
        request.segment = *segment;
        // An agent's part of a run is not a run of the test: only its merge is stored.
        if (!p.isSet(QStringLiteral("db")))
            request.useDb = false;
        if (const QStringList split = request.segment.problems(plan); !split.isEmpty()) {
            *error = QStringLiteral("--segment=") + request.segment.toString() +
                     QStringLiteral(": ") + split.join(QStringLiteral("; "));
            return std::nullopt;
        }
    }
    if (p.isSet(QStringLiteral("start-at"))) {
        QString why;
        const auto at = parseWallClockTime(p.value(QStringLiteral("start-at")), &why);
        if (!at) {
            *error = QStringLiteral("--start-at: ") + why;
            return std::nullopt;
        }
        request.startAt = *at;
    }
    request.histograms =
        p.isSet(QStringLiteral("histograms")) || p.isSet(QStringLiteral("segment"));
    request.reportTo = p.value(QStringLiteral("report-to"));
    if (!request.reportTo.isEmpty() && request.reportTo != QLatin1String("-")) {
        const QUrl url(request.reportTo, QUrl::StrictMode);
        if (!url.isValid() ||
            (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))) {
            *error = QStringLiteral("--report-to: ") + quoted(request.reportTo) +
                     QStringLiteral(" is neither '-' (stdout) nor an http(s) URL");
            return std::nullopt;
        }
    }

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
