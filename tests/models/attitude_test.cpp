// bounded_confidence: exact reads (inside and outside the openness, backfire, clamping, wear-out,
// propaganda discount), one day of decay, priors (deterministic, clipped, region means, moments
// within 5 standard errors), the social step driven through daily() against the
// Friedkin-Johnsen fixed point and the DeGroot consensus, thread-count determinism, the
// registry and parameter errors.
#include "models/attitude/bounded_confidence.hpp"

#include <gtest/gtest.h>
#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>
#include <stdexcept>
#include <vector>

#include "models/registry.hpp"
#include "sim/error.hpp"
#include "sim/generators.hpp"
#include "sim/graph_source.hpp"
#include "sim/scenario.hpp"

namespace softpower {
namespace {

using Params = BoundedConfidence::Params;

/// Every discount off and no social step: on_read is plain bounded confidence.
Params plain() {
  Params p;
  p.convergence = 0.25;
  p.openness = 0.5;
  p.propaganda_discount = 0.0;
  p.wear_out_reads = 0.0;
  p.saturation_reads = 0;
  p.social_step = false;
  return p;
}

BoundedConfidence model(const Params& p) { return BoundedConfidence(p, nullptr, 0); }

ItemSpec item(double valence, double sensitivity = 0.0) {
  ItemSpec i;
  i.valence = valence;
  i.sensitivity = sensitivity;
  return i;
}

double phi(double z) { return std::exp(-0.5 * z * z) / std::sqrt(2.0 * std::numbers::pi); }
double cdf(double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }

/// Mean of clamp(X, -1, 1) for X ~ N(m, s²).
double clipped_normal_mean(double m, double s) {
  const double a = (-1.0 - m) / s, b = (1.0 - m) / s;
  return -cdf(a) + (1.0 - cdf(b)) + m * (cdf(b) - cdf(a)) + s * (phi(a) - phi(b));
}

/// Variance of clamp(X, -1, 1) for X ~ N(m, s²).
double clipped_normal_variance(double m, double s) {
  const double a = (-1.0 - m) / s, b = (1.0 - m) / s;
  const double inside = cdf(b) - cdf(a);
  const double second = cdf(a) + (1.0 - cdf(b)) + m * m * inside + 2.0 * m * s * (phi(a) - phi(b)) +
                        s * s * (inside + a * phi(a) - b * phi(b));
  const double mean = clipped_normal_mean(m, s);
  return second - mean * mean;
}

bool bit_identical(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), sizeof(double) * a.size()) == 0;
}

double max_abs_diff(const std::vector<double>& a, const Eigen::VectorXd& b) {
  double worst = 0.0;
  for (std::size_t v = 0; v < a.size(); ++v) {
    worst = std::max(worst, std::abs(a[v] - b[static_cast<Eigen::Index>(v)]));
  }
  return worst;
}

// ---------------------------------------------------------------------------------------------
// Reading

TEST(BoundedConfidenceRead, InsideOpennessMovesTowardValence) {
  const auto m = model(plain());
  EXPECT_EQ(m.on_read(0.1, 0.0, item(0.5), 0), 0.1 + 0.25 * (0.5 - 0.1));
  EXPECT_NEAR(m.on_read(0.1, 0.0, item(0.5), 0), 0.2, 1e-16);
  EXPECT_EQ(m.on_read(0.0, 0.0, item(-0.5), 0), -0.125);
  // |v - x| equal to the openness is inside (binary-exact values).
  EXPECT_EQ(m.on_read(0.25, 0.0, item(0.75), 0), 0.375);
  // x0 plays no part in a read.
  EXPECT_EQ(m.on_read(0.1, -0.9, item(0.5), 0), m.on_read(0.1, 0.9, item(0.5), 0));
  // μ = 1 jumps to the valence; μ = 0 never moves.
  Params full = plain();
  full.convergence = 1.0;
  EXPECT_EQ(model(full).on_read(0.125, 0.0, item(0.5), 0), 0.5);
  Params none = plain();
  none.convergence = 0.0;
  EXPECT_EQ(model(none).on_read(0.125, 0.0, item(0.5), 0), 0.125);
}

