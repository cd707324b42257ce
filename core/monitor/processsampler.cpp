#include "monitor/processsampler.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <unistd.h>

#include "monitor/procfs.h"

namespace loadscope {

namespace {

bool readPidStat(const char *path, PidStat *out)
{
    char buffer[1024]; // a stat line is ~300 bytes; the comm is at most 64
    const qsizetype n = readProcFile(path, buffer, qsizetype(sizeof buffer));
    return n > 0 && parsePidStat(QByteArrayView(buffer, n), out);
}

double ticksPerSecond()
{
    static const double hz = [] {
        const long v = ::sysconf(_SC_CLK_TCK);
        return v > 0 ? double(v) : 100.0;
    }();
    return hz;
}

double pageSize()
{
    static const double size = [] {
        const long v = ::sysconf(_SC_PAGESIZE);
        return v > 0 ? double(v) : 4096.0;
    }();
    return size;
}

double percentOfCore(quint64 ticks, qint64 elapsedNs)
{
    if (elapsedNs <= 0)
        return 0.0;
    return 100.0 * (double(ticks) / ticksPerSecond()) / (double(elapsedNs) / 1e9);
}

} // namespace

void ProcessSampler::reset(qint64 pid, qint64 nowNs)
{
    m_pid = pid;
    m_startTime = 0;
    m_prevTicks = 0;
    m_prevNs = -1;
    m_threadTicks.clear();
    m_threadPrevNs = -1;
    if (pid <= 0)
        return;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%lld/stat", static_cast<long long>(pid));
    PidStat stat;
    if (readPidStat(path, &stat)) {
        m_startTime = stat.startTime;
        m_prevTicks = stat.utime + stat.stime;
        m_prevNs = nowNs;
    }
}

ProcessSampler::Status ProcessSampler::sample(qint64 nowNs, bool countSockets,
                                              ResourceSample::Process *out)
{
    *out = ResourceSample::Process();
    if (m_pid <= 0)
        return Status::NotSet;
    out->pid = m_pid;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%lld/stat", static_cast<long long>(m_pid));
    PidStat stat;
    if (!readPidStat(path, &stat) || stat.state == 'Z' || stat.state == 'X' ||
        (m_startTime != 0 && stat.startTime != m_startTime))
        return Status::Gone;
    const quint64 ticks = stat.utime + stat.stime;
    if (m_prevNs >= 0 && ticks >= m_prevTicks)
        out->cpuPct = percentOfCore(ticks - m_prevTicks, nowNs - m_prevNs);
    m_startTime = stat.startTime;
    m_prevTicks = ticks;
    m_prevNs = nowNs;
    out->valid = true;
    out->rssBytes = qint64(double(stat.rssPages) * pageSize());
    out->threads = stat.numThreads;
    out->openSockets = countSockets ? countOpenSockets(m_pid) : -1;
    return Status::Ok;
}

double ProcessSampler::busiestThreadPct(qint64 nowNs)
{
    if (m_pid <= 0)
        return 0.0;
    char dirPath[64];
    std::snprintf(dirPath, sizeof dirPath, "/proc/%lld/task", static_cast<long long>(m_pid));
    DIR *dir = ::opendir(dirPath);
    if (!dir)
        return 0.0;
    QHash<qint64, quint64> ticks;
    quint64 busiestDelta = 0;
    char path[384];
    while (const dirent *entry = ::readdir(dir)) {
        if (entry->d_name[0] < '0' || entry->d_name[0] > '9')
            continue;
        std::snprintf(path, sizeof path, "%s/%s/stat", dirPath, entry->d_name);
        PidStat stat;
        if (!readPidStat(path, &stat))
            continue; // the thread ended meanwhile
        const quint64 t = stat.utime + stat.stime;
        ticks.insert(stat.pid, t);
        const auto prev = m_threadTicks.constFind(stat.pid);
        if (prev != m_threadTicks.cend() && t >= *prev)
            busiestDelta = std::max(busiestDelta, t - *prev);
    }
    ::closedir(dir);
    const double pct =
        m_threadPrevNs >= 0 ? percentOfCore(busiestDelta, nowNs - m_threadPrevNs) : 0.0;
    m_threadTicks = std::move(ticks);
    m_threadPrevNs = nowNs;
    return pct;
}

} // namespace loadscope
