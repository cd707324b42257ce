#include "resultjsonstream.h"

#include <array>
#include <cstring>

#include <QHash>
#include <QtEndian>

namespace loadscope {
namespace {

constexpr char kMagic[] = {'L', 'S', 'I', 'R', 1};
constexpr qsizetype kMagicSize = qsizetype(sizeof kMagic);
//! base64 characters read from a file at a time (a multiple of 4: chunks decode on their own).
constexpr qint64 kChunkChars = 48 * 1024;
//! No interval record of a sane run comes near this; a larger length is a broken stream.
constexpr quint64 kMaxRecordBytes = 256 * 1024 * 1024;

quint64 zigZag(qint64 v)
{
    return (quint64(v) << 1) ^ quint64(v >> 63);
}

qint64 unZigZag(quint64 v)
{
    return qint64(v >> 1) ^ -qint64(v & 1);
}

void putVarint(QByteArray &out, quint64 v)
{
    while (v >= 0x80) {
        out.append(char((v & 0x7F) | 0x80));
        v >>= 7;
    }
    out.append(char(v));
}

void putDouble(QByteArray &out, double v)
{
    quint64 bits = 0;
    std::memcpy(&bits, &v, sizeof bits);
    char le[8];
    qToLittleEndian(bits, le);
    out.append(le, 8);
}

void putTotals(QByteArray &out, const TrafficTotals &t)
{
    for (const qint64 v : {t.requests, t.errors, t.bytesIn, t.bytesOut, t.iterations,
                           t.droppedIterations, t.checksPassed, t.checksFailed})
        putVarint(out, zigZag(v));
    for (int i = 1; i < kErrorClassCount; ++i)
        putVarint(out, zigZag(t.errorsByClass[size_t(i)]));
}

void putHistograms(QByteArray &out, const std::vector<RecordHistogram> &histograms)
{
    putVarint(out, histograms.size());
    for (const RecordHistogram &h : histograms) {
        putVarint(out, quint64(h.metric));
        putVarint(out, quint64(h.blob.size()));
        out.append(h.blob);
    }
}

//! A bounds-checked cursor over one record.
struct Cursor
{
    const char *p;
    const char *end;
    bool ok = true;

    quint64 varint()
    {
        quint64 v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (p >= end) {
                ok = false;
                return 0;
            }
            const auto byte = quint8(*p++);
            v |= quint64(byte & 0x7F) << shift;
            if ((byte & 0x80) == 0)
                return v;
        }
        ok = false;
        return 0;
    }
    qint64 signedVarint() { return unZigZag(varint()); }
    double f64()
    {
        if (end - p < 8) {
            ok = false;
            return 0;
        }
        const quint64 bits = qFromLittleEndian<quint64>(p);
        p += 8;
        double v = 0;
        std::memcpy(&v, &bits, sizeof v);
        return v;
    }
    quint8 byte()
    {
        if (p >= end) {
            ok = false;
            return 0;
        }
        return quint8(*p++);
    }
};

} // namespace

bool appendBase64Decoded(const char *in, qsizetype size, QByteArray *out)
{
    static const auto values = [] {
        std::array<qint8, 256> table{};
        table.fill(-1);
        const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < 64; ++i)
            table[uchar(alphabet[i])] = qint8(i);
        return table;
    }();
    if (size % 4 != 0)
        return false;
    const qsizetype start = out->size();
    out->resize(start + size / 4 * 3);
    auto *o = reinterpret_cast<uchar *>(out->data() + start);
    const auto *p = reinterpret_cast<const uchar *>(in);
    for (qsizetype i = 0; i < size; i += 4, o += 3) {
        const int a = values[p[i]];
        const int b = values[p[i + 1]];
        const int c = values[p[i + 2]];
        const int d = values[p[i + 3]];
        if ((a | b | c | d) < 0) {
            // Padding, only in the last group: "xx==" is one byte, "xxx=" two.
            const bool last = i + 4 == size;
            if (!last || a < 0 || b < 0 || p[i + 3] != '=' || (c < 0 && p[i + 2] != '='))
                return false;
            o[0] = uchar(a << 2 | b >> 4);
            if (c >= 0)
                o[1] = uchar((b & 0xF) << 4 | c >> 2);
            out->resize(out->size() - (c >= 0 ? 1 : 2));
            return true;
        }
        const quint32 v = quint32(a) << 18 | quint32(b) << 12 | quint32(c) << 6 | quint32(d);
        o[0] = uchar(v >> 16);
        o[1] = uchar(v >> 8);
        o[2] = uchar(v);
    }
    return true;
}

