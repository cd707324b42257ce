#include "curlimport.h"

#include <algorithm>

#include <QRegularExpression>
#include <QUrl>

namespace loadscope {

namespace {

bool fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return false;
}

//! Names a place in @p text: "column C" on a one-line text, "line L, column C" otherwise.
QString place(const QString &text, qsizetype index)
{
    const qsizetype lineStart = text.lastIndexOf(u'\n', index - 1) + 1;
    const QString column = QStringLiteral("column ") + QString::number(index - lineStart + 1);
    if (!text.contains(u'\n'))
        return column;
    const qsizetype line = QStringView(text).left(lineStart).count(u'\n') + 1;
    return QStringLiteral("line ") + QString::number(line) + QStringLiteral(", ") + column;
}

//! Reads a $'...' (ANSI-C) quoted string starting after the opening quote; returns the index
//! of the closing quote or -1.
qsizetype readAnsiC(const QString &text, qsizetype i, QString *word)
{
    for (; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c == u'\'')
            return i;
        if (c != u'\\' || i + 1 >= text.size()) {
            word->append(c);
            continue;
        }
        const QChar next = text.at(++i);
        switch (next.unicode()) {
        case 'n':
            word->append(u'\n');
            break;
        case 't':
            word->append(u'\t');
            break;
        case 'r':
            word->append(u'\r');
            break;
        default: // \\ \' \" and anything else: the character itself
            word->append(next);
            break;
        }
    }
    return -1;
}

//! True when @p text was copied as cmd.exe reads it: Chrome's "Copy as cURL (cmd)" quotes
//! every word as ^"...^" and ends continued lines with " ^".
bool looksLikeCmd(const QString &text)
{
    static const QRegularExpression caretLineEnd(QStringLiteral("\\^\\r?\\n"));
    return text.contains(QLatin1String("^\"")) || text.contains(caretLineEnd);
}

//! Undoes cmd.exe's escapes: "^X" is X, "^" + newline continues the line, and "^" + two
//! newlines (Chrome's way of writing a newline inside a value) is one newline.
QString fromCmd(const QString &text)
{
    QString out;
    out.reserve(text.size());
    const auto newlineAt = [&text](qsizetype i) -> qsizetype {
        if (i < text.size() && text.at(i) == u'\n')
            return 1;
        if (i + 1 < text.size() && text.at(i) == u'\r' && text.at(i + 1) == u'\n')
            return 2;
        return 0;
    };
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text.at(i) != u'^' || i + 1 >= text.size()) {
            out.append(text.at(i));
            continue;
        }
        if (const qsizetype first = newlineAt(i + 1)) {
            if (const qsizetype second = newlineAt(i + 1 + first)) {
                out.append(u'\n');
                i += first + second;
            } else {
                out.append(u' ');
                i += first;
            }
            continue;
        }
        out.append(text.at(++i));
    }
    return out;
}

} // namespace

