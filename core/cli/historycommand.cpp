#include "historycommand.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTextStream>

#include "cli/commandline.h"
#include "cli/cliapp.h"
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

QString summaryFigure(const QJsonObject &summary, const char *group, const char *key,
                      int decimals, double scale = 1.0)
{
    const QJsonValue value = summary.value(QLatin1String(group)).toObject().value(QLatin1String(key));
    if (!value.isDouble())
        return QStringLiteral("-");
    return number(value.toDouble() * scale, decimals);
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
    const auto opt = [&line](const char *name, const char *help, const char *value) {
        line.addOption(QCommandLineOption(QString::fromLatin1(name), QString::fromLatin1(help),
                                          QString::fromLatin1(value)));
    };
    opt("test", "Only runs of this test (id or name).", "TEST");
    opt("type", "Only runs of this test type (e.g. LOAD_TEST).", "TYPE");
    opt("status", "Only runs with this status (running, completed, failed, aborted).", "STATUS");
    opt("version-label", "Only runs with this version label.", "V");
    opt("since", "Only runs started at or after this date (ISO 8601).", "DATE");
    opt("until", "Only runs started before this date (ISO 8601).", "DATE");
    opt("limit", "At most N runs (default 50).", "N");
    opt("format", "text (default) or json.", "FORMAT");
    line.addDbOption();
    int code = 0;
    if (!line.parse(args, out, err, &code))
        return code;
    QCommandLineParser &p = line.parser();
    if (!p.positionalArguments().isEmpty())
        return line.usageError(err, QStringLiteral("unexpected argument '")
                                        + p.positionalArguments().first() + u'\'');

    ResultFilter filter;
    filter.limit = 50;
    if (p.isSet(QStringLiteral("limit"))) {
        bool ok = false;
        filter.limit = p.value(QStringLiteral("limit")).toInt(&ok);
        if (!ok || filter.limit <= 0)
            return line.usageError(err, QStringLiteral("--limit: \"")
                                            + p.value(QStringLiteral("limit"))
                                            + QStringLiteral("\" is not a positive number"));
    }
    const QString status = p.value(QStringLiteral("status"));
    if (!status.isEmpty() && !resultStatusFromString(status))
        return line.usageError(err, QStringLiteral("--status: \"") + status
                                        + QStringLiteral("\" is not one of running, completed, "
                                                         "failed, aborted"));
    filter.status = status;
    filter.testType = p.value(QStringLiteral("type")).toUpper();
    filter.versionLabel = p.value(QStringLiteral("version-label"));
    for (const char *name : {"since", "until"}) {
        const QString value = p.value(QString::fromLatin1(name));
        if (value.isEmpty())
            continue;
        const QDateTime when = QDateTime::fromString(value, Qt::ISODate);
        if (!when.isValid())
            return line.usageError(err, QStringLiteral("--") + QLatin1String(name)
                                            + QStringLiteral(": \"") + value
                                            + QStringLiteral("\" is not an ISO 8601 date"));
        (qstrcmp(name, "since") == 0 ? filter.from : filter.to) = when;
    }
    const QString format = p.value(QStringLiteral("format"));
    if (!format.isEmpty() && format != QLatin1String("text") && format != QLatin1String("json"))
        return line.usageError(err, QStringLiteral("--format: \"") + format
                                        + QStringLiteral("\" is not text or json"));

    auto store = openStoreFor(p, err, line.command());
    if (!store)
        return ExitUsage;
    const QString test = p.value(QStringLiteral("test"));
    if (!test.isEmpty()) {
        bool isId = false;
        const qint64 id = test.toLongLong(&isId);
        const auto stored = isId ? store->test(id) : store->findTestByName(test);
        if (!stored) {
            err << "loadscope-cli history list: --test: no stored test \"" << test << "\"\n";
            return ExitUsage;
        }
        filter.testId = stored->id;
    }

    const QList<ResultRecord> results = store->listResults(filter);
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
                {QStringLiteral("totals"), r.summary.value(QStringLiteral("totals"))},
                {QStringLiteral("latencyMs"), r.summary.value(QStringLiteral("latencyMs"))},
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
        rows.append({QString::number(r.id), r.testName, r.testType, resultStatusToString(r.status),
                     r.versionLabel.isEmpty() ? QStringLiteral("-") : r.versionLabel,
                     r.startedAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")),
                     durationText(r), summaryFigure(r.summary, "totals", "throughputRps", 1),
                     summaryFigure(r.summary, "latencyMs", "p95", 2),
                     summaryFigure(r.summary, "totals", "errorRate", 2, 100.0)});
    }
    printTable(out,
               {QStringLiteral("ID"), QStringLiteral("TEST"), QStringLiteral("TYPE"),
                QStringLiteral("STATUS"), QStringLiteral("VERSION"), QStringLiteral("STARTED"),
                QStringLiteral("DURATION"), QStringLiteral("RPS"), QStringLiteral("P95_MS"),
                QStringLiteral("ERR_%")},
               rows);
    return ExitPassed;
}

