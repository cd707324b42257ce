#include "accesslogformat.h"

#include <cstring>

#include "interop/importreader.h"

namespace loadscope {
namespace {

constexpr qint64 kUsPerSec = 1000000;

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

bool isHex(char c)
{
    return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

//! Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
qint64 daysFromCivil(qint64 y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const qint64 era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = unsigned(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + qint64(doe) - 719468;
}

bool digits(std::string_view text, size_t at, size_t n, int *value)
{
    if (at + n > text.size())
        return false;
    int v = 0;
    for (size_t i = at; i < at + n; ++i) {
        if (!isDigit(text[i]))
            return false;
        v = v * 10 + (text[i] - '0');
    }
    *value = v;
    return true;
}

//! "02/Dec/2026:19:47:17 +0000" (brackets around it allowed) to µs since the epoch.
bool parseTimeLocal(std::string_view text, qint64 *us)
{
    if (!text.empty() && text.front() == '[')
        text.remove_prefix(1);
    if (!text.empty() && text.back() == ']')
        text.remove_suffix(1);
    static const char *const months = "JanFebMarAprMayJunJulAugSepOctNovDec";
    int day = 0, year = 0, hour = 0, minute = 0, second = 0, zh = 0, zm = 0;
    if (text.size() < 26 || !digits(text, 0, 2, &day) || text[2] != '/' || text[6] != '/' ||
        !digits(text, 7, 4, &year) || text[11] != ':' || !digits(text, 12, 2, &hour) ||
        !digits(text, 15, 2, &minute) || !digits(text, 18, 2, &second) || text[20] != ' ' ||
        (text[21] != '+' && text[21] != '-') || !digits(text, 22, 2, &zh) ||
        !digits(text, 24, 2, &zm))
        return false;
    const char *found = nullptr;
    for (int m = 0; m < 12 && !found; ++m)
        if (std::memcmp(months + 3 * m, text.data() + 3, 3) == 0)
            found = months + 3 * m;
    if (!found || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
        return false;
    const auto month = unsigned((found - months) / 3 + 1);
    const qint64 offset = (text[21] == '-' ? -1 : 1) * (zh * 3600 + zm * 60);
    *us =
        ((daysFromCivil(year, month, unsigned(day)) * 86400 + hour * 3600 + minute * 60 + second) -
         offset) *
        kUsPerSec;
    return true;
}

//! "0.123" seconds (or a sum "0.010, 0.002" / "0.010 : 0.002" over upstreams) to µs; false for
//! "-" (no upstream was asked).
bool parseSecondsList(std::string_view text, qint64 *us)
{
    qint64 total = 0;
    bool any = false;
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == ',' || text[i] == ':'))
            ++i;
        size_t end = i;
        while (end < text.size() && text[end] != ' ' && text[end] != ',' && text[end] != ':')
            ++end;
        if (end == i)
            break;
        double seconds = 0;
        qint64 partUs = 0;
        if (!importing::parseDouble(text.substr(i, end - i), &seconds) || seconds < 0 ||
            !importing::msToUs(seconds * 1e3, &partUs) || partUs > importing::kMaxFileUs - total)
            return false;
        total += partUs;
        any = true;
        i = end;
    }
    *us = total;
    return any;
}

bool parseCount(std::string_view text, qint64 *value)
{
    if (text == "-") { // Apache's %b for an empty body
        *value = 0;
        return true;
    }
    return importing::parseInt(text, value) && *value >= 0;
}

//! Where @p literal next starts in @p line from @p from; a '"' preceded by a backslash is
//! part of a value (Apache escapes quotes that way), not the end of a quoted field.
size_t findLiteral(std::string_view line, size_t from, const std::string &literal)
{
    size_t at = line.find(literal, from);
    while (at != std::string_view::npos && literal.front() == '"' && at > from) {
        size_t backslashes = 0;
        for (size_t i = at; i > from && line[i - 1] == '\\'; --i)
            ++backslashes;
        if (backslashes % 2 == 0)
            break;
        at = line.find(literal, at + 1);
    }
    return at;
}

bool isIdSegment(std::string_view segment)
{
    if (segment.empty())
        return false;
    size_t digitCount = 0;
    size_t hexCount = 0;
    size_t alnum = 0;
    for (const char c : segment) {
        digitCount += isDigit(c);
        hexCount += isHex(c);
        alnum +=
            isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
    }
    if (digitCount == segment.size())
        return true; // 42
    // 3f2a9c1e-... (UUID) or a long hex hash
    size_t dashes = 0;
    for (const char c : segment)
        dashes += c == '-';
    if (hexCount + dashes == segment.size() && hexCount >= 8 && digitCount > 0)
        return true;
    // opaque tokens: long, letters and digits mixed (base64url ids, slugs with numbers stay)
    return segment.size() >= 16 && alnum == segment.size() && digitCount >= 2 &&
           digitCount < segment.size();
}

} // namespace

std::string accessLogRoute(std::string_view target)
{
    const size_t query = target.find_first_of("?#");
    if (query != std::string_view::npos)
        target = target.substr(0, query);
    // An absolute-form target ("http://host/path", proxies) keeps only its path.
    if (const size_t scheme = target.find("://"); scheme != std::string_view::npos) {
        const size_t path = target.find('/', scheme + 3);
        target = path == std::string_view::npos ? std::string_view("/") : target.substr(path);
    }
    std::string route;
    route.reserve(target.size());
    size_t i = 0;
    while (i < target.size()) {
        if (target[i] == '/') {
            route += '/';
            ++i;
            continue;
        }
        size_t end = target.find('/', i);
        if (end == std::string_view::npos)
            end = target.size();
        const std::string_view segment = target.substr(i, end - i);
        if (isIdSegment(segment))
            route += "{id}";
        else
            route.append(segment);
        i = end;
    }
    return route.empty() ? std::string("/") : route;
}

void AccessLogFormat::add(Field field, std::string literal)
{
    if (field == Field::Literal) {
        if (literal.empty())
            return;
        if (!m_tokens.empty() && m_tokens.back().field == Field::Literal) {
            m_tokens.back().literal += literal;
            return;
        }
    }
    m_tokens.push_back({field, std::move(literal)});
}

bool AccessLogFormat::finishCompile(QString *error)
{
    bool time = false, status = false, request = false, method = false, target = false;
    for (size_t i = 0; i < m_tokens.size(); ++i) {
        const Field f = m_tokens[i].field;
        time |= f == Field::TimeLocal || f == Field::TimeIso8601 || f == Field::Msec;
        status |= f == Field::Status;
        request |= f == Field::Request;
        method |= f == Field::Method;
        target |= f == Field::Target || f == Field::Path;
        m_hasDuration |= f == Field::Seconds || f == Field::Millis || f == Field::Micros;
        m_hasUpstream |= f == Field::Upstream;
        // Two fields side by side cannot be told apart.
        if (f != Field::Literal && i + 1 < m_tokens.size() &&
            m_tokens[i + 1].field != Field::Literal) {
            *error = QStringLiteral("log format \"") + m_spec +
                     QStringLiteral("\": two fields with nothing between them cannot be read");
            return false;
        }
    }
    QString missing;
    if (!time)
        missing = QStringLiteral("a time ($time_local, $time_iso8601, $msec or %t)");
    else if (!status)
        missing = QStringLiteral("the status ($status or %>s)");
    else if (!request && !(method && target))
        missing = QStringLiteral("the request ($request or %r, or the method and the URI)");
    if (!missing.isEmpty()) {
        *error = QStringLiteral("log format \"") + m_spec + QStringLiteral("\" lacks ") + missing;
        return false;
    }
    return true;
}

std::optional<AccessLogFormat> AccessLogFormat::compile(Dialect dialect, const QString &spec,
                                                        QString *error)
{
    AccessLogFormat format;
    format.m_dialect = dialect;
    format.m_spec = spec;
    const std::string text = spec.toStdString();
    std::string literal;
    const auto flush = [&] {
        format.add(Field::Literal, literal);
        literal.clear();
    };
    size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (dialect == Dialect::Nginx && c == '$') {
            size_t start = i + 1;
            size_t end = start;
            const bool braced = start < text.size() && text[start] == '{';
            if (braced) {
                end = text.find('}', start);
                if (end == std::string::npos) {
                    *error = QStringLiteral("log format: \"${\" without \"}\"");
                    return std::nullopt;
                }
                ++start;
            } else {
                while (end < text.size() && (isDigit(text[end]) || text[end] == '_' ||
                                             (text[end] >= 'a' && text[end] <= 'z') ||
                                             (text[end] >= 'A' && text[end] <= 'Z')))
                    ++end;
            }
            const std::string name = text.substr(start, end - start);
            i = braced ? end + 1 : end;
            if (name.empty()) {
                literal += '$';
                continue;
            }
            flush();
            static const std::vector<std::pair<const char *, Field>> names{
                {"time_local", Field::TimeLocal},
                {"time_iso8601", Field::TimeIso8601},
                {"msec", Field::Msec},
                {"request", Field::Request},
                {"request_method", Field::Method},
                {"request_uri", Field::Target},
                {"uri", Field::Path},
                {"document_uri", Field::Path},
                {"status", Field::Status},
                {"body_bytes_sent", Field::BytesOut},
                {"bytes_sent", Field::BytesOut},
                {"request_length", Field::BytesIn},
                {"request_time", Field::Seconds},
                {"upstream_response_time", Field::Upstream},
            };
            Field field = Field::Skip;
            for (const auto &[known, f] : names)
                if (name == known)
                    field = f;
            format.add(field);
            continue;
        }
        if (dialect == Dialect::Apache && c == '%') {
            size_t j = i + 1;
            if (j < text.size() && text[j] == '%') {
                literal += '%';
                i = j + 1;
                continue;
            }
            // %400,501{Referer}i, %>s, %<s, %!200h: conditions and redirect markers first.
            while (j < text.size() && (isDigit(text[j]) || text[j] == ',' || text[j] == '!' ||
                                       text[j] == '<' || text[j] == '>'))
                ++j;
            std::string argument;
            if (j < text.size() && text[j] == '{') {
                const size_t close = text.find('}', j);
                if (close == std::string::npos) {
                    *error = QStringLiteral("log format: \"%{\" without \"}\"");
                    return std::nullopt;
                }
                argument = text.substr(j + 1, close - j - 1);
                j = close + 1;
            }
            if (j >= text.size()) {
                *error = QStringLiteral("log format ends inside a % directive");
                return std::nullopt;
            }
            const char directive = text[j];
            i = j + 1;
            flush();
            Field field = Field::Skip;
            switch (directive) {
            case 't':
                // %{...}t with a strftime format is not read; plain %t is.
                field = argument.empty() ? Field::TimeLocal : Field::Skip;
                break;
            case 'r':
                field = Field::Request;
                break;
            case 'm':
                field = Field::Method;
                break;
            case 'U':
                field = Field::Path;
                break;
            case 's':
                field = Field::Status;
                break;
            case 'b':
            case 'B':
            case 'O':
                field = Field::BytesOut;
                break;
            case 'I':
                field = Field::BytesIn;
                break;
            case 'D':
                field = Field::Micros;
                break;
            case 'T':
                field = argument == "ms"   ? Field::Millis
                        : argument == "us" ? Field::Micros
                                           : Field::Seconds;
                break;
            default:
                break;
            }
            format.add(field);
            continue;
        }
        if (c == '\\' && i + 1 < text.size() && dialect == Dialect::Apache) {
            // LogFormat strings are C-like: \" is a quote, \t a tab.
            const char next = text[i + 1];
            literal += next == 't' ? '\t' : next == 'n' ? '\n' : next;
            i += 2;
            continue;
        }
        literal += c;
        ++i;
    }
    flush();
    if (!format.finishCompile(error))
        return std::nullopt;
    return format;
}

