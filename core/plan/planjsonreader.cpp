#include "planjsonreader.h"

#include <cmath>
#include <limits>

#include <QJsonDocument>
#include <QSet>

#include "plan/duration.h"
#include "plan/planjson.h"

namespace loadscope {

namespace {

QString indexPath(const QString &path, qsizetype index)
{
    return path + u'[' + QString::number(index) + u']';
}

//! Skips the JSON string that starts at @p bytes[i] (a '"'); returns the index past its closing
//! quote and, when @p text is given, its decoded text.
qsizetype skipJsonString(const QByteArray &bytes, qsizetype i, QString *text)
{
    const qsizetype start = i++;
    bool escaped = false;
    while (i < bytes.size()) {
        const char c = bytes[i++];
        if (c == '"')
            break;
        if (c == '\\') {
            escaped = true;
            ++i; // the escaped character cannot end the string
        }
    }
    if (text) {
        const QByteArray raw = bytes.mid(start, i - start);
        // Escapes are rare in keys; Qt decodes them (and their unicode forms) for us.
        *text = escaped ? QJsonDocument::fromJson('[' + raw + ']').array().at(0).toString()
                        : QString::fromUtf8(raw.mid(1, raw.size() - 2));
    }
    return i;
}

} // namespace

QList<PlanIssue> duplicateJsonKeys(const QByteArray &json)
{
    // A token scan is enough: the text has already been parsed as valid JSON, so only the
    // container nesting, the keys and the commas matter.
    struct Container
    {
        bool object = false;
        QString path;
        QSet<QString> keys;
        QSet<QString> reported;
        QString key;
        qsizetype index = 0;
        bool expectKey = true;
    };
    QList<PlanIssue> out;
    QList<Container> stack;
    for (qsizetype i = 0; i < json.size();) {
        const char c = json[i];
        if (c == '{' || c == '[') {
            QString path;
            if (!stack.isEmpty()) {
                const Container &parent = stack.last();
                path = parent.object
                           ? (parent.path.isEmpty() ? parent.key : parent.path + u'.' + parent.key)
                           : indexPath(parent.path, parent.index);
            }
            Container container;
            container.object = c == '{';
            container.path = path;
            stack.append(container);
            ++i;
        } else if (c == '}' || c == ']') {
            if (!stack.isEmpty())
                stack.removeLast();
            ++i;
        } else if (c == ',') {
            if (!stack.isEmpty()) {
                Container &container = stack.last();
                if (container.object)
                    container.expectKey = true;
                else
                    ++container.index;
            }
            ++i;
        } else if (c == '"') {
            const bool isKey = !stack.isEmpty() && stack.last().object && stack.last().expectKey;
            QString key;
            i = skipJsonString(json, i, isKey ? &key : nullptr);
            if (!isKey)
                continue;
            Container &container = stack.last();
            container.expectKey = false;
            container.key = key;
            if (container.keys.contains(key) && !container.reported.contains(key)) {
                container.reported.insert(key);
                out.append({PlanIssue::Severity::Error,
                            container.path.isEmpty() ? key : container.path + u'.' + key,
                            QStringLiteral("written more than once in the same object (only the "
                                           "last value would be used)")});
            }
            container.keys.insert(key);
        } else {
            ++i;
        }
    }
    return out;
}

QString jsonKeyPath(const QString &path, QLatin1String key)
{
    return path.isEmpty() ? QString(key) : path + u'.' + key;
}

QString describeJsonValue(const QJsonValue &value)
{
    if (value.isUndefined())
        return QStringLiteral("nothing");
    QByteArray text = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    text = text.mid(1, text.size() - 2);
    if (text.size() > 60)
        text = text.left(57) + "...";
    return QString::fromUtf8(text);
}

QStringList PlanJsonReader::read(const QJsonObject &json, TestPlan &plan)
{
    m_issues.clear();
    readPlan(json, plan);
    QStringList out;
    for (const PlanIssue &issue : std::as_const(m_issues))
        out.append(issue.toString());
    return out;
}

void PlanJsonReader::error(const QString &path, const QString &message)
{
    m_issues.append({PlanIssue::Severity::Error, path, message});
}

void PlanJsonReader::typeError(const QString &path, const char *expected, const QJsonValue &got)
{
    error(path, QLatin1String("expected ") + QLatin1String(expected) + QLatin1String(", got ") +
                    describeJsonValue(got));
}

void PlanJsonReader::checkKeys(const QJsonObject &object, const QString &path,
                               std::initializer_list<QLatin1String> allowed)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        bool known = false;
        for (QLatin1String key : allowed)
            known = known || it.key() == key;
        if (!known)
            error(path.isEmpty() ? it.key() : path + u'.' + it.key(),
                  QStringLiteral("unknown field"));
    }
}

