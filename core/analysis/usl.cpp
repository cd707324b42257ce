#include "usl.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "analysis/statistics.h"

namespace loadscope {
namespace {

using Points = QList<QPair<double, double>>;
using Params = std::array<double, 3>; // λ, σ, κ

double denominator(double n, double sigma, double kappa)
{
    return 1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0);
}

double model(const Params &p, double n)
{
    return p[0] * n / denominator(n, p[1], p[2]);
}

double sse(const Points &pts, const Params &p)
{
    double sum = 0;
    for (const auto &[n, x] : pts) {
        const double e = x - model(p, n);
        sum += e * e;
    }
    return sum;
}

// Keeps λ > 0, σ ∈ [0, 1], κ ≥ 0.
Params clamped(Params p)
{
    p[0] = std::max(p[0], 1e-12);
    p[1] = std::clamp(p[1], 0.0, 1.0);
    p[2] = std::max(p[2], 0.0);
    return p;
}

// For fixed σ and κ the model is linear in λ, so λ has a closed form: the grid that seeds the
// iteration then only spans two dimensions.
Params bestLambda(const Points &pts, double sigma, double kappa)
{
    double gx = 0, gg = 0;
    for (const auto &[n, x] : pts) {
        const double g = n / denominator(n, sigma, kappa);
        gx += g * x;
        gg += g * g;
    }
    return clamped({gg > 0 ? gx / gg : 0.0, sigma, kappa});
}

// Solves the 3×3 system a·x = b by Gaussian elimination with partial pivoting; rows and columns
// flagged in @p fixed are held at 0. Returns false when singular.
bool solve3(std::array<std::array<double, 3>, 3> a, Params b, const std::array<bool, 3> &fixed,
            Params *x)
{
    for (int i = 0; i < 3; ++i)
        if (fixed[size_t(i)]) {
            a[size_t(i)] = {0, 0, 0};
            a[size_t(i)][size_t(i)] = 1;
            b[size_t(i)] = 0;
            for (int r = 0; r < 3; ++r)
                if (r != i)
                    a[size_t(r)][size_t(i)] = 0;
        }
    for (int c = 0; c < 3; ++c) {
        int pivot = c;
        for (int r = c + 1; r < 3; ++r)
            if (std::abs(a[size_t(r)][size_t(c)]) > std::abs(a[size_t(pivot)][size_t(c)]))
                pivot = r;
        if (std::abs(a[size_t(pivot)][size_t(c)]) < 1e-300)
            return false;
        std::swap(a[size_t(c)], a[size_t(pivot)]);
        std::swap(b[size_t(c)], b[size_t(pivot)]);
        for (int r = c + 1; r < 3; ++r) {
            const double f = a[size_t(r)][size_t(c)] / a[size_t(c)][size_t(c)];
            for (int k = c; k < 3; ++k)
                a[size_t(r)][size_t(k)] -= f * a[size_t(c)][size_t(k)];
            b[size_t(r)] -= f * b[size_t(c)];
        }
    }
    for (int r = 2; r >= 0; --r) {
        double s = b[size_t(r)];
        for (int k = r + 1; k < 3; ++k)
            s -= a[size_t(r)][size_t(k)] * (*x)[size_t(k)];
        (*x)[size_t(r)] = s / a[size_t(r)][size_t(r)];
    }
    return true;
}

// One Levenberg–Marquardt step with Marquardt's diagonal scaling (κ is orders of magnitude
// smaller than λ, so an undamped identity would not do). A parameter sitting on a bound whose
// step points outward is held there (a projected, active-set step).
bool lmStep(const Points &pts, const Params &p, double mu, Params *next)
{
    std::array<std::array<double, 3>, 3> jtj{};
    Params jtr{};
    for (const auto &[n, x] : pts) {
        const double d = denominator(n, p[1], p[2]);
        const double f = p[0] * n / d;
        const Params j{n / d, -f * (n - 1.0) / d, -f * n * (n - 1.0) / d};
        const double r = x - f;
        for (size_t a = 0; a < 3; ++a) {
            jtr[a] += j[a] * r;
            for (size_t b = 0; b < 3; ++b)
                jtj[a][b] += j[a] * j[b];
        }
    }
    for (size_t a = 0; a < 3; ++a)
        jtj[a][a] += mu * std::max(jtj[a][a], 1e-300);
    std::array<bool, 3> fixed{false, false, false};
    Params step{};
    for (int pass = 0; pass < 3; ++pass) {
        if (!solve3(jtj, jtr, fixed, &step))
            return false;
        bool changed = false;
        const auto hold = [&](size_t i, bool atBound) {
            if (atBound && !fixed[i]) {
                fixed[i] = true;
                changed = true;
            }
        };
        hold(1, (p[1] <= 0 && step[1] < 0) || (p[1] >= 1 && step[1] > 0));
        hold(2, p[2] <= 0 && step[2] < 0);
        if (!changed)
            break;
    }
    *next = clamped({p[0] + step[0], p[1] + step[1], p[2] + step[2]});
    return true;
}

QString num(double v, int decimals = 1)
{
    return QString::number(v, 'f', decimals);
}

} // namespace

