#include "restsandbox.h"

#include <QDir>
#include <QFileInfo>
#include <QHostInfo>
#include <QJsonArray>
#include <QRegularExpression>
#include <QUrl>

namespace loadscope {
namespace {

RestError forbidden(const QString &field, const QString &message, const QString &rule)
{
    RestError error;
    error.status = 403;
    error.field = field;
    error.message = field + QStringLiteral(": ") + message;
    error.extra.insert(QStringLiteral("rule"), rule);
    return error;
}

//! An IPv4-mapped IPv6 address (::ffff:10.1.2.3) as the IPv4 address it stands for, so that
//! IPv4 rules apply to it.
QHostAddress plainAddress(const QHostAddress &address)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    return isV4 ? QHostAddress(v4) : address;
}

bool isAbsoluteUrl(const QString &text)
{
    return text.startsWith(QLatin1String("http://"), Qt::CaseInsensitive) ||
           text.startsWith(QLatin1String("https://"), Qt::CaseInsensitive);
}

} // namespace

RestSandbox::RestSandbox()
{
    QString unused;
    allowTargets({QStringLiteral("127.0.0.0/8"), QStringLiteral("::1")}, &unused);
}

bool RestSandbox::allowTargets(const QStringList &entries, QString *error)
{
    for (const QString &raw : entries) {
        const QString entry = raw.trimmed();
        if (entry.isEmpty())
            continue;
        if (entry.contains(u'/')) {
            const auto subnet = QHostAddress::parseSubnet(entry);
            if (subnet.first.isNull() || subnet.second < 0) {
                *error = QStringLiteral("--allow-targets: \"") + entry +
                         QStringLiteral("\" is not a CIDR range (like 10.0.0.0/8 or fd00::/8)");
                return false;
            }
            m_subnets.append({plainAddress(subnet.first), subnet.second});
        } else if (const QHostAddress address(entry); !address.isNull()) {
            const QHostAddress plain = plainAddress(address);
            m_subnets.append({plain, plain.protocol() == QAbstractSocket::IPv4Protocol ? 32 : 128});
        } else {
            // A host name: letters, digits, '-', '.' (no ports, no schemes).
            static const QRegularExpression name(
                QStringLiteral("^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?"
                               "(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$"));
            if (!name.match(entry).hasMatch()) {
                *error = QStringLiteral("--allow-targets: \"") + entry +
                         QStringLiteral("\" is not a CIDR range, an IP address or a host name");
                return false;
            }
            m_hosts.append(entry.toLower());
        }
        if (!m_targetText.contains(entry))
            m_targetText.append(entry);
    }
    return true;
}

bool RestSandbox::allowFiles(const QString &dir, QString *error)
{
    const QFileInfo info(dir);
    const QString canonical = info.canonicalFilePath();
    if (canonical.isEmpty() || !info.isDir()) {
        *error = QStringLiteral("--allow-files: \"") + dir +
                 QStringLiteral("\" is not an existing folder");
        return false;
    }
    m_filesDir = canonical;
    if (m_filesDir.size() > 1 && m_filesDir.endsWith(u'/'))
        m_filesDir.chop(1);
    return true;
}

QString RestSandbox::targetRule() const
{
    return QStringLiteral("allow-targets: ") + m_targetText.join(QStringLiteral(", "));
}

QJsonObject RestSandbox::toJson() const
{
    return QJsonObject{{QStringLiteral("allowFiles"), m_filesDir.isEmpty()
                                                          ? QJsonValue(QJsonValue::Null)
                                                          : QJsonValue(m_filesDir)},
                       {QStringLiteral("allowTargets"), QJsonArray::fromStringList(m_targetText)}};
}

