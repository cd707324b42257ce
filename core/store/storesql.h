#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <QVariant>

#include "analysis/recommendation.h"
#include "store/storetypes.h"

class QSqlDatabase;
class QSqlError;
class QSqlQuery;

namespace loadscope {

// SQLite primary result codes that deserve their own wording.
inline constexpr int SqliteBusy = 5;
inline constexpr int SqliteLocked = 6;
inline constexpr int SqliteReadOnly = 8;
inline constexpr int SqliteIoErr = 10;
inline constexpr int SqliteCorrupt = 11;
inline constexpr int SqliteFull = 13;
inline constexpr int SqliteCantOpen = 14;
inline constexpr int SqliteNotADb = 26;

//! Small conversions shared by the store's reader, writer and schema code (internal).
class StoreSql
{
public:
    //! ISO 8601 UTC with milliseconds, so that text order is time order; null for invalid.
    static QVariant timeValue(const QDateTime &time);
    static QDateTime timeFrom(const QVariant &value);
    //! Compact JSON text; NULL for an empty object.
    static QVariant jsonValue(const QJsonObject &object);
    //! A recommendation from columns @p first.. of @p query: id, area, impact, title, detail,
    //! implementation, estimated_improvement, evidence_json.
    static Recommendation recommendationFrom(const QSqlQuery &query, int first = 0);
    static QJsonObject jsonFrom(const QVariant &value);
    //! The result_samples columns sampleFrom() reads, in its order (t_sec ... data_json).
    static QString sampleColumns();
    //! A result_samples row from columns @p first.. of @p query (sampleColumns()).
    static ResultSample sampleFrom(const QSqlQuery &query, int first = 0);
    //! Compact JSON text, "{}" for an empty object (NOT NULL columns).
    static QString jsonText(const QJsonObject &object);
    //! NULL for 0 or less (no row), the id otherwise.
    static QVariant idValue(qint64 id);
    //! '' instead of NULL, for NOT NULL text columns.
    static QString nonNull(const QString &text);
    //! SQLite's own message when there is one (e.g. "FOREIGN KEY constraint failed").
    static QString rawErrorText(const QSqlError &error);
    //! rawErrorText() in plain words for what a user must act on: "the disk is full (…)",
    //! "the database file is damaged: …", "the database is read-only (…)".
    static QString errorText(const QSqlError &error);
    //! \a message, saying "the disk is full" first when the file system of \a path has less
    //! than kFullDiskBytes left (SQLite calls some of those failures "disk I/O error").
    static QString withDiskState(const QString &message, const QString &path);
    static constexpr qint64 kFullDiskBytes = 1024 * 1024;
    //! Runs a prepared query; on failure writes "<what>: <SQLite error>" (or just the SQLite
    //! error when \a what is empty) to \a error.
    static bool exec(QSqlQuery &query, const QString &what, QString *error);
    //! Runs one statement without parameters.
    static bool exec(const QSqlDatabase &db, const QString &sql, QString *error);
};

} // namespace loadscope
