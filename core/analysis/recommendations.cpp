#include "recommendations.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include <QJsonArray>

#include "analysis/recommendationrules.h"

namespace loadscope {
namespace {

int impactRank(const QString &impact)
{
    static const QStringList order{QStringLiteral("low"), QStringLiteral("medium"),
                                   QStringLiteral("high"), QStringLiteral("critical")};
    return int(order.indexOf(impact));
}

} // namespace

QList<Recommendation> recommend(const RecommendationInput &input)
{
    using Rule = std::optional<Recommendation> (*)(const RecommendationInput &);
    const Rule rules[] = {&recommendrules::loadGeneratorSaturated,
                          &recommendrules::throughputKnee,
                          &recommendrules::targetCpuSaturated,
                          &recommendrules::errorsRisingWithConcurrency,
                          &recommendrules::tailRatio,
                          &recommendrules::connectionSetupShare,
                          &recommendrules::largeResponses,
                          &recommendrules::serverTimingDominant,
                          &recommendrules::endpointDominatesFlow};
    QList<Recommendation> found;
    for (Rule rule : rules)
        if (auto r = rule(input))
            found.append(*r);
    // The generator finding stays first whatever its impact: it qualifies all the others.
    const auto firstOther = found.begin() + (resultsUntrustworthy(found) ? 1 : 0);
    std::stable_sort(firstOther, found.end(), [](const Recommendation &a, const Recommendation &b) {
        return impactRank(a.impact) > impactRank(b.impact);
    });
    return found;
}

bool resultsUntrustworthy(const QList<Recommendation> &recommendations)
{
    return !recommendations.isEmpty() &&
           recommendations.first().evidence.value(QStringLiteral("untrustworthy")).toBool();
}

} // namespace loadscope
