#include "sim/edge_list.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/error.hpp"
#include "tests/support/test_support.hpp"

namespace softpower {
namespace {

namespace fs = std::filesystem;

using testing_support::import_fixture;
using testing_support::offsets_of;
using testing_support::targets_of;

fs::path fixture(const std::string& name) { return import_fixture("edge_list/" + name); }

using Labels = std::vector<std::string>;
using Offsets = std::vector<ArcId>;
using Targets = std::vector<VertexId>;
using Weights = std::vector<float>;

std::string error_of(const fs::path& path, const EdgeListOptions& opt) {
  try {
    import_edge_list(path, opt);
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InputError for " << path;
  return {};
}

EdgeListOptions directed() {
  EdgeListOptions o;
  o.directed = true;
  return o;
}

EdgeListOptions weighted(bool is_directed = false) {
  EdgeListOptions o;
  o.weighted = true;
  o.directed = is_directed;
  return o;
}

// The undirected triangle 0-1-2 that several separator styles must all produce.
void expect_triangle(const SocialGraph& g) {
  EXPECT_EQ(offsets_of(g), (Offsets{0, 2, 4, 6}));
  EXPECT_EQ(targets_of(g), (Targets{1, 2, 0, 2, 0, 1}));
  EXPECT_TRUE(g.weights().empty());
}

TEST(EdgeList, WhitespaceSeparated) {
  ImportReport r;
  const SocialGraph g = import_edge_list(fixture("whitespace.txt"), {}, &r);
  expect_triangle(g);
  EXPECT_EQ(g.labels(), (Labels{"0", "1", "2"}));
  EXPECT_EQ(r.lines, 3u);
  EXPECT_EQ(r.arcs_read, 6u);
  EXPECT_EQ(r.self_loops_dropped, 0u);
  EXPECT_EQ(r.duplicate_arcs_merged, 0u);
  EXPECT_TRUE(r.notes.empty());
}

TEST(EdgeList, CommaSeparatedWithOptionalSpaces) {
  const SocialGraph g = import_edge_list(fixture("comma.csv"), {});
  expect_triangle(g);
  EXPECT_EQ(g.labels(), (Labels{"a", "b", "c"}));
}

TEST(EdgeList, TabsAndRunsOfTabs) {
  const SocialGraph g = import_edge_list(fixture("tabs.tsv"), {});
  EXPECT_EQ(offsets_of(g), (Offsets{0, 1, 3, 4}));
  EXPECT_EQ(targets_of(g), (Targets{1, 0, 2, 1}));
  EXPECT_EQ(g.labels(), (Labels{"10", "20", "30"}));
}

TEST(EdgeList, CommaLinesKeepInnerSpacesInIds) {
  const SocialGraph g = import_edge_list(fixture("spaces_in_ids.csv"), directed());
  EXPECT_EQ(g.labels(), (Labels{"New York", "Boston", "Chicago"}));
  EXPECT_EQ(offsets_of(g), (Offsets{0, 1, 2, 2}));
  EXPECT_EQ(targets_of(g), (Targets{1, 2}));
}

TEST(EdgeList, HashAndPercentCommentsAndBlankLines) {
  ImportReport r;
  const SocialGraph g = import_edge_list(fixture("comments.txt"), directed(), &r);
  EXPECT_EQ(g.labels(), (Labels{"1", "2", "3"}));
  EXPECT_EQ(offsets_of(g), (Offsets{0, 1, 2, 2}));
  EXPECT_EQ(targets_of(g), (Targets{1, 2}));
  EXPECT_EQ(r.lines, 7u);
  EXPECT_EQ(r.arcs_read, 2u);
}

TEST(EdgeList, CustomCommentCharacter) {
  EdgeListOptions opt;
  opt.comment = '/';
  const SocialGraph g = import_edge_list(fixture("slash_comments.txt"), opt);
  EXPECT_EQ(g.labels(), (Labels{"1", "2", "3"}));
  EXPECT_EQ(offsets_of(g), (Offsets{0, 1, 3, 4}));
  EXPECT_EQ(targets_of(g), (Targets{1, 0, 2, 1}));
  EXPECT_EQ(g.description(), "edgelist path=" + fixture("slash_comments.txt").string() +
                                 " directed=false weighted=false comment=/");
}

TEST(EdgeList, ByteOrderMarkAndCrlf) {
  ImportReport r;
  const SocialGraph g = import_edge_list(fixture("bom_crlf.csv"), directed(), &r);
  EXPECT_EQ(g.labels(), (Labels{"x", "y", "z"}));
  EXPECT_EQ(offsets_of(g), (Offsets{0, 1, 2, 2}));
  EXPECT_EQ(targets_of(g), (Targets{1, 2}));
  EXPECT_EQ(r.lines, 2u);
}

TEST(EdgeList, LastLineWithoutNewline) {
  ImportReport r;
  const SocialGraph g = import_edge_list(fixture("no_final_newline.txt"), directed(), &r);
  EXPECT_EQ(targets_of(g), (Targets{1, 2}));
  EXPECT_EQ(r.lines, 2u);
}

TEST(EdgeList, WeightedUndirected) {
  const SocialGraph g = import_edge_list(fixture("weighted.txt"), weighted());
  EXPECT_EQ(g.labels(), (Labels{"a", "b", "c"}));
  EXPECT_EQ(offsets_of(g), (Offsets{0, 2, 4, 6}));
  EXPECT_EQ(targets_of(g), (Targets{1, 2, 0, 2, 0, 1}));
  EXPECT_EQ(g.weights(), (Weights{0.5f, 0.1f, 0.5f, 2.0f, 0.1f, 2.0f}));
  EXPECT_EQ(g.description(),
            "edgelist path=" + fixture("weighted.txt").string() + " directed=false weighted=true");
}

TEST(EdgeList, DirectedKeepsOneArcPerLine) {
  ImportReport r;
  const SocialGraph g = import_edge_list(fixture("triangle_plus.txt"), directed(), &r);
  EXPECT_EQ(g.num_arcs(), 4u);
  EXPECT_EQ(offsets_of(g), (Offsets{0, 2, 3, 4}));
  EXPECT_EQ(targets_of(g), (Targets{1, 2, 2, 0}));
  EXPECT_EQ(r.arcs_read, 4u);
  EXPECT_EQ(r.duplicate_arcs_merged, 0u);
  EXPECT_EQ(g.description(), "edgelist path=" + fixture("triangle_plus.txt").string() +
                                 " directed=true weighted=false");
}

TEST(EdgeList, UndirectedDoublesArcsAndMergesReversedLines) {
  // "3 1" and "1 3" are the same undirected edge.
  ImportReport r;
  const SocialGraph g = import_edge_list(fixture("triangle_plus.txt"), {}, &r);
  EXPECT_EQ(g.num_arcs(), 6u);
  EXPECT_EQ(offsets_of(g), (Offsets{0, 2, 4, 6}));
  EXPECT_EQ(targets_of(g), (Targets{1, 2, 0, 2, 0, 1}));
  EXPECT_EQ(r.arcs_read, 8u);
  EXPECT_EQ(r.duplicate_arcs_merged, 2u);
}

TEST(EdgeList, StringIdsNumberedByFirstAppearance) {
  const SocialGraph g = import_edge_list(fixture("string_ids.txt"), directed());
  EXPECT_EQ(g.labels(), (Labels{"alice", "bob", "carol", "dave"}));
  EXPECT_EQ(offsets_of(g), (Offsets{0, 1, 2, 2, 3}));
  EXPECT_EQ(targets_of(g), (Targets{1, 2, 0}));
  EXPECT_EQ(g.label(3), "dave");
}

TEST(EdgeList, NonContiguousIntegerIdsKeepOriginalLabels) {
  const SocialGraph g = import_edge_list(fixture("noncontiguous.txt"), directed());
  EXPECT_EQ(g.num_vertices(), 4u);
  EXPECT_EQ(g.labels(), (Labels{"100", "7", "42", "5000"}));
  // 100->7, 100->42, 7->42, 5000->100
  EXPECT_EQ(offsets_of(g), (Offsets{0, 2, 3, 3, 4}));
  EXPECT_EQ(targets_of(g), (Targets{1, 2, 2, 0}));
}

// "7" and "007" are different tokens; a huge integer moves the integer ids from the direct
// table into the hash table mid-file, and "7" must keep its id across the move.
TEST(EdgeList, IntegerLookalikesAndHugeIntegers) {
  const SocialGraph g = import_edge_list(fixture("mixed_ids.txt"), directed());
  EXPECT_EQ(g.labels(), (Labels{"7", "007", "abc", "99999999999"}));
  EXPECT_EQ(offsets_of(g), (Offsets{0, 2, 3, 4, 5}));
  EXPECT_EQ(targets_of(g), (Targets{1, 3, 2, 0, 0}));
}

// IdMap against a plain std::unordered_map over a mix of dense integers, lookalikes, short and
// long strings, then huge integers that force the direct table to be abandoned.
TEST(EdgeList, IdMapMatchesReference) {
  detail::IdMap map;
  std::unordered_map<std::string, VertexId> reference;
  std::uint64_t state = 12345;
  auto next = [&state] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return state >> 33;
  };
  auto token = [&](bool allow_huge) {
    const std::uint64_t r = next();
    switch (r % (allow_huge ? 5 : 4)) {
      case 0:
        return std::to_string(next() % 5000);
      case 1:
        return "0" + std::to_string(next() % 100);
      case 2:
        return "user" + std::to_string(next() % 3000);
      case 3:
        return "a-rather-long-vertex-name-" + std::to_string(next() % 3000);
      default:
        return std::to_string(10000000000ull + next() % 1000);
    }
  };
  // find() sees every interned token and adds none, with the direct table (phase 0) and
  // after the huge integers moved everything to the hash table (phase 1).
  auto check_find = [&] {
    for (const auto& [t, id] : reference) ASSERT_EQ(map.find(t), id) << t;
    for (const std::string absent : {"5000", "7000000", "0100", "user3000", "",
                                     "a-rather-long-vertex-name-3000", "10000000000000"}) {
      EXPECT_EQ(map.find(absent), kNoVertex) << absent;
    }
    EXPECT_EQ(map.size(), reference.size());
  };
  for (int phase = 0; phase < 2; ++phase) {
    for (int i = 0; i < 40000; ++i) {
      const std::string t = token(phase == 1);
      const auto [it, inserted] = reference.emplace(t, static_cast<VertexId>(reference.size()));
      ASSERT_EQ(map.intern(t), it->second) << t;
    }
    check_find();
  }
  ASSERT_EQ(map.size(), reference.size());
  for (const auto& [t, id] : reference) EXPECT_EQ(map.label(id), t);
}

TEST(EdgeList, SelfLoopsDroppedDuplicatesMergedDirected) {
  ImportReport r;
  const SocialGraph g = import_edge_list(fixture("loops_multi.txt"), weighted(true), &r);
  EXPECT_EQ(g.labels(), (Labels{"a", "b", "c"}));
  EXPECT_EQ(offsets_of(g), (Offsets{0, 2, 3, 3}));
  EXPECT_EQ(targets_of(g), (Targets{1, 2, 0}));
  EXPECT_EQ(g.weights(), (Weights{3.0f, 1.0f, 0.5f}));
  EXPECT_EQ(r.arcs_read, 5u);
  EXPECT_EQ(r.self_loops_dropped, 1u);
  EXPECT_EQ(r.duplicate_arcs_merged, 1u);
}

TEST(EdgeList, SelfLoopsDroppedDuplicatesMergedUndirected) {
  // a-b appears three times (1 + 2 + 0.5) in both directions; c-c is one arc.
  ImportReport r;
  const SocialGraph g = import_edge_list(fixture("loops_multi.txt"), weighted(false), &r);
  EXPECT_EQ(offsets_of(g), (Offsets{0, 2, 3, 4}));
  EXPECT_EQ(targets_of(g), (Targets{1, 2, 0, 0}));
  EXPECT_EQ(g.weights(), (Weights{3.5f, 1.0f, 3.5f, 1.0f}));
  EXPECT_EQ(r.arcs_read, 9u);
  EXPECT_EQ(r.self_loops_dropped, 1u);
  EXPECT_EQ(r.duplicate_arcs_merged, 4u);
}

TEST(EdgeList, ExtraColumnsIgnoredWhenAsked) {
  EdgeListOptions opt = weighted(true);
  opt.ignore_extra_columns = true;
  ImportReport r;
  const SocialGraph g = import_edge_list(fixture("extra_columns.txt"), opt, &r);
  EXPECT_EQ(targets_of(g), (Targets{1, 2}));
  EXPECT_EQ(g.weights(), (Weights{1.5f, 2.5f}));
  EXPECT_EQ(r.notes, (Labels{"ignored extra columns on 2 lines"}));
  EXPECT_EQ(g.description(), "edgelist path=" + fixture("extra_columns.txt").string() +
                                 " directed=true weighted=true ignore_extra_columns=true");

  opt.weighted = false;  // the weight column is then an extra column too
  const SocialGraph unweighted = import_edge_list(fixture("extra_columns.txt"), opt);
  EXPECT_EQ(targets_of(unweighted), (Targets{1, 2}));
  EXPECT_TRUE(unweighted.weights().empty());
}

TEST(EdgeList, SameFileSameGraph) {
  const SocialGraph a = import_edge_list(fixture("noncontiguous.txt"), {});
  const SocialGraph b = import_edge_list(fixture("noncontiguous.txt"), {});
  EXPECT_EQ(a.checksum(), b.checksum());
}

// Lines straddling the 16 MiB read chunks, and one line longer than a chunk.
TEST(EdgeList, LinesAcrossChunkBoundaries) {
  const fs::path path = fs::temp_directory_path() / "softpower_edge_list_chunks.txt";
  constexpr int kLines = 700000;
  // A line longer than a 16 MiB chunk, of spaces: ids over 4096 bytes are refused (kMaxIdBytes).
  const std::string padding(17u << 20, ' ');
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < kLines; ++i) {
      out << "vertex_" << i << ' ' << "vertex_" << (i + 1) << '\n';
    }
    out << "vertex_0 " << padding << "vertex_long" << '\n';
  }
  ImportReport r;
  const SocialGraph g = import_edge_list(path, directed(), &r);
  fs::remove(path);
  EXPECT_EQ(r.lines, static_cast<std::uint64_t>(kLines) + 1);
  ASSERT_EQ(g.num_vertices(), static_cast<VertexId>(kLines) + 2);
  EXPECT_EQ(g.num_arcs(), static_cast<ArcId>(kLines) + 1);
  EXPECT_EQ(g.label(0), "vertex_0");
  EXPECT_EQ(g.label(kLines), "vertex_" + std::to_string(kLines));
  EXPECT_EQ(g.label(kLines + 1), "vertex_long");
  const CsrView v = g.out_view();
  for (VertexId u = 1; u < static_cast<VertexId>(kLines); ++u) {
    ASSERT_EQ(v.out_degree(u), 1u) << u;
    ASSERT_EQ(v.targets[v.offsets[u]], u + 1) << u;
  }
  EXPECT_EQ(v.out_degree(0), 2u);
}

