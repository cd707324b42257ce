#include "errorclass.h"

namespace loadscope {

QLatin1String errorClassName(ErrorClass error)
{
    switch (error) {
    case ErrorClass::None:
        return QLatin1String("");
    case ErrorClass::Connect:
        return QLatin1String("connect");
    case ErrorClass::Dns:
        return QLatin1String("dns");
    case ErrorClass::Timeout:
        return QLatin1String("timeout");
    case ErrorClass::Tls:
        return QLatin1String("tls");
    case ErrorClass::Reset:
        return QLatin1String("reset");
    case ErrorClass::Protocol:
        return QLatin1String("protocol");
    case ErrorClass::Http4xx:
        return QLatin1String("http4xx");
    case ErrorClass::Http5xx:
        return QLatin1String("http5xx");
    case ErrorClass::Check:
        return QLatin1String("check");
    case ErrorClass::Local:
        return QLatin1String("local");
    }
    return QLatin1String("");
}

} // namespace loadscope
