#pragma once

#include <optional>

#include <QString>

#include "analysis/runcomparison.h"
#include "metrics/runmetrics.h"
#include "plan/testplan.h"

namespace loadscope {

class HistoryStore;

//! A run read back from the history: its plan and its figures rebuilt from the stored summary,
//! interval rows and histogram blobs, so that it can be compared and re-exported like a fresh one.
struct StoredRun
{
    qint64 id = 0;
    qint64 testId = 0;
    QString testName;
    QString versionLabel;
    QJsonObject planJson;
    std::optional<TestPlan> plan; //!< empty when the stored plan no longer parses
    RunSummary summary;

    //! "#12 v1.4.2" (or "#12 2026-11-27 08:30").
    QString label() const;
    RunForComparison forComparison() const;
};

//! Reads run @p resultId; nothing (with @p error) when it does not exist.
std::optional<StoredRun> loadStoredRun(HistoryStore &store, qint64 resultId, QString *error);

} // namespace loadscope