TEST(BoundedConfidenceRead, OutsideOpennessLeavesAttitudeWithoutBackfire) {
  const auto m = model(plain());
  EXPECT_EQ(m.on_read(-0.5, 0.0, item(0.5), 0), -0.5);
  EXPECT_EQ(m.on_read(0.75, 0.0, item(0.125), 0), 0.75);  // gap 0.625 > 0.5
  EXPECT_EQ(m.on_read(0.25, 0.0, item(0.7500001), 0), 0.25);
}

TEST(BoundedConfidenceRead, BackfireMovesAwayAndClamps) {
  Params p = plain();
  p.backfire = true;
  p.backfire_rate = 0.25;
  const auto m = model(p);
  EXPECT_EQ(m.on_read(-0.5, 0.0, item(0.5), 0), -0.75);   // away from a positive message
  EXPECT_EQ(m.on_read(0.5, 0.0, item(-0.5), 0), 0.75);    // away from a critical one
  EXPECT_EQ(m.on_read(0.1, 0.0, item(0.5), 0), 0.1 + 0.25 * 0.4);  // inside: unchanged rule
  p.backfire_rate = 1.0;
  const auto strong = model(p);
  EXPECT_EQ(strong.on_read(-0.75, 0.0, item(0.75), 0), -1.0);  // -0.75 - 1.5, clamped
  EXPECT_EQ(strong.on_read(0.75, 0.0, item(-0.75), 0), 1.0);
  EXPECT_EQ(strong.on_read(-1.0, 0.0, item(1.0), 0), -1.0);
  // Backfire is not discounted by wear-out or the propaganda cue.
  p.backfire_rate = 0.25;
  p.wear_out_reads = 1.0;
  p.saturation_reads = 2;
  p.propaganda_discount = 1.0;
  EXPECT_EQ(model(p).on_read(-0.5, 0.0, item(0.5, 1.0), 50), -0.75);
}

TEST(BoundedConfidenceRead, WearOutValues) {
  Params p = plain();
  p.wear_out_reads = 5.0;
  p.saturation_reads = 10;
  const auto m = model(p);
  EXPECT_EQ(m.wear_out_factor(0), 1.0);
  EXPECT_EQ(m.wear_out_factor(5), 0.5);
  EXPECT_EQ(m.wear_out_factor(1), 1.0 / 1.2);
  EXPECT_EQ(m.wear_out_factor(9), 1.0 / 2.8);
  EXPECT_EQ(m.wear_out_factor(10), 0.0);  // the 11th read: saturated
  EXPECT_EQ(m.wear_out_factor(1000), 0.0);
  EXPECT_EQ(m.on_read(0.0, 0.0, item(0.5), 5), 0.25 * 0.5 * 0.5);
  EXPECT_EQ(m.on_read(0.0, 0.0, item(0.5), 10), 0.0);

  p.saturation_reads = 0;  // hyperbolic only
  EXPECT_EQ(model(p).wear_out_factor(1000), 1.0 / 201.0);
  p.wear_out_reads = 0.0;  // neither
  EXPECT_EQ(model(p).wear_out_factor(1000000), 1.0);
  p.saturation_reads = 3;  // saturation only
  const auto capped = model(p);
  EXPECT_EQ(capped.wear_out_factor(2), 1.0);
  EXPECT_EQ(capped.wear_out_factor(3), 0.0);

  // The defaults: half the gain after 5 reads, none from the 11th read on (P34).
  const auto defaults = model(Params{});
  EXPECT_EQ(defaults.wear_out_factor(5), 0.5);
  EXPECT_EQ(defaults.wear_out_factor(10), 0.0);
}

