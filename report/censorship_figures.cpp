// The censorship funnel (bars of counts per run with their rates) and the model beside the
// published WeChat ranges (report/data/wechat_ranges.yaml).
#include <fmt/format.h>

#include <cmath>

#include "report/bar_chart.hpp"
#include "report/detail/figure_builders.hpp"
#include "report/funnel.hpp"
#include "report/palette.hpp"
#include "report/reference_ranges.hpp"

namespace softpower::report::detail {
namespace {

std::string percent(const Ratio& r) {
  if (std::isnan(r.value)) return "n/a";
  return std::isnan(r.se) ? fmt::format("{:.3g}%", 100 * r.value)
                          : fmt::format("{:.3g}% ± {:.2g}", 100 * r.value, 100 * r.se);
}

std::string group_name(const ResultSummary& s, std::size_t g) {
  return s.groups.size() > 1 ? s.groups[g].label : "model";
}

void add_funnel(const ResultSummary& s, Figures& out) {
  const std::string title =
      "Censorship funnel: items published, blocked, taken down; shares filtered and self-censored";
  const std::vector<FunnelStage> stages = funnel_stages(s);
  if (stages.empty()) {
    out.omitted.push_back({title,
                           "the file has none of the metrics published, blocked, taken_down, "
                           "shares, shares_filtered, shares_self_censored"});
    return;
  }
  BarChart chart;
  chart.title = title;
  chart.x = {"count per run (mean over runs, log scale)", 1, 10, true};
  chart.legend = group_legend(s);
  for (const FunnelStage& stage : stages)
    chart.categories.push_back(fmt::format("{} ({})", stage.label, stage.unit));
  std::vector<std::vector<std::string>> rows;
  for (std::size_t g = 0; g < s.groups.size(); ++g) {
    BarSeries series{s.groups[g].label, line_colour(g), {}, {}};
    for (const FunnelStage& stage : stages) {
      series.values.push_back(stage.per_run[g]);
      series.texts.push_back(stage.rate_of.empty()
                                 ? format_value(stage.per_run[g])
                                 : fmt::format("{} ({:.3g}%)", format_value(stage.per_run[g]),
                                               100 * stage.rate[g].value));
      rows.push_back({group_name(s, g), stage.label, stage.unit, format_value(stage.per_run[g]),
                      stage.rate_of.empty() ? "" : percent(stage.rate[g]) + " " + stage.rate_of});
    }
    chart.series.push_back(std::move(series));
  }
  out.figures.push_back(
      {"censorship_funnel", title, bar_chart(chart),
       "Each bar is a count per run, averaged over the runs; the rate after it divides by the "
       "stage it comes from (pooled over runs: the sum of the counts over the sum of the bases). "
       "Taken-down items are counted among the items delivered (published and not blocked); "
       "self-censored shares among would-be shares (shares plus self-censored). The table gives "
       "each rate with its standard error (a ratio estimator over runs, as scripts/funnel.py).",
       "/metrics/published, blocked, taken_down, opens, shares, shares_filtered, "
       "shares_self_censored",
       html_table({"", "stage", "unit", "per run (mean)", "rate ± standard error"}, rows)});
}

void add_references(const ResultSummary& s, Figures& out) {
  const std::string title = "The model beside the published WeChat ranges";
  RangeChart chart;
  chart.title = title;
  chart.unit = "%";
  chart.scale = 100;
  for (std::size_t g = 0; g < s.groups.size(); ++g)
    chart.legend.push_back({group_name(s, g), line_colour(g), false});
  std::vector<std::vector<std::string>> rows;
  for (const ReferenceRange& r : reference_ranges()) {
    const std::string range = r.low == r.high
                                  ? fmt::format("{:.3g}%", 100 * r.low)
                                  : fmt::format("{:.3g}-{:.3g}%", 100 * r.low, 100 * r.high);
    if (r.quantity == "none") {
      rows.push_back(
          {r.id, r.label, range, "not comparable with a result file", r.source + " " + r.grade});
      continue;
    }
    RangeRow row{fmt::format("{} {}", r.id, r.label), r.low, r.high, range, {}};
    std::string model;
    for (std::size_t g = 0; g < s.groups.size(); ++g) {
      const Ratio e = reference_estimate(s.data[g], r.quantity);
      row.model.push_back({e.value, e.se});
      model += (g ? "; " : "") + (s.groups.size() > 1 ? s.groups[g].label + ": " : "") + percent(e);
    }
    rows.push_back({r.id, r.label, range, model, r.source + " " + r.grade});
    chart.rows.push_back(std::move(row));
  }
  if (s.data.empty() || !s.has_metric("opens")) {
    out.omitted.push_back({title, "the file has no opens metric to compare with"});
    return;
  }
  out.figures.push_back(
      {"published_ranges", title, range_chart(chart),
       "Grey: the published range (or single figure) of each quantity; dot: the model's pooled "
       "estimate with a whisker of two standard errors. Each row has its own scale. The ranges "
       "and their sources ship with softpower (report/data/wechat_ranges.yaml, copied from the "
       "project's calibration reference wechat-parameters.md); the open rate needs a new account "
       "(institution.placement: new).",
       "/metrics/opens*, shares*, /items blocked and takedown_step, /scenario "
       "institution.followers",
       html_table({"row", "quantity", "published", "model (± standard error)", "source"}, rows)});
}

}  // namespace

void add_censorship_figures(const ResultSummary& s, Figures& out) {
  add_funnel(s, out);
  add_references(s, out);
}

}  // namespace softpower::report::detail
