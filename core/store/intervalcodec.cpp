#include "intervalcodec.h"

#include <cstring>
#include <type_traits>

#include <QByteArrayView>
#include <QJsonObject>
#include <QSqlError>
#include <QSqlQuery>
#include <QtEndian>

#include "metrics/errorclass.h"
#include "store/storesql.h"

namespace loadscope {

namespace {

// Layout (little-endian): format byte, f64 tSec, then the interval's rows until the end, each:
// name (u16 length + UTF-8), i64 requests/errors/bytesIn/bytesOut, i32 activeVus,
// f64 rps/mean/p50/p90/p95/p99/p999/max, i64 checks passed/failed, f64 planned target,
// u8 n + n × (u8 error class, i64 count), u8 corrected? + 7 × f64, u16 n + n × (name,
// 7 × f64) Server-Timing, u16 n + n × (name, f64) timing means, resources (see putResources).
// No row count: a second write for the same interval appends its rows (HistoryStore).
constexpr int kHeaderSize = 1 + 8;

// The seven figures of a latency block, in the order storedrun's JSON reading used:
// avg, p50, p90, p95, p99, p999, max.
const char *const kStatKeys[] = {"avg", "p50", "p90", "p95", "p99", "p999", "max"};

class Writer
{
public:
    explicit Writer(QByteArray *out)
        : m_out(out)
    {}
    template<typename T> void put(T value)
    {
        static_assert(std::is_arithmetic_v<T>);
        if constexpr (std::is_floating_point_v<T>) {
            quint64 bits = 0;
            std::memcpy(&bits, &value, sizeof bits);
            put(bits);
        } else {
            const T le = qToLittleEndian(value);
            m_out->append(reinterpret_cast<const char *>(&le), sizeof le);
        }
    }
    void putName(const QString &name)
    {
        const QByteArray utf8 = name.toUtf8().left(0xffff);
        put(quint16(utf8.size()));
        m_out->append(utf8);
    }
    void putStats(const QJsonObject &json)
    {
        for (const char *key : kStatKeys)
            put(json.value(QLatin1String(key)).toDouble());
    }

private:
    QByteArray *m_out;
};

class Reader
{
public:
    Reader(const char *data, qsizetype size)
        : m_data(data)
        , m_end(data + size)
    {}
    bool ok() const { return m_ok; }
    bool atEnd() const { return m_data >= m_end; }
    template<typename T> T get()
    {
        static_assert(std::is_arithmetic_v<T>);
        if constexpr (std::is_floating_point_v<T>) {
            const quint64 bits = get<quint64>();
            T value;
            std::memcpy(&value, &bits, sizeof value);
            return value;
        } else {
            if (m_end - m_data < qsizetype(sizeof(T))) {
                m_ok = false;
                m_data = m_end;
                return T();
            }
            const T value = qFromUnaligned<T>(m_data);
            m_data += sizeof(T);
            return qFromLittleEndian(value);
        }
    }
    //! A name's bytes (valid while the record lives); nullptr and not ok() when truncated.
    const char *getName(int *size)
    {
        *size = get<quint16>();
        if (!m_ok || m_end - m_data < *size) {
            m_ok = false;
            m_data = m_end;
            return nullptr;
        }
        const char *name = m_data;
        m_data += *size;
        return name;
    }
    void getStats(LatencyStats *s)
    {
        s->meanMs = get<double>();
        s->p50Ms = get<double>();
        s->p90Ms = get<double>();
        s->p95Ms = get<double>();
        s->p99Ms = get<double>();
        s->p999Ms = get<double>();
        s->maxMs = get<double>();
    }

private:
    const char *m_data;
    const char *m_end;
    bool m_ok = true;
};

// What the charts and comparisons read of a process's figures ("generator", "target"): each
// key kept only with the JSON type its readers accept, so that a missing or mistyped value
// reads back as the same default.
enum ProcessBits : quint8
{
    HasValid = 1,
    HasCpu = 2,
    HasRss = 4
};

void putProcess(Writer &w, const QJsonObject &process)
{
    const QJsonValue valid = process.value(QLatin1String("valid"));
    const QJsonValue cpu = process.value(QLatin1String("cpuPct"));
    const QJsonValue rss = process.value(QLatin1String("rssBytes"));
    w.put(quint8((valid.isBool() ? HasValid : 0) | (cpu.isDouble() ? HasCpu : 0) |
                 (rss.isDouble() ? HasRss : 0)));
    if (valid.isBool())
        w.put(quint8(valid.toBool()));
    if (cpu.isDouble())
        w.put(cpu.toDouble());
    if (rss.isDouble())
        w.put(rss.toDouble());
}

QJsonObject getProcess(Reader &r)
{
    QJsonObject process;
    const quint8 bits = r.get<quint8>();
    if (bits & HasValid)
        process.insert(QStringLiteral("valid"), r.get<quint8>() != 0);
    if (bits & HasCpu)
        process.insert(QStringLiteral("cpuPct"), r.get<double>());
    if (bits & HasRss)
        process.insert(QStringLiteral("rssBytes"), r.get<double>());
    return process;
}

enum ResourceBits : quint8
{
    NotEmpty = 1,
    HasMachineCpu = 2,
    HasSaturated = 4,
    HasGenerator = 8,
    HasTarget = 16
};

void putResources(Writer &w, const QJsonObject &resources)
{
    const QJsonValue machine = resources.value(QLatin1String("machineCpuPct"));
    const QJsonValue saturated = resources.value(QLatin1String("generatorSaturated"));
    const QJsonValue generator = resources.value(QLatin1String("generator"));
    const QJsonValue target = resources.value(QLatin1String("target"));
    w.put(quint8((resources.isEmpty() ? 0 : NotEmpty) | (machine.isDouble() ? HasMachineCpu : 0) |
                 (saturated.isBool() ? HasSaturated : 0) |
                 (generator.isObject() ? HasGenerator : 0) | (target.isObject() ? HasTarget : 0)));
    if (machine.isDouble())
        w.put(machine.toDouble());
    if (saturated.isBool())
        w.put(quint8(saturated.toBool()));
    if (generator.isObject())
        putProcess(w, generator.toObject());
    if (target.isObject())
        putProcess(w, target.toObject());
}

QJsonObject getResources(Reader &r)
{
    QJsonObject resources;
    const quint8 bits = r.get<quint8>();
    if (bits & HasMachineCpu)
        resources.insert(QStringLiteral("machineCpuPct"), r.get<double>());
    if (bits & HasSaturated)
        resources.insert(QStringLiteral("generatorSaturated"), r.get<quint8>() != 0);
    if (bits & HasGenerator)
        resources.insert(QStringLiteral("generator"), getProcess(r));
    if (bits & HasTarget)
        resources.insert(QStringLiteral("target"), getProcess(r));
    // Figures nobody charts: an object that had only those must still read as "sampled", and
    // a missing machineCpuPct reads as 0 either way.
    if ((bits & NotEmpty) && resources.isEmpty())
        resources.insert(QStringLiteral("machineCpuPct"), 0.0);
    return resources;
}

void putRow(Writer &w, const ResultSample &row)
{
    w.putName(row.endpoint);
    w.put(qint64(row.requests));
    w.put(qint64(row.errors));
    w.put(qint64(row.bytesIn));
    w.put(qint64(row.bytesOut));
    w.put(qint32(row.activeVus));
    for (const double v :
         {row.rps, row.meanMs, row.p50Ms, row.p90Ms, row.p95Ms, row.p99Ms, row.p999Ms, row.maxMs})
        w.put(v);
    const QJsonObject &data = row.data;
    const QJsonObject checks = data.value(QLatin1String("checks")).toObject();
    w.put(qint64(checks.value(QLatin1String("passed")).toInteger()));
    w.put(qint64(checks.value(QLatin1String("failed")).toInteger()));
    w.put(data.value(QLatin1String("plannedTarget")).toDouble());

    const QJsonObject errors = data.value(QLatin1String("errorsByClass")).toObject();
    QList<std::pair<quint8, qint64>> counts;
    for (int i = 1; i < kErrorClassCount; ++i) {
        const qint64 n = errors.value(errorClassName(ErrorClass(i))).toInteger();
        if (n != 0)
            counts.append({quint8(i), n});
    }
    w.put(quint8(counts.size()));
    for (const auto &[errorClass, n] : std::as_const(counts)) {
        w.put(errorClass);
        w.put(qint64(n));
    }

    const QJsonObject corrected = data.value(QLatin1String("latencyCorrectedMs")).toObject();
    w.put(quint8(!corrected.isEmpty()));
    if (!corrected.isEmpty())
        w.putStats(corrected);

    const QJsonObject serverTiming = data.value(QLatin1String("serverTiming")).toObject();
    w.put(quint16(serverTiming.size()));
    for (auto it = serverTiming.constBegin(); it != serverTiming.constEnd(); ++it) {
        w.putName(it.key());
        w.putStats(it.value().toObject());
    }
    const QJsonObject means = data.value(QLatin1String("timingMeansMs")).toObject();
    w.put(quint16(means.size()));
    for (auto it = means.constBegin(); it != means.constEnd(); ++it) {
        w.putName(it.key());
        w.put(it.value().toDouble());
    }
    putResources(w, data.value(QLatin1String("resources")).toObject());
}

} // namespace

QByteArray IntervalCodec::encode(const QList<ResultSample> &rows)
{
    QByteArray record;
    record.reserve(kHeaderSize + 160 * rows.size());
    Writer w(&record);
    w.put(quint8(kFormat));
    w.put(rows.isEmpty() ? 0.0 : rows.constFirst().tSec);
    for (const ResultSample &row : rows)
        putRow(w, row);
    return record;
}

QByteArray IntervalCodec::rowsOf(const QByteArray &record)
{
    return record.mid(kHeaderSize);
}

QList<std::pair<double, QByteArray>>
IntervalCodec::encodeByInterval(const QList<ResultSample> &rows)
{
    QList<double> times;
    QList<QList<ResultSample>> groups;
    for (const ResultSample &row : rows) {
        // Rows of one interval are written together: the group is almost always the last one.
        qsizetype at = times.size() - 1;
        while (at >= 0 && times.at(at) != row.tSec)
            --at;
        if (at < 0) {
            times.append(row.tSec);
            groups.append(QList<ResultSample>());
            at = times.size() - 1;
        }
        groups[at].append(row);
    }
    QList<std::pair<double, QByteArray>> records;
    records.reserve(times.size());
    for (qsizetype i = 0; i < times.size(); ++i)
        records.append({times.at(i), encode(groups.at(i))});
    return records;
}

QString IntervalCodec::Decoder::name(const char *data, int size)
{
    const QByteArrayView bytes(data, size);
    for (const auto &[utf8, known] : std::as_const(m_names)) {
        // Names are few (one per endpoint and timing): a linear look-up.
        if (QByteArrayView(utf8) == bytes)
            return known;
    }
    QString created = QString::fromUtf8(data, size);
    if (m_names.size() < 64)
        m_names.append({QByteArray(data, size), created});
    return created;
}

bool IntervalCodec::Decoder::decode(const QByteArray &record, IntervalSample *sample)
{
    Reader r(record.constData(), record.size());
    if (r.get<quint8>() != quint8(kFormat))
        return false;
    *sample = IntervalSample();
    sample->tSec = r.get<double>();
    sample->intervalSec = 0;
    while (r.ok() && !r.atEnd()) {
        int size = 0;
        const char *bytes = r.getName(&size);
        EndpointSample e;
        e.name = size == 0 ? QString() : name(bytes, size);
        TrafficTotals &t = e.totals;
        t.requests = r.get<qint64>();
        t.errors = r.get<qint64>();
        t.bytesIn = r.get<qint64>();
        t.bytesOut = r.get<qint64>();
        const int activeVus = r.get<qint32>();
        const double rps = r.get<double>();
        LatencyStats &l = e.latency;
        l.count = t.requests;
        r.getStats(&l);
        t.checksPassed = r.get<qint64>();
        t.checksFailed = r.get<qint64>();
        const double plannedTarget = r.get<double>();
        for (int n = r.get<quint8>(); n > 0 && r.ok(); --n) {
            const int errorClass = r.get<quint8>();
            const qint64 count = r.get<qint64>();
            if (errorClass > 0 && errorClass < kErrorClassCount)
                t.errorsByClass[size_t(errorClass)] = count;
        }
        if (r.get<quint8>() != 0) {
            e.latencyCorrected.count = t.requests;
            r.getStats(&e.latencyCorrected);
        }
        QMap<QString, LatencyStats> serverTiming;
        for (int n = r.get<quint16>(); n > 0 && r.ok(); --n) {
            int nameSize = 0;
            const char *nameBytes = r.getName(&nameSize);
            LatencyStats stats;
            r.getStats(&stats);
            if (r.ok())
                serverTiming.insert(name(nameBytes, nameSize), stats);
        }
        QMap<QString, double> means;
        for (int n = r.get<quint16>(); n > 0 && r.ok(); --n) {
            int nameSize = 0;
            const char *nameBytes = r.getName(&nameSize);
            const double mean = r.get<double>();
            if (r.ok())
                means.insert(name(nameBytes, nameSize), mean);
        }
        QJsonObject resources = getResources(r);
        if (!r.ok())
            return false;
        if (e.name.isEmpty()) {
            sample->overall = std::move(e);
            sample->activeVus = activeVus;
            sample->plannedTarget = plannedTarget;
            sample->serverTiming = std::move(serverTiming);
            sample->timingMeansMs = std::move(means);
            sample->resources = std::move(resources);
            sample->intervalSec = rps > 0 ? double(sample->overall.totals.requests) / rps : 0.0;
        } else {
            sample->endpoints.append(std::move(e));
        }
    }
    return r.ok();
}

bool IntervalCodec::fillFromSamples(const QSqlDatabase &db, QString *error)
{
    auto fail = [error](const QSqlQuery &query) {
        if (error)
            *error = StoreSql::errorText(query.lastError());
        return false;
    };
    // Run by run: each run's rows come sorted from the (result_id, endpoint, t_sec) index and a
    // small sort, rather than the whole table's rows in one big sort.
    QSqlQuery runs(db);
    runs.setForwardOnly(true);
    if (!runs.exec(QStringLiteral("SELECT DISTINCT result_id FROM result_samples")))
        return fail(runs);
    QList<qint64> ids;
    while (runs.next())
        ids.append(runs.value(0).toLongLong());
    if (runs.lastError().isValid())
        return fail(runs);
    QSqlQuery rows(db);
    rows.setForwardOnly(true);
    rows.prepare(QStringLiteral("SELECT ") + StoreSql::sampleColumns() +
                 QStringLiteral(" FROM result_samples WHERE result_id = ? ORDER BY t_sec, id"));
    QSqlQuery insert(db);
    insert.prepare(
        QStringLiteral("INSERT INTO result_intervals(result_id, t_sec, record) VALUES (?, ?, ?)"));
    for (const qint64 id : std::as_const(ids)) {
        rows.addBindValue(id);
        if (!rows.exec())
            return fail(rows);
        QList<ResultSample> samples;
        while (rows.next())
            samples.append(StoreSql::sampleFrom(rows));
        if (rows.lastError().isValid())
            return fail(rows);
        rows.finish();
        const QList<std::pair<double, QByteArray>> records = encodeByInterval(samples);
        for (const auto &[tSec, record] : records) {
            insert.addBindValue(id);
            insert.addBindValue(tSec);
            insert.addBindValue(record);
            if (!insert.exec())
                return fail(insert);
        }
    }
    return true;
}

} // namespace loadscope
