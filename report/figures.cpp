#include "report/figures.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "report/detail/figure_builders.hpp"
#include "report/palette.hpp"
#include "report/statistics.hpp"
#include "report/svg.hpp"

namespace softpower::report {
namespace detail {

std::vector<LegendEntry> group_legend(const ResultSummary& s) {
  std::vector<LegendEntry> legend;
  if (s.groups.size() < 2) return legend;
  for (std::size_t g = 0; g < s.groups.size(); ++g) {
    legend.push_back({fmt::format("{} ({} runs)", s.groups[g].label, s.groups[g].rows.size()),
                      line_colour(g), false});
  }
  return legend;
}

std::string band_caption(const ResultSummary& s) {
  if (s.groups.size() == 1) {
    return fmt::format(
        "Lines: mean over the {} runs; bands: 90% interval across runs (5% to 95% quantiles, "
        "linear interpolation).",
        s.groups[0].rows.size());
  }
  return "Lines: mean over each group's runs (legend); bands: 90% interval across those runs (5% "
         "to 95% quantiles, linear interpolation).";
}

void add_trajectories(const ResultSummary& s, Figures& out, const std::string& id,
                      const std::string& title, const std::string& y_label,
                      const std::vector<Quantity>& quantities, const std::string& caption,
                      const std::string& datasets, const std::string& missing, bool own_panels) {
  std::vector<Quantity> present;
  for (const Quantity& q : quantities) {
    if (!s.data.empty() && s.data[0].trajectories.contains(q.key)) present.push_back(q);
  }
  if (present.empty() || s.groups.empty()) {
    out.omitted.push_back({title, missing});
    return;
  }
  LineChart chart;
  chart.title = title;
  chart.x = {"time (days)", 0, 1};
  chart.y = {y_label, -1, 1};
  const auto curve = [&](std::size_t g, const Quantity& q, std::size_t colour) {
    const auto& runs = s.data[g].trajectories.at(q.key);
    const Band band = replicate_band(runs);
    return Curve{q.label, line_colour(colour), s.bins.end_days, band.mean, band.low, band.high};
  };
  if (s.groups.size() == 1 && !own_panels) {
    Panel panel;
    for (std::size_t k = 0; k < present.size(); ++k) {
      panel.curves.push_back(curve(0, present[k], k));
      if (present.size() > 1) chart.legend.push_back({present[k].label, line_colour(k), false});
    }
    chart.panels.push_back(std::move(panel));
  } else {
    chart.legend = group_legend(s);
    for (const Quantity& q : present) {
      Panel panel{q.label, {}};
      for (std::size_t g = 0; g < s.groups.size(); ++g) {
        if (s.data[g].trajectories.contains(q.key) && !s.groups[g].rows.empty())
          panel.curves.push_back(curve(g, q, g));
      }
      if (s.groups.size() == 1 && !panel.curves.empty()) panel.curves.back().label = q.label;
      chart.panels.push_back(std::move(panel));
    }
  }
  out.figures.push_back(
      {id, title, line_chart(chart), caption + " " + band_caption(s), datasets, ""});
}

std::string html_table(const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows) {
  std::string t = "<table><thead><tr>";
  for (const auto& h : header) t += "<th>" + xml(h) + "</th>";
  t += "</tr></thead><tbody>";
  for (const auto& row : rows) {
    t += "<tr>";
    for (const auto& cell : row) t += "<td>" + xml(cell) + "</td>";
    t += "</tr>";
  }
  return t + "</tbody></table>";
}

namespace {

void add_cascade_ccdf(const ResultSummary& s, Figures& out) {
  const std::string title =
      "Cascade sizes: complementary cumulative distribution of users reached per item (log-log)";
  LineChart chart;
  chart.title = title;
  chart.x = {"cascade size: users reached by the item", 1, 10, true};
  chart.y = {"share of items reaching at least this many users", 0.1, 1, true};
  chart.legend = group_legend(s);
  Panel panel;
  std::size_t items = 0, zero = 0;
  for (std::size_t g = 0; g < s.groups.size(); ++g) {
    std::vector<double> sizes;
    for (double r : s.data[g].item_reach) (r > 0 ? sizes.push_back(r) : void(++zero));
    items += s.data[g].item_reach.size();
    if (sizes.empty()) continue;
    const std::vector<CcdfPoint> points = thin_log(ccdf(sizes), 40);
    Curve c{s.groups[g].label, line_colour(g), {}, {}, {}, {}};
    for (const CcdfPoint& p : points) {
      c.x.push_back(p.x);
      c.y.push_back(p.p);
    }
    if (c.x.size() == 1) {  // a single size: draw a short horizontal step so that it shows
      c.x.push_back(c.x[0] * 1.05);
      c.y.push_back(c.y[0]);
    }
    panel.curves.push_back(std::move(c));
  }
  if (panel.curves.empty()) {
    out.omitted.push_back(
        {title, "no delivered item reached anyone (/items reach is 0 or there are no items)"});
    return;
  }
  chart.panels.push_back(std::move(panel));
  out.figures.push_back(
      {"cascade_ccdf", title, line_chart(chart),
       fmt::format("For each size x, the share of items (not blocked at publication, every run "
                   "pooled) whose reach is at least x. A straight line on these axes is a power "
                   "law (reference P17). {} items; {} with reach 0 cannot be drawn on a log axis.",
                   items, zero),
       "/items: reach, blocked", ""});
}

}  // namespace
}  // namespace detail

std::string format_value(double v) {
  if (std::isnan(v)) return "n/a";
  if (std::abs(v) >= 1000) return fmt::format("{:.0f}", v);
  if (v == 0) return "0";
  return fmt::format("{:.3g}", v);
}

Figures build_figures(const ResultSummary& s) {
  using detail::add_trajectories;
  Figures out;
  const std::string per = s.bins.per;
  add_trajectories(s, out, "reach",
                   "Reach over time: distinct users reached by any item (cumulative)",
                   "users reached (cumulative)", {{"reach_cumulative", "reach"}},
                   "Distinct users any item was delivered to, up to each time.",
                   "/metrics/reach_cumulative", "no reach_cumulative metric in /metrics");
  add_trajectories(
      s, out, "opens_by_channel", "Opens by channel: push, Moments, chats, groups, Top Stories",
      "opens " + per,
      {{"opens_push", "push"},
       {"opens_moments", "Moments"},
       {"opens_chat", "chats"},
       {"opens_group", "groups"},
       {"opens_wow", "Top Stories (Wow)"}},
      fmt::format("Users opening an item, by the channel credited with the open, counted {}.", per),
      "/metrics/opens_push, opens_moments, opens_chat, opens_group, opens_wow",
      "no opens_* metrics in /metrics");
  add_trajectories(s, out, "shares", "Shares over time (filtered shares included)", "shares " + per,
                   {{"shares", "shares"}}, fmt::format("Users sharing an item, counted {}.", per),
                   "/metrics/shares", "no shares metric in /metrics");
  add_trajectories(
      s, out, "blocked_taken_down", "Items blocked at publication and taken down (cumulative)",
      "items (cumulative)", {{"blocked", "blocked at publication"}, {"taken_down", "taken down"}},
      "Items the platform filter stopped at publication, and items it removed later, summed from "
      "the start.",
      "/metrics/blocked, /metrics/taken_down", "no blocked or taken_down metric in /metrics");
  add_trajectories(
      s, out, "filtered_self_censored", "Shares silently filtered and shares self-censored",
      "shares " + per,
      {{"shares_filtered", "filtered by the platform"}, {"shares_self_censored", "self-censored"}},
      fmt::format("Shares the platform dropped without telling the sharer, and readers who would "
                  "have shared but for self-censorship, counted {}.",
                  per),
      "/metrics/shares_filtered, /metrics/shares_self_censored",
      "no shares_filtered or shares_self_censored metric in /metrics");
  add_trajectories(
      s, out, "attitude_soft_power", "Mean attitude and soft-power index", "attitude (on [-1, 1])",
      {{"attitude_mean", "mean attitude"},
       {"soft_power_index", "soft-power index (all users)"},
       {"soft_power_index_reached", "soft-power index (reached users)"},
       {"soft_power_index_readers", "soft-power index (readers)"}},
      "Mean attitude toward the institution, and the soft-power index: the mean difference "
      "between each user's attitude and the attitude they would have had without the "
      "institution's items, over all users, over the users reached so far and over the users "
      "who opened an item so far.",
      "/metrics/attitude_mean, soft_power_index, soft_power_index_reached, soft_power_index_readers",
      "the file has no attitude series (the scenario ran without an attitude model)", true);
  detail::add_attitude_figures(s, out);
  detail::add_cascade_ccdf(s, out);
  detail::add_censorship_figures(s, out);
  detail::add_sweep_figures(s, out);
  return out;
}

}  // namespace softpower::report
