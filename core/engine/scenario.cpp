#include "scenario.h"

#include <cmath>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QUrl>

namespace loadscope {
namespace {

bool hasTemplate(const QString &text)
{
    return text.contains(QLatin1String("{{"));
}

QString stepPath(int index)
{
    return QStringLiteral("steps[") + QString::number(index) + u']';
}

} // namespace

QString substituteTemplates(const QString &text, const VariableMap &variables)
{
    qsizetype open = text.indexOf(QLatin1String("{{"));
    if (open < 0)
        return text;
    QString out;
    out.reserve(text.size() + 32);
    qsizetype from = 0;
    while (open >= 0) {
        const qsizetype close = text.indexOf(QLatin1String("}}"), open + 2);
        if (close < 0)
            break;
        out += QStringView(text).mid(from, open - from);
        const QString name = text.mid(open + 2, close - open - 2).trimmed();
        const auto it = variables.constFind(name);
        if (it != variables.constEnd())
            out += *it;
        else
            out += QStringView(text).mid(open, close + 2 - open);
        from = close + 2;
        open = text.indexOf(QLatin1String("{{"), from);
    }
    out += QStringView(text).mid(from);
    return out;
}

std::optional<QJsonValue> resolveJsonPointer(const QJsonValue &root, const QString &pointer)
{
    if (pointer.isEmpty())
        return root;
    if (!pointer.startsWith(u'/'))
        return std::nullopt;
    QJsonValue current = root;
    const QStringList tokens = pointer.mid(1).split(u'/');
    for (QString token : tokens) {
        token.replace(QLatin1String("~1"), QLatin1String("/"));
        token.replace(QLatin1String("~0"), QLatin1String("~"));
        if (current.isObject()) {
            const QJsonObject object = current.toObject();
            const auto it = object.constFind(token);
            if (it == object.constEnd())
                return std::nullopt;
            current = *it;
        } else if (current.isArray()) {
            bool ok = false;
            const int index = token.toInt(&ok);
            const QJsonArray array = current.toArray();
            if (!ok || index < 0 || index >= array.size())
                return std::nullopt;
            current = array.at(index);
        } else {
            return std::nullopt;
        }
    }
    return current;
}

QString jsonValueText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Double: {
        const double d = value.toDouble();
        if (std::abs(d) < 9e15 && d == std::floor(d))
            return QString::number(qint64(d));
        // Shortest text that reads back as the same double: 0.1, not 0.10000000000000001.
        return QString::number(d, 'g', QLocale::FloatingPointShortest);
    }
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Object:
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Undefined:
        break;
    }
    return QString();
}

namespace {

//! "{{name}}" of the first variable referenced in @p text whose value holds CR, LF or NUL.
QString offendingVariable(const QString &text, const VariableMap &variables)
{
    for (const QString &name : templateReferences(text)) {
        const auto it = variables.constFind(name);
        if (it != variables.constEnd() && hasLineBreakOrNul(it->toUtf8()))
            return QStringLiteral("{{") + name + QStringLiteral("}}");
    }
    return QString();
}

QString refusalText(const QString &field, const QString &variable)
{
    return field + QStringLiteral(": ") +
           (variable.isEmpty() ? QStringLiteral("the value")
                               : QStringLiteral("the value of ") + variable) +
           QStringLiteral(" holds a CR, LF or NUL character; request not sent");
}

} // namespace

HttpRequestData CompiledStep::requestFor(const VariableMap &variables) const
{
    HttpRequestData request;
    request.method = step.method.toLatin1();
    request.maxRedirects = maxRedirects;
    request.target =
        templated ? substituteTemplates(QString::fromUtf8(target), variables).toUtf8() : target;
    // Substituted values are checked on every request: a value extracted from a response must
    // not add a header or a request of its own.
    if (templated && hasLineBreakOrNul(request.target))
        request.refusal = refusalText(QStringLiteral("path"),
                                      offendingVariable(QString::fromUtf8(target), variables));
    request.headers.reserve(step.headers.size() + 1);
    bool userAgent = false;
    for (const auto &header : step.headers) {
        userAgent = userAgent ||
                    header.first.compare(QLatin1String("User-Agent"), Qt::CaseInsensitive) == 0;
        request.headers.append(
            {header.first.toLatin1(), substituteTemplates(header.second, variables).toUtf8()});
        if (request.refusal.isEmpty() && hasLineBreakOrNul(request.headers.last().second))
            request.refusal = refusalText(QStringLiteral("header ") + header.first,
                                          offendingVariable(header.second, variables));
    }
    if (!userAgent)
        request.headers.append(
            {QByteArrayLiteral("User-Agent"), QByteArrayLiteral("loadscope/" LOADSCOPE_VERSION)});
    request.body = templated && !body.isEmpty()
                       ? substituteTemplates(QString::fromUtf8(body), variables).toUtf8()
                       : body;
    return request;
}

