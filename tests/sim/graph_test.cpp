#include "sim/graph.hpp"

#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/test_support.hpp"

namespace softpower {
namespace {

using testing_support::arc_list;

using Arcs = std::vector<std::pair<VertexId, VertexId>>;

TEST(SocialGraph, CanonicalizeSortsDropsSelfLoopsAndMergesDuplicates) {
  BuildReport report;
  const SocialGraph g = SocialGraph::from_arcs(
      4, {{2, 1}, {0, 3}, {0, 1}, {1, 1}, {0, 3}, {3, 0}}, {1.f, 2.f, 3.f, 4.f, 5.f, 6.f}, {},
      {}, &report);
  EXPECT_EQ(report.self_loops_dropped, 1u);
  EXPECT_EQ(report.duplicate_arcs_merged, 1u);
  EXPECT_EQ(g.num_vertices(), 4u);
  EXPECT_EQ(g.num_arcs(), 4u);
  EXPECT_EQ(arc_list(g), (Arcs{{0, 1}, {0, 3}, {2, 1}, {3, 0}}));
  EXPECT_EQ(g.weights(), (std::vector<float>{3.f, 7.f, 1.f, 6.f}));
}

// Without weights the rows are sorted in place (no stable sort of (target, weight) pairs): the
// same rows and counts, including a row that is all self-loops and repeats.
TEST(SocialGraph, CanonicalizeUnweightedSortsDropsSelfLoopsAndMergesDuplicates) {
  BuildReport report;
  const SocialGraph g = SocialGraph::from_arcs(
      5, {{2, 1}, {0, 3}, {0, 1}, {1, 1}, {0, 3}, {3, 0}, {4, 4}, {0, 3}, {4, 4}, {2, 0}, {2, 1}}, {}, {}, {},
      &report);
  EXPECT_EQ(report.self_loops_dropped, 3u);
  EXPECT_EQ(report.duplicate_arcs_merged, 3u);
  EXPECT_EQ(g.num_vertices(), 5u);
  EXPECT_EQ(arc_list(g), (Arcs{{0, 1}, {0, 3}, {2, 0}, {2, 1}, {3, 0}}));
  EXPECT_TRUE(g.weights().empty());
}

TEST(SocialGraph, InArcsMirrorOutArcs) {
  const SocialGraph g = SocialGraph::from_arcs(3, {{0, 1}, {0, 2}, {1, 2}}, {}, {}, {.in_arc_ids = InArcIds::kAlways});
  const CsrView in = g.in_view();
  const CsrView out = g.out_view();
  ASSERT_EQ(in.num_arcs(), 3u);
  // Vertex 2 hears from 0 and 1; each in-arc names the forward arc it mirrors.
  EXPECT_EQ(in.out_degree(2), 2u);
  for (ArcId i = in.offsets[2]; i < in.offsets[3]; ++i) {
    const ArcId forward = g.in_arc_ids()[i];
    EXPECT_EQ(out.targets[forward], 2u);
    EXPECT_EQ(in.targets[i], forward < out.offsets[1] ? 0u : 1u);
  }
}

// from_csr fills Boost's CSR arrays directly; the result must be the graph Boost's own
// bidirectional constructor builds, and Boost's algorithms must see the same arcs.
TEST(SocialGraph, SameStructureAsBoostsOwnConstructor) {
  std::vector<std::pair<VertexId, VertexId>> pairs;
  std::vector<ArcInput> arcs;
  std::uint64_t x = 12345;
  for (int i = 0; i < 5000; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    const auto u = static_cast<VertexId>((x >> 20) % 300), v = static_cast<VertexId>((x >> 40) % 300);
    pairs.emplace_back(u, v);
    arcs.push_back({u, v});
  }
  std::stable_sort(pairs.begin(), pairs.end(), [](auto a, auto b) { return a.first < b.first; });
  const Graph boost_graph(boost::edges_are_unsorted_multi_pass, pairs.begin(), pairs.end(), VertexId{300});
  const SocialGraph ours =
      SocialGraph::from_arcs(300, arcs, {}, {}, {.canonicalize = false, .in_arc_ids = InArcIds::kAlways});
  const Graph& g = ours.csr();
  EXPECT_EQ(g.m_forward.m_rowstart, boost_graph.m_forward.m_rowstart);
  EXPECT_EQ(g.m_forward.m_column, boost_graph.m_forward.m_column);
  EXPECT_EQ(g.m_backward.m_rowstart, boost_graph.m_backward.m_rowstart);
  EXPECT_EQ(g.m_backward.m_column, boost_graph.m_backward.m_column);
  EXPECT_EQ(g.m_backward.m_edge_properties, boost_graph.m_backward.m_edge_properties);
  EXPECT_EQ(boost::num_vertices(g), 300u);
  EXPECT_EQ(boost::num_edges(g), 5000u);
  for (VertexId v = 0; v < 300; ++v) {
    EXPECT_EQ(boost::in_degree(v, g), boost::in_degree(v, boost_graph));
    for (auto [e, end] = boost::in_edges(v, g); e != end; ++e) {
      ASSERT_EQ(boost::target(*e, g), v);
      const ArcId id = boost::get(boost::edge_index, g, *e);
      ASSERT_EQ(ours.out_view().targets[id], v);
      ASSERT_EQ(boost::source(*e, g), boost::source(*e, boost_graph));
    }
  }
}

// A random CSR with repeated targets and empty rows: enough arcs for several transpose chunks.
std::pair<std::vector<ArcId>, std::vector<VertexId>> random_csr(VertexId n, ArcId m, std::uint64_t x) {
  std::vector<ArcId> offsets(n + 1, 0);
  std::vector<VertexId> targets(m);
  for (ArcId a = 0; a < m; ++a) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    targets[a] = static_cast<VertexId>((x >> 33) % n);
    ++offsets[1 + (x >> 13) % (n / 2)];  // sources in the first half only: the rest have empty rows
  }
  for (VertexId v = 0; v < n; ++v) offsets[v + 1] += offsets[v];
  return {offsets, targets};
}

// The in-arcs of a vertex, as (source, forward arc id) in stored order.
std::vector<std::pair<VertexId, ArcId>> in_arcs(const SocialGraph& g) {
  std::vector<std::pair<VertexId, ArcId>> all;
  const CsrView in = g.in_view();
  for (ArcId i = 0; i < in.num_arcs(); ++i) all.emplace_back(in.targets[i], g.in_arc_ids()[i]);
  return all;
}

TEST(SocialGraph, InArcIdsOnlyWhereNeeded) {
  const SocialGraph plain = SocialGraph::from_arcs(3, {{0, 1}, {0, 2}, {1, 2}});
  EXPECT_TRUE(plain.in_arc_ids().empty()) << "an unweighted graph does not pay 8 bytes per arc for them";
  EXPECT_EQ(plain.in_view().num_arcs(), 3u);
  const SocialGraph weighted = SocialGraph::from_arcs(3, {{0, 1}, {0, 2}, {1, 2}}, {1.f, 2.f, 3.f});
  EXPECT_EQ(weighted.in_arc_ids().size(), 3u);
  SocialGraph grown = SocialGraph::from_csr({0, 1, 1}, {1}, {}, {}, InArcIds::kAlways);
  grown.append_vertex(std::vector<VertexId>{0, 1}, "");
  EXPECT_EQ(std::vector<ArcId>(grown.in_arc_ids().begin(), grown.in_arc_ids().end()), (std::vector<ArcId>{1, 0, 2}));
  SocialGraph lean = SocialGraph::from_csr({0, 1, 1}, {1});
  lean.append_vertex(std::vector<VertexId>{0, 1}, "");
  EXPECT_TRUE(lean.in_arc_ids().empty());
  EXPECT_EQ(lean.in_view().num_arcs(), 3u);
}

TEST(SocialGraph, TransposeDoesNotDependOnTheThreadCount) {
  auto [offsets, targets] = random_csr(50000, 600000, 7);
  std::vector<std::vector<std::pair<VertexId, ArcId>>> results;
  std::vector<std::vector<ArcId>> in_offsets;
  for (int threads : {1, 2, 3, 4}) {
    tbb::task_arena arena(threads);
    arena.execute([&] {
      const SocialGraph g = SocialGraph::from_csr(offsets, targets, {}, {}, InArcIds::kAlways);
      results.push_back(in_arcs(g));
      in_offsets.emplace_back(g.in_view().offsets.begin(), g.in_view().offsets.end());
    });
  }
  // Within each target, in-arcs come in forward arc order.
  const SocialGraph g = SocialGraph::from_csr(offsets, targets, {}, {}, InArcIds::kAlways);
  for (VertexId v = 0; v < g.num_vertices(); ++v) {
    const CsrView in = g.in_view();
    for (ArcId i = in.offsets[v]; i < in.offsets[v + 1]; ++i) {
      ASSERT_EQ(targets[g.in_arc_ids()[i]], v);
      if (i > in.offsets[v]) {
        ASSERT_LT(g.in_arc_ids()[i - 1], g.in_arc_ids()[i]);
      }
    }
  }
  for (std::size_t k = 1; k < results.size(); ++k) {
    EXPECT_EQ(results[k], results[0]) << "arena " << k;
    EXPECT_EQ(in_offsets[k], in_offsets[0]) << "arena " << k;
  }
}

TEST(SocialGraph, FromArcsKeepsInputOrderWithinASourceWithAnyThreadCount) {
  // 300,000 arcs: several chunks of the parallel counting sort. Without canonicalizing, each
  // source's arcs must come out in input order, as a serial stable sort leaves them.
  constexpr VertexId n = 20000;
  std::vector<ArcInput> arcs;
  std::vector<float> weights;
  std::uint64_t x = 12345;
  for (int i = 0; i < 300000; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    arcs.push_back({static_cast<VertexId>((x >> 33) % n), static_cast<VertexId>((x >> 13) % n)});
    weights.push_back(static_cast<float>(i));
  }
  std::vector<std::pair<VertexId, float>> expected;  // (target, weight) in stable source order
  {
    std::vector<std::size_t> order(arcs.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return arcs[a].source < arcs[b].source; });
    for (const std::size_t i : order) expected.emplace_back(arcs[i].target, weights[i]);
  }
  for (int threads : {1, 2, 3, 4}) {
    tbb::task_arena arena(threads);
    arena.execute([&] {
      const SocialGraph g = SocialGraph::from_arcs(n, arcs, weights, {}, {.canonicalize = false});
      std::vector<std::pair<VertexId, float>> got;
      for (ArcId a = 0; a < g.num_arcs(); ++a) got.emplace_back(g.out_view().targets[a], g.weights()[a]);
      EXPECT_EQ(got, expected) << threads << " threads";
    });
  }
}

