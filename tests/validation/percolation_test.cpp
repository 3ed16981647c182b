// Percolation theory at a million users: the engine's independent cascade on Erdos-Renyi graphs
// against the final sizes of bond, site and mixed site-bond percolation. Each sample is a fresh
// graph, so samples are independent and tolerances are standard errors of their mean (plus the
// O(1/n) contribution of the publisher's followers). Release only: a sanitized build would take
// minutes per graph. docs/validation.md lists the measured values.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <algorithm>
#include <functional>

#include "models/diffusion/independent_cascade.hpp"
#include "models/strategy/fixed_schedule.hpp"
#include "sim/engine.hpp"
#include "sim/generators.hpp"
#include "sim/graph_source.hpp"

namespace softpower {
namespace {

constexpr VertexId kUsers = 1000000;
constexpr double kMeanDegree = 10.0;
constexpr int kSamples = 6;
constexpr VertexId kFollowers = 50;

// Largest root of x = 1 - exp(-a x).
double giant_root(double a) {
  double x = 1.0;
  for (int i = 0; i < 100000; ++i) x = 1.0 - std::exp(-a * x);
  return x;
}

struct Cascade {
  double readers;  // fraction of users
  double sharers;
};

// One item published to 50 random followers of a new institution on a fresh G(n, c/n).
Cascade cascade_on_fresh_graph(const IndependentCascade::Params& params, int sample) {
  SocialGraph g = erdos_renyi(kUsers, kMeanDegree, false, 41000 + static_cast<std::uint64_t>(sample));
  const VertexId institution = add_institution(g, kFollowers, 43000 + static_cast<std::uint64_t>(sample));
  const IndependentCascade model(params);
  const FixedSchedule once({.hours = {0}});
  const Engine engine(g, {.vertex = institution, .num_users = kUsers}, model, once,
                      {.seed = 5, .num_steps = 2000, .step_hours = 1});
  const RunResult r = engine.run(static_cast<RunId>(sample));
  return {static_cast<double>(r.items[0].reads) / kUsers, static_cast<double>(r.items[0].shares) / kUsers};
}

struct MeanAndSe {
  double mean = 0, se = 0;
};

MeanAndSe sample_mean(const std::function<double(int)>& draw) {
  double sum = 0, sum_sq = 0;
  for (int k = 0; k < kSamples; ++k) {
    const double x = draw(k);
    sum += x;
    sum_sq += x * x;
  }
  const double mean = sum / kSamples;
  const double var = (sum_sq - kSamples * mean * mean) / (kSamples - 1);
  return {mean, std::sqrt(std::max(0.0, var) / kSamples)};
}

// The followers' own small clusters add at most about 50 x (mean small-cluster size < 2) users.
constexpr double kFollowerAllowance = (10.0 + kFollowers * 2.0) / kUsers;

class Percolation : public ::testing::Test {
 protected:
  void SetUp() override {
#ifdef SOFTPOWER_SANITIZED
    GTEST_SKIP() << "release only: a million-user graph per sample is too slow under sanitizers";
#endif
  }
};

// Bond: S = 1 - exp(-c T S). Known variance of the giant component of G(n, a/n), a = c T:
// n S (1 - S) / (1 - a (1 - S))^2 (Pittel 1990), so the tolerance is 4 of its standard errors.
TEST_F(Percolation, BondFinalSizeAtAMillionUsers) {
  const double T = 0.2, a = kMeanDegree * T;
  const double S = giant_root(a);
  const MeanAndSe m = sample_mean([&](int k) {
    return cascade_on_fresh_graph({.open_probability = T, .share_probability = 1.0, .activity = 1.0}, k).readers;
  });
  const double se_theory = std::sqrt(S * (1 - S) / (kUsers * std::pow(1 - a * (1 - S), 2)) / kSamples);
  std::printf("bond c=10 T=0.2: measured %.6f (sample se %.2g), theory %.6f, tolerance %.2g\n", m.mean, m.se,
              S, 4 * se_theory + kFollowerAllowance);
  EXPECT_NEAR(m.mean, S, 4 * se_theory + kFollowerAllowance);
}

// Site: every exposure is opened (T = 1) and readers share with q. With u = 1 - q + q exp(-c (1 -
// u)), readers -> 1 - exp(-c (1 - u)) and sharers -> q times that. No closed-form variance: 5
// sample standard errors (Student t with 5 degrees of freedom puts 5 se at p < 0.005).
TEST_F(Percolation, SiteFinalSizeAtAMillionUsers) {
  const double q = 0.2;
  double u = 0.0;
  for (int i = 0; i < 100000; ++i) u = 1 - q + q * std::exp(-kMeanDegree * (1 - u));
  const double readers = 1 - std::exp(-kMeanDegree * (1 - u));
  double sharers_sum = 0;
  const MeanAndSe m = sample_mean([&](int k) {
    const Cascade c = cascade_on_fresh_graph({.open_probability = 1.0, .share_probability = q, .activity = 1.0}, k);
    sharers_sum += c.sharers;
    return c.readers;
  });
  std::printf("site c=10 q=0.2: readers %.6f (se %.2g), theory %.6f; sharers %.6f, theory %.6f\n", m.mean, m.se,
              readers, sharers_sum / kSamples, q * readers);
  const double tolerance = 5 * m.se + kFollowerAllowance;
  EXPECT_NEAR(m.mean, readers, tolerance);
  EXPECT_NEAR(sharers_sum / kSamples, q * readers, tolerance);
}

// Mixed site-bond: arcs transmit with T, readers share with q. A reader starts an infinite tree
// with w = q (1 - exp(-c T w)) and readers R = 1 - exp(-c T w) = 1 - exp(-c T q R).
TEST_F(Percolation, MixedSiteBondFinalSizeAtAMillionUsers) {
  const double T = 0.4, q = 0.5;
  const double R = giant_root(kMeanDegree * T * q);
  double sharers_sum = 0;
  const MeanAndSe m = sample_mean([&](int k) {
    const Cascade c = cascade_on_fresh_graph({.open_probability = T, .share_probability = q, .activity = 1.0}, k);
    sharers_sum += c.sharers;
    return c.readers;
  });
  std::printf("mixed c=10 T=0.4 q=0.5: readers %.6f (se %.2g), theory %.6f; sharers %.6f, theory %.6f\n", m.mean,
              m.se, R, sharers_sum / kSamples, q * R);
  const double tolerance = 5 * m.se + kFollowerAllowance;
  EXPECT_NEAR(m.mean, R, tolerance);
  EXPECT_NEAR(sharers_sum / kSamples, q * R, tolerance);
}

}  // namespace
}  // namespace softpower
