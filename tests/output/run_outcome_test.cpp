#include "output/run_outcome.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace softpower {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(IndexOutcome, PeakIsTheLargestMagnitudeWithItsSignAndDay) {
  const std::vector<double> series{0.0, 0.5, -0.75, 0.25};
  const IndexOutcome o = index_outcome(series, 12.0);
  EXPECT_EQ(o.peak, -0.75);
  EXPECT_EQ(o.peak_day, 1.5);  // end of the third 12-hour step
  EXPECT_EQ(o.integral, (0.0 + 0.5 - 0.75 + 0.25) * 0.5);
  EXPECT_EQ(o.final_value, 0.25);
}

TEST(IndexOutcome, NaNStepsAreSkipped) {
  const std::vector<double> series{kNaN, kNaN, 0.25, 0.5};
  const IndexOutcome o = index_outcome(series, 24.0);
  EXPECT_EQ(o.peak, 0.5);
  EXPECT_EQ(o.peak_day, 4.0);
  EXPECT_EQ(o.integral, 0.75);
}

TEST(IndexOutcome, AllNaNHasNoPeak) {
  const std::vector<double> series{kNaN, kNaN};
  const IndexOutcome o = index_outcome(series, 1.0);
  EXPECT_TRUE(std::isnan(o.peak));
  EXPECT_TRUE(std::isnan(o.final_value));
  EXPECT_EQ(o.integral, 0.0);
}

TEST(MeanAndError, MatchesTheTextbookFormulas) {
  MeanAndError m;
  for (double x : {1.0, 2.0, 3.0, 6.0, kNaN}) m.add(x);
  EXPECT_EQ(m.count(), 4u);
  EXPECT_DOUBLE_EQ(m.mean(), 3.0);
  // Sample variance (4 + 1 + 0 + 9) / 3 = 14/3; SE = sqrt(14/3 / 4).
  EXPECT_DOUBLE_EQ(m.standard_error(), std::sqrt(14.0 / 3.0 / 4.0));
}

TEST(MeanAndError, OneValueHasNoError) {
  MeanAndError m;
  m.add(2.5);
  EXPECT_EQ(m.mean(), 2.5);
  EXPECT_EQ(m.standard_error(), 0.0);
}

}  // namespace
}  // namespace softpower
