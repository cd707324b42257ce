#include "thresholdexpression.h"

#include <cmath>
#include <utility>

#include <QLocale>

namespace loadscope {

namespace {

struct AggregationName
{
    ThresholdExpression::Aggregation aggregation;
    const char *name;
};

constexpr AggregationName kAggregations[] = {
    {ThresholdExpression::Avg, "avg"},     {ThresholdExpression::Min, "min"},
    {ThresholdExpression::Max, "max"},     {ThresholdExpression::Med, "med"},
    {ThresholdExpression::Rate, "rate"},   {ThresholdExpression::Count, "count"},
    {ThresholdExpression::Value, "value"},
};

// Longest operators first so that "<=" is not read as "<" followed by "=".
struct OpToken
{
    const char *text;
    ThresholdExpression::Op op;
};

constexpr OpToken kOps[] = {
    {"===", ThresholdExpression::Equal},    {"!==", ThresholdExpression::NotEqual},
    {"<=", ThresholdExpression::LessEqual}, {">=", ThresholdExpression::GreaterEqual},
    {"==", ThresholdExpression::Equal},     {"!=", ThresholdExpression::NotEqual},
    {"<", ThresholdExpression::Less},       {">", ThresholdExpression::Greater},
};

QString opText(ThresholdExpression::Op op)
{
    switch (op) {
    case ThresholdExpression::Less:
        return QStringLiteral("<");
    case ThresholdExpression::LessEqual:
        return QStringLiteral("<=");
    case ThresholdExpression::Greater:
        return QStringLiteral(">");
    case ThresholdExpression::GreaterEqual:
        return QStringLiteral(">=");
    case ThresholdExpression::Equal:
        return QStringLiteral("==");
    case ThresholdExpression::NotEqual:
        return QStringLiteral("!=");
    }
    return {};
}

QString formatNumber(double value)
{
    return QString::number(value, 'g', QLocale::FloatingPointShortest);
}

class Cursor
{
public:
    explicit Cursor(const QString &text)
        : m_text(text)
    {}

    void skipSpace()
    {
        while (m_pos < m_text.size() && m_text[m_pos].isSpace())
            ++m_pos;
    }
    bool atEnd() const { return m_pos >= m_text.size(); }
    qsizetype pos() const { return m_pos; }
    bool take(QLatin1String token)
    {
        if (QStringView(m_text).mid(m_pos).startsWith(token)) {
            m_pos += token.size();
            return true;
        }
        return false;
    }
    QString word()
    {
        const qsizetype start = m_pos;
        while (m_pos < m_text.size() && m_text[m_pos].isLetter())
            ++m_pos;
        return m_text.mid(start, m_pos - start);
    }
    // A JavaScript-like decimal number: [+-]digits[.digits][e[+-]digits].
    std::optional<double> number()
    {
        const qsizetype start = m_pos;
        qsizetype i = m_pos;
        if (i < m_text.size() && (m_text[i] == u'-' || m_text[i] == u'+'))
            ++i;
        const qsizetype digitsStart = i;
        while (i < m_text.size() && (m_text[i].isDigit() || m_text[i] == u'.'))
            ++i;
        if (i == digitsStart)
            return std::nullopt;
        if (i < m_text.size() && (m_text[i] == u'e' || m_text[i] == u'E')) {
            qsizetype j = i + 1;
            if (j < m_text.size() && (m_text[j] == u'-' || m_text[j] == u'+'))
                ++j;
            const qsizetype expStart = j;
            while (j < m_text.size() && m_text[j].isDigit())
                ++j;
            if (j > expStart)
                i = j;
        }
        bool ok = false;
        const double value = QStringView(m_text).mid(start, i - start).toDouble(&ok);
        if (!ok || !std::isfinite(value))
            return std::nullopt;
        m_pos = i;
        return value;
    }
    QString rest() const { return m_text.mid(m_pos); }

private:
    const QString &m_text;
    qsizetype m_pos = 0;
};

std::optional<ThresholdExpression> fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return std::nullopt;
}

} // namespace

bool ThresholdExpression::evaluate(double observed) const
{
    if (std::isnan(observed))
        return false;
    switch (op) {
    case Less:
        return observed < bound;
    case LessEqual:
        return observed <= bound;
    case Greater:
        return observed > bound;
    case GreaterEqual:
        return observed >= bound;
    case Equal:
        return observed == bound;
    case NotEqual:
        return observed != bound;
    }
    return false;
}

