// k6's per-request outputs: `--out json` (NDJSON) and `--out csv`. Every sample is one line
// with a metric name, a time, a value and the request's tags; http_req_duration lines are the
// requests, the other http_req_* lines their timing breakdown, vus / checks / data_* / iteration_*
// the rest. Lines are parsed in place (no JSON DOM, no QString per line) to stay fast.
#include <cmath>
#include <cstring>

#include "interop/importformats.h"
#include "interop/importreader.h"
#include "interop/runbuilder.h"

namespace loadscope::importing {

namespace {

enum class Metric
{
    Other,
    Duration,
    Blocked,
    Connecting,
    Tls,
    Sending,
    Waiting,
    Receiving,
    Vus,
    Checks,
    DataReceived,
    DataSent,
    Iteration
};

Metric metricOf(std::string_view name)
{
    if (name.size() < 3)
        return Metric::Other;
    if (name.substr(0, 9) == "http_req_") {
        const std::string_view rest = name.substr(9);
        if (rest == "duration")
            return Metric::Duration;
        if (rest == "blocked")
            return Metric::Blocked;
        if (rest == "connecting")
            return Metric::Connecting;
        if (rest == "tls_handshaking")
            return Metric::Tls;
        if (rest == "sending")
            return Metric::Sending;
        if (rest == "waiting")
            return Metric::Waiting;
        if (rest == "receiving")
            return Metric::Receiving;
        return Metric::Other;
    }
    if (name == "vus")
        return Metric::Vus;
    if (name == "checks")
        return Metric::Checks;
    if (name == "data_received")
        return Metric::DataReceived;
    if (name == "data_sent")
        return Metric::DataSent;
    if (name == "iteration_duration")
        return Metric::Iteration;
    return Metric::Other;
}

//! The tags a request line carries that the import reads.
struct Tags
{
    std::string_view name, method, url, status, expected, errorCode;
};

//! One sample of either format, ready for the builder.
struct Sample
{
    std::string_view metric;
    qint64 timeUs = 0;
    double value = 0;
    Tags tags;
};

int intOr(std::string_view text, int fallback)
{
    qint64 v = 0;
    return parseInt(text, &v) ? int(v) : fallback;
}

void apply(const Sample &s, RunBuilder &builder, std::string *nameBuffer)
{
    switch (metricOf(s.metric)) {
    case Metric::Duration: {
        // The name tag (k6 sets it to the URL unless the script names the request), else
        // method + URL; a name equal to the URL gets the method too, like our own endpoints.
        std::string_view name = s.tags.name;
        if (name.empty() || name == s.tags.url) {
            nameBuffer->assign(s.tags.method);
            if (!nameBuffer->empty())
                nameBuffer->push_back(' ');
            nameBuffer->append(s.tags.url.empty() ? s.tags.name : s.tags.url);
            name = *nameBuffer;
        }
        const int expected = s.tags.expected == "true" ? 1 : s.tags.expected == "false" ? 0 : -1;
        const ErrorClass error =
            k6ErrorClass(intOr(s.tags.status, -1), expected, intOr(s.tags.errorCode, 0));
        const qint64 durationUs = msToUsClamped(s.value);
        builder.addRequest(s.timeUs - durationUs, builder.endpoint(name), durationUs, error);
        break;
    }
    case Metric::Blocked:
        builder.addTiming(s.timeUs, 0, msToUsClamped(s.value));
        break;
    case Metric::Connecting:
        builder.addTiming(s.timeUs, 1, msToUsClamped(s.value));
        break;
    case Metric::Tls:
        builder.addTiming(s.timeUs, 2, msToUsClamped(s.value));
        break;
    case Metric::Sending:
        builder.addTiming(s.timeUs, 3, msToUsClamped(s.value));
        break;
    case Metric::Waiting:
        builder.addTiming(s.timeUs, 4, msToUsClamped(s.value));
        break;
    case Metric::Receiving:
        builder.addTiming(s.timeUs, 5, msToUsClamped(s.value));
        break;
    case Metric::Vus:
        builder.addVus(s.timeUs, int(s.value));
        break;
    case Metric::Checks:
        builder.addCheck(s.timeUs, s.value != 0);
        break;
    case Metric::DataReceived:
        builder.addBytes(s.timeUs, qint64(s.value), 0);
        break;
    case Metric::DataSent:
        builder.addBytes(s.timeUs, 0, qint64(s.value));
        break;
    case Metric::Iteration:
        builder.addIteration(s.timeUs, msToUsClamped(s.value));
        break;
    case Metric::Other:
        break;
    }
}

//! A just-enough JSON reader over one line: strings (escapes decoded into caller buffers),
//! numbers, and skipping of any other value.
class JsonLine
{
public:
    explicit JsonLine(std::string_view line)
        : m_p(line.data())
        , m_end(line.data() + line.size())
    {}

