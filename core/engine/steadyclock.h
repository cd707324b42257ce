#pragma once

#include <ctime>

#include <QtGlobal>

namespace loadscope {

//! Monotonic time in nanoseconds: the one clock every engine timestamp is taken from, so
//! times taken on different worker threads and in the transports can be subtracted.
inline qint64 steadyNowNs()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

} // namespace loadscope
