#include "runsummarypanel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLocale>
#include <QScrollArea>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

#include "common/agentspanel.h"
#include "compare/runanalysis.h"
#include "design/formwidgets.h"
#include "history/runlooppanel.h"

namespace loadscope {

namespace {

QString impactColor(const QString &impact)
{
    if (impact == QLatin1String("critical"))
        return QStringLiteral("#b71c1c");
    if (impact == QLatin1String("high"))
        return QStringLiteral("#e65100");
    if (impact == QLatin1String("medium"))
        return QStringLiteral("#f9a825");
    return QStringLiteral("#607d8b");
}

QString bytes(qint64 value)
{
    return QLocale().formattedDataSize(value, 1, QLocale::DataSizeTraditionalFormat);
}

} // namespace

QString recommendationsHtml(const QList<Recommendation> &recommendations)
{
    if (recommendations.isEmpty())
        return QObject::tr("<p style='color:#607d8b'>Nothing to recommend: no rule found a "
                           "problem in this run.</p>");
    QString html;
    for (const Recommendation &r : recommendations) {
        html += QStringLiteral("<p style='margin-bottom:10px'><span style='background:%1; "
                               "color:white'>&nbsp;%2&nbsp;</span> <span style='color:#607d8b'>%3"
                               "</span><br><b>%4</b><br>%5")
                    .arg(impactColor(r.impact), r.impact.toHtmlEscaped().toUpper(),
                         r.area.toHtmlEscaped(), r.title.toHtmlEscaped(), r.detail.toHtmlEscaped());
        if (!r.implementation.isEmpty())
            html += QStringLiteral("<br><i>%1</i>").arg(r.implementation.toHtmlEscaped());
        if (!r.estimatedImprovement.isEmpty())
            html += QObject::tr("<br><span style='color:#2e7d32'>Estimated: %1</span>")
                        .arg(r.estimatedImprovement.toHtmlEscaped());
        html += QStringLiteral("</p>");
    }
    return html;
}

RunSummaryPanel::RunSummaryPanel(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    // The figures scroll when the tab is shorter than they are (a small window).
    auto *leftContent = new QWidget(this);
    auto *left = new QVBoxLayout(leftContent);
    left->setContentsMargins(0, 0, 0, 0);
    m_verdict = new QLabel(this);
    m_verdict->setWordWrap(true);
    m_verdict->setTextFormat(Qt::RichText);
    left->addWidget(m_verdict);
    m_totals = new QLabel(this);
    m_totals->setTextFormat(Qt::RichText);
    m_totals->setTextInteractionFlags(Qt::TextSelectableByMouse);
    left->addWidget(m_totals);
    m_percentiles = new QTableWidget(0, 8, this);
    m_percentiles->setHorizontalHeaderLabels(
        {tr("min"), tr("avg"), tr("p50"), tr("p90"), tr("p95"), tr("p99"), tr("p99.9"), tr("max")});
    m_percentiles->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_percentiles->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_percentiles->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    left->addWidget(m_percentiles);
    m_thresholds = new QLabel(this);
    m_thresholds->setTextFormat(Qt::RichText);
    m_thresholds->setWordWrap(true);
    left->addWidget(m_thresholds);
    m_agents = new AgentsPanel(this);
    left->addWidget(m_agents);
    m_loop = new RunLoopPanel(this);
    m_loop->setVisible(false);
    left->addWidget(m_loop);
    left->addStretch();
    layout->addWidget(scrollable(leftContent, this), 1);

    auto *right = new QVBoxLayout;
    right->addWidget(sectionLabel(tr("Recommendations"), this));
    m_recommendations = new QTextBrowser(this);
    m_recommendations->setOpenLinks(false);
    right->addWidget(m_recommendations, 1);
    layout->addLayout(right, 1);
}

void RunSummaryPanel::showLoop(HistoryStore *store, qint64 resultId, qint64 testId)
{
    m_loop->setStore(store);
    m_loop->setVisible(store && resultId > 0);
    m_loop->showRun(resultId, testId);
}

void RunSummaryPanel::showSummary(const RunSummary &summary,
                                  const QList<Recommendation> &recommendations,
                                  const QJsonObject &comparison)
{
    m_agents->setAgents(summary.extras.agents);
    // The verdict first: it is what a person looks for after a run.
    m_verdictName = comparison.value(QLatin1String("verdict")).toString();
    if (m_verdictName.isEmpty()) {
        m_verdict->setText(tr("<span style='color:#607d8b'>No baseline: this is the first "
                              "finished run of this test (or it is not in the history).</span>"));
    } else {
        const QString baseline = comparison.value(QLatin1String("baseline"))
                                     .toObject()
                                     .value(QLatin1String("label"))
                                     .toString();
        QStringList changes;
        const QJsonArray candidates = comparison.value(QLatin1String("candidates")).toArray();
        const QJsonArray metrics =
            candidates.isEmpty()
                ? QJsonArray()
                : candidates.first().toObject().value(QLatin1String("metrics")).toArray();
        for (const QJsonValue &value : metrics) {
            const QJsonObject m = value.toObject();
            const QString v = m.value(QLatin1String("verdict")).toString();
            if (!m.value(QLatin1String("key")).toBool() ||
                (v != verdictName(MetricDelta::Regression) &&
                 v != verdictName(MetricDelta::Improvement)))
                continue;
            const double rel = m.value(QLatin1String("relDeltaPct")).toDouble();
            changes.append(QStringLiteral("%1 %2%3%")
                               .arg(m.value(QLatin1String("metric")).toString(),
                                    rel >= 0 ? QStringLiteral("+") : QString(),
                                    QString::number(rel, 'f', 1)));
        }
        m_verdict->setText(
            tr("<span style='font-size:large; color:%1'><b>%2</b></span> against baseline %3%4")
                .arg(verdictColor(m_verdictName).name(), m_verdictName.toHtmlEscaped(),
                     baseline.toHtmlEscaped(),
                     changes.isEmpty()
                         ? QString()
                         : QStringLiteral(": ") + changes.join(QStringLiteral(", "))));
    }

    const TrafficTotals &t = summary.totals;
    m_totals->setText(
        tr("<table cellspacing=6><tr><td><b>%1</b> requests</td><td><b>%2</b> errors "
           "(%3%)</td><td><b>%4</b> req/s</td><td><b>%5 s</b></td></tr>"
           "<tr><td>%6 in</td><td>%7 out</td><td>%8 dropped</td><td>status %9</td></tr></table>")
            .arg(t.requests)
            .arg(t.errors)
            .arg(100.0 * t.errorRate(), 0, 'f', 2)
            .arg(summary.throughputRps(), 0, 'f', 1)
            .arg(summary.durationSec, 0, 'f', 1)
            .arg(bytes(t.bytesIn), bytes(t.bytesOut))
            .arg(t.droppedIterations)
            .arg(resultStatusToString(summary.status)));

    QList<QPair<QString, LatencyStats>> rows = {
        {tr("latency ms"), LatencyStats::fromHistogram(summary.duration)}};
    if (summary.openModel)
        rows.append({tr("corrected ms"), LatencyStats::fromHistogram(summary.durationCorrected)});
    m_percentiles->setRowCount(int(rows.size()));
    for (int r = 0; r < rows.size(); ++r) {
        const LatencyStats &s = rows.at(r).second;
        m_percentiles->setVerticalHeaderItem(r, new QTableWidgetItem(rows.at(r).first));
        const double values[] = {s.minMs, s.meanMs, s.p50Ms,  s.p90Ms,
                                 s.p95Ms, s.p99Ms,  s.p999Ms, s.maxMs};
        for (int c = 0; c < 8; ++c) {
            auto *item = new QTableWidgetItem(QString::number(values[c], 'f', 2));
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_percentiles->setItem(r, c, item);
        }
    }
    // Exactly as tall as its rows: no empty band under one or two lines of figures.
    m_percentiles->resizeRowsToContents();
    int height =
        m_percentiles->horizontalHeader()->sizeHint().height() + 2 * m_percentiles->frameWidth();
    for (int r = 0; r < m_percentiles->rowCount(); ++r)
        height += m_percentiles->rowHeight(r);
    m_percentiles->setFixedHeight(height);

    QStringList thresholds;
    for (const ThresholdResult &r : summary.thresholds) {
        const QString color = r.passed ? QStringLiteral("#2e7d32") : QStringLiteral("#c62828");
        thresholds.append(QStringLiteral("<span style='color:%1'>&#9679;</span> %2 %3 — %4")
                              .arg(color, r.metric.toHtmlEscaped(), r.expression.toHtmlEscaped(),
                                   r.error.isEmpty() ? QString::number(r.value, 'f', 2)
                                                     : r.error.toHtmlEscaped()));
    }
    m_thresholds->setText(thresholds.isEmpty()
                              ? tr("<span style='color:#607d8b'>No thresholds in this plan.</span>")
                              : thresholds.join(QStringLiteral("<br>")));

    m_recommendationCount = int(recommendations.size());
    m_recommendations->setHtml(recommendationsHtml(recommendations));
}

} // namespace loadscope