    void ws()
    {
        while (m_p < m_end && (*m_p == ' ' || *m_p == '\t' || *m_p == '\r'))
            ++m_p;
    }
    bool eat(char c)
    {
        ws();
        if (m_p < m_end && *m_p == c) {
            ++m_p;
            return true;
        }
        return false;
    }
    bool peek(char c)
    {
        ws();
        return m_p < m_end && *m_p == c;
    }
    bool atEnd()
    {
        ws();
        return m_p == m_end;
    }

    //! A string; @p buffer holds it when it has escapes.
    bool string(std::string_view *out, std::string *buffer)
    {
        if (!eat('"'))
            return false;
        const char *start = m_p;
        // The closing quote by memchr, then whether an escape comes before it.
        const auto *quote = static_cast<const char *>(std::memchr(m_p, '"', size_t(m_end - m_p)));
        if (!quote)
            return false;
        const auto *escape = static_cast<const char *>(std::memchr(m_p, '\\', size_t(quote - m_p)));
        m_p = escape ? escape : quote;
        if (*m_p == '"') {
            *out = std::string_view(start, size_t(m_p - start));
            ++m_p;
            return true;
        }
        buffer->assign(start, size_t(m_p - start));
        while (m_p < m_end && *m_p != '"') {
            if (*m_p != '\\') {
                buffer->push_back(*m_p++);
                continue;
            }
            if (++m_p >= m_end)
                return false;
            const char e = *m_p++;
            switch (e) {
            case 'n':
                buffer->push_back('\n');
                break;
            case 't':
                buffer->push_back('\t');
                break;
            case 'r':
                buffer->push_back('\r');
                break;
            case 'b':
                buffer->push_back('\b');
                break;
            case 'f':
                buffer->push_back('\f');
                break;
            case 'u': {
                if (m_end - m_p < 4)
                    return false;
                unsigned code = 0;
                for (int i = 0; i < 4; ++i) {
                    const char h = *m_p++;
                    code <<= 4;
                    if (h >= '0' && h <= '9')
                        code |= unsigned(h - '0');
                    else if (h >= 'a' && h <= 'f')
                        code |= unsigned(h - 'a' + 10);
                    else if (h >= 'A' && h <= 'F')
                        code |= unsigned(h - 'A' + 10);
                    else
                        return false;
                }
                // Surrogate pairs are rare in tags: each half becomes U+FFFD.
                if (code >= 0xD800 && code <= 0xDFFF)
                    code = 0xFFFD;
                if (code < 0x80) {
                    buffer->push_back(char(code));
                } else if (code < 0x800) {
                    buffer->push_back(char(0xC0 | (code >> 6)));
                    buffer->push_back(char(0x80 | (code & 0x3F)));
                } else {
                    buffer->push_back(char(0xE0 | (code >> 12)));
                    buffer->push_back(char(0x80 | ((code >> 6) & 0x3F)));
                    buffer->push_back(char(0x80 | (code & 0x3F)));
                }
                break;
            }
            default:
                buffer->push_back(e); // " \ /
            }
        }
        if (m_p >= m_end)
            return false;
        ++m_p;
        *out = *buffer;
        return true;
    }

