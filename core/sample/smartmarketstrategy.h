#pragma once

#include <vector>

#include <QHash>
#include <QJsonObject>
#include <QString>

#include "sample/smartmarketindicators.h"

// The rule set behind /api/strategy/execute (DESIGN.md §3.6): turns a signal and a portfolio
// into orders, recording every rule it evaluated.

namespace loadscope {

//! Risk limits a decision must respect.
struct RiskLimits
{
    double maxPositionPct = 0.2;    //!< Largest position as a share of portfolio value.
    double maxOrderValue = 20000.0; //!< Largest value of a single order.
    double minStrength = 0.3;       //!< Weaker signals are held.
};

//! Cash and share positions by symbol.
struct Portfolio
{
    double cash = 100000.0;
    QHash<QString, double> positions;
};

//! Everything one evaluation needs.
struct StrategyInput
{
    QString symbol;
    TradeAction action = TradeAction::Hold;
    double strength = 0.0;
    double price = 0.0; //!< Price of @c symbol.
    Portfolio portfolio;
    QHash<QString, double> otherPrices; //!< Prices used to value the other positions.
    RiskLimits limits;
};

//! One order the strategy wants to place.
struct StrategyOrder
{
    QString symbol;
    TradeAction side = TradeAction::Buy;
    qint64 quantity = 0;
    double price = 0.0;
    double value = 0.0;
};

//! One evaluated rule.
struct StrategyRuleResult
{
    QString rule;
    bool passed = true;
    QString detail;
};

//! The decision with its orders and the trace of rules.
struct StrategyDecision
{
    TradeAction decision = TradeAction::Hold;
    std::vector<StrategyOrder> orders;
    std::vector<StrategyRuleResult> trace;
    double portfolioValue = 0.0;

    //! {"decision","orders":[…],"trace":[…],"portfolioValue"}.
    QJsonObject toJson() const;
};

namespace smartmarket {

//! Evaluates minStrength, noShortSelling, positionLimit, maxOrderValue, cashAvailable and
//! quantity in that order; any failed rule turns the decision into hold without orders.
StrategyDecision evaluateStrategy(const StrategyInput &input);

} // namespace smartmarket
} // namespace loadscope