TEST(SocialGraph, AppendVertexEqualsFromCsrOnTheGrownArrays) {
  auto [offsets, targets] = random_csr(2000, 30000, 11);
  std::vector<float> weights(targets.size());
  std::vector<std::string> labels(2000);
  for (std::size_t a = 0; a < weights.size(); ++a) weights[a] = static_cast<float>(a % 7) + 0.5f;
  for (std::size_t v = 0; v < labels.size(); ++v) labels[v] = std::to_string(v).insert(0, 1, 'u');
  SocialGraph grown = SocialGraph::from_csr(offsets, targets, weights, labels);
  const std::vector<VertexId> followers{0, 3, 4, 999, 1000, 1999};
  EXPECT_EQ(grown.append_vertex(followers, "institution"), 2000u);

  targets.insert(targets.end(), followers.begin(), followers.end());
  offsets.push_back(targets.size());
  weights.resize(targets.size(), 1.0f);
  labels.push_back("institution");
  const SocialGraph expected = SocialGraph::from_csr(offsets, targets, weights, labels);
  EXPECT_EQ(grown.num_vertices(), expected.num_vertices());
  EXPECT_EQ(arc_list(grown), arc_list(expected));
  EXPECT_EQ(in_arcs(grown), in_arcs(expected));
  const CsrView a = grown.in_view(), b = expected.in_view();
  EXPECT_TRUE(std::equal(a.offsets.begin(), a.offsets.end(), b.offsets.begin(), b.offsets.end()));
  EXPECT_EQ(grown.weights(), expected.weights());
  EXPECT_EQ(grown.labels(), expected.labels());
  EXPECT_EQ(grown.checksum(), expected.checksum());
  EXPECT_EQ(boost::num_vertices(grown.csr()), 2001u);

  // A vertex without arcs, then one more whose only arc goes to that vertex.
  EXPECT_EQ(grown.append_vertex({}, "silent"), 2001u);
  EXPECT_EQ(grown.append_vertex(std::vector<VertexId>{2001}, "last"), 2002u);
  offsets.push_back(targets.size());
  targets.push_back(2001);
  offsets.push_back(targets.size());
  weights.resize(targets.size(), 1.0f);
  labels.insert(labels.end(), {"silent", "last"});
  const SocialGraph expected2 = SocialGraph::from_csr(offsets, targets, weights, labels);
  EXPECT_EQ(arc_list(grown), arc_list(expected2));
  EXPECT_EQ(in_arcs(grown), in_arcs(expected2));
  EXPECT_TRUE(std::ranges::equal(grown.in_view().offsets, expected2.in_view().offsets));
  EXPECT_EQ(grown.checksum(), expected2.checksum());

  EXPECT_THROW(grown.append_vertex(std::vector<VertexId>{3, 2}, ""), std::invalid_argument);
  EXPECT_THROW(grown.append_vertex(std::vector<VertexId>{2, 2}, ""), std::invalid_argument);
  EXPECT_THROW(grown.append_vertex(std::vector<VertexId>{2003}, ""), std::invalid_argument);
}

