#include "metrics/latencyhistogram.h"

#include <array>
#include <cmath>
#include <limits>

namespace loadscope {

namespace {

constexpr char kMagic[3] = {'L', 'S', 'H'};
constexpr char kVersion = 1;
constexpr int kPrefixSize = 4; // magic + version
constexpr int kCrcSize = 4;

constexpr std::array<quint32, 256> makeCrcTable()
{
    std::array<quint32, 256> table{};
    for (quint32 i = 0; i < 256; ++i) {
        quint32 c = i;
        for (int k = 0; k < 8; ++k)
            c = (c & 1) ? 0xEDB88320U ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    return table;
}
constexpr std::array<quint32, 256> kCrcTable = makeCrcTable();

// CRC-32 (IEEE 802.3, as zlib): catches random bit flips a structural check would let through.
quint32 crc32(const char *data, qsizetype size)
{
    quint32 c = 0xFFFFFFFFU;
    for (qsizetype i = 0; i < size; ++i)
        c = kCrcTable[(c ^ quint8(data[i])) & 0xFFU] ^ (c >> 8);
    return c ^ 0xFFFFFFFFU;
}

void appendVarint(QByteArray &out, quint64 value)
{
    while (value >= 0x80) {
        out.append(char((value & 0x7F) | 0x80));
        value >>= 7;
    }
    out.append(char(value));
}

quint64 zigZag(qint64 n)
{
    return (quint64(n) << 1) ^ quint64(n >> 63);
}

qint64 unZigZag(quint64 u)
{
    return qint64((u >> 1) ^ (~(u & 1) + 1));
}

// Bounds-checked LEB128 reader: it never reads past end and rejects varints wider than 64 bits.
struct Reader
{
    const quint8 *p;
    const quint8 *end;

    qsizetype remaining() const { return end - p; }

    bool varint(quint64 *out, const char *what, QString *error)
    {
        quint64 result = 0;
        for (int shift = 0;; shift += 7) {
            if (p == end) {
                *error = QStringLiteral("truncated while reading %1").arg(QLatin1String(what));
                return false;
            }
            const quint8 byte = *p++;
            if (shift == 63 && (byte & 0xFE)) {
                *error = QStringLiteral("varint overflow (wider than 64 bits) in %1")
                             .arg(QLatin1String(what));
                return false;
            }
            result |= quint64(byte & 0x7F) << shift;
            if (!(byte & 0x80)) {
                *out = result;
                return true;
            }
        }
    }

    bool signedField(qint64 *out, const char *what, QString *error)
    {
        quint64 value = 0;
        if (!varint(&value, what, error))
            return false;
        if (value > quint64(std::numeric_limits<qint64>::max())) {
            *error = QStringLiteral("%1 out of range (%2)").arg(QLatin1String(what)).arg(value);
            return false;
        }
        *out = qint64(value);
        return true;
    }
};

} // namespace

namespace {

// The first slot at or after @p i that may be non-zero, skipping empty slots four at a time:
// per-interval histograms of an import hold a few hundred values over thousands of slots.
inline int skipEmpty(const qint64 *counts, int i, int used)
{
    while (i + 4 <= used && (counts[i] | counts[i + 1] | counts[i + 2] | counts[i + 3]) == 0)
        i += 4;
    return i;
}

} // namespace

LatencyHistogram::LatencyHistogram(const LatencyHistogram &other)
    : m_counts(other.m_counts.begin(), other.m_counts.begin() + qptrdiff(other.usedLength()))
    , m_totalCount(other.m_totalCount)
    , m_overflowCount(other.m_overflowCount)
    , m_min(other.m_min)
    , m_max(other.m_max)
    , m_sum(other.m_sum)
{}

LatencyHistogram::LatencyHistogram(LatencyHistogram &&other) noexcept
    : m_counts(std::move(other.m_counts))
    , m_totalCount(other.m_totalCount)
    , m_overflowCount(other.m_overflowCount)
    , m_min(other.m_min)
    , m_max(other.m_max)
    , m_sum(other.m_sum)
{
    other.m_counts.clear();
    other.clearStatistics();
}

LatencyHistogram &LatencyHistogram::operator=(const LatencyHistogram &other)
{
    if (this != &other) {
        // assign() reuses this histogram's allocation, which is what an engine reusing
        // per-interval histograms wants.
        m_counts.assign(other.m_counts.begin(),
                        other.m_counts.begin() + qptrdiff(other.usedLength()));
        m_totalCount = other.m_totalCount;
        m_overflowCount = other.m_overflowCount;
        m_min = other.m_min;
        m_max = other.m_max;
        m_sum = other.m_sum;
    }
    return *this;
}

LatencyHistogram &LatencyHistogram::operator=(LatencyHistogram &&other) noexcept
{
    if (this != &other) {
        m_counts = std::move(other.m_counts);
        m_totalCount = other.m_totalCount;
        m_overflowCount = other.m_overflowCount;
        m_min = other.m_min;
        m_max = other.m_max;
        m_sum = other.m_sum;
        other.m_counts.clear();
        other.clearStatistics();
    }
    return *this;
}

void LatencyHistogram::grow(int index)
{
    // Grow by whole half-buckets so a run of rising values does not reallocate per value.
    const int wanted = ((index >> kSubBucketHalfCountMagnitude) + 1)
                       << kSubBucketHalfCountMagnitude;
    const auto length = size_t(std::min(wanted, kCountsLength));
    m_counts.reserve(length); // exact: resize() alone would double the capacity
    m_counts.resize(length, 0);
}

void LatencyHistogram::recordN(qint64 valueUs, qint64 count)
{
    if (count <= 0)
        return;
    if (valueUs > kHighestValue)
        m_overflowCount += count;
    const qint64 v = std::clamp(valueUs, kLowestTrackable, kHighestValue);
    const int index = countsIndex(v);
    if (size_t(index) >= m_counts.size())
        grow(index);
    m_counts[size_t(index)] += count;
    m_totalCount += count;
    m_sum += quint64(v) * quint64(count);
    m_min = std::min(m_min, v);
    m_max = std::max(m_max, v);
}

void LatencyHistogram::merge(const LatencyHistogram &other)
{
    if (other.m_totalCount == 0)
        return;
    const size_t used = other.usedLength();
    if (m_counts.size() < used)
        grow(int(used) - 1);
    // Nothing is counted below the slot of other's min.
    for (size_t i = size_t(countsIndex(other.m_min)); i < used; ++i)
        m_counts[i] += other.m_counts[i];
    m_totalCount += other.m_totalCount;
    m_overflowCount += other.m_overflowCount;
    m_sum += other.m_sum;
    m_min = std::min(m_min, other.m_min);
    m_max = std::max(m_max, other.m_max);
}

void LatencyHistogram::reset()
{
    // Only slots up to max's bucket can be non-zero, so this stays cheap for short intervals.
    std::fill(m_counts.begin(), m_counts.begin() + qptrdiff(usedLength()), 0);
    clearStatistics();
}

void LatencyHistogram::clearStatistics()
{
    m_totalCount = 0;
    m_overflowCount = 0;
    m_min = kHighestValue;
    m_max = 0;
    m_sum = 0;
}

qint64 LatencyHistogram::valueFromIndex(int index)
{
    int bucket = (index >> kSubBucketHalfCountMagnitude) - 1;
    int subBucket = (index & (kSubBucketHalfCount - 1)) + kSubBucketHalfCount;
    if (bucket < 0) {
        subBucket -= kSubBucketHalfCount;
        bucket = 0;
    }
    return qint64(subBucket) << bucket;
}

qint64 LatencyHistogram::lowestEquivalentValue(qint64 value)
{
    return valueFromIndex(countsIndex(std::clamp(value, kLowestTrackable, kHighestValue)));
}

qint64 LatencyHistogram::highestEquivalentValue(qint64 value)
{
    // The next slot starts right after this one, also across a bucket boundary.
    return valueFromIndex(countsIndex(std::clamp(value, kLowestTrackable, kHighestValue)) + 1) - 1;
}

double LatencyHistogram::mean() const
{
    return m_totalCount ? double(m_sum) / double(m_totalCount) : 0.0;
}

double LatencyHistogram::stddev() const
{
    if (m_totalCount == 0)
        return 0.0;
    const double avg = mean();
    double acc = 0.0;
    const int used = int(usedLength());
    const qint64 *const counts = m_counts.data();
    for (int i = countsIndex(m_min); i < used; ++i) {
        i = skipEmpty(counts, i, used);
        if (i >= used)
            break;
        const qint64 c = counts[i];
        if (c == 0)
            continue;
        const qint64 lo = valueFromIndex(i);
        const qint64 mid = std::clamp(lo + (valueFromIndex(i + 1) - lo) / 2, min(), m_max);
        const double d = double(mid) - avg;
        acc += d * d * double(c);
    }
    return std::sqrt(acc / double(m_totalCount));
}

qint64 LatencyHistogram::valueAtPercentile(double p) const
{
    if (m_totalCount == 0)
        return 0;
    if (!(p > 0.0)) // also NaN
        return min();
    if (p >= 100.0)
        return m_max;
    const auto rank =
        std::clamp(qint64(std::ceil(p / 100.0 * double(m_totalCount))), qint64(1), m_totalCount);
    qint64 cumulative = 0;
    const int used = int(usedLength());
    const qint64 *const counts = m_counts.data();
    for (int i = countsIndex(m_min); i < used; ++i) {
        i = skipEmpty(counts, i, used);
        if (i >= used)
            break;
        cumulative += counts[i];
        if (cumulative >= rank) {
            const qint64 lo = valueFromIndex(i);
            return std::clamp(lo + (valueFromIndex(i + 1) - lo) / 2, min(), m_max);
        }
    }
    return m_max; // not reached: the counts add up to m_totalCount
}

qint64 LatencyHistogram::countBetween(qint64 lo, qint64 hi) const
{
    if (m_totalCount == 0 || lo > hi)
        return 0;
    const int first = countsIndex(std::clamp(lo, kLowestTrackable, kHighestValue));
    const int last = std::min(countsIndex(std::clamp(hi, kLowestTrackable, kHighestValue)),
                              int(usedLength()) - 1);
    qint64 total = 0;
    for (int i = first; i <= last; ++i)
        total += m_counts[size_t(i)];
    return total;
}

QList<QPair<double, qint64>> LatencyHistogram::percentileCurve(int pointsPerHalf) const
{
    QList<QPair<double, qint64>> curve;
    if (m_totalCount == 0)
        return curve;
    pointsPerHalf = std::clamp(pointsPerHalf, 1, 100);
    // Levels as HdrHistogram's percentile iterator reports them: each halving of the distance
    // to 100 % gets the same number of points, so the tail is drawn as finely as the body.
    QList<double> levels;
    for (int half = 0;; ++half) {
        const double start = 100.0 - 100.0 / std::ldexp(1.0, half);
        if (100.0 - start < 1e-4)
            break;
        const double step = 100.0 / std::ldexp(1.0, half + 1) / pointsPerHalf;
        for (int j = 0; j < pointsPerHalf; ++j)
            levels.append(start + j * step);
    }
    curve.reserve(levels.size() + 1);
    curve.append({0.0, min()});
    qint64 cumulative = 0;
    int index = -1;
    const int used = int(usedLength());
    for (qsizetype k = 1; k < levels.size(); ++k) {
        const auto rank = std::clamp(qint64(std::ceil(levels[k] / 100.0 * double(m_totalCount))),
                                     qint64(1), m_totalCount);
        while (cumulative < rank && index + 1 < used)
            cumulative += m_counts[size_t(++index)];
        const qint64 lo = valueFromIndex(index);
        curve.append(
            {levels[k], std::clamp(lo + (valueFromIndex(index + 1) - lo) / 2, min(), m_max)});
    }
    curve.append({100.0, m_max});
    return curve;
}

qint64 LatencyHistogram::memoryBytes() const
{
    return qint64(sizeof(*this)) + qint64(m_counts.capacity() * sizeof(qint64));
}

bool LatencyHistogram::operator==(const LatencyHistogram &other) const
{
    if (m_totalCount != other.m_totalCount || m_overflowCount != other.m_overflowCount ||
        min() != other.min() || m_max != other.m_max || m_sum != other.m_sum)
        return false;
    const size_t used = usedLength();
    return std::equal(m_counts.begin(), m_counts.begin() + qptrdiff(used), other.m_counts.begin());
}

QByteArray LatencyHistogram::serialize() const
{
    const size_t used = usedLength();
    QByteArray payload;
    payload.reserve(qsizetype(used) * 2);
    for (size_t i = 0; i < used;) {
        if (m_counts[i] != 0) {
            appendVarint(payload, zigZag(m_counts[i]));
            ++i;
            continue;
        }
        size_t run = 0;
        while (i < used && m_counts[i] == 0) {
            ++run;
            ++i;
        }
        appendVarint(payload, zigZag(-qint64(run))); // zero runs as negative numbers (V2 style)
    }

    QByteArray out;
    out.reserve(payload.size() + 64);
    out.append(kMagic, sizeof(kMagic));
    out.append(kVersion);
    appendVarint(out, quint64(kLowestValue));
    appendVarint(out, quint64(kHighestValue));
    appendVarint(out, quint64(kSignificantDigits));
    appendVarint(out, quint64(m_totalCount));
    appendVarint(out, quint64(m_overflowCount));
    appendVarint(out, quint64(min()));
    appendVarint(out, quint64(m_max));
    appendVarint(out, m_sum);
    appendVarint(out, quint64(used));
    appendVarint(out, quint64(payload.size()));
    out.append(payload);
    const quint32 crc = crc32(out.constData(), out.size());
    for (int shift = 0; shift < 32; shift += 8)
        out.append(char((crc >> shift) & 0xFFU));
    return out;
}

bool LatencyHistogram::decode(const QByteArray &data, Decoded *out, QString *error)
{
    QString scratch;
    QString *err = error ? error : &scratch;
    const auto fail = [err](const QString &message) {
        *err = QStringLiteral("latency histogram: ") + message;
        return false;
    };

    if (data.size() < kPrefixSize + kCrcSize)
        return fail(QStringLiteral("truncated (%1 bytes, at least %2 needed)")
                        .arg(data.size())
                        .arg(kPrefixSize + kCrcSize));
    if (data[0] != kMagic[0] || data[1] != kMagic[1] || data[2] != kMagic[2])
        return fail(QStringLiteral("bad magic (not a serialized latency histogram)"));
    if (data[3] != kVersion)
        return fail(QStringLiteral("unsupported version %1 (expected %2)")
                        .arg(int(quint8(data[3])))
                        .arg(int(kVersion)));

    const auto *begin = reinterpret_cast<const quint8 *>(data.constData());
    Reader in{begin + kPrefixSize, begin + data.size()};
    QString message;
    qint64 lowest = 0, highest = 0, digits = 0, total = 0, overflow = 0, minValue = 0, maxValue = 0,
           length = 0, payloadBytes = 0;
    quint64 sum = 0;
    if (!in.signedField(&lowest, "lowest value", &message) ||
        !in.signedField(&highest, "highest value", &message) ||
        !in.signedField(&digits, "significant digits", &message) ||
        !in.signedField(&total, "total count", &message) ||
        !in.signedField(&overflow, "overflow count", &message) ||
        !in.signedField(&minValue, "min", &message) ||
        !in.signedField(&maxValue, "max", &message) || !in.varint(&sum, "sum", &message) ||
        !in.signedField(&length, "counts length", &message) ||
        !in.signedField(&payloadBytes, "payload length", &message))
        return fail(message);
    if (lowest != kLowestValue || highest != kHighestValue || digits != kSignificantDigits)
        return fail(QStringLiteral("unsupported parameters (lowest %1, highest %2, %3 digits)")
                        .arg(lowest)
                        .arg(highest)
                        .arg(digits));
    if (length > kCountsLength)
        return fail(QStringLiteral("counts length %1 exceeds the maximum %2")
                        .arg(length)
                        .arg(kCountsLength));
    if (in.remaining() < kCrcSize || payloadBytes > in.remaining() - kCrcSize)
        return fail(QStringLiteral("truncated (payload of %1 bytes, %2 left before the checksum)")
                        .arg(payloadBytes)
                        .arg(std::max<qsizetype>(in.remaining() - kCrcSize, 0)));

    // Only the non-zero slots are kept: merging a blob then costs what it holds, not the
    // length of the counts array.
    std::vector<std::pair<qint32, qint64>> &nonZero = out->nonZero;
    nonZero.clear();
    Reader payload{in.p, in.p + payloadBytes};
    qint64 index = 0;
    qint64 countSum = 0;
    while (payload.remaining() > 0) {
        quint64 raw = 0;
        if (!payload.varint(&raw, "counts payload", &message))
            return fail(message);
        const qint64 n = unZigZag(raw);
        if (n < 0) {
            const quint64 run = 0 - quint64(n);
            if (run > quint64(length - index))
                return fail(QStringLiteral("zero run of %1 at slot %2 goes beyond the counts "
                                           "array (length %3)")
                                .arg(run)
                                .arg(index)
                                .arg(length));
            index += qint64(run);
            continue;
        }
        if (index >= length)
            return fail(QStringLiteral("count at slot %1 beyond the counts array (length %2)")
                            .arg(index)
                            .arg(length));
        if (n > total - countSum)
            return fail(QStringLiteral("counts add up to more than the total count %1").arg(total));
        if (n > 0)
            nonZero.emplace_back(qint32(index), n);
        ++index;
        countSum += n;
    }
    if (index != length)
        return fail(QStringLiteral("counts payload covers %1 slots, header says %2")
                        .arg(index)
                        .arg(length));
    in.p = payload.end;
    if (in.remaining() != kCrcSize)
        return fail(QStringLiteral("%1 unexpected trailing bytes").arg(in.remaining() - kCrcSize));
    if (countSum != total)
        return fail(QStringLiteral("total count mismatch (header %1, counts add up to %2)")
                        .arg(total)
                        .arg(countSum));

    if (total == 0) {
        if (minValue != 0 || maxValue != 0 || sum != 0 || overflow != 0 || length != 0)
            return fail(QStringLiteral("empty histogram with non-zero min, max, sum or overflow"));
    } else {
        const qint64 firstNonZero = nonZero.front().first;
        if (minValue < kLowestTrackable || minValue > maxValue || maxValue > kHighestValue ||
            countsIndex(minValue) != firstNonZero || countsIndex(maxValue) != length - 1 ||
            nonZero.back().first != length - 1)
            return fail(QStringLiteral("min %1 / max %2 inconsistent with the counts")
                            .arg(minValue)
                            .arg(maxValue));
        if (overflow > total || (overflow > 0 && maxValue != kHighestValue))
            return fail(QStringLiteral("overflow count %1 inconsistent with total %2 and max %3")
                            .arg(overflow)
                            .arg(total)
                            .arg(maxValue));
        // min·total ≤ sum ≤ max·total, checked by division so nothing can overflow.
        const quint64 t = quint64(total);
        if (sum / t < quint64(minValue) || sum / t + (sum % t ? 1 : 0) > quint64(maxValue))
            return fail(QStringLiteral("sum %1 inconsistent with min, max and count").arg(sum));
    }

    const qsizetype crcOffset = data.size() - kCrcSize;
    quint32 stored = 0;
    for (int i = 0; i < kCrcSize; ++i)
        stored |= quint32(begin[crcOffset + i]) << (8 * i);
    const quint32 computed = crc32(data.constData(), crcOffset);
    if (stored != computed)
        return fail(QStringLiteral("checksum mismatch (stored %1, computed %2)")
                        .arg(stored, 8, 16, QLatin1Char('0'))
                        .arg(computed, 8, 16, QLatin1Char('0')));

    out->total = total;
    out->overflow = overflow;
    out->min = minValue;
    out->max = maxValue;
    out->sum = sum;
    out->length = length;
    return true;
}

std::optional<LatencyHistogram> LatencyHistogram::deserialize(const QByteArray &data,
                                                              QString *error)
{
    Decoded decoded;
    if (!decode(data, &decoded, error))
        return std::nullopt;
    LatencyHistogram h;
    // length is bounded by kCountsLength in decode(), so a hostile header cannot ask for more.
    h.m_counts.assign(size_t(decoded.length), 0);
    for (const auto &[index, count] : decoded.nonZero)
        h.m_counts[size_t(index)] = count;
    h.m_totalCount = decoded.total;
    h.m_overflowCount = decoded.overflow;
    h.m_min = decoded.total ? decoded.min : kHighestValue;
    h.m_max = decoded.max;
    h.m_sum = decoded.sum;
    return h;
}

bool LatencyHistogram::mergeSerialized(const QByteArray &data, QString *error)
{
    // One decode buffer per thread: merging many blobs allocates nothing once it is warm.
    thread_local Decoded decoded;
    if (!decode(data, &decoded, error))
        return false;
    if (decoded.total == 0)
        return true;
    if (m_counts.size() < size_t(decoded.length))
        grow(int(decoded.length) - 1);
    for (const auto &[index, count] : decoded.nonZero)
        m_counts[size_t(index)] += count;
    m_totalCount += decoded.total;
    m_overflowCount += decoded.overflow;
    m_sum += decoded.sum;
    m_min = std::min(m_min, decoded.min);
    m_max = std::max(m_max, decoded.max);
    return true;
}

} // namespace loadscope