double UslFit::at(double n) const
{
    return model({lambda, sigma, kappa}, n);
}

QJsonObject UslFit::toJson() const
{
    auto finite = [](double v) { return std::isfinite(v) ? QJsonValue(v) : QJsonValue(); };
    return QJsonObject{{QStringLiteral("valid"), valid},
                       {QStringLiteral("peakReported"), peakReported},
                       {QStringLiteral("message"), message},
                       {QStringLiteral("method"), QStringLiteral("levenberg-marquardt")},
                       {QStringLiteral("points"), points},
                       {QStringLiteral("distinctLevels"), distinctLevels},
                       {QStringLiteral("minLevels"), kMinLevels},
                       {QStringLiteral("lambda"), lambda},
                       {QStringLiteral("sigma"), sigma},
                       {QStringLiteral("kappa"), kappa},
                       {QStringLiteral("r2"), r2},
                       {QStringLiteral("minR2"), kMinR2},
                       {QStringLiteral("residualRms"), residualRms},
                       {QStringLiteral("relativeResidualRms"), relativeResidualRms},
                       {QStringLiteral("maxMeasuredConcurrency"), maxMeasuredConcurrency},
                       {QStringLiteral("peakConcurrency"), finite(peakConcurrency)},
                       {QStringLiteral("peakThroughput"), finite(peakThroughput)}};
}

