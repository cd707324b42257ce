#include "planjson.h"

#include <cmath>
#include <initializer_list>
#include <limits>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include "plan/duration.h"

namespace loadscope {

namespace {

QString keyPath(const QString &path, QLatin1String key)
{
    return path.isEmpty() ? QString(key) : path + u'.' + key;
}

QString indexPath(const QString &path, qsizetype index)
{
    return path + u'[' + QString::number(index) + u']';
}

// A JSON value as it appeared, shortened, for "expected X, got Y" messages.
QString describe(const QJsonValue &value)
{
    if (value.isUndefined())
        return QStringLiteral("nothing");
    QByteArray text = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    text = text.mid(1, text.size() - 2);
    if (text.size() > 60)
        text = text.left(57) + "...";
    return QString::fromUtf8(text);
}

// Collects every problem so that a user sees all of them at once, each named by its path.
class Reader
{
public:
    QStringList errors;

    void error(const QString &path, const QString &message)
    {
        errors.append(path + QLatin1String(": ") + message);
    }

    void typeError(const QString &path, const char *expected, const QJsonValue &got)
    {
        error(path, QLatin1String("expected ") + QLatin1String(expected) + QLatin1String(", got ") +
                        describe(got));
    }

    void checkKeys(const QJsonObject &object, const QString &path,
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

    bool object(const QJsonValue &value, const QString &path, QJsonObject *out)
    {
        if (!value.isObject()) {
            typeError(path, "an object", value);
            return false;
        }
        *out = value.toObject();
        return true;
    }

    bool array(const QJsonValue &value, const QString &path, QJsonArray *out)
    {
        if (!value.isArray()) {
            typeError(path, "an array", value);
            return false;
        }
        *out = value.toArray();
        return true;
    }

    void readString(const QJsonObject &o, QLatin1String key, const QString &path, QString &out)
    {
        const QJsonValue v = o.value(key);
        if (v.isUndefined())
            return;
        if (v.isString())
            out = v.toString();
        else
            typeError(keyPath(path, key), "a string", v);
    }

    void readBool(const QJsonObject &o, QLatin1String key, const QString &path, bool &out)
    {
        const QJsonValue v = o.value(key);
        if (v.isUndefined())
            return;
        if (v.isBool())
            out = v.toBool();
        else
            typeError(keyPath(path, key), "true or false", v);
    }

    void readDouble(const QJsonObject &o, QLatin1String key, const QString &path, double &out)
    {
        const QJsonValue v = o.value(key);
        if (v.isUndefined())
            return;
        if (v.isDouble())
            out = v.toDouble();
        else
            typeError(keyPath(path, key), "a number", v);
    }

    bool intValue(const QJsonValue &v, const QString &path, int &out)
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

    void readInt(const QJsonObject &o, QLatin1String key, const QString &path, int &out)
    {
        const QJsonValue v = o.value(key);
        if (!v.isUndefined())
            intValue(v, keyPath(path, key), out);
    }

    bool durationValue(const QJsonValue &v, const QString &path, qint64 &out)
    {
        if (v.isDouble()) {
            QString why;
            const auto ms = parseDurationMs(QString::number(v.toDouble(), 'f', 6), &why);
            if (!ms) {
                error(path, describe(v) + QLatin1String(" is not a duration: ") + why);
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
            error(path, describe(v) + QLatin1String(" is not a duration: ") + why);
            return false;
        }
        out = *ms;
        return true;
    }

    void readDuration(const QJsonObject &o, QLatin1String key, const QString &path, qint64 &out)
    {
        const QJsonValue v = o.value(key);
        if (!v.isUndefined())
            durationValue(v, keyPath(path, key), out);
    }

    void readHeaders(const QJsonValue &v, const QString &path, QList<QPair<QString, QString>> &out);
    void readCheck(const QJsonObject &o, const QString &path, Check &check);
    void readExtraction(const QJsonObject &o, const QString &path, Extraction &extraction);
    void readStep(const QJsonObject &o, const QString &path, Step &step);
    void readLoad(const QJsonObject &o, const QString &path, LoadModel &load);
    void readThresholds(const QJsonObject &o, const QString &path, QList<ThresholdSpec> &out);
    void readPlan(const QJsonObject &o, TestPlan &plan);
};

void Reader::readHeaders(const QJsonValue &v, const QString &path,
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

void Reader::readCheck(const QJsonObject &o, const QString &path, Check &check)
{
    const QJsonValue type = o.value(QLatin1String("type"));
    if (!type.isString()) {
        typeError(keyPath(path, QLatin1String("type")),
                  "a check type (status, bodyContains, jsonPointerEquals, jsonPointerExists)",
                  type);
        return;
    }
    const auto kind = checkKindFromString(type.toString());
    if (!kind) {
        error(keyPath(path, QLatin1String("type")),
              describe(type) + QLatin1String(" is not a check type (status, bodyContains, "
                                             "jsonPointerEquals, jsonPointerExists)"));
        return;
    }
    check.kind = *kind;
    const QLatin1String typeKey("type"), equalsKey("equals"), valueKey("value"),
        pointerKey("pointer");
    auto require = [&](QLatin1String key) {
        if (!o.contains(key))
            error(keyPath(path, key),
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

void Reader::readExtraction(const QJsonObject &o, const QString &path, Extraction &extraction)
{
    const QLatin1String nameKey("name"), fromKey("from"), expressionKey("expression"),
        groupKey("group");
    checkKeys(o, path, {nameKey, fromKey, expressionKey, groupKey});
    for (QLatin1String key : {nameKey, fromKey, expressionKey}) {
        if (!o.contains(key))
            error(keyPath(path, key), QStringLiteral("required"));
    }
    readString(o, nameKey, path, extraction.name);
    readString(o, expressionKey, path, extraction.expression);
    const QJsonValue from = o.value(fromKey);
    if (from.isString()) {
        const auto source = extractionSourceFromString(from.toString());
        if (source)
            extraction.source = *source;
        else
            error(keyPath(path, fromKey),
                  describe(from) + QLatin1String(" is not a source (jsonPointer, header, regex)"));
    } else if (!from.isUndefined()) {
        typeError(keyPath(path, fromKey), "a string", from);
    }
    if (o.contains(groupKey) && extraction.source != Extraction::Source::Regex)
        error(keyPath(path, groupKey), QStringLiteral("only applies to regex extractions"));
    readInt(o, groupKey, path, extraction.group);
}

void Reader::readStep(const QJsonObject &o, const QString &path, Step &step)
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
        readHeaders(o.value(QLatin1String("headers")), keyPath(path, QLatin1String("headers")),
                    step.headers);

    QJsonArray items;
    const QString checksPath = keyPath(path, QLatin1String("checks"));
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
    const QString extractPath = keyPath(path, QLatin1String("extract"));
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

void Reader::readLoad(const QJsonObject &o, const QString &path, LoadModel &load)
{
    checkKeys(o, path,
              {QLatin1String("executor"), QLatin1String("vus"), QLatin1String("duration"),
               QLatin1String("stages"), QLatin1String("startVUs"), QLatin1String("startRate"),
               QLatin1String("rate"), QLatin1String("timeUnit"), QLatin1String("preAllocatedVUs"),
               QLatin1String("maxVUs"), QLatin1String("gracefulRampDown"),
               QLatin1String("gracefulStop")});
    const QJsonValue executor = o.value(QLatin1String("executor"));
    const QString executorPath = keyPath(path, QLatin1String("executor"));
    if (executor.isString()) {
        const auto parsed = executorFromString(executor.toString());
        if (parsed)
            load.executor = *parsed;
        else
            error(executorPath,
                  describe(executor) + QLatin1String(" is not an executor (constant-vus, "
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
    const QString stagesPath = keyPath(path, QLatin1String("stages"));
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
                        error(keyPath(stagePath, key), QStringLiteral("required"));
                }
                readDuration(item, QLatin1String("duration"), stagePath, stage.durationMs);
                readDouble(item, QLatin1String("target"), stagePath, stage.target);
            }
            load.stages.append(stage);
        }
    }
}

void Reader::readThresholds(const QJsonObject &o, const QString &path, QList<ThresholdSpec> &out)
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
                    error(keyPath(itemPath, QLatin1String("threshold")),
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

void Reader::readPlan(const QJsonObject &o, TestPlan &plan)
{
    checkKeys(o, QString(),
              {QLatin1String("schema"), QLatin1String("name"), QLatin1String("description"),
               QLatin1String("testType"), QLatin1String("baseUrl"), QLatin1String("versionLabel"),
               QLatin1String("dataFile"), QLatin1String("variables"), QLatin1String("steps"),
               QLatin1String("load"), QLatin1String("thresholds"), QLatin1String("timeouts"),
               QLatin1String("options")});
    const QJsonValue schema = o.value(QLatin1String("schema"));
    if (!schema.isUndefined() && schema != QJsonValue(QLatin1String(kPlanSchema)))
        error(QStringLiteral("schema"), describe(schema) +
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
                  describe(type) + QLatin1String(" is not a test type (API_LATENCY, LOAD_TEST, "
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
                   QLatin1String("interval")});
        readInt(object, QLatin1String("threads"), path, plan.threads);
        readBool(object, QLatin1String("http2"), path, plan.http2);
        readBool(object, QLatin1String("insecureSkipTlsVerify"), path, plan.insecureSkipTlsVerify);
        readString(object, QLatin1String("proxy"), path, plan.proxy);
        readDuration(object, QLatin1String("interval"), path, plan.intervalMs);
    }
}

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
        {QLatin1String("options"),
         QJsonObject{{QLatin1String("threads"), plan.threads},
                     {QLatin1String("http2"), plan.http2},
                     {QLatin1String("insecureSkipTlsVerify"), plan.insecureSkipTlsVerify},
                     {QLatin1String("proxy"), plan.proxy},
                     {QLatin1String("interval"), formatDurationMs(plan.intervalMs)}}}};
}

std::optional<TestPlan> planFromJson(const QJsonObject &json, QString *error)
{
    Reader reader;
    TestPlan plan;
    reader.readPlan(json, plan);
    if (!reader.errors.isEmpty()) {
        if (error)
            *error = reader.errors.join(u'\n');
        return std::nullopt;
    }
    return plan;
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
    return planFromJson(document.object(), error);
}

QByteArray planToJsonBytes(const TestPlan &plan, bool indented)
{
    return QJsonDocument(toJson(plan))
        .toJson(indented ? QJsonDocument::Indented : QJsonDocument::Compact);
}

} // namespace loadscope
