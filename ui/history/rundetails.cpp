#include "rundetails.h"

#include <algorithm>
#include <cmath>

#include <QFontMetrics>
#include <QFrame>
#include <QGridLayout>
#include <QHelpEvent>
#include <QJsonArray>
#include <QLabel>
#include <QToolTip>
#include <QVBoxLayout>

#include "common/agentspanel.h"
#include "common/eventmarkers.h"
#include "design/formwidgets.h"
#include "history/resultstablemodel.h"
#include "history/runlooppanel.h"
#include "metrics/durationformat.h"
#include "plot/chartexport.h"
#include "plot/plotstyle.h"
#include "session/changelog.h"
#include "store/historystore.h"

namespace loadscope {

namespace {

QString figure(double value, int decimals, const QString &unit)
{
    return std::isnan(value) ? QStringLiteral("–")
                             : QString::number(value, 'f', decimals) + u' ' + unit;
}

//! A time in ms through the one formatter ("0 µs", "1.23 ms"), "–" when absent.
QString time(double ms)
{
    return std::isnan(ms) ? QStringLiteral("–") : formatDurationMs(ms);
}

} // namespace

RunDetails::RunDetails(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_title = new QLabel(this);
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.3);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_subtitle = hintLabel(QString(), this);
    layout->addWidget(m_title);
    layout->addWidget(m_subtitle);

    m_content = new QWidget(this);
    auto *content = new QVBoxLayout(m_content);
    content->setContentsMargins(0, 4, 0, 0);
    m_figures = new QGridLayout;
    m_figures->setSpacing(6);
    const QList<QPair<QString, QString>> figures = {
        {QStringLiteral("rps"), tr("Throughput")},    {QStringLiteral("p50"), tr("p50")},
        {QStringLiteral("p95"), tr("p95")},           {QStringLiteral("p99"), tr("p99")},
        {QStringLiteral("requests"), tr("Requests")}, {QStringLiteral("errors"), tr("Error rate")},
        {QStringLiteral("duration"), tr("Duration")}, {QStringLiteral("max"), tr("Max")}};
    for (int i = 0; i < figures.size(); ++i) {
        QLabel *value = nullptr;
        m_tiles.append(kpiTile(figures.at(i).second, &value, m_content));
        m_figures->addWidget(m_tiles.constLast(), i / m_tileColumns, i % m_tileColumns);
        m_figureLabels.append({figures.at(i).first, value});
    }
    content->addLayout(m_figures);
    m_agents = new AgentsPanel(m_content);
    content->addWidget(m_agents);
    m_budgets = hintLabel(QString(), m_content);
    m_budgets->setObjectName(QStringLiteral("budgets"));
    m_budgets->setTextFormat(Qt::PlainText);
    content->addWidget(m_budgets);

    content->addWidget(sectionLabel(tr("Throughput and p95 over the run"), m_content));
    m_runPlot = new QCustomPlot(m_content);
    m_runPlot->setMinimumHeight(200);
    applyPlotStyle(m_runPlot);
    m_runPlot->yAxis2->setVisible(true);
    applyPlotStyle(m_runPlot); // again, now that the right axis exists
    addStyledGraph(m_runPlot, 0)->setName(tr("requests/s"));
    addStyledGraph(m_runPlot, 1, m_runPlot->yAxis2)->setName(tr("p95 ms"));
    m_runPlot->xAxis->setLabel(tr("time (s)"));
    m_runPlot->yAxis->setLabel(tr("requests/s"));
    m_runPlot->yAxis2->setLabel(tr("p95 ms"));
    // The legend sits in a row of its own above the chart so that it never hides data.
    placeLegendOnTop(m_runPlot);
    content->addWidget(m_runPlot, 3);

    content->addWidget(sectionLabel(tr("p95 of this test across runs"), m_content));
    m_trendPlot = new QCustomPlot(m_content);
    m_trendPlot->setMinimumHeight(140);
    applyPlotStyle(m_trendPlot);
    QCPGraph *trend = addStyledGraph(m_trendPlot, 0, nullptr, true);
    trend->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssCircle, seriesColor(0), Qt::white, 6));
    QCPGraph *selected = addStyledGraph(m_trendPlot, 3);
    selected->setLineStyle(QCPGraph::lsNone);
    selected->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssDisc, seriesColor(3), seriesColor(3), 9));
    m_trendPlot->yAxis->setLabel(tr("p95 ms"));
    content->addWidget(m_trendPlot, 2);
    // A change marker's note shows when the pointer is near it, as on the run's own charts.
    m_trendPlot->installEventFilter(this);
    connect(m_trendPlot, &QCustomPlot::afterLayout, this, &RunDetails::placeTrendLabels);
    m_loop = new RunLoopPanel(m_content);
    content->addWidget(m_loop);
    // A note or a recommendation state changed: the markers follow.
    connect(m_loop, &RunLoopPanel::changed, this,
            [this] { drawTrendMarks(m_trendRecord, m_trendRuns); });
    installSaveAsMenu(m_runPlot);
    installSaveAsMenu(m_trendPlot);
    layout->addWidget(m_content, 1);
    layout->addStretch(); // keeps the title at the top while there is no content
    showMessage(tr("Select a run to see its figures."));
}

