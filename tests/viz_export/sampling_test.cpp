#include "viz_export/sampling.hpp"

#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <numeric>
#include <queue>
#include <random>
#include <set>
#include <stdexcept>
#include <tuple>
#include <vector>

namespace softpower::viz {
namespace {

using Vertices = std::vector<VertexId>;

// Random arcs without self-loops; about a third of them also get their reverse arc.
std::vector<ArcInput> random_arcs(VertexId n, std::size_t m, std::uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::uniform_int_distribution<VertexId> pick(0, n - 1);
  std::vector<ArcInput> arcs;
  while (arcs.size() < m) {
    const VertexId u = pick(gen);
    const VertexId v = pick(gen);
    if (u == v) continue;
    arcs.push_back({u, v});
    if (gen() % 3 == 0) arcs.push_back({v, u});
  }
  return arcs;
}

// The same arcs as a raw CSR graph: rows in input order (unsorted), duplicates and self-loops
// kept, which SocialGraph::from_csr adopts as they are.
SocialGraph raw_csr(VertexId n, const std::vector<ArcInput>& arcs) {
  std::vector<ArcId> offsets(n + 1, 0);
  for (const ArcInput& a : arcs) ++offsets[a.source + 1];
  std::partial_sum(offsets.begin(), offsets.end(), offsets.begin());
  std::vector<ArcId> next(offsets.begin(), offsets.end() - 1);
  std::vector<VertexId> targets(arcs.size());
  for (const ArcInput& a : arcs) targets[next[a.source]++] = a.target;
  return SocialGraph::from_csr(std::move(offsets), std::move(targets));
}

// ---- ego_network -----------------------------------------------------------------------------

Vertices naive_ego(const SocialGraph& g, VertexId center, std::uint32_t depth) {
  const CsrView out = g.out_view();
  std::vector<std::int64_t> dist(g.num_vertices(), -1);
  std::queue<VertexId> queue;
  dist[center] = 0;
  queue.push(center);
  while (!queue.empty()) {
    const VertexId u = queue.front();
    queue.pop();
    if (dist[u] == depth) continue;
    for (ArcId a = out.offsets[u]; a < out.offsets[u + 1]; ++a) {
      if (dist[out.targets[a]] < 0) {
        dist[out.targets[a]] = dist[u] + 1;
        queue.push(out.targets[a]);
      }
    }
  }
  Vertices result;
  for (VertexId v = 0; v < g.num_vertices(); ++v) {
    if (dist[v] >= 0) result.push_back(v);
  }
  return result;
}

TEST(EgoNetwork, FollowsOutArcsOnly) {
  // A directed 4-cycle 0->1->2->3->0, and 4 -> 0: 4 sees what 0 shares? No: 0 sees what 4 shares.
  const SocialGraph g = SocialGraph::from_arcs(5, {{0, 1}, {1, 2}, {2, 3}, {3, 0}, {4, 0}});
  EXPECT_EQ(ego_network(g, 0, 0), (Vertices{0}));
  EXPECT_EQ(ego_network(g, 0, 1), (Vertices{0, 1}));
  EXPECT_EQ(ego_network(g, 0, 2), (Vertices{0, 1, 2}));
  EXPECT_EQ(ego_network(g, 0, 100), (Vertices{0, 1, 2, 3}));
  EXPECT_EQ(ego_network(g, 2, 2), (Vertices{0, 2, 3}));
  EXPECT_EQ(ego_network(g, 4, 1), (Vertices{0, 4}));
  EXPECT_EQ(ego_network(g, 4, 4), (Vertices{0, 1, 2, 3, 4}));
}

TEST(EgoNetwork, RejectsAVertexOutsideTheGraph) {
  const SocialGraph g = SocialGraph::from_arcs(3, {{0, 1}});
  EXPECT_THROW((void)ego_network(g, 3, 1), std::invalid_argument);
  EXPECT_THROW((void)ego_network(SocialGraph::from_arcs(0, {}), 0, 0), std::invalid_argument);
}

TEST(EgoNetwork, MatchesNaiveBfsOnRandomGraphsForAnyThreadCount) {
  // Large enough that the deeper levels scan more arcs than the serial cutoff; vertex 7 is a hub
  // followed by half the graph, so one frontier vertex is split across threads.
  constexpr VertexId n = 40000;
  std::vector<ArcInput> arcs = random_arcs(n, 5 * std::size_t{n}, 11);
  for (VertexId v = 0; v < n; v += 2) {
    if (v != 7) arcs.push_back({7, v});
  }
  const SocialGraph g = SocialGraph::from_arcs(n, arcs);
  for (const VertexId center : {VertexId{3}, VertexId{7}, VertexId{n - 1}}) {
    for (std::uint32_t depth = 0; depth <= 8; depth += 2) {
      const Vertices expected = naive_ego(g, center, depth);
      EXPECT_EQ(ego_network(g, center, depth), expected)
          << "center " << center << " depth " << depth;
      const tbb::global_control one_thread(tbb::global_control::max_allowed_parallelism, 1);
      EXPECT_EQ(ego_network(g, center, depth), expected)
          << "1 thread, center " << center << " depth " << depth;
    }
  }
}

TEST(Sampling, ParallelPartsDoNotDependOnThreadCount) {
  constexpr VertexId n = 30000;
  const SocialGraph g = SocialGraph::from_arcs(n, random_arcs(n, 8 * std::size_t{n}, 21));
  const Vertices set = random_vertices(n, n / 3, 8);
  const std::vector<std::uint32_t> core = core_numbers(g);
  const std::uint64_t arcs = count_induced_arcs(g, set);
  const tbb::global_control one_thread(tbb::global_control::max_allowed_parallelism, 1);
  EXPECT_EQ(core_numbers(g), core);
  EXPECT_EQ(count_induced_arcs(g, set), arcs);
}

// ---- core_numbers / k_core -------------------------------------------------------------------

// Slow reference: adjacency sets of the undirected simple graph, then repeated removal of every
// vertex of degree below k until none is left.
Vertices reference_k_core(VertexId n, const std::vector<ArcInput>& arcs, std::uint32_t k) {
  std::vector<std::set<VertexId>> adj(n);
  for (const ArcInput& a : arcs) {
    if (a.source == a.target) continue;
    adj[a.source].insert(a.target);
    adj[a.target].insert(a.source);
  }
  std::vector<bool> alive(n, true);
  for (bool changed = true; changed;) {
    changed = false;
    for (VertexId v = 0; v < n; ++v) {
      if (!alive[v]) continue;
      const auto degree =
          std::count_if(adj[v].begin(), adj[v].end(), [&](VertexId w) { return alive[w]; });
      if (degree < static_cast<std::ptrdiff_t>(k)) {
        alive[v] = false;
        changed = true;
      }
    }
  }
  Vertices result;
  for (VertexId v = 0; v < n; ++v) {
    if (alive[v]) result.push_back(v);
  }
  return result;
}

TEST(KCore, HandBuiltGraphCountsEachNeighbourOnce) {
  // 0,1,2: a triangle of one-way arcs. 3: a friend of 0 (two arcs, one neighbour). 4: isolated.
  // 5..8: a 4-clique with arcs in mixed directions, some reciprocal.
  const SocialGraph g = SocialGraph::from_arcs(9, {{0, 1},
                                                   {1, 2},
                                                   {2, 0},
                                                   {0, 3},
                                                   {3, 0},
                                                   {5, 6},
                                                   {6, 5},
                                                   {7, 5},
                                                   {5, 8},
                                                   {6, 7},
                                                   {8, 6},
                                                   {7, 8},
                                                   {8, 7}});
  EXPECT_EQ(core_numbers(g), (std::vector<std::uint32_t>{2, 2, 2, 1, 0, 3, 3, 3, 3}));
  EXPECT_EQ(k_core(g, 0), (Vertices{0, 1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(k_core(g, 1), (Vertices{0, 1, 2, 3, 5, 6, 7, 8}));
  EXPECT_EQ(k_core(g, 2), (Vertices{0, 1, 2, 5, 6, 7, 8}));
  EXPECT_EQ(k_core(g, 3), (Vertices{5, 6, 7, 8}));
  EXPECT_EQ(k_core(g, 4), (Vertices{}));
}

TEST(KCore, ReciprocalFriendsAreNotATwoCore) {
  const SocialGraph pair = SocialGraph::from_arcs(2, {{0, 1}, {1, 0}});
  EXPECT_EQ(k_core(pair, 1), (Vertices{0, 1}));
  EXPECT_EQ(k_core(pair, 2), (Vertices{}));
  EXPECT_EQ(k_core(SocialGraph::from_arcs(0, {}), 0), (Vertices{}));
  EXPECT_EQ(k_core(SocialGraph::from_arcs(0, {}), 1), (Vertices{}));
}

TEST(KCore, MatchesSlowReferenceOnRandomGraphs) {
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    const VertexId n = 50 + static_cast<VertexId>(seed * 37 % 250);
    const std::size_t m = n * (1 + seed % 8);
    const std::vector<ArcInput> arcs = random_arcs(n, m, seed);
    const SocialGraph g = SocialGraph::from_arcs(n, arcs);
    const std::vector<std::uint32_t> core = core_numbers(g);
    std::vector<std::uint32_t> reference_core(n, 0);
    for (std::uint32_t k = 0;; ++k) {
      const Vertices expected = reference_k_core(n, arcs, k);
      EXPECT_EQ(k_core(g, k), expected) << "seed " << seed << " k " << k;
      for (const VertexId v : expected) reference_core[v] = k;
      if (expected.empty()) break;
    }
    EXPECT_EQ(core, reference_core) << "seed " << seed;
  }
}

TEST(KCore, RawGraphWithUnsortedRowsDuplicatesAndSelfLoops) {
  constexpr VertexId n = 400;
  std::vector<ArcInput> arcs = random_arcs(n, 2000, 99);
  const std::size_t clean = arcs.size();
  for (std::size_t i = 0; i < clean; i += 5) arcs.push_back(arcs[i]);  // duplicates
  for (VertexId v = 0; v < n; v += 3) arcs.push_back({v, v});          // self-loops
  std::shuffle(arcs.begin(), arcs.end(), std::mt19937_64(5));          // unsorted rows
  const SocialGraph raw = raw_csr(n, arcs);
  const SocialGraph canonical = SocialGraph::from_arcs(n, arcs);
  ASSERT_GT(raw.num_arcs(), canonical.num_arcs());
  EXPECT_EQ(core_numbers(raw), core_numbers(canonical));
  for (std::uint32_t k = 1; k <= 8; ++k) {
    EXPECT_EQ(k_core(raw, k), reference_k_core(n, arcs, k)) << "k " << k;
  }
}

// ---- random_vertices -------------------------------------------------------------------------

// The quantile of chi-square with `df` degrees of freedom matching the standard normal quantile
// z (z = 3.09: the upper 0.001 tail; -3.09: the lower one), by the Wilson-Hilferty
// approximation: within 0.1% of the exact value for df >= 199, 2.5% at df 19, 3.5% at df 4.
double chi_square_quantile(double df, double z) {
  const double a = 2.0 / (9.0 * df);
  return df * std::pow(1.0 - a + z * std::sqrt(a), 3.0);
}
constexpr double kZ001 = 3.0902;  // standard normal quantile of 0.999: significance 0.001

TEST(RandomVertices, SortedDistinctAndDeterministic) {
  const Vertices a = random_vertices(1000, 50, 42);
  ASSERT_EQ(a.size(), 50u);
  EXPECT_TRUE(std::adjacent_find(a.begin(), a.end(), std::greater_equal<>{}) == a.end());
  EXPECT_LT(a.back(), 1000u);
  EXPECT_EQ(random_vertices(1000, 50, 42), a);
  EXPECT_NE(random_vertices(1000, 50, 43), a);
  // Pinned: the sample of a seed is part of what an export promises to reproduce.
  EXPECT_EQ(random_vertices(1000, 5, 42), (Vertices{42, 69, 329, 796, 950}));
}

TEST(RandomVertices, EdgeCounts) {
  EXPECT_EQ(random_vertices(5, 5, 1), (Vertices{0, 1, 2, 3, 4}));
  EXPECT_EQ(random_vertices(5, 9, 1), (Vertices{0, 1, 2, 3, 4}));
  EXPECT_EQ(random_vertices(5, 0, 1), (Vertices{}));
  EXPECT_EQ(random_vertices(0, 3, 1), (Vertices{}));
  const Vertices almost_all = random_vertices(5, 4, 1);
  EXPECT_EQ(almost_all.size(), 4u);
  const Vertices huge = random_vertices(kNoVertex - 1, 3, 7);  // no memory proportional to n
  EXPECT_EQ(huge.size(), 3u);
}

// Every count-subset of n vertices is equally likely: chi-square over the C(n, count) subset
// frequencies across many seeds, df = C(n, count) - 1, rejected at significance 0.001.
TEST(RandomVertices, EverySubsetIsEquallyLikely) {
  for (const auto& [n, count] : {std::pair<VertexId, VertexId>{6, 3}, {6, 1}, {5, 4}, {7, 2}}) {
    std::vector<std::uint64_t> freq(std::size_t{1} << n, 0);
    constexpr std::uint64_t kSeeds = 20000;
    for (std::uint64_t seed = 0; seed < kSeeds; ++seed) {
      unsigned mask = 0;
      for (const VertexId v : random_vertices(n, count, seed)) mask |= 1u << v;
      ++freq[mask];
    }
    std::size_t cells = 0;
    for (unsigned mask = 0; mask < freq.size(); ++mask) {
      if (std::popcount(mask) == static_cast<int>(count)) {
        ++cells;
      } else {
        EXPECT_EQ(freq[mask], 0u) << "n " << n << " count " << count << " mask " << mask;
      }
    }
    const double expected = static_cast<double>(kSeeds) / static_cast<double>(cells);
    double chi2 = 0.0;
    for (unsigned mask = 0; mask < freq.size(); ++mask) {
      if (std::popcount(mask) != static_cast<int>(count)) continue;
      const double d = static_cast<double>(freq[mask]) - expected;
      chi2 += d * d / expected;
    }
    // Few degrees of freedom for the approximation: the exact 0.999 quantiles are 18.47 (df 4),
    // 20.52 (df 5), 43.82 (df 19) and 45.31 (df 20); the approximation lies up to 4% above them.
    const double threshold = chi_square_quantile(static_cast<double>(cells - 1), kZ001);
    EXPECT_LT(chi2, threshold) << "n " << n << " count " << count << " cells " << cells;
  }
}

// Every vertex is equally likely to be drawn. Inclusion counts O_v over S seeds have mean
// E = S p (p = count / n) and covariance S p (1 - p) (n I - J) / (n - 1) (draws without
// replacement), so sum (O_v - E)^2 / (E (1 - p) n / (n - 1)) is chi-square with n - 1 degrees of
// freedom. Rejected at significance 0.001.
TEST(RandomVertices, InclusionIsUniform) {
  for (const auto& [n, count] : {std::pair<VertexId, VertexId>{200, 20}, {300, 270}, {1000, 2}}) {
    constexpr std::uint64_t kSeeds = 3000;
    std::vector<std::uint64_t> included(n, 0);
    for (std::uint64_t seed = 0; seed < kSeeds; ++seed) {
      for (const VertexId v : random_vertices(n, count, seed)) ++included[v];
    }
    const double p = static_cast<double>(count) / n;
    const double expected = static_cast<double>(kSeeds) * p;
    const double scale = expected * (1.0 - p) * n / (n - 1.0);
    double chi2 = 0.0;
    for (const std::uint64_t o : included)
      chi2 += (static_cast<double>(o) - expected) * (static_cast<double>(o) - expected) / scale;
    EXPECT_LT(chi2, chi_square_quantile(n - 1.0, kZ001)) << "n " << n << " count " << count;
    // And not suspiciously even (a stratified, non-random sampler): lower 0.001 tail.
    EXPECT_GT(chi2, chi_square_quantile(n - 1.0, -kZ001)) << "n " << n << " count " << count;
  }
}

// ---- readers_of_items / top_items_by_reach ---------------------------------------------------

TEST(ReadersOfItems, ReadersAndTheirParents) {
  UserEvents events;
  events.first_exposure.assign(10, 0);
  events.reads = {
      {.item = 0, .user = 3, .step = 1, .parent = 0, .hop = 1},
      {.item = 0, .user = 5, .step = 2, .parent = 3, .hop = 2},
      {.item = 1, .user = 2, .step = 4, .parent = 9, .hop = 1},
      {.item = 1, .user = 4, .step = 5, .parent = 2, .hop = 2},
      {.item = 1, .user = 6, .step = 5, .parent = 8, .hop = 1},
      {.item = 3, .user = 7, .step = 9, .parent = 0, .hop = 1},
  };
  EXPECT_EQ(readers_of_items(events, std::vector<ItemId>{0}), (Vertices{0, 3, 5}));
  EXPECT_EQ(readers_of_items(events, std::vector<ItemId>{1}), (Vertices{2, 4, 6, 8, 9}));
  EXPECT_EQ(readers_of_items(events, std::vector<ItemId>{3, 0, 3}), (Vertices{0, 3, 5, 7}));
  EXPECT_EQ(readers_of_items(events, std::vector<ItemId>{2, 4}), (Vertices{}));
  EXPECT_EQ(readers_of_items(events, {}), (Vertices{}));
  EXPECT_EQ(readers_of_items(UserEvents{}, std::vector<ItemId>{0}), (Vertices{}));
}

TEST(TopItemsByReach, RanksByReachThenReadsThenId) {
  std::vector<ItemRecord> items(7);
  const std::vector<std::pair<std::uint64_t, std::uint64_t>> reach_reads{
      {10, 2}, {0, 0}, {30, 1}, {10, 5}, {10, 2}, {0, 0}, {1, 0}};
  for (std::size_t i = 0; i < items.size(); ++i) {
    items[i].item = static_cast<ItemId>(i);
    std::tie(items[i].reach, items[i].reads) = reach_reads[i];
  }
  EXPECT_EQ(top_items_by_reach(items, 10), (std::vector<ItemId>{2, 3, 0, 4, 6}));
  EXPECT_EQ(top_items_by_reach(items, 3), (std::vector<ItemId>{2, 3, 0}));
  EXPECT_EQ(top_items_by_reach(items, 0), (std::vector<ItemId>{}));
  EXPECT_EQ(top_items_by_reach({}, 3), (std::vector<ItemId>{}));
}

// ---- induced arcs ----------------------------------------------------------------------------

using ArcRow = std::tuple<VertexId, VertexId, ArcId>;

std::vector<ArcRow> induced(const SocialGraph& g, const Vertices& set) {
  std::vector<ArcRow> rows;
  for_each_induced_arc(g, set,
                       [&](VertexId u, VertexId v, ArcId a) { rows.emplace_back(u, v, a); });
  return rows;
}

TEST(InducedArcs, HandBuiltGraph) {
  // Arc ids: 0->1 (0), 0->2 (1), 1->0 (2), 1->3 (3), 2->3 (4), 3->1 (5).
  const SocialGraph g = SocialGraph::from_arcs(4, {{0, 1}, {0, 2}, {1, 0}, {1, 3}, {2, 3}, {3, 1}});
  EXPECT_EQ(induced(g, {0, 1, 3}),
            (std::vector<ArcRow>{{0, 1, 0}, {1, 0, 2}, {1, 3, 3}, {3, 1, 5}}));
  EXPECT_EQ(count_induced_arcs(g, Vertices{0, 1, 3}), 4u);
  EXPECT_EQ(induced(g, {2}), (std::vector<ArcRow>{}));
  EXPECT_EQ(induced(g, {}), (std::vector<ArcRow>{}));
  EXPECT_EQ(count_induced_arcs(g, Vertices{0, 1, 2, 3}), 6u);
}

TEST(InducedArcs, RejectsUnsortedDuplicateOrForeignIds) {
  const SocialGraph g = SocialGraph::from_arcs(4, {{0, 1}});
  EXPECT_THROW(induced(g, {1, 0}), std::invalid_argument);
  EXPECT_THROW(induced(g, {1, 1}), std::invalid_argument);
  EXPECT_THROW(induced(g, {1, 4}), std::invalid_argument);
  EXPECT_THROW((void)count_induced_arcs(g, Vertices{2, 1}), std::invalid_argument);
}

TEST(InducedArcs, MatchesBruteForceFilter) {
  constexpr VertexId n = 3000;
  const std::vector<ArcInput> arcs = random_arcs(n, 30000, 3);
  for (const SocialGraph& g : {SocialGraph::from_arcs(n, arcs), raw_csr(n, arcs)}) {
    const CsrView out = g.out_view();
    for (const VertexId count : {VertexId{0}, VertexId{1}, VertexId{100}, VertexId{1500}, n}) {
      const Vertices set = random_vertices(n, count, count);
      std::vector<bool> member(n, false);
      for (const VertexId v : set) member[v] = true;
      std::vector<ArcRow> expected;
      for (VertexId u = 0; u < n; ++u) {
        for (ArcId a = out.offsets[u]; a < out.offsets[u + 1]; ++a) {
          if (member[u] && member[out.targets[a]]) expected.emplace_back(u, out.targets[a], a);
        }
      }
      EXPECT_EQ(induced(g, set), expected) << "count " << count;
      EXPECT_EQ(count_induced_arcs(g, set), expected.size()) << "count " << count;
    }
  }
}

}  // namespace
}  // namespace softpower::viz