std::optional<QList<QStringList>> splitShellCommands(const QString &input, QString *error)
{
    const QString command = looksLikeCmd(input) ? fromCmd(input) : input;
    QList<QStringList> commands;
    QStringList words;
    QString word;
    bool inWord = false; // distinguishes '' (an empty word) from no word at all
    const auto endWord = [&] {
        if (inWord)
            words.append(word);
        word.clear();
        inWord = false;
    };
    const auto endCommand = [&] {
        endWord();
        if (!words.isEmpty())
            commands.append(words);
        words.clear();
    };
    const qsizetype n = command.size();
    for (qsizetype i = 0; i < n; ++i) {
        const QChar c = command.at(i);
        if (c == u'\n') {
            endCommand();
        } else if (c.isSpace()) {
            endWord();
        } else if (c == u';' || ((c == u'&' || c == u'|') && i + 1 < n && command.at(i + 1) == c)) {
            endCommand();
            if (c != u';')
                ++i;
        } else if (c == u'|') {
            endCommand(); // a pipe: what follows is another program's command
        } else if (c == u'#' && !inWord) {
            while (i + 1 < n && command.at(i + 1) != u'\n')
                ++i;
        } else if (c == u'\\') {
            if (i + 1 >= n) {
                fail(error, QStringLiteral("a backslash ends the command at ") + place(command, i));
                return std::nullopt;
            }
            const QChar next = command.at(++i);
            if (next == u'\r' && i + 1 < n && command.at(i + 1) == u'\n')
                ++i; // Windows line continuation
            else if (next != u'\n') {
                word.append(next);
                inWord = true;
            }
        } else if (c == u'\'') {
            const qsizetype end = command.indexOf(u'\'', i + 1);
            if (end < 0) {
                fail(error, QStringLiteral("unbalanced single quote at ") + place(command, i));
                return std::nullopt;
            }
            word.append(QStringView(command).mid(i + 1, end - i - 1));
            inWord = true;
            i = end;
        } else if (c == u'$' && i + 1 < n && command.at(i + 1) == u'\'') {
            const qsizetype end = readAnsiC(command, i + 2, &word);
            if (end < 0) {
                fail(error, QStringLiteral("unbalanced $' quote at ") + place(command, i));
                return std::nullopt;
            }
            inWord = true;
            i = end;
        } else if (c == u'"') {
            const qsizetype start = i;
            bool closed = false;
            for (++i; i < n; ++i) {
                const QChar d = command.at(i);
                if (d == u'"') {
                    closed = true;
                    break;
                }
                if (d == u'\\' && i + 1 < n) {
                    const QChar next = command.at(i + 1);
                    if (next == u'"' || next == u'\\' || next == u'$' || next == u'`') {
                        word.append(next);
                        ++i;
                        continue;
                    }
                    if (next == u'\n') {
                        ++i;
                        continue;
                    }
                }
                word.append(d);
            }
            if (!closed) {
                fail(error, QStringLiteral("unbalanced double quote at ") + place(command, start));
                return std::nullopt;
            }
            inWord = true;
        } else {
            word.append(c);
            inWord = true;
        }
    }
    endCommand();
    return commands;
}

std::optional<QStringList> splitShellWords(const QString &command, QString *error)
{
    const auto commands = splitShellCommands(command, error);
    if (!commands)
        return std::nullopt;
    QStringList words;
    for (const QStringList &one : *commands)
        words += one;
    return words;
}

