// k6's end-of-test summary as JSON, in its two documented shapes: `k6 run --summary-export=F`
// ({"metrics": {"http_req_duration": {"avg": .., "p(95)": .., "thresholds": {"p(95)<500":
// false}}}}, a threshold's boolean true when it FAILED) and the data object handleSummary()
// receives, written with JSON.stringify(data) ({"metrics": {"http_req_duration": {"type":
// "trend", "values": {..}, "thresholds": {"p(95)<500": {"ok": true}}}}, "state":
// {"testRunDurationMs": ..}}). Trend figures are k6's own (summaryTrendStats: avg, min, med,
// max, p(90), p(95) unless the script asked for more) and are stored as given; submetrics
// tagged {name:X} or {url:X} become endpoints.
#include <cmath>

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include "engine/httptypes.h"
#include "interop/importformats.h"

namespace loadscope::importing {

namespace {

constexpr qint64 kMaxSummaryBytes = 256LL * 1024 * 1024;

//! "p(95)" -> "p95", "p(99.9)" -> "p999", "med" / "avg" / "min" / "max" as they are.
QString statKey(const QString &k6)
{
    if (!k6.startsWith(QLatin1String("p(")) || !k6.endsWith(u')'))
        return k6;
    QString digits = k6.mid(2, k6.size() - 3);
    digits.remove(u'.');
    return u'p' + digits;
}

//! A trend's figures by our names; "med" is the median, so it is p50 as well.
QJsonObject trendOf(const QJsonObject &values)
{
    QJsonObject json;
    for (auto it = values.constBegin(); it != values.constEnd(); ++it) {
        if (it.value().isDouble())
            json.insert(statKey(it.key()), it.value());
    }
    if (json.contains(QLatin1String("med")) && !json.contains(QLatin1String("p50")))
        json.insert(QStringLiteral("p50"), json.value(QLatin1String("med")));
    return json;
}

struct Metric
{
    QString name;       //!< "http_req_duration"
    QString tagKey;     //!< "name" for "http_req_duration{name:login}"; "" for the metric itself
    QString tagValue;   //!< "login"
    QJsonObject values; //!< the figures, from "values" or the metric object itself
    QJsonObject thresholds;
};

Metric metricOf(const QString &key, const QJsonObject &object)
{
    Metric m;
    m.name = key;
    const qsizetype brace = key.indexOf(u'{');
    if (brace > 0 && key.endsWith(u'}')) {
        m.name = key.left(brace);
        const QString tag = key.mid(brace + 1, key.size() - brace - 2);
        const qsizetype colon = tag.indexOf(u':');
        m.tagKey = tag.left(colon).trimmed();
        m.tagValue = colon >= 0 ? tag.mid(colon + 1).trimmed() : QString();
    }
    const QJsonValue values = object.value(QLatin1String("values"));
    if (values.isObject()) {
        m.values = values.toObject(); // handleSummary data
    } else {
        m.values = object; // --summary-export: figures beside "thresholds"
        m.values.remove(QStringLiteral("thresholds"));
    }
    m.thresholds = object.value(QLatin1String("thresholds")).toObject();
    return m;
}

double figure(const QJsonObject &values, const char *key)
{
    return values.value(QLatin1String(key)).toDouble();
}

qint64 integer(const QJsonObject &values, const char *key)
{
    return qint64(std::llround(figure(values, key)));
}

} // namespace

bool parseK6Summary(const QString &path, AggregatedRun *run, ParseContext &context)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        context.fatal = QStringLiteral("cannot be read: ") + file.errorString();
        return false;
    }
    if (file.size() > kMaxSummaryBytes) {
        context.fatal = QStringLiteral("is ") + QString::number(file.size() >> 20) +
                        QStringLiteral(" MB: larger than any k6 summary");
        return false;
    }
    QByteArray bytes = file.readAll();
    run->files << path;
    run->contentHash =
        QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
    if (bytes.startsWith("\xEF\xBB\xBF"))
        bytes.remove(0, 3);
    context.records = 1;
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &error);
    if (error.error != QJsonParseError::NoError) {
        const QByteArray before = bytes.left(error.offset);
        context.fatal = QStringLiteral("line ") + QString::number(before.count('\n') + 1) +
                        QStringLiteral(": not JSON (") + error.errorString() + QStringLiteral(")");
        return false;
    }
    const QJsonObject root = document.object();
    const QJsonValue metricsValue = root.value(QLatin1String("metrics"));
    if (!metricsValue.isObject()) {
        context.fatal = QStringLiteral("no \"metrics\" object: not a k6 summary");
        return false;
    }
    const QJsonObject metrics = metricsValue.toObject();
    const bool handleSummary =
        root.contains(QLatin1String("state")) || root.contains(QLatin1String("options")) ||
        metrics.value(QLatin1String("http_reqs")).toObject().contains(QLatin1String("values"));

    RunSummary &s = run->summary;
    QJsonObject endpointsGiven;
    QJsonObject timingsGiven;
    QMap<QString, EndpointSummary> endpoints; // by tag value
    QStringList endpointOrder;
    double rate = 0;
    bool haveDuration = false, haveRequests = false;
    const auto endpoint = [&](const QString &name) -> EndpointSummary & {
        if (!endpoints.contains(name)) {
            endpointOrder << name;
            endpoints[name].name = name;
        }
        return endpoints[name];
    };
    for (auto it = metrics.constBegin(); it != metrics.constEnd(); ++it) {
        if (!it.value().isObject())
            continue;
        const Metric m = metricOf(it.key(), it.value().toObject());
        for (auto t = m.thresholds.constBegin(); t != m.thresholds.constEnd(); ++t) {
            ThresholdResult result;
            result.metric = it.key();
            result.expression = t.key();
            // --summary-export says whether the threshold failed; handleSummary whether it is ok.
            result.passed = t.value().isObject()
                                ? t.value().toObject().value(QLatin1String("ok")).toBool()
                                : !t.value().toBool();
            const QString stat = statKey(t.key()
                                             .section(u'<', 0, 0)
                                             .section(u'>', 0, 0)
                                             .section(u'=', 0, 0)
                                             .section(u'!', 0, 0)
                                             .trimmed());
            QJsonObject given = trendOf(m.values);
            // --summary-export keeps a rate as "value", handleSummary as "rate".
            if (!given.contains(QLatin1String("rate")) && given.contains(QLatin1String("value")))
                given.insert(QStringLiteral("rate"), given.value(QLatin1String("value")));
            if (given.contains(stat))
                result.value = given.value(stat).toDouble();
            else
                result.error = QStringLiteral("k6 gave the verdict, not the value");
            s.thresholds.append(result);
        }
        const bool byEndpoint =
            m.tagKey == QLatin1String("name") || m.tagKey == QLatin1String("url");
        if (!m.tagKey.isEmpty() && !byEndpoint)
            continue; // {expected_response:true}, {scenario:x}, ...: not an endpoint
        if (m.name == QLatin1String("http_req_duration")) {
            if (byEndpoint) {
                endpoint(m.tagValue);
                endpointsGiven.insert(
                    m.tagValue, QJsonObject{{QStringLiteral("latencyMs"), trendOf(m.values)}});
            } else {
                haveDuration = true;
                run->summary.extras.aggregated.insert(QStringLiteral("latencyMs"),
                                                      trendOf(m.values));
            }
        } else if (m.name == QLatin1String("http_reqs")) {
            if (byEndpoint) {
                endpoint(m.tagValue).totals.requests = integer(m.values, "count");
            } else {
                haveRequests = true;
                s.totals.requests = integer(m.values, "count");
                rate = figure(m.values, "rate");
            }
        } else if (m.name == QLatin1String("http_req_failed")) {
            // A rate of "request failed": its passes are the failed requests.
            if (byEndpoint)
                endpoint(m.tagValue).totals.errors = integer(m.values, "passes");
            else
                s.totals.errors = integer(m.values, "passes");
        } else if (byEndpoint) {
            continue;
        } else if (m.name.startsWith(QLatin1String("http_req_"))) {
            const QString timing = m.name.mid(9);
            if (timingNames().contains(timing))
                timingsGiven.insert(timing, trendOf(m.values));
        } else if (m.name == QLatin1String("iterations")) {
            s.totals.iterations = integer(m.values, "count");
        } else if (m.name == QLatin1String("data_received")) {
            s.totals.bytesIn = integer(m.values, "count");
        } else if (m.name == QLatin1String("data_sent")) {
            s.totals.bytesOut = integer(m.values, "count");
        } else if (m.name == QLatin1String("checks")) {
            s.totals.checksPassed = integer(m.values, "passes");
            s.totals.checksFailed = integer(m.values, "fails");
        } else if (m.name == QLatin1String("vus_max") || m.name == QLatin1String("vus")) {
            s.maxVus = std::max(s.maxVus, int(integer(m.values, "max")));
        } else if (m.name == QLatin1String("dropped_iterations")) {
            s.totals.droppedIterations = integer(m.values, "count");
        }
    }
    if (!haveRequests && !haveDuration) {
        context.fatal = QStringLiteral("the summary has neither http_reqs nor http_req_duration: "
                                       "no HTTP request");
        return false;
    }
    for (const QString &name : std::as_const(endpointOrder)) {
        EndpointSummary e = endpoints.value(name);
        const qsizetype space = name.indexOf(u' ');
        if (space > 0 && isHttpToken(name.left(space).toLatin1())) {
            e.method = name.left(space);
            e.path = name.mid(space + 1);
        }
        s.endpoints.append(e);
    }

    const double durationMs = root.value(QLatin1String("state"))
                                  .toObject()
                                  .value(QLatin1String("testRunDurationMs"))
                                  .toDouble();
    if (durationMs > 0)
        s.durationSec = durationMs / 1000.0;
    else if (rate > 0)
        s.durationSec = double(s.totals.requests) / rate;
    const QDateTime end = QFileInfo(path).lastModified().toUTC();
    s.startedAt = end.addMSecs(-qint64(s.durationSec * 1000));
    s.endedAt = end;
    run->notes << QStringLiteral("start time taken from the file's modification time (k6's "
                                 "summary has none)");

    const QJsonObject given = s.extras.aggregated.value(QLatin1String("latencyMs")).toObject();
    QStringList lacks{QStringLiteral("per-request data (percentiles are k6's own, they cannot be "
                                     "recomputed or merged)"),
                      QStringLiteral("timeline (the summary is one set of figures for the whole "
                                     "run)"),
                      QStringLiteral("error classes (k6's summary counts failed requests only)")};
    for (const char *stat : {"p50", "p90", "p95", "p99", "p999"}) {
        if (!given.contains(QLatin1String(stat)))
            lacks << QLatin1String(stat) +
                         QStringLiteral(" (not in summaryTrendStats when the test ran)");
    }
    if (!haveRequests)
        lacks << QStringLiteral("request count (no http_reqs)");
    s.extras.aggregated.insert(QStringLiteral("tool"), QStringLiteral("k6"));
    s.extras.aggregated.insert(QStringLiteral("percentiles"),
                               QStringLiteral("as given by k6's end-of-test summary (%1)")
                                   .arg(handleSummary ? QStringLiteral("handleSummary data")
                                                      : QStringLiteral("--summary-export")));
    if (!endpointsGiven.isEmpty())
        s.extras.aggregated.insert(QStringLiteral("endpoints"), endpointsGiven);
    if (!timingsGiven.isEmpty())
        s.extras.aggregated.insert(QStringLiteral("timingsMs"), timingsGiven);
    s.extras.aggregated.insert(QStringLiteral("lacks"), QJsonArray::fromStringList(lacks));
    return true;
}

} // namespace loadscope::importing
