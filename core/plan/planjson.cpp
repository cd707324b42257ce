#include "planjson.h"

#include <algorithm>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include "plan/duration.h"
#include "plan/planjsonreader.h"
#include "plan/planvalidator.h"

namespace loadscope {

namespace {

QJsonValue headersToJson(const QList<QPair<QString, QString>> &headers)
{
    QJsonObject object;
    QStringList names;
    for (const auto &header : headers) {
        object.insert(header.first, header.second);
        names.append(header.first);
    }
    // The object form only when reading it back gives the same list (see planjson.h).
    if (object.keys() == names)
        return object;
    QJsonArray pairs;
    for (const auto &header : headers)
        pairs.append(QJsonArray{header.first, header.second});
    return pairs;
}

QJsonObject checkToJson(const Check &check)
{
    QJsonObject o{{QLatin1String("type"), checkKindName(check.kind)}};
    switch (check.kind) {
    case Check::Kind::Status:
        o.insert(QLatin1String("equals"), check.status);
        break;
    case Check::Kind::BodyContains:
        o.insert(QLatin1String("value"), check.text);
        break;
    case Check::Kind::JsonPointerEquals:
        o.insert(QLatin1String("pointer"), check.pointer);
        // An unset value is written as null so that the check stays readable.
        o.insert(QLatin1String("value"), check.value.isUndefined() ? QJsonValue() : check.value);
        break;
    case Check::Kind::JsonPointerExists:
        o.insert(QLatin1String("pointer"), check.pointer);
        break;
    }
    return o;
}

QJsonObject stepToJson(const Step &step)
{
    QJsonArray checks;
    for (const Check &check : step.checks)
        checks.append(checkToJson(check));
    QJsonArray extractions;
    for (const Extraction &extraction : step.extractions) {
        QJsonObject e{{QLatin1String("name"), extraction.name},
                      {QLatin1String("from"), extractionSourceName(extraction.source)},
                      {QLatin1String("expression"), extraction.expression}};
        if (extraction.source == Extraction::Source::Regex)
            e.insert(QLatin1String("group"), extraction.group);
        extractions.append(e);
    }
    return QJsonObject{{QLatin1String("name"), step.name},
                       {QLatin1String("method"), step.method},
                       {QLatin1String("path"), step.path},
                       {QLatin1String("headers"), headersToJson(step.headers)},
                       {QLatin1String("body"), step.body},
                       {QLatin1String("bodyFile"), step.bodyFile},
                       {QLatin1String("checks"), checks},
                       {QLatin1String("extract"), extractions},
                       {QLatin1String("thinkTime"), formatDurationMs(step.thinkTimeMs)}};
}

QJsonObject loadToJson(const LoadModel &load)
{
    QJsonArray stages;
    for (const Stage &stage : load.stages)
        stages.append(QJsonObject{{QLatin1String("duration"), formatDurationMs(stage.durationMs)},
                                  {QLatin1String("target"), stage.target}});
    return QJsonObject{
        {QLatin1String("executor"), executorName(load.executor)},
        {QLatin1String("vus"), load.vus},
        {QLatin1String("duration"), formatDurationMs(load.durationMs)},
        {QLatin1String("stages"), stages},
        {QLatin1String("startVUs"), load.startVus},
        {QLatin1String("startRate"), load.startRate},
        {QLatin1String("rate"), load.rate},
        {QLatin1String("timeUnit"), formatDurationMs(load.timeUnitMs)},
        {QLatin1String("preAllocatedVUs"), load.preAllocatedVus},
        {QLatin1String("maxVUs"), load.maxVus},
        {QLatin1String("gracefulRampDown"), formatDurationMs(load.gracefulRampDownMs)},
        {QLatin1String("gracefulStop"), formatDurationMs(load.gracefulStopMs)}};
}

} // namespace

QJsonObject toJson(const TestPlan &plan)
{
    QJsonObject variables;
    for (auto it = plan.variables.begin(); it != plan.variables.end(); ++it)
        variables.insert(it.key(), it.value());
    QJsonArray steps;
    for (const Step &step : plan.steps)
        steps.append(stepToJson(step));

    QJsonObject thresholds;
    for (const ThresholdSpec &spec : plan.thresholds) {
        QJsonArray list = thresholds.value(spec.metric).toArray();
        if (!spec.abortOnFail && spec.delayAbortEvalMs == 0)
            list.append(spec.expression);
        else
            list.append(QJsonObject{
                {QLatin1String("threshold"), spec.expression},
                {QLatin1String("abortOnFail"), spec.abortOnFail},
                {QLatin1String("delayAbortEval"), formatDurationMs(spec.delayAbortEvalMs)}});
        thresholds.insert(spec.metric, list);
    }

    QJsonObject options{{QLatin1String("threads"), plan.threads},
                        {QLatin1String("http2"), plan.http2},
                        {QLatin1String("insecureSkipTlsVerify"), plan.insecureSkipTlsVerify},
                        {QLatin1String("proxy"), plan.proxy},
                        {QLatin1String("maxRedirects"), plan.maxRedirects},
                        {QLatin1String("maxHeaderBytes"), double(plan.maxHeaderBytes)},
                        {QLatin1String("interval"), formatDurationMs(plan.intervalMs)}};
    // Written only when set, so that plans written before these existed read back the same.
    if (plan.httpAuto && !plan.http2)
        options.insert(QLatin1String("http"), QLatin1String("auto"));
    if (!plan.transport.isEmpty())
        options.insert(QLatin1String("transport"), plan.transport);
    if (plan.connections != 0)
        options.insert(QLatin1String("connections"), plan.connections);
    if (plan.maxStreams != 0)
        options.insert(QLatin1String("maxConcurrentStreams"), plan.maxStreams);

    return QJsonObject{
        {QLatin1String("schema"), QLatin1String(kPlanSchema)},
        {QLatin1String("name"), plan.name},
        {QLatin1String("description"), plan.description},
        {QLatin1String("testType"), testTypeName(plan.type)},
        {QLatin1String("baseUrl"), plan.baseUrl},
        {QLatin1String("versionLabel"), plan.versionLabel},
        {QLatin1String("dataFile"), plan.dataFile},
        {QLatin1String("variables"), variables},
        {QLatin1String("steps"), steps},
        {QLatin1String("load"), loadToJson(plan.load)},
        {QLatin1String("thresholds"), thresholds},
        {QLatin1String("timeouts"),
         QJsonObject{{QLatin1String("request"), formatDurationMs(plan.timeouts.requestMs)},
                     {QLatin1String("connect"), formatDurationMs(plan.timeouts.connectMs)}}},
        {QLatin1String("options"), options}};
}

namespace {

//! True when @p path is @p field or lies inside it ("steps[0].path" inside "steps[0]").
bool isWithin(const QString &path, const QString &field)
{
    return path == field || path.startsWith(field + u'.') || path.startsWith(field + u'[');
}

//! Reads @p json; fails when the reader or @p problems (found before reading) report anything.
//! On failure the validator's errors for what could be read are listed too, so that a user sees
//! every problem in one pass rather than the validator's only after fixing the reader's.
std::optional<TestPlan> readPlan(const QJsonObject &json, QList<PlanIssue> problems, QString *error)
{
    TestPlan plan;
    PlanJsonReader reader;
    reader.read(json, plan);
    problems += reader.issues();
    if (problems.isEmpty())
        return plan;
    if (error) {
        const QList<PlanIssue> found = problems;
        for (const PlanIssue &issue : planIssues(plan)) {
            // A field the reader refused keeps its default; what the validator says about that
            // default would only repeat the problem, or contradict it.
            const bool repeated = std::any_of(found.begin(), found.end(), [&](const PlanIssue &p) {
                return isWithin(issue.path, p.path);
            });
            if (issue.severity == PlanIssue::Severity::Error && !repeated)
                problems.append(issue);
        }
        QStringList lines;
        for (const PlanIssue &issue : std::as_const(problems))
            lines.append(issue.toString());
        *error = lines.join(u'\n');
    }
    return std::nullopt;
}

} // namespace

std::optional<TestPlan> planFromJson(const QJsonObject &json, QString *error)
{
    return readPlan(json, {}, error);
}

std::optional<TestPlan> planFromJsonBytes(const QByteArray &bytes, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        // Qt reports the offset just past the offending character; point at the character.
        const qsizetype at = qBound(qsizetype(0), qsizetype(parseError.offset) - 1,
                                    qMax(qsizetype(0), bytes.size() - 1));
        const QByteArray before = bytes.left(at);
        const qsizetype lineStart = before.lastIndexOf('\n') + 1;
        const qsizetype line = before.count('\n') + 1;
        const qsizetype column = QString::fromUtf8(before.mid(lineStart)).size() + 1;
        if (error)
            *error = QStringLiteral("line %1, column %2: %3")
                         .arg(line)
                         .arg(column)
                         .arg(parseError.errorString());
        return std::nullopt;
    }
    if (!document.isObject()) {
        if (error)
            *error = QStringLiteral("expected a JSON object at the top level");
        return std::nullopt;
    }
    return readPlan(document.object(), duplicateJsonKeys(bytes), error);
}

std::optional<TestPlan> planFromFile(const QString &fileName, QString *error)
{
    QFile file(fileName);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("cannot read the plan: ") + file.errorString();
        return std::nullopt;
    }
    auto plan = planFromJsonBytes(file.readAll(), error);
    if (plan)
        resolvePlanPaths(*plan, QFileInfo(fileName).absolutePath());
    return plan;
}

void resolvePlanPaths(TestPlan &plan, const QString &folder)
{
    const QDir dir(folder);
    const auto resolve = [&dir](QString &path) {
        if (!path.isEmpty() && QFileInfo(path).isRelative())
            path = QDir::cleanPath(dir.absoluteFilePath(path));
    };
    resolve(plan.dataFile);
    for (Step &step : plan.steps)
        resolve(step.bodyFile);
}

QByteArray planToJsonBytes(const TestPlan &plan, bool indented)
{
    return QJsonDocument(toJson(plan))
        .toJson(indented ? QJsonDocument::Indented : QJsonDocument::Compact);
}

} // namespace loadscope
