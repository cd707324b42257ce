#include "livecharts.h"

#include <algorithm>
#include <cmath>

#include <QGridLayout>
#include <QJsonObject>
#include <QLabel>
#include <QMenu>
#include <QResizeEvent>
#include <QToolTip>
#include <QVBoxLayout>

#include "analysis/decimate.h"
#include "common/eventmarkers.h"
#include "design/formwidgets.h"
#include "plot/chartexport.h"
#include "plot/plotstyle.h"

namespace loadscope {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

QCPGraph *graph(QCustomPlot *plot, const QString &name, const QColor &color,
                QCPAxis *valueAxis = nullptr, Qt::PenStyle style = Qt::SolidLine, qreal width = 2)
{
    QCPGraph *g = plot->addGraph(plot->xAxis, valueAxis ? valueAxis : plot->yAxis);
    g->setName(name);
    g->setPen(QPen(color, width, style));
    return g;
}

//! Wraps @p plot's legend (a row above the chart, placeLegendOnTop()) into as many columns as
//! the chart is wide enough for, so that a narrow chart shows every entry on more rows instead
//! of cutting the last ones off. True when the wrap changed (the layout needs a replot).
bool fitLegend(QCustomPlot *plot)
{
    QCPLegend *legend = plot->legend;
    QVector<int> widths;
    for (int i = 0; i < legend->itemCount(); ++i) {
        // A wrapped grid has empty cells after its last entry.
        if (const QCPAbstractLegendItem *item = legend->item(i))
            widths.append(item->minimumOuterSizeHint().width());
    }
    const int count = int(widths.size());
    if (count == 0)
        return false;
    const QMargins margins = plot->plotLayout()->margins() + legend->margins();
    const int available = plot->width() - margins.left() - margins.right();
    int columns = count;
    for (; columns > 1; --columns) {
        // The grid's columns line up across rows: each is as wide as its widest entry.
        int total = legend->columnSpacing() * (columns - 1);
        for (int c = 0; c < columns; ++c) {
            int widest = 0;
            for (int i = c; i < count; i += columns)
                widest = std::max(widest, widths.at(i));
            total += widest;
        }
        if (total <= available)
            break;
    }
    if (legend->wrap() == columns && legend->columnCount() <= columns &&
        legend->rowCount() == (count + columns - 1) / columns)
        return false;
    legend->setWrap(columns);
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true);
    return true;
}

} // namespace

LiveCharts::LiveCharts(QWidget *parent)
    : QWidget(parent)
{
    m_grid = new QGridLayout(this);
    m_grid->setContentsMargins(0, 0, 0, 0);
    m_grid->setSpacing(8);
    for (int i = 0; i < ChartCount; ++i) {
        auto *frame = new QWidget(this);
        auto *layout = new QVBoxLayout(frame);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->setSpacing(2);
        layout->addWidget(sectionLabel(chartTitle(Chart(i)), frame));
        m_plots[size_t(i)] = createPlot(Chart(i));
        m_plots[size_t(i)]->setParent(frame);
        layout->addWidget(m_plots[size_t(i)], 1);
        m_frames[size_t(i)] = frame;
        m_follow[size_t(i)] = true;
    }
    reset(TestPlan());
}

QString LiveCharts::chartTitle(Chart chart)
{
    switch (chart) {
    case ThroughputChart:
        return tr("Throughput and errors");
    case LatencyChart:
        return tr("Latency percentiles");
    case VusChart:
        return tr("Active VUs against the plan");
    case ResourcesChart:
        return tr("CPU and memory");
    case ServerTimingChart:
        return tr("Server-Timing p95 per component");
    case ChartCount:
        break;
    }
    return {};
}

