#include "report/line_chart.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace softpower::report {
namespace {

constexpr double kPanelTitle = 18;
constexpr double kMarginLeft = 70;
constexpr double kMarginRight = 16;
constexpr double kMarginBottom = 46;

bool drawable(const Scale& scale, double v) { return !std::isnan(v) && (!scale.log() || v > 0.0); }

bool drawable(const Plot& plot, double x, double y) {
  return drawable(plot.x, x) && drawable(plot.y, y);
}

/// [lo, hi] over every finite (and, for a log axis, positive) value of the panels' curves.
std::pair<double, double> data_range(const std::vector<const Curve*>& curves, bool use_x,
                                     bool log) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  const auto take = [&](const std::vector<double>& values) {
    for (double v : values) {
      if (std::isfinite(v) && (!log || v > 0.0)) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
    }
  };
  for (const Curve* c : curves) {
    if (use_x) {
      take(c->x);
    } else {
      take(c->y);
      take(c->low);
      take(c->high);
    }
  }
  if (!std::isfinite(lo)) return log ? std::pair{1.0, 10.0} : std::pair{0.0, 1.0};
  return {lo, hi};
}

}  // namespace

std::string line_path(const Plot& plot, const std::vector<double>& x, const std::vector<double>& y,
                      bool steps) {
  std::string d;
  bool open = false;
  for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
    if (!drawable(plot, x[i], y[i])) {
      open = false;
      continue;
    }
    const double px_x = plot.x(x[i]), px_y = plot.y(y[i]);
    if (!open) {
      d += fmt::format("M{} {}", px(px_x), px(px_y));
      open = true;
    } else if (steps) {
      d += fmt::format("H{}V{}", px(px_x), px(px_y));
    } else {
      d += fmt::format("L{} {}", px(px_x), px(px_y));
    }
  }
  return d;
}

std::string band_path(const Plot& plot, const std::vector<double>& x,
                      const std::vector<double>& low, const std::vector<double>& high) {
  std::string d;
  const std::size_t n = std::min({x.size(), low.size(), high.size()});
  std::size_t i = 0;
  while (i < n) {
    while (i < n && !(drawable(plot, x[i], low[i]) && drawable(plot, x[i], high[i]))) ++i;
    const std::size_t begin = i;
    while (i < n && drawable(plot, x[i], low[i]) && drawable(plot, x[i], high[i])) ++i;
    if (i - begin < 2) continue;
    for (std::size_t j = begin; j < i; ++j) {
      d += fmt::format("{}{} {}", j == begin ? "M" : "L", px(plot.x(x[j])), px(plot.y(high[j])));
    }
    for (std::size_t j = i; j-- > begin;) {
      d += fmt::format("L{} {}", px(plot.x(x[j])), px(plot.y(low[j])));
    }
    d += "Z";
  }
  return d;
}

std::string line_chart(const LineChart& chart) {
  const std::size_t panels = std::max<std::size_t>(chart.panels.size(), 1);
  const std::size_t columns = std::min<std::size_t>(panels, panels == 4 ? 2 : 3);
  const std::size_t rows = (panels + columns - 1) / columns;
  const double panel_height = panels == 1 ? 300 : 210;
  const double legend_width = kFigureWidth - kMarginLeft - kMarginRight;
  const double legend = legend_height(legend_width, chart.legend);
  const double cell_width = kFigureWidth / static_cast<double>(columns);
  const double cell_height = panel_height + kMarginBottom + (panels > 1 ? kPanelTitle : 6);
  Svg svg(kFigureWidth, kTitleHeight + legend + 4 + static_cast<double>(rows) * cell_height,
          chart.title);
  draw_title(svg, chart.title);
  draw_legend(svg, kMarginLeft, kTitleHeight, legend_width, chart.legend);

  std::vector<const Curve*> all;
  for (const Panel& p : chart.panels)
    for (const Curve& c : p.curves) all.push_back(&c);
  const auto [x_lo, x_hi] = data_range(all, true, chart.x.log);
  for (std::size_t k = 0; k < chart.panels.size(); ++k) {
    const Panel& panel = chart.panels[k];
    const double cx = static_cast<double>(k % columns) * cell_width;
    const double cy = kTitleHeight + legend + 4 + static_cast<double>(k / columns) * cell_height;
    const double top = cy + (panels > 1 ? kPanelTitle : 6);
    if (!panel.title.empty())
      svg.text(cx + cell_width / 2 + 20, cy + 13, panel.title, "middle", 12);
    std::vector<const Curve*> mine;
    for (const Curve& c : panel.curves) mine.push_back(&c);
    AxisSpec x = chart.x;
    x.lo = x_lo;
    x.hi = x_hi;
    AxisSpec y = chart.y;
    if (!chart.fixed_y) std::tie(y.lo, y.hi) = data_range(mine, false, chart.y.log);
    if (!chart.y.log && !chart.fixed_y && y.lo > 0 && y.hi > 0) y.lo = 0;  // counts start at 0
    const Rect area{cx + kMarginLeft, top, cell_width - kMarginLeft - kMarginRight, panel_height};
    const Plot plot = draw_axes(svg, area, x, y);
    for (const Curve* c : mine) {
      if (!c->low.empty()) {
        const std::string d = band_path(plot, c->x, c->low, c->high);
        if (!d.empty())
          svg.path(d, fmt::format("class=\"data\" fill=\"{}\" fill-opacity=\"0.2\" stroke=\"none\"",
                                  c->colour));
      }
    }
    for (const Curve* c : mine) {
      const std::string d = line_path(plot, c->x, c->y, c->steps);
      if (d.empty()) continue;
      svg.path(d, fmt::format("class=\"data\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"{}",
                              c->colour, c->dashed ? " stroke-dasharray=\"6 3\"" : ""));
    }
  }
  return svg.finish();
}

}  // namespace softpower::report
