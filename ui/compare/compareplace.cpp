#include "compareplace.h"

#include <algorithm>
#include <cmath>

#include <QBarCategoryAxis>
#include <QBoxPlotSeries>
#include <QBoxSet>
#include <QChart>
#include <QChartView>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QHelpEvent>
#include <QJsonObject>
#include <QLabel>
#include <QScrollArea>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTextBrowser>
#include <QThread>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>

#include "analysis/decimate.h"
#include "compare/comparisontablemodel.h"
#include "compare/runanalysis.h"
#include "design/formwidgets.h"
#include "plot/chartexport.h"
#include "plot/plotstyle.h"
#include "run/livecharts.h"
#include "run/runsummarypanel.h"
#include "store/historystore.h"

namespace loadscope {

namespace {

QCustomPlot *makePlot(QWidget *parent, const QString &yLabel, const QString &xLabel)
{
    auto *plot = new QCustomPlot(parent);
    plot->setMinimumHeight(140);
    plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    applyPlotStyle(plot);
    plot->xAxis->setLabel(xLabel);
    plot->yAxis->setLabel(yLabel);
    placeLegendOnTop(plot);
    return plot;
}

QWidget *titled(const QString &title, QWidget *content, QWidget *parent)
{
    auto *box = new QWidget(parent);
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(sectionLabel(title, box));
    content->setParent(box);
    layout->addWidget(content, 1);
    return box;
}

//! Percentiles as the HDR plots show them: x = 1/(1-p), so 90%, 99%, 99.9% are evenly spaced.
double percentileKey(double percentile)
{
    return 1.0 / (1.0 - std::min(percentile, 99.9999) / 100.0);
}

} // namespace

ComparePlace::ComparePlace(HistoryStore *store, QWidget *parent)
    : QWidget(parent)
    , m_store(store)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    m_title = new QLabel(tr("Compare runs"), this);
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.3);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_verdict = new QLabel(this);
    m_verdict->setTextFormat(Qt::RichText);
    m_verdict->setWordWrap(true);
    layout->addWidget(m_title);
    layout->addWidget(m_verdict);
    m_empty = new QLabel(tr("<p>Select two or more runs in <b>History</b> and press "
                            "<b>Compare</b>. The oldest (or the pinned baseline) is the "
                            "baseline.</p>"),
                         this);
    m_empty->setAlignment(Qt::AlignCenter);
    layout->addWidget(m_empty, 1);

    m_content = new QWidget(this);
    auto *content = new QVBoxLayout(m_content);
    content->setContentsMargins(0, 0, 0, 0);
    auto *splitter = new QSplitter(Qt::Vertical, m_content);
    splitter->setObjectName(QStringLiteral("compareSplitter"));
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(createCharts());

    m_tabs = new QTabWidget(splitter);
    m_model = new ComparisonTableModel(this);
    auto *proxy = new QSortFilterProxyModel(this);
    proxy->setSourceModel(m_model);
    proxy->setSortRole(ComparisonTableModel::SortRole);
    m_view = new QTableView(m_tabs);
    m_view->setModel(proxy);
    m_view->setAlternatingRowColors(false);
    m_view->setSortingEnabled(false);
    m_view->verticalHeader()->setVisible(false);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    m_view->horizontalHeader()->setHighlightSections(false);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tabs->addTab(m_view, tr("Percentiles and deltas"));
    auto *scroll = new QScrollArea(m_tabs);
    scroll->setWidgetResizable(true);
    auto *columns = new QWidget(scroll);
    m_recommendationLayout = new QHBoxLayout(columns);
    scroll->setWidget(columns);
    m_tabs->addTab(scroll, tr("Recommendations side by side"));
    splitter->addWidget(m_tabs);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setSizes({480, 320});
    content->addWidget(splitter);
    layout->addWidget(m_content, 1);
    m_content->setVisible(false);
}

