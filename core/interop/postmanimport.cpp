#include "postmanimport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QUrl>

#include "interop/harimport.h"

namespace loadscope {

namespace {

bool fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return false;
}

QString str(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString();
}

//! Postman's auth object: { type, <type>: [ {key, value}, ... ] } (v2.1) as a key/value map.
QHash<QString, QString> authValues(const QJsonObject &auth)
{
    QHash<QString, QString> values;
    const QJsonValue params = auth.value(str(auth, "type"));
    const QJsonArray authParams = params.toArray();
    for (const QJsonValue &p : authParams)
        values.insert(str(p.toObject(), "key"),
                      p.toObject().value(QLatin1String("value")).toVariant().toString());
    return values;
}

QString percent(const QString &text)
{
    // Keep {{variables}} as written: they are substituted before the request is sent.
    QString out;
    qsizetype from = 0;
    while (true) {
        const qsizetype open = text.indexOf(QLatin1String("{{"), from);
        const qsizetype close = open < 0 ? -1 : text.indexOf(QLatin1String("}}"), open);
        if (close < 0) {
            out += QString::fromLatin1(QUrl::toPercentEncoding(text.mid(from)));
            return out;
        }
        out += QString::fromLatin1(QUrl::toPercentEncoding(text.mid(from, open - from)));
        out += text.mid(open, close + 2 - open);
        from = close + 2;
    }
}

struct Walker
{
    ImportResult &result;
    QMap<QString, QString> variables;
    QString *error;

    void scripts(const QJsonObject &item, const QString &what)
    {
        const QJsonArray events = item.value(QLatin1String("event")).toArray();
        for (const QJsonValue &event : events) {
            const QJsonObject e = event.toObject();
            const QJsonValue exec =
                e.value(QLatin1String("script")).toObject().value(QLatin1String("exec"));
            const QString code =
                exec.isArray() ? exec.toVariant().toStringList().join(u'\n') : exec.toString();
            if (code.trimmed().isEmpty())
                continue;
            const QString listen = str(e, "listen");
            result.leftOut.append(
                what + QStringLiteral(": ") +
                (listen == QLatin1String("test") ? QStringLiteral("test script")
                                                 : QStringLiteral("pre-request script")) +
                QStringLiteral(" not imported (%1 lines)").arg(code.count(u'\n') + 1));
        }
    }

    QString urlOf(const QJsonValue &value, const QString &where,
                  QList<QPair<QString, QString>> *query)
    {
        if (value.isString())
            return value.toString();
        const QJsonObject url = value.toObject();
        QString out;
        if (url.contains(QLatin1String("host")) || url.contains(QLatin1String("path"))) {
            const QString protocol = str(url, "protocol");
            const QJsonValue host = url.value(QLatin1String("host"));
            const QString hostText =
                host.isArray() ? host.toVariant().toStringList().join(u'.') : host.toString();
            out = (protocol.isEmpty() ? QString() : protocol + QStringLiteral("://")) + hostText;
            if (!str(url, "port").isEmpty())
                out += u':' + str(url, "port");
            const QJsonValue path = url.value(QLatin1String("path"));
            const QStringList segments = path.isArray()
                                             ? path.toVariant().toStringList()
                                             : path.toString().split(u'/', Qt::SkipEmptyParts);
            for (const QString &segment : segments)
                out += u'/' + segment;
            const QJsonArray queryItems = url.value(QLatin1String("query")).toArray();
            for (const QJsonValue &q : queryItems) {
                const QJsonObject p = q.toObject();
                if (!p.value(QLatin1String("disabled")).toBool())
                    query->append(
                        {str(p, "key"), p.value(QLatin1String("value")).toVariant().toString()});
            }
        } else {
            out = str(url, "raw");
        }
        // Path variables: ":id" segments with their documented values.
        const QJsonArray pathVariables = url.value(QLatin1String("variable")).toArray();
        for (const QJsonValue &v : pathVariables) {
            const QJsonObject p = v.toObject();
            const QRegularExpression segment(QStringLiteral("/:") +
                                             QRegularExpression::escape(str(p, "key")) +
                                             QStringLiteral("(?=$|[/?#])"));
            out.replace(segment, u'/' + p.value(QLatin1String("value")).toVariant().toString());
        }
        if (out.isEmpty())
            fail(error, where + QStringLiteral(".url: missing"));
        return out;
    }