TEST(SocialGraph, FromCsrRejectsInconsistentArrays) {
  EXPECT_THROW(SocialGraph::from_csr({0, 2}, {0}), std::invalid_argument);
  EXPECT_THROW(SocialGraph::from_csr({0, 1, 0}, {0}), std::invalid_argument);
  EXPECT_THROW(SocialGraph::from_csr({0, 1}, {1}), std::invalid_argument);
  EXPECT_NO_THROW(SocialGraph::from_csr({0, 1, 1}, {1}));
}

TEST(SocialGraph, WithoutCanonicalizeArcOrderIsKept) {
  const SocialGraph g = SocialGraph::from_arcs(3, {{0, 2}, {0, 1}, {0, 1}}, {}, {}, {.canonicalize = false});
  EXPECT_EQ(arc_list(g), (Arcs{{0, 2}, {0, 1}, {0, 1}}));
}

TEST(SocialGraph, LabelsAndChecksum) {
  const SocialGraph a = SocialGraph::from_arcs(2, {{0, 1}}, {}, {"alice", "bob"});
  const SocialGraph b = SocialGraph::from_arcs(2, {{0, 1}}, {}, {"alice", "carol"});
  const SocialGraph c = SocialGraph::from_arcs(2, {{0, 1}}, {}, {"alice", "bob"});
  EXPECT_EQ(a.label(1), "bob");
  EXPECT_EQ(SocialGraph::from_arcs(2, {{0, 1}}).label(1), "1");
  EXPECT_NE(a.checksum(), b.checksum());
  EXPECT_EQ(a.checksum(), c.checksum());
}

