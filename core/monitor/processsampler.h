#pragma once

#include <QHash>

#include "monitor/resourcesample.h"

namespace loadscope {

//! Samples one process from /proc/<pid>/stat every interval: CPU % from the growth of
//! utime+stime between two calls, RSS, threads and (optionally) open sockets. Notices a
//! process that exited, and a PID reused by another process (its start time differs).
class ProcessSampler final
{
public:
    enum class Status
    {
        Ok,
        NotSet,
        Gone
    };

    ProcessSampler() = default;

    //! Follows @p pid from now on (-1: none) and takes the baseline reading at monotonic time
    //! @p nowNs (the clock sample() is given).
    void reset(qint64 pid, qint64 nowNs);
    qint64 pid() const { return m_pid; }

    //! Fills @p out at monotonic time @p nowNs; cpuPct covers the time since the previous
    //! call (or reset()). Status Gone when the process exited or its PID was reused.
    Status sample(qint64 nowNs, bool countSockets, ResourceSample::Process *out);

    //! The CPU % of the busiest thread of the process since the previous call (one core =
    //! 100), from /proc/<pid>/task/*/stat; 0 on the first call.
    double busiestThreadPct(qint64 nowNs);

private:
    qint64 m_pid = -1;
    quint64 m_startTime = 0;
    quint64 m_prevTicks = 0;
    qint64 m_prevNs = -1;
    QHash<qint64, quint64> m_threadTicks;
    qint64 m_threadPrevNs = -1;
};

} // namespace loadscope
