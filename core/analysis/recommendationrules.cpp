#include "recommendationrules.h"

#include <algorithm>
#include <cmath>

#include <QJsonArray>

#include "analysis/statistics.h"
#include "analysis/usl.h"
#include "metrics/durationformat.h"

namespace loadscope::recommendrules {
namespace {

QString num(double v, int decimals = 1)
{
    return QString::number(v, 'f', decimals);
}

QString ms(double v)
{
    return formatDurationMs(v);
}

QString pct(double v)
{
    return num(v, 1) + QStringLiteral(" %");
}

QString kib(double bytes)
{
    return num(bytes / 1024.0, 1) + QStringLiteral(" KiB");
}

//! Nearest-rank quantile q ∈ [0, 1]; 0 when empty.
double quantile(QList<double> values, double q)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const auto rank = qsizetype(std::ceil(q * double(values.size())));
    return values[std::clamp<qsizetype>(rank - 1, 0, values.size() - 1)];
}

Recommendation make(const QString &area, const QString &impact, const QString &title,
                    const QString &detail, const QString &implementation, const QString &estimate,
                    const QJsonObject &evidence)
{
    Recommendation r;
    r.area = area;
    r.impact = impact;
    r.title = title;
    r.detail = detail;
    r.implementation = implementation;
    r.estimatedImprovement = estimate;
    r.evidence = evidence;
    return r;
}

//! Sum of a timing histogram spread over all requests, in ms (0 when missing).
double perRequestMs(const RunSummary &s, const QString &timing, qint64 requests)
{
    const auto it = s.timings.constFind(timing);
    if (it == s.timings.cend() || it->isEmpty() || requests <= 0)
        return 0;
    return it->mean() * double(it->count()) / double(requests) / 1000.0;
}

//! Mean time a VU spends on one iteration, without the wait for a free VU: an open model times
//! an iteration from its intended start (coordinated-omission correction), and that wait is
//! recorded as the first request's `blocked` time, so it is taken out here. 0 when unknown.
double iterationServiceMs(const RunSummary &s)
{
    if (s.iterationDuration.isEmpty())
        return 0;
    const double iterationMs = s.iterationDuration.mean() / 1000.0;
    if (!s.openModel)
        return iterationMs;
    const double waitMs = perRequestMs(s, QStringLiteral("blocked"), s.iterationDuration.count());
    const double serviceMs = iterationMs - waitMs;
    if (serviceMs > 0)
        return serviceMs;
    // Incomplete iterations can skew the subtraction: fall back on the request service times.
    const qint64 iterations = std::max<qint64>(1, s.totals.iterations);
    return s.duration.mean() / 1000.0 * double(s.duration.count()) / double(iterations);
}

QString loadText(double load, bool rate)
{
    return num(load, load < 10 ? 1 : 0) +
           (rate ? QStringLiteral(" iterations/s") : QStringLiteral(" VUs"));
}

QJsonArray levelsJson(const QList<LoadLevel> &levels)
{
    QJsonArray array;
    for (const LoadLevel &l : levels)
        array.append(QJsonObject{{QStringLiteral("load"), l.load},
                                 {QStringLiteral("throughputRps"), l.throughputRps},
                                 {QStringLiteral("p95Ms"), l.p95Ms},
                                 {QStringLiteral("meanMs"), l.meanMs},
                                 {QStringLiteral("errorRate"), l.errorRate()}});
    return array;
}

} // namespace

