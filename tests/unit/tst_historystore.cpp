#include <cstdio>
#include <cstdlib>
#include <memory>
#include <signal.h>

#include <QEventLoop>
#include <QProcess>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include "store/historystore.h"
#include "testmain.h"
#include "util/threadhandle.h"

using namespace loadscope;

namespace loadscope {
bool operator==(const ResultSample &a, const ResultSample &b)
{
    return a.tSec == b.tSec && a.endpoint == b.endpoint && a.requests == b.requests &&
           a.errors == b.errors && a.bytesIn == b.bytesIn && a.bytesOut == b.bytesOut &&
           a.activeVus == b.activeVus && a.rps == b.rps && a.meanMs == b.meanMs &&
           a.p50Ms == b.p50Ms && a.p90Ms == b.p90Ms && a.p95Ms == b.p95Ms && a.p99Ms == b.p99Ms &&
           a.p999Ms == b.p999Ms && a.maxMs == b.maxMs && a.data == b.data;
}
} // namespace loadscope

namespace {

// Set in the child process of killedWriterLeavesAbortedResult(): the database to write to.
const char childVariable[] = "LOADSCOPE_STORE_CHILD";

ResultSample makeSample(double t, const QString &endpoint, qint64 n)
{
    ResultSample s;
    s.tSec = t;
    s.endpoint = endpoint;
    s.requests = n;
    s.errors = n / 10;
    s.bytesIn = n * 100;
    s.bytesOut = n * 50;
    s.activeVus = static_cast<int>(n % 7);
    s.rps = n * 1.5;
    s.meanMs = 2.25;
    s.p50Ms = 2.0;
    s.p90Ms = 3.5;
    s.p95Ms = 4.0;
    s.p99Ms = 7.75;
    s.p999Ms = 11.0;
    s.maxMs = 12.5;
    return s;
}

StoredTest makeTest(const QString &name, const QString &type)
{
    StoredTest test;
    test.name = name;
    test.testType = type;
    test.plan =
        QJsonObject{{QStringLiteral("name"), name},
                    {QStringLiteral("duration"), 30},
                    {QStringLiteral("endpoints"), QJsonArray{QStringLiteral("/api/health")}}};
    return test;
}

QList<qint64> idsOf(const QList<ResultRecord> &records)
{
    QList<qint64> ids;
    for (const ResultRecord &r : records)
        ids << r.id;
    return ids;
}

// Stored times have millisecond resolution; filters and ordering need distinct start times.
void waitForNextMillisecond()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    while (QDateTime::currentDateTimeUtc() <= now)
        QThread::yieldCurrentThread();
}

// The child of killedWriterLeavesAbortedResult(): one committed sample every 50 ms until it
// is killed; each "committed N" line is printed only after flush() returned.
[[noreturn]] void runChild(const QString &path)
{
    HistoryStore store;
    QString error;
    if (!store.open(path, &error)) {
        std::fprintf(stderr, "child: %s\n", qPrintable(error));
        std::_Exit(3);
    }
    const qint64 testId =
        store.saveTest(makeTest(QStringLiteral("killed"), QStringLiteral("LOAD_TEST")));
    const qint64 resultId = store.startResult(testId, {}, QStringLiteral("child"));
    std::printf("result %lld\n", static_cast<long long>(resultId));
    std::fflush(stdout);
    int n = 0;
    QTimer timer;
    timer.setInterval(50);
    QObject::connect(&timer, &QTimer::timeout, &store, [&] {
        ++n;
        store.appendSamples(resultId, {makeSample(n * 0.05, QString(), n)});
        if (!store.flush())
            std::_Exit(4);
        std::printf("committed %d\n", n);
        std::fflush(stdout);
        if (n >= 2000) // the parent gave up long ago
            std::_Exit(5);
    });
    timer.start();
    QEventLoop loop;
    loop.exec();
    std::_Exit(6);
}

} // namespace

class TestHistoryStore : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void threadHandle();
    void defaultPath();
    void testsRoundTrip();
    void resultsRoundTrip();
    void samplesRoundTrip();
    void histogramsRoundTrip();
    void recommendationsRoundTrip();
    void resultFilters();
    void baselineAndPrevious();
    void deleteCascades();
    void samplesFromAnotherThread();
    void destructorFlushes();
    void writeFailedKeepsCommittedWrites();
    void lockedDatabaseFailsTheBatch();
    void abandonedRunsAreAborted();
    void killedWriterLeavesAbortedResult();