bool PlanJsonReader::object(const QJsonValue &value, const QString &path, QJsonObject *out)
{
    if (!value.isObject()) {
        typeError(path, "an object", value);
        return false;
    }
    *out = value.toObject();
    return true;
}

bool PlanJsonReader::array(const QJsonValue &value, const QString &path, QJsonArray *out)
{
    if (!value.isArray()) {
        typeError(path, "an array", value);
        return false;
    }
    *out = value.toArray();
    return true;
}

void PlanJsonReader::readString(const QJsonObject &o, QLatin1String key, const QString &path,
                                QString &out)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined())
        return;
    if (v.isString())
        out = v.toString();
    else
        typeError(jsonKeyPath(path, key), "a string", v);
}

void PlanJsonReader::readBool(const QJsonObject &o, QLatin1String key, const QString &path,
                              bool &out)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined())
        return;
    if (v.isBool())
        out = v.toBool();
    else
        typeError(jsonKeyPath(path, key), "true or false", v);
}

void PlanJsonReader::readDouble(const QJsonObject &o, QLatin1String key, const QString &path,
                                double &out)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined())
        return;
    if (v.isDouble())
        out = v.toDouble();
    else
        typeError(jsonKeyPath(path, key), "a number", v);
}

bool PlanJsonReader::intValue(const QJsonValue &v, const QString &path, int &out)
{
    if (!v.isDouble()) {
        typeError(path, "a number", v);
        return false;
    }
    const double d = v.toDouble();
    if (d != std::floor(d) || d < std::numeric_limits<int>::min() ||
        d > std::numeric_limits<int>::max()) {
        typeError(path, "a whole number", v);
        return false;
    }
    out = int(d);
    return true;
}

void PlanJsonReader::readInt(const QJsonObject &o, QLatin1String key, const QString &path, int &out)
{
    const QJsonValue v = o.value(key);
    if (!v.isUndefined())
        intValue(v, jsonKeyPath(path, key), out);
}

bool PlanJsonReader::durationValue(const QJsonValue &v, const QString &path, qint64 &out)
{
    if (v.isDouble()) {
        QString why;
        const auto ms = parseDurationMs(QString::number(v.toDouble(), 'f', 6), &why);
        if (!ms) {
            error(path, describeJsonValue(v) + QLatin1String(" is not a duration: ") + why);
            return false;
        }
        out = *ms;
        return true;
    }
    if (!v.isString()) {
        typeError(path, "a duration such as \"30s\" or a number of seconds", v);
        return false;
    }
    QString why;
    const auto ms = parseDurationMs(v.toString(), &why);
    if (!ms) {
        error(path, describeJsonValue(v) + QLatin1String(" is not a duration: ") + why);
        return false;
    }
    out = *ms;
    return true;
}

void PlanJsonReader::readDuration(const QJsonObject &o, QLatin1String key, const QString &path,
                                  qint64 &out)
{
    const QJsonValue v = o.value(key);
    if (!v.isUndefined())
        durationValue(v, jsonKeyPath(path, key), out);
}