std::optional<RestError> RestSandbox::check(TestPlan &plan) const
{
    if (!plan.dataFile.isEmpty()) {
        if (auto refused = checkFile(plan.dataFile, QStringLiteral("dataFile")))
            return refused;
    }
    for (int i = 0; i < plan.steps.size(); ++i) {
        Step &step = plan.steps[i];
        const QString field = QStringLiteral("steps[") + QString::number(i) + u']';
        if (!step.bodyFile.isEmpty()) {
            if (auto refused = checkFile(step.bodyFile, field + QStringLiteral(".bodyFile")))
                return refused;
        }
        if (isAbsoluteUrl(step.path)) {
            if (auto refused = checkUrl(step.path, field + QStringLiteral(".path")))
                return refused;
        }
    }
    // An empty base URL is the operator's own target (the sample API or serve's default).
    if (!plan.baseUrl.isEmpty()) {
        if (auto refused = checkUrl(plan.baseUrl, QStringLiteral("baseUrl")))
            return refused;
    }
    // Through a proxy the traffic goes to the proxy first.
    if (!plan.proxy.isEmpty()) {
        if (auto refused = checkUrl(plan.proxy, QStringLiteral("proxy")))
            return refused;
    }
    return std::nullopt;
}

std::optional<RestError> RestSandbox::checkFile(QString &path, const QString &field) const
{
    const QString rule = m_filesDir.isEmpty() ? QStringLiteral("allow-files: none (start serve "
                                                               "with --allow-files=DIR)")
                                              : QStringLiteral("allow-files: ") + m_filesDir;
    if (m_filesDir.isEmpty())
        return forbidden(field,
                         QStringLiteral("plans sent over the REST API may not name local files "
                                        "(\"") +
                             path + QStringLiteral("\")"),
                         rule);
    // A relative path is taken inside the allowed folder, as a client cannot know the
    // server's working directory. Symlinks and ".." are resolved before the check.
    const QString absolute = QDir::isAbsolutePath(path) ? path : m_filesDir + u'/' + path;
    const QString canonical = QFileInfo(absolute).canonicalFilePath();
    if (canonical.isEmpty())
        return forbidden(field,
                         QStringLiteral("\"") + path +
                             QStringLiteral("\" does not exist under the allowed folder"),
                         rule);
    const QString inside = m_filesDir == QLatin1String("/") ? m_filesDir : m_filesDir + u'/';
    if (!canonical.startsWith(inside))
        return forbidden(field,
                         QStringLiteral("\"") + path + QStringLiteral("\" (") + canonical +
                             QStringLiteral(") is outside the allowed folder ") + m_filesDir,
                         rule);
    path = canonical;
    return std::nullopt;
}

bool RestSandbox::addressAllowed(const QHostAddress &address) const
{
    const QHostAddress plain = plainAddress(address);
    for (const auto &subnet : m_subnets) {
        if (plain.isInSubnet(subnet))
            return true;
    }
    return false;
}

std::optional<RestError> RestSandbox::checkUrl(const QString &text, const QString &field) const
{
    const QUrl url(text, QUrl::StrictMode);
    const QString host = url.host(QUrl::FullyDecoded).toLower();
    if (!url.isValid() || host.isEmpty())
        return forbidden(field,
                         QStringLiteral("\"") + text +
                             QStringLiteral("\" has no host that can be checked against the "
                                            "allowed targets"),
                         targetRule());
    if (m_hosts.contains(host))
        return std::nullopt;
    QList<QHostAddress> addresses;
    if (const QHostAddress literal(host); !literal.isNull()) {
        addresses.append(literal);
    } else {
        const QHostInfo info = QHostInfo::fromName(host);
        addresses = info.addresses();
        if (addresses.isEmpty())
            return forbidden(field,
                             QStringLiteral("host \"") + host +
                                 QStringLiteral("\" does not resolve (") + info.errorString() +
                                 QStringLiteral("), so it cannot be checked against the "
                                                "allowed targets"),
                             targetRule());
    }
    for (const QHostAddress &address : addresses) {
        if (!addressAllowed(address))
            return forbidden(
                field,
                QStringLiteral("target ") +
                    (address.toString() == host
                         ? host
                         : host + QStringLiteral(" (") + address.toString() + u')') +
                    QStringLiteral(" is not allowed for runs started over the REST API"),
                targetRule());
    }
    return std::nullopt;
}

} // namespace loadscope
