#include "restplans.h"

#include <cmath>

#include <QHash>
#include <QJsonValue>

#include "plan/duration.h"
#include "plan/planjson.h"
#include "plan/planoverrides.h"
#include "plan/planpresets.h"
#include "plan/planvalidator.h"

namespace loadscope {
namespace {

using FieldOfKey = QHash<QString, QString>;

bool fail(RestError *error, const QString &field, const QString &message)
{
    error->status = 400;
    error->field = field;
    error->message = field.isEmpty() ? message : field + QStringLiteral(": ") + message;
    return false;
}

QString typeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("missing");
}

bool checkKeys(const QJsonObject &body, const QStringList &allowed, RestError *error)
{
    for (auto it = body.constBegin(); it != body.constEnd(); ++it) {
        if (!allowed.contains(it.key()))
            return fail(error, it.key(),
                        QStringLiteral("unknown field (expected ") +
                            allowed.join(QStringLiteral(", ")) + u')');
    }
    return true;
}

bool stringValue(const QJsonValue &value, const QString &field, bool required, QString *out,
                 RestError *error)
{
    if (value.isUndefined() || value.isNull()) {
        if (required)
            return fail(error, field, QStringLiteral("is required"));
        return true;
    }
    if (!value.isString())
        return fail(error, field, QStringLiteral("must be a string, not ") + typeName(value));
    *out = value.toString();
    if (required && out->trimmed().isEmpty())
        return fail(error, field, QStringLiteral("must not be empty"));
    return true;
}

//! A duration as the command line takes it: a number of seconds or a k6 string ("30s").
bool durationValue(const QJsonValue &value, const QString &field, QString *out, RestError *error)
{
    if (value.isDouble())
        *out = QString::number(value.toDouble(), 'g', 15);
    else if (value.isString())
        *out = value.toString();
    else
        return fail(error, field,
                    QStringLiteral("must be a number of seconds or a duration like \"30s\", not ") +
                        typeName(value));
    QString why;
    const auto ms = parseDurationMs(*out, &why);
    if (!ms || *ms <= 0)
        return fail(error, field,
                    QStringLiteral("\"") + *out + QStringLiteral("\" is not a positive duration") +
                        (why.isEmpty() ? QString() : QStringLiteral(" (") + why + u')'));
    return true;
}

bool numberValue(const QJsonValue &value, const QString &field, bool integral, double min,
                 QString *out, RestError *error)
{
    double number = 0;
    bool ok = value.isDouble();
    if (ok)
        number = value.toDouble();
    else if (value.isString())
        number = value.toString().trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(number) || number < min || (integral && number != std::floor(number)))
        return fail(error, field,
                    QStringLiteral("must be ") +
                        (integral ? QStringLiteral("a whole number") : QStringLiteral("a number")) +
                        QStringLiteral(" >= ") + QString::number(min));
    *out = QString::number(number, 'g', 15);
    return true;
}

//! A string or an array of strings (paths or URLs).
bool stringList(const QJsonValue &value, const QString &field, QStringList *out, RestError *error)
{
    if (value.isString()) {
        out->append(value.toString());
        return true;
    }
    if (!value.isArray())
        return fail(error, field,
                    QStringLiteral("must be a string or an array of strings, not ") +
                        typeName(value));
    const QJsonArray array = value.toArray();
    if (array.isEmpty())
        return fail(error, field, QStringLiteral("must not be empty"));
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString itemField = field + u'[' + QString::number(i) + u']';
        if (!array[i].isString())
            return fail(error, itemField,
                        QStringLiteral("must be a string, not ") + typeName(array[i]));
        out->append(array[i].toString());
    }
    return true;
}

//! The fields both short forms share, as plan overrides.
bool commonOverrides(const QJsonObject &body, PlanOverrides *overrides, RestError *error)
{
    QString text;
    if (!stringValue(body.value(QLatin1String("baseUrl")), QStringLiteral("baseUrl"), false, &text,
                     error))
        return false;
    if (!text.isEmpty())
        overrides->baseUrl = text;
    text.clear();
    if (!stringValue(body.value(QLatin1String("method")), QStringLiteral("method"), false, &text,
                     error))
        return false;
    overrides->method = text;
    text.clear();
    if (!stringValue(body.value(QLatin1String("versionLabel")), QStringLiteral("versionLabel"),
                     false, &text, error))
        return false;
    if (!text.isEmpty())
        overrides->versionLabel = text;
    if (body.contains(QLatin1String("thresholds"))) {
        QStringList thresholds;
        if (!stringList(body.value(QLatin1String("thresholds")), QStringLiteral("thresholds"),
                        &thresholds, error))
            return false;
        overrides->thresholds = thresholds;
    }
    return true;
}