void PlanJsonReader::readHeaders(const QJsonValue &v, const QString &path,
                                 QList<QPair<QString, QString>> &out)
{
    out.clear();
    if (v.isObject()) {
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (it.value().isString())
                out.append({it.key(), it.value().toString()});
            else
                typeError(path + u'.' + it.key(), "a string", it.value());
        }
        return;
    }
    QJsonArray pairs;
    if (!v.isArray()) {
        typeError(path, "an object or an array of [name, value] pairs", v);
        return;
    }
    pairs = v.toArray();
    for (qsizetype i = 0; i < pairs.size(); ++i) {
        const QJsonArray pair = pairs.at(i).toArray();
        if (!pairs.at(i).isArray() || pair.size() != 2 || !pair.at(0).isString() ||
            !pair.at(1).isString()) {
            typeError(indexPath(path, i), "a [name, value] pair of strings", pairs.at(i));
            continue;
        }
        out.append({pair.at(0).toString(), pair.at(1).toString()});
    }
}

void PlanJsonReader::readCheck(const QJsonObject &o, const QString &path, Check &check)
{
    const QJsonValue type = o.value(QLatin1String("type"));
    if (!type.isString()) {
        typeError(jsonKeyPath(path, QLatin1String("type")),
                  "a check type (status, bodyContains, jsonPointerEquals, jsonPointerExists)",
                  type);
        return;
    }
    const auto kind = checkKindFromString(type.toString());
    if (!kind) {
        error(jsonKeyPath(path, QLatin1String("type")),
              describeJsonValue(type) + QLatin1String(" is not a check type (status, bodyContains, "
                                                      "jsonPointerEquals, jsonPointerExists)"));
        return;
    }
    check.kind = *kind;
    const QLatin1String typeKey("type"), equalsKey("equals"), valueKey("value"),
        pointerKey("pointer");
    auto require = [&](QLatin1String key) {
        if (!o.contains(key))
            error(jsonKeyPath(path, key),
                  QStringLiteral("required for a %1 check").arg(type.toString()));
    };
    switch (check.kind) {
    case Check::Kind::Status:
        checkKeys(o, path, {typeKey, equalsKey});
        require(equalsKey);
        readInt(o, equalsKey, path, check.status);
        break;
    case Check::Kind::BodyContains:
        checkKeys(o, path, {typeKey, valueKey});
        require(valueKey);
        readString(o, valueKey, path, check.text);
        break;
    case Check::Kind::JsonPointerEquals:
        checkKeys(o, path, {typeKey, pointerKey, valueKey});
        require(pointerKey);
        require(valueKey);
        readString(o, pointerKey, path, check.pointer);
        check.value = o.value(valueKey);
        break;
    case Check::Kind::JsonPointerExists:
        checkKeys(o, path, {typeKey, pointerKey});
        require(pointerKey);
        readString(o, pointerKey, path, check.pointer);
        break;
    }
}

void PlanJsonReader::readExtraction(const QJsonObject &o, const QString &path,
                                    Extraction &extraction)
{
    const QLatin1String nameKey("name"), fromKey("from"), expressionKey("expression"),
        groupKey("group");
    checkKeys(o, path, {nameKey, fromKey, expressionKey, groupKey});
    for (QLatin1String key : {nameKey, fromKey, expressionKey}) {
        if (!o.contains(key))
            error(jsonKeyPath(path, key), QStringLiteral("required"));
    }
    readString(o, nameKey, path, extraction.name);
    readString(o, expressionKey, path, extraction.expression);
    const QJsonValue from = o.value(fromKey);
    if (from.isString()) {
        const auto source = extractionSourceFromString(from.toString());
        if (source)
            extraction.source = *source;
        else
            error(jsonKeyPath(path, fromKey),
                  describeJsonValue(from) +
                      QLatin1String(" is not a source (jsonPointer, header, regex)"));
    } else if (!from.isUndefined()) {
        typeError(jsonKeyPath(path, fromKey), "a string", from);
    }
    if (o.contains(groupKey) && extraction.source != Extraction::Source::Regex)
        error(jsonKeyPath(path, groupKey), QStringLiteral("only applies to regex extractions"));
    readInt(o, groupKey, path, extraction.group);
}

