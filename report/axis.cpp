#include "report/axis.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace softpower::report {

Scale::Scale(double lo, double hi, double from, double to, bool log)
    : lo_(lo), hi_(hi), from_(from), to_(to), log_(log) {
  if (log && !(lo > 0.0 && hi > lo)) throw std::invalid_argument("a log scale needs 0 < lo < hi");
  if (!(hi > lo)) throw std::invalid_argument("a scale needs lo < hi");
}

double Scale::operator()(double value) const {
  const double f = log_
                       ? (std::log10(value) - std::log10(lo_)) / (std::log10(hi_) - std::log10(lo_))
                       : (value - lo_) / (hi_ - lo_);
  return from_ + f * (to_ - from_);
}

double nice_step(double range, int target) {
  const double rough = range / std::max(target, 1);
  const double power = std::pow(10.0, std::floor(std::log10(rough)));
  const double f = rough / power;
  const double nice = f < 1.5 ? 1.0 : f < 3.0 ? 2.0 : f < 7.0 ? 5.0 : 10.0;
  return nice * power;
}

NiceRange nice_range(double lo, double hi, int target) {
  if (!(hi > lo)) {
    const double pad = lo == 0.0 ? 1.0 : std::abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const double step = nice_step(hi - lo, target);
  return {std::floor(lo / step + 1e-9) * step, std::ceil(hi / step - 1e-9) * step, step};
}

std::vector<double> linear_ticks(double lo, double hi, double step) {
  std::vector<double> ticks;
  const double tolerance = step * 1e-6;
  for (double k = std::ceil((lo - tolerance) / step); k * step <= hi + tolerance; k += 1.0) {
    const double tick = k * step;
    ticks.push_back(std::abs(tick) < tolerance ? 0.0 : tick);
  }
  return ticks;
}

std::vector<double> log_ticks(double lo, double hi) {
  // Over two decades or less, 2 and 5 times each power of ten as well: one decade with two
  // ticks says little.
  const bool fine = std::log10(hi) - std::log10(lo) <= 2.0 + 1e-9;
  std::vector<double> ticks;
  for (double e = std::floor(std::log10(lo) + 1e-9); e <= std::log10(hi) + 1e-9; e += 1.0) {
    for (double m : {1.0, 2.0, 5.0}) {
      if (m != 1.0 && !fine) continue;
      const double tick = m * std::pow(10.0, e);
      if (tick >= lo * (1 - 1e-9) && tick <= hi * (1 + 1e-9)) ticks.push_back(tick);
    }
  }
  return ticks;
}

NiceRange decade_range(double lo, double hi) {
  const double a = std::floor(std::log10(lo) + 1e-9);
  double b = std::ceil(std::log10(hi) - 1e-9);
  if (b <= a) b = a + 1.0;
  return {std::pow(10.0, a), std::pow(10.0, b), 10.0};
}

std::string tick_label(double value, double step) {
  if (std::abs(value) < step * 1e-6) return "0";
  const double magnitude = std::abs(value);
  const auto scaled = [&](double unit, const char* suffix) {
    const double s = step / unit;
    const int decimals = s >= 1.0 ? 0 : static_cast<int>(std::ceil(-std::log10(s) - 1e-9));
    return fmt::format("{:.{}f}{}", value / unit, decimals, suffix);
  };
  if (step < 1e-3) return fmt::format("{:.2g}", value);  // "5e-05": shorter than 0.00005
  if (magnitude >= 1e6 && step >= 1e5) return scaled(1e6, "M");
  if (magnitude >= 1e4 && step >= 1e3) return scaled(1e3, "k");
  return scaled(1.0, "");
}

}  // namespace softpower::report
