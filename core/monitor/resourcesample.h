#pragma once

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace loadscope {

//! One interval's resource figures (DESIGN.md §3.5): the machine, the generator process, the
//! target process when local, and a remote target's Prometheus figures. A value type.
struct ResourceSample
{
    //! CPU and memory of one process, from /proc/<pid>.
    struct Process
    {
        bool valid = false; //!< false when not monitored or not readable (see notes)
        qint64 pid = -1;
        double cpuPct = 0.0; //!< over the last interval; one fully used core = 100
        qint64 rssBytes = 0;
        int threads = 0;
        int openSockets = -1; //!< socket fds of any family; -1 when the fds are not readable

        QJsonObject toJson() const;
        static Process fromJson(const QJsonObject &json);
    };

    //! A remote target's figures from its last successful Prometheus scrape.
    struct Remote
    {
        bool valid = false;   //!< a scrape succeeded and its text had the figures
        bool hasCpu = false;  //!< cpuPct needs two scrapes with process_cpu_seconds_total
        double cpuPct = 0.0;  //!< from the delta of process_cpu_seconds_total; one core = 100
        qint64 rssBytes = -1; //!< process_resident_memory_bytes; -1 when absent
        QMap<QString, double> gauges; //!< the user-named series (selector → value) found

        QJsonObject toJson() const;
        static Remote fromJson(const QJsonObject &json);
    };

    double tSec = 0.0;           //!< seconds since the monitor started
    double machineCpuPct = 0.0;  //!< all cores together, 0..100
    QList<double> perCoreCpuPct; //!< 0..100 each
    qint64 memTotalBytes = 0;
    qint64 memAvailableBytes = 0;
    qint64 memUsedBytes = 0;         //!< total − available
    Process generator;               //!< this process
    Process target;                  //!< the local target, when found
    bool generatorSaturated = false; //!< measurements of this interval are not trustworthy
    Remote remote;
    QStringList notes; //!< sources that failed since the previous sample, each said once

    QJsonObject toJson() const;
    static ResourceSample fromJson(const QJsonObject &json);
};

} // namespace loadscope

Q_DECLARE_METATYPE(loadscope::ResourceSample)
