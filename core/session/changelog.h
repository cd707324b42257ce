#pragma once

#include <optional>

#include <QJsonObject>
#include <QList>

#include "store/storetypes.h"

namespace loadscope {

class HistoryStore;

//! The measured change between two stored runs of a test, as the verdict measures it (the same
//! noise model and Holm correction): {"baseline": id, "candidate": id, "verdict",
//! "p95": {base, candidate, relDeltaPct, pAdjusted, verdict}, "throughput": {...},
//! "errorRate": {...}}. Empty with @p error when a run cannot be read.
QJsonObject measuredChange(HistoryStore &store, qint64 baselineId, qint64 candidateId,
                           QString *error);

//! One change of the optimization log with its effect: the completed run before it against
//! the first completed run at or after it.
struct ChangeEffect
{
    Annotation annotation;
    qint64 beforeId = 0;  //!< 0: no completed run before the change
    qint64 afterId = 0;   //!< 0: no completed run since
    QJsonObject measured; //!< measuredChange(beforeId, afterId); empty when a side is missing

    //! The annotation's JSON with "before", "after" and "measured" when known.
    QJsonObject toJson() const;
};

//! Every annotation of test @p testId with the effect measured across it, in time order.
QList<ChangeEffect> changeEffects(HistoryStore &store, qint64 testId);

//! A test's performance requirement on a trend metric, from its thresholds.
struct Budget
{
    QString expression; //!< "http_req_duration: p(95)<200"
    double limit = 0;   //!< in the trend metric's unit
    bool below = true;  //!< the value must stay under the limit (latency, error rate)
    bool inclusive = false;
    bool holds(double value) const;
};

//! The whole-run threshold of @p planJson that bounds trend metric @p metric (p95, avg,
//! errorRate, throughput...), if any.
std::optional<Budget> budgetFor(const QJsonObject &planJson, const QString &metric);

//! A measured delta as "+12.3 % (p=0.01)", "-" when absent.
QString formatDeltaPercent(const QJsonObject &delta);
//! "estimated: p95 -30 %; measured in #N: p95 -27.5 % (p=0.001), throughput +3.0 %, improvement".
QString estimateBesideMeasurement(const RecommendationFollowUp &f);

} // namespace loadscope