//! The preset of @p typeName (API_LATENCY when empty) with @p overrides applied, validated;
//! errors name the JSON field (@p fieldOfKey maps an override's key to it).
std::optional<TestPlan> planFromOverrides(const QString &typeName, const PlanOverrides &overrides,
                                          const FieldOfKey &fieldOfKey, RestError *error)
{
    TestType type = TestType::ApiLatency;
    if (!typeName.isEmpty()) {
        const auto parsed = testTypeFromString(typeName);
        if (!parsed) {
            QStringList names;
            for (TestType t : allTestTypes())
                names.append(testTypeName(t));
            fail(error, QStringLiteral("testType"),
                 u'"' + typeName + QStringLiteral("\" is not a test type (") +
                     names.join(QStringLiteral(", ")) + u')');
            return std::nullopt;
        }
        type = *parsed;
    }
    TestPlan plan = presetPlan(type);
    PlanOverrideError refused;
    if (!applyPlanOverrides(plan, overrides, &refused)) {
        fail(error, fieldOfKey.value(refused.key, refused.key), refused.message);
        return std::nullopt;
    }
    const QStringList problems = validatePlan(plan);
    if (!problems.isEmpty()) {
        *error = restErrorFromProblems(problems);
        return std::nullopt;
    }
    return plan;
}

void applyTexts(const QJsonObject &body, TestPlan &plan)
{
    plan.name = body.value(QLatin1String("name")).toString().trimmed();
    const QString description = body.value(QLatin1String("description")).toString();
    if (!description.isEmpty())
        plan.description = description;
}

} // namespace

QJsonObject RestError::toJson() const
{
    QJsonObject json = extra;
    json.insert(QStringLiteral("error"), message);
    if (!field.isEmpty())
        json.insert(QStringLiteral("field"), field);
    if (!problems.isEmpty())
        json.insert(QStringLiteral("problems"), problems);
    return json;
}

RestError restErrorFromProblems(const QStringList &lines, const QString &prefix)
{
    RestError error;
    error.status = 400;
    QStringList messages;
    for (QString line : lines) {
        if (!prefix.isEmpty() && line.startsWith(prefix))
            line.remove(0, prefix.size());
        if (line.trimmed().isEmpty())
            continue;
        const qsizetype colon = line.indexOf(QLatin1String(": "));
        const QString field = colon > 0 ? line.left(colon) : QString();
        const QString message = colon > 0 ? line.mid(colon + 2) : line;
        QJsonObject problem{{QStringLiteral("message"), message}};
        if (!field.isEmpty())
            problem.insert(QStringLiteral("field"), field);
        error.problems.append(problem);
        if (error.field.isEmpty())
            error.field = field;
        messages.append(line);
    }
    error.message = messages.isEmpty()
                        ? QStringLiteral("invalid plan")
                        : QStringLiteral("invalid plan: ") + messages.join(QStringLiteral("; "));
    return error;
}

bool addDuplicateKeys(const QList<PlanIssue> &duplicates, bool refused, RestError *error)
{
    if (duplicates.isEmpty())
        return false;
    QStringList lines;
    for (const PlanIssue &issue : duplicates)
        lines.append(issue.toString());
    RestError merged = restErrorFromProblems(lines);
    if (refused) {
        QJsonArray others = error->problems;
        if (others.isEmpty()) {
            // A refusal of one field: that field becomes one more problem of the list.
            QJsonObject problem{{QStringLiteral("message"), error->message}};
            if (!error->field.isEmpty()) {
                problem.insert(QStringLiteral("field"), error->field);
                const QString prefix = error->field + QStringLiteral(": ");
                if (error->message.startsWith(prefix))
                    problem.insert(QStringLiteral("message"), error->message.mid(prefix.size()));
            }
            others.append(problem);
        }
        for (const QJsonValue &problem : std::as_const(others)) {
            merged.problems.append(problem);
            const QJsonObject object = problem.toObject();
            const QString field = object.value(QLatin1String("field")).toString();
            lines.append(field.isEmpty() ? object.value(QLatin1String("message")).toString()
                                         : field + QStringLiteral(": ") +
                                               object.value(QLatin1String("message")).toString());
        }
        merged.message = QStringLiteral("invalid plan: ") + lines.join(QStringLiteral("; "));
        merged.extra = error->extra;
    }
    *error = merged;
    return true;
}