private:
    QString dbPath(const char *name) const
    {
        return m_dir.filePath(QLatin1String(name) + QStringLiteral(".db"));
    }
    QTemporaryDir m_dir;
};

void TestHistoryStore::initTestCase()
{
    if (qEnvironmentVariableIsSet(childVariable))
        runChild(qEnvironmentVariable(childVariable));
    QVERIFY(m_dir.isValid());
}

void TestHistoryStore::threadHandle()
{
    QPointer<QThread> observed;
    {
        ThreadHandle thread = makeThread(QStringLiteral("loadscope-test-thread"));
        QCOMPARE(thread->objectName(), QStringLiteral("loadscope-test-thread"));
        thread->start();
        QVERIFY(thread->isRunning());
        observed = thread.get();
    }
    QVERIFY(observed.isNull()); // the handle quit, joined and deleted it
}

void TestHistoryStore::defaultPath()
{
    QStandardPaths::setTestModeEnabled(true);
    const QByteArray saved = qgetenv("LOADSCOPE_DB");
    qputenv("LOADSCOPE_DB", QFile::encodeName(dbPath("fromenv")));
    QCOMPARE(HistoryStore::defaultPath(), dbPath("fromenv"));
    qputenv("LOADSCOPE_DB", "");
    const QString fallback = HistoryStore::defaultPath();
    qputenv("LOADSCOPE_DB", saved);
    QVERIFY2(fallback.endsWith(QStringLiteral("/loadscope.db")), qPrintable(fallback));
    QVERIFY(QFileInfo(fallback).absoluteDir().exists());
}

void TestHistoryStore::testsRoundTrip()
{
    HistoryStore store;
    QCOMPARE(store.saveTest(makeTest(QStringLiteral("x"), QStringLiteral("LOAD_TEST"))), -1);
    QVERIFY(store.lastError().contains(QStringLiteral("not open")));

    QString error;
    QVERIFY2(store.open(dbPath("tests"), &error), qPrintable(error));
    QVERIFY(store.isOpen());
    QVERIFY(store.listTests().isEmpty());

    StoredTest checkout = makeTest(QStringLiteral("Checkout"), QStringLiteral("LOAD_TEST"));
    checkout.id = store.saveTest(checkout);
    QVERIFY(checkout.id > 0);
    const qint64 healthId =
        store.saveTest(makeTest(QStringLiteral("Health"), QStringLiteral("API_LATENCY")));
    QVERIFY(healthId > checkout.id);

    const auto loaded = store.test(checkout.id);
    QVERIFY(loaded);
    QCOMPARE(loaded->name, QStringLiteral("Checkout"));
    QCOMPARE(loaded->testType, QStringLiteral("LOAD_TEST"));
    QCOMPARE(loaded->plan, checkout.plan);
    QVERIFY(loaded->createdAt.isValid());
    QCOMPARE(loaded->updatedAt, loaded->createdAt);
    QCOMPARE(loaded->baselineResultId, 0);

    StoredTest edited = *loaded;
    edited.plan[QStringLiteral("duration")] = 60;
    edited.testType = QStringLiteral("STRESS_TEST");
    waitForNextMillisecond();
    QCOMPARE(store.saveTest(edited), checkout.id);
    const auto updated = store.test(checkout.id);
    QVERIFY(updated);
    QCOMPARE(updated->plan.value(QStringLiteral("duration")).toInt(), 60);
    QCOMPARE(updated->testType, QStringLiteral("STRESS_TEST"));
    QCOMPARE(updated->createdAt, loaded->createdAt);
    QVERIFY(updated->updatedAt > loaded->updatedAt);

    const QList<StoredTest> all = store.listTests();
    QCOMPARE(all.size(), 2);
    QCOMPARE(all.at(0).name, QStringLiteral("Checkout"));
    QCOMPARE(all.at(1).id, healthId);

    QCOMPARE(store.findTestByName(QStringLiteral("Health"))->id, healthId);
    QVERIFY(!store.findTestByName(QStringLiteral("health")));
    QVERIFY(!store.test(4242));

    StoredTest missing = makeTest(QStringLiteral("ghost"), QStringLiteral("LOAD_TEST"));
    missing.id = 4242;
    QCOMPARE(store.saveTest(missing), -1);
    QVERIFY2(store.lastError().contains(QStringLiteral("4242")), qPrintable(store.lastError()));

    QVERIFY(store.deleteTest(healthId));
    QVERIFY(!store.test(healthId));
    QVERIFY(!store.deleteTest(healthId));
    QCOMPARE(store.listTests().size(), 1);
}