    bool request(const QJsonObject &item, const QString &name, const QString &where,
                 const QJsonObject &auth)
    {
        const QJsonValue requestValue = item.value(QLatin1String("request"));
        const QJsonObject request = requestValue.toObject();
        Step step;
        step.name = name;
        step.method = requestValue.isString()
                          ? QStringLiteral("GET")
                          : (str(request, "method").isEmpty() ? QStringLiteral("GET")
                                                              : str(request, "method").toUpper());
        QList<QPair<QString, QString>> query;
        QString url =
            urlOf(requestValue.isString() ? requestValue : request.value(QLatin1String("url")),
                  where + QStringLiteral(".request"), &query);
        if (url.isEmpty())
            return false;
        // A leading {{variable}} holding an origin ("{{baseUrl}}/users") is resolved here.
        static const QRegularExpression leading(QStringLiteral("^\\{\\{\\s*([^}]+?)\\s*\\}\\}"));
        const auto lead = leading.match(url);
        if (lead.hasMatch() && variables.contains(lead.captured(1)))
            url.replace(0, lead.capturedLength(), variables.value(lead.captured(1)));
        if (!url.contains(QLatin1String("://")) && !url.startsWith(QLatin1String("{{")))
            url.prepend(QLatin1String("http://")); // Postman's default, as curl's
        if (!url.startsWith(QLatin1String("http://")) &&
            !url.startsWith(QLatin1String("https://"))) {
            fail(error,
                 where + QStringLiteral(".request.url: \"") + url +
                     QStringLiteral("\" is not an http or https URL (is a variable undefined?)"));
            return false;
        }
        const QJsonArray headerList = request.value(QLatin1String("header")).toArray();
        for (const QJsonValue &h : headerList) {
            const QJsonObject header = h.toObject();
            if (header.value(QLatin1String("disabled")).toBool()) {
                result.leftOut.append(where + QStringLiteral(": disabled header ") +
                                      str(header, "key"));
                continue;
            }
            step.headers.append(
                {str(header, "key"), header.value(QLatin1String("value")).toVariant().toString()});
        }
        const auto hasHeader = [&step](const QString &header) {
            for (const auto &h : std::as_const(step.headers)) {
                if (h.first.compare(header, Qt::CaseInsensitive) == 0)
                    return true;
            }
            return false;
        };
        // Auth: the request's own, else inherited from its folders and the collection.
        const QJsonObject ownAuth = request.value(QLatin1String("auth")).toObject();
        const QJsonObject effective =
            ownAuth.isEmpty() || str(ownAuth, "type") == QLatin1String("inherit") ? auth : ownAuth;
        const QString type = str(effective, "type");
        const auto values = authValues(effective);
        if (type == QLatin1String("bearer")) {
            step.headers.append(
                {QStringLiteral("Authorization"),
                 QStringLiteral("Bearer ") + values.value(QStringLiteral("token"))});
        } else if (type == QLatin1String("basic")) {
            const QString credentials = values.value(QStringLiteral("username")) + u':' +
                                        values.value(QStringLiteral("password"));
            if (credentials.contains(QLatin1String("{{")))
                result.leftOut.append(
                    where +
                    QStringLiteral(": basic auth built from variables (base64 of {{...}} cannot be "
                                   "templated); set the Authorization header by hand"));
            else
                step.headers.append({QStringLiteral("Authorization"),
                                     QStringLiteral("Basic ") +
                                         QString::fromLatin1(credentials.toUtf8().toBase64())});
        } else if (type == QLatin1String("apikey")) {
            const QString key = values.value(QStringLiteral("key"), QStringLiteral("X-API-Key"));
            if (values.value(QStringLiteral("in")) == QLatin1String("query"))
                query.append({key, values.value(QStringLiteral("value"))});
            else
                step.headers.append({key, values.value(QStringLiteral("value"))});
        } else if (!type.isEmpty() && type != QLatin1String("noauth")) {
            result.leftOut.append(where + QStringLiteral(": ") + type +
                                  QStringLiteral(" auth (not a plan header)"));
        }
        if (!query.isEmpty()) {
            QStringList pairs;
            for (const auto &q : std::as_const(query))
                pairs.append(percent(q.first) + u'=' + percent(q.second));
            const qsizetype mark = url.indexOf(u'?');
            if (mark >= 0)
                url.truncate(mark); // the object's query list is the truth
            url += u'?' + pairs.join(u'&');
        }
        step.path = url;
        const QJsonObject body = request.value(QLatin1String("body")).toObject();
        const QString mode = str(body, "mode");
        QString contentType;
        if (mode == QLatin1String("raw")) {
            step.body = str(body, "raw");
            const QString language = body.value(QLatin1String("options"))
                                         .toObject()
                                         .value(QLatin1String("raw"))
                                         .toObject()
                                         .value(QLatin1String("language"))
                                         .toString();
            if (language == QLatin1String("json"))
                contentType = QStringLiteral("application/json");
            else if (language == QLatin1String("xml"))
                contentType = QStringLiteral("application/xml");
            else if (!step.body.isEmpty())
                contentType = QStringLiteral("text/plain");
        } else if (mode == QLatin1String("urlencoded")) {
            QStringList pairs;
            const QJsonArray urlencodedFields = body.value(QLatin1String("urlencoded")).toArray();
            for (const QJsonValue &p : urlencodedFields) {
                if (!p.toObject().value(QLatin1String("disabled")).toBool())
                    pairs.append(
                        percent(str(p.toObject(), "key")) + u'=' +
                        percent(p.toObject().value(QLatin1String("value")).toVariant().toString()));
            }
            step.body = pairs.join(u'&');
            contentType = QStringLiteral("application/x-www-form-urlencoded");
        } else if (mode == QLatin1String("formdata")) {
            const QString boundary =
                QStringLiteral("------------------------loadscope7MA4YWxkTrZu0gW");
            const QJsonArray formFields = body.value(QLatin1String("formdata")).toArray();
            for (const QJsonValue &p : formFields) {
                const QJsonObject part = p.toObject();
                if (part.value(QLatin1String("disabled")).toBool())
                    continue;
                if (str(part, "type") == QLatin1String("file")) {
                    result.leftOut.append(where + QStringLiteral(": form-data file part ") +
                                          str(part, "key"));
                    continue;
                }
                step.body += QStringLiteral("--") + boundary +
                             QStringLiteral("\r\nContent-Disposition: form-data; name=\"") +
                             str(part, "key") + QStringLiteral("\"\r\n\r\n") +
                             part.value(QLatin1String("value")).toVariant().toString() +
                             QStringLiteral("\r\n");
            }
            step.body += QStringLiteral("--") + boundary + QStringLiteral("--\r\n");
            contentType = QStringLiteral("multipart/form-data; boundary=") + boundary;
        } else if (mode == QLatin1String("graphql")) {
            const QJsonObject graphql = body.value(QLatin1String("graphql")).toObject();
            QJsonObject json{{QStringLiteral("query"), graphql.value(QLatin1String("query"))}};
            const QJsonDocument vars = QJsonDocument::fromJson(str(graphql, "variables").toUtf8());
            if (vars.isObject())
                json.insert(QStringLiteral("variables"), vars.object());
            step.body = QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Compact));
            contentType = QStringLiteral("application/json");
        } else if (!mode.isEmpty()) {
            result.leftOut.append(where + QStringLiteral(": ") + mode +
                                  QStringLiteral(" body (a file Postman uploads)"));
        }
        if (!contentType.isEmpty() && !hasHeader(QStringLiteral("Content-Type")))
            step.headers.append({QStringLiteral("Content-Type"), contentType});
        // Postman's dynamic variables have no value in a plan.
        static const QRegularExpression dynamic(
            QStringLiteral("\\{\\{\\s*(\\$[A-Za-z]+)\\s*\\}\\}"));
        QStringList dynamics;
        for (const QString &text : {step.path, step.body}) {
            for (auto it = dynamic.globalMatch(text); it.hasNext();)
                dynamics.append(it.next().captured(1));
        }
        for (const auto &h : std::as_const(step.headers)) {
            for (auto it = dynamic.globalMatch(h.second); it.hasNext();)
                dynamics.append(it.next().captured(1));
        }
        dynamics.removeDuplicates();
        for (const QString &d : std::as_const(dynamics))
            result.leftOut.append(where + QStringLiteral(": Postman dynamic variable {{") + d +
                                  QStringLiteral("}} has no plan value"));
        scripts(item, where + QStringLiteral(" (") + name + u')');
        result.taken.append(where + QStringLiteral(": ") + name + QStringLiteral(": ") +
                            step.method + u' ' + step.path);
        result.plan.steps.append(step);
        return true;
    }

    bool items(const QJsonArray &list, const QString &where, const QString &prefix,
               const QJsonObject &auth)
    {
        for (qsizetype i = 0; i < list.size(); ++i) {
            const QString at = where + QStringLiteral("[%1]").arg(i);
            const QJsonObject item = list.at(i).toObject();
            const QString name = str(item, "name");
            const QJsonObject ownAuth = item.value(QLatin1String("auth")).toObject();
            const QJsonObject inherited =
                ownAuth.isEmpty() || str(ownAuth, "type") == QLatin1String("inherit") ? auth
                                                                                      : ownAuth;
            if (item.contains(QLatin1String("item"))) { // a folder
                scripts(item, at + QStringLiteral(" (folder ") + name + u')');
                if (!items(item.value(QLatin1String("item")).toArray(),
                           at + QStringLiteral(".item"), prefix + name + QStringLiteral(" / "),
                           inherited))
                    return false;
            } else if (item.contains(QLatin1String("request"))) {
                if (!request(item, prefix + name, at, auth))
                    return false;
            } else {
                return fail(
                    error,
                    at + QStringLiteral(
                             ": neither a request nor a folder (no \"request\" or \"item\")"));
            }
        }
        return true;
    }
};

} // namespace

