#include "report/svg.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "viz_export/xml_text.hpp"

namespace softpower::report {
namespace {

constexpr double kTickLength = 4;
constexpr double kLegendRow = 18;
constexpr double kSwatch = 18;
// Rough width of a 11 px character in the sans-serif fonts browsers and rsvg pick.
constexpr double kCharWidth = 6.6;

double entry_width(const LegendEntry& e) {
  return kSwatch + 6 + kCharWidth * static_cast<double>(e.label.size()) + 16;
}

}  // namespace

std::string px(double value) {
  std::string s = fmt::format("{:.1f}", value);
  if (s.size() > 2 && s.ends_with(".0")) s.resize(s.size() - 2);
  return s == "-0" ? "0" : s;
}

std::string xml(std::string_view text) { return viz::escaped(text); }

Svg::Svg(double width, double height, std::string_view title) : width_(width), height_(height) {
  body_ = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} "
      "{1}\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\" "
      "role=\"img\"><title>{2}</title><rect width=\"{0}\" height=\"{1}\" fill=\"#ffffff\"/>",
      px(width), px(height), xml(title));
}

void Svg::text(double x, double y, std::string_view content, std::string_view anchor, double size,
               std::string_view extra) {
  body_ += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"{}\"{}{}{}>{}</text>", px(x), px(y),
                       anchor, size == 12 ? "" : fmt::format(" font-size=\"{}\"", px(size)),
                       extra.empty() ? "" : " ", extra, xml(content));
}

void Svg::line(double x1, double y1, double x2, double y2, std::string_view stroke, double width,
               std::string_view dash) {
  body_ += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\"{}{}/>", px(x1),
                       px(y1), px(x2), px(y2), stroke,
                       width == 1 ? "" : fmt::format(" stroke-width=\"{}\"", px(width)),
                       dash.empty() ? "" : fmt::format(" stroke-dasharray=\"{}\"", dash));
}

void Svg::rect(const Rect& r, std::string_view fill, std::string_view tooltip,
               std::string_view extra) {
  body_ += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"{}{}",
                       px(r.x), px(r.y), px(std::max(r.w, 0.0)), px(std::max(r.h, 0.0)), fill,
                       extra.empty() ? "" : " ", extra);
  body_ +=
      tooltip.empty() ? std::string("/>") : fmt::format("><title>{}</title></rect>", xml(tooltip));
}

void Svg::cell(const Rect& r, std::string_view fill, std::string_view tooltip,
               std::string_view extra) {
  body_ += fmt::format("<path class=\"data\" d=\"M{} {}h{}v{}h-{}Z\" fill=\"{}\"{}{}", px(r.x),
                       px(r.y), px(std::max(r.w, 0.0)), px(std::max(r.h, 0.0)),
                       px(std::max(r.w, 0.0)), fill, extra.empty() ? "" : " ", extra);
  body_ +=
      tooltip.empty() ? std::string("/>") : fmt::format("><title>{}</title></path>", xml(tooltip));
}

void Svg::path(std::string_view d, std::string_view attributes) {
  body_ += fmt::format("<path d=\"{}\" {}/>", d, attributes);
}

void draw_title(Svg& svg, std::string_view title) {
  svg.text(svg.width() / 2, 19, title, "middle", 14, "font-weight=\"bold\"");
}

std::string Svg::finish() const { return body_ + "</svg>"; }