QCustomPlot *LiveCharts::createPlot(Chart chart)
{
    auto *plot = new QCustomPlot(this);
    plot->setMinimumHeight(130);
    plot->setMinimumWidth(220);
    plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot->setNoAntialiasingOnDrag(true);
    plot->setContextMenuPolicy(Qt::CustomContextMenu);
    const bool twoAxes = chart == ThroughputChart || chart == ResourcesChart || chart == VusChart;
    if (twoAxes)
        plot->yAxis2->setVisible(true);
    applyPlotStyle(plot);
    plot->xAxis->setLabel(tr("elapsed (s)"));
    // Zoom and drag the time axis only: values keep following the data.
    plot->axisRect()->setRangeDrag(Qt::Horizontal);
    plot->axisRect()->setRangeZoom(Qt::Horizontal);
    switch (chart) {
    case ThroughputChart:
        graph(plot, tr("requests/s"), seriesColor(0));
        graph(plot, tr("errors/s"), seriesColor(3), plot->yAxis2);
        plot->yAxis->setLabel(tr("requests/s"));
        plot->yAxis2->setLabel(tr("errors/s"));
        plot->graph(0)->setBrush(QColor(0x3a, 0x7b, 0xe0, 30));
        m_ghosts[GhostThroughput] =
            graph(plot, tr("baseline requests/s"), seriesColor(0), nullptr, Qt::DashLine, 1.2);
        m_ghosts[GhostErrors] =
            graph(plot, tr("baseline errors/s"), seriesColor(3), plot->yAxis2, Qt::DashLine, 1.2);
        break;
    case LatencyChart:
        graph(plot, tr("p50"), seriesColor(2));
        graph(plot, tr("p90"), seriesColor(5));
        graph(plot, tr("p95"), seriesColor(0));
        graph(plot, tr("p99"), seriesColor(1));
        graph(plot, tr("max"), neutralSeriesColor(palette()), nullptr, Qt::SolidLine, 1);
        graph(plot, tr("p99 corrected"), seriesColor(3), nullptr, Qt::DashLine);
        m_ghosts[GhostP95] =
            graph(plot, tr("baseline p95"), seriesColor(0), nullptr, Qt::DashLine, 1.2);
        plot->yAxis->setLabel(tr("ms"));
        break;
    case VusChart:
        graph(plot, tr("active VUs"), seriesColor(4));
        graph(plot, tr("planned"), neutralSeriesColor(palette()), nullptr, Qt::DashLine, 1.5);
        plot->graph(0)->setBrush(QColor(0x8e, 0x44, 0xad, 30));
        plot->yAxis->setLabel(tr("VUs"));
        break;
    case ResourcesChart:
        graph(plot, tr("machine CPU %"), seriesColor(0));
        graph(plot, tr("generator CPU %"), seriesColor(1));
        graph(plot, tr("target CPU %"), seriesColor(2));
        graph(plot, tr("generator RSS MiB"), seriesColor(1), plot->yAxis2, Qt::DotLine);
        graph(plot, tr("target RSS MiB"), seriesColor(2), plot->yAxis2, Qt::DotLine);
        plot->yAxis->setLabel(tr("CPU %"));
        plot->yAxis2->setLabel(tr("MiB"));
        break;
    case ServerTimingChart:
        plot->yAxis->setLabel(tr("ms"));
        break;
    case ChartCount:
        break;
    }
    placeLegendOnTop(plot);
    for (QCPGraph *ghost : m_ghosts) {
        if (ghost && ghost->parentPlot() == plot) {
            ghost->setVisible(false);
            ghost->removeFromLegend();
        }
    }
    plot->installEventFilter(this); // marker tooltips, legend wrap and decimation on resize
    // Zoomed in or out: as many buckets as the shown span has pixel columns (render() does it
    // itself after following the data).
    connect(plot->xAxis, qOverload<const QCPRange &>(&QCPAxis::rangeChanged), this, [this, chart] {
        if (!m_rendering && isChartShown(chart) && decimate(chart) > 0)
            this->plot(chart)->replot(QCustomPlot::rpQueuedReplot);
    });
    connect(plot, &QCustomPlot::mousePress, this,
            [this, chart] { m_follow[size_t(chart)] = false; });
    connect(plot, &QCustomPlot::mouseWheel, this,
            [this, chart] { m_follow[size_t(chart)] = false; });
    connect(plot, &QCustomPlot::mouseDoubleClick, this, [this, chart] {
        m_follow[size_t(chart)] = true;
        rescale(chart);
        this->plot(chart)->replot(QCustomPlot::rpQueuedReplot);
    });
    connect(plot, &QWidget::customContextMenuRequested, this,
            [this, chart](const QPoint &pos) { showContextMenu(chart, pos); });
    return plot;
}

