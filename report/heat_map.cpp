#include "report/heat_map.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "report/palette.hpp"

namespace softpower::report {
namespace {

constexpr double kMarginLeft = 80;
constexpr double kColourBar = 110;  // room right of the plots for the bar and its labels
constexpr double kMarginBottom = 46;
constexpr int kLevels = 64;

double unit(const ColourRange& range, double v) { return (v - range.lo) / (range.hi - range.lo); }

/// The colour bar: kLevels steps from lo (bottom) to hi (top), with ticks and its label.
void draw_colour_bar(Svg& svg, double x, double y, double height, const ColourRange& range,
                     const std::string& label) {
  const double w = 14;
  const double step = height / kLevels;
  for (int k = 0; k < kLevels; ++k) {
    const double t = (k + 0.5) / kLevels;
    svg.rect({x, y + height - (k + 1) * step, w, step + 0.3}, viridis(t));
  }
  svg.rect({x, y, w, height}, "none", "", "stroke=\"#444444\"");
  const Scale scale(range.lo, range.hi, y + height, y);
  const NiceRange nice = nice_range(range.lo, range.hi, 4);
  for (double v : linear_ticks(range.lo, range.hi, nice.step)) {
    svg.line(x + w, scale(v), x + w + 4, scale(v), "#444444");
    svg.text(x + w + 6, scale(v) + 4, tick_label(v, nice.step), "start", 11);
  }
  const double lx = x + w + 58, ly = y + height / 2;
  svg.text(lx, ly, label, "middle", 11,
           fmt::format("transform=\"rotate(-90 {} {})\"", px(lx), px(ly)));
}

}  // namespace

ColourRange colour_range(const std::vector<const Matrix*>& matrices) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const Matrix* m : matrices)
    for (const auto& row : *m)
      for (double v : row)
        if (std::isfinite(v)) {
          lo = std::min(lo, v);
          hi = std::max(hi, v);
        }
  if (!std::isfinite(lo)) return {0.0, 1.0};
  if (hi <= lo) {
    const double pad = lo == 0.0 ? 1.0 : std::abs(lo) * 0.05;
    return {lo - pad, hi + pad};
  }
  return {lo, hi};
}

std::string heat_strips(const HeatStrips& chart) {
  const std::size_t n = std::max<std::size_t>(chart.strips.size(), 1);
  const double strip_height = n == 1 ? 220 : 120;
  const double panel_title = n == 1 ? 6 : 18;
  const double cell = panel_title + strip_height + kMarginBottom;
  Svg svg(kFigureWidth, kTitleHeight + static_cast<double>(n) * cell, chart.title);
  draw_title(svg, chart.title);
  std::vector<const Matrix*> all;
  for (const auto& s : chart.strips) all.push_back(&s.values);
  const ColourRange range = colour_range(all);
  for (std::size_t k = 0; k < chart.strips.size(); ++k) {
    const HeatStrip& strip = chart.strips[k];
    const double top = kTitleHeight + static_cast<double>(k) * cell;
    if (!strip.title.empty()) svg.text(kFigureWidth / 2, top + 13, strip.title, "middle");
    const Rect area{kMarginLeft, top + panel_title, kFigureWidth - kMarginLeft - kColourBar,
                    strip_height};
    if (strip.x_edges.size() < 2 || strip.y_edges.size() < 2) continue;
    AxisSpec x{chart.x_label, strip.x_edges.front(), strip.x_edges.back(), false, false};
    AxisSpec y{chart.y_label, strip.y_edges.front(), strip.y_edges.back(), false, false};
    const Plot plot = draw_axes(svg, area, x, y);
    // One path per colour level: cells of a level become rectangles of one subpath each.
    std::map<int, std::string> by_level;
    for (std::size_t r = 0; r + 1 < strip.y_edges.size() && r < strip.values.size(); ++r) {
      const double y0 = plot.y(strip.y_edges[r + 1]), y1 = plot.y(strip.y_edges[r]);
      for (std::size_t c = 0; c + 1 < strip.x_edges.size() && c < strip.values[r].size(); ++c) {
        const double v = strip.values[r][c];
        const int level =
            std::isnan(v) ? -1
                          : std::clamp(static_cast<int>(unit(range, v) * kLevels), 0, kLevels - 1);
        const double x0 = plot.x(strip.x_edges[c]), x1 = plot.x(strip.x_edges[c + 1]);
        by_level[level] += fmt::format("M{} {}h{}v{}h-{}Z", px(x0), px(y0), px(x1 - x0 + 0.2),
                                       px(y1 - y0 + 0.2), px(x1 - x0 + 0.2));
      }
    }
    for (const auto& [level, d] : by_level) {
      svg.path(d, fmt::format("class=\"data\" fill=\"{}\"",
                              viridis(level < 0 ? std::numeric_limits<double>::quiet_NaN()
                                                : (level + 0.5) / kLevels)));
    }
    svg.rect(area, "none", "", "stroke=\"#444444\"");
    draw_colour_bar(svg, area.x + area.w + 16, area.y, area.h, range, chart.colour_label);
  }
  return svg.finish();
}