void RunDetails::setStore(HistoryStore *store)
{
    m_store = store;
    m_loop->setStore(store);
}

void RunDetails::setFigure(const QString &key, const QString &text)
{
    for (const auto &[name, label] : std::as_const(m_figureLabels)) {
        if (name == key)
            label->setText(text);
    }
}

QString RunDetails::figureText(const QString &key) const
{
    for (const auto &[name, label] : m_figureLabels) {
        if (name == key)
            return label->text();
    }
    return {};
}

QString RunDetails::budgetText() const
{
    return m_budgets->text();
}

void RunDetails::showMessage(const QString &message)
{
    m_title->setText(tr("No run selected"));
    m_subtitle->setText(message);
    m_content->setVisible(false);
}

void RunDetails::showRun(const ResultRecord &record, const QList<ResultSample> &samples,
                         const QList<ResultRecord> &testRuns)
{
    m_content->setVisible(true);
    m_title->setText(tr("Run #%1 — %2").arg(record.id).arg(record.testName));
    QStringList subtitle = {
        record.testType, resultStatusToString(record.status),
        record.startedAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"))};
    if (!record.versionLabel.isEmpty())
        subtitle.append(record.versionLabel);
    if (!record.errorDetails.isEmpty())
        subtitle.append(record.errorDetails);
    m_subtitle->setText(subtitle.join(QStringLiteral("  ·  ")));

    const auto value = [&record](const char *group, const char *key) {
        return ResultsTableModel::summaryValue(record, group, key);
    };
    const double throughput = value("totals", "throughputRps");
    // Thousands need no decimal, and it keeps the tile from clipping.
    setFigure(QStringLiteral("rps"), figure(throughput, throughput >= 1000 ? 0 : 1, tr("req/s")));
    setFigure(QStringLiteral("p50"), time(value("latencyMs", "p50")));
    setFigure(QStringLiteral("p95"), time(value("latencyMs", "p95")));
    setFigure(QStringLiteral("p99"), time(value("latencyMs", "p99")));
    setFigure(QStringLiteral("max"), time(value("latencyMs", "max")));
    setFigure(QStringLiteral("requests"),
              figure(value("totals", "requests"), 0, QString()).trimmed());
    setFigure(QStringLiteral("errors"), figure(value("totals", "errorRate") * 100.0, 2, tr("%")));
    setFigure(QStringLiteral("duration"),
              figure(ResultsTableModel::durationSec(record), 1, tr("s")));

    QVector<double> t, rps, p95;
    for (const ResultSample &sample : samples) {
        t.append(sample.tSec);
        rps.append(sample.rps);
        p95.append(sample.p95Ms);
    }
    m_runPlot->graph(0)->setData(t, rps, true);
    m_runPlot->graph(1)->setData(t, p95, true);
    m_runPlot->rescaleAxes();
    m_runPlot->yAxis->setRangeLower(0);
    m_runPlot->yAxis2->setRangeLower(0);
    m_runPlot->replot(QCustomPlot::rpQueuedReplot);
    m_agents->setAgents(record.summary.value(QStringLiteral("agents")).toArray());
    showBudgets(record);
    showTrend(record, testRuns);
    m_loop->showRun(record.id, record.testId);
}

void RunDetails::showBudgets(const ResultRecord &record)
{
    // The run against its test's thresholds (its documented performance requirements).
    QStringList lines;
    QJsonArray thresholds = record.summary.value(QLatin1String("thresholds")).toArray();
    if (thresholds.isEmpty() && record.summary.isEmpty() && m_store && record.id > 0) {
        // The table's rows carry figures, not the summary: read the run's thresholds once.
        if (const auto full = m_store->result(record.id))
            thresholds = full->summary.value(QLatin1String("thresholds")).toArray();
    }
    for (const QJsonValue &value : std::as_const(thresholds)) {
        const QJsonObject t = value.toObject();
        const QString error = t.value(QLatin1String("error")).toString();
        lines.append(
            QStringLiteral("%1 %2: %3  (%4)")
                .arg(t.value(QLatin1String("passed")).toBool() ? QStringLiteral("✓")
                                                               : QStringLiteral("✗"),
                     t.value(QLatin1String("metric")).toString(),
                     t.value(QLatin1String("expression")).toString(),
                     error.isEmpty()
                         ? QString::number(t.value(QLatin1String("value")).toDouble(), 'g', 4)
                         : error));
    }
    m_budgets->setText(lines.isEmpty() ? tr("No thresholds: this test has no budget yet.")
                                       : tr("Budgets:") + u'\n' + lines.join(u'\n'));
}

void RunDetails::showTrend(const ResultRecord &record, const QList<ResultRecord> &testRuns)
{
    QVector<double> keys, values, selectedKey, selectedValue;
    QList<ResultRecord> shown;
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (const ResultRecord &run : testRuns) {
        const double p95 = ResultsTableModel::summaryValue(run, "latencyMs", "p95");
        if (std::isnan(p95))
            continue;
        const double key = double(keys.size());
        keys.append(key);
        values.append(p95);
        shown.append(run);
        // Label points with the version label; a run without one shows its id.
        ticker->addTick(key, run.versionLabel.isEmpty() ? u'#' + QString::number(run.id)
                                                        : run.versionLabel);
        if (run.id == record.id) {
            selectedKey.append(key);
            selectedValue.append(p95);
        }
    }
    m_trendPlot->xAxis->setTicker(ticker);
    m_trendPlot->graph(0)->setData(keys, values, true);
    m_trendPlot->graph(1)->setData(selectedKey, selectedValue, true);
    m_trendPlot->xAxis->setRange(-0.5, std::max(0.5, double(keys.size()) - 0.5));
    m_trendPlot->graph(0)->rescaleValueAxis();
    m_trendPlot->yAxis->setRangeLower(0);
    m_trendPlot->yAxis->setRangeUpper(m_trendPlot->yAxis->range().upper * 1.15 + 1);
    drawTrendMarks(record, shown);
}

void RunDetails::drawTrendMarks(const ResultRecord &record, const QList<ResultRecord> &shownRuns)
{
    m_trendRecord = record;
    m_trendRuns = shownRuns;
    m_trendPlot->clearItems();
    m_markerEvents.clear();
    m_markerKeys.clear();
    m_markerPlaces.clear();
    m_markerLabels.clear();
    m_budgetLabel = nullptr;
    m_trendBudget = qQNaN();
    if (m_store && record.testId > 0) {
        const auto runLabel = [](const ResultRecord &run) {
            return run.versionLabel.isEmpty() ? u'#' + QString::number(run.id) : run.versionLabel;
        };
        const QList<Annotation> notes = m_store->annotations(record.testId);
        for (const Annotation &note : notes) {
            // At the run it was made on; a change between runs sits before the first run after.
            double key = -1;
            QString place;
            for (int i = 0; i < shownRuns.size() && key < 0; ++i) {
                const ResultRecord &run = shownRuns.at(i);
                if (note.resultId > 0 ? run.id == note.resultId : run.startedAt >= note.at) {
                    key = note.resultId > 0 ? i : i - 0.5;
                    place = note.resultId > 0 ? runLabel(run) : tr("before %1").arg(runLabel(run));
                }
            }
            if (key < 0)
                continue;
            // The same event as the note's marker on the run's own charts, with its tooltip.
            QString detail = note.author;
            if (!note.link.isEmpty())
                detail = detail.isEmpty() ? note.link : detail + QStringLiteral(" · ") + note.link;
            const TimelineEvent event{TimelineEvent::Annotation, 0, note.note, detail};
            addEventMarker(m_trendPlot, key, event.kind);
            auto *label = new QCPItemText(m_trendPlot);
            label->position->setType(QCPItemPosition::ptAbsolute);
            label->setColor(timelineEventColor(event.kind));
            label->setText(note.note.size() > 24 ? note.note.left(23) + u'…' : note.note);
            label->setFont(m_trendPlot->xAxis->tickLabelFont());
            m_markerEvents.append(event);
            m_markerKeys.append(key);
            m_markerPlaces.append(place);
            m_markerLabels.append(label);
        }
        // The budget line, as `history trend --metric=p95` prints it.
        const auto test = m_store->test(record.testId);
        const auto budget = budgetFor(test ? test->plan : record.plan, QStringLiteral("p95"));
        if (budget) {
            m_trendBudget = budget->limit;
            auto *line = new QCPItemStraightLine(m_trendPlot);
            line->setPen(QPen(seriesColor(3), 1.5, Qt::DotLine));
            line->point1->setCoords(0, budget->limit);
            line->point2->setCoords(1, budget->limit);
            m_budgetLabel = new QCPItemText(m_trendPlot);
            m_budgetLabel->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
            m_budgetLabel->position->setCoords(0.99, budget->limit);
            m_budgetLabel->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
            m_budgetLabel->setColor(seriesColor(3));
            m_budgetLabel->setFont(m_trendPlot->xAxis->tickLabelFont());
            m_budgetLabel->setText(tr("budget %1").arg(budget->expression));
            m_trendPlot->yAxis->setRangeUpper(
                std::max(m_trendPlot->yAxis->range().upper, budget->limit * 1.15));
        }
    }
    m_trendPlot->replot(QCustomPlot::rpQueuedReplot);
}

void RunDetails::placeTrendLabels()
{
    // In pixels, after every layout (a resize moves the markers): each note's label goes
    // beside its marker in the first row from the top where it meets neither the budget's label
    // nor an earlier note's; right of the marker unless that runs out of the chart.
    const QRect area = m_trendPlot->axisRect()->rect();
    QList<QRectF> taken;
    if (m_budgetLabel) {
        const QFontMetrics metrics(m_budgetLabel->font());
        const QSizeF size =
            metrics.size(0, m_budgetLabel->text()) +
            QSizeF(m_budgetLabel->padding().left() + m_budgetLabel->padding().right(),
                   m_budgetLabel->padding().top() + m_budgetLabel->padding().bottom());
        const QPointF anchor = m_budgetLabel->position->pixelPosition();
        taken.append(
            QRectF(anchor - QPointF(size.width(), size.height()), size).adjusted(-4, -2, 4, 2));
    }
    for (int i = 0; i < m_markerLabels.size(); ++i) {
        QCPItemText *label = m_markerLabels.at(i);
        const QFontMetrics metrics(label->font());
        const QSizeF size = metrics.size(0, label->text()) + QSizeF(2, 0);
        const double x = m_trendPlot->xAxis->coordToPixel(m_markerKeys.at(i));
        const bool right = x + 3 + size.width() <= area.right();
        const double left = right ? x + 3 : x - 3 - size.width();
        const double rowHeight = size.height() + 2;
        const int rows = std::max(1, int((area.height() - 4) / rowHeight));
        int row = 0;
        QRectF rect;
        for (; row < rows; ++row) {
            rect = QRectF(QPointF(left, area.top() + 2 + row * rowHeight), size);
            const bool free = std::none_of(taken.cbegin(), taken.cend(),
                                           [&rect](const QRectF &r) { return r.intersects(rect); });
            if (free)
                break;
        }
        if (row == rows) // no free row: the top one, over the others rather than off the chart
            rect.moveTop(area.top() + 2);
        taken.append(rect);
        label->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        label->position->setCoords(rect.left(), rect.top());
    }
}

QString RunDetails::trendMarkerToolTip(double x) const
{
    return eventsToolTip(m_trendPlot, m_markerEvents, m_markerKeys, x,
                         [this](int i) { return m_markerPlaces.value(i); });
}

void RunDetails::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    // Four tiles a row need about 4 × 110 px for "729.3 req/s"; a narrow pane (1024 px window)
    // puts two a row rather than cut the figures.
    const int columns = width() >= 460 ? 4 : 2;
    if (columns == m_tileColumns)
        return;
    m_tileColumns = columns;
    for (QWidget *tile : std::as_const(m_tiles))
        m_figures->removeWidget(tile);
    for (int i = 0; i < m_tiles.size(); ++i)
        m_figures->addWidget(m_tiles.at(i), i / columns, i % columns);
}

bool RunDetails::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_trendPlot && event->type() == QEvent::ToolTip) {
        const auto *help = static_cast<QHelpEvent *>(event);
        const QString text = trendMarkerToolTip(help->pos().x());
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), text, m_trendPlot);
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

QStringList RunDetails::trendMarkerNotes() const
{
    QStringList notes;
    for (const TimelineEvent &e : m_markerEvents)
        notes.append(e.title);
    return notes;
}

QList<QRectF> RunDetails::trendLabelRects() const
{
    QList<QRectF> rects;
    const auto rectOf = [](const QCPItemText *label) {
        return QRectF(label->topLeft->pixelPosition(), label->bottomRight->pixelPosition());
    };
    for (const QCPItemText *label : m_markerLabels)
        rects.append(rectOf(label));
    if (m_budgetLabel)
        rects.append(rectOf(m_budgetLabel));
    return rects;
}

} // namespace loadscope
