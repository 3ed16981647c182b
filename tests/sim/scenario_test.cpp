#include "sim/scenario.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "models/censorship/pipeline.hpp"
#include "models/registry.hpp"
#include "sim/error.hpp"
#include "sim/graph_cache.hpp"
#include "sim/graph_source.hpp"
#include "tests/support/test_support.hpp"

namespace softpower {
namespace {

// The InputError message for a scenario text, or "" if it loads.
std::string error_of(const std::string& text, const std::vector<std::string>& overrides = {}) {
  try {
    const Scenario s = parse_scenario(text, "s.yaml", overrides);
    make_diffusion_model(s);
    make_strategy_model(s, nullptr);
    make_platform_filter(s);
    make_attitude_model(s, nullptr);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Scenario, EmptyFileGivesDocumentedDefaults) {
  const Scenario s = parse_scenario("", "dir/my_run.yaml", {});
  EXPECT_EQ(s.name, "my_run");
  EXPECT_EQ(s.seed, 1u);
  EXPECT_EQ(s.runs, 1u);
  EXPECT_EQ(s.time.step_hours, 1.0);
  EXPECT_EQ(s.time.num_steps(), 7 * 24);
  EXPECT_EQ(s.graph.type, "erdos_renyi");
  EXPECT_EQ(s.institution.placement, "new");
  EXPECT_EQ(s.diffusion.model, "independent_cascade");
  EXPECT_FALSE(s.attitude.has_value()) << "no attitude section: no attitude model";
}

TEST(Scenario, AttitudeSectionIsOptional) {
  const Scenario absent = parse_scenario("seed: 2\n", "s.yaml", {});
  EXPECT_FALSE(absent.attitude.has_value());
  EXPECT_EQ(make_attitude_model(absent, nullptr), nullptr);

  const Scenario empty = parse_scenario("attitude:\n", "s.yaml", {});
  ASSERT_TRUE(empty.attitude.has_value()) << "the key alone enables the default model";
  EXPECT_EQ(empty.attitude->model, "bounded_confidence");
  EXPECT_EQ(empty.attitude->path, "attitude");
  EXPECT_EQ(empty.attitude->params.size(), 0u);

  const Scenario given = parse_scenario("attitude: {model: bounded_confidence, openness: 0.3}\n", "s.yaml",
                                        {"attitude.decay_days=3"});
  ASSERT_TRUE(given.attitude.has_value());
  EXPECT_EQ(given.attitude->params["openness"].as<double>(), 0.3);
  EXPECT_EQ(given.attitude->params["decay_days"].as<double>(), 3.0);
  EXPECT_FALSE(given.attitude->params["model"]);

  const Scenario from_set = parse_scenario("", "s.yaml", {"attitude.convergence=0.2"});
  ASSERT_TRUE(from_set.attitude.has_value()) << "--set can add the section";
  EXPECT_EQ(from_set.attitude->params["convergence"].as<double>(), 0.2);
  EXPECT_EQ(error_of("attitude: 3\n"), "s.yaml:1:11: attitude: expected a mapping");
  EXPECT_EQ(error_of("attitude: {model: [a]}\n"), "s.yaml:1:19: attitude.model: expected a model name");
}

TEST(Scenario, ExportSectionRecordsEventsAndNamesFiles) {
  EXPECT_FALSE(parse_scenario("seed: 2\n", "s.yaml", {}).exports.enabled);
  const Scenario empty = parse_scenario("export:\n", "s.yaml", {});
  EXPECT_TRUE(empty.exports.enabled) << "the key alone records events";
  EXPECT_TRUE(empty.exports.gexf.empty());
  EXPECT_EQ(empty.exports.gexf_version, "1.3");
  EXPECT_EQ(empty.exports.sample, "none");

  const Scenario given = parse_scenario(
      "export: {run: 2, gexf: g.gexf, gexf_version: 1.2draft, dynamic: true, cascades: 3, sample: ego, depth: 1}\n",
      "s.yaml", {"export.graphml=g.graphml"});
  EXPECT_EQ(given.exports.run, 2u);
  EXPECT_EQ(given.exports.gexf, "g.gexf");
  EXPECT_EQ(given.exports.graphml, "g.graphml");
  EXPECT_EQ(given.exports.gexf_version, "1.2draft");
  EXPECT_TRUE(given.exports.dynamic);
  EXPECT_EQ(given.exports.cascades, 3u);
  EXPECT_EQ(given.exports.sample, "ego");
  EXPECT_EQ(given.exports.depth, 1u);
  EXPECT_TRUE(parse_scenario("", "s.yaml", {"export.dynamic=true"}).exports.enabled) << "--set can add it";
  // The effective scenario keeps the section, so a sweep's fingerprint covers it.
  EXPECT_NE(effective_yaml(given, {}, {}, {}).find("gexf_version: 1.2draft"), std::string::npos);
  EXPECT_EQ(effective_yaml(parse_scenario("", "s.yaml", {}), {}, {}, {}).find("export"), std::string::npos);

  EXPECT_EQ(error_of("export: 3\n"), "s.yaml:1:9: export: expected a mapping of keys to values");
  EXPECT_EQ(error_of("export: {gexf_version: 1.4}\n"),
            "s.yaml:1:24: export.gexf_version: '1.4' is not one of: 1.3, 1.2draft");
  EXPECT_EQ(error_of("export: {sample: snowball}\n"),
            "s.yaml:1:18: export.sample: 'snowball' is not one of: none, ego, top_items, k_core, random");
  EXPECT_EQ(error_of("export: {depht: 2}\n"),
            "s.yaml:1:10: export.depht: unknown key (known keys: run, gexf, graphml, gexf_version, dynamic, "
            "cascades, sample, depth, top_items, k, vertices, sample_seed)");
  EXPECT_EQ(error_of("export: {vertices: 0}\n"), "s.yaml:1:20: export.vertices: value 0 is out of range [1, 4294967293]");
}

TEST(Scenario, ValuesFromFile) {
  const Scenario s = parse_scenario(
      "name: x\nseed: 99\nruns: 3\ntime: {step_hours: 0.5, horizon_days: 2}\n"
      "graph: {type: watts_strogatz, n: 100, k: 4, beta: 0.5}\n"
      "institution: {placement: fixed, vertex: 7}\n"
      "diffusion: {model: independent_cascade, open_probability: 0.3}\n",
      "s.yaml", {});
  EXPECT_EQ(s.name, "x");
  EXPECT_EQ(s.seed, 99u);
  EXPECT_EQ(s.runs, 3u);
  EXPECT_EQ(s.time.num_steps(), 96);
  EXPECT_EQ(s.graph.k, 4u);
  EXPECT_EQ(s.graph.beta, 0.5);
  EXPECT_EQ(s.institution.vertex, 7u);
  EXPECT_EQ(s.diffusion.params["open_probability"].as<double>(), 0.3);
}

TEST(Scenario, OverridesBeatFileBeatsDefaults) {
  const Scenario s = parse_scenario("seed: 5\ngraph: {n: 500}\n", "s.yaml",
                                    {"graph.n=700", "time.horizon_days=1", "diffusion.activity=0.5"});
  EXPECT_EQ(s.seed, 5u);
  EXPECT_EQ(s.graph.n, 700u);
  EXPECT_EQ(s.time.num_steps(), 24);
  EXPECT_EQ(s.diffusion.params["activity"].as<double>(), 0.5);
}

TEST(Scenario, ErrorsNameFileLineColumnAndKeyPath) {
  EXPECT_EQ(error_of("seed: 1\ngraph:\n  n: 100\n  nn: 5\n"),
            "s.yaml:4:3: graph.nn: unknown key for graph type 'erdos_renyi' (it reads: type, directed, mean_degree, n, seed)");
  EXPECT_EQ(error_of("graph:\n  n: 100\n  colour: red\n"),
            "s.yaml:3:3: graph.colour: unknown key for graph type 'erdos_renyi' (it reads: type, directed, mean_degree, n, seed)");
  EXPECT_EQ(error_of("graph: {type: barabasi_albert, beta: 0.1}\n"),
            "s.yaml:1:32: graph.beta: not used by graph type 'barabasi_albert' (it reads: type, m, n, seed)");
  EXPECT_NE(error_of("seeds: 3\n").find("s.yaml:1:1: seeds: unknown key"), std::string::npos);
  EXPECT_EQ(error_of("graph:\n  n: many\n"), "s.yaml:2:6: graph.n: expected an integer, got 'many'");
  EXPECT_EQ(error_of("graph:\n  n: -5\n"), "s.yaml:2:6: graph.n: value -5 is out of range [2, 4294967293]");
  EXPECT_EQ(error_of("graph:\n  n: 1\n"), "s.yaml:2:6: graph.n: value 1 is out of range [2, 4294967293]");
  EXPECT_EQ(error_of("graph: {n: 2.5}\n"), "s.yaml:1:12: graph.n: expected an integer, got '2.5'");
  EXPECT_EQ(error_of("diffusion:\n  open_probability: 1.5\n"),
            "s.yaml:2:21: diffusion.open_probability: value 1.5 is out of range [0, 1]");
  EXPECT_EQ(error_of("diffusion:\n  open_probability: .nan\n"),
            "s.yaml:2:21: diffusion.open_probability: value .nan is out of range [0, 1]");
  EXPECT_NE(error_of("diffusion:\n  opn_probability: 0.5\n").find("s.yaml:2:3: diffusion.opn_probability: unknown key"),
            std::string::npos);
  EXPECT_NE(error_of("diffusion: {model: sir}\n").find("diffusion.model: unknown model 'sir'"), std::string::npos);
  EXPECT_EQ(error_of("graph: {type: erdos}\n"),
            "s.yaml:1:15: graph.type: 'erdos' is not one of: wechat_like, erdos_renyi, barabasi_albert, watts_strogatz, "
            "stochastic_block_model, edge_list, graphml, cache");
  EXPECT_EQ(error_of("time: [1, 2]\n"), "s.yaml:1:7: time: expected a mapping of keys to values");
  EXPECT_EQ(error_of("graph: {type: edge_list}\n"), "s.yaml:1:8: graph.path: graph type 'edge_list' needs a path");
  EXPECT_EQ(error_of("graph: {type: watts_strogatz, k: 3}\n"), "s.yaml:1:34: graph.k: must be even");
  EXPECT_EQ(error_of("runs: yes\n"), "s.yaml:1:7: runs: expected an integer, got 'yes'");
  EXPECT_EQ(error_of("graph: {directed: maybe}\n"), "s.yaml:1:19: graph.directed: expected true or false, got 'maybe'");
}

TEST(Scenario, WechatLikeKeysAndGeneratorErrors) {
  const Scenario s = parse_scenario("graph: {type: wechat_like, n: 3000, mean_degree: 20, homophily: 0.5}\n", "s.yaml", {});
  EXPECT_EQ(s.graph.homophily, 0.5);
  const PreparedGraph prepared = prepare_graph(s);
  EXPECT_EQ(prepared.publisher.num_users, 3000u);
  EXPECT_EQ(prepared.publisher.vertex, 3000u) << "placement new: the generator's institution";
  EXPECT_EQ(prepared.graph.out_view().out_degree(3000), 1000u) << "institution.followers defaults to 1000";
  EXPECT_EQ(prepared.region.size(), 3000u);
  EXPECT_EQ(prepared.community.size(), 3000u);
  EXPECT_GT(prepared.groups.size(), 0u);
  EXPECT_EQ(error_of("graph: {type: wechat_like, k: 4}\n").rfind("s.yaml:1:28: graph.k: not used by graph type 'wechat_like'", 0), 0u);
}

// Imported graphs: regions and communities from the file reach PreparedGraph, one per user;
// the institution vertex added after the users has none.
TEST(Scenario, ImportedGraphsCarryRegionsAndCommunities) {
  const std::filesystem::path fixtures = testing_support::import_fixture("");
  using Regions = std::vector<std::uint8_t>;
  using Communities = std::vector<std::uint32_t>;

  const Scenario graphml = parse_scenario(
      "graph: {type: graphml, path: graphml/networkx_attributes.graphml}\ninstitution: {followers: 3}\n",
      "s.yaml", {}, fixtures);
  const PreparedGraph from_graphml = prepare_graph(graphml);
  EXPECT_EQ(from_graphml.publisher.num_users, 6u);
  EXPECT_EQ(from_graphml.publisher.vertex, 6u);
  EXPECT_EQ(from_graphml.graph.num_vertices(), 7u);
  EXPECT_EQ(from_graphml.region, (Regions{0, 1, 1, 0, 0, 1}));
  EXPECT_EQ(from_graphml.community, (Communities{0, 2, 2, 1, 0, 3}));
  EXPECT_NE(std::find(from_graphml.notes.begin(), from_graphml.notes.end(),
                      "region for 5 of 6 users from node attribute 'region' (3 international); the other 1 is domestic"),
            from_graphml.notes.end());

  const Scenario renamed = parse_scenario(
      "graph: {type: graphml, path: graphml/attribute_defaults.graphml, region_key: abroad, community_key: club}\n"
      "institution: {placement: fixed, vertex: 0}\n",
      "s.yaml", {}, fixtures);
  const PreparedGraph from_renamed = prepare_graph(renamed);
  EXPECT_EQ(from_renamed.region, (Regions{0, 1, 1, 1}));
  EXPECT_EQ(from_renamed.community, (Communities{1, 0, 1, 1}));

  const Scenario edges = parse_scenario(
      "graph: {type: edge_list, path: edge_list/nodes/edges.txt, nodes_path: edge_list/nodes/nodes.csv}\n"
      "institution: {followers: 2}\n",
      "s.yaml", {}, fixtures);
  const PreparedGraph from_edges = prepare_graph(edges);
  EXPECT_EQ(from_edges.publisher.vertex, 6u);
  EXPECT_EQ(from_edges.region, (Regions{0, 1, 0, 1, 0, 0}));
  EXPECT_EQ(from_edges.community, (Communities{0, 2, 3, 1, 2, 3}));

  const Scenario plain = parse_scenario("graph: {type: edge_list, path: edge_list/nodes/edges.txt}\n"
                                        "institution: {followers: 2}\n", "s.yaml", {}, fixtures);
  const PreparedGraph from_plain = prepare_graph(plain);
  EXPECT_TRUE(from_plain.region.empty()) << "no node table: all domestic";
  EXPECT_TRUE(from_plain.community.empty()) << "no node table: no communities";

  // graph import -> cache -> graph.type: cache keeps them.
  testing_support::TempDir dir;
  VertexAttributes attributes;
  const SocialGraph graph = build_graph(edges, nullptr, &attributes);
  save_graph_cache(graph, dir.path() / "g.h5", attributes);
  const Scenario cached = parse_scenario("graph: {type: cache, path: g.h5}\ninstitution: {followers: 2}\n",
                                         "s.yaml", {}, dir.path());
  const PreparedGraph from_cache = prepare_graph(cached);
  EXPECT_EQ(from_cache.graph.checksum(), from_edges.graph.checksum());
  EXPECT_EQ(from_cache.region, from_edges.region);
  EXPECT_EQ(from_cache.community, from_edges.community);

  // A wechat_like graph generated into a cache keeps its regions and communities too.
  const Scenario wechat = parse_scenario("graph: {type: wechat_like, n: 2000, mean_degree: 10}\n", "s.yaml", {});
  const SocialGraph world = build_graph(wechat, nullptr, &attributes);
  save_graph_cache(world, dir.path() / "w.h5", attributes);
  const PreparedGraph from_world = prepare_graph(
      parse_scenario("graph: {type: cache, path: w.h5}\n", "s.yaml", {}, dir.path()));
  EXPECT_EQ(from_world.region, prepare_graph(wechat).region);
  EXPECT_EQ(from_world.community, prepare_graph(wechat).community);
}

TEST(Scenario, AttributeKeysOnlyForTheTypesThatReadThem) {
  EXPECT_EQ(error_of("graph: {type: edge_list, path: e.txt, region_key: r}\n"),
            "s.yaml:1:39: graph.region_key: not used by graph type 'edge_list' (it reads: type, directed, "
            "ignore_extra_columns, nodes_path, path, seed, weighted)");
  EXPECT_EQ(error_of("graph: {type: graphml, path: g.graphml, nodes_path: n.csv}\n"),
            "s.yaml:1:41: graph.nodes_path: not used by graph type 'graphml' (it reads: type, community_key, "
            "path, region_key, seed, weight_key)");
  EXPECT_EQ(error_of("graph: {type: cache, path: g.h5, community_key: c}\n"),
            "s.yaml:1:34: graph.community_key: not used by graph type 'cache' (it reads: type, path, seed)");
  const Scenario s = parse_scenario("graph: {type: graphml, path: g.graphml, region_key: country}\n", "s.yaml", {});
  EXPECT_EQ(s.graph.region_key, "country");
  EXPECT_EQ(s.graph.community_key, "community");
  const std::string text = effective_yaml(s, make_diffusion_model(s)->effective_params(),
                                          make_strategy_model(s, nullptr)->effective_params(),
                                          make_platform_filter(s)->effective_params());
  EXPECT_NE(text.find("region_key: country"), std::string::npos) << text;
  EXPECT_EQ(text.find("nodes_path"), std::string::npos) << text;
}

// Found by fuzz_scenario (fuzz/corpus/scenario/crash-*-key): a list or mapping used as a key
// escaped as yaml-cpp's bad conversion (exit 1) instead of an input error naming its line.
TEST(Scenario, KeysThatAreNotPlainNamesAreInputErrors) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"? suspension: {}\n", "s.yaml:1:3: a key must be a plain name"},
      {"seed: 1\n? [a, b]\n: 3\n", "s.yaml:2:3: a key must be a plain name"},
      {"graph:\n  ? {n: 1}\n  : 2\n", "s.yaml:2:5: graph: a key must be a plain name"},
      {"time:\n  ? [1]\n  : 2\n", "s.yaml:2:5: time: a key must be a plain name"},
      {"diffusion:\n  ? [model]\n  : wechat_feed\n", "s.yaml:2:5: diffusion: a key must be a plain name"},
      {"strategy:\n  ? [topics]\n  : 1\n", "s.yaml:2:5: strategy: a key must be a plain name"},
      {"censorship:\n  ? [takedown]\n  : {}\n", "s.yaml:2:5: censorship: a key must be a plain name"},
      {"sweep:\n  ? [replicates]\n  : 2\n  axes: {seed: [1, 2]}\n", "s.yaml:2:5: sweep: a key must be a plain name"},
  };
  for (const auto& [text, expected] : cases) {
    EXPECT_EQ(error_of(text).rfind(expected, 0), 0u) << text << " -> " << error_of(text);
  }
}