QWidget *ComparePlace::createCharts()
{
    auto *charts = new QWidget(this);
    auto *layout = new QHBoxLayout(charts);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(8);

    auto *series = new QWidget(charts);
    auto *seriesLayout = new QVBoxLayout(series);
    seriesLayout->setContentsMargins(0, 0, 0, 0);
    m_rpsPlot = makePlot(series, tr("requests/s"), QString());
    m_p95Plot = makePlot(series, tr("p95 ms"), tr("elapsed (s)"));
    m_p95Plot->legend->setVisible(false); // one legend for both: the runs are the same
    seriesLayout->addWidget(titled(tr("Throughput and p95 over elapsed time"), m_rpsPlot, series),
                            1);
    seriesLayout->addWidget(m_p95Plot, 1);
    layout->addWidget(series, 5);

    auto *chart = new QChart;
    chart->legend()->setVisible(false);
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->setBackgroundRoundness(0);
    m_boxes = new QBoxPlotSeries;
    chart->addSeries(m_boxes);
    m_boxView = new QChartView(chart, charts);
    m_boxView->setRenderHint(QPainter::Antialiasing);
    m_boxView->setMinimumWidth(220);
    layout->addWidget(titled(tr("Latency distribution (ms)"), m_boxView, charts), 3);

    m_hdrPlot = makePlot(charts, tr("latency ms"), tr("percentile"));
    m_hdrPlot->xAxis->setScaleType(QCPAxis::stLogarithmic);
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    const QList<QPair<double, QString>> ticks = {{0, QStringLiteral("0%")},
                                                 {90, QStringLiteral("90%")},
                                                 {99, QStringLiteral("99%")},
                                                 {99.9, QStringLiteral("99.9%")},
                                                 {99.99, QStringLiteral("99.99%")},
                                                 {99.999, QStringLiteral("99.999%")},
                                                 {99.9999, QStringLiteral("99.9999%")}};
    for (const auto &[p, text] : ticks)
        ticker->addTick(percentileKey(p), text);
    m_hdrPlot->xAxis->setTicker(ticker);
    layout->addWidget(titled(tr("Latency by percentile (HDR)"), m_hdrPlot, charts), 4);
    for (QCustomPlot *plot : {m_rpsPlot, m_p95Plot, m_hdrPlot})
        installSaveAsMenu(plot);
    m_rpsPlot->installEventFilter(this);
    m_p95Plot->installEventFilter(this);
    installSaveAsMenu(m_boxView);
    return charts;
}

ComparePlace::~ComparePlace()
{
    // A background comparison posts its result to this place: it must end first.
    for (QThread *thread : std::as_const(m_threads))
        thread->wait();
}

ComparePlace::Prepared ComparePlace::prepare(HistoryStore &store, const QList<qint64> &resultIds)
{
    Prepared p;
    if (resultIds.size() < 2) {
        p.error = tr("select at least two runs to compare");
        return p;
    }
    for (const qint64 id : resultIds) {
        auto run = loadStoredRun(store, id, &p.error);
        if (!run) {
            p.runs.clear();
            return p;
        }
        p.runs.append(std::move(*run));
    }
    std::sort(p.runs.begin(), p.runs.end(), [](const StoredRun &a, const StoredRun &b) {
        return a.summary.startedAt < b.summary.startedAt ||
               (a.summary.startedAt == b.summary.startedAt && a.id < b.id);
    });
    // A selected run pinned as its test's baseline wins over the oldest.
    for (int i = 1; i < p.runs.size(); ++i) {
        const auto test = store.test(p.runs.at(i).testId);
        if (test && test->baselineResultId == p.runs.at(i).id) {
            p.runs.move(i, 0);
            break;
        }
    }
    QList<RunForComparison> candidates;
    for (int i = 1; i < p.runs.size(); ++i)
        candidates.append(p.runs.at(i).forComparison());
    p.comparison = compareRuns(p.runs.first().forComparison(), candidates);
    for (const StoredRun &run : std::as_const(p.runs)) {
        p.recommendations.append(recommendationsFor(run.summary, &store, run.id));
        p.events.append(runEvents(run.plan ? &*run.plan : nullptr, run.summary));
    }
    return p;
}

bool ComparePlace::compare(const QList<qint64> &resultIds, QString *error)
{
    ++m_generation; // whatever is still being read in the background is stale now
    if (!m_store) {
        if (error)
            *error = tr("no history database");
        return false;
    }
    return showPrepared(prepare(*m_store, resultIds), error);
}