std::optional<TestPlan> planFromTestBody(const QJsonObject &body, RestError *error)
{
    if (body.contains(QLatin1String("schema")) || body.contains(QLatin1String("steps"))) {
        QString why;
        auto plan = planFromJson(body, &why);
        if (!plan) {
            *error = restErrorFromProblems(why.split(u'\n'));
            return std::nullopt;
        }
        const QStringList problems = planErrors(*plan);
        if (!problems.isEmpty()) {
            *error = restErrorFromProblems(problems);
            return std::nullopt;
        }
        if (plan->name.trimmed().isEmpty()) {
            fail(error, QStringLiteral("name"), QStringLiteral("is required"));
            return std::nullopt;
        }
        return plan;
    }

    static const QStringList allowed{
        QStringLiteral("name"),        QStringLiteral("description"),
        QStringLiteral("testType"),    QStringLiteral("duration"),
        QStringLiteral("concurrency"), QStringLiteral("targetEndpoint"),
        QStringLiteral("baseUrl"),     QStringLiteral("method"),
        QStringLiteral("thresholds"),  QStringLiteral("versionLabel")};
    if (!checkKeys(body, allowed, error))
        return std::nullopt;
    QString text;
    if (!stringValue(body.value(QLatin1String("name")), QStringLiteral("name"), true, &text,
                     error) ||
        !stringValue(body.value(QLatin1String("description")), QStringLiteral("description"), false,
                     &text, error))
        return std::nullopt;
    PlanOverrides overrides;
    QString typeText;
    if (!stringValue(body.value(QLatin1String("testType")), QStringLiteral("testType"), false,
                     &typeText, error))
        return std::nullopt;
    if (body.contains(QLatin1String("duration"))) {
        if (!durationValue(body.value(QLatin1String("duration")), QStringLiteral("duration"), &text,
                           error))
            return std::nullopt;
        overrides.duration = text;
    }
    if (body.contains(QLatin1String("concurrency"))) {
        if (!numberValue(body.value(QLatin1String("concurrency")), QStringLiteral("concurrency"),
                         true, 1, &text, error))
            return std::nullopt;
        overrides.concurrency = text;
    }
    if (body.contains(QLatin1String("targetEndpoint"))) {
        if (!stringList(body.value(QLatin1String("targetEndpoint")),
                        QStringLiteral("targetEndpoint"), &overrides.endpoints, error))
            return std::nullopt;
    }
    if (!commonOverrides(body, &overrides, error))
        return std::nullopt;
    static const FieldOfKey fields{{QStringLiteral("endpoint"), QStringLiteral("targetEndpoint")},
                                   {QStringLiteral("threshold"), QStringLiteral("thresholds")}};
    auto plan = planFromOverrides(typeText, overrides, fields, error);
    if (plan)
        applyTexts(body, *plan);
    return plan;
}