void PlanJsonReader::readStep(const QJsonObject &o, const QString &path, Step &step)
{
    checkKeys(o, path,
              {QLatin1String("name"), QLatin1String("method"), QLatin1String("path"),
               QLatin1String("headers"), QLatin1String("body"), QLatin1String("bodyFile"),
               QLatin1String("checks"), QLatin1String("extract"), QLatin1String("thinkTime")});
    readString(o, QLatin1String("name"), path, step.name);
    readString(o, QLatin1String("method"), path, step.method);
    readString(o, QLatin1String("path"), path, step.path);
    readString(o, QLatin1String("bodyFile"), path, step.bodyFile);
    readDuration(o, QLatin1String("thinkTime"), path, step.thinkTimeMs);

    // A JSON body may be written inline as an object or array; it is kept as compact text.
    const QJsonValue body = o.value(QLatin1String("body"));
    if (body.isObject())
        step.body =
            QString::fromUtf8(QJsonDocument(body.toObject()).toJson(QJsonDocument::Compact));
    else if (body.isArray())
        step.body = QString::fromUtf8(QJsonDocument(body.toArray()).toJson(QJsonDocument::Compact));
    else
        readString(o, QLatin1String("body"), path, step.body);

    if (o.contains(QLatin1String("headers")))
        readHeaders(o.value(QLatin1String("headers")), jsonKeyPath(path, QLatin1String("headers")),
                    step.headers);

    QJsonArray items;
    const QString checksPath = jsonKeyPath(path, QLatin1String("checks"));
    if (o.contains(QLatin1String("checks")) &&
        array(o.value(QLatin1String("checks")), checksPath, &items)) {
        for (qsizetype i = 0; i < items.size(); ++i) {
            QJsonObject item;
            Check check;
            if (object(items.at(i), indexPath(checksPath, i), &item))
                readCheck(item, indexPath(checksPath, i), check);
            step.checks.append(check);
        }
    }
    const QString extractPath = jsonKeyPath(path, QLatin1String("extract"));
    if (o.contains(QLatin1String("extract")) &&
        array(o.value(QLatin1String("extract")), extractPath, &items)) {
        for (qsizetype i = 0; i < items.size(); ++i) {
            QJsonObject item;
            Extraction extraction;
            if (object(items.at(i), indexPath(extractPath, i), &item))
                readExtraction(item, indexPath(extractPath, i), extraction);
            step.extractions.append(extraction);
        }
    }
}

void PlanJsonReader::readLoad(const QJsonObject &o, const QString &path, LoadModel &load)
{
    checkKeys(o, path,
              {QLatin1String("executor"), QLatin1String("vus"), QLatin1String("duration"),
               QLatin1String("stages"), QLatin1String("startVUs"), QLatin1String("startRate"),
               QLatin1String("rate"), QLatin1String("timeUnit"), QLatin1String("preAllocatedVUs"),
               QLatin1String("maxVUs"), QLatin1String("gracefulRampDown"),
               QLatin1String("gracefulStop")});
    const QJsonValue executor = o.value(QLatin1String("executor"));
    const QString executorPath = jsonKeyPath(path, QLatin1String("executor"));
    if (executor.isString()) {
        const auto parsed = executorFromString(executor.toString());
        if (parsed)
            load.executor = *parsed;
        else
            error(executorPath,
                  describeJsonValue(executor) + QLatin1String(" is not an executor (constant-vus, "
                                                              "ramping-vus, constant-arrival-rate, "
                                                              "ramping-arrival-rate)"));
    } else if (!executor.isUndefined()) {
        typeError(executorPath, "a string", executor);
    }
    readInt(o, QLatin1String("vus"), path, load.vus);
    readDuration(o, QLatin1String("duration"), path, load.durationMs);
    readInt(o, QLatin1String("startVUs"), path, load.startVus);
    readDouble(o, QLatin1String("startRate"), path, load.startRate);
    readDouble(o, QLatin1String("rate"), path, load.rate);
    readDuration(o, QLatin1String("timeUnit"), path, load.timeUnitMs);
    readInt(o, QLatin1String("preAllocatedVUs"), path, load.preAllocatedVus);
    readInt(o, QLatin1String("maxVUs"), path, load.maxVus);
    readDuration(o, QLatin1String("gracefulRampDown"), path, load.gracefulRampDownMs);
    readDuration(o, QLatin1String("gracefulStop"), path, load.gracefulStopMs);

    QJsonArray stages;
    const QString stagesPath = jsonKeyPath(path, QLatin1String("stages"));
    if (o.contains(QLatin1String("stages")) &&
        array(o.value(QLatin1String("stages")), stagesPath, &stages)) {
        for (qsizetype i = 0; i < stages.size(); ++i) {
            const QString stagePath = indexPath(stagesPath, i);
            QJsonObject item;
            Stage stage;
            if (object(stages.at(i), stagePath, &item)) {
                checkKeys(item, stagePath, {QLatin1String("duration"), QLatin1String("target")});
                for (QLatin1String key : {QLatin1String("duration"), QLatin1String("target")}) {
                    if (!item.contains(key))
                        error(jsonKeyPath(stagePath, key), QStringLiteral("required"));
                }
                readDuration(item, QLatin1String("duration"), stagePath, stage.durationMs);
                readDouble(item, QLatin1String("target"), stagePath, stage.target);
            }
            load.stages.append(stage);
        }
    }
}