    bool number(double *value)
    {
        ws();
        const char *start = m_p;
        while (m_p < m_end && (std::strchr("+-.eE", *m_p) || (*m_p >= '0' && *m_p <= '9')))
            ++m_p;
        return parseDouble(std::string_view(start, size_t(m_p - start)), value);
    }

    bool skipValue(int depth = 0)
    {
        ws();
        if (m_p >= m_end || depth > 32)
            return false;
        std::string scratch;
        std::string_view ignored;
        switch (*m_p) {
        case '"':
            return string(&ignored, &scratch);
        case '{':
            ++m_p;
            if (eat('}'))
                return true;
            do {
                if (!string(&ignored, &scratch) || !eat(':') || !skipValue(depth + 1))
                    return false;
            } while (eat(','));
            return eat('}');
        case '[':
            ++m_p;
            if (eat(']'))
                return true;
            do {
                if (!skipValue(depth + 1))
                    return false;
            } while (eat(','));
            return eat(']');
        default: {
            const char *start = m_p;
            while (m_p < m_end && *m_p != ',' && *m_p != '}' && *m_p != ']' && *m_p != ' ')
                ++m_p;
            const std::string_view word(start, size_t(m_p - start));
            double d = 0;
            return word == "true" || word == "false" || word == "null" || parseDouble(word, &d);
        }
        }
    }

private:
    const char *m_p;
    const char *m_end;
};

struct JsonBuffers
{
    std::string key, type, metric, time, tag, name, method, url, status, expected, errorCode;
};

//! Parses data.tags: the values the import reads are kept, the rest skipped.
bool parseTags(JsonLine &json, Tags *tags, JsonBuffers &b)
{
    if (json.eat('{') && json.eat('}'))
        return true;
    do {
        std::string_view key;
        if (!json.string(&key, &b.key) || !json.eat(':'))
            return false;
        std::string *buffer = nullptr;
        std::string_view *slot = nullptr;
        if (key == "name") {
            slot = &tags->name;
            buffer = &b.name;
        } else if (key == "method") {
            slot = &tags->method;
            buffer = &b.method;
        } else if (key == "url") {
            slot = &tags->url;
            buffer = &b.url;
        } else if (key == "status") {
            slot = &tags->status;
            buffer = &b.status;
        } else if (key == "expected_response") {
            slot = &tags->expected;
            buffer = &b.expected;
        } else if (key == "error_code") {
            slot = &tags->errorCode;
            buffer = &b.errorCode;
        }
        if (slot && json.peek('"')) {
            if (!json.string(slot, buffer))
                return false;
        } else if (!json.skipValue()) {
            return false;
        }
    } while (json.eat(','));
    return json.eat('}');
}

//! One NDJSON line: "" when it is a usable Metric / Point line, else what is wrong with it.
const char *parseJsonLine(std::string_view line, Sample *s, bool *isPoint, JsonBuffers &b)
{
    JsonLine json(line);
    if (!json.eat('{'))
        return "not a JSON object";
    std::string_view type;
    bool haveTime = false, haveValue = false, haveData = false;
    *s = Sample();
    if (!json.eat('}')) {
        do {
            std::string_view key;
            if (!json.string(&key, &b.key) || !json.eat(':'))
                return "not valid JSON (truncated?)";
            if (key == "type") {
                if (!json.string(&type, &b.type))
                    return "\"type\" is not a string";
            } else if (key == "metric") {
                if (!json.string(&s->metric, &b.metric))
                    return "\"metric\" is not a string";
            } else if (key == "data" && json.peek('{')) {
                haveData = true;
                json.eat('{');
                if (!json.eat('}')) {
                    do {
                        std::string_view dataKey;
                        if (!json.string(&dataKey, &b.key) || !json.eat(':'))
                            return "not valid JSON (truncated?)";
                        if (dataKey == "time" && json.peek('"')) {
                            std::string_view time;
                            if (!json.string(&time, &b.time))
                                return "not valid JSON (truncated?)";
                            haveTime = parseRfc3339(time, &s->timeUs);
                            if (!haveTime)
                                return "data.time is not an RFC 3339 time";
                        } else if (dataKey == "value" && !json.peek('"') && !json.peek('{')) {
                            haveValue = json.number(&s->value);
                            if (!haveValue)
                                return "data.value is not a number";
                        } else if (dataKey == "tags" && json.peek('{')) {
                            if (!parseTags(json, &s->tags, b))
                                return "not valid JSON (truncated?)";
                        } else if (!json.skipValue()) {
                            return "not valid JSON (truncated?)";
                        }
                    } while (json.eat(','));
                    if (!json.eat('}'))
                        return "not valid JSON (truncated?)";
                }
            } else if (!json.skipValue()) {
                return "not valid JSON (truncated?)";
            }
        } while (json.eat(','));
        if (!json.eat('}'))
            return "not valid JSON (truncated?)";
    }
    if (!json.atEnd())
        return "text after the JSON object";
    if (type == "Metric") {
        *isPoint = false;
        return "";
    }
    if (type != "Point")
        return "neither a k6 Metric nor a Point line";
    if (s->metric.empty() || !haveData || !haveTime || !haveValue)
        return "a Point needs metric, data.time and data.value";
    *isPoint = true;
    return "";
}

void progress(LineReader &reader, ParseContext &context)
{
    if (context.progress && (context.records & 0xFFFF) == 0)
        context.progress(reader.bytesRead(), reader.size());
}

} // namespace

ErrorClass k6ErrorClass(int status, int expected, int errorCode)
{
    // k6's default http_req_failed: a status outside 200-399 (or none); a response callback
    // may say otherwise through the expected_response tag.
    const bool failed = expected >= 0 ? expected == 0 : (status < 200 || status >= 400);
    if (!failed)
        return ErrorClass::None;
    if (status >= 400)
        return errorClassForStatus(status);
    // No response: k6's error codes (docs "Error codes"): 1050 request timeout, 11xx DNS,
    // 1211 dial timeout, 1201/1220 broken pipe / reset, 12xx other TCP, 13xx TLS, 16xx HTTP/2.
    if (errorCode == 1050 || errorCode == 1211)
        return ErrorClass::Timeout;
    if (errorCode >= 1100 && errorCode < 1200)
        return ErrorClass::Dns;
    if (errorCode == 1201 || errorCode == 1220)
        return ErrorClass::Reset;
    if (errorCode >= 1200 && errorCode < 1300)
        return ErrorClass::Connect;
    if (errorCode >= 1300 && errorCode < 1400)
        return ErrorClass::Tls;
    if (errorCode >= 1400 && errorCode < 1500)
        return ErrorClass::Http4xx;
    if (errorCode >= 1500 && errorCode < 1600)
        return ErrorClass::Http5xx;
    if (status <= 0 && errorCode == 0)
        return ErrorClass::Connect;
    return ErrorClass::Protocol; // 10xx, 16xx, or a status the script did not expect
}

bool parseK6Json(LineReader &reader, RunBuilder &builder, ParseContext &context)
{
    std::string_view line;
    JsonBuffers buffers;
    std::string nameBuffer;
    Sample sample;
    while (reader.next(&line)) {
        if (line.empty() || line.find_first_not_of(" \t") == std::string_view::npos)
            continue;
        ++context.records;
        progress(reader, context);
        if (context.cancelled())
            return false;
        bool isPoint = false;
        const char *why = parseJsonLine(line, &sample, &isPoint, buffers);
        if (*why) {
            if (context.records == 1 && builder.isEmpty() && line.front() != '{') {
                context.fatal = QStringLiteral("line 1 is not a k6 JSON line");
                return false;
            }
            context.badLine(reader.lineNumber(),
                            QString::fromLatin1(why) +
                                (reader.lastLineUnterminated()
                                     ? QStringLiteral(" (the file ends inside this line)")
                                     : QString()));
            continue;
        }
        if (isPoint)
            apply(sample, builder, &nameBuffer);
    }
    return true;
}

bool parseK6Csv(LineReader &reader, RunBuilder &builder, ParseContext &context)
{
    std::string_view line;
    std::vector<std::string_view> fields;
    std::vector<std::string> scratch;
    // The header names the columns (k6 writes only those it was configured for).
    while (reader.next(&line) && line.empty()) {
    }
    if (!splitCsv(line, ',', &fields, &scratch)) {
        context.fatal = QStringLiteral("line 1 is not a k6 CSV header");
        return false;
    }
    int cMetric = -1, cTime = -1, cValue = -1, cName = -1, cMethod = -1, cUrl = -1, cStatus = -1,
        cExpected = -1, cErrorCode = -1, cExtra = -1;
    for (int i = 0; i < int(fields.size()); ++i) {
        const std::string_view f = fields[size_t(i)];
        int *slot = f == "metric_name"         ? &cMetric
                    : f == "timestamp"         ? &cTime
                    : f == "metric_value"      ? &cValue
                    : f == "name"              ? &cName
                    : f == "method"            ? &cMethod
                    : f == "url"               ? &cUrl
                    : f == "status"            ? &cStatus
                    : f == "expected_response" ? &cExpected
                    : f == "error_code"        ? &cErrorCode
                    : f == "extra_tags"        ? &cExtra
                                               : nullptr;
        if (slot)
            *slot = i;
    }
    if (cMetric < 0 || cTime < 0 || cValue < 0) {
        context.fatal = QStringLiteral("line ") + QString::number(reader.lineNumber()) +
                        QStringLiteral(": a k6 CSV header needs metric_name, timestamp and"
                                       " metric_value");
        return false;
    }
    const int needed = std::max({cMetric, cTime, cValue});
    std::string nameBuffer;
    Sample s;
    auto column = [&fields](int c) {
        return c >= 0 && c < int(fields.size()) ? fields[size_t(c)] : std::string_view();
    };
    while (reader.next(&line)) {
        if (line.empty())
            continue;
        ++context.records;
        progress(reader, context);
        if (context.cancelled())
            return false;
        const auto bad = [&](const char *why) { context.badLineOf(reader, why); };
        if (!splitCsv(line, ',', &fields, &scratch)) {
            bad("a quoted field is not closed");
            continue;
        }
        if (int(fields.size()) <= needed) {
            bad("fewer columns than the header names");
            continue;
        }
        s = Sample();
        s.metric = fields[size_t(cMetric)];
        if (!parseTimestamp(fields[size_t(cTime)], &s.timeUs)) {
            bad("timestamp is neither unix time nor RFC 3339");
            continue;
        }
        if (!parseDouble(fields[size_t(cValue)], &s.value)) {
            bad("metric_value is not a number");
            continue;
        }
        s.tags.name = column(cName);
        s.tags.method = column(cMethod);
        s.tags.url = column(cUrl);
        s.tags.status = column(cStatus);
        s.tags.expected = column(cExpected);
        s.tags.errorCode = column(cErrorCode);
        // Tags k6 has no column for come as extra_tags "k=v&k2=v2": a name set there counts.
        if (s.tags.name.empty() && cExtra >= 0) {
            const std::string_view extra = column(cExtra);
            size_t at = 0;
            while (at < extra.size()) {
                size_t amp = extra.find('&', at);
                if (amp == std::string_view::npos)
                    amp = extra.size();
                const std::string_view pair = extra.substr(at, amp - at);
                if (pair.substr(0, 5) == "name=")
                    s.tags.name = pair.substr(5);
                at = amp + 1;
            }
        }
        apply(s, builder, &nameBuffer);
    }
    return true;
}

} // namespace loadscope::importing
