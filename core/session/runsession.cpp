#include "runsession.h"

#include <algorithm>
#include <numeric>

#include <QHostAddress>
#include <QJsonArray>
#include <QSysInfo>

#include "analysis/anomalies.h"
#include "analysis/recommendations.h"
#include "analysis/runcomparison.h"
#include "analysis/stressanalysis.h"
#include "analysis/thresholdevaluator.h"
#include "engine/loadengine.h"
#include "interop/resultjson.h"
#include "monitor/resourcemonitor.h"
#include "monitor/resourcesample.h"
#include "plan/planjson.h"
#include "session/storedrun.h"
#include "store/historystore.h"

namespace loadscope {

RunSession::RunSession(HistoryStore *store, QObject *parent)
    : QObject(parent)
    , m_store(store)
{
    if (m_store) {
        connect(m_store, &HistoryStore::writeFailed, this, [this](const QString &message) {
            if (!m_storeFailed) // say it once; the run goes on
                emit storeWarning(message);
            m_storeFailed = true;
        });
    }
}

RunSession::~RunSession() = default;

bool RunSession::isRunning() const
{
    return m_engine && m_engine->isRunning();
}

double RunSession::elapsedSec() const
{
    return m_engine ? m_engine->elapsedSec() : 0.0;
}

bool RunSession::start(const TestPlan &plan, QString *error)
{
    QString dummy;
    QString &why = error ? *error : dummy;
    if (isRunning()) {
        why = QStringLiteral("a run is already in progress");
        return false;
    }
    m_plan = plan;
    m_baseUrl = plan.baseUrl;
    m_onDefaultTarget = m_baseUrl.isEmpty();
    if (m_onDefaultTarget)
        m_baseUrl = m_defaultTarget.baseUrl;
    if (m_baseUrl.isEmpty()) {
        why = QStringLiteral("the plan has no base URL and no built-in sample API is running");
        return false;
    }

    m_engine = std::make_unique<LoadEngine>();
    m_engine->setSegment(m_segment);
    m_engine->setKeepIntervalHistograms(m_keepIntervalHistograms);
    connect(m_engine.get(), &LoadEngine::intervalSample, this, &RunSession::onInterval);
    connect(m_engine.get(), &LoadEngine::finished, this, &RunSession::onFinished);
    const QList<ThresholdSpec> thresholds = plan.thresholds;
    m_engine->setAbortCheck([thresholds](const RunSummary &summary) -> QString {
        const QList<ThresholdResult> results = evaluateThresholds(thresholds, summary);
        if (!shouldAbort(thresholds, results, summary.durationSec))
            return QString();
        for (const ThresholdResult &r : results) {
            if (!r.passed && r.abortOnFail)
                return QStringLiteral("threshold crossed (abortOnFail): ") + r.metric +
                       QStringLiteral(" ") + r.expression;
        }
        return QStringLiteral("threshold crossed (abortOnFail)");
    });

    m_testId = 0;
    m_resultId = 0;
    m_storeFailed = false;
    m_storeOutcome = StoreOutcome();
    m_thresholdsSoFar.clear();
    if (m_store) {
        // Runs an earlier process left behind get their figures back before this one starts.
        rebuildAbandonedRuns(*m_store);
        m_writeMark = m_store->writeMark();
    }
    // The engine first: a run that cannot start (an unreadable data file, an invalid plan)
    // leaves nothing in the history, not even a new test. No event is processed before the
    // result row exists, so no interval is missed.
    if (!m_engine->start(plan, m_baseUrl, &why))
        return false;
    if (m_store && !recordInHistory(&why)) {
        disconnect(m_engine.get(), nullptr, this, nullptr);
        m_engine.reset(); // stops the workers; nothing of this run was measured yet
        return false;
    }
    m_workerThreads = m_engine->threadCount();
    startMonitor();
    return true;
}

bool RunSession::recordInHistory(QString *error)
{
    // A run belongs to the stored test of its name, updated with this plan (one upsert, so
    // that two processes starting the same new test share one test).
    StoredTest test;
    test.name = m_plan.name;
    test.testType = testTypeName(m_plan.type);
    test.plan = toJson(m_plan);
    m_testId = m_store->upsertTestByName(test);
    if (m_testId > 0)
        m_resultId = m_store->startResult(m_testId, test.plan, m_plan.versionLabel);
    if (m_testId <= 0 || m_resultId <= 0) {
        *error = QStringLiteral("cannot record the run in the history: ") + m_store->lastError();
        m_testId = 0;
        m_resultId = 0;
        return false;
    }
    return true;
}

void RunSession::checkpointHistograms(const RunSummary &soFar)
{
    // The whole-run histograms so far, replacing the previous checkpoint: a run killed before
    // its end keeps percentiles of every interval it stored (loadStoredRun() rebuilds them).
    const QList<StoredHistogram> histograms = histogramsForStore(soFar, StoredHistograms::Latency);
    for (const StoredHistogram &h : histograms)
        m_store->storeHistogram(m_resultId, h.endpoint, h.metric, h.blob);
}

void RunSession::startMonitor()
{
    m_monitor.reset();
    m_lastResources = QJsonObject();
    m_generatorCpu.clear();
    m_machineCpu.clear();
    m_targetCpu.clear();
    m_peakGeneratorRss = 0;
    m_peakTargetRss = 0;
    m_generatorBusyIntervals = 0;
    m_generatorSampledIntervals = 0;
    m_monitorNotes.clear();
    if (!m_monitorOptions.enabled)
        return;
    m_monitor = std::make_unique<ResourceMonitor>();
    m_monitor->setGeneratorWorkerThreads(m_workerThreads);
    const QUrl url(m_baseUrl);
    const QHostAddress host(url.host());
    const bool local = url.host() == QLatin1String("localhost") || host.isLoopback();
    if (m_monitorOptions.targetPid > 0)
        m_monitor->setTargetPid(m_monitorOptions.targetPid);
    else if (m_onDefaultTarget && m_defaultTarget.pid > 0)
        m_monitor->setTargetPid(m_defaultTarget.pid);
    else if (local)
        m_monitor->setTargetPort(
            quint16(url.port(url.scheme() == QLatin1String("https") ? 443 : 80)));
    if (m_monitorOptions.prometheusUrl.isValid())
        m_monitor->setPrometheusUrl(m_monitorOptions.prometheusUrl, m_monitorOptions.gauges);
    connect(m_monitor.get(), &ResourceMonitor::sampled, this, &RunSession::onResources);
    m_monitor->start(int(m_plan.intervalMs));
}

void RunSession::onResources(const ResourceSample &sample)
{
    m_lastResources = sample.toJson();
    if (sample.generator.pid > 0)
        m_generatorPid = sample.generator.pid;
    if (sample.target.pid > 0)
        m_targetPid = sample.target.pid;
    if (sample.generator.valid) {
        m_generatorCpu.append(sample.generator.cpuPct);
        m_peakGeneratorRss = std::max(m_peakGeneratorRss, sample.generator.rssBytes);
    }
    m_machineCpu.append(sample.machineCpuPct);
    if (sample.target.valid) {
        m_targetCpu.append(sample.target.cpuPct);
        m_peakTargetRss = std::max(m_peakTargetRss, sample.target.rssBytes);
    } else if (sample.remote.valid && sample.remote.hasCpu) {
        m_targetCpu.append(sample.remote.cpuPct);
    }
    if (sample.generator.valid) {
        ++m_generatorSampledIntervals;
        if (generatorBusy(sample))
            ++m_generatorBusyIntervals;
    }
    m_monitorNotes.append(sample.notes);
}

void RunSession::stop(const QString &reason)
{
    if (m_engine)
        m_engine->stop(reason);
}

void RunSession::onInterval(const IntervalSample &engineSample)
{
    IntervalSample sample = engineSample;
    sample.resources = m_lastResources;
    const bool recording = m_store && m_resultId > 0;
    if (recording || !m_plan.thresholds.isEmpty()) {
        const RunSummary soFar = m_engine->summarySoFar();
        if (recording) {
            m_store->appendSamples(m_resultId, samplesForStore(sample));
            checkpointHistograms(soFar);
        }
        m_thresholdsSoFar = evaluateThresholds(m_plan.thresholds, soFar);
    }
    emit intervalSample(sample);
}

bool RunSession::generatorBusy(const ResourceSample &sample)
{
    // The monitor's flag says an interval's figures are not to be trusted, and a machine busy
    // with other processes sets it as well: on a shared machine that flagged every interval of
    // an idle agent (0-1 % CPU). The generator was the bottleneck only when it worked hard
    // itself: half a core at least. A thread at >= 90 % or the process at >= 90 % of its cores
    // is more than that, and a busy generator starved by the machine's other processes still
    // gets that much (one measured 55-70 % of a core on a 2-core machine at load 11).
    return sample.generatorSaturated && sample.generator.valid && sample.generator.cpuPct >= 50.0;
}

bool RunSession::generatorSaturated(int busyIntervals, int sampledIntervals)
{
    // Sustained, not one busy second (start-up, a collector pause): a quarter of the intervals,
    // as the comparison's trust rule counts them (runcomparison.cpp).
    return busyIntervals > 0 && 4 * busyIntervals >= sampledIntervals;
}

namespace {

QJsonObject seriesFigures(const QList<double> &values)
{
    if (values.isEmpty())
        return QJsonObject();
    const double sum = std::accumulate(values.cbegin(), values.cend(), 0.0);
    return QJsonObject{{QStringLiteral("avg"), sum / double(values.size())},
                       {QStringLiteral("max"), *std::max_element(values.cbegin(), values.cend())}};
}

} // namespace

void RunSession::analyze(RunSummary &summary)
{
    // Resources over the run.
    QJsonObject resources;
    if (m_monitor) {
        QJsonObject generator = seriesFigures(m_generatorCpu);
        if (!generator.isEmpty()) {
            generator.insert(QStringLiteral("peakRssBytes"), m_peakGeneratorRss);
            generator.insert(
                QStringLiteral("saturated"),
                generatorSaturated(m_generatorBusyIntervals, m_generatorSampledIntervals));
            generator.insert(QStringLiteral("saturatedIntervals"), m_generatorBusyIntervals);
            generator.insert(QStringLiteral("workerThreads"), m_workerThreads);
            resources.insert(QStringLiteral("generatorCpuPct"), generator);
        }
        const QJsonObject machine = seriesFigures(m_machineCpu);
        if (!machine.isEmpty())
            resources.insert(QStringLiteral("machineCpuPct"), machine);
        QJsonObject target = seriesFigures(m_targetCpu);
        if (!target.isEmpty()) {
            if (m_peakTargetRss > 0)
                target.insert(QStringLiteral("peakRssBytes"), m_peakTargetRss);
            resources.insert(QStringLiteral("targetCpuPct"), target);
        }
        // Which processes the figures are of, so a reader can see the target is not the
        // generator (the monitor reports no target CPU when they are one process).
        if (m_generatorPid > 0)
            resources.insert(QStringLiteral("generatorPid"), double(m_generatorPid));
        if (m_targetPid > 0)
            resources.insert(QStringLiteral("targetPid"), double(m_targetPid));
        if (!m_monitorNotes.isEmpty())
            resources.insert(QStringLiteral("notes"), QJsonArray::fromStringList(m_monitorNotes));
    }
    summary.extras.resources = resources;
    summary.extras.trigger = m_trigger;

    RecommendationInput input;
    input.summary = summary;
    input.generatorCpuPct = m_generatorCpu;
    input.machineCpuPct = m_machineCpu;
    input.targetCpuPct = m_targetCpu;
    input.workerThreads = m_workerThreads;
    input.generatorPid = m_generatorPid;
    input.targetPid = m_targetPid;
    const QList<Recommendation> recommendations = recommend(input);
    summary.extras.recommendations = recommendationsToJson(recommendations);
    summary.extras.untrustworthy = resultsUntrustworthy(recommendations);
    if (m_store && m_resultId > 0 && !recommendations.isEmpty())
        m_store->addRecommendations(m_resultId, recommendations);

    const QList<Anomaly> anomalies = detectAnomalies(summary.timeline);
    if (!anomalies.isEmpty())
        summary.extras.anomalies = anomaliesToJson(anomalies);
    if (m_plan.type == TestType::StressTest)
        summary.extras.stress =
            analyzeStress(summary, StressLimits::fromThresholds(summary.thresholds)).toJson();
}

void RunSession::compareWithBaseline(RunSummary &summary)
{
    if (!m_store || m_resultId <= 0 || m_baseline.mode == BaselineChoice::None)
        return;
    qint64 baselineId = 0;
    if (m_baseline.mode == BaselineChoice::Id) {
        baselineId = m_baseline.id;
    } else {
        const auto test = m_store->test(m_testId);
        if (m_baseline.mode == BaselineChoice::Auto && test && test->baselineResultId > 0)
            baselineId = test->baselineResultId;
        else if (const auto previous = m_store->previousCompletedResult(m_testId, m_resultId))
            baselineId = previous->id;
    }
    if (baselineId <= 0 || baselineId == m_resultId) {
        summary.extras.comparison =
            QJsonObject{{QStringLiteral("note"),
                         QStringLiteral("no earlier completed run of this test to compare with")}};
        return;
    }
    QString error;
    const auto baseline = loadStoredRun(*m_store, baselineId, &error);
    if (!baseline) {
        summary.extras.comparison =
            QJsonObject{{QStringLiteral("note"), QString(QStringLiteral("baseline: ") + error)}};
        return;
    }
    RunForComparison current;
    current.id = m_resultId;
    current.label = u'#' + QString::number(m_resultId) +
                    (m_plan.versionLabel.isEmpty() ? QString() : u' ' + m_plan.versionLabel);
    current.planFingerprint = planFingerprint(toJson(m_plan));
    current.summary = summary;
    // The run-to-run noise of this plan: its latest earlier completed runs (newest first).
    const QList<QJsonObject> earlier =
        noiseHistory(*m_store, m_testId, current.planFingerprint, {m_resultId}, {}, baselineId);
    const RunComparison comparison =
        compareRuns(baseline->forComparison(), {current}, ComparisonOptions(), earlier);
    QJsonObject json = comparison.toJson();
    json.insert(QStringLiteral("text"), comparison.toText());
    summary.extras.comparison = json;
}

void RunSession::onFinished(const RunSummary &engineSummary)
{
    RunSummary summary = engineSummary;
    if (m_monitor)
        m_monitor->stop();
    summary.thresholds = evaluateThresholds(m_plan.thresholds, summary);
    if (!m_agent.isEmpty()) {
        QJsonObject agent = m_agent;
        agent.insert(QStringLiteral("host"), QSysInfo::machineHostName());
        agent.insert(QStringLiteral("segment"), m_segment.toString());
        agent.insert(QStringLiteral("clockStart"),
                     summary.startedAt.toUTC().toString(Qt::ISODateWithMs));
        summary.extras.agent = agent;
    }
    analyze(summary);
    compareWithBaseline(summary);
    if (m_store && m_resultId > 0) {
        const ResultStatus status = summary.status;
        const QList<StoredHistogram> histograms = histogramsForStore(summary);
        for (const StoredHistogram &h : histograms)
            m_store->storeHistogram(m_resultId, h.endpoint, h.metric, h.blob);
        m_store->finishResult(m_resultId, status,
                              resultSummaryForStore(summary, m_resultId, m_plan.versionLabel),
                              summary.errorDetails);
        // Waits for the final commit: "stored" is said only of what reached the file.
        m_storeOutcome = m_store->flushSince(m_writeMark);
    }
    emit finished(summary, m_resultId);
}

} // namespace loadscope