StepOutcome evaluateStep(const CompiledStep &compiled, const HttpResult &result,
                         VariableMap &variables)
{
    StepOutcome outcome;
    const Step &step = compiled.step;
    std::optional<QJsonDocument> json;
    const auto document = [&]() -> const QJsonDocument & {
        if (!json)
            json = QJsonDocument::fromJson(result.body);
        return *json;
    };
    const auto rootValue = [&]() -> QJsonValue {
        const QJsonDocument &doc = document();
        if (doc.isObject())
            return doc.object();
        if (doc.isArray())
            return doc.array();
        return QJsonValue(QJsonValue::Undefined);
    };
    const auto fail = [&outcome](const QString &what) {
        ++outcome.checksFailed;
        if (outcome.firstFailure.isEmpty())
            outcome.firstFailure = what;
    };

    for (const Check &check : step.checks) {
        switch (check.kind) {
        case Check::Kind::Status:
            if (result.status == check.status)
                ++outcome.checksPassed;
            else
                fail(QStringLiteral("status is ") + QString::number(result.status) +
                     QStringLiteral(", expected ") + QString::number(check.status));
            break;
        case Check::Kind::BodyContains:
            if (result.body.contains(check.text.toUtf8()))
                ++outcome.checksPassed;
            else
                fail(QStringLiteral("body does not contain \"") + check.text + u'"');
            break;
        case Check::Kind::JsonPointerExists:
            if (resolveJsonPointer(rootValue(), check.pointer))
                ++outcome.checksPassed;
            else
                fail(QStringLiteral("JSON pointer ") + check.pointer +
                     QStringLiteral(" not found"));
            break;
        case Check::Kind::JsonPointerEquals: {
            const auto value = resolveJsonPointer(rootValue(), check.pointer);
            if (value && (*value == check.value || (value->isDouble() && check.value.isDouble() &&
                                                    value->toDouble() == check.value.toDouble())))
                ++outcome.checksPassed;
            else
                fail(QStringLiteral("JSON pointer ") + check.pointer + QStringLiteral(" is ") +
                     (value ? jsonValueText(*value) : QStringLiteral("missing")) +
                     QStringLiteral(", expected ") + jsonValueText(check.value));
            break;
        }
        }
    }

    for (int i = 0; i < step.extractions.size(); ++i) {
        const Extraction &extraction = step.extractions[i];
        std::optional<QString> value;
        switch (extraction.source) {
        case Extraction::Source::JsonPointer:
            if (const auto v = resolveJsonPointer(rootValue(), extraction.expression))
                value = jsonValueText(*v);
            break;
        case Extraction::Source::Header: {
            const QByteArray name = extraction.expression.toLatin1();
            for (const auto &header : result.headers) {
                if (header.first.compare(name, Qt::CaseInsensitive) == 0) {
                    value = QString::fromUtf8(header.second);
                    break;
                }
            }
            break;
        }
        case Extraction::Source::Regex: {
            const QRegularExpressionMatch match =
                compiled.extractionRegexes.value(i).match(QString::fromUtf8(result.body));
            if (match.hasMatch())
                value = match.captured(extraction.group);
            break;
        }
        }
        if (value) {
            // Counted like a check both ways, so the checks rate is not skewed by failures only.
            ++outcome.checksPassed;
            variables.insert(extraction.name, *value);
        } else {
            variables.remove(extraction.name);
            fail(QStringLiteral("extraction ") + extraction.name +
                 QStringLiteral(" found nothing"));
        }
    }
    return outcome;
}

