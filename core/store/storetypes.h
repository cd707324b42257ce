#pragma once

#include <optional>

#include <QByteArray>
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

//! Where an imported run came from (a row of result_sources); empty tool = a Loadscope run.
struct ResultSource
{
    QString tool;        //!< "k6", "JMeter", "Locust"
    QString toolVersion; //!< when the file says it
    QString format;      //!< the import format, e.g. "k6-json"
    QString fileName;    //!< the file's name (no directory)
    QString contentHash; //!< SHA-256 of the file's bytes, hex
    qint64 lines = 0;    //!< lines (or records) read
    qint64 badLines = 0; //!< lines skipped as malformed
    QDateTime importedAt;

    bool isImported() const { return !tool.isEmpty(); }
    //! "k6 0.45 (run.json)", or "Loadscope" for a run of our own.
    QString label() const;
    //! {tool, toolVersion?, format, file, contentHash, lines, badLines, importedAt}.
    QJsonObject toJson() const;
};

//! The figures a list of runs shows, kept in columns of the run's row (schema version 5) so
//! that listing reads no summary JSON; unset when the run stored no summary (yet).
struct ResultFigures
{
    std::optional<qint64> requests;
    std::optional<qint64> errors;
    std::optional<double> rps;
    std::optional<double> errorRate; //!< 0..1
    std::optional<double> p50Ms;
    std::optional<double> p90Ms;
    std::optional<double> p95Ms;
    std::optional<double> p99Ms;
    std::optional<double> maxMs;
    std::optional<double> meanMs;
    std::optional<double> durationSec;
    std::optional<bool> thresholdsPassed; //!< unset: the run had no thresholds
    QString verdict;       //!< the comparison stored with the summary ("regression", ...)
    QString trigger;       //!< what started the run: "schedule" for `run --scheduled`, else empty
    QJsonObject totals;    //!< the summary's "totals" as stored
    QJsonObject latencyMs; //!< the summary's "latencyMs" as stored

    //! The same figures taken from a summary object (a run rebuilt in memory).
    static ResultFigures fromSummary(const QJsonObject &summary);
    //! A figure by the summary's names ("totals"/"throughputRps", "latencyMs"/"p95", ...).
    std::optional<double> value(const QString &group, const QString &key) const;
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
    QJsonObject plan;    //!< the plan as run
    QJsonObject summary; //!< empty in HistoryStore::listResultRows()
    QString errorDetails;
    ResultSource source; //!< empty tool for a Loadscope run
    ResultFigures figures;
    bool pinned = false; //!< the pinned baseline of its test
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

//! One histogram blob of a result (result_histograms row).
struct StoredHistogram
{
    QString endpoint; //!< '' = overall
    QString metric;
    QByteArray blob;
};

//! A finished run read from another tool's file, stored whole in one transaction.
struct ImportedResult
{
    StoredTest test; //!< created when no test has its name; an existing test is not changed
    ResultStatus status = ResultStatus::Completed;
    QDateTime startedAt;
    QDateTime endedAt;
    QString versionLabel;
    QJsonObject plan;    //!< the plan as run (what the file says of it)
    QJsonObject summary; //!< its "id" is set to the new result's id
    QString errorDetails;
    QList<ResultSample> samples;
    QList<StoredHistogram> histograms;
    ResultSource source; //!< contentHash must be set: a second import of it stores nothing
};

//! The orders listResultRows() can sort by; every order ends with the run's id.
enum class ResultOrder
{
    StartedAt,
    Id,
    Test,
    Type,
    Status,
    Version,
    Duration,
    Rps,
    P95,
    ErrorRate,
    Verdict,
    Source
};

//! What listResults() returns; empty / unset fields do not filter.
struct ResultFilter
{
    std::optional<qint64> testId;
    QString testType;
    QString status; //!< stored spelling, see resultStatusToString()
    QString versionLabel;
    QString text;        //!< test name contains (case-insensitive)
    QString versionText; //!< version label contains (case-insensitive)
    QString source;      //!< tool of the run: "loadscope" for our own runs, "k6", "jmeter", ...
    QString trigger;     //!< what started the run ("schedule"), see ResultFigures::trigger
    QString verdict;     //!< the verdict stored with the run ("regression", ...)
    QDateTime from;      //!< started at or after
    QDateTime to;        //!< started at or before
    int limit = 0;       //!< 0 = no limit
    int offset = 0;      //!< rows skipped before the first one returned
    ResultOrder order = ResultOrder::StartedAt;
    bool ascending = false; //!< newest (largest) first by default
};

//! What HistoryStore::prune() deletes. A run goes when every rule given says so: it is not
//! among the keepNewest newest of its test (when set) and it started before olderThan (when
//! valid). Running runs always stay; pinned baselines stay unless includePinned.
struct PruneRequest
{
    std::optional<int> keepNewest; //!< runs kept per test, newest first
    QDateTime olderThan;
    bool includePinned = false;
};

//! The size of the history, for a status bar.
struct StoreStats
{
    qint64 runs = 0;
    qint64 bytes = 0; //!< the database file with its -wal file
};

//! A change log entry (a row of result_annotations): what changed, by whom, a link or commit,
//! on a run or on a test at a point in time (between two runs).
struct Annotation
{
    qint64 id = 0;
    qint64 testId = 0;
    qint64 resultId = 0; //!< 0: on the test at @c at, not on one run
    QDateTime at;        //!< when the change happened (a run's: its start)
    QString note;
    QString author;
    QString link;
    QDateTime createdAt;

    //! {id, testId, resultId?, at, note, author?, link?, createdAt}.
    QJsonObject toJson() const;
};

//! A stored recommendation with its follow-up: open, applied in a run, or dismissed.
struct RecommendationFollowUp
{
    Recommendation recommendation;
    qint64 resultId = 0; //!< the run it was drawn from
    qint64 testId = 0;
    QString testName;
    QString state = QStringLiteral("open"); //!< open, applied or dismissed
    qint64 appliedResultId = 0;             //!< applied: the run that tests it
    QString reason;                         //!< dismissed: why; applied: an optional note
    QDateTime changedAt;
    QJsonObject measured; //!< applied: the measured change (Δ p95, Δ throughput, verdict)

    //! The recommendation's JSON with {"resultId", "state", "appliedResultId"?, "reason"?,
    //! "changedAt"?, "measured"?}.
    QJsonObject toJson() const;
};

} // namespace loadscope
