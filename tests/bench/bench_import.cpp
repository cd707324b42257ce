// Throughput and memory of the result importers (not in CTest: run by hand).
//
//   bench_import [--lines=N] [--dir=DIR] [--keep] [FORMAT...]
//   bench_import --file=PATH --format=FORMAT      (measure an existing file, e.g. under perf)
//
// For each per-request format (k6-json, k6-csv, jmeter-csv, jmeter-xml) it writes a file of N
// lines (default 10^7) spread over 20 endpoints and ~1,000 s into a temporary directory (deleted
// after, unless --keep), then, each in a child process so that its peak RSS is its own, parses it
// the way `loadscope-cli import` does (everything but the final SQLite write) and prints lines/s
// and peak RSS, beside `wc -l` over the same file as the I/O floor. Lines per CPU second
// (getrusage: user + system of the child) are the figure to read: on a shared machine the wall
// clock also counts the time other processes held the cores. The reference is a plain line split
// of the same file in the same child (1 MiB reads, memchr per line), in lines per CPU second as
// well, and the import's ratio against it is printed beside the targets (10^6 k6 NDJSON and
// 2*10^6 CSV lines per CPU second). It measures; it does not pass or fail.
#include <cstdio>
#include <cstring>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTextStream>

#include "interop/resultimport.h"

using namespace loadscope;

namespace {

constexpr qint64 kT0Ms = 1'795'000'000'000LL;

QByteArray endpointName(qint64 i)
{
    return QByteArrayLiteral("ep") + QByteArray::number(i % 20);
}

// Writes N lines of a format; returns false on a write error.
bool generate(const QString &format, const QString &path, qint64 lines)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    QByteArray buffer;
    buffer.reserve(1 << 22);
    const auto flush = [&] {
        const bool ok = file.write(buffer) == buffer.size();
        buffer.clear();
        return ok;
    };
    const qint64 spanMs = 1'000'000; // ~1,000 s of run
    if (format == QLatin1String("k6-csv"))
        buffer += "metric_name,timestamp,metric_value,check,error,error_code,expected_response,"
                  "group,method,name,proto,scenario,service,status,subproto,tls_version,url,"
                  "extra_tags,metadata\n";
    else if (format == QLatin1String("jmeter-csv"))
        buffer += "timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,"
                  "success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,"
                  "IdleTime,Connect\n";
    else if (format == QLatin1String("jmeter-xml"))
        buffer += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testResults version=\"1.2\">\n";
    for (qint64 i = 0; i < lines; ++i) {
        const qint64 ms = kT0Ms + i * spanMs / lines;
        const qint64 latencyUs = 1000 + (i * 7919) % 250000;
        const bool fail = i % 97 == 0;
        const QByteArray name = endpointName(i);
        if (format == QLatin1String("k6-json")) {
            const QDateTime t = QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
            buffer += "{\"type\":\"Point\",\"data\":{\"time\":\"";
            buffer += t.toString(Qt::ISODateWithMs).toLatin1();
            buffer += "\",\"value\":";
            buffer += QByteArray::number(double(latencyUs) / 1000.0, 'f', 3);
            buffer += ",\"tags\":{\"expected_response\":\"";
            buffer += fail ? "false" : "true";
            buffer += "\",\"group\":\"\",\"method\":\"GET\",\"name\":\"";
            buffer += name;
            buffer += "\",\"proto\":\"HTTP/1.1\",\"scenario\":\"default\",\"status\":\"";
            buffer += fail ? "500" : "200";
            buffer += "\",\"url\":\"http://127.0.0.1:8080/";
            buffer += name;
            buffer += "\"}},\"metric\":\"http_req_duration\"}\n";
        } else if (format == QLatin1String("k6-csv")) {
            buffer += "http_req_duration,";
            buffer += QByteArray::number(ms / 1000);
            buffer += ',';
            buffer += QByteArray::number(double(latencyUs) / 1000.0, 'f', 6);
            buffer += ",,,,";
            buffer += fail ? "false" : "true";
            buffer += ",,GET,";
            buffer += name;
            buffer += ",HTTP/1.1,default,,";
            buffer += fail ? "500" : "200";
            buffer += ",,,http://127.0.0.1:8080/";
            buffer += name;
            buffer += ",,\n";
        } else if (format == QLatin1String("jmeter-csv")) {
            buffer += QByteArray::number(ms);
            buffer += ',';
            buffer += QByteArray::number(latencyUs / 1000);
            buffer += ',';
            buffer += name;
            buffer += fail ? ",500,Internal Server Error,Thread Group 1-1,text,false,,"
                           : ",200,OK,Thread Group 1-1,text,true,,";
            buffer += "1024,120,20,20,http://127.0.0.1:8080/";
            buffer += name;
            buffer += ',';
            buffer += QByteArray::number(latencyUs / 2000);
            buffer += ",0,1\n";
        } else {
            buffer += "<httpSample t=\"";
            buffer += QByteArray::number(latencyUs / 1000);
            buffer += "\" it=\"0\" lt=\"";
            buffer += QByteArray::number(latencyUs / 2000);
            buffer += "\" ct=\"1\" ts=\"";
            buffer += QByteArray::number(ms);
            buffer += fail ? "\" s=\"false\" lb=\"" : "\" s=\"true\" lb=\"";
            buffer += name;
            buffer +=
                fail ? "\" rc=\"500\" rm=\"Internal Server Error\"" : "\" rc=\"200\" rm=\"OK\"";
            buffer += " tn=\"Thread Group 1-1\" dt=\"text\" by=\"1024\" sby=\"120\" ng=\"20\" "
                      "na=\"20\"/>\n";
        }
        if (buffer.size() > (1 << 22) - 1024 && !flush())
            return false;
    }
    if (format == QLatin1String("jmeter-xml"))
        buffer += "</testResults>\n";
    return flush();
}

