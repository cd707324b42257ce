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
#include <QJsonObject>
#include <QLabel>
#include <QScrollArea>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <QValueAxis>

#include "compare/comparisontablemodel.h"
#include "compare/runanalysis.h"
#include "design/formwidgets.h"
#include "plot/chartexport.h"
#include "plot/plotstyle.h"
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
    installSaveAsMenu(m_boxView);
    return charts;
}

bool ComparePlace::compare(const QList<qint64> &resultIds, QString *error)
{
    QString dummy;
    QString &why = error ? *error : dummy;
    if (!m_store) {
        why = tr("no history database");
        return false;
    }
    if (resultIds.size() < 2) {
        why = tr("select at least two runs to compare");
        return false;
    }
    QList<StoredRun> runs;
    for (const qint64 id : resultIds) {
        auto run = loadStoredRun(*m_store, id, &why);
        if (!run)
            return false;
        runs.append(std::move(*run));
    }
    std::sort(runs.begin(), runs.end(), [](const StoredRun &a, const StoredRun &b) {
        return a.summary.startedAt < b.summary.startedAt ||
               (a.summary.startedAt == b.summary.startedAt && a.id < b.id);
    });
    // A selected run pinned as its test's baseline wins over the oldest.
    for (int i = 1; i < runs.size(); ++i) {
        const auto test = m_store->test(runs.at(i).testId);
        if (test && test->baselineResultId == runs.at(i).id) {
            runs.move(i, 0);
            break;
        }
    }
    m_runs = runs;
    QList<RunForComparison> candidates;
    for (int i = 1; i < m_runs.size(); ++i)
        candidates.append(m_runs.at(i).forComparison());
    m_model->setComparison(compareRuns(m_runs.first().forComparison(), candidates));
    m_view->resizeColumnsToContents();
    m_view->horizontalHeader()->setSectionResizeMode(ComparisonTableModel::MetricColumn,
                                                     QHeaderView::Stretch);
    showHeader();
    showTimeSeries();
    showBoxes();
    showPercentileCurves();
    showRecommendations();
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
            graph->setData(keys, values, true);
        }
        plot->rescaleAxes();
        plot->xAxis->setRangeLower(0);
        plot->yAxis->setRangeLower(0);
        plot->yAxis->setRangeUpper(plot->yAxis->range().upper * 1.1 + 1e-9);
        plot->replot(QCustomPlot::rpQueuedReplot);
    }
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

void ComparePlace::showRecommendations()
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
        view->setHtml(recommendationsHtml(recommendationsFor(run.summary, m_store, run.id)));
        layout->addWidget(view, 1);
        m_recommendationLayout->addWidget(column, 1);
        m_recommendationViews.append(view);
    }
}

} // namespace loadscope
