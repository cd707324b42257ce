#include "openapiimport.h"

#include <yaml-cpp/yaml.h>

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

QString text(const YAML::Node &node)
{
    return node && node.IsScalar() ? QString::fromStdString(node.Scalar()) : QString();
}

//! A YAML node as JSON, scalars typed by YAML's core schema (quoted scalars stay strings).
QJsonValue toJson(const YAML::Node &node)
{
    if (!node || node.IsNull())
        return QJsonValue::Null;
    if (node.IsSequence()) {
        QJsonArray array;
        for (const YAML::Node &item : node)
            array.append(toJson(item));
        return array;
    }
    if (node.IsMap()) {
        QJsonObject object;
        for (const auto &pair : node)
            object.insert(QString::fromStdString(pair.first.Scalar()), toJson(pair.second));
        return object;
    }
    const QString value = QString::fromStdString(node.Scalar());
    if (node.Tag() == "!")
        return value; // quoted
    static const QRegularExpression integer(QStringLiteral("^[-+]?[0-9]+$"));
    static const QRegularExpression real(
        QStringLiteral("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$"));
    if (value == QLatin1String("true") || value == QLatin1String("True"))
        return true;
    if (value == QLatin1String("false") || value == QLatin1String("False"))
        return false;
    if (value == QLatin1String("null") || value == QLatin1String("~"))
        return QJsonValue::Null;
    if (integer.match(value).hasMatch())
        return value.toLongLong();
    if (real.match(value).hasMatch())
        return value.toDouble();
    return value;
}

struct Importer
{
    YAML::Node root;
    ImportResult &result;
    QString *error;

    //! Follows a local "$ref" ("#/components/schemas/Order"); external refs give a null node.
    YAML::Node resolve(YAML::Node node, int depth = 0)
    {
        while (node && node.IsMap() && node["$ref"] && depth++ < 16) {
            const QString ref = text(node["$ref"]);
            if (!ref.startsWith(QLatin1String("#/"))) {
                result.leftOut.append(QStringLiteral("external $ref ") + ref);
                return YAML::Node();
            }
            YAML::Node at = root;
            for (QString token : ref.mid(2).split(u'/')) {
                token.replace(QLatin1String("~1"), QLatin1String("/"))
                    .replace(QLatin1String("~0"), QLatin1String("~"));
                at.reset(
                    at[token.toStdString()]); // reset, not =: assigning a Node writes into the tree
                if (!at) {
                    result.leftOut.append(QStringLiteral("unresolved $ref ") + ref);
                    return YAML::Node();
                }
            }
            node.reset(at);
        }
        return node;
    }

    //! An example value for @p schema: its example, default, first enum value, else built
    //! from its type (objects from their properties, arrays with one item).
    QJsonValue sample(YAML::Node schema, int depth = 0)
    {
        schema.reset(resolve(schema));
        if (!schema || !schema.IsMap() || depth > 8)
            return QJsonValue::Null;
        if (schema["example"])
            return toJson(schema["example"]);
        if (schema["examples"] && schema["examples"].IsSequence() && schema["examples"].size() > 0)
            return toJson(schema["examples"][0]); // 3.1: JSON Schema examples
        if (schema["default"])
            return toJson(schema["default"]);
        if (schema["const"])
            return toJson(schema["const"]);
        if (schema["enum"] && schema["enum"].IsSequence() && schema["enum"].size() > 0)
            return toJson(schema["enum"][0]);
        if (schema["allOf"]) {
            QJsonObject merged;
            for (const YAML::Node &part : schema["allOf"]) {
                const QJsonObject piece = sample(part, depth + 1).toObject();
                for (auto it = piece.begin(); it != piece.end(); ++it)
                    merged.insert(it.key(), it.value());
            }
            return merged;
        }
        for (const char *choice : {"oneOf", "anyOf"}) {
            if (schema[choice] && schema[choice].IsSequence() && schema[choice].size() > 0)
                return sample(schema[choice][0], depth + 1);
        }
        QString type = text(schema["type"]);
        if (schema["type"] && schema["type"].IsSequence()) // 3.1: ["string", "null"]
            type = text(schema["type"][0]);
        if (type.isEmpty() && schema["properties"])
            type = QStringLiteral("object");
        if (type == QLatin1String("object")) {
            QJsonObject object;
            if (schema["properties"]) {
                for (const auto &property : schema["properties"])
                    object.insert(QString::fromStdString(property.first.Scalar()),
                                  sample(property.second, depth + 1));
            }
            return object;
        }
        if (type == QLatin1String("array"))
            return QJsonArray{sample(schema["items"], depth + 1)};
        if (type == QLatin1String("integer"))
            return schema["minimum"] ? toJson(schema["minimum"]) : QJsonValue(1);
        if (type == QLatin1String("number"))
            return schema["minimum"] ? toJson(schema["minimum"]) : QJsonValue(1.5);
        if (type == QLatin1String("boolean"))
            return true;
        const QString format = text(schema["format"]);
        if (format == QLatin1String("date-time"))
            return QStringLiteral("2026-01-01T00:00:00Z");
        if (format == QLatin1String("date"))
            return QStringLiteral("2026-01-01");
        if (format == QLatin1String("email"))
            return QStringLiteral("user@example.com");
        if (format == QLatin1String("uuid"))
            return QStringLiteral("3fa85f64-5717-4562-b3fc-2c963f66afa6");
        return QStringLiteral("string");
    }