std::optional<Recommendation> loadGeneratorSaturated(const RecommendationInput &in)
{
    const RunSummary &s = in.summary;
    const int threads = std::max(1, in.workerThreads);
    QStringList reasons, estimates;
    QString impact = QStringLiteral("high");
    QJsonObject ev{{QStringLiteral("untrustworthy"), true},
                   {QStringLiteral("workerThreads"), threads}};

    const double perThread = quantile(in.generatorCpuPct, 0.9) / threads;
    if (perThread >= 90) {
        impact = QStringLiteral("critical");
        const int needed = int(std::ceil(threads * perThread / 70.0));
        reasons << QStringLiteral("the generator process used %1 CPU per worker thread (p90 over "
                                  "%2 intervals, %3 threads)")
                       .arg(pct(perThread))
                       .arg(in.generatorCpuPct.size())
                       .arg(threads);
        estimates << QStringLiteral("keeping the generator under 70 % CPU needs ~%1 worker threads "
                                    "(or machines) instead of %2")
                         .arg(needed)
                         .arg(threads);
        ev.insert(QStringLiteral("generatorCpuPerThreadP90"), perThread);
    }
    const double machine = quantile(in.machineCpuPct, 0.9);
    if (machine >= 95) {
        impact = QStringLiteral("critical");
        reasons << QStringLiteral("the generator's machine ran at %1 CPU (p90)").arg(pct(machine));
        ev.insert(QStringLiteral("machineCpuP90"), machine);
    }
    const qint64 dropped = s.totals.droppedIterations;
    if (dropped > 0) {
        const double planned = double(s.totals.iterations + dropped);
        const double share = double(dropped) / planned;
        if (share >= 0.05)
            impact = QStringLiteral("critical");
        reasons << QStringLiteral("%1 of %2 planned iterations (%3) were dropped: no VU was free")
                       .arg(dropped)
                       .arg(qint64(planned))
                       .arg(pct(100 * share));
        estimates << QStringLiteral("the target saw %1 less load than planned: %2 req/s measured "
                                    "for ~%3 req/s planned")
                         .arg(pct(100 * share), num(s.throughputRps()),
                              num(s.throughputRps() / (1 - share)));
        const double serviceMs = iterationServiceMs(s);
        if (serviceMs > 0 && s.durationSec > 0) {
            // Little's law: VUs busy = arrival rate × time a VU holds an iteration, plus 20 %
            // headroom. That time is the service time: an open model's iteration is timed from
            // its intended start, which includes the wait for a free VU, and sizing the pool on
            // that wait would ask for VUs to hold a queue that more VUs make disappear.
            const double rate = planned / s.durationSec;
            const double vus = std::ceil(rate * serviceMs / 1000.0 * 1.2);
            estimates << QStringLiteral("at %1 iterations/s of %2 service time each, Little's "
                                        "law needs ~%3 VUs")
                             .arg(num(rate), ms(serviceMs))
                             .arg(vus);
            ev.insert(QStringLiteral("vusNeeded"), vus);
            ev.insert(QStringLiteral("iterationServiceMs"), serviceMs);
        }
        ev.insert(QStringLiteral("droppedIterations"), dropped);
        ev.insert(QStringLiteral("droppedShare"), share);
    }
    if (reasons.isEmpty())
        return std::nullopt;
    return make(
        QStringLiteral("load generator"), impact,
        QStringLiteral("Load generator saturated: these results are not trustworthy"),
        QStringLiteral("The measurement itself was the bottleneck: ") +
            reasons.join(QStringLiteral("; ")) +
            QStringLiteral(". Latency and throughput above describe the generator as much "
                           "as the target; do not compare or gate on them."),
        QStringLiteral("Give the generator headroom: more worker threads (up to the cores), "
                       "a machine apart from the target, fewer VUs per worker; for open "
                       "models raise preAllocatedVUs/maxVUs."),
        estimates.isEmpty() ? QStringLiteral("a trustworthy measurement; no figure can be "
                                             "estimated from a saturated run")
                            : estimates.join(QStringLiteral("; ")),
        ev);
}