struct Measure
{
    double seconds = 0;
    double cpuSeconds = 0;
    qint64 requests = 0;
    long peakRssKb = 0;
    bool ok = false;
    double referenceCpuSeconds = 0; //!< the plain line split of the same file
    qint64 referenceLines = 0;
};

double cpuSecondsNow()
{
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// The reference: every line of the file found (1 MiB reads, memchr for each end of line), the
// least any importer has to do. Returns the lines.
qint64 splitLines(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    QByteArray chunk(1 << 20, Qt::Uninitialized);
    qint64 lines = 0;
    qint64 lineBytes = 0; // a stand-in for the work on a line, so the loop is not folded away
    for (;;) {
        const qint64 got = file.read(chunk.data(), chunk.size());
        if (got <= 0)
            break;
        const char *at = chunk.constData();
        const char *const end = at + got;
        while (at < end) {
            const auto *nl = static_cast<const char *>(std::memchr(at, '\n', size_t(end - at)));
            if (!nl)
                break;
            lineBytes += nl - at;
            ++lines;
            at = nl + 1;
        }
    }
    return lineBytes >= 0 ? lines : 0;
}

// Parses in a child process: the child's own peak RSS, not the generator's.
Measure measureInChild(const QString &path, ImportFormat format)
{
    int fds[2];
    if (::pipe(fds) != 0)
        return {};
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(fds[0]);
        const double cpuBefore = cpuSecondsNow();
        const qint64 referenceLines = splitLines(path);
        const double referenceCpu = cpuSecondsNow() - cpuBefore;
        QElapsedTimer timer;
        timer.start();
        const double importCpuBefore = cpuSecondsNow();
        ParsedResult parsed;
        ImportReport report;
        ResultImportOptions options;
        options.format = format;
        Measure m;
        m.ok = parseResultFile(path, options, &parsed, &report);
        m.seconds = double(timer.nsecsElapsed()) / 1e9;
        m.requests = parsed.summary.totals.requests;
        m.cpuSeconds = cpuSecondsNow() - importCpuBefore;
        rusage usage{};
        ::getrusage(RUSAGE_SELF, &usage);
        m.peakRssKb = usage.ru_maxrss;
        m.referenceCpuSeconds = referenceCpu;
        m.referenceLines = referenceLines;
        if (!m.ok)
            std::fprintf(stderr, "%s\n", qPrintable(report.error));
        const ssize_t written = ::write(fds[1], &m, sizeof m);
        ::_exit(written == ssize_t(sizeof m) ? 0 : 1);
    }
    ::close(fds[1]);
    Measure m;
    if (::read(fds[0], &m, sizeof m) != ssize_t(sizeof m))
        m = Measure();
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return m;
}

