#include "resultimport.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>

#include "analysis/recommendations.h"
#include "interop/accesslogimport.h"
#include "interop/importformats.h"
#include "interop/importreader.h"
#include "interop/resultjson.h"
#include "interop/runbuilder.h"
#include "store/historystore.h"

namespace loadscope {

namespace {

struct FormatInfo
{
    ImportFormat format;
    const char *name;
    const char *tool;
};

constexpr FormatInfo kFormats[] = {
    {ImportFormat::Auto, "auto", ""},
    {ImportFormat::K6Json, "k6-json", "k6"},
    {ImportFormat::K6Csv, "k6-csv", "k6"},
    {ImportFormat::K6Summary, "k6-summary", "k6"},
    {ImportFormat::JmeterCsv, "jmeter-csv", "JMeter"},
    {ImportFormat::JmeterXml, "jmeter-xml", "JMeter"},
    {ImportFormat::LocustCsv, "locust-csv", "Locust"},
    {ImportFormat::Nginx, "nginx", "real users"},
    {ImportFormat::Apache, "apache", "real users"},
    {ImportFormat::Combined, "combined", "real users"},
};

bool isAccessLog(ImportFormat format)
{
    return format == ImportFormat::Nginx || format == ImportFormat::Apache ||
           format == ImportFormat::Combined;
}

const FormatInfo &infoOf(ImportFormat format)
{
    for (const FormatInfo &info : kFormats) {
        if (info.format == format)
            return info;
    }
    return kFormats[0];
}

QString firstLine(const QByteArray &head)
{
    qsizetype end = head.indexOf('\n');
    if (end < 0)
        end = head.size();
    return QString::fromUtf8(head.left(end)).trimmed();
}

QString fileNameOf(const QString &path)
{
    return QFileInfo(path).fileName();
}

//! An aggregated source has no histogram to compute figures from: the stored summary says the
//! figures the tool gave (only those, so that a missing one reads as missing, not as zero).
void useGivenLatency(const QJsonObject &aggregated, QJsonObject *summary)
{
    const QJsonObject given = aggregated.value(QLatin1String("latencyMs")).toObject();
    summary->insert(QStringLiteral("latencyMs"), given);
    const QJsonObject byEndpoint = aggregated.value(QLatin1String("endpoints")).toObject();
    QJsonArray endpoints = summary->value(QLatin1String("endpoints")).toArray();
    for (qsizetype i = 0; i < endpoints.size(); ++i) {
        QJsonObject e = endpoints[i].toObject();
        e.insert(QStringLiteral("latencyMs"),
                 byEndpoint.value(e.value(QLatin1String("name")).toString())
                     .toObject()
                     .value(QLatin1String("latencyMs"))
                     .toObject());
        endpoints[i] = e;
    }
    summary->insert(QStringLiteral("endpoints"), endpoints);
    const QJsonObject timings = aggregated.value(QLatin1String("timingsMs")).toObject();
    QJsonObject storedTimings;
    for (auto it = timings.constBegin(); it != timings.constEnd(); ++it)
        storedTimings.insert(it.key(), it.value());
    summary->insert(QStringLiteral("timingsMs"), storedTimings);
}

} // namespace

QString importFormatName(ImportFormat format)
{
    return QLatin1String(infoOf(format).name);
}

std::optional<ImportFormat> importFormatFromName(const QString &name)
{
    for (const FormatInfo &info : kFormats) {
        if (name.compare(QLatin1String(info.name), Qt::CaseInsensitive) == 0)
            return info.format;
    }
    return std::nullopt;
}

QStringList importFormatNames()
{
    QStringList names;
    for (const FormatInfo &info : kFormats)
        names << QLatin1String(info.name);
    return names;
}

ImportFormat detectImportFormat(const QString &path, QString *why)
{
    QString error;
    const QByteArray head = importing::LineReader::peek(path, 64 * 1024, &error);
    if (!error.isEmpty()) {
        if (why)
            *why = path + QStringLiteral(" cannot be read: ") + error;
        return ImportFormat::Auto;
    }
    const QByteArray trimmed = head.trimmed();
    const QString line = firstLine(trimmed);
    if (trimmed.startsWith('<')) {
        if (trimmed.contains("<testResults"))
            return ImportFormat::JmeterXml;
    } else if (trimmed.startsWith('{')) {
        QByteArray compact = line.toUtf8();
        compact.replace(' ', "");
        if (compact.contains("\"type\":\"Point\"") || compact.contains("\"type\":\"Metric\""))
            return ImportFormat::K6Json;
        if (trimmed.contains("\"metrics\""))
            return ImportFormat::K6Summary;
    } else if (line.contains(QLatin1String("metric_name")) &&
               line.contains(QLatin1String("metric_value"))) {
        return ImportFormat::K6Csv;
    } else if (line.contains(QLatin1String("timeStamp")) &&
               line.contains(QLatin1String("elapsed"))) {
        return ImportFormat::JmeterCsv;
    } else if ((line.contains(QLatin1String("Request Count")) ||
                line.contains(QLatin1String("Requests/s")) ||
                line.contains(QLatin1String("Occurrences"))) &&
               line.contains(QLatin1String("Name"))) {
        return ImportFormat::LocustCsv;
    } else {
        // A header-less JTL: a ms timestamp, the elapsed ms, then the label.
        const QStringList fields = line.split(QLatin1Char(','));
        bool tsOk = false, elapsedOk = false;
        if (fields.size() >= 3) {
            const qint64 ts = fields[0].toLongLong(&tsOk);
            fields[1].toLongLong(&elapsedOk);
            tsOk = tsOk && ts > 100'000'000'000LL;
        }
        if (tsOk && elapsedOk)
            return ImportFormat::JmeterCsv;
    }
    AccessLogFormat::Entry entry;
    const char *mismatch = nullptr;
    const std::string first = line.toStdString();
    if (AccessLogFormat::nginxCombined().parse(first, &entry, &mismatch))
        return ImportFormat::Combined;
    if (why) {
        *why = path + QStringLiteral(": line 1: not a k6 (JSON, CSV, summary), JMeter (CSV, XML)"
                                     " or Locust (CSV) results file, nor an access log in the "
                                     "combined format (for another log format give "
                                     "--format=nginx|apache --log-format=...)");
    }
    return ImportFormat::Auto;
}

QString ImportReport::summaryLine() const
{
    if (!ok)
        return error;
    if (duplicate)
        return path + QStringLiteral(" was imported already as run #") + QString::number(resultId) +
               QStringLiteral(" (same content); not stored again");
    QString line = QStringLiteral("imported ") + path + QStringLiteral(" as run #") +
                   QString::number(resultId) + QStringLiteral(" of test \"") + testName +
                   QStringLiteral("\" (") + importFormatName(format) + QStringLiteral(", ") +
                   QString::number(requests) + QStringLiteral(" requests, ") +
                   QString::number(endpoints) + QStringLiteral(" endpoint(s), ") +
                   QString::number(durationSec, 'f', 1) + QStringLiteral(" s)");
    if (badRecords > 0) {
        line += QStringLiteral("; ") + QString::number(badRecords) +
                QStringLiteral(" bad line(s) skipped: ") + badNotes.join(QStringLiteral("; "));
    }
    return line;
}

namespace {

void fillSource(const QString &path, ImportFormat format, const importing::ParseContext &context,
                const QString &hash, ParsedResult *parsed)
{
    const FormatInfo &info = infoOf(format);
    ResultSource &source = parsed->source;
    source.tool = QLatin1String(info.tool);
    source.toolVersion = context.toolVersion;
    source.format = importFormatName(format);
    source.fileName = fileNameOf(path);
    source.contentHash = hash;
    source.lines = context.records;
    source.badLines = context.bad;
    parsed->badNotes = context.badNotes;
}

//! The recommendation rules over what the file gave; rules that need what an import lacks
//! (resource samples, a histogram) have nothing to go on and stay silent.
void analyse(RunSummary *summary)
{
    RecommendationInput input;
    input.summary = std::move(*summary); // moved, not copied: it holds every histogram
    const QList<Recommendation> recommendations = recommend(input);
    *summary = std::move(input.summary);
    summary->extras.recommendations = recommendationsToJson(recommendations);
    summary->extras.untrustworthy = resultsUntrustworthy(recommendations);
}

void fillReport(const ParsedResult &parsed, ImportReport *report)
{
    report->requests = parsed.summary.totals.requests;
    report->endpoints = int(parsed.summary.endpoints.size());
    report->durationSec = parsed.summary.durationSec;
    report->notes = parsed.notes;
}

bool tooManyBad(const QString &path, const importing::ParseContext &context, ImportReport *report)
{
    // More than 1 % bad lines: the file is not what it claims to be, or badly damaged.
    if (context.bad * 100 <= context.records)
        return false;
    report->error = path + QStringLiteral(": ") + QString::number(context.bad) +
                    QStringLiteral(" of ") + QString::number(context.records) +
                    QStringLiteral(" lines are bad (more than 1 %), nothing was stored: ") +
                    context.badNotes.join(QStringLiteral("; "));
    return true;
}

//! Locust's CSV files and k6's summary: the figures as the tool gave them.
bool parseAggregatedFile(const QString &path, ImportFormat format,
                         const ResultImportOptions &options, ParsedResult *parsed,
                         ImportReport *report)
{
    importing::ParseContext context;
    context.cancel = options.cancel;
    importing::AggregatedRun run;
    const bool read = format == ImportFormat::LocustCsv
                          ? importing::parseLocustCsv(path, &run, context)
                          : importing::parseK6Summary(path, &run, context);
    report->records = context.records;
    report->badRecords = context.bad;
    report->badNotes = context.badNotes;
    if (!read) {
        report->error = path + QStringLiteral(": ") +
                        (context.fatal.isEmpty()
                             ? QStringLiteral("cannot be read as ") + importFormatName(format)
                             : context.fatal);
        return false;
    }
    if (tooManyBad(path, context, report))
        return false;
    if (run.summary.totals.requests <= 0) {
        report->error = path + QStringLiteral(": holds no HTTP request (") +
                        importFormatName(format) + QStringLiteral("), nothing was stored");
        return false;
    }
    parsed->summary = std::move(run.summary);
    fillSource(run.files.value(0, path), format, context, run.contentHash, parsed);
    parsed->notes = run.notes;
    if (run.files.size() > 1) {
        QStringList names;
        for (const QString &file : std::as_const(run.files))
            names << fileNameOf(file);
        parsed->notes.prepend(QStringLiteral("read ") + names.join(QStringLiteral(", ")));
    }
    const QJsonArray lacks =
        parsed->summary.extras.aggregated.value(QLatin1String("lacks")).toArray();
    for (const QJsonValue &lack : lacks)
        parsed->notes << QStringLiteral("lacks ") + lack.toString();
    analyse(&parsed->summary);
    fillReport(*parsed, report);
    return true;
}

} // namespace

bool parseResultFile(const QString &path, const ResultImportOptions &options, ParsedResult *parsed,
                     ImportReport *report)
{
    report->path = path;
    ImportFormat format = options.format;
    // Locust's files may be named by their prefix ("run" for run_stats.csv and the rest).
    const bool locustPrefix = !QFileInfo::exists(path) &&
                              !importing::locustStatsFile(path).isEmpty() &&
                              (format == ImportFormat::Auto || format == ImportFormat::LocustCsv);
    if (!QFileInfo::exists(path) && !locustPrefix) {
        report->error = path + QStringLiteral(": no such file");
        return false;
    }
    if (locustPrefix)
        format = ImportFormat::LocustCsv;
    if (format == ImportFormat::Auto) {
        format = detectImportFormat(path, &report->error);
        if (format == ImportFormat::Auto)
            return false;
    }
    report->format = format;
    if (format == ImportFormat::K6Summary || format == ImportFormat::LocustCsv)
        return parseAggregatedFile(path, format, options, parsed, report);

    std::optional<AccessLogFormat> accessLog;
    if (isAccessLog(format)) {
        accessLog = accessLogFormatFor(importFormatName(format), options.logFormat, &report->error);
        if (!accessLog)
            return false;
    }

    importing::ParseContext context;
    context.cancel = options.cancel;
    context.progress = options.progress;
    RunBuilder builder;
    QString hash;
    bool read = false;
    if (format == ImportFormat::JmeterXml) {
        read = importing::parseJmeterXml(path, builder, context);
        if (read)
            hash = importing::sha256OfFile(path, &report->error);
    } else {
        importing::LineReader reader(path);
        if (!reader.open()) {
            report->error = path + QStringLiteral(" cannot be read: ") + reader.errorString();
            return false;
        }
        switch (format) {
        case ImportFormat::K6Json:
            read = importing::parseK6Json(reader, builder, context);
            break;
        case ImportFormat::K6Csv:
            read = importing::parseK6Csv(reader, builder, context);
            break;
        case ImportFormat::Nginx:
        case ImportFormat::Apache:
        case ImportFormat::Combined:
            read = importing::parseAccessLog(reader, builder, context, *accessLog);
            break;
        default:
            read = importing::parseJmeterCsv(reader, builder, context);
            break;
        }
        if (read)
            hash = reader.finishHash();
    }
    report->records = context.records;
    report->badRecords = context.bad;
    report->badNotes = context.badNotes;
    if (context.cancelled()) {
        report->cancelled = true;
        report->error = path + QStringLiteral(": import cancelled; nothing was stored");
        return false;
    }
    if (!read) {
        report->error = path + QStringLiteral(": ") +
                        (context.fatal.isEmpty()
                             ? QStringLiteral("cannot be read as ") + importFormatName(format)
                             : context.fatal);
        return false;
    }
    if (hash.isEmpty()) {
        report->error = path + QStringLiteral(" cannot be read: ") + report->error;
        return false;
    }
    if (tooManyBad(path, context, report))
        return false;
    if (builder.requests() == 0) {
        report->error = path + QStringLiteral(": holds no HTTP request (") +
                        importFormatName(format) + QStringLiteral("), nothing was stored");
        return false;
    }
    const qint64 spanSec = (builder.lastUs() - builder.firstUs()) / 1000000;
    if (spanSec > RunBuilder::kMaxTimelineSeconds) {
        const auto at = [](qint64 us) {
            return QDateTime::fromMSecsSinceEpoch(us / 1000, Qt::UTC).toString(Qt::ISODate);
        };
        report->error = path + QStringLiteral(": the records span %1 days (%2 to %3); one run's "
                                              "timeline holds at most %4 days: check the "
                                              "timestamps or split the file, nothing was stored")
                                   .arg(QString::number(spanSec / 86400), at(builder.firstUs()),
                                        at(builder.lastUs()),
                                        QString::number(RunBuilder::kMaxTimelineSeconds / 86400));
        return false;
    }
    const qint64 late = builder.lateRecords();
    parsed->summary = builder.finish();
    parsed->summary.target = context.target;
    parsed->target = context.target;
    fillSource(path, format, context, hash, parsed);
    analyse(&parsed->summary);
    if (late > 0)
        parsed->notes << QString::number(late) +
                             QStringLiteral(" record(s) more than 15 s out of time order:"
                                            " counted in the totals, not in the timeline");
    if (accessLog && !accessLog->hasDuration() && !accessLog->hasUpstreamTime())
        parsed->notes << QStringLiteral("the log format has no request time ($request_time, "
                                        "%D, %T): requests, status classes, routes and the "
                                        "arrival rate only, no latency");
    if (context.subSamples > 0)
        parsed->notes << QString::number(context.subSamples) +
                             QStringLiteral(" sub-sample(s) counted within their parent sample");
    fillReport(*parsed, report);
    return true;
}

ImportedResult importedResultFor(const ParsedResult &parsed, const ResultImportOptions &options,
                                 const QString &testName)
{
    const RunSummary &s = parsed.summary;
    ImportedResult r;
    r.test.name = testName;
    r.test.testType = QStringLiteral("LOAD_TEST");
    QJsonArray steps;
    for (const EndpointSummary &e : s.endpoints)
        steps.append(QJsonObject{{QStringLiteral("name"), e.name}});
    const QJsonObject imported{{QStringLiteral("tool"), parsed.source.tool},
                               {QStringLiteral("format"), parsed.source.format},
                               {QStringLiteral("file"), parsed.source.fileName}};
    r.test.plan = QJsonObject{{QStringLiteral("name"), testName},
                              {QStringLiteral("type"), r.test.testType},
                              {QStringLiteral("imported"), imported}};
    r.plan = r.test.plan;
    r.plan.insert(QStringLiteral("endpoints"), steps);
    if (!parsed.target.isEmpty())
        r.plan.insert(QStringLiteral("baseUrl"), parsed.target);
    r.status = ResultStatus::Completed;
    r.startedAt = s.startedAt;
    r.endedAt = s.endedAt;
    r.versionLabel = options.versionLabel;
    r.summary = resultSummaryForStore(s, 0, options.versionLabel);
    QJsonObject sourceJson = imported;
    if (!parsed.source.toolVersion.isEmpty())
        sourceJson.insert(QStringLiteral("toolVersion"), parsed.source.toolVersion);
    sourceJson.insert(QStringLiteral("lines"), parsed.source.lines);
    sourceJson.insert(QStringLiteral("badLines"), parsed.source.badLines);
    if (!parsed.notes.isEmpty())
        sourceJson.insert(QStringLiteral("notes"), QJsonArray::fromStringList(parsed.notes));
    r.summary.insert(QStringLiteral("source"), sourceJson);
    if (s.duration.isEmpty())
        useGivenLatency(s.extras.aggregated, &r.summary);
    for (const IntervalSample &sample : s.timeline)
        r.samples.append(samplesForStore(sample));
    r.histograms = histogramsForStore(s);
    r.source = parsed.source;
    return r;
}

ImportReport importResultFile(HistoryStore &store, const QString &path,
                              const ResultImportOptions &options)
{
    ImportReport report;
    ParsedResult parsed;
    if (!parseResultFile(path, options, &parsed, &report))
        return report;
    // Locust's files are named by their prefix ("run" for run_stats.csv and the rest).
    const QString named = report.format == ImportFormat::LocustCsv
                              ? importing::locustStatsFile(path).chopped(10) // "_stats.csv"
                              : path;
    report.testName =
        options.testName.isEmpty() ? QFileInfo(named).completeBaseName() : options.testName;
    bool duplicate = false;
    const qint64 id =
        store.storeImportedResult(importedResultFor(parsed, options, report.testName), &duplicate);
    if (id <= 0) {
        report.error = path + QStringLiteral(": nothing was stored: ") + store.lastError();
        return report;
    }
    report.ok = true;
    report.duplicate = duplicate;
    report.resultId = id;
    return report;
}

} // namespace loadscope