std::optional<Recommendation> throughputKnee(const RecommendationInput &in)
{
    const bool rate = in.summary.openModel;
    const QList<LoadLevel> levels = loadLevels(in.summary.timeline, rate);
    if (levels.size() < 3)
        return std::nullopt;
    double peak = 0;
    for (const LoadLevel &l : levels)
        peak = std::max(peak, l.throughputRps);
    qsizetype k = 0;
    while (levels[k].throughputRps < 0.95 * peak)
        ++k;
    const LoadLevel &knee = levels[k];
    const LoadLevel &last = levels.last();
    if (k + 1 == levels.size() || last.load < 1.25 * knee.load || last.p95Ms < 1.25 * knee.p95Ms ||
        last.p95Ms - knee.p95Ms < 1.0)
        return std::nullopt;

    const double gainPct = 100.0 * (last.throughputRps - knee.throughputRps) / knee.throughputRps;
    const double p95RisePct = 100.0 * (last.p95Ms - knee.p95Ms) / knee.p95Ms;
    // Little's law L = λ·W: closed model L is the VUs, so W = L/λ; open model L = λ·W.
    const double littleKnee =
        rate ? knee.throughputRps * knee.meanMs / 1000.0 : 1000.0 * knee.load / knee.throughputRps;
    const double littleLast =
        rate ? last.throughputRps * last.meanMs / 1000.0 : 1000.0 * last.load / last.throughputRps;
    const QString little =
        rate
            ? QStringLiteral("Little's law (L = λ·W): %1 req/s × %2 = %3 requests in flight at "
                             "the knee, %4 at %5.")
                  .arg(num(knee.throughputRps), ms(knee.meanMs), num(littleKnee), num(littleLast),
                       loadText(last.load, rate))
            : QStringLiteral("Little's law (L = λ·W): %1 / %2 req/s = %3 per request at the knee "
                             "(measured mean %4); at %5 it predicts %6 (measured %7): the extra "
                             "VUs only queue.")
                  .arg(loadText(knee.load, rate), num(knee.throughputRps), ms(littleKnee),
                       ms(knee.meanMs), loadText(last.load, rate), ms(littleLast), ms(last.meanMs));
    const double cutPct = 100.0 * (last.p95Ms - knee.p95Ms) / last.p95Ms;
    return make(
        QStringLiteral("infrastructure"),
        last.p95Ms >= 2 * knee.p95Ms ? QStringLiteral("high") : QStringLiteral("medium"),
        QStringLiteral("Throughput plateaus at ~%1 req/s from %2 while latency climbs")
            .arg(num(knee.throughputRps, 0), loadText(knee.load, rate)),
        QStringLiteral("Throughput reached %1 req/s at %2 and changed only %3 up to %4, while p95 "
                       "rose from %5 to %6 (+%7). ")
                .arg(num(knee.throughputRps), loadText(knee.load, rate), pct(gainPct),
                     loadText(last.load, rate), ms(knee.p95Ms), ms(last.p95Ms), pct(p95RisePct)) +
            little,
        QStringLiteral("Find the resource that saturates at %1 (CPU, connection or worker pools, "
                       "locks, the database) and scale it; meanwhile cap concurrency (admission "
                       "control) near %1 so queues do not build.")
            .arg(loadText(knee.load, rate)),
        QStringLiteral("staying at or below %1 keeps p95 ~%2 instead of %3 (−%4) for %5 req/s; "
                       "beyond %5 req/s more capacity is needed")
            .arg(loadText(knee.load, rate), ms(knee.p95Ms), ms(last.p95Ms), pct(cutPct),
                 num(knee.throughputRps, 0)),
        QJsonObject{{QStringLiteral("kneeLoad"), knee.load},
                    {QStringLiteral("kneeThroughputRps"), knee.throughputRps},
                    {QStringLiteral("kneeP95Ms"), knee.p95Ms},
                    {QStringLiteral("littleKnee"), littleKnee},
                    {QStringLiteral("levels"), levelsJson(levels)}});
}