void TestHistoryStore::resultsRoundTrip()
{
    HistoryStore store;
    QVERIFY(store.open(dbPath("results")));
    const qint64 testId =
        store.saveTest(makeTest(QStringLiteral("Run"), QStringLiteral("LOAD_TEST")));
    const QJsonObject plan{{QStringLiteral("vus"), 5}};
    const qint64 id = store.startResult(testId, plan, QStringLiteral("v1.4.2"));
    QVERIFY(id > 0);
    QCOMPARE(store.startResult(9999, plan, QString()), -1);
    QVERIFY2(store.lastError().contains(QStringLiteral("FOREIGN KEY")),
             qPrintable(store.lastError()));

    auto running = store.result(id);
    QVERIFY(running);
    QCOMPARE(running->testId, testId);
    QCOMPARE(running->testName, QStringLiteral("Run"));
    QCOMPARE(running->testType, QStringLiteral("LOAD_TEST"));
    QCOMPARE(running->status, ResultStatus::Running);
    QCOMPARE(running->versionLabel, QStringLiteral("v1.4.2"));
    QCOMPARE(running->plan, plan);
    QVERIFY(running->startedAt.isValid());
    QVERIFY(!running->endedAt.isValid());

    const QJsonObject summary{
        {QStringLiteral("requests"), 1234},
        {QStringLiteral("latencyMs"), QJsonObject{{QStringLiteral("p95"), 12.5}}}};
    store.finishResult(id, ResultStatus::Failed, summary, QStringLiteral("target unreachable"));
    QVERIFY(store.flush());
    const auto finished = store.result(id);
    QVERIFY(finished);
    QCOMPARE(finished->status, ResultStatus::Failed);
    QCOMPARE(finished->summary, summary);
    QCOMPARE(finished->errorDetails, QStringLiteral("target unreachable"));
    QVERIFY(finished->endedAt >= finished->startedAt);
    QVERIFY(!store.result(id + 100));

    for (auto status : {ResultStatus::Running, ResultStatus::Completed, ResultStatus::Failed,
                        ResultStatus::Aborted}) {
        QCOMPARE(resultStatusFromString(resultStatusToString(status)), status);
    }
    QVERIFY(!resultStatusFromString(QStringLiteral("done")));
}

void TestHistoryStore::samplesRoundTrip()
{
    HistoryStore store;
    QVERIFY(store.open(dbPath("samples")));
    const qint64 testId =
        store.saveTest(makeTest(QStringLiteral("S"), QStringLiteral("LOAD_TEST")));
    const qint64 id = store.startResult(testId, {}, QString());
    QList<ResultSample> written;
    for (int i = 1; i <= 3; ++i) {
        ResultSample overall = makeSample(i, QString(), i); // null endpoint = overall
        overall.data = QJsonObject{
            {QStringLiteral("errorsByClass"), QJsonObject{{QStringLiteral("timeout"), i}}},
            {QStringLiteral("serverTiming"), QJsonObject{{QStringLiteral("inference"), 3.25}}}};
        written << overall << makeSample(i, QStringLiteral("GET /api/health"), i * 10);
    }
    store.appendSamples(id, written.mid(0, 2));
    store.appendSamples(id, written.mid(2));
    QVERIFY(store.flush());

    const QList<ResultSample> all = store.samples(id);
    QCOMPARE(all.size(), 6);
    const QList<ResultSample> overall = store.samples(id, QStringLiteral(""));
    QCOMPARE(overall.size(), 3);
    for (int i = 0; i < 3; ++i) {
        QVERIFY(overall.at(i).endpoint.isEmpty());
        ResultSample expected = written.at(2 * i);
        expected.endpoint = QStringLiteral("");
        QVERIFY2(overall.at(i) == expected, qPrintable(QString::number(i)));
        QCOMPARE(overall.at(i).data.value(QStringLiteral("serverTiming")).toObject(),
                 expected.data.value(QStringLiteral("serverTiming")).toObject());
    }
    const QList<ResultSample> health = store.samples(id, QStringLiteral("GET /api/health"));
    QCOMPARE(health.size(), 3);
    QVERIFY(health.at(2) == written.at(5));
    QVERIFY(health.at(2).data.isEmpty());
    QVERIFY(store.samples(id, QStringLiteral("GET /other")).isEmpty());
    QVERIFY(store.samples(id + 1).isEmpty());
}

