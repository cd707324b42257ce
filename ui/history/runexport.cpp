#include "runexport.h"

#include <cmath>

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include "history/resultstablemodel.h"

namespace loadscope {

namespace {

QString csvField(const QString &text)
{
    if (!text.contains(u',') && !text.contains(u'"') && !text.contains(u'\n'))
        return text;
    QString quoted = text;
    quoted.replace(u'"', QLatin1String("\"\""));
    return u'"' + quoted + u'"';
}

QString number(double value)
{
    return QString::number(value, 'g', 10);
}

QString markdownCell(QString text)
{
    return text.replace(u'|', QLatin1String("\\|")).replace(u'\n', u' ');
}

QString figure(double value, int decimals, const QString &unit = QString())
{
    return std::isnan(value) ? QStringLiteral("–") : QString::number(value, 'f', decimals) + unit;
}

} // namespace

QString runExportSuffix(RunExportFormat format)
{
    switch (format) {
    case RunExportFormat::Json:
        return QStringLiteral("json");
    case RunExportFormat::Csv:
        return QStringLiteral("csv");
    case RunExportFormat::Markdown:
        return QStringLiteral("md");
    }
    return {};
}

QByteArray runToJson(const ResultRecord &record, const QList<ResultSample> &samples)
{
    QJsonObject result = record.summary;
    result.insert(QStringLiteral("id"), record.id);
    result.insert(QStringLiteral("status"), resultStatusToString(record.status));
    result.insert(QStringLiteral("startedAt"), record.startedAt.toString(Qt::ISODateWithMs));
    result.insert(QStringLiteral("endedAt"), record.endedAt.isValid()
                                                 ? QJsonValue(record.endedAt.toString(Qt::ISODateWithMs))
                                                 : QJsonValue());
    const double seconds = ResultsTableModel::durationSec(record);
    if (!std::isnan(seconds))
        result.insert(QStringLiteral("durationSec"), seconds);
    result.insert(QStringLiteral("versionLabel"), record.versionLabel);
    if (!record.errorDetails.isEmpty())
        result.insert(QStringLiteral("errorDetails"), record.errorDetails);
    if (!result.contains(QStringLiteral("timeline"))) {
        QJsonArray timeline;
        for (const ResultSample &sample : samples) {
            if (!sample.endpoint.isEmpty())
                continue;
            timeline.append(QJsonObject{
                {QStringLiteral("t"), sample.tSec},
                {QStringLiteral("requests"), sample.requests},
                {QStringLiteral("errors"), sample.errors},
                {QStringLiteral("activeVus"), sample.activeVus},
                {QStringLiteral("rps"), sample.rps},
                {QStringLiteral("bytesIn"), sample.bytesIn},
                {QStringLiteral("bytesOut"), sample.bytesOut},
                {QStringLiteral("latencyMs"),
                 QJsonObject{{QStringLiteral("avg"), sample.meanMs},
                             {QStringLiteral("p50"), sample.p50Ms},
                             {QStringLiteral("p90"), sample.p90Ms},
                             {QStringLiteral("p95"), sample.p95Ms},
                             {QStringLiteral("p99"), sample.p99Ms},
                             {QStringLiteral("p999"), sample.p999Ms},
                             {QStringLiteral("max"), sample.maxMs}}},
            });
        }
        result.insert(QStringLiteral("timeline"), timeline);
    }
    const QJsonObject document{{QStringLiteral("schema"), QStringLiteral("loadscope.result/1")},
                               {QStringLiteral("test"), record.plan},
                               {QStringLiteral("result"), result}};
    return QJsonDocument(document).toJson(QJsonDocument::Indented);
}

QByteArray samplesToCsv(const QList<ResultSample> &samples)
{
    QString out = QStringLiteral("t,endpoint,requests,errors,rps,active_vus,bytes_in,bytes_out,"
                                 "mean_ms,p50_ms,p90_ms,p95_ms,p99_ms,p999_ms,max_ms\n");
    for (const ResultSample &s : samples) {
        const QStringList fields = {number(s.tSec),         csvField(s.endpoint),
                                    QString::number(s.requests), QString::number(s.errors),
                                    number(s.rps),          QString::number(s.activeVus),
                                    QString::number(s.bytesIn), QString::number(s.bytesOut),
                                    number(s.meanMs),       number(s.p50Ms),
                                    number(s.p90Ms),        number(s.p95Ms),
                                    number(s.p99Ms),        number(s.p999Ms),
                                    number(s.maxMs)};
        out += fields.join(u',') + u'\n';
    }
    return out.toUtf8();
}

QByteArray runToMarkdown(const ResultRecord &record)
{
    const auto value = [&record](const char *group, const char *key) {
        return ResultsTableModel::summaryValue(record, group, key);
    };
    const QList<QPair<QString, QString>> rows = {
        {QStringLiteral("Test"), record.testName},
        {QStringLiteral("Type"), record.testType},
        {QStringLiteral("Status"), resultStatusToString(record.status)},
        {QStringLiteral("Version label"), record.versionLabel},
        {QStringLiteral("Started"), record.startedAt.toString(Qt::ISODate)},
        {QStringLiteral("Duration"), figure(ResultsTableModel::durationSec(record), 1, QStringLiteral(" s"))},
        {QStringLiteral("Requests"), figure(value("totals", "requests"), 0)},
        {QStringLiteral("Errors"), figure(value("totals", "errors"), 0)},
        {QStringLiteral("Error rate"), figure(value("totals", "errorRate") * 100.0, 2, QStringLiteral(" %"))},
        {QStringLiteral("Throughput"), figure(value("totals", "throughputRps"), 1, QStringLiteral(" req/s"))},
        {QStringLiteral("Latency p50"), figure(value("latencyMs", "p50"), 1, QStringLiteral(" ms"))},
        {QStringLiteral("Latency p90"), figure(value("latencyMs", "p90"), 1, QStringLiteral(" ms"))},
        {QStringLiteral("Latency p95"), figure(value("latencyMs", "p95"), 1, QStringLiteral(" ms"))},
        {QStringLiteral("Latency p99"), figure(value("latencyMs", "p99"), 1, QStringLiteral(" ms"))},
        {QStringLiteral("Latency max"), figure(value("latencyMs", "max"), 1, QStringLiteral(" ms"))},
    };
    QString out = QStringLiteral("# Run #%1 — %2\n\n| Figure | Value |\n|---|---:|\n")
                      .arg(record.id)
                      .arg(markdownCell(record.testName));
    for (const auto &[name, text] : rows)
        out += QStringLiteral("| ") + name + QStringLiteral(" | ") + markdownCell(text) +
               QStringLiteral(" |\n");
    if (!record.errorDetails.isEmpty())
        out += QStringLiteral("\n**Error:** ") + markdownCell(record.errorDetails) + u'\n';
    return out.toUtf8();
}

bool writeRunExport(const ResultRecord &record, const QList<ResultSample> &samples,
                    RunExportFormat format, const QString &path, QString *error)
{
    QByteArray bytes;
    switch (format) {
    case RunExportFormat::Json:
        bytes = runToJson(record, samples);
        break;
    case RunExportFormat::Csv:
        bytes = samplesToCsv(samples);
        break;
    case RunExportFormat::Markdown:
        bytes = runToMarkdown(record);
        break;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        if (error)
            *error = QFileInfo(path).fileName() + QStringLiteral(": ") + file.errorString();
        return false;
    }
    return true;
}

} // namespace loadscope
