#include "historycommand.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QTextStream>

#include "analysis/runcomparison.h"
#include "analysis/trend.h"
#include "cli/cliapp.h"
#include "cli/commandline.h"
#include "cli/historyloop.h"
#include "interop/resultjson.h"
#include "plan/duration.h"
#include "session/changelog.h"
#include "session/storedrun.h"
#include "store/historystore.h"

namespace loadscope {
namespace {

QString number(double value, int decimals)
{
    return QString::number(value, 'f', decimals);
}

QString durationText(const ResultRecord &r)
{
    if (!r.startedAt.isValid() || !r.endedAt.isValid())
        return QStringLiteral("-");
    return number(r.startedAt.msecsTo(r.endedAt) / 1000.0, 1) + u's';
}

QString figure(const std::optional<double> &value, int decimals, double scale = 1.0)
{
    return value ? number(*value * scale, decimals) : QStringLiteral("-");
}

QString summaryFigure(const QJsonObject &summary, const char *group, const char *key, int decimals,
                      double scale = 1.0)
{
    const QJsonValue value =
        summary.value(QLatin1String(group)).toObject().value(QLatin1String(key));
    if (!value.isDouble())
        return QStringLiteral("-");
    return number(value.toDouble() * scale, decimals);
}

//! Opens the history read-only (SQLITE_OPEN_READONLY), so that reading works on a read-only
//! file or a full disk; a missing file is created empty as before, and a file of an older
//! schema is updated once by a writable open.
std::unique_ptr<HistoryStore> openForReading(const QCommandLineParser &parser, QTextStream &err,
                                             const QString &command)
{
    const QString path = parser.isSet(QStringLiteral("db")) ? parser.value(QStringLiteral("db"))
                                                            : HistoryStore::defaultPath();
    if (!QFileInfo::exists(path))
        return openStoreFor(parser, err, command);
    auto store = std::make_unique<HistoryStore>();
    QString error;
    if (store->open(path, HistoryStore::OpenMode::ReadOnly, &error))
        return store;
    if (error.contains(QLatin1String("open it once for writing")) && QFileInfo(path).isWritable())
        return openStoreFor(parser, err, command);
    err << "loadscope-cli " << command << ": cannot open the history database: " << error << '\n';
    return nullptr;
}

//! True (with the message printed) when the last read failed: "no runs" must never stand for
//! "could not read" (a damaged file).
bool readFailed(const HistoryStore &store, QTextStream &err, const QString &command)
{
    if (store.readError().isEmpty())
        return false;
    err << "loadscope-cli " << command << ": " << store.readError() << '\n';
    return true;
}

//! The summary of a killed run, rebuilt from its intervals when it was never written (and
//! its figures with it, for a list row).
void fillRebuiltSummary(HistoryStore &store, ResultRecord &record)
{
    if (!needsRebuild(record))
        return;
    QString error;
    if (const auto run = loadStoredRun(store, record.id, &error)) {
        record.summary = summaryJson(*run);
        record.figures = ResultFigures::fromSummary(record.summary);
    }
}

QString durationText(const ResultRecord &r, const ResultFigures &f)
{
    if (f.durationSec)
        return number(*f.durationSec, 1) + u's';
    return durationText(r);
}

//! Fixed-width text table; the last column is not padded.
void printTable(QTextStream &out, const QStringList &header, const QList<QStringList> &rows)
{
    QList<int> widths;
    for (const QString &h : header)
        widths.append(int(h.size()));
    for (const QStringList &row : rows)
        for (int i = 0; i < row.size(); ++i)
            widths[i] = std::max(widths[i], int(row[i].size()));
    const auto printRow = [&](const QStringList &row) {
        for (int i = 0; i < row.size(); ++i) {
            out << (i + 1 < row.size() ? row[i].leftJustified(widths[i]) + QStringLiteral("  ")
                                       : row[i]);
        }
        out << '\n';
    };
    printRow(header);
    for (const QStringList &row : rows)
        printRow(row);
}

int historyList(const QStringList &args, QTextStream &out, QTextStream &err)
{
    SubcommandLine line(QStringLiteral("history list"),
                        QStringLiteral("List stored runs, newest first."));
    line.addValueOption("test", "Only runs of this test (id or name).", "TEST");
    line.addValueOption("type", "Only runs of this test type (e.g. LOAD_TEST).", "TYPE");
    line.addValueOption(
        "status", "Only runs with this status (running, completed, failed, aborted).", "STATUS");
    line.addValueOption("version-label", "Only runs with this version label.", "V");
    line.addValueOption("source", "Only runs from this tool (loadscope, k6, jmeter, locust).",
                        "TOOL");
    line.addValueOption("since", "Only runs started at or after this date (ISO 8601).", "DATE");
    line.addValueOption("until", "Only runs started before this date (ISO 8601).", "DATE");
    line.addValueOption("limit", "At most N runs (default 50).", "N");
    line.addFormatOption({QStringLiteral("text"), QStringLiteral("json")});
    line.addDbOption();
    int code = 0;
    if (!line.parse(args, out, err, &code))
        return code;
    QCommandLineParser &p = line.parser();
    if (!p.positionalArguments().isEmpty())
        return line.usageError(err, QStringLiteral("unexpected argument '") +
                                        p.positionalArguments().constFirst() + u'\'');

    ResultFilter filter;
    filter.limit = 50;
    if (p.isSet(QStringLiteral("limit"))) {
        bool ok = false;
        filter.limit = p.value(QStringLiteral("limit")).toInt(&ok);
        if (!ok || filter.limit <= 0)
            return line.usageError(err, QStringLiteral("--limit: \"") +
                                            p.value(QStringLiteral("limit")) +
                                            QStringLiteral("\" is not a positive number"));
    }
    const QString status = p.value(QStringLiteral("status"));
    if (!status.isEmpty() && !resultStatusFromString(status))
        return line.usageError(err, QStringLiteral("--status: \"") + status +
                                        QStringLiteral("\" is not one of running, completed, "
                                                       "failed, aborted"));
    filter.status = status;
    filter.testType = p.value(QStringLiteral("type")).toUpper();
    filter.versionLabel = p.value(QStringLiteral("version-label"));
    filter.source = p.value(QStringLiteral("source"));
    for (const char *name : {"since", "until"}) {
        const QString value = p.value(QString::fromLatin1(name));
        if (value.isEmpty())
            continue;
        const QDateTime when = QDateTime::fromString(value, Qt::ISODate);
        if (!when.isValid())
            return line.usageError(err, QStringLiteral("--") + QLatin1String(name) +
                                            QStringLiteral(": \"") + value +
                                            QStringLiteral("\" is not an ISO 8601 date"));
        (qstrcmp(name, "since") == 0 ? filter.from : filter.to) = when;
    }
    const auto chosenFormat = line.format(err);
    if (!chosenFormat)
        return ExitUsage;
    const QString format = *chosenFormat;

    auto store = openForReading(p, err, line.command());
    if (!store)
        return ExitUsage;
    const QString test = p.value(QStringLiteral("test"));
    if (!test.isEmpty()) {
        const auto stored = findTest(*store, test);
        if (readFailed(*store, err, line.command()))
            return ExitUsage;
        if (!stored) {
            err << "loadscope-cli history list: --test: no stored test \"" << test << "\"\n";
            return ExitUsage;
        }
        filter.testId = stored->id;
    }

    // The figures columns only: no run's summary JSON is read for a list.
    QList<ResultRecord> results = store->listResultRows(filter);
    if (readFailed(*store, err, line.command()))
        return ExitUsage;
    for (ResultRecord &r : results)
        fillRebuiltSummary(*store, r);
    if (format == QLatin1String("json")) {
        QJsonArray array;
        for (const ResultRecord &r : results) {
            array.append(QJsonObject{
                {QStringLiteral("id"), r.id},
                {QStringLiteral("testId"), r.testId},
                {QStringLiteral("test"), r.testName},
                {QStringLiteral("testType"), r.testType},
                {QStringLiteral("status"), resultStatusToString(r.status)},
                {QStringLiteral("versionLabel"), r.versionLabel},
                {QStringLiteral("startedAt"), r.startedAt.toString(Qt::ISODateWithMs)},
                {QStringLiteral("endedAt"), r.endedAt.isValid()
                                                ? QJsonValue(r.endedAt.toString(Qt::ISODateWithMs))
                                                : QJsonValue()},
                {QStringLiteral("totals"),
                 r.figures.totals.isEmpty() ? QJsonValue() : QJsonValue(r.figures.totals)},
                {QStringLiteral("latencyMs"),
                 r.figures.latencyMs.isEmpty() ? QJsonValue() : QJsonValue(r.figures.latencyMs)},
                {QStringLiteral("source"),
                 r.source.isImported() ? r.source.tool : QStringLiteral("loadscope")},
            });
        }
        out << QJsonDocument(array).toJson(QJsonDocument::Indented);
        return ExitPassed;
    }
    if (results.isEmpty()) {
        out << "No runs stored in " << store->path() << " match.\n";
        return ExitPassed;
    }
    QList<QStringList> rows;
    for (const ResultRecord &r : results) {
        rows.append({QString::number(r.id), r.testName, r.testType,
                     r.source.isImported() ? r.source.tool : QStringLiteral("loadscope"),
                     resultStatusToString(r.status),
                     r.versionLabel.isEmpty() ? QStringLiteral("-") : r.versionLabel,
                     r.startedAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")),
                     durationText(r, r.figures), figure(r.figures.rps, 1),
                     figure(r.figures.p95Ms, 2), figure(r.figures.errorRate, 2, 100.0)});
    }
    printTable(out,
               {QStringLiteral("ID"), QStringLiteral("TEST"), QStringLiteral("TYPE"),
                QStringLiteral("SOURCE"), QStringLiteral("STATUS"), QStringLiteral("VERSION"),
                QStringLiteral("STARTED"), QStringLiteral("DURATION"), QStringLiteral("RPS"),
                QStringLiteral("P95_MS"), QStringLiteral("ERR_%")},
               rows);
    return ExitPassed;
}

int historyShow(const QStringList &args, QTextStream &out, QTextStream &err)
{
    SubcommandLine line(QStringLiteral("history show"), QStringLiteral("Show one stored run."));
    line.addFormatOption({QStringLiteral("text"), QStringLiteral("json")});
    line.addDbOption();
    line.addPositional(QStringLiteral("ID"), QStringLiteral("Result id (see history list)."),
                       QStringLiteral("ID"));
    int code = 0;
    if (!line.parse(args, out, err, &code))
        return code;
    QCommandLineParser &p = line.parser();
    const QStringList positional = p.positionalArguments();
    if (positional.size() != 1)
        return line.usageError(err, QStringLiteral("expects exactly one result ID"));
    bool ok = false;
    const qint64 id = positional.first().toLongLong(&ok);
    if (!ok || id <= 0)
        return line.usageError(err, QStringLiteral("\"") + positional.first() +
                                        QStringLiteral("\" is not a result ID"));
    const auto chosenFormat = line.format(err);
    if (!chosenFormat)
        return ExitUsage;
    const QString format = *chosenFormat;

    auto store = openForReading(p, err, line.command());
    if (!store)
        return ExitUsage;
    auto result = store->result(id);
    if (readFailed(*store, err, line.command()))
        return ExitUsage;
    if (!result) {
        err << "loadscope-cli history show: no run with ID " << id << " in " << store->path()
            << '\n';
        return ExitUsage;
    }
    QList<Recommendation> recommendations = store->recommendations(id);
    if (readFailed(*store, err, line.command()))
        return ExitUsage;
    const QList<ResultSample> samples = store->samples(id, QStringLiteral(""));
    if (readFailed(*store, err, line.command()))
        return ExitUsage;
    fillRebuiltSummary(*store, *result);

    if (format == QLatin1String("json")) {
        // The same document `run --format=json` writes, rebuilt from the stored run.
        QString error;
        const auto document = loadResultDocument(*store, id, &error);
        if (!document) {
            err << "loadscope-cli history show: " << error << '\n';
            return ExitUsage;
        }
        out << QJsonDocument(*document).toJson(QJsonDocument::Indented);
        return ExitPassed;
    }

    out << "Run " << result->id << " of test " << result->testId << " \"" << result->testName
        << "\" (" << result->testType << ")\n";
    out << "  status     " << resultStatusToString(result->status) << '\n';
    out << "  started    " << result->startedAt.toLocalTime().toString(Qt::ISODate) << '\n';
    out << "  ended      "
        << (result->endedAt.isValid() ? result->endedAt.toLocalTime().toString(Qt::ISODate)
                                      : QStringLiteral("-"))
        << "  (" << durationText(*result) << ")\n";
    if (!result->versionLabel.isEmpty())
        out << "  version    " << result->versionLabel << '\n';
    out << "  source     " << result->source.label() << '\n';
    if (!result->errorDetails.isEmpty())
        out << "  error      " << result->errorDetails << '\n';
    const QJsonObject &s = result->summary;
    if (s.contains(QStringLiteral("totals"))) {
        out << "  requests   " << summaryFigure(s, "totals", "requests", 0) << "  ("
            << summaryFigure(s, "totals", "throughputRps", 1) << " req/s), errors "
            << summaryFigure(s, "totals", "errors", 0) << " ("
            << summaryFigure(s, "totals", "errorRate", 2, 100.0) << " %)\n";
        out << "  latency    p50 " << summaryFigure(s, "latencyMs", "p50", 2) << " ms, p90 "
            << summaryFigure(s, "latencyMs", "p90", 2) << ", p95 "
            << summaryFigure(s, "latencyMs", "p95", 2) << ", p99 "
            << summaryFigure(s, "latencyMs", "p99", 2) << ", max "
            << summaryFigure(s, "latencyMs", "max", 2) << '\n';
    }
    // An aggregated import: how its figures were computed, and what it does not give.
    const QJsonObject aggregated = s.value(QStringLiteral("aggregated")).toObject();
    if (!aggregated.isEmpty()) {
        out << "  figures    " << aggregated.value(QStringLiteral("percentiles")).toString()
            << '\n';
        const QJsonArray lacks = aggregated.value(QStringLiteral("lacks")).toArray();
        for (const QJsonValue &lack : lacks)
            out << "  lacks      " << lack.toString() << '\n';
    }
    // Imported runs keep their recommendations in the summary only.
    if (recommendations.isEmpty())
        recommendations =
            recommendationsFromJson(s.value(QStringLiteral("recommendations")).toArray());
    out << "  intervals  " << samples.size() << " stored\n";
    if (!recommendations.isEmpty()) {
        out << "Recommendations:\n";
        for (const Recommendation &r : recommendations)
            out << "  [" << r.impact << ", " << r.area << "] " << r.title << '\n';
    }
    return ExitPassed;
}

int historyCompare(const QStringList &args, QTextStream &out, QTextStream &err)
{
    SubcommandLine line(QStringLiteral("history compare"),
                        QStringLiteral("Compare stored runs: the first is the baseline."));
    line.addFormatOption({QStringLiteral("text"), QStringLiteral("json"), QStringLiteral("md")});
    line.addOption(QCommandLineOption(
        QStringList{QStringLiteral("output-file"), QStringLiteral("outputFile")},
        QStringLiteral("Write the comparison here instead of stdout."), QStringLiteral("FILE")));
    line.addOption(QCommandLineOption(QStringLiteral("noise-floor"),
                                      QStringLiteral("Changes below this many percent are noise "
                                                     "(default 5)."),
                                      QStringLiteral("PCT")));
    line.addDbOption();
    line.addPositional(QStringLiteral("ID"), QStringLiteral("Result ids, baseline first."),
                       QStringLiteral("ID ID..."));
    int code = 0;
    if (!line.parse(args, out, err, &code))
        return code;
    QCommandLineParser &p = line.parser();
    const QStringList positional = p.positionalArguments();
    if (positional.size() < 2)
        return line.usageError(err, QStringLiteral("expects at least two result IDs"));
    QList<qint64> ids;
    for (const QString &text : positional) {
        bool ok = false;
        const qint64 id = text.toLongLong(&ok);
        if (!ok || id <= 0)
            return line.usageError(err, QStringLiteral("\"") + text +
                                            QStringLiteral("\" is not a result ID"));
        ids.append(id);
    }
    const auto chosenFormat = line.format(err);
    if (!chosenFormat)
        return ExitUsage;
    const QString format = *chosenFormat;
    ComparisonOptions options;
    if (p.isSet(QStringLiteral("noise-floor"))) {
        bool ok = false;
        options.noiseFloorPct = p.value(QStringLiteral("noise-floor")).toDouble(&ok);
        if (!ok || options.noiseFloorPct < 0)
            return line.usageError(err, QStringLiteral("--noise-floor: \"") +
                                            p.value(QStringLiteral("noise-floor")) +
                                            QStringLiteral("\" is not a percentage"));
    }
    auto store = openForReading(p, err, line.command());
    if (!store)
        return ExitUsage;
    QList<RunForComparison> runs;
    qint64 testId = 0;
    QDateTime firstCandidateStart;
    QStringList sources; // imported runs say where they came from
    bool anyImported = false;
    for (qint64 id : std::as_const(ids)) {
        QString error;
        const auto stored = loadStoredRun(*store, id, &error);
        if (!stored) {
            err << "loadscope-cli history compare: " << error << '\n';
            return ExitUsage;
        }
        const ResultSource source = store->result(id).value_or(ResultRecord()).source;
        anyImported = anyImported || source.isImported();
        sources << u'#' + QString::number(id) + u' ' + source.label();
        if (runs.isEmpty())
            testId = stored->testId;
        else if (!firstCandidateStart.isValid() || stored->summary.startedAt < firstCandidateStart)
            firstCandidateStart = stored->summary.startedAt;
        runs.append(stored->forComparison());
    }
    // The run-to-run noise: the baseline's plan in its latest completed runs before the
    // candidates (newest first), the candidates themselves left out.
    const QList<QJsonObject> earlier = noiseHistory(*store, testId, runs.first().planFingerprint,
                                                    ids.mid(1), firstCandidateStart, ids.first());
    const RunComparison comparison = compareRuns(runs.first(), runs.mid(1), options, earlier);
    QByteArray text;
    if (format == QLatin1String("json"))
        text = QJsonDocument(comparison.toJson()).toJson(QJsonDocument::Indented);
    else if (format == QLatin1String("md"))
        text = comparison.toMarkdown().toUtf8();
    else
        text = comparison.toText().toUtf8();
    if (anyImported && format == QLatin1String("text"))
        text.prepend(
            (QStringLiteral("Sources: ") + sources.join(QStringLiteral(", ")) + u'\n').toUtf8());
    const QString outputFile = p.value(QStringLiteral("output-file"));
    if (outputFile.isEmpty()) {
        out << QString::fromUtf8(text);
        if (!text.endsWith('\n'))
            out << '\n';
    } else {
        QSaveFile file(outputFile);
        if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size() || !file.commit()) {
            err << "loadscope-cli history compare: cannot write " << outputFile << ": "
                << file.errorString() << '\n';
            return ExitUsage;
        }
        out << "comparison written to " << outputFile << '\n';
    }
    return ExitPassed;
}

double trendValue(const ResultRecord &r, const QString &metric, bool *ok)
{
    std::optional<double> value;
    if (metric == QLatin1String("throughput") || metric == QLatin1String("rps"))
        value = r.figures.rps;
    else if (metric == QLatin1String("errorRate"))
        value = r.figures.errorRate;
    else
        value = r.figures.value(QStringLiteral("latencyMs"), metric);
    *ok = value.has_value();
    return value.value_or(0.0);
}

int historyTrend(const QStringList &args, QTextStream &out, QTextStream &err)
{
    SubcommandLine line(QStringLiteral("history trend"),
                        QStringLiteral("A metric across the completed runs of a test, with the "
                                       "change point flagged."));
    line.addOption(QCommandLineOption(QStringLiteral("metric"),
                                      QStringLiteral("p50, p90, p95 (default), p99, max, avg, "
                                                     "throughput or errorRate."),
                                      QStringLiteral("M")));
    line.addFormatOption({QStringLiteral("text"), QStringLiteral("json")});
    line.addDbOption();
    line.addPositional(QStringLiteral("TEST"), QStringLiteral("Test id or name."),
                       QStringLiteral("TEST"));
    int code = 0;
    if (!line.parse(args, out, err, &code))
        return code;
    QCommandLineParser &p = line.parser();
    if (p.positionalArguments().size() != 1)
        return line.usageError(err, QStringLiteral("expects one test id or name"));
    const QString metric = p.value(QStringLiteral("metric")).isEmpty()
                               ? QStringLiteral("p95")
                               : p.value(QStringLiteral("metric"));
    static const QStringList metrics{QStringLiteral("p50"),        QStringLiteral("p90"),
                                     QStringLiteral("p95"),        QStringLiteral("p99"),
                                     QStringLiteral("max"),        QStringLiteral("avg"),
                                     QStringLiteral("throughput"), QStringLiteral("errorRate")};
    if (!metrics.contains(metric))
        return line.usageError(err, QStringLiteral("--metric: \"") + metric +
                                        QStringLiteral("\" is not one of ") +
                                        metrics.join(QStringLiteral(", ")));
    const auto format = line.format(err);
    if (!format)
        return ExitUsage;
    auto store = openForReading(p, err, line.command());
    if (!store)
        return ExitUsage;
    const QString test = p.positionalArguments().constFirst();
    const auto stored = findTest(*store, test);
    if (readFailed(*store, err, line.command()))
        return ExitUsage;
    if (!stored) {
        err << "loadscope-cli history trend: no stored test \"" << test << "\"\n";
        return ExitUsage;
    }
    ResultFilter filter;
    filter.testId = stored->id;
    filter.status = QStringLiteral("completed");
    const QList<ResultRecord> results = store->listResultRows(filter);
    if (readFailed(*store, err, line.command()))
        return ExitUsage;
    QList<TrendPoint> points;
    QStringList leftOut; // runs whose source does not give the metric (an aggregated import)
    for (const ResultRecord &r : results) {
        bool ok = false;
        const double value = trendValue(r, metric, &ok);
        if (ok)
            points.append(TrendPoint{r.id, r.startedAt, r.versionLabel, value});
        else
            leftOut << u'#' + QString::number(r.id) + u' ' + r.source.label();
    }
    const TrendAnalysis trend = analyzeTrend(points);
    const std::optional<Budget> budget = budgetFor(stored->plan, metric);
    if (*format == QLatin1String("json")) {
        QJsonObject json = trend.toJson();
        json.insert(QStringLiteral("leftOut"), QJsonArray::fromStringList(leftOut));
        json.insert(QStringLiteral("metric"), metric);
        json.insert(QStringLiteral("test"), stored->name);
        json.insert(QStringLiteral("changes"), changeLogJson(*store, stored->id));
        if (budget)
            json.insert(QStringLiteral("budget"),
                        QJsonObject{{QStringLiteral("threshold"), budget->expression},
                                    {QStringLiteral("limit"), budget->limit}});
        out << QJsonDocument(json).toJson(QJsonDocument::Indented);
        return ExitPassed;
    }
    out << metric << " of \"" << stored->name << "\" over " << trend.points.size()
        << " completed runs\n";
    for (int i = 0; i < trend.points.size(); ++i) {
        const TrendPoint &point = trend.points[i];
        out << (i == trend.changeIndex ? "  > " : "    ") << '#'
            << QString::number(point.resultId).leftJustified(6) << ' '
            << point.at.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")) << "  "
            << (point.versionLabel.isEmpty() ? QStringLiteral("-") : point.versionLabel)
                   .leftJustified(12)
            << ' ' << QString::number(point.value, 'g', 5)
            << (budget && !budget->holds(point.value) ? "  over budget" : "") << '\n';
    }
    if (budget)
        out << "Budget (the test's threshold " << budget->expression
            << "): " << QString::number(budget->limit, 'g', 6) << '\n';
    if (!leftOut.isEmpty())
        out << "Left out, their figures have no " << metric << ": "
            << leftOut.join(QStringLiteral(", ")) << '\n';
    if (trend.hasChangePoint())
        out << "Change point at run #" << trend.points[trend.changeIndex].resultId << ": mean "
            << QString::number(trend.meanBefore, 'g', 4) << " -> "
            << QString::number(trend.meanAfter, 'g', 4) << " ("
            << QString::number(trend.shiftPct, 'f', 1)
            << " %, p = " << QString::number(trend.pValue, 'g', 3) << ")\n";
    else
        out << "No change point.\n";
    printChangeLog(*store, stored->id, out);
    return ExitPassed;
}

int historyPin(const QStringList &args, QTextStream &out, QTextStream &err)
{
    SubcommandLine line(QStringLiteral("history pin"),
                        QStringLiteral("Pin a run as the baseline of its test (0 to unpin: "
                                       "history pin --test=ID 0)."));
    line.addDbOption();
    line.addPositional(QStringLiteral("ID"), QStringLiteral("Result id."), QStringLiteral("ID"));
    int code = 0;
    if (!line.parse(args, out, err, &code))
        return code;
    QCommandLineParser &p = line.parser();
    bool ok = false;
    const qint64 id = p.positionalArguments().value(0).toLongLong(&ok);
    if (p.positionalArguments().size() != 1 || !ok || id <= 0)
        return line.usageError(err, QStringLiteral("expects one result ID"));
    auto store = openStoreFor(p, err, line.command());
    if (!store)
        return ExitUsage;
    const auto result = store->result(id);
    if (!result) {
        err << "loadscope-cli history pin: no run with ID " << id << " in " << store->path()
            << '\n';
        return ExitUsage;
    }
    if (!store->setBaseline(result->testId, id)) {
        err << "loadscope-cli history pin: " << store->lastError() << '\n';
        return ExitUsage;
    }
    out << "run #" << id << " is now the baseline of test \"" << result->testName << "\"\n";
    return ExitPassed;
}

QString megabytes(qint64 bytes)
{
    return QString::number(double(bytes) / (1024.0 * 1024.0), 'f', 1) + QStringLiteral(" MB");
}

int historyPrune(const QStringList &args, QTextStream &out, QTextStream &err)
{
    SubcommandLine line(QStringLiteral("history prune"),
                        QStringLiteral("Delete old runs with their samples, histograms and "
                                       "recommendations. Pinned baselines and running runs stay."));
    line.addValueOption("keep", "Keep the N newest runs of each test.", "N");
    line.addValueOption("older-than",
                        "Delete runs started more than D ago (30d, 12h, 90m) or before a date "
                        "(ISO 8601).",
                        "D");
    line.addOption(QCommandLineOption(QStringLiteral("keep-pinned"),
                                      QStringLiteral("Keep pinned baselines (the default).")));
    line.addOption(QCommandLineOption(QStringLiteral("include-pinned"),
                                      QStringLiteral("Delete pinned baselines too when the rules "
                                                     "select them.")));
    line.addOption(QCommandLineOption(QStringLiteral("dry-run"),
                                      QStringLiteral("Only list the runs that would be deleted.")));
    line.addDbOption();
    int code = 0;
    if (!line.parse(args, out, err, &code))
        return code;
    QCommandLineParser &p = line.parser();
    if (!p.positionalArguments().isEmpty())
        return line.usageError(err, QStringLiteral("unexpected argument '") +
                                        p.positionalArguments().constFirst() + u'\'');
    PruneRequest request;
    if (p.isSet(QStringLiteral("keep"))) {
        bool ok = false;
        const int keep = p.value(QStringLiteral("keep")).toInt(&ok);
        if (!ok || keep < 0)
            return line.usageError(err,
                                   QStringLiteral("--keep: \"") + p.value(QStringLiteral("keep")) +
                                       QStringLiteral("\" is not a number of runs (0 or more)"));
        request.keepNewest = keep;
    }
    if (p.isSet(QStringLiteral("older-than"))) {
        const QString text = p.value(QStringLiteral("older-than"));
        QDateTime before = QDateTime::fromString(text, Qt::ISODate);
        if (!before.isValid()) {
            QString why;
            const auto ms = parseDurationMs(text, &why);
            if (!ms)
                return line.usageError(err, QStringLiteral("--older-than: \"") + text +
                                                QStringLiteral("\" is neither a duration (30d, "
                                                               "12h) nor an ISO 8601 date: ") +
                                                why);
            before = QDateTime::currentDateTimeUtc().addMSecs(-*ms);
        }
        request.olderThan = before;
    }
    if (!request.keepNewest && !request.olderThan.isValid())
        return line.usageError(err, QStringLiteral("expects --keep=N or --older-than=D"));
    if (p.isSet(QStringLiteral("keep-pinned")) && p.isSet(QStringLiteral("include-pinned")))
        return line.usageError(err,
                               QStringLiteral("--keep-pinned and --include-pinned contradict"));
    request.includePinned = p.isSet(QStringLiteral("include-pinned"));

    const bool dryRun = p.isSet(QStringLiteral("dry-run"));
    auto store =
        dryRun ? openForReading(p, err, line.command()) : openStoreFor(p, err, line.command());
    if (!store)
        return ExitUsage;
    if (dryRun) {
        const QList<qint64> ids = store->pruneCandidates(request);
        if (readFailed(*store, err, line.command()))
            return ExitUsage;
        out << ids.size() << " run(s) would be deleted from " << store->path();
        QStringList list;
        for (const qint64 id : ids)
            list << u'#' + QString::number(id);
        out << (ids.isEmpty() ? QString() : QStringLiteral(": ") + list.join(u' ')) << '\n';
        return ExitPassed;
    }
    const auto deleted = store->prune(request);
    if (!deleted) {
        err << "loadscope-cli history prune: " << store->lastError() << '\n';
        return ExitUsage;
    }
    out << "deleted " << deleted->size() << " run(s) from " << store->path()
        << "; `loadscope-cli history vacuum` gives the space back\n";
    return ExitPassed;
}

int historyVacuum(const QStringList &args, QTextStream &out, QTextStream &err)
{
    SubcommandLine line(QStringLiteral("history vacuum"),
                        QStringLiteral("Rebuild the history file to give the space of deleted "
                                       "runs back."));
    line.addDbOption();
    int code = 0;
    if (!line.parse(args, out, err, &code))
        return code;
    if (!line.parser().positionalArguments().isEmpty())
        return line.usageError(err, QStringLiteral("unexpected argument '") +
                                        line.parser().positionalArguments().constFirst() + u'\'');
    auto store = openStoreFor(line.parser(), err, line.command());
    if (!store)
        return ExitUsage;
    qint64 before = 0;
    qint64 after = 0;
    if (!store->vacuum(&before, &after)) {
        err << "loadscope-cli history vacuum: " << store->lastError() << '\n';
        return ExitUsage;
    }
    out << store->path() << ": " << megabytes(before) << " -> " << megabytes(after) << '\n';
    return ExitPassed;
}

} // namespace

