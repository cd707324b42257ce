#pragma once

#include <atomic>
#include <functional>

#include <QString>
#include <QStringList>

#include "metrics/errorclass.h"
#include "metrics/runmetrics.h"

// The per-format parsers behind importResultFile() (internal to interop/).

namespace loadscope {
class AccessLogFormat;
class RunBuilder;
} // namespace loadscope

namespace loadscope::importing {

class LineReader;

//! What a parser learns besides the figures: counts for the 1 % rule, the first bad lines, the
//! tool's version and target when the file says them, and a fatal error (file not recognised).
struct ParseContext
{
    qint64 records = 0; //!< non-empty lines (or XML samples) read, bad ones included
    qint64 bad = 0;
    QStringList badNotes; //!< "line 12: not JSON" for the first few bad lines
    QString fatal;        //!< set when the file cannot be read as the format at all
    QString toolVersion;
    QString target;        //!< base URL, when the file says it
    qint64 subSamples = 0; //!< JMeter XML sub-samples (inside another sample's time)
    const std::atomic<bool> *cancel = nullptr;
    std::function<void(qint64 done, qint64 total)> progress;

    static constexpr int kNotes = 5;
    void badLine(qint64 line, const QString &why)
    {
        ++bad;
        if (badNotes.size() < kNotes)
            badNotes.append(QStringLiteral("line ") + QString::number(line) + QStringLiteral(": ") +
                            why);
    }
    //! badLine() for the line @p reader is on, saying so when the file ends inside it.
    void badLineOf(const LineReader &reader, const char *why);
    bool cancelled() const { return cancel && cancel->load(std::memory_order_relaxed); }
};

//! k6 `--out json`: NDJSON Metric / Point lines.
bool parseK6Json(LineReader &reader, RunBuilder &builder, ParseContext &context);
//! k6 `--out csv`: a header naming the columns, one metric sample per line.
bool parseK6Csv(LineReader &reader, RunBuilder &builder, ParseContext &context);
//! JMeter JTL CSV, with a header or in the default column order.
bool parseJmeterCsv(LineReader &reader, RunBuilder &builder, ParseContext &context);
//! JMeter JTL XML (<httpSample>/<sample>, sub-samples nested).
bool parseJmeterXml(const QString &path, RunBuilder &builder, ParseContext &context);

//! A web server's access log in @p format: one request per line, routes as endpoints.
bool parseAccessLog(LineReader &reader, RunBuilder &builder, ParseContext &context,
                    const AccessLogFormat &format);
//! A run read from an aggregated source (Locust, k6's summary): figures as the tool gave them,
//! no histograms. summary.extras.aggregated says what was given and what is lacking.
struct AggregatedRun
{
    RunSummary summary;
    QStringList files;   //!< the files read, the one named first
    QString contentHash; //!< SHA-256 over those files, in that order
    QStringList notes;   //!< how it was read, what it lacks
};

//! Locust's --csv files: PREFIX_stats.csv with _stats_history.csv and _failures.csv beside
//! it; @p path is any one of them or the prefix.
bool parseLocustCsv(const QString &path, AggregatedRun *run, ParseContext &context);
//! k6's end-of-test summary: the --summary-export JSON or handleSummary()'s data object.
bool parseK6Summary(const QString &path, AggregatedRun *run, ParseContext &context);
//! The PREFIX_stats.csv of Locust file @p path (one of its files or the prefix), or "".
QString locustStatsFile(const QString &path);
//! The error class of a Locust failure message ("ConnectionRefusedError(111, ...)",
//! "HTTPError('500 Server Error: ...')"); None when the message does not say.
ErrorClass locustErrorClass(QStringView message);

//! The error class of a k6 request from its status, expected_response and error_code tags.
ErrorClass k6ErrorClass(int status, int expected, int errorCode);
//! The error class of a JMeter sample from success, responseCode and its message.
ErrorClass jmeterErrorClass(bool success, QStringView responseCode, QStringView message);

} // namespace loadscope::importing
