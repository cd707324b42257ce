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
    ResultSource source; //!< empty tool for a Loadscope run
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

//! What listResults() returns; empty / unset fields do not filter.
struct ResultFilter
{
    std::optional<qint64> testId;
    QString testType;
    QString status; //!< stored spelling, see resultStatusToString()
    QString versionLabel;
    QString text;   //!< test name contains (case-insensitive)
    QString source; //!< tool of the run: "loadscope" for our own runs, "k6", "jmeter", ...
    QDateTime from; //!< started at or after
    QDateTime to;   //!< started at or before
    int limit = 0;  //!< 0 = no limit
};

} // namespace loadscope
