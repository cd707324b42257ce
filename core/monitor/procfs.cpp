#include "monitor/procfs.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <QFile>

namespace loadscope {

namespace {

// A forward-only cursor over one line of text; every parse step is a plain character loop
// because these run every second on files the kernel formats in a fixed way.
struct Cursor
{
    const char *p;
    const char *end;

    bool atEnd() const { return p >= end; }
    void skipSpaces()
    {
        while (p < end && (*p == ' ' || *p == '\t'))
            ++p;
    }
    bool unsignedNumber(quint64 *out)
    {
        skipSpaces();
        if (p >= end || *p < '0' || *p > '9')
            return false;
        quint64 v = 0;
        while (p < end && *p >= '0' && *p <= '9')
            v = v * 10 + quint64(*p++ - '0');
        *out = v;
        return true;
    }
    bool signedNumber(qint64 *out)
    {
        skipSpaces();
        const bool negative = p < end && *p == '-';
        if (negative)
            ++p;
        quint64 v = 0;
        if (!unsignedNumber(&v))
            return false;
        *out = negative ? -qint64(v) : qint64(v);
        return true;
    }
    bool hexNumber(quint64 *out)
    {
        skipSpaces();
        quint64 v = 0;
        const char *start = p;
        for (; p < end; ++p) {
            const char c = *p;
            int digit;
            if (c >= '0' && c <= '9')
                digit = c - '0';
            else if (c >= 'A' && c <= 'F')
                digit = c - 'A' + 10;
            else if (c >= 'a' && c <= 'f')
                digit = c - 'a' + 10;
            else
                break;
            v = v * 16 + quint64(digit);
        }
        *out = v;
        return p > start;
    }
    QByteArrayView word()
    {
        skipSpaces();
        const char *start = p;
        while (p < end && *p != ' ' && *p != '\t')
            ++p;
        return QByteArrayView(start, p - start);
    }
    void skipWords(int n)
    {
        for (int i = 0; i < n; ++i)
            word();
    }
};

// Calls visit(line) for each complete line ('\n'-terminated, or the last one if unterminated
// and @p allowUnterminatedTail).
template<typename Visit>
void forEachLine(QByteArrayView text, bool allowUnterminatedTail, Visit visit)
{
    const char *p = text.data();
    const char *end = p + text.size();
    while (p < end) {
        const char *nl = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p)));
        if (!nl && !allowUnterminatedTail)
            return;
        const char *lineEnd = nl ? nl : end;
        if (!visit(Cursor{p, lineEnd}))
            return;
        p = lineEnd + 1;
    }
}

bool startsWith(const Cursor &c, const char *prefix)
{
    const auto n = qsizetype(std::strlen(prefix));
    return c.end - c.p >= n && std::memcmp(c.p, prefix, size_t(n)) == 0;
}

bool readCpuTimes(Cursor &c, CpuTimes *t)
{
    quint64 *fields[] = {&t->user,   &t->nice, &t->system,  &t->idle,
                         &t->iowait, &t->irq,  &t->softirq, &t->steal};
    int read = 0;
    for (quint64 *f : fields) {
        if (!c.unsignedNumber(f))
            break;
        ++read;
    }
    // Kernels before 2.6.11 had 7 fields and before 2.6.0 only 4: the first four must be there.
    return read >= 4;
}

// qint64 from the "<number> kB" of a meminfo line.
bool meminfoValue(Cursor c, qint64 *bytes)
{
    quint64 v = 0;
    if (!c.unsignedNumber(&v))
        return false;
    const QByteArrayView unit = c.word();
    *bytes = unit == QByteArrayView("kB") ? qint64(v) * 1024 : qint64(v);
    return true;
}

} // namespace

bool parseProcStat(QByteArrayView text, ProcStat *out)
{
    ProcStat result;
    bool haveAll = false;
    forEachLine(text, false, [&](Cursor c) {
        if (!startsWith(c, "cpu"))
            return haveAll ? false : true; // cpu lines come first; stop after them
        c.p += 3;
        if (c.p < c.end && (*c.p == ' ' || *c.p == '\t')) {
            haveAll = readCpuTimes(c, &result.all);
            return true;
        }
        quint64 index = 0;
        if (!c.unsignedNumber(&index))
            return true;
        CpuTimes core;
        if (readCpuTimes(c, &core))
            result.cores.append(core);
        return true;
    });
    if (!haveAll)
        return false;
    *out = std::move(result);
    return true;
}