void LiveCharts::reset(const TestPlan &plan)
{
    for (QCustomPlot *plot : m_plots) {
        for (int i = 0; i < plot->graphCount(); ++i) {
            if (std::find(m_ghosts.cbegin(), m_ghosts.cend(), plot->graph(i)) == m_ghosts.cend())
                clearSeries(plot->graph(i));
        }
    }
    m_events.clear();
    drawMarkers();
    QCustomPlot *st = plot(ServerTimingChart);
    for (QCPGraph *g : std::as_const(m_serverTiming)) {
        m_raw.remove(g);
        st->removeGraph(g);
    }
    m_serverTiming.clear();
    m_follow.fill(true);
    m_samples = 0;
    m_lastT = 0;
    m_hasResources = false;
    m_openModel = isOpenModel(plan.load.executor);
    m_plannedSec = double(plan.load.totalDurationMs()) / 1000.0;

    // The planned shape, drawn whole from the start so that the run visibly fills it.
    QCustomPlot *vus = plot(VusChart);
    QCPGraph *planned = vus->graph(1);
    planned->setValueAxis(m_openModel ? vus->yAxis2 : vus->yAxis);
    planned->setName(m_openModel ? tr("planned iterations/s") : tr("planned VUs"));
    vus->yAxis2->setLabel(m_openModel ? tr("iterations/s") : QString());
    const double unit = double(std::max<qint64>(1, plan.load.timeUnitMs)) / 1000.0;
    const qint64 total = plan.load.totalDurationMs();
    constexpr int kSteps = 200;
    for (int i = 0; i <= kSteps && total > 0; ++i) {
        const qint64 ms = total * i / kSteps;
        const double target = plan.load.targetAt(std::min(ms, total - 1));
        add(planned, double(ms) / 1000.0, m_openModel ? target / unit : target);
    }
    QCPGraph *corrected = plot(LatencyChart)->graph(5);
    corrected->setVisible(m_openModel);
    corrected->removeFromLegend();
    if (m_openModel)
        corrected->addToLegend();
    // The right axis carries the planned arrival rate of open models only.
    vus->yAxis2->setVisible(m_openModel);
    relayout();
    m_dirty = true;
    render();
}

QCPGraph *LiveCharts::serverTimingGraph(const QString &name)
{
    auto it = m_serverTiming.find(name);
    if (it != m_serverTiming.end())
        return it.value();
    QCustomPlot *st = plot(ServerTimingChart);
    QCPGraph *g = st->addGraph();
    g->setName(name);
    g->setPen(QPen(seriesColor(int(m_serverTiming.size())), 2));
    m_serverTiming.insert(name, g);
    return g;
}

void LiveCharts::add(QCPGraph *g, double key, double value)
{
    // The whole series is kept here; the graph holds it too until it has more points than the
    // chart has pixel columns, and then its min/max per column (decimate()).
    RawSeries &raw = m_raw[g];
    raw.keys.append(key);
    raw.values.append(value);
    g->data()->add(QCPGraphData(key, value));
}

void LiveCharts::clearSeries(QCPGraph *g)
{
    m_raw.remove(g);
    g->data()->clear();
}