QStringList endpointNames(const TestPlan &plan)
{
    QStringList names;
    for (const Step &step : plan.steps) {
        const QString name = step.displayName();
        if (!names.contains(name))
            names.append(name);
    }
    return names;
}

std::optional<QList<CompiledStep>> compileSteps(const TestPlan &plan, const QString &baseUrl,
                                                const QStringList &endpoints, QString *error)
{
    const QUrl base(baseUrl);
    QString basePath = base.path(QUrl::FullyEncoded);
    if (basePath.endsWith(u'/'))
        basePath.chop(1);
    QList<CompiledStep> compiled;
    for (int i = 0; i < plan.steps.size(); ++i) {
        const Step &step = plan.steps[i];
        CompiledStep c;
        c.step = step;
        c.endpoint = int(endpoints.indexOf(step.displayName()));
        QString target = step.path;
        if (target.startsWith(QLatin1String("http://")) ||
            target.startsWith(QLatin1String("https://"))) {
            const QUrl url(target);
            if (url.host() != base.host() ||
                url.port(url.scheme() == QLatin1String("https") ? 443 : 80) !=
                    base.port(base.scheme() == QLatin1String("https") ? 443 : 80)) {
                *error = stepPath(i) + QStringLiteral(".path: ") + target +
                         QStringLiteral(" is on another host than the base URL ") + baseUrl +
                         QStringLiteral("; one run targets one host");
                return std::nullopt;
            }
            // Keep the path and query as written, like a relative path: QUrl would
            // percent-encode "{{name}}" and the step would lose its templates.
            qsizetype start = target.indexOf(QLatin1String("://")) + 3;
            while (start < target.size() && target[start] != u'/' && target[start] != u'?' &&
                   target[start] != u'#')
                ++start;
            target = target.mid(start).section(u'#', 0, 0);
            if (!target.startsWith(u'/'))
                target.prepend(u'/');
        } else {
            target = basePath + target;
        }
        if (target.isEmpty())
            target = QStringLiteral("/");
        // What is written in the plan is checked here; substituted values per request.
        if (!isHttpToken(step.method.toLatin1())) {
            *error = stepPath(i) + QStringLiteral(".method: \"") + step.method +
                     QStringLiteral("\" is not an HTTP method token");
            return std::nullopt;
        }
        if (hasLineBreakOrNul(target.toUtf8())) {
            *error = stepPath(i) +
                     QStringLiteral(".path: holds a CR, LF or NUL character (a path cannot "
                                    "contain a line break; percent-encode it as %0D%0A)");
            return std::nullopt;
        }
        for (int h = 0; h < step.headers.size(); ++h) {
            const QString field =
                stepPath(i) + QStringLiteral(".headers[") + QString::number(h) + u']';
            if (!isHttpToken(step.headers[h].first.toLatin1()) ||
                step.headers[h].first.toLatin1() != step.headers[h].first.toUtf8()) {
                *error = field + QStringLiteral(": \"") + step.headers[h].first +
                         QStringLiteral("\" is not a header name (an HTTP token)");
                return std::nullopt;
            }
            if (hasLineBreakOrNul(step.headers[h].second.toUtf8())) {
                *error = field + QStringLiteral(" (") + step.headers[h].first +
                         QStringLiteral("): the value holds a CR, LF or NUL character");
                return std::nullopt;
            }
        }
        // Spaces and other characters a request line cannot carry are percent-encoded; with
        // templates, after substitution (by the transport), so that "{{name}}" survives.
        c.target = hasTemplate(target) ? target.toUtf8() : encodeRequestTarget(target.toUtf8());
        c.maxRedirects = plan.maxRedirects;
        if (!step.bodyFile.isEmpty()) {
            QFile file(step.bodyFile);
            if (!file.open(QIODevice::ReadOnly)) {
                *error = stepPath(i) + QStringLiteral(".bodyFile: cannot read ") + step.bodyFile +
                         QStringLiteral(": ") + file.errorString();
                return std::nullopt;
            }
            c.body = file.readAll();
        } else {
            c.body = step.body.toUtf8();
        }
        c.templated = hasTemplate(target) || hasTemplate(QString::fromUtf8(c.body));
        for (const auto &header : step.headers)
            c.templated = c.templated || hasTemplate(header.second);
        bool needBody = false;
        for (const Check &check : step.checks)
            needBody = needBody || check.kind != Check::Kind::Status;
        for (const Extraction &extraction : step.extractions) {
            needBody = true;
            QRegularExpression regex;
            if (extraction.source == Extraction::Source::Regex) {
                regex.setPattern(extraction.expression);
                regex.optimize();
                if (!regex.isValid()) {
                    *error = stepPath(i) +
                             QStringLiteral(".extract: invalid regular expression: ") +
                             regex.errorString();
                    return std::nullopt;
                }
            }
            c.extractionRegexes.append(regex);
        }
        c.captureResponse = needBody;
        compiled.append(c);
    }
    return compiled;
}

