#pragma once

#include <QJsonObject>
#include <QList>

namespace loadscope {

//! Outcome of a two-sided Mann–Whitney U test of sample a against sample b.
struct MannWhitneyResult
{
    int n1 = 0;         //!< size of a
    int n2 = 0;         //!< size of b
    double u1 = 0;      //!< U statistic of a (pairs where a > b, ties counting ½)
    double u = 0;       //!< min(U1, U2), the textbook "U"
    double z = 0;       //!< normal score of U1 (tie- and continuity-corrected); > 0: a larger
    double pValue = 1;  //!< two-sided; 1 for identical samples or when a side is empty
    bool exact = false; //!< p from the exact distribution (small samples without ties)

    QJsonObject toJson() const;
};

//! Least-squares line y = slope·x + intercept.
struct LinearFit
{
    int n = 0;
    double slope = 0;
    double intercept = 0;
    double r2 = 0;         //!< coefficient of determination (1 for a perfect fit)
    double residualSd = 0; //!< standard deviation of the residuals
    double at(double x) const { return slope * x + intercept; }
};

//! Mann–Whitney U test; exact p for n1·n2 ≤ 400 without ties, else the normal approximation.
MannWhitneyResult mannWhitneyU(const QList<double> &a, const QList<double> &b);
//! Median of @p values (mean of the two middle ones for an even count); 0 when empty.
double median(QList<double> values);
//! Raw median absolute deviation from the median (not scaled by 1.4826); 0 when empty.
double mad(const QList<double> &values);
//! Arithmetic mean; 0 when empty.
double mean(const QList<double> &values);
//! Sample standard deviation (n−1); 0 for fewer than two values.
double stddev(const QList<double> &values);
//! Robust z-score of @p x: 0.6745·(x − median)/MAD, falling back to the mean absolute
//! deviation (×1.2533) when the MAD is 0; 0 when the spread is 0 and x is the median,
//! ±infinity when the spread is 0 and x differs.
double robustZ(double x, const QList<double> &reference);
//! Least-squares line through (xs[i], ys[i]); n = 0 when fewer than two points or x is constant.
LinearFit linearFit(const QList<double> &xs, const QList<double> &ys);
//! Two-sided p-value of a standard normal score.
double normalTwoSidedP(double z);
//! Two-sided p-value of Student's t with @p df degrees of freedom (df may be fractional, as
//! Welch–Satterthwaite gives; infinite df is the normal). 1 for t = 0 or df ≤ 0.
double studentTwoSidedP(double t, double df);
//! Regularized incomplete beta function I_x(a, b) for a, b > 0 and x in [0, 1].
double incompleteBeta(double x, double a, double b);
//! Lag-1 autocorrelation r1 = Σ(x_t − m)(x_{t+1} − m) / Σ(x_t − m)²; 0 for fewer than three
//! values or a constant series.
double lag1Autocorrelation(const QList<double> &values);
//! Effective number of independent values in a series with AR(1)-like autocorrelation:
//! n·(1 − r1)/(1 + r1), r1 clamped to [0, 0.9] (negative correlation is not credited, and a
//! series is never worth less than n/19), and at most n.
double effectiveSampleSize(const QList<double> &values);
//! Holm–Bonferroni adjusted p-values, in the order given (NaN entries are not tested and stay
//! NaN; they do not count towards the family size).
QList<double> holmAdjust(const QList<double> &pValues);

} // namespace loadscope