std::optional<Recommendation> targetCpuSaturated(const RecommendationInput &in)
{
    if (in.targetPid > 0 && in.targetPid == in.generatorPid) {
        // One process, two roles: its CPU is the generator's as much as the target's, and
        // advising the target on it would blame the target for the generator's work.
        return make(
            QStringLiteral("infrastructure"), QStringLiteral("low"),
            QStringLiteral("Target CPU cannot be told apart from the generator's"),
            QStringLiteral("The target runs inside the load generator's own process (pid %1), "
                           "so the CPU measured there is both of theirs; no advice about the "
                           "target's CPU is given for this run.")
                .arg(in.targetPid),
            QStringLiteral("Run the target as a process of its own (loadscope-cli demo, or the "
                           "real server) so that its CPU is measured apart from the generator's."),
            QStringLiteral("none: this is a note on what the run can tell"),
            QJsonObject{{QStringLiteral("cannotTell"), true},
                        {QStringLiteral("generatorPid"), double(in.generatorPid)},
                        {QStringLiteral("targetPid"), double(in.targetPid)}});
    }
    if (in.targetCpuPct.size() < 3)
        return std::nullopt;
    const double cpu = quantile(in.targetCpuPct, 0.9);
    const double x = in.summary.throughputRps();
    if (cpu < 90 || x <= 0)
        return std::nullopt;
    const double meanCpu = mean(in.targetCpuPct);
    return make(
        QStringLiteral("infrastructure"), QStringLiteral("high"),
        QStringLiteral("Target CPU saturated (%1 p90)").arg(pct(cpu)),
        QStringLiteral("The target's CPU was at %1 (p90, mean %2) while it served %3 req/s: "
                       "CPU is the limit of this run.")
            .arg(pct(cpu), pct(meanCpu), num(x)),
        QStringLiteral("Profile the hot path under load (perf, flame graphs) and cut CPU "
                       "per request (serialization, logging, crypto, allocations), or add "
                       "cores/instances behind the load balancer."),
        QStringLiteral("%1 req/s at %2 CPU: a second instance would allow up to ~%3 req/s "
                       "if the work scales linearly; 30 % less CPU per request gives "
                       "~%4 req/s")
            .arg(num(x), pct(meanCpu), num(2 * x, 0), num(x / 0.7, 0)),
        QJsonObject{{QStringLiteral("targetCpuP90"), cpu},
                    {QStringLiteral("targetCpuMean"), meanCpu},
                    {QStringLiteral("throughputRps"), x},
                    {QStringLiteral("targetPid"), double(in.targetPid)},
                    {QStringLiteral("generatorPid"), double(in.generatorPid)}});
}

std::optional<Recommendation> errorsRisingWithConcurrency(const RecommendationInput &in)
{
    const bool rate = in.summary.openModel;
    const QList<LoadLevel> levels = loadLevels(in.summary.timeline, rate);
    if (levels.size() < 2)
        return std::nullopt;
    qsizetype first = 0;
    while (first < levels.size() && levels[first].errorRate() <= 0.01)
        ++first;
    if (first == 0 || first == levels.size() || levels.last().errorRate() <= 0.01 ||
        levels[first].requests < 20)
        return std::nullopt;
    qint64 failed = 0, sent = 0;
    double maxRate = 0;
    for (qsizetype i = first; i < levels.size(); ++i) {
        failed += levels[i].errors;
        sent += levels[i].requests;
        maxRate = std::max(maxRate, levels[i].errorRate());
    }
    const LoadLevel &ok = levels[first - 1];
    const LoadLevel &bad = levels[first];
    const QJsonObject classes = in.summary.totals.errorsByClassJson();
    QStringList classText;
    for (auto it = classes.begin(); it != classes.end(); ++it)
        classText << it.key() + u' ' + QString::number(it.value().toInteger());
    const QString impact = maxRate >= 0.2    ? QStringLiteral("critical")
                           : maxRate >= 0.05 ? QStringLiteral("high")
                                             : QStringLiteral("medium");
    return make(
        QStringLiteral("infrastructure"), impact,
        QStringLiteral("Errors begin at %1").arg(loadText(bad.load, rate)),
        QStringLiteral("The error rate stayed at %1 up to %2 and reached %3 at %4 (at most %5 "
                       "above it)%6.")
            .arg(pct(100 * ok.errorRate()), loadText(ok.load, rate), pct(100 * bad.errorRate()),
                 loadText(bad.load, rate), pct(100 * maxRate),
                 classText.isEmpty() ? QString()
                                     : QStringLiteral("; errors by class: ") +
                                           classText.join(QStringLiteral(", "))),
        QStringLiteral("Find the limit that breaks at %1: connection or worker pool sizes, "
                       "accept backlog, file descriptors, rate limiters, timeouts of a "
                       "dependency; raise it or shed load gracefully (429 with Retry-After).")
            .arg(loadText(bad.load, rate)),
        QStringLiteral("capping concurrency at %1 (%2 req/s, %3 errors) would avoid ~%4 of the "
                       "%5 requests sent at or above %6 (%7 failed)")
            .arg(loadText(ok.load, rate), num(ok.throughputRps), pct(100 * ok.errorRate()))
            .arg(failed)
            .arg(sent)
            .arg(loadText(bad.load, rate), pct(100.0 * double(failed) / double(sent))),
        QJsonObject{{QStringLiteral("firstErrorLoad"), bad.load},
                    {QStringLiteral("lastHealthyLoad"), ok.load},
                    {QStringLiteral("maxErrorRate"), maxRate},
                    {QStringLiteral("errorsByClass"), classes},
                    {QStringLiteral("levels"), levelsJson(levels)}});
}