namespace {

// Options curl reads without a value that change nothing a plan can say (they are listed).
const QStringList &ignoredFlags()
{
    static const QStringList flags = {QStringLiteral("-s"),
                                      QStringLiteral("--silent"),
                                      QStringLiteral("-S"),
                                      QStringLiteral("--show-error"),
                                      QStringLiteral("-L"),
                                      QStringLiteral("--location"),
                                      QStringLiteral("-i"),
                                      QStringLiteral("--include"),
                                      QStringLiteral("-v"),
                                      QStringLiteral("--verbose"),
                                      QStringLiteral("-g"),
                                      QStringLiteral("--globoff"),
                                      QStringLiteral("-0"),
                                      QStringLiteral("--http1.0"),
                                      QStringLiteral("--http1.1"),
                                      QStringLiteral("--http2"),
                                      QStringLiteral("--http2-prior-knowledge"),
                                      QStringLiteral("--http3"),
                                      QStringLiteral("-f"),
                                      QStringLiteral("--fail"),
                                      QStringLiteral("--fail-with-body"),
                                      QStringLiteral("-N"),
                                      QStringLiteral("--no-buffer"),
                                      QStringLiteral("-#"),
                                      QStringLiteral("--progress-bar"),
                                      QStringLiteral("--no-progress-meter"),
                                      QStringLiteral("-q"),
                                      QStringLiteral("--disable"),
                                      QStringLiteral("--tcp-nodelay"),
                                      QStringLiteral("--no-keepalive"),
                                      QStringLiteral("--tlsv1"),
                                      QStringLiteral("--tlsv1.0"),
                                      QStringLiteral("--tlsv1.1"),
                                      QStringLiteral("--tlsv1.2"),
                                      QStringLiteral("--tlsv1.3"),
                                      QStringLiteral("--ssl"),
                                      QStringLiteral("--ssl-reqd"),
                                      QStringLiteral("-j"),
                                      QStringLiteral("--junk-session-cookies"),
                                      QStringLiteral("--digest"),
                                      QStringLiteral("--ntlm"),
                                      QStringLiteral("--negotiate"),
                                      QStringLiteral("--anyauth"),
                                      QStringLiteral("--basic"),
                                      QStringLiteral("--raw"),
                                      QStringLiteral("--tr-encoding"),
                                      QStringLiteral("--path-as-is"),
                                      QStringLiteral("-O"),
                                      QStringLiteral("--remote-name"),
                                      QStringLiteral("-J"),
                                      QStringLiteral("--remote-header-name"),
                                      QStringLiteral("--create-dirs"),
                                      QStringLiteral("-4"),
                                      QStringLiteral("--ipv4"),
                                      QStringLiteral("-6"),
                                      QStringLiteral("--ipv6"),
                                      QStringLiteral("--post301"),
                                      QStringLiteral("--post302"),
                                      QStringLiteral("--post303"),
                                      QStringLiteral("-Z"),
                                      QStringLiteral("--parallel")};
    return flags;
}

// Options curl reads with a value that a plan has no place for (they are listed).
const QStringList &ignoredWithValue()
{
    static const QStringList options = {QStringLiteral("-o"),
                                        QStringLiteral("--output"),
                                        QStringLiteral("-m"),
                                        QStringLiteral("--max-time"),
                                        QStringLiteral("--connect-timeout"),
                                        QStringLiteral("-w"),
                                        QStringLiteral("--write-out"),
                                        QStringLiteral("-D"),
                                        QStringLiteral("--dump-header"),
                                        QStringLiteral("-c"),
                                        QStringLiteral("--cookie-jar"),
                                        QStringLiteral("--retry"),
                                        QStringLiteral("--retry-delay"),
                                        QStringLiteral("--retry-max-time"),
                                        QStringLiteral("--cacert"),
                                        QStringLiteral("--capath"),
                                        QStringLiteral("-E"),
                                        QStringLiteral("--cert"),
                                        QStringLiteral("--key"),
                                        QStringLiteral("--cert-type"),
                                        QStringLiteral("--key-type"),
                                        QStringLiteral("--pass"),
                                        QStringLiteral("--resolve"),
                                        QStringLiteral("--connect-to"),
                                        QStringLiteral("--interface"),
                                        QStringLiteral("--limit-rate"),
                                        QStringLiteral("-Y"),
                                        QStringLiteral("--speed-limit"),
                                        QStringLiteral("-y"),
                                        QStringLiteral("--speed-time"),
                                        QStringLiteral("--max-redirs"),
                                        QStringLiteral("--max-filesize"),
                                        QStringLiteral("-K"),
                                        QStringLiteral("--config"),
                                        QStringLiteral("-x"),
                                        QStringLiteral("--proxy"),
                                        QStringLiteral("-U"),
                                        QStringLiteral("--proxy-user"),
                                        QStringLiteral("--noproxy"),
                                        QStringLiteral("--ciphers"),
                                        QStringLiteral("--dns-servers"),
                                        QStringLiteral("--unix-socket"),
                                        QStringLiteral("--abstract-unix-socket"),
                                        QStringLiteral("--request-target"),
                                        QStringLiteral("--expect100-timeout"),
                                        QStringLiteral("--keepalive-time"),
                                        QStringLiteral("--local-port"),
                                        QStringLiteral("--socks5"),
                                        QStringLiteral("--socks5-hostname"),
                                        QStringLiteral("--trace"),
                                        QStringLiteral("--trace-ascii"),
                                        QStringLiteral("--stderr"),
                                        QStringLiteral("--netrc-file"),
                                        QStringLiteral("--aws-sigv4")};
    return options;
}

// Options with a value that become part of the step.
const QStringList &mappedWithValue()
{
    static const QStringList options = {QStringLiteral("-X"),
                                        QStringLiteral("--request"),
                                        QStringLiteral("-H"),
                                        QStringLiteral("--header"),
                                        QStringLiteral("-d"),
                                        QStringLiteral("--data"),
                                        QStringLiteral("--data-raw"),
                                        QStringLiteral("--data-binary"),
                                        QStringLiteral("--data-ascii"),
                                        QStringLiteral("--data-urlencode"),
                                        QStringLiteral("--json"),
                                        QStringLiteral("-F"),
                                        QStringLiteral("--form"),
                                        QStringLiteral("--form-string"),
                                        QStringLiteral("-u"),
                                        QStringLiteral("--user"),
                                        QStringLiteral("--url"),
                                        QStringLiteral("-A"),
                                        QStringLiteral("--user-agent"),
                                        QStringLiteral("-e"),
                                        QStringLiteral("--referer"),
                                        QStringLiteral("-b"),
                                        QStringLiteral("--cookie"),
                                        QStringLiteral("-T"),
                                        QStringLiteral("--upload-file"),
                                        QStringLiteral("-r"),
                                        QStringLiteral("--range"),
                                        QStringLiteral("--oauth2-bearer")};
    return options;
}

// Short flags that may be bundled ("-sSLk"); k, I and G change the step, the rest are listed.
constexpr char16_t kBundleFlags[] = u"sSLivgfN#0qjOJ46ZkIG";

//! Encodes like curl's --data-urlencode: "content", "=content" and "name=content".
QString urlEncodedData(const QString &value)
{
    const qsizetype eq = value.indexOf(u'=');
    if (eq < 0)
        return QString::fromLatin1(QUrl::toPercentEncoding(value));
    const QString name = value.left(eq);
    const QString encoded = QString::fromLatin1(QUrl::toPercentEncoding(value.mid(eq + 1)));
    return name.isEmpty() ? encoded : name + u'=' + encoded;
}

struct FormPart
{
    QString name;
    QString value;
    QString type;
};

} // namespace

