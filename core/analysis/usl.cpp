#include "usl.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "analysis/statistics.h"

namespace loadscope {
namespace {

struct Candidate
{
    double sigma = 0;
    double kappa = 0;
    double lambda = 0;
    double sse = std::numeric_limits<double>::max();
};

double denominator(double n, double sigma, double kappa)
{
    return 1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0);
}

// For fixed σ and κ the model is linear in λ, so λ has a closed form.
Candidate evaluate(const QList<QPair<double, double>> &pts, double sigma, double kappa)
{
    Candidate c{sigma, kappa, 0, 0};
    double gx = 0, gg = 0;
    for (const auto &[n, x] : pts) {
        const double g = n / denominator(n, sigma, kappa);
        gx += g * x;
        gg += g * g;
    }
    c.lambda = gg > 0 ? gx / gg : 0;
    for (const auto &[n, x] : pts) {
        const double e = x - c.lambda * n / denominator(n, sigma, kappa);
        c.sse += e * e;
    }
    return c;
}

} // namespace

double UslFit::at(double n) const
{
    return lambda * n / denominator(n, sigma, kappa);
}

QJsonObject UslFit::toJson() const
{
    auto num = [](double v) { return std::isfinite(v) ? QJsonValue(v) : QJsonValue(); };
    return QJsonObject{{QStringLiteral("valid"), valid},
                       {QStringLiteral("message"), message},
                       {QStringLiteral("points"), points},
                       {QStringLiteral("lambda"), lambda},
                       {QStringLiteral("sigma"), sigma},
                       {QStringLiteral("kappa"), kappa},
                       {QStringLiteral("r2"), r2},
                       {QStringLiteral("peakConcurrency"), num(peakConcurrency)},
                       {QStringLiteral("peakThroughput"), num(peakThroughput)}};
}

UslFit fitUsl(const QList<QPair<double, double>> &points)
{
    UslFit fit;
    QList<QPair<double, double>> pts;
    QList<double> distinct;
    for (const auto &p : points) {
        if (!(p.first > 0) || !std::isfinite(p.second))
            continue;
        pts.append(p);
        if (!distinct.contains(p.first))
            distinct.append(p.first);
    }
    fit.points = int(pts.size());
    if (distinct.size() < 3) {
        fit.message = QStringLiteral("the USL fit needs throughput at three or more distinct "
                                     "concurrency levels, got %1")
                          .arg(distinct.size());
        return fit;
    }

    // Coarse grid: σ linear in [0, 1], κ 0 or log-spaced over 1e-7 … 1.
    Candidate best;
    for (int i = 0; i <= 100; ++i) {
        const double sigma = i / 100.0;
        for (int j = -1; j <= 70; ++j) {
            const double kappa = j < 0 ? 0.0 : std::pow(10.0, -7.0 + j * 0.1);
            const Candidate c = evaluate(pts, sigma, kappa);
            if (c.sse < best.sse)
                best = c;
        }
    }
    // Pattern search: try a step each way per parameter, halve the steps when none helps.
    double stepSigma = 0.01;
    double stepKappa = std::max(best.kappa * 0.3, 1e-8);
    for (int iter = 0; iter < 2000 && (stepSigma > 1e-10 || stepKappa > 1e-13); ++iter) {
        bool improved = false;
        const double moves[4][2] = {
            {stepSigma, 0}, {-stepSigma, 0}, {0, stepKappa}, {0, -stepKappa}};
        for (const auto &m : moves) {
            const double s = std::clamp(best.sigma + m[0], 0.0, 1.0);
            const double k = std::max(0.0, best.kappa + m[1]);
            const Candidate c = evaluate(pts, s, k);
            if (c.sse < best.sse) {
                best = c;
                improved = true;
            }
        }
        if (!improved) {
            stepSigma /= 2;
            stepKappa /= 2;
        }
    }

    fit.lambda = best.lambda;
    fit.sigma = best.sigma;
    fit.kappa = best.kappa;
    QList<double> xs;
    for (const auto &p : pts)
        xs.append(p.second);
    const double mx = mean(xs);
    double sst = 0;
    for (double x : xs)
        sst += (x - mx) * (x - mx);
    fit.r2 = sst > 0 ? 1.0 - best.sse / sst : 1.0;
    if (fit.kappa > 0 && fit.sigma < 1) {
        fit.peakConcurrency = std::sqrt((1.0 - fit.sigma) / fit.kappa);
        fit.peakThroughput = fit.at(fit.peakConcurrency);
    }
    fit.valid = fit.lambda > 0;
    if (!fit.valid)
        fit.message = QStringLiteral("the USL fit found no positive throughput");
    return fit;
}

QList<LoadLevel> loadLevels(const QList<IntervalSample> &timeline, bool byPlannedTarget)
{
    struct Acc
    {
        LoadLevel level;
        double sumMs = 0;
        double sumRps = 0;
        QList<double> p95s;
    };
    QList<Acc> accs;
    for (const IntervalSample &s : timeline) {
        if (s.overall.totals.requests <= 0 || s.intervalSec <= 0)
            continue;
        const double load =
            byPlannedTarget || s.activeVus <= 0 ? s.plannedTarget : double(s.activeVus);
        if (load <= 0)
            continue;
        auto it = std::find_if(accs.begin(), accs.end(), [load](const Acc &a) {
            return std::abs(a.level.load - load) <= 0.02 * std::max(a.level.load, load);
        });
        if (it == accs.end()) {
            accs.append(Acc{});
            it = accs.end() - 1;
            it->level.load = load;
        }
        it->level.intervals += 1;
        it->level.requests += s.overall.totals.requests;
        it->level.errors += s.overall.totals.errors;
        it->sumRps += s.throughputRps();
        it->sumMs += s.overall.latency.meanMs * double(s.overall.totals.requests);
        if (s.overall.latency.count > 0)
            it->p95s.append(s.overall.latency.p95Ms);
    }
    QList<LoadLevel> levels;
    for (Acc &a : accs) {
        a.level.throughputRps = a.sumRps / a.level.intervals;
        a.level.meanMs = a.level.requests > 0 ? a.sumMs / double(a.level.requests) : 0;
        a.level.p95Ms = median(a.p95s);
        levels.append(a.level);
    }
    std::sort(levels.begin(), levels.end(),
              [](const LoadLevel &a, const LoadLevel &b) { return a.load < b.load; });
    return levels;
}

} // namespace loadscope
