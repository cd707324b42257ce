#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <unistd.h>

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QProcess>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>

#include "fakehttpserver.h"
#include "monitor/procfs.h"
#include "monitor/prometheusparser.h"
#include "monitor/resourcemonitor.h"
#include "testmain.h"

using namespace loadscope;

namespace {

constexpr char ChildEnv[] = "LOADSCOPE_MONITOR_TEST_CHILD";

// Spins for @p ms of wall time (the child's "expensive request").
void burnCpu(int ms)
{
    QElapsedTimer timer;
    timer.start();
    volatile double sink = 0;
    while (timer.elapsed() < ms) {
        for (int i = 1; i < 2000; ++i)
            sink = sink + std::sqrt(double(i));
    }
}

// The child: a tiny HTTP server on 127.0.0.1:0 that prints its port, then answers each request
// after ~20 ms of CPU work. It ends when the test closes its stdin (or dies).
int runChildServer()
{
    int argc = 1;
    char arg0[] = "tst_resourcemonitor-child";
    char *argv[] = {arg0, nullptr};
    QCoreApplication app(argc, argv);
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 3;
    QObject::connect(&server, &QTcpServer::newConnection, &server, [&server] {
        while (QTcpSocket *socket = server.nextPendingConnection()) {
            auto pending = std::make_shared<QByteArray>();
            QObject::connect(socket, &QTcpSocket::readyRead, socket, [socket, pending] {
                *pending += socket->readAll();
                for (qsizetype end; (end = pending->indexOf("\r\n\r\n")) >= 0;) {
                    pending->remove(0, end + 4);
                    burnCpu(20);
                    socket->write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                }
            });
            QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        }
    });
    QSocketNotifier stdinNotifier(STDIN_FILENO, QSocketNotifier::Read);
    QObject::connect(&stdinNotifier, &QSocketNotifier::activated, &app, [&app] {
        char buffer[64];
        if (::read(STDIN_FILENO, buffer, sizeof buffer) <= 0)
            app.quit();
    });
    QTimer::singleShot(120000, &app, &QCoreApplication::quit); // never outlive a hung test
    std::printf("%u\n", unsigned(server.serverPort()));
    std::fflush(stdout);
    return app.exec();
}

// Re-executing the test binary with ChildEnv set turns it into the child before main() runs.
void childHook()
{
    if (qEnvironmentVariableIsSet(ChildEnv))
        std::_Exit(runChildServer());
}

quint16 closedLoopbackPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    const quint16 port = probe.serverPort();
    probe.close();
    return port;
}

int countNotes(const QList<ResourceSample> &samples, const QString &needle)
{
    int n = 0;
    for (const ResourceSample &s : samples) {
        for (const QString &note : s.notes)
            n += note.contains(needle) ? 1 : 0;
    }
    return n;
}

} // namespace

Q_CONSTRUCTOR_FUNCTION(childHook)

class TestResourceMonitor : public QObject
{
    Q_OBJECT

private slots:
    void procStat()
    {
        const QByteArray text = "cpu  10132153 290696 3084719 46828483 16683 0 25195 0 175628 0\n"
                                "cpu0 1393280 32966 572056 13343292 6130 0 17875 0 23933 0\n"
                                "cpu1 1335456 40539 500932 13375011 3940 0 3204 0 0 0\n"
                                "intr 1462898 31 9 0 0 0 0 3 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
                                "ctxt 115315\nbtime 1711900000\nprocesses 4321\nprocs_runn";
        ProcStat stat;
        QVERIFY(parseProcStat(text, &stat));
        QCOMPARE(stat.all.user, quint64(10132153));
        QCOMPARE(stat.all.nice, quint64(290696));
        QCOMPARE(stat.all.idle, quint64(46828483));
        QCOMPARE(stat.all.iowait, quint64(16683));
        QCOMPARE(stat.all.softirq, quint64(25195));
        QCOMPARE(stat.all.total(), quint64(10132153 + 290696 + 3084719 + 46828483 + 16683 + 25195));
        QCOMPARE(stat.cores.size(), 2);
        QCOMPARE(stat.cores[1].system, quint64(500932));
        QVERIFY(!parseProcStat("intr 1 2 3\n", &stat));
        QVERIFY(!parseProcStat("", &stat));

        // 30 user + 10 system + 55 idle + 5 iowait ticks: 40 % busy.
        CpuTimes before{1000, 0, 500, 8000, 100, 0, 0, 0};
        CpuTimes after{1030, 0, 510, 8055, 105, 0, 0, 0};
        QCOMPARE(cpuBusyPercent(before, after), 40.0);
        QCOMPARE(cpuBusyPercent(before, before), 0.0);
        QCOMPARE(cpuBusyPercent(after, before), 0.0); // counters went backwards: no data
    }

