#include "importreader.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include <openssl/evp.h>

#include "interop/importformats.h"

namespace loadscope::importing {

namespace {

constexpr size_t kChunk = 1 << 20;

// Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil).
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
        const char c = text[i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *value = v;
    return true;
}

} // namespace

Sha256::Sha256()
    : m_ctx(EVP_MD_CTX_new())
{
    if (m_ctx)
        EVP_DigestInit_ex(m_ctx, EVP_sha256(), nullptr);
}

Sha256::~Sha256()
{
    EVP_MD_CTX_free(m_ctx);
}

void Sha256::add(const char *data, size_t size)
{
    if (m_ctx)
        EVP_DigestUpdate(m_ctx, data, size);
}

QString Sha256::hex()
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (!m_ctx || EVP_DigestFinal_ex(m_ctx, digest, &length) != 1)
        return {};
    return QString::fromLatin1(
        QByteArray(reinterpret_cast<const char *>(digest), int(length)).toHex());
}

QString sha256Of(const QByteArray &bytes)
{
    Sha256 hash;
    hash.add(bytes.constData(), size_t(bytes.size()));
    return hash.hex();
}

QString sha256OfFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = file.errorString();
        return {};
    }
    Sha256 hash;
    std::vector<char> buffer(kChunk);
    for (;;) {
        const qint64 n = file.read(buffer.data(), qint64(buffer.size()));
        if (n < 0) {
            *error = file.errorString();
            return {};
        }
        if (n == 0)
            break;
        hash.add(buffer.data(), size_t(n));
    }
    return hash.hex();
}

LineReader::LineReader(const QString &path)
    : m_file(path)
{}

bool LineReader::open()
{
    if (!m_file.open(QIODevice::ReadOnly))
        return false;
    m_size = m_file.size();
    m_buffer.resize(kChunk * 2);
    return true;
}

bool LineReader::fill()
{
    if (m_eof)
        return false;
    // Keep the unread tail, make room for one more chunk.
    if (m_begin > 0) {
        std::memmove(m_buffer.data(), m_buffer.data() + m_begin, m_end - m_begin);
        m_end -= m_begin;
        m_begin = 0;
    }
    if (m_buffer.size() - m_end < kChunk)
        m_buffer.resize(m_end + kChunk); // a line longer than the buffer: grow for it
    const qint64 n = m_file.read(m_buffer.data() + m_end, qint64(kChunk));
    if (n <= 0) {
        m_eof = true;
        return false;
    }
    m_hash.add(m_buffer.data() + m_end, size_t(n));
    size_t start = m_end;
    m_end += size_t(n);
    if (m_first) {
        m_first = false;
        if (m_end - start >= 3 && std::memcmp(m_buffer.data() + start, "\xEF\xBB\xBF", 3) == 0)
            m_begin += 3;
    }
    return true;
}

bool LineReader::next(std::string_view *line)
{
    for (;;) {
        const char *base = m_buffer.data();
        const void *nl =
            m_begin < m_end ? std::memchr(base + m_begin, '\n', m_end - m_begin) : nullptr;
        if (nl) {
            const size_t at = size_t(static_cast<const char *>(nl) - base);
            size_t len = at - m_begin;
            if (len > 0 && base[m_begin + len - 1] == '\r')
                --len;
            *line = std::string_view(base + m_begin, len);
            m_consumed += qint64(at + 1 - m_begin);
            m_begin = at + 1;
            ++m_lineNumber;
            m_unterminated = false;
            return true;
        }
        if (!fill()) {
            if (m_begin >= m_end)
                return false;
            size_t len = m_end - m_begin;
            if (base[m_begin + len - 1] == '\r')
                --len;
            *line = std::string_view(m_buffer.data() + m_begin, len);
            m_consumed += qint64(m_end - m_begin);
            m_begin = m_end;
            ++m_lineNumber;
            m_unterminated = true;
            return true;
        }
    }
}

QString LineReader::finishHash()
{
    while (fill())
        m_begin = m_end;
    return m_hash.hex();
}

QByteArray LineReader::peek(const QString &path, qint64 n, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = file.errorString();
        return {};
    }
    QByteArray head = file.read(n);
    if (head.startsWith("\xEF\xBB\xBF"))
        head.remove(0, 3);
    return head;
}

