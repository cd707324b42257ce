// clazy:excludeall=lambda-in-connect (the sockets live in a scope object that goes first)
#include <cmath>

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTemporaryDir>

#include "sample/sampleapihost.h"
#include "session/sampletarget.h"
#include "testmain.h"
#include "testsupport.h"

using namespace loadscope;

namespace {

// The capacity of the target under test. Far below what the generator offers on two shared
// cores (the sample API alone answers tens of thousands of /api/health per second), so the
// knee is the target's, not the machine's, even while other jobs load the machine.
constexpr double kCapacity = 500;
// Every reply also takes this long. On a loaded machine the scheduler alone moves a loopback
// p95 by up to ~15 ms; against a 30 ms service time that stays inside the low-load band
// (which is at least twice its median wide), while a queue past the capacity adds up to
// 200 ms (100 waiting at 500/s).
constexpr int kServiceMs = 30;

// A STRESS_TEST-shaped staircase of arrival rates past the capacity: 3 s per level, measured
// in 0.5 s intervals. The rate jumps (zero-length stages) half way into an interval, so each
// level has one ramping interval and five steady ones whatever the timer jitter.
QByteArray staircasePlan()
{
    const QList<double> levels{0.35, 0.7, 0.95, 1.05, 1.25};
    QJsonArray stages;
    for (int i = 0; i < levels.size(); ++i) {
        const int holdMs = i == 0 ? 3250 : (i + 1 == levels.size() ? 2750 : 3000);
        stages.append(QJsonObject{{QStringLiteral("duration"), QStringLiteral("0s")},
                                  {QStringLiteral("target"), std::round(levels[i] * kCapacity)}});
        stages.append(QJsonObject{
            {QStringLiteral("duration"), QString(QString::number(holdMs) + QStringLiteral("ms"))},
            {QStringLiteral("target"), std::round(levels[i] * kCapacity)}});
    }
    const QJsonObject plan{
        {QStringLiteral("schema"), QStringLiteral("loadscope.plan/1")},
        {QStringLiteral("name"), QStringLiteral("capacity staircase")},
        {QStringLiteral("testType"), QStringLiteral("STRESS_TEST")},
        {QStringLiteral("load"),
         QJsonObject{{QStringLiteral("executor"), QStringLiteral("ramping-arrival-rate")},
                     {QStringLiteral("startRate"), std::round(levels[0] * kCapacity)},
                     {QStringLiteral("timeUnit"), QStringLiteral("1s")},
                     {QStringLiteral("preAllocatedVUs"), 50},
                     {QStringLiteral("maxVUs"), 1000},
                     {QStringLiteral("stages"), stages}}},
        {QStringLiteral("options"),
         QJsonObject{{QStringLiteral("interval"), QStringLiteral("500ms")}}},
        {QStringLiteral("steps"),
         QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("health")},
                                {QStringLiteral("method"), QStringLiteral("GET")},
                                {QStringLiteral("path"), QStringLiteral("/api/health")}}}},
        {QStringLiteral("thresholds"),
         QJsonObject{
             {QStringLiteral("http_req_duration"), QJsonArray{QStringLiteral("p(95)<500")}},
             {QStringLiteral("http_req_failed"), QJsonArray{QStringLiteral("rate<0.05")}}}}};
    return QJsonDocument(plan).toJson();
}

bool within(double value, double expected, double relative)
{
    return std::abs(value - expected) <= relative * expected;
}

} // namespace