IntervalRecordWriter::IntervalRecordWriter()
{
    m_bytes.append(kMagic, kMagicSize);
}

void IntervalRecordWriter::append(const IntervalRecord &r)
{
    m_record.clear();
    putVarint(m_record, quint64(std::max(0, r.index)));
    putDouble(m_record, r.tSec);
    putDouble(m_record, r.intervalSec);
    putVarint(m_record, quint64(std::max(0, r.activeVus)));
    putDouble(m_record, r.plannedTarget);
    putTotals(m_record, r.totals);
    putHistograms(m_record, r.histograms);
    putVarint(m_record, r.endpoints.size());
    for (const RecordEndpoint &e : r.endpoints) {
        putVarint(m_record, quint64(e.endpoint));
        m_record.append(char(e.sameAsOverall ? 1 : 0));
        putTotals(m_record, e.totals);
        putHistograms(m_record, e.histograms);
    }
    putVarint(m_bytes, quint64(m_record.size()));
    m_bytes.append(m_record);
}

QStringList recordErrorClasses()
{
    QStringList names;
    for (int i = 1; i < kErrorClassCount; ++i)
        names << QString(errorClassName(ErrorClass(i)));
    return names;
}

QByteArray intervalRecords(const RunSummary &summary, QStringList *metricNames,
                           QStringList *endpointNames)
{
    QHash<QString, int> metricIds;
    const auto metricId = [&](const QString &name) {
        const auto it = metricIds.constFind(name);
        if (it != metricIds.cend())
            return it.value();
        metricNames->append(name);
        return metricIds[name] = int(metricNames->size() - 1);
    };
    QHash<QString, int> endpointIds;
    for (const EndpointSummary &e : summary.endpoints) {
        endpointIds.insert(e.name, int(endpointNames->size()));
        endpointNames->append(e.name);
    }
    const auto histograms = [&metricId](const QMap<QString, QByteArray> &blobs) {
        std::vector<RecordHistogram> out;
        out.reserve(size_t(blobs.size()));
        for (auto it = blobs.cbegin(); it != blobs.cend(); ++it)
            out.push_back({metricId(it.key()), it.value()});
        return out;
    };
    // A plan's only endpoint has the overall histograms: they are written once.
    const bool single = summary.endpoints.size() == 1;
    IntervalRecordWriter writer;
    IntervalRecord record;
    for (const IntervalSample &sample : summary.timeline) {
        record.index = sample.index;
        record.tSec = sample.tSec;
        record.intervalSec = sample.intervalSec;
        record.activeVus = sample.activeVus;
        record.plannedTarget = sample.plannedTarget;
        record.totals = sample.overall.totals;
        record.histograms = histograms(sample.overall.histograms);
        record.endpoints.clear();
        for (const EndpointSample &e : sample.endpoints) {
            RecordEndpoint part;
            // An interval's endpoint the summary does not list (it should not happen) still
            // gets an id of its own.
            if (!endpointIds.contains(e.name)) {
                endpointIds.insert(e.name, int(endpointNames->size()));
                endpointNames->append(e.name);
            }
            part.endpoint = endpointIds.value(e.name);
            part.sameAsOverall = single;
            part.totals = e.totals;
            if (!single)
                part.histograms = histograms(e.histograms);
            record.endpoints.push_back(std::move(part));
        }
        writer.append(record);
    }
    return writer.bytes();
}

IntervalRecordReader::IntervalRecordReader(QByteArray bytes)
    : m_buffer(std::move(bytes))
{}

IntervalRecordReader::IntervalRecordReader(const QString &path, qint64 offset, qint64 base64Length)
    : m_file(std::make_unique<QFile>(path))
    , m_base64Left(base64Length)
{
    if (m_file->open(QIODevice::ReadOnly))
        m_file->seek(offset);
}

IntervalRecordReader::~IntervalRecordReader() = default;

void IntervalRecordReader::setHeader(int metrics, int endpoints, std::vector<int> errorClasses)
{
    m_metrics = metrics;
    m_endpoints = endpoints;
    m_errorClasses = std::move(errorClasses);
}

bool IntervalRecordReader::fill(qsizetype needed, QString *error)
{
    while (m_buffer.size() - m_consumed < needed) {
        if (!m_file || m_base64Left <= 0)
            return false;
        if (!m_file->isOpen()) {
            *error =
                QStringLiteral("cannot read %1: %2").arg(m_file->fileName(), m_file->errorString());
            return false;
        }
        // Drop what was read before appending, so the buffer holds about one chunk.
        if (m_consumed > 0) {
            m_buffer.remove(0, m_consumed);
            m_consumed = 0;
        }
        const QByteArray chunk = m_file->read(std::min(kChunkChars, m_base64Left));
        if (chunk.isEmpty()) {
            *error = QStringLiteral("the file ends inside the records");
            return false;
        }
        m_base64Left -= chunk.size();
        if (!appendBase64Decoded(chunk.constData(), chunk.size(), &m_buffer)) {
            *error = QStringLiteral("not base64");
            return false;
        }
    }
    return true;
}

