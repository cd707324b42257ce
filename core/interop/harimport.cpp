#include "harimport.h"

#include <algorithm>

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QUrl>

#include "plan/duration.h"

namespace loadscope {

namespace {

bool fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return false;
}

bool isStaticAsset(const QString &mimeType, const QString &path)
{
    const QString mime = mimeType.section(u';', 0, 0).trimmed().toLower();
    if (mime.startsWith(QLatin1String("image/")) || mime.startsWith(QLatin1String("font/")) ||
        mime.startsWith(QLatin1String("video/")) || mime.startsWith(QLatin1String("audio/")) ||
        mime == QLatin1String("text/css") || mime.contains(QLatin1String("javascript")) ||
        mime == QLatin1String("application/font-woff") ||
        mime == QLatin1String("application/wasm") ||
        mime.startsWith(QLatin1String("application/x-font")))
        return true;
    static const QRegularExpression extension(
        QStringLiteral("\\.(js|mjs|css|png|jpe?g|gif|svg|ico|webp|avif|bmp|woff2?|ttf|otf|eot|"
                       "map|mp4|webm|mp3|ogg|wasm)$"),
        QRegularExpression::CaseInsensitiveOption);
    return extension.match(path.section(u'?', 0, 0)).hasMatch();
}

//! Request headers a replay must not send as recorded: hop-by-hop (RFC 9110 §7.6.1), what the
//! client computes itself, HTTP/2 pseudo-headers and what only a browser sends.
bool isDroppedHeader(const QString &name)
{
    const QString n = name.toLower();
    static const QSet<QString> dropped = {QStringLiteral("connection"),
                                          QStringLiteral("keep-alive"),
                                          QStringLiteral("proxy-connection"),
                                          QStringLiteral("proxy-authorization"),
                                          QStringLiteral("te"),
                                          QStringLiteral("trailer"),
                                          QStringLiteral("transfer-encoding"),
                                          QStringLiteral("upgrade"),
                                          QStringLiteral("host"),
                                          QStringLiteral("content-length"),
                                          QStringLiteral("accept-encoding"),
                                          QStringLiteral("upgrade-insecure-requests"),
                                          QStringLiteral("dnt"),
                                          QStringLiteral("priority"),
                                          QStringLiteral("purpose"),
                                          QStringLiteral("x-client-data"),
                                          QStringLiteral("if-none-match"),
                                          QStringLiteral("if-modified-since")};
    return n.startsWith(u':') || n.startsWith(QLatin1String("sec-ch-")) ||
           n.startsWith(QLatin1String("sec-fetch-")) || dropped.contains(n);
}

//! Response headers that never carry a value a client sends back.
bool isPlainResponseHeader(const QString &name)
{
    static const QSet<QString> plain = {QStringLiteral("date"),
                                        QStringLiteral("content-type"),
                                        QStringLiteral("content-length"),
                                        QStringLiteral("server"),
                                        QStringLiteral("cache-control"),
                                        QStringLiteral("vary"),
                                        QStringLiteral("connection"),
                                        QStringLiteral("keep-alive"),
                                        QStringLiteral("expires"),
                                        QStringLiteral("last-modified"),
                                        QStringLiteral("content-encoding"),
                                        QStringLiteral("transfer-encoding"),
                                        QStringLiteral("server-timing"),
                                        QStringLiteral("set-cookie"),
                                        QStringLiteral("access-control-allow-origin"),
                                        QStringLiteral("access-control-allow-headers"),
                                        QStringLiteral("access-control-allow-methods"),
                                        QStringLiteral("strict-transport-security"),
                                        QStringLiteral("age"),
                                        QStringLiteral("via"),
                                        QStringLiteral("alt-svc"),
                                        QStringLiteral("pragma"),
                                        QStringLiteral("x-powered-by")};
    return plain.contains(name.toLower());
}

QString stepName(const QString &method, const QString &url)
{
    const QString path = QUrl(url).path();
    const QStringList segments = path.split(u'/', Qt::SkipEmptyParts);
    return segments.isEmpty() ? method : segments.last();
}

//! A variable name made of @p hint: letters, digits and "_" only, never empty.
QString variableName(const QString &hint, QSet<QString> &used)
{
    QString base;
    for (const QChar c : hint) {
        if (c.isLetterOrNumber())
            base += c;
        else if (!base.isEmpty() && !base.endsWith(u'_'))
            base += u'_';
    }
    while (base.endsWith(u'_'))
        base.chop(1);
    if (base.isEmpty() || base.at(0).isDigit())
        base.prepend(QLatin1String("value_"));
    QString name = base;
    for (int i = 2; used.contains(name); ++i)
        name = base + u'_' + QString::number(i);
    used.insert(name);
    return name;
}

struct Candidate
{
    QString value;
    int step = -1;
    Extraction::Source source = Extraction::Source::JsonPointer;
    QString expression; // JSON pointer or header name
    QString hint;       // for the variable's name
};

QString pointerToken(const QString &key)
{
    return QString(key).replace(u'~', QLatin1String("~0")).replace(u'/', QLatin1String("~1"));
}

//! Leaf values of a JSON response worth correlating, with their pointers.
void collectJson(const QJsonValue &value, const QString &pointer, const QString &key, int step,
                 QList<Candidate> &out)
{
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it)
            collectJson(it.value(), pointer + u'/' + pointerToken(it.key()), it.key(), step, out);
    } else if (value.isArray()) {
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size() && i < 50; ++i)
            collectJson(array.at(i), pointer + u'/' + QString::number(i), key, step, out);
    } else if (value.isString() || value.isDouble()) {
        const QString text =
            value.isString() ? value.toString() : QString::number(value.toDouble(), 'g', 17);
        if (text.size() < 3 || pointer.isEmpty())
            return;
        // The name says where the value sits: "/user/id" -> user_id, "/orders/0/id" -> orders_id.
        QStringList names;
        for (const QString &token : pointer.mid(1).split(u'/')) {
            bool number = false;
            token.toInt(&number);
            if (!number)
                names.append(token);
        }
        const QString hint = names.size() > 1 ? names.mid(names.size() - 2).join(u'_')
                                              : (names.isEmpty() ? key : names.first());
        out.append({text, step, Extraction::Source::JsonPointer, pointer, hint});
    }
}

