#pragma once

#include <atomic>
#include <functional>

#include <QString>
#include <QStringList>

#include "metrics/errorclass.h"

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

//! The error class of a k6 request from its status, expected_response and error_code tags.
ErrorClass k6ErrorClass(int status, int expected, int errorCode);
//! The error class of a JMeter sample from success, responseCode and its message.
ErrorClass jmeterErrorClass(bool success, QStringView responseCode, QStringView message);

} // namespace loadscope::importing