QString ThresholdExpression::toString() const
{
    QString head;
    if (aggregation == Percentile) {
        head = QLatin1String("p(") + formatNumber(percentile) + u')';
    } else {
        for (const AggregationName &entry : kAggregations) {
            if (entry.aggregation == aggregation)
                head = QLatin1String(entry.name);
        }
    }
    return head + opText(op) + formatNumber(bound);
}

std::optional<ThresholdExpression> ThresholdExpression::parse(const QString &text, QString *error)
{
    ThresholdExpression result;
    Cursor in(text);
    in.skipSpace();
    if (in.atEnd())
        return fail(error, QStringLiteral("empty expression"));

    const qsizetype wordPos = in.pos();
    const QString head = in.word();
    bool known = false;
    if (head == u"p") {
        in.skipSpace();
        if (!in.take(QLatin1String("(")))
            return fail(error,
                        QStringLiteral("expected \"(\" after \"p\" at position %1").arg(in.pos()));
        in.skipSpace();
        const qsizetype numberPos = in.pos();
        const std::optional<double> percentile = in.number();
        if (!percentile)
            return fail(
                error,
                QStringLiteral("expected a percentile after \"p(\" at position %1").arg(numberPos));
        if (*percentile < 0 || *percentile > 100)
            return fail(error, QStringLiteral("percentile %1 at position %2 is not between 0 "
                                              "and 100")
                                   .arg(formatNumber(*percentile))
                                   .arg(numberPos));
        in.skipSpace();
        if (!in.take(QLatin1String(")")))
            return fail(error, QStringLiteral("expected \")\" at position %1").arg(in.pos()));
        result.aggregation = Percentile;
        result.percentile = *percentile;
        known = true;
    } else {
        for (const AggregationName &entry : kAggregations) {
            if (head == QLatin1String(entry.name)) {
                result.aggregation = entry.aggregation;
                known = true;
            }
        }
    }
    if (!known) {
        const QString shown = head.isEmpty() ? in.rest().left(1) : head;
        return fail(error, QStringLiteral("unknown aggregation \"%1\" at position %2 (expected "
                                          "avg, min, med, max, p(N), rate, count or value)")
                               .arg(shown)
                               .arg(wordPos));
    }

    in.skipSpace();
    const qsizetype opPos = in.pos();
    QLatin1String opToken;
    bool haveOp = false;
    for (const OpToken &entry : kOps) {
        if (in.take(QLatin1String(entry.text))) {
            result.op = entry.op;
            opToken = QLatin1String(entry.text);
            haveOp = true;
            break;
        }
    }
    if (!haveOp)
        return fail(error, QStringLiteral("expected a comparison operator (<, <=, >, >=, ==, "
                                          "===, !=) at position %1")
                               .arg(opPos));

    in.skipSpace();
    const qsizetype boundPos = in.pos();
    const std::optional<double> bound = in.number();
    if (!bound)
        return fail(error, QStringLiteral("expected a number after \"%1\" at position %2")
                               .arg(opToken)
                               .arg(boundPos));
    result.bound = *bound;

    in.skipSpace();
    if (!in.atEnd())
        return fail(
            error, QStringLiteral("unexpected \"%1\" at position %2").arg(in.rest()).arg(in.pos()));
    return result;
}

bool operator==(const ThresholdExpression &a, const ThresholdExpression &b)
{
    return a.aggregation == b.aggregation && a.op == b.op && a.bound == b.bound &&
           (a.aggregation != ThresholdExpression::Percentile || a.percentile == b.percentile);
}

QString MetricSelector::toString() const
{
    if (tags.isEmpty())
        return name;
    QString out = name + u'{';
    for (qsizetype i = 0; i < tags.size(); ++i) {
        if (i > 0)
            out += u',';
        out += tags[i].first + u':' + tags[i].second;
    }
    return out + u'}';
}

bool operator==(const MetricSelector &a, const MetricSelector &b)
{
    return a.name == b.name && a.tags == b.tags;
}

