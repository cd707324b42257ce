#pragma once

#include <QLatin1String>

namespace loadscope {

//! Why a request failed; None for a successful (2xx/3xx) response. A metrics notion: the
//! engine sets it per request, the figures count by it, the analysis reads it.
enum class ErrorClass
{
    None,
    Connect,  //!< connection refused, unreachable, or connect timed out
    Dns,      //!< the target host name could not be resolved
    Timeout,  //!< no complete response within the request timeout
    Tls,      //!< TLS handshake or record error
    Reset,    //!< the server reset or closed the connection before the response was complete
    Protocol, //!< the bytes received are not a valid HTTP/1.x response, or break a limit
    Http4xx,  //!< a complete response with a 4xx status
    Http5xx,  //!< a complete response with a 5xx status
    Check,    //!< a user-defined check on the response failed (set by the engine)
    //! The load generator's own machine ran out of something (file descriptors, local ports):
    //! not the target's failure.
    Local,
};

//! Number of ErrorClass values (None included), for arrays indexed by the class.
inline constexpr int kErrorClassCount = int(ErrorClass::Local) + 1;

//! Stable lower-case name of @p error ("connect", "http5xx", ...; "" for None). Not called
//! toString(): QTest finds a toString() by ADL and expects it to return char*.
QLatin1String errorClassName(ErrorClass error);

//! The error class of a complete response with @p status (None, Http4xx or Http5xx).
constexpr ErrorClass errorClassForStatus(int status)
{
    return status >= 500 ? ErrorClass::Http5xx
                         : (status >= 400 ? ErrorClass::Http4xx : ErrorClass::None);
}

} // namespace loadscope