TEST(SocialGraph, ChecksumCoversArcsWeightsLabelsAndTheirBoundaries) {
  const SocialGraph plain = SocialGraph::from_arcs(3, {{0, 1}, {1, 2}});
  EXPECT_NE(plain.checksum(), SocialGraph::from_arcs(3, {{0, 1}, {2, 1}}).checksum());
  EXPECT_NE(plain.checksum(), SocialGraph::from_arcs(3, {{0, 1}, {1, 2}}, {1.f, 1.f}).checksum());
  EXPECT_NE(plain.checksum(), SocialGraph::from_arcs(4, {{0, 1}, {1, 2}}).checksum());
  // Labels are hashed with a terminator: "ab","" is not "a","b".
  EXPECT_NE(SocialGraph::from_arcs(2, {{0, 1}}, {}, {"ab", ""}).checksum(),
            SocialGraph::from_arcs(2, {{0, 1}}, {}, {"a", "b"}).checksum());
  // The FNV-1a checksum of result files of format 1, as they recorded it (computed here
  // independently, in Python, over the same bytes).
  EXPECT_EQ(SocialGraph::from_arcs(2, {{0, 1}}, {}, {"alice", "bob"}).fnv1a_checksum(),
            0x7e85e26de5621ec3ull);
}

TEST(SocialGraph, FromBothDirectionsEqualsFromCsr) {
  auto [offsets, targets] = random_csr(500, 6000, 5);
  for (const bool weighted : {false, true}) {
    std::vector<float> weights;
    if (weighted) weights.assign(targets.size(), 0.5f);
    const SocialGraph expected = SocialGraph::from_csr(offsets, targets, weights);
    const CsrView in = expected.in_view();
    SocialGraph::InArcArrays arrays{{in.offsets.begin(), in.offsets.end()},
                                    {in.targets.begin(), in.targets.end()},
                                    {expected.in_arc_ids().begin(), expected.in_arc_ids().end()}};
    const SocialGraph both = SocialGraph::from_both_directions(offsets, targets, arrays, weights);
    EXPECT_EQ(arc_list(both), arc_list(expected));
    EXPECT_TRUE(std::ranges::equal(both.in_view().offsets, expected.in_view().offsets));
    EXPECT_TRUE(std::ranges::equal(both.in_view().targets, expected.in_view().targets));
    EXPECT_TRUE(std::ranges::equal(both.in_arc_ids(), expected.in_arc_ids()));
    EXPECT_EQ(both.in_arc_ids().size(), weighted ? targets.size() : 0);
    EXPECT_EQ(both.checksum(), expected.checksum());

    auto bad = arrays;
    bad.sources[17] = 500;
    EXPECT_THROW(SocialGraph::from_both_directions(offsets, targets, bad, weights), std::invalid_argument);
    bad = arrays;
    bad.offsets[3] = bad.offsets[4] + 1;
    EXPECT_THROW(SocialGraph::from_both_directions(offsets, targets, bad, weights), std::invalid_argument);
    bad = arrays;
    bad.arc_ids.assign(weighted ? 0 : targets.size(), 0);  // ids exactly when weighted
    EXPECT_THROW(SocialGraph::from_both_directions(offsets, targets, bad, weights), std::invalid_argument);
  }
}