void TestHistoryStore::histogramsRoundTrip()
{
    HistoryStore store;
    QVERIFY(store.open(dbPath("histograms")));
    const qint64 testId =
        store.saveTest(makeTest(QStringLiteral("H"), QStringLiteral("LOAD_TEST")));
    const qint64 id = store.startResult(testId, {}, QString());
    QByteArray binary(256, '\0');
    for (int i = 0; i < binary.size(); ++i)
        binary[i] = static_cast<char>(i);
    store.storeHistogram(id, QString(), QStringLiteral("duration"), QByteArrayLiteral("first"));
    store.storeHistogram(id, QString(), QStringLiteral("duration"), binary); // replaces
    store.storeHistogram(id, QStringLiteral("GET /a"), QStringLiteral("server_timing:inference"),
                         QByteArrayLiteral("inference"));
    QVERIFY(store.flush());

    QCOMPARE(store.histogram(id, QString(), QStringLiteral("duration")), binary);
    QCOMPARE(store.histogram(id, QStringLiteral(""), QStringLiteral("duration")), binary);
    QCOMPARE(
        store.histogram(id, QStringLiteral("GET /a"), QStringLiteral("server_timing:inference")),
        QByteArrayLiteral("inference"));
    QVERIFY(store.histogram(id, QStringLiteral("GET /a"), QStringLiteral("duration")).isEmpty());
    const QStringList keys = store.histogramKeys(id);
    QCOMPARE(keys,
             QStringList({HistoryStore::histogramKey(QString(), QStringLiteral("duration")),
                          HistoryStore::histogramKey(QStringLiteral("GET /a"),
                                                     QStringLiteral("server_timing:inference"))}));
    const auto split = HistoryStore::splitHistogramKey(keys.at(1));
    QCOMPARE(split.first, QStringLiteral("GET /a"));
    QCOMPARE(split.second, QStringLiteral("server_timing:inference"));
}

void TestHistoryStore::recommendationsRoundTrip()
{
    HistoryStore store;
    QVERIFY(store.open(dbPath("recommendations")));
    const qint64 testId =
        store.saveTest(makeTest(QStringLiteral("R"), QStringLiteral("STRESS_TEST")));
    const qint64 id = store.startResult(testId, {}, QString());
    Recommendation saturation;
    saturation.area = QStringLiteral("capacity");
    saturation.impact = QStringLiteral("high");
    saturation.title = QStringLiteral("Throughput plateaus at 840 rps");
    saturation.detail = QStringLiteral("p95 climbs from 12 ms to 95 ms past 60 VUs");
    saturation.implementation = QStringLiteral("Add workers");
    saturation.estimatedImprovement = QStringLiteral("~2x throughput");
    saturation.evidence = QJsonObject{{QStringLiteral("kneeVus"), 60}};
    Recommendation tail = saturation;
    tail.area = QStringLiteral("latency");
    tail.impact = QStringLiteral("medium");
    tail.evidence = {};
    store.addRecommendations(id, {saturation, tail});
    QVERIFY(store.flush());

    const QList<Recommendation> loaded = store.recommendations(id);
    QCOMPARE(loaded.size(), 2);
    QVERIFY(loaded.at(0).id > 0);
    QCOMPARE(loaded.at(0).area, saturation.area);
    QCOMPARE(loaded.at(0).impact, saturation.impact);
    QCOMPARE(loaded.at(0).title, saturation.title);
    QCOMPARE(loaded.at(0).detail, saturation.detail);
    QCOMPARE(loaded.at(0).implementation, saturation.implementation);
    QCOMPARE(loaded.at(0).estimatedImprovement, saturation.estimatedImprovement);
    QCOMPARE(loaded.at(0).evidence, saturation.evidence);
    QCOMPARE(loaded.at(1).area, QStringLiteral("latency"));
    QVERIFY(loaded.at(1).evidence.isEmpty());
    QVERIFY(store.recommendations(id + 1).isEmpty());
}

