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
#include <QTextDocumentFragment>
#include <QThread>
#include <QTimer>
#include <QVBoxLayout>

#include "analysis/provisionalverdict.h"
#include "compare/runanalysis.h"
#include "design/formwidgets.h"
#include "metrics/durationformat.h"
#include "plan/planjson.h"
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
    m_provisional = new QLabel(page);
    m_provisional->setTextFormat(Qt::RichText);
    m_provisional->setWordWrap(true);
    m_provisional->setToolTip(tr("The end-of-run test against the baseline, computed on the "
                                 "intervals so far of both runs: provisional until the run ends"));
    header->addWidget(m_provisional, 1);
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
        QFrame *tile = kpiTile(caption, &value, page);
        tiles->addWidget(tile, 1);
        m_kpis.append({key, value});
        if (key == QLatin1String("rps") || key == QLatin1String("p95") ||
            key == QLatin1String("errors")) {
            auto *delta = new QLabel(tile);
            delta->setTextFormat(Qt::RichText);
            delta->setWordWrap(true); // a narrow tile wraps rather than widen the window
            tile->layout()->addWidget(delta);
            m_deltas.append({key, delta});
        }
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
    m_session->setMonitorOptions(m_monitorOptions);
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
    m_timeline.clear();
    m_thresholdEvents.clear();
    m_endEvents.clear();
    m_baseline.reset();
    m_noiseHistory.clear();
    m_provisionalVerdict.clear();
    m_provisionalAt = 0;
    m_provisional->clear();
    for (auto &[key, label] : m_deltas)
        label->clear();
    m_charts->setBaseline({}, QString());
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
    loadBaseline();
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
    // The session evaluated the thresholds on this very interval: the second a threshold
    // first failed is this one's.
    if (m_session) {
        const QList<ThresholdResult> &results = m_session->thresholdsSoFar();
        for (const ThresholdResult &r : results) {
            if (!r.error.isEmpty() || r.passed)
                continue;
            const bool known = std::any_of(m_thresholdEvents.cbegin(), m_thresholdEvents.cend(),
                                           [&r](const TimelineEvent &e) {
                                               return e.title == thresholdFailedEvent(r, 0).title;
                                           });
            if (!known)
                m_thresholdEvents.append(thresholdFailedEvent(r, sample.tSec));
        }
    }
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
    m_timeline.append(batch);
    updateEvents(); // before append(): its one replot draws the new markers too
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
    updateBaselineFigures();
}

void RunPlace::loadBaseline()
{
    if (!m_store || m_resultId <= 0)
        return;
    const auto record = m_store->result(m_resultId);
    const qint64 id = record ? baselineIdFor(*m_store, *record) : 0;
    if (id <= 0)
        return;
    QString why;
    m_baseline = loadStoredRun(*m_store, id, &why);
    if (!m_baseline) {
        emit message(tr("Baseline run #%1 not shown: %2").arg(id).arg(why));
        return;
    }
    const QString fingerprint = planFingerprint(toJson(m_plan));
    m_noiseHistory =
        noiseHistory(*m_store, m_baseline->testId, fingerprint, {m_resultId, id}, {}, id);
    m_charts->setBaseline(m_baseline->summary.timeline, m_baseline->label());
    m_provisional->setText(tr("<span style='color:#808080'>Against baseline %1: a provisional "
                              "verdict once both have enough intervals</span>")
                               .arg(m_baseline->label().toHtmlEscaped()));
}

namespace {

//! "+12.3 %" coloured red when worse and green when better beyond the noise floor.
QString deltaHtml(double base, double now, bool higherIsBetter, bool points, double floor)
{
    if (!std::isfinite(base) || !std::isfinite(now))
        return {};
    const double delta = points ? now - base : (base != 0 ? 100.0 * (now - base) / base : 0.0);
    const bool worse = higherIsBetter ? delta < -floor : delta > floor;
    const bool better = higherIsBetter ? delta > floor : delta < -floor;
    const QColor color = worse    ? verdictColor(verdictName(MetricDelta::Regression))
                         : better ? verdictColor(verdictName(MetricDelta::Improvement))
                                  : QColor(0x80, 0x80, 0x80);
    return QStringLiteral("<span style='color:%1'>%2%3 %4</span>")
        .arg(color.name(), delta >= 0 ? QStringLiteral("+") : QString(),
             QString::number(delta, 'f', points ? 2 : 1),
             points ? QStringLiteral("pp") : QStringLiteral("%"));
}

} // namespace

