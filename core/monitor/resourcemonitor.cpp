#include "monitor/resourcemonitor.h"

#include <algorithm>
#include <cmath>

#include <QCoreApplication>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

#include "monitor/prometheusparser.h"

namespace loadscope {

namespace {

const QString CpuSecondsName = QStringLiteral("process_cpu_seconds_total");
const QString RssName = QStringLiteral("process_resident_memory_bytes");

} // namespace

ResourceMonitor::ResourceMonitor(QObject *parent)
    : QObject(parent)
    , m_timer(new QTimer(this))
    , m_cpus(onlineCpuCount())
{
    qRegisterMetaType<loadscope::ResourceSample>();
    m_clock.start();
    m_workerThreads = m_cpus;
    m_timer->setTimerType(Qt::PreciseTimer);
    connect(m_timer, &QTimer::timeout, this, &ResourceMonitor::onTick);
    // Baselines, so that the first sample's CPU figures cover the time since construction.
    ResourceSample discard;
    sampleMachine(&discard);
    m_generator.reset(qint64(QCoreApplication::applicationPid()), nowNs());
    m_generator.busiestThreadPct(nowNs());
}

ResourceMonitor::~ResourceMonitor()
{
    if (m_reply) {
        m_reply->disconnect(this); // no scraped() from a half-destroyed monitor
        m_reply->abort();
    }
}

void ResourceMonitor::setTargetPort(quint16 port)
{
    m_targetPort = port;
    m_unownedInodes.clear();
    if (m_targetPid > 0)
        return;
    m_targetGone = false;
    m_target.reset(-1, nowNs());
    resolveTargetByPort();
}

void ResourceMonitor::setTargetPid(qint64 pid)
{
    m_targetPid = pid > 0 ? pid : -1;
    m_targetGone = false;
    m_target.reset(m_targetPid, nowNs());
    if (m_targetPid < 0)
        resolveTargetByPort();
}

void ResourceMonitor::setPrometheusUrl(const QUrl &url, const QStringList &extraGauges)
{
    m_promUrl = url;
    m_extraGauges = extraGauges;
    ++m_scrapeGeneration; // a reply for the previous URL is dropped
    if (m_reply)
        m_reply->abort();
    m_remote = ResourceSample::Remote();
    m_prevCpuSeconds.reset();
}

void ResourceMonitor::setGeneratorWorkerThreads(int threads)
{
    m_workerThreads = threads > 0 ? threads : m_cpus;
}

void ResourceMonitor::start(int intervalMs)
{
    m_intervalMs = std::max(intervalMs, 10);
    m_clock.restart();
    // Re-take the baselines against the restarted clock.
    ResourceSample discard;
    sampleMachine(&discard);
    m_generator.reset(m_generator.pid(), nowNs());
    m_generator.busiestThreadPct(nowNs());
    if (m_target.pid() > 0)
        m_target.reset(m_target.pid(), nowNs());
    m_timer->start(m_intervalMs);
    scrapeNow();
}

void ResourceMonitor::stop()
{
    m_timer->stop();
}

bool ResourceMonitor::isRunning() const
{
    return m_timer->isActive();
}

bool ResourceMonitor::isGeneratorSaturated(double processCpuPct, double busiestThreadPct,
                                           int workerThreads, int cpus, double machineCpuPct)
{
    const int usableCores = std::max(1, std::min(cpus, workerThreads));
    return busiestThreadPct >= 90.0 || processCpuPct >= 90.0 * usableCores || machineCpuPct >= 95.0;
}

void ResourceMonitor::note(const QString &key, const QString &text)
{
    if (m_notedKeys.contains(key))
        return;
    m_notedKeys.insert(key);
    m_pendingNotes.append(text);
}

void ResourceMonitor::sampleMachine(ResourceSample *s)
{
    // The cpu lines come first in /proc/stat; the long "intr" line after them may be cut off.
    char buffer[32 * 1024];
    const qsizetype n = readProcFile("/proc/stat", buffer, qsizetype(sizeof buffer));
    ProcStat stat;
    if (n > 0 && parseProcStat(QByteArrayView(buffer, n), &stat)) {
        if (m_havePrevStat) {
            s->machineCpuPct = cpuBusyPercent(m_prevStat.all, stat.all);
            const qsizetype cores = std::min(stat.cores.size(), m_prevStat.cores.size());
            s->perCoreCpuPct.reserve(cores);
            for (qsizetype i = 0; i < cores; ++i)
                s->perCoreCpuPct.append(cpuBusyPercent(m_prevStat.cores[i], stat.cores[i]));
        }
        m_prevStat = std::move(stat);
        m_havePrevStat = true;
    } else {
        note(QStringLiteral("stat"),
             QStringLiteral("cannot read /proc/stat; machine CPU figures are skipped"));
    }

    const qsizetype m = readProcFile("/proc/meminfo", buffer, qsizetype(sizeof buffer));
    MemInfo mem;
    if (m > 0 && parseMemInfo(QByteArrayView(buffer, m), &mem)) {
        s->memTotalBytes = mem.totalBytes;
        s->memAvailableBytes = mem.availableBytes;
        s->memUsedBytes = mem.totalBytes - mem.availableBytes;
    } else {
        note(QStringLiteral("meminfo"),
             QStringLiteral("cannot read /proc/meminfo; memory figures are skipped"));
    }
}

void ResourceMonitor::resolveTargetByPort()
{
    if (m_targetPort == 0 || m_targetPid > 0 || m_targetGone || m_target.pid() > 0)
        return;
    const QList<quint64> inodes = listeningSocketInodes(m_targetPort);
    if (inodes.isEmpty()) {
        note(QStringLiteral("port-free"),
             QStringLiteral("nothing listens on TCP port %1 here yet; target process figures "
                            "start when something does")
                 .arg(m_targetPort));
        return;
    }
    if (inodes == m_unownedInodes)
        return; // already scanned /proc for these sockets in vain; do not rescan every second
    const qint64 pid = findPidOwningSocket(inodes);
    if (pid < 0) {
        m_unownedInodes = inodes;
        note(QStringLiteral("port-owner"),
             QStringLiteral("cannot tell which process listens on TCP port %1 (another user's? "
                            "pass --target-pid); target process figures are skipped")
                 .arg(m_targetPort));
        return;
    }
    m_target.reset(pid, nowNs());
}

ResourceSample ResourceMonitor::sampleNow()
{
    ResourceSample s;
    const qint64 now = nowNs();
    s.tSec = double(now) / 1e9;
    sampleMachine(&s);

    if (m_generator.sample(now, true, &s.generator) != ProcessSampler::Status::Ok) {
        note(QStringLiteral("generator"),
             QStringLiteral("cannot read /proc/self; generator figures are skipped"));
    }
    const double busiestThread = m_generator.busiestThreadPct(now);
    s.generatorSaturated = isGeneratorSaturated(s.generator.cpuPct, busiestThread, m_workerThreads,
                                                m_cpus, s.machineCpuPct);

    resolveTargetByPort();
    if (m_target.pid() > 0 && m_target.pid() == m_generator.pid()) {
        // The target answers from inside this process (an in-process sample API): what /proc
        // shows is the generator's own CPU, and reporting it as the target's would make every
        // recommendation blame the target for the generator's work.
        note(QStringLiteral("target-is-generator"),
             QStringLiteral("the target runs inside the generator's process (pid %1): its CPU "
                            "cannot be told apart and is not reported as the target's")
                 .arg(m_target.pid()));
        s.target = ResourceSample::Process();
        s.target.pid = m_target.pid();
    } else if (!m_targetGone && m_target.pid() > 0) {
        if (m_target.sample(now, true, &s.target) == ProcessSampler::Status::Gone) {
            m_targetGone = true;
            note(QStringLiteral("target-gone"),
                 QStringLiteral("target process %1 is gone; target figures stop here")
                     .arg(m_target.pid()));
            s.target = ResourceSample::Process();
            s.target.pid = m_target.pid();
        }
    }

    if (m_promUrl.isValid())
        s.remote = m_remote;
    s.notes = std::exchange(m_pendingNotes, QStringList());
    return s;
}

void ResourceMonitor::onTick()
{
    const ResourceSample s = sampleNow();
    emit sampled(s);
    scrapeNow();
}

void ResourceMonitor::scrapeNow()
{
    if (!m_promUrl.isValid() || m_reply)
        return;
    if (!m_nam)
        m_nam = new QNetworkAccessManager(this);
    QNetworkRequest request(m_promUrl);
    // Prometheus' own Accept header: ask for the text format, never protobuf.
    request.setRawHeader("Accept", "text/plain;version=0.0.4;q=1,*/*;q=0.1");
    // Shorter than the interval so that a hung endpoint never piles up requests.
    request.setTransferTimeout(std::clamp(m_intervalMs * 8 / 10, 50, 10000));
    QNetworkReply *reply = m_nam->get(request);
    m_reply = reply;
    const quint64 generation = m_scrapeGeneration;
    connect(reply, &QNetworkReply::finished, this,
            [this, reply, generation] { onScrapeFinished(reply, generation); });
}

void ResourceMonitor::onScrapeFinished(QNetworkReply *reply, quint64 generation)
{
    reply->deleteLater();
    if (m_reply == reply)
        m_reply = nullptr;
    if (generation != m_scrapeGeneration)
        return; // the URL changed meanwhile
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply->error() != QNetworkReply::NoError || status / 100 != 2) {
        m_remote.valid = false;
        m_remote.hasCpu = false;
        m_prevCpuSeconds.reset();
        const QString reason = reply->error() != QNetworkReply::NoError
                                   ? reply->errorString()
                                   : QStringLiteral("HTTP status %1").arg(status);
        note(QStringLiteral("scrape-failed"),
             QStringLiteral("Prometheus scrape of %1 failed (%2); remote figures are skipped "
                            "until it answers")
                 .arg(m_promUrl.toDisplayString(), reason));
    } else {
        applyScrape(reply->readAll(), nowNs());
    }
    emit scraped();
}

