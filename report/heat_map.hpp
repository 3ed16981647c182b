// Heat maps in viridis with a colour bar: a heat strip over numeric axes (the attitude
// distribution over time) and a grid over categorical axes (a sweep outcome over two swept
// keys, with the mean and its standard error written in each cell that has room).
#pragma once

#include <string>
#include <vector>

#include "report/svg.hpp"

namespace softpower::report {

/// values[row][column]; NaN cells are drawn light grey (no data).
using Matrix = std::vector<std::vector<double>>;

/// The colour range of a heat map: [lo, hi] of the finite values ([0, 1] if none; widened
/// when they are all equal).
struct ColourRange {
  double lo, hi;
};
[[nodiscard]] ColourRange colour_range(const std::vector<const Matrix*>& matrices);

struct HeatStrip {
  std::string title;            // the panel title (empty for a single strip)
  std::vector<double> x_edges;  // columns + 1 increasing edges
  std::vector<double> y_edges;  // rows + 1 increasing edges
  Matrix values;
};

/// Strips sharing axes and colour range, one panel each, stacked; the colour bar to the
/// right. Cells are drawn as one path per colour level (64 levels), which keeps a strip of
/// thousands of cells small.
struct HeatStrips {
  std::string title;
  std::string x_label, y_label, colour_label;
  std::vector<HeatStrip> strips;
};
[[nodiscard]] std::string heat_strips(const HeatStrips& chart);

struct HeatGrid {
  std::string title;  // the panel title (empty for a single grid)
  Matrix values;
  std::vector<std::vector<std::string>> cell_text;  // [row][column], shown if there is room
  std::vector<std::vector<std::string>> tooltips;   // [row][column]
};

/// Grids over the same categorical axes and colour range (small multiples), each cell a rect
/// with a tooltip.
struct HeatGrids {
  std::string title;
  std::string x_label, y_label, colour_label;
  std::vector<std::string> columns;  // x labels
  std::vector<std::string> rows;     // y labels, bottom to top
  std::vector<HeatGrid> grids;
};
[[nodiscard]] std::string heat_grids(const HeatGrids& chart);

}  // namespace softpower::report