int LiveCharts::decimate(Chart chart)
{
    QCustomPlot *p = plot(chart);
    // The widget's width, not the axis rect's: on a resize the rect is laid out after this.
    const int width = std::max(1, p->width());
    const double visible = p->xAxis->range().size();
    int most = 0;
    for (int i = 0; i < p->graphCount(); ++i) {
        QCPGraph *g = p->graph(i);
        const auto it = m_raw.find(g);
        if (it == m_raw.end() || it->keys.isEmpty())
            continue;
        RawSeries &raw = it.value();
        // One bucket per pixel column of what is shown: zoomed in, the buckets get narrower
        // (and past one point per column the raw points are drawn).
        const double span = raw.keys.constLast() - raw.keys.constFirst();
        const double columns =
            visible > 0 && span > visible ? std::ceil(double(width) * span / visible) : width;
        if (double(raw.keys.size()) > 2 * columns) {
            const DecimatedSeries shown = decimateMinMax(raw.keys, raw.values, int(columns));
            g->setData(shown.keys, shown.values, true);
            raw.decimated = true;
        } else if (raw.decimated) {
            g->setData(raw.keys, raw.values, true);
            raw.decimated = false;
        }
        most = std::max(most, g->dataCount());
    }
    return most;
}

void LiveCharts::append(const QList<IntervalSample> &samples)
{
    if (samples.isEmpty())
        return;
    const bool hadResources = m_hasResources;
    const bool hadServerTiming = !m_serverTiming.isEmpty();
    QCustomPlot *tp = plot(ThroughputChart);
    QCustomPlot *lat = plot(LatencyChart);
    QCustomPlot *vus = plot(VusChart);
    QCustomPlot *res = plot(ResourcesChart);
    for (const IntervalSample &s : samples) {
        const double t = s.tSec;
        const double seconds = s.intervalSec > 0 ? s.intervalSec : 1.0;
        add(tp->graph(0), t, s.throughputRps());
        add(tp->graph(1), t, double(s.overall.totals.errors) / seconds);
        // An interval without a completed request has no latency: leave a gap, not a zero.
        const LatencyStats &l = s.overall.latency;
        const double nan = qQNaN();
        const bool any = s.overall.totals.requests > 0;
        add(lat->graph(0), t, any ? l.p50Ms : nan);
        add(lat->graph(1), t, any ? l.p90Ms : nan);
        add(lat->graph(2), t, any ? l.p95Ms : nan);
        add(lat->graph(3), t, any ? l.p99Ms : nan);
        add(lat->graph(4), t, any ? l.maxMs : nan);
        if (m_openModel)
            add(lat->graph(5), t, any ? s.overall.latencyCorrected.p99Ms : nan);
        add(vus->graph(0), t, s.activeVus);
        if (!s.resources.isEmpty()) {
            m_hasResources = true;
            const QJsonObject generator = s.resources.value(QLatin1String("generator")).toObject();
            const QJsonObject target = s.resources.value(QLatin1String("target")).toObject();
            add(res->graph(0), t, s.resources.value(QLatin1String("machineCpuPct")).toDouble());
            if (generator.value(QLatin1String("valid")).toBool(true)) {
                add(res->graph(1), t, generator.value(QLatin1String("cpuPct")).toDouble());
                add(res->graph(3), t, generator.value(QLatin1String("rssBytes")).toDouble() / kMiB);
            }
            if (target.value(QLatin1String("valid")).toBool()) {
                add(res->graph(2), t, target.value(QLatin1String("cpuPct")).toDouble());
                add(res->graph(4), t, target.value(QLatin1String("rssBytes")).toDouble() / kMiB);
            }
        }
        for (auto it = s.serverTiming.cbegin(); it != s.serverTiming.cend(); ++it)
            add(serverTimingGraph(it.key()), t,
                it.value().count > 0 || it.value().p95Ms > 0 ? it.value().p95Ms : nan);
        m_lastT = std::max(m_lastT, t);
        ++m_samples;
    }
    if (hadResources != m_hasResources || hadServerTiming != !m_serverTiming.isEmpty())
        relayout();
    m_dirty = true;
    render();
}