// Pieces of a block are parsed in parallel: an error in a later piece, or a later block, still
// names its own line, and counts over pieces add up.
TEST(EdgeList, LineNumbersAndCountsAcrossParallelPieces) {
  const fs::path path = fs::temp_directory_path() / "softpower_edge_list_pieces.txt";
  for (const int lines : {30000, 1300000}) {  // past the first 256 KiB piece; past the first block
    {
      std::ofstream out(path, std::ios::binary);
      for (int i = 1; i < lines; ++i) {
        if (i % 1000 == 0) {
          out << "# comment " << i << '\n';
        } else {
          out << i << ' ' << (i + 1) << (i % 7 == 0 ? " extra\n" : "\n");
        }
      }
      out << "7 8 9 10\n";  // line `lines`: a fourth column
    }
    EdgeListOptions ignore = directed();
    ignore.ignore_extra_columns = true;
    ImportReport r;
    const SocialGraph g = import_edge_list(path, ignore, &r);
    EXPECT_EQ(r.lines, static_cast<std::uint64_t>(lines));
    int extra = 1, data = 1;
    for (int i = 1; i < lines; ++i) {
      if (i % 1000 != 0) ++data;
      if (i % 1000 != 0 && i % 7 == 0) ++extra;
    }
    EXPECT_EQ(g.num_arcs(), static_cast<ArcId>(data - 1)) << "7 -> 8 is listed twice";
    EXPECT_EQ(g.label(0), "1");
    EXPECT_EQ(r.notes.front(), "ignored extra columns on " + std::to_string(extra) + " lines");
    EXPECT_EQ(error_of(path, directed()),
              path.string() + ":7: expected 2 columns (source target), found 3; set weighted or "
                              "ignore_extra_columns (7 8 extra)");
    ignore.ignore_extra_columns = false;
    ignore.weighted = true;
    EXPECT_EQ(error_of(path, ignore), path.string() + ":1: expected 3 columns (source target weight), found 2 (1 2)");
  }
  // The first bad line decides, however far into the file it is.
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 1; i < 1300000; ++i) out << i << ' ' << (i + 1) << '\n';
    out << "lonely\n";
  }
  EXPECT_EQ(error_of(path, weighted()), path.string() + ":1: expected 3 columns (source target weight), found 2 (1 2)");
  const std::string message = error_of(path, {});
  fs::remove(path);
  EXPECT_EQ(message.substr(0, path.string().size() + 9), path.string() + ":1300000:");
}