std::optional<Recommendation> tailRatio(const RecommendationInput &in)
{
    const RunSummary &s = in.summary;
    // An aggregated import has no histogram: the percentiles its tool gave, when it gave both.
    const QJsonObject given = s.extras.aggregated.value(QLatin1String("latencyMs")).toObject();
    const bool fromGiven = s.duration.isEmpty() && given.contains(QLatin1String("p99"));
    const LatencyStats st = fromGiven ? LatencyStats::fromJson(given, s.totals.requests)
                                      : LatencyStats::fromHistogram(s.duration);
    if (st.count < 100 || st.p50Ms <= 0)
        return std::nullopt;
    const double ratio = st.p99Ms / st.p50Ms;
    // A 10× tail of a sub-millisecond call costs nobody anything: demand 5 ms of spread too.
    if (ratio <= 5 || st.p99Ms - st.p50Ms < 5)
        return std::nullopt;
    const double target = 3 * st.p50Ms;
    return make(QStringLiteral("code"),
                ratio > 10 ? QStringLiteral("high") : QStringLiteral("medium"),
                QStringLiteral("Long latency tail: p99 is %1× p50").arg(num(ratio)),
                QStringLiteral("p50 is %1 but p99 is %2 (%3×) and max %4 over %5 requests: one "
                               "request in a hundred waits far longer than the typical one.")
                    .arg(ms(st.p50Ms), ms(st.p99Ms), num(ratio), ms(st.maxMs))
                    .arg(st.count),
                QStringLiteral("Look for what only some requests hit: GC pauses, lock contention, "
                               "cold caches, slow queries on some keys, retries; trace the slow "
                               "ones (Server-Timing), bound queues and set timeouts."),
                QStringLiteral("p99 −%1 (from %2 to ~%3) if the tail is brought to 3× the median")
                    .arg(pct(100 * (st.p99Ms - target) / st.p99Ms), ms(st.p99Ms), ms(target)),
                QJsonObject{{QStringLiteral("p50Ms"), st.p50Ms},
                            {QStringLiteral("p99Ms"), st.p99Ms},
                            {QStringLiteral("ratio"), ratio},
                            {QStringLiteral("requests"), st.count}});
}

std::optional<Recommendation> connectionSetupShare(const RecommendationInput &in)
{
    const RunSummary &s = in.summary;
    const qint64 requests = s.totals.requests;
    if (requests < 20 || s.duration.isEmpty())
        return std::nullopt;
    const double connect = perRequestMs(s, QStringLiteral("connecting"), requests);
    const double tls = perRequestMs(s, QStringLiteral("tls_handshaking"), requests);
    const double service = s.duration.mean() / 1000.0;
    const double total = connect + tls + service;
    const double share = total > 0 ? (connect + tls) / total : 0;
    if (share <= 0.2)
        return std::nullopt;
    // Values of 0 (a reused connection) are recorded as 1 µs: count only the real connects.
    const auto it = s.timings.constFind(QStringLiteral("connecting"));
    const qint64 opened =
        it == s.timings.cend() ? 0 : it->countBetween(2, LatencyHistogram::kHighestValue);
    return make(
        QStringLiteral("network"), share > 0.4 ? QStringLiteral("high") : QStringLiteral("medium"),
        QStringLiteral("Connection set-up takes %1 of request time").arg(pct(100 * share)),
        QStringLiteral("Per request, connecting took %1 and TLS %2 on average against %3 of "
                       "request duration; %4 of %5 requests opened a new connection.")
            .arg(ms(connect), ms(tls), ms(service))
            .arg(opened)
            .arg(requests),
        QStringLiteral("Reuse connections: HTTP keep-alive on the server and proxies (no "
                       "'Connection: close', idle timeout longer than the clients'), connection "
                       "pooling in clients, TLS session resumption."),
        QStringLiteral("mean time per request −%1 (from %2 to ~%3) if connection reuse removes "
                       "the %4 of connect and TLS time")
            .arg(pct(100 * share), ms(total), ms(service), ms(connect + tls)),
        QJsonObject{{QStringLiteral("connectingMsPerRequest"), connect},
                    {QStringLiteral("tlsMsPerRequest"), tls},
                    {QStringLiteral("durationMeanMs"), service},
                    {QStringLiteral("share"), share},
                    {QStringLiteral("newConnections"), opened}});
}