namespace {

std::optional<CurlImport> importCurlWords(const QStringList &words, QString *error)
{
    if (words.isEmpty() || words.first() != QLatin1String("curl")) {
        fail(error, QStringLiteral("not a curl command: it must start with \"curl\""));
        return std::nullopt;
    }

    CurlImport out;
    QString method;
    QString url;
    QStringList data;      // literal pieces, joined with "&" as curl does
    QStringList dataFiles; // -d @file: only a lone file can be the step's bodyFile
    QList<FormPart> form;
    bool formGiven = false; // a -F file part alone still makes a multipart POST
    QStringList cookies;
    bool json = false;
    bool get = false;
    bool head = false;
    bool compressed = false;
    QString uploadFile;
    const auto addHeader = [&out](const QString &name, const QString &value) {
        out.step.headers.append({name, value});
    };
    const auto hasHeader = [&out](const QString &name) {
        for (const auto &header : std::as_const(out.step.headers)) {
            if (header.first.compare(name, Qt::CaseInsensitive) == 0)
                return true;
        }
        return false;
    };
    const auto setUrl = [&url, error](const QString &value) {
        if (!url.isEmpty())
            return fail(error, QStringLiteral("more than one URL: \"") + url +
                                   QStringLiteral("\" and \"") + value + u'"');
        url = value;
        return true;
    };

    for (qsizetype i = 1; i < words.size(); ++i) {
        const QString &word = words.at(i);
        if (!word.startsWith(u'-') || word == QLatin1String("-")) {
            if (!setUrl(word))
                return std::nullopt;
            continue;
        }
        if (word == QLatin1String("-k") || word == QLatin1String("--insecure")) {
            out.insecure = true;
            continue;
        }
        if (word == QLatin1String("-I") || word == QLatin1String("--head")) {
            head = true;
            continue;
        }
        if (word == QLatin1String("-G") || word == QLatin1String("--get")) {
            get = true;
            continue;
        }
        if (word == QLatin1String("--compressed")) {
            compressed = true;
            continue;
        }
        if (ignoredFlags().contains(word)) {
            out.ignored.append(word);
            continue;
        }
        // Boolean short flags bundled together ("-sSL").
        const bool bundle = !word.startsWith(QLatin1String("--")) && word.size() > 2 &&
                            std::all_of(word.begin() + 1, word.end(), [](QChar c) {
                                return QStringView(kBundleFlags).contains(c);
                            });
        if (bundle) {
            bool listed = false;
            for (const QChar c : QStringView(word).mid(1)) {
                if (c == u'k')
                    out.insecure = true;
                else if (c == u'I')
                    head = true;
                else if (c == u'G')
                    get = true;
                else
                    listed = true;
            }
            if (listed)
                out.ignored.append(word);
            continue;
        }
        // Options with a value: "-X POST", or short options glued to their value ("-XPOST").
        QString option = word;
        QString value;
        bool glued = false;
        if (!word.startsWith(QLatin1String("--")) && word.size() > 2) {
            option = word.left(2);
            value = word.mid(2);
            glued = true;
        }
        const bool ignored = ignoredWithValue().contains(option);
        if (!ignored && !mappedWithValue().contains(option)) {
            fail(error, QStringLiteral("unsupported curl option \"") + word + u'"');
            return std::nullopt;
        }
        if (!glued) {
            if (i + 1 >= words.size()) {
                fail(error,
                     QStringLiteral("option \"") + option + QStringLiteral("\" needs a value"));
                return std::nullopt;
            }
            value = words.at(++i);
        }
        if (ignored) {
            out.ignored.append(option + u' ' + value);
        } else if (option == QLatin1String("-X") || option == QLatin1String("--request")) {
            method = value.toUpper();
        } else if (option == QLatin1String("-H") || option == QLatin1String("--header")) {
            if (value.startsWith(u'@')) {
                out.ignored.append(option + u' ' + value); // headers from a file
                continue;
            }
            const qsizetype colon = value.indexOf(u':');
            const qsizetype semicolon = value.indexOf(u';');
            if (colon < 0 && semicolon > 0 && value.mid(semicolon + 1).trimmed().isEmpty()) {
                addHeader(value.left(semicolon).trimmed(), QString()); // "Name;" = empty value
                continue;
            }
            if (colon <= 0) {
                fail(error, QStringLiteral("header \"") + value +
                                QStringLiteral("\" is not \"Name: value\""));
                return std::nullopt;
            }
            const QString headerValue = value.mid(colon + 1).trimmed();
            if (headerValue.isEmpty()) {
                out.ignored.append(option + u' ' + value); // "Name:" removes curl's own header
                continue;
            }
            addHeader(value.left(colon).trimmed(), headerValue);
        } else if (option == QLatin1String("--url")) {
            if (!setUrl(value))
                return std::nullopt;
        } else if (option == QLatin1String("-u") || option == QLatin1String("--user")) {
            addHeader(QStringLiteral("Authorization"),
                      QStringLiteral("Basic ") + QString::fromLatin1(value.toUtf8().toBase64()));
        } else if (option == QLatin1String("--oauth2-bearer")) {
            addHeader(QStringLiteral("Authorization"), QStringLiteral("Bearer ") + value);
        } else if (option == QLatin1String("-A") || option == QLatin1String("--user-agent")) {
            addHeader(QStringLiteral("User-Agent"), value);
        } else if (option == QLatin1String("-e") || option == QLatin1String("--referer")) {
            addHeader(QStringLiteral("Referer"), value);
        } else if (option == QLatin1String("-r") || option == QLatin1String("--range")) {
            addHeader(QStringLiteral("Range"), QStringLiteral("bytes=") + value);
        } else if (option == QLatin1String("-b") || option == QLatin1String("--cookie")) {
            if (value.contains(u'='))
                cookies.append(value);
            else
                out.ignored.append(option + u' ' + value); // a cookie file
        } else if (option == QLatin1String("-T") || option == QLatin1String("--upload-file")) {
            uploadFile = value;
        } else if (option == QLatin1String("-F") || option == QLatin1String("--form") ||
                   option == QLatin1String("--form-string")) {
            const qsizetype eq = value.indexOf(u'=');
            if (eq <= 0) {
                fail(error, QStringLiteral("form field \"") + value +
                                QStringLiteral("\" is not \"name=value\""));
                return std::nullopt;
            }
            formGiven = true;
            FormPart part{value.left(eq), value.mid(eq + 1), {}};
            if (option != QLatin1String("--form-string")) {
                if (part.value.startsWith(u'@') || part.value.startsWith(u'<')) {
                    out.ignored.append(option + u' ' + value); // a file part: not in a plan
                    continue;
                }
                const qsizetype type = part.value.indexOf(QLatin1String(";type="));
                if (type >= 0) {
                    part.type = part.value.mid(type + 6);
                    part.value.truncate(type);
                }
            }
            form.append(part);
        } else if (option == QLatin1String("--data-urlencode")) {
            if (value.startsWith(u'@') || (value.contains(u'@') && !value.contains(u'=')))
                out.ignored.append(option + u' ' + value); // content from a file
            else
                data.append(urlEncodedData(value));
        } else { // -d and the other data options
            json = json || option == QLatin1String("--json");
            const bool fromFile = value.startsWith(u'@') && option != QLatin1String("--data-raw");
            if (fromFile)
                dataFiles.append(value.mid(1));
            else
                data.append(value);
        }
    }

    if (url.isEmpty()) {
        fail(error, QStringLiteral("no URL in the curl command"));
        return std::nullopt;
    }
    if (!url.contains(QLatin1String("://")))
        url.prepend(QLatin1String("http://")); // curl's default scheme
    if (dataFiles.size() == 1 && data.isEmpty() && !get) {
        out.step.bodyFile = dataFiles.first();
    } else {
        for (const QString &file : std::as_const(dataFiles))
            out.ignored.append(QStringLiteral("-d @") + file); // cannot be read into one body
    }
    if (get && !data.isEmpty()) {
        // -G: the data becomes the query (appended to one already in the URL).
        const qsizetype fragment = url.indexOf(u'#');
        if (fragment >= 0)
            url.truncate(fragment);
        url += (url.contains(u'?') ? u'&' : u'?') + data.join(u'&');
        data.clear();
    }
    const qsizetype pathStart = urlPathStart(url);
    const QUrl origin(url.left(pathStart), QUrl::StrictMode);
    const QString scheme = origin.scheme().toLower();
    if (!origin.isValid() || origin.host().isEmpty() ||
        (scheme != QLatin1String("http") && scheme != QLatin1String("https"))) {
        fail(error, QStringLiteral("\"") + url + QStringLiteral("\" is not an http or https URL"));
        return std::nullopt;
    }
    if (!origin.userName().isEmpty() && !hasHeader(QStringLiteral("Authorization"))) {
        const QString credentials = origin.userName() + u':' + origin.password();
        addHeader(QStringLiteral("Authorization"),
                  QStringLiteral("Basic ") + QString::fromLatin1(credentials.toUtf8().toBase64()));
    }
    out.baseUrl = origin.toString(QUrl::RemoveUserInfo | QUrl::RemovePath);
    QString path = url.mid(pathStart);
    const qsizetype fragment = path.indexOf(u'#');
    if (fragment >= 0)
        path.truncate(fragment);
    if (!path.startsWith(u'/'))
        path.prepend(u'/');
    out.step.path = path;

    if (!cookies.isEmpty())
        addHeader(QStringLiteral("Cookie"), cookies.join(QLatin1String("; ")));
    if (compressed && !hasHeader(QStringLiteral("Accept-Encoding")))
        addHeader(QStringLiteral("Accept-Encoding"), QStringLiteral("deflate, gzip"));
    if (json) {
        if (!hasHeader(QStringLiteral("Content-Type")))
            addHeader(QStringLiteral("Content-Type"), QStringLiteral("application/json"));
        if (!hasHeader(QStringLiteral("Accept")))
            addHeader(QStringLiteral("Accept"), QStringLiteral("application/json"));
    }
    bool hasBody = !data.isEmpty() || !out.step.bodyFile.isEmpty();
    if (formGiven) {
        // What curl sends for -F; a fixed boundary keeps the import deterministic.
        const QString boundary = QStringLiteral("------------------------loadscope7MA4YWxkTrZu0gW");
        QString body;
        for (const FormPart &part : std::as_const(form)) {
            body += QStringLiteral("--") + boundary +
                    QStringLiteral("\r\nContent-Disposition: form-data; name=\"") + part.name +
                    QStringLiteral("\"\r\n");
            if (!part.type.isEmpty())
                body += QStringLiteral("Content-Type: ") + part.type + QStringLiteral("\r\n");
            body += QStringLiteral("\r\n") + part.value + QStringLiteral("\r\n");
        }
        body += QStringLiteral("--") + boundary + QStringLiteral("--\r\n");
        out.step.body = body;
        if (!hasHeader(QStringLiteral("Content-Type")))
            addHeader(QStringLiteral("Content-Type"),
                      QStringLiteral("multipart/form-data; boundary=") + boundary);
        hasBody = true;
    } else {
        out.step.body = data.join(u'&');
    }
    if (hasBody && !json && !hasHeader(QStringLiteral("Content-Type")))
        addHeader(QStringLiteral("Content-Type"),
                  QStringLiteral("application/x-www-form-urlencoded")); // what curl sends
    if (!uploadFile.isEmpty() && !hasBody) {
        out.step.bodyFile = uploadFile;
        hasBody = true;
    }
    if (!method.isEmpty())
        out.step.method = method;
    else if (head)
        out.step.method = QStringLiteral("HEAD");
    else if (!uploadFile.isEmpty())
        out.step.method = QStringLiteral("PUT");
    else
        out.step.method = hasBody ? QStringLiteral("POST") : QStringLiteral("GET");
    // A readable default name: the last path segment ("/api/bridge/predict" -> "predict").
    const QString pathOnly = path.section(u'?', 0, 0);
    const QStringList segments = pathOnly.split(u'/', Qt::SkipEmptyParts);
    out.step.name = segments.isEmpty() ? out.step.method : segments.last();
    return out;
}

} // namespace

