// Bar charts: horizontal grouped bars with a text per bar (the censorship funnel's counts and
// rates), and a range chart that sets a model estimate with its standard error beside a
// published range, one row per quantity with its own scale.
#pragma once

#include <string>
#include <vector>

#include "report/svg.hpp"

namespace softpower::report {

struct BarSeries {
  std::string label;
  std::string colour;
  std::vector<double> values;      // one per category
  std::vector<std::string> texts;  // one per category, written after the bar
};

struct BarChart {
  std::string title;
  AxisSpec x;  // lo and hi come from the values; log axes draw bars from the axis start
  std::vector<std::string> categories;  // top to bottom
  std::vector<BarSeries> series;
  std::vector<LegendEntry> legend;
};
[[nodiscard]] std::string bar_chart(const BarChart& chart);

/// A model estimate (value, standard error) for one series; NaN value: not available.
struct Estimate {
  double value, se;
};

struct RangeRow {
  std::string label;            // what is compared, e.g. "P22 items taken down"
  double low, high;             // the published range (equal for a single figure)
  std::string range_text;       // e.g. "1.06-1.55%"
  std::vector<Estimate> model;  // one per series
};

struct RangeChart {
  std::string title;
  std::string unit;  // appended to tick labels, e.g. "%"
  double scale = 1;  // values are multiplied by this before drawing (100 for percent)
  std::vector<RangeRow> rows;
  std::vector<LegendEntry> legend;  // one entry per series
};
/// Rows top to bottom; the published range as a grey bar, each series' estimate as a dot with
/// a whisker of two standard errors.
[[nodiscard]] std::string range_chart(const RangeChart& chart);

}  // namespace softpower::report