std::optional<TestPlan> planFromLoadTestBody(const QJsonObject &body, RestError *error)
{
    static const QStringList allowed{
        QStringLiteral("name"),       QStringLiteral("description"),
        QStringLiteral("stages"),     QStringLiteral("targetEndpoints"),
        QStringLiteral("baseUrl"),    QStringLiteral("method"),
        QStringLiteral("thresholds"), QStringLiteral("versionLabel")};
    if (!checkKeys(body, allowed, error))
        return std::nullopt;
    QString text;
    if (!stringValue(body.value(QLatin1String("name")), QStringLiteral("name"), true, &text,
                     error) ||
        !stringValue(body.value(QLatin1String("description")), QStringLiteral("description"), false,
                     &text, error))
        return std::nullopt;

    const QJsonValue stagesValue = body.value(QLatin1String("stages"));
    if (!stagesValue.isArray() || stagesValue.toArray().isEmpty()) {
        fail(error, QStringLiteral("stages"),
             stagesValue.isUndefined()
                 ? QStringLiteral("is required: [{\"duration\": \"30s\", \"target\": 10}, ...]")
                 : QStringLiteral("must be a non-empty array of {duration, target}"));
        return std::nullopt;
    }
    QStringList stages;
    const QJsonArray stageArray = stagesValue.toArray();
    for (qsizetype i = 0; i < stageArray.size(); ++i) {
        const QString field = QStringLiteral("stages[") + QString::number(i) + u']';
        if (!stageArray[i].isObject()) {
            fail(error, field,
                 QStringLiteral("must be an object {duration, target}, not ") +
                     typeName(stageArray[i]));
            return std::nullopt;
        }
        const QJsonObject stage = stageArray[i].toObject();
        for (auto it = stage.constBegin(); it != stage.constEnd(); ++it) {
            if (it.key() != QLatin1String("duration") && it.key() != QLatin1String("target")) {
                fail(error, field + u'.' + it.key(),
                     QStringLiteral("unknown field (expected duration, target)"));
                return std::nullopt;
            }
        }
        QString duration;
        QString target;
        if (!durationValue(stage.value(QLatin1String("duration")),
                           field + QStringLiteral(".duration"), &duration, error) ||
            !numberValue(stage.value(QLatin1String("target")), field + QStringLiteral(".target"),
                         false, 0, &target, error))
            return std::nullopt;
        stages.append(duration + u':' + target);
    }

    PlanOverrides overrides;
    overrides.stages = stages.join(u',');
    if (!body.contains(QLatin1String("targetEndpoints"))) {
        fail(error, QStringLiteral("targetEndpoints"),
             QStringLiteral("is required: [\"/api/health\", ...]"));
        return std::nullopt;
    }
    if (!stringList(body.value(QLatin1String("targetEndpoints")), QStringLiteral("targetEndpoints"),
                    &overrides.endpoints, error))
        return std::nullopt;
    if (!commonOverrides(body, &overrides, error))
        return std::nullopt;
    static const FieldOfKey fields{{QStringLiteral("endpoint"), QStringLiteral("targetEndpoints")},
                                   {QStringLiteral("threshold"), QStringLiteral("thresholds")}};
    auto plan = planFromOverrides(QStringLiteral("LOAD_TEST"), overrides, fields, error);
    if (plan)
        applyTexts(body, *plan);
    return plan;
}

std::optional<ImportResult> planFromImportBody(const QByteArray &body, const QString &from,
                                               RestError *error)
{
    const auto source = planSourceFromString(from);
    if (!source || *source == PlanSource::Auto) {
        *error = RestError{400,
                           QStringLiteral("\"") + from +
                               QStringLiteral("\" is not har, curl, postman or openapi"),
                           QStringLiteral("from"),
                           {},
                           {}};
        return std::nullopt;
    }
    ImportOptions options;
    options.format = *source;
    QString why;
    auto imported = importPlan(body, options, &why);
    if (!imported) {
        *error = RestError{400, from + QStringLiteral(": ") + why, QStringLiteral("body"), {}, {}};
        return std::nullopt;
    }
    const QStringList problems = planErrors(imported->plan);
    if (!problems.isEmpty()) {
        *error = restErrorFromProblems(problems);
        return std::nullopt;
    }
    return imported;
}

QJsonObject importSummaryJson(const ImportResult &imported)
{
    QJsonArray correlations;
    for (const Correlation &c : imported.correlations)
        correlations.append(
            QJsonObject{{QStringLiteral("variable"), c.variable},
                        {QStringLiteral("fromStep"), c.fromStep},
                        {QStringLiteral("source"), c.source},
                        {QStringLiteral("usedIn"), QJsonArray::fromStringList(c.usedIn)}});
    return QJsonObject{{QStringLiteral("taken"), QJsonArray::fromStringList(imported.taken)},
                       {QStringLiteral("leftOut"), QJsonArray::fromStringList(imported.leftOut)},
                       {QStringLiteral("correlations"), correlations}};
}

} // namespace loadscope