quint64 ComparePlace::compareInBackground(const QList<qint64> &resultIds)
{
    const quint64 generation = ++m_generation;
    const QString path = m_store ? m_store->path() : QString();
    if (path.isEmpty() || path == QLatin1String(":memory:")) {
        // No file a second connection could read: compare here, report as if from a thread.
        QString error;
        const bool ok = compare(resultIds, &error);
        m_generation = generation;
        ++m_pending;
        QMetaObject::invokeMethod(
            this,
            [this, generation, ok, error] {
                --m_pending;
                if (generation == m_generation)
                    emit comparisonFinished(generation, ok, error);
            },
            Qt::QueuedConnection);
        return generation;
    }
    ++m_pending;
    QThread *thread = QThread::create([this, path, resultIds, generation] {
        HistoryStore store;
        Prepared prepared;
        if (!store.open(path, HistoryStore::OpenMode::ReadOnly, &prepared.error))
            prepared.runs.clear();
        else
            prepared = prepare(store, resultIds);
        store.close();
        // Queued to the place, which outlives this thread (its destructor waits).
        QMetaObject::invokeMethod(
            this,
            [this, generation, prepared = std::move(prepared)]() mutable {
                --m_pending;
                if (generation != m_generation)
                    return; // superseded by a later request
                QString error;
                const bool ok = showPrepared(std::move(prepared), &error);
                emit comparisonFinished(generation, ok, error);
            },
            Qt::QueuedConnection);
    });
    thread->setObjectName(QStringLiteral("compare-%1").arg(generation));
    m_threads.append(thread);
    connect(thread, &QThread::finished, this, [this, thread] {
        m_threads.removeOne(thread);
        thread->deleteLater();
    });
    thread->start(QThread::LowPriority);
    return generation;
}

bool ComparePlace::showPrepared(Prepared prepared, QString *error)
{
    Q_ASSERT(QThread::currentThread() == thread());
    if (!prepared.error.isEmpty() || prepared.runs.size() < 2) {
        if (error)
            *error = prepared.error;
        return false;
    }
    m_runs = std::move(prepared.runs);
    m_events = std::move(prepared.events);
    m_model->setComparison(prepared.comparison);
    m_view->resizeColumnsToContents();
    m_view->horizontalHeader()->setSectionResizeMode(ComparisonTableModel::MetricColumn,
                                                     QHeaderView::Stretch);
    showHeader();
    showTimeSeries();
    showMarkers();
    showBoxes();
    showPercentileCurves();
    showRecommendations(prepared.recommendations);
    m_empty->setVisible(false);
    m_content->setVisible(true);
    return true;
}

QString ComparePlace::verdictText() const
{
    return m_verdict->text();
}

void ComparePlace::showHeader()
{
    const RunComparison &c = m_model->comparison();
    m_title->setText(tr("Comparing %1 runs of %2").arg(m_runs.size()).arg(m_runs.first().testName));
    QStringList parts;
    parts.append(tr("Baseline <b style='color:%1'>%2</b>")
                     .arg(seriesColor(0).name(), c.baseline.label.toHtmlEscaped()));
    for (int i = 0; i < c.candidates.size(); ++i) {
        const QString verdict =
            verdictName(c.candidateVerdicts.value(i, MetricDelta::Insufficient));
        parts.append(QStringLiteral("<b style='color:%1'>%2</b>: <b style='color:%3'>%4</b>")
                         .arg(seriesColor(i + 1).name(), c.candidates.at(i).label.toHtmlEscaped(),
                              verdictColor(verdict).name(), verdict));
    }
    QString text = parts.join(QStringLiteral("  ·  "));
    if (!c.samePlan)
        text += QStringLiteral("<br><span style='color:#e65100'>%1</span>")
                    .arg(c.planNote.toHtmlEscaped());
    // An imported aggregate gives fewer figures: what a side lacks is listed, not compared.
    for (int i = 0; i < c.notCompared.size(); ++i) {
        if (!c.notCompared.at(i).isEmpty())
            text +=
                QStringLiteral("<br>") +
                tr("Not compared with %1, a side lacks them: %2")
                    .arg(c.candidates.at(i).label, c.notCompared.at(i).join(QStringLiteral(", ")))
                    .toHtmlEscaped();
    }
    for (const QString &given : c.givenFigures)
        text += QStringLiteral("<br>") + tr("Figures of %1").arg(given).toHtmlEscaped();
    m_verdict->setText(text);
}

