#include "runplace.h"

#include <QAction>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QStyle>
#include <QTabWidget>
#include <QTableView>
#include <QThread>
#include <QTimer>
#include <QVBoxLayout>

#include "compare/runanalysis.h"
#include "design/formwidgets.h"
#include "metrics/durationformat.h"
#include "run/endpointtablemodel.h"
#include "run/livecharts.h"
#include "run/runsummarypanel.h"
#include "session/runsession.h"
#include "store/historystore.h"

namespace loadscope {

namespace {

constexpr int kDrainIntervalMs = 100; // 10 Hz: smooth enough, and cheap at any engine rate

QString seconds(double s)
{
    const int total = int(s + 0.5);
    return total >= 60
               ? QStringLiteral("%1:%2").arg(total / 60).arg(total % 60, 2, 10, QLatin1Char('0'))
               : QStringLiteral("%1 s").arg(total);
}

} // namespace

RunPlace::RunPlace(HistoryStore *store, QWidget *parent)
    : QWidget(parent)
    , m_store(store)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    m_pages = new QStackedWidget(this);
    auto *empty = new QWidget(m_pages);
    auto *emptyLayout = new QVBoxLayout(empty);
    auto *hint = new QLabel(tr("<h3>No run yet</h3><p>Design a plan, then press <b>Run</b> "
                               "(Ctrl+R). Its charts appear here while it runs; <b>Esc</b> "
                               "stops it and keeps everything measured.</p>"),
                            empty);
    hint->setAlignment(Qt::AlignCenter);
    hint->setWordWrap(true);
    emptyLayout->addStretch();
    emptyLayout->addWidget(hint);
    emptyLayout->addStretch();
    m_pages->addWidget(empty);
    m_pages->addWidget(createRunPage());
    layout->addWidget(m_pages);

    m_drainTimer = new QTimer(this);
    m_drainTimer->setInterval(kDrainIntervalMs);
    connect(m_drainTimer, &QTimer::timeout, this, &RunPlace::drain);
}

RunPlace::~RunPlace()
{
    if (m_session && m_session->isRunning())
        m_session->stop(tr("window closed"));
}

