// The SmartMarket sample API's computations: features and model output on a fixed window
// against independent re-implementations of the textbook formulas, indicator signals on
// hand-made series, and each strategy rule.

#include <cmath>
#include <vector>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "sample/smartmarketindicators.h"
#include "sample/smartmarketmodel.h"
#include "sample/smartmarketstrategy.h"
#include "testmain.h"

using namespace loadscope;

namespace {

// A fixed 40-bar window: a gentle uptrend with a wave, volumes cycling over a week.
std::vector<MarketBar> fixedWindow()
{
    std::vector<MarketBar> bars;
    for (int i = 0; i < 40; ++i) {
        const double close = 100.0 + 0.3 * i + 5.0 * std::sin(i / 3.0);
        bars.push_back({close - 0.4, close + 1.2, close - 1.1, close, 1000.0 + 150.0 * (i % 7)});
    }
    return bars;
}

// --- Independent reference formulas (written from the definitions, not from the server code).

// Wilder's RSI: seed with the simple averages of the first n gains/losses, then smooth.
double referenceRsi(const std::vector<double> &c, int n)
{
    std::vector<double> gains, losses;
    for (std::size_t i = 1; i < c.size(); ++i) {
        const double d = c[i] - c[i - 1];
        gains.push_back(d > 0 ? d : 0.0);
        losses.push_back(d < 0 ? -d : 0.0);
    }
    double g = 0, l = 0;
    for (int i = 0; i < n; ++i) {
        g += gains[std::size_t(i)] / n;
        l += losses[std::size_t(i)] / n;
    }
    for (std::size_t i = std::size_t(n); i < gains.size(); ++i) {
        g = (g * (n - 1) + gains[i]) / n;
        l = (l * (n - 1) + losses[i]) / n;
    }
    return l == 0 ? 100.0 : 100.0 - 100.0 / (1.0 + g / l);
}

// Sample standard deviation (n-1) of the last k values.
double referenceSampleStd(const std::vector<double> &v, std::size_t k)
{
    double mean = 0;
    for (std::size_t i = v.size() - k; i < v.size(); ++i)
        mean += v[i] / double(k);
    double ss = 0;
    for (std::size_t i = v.size() - k; i < v.size(); ++i)
        ss += (v[i] - mean) * (v[i] - mean);
    return std::sqrt(ss / double(k - 1));
}

// EMA value series with alpha 2/(N+1) starting at x[0].
std::vector<double> referenceEma(const std::vector<double> &x, int n)
{
    std::vector<double> out{x[0]};
    const double a = 2.0 / (n + 1);
    for (std::size_t i = 1; i < x.size(); ++i)
        out.push_back(a * x[i] + (1 - a) * out.back());
    return out;
}

QJsonObject weightsFile()
{
    QFile file(
        QStringLiteral(LOADSCOPE_SOURCE_DIR "/resources/sample-model/smartmarket-model.json"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

// The network written out by hand: standardise, tanh layer, sigmoid unit.
double referenceMlp(const QJsonObject &weights, const std::vector<double> &x)
{
    const QJsonArray mean =
        weights[QLatin1String("standardization")][QLatin1String("mean")].toArray();
    const QJsonArray sd = weights[QLatin1String("standardization")][QLatin1String("std")].toArray();
    std::vector<double> z;
    for (std::size_t i = 0; i < x.size(); ++i)
        z.push_back((x[i] - mean[int(i)].toDouble()) / sd[int(i)].toDouble());
    const QJsonArray layers = weights[QLatin1String("layers")].toArray();
    const QJsonObject hiddenLayer = layers[0].toObject();
    const QJsonObject outputLayer = layers[1].toObject();
    std::vector<double> h;
    for (int j = 0; j < hiddenLayer[QLatin1String("weights")].toArray().size(); ++j) {
        double s = hiddenLayer[QLatin1String("bias")][j].toDouble();
        for (std::size_t i = 0; i < z.size(); ++i)
            s += hiddenLayer[QLatin1String("weights")][j][int(i)].toDouble() * z[i];
        h.push_back(std::tanh(s));
    }
    double s = outputLayer[QLatin1String("bias")][0].toDouble();
    for (std::size_t j = 0; j < h.size(); ++j)
        s += outputLayer[QLatin1String("weights")][0][int(j)].toDouble() * h[j];
    return 1.0 / (1.0 + std::exp(-s));
}

StrategyInput buyInput(double strength)
{
    StrategyInput input;
    input.symbol = QStringLiteral("AAPL");
    input.action = TradeAction::Buy;
    input.strength = strength;
    input.price = 100.0;
    input.portfolio.cash = 100000.0;
    return input;
}

bool traceHas(const StrategyDecision &decision, const QString &rule, bool passed)
{
    for (const StrategyRuleResult &result : decision.trace) {
        if (result.rule == rule && result.passed == passed)
            return true;
    }
    return false;
}

} // namespace

class TestSmartMarketModel : public QObject
{
    Q_OBJECT

private slots:
    void featuresOfFixedWindow()
    {
        const std::vector<MarketBar> bars = fixedWindow();
        std::vector<double> c, v, r;
        for (const MarketBar &bar : bars) {
            c.push_back(bar.close);
            v.push_back(bar.volume);
        }
        for (std::size_t i = 1; i < c.size(); ++i)
            r.push_back(std::log(c[i] / c[i - 1]));
        const std::size_t n = c.size();

        const MarketFeatures f = smartmarket::computeFeatures(bars);
        QCOMPARE(f.lastReturn, std::log(c[n - 1] / c[n - 2]));
        QCOMPARE(f.return5, std::log(c[n - 1] / c[n - 6]));
        QCOMPARE(f.return20, std::log(c[n - 1] / c[n - 21]));
        QVERIFY(qAbs(f.volatility20 - referenceSampleStd(r, 20)) < 1e-12);
        QVERIFY(qAbs(f.rsi14 - referenceRsi(c, 14)) < 1e-9);
        double volumeMean = 0;
        for (std::size_t i = n - 20; i < n; ++i)
            volumeMean += v[i] / 20.0;
        QVERIFY(qAbs(f.volumeZ20 - (v[n - 1] - volumeMean) / referenceSampleStd(v, 20)) < 1e-12);
        const std::vector<double> e12 = referenceEma(c, 12), e26 = referenceEma(c, 26);
        std::vector<double> line;
        for (std::size_t i = 0; i < n; ++i)
            line.push_back(e12[i] - e26[i]);
        const double histogram = line.back() - referenceEma(line, 9).back();
        QVERIFY(qAbs(f.macdHist - histogram / c[n - 1]) < 1e-12);

        // Sanity of the window itself: a wave at its crest after an uptrend.
        QVERIFY(f.return20 > 0.0);
        QVERIFY(f.rsi14 > 0.0 && f.rsi14 < 100.0);
    }

    void rsiOnAHandCheckedSeries()
    {
        // 15 closes = exactly 14 changes, so RSI is the seed average alone: gains sum to 3.34,
        // losses to 1.40 (summed by hand), RS = 3.34/1.40, RSI = 100 - 100/(1+RS) = 70.464.
        const std::vector<double> closes{44.34, 44.09, 44.15, 43.61, 44.33, 44.83, 45.10, 45.42,
                                         45.84, 46.08, 45.89, 46.03, 45.61, 46.28, 46.28};
        QVERIFY(qAbs(smartmarket::rsiWilder(closes, 14) - (100.0 - 100.0 / (1.0 + 3.34 / 1.40))) <
                1e-9);
        // One more bar exercises the smoothing step: avg = (13*avg + x)/14.
        std::vector<double> longer = closes;
        longer.push_back(46.00); // a loss of 0.28
        const double gain = 3.34 / 14 * 13 / 14;
        const double loss = (1.40 / 14 * 13 + 0.28) / 14;
        QVERIFY(qAbs(smartmarket::rsiWilder(longer, 14) - (100.0 - 100.0 / (1.0 + gain / loss))) <
                1e-9);
        QCOMPARE(smartmarket::rsiWilder({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, 14),
                 100.0);
    }

    void modelOutputMatchesHandWrittenNetwork()
    {
        const QJsonObject weights = weightsFile();
        QVERIFY2(!weights.isEmpty(), "weights file not found or not JSON");
        SmartMarketModel model;
        QString error;
        QVERIFY2(model.loadFile(SmartMarketModel::resourcePath(), &error), qPrintable(error));
        QCOMPARE(model.version(),
                 QStringLiteral("smartmarket-mlp-") + weights[QLatin1String("version")].toString());
        QVERIFY(model.lastLoadMs() > 0.0);

        const MarketFeatures f = smartmarket::computeFeatures(fixedWindow());
        const double expected = referenceMlp(weights, f.toVector());
        QVERIFY(qAbs(model.predict(f) - expected) < 1e-12);

        // A synthetic symbol window too, so a second point of the function is pinned.
        const MarketFeatures g =
            smartmarket::computeFeatures(smartmarket::syntheticWindow(QStringLiteral("MSFT")));
        QVERIFY(qAbs(model.predict(g) - referenceMlp(weights, g.toVector())) < 1e-12);
    }

    void weightsAreSensible()
    {
        SmartMarketModel model;
        QVERIFY(model.loadFile(SmartMarketModel::resourcePath()));
        MarketFeatures neutral;
        neutral.volatility20 = 0.018;
        MarketFeatures momentum = neutral;
        momentum.return5 = 0.06;
        momentum.return20 = 0.12;
        QVERIFY(model.predict(momentum) > model.predict(neutral));
        MarketFeatures overbought = neutral;
        overbought.rsi14 = 85.0;
        MarketFeatures oversold = neutral;
        oversold.rsi14 = 15.0;
        QVERIFY(model.predict(overbought) < model.predict(neutral));
        QVERIFY(model.predict(oversold) > model.predict(neutral));
    }

    void badWeightsKeepThePreviousModel()
    {
        SmartMarketModel model;
        QVERIFY(model.loadFile(SmartMarketModel::resourcePath()));
        const double before = model.predict(MarketFeatures());
        QJsonObject broken = weightsFile();
        QJsonObject standardization = broken[QLatin1String("standardization")].toObject();
        standardization[QLatin1String("mean")] = QJsonArray{1.0, 2.0};
        broken[QLatin1String("standardization")] = standardization;
        QString error;
        QVERIFY(!model.loadJson(QJsonDocument(broken).toJson(), &error));
        QVERIFY2(error.contains(QLatin1String("standardization")), qPrintable(error));
        QVERIFY(!model.loadJson("{ nope", &error));
        QVERIFY(error.startsWith(QLatin1String("invalid JSON at offset")));
        QVERIFY(!model.loadFile(QStringLiteral("/nonexistent/model.json"), &error));
        QVERIFY(error.contains(QLatin1String("/nonexistent/model.json")));
        QCOMPARE(model.predict(MarketFeatures()), before);
    }

    void syntheticWindowIsDeterministicPerSymbol()
    {
        const auto a = smartmarket::syntheticWindow(QStringLiteral("AAPL"));
        const auto b = smartmarket::syntheticWindow(QStringLiteral(" aapl "));
        const auto m = smartmarket::syntheticWindow(QStringLiteral("MSFT"));
        QCOMPARE(int(a.size()), smartmarket::syntheticBars);
        for (std::size_t i = 0; i < a.size(); ++i) {
            QCOMPARE(a[i].close, b[i].close);
            QVERIFY(a[i].low > 0.0 && a[i].low <= std::min(a[i].open, a[i].close));
            QVERIFY(a[i].high >= std::max(a[i].open, a[i].close));
            QVERIFY(a[i].volume >= 0.0);
        }
        QVERIFY(a.back().close != m.back().close);
        // FNV-1a of "A" is a published constant: the seed does not depend on the process.
        QCOMPARE(smartmarket::symbolSeed(QStringLiteral("a")), Q_UINT64_C(0xaf63fc4c860222ec));
    }

    void macdBuysARisingSeries()
    {
        std::vector<double> rising;
        for (int i = 0; i < 60; ++i)
            rising.push_back(100.0 + i);
        const IndicatorSignal signal = smartmarket::macdSignal(rising);
        QCOMPARE(signal.action, TradeAction::Buy);
        QVERIFY(signal.strength > 0.0 && signal.strength <= 1.0);

        std::vector<double> falling(rising.rbegin(), rising.rend());
        QCOMPARE(smartmarket::macdSignal(falling).action, TradeAction::Sell);
    }

    void rsiSellsOverbought()
    {
        std::vector<double> climbing;
        double price = 100.0;
        for (int i = 0; i < 40; ++i) {
            price += (i % 4 == 3) ? -0.5 : 2.0; // mostly up with small dips
            climbing.push_back(price);
        }
        const IndicatorSignal signal = smartmarket::rsiSignal(climbing);
        QVERIFY(signal.value > 70.0);
        QCOMPARE(signal.action, TradeAction::Sell);
        QVERIFY(signal.strength >= 0.5);

        std::vector<double> sliding;
        for (double p : climbing)
            sliding.push_back(300.0 - p);
        QCOMPARE(smartmarket::rsiSignal(sliding).action, TradeAction::Buy);
    }

    void bollingerBuysBelowTheLowerBand()
    {
        std::vector<double> prices;
        for (int i = 0; i < 39; ++i)
            prices.push_back(100.0 + ((i % 2) ? 1.0 : -1.0));
        prices.push_back(95.0);
        // Population std over the last 20 (19 alternating ±1 plus the drop), by hand.
        double mean = 0;
        for (std::size_t i = prices.size() - 20; i < prices.size(); ++i)
            mean += prices[i] / 20.0;
        double ss = 0;
        for (std::size_t i = prices.size() - 20; i < prices.size(); ++i)
            ss += (prices[i] - mean) * (prices[i] - mean);
        const double lower = mean - 2.0 * std::sqrt(ss / 20.0);
        QVERIFY(95.0 < lower);

        const BollingerValue bands = smartmarket::bollinger(prices);
        QVERIFY(qAbs(bands.lower - lower) < 1e-12);
        const IndicatorSignal signal = smartmarket::bollingerSignal(prices);
        QCOMPARE(signal.action, TradeAction::Buy);
        QVERIFY(signal.value < 0.0); // %b below zero

        prices.back() = 100.5; // inside the bands
        QCOMPARE(smartmarket::bollingerSignal(prices).action, TradeAction::Hold);
    }

    void combinedVoteIsWeighted()
    {
        IndicatorSignal buy;
        buy.action = TradeAction::Buy;
        buy.strength = 0.9;
        IndicatorSignal sell;
        sell.action = TradeAction::Sell;
        sell.strength = 0.3;
        IndicatorSignal hold;
        const CombinedSignal mixed = smartmarket::combineSignals({buy, sell, hold});
        QVERIFY(qAbs(mixed.score - (0.9 - 0.3) / 3.0) < 1e-12);
        QCOMPARE(mixed.action, TradeAction::Buy);
        QVERIFY(qAbs(mixed.strength - 0.2) < 1e-12);

        const IndicatorSignal model =
            smartmarket::predictionSignal(0.1); // sell, strength 0.8, weight 1.5
        QCOMPARE(model.action, TradeAction::Sell);
        QVERIFY(qAbs(model.strength - 0.8) < 1e-12);
        const CombinedSignal withModel = smartmarket::combineSignals({buy, sell, hold, model});
        QVERIFY(qAbs(withModel.score - (0.9 - 0.3 - 1.5 * 0.8) / 4.5) < 1e-12);
        QCOMPARE(withModel.action, TradeAction::Sell);
        QCOMPARE(smartmarket::combineSignals({hold, hold}).action, TradeAction::Hold);
    }

    void weakSignalHolds()
    {
        const StrategyDecision decision = smartmarket::evaluateStrategy(buyInput(0.2));
        QCOMPARE(decision.decision, TradeAction::Hold);
        QVERIFY(decision.orders.empty());
        QVERIFY(traceHas(decision, QStringLiteral("minStrength"), false));
    }

    void orderCappedByMaxOrderValue()
    {
        StrategyInput input = buyInput(1.0);
        input.limits.maxOrderValue = 7500.0;
        const StrategyDecision decision = smartmarket::evaluateStrategy(input);
        QCOMPARE(decision.decision, TradeAction::Buy);
        QCOMPARE(int(decision.orders.size()), 1);
        QCOMPARE(decision.orders.front().quantity, qint64(75));
        QCOMPARE(decision.orders.front().value, 7500.0);
        QVERIFY(traceHas(decision, QStringLiteral("maxOrderValue"), true));
        QVERIFY(decision.trace.at(2).detail.contains(QLatin1String("capped")));
    }

    void positionLimitAsShareOfPortfolio()
    {
        StrategyInput input = buyInput(1.0);
        input.limits.maxOrderValue = 1e9;
        input.portfolio.positions.insert(QStringLiteral("AAPL"), 100.0); // 10 000 of 110 000
        const StrategyDecision room = smartmarket::evaluateStrategy(input);
        // 20 % of 110 000 = 22 000, minus 10 000 held = 12 000 of room → 120 shares.
        QCOMPARE(room.orders.front().quantity, qint64(120));
        input.portfolio.positions[QStringLiteral("AAPL")] = 300.0; // 30 000 of 130 000 > 20 %
        const StrategyDecision full = smartmarket::evaluateStrategy(input);
        QCOMPARE(full.decision, TradeAction::Hold);
        QVERIFY(traceHas(full, QStringLiteral("positionLimit"), false));
    }

    void noSellWithoutPosition()
    {
        StrategyInput input = buyInput(0.8);
        input.action = TradeAction::Sell;
        const StrategyDecision none = smartmarket::evaluateStrategy(input);
        QCOMPARE(none.decision, TradeAction::Hold);
        QVERIFY(traceHas(none, QStringLiteral("noShortSelling"), false));

        input.strength = 0.5;
        input.portfolio.positions.insert(QStringLiteral("AAPL"), 10.0);
        const StrategyDecision half = smartmarket::evaluateStrategy(input);
        QCOMPARE(half.decision, TradeAction::Sell);
        QCOMPARE(half.orders.front().quantity, qint64(5));
    }

    void cashLimitsTheOrder()
    {
        StrategyInput input = buyInput(1.0);
        input.portfolio.cash = 1050.0;
        input.portfolio.positions.insert(QStringLiteral("MSFT"), 1000.0);
        input.otherPrices.insert(QStringLiteral("MSFT"), 100.0);
        const StrategyDecision some = smartmarket::evaluateStrategy(input);
        QCOMPARE(some.decision, TradeAction::Buy);
        QCOMPARE(some.orders.front().quantity, qint64(10)); // 1 050 of cash buys 10 at 100
        QVERIFY(traceHas(some, QStringLiteral("cashAvailable"), true));

        input.portfolio.cash = 99.0;
        const StrategyDecision none = smartmarket::evaluateStrategy(input);
        QCOMPARE(none.decision, TradeAction::Hold);
        QVERIFY(traceHas(none, QStringLiteral("cashAvailable"), false));
    }

    void decisionJsonShape()
    {
        const QJsonObject json = smartmarket::evaluateStrategy(buyInput(1.0)).toJson();
        QCOMPARE(json[QLatin1String("decision")].toString(), QStringLiteral("buy"));
        const QJsonObject order = json[QLatin1String("orders")][0].toObject();
        for (const char *key : {"symbol", "side", "quantity", "price", "value"})
            QVERIFY2(order.contains(QLatin1String(key)), key);
        const QJsonObject rule = json[QLatin1String("trace")][0].toObject();
        for (const char *key : {"rule", "passed", "detail"})
            QVERIFY2(rule.contains(QLatin1String(key)), key);
    }
};

LOADSCOPE_TEST_MAIN(TestSmartMarketModel)
#include "tst_smartmarketmodel.moc"