// Integer ids are numbered piece by piece in parallel (edge_list.cpp, number_in_parallel); ids
// must still come in order of first appearance, however the pieces and blocks fall, and a block
// holding another kind of id ("007" is not 7) goes the serial way with the same result.
TEST(EdgeList, ParallelNumberingKeepsFirstAppearanceOrder) {
  const fs::path path = fs::temp_directory_path() / "softpower_edge_list_numbering.txt";
  for (const bool with_odd_id : {false, true}) {
    // Many pieces of one block; without the odd id, also two blocks.
    for (const int lines : with_odd_id ? std::vector<int>{200000} : std::vector<int>{200000, 1500000}) {
      std::vector<std::string> tokens;
      {
        std::ofstream out(path, std::ios::binary);
        std::uint64_t state = 12345;
        const auto next_id = [&state] {
          state = state * 6364136223846793005ull + 1442695040888963407ull;
          return std::to_string((state >> 33) % 400000);
        };
        for (int i = 0; i < lines; ++i) {
          std::string source = next_id(), target = next_id();
          if (with_odd_id && i == lines - 3) target = "00" + target;
          out << source << ' ' << target << " 0.5\n";
          tokens.push_back(source);
          tokens.push_back(target);
        }
      }
      std::unordered_map<std::string, VertexId> id;
      Labels labels;
      std::vector<ArcInput> arcs;
      for (std::size_t k = 0; k < tokens.size(); k += 2) {
        for (std::size_t j = k; j < k + 2; ++j) {
          if (id.emplace(tokens[j], static_cast<VertexId>(labels.size())).second) labels.push_back(tokens[j]);
        }
        arcs.push_back({id[tokens[k]], id[tokens[k + 1]]});
      }
      EdgeListOptions opt = directed();
      opt.weighted = true;
      const SocialGraph g = import_edge_list(path, opt);
      const SocialGraph expected = SocialGraph::from_arcs(static_cast<VertexId>(labels.size()), arcs,
                                                          Weights(arcs.size(), 0.5f), labels);
      EXPECT_EQ(g.labels(), labels) << lines << " lines, odd id " << with_odd_id;
      EXPECT_EQ(offsets_of(g), offsets_of(expected));
      EXPECT_EQ(targets_of(g), targets_of(expected));
      EXPECT_EQ(g.weights(), expected.weights());
      EXPECT_EQ(g.checksum(), expected.checksum());
      try {  // the vertex past the limit is named with its line, in a later piece too
        detail::import_edge_list(path, opt, nullptr, labels.size() - 1);
        ADD_FAILURE() << "no InputError";
      } catch (const InputError& e) {
        const auto last = static_cast<std::size_t>(std::find(tokens.begin(), tokens.end(), labels.back()) - tokens.begin());
        EXPECT_EQ(std::string(e.what()), path.string() + ":" + std::to_string(last / 2 + 1) + ": more than " +
                                             std::to_string(labels.size() - 1) + " vertices (" + labels.back() + ")");
      }
    }
  }
  fs::remove(path);
}

