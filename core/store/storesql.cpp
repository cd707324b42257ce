#include "storesql.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStorageInfo>

namespace loadscope {

QVariant StoreSql::timeValue(const QDateTime &time)
{
    if (!time.isValid())
        return QVariant(QMetaType::fromType<QString>());
    return time.toUTC().toString(Qt::ISODateWithMs);
}

QDateTime StoreSql::timeFrom(const QVariant &value)
{
    if (value.isNull())
        return {};
    return QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
}

QVariant StoreSql::jsonValue(const QJsonObject &object)
{
    if (object.isEmpty())
        return QVariant(QMetaType::fromType<QString>());
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QString StoreSql::jsonText(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QJsonObject StoreSql::jsonFrom(const QVariant &value)
{
    if (value.isNull())
        return {};
    return QJsonDocument::fromJson(value.toString().toUtf8()).object();
}

QString StoreSql::sampleColumns()
{
    return QStringLiteral("t_sec, endpoint, requests, errors, bytes_in, bytes_out, active_vus, rps,"
                          " mean_ms, p50_ms, p90_ms, p95_ms, p99_ms, p999_ms, max_ms, data_json");
}

ResultSample StoreSql::sampleFrom(const QSqlQuery &query, int first)
{
    ResultSample s;
    s.tSec = query.value(first).toDouble();
    s.endpoint = query.value(first + 1).toString();
    s.requests = query.value(first + 2).toLongLong();
    s.errors = query.value(first + 3).toLongLong();
    s.bytesIn = query.value(first + 4).toLongLong();
    s.bytesOut = query.value(first + 5).toLongLong();
    s.activeVus = query.value(first + 6).toInt();
    s.rps = query.value(first + 7).toDouble();
    s.meanMs = query.value(first + 8).toDouble();
    s.p50Ms = query.value(first + 9).toDouble();
    s.p90Ms = query.value(first + 10).toDouble();
    s.p95Ms = query.value(first + 11).toDouble();
    s.p99Ms = query.value(first + 12).toDouble();
    s.p999Ms = query.value(first + 13).toDouble();
    s.maxMs = query.value(first + 14).toDouble();
    s.data = jsonFrom(query.value(first + 15));
    return s;
}

QVariant StoreSql::idValue(qint64 id)
{
    if (id <= 0)
        return QVariant(QMetaType::fromType<qint64>());
    return id;
}

QString StoreSql::nonNull(const QString &text)
{
    return text.isNull() ? QStringLiteral("") : text;
}

QString StoreSql::rawErrorText(const QSqlError &error)
{
    const QString database = error.databaseText().trimmed();
    return database.isEmpty() ? error.text().trimmed() : database;
}

QString StoreSql::errorText(const QSqlError &error)
{
    const QString text = rawErrorText(error);
    // SQLite's own words ("database or disk is full", "database disk image is malformed") do
    // not tell a user what happened to their history; the primary result code does.
    switch (error.nativeErrorCode().toInt() & 0xff) {
    case SqliteFull:
        return QStringLiteral("the disk is full (") + text + u')';
    case SqliteCorrupt:
    case SqliteNotADb:
        return QStringLiteral("the database file is damaged: ") + text;
    case SqliteReadOnly:
        return QStringLiteral("the database is read-only (") + text + u')';
    case SqliteBusy:
    case SqliteLocked:
        return QStringLiteral("the database is locked by another process (") + text + u')';
    default:
        return text;
    }
}

QString StoreSql::withDiskState(const QString &message, const QString &path)
{
    if (message.contains(QLatin1String("the disk is full")))
        return message;
    // SQLite reports a failed write to the -shm or -wal file of a full file system as a
    // "disk I/O error"; the free space says which it was.
    const QStorageInfo storage(QFileInfo(path).absolutePath());
    if (storage.isValid() && storage.bytesAvailable() >= 0 &&
        storage.bytesAvailable() < kFullDiskBytes) {
        return QStringLiteral("the disk is full (") +
               QString::number(storage.bytesAvailable() / 1024) + QStringLiteral(" KiB free on ") +
               storage.rootPath() + QStringLiteral("): ") + message;
    }
    return message;
}

bool StoreSql::exec(QSqlQuery &query, const QString &what, QString *error)
{
    if (query.exec())
        return true;
    if (error) {
        *error = what.isEmpty() ? errorText(query.lastError())
                                : what + QStringLiteral(": ") + errorText(query.lastError());
    }
    return false;
}

bool StoreSql::exec(const QSqlDatabase &db, const QString &sql, QString *error)
{
    QSqlQuery query(db);
    if (query.exec(sql))
        return true;
    if (error)
        *error = sql.section(QLatin1Char(' '), 0, 3) + QStringLiteral(": ") +
                 errorText(query.lastError());
    return false;
}

Recommendation StoreSql::recommendationFrom(const QSqlQuery &query, int first)
{
    Recommendation r;
    r.id = query.value(first).toLongLong();
    r.area = query.value(first + 1).toString();
    r.impact = query.value(first + 2).toString();
    r.title = query.value(first + 3).toString();
    r.detail = query.value(first + 4).toString();
    r.implementation = query.value(first + 5).toString();
    r.estimatedImprovement = query.value(first + 6).toString();
    r.evidence = jsonFrom(query.value(first + 7));
    return r;
}

} // namespace loadscope