std::optional<Recommendation> largeResponses(const RecommendationInput &in)
{
    const RunSummary &s = in.summary;
    if (s.totals.requests <= 0)
        return std::nullopt;
    const double avg = double(s.totals.bytesIn) / double(s.totals.requests);
    if (avg <= 100 * 1024)
        return std::nullopt;
    constexpr double kSaving = 0.7; // typical gzip ratio on JSON and text
    const double mbPerSec =
        s.durationSec > 0 ? kSaving * double(s.totals.bytesIn) / s.durationSec / (1024.0 * 1024.0)
                          : 0;
    const double receiving = perRequestMs(s, QStringLiteral("receiving"), s.totals.requests);
    QString estimate =
        QStringLiteral("compression (typically −70 % on JSON) would cut responses "
                       "from %1 to ~%2, saving %3 MiB/s at this run's %4 req/s")
            .arg(kib(avg), kib(avg * (1 - kSaving)), num(mbPerSec), num(s.throughputRps()));
    if (receiving > 0)
        estimate += QStringLiteral(" and ~%1 of the %2 receiving time per request")
                        .arg(ms(kSaving * receiving), ms(receiving));
    return make(QStringLiteral("api"),
                avg > 1024 * 1024 ? QStringLiteral("high") : QStringLiteral("medium"),
                QStringLiteral("Large responses: %1 on average").arg(kib(avg)),
                QStringLiteral("%1 requests received %2 MiB in all, %3 per response.")
                    .arg(s.totals.requests)
                    .arg(num(double(s.totals.bytesIn) / (1024.0 * 1024.0)), kib(avg)),
                QStringLiteral("Compress responses (Content-Encoding gzip or br), paginate or "
                               "let clients select fields, drop unused fields."),
                estimate,
                QJsonObject{{QStringLiteral("bytesPerResponse"), avg},
                            {QStringLiteral("bytesIn"), s.totals.bytesIn},
                            {QStringLiteral("receivingMsPerRequest"), receiving}});
}