// An undirected list's in-arcs are copied from its out-arcs (BuildOptions::mutual): they must be
// the transpose, with repeated edges, both orientations listed and self-loops in the file.
TEST(EdgeList, UndirectedInArcsAreTheTranspose) {
  const fs::path path = fs::temp_directory_path() / "softpower_edge_list_mutual.txt";
  {
    std::ofstream out(path, std::ios::binary);
    out << "1 2\n2 1\n1 2\n3 3\n4 1\n2 4\nx 1\n";
  }
  for (const bool directed_list : {false, true}) {
    EdgeListOptions opt;
    opt.directed = directed_list;
    const SocialGraph g = import_edge_list(path, opt);
    const SocialGraph transposed = SocialGraph::from_csr(offsets_of(g), targets_of(g));
    EXPECT_TRUE(std::ranges::equal(g.in_view().offsets, transposed.in_view().offsets)) << directed_list;
    EXPECT_TRUE(std::ranges::equal(g.in_view().targets, transposed.in_view().targets)) << directed_list;
  }
  fs::remove(path);
}

// --- errors: FILE:LINE: what (offending text) ---

// --- node tables: regions and communities ---

using Regions = std::vector<std::uint8_t>;
using Communities = std::vector<std::uint32_t>;

EdgeListOptions with_nodes(const std::string& nodes) {
  EdgeListOptions o;
  o.nodes_path = fixture(nodes);
  return o;
}