TEST(BoundedConfidenceRead, PropagandaDiscount) {
  Params p = plain();
  p.propaganda_discount = 0.5;
  p.propaganda_exponent = 2.0;
  const auto m = model(p);
  EXPECT_NEAR(m.propaganda_factor(item(0.8, 0.2)), 1.0 - 0.5 * 0.64, 1e-15);  // cue: valence
  EXPECT_NEAR(m.propaganda_factor(item(0.1, 0.9)), 1.0 - 0.5 * 0.81, 1e-15);  // cue: sensitivity
  EXPECT_EQ(m.propaganda_factor(item(-0.6, 0.0)), 1.0);  // a critical message is no propaganda
  EXPECT_EQ(m.propaganda_factor(item(0.5, 0.0)), 0.875);
  EXPECT_EQ(m.on_read(0.0, 0.0, item(0.5), 0), 0.25 * 0.875 * 0.5);
  // d = 1, k = 1: the most positive item has no effect at all (P35: the gain is cancelled).
  p.propaganda_discount = 1.0;
  p.propaganda_exponent = 1.0;
  p.openness = 2.0;
  const auto cancel = model(p);
  EXPECT_EQ(cancel.on_read(-0.5, 0.0, item(1.0), 0), -0.5);
  EXPECT_EQ(cancel.on_read(-0.5, 0.0, item(0.0, 1.0), 0), -0.5);
  EXPECT_EQ(cancel.propaganda_factor(item(0.25, 0.125)), 0.75);
  // Discount and wear-out multiply.
  p.wear_out_reads = 2.0;
  EXPECT_EQ(model(p).effective_convergence(item(0.25, 0.125), 2), 0.25 * 0.75 * 0.5);
}

// ---------------------------------------------------------------------------------------------
// Daily: decay and social step

TEST(BoundedConfidenceDaily, DecayTowardPriorOverOneDay) {
  Params p = plain();
  p.decay_days = 7.0;
  const auto m = model(p);
  const double keep = std::exp(-1.0 / 7.0);
  EXPECT_EQ(m.daily_retention(), keep);
  std::vector<double> x{0.5, -1.0, 0.3, 1.0};
  const std::vector<double> prior{-0.1, 0.2, 0.3, 1.0};
  m.daily(x, prior);
  EXPECT_NEAR(x[0], -0.1 + 0.6 * keep, 1e-16);
  EXPECT_NEAR(x[1], 0.2 - 1.2 * keep, 1e-16);
  EXPECT_EQ(x[2], 0.3);
  EXPECT_EQ(x[3], 1.0);
  // A week later about e^-1 of the difference is left (P35: effects last about a week).
  for (int day = 1; day < 7; ++day) m.daily(x, prior);
  EXPECT_NEAR(x[0], -0.1 + 0.6 * std::exp(-1.0), 1e-15);
  EXPECT_NEAR(x[1], 0.2 - 1.2 * std::exp(-1.0), 1e-15);

  p.decay_days = 0.0;  // no decay
  const auto frozen = model(p);
  EXPECT_EQ(frozen.daily_retention(), 1.0);
  std::vector<double> y{0.5, -1.0};
  frozen.daily(y, std::vector<double>{0.0, 0.0});
  EXPECT_EQ(y, (std::vector<double>{0.5, -1.0}));
}

TEST(BoundedConfidenceDaily, SocialStepAloneConvergesToFriedkinJohnsenFixedPoint) {
  // Through the registry, on a prepared graph with an institution vertex (ignored).
  const Scenario s = parse_scenario(
      "graph: {type: erdos_renyi, n: 2000, mean_degree: 8, directed: true, seed: 5}\n"
      "institution: {followers: 500}\n"
      "attitude: {decay_days: 0, susceptibility: 0.7, social_anchor: prior}\n",
      "s.yaml", {});
  const PreparedGraph prepared = prepare_graph(s);
  const VertexId n = prepared.publisher.num_users;
  ASSERT_EQ(n, 2000u);
  ASSERT_EQ(prepared.graph.num_vertices(), 2001u);
  const auto m = make_attitude_model(s, &prepared);
  ASSERT_NE(m, nullptr);

  std::vector<double> prior(n), x(n);
  m->priors(s.seed, 0, prepared.region, prior);
  m->priors(s.seed, 1, prepared.region, x);  // another run's priors: a start away from x*

  const FriedkinJohnsen fj(prepared.graph, n, {.susceptibility = 0.7});
  const Eigen::VectorXd fixed = fj.fixed_point(Eigen::Map<const Eigen::VectorXd>(prior.data(), n));
  const double start_error = max_abs_diff(x, fixed);
  ASSERT_GT(start_error, 0.1);
  int days = 0;
  for (; days < 200 && max_abs_diff(x, fixed) > 1e-12; ++days) m->daily(x, prior);
  EXPECT_LE(max_abs_diff(x, fixed), 1e-9) << "after " << days << " days";
  // ||x(t) - x*||_inf <= λ^t ||x(0) - x*||_inf: the contraction bound, plus rounding.
  EXPECT_LE(days, static_cast<int>(std::ceil(std::log(1e-12 / start_error) / std::log(0.7))) + 1);
}

