// The sweep heat map: the chosen outcome's mean over replicates at every point, over the first
// two swept keys, one small multiple per combination of the other keys; and a table of every
// point.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "report/detail/figure_builders.hpp"
#include "report/heat_map.hpp"
#include "report/statistics.hpp"

namespace softpower::report::detail {
namespace {

/// The distinct values of axis `a` in order of first appearance over the points (point-major
/// run ids keep the sweep's own order).
std::vector<std::string> distinct(const ResultSummary& s, std::size_t a) {
  std::vector<std::string> values;
  for (const PointRuns& p : s.points)
    if (std::find(values.begin(), values.end(), p.values[a]) == values.end())
      values.push_back(p.values[a]);
  return values;
}

std::size_t index_of(const std::vector<std::string>& values, const std::string& v) {
  return static_cast<std::size_t>(std::find(values.begin(), values.end(), v) - values.begin());
}

}  // namespace

void add_sweep_figures(const ResultSummary& s, Figures& out) {
  const std::string title =
      fmt::format("Sweep: {} at every point (mean over replicates)", s.outcome.label());
  if (s.axes.empty()) {
    out.omitted.push_back({title, "not a sweep file (no swept keys in /params)", true});
    return;
  }
  const std::vector<std::string> xs = distinct(s, 0);
  const std::vector<std::string> ys =
      s.axes.size() > 1 ? distinct(s, 1) : std::vector<std::string>{""};
  HeatGrids chart{title, s.axes[0], s.axes.size() > 1 ? s.axes[1] : "", s.outcome.label(), xs,
                  ys,    {}};
  std::map<std::string, std::size_t> panel_of;
  std::vector<std::vector<std::string>> rows;
  for (const PointRuns& p : s.points) {
    std::string key;
    for (std::size_t a = 2; a < s.axes.size(); ++a)
      key += fmt::format("{}{}={}", a > 2 ? ", " : "", s.axes[a], p.values[a]);
    auto [it, added] = panel_of.emplace(key, chart.grids.size());
    if (added) {
      HeatGrid grid{key, {}, {}, {}};
      grid.values.assign(ys.size(), std::vector<double>(xs.size(), std::nan("")));
      grid.cell_text.assign(ys.size(), std::vector<std::string>(xs.size()));
      grid.tooltips.assign(ys.size(), std::vector<std::string>(xs.size()));
      chart.grids.push_back(std::move(grid));
    }
    HeatGrid& grid = chart.grids[it->second];
    const Summary sum = summarize(p.outcome);
    const std::size_t x = index_of(xs, p.values[0]);
    const std::size_t y = s.axes.size() > 1 ? index_of(ys, p.values[1]) : 0;
    grid.values[y][x] = sum.mean;
    grid.cell_text[y][x] = std::isnan(sum.se)
                               ? format_value(sum.mean)
                               : fmt::format("{}±{}", format_value(sum.mean), format_value(sum.se));
    std::string where;
    for (std::size_t a = 0; a < s.axes.size(); ++a)
      where += fmt::format("{}{}={}", a ? ", " : "", s.axes[a], p.values[a]);
    grid.tooltips[y][x] =
        fmt::format("point {} ({}): mean {} (standard error {}, {} runs)", p.point, where,
                    format_value(sum.mean), format_value(sum.se), sum.n);
    std::vector<std::string> row{std::to_string(p.point)};
    row.insert(row.end(), p.values.begin(), p.values.end());
    for (const std::string& cell :
         {std::to_string(sum.n), format_value(sum.mean), format_value(sum.se),
          format_value(sum.low), format_value(sum.high)}) {
      row.push_back(cell);
    }
    rows.push_back(std::move(row));
  }
  std::vector<std::string> header{"point"};
  header.insert(header.end(), s.axes.begin(), s.axes.end());
  for (const char* h : {"runs", "mean", "standard error", "5%", "95%"}) header.emplace_back(h);
  out.figures.push_back(
      {"sweep_heat_map", title, heat_grids(chart),
       fmt::format("Colour: the mean of {} over each point's replicates; each cell also gives "
                   "the mean ± its standard error (sample standard deviation over the square "
                   "root of the runs), or hover over it. {}{} The table lists every point with "
                   "its 90% interval across runs. Choose another outcome with --metric "
                   "NAME[:final|peak|total|mean].",
                   s.outcome.label(),
                   s.axes.size() > 1 ? fmt::format("Columns: {}; rows: {}.", s.axes[0], s.axes[1])
                                     : fmt::format("Columns: {}.", s.axes[0]),
                   s.axes.size() > 2 ? " One map per combination of the other swept keys." : ""),
       fmt::format("/params (swept columns), /metrics/{}", s.outcome.name),
       html_table(header, rows)});
}

}  // namespace softpower::report::detail
