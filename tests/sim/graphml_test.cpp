#include "sim/graphml.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "sim/error.hpp"
#include "tests/support/test_support.hpp"

namespace softpower {
namespace {

namespace fs = std::filesystem;

using testing_support::import_fixture;
using testing_support::offsets_of;
using testing_support::targets_of;

fs::path fixture(const std::string& name) { return import_fixture("graphml/" + name); }

using Strings = std::vector<std::string>;
using Offsets = std::vector<ArcId>;
using Targets = std::vector<VertexId>;
using Weights = std::vector<float>;

const std::string kNoWeightNote =
    "no edge attribute named 'weight' is declared; every arc weighs 1";

std::string error_of(const fs::path& path, const GraphmlOptions& opt = {}) {
  try {
    import_graphml(path, opt);
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InputError for " << path;
  return {};
}

GraphmlOptions forced(bool directed) {
  GraphmlOptions o;
  o.directed = directed;
  return o;
}

// Written by networkx 2.8.8 write_graphml: an undirected Graph whose integer weight got its own
// key (d3, attr.type=long) next to the float one (d2).
TEST(Graphml, NetworkxUndirectedWithTwoWeightKeys) {
  ImportReport r;
  const SocialGraph g = import_graphml(fixture("networkx_undirected.graphml"), {}, &r);
  EXPECT_EQ(g.labels(), (Strings{"alice", "bob", "carol", "dave"}));
  EXPECT_EQ(offsets_of(g), (Offsets{0, 2, 4, 7, 8}));
  EXPECT_EQ(targets_of(g), (Targets{1, 2, 0, 2, 0, 1, 3, 2}));
  EXPECT_EQ(g.weights(), (Weights{2.5f, 0.25f, 2.5f, 1.0f, 0.25f, 1.0f, 4.0f, 4.0f}));
  EXPECT_EQ(r.lines, 30u);
  EXPECT_EQ(r.arcs_read, 8u);
  EXPECT_EQ(r.self_loops_dropped, 0u);
  EXPECT_EQ(r.duplicate_arcs_merged, 0u);
  EXPECT_EQ(r.notes, (Strings{"skipped attribute key 'd1' (attr.name=age, for=node)",
                              "skipped attribute key 'd0' (attr.name=name, for=graph)"}));
  EXPECT_EQ(g.description(), "graphml path=" + fixture("networkx_undirected.graphml").string() +
                                 " directed=auto weight_key=weight");
}

// networkx MultiDiGraph: parallel arcs are merged (weights summed), the self-loop dropped, and an
// edge without weight data weighs 1.
TEST(Graphml, NetworkxMultiDigraphMergesAndDrops) {
  ImportReport r;
  const SocialGraph g = import_graphml(fixture("networkx_multidigraph.graphml"), {}, &r);
  EXPECT_EQ(g.labels(), (Strings{"0", "1", "2"}));
  EXPECT_EQ(offsets_of(g), (Offsets{0, 1, 3, 4}));
  EXPECT_EQ(targets_of(g), (Targets{1, 0, 2, 0}));
  EXPECT_EQ(g.weights(), (Weights{3.5f, 1.0f, 1.0f, 0.5f}));
  EXPECT_EQ(r.lines, 25u);
  EXPECT_EQ(r.arcs_read, 6u);
  EXPECT_EQ(r.self_loops_dropped, 1u);
  EXPECT_EQ(r.duplicate_arcs_merged, 1u);
  EXPECT_TRUE(r.notes.empty());
}

TEST(Graphml, ForcedUndirectedDoublesEveryEdge) {
  ImportReport r;
  const SocialGraph g = import_graphml(fixture("networkx_multidigraph.graphml"), forced(false), &r);
  EXPECT_EQ(offsets_of(g), (Offsets{0, 2, 4, 6}));
  EXPECT_EQ(targets_of(g), (Targets{1, 2, 0, 2, 0, 1}));
  EXPECT_EQ(g.weights(), (Weights{4.5f, 0.5f, 4.5f, 1.0f, 0.5f, 1.0f}));
  EXPECT_EQ(r.arcs_read, 11u);  // five non-loop edges twice, the self-loop once
  EXPECT_EQ(r.self_loops_dropped, 1u);
  EXPECT_EQ(r.duplicate_arcs_merged, 4u);
  EXPECT_EQ(g.description(), "graphml path=" + fixture("networkx_multidigraph.graphml").string() +
                                 " directed=false weight_key=weight");
}

TEST(Graphml, EmptyWeightKeyIgnoresWeights) {
  GraphmlOptions opt;
  opt.weight_key = "";
  ImportReport r;
  const SocialGraph g = import_graphml(fixture("networkx_multidigraph.graphml"), opt, &r);
  EXPECT_EQ(targets_of(g), (Targets{1, 0, 2, 0}));
  EXPECT_TRUE(g.weights().empty());
  EXPECT_EQ(r.notes, (Strings{"skipped attribute key 'd0' (attr.name=weight, for=edge)"}));
}

TEST(Graphml, IgraphStyleUndirected) {
  ImportReport r;
  const SocialGraph g = import_graphml(fixture("igraph_style.graphml"), {}, &r);
  EXPECT_EQ(g.labels(), (Strings{"n0", "n1", "n2"}));
  EXPECT_EQ(offsets_of(g), (Offsets{0, 2, 4, 6}));
  EXPECT_EQ(targets_of(g), (Targets{1, 2, 0, 2, 0, 1}));
  EXPECT_EQ(g.weights(), (Weights{4.0f, 5.0f, 4.0f, 6.0f, 5.0f, 6.0f}));
  EXPECT_EQ(r.arcs_read, 6u);
  EXPECT_EQ(r.notes, (Strings{"skipped attribute key 'g_name' (attr.name=name, for=graph)",
                              "skipped attribute key 'v_name' (attr.name=name, for=node)"}));
}

TEST(Graphml, ForcedDirectedKeepsSourceToTarget) {
  const SocialGraph g = import_graphml(fixture("igraph_style.graphml"), forced(true));
  EXPECT_EQ(offsets_of(g), (Offsets{0, 2, 3, 3}));
  EXPECT_EQ(targets_of(g), (Targets{1, 2, 2}));
  EXPECT_EQ(g.weights(), (Weights{4.0f, 5.0f, 6.0f}));
}

TEST(Graphml, GephiStyleDirected) {
  ImportReport r;
  const SocialGraph g = import_graphml(fixture("gephi_style.graphml"), {}, &r);
  EXPECT_EQ(g.labels(), (Strings{"11", "0", "48"}));  // Gephi ids, in order of appearance
  EXPECT_EQ(offsets_of(g), (Offsets{0, 1, 2, 3}));
  EXPECT_EQ(targets_of(g), (Targets{1, 0, 0}));
  EXPECT_EQ(g.weights(), (Weights{5.0f, 1.0f, 1.0f}));
  EXPECT_EQ(r.notes, (Strings{"skipped attribute key 'label' (attr.name=label, for=node)",
                              "skipped attribute key 'edgelabel' (attr.name=Edge Label, for=edge)",
                              "skipped attribute key 'r' (attr.name=r, for=node)",
                              "skipped attribute key 'g' (attr.name=g, for=node)",
                              "skipped attribute key 'b' (attr.name=b, for=node)",
                              "skipped attribute key 'x' (attr.name=x, for=node)",
                              "skipped attribute key 'y' (attr.name=y, for=node)",
                              "skipped attribute key 'size' (attr.name=size, for=node)"}));
}

TEST(Graphml, GraphToolHexadecimalWeights) {
  ImportReport r;
  const SocialGraph g = import_graphml(fixture("graphtool_style.graphml"), {}, &r);
  EXPECT_EQ(g.labels(), (Strings{"n0", "n1", "n2"}));
  EXPECT_EQ(offsets_of(g), (Offsets{0, 1, 2, 3}));
  EXPECT_EQ(targets_of(g), (Targets{1, 2, 0}));
  EXPECT_EQ(g.weights(), (Weights{1.5f, 0.25f, 10.0f}));
  EXPECT_EQ(r.notes, (Strings{"skipped attribute key 'key0' (attr.name=description, for=graph)"}));
}

// yEd: yfiles keys without attr.type, graphics inside <data>, CDATA graph data, and a group
// node whose nested graph is flattened (an edge crosses into it).
TEST(Graphml, YedStyleWithGroupNode) {
  ImportReport r;
  const SocialGraph g = import_graphml(fixture("yed_style.graphml"), {}, &r);
  EXPECT_EQ(g.labels(), (Strings{"n0", "n1", "n2", "n2::n0", "n2::n1"}));
  EXPECT_EQ(offsets_of(g), (Offsets{0, 1, 2, 2, 3, 3}));
  EXPECT_EQ(targets_of(g), (Targets{1, 3, 4}));
  EXPECT_TRUE(g.weights().empty());
  EXPECT_EQ(r.lines, 90u);
  EXPECT_EQ(r.arcs_read, 3u);
  EXPECT_EQ(r.notes,
            (Strings{kNoWeightNote, "skipped attribute key 'd0' (attr.name=Description, for=graph)",
                     "skipped attribute key 'd1' (yfiles.type=portgraphics, for=port)",
                     "skipped attribute key 'd4' (attr.name=url, for=node)",
                     "skipped attribute key 'd6' (yfiles.type=nodegraphics, for=node)",
                     "skipped attribute key 'd7' (yfiles.type=resources, for=graphml)",
                     "skipped attribute key 'd10' (yfiles.type=edgegraphics, for=edge)",
                     "flattened 1 nested <graph> elements (yEd groups): their nodes and edges "
                     "are imported, group nodes stay as vertices"}));
}

// Prefixed GraphML namespace, DOCTYPE, processing instruction, <desc>, a foreign element that
// must be skipped with everything inside it, entities in ids, CDATA weight, per-edge direction
// and a key <default> weight for edges without data.
TEST(Graphml, MixedDirectionPrefixesEntitiesDefaults) {
  GraphmlOptions opt;
  opt.weight_key = "trust";
  ImportReport r;
  const SocialGraph g = import_graphml(fixture("mixed_features.graphml"), opt, &r);
  EXPECT_EQ(g.labels(), (Strings{"Tom & Jerry", "caf\xC3\xA9", "x"}));
  // Tom->cafe directed (2), cafe-x undirected (default 0.5), x-Tom undirected (1.25).
  EXPECT_EQ(offsets_of(g), (Offsets{0, 2, 3, 5}));
  EXPECT_EQ(targets_of(g), (Targets{1, 2, 2, 0, 1}));
  EXPECT_EQ(g.weights(), (Weights{2.0f, 1.25f, 0.5f, 1.25f, 0.5f}));
  EXPECT_EQ(r.arcs_read, 5u);
  EXPECT_EQ(r.notes,
            (Strings{"skipped <data> for undeclared key 'nobody-declared-me' (first at line 14)",
                     "skipped attribute key 'kind' (attr.name=kind, for=edge)"}));

  const SocialGraph all_directed =
      import_graphml(fixture("mixed_features.graphml"), GraphmlOptions{true, "trust"});
  EXPECT_EQ(offsets_of(all_directed), (Offsets{0, 1, 2, 3}));
  EXPECT_EQ(targets_of(all_directed), (Targets{1, 2, 0}));
  EXPECT_EQ(all_directed.weights(), (Weights{2.0f, 0.5f, 1.25f}));
}

// Without weights, a file whose edges are all undirected gets its in-arcs copied from the
// out-arcs (BuildOptions::mutual); one directed edge among them must send it to the transpose.
TEST(Graphml, InArcsAreTheTransposeForUndirectedAndMixedFiles) {
  GraphmlOptions unweighted;
  unweighted.weight_key = "";
  for (const char* file : {"igraph_style.graphml", "mixed_features.graphml", "networkx_undirected.graphml"}) {
    const SocialGraph g = import_graphml(fixture(file), unweighted);
    const SocialGraph transposed = SocialGraph::from_csr(offsets_of(g), targets_of(g));
    EXPECT_TRUE(std::ranges::equal(g.in_view().offsets, transposed.in_view().offsets)) << file;
    EXPECT_TRUE(std::ranges::equal(g.in_view().targets, transposed.in_view().targets)) << file;
  }
}

TEST(Graphml, UndeclaredEndpointsAreCreatedWithANote) {
  ImportReport r;
  const SocialGraph g = import_graphml(fixture("undeclared_endpoints.graphml"), {}, &r);
  EXPECT_EQ(g.labels(), (Strings{"b", "a", "c"}));  // first appearance, edges included
  EXPECT_EQ(offsets_of(g), (Offsets{0, 1, 2, 3}));
  EXPECT_EQ(targets_of(g), (Targets{1, 2, 0}));
  EXPECT_EQ(r.notes,
            (Strings{kNoWeightNote,
                     "2 edge endpoints were never declared as <node>; created them ('b', 'c')"}));
}

TEST(Graphml, MissingEdgedefaultMeansDirected) {
  ImportReport r;
  const SocialGraph g = import_graphml(fixture("no_edgedefault.graphml"), {}, &r);
  EXPECT_EQ(offsets_of(g), (Offsets{0, 1, 1}));
  EXPECT_EQ(targets_of(g), (Targets{1}));
  EXPECT_EQ(r.notes, (Strings{"<graph> at line 3 has no edgedefault; assumed directed (the "
                              "GraphML default)",
                              kNoWeightNote}));
}

// --- regions and communities ---

using Regions = std::vector<std::uint8_t>;
using Communities = std::vector<std::uint32_t>;

std::string attribute_error(const fs::path& path, const GraphmlOptions& opt = {}) {
  try {
    VertexAttributes a;
    import_graphml(path, opt, nullptr, &a);
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InputError for " << path;
  return {};
}

// Written by networkx 3.6 write_graphml: string regions in three spellings, one integer region
// (NetworkX then declares a second key 'region' of type long), integer communities; erin has no
// region, frank no community.
TEST(GraphmlAttributes, NetworkxRegionsAndCommunities) {
  ImportReport r;
  VertexAttributes a;
  const SocialGraph g = import_graphml(fixture("networkx_attributes.graphml"), {}, &r, &a);
  EXPECT_EQ(g.labels(), (Strings{"alice", "bob", "carol", "dave", "erin", "frank"}));
  EXPECT_EQ(a.region, (Regions{0, 1, 1, 0, 0, 1}));
  EXPECT_EQ(a.community, (Communities{0, 2, 2, 1, 0, 3})) << "frank forms community max + 1";
  EXPECT_EQ(r.notes, (Strings{"skipped attribute key 'd3' (attr.name=age, for=node)",
                              "skipped attribute key 'd0' (attr.name=name, for=graph)",
                              "region for 5 of 6 users from node attribute 'region' (3 "
                              "international); the other 1 is domestic",
                              "community for 5 of 6 users from node attribute 'community' (ids "
                              "0..2, 3 in use); the other 1 forms community 3"}));
  EXPECT_EQ(g.description(), "graphml path=" + fixture("networkx_attributes.graphml").string() +
                                 " directed=auto weight_key=weight");
}

TEST(GraphmlAttributes, WithoutAnAttributesOutputTheKeysAreSkipped) {
  ImportReport r;
  const SocialGraph g = import_graphml(fixture("networkx_attributes.graphml"), {}, &r);
  EXPECT_EQ(g.num_vertices(), 6u);
  EXPECT_EQ(r.notes, (Strings{"skipped attribute key 'd4' (attr.name=region, for=node)",
                              "skipped attribute key 'd3' (attr.name=age, for=node)",
                              "skipped attribute key 'd2' (attr.name=community, for=node)",
                              "skipped attribute key 'd1' (attr.name=region, for=node)",
                              "skipped attribute key 'd0' (attr.name=name, for=graph)"}));
}

TEST(GraphmlAttributes, EmptyKeysIgnoreTheAttributes) {
  GraphmlOptions opt;
  opt.region_key = "";
  VertexAttributes a;
  import_graphml(fixture("networkx_attributes.graphml"), opt, nullptr, &a);
  EXPECT_TRUE(a.region.empty());
  EXPECT_EQ(a.community, (Communities{0, 2, 2, 1, 0, 3}));
  opt.community_key = "";
  import_graphml(fixture("networkx_attributes.graphml"), opt, nullptr, &a);
  EXPECT_TRUE(a.empty());
}

TEST(GraphmlAttributes, FilesWithoutThemGiveNoAttributes) {
  ImportReport r;
  VertexAttributes a{{1}, {1}};
  import_graphml(fixture("networkx_undirected.graphml"), {}, &r, &a);
  EXPECT_TRUE(a.empty()) << "all domestic, no communities";
  EXPECT_EQ(r.notes, (Strings{"skipped attribute key 'd1' (attr.name=age, for=node)",
                              "skipped attribute key 'd0' (attr.name=name, for=graph)"}));
}

// Other attribute names, key <default>s for nodes without a value (the undeclared endpoint
// 'ghost' included), and a for="all" key whose value on an edge is not a community.
TEST(GraphmlAttributes, OtherKeyNamesAndKeyDefaults) {
  GraphmlOptions opt;
  opt.region_key = "abroad";
  opt.community_key = "club";
  ImportReport r;
  VertexAttributes a;
  const SocialGraph g = import_graphml(fixture("attribute_defaults.graphml"), opt, &r, &a);
  EXPECT_EQ(g.labels(), (Strings{"n0", "n1", "n2", "ghost"}));
  EXPECT_EQ(a.region, (Regions{0, 1, 1, 1}));
  EXPECT_EQ(a.community, (Communities{1, 0, 1, 1}));
  EXPECT_EQ(r.notes, (Strings{kNoWeightNote,
                              "1 edge endpoints were never declared as <node>; created them "
                              "('ghost')",
                              "region for 1 of 4 users from node attribute 'abroad' (0 "
                              "international); the other 3 take the key's <default>, international",
                              "community for 1 of 4 users from node attribute 'club' (ids 0..0, 1 "
                              "in use); the other 3 take the key's <default>, 1"}));
  EXPECT_EQ(g.description(), "graphml path=" + fixture("attribute_defaults.graphml").string() +
                                 " directed=auto weight_key=weight region_key=abroad "
                                 "community_key=club");
}

TEST(GraphmlAttributes, DeclaredButNeverGiven) {
  ImportReport r;
  VertexAttributes a;
  import_graphml(fixture("declared_unused.graphml"), {}, &r, &a);
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(r.notes, (Strings{kNoWeightNote,
                              "no node has a value of node attribute 'region'; every user is "
                              "domestic",
                              "no node has a value of node attribute 'community'; users have no "
                              "communities"}));
}

// Only node keys count: a graph attribute of that name is skipped, and any node attribute named
// as the region must hold regions.
TEST(GraphmlAttributes, KeysNameNodeAttributes) {
  GraphmlOptions opt;
  opt.region_key = "name";
  VertexAttributes a;
  import_graphml(fixture("networkx_attributes.graphml"), opt, nullptr, &a);
  EXPECT_TRUE(a.region.empty());
  EXPECT_EQ(a.community.size(), 6u);
  opt.region_key = "age";
  EXPECT_EQ(attribute_error(fixture("networkx_attributes.graphml"), opt),
            fixture("networkx_attributes.graphml").string() +
                ":13: node 'alice': region must be 0, 1, domestic or international (31)");
}

TEST(GraphmlAttributes, BadRegionNamesFileLineNodeAndValue) {
  const fs::path p = fixture("errors/bad_region.graphml");
  EXPECT_EQ(attribute_error(p),
            p.string() + ":9: node 'b': region must be 0, 1, domestic or international (Europe)");
  EXPECT_NO_THROW(import_graphml(p, {})) << "not read unless asked for";
}

TEST(GraphmlAttributes, BadCommunity) {
  const fs::path p = fixture("errors/bad_community.graphml");
  EXPECT_EQ(attribute_error(p),
            p.string() + ":6: node 'a': community must be a non-negative integer (-3)");
}

TEST(GraphmlAttributes, CommunityMustBeBelowTheNumberOfUsers) {
  const fs::path p = fixture("errors/community_too_large.graphml");
  EXPECT_EQ(attribute_error(p), p.string() +
                                    ":6: node 'b': community 7 is not below the number of users "
                                    "(3); number communities from 0");
}

TEST(GraphmlAttributes, SecondRegionOfANode) {
  const fs::path p = fixture("errors/second_region.graphml");
  EXPECT_EQ(attribute_error(p), p.string() + ":8: node 'a' has a second region value (1)");
}

TEST(GraphmlAttributes, BadRegionDefault) {
  const fs::path p = fixture("errors/bad_region_default.graphml");
  EXPECT_EQ(attribute_error(p),
            p.string() +
                ":3: default of key 'r': region must be 0, 1, domestic or international (abroad)");
}

// --- errors: FILE[:LINE]: what ---

TEST(GraphmlErrors, MissingFile) {
  const fs::path p = fixture("errors/does_not_exist.graphml");
  EXPECT_EQ(error_of(p), "cannot open " + p.string() + ": No such file or directory");
}

TEST(GraphmlErrors, EmptyFile) {
  const fs::path p = fixture("errors/empty.graphml");
  EXPECT_EQ(error_of(p), p.string() + ":1: malformed XML: no root element");
}

TEST(GraphmlErrors, MismatchedTag) {
  const fs::path p = fixture("errors/mismatched_tag.graphml");
  EXPECT_EQ(error_of(p),
            p.string() + ":5: malformed XML: </edge> does not close <node> opened at line 4");
}

TEST(GraphmlErrors, TruncatedFile) {
  const fs::path p = fixture("errors/truncated.graphml");
  EXPECT_EQ(error_of(p),
            p.string() + ":6: malformed XML: the file ends inside <graph> opened at line 3");
}

TEST(GraphmlErrors, UnquotedAttribute) {
  const fs::path p = fixture("errors/unquoted_attribute.graphml");
  EXPECT_EQ(error_of(p),
            p.string() + ":4: malformed XML: the value of attribute label is not quoted");
}

TEST(GraphmlErrors, UnknownEntity) {
  const fs::path p = fixture("errors/unknown_entity.graphml");
  EXPECT_EQ(error_of(p), p.string() +
                             ":5: malformed XML: unknown entity &nbsp; (only &lt; &gt; &amp; "
                             "&quot; &apos; and numeric references are supported)");
}

TEST(GraphmlErrors, NotGraphml) {
  const fs::path p = fixture("errors/not_graphml.graphml");
  EXPECT_EQ(error_of(p), p.string() + ":2: not a GraphML file: the root element is <gexf>");
}

TEST(GraphmlErrors, NoGraph) {
  const fs::path p = fixture("errors/no_graph.graphml");
  EXPECT_EQ(error_of(p), p.string() + ": no <graph> element");
}

TEST(GraphmlErrors, NoEdges) {
  const fs::path p = fixture("errors/no_edges.graphml");
  EXPECT_EQ(error_of(p), p.string() + ": no edges found");
}

TEST(GraphmlErrors, TwoTopLevelGraphs) {
  const fs::path p = fixture("errors/two_graphs.graphml");
  EXPECT_EQ(error_of(p), p.string() +
                             ":6: a second top-level <graph>; softpower imports one graph per "
                             "file");
}

TEST(GraphmlErrors, EdgeWithoutTarget) {
  const fs::path p = fixture("errors/edge_no_target.graphml");
  EXPECT_EQ(error_of(p), p.string() + ":7: <edge id='e7'> has no target");
}

TEST(GraphmlErrors, EdgeWithoutSource) {
  const fs::path p = fixture("errors/edge_no_source.graphml");
  EXPECT_EQ(error_of(p), p.string() + ":4: <edge> has no source");
}

TEST(GraphmlErrors, NonNumericWeightNamesLineAndEdge) {
  const fs::path p = fixture("errors/bad_weight.graphml");
  EXPECT_EQ(error_of(p), p.string() + ":9: edge 'e2': weight is not a number (heavy)");
}

TEST(GraphmlErrors, NegativeWeightOfEdgeWithoutId) {
  const fs::path p = fixture("errors/negative_weight.graphml");
  EXPECT_EQ(error_of(p), p.string() + ":6: edge 'a' -> 'b': weight is negative (-3)");
}

TEST(GraphmlErrors, BadWeightDefault) {
  const fs::path p = fixture("errors/bad_default.graphml");
  EXPECT_EQ(error_of(p), p.string() + ":3: default of key 'w': weight is NaN (NaN)");
}

TEST(GraphmlErrors, Hyperedge) {
  const fs::path p = fixture("errors/hyperedge.graphml");
  EXPECT_EQ(error_of(p), p.string() +
                             ":7: hyperedges are not supported (<hyperedge> connects more than "
                             "two nodes; replace it with ordinary edges)");
}

TEST(GraphmlErrors, NodePort) {
  const fs::path p = fixture("errors/port.graphml");
  EXPECT_EQ(error_of(p), p.string() + ":5: ports are not supported (<port> inside <node>)");
}

TEST(GraphmlErrors, EdgePort) {
  const fs::path p = fixture("errors/edge_port.graphml");
  EXPECT_EQ(error_of(p),
            p.string() + ":6: ports are not supported (<edge> has sourceport or targetport)");
}

TEST(GraphmlErrors, DuplicateNode) {
  const fs::path p = fixture("errors/duplicate_node.graphml");
  EXPECT_EQ(error_of(p), p.string() + ":6: duplicate node id 'a' (first declared at line 4)");
}

TEST(GraphmlErrors, KeyAfterGraph) {
  const fs::path p = fixture("errors/key_after_graph.graphml");
  EXPECT_EQ(error_of(p),
            p.string() + ":6: <key> after <graph>: GraphML declares keys before the graph");
}

TEST(GraphmlErrors, BadEdgedefault) {
  const fs::path p = fixture("errors/bad_edgedefault.graphml");
  EXPECT_EQ(error_of(p), p.string() + ":3: edgedefault must be directed or undirected (sideways)");
}

TEST(GraphmlErrors, BadDirectedAttribute) {
  const fs::path p = fixture("errors/bad_directed.graphml");
  EXPECT_EQ(error_of(p), p.string() + ":5: <edge>: directed must be true or false (maybe)");
}

TEST(GraphmlErrors, DuplicateKey) {
  const fs::path p = fixture("errors/duplicate_key.graphml");
  EXPECT_EQ(error_of(p), p.string() + ":4: duplicate key id 'd0' (first declared at line 3)");
}

TEST(GraphmlErrors, Locator) {
  const fs::path p = fixture("errors/locator.graphml");
  EXPECT_EQ(error_of(p),
            p.string() + ":4: <locator> (a graph stored in another file) is not supported");
}

TEST(GraphmlErrors, GraphInsideEdge) {
  const fs::path p = fixture("errors/graph_in_edge.graphml");
  EXPECT_EQ(error_of(p), p.string() + ":5: a <graph> inside an <edge> is not supported");
}

TEST(GraphmlErrors, TextAfterRoot) {
  const fs::path p = fixture("errors/text_after_root.graphml");
  EXPECT_EQ(error_of(p), p.string() + ":6: malformed XML: text after the root element");
}

TEST(GraphmlErrors, NodeWithoutId) {
  const fs::path p = fixture("errors/node_without_id.graphml");
  EXPECT_EQ(error_of(p), p.string() + ":4: <node> without id");
}

TEST(GraphmlErrors, DataWithoutKey) {
  const fs::path p = fixture("errors/data_without_key.graphml");
  EXPECT_EQ(error_of(p), p.string() + ":5: <data> without key");
}

TEST(GraphmlErrors, Utf16) {
  const fs::path p = fixture("errors/utf16.graphml");
  EXPECT_EQ(error_of(p), p.string() + ": the file is UTF-16 encoded; save it as UTF-8");
}

TEST(GraphmlErrors, TooManyNodes) {
  const fs::path p = fixture("errors/four_nodes.graphml");
  try {
    detail::import_graphml(p, {}, nullptr, 3);
    ADD_FAILURE() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), p.string() + ":6: more than 3 nodes (d)");
  }
  EXPECT_NO_THROW(detail::import_graphml(p, {}, nullptr, 4));
}

}  // namespace
}  // namespace softpower