void TestHistoryStore::resultFilters()
{
    HistoryStore store;
    QVERIFY(store.open(dbPath("filters")));
    const qint64 a =
        store.saveTest(makeTest(QStringLiteral("Checkout Flow"), QStringLiteral("LOAD_TEST")));
    const qint64 b =
        store.saveTest(makeTest(QStringLiteral("Health 100%_"), QStringLiteral("API_LATENCY")));
    auto start = [&](qint64 testId, const char *label) {
        waitForNextMillisecond();
        return store.startResult(testId, {}, QLatin1String(label));
    };
    const qint64 r1 = start(a, "v1");
    const qint64 r2 = start(a, "v2");
    const qint64 r3 = start(b, "v1");
    const qint64 r4 = start(b, "v2");
    store.finishResult(r1, ResultStatus::Completed, {});
    store.finishResult(r2, ResultStatus::Failed, {}, QStringLiteral("boom"));
    store.finishResult(r3, ResultStatus::Completed, {});
    QVERIFY(store.flush());

    auto query = [&](auto configure) {
        ResultFilter filter;
        configure(filter);
        return idsOf(store.listResults(filter));
    };
    using L = QList<qint64>;
    QCOMPARE(idsOf(store.listResults()), L({r4, r3, r2, r1}));
    QCOMPARE(query([&](ResultFilter &f) { f.testId = a; }), L({r2, r1}));
    QCOMPARE(query([&](ResultFilter &f) { f.testId = 777; }), L());
    QCOMPARE(query([](ResultFilter &f) { f.testType = QStringLiteral("API_LATENCY"); }),
             L({r4, r3}));
    QCOMPARE(query([](ResultFilter &f) { f.status = QStringLiteral("completed"); }), L({r3, r1}));
    QCOMPARE(query([](ResultFilter &f) { f.status = QStringLiteral("running"); }), L({r4}));
    QCOMPARE(query([](ResultFilter &f) { f.versionLabel = QStringLiteral("v2"); }), L({r4, r2}));
    QCOMPARE(query([](ResultFilter &f) { f.text = QStringLiteral("checkout"); }), L({r2, r1}));
    QCOMPARE(query([](ResultFilter &f) { f.text = QStringLiteral("100%_"); }), L({r4, r3}));
    QCOMPARE(query([](ResultFilter &f) { f.text = QStringLiteral("%"); }), L({r4, r3}));
    QCOMPARE(query([](ResultFilter &f) { f.limit = 2; }), L({r4, r3}));
    QCOMPARE(query([&](ResultFilter &f) {
                 f.testId = a;
                 f.status = QStringLiteral("failed");
             }),
             L({r2}));

    const QDateTime t2 = store.result(r2)->startedAt;
    const QDateTime t3 = store.result(r3)->startedAt;
    QCOMPARE(query([&](ResultFilter &f) {
                 f.from = t2;
                 f.to = t3;
             }),
             L({r3, r2}));
    QCOMPARE(query([&](ResultFilter &f) { f.from = t3; }), L({r4, r3}));
    QCOMPARE(query([&](ResultFilter &f) { f.to = t2.toLocalTime(); }), L({r2, r1}));
    const QDateTime t1 = store.result(r1)->startedAt;
    const QDateTime t4 = store.result(r4)->startedAt;
    QCOMPARE(query([&](ResultFilter &f) { f.to = t1.addMSecs(-1); }), L());
    QCOMPARE(query([&](ResultFilter &f) { f.from = t4.addMSecs(1); }), L());
}

void TestHistoryStore::baselineAndPrevious()
{
    HistoryStore store;
    QVERIFY(store.open(dbPath("baseline")));
    const qint64 a = store.saveTest(makeTest(QStringLiteral("A"), QStringLiteral("LOAD_TEST")));
    const qint64 b = store.saveTest(makeTest(QStringLiteral("B"), QStringLiteral("LOAD_TEST")));
    QList<qint64> ids;
    for (int i = 0; i < 4; ++i) {
        waitForNextMillisecond();
        ids << store.startResult(a, {}, QString());
    }
    const qint64 other = store.startResult(b, {}, QString());
    store.finishResult(ids[0], ResultStatus::Completed, {});
    store.finishResult(ids[1], ResultStatus::Failed, {});
    store.finishResult(ids[2], ResultStatus::Completed, {});
    store.finishResult(other, ResultStatus::Completed, {});
    QVERIFY(store.flush());

    QCOMPARE(store.previousCompletedResult(a, ids[3])->id, ids[2]);
    QCOMPARE(store.previousCompletedResult(a, ids[2])->id, ids[0]);
    QVERIFY(!store.previousCompletedResult(a, ids[0]));
    QCOMPARE(store.previousCompletedResult(a, 0)->id, ids[2]);
    QCOMPARE(store.previousCompletedResult(b, 0)->id, other);

    QVERIFY(store.setBaseline(a, ids[0]));
    QCOMPARE(store.test(a)->baselineResultId, ids[0]);
    QVERIFY(!store.setBaseline(a, other)); // a result of another test
    QVERIFY2(store.lastError().contains(QString::number(other)), qPrintable(store.lastError()));
    QCOMPARE(store.test(a)->baselineResultId, ids[0]);
    QVERIFY(store.setBaseline(a, 0));
    QCOMPARE(store.test(a)->baselineResultId, 0);
    QVERIFY(!store.setBaseline(12345, 0));

    // Deleting the pinned result clears the pin rather than leaving a dangling id.
    QVERIFY(store.setBaseline(a, ids[2]));
    QVERIFY(store.deleteResult(ids[2]));
    QCOMPARE(store.test(a)->baselineResultId, 0);
    QVERIFY(!store.deleteResult(ids[2]));
    QCOMPARE(store.previousCompletedResult(a, ids[3])->id, ids[0]);
}

