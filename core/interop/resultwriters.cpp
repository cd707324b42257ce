#include "resultwriters.h"

#include <QJsonDocument>
#include <QSaveFile>
#include <QStringList>
#include <QXmlStreamWriter>

#include "interop/resultformatting.h"

namespace loadscope {

using namespace resultformat;

namespace {

//! RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
QString csvField(const QString &text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
        !text.contains(QLatin1Char('\n')) && !text.contains(QLatin1Char('\r')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QString csvLine(const QStringList &fields)
{
    QStringList quoted;
    quoted.reserve(fields.size());
    for (const QString &f : fields)
        quoted.append(csvField(f));
    return quoted.join(QLatin1Char(',')) + QStringLiteral("\r\n");
}

void writeTestcase(QXmlStreamWriter &xml, const QString &className, const QString &name,
                   const QString &failureKind, const QString &message, const QString &text)
{
    xml.writeStartElement(QStringLiteral("testcase"));
    xml.writeAttribute(QStringLiteral("classname"), className);
    xml.writeAttribute(QStringLiteral("name"), name);
    if (!failureKind.isEmpty()) {
        xml.writeStartElement(failureKind);
        xml.writeAttribute(QStringLiteral("message"), message);
        xml.writeAttribute(QStringLiteral("type"), failureKind == QLatin1String("failure")
                                                       ? QStringLiteral("threshold")
                                                       : QStringLiteral("evaluation"));
        xml.writeCharacters(text);
        xml.writeEndElement();
    }
    xml.writeEndElement();
}

} // namespace

std::optional<ResultFormat> resultFormatFromName(const QString &name)
{
    const QString n = name.toLower();
    if (n == QLatin1String("json"))
        return ResultFormat::Json;
    if (n == QLatin1String("csv"))
        return ResultFormat::Csv;
    if (n == QLatin1String("junit") || n == QLatin1String("xml"))
        return ResultFormat::Junit;
    if (n == QLatin1String("html") || n == QLatin1String("htm"))
        return ResultFormat::Html;
    if (n == QLatin1String("md") || n == QLatin1String("markdown"))
        return ResultFormat::Markdown;
    return std::nullopt;
}

QByteArray resultToJson(const QJsonObject &resultDocument)
{
    return QJsonDocument(resultDocument).toJson(QJsonDocument::Indented);
}

QByteArray resultToCsv(const QJsonObject &resultDocument)
{
    const QJsonArray timeline = result(resultDocument).value(key("timeline")).toArray();
    bool corrected = false;
    for (const QJsonValue &entry : timeline)
        corrected = corrected || entry.toObject().contains(key("latencyCorrectedMs"));

    QStringList header{QStringLiteral("t"),         QStringLiteral("requests"),
                       QStringLiteral("errors"),    QStringLiteral("rps"),
                       QStringLiteral("activeVus"), QStringLiteral("p50Ms"),
                       QStringLiteral("p90Ms"),     QStringLiteral("p95Ms"),
                       QStringLiteral("p99Ms"),     QStringLiteral("maxMs")};
    if (corrected)
        header.append(QStringLiteral("correctedP99Ms"));
    QString out = csvLine(header);
    for (const QJsonValue &value : timeline) {
        const QJsonObject entry = value.toObject();
        const QJsonObject latency = entry.value(key("latencyMs")).toObject();
        QStringList row{exact(entry.value(key("t"))),         exact(entry.value(key("requests"))),
                        exact(entry.value(key("errors"))),    exact(entry.value(key("rps"))),
                        exact(entry.value(key("activeVus"))), exact(latency.value(key("p50"))),
                        exact(latency.value(key("p90"))),     exact(latency.value(key("p95"))),
                        exact(latency.value(key("p99"))),     exact(latency.value(key("max")))};
        if (corrected) {
            row.append(exact(entry.value(key("latencyCorrectedMs")).toObject().value(key("p99"))));
        }
        out += csvLine(row);
    }
    return out.toUtf8();
}

QByteArray resultToJunit(const QJsonObject &resultDocument)
{
    const QJsonObject r = result(resultDocument);
    const QJsonArray thresholds = r.value(key("thresholds")).toArray();
    const QString status = r.value(key("status")).toString();
    const bool completed = status == QLatin1String("completed");

    int failures = completed ? 0 : 1;
    int errors = 0;
    for (const QJsonValue &value : thresholds) {
        const QJsonObject t = value.toObject();
        if (!t.value(key("error")).toString().isEmpty())
            ++errors;
        else if (!t.value(key("passed")).toBool())
            ++failures;
    }
    const QString suiteName = QStringLiteral("loadscope: ") + planName(resultDocument);
    const QString tests = QString::number(thresholds.size() + 1);
    const QString time = QString::number(r.value(key("durationSec")).toDouble(), 'f', 3);

    QByteArray out;
    QXmlStreamWriter xml(&out);
    xml.setAutoFormatting(true);
    xml.writeStartDocument();
    xml.writeStartElement(QStringLiteral("testsuites"));
    xml.writeAttribute(QStringLiteral("name"), QStringLiteral("loadscope"));
    xml.writeAttribute(QStringLiteral("tests"), tests);
    xml.writeAttribute(QStringLiteral("failures"), QString::number(failures));
    xml.writeAttribute(QStringLiteral("errors"), QString::number(errors));
    xml.writeAttribute(QStringLiteral("time"), time);
    xml.writeStartElement(QStringLiteral("testsuite"));
    xml.writeAttribute(QStringLiteral("name"), suiteName);
    xml.writeAttribute(QStringLiteral("tests"), tests);
    xml.writeAttribute(QStringLiteral("failures"), QString::number(failures));
    xml.writeAttribute(QStringLiteral("errors"), QString::number(errors));
    xml.writeAttribute(QStringLiteral("skipped"), QStringLiteral("0"));
    xml.writeAttribute(QStringLiteral("time"), time);
    const QString startedAt = r.value(key("startedAt")).toString();
    if (!startedAt.isEmpty())
        xml.writeAttribute(QStringLiteral("timestamp"), startedAt);

    for (const QJsonValue &value : thresholds) {
        const QJsonObject t = value.toObject();
        const QString name = t.value(key("metric")).toString() + QLatin1Char(' ') +
                             t.value(key("expression")).toString();
        const QString line = thresholdLine(t);
        const bool failedToEvaluate = !t.value(key("error")).toString().isEmpty();
        const bool passed = t.value(key("passed")).toBool() && !failedToEvaluate;
        const QString kind = passed             ? QString()
                             : failedToEvaluate ? QStringLiteral("error")
                                                : QStringLiteral("failure");
        writeTestcase(xml, QStringLiteral("loadscope.thresholds"), name, kind, line, line);
    }
    QString runMessage;
    if (!completed) {
        runMessage =
            QStringLiteral("run ") + (status.isEmpty() ? QStringLiteral("unknown") : status);
        const QString details = r.value(key("errorDetails")).toString();
        if (!details.isEmpty())
            runMessage += QStringLiteral(": ") + details;
    }
    writeTestcase(xml, QStringLiteral("loadscope.run"), QStringLiteral("run completed"),
                  completed ? QString() : QStringLiteral("failure"), runMessage, runMessage);

    xml.writeEndElement(); // testsuite
    xml.writeEndElement(); // testsuites
    xml.writeEndDocument();
    return out;
}

QByteArray renderResult(ResultFormat format, const QJsonObject &resultDocument)
{
    switch (format) {
    case ResultFormat::Json:
        return resultToJson(resultDocument);
    case ResultFormat::Csv:
        return resultToCsv(resultDocument);
    case ResultFormat::Junit:
        return resultToJunit(resultDocument);
    case ResultFormat::Html:
        return resultToHtml(resultDocument);
    case ResultFormat::Markdown:
        return resultToMarkdown(resultDocument);
    }
    return {};
}

bool writeResult(ResultFormat format, const QString &path, const QJsonObject &resultDocument,
                 QString *error)
{
    const auto fail = [&](const QString &reason) {
        if (error)
            *error = QStringLiteral("cannot write ") + path + QStringLiteral(": ") + reason;
        return false;
    };
    if (path.isEmpty()) {
        if (error)
            *error = QStringLiteral("cannot write the result: no output file given");
        return false;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(file.errorString());
    const QByteArray bytes = renderResult(format, resultDocument);
    if (file.write(bytes) != bytes.size()) {
        const QString reason = file.errorString();
        file.cancelWriting();
        return fail(reason);
    }
    if (!file.commit())
        return fail(file.errorString());
    return true;
}

} // namespace loadscope
