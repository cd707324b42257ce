#include "sample/smartmarketindicators.h"

#include <algorithm>
#include <cmath>

namespace loadscope {

namespace {

double clamp01(double value)
{
    return std::clamp(value, 0.0, 1.0);
}

TradeAction actionFromScore(double score, double deadBand)
{
    if (score > deadBand)
        return TradeAction::Buy;
    if (score < -deadBand)
        return TradeAction::Sell;
    return TradeAction::Hold;
}

} // namespace

QString tradeActionName(TradeAction action)
{
    switch (action) {
    case TradeAction::Buy:
        return QStringLiteral("buy");
    case TradeAction::Sell:
        return QStringLiteral("sell");
    case TradeAction::Hold:
        break;
    }
    return QStringLiteral("hold");
}

std::optional<TradeAction> parseTradeAction(const QString &text)
{
    const QString lower = text.trimmed().toLower();
    if (lower == QLatin1String("buy"))
        return TradeAction::Buy;
    if (lower == QLatin1String("sell"))
        return TradeAction::Sell;
    if (lower == QLatin1String("hold"))
        return TradeAction::Hold;
    return std::nullopt;
}

int tradeActionSign(TradeAction action)
{
    return action == TradeAction::Buy ? 1 : action == TradeAction::Sell ? -1 : 0;
}

QJsonObject IndicatorSignal::toJson() const
{
    QJsonObject object = details;
    object.insert(QStringLiteral("indicator"), indicator);
    object.insert(QStringLiteral("action"), tradeActionName(action));
    object.insert(QStringLiteral("strength"), strength);
    object.insert(QStringLiteral("value"), value);
    object.insert(QStringLiteral("weight"), weight);
    return object;
}

QJsonObject CombinedSignal::toJson() const
{
    return QJsonObject{{QStringLiteral("action"), tradeActionName(action)},
                       {QStringLiteral("strength"), strength},
                       {QStringLiteral("score"), score}};
}

namespace smartmarket {

std::vector<double> ema(const std::vector<double> &values, int period)
{
    std::vector<double> out;
    if (values.empty() || period < 1)
        return out;
    out.reserve(values.size());
    const double alpha = 2.0 / (period + 1.0);
    double current = values.front();
    for (const double value : values) {
        current = alpha * value + (1.0 - alpha) * current;
        out.push_back(current);
    }
    return out;
}

double meanOfLast(const std::vector<double> &values, int count)
{
    const auto n = std::min<std::size_t>(values.size(), std::size_t(std::max(count, 0)));
    if (n == 0)
        return 0.0;
    double sum = 0.0;
    for (auto it = values.end() - std::ptrdiff_t(n); it != values.end(); ++it)
        sum += *it;
    return sum / double(n);
}

double stdDevOfLast(const std::vector<double> &values, int count, bool sample)
{
    const auto n = std::min<std::size_t>(values.size(), std::size_t(std::max(count, 0)));
    if (n < 2)
        return 0.0;
    const double mean = meanOfLast(values, int(n));
    double squares = 0.0;
    for (auto it = values.end() - std::ptrdiff_t(n); it != values.end(); ++it)
        squares += (*it - mean) * (*it - mean);
    return std::sqrt(squares / double(sample ? n - 1 : n));
}

double rsiWilder(const std::vector<double> &closes, int period)
{
    if (period < 1 || closes.size() < std::size_t(period) + 1)
        return 50.0;
    double avgGain = 0.0;
    double avgLoss = 0.0;
    for (int i = 1; i <= period; ++i) {
        const double change = closes[std::size_t(i)] - closes[std::size_t(i - 1)];
        avgGain += std::max(change, 0.0);
        avgLoss += std::max(-change, 0.0);
    }
    avgGain /= period;
    avgLoss /= period;
    for (std::size_t i = std::size_t(period) + 1; i < closes.size(); ++i) {
        const double change = closes[i] - closes[i - 1];
        avgGain = (avgGain * (period - 1) + std::max(change, 0.0)) / period;
        avgLoss = (avgLoss * (period - 1) + std::max(-change, 0.0)) / period;
    }
    if (avgLoss == 0.0)
        return avgGain == 0.0 ? 50.0 : 100.0;
    return 100.0 - 100.0 / (1.0 + avgGain / avgLoss);
}

MacdValue macd(const std::vector<double> &closes, int fast, int slow, int signal)
{
    MacdValue result;
    if (closes.empty())
        return result;
    const std::vector<double> fastEma = ema(closes, fast);
    const std::vector<double> slowEma = ema(closes, slow);
    std::vector<double> line(closes.size());
    for (std::size_t i = 0; i < closes.size(); ++i)
        line[i] = fastEma[i] - slowEma[i];
    const std::vector<double> signalLine = ema(line, signal);
    result.macd = line.back();
    result.signal = signalLine.back();
    result.histogram = result.macd - result.signal;
    return result;
}

BollingerValue bollinger(const std::vector<double> &closes, int period, double width)
{
    BollingerValue result;
    if (closes.empty())
        return result;
    result.middle = meanOfLast(closes, period);
    const double sd = stdDevOfLast(closes, period, false);
    result.upper = result.middle + width * sd;
    result.lower = result.middle - width * sd;
    if (result.upper > result.lower)
        result.percentB = (closes.back() - result.lower) / (result.upper - result.lower);
    return result;
}

IndicatorSignal macdSignal(const std::vector<double> &closes)
{
    IndicatorSignal out;
    out.indicator = QStringLiteral("macd");
    if (closes.empty() || closes.back() <= 0.0)
        return out;
    const MacdValue value = macd(closes);
    const double price = closes.back();
    // The line says where the trend is, the histogram whether it is accelerating; a steady
    // trend has a histogram near zero, so the line carries half of the score.
    const double trend = std::tanh(value.macd / (0.01 * price));
    const double momentum = std::tanh(value.histogram / (0.0025 * price));
    const double score = 0.5 * trend + 0.5 * momentum;
    out.action = actionFromScore(score, 0.1);
    out.strength = out.action == TradeAction::Hold ? 0.0 : clamp01(std::abs(score));
    out.value = value.histogram;
    out.details = QJsonObject{{QStringLiteral("macd"), value.macd},
                              {QStringLiteral("signalLine"), value.signal}};
    return out;
}

IndicatorSignal rsiSignal(const std::vector<double> &closes)
{
    IndicatorSignal out;
    out.indicator = QStringLiteral("rsi");
    const double rsi = rsiWilder(closes, 14);
    out.value = rsi;
    if (rsi > 70.0) {
        out.action = TradeAction::Sell;
        out.strength = clamp01(0.5 + (rsi - 70.0) / 60.0);
    } else if (rsi < 30.0) {
        out.action = TradeAction::Buy;
        out.strength = clamp01(0.5 + (30.0 - rsi) / 60.0);
    }
    return out;
}

IndicatorSignal bollingerSignal(const std::vector<double> &closes)
{
    IndicatorSignal out;
    out.indicator = QStringLiteral("bollinger");
    if (closes.empty())
        return out;
    const BollingerValue bands = bollinger(closes, 20, 2.0);
    out.value = bands.percentB;
    out.details = QJsonObject{{QStringLiteral("upper"), bands.upper},
                              {QStringLiteral("middle"), bands.middle},
                              {QStringLiteral("lower"), bands.lower}};
    const double halfWidth = (bands.upper - bands.middle) / 2.0; // one standard deviation
    if (halfWidth <= 0.0)
        return out;
    const double z = (closes.back() - bands.middle) / halfWidth;
    if (closes.back() < bands.lower) {
        out.action = TradeAction::Buy;
        out.strength = clamp01(0.5 + (-z - 2.0) / 2.0);
    } else if (closes.back() > bands.upper) {
        out.action = TradeAction::Sell;
        out.strength = clamp01(0.5 + (z - 2.0) / 2.0);
    }
    return out;
}

std::vector<IndicatorSignal> indicatorSignals(const std::vector<double> &closes)
{
    return {macdSignal(closes), rsiSignal(closes), bollingerSignal(closes)};
}

IndicatorSignal predictionSignal(double probabilityUp)
{
    IndicatorSignal out;
    out.indicator = QStringLiteral("prediction");
    out.value = probabilityUp;
    out.weight = 1.5;
    out.action = probabilityUp > 0.5   ? TradeAction::Buy
                 : probabilityUp < 0.5 ? TradeAction::Sell
                                       : TradeAction::Hold;
    out.strength = clamp01(std::abs(2.0 * probabilityUp - 1.0));
    return out;
}

CombinedSignal combineSignals(const std::vector<IndicatorSignal> &signalList)
{
    CombinedSignal out;
    double weighted = 0.0;
    double weights = 0.0;
    for (const IndicatorSignal &signal : signalList) {
        const double weight = std::max(signal.weight, 0.0);
        weighted += weight * tradeActionSign(signal.action) * clamp01(signal.strength);
        weights += weight;
    }
    if (weights <= 0.0)
        return out;
    out.score = weighted / weights;
    out.action = actionFromScore(out.score, 0.1);
    out.strength = out.action == TradeAction::Hold ? 0.0 : clamp01(std::abs(out.score));
    return out;
}

} // namespace smartmarket
} // namespace loadscope