void TestHistoryStore::deleteCascades()
{
    HistoryStore store;
    QVERIFY(store.open(dbPath("cascade")));
    const qint64 doomed =
        store.saveTest(makeTest(QStringLiteral("Doomed"), QStringLiteral("LOAD_TEST")));
    const qint64 kept =
        store.saveTest(makeTest(QStringLiteral("Kept"), QStringLiteral("LOAD_TEST")));
    Recommendation rec;
    rec.area = QStringLiteral("errors");
    rec.impact = QStringLiteral("critical");
    rec.title = QStringLiteral("t");
    QList<qint64> results;
    for (qint64 testId : {doomed, doomed, kept}) {
        const qint64 id = store.startResult(testId, {}, QString());
        store.appendSamples(id,
                            {makeSample(1, QString(), 1), makeSample(1, QStringLiteral("e"), 1)});
        store.storeHistogram(id, QString(), QStringLiteral("duration"), QByteArrayLiteral("h"));
        store.addRecommendations(id, {rec});
        results << id;
    }
    QVERIFY(store.flush());
    QVERIFY(store.setBaseline(doomed, results[1]));

    QVERIFY(store.deleteTest(doomed));
    QVERIFY(!store.test(doomed));
    for (qint64 id : {results[0], results[1]}) {
        QVERIFY(!store.result(id));
        QVERIFY(store.samples(id).isEmpty());
        QVERIFY(store.histogramKeys(id).isEmpty());
        QVERIFY(store.recommendations(id).isEmpty());
    }
    QVERIFY(store.result(results[2]));
    QCOMPARE(store.samples(results[2]).size(), 2);
    QCOMPARE(store.histogramKeys(results[2]).size(), 1);
    QCOMPARE(store.recommendations(results[2]).size(), 1);

    QVERIFY(store.deleteResult(results[2]));
    QVERIFY(store.samples(results[2]).isEmpty());
    QVERIFY(store.histogram(results[2], QString(), QStringLiteral("duration")).isEmpty());
    QVERIFY(store.recommendations(results[2]).isEmpty());
    QVERIFY(store.test(kept));
}

void TestHistoryStore::samplesFromAnotherThread()
{
    HistoryStore store;
    QVERIFY(store.open(dbPath("threads")));
    const qint64 testId =
        store.saveTest(makeTest(QStringLiteral("T"), QStringLiteral("LOAD_TEST")));
    const qint64 id = store.startResult(testId, {}, QString());
    constexpr int count = 600;
    std::unique_ptr<QThread> producer(QThread::create([&store, id] {
        for (int i = 0; i < count; ++i) {
            store.appendSamples(id, {makeSample(i * 0.5, QString(), i),
                                     makeSample(i * 0.5, QStringLiteral("GET /a"), i)});
        }
    }));
    producer->start();
    QVERIFY(producer->wait(60000));
    QVERIFY(store.flush());

    const QList<ResultSample> overall = store.samples(id, QStringLiteral(""));
    QCOMPARE(overall.size(), count);
    for (int i = 0; i < count; ++i) {
        QCOMPARE(overall.at(i).requests, i);
        QCOMPARE(overall.at(i).tSec, i * 0.5);
    }
    QCOMPARE(store.samples(id).size(), 2 * count);
}

