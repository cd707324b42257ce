#include "monitor/prometheusparser.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include <QHash>

namespace loadscope {

namespace {

bool isNameStart(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool isNameChar(char c)
{
    return isNameStart(c) || (c >= '0' && c <= '9');
}
bool isBlank(char c)
{
    return c == ' ' || c == '\t';
}

bool equalsNoCase(const char *p, const char *end, const char *word)
{
    const size_t n = std::strlen(word);
    if (size_t(end - p) != n)
        return false;
    for (size_t i = 0; i < n; ++i) {
        char c = p[i];
        if (c >= 'A' && c <= 'Z')
            c = char(c - 'A' + 'a');
        if (c != word[i])
            return false;
    }
    return true;
}

// A Go strconv.ParseFloat-compatible number: what Prometheus clients write.
bool parseGoFloat(const char *p, const char *end, double *out)
{
    if (p == end)
        return false;
    bool negative = false;
    if (*p == '+' || *p == '-') {
        negative = *p == '-';
        ++p;
    }
    if (equalsNoCase(p, end, "inf") || equalsNoCase(p, end, "infinity")) {
        *out = negative ? -std::numeric_limits<double>::infinity()
                        : std::numeric_limits<double>::infinity();
        return true;
    }
    if (equalsNoCase(p, end, "nan")) {
        *out = std::numeric_limits<double>::quiet_NaN();
        return true;
    }
    auto format = std::chars_format::general;
    if (end - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        format = std::chars_format::hex;
        p += 2;
    }
    if (p == end || *p == '+' || *p == '-')
        return false;
    double v = 0.0;
    const auto result = std::from_chars(p, end, v, format);
    // Out of range is what Go reports as ±Inf with an error; refuse it like Prometheus does.
    if (result.ec != std::errc() || result.ptr != end)
        return false;
    *out = negative ? -v : v;
    return true;
}

bool parseInt64(const char *p, const char *end, qint64 *out)
{
    if (p != end && *p == '+')
        ++p;
    long long v = 0;
    const auto result = std::from_chars(p, end, v);
    if (result.ec != std::errc() || result.ptr != end)
        return false;
    *out = qint64(v);
    return true;
}

QString quoted(const char *p, const char *end)
{
    return QLatin1Char('"') + QString::fromUtf8(p, end - p) + QLatin1Char('"');
}

// Parses one line; on failure sets error and returns false. The metric-name part and the
// label set follow the exposition format's grammar exactly; blanks between tokens are allowed
// where Prometheus' own text parser allows them.
class LineParser
{
public:
    LineParser(const char *begin, const char *end)
        : m_p(begin)
        , m_end(end)
    {}

    QString error;

    void skipBlanks()
    {
        while (m_p < m_end && isBlank(*m_p))
            ++m_p;
    }
    bool atEnd() const { return m_p >= m_end; }
    void advance() { ++m_p; }
    char peek() const { return m_p < m_end ? *m_p : '\0'; }

    bool metricName(QString *name)
    {
        const char *start = m_p;
        if (m_p < m_end && (isNameStart(*m_p) || *m_p == ':')) {
            ++m_p;
            while (m_p < m_end && (isNameChar(*m_p) || *m_p == ':'))
                ++m_p;
        }
        if (m_p == start)
            return fail(QStringLiteral("expected a metric name, found %1").arg(describeHere()));
        *name = QString::fromLatin1(start, m_p - start);
        return true;
    }

    bool labelSet(QMap<QString, QString> *labels)
    {
        ++m_p; // '{'
        for (;;) {
            skipBlanks();
            if (atEnd())
                return fail(QStringLiteral("label set is not closed with '}'"));
            if (*m_p == '}') {
                ++m_p;
                return true;
            }
            const char *start = m_p;
            if (isNameStart(*m_p)) {
                ++m_p;
                while (m_p < m_end && isNameChar(*m_p))
                    ++m_p;
            }
            if (m_p == start) {
                return fail(
                    QStringLiteral("expected a label name or '}', found %1").arg(describeHere()));
            }
            const QString labelName = QString::fromLatin1(start, m_p - start);
            skipBlanks();
            if (peek() != '=')
                return fail(QStringLiteral("expected '=' after label name \"%1\"").arg(labelName));
            ++m_p;
            skipBlanks();
            if (peek() != '"') {
                return fail(
                    QStringLiteral("label \"%1\": value must be in double quotes").arg(labelName));
            }
            QString value;
            if (!labelValue(labelName, &value))
                return false;
            if (labels->contains(labelName))
                return fail(QStringLiteral("label \"%1\" appears twice").arg(labelName));
            labels->insert(labelName, value);
            skipBlanks();
            if (peek() == ',') {
                ++m_p; // a trailing comma before '}' is allowed
                continue;
            }
            if (peek() != '}') {
                return fail(QStringLiteral("expected ',' or '}' after label \"%1\", found %2")
                                .arg(labelName, describeHere()));
            }
        }
    }

    // A blank-separated token (value or timestamp).
    void token(const char **begin, const char **end)
    {
        skipBlanks();
        *begin = m_p;
        while (m_p < m_end && !isBlank(*m_p))
            ++m_p;
        *end = m_p;
    }

    bool fail(const QString &message)
    {
        error = message;
        return false;
    }

    QString describeHere() const
    {
        if (atEnd())
            return QStringLiteral("the end of the line");
        return QStringLiteral("'%1'").arg(QString::fromUtf8(m_p, 1));
    }

private:
    bool labelValue(const QString &labelName, QString *value)
    {
        ++m_p; // opening quote
        QByteArray raw;
        while (m_p < m_end && *m_p != '"') {
            if (*m_p != '\\') {
                raw.append(*m_p++);
                continue;
            }
            if (m_p + 1 >= m_end)
                break;
            const char escaped = m_p[1];
            if (escaped == '\\' || escaped == '"')
                raw.append(escaped);
            else if (escaped == 'n')
                raw.append('\n');
            else {
                return fail(QStringLiteral("label \"%1\": invalid escape \\%2 in value")
                                .arg(labelName, QString::fromUtf8(&escaped, 1)));
            }
            m_p += 2;
        }
        if (atEnd())
            return fail(QStringLiteral("label \"%1\": value has no closing quote").arg(labelName));
        ++m_p; // closing quote
        *value = QString::fromUtf8(raw);
        return true;
    }

    const char *m_p;
    const char *m_end;
};

bool isKnownType(const QString &type)
{
    return type == QLatin1String("counter") || type == QLatin1String("gauge") ||
           type == QLatin1String("histogram") || type == QLatin1String("summary") ||
           type == QLatin1String("untyped");
}

QString typeOf(const QHash<QString, QString> &types, const QString &name)
{
    const auto exact = types.constFind(name);
    if (exact != types.cend())
        return *exact;
    for (const QLatin1String suffix :
         {QLatin1String("_bucket"), QLatin1String("_sum"), QLatin1String("_count")}) {
        if (!name.endsWith(suffix))
            continue;
        const QString family = name.left(name.size() - suffix.size());
        const QString type = types.value(family);
        if (type == QLatin1String("histogram") ||
            (type == QLatin1String("summary") && suffix != QLatin1String("_bucket")))
            return type;
    }
    return QStringLiteral("untyped");
}

// "# HELP name text" / "# TYPE name type" / any other comment. Returns false on a malformed
// HELP or TYPE line.
bool parseComment(LineParser &line, const char *end, QHash<QString, QString> *types)
{
    const char *kwBegin = nullptr, *kwEnd = nullptr;
    line.token(&kwBegin, &kwEnd);
    const QByteArrayView keyword(kwBegin, kwEnd - kwBegin);
    const bool isHelp = keyword == QByteArrayView("HELP");
    const bool isType = keyword == QByteArrayView("TYPE");
    if (!isHelp && !isType)
        return true; // a plain comment
    line.skipBlanks();
    QString name;
    if (!line.metricName(&name))
        return line.fail(QStringLiteral("# %1 needs a metric name")
                             .arg(QString::fromLatin1(keyword.data(), keyword.size())));
    if (!line.atEnd() && !isBlank(line.peek()))
        return line.fail(
            QStringLiteral("unexpected %1 after metric name").arg(line.describeHere()));
    if (isHelp)
        return true; // the docstring is free text
    const char *typeBegin = nullptr, *typeEnd = nullptr;
    line.token(&typeBegin, &typeEnd);
    const QString type = QString::fromUtf8(typeBegin, typeEnd - typeBegin);
    line.skipBlanks();
    if (!isKnownType(type) || !line.atEnd()) {
        const char *rest = typeBegin;
        return line.fail(
            QStringLiteral("unknown metric type %1 for \"%2\"").arg(quoted(rest, end), name));
    }
    if (types->contains(name))
        return line.fail(QStringLiteral("second # TYPE line for \"%1\"").arg(name));
    types->insert(name, type);
    return true;
}

bool parseSampleLine(LineParser &line, PromSample *sample)
{
    if (!line.metricName(&sample->name))
        return false;
    if (!line.atEnd() && !isBlank(line.peek()) && line.peek() != '{') {
        return line.fail(QStringLiteral("unexpected %1 after metric name \"%2\"")
                             .arg(line.describeHere(), sample->name));
    }
    line.skipBlanks();
    if (line.peek() == '{' && !line.labelSet(&sample->labels))
        return false;
    const char *valueBegin = nullptr, *valueEnd = nullptr;
    line.token(&valueBegin, &valueEnd);
    if (valueBegin == valueEnd)
        return line.fail(QStringLiteral("\"%1\" has no value").arg(sample->name));
    if (!parseGoFloat(valueBegin, valueEnd, &sample->value)) {
        return line.fail(QStringLiteral("\"%1\": value %2 is not a number")
                             .arg(sample->name, quoted(valueBegin, valueEnd)));
    }
    const char *tsBegin = nullptr, *tsEnd = nullptr;
    line.token(&tsBegin, &tsEnd);
    if (tsBegin != tsEnd) {
        qint64 ts = 0;
        if (!parseInt64(tsBegin, tsEnd, &ts)) {
            return line.fail(QStringLiteral("\"%1\": timestamp %2 is not an integer (ms)")
                                 .arg(sample->name, quoted(tsBegin, tsEnd)));
        }
        sample->timestampMs = ts;
    }
    line.skipBlanks();
    if (!line.atEnd()) {
        return line.fail(QStringLiteral("\"%1\": unexpected text after the %2")
                             .arg(sample->name, sample->timestampMs ? QStringLiteral("timestamp")
                                                                    : QStringLiteral("value")));
    }
    return true;
}

} // namespace

QList<PromSample> parsePrometheusText(const QByteArray &text, QStringList *warnings)
{
    QList<PromSample> samples;
    QHash<QString, QString> types;
    const char *p = text.constData();
    const char *const textEnd = p + text.size();
    int lineNumber = 0;
    while (p < textEnd) {
        ++lineNumber;
        const char *nl = static_cast<const char *>(std::memchr(p, '\n', size_t(textEnd - p)));
        const char *lineEnd = nl ? nl : textEnd;
        const char *next = nl ? nl + 1 : textEnd;
        if (lineEnd > p && lineEnd[-1] == '\r')
            --lineEnd;
        LineParser line(p, lineEnd);
        p = next;
        line.skipBlanks();
        if (line.atEnd())
            continue;
        if (line.peek() == '#') {
            line.advance();
            if (!parseComment(line, lineEnd, &types) && warnings)
                warnings->append(QStringLiteral("line %1: %2").arg(lineNumber).arg(line.error));
            continue;
        }
        PromSample sample;
        if (!parseSampleLine(line, &sample)) {
            if (warnings)
                warnings->append(QStringLiteral("line %1: %2").arg(lineNumber).arg(line.error));
            continue;
        }
        sample.type = typeOf(types, sample.name);
        samples.append(std::move(sample));
    }
    return samples;
}

bool parsePrometheusSelector(const QString &selector, QString *name, QMap<QString, QString> *labels)
{
    // A selector is a sample line without its value: reuse the sample grammar.
    const QByteArray line = selector.trimmed().toUtf8() + " 0";
    QStringList warnings;
    const QList<PromSample> parsed = parsePrometheusText(line, &warnings);
    if (parsed.size() != 1 || !warnings.isEmpty() || line.contains('\n') ||
        parsed.first().timestampMs)
        return false;
    *name = parsed.first().name;
    *labels = parsed.first().labels;
    return true;
}

const PromSample *findPromSample(const QList<PromSample> &samples, const QString &name,
                                 const QMap<QString, QString> &labels)
{
    const PromSample *first = nullptr;
    for (const PromSample &s : samples) {
        if (s.name != name)
            continue;
        bool matches = true;
        for (auto it = labels.cbegin(); it != labels.cend() && matches; ++it)
            matches =
                s.labels.value(it.key(), QString()) == it.value() && s.labels.contains(it.key());
        if (!matches)
            continue;
        if (labels.isEmpty() && s.labels.isEmpty())
            return &s;
        if (!first)
            first = &s;
    }
    return first;
}

} // namespace loadscope