double cpuBusyPercent(const CpuTimes &before, const CpuTimes &after)
{
    // Counters only grow, but a hot-unplugged core can come back reset: treat that as no data.
    if (after.total() <= before.total() || after.busy() < before.busy())
        return 0.0;
    const double total = double(after.total() - before.total());
    const double busy = double(after.busy() - before.busy());
    return std::clamp(100.0 * busy / total, 0.0, 100.0);
}

bool parseMemInfo(QByteArrayView text, MemInfo *out)
{
    MemInfo m;
    bool haveTotal = false, haveAvailable = false;
    qint64 buffers = 0, cached = 0;
    forEachLine(text, true, [&](Cursor c) {
        if (startsWith(c, "MemTotal:")) {
            c.p += 9;
            haveTotal = meminfoValue(c, &m.totalBytes);
        } else if (startsWith(c, "MemFree:")) {
            c.p += 8;
            meminfoValue(c, &m.freeBytes);
        } else if (startsWith(c, "MemAvailable:")) {
            c.p += 13;
            haveAvailable = meminfoValue(c, &m.availableBytes);
        } else if (startsWith(c, "Buffers:")) {
            c.p += 8;
            meminfoValue(c, &buffers);
        } else if (startsWith(c, "Cached:")) {
            c.p += 7;
            meminfoValue(c, &cached);
        }
        return true;
    });
    if (!haveTotal)
        return false;
    if (!haveAvailable) // kernels before 3.14
        m.availableBytes = std::min(m.totalBytes, m.freeBytes + buffers + cached);
    *out = m;
    return true;
}

bool parsePidStat(QByteArrayView text, PidStat *out)
{
    if (text.isEmpty())
        return false;
    const char *begin = text.data();
    const char *end = begin + text.size();
    const char *open = static_cast<const char *>(std::memchr(begin, '(', size_t(text.size())));
    const char *close = nullptr;
    for (const char *q = end; q > begin; --q) {
        if (q[-1] == ')') {
            close = q - 1;
            break;
        }
    }
    if (!open || !close || close < open)
        return false;
    PidStat s;
    Cursor head{begin, open};
    if (!head.signedNumber(&s.pid))
        return false;
    s.comm = QByteArray(open + 1, close - open - 1);
    Cursor c{close + 1, end};
    // Field numbers below are the 1-based ones of proc(5); field 3 (state) follows the comm.
    const QByteArrayView state = c.word();
    if (state.size() != 1)
        return false;
    s.state = state.at(0);
    c.skipWords(10); // 4 ppid .. 13 majflt... up to field 13 (cmajflt)
    qint64 numThreads = 0, rss = 0;
    quint64 skip = 0;
    if (!c.unsignedNumber(&s.utime) || !c.unsignedNumber(&s.stime)) // 14, 15
        return false;
    c.skipWords(4);                   // 16 cutime, 17 cstime, 18 priority, 19 nice
    if (!c.signedNumber(&numThreads)) // 20
        return false;
    if (!c.unsignedNumber(&skip) || !c.unsignedNumber(&s.startTime)) // 21 itrealvalue, 22
        return false;
    if (!c.unsignedNumber(&skip) || !c.signedNumber(&rss)) // 23 vsize, 24 rss
        return false;
    s.numThreads = int(numThreads);
    s.rssPages = rss;
    *out = std::move(s);
    return true;
}

QList<TcpSocketEntry> parseProcNetTcp(QByteArrayView text)
{
    QList<TcpSocketEntry> entries;
    forEachLine(text, true, [&](Cursor c) {
        // "  0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000
        //        0 12345 1 ..." — sl, local, remote, st, queues, tr, retrnsmt, uid, timeout, inode
        quint64 slot = 0;
        if (!c.unsignedNumber(&slot) || c.atEnd() || *c.p != ':')
            return true; // header or garbage
        ++c.p;
        const QByteArrayView local = c.word();
        const qsizetype colon = local.indexOf(':');
        if (colon <= 0)
            return true;
        TcpSocketEntry e;
        e.localAddressHex = local.first(colon).toByteArray();
        Cursor port{local.data() + colon + 1, local.data() + local.size()};
        quint64 value = 0;
        if (!port.hexNumber(&value) || value > 0xFFFF)
            return true;
        e.localPort = quint16(value);
        c.word(); // remote address
        if (!c.hexNumber(&value))
            return true;
        e.state = quint8(value);
        c.skipWords(3); // tx_queue:rx_queue, tr:tm->when, retrnsmt
        quint64 uid = 0, timeout = 0;
        if (!c.unsignedNumber(&uid) || !c.unsignedNumber(&timeout) || !c.unsignedNumber(&e.inode))
            return true;
        entries.append(std::move(e));
        return true;
    });
    return entries;
}

