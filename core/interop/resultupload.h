#pragma once

#include <QJsonObject>
#include <QString>
#include <QUrl>

namespace loadscope {

//! POSTs @p document (a result, resultjson.h) as JSON to @p url, with "Authorization: Bearer
//! @p token" when a token is given, and waits for the answer on a local event loop. A refused
//! connection, a timeout (30 s) or a 5xx is tried again, up to 4 attempts over ~7 s: an agent
//! that finishes while its workbench restarts still reports. False with the reason (the HTTP
//! status and the server's message) in @p error.
bool postResult(const QUrl &url, const QString &token, const QJsonObject &document, QString *error);

} // namespace loadscope
