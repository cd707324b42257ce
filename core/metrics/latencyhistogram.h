#pragma once

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QtGlobal>

namespace loadscope {

//! Log-linear HDR latency histogram (after Gil Tene's HdrHistogram), values in integer µs.
//!
//! Fixed layout: 3 significant digits (2048 sub-buckets, relative bucket width ≤ 1/1024),
//! lowest discernible value 1 µs, highest trackable 3,600,000,000 µs (1 h). Zero is a value of
//! its own (slot 0, as in HdrHistogram), so a connect time that did not happen reads 0, not
//! 1 µs; negative values are recorded as 0. Values above the highest are recorded as the
//! highest and counted in overflowCount(). min(), max(), count() and the sum behind mean()
//! are exact; percentiles are exact to the bucket (relative error ≤ ~1/2048; below 2048 µs
//! every integer µs has its own slot).
//!
//! The counts array is allocated on the first record and grows only as far as the largest
//! bucket used, so an empty histogram costs a few dozen bytes to create and copy, and a
//! copy carries only the used part of the array. reset() keeps the allocation for reuse.
class LatencyHistogram
{
public:
    static constexpr qint64 kLowestValue = 1;     //!< lowest discernible value, µs
    static constexpr qint64 kLowestTrackable = 0; //!< smallest recorded value (0 has slot 0), µs
    static constexpr qint64 kHighestValue = 3'600'000'000LL; //!< highest trackable value, µs
    static constexpr int kSignificantDigits = 3;             //!< decimal precision
    static constexpr int kSubBucketCount = 2048;             //!< linear steps per bucket
    static constexpr int kSubBucketHalfCount = kSubBucketCount / 2;
    static constexpr int kSubBucketHalfCountMagnitude = 10;

    //! Index of the counts slot a (clamped) value falls into.
    static constexpr int countsIndex(qint64 value)
    {
        // The builtin (GCC/Clang) is constexpr, unlike Qt's wrapper; its argument is never 0.
        const auto v = quint64(value);
        const int bucket = 64 - __builtin_clzll(v | quint64(kSubBucketCount - 1)) -
                           (kSubBucketHalfCountMagnitude + 1);
        const auto subBucket = int(v >> bucket);
        return ((bucket + 1) << kSubBucketHalfCountMagnitude) + subBucket - kSubBucketHalfCount;
    }
    //! Number of counts nonZero needed to hold every trackable value.
    static constexpr int kCountsLength = 23221; // countsIndex(kHighestValue) + 1, asserted below

    LatencyHistogram() = default;
    LatencyHistogram(const LatencyHistogram &other);
    LatencyHistogram(LatencyHistogram &&other) noexcept;
    LatencyHistogram &operator=(const LatencyHistogram &other);
    LatencyHistogram &operator=(LatencyHistogram &&other) noexcept;
    ~LatencyHistogram() = default;

    //! Records one value (µs); the hot path: no allocation once the bucket range is warm.
    void record(qint64 valueUs)
    {
        m_overflowCount += valueUs > kHighestValue;
        const qint64 v = std::clamp(valueUs, kLowestTrackable, kHighestValue);
        const int index = countsIndex(v);
        if (Q_UNLIKELY(size_t(index) >= m_counts.size()))
            grow(index);
        ++m_counts[size_t(index)];
        ++m_totalCount;
        m_sum += quint64(v);
        m_min = std::min(m_min, v);
        m_max = std::max(m_max, v);
    }
    //! Records the same value count times (count ≤ 0 is ignored).
    void recordN(qint64 valueUs, qint64 count);
    //! Adds every count of other to this histogram.
    void merge(const LatencyHistogram &other);
    //! Forgets every value; keeps the allocated counts for reuse.
    void reset();