std::optional<quint64> parseSocketLink(QByteArrayView linkTarget)
{
    static constexpr QByteArrayView prefix("socket:[");
    if (!linkTarget.startsWith(prefix) || !linkTarget.endsWith(']'))
        return std::nullopt;
    Cursor c{linkTarget.data() + prefix.size(), linkTarget.data() + linkTarget.size() - 1};
    quint64 inode = 0;
    if (!c.unsignedNumber(&inode) || !c.atEnd())
        return std::nullopt;
    return inode;
}

qsizetype readProcFile(const char *path, char *buffer, qsizetype capacity)
{
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    qsizetype total = 0;
    while (total < capacity) {
        const ssize_t n = ::read(fd, buffer + total, size_t(capacity - total));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n < 0)
                total = -1;
            break;
        }
        total += n;
    }
    ::close(fd);
    return total;
}

QList<quint64> listeningSocketInodes(quint16 port)
{
    QList<quint64> inodes;
    for (const char *path : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        QFile file(QString::fromLatin1(path));
        if (!file.open(QIODevice::ReadOnly))
            continue; // no IPv6 in this kernel
        // readAll() on a /proc file reads until EOF; size() is 0 for these files.
        const QByteArray text = file.readAll();
        for (const TcpSocketEntry &e : parseProcNetTcp(text)) {
            if (e.state == TcpStateListen && e.localPort == port && e.inode != 0)
                inodes.append(e.inode);
        }
    }
    return inodes;
}

namespace {

// Calls visit(inode) for every socket fd of pid; false when the fd directory is not readable.
template<typename Visit> bool forEachSocketFd(qint64 pid, Visit visit)
{
    char dirPath[64];
    std::snprintf(dirPath, sizeof dirPath, "/proc/%lld/fd", static_cast<long long>(pid));
    DIR *dir = ::opendir(dirPath);
    if (!dir)
        return false;
    char linkPath[384];
    char target[64];
    while (const dirent *entry = ::readdir(dir)) {
        if (entry->d_name[0] == '.')
            continue;
        std::snprintf(linkPath, sizeof linkPath, "%s/%s", dirPath, entry->d_name);
        const ssize_t n = ::readlink(linkPath, target, sizeof target);
        if (n <= 0 || n >= qsizetype(sizeof target))
            continue;
        if (const auto inode = parseSocketLink(QByteArrayView(target, n))) {
            if (!visit(*inode))
                break;
        }
    }
    ::closedir(dir);
    return true;
}

} // namespace

qint64 findPidOwningSocket(const QList<quint64> &inodes)
{
    if (inodes.isEmpty())
        return -1;
    DIR *proc = ::opendir("/proc");
    if (!proc)
        return -1;
    qint64 best = -1;
    while (const dirent *entry = ::readdir(proc)) {
        const char *name = entry->d_name;
        if (name[0] < '1' || name[0] > '9')
            continue;
        char *endPtr = nullptr;
        const long long pid = std::strtoll(name, &endPtr, 10);
        if (*endPtr != '\0' || (best != -1 && pid >= best))
            continue;
        bool owns = false;
        forEachSocketFd(pid, [&](quint64 inode) {
            owns = inodes.contains(inode);
            return !owns;
        });
        if (owns)
            best = pid;
    }
    ::closedir(proc);
    return best;
}

qint64 findPidListeningOn(quint16 port, QString *error)
{
    const QList<quint64> inodes = listeningSocketInodes(port);
    if (inodes.isEmpty()) {
        if (error)
            *error = QStringLiteral("nothing listens on TCP port %1 on this machine").arg(port);
        return -1;
    }
    const qint64 pid = findPidOwningSocket(inodes);
    if (pid < 0 && error) {
        *error = QStringLiteral("a socket listens on TCP port %1, but no process whose file "
                                "descriptors are readable owns it (another user's process? "
                                "pass its PID with --target-pid)")
                     .arg(port);
    }
    return pid;
}

int countOpenSockets(qint64 pid)
{
    int count = 0;
    if (!forEachSocketFd(pid, [&](quint64) {
            ++count;
            return true;
        }))
        return -1;
    return count;
}

int onlineCpuCount()
{
    const long n = ::sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? int(n) : 1;
}

} // namespace loadscope
