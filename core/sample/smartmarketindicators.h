#pragma once

#include <optional>
#include <vector>

#include <QJsonObject>
#include <QString>

// Technical indicators and their trading signals for the SmartMarket sample API (DESIGN.md §3.6).
// Pure functions over price series so that the unit tests can check them without a server.

namespace loadscope {

//! What a signal or a strategy recommends.
enum class TradeAction
{
    Hold,
    Buy,
    Sell
};

//! "buy", "sell" or "hold".
QString tradeActionName(TradeAction action);
//! Parses "buy"/"sell"/"hold" (case-insensitive); nullopt for anything else.
std::optional<TradeAction> parseTradeAction(const QString &text);
//! +1 for buy, -1 for sell, 0 for hold.
int tradeActionSign(TradeAction action);

//! One indicator's recommendation: action, strength in [0,1] and the indicator's value.
struct IndicatorSignal
{
    QString indicator;
    TradeAction action = TradeAction::Hold;
    double strength = 0.0;
    double value = 0.0;
    QJsonObject details; //!< Extra numbers (e.g. the bands), shown in the API response.
    double weight = 1.0; //!< Weight in the combined vote.

    //! {"indicator","action","strength","value", ...details}.
    QJsonObject toJson() const;
};

//! Result of the weighted vote over several signals.
struct CombinedSignal
{
    TradeAction action = TradeAction::Hold;
    double strength = 0.0; //!< |score| clamped to [0,1].
    double score = 0.0;    //!< Weighted mean of sign*strength, in [-1,1].

    QJsonObject toJson() const;
};

//! Moving-average convergence/divergence at the last bar.
struct MacdValue
{
    double macd = 0.0;
    double signal = 0.0;
    double histogram = 0.0;
};

//! Bollinger bands at the last bar.
struct BollingerValue
{
    double middle = 0.0;
    double upper = 0.0;
    double lower = 0.0;
    double percentB = 0.5; //!< (price - lower) / (upper - lower); 0.5 when the bands are flat.
};

namespace smartmarket {

//! Minimum number of prices /api/signals accepts (EMA26 + a 9-bar signal line).
inline constexpr int minimumSignalPrices = 35;

//! EMA series with alpha = 2/(period+1), starting at values[0].
std::vector<double> ema(const std::vector<double> &values, int period);
//! Arithmetic mean of the last @p count values.
double meanOfLast(const std::vector<double> &values, int count);
//! Standard deviation of the last @p count values; sample (n-1) or population (n).
double stdDevOfLast(const std::vector<double> &values, int count, bool sample);
//! RSI with Wilder smoothing at the last value; needs period+1 values (else 50).
double rsiWilder(const std::vector<double> &closes, int period = 14);
//! MACD(fast, slow) with its signal line at the last value.
MacdValue macd(const std::vector<double> &closes, int fast = 12, int slow = 26, int signal = 9);
//! Bollinger bands over the last @p period closes with population standard deviation.
BollingerValue bollinger(const std::vector<double> &closes, int period = 20, double width = 2.0);

//! MACD signal: buy when the MACD line and histogram point up, sell when down.
IndicatorSignal macdSignal(const std::vector<double> &closes);
//! RSI signal: sell above 70 (overbought), buy below 30 (oversold), else hold.
IndicatorSignal rsiSignal(const std::vector<double> &closes);
//! Bollinger signal: buy below the lower band, sell above the upper band, else hold.
IndicatorSignal bollingerSignal(const std::vector<double> &closes);
//! The three indicator signals in a fixed order (macd, rsi, bollinger).
std::vector<IndicatorSignal> indicatorSignals(const std::vector<double> &closes);
//! A model prediction as a signal: buy when P(up) > 0.5, strength |2p-1|, weight 1.5.
IndicatorSignal predictionSignal(double probabilityUp);
//! Weighted vote: score = sum(w*sign*strength)/sum(w); |score| < 0.1 is hold.
CombinedSignal combineSignals(const std::vector<IndicatorSignal> &signalList);

} // namespace smartmarket
} // namespace loadscope