void TestHistoryStore::destructorFlushes()
{
    qint64 id = 0;
    {
        HistoryStore store;
        QVERIFY(store.open(dbPath("destructor")));
        const qint64 testId =
            store.saveTest(makeTest(QStringLiteral("D"), QStringLiteral("LOAD_TEST")));
        id = store.startResult(testId, {}, QString());
        for (int i = 0; i < 50; ++i)
            store.appendSamples(id, {makeSample(i, QString(), i)});
        store.finishResult(id, ResultStatus::Completed, {{QStringLiteral("ok"), true}});
    } // no flush(): the destructor must commit what was queued
    HistoryStore reopened;
    QVERIFY(reopened.open(dbPath("destructor")));
    QCOMPARE(reopened.samples(id).size(), 50);
    QCOMPARE(reopened.result(id)->status, ResultStatus::Completed);
}

void TestHistoryStore::writeFailedKeepsCommittedWrites()
{
    HistoryStore store;
    QVERIFY(store.open(dbPath("failures")));
    QSignalSpy failures(&store, &HistoryStore::writeFailed);
    const qint64 testId =
        store.saveTest(makeTest(QStringLiteral("F"), QStringLiteral("LOAD_TEST")));
    const qint64 id = store.startResult(testId, {}, QString());
    store.appendSamples(id, {makeSample(1, QString(), 1)});
    QVERIFY(store.flush());

    store.appendSamples(id, {makeSample(2, QString(), 2)});
    store.appendSamples(999999, {makeSample(2, QString(), 2)}); // no such result
    store.finishResult(888888, ResultStatus::Completed, {});
    Recommendation bad;
    bad.area = QStringLiteral("x");
    bad.impact = QStringLiteral("enormous"); // violates the CHECK constraint
    bad.title = QStringLiteral("x");
    store.addRecommendations(id, {bad});
    store.appendSamples(id, {makeSample(3, QString(), 3)});
    QVERIFY(store.flush());

    QTRY_COMPARE(failures.count(), 3);
    const QString fk = failures.at(0).at(0).toString();
    QVERIFY2(fk.contains(QStringLiteral("999999")) && fk.contains(QStringLiteral("FOREIGN KEY")),
             qPrintable(fk));
    const QString missing = failures.at(1).at(0).toString();
    QVERIFY2(missing.contains(QStringLiteral("Finishing result 888888")), qPrintable(missing));
    const QString check = failures.at(2).at(0).toString();
    QVERIFY2(check.contains(QStringLiteral("Adding 1 recommendation")) &&
                 check.contains(QStringLiteral("CHECK")),
             qPrintable(check));
    QCOMPARE(store.lastError(), check);

    // The good writes around the failures, in the same batch, were committed.
    const QList<ResultSample> kept = store.samples(id);
    QCOMPARE(kept.size(), 3);
    QCOMPARE(kept.at(2).requests, 3);
    QVERIFY(store.recommendations(id).isEmpty());
    QCOMPARE(store.result(id)->status, ResultStatus::Running);
}

void TestHistoryStore::lockedDatabaseFailsTheBatch()
{
    // Another process holding the write lock past busy_timeout (5 s) makes a whole batch
    // fail: it is reported, earlier commits stay, and the writer carries on afterwards.
    const QString path = dbPath("locked");
    HistoryStore store;
    QVERIFY(store.open(path));
    QSignalSpy failures(&store, &HistoryStore::writeFailed);
    const qint64 testId =
        store.saveTest(makeTest(QStringLiteral("L"), QStringLiteral("LOAD_TEST")));
    const qint64 id = store.startResult(testId, {}, QString());
    store.appendSamples(id, {makeSample(1, QString(), 1)});
    QVERIFY(store.flush());

    const QString name = QStringLiteral("locked-raw");
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery lock(db);
        QVERIFY(lock.exec(QStringLiteral("BEGIN IMMEDIATE")));
        store.appendSamples(id, {makeSample(2, QString(), 2)});
        QVERIFY(store.flush());
        QVERIFY(lock.exec(QStringLiteral("ROLLBACK")));
    }
    QSqlDatabase::removeDatabase(name);

    QTRY_COMPARE(failures.count(), 1);
    const QString message = failures.at(0).at(0).toString();
    QVERIFY2(message.contains(QStringLiteral("Appending 1 sample(s) to result")) &&
                 message.contains(QStringLiteral("database is locked")) && message.contains(path),
             qPrintable(message));
    QCOMPARE(store.samples(id).size(), 1);

    store.appendSamples(id, {makeSample(3, QString(), 3)});
    QVERIFY(store.flush());
    QCOMPARE(store.samples(id).size(), 2);
    QCOMPARE(failures.count(), 1);
}