void LiveCharts::showTimeline(const TestPlan &plan, const RunSummary &summary)
{
    setBaseline({}, QString());
    reset(plan);
    append(summary.timeline);
    setEvents(runEvents(&plan, summary));
}

void LiveCharts::setBaseline(const QList<IntervalSample> &timeline, const QString &label)
{
    for (QCPGraph *ghost : m_ghosts) {
        clearSeries(ghost);
        ghost->setVisible(!timeline.isEmpty());
        ghost->removeFromLegend();
        if (!timeline.isEmpty())
            ghost->addToLegend();
    }
    const QString prefix = label.isEmpty() ? tr("baseline") : label;
    m_ghosts[GhostThroughput]->setName(prefix + tr(" requests/s"));
    m_ghosts[GhostErrors]->setName(prefix + tr(" errors/s"));
    m_ghosts[GhostP95]->setName(prefix + tr(" p95"));
    for (const IntervalSample &s : timeline) {
        const double seconds = s.intervalSec > 0 ? s.intervalSec : 1.0;
        add(m_ghosts[GhostThroughput], s.tSec, s.throughputRps());
        add(m_ghosts[GhostErrors], s.tSec, double(s.overall.totals.errors) / seconds);
        add(m_ghosts[GhostP95], s.tSec,
            s.overall.totals.requests > 0 ? s.overall.latency.p95Ms : qQNaN());
    }
    scheduleRender();
}

void LiveCharts::scheduleRender()
{
    // Queued: the batch being drained usually replots anyway, and one replot covers both.
    m_dirty = true;
    QMetaObject::invokeMethod(this, &LiveCharts::render, Qt::QueuedConnection);
}

QColor LiveCharts::eventColor(TimelineEvent::Kind kind)
{
    return timelineEventColor(kind);
}

void LiveCharts::setEvents(const QList<TimelineEvent> &events)
{
    if (events == m_events)
        return;
    m_events = events;
    drawMarkers();
    scheduleRender();
}

void LiveCharts::drawMarkers()
{
    for (QCPAbstractItem *item : std::as_const(m_markerItems))
        item->parentPlot()->removeItem(item);
    m_markerItems.clear();
    for (QCustomPlot *plot : m_plots) {
        for (const TimelineEvent &e : std::as_const(m_events))
            m_markerItems.append(addEventMarker(plot, e.tSec, e.kind));
    }
}

QString LiveCharts::markerToolTip(Chart chart, double x) const
{
    QList<double> keys;
    for (const TimelineEvent &e : m_events)
        keys.append(e.tSec);
    return eventsToolTip(plot(chart), m_events, keys, x,
                         [this](int i) { return tr("%1 s").arg(m_events.at(i).tSec, 0, 'f', 0); });
}