std::optional<CurlImport> importCurl(const QString &command, QString *error)
{
    const auto commands = splitShellCommands(command.trimmed(), error);
    if (!commands)
        return std::nullopt;
    if (commands->size() > 1) {
        fail(error, QStringLiteral("the text holds %1 commands, not one").arg(commands->size()));
        return std::nullopt;
    }
    return importCurlWords(commands->isEmpty() ? QStringList() : commands->first(), error);
}

std::optional<QList<CurlImport>> importCurlCommands(const QString &text, QString *error)
{
    const auto commands = splitShellCommands(text, error);
    if (!commands)
        return std::nullopt;
    if (commands->isEmpty()) {
        fail(error, QStringLiteral("not a curl command: it must start with \"curl\""));
        return std::nullopt;
    }
    QList<CurlImport> out;
    for (qsizetype i = 0; i < commands->size(); ++i) {
        QString why;
        auto one = importCurlWords(commands->at(i), &why);
        if (!one) {
            fail(error,
                 commands->size() > 1 ? QStringLiteral("command %1: %2").arg(i + 1).arg(why) : why);
            return std::nullopt;
        }
        out.append(*one);
    }
    return out;
}

qsizetype urlPathStart(const QString &url)
{
    const qsizetype authorityStart = url.indexOf(QLatin1String("://")) + 3;
    qsizetype pathStart = url.size();
    for (const QChar stop : {u'/', u'?', u'#'}) {
        const qsizetype at = url.indexOf(stop, authorityStart);
        if (at >= 0)
            pathStart = std::min(pathStart, at);
    }
    return pathStart;
}

} // namespace loadscope