void PlanJsonReader::readThresholds(const QJsonObject &o, const QString &path,
                                    QList<ThresholdSpec> &out)
{
    for (auto it = o.begin(); it != o.end(); ++it) {
        const QString metricPath = path + u'[' + it.key() + u']';
        QJsonArray items;
        if (!array(it.value(), metricPath, &items))
            continue;
        for (qsizetype i = 0; i < items.size(); ++i) {
            const QString itemPath = indexPath(metricPath, i);
            ThresholdSpec spec;
            spec.metric = it.key();
            const QJsonValue item = items.at(i);
            if (item.isString()) {
                spec.expression = item.toString();
            } else if (item.isObject()) {
                const QJsonObject object = item.toObject();
                checkKeys(object, itemPath,
                          {QLatin1String("threshold"), QLatin1String("abortOnFail"),
                           QLatin1String("delayAbortEval")});
                if (!object.contains(QLatin1String("threshold")))
                    error(jsonKeyPath(itemPath, QLatin1String("threshold")),
                          QStringLiteral("required"));
                readString(object, QLatin1String("threshold"), itemPath, spec.expression);
                readBool(object, QLatin1String("abortOnFail"), itemPath, spec.abortOnFail);
                readDuration(object, QLatin1String("delayAbortEval"), itemPath,
                             spec.delayAbortEvalMs);
            } else {
                typeError(itemPath, "a threshold string or object", item);
                continue;
            }
            out.append(spec);
        }
    }
}

