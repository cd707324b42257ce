#include "apitoken.h"

#include <array>

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QStandardPaths>

namespace loadscope {
namespace {

constexpr int kTokenBytes = 32;
constexpr QFileDevice::Permissions kOwnerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;

bool isHexToken(const QString &token)
{
    if (token.size() < 32)
        return false;
    for (const QChar c : token) {
        if (!((c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f') || (c >= u'A' && c <= u'F')))
            return false;
    }
    return true;
}

QString generateToken()
{
    std::array<quint32, kTokenBytes / sizeof(quint32)> words{};
    QRandomGenerator::system()->fillRange(words.data(), qsizetype(words.size()));
    const QByteArray bytes(reinterpret_cast<const char *>(words.data()), kTokenBytes);
    return QString::fromLatin1(bytes.toHex());
}

} // namespace

QString apiTokenDirectory()
{
    const QString overridden = qEnvironmentVariable("LOADSCOPE_CONFIG_DIR");
    if (!overridden.isEmpty())
        return overridden;
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) +
           QStringLiteral("/loadscope"); // shared by the GUI and the CLI
}

QString loadOrCreateApiToken(QString *path, QString *error, bool *created)
{
    QString dummy;
    QString &why = error ? *error : dummy;
    if (created)
        *created = false;
    const QString directory = apiTokenDirectory();
    if (directory.isEmpty()) {
        why = QStringLiteral(
            "no configuration directory for the API token (set LOADSCOPE_CONFIG_DIR)");
        return QString();
    }
    const QString filePath = QDir(directory).filePath(QStringLiteral("api-token"));
    if (path)
        *path = filePath;

    QFile file(filePath);
    if (file.exists()) {
        if (!file.open(QIODevice::ReadOnly)) {
            why = filePath + QStringLiteral(": cannot read the API token: ") + file.errorString();
            return QString();
        }
        const QString token = QString::fromLatin1(file.read(4096)).trimmed();
        file.close();
        if (!isHexToken(token)) {
            why = filePath +
                  QStringLiteral(": not a token (expected at least 32 hex digits); delete the "
                                 "file to have a new one generated");
            return QString();
        }
        // A token others can read is no secret: tighten the file rather than serve with it.
        if ((QFileInfo(filePath).permissions() &
             ~(kOwnerOnly | QFileDevice::ReadUser | QFileDevice::WriteUser)) &&
            !file.setPermissions(kOwnerOnly)) {
            why = filePath + QStringLiteral(": readable by others and cannot be restricted: ") +
                  file.errorString();
            return QString();
        }
        return token;
    }

    if (!QDir().mkpath(directory)) {
        why = directory + QStringLiteral(": cannot create the configuration directory");
        return QString();
    }
    // NewOnly: never follow or reuse a file that appeared meanwhile. The permissions are set
    // before the secret is written.
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly)) {
        why =
            filePath + QStringLiteral(": cannot create the API token file: ") + file.errorString();
        return QString();
    }
    if (!file.setPermissions(kOwnerOnly)) {
        why = filePath + QStringLiteral(": cannot restrict the permissions: ") + file.errorString();
        file.close();
        file.remove();
        return QString();
    }
    const QString token = generateToken();
    if (file.write(token.toLatin1() + '\n') < 0 || !file.flush()) {
        why = filePath + QStringLiteral(": cannot write the API token: ") + file.errorString();
        file.close();
        file.remove();
        return QString();
    }
    file.close();
    if (created)
        *created = true;
    return token;
}

bool apiTokenMatches(const QString &presented, const QString &expected)
{
    if (expected.isEmpty())
        return false;
    const QByteArray a = QCryptographicHash::hash(presented.toUtf8(), QCryptographicHash::Sha256);
    const QByteArray b = QCryptographicHash::hash(expected.toUtf8(), QCryptographicHash::Sha256);
    unsigned char difference = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        difference |= static_cast<unsigned char>(a[i] ^ b[i]);
    return difference == 0;
}

} // namespace loadscope
