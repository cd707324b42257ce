#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <QString>

namespace loadscope {

//! A web server's access-log line format, compiled from nginx's `log_format` or Apache's
//! `LogFormat` syntax, that reads lines into the fields a run needs (real-user data, DESIGN.md
//! §4.1 `import --format=nginx|apache`). Fields it does not know are skipped, so any format
//! works as long as it has the request line (or method and URI), the status and a time.
class AccessLogFormat
{
public:
    enum class Dialect
    {
        Nginx, //!< $variable / ${variable}
        Apache //!< %h, %>s, %{ms}T, %{Referer}i ...
    };

    //! What a line gave. Times are µs since the epoch; -1 where the format has no such field.
    struct Entry
    {
        qint64 timeUs = -1;       //!< when the line was logged: the end of the request
        bool timeIsStart = false; //!< Apache's %t is the time the request was received
        std::string_view method;
        std::string_view target; //!< path and query as requested
        int status = 0;
        qint64 durationUs = -1; //!< $request_time, %D, %T
        qint64 upstreamUs = -1; //!< $upstream_response_time (summed over upstreams)
        qint64 bytesOut = -1;   //!< response bytes ($body_bytes_sent, %b, %O)
        qint64 bytesIn = -1;    //!< request bytes ($request_length, %I)
    };

    //! nginx's predefined "combined" format (no request time).
    static AccessLogFormat nginxCombined();
    //! Apache's usual "combined" LogFormat (no request time).
    static AccessLogFormat apacheCombined();
    //! Compiles @p spec; nothing with @p error naming the directive it cannot use or the field
    //! the format lacks (a time, a status, the request).
    static std::optional<AccessLogFormat> compile(Dialect dialect, const QString &spec,
                                                  QString *error);

    //! Reads one line; false with @p why ("no request line", "bad status") when it does not
    //! match the format.
    bool parse(std::string_view line, Entry *entry, const char **why) const;

    bool hasDuration() const { return m_hasDuration; }
    bool hasUpstreamTime() const { return m_hasUpstream; }
    Dialect dialect() const { return m_dialect; }
    QString spec() const { return m_spec; }

private:
    enum class Field
    {
        Literal,
        Skip,
        TimeLocal,   //!< "02/Dec/2026:19:47:17 +0000" ([...] for Apache's %t)
        TimeIso8601, //!< "2026-12-02T19:47:17+00:00"
        Msec,        //!< "1764704837.123"
        Request,     //!< "GET /path?q HTTP/1.1"
        Method,
        Target,   //!< $request_uri, %U%q together
        Path,     //!< $uri, %U (no query)
        Status,   //!< $status, %>s, %s
        BytesOut, //!< $body_bytes_sent, $bytes_sent, %b, %B, %O
        BytesIn,  //!< $request_length, %I
        Seconds,  //!< $request_time "0.123", %T "0"
        Millis,   //!< %{ms}T
        Micros,   //!< %D, %{us}T
        Upstream  //!< $upstream_response_time "0.010, 0.002" or "-"
    };
    struct Token
    {
        Field field = Field::Literal;
        std::string literal; //!< Literal: the text
    };

    AccessLogFormat() = default;
    void add(Field field, std::string literal = {});
    bool finishCompile(QString *error);

    std::vector<Token> m_tokens;
    Dialect m_dialect = Dialect::Nginx;
    QString m_spec;
    bool m_hasDuration = false;
    bool m_hasUpstream = false;
};

//! The route of a request target: the path without its query, with segments that are ids
//! (numbers, UUIDs, long hex or mixed letter-and-digit tokens) folded into "{id}", so that
//! /users/42 and /users/43 are one endpoint.
std::string accessLogRoute(std::string_view target);

} // namespace loadscope