UslFit fitUsl(const Points &points)
{
    UslFit fit;
    Points pts;
    QList<double> distinct;
    double maxX = 0;
    for (const auto &p : points) {
        if (!(p.first > 0) || !std::isfinite(p.first) || !std::isfinite(p.second))
            continue;
        pts.append(p);
        if (std::none_of(distinct.cbegin(), distinct.cend(),
                         [&p](double n) { return std::abs(n - p.first) <= 1e-9 * n; }))
            distinct.append(p.first);
        fit.maxMeasuredConcurrency = std::max(fit.maxMeasuredConcurrency, p.first);
        maxX = std::max(maxX, p.second);
    }
    fit.points = int(pts.size());
    fit.distinctLevels = int(distinct.size());
    if (fit.distinctLevels < UslFit::kMinLevels) {
        fit.message = QStringLiteral("the USL fit needs throughput at %1 or more distinct steady "
                                     "concurrency levels (three parameters and a residual), "
                                     "got %2")
                          .arg(UslFit::kMinLevels)
                          .arg(fit.distinctLevels);
        return fit;
    }

    // Seed: coarse grid over σ (linear) and κ (0 or log-spaced 1e-8 … 1, 3 per decade).
    Params best = bestLambda(pts, 0, 0);
    double bestSse = sse(pts, best);
    for (int i = 0; i <= 20; ++i) {
        for (int j = -1; j <= 24; ++j) {
            const double kappa = j < 0 ? 0.0 : std::pow(10.0, -8.0 + j / 3.0);
            const Params p = bestLambda(pts, i / 20.0, kappa);
            const double e = sse(pts, p);
            if (e < bestSse) {
                best = p;
                bestSse = e;
            }
        }
    }

    // Levenberg–Marquardt: accept a step that lowers the SSE and trust the model more (μ /3),
    // else damp harder (μ ×4). Stops when the SSE no longer moves or μ blows up.
    double mu = 1e-3;
    for (int iter = 0; iter < 500 && mu < 1e12; ++iter) {
        Params next;
        if (!lmStep(pts, best, mu, &next))
            break;
        const double e = sse(pts, next);
        fit.iterations = iter + 1;
        if (e < bestSse) {
            const bool converged = bestSse - e <= 1e-14 * std::max(bestSse, 1e-300);
            best = next;
            bestSse = e;
            mu = std::max(mu / 3.0, 1e-12);
            if (converged)
                break;
        } else {
            mu *= 4.0;
        }
    }

    fit.lambda = best[0];
    fit.sigma = best[1];
    fit.kappa = best[2];
    QList<double> xs;
    for (const auto &p : pts)
        xs.append(p.second);
    const double mx = mean(xs);
    double sst = 0;
    for (double x : xs)
        sst += (x - mx) * (x - mx);
    fit.r2 = sst > 0 ? 1.0 - bestSse / sst : (bestSse <= 0 ? 1.0 : 0.0);
    fit.residualRms = std::sqrt(bestSse / double(pts.size()));
    fit.relativeResidualRms = mx > 0 ? fit.residualRms / mx : 0;

    if (fit.r2 < UslFit::kMinR2) {
        fit.message =
            QStringLiteral("the USL fits poorly (R² %1 < %2, residual RMS %3 % of the "
                           "mean throughput): no peak reported")
                .arg(num(fit.r2, 3), num(UslFit::kMinR2, 2), num(100 * fit.relativeResidualRms));
        return fit;
    }
    fit.valid = true;

    const double nMax = fit.maxMeasuredConcurrency;
    // κ "without evidence": the coherency term adds under 1 % to the denominator at the
    // largest measured N, so the data shows no retrograde scaling to place a peak on.
    const double coherency = fit.kappa * nMax * (nMax - 1.0);
    if (fit.sigma >= 1.0) {
        fit.message = QStringLiteral("σ is at its bound 1 (throughput does not grow with "
                                     "concurrency over the measured levels): no peak reported");
    } else if (coherency < 0.01 * denominator(nMax, fit.sigma, 0)) {
        fit.message =
            fit.sigma > 0
                ? QStringLiteral("no coherency cost measured (κ ≈ 0): throughput approaches "
                                 "λ/σ = %1 req/s without a peak in the measured range")
                      .arg(num(fit.lambda / fit.sigma))
                : QStringLiteral("throughput scales linearly (σ ≈ 0, κ ≈ 0) over the measured "
                                 "levels: no peak in sight");
    } else {
        const double nStar = std::sqrt((1.0 - fit.sigma) / fit.kappa);
        const double xStar = fit.at(nStar);
        if (nStar > UslFit::kMaxPeakExtrapolation * nMax)
            fit.message = QStringLiteral("the fitted peak (N* = %1) lies beyond %2 × the highest "
                                         "measured concurrency %3: an extrapolation, not reported")
                              .arg(num(nStar), num(UslFit::kMaxPeakExtrapolation, 0), num(nMax));
        else if (xStar < 0.95 * maxX)
            fit.message = QStringLiteral("the fitted peak %1 req/s is below the measured %2 req/s: "
                                         "not reported")
                              .arg(num(xStar), num(maxX));
        else {
            fit.peakReported = true;
            fit.peakConcurrency = nStar;
            fit.peakThroughput = xStar;
        }
    }
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
