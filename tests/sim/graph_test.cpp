#include "sim/graph.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace softpower {
namespace {

std::vector<VertexId> targets_of(const SocialGraph& g, VertexId u) {
  const CsrView out = g.out_view();
  return {out.targets.begin() + static_cast<std::ptrdiff_t>(out.offsets[u]),
          out.targets.begin() + static_cast<std::ptrdiff_t>(out.offsets[u + 1])};
}

TEST(SocialGraph, CanonicalizeSortsDropsSelfLoopsAndMergesDuplicates) {
  BuildReport report;
  const SocialGraph g = SocialGraph::from_arcs(
      4, {{2, 1}, {0, 3}, {0, 1}, {1, 1}, {0, 3}, {3, 0}}, {1.f, 2.f, 3.f, 4.f, 5.f, 6.f}, {},
      {}, &report);
  EXPECT_EQ(report.self_loops_dropped, 1u);
  EXPECT_EQ(report.duplicate_arcs_merged, 1u);
  EXPECT_EQ(g.num_vertices(), 4u);
  EXPECT_EQ(g.num_arcs(), 4u);
  EXPECT_EQ(targets_of(g, 0), (std::vector<VertexId>{1, 3}));
  EXPECT_EQ(targets_of(g, 1), (std::vector<VertexId>{}));
  EXPECT_EQ(targets_of(g, 2), (std::vector<VertexId>{1}));
  EXPECT_EQ(targets_of(g, 3), (std::vector<VertexId>{0}));
  EXPECT_EQ(g.weights(), (std::vector<float>{3.f, 7.f, 1.f, 6.f}));
}

TEST(SocialGraph, InArcsMirrorOutArcs) {
  const SocialGraph g = SocialGraph::from_arcs(3, {{0, 1}, {0, 2}, {1, 2}});
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

TEST(SocialGraph, WithoutCanonicalizeArcOrderIsKept) {
  const SocialGraph g = SocialGraph::from_arcs(3, {{0, 2}, {0, 1}, {0, 1}}, {}, {}, {.canonicalize = false});
  EXPECT_EQ(targets_of(g, 0), (std::vector<VertexId>{2, 1, 1}));
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

TEST(SocialGraph, RejectsOutOfRangeArcs) {
  EXPECT_THROW(SocialGraph::from_arcs(2, {{0, 2}}), std::invalid_argument);
  EXPECT_THROW(SocialGraph::from_arcs(2, {{0, 1}}, {1.f, 2.f}), std::invalid_argument);
}

}  // namespace
}  // namespace softpower