std::string heat_grids(const HeatGrids& chart) {
  const std::size_t n = std::max<std::size_t>(chart.grids.size(), 1);
  const std::size_t columns = chart.columns.size(), rows = chart.rows.size();
  const std::size_t per_row = n == 1 ? 1 : std::min<std::size_t>(n, columns > 6 ? 1 : 2);
  const std::size_t lines = (n + per_row - 1) / per_row;
  const double plot_width =
      (kFigureWidth - kColourBar) / static_cast<double>(per_row) - kMarginLeft - 10;
  const double cell_h =
      std::clamp(320.0 / static_cast<double>(std::max<std::size_t>(rows, 1)), 12.0, 90.0);
  const double plot_height = cell_h * static_cast<double>(std::max<std::size_t>(rows, 1));
  const double panel_title = n == 1 ? 6 : 18;
  const double block = panel_title + plot_height + kMarginBottom + 10;
  Svg svg(kFigureWidth, kTitleHeight + static_cast<double>(lines) * block, chart.title);
  draw_title(svg, chart.title);
  std::vector<const Matrix*> all;
  for (const auto& g : chart.grids) all.push_back(&g.values);
  const ColourRange range = colour_range(all);
  const double cell_w = plot_width / static_cast<double>(std::max<std::size_t>(columns, 1));
  for (std::size_t k = 0; k < chart.grids.size(); ++k) {
    const HeatGrid& grid = chart.grids[k];
    const double left =
        static_cast<double>(k % per_row) * (plot_width + kMarginLeft + 10) + kMarginLeft;
    const double top = kTitleHeight + static_cast<double>(k / per_row) * block;
    if (!grid.title.empty()) svg.text(left + plot_width / 2, top + 13, grid.title, "middle");
    const Rect area{left, top + panel_title, plot_width, plot_height};
    for (std::size_t r = 0; r < rows && r < grid.values.size(); ++r) {
      for (std::size_t c = 0; c < columns && c < grid.values[r].size(); ++c) {
        const double v = grid.values[r][c];
        const double t = std::isnan(v) ? v : unit(range, v);
        const Rect cell{area.x + static_cast<double>(c) * cell_w,
                        area.y + area.h - static_cast<double>(r + 1) * cell_h, cell_w, cell_h};
        const std::string tip =
            r < grid.tooltips.size() && c < grid.tooltips[r].size() ? grid.tooltips[r][c] : "";
        svg.cell(cell, viridis(t), tip, "stroke=\"#ffffff\" stroke-width=\"0.5\"");
        const std::string text =
            r < grid.cell_text.size() && c < grid.cell_text[r].size() ? grid.cell_text[r][c] : "";
        if (!text.empty() && cell_h >= 14 && cell_w >= 6.5 * static_cast<double>(text.size())) {
          svg.text(cell.x + cell_w / 2, cell.y + cell_h / 2 + 4, text, "middle", 10,
                   fmt::format("fill=\"{}\"", text_colour_on_viridis(t)));
        }
      }
    }
    svg.rect(area, "none", "", "stroke=\"#444444\"");
    const std::size_t label_every =
        std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(60.0 / cell_w)));
    for (std::size_t c = 0; c < columns; c += label_every) {
      svg.text(area.x + (static_cast<double>(c) + 0.5) * cell_w, area.y + area.h + 14,
               chart.columns[c], "middle", 11);
    }
    const std::size_t row_every =
        std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(13.0 / cell_h)));
    for (std::size_t r = 0; r < rows; r += row_every) {
      svg.text(area.x - 4, area.y + area.h - (static_cast<double>(r) + 0.5) * cell_h + 4,
               chart.rows[r], "end", 11);
    }
    svg.text(area.x + area.w / 2, area.y + area.h + 34, chart.x_label, "middle");
    const double lx = area.x - 62, ly = area.y + area.h / 2;
    svg.text(lx, ly, chart.y_label, "middle", 12,
             fmt::format("transform=\"rotate(-90 {} {})\"", px(lx), px(ly)));
  }
  draw_colour_bar(svg, kFigureWidth - kColourBar + 16, kTitleHeight + panel_title,
                  std::max(plot_height, 80.0), range, chart.colour_label);
  return svg.finish();
}

}  // namespace softpower::report