// A mutual arc set's in-arcs are copied from its canonical out-arcs instead of transposed; they
// must be what the transpose gives, with repeated edges, both orientations listed and self-loops.
TEST(SocialGraph, MutualArcsGetTheTransposeAsInArcs) {
  std::vector<ArcInput> arcs;
  std::uint64_t state = 99;
  for (int e = 0; e < 20000; ++e) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    const auto u = static_cast<VertexId>((state >> 33) % 700);
    const auto v = static_cast<VertexId>((state >> 13) % 700);
    arcs.push_back({u, v});
    if (u != v) arcs.push_back({v, u});
    if (e % 50 == 0) arcs.push_back({v, u});  // the edge listed again the other way round
    if (e % 50 == 0 && u != v) arcs.push_back({u, v});
  }
  const SocialGraph transposed = SocialGraph::from_arcs(700, arcs);
  const SocialGraph mirrored = SocialGraph::from_arcs(700, arcs, {}, {}, BuildOptions{.mutual = true});
  EXPECT_EQ(arc_list(mirrored), arc_list(transposed));
  EXPECT_TRUE(std::ranges::equal(mirrored.in_view().offsets, transposed.in_view().offsets));
  EXPECT_TRUE(std::ranges::equal(mirrored.in_view().targets, transposed.in_view().targets));
  EXPECT_EQ(mirrored.checksum(), transposed.checksum());
  // Weights or in-arc ids need the transpose's arc ids: the promise is then not used.
  const SocialGraph weighted =
      SocialGraph::from_arcs(700, arcs, std::vector<float>(arcs.size(), 2.0f), {}, BuildOptions{.mutual = true});
  EXPECT_EQ(weighted.in_arc_ids().size(), weighted.num_arcs());
  EXPECT_TRUE(std::ranges::equal(weighted.in_view().targets, transposed.in_view().targets));
}

TEST(SocialGraph, RejectsOutOfRangeArcs) {
  EXPECT_THROW(SocialGraph::from_arcs(2, {{0, 2}}), std::invalid_argument);
  EXPECT_THROW(SocialGraph::from_arcs(2, {{0, 1}}, {1.f, 2.f}), std::invalid_argument);
}

}  // namespace
}  // namespace softpower