namespace {

//! Splits one CSV record starting at @p pos; advances @p pos past its line end.
QStringList csvRecord(const QString &text, qsizetype &pos, bool *ok)
{
    QStringList fields;
    QString field;
    bool quoted = false;
    bool fieldStarted = false;
    *ok = true;
    while (pos < text.size()) {
        const QChar c = text[pos];
        if (quoted) {
            if (c == u'"') {
                if (pos + 1 < text.size() && text[pos + 1] == u'"') {
                    field += u'"';
                    pos += 2;
                    continue;
                }
                quoted = false;
            } else {
                field += c;
            }
            ++pos;
            continue;
        }
        if (c == u'"' && !fieldStarted) {
            quoted = true;
            fieldStarted = true;
        } else if (c == u',') {
            fields.append(field);
            field.clear();
            fieldStarted = false;
        } else if (c == u'\n' || c == u'\r') {
            if (c == u'\r' && pos + 1 < text.size() && text[pos + 1] == u'\n')
                ++pos;
            ++pos;
            fields.append(field);
            return fields;
        } else {
            field += c;
            fieldStarted = true;
        }
        ++pos;
    }
    if (quoted)
        *ok = false;
    fields.append(field);
    return fields;
}

//! Line breaks (LF, CRLF or a lone CR) in @p text.
int lineBreaks(QStringView text)
{
    int count = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const bool crlf = text[i] == u'\r' && i + 1 < text.size() && text[i + 1] == u'\n';
        if (text[i] == u'\n' || (text[i] == u'\r' && !crlf))
            ++count;
    }
    return count;
}

} // namespace

std::optional<QList<VariableMap>> readDataFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("dataFile: cannot read ") + path + QStringLiteral(": ") +
                 file.errorString();
        return std::nullopt;
    }
    const QString text = QString::fromUtf8(file.readAll());
    qsizetype pos = 0;
    bool ok = true;
    const QStringList header = csvRecord(text, pos, &ok);
    if (!ok || header.isEmpty() || (header.size() == 1 && header.first().isEmpty())) {
        *error = QStringLiteral("dataFile: ") + path + QStringLiteral(" has no header row");
        return std::nullopt;
    }
    QList<VariableMap> rows;
    // A quoted field may span lines: errors name the line on which their record starts.
    int nextLine = 1 + lineBreaks(QStringView(text).left(pos));
    while (pos < text.size()) {
        const int line = nextLine;
        const qsizetype start = pos;
        const QStringList fields = csvRecord(text, pos, &ok);
        nextLine += lineBreaks(QStringView(text).mid(start, pos - start));
        if (!ok) {
            *error = QStringLiteral("dataFile: ") + path + QStringLiteral(":") +
                     QString::number(line) + QStringLiteral(": unterminated quoted field");
            return std::nullopt;
        }
        if (fields.size() == 1 && fields.first().isEmpty())
            continue; // blank line
        if (fields.size() != header.size()) {
            *error = QStringLiteral("dataFile: ") + path + u':' + QString::number(line) +
                     QStringLiteral(": ") + QString::number(fields.size()) +
                     QStringLiteral(" fields, the header has ") + QString::number(header.size());
            return std::nullopt;
        }
        VariableMap row;
        for (int i = 0; i < header.size(); ++i)
            row.insert(header[i].trimmed(), fields[i]);
        rows.append(row);
    }
    if (rows.isEmpty()) {
        *error = QStringLiteral("dataFile: ") + path + QStringLiteral(" has no data rows");
        return std::nullopt;
    }
    return rows;
}

} // namespace loadscope