    void memInfo()
    {
        MemInfo mem;
        QVERIFY(parseMemInfo("MemTotal:       16303428 kB\nMemFree:          812345 kB\n"
                             "MemAvailable:    9876543 kB\nBuffers:          345678 kB\n"
                             "Cached:          5432109 kB\nSwapCached:            0 kB\n",
                             &mem));
        QCOMPARE(mem.totalBytes, Q_INT64_C(16303428) * 1024);
        QCOMPARE(mem.freeBytes, Q_INT64_C(812345) * 1024);
        QCOMPARE(mem.availableBytes, Q_INT64_C(9876543) * 1024);
        // Before Linux 3.14 there is no MemAvailable: free + buffers + cached.
        QVERIFY(parseMemInfo("MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 20 kB\nCached: 300 kB\n"
                             "SwapCached: 7 kB",
                             &mem));
        QCOMPARE(mem.availableBytes, Q_INT64_C(420) * 1024);
        QVERIFY(!parseMemInfo("MemFree: 100 kB\n", &mem));
    }

    void pidStat()
    {
        const QByteArray line =
            "1234 (my (odd) prog) S 1 1234 1234 0 -1 4194560 2500 0 12 0 350 120 0 0 20 0 7 0 "
            "98765 123456789 4321 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n";
        PidStat stat;
        QVERIFY(parsePidStat(line, &stat));
        QCOMPARE(stat.pid, Q_INT64_C(1234));
        QCOMPARE(stat.comm, QByteArray("my (odd) prog"));
        QCOMPARE(stat.state, 'S');
        QCOMPARE(stat.utime, quint64(350));
        QCOMPARE(stat.stime, quint64(120));
        QCOMPARE(stat.numThreads, 7);
        QCOMPARE(stat.startTime, quint64(98765));
        QCOMPARE(stat.rssPages, Q_INT64_C(4321));
        QVERIFY(!parsePidStat("1234 (cut) S 1 2 3", &stat));
        QVERIFY(!parsePidStat("no parentheses at all", &stat));
    }

    void netTcpAndSocketLinks()
    {
        const QByteArray tcp =
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
            "timeout inode\n"
            "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000  "
            "      0 123456 1 0000000000000000 100 0 0 10 0\n"
            "   1: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000  1000  "
            "      0 123457 1 0000000000000000 20 4 30 10 -1\n";
        const QList<TcpSocketEntry> v4 = parseProcNetTcp(tcp);
        QCOMPARE(v4.size(), 2);
        QCOMPARE(v4[0].localPort, quint16(8080));
        QCOMPARE(v4[0].state, TcpStateListen);
        QCOMPARE(v4[0].inode, quint64(123456));
        QCOMPARE(v4[0].localAddressHex, QByteArray("0100007F"));
        QCOMPARE(v4[1].state, quint8(0x01)); // ESTABLISHED
        QCOMPARE(v4[1].inode, quint64(123457));

        const QByteArray tcp6 =
            "  sl  local_address                         remote_address                        st "
            "tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
            "   0: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A "
            "00000000:00000000 00:00000000 00000000     0        0 22222 1 0000000000000000 100 0 "
            "0 10 0\n"
            "garbage line\n";
        const QList<TcpSocketEntry> v6 = parseProcNetTcp(tcp6);
        QCOMPARE(v6.size(), 1);
        QCOMPARE(v6[0].localPort, quint16(80));
        QCOMPARE(v6[0].localAddressHex.size(), 32);
        QCOMPARE(v6[0].inode, quint64(22222));

        QCOMPARE(parseSocketLink("socket:[12345]").value_or(0), quint64(12345));
        QVERIFY(!parseSocketLink("pipe:[12345]"));
        QVERIFY(!parseSocketLink("socket:[]"));
        QVERIFY(!parseSocketLink("socket:[12a]"));
        QVERIFY(!parseSocketLink("/dev/null"));
    }

