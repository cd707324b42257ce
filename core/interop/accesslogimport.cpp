#include "accesslogimport.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <QFileInfo>

#include "interop/importformats.h"
#include "interop/importreader.h"
#include "interop/runbuilder.h"

namespace loadscope {
namespace {

constexpr int kStepSlots = 20;
constexpr int kMaxStages = 60;
constexpr int kWaitingTiming = 4; //!< timingNames(): blocked, connecting, tls, sending, waiting

//! When a logged request started: Apache's %t is its arrival, nginx logs at its end.
qint64 startOf(const AccessLogFormat::Entry &entry)
{
    if (entry.timeIsStart)
        return entry.timeUs;
    const qint64 duration = entry.durationUs >= 0 ? entry.durationUs : entry.upstreamUs;
    return entry.timeUs - std::max<qint64>(0, duration);
}

std::string endpointName(const AccessLogFormat::Entry &entry)
{
    std::string name(entry.method);
    name += ' ';
    name += accessLogRoute(entry.target);
    return name;
}

void progress(importing::LineReader &reader, importing::ParseContext &context)
{
    if (context.progress && (context.records & 0xFFFF) == 0)
        context.progress(reader.bytesRead(), reader.size());
}

} // namespace

namespace importing {

bool parseAccessLog(LineReader &reader, RunBuilder &builder, ParseContext &context,
                    const AccessLogFormat &format)
{
    std::string_view line;
    AccessLogFormat::Entry entry;
    std::string name;
    while (reader.next(&line)) {
        if (line.empty())
            continue;
        ++context.records;
        progress(reader, context);
        if (context.cancelled())
            return false;
        const char *why = nullptr;
        if (!format.parse(line, &entry, &why)) {
            context.badLineOf(reader, why);
            continue;
        }
        const qint64 start = startOf(entry);
        const qint64 duration = entry.durationUs >= 0 ? entry.durationUs : entry.upstreamUs;
        name = endpointName(entry);
        // What the server sent is what a client received, and the other way round.
        builder.addRequest(start, builder.endpoint(name), duration,
                           errorClassForStatus(entry.status), std::max<qint64>(0, entry.bytesOut),
                           std::max<qint64>(0, entry.bytesIn));
        if (entry.upstreamUs >= 0 && entry.durationUs >= 0)
            builder.addTiming(start, kWaitingTiming, entry.upstreamUs);
    }
    if (context.records == 0)
        context.fatal = QStringLiteral("the file holds no log line");
    return context.records > 0;
}

} // namespace importing

std::optional<AccessLogFormat> accessLogFormatFor(const QString &name, const QString &logFormat,
                                                  QString *error)
{
    if (name == QLatin1String("combined")) {
        if (!logFormat.isEmpty()) {
            *error = QStringLiteral("--log-format: the combined format is fixed; give "
                                    "--format=nginx or --format=apache with a format of your own");
            return std::nullopt;
        }
        return AccessLogFormat::nginxCombined();
    }
    const bool nginx = name == QLatin1String("nginx");
    if (!nginx && name != QLatin1String("apache")) {
        *error = QStringLiteral("\"") + name +
                 QStringLiteral("\" is not an access-log format (nginx, apache or combined)");
        return std::nullopt;
    }
    if (logFormat.isEmpty())
        return nginx ? AccessLogFormat::nginxCombined() : AccessLogFormat::apacheCombined();
    auto format = AccessLogFormat::compile(nginx ? AccessLogFormat::Dialect::Nginx
                                                 : AccessLogFormat::Dialect::Apache,
                                           logFormat, error);
    if (!format)
        *error = QStringLiteral("--log-format: ") + *error;
    return format;
}

std::optional<ImportResult> replayPlanFromAccessLog(const QString &path,
                                                    const AccessLogFormat &format, double scale,
                                                    QString *error)
{
    if (!(scale > 0) || !std::isfinite(scale)) {
        *error = QStringLiteral("--scale must be a positive number");
        return std::nullopt;
    }
    importing::LineReader reader(path);
    if (!reader.open()) {
        *error = path + QStringLiteral(" cannot be read: ") + reader.errorString();
        return std::nullopt;
    }
    struct Route
    {
        qint64 requests = 0;
        std::string method;
        std::string example; //!< the first concrete target seen
        qint64 firstSeen = 0;
    };
    std::map<std::string, Route> routes;
    std::map<qint64, qint64> arrivals; //!< second since the epoch -> requests that started
    importing::ParseContext context;
    std::string_view line;
    AccessLogFormat::Entry entry;
    qint64 durationSumUs = 0;
    qint64 timed = 0;
    while (reader.next(&line)) {
        if (line.empty())
            continue;
        ++context.records;
        const char *why = nullptr;
        if (!format.parse(line, &entry, &why)) {
            context.badLineOf(reader, why);
            continue;
        }
        const qint64 start = startOf(entry);
        arrivals[start / 1000000 - (start < 0 && start % 1000000 ? 1 : 0)] += 1;
        Route &route = routes[endpointName(entry)];
        if (route.requests++ == 0) {
            route.method = std::string(entry.method);
            route.example = std::string(entry.target);
            route.firstSeen = context.records;
        }
        if (entry.durationUs >= 0) {
            durationSumUs += entry.durationUs;
            ++timed;
        }
    }
    const qint64 requests = context.records - context.bad;
    if (requests == 0) {
        *error = path + QStringLiteral(": no log line matches the format") +
                 (context.badNotes.isEmpty()
                      ? QString()
                      : QStringLiteral(" (") + context.badNotes.join(QStringLiteral("; ")) + u')');
        return std::nullopt;
    }
    if (context.bad * 100 > context.records) {
        *error = path + QStringLiteral(": ") + QString::number(context.bad) +
                 QStringLiteral(" of ") + QString::number(context.records) +
                 QStringLiteral(" lines do not match the format (more than 1 %): ") +
                 context.badNotes.join(QStringLiteral("; "));
        return std::nullopt;
    }

    ImportResult result;
    TestPlan &plan = result.plan;
    plan.name = QStringLiteral("Replay of ") + QFileInfo(path).fileName();
    plan.description = QStringLiteral("Built from the access log ") + QFileInfo(path).fileName() +
                       QStringLiteral(": its route mix and arrival curve");
    plan.type = TestType::LoadTest;

    // The route mix: kStepSlots steps per iteration, shared out by largest remainder.
    std::vector<std::pair<std::string, const Route *>> ordered;
    for (const auto &[name, route] : routes)
        ordered.emplace_back(name, &route);
    std::sort(ordered.begin(), ordered.end(), [](const auto &a, const auto &b) {
        return a.second->requests != b.second->requests ? a.second->requests > b.second->requests
                                                        : a.second->firstSeen < b.second->firstSeen;
    });
    std::vector<int> shares(ordered.size(), 0);
    std::vector<std::pair<double, size_t>> remainders;
    int given = 0;
    for (size_t i = 0; i < ordered.size(); ++i) {
        const double exact = double(ordered[i].second->requests) * kStepSlots / double(requests);
        shares[i] = int(std::floor(exact));
        given += shares[i];
        remainders.emplace_back(exact - shares[i], i);
    }
    std::stable_sort(remainders.begin(), remainders.end(),
                     [](const auto &a, const auto &b) { return a.first > b.first; });
    for (size_t k = 0; given < kStepSlots && k < remainders.size(); ++k, ++given)
        ++shares[remainders[k].second];
    int stepCount = 0;
    QStringList leftOut;
    for (size_t i = 0; i < ordered.size(); ++i) {
        const Route &route = *ordered[i].second;
        const QString name = QString::fromStdString(ordered[i].first);
        const double share = 100.0 * double(route.requests) / double(requests);
        if (shares[i] == 0) {
            leftOut << name + QStringLiteral(" (") + QString::number(share, 'f', 2) +
                           QStringLiteral(" % of the requests: under one step in ") +
                           QString::number(kStepSlots) + u')';
            continue;
        }
        Step step;
        step.name = name;
        step.method = QString::fromStdString(route.method);
        step.path = QString::fromStdString(route.example);
        if (!step.path.startsWith(u'/') && !step.path.startsWith(QLatin1String("http")))
            step.path.prepend(u'/');
        for (int s = 0; s < shares[i]; ++s)
            plan.steps.append(step);
        stepCount += shares[i];
        result.taken << name + QStringLiteral(": ") + QString::number(shares[i]) +
                            QStringLiteral(" of ") + QString::number(kStepSlots) +
                            QStringLiteral(" steps (") + QString::number(share, 'f', 1) +
                            QStringLiteral(" % of the requests), e.g. ") + step.path;
    }

    // The arrival curve: the log's span cut into at most kMaxStages slices of whole seconds.
    const qint64 first = arrivals.begin()->first;
    const qint64 span = arrivals.rbegin()->first - first + 1;
    const qint64 slice = std::max<qint64>(1, (span + kMaxStages - 1) / kMaxStages);
    const qint64 sliceCount = (span + slice - 1) / slice;
    std::vector<qint64> perSlice(size_t(sliceCount), 0);
    for (const auto &[second, count] : arrivals)
        perSlice[size_t((second - first) / slice)] += count;
    LoadModel &load = plan.load;
    load.executor = Executor::RampingArrivalRate;
    load.timeUnitMs = 1000;
    double peak = 0;
    for (qint64 s = 0; s < sliceCount; ++s) {
        // The last slice may be shorter than the others.
        const qint64 length = std::min(slice, span - s * slice);
        const double iterationsPerSec =
            double(perSlice[size_t(s)]) / double(length) * scale / double(stepCount);
        if (s == 0)
            load.startRate = iterationsPerSec;
        load.stages.append(Stage{length * 1000, iterationsPerSec});
        peak = std::max(peak, iterationsPerSec);
    }
    // Enough VUs for the peak at the observed time per request (Little's law), with room.
    const double meanSec = timed > 0 ? double(durationSumUs) / double(timed) / 1e6 : 0.1;
    const double concurrent = peak * stepCount * std::max(meanSec, 0.001);
    load.preAllocatedVus = std::max(10, int(std::ceil(concurrent * 2)));
    load.maxVus = std::max(load.preAllocatedVus * 4, 100);
    load.gracefulStopMs = 10000;

    result.taken << QString::number(requests) + QStringLiteral(" requests over ") +
                        QString::number(span) + QStringLiteral(" s → ") +
                        QString::number(load.stages.size()) +
                        QStringLiteral(" ramping-arrival-rate stages of ") +
                        QString::number(slice) + QStringLiteral(" s, × ") + QString::number(scale) +
                        QStringLiteral(" (") + QString::number(stepCount) +
                        QStringLiteral(" requests per iteration; rates are iterations/s)");
    result.leftOut = leftOut;
    result.leftOut << QStringLiteral("the target host: an access log does not say it; set the "
                                     "plan's base URL");
    if (context.bad > 0)
        result.leftOut << QString::number(context.bad) +
                              QStringLiteral(" lines that do not match the format: ") +
                              context.badNotes.join(QStringLiteral("; "));
    return result;
}

} // namespace loadscope