    QString scalarText(const QJsonValue &value)
    {
        if (value.isString())
            return value.toString();
        if (value.isBool())
            return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
        if (value.isDouble())
            return QString::number(value.toDouble(), 'g', 15);
        if (value.isNull() || value.isUndefined())
            return QString();
        return QString::fromUtf8(QJsonDocument(value.isArray() ? QJsonDocument(value.toArray())
                                                               : QJsonDocument(value.toObject()))
                                     .toJson(QJsonDocument::Compact));
    }

    QJsonValue parameterValue(const YAML::Node &parameter)
    {
        if (parameter["example"])
            return toJson(parameter["example"]);
        if (parameter["examples"] && parameter["examples"].IsMap()) {
            for (const auto &example : parameter["examples"]) {
                const YAML::Node value = resolve(example.second)["value"];
                if (value)
                    return toJson(value);
            }
        }
        return sample(parameter["schema"]);
    }

    bool operation(const QString &path, const QString &method, YAML::Node op,
                   const YAML::Node &pathItem, const QString &where)
    {
        Step step;
        step.method = method.toUpper();
        step.name = text(op["operationId"]);
        if (step.name.isEmpty())
            step.name = step.method + u' ' + path;
        QString target = path;
        QStringList query;
        // Parameters of the path item, overridden by the operation's (same name and place).
        QList<YAML::Node> parameters;
        QStringList keys;
        for (const YAML::Node &list :
             {YAML::Node(op["parameters"]), YAML::Node(pathItem["parameters"])}) {
            if (!list || !list.IsSequence())
                continue;
            for (const YAML::Node &p : list) {
                const YAML::Node parameter = resolve(p);
                if (!parameter)
                    continue;
                const QString key = text(parameter["in"]) + u':' + text(parameter["name"]);
                if (keys.contains(key))
                    continue;
                keys.append(key);
                parameters.append(parameter);
            }
        }
        for (const YAML::Node &parameter : std::as_const(parameters)) {
            const QString in = text(parameter["in"]);
            const QString name = text(parameter["name"]);
            const bool required = parameter["required"] && parameter["required"].as<bool>(false);
            const QString value = scalarText(parameterValue(parameter));
            if (in == QLatin1String("path")) {
                target.replace(u'{' + name + u'}',
                               QString::fromLatin1(QUrl::toPercentEncoding(value)));
            } else if (in == QLatin1String("query") && required) {
                query.append(QString::fromLatin1(QUrl::toPercentEncoding(name)) + u'=' +
                             QString::fromLatin1(QUrl::toPercentEncoding(value)));
            } else if (in == QLatin1String("header") && required) {
                step.headers.append({name, value});
            } else if (required) {
                result.leftOut.append(where + QStringLiteral(": required ") + in +
                                      QStringLiteral(" parameter ") + name);
            }
        }
        if (target.contains(u'{'))
            result.leftOut.append(
                where + QStringLiteral(": path parameters without a definition in ") + target);
        if (!query.isEmpty())
            target += u'?' + query.join(u'&');
        step.path = target;

        const YAML::Node body = resolve(op["requestBody"]);
        if (body && body["content"]) {
            const YAML::Node content = body["content"];
            QString type;
            for (const char *preferred :
                 {"application/json", "application/x-www-form-urlencoded", "text/plain"}) {
                if (content[preferred]) {
                    type = QString::fromLatin1(preferred);
                    break;
                }
            }
            if (type.isEmpty()) {
                for (const auto &entry : content) {
                    const QString name = QString::fromStdString(entry.first.Scalar());
                    if (name.endsWith(QLatin1String("+json"))) {
                        type = name;
                        break;
                    }
                }
            }
            if (type.isEmpty()) {
                QStringList types;
                for (const auto &entry : content)
                    types.append(QString::fromStdString(entry.first.Scalar()));
                result.leftOut.append(where + QStringLiteral(": request body of type ") +
                                      types.join(QLatin1String(", ")));
            } else {
                const YAML::Node media = content[type.toStdString()];
                QJsonValue value;
                if (media["example"]) {
                    value = toJson(media["example"]);
                } else if (media["examples"] && media["examples"].IsMap() &&
                           media["examples"].size() > 0) {
                    value = toJson(resolve(media["examples"].begin()->second)["value"]);
                } else {
                    value = sample(media["schema"]);
                }
                if (type == QLatin1String("application/x-www-form-urlencoded")) {
                    QStringList pairs;
                    const QJsonObject object = value.toObject();
                    for (auto it = object.begin(); it != object.end(); ++it)
                        pairs.append(
                            QString::fromLatin1(QUrl::toPercentEncoding(it.key())) + u'=' +
                            QString::fromLatin1(QUrl::toPercentEncoding(scalarText(it.value()))));
                    step.body = pairs.join(u'&');
                } else if (value.isString()) {
                    step.body = value.toString();
                } else {
                    step.body = scalarText(value);
                }
                step.headers.append({QStringLiteral("Content-Type"), type});
            }
        }
        // The documented success: the first 2xx status in the responses.
        int success = 0;
        if (op["responses"] && op["responses"].IsMap()) {
            for (const auto &response : op["responses"]) {
                bool ok = false;
                const int code = QString::fromStdString(response.first.Scalar()).toInt(&ok);
                if (ok && code >= 200 && code < 300 && (success == 0 || code < success))
                    success = code;
            }
        }
        if (success > 0) {
            Check check;
            check.status = success;
            step.checks.append(check);
        }
        security(op["security"] ? op["security"] : root["security"], step);
        result.taken.append(where + QStringLiteral(": ") + step.name + QStringLiteral(": ") +
                            step.method + u' ' + step.path);
        result.plan.steps.append(step);
        return true;
    }

