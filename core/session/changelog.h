#pragma once

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

} // namespace loadscope
