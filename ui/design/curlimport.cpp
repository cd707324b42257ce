#include "curlimport.h"

#include <algorithm>

#include <QUrl>

namespace loadscope {

namespace {

QString column(qsizetype index)
{
    return QString::number(index + 1);
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

bool fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return false;
}

} // namespace

std::optional<QStringList> splitShellWords(const QString &command, QString *error)
{
    QStringList words;
    QString word;
    bool inWord = false; // distinguishes '' (an empty word) from no word at all
    const qsizetype n = command.size();
    for (qsizetype i = 0; i < n; ++i) {
        const QChar c = command.at(i);
        if (c.isSpace()) {
            if (inWord)
                words.append(word);
            word.clear();
            inWord = false;
        } else if (c == u'\\') {
            if (i + 1 >= n) {
                fail(error, QStringLiteral("a backslash ends the command at column ") + column(i));
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
                fail(error, QStringLiteral("unbalanced single quote at column ") + column(i));
                return std::nullopt;
            }
            word.append(QStringView(command).mid(i + 1, end - i - 1));
            inWord = true;
            i = end;
        } else if (c == u'$' && i + 1 < n && command.at(i + 1) == u'\'') {
            const qsizetype end = readAnsiC(command, i + 2, &word);
            if (end < 0) {
                fail(error, QStringLiteral("unbalanced $' quote at column ") + column(i));
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
                fail(error, QStringLiteral("unbalanced double quote at column ") + column(start));
                return std::nullopt;
            }
            inWord = true;
        } else {
            word.append(c);
            inWord = true;
        }
    }
    if (inWord)
        words.append(word);
    return words;
}

std::optional<CurlImport> importCurl(const QString &command, QString *error)
{
    const auto words = splitShellWords(command.trimmed(), error);
    if (!words)
        return std::nullopt;
    if (words->isEmpty() || words->first() != QLatin1String("curl")) {
        fail(error, QStringLiteral("not a curl command: it must start with \"curl\""));
        return std::nullopt;
    }

    CurlImport out;
    QString method;
    QString url;
    QStringList data;
    bool json = false;
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

    static const QStringList kIgnoredFlags = {
        QStringLiteral("-s"),           QStringLiteral("--silent"),   QStringLiteral("-S"),
        QStringLiteral("--show-error"), QStringLiteral("-k"),         QStringLiteral("--insecure"),
        QStringLiteral("-L"),           QStringLiteral("--location"), QStringLiteral("-i"),
        QStringLiteral("--include"),    QStringLiteral("-v"),         QStringLiteral("--verbose"),
        QStringLiteral("--compressed"), QStringLiteral("-g"),         QStringLiteral("--globoff"),
        QStringLiteral("--http1.1"),    QStringLiteral("-f"),         QStringLiteral("--fail"),
        QStringLiteral("-N"),           QStringLiteral("--no-buffer")};
    static const QStringList kIgnoredWithValue = {
        QStringLiteral("-o"), QStringLiteral("--output"), QStringLiteral("-m"),
        QStringLiteral("--max-time"), QStringLiteral("--connect-timeout")};

    for (qsizetype i = 1; i < words->size(); ++i) {
        const QString &word = words->at(i);
        if (!word.startsWith(u'-') || word == QLatin1String("-")) {
            if (!url.isEmpty()) {
                fail(error, QStringLiteral("more than one URL: \"") + url +
                                QStringLiteral("\" and \"") + word + u'"');
                return std::nullopt;
            }
            url = word;
            continue;
        }
        // Boolean short flags, alone or bundled ("-sSL").
        const bool bundledFlags = !word.startsWith(QLatin1String("--")) && word.size() > 1 &&
                                  std::all_of(word.begin() + 1, word.end(), [](QChar c) {
                                      return QStringView(u"sSkLivgfN").contains(c);
                                  });
        if (kIgnoredFlags.contains(word) || bundledFlags) {
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
        static const QStringList kWithValue = {
            QStringLiteral("-X"),           QStringLiteral("--request"),
            QStringLiteral("-H"),           QStringLiteral("--header"),
            QStringLiteral("-d"),           QStringLiteral("--data"),
            QStringLiteral("--data-raw"),   QStringLiteral("--data-binary"),
            QStringLiteral("--data-ascii"), QStringLiteral("--data-urlencode"),
            QStringLiteral("--json"),       QStringLiteral("-u"),
            QStringLiteral("--user"),       QStringLiteral("--url"),
            QStringLiteral("-A"),           QStringLiteral("--user-agent"),
            QStringLiteral("-e"),           QStringLiteral("--referer"),
            QStringLiteral("-b"),           QStringLiteral("--cookie")};
        if (!kWithValue.contains(option) && !kIgnoredWithValue.contains(option)) {
            fail(error, QStringLiteral("unsupported curl option \"") + word + u'"');
            return std::nullopt;
        }
        if (!glued) {
            if (i + 1 >= words->size()) {
                fail(error,
                     QStringLiteral("option \"") + option + QStringLiteral("\" needs a value"));
                return std::nullopt;
            }
            value = words->at(++i);
        }
        if (kIgnoredWithValue.contains(option)) {
            out.ignored.append(option);
        } else if (option == QLatin1String("-X") || option == QLatin1String("--request")) {
            method = value.toUpper();
        } else if (option == QLatin1String("-H") || option == QLatin1String("--header")) {
            const qsizetype colon = value.indexOf(u':');
            if (colon <= 0) {
                fail(error, QStringLiteral("header \"") + value +
                                QStringLiteral("\" is not \"Name: value\""));
                return std::nullopt;
            }
            addHeader(value.left(colon).trimmed(), value.mid(colon + 1).trimmed());
        } else if (option == QLatin1String("--url")) {
            if (!url.isEmpty()) {
                fail(error, QStringLiteral("more than one URL: \"") + url +
                                QStringLiteral("\" and \"") + value + u'"');
                return std::nullopt;
            }
            url = value;
        } else if (option == QLatin1String("-u") || option == QLatin1String("--user")) {
            addHeader(QStringLiteral("Authorization"),
                      QStringLiteral("Basic ") + QString::fromLatin1(value.toUtf8().toBase64()));
        } else if (option == QLatin1String("-A") || option == QLatin1String("--user-agent")) {
            addHeader(QStringLiteral("User-Agent"), value);
        } else if (option == QLatin1String("-e") || option == QLatin1String("--referer")) {
            addHeader(QStringLiteral("Referer"), value);
        } else if (option == QLatin1String("-b") || option == QLatin1String("--cookie")) {
            addHeader(QStringLiteral("Cookie"), value);
        } else { // the data options
            json = json || option == QLatin1String("--json");
            data.append(value);
        }
    }

    if (url.isEmpty()) {
        fail(error, QStringLiteral("no URL in the curl command"));
        return std::nullopt;
    }
    if (!url.contains(QLatin1String("://")))
        url.prepend(QLatin1String("http://")); // curl's default scheme
    // Split by hand rather than through QUrl so the path keeps {{variables}} and encodings
    // exactly as written.
    const qsizetype authorityStart = url.indexOf(QLatin1String("://")) + 3;
    qsizetype pathStart = url.size();
    for (const QChar stop : {u'/', u'?', u'#'}) {
        const qsizetype at = url.indexOf(stop, authorityStart);
        if (at >= 0)
            pathStart = std::min(pathStart, at);
    }
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

    if (json) {
        if (!hasHeader(QStringLiteral("Content-Type")))
            addHeader(QStringLiteral("Content-Type"), QStringLiteral("application/json"));
        if (!hasHeader(QStringLiteral("Accept")))
            addHeader(QStringLiteral("Accept"), QStringLiteral("application/json"));
    }
    if (data.size() == 1 && data.first().startsWith(u'@'))
        out.step.bodyFile = data.first().mid(1);
    else
        out.step.body = data.join(u'&');
    if (!data.isEmpty() && !json && !hasHeader(QStringLiteral("Content-Type")))
        addHeader(QStringLiteral("Content-Type"),
                  QStringLiteral("application/x-www-form-urlencoded")); // what curl sends
    out.step.method = !method.isEmpty()
                          ? method
                          : (data.isEmpty() ? QStringLiteral("GET") : QStringLiteral("POST"));
    // A readable default name: the last path segment ("/api/bridge/predict" -> "predict").
    const QString pathOnly = path.section(u'?', 0, 0);
    const QStringList segments = pathOnly.split(u'/', Qt::SkipEmptyParts);
    out.step.name = segments.isEmpty() ? out.step.method : segments.last();
    return out;
}

} // namespace loadscope