    void security(const YAML::Node &requirements, Step &step)
    {
        if (!requirements || !requirements.IsSequence() || requirements.size() == 0)
            return;
        const YAML::Node first = requirements[0]; // the first alternative is enough to send
        if (!first.IsMap())
            return;
        for (const auto &requirement : first) {
            const QString name = QString::fromStdString(requirement.first.Scalar());
            const YAML::Node scheme =
                resolve(root["components"]["securitySchemes"][name.toStdString()]);
            const QString type = text(scheme["type"]);
            const QString variable = name.toLower().replace(
                QRegularExpression(QStringLiteral("[^a-z0-9_]")), QStringLiteral("_"));
            if (type == QLatin1String("http") &&
                text(scheme["scheme"]).compare(QLatin1String("bearer"), Qt::CaseInsensitive) == 0) {
                step.headers.append(
                    {QStringLiteral("Authorization"),
                     QStringLiteral("Bearer {{") + variable + QStringLiteral("}}")});
            } else if (type == QLatin1String("apiKey") &&
                       text(scheme["in"]) == QLatin1String("header")) {
                step.headers.append(
                    {text(scheme["name"]), QStringLiteral("{{") + variable + QStringLiteral("}}")});
            } else {
                const QString note = QStringLiteral("security scheme ") + name +
                                     QStringLiteral(" (") + type +
                                     QStringLiteral("): set it by hand");
                if (!result.leftOut.contains(note))
                    result.leftOut.append(note);
                continue;
            }
            if (!result.plan.variables.contains(variable)) {
                result.plan.variables.insert(variable, QString());
                result.taken.append(QStringLiteral("variable {{") + variable +
                                    QStringLiteral("}} for security scheme ") + name +
                                    QStringLiteral(": give it a value"));
            }
        }
    }
};

} // namespace

