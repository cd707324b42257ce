#pragma once

#include <optional>

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include "analysis/recommendation.h"
#include "metrics/runstatus.h"

namespace loadscope {

//! A saved test plan: one row of performance_tests.
struct StoredTest
{
    qint64 id = 0; //!< 0 (or less) for a test that is not saved yet
    QString name;
    QString testType; //!< CLI name, e.g. "LOAD_TEST"
    QJsonObject plan;
    QDateTime createdAt;
    QDateTime updatedAt;
    qint64 baselineResultId = 0; //!< pinned baseline result, 0 = none (use the previous run)
};

//! One run: a row of performance_test_results joined with its test's name.
struct ResultRecord
{
    qint64 id = 0;
    qint64 testId = 0;
    QString testName;
    QString testType;
    ResultStatus status = ResultStatus::Running;
    QDateTime startedAt;
    QDateTime endedAt; //!< invalid while running
    QString versionLabel;
    QJsonObject plan; //!< the plan as run
    QJsonObject summary;
    QString errorDetails;
};

//! One interval of one endpoint ('' = overall): a row of result_samples.
struct ResultSample
{
    double tSec = 0;
    QString endpoint; //!< empty = overall
    qint64 requests = 0;
    qint64 errors = 0;
    qint64 bytesIn = 0;
    qint64 bytesOut = 0;
    int activeVus = 0;
    double rps = 0;
    double meanMs = 0;
    double p50Ms = 0;
    double p90Ms = 0;
    double p95Ms = 0;
    double p99Ms = 0;
    double p999Ms = 0;
    double maxMs = 0;
    QJsonObject data; //!< errors by class, Server-Timing series, resources, anything else
};

//! What listResults() returns; empty / unset fields do not filter.
struct ResultFilter
{
    std::optional<qint64> testId;
    QString testType;
    QString status; //!< stored spelling, see resultStatusToString()
    QString versionLabel;
    QString text;   //!< test name contains (case-insensitive)
    QDateTime from; //!< started at or after
    QDateTime to;   //!< started at or before
    int limit = 0;  //!< 0 = no limit
};

} // namespace loadscope