namespace {

struct Ticks {
  double lo, hi;
  std::vector<double> at;
  std::vector<std::string> labels;
};

Ticks axis_ticks(const AxisSpec& a, int target) {
  Ticks t;
  if (a.log) {
    const NiceRange r = a.nice ? decade_range(a.lo, a.hi) : NiceRange{a.lo, a.hi, 10};
    t.lo = r.lo;
    t.hi = r.hi;
    t.at = log_ticks(r.lo, r.hi);
    for (double v : t.at) t.labels.push_back(tick_label(v, v));
  } else {
    NiceRange r = nice_range(a.lo, a.hi, target);
    if (!a.nice) r = {a.lo, a.hi, r.step};
    t.lo = r.lo;
    t.hi = r.hi;
    t.at = linear_ticks(r.lo, r.hi, r.step);
    for (double v : t.at) t.labels.push_back(tick_label(v, r.step));
  }
  return t;
}

Ticks x_ticks(const Rect& area, const AxisSpec& x) {
  return axis_ticks(x, std::max(2, static_cast<int>(area.w / 90)));
}

void draw_x(Svg& svg, const Rect& area, const AxisSpec& spec, const Ticks& tx, const Scale& x) {
  const double bottom = area.y + area.h;
  for (std::size_t i = 0; i < tx.at.size(); ++i) {
    const double at = x(tx.at[i]);
    svg.line(at, area.y, at, bottom, "#e4e4e4");
    svg.line(at, bottom, at, bottom + kTickLength, "#444444");
    svg.text(at, bottom + kTickLength + 12, tx.labels[i], "middle", 11);
  }
  svg.text(area.x + area.w / 2, bottom + 34, spec.label, "middle");
}

}  // namespace

Scale draw_x_axis(Svg& svg, const Rect& area, const AxisSpec& x) {
  const Ticks tx = x_ticks(area, x);
  const Scale scale(tx.lo, tx.hi, area.x, area.x + area.w, x.log);
  draw_x(svg, area, x, tx, scale);
  svg.line(area.x, area.y + area.h, area.x + area.w, area.y + area.h, "#444444");
  return scale;
}

Plot draw_axes(Svg& svg, const Rect& area, const AxisSpec& x, const AxisSpec& y) {
  const Ticks tx = x_ticks(area, x);
  const Ticks ty = axis_ticks(y, std::max(2, static_cast<int>(area.h / 45)));
  Plot plot{area, Scale(tx.lo, tx.hi, area.x, area.x + area.w, x.log),
            Scale(ty.lo, ty.hi, area.y + area.h, area.y, y.log)};
  draw_x(svg, area, x, tx, plot.x);
  for (std::size_t i = 0; i < ty.at.size(); ++i) {
    const double at = plot.y(ty.at[i]);
    svg.line(area.x, at, area.x + area.w, at, "#e4e4e4");
    svg.line(area.x - kTickLength, at, area.x, at, "#444444");
    svg.text(area.x - kTickLength - 3, at + 4, ty.labels[i], "end", 11);
  }
  svg.rect(area, "none", "", "stroke=\"#444444\"");
  const double label_x = area.x - 48;
  const double label_y = area.y + area.h / 2;
  svg.text(label_x, label_y, y.label, "middle", 12,
           fmt::format("transform=\"rotate(-90 {} {})\"", px(label_x), px(label_y)));
  return plot;
}

double legend_height(double max_width, const std::vector<LegendEntry>& entries) {
  if (entries.empty()) return 0;
  double rows = 1, used = 0;
  for (const auto& e : entries) {
    const double w = entry_width(e);
    if (used > 0 && used + w > max_width) {
      ++rows;
      used = 0;
    }
    used += w;
  }
  return rows * kLegendRow;
}

double draw_legend(Svg& svg, double x, double y, double max_width,
                   const std::vector<LegendEntry>& entries) {
  double cx = x, cy = y;
  for (const auto& e : entries) {
    const double w = entry_width(e);
    if (cx > x && cx + w > x + max_width) {
      cx = x;
      cy += kLegendRow;
    }
    svg.line(cx, cy + 9, cx + kSwatch, cy + 9, e.colour, 3, e.dashed ? "5 3" : "");
    svg.text(cx + kSwatch + 6, cy + 13, e.label, "start", 11);
    cx += w;
  }
  return legend_height(max_width, entries);
}

}  // namespace softpower::report