int historyShow(const QStringList &args, QTextStream &out, QTextStream &err)
{
    SubcommandLine line(QStringLiteral("history show"), QStringLiteral("Show one stored run."));
    line.addOption(QCommandLineOption(QStringLiteral("format"),
                                      QStringLiteral("text (default) or json."),
                                      QStringLiteral("FORMAT")));
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
        return line.usageError(err, QStringLiteral("\"") + positional.first()
                                        + QStringLiteral("\" is not a result ID"));
    const QString format = p.value(QStringLiteral("format"));
    if (!format.isEmpty() && format != QLatin1String("text") && format != QLatin1String("json"))
        return line.usageError(err, QStringLiteral("--format: \"") + format
                                        + QStringLiteral("\" is not text or json"));

    auto store = openStoreFor(p, err, line.command());
    if (!store)
        return ExitUsage;
    const auto result = store->result(id);
    if (!result) {
        err << "loadscope-cli history show: no run with ID " << id << " in " << store->path()
            << '\n';
        return ExitUsage;
    }
    const QList<Recommendation> recommendations = store->recommendations(id);
    const QList<ResultSample> samples = store->samples(id, QStringLiteral(""));

    if (format == QLatin1String("json")) {
        QJsonObject resultJson = result->summary;
        resultJson.insert(QStringLiteral("id"), result->id);
        resultJson.insert(QStringLiteral("status"), resultStatusToString(result->status));
        resultJson.insert(QStringLiteral("startedAt"),
                          result->startedAt.toString(Qt::ISODateWithMs));
        resultJson.insert(QStringLiteral("endedAt"),
                          result->endedAt.isValid()
                              ? QJsonValue(result->endedAt.toString(Qt::ISODateWithMs))
                              : QJsonValue());
        resultJson.insert(QStringLiteral("versionLabel"), result->versionLabel);
        if (!result->errorDetails.isEmpty())
            resultJson.insert(QStringLiteral("errorDetails"), result->errorDetails);
        QJsonArray timeline;
        for (const ResultSample &s : samples) {
            timeline.append(QJsonObject{{QStringLiteral("t"), s.tSec},
                                        {QStringLiteral("requests"), s.requests},
                                        {QStringLiteral("errors"), s.errors},
                                        {QStringLiteral("activeVus"), s.activeVus},
                                        {QStringLiteral("latencyMs"),
                                         QJsonObject{{QStringLiteral("avg"), s.meanMs},
                                                     {QStringLiteral("p50"), s.p50Ms},
                                                     {QStringLiteral("p90"), s.p90Ms},
                                                     {QStringLiteral("p95"), s.p95Ms},
                                                     {QStringLiteral("p99"), s.p99Ms},
                                                     {QStringLiteral("max"), s.maxMs}}}});
        }
        resultJson.insert(QStringLiteral("timeline"), timeline);
        QJsonArray recs;
        for (const Recommendation &r : recommendations) {
            recs.append(QJsonObject{{QStringLiteral("area"), r.area},
                                    {QStringLiteral("impact"), r.impact},
                                    {QStringLiteral("title"), r.title},
                                    {QStringLiteral("detail"), r.detail},
                                    {QStringLiteral("implementation"), r.implementation},
                                    {QStringLiteral("estimatedImprovement"),
                                     r.estimatedImprovement},
                                    {QStringLiteral("evidence"), r.evidence}});
        }
        resultJson.insert(QStringLiteral("recommendations"), recs);
        const QJsonObject document{{QStringLiteral("schema"), QStringLiteral("loadscope.result/1")},
                                   {QStringLiteral("test"), result->plan},
                                   {QStringLiteral("result"), resultJson}};
        out << QJsonDocument(document).toJson(QJsonDocument::Indented);
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
    out << "  intervals  " << samples.size() << " stored\n";
    if (!recommendations.isEmpty()) {
        out << "Recommendations:\n";
        for (const Recommendation &r : recommendations)
            out << "  [" << r.impact << ", " << r.area << "] " << r.title << '\n';
    }
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
    if (sub == QLatin1String("compare")) {
        err << "loadscope-cli history compare: not available yet (run comparison has not "
               "landed in this build)\n";
        return ExitUsage;
    }
    if (sub.isEmpty() || sub == QLatin1String("--help") || sub == QLatin1String("-h")) {
        (sub.isEmpty() ? err : out)
            << "Usage: loadscope-cli history list [--test=T] [--type=TYPE] [--status=S] "
               "[--version-label=V] [--since=DATE] [--until=DATE] [--limit=N] [--format=text|json] [--db=FILE]\n"
               "       loadscope-cli history show ID [--format=text|json] [--db=FILE]\n"
               "       loadscope-cli history compare ID ID... [--db=FILE]\n";
        return sub.isEmpty() ? ExitUsage : ExitPassed;
    }
    err << "loadscope-cli history: unknown subcommand '" << sub
        << "' (expected list, show or compare)\n";
    return ExitUsage;
}

} // namespace loadscope
