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