std::optional<Recommendation> serverTimingDominant(const RecommendationInput &in)
{
    const RunSummary &s = in.summary;
    QString top;
    double topMs = 0, sum = 0, total = 0;
    int components = 0;
    for (auto it = s.serverTiming.cbegin(); it != s.serverTiming.cend(); ++it) {
        const double p50 = LatencyStats::fromHistogram(*it).p50Ms;
        if (it.key().compare(QLatin1String("total"), Qt::CaseInsensitive) == 0) {
            total = p50;
            continue;
        }
        ++components;
        sum += p50;
        if (p50 > topMs) {
            topMs = p50;
            top = it.key();
        }
    }
    // One component alone is 100 % of itself: a share means something only against a total
    // or other components.
    const double whole = total > 0 ? total : (components >= 2 ? sum : 0);
    if (whole <= 0 || topMs < 1)
        return std::nullopt;
    const double share = topMs / whole;
    if (share <= 0.6)
        return std::nullopt;

    const QString lower = top.toLower();
    QString area = QStringLiteral("code");
    QString how = QStringLiteral("Profile %1 (it is the server's hot spot), cache its results "
                                 "where inputs repeat, move work off the request path.")
                      .arg(top);
    if (lower.contains(QLatin1String("infer")) || lower.contains(QLatin1String("predict")) ||
        lower.contains(QLatin1String("model"))) {
        area = QStringLiteral("model");
        how = QStringLiteral("Batch inference requests (dynamic batching), cache predictions for "
                             "repeated inputs, use a smaller/quantized model or an optimized "
                             "runtime; keep the model loaded between requests.");
    } else if (lower.contains(QLatin1String("db")) || lower.contains(QLatin1String("sql")) ||
               lower.contains(QLatin1String("query")) ||
               lower.contains(QLatin1String("database"))) {
        area = QStringLiteral("database");
        how = QStringLiteral("Check the query plans (EXPLAIN) for %1, add the missing indexes, "
                             "fetch less (projections, pagination), cache hot reads, size the "
                             "connection pool.")
                  .arg(top);
    }
    const double clientP50 = LatencyStats::fromHistogram(s.duration).p50Ms;
    QString estimate =
        QStringLiteral("halving %1 (%2) would cut the server time from %3 to ~%4 "
                       "(−%5)")
            .arg(top, ms(topMs), ms(whole), ms(whole - topMs / 2), pct(100 * topMs / 2 / whole));
    if (clientP50 > topMs / 2)
        estimate +=
            QStringLiteral(" and the client p50 from %1 to ~%2 (−%3)")
                .arg(ms(clientP50), ms(clientP50 - topMs / 2), pct(100 * topMs / 2 / clientP50));
    return make(
        area, share > 0.8 ? QStringLiteral("high") : QStringLiteral("medium"),
        QStringLiteral("Server-Timing: %1 takes %2 of the server time").arg(top, pct(100 * share)),
        QStringLiteral("The median %1 is %2 of a median server time of %3 (%4), as "
                       "reported in the Server-Timing header.")
            .arg(top, ms(topMs), ms(whole),
                 total > 0 ? QStringLiteral("'total'") : QStringLiteral("sum of components")),
        how, estimate,
        QJsonObject{{QStringLiteral("component"), top},
                    {QStringLiteral("componentP50Ms"), topMs},
                    {QStringLiteral("serverP50Ms"), whole},
                    {QStringLiteral("share"), share}});
}

std::optional<Recommendation> endpointDominatesFlow(const RecommendationInput &in)
{
    const RunSummary &s = in.summary;
    if (s.endpoints.size() < 2 || s.iterationDuration.isEmpty() || s.totals.iterations <= 0)
        return std::nullopt;
    const double iterationMs = s.iterationDuration.mean() / 1000.0;
    const EndpointSummary *top = nullptr;
    double topMs = 0;
    for (const EndpointSummary &e : s.endpoints) {
        // An endpoint called several times per iteration counts that many times.
        const double perIteration =
            e.duration.mean() / 1000.0 * double(e.totals.requests) / double(s.totals.iterations);
        if (perIteration > topMs) {
            topMs = perIteration;
            top = &e;
        }
    }
    if (!top || iterationMs <= 0)
        return std::nullopt;
    const double share = topMs / iterationMs;
    if (share <= 0.6)
        return std::nullopt;
    return make(
        QStringLiteral("api"), share > 0.8 ? QStringLiteral("high") : QStringLiteral("medium"),
        QStringLiteral("%1 takes %2 of each flow iteration").arg(top->name, pct(100 * share)),
        QStringLiteral("Of a mean iteration of %1 over %2 steps, %3 takes %4 (p95 %5).")
            .arg(ms(iterationMs))
            .arg(s.endpoints.size())
            .arg(top->name, ms(topMs), ms(LatencyStats::fromHistogram(top->duration).p95Ms)),
        QStringLiteral("Optimize %1 first: it bounds the whole flow. Cache or precompute "
                       "its result, make it asynchronous, or run independent steps in "
                       "parallel with it.")
            .arg(top->name),
        QStringLiteral("halving %1 (%2 per iteration) would cut the flow from %3 to ~%4 "
                       "(−%5)")
            .arg(top->name, ms(topMs), ms(iterationMs), ms(iterationMs - topMs / 2),
                 pct(100 * topMs / 2 / iterationMs)),
        QJsonObject{{QStringLiteral("endpoint"), top->name},
                    {QStringLiteral("msPerIteration"), topMs},
                    {QStringLiteral("iterationMeanMs"), iterationMs},
                    {QStringLiteral("share"), share}});
}

} // namespace loadscope::recommendrules
