#pragma once

#include <optional>

#include <QString>
#include <QStringList>

#include "plan/testplan.h"

namespace loadscope {

//! What a pasted curl command turns into.
struct CurlImport
{
    Step step;           //!< path relative to baseUrl (query kept)
    QString baseUrl;     //!< "scheme://host[:port]" of the command's URL
    QStringList ignored; //!< options that were understood but have no plan equivalent
};

//! Splits @p command into words the way a POSIX shell does for the cases curl commands use:
//! single quotes, double quotes (with \" \\ \$ \` escapes), backslash escapes and
//! backslash-newline continuations. An unbalanced quote gives nullopt and @p error.
std::optional<QStringList> splitShellWords(const QString &command, QString *error = nullptr);

//! Parses a curl command line (-X/--request, -H/--header, -d/--data/--data-raw/--data-binary/
//! --data-ascii, --json, -u/--user, --url, -G is not supported) into a step. The method is
//! POST when data is given without -X, else GET. Unknown options give nullopt and @p error.
std::optional<CurlImport> importCurl(const QString &command, QString *error = nullptr);

} // namespace loadscope
