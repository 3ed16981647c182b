#include "report/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace softpower::report {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

double quantile_sorted(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return kNaN;
  const double at = q * static_cast<double>(sorted.size() - 1);
  const auto i = static_cast<std::size_t>(std::floor(at));
  if (i + 1 >= sorted.size()) return sorted.back();
  return sorted[i] + (at - static_cast<double>(i)) * (sorted[i + 1] - sorted[i]);
}

Band replicate_band(const std::vector<std::vector<double>>& runs) {
  Band band;
  if (runs.empty()) return band;
  const std::size_t steps = runs.front().size();
  band.mean.resize(steps);
  band.low.resize(steps);
  band.high.resize(steps);
  std::vector<double> column;
  for (std::size_t s = 0; s < steps; ++s) {
    column.clear();
    for (const auto& run : runs) {
      if (run.size() != steps)
        throw std::invalid_argument("replicate_band: runs of different lengths");
      column.push_back(run[s]);
    }
    const Summary summary = summarize(column);
    band.mean[s] = summary.mean;
    band.low[s] = summary.low;
    band.high[s] = summary.high;
  }
  return band;
}

Summary summarize(std::vector<double> values) {
  std::erase_if(values, [](double v) { return std::isnan(v); });
  const std::size_t n = values.size();
  if (n == 0) return {kNaN, kNaN, kNaN, kNaN, 0};
  double sum = 0.0;
  for (double v : values) sum += v;
  const double mean = sum / static_cast<double>(n);
  double squares = 0.0;
  for (double v : values) squares += (v - mean) * (v - mean);
  const double se =
      n < 2 ? kNaN
            : std::sqrt(squares / static_cast<double>(n - 1)) / std::sqrt(static_cast<double>(n));
  std::sort(values.begin(), values.end());
  return {mean, se, quantile_sorted(values, kBandLow), quantile_sorted(values, kBandHigh), n};
}

Ratio pooled_ratio(const std::vector<double>& y, const std::vector<double>& x) {
  if (y.size() != x.size()) throw std::invalid_argument("pooled_ratio: y and x differ in length");
  double sum_x = 0.0, sum_y = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sum_x += x[i];
    sum_y += y[i];
  }
  if (sum_x == 0.0) return {kNaN, kNaN};
  const double r = sum_y / sum_x;
  const auto n = static_cast<double>(x.size());
  if (x.size() < 2) return {r, kNaN};
  double squares = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) squares += (y[i] - r * x[i]) * (y[i] - r * x[i]);
  return {r, std::sqrt(squares / (n * (n - 1.0))) / (sum_x / n)};
}

std::vector<CcdfPoint> ccdf(std::vector<double> values) {
  std::erase_if(values, [](double v) { return std::isnan(v); });
  std::sort(values.begin(), values.end());
  std::vector<CcdfPoint> points;
  const auto n = static_cast<double>(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i == 0 || values[i] != values[i - 1]) {
      points.push_back({values[i], static_cast<double>(values.size() - i) / n});
    }
  }
  return points;
}

std::vector<CcdfPoint> thin_log(const std::vector<CcdfPoint>& points, int per_decade) {
  std::vector<CcdfPoint> kept;
  double last_bin = -std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < points.size(); ++i) {
    const double bin = std::floor(std::log10(points[i].x) * per_decade);
    if (i == 0 || i + 1 == points.size() || bin > last_bin) {
      kept.push_back(points[i]);
      last_bin = bin;
    }
  }
  return kept;
}

}  // namespace softpower::report
