#pragma once

#include <optional>

#include <QList>
#include <QPair>
#include <QString>

namespace loadscope {

//! A parsed k6 threshold expression such as "p(95)<200" or "rate<0.01".
struct ThresholdExpression
{
    enum Aggregation
    {
        Percentile,
        Avg,
        Min,
        Max,
        Med,
        Rate,
        Count,
        Value
    };
    enum Op
    {
        Less,
        LessEqual,
        Greater,
        GreaterEqual,
        Equal,
        NotEqual
    };

    Aggregation aggregation = Avg;
    double percentile = 0; //!< Percentile only, 0..100
    Op op = Less;
    double bound = 0;

    //! True when @p observed satisfies the expression (NaN never does).
    bool evaluate(double observed) const;
    //! Canonical k6 text, e.g. "p(99.9)<=1500".
    QString toString() const;
    //! Parses k6 syntax, whitespace tolerant; @p error says what is wrong and where (0-based).
    static std::optional<ThresholdExpression> parse(const QString &text, QString *error = nullptr);
};

bool operator==(const ThresholdExpression &a, const ThresholdExpression &b);
inline bool operator!=(const ThresholdExpression &a, const ThresholdExpression &b)
{
    return !(a == b);
}

//! A metric name with an optional tag filter: http_req_duration{name:login,status:200}.
struct MetricSelector
{
    QString name;
    QList<QPair<QString, QString>> tags; //!< in the order written

    //! Canonical text: "name" or "name{k:v,k2:v2}".
    QString toString() const;
};

bool operator==(const MetricSelector &a, const MetricSelector &b);

//! Splits "metric{tag:value,...}" into name and tags; @p error says what is wrong.
std::optional<MetricSelector> parseMetric(const QString &text, QString *error = nullptr);

//! k6 metric types; they decide which aggregations a threshold may use.
enum class MetricKind
{
    Trend,
    Rate,
    Counter,
    Gauge
};

//! Kind of a built-in metric name (without tags); server_timing_* are trends. Unknown names
//! give nullopt.
std::optional<MetricKind> metricKind(const QString &name);

//! True when @p aggregation can be computed for a metric of @p kind (k6's rules).
bool aggregationApplies(ThresholdExpression::Aggregation aggregation, MetricKind kind);

//! "trend", "rate", "counter" or "gauge".
QString metricKindName(MetricKind kind);

} // namespace loadscope
