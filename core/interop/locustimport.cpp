// Locust's --csv files (Locust 2.x, stats.py StatsCSVFileWriter): PREFIX_stats.csv holds one row
// per endpoint (Type = method, Name) and the "Aggregated" row with counts, mean, min, max and
// the percentiles Locust computed; PREFIX_stats_history.csv one row a second with running
// totals (per endpoint too with --csv-full-history); PREFIX_failures.csv the error messages
// with their counts. Locust keeps response times rounded (whole ms, ~2 significant digits
// above 100 ms), so its percentiles are stored as it gave them, never recomputed.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>

#include <QCryptographicHash>
#include <QFileInfo>
#include <QJsonArray>
#include <QRegularExpression>

#include "engine/httptypes.h"
#include "interop/importformats.h"
#include "interop/importreader.h"

namespace loadscope::importing {

namespace {

constexpr const char *kSuffixes[] = {"_stats.csv", "_stats_history.csv", "_failures.csv",
                                     "_exceptions.csv"};

QString prefixOf(const QString &path)
{
    for (const char *suffix : kSuffixes) {
        if (path.endsWith(QLatin1String(suffix)))
            return path.chopped(qsizetype(std::strlen(suffix)));
    }
    return path;
}

//! "50%" -> "p50", "99.9%" -> "p999", "100%" -> "p100"; "" for any other column.
QString percentileKey(std::string_view column)
{
    if (column.size() < 2 || column.back() != '%')
        return {};
    QString key = QStringLiteral("p");
    for (const char c : column.substr(0, column.size() - 1)) {
        if (c >= '0' && c <= '9')
            key += QLatin1Char(c);
        else if (c != '.')
            return {};
    }
    return key;
}

//! A CSV file read whole (Locust's are small), rows as owned strings, header by name.
struct CsvTable
{
    QString path;
    std::map<std::string, int> columns;
    std::vector<std::vector<std::string>> rows;
    std::vector<qint64> lines; //!< line number of each row
    QString hash;