TEST(Scenario, MalformedYamlNamesTheLine) {
  const std::string message = error_of("seed: 1\ngraph: {n: 5\ntime: 3\n");
  EXPECT_EQ(message.rfind("s.yaml:", 0), 0u) << message;
  EXPECT_NE(message.find("malformed YAML"), std::string::npos) << message;
}

TEST(Scenario, OverrideErrorsNameTheArgument) {
  EXPECT_EQ(error_of("", {"graph.n=abc"}), "--set graph.n=abc: graph.n: expected an integer, got 'abc'");
  EXPECT_EQ(error_of("", {"graph.n"}), "--set graph.n: expected KEY.PATH=VALUE");
  EXPECT_EQ(error_of("", {"graph.n="}), "--set graph.n=: missing value after '='");
  EXPECT_EQ(error_of("seed: 4\n", {"seed.x=1"}), "--set seed.x=1: 'seed' is a value, not a section");
  EXPECT_EQ(error_of("", {"seed.x=1"}), "--set seed.x=1: seed: expected a single value, not a list or mapping");
  EXPECT_NE(error_of("", {"graph.nn=3"}).find("--set graph.nn=3: graph.nn: "), std::string::npos);
}

TEST(Scenario, MissingFileIsAnInputError) {
  EXPECT_THROW(load_scenario("/nonexistent/x.yaml", {}), InputError);
}