//! Replaces @p value in @p text by {{name}}: anywhere when the value is long enough to be
//! unique (8+ characters), else only as a whole path segment or query/form value.
bool replaceValue(QString &text, const QString &value, const QString &name, bool urlLike)
{
    const QString reference = QStringLiteral("{{") + name + QStringLiteral("}}");
    if (value.size() >= 8) {
        if (!text.contains(value))
            return false;
        text.replace(value, reference);
        return true;
    }
    if (!urlLike)
        return false;
    const QRegularExpression whole(QStringLiteral("(?<=[/=])") + QRegularExpression::escape(value) +
                                   QStringLiteral("(?=$|[/?&#])"));
    if (!whole.match(text).hasMatch())
        return false;
    text.replace(whole, reference);
    return true;
}

QDateTime parseTime(const QString &text)
{
    QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!time.isValid())
        time = QDateTime::fromString(text, Qt::ISODate);
    return time;
}

} // namespace

QString textPlace(const QByteArray &bytes, qsizetype offset)
{
    offset = std::clamp<qsizetype>(offset, 0, bytes.size());
    const QByteArray before = bytes.left(offset);
    const qsizetype line = before.count('\n') + 1;
    const qsizetype column = offset - (before.lastIndexOf('\n') + 1) + 1;
    return QStringLiteral("line %1, column %2").arg(line).arg(column);
}

QByteArray withoutBom(const QByteArray &raw)
{
    return raw.startsWith("\xEF\xBB\xBF") ? raw.mid(3) : raw;
}

std::optional<QJsonDocument> parseImportedJson(const QByteArray &raw, QString *error)
{
    const QByteArray bytes = withoutBom(raw);
    QJsonParseError parseError;
    QJsonDocument doc = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        if (error)
            *error = textPlace(bytes, parseError.offset - 1) + QStringLiteral(": not JSON (") +
                     parseError.errorString() + u')';
        return std::nullopt;
    }
    return doc;
}