bool LiveCharts::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::Resize) {
        for (int i = 0; i < ChartCount; ++i) {
            QCustomPlot *p = m_plots[size_t(i)];
            if (watched != p || !isChartShown(Chart(i)))
                continue;
            // A narrower chart wraps its legend, and has fewer pixel columns to decimate to.
            const bool wrapped = fitLegend(p);
            if (decimate(Chart(i)) > 0 || wrapped)
                p->replot(QCustomPlot::rpQueuedReplot);
        }
    }
    if (event->type() == QEvent::ToolTip) {
        for (int i = 0; i < ChartCount; ++i) {
            if (watched != m_plots[size_t(i)])
                continue;
            const auto *help = static_cast<QHelpEvent *>(event);
            const QString text = markerToolTip(Chart(i), help->pos().x());
            if (text.isEmpty())
                QToolTip::hideText();
            else
                QToolTip::showText(help->globalPos(), text, m_plots[size_t(i)]);
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

bool LiveCharts::isChartShown(Chart chart) const
{
    switch (chart) {
    case ResourcesChart:
        return m_hasResources;
    case ServerTimingChart:
        return !m_serverTiming.isEmpty();
    default:
        return true;
    }
}

void LiveCharts::relayout()
{
    for (QWidget *frame : m_frames)
        m_grid->removeWidget(frame);
    int slot = 0;
    for (int i = 0; i < ChartCount; ++i) {
        QWidget *frame = m_frames[size_t(i)];
        const bool shown = isChartShown(Chart(i));
        frame->setVisible(shown);
        if (!shown)
            continue;
        m_grid->addWidget(frame, slot / m_columns, slot % m_columns);
        ++slot;
    }
    for (int row = 0; row < ChartCount; ++row)
        m_grid->setRowStretch(row, row <= (slot - 1) / m_columns ? 1 : 0);
    m_grid->setColumnStretch(0, 1);
    m_grid->setColumnStretch(1, m_columns > 1 ? 1 : 0);
    // A lone chart in the last row spans both columns rather than leave a hole.
    if (m_columns == 2 && slot % 2 == 1) {
        for (int i = ChartCount - 1; i >= 0; --i) {
            if (isChartShown(Chart(i))) {
                m_grid->removeWidget(m_frames[size_t(i)]);
                m_grid->addWidget(m_frames[size_t(i)], (slot - 1) / 2, 0, 1, 2);
                break;
            }
        }
    }
}

void LiveCharts::rescale(Chart chart)
{
    QCustomPlot *p = plot(chart);
    const double upper = std::max({m_plannedSec, m_lastT, 1.0});
    p->xAxis->setRange(0, upper);
    for (QCPAxis *axis : {p->yAxis, p->yAxis2}) {
        bool found = false;
        QCPRange range;
        for (QCPGraph *g : axis->graphs()) {
            if (!g->visible())
                continue;
            bool ok = false;
            const QCPRange r = g->getValueRange(ok);
            if (!ok)
                continue;
            range = found ? QCPRange(std::min(range.lower, r.lower), std::max(range.upper, r.upper))
                          : r;
            found = true;
        }
        const double top = found ? range.upper : 0;
        axis->setRange(0, top > 0 ? top * 1.12 : 1.0);
    }
}

void LiveCharts::render()
{
    // Hidden charts only collect data; showEvent() draws them once when they appear.
    if (!m_dirty || !isVisible())
        return;
    m_rendering = true;
    for (int i = 0; i < ChartCount; ++i) {
        if (!isChartShown(Chart(i)))
            continue;
        if (m_follow[size_t(i)])
            rescale(Chart(i));
        decimate(Chart(i));
        fitLegend(m_plots[size_t(i)]);
        m_plots[size_t(i)]->replot(QCustomPlot::rpQueuedReplot);
    }
    m_rendering = false;
    ++m_replots;
    m_dirty = false;
}

void LiveCharts::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    // Two charts side by side need about 2×340 px; a margin between the two thresholds keeps a
    // scroll bar's width from flipping the grid back and forth.
    const int w = width();
    const int columns = w < 680 ? 1 : w >= 720 ? 2 : m_columns;
    if (columns != m_columns) {
        m_columns = columns;
        relayout();
    }
}

void LiveCharts::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    render();
}

bool LiveCharts::saveChart(Chart chart, const QString &path, QString *error)
{
    QCustomPlot *p = plot(chart);
    if (m_follow[size_t(chart)])
        rescale(chart);
    return savePlot(p, path, error);
}

void LiveCharts::showContextMenu(Chart chart, const QPoint &pos)
{
    QMenu menu(this);
    menu.addAction(tr("Reset view"), this, [this, chart] {
        m_follow[size_t(chart)] = true;
        rescale(chart);
        plot(chart)->replot(QCustomPlot::rpQueuedReplot);
    });
    menu.addSeparator();
    addSaveAsActions(&menu, this, [this, chart](const QString &path, QString *error) {
        return saveChart(chart, path, error);
    });
    menu.exec(plot(chart)->mapToGlobal(pos));
}

} // namespace loadscope