std::string nodes_error(const std::string& nodes, const std::string& edges = "nodes/edges.txt") {
  try {
    VertexAttributes a;
    import_edge_list(fixture(edges), with_nodes(nodes), nullptr, &a);
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InputError for " << nodes;
  return {};
}

// A header in another column order, CRLF, comments, a blank line, spaces around a field, the
// words in any case, and integer ids looked up in the direct table; carol and dave are absent.
TEST(EdgeListNodes, HeaderNamesTheColumns) {
  ImportReport r;
  VertexAttributes a;
  const SocialGraph g =
      import_edge_list(fixture("nodes/edges.txt"), with_nodes("nodes/nodes.csv"), &r, &a);
  EXPECT_EQ(g.labels(), (Labels{"alice", "bob", "carol", "42", "7", "dave"}));
  EXPECT_EQ(a.region, (Regions{0, 1, 0, 1, 0, 0}));
  EXPECT_EQ(a.community, (Communities{0, 2, 3, 1, 2, 3}));
  const std::string table = "node table " + fixture("nodes/nodes.csv").string();
  EXPECT_EQ(r.notes, (Labels{"region for 4 of 6 users from " + table +
                                 " (2 international); the other 2 are domestic",
                             "community for 4 of 6 users from " + table +
                                 " (ids 0..2, 3 in use); the other 2 form community 3"}));
  EXPECT_EQ(g.description(), "edgelist path=" + fixture("nodes/edges.txt").string() +
                                 " directed=false weighted=false nodes=" +
                                 fixture("nodes/nodes.csv").string());
}

TEST(EdgeListNodes, TwoColumnsWithoutHeaderAreRegions) {
  ImportReport r;
  VertexAttributes a;
  import_edge_list(fixture("nodes/edges.txt"), with_nodes("nodes/regions_only.txt"), &r, &a);
  EXPECT_EQ(a.region, (Regions{0, 1, 1, 0, 0, 0}));
  EXPECT_TRUE(a.community.empty()) << "no community column: no communities";
  EXPECT_EQ(r.notes.size(), 1u);
}

TEST(EdgeListNodes, CommunitiesOnlyUpToTheNumberOfUsers) {
  VertexAttributes a;
  import_edge_list(fixture("nodes/edges.txt"), with_nodes("nodes/communities_only.csv"), nullptr,
                   &a);
  EXPECT_TRUE(a.region.empty());
  EXPECT_EQ(a.community, (Communities{5, 6, 6, 6, 6, 6})) << "the unlisted form community 5 + 1";
}

// Integer ids once the huge one sent them to the hash table; the same numbering as the edges.
TEST(EdgeListNodes, IntegerIdsInTheHashTable) {
  VertexAttributes a;
  const SocialGraph g = import_edge_list(fixture("nodes/edges_integers.txt"),
                                         with_nodes("nodes/nodes_integers.txt"), nullptr, &a);
  EXPECT_EQ(g.labels(), (Labels{"1", "2", "3", "1000000000"}));
  EXPECT_EQ(a.region, (Regions{0, 0, 0, 1}));
  EXPECT_EQ(a.community, (Communities{2, 1, 2, 0}));
}

TEST(EdgeListNodes, NoNodeTableNoAttributes) {
  VertexAttributes a{{1}, {1}};
  import_edge_list(fixture("nodes/edges.txt"), {}, nullptr, &a);
  EXPECT_TRUE(a.empty());
}

TEST(EdgeListNodes, UnknownId) {
  EXPECT_EQ(nodes_error("errors/nodes_unknown_id.csv"),
            fixture("errors/nodes_unknown_id.csv").string() +
                ":3: id not found in the edge list " + fixture("nodes/edges.txt").string() +
                " (zed)");
  EXPECT_EQ(nodes_error("errors/nodes_integer_lookalike.txt", "nodes/edges_integers.txt"),
            fixture("errors/nodes_integer_lookalike.txt").string() +
                ":1: id not found in the edge list " +
                fixture("nodes/edges_integers.txt").string() + " (02)");
}

TEST(EdgeListNodes, BadValues) {
  EXPECT_EQ(nodes_error("errors/nodes_bad_region.txt"),
            fixture("errors/nodes_bad_region.txt").string() +
                ":2: region must be 0, 1, domestic or international (abroad)");
  EXPECT_EQ(nodes_error("errors/nodes_bad_community.txt"),
            fixture("errors/nodes_bad_community.txt").string() +
                ":2: community must be a non-negative integer (alumni)");
  EXPECT_EQ(nodes_error("errors/nodes_big_community.txt"),
            fixture("errors/nodes_big_community.txt").string() +
                ":1: id 'alice': community 6 is not below the number of users (6); number "
                "communities from 0");
}

TEST(EdgeListNodes, BadLayout) {
  EXPECT_EQ(nodes_error("errors/nodes_duplicate.txt"),
            fixture("errors/nodes_duplicate.txt").string() + ":3: id listed twice (bob)");
  EXPECT_EQ(nodes_error("errors/nodes_bad_header.csv"),
            fixture("errors/nodes_bad_header.csv").string() +
                ":1: unknown column; expected region or community (age)");
  EXPECT_EQ(nodes_error("errors/nodes_columns.txt"),
            fixture("errors/nodes_columns.txt").string() +
                ":3: expected 3 columns (id region community), found 2 (bob 1)");
  EXPECT_EQ(nodes_error("errors/nodes_four_columns.txt"),
            fixture("errors/nodes_four_columns.txt").string() +
                ":1: expected 2 or 3 columns (id region [community]), found 4 (alice 1 2 3)");
  EXPECT_EQ(nodes_error("errors/missing_nodes.txt"),
            "cannot open " + fixture("errors/missing_nodes.txt").string() +
                ": No such file or directory");
}

TEST(EdgeListErrors, MissingFile) {
  const fs::path p = fixture("errors/does_not_exist.txt");
  EXPECT_EQ(error_of(p, {}), "cannot open " + p.string() + ": No such file or directory");
}

TEST(EdgeListErrors, DirectoryIsNotAFile) {
  const fs::path p = fixture("errors");
  EXPECT_EQ(error_of(p, {}), "cannot read " + p.string() + ": Is a directory");
}

TEST(EdgeListErrors, OneColumn) {
  const fs::path p = fixture("errors/one_column.txt");
  EXPECT_EQ(error_of(p, {}), p.string() + ":3: expected 2 columns (source target), found 1 (3)");
}

TEST(EdgeListErrors, ThirdColumnWhenUnweighted) {
  const fs::path p = fixture("errors/extra_column.txt");
  EXPECT_EQ(error_of(p, {}), p.string() +
                                 ":2: expected 2 columns (source target), found 3; set weighted "
                                 "or ignore_extra_columns (2 3 4)");
}

TEST(EdgeListErrors, FourthColumnWhenWeighted) {
  const fs::path p = fixture("extra_columns.txt");
  EXPECT_EQ(error_of(p, weighted()), p.string() +
                                         ":2: expected 3 columns (source target weight), found 4; "
                                         "set ignore_extra_columns to skip the rest (1 2 1.5 "
                                         "1234567)");
}

TEST(EdgeListErrors, MissingWeight) {
  const fs::path p = fixture("errors/missing_weight.txt");
  EXPECT_EQ(error_of(p, weighted()),
            p.string() + ":2: expected 3 columns (source target weight), found 2 (2 3)");
}

TEST(EdgeListErrors, EmptyCommaField) {
  const fs::path p = fixture("errors/empty_field.csv");
  EXPECT_EQ(error_of(p, {}), p.string() + ":2: column 2 is empty (3,)");
}

TEST(EdgeListErrors, NonNumericWeight) {
  const fs::path p = fixture("errors/bad_weight.txt");
  EXPECT_EQ(error_of(p, weighted()), p.string() + ":2: weight is not a number (x1)");
}

TEST(EdgeListErrors, HeaderLineMustBeCommentedOut) {
  const fs::path p = fixture("errors/header.csv");
  EXPECT_EQ(error_of(p, weighted()),
            p.string() + ":1: weight is not a number; comment out a header line with # (weight)");
}

TEST(EdgeListErrors, NegativeWeight) {
  const fs::path p = fixture("errors/negative_weight.txt");
  EXPECT_EQ(error_of(p, weighted()), p.string() + ":3: weight is negative (-2)");
}

TEST(EdgeListErrors, NanWeight) {
  const fs::path p = fixture("errors/nan_weight.txt");
  EXPECT_EQ(error_of(p, weighted()), p.string() + ":1: weight is NaN (nan)");
}

TEST(EdgeListErrors, InfiniteWeight) {
  const fs::path p = fixture("errors/inf_weight.txt");
  EXPECT_EQ(error_of(p, weighted()), p.string() + ":3: weight is infinite (inf)");
}

TEST(EdgeListErrors, WeightBeyondFloatRange) {
  const fs::path p = fixture("errors/huge_weight.txt");
  EXPECT_EQ(error_of(p, weighted()), p.string() + ":1: weight is out of the float range (1e50)");
}

TEST(EdgeListErrors, OnlyComments) {
  const fs::path p = fixture("errors/only_comments.txt");
  EXPECT_EQ(error_of(p, {}), p.string() + ": no edges found (3 lines, all blank or comments)");
}

TEST(EdgeListErrors, EmptyFile) {
  const fs::path p = fixture("errors/empty.txt");
  EXPECT_EQ(error_of(p, {}), p.string() + ": no edges found (0 lines, all blank or comments)");
}

TEST(EdgeListErrors, TooManyVertices) {
  // The real limit is 2^32-2; the detail overload lowers it so a 4-vertex file reaches it.
  const fs::path p = fixture("errors/four_vertices.txt");
  try {
    detail::import_edge_list(p, {}, nullptr, 3);
    ADD_FAILURE() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), p.string() + ":2: more than 3 vertices (d)");
  }
  EXPECT_NO_THROW(detail::import_edge_list(p, {}, nullptr, 4));
}

}  // namespace
}  // namespace softpower
