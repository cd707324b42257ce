#include <QJsonObject>
#include <QTemporaryDir>

#include "metrics/timelinespill.h"
#include "testmain.h"

using namespace loadscope;

namespace {

IntervalSample sampleNumber(int i)
{
    IntervalSample s;
    s.index = i;
    s.tSec = 0.1 * (i + 1) + 1e-9;
    s.intervalSec = 0.1;
    s.activeVus = 3 + i;
    s.plannedTarget = 2.5 * i;
    s.overall.totals.requests = 100 + i;
    s.overall.totals.errors = i;
    s.overall.totals.bytesIn = qint64(1) << 40;
    s.overall.totals.errorsByClass[size_t(ErrorClass::Timeout)] = i;
    s.overall.totals.protocols = 3;
    s.overall.latency.p95Ms = 12.345678901 + i;
    s.overall.latencyCorrected.maxMs = 99.5;
    EndpointSample endpoint;
    endpoint.name = QStringLiteral("get /é%1").arg(i);
    endpoint.totals.checksFailed = 7;
    endpoint.latency.count = 100 + i;
    endpoint.histograms.insert(QStringLiteral("duration"), QByteArray("\x00\x01\xff", 3));
    s.endpoints = {endpoint, endpoint};
    LatencyStats db;
    db.meanMs = 1.25;
    s.serverTiming.insert(QStringLiteral("db"), db);
    s.timingMeansMs.insert(QStringLiteral("waiting"), 4.5);
    s.resources = QJsonObject{{QStringLiteral("generatorCpuPct"), 12.5},
                              {QStringLiteral("note"), QStringLiteral("x")}};
    return s;
}

void compareSamples(const IntervalSample &a, const IntervalSample &b)
{
    QCOMPARE(a.index, b.index);
    QCOMPARE(a.tSec, b.tSec);
    QCOMPARE(a.intervalSec, b.intervalSec);
    QCOMPARE(a.activeVus, b.activeVus);
    QCOMPARE(a.plannedTarget, b.plannedTarget);
    QCOMPARE(a.overall.totals.requests, b.overall.totals.requests);
    QCOMPARE(a.overall.totals.bytesIn, b.overall.totals.bytesIn);
    QCOMPARE(a.overall.totals.errorsByClass, b.overall.totals.errorsByClass);
    QCOMPARE(a.overall.totals.protocols, b.overall.totals.protocols);
    QCOMPARE(a.overall.latency.p95Ms, b.overall.latency.p95Ms);
    QCOMPARE(a.overall.latencyCorrected.maxMs, b.overall.latencyCorrected.maxMs);
    QCOMPARE(a.endpoints.size(), b.endpoints.size());
    for (int e = 0; e < a.endpoints.size(); ++e) {
        QCOMPARE(a.endpoints[e].name, b.endpoints[e].name);
        QCOMPARE(a.endpoints[e].totals.checksFailed, b.endpoints[e].totals.checksFailed);
        QCOMPARE(a.endpoints[e].latency.count, b.endpoints[e].latency.count);
        QCOMPARE(a.endpoints[e].histograms, b.endpoints[e].histograms);
    }
    QCOMPARE(a.serverTiming.value(QStringLiteral("db")).meanMs, 1.25);
    QCOMPARE(a.serverTiming.size(), b.serverTiming.size());
    QCOMPARE(a.timingMeansMs, b.timingMeansMs);
    QCOMPARE(a.resources, b.resources);
}

} // namespace

class TestTimelineSpill final : public QObject
{
    Q_OBJECT

private slots:
    void everyFieldReadBackInOrder()
    {
        TimelineSpill spill;
        QString error;
        QList<IntervalSample> written;
        for (int batch = 0; batch < 3; ++batch) {
            QList<IntervalSample> samples;
            for (int i = 0; i < 4; ++i)
                samples.append(sampleNumber(batch * 4 + i));
            QVERIFY2(spill.append(samples, &error), qPrintable(error));
            written += samples;
        }
        QCOMPARE(spill.count(), 12);
        QList<IntervalSample> read;
        QVERIFY2(spill.takeAll(&read, &error), qPrintable(error));
        QCOMPARE(read.size(), written.size());
        for (int i = 0; i < read.size(); ++i)
            compareSamples(read[i], written[i]);
        // Taken once: the file is gone and the spill is empty for the next run.
        QCOMPARE(spill.count(), 0);
        QVERIFY(spill.takeAll(&read, &error));
        QVERIFY(read.isEmpty());
    }

    // A temporary directory where no file can be created (/proc, even for root; as a full or
    // read-only disk would be): the spill says so and takes nothing, so the engine keeps the
    // intervals in memory.
    void unwritableTempDirKeepsNothingAndSaysWhy()
    {
        const QByteArray oldTmp = qgetenv("TMPDIR");
        qputenv("TMPDIR", "/proc");
        TimelineSpill spill;
        QString error;
        const bool ok = spill.append({sampleNumber(0)}, &error);
        if (oldTmp.isEmpty())
            qunsetenv("TMPDIR");
        else
            qputenv("TMPDIR", oldTmp);
        QVERIFY(!ok);
        QVERIFY2(error.contains(QLatin1String("/proc")), qPrintable(error));
        QCOMPARE(spill.count(), 0);
        QList<IntervalSample> read;
        QVERIFY(spill.takeAll(&read, &error));
        QVERIFY(read.isEmpty());
    }
};

LOADSCOPE_TEST_MAIN(TestTimelineSpill)
#include "tst_timelinespill.moc"
