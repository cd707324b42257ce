#include "storetypes.h"

namespace loadscope {

QString ResultSource::label() const
{
    if (!isImported())
        return QStringLiteral("Loadscope");
    QString text = tool;
    if (!toolVersion.isEmpty())
        text += QLatin1Char(' ') + toolVersion;
    if (!fileName.isEmpty())
        text += QStringLiteral(" (") + fileName + QLatin1Char(')');
    return text;
}

QJsonObject ResultSource::toJson() const
{
    QJsonObject json{
        {QStringLiteral("tool"), tool},     {QStringLiteral("format"), format},
        {QStringLiteral("file"), fileName}, {QStringLiteral("contentHash"), contentHash},
        {QStringLiteral("lines"), lines},   {QStringLiteral("badLines"), badLines}};
    if (!toolVersion.isEmpty())
        json.insert(QStringLiteral("toolVersion"), toolVersion);
    if (importedAt.isValid())
        json.insert(QStringLiteral("importedAt"), importedAt.toString(Qt::ISODateWithMs));
    return json;
}

} // namespace loadscope
