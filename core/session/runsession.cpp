#include "runsession.h"

#include "analysis/thresholdevaluator.h"
#include "engine/loadengine.h"
#include "interop/resultjson.h"
#include "plan/planjson.h"
#include "server/sampleapihost.h"
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
    if (m_baseUrl.isEmpty())
        m_baseUrl = m_defaultBaseUrl;
    if (m_baseUrl.isEmpty()) {
        if (!m_sampleHost)
            m_sampleHost = std::make_unique<SampleApiHost>();
        if (!m_sampleHost->isRunning() && m_sampleHost->start(QHostAddress::LocalHost, 0, &why) == 0) {
            why = QStringLiteral("cannot start the built-in sample API: ") + why;
            return false;
        }
        m_baseUrl = m_sampleHost->baseUrl().toString();
    }

    m_engine = std::make_unique<LoadEngine>();
    connect(m_engine.get(), &LoadEngine::intervalSample, this, &RunSession::onInterval);
    connect(m_engine.get(), &LoadEngine::finished, this, &RunSession::onFinished);
    const QList<ThresholdSpec> thresholds = plan.thresholds;
    m_engine->setAbortCheck([thresholds](const RunSummary &summary) -> QString {
        const QList<ThresholdResult> results = evaluateThresholds(thresholds, summary);
        if (!shouldAbort(thresholds, results, summary.durationSec))
            return QString();
        for (const ThresholdResult &r : results) {
            if (!r.passed && r.abortOnFail)
                return QStringLiteral("threshold crossed (abortOnFail): ") + r.metric
                       + QStringLiteral(" ") + r.expression;
        }
        return QStringLiteral("threshold crossed (abortOnFail)");
    });

    m_testId = 0;
    m_resultId = 0;
    m_storeFailed = false;
    if (m_store) {
        // A run belongs to a stored test: the test of the same name is updated with this plan.
        StoredTest test;
        if (const auto existing = m_store->findTestByName(plan.name))
            test = *existing;
        test.name = plan.name;
        test.testType = testTypeName(plan.type);
        test.plan = toJson(plan);
        m_testId = m_store->saveTest(test);
        if (m_testId > 0)
            m_resultId = m_store->startResult(m_testId, test.plan, plan.versionLabel);
        if (m_testId <= 0 || m_resultId <= 0) {
            why = QStringLiteral("cannot record the run in the history: ") + m_store->lastError();
            return false;
        }
    }
    if (!m_engine->start(plan, m_baseUrl, &why)) {
        if (m_store && m_resultId > 0) {
            m_store->finishResult(m_resultId, ResultStatus::Failed, QJsonObject(), why);
            m_store->flush();
        }
        return false;
    }
    return true;
}

void RunSession::stop(const QString &reason)
{
    if (m_engine)
        m_engine->stop(reason);
}

void RunSession::onInterval(const IntervalSample &sample)
{
    if (m_store && m_resultId > 0)
        m_store->appendSamples(m_resultId, samplesForStore(sample));
    emit intervalSample(sample);
}

void RunSession::onFinished(const RunSummary &engineSummary)
{
    RunSummary summary = engineSummary;
    summary.thresholds = evaluateThresholds(m_plan.thresholds, summary);
    if (m_store && m_resultId > 0) {
        const ResultStatus status = summary.status == QLatin1String("failed") ? ResultStatus::Failed
                                    : summary.status == QLatin1String("aborted")
                                        ? ResultStatus::Aborted
                                        : ResultStatus::Completed;
        m_store->storeHistogram(m_resultId, QString(), QStringLiteral("duration"),
                                summary.duration.serialize());
        if (summary.openModel)
            m_store->storeHistogram(m_resultId, QString(), QStringLiteral("duration_corrected"),
                                    summary.durationCorrected.serialize());
        m_store->storeHistogram(m_resultId, QString(), QStringLiteral("iteration_duration"),
                                summary.iterationDuration.serialize());
        for (auto it = summary.timings.cbegin(); it != summary.timings.cend(); ++it)
            m_store->storeHistogram(m_resultId, QString(), it.key(), it.value().serialize());
        for (auto it = summary.serverTiming.cbegin(); it != summary.serverTiming.cend(); ++it)
            m_store->storeHistogram(m_resultId, QString(), QStringLiteral("server_timing:") + it.key(),
                                    it.value().serialize());
        for (const EndpointSummary &endpoint : summary.endpoints) {
            m_store->storeHistogram(m_resultId, endpoint.name, QStringLiteral("duration"),
                                    endpoint.duration.serialize());
            if (summary.openModel)
                m_store->storeHistogram(m_resultId, endpoint.name,
                                        QStringLiteral("duration_corrected"),
                                        endpoint.durationCorrected.serialize());
        }
        m_store->finishResult(m_resultId, status,
                              resultSummaryForStore(summary, m_resultId, m_plan.versionLabel),
                              summary.errorDetails);
        if (!m_store->flush())
            emit storeWarning(QStringLiteral("the history database did not confirm the last writes"));
    }
    emit finished(summary, m_resultId);
}

} // namespace loadscope