std::optional<ImportResult> importHar(const QByteArray &raw, const ImportOptions &options,
                                      QString *error)
{
    const auto parsed = parseImportedJson(raw, error);
    if (!parsed)
        return std::nullopt;
    const QJsonDocument &doc = *parsed;
    const QJsonObject log = doc.object().value(QLatin1String("log")).toObject();
    if (!doc.isObject() || log.isEmpty()) {
        fail(error, QStringLiteral("log: missing; a HAR file is {\"log\": {\"version\", "
                                   "\"entries\", ...}}"));
        return std::nullopt;
    }
    const QString version = log.value(QLatin1String("version")).toString();
    if (!version.isEmpty() && version != QLatin1String("1.2") && version != QLatin1String("1.1")) {
        fail(error, QStringLiteral("log.version: \"") + version +
                        QStringLiteral("\" is not HAR 1.1 or 1.2"));
        return std::nullopt;
    }
    const QJsonArray entries = log.value(QLatin1String("entries")).toArray();
    if (entries.isEmpty()) {
        fail(error, QStringLiteral("log.entries: the HAR has no entries"));
        return std::nullopt;
    }

    struct Recorded
    {
        int index;
        QDateTime start;
        double timeMs;
        QJsonObject entry;
    };
    QList<Recorded> recorded;
    for (qsizetype i = 0; i < entries.size(); ++i) {
        const QString where = QStringLiteral("log.entries[%1]").arg(i);
        if (!entries.at(i).isObject()) {
            fail(error, where + QStringLiteral(": must be an object"));
            return std::nullopt;
        }
        const QJsonObject entry = entries.at(i).toObject();
        const QJsonObject request = entry.value(QLatin1String("request")).toObject();
        if (request.isEmpty()) {
            fail(error, where + QStringLiteral(".request: missing"));
            return std::nullopt;
        }
        if (request.value(QLatin1String("method")).toString().isEmpty()) {
            fail(error, where + QStringLiteral(".request.method: missing"));
            return std::nullopt;
        }
        const QString url = request.value(QLatin1String("url")).toString();
        const QUrl parsed(url);
        if (request.value(QLatin1String("method"))
                    .toString()
                    .compare(QLatin1String("CONNECT"), Qt::CaseInsensitive) != 0 &&
            (!parsed.isValid() || parsed.host().isEmpty() ||
             (parsed.scheme() != QLatin1String("http") &&
              parsed.scheme() != QLatin1String("https")))) {
            fail(error, where + QStringLiteral(".request.url: \"") + url +
                            QStringLiteral("\" is not an http or https URL"));
            return std::nullopt;
        }
        recorded.append({int(i),
                         parseTime(entry.value(QLatin1String("startedDateTime")).toString()),
                         entry.value(QLatin1String("time")).toDouble(), entry});
    }
    // HAR 1.2 §entries: sorted by start time; some tools write them otherwise.
    std::stable_sort(recorded.begin(), recorded.end(), [](const Recorded &a, const Recorded &b) {
        return a.start.isValid() && b.start.isValid() && a.start < b.start;
    });

    ImportResult result;
    const QJsonArray pages = log.value(QLatin1String("pages")).toArray();
    result.plan.name = pages.isEmpty()
                           ? QStringLiteral("har import")
                           : pages.first().toObject().value(QLatin1String("title")).toString();
    if (result.plan.name.isEmpty())
        result.plan.name = QStringLiteral("har import");
    const QString creator =
        log.value(QLatin1String("creator")).toObject().value(QLatin1String("name")).toString();
    result.plan.description =
        QStringLiteral("Imported from a HAR file") +
        (creator.isEmpty() ? QString() : QStringLiteral(" written by ") + creator) + u'.';

    QStringList includeHosts;
    for (const QString &host : options.includeHosts)
        includeHosts.append(host.toLower());
    QString primaryHost;
    int staticAssets = 0, connects = 0;
    QMap<QString, int> otherHosts;
    QSet<QString> droppedHeaders;
    QList<QJsonObject> responses; // per step
    QList<QDateTime> ends;        // per step: when its response ended
    QList<QDateTime> starts;

    for (const Recorded &one : std::as_const(recorded)) {
        const QString where = QStringLiteral("log.entries[%1]").arg(one.index);
        const QJsonObject request = one.entry.value(QLatin1String("request")).toObject();
        const QJsonObject response = one.entry.value(QLatin1String("response")).toObject();
        const QString method = request.value(QLatin1String("method")).toString().toUpper();
        const QString url = request.value(QLatin1String("url")).toString();
        if (method == QLatin1String("CONNECT")) {
            ++connects;
            continue;
        }
        const QUrl parsed(url);
        const QString mime = response.value(QLatin1String("content"))
                                 .toObject()
                                 .value(QLatin1String("mimeType"))
                                 .toString();
        if (isStaticAsset(mime, parsed.path())) {
            ++staticAssets;
            continue;
        }
        const QString host = parsed.host().toLower();
        const QString hostPort =
            parsed.port() > 0 ? host + u':' + QString::number(parsed.port()) : host;
        if (primaryHost.isEmpty())
            primaryHost = host;
        if (host != primaryHost && !includeHosts.contains(host) &&
            !includeHosts.contains(hostPort)) {
            ++otherHosts[host];
            continue;
        }
        Step step;
        step.method = method;
        step.path = url;
        const qsizetype fragment = step.path.indexOf(u'#');
        if (fragment >= 0)
            step.path.truncate(fragment);
        step.name = stepName(method, url);
        const QJsonArray headers = request.value(QLatin1String("headers")).toArray();
        for (const QJsonValue &header : headers) {
            const QString name = header.toObject().value(QLatin1String("name")).toString();
            const QString value = header.toObject().value(QLatin1String("value")).toString();
            if (name.isEmpty())
                continue;
            if (isDroppedHeader(name)) {
                droppedHeaders.insert(name.toLower());
                continue;
            }
            step.headers.append({name, value});
        }
        const QJsonObject postData = request.value(QLatin1String("postData")).toObject();
        if (!postData.isEmpty()) {
            QString text = postData.value(QLatin1String("text")).toString();
            if (postData.value(QLatin1String("encoding")).toString() == QLatin1String("base64"))
                text = QString::fromUtf8(QByteArray::fromBase64(text.toLatin1()));
            if (text.isEmpty()) {
                QStringList pairs;
                const QJsonArray params = postData.value(QLatin1String("params")).toArray();
                for (const QJsonValue &param : params) {
                    const QJsonObject p = param.toObject();
                    if (p.contains(QLatin1String("fileName"))) {
                        result.leftOut.append(where + QStringLiteral(": file upload \"") +
                                              p.value(QLatin1String("fileName")).toString() +
                                              QStringLiteral("\" in the form"));
                        continue;
                    }
                    pairs.append(QString::fromLatin1(QUrl::toPercentEncoding(
                                     p.value(QLatin1String("name")).toString())) +
                                 u'=' +
                                 QString::fromLatin1(QUrl::toPercentEncoding(
                                     p.value(QLatin1String("value")).toString())));
                }
                text = pairs.join(u'&');
            }
            step.body = text;
            const QString mimeType = postData.value(QLatin1String("mimeType")).toString();
            const bool hasType =
                std::any_of(step.headers.begin(), step.headers.end(), [](const auto &h) {
                    return h.first.compare(QLatin1String("Content-Type"), Qt::CaseInsensitive) == 0;
                });
            if (!hasType && !mimeType.isEmpty() && !text.isEmpty())
                step.headers.append({QStringLiteral("Content-Type"), mimeType});
        }
        const int status = response.value(QLatin1String("status")).toInt();
        if (status >= 100) {
            Check check;
            check.kind = Check::Kind::Status;
            check.status = status;
            step.checks.append(check);
        }
        result.taken.append(where + QStringLiteral(": ") + method + u' ' + step.path);
        result.plan.steps.append(step);
        responses.append(response);
        starts.append(one.start);
        ends.append(one.start.isValid() ? one.start.addMSecs(qint64(one.timeMs)) : QDateTime());
    }
    if (result.plan.steps.isEmpty()) {
        fail(error, QStringLiteral("log.entries: none of the %1 entries is an API request "
                                   "(static assets, CONNECT or other hosts only)")
                        .arg(entries.size()));
        return std::nullopt;
    }
    // Think time: the pause between one response's end and the next request's start.
    for (qsizetype i = 0; i + 1 < result.plan.steps.size(); ++i) {
        if (ends.at(i).isValid() && starts.at(i + 1).isValid()) {
            const qint64 gap = ends.at(i).msecsTo(starts.at(i + 1));
            if (gap > kMaxDurationMs) // dates a recording cannot have: no plan can hold it
                result.leftOut.append(QStringLiteral("think time after steps[%1]: %2 days, longer "
                                                     "than a plan holds (startedDateTime far off)")
                                          .arg(i)
                                          .arg(gap / (24 * 3600 * 1000)));
            else if (gap > 0)
                result.plan.steps[i].thinkTimeMs = gap;
        }
    }
    if (staticAssets > 0)
        result.leftOut.append(
            QStringLiteral("static assets (scripts, styles, images, fonts): %1 requests")
                .arg(staticAssets));
    if (connects > 0)
        result.leftOut.append(QStringLiteral("CONNECT entries (proxy tunnels): %1").arg(connects));
    for (auto it = otherHosts.cbegin(); it != otherHosts.cend(); ++it)
        result.leftOut.append(
            QStringLiteral("another host, %1 (--include-host=%1 keeps it): %2 requests")
                .arg(it.key())
                .arg(it.value()));
    if (!droppedHeaders.isEmpty()) {
        QStringList names(droppedHeaders.begin(), droppedHeaders.end());
        names.sort();
        result.leftOut.append(QStringLiteral("headers a replay must not copy: ") +
                              names.join(QLatin1String(", ")));
    }

    // Correlation: every earlier response's values, newest first, against each later request.
    QList<Candidate> candidates;
    QSet<QString> usedNames;
    QHash<QString, QString> nameOfCandidate; // "step|expression" -> variable
    for (qsizetype j = 0; j < result.plan.steps.size(); ++j) {
        Step &step = result.plan.steps[j];
        // Longest values first, so that a value inside another is not replaced in part.
        QList<Candidate> ordered = candidates;
        std::stable_sort(ordered.begin(), ordered.end(),
                         [](const Candidate &a, const Candidate &b) {
                             if (a.value.size() != b.value.size())
                                 return a.value.size() > b.value.size();
                             return a.step > b.step; // the newest response first
                         });
        QSet<QString> doneValues;
        for (const Candidate &candidate : std::as_const(ordered)) {
            if (doneValues.contains(candidate.value))
                continue;
            const QString key = QString::number(candidate.step) + u'|' + candidate.expression;
            QString name = nameOfCandidate.value(key);
            const QString tentative = name.isEmpty() ? QStringLiteral("\x01") : name;
            QStringList usedIn;
            const auto replaceIn = [&](QString &text, const QString &field, bool urlLike) {
                if (replaceValue(text, candidate.value, tentative, urlLike))
                    usedIn.append(QStringLiteral("steps[%1].%2").arg(j).arg(field));
            };
            replaceIn(step.path, QStringLiteral("path"), true);
            for (auto &header : step.headers)
                replaceIn(header.second, QStringLiteral("headers.") + header.first, false);
            replaceIn(step.body, QStringLiteral("body"),
                      !step.body.startsWith(u'{') && !step.body.startsWith(u'['));
            if (usedIn.isEmpty())
                continue;
            doneValues.insert(candidate.value);
            if (name.isEmpty()) {
                name = variableName(candidate.hint, usedNames);
                nameOfCandidate.insert(key, name);
                Extraction extraction;
                extraction.name = name;
                extraction.source = candidate.source;
                extraction.expression = candidate.expression;
                result.plan.steps[candidate.step].extractions.append(extraction);
                Correlation correlation;
                correlation.variable = name;
                correlation.value = candidate.value;
                correlation.fromStep = candidate.step;
                correlation.source =
                    extractionSourceName(candidate.source) + u' ' + candidate.expression;
                result.correlations.append(correlation);
                const auto fix = [&](QString &text) {
                    text.replace(QStringLiteral("{{\x01}}"),
                                 QStringLiteral("{{") + name + QStringLiteral("}}"));
                };
                fix(step.path);
                for (auto &header : step.headers)
                    fix(header.second);
                fix(step.body);
            }
            for (Correlation &correlation : result.correlations) {
                if (correlation.variable == name)
                    correlation.usedIn += usedIn;
            }
        }
        // This step's response is a source for the steps after it.
        const QJsonObject response = responses.at(j);
        const QJsonObject content = response.value(QLatin1String("content")).toObject();
        QByteArray body = content.value(QLatin1String("text")).toString().toUtf8();
        if (content.value(QLatin1String("encoding")).toString() == QLatin1String("base64"))
            body = QByteArray::fromBase64(body);
        const QJsonDocument json = QJsonDocument::fromJson(body);
        if (!json.isNull())
            collectJson(json.isObject() ? QJsonValue(json.object()) : QJsonValue(json.array()),
                        QString(), QString(), int(j), candidates);
        const QJsonArray headers = response.value(QLatin1String("headers")).toArray();
        for (const QJsonValue &header : headers) {
            const QString name = header.toObject().value(QLatin1String("name")).toString();
            const QString value = header.toObject().value(QLatin1String("value")).toString();
            if (value.size() >= 8 && !isPlainResponseHeader(name))
                candidates.append({value, int(j), Extraction::Source::Header, name, name});
        }
    }
    for (const Correlation &correlation : std::as_const(result.correlations))
        result.taken.append(QStringLiteral("correlated {{%1}}: %2 of steps[%3], used in %4")
                                .arg(correlation.variable, correlation.source)
                                .arg(correlation.fromStep)
                                .arg(correlation.usedIn.join(QLatin1String(", "))));
    setBaseUrlFromSteps(result.plan);
    return result;
}

} // namespace loadscope
