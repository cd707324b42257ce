#pragma once

#include <optional>

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

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

//! Life cycle of one run; stored as 'running', 'completed', 'failed', 'aborted'.
enum class ResultStatus
{
    Running,
    Completed,
    Failed,
    Aborted
};

//! The stored spelling of \a status.
QString resultStatusToString(ResultStatus status);
//! Parses the stored spelling; std::nullopt for anything else.
std::optional<ResultStatus> resultStatusFromString(const QString &text);

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

//! An optimization recommendation attached to a result.
struct Recommendation
{
    qint64 id = 0;
    QString area;
    QString impact; //!< low, medium, high or critical
    QString title;
    QString detail;
    QString implementation;
    QString estimatedImprovement;
    QJsonObject evidence;

    //! {area, impact, title, detail, implementation, estimatedImprovement, evidence} — the
    //! shape of the result JSON's "recommendations" entries.
    QJsonObject toJson() const;
    static Recommendation fromJson(const QJsonObject &json);
};

//! The recommendations as a JSON array of Recommendation::toJson() objects.
QJsonArray recommendationsToJson(const QList<Recommendation> &recommendations);

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