bool IntervalRecordReader::next(IntervalRecord *out, QString *error)
{
    error->clear();
    if (!m_started) {
        m_started = true;
        if (!fill(kMagicSize, error) ||
            std::memcmp(m_buffer.constData() + m_consumed, kMagic, kMagicSize) != 0) {
            if (error->isEmpty())
                *error = QStringLiteral("not a record stream (bad magic)");
            return false;
        }
        m_consumed += kMagicSize;
    }
    if (!fill(1, error))
        return false; // the end, or *error
    // The length prefix: at most 10 bytes, fewer at the very end of the stream.
    fill(10, error);
    error->clear();
    Cursor head{m_buffer.constData() + m_consumed, m_buffer.constData() + m_buffer.size()};
    const quint64 length = head.varint();
    if (!head.ok || length > kMaxRecordBytes) {
        *error = QStringLiteral("broken record length");
        return false;
    }
    const auto prefix = qsizetype(head.p - (m_buffer.constData() + m_consumed));
    if (!fill(prefix + qsizetype(length), error)) {
        if (error->isEmpty())
            *error = QStringLiteral("the stream ends inside a record");
        return false;
    }
    const QByteArrayView record(m_buffer.constData() + m_consumed + prefix, qsizetype(length));
    m_consumed += prefix + qsizetype(length);
    if (!parse(record, out, error))
        return false;
    ++m_position;
    return true;
}

bool IntervalRecordReader::parse(QByteArrayView record, IntervalRecord *out, QString *error) const
{
    Cursor c{record.data(), record.data() + record.size()};
    const auto totals = [this, &c](TrafficTotals *t) {
        *t = TrafficTotals();
        t->requests = c.signedVarint();
        t->errors = c.signedVarint();
        t->bytesIn = c.signedVarint();
        t->bytesOut = c.signedVarint();
        t->iterations = c.signedVarint();
        t->droppedIterations = c.signedVarint();
        t->checksPassed = c.signedVarint();
        t->checksFailed = c.signedVarint();
        for (const int cls : m_errorClasses) {
            const qint64 n = c.signedVarint();
            if (cls > 0 && cls < kErrorClassCount)
                t->errorsByClass[size_t(cls)] += n;
        }
    };
    const auto histograms = [this, &c, error](std::vector<RecordHistogram> *hs) {
        hs->clear();
        const quint64 count = c.varint();
        if (!c.ok || count > quint64(m_metrics)) {
            *error = QStringLiteral("broken histogram count");
            return false;
        }
        for (quint64 i = 0; i < count; ++i) {
            const quint64 metric = c.varint();
            const quint64 size = c.varint();
            if (!c.ok || metric >= quint64(m_metrics) || size > quint64(c.end - c.p)) {
                *error = QStringLiteral("broken histogram entry");
                return false;
            }
            // A view into the reader's buffer: no copy of the blob.
            hs->push_back({int(metric), QByteArray::fromRawData(c.p, qsizetype(size))});
            c.p += size;
        }
        return true;
    };
    out->index = int(c.varint());
    out->tSec = c.f64();
    out->intervalSec = c.f64();
    out->activeVus = int(c.varint());
    out->plannedTarget = c.f64();
    totals(&out->totals);
    if (!c.ok || !histograms(&out->histograms))
        return error->isEmpty() ? (*error = QStringLiteral("truncated record"), false) : false;
    const quint64 endpoints = c.varint();
    if (!c.ok || endpoints > quint64(m_endpoints)) {
        *error = QStringLiteral("broken endpoint count");
        return false;
    }
    out->endpoints.resize(size_t(endpoints));
    for (RecordEndpoint &e : out->endpoints) {
        const quint64 id = c.varint();
        e.sameAsOverall = (c.byte() & 1) != 0;
        if (!c.ok || id >= quint64(m_endpoints)) {
            *error = QStringLiteral("broken endpoint id");
            return false;
        }
        e.endpoint = int(id);
        totals(&e.totals);
        if (!c.ok || !histograms(&e.histograms))
            return error->isEmpty() ? (*error = QStringLiteral("truncated record"), false) : false;
    }
    if (!c.ok || c.p != c.end) {
        *error = QStringLiteral("record length does not match its content");
        return false;
    }
    return true;
}

} // namespace loadscope