    void saturationRule()
    {
        // One busy thread is enough: a worker's event loop at a full core cannot keep up.
        QVERIFY(ResourceMonitor::isGeneratorSaturated(60, 95, 2, 2, 40));
        // Process-wide: 90 % of min(cpus, workers) cores.
        QVERIFY(ResourceMonitor::isGeneratorSaturated(185, 80, 4, 2, 50));
        QVERIFY(!ResourceMonitor::isGeneratorSaturated(175, 80, 4, 2, 50));
        QVERIFY(ResourceMonitor::isGeneratorSaturated(90, 50, 1, 8, 20));
        // The machine itself is full.
        QVERIFY(ResourceMonitor::isGeneratorSaturated(10, 10, 2, 2, 96));
        QVERIFY(!ResourceMonitor::isGeneratorSaturated(10, 10, 2, 2, 60));
    }

    void sampleJsonRoundTrip()
    {
        ResourceSample s;
        s.tSec = 3.5;
        s.machineCpuPct = 42.5;
        s.perCoreCpuPct = {40.0, 45.0};
        s.memTotalBytes = Q_INT64_C(17179869184);
        s.memAvailableBytes = Q_INT64_C(8589934592);
        s.memUsedBytes = s.memTotalBytes - s.memAvailableBytes;
        s.generator = {true, 77, 12.5, 1 << 24, 9, 5};
        s.target = {true, 78, 150.0, 1 << 25, 4, -1};
        s.generatorSaturated = true;
        s.remote.valid = true;
        s.remote.hasCpu = true;
        s.remote.cpuPct = 33.0;
        s.remote.rssBytes = 123456789;
        s.remote.gauges.insert(QStringLiteral("go_goroutines"), 42);
        s.notes = {QStringLiteral("target process 78 is gone; target figures stop here")};
        const QByteArray text = QJsonDocument(s.toJson()).toJson();
        const ResourceSample back =
            ResourceSample::fromJson(QJsonDocument::fromJson(text).object());
        QCOMPARE(back.toJson(), s.toJson());
        QCOMPARE(back.generator.pid, Q_INT64_C(77));
        QCOMPARE(back.target.openSockets, -1);
        QCOMPARE(back.memTotalBytes, Q_INT64_C(17179869184));
        QCOMPARE(back.remote.gauges.value(QStringLiteral("go_goroutines")), 42.0);
        QVERIFY(QVariant::fromValue(s).canConvert<ResourceSample>());
    }

    void machineAndGeneratorFigures()
    {
        ResourceMonitor monitor;
        const ResourceSample before = monitor.sampleNow();
        QTcpServer extra; // one more socket of ours
        QVERIFY(extra.listen(QHostAddress::LocalHost, 0));
        burnCpu(50);
        const ResourceSample s = monitor.sampleNow();
        QVERIFY2(s.notes.isEmpty(), qPrintable(s.notes.join(QLatin1Char('\n'))));
        QVERIFY(s.tSec > before.tSec);
        QVERIFY(s.memTotalBytes > 0);
        QVERIFY(s.memAvailableBytes > 0 && s.memAvailableBytes <= s.memTotalBytes);
        QCOMPARE(s.memUsedBytes, s.memTotalBytes - s.memAvailableBytes);
        QCOMPARE(s.perCoreCpuPct.size(), onlineCpuCount());
        QVERIFY(s.machineCpuPct >= 0.0 && s.machineCpuPct <= 100.0);
        QVERIFY(s.generator.valid);
        QCOMPARE(s.generator.pid, QCoreApplication::applicationPid());
        QVERIFY(s.generator.threads >= 1);
        QVERIFY(s.generator.rssBytes > 1024 * 1024);
        QVERIFY(s.generator.openSockets >= before.generator.openSockets + 1);
        // We just spun for 50 ms: some CPU was counted (loose: ticks are 10 ms).
        QVERIFY2(s.generator.cpuPct > 0.0, qPrintable(QString::number(s.generator.cpuPct)));
        QVERIFY(!s.target.valid);
        QVERIFY(!s.remote.valid);
    }