std::optional<ImportResult> importOpenApi(const QByteArray &raw, QString *error)
{
    const QByteArray bytes = withoutBom(raw);
    if (bytes.trimmed().startsWith('{')) {
        // JSON: Qt names the place of a syntax error the way the other importers do.
        QJsonParseError parseError;
        QJsonDocument::fromJson(bytes, &parseError);
        if (parseError.error != QJsonParseError::NoError) {
            fail(error, textPlace(bytes, parseError.offset - 1) + QStringLiteral(": not JSON (") +
                            parseError.errorString() + u')');
            return std::nullopt;
        }
    }
    ImportResult result;
    Importer importer{YAML::Node(), result, error};
    try {
        importer.root.reset(YAML::Load(bytes.toStdString()));
    } catch (const YAML::Exception &e) {
        fail(error, QStringLiteral("line %1, column %2: not YAML (%3)")
                        .arg(e.mark.line + 1)
                        .arg(e.mark.column + 1)
                        .arg(QString::fromStdString(e.msg)));
        return std::nullopt;
    }
    const YAML::Node &root = importer.root;
    try {
        if (!root.IsMap()) {
            fail(error, QStringLiteral("the document is not an OpenAPI object"));
            return std::nullopt;
        }
        if (root["swagger"]) {
            fail(error, QStringLiteral("swagger: \"") + text(root["swagger"]) +
                            QStringLiteral(
                                "\" is Swagger 2.0, not OpenAPI 3.0 or 3.1 (convert it first)"));
            return std::nullopt;
        }
        const QString version = text(root["openapi"]);
        if (!version.startsWith(QLatin1String("3.0")) &&
            !version.startsWith(QLatin1String("3.1"))) {
            fail(error, QStringLiteral("openapi: \"") + version +
                            QStringLiteral("\" is not OpenAPI 3.0 or 3.1"));
            return std::nullopt;
        }
        result.plan.name = text(root["info"]["title"]);
        if (result.plan.name.isEmpty())
            result.plan.name = QStringLiteral("openapi import");
        result.plan.description = text(root["info"]["description"]).section(u'\n', 0, 0);
        // The first server, its {variables} at their defaults.
        QString server;
        if (root["servers"] && root["servers"].IsSequence() && root["servers"].size() > 0) {
            const YAML::Node first = root["servers"][0];
            server = text(first["url"]);
            if (first["variables"] && first["variables"].IsMap()) {
                for (const auto &variable : first["variables"])
                    server.replace(u'{' + QString::fromStdString(variable.first.Scalar()) + u'}',
                                   text(variable.second["default"]));
            }
            if (root["servers"].size() > 1)
                result.leftOut.append(
                    QStringLiteral("servers[1...]: only the first server is the base URL"));
        }
        while (server.endsWith(u'/'))
            server.chop(1);
        QString prefix;
        if (server.startsWith(QLatin1String("http://")) ||
            server.startsWith(QLatin1String("https://"))) {
            const qsizetype pathStart =
                server.indexOf(u'/', server.indexOf(QLatin1String("://")) + 3);
            result.plan.baseUrl = pathStart < 0 ? server : server.left(pathStart);
            prefix = pathStart < 0 ? QString() : server.mid(pathStart);
        } else {
            prefix = server; // relative ("/v1") or none: the plan's base URL decides the host
            result.taken.append(QStringLiteral("servers: no absolute URL; the plan targets its "
                                               "base URL (the built-in sample API until set)"));
        }
        const YAML::Node paths = root["paths"];
        if (!paths || !paths.IsMap() || paths.size() == 0) {
            fail(error, QStringLiteral("paths: the document has no operations"));
            return std::nullopt;
        }
        static const char *const kMethods[] = {"get",     "put",  "post",  "delete",
                                               "options", "head", "patch", "trace"};
        for (const auto &entry : paths) {
            const QString path = QString::fromStdString(entry.first.Scalar());
            const YAML::Node item = importer.resolve(entry.second);
            if (!path.startsWith(u'/')) {
                fail(error,
                     QStringLiteral("paths.") + path + QStringLiteral(": must start with \"/\""));
                return std::nullopt;
            }
            if (!item || !item.IsMap())
                continue;
            for (const auto &operation : item) {
                const QString method = QString::fromStdString(operation.first.Scalar());
                if (std::find_if(std::begin(kMethods), std::end(kMethods),
                                 [&method](const char *m) { return method == QLatin1String(m); }) ==
                    std::end(kMethods))
                    continue;
                const QString where = QStringLiteral("paths.") + path + u'.' + method;
                if (method == QLatin1String("trace")) {
                    result.leftOut.append(where + QStringLiteral(": TRACE is not a plan method"));
                    continue;
                }
                importer.operation(prefix + path, method, operation.second, item, where);
            }
        }
    } catch (const YAML::Exception &e) {
        // A node of an unexpected kind (a list where a map belongs): yaml-cpp has no place.
        fail(error, (e.mark.is_null() ? QStringLiteral("the document")
                                      : QStringLiteral("line %1, column %2")
                                            .arg(e.mark.line + 1)
                                            .arg(e.mark.column + 1)) +
                        QStringLiteral(": ") + QString::fromStdString(e.msg));
        return std::nullopt;
    }
    if (result.plan.steps.isEmpty()) {
        fail(error, QStringLiteral("paths: the document has no operations"));
        return std::nullopt;
    }
    return result;
}

} // namespace loadscope
