#pragma once

#include <optional>

#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include "plan/testplan.h"
#include "rest/restplans.h"

namespace loadscope {

//! What a plan that arrives over the REST API may reach: local files only under one folder
//! (`serve --allow-files=DIR`, none by default) and traffic only to allowed targets
//! (`serve --allow-targets=CIDR|HOST`, loopback by default). Without it any token holder
//! could have the server read its user's files and send them to any host.
class RestSandbox
{
public:
    //! Loopback only (127.0.0.0/8, ::1) and no files.
    RestSandbox();

    //! Also allows @p entries: CIDR ("10.0.0.0/8"), an address ("10.1.2.3", "::1") or a host
    //! name (matched by name, case-insensitive). False with @p error naming a bad entry.
    bool allowTargets(const QStringList &entries, QString *error);
    //! Allows files under @p dir (an existing folder; symlinks resolved). False with @p error.
    bool allowFiles(const QString &dir, QString *error);

    //! A 403 naming the field and the rule when @p plan names a file or a target that is not
    //! allowed; nullopt when the plan may be stored and run, its file paths then replaced by
    //! the canonical ones checked (a relative path is taken inside the allowed folder, not in
    //! the server's working directory). Host names are resolved (blocking) and every address
    //! they resolve to must be allowed.
    std::optional<RestError> check(TestPlan &plan) const;

    //! {"allowFiles": DIR or null, "allowTargets": [...]} for GET /api/performance.
    QJsonObject toJson() const;
    //! "allow-targets: 127.0.0.0/8, ::1, ..."
    QString targetRule() const;
    //! The canonical allowed folder, empty when no files are allowed.
    QString filesDir() const { return m_filesDir; }

private:
    std::optional<RestError> checkFile(QString &path, const QString &field) const;
    std::optional<RestError> checkUrl(const QString &url, const QString &field) const;
    bool addressAllowed(const QHostAddress &address) const;

    QList<QPair<QHostAddress, int>> m_subnets;
    QStringList m_hosts;      //!< allowed host names, lower case
    QStringList m_targetText; //!< the rules as given, for messages
    QString m_filesDir;       //!< canonical, without a trailing '/'
};

} // namespace loadscope
