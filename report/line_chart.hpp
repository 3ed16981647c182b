// Line charts: curves over a shared x axis, each optionally with a band (the replicate
// interval), in one or more panels (small multiples) with one legend; linear or log axes (the
// cascade-size CCDF is a log-log line chart).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "report/svg.hpp"

namespace softpower::report {

/// One curve: y over x, a band from low to high around it if those are not empty. NaN values
/// break the curve and the band.
struct Curve {
  std::string label;
  std::string colour;
  std::vector<double> x, y, low, high;
  bool dashed = false;
  bool steps = false;  // draw as a right-continuous step function (a CCDF)
};

struct Panel {
  std::string title;  // empty for a single panel
  std::vector<Curve> curves;
};

struct LineChart {
  std::string title;
  AxisSpec x, y;  // labels with units, log or not; lo/hi are taken from the data unless fixed
  bool fixed_y = false;  // keep y.lo, y.hi (e.g. attitude on [-1, 1]) instead of the data range
  std::vector<Panel> panels;
  std::vector<LegendEntry> legend;  // drawn above the panels
};

/// The SVG of the chart: panels in a grid of up to three columns, each with its own y range
/// (unless fixed) and the x range of all panels.
[[nodiscard]] std::string line_chart(const LineChart& chart);

/// The path data ("M x y L x y ...") of y over x in `plot`, one subpath per run of values
/// that are not NaN (and, on a log axis, positive).
[[nodiscard]] std::string line_path(const Plot& plot, const std::vector<double>& x,
                                    const std::vector<double>& y, bool steps = false);

/// The path data of the closed band between low and high, one subpath per run of defined
/// values.
[[nodiscard]] std::string band_path(const Plot& plot, const std::vector<double>& x,
                                    const std::vector<double>& low,
                                    const std::vector<double>& high);

}  // namespace softpower::report