std::optional<MetricSelector> parseMetric(const QString &text, QString *error)
{
    auto failed = [error](const QString &message) -> std::optional<MetricSelector> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    const QString trimmed = text.trimmed();
    const qsizetype brace = trimmed.indexOf(u'{');
    MetricSelector selector;
    selector.name = (brace < 0 ? trimmed : trimmed.left(brace)).trimmed();
    if (selector.name.isEmpty())
        return failed(QStringLiteral("empty metric name"));
    for (QChar c : std::as_const(selector.name)) {
        if (!(c.isLetterOrNumber() || c == u'_' || c == u'-' || c == u'.'))
            return failed(QStringLiteral("\"%1\" is not a metric name (letters, digits, _, - and . "
                                         "only)")
                              .arg(selector.name));
    }
    if (brace < 0)
        return selector;
    if (!trimmed.endsWith(u'}'))
        return failed(QStringLiteral("missing \"}\" at the end of the tag filter"));
    const QString inner = trimmed.mid(brace + 1, trimmed.size() - brace - 2);
    if (inner.trimmed().isEmpty())
        return failed(QStringLiteral("empty tag filter \"{}\""));
    const QStringList pairs = inner.split(u',');
    for (const QString &pair : pairs) {
        const qsizetype colon = pair.indexOf(u':');
        if (colon < 0)
            return failed(
                QStringLiteral("tag \"%1\" needs the form key:value").arg(pair.trimmed()));
        const QString key = pair.left(colon).trimmed();
        QString value = pair.mid(colon + 1).trimmed();
        if (key.isEmpty())
            return failed(QStringLiteral("tag \"%1\" has an empty key").arg(pair.trimmed()));
        if (key.contains(u'{') || key.contains(u'}') || value.contains(u'{') ||
            value.contains(u'}'))
            return failed(QStringLiteral("unexpected brace in tag \"%1\"").arg(pair.trimmed()));
        // k6 allows quoted values: name:"login" means name:login.
        if (value.size() >= 2 && (value.startsWith(u'"') || value.startsWith(u'\'')) &&
            value.endsWith(value[0]))
            value = value.mid(1, value.size() - 2);
        selector.tags.append({key, value});
    }
    return selector;
}

std::optional<MetricKind> metricKind(const QString &name)
{
    static const char *const trends[] = {
        "http_req_duration",        "http_req_blocked",   "http_req_connecting",
        "http_req_tls_handshaking", "http_req_sending",   "http_req_waiting",
        "http_req_receiving",       "iteration_duration", "group_duration"};
    static const char *const rates[] = {"http_req_failed", "checks"};
    static const char *const counters[] = {"http_reqs", "iterations", "dropped_iterations",
                                           "data_sent", "data_received"};
    static const char *const gauges[] = {"vus", "vus_max"};
    if (name.startsWith(QLatin1String("server_timing_")) && name.size() > 14)
        return MetricKind::Trend;
    for (const char *n : trends) {
        if (name == QLatin1String(n))
            return MetricKind::Trend;
    }
    for (const char *n : rates) {
        if (name == QLatin1String(n))
            return MetricKind::Rate;
    }
    for (const char *n : counters) {
        if (name == QLatin1String(n))
            return MetricKind::Counter;
    }
    for (const char *n : gauges) {
        if (name == QLatin1String(n))
            return MetricKind::Gauge;
    }
    return std::nullopt;
}

bool aggregationApplies(ThresholdExpression::Aggregation aggregation, MetricKind kind)
{
    switch (kind) {
    case MetricKind::Trend:
        return aggregation == ThresholdExpression::Percentile ||
               aggregation == ThresholdExpression::Avg || aggregation == ThresholdExpression::Min ||
               aggregation == ThresholdExpression::Max || aggregation == ThresholdExpression::Med;
    case MetricKind::Rate:
        return aggregation == ThresholdExpression::Rate;
    case MetricKind::Counter:
        return aggregation == ThresholdExpression::Count ||
               aggregation == ThresholdExpression::Rate;
    case MetricKind::Gauge:
        return aggregation == ThresholdExpression::Value;
    }
    return false;
}

QString metricKindName(MetricKind kind)
{
    switch (kind) {
    case MetricKind::Trend:
        return QStringLiteral("trend");
    case MetricKind::Rate:
        return QStringLiteral("rate");
    case MetricKind::Counter:
        return QStringLiteral("counter");
    case MetricKind::Gauge:
        return QStringLiteral("gauge");
    }
    return {};
}

} // namespace loadscope