class TestStressCapacity : public QObject
{
    Q_OBJECT

private slots:
    // The queue itself: 150 requests at once against 200 req/s with 50 allowed to wait. The
    // server spaces the accepted ones 5 ms apart (after a 4-request burst), so the last one
    // cannot be answered sooner than (accepted − 4) × 5 ms after the first was sent, whatever
    // the machine; the rest get 503 at once.
    void capacityQueueServesAtMostItsRate()
    {
        SampleApiOptions options;
        options.capacityRps = 200;
        options.capacityQueue = 50;
        SampleApiHost host(options);
        QString error;
        QVERIFY2(host.start(QHostAddress::LocalHost, 0, &error) != 0, qPrintable(error));

        constexpr int kRequests = 150;
        QList<QTcpSocket *> sockets;
        QList<QByteArray> replies(kRequests);
        QList<qint64> doneNs(kRequests, -1);
        int done = 0;
        QElapsedTimer clock;
        clock.start();
        // Owns the sockets and goes before the locals their lambdas refer to.
        QObject scope;
        for (int i = 0; i < kRequests; ++i) {
            auto *socket = new QTcpSocket(&scope);
            // A reply is complete once its Content-Length bytes of body are in.
            connect(socket, &QTcpSocket::readyRead, socket, [&, socket, i] {
                replies[i] += socket->readAll();
                const qsizetype end = replies[i].indexOf("\r\n\r\n");
                static const QRegularExpression length(QStringLiteral("Content-Length: (\\d+)"),
                                                       QRegularExpression::CaseInsensitiveOption);
                const auto m = length.match(QString::fromLatin1(replies[i].left(end)));
                if (doneNs[i] < 0 && end >= 0 && m.hasMatch() &&
                    replies[i].size() - end - 4 >= m.captured(1).toLongLong()) {
                    doneNs[i] = clock.nsecsElapsed();
                    ++done;
                }
            });
            socket->connectToHost(QHostAddress::LocalHost, host.port());
            sockets.append(socket);
        }
        for (QTcpSocket *socket : sockets)
            QVERIFY(socket->waitForConnected(5000));
        const qint64 sentNs = clock.nsecsElapsed();
        for (QTcpSocket *socket : sockets)
            socket->write("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QTRY_COMPARE_WITH_TIMEOUT(done, kRequests, 20000);

        int accepted = 0, rejected = 0;
        qint64 lastAcceptedNs = 0;
        double maxQueueMs = 0;
        static const QRegularExpression queue(QStringLiteral("queue;dur=([0-9.]+)"));
        for (int i = 0; i < kRequests; ++i) {
            if (replies[i].startsWith("HTTP/1.1 200")) {
                ++accepted;
                lastAcceptedNs = std::max(lastAcceptedNs, doneNs[i]);
                const auto m = queue.match(QString::fromLatin1(replies[i]));
                if (m.hasMatch())
                    maxQueueMs = std::max(maxQueueMs, m.captured(1).toDouble());
            } else if (replies[i].startsWith("HTTP/1.1 503")) {
                ++rejected;
                QVERIFY(replies[i].contains("over capacity"));
            } else {
                QFAIL(replies[i].left(200).constData());
            }
        }
        QCOMPARE(accepted + rejected, kRequests);
        QVERIFY2(accepted >= 54, qPrintable(QString::number(accepted)));
        QVERIFY2(rejected >= 1, "a full queue must answer 503");
        QCOMPARE(host.counters().rejectedOverCapacity, quint64(rejected));
        const double spanMs = double(lastAcceptedNs - sentNs) / 1e6;
        QVERIFY2(
            spanMs >= (accepted - 4) * 5.0,
            qPrintable(
                QStringLiteral("%1 accepted answered within %2 ms").arg(accepted).arg(spanMs)));
        // No accepted request waited longer than the queue allows (50 × 5 ms).
        QVERIFY2(maxQueueMs > 0 && maxQueueMs <= 250.001, qPrintable(QString::number(maxQueueMs)));
        qDeleteAll(sockets);
    }

    // The measurement claim: against `demo --capacity=500 --capacity-queue=100 --latency-ms=30`
    // the knee and the highest sustained rate land within 10 % of 500 req/s.
    void kneeAndSustainedRateFindTheKnownCapacity()
    {
        SampleTargetProcess target(test::cliPath());
        QString error;
        QVERIFY2(target.start({QStringLiteral("--capacity=%1").arg(kCapacity),
                               QStringLiteral("--capacity-queue=100"),
                               QStringLiteral("--latency-ms=%1").arg(kServiceMs)},
                              &error),
                 qPrintable(error));
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString planPath = dir.filePath(QStringLiteral("plan.json"));
        const QString resultPath = dir.filePath(QStringLiteral("result.json"));
        QFile planFile(planPath);
        QVERIFY(planFile.open(QIODevice::WriteOnly));
        planFile.write(staircasePlan());
        planFile.close();

        const test::CliRun run = test::runCli(
            {QStringLiteral("run"), planPath,
             QStringLiteral("--base-url=") + target.target().baseUrl, QStringLiteral("--no-db"),
             QStringLiteral("--quiet"), QStringLiteral("--format=json"),
             QStringLiteral("--output-file=") + resultPath},
            60000);
        // 99: the thresholds were crossed past the capacity, as they should be.
        QVERIFY2(run.exitCode == 0 || run.exitCode == 99, qPrintable(run.err + run.out));
        QFile resultFile(resultPath);
        QVERIFY(resultFile.open(QIODevice::ReadOnly));
        const QJsonObject stress = QJsonDocument::fromJson(resultFile.readAll())
                                       .object()
                                       .value(QStringLiteral("result"))
                                       .toObject()
                                       .value(QStringLiteral("stress"))
                                       .toObject();
        // What a failure shows: every level in one line, then the knee and the rules.
        QString summary;
        const QJsonArray levels = stress.value(QStringLiteral("levels")).toArray();
        for (const QJsonValue &v : levels) {
            const QJsonObject l = v.toObject();
            summary += QStringLiteral("%1%2: %3 it/s p95 %4 ms err %5; ")
                           .arg(l.value(QStringLiteral("load")).toDouble())
                           .arg(l.value(QStringLiteral("steady")).toBool() ? QString()
                                                                           : QStringLiteral("~"))
                           .arg(l.value(QStringLiteral("iterationRps")).toDouble(), 0, 'f', 0)
                           .arg(l.value(QStringLiteral("p95Ms")).toDouble(), 0, 'f', 1)
                           .arg(l.value(QStringLiteral("errorRate")).toDouble(), 0, 'f', 3);
        }
        summary += stress.value(QStringLiteral("message")).toString();
        const QByteArray dump = summary.toUtf8();
        QVERIFY2(stress.value(QStringLiteral("valid")).toBool(), dump.constData());

        // Precondition, not a speed claim: the generator offered the low levels in full, so
        // what follows measures the target.
        bool lowLevelMet = false;
        for (const QJsonValue &v : levels) {
            const QJsonObject l = v.toObject();
            if (l.value(QStringLiteral("steady")).toBool() &&
                l.value(QStringLiteral("load")).toDouble() == 0.7 * kCapacity)
                lowLevelMet =
                    l.value(QStringLiteral("iterationRps")).toDouble() >= 0.95 * 0.7 * kCapacity;
        }
        QVERIFY2(
            lowLevelMet,
            qPrintable(QStringLiteral("the generator could not offer 350 req/s here: ") + summary));

        const QJsonObject knee = stress.value(QStringLiteral("knee")).toObject();
        const QJsonObject sustained = stress.value(QStringLiteral("maxSustained")).toObject();
        QVERIFY2(!knee.isEmpty(), dump.constData());
        QVERIFY2(!sustained.isEmpty(), dump.constData());
        const double kneeLoad = knee.value(QStringLiteral("load")).toDouble();
        const double sustainedRps = sustained.value(QStringLiteral("throughputRps")).toDouble();
        QVERIFY2(within(kneeLoad, kCapacity, 0.10),
                 qPrintable(QStringLiteral("knee at %1/s: ").arg(kneeLoad) +
                            knee.value(QStringLiteral("description")).toString() +
                            QStringLiteral(" | ") + summary));
        QVERIFY2(within(sustainedRps, kCapacity, 0.10),
                 qPrintable(QStringLiteral("sustained %1 req/s: ").arg(sustainedRps) +
                            sustained.value(QStringLiteral("description")).toString() +
                            QStringLiteral(" | ") + summary));
        // The report says the same, with its rules.
        QVERIFY2(run.out.contains(QStringLiteral("knee        p95")), qPrintable(run.out));
        QVERIFY(run.out.contains(QStringLiteral("rules       knee:")));
        QVERIFY(run.out.contains(QStringLiteral("USL fit     σ=")));
        qInfo("capacity %.0f req/s: knee at %.0f/s (%s), sustained %.1f req/s; USL σ=%.4g κ=%.4g "
              "R²=%.3f: %s",
              kCapacity, kneeLoad, qPrintable(knee.value(QStringLiteral("description")).toString()),
              sustainedRps,
              stress.value(QStringLiteral("usl"))
                  .toObject()
                  .value(QStringLiteral("sigma"))
                  .toDouble(),
              stress.value(QStringLiteral("usl"))
                  .toObject()
                  .value(QStringLiteral("kappa"))
                  .toDouble(),
              stress.value(QStringLiteral("usl")).toObject().value(QStringLiteral("r2")).toDouble(),
              qPrintable(stress.value(QStringLiteral("usl"))
                             .toObject()
                             .value(QStringLiteral("message"))
                             .toString()));
    }
};

LOADSCOPE_TEST_MAIN(TestStressCapacity)
#include "tst_stresscapacity.moc"
