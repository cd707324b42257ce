#pragma once

#include <memory>
#include <optional>

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include "metrics/runmetrics.h"
#include "plan/executionsegment.h"
#include "plan/testplan.h"
#include "store/storetypes.h"

namespace loadscope {

//! What `merge` knows of one agent, from its result file's "agent", "totals" and "resources".
struct AgentSummary
{
    QString source; //!< the file (or upload) it came from, for messages
    ExecutionSegment segment;
    QString host;
    QDateTime clockStart; //!< when its engine started (wall clock)
    QDateTime endedAt;
    double durationSec = 0;
    ResultStatus status = ResultStatus::Completed;
    QString errorDetails;
    TrafficTotals totals;
    int maxVus = 0;
    QJsonObject resources;  //!< its own resource figures (generator CPU, machine CPU, ...)
    bool saturated = false; //!< its generator was saturated (resources.generatorCpuPct.saturated)
    bool untrustworthy = false; //!< its own recommendations call its figures untrustworthy
    QString saturationDetail;

    double throughputRps() const
    {
        return durationSec > 0 ? double(totals.requests) / durationSec : 0.0;
    }
    //! {source, segment, host, clockStart, durationSec, status, requests, errors,
    //! throughputRps, maxVus, resources, saturated, untrustworthy}: one entry of the merged
    //! run's "agents".
    QJsonObject toJson() const;
};

//! One run made of the results of N scale-out agents (DESIGN.md §4.4): counters summed, HDR
//! histograms merged exactly (whole-run, and per interval aligned on the agents' wall-clock
//! starts), active VUs summed, thresholds evaluated again on the merged figures and the
//! recommendations computed on them, each agent's resources kept apart.
struct MergedRun
{
    TestPlan plan;
    QJsonObject planJson;
    RunSummary summary;
    QList<AgentSummary> agents; //!< in segment order
    QString contentHash; //!< over the agents' results: the same merge stored twice is one run
};

//! Merges agent results: add() or addFile() each, then finish(). An agent file's interval
//! records (loadscope.hdr/2) stay in the file until finish() streams them, all agents in step,
//! interval by interval: memory holds the agents' whole-run figures and one interval's
//! accumulators, never the agents' documents or their per-interval histograms.
///
//! Refuses (with the source named) a document that is not an agent result with histograms, a
//! corrupted histogram, a plan or segment count that differs from the first one's and a
//! segment already added; finish() says which segments are missing.
class RunMerger
{
public:
    RunMerger();
    ~RunMerger();
    Q_DISABLE_COPY_MOVE(RunMerger)

    //! Reads one agent result document (resultjson.h, with "agent" and "histograms"); false
    //! with a message naming @p source and what is wrong. Nothing is kept of a refused one.
    bool add(const QJsonObject &document, const QString &source, QString *error);
    //! Reads the agent result file @p path (or an agent's `kubectl logs` output, whose last line
    //! is the result) without a QJsonDocument of all of it; as add() otherwise. The file must
    //! stay as it is until finish().
    bool addFile(const QString &path, QString *error);
    //! Agents added so far.
    int agentCount() const;
    //! Empty when the agents' segments cover the whole plan (0/N … N-1/N), else which are
    //! missing ("segment 2/4 is missing").
    QString coverageProblem() const;
    //! The merged run; nothing with @p error when a segment is missing or a histogram is
    //! corrupted (the agent's source named).
    std::optional<MergedRun> finish(QString *error);

private:
    struct RecordsInFile;
    bool addDocument(const QJsonObject &document, const QString &source,
                     const RecordsInFile *location, QString *error);

    struct State;
    std::unique_ptr<State> d;
};

//! Merges the agent result files @p paths (RunMerger::addFile() each); the message names the
//! file that is wrong.
std::optional<MergedRun> mergeAgentFiles(const QStringList &paths, QString *error);

//! The merged run as the history stores it: the test (by plan name), the result with its
//! summary, interval rows and whole-run histograms, and a source "Loadscope agents" whose hash
//! is the merge's content hash.
ImportedResult mergedResultForStore(const MergedRun &run);

} // namespace loadscope
