#include "sample/smartmarketstrategy.h"

#include <algorithm>
#include <cmath>

#include <QJsonArray>

namespace loadscope {

QJsonObject StrategyDecision::toJson() const
{
    QJsonArray orderArray;
    for (const StrategyOrder &order : orders) {
        orderArray.append(QJsonObject{{QStringLiteral("symbol"), order.symbol},
                                      {QStringLiteral("side"), tradeActionName(order.side)},
                                      {QStringLiteral("quantity"), order.quantity},
                                      {QStringLiteral("price"), order.price},
                                      {QStringLiteral("value"), order.value}});
    }
    QJsonArray traceArray;
    for (const StrategyRuleResult &rule : trace) {
        traceArray.append(QJsonObject{{QStringLiteral("rule"), rule.rule},
                                      {QStringLiteral("passed"), rule.passed},
                                      {QStringLiteral("detail"), rule.detail}});
    }
    return QJsonObject{{QStringLiteral("decision"), tradeActionName(decision)},
                       {QStringLiteral("orders"), orderArray},
                       {QStringLiteral("trace"), traceArray},
                       {QStringLiteral("portfolioValue"), portfolioValue}};
}

namespace smartmarket {

namespace {

QString money(double value)
{
    return QString::number(value, 'f', 2);
}

} // namespace

StrategyDecision evaluateStrategy(const StrategyInput &input)
{
    StrategyDecision out;
    const RiskLimits &limits = input.limits;
    auto record = [&out](const QString &rule, bool passed, const QString &detail) {
        out.trace.push_back({rule, passed, detail});
        return passed;
    };

    const double held = input.portfolio.positions.value(input.symbol, 0.0);
    out.portfolioValue = input.portfolio.cash;
    for (auto it = input.portfolio.positions.cbegin(); it != input.portfolio.positions.cend();
         ++it) {
        const double price =
            it.key() == input.symbol ? input.price : input.otherPrices.value(it.key(), 0.0);
        out.portfolioValue += it.value() * price;
    }

    if (!record(QStringLiteral("minStrength"), input.strength >= limits.minStrength,
                QStringLiteral("%1 signal strength %2 %3 minimum %4")
                    .arg(tradeActionName(input.action), QString::number(input.strength, 'f', 3),
                         input.strength >= limits.minStrength ? QStringLiteral(">=")
                                                              : QStringLiteral("<"),
                         QString::number(limits.minStrength, 'f', 3))))
        return out;
    if (input.action == TradeAction::Hold) {
        record(QStringLiteral("signalAction"), true, QStringLiteral("the signal says hold"));
        return out;
    }

    double orderValue = 0.0;
    if (input.action == TradeAction::Sell) {
        if (!record(QStringLiteral("noShortSelling"), held > 0.0,
                    held > 0.0
                        ? QStringLiteral("holding %1 %2").arg(held).arg(input.symbol)
                        : QStringLiteral("no %1 position to sell; short selling is not allowed")
                              .arg(input.symbol)))
            return out;
        // Sell the signal's share of the position (at least one share).
        orderValue = std::max(1.0, std::floor(held * input.strength)) * input.price;
        orderValue = std::min(orderValue, held * input.price);
        record(QStringLiteral("positionLimit"), true,
               QStringLiteral("selling reduces the position; %1 of %2 shares by strength")
                   .arg(std::min(held, std::max(1.0, std::floor(held * input.strength))))
                   .arg(held));
    } else {
        const double positionValue = held * input.price;
        const double limit = limits.maxPositionPct * out.portfolioValue;
        const double room = limit - positionValue;
        if (!record(QStringLiteral("positionLimit"), room >= input.price,
                    QStringLiteral("position %1 of limit %2 (%3% of portfolio %4); room %5")
                        .arg(money(positionValue), money(limit),
                             QString::number(limits.maxPositionPct * 100.0, 'g', 4),
                             money(out.portfolioValue), money(std::max(room, 0.0)))))
            return out;
        orderValue = room * input.strength;
    }

    const bool capped = orderValue > limits.maxOrderValue;
    record(QStringLiteral("maxOrderValue"), true,
           capped ? QStringLiteral("order value %1 capped to %2")
                        .arg(money(orderValue), money(limits.maxOrderValue))
                  : QStringLiteral("order value %1 within %2")
                        .arg(money(orderValue), money(limits.maxOrderValue)));
    orderValue = std::min(orderValue, limits.maxOrderValue);

    if (input.action == TradeAction::Buy) {
        const double cash = std::max(input.portfolio.cash, 0.0);
        if (!record(QStringLiteral("cashAvailable"), cash >= input.price,
                    cash >= input.price
                        ? (orderValue > cash ? QStringLiteral("order value %1 reduced to cash %2")
                                                   .arg(money(orderValue), money(cash))
                                             : QStringLiteral("cash %1 covers %2")
                                                   .arg(money(cash), money(orderValue)))
                        : QStringLiteral("cash %1 below one share at %2")
                              .arg(money(cash), money(input.price))))
            return out;
        orderValue = std::min(orderValue, cash);
    }

    qint64 quantity = input.price > 0.0 ? qint64(std::floor(orderValue / input.price + 1e-9)) : 0;
    if (input.action == TradeAction::Sell)
        quantity = std::min<qint64>(quantity, qint64(std::floor(held)));
    if (!record(QStringLiteral("quantity"), quantity >= 1,
                QStringLiteral("%1 shares at %2").arg(quantity).arg(money(input.price))))
        return out;

    out.decision = input.action;
    out.orders.push_back(
        {input.symbol, input.action, quantity, input.price, double(quantity) * input.price});
    return out;
}

} // namespace smartmarket
} // namespace loadscope