int historyCommand(const QStringList &args, QTextStream &out, QTextStream &err)
{
    const QString sub = args.value(0);
    if (sub == QLatin1String("list"))
        return historyList(args.mid(1), out, err);
    if (sub == QLatin1String("show"))
        return historyShow(args.mid(1), out, err);
    if (sub == QLatin1String("compare"))
        return historyCompare(args.mid(1), out, err);
    if (sub == QLatin1String("trend"))
        return historyTrend(args.mid(1), out, err);
    if (sub == QLatin1String("pin"))
        return historyPin(args.mid(1), out, err);
    if (sub == QLatin1String("annotate"))
        return historyAnnotate(args.mid(1), out, err);
    if (sub == QLatin1String("recommendations"))
        return historyRecommendations(args.mid(1), out, err);
    if (sub == QLatin1String("recommendation"))
        return historyRecommendation(args.mid(1), out, err);
    if (sub == QLatin1String("prune"))
        return historyPrune(args.mid(1), out, err);
    if (sub == QLatin1String("vacuum"))
        return historyVacuum(args.mid(1), out, err);
    if (sub.isEmpty() || sub == QLatin1String("--help") || sub == QLatin1String("-h")) {
        (sub.isEmpty() ? err : out)
            << "Usage: loadscope-cli history list [--test=T] [--type=TYPE] [--status=S] "
               "[--version-label=V] [--since=DATE] [--until=DATE] [--limit=N] [--format=text|json] "
               "[--db=FILE]\n"
               "       loadscope-cli history show ID [--format=text|json] [--db=FILE]\n"
               "       loadscope-cli history compare ID ID... [--format=text|json|md] "
               "[--output-file=FILE] [--noise-floor=PCT] [--db=FILE]\n"
               "       loadscope-cli history trend TEST [--metric=p95] [--format=text|json] "
               "[--db=FILE]\n"
               "       loadscope-cli history pin ID [--db=FILE]\n"
               "       loadscope-cli history prune --keep=N|--older-than=D [--keep-pinned|"
               "--include-pinned] [--dry-run] [--db=FILE]\n"
               "       loadscope-cli history vacuum [--db=FILE]\n"
               "       loadscope-cli history annotate ID|--test=T [--at=TIME] --note=TEXT "
               "[--author=A] [--link=URL] [--db=FILE]\n"
               "       loadscope-cli history recommendations TEST [--all] [--format=text|json] "
               "[--db=FILE]\n"
               "       loadscope-cli history recommendation ID --applied-in=RUN|--dismiss=REASON|"
               "--reopen [--db=FILE]\n";
        return sub.isEmpty() ? ExitUsage : ExitPassed;
    }
    err << "loadscope-cli history: unknown subcommand '" << sub
        << "' (expected list, show, compare, trend, pin, prune, vacuum, annotate, recommendations "
           "or"
           " recommendation)\n";
    return ExitUsage;
}

} // namespace loadscope