void ComparePlace::showTimeSeries()
{
    for (QCustomPlot *plot : {m_rpsPlot, m_p95Plot}) {
        plot->clearGraphs();
        for (int i = 0; i < m_runs.size(); ++i) {
            QCPGraph *graph = addStyledGraph(plot, i);
            graph->setName(m_runs.at(i).label());
            QVector<double> keys, values;
            for (const IntervalSample &s : m_runs.at(i).summary.timeline) {
                keys.append(s.tSec);
                if (plot == m_rpsPlot)
                    values.append(s.throughputRps());
                else
                    values.append(s.overall.totals.requests > 0 ? s.overall.latency.p95Ms
                                                                : qQNaN());
            }
            // Min/max per pixel column: an hour of intervals fits, and no spike is dropped.
            const DecimatedSeries shown =
                decimateMinMax(keys, values, std::max(500, plot->axisRect()->width()));
            graph->setData(shown.keys, shown.values, true);
        }
        plot->rescaleAxes();
        plot->xAxis->setRangeLower(0);
        plot->yAxis->setRangeLower(0);
        plot->yAxis->setRangeUpper(plot->yAxis->range().upper * 1.1 + 1e-9);
        plot->replot(QCustomPlot::rpQueuedReplot);
    }
}

void ComparePlace::showMarkers()
{
    for (QCPAbstractItem *item : std::as_const(m_markerItems))
        item->parentPlot()->removeItem(item);
    m_markerItems.clear();
    for (QCustomPlot *plot : {m_rpsPlot, m_p95Plot}) {
        for (int i = 0; i < m_events.size(); ++i) {
            for (const TimelineEvent &e : m_events.at(i)) {
                // The run's colour says whose event it is; the pen says what kind, as on the
                // Run charts (dotted: a stage change).
                auto *line = new QCPItemStraightLine(plot);
                line->setClipToAxisRect(true);
                line->point1->setCoords(e.tSec, 0);
                line->point2->setCoords(e.tSec, 1);
                line->setPen(QPen(seriesColor(i), 1.2,
                                  e.kind == TimelineEvent::StageChange  ? Qt::DotLine
                                  : e.kind == TimelineEvent::Annotation ? Qt::DashLine
                                                                        : Qt::SolidLine));
                line->setSelectable(false);
                m_markerItems.append(line);
            }
        }
        plot->replot(QCustomPlot::rpQueuedReplot);
    }
}

QString ComparePlace::markerToolTip(const QCustomPlot *plot, double x) const
{
    QStringList lines;
    for (int i = 0; i < m_events.size() && i < m_runs.size(); ++i) {
        for (const TimelineEvent &e : m_events.at(i)) {
            if (std::abs(plot->xAxis->coordToPixel(e.tSec) - x) > 4)
                continue;
            QString line = QStringLiteral("<b style='color:%1'>%2</b> · <b>%3 s</b> · %4 (%5)")
                               .arg(seriesColor(i).name(),
                                    m_runs.at(i).label().section(u' ', 0, 0).toHtmlEscaped())
                               .arg(e.tSec, 0, 'f', 0)
                               .arg(e.title.toHtmlEscaped(), timelineEventKindName(e.kind));
            if (!e.detail.isEmpty())
                line += QStringLiteral("<br>") + e.detail.toHtmlEscaped();
            lines << line;
        }
    }
    return lines.join(QStringLiteral("<hr>"));
}

bool ComparePlace::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::ToolTip && (watched == m_rpsPlot || watched == m_p95Plot)) {
        auto *plot = static_cast<QCustomPlot *>(watched);
        const auto *help = static_cast<QHelpEvent *>(event);
        const QString text = markerToolTip(plot, help->pos().x());
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), text, plot);
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

