#include "apps/point_summary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <variant>

#include "sim/engine.hpp"

namespace softpower::cli {
namespace {

std::size_t metric_index(const char* name) {
  const auto& specs = Engine::metric_specs();
  const auto it = std::find_if(specs.begin(), specs.end(), [&](const MetricSpec& s) { return s.name == name; });
  return static_cast<std::size_t>(it - specs.begin());
}

std::string cell(const ParamColumn& c, std::size_t p) {
  return std::visit(
      [&](const auto& v) {
        std::string text = fmt::format("{}", v[p]);
        return text.size() > 14 ? text.substr(0, 13) + "~" : text;
      },
      c.by_point);
}

/// The last part of a key path, cut to a column's width: "censorship.strength" -> "strength".
std::string short_name(const std::string& path) {
  const std::string last = path.substr(path.rfind('.') + 1);
  return last.size() > 14 ? last.substr(0, 13) + "~" : last;
}

}  // namespace

PointSummary::PointSummary(const Sweep& sweep, const std::vector<SeriesSpec>& series, double step_hours)
    : sweep_(sweep), points_(sweep.num_points()), reach_metric_(metric_index("reach_cumulative")),
      step_hours_(step_hours) {
  for (std::size_t k = 0; k < series.size(); ++k) {
    if (series[k].name == "soft_power_index") index_series_ = k;
    if (series[k].name == "soft_power_index_reached") reached_index_series_ = k;
  }
}

void PointSummary::add(const RunResult& r) {
  Point& p = points_[sweep_.point_of(r.run)];
  ++p.runs;
  const auto reach = static_cast<double>(r.metrics[reach_metric_].back());
  p.reach += reach;
  p.reach_squares += reach * reach;
  p.items += r.items.size();
  for (const auto& item : r.items) p.reads += item.reads;
  if (index_series_ && !r.series[*index_series_].empty()) {
    p.peak_index.add(index_outcome(r.series[*index_series_], step_hours_).peak);
  }
  if (reached_index_series_ && !r.series[*reached_index_series_].empty()) {
    p.peak_index_reached.add(index_outcome(r.series[*reached_index_series_], step_hours_).peak);
  }
}

void PointSummary::print(const std::vector<ParamColumn>& columns) const {
  constexpr std::size_t kMaxRows = 40;
  std::string header = fmt::format("{:>6}", "point");
  for (const auto& c : columns) header += fmt::format("  {:>14}", short_name(c.name));
  header += fmt::format("  {:>5}  {:>18}  {:>12}", "runs", "reach (mean ± se)", "reads/item");
  if (index_series_) header += fmt::format("  {:>20}", "peak SPI (± se)");
  if (reached_index_series_) header += fmt::format("  {:>20}", "peak SPI reached");
  fmt::print("{}\n", header);
  std::size_t shown = 0;
  for (std::size_t p = 0; p < points_.size(); ++p) {
    const Point& pt = points_[p];
    if (pt.runs == 0) continue;
    if (++shown > kMaxRows) {
      fmt::print("  ... ({} points in all; the file has every one)\n", points_.size());
      break;
    }
    std::string row = fmt::format("{:>6}", p);
    for (const auto& c : columns) row += fmt::format("  {:>14}", cell(c, p));
    const double n = static_cast<double>(pt.runs);
    const double mean = pt.reach / n;
    const double var = n > 1 ? std::max(0.0, (pt.reach_squares - n * mean * mean) / (n - 1)) : 0.0;
    row += fmt::format("  {:>5}  {:>18}  {:>12.2f}", pt.runs, fmt::format("{:.1f} ± {:.1f}", mean, std::sqrt(var / n)),
                       pt.items ? static_cast<double>(pt.reads) / static_cast<double>(pt.items) : 0.0);
    const auto pm = [](const MeanAndError& m) { return fmt::format("{:+.3g} ± {:.2g}", m.mean(), m.standard_error()); };
    if (index_series_) row += fmt::format("  {:>20}", pm(pt.peak_index));
    if (reached_index_series_) row += fmt::format("  {:>20}", pm(pt.peak_index_reached));
    fmt::print("{}\n", row);
  }
}

}  // namespace softpower::cli