TEST(BoundedConfidenceDaily, DeGrootConsensusIsDegreeWeightedMean) {
  // λ = 1 and no decay: x(t) -> (π^T x(0)) 1 with π_v = deg(v) / sum deg on an undirected graph
  // (connected and aperiodic: mean degree 20, triangles).
  const VertexId n = 300;
  const SocialGraph g = erdos_renyi(n, 20.0, false, 3);
  Params p;
  p.decay_days = 0.0;
  p.susceptibility = 1.0;
  p.social_anchor = "prior";
  const BoundedConfidence m(p, &g, n);
  std::vector<double> prior(n);
  m.priors(9, 0, {}, prior);
  std::vector<double> x = prior;
  double weighted = 0.0, degrees = 0.0;
  for (VertexId v = 0; v < n; ++v) {
    const double deg = static_cast<double>(g.out_view().out_degree(v));
    ASSERT_GT(deg, 0.0);
    weighted += deg * prior[v];
    degrees += deg;
  }
  const double consensus = weighted / degrees;
  for (int day = 0; day < 400; ++day) m.daily(x, prior);
  for (VertexId v = 0; v < n; ++v) EXPECT_NEAR(x[v], consensus, 1e-9) << "user " << v;
}

TEST(BoundedConfidenceDaily, DecayThenSocialStepOnAHandGraph) {
  // Users 0 <-> 1, user 2 sees 0 only; λ = 0.5, τ = 2 days.
  const SocialGraph g = SocialGraph::from_arcs(3, {{0, 1}, {1, 0}, {0, 2}});
  Params p;
  p.decay_days = 2.0;
  p.susceptibility = 0.5;
  p.social_anchor = "prior";
  const BoundedConfidence m(p, &g, 3);
  const std::vector<double> prior{0.0, 0.5, -0.5};
  std::vector<double> x{1.0, -0.5, 0.5};
  m.daily(x, prior);
  const double k = std::exp(-0.5);
  const double d0 = 0.0 + (1.0 - 0.0) * k, d1 = 0.5 + (-0.5 - 0.5) * k;
  EXPECT_NEAR(x[0], 0.5 * d1 + 0.5 * 0.0, 1e-15);
  EXPECT_NEAR(x[1], 0.5 * d0 + 0.5 * 0.5, 1e-15);
  EXPECT_NEAR(x[2], 0.5 * d0 + 0.5 * -0.5, 1e-15);
}

TEST(BoundedConfidenceDaily, FusedGapStepMatchesTheTwoSeparateDays) {
  // daily_with_gap must give x exactly as daily() does, and the gap as the same day applied to
  // the gap with a zero prior (the AttitudeModel default), for decay with and without the
  // social step.
  const VertexId n = 20000;
  const SocialGraph g = erdos_renyi(n, 8.0, true, 5);
  for (const bool social : {true, false}) {
    Params p;
    p.social_step = social;
    p.social_anchor = "prior";
    const BoundedConfidence m(p, &g, n);
    std::vector<double> prior(n), x(n), gap(n);
    m.priors(1, 0, {}, prior);
    m.priors(1, 1, {}, x);
    for (VertexId v = 0; v < n; ++v) gap[v] = v % 7 == 0 ? 0.01 * static_cast<double>(v % 11) : 0.0;
    std::vector<double> x_alone = x, gap_alone = gap;
    m.daily(x_alone, prior);
    m.daily(gap_alone, std::vector<double>(n, 0.0));
    m.daily_with_gap(x, prior, gap);
    EXPECT_TRUE(bit_identical(x, x_alone)) << "social " << social;
    double worst = 0.0;
    for (VertexId v = 0; v < n; ++v) worst = std::max(worst, std::abs(gap[v] - gap_alone[v]));
    EXPECT_LT(worst, 1e-15) << "social " << social;
  }
}

