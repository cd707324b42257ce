#include "resultjsonskim.h"

#include <algorithm>
#include <array>
#include <cstring>

#include <QJsonDocument>
#include <QJsonParseError>

namespace loadscope {
namespace {

bool isSpace(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

qsizetype skipSpace(QByteArrayView t, qsizetype i)
{
    while (i < t.size() && isSpace(t[i]))
        ++i;
    return i;
}

//! One past the closing quote of the string whose opening quote is at @p i; -1 if unclosed.
qsizetype skipString(QByteArrayView t, qsizetype i)
{
    const char *data = t.data();
    qsizetype from = i + 1;
    while (from < t.size()) {
        // memchr runs through long strings (a base64 payload) far faster than a byte loop.
        const auto *quote =
            static_cast<const char *>(std::memchr(data + from, '"', size_t(t.size() - from)));
        if (!quote)
            return -1;
        const qsizetype q = quote - data;
        qsizetype backslashes = 0;
        while (q - 1 - backslashes > i && data[q - 1 - backslashes] == '\\')
            ++backslashes;
        if (backslashes % 2 == 0)
            return q + 1;
        from = q + 1;
    }
    return -1;
}

//! One past the value that starts at @p i; -1 when it is cut off.
qsizetype skipValue(QByteArrayView t, qsizetype i)
{
    if (i >= t.size())
        return -1;
    const char c = t[i];
    if (c == '"')
        return skipString(t, i);
    if (c == '{' || c == '[') {
        // The bytes that matter for nesting; everything else (a timeline's numbers and keys'
        // letters) is passed over in a tight loop.
        static const auto structural = [] {
            std::array<bool, 256> table{};
            for (const char x : {'"', '{', '}', '[', ']'})
                table[uchar(x)] = true;
            return table;
        }();
        const char *data = t.data();
        const qsizetype n = t.size();
        int depth = 0;
        while (i < n) {
            while (i < n && !structural[uchar(data[i])])
                ++i;
            if (i >= n)
                break;
            const char x = data[i];
            if (x == '"') {
                i = skipString(t, i);
                if (i < 0)
                    return -1;
                continue;
            }
            if (x == '{' || x == '[') {
                ++depth;
            } else if (--depth == 0) {
                return i + 1;
            }
            ++i;
        }
        return -1;
    }
    while (i < t.size() && t[i] != ',' && t[i] != '}' && t[i] != ']' && !isSpace(t[i]))
        ++i;
    return i;
}

} // namespace

bool jsonObjectMembers(QByteArrayView t, qsizetype begin, std::vector<JsonMember> *out,
                       qsizetype *objectEnd)
{
    out->clear();
    qsizetype i = skipSpace(t, begin);
    if (i >= t.size() || t[i] != '{')
        return false;
    i = skipSpace(t, i + 1);
    if (i < t.size() && t[i] == '}') {
        if (objectEnd)
            *objectEnd = i + 1;
        return true;
    }
    while (i < t.size()) {
        if (t[i] != '"')
            return false;
        const qsizetype keyEnd = skipString(t, i);
        if (keyEnd < 0)
            return false;
        JsonMember m;
        m.key = t.sliced(i + 1, keyEnd - i - 2);
        i = skipSpace(t, keyEnd);
        if (i >= t.size() || t[i] != ':')
            return false;
        m.begin = skipSpace(t, i + 1);
        m.end = skipValue(t, m.begin);
        if (m.end < 0 || m.end == m.begin)
            return false;
        out->push_back(m);
        i = skipSpace(t, m.end);
        if (i >= t.size())
            return false;
        if (t[i] == '}') {
            if (objectEnd)
                *objectEnd = i + 1;
            return true;
        }
        if (t[i] != ',')
            return false;
        i = skipSpace(t, i + 1);
    }
    return false;
}

const JsonMember *findMember(const std::vector<JsonMember> &members, QByteArrayView key)
{
    const auto it = std::find_if(members.cbegin(), members.cend(),
                                 [key](const JsonMember &m) { return m.key == key; });
    return it == members.cend() ? nullptr : &*it;
}

bool parseMembers(QByteArrayView text, const std::vector<JsonMember> &members,
                  const std::vector<QByteArrayView> &leaveOut, QJsonObject *out, QString *error)
{
    QByteArray json;
    json.append('{');
    for (const JsonMember &m : members) {
        if (std::find(leaveOut.cbegin(), leaveOut.cend(), m.key) != leaveOut.cend())
            continue;
        if (json.size() > 1)
            json.append(',');
        json.append('"').append(m.key.data(), m.key.size()).append("\":");
        json.append(text.data() + m.begin, m.end - m.begin);
    }
    json.append('}');
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (!doc.isObject()) {
        *error = parseError.errorString();
        return false;
    }
    *out = doc.object();
    return true;
}

} // namespace loadscope
