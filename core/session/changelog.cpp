#include "changelog.h"

#include <QJsonArray>
#include <QRegularExpression>

#include "analysis/runcomparison.h"
#include "plan/planjson.h"
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
    const QList<QJsonObject> earlier =
        noiseHistory(store, before->testId, base.planFingerprint, {candidateId},
                     after->summary.startedAt, baselineId);
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

std::optional<Budget> budgetFor(const QJsonObject &planJson, const QString &metric)
{
    const auto plan = planFromJson(planJson);
    if (!plan)
        return std::nullopt;
    static const QRegularExpression limit(
        QStringLiteral("^\\s*(p\\((\\d+(?:\\.\\d+)?)\\)|avg|max|med|rate)\\s*(<=|<|>=|>)\\s*"
                       "(\\d+(?:\\.\\d+)?)\\s*$"));
    for (const ThresholdSpec &t : plan->thresholds) {
        const auto match = limit.match(t.expression);
        if (!match.hasMatch())
            continue;
        const QString stat = match.captured(1);
        const QString base = t.metric.section(u'{', 0, 0); // whole-run thresholds only
        if (base != t.metric)
            continue;
        bool fits = false;
        if (base == QLatin1String("http_req_duration"))
            fits = (stat.startsWith(QLatin1String("p(")) && metric == u'p' + match.captured(2)) ||
                   (stat == QLatin1String("med") && metric == QLatin1String("p50")) ||
                   stat == metric;
        else if (base == QLatin1String("http_req_failed"))
            fits = stat == QLatin1String("rate") && metric == QLatin1String("errorRate");
        else if (base == QLatin1String("http_reqs"))
            fits = stat == QLatin1String("rate") && metric == QLatin1String("throughput");
        if (!fits)
            continue;
        const QString op = match.captured(3);
        return Budget{t.metric + QStringLiteral(": ") + t.expression, match.captured(4).toDouble(),
                      op.startsWith(u'<'), op.size() == 2};
    }
    return std::nullopt;
}

bool Budget::holds(double value) const
{
    if (below)
        return inclusive ? value <= limit : value < limit;
    return inclusive ? value >= limit : value > limit;
}

QString formatDeltaPercent(const QJsonObject &delta)
{
    if (delta.isEmpty())
        return QStringLiteral("-");
    const double rel = delta.value(QLatin1String("relDeltaPct")).toDouble();
    QString text = (rel >= 0 ? QStringLiteral("+") : QString()) + QString::number(rel, 'f', 1) +
                   QStringLiteral(" %");
    const QJsonValue p = delta.value(QLatin1String("pAdjusted"));
    if (p.isDouble())
        text += QStringLiteral(" (p=") + QString::number(p.toDouble(), 'g', 2) + u')';
    return text;
}

//! "estimated: p95 -30 %; measured: p95 -27.5 % (p=0.001), throughput +3.0 %, improvement".
QString estimateBesideMeasurement(const RecommendationFollowUp &f)
{
    QString text = QStringLiteral("estimated: ") + (f.recommendation.estimatedImprovement.isEmpty()
                                                        ? QStringLiteral("-")
                                                        : f.recommendation.estimatedImprovement);
    if (!f.measured.isEmpty())
        text += QStringLiteral("; measured in #") + QString::number(f.appliedResultId) +
                QStringLiteral(": p95 ") +
                formatDeltaPercent(f.measured.value(QLatin1String("p95")).toObject()) +
                QStringLiteral(", throughput ") +
                formatDeltaPercent(f.measured.value(QLatin1String("throughput")).toObject()) +
                QStringLiteral(", ") + f.measured.value(QLatin1String("verdict")).toString();
    return text;
}

} // namespace loadscope