void PlanJsonReader::readPlan(const QJsonObject &o, TestPlan &plan)
{
    checkKeys(o, QString(),
              {QLatin1String("schema"), QLatin1String("name"), QLatin1String("description"),
               QLatin1String("testType"), QLatin1String("baseUrl"), QLatin1String("versionLabel"),
               QLatin1String("dataFile"), QLatin1String("variables"), QLatin1String("steps"),
               QLatin1String("load"), QLatin1String("thresholds"), QLatin1String("timeouts"),
               QLatin1String("options")});
    const QJsonValue schema = o.value(QLatin1String("schema"));
    if (!schema.isUndefined() && schema != QJsonValue(QLatin1String(kPlanSchema)))
        error(QStringLiteral("schema"), describeJsonValue(schema) +
                                            QLatin1String(" is not supported (expected \"") +
                                            QLatin1String(kPlanSchema) + QLatin1String("\")"));
    const QString root;
    readString(o, QLatin1String("name"), root, plan.name);
    readString(o, QLatin1String("description"), root, plan.description);
    readString(o, QLatin1String("baseUrl"), root, plan.baseUrl);
    readString(o, QLatin1String("versionLabel"), root, plan.versionLabel);
    readString(o, QLatin1String("dataFile"), root, plan.dataFile);

    const QJsonValue type = o.value(QLatin1String("testType"));
    if (type.isString()) {
        const auto parsed = testTypeFromString(type.toString());
        if (parsed)
            plan.type = *parsed;
        else
            error(QStringLiteral("testType"),
                  describeJsonValue(type) +
                      QLatin1String(" is not a test type (API_LATENCY, LOAD_TEST, "
                                    "STRESS_TEST, ML_PREDICTION_THROUGHPUT, "
                                    "SIGNAL_GENERATION, STRATEGY_EXECUTION, "
                                    "END_TO_END)"));
    } else if (!type.isUndefined()) {
        typeError(QStringLiteral("testType"), "a string", type);
    }

    QJsonObject object;
    if (o.contains(QLatin1String("variables")) &&
        this->object(o.value(QLatin1String("variables")), QStringLiteral("variables"), &object)) {
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (it.value().isString())
                plan.variables.insert(it.key(), it.value().toString());
            else
                typeError(QLatin1String("variables.") + it.key(), "a string", it.value());
        }
    }

    QJsonArray steps;
    if (o.contains(QLatin1String("steps")) &&
        array(o.value(QLatin1String("steps")), QStringLiteral("steps"), &steps)) {
        for (qsizetype i = 0; i < steps.size(); ++i) {
            const QString stepPath = indexPath(QStringLiteral("steps"), i);
            Step step;
            if (this->object(steps.at(i), stepPath, &object))
                readStep(object, stepPath, step);
            plan.steps.append(step);
        }
    }

    if (o.contains(QLatin1String("load")) &&
        this->object(o.value(QLatin1String("load")), QStringLiteral("load"), &object))
        readLoad(object, QStringLiteral("load"), plan.load);

    if (o.contains(QLatin1String("thresholds")) &&
        this->object(o.value(QLatin1String("thresholds")), QStringLiteral("thresholds"), &object))
        readThresholds(object, QStringLiteral("thresholds"), plan.thresholds);

    if (o.contains(QLatin1String("timeouts")) &&
        this->object(o.value(QLatin1String("timeouts")), QStringLiteral("timeouts"), &object)) {
        const QString path = QStringLiteral("timeouts");
        checkKeys(object, path, {QLatin1String("request"), QLatin1String("connect")});
        readDuration(object, QLatin1String("request"), path, plan.timeouts.requestMs);
        readDuration(object, QLatin1String("connect"), path, plan.timeouts.connectMs);
    }

    if (o.contains(QLatin1String("options")) &&
        this->object(o.value(QLatin1String("options")), QStringLiteral("options"), &object)) {
        const QString path = QStringLiteral("options");
        checkKeys(object, path,
                  {QLatin1String("threads"), QLatin1String("http2"),
                   QLatin1String("insecureSkipTlsVerify"), QLatin1String("proxy"),
                   QLatin1String("maxRedirects"), QLatin1String("maxHeaderBytes"),
                   QLatin1String("interval"), QLatin1String("http"), QLatin1String("transport"),
                   QLatin1String("connections"), QLatin1String("maxConcurrentStreams")});
        readInt(object, QLatin1String("threads"), path, plan.threads);
        readBool(object, QLatin1String("http2"), path, plan.http2);
        QString http;
        readString(object, QLatin1String("http"), path, http);
        if (http == QLatin1String("2"))
            plan.http2 = true;
        else if (http == QLatin1String("auto"))
            plan.httpAuto = true;
        else if (!http.isEmpty() && http != QLatin1String("1.1"))
            error(path + QLatin1String(".http"),
                  u'"' + http + QStringLiteral("\" is not an HTTP version: 1.1, 2 or auto"));
        readString(object, QLatin1String("transport"), path, plan.transport);
        readInt(object, QLatin1String("connections"), path, plan.connections);
        readInt(object, QLatin1String("maxConcurrentStreams"), path, plan.maxStreams);
        readBool(object, QLatin1String("insecureSkipTlsVerify"), path, plan.insecureSkipTlsVerify);
        readString(object, QLatin1String("proxy"), path, plan.proxy);
        readInt(object, QLatin1String("maxRedirects"), path, plan.maxRedirects);
        int maxHeaderBytes = int(plan.maxHeaderBytes);
        readInt(object, QLatin1String("maxHeaderBytes"), path, maxHeaderBytes);
        plan.maxHeaderBytes = maxHeaderBytes;
        readDuration(object, QLatin1String("interval"), path, plan.intervalMs);
    }
}

} // namespace loadscope