std::optional<ImportResult> importPostman(const QByteArray &raw, QString *error,
                                          const QByteArray &environment)
{
    const auto parsed = parseImportedJson(raw, error);
    if (!parsed)
        return std::nullopt;
    const QJsonDocument &doc = *parsed;
    const QJsonObject root = doc.object();
    const QJsonObject info = root.value(QLatin1String("info")).toObject();
    if (info.isEmpty()) {
        fail(error, QStringLiteral("info: missing; a Postman collection v2.1 has {\"info\": "
                                   "{\"schema\": ...}, \"item\": [...]} "
                                   "(v1 collections: export again as v2.1)"));
        return std::nullopt;
    }
    const QString schema = str(info, "schema");
    if (!schema.contains(QLatin1String("/v2.1"))) {
        fail(error, QStringLiteral("info.schema: \"") + schema +
                        QStringLiteral(
                            "\" is not Postman collection v2.1 (export the collection as v2.1)"));
        return std::nullopt;
    }
    if (!root.value(QLatin1String("item")).isArray() ||
        root.value(QLatin1String("item")).toArray().isEmpty()) {
        fail(error, QStringLiteral("item: the collection has no requests"));
        return std::nullopt;
    }
    ImportResult result;
    result.plan.name =
        str(info, "name").isEmpty() ? QStringLiteral("postman import") : str(info, "name");
    result.plan.description = str(info, "description").section(u'\n', 0, 0);
    Walker walker{result, {}, error};
    const QJsonArray collectionVariables = root.value(QLatin1String("variable")).toArray();
    for (const QJsonValue &v : collectionVariables) {
        const QJsonObject variable = v.toObject();
        if (variable.value(QLatin1String("disabled")).toBool())
            continue;
        const QString key = str(variable, "key");
        const QString value = variable.value(QLatin1String("value")).toVariant().toString();
        walker.variables.insert(key, value);
        result.plan.variables.insert(key, value);
        result.taken.append(QStringLiteral("variable {{") + key + QStringLiteral("}}"));
    }
    if (!environment.isEmpty()) {
        QJsonParseError envError;
        const QJsonDocument env = QJsonDocument::fromJson(environment, &envError);
        if (envError.error != QJsonParseError::NoError) {
            fail(error, QStringLiteral("environment: ") +
                            textPlace(environment, envError.offset - 1) +
                            QStringLiteral(": not JSON (") + envError.errorString() + u')');
            return std::nullopt;
        }
        if (!env.object().value(QLatin1String("values")).isArray()) {
            fail(error, QStringLiteral("environment.values: missing; an exported Postman "
                                       "environment has {\"values\": [{\"key\", \"value\"}]}"));
            return std::nullopt;
        }
        const QJsonArray environmentValues = env.object().value(QLatin1String("values")).toArray();
        for (const QJsonValue &v : environmentValues) {
            const QJsonObject variable = v.toObject();
            if (variable.contains(QLatin1String("enabled")) &&
                !variable.value(QLatin1String("enabled")).toBool())
                continue;
            const QString key = str(variable, "key");
            const QString value = variable.value(QLatin1String("value")).toVariant().toString();
            walker.variables.insert(key, value);
            result.plan.variables.insert(key, value);
            result.taken.append(QStringLiteral("environment variable {{") + key +
                                QStringLiteral("}}"));
        }
    }
    walker.scripts(root, QStringLiteral("collection"));
    if (!walker.items(root.value(QLatin1String("item")).toArray(), QStringLiteral("item"),
                      QString(), root.value(QLatin1String("auth")).toObject()))
        return std::nullopt;
    if (result.plan.steps.isEmpty()) {
        fail(error, QStringLiteral("item: the collection's folders hold no requests"));
        return std::nullopt;
    }
    setBaseUrlFromSteps(result.plan);
    // A variable used only as the origin is the base URL now.
    QStringList originOnly;
    for (auto it = result.plan.variables.cbegin(); it != result.plan.variables.cend(); ++it) {
        const QString ref = QStringLiteral("{{") + it.key() + QStringLiteral("}}");
        bool used = false;
        for (const Step &step : std::as_const(result.plan.steps)) {
            used = used || step.path.contains(ref) || step.body.contains(ref);
            for (const auto &h : step.headers)
                used = used || h.second.contains(ref);
        }
        if (!used && it.value() == result.plan.baseUrl)
            originOnly.append(it.key());
    }
    for (const QString &key : std::as_const(originOnly))
        result.plan.variables.remove(key);
    return result;
}

} // namespace loadscope
