#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>
#include <QString>

#include "metrics/errorclass.h"

namespace loadscope {

//! Per-request timing breakdown in microseconds, with k6's meanings.
struct RequestTiming
{
    qint64 blockedUs = 0;        //!< waiting for a free connection/VU (filled by the engine)
    qint64 connectingUs = 0;     //!< TCP connect start -> established (0 on a reused connection)
    qint64 tlsHandshakingUs = 0; //!< TLS handshake (0 for plain HTTP)
    qint64 sendingUs = 0;        //!< first byte written -> last byte written
    qint64 waitingUs = 0;        //!< last byte written -> first response byte (TTFB)
    qint64 receivingUs = 0;      //!< first response byte -> response complete
    qint64 durationUs = 0;       //!< sending + waiting + receiving
};

//! The HTTP version a response came over (k6's proto tag).
enum class HttpProtocol : quint8
{
    Unknown = 0,
    Http11 = 1, //!< "HTTP/1.1"
    Http2 = 2,  //!< "HTTP/2.0"
};

//! One HTTP request as the user described it; the transport adds Host, Content-Length, Connection.
struct HttpRequestData
{
    QByteArray method = QByteArrayLiteral("GET");
    QByteArray target = QByteArrayLiteral("/"); //!< origin-form: path?query
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    //! Redirects followed before the response counts (k6's maxRedirects); 0 = none.
    int maxRedirects = 10;
    //! Non-empty: the request must not be sent (e.g. a substituted value held a line break);
    //! it fails as ErrorClass::Check with this text.
    QString refusal;
};

//! True when @p text is an RFC 9110 token (a method or a header name): non-empty, and only
//! letters, digits and !#$%&'*+-.^_`|~.
bool isHttpToken(const QByteArray &text);
//! True when @p text holds CR, LF or NUL, which would end or cut a request line or header.
bool hasLineBreakOrNul(QByteArrayView text);
//! @p target with every byte that may not appear in an origin-form request target (space,
//! controls, non-ASCII, "<>\^`{|}[]#) percent-encoded; "/a/b?x=1&y=2" and existing %XX
//! escapes stay as they are.
QByteArray encodeRequestTarget(const QByteArray &target);
//! Why @p request cannot be written as it is ("header name \"X Y\" is not a token"), empty
//! when it can. CR, LF or NUL in the target or a header value, a method or header name that
//! is not a token, or a refusal set earlier.
QString requestDefect(const HttpRequestData &request);

//! The outcome of one request, handed to the caller's callback on the worker thread.
struct HttpResult
{
    int status = 0; //!< HTTP status of the final response; 0 when none was received
    ErrorClass error = ErrorClass::None;
    QString errorText; //!< human-readable reason naming the peer; empty on success
    RequestTiming timing;
    qint64 bytesIn = 0;      //!< bytes read for this response (status line, headers, body)
    qint64 bytesOut = 0;     //!< bytes written for this request
    QByteArray serverTiming; //!< raw Server-Timing value(s), several headers joined by ", "
    QList<QPair<QByteArray, QByteArray>> headers; //!< response headers, only when captured
    QByteArray body;            //!< response body (up to the capture limit), only when captured
    bool bodyTruncated = false; //!< the captured body hit the capture limit
    qint64 startNs = 0;         //!< steady-clock time (ns) at which the request was sent
    //! The protocol of the response; Unknown when the transport does not say (HTTP/1.1 lean).
    HttpProtocol protocol = HttpProtocol::Unknown;
};

} // namespace loadscope