void ResourceMonitor::applyScrape(const QByteArray &body, qint64 arrivalNs)
{
    const QString url = m_promUrl.toDisplayString();
    QStringList warnings;
    const QList<PromSample> samples = parsePrometheusText(body, &warnings);
    if (!warnings.isEmpty()) {
        note(QStringLiteral("scrape-warnings"),
             QStringLiteral("Prometheus text from %1 has %2 malformed line(s), skipped (%3)")
                 .arg(url)
                 .arg(warnings.size())
                 .arg(warnings.first()));
    }
    ResourceSample::Remote remote;
    remote.valid = !samples.isEmpty();
    if (!remote.valid) {
        note(QStringLiteral("scrape-empty"),
             QStringLiteral("Prometheus endpoint %1 returned no samples; remote figures are "
                            "skipped")
                 .arg(url));
        m_remote = remote;
        return;
    }

    if (const PromSample *cpu = findPromSample(samples, CpuSecondsName)) {
        // Exposition timestamps, when the endpoint writes them, give the exact interval;
        // otherwise the local arrival times of the two scrapes do.
        const bool fromTimestamp = cpu->timestampMs.has_value();
        const qint64 timeMs = fromTimestamp ? *cpu->timestampMs : arrivalNs / 1000000;
        const bool comparable = m_prevCpuSeconds && fromTimestamp == m_prevCpuFromTimestamp;
        if (comparable && timeMs == m_prevCpuTimeMs) {
            // The same exposition again (a caching endpoint): keep the last figure.
            remote.hasCpu = m_remote.hasCpu;
            remote.cpuPct = m_remote.cpuPct;
        } else {
            if (comparable && timeMs > m_prevCpuTimeMs && cpu->value >= *m_prevCpuSeconds) {
                remote.hasCpu = true;
                remote.cpuPct = 100.0 * (cpu->value - *m_prevCpuSeconds) /
                                (double(timeMs - m_prevCpuTimeMs) / 1e3);
            } // else: first scrape, or the counter restarted: a new baseline
            m_prevCpuSeconds = cpu->value;
            m_prevCpuTimeMs = timeMs;
            m_prevCpuFromTimestamp = fromTimestamp;
        }
    } else {
        note(
            QStringLiteral("scrape-no-cpu"),
            QStringLiteral("%1 has no %2; remote CPU % is not available").arg(url, CpuSecondsName));
    }
    if (const PromSample *rss = findPromSample(samples, RssName); rss && std::isfinite(rss->value))
        remote.rssBytes = qint64(rss->value);

    for (const QString &selector : std::as_const(m_extraGauges)) {
        QString name;
        QMap<QString, QString> labels;
        if (!parsePrometheusSelector(selector, &name, &labels)) {
            note(QStringLiteral("gauge-bad:") + selector,
                 QStringLiteral("\"%1\" is not a Prometheus series name; it is skipped")
                     .arg(selector));
            continue;
        }
        if (const PromSample *g = findPromSample(samples, name, labels))
            remote.gauges.insert(selector, g->value);
        else
            note(QStringLiteral("gauge-missing:") + selector,
                 QStringLiteral("%1 has no series %2; it is skipped until it appears")
                     .arg(url, selector));
    }
    m_remote = remote;
}

} // namespace loadscope
