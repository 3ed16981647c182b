// Statistical checks of independent_cascade against percolation theory on Erdos-Renyi graphs.
// Tolerances come from the known sampling distributions, never from tuning.
#include "models/diffusion/independent_cascade.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "models/registry.hpp"
#include "models/strategy/fixed_schedule.hpp"
#include "sim/engine.hpp"
#include "sim/generators.hpp"
#include "sim/graph_source.hpp"
#include "sim/scenario.hpp"

namespace softpower {
namespace {

// Largest root of S = 1 - exp(-a S) (the giant component fraction of an ER graph, mean degree a).
double giant_fraction(double a) {
  double s = 1.0;
  for (int i = 0; i < 10000; ++i) s = 1.0 - std::exp(-a * s);
  return s;
}

// Bond percolation on G(n, p) with occupation T is G(n, p T), so a cascade from a random vertex
// is large with probability S and then has size S n, where S = 1 - exp(-c T S). The giant
// component of G(n, a/n) is asymptotically normal with variance n S (1 - S) / (1 - a (1 - S))^2
// (Pittel 1990; Barraez, Boucheron & de la Vega 2000). Each sample below uses a fresh graph,
// so samples are independent and the mean of R samples has that variance divided by R.
TEST(IndependentCascadeTheory, BondPercolationFinalSizeOnErdosRenyi) {
  const VertexId n = 100000;
  const double c = 10.0, T = 0.2, a = c * T;
  const double S = giant_fraction(a);
  ASSERT_NEAR(S, 0.7968, 1e-4);
  const int samples = 24;
  const IndependentCascade model({.open_probability = T, .share_probability = 1.0, .activity = 1.0});
  double sum = 0;
  for (int k = 0; k < samples; ++k) {
    const SocialGraph g = erdos_renyi(n, c, false, 1000 + k);
    // A new vertex following 50 random users is all but certain to hit the giant component
    // (miss probability (1 - T S)^50 < 1e-4), and adds at most O(50) vertices of small components.
    SocialGraph with_institution = g;
    const VertexId institution = add_institution(with_institution, 50, 7000 + k);
    const FixedSchedule once({.hours = {0}});
    const Engine engine(with_institution, {.vertex = institution, .num_users = n}, model, once,
                        {.seed = 11, .num_steps = 1000, .step_hours = 1});
    const RunResult r = engine.run(static_cast<RunId>(k));
    sum += static_cast<double>(r.items[0].reads) / n;
  }
  const double mean = sum / samples;
  const double var_one = S * (1 - S) / (n * std::pow(1 - a * (1 - S), 2));
  // 4 standard errors, plus the O(1/n) finite-size bias and the followers' own small clusters
  // (50 followers, each in a small component of mean size 1 / (1 - a (1 - S)) < 2).
  const double tolerance = 4 * std::sqrt(var_one / samples) + (10.0 + 50 * 2.0) / n;
  EXPECT_NEAR(mean, S, tolerance) << "tolerance " << tolerance;
}

// From a uniformly random single seed, the cascade is large with probability S (a uniform
// vertex lies in the giant component of the percolated graph with probability S). The count of
// large cascades over R runs is Binomial(R, S).
TEST(IndependentCascadeTheory, ProbabilityOfALargeCascadeFromTheValidationScenario) {
  const std::string file = std::string(SOFTPOWER_SOURCE_DIR) + "/scenarios/validation/independent_cascade.yaml";
  const int runs = 300;
  const Scenario s = load_scenario(file, {"runs=" + std::to_string(runs), "graph.n=50000"});
  const auto model = make_diffusion_model(s);
  const PreparedGraph prepared = prepare_graph(s);
  ASSERT_EQ(prepared.publisher.vertex, kNoVertex) << "the validation scenario draws a random seed vertex";
  const auto strategy = make_strategy_model(s, &prepared);
  const Engine engine(prepared.graph, prepared.publisher, *model, *strategy,
                      {.seed = s.seed, .num_steps = s.time.num_steps(), .step_hours = s.time.step_hours});
  const double S = giant_fraction(10.0 * 0.2);
  const double n = 50000;
  int large = 0;
  double large_size = 0;
  for (int r = 0; r < runs; ++r) {
    const RunResult result = engine.run(static_cast<RunId>(r));
    const double reached = static_cast<double>(result.items[0].reads) + 1;  // + the seed
    // Small components have O(log n) vertices; anything above n / 10 is the giant.
    if (reached > n / 10) {
      ++large;
      large_size += reached / n;
    } else {
      EXPECT_LT(reached, 200) << "cascade sizes must be bimodal";
    }
  }
  EXPECT_NEAR(static_cast<double>(large) / runs, S, 4 * std::sqrt(S * (1 - S) / runs));
  // All large runs share one graph, so their sizes are not independent: compare with the
  // single-graph standard deviation, not the one divided by the number of runs.
  const double sd = std::sqrt(S * (1 - S) / (n * std::pow(1 - 2.0 * (1 - S), 2)));
  EXPECT_NEAR(large_size / large, S, 4 * sd + 10 / n);
}

// Site percolation: every exposure is opened (T = 1), readers share with probability q. Let u
// be the probability that following a random arc does not lead to an infinite cluster of
// sharers: u = 1 - q + q exp(-c (1 - u)). A user reads the item iff some neighbour in the giant
// sharing cluster passes it on: readers / n -> R = 1 - exp(-c (1 - u)); sharers / n -> q R.
TEST(IndependentCascadeTheory, SitePercolationReadersAndSharers) {
  const VertexId n = 100000;
  const double c = 10.0, q = 0.2;
  double u = 0.0;
  for (int i = 0; i < 10000; ++i) u = 1 - q + q * std::exp(-c * (1 - u));
  const double readers = 1 - std::exp(-c * (1 - u));
  const int samples = 16;
  const IndependentCascade model({.open_probability = 1.0, .share_probability = q, .activity = 1.0});
  double sum_readers = 0, sum_sharers = 0, sum_sq = 0;
  for (int k = 0; k < samples; ++k) {
    SocialGraph g = erdos_renyi(n, c, false, 2000 + k);
    const VertexId institution = add_institution(g, 50, 9000 + k);
    const FixedSchedule once({.hours = {0}});
    const Engine engine(g, {.vertex = institution, .num_users = n}, model, once,
                        {.seed = 3, .num_steps = 1000, .step_hours = 1});
    const RunResult r = engine.run(static_cast<RunId>(k));
    const double x = static_cast<double>(r.items[0].reads) / n;
    sum_readers += x;
    sum_sq += x * x;
    sum_sharers += static_cast<double>(r.items[0].shares) / n;
  }
  // No closed form for the variance here: use the samples' own variance (independent graphs),
  // a t-style interval with 5 standard errors, plus the followers' O(50/n) contribution.
  const double mean = sum_readers / samples;
  const double sample_var = (sum_sq - samples * mean * mean) / (samples - 1);
  const double tolerance = 5 * std::sqrt(sample_var / samples) + 100.0 / n;
  EXPECT_NEAR(mean, readers, tolerance);
  EXPECT_NEAR(sum_sharers / samples, q * readers, tolerance);
}

}  // namespace
}  // namespace softpower
