// Attitude figures: by region (trajectories), the distribution over time (heat strips of the
// attitude histogram) and by community (final mean per community, sorted).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "report/detail/figure_builders.hpp"
#include "report/heat_map.hpp"
#include "report/palette.hpp"
#include "report/statistics.hpp"

namespace softpower::report::detail {
namespace {

/// Heat strips show at most this many time columns per strip (every k-th bin beyond it).
constexpr std::size_t kMaxStripColumns = 120;

void add_histogram_strips(const ResultSummary& s, Figures& out) {
  const std::string title = "Attitude distribution over time: share of users in each attitude bin";
  if (s.histogram_columns.empty()) {
    out.omitted.push_back({title, "the file has no attitude_histogram series (no attitude model)"});
    return;
  }
  const std::size_t bins = s.bins.count;
  const std::size_t every = (bins + kMaxStripColumns - 1) / kMaxStripColumns;
  std::vector<std::size_t> kept;  // bin indices drawn as columns, ending at the last bin
  for (std::size_t b = bins; b > 0;) {
    kept.push_back(b - 1);
    b = b > every ? b - every : 0;
  }
  std::reverse(kept.begin(), kept.end());
  HeatStrips chart{title, "time (days)", "attitude (on [-1, 1])", "share of users", {}};
  const std::size_t width = s.histogram_columns.size();
  for (std::size_t g = 0; g < s.groups.size(); ++g) {
    HeatStrip strip;
    strip.title = s.groups.size() > 1 ? s.groups[g].label : "";
    strip.x_edges.push_back(0.0);
    for (std::size_t b : kept) strip.x_edges.push_back(s.bins.end_days[b]);
    for (std::size_t c = 0; c <= width; ++c)
      strip.y_edges.push_back(-1.0 + 2.0 * static_cast<double>(c) / static_cast<double>(width));
    strip.values.assign(width, {});
    for (std::size_t b : kept) {
      double total = 0;
      for (std::size_t c = 0; c < width; ++c) total += s.data[g].histogram[c][b];
      for (std::size_t c = 0; c < width; ++c) {
        strip.values[c].push_back(total > 0 ? s.data[g].histogram[c][b] / total : std::nan(""));
      }
    }
    chart.strips.push_back(std::move(strip));
  }
  out.figures.push_back(
      {"attitude_distribution", title, heat_strips(chart),
       fmt::format(
           "Each column is a time (the end of a bin, {}), each row an attitude bin of width "
           "{:g}; the colour is the share of users whose attitude is in the bin, averaged "
           "over the runs{}.",
           s.bins.per, 2.0 / static_cast<double>(width),
           s.groups.size() > 1 ? " of each group (one strip per group)" : ""),
       "/metrics/attitude_histogram [run, step, bin]", ""});
}

void add_community(const ResultSummary& s, Figures& out) {
  const std::string title =
      "Attitude by community: mean attitude of each community at the end of the run, and its "
      "change";
  if (s.data.empty() || s.data[0].community_last.empty()) {
    out.omitted.push_back({title,
                           "the file has no attitude_mean_by_community series (no attitude model, "
                           "or a graph without communities)"});
    return;
  }
  const std::size_t communities = s.data[0].community_last[0].size();
  // Order communities by group 0's mean final attitude, so that every group's curve is drawn
  // against the same ranking.
  std::vector<double> rank_key(communities, 0.0);
  for (std::size_t c = 0; c < communities; ++c) {
    std::vector<double> column;
    for (const auto& run : s.data[0].community_last) column.push_back(run[c]);
    rank_key[c] = summarize(column).mean;
  }
  std::vector<std::size_t> order(communities);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const double x = std::isnan(rank_key[a]) ? -2 : rank_key[a],
                 y = std::isnan(rank_key[b]) ? -2 : rank_key[b];
    return x < y;
  });
  LineChart chart;
  chart.title = title;
  chart.x = {"communities, ranked by final mean attitude", 0, static_cast<double>(communities)};
  chart.y = {"attitude (on [-1, 1])", -1, 1};
  std::vector<double> x(communities);
  std::iota(x.begin(), x.end(), 1.0);
  const auto ordered = [&](const std::vector<std::vector<double>>& runs) {
    std::vector<std::vector<double>> out_runs;
    for (const auto& run : runs) {
      std::vector<double> row;
      for (std::size_t c : order) row.push_back(run[c]);
      out_runs.push_back(std::move(row));
    }
    return out_runs;
  };
  Panel level{"mean attitude at the last step", {}}, change{"change since the first step", {}};
  for (std::size_t g = 0; g < s.groups.size(); ++g) {
    const GroupData& d = s.data[g];
    if (d.community_last.empty()) continue;
    const std::string label = s.groups.size() > 1 ? s.groups[g].label : "mean";
    const Band last = replicate_band(ordered(d.community_last));
    level.curves.push_back({label, line_colour(g), x, last.mean, last.low, last.high});
    std::vector<std::vector<double>> delta = d.community_last;
    for (std::size_t r = 0; r < delta.size(); ++r)
      for (std::size_t c = 0; c < delta[r].size(); ++c) delta[r][c] -= d.community_first[r][c];
    const Band moved = replicate_band(ordered(delta));
    change.curves.push_back({label, line_colour(g), x, moved.mean, moved.low, moved.high});
  }
  chart.panels.push_back(std::move(level));
  chart.panels.push_back(std::move(change));
  chart.legend = group_legend(s);
  out.figures.push_back(
      {"attitude_by_community", title, line_chart(chart),
       fmt::format("The {} communities ranked by their mean attitude at the last step (left), and "
                   "how far each community's mean moved between the first and the last step "
                   "(right, same ranking). {}",
                   communities, band_caption(s)),
       "/metrics/attitude_mean_by_community [run, step, community]", ""});
}

}  // namespace

void add_attitude_figures(const ResultSummary& s, Figures& out) {
  add_trajectories(s, out, "attitude_by_region",
                   "Mean attitude by region: domestic and international users",
                   "attitude (on [-1, 1])",
                   {{"attitude_mean_by_region/domestic", "domestic users"},
                    {"attitude_mean_by_region/international", "international users"}},
                   "Mean attitude toward the institution of the users of each region.",
                   "/metrics/attitude_mean_by_region [run, step, region]",
                   "the file has no attitude_mean_by_region series (no attitude model)");
  add_histogram_strips(s, out);
  add_community(s, out);
}

}  // namespace softpower::report::detail
