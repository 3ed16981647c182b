// Axis scales and tick placement for the report's plots: linear axes get "nice" ticks (1, 2 or
// 5 times a power of ten, Heckbert 1990, "Nice numbers for graph labels"), log axes a tick
// per decade (and at 2 and 5 times each power over short ranges).
#pragma once

#include <string>
#include <vector>

namespace softpower::report {

/// Maps data values on [lo, hi] to pixels on [from, to] (to < from for a y axis), linearly or
/// by log10. A log scale needs 0 < lo < hi.
class Scale {
 public:
  Scale(double lo, double hi, double from, double to, bool log = false);
  [[nodiscard]] double operator()(double value) const;
  [[nodiscard]] double lo() const { return lo_; }
  [[nodiscard]] double hi() const { return hi_; }
  [[nodiscard]] bool log() const { return log_; }

 private:
  double lo_, hi_, from_, to_;
  bool log_;
};

/// The step between ticks for about `target` ticks over `range` > 0: 1, 2 or 5 times a power
/// of ten.
[[nodiscard]] double nice_step(double range, int target);

/// A linear axis range that starts and ends on a tick: [floor(lo / step) * step,
/// ceil(hi / step) * step] with step = nice_step(hi - lo, target). lo == hi widens by one.
struct NiceRange {
  double lo, hi, step;
};
[[nodiscard]] NiceRange nice_range(double lo, double hi, int target = 5);

/// The multiples of `step` in [lo, hi] (with a tolerance of a millionth of a step).
[[nodiscard]] std::vector<double> linear_ticks(double lo, double hi, double step);

/// The powers of ten in [lo, hi], 0 < lo <= hi; over two decades or less also 2 and 5 times
/// each.
[[nodiscard]] std::vector<double> log_ticks(double lo, double hi);

/// [lo, hi] widened to whole decades: [10^floor(log10 lo), 10^ceil(log10 hi)]; 0 < lo.
[[nodiscard]] NiceRange decade_range(double lo, double hi);

/// A tick label with as many decimals as `step` needs; thousands and millions as "20k",
/// "1.5M", and values on steps below 0.001 as "5e-05", so that labels stay short; "0" for
/// values within a millionth of a step of zero.
[[nodiscard]] std::string tick_label(double value, double step);

}  // namespace softpower::report
