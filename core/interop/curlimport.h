#pragma once

#include <optional>

#include <QList>
#include <QString>
#include <QStringList>

#include "plan/testplan.h"

namespace loadscope {

//! What one curl command turns into.
struct CurlImport
{
    Step step;       //!< path relative to baseUrl (query kept)
    QString baseUrl; //!< "scheme://host[:port]" of the command's URL
    QStringList
        ignored; //!< options as written that have no plan equivalent (never dropped silently)
    bool insecure = false; //!< -k/--insecure was given (the plan's insecureSkipTlsVerify)
};

//! Splits @p command into words the way a POSIX shell does for the cases curl commands use:
//! single quotes, double quotes (with \" \\ \$ \` escapes), $'...' (ANSI-C) quotes, backslash
//! escapes and backslash-newline continuations. An unbalanced quote gives nullopt and @p error.
//! Words of several commands (see splitShellCommands) are returned one after the other.
std::optional<QStringList> splitShellWords(const QString &command, QString *error = nullptr);

//! Splits a paste of several commands into the words of each: commands end at an unquoted
//! newline (not continued), "&&", "||" or ";". A paste from Chrome's "Copy as cURL (cmd)"
//! (^ escapes and ^ line continuations of cmd.exe) is recognized and read as cmd.exe would.
//! Empty commands and "#" comment lines are skipped.
std::optional<QList<QStringList>> splitShellCommands(const QString &text, QString *error = nullptr);

//! Parses one curl command line into a step, reading options as curl does: -X, -H, -d and
//! its variants (--data-raw, --data-binary, --data-ascii, --data-urlencode, --json), -G
//! (data into the query), -F/--form/--form-string (multipart), -u, -b, -A, -e, -I/--head,
//! -T, -r, --oauth2-bearer, --compressed (Accept-Encoding), --url. The method is POST when
//! data is given without -X, else GET. Options without a plan equivalent go to
//! CurlImport::ignored; an option curl does not have gives nullopt and @p error.
std::optional<CurlImport> importCurl(const QString &command, QString *error = nullptr);

//! Parses every curl command of a paste (see splitShellCommands), one step each in order.
//! An error names the command ("command 2: ...") when there is more than one.
std::optional<QList<CurlImport>> importCurlCommands(const QString &text, QString *error = nullptr);

//! Where the path (or query, or fragment) of "scheme://authority..." @p url begins: the index of
//! the first '/', '?' or '#' after the authority, else its size. Split by hand rather than
//! through QUrl so the path keeps {{variables}} and encodings exactly as written.
qsizetype urlPathStart(const QString &url);

} // namespace loadscope