TEST(BoundedConfidenceContentFree, HandGraphDeviationSpreadsAndDecays) {
  // Users 0 <-> 1, user 2 sees 0 only; λ = 0.5, τ = 2 days. The deviations from the priors are
  // (1, -1, 1); each user keeps half their own and takes half the mean of those they see.
  const SocialGraph g = SocialGraph::from_arcs(3, {{0, 1}, {1, 0}, {0, 2}});
  Params p;
  p.decay_days = 2.0;
  p.susceptibility = 0.5;
  const BoundedConfidence m(p, &g, 3);
  ASSERT_FALSE(m.anchored_to_prior());
  const std::vector<double> prior{0.0, 0.5, -0.5};
  std::vector<double> x{1.0, -0.5, 0.5};
  m.daily(x, prior);
  const double k = std::exp(-0.5);
  EXPECT_NEAR(x[0], 0.0 + k * (0.5 * 1.0 + 0.5 * -1.0), 1e-15);
  EXPECT_NEAR(x[1], 0.5 + k * (0.5 * -1.0 + 0.5 * 1.0), 1e-15);
  EXPECT_NEAR(x[2], -0.5 + k * (0.5 * 1.0 + 0.5 * 1.0), 1e-15);
}

TEST(BoundedConfidenceContentFree, WithoutReadsNothingMovesForAYear) {
  // The priors are the content-free equilibrium: the issue-16 drift (-6e-4 in 91 days from
  // relaxing toward the Friedkin-Johnsen fixed point) must be exactly zero.
  const VertexId n = 5000;
  const SocialGraph g = erdos_renyi(n, 10.0, true, 8);
  const BoundedConfidence m(Params{}, &g, n);
  std::vector<double> prior(n), gap(n, 0.0);
  m.priors(3, 0, {}, prior);
  std::vector<double> x = prior;
  for (int day = 0; day < 365; ++day) m.daily_with_gap(x, prior, gap);
  EXPECT_TRUE(bit_identical(x, prior));
  EXPECT_TRUE(bit_identical(gap, std::vector<double>(n, 0.0)));
}

TEST(BoundedConfidenceContentFree, DegreeWeightedDeviationDecaysExactlyWithTau) {
  // On an undirected graph π_v = deg(v) / sum deg is the left Perron vector of W, so the
  // π-weighted deviation keeps exp(-1/τ) a day whatever the social step does (half-life
  // τ ln 2 = 4.85 days at τ = 7), and the deviation tends to consensus.
  const VertexId n = 2000;
  const SocialGraph g = erdos_renyi(n, 12.0, false, 4);
  const BoundedConfidence m(Params{}, &g, n);
  // Neutral priors keep every attitude far from the clamp at +-1, where the map is not linear.
  const std::vector<double> prior(n, 0.0);
  std::vector<double> gap(n);
  for (VertexId v = 0; v < n; ++v) gap[v] = v % 10 == 0 ? 0.2 : 0.0;
  std::vector<double> x = gap;
  const auto weighted = [&](const std::vector<double>& d) {
    double sum = 0.0, degrees = 0.0;
    for (VertexId v = 0; v < n; ++v) {
      const double deg = static_cast<double>(g.out_view().out_degree(v));
      sum += deg * d[v];
      degrees += deg;
    }
    return sum / degrees;
  };
  const double start = weighted(gap);
  ASSERT_GT(start, 0.01);
  for (int day = 1; day <= 14; ++day) {
    m.daily_with_gap(x, prior, gap);
    EXPECT_NEAR(weighted(gap), start * std::exp(-day / 7.0), 1e-12 * start) << "day " << day;
  }
}

