#include "httptypes.h"

#include <cstring>

namespace loadscope {
namespace {

bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
        return true;
    default:
        return false;
    }
}

// Bytes an origin-form target carries as they are: RFC 3986 unreserved, sub-delims, ':', '@',
// '/', '?' and '%' (so that escapes already made are kept).
constexpr char kTargetKeeps[] = "!$&'()*+,;=:@/?%";

bool targetKeeps(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~')
        return true;
    return c != '\0' && std::strchr(kTargetKeeps, c) != nullptr;
}

QString printable(const QByteArray &text)
{
    QString out;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f)
            out += QStringLiteral("\\x") + QString::number(u, 16).rightJustified(2, u'0');
        else
            out += QLatin1Char(c);
    }
    return out;
}

} // namespace

bool isHttpToken(const QByteArray &text)
{
    if (text.isEmpty())
        return false;
    for (const char c : text) {
        if (!isTokenChar(c))
            return false;
    }
    return true;
}

bool hasLineBreakOrNul(QByteArrayView text)
{
    for (const char c : text) {
        if (c == '\r' || c == '\n' || c == '\0')
            return true;
    }
    return false;
}

QByteArray encodeRequestTarget(const QByteArray &target)
{
    const auto isHex = [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    };
    // A '%' that does not start an escape is encoded itself.
    const auto keeps = [&target, &isHex](qsizetype i) {
        const char c = target[i];
        return targetKeeps(c) && (c != '%' || (i + 2 < target.size() && isHex(target[i + 1]) &&
                                               isHex(target[i + 2])));
    };
    qsizetype i = 0;
    while (i < target.size() && keeps(i))
        ++i;
    if (i == target.size())
        return target;
    static constexpr char kHex[] = "0123456789ABCDEF";
    QByteArray out = target.left(i);
    out.reserve(target.size() + 16);
    for (; i < target.size(); ++i) {
        if (keeps(i)) {
            out += target[i];
        } else {
            const auto u = static_cast<unsigned char>(target[i]);
            out += '%';
            out += kHex[u >> 4];
            out += kHex[u & 15];
        }
    }
    return out;
}

QString requestDefect(const HttpRequestData &request)
{
    if (!request.refusal.isEmpty())
        return request.refusal;
    if (!request.method.isEmpty() && !isHttpToken(request.method))
        return QStringLiteral("method \"") + printable(request.method) +
               QStringLiteral("\" is not an HTTP token; request not sent");
    if (hasLineBreakOrNul(request.target))
        return QStringLiteral("path \"") + printable(request.target) +
               QStringLiteral("\" holds a CR, LF or NUL character; request not sent");
    for (const auto &header : request.headers) {
        if (!isHttpToken(header.first))
            return QStringLiteral("header name \"") + printable(header.first) +
                   QStringLiteral("\" is not an HTTP token; request not sent");
        if (hasLineBreakOrNul(header.second))
            return QStringLiteral("header ") + QString::fromLatin1(header.first) +
                   QStringLiteral(": the value holds a CR, LF or NUL character; request not sent");
    }
    return QString();
}

} // namespace loadscope
