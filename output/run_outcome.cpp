#include "output/run_outcome.hpp"

#include <cmath>
#include <limits>

namespace softpower {

IndexOutcome index_outcome(std::span<const double> series, double step_hours) {
  IndexOutcome out;
  out.final_value = series.empty() ? std::numeric_limits<double>::quiet_NaN() : series.back();
  const double step_days = step_hours / 24.0;
  bool have_peak = false;
  for (std::size_t t = 0; t < series.size(); ++t) {
    const double x = series[t];
    if (std::isnan(x)) continue;
    out.integral += x * step_days;
    if (!have_peak || std::abs(x) > std::abs(out.peak)) {
      out.peak = x;
      out.peak_day = static_cast<double>(t + 1) * step_days;
      have_peak = true;
    }
  }
  if (!have_peak) out.peak = out.peak_day = std::numeric_limits<double>::quiet_NaN();
  return out;
}

void MeanAndError::add(double x) {
  if (std::isnan(x)) return;
  ++n_;
  const double delta = x - mean_;
  mean_ += delta / static_cast<double>(n_);
  squares_ += delta * (x - mean_);
}

double MeanAndError::mean() const { return n_ == 0 ? std::numeric_limits<double>::quiet_NaN() : mean_; }

double MeanAndError::standard_error() const {
  if (n_ < 2) return 0.0;
  const double n = static_cast<double>(n_);
  return std::sqrt(squares_ / (n - 1.0) / n);
}

}  // namespace softpower