TEST(BoundedConfidenceContentFree, DailyEqualsTheFusedStepOnTheGap) {
  const VertexId n = 20000;
  const SocialGraph g = erdos_renyi(n, 8.0, true, 5);
  const BoundedConfidence m(Params{}, &g, n);
  std::vector<double> prior(n), x(n), gap(n);
  m.priors(1, 0, {}, prior);
  m.priors(1, 1, {}, x);
  for (VertexId v = 0; v < n; ++v) gap[v] = x[v] - prior[v];
  std::vector<double> x_alone = x;
  m.daily(x_alone, prior);
  m.daily_with_gap(x, prior, gap);
  EXPECT_TRUE(bit_identical(x, x_alone));
  double worst = 0.0;
  for (VertexId v = 0; v < n; ++v) worst = std::max(worst, std::abs(gap[v] - (x[v] - prior[v])));
  EXPECT_LT(worst, 1e-15);
}

TEST(BoundedConfidenceDaily, BitIdenticalForAnyThreadCount) {
  const VertexId n = 50000;
  const SocialGraph g = erdos_renyi(n, 10.0, true, 21);
  const BoundedConfidence m(Params{}, &g, n);
  std::vector<std::uint8_t> region(n);
  for (VertexId v = 0; v < n; ++v) region[v] = v % 5 == 0;
  std::vector<std::vector<double>> priors, states;
  for (int threads : {1, 2, 8}) {
    tbb::global_control allow(tbb::global_control::max_allowed_parallelism, threads);
    tbb::task_arena arena(threads);
    arena.execute([&] {
      std::vector<double> prior(n), x(n);
      m.priors(4, 2, region, prior);
      m.priors(4, 3, region, x);
      for (int day = 0; day < 3; ++day) m.daily(x, prior);
      priors.push_back(prior);
      states.push_back(x);
    });
  }
  for (std::size_t i = 1; i < states.size(); ++i) {
    EXPECT_TRUE(bit_identical(priors[i], priors[0])) << "thread setting " << i;
    EXPECT_TRUE(bit_identical(states[i], states[0])) << "thread setting " << i;
  }
}

TEST(BoundedConfidenceDaily, RejectsBadSizesAndMissingGraph) {
  const SocialGraph g = SocialGraph::from_arcs(3, {{0, 1}, {1, 0}});
  const BoundedConfidence m(Params{}, &g, 3);
  std::vector<double> two(2), three(3);
  EXPECT_THROW(m.daily(two, three), std::invalid_argument);
  EXPECT_THROW(m.daily(two, two), std::invalid_argument);  // not one per user
  const BoundedConfidence unbuilt(Params{}, nullptr, 0);
  EXPECT_EQ(unbuilt.social(), nullptr);
  EXPECT_THROW(unbuilt.daily(three, three), std::logic_error);
  Params no_social;
  no_social.social_step = false;
  EXPECT_NO_THROW(BoundedConfidence(no_social, nullptr, 0).daily(three, three));

  const FriedkinJohnsen fj(g, 3, {});
  std::vector<double> out(3);
  EXPECT_THROW(fj.step(std::span<const double>(three), three, std::span<double>(three)),
               std::invalid_argument);  // out overlaps x
  EXPECT_THROW(fj.step(std::span<const double>(two), three, std::span<double>(out)),
               std::invalid_argument);
  EXPECT_NO_THROW(fj.step(std::span<const double>(three), out, std::span<double>(out)));
}

// ---------------------------------------------------------------------------------------------
// Priors

