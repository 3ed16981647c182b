#include "report/statistics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace softpower::report {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(Quantile, InterpolatesBetweenOrderStatistics) {
  const std::vector<double> v{1, 2, 3, 4, 5};
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 0.05), 1.2);  // position 0.2
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 0.5), 3.0);
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 0.95), 4.8);  // position 3.8
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 1.0), 5.0);
  EXPECT_DOUBLE_EQ(quantile_sorted({7}, 0.95), 7.0);
  EXPECT_TRUE(std::isnan(quantile_sorted({}, 0.5)));
}

TEST(ReplicateBand, MeanAndNinetyPercentIntervalPerStep) {
  // Five runs of three steps; step 1 reversed, step 2 constant.
  const std::vector<std::vector<double>> runs{
      {1, 50, 2}, {2, 40, 2}, {3, 30, 2}, {4, 20, 2}, {5, 10, 2}};
  const Band band = replicate_band(runs);
  ASSERT_EQ(band.mean.size(), 3u);
  EXPECT_DOUBLE_EQ(band.mean[0], 3.0);
  EXPECT_DOUBLE_EQ(band.low[0], 1.2);
  EXPECT_DOUBLE_EQ(band.high[0], 4.8);
  EXPECT_DOUBLE_EQ(band.mean[1], 30.0);
  EXPECT_DOUBLE_EQ(band.low[1], 12.0);
  EXPECT_DOUBLE_EQ(band.high[1], 48.0);
  EXPECT_DOUBLE_EQ(band.low[2], 2.0);
  EXPECT_DOUBLE_EQ(band.high[2], 2.0);
}

TEST(ReplicateBand, LeavesOutNaNAndGivesNaNWhenNothingIsLeft) {
  const Band band = replicate_band({{kNaN, 1}, {kNaN, 3}, {kNaN, kNaN}});
  EXPECT_TRUE(std::isnan(band.mean[0]));
  EXPECT_TRUE(std::isnan(band.low[0]));
  EXPECT_DOUBLE_EQ(band.mean[1], 2.0);
  EXPECT_DOUBLE_EQ(band.low[1], 1.1);
  EXPECT_DOUBLE_EQ(band.high[1], 2.9);
}

TEST(Summarize, MeanStandardErrorAndInterval) {
  const Summary s = summarize({2, 4, 4, 4, 5, 5, 7, 9});
  EXPECT_DOUBLE_EQ(s.mean, 5.0);
  // Sample variance 32/7; se = sqrt(32/7) / sqrt(8).
  EXPECT_DOUBLE_EQ(s.se, std::sqrt(32.0 / 7.0) / std::sqrt(8.0));
  EXPECT_EQ(s.n, 8u);
  EXPECT_DOUBLE_EQ(s.low, 2.0 + 0.35 * 2.0);   // position 0.35
  EXPECT_DOUBLE_EQ(s.high, 7.0 + 0.65 * 2.0);  // position 6.65
  EXPECT_TRUE(std::isnan(summarize({3}).se));
}

TEST(PooledRatio, MatchesTheDeltaMethodOfFunnelPy) {
  const Ratio r = pooled_ratio({1, 3}, {10, 10});
  EXPECT_DOUBLE_EQ(r.value, 0.2);
  // sum (y - R x)^2 = 1 + 1 = 2; se = sqrt(2 / (2 * 1)) / mean(x) = 0.1.
  EXPECT_DOUBLE_EQ(r.se, 0.1);
  EXPECT_TRUE(std::isnan(pooled_ratio({1}, {0}).value));
}

TEST(Ccdf, ShareOfValuesAtLeastEachDistinctValue) {
  const std::vector<CcdfPoint> c = ccdf({5, 1, 2, 1});
  ASSERT_EQ(c.size(), 3u);
  EXPECT_DOUBLE_EQ(c[0].x, 1);
  EXPECT_DOUBLE_EQ(c[0].p, 1.0);
  EXPECT_DOUBLE_EQ(c[1].x, 2);
  EXPECT_DOUBLE_EQ(c[1].p, 0.5);
  EXPECT_DOUBLE_EQ(c[2].x, 5);
  EXPECT_DOUBLE_EQ(c[2].p, 0.25);
  EXPECT_TRUE(ccdf({}).empty());
}

TEST(Ccdf, ThinningKeepsEndsAndOnePointPerLogBin) {
  std::vector<double> values;
  for (int v = 1; v <= 1000; ++v) values.push_back(v);
  const std::vector<CcdfPoint> thin = thin_log(ccdf(values), 10);
  EXPECT_DOUBLE_EQ(thin.front().x, 1);
  EXPECT_DOUBLE_EQ(thin.back().x, 1000);
  EXPECT_LE(thin.size(), 32u);  // about 10 per decade over 3 decades, plus the ends
  EXPECT_GE(thin.size(), 20u);
}

}  // namespace
}  // namespace softpower::report
