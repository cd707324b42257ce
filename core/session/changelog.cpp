#include "changelog.h"

#include <QJsonArray>

#include "analysis/runcomparison.h"
#include "session/storedrun.h"
#include "store/historystore.h"

namespace loadscope {
namespace {

QJsonObject deltaJson(const MetricDelta &d)
{
    QJsonObject json{{QStringLiteral("base"), d.base},
                     {QStringLiteral("candidate"), d.candidate},
                     {QStringLiteral("relDeltaPct"), d.relDeltaPct},
                     {QStringLiteral("unit"), d.unit},
                     {QStringLiteral("verdict"), verdictName(d.verdict)}};
    if (!qIsNaN(d.pAdjusted))
        json.insert(QStringLiteral("pAdjusted"), d.pAdjusted);
    return json;
}

} // namespace

QJsonObject measuredChange(HistoryStore &store, qint64 baselineId, qint64 candidateId,
                           QString *error)
{
    const auto before = loadStoredRun(store, baselineId, error);
    if (!before)
        return {};
    const auto after = loadStoredRun(store, candidateId, error);
    if (!after)
        return {};
    const RunForComparison base = before->forComparison();
    const QList<QJsonObject> earlier = noiseHistory(store, before->testId, base.planFingerprint,
                                                    {candidateId}, after->summary.startedAt);
    const RunComparison comparison = compareRuns(base, {after->forComparison()}, {}, earlier);
    QJsonObject json{{QStringLiteral("baseline"), baselineId},
                     {QStringLiteral("candidate"), candidateId},
                     {QStringLiteral("verdict"), verdictName(comparison.candidateVerdicts.value(
                                                     0, MetricDelta::Insufficient))}};
    for (const MetricDelta &d : comparison.perCandidate.value(0)) {
        if (d.metric == QLatin1String("p95") || d.metric == QLatin1String("throughput") ||
            d.metric == QLatin1String("errorRate"))
            json.insert(d.metric, deltaJson(d));
    }
    if (!comparison.inconclusiveReasons.value(0).isEmpty())
        json.insert(QStringLiteral("inconclusive"),
                    QJsonArray::fromStringList(comparison.inconclusiveReasons.value(0)));
    return json;
}

QJsonObject ChangeEffect::toJson() const
{
    QJsonObject json = annotation.toJson();
    if (beforeId > 0)
        json.insert(QStringLiteral("before"), beforeId);
    if (afterId > 0)
        json.insert(QStringLiteral("after"), afterId);
    if (!measured.isEmpty())
        json.insert(QStringLiteral("measured"), measured);
    return json;
}

QList<ChangeEffect> changeEffects(HistoryStore &store, qint64 testId)
{
    QList<ChangeEffect> effects;
    const QList<Annotation> notes = store.annotations(testId);
    if (notes.isEmpty())
        return effects;
    ResultFilter filter;
    filter.testId = testId;
    filter.status = QStringLiteral("completed");
    QList<ResultRecord> runs = store.listResultRows(filter);
    std::sort(runs.begin(), runs.end(), [](const ResultRecord &a, const ResultRecord &b) {
        return a.startedAt != b.startedAt ? a.startedAt < b.startedAt : a.id < b.id;
    });
    for (const Annotation &note : notes) {
        ChangeEffect effect;
        effect.annotation = note;
        // The run the note is on is the first one with the change; a note on the test counts
        // from the first run started at or after it.
        qsizetype after = -1;
        for (qsizetype i = 0; i < runs.size() && after < 0; ++i) {
            if (note.resultId > 0 ? runs[i].id == note.resultId : runs[i].startedAt >= note.at)
                after = i;
        }
        if (after >= 0) {
            effect.afterId = runs[after].id;
            if (after > 0)
                effect.beforeId = runs[after - 1].id;
        } else if (!runs.isEmpty() && note.resultId <= 0) {
            effect.beforeId = runs.last().id;
        }
        if (effect.beforeId > 0 && effect.afterId > 0) {
            QString error;
            effect.measured = measuredChange(store, effect.beforeId, effect.afterId, &error);
        }
        effects.append(effect);
    }
    return effects;
}

} // namespace loadscope
