#include "statistics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

namespace loadscope {
namespace {

constexpr int kExactMaxProduct = 400;

// Exact null distribution of U for sizes m, n (no ties): counts of the C(m+n, m) orderings
// per value of U, by the recurrence f(u; m, n) = f(u − n; m − 1, n) + f(u; m, n − 1).
std::vector<double> exactUCounts(int m, int n)
{
    const int maxU = m * n;
    // table[j] for the current i holds the counts for (i, j) sizes.
    std::vector<std::vector<std::vector<double>>> f(
        size_t(m + 1), std::vector<std::vector<double>>(size_t(n + 1)));
    for (int i = 0; i <= m; ++i) {
        for (int j = 0; j <= n; ++j) {
            std::vector<double> &cur = f[size_t(i)][size_t(j)];
            cur.assign(size_t(i * j + 1), 0.0);
            if (i == 0 || j == 0) {
                cur[0] = 1.0;
                continue;
            }
            const std::vector<double> &left = f[size_t(i - 1)][size_t(j)];
            const std::vector<double> &down = f[size_t(i)][size_t(j - 1)];
            for (int u = 0; u <= i * j; ++u) {
                double c = 0;
                if (u - j >= 0 && size_t(u - j) < left.size())
                    c += left[size_t(u - j)];
                if (size_t(u) < down.size())
                    c += down[size_t(u)];
                cur[size_t(u)] = c;
            }
        }
    }
    std::vector<double> result = f[size_t(m)][size_t(n)];
    result.resize(size_t(maxU + 1), 0.0);
    return result;
}

} // namespace

QJsonObject MannWhitneyResult::toJson() const
{
    return QJsonObject{{QStringLiteral("n1"), n1},      {QStringLiteral("n2"), n2},
                       {QStringLiteral("u"), u},        {QStringLiteral("u1"), u1},
                       {QStringLiteral("z"), z},        {QStringLiteral("pValue"), pValue},
                       {QStringLiteral("exact"), exact}};
}

double normalTwoSidedP(double z)
{
    return std::min(1.0, std::erfc(std::abs(z) / std::sqrt(2.0)));
}

namespace {

// Continued fraction of the incomplete beta (modified Lentz), converging fast for
// x < (a + 1)/(a + b + 2); incompleteBeta() uses the symmetry otherwise.
double betaContinuedFraction(double x, double a, double b)
{
    constexpr double tiny = 1e-300;
    constexpr double epsilon = 1e-15;
    double c = 1;
    double d = 1 - (a + b) * x / (a + 1);
    d = 1 / (std::abs(d) < tiny ? tiny : d);
    double h = d;
    for (int m = 1; m <= 500; ++m) {
        const double m2 = 2.0 * m;
        // Even step, then odd step of the fraction.
        double aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
        d = 1 + aa * d;
        d = 1 / (std::abs(d) < tiny ? tiny : d);
        c = 1 + aa / (std::abs(c) < tiny ? tiny : c);
        h *= d * c;
        aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
        d = 1 + aa * d;
        d = 1 / (std::abs(d) < tiny ? tiny : d);
        c = 1 + aa / (std::abs(c) < tiny ? tiny : c);
        const double step = d * c;
        h *= step;
        if (std::abs(step - 1) < epsilon)
            break;
    }
    return h;
}

} // namespace

double incompleteBeta(double x, double a, double b)
{
    if (!(x > 0))
        return 0;
    if (!(x < 1))
        return 1;
    const double front = std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) +
                                  a * std::log(x) + b * std::log1p(-x));
    if (x < (a + 1) / (a + b + 2))
        return front * betaContinuedFraction(x, a, b) / a;
    return 1 - front * betaContinuedFraction(1 - x, b, a) / b;
}

double studentTwoSidedP(double t, double df)
{
    if (std::isnan(t) || !(df > 0))
        return 1;
    if (std::isinf(t))
        return 0;
    // Past a million degrees of freedom t is the normal to ~1e-7, and df/(df + t²) would round
    // to 1 below.
    if (df > 1e6)
        return normalTwoSidedP(t);
    // P(|T| > t) = I_{df/(df + t²)}(df/2, 1/2).
    return std::clamp(incompleteBeta(df / (df + t * t), df / 2, 0.5), 0.0, 1.0);
}

double lag1Autocorrelation(const QList<double> &values)
{
    const qsizetype n = values.size();
    if (n < 3)
        return 0;
    const double m = mean(values);
    double denominator = 0;
    double numerator = 0;
    for (qsizetype i = 0; i < n; ++i) {
        denominator += (values[i] - m) * (values[i] - m);
        if (i + 1 < n)
            numerator += (values[i] - m) * (values[i + 1] - m);
    }
    // Rounding leaves a constant series with deviations of ~1e-16·m: no correlation there.
    if (!(denominator > 1e-24 * double(n) * m * m))
        return 0;
    return numerator / denominator;
}

double effectiveSampleSize(const QList<double> &values)
{
    const double n = double(values.size());
    const double r = std::clamp(lag1Autocorrelation(values), 0.0, 0.9);
    return std::min(n, n * (1 - r) / (1 + r));
}

QList<double> holmAdjust(const QList<double> &pValues)
{
    QList<qsizetype> order;
    for (qsizetype i = 0; i < pValues.size(); ++i)
        if (!std::isnan(pValues[i]))
            order.append(i);
    std::stable_sort(order.begin(), order.end(),
                     [&](qsizetype a, qsizetype b) { return pValues[a] < pValues[b]; });
    QList<double> adjusted(pValues.size(), std::numeric_limits<double>::quiet_NaN());
    const double m = double(order.size());
    double running = 0; // adjusted p-values never decrease along the sorted order
    for (qsizetype k = 0; k < order.size(); ++k) {
        running = std::max(running, std::min(1.0, (m - double(k)) * pValues[order[k]]));
        adjusted[order[k]] = running;
    }
    return adjusted;
}

