#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <string_view>
#include <vector>

#include <QFile>
#include <QString>

struct evp_md_ctx_st; // OpenSSL's EVP_MD_CTX

// Streaming helpers shared by the result importers (internal to interop/): a line reader that
// never holds the file whole and hashes every byte it reads, a CSV field splitter, and the
// number and time parsers the hot loops need (no allocation, no QString per line).

namespace loadscope::importing {

//! SHA-256 through OpenSSL's EVP interface, which uses the CPU's SHA extensions where it has
//! them: over 1.5 GB/s here, several times QCryptographicHash's portable code, which took a
//! fifth of an import's time.
class Sha256 final
{
    Q_DISABLE_COPY_MOVE(Sha256)

public:
    Sha256();
    ~Sha256();
    void add(const char *data, size_t size);
    //! The lower-case hex digest; the object is used up.
    QString hex();

private:
    evp_md_ctx_st *m_ctx;
};

//! SHA-256 (hex) of @p bytes.
QString sha256Of(const QByteArray &bytes);
//! SHA-256 (hex) of the file at @p path; "" with @p error when it cannot be read.
QString sha256OfFile(const QString &path, QString *error);

//! Reads a file line by line through a fixed buffer, hashing its bytes (SHA-256) on the way.
//! A UTF-8 byte order mark at the start is skipped; "\r\n" and "\n" both end a line.
class LineReader
{
public:
    explicit LineReader(const QString &path);
    //! False (with errorString()) when the file cannot be opened.
    bool open();
    QString errorString() const { return m_file.errorString(); }
    //! The next line without its end; false at the end of the file (or on a read error).
    bool next(std::string_view *line);
    //! 1-based number of the line next() returned last.
    qint64 lineNumber() const { return m_lineNumber; }
    //! True when the line next() returned last had no line end (the file ends inside it).
    bool lastLineUnterminated() const { return m_unterminated; }
    //! Bytes consumed so far and the file's size (for progress).
    qint64 bytesRead() const { return m_consumed; }
    qint64 size() const { return m_size; }
    //! Reads whatever is left (so that the hash covers the whole file) and returns the hex hash.
    QString finishHash();
    //! The first bytes of the file (up to @p n, BOM skipped), without consuming them.
    static QByteArray peek(const QString &path, qint64 n, QString *error);

private:
    bool fill();

    QFile m_file;
    Sha256 m_hash;
    std::vector<char> m_buffer;
    size_t m_begin = 0;
    size_t m_end = 0;
    qint64 m_lineNumber = 0;
    qint64 m_consumed = 0;
    qint64 m_size = 0;
    bool m_eof = false;
    bool m_first = true;
    bool m_unterminated = false;
};

//! Splits one CSV record at @p delimiter into @p fields (views into @p line, or into @p scratch
//! for quoted fields holding doubled quotes). False when a quote is left open.
bool splitCsv(std::string_view line, char delimiter, std::vector<std::string_view> *fields,
              std::vector<std::string> *scratch);

//! Integer / floating point in the whole of @p text; false on anything else (empty included).
bool parseInt(std::string_view text, qint64 *value);
bool parseDouble(std::string_view text, double *value);
//! RFC 3339 ("2017-05-09T14:34:45.239531499+02:00", "…Z", space for T) to µs since the epoch.
bool parseRfc3339(std::string_view text, qint64 *epochUs);
//! A timestamp that is RFC 3339 or a unix number in s, ms, µs or ns (told apart by magnitude);
//! false beyond kMaxFileUs.
bool parseTimestamp(std::string_view text, qint64 *epochUs);

//! The largest magnitude of microseconds a time or duration read from a file may have: a start
//! plus a duration still fits in a qint64 (about 73,000 years each), so no sum overflows.
inline constexpr qint64 kMaxFileUs = std::numeric_limits<qint64>::max() / 4;
//! Milliseconds from a file in microseconds, rounded; false beyond kMaxFileUs (a timestamp no
//! run had, which the importer reports as a bad line).
bool msToUs(double ms, qint64 *us);
//! The same for a duration, clamped to ±kMaxFileUs instead (NaN reads as 0): nonsense a file
//! can hold, which RunBuilder then refuses as a span no run has.
qint64 msToUsClamped(double ms);

inline QString toQString(std::string_view text)
{
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

} // namespace loadscope::importing