TEST(BoundedConfidencePriors, DeterministicAndKeyedByRun) {
  const auto m = model(Params{});
  std::vector<double> a(1000), b(1000), c(1000), head(10);
  m.priors(7, 0, {}, a);
  m.priors(7, 0, {}, b);
  m.priors(7, 1, {}, c);
  m.priors(7, 0, {}, head);
  EXPECT_TRUE(bit_identical(a, b));
  EXPECT_FALSE(bit_identical(a, c));
  EXPECT_TRUE(std::equal(head.begin(), head.end(), a.begin())) << "a user's prior is keyed by the user";
  std::vector<double> d(1000);
  m.priors(8, 0, {}, d);
  EXPECT_FALSE(bit_identical(a, d));
  std::vector<std::uint8_t> bad_region(999);
  EXPECT_THROW(m.priors(7, 0, bad_region, a), std::invalid_argument);
}

TEST(BoundedConfidencePriors, RegionMeansAndSpreadWithinFiveStandardErrors) {
  Params p;
  p.prior_mean = 0.1;
  p.prior_mean_international = -0.2;
  p.prior_sd = 0.15;  // clipping at ±1 is beyond 5.3 sd: negligible
  const auto m = model(p);
  const std::size_t n = 200000;
  std::vector<std::uint8_t> region(n);
  for (std::size_t v = 0; v < n; ++v) region[v] = v % 4 == 0;
  std::vector<double> prior(n);
  m.priors(11, 0, region, prior);
  for (int r = 0; r < 2; ++r) {
    double sum = 0.0, count = 0.0;
    for (std::size_t v = 0; v < n; ++v) {
      if (region[v] == r) sum += prior[v], count += 1.0;
    }
    const double mean = sum / count;
    double squares = 0.0;
    for (std::size_t v = 0; v < n; ++v) {
      if (region[v] == r) squares += (prior[v] - mean) * (prior[v] - mean);
    }
    const double variance = squares / (count - 1.0);
    const double expected = r == 0 ? 0.1 : -0.2;
    const double s2 = 0.15 * 0.15;
    EXPECT_NEAR(mean, expected, 5.0 * 0.15 / std::sqrt(count)) << "region " << r;
    EXPECT_NEAR(variance, s2, 5.0 * s2 * std::sqrt(2.0 / (count - 1.0))) << "region " << r;
  }
}

TEST(BoundedConfidencePriors, ClippedToTheAttitudeRange) {
  Params p;
  p.prior_mean = 0.7;
  p.prior_sd = 0.5;
  const auto m = model(p);
  const std::size_t n = 200000;
  std::vector<double> prior(n);
  m.priors(12, 0, {}, prior);
  double sum = 0.0, at_top = 0.0, at_bottom = 0.0;
  for (double x : prior) {
    ASSERT_GE(x, -1.0);
    ASSERT_LE(x, 1.0);
    sum += x;
    at_top += x == 1.0;
    at_bottom += x == -1.0;
  }
  const double count = static_cast<double>(n);
  // Clipping puts the mass beyond ±1 exactly on ±1: P(x0 = 1) = 1 - Φ(0.6), P(x0 = -1) = Φ(-3.4).
  const double p_top = 1.0 - cdf(0.6), p_bottom = cdf(-3.4);
  EXPECT_NEAR(at_top / count, p_top, 5.0 * std::sqrt(p_top * (1 - p_top) / count));
  EXPECT_NEAR(at_bottom / count, p_bottom, 5.0 * std::sqrt(p_bottom * (1 - p_bottom) / count));
  EXPECT_NEAR(sum / count, clipped_normal_mean(0.7, 0.5),
              5.0 * std::sqrt(clipped_normal_variance(0.7, 0.5) / count));
  // σ = 0: everyone at the (clipped) mean.
  p.prior_sd = 0.0;
  std::vector<double> flat(10);
  model(p).priors(1, 0, {}, flat);
  EXPECT_EQ(flat, std::vector<double>(10, 0.7));
}

// ---------------------------------------------------------------------------------------------
// Snapshots, registry, parameters

