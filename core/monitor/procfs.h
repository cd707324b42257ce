#pragma once

#include <optional>

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

// Pure parsers for the Linux /proc files the resource monitor samples every interval, plus the
// few helpers that read them. The parsers take the file's text so they are tested on fixed
// snippets; none allocates on the per-interval path except for the per-core list.

namespace loadscope {

//! One "cpu" line of /proc/stat, in clock ticks (USER_HZ).
struct CpuTimes
{
    quint64 user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
    //! Every tick counted (guest time is already included in user/nice, so it is not added).
    quint64 total() const { return user + nice + system + idle + iowait + irq + softirq + steal; }
    //! Ticks not spent idle or waiting for I/O.
    quint64 busy() const { return total() - idle - iowait; }
};

//! The CPU part of /proc/stat: the aggregate line and one entry per "cpuN" line, in order.
struct ProcStat
{
    CpuTimes all;
    QList<CpuTimes> cores;
};

//! Parses the cpu lines of /proc/stat (a truncated tail after them is fine). False when there
//! is no aggregate "cpu " line.
bool parseProcStat(QByteArrayView text, ProcStat *out);

//! Busy share in percent (0..100) between two readings of the same CPU; 0 when no tick passed.
double cpuBusyPercent(const CpuTimes &before, const CpuTimes &after);

//! The figures of /proc/meminfo the monitor uses, in bytes.
struct MemInfo
{
    qint64 totalBytes = 0;
    qint64 freeBytes = 0;
    qint64 availableBytes = 0; //!< MemAvailable; estimated from free+buffers+cached if absent
};

//! Parses /proc/meminfo. False when MemTotal is missing.
bool parseMemInfo(QByteArrayView text, MemInfo *out);

//! The fields of /proc/<pid>/stat (or /proc/<pid>/task/<tid>/stat) the monitor uses.
struct PidStat
{
    qint64 pid = 0;
    QByteArray comm;       //!< without the parentheses; may contain spaces and ')'
    char state = '?';      //!< R, S, D, Z, ...
    quint64 utime = 0;     //!< clock ticks in user mode
    quint64 stime = 0;     //!< clock ticks in kernel mode
    int numThreads = 0;    //!< field 20
    quint64 startTime = 0; //!< clock ticks after boot; tells a reused PID from the original
    qint64 rssPages = 0;   //!< field 24
};

//! Parses /proc/<pid>/stat. The command name is located by the last ')' because it may itself
//! contain spaces and parentheses. False when a field is missing or not a number.
bool parsePidStat(QByteArrayView text, PidStat *out);

//! One socket line of /proc/net/tcp or /proc/net/tcp6.
struct TcpSocketEntry
{
    QByteArray localAddressHex; //!< as written: 8 hex digits (IPv4) or 32 (IPv6)
    quint16 localPort = 0;
    quint8 state = 0; //!< 0x0A is LISTEN
    quint64 inode = 0;
};

constexpr quint8 TcpStateListen = 0x0A;

//! Parses /proc/net/tcp or /proc/net/tcp6 (the header line is skipped; malformed lines too).
QList<TcpSocketEntry> parseProcNetTcp(QByteArrayView text);

//! The inode of an fd link target "socket:[12345]"; nullopt for anything else.
std::optional<quint64> parseSocketLink(QByteArrayView linkTarget);

//! Reads a small file (a /proc entry) into @p buffer with one open/read/close; returns the
//! bytes read or -1. Text past @p capacity is cut off.
qsizetype readProcFile(const char *path, char *buffer, qsizetype capacity);

//! Inodes of the sockets listening on TCP @p port (IPv4 and IPv6) in this network namespace.
QList<quint64> listeningSocketInodes(quint16 port);

//! The lowest PID owning one of the socket @p inodes (a pre-forking server's parent first), by
//! scanning /proc/<pid>/fd; -1 when no readable process owns one.
qint64 findPidOwningSocket(const QList<quint64> &inodes);

//! The PID of the process listening on TCP @p port, from /proc/net/tcp{,6} and the fd links
//! under /proc; -1 with @p error naming why (nothing listens, or the owner is not readable).
qint64 findPidListeningOn(quint16 port, QString *error = nullptr);

//! Open sockets (fd links "socket:[…]", any family) of @p pid; -1 when its fds are not
//! readable (another user's process, or gone).
int countOpenSockets(qint64 pid);

//! Online CPUs (sysconf), at least 1.
int onlineCpuCount();

} // namespace loadscope
