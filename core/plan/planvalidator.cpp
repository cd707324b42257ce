#include "planvalidator.h"

#include <cmath>

#include <QRegularExpression>
#include <QSet>
#include <QUrl>

#include "plan/thresholdexpression.h"

namespace loadscope {

namespace {

QString quoted(const QString &text)
{
    return u'"' + text + u'"';
}

bool isVariableName(const QString &name)
{
    static const QRegularExpression pattern(QStringLiteral(R"(^[A-Za-z_][A-Za-z0-9_.\-]*$)"));
    return pattern.match(name).hasMatch();
}

bool isHttpUrl(const QString &text)
{
    const QUrl url(text, QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    return url.isValid() && (scheme == u"http" || scheme == u"https") && !url.host().isEmpty();
}

class Validator
{
public:
    Validator(const TestPlan &plan, const QStringList *dataColumns)
        : m_plan(plan)
        , m_dataColumns(dataColumns)
    {}

    QList<PlanIssue> run()
    {
        checkTop();
        checkSteps();
        checkLoad();
        checkThresholds();
        return m_issues;
    }

private:
    void error(const QString &path, const QString &message)
    {
        m_issues.append({PlanIssue::Severity::Error, path, message});
    }
    void warning(const QString &path, const QString &message)
    {
        m_issues.append({PlanIssue::Severity::Warning, path, message});
    }

    void positiveDuration(const QString &path, qint64 ms)
    {
        if (ms <= 0)
            error(path, QStringLiteral("must be greater than zero"));
    }
    void nonNegativeDuration(const QString &path, qint64 ms)
    {
        if (ms < 0)
            error(path, QStringLiteral("must not be negative"));
    }

    void checkTop();
    void checkSteps();
    void checkStep(const Step &step, const QString &path, const QSet<QString> &known);
    void checkReferences(const QString &text, const QString &path, const QSet<QString> &known);
    void checkLoad();
    void checkStages(const QString &what);
    void checkThresholds();

    const TestPlan &m_plan;
    const QStringList *m_dataColumns;
    QList<PlanIssue> m_issues;
};

void Validator::checkTop()
{
    if (m_plan.name.trimmed().isEmpty())
        error(QStringLiteral("name"),
              QStringLiteral("must not be empty (the history keeps runs under their test's name)"));
    if (!m_plan.baseUrl.isEmpty() && !isHttpUrl(m_plan.baseUrl))
        error(QStringLiteral("baseUrl"),
              quoted(m_plan.baseUrl) + QLatin1String(" is not an http or https URL"));
    for (auto it = m_plan.variables.begin(); it != m_plan.variables.end(); ++it) {
        if (!isVariableName(it.key()))
            error(QLatin1String("variables.") + it.key(),
                  quoted(it.key()) +
                      QLatin1String(" is not a variable name (letters, digits, _, - and ., "
                                    "not starting with a digit)"));
    }
    positiveDuration(QStringLiteral("timeouts.request"), m_plan.timeouts.requestMs);
    positiveDuration(QStringLiteral("timeouts.connect"), m_plan.timeouts.connectMs);
    if (m_plan.threads < 0)
        error(QStringLiteral("options.threads"),
              QStringLiteral("must not be negative (0 = one per core)"));
    if (m_plan.maxRedirects < 0 || m_plan.maxRedirects > 1000)
        error(QStringLiteral("options.maxRedirects"),
              QStringLiteral("must be between 0 (redirects are responses) and 1000"));
    if (m_plan.maxHeaderBytes < 1024 || m_plan.maxHeaderBytes > 16 * 1024 * 1024)
        error(QStringLiteral("options.maxHeaderBytes"),
              QStringLiteral("must be between 1024 and 16777216 (16 MiB)"));
    if (m_plan.intervalMs < 100)
        error(QStringLiteral("options.interval"), QStringLiteral("must be at least 100ms"));
    if (!m_plan.transport.isEmpty() && m_plan.transport != QLatin1String("lean") &&
        m_plan.transport != QLatin1String("qnam"))
        error(QStringLiteral("options.transport"),
              quoted(m_plan.transport) +
                  QLatin1String(" is not a transport: lean (the default) or qnam (Qt's network "
                                "stack, for proxies, authentication challenges and redirects)"));
    if (m_plan.connections < 0 || m_plan.connections > 100000)
        error(QStringLiteral("options.connections"),
              QStringLiteral("must be between 0 (as many as the streams need) and 100000"));
    if (m_plan.maxStreams < 0 || m_plan.maxStreams > 100000)
        error(QStringLiteral("options.maxConcurrentStreams"),
              QStringLiteral("must be between 0 (what the server allows) and 100000"));
    if (!m_plan.proxy.isEmpty() && !isHttpUrl(m_plan.proxy))
        error(QStringLiteral("options.proxy"),
              quoted(m_plan.proxy) + QLatin1String(" is not an http or https URL"));
}

void Validator::checkSteps()
{
    if (m_plan.steps.isEmpty()) {
        error(QStringLiteral("steps"), QStringLiteral("a plan needs at least one step"));
        return;
    }
    // Names a step may use: variables, data columns, and what earlier steps extract.
    QSet<QString> known;
    for (auto it = m_plan.variables.begin(); it != m_plan.variables.end(); ++it)
        known.insert(it.key());
    if (m_dataColumns) {
        for (const QString &column : *m_dataColumns)
            known.insert(column);
    }
    for (qsizetype i = 0; i < m_plan.steps.size(); ++i) {
        const Step &step = m_plan.steps[i];
        checkStep(step, QLatin1String("steps[") + QString::number(i) + u']', known);
        for (const Extraction &extraction : step.extractions)
            known.insert(extraction.name);
    }
}

void Validator::checkStep(const Step &step, const QString &path, const QSet<QString> &known)
{
    if (!isHttpMethod(step.method))
        error(path + QLatin1String(".method"),
              quoted(step.method) +
                  QLatin1String(" is not an HTTP method (GET, HEAD, POST, PUT, PATCH, DELETE, "
                                "OPTIONS)"));
    if (!step.path.startsWith(u'/')) {
        const bool absolute = step.path.startsWith(QLatin1String("http://"), Qt::CaseInsensitive) ||
                              step.path.startsWith(QLatin1String("https://"), Qt::CaseInsensitive);
        if (!absolute || !isHttpUrl(step.path))
            error(path + QLatin1String(".path"),
                  QStringLiteral("must start with \"/\" (or be an absolute http or https URL)"));
    }
    checkReferences(step.path, path + QLatin1String(".path"), known);

    for (qsizetype h = 0; h < step.headers.size(); ++h) {
        const QString headerPath = path + QLatin1String(".headers[") + QString::number(h) + u']';
        const auto &header = step.headers[h];
        if (!isHeaderName(header.first))
            error(headerPath + QLatin1String(".name"),
                  quoted(header.first) + QLatin1String(" is not a valid header name"));
        if (header.second.contains(u'\r') || header.second.contains(u'\n'))
            error(headerPath + QLatin1String(".value"),
                  QStringLiteral("must not contain line breaks"));
        checkReferences(header.second, headerPath + QLatin1String(".value"), known);
    }
    if (!step.body.isEmpty() && !step.bodyFile.isEmpty())
        error(path + QLatin1String(".bodyFile"),
              QStringLiteral("set either body or bodyFile, not both"));
    checkReferences(step.body, path + QLatin1String(".body"), known);
    nonNegativeDuration(path + QLatin1String(".thinkTime"), step.thinkTimeMs);

    for (qsizetype c = 0; c < step.checks.size(); ++c) {
        const Check &check = step.checks[c];
        const QString checkPath = path + QLatin1String(".checks[") + QString::number(c) + u']';
        switch (check.kind) {
        case Check::Kind::Status:
            if (check.status < 100 || check.status > 599)
                error(checkPath + QLatin1String(".equals"),
                      QString::number(check.status) + QLatin1String(" is not an HTTP status"));
            break;
        case Check::Kind::BodyContains:
            if (check.text.isEmpty())
                error(checkPath + QLatin1String(".value"), QStringLiteral("must not be empty"));
            break;
        case Check::Kind::JsonPointerEquals:
        case Check::Kind::JsonPointerExists:
            if (!check.pointer.startsWith(u'/'))
                error(checkPath + QLatin1String(".pointer"),
                      QStringLiteral("must start with \"/\""));
            else if (!isJsonPointer(check.pointer))
                error(checkPath + QLatin1String(".pointer"),
                      QStringLiteral("\"~\" must be followed by 0 or 1 (RFC 6901)"));
            if (check.kind == Check::Kind::JsonPointerEquals && check.value.isUndefined())
                error(checkPath + QLatin1String(".value"), QStringLiteral("is required"));
            break;
        }
    }

    QSet<QString> names;
    for (qsizetype e = 0; e < step.extractions.size(); ++e) {
        const Extraction &extraction = step.extractions[e];
        const QString extractPath = path + QLatin1String(".extract[") + QString::number(e) + u']';
        if (!isVariableName(extraction.name))
            error(extractPath + QLatin1String(".name"),
                  quoted(extraction.name) + QLatin1String(" is not a variable name"));
        else if (names.contains(extraction.name))
            error(extractPath + QLatin1String(".name"),
                  quoted(extraction.name) + QLatin1String(" is extracted twice in this step"));
        names.insert(extraction.name);
        const QString expressionPath = extractPath + QLatin1String(".expression");
        switch (extraction.source) {
        case Extraction::Source::JsonPointer:
            if (!extraction.expression.startsWith(u'/'))
                error(expressionPath, QStringLiteral("must start with \"/\""));
            else if (!isJsonPointer(extraction.expression))
                error(expressionPath,
                      QStringLiteral("\"~\" must be followed by 0 or 1 (RFC 6901)"));
            break;
        case Extraction::Source::Header:
            if (!isHeaderName(extraction.expression))
                error(expressionPath,
                      quoted(extraction.expression) + QLatin1String(" is not a valid header name"));
            break;
        case Extraction::Source::Regex: {
            const QRegularExpression regex(extraction.expression);
            if (extraction.expression.isEmpty()) {
                error(expressionPath, QStringLiteral("must not be empty"));
            } else if (!regex.isValid()) {
                error(expressionPath, QLatin1String("invalid regular expression: ") +
                                          regex.errorString() + QLatin1String(" at offset ") +
                                          QString::number(regex.patternErrorOffset()));
            } else if (extraction.group < 0 || extraction.group > regex.captureCount()) {
                error(extractPath + QLatin1String(".group"),
                      QStringLiteral("the expression has no capture group %1 (it has %2)")
                          .arg(extraction.group)
                          .arg(regex.captureCount()));
            }
            break;
        }
        }
    }
}

void Validator::checkReferences(const QString &text, const QString &path,
                                const QSet<QString> &known)
{
    // With a data file whose columns are not known here, any name could come from it.
    if (!m_plan.dataFile.isEmpty() && !m_dataColumns)
        return;
    for (const QString &name : templateReferences(text)) {
        if (!known.contains(name))
            warning(path, QLatin1String("{{") + name +
                              QLatin1String("}} is not defined: no earlier step extracts it "
                                            "and no variable or data column provides it"));
    }
}

void Validator::checkLoad()
{
    const LoadModel &load = m_plan.load;
    const QString executor = executorName(load.executor);
    switch (load.executor) {
    case Executor::ConstantVus:
        if (load.vus < 1)
            error(QStringLiteral("load.vus"), QStringLiteral("must be at least 1"));
        positiveDuration(QStringLiteral("load.duration"), load.durationMs);
        break;
    case Executor::RampingVus:
        if (load.startVus < 0)
            error(QStringLiteral("load.startVUs"), QStringLiteral("must not be negative"));
        checkStages(executor);
        nonNegativeDuration(QStringLiteral("load.gracefulRampDown"), load.gracefulRampDownMs);
        break;
    case Executor::ConstantArrivalRate:
        if (!(load.rate > 0) || !std::isfinite(load.rate))
            error(QStringLiteral("load.rate"), QStringLiteral("must be greater than zero"));
        positiveDuration(QStringLiteral("load.duration"), load.durationMs);
        break;
    case Executor::RampingArrivalRate:
        if (!(load.startRate >= 0) || !std::isfinite(load.startRate))
            error(QStringLiteral("load.startRate"), QStringLiteral("must not be negative"));
        checkStages(executor);
        break;
    }
    if (isOpenModel(load.executor)) {
        positiveDuration(QStringLiteral("load.timeUnit"), load.timeUnitMs);
        if (load.preAllocatedVus < 1)
            error(QStringLiteral("load.preAllocatedVUs"), QStringLiteral("must be at least 1"));
        if (load.maxVus < load.preAllocatedVus)
            error(QStringLiteral("load.maxVUs"),
                  QStringLiteral("must be >= preAllocatedVUs (%1)").arg(load.preAllocatedVus));
    }
    nonNegativeDuration(QStringLiteral("load.gracefulStop"), load.gracefulStopMs);
}

void Validator::checkStages(const QString &what)
{
    const LoadModel &load = m_plan.load;
    if (load.stages.isEmpty()) {
        error(QStringLiteral("load.stages"), what + QLatin1String(" needs at least one stage"));
        return;
    }
    for (qsizetype i = 0; i < load.stages.size(); ++i) {
        const QString path = QLatin1String("load.stages[") + QString::number(i) + u']';
        const Stage &stage = load.stages[i];
        nonNegativeDuration(path + QLatin1String(".duration"), stage.durationMs);
        if (!(stage.target >= 0) || !std::isfinite(stage.target))
            error(path + QLatin1String(".target"), QStringLiteral("must not be negative"));
        else if (load.executor == Executor::RampingVus && stage.target != std::floor(stage.target))
            error(path + QLatin1String(".target"), QStringLiteral("must be a whole number of VUs"));
    }
    if (load.totalDurationMs() <= 0)
        error(QStringLiteral("load.stages"),
              QStringLiteral("the stages must last longer than zero in total"));
    // Without any target above zero the run would only wait out its duration and then fail
    // for having sent nothing: that is a mistake in the plan, found before running.
    const bool open = load.executor == Executor::RampingArrivalRate;
    bool anyLoad = open ? load.startRate > 0 : load.startVus > 0;
    for (const Stage &stage : load.stages)
        anyLoad = anyLoad || stage.target > 0;
    if (!anyLoad)
        error(QStringLiteral("load.stages"),
              open ? QStringLiteral("every stage's target and startRate are 0, so no iteration "
                                    "would ever start")
                   : QStringLiteral("every stage's target and startVUs are 0, so no virtual user "
                                    "would ever run"));
}

void Validator::checkThresholds()
{
    QHash<QString, int> indexInMetric;
    for (const ThresholdSpec &spec : m_plan.thresholds) {
        const QString metricPath = QLatin1String("thresholds[") + spec.metric + u']';
        const int index = indexInMetric.value(spec.metric, 0);
        indexInMetric.insert(spec.metric, index + 1);
        const QString path = metricPath + u'[' + QString::number(index) + u']';

        QString why;
        const auto selector = parseMetric(spec.metric, &why);
        if (!selector) {
            // Reported once per metric.
            if (index == 0)
                error(metricPath, quoted(spec.metric) + QLatin1String(" is not a metric: ") + why);
            continue;
        }
        const auto expression = ThresholdExpression::parse(spec.expression, &why);
        if (!expression) {
            error(path, quoted(spec.expression) +
                            QLatin1String(" is not a threshold expression: ") + why);
            continue;
        }
        const auto kind = metricKind(selector->name);
        if (!kind) {
            if (index == 0)
                warning(metricPath, QLatin1String("unknown metric ") + quoted(selector->name));
        } else if (!aggregationApplies(expression->aggregation, *kind)) {
            error(path, quoted(spec.expression) + QLatin1String(" does not apply to ") +
                            selector->name + QLatin1String(", a ") + metricKindName(*kind) +
                            QLatin1String(" metric"));
        }
        nonNegativeDuration(path + QLatin1String(".delayAbortEval"), spec.delayAbortEvalMs);
    }
}

} // namespace

QString PlanIssue::toString() const
{
    return path + QLatin1String(": ") + message;
}

QList<PlanIssue> planIssues(const TestPlan &plan, const QStringList *dataColumns)
{
    return Validator(plan, dataColumns).run();
}

QStringList validatePlan(const TestPlan &plan, const QStringList *dataColumns)
{
    QStringList out;
    for (const PlanIssue &issue : planIssues(plan, dataColumns))
        out.append(issue.toString());
    return out;
}

QStringList planErrors(const TestPlan &plan, const QStringList *dataColumns)
{
    QStringList out;
    for (const PlanIssue &issue : planIssues(plan, dataColumns)) {
        if (issue.severity == PlanIssue::Severity::Error)
            out.append(issue.toString());
    }
    return out;
}

bool isHttpMethod(const QString &method)
{
    static const QStringList methods = {QStringLiteral("GET"),    QStringLiteral("HEAD"),
                                        QStringLiteral("POST"),   QStringLiteral("PUT"),
                                        QStringLiteral("PATCH"),  QStringLiteral("DELETE"),
                                        QStringLiteral("OPTIONS")};
    return methods.contains(method);
}

bool isJsonPointer(const QString &pointer)
{
    if (!pointer.startsWith(u'/'))
        return false;
    for (qsizetype i = 0; i < pointer.size(); ++i) {
        if (pointer[i] == u'~' &&
            (i + 1 >= pointer.size() || (pointer[i + 1] != u'0' && pointer[i + 1] != u'1')))
            return false;
    }
    return true;
}

bool isHeaderName(const QString &name)
{
    static const QRegularExpression token(QStringLiteral(R"(^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$)"));
    return token.match(name).hasMatch();
}

} // namespace loadscope