double wcSeconds(const QString &path)
{
    QElapsedTimer timer;
    timer.start();
    QProcess wc;
    wc.start(QStringLiteral("wc"), {QStringLiteral("-l"), path});
    wc.waitForFinished(-1);
    return double(timer.nsecsElapsed()) / 1e9;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);
    qint64 lines = 10'000'000;
    QString dirPath;
    bool keep = false;
    QStringList formats;
    QString existing, existingFormat;
    for (const QString &arg : app.arguments().mid(1)) {
        if (arg.startsWith(QLatin1String("--file=")))
            existing = arg.mid(7);
        else if (arg.startsWith(QLatin1String("--format=")))
            existingFormat = arg.mid(9);
        else if (arg.startsWith(QLatin1String("--lines=")))
            lines = arg.mid(8).toLongLong();
        else if (arg.startsWith(QLatin1String("--dir=")))
            dirPath = arg.mid(6);
        else if (arg == QLatin1String("--keep"))
            keep = true;
        else
            formats << arg;
    }
    const QString header =
        QStringLiteral("format       size_MB   lines/s(import)  import_s  cpu_s  "
                       "lines/cpu_s  peak_RSS_MB  wc_-l_s  wc_lines/s  split_lines/cpu_s  "
                       "import/split  target/cpu_s\n");
    const auto print = [&out](const QString &format, double sizeMb, qint64 lines, const Measure &m,
                              double wc) {
        const double perCpu = m.ok && m.cpuSeconds > 0 ? double(lines) / m.cpuSeconds : 0.0;
        const double splitPerCpu =
            m.referenceCpuSeconds > 0 ? double(m.referenceLines) / m.referenceCpuSeconds : 0.0;
        const double target = format.startsWith(QLatin1String("k6-json")) ? 1e6 : 2e6;
        out << QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8 %9 %10 %11 %12 %13\n")
                   .arg(format, -11)
                   .arg(sizeMb, 8, 'f', 0)
                   .arg(m.ok ? double(lines) / m.seconds : 0.0, 16, 'f', 0)
                   .arg(m.seconds, 9, 'f', 2)
                   .arg(m.cpuSeconds, 6, 'f', 2)
                   .arg(perCpu, 12, 'f', 0)
                   .arg(double(m.peakRssKb) / 1024.0, 12, 'f', 1)
                   .arg(wc, 8, 'f', 2)
                   .arg(double(lines) / wc, 11, 'f', 0)
                   .arg(splitPerCpu, 18, 'f', 0)
                   .arg(splitPerCpu > 0 ? perCpu / splitPerCpu : 0.0, 13, 'f', 4)
                   .arg(target, 13, 'f', 0)
                   .arg(perCpu >= target ? QStringLiteral("met") : QStringLiteral("missed"));
        out.flush();
    };
    if (!existing.isEmpty()) {
        const auto format = importFormatFromName(existingFormat);
        if (!format) {
            out << "--format: \"" << existingFormat << "\" is not an import format\n";
            return 2;
        }
        QFile file(existing);
        qint64 lines = 0;
        if (file.open(QIODevice::ReadOnly)) {
            QByteArray chunk;
            while (!(chunk = file.read(1 << 20)).isEmpty())
                lines += chunk.count('\n');
        }
        const double wc = wcSeconds(existing);
        out << header;
        print(existingFormat, double(QFileInfo(existing).size()) / 1e6, lines,
              measureInChild(existing, *format), wc);
        return 0;
    }
    if (formats.isEmpty())
        formats = {QStringLiteral("k6-json"), QStringLiteral("k6-csv"),
                   QStringLiteral("jmeter-csv"), QStringLiteral("jmeter-xml")};
    QTemporaryDir temp(dirPath.isEmpty() ? QDir::tempPath() + QStringLiteral("/bench_import-XXXXXX")
                                         : dirPath + QStringLiteral("/bench_import-XXXXXX"));
    temp.setAutoRemove(!keep);
    out << "bench_import: " << lines << " lines per format, files in " << temp.path() << '\n';
    out << header;
    out.flush();
    for (const QString &format : formats) {
        const auto parsedFormat = importFormatFromName(format);
        if (!parsedFormat) {
            out << format << ": unknown format\n";
            continue;
        }
        const QString path = temp.filePath(format + QStringLiteral(".data"));
        if (!generate(format, path, lines)) {
            out << format << ": cannot write " << path << '\n';
            continue;
        }
        const double wc = wcSeconds(path); // also warms the page cache for the import
        const Measure m = measureInChild(path, *parsedFormat);
        const double sizeMb = double(QFileInfo(path).size()) / 1e6;
        print(format, sizeMb, lines, m, wc);
        if (!m.ok || m.requests != lines)
            out << "  (import read " << m.requests << " requests of " << lines << ")\n";
        out.flush();
        if (!keep)
            QFile::remove(path);
    }
    return 0;
}