TEST(BoundedConfidenceSnapshots, EveryHoursInWholeSteps) {
  Params p;
  EXPECT_EQ(model(p).snapshot_every_steps(1.0), 0);
  p.snapshot_every_hours = 24.0;
  EXPECT_EQ(model(p).snapshot_every_steps(1.0), 24);
  EXPECT_EQ(model(p).snapshot_every_steps(0.5), 48);
  EXPECT_EQ(model(p).snapshot_every_steps(48.0), 1);  // at least every step
  p.snapshot_every_hours = 36.0;
  EXPECT_EQ(model(p).snapshot_every_steps(24.0), 2);  // 1.5 rounds to 2
}

TEST(BoundedConfidenceRegistry, SectionSelectsTheModel) {
  EXPECT_EQ(make_attitude_model(parse_scenario("", "s.yaml", {}), nullptr), nullptr);
  const auto m = make_attitude_model(parse_scenario("attitude: {}\n", "s.yaml", {}), nullptr);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->name(), "bounded_confidence");
  const YAML::Node params = m->effective_params();
  EXPECT_EQ(params["model"].as<std::string>(), "bounded_confidence");
  for (const FieldDoc& d : BoundedConfidence::schema().docs()) {
    EXPECT_TRUE(params[d.key]) << d.key;
  }
  EXPECT_EQ(params["openness"].as<double>(), 0.6);
  EXPECT_EQ(params["decay_days"].as<double>(), 7.0);
  EXPECT_EQ(attitude_model_names(), std::vector<std::string>{"bounded_confidence"});

  const auto tuned = make_attitude_model(
      parse_scenario("attitude:\n  openness: 0.4\n", "s.yaml", {"attitude.backfire=true"}), nullptr);
  const auto& bc = dynamic_cast<const BoundedConfidence&>(*tuned);
  EXPECT_EQ(bc.params().openness, 0.4);
  EXPECT_TRUE(bc.params().backfire);
  EXPECT_NE(model_docs().find("#### `bounded_confidence`"), std::string::npos);
}

std::string error_of(const std::string& text, const std::vector<std::string>& overrides = {}) {
  try {
    make_attitude_model(parse_scenario(text, "s.yaml", overrides), nullptr);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(BoundedConfidenceSchema, ErrorsNameTheKey) {
  EXPECT_EQ(error_of("attitude: {openness: 3}\n"),
            "s.yaml:1:22: attitude.openness: value 3 is out of range [0, 2]");
  EXPECT_EQ(error_of("attitude:\n  convergence: -0.1\n"),
            "s.yaml:2:16: attitude.convergence: value -0.1 is out of range [0, 1]");
  EXPECT_EQ(error_of("attitude:\n  prior_mean: 1.5\n"),
            "s.yaml:2:15: attitude.prior_mean: value 1.5 is out of range [-1, 1]");
  EXPECT_EQ(error_of("attitude:\n  susceptibility: .nan\n"),
            "s.yaml:2:19: attitude.susceptibility: value .nan is out of range [0, 1]");
  EXPECT_EQ(error_of("attitude:\n  saturation_reads: 2.5\n"),
            "s.yaml:2:21: attitude.saturation_reads: expected an integer, got '2.5'");
  EXPECT_EQ(error_of("attitude:\n  social_step: maybe\n"),
            "s.yaml:2:16: attitude.social_step: expected true or false, got 'maybe'");
  EXPECT_EQ(error_of("", {"attitude.decay_days=-1"}),
            "--set attitude.decay_days=-1: attitude.decay_days: value -1 is out of range [0, 36500]");
  EXPECT_NE(error_of("attitude:\n  opennes: 0.3\n").find("s.yaml:2:3: attitude.opennes: unknown key"),
            std::string::npos);
  EXPECT_NE(error_of("attitude: {model: hegselmann_krause}\n")
                .find("attitude.model: unknown model 'hegselmann_krause' (known: bounded_confidence)"),
            std::string::npos);
  EXPECT_EQ(error_of("attitude: [1]\n"), "s.yaml:1:11: attitude: expected a mapping");

  // Built directly, out-of-range parameters are std::invalid_argument naming the key.
  Params p;
  p.openness = -1.0;
  try {
    BoundedConfidence(p, nullptr, 0);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("attitude.openness: value -1 is out of range [0, 2]"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace softpower
