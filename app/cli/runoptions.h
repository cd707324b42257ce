#pragma once

#include <optional>

#include <QDateTime>
#include <QString>
#include <QStringList>

#include "interop/resultwriters.h"
#include "plan/executionsegment.h"
#include "plan/testplan.h"
#include "session/runsession.h"

class QCommandLineParser;
class QTextStream;

namespace loadscope {

class SubcommandLine;

//! Everything `loadscope-cli run` was asked to do, after the flags were checked.
struct RunRequest
{
    TestPlan plan;
    QString planFile; //!< empty when the plan came from a preset
    QString outputFile;
    ResultFormat format = ResultFormat::Json;
    bool useDb = true;
    BaselineChoice baseline; //!< Auto unless --baseline says otherwise
    MonitorOptions monitor;
    bool failOnRegression = false;
    bool quiet = false;
    bool scheduled = false; //!< started by a schedule (--scheduled): marked so in the history
    ExecutionSegment segment; //!< --segment=I/N: this agent's part of the plan
    QDateTime startAt;        //!< --start-at: wait for this wall-clock time (invalid: start now)
    bool histograms = false;  //!< --histograms (always with --segment): keep them in the result
    QString reportTo;         //!< --report-to: "-" for stdout's last line, or a workbench's URL
};

//! Declares every option of `run` (DESIGN.md §4.1, plus the original framework's spellings).
void addRunOptions(SubcommandLine &line);

//! Builds the run request from parsed options: loads the plan file or the type's preset,
//! applies the overrides and validates the result. On failure returns nothing and sets
//! @p error to a message naming the flag or the plan field ("steps[0].method: ...").
std::optional<RunRequest> runRequestFromOptions(const QCommandLineParser &parser, QString *error);

//! Parses "30s:10,60s:50,30s:0" into stages.
std::optional<QList<Stage>> parseStagesOption(const QString &text, QString *error);

//! Parses one --threshold value: "p(95)<200", "http_req_duration{name:x}: p(99)<500",
//! "rate<0.01" (on http_req_failed), with an optional ";abortOnFail" suffix.
std::optional<ThresholdSpec> parseThresholdOption(const QString &text, QString *error);

//! Parses a wall-clock time as --start-at takes it: RFC 3339 ("2026-12-02T20:15:00Z", an offset
//! or fractional seconds allowed) or seconds since the Unix epoch ("1796242500", "1796242500.25").
std::optional<QDateTime> parseWallClockTime(const QString &text, QString *error);

//! `loadscope-cli run`.
int runCommand(const QStringList &args, QTextStream &out, QTextStream &err);

} // namespace loadscope
