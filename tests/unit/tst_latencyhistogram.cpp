#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include <QElapsedTimer>

#include "metrics/latencyhistogram.h"
#include "testmain.h"

using loadscope::LatencyHistogram;

namespace {

struct DataSet
{
    QString name;
    std::vector<qint64> values; // in recording order
    std::vector<qint64> sorted;
};

constexpr qint64 kSetSize = 1'000'000;
const double kPercentiles[] = {1, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100};

// Nearest rank: the value at index ceil(p/100*n)-1 of the sorted data.
qint64 exactPercentile(const std::vector<qint64> &sorted, double p)
{
    const auto n = qint64(sorted.size());
    const auto rank = std::clamp(qint64(std::ceil(p / 100.0 * double(n))), qint64(1), n);
    return sorted[size_t(rank - 1)];
}

LatencyHistogram histogramOf(const std::vector<qint64> &values, size_t from = 0,
                             size_t to = size_t(-1))
{
    LatencyHistogram h;
    to = std::min(to, values.size());
    for (size_t i = from; i < to; ++i)
        h.record(values[i]);
    return h;
}

void putVarint(QByteArray &out, quint64 v)
{
    while (v >= 0x80) {
        out.append(char((v & 0x7F) | 0x80));
        v >>= 7;
    }
    out.append(char(v));
}

quint64 zigZag(qint64 n)
{
    return (quint64(n) << 1) ^ quint64(n >> 63);
}

// A hand-made version-1 blob; the checksum is left as zeros because the structural and
// consistency checks under test run before it.
QByteArray craft(quint64 total, quint64 overflow, quint64 min, quint64 max, quint64 sum,
                 quint64 length, const QList<qint64> &entries,
                 quint64 payloadBytesOverride = quint64(-1))
{
    QByteArray payload;
    for (qint64 e : entries)
        putVarint(payload, zigZag(e));
    QByteArray out("LSH\x01", 4);
    for (quint64 field :
         {quint64(1), quint64(3'600'000'000), quint64(3), total, overflow, min, max, sum, length})
        putVarint(out, field);
    putVarint(out,
              payloadBytesOverride == quint64(-1) ? quint64(payload.size()) : payloadBytesOverride);
    out.append(payload);
    out.append(QByteArray(4, '\0'));
    return out;
}

} // namespace

class TestLatencyHistogram : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void bucketLayout();
    void clamping();
    void zeroIsZero();
    void readsBlobsWrittenBeforeZeroSlot();
    void accuracy_data();
    void accuracy();
    void mergeEqualsWhole();
    void roundTrip_data();
    void roundTrip();
    void emptyRoundTrip();
    void rejectsEveryTruncation();
    void rejectsByteFlips();
    void rejectsWrongMagicAndVersion();
    void rejectsCraftedBlobs_data();
    void rejectsCraftedBlobs();
    void copyMoveReset();
    void recordNAndCountBetween();
    void percentileCurve();
    void recordRate();
    void mergeSerializedEqualsMerge();
    void mergeSerializedRefusesCorruptionUnchanged();

private:
    std::vector<DataSet> m_sets;
};

void TestLatencyHistogram::initTestCase()
{
    std::mt19937_64 rng(20240611);
    DataSet uniform{QStringLiteral("uniform 1us-1s"), {}, {}};
    std::uniform_int_distribution<qint64> uni(1, 1'000'000);
    for (qint64 i = 0; i < kSetSize; ++i)
        uniform.values.push_back(uni(rng));

    DataSet lognormal{QStringLiteral("lognormal median 20ms sigma 1"), {}, {}};
    std::lognormal_distribution<double> logn(std::log(20'000.0), 1.0);
    for (qint64 i = 0; i < kSetSize; ++i)
        lognormal.values.push_back(std::max<qint64>(1, std::llround(logn(rng))));

    // 90 % fast around 2 ms; 10 % slow around 800 ms with a Pareto tail out to half an hour.
    DataSet bimodal{QStringLiteral("bimodal 2ms/800ms + Pareto tail"), {}, {}};
    std::bernoulli_distribution slow(0.1);
    std::normal_distribution<double> fast(2'000.0, 300.0);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (qint64 i = 0; i < kSetSize; ++i) {
        double v = 0;
        if (slow(rng))
            v = std::min(600'000.0 + 200'000.0 * std::pow(1.0 - unit(rng), -1.0 / 1.3),
                         1'800'000'000.0);
        else
            v = fast(rng);
        bimodal.values.push_back(std::max<qint64>(1, std::llround(v)));
    }

    m_sets = {std::move(uniform), std::move(lognormal), std::move(bimodal)};
    for (DataSet &set : m_sets) {
        set.sorted = set.values;
        std::sort(set.sorted.begin(), set.sorted.end());
    }
}

void TestLatencyHistogram::bucketLayout()
{
    QCOMPARE(LatencyHistogram::countsIndex(1), 1);
    QCOMPARE(LatencyHistogram::countsIndex(2047), 2047);
    QCOMPARE(LatencyHistogram::countsIndex(2048), 2048);
    QCOMPARE(LatencyHistogram::countsIndex(2049), 2048); // width 2 from 2048 on
    QCOMPARE(LatencyHistogram::countsIndex(4096), 3072);
    QCOMPARE(LatencyHistogram::kCountsLength, 23221);
    QCOMPARE(LatencyHistogram::lowestEquivalentValue(2049), qint64(2048));
    QCOMPARE(LatencyHistogram::highestEquivalentValue(2048), qint64(2049));
    QCOMPARE(LatencyHistogram::highestEquivalentValue(4095), qint64(4095));
    QCOMPARE(LatencyHistogram::highestEquivalentValue(1'000'000), qint64(1'000'447));
    // Every bucket is narrower than 1/1024 of its lowest value (3 significant digits).
    for (qint64 v = 2048; v < LatencyHistogram::kHighestValue; v = v * 3 / 2 + 7) {
        const qint64 lo = LatencyHistogram::lowestEquivalentValue(v);
        const qint64 hi = LatencyHistogram::highestEquivalentValue(v);
        QVERIFY(lo <= v && v <= hi);
        QVERIFY2(double(hi - lo + 1) / double(lo) <= 1.0 / 1024.0, qPrintable(QString::number(v)));
    }
}

void TestLatencyHistogram::clamping()
{
    LatencyHistogram h;
    h.record(0);
    QCOMPARE(h.min(), qint64(0));
    h.record(-42); // negative (a clock step) reads as zero, never as 1 µs
    QCOMPARE(h.count(), qint64(2));
    QCOMPARE(h.countBetween(0, 0), qint64(2));
    QCOMPARE(h.countBetween(1, 1), qint64(0));
    h.record(4'000'000'000LL);
    h.record(std::numeric_limits<qint64>::max());
    QCOMPARE(h.overflowCount(), qint64(2));
    QCOMPARE(h.max(), LatencyHistogram::kHighestValue);
    QCOMPARE(h.valueAtPercentile(100), LatencyHistogram::kHighestValue);
    h.record(LatencyHistogram::kHighestValue); // exactly the highest is not an overflow
    QCOMPARE(h.overflowCount(), qint64(2));
    QCOMPARE(h.count(), qint64(5));
    const auto back = LatencyHistogram::deserialize(h.serialize());
    QVERIFY(back);
    QCOMPARE(back->overflowCount(), qint64(2));
    QVERIFY(*back == h);
}

void TestLatencyHistogram::zeroIsZero()
{
    // 0 and 3 µs: the values the issue saw as 1 µs. Oracles by hand: two zeros, one 3.
    LatencyHistogram h;
    h.record(0);
    h.record(0);
    h.record(3);
    QCOMPARE(h.min(), qint64(0));
    QCOMPARE(h.max(), qint64(3));
    QCOMPARE(h.valueAtPercentile(50), qint64(0));
    QCOMPARE(h.valueAtPercentile(66), qint64(0));
    QCOMPARE(h.valueAtPercentile(67), qint64(3));
    QCOMPARE(h.mean(), 1.0);
    QCOMPARE(LatencyHistogram::lowestEquivalentValue(0), qint64(0));
    QCOMPARE(LatencyHistogram::highestEquivalentValue(0), qint64(0));
    QCOMPARE(LatencyHistogram::highestEquivalentValue(3), qint64(3));

    LatencyHistogram zeros;
    zeros.recordN(0, 10);
    QCOMPARE(zeros.min(), qint64(0));
    QCOMPARE(zeros.max(), qint64(0));
    QCOMPARE(zeros.mean(), 0.0);
    QCOMPARE(zeros.valueAtPercentile(99), qint64(0));
    QCOMPARE(zeros.stddev(), 0.0);
    const auto curve = zeros.percentileCurve();
    QVERIFY(!curve.isEmpty());
    for (const auto &point : curve)
        QCOMPARE(point.second, qint64(0));

    for (const LatencyHistogram *one : {&h, &zeros}) {
        QString error;
        const auto back = LatencyHistogram::deserialize(one->serialize(), &error);
        QVERIFY2(back, qPrintable(error));
        QVERIFY(*back == *one);
        QCOMPARE(back->min(), qint64(0));
    }
    LatencyHistogram merged = h;
    merged.merge(zeros);
    QCOMPARE(merged.count(), qint64(13));
    QCOMPARE(merged.countBetween(0, 0), qint64(12));
}

void TestLatencyHistogram::readsBlobsWrittenBeforeZeroSlot()
{
    // A blob as the previous version wrote it: a 0 recorded as 1 µs sits in slot 1 after a
    // zero run of one slot. It must still read back, with min 1 as stored.
    QByteArray blob = craft(2, 0, 1, 5, 6, 6, {-1, 1, -3, 1});
    blob.chop(4);
    quint32 c = 0xFFFFFFFFU; // CRC-32 (IEEE), as the writer computes it
    for (const char byte : blob) {
        c ^= quint8(byte);
        for (int k = 0; k < 8; ++k)
            c = (c & 1) ? 0xEDB88320U ^ (c >> 1) : c >> 1;
    }
    c ^= 0xFFFFFFFFU;
    for (int shift = 0; shift < 32; shift += 8)
        blob.append(char((c >> shift) & 0xFFU));
    QString error;
    const auto back = LatencyHistogram::deserialize(blob, &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(back->count(), qint64(2));
    QCOMPARE(back->min(), qint64(1));
    QCOMPARE(back->max(), qint64(5));
    QCOMPARE(back->countBetween(0, 0), qint64(0));
}

void TestLatencyHistogram::accuracy_data()
{
    QTest::addColumn<int>("set");
    for (int i = 0; i < 3; ++i)
        QTest::newRow(qPrintable(m_sets[size_t(i)].name)) << i;
}

void TestLatencyHistogram::accuracy()
{
    QFETCH(int, set);
    const DataSet &data = m_sets[size_t(set)];
    const LatencyHistogram h = histogramOf(data.values);

    QCOMPARE(h.count(), kSetSize);
    QCOMPARE(h.min(), data.sorted.front());
    QCOMPARE(h.max(), data.sorted.back());
    QCOMPARE(h.valueAtPercentile(0), data.sorted.front());

    double worst = 0;
    double worstAt = 0;
    for (double p : kPercentiles) {
        const qint64 exact = exactPercentile(data.sorted, p);
        const qint64 got = h.valueAtPercentile(p);
        const double rel = std::abs(double(got - exact)) / double(exact);
        QVERIFY2(
            rel <= 0.001,
            qPrintable(QStringLiteral("p%1: histogram %2, exact %3").arg(p).arg(got).arg(exact)));
        if (rel > worst) {
            worst = rel;
            worstAt = p;
        }
    }
    qInfo("%s: worst percentile relative error %.4f %% (at p%g)", qPrintable(data.name),
          worst * 100, worstAt);

    long double sum = 0;
    for (qint64 v : data.values)
        sum += v;
    const double exactMean = double(sum / data.values.size());
    double sq = 0;
    for (qint64 v : data.values)
        sq += (double(v) - exactMean) * (double(v) - exactMean);
    const double exactStddev = std::sqrt(sq / double(data.values.size()));
    const double meanErr = std::abs(h.mean() - exactMean) / exactMean;
    const double sdErr = std::abs(h.stddev() - exactStddev) / exactStddev;
    qInfo("%s: mean %.1f us (rel. error %.2e), stddev %.1f us (rel. error %.2e)",
          qPrintable(data.name), h.mean(), meanErr, h.stddev(), sdErr);
    QVERIFY(meanErr <= 0.001);
    QVERIFY(sdErr <= 0.001);
}

void TestLatencyHistogram::mergeEqualsWhole()
{
    for (const DataSet &data : m_sets) {
        const LatencyHistogram whole = histogramOf(data.values);
        LatencyHistogram merged;
        const size_t quarter = data.values.size() / 4;
        for (size_t part = 0; part < 4; ++part)
            merged.merge(histogramOf(data.values, part * quarter,
                                     part == 3 ? data.values.size() : (part + 1) * quarter));
        merged.merge(LatencyHistogram()); // merging nothing changes nothing
        QCOMPARE(merged.count(), whole.count());
        QCOMPARE(merged.min(), whole.min());
        QCOMPARE(merged.max(), whole.max());
        QCOMPARE(merged.mean(), whole.mean());
        for (double p = 0; p <= 100; p += 0.25)
            QCOMPARE(merged.valueAtPercentile(p), whole.valueAtPercentile(p));
        for (double p : kPercentiles)
            QCOMPARE(merged.valueAtPercentile(p), whole.valueAtPercentile(p));
        QVERIFY(merged == whole);
        QCOMPARE(merged.serialize(), whole.serialize());
    }
}

void TestLatencyHistogram::roundTrip_data()
{
    accuracy_data();
}

void TestLatencyHistogram::roundTrip()
{
    QFETCH(int, set);
    const DataSet &data = m_sets[size_t(set)];
    const LatencyHistogram h = histogramOf(data.values);
    const QByteArray blob = h.serialize();
    QString error;
    const auto back = LatencyHistogram::deserialize(blob, &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(back->count(), h.count());
    QCOMPARE(back->min(), h.min());
    QCOMPARE(back->max(), h.max());
    QCOMPARE(back->mean(), h.mean());
    QCOMPARE(back->stddev(), h.stddev());
    for (double p = 0; p <= 100; p += 0.01)
        QCOMPARE(back->valueAtPercentile(p), h.valueAtPercentile(p));
    QCOMPARE(back->serialize(), blob);
    QVERIFY(*back == h);

    // A typical per-interval histogram: one second of a few thousand requests.
    const LatencyHistogram interval = histogramOf(data.values, 0, 5000);
    qInfo("%s: serialized %lld bytes for 10^6 values (qCompress would give %lld), %lld bytes "
          "for 5000 values; in memory %lld bytes",
          qPrintable(data.name), qint64(blob.size()), qint64(qCompress(blob).size()),
          qint64(interval.serialize().size()), h.memoryBytes());
    QVERIFY(interval.serialize().size() < 8 * 1024);
}

void TestLatencyHistogram::emptyRoundTrip()
{
    const LatencyHistogram empty;
    const QByteArray blob = empty.serialize();
    qInfo("empty histogram: %lld bytes serialized", qint64(blob.size()));
    QString error;
    const auto back = LatencyHistogram::deserialize(blob, &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(back->count(), qint64(0));
    QCOMPARE(back->min(), qint64(0));
    QCOMPARE(back->max(), qint64(0));
    QCOMPARE(back->valueAtPercentile(50), qint64(0));
    QCOMPARE(back->mean(), 0.0);
    QCOMPARE(back->stddev(), 0.0);
    QVERIFY(back->percentileCurve().isEmpty());
    QCOMPARE(back->serialize(), blob);
}

void TestLatencyHistogram::rejectsEveryTruncation()
{
    LatencyHistogram h;
    for (qint64 v : {1, 5, 5, 900, 2'500, 40'000, 40'001, 7'000'000})
        h.record(v);
    h.record(5'000'000'000LL);
    const QByteArray blob = h.serialize();
    QVERIFY(LatencyHistogram::deserialize(blob));
    for (qsizetype len = 0; len < blob.size(); ++len) {
        QString error;
        QVERIFY2(!LatencyHistogram::deserialize(blob.left(len), &error),
                 qPrintable(QString::number(len)));
        QVERIFY(!error.isEmpty());
    }
    QString error;
    QVERIFY(!LatencyHistogram::deserialize(blob + QByteArray(1, '\0'), &error));
    QVERIFY2(error.contains(QLatin1String("trailing")), qPrintable(error));
}

void TestLatencyHistogram::rejectsByteFlips()
{
    LatencyHistogram small;
    for (qint64 v = 1; v < 20'000'000; v = v * 5 / 3 + 11)
        small.recordN(v, v % 7 + 1);
    const QByteArray blob = small.serialize();
    int rejected = 0;
    for (qsizetype i = 0; i < blob.size(); ++i) {
        for (int mask : {0x01, 0x10, 0x80, 0xFF}) {
            QByteArray bad = blob;
            bad[i] = char(bad[i] ^ mask);
            QString error;
            QVERIFY2(!LatencyHistogram::deserialize(bad, &error),
                     qPrintable(QStringLiteral("byte %1 mask %2").arg(i).arg(mask)));
            QVERIFY(!error.isEmpty());
            ++rejected;
        }
    }
    // A sample of flips in a large blob.
    const QByteArray big = histogramOf(m_sets[2].values).serialize();
    std::mt19937_64 rng(7);
    std::uniform_int_distribution<qsizetype> pos(0, big.size() - 1);
    std::uniform_int_distribution<int> bit(0, 7);
    for (int k = 0; k < 2000; ++k) {
        QByteArray bad = big;
        const qsizetype i = pos(rng);
        bad[i] = char(bad[i] ^ (1 << bit(rng)));
        QVERIFY2(!LatencyHistogram::deserialize(bad), qPrintable(QString::number(i)));
        ++rejected;
    }
    qInfo("%d corrupted blobs rejected", rejected);
}

void TestLatencyHistogram::rejectsWrongMagicAndVersion()
{
    LatencyHistogram h;
    h.record(1234);
    QByteArray blob = h.serialize();
    QString error;
    QByteArray bad = blob;
    bad[3] = 2;
    QVERIFY(!LatencyHistogram::deserialize(bad, &error));
    QVERIFY2(error.contains(QLatin1String("unsupported version 2")), qPrintable(error));
    bad = blob;
    bad[0] = 'X';
    QVERIFY(!LatencyHistogram::deserialize(bad, &error));
    QVERIFY2(error.contains(QLatin1String("bad magic")), qPrintable(error));
    QVERIFY(!LatencyHistogram::deserialize(QByteArray(), &error));
    QVERIFY2(error.contains(QLatin1String("truncated")), qPrintable(error));
    QVERIFY(!LatencyHistogram::deserialize(QByteArray(100'000, '\xFF'), &error));
    QVERIFY(!error.isEmpty());
}

void TestLatencyHistogram::rejectsCraftedBlobs_data()
{
    QTest::addColumn<QByteArray>("blob");
    QTest::addColumn<QString>("expected");
    const quint64 huge = quint64(1) << 62;
    QTest::newRow("varint overflow")
        << QByteArray(QByteArray("LSH\x01", 4) + QByteArray(11, '\xFF') + QByteArray(8, '\0'))
        << QStringLiteral("varint overflow");
    QTest::newRow("absurd counts length")
        << craft(1, 0, 1, 1, 1, huge, {1}) << QStringLiteral("exceeds the maximum");
    QTest::newRow("absurd payload length")
        << craft(1, 0, 1, 1, 1, 2, {-1, 1}, huge) << QStringLiteral("truncated");
    QTest::newRow("count beyond array")
        << craft(2, 0, 1, 1, 2, 2, {-1, 1, 1}) << QStringLiteral("beyond the counts array");
    QTest::newRow("zero run beyond array")
        << craft(1, 0, 2, 2, 2, 3, {-5, 1}) << QStringLiteral("beyond the counts array");
    QTest::newRow("negative-most zero run")
        << craft(1, 0, 2, 2, 2, 3, {std::numeric_limits<qint64>::min(), 1})
        << QStringLiteral("beyond the counts array");
    QTest::newRow("count overflow")
        << craft(5, 0, 1, 2, 7, 3, {-1, std::numeric_limits<qint64>::max(), 3})
        << QStringLiteral("more than the total");
    QTest::newRow("total count mismatch")
        << craft(5, 0, 2, 2, 6, 3, {-2, 3}) << QStringLiteral("total count mismatch");
    QTest::newRow("min below counts")
        << craft(3, 0, 1, 2, 6, 3, {-2, 3}) << QStringLiteral("inconsistent");
    QTest::newRow("max beyond counts")
        << craft(3, 0, 2, 9, 6, 3, {-2, 3}) << QStringLiteral("inconsistent");
    QTest::newRow("empty with max")
        << craft(0, 0, 0, 7, 0, 0, {}) << QStringLiteral("empty histogram");
    QTest::newRow("overflow without max")
        << craft(3, 1, 2, 2, 6, 3, {-2, 3}) << QStringLiteral("overflow count");
    QTest::newRow("sum out of range") << craft(3, 0, 2, 2, 99, 3, {-2, 3}) << QStringLiteral("sum");
    QTest::newRow("bad checksum") << craft(3, 0, 2, 2, 6, 3, {-2, 3})
                                  << QStringLiteral("checksum mismatch");
}

void TestLatencyHistogram::rejectsCraftedBlobs()
{
    QFETCH(QByteArray, blob);
    QFETCH(QString, expected);
    QString error;
    QVERIFY(!LatencyHistogram::deserialize(blob, &error));
    QVERIFY2(error.contains(expected), qPrintable(error));
}

void TestLatencyHistogram::copyMoveReset()
{
    const LatencyHistogram empty;
    QCOMPARE(empty.memoryBytes(), qint64(sizeof(LatencyHistogram)));
    LatencyHistogram copyOfEmpty = empty;
    QCOMPARE(copyOfEmpty.memoryBytes(), qint64(sizeof(LatencyHistogram)));

    LatencyHistogram h = histogramOf(m_sets[1].values, 0, 10'000);
    LatencyHistogram copy = h;
    QVERIFY(copy == h);
    copy.record(5);
    QVERIFY(copy != h);
    QCOMPARE(copy.count(), h.count() + 1);

    LatencyHistogram moved = std::move(copy);
    QCOMPARE(moved.count(), h.count() + 1);
    QCOMPARE(copy.count(), qint64(0)); // NOLINT(bugprone-use-after-move): documented state
    QCOMPARE(copy.valueAtPercentile(99), qint64(0));
    copy.record(77);
    QCOMPARE(copy.valueAtPercentile(50), qint64(77));

    const qint64 before = h.memoryBytes();
    h.reset();
    QCOMPARE(h.count(), qint64(0));
    QCOMPARE(h.min(), qint64(0));
    QCOMPARE(h.max(), qint64(0));
    QCOMPARE(h.memoryBytes(), before); // allocation kept for the next interval
    QVERIFY(h == LatencyHistogram());
    QCOMPARE(h.serialize(), LatencyHistogram().serialize());
    const LatencyHistogram copyOfReset = h; // copies only the used part: nothing
    QCOMPARE(copyOfReset.memoryBytes(), qint64(sizeof(LatencyHistogram)));
    h.record(3000);
    QCOMPARE(h.min(), qint64(3000));
    QCOMPARE(h.valueAtPercentile(50), qint64(3000));

    // Values up to 1 s stay well under the full array.
    const LatencyHistogram uniform = histogramOf(m_sets[0].values, 0, 1000);
    QVERIFY(uniform.memoryBytes() < qint64(LatencyHistogram::kCountsLength * sizeof(qint64)));
}

void TestLatencyHistogram::recordNAndCountBetween()
{
    LatencyHistogram a;
    LatencyHistogram b;
    for (int i = 0; i < 1000; ++i)
        a.record(12'345);
    a.record(10);
    b.recordN(12'345, 1000);
    b.recordN(10, 1);
    b.recordN(99, 0);
    b.recordN(99, -3);
    QVERIFY(a == b);
    QCOMPARE(a.serialize(), b.serialize());
    QCOMPARE(a.countBetween(1, 100), qint64(1));
    QCOMPARE(a.countBetween(11, 12'000), qint64(0));
    QCOMPARE(a.countBetween(12'345, 12'345), qint64(1000));
    QCOMPARE(a.countBetween(0, std::numeric_limits<qint64>::max()), qint64(1001));
    QCOMPARE(a.countBetween(500, 100), qint64(0));
    QCOMPARE(a.stddev() > 0, true);
    LatencyHistogram same;
    same.recordN(123'456'789, 50);
    QCOMPARE(same.stddev(), 0.0); // midpoints clamp to [min, max]
    QCOMPARE(same.valueAtPercentile(37), qint64(123'456'789));
}

void TestLatencyHistogram::percentileCurve()
{
    const LatencyHistogram h = histogramOf(m_sets[1].values);
    const auto curve = h.percentileCurve();
    QVERIFY(curve.size() > 50);
    QCOMPARE(curve.front().first, 0.0);
    QCOMPARE(curve.front().second, h.min());
    QCOMPARE(curve.back().first, 100.0);
    QCOMPARE(curve.back().second, h.max());
    for (double level : {50.0, 75.0, 87.5, 93.75}) {
        const auto it = std::find_if(curve.begin(), curve.end(),
                                     [level](const auto &pt) { return pt.first == level; });
        QVERIFY2(it != curve.end(), qPrintable(QString::number(level)));
        QCOMPARE(it->second, h.valueAtPercentile(level));
    }
    for (qsizetype i = 1; i < curve.size(); ++i) {
        QVERIFY(curve[i].first > curve[i - 1].first);
        QVERIFY(curve[i].second >= curve[i - 1].second);
        QCOMPARE(curve[i].second, h.valueAtPercentile(curve[i].first));
    }
    QVERIFY(curve[curve.size() - 2].first >= 99.9998);
    QCOMPARE(h.percentileCurve(1).size(), qsizetype(20 + 1));
}

void TestLatencyHistogram::recordRate()
{
    // Not a benchmark assertion: prints the order of magnitude only.
    std::vector<qint64> values(65536);
    std::mt19937_64 rng(3);
    std::lognormal_distribution<double> logn(std::log(20'000.0), 1.0);
    for (qint64 &v : values)
        v = std::llround(logn(rng));
    LatencyHistogram h;
    constexpr qint64 n = 10'000'000;
    QElapsedTimer timer;
    timer.start();
    for (qint64 i = 0; i < n; ++i)
        h.record(values[size_t(i & 0xFFFF)]);
    const qint64 ns = std::max<qint64>(timer.nsecsElapsed(), 1);
    qInfo("record(): %.1f million values/s (%.1f ns each)", double(n) * 1e3 / double(ns),
          double(ns) / double(n));
    QCOMPARE(h.count(), n);
}

void TestLatencyHistogram::mergeSerializedEqualsMerge()
{
    // Adding a blob straight into a histogram is the same as merging its deserialized form.
    LatencyHistogram a;
    LatencyHistogram b;
    for (qint64 v = 1; v < 30'000'000; v = v * 3 / 2 + 7)
        a.recordN(v, v % 5 + 1);
    for (qint64 v = 0; v < 2'000; v += 3)
        b.record(v);
    b.record(5'000'000'000LL); // overflow travels too
    LatencyHistogram expected = a;
    expected.merge(b);
    LatencyHistogram merged = a;
    QString error;
    QVERIFY2(merged.mergeSerialized(b.serialize(), &error), qPrintable(error));
    QCOMPARE(merged, expected);
    QCOMPARE(merged.overflowCount(), qint64(1));
    QCOMPARE(merged.valueAtPercentile(99), expected.valueAtPercentile(99));
    // Into an empty one, and an empty blob changes nothing.
    LatencyHistogram fresh;
    QVERIFY(fresh.mergeSerialized(a.serialize()));
    QCOMPARE(fresh, a);
    QVERIFY(fresh.mergeSerialized(LatencyHistogram().serialize()));
    QCOMPARE(fresh, a);
}

void TestLatencyHistogram::mergeSerializedRefusesCorruptionUnchanged()
{
    LatencyHistogram target;
    for (qint64 v = 100; v < 90'000; v += 17)
        target.record(v);
    const LatencyHistogram before = target;
    LatencyHistogram other;
    for (qint64 v = 1; v < 400'000; v = v * 2 + 1)
        other.record(v);
    QByteArray bad = other.serialize();
    bad[bad.size() / 2] = char(bad[bad.size() / 2] ^ 0x10);
    QString error;
    QVERIFY(!target.mergeSerialized(bad, &error));
    QVERIFY2(error.startsWith(QLatin1String("latency histogram: ")), qPrintable(error));
    QCOMPARE(target, before);
    QVERIFY(!target.mergeSerialized(QByteArrayLiteral("nonsense"), &error));
    QCOMPARE(target, before);
}

LOADSCOPE_TEST_MAIN(TestLatencyHistogram)
#include "tst_latencyhistogram.moc"
