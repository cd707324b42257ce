#include "runanalysis.h"

#include <QColor>
#include <QJsonObject>

#include "session/storedrun.h"
#include "store/historystore.h"

namespace loadscope {

qint64 baselineIdFor(HistoryStore &store, const ResultRecord &record)
{
    if (const auto test = store.test(record.testId)) {
        const qint64 pinned = test->baselineResultId;
        if (pinned > 0 && pinned != record.id) {
            const auto base = store.result(pinned);
            if (base && base->startedAt <= record.startedAt)
                return pinned;
        }
    }
    const auto previous = store.previousCompletedResult(record.testId, record.id);
    return previous ? previous->id : 0;
}

std::optional<RunComparison> compareWithBaseline(HistoryStore &store, qint64 resultId,
                                                 QString *error)
{
    QString dummy;
    QString &why = error ? *error : dummy;
    const auto record = store.result(resultId);
    if (!record) {
        why = QStringLiteral("run #%1 is not in the history").arg(resultId);
        return std::nullopt;
    }
    const qint64 baselineId = baselineIdFor(store, *record);
    if (baselineId <= 0)
        return std::nullopt;
    const auto baseline = loadStoredRun(store, baselineId, &why);
    const auto candidate = baseline ? loadStoredRun(store, resultId, &why) : std::nullopt;
    if (!baseline || !candidate)
        return std::nullopt;
    return compareRuns(baseline->forComparison(), {candidate->forComparison()});
}

RecommendationInput recommendationInput(const RunSummary &summary, int workerThreads)
{
    RecommendationInput input;
    input.summary = summary;
    input.workerThreads = std::max(1, workerThreads);
    for (const IntervalSample &s : summary.timeline) {
        if (s.resources.isEmpty())
            continue;
        input.machineCpuPct.append(s.resources.value(QLatin1String("machineCpuPct")).toDouble());
        const QJsonObject generator = s.resources.value(QLatin1String("generator")).toObject();
        if (generator.value(QLatin1String("valid")).toBool(true))
            input.generatorCpuPct.append(generator.value(QLatin1String("cpuPct")).toDouble());
        const QJsonObject target = s.resources.value(QLatin1String("target")).toObject();
        if (target.value(QLatin1String("valid")).toBool())
            input.targetCpuPct.append(target.value(QLatin1String("cpuPct")).toDouble());
    }
    return input;
}

QList<Recommendation> recommendationsFor(const RunSummary &summary, HistoryStore *store,
                                         qint64 resultId)
{
    if (summary.extras.recommendations)
        return recommendationsFromJson(*summary.extras.recommendations);
    if (store && resultId > 0) {
        const QList<Recommendation> stored = store->recommendations(resultId);
        if (!stored.isEmpty())
            return stored;
    }
    return recommend(recommendationInput(summary));
}

QColor verdictColor(const QString &verdict)
{
    if (verdict == verdictName(MetricDelta::Regression))
        return QColor(0xc6, 0x28, 0x28);
    if (verdict == verdictName(MetricDelta::Improvement))
        return QColor(0x2e, 0x7d, 0x32);
    if (verdict == verdictName(MetricDelta::Inconclusive))
        return QColor(0xe6, 0x51, 0x00);
    return QColor(0x75, 0x75, 0x75);
}

} // namespace loadscope