bool splitCsv(std::string_view line, char delimiter, std::vector<std::string_view> *fields,
              std::vector<std::string> *scratch)
{
    fields->clear();
    size_t scratchUsed = 0;
    size_t i = 0;
    const size_t n = line.size();
    for (;;) {
        if (i < n && line[i] == '"') {
            // Quoted: up to the closing quote; "" inside stands for one quote.
            size_t j = i + 1;
            bool doubled = false;
            for (;;) {
                if (j >= n)
                    return false;
                if (line[j] == '"') {
                    if (j + 1 < n && line[j + 1] == '"') {
                        doubled = true;
                        j += 2;
                        continue;
                    }
                    break;
                }
                ++j;
            }
            std::string_view inner = line.substr(i + 1, j - i - 1);
            if (doubled) {
                if (scratch->size() <= scratchUsed)
                    scratch->emplace_back();
                std::string &s = (*scratch)[scratchUsed++];
                s.clear();
                for (size_t k = 0; k < inner.size(); ++k) {
                    s.push_back(inner[k]);
                    if (inner[k] == '"')
                        ++k;
                }
                inner = s;
            }
            fields->push_back(inner);
            i = j + 1;
            if (i >= n)
                return true;
            if (line[i] != delimiter)
                return false;
            ++i;
            if (i == n) {
                fields->push_back({});
                return true;
            }
            continue;
        }
        // A plain loop, not memchr(): the fields of a CSV result are a few bytes long, shorter
        // than the call costs (and it never reads the null data() of an empty view).
        const char *const data = line.data();
        size_t at = i;
        while (at < n && data[at] != delimiter)
            ++at;
        if (at == n) {
            fields->push_back(line.substr(i));
            return true;
        }
        fields->push_back(line.substr(i, at - i));
        i = at + 1;
        if (i == n) {
            fields->push_back({});
            return true;
        }
    }
}

namespace {

//! A whole-field number in @p text (an optional leading '+', nothing after it).
template<typename Number> bool parseNumber(std::string_view text, Number *value)
{
    if (text.empty())
        return false;
    const char *begin = text.data();
    if (*begin == '+')
        ++begin;
    const auto [end, ec] = std::from_chars(begin, text.data() + text.size(), *value);
    return ec == std::errc() && end == text.data() + text.size();
}

} // namespace

bool parseInt(std::string_view text, qint64 *value)
{
    return parseNumber(text, value);
}

bool parseDouble(std::string_view text, double *value)
{
    return parseNumber(text, value);
}

bool parseRfc3339(std::string_view t, qint64 *epochUs)
{
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!digits(t, 0, 4, &year) || t.size() < 19 || t[4] != '-' || !digits(t, 5, 2, &month) ||
        t[7] != '-' || !digits(t, 8, 2, &day) || (t[10] != 'T' && t[10] != 't' && t[10] != ' ') ||
        !digits(t, 11, 2, &hour) || t[13] != ':' || !digits(t, 14, 2, &minute) || t[16] != ':' ||
        !digits(t, 17, 2, &second))
        return false;
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
        return false;
    size_t i = 19;
    qint64 micros = 0;
    if (i < t.size() && (t[i] == '.' || t[i] == ',')) {
        ++i;
        int n = 0;
        while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
            if (n < 6) {
                micros = micros * 10 + (t[i] - '0');
                ++n;
            }
            ++i;
        }
        if (n == 0)
            return false;
        for (; n < 6; ++n)
            micros *= 10;
    }
    qint64 offsetSec = 0;
    if (i < t.size() && (t[i] == 'Z' || t[i] == 'z')) {
        ++i;
    } else if (i < t.size() && (t[i] == '+' || t[i] == '-')) {
        int oh = 0, om = 0;
        if (!digits(t, i + 1, 2, &oh))
            return false;
        size_t j = i + 3;
        if (j < t.size() && t[j] == ':')
            ++j;
        if (!digits(t, j, 2, &om))
            return false;
        offsetSec = (oh * 3600 + om * 60) * (t[i] == '-' ? -1 : 1);
        i = j + 2;
    } else {
        return false;
    }
    if (i != t.size())
        return false;
    const qint64 days = daysFromCivil(year, unsigned(month), unsigned(day));
    const qint64 secs = days * 86400 + hour * 3600 + minute * 60 + second - offsetSec;
    *epochUs = secs * 1'000'000 + micros;
    return true;
}

bool parseTimestamp(std::string_view text, qint64 *epochUs)
{
    if (text.size() >= 19 && text[4] == '-')
        return parseRfc3339(text, epochUs);
    double v = 0;
    if (!parseDouble(text, &v) || v < 0)
        return false;
    // Unix time told apart by magnitude: seconds until the year 5138, then ms, µs, ns.
    const double us = v < 1e11 ? v * 1e6 : v < 1e14 ? v * 1e3 : v < 1e17 ? v : v / 1e3;
    if (!(us <= double(kMaxFileUs)))
        return false;
    *epochUs = qint64(us + 0.5);
    return true;
}

bool msToUs(double ms, qint64 *us)
{
    const double value = ms * 1000.0;
    if (!(std::fabs(value) <= double(kMaxFileUs)))
        return false; // NaN too
    *us = qint64(std::llround(value));
    return true;
}

qint64 msToUsClamped(double ms)
{
    qint64 us = 0;
    if (msToUs(ms, &us))
        return us;
    return std::isnan(ms) ? 0 : ms > 0 ? kMaxFileUs : -kMaxFileUs;
}

void ParseContext::badLineOf(const LineReader &reader, const char *why)
{
    badLine(reader.lineNumber(),
            QString::fromLatin1(why) + (reader.lastLineUnterminated()
                                            ? QStringLiteral(" (the file ends inside this line)")
                                            : QString()));
}

} // namespace loadscope::importing
