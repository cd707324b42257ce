// The human-readable result reports (Markdown and HTML) declared in resultwriters.h.

#include <algorithm>

#include <QStringList>

#include "interop/resultformatting.h"
#include "interop/resultwriters.h"

namespace loadscope {

using namespace resultformat;

namespace {

//! One table as rows of already formatted cells (plain text; each writer escapes).
struct Table
{
    QStringList header;
    QList<QStringList> rows;
    int leftColumns = 1; //!< leading text columns; the others are numbers (right-aligned)
};

//! A titled section of a report: a table, or a note when there is nothing to show.
struct Section
{
    QString title;
    Table table;
    QString emptyNote;
};

QString statusLine(const QJsonObject &r)
{
    const QJsonArray thresholds = r.value(key("thresholds")).toArray();
    int crossed = 0;
    for (const QJsonValue &t : thresholds)
        crossed += t.toObject().value(key("passed")).toBool() ? 0 : 1;
    QString verdict;
    if (thresholds.isEmpty())
        verdict = QStringLiteral("no thresholds");
    else if (crossed == 0)
        verdict = QStringLiteral("✅ all %1 thresholds passed").arg(thresholds.size());
    else
        verdict =
            QStringLiteral("❌ %1 of %2 thresholds failed").arg(crossed).arg(thresholds.size());
    return r.value(key("status")).toString() + QStringLiteral(" · ") + verdict;
}

QStringList runFacts(const QJsonObject &r)
{
    QStringList facts;
    const QJsonValue id = r.value(key("id"));
    if (id.isDouble())
        facts << QStringLiteral("run #") + exact(id);
    if (!r.value(key("startedAt")).toString().isEmpty())
        facts << QStringLiteral("started ") + r.value(key("startedAt")).toString();
    facts << fixed(r.value(key("durationSec")), 1) + QStringLiteral(" s");
    if (!r.value(key("versionLabel")).toString().isEmpty())
        facts << QStringLiteral("version ") + r.value(key("versionLabel")).toString();
    if (!r.value(key("target")).toString().isEmpty())
        facts << QStringLiteral("target ") + r.value(key("target")).toString();
    return facts;
}

Table totalsTable(const QJsonObject &r)
{
    const QJsonObject t = r.value(key("totals")).toObject();
    Table table;
    table.header = {QStringLiteral("Requests"),      QStringLiteral("Errors"),
                    QStringLiteral("Error rate"),    QStringLiteral("Throughput (req/s)"),
                    QStringLiteral("Data in"),       QStringLiteral("Data out"),
                    QStringLiteral("Iterations"),    QStringLiteral("Dropped iterations"),
                    QStringLiteral("Checks passed"), QStringLiteral("Checks failed")};
    table.leftColumns = 0;
    table.rows.append(
        {fixed(t.value(key("requests")), 0), fixed(t.value(key("errors")), 0),
         percent(t.value(key("errorRate"))), fixed(t.value(key("throughputRps")), 1),
         bytes(t.value(key("bytesIn"))), bytes(t.value(key("bytesOut"))),
         fixed(t.value(key("iterations")), 0), fixed(t.value(key("droppedIterations")), 0),
         fixed(t.value(key("checksPassed")), 0), fixed(t.value(key("checksFailed")), 0)});
    return table;
}

QStringList latencyCells(const QJsonObject &stats)
{
    QStringList cells;
    for (const LatencyColumn &c : kLatencyColumns)
        cells << fixed(stats.value(QLatin1String(c.key)), 2);
    return cells;
}

QStringList latencyHeader(const QString &first)
{
    QStringList header{first};
    for (const LatencyColumn &c : kLatencyColumns)
        header << QLatin1String(c.heading);
    return header;
}

Table latencyTable(const QJsonObject &r)
{
    Table table;
    table.header = latencyHeader(QStringLiteral("Metric (ms)"));
    table.rows.append(QStringList{QStringLiteral("http_req_duration")} +
                      latencyCells(r.value(key("latencyMs")).toObject()));
    if (r.value(key("latencyCorrectedMs")).isObject()) {
        table.rows.append(QStringList{QStringLiteral("corrected (from intended start)")} +
                          latencyCells(r.value(key("latencyCorrectedMs")).toObject()));
    }
    if (r.value(key("iterationDurationMs")).isObject()) {
        table.rows.append(QStringList{QStringLiteral("iteration_duration")} +
                          latencyCells(r.value(key("iterationDurationMs")).toObject()));
    }
    const QJsonObject timings = r.value(key("timingsMs")).toObject();
    for (auto it = timings.begin(); it != timings.end(); ++it) {
        const QJsonObject stats = it.value().toObject();
        if (stats.value(key("count")).toDouble() > 0)
            table.rows.append(QStringList{QStringLiteral("http_req_") + it.key()} +
                              latencyCells(stats));
    }
    const QJsonObject serverTiming = r.value(key("serverTiming")).toObject();
    for (auto it = serverTiming.begin(); it != serverTiming.end(); ++it) {
        table.rows.append(QStringList{QStringLiteral("Server-Timing ") + it.key()} +
                          latencyCells(it.value().toObject()));
    }
    return table;
}

Table endpointsTable(const QJsonObject &r)
{
    Table table;
    table.header = {
        QStringLiteral("Endpoint"), QStringLiteral("Method"),   QStringLiteral("Path"),
        QStringLiteral("Requests"), QStringLiteral("Errors"),   QStringLiteral("Error rate"),
        QStringLiteral("req/s"),    QStringLiteral("p50 (ms)"), QStringLiteral("p95 (ms)"),
        QStringLiteral("p99 (ms)"), QStringLiteral("max (ms)")};
    table.leftColumns = 3;
    for (const QJsonValue &value : r.value(key("endpoints")).toArray()) {
        const QJsonObject e = value.toObject();
        const QJsonObject t = e.value(key("totals")).toObject();
        const QJsonObject l = e.value(key("latencyMs")).toObject();
        table.rows.append({e.value(key("name")).toString(), e.value(key("method")).toString(),
                           e.value(key("path")).toString(), fixed(t.value(key("requests")), 0),
                           fixed(t.value(key("errors")), 0), percent(t.value(key("errorRate"))),
                           fixed(t.value(key("throughputRps")), 1), fixed(l.value(key("p50")), 2),
                           fixed(l.value(key("p95")), 2), fixed(l.value(key("p99")), 2),
                           fixed(l.value(key("max")), 2)});
    }
    return table;
}

Table thresholdsTable(const QJsonObject &r)
{
    Table table;
    table.header = {QString(), QStringLiteral("Metric"), QStringLiteral("Expression"),
                    QStringLiteral("Observed")};
    table.leftColumns = 3;
    for (const QJsonValue &value : r.value(key("thresholds")).toArray()) {
        const QJsonObject t = value.toObject();
        const QString error = t.value(key("error")).toString();
        QString mark = t.value(key("passed")).toBool() ? QStringLiteral("✅") : QStringLiteral("❌");
        if (t.value(key("abortOnFail")).toBool())
            mark += QStringLiteral(" (abortOnFail)");
        table.rows.append(
            {mark, t.value(key("metric")).toString(), t.value(key("expression")).toString(),
             error.isEmpty() ? shortNumber(t.value(key("value")).toDouble()) : error});
    }
    return table;
}

Table errorsTable(const QJsonObject &r)
{
    Table table;
    table.header = {QStringLiteral("Error class"), QStringLiteral("Count")};
    const QJsonObject errors = r.value(key("errorsByClass")).toObject();
    for (auto it = errors.begin(); it != errors.end(); ++it)
        table.rows.append({it.key(), fixed(it.value(), 0)});
    return table;
}

QList<Section> sections(const QJsonObject &r)
{
    return {{QStringLiteral("Totals"), totalsTable(r), QString()},
            {QStringLiteral("Latency"), latencyTable(r), QString()},
            {QStringLiteral("Endpoints"), endpointsTable(r), QStringLiteral("No endpoints.")},
            {QStringLiteral("Thresholds"), thresholdsTable(r), QStringLiteral("No thresholds.")},
            {QStringLiteral("Errors by class"), errorsTable(r), QStringLiteral("No errors.")}};
}

// ---- Markdown ----------------------------------------------------------------------------

//! Text safe inside a GitHub-flavoured Markdown table cell or heading.
QString md(const QString &text)
{
    QString out;
    out.reserve(text.size());
    for (const QChar c : text) {
        if (QStringLiteral("\\`*_[]|#").contains(c))
            out += QLatin1Char('\\');
        if (c == QLatin1Char('\n') || c == QLatin1Char('\r'))
            out += QLatin1Char(' ');
        else
            out += c;
    }
    return out.toHtmlEscaped();
}

QString markdownTable(const Table &table)
{
    QString out = QStringLiteral("|");
    QString rule = QStringLiteral("|");
    for (qsizetype i = 0; i < table.header.size(); ++i) {
        out += QLatin1Char(' ') + md(table.header.at(i)) + QStringLiteral(" |");
        rule += i < table.leftColumns ? QStringLiteral(" --- |") : QStringLiteral(" ---: |");
    }
    out += QLatin1Char('\n') + rule + QLatin1Char('\n');
    for (const QStringList &row : table.rows) {
        out += QLatin1Char('|');
        for (const QString &cell : row)
            out += QLatin1Char(' ') + md(cell) + QStringLiteral(" |");
        out += QLatin1Char('\n');
    }
    return out;
}

// ---- HTML --------------------------------------------------------------------------------

QString h(const QString &text)
{
    return text.toHtmlEscaped();
}

QString htmlTable(const Table &table)
{
    QString out = QStringLiteral("<table>\n<thead><tr>");
    for (const QString &cell : table.header)
        out += QStringLiteral("<th>") + h(cell) + QStringLiteral("</th>");
    out += QStringLiteral("</tr></thead>\n<tbody>\n");
    for (const QStringList &row : table.rows) {
        out += QStringLiteral("<tr>");
        for (qsizetype i = 0; i < row.size(); ++i) {
            out += (i < table.leftColumns ? QStringLiteral("<td>")
                                          : QStringLiteral("<td class=\"num\">")) +
                   h(row.at(i)) + QStringLiteral("</td>");
        }
        out += QStringLiteral("</tr>\n");
    }
    return out + QStringLiteral("</tbody>\n</table>\n");
}

QString coord(double v)
{
    return QString::number(v, 'f', 1);
}

//! An inline SVG line chart of throughput (left axis) and p95 latency (right axis).
QString timelineChart(const QJsonArray &timeline)
{
    if (timeline.isEmpty())
        return QStringLiteral("<p class=\"note\">No timeline was recorded.</p>\n");
    constexpr double width = 800, height = 260, left = 60, right = 60, top = 20, bottom = 36;
    constexpr double plotW = width - left - right, plotH = height - top - bottom;
    double maxT = 0, maxRps = 0, maxP95 = 0;
    for (const QJsonValue &value : timeline) {
        const QJsonObject e = value.toObject();
        maxT = std::max(maxT, e.value(key("t")).toDouble());
        maxRps = std::max(maxRps, e.value(key("rps")).toDouble());
        maxP95 =
            std::max(maxP95, e.value(key("latencyMs")).toObject().value(key("p95")).toDouble());
    }
    // Avoid dividing by zero on a flat or single-point series.
    const double spanT = maxT > 0 ? maxT : 1, spanRps = maxRps > 0 ? maxRps : 1,
                 spanP95 = maxP95 > 0 ? maxP95 : 1;
    QStringList rpsPoints, p95Points;
    for (const QJsonValue &value : timeline) {
        const QJsonObject e = value.toObject();
        const double x = left + plotW * e.value(key("t")).toDouble() / spanT;
        const double p95 = e.value(key("latencyMs")).toObject().value(key("p95")).toDouble();
        rpsPoints << coord(x) + QLatin1Char(',') +
                         coord(top + plotH * (1 - e.value(key("rps")).toDouble() / spanRps));
        p95Points << coord(x) + QLatin1Char(',') + coord(top + plotH * (1 - p95 / spanP95));
    }
    QString svg = QStringLiteral("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%1\" "
                                 "height=\"%2\" viewBox=\"0 0 %1 %2\" role=\"img\" "
                                 "aria-label=\"Throughput and p95 latency over time\">\n")
                      .arg(width)
                      .arg(height);
    svg += QStringLiteral("<rect x=\"%1\" y=\"%2\" width=\"%3\" height=\"%4\" class=\"plot\"/>\n")
               .arg(left)
               .arg(top)
               .arg(plotW)
               .arg(plotH);
    svg += QStringLiteral("<polyline class=\"rps\" points=\"") + rpsPoints.join(QLatin1Char(' ')) +
           QStringLiteral("\"/>\n");
    svg += QStringLiteral("<polyline class=\"p95\" points=\"") + p95Points.join(QLatin1Char(' ')) +
           QStringLiteral("\"/>\n");
    const auto text = [](double x, double y, const QString &anchor, const QString &cls,
                         const QString &label) -> QString {
        return QStringLiteral("<text x=\"") + coord(x) + QStringLiteral("\" y=\"") + coord(y) +
               QStringLiteral("\" text-anchor=\"") + anchor + QStringLiteral("\" class=\"") + cls +
               QStringLiteral("\">") + h(label) + QStringLiteral("</text>\n");
    };
    const QString start = QStringLiteral("start"), end = QStringLiteral("end");
    svg += text(left - 6, top + 10, end, QStringLiteral("rps"), shortNumber(maxRps));
    svg += text(left - 6, top + plotH, end, QStringLiteral("rps"), QStringLiteral("0"));
    svg += text(left + plotW + 6, top + 10, start, QStringLiteral("p95"),
                shortNumber(maxP95) + QStringLiteral(" ms"));
    svg +=
        text(left + plotW + 6, top + plotH, start, QStringLiteral("p95"), QStringLiteral("0 ms"));
    svg += text(left, top + plotH + 16, start, QStringLiteral("axis"), QStringLiteral("0 s"));
    svg += text(left + plotW, top + plotH + 16, end, QStringLiteral("axis"),
                shortNumber(maxT) + QStringLiteral(" s"));
    svg += text(left + plotW / 2 - 12, top + plotH + 30, end, QStringLiteral("rps"),
                QStringLiteral("— throughput (req/s, left axis)"));
    svg += text(left + plotW / 2 + 12, top + plotH + 30, start, QStringLiteral("p95"),
                QStringLiteral("— p95 latency (ms, right axis)"));
    return svg + QStringLiteral("</svg>\n");
}

const char kCss[] =
    R"(body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#1f2328}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #d0d7de;padding-bottom:.2em}
.facts{color:#59636e}.status{font-weight:600;padding:.3em .6em;border-radius:4px;display:inline-block}
.ok{background:#dafbe1;color:#116329}.bad{background:#ffebe9;color:#a40e26}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #d0d7de;padding:.25em .6em}
th{background:#f6f8fa;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
svg .plot{fill:#fff;stroke:#d0d7de}svg polyline{fill:none;stroke-width:2}
svg .rps{stroke:#0969da;fill:#0969da}svg polyline.rps{fill:none}svg .p95{stroke:#cf222e;fill:#cf222e}svg polyline.p95{fill:none}
svg text{font-size:11px;stroke:none}svg .axis{fill:#59636e}.note{color:#59636e}
)";

} // namespace

QByteArray resultToMarkdown(const QJsonObject &resultDocument)
{
    const QJsonObject r = result(resultDocument);
    QString out = QStringLiteral("## Loadscope: ") + md(planName(resultDocument)) +
                  QStringLiteral("\n\n**Status:** ") + md(statusLine(r)) + QStringLiteral("  \n") +
                  md(runFacts(r).join(QStringLiteral(" · "))) + QLatin1Char('\n');
    const QString details = r.value(key("errorDetails")).toString();
    if (!details.isEmpty())
        out += QStringLiteral("\n> ") + md(details) + QLatin1Char('\n');
    for (const Section &section : sections(r)) {
        out += QStringLiteral("\n### ") + md(section.title) + QStringLiteral("\n\n");
        out += section.table.rows.isEmpty() ? md(section.emptyNote) + QLatin1Char('\n')
                                            : markdownTable(section.table);
    }
    return out.toUtf8();
}

QByteArray resultToHtml(const QJsonObject &resultDocument)
{
    const QJsonObject r = result(resultDocument);
    const QString title = QStringLiteral("Loadscope: ") + planName(resultDocument);
    const bool ok = r.value(key("status")).toString() == QLatin1String("completed") &&
                    thresholdsPassed(r.value(key("thresholds")).toArray());
    QString out = QStringLiteral("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta "
                                 "charset=\"utf-8\"/>\n<title>") +
                  h(title) + QStringLiteral("</title>\n<style>\n") + QLatin1String(kCss) +
                  QStringLiteral("</style>\n</head>\n<body>\n<h1>") + h(title) +
                  QStringLiteral("</h1>\n<p><span class=\"status ") +
                  (ok ? QStringLiteral("ok") : QStringLiteral("bad")) + QStringLiteral("\">") +
                  h(statusLine(r)) + QStringLiteral("</span></p>\n<p class=\"facts\">") +
                  h(runFacts(r).join(QStringLiteral(" · "))) + QStringLiteral("</p>\n");
    const QString details = r.value(key("errorDetails")).toString();
    if (!details.isEmpty())
        out += QStringLiteral("<p class=\"bad\">") + h(details) + QStringLiteral("</p>\n");
    out +=
        QStringLiteral("<h2>Timeline</h2>\n") + timelineChart(r.value(key("timeline")).toArray());
    for (const Section &section : sections(r)) {
        out += QStringLiteral("<h2>") + h(section.title) + QStringLiteral("</h2>\n");
        out += section.table.rows.isEmpty() ? QStringLiteral("<p class=\"note\">") +
                                                  h(section.emptyNote) + QStringLiteral("</p>\n")
                                            : htmlTable(section.table);
    }
    out += QStringLiteral("</body>\n</html>\n");
    return out.toUtf8();
}

} // namespace loadscope