void TestHistoryStore::abandonedRunsAreAborted()
{
    const QString path = dbPath("abandoned");
    qint64 live = 0;
    qint64 dead = 0;
    HistoryStore first;
    QVERIFY(first.open(path));
    const qint64 testId =
        first.saveTest(makeTest(QStringLiteral("A"), QStringLiteral("LOAD_TEST")));
    live = first.startResult(testId, {}, QString());
    dead = first.startResult(testId, {}, QString());

    // A pid that surely ended: a process this test started and reaped.
    QProcess finished;
    finished.start(QCoreApplication::applicationFilePath(), {QStringLiteral("-functions")});
    QVERIFY(finished.waitForFinished(30000));
    const qint64 deadPid = finished.processId() > 0 ? finished.processId() : 0;
    {
        const QString name = QStringLiteral("abandoned-raw");
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("PRAGMA busy_timeout = 5000")));
            QVERIFY(q.prepare(
                QStringLiteral("UPDATE performance_test_results SET pid = ? WHERE id = ?")));
            q.addBindValue(deadPid > 0 ? deadPid : 2147483646);
            q.addBindValue(dead);
            QVERIFY(q.exec());
        }
        QSqlDatabase::removeDatabase(name);
    }

    HistoryStore second;
    QVERIFY(second.open(path));
    QCOMPARE(second.result(live)->status, ResultStatus::Running); // this process is alive
    const auto aborted = second.result(dead);
    QCOMPARE(aborted->status, ResultStatus::Aborted);
    QCOMPARE(aborted->errorDetails,
             QStringLiteral("the process running this test ended before it finished"
                            " (no sample was recorded)"));
    QVERIFY(aborted->endedAt.isValid());
}

void TestHistoryStore::killedWriterLeavesAbortedResult()
{
    const QString path = dbPath("killed");
    QProcess child;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QLatin1String(childVariable), path);
    child.setProcessEnvironment(environment);
    // initTestCase() turns the child into the writer; it never returns there.
    child.start(QCoreApplication::applicationFilePath(), QStringList());
    QVERIFY2(child.waitForStarted(30000), qPrintable(child.errorString()));

    qint64 resultId = 0;
    int committed = 0;
    while (committed < 5) {
        if (!child.canReadLine()) {
            QVERIFY2(child.waitForReadyRead(30000),
                     qPrintable(QStringLiteral("the child stopped: ") +
                                QString::fromLocal8Bit(child.readAllStandardError())));
            continue;
        }
        const QByteArray line = child.readLine().trimmed();
        if (line.startsWith("result "))
            resultId = line.mid(7).toLongLong();
        else if (line.startsWith("committed "))
            committed = line.mid(10).toInt();
    }
    QVERIFY(::kill(static_cast<pid_t>(child.processId()), SIGKILL) == 0);
    QVERIFY(child.waitForFinished(30000));
    QCOMPARE(child.exitStatus(), QProcess::CrashExit);
    QVERIFY(resultId > 0);

    HistoryStore store;
    QString error;
    QVERIFY2(store.open(path, &error), qPrintable(error));
    {
        const QString name = QStringLiteral("killed-integrity");
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("PRAGMA integrity_check")));
            QVERIFY(q.next());
            QCOMPARE(q.value(0).toString(), QStringLiteral("ok"));
        }
        QSqlDatabase::removeDatabase(name);
    }
    const QList<ResultSample> samples = store.samples(resultId);
    QVERIFY2(samples.size() >= committed, qPrintable(QString::number(samples.size())));
    for (int i = 0; i < samples.size(); ++i)
        QCOMPARE(samples.at(i).requests, i + 1);
    const auto result = store.result(resultId);
    QVERIFY(result);
    QCOMPARE(result->status, ResultStatus::Aborted);
    const QString expected = QStringLiteral("the process running this test ended before it"
                                            " finished (last sample at t=") +
                             QString::number(samples.size() * 0.05, 'g', 10) + QStringLiteral("s)");
    QCOMPARE(result->errorDetails, expected);
}

LOADSCOPE_TEST_MAIN(TestHistoryStore)
#include "tst_historystore.moc"
