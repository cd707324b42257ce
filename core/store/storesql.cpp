#include "storesql.h"

#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

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

QString StoreSql::errorText(const QSqlError &error)
{
    const QString database = error.databaseText().trimmed();
    return database.isEmpty() ? error.text().trimmed() : database;
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

} // namespace loadscope
