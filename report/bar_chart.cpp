#include "report/bar_chart.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace softpower::report {
namespace {

constexpr double kLabelWidth = 270;
constexpr double kTextWidth = 150;
constexpr double kRangeLabelWidth = 300;

}  // namespace

std::string bar_chart(const BarChart& chart) {
  const std::size_t groups = std::max<std::size_t>(chart.series.size(), 1);
  const double bar = groups == 1 ? 20 : std::max(6.0, 28.0 / static_cast<double>(groups));
  const double row = bar * static_cast<double>(groups) + 12;
  const double legend = legend_height(kFigureWidth - kLabelWidth, chart.legend);
  const double top = kTitleHeight + legend + 6;
  const double plot_height = row * static_cast<double>(chart.categories.size());
  Svg svg(kFigureWidth, top + plot_height + 50, chart.title);
  draw_title(svg, chart.title);
  draw_legend(svg, kLabelWidth, kTitleHeight, kFigureWidth - kLabelWidth, chart.legend);

  double lo = std::numeric_limits<double>::infinity(), hi = 0;
  for (const auto& s : chart.series)
    for (double v : s.values)
      if (std::isfinite(v) && (!chart.x.log || v > 0)) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
  AxisSpec x = chart.x;
  if (!std::isfinite(lo)) {
    lo = chart.x.log ? 1 : 0;
    hi = chart.x.log ? 10 : 1;
  }
  x.lo = chart.x.log ? lo / 2 : 0.0;  // so that the smallest bar still shows
  x.hi = std::max(hi, chart.x.log ? lo * 10 : 1e-9);
  const Rect area{kLabelWidth, top, kFigureWidth - kLabelWidth - kTextWidth, plot_height};
  const Scale scale = draw_x_axis(svg, area, x);
  for (std::size_t c = 0; c < chart.categories.size(); ++c) {
    const double y0 = top + static_cast<double>(c) * row + 6;
    svg.text(kLabelWidth - 8, y0 + (row - 12) / 2 + 4, chart.categories[c], "end", 12);
    for (std::size_t g = 0; g < chart.series.size(); ++g) {
      const BarSeries& s = chart.series[g];
      const double v = c < s.values.size() ? s.values[c] : std::nan("");
      const double y = y0 + static_cast<double>(g) * bar;
      const double start = scale(scale.lo());
      const bool drawn = std::isfinite(v) && (chart.x.log ? v > 0 : v != 0);
      const double end = drawn ? scale(v) : start;
      const std::string text = c < s.texts.size() ? s.texts[c] : "";
      if (drawn)
        svg.cell({start, y, std::max(end - start, 1.0), bar - 1}, s.colour, s.label + ": " + text);
      svg.text(end + 4, y + bar / 2 + 3.5, text, "start", std::min(11.0, bar));
    }
  }
  return svg.finish();
}

std::string range_chart(const RangeChart& chart) {
  const std::size_t series = std::max<std::size_t>(chart.legend.size(), 1);
  const double row = std::max(44.0, 10.0 * static_cast<double>(series) + 30);
  const double legend = legend_height(kFigureWidth - kRangeLabelWidth, chart.legend);
  const double top = kTitleHeight + legend + 6;
  Svg svg(kFigureWidth, top + row * static_cast<double>(chart.rows.size()) + 10, chart.title);
  draw_title(svg, chart.title);
  draw_legend(svg, kRangeLabelWidth, kTitleHeight, kFigureWidth - kRangeLabelWidth, chart.legend);
  const double x0 = kRangeLabelWidth, x1 = kFigureWidth - kTextWidth;
  for (std::size_t r = 0; r < chart.rows.size(); ++r) {
    const RangeRow& rr = chart.rows[r];
    const double y0 = top + static_cast<double>(r) * row;
    double hi = rr.high;
    for (const Estimate& e : rr.model)
      if (std::isfinite(e.value)) hi = std::max(hi, e.value + (std::isfinite(e.se) ? 2 * e.se : 0));
    const NiceRange nice = nice_range(0, std::max(hi * chart.scale, 1e-9), 4);
    const Scale scale(nice.lo, nice.hi, x0, x1);
    if (r % 2 == 0) svg.rect({0, y0, kFigureWidth, row}, "#f4f4f4");
    svg.text(x0 - 10, y0 + row / 2, rr.label, "end", 12);
    // The row's own axis: a base line with ticks, labelled at its ends, inside the row.
    const double base = y0 + row - 13;
    svg.line(x0, base, x1, base, "#999999");
    for (double t : linear_ticks(nice.lo, nice.hi, nice.step)) {
      svg.line(scale(t), base, scale(t), base + 3, "#999999");
      svg.text(scale(t), base + 11, tick_label(t, nice.step) + chart.unit, "middle", 9,
               "fill=\"#555555\"");
    }
    const double a = scale(rr.low * chart.scale), b = scale(rr.high * chart.scale);
    svg.rect({a, y0 + 3, std::max(b - a, 3.0), base - y0 - 3}, "#bbbbbb",
             "published range " + rr.range_text);
    for (std::size_t s = 0; s < rr.model.size(); ++s) {
      const Estimate& e = rr.model[s];
      if (!std::isfinite(e.value)) continue;
      const double y = y0 + 8 + static_cast<double>(s) * 10;
      const std::string colour = s < chart.legend.size() ? chart.legend[s].colour : "#000000";
      const double v = e.value * chart.scale;
      if (std::isfinite(e.se) && e.se > 0) {
        const double w0 = scale(std::max(v - 2 * e.se * chart.scale, nice.lo));
        const double w1 = scale(std::min(v + 2 * e.se * chart.scale, nice.hi));
        svg.path(fmt::format("M{} {}H{}", px(w0), px(y), px(w1)),
                 fmt::format("class=\"data\" stroke=\"{}\" stroke-width=\"2\"", colour));
      }
      svg.cell({scale(v) - 3.5, y - 3.5, 7, 7}, colour,
               fmt::format("{}: {:.3g}{} (se {:.2g})",
                           s < chart.legend.size() ? chart.legend[s].label : "", v, chart.unit,
                           e.se * chart.scale));
    }
    if (rr.model.size() == 1) {  // with several series the dots and the table give the values
      const std::string model =
          std::isfinite(rr.model[0].value)
              ? fmt::format("{:.3g}{}", rr.model[0].value * chart.scale, chart.unit)
              : "n/a";
      svg.text(x1 + 10, y0 + row / 2 - 3, "model " + model, "start", 11);
    }
    svg.text(x1 + 10, y0 + row / 2 + (rr.model.size() == 1 ? 11 : 4), "published " + rr.range_text,
             "start", 11, "fill=\"#555555\"");
  }
  return svg.finish();
}

}  // namespace softpower::report
