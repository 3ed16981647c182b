#include "sim/rng.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

namespace softpower {
namespace {

TEST(CounterRng, SameKeySameDraw) {
  const CounterRng a(42, 3), b(42, 3);
  EXPECT_EQ(a.bits(Purpose::kOpen, 5, 17), b.bits(Purpose::kOpen, 5, 17));
  EXPECT_EQ(a.uniform(Purpose::kShare, 0, 99, 2), b.uniform(Purpose::kShare, 0, 99, 2));
}

TEST(CounterRng, EveryKeyComponentChangesTheDraw) {
  const CounterRng base(42, 3);
  const std::uint64_t x = base.bits(Purpose::kOpen, 5, 17, 1);
  std::set<std::uint64_t> draws{x,
                                CounterRng(43, 3).bits(Purpose::kOpen, 5, 17, 1),
                                CounterRng(42, 4).bits(Purpose::kOpen, 5, 17, 1),
                                base.bits(Purpose::kShare, 5, 17, 1),
                                base.bits(Purpose::kOpen, 6, 17, 1),
                                base.bits(Purpose::kOpen, 5, 18, 1),
                                base.bits(Purpose::kOpen, 5, 17, 2)};
  EXPECT_EQ(draws.size(), 7u);
}

TEST(CounterRng, UniformIsInUnitIntervalWithCorrectMeanAndVariance) {
  const CounterRng rng(1, 0);
  constexpr int kN = 200000;
  double sum = 0, sum_sq = 0;
  for (int i = 0; i < kN; ++i) {
    const double u = rng.uniform(Purpose::kOpen, 0, static_cast<std::uint64_t>(i));
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    sum_sq += u * u;
  }
  // Mean of U(0,1) has standard error sqrt(1/12 / N); allow 5 standard errors.
  const double mean = sum / kN;
  EXPECT_NEAR(mean, 0.5, 5 * std::sqrt(1.0 / 12 / kN));
  // Var(U^2) = 1/5 - 1/9 = 4/45: standard error of the second moment.
  EXPECT_NEAR(sum_sq / kN, 1.0 / 3, 5 * std::sqrt(4.0 / 45 / kN));
}

TEST(CounterRng, BernoulliExtremesNeverDraw) {
  const CounterRng rng(9, 9);
  for (std::uint64_t i = 0; i < 1000; ++i) {
    EXPECT_TRUE(rng.bernoulli(1.0, Purpose::kOpen, 0, i));
    EXPECT_FALSE(rng.bernoulli(0.0, Purpose::kOpen, 0, i));
  }
}

TEST(CounterRng, ToUnitEdges) {
  EXPECT_EQ(CounterRng::to_unit(0), 0.0);
  EXPECT_LT(CounterRng::to_unit(~std::uint64_t{0}), 1.0);
}

}  // namespace
}  // namespace softpower
