#include "servertiming.h"

#include <charconv>
#include <cmath>

namespace loadscope {

namespace {

bool isOws(char c)
{
    return c == ' ' || c == '\t';
}

// Reads a token or a quoted string starting at @p i; leaves @p i after it.
QByteArrayView readValue(const char *s, qsizetype n, qsizetype &i, bool &quoted)
{
    quoted = i < n && s[i] == '"';
    if (quoted) {
        const qsizetype begin = ++i;
        while (i < n && s[i] != '"') {
            if (s[i] == '\\' && i + 1 < n)
                ++i;
            ++i;
        }
        const QByteArrayView value(s + begin, i - begin);
        if (i < n)
            ++i; // closing quote
        return value;
    }
    const qsizetype begin = i;
    while (i < n && s[i] != ';' && s[i] != ',' && !isOws(s[i]))
        ++i;
    return QByteArrayView(s + begin, i - begin);
}

bool parseDuration(QByteArrayView text, double &out)
{
    if (text.isEmpty())
        return false;
    const char *begin = text.data();
    const char *end = begin + text.size();
    if (*begin == '+')
        ++begin; // from_chars rejects a leading '+', the header grammar allows it
    double value = 0.0;
    const auto [ptr, ec] = std::from_chars(begin, end, value);
    if (ec != std::errc() || ptr != end || !std::isfinite(value))
        return false;
    out = value;
    return true;
}

QByteArray unescape(QByteArrayView quoted)
{
    QByteArray out;
    out.reserve(quoted.size());
    for (qsizetype i = 0; i < quoted.size(); ++i) {
        if (quoted[i] == '\\' && i + 1 < quoted.size())
            ++i;
        out += quoted[i];
    }
    return out;
}

} // namespace

void forEachServerTiming(QByteArrayView header, void *context,
                         void (*visit)(void *context, const ServerTimingView &metric))
{
    const char *s = header.data();
    const qsizetype n = header.size();
    qsizetype i = 0;
    while (i < n) {
        while (i < n && (isOws(s[i]) || s[i] == ','))
            ++i;
        const qsizetype nameBegin = i;
        while (i < n && s[i] != ';' && s[i] != ',' && !isOws(s[i]) && s[i] != '"')
            ++i;
        ServerTimingView metric;
        metric.name = QByteArrayView(s + nameBegin, i - nameBegin);
        bool durSeen = false;
        bool descSeen = false;
        // Parameters up to the next comma outside a quoted string.
        while (i < n && s[i] != ',') {
            if (s[i] != ';') {
                if (s[i] == '"') { // stray quoted string: skip it whole (it may hold commas)
                    bool quoted = false;
                    readValue(s, n, i, quoted);
                } else {
                    ++i;
                }
                continue;
            }
            ++i;
            while (i < n && isOws(s[i]))
                ++i;
            const qsizetype keyBegin = i;
            while (i < n && s[i] != '=' && s[i] != ';' && s[i] != ',' && !isOws(s[i]))
                ++i;
            const QByteArrayView key(s + keyBegin, i - keyBegin);
            while (i < n && isOws(s[i]))
                ++i;
            QByteArrayView value;
            bool quoted = false;
            if (i < n && s[i] == '=') {
                ++i;
                while (i < n && isOws(s[i]))
                    ++i;
                value = readValue(s, n, i, quoted);
            }
            if (!durSeen && key.compare("dur", Qt::CaseInsensitive) == 0) {
                durSeen = true;
                metric.hasDur = parseDuration(value, metric.durMs); // quoted or token
            } else if (!descSeen && key.compare("desc", Qt::CaseInsensitive) == 0) {
                descSeen = true;
                metric.desc = value;
            }
        }
        if (!metric.name.isEmpty())
            visit(context, metric);
    }
}

QList<ServerTimingEntry> parseServerTiming(QByteArrayView header)
{
    QList<ServerTimingEntry> entries;
    forEachServerTiming(header, &entries, [](void *context, const ServerTimingView &metric) {
        ServerTimingEntry entry;
        entry.name = metric.name.toByteArray();
        entry.durMs = metric.durMs;
        entry.hasDur = metric.hasDur;
        entry.desc = unescape(metric.desc);
        static_cast<QList<ServerTimingEntry> *>(context)->append(std::move(entry));
    });
    return entries;
}

} // namespace loadscope
