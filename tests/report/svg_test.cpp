#include "report/svg.hpp"

#include <gtest/gtest.h>

#include <string>

#include "report/axis.hpp"
#include "report/heat_map.hpp"
#include "report/line_chart.hpp"
#include "report/palette.hpp"
#include "report/result_summary.hpp"

namespace softpower::report {
namespace {

TEST(Ticks, NiceStepsAreOneTwoOrFiveTimesAPowerOfTen) {
  EXPECT_DOUBLE_EQ(nice_step(100, 5), 20);
  EXPECT_DOUBLE_EQ(nice_step(91, 5), 20);
  EXPECT_DOUBLE_EQ(nice_step(1, 4), 0.2);
  EXPECT_DOUBLE_EQ(nice_step(7000, 5), 1000);
  EXPECT_DOUBLE_EQ(nice_step(2, 5), 0.5);
}

TEST(Ticks, NiceRangeEndsOnTicks) {
  const NiceRange r = nice_range(0.3, 91, 5);
  EXPECT_DOUBLE_EQ(r.lo, 0);
  EXPECT_DOUBLE_EQ(r.hi, 100);
  EXPECT_DOUBLE_EQ(r.step, 20);
  EXPECT_EQ(linear_ticks(r.lo, r.hi, r.step), (std::vector<double>{0, 20, 40, 60, 80, 100}));
  const NiceRange a = nice_range(-0.13, 0.42, 5);
  EXPECT_DOUBLE_EQ(a.step, 0.1);
  EXPECT_NEAR(a.lo, -0.2, 1e-12);
  EXPECT_NEAR(a.hi, 0.5, 1e-12);
  const auto ticks = linear_ticks(a.lo, a.hi, a.step);
  ASSERT_EQ(ticks.size(), 8u);
  EXPECT_EQ(ticks[2], 0.0);  // exactly zero, not 2.7e-17
}

TEST(Ticks, LogAxisHasOneTickPerDecade) {
  const NiceRange r = decade_range(3, 4500);
  EXPECT_DOUBLE_EQ(r.lo, 1);
  EXPECT_DOUBLE_EQ(r.hi, 10000);
  EXPECT_EQ(log_ticks(r.lo, r.hi), (std::vector<double>{1, 10, 100, 1000, 10000}));
  EXPECT_EQ(log_ticks(0.001, 1), (std::vector<double>{0.001, 0.01, 0.1, 1}));
  EXPECT_EQ(log_ticks(1000, 10000), (std::vector<double>{1000, 2000, 5000, 10000}));
  EXPECT_EQ(log_ticks(1, 100), (std::vector<double>{1, 2, 5, 10, 20, 50, 100}));
  const Scale s(1, 10000, 0, 400, true);
  EXPECT_DOUBLE_EQ(s(100), 200);
  EXPECT_DOUBLE_EQ(s(10), 100);
}

TEST(Ticks, LabelsAreShort) {
  EXPECT_EQ(tick_label(20000, 5000), "20k");
  EXPECT_EQ(tick_label(1500000, 500000), "1.5M");
  EXPECT_EQ(tick_label(0.25, 0.05), "0.25");
  EXPECT_EQ(tick_label(1e-18, 0.1), "0");
  EXPECT_EQ(tick_label(40, 20), "40");
  EXPECT_EQ(tick_label(0.01, 0.01), "0.01");
  EXPECT_EQ(tick_label(0.00005, 0.00001), "5e-05");
}

TEST(Scale, LinearMapsToPixelsAndFlipsForY) {
  const Scale y(0, 10, 300, 100);
  EXPECT_DOUBLE_EQ(y(0), 300);
  EXPECT_DOUBLE_EQ(y(5), 200);
  EXPECT_THROW(Scale(1, 1, 0, 1), std::invalid_argument);
  EXPECT_THROW(Scale(0, 1, 0, 1, true), std::invalid_argument);
}

TEST(Paths, NaNBreaksALineAndLogAxesSkipZero) {
  const Plot plot{{0, 0, 100, 100}, Scale(0, 10, 0, 100), Scale(0, 10, 100, 0)};
  EXPECT_EQ(line_path(plot, {0, 5, 10}, {0, 5, 10}), "M0 100L50 50L100 0");
  EXPECT_EQ(line_path(plot, {0, 5, 10}, {0, std::nan(""), 10}), "M0 100M100 0");
  EXPECT_EQ(band_path(plot, {0, 10}, {0, 0}, {10, 10}), "M0 0L100 0L100 100L0 100Z");
  const Plot log{{0, 0, 100, 100}, Scale(1, 100, 0, 100, true), Scale(0.01, 1, 100, 0, true)};
  EXPECT_EQ(line_path(log, {0, 1, 10, 100}, {1, 1, 0.1, 0.01}), "M0 0L50 50L100 100");
}

TEST(Svg, LineChartIsStandaloneWithDataPaths) {
  LineChart chart;
  chart.title = "Reach <over> time & more";
  chart.x = {"time (days)", 0, 1};
  chart.y = {"users", 0, 1};
  chart.panels.push_back(
      {"", {Curve{"a", line_colour(0), {1, 2, 3}, {1, 4, 9}, {0, 3, 8}, {2, 5, 10}}}});
  const std::string svg = line_chart(chart);
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_NE(svg.find("<title>Reach &lt;over&gt; time &amp; more</title>"), std::string::npos);
  EXPECT_NE(svg.find("class=\"data\" fill=\"#0072B2\" fill-opacity"), std::string::npos);  // band
  EXPECT_NE(svg.find("class=\"data\" fill=\"none\" stroke=\"#0072B2\""),
            std::string::npos);  // line
  EXPECT_NE(svg.find(">time (days)</text>"), std::string::npos);
  EXPECT_TRUE(svg.ends_with("</svg>"));
}

TEST(Svg, HeatStripDrawsOnePathPerColourLevel) {
  HeatStrips chart{"t", "time (days)", "attitude", "share", {}};
  chart.strips.push_back({"", {0, 1, 2}, {-1, 0, 1}, {{0.0, 1.0}, {0.0, std::nan("")}}});
  const std::string svg = heat_strips(chart);
  // Levels: 0 (two cells), top (one), NaN (one) -> three data paths.
  std::size_t paths = 0;
  for (std::size_t at = svg.find("class=\"data\""); at != std::string::npos;
       at = svg.find("class=\"data\"", at + 1))
    ++paths;
  EXPECT_EQ(paths, 3u);
  EXPECT_NE(svg.find(viridis(0.5 / 64)), std::string::npos);
}

TEST(Palette, ViridisEndsAndOkabeIto) {
  EXPECT_EQ(viridis(0), "#440154");
  EXPECT_EQ(viridis(1), "#fde725");
  EXPECT_EQ(viridis(2), "#fde725");
  EXPECT_EQ(viridis(std::nan("")), "#dddddd");
  EXPECT_EQ(line_colour(0), "#0072B2");
  EXPECT_EQ(line_colour(8), line_colour(0));
}

TEST(Bins, WholeDaysForLongHorizonsElseAtMost240Bins) {
  const TimeBins days = choose_bins(2184, 1);
  EXPECT_EQ(days.steps_per_bin, 24u);
  EXPECT_EQ(days.count, 91u);
  EXPECT_EQ(days.per, "per day");
  EXPECT_DOUBLE_EQ(days.end_days.back(), 91);
  const TimeBins hours = choose_bins(72, 1);
  EXPECT_EQ(hours.steps_per_bin, 1u);
  EXPECT_EQ(hours.per, "per hour");
  const TimeBins half = choose_bins(300, 0.25);  // 75 hours: 2 steps a bin
  EXPECT_EQ(half.steps_per_bin, 2u);
  EXPECT_EQ(half.per, "per 0.5 h");
  EXPECT_EQ(half.count, 150u);
  EXPECT_EQ(choose_bins(300, 2).per, "per day");  // 25 days
}

TEST(Bins, SumCumulativeAndLast) {
  TimeBins bins = choose_bins(5, 1);
  bins.steps_per_bin = 2;
  bins.count = 3;
  const std::vector<double> v{1, 2, 3, 4, 5};
  EXPECT_EQ(bin_series(v, 1, 0, bins, Binning::kSum), (std::vector<double>{3, 7, 5}));
  EXPECT_EQ(bin_series(v, 1, 0, bins, Binning::kCumulative), (std::vector<double>{3, 10, 15}));
  EXPECT_EQ(bin_series(v, 1, 0, bins, Binning::kLast), (std::vector<double>{2, 4, 5}));
  // Two columns, the second one.
  EXPECT_EQ(bin_series({1, 10, 2, 20, 3, 30, 4, 40, 5, 50}, 2, 1, bins, Binning::kLast),
            (std::vector<double>{20, 40, 50}));
}

TEST(Outcome, ParsesNamesAndReductionsAndListsTheValidOnes) {
  const std::vector<MetricSpec> metrics{{"reach_cumulative", "users", ""}, {"shares", "users", ""}};
  const std::vector<SeriesSpec> series{{"soft_power_index", "attitude", "", {}},
                                       {"attitude_histogram", "users", "", {"a", "b"}}};
  EXPECT_EQ(parse_outcome("reach_cumulative", metrics, series).reduction, "final");
  EXPECT_EQ(parse_outcome("shares", metrics, series).reduction, "total");
  EXPECT_EQ(parse_outcome("soft_power_index:peak", metrics, series).reduction, "peak");
  try {
    (void)parse_outcome("attitude_histogram", metrics, series);
    FAIL() << "a series with columns is not an outcome";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("reach_cumulative, shares, soft_power_index"),
              std::string::npos)
        << e.what();
  }
  EXPECT_ANY_THROW((void)parse_outcome("shares:median", metrics, series));
  EXPECT_DOUBLE_EQ(reduce({1, 5, std::nan(""), 2}, "peak"), 5);
  EXPECT_DOUBLE_EQ(reduce({1, 5, std::nan(""), 3}, "mean"), 3);
  EXPECT_DOUBLE_EQ(reduce({1, 5, 2}, "total"), 8);
  EXPECT_DOUBLE_EQ(reduce({1, 5, 2}, "final"), 2);
}

}  // namespace
}  // namespace softpower::report