QWidget *RunPlace::createRunPage()
{
    auto *page = new QWidget(m_pages);
    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(6);

    auto *header = new QHBoxLayout;
    auto *titles = new QVBoxLayout;
    titles->setSpacing(0);
    m_title = new QLabel(page);
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.3);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_status = hintLabel(QString(), page);
    titles->addWidget(m_title);
    titles->addWidget(m_status);
    header->addLayout(titles, 1);
    m_stop = new QPushButton(style()->standardIcon(QStyle::SP_MediaStop), tr("Stop"), page);
    m_stop->setToolTip(tr("Stop the run and keep everything measured (Esc)"));
    m_stop->setMinimumWidth(110);
    header->addWidget(m_stop);
    layout->addLayout(header);

    auto *progressRow = new QHBoxLayout;
    m_progress = new QProgressBar(page);
    m_progress->setRange(0, 1000);
    m_progress->setTextVisible(false);
    m_progress->setMaximumHeight(12);
    m_time = new QLabel(page);
    m_time->setMinimumWidth(190);
    m_time->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    progressRow->addWidget(m_progress, 1);
    progressRow->addWidget(m_time);
    layout->addLayout(progressRow);

    auto *tiles = new QHBoxLayout;
    tiles->setSpacing(6);
    const QList<QPair<QString, QString>> kpis = {{QStringLiteral("rps"), tr("Throughput (req/s)")},
                                                 {QStringLiteral("p95"), tr("p95 latency")},
                                                 {QStringLiteral("errors"), tr("Error rate")},
                                                 {QStringLiteral("vus"), tr("Active VUs")},
                                                 {QStringLiteral("requests"), tr("Requests")}};
    for (const auto &[key, caption] : kpis) {
        QLabel *value = nullptr;
        tiles->addWidget(kpiTile(caption, &value, page), 1);
        m_kpis.append({key, value});
    }
    m_lightsBox = new QFrame(page);
    m_lightsBox->setFrameShape(QFrame::StyledPanel);
    m_lightsBox->setAutoFillBackground(true);
    m_lightsBox->setBackgroundRole(QPalette::Base);
    auto *lightsLayout = new QVBoxLayout(m_lightsBox);
    lightsLayout->setContentsMargins(10, 6, 10, 6);
    lightsLayout->setSpacing(1);
    lightsLayout->addWidget(hintLabel(tr("Thresholds"), m_lightsBox));
    tiles->addWidget(m_lightsBox, 2);
    layout->addLayout(tiles);

    auto *splitter = new QSplitter(Qt::Vertical, page);
    splitter->setObjectName(QStringLiteral("runSplitter"));
    splitter->setChildrenCollapsible(false);
    m_charts = new LiveCharts(splitter);
    m_tabs = new QTabWidget(splitter);
    m_endpoints = new EndpointTableModel(this);
    auto *proxy = new QSortFilterProxyModel(this);
    proxy->setSourceModel(m_endpoints);
    proxy->setSortRole(EndpointTableModel::SortRole);
    m_endpointView = new QTableView(m_tabs);
    m_endpointView->setModel(proxy);
    m_endpointView->setSortingEnabled(true);
    m_endpointView->sortByColumn(EndpointTableModel::EndpointColumn, Qt::AscendingOrder);
    m_endpointView->setAlternatingRowColors(true);
    m_endpointView->verticalHeader()->setVisible(false);
    m_endpointView->verticalHeader()->setDefaultSectionSize(m_endpointView->fontMetrics().height() +
                                                            8);
    m_endpointView->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_endpointView->horizontalHeader()->setSectionResizeMode(EndpointTableModel::EndpointColumn,
                                                             QHeaderView::Stretch);
    m_endpointView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tabs->addTab(m_endpointView, tr("Endpoints"));
    m_summaryPanel = new RunSummaryPanel(m_tabs);
    m_tabs->addTab(m_summaryPanel, tr("Summary and recommendations"));
    // One column of charts on a narrow window is taller than the place: it scrolls.
    splitter->addWidget(scrollable(m_charts, splitter));
    splitter->addWidget(m_tabs);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({600, 220});
    layout->addWidget(splitter, 1);

    auto *stopAction = new QAction(tr("Stop run"), this);
    stopAction->setShortcut(QKeySequence(Qt::Key_Escape));
    stopAction->setShortcutContext(Qt::WindowShortcut);
    addAction(stopAction);
    connect(stopAction, &QAction::triggered, this, &RunPlace::stop);
    connect(m_stop, &QPushButton::clicked, this, &RunPlace::stop);
    return page;
}

bool RunPlace::isRunning() const
{
    return m_session && m_session->isRunning();
}

