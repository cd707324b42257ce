// JMeter's JTL files: CSV (a header when jmeter.save.saveservice.print_field_names is on, the
// default column order otherwise) and XML (<httpSample>/<sample> with nested sub-samples).
// timeStamp is the sample's start in ms (sampleresult.timestamp.start, JMeter's default),
// elapsed its duration, Latency the time to the first byte (connect included) and Connect the
// connect time.
#include <algorithm>

#include <QFile>
#include <QXmlStreamReader>

#include "interop/importformats.h"
#include "interop/importreader.h"
#include "interop/runbuilder.h"

namespace loadscope::importing {

namespace {

// jmeter.properties' default CSV columns, in the order SampleSaveConfiguration writes them.
const char *const kDefaultColumns[] = {
    "timeStamp",  "elapsed", "label",          "responseCode", "responseMessage", "threadName",
    "dataType",   "success", "failureMessage", "bytes",        "sentBytes",       "grpThreads",
    "allThreads", "URL",     "Latency",        "IdleTime",     "Connect"};

enum Column
{
    TimeStamp,
    Elapsed,
    Label,
    ResponseCode,
    ResponseMessage,
    Success,
    FailureMessage,
    Bytes,
    SentBytes,
    AllThreads,
    Latency,
    Connect,
    ColumnCount
};

int columnOf(std::string_view name)
{
    static const std::pair<std::string_view, int> names[] = {{"timeStamp", TimeStamp},
                                                             {"elapsed", Elapsed},
                                                             {"label", Label},
                                                             {"responseCode", ResponseCode},
                                                             {"responseMessage", ResponseMessage},
                                                             {"success", Success},
                                                             {"failureMessage", FailureMessage},
                                                             {"bytes", Bytes},
                                                             {"sentBytes", SentBytes},
                                                             {"allThreads", AllThreads},
                                                             {"Latency", Latency},
                                                             {"Connect", Connect}};
    for (const auto &[text, column] : names) {
        if (name == text)
            return column;
    }
    return -1;
}

//! The sample's figures, whatever format they came from.
struct JmeterSample
{
    qint64 startUs = 0;
    qint64 elapsedMs = 0;
    std::string_view label;
    bool success = true;
    QStringView code;
    QString message;
    qint64 bytes = 0, sentBytes = 0;
    qint64 allThreads = -1, latencyMs = -1, connectMs = -1;
};

void record(const JmeterSample &s, RunBuilder &builder)
{
    // Durations a file can hold but no run had are clamped (msToUsClamped), so no sum below
    // overflows; RunBuilder refuses spans that long anyway.
    const qint64 durationUs = msToUsClamped(double(s.elapsedMs));
    builder.addRequest(s.startUs, builder.endpoint(s.label), durationUs,
                       jmeterErrorClass(s.success, s.code, s.message), s.bytes, s.sentBytes);
    const qint64 endUs = s.startUs + durationUs;
    // Latency includes the connect time: waiting is what is left of it; receiving the rest.
    const qint64 connectUs = msToUsClamped(double(s.connectMs));
    const qint64 latencyUs = msToUsClamped(double(s.latencyMs));
    if (connectUs >= 0)
        builder.addTiming(endUs, 1, connectUs);
    if (latencyUs >= 0) {
        const qint64 waitingUs = latencyUs - std::max<qint64>(0, connectUs);
        builder.addTiming(endUs, 4, std::max<qint64>(0, waitingUs));
        builder.addTiming(endUs, 5, std::max<qint64>(0, durationUs - latencyUs));
    }
    if (s.allThreads >= 0)
        builder.addVus(endUs, int(s.allThreads));
}

bool jmeterTime(std::string_view text, qint64 *us)
{
    qint64 ms = 0;
    if (parseInt(text, &ms))
        return msToUs(double(ms), us);
    return parseRfc3339(text, us); // a timestamp_format with a zone
}

} // namespace

ErrorClass jmeterErrorClass(bool success, QStringView code, QStringView message)
{
    if (success)
        return ErrorClass::None;
    bool numeric = false;
    const int status = code.toInt(&numeric);
    if (numeric && status >= 400)
        return errorClassForStatus(status);
    // "Non HTTP response code: java.net.SocketTimeoutException" and friends.
    const QString text = code.toString() + QLatin1Char(' ') + message.toString();
    const auto has = [&text](const char *what) {
        return text.contains(QLatin1String(what), Qt::CaseInsensitive);
    };
    if (has("UnknownHost"))
        return ErrorClass::Dns;
    if (has("ConnectTimeout") || has("ConnectException") || has("Connection refused") ||
        has("NoRouteToHost"))
        return ErrorClass::Connect;
    if (has("Timeout") || has("timed out"))
        return ErrorClass::Timeout;
    if (has("SSL") || has("TLS") || has("handshake"))
        return ErrorClass::Tls;
    if (has("reset") || has("NoHttpResponse") || has("Broken pipe") || has("SocketException"))
        return ErrorClass::Reset;
    if (numeric)
        return ErrorClass::Check; // a response that an assertion failed
    return ErrorClass::Protocol;
}

bool parseJmeterCsv(LineReader &reader, RunBuilder &builder, ParseContext &context)
{
    std::string_view line;
    std::vector<std::string_view> fields;
    std::vector<std::string> scratch;
    while (reader.next(&line) && line.empty()) {
    }
    // A header names the columns; without one the columns are jmeter.properties' defaults.
    std::array<int, ColumnCount> at;
    at.fill(-1);
    char delimiter = ',';
    bool header = false;
    for (const char d : {',', '\t', ';', '|'}) {
        if (!splitCsv(line, d, &fields, &scratch) || fields.size() < 2)
            continue;
        int known = 0;
        for (int i = 0; i < int(fields.size()); ++i) {
            const int c = columnOf(fields[size_t(i)]);
            if (c >= 0) {
                at[size_t(c)] = i;
                ++known;
            }
        }
        if (known >= 2 && at[TimeStamp] >= 0) {
            header = true;
            delimiter = d;
            break;
        }
        at.fill(-1);
    }
    if (!header) {
        for (int i = 0; i < int(std::size(kDefaultColumns)); ++i) {
            const int c = columnOf(kDefaultColumns[i]);
            if (c >= 0)
                at[size_t(c)] = i;
        }
    }
    if (at[TimeStamp] < 0 || at[Elapsed] < 0 || at[Label] < 0) {
        context.fatal = QStringLiteral("line 1: a JMeter CSV needs the timeStamp, elapsed and"
                                       " label columns");
        return false;
    }
    // JMeter writes every column on every line: a line with another count is cut or damaged.
    const size_t width = header ? fields.size() : 0;
    bool first = !header; // a header-less file: its first line is a sample
    JmeterSample s;
    for (;;) {
        if (!first && !reader.next(&line))
            break;
        first = false;
        if (line.empty())
            continue;
        ++context.records;
        if (context.progress && (context.records & 0xFFFF) == 0)
            context.progress(reader.bytesRead(), reader.size());
        if (context.cancelled())
            return false;
        const auto bad = [&](const char *why) { context.badLineOf(reader, why); };
        if (!splitCsv(line, delimiter, &fields, &scratch)) {
            bad("a quoted field is not closed");
            continue;
        }
        if (width > 0 && fields.size() != width) {
            bad(fields.size() < width ? "fewer columns than the header names"
                                      : "more columns than the header names");
            continue;
        }
        if (width == 0 && fields.size() != std::size(kDefaultColumns)) {
            bad("not the default JTL columns (and the file has no header)");
            continue;
        }
        const auto field = [&](int column) {
            const int i = at[size_t(column)];
            return i >= 0 && i < int(fields.size()) ? fields[size_t(i)] : std::string_view();
        };
        const auto number = [&](int column, qint64 fallback) {
            qint64 v = fallback;
            return parseInt(field(column), &v) ? v : fallback;
        };
        s = JmeterSample();
        if (!jmeterTime(field(TimeStamp), &s.startUs)) {
            if (context.records == 1 && !header) {
                context.fatal = QStringLiteral("line 1 is neither a JMeter CSV header nor a"
                                               " sample with a timeStamp");
                return false;
            }
            bad("timeStamp is not a time");
            continue;
        }
        if (!parseInt(field(Elapsed), &s.elapsedMs)) {
            bad("elapsed is not a number");
            continue;
        }
        s.label = field(Label);
        const std::string_view success = field(Success);
        s.success = success.empty() || success == "true";
        const QString code = toQString(field(ResponseCode));
        s.code = code;
        if (!s.success)
            s.message = toQString(field(ResponseMessage)) + QLatin1Char(' ') +
                        toQString(field(FailureMessage));
        s.bytes = number(Bytes, 0);
        s.sentBytes = number(SentBytes, 0);
        s.allThreads = number(AllThreads, -1);
        s.latencyMs = number(Latency, -1);
        s.connectMs = number(Connect, -1);
        record(s, builder);
    }
    return true;
}

bool parseJmeterXml(const QString &path, RunBuilder &builder, ParseContext &context)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        context.fatal = file.errorString();
        return false;
    }
    QXmlStreamReader xml(&file);
    int depth = 0;
    bool sawRoot = false;
    std::string label;
    while (!xml.atEnd()) {
        const auto token = xml.readNext();
        if (token == QXmlStreamReader::StartElement) {
            ++depth;
            if (depth == 1) {
                if (xml.name() != QLatin1String("testResults")) {
                    context.fatal = QStringLiteral("line ") + QString::number(xml.lineNumber()) +
                                    QStringLiteral(": the root element is not <testResults>");
                    return false;
                }
                sawRoot = true;
                continue;
            }
            const bool isSample =
                xml.name() == QLatin1String("httpSample") || xml.name() == QLatin1String("sample");
            if (!isSample)
                continue;
            if (depth > 2) {
                // A sub-sample (embedded resource, transaction child) is inside its parent's
                // time: JMeter's own report counts the top-level samples only.
                ++context.subSamples;
                continue;
            }
            ++context.records;
            if (context.progress && (context.records & 0x3FFF) == 0)
                context.progress(file.pos(), file.size());
            if (context.cancelled())
                return false;
            const QXmlStreamAttributes a = xml.attributes();
            JmeterSample s;
            bool ok = false;
            const qint64 ts = a.value(QLatin1String("ts")).toLongLong(&ok);
            bool okT = false;
            s.elapsedMs = a.value(QLatin1String("t")).toLongLong(&okT);
            if (!ok || !okT) {
                context.badLine(xml.lineNumber(),
                                QStringLiteral("a sample needs numeric ts and t attributes"));
                continue;
            }
            if (!msToUs(double(ts), &s.startUs)) {
                context.badLine(xml.lineNumber(), QStringLiteral("ts is not a time"));
                continue;
            }
            label = a.value(QLatin1String("lb")).toString().toStdString();
            s.label = label;
            s.success = a.value(QLatin1String("s")) != QLatin1String("false");
            const QString code = a.value(QLatin1String("rc")).toString();
            s.code = code;
            s.message = a.value(QLatin1String("rm")).toString();
            const auto number = [&a](const char *name, qint64 fallback) {
                bool good = false;
                const qint64 v = a.value(QLatin1String(name)).toLongLong(&good);
                return good ? v : fallback;
            };
            s.bytes = number("by", 0);
            s.sentBytes = number("sby", 0);
            s.allThreads = number("na", -1);
            s.latencyMs = number("lt", -1);
            s.connectMs = number("ct", -1);
            record(s, builder);
        } else if (token == QXmlStreamReader::EndElement) {
            --depth;
        }
    }
    if (xml.hasError()) {
        if (xml.error() == QXmlStreamReader::PrematureEndOfDocumentError && sawRoot) {
            // A run killed mid-write: the samples read so far count, the cut one is bad.
            ++context.records;
            context.badLine(xml.lineNumber(),
                            QStringLiteral("the file ends inside a sample (truncated)"));
            return true;
        }
        if (!sawRoot || context.records == 0) {
            context.fatal = QStringLiteral("line ") + QString::number(xml.lineNumber()) +
                            QStringLiteral(": not a JMeter XML JTL: ") + xml.errorString();
            return false;
        }
        context.fatal = QStringLiteral("line ") + QString::number(xml.lineNumber()) +
                        QStringLiteral(": ") + xml.errorString();
        return false;
    }
    return true;
}

} // namespace loadscope::importing
