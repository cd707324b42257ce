#pragma once

#include <QString>
#include <QStringList>

namespace loadscope {

class HistoryStore;

//! What Run ▸ Merge agent results… did.
struct AgentMergeOutcome
{
    qint64 resultId = 0;    //!< the stored merged run; 0 when nothing was stored
    bool duplicate = false; //!< the same merge was stored before: resultId is that run
    int agents = 0;
    QString error; //!< why nothing was stored, naming the file that is wrong
};

//! Merges the agent result files @p paths (mergeAgentFiles(), as `loadscope-cli merge`) and
//! stores the merged run in @p store like any other run.
AgentMergeOutcome mergeAgentResultFiles(HistoryStore &store, const QStringList &paths);

} // namespace loadscope