bool RunPlace::start(const TestPlan &plan, QString *error)
{
    if (isRunning()) {
        if (error)
            *error = tr("a run is already in progress: stop it first");
        return false;
    }
    // A fresh session per run: a late signal of the previous one can never reach this run.
    if (m_session)
        m_session->deleteLater();
    m_session = new RunSession(m_store, this);
    m_session->setDefaultTarget(m_defaultTarget);
    connect(m_session, &RunSession::intervalSample, this, &RunPlace::onInterval);
    connect(m_session, &RunSession::finished, this, &RunPlace::onFinished);
    connect(m_session, &RunSession::storeWarning, this, &RunPlace::message);

    m_plan = plan;
    m_pending.clear();
    m_received = 0;
    m_drained = 0;
    m_finished = false;
    m_summary = RunSummary();
    m_totals = TrafficTotals();
    m_charts->reset(plan);
    m_endpoints->clear();
    for (auto &[key, label] : m_kpis)
        label->setText(QStringLiteral("–"));
    qDeleteAll(m_lights);
    m_lights.clear();
    m_thresholdStates.clear();
    for (int i = 0; i < plan.thresholds.size(); ++i) {
        auto *light = new QLabel(m_lightsBox);
        light->setTextFormat(Qt::RichText);
        light->setToolTip(tr("Evaluated on the figures so far"));
        m_lightsBox->layout()->addWidget(light);
        m_lights.append(light);
        m_thresholdStates.append(-1);
    }
    m_lightsBox->setVisible(!plan.thresholds.isEmpty());
    updateThresholdLights();

    QString why;
    if (!m_session->start(plan, &why)) {
        if (error)
            *error = why;
        emit message(tr("Run not started: %1").arg(why));
        return false;
    }
    m_resultId = m_session->resultId();
    m_title->setText(plan.name.isEmpty() ? tr("Run") : plan.name);
    m_status->setText(tr("Running %1 against %2%3")
                          .arg(testTypeName(plan.type), m_session->baseUrl(),
                               m_resultId > 0 ? tr("  ·  run #%1").arg(m_resultId) : QString()));
    m_stop->setEnabled(true);
    m_tabs->setCurrentIndex(0);
    m_pages->setCurrentIndex(1);
    m_drainTimer->start();
    updateProgress();
    emit runStarted(m_resultId);
    return true;
}

void RunPlace::stop()
{
    if (!isRunning())
        return;
    m_session->stop(tr("stopped by the user"));
    m_stop->setEnabled(false);
    m_status->setText(tr("Stopping: in-flight requests finish, nothing measured is lost…"));
}

void RunPlace::onInterval(const IntervalSample &sample)
{
    // Produce: nothing but an append; the drain timer does the work at its own pace.
    m_pending.append(sample);
    ++m_received;
}

void RunPlace::drain()
{
    Q_ASSERT(QThread::currentThread() == thread());
    updateProgress();
    if (m_pending.isEmpty())
        return;
    QList<IntervalSample> batch;
    batch.swap(m_pending);
    m_drained += int(batch.size());
    m_charts->append(batch);
    m_endpoints->addSamples(batch);
    for (const IntervalSample &s : std::as_const(batch))
        m_totals.add(s.overall.totals);
    const IntervalSample &last = batch.constLast();
    const double rps = last.throughputRps();
    setKpi(QStringLiteral("rps"), QString::number(rps, 'f', rps >= 1000 ? 0 : 1));
    setKpi(QStringLiteral("p95"), last.overall.totals.requests > 0
                                      ? formatDurationMs(last.overall.latency.p95Ms)
                                      : QStringLiteral("–"));
    setKpi(QStringLiteral("errors"), QString::number(100.0 * m_totals.errorRate(), 'f', 2) + u'%');
    setKpi(QStringLiteral("vus"), QString::number(last.activeVus));
    setKpi(QStringLiteral("requests"), QString::number(m_totals.requests));
    updateThresholdLights();
}

void RunPlace::updateProgress()
{
    if (!m_session)
        return;
    const double planned = double(m_plan.load.totalDurationMs()) / 1000.0;
    const double elapsed = m_finished ? m_summary.durationSec : m_session->elapsedSec();
    const double fraction = planned > 0 ? std::clamp(elapsed / planned, 0.0, 1.0) : 0.0;
    m_progress->setValue(m_finished ? 1000 : int(fraction * 1000));
    m_time->setText(m_finished
                        ? tr("%1 elapsed").arg(seconds(elapsed))
                        : tr("%1 elapsed  ·  %2 left")
                              .arg(seconds(elapsed), seconds(std::max(0.0, planned - elapsed))));
}

