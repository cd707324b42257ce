// The endpoint handlers of SampleApiServer (the HTTP plumbing is in sampleapiserver.cpp): they
// validate the JSON body, do the work with the smartmarket functions and time each step for
// Server-Timing.

#include <cmath>
#include <optional>

#include <QJsonArray>

#include "sample/sampleapiserver.h"
#include "sample/smartmarketindicators.h"
#include "sample/smartmarketstrategy.h"

namespace loadscope {

namespace {

constexpr std::size_t predictionMemory = 4096;

// A handler's validation failure: 400 with a message naming the field.
struct BadRequest
{
    QString message;
};

double elapsedMs(const QElapsedTimer &timer)
{
    return double(timer.nsecsElapsed()) / 1e6;
}

QString requireSymbol(const QJsonObject &body)
{
    const QJsonValue value = body.value(QLatin1String("symbol"));
    if (value.isUndefined())
        throw BadRequest{QStringLiteral("missing field 'symbol'")};
    if (!value.isString() || value.toString().trimmed().isEmpty() || value.toString().size() > 32)
        throw BadRequest{
            QStringLiteral("field 'symbol' must be a non-empty string of at most 32 characters")};
    return value.toString().trimmed().toUpper();
}

double requireNumber(const QJsonValue &value, const QString &field, double min, double max)
{
    if (!value.isDouble() || !std::isfinite(value.toDouble()) || value.toDouble() < min ||
        value.toDouble() > max)
        throw BadRequest{QStringLiteral("field '%1' must be a number from %2 to %3")
                             .arg(field, QString::number(min), QString::number(max))};
    return value.toDouble();
}

double requirePositive(const QJsonValue &value, const QString &field)
{
    if (!value.isDouble() || !std::isfinite(value.toDouble()) || value.toDouble() <= 0.0)
        throw BadRequest{QStringLiteral("field '%1' must be a positive number").arg(field)};
    return value.toDouble();
}

std::vector<MarketBar> parseBars(const QJsonValue &value)
{
    if (!value.isArray())
        throw BadRequest{QStringLiteral(
            "field 'ohlcv' must be an array of [open, high, low, close, volume] bars")};
    const QJsonArray array = value.toArray();
    if (array.size() < smartmarket::minimumBars)
        throw BadRequest{QStringLiteral("field 'ohlcv' needs at least %1 bars, got %2")
                             .arg(smartmarket::minimumBars)
                             .arg(array.size())};
    std::vector<MarketBar> bars;
    bars.reserve(std::size_t(array.size()));
    for (int i = 0; i < array.size(); ++i) {
        const QJsonArray bar = array.at(i).toArray();
        const auto number = [&bar](int index) { return bar.at(index).toDouble(-1.0); };
        const bool valid = bar.size() == 5 && number(0) > 0.0 && number(1) > 0.0 &&
                           number(2) > 0.0 && number(3) > 0.0 && number(4) >= 0.0 &&
                           number(1) >= number(2);
        if (!valid)
            throw BadRequest{QStringLiteral("field 'ohlcv[%1]' must be [open, high, low, close, "
                                            "volume] with positive prices and high >= low")
                                 .arg(i)};
        bars.push_back({number(0), number(1), number(2), number(3), number(4)});
    }
    return bars;
}

std::vector<double> parsePrices(const QJsonValue &value)
{
    const QJsonArray array = value.toArray();
    if (!value.isArray() || array.size() < smartmarket::minimumSignalPrices)
        throw BadRequest{
            QStringLiteral("field 'prices' must be an array of at least %1 prices, got %2")
                .arg(smartmarket::minimumSignalPrices)
                .arg(value.isArray() ? QString::number(array.size()) : QStringLiteral("no array"))};
    std::vector<double> prices;
    prices.reserve(std::size_t(array.size()));
    for (int i = 0; i < array.size(); ++i)
        prices.push_back(requirePositive(array.at(i), QStringLiteral("prices[%1]").arg(i)));
    return prices;
}

IndicatorSignal parseSignal(const QJsonValue &value, const QString &field)
{
    if (!value.isObject())
        throw BadRequest{
            QStringLiteral("field '%1' must be an object {\"action\", \"strength\"}").arg(field)};
    const QJsonObject object = value.toObject();
    IndicatorSignal signal;
    signal.indicator = object.value(QLatin1String("indicator")).toString(field);
    const std::optional<TradeAction> action =
        parseTradeAction(object.value(QLatin1String("action")).toString());
    if (!action)
        throw BadRequest{QStringLiteral("field '%1.action' must be buy, sell or hold").arg(field)};
    signal.action = *action;
    if (!object.contains(QLatin1String("strength")))
        throw BadRequest{QStringLiteral("missing field '%1.strength'").arg(field)};
    signal.strength = requireNumber(object.value(QLatin1String("strength")),
                                    field + QStringLiteral(".strength"), 0, 1);
    if (object.contains(QLatin1String("weight")))
        signal.weight = requireNumber(object.value(QLatin1String("weight")),
                                      field + QStringLiteral(".weight"), 0, 100);
    return signal;
}

double lastSyntheticClose(const QString &symbol)
{
    return smartmarket::syntheticWindow(symbol).back().close;
}

} // namespace

bool SampleApiServer::loadModel(QString *error)
{
    if (!m_model.loadFile(SmartMarketModel::resourcePath(), error))
        return false;
    m_reportModelLoad = true;
    m_modelError.clear();
    return true;
}

void SampleApiServer::rememberPrediction(const QString &id, const QString &symbol,
                                         double probability)
{
    m_predictions.insert(id, {symbol, probability});
    m_predictionOrder.push_back(id);
    while (m_predictionOrder.size() > predictionMemory) {
        m_predictions.remove(m_predictionOrder.front());
        m_predictionOrder.pop_front();
    }
}

SampleApiServer::Reply SampleApiServer::health(const QJsonObject &)
{
    Reply reply;
    const quint64 requests = counters().requests;
    reply.body =
        QJsonObject{{QStringLiteral("status"),
                     m_model.isLoaded() ? QStringLiteral("ok") : QStringLiteral("degraded")},
                    {QStringLiteral("uptimeSec"), double(m_clock.elapsed()) / 1000.0},
                    {QStringLiteral("modelVersion"), m_model.version()},
                    {QStringLiteral("modelLoadMs"), m_model.lastLoadMs()},
                    {QStringLiteral("requests"), double(requests)}};
    if (!m_modelError.isEmpty())
        reply.body.insert(QStringLiteral("modelError"), m_modelError);
    return reply;
}

SampleApiServer::Reply SampleApiServer::reloadModel(const QJsonObject &)
{
    Reply reply;
    QString error;
    if (!loadModel(&error)) {
        m_modelError = error;
        reply.status = 500;
        reply.body = QJsonObject{
            {QStringLiteral("error"), QString(QStringLiteral("model reload failed: ") + error)}};
        return reply;
    }
    // m_reportModelLoad stays set: the next prediction shows the reload in its Server-Timing too,
    // which is where a load test watching model-load sees it.
    reply.timings.append({QByteArrayLiteral("model-load"), m_model.lastLoadMs()});
    reply.body = QJsonObject{{QStringLiteral("modelLoadMs"), m_model.lastLoadMs()},
                             {QStringLiteral("modelVersion"), m_model.version()}};
    return reply;
}

SampleApiServer::Reply SampleApiServer::predict(const QJsonObject &body)
{
    Reply reply;
    try {
        const QString symbol = requireSymbol(body);
        int horizon = 1;
        if (body.contains(QLatin1String("horizon")))
            horizon = int(requireNumber(body.value(QLatin1String("horizon")),
                                        QStringLiteral("horizon"), 1, 250));
        if (!m_model.isLoaded()) {
            reply.status = 503;
            reply.body =
                QJsonObject{{QStringLiteral("error"),
                             QString(QStringLiteral("model not loaded: ") + m_modelError)}};
            return reply;
        }

        QElapsedTimer step;
        step.start();
        const bool given = body.contains(QLatin1String("ohlcv"));
        const std::vector<MarketBar> bars = given ? parseBars(body.value(QLatin1String("ohlcv")))
                                                  : smartmarket::syntheticWindow(symbol);
        const MarketFeatures features = smartmarket::computeFeatures(bars);
        const double featuresMs = elapsedMs(step);

        step.restart();
        const double p = m_model.predict(features);
        const double inferenceMs = elapsedMs(step);

        const double modelLoadMs = m_reportModelLoad ? m_model.lastLoadMs() : 0.0;
        m_reportModelLoad = false;
        const QString id = QStringLiteral("pred-%1-%2")
                               .arg(m_instanceTag, 8, 16, QLatin1Char('0'))
                               .arg(++m_nextPrediction);
        rememberPrediction(id, symbol, p);

        reply.timings = {{QByteArrayLiteral("features"), featuresMs},
                         {QByteArrayLiteral("inference"), inferenceMs},
                         {QByteArrayLiteral("model-load"), modelLoadMs}};
        reply.body = QJsonObject{
            {QStringLiteral("predictionId"), id},
            {QStringLiteral("symbol"), symbol},
            {QStringLiteral("direction"), p >= 0.5 ? QStringLiteral("up") : QStringLiteral("down")},
            {QStringLiteral("probability"), p},
            {QStringLiteral("confidence"), std::abs(2.0 * p - 1.0)},
            {QStringLiteral("features"), features.toJson()},
            {QStringLiteral("modelVersion"), m_model.version()},
            {QStringLiteral("horizon"), horizon},
            {QStringLiteral("bars"), int(bars.size())},
            {QStringLiteral("lastClose"), bars.back().close},
            {QStringLiteral("source"),
             given ? QStringLiteral("request") : QStringLiteral("synthetic")}};
    } catch (const BadRequest &bad) {
        reply.status = 400;
        reply.body = QJsonObject{{QStringLiteral("error"), bad.message}};
    }
    return reply;
}

SampleApiServer::Reply SampleApiServer::signalsFor(const QJsonObject &body)
{
    Reply reply;
    try {
        const QString symbol = requireSymbol(body);
        QString predictionId;
        if (body.contains(QLatin1String("predictionId"))) {
            if (!body.value(QLatin1String("predictionId")).isString())
                throw BadRequest{QStringLiteral("field 'predictionId' must be a string")};
            predictionId = body.value(QLatin1String("predictionId")).toString();
        }
        QElapsedTimer step;
        step.start();
        const std::vector<double> prices =
            body.contains(QLatin1String("prices"))
                ? parsePrices(body.value(QLatin1String("prices")))
                : smartmarket::closes(smartmarket::syntheticWindow(symbol));
        std::vector<IndicatorSignal> signalList = smartmarket::indicatorSignals(prices);

        bool predictionUsed = false;
        QString predictionNote;
        if (!predictionId.isEmpty()) {
            const auto stored = m_predictions.constFind(predictionId);
            if (stored == m_predictions.cend()) {
                predictionNote = QStringLiteral("unknown or expired predictionId");
            } else if (stored->symbol != symbol) {
                predictionNote = QStringLiteral("predictionId belongs to %1").arg(stored->symbol);
            } else {
                signalList.push_back(smartmarket::predictionSignal(stored->probability));
                predictionUsed = true;
            }
        }
        const CombinedSignal combined = smartmarket::combineSignals(signalList);
        const double signalMs = elapsedMs(step);

        QJsonArray signalArray;
        for (const IndicatorSignal &signal : signalList)
            signalArray.append(signal.toJson());
        reply.timings = {{QByteArrayLiteral("signal"), signalMs}};
        reply.body = QJsonObject{{QStringLiteral("symbol"), symbol},
                                 {QStringLiteral("price"), prices.back()},
                                 {QStringLiteral("signals"), signalArray},
                                 {QStringLiteral("combined"), combined.toJson()},
                                 {QStringLiteral("predictionUsed"), predictionUsed}};
        if (!predictionNote.isEmpty())
            reply.body.insert(QStringLiteral("predictionNote"), predictionNote);
    } catch (const BadRequest &bad) {
        reply.status = 400;
        reply.body = QJsonObject{{QStringLiteral("error"), bad.message}};
    }
    return reply;
}

SampleApiServer::Reply SampleApiServer::executeStrategy(const QJsonObject &body)
{
    Reply reply;
    try {
        StrategyInput input;
        input.symbol = requireSymbol(body);

        if (body.contains(QLatin1String("signal"))) {
            const IndicatorSignal signal =
                parseSignal(body.value(QLatin1String("signal")), QStringLiteral("signal"));
            input.action = signal.action;
            input.strength = signal.strength;
        } else if (body.contains(QLatin1String("signals"))) {
            const QJsonArray array = body.value(QLatin1String("signals")).toArray();
            if (!body.value(QLatin1String("signals")).isArray() || array.isEmpty())
                throw BadRequest{QStringLiteral(
                    "field 'signals' must be a non-empty array of {\"action\", \"strength\"}")};
            std::vector<IndicatorSignal> signalList;
            for (int i = 0; i < array.size(); ++i)
                signalList.push_back(
                    parseSignal(array.at(i), QStringLiteral("signals[%1]").arg(i)));
            const CombinedSignal combined = smartmarket::combineSignals(signalList);
            input.action = combined.action;
            input.strength = combined.strength;
        } else {
            throw BadRequest{QStringLiteral("missing field 'signal' (or 'signals')")};
        }

        if (body.contains(QLatin1String("portfolio"))) {
            const QJsonValue value = body.value(QLatin1String("portfolio"));
            if (!value.isObject())
                throw BadRequest{QStringLiteral(
                    "field 'portfolio' must be an object {\"cash\", \"positions\"}")};
            const QJsonObject portfolio = value.toObject();
            if (portfolio.contains(QLatin1String("cash")))
                input.portfolio.cash = requireNumber(portfolio.value(QLatin1String("cash")),
                                                     QStringLiteral("portfolio.cash"), 0, 1e15);
            const QJsonValue positions = portfolio.value(QLatin1String("positions"));
            if (!positions.isUndefined() && !positions.isObject())
                throw BadRequest{QStringLiteral(
                    "field 'portfolio.positions' must be an object of symbol: quantity")};
            const QJsonObject positionObject = positions.toObject();
            for (auto it = positionObject.begin(); it != positionObject.end(); ++it) {
                const QString held = it.key().trimmed().toUpper();
                input.portfolio.positions.insert(
                    held,
                    requireNumber(it.value(), QStringLiteral("portfolio.positions.") + it.key(), 0,
                                  1e12));
            }
        }
        if (body.contains(QLatin1String("riskLimits"))) {
            const QJsonValue value = body.value(QLatin1String("riskLimits"));
            if (!value.isObject())
                throw BadRequest{QStringLiteral("field 'riskLimits' must be an object")};
            const QJsonObject limits = value.toObject();
            if (limits.contains(QLatin1String("maxPositionPct")))
                input.limits.maxPositionPct =
                    requireNumber(limits.value(QLatin1String("maxPositionPct")),
                                  QStringLiteral("riskLimits.maxPositionPct"), 0, 1);
            if (limits.contains(QLatin1String("maxOrderValue")))
                input.limits.maxOrderValue =
                    requirePositive(limits.value(QLatin1String("maxOrderValue")),
                                    QStringLiteral("riskLimits.maxOrderValue"));
            if (limits.contains(QLatin1String("minStrength")))
                input.limits.minStrength =
                    requireNumber(limits.value(QLatin1String("minStrength")),
                                  QStringLiteral("riskLimits.minStrength"), 0, 1);
        }

        QElapsedTimer step;
        step.start();
        input.price =
            body.contains(QLatin1String("price"))
                ? requirePositive(body.value(QLatin1String("price")), QStringLiteral("price"))
                : lastSyntheticClose(input.symbol);
        for (auto it = input.portfolio.positions.cbegin(); it != input.portfolio.positions.cend();
             ++it) {
            if (it.key() != input.symbol)
                input.otherPrices.insert(it.key(), lastSyntheticClose(it.key()));
        }
        const StrategyDecision decision = smartmarket::evaluateStrategy(input);
        const double strategyMs = elapsedMs(step);

        reply.timings = {{QByteArrayLiteral("strategy"), strategyMs}};
        reply.body = decision.toJson();
        reply.body.insert(QStringLiteral("symbol"), input.symbol);
        reply.body.insert(QStringLiteral("price"), input.price);
        reply.body.insert(QStringLiteral("signal"),
                          QJsonObject{{QStringLiteral("action"), tradeActionName(input.action)},
                                      {QStringLiteral("strength"), input.strength}});
    } catch (const BadRequest &bad) {
        reply.status = 400;
        reply.body = QJsonObject{{QStringLiteral("error"), bad.message}};
    }
    return reply;
}

} // namespace loadscope