    void findsOwnListeningSocket()
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        QString error;
        QCOMPARE(findPidListeningOn(server.serverPort(), &error),
                 QCoreApplication::applicationPid());
        const quint16 freePort = closedLoopbackPort();
        QCOMPARE(findPidListeningOn(freePort, &error), -1);
        QVERIFY2(error.contains(QString::number(freePort)), qPrintable(error));
    }

    void targetPortFoundOnceSomethingListens()
    {
        const quint16 port = closedLoopbackPort();
        ResourceMonitor monitor;
        monitor.setTargetPort(port);
        const ResourceSample first = monitor.sampleNow();
        QVERIFY(!first.target.valid);
        QCOMPARE(countNotes({first}, QStringLiteral("nothing listens")), 1);
        QVERIFY(monitor.sampleNow().notes.isEmpty()); // said once

        QTcpServer server;
        if (!server.listen(QHostAddress::LocalHost, port))
            QSKIP("the free port was taken meanwhile");
        const ResourceSample found = monitor.sampleNow();
        QCOMPARE(found.target.pid, QCoreApplication::applicationPid());
        // Found, but it is this very process: its CPU is the generator's own, so it is not
        // reported as the target's (the 135 % "target" CPU at the generator's PID).
        QVERIFY(!found.target.valid);
        QVERIFY(found.generator.valid);
        QCOMPARE(countNotes({found}, QStringLiteral("cannot be told apart")), 1);
        QVERIFY(!monitor.sampleNow().target.valid);
    }

    void ownPidAsTargetIsNotTheTarget()
    {
        ResourceMonitor monitor;
        monitor.setTargetPid(QCoreApplication::applicationPid());
        burnCpu(300); // something for the generator's figure to show
        const ResourceSample s = monitor.sampleNow();
        QVERIFY(s.generator.valid);
        QVERIFY2(s.generator.cpuPct > 0, qPrintable(QString::number(s.generator.cpuPct)));
        QVERIFY(!s.target.valid);
        QCOMPARE(s.target.cpuPct, 0.0);
        QCOMPARE(s.target.pid, s.generator.pid);
    }

    void childServerFoundByPortAndCpuRisesUnderLoad()
    {
        QProcess child;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QString::fromLatin1(ChildEnv), QStringLiteral("1"));
        child.setProcessEnvironment(env);
        child.setProgram(QCoreApplication::applicationFilePath());
        child.start();
        QVERIFY2(child.waitForStarted(), qPrintable(child.errorString()));
        QTRY_VERIFY_WITH_TIMEOUT(child.canReadLine(), 10000);
        bool ok = false;
        const quint16 port = QString::fromLatin1(child.readLine().trimmed()).toUShort(&ok);
        QVERIFY(ok && port != 0);
        auto cleanup = qScopeGuard([&child] {
            child.closeWriteChannel(); // the child quits on EOF
            if (!child.waitForFinished(5000))
                child.kill();
            child.waitForFinished(5000);
        });

        QString error;
        QCOMPARE(findPidListeningOn(port, &error), child.processId());

        ResourceMonitor monitor;
        monitor.setTargetPort(port);
        QList<ResourceSample> samples;
        connect(&monitor, &ResourceMonitor::sampled, this,
                [&samples](const ResourceSample &s) { samples.append(s); });
        monitor.start(200);

        // Idle: the child waits in its event loop.
        QTRY_VERIFY_WITH_TIMEOUT(samples.size() >= 3, 10000);
        double idleMax = 0;
        for (const ResourceSample &s : std::as_const(samples)) {
            QVERIFY(s.target.valid);
            QCOMPARE(s.target.pid, child.processId());
            idleMax = std::max(idleMax, s.target.cpuPct);
        }
        QVERIFY2(idleMax < 20.0, qPrintable(QString::number(idleMax)));
        QVERIFY(samples.last().target.threads >= 1);
        QVERIFY(samples.last().target.rssBytes > 0);
        QVERIFY(samples.last().target.openSockets >= 1); // its listening socket

        // Load: back-to-back requests on one connection; each costs the child ~20 ms of CPU.
        QTcpSocket client;
        int responses = 0;
        const QByteArray request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        connect(&client, &QTcpSocket::readyRead, this, [&] {
            const QByteArray got = client.readAll();
            const int n = int(got.count("HTTP/1.1 200"));
            responses += n;
            for (int i = 0; i < n; ++i)
                client.write(request);
        });
        connect(&client, &QTcpSocket::connected, this, [&] { client.write(request); });
        client.connectToHost(QHostAddress::LocalHost, port);
        const qsizetype loadFrom = samples.size();
        double loadedMax = 0;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (qsizetype i = loadFrom + 1; i < samples.size(); ++i) // skip the ramp-up one
                    loadedMax = std::max(loadedMax, samples[i].target.cpuPct);
                return loadedMax > 30.0 && loadedMax > idleMax + 20.0;
            }(),
            20000);
        QVERIFY(responses > 0);
        QVERIFY(samples.last().target.openSockets >= 2); // listening + the accepted connection
        monitor.stop();
    }

    void gonePidGivesOneNote()
    {
        QProcess done;
        done.start(QStringLiteral("/bin/true"), {});
        QVERIFY(done.waitForStarted());
        const qint64 pid = done.processId();
        QVERIFY(done.waitForFinished());

        ResourceMonitor monitor;
        monitor.setTargetPid(pid);
        QList<ResourceSample> samples;
        for (int i = 0; i < 3; ++i)
            samples.append(monitor.sampleNow());
        QCOMPARE(countNotes(samples, QStringLiteral("target process %1 is gone").arg(pid)), 1);
        QVERIFY(!samples.last().target.valid);
        QVERIFY(samples.last().generator.valid); // the rest goes on
    }

    void prometheusCpuFromTwoScrapes()
    {
        std::atomic<int> served{0};
        test::FakeHttpServer server([&served](const test::FakeRequest &request) {
            const bool second = served.fetch_add(1) > 0;
            QByteArray body = "# HELP process_cpu_seconds_total Total user and system CPU.\n"
                              "# TYPE process_cpu_seconds_total counter\n";
            // +0.5 s of CPU over 1000 ms of exposition time: 50 %.
            body += second ? "process_cpu_seconds_total 10.5 1700000001000\n"
                           : "process_cpu_seconds_total 10 1700000000000\n";
            body += "# TYPE process_resident_memory_bytes gauge\n"
                    "process_resident_memory_bytes 1.2345e+07\n"
                    "go_goroutines 17\n"
                    "http_requests_in_flight{handler=\"/api\"} 3\n"
                    "http_requests_in_flight{handler=\"/other\"} 9\n";
            if (request.target != "/metrics")
                return test::FakeReply::withStatus(404, "not here");
            return test::FakeReply::ok(body, "Content-Type: text/plain; version=0.0.4\r\n");
        });
        QVERIFY2(server.start(), qPrintable(server.errorString()));

        ResourceMonitor monitor;
        monitor.setPrometheusUrl(
            QUrl(QStringLiteral("http://127.0.0.1:%1/metrics").arg(server.port())),
            {QStringLiteral("go_goroutines"),
             QStringLiteral("http_requests_in_flight{handler=\"/api\"}"),
             QStringLiteral("missing_gauge")});
        QSignalSpy scraped(&monitor, &ResourceMonitor::scraped);
        monitor.scrapeNow();
        QTRY_COMPARE_WITH_TIMEOUT(scraped.size(), 1, 10000);
        const ResourceSample first = monitor.sampleNow();
        QVERIFY(first.remote.valid);
        QVERIFY(!first.remote.hasCpu); // one reading is not a rate
        QCOMPARE(first.remote.rssBytes, Q_INT64_C(12345000));
        QCOMPARE(first.remote.gauges.value(QStringLiteral("go_goroutines")), 17.0);
        QCOMPARE(
            first.remote.gauges.value(QStringLiteral("http_requests_in_flight{handler=\"/api\"}")),
            3.0);
        QVERIFY(!first.remote.gauges.contains(QStringLiteral("missing_gauge")));
        QCOMPARE(countNotes({first}, QStringLiteral("missing_gauge")), 1);

        monitor.scrapeNow();
        QTRY_COMPARE_WITH_TIMEOUT(scraped.size(), 2, 10000);
        const ResourceSample second = monitor.sampleNow();
        QVERIFY(second.remote.hasCpu);
        QCOMPARE(second.remote.cpuPct, 50.0);
        QVERIFY(second.notes.isEmpty()); // the missing gauge was said once
    }

    void prometheusCpuFromArrivalTimes()
    {
        std::atomic<int> served{0};
        test::FakeHttpServer server([&served](const test::FakeRequest &) {
            // Real clients write no timestamps: +0.1 s of CPU per scrape.
            const int n = served.fetch_add(1);
            return test::FakeReply::ok("process_cpu_seconds_total " + QByteArray::number(n * 0.1) +
                                       "\n");
        });
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        ResourceMonitor monitor;
        monitor.setPrometheusUrl(
            QUrl(QStringLiteral("http://127.0.0.1:%1/metrics").arg(server.port())));
        ResourceSample last;
        connect(&monitor, &ResourceMonitor::sampled, this,
                [&last](const ResourceSample &s) { last = s; });
        monitor.start(200); // a scrape every ~200 ms: about 50 %
        QTRY_VERIFY_WITH_TIMEOUT(last.remote.hasCpu, 10000);
        QVERIFY2(last.remote.cpuPct > 3.0 && last.remote.cpuPct < 100.0,
                 qPrintable(QString::number(last.remote.cpuPct)));
        QCOMPARE(last.remote.rssBytes, Q_INT64_C(-1));
    }

    void unreachablePrometheusIsOneNoteAndSamplingGoesOn()
    {
        const quint16 port = closedLoopbackPort();
        ResourceMonitor monitor;
        monitor.setPrometheusUrl(QUrl(QStringLiteral("http://127.0.0.1:%1/metrics").arg(port)));
        QList<ResourceSample> samples;
        connect(&monitor, &ResourceMonitor::sampled, this,
                [&samples](const ResourceSample &s) { samples.append(s); });
        QSignalSpy scraped(&monitor, &ResourceMonitor::scraped);
        monitor.start(100);
        QTRY_VERIFY_WITH_TIMEOUT(scraped.size() >= 3 && samples.size() >= 4, 10000);
        QVERIFY(monitor.isRunning());
        QCOMPARE(countNotes(samples, QStringLiteral("Prometheus scrape of")), 1);
        QVERIFY(!samples.last().remote.valid);
        QVERIFY(samples.last().generator.valid);
        monitor.stop();
        QVERIFY(!monitor.isRunning());
    }

    void badPrometheusTextIsANote()
    {
        test::FakeHttpServer server([](const test::FakeRequest &) {
            return test::FakeReply::ok("<html>not metrics</html>\nup 1\n");
        });
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        ResourceMonitor monitor;
        monitor.setPrometheusUrl(QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(server.port())));
        QSignalSpy scraped(&monitor, &ResourceMonitor::scraped);
        monitor.scrapeNow();
        QTRY_COMPARE_WITH_TIMEOUT(scraped.size(), 1, 10000);
        const ResourceSample s = monitor.sampleNow();
        QCOMPARE(countNotes({s}, QStringLiteral("line 1:")), 1);
        QCOMPARE(countNotes({s}, QStringLiteral("no process_cpu_seconds_total")), 1);
        QVERIFY(s.remote.valid); // "up 1" was read
        QVERIFY(!s.remote.hasCpu);
    }
};

LOADSCOPE_TEST_MAIN(TestResourceMonitor)
#include "tst_resourcemonitor.moc"
