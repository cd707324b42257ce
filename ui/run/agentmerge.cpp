#include "agentmerge.h"

#include <QObject>

#include "interop/runmerge.h"
#include "store/historystore.h"

namespace loadscope {

AgentMergeOutcome mergeAgentResultFiles(HistoryStore &store, const QStringList &paths)
{
    AgentMergeOutcome outcome;
    const auto merged = mergeAgentFiles(paths, &outcome.error);
    if (!merged)
        return outcome;
    outcome.agents = int(merged->agents.size());
    outcome.resultId = store.storeImportedResult(mergedResultForStore(*merged), &outcome.duplicate);
    if (outcome.resultId <= 0) {
        outcome.resultId = 0;
        outcome.error = QObject::tr("nothing was stored: %1").arg(store.lastError());
    }
    return outcome;
}

} // namespace loadscope
