#pragma once

#include <optional>

#include <QByteArray>
#include <QJsonDocument>
#include <QString>

#include "interop/planimport.h"

namespace loadscope {

//! Imports a HAR 1.1/1.2 file (UTF-8, with or without BOM), as Chrome, Firefox, Charles,
//! Insomnia and k6 Studio write it: one step per entry in start-time order; static assets
//! (by MIME type and extension), other hosts than the first request's (unless in
//! ImportOptions::includeHosts) and CONNECT entries left out; think times from the gaps
//! between entries; bodies from postData (text or params); hop-by-hop and browser-noise
//! headers dropped; a status check from the recorded response. Values of an earlier response
//! (JSON fields, headers) sent again by a later request are correlated: an extraction on the
//! earlier step and {{variable}} in the later ones. Errors name the place ("log.entries[2]...").
std::optional<ImportResult> importHar(const QByteArray &bytes, const ImportOptions &options,
                                      QString *error);

//! "line L, column C" of byte @p offset in @p bytes (for JSON parse errors).
QString textPlace(const QByteArray &bytes, qsizetype offset);

//! @p raw without a leading UTF-8 byte order mark.
QByteArray withoutBom(const QByteArray &raw);

//! Parses an imported file as JSON (a BOM is allowed); nothing, with @p error naming the line
//! and column, when it is not JSON.
std::optional<QJsonDocument> parseImportedJson(const QByteArray &raw, QString *error);

} // namespace loadscope