TEST(Scenario, EffectiveYamlRoundTrips) {
  const Scenario s = parse_scenario("graph: {type: barabasi_albert, n: 50, m: 2}\nseed: 3\n", "s.yaml", {"runs=2"});
  const auto model = make_diffusion_model(s);
  const std::string text = effective_yaml(s, model->effective_params(), make_strategy_model(s, nullptr)->effective_params(),
                                          make_platform_filter(s)->effective_params());
  EXPECT_NE(text.find("m: 2"), std::string::npos);
  EXPECT_EQ(text.find("beta"), std::string::npos) << "keys of other graph types must not appear";
  const Scenario again = parse_scenario(text, "effective.yaml", {});
  EXPECT_EQ(effective_yaml(again, make_diffusion_model(again)->effective_params(),
                           make_strategy_model(again, nullptr)->effective_params(),
                           make_platform_filter(again)->effective_params()),
            text);
  EXPECT_EQ(text.find("attitude"), std::string::npos) << "no attitude section without an attitude model";
}

TEST(Scenario, EffectiveYamlWithAttitudeRoundTrips) {
  const auto effective = [](const Scenario& s) {
    return effective_yaml(s, make_diffusion_model(s)->effective_params(),
                          make_strategy_model(s, nullptr)->effective_params(),
                          make_platform_filter(s)->effective_params(),
                          make_attitude_model(s, nullptr)->effective_params());
  };
  const Scenario s = parse_scenario("attitude: {openness: 0.4}\n", "s.yaml", {"attitude.backfire=true"});
  const std::string text = effective(s);
  const YAML::Node root = YAML::Load(text);
  ASSERT_TRUE(root["attitude"]);
  EXPECT_EQ(root["attitude"]["model"].as<std::string>(), "bounded_confidence");
  EXPECT_EQ(root["attitude"]["openness"].as<double>(), 0.4);
  EXPECT_TRUE(root["attitude"]["backfire"].as<bool>());
  EXPECT_EQ(root["attitude"]["decay_days"].as<double>(), 7.0) << "defaults are written out";
  const Scenario again = parse_scenario(text, "effective.yaml", {});
  EXPECT_EQ(effective(again), text);
}

TEST(Scenario, ShippedScenariosValidate) {
  const std::filesystem::path dir = std::filesystem::path(SOFTPOWER_SOURCE_DIR) / "scenarios";
  int count = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml") continue;
    SCOPED_TRACE(entry.path().string());
    const Scenario s = load_scenario(entry.path(), {});
    EXPECT_NO_THROW(make_diffusion_model(s));
    EXPECT_NO_THROW(make_strategy_model(s, nullptr));
    EXPECT_NO_THROW(make_platform_filter(s));
    EXPECT_NO_THROW(make_attitude_model(s, nullptr));
    ++count;
  }
  EXPECT_GE(count, 2);
}

TEST(Scenario, ReferenceDocumentIsCurrent) {
  std::ifstream in(std::filesystem::path(SOFTPOWER_SOURCE_DIR) / "scenarios" / "README.md");
  std::stringstream doc;
  doc << in.rdbuf();
  EXPECT_NE(doc.str().find(scenario_docs() + model_docs()), std::string::npos)
      << "scenarios/README.md is out of date: regenerate its reference part with "
         "`softpower scenario-reference`";
}

}  // namespace
}  // namespace softpower
