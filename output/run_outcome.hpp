// Scalar outcomes of a run read off its soft-power index series, and their mean and standard
// error over replicate runs: what the run and sweep summaries print and what a researcher
// compares across strategies. The final value alone misleads (it is read days after the last
// push, when the effect has mostly decayed), so the summaries give the peak and the time
// integral as well.
#pragma once

#include <cstddef>
#include <span>

namespace softpower {

struct IndexOutcome {
  double peak = 0.0;         // the value of largest magnitude (signed; NaN steps skipped)
  double peak_day = 0.0;     // when it was reached: end of the step, in days since the start
  double integral = 0.0;     // sum over steps of value x step length: attitude x days
  double final_value = 0.0;  // at the last step (NaN if undefined there)
};

/// `series` holds one value per step of `step_hours` hours; NaN values (the reached-user index
/// before anyone is reached) count as 0 in the integral and never as the peak.
[[nodiscard]] IndexOutcome index_outcome(std::span<const double> series, double step_hours);

/// Mean and standard error of the mean over replicates (Welford's update; NaN values skipped).
class MeanAndError {
 public:
  void add(double x);
  [[nodiscard]] std::size_t count() const { return n_; }
  [[nodiscard]] double mean() const;
  /// Sample standard deviation / sqrt(n); 0 for fewer than two values.
  [[nodiscard]] double standard_error() const;

 private:
  std::size_t n_ = 0;
  double mean_ = 0.0, squares_ = 0.0;
};

}  // namespace softpower
