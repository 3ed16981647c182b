// Statistics across the replicate runs of a sweep point: per-step mean and 90% interval,
// mean with standard error, pooled ratios, and the complementary cumulative distribution of
// cascade sizes. NaN values (a series undefined at a step) are left out of every statistic.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace softpower::report {

/// The replicate band's interval: 5% and 95% quantiles, a 90% interval.
inline constexpr double kBandLow = 0.05;
inline constexpr double kBandHigh = 0.95;

/// Quantile q in [0, 1] of sorted values by linear interpolation between order statistics
/// (Hyndman & Fan type 7, numpy's default): position q * (n - 1). NaN for no values.
[[nodiscard]] double quantile_sorted(const std::vector<double>& sorted, double q);

/// Per step: mean, and the kBandLow and kBandHigh quantiles, of runs[r][s] over runs r. Every
/// run has the same length; a step where every run is NaN gives NaN.
struct Band {
  std::vector<double> mean, low, high;
};
[[nodiscard]] Band replicate_band(const std::vector<std::vector<double>>& runs);

/// Mean of values, standard error of the mean (sample standard deviation / sqrt(n); NaN for
/// n < 2) and the 90% interval, over the values that are not NaN (n of them).
struct Summary {
  double mean, se, low, high;
  std::size_t n;
};
[[nodiscard]] Summary summarize(std::vector<double> values);

/// Pooled ratio sum(y) / sum(x) of per-run counts, with the standard error of a ratio
/// estimator with runs as clusters (delta method, as scripts/funnel.py):
/// se^2 = sum (y_r - R x_r)^2 / (n (n - 1) mean(x)^2). NaN value if sum(x) is 0, NaN se if
/// n < 2.
struct Ratio {
  double value, se;
};
[[nodiscard]] Ratio pooled_ratio(const std::vector<double>& y, const std::vector<double>& x);

/// Complementary cumulative distribution P(X >= x) at each distinct value x, increasing in x.
struct CcdfPoint {
  double x, p;
};
[[nodiscard]] std::vector<CcdfPoint> ccdf(std::vector<double> values);

/// Thins a CCDF for a log-x plot to at most about `per_decade` points per decade of x, keeping
/// the first and last point and the first point of each log bin (the curve's shape stays, the
/// SVG stays small when thousands of items have distinct sizes).
[[nodiscard]] std::vector<CcdfPoint> thin_log(const std::vector<CcdfPoint>& points, int per_decade);

}  // namespace softpower::report
