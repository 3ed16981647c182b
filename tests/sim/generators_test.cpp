#include "sim/generators.hpp"

#include <gtest/gtest.h>
#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <cmath>
#include <set>
#include <utility>

#include "sim/error.hpp"
#include "tests/support/test_support.hpp"

namespace softpower {
namespace {

using testing_support::arc_list;

// Simple graph: no self-loops, no duplicate arcs; if `symmetric`, every arc has its reverse.
void expect_simple(const SocialGraph& g, bool symmetric) {
  const auto arcs = arc_list(g);
  const std::set<std::pair<VertexId, VertexId>> unique(arcs.begin(), arcs.end());
  EXPECT_EQ(unique.size(), arcs.size()) << "duplicate arcs";
  for (const auto& [u, v] : arcs) {
    ASSERT_NE(u, v) << "self-loop";
    if (symmetric) {
      ASSERT_TRUE(unique.count({v, u})) << u << "->" << v << " has no reverse";
    }
  }
}

template <class Make>
void expect_same_for_any_thread_count(Make make) {
  std::vector<std::pair<VertexId, VertexId>> reference;
  for (int threads : {1, 2, 16}) {
    tbb::global_control allow(tbb::global_control::max_allowed_parallelism, threads);
    tbb::task_arena arena(threads);
    SocialGraph g;
    arena.execute([&] { g = make(); });
    if (reference.empty()) {
      reference = arc_list(g);
    } else {
      EXPECT_EQ(arc_list(g), reference) << threads << " threads";
    }
  }
}

TEST(ErdosRenyi, UndirectedEdgeCountMatchesBinomial) {
  const VertexId n = 20000;
  const double c = 8.0;
  const SocialGraph g = erdos_renyi(n, c, false, 11);
  expect_simple(g, true);
  // Edges ~ Binomial(n(n-1)/2, p): mean n c / 2, sd ~ sqrt(n c / 2).
  const double edges = g.num_arcs() / 2.0;
  const double mean = n * c / 2;
  EXPECT_NEAR(edges, mean, 5 * std::sqrt(mean));
}

TEST(ErdosRenyi, DirectedMeanOutDegreeAndPoissonVariance) {
  const VertexId n = 20000;
  const double c = 5.0;
  const SocialGraph g = erdos_renyi(n, c, true, 12);
  expect_simple(g, false);
  const CsrView out = g.out_view();
  double sum = 0, sum_sq = 0;
  for (VertexId u = 0; u < n; ++u) {
    const double d = static_cast<double>(out.out_degree(u));
    sum += d;
    sum_sq += d * d;
  }
  const double mean = sum / n, var = sum_sq / n - mean * mean;
  EXPECT_NEAR(mean, c, 5 * std::sqrt(c / n));
  // Out-degrees are Binomial(n-1, p) ~ Poisson(c): variance c (sd of sample variance ~ c sqrt(2/n)).
  EXPECT_NEAR(var, c * (1 - c / (n - 1)), 5 * c * std::sqrt(2.0 / n) + 5 * std::sqrt(c / n));
}

TEST(ErdosRenyi, DeterministicForSeedAndThreadCount) {
  expect_same_for_any_thread_count([] { return erdos_renyi(30000, 6, false, 5); });
  EXPECT_NE(arc_list(erdos_renyi(1000, 6, false, 5)), arc_list(erdos_renyi(1000, 6, false, 6)));
}

TEST(ErdosRenyi, ExtremeProbabilities) {
  EXPECT_EQ(erdos_renyi(50, 0.0, false, 1).num_arcs(), 0u);
  EXPECT_EQ(erdos_renyi(50, 49.0, false, 1).num_arcs(), 50u * 49u);
  EXPECT_EQ(erdos_renyi(50, 49.0, true, 1).num_arcs(), 50u * 49u);
  EXPECT_THROW(erdos_renyi(50, 50.0, false, 1), InputError);
  EXPECT_THROW(erdos_renyi(1, 0.0, false, 1), InputError);
}

TEST(BarabasiAlbert, ExactEdgeCountAndMinimumDegree) {
  const VertexId n = 5000;
  const std::uint32_t m = 3;
  const SocialGraph g = barabasi_albert(n, m, 4);
  expect_simple(g, true);
  EXPECT_EQ(g.num_arcs(), 2u * (m * (m + 1) / 2 + (n - m - 1) * m));
  const CsrView out = g.out_view();
  ArcId max_degree = 0;
  for (VertexId u = 0; u < n; ++u) {
    EXPECT_GE(out.out_degree(u), m);
    max_degree = std::max(max_degree, out.out_degree(u));
  }
  // Preferential attachment grows hubs of order m sqrt(n) (about 200 here); uniform attachment
  // would stay near m log n (about 26).
  EXPECT_GT(max_degree, 60u);
  expect_same_for_any_thread_count([] { return barabasi_albert(3000, 2, 9); });
}

TEST(WattsStrogatz, BetaZeroIsTheRingLattice) {
  const SocialGraph g = watts_strogatz(10, 4, 0.0, 1);
  const auto arcs = arc_list(g);
  const std::set<std::pair<VertexId, VertexId>> set(arcs.begin(), arcs.end());
  EXPECT_EQ(arcs.size(), 40u);
  for (VertexId u = 0; u < 10; ++u) {
    for (VertexId j : {1u, 2u}) {
      EXPECT_TRUE(set.count({u, (u + j) % 10}));
      EXPECT_TRUE(set.count({(u + j) % 10, u}));
    }
  }
}

TEST(WattsStrogatz, RewiringKeepsEdgeCountAndRewiresAboutBeta) {
  const VertexId n = 20000;
  const std::uint32_t k = 6;
  const double beta = 0.2;
  const SocialGraph g = watts_strogatz(n, k, beta, 3);
  expect_simple(g, true);
  EXPECT_EQ(g.num_arcs(), static_cast<ArcId>(n) * k);
  std::size_t lattice = 0;
  for (const auto& [u, v] : arc_list(g)) {
    const VertexId d = u > v ? u - v : v - u;
    if (std::min(d, n - d) <= k / 2) ++lattice;
  }
  // Each of the n k / 2 lattice edges is rewired with probability beta (a rewired end lands back
  // on the lattice with probability ~k/n, negligible here).
  const double edges = n * k / 2.0;
  const double rewired = edges - lattice / 2.0;
  EXPECT_NEAR(rewired, beta * edges, 5 * std::sqrt(edges * beta * (1 - beta)) + edges * k / n);
  expect_same_for_any_thread_count([] { return watts_strogatz(2000, 4, 0.3, 8); });
}

TEST(StochasticBlockModel, WithinAndAcrossCountsMatchProbabilities) {
  const std::vector<VertexId> sizes{3000, 2000};
  const double p_in = 0.004, p_out = 0.0005;
  const SocialGraph g = stochastic_block_model(sizes, p_in, p_out, false, 21);
  expect_simple(g, true);
  double within = 0, across = 0;
  for (const auto& [u, v] : arc_list(g)) ((u < 3000) == (v < 3000) ? within : across) += 0.5;
  const double mean_within = p_in * (3000.0 * 2999 / 2 + 2000.0 * 1999 / 2);
  const double mean_across = p_out * 3000.0 * 2000;
  EXPECT_NEAR(within, mean_within, 5 * std::sqrt(mean_within));
  EXPECT_NEAR(across, mean_across, 5 * std::sqrt(mean_across));
  expect_same_for_any_thread_count([&] { return stochastic_block_model(sizes, p_in, p_out, true, 2); });
}

}  // namespace
}  // namespace softpower