AccessLogFormat AccessLogFormat::nginxCombined()
{
    QString error;
    return *compile(Dialect::Nginx,
                    QStringLiteral("$remote_addr - $remote_user [$time_local] \"$request\" $status "
                                   "$body_bytes_sent \"$http_referer\" \"$http_user_agent\""),
                    &error);
}

AccessLogFormat AccessLogFormat::apacheCombined()
{
    QString error;
    return *compile(Dialect::Apache,
                    QStringLiteral("%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-agent}i\""),
                    &error);
}

bool AccessLogFormat::parse(std::string_view line, Entry *entry, const char **why) const
{
    *entry = Entry();
    entry->timeIsStart = m_dialect == Dialect::Apache;
    size_t at = 0;
    for (size_t i = 0; i < m_tokens.size(); ++i) {
        const Token &token = m_tokens[i];
        if (token.field == Field::Literal) {
            if (line.compare(at, token.literal.size(), token.literal) != 0) {
                *why = "does not match the log format";
                return false;
            }
            at += token.literal.size();
            continue;
        }
        size_t end = line.size();
        if (i + 1 < m_tokens.size()) {
            end = findLiteral(line, at, m_tokens[i + 1].literal);
            if (end == std::string_view::npos) {
                *why = "does not match the log format (a field runs to the end of the line)";
                return false;
            }
        }
        // %t is "[...]" with a space inside: its value runs to the closing bracket.
        if (token.field == Field::TimeLocal && at < line.size() && line[at] == '[') {
            const size_t close = line.find(']', at);
            if (close == std::string_view::npos) {
                *why = "the time has no closing ']'";
                return false;
            }
            if (i + 1 < m_tokens.size())
                end = line.compare(close + 1, m_tokens[i + 1].literal.size(),
                                   m_tokens[i + 1].literal) == 0
                          ? close + 1
                          : end;
        }
        const std::string_view value = line.substr(at, end - at);
        at = end;
        qint64 number = 0;
        switch (token.field) {
        case Field::TimeLocal:
            if (!parseTimeLocal(value, &entry->timeUs)) {
                *why = "bad time (expected 02/Dec/2026:19:47:17 +0000)";
                return false;
            }
            break;
        case Field::TimeIso8601:
            if (!importing::parseRfc3339(value, &entry->timeUs)) {
                *why = "bad ISO 8601 time";
                return false;
            }
            entry->timeIsStart = false;
            break;
        case Field::Msec: {
            double seconds = 0;
            if (!importing::parseDouble(value, &seconds) ||
                !importing::msToUs(seconds * 1e3, &entry->timeUs)) {
                *why = "bad $msec";
                return false;
            }
            entry->timeIsStart = false;
            break;
        }
        case Field::Request: {
            const size_t space = value.find(' ');
            if (space == std::string_view::npos || space == 0) {
                *why = "no request line (METHOD URI PROTOCOL)";
                return false;
            }
            entry->method = value.substr(0, space);
            std::string_view rest = value.substr(space + 1);
            const size_t protocol = rest.rfind(" HTTP/");
            entry->target = protocol == std::string_view::npos ? rest : rest.substr(0, protocol);
            break;
        }
        case Field::Method:
            entry->method = value;
            break;
        case Field::Target:
        case Field::Path:
            if (entry->target.empty())
                entry->target = value;
            break;
        case Field::Status:
            if (!importing::parseInt(value, &number) || number < 100 || number > 999) {
                *why = "bad status";
                return false;
            }
            entry->status = int(number);
            break;
        case Field::BytesOut:
            if (!parseCount(value, &number)) {
                *why = "bad byte count";
                return false;
            }
            entry->bytesOut = number;
            break;
        case Field::BytesIn:
            if (parseCount(value, &number))
                entry->bytesIn = number;
            break;
        case Field::Seconds:
            if (!parseSecondsList(value, &entry->durationUs)) {
                *why = "bad request time";
                return false;
            }
            break;
        case Field::Millis:
        case Field::Micros:
            if (!importing::parseInt(value, &number) || number < 0 ||
                !importing::msToUs(double(number) / (token.field == Field::Millis ? 1 : 1000),
                                   &entry->durationUs)) {
                *why = "bad request time";
                return false;
            }
            if (token.field == Field::Micros)
                entry->durationUs = number; // exact: µs as they were
            break;
        case Field::Upstream:
            if (!parseSecondsList(value, &entry->upstreamUs))
                entry->upstreamUs = -1;
            break;
        case Field::Literal:
        case Field::Skip:
            break;
        }
    }
    if (at != line.size()) {
        *why = "has more than the log format";
        return false;
    }
    if (entry->method.empty() || entry->target.empty() || entry->timeUs < 0) {
        *why = "no request line (METHOD URI PROTOCOL)";
        return false;
    }
    return true;
}

} // namespace loadscope
