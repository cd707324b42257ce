#pragma once

#include <optional>

#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>

#include "store/storetypes.h"

class QTextStream;

namespace loadscope {

class HistoryStore;

//! The stored test @p test names: an id, else a name.
std::optional<StoredTest> findTest(HistoryStore &store, const QString &test);

//! A test's performance requirement on a trend metric, from its thresholds.
struct Budget
{
    QString expression; //!< "http_req_duration: p(95)<200"
    double limit = 0;   //!< in the trend metric's unit
    bool below = true;  //!< the value must stay under the limit (latency, error rate)
    bool inclusive = false;
    bool holds(double value) const;
};

//! The whole-run threshold of @p planJson that bounds trend metric @p metric (p95, avg,
//! errorRate, throughput...), if any.
std::optional<Budget> budgetFor(const QJsonObject &planJson, const QString &metric);

//! The optimization log of a test for `history trend`: each annotation with the effect measured
//! across it; nothing when the test has none.
void printChangeLog(HistoryStore &store, qint64 testId, QTextStream &out);
QJsonArray changeLogJson(HistoryStore &store, qint64 testId);

//! `history annotate ID --note=TEXT` / `history annotate --test=T [--at=TIME] --note=TEXT`.
int historyAnnotate(const QStringList &args, QTextStream &out, QTextStream &err);
//! `history recommendations TEST [--all]`: critical first, estimate beside measurement.
int historyRecommendations(const QStringList &args, QTextStream &out, QTextStream &err);
//! `history recommendation ID --applied-in=RUN | --dismiss=REASON | --reopen`.
int historyRecommendation(const QStringList &args, QTextStream &out, QTextStream &err);

} // namespace loadscope