void RunPlace::updateThresholdLights()
{
    if (m_plan.thresholds.isEmpty())
        return;
    QList<ThresholdResult> results;
    if (m_finished)
        results = m_summary.thresholds;
    else if (m_session)
        results = m_session->thresholdsSoFar();
    for (int i = 0; i < m_lights.size(); ++i) {
        const ThresholdSpec &spec = m_plan.thresholds.at(i);
        int state = -1;
        QString value;
        if (i < results.size()) {
            const ThresholdResult &r = results.at(i);
            state = r.error.isEmpty() ? int(r.passed) : (m_finished ? 0 : -1);
            value = r.error.isEmpty() ? QString::number(r.value, 'f', 1) : r.error;
        }
        m_thresholdStates[i] = state;
        const QString color = state == 1   ? QStringLiteral("#2e7d32")
                              : state == 0 ? QStringLiteral("#c62828")
                                           : QStringLiteral("#9e9e9e");
        m_lights.at(i)->setText(QStringLiteral("<span style='color:%1'>&#11044;</span> %2 %3 "
                                               "<span style='color:#757575'>%4</span>")
                                    .arg(color, spec.metric.toHtmlEscaped(),
                                         spec.expression.toHtmlEscaped(), value.toHtmlEscaped()));
    }
}

void RunPlace::setKpi(const QString &key, const QString &text)
{
    for (auto &[name, label] : m_kpis) {
        if (name == key)
            label->setText(text);
    }
}

QString RunPlace::kpiText(const QString &key) const
{
    for (const auto &[name, label] : m_kpis) {
        if (name == key)
            return label->text();
    }
    return {};
}

void RunPlace::onFinished(const RunSummary &summary, qint64 resultId)
{
    drain(); // the last interval arrives just before finished()
    m_drainTimer->stop();
    m_finished = true;
    m_summary = summary;
    m_resultId = resultId;
    m_stop->setEnabled(false);
    updateProgress();
    updateThresholdLights();
    m_endpoints->setSummary(summary);
    setKpi(QStringLiteral("rps"), QString::number(summary.throughputRps(), 'f', 1));
    setKpi(QStringLiteral("p95"),
           formatDurationMs(LatencyStats::fromHistogram(summary.duration).p95Ms));
    setKpi(QStringLiteral("errors"),
           QString::number(100.0 * summary.totals.errorRate(), 'f', 2) + u'%');
    setKpi(QStringLiteral("requests"), QString::number(summary.totals.requests));

    QJsonObject comparison = summary.extras.comparison;
    if (comparison.isEmpty() && m_store && resultId > 0) {
        QString why;
        if (const auto computed = compareWithBaseline(*m_store, resultId, &why))
            comparison = computed->toJson();
    }
    m_summaryPanel->showSummary(summary, recommendationsFor(summary, m_store, resultId),
                                comparison);
    const QString status = summary.status == ResultStatus::Completed ? tr("Finished")
                           : summary.status == ResultStatus::Aborted ? tr("Stopped")
                                                                     : tr("Failed");
    // "Saved" only once the history confirmed the final commit; else SQLite's reason.
    const bool stored = !m_session || m_session->storeOutcome().ok;
    const QString storedText =
        resultId <= 0 ? QString()
        : stored
            ? tr("  ·  run #%1 saved in History").arg(resultId)
            : tr("  ·  run #%1 NOT saved: %2").arg(resultId).arg(m_session->storeOutcome().error);
    if (!stored)
        emit message(
            tr("Storing run #%1 failed: %2").arg(resultId).arg(m_session->storeOutcome().error));
    m_status->setText(QStringLiteral("%1%2  ·  %3%4")
                          .arg(status,
                               summary.errorDetails.isEmpty()
                                   ? QString()
                                   : QStringLiteral(" (") + summary.errorDetails + u')',
                               m_session ? m_session->baseUrl() : summary.target, storedText));
    m_tabs->setCurrentWidget(m_summaryPanel);
    emit message(tr("Run #%1 %2").arg(resultId).arg(resultStatusToString(summary.status)));
    emit runFinished(resultId);
}

} // namespace loadscope
