// An SVG figure under construction, and the frame every plot shares: axes with ticks, grid,
// tick labels, axis labels and a legend. Each figure is a standalone SVG (its own xmlns and
// presentation attributes, no CSS from the page), so it renders the same inline in the report
// and alone through rsvg-convert.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "report/axis.hpp"

namespace softpower::report {

/// Every figure is this wide (pixels), with its title in a band of kTitleHeight at the top.
inline constexpr double kFigureWidth = 880;
inline constexpr double kTitleHeight = 30;

/// Pixel coordinates with one decimal: enough for a screen, and what keeps the SVG small.
[[nodiscard]] std::string px(double value);

/// `text` escaped for XML element content or attribute values.
[[nodiscard]] std::string xml(std::string_view text);

struct Rect {
  double x, y, w, h;
};

class Svg {
 public:
  /// Opens <svg> of the given size in pixels with a <title> (what screen readers and
  /// tooltips show) and a white background.
  Svg(double width, double height, std::string_view title);

  /// Text at (x, y); anchor is "start", "middle" or "end"; `extra` is added to the element's
  /// attributes as is (e.g. a rotation).
  void text(double x, double y, std::string_view content, std::string_view anchor = "start",
            double size = 12, std::string_view extra = "");
  void line(double x1, double y1, double x2, double y2, std::string_view stroke, double width = 1,
            std::string_view dash = "");
  /// A filled rectangle; a non-empty `tooltip` becomes its <title>.
  void rect(const Rect& r, std::string_view fill, std::string_view tooltip = "",
            std::string_view extra = "");
  /// A data mark: a rectangle drawn as a path of class "data" (what the rendering test looks
  /// for), with a <title> tooltip if not empty.
  void cell(const Rect& r, std::string_view fill, std::string_view tooltip = "",
            std::string_view extra = "");
  /// A path with data `d` and further attributes `attributes` (fill, stroke, ...).
  void path(std::string_view d, std::string_view attributes);
  /// Markup appended as is.
  void raw(std::string_view markup) { body_.append(markup); }

  [[nodiscard]] double width() const { return width_; }
  [[nodiscard]] double height() const { return height_; }
  /// The finished document.
  [[nodiscard]] std::string finish() const;

 private:
  double width_, height_;
  std::string body_;
};

/// The figure's title, centred in the title band.
void draw_title(Svg& svg, std::string_view title);

/// One axis of a plot: label (with its unit), data range, log or linear. With `nice`, a linear
/// range is widened to whole ticks and a log range to whole decades.
struct AxisSpec {
  std::string label;
  double lo = 0.0, hi = 1.0;
  bool log = false;
  bool nice = true;
};

/// The plotting area of a drawn frame and its scales.
struct Plot {
  Rect area;
  Scale x, y;
};

/// Draws the frame of a plot in `area`: grid lines and ticks at nice values, tick labels and
/// axis labels. Returns the scales of the (possibly widened) ranges.
Plot draw_axes(Svg& svg, const Rect& area, const AxisSpec& x, const AxisSpec& y);

/// Draws only an x axis (grid, ticks, labels, the base line) under `area`; returns its scale.
Scale draw_x_axis(Svg& svg, const Rect& area, const AxisSpec& x);

/// One legend entry: a swatch of `colour` (dashed if asked) and its label.
struct LegendEntry {
  std::string label;
  std::string colour;
  bool dashed = false;
};

/// Lays the entries out left to right from (x, y), wrapping at `max_width`; returns the height
/// used.
double draw_legend(Svg& svg, double x, double y, double max_width,
                   const std::vector<LegendEntry>& entries);

/// Height a legend of these entries takes at this width (to size a figure before drawing).
[[nodiscard]] double legend_height(double max_width, const std::vector<LegendEntry>& entries);

}  // namespace softpower::report