void RunPlace::updateBaselineFigures()
{
    if (!m_baseline || m_timeline.isEmpty())
        return;
    const IntervalSample &now = m_timeline.constLast();
    const QList<IntervalSample> &base = m_baseline->summary.timeline;
    const IntervalSample *then = intervalAt(base, now.tSec);
    const QString versus = tr(" vs #%1").arg(m_baseline->id);
    const QString tip = tr("Against baseline %1 at the same elapsed second (%2 s)")
                            .arg(m_baseline->label())
                            .arg(now.tSec, 0, 'f', 0);
    for (auto &[key, label] : m_deltas) {
        QString html;
        if (then && key == QLatin1String("rps")) {
            html = deltaHtml(then->throughputRps(), now.throughputRps(), true, false, 5.0);
        } else if (then && key == QLatin1String("p95") && then->overall.totals.requests > 0 &&
                   now.overall.totals.requests > 0) {
            html = deltaHtml(then->overall.latency.p95Ms, now.overall.latency.p95Ms, false, false,
                             5.0);
        } else if (key == QLatin1String("errors")) {
            const RunSummary soFar = summaryOfIntervals(base, now.tSec);
            if (soFar.totals.requests > 0)
                html = deltaHtml(100.0 * soFar.totals.errorRate(), 100.0 * m_totals.errorRate(),
                                 false, true, 0.5);
        }
        label->setText(html.isEmpty() ? QString() : html + versus.toHtmlEscaped());
        label->setToolTip(tip);
    }

    // The provisional verdict: the end-of-run test on both runs' intervals so far.
    RunForComparison candidate;
    candidate.id = m_resultId;
    candidate.label = tr("this run");
    candidate.planFingerprint = planFingerprint(toJson(m_plan));
    candidate.summary.timeline = m_timeline;
    const RunComparison comparison = provisionalComparison(m_baseline->forComparison(), candidate,
                                                           ComparisonOptions(), m_noiseHistory);
    const MetricDelta::Verdict verdict =
        comparison.candidateVerdicts.value(0, MetricDelta::Insufficient);
    m_provisionalVerdict = verdictName(verdict);
    m_provisionalAt = now.tSec;
    QStringList changes;
    for (const MetricDelta &d : comparison.perCandidate.value(0)) {
        if (d.key &&
            (d.verdict == MetricDelta::Regression || d.verdict == MetricDelta::Improvement))
            changes << QStringLiteral("%1 %2%3 %")
                           .arg(d.metric, d.relDeltaPct >= 0 ? QStringLiteral("+") : QString(),
                                QString::number(d.relDeltaPct, 'f', 1));
    }
    const QString reason = verdict == MetricDelta::Inconclusive
                               ? comparison.inconclusiveReasons.value(0).value(0)
                               : changes.join(QStringLiteral(", "));
    m_provisional->setText(tr("Provisional at %1 s against %2: <b style='color:%3'>%4</b> <span "
                              "style='color:#808080'>%5</span>")
                               .arg(now.tSec, 0, 'f', 0)
                               .arg(m_baseline->label().toHtmlEscaped(),
                                    verdictColor(m_provisionalVerdict).name(),
                                    m_provisionalVerdict.toHtmlEscaped(), reason.toHtmlEscaped()));
}

QList<TimelineEvent> RunPlace::events() const
{
    const double until = m_timeline.isEmpty() ? 0 : m_timeline.constLast().tSec;
    QList<TimelineEvent> events = stageEvents(m_plan.load, until);
    events << m_thresholdEvents << errorStartEvents(m_timeline) << m_endEvents;
    std::stable_sort(
        events.begin(), events.end(),
        [](const TimelineEvent &a, const TimelineEvent &b) { return a.tSec < b.tSec; });
    return events;
}

void RunPlace::updateEvents()
{
    m_charts->setEvents(events());
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

QString RunPlace::provisionalText() const
{
    return QTextDocumentFragment::fromHtml(m_provisional->text()).toPlainText();
}

QString RunPlace::kpiDeltaText(const QString &key) const
{
    for (const auto &[name, label] : m_deltas) {
        if (name == key)
            return QTextDocumentFragment::fromHtml(label->text()).toPlainText();
    }
    return {};
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
    m_endEvents = abortEvents(summary);
    updateEvents();
    if (m_baseline)
        m_provisional->setText(tr("<span style='color:#808080'>Provisional verdict at %1 s: %2; "
                                  "the final one is in the summary</span>")
                                   .arg(m_provisionalAt, 0, 'f', 0)
                                   .arg(m_provisionalVerdict.toHtmlEscaped()));
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
    if (m_store && resultId > 0) {
        const auto record = m_store->result(resultId);
        m_summaryPanel->showLoop(m_store, resultId, record ? record->testId : 0);
    }
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