void ComparePlace::showBoxes()
{
    m_boxes->clear();
    QStringList categories;
    double top = 0;
    for (int i = 0; i < m_runs.size(); ++i) {
        const StoredRun &run = m_runs.at(i);
        const LatencyHistogram &h = run.summary.duration;
        // An aggregated import has no histogram: no box, and the axis says why.
        auto *set =
            new QBoxSet(h.isEmpty() ? tr("%1 (no histogram)").arg(run.label().section(u' ', 0, 0))
                                    : run.label().section(u' ', 0, 0));
        const auto ms = [&h](double p) { return double(h.valueAtPercentile(p)) / 1000.0; };
        if (!h.isEmpty()) {
            set->setValue(QBoxSet::LowerExtreme, double(h.min()) / 1000.0);
            set->setValue(QBoxSet::LowerQuartile, ms(25));
            set->setValue(QBoxSet::Median, ms(50));
            set->setValue(QBoxSet::UpperQuartile, ms(75));
            set->setValue(QBoxSet::UpperExtreme, ms(99));
            top = std::max(top, ms(99));
        }
        QColor color = seriesColor(i);
        color.setAlpha(150);
        set->setBrush(color);
        set->setPen(QPen(seriesColor(i).darker(130), 1.5));
        m_boxes->append(set);
        categories.append(set->label());
    }
    QChart *chart = m_boxView->chart();
    const auto axes = chart->axes();
    for (QAbstractAxis *axis : axes) {
        chart->removeAxis(axis);
        delete axis;
    }
    auto *x = new QBarCategoryAxis;
    x->append(categories);
    auto *y = new QValueAxis;
    y->setRange(0, top > 0 ? top * 1.1 : 1.0);
    y->applyNiceNumbers();
    y->setLabelFormat(QStringLiteral("%.3g"));
    y->setTitleText(tr("ms (whiskers: min, p99)"));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    m_boxes->attachAxis(x);
    m_boxes->attachAxis(y);
}

void ComparePlace::showPercentileCurves()
{
    m_hdrPlot->clearGraphs();
    double top = 0;
    for (int i = 0; i < m_runs.size(); ++i) {
        QCPGraph *graph = addStyledGraph(m_hdrPlot, i);
        graph->setName(m_runs.at(i).label().section(u' ', 0, 0));
        QVector<double> keys, values;
        const RunSummary &summary = m_runs.at(i).summary;
        const auto curve = summary.duration.percentileCurve();
        for (const auto &[p, us] : curve) {
            if (p >= 100.0)
                continue; // 1/(1-p) is infinite at the maximum
            keys.append(percentileKey(p));
            values.append(double(us) / 1000.0);
            top = std::max(top, double(us) / 1000.0);
        }
        if (summary.duration.isEmpty()) {
            // An aggregated import: the percentiles its tool gave, as points ("p999" is 99.9).
            const QJsonObject given =
                summary.extras.aggregated.value(QLatin1String("latencyMs")).toObject();
            for (auto it = given.constBegin(); it != given.constEnd(); ++it) {
                const QString digits = it.key().mid(1);
                bool ok = false;
                const double p = QString(digits.left(2) + u'.' + digits.mid(2)).toDouble(&ok);
                if (!it.key().startsWith(u'p') || digits == QLatin1String("100") || !ok || p <= 0 ||
                    p >= 100)
                    continue;
                keys.append(percentileKey(p));
                values.append(it.value().toDouble());
                top = std::max(top, it.value().toDouble());
            }
            graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 6));
        }
        graph->setData(keys, values, false);
    }
    m_hdrPlot->xAxis->setRange(1, percentileKey(99.9999));
    m_hdrPlot->yAxis->setRange(0, top > 0 ? top * 1.1 : 1.0);
    m_hdrPlot->replot(QCustomPlot::rpQueuedReplot);
}

void ComparePlace::showRecommendations(const QList<QList<Recommendation>> &recommendations)
{
    while (QLayoutItem *item = m_recommendationLayout->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    m_recommendationViews.clear();
    QWidget *parent = m_recommendationLayout->parentWidget();
    for (int i = 0; i < m_runs.size(); ++i) {
        const StoredRun &run = m_runs.at(i);
        auto *column = new QWidget(parent);
        auto *layout = new QVBoxLayout(column);
        layout->setContentsMargins(0, 0, 0, 0);
        auto *title = new QLabel(QStringLiteral("<b style='color:%1'>%2</b>%3")
                                     .arg(seriesColor(i).name(), run.label().toHtmlEscaped(),
                                          i == 0 ? tr(" (baseline)") : QString()),
                                 column);
        layout->addWidget(title);
        auto *view = new QTextBrowser(column);
        view->setHtml(recommendationsHtml(recommendations.value(i)));
        layout->addWidget(view, 1);
        m_recommendationLayout->addWidget(column, 1);
        m_recommendationViews.append(view);
    }
}

} // namespace loadscope