MannWhitneyResult mannWhitneyU(const QList<double> &a, const QList<double> &b)
{
    MannWhitneyResult r;
    r.n1 = int(a.size());
    r.n2 = int(b.size());
    if (r.n1 == 0 || r.n2 == 0)
        return r;

    struct Item
    {
        double value;
        bool fromA;
    };
    std::vector<Item> all;
    all.reserve(size_t(r.n1 + r.n2));
    for (double v : a)
        all.push_back({v, true});
    for (double v : b)
        all.push_back({v, false});
    std::sort(all.begin(), all.end(),
              [](const Item &x, const Item &y) { return x.value < y.value; });

    // Average ranks over ties; Σ(t³ − t) feeds the variance correction.
    double rankSumA = 0;
    double tieTerm = 0;
    const size_t total = all.size();
    for (size_t i = 0; i < total;) {
        size_t j = i;
        while (j + 1 < total && all[j + 1].value == all[i].value)
            ++j;
        const double rank = (double(i + 1) + double(j + 1)) / 2.0;
        for (size_t k = i; k <= j; ++k)
            if (all[k].fromA)
                rankSumA += rank;
        const double t = double(j - i + 1);
        tieTerm += t * t * t - t;
        i = j + 1;
    }

    const double n1 = r.n1;
    const double n2 = r.n2;
    const double n = n1 + n2;
    r.u1 = rankSumA - n1 * (n1 + 1) / 2.0;
    const double u2 = n1 * n2 - r.u1;
    r.u = std::min(r.u1, u2);
    const double mu = n1 * n2 / 2.0;
    const double variance = n1 * n2 / 12.0 * ((n + 1) - tieTerm / (n * (n - 1)));
    if (variance <= 0) { // every value equal: nothing to tell apart
        r.pValue = 1;
        return r;
    }
    const double sigma = std::sqrt(variance);
    const double diff = r.u1 - mu;
    const double corrected = std::max(0.0, std::abs(diff) - 0.5);
    r.z = (diff < 0 ? -corrected : corrected) / sigma;

    if (tieTerm == 0 && r.n1 * r.n2 <= kExactMaxProduct) {
        const std::vector<double> counts = exactUCounts(r.n1, r.n2);
        const double all_ = std::accumulate(counts.begin(), counts.end(), 0.0);
        // U takes integer values here (no ties), so the lower tail is a plain sum.
        const auto uLow = size_t(std::llround(r.u));
        double tail = 0;
        for (size_t k = 0; k <= uLow && k < counts.size(); ++k)
            tail += counts[k];
        r.pValue = std::min(1.0, 2.0 * tail / all_);
        r.exact = true;
    } else {
        r.pValue = normalTwoSidedP(r.z);
    }
    return r;
}

double median(QList<double> values)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const qsizetype n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
}

double mad(const QList<double> &values)
{
    if (values.isEmpty())
        return 0;
    const double m = median(values);
    QList<double> deviations;
    deviations.reserve(values.size());
    for (double v : values)
        deviations.append(std::abs(v - m));
    return median(deviations);
}

double mean(const QList<double> &values)
{
    if (values.isEmpty())
        return 0;
    return std::accumulate(values.begin(), values.end(), 0.0) / double(values.size());
}

double stddev(const QList<double> &values)
{
    if (values.size() < 2)
        return 0;
    const double m = mean(values);
    double ss = 0;
    for (double v : values)
        ss += (v - m) * (v - m);
    return std::sqrt(ss / double(values.size() - 1));
}

double robustZ(double x, const QList<double> &reference)
{
    const double m = median(reference);
    const double d = x - m;
    const double spread = mad(reference);
    if (spread > 0)
        return 0.6745 * d / spread;
    // MAD is 0 when over half the values are equal; the mean absolute deviation still sees
    // the rest (the scale 1.2533 makes it consistent with σ for normal data).
    double meanAbs = 0;
    for (double v : reference)
        meanAbs += std::abs(v - m);
    meanAbs = reference.isEmpty() ? 0 : meanAbs / double(reference.size());
    if (meanAbs > 0)
        return d / (1.2533 * meanAbs);
    if (d == 0)
        return 0;
    return d > 0 ? std::numeric_limits<double>::infinity()
                 : -std::numeric_limits<double>::infinity();
}

LinearFit linearFit(const QList<double> &xs, const QList<double> &ys)
{
    LinearFit fit;
    const qsizetype n = std::min(xs.size(), ys.size());
    if (n < 2)
        return fit;
    double mx = 0, my = 0;
    for (qsizetype i = 0; i < n; ++i) {
        mx += xs[i];
        my += ys[i];
    }
    mx /= double(n);
    my /= double(n);
    double sxx = 0, sxy = 0, syy = 0;
    for (qsizetype i = 0; i < n; ++i) {
        sxx += (xs[i] - mx) * (xs[i] - mx);
        sxy += (xs[i] - mx) * (ys[i] - my);
        syy += (ys[i] - my) * (ys[i] - my);
    }
    if (sxx <= 0)
        return fit;
    fit.n = int(n);
    fit.slope = sxy / sxx;
    fit.intercept = my - fit.slope * mx;
    double sse = 0;
    for (qsizetype i = 0; i < n; ++i) {
        const double e = ys[i] - fit.at(xs[i]);
        sse += e * e;
    }
    fit.r2 = syy > 0 ? 1.0 - sse / syy : 1.0;
    fit.residualSd = n > 2 ? std::sqrt(sse / double(n - 2)) : 0.0;
    return fit;
}

} // namespace loadscope
