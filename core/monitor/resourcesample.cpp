#include "monitor/resourcesample.h"

#include <QJsonArray>

namespace loadscope {

namespace {

qint64 toInt64(const QJsonValue &v, qint64 fallback)
{
    return v.isDouble() ? qint64(v.toDouble()) : fallback;
}

} // namespace

QJsonObject ResourceSample::Process::toJson() const
{
    return QJsonObject{
        {QStringLiteral("valid"), valid},     {QStringLiteral("pid"), double(pid)},
        {QStringLiteral("cpuPct"), cpuPct},   {QStringLiteral("rssBytes"), double(rssBytes)},
        {QStringLiteral("threads"), threads}, {QStringLiteral("openSockets"), openSockets}};
}

ResourceSample::Process ResourceSample::Process::fromJson(const QJsonObject &json)
{
    Process p;
    p.valid = json.value(QStringLiteral("valid")).toBool();
    p.pid = toInt64(json.value(QStringLiteral("pid")), -1);
    p.cpuPct = json.value(QStringLiteral("cpuPct")).toDouble();
    p.rssBytes = toInt64(json.value(QStringLiteral("rssBytes")), 0);
    p.threads = json.value(QStringLiteral("threads")).toInt();
    p.openSockets = json.value(QStringLiteral("openSockets")).toInt(-1);
    return p;
}

QJsonObject ResourceSample::Remote::toJson() const
{
    QJsonObject gaugeObject;
    for (auto it = gauges.cbegin(); it != gauges.cend(); ++it)
        gaugeObject.insert(it.key(), it.value()); // NaN/Inf become null in JSON text
    return QJsonObject{{QStringLiteral("valid"), valid},
                       {QStringLiteral("hasCpu"), hasCpu},
                       {QStringLiteral("cpuPct"), cpuPct},
                       {QStringLiteral("rssBytes"), double(rssBytes)},
                       {QStringLiteral("gauges"), gaugeObject}};
}

ResourceSample::Remote ResourceSample::Remote::fromJson(const QJsonObject &json)
{
    Remote r;
    r.valid = json.value(QStringLiteral("valid")).toBool();
    r.hasCpu = json.value(QStringLiteral("hasCpu")).toBool();
    r.cpuPct = json.value(QStringLiteral("cpuPct")).toDouble();
    r.rssBytes = toInt64(json.value(QStringLiteral("rssBytes")), -1);
    const QJsonObject gaugeObject = json.value(QStringLiteral("gauges")).toObject();
    for (auto it = gaugeObject.constBegin(); it != gaugeObject.constEnd(); ++it)
        r.gauges.insert(it.key(), it.value().toDouble());
    return r;
}

QJsonObject ResourceSample::toJson() const
{
    QJsonArray cores;
    for (double pct : perCoreCpuPct)
        cores.append(pct);
    return QJsonObject{{QStringLiteral("t"), tSec},
                       {QStringLiteral("machineCpuPct"), machineCpuPct},
                       {QStringLiteral("perCoreCpuPct"), cores},
                       {QStringLiteral("memTotalBytes"), double(memTotalBytes)},
                       {QStringLiteral("memAvailableBytes"), double(memAvailableBytes)},
                       {QStringLiteral("memUsedBytes"), double(memUsedBytes)},
                       {QStringLiteral("generator"), generator.toJson()},
                       {QStringLiteral("target"), target.toJson()},
                       {QStringLiteral("generatorSaturated"), generatorSaturated},
                       {QStringLiteral("remote"), remote.toJson()},
                       {QStringLiteral("notes"), QJsonArray::fromStringList(notes)}};
}

ResourceSample ResourceSample::fromJson(const QJsonObject &json)
{
    ResourceSample s;
    s.tSec = json.value(QStringLiteral("t")).toDouble();
    s.machineCpuPct = json.value(QStringLiteral("machineCpuPct")).toDouble();
    const QJsonArray cores = json.value(QStringLiteral("perCoreCpuPct")).toArray();
    for (const QJsonValue &v : cores)
        s.perCoreCpuPct.append(v.toDouble());
    s.memTotalBytes = toInt64(json.value(QStringLiteral("memTotalBytes")), 0);
    s.memAvailableBytes = toInt64(json.value(QStringLiteral("memAvailableBytes")), 0);
    s.memUsedBytes = toInt64(json.value(QStringLiteral("memUsedBytes")), 0);
    s.generator = Process::fromJson(json.value(QStringLiteral("generator")).toObject());
    s.target = Process::fromJson(json.value(QStringLiteral("target")).toObject());
    s.generatorSaturated = json.value(QStringLiteral("generatorSaturated")).toBool();
    s.remote = Remote::fromJson(json.value(QStringLiteral("remote")).toObject());
    const QJsonArray notes = json.value(QStringLiteral("notes")).toArray();
    for (const QJsonValue &v : notes)
        s.notes.append(v.toString());
    return s;
}

} // namespace loadscope
