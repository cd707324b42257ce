// The human-readable result reports (Markdown and HTML) declared in resultwriters.h.

#include <algorithm>
#include <cmath>

#include <QJsonArray>
#include <QPointF>
#include <QStringList>

#include "interop/resultformatting.h"
#include "interop/resultwriters.h"
#include "metrics/durationformat.h"

namespace loadscope {

using namespace resultformat;

namespace {

//! One table as rows of already formatted cells (plain text; each writer escapes).
struct Table
{
    QStringList header;
    QList<QStringList> rows;
    int leftColumns = 1; //!< leading text columns; the others are numbers (right-aligned)
    int markColumn = -1; //!< a PASS/FAIL column the HTML colours (-1: none)
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
        verdict = QStringLiteral("PASS: all %1 thresholds passed").arg(thresholds.size());
    else
        verdict =
            QStringLiteral("FAIL: %1 of %2 thresholds failed").arg(crossed).arg(thresholds.size());
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

//! A time in milliseconds as the one formatter prints it ("0 µs", "1.23 ms"), "–" when absent.
QString time(const QJsonValue &ms)
{
    return ms.isDouble() ? formatDurationMs(ms.toDouble()) : QStringLiteral("–");
}

QStringList latencyCells(const QJsonObject &stats)
{
    QStringList cells;
    for (const LatencyColumn &c : kLatencyColumns)
        cells << time(stats.value(QLatin1String(c.key)));
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
    table.header = latencyHeader(QStringLiteral("Metric"));
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
        QStringLiteral("Endpoint"), QStringLiteral("Method"), QStringLiteral("Path"),
        QStringLiteral("Requests"), QStringLiteral("Errors"), QStringLiteral("Error rate"),
        QStringLiteral("req/s"),    QStringLiteral("p50"),    QStringLiteral("p95"),
        QStringLiteral("p99"),      QStringLiteral("max")};
    table.leftColumns = 3;
    const QJsonArray endpoints = r.value(key("endpoints")).toArray();
    for (const QJsonValue &value : endpoints) {
        const QJsonObject e = value.toObject();
        const QJsonObject t = e.value(key("totals")).toObject();
        const QJsonObject l = e.value(key("latencyMs")).toObject();
        table.rows.append({e.value(key("name")).toString(), e.value(key("method")).toString(),
                           e.value(key("path")).toString(), fixed(t.value(key("requests")), 0),
                           fixed(t.value(key("errors")), 0), percent(t.value(key("errorRate"))),
                           fixed(t.value(key("throughputRps")), 1), time(l.value(key("p50"))),
                           time(l.value(key("p95"))), time(l.value(key("p99"))),
                           time(l.value(key("max")))});
    }
    return table;
}

Table thresholdsTable(const QJsonObject &r)
{
    Table table;
    table.header = {QString(), QStringLiteral("Metric"), QStringLiteral("Expression"),
                    QStringLiteral("Observed")};
    table.leftColumns = 3;
    table.markColumn = 0;
    const QJsonArray thresholds = r.value(key("thresholds")).toArray();
    for (const QJsonValue &value : thresholds) {
        const QJsonObject t = value.toObject();
        const QString error = t.value(key("error")).toString();
        // Words, not emoji: they render without an emoji font (the HTML colours them by class).
        QString mark =
            t.value(key("passed")).toBool() ? QStringLiteral("PASS") : QStringLiteral("FAIL");
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
            QString open = i < table.leftColumns ? QStringLiteral("<td>")
                                                 : QStringLiteral("<td class=\"num\">");
            if (i == table.markColumn)
                open = row.at(i).startsWith(QLatin1String("PASS"))
                           ? QStringLiteral("<td class=\"pass\">")
                           : QStringLiteral("<td class=\"fail\">");
            out += open + h(row.at(i)) + QStringLiteral("</td>");
        }
        out += QStringLiteral("</tr>\n");
    }
    return out + QStringLiteral("</tbody>\n</table>\n");
}

QString coord(double v)
{
    return QString::number(v, 'f', 1);
}

//! A "nice" tick step (1, 2 or 5 × 10^k) giving about @p ticks intervals up to @p max.
double niceStep(double max, int ticks = 5)
{
    if (!(max > 0))
        return 1;
    const double raw = max / ticks;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (const double m : {1.0, 2.0, 5.0}) {
        if (raw <= m * magnitude)
            return m * magnitude;
    }
    return 10 * magnitude;
}

//! A plain number for an axis label: rounded to the step's precision ("0.5", "120", "1500").
QString tickNumber(double value, double step)
{
    const int decimals = step >= 1 ? 0 : int(std::ceil(-std::log10(step) - 1e-9));
    QString text = QString::number(value, 'f', std::clamp(decimals, 0, 6));
    if (text.contains(QLatin1Char('.'))) { // "3.0" reads "3" next to "2.5"
        while (text.endsWith(QLatin1Char('0')))
            text.chop(1);
        if (text.endsWith(QLatin1Char('.')))
            text.chop(1);
    }
    return text;
}

//! One line of a chart: the CSS class colours it, the label goes in the legend.
struct ChartSeries
{
    QString label;
    QString cssClass;
    QList<QPointF> points; //!< (seconds, value)
};

QString svgText(double x, double y, const char *anchor, const QString &cls, const QString &label)
{
    return QStringLiteral("<text x=\"") + coord(x) + QStringLiteral("\" y=\"") + coord(y) +
           QStringLiteral("\" text-anchor=\"") + QLatin1String(anchor) +
           QStringLiteral("\" class=\"") + cls + QStringLiteral("\">") + h(label) +
           QStringLiteral("</text>\n");
}

//! An inline SVG line chart over time with rounded ticks on both axes and a legend under the
//! plot. The margins leave room for the widest tick label, so nothing is clipped.
//! @p yLabel formats a tick value (a plain number, or a time through formatDurationMs).
QString lineChart(const QString &title, const QString &yTitle, const QList<ChartSeries> &series,
                  QString (*yLabel)(double value, double step))
{
    constexpr double width = 820, height = 280, left = 78, right = 24, top = 28, bottom = 62;
    constexpr double plotW = width - left - right, plotH = height - top - bottom;
    double maxT = 0, maxY = 0;
    for (const ChartSeries &line : series) {
        for (const QPointF &p : line.points) {
            maxT = std::max(maxT, p.x());
            maxY = std::max(maxY, p.y());
        }
    }
    const double stepT = niceStep(maxT, 8), stepY = niceStep(maxY, 5);
    // Axes end on a tick, so the top label is a round number and no point leaves the plot.
    // A last interval that ends a few ms past a tick does not get an axis of its own.
    const double spanT = std::max(stepT, std::ceil(maxT / stepT - 0.02) * stepT);
    const double spanY = std::max(stepY, std::ceil(maxY / stepY - 1e-9) * stepY);
    const auto px = [&](double t) { return left + plotW * t / spanT; };
    const auto py = [&](double v) { return top + plotH * (1 - v / spanY); };

    QString svg = QStringLiteral("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%1\" "
                                 "height=\"%2\" viewBox=\"0 0 %1 %2\" role=\"img\" "
                                 "aria-label=\"%3\">\n")
                      .arg(width)
                      .arg(height)
                      .arg(h(title));
    svg += QStringLiteral("<rect x=\"%1\" y=\"%2\" width=\"%3\" height=\"%4\" class=\"plot\"/>\n")
               .arg(left)
               .arg(top)
               .arg(plotW)
               .arg(plotH);
    svg += svgText(left, top - 10, "start", QStringLiteral("axis"), yTitle);
    const QString axis = QStringLiteral("axis");
    for (int i = 0; i * stepY <= spanY + stepY * 1e-6; ++i) {
        const double v = i * stepY, y = py(v);
        svg += QStringLiteral("<line class=\"grid\" x1=\"%1\" y1=\"%2\" x2=\"%3\" y2=\"%2\"/>\n")
                   .arg(coord(left), coord(y), coord(left + plotW));
        svg += svgText(left - 6, y + 4, "end", axis, yLabel(v, stepY));
    }
    for (int i = 0; i * stepT <= spanT + stepT * 1e-6; ++i) {
        const double t = i * stepT, x = px(t);
        svg += QStringLiteral("<line class=\"tick\" x1=\"%1\" y1=\"%2\" x2=\"%1\" y2=\"%3\"/>\n")
                   .arg(coord(x), coord(top + plotH), coord(top + plotH + 4));
        svg += svgText(x, top + plotH + 17, "middle", axis,
                       tickNumber(t, stepT) + QStringLiteral(" s"));
    }
    double legendX = left;
    for (const ChartSeries &line : series) {
        QStringList points;
        for (const QPointF &p : line.points)
            points << coord(px(p.x())) + QLatin1Char(',') + coord(py(p.y()));
        svg += QStringLiteral("<polyline class=\"") + line.cssClass +
               QStringLiteral("\" points=\"") + points.join(QLatin1Char(' ')) +
               QStringLiteral("\"/>\n");
        svg +=
            QStringLiteral("<rect class=\"key %1\" x=\"%2\" y=\"%3\" width=\"14\" height=\"4\"/>\n")
                .arg(line.cssClass, coord(legendX), coord(top + plotH + 38));
        svg +=
            svgText(legendX + 19, top + plotH + 43, "start", QStringLiteral("legend"), line.label);
        legendX += 40 + 7.0 * line.label.size();
    }
    svg += svgText(left + plotW, top + plotH + 43, "end", axis, QStringLiteral("time since start"));
    return svg + QStringLiteral("</svg>\n");
}

QString plainTick(double value, double step)
{
    return tickNumber(value, step);
}

//! A time tick in the unit of its step ("5 ms", "250 µs", "1.5 s"): a round number per tick
//! reads better on an axis than three significant digits each.
QString timeTick(double valueMs, double stepMs)
{
    if (valueMs == 0)
        return QStringLiteral("0");
    if (stepMs < 1)
        return tickNumber(valueMs * 1000, stepMs * 1000) + QStringLiteral(" µs");
    if (stepMs < 1000)
        return tickNumber(valueMs, stepMs) + QStringLiteral(" ms");
    return tickNumber(valueMs / 1000, stepMs / 1000) + QStringLiteral(" s");
}

//! Throughput and latency percentiles over time, as two charts of one axis each.
QString timelineCharts(const QJsonArray &timeline)
{
    if (timeline.isEmpty())
        return QStringLiteral("<p class=\"note\">No timeline was recorded.</p>\n");
    ChartSeries rps{QStringLiteral("throughput (req/s)"), QStringLiteral("rps"), {}};
    ChartSeries errors{QStringLiteral("errors/s"), QStringLiteral("err"), {}};
    QList<ChartSeries> latency{{QStringLiteral("p50"), QStringLiteral("p50"), {}},
                               {QStringLiteral("p90"), QStringLiteral("p90"), {}},
                               {QStringLiteral("p95"), QStringLiteral("p95"), {}},
                               {QStringLiteral("p99"), QStringLiteral("p99"), {}}};
    bool anyErrors = false;
    for (const QJsonValue &value : timeline) {
        const QJsonObject e = value.toObject();
        const double t = e.value(key("t")).toDouble();
        const double interval = e.value(key("intervalSec")).toDouble(1.0);
        rps.points.append({t, e.value(key("rps")).toDouble()});
        const double errorsPerSec = e.value(key("errors")).toDouble() / std::max(interval, 1e-3);
        anyErrors = anyErrors || errorsPerSec > 0;
        errors.points.append({t, errorsPerSec});
        const QJsonObject l = e.value(key("latencyMs")).toObject();
        for (ChartSeries &line : latency)
            line.points.append({t, l.value(line.label).toDouble()});
    }
    QList<ChartSeries> throughput{rps};
    if (anyErrors)
        throughput.append(errors);
    return QStringLiteral("<h3>Throughput</h3>\n") +
           lineChart(QStringLiteral("Throughput over time"), QStringLiteral("req/s"), throughput,
                     &plainTick) +
           QStringLiteral("<h3>Latency percentiles</h3>\n") +
           lineChart(QStringLiteral("Latency percentiles over time"),
                     QStringLiteral("latency per interval"), latency, &timeTick);
}

//! The recommendations of the run, the load-generator warning first as recommend() orders them.
QString recommendationsHtml(const QJsonArray &recommendations)
{
    if (recommendations.isEmpty())
        return QStringLiteral("<p class=\"note\">No recommendations: no rule found a problem in "
                              "the measured data.</p>\n");
    QString out = QStringLiteral("<ol class=\"recs\">\n");
    for (const QJsonValue &value : recommendations) {
        const QJsonObject rec = value.toObject();
        const QString impact = rec.value(key("impact")).toString();
        out += QStringLiteral("<li><p><span class=\"impact ") + h(impact) + QStringLiteral("\">") +
               h(impact) + QStringLiteral("</span> <b>") + h(rec.value(key("title")).toString()) +
               QStringLiteral("</b> <span class=\"note\">(") +
               h(rec.value(key("area")).toString()) + QStringLiteral(")</span></p>\n<p>") +
               h(rec.value(key("detail")).toString()) + QStringLiteral("</p>\n");
        const QString implementation = rec.value(key("implementation")).toString();
        if (!implementation.isEmpty())
            out += QStringLiteral("<p><i>What to do:</i> ") + h(implementation) +
                   QStringLiteral("</p>\n");
        const QString estimate = rec.value(key("estimatedImprovement")).toString();
        if (!estimate.isEmpty())
            out += QStringLiteral("<p><i>Estimated improvement:</i> ") + h(estimate) +
                   QStringLiteral("</p>\n");
        out += QStringLiteral("</li>\n");
    }
    return out + QStringLiteral("</ol>\n");
}

const char kCss[] =
    R"(body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#1f2328}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #d0d7de;padding-bottom:.2em}h3{font-size:1em;margin:1em 0 .2em}
.facts{color:#59636e}.status{font-weight:600;padding:.3em .6em;border-radius:4px;display:inline-block}
.ok{background:#dafbe1;color:#116329}.bad{background:#ffebe9;color:#a40e26}
td.pass,td.fail{font-weight:700;text-align:center}td.pass{color:#116329;background:#dafbe1}td.fail{color:#a40e26;background:#ffebe9}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #d0d7de;padding:.25em .6em}
th{background:#f6f8fa;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
svg{overflow:visible}svg .plot{fill:#fff;stroke:#d0d7de}svg polyline{fill:none;stroke-width:2}svg .grid{stroke:#eaeef2}svg .tick{stroke:#8c959f}
svg .rps{stroke:#0969da;fill:#0969da}svg .err{stroke:#cf222e;fill:#cf222e}svg .p50{stroke:#1a7f37;fill:#1a7f37}svg .p90{stroke:#9a6700;fill:#9a6700}svg .p95{stroke:#cf222e;fill:#cf222e}svg .p99{stroke:#8250df;fill:#8250df}svg polyline.rps,svg polyline.err,svg polyline.p50,svg polyline.p90,svg polyline.p95,svg polyline.p99{fill:none}
svg text{font-size:12px;stroke:none;font-variant-numeric:tabular-nums}svg .axis{fill:#59636e}svg .legend{fill:#1f2328}.note{color:#59636e}
.recs li{margin-bottom:.8em}.recs p{margin:.15em 0}.impact{font-size:.8em;font-weight:700;text-transform:uppercase;padding:.1em .4em;border-radius:3px;background:#eaeef2}
.impact.critical{background:#a40e26;color:#fff}.impact.high{background:#ffebe9;color:#a40e26}.impact.medium{background:#fff8c5;color:#7d4e00}
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
    const QJsonArray recommendations = r.value(key("recommendations")).toArray();
    if (!recommendations.isEmpty()) {
        out += QStringLiteral("\n### Recommendations\n\n");
        for (const QJsonValue &value : recommendations) {
            const QJsonObject rec = value.toObject();
            out += QStringLiteral("- **") + md(rec.value(key("impact")).toString()) +
                   QStringLiteral("** ") + md(rec.value(key("title")).toString()) +
                   QStringLiteral(": ") + md(rec.value(key("detail")).toString()) +
                   QLatin1Char('\n');
        }
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
        QStringLiteral("<h2>Timeline</h2>\n") + timelineCharts(r.value(key("timeline")).toArray());
    out += QStringLiteral("<h2>Recommendations</h2>\n") +
           recommendationsHtml(r.value(key("recommendations")).toArray());
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
