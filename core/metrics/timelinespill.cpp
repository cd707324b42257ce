#include "metrics/timelinespill.h"

#include <QDataStream>
#include <QDir>
#include <QJsonObject>
#include <QTemporaryFile>

namespace loadscope {

namespace {

// The layout is private to one process and one run (written and read by the same build), so it
// carries no version beyond this tag, which catches a file that is not ours.
constexpr quint32 kSpillTag = 0x4C535431; // "LST1"

QDataStream &operator<<(QDataStream &out, const LatencyStats &s)
{
    return out << s.count << s.minMs << s.meanMs << s.stddevMs << s.p50Ms << s.p90Ms << s.p95Ms
               << s.p99Ms << s.p999Ms << s.maxMs;
}

QDataStream &operator>>(QDataStream &in, LatencyStats &s)
{
    return in >> s.count >> s.minMs >> s.meanMs >> s.stddevMs >> s.p50Ms >> s.p90Ms >> s.p95Ms >>
           s.p99Ms >> s.p999Ms >> s.maxMs;
}

QDataStream &operator<<(QDataStream &out, const TrafficTotals &t)
{
    out << t.requests << t.errors << t.bytesIn << t.bytesOut << t.iterations << t.droppedIterations
        << t.checksPassed << t.checksFailed;
    for (const qint64 n : t.errorsByClass)
        out << n;
    return out << t.protocols;
}

QDataStream &operator>>(QDataStream &in, TrafficTotals &t)
{
    in >> t.requests >> t.errors >> t.bytesIn >> t.bytesOut >> t.iterations >>
        t.droppedIterations >> t.checksPassed >> t.checksFailed;
    for (qint64 &n : t.errorsByClass)
        in >> n;
    return in >> t.protocols;
}

QDataStream &operator<<(QDataStream &out, const EndpointSample &e)
{
    return out << e.name << e.totals << e.latency << e.latencyCorrected << e.histograms;
}

QDataStream &operator>>(QDataStream &in, EndpointSample &e)
{
    return in >> e.name >> e.totals >> e.latency >> e.latencyCorrected >> e.histograms;
}

// Qt's container operators cannot see the element operators above (they are not found by
// argument-dependent lookup from an unnamed namespace), so the lists and maps of our own types
// are written as a count and their elements.
QDataStream &operator<<(QDataStream &out, const IntervalSample &s)
{
    out << kSpillTag << qint32(s.index) << s.tSec << s.intervalSec << qint32(s.activeVus)
        << s.plannedTarget << s.overall << qint32(s.endpoints.size());
    for (const EndpointSample &endpoint : s.endpoints)
        out << endpoint;
    out << qint32(s.serverTiming.size());
    for (auto it = s.serverTiming.cbegin(); it != s.serverTiming.cend(); ++it)
        out << it.key() << it.value();
    return out << s.timingMeansMs << s.resources;
}

QDataStream &operator>>(QDataStream &in, IntervalSample &s)
{
    quint32 tag = 0;
    qint32 index = 0, activeVus = 0, endpoints = 0, serverTimings = 0;
    in >> tag;
    if (tag != kSpillTag) {
        in.setStatus(QDataStream::ReadCorruptData);
        return in;
    }
    in >> index >> s.tSec >> s.intervalSec >> activeVus >> s.plannedTarget >> s.overall >>
        endpoints;
    for (qint32 i = 0; i < endpoints && in.status() == QDataStream::Ok; ++i) {
        EndpointSample endpoint;
        in >> endpoint;
        s.endpoints.append(std::move(endpoint));
    }
    in >> serverTimings;
    for (qint32 i = 0; i < serverTimings && in.status() == QDataStream::Ok; ++i) {
        QString name;
        LatencyStats stats;
        in >> name >> stats;
        s.serverTiming.insert(name, stats);
    }
    in >> s.timingMeansMs >> s.resources;
    s.index = index;
    s.activeVus = activeVus;
    return in;
}

} // namespace

TimelineSpill::TimelineSpill() = default;
TimelineSpill::~TimelineSpill() = default;

bool TimelineSpill::append(const QList<IntervalSample> &samples, QString *error)
{
    if (!m_file) {
        auto file = std::make_unique<QTemporaryFile>(QDir::tempPath() +
                                                     QStringLiteral("/loadscope-timeline-XXXXXX"));
        if (!file->open()) {
            *error = QStringLiteral("cannot create a file for the run's timeline in %1: %2")
                         .arg(QDir::tempPath(), file->errorString());
            return false;
        }
        m_file = std::move(file);
    }
    const qint64 before = m_file->pos();
    QDataStream out(m_file.get());
    out.setVersion(QDataStream::Qt_6_0);
    for (const IntervalSample &sample : samples)
        out << sample;
    if (out.status() != QDataStream::Ok || !m_file->flush()) {
        *error = QStringLiteral("cannot write the run's timeline to %1: %2")
                     .arg(m_file->fileName(), m_file->errorString());
        // What was half written is cut off, so the file stays a whole number of samples.
        m_file->resize(before);
        m_file->seek(before);
        return false;
    }
    m_count += int(samples.size());
    return true;
}

bool TimelineSpill::takeAll(QList<IntervalSample> *samples, QString *error)
{
    samples->clear();
    if (!m_file || m_count == 0) {
        clear();
        return true;
    }
    bool ok = m_file->seek(0);
    QDataStream in(m_file.get());
    in.setVersion(QDataStream::Qt_6_0);
    samples->reserve(m_count);
    while (ok && samples->size() < m_count) {
        IntervalSample sample;
        in >> sample;
        ok = in.status() == QDataStream::Ok;
        if (ok)
            samples->append(std::move(sample));
    }
    if (!ok) {
        *error = QStringLiteral("%1 of the run's %2 earliest intervals could not be read back "
                                "from %3")
                     .arg(QString::number(m_count - samples->size()), QString::number(m_count),
                          m_file->fileName());
    }
    clear();
    return ok;
}

void TimelineSpill::clear()
{
    m_file.reset();
    m_count = 0;
}

} // namespace loadscope