    int column(const char *name) const
    {
        const auto it = columns.find(name);
        return it == columns.end() ? -1 : it->second;
    }
    std::string_view field(size_t row, int column) const
    {
        if (column < 0 || size_t(column) >= rows[row].size())
            return {};
        return rows[row][size_t(column)];
    }
};

//! Reads @p path into @p table; bad lines are noted in @p context (a cut last line apart:
//! Locust writing when it was stopped), a missing required column is fatal.
bool readTable(const QString &path, std::initializer_list<const char *> required, CsvTable *table,
               ParseContext &context, QStringList *notes)
{
    LineReader reader(path);
    table->path = path;
    if (!reader.open()) {
        context.fatal = path + QStringLiteral(" cannot be read: ") + reader.errorString();
        return false;
    }
    const QString name = QFileInfo(path).fileName();
    std::string_view line;
    std::vector<std::string_view> fields;
    std::vector<std::string> scratch;
    while (reader.next(&line) && line.empty()) {
    }
    if (!splitCsv(line, ',', &fields, &scratch) || fields.empty()) {
        context.fatal = name + QStringLiteral(": line 1 is not a Locust CSV header");
        return false;
    }
    for (size_t i = 0; i < fields.size(); ++i)
        table->columns.emplace(std::string(fields[i]), int(i));
    for (const char *column : required) {
        if (table->column(column) < 0) {
            context.fatal = name + QStringLiteral(": line ") +
                            QString::number(reader.lineNumber()) +
                            QStringLiteral(": the header has no \"") + QLatin1String(column) +
                            QStringLiteral("\" column");
            return false;
        }
    }
    while (reader.next(&line)) {
        if (line.empty())
            continue;
        ++context.records;
        const bool ok =
            splitCsv(line, ',', &fields, &scratch) && fields.size() == table->columns.size();
        if (!ok) {
            if (reader.lastLineUnterminated()) {
                *notes << name + QStringLiteral(": line ") + QString::number(reader.lineNumber()) +
                              QStringLiteral(" is cut off (the file ends inside it): left out");
                --context.records;
                continue;
            }
            context.badLine(reader.lineNumber(), name + QStringLiteral(": ") +
                                                     QString::number(fields.size()) +
                                                     QStringLiteral(" fields, the header names ") +
                                                     QString::number(table->columns.size()));
            continue;
        }
        table->rows.emplace_back(fields.begin(), fields.end());
        table->lines.push_back(reader.lineNumber());
    }
    table->hash = reader.finishHash();
    return true;
}

bool number(std::string_view text, double *value)
{
    return parseDouble(text, value) && std::isfinite(*value);
}

bool count(std::string_view text, qint64 *value)
{
    double d = 0;
    if (parseInt(text, value))
        return *value >= 0;
    if (!number(text, &d) || d < 0 || d != std::floor(d))
        return false;
    *value = qint64(d);
    return true;
}

QString endpointName(std::string_view type, std::string_view name)
{
    return type.empty() ? toQString(name) : toQString(type) + QLatin1Char(' ') + toQString(name);
}

//! The latency figures of one stats row by our names; only those the row gives.
QJsonObject latencyOf(const CsvTable &t, size_t row, const char *median, const char *average,
                      const char *min, const char *max)
{
    QJsonObject json;
    const auto put = [&](const char *column, const QString &key) {
        double v = 0;
        if (number(t.field(row, t.column(column)), &v))
            json.insert(key, v);
    };
    put(median, QStringLiteral("med"));
    put(average, QStringLiteral("avg"));
    put(min, QStringLiteral("min"));
    put(max, QStringLiteral("max"));
    for (const auto &[column, index] : t.columns) {
        const QString key = percentileKey(column);
        double v = 0;
        if (!key.isEmpty() && number(t.field(row, index), &v))
            json.insert(key, v);
    }
    return json;
}

//! Running totals of one history series (an endpoint or the Aggregated row).
struct Running
{
    qint64 requests = 0, failures = 0;
    double meanMs = 0;
};

} // namespace

QString locustStatsFile(const QString &path)
{
    const QString prefix = prefixOf(path);
    const QString stats = prefix + QStringLiteral("_stats.csv");
    return QFileInfo::exists(stats) ? stats : QString();
}

ErrorClass locustErrorClass(QStringView message)
{
    const auto has = [&message](const char *what) {
        return message.contains(QLatin1String(what), Qt::CaseInsensitive);
    };
    // requests: HTTPError('404 Client Error: ...'); FastHttpUser: BadStatusCode('URL', code=500).
    static const QRegularExpression status(
        QStringLiteral("(?:^|[^0-9])([1-5][0-9]{2}) (?:Client|Server) Error|code=([1-5][0-9]{2})"));
    const QRegularExpressionMatch m = status.match(message);
    if (m.hasMatch()) {
        const int code = (m.captured(1).isEmpty() ? m.captured(2) : m.captured(1)).toInt();
        if (const ErrorClass c = errorClassForStatus(code); c != ErrorClass::None)
            return c;
    }
    if (has("Name or service not known") || has("NameResolution") || has("gaierror") ||
        has("getaddrinfo") || has("Temporary failure in name resolution"))
        return ErrorClass::Dns;
    if (has("Connection refused") || has("ConnectionRefused") || has("NewConnectionError") ||
        has("No route to host") || has("ConnectTimeout"))
        return ErrorClass::Connect;
    if (has("timed out") || has("Timeout"))
        return ErrorClass::Timeout;
    if (has("SSLError") || has("SSL:") || has("CERTIFICATE"))
        return ErrorClass::Tls;
    if (has("Connection reset") || has("ConnectionReset") || has("RemoteDisconnected") ||
        has("Connection aborted") || has("BrokenPipe"))
        return ErrorClass::Reset;
    if (has("CatchResponseError"))
        return ErrorClass::Check; // the script's response.failure(): its own check
    return ErrorClass::None;
}

bool parseLocustCsv(const QString &path, AggregatedRun *run, ParseContext &context)
{
    const QString prefix = prefixOf(path);
    const QString statsPath = prefix + QStringLiteral("_stats.csv");
    const QString historyPath = prefix + QStringLiteral("_stats_history.csv");
    const QString failuresPath = prefix + QStringLiteral("_failures.csv");
    if (!QFileInfo::exists(statsPath)) {
        context.fatal = QStringLiteral("no ") + QFileInfo(statsPath).fileName() +
                        QStringLiteral(" beside it: Locust's totals and percentiles are there");
        return false;
    }
    QStringList &notes = run->notes;
    CsvTable stats;
    if (!readTable(statsPath, {"Type", "Name", "Request Count", "Failure Count"}, &stats, context,
                   &notes))
        return false;
    run->files << statsPath;
    QByteArray hashes = stats.hash.toLatin1();

    RunSummary &s = run->summary;
    QJsonObject aggregated{{QStringLiteral("tool"), QStringLiteral("Locust")},
                           {QStringLiteral("percentiles"),
                            QStringLiteral("as given by Locust: from response times it keeps "
                                           "rounded (whole ms; 2 significant digits above "
                                           "100 ms)")}};
    QJsonObject endpointsGiven;
    QStringList lacks{
        QStringLiteral("per-request data (percentiles are Locust's own, they cannot be "
                       "recomputed or merged)"),
        QStringLiteral("timing breakdown (connecting, waiting, receiving)"),
        QStringLiteral("bytes sent")};
    const int cType = stats.column("Type"), cName = stats.column("Name");
    const int cRequests = stats.column("Request Count"), cFailures = stats.column("Failure Count");
    const int cRps = stats.column("Requests/s"), cSize = stats.column("Average Content Size");
    bool haveOverall = false;
    double rps = 0;
    for (size_t r = 0; r < stats.rows.size(); ++r) {
        const std::string_view type = stats.field(r, cType);
        const std::string_view name = stats.field(r, cName);
        TrafficTotals totals;
        if (!count(stats.field(r, cRequests), &totals.requests) ||
            !count(stats.field(r, cFailures), &totals.errors)) {
            context.badLine(stats.lines[r], QFileInfo(statsPath).fileName() +
                                                QStringLiteral(": Request Count or Failure Count "
                                                               "is not a count"));
            continue;
        }
        double size = 0;
        if (number(stats.field(r, cSize), &size))
            totals.bytesIn = qint64(std::llround(size * double(totals.requests)));
        const QJsonObject latency =
            latencyOf(stats, r, "Median Response Time", "Average Response Time",
                      "Min Response Time", "Max Response Time");
        if (type.empty() && name == "Aggregated") {
            haveOverall = true;
            s.totals.requests = totals.requests;
            s.totals.errors = totals.errors;
            s.totals.bytesIn = totals.bytesIn;
            aggregated.insert(QStringLiteral("latencyMs"), latency);
            number(stats.field(r, cRps), &rps);
            continue;
        }
        EndpointSummary e;
        e.name = endpointName(type, name);
        if (isHttpToken(QByteArray(type.data(), qsizetype(type.size())))) {
            e.method = toQString(type);
            e.path = toQString(name);
        }
        e.totals = totals;
        s.endpoints.append(e);
        endpointsGiven.insert(e.name, QJsonObject{{QStringLiteral("latencyMs"), latency}});
    }
    if (!haveOverall) {
        // A cut Aggregated row: the counts still add up from the endpoints; its percentiles
        // do not, and are said to be missing rather than made up.
        for (const EndpointSummary &e : std::as_const(s.endpoints)) {
            s.totals.requests += e.totals.requests;
            s.totals.errors += e.totals.errors;
            s.totals.bytesIn += e.totals.bytesIn;
        }
        lacks << QStringLiteral("overall percentiles (no Aggregated row in ") +
                     QFileInfo(statsPath).fileName() + QStringLiteral(")");
        notes << QStringLiteral("no Aggregated row: totals summed over the endpoints");
    }
    if (!endpointsGiven.isEmpty())
        aggregated.insert(QStringLiteral("endpoints"), endpointsGiven);
    if (rps > 0)
        s.durationSec = double(s.totals.requests) / rps;

    // The failures: error classes per endpoint, from the message.
    if (QFileInfo::exists(failuresPath)) {
        CsvTable failures;
        if (!readTable(failuresPath, {"Name", "Error", "Occurrences"}, &failures, context, &notes))
            return false;
        run->files << failuresPath;
        hashes += failures.hash.toLatin1();
        const int fMethod = failures.column("Method"), fName = failures.column("Name");
        const int fError = failures.column("Error"), fCount = failures.column("Occurrences");
        QJsonArray messages;
        qint64 unclassed = 0;
        for (size_t r = 0; r < failures.rows.size(); ++r) {
            qint64 n = 0;
            if (!count(failures.field(r, fCount), &n)) {
                context.badLine(failures.lines[r],
                                QFileInfo(failuresPath).fileName() +
                                    QStringLiteral(": Occurrences is not a count"));
                continue;
            }
            const QString message = toQString(failures.field(r, fError));
            const QString endpoint =
                endpointName(failures.field(r, fMethod), failures.field(r, fName));
            const ErrorClass c = locustErrorClass(message);
            messages.append(QJsonObject{{QStringLiteral("endpoint"), endpoint},
                                        {QStringLiteral("error"), message},
                                        {QStringLiteral("occurrences"), n},
                                        {QStringLiteral("class"), QString(errorClassName(c))}});
            if (c == ErrorClass::None) {
                unclassed += n;
                continue;
            }
            s.totals.errorsByClass[size_t(c)] += n;
            for (EndpointSummary &e : s.endpoints) {
                if (e.name == endpoint)
                    e.totals.errorsByClass[size_t(c)] += n;
            }
        }
        aggregated.insert(QStringLiteral("failures"), messages);
        if (unclassed > 0)
            notes << QString::number(unclassed) +
                         QStringLiteral(" failure(s) whose message names no error class: counted "
                                        "as errors without a class");
    } else {
        lacks << QStringLiteral("error classes (no ") + QFileInfo(failuresPath).fileName() +
                     QStringLiteral(" beside it)");
    }

    // The timeline: running totals a second apart; an interval's counts are the differences,
    // its mean follows from the running means, its percentiles are Locust's running ones.
    if (QFileInfo::exists(historyPath)) {
        CsvTable history;
        if (!readTable(
                historyPath,
                {"Timestamp", "User Count", "Name", "Total Request Count", "Total Failure Count"},
                &history, context, &notes))
            return false;
        run->files << historyPath;
        hashes += history.hash.toLatin1();
        const int hTime = history.column("Timestamp"), hUsers = history.column("User Count");
        const int hType = history.column("Type"), hName = history.column("Name");
        const int hRequests = history.column("Total Request Count");
        const int hFailures = history.column("Total Failure Count");
        const int hMean = history.column("Total Average Response Time");
        std::map<qint64, IntervalSample> byTime;
        bool fullHistory = false;
        for (size_t r = 0; r < history.rows.size(); ++r) {
            qint64 t = 0, users = 0, requests = 0, failures = 0;
            if (!count(history.field(r, hTime), &t) || !count(history.field(r, hUsers), &users) ||
                !count(history.field(r, hRequests), &requests) ||
                !count(history.field(r, hFailures), &failures)) {
                context.badLine(history.lines[r],
                                QFileInfo(historyPath).fileName() +
                                    QStringLiteral(": Timestamp, User Count or a total is not a "
                                                   "number"));
                continue;
            }
            IntervalSample &sample = byTime[t];
            sample.activeVus = int(std::min<qint64>(users, std::numeric_limits<int>::max()));
            EndpointSample e;
            const std::string_view type = history.field(r, hType);
            const std::string_view name = history.field(r, hName);
            const bool overall = type.empty() && name == "Aggregated";
            e.name = overall ? QString() : endpointName(type, name);
            fullHistory = fullHistory || !overall;
            e.totals.requests = requests; // running, made into differences below
            e.totals.errors = failures;
            const QJsonObject given = latencyOf(history, r, "", "", "", "");
            e.latency = LatencyStats::fromJson(given, 0);
            e.latency.meanMs = 0;
            number(history.field(r, hMean), &e.latency.meanMs);
            e.latency.count = given.isEmpty() ? -1 : 0; // -1: no percentiles in this row
            if (overall)
                sample.overall = e;
            else
                sample.endpoints.append(e);
        }
        if (!byTime.empty()) {
            const qint64 first = byTime.begin()->first;
            const qint64 origin =
                byTime.begin()->second.overall.totals.requests > 0 ? first - 1 : first;
            std::map<QString, Running> previous;
            qint64 previousT = origin;
            int index = 0;
            const auto difference = [&previous](EndpointSample &e) {
                Running &p = previous[e.name];
                const Running now{e.totals.requests, e.totals.errors, e.latency.meanMs};
                e.totals.requests = std::max<qint64>(0, now.requests - p.requests);
                e.totals.errors = std::max<qint64>(0, now.failures - p.failures);
                e.latency.meanMs =
                    e.totals.requests > 0
                        ? (now.meanMs * double(now.requests) - p.meanMs * double(p.requests)) /
                              double(e.totals.requests)
                        : 0;
                e.latency.count = e.latency.count < 0 ? 0 : e.totals.requests;
                p = now;
            };
            for (auto &[t, sample] : byTime) {
                if (t == origin)
                    continue; // the row Locust writes at the start: all zero
                difference(sample.overall);
                for (EndpointSample &e : sample.endpoints)
                    difference(e);
                sample.index = index++;
                sample.tSec = double(t - origin);
                sample.intervalSec = double(t - previousT);
                previousT = t;
                s.maxVus = std::max(s.maxVus, sample.activeVus);
                s.timeline.append(std::move(sample));
            }
            s.startedAt = QDateTime::fromSecsSinceEpoch(origin, Qt::UTC);
            const qint64 covered = previous[QString()].requests;
            if (s.timeline.isEmpty())
                notes << QFileInfo(historyPath).fileName() +
                             QStringLiteral(" holds no interval after the start (Locust writes it "
                                            "every 10 s): no timeline");
            else if (covered < s.totals.requests)
                notes << QFileInfo(historyPath).fileName() + QStringLiteral(" covers ") +
                             QString::number(covered) + QStringLiteral(" of the ") +
                             QString::number(s.totals.requests) +
                             QStringLiteral(" requests (Locust writes it every 10 s): the "
                                            "timeline ends early");
            notes << (fullHistory ? QStringLiteral("timeline percentiles are Locust's over its "
                                                   "last 10 s (--csv-full-history)")
                                  : QStringLiteral("timeline percentiles are Locust's over the run "
                                                   "so far (no --csv-full-history)"));
        }
    } else {
        lacks << QStringLiteral("timeline (no ") + QFileInfo(historyPath).fileName() +
                     QStringLiteral(" beside it)");
    }
    if (!s.startedAt.isValid()) {
        // Locust rewrites the stats file every second until it stops: its time is the end.
        const QDateTime end = QFileInfo(statsPath).lastModified().toUTC();
        s.startedAt = end.addMSecs(-qint64(s.durationSec * 1000));
        notes << QStringLiteral("start time taken from the stats file's modification time");
    }
    if (s.durationSec <= 0 && !s.timeline.isEmpty())
        s.durationSec = s.timeline.last().tSec;
    s.endedAt = s.startedAt.addMSecs(qint64(s.durationSec * 1000));
    aggregated.insert(QStringLiteral("lacks"), QJsonArray::fromStringList(lacks));
    s.extras.aggregated = aggregated;
    run->contentHash =
        QString::fromLatin1(QCryptographicHash::hash(hashes, QCryptographicHash::Sha256).toHex());
    return true;
}

} // namespace loadscope::importing