    //! Number of values recorded.
    qint64 count() const { return m_totalCount; }
    //! True when nothing has been recorded.
    bool isEmpty() const { return m_totalCount == 0; }
    //! Values recorded above kHighestValue (they were recorded as kHighestValue).
    qint64 overflowCount() const { return m_overflowCount; }
    //! Exact smallest recorded (clamped) value; 0 when empty.
    qint64 min() const { return m_totalCount ? m_min : 0; }
    //! Exact largest recorded (clamped) value; 0 when empty.
    qint64 max() const { return m_max; }
    //! Exact arithmetic mean of the (clamped) values; 0 when empty.
    double mean() const;
    //! Population standard deviation, from bucket midpoints around the exact mean; 0 when empty.
    double stddev() const;
    //! Value at percentile p in [0, 100]: the midpoint of the first bucket whose cumulative
    //! count reaches ceil(p/100 * count), clamped to [min, max]; 0 → min, 100 → max. The
    //! "fraction ≤ v is ≥ p/100" guarantee holds at bucket resolution (≤ ~1/2048 relative).
    qint64 valueAtPercentile(double p) const;
    //! Count of values whose buckets lie between the buckets of lo and hi, inclusive.
    qint64 countBetween(qint64 lo, qint64 hi) const;
    //! (percentile, value) pairs at 0, 50, 75, 87.5, … (pointsPerHalf steps per halving of
    //! the remaining distance to 100) up to 99.9999, then 100; empty when nothing recorded.
    QList<QPair<double, qint64>> percentileCurve(int pointsPerHalf = 5) const;
    //! Bytes held by this histogram, counts array included.
    qint64 memoryBytes() const;

    //! Smallest value that shares value's bucket.
    static qint64 lowestEquivalentValue(qint64 value);
    //! Largest value that shares value's bucket.
    static qint64 highestEquivalentValue(qint64 value);

    //! Compact binary form: magic, version 1, header, LEB128/zig-zag run-length counts, CRC-32.
    QByteArray serialize() const;
    //! Parses serialize()'s output; on corrupted input returns nullopt and says why in *error.
    static std::optional<LatencyHistogram> deserialize(const QByteArray &data,
                                                       QString *error = nullptr);

    //! Adds the histogram serialize() wrote in @p data, as merge() would its deserialize()d
    //! form, with the same checks but without building it: costs the blob's size, not the
    //! counts array's. On corrupted input changes nothing and says why in *error.
    bool mergeSerialized(const QByteArray &data, QString *error = nullptr);

    //! Same recorded distribution (counts, min, max, sum, overflow).
    bool operator==(const LatencyHistogram &other) const;
    bool operator!=(const LatencyHistogram &other) const { return !(*this == other); }

private:
    //! A checked serialize() blob: header figures and its non-zero nonZero in order.
    struct Decoded
    {
        qint64 total = 0, overflow = 0, min = 0, max = 0, length = 0;
        quint64 sum = 0;
        std::vector<std::pair<qint32, qint64>> nonZero;
    };
    static bool decode(const QByteArray &data, Decoded *out, QString *error);
    void grow(int index);
    void clearStatistics(); // everything but the counts array
    //! Slots actually in use: up to and including the bucket of max().
    size_t usedLength() const { return m_totalCount ? size_t(countsIndex(m_max)) + 1 : 0; }
    static qint64 valueFromIndex(int index);

    std::vector<qint64> m_counts;
    qint64 m_totalCount = 0;
    qint64 m_overflowCount = 0;
    qint64 m_min = kHighestValue; // sentinel until the first record; min() hides it
    qint64 m_max = 0;
    quint64 m_sum = 0; // wraps only past 2^64 µs (≈584,000 years) of summed latency
};

static_assert(LatencyHistogram::kCountsLength ==
              LatencyHistogram::countsIndex(LatencyHistogram::kHighestValue) + 1);
// Zero and the lowest discernible value keep nonZero of their own, so 0 never reads as 1 µs.
static_assert(LatencyHistogram::countsIndex(0) == 0 &&
              LatencyHistogram::countsIndex(LatencyHistogram::kLowestValue) == 1);

} // namespace loadscope
