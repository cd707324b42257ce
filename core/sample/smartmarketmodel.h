#pragma once

#include <vector>

#include <QJsonObject>
#include <QString>
#include <QStringList>

// Market features and the small neural network behind /api/bridge/predict (DESIGN.md §3.6).
// The feature formulas are written down in resources/sample-model/smartmarket-model.json.

class QByteArray;

namespace loadscope {

//! One OHLCV bar.
struct MarketBar
{
    double open = 0.0;
    double high = 0.0;
    double low = 0.0;
    double close = 0.0;
    double volume = 0.0;
};

//! The model's inputs, computed from the last bars of a window.
struct MarketFeatures
{
    double lastReturn = 0.0;   //!< ln(c[n-1]/c[n-2])
    double return5 = 0.0;      //!< ln(c[n-1]/c[n-6])
    double return20 = 0.0;     //!< ln(c[n-1]/c[n-21])
    double volatility20 = 0.0; //!< sample std of the last 20 log returns
    double rsi14 = 50.0;       //!< Wilder RSI(14)
    double volumeZ20 = 0.0;    //!< z-score of the last volume in the last 20 (sample std)
    double macdHist = 0.0;     //!< MACD(12,26,9) histogram divided by the last close

    //! Values in model input order (see names()).
    std::vector<double> toVector() const;
    //! {"lastReturn": …, …}.
    QJsonObject toJson() const;
    //! Feature names in model input order.
    static QStringList names();
};

namespace smartmarket {

//! Minimum number of bars /api/bridge/predict accepts.
inline constexpr int minimumBars = 30;
//! Bars in a generated window.
inline constexpr int syntheticBars = 64;

//! Stable 64-bit FNV-1a hash of the upper-cased symbol (qHash is salted per process).
quint64 symbolSeed(const QString &symbol);
//! Deterministic OHLCV window for @p symbol: a geometric random walk seeded by symbolSeed().
std::vector<MarketBar> syntheticWindow(const QString &symbol, int bars = syntheticBars);
//! Closing prices of @p bars.
std::vector<double> closes(const std::vector<MarketBar> &bars);
//! Features of the window (needs minimumBars bars; callers validate).
MarketFeatures computeFeatures(const std::vector<MarketBar> &bars);

} // namespace smartmarket

//! A small dense network (standardise → layers) loaded from the JSON weights file.
class SmartMarketModel final
{
public:
    //! Resource path of the shipped weights.
    static QString resourcePath();

    //! Loads and validates a weights file; on failure keeps the previous weights.
    bool loadFile(const QString &path, QString *error = nullptr);
    //! Parses weights from JSON text; on failure keeps the previous weights.
    bool loadJson(const QByteArray &json, QString *error = nullptr);

    bool isLoaded() const { return !m_layers.empty(); }
    QString version() const { return m_version; }
    //! Wall time of the last successful loadFile()/loadJson() in milliseconds.
    double lastLoadMs() const { return m_lastLoadMs; }

    //! P(up) for @p features, in (0,1); 0.5 when no model is loaded.
    double predict(const MarketFeatures &features) const;

private:
    enum class Activation
    {
        Linear,
        Tanh,
        Sigmoid,
        Relu
    };
    struct Layer
    {
        std::vector<std::vector<double>> weights; // [output][input]
        std::vector<double> bias;
        Activation activation = Activation::Linear;
    };

    std::vector<double> m_mean;
    std::vector<double> m_std;
    std::vector<Layer> m_layers;
    QString m_version;
    double m_lastLoadMs = 0.0;
};

} // namespace loadscope
