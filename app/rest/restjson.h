#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include "store/storetypes.h"

// JSON shapes of the REST API's stored objects (the run result itself is resultjson.h's).

namespace loadscope {

//! ISO 8601 UTC with milliseconds, as in the result document; null for an invalid time.
QJsonValue restTime(const QDateTime &time);

//! A saved test: {id, name, testType, plan, createdAt, updatedAt, baselineResultId}.
QJsonObject storedTestJson(const StoredTest &test);

//! One run as a list entry: {id, testId, testName, testType, status, startedAt, endedAt,
//! versionLabel, errorDetails?, totals?, latencyMs?, thresholdsPassed?} (figures from the
//! stored summary).
QJsonObject resultRowJson(const ResultRecord &record);

//! The result document of a run that has not ended: the §4.1 envelope with the plan as run
//! and the stored row's fields ({schema, test, result: {id, testId, status, ...}}).
QJsonObject unfinishedResultDocument(const ResultRecord &record);

} // namespace loadscope
