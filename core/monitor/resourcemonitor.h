#pragma once

#include <optional>

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QStringList>
#include <QUrl>

#include "monitor/processsampler.h"
#include "monitor/procfs.h"
#include "monitor/resourcesample.h"

class QNetworkAccessManager;
class QNetworkReply;
class QTimer;

namespace loadscope {

//! Samples machine, generator, local target and remote (Prometheus) resources every interval
//! (DESIGN.md §3.5). Lives on the caller's thread; reading /proc is synchronous and cheap, the
//! Prometheus scrape is asynchronous and its last result is used. A source that cannot be read
//! adds one note to the next sample and is skipped afterwards; nothing here stops a run.
class ResourceMonitor final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ResourceMonitor)

public:
    explicit ResourceMonitor(QObject *parent = nullptr);
    ~ResourceMonitor() override;

    //! Monitors the local process listening on TCP @p port (found through /proc; retried each
    //! sample until something listens). 0 clears it. An explicit PID takes precedence.
    void setTargetPort(quint16 port);
    //! Monitors local process @p pid (--target-pid); -1 clears it.
    void setTargetPid(qint64 pid);
    //! Scrapes @p url (Prometheus text format) each interval: process_cpu_seconds_total gives
    //! CPU %, process_resident_memory_bytes RSS, and each of @p extraGauges (`name` or
    //! `name{label="v"}`) is reported under that selector. An empty URL clears it.
    void setPrometheusUrl(const QUrl &url, const QStringList &extraGauges = {});
    //! Worker threads the load engine runs (for the saturation rule); default: online CPUs.
    void setGeneratorWorkerThreads(int threads);

    //! Samples every @p intervalMs (and scrapes, if a URL is set) until stop().
    void start(int intervalMs = 1000);
    void stop();
    bool isRunning() const;

    //! Samples the local sources now, attaching the last scrape's figures; CPU figures cover
    //! the time since the previous sample (or since construction / the target being set).
    ResourceSample sampleNow();
    //! Starts a Prometheus scrape unless one is in flight; scraped() follows.
    void scrapeNow();

    //! The saturation rule: the generator's figures are not trustworthy when any of its
    //! threads used ≥ 90 % of a core, or the process used ≥ 90 % × min(cpus, workerThreads)
    //! cores, or the whole machine is ≥ 95 % busy (queues grow; latencies include our own wait).
    static bool isGeneratorSaturated(double processCpuPct, double busiestThreadPct,
                                     int workerThreads, int cpus, double machineCpuPct);

signals:
    //! One sample per interval while running.
    void sampled(const loadscope::ResourceSample &sample);
    //! A scrape finished (successfully or not); the next sample carries its figures.
    void scraped();

private:
    void onTick();
    void onScrapeFinished(QNetworkReply *reply, quint64 generation);
    void applyScrape(const QByteArray &body, qint64 arrivalNs);
    void resolveTargetByPort();
    void sampleMachine(ResourceSample *s);
    void note(const QString &key, const QString &text);
    qint64 nowNs() const { return m_clock.nsecsElapsed(); }

    QElapsedTimer m_clock;
    QTimer *m_timer = nullptr;
    int m_intervalMs = 1000;

    ProcStat m_prevStat;
    bool m_havePrevStat = false;
    ProcessSampler m_generator;
    int m_workerThreads = 0;
    int m_cpus = 1;

    ProcessSampler m_target;
    quint16 m_targetPort = 0;
    qint64 m_targetPid = -1;
    bool m_targetGone = false;
    QList<quint64> m_unownedInodes; //!< listening sockets whose owner was not found

    QNetworkAccessManager *m_nam = nullptr;
    QUrl m_promUrl;
    QStringList m_extraGauges;
    QPointer<QNetworkReply> m_reply;
    quint64 m_scrapeGeneration = 0;
    ResourceSample::Remote m_remote;
    std::optional<double> m_prevCpuSeconds;
    qint64 m_prevCpuTimeMs = 0; //!< exposition timestamp, or local arrival time
    bool m_prevCpuFromTimestamp = false;

    QSet<QString> m_notedKeys;
    QStringList m_pendingNotes;
};

} // namespace loadscope
