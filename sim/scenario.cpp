#include "sim/scenario.hpp"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include "sim/error.hpp"
#include "sim/sweep.hpp"

namespace softpower {
namespace {

constexpr std::uint32_t kMaxVertices = kNoVertex - 2;

struct TopLevel {
  std::string name;
  std::string description;
  std::uint64_t seed = 1;
  std::uint64_t runs = 1;
};

const Schema<TopLevel>& top_schema() {
  static const auto schema = Schema<TopLevel>{}
      .text("name", &TopLevel::name, "Scenario name; names the default output results/<name>.h5. Default: the file name without extension.")
      .text("description", &TopLevel::description, "Free text, stored in the output.")
      .number("seed", &TopLevel::seed, std::uint64_t{0}, std::numeric_limits<std::uint64_t>::max(), "Base seed of every random draw of the runs (the graph has its own graph.seed).")
      .number("runs", &TopLevel::runs, std::uint64_t{1}, std::uint64_t{1} << 40, "Independent runs (replicates) on the same graph; run r uses counter-based streams keyed by (seed, r). With a `sweep`, the default runs per point (sweep.replicates).");
  return schema;
}

const Schema<TimeSpec>& time_schema() {
  static const auto schema = Schema<TimeSpec>{}
      .number("step_hours", &TimeSpec::step_hours, 1.0 / 60.0, 24.0 * 7, "Simulated hours per step.")
      .number("horizon_days", &TimeSpec::horizon_days, 1.0 / 24.0, 3650.0, "Simulated days; the run has ceil(horizon_days * 24 / step_hours) steps.");
  return schema;
}

const Schema<GraphSpec>& graph_schema() {
  static const auto schema = Schema<GraphSpec>{}
      .choice("type", &GraphSpec::type, {"wechat_like", "erdos_renyi", "barabasi_albert", "watts_strogatz", "stochastic_block_model", "edge_list", "graphml", "cache"}, "Generator or file format.")
      .number("n", &GraphSpec::n, std::uint32_t{2}, kMaxVertices, "Vertices, or users for wechat_like (erdos_renyi, barabasi_albert, watts_strogatz, wechat_like).")
      .number("mean_degree", &GraphSpec::mean_degree, 0.0, 1e6, "Mean degree, or mean out-degree if directed (erdos_renyi); mean friends (wechat_like).")
      .boolean("directed", &GraphSpec::directed, "Directed arcs instead of mutual pairs (erdos_renyi, stochastic_block_model, edge_list). GraphML files say it themselves (edgedefault).")
      .number("m", &GraphSpec::m, std::uint32_t{1}, std::uint32_t{100000}, "Edges per new vertex (barabasi_albert).")
      .number("k", &GraphSpec::k, std::uint32_t{2}, std::uint32_t{100000}, "Lattice degree, even (watts_strogatz).")
      .number("beta", &GraphSpec::beta, 0.0, 1.0, "Rewiring probability (watts_strogatz).")
      .number_list("block_sizes", &GraphSpec::block_sizes, std::uint32_t{1}, kMaxVertices, "Vertices per block (stochastic_block_model).")
      .number("p_in", &GraphSpec::p_in, 0.0, 1.0, "Link probability within a block (stochastic_block_model).")
      .number("p_out", &GraphSpec::p_out, 0.0, 1.0, "Link probability across blocks (stochastic_block_model).")
      .text("path", &GraphSpec::path, "Graph file (edge_list, graphml, cache), relative to the scenario file's folder.")
      .boolean("weighted", &GraphSpec::weighted, "Third column of an edge list is a weight (edge_list).")
      .boolean("ignore_extra_columns", &GraphSpec::ignore_extra_columns, "Ignore columns after the ones in use, e.g. KONECT timestamps (edge_list); otherwise they are an error.")
      .text("weight_key", &GraphSpec::weight_key, "Edge attribute holding the weight (graphml).")
      .text("nodes_path", &GraphSpec::nodes_path, "Node table giving users' regions and communities by the edge list's ids: `id region [community]` per line, or a header naming the columns (edge_list), relative to the scenario file's folder. Users it does not list are domestic. Empty: none.")
      .text("region_key", &GraphSpec::region_key, "Node attribute holding each user's region: 0 or domestic (mainland-registered), 1 or international (graphml). Nodes without it are domestic; empty: ignore it.")
      .text("community_key", &GraphSpec::community_key, "Node attribute holding each user's community, an integer below the number of users (graphml). Nodes without it form one more community; empty: ignore it.")
      .number("seed", &GraphSpec::seed, std::uint64_t{0}, std::numeric_limits<std::uint64_t>::max(), "Seed of the generator and of institution follower choice; independent of the run seed so that every run shares one graph.")
      .number("degree_sigma", &GraphSpec::degree_sigma, 0.0, 3.0, "Lognormal shape of friend counts (wechat_like; P13).")
      .number("max_degree", &GraphSpec::max_degree, std::uint32_t{1}, kMaxVertices, "Friend cap (wechat_like; P12: 5,000).")
      .number("community_size", &GraphSpec::community_size, std::uint32_t{1}, kMaxVertices, "Mean users per community (wechat_like).")
      .number("homophily", &GraphSpec::homophily, 0.0, 1.0, "Fraction of friendships inside the user's community (wechat_like).")
      .number("international_fraction", &GraphSpec::international_fraction, 0.0, 1.0, "Share of international users (wechat_like).")
      .number("region_homophily", &GraphSpec::region_homophily, 0.0, 1.0, "How strongly regions cluster by community: 0 independent, 1 single-region communities (wechat_like).")
      .number("groups_per_user", &GraphSpec::groups_per_user, 0.0, 1000.0, "Mean chat-group memberships per user (wechat_like).")
      .number("mean_group_size", &GraphSpec::mean_group_size, 3.0, 100000.0, "Mean chat-group size (wechat_like).")
      .number("max_group_size", &GraphSpec::max_group_size, std::uint32_t{3}, std::uint32_t{100000}, "Chat-group size cap (wechat_like; P14: 500).")
      .number("group_community_share", &GraphSpec::group_community_share, 0.0, 1.0, "Fraction of a group's members from its home community (wechat_like).")
      .number("follower_seed_bias", &GraphSpec::follower_seed_bias, 0.0, 1.0, "Fraction of the institution's followers drawn from the seed community of alumni and students (wechat_like; P11).")
      .number("seed_community", &GraphSpec::seed_community, std::uint32_t{0}, kMaxVertices, "The seed community (wechat_like).");
  return schema;
}

// Which graph keys each graph type reads; any other key given for that type is an error, so a
// typo such as `beta` on an erdos_renyi graph does not pass silently.
const std::map<std::string, std::set<std::string>>& graph_keys_by_type() {
  static const std::map<std::string, std::set<std::string>> keys{
      {"wechat_like", {"n", "mean_degree", "degree_sigma", "max_degree", "community_size", "homophily",
                       "international_fraction", "region_homophily", "groups_per_user", "mean_group_size",
                       "max_group_size", "group_community_share", "follower_seed_bias", "seed_community", "seed"}},
      {"erdos_renyi", {"n", "mean_degree", "directed", "seed"}},
      {"barabasi_albert", {"n", "m", "seed"}},
      {"watts_strogatz", {"n", "k", "beta", "seed"}},
      {"stochastic_block_model", {"block_sizes", "p_in", "p_out", "directed", "seed"}},
      {"edge_list", {"path", "directed", "weighted", "ignore_extra_columns", "nodes_path", "seed"}},
      {"graphml", {"path", "weight_key", "region_key", "community_key", "seed"}},
      {"cache", {"path", "seed"}},
  };
  return keys;
}

const Schema<InstitutionSpec>& institution_schema() {
  static const auto schema = Schema<InstitutionSpec>{}
      .choice("placement", &InstitutionSpec::placement, {"new", "fixed", "random"}, "new: add a vertex whose out-arcs go to `followers` distinct users drawn uniformly (graph.seed); fixed: the existing vertex `vertex` publishes to its out-neighbours; random: each run draws a uniform existing vertex.")
      .number("vertex", &InstitutionSpec::vertex, std::uint32_t{0}, kMaxVertices, "Publishing vertex id (placement: fixed).")
      .number("followers", &InstitutionSpec::followers, std::uint32_t{1}, kMaxVertices, "Followers of the new institution vertex (placement: new); at most the number of users.");
  return schema;
}

const Schema<ExportSpec>& export_schema() {
  static const auto schema = Schema<ExportSpec>{}
      .number("run", &ExportSpec::run, std::uint64_t{0}, std::numeric_limits<std::uint64_t>::max(), "Run whose events `softpower run` exports at the end (`softpower export --run`).")
      .text("gexf", &ExportSpec::gexf, "GEXF file `softpower run` writes at the end, relative to the result file's folder; empty: none.")
      .text("graphml", &ExportSpec::graphml, "GraphML file `softpower run` writes at the end, relative to the result file's folder; empty: none.")
      .choice("gexf_version", &ExportSpec::gexf_version, {"1.3", "1.2draft"}, "GEXF version: 1.3 (Gephi 0.9+, graphology) or 1.2draft (NetworkX before 3.6).")
      .boolean("dynamic", &ExportSpec::dynamic, "Dynamic GEXF: awareness, reads, shares and attitude as values over time (steps), for Gephi's timeline.")
      .number("cascades", &ExportSpec::cascades, std::uint32_t{0}, std::uint32_t{100000}, "Also write the cascade trees of this many items, the largest by reach, each as FILE.cascade-ITEM.gexf (or .graphml).")
      .choice("sample", &ExportSpec::sample, {"none", "ego", "top_items", "k_core", "random"}, "Which vertices to export (with the arcs between them; the institution is always in): none (all), ego (the institution's audience to `depth` hops), top_items (readers of the `top_items` items of largest reach and who passed them on), k_core (the `k`-core of the friend graph), random (`vertices` users drawn uniformly with `sample_seed`).")
      .number("depth", &ExportSpec::depth, std::uint32_t{0}, std::uint32_t{1000}, "Hops from the institution (sample: ego).")
      .number("top_items", &ExportSpec::top_items, std::uint32_t{1}, std::uint32_t{1000000}, "Items (sample: top_items).")
      .number("k", &ExportSpec::k, std::uint32_t{1}, std::uint32_t{1000000}, "Core number (sample: k_core).")
      .number("vertices", &ExportSpec::vertices, std::uint32_t{1}, kMaxVertices, "Users drawn (sample: random).")
      .number("sample_seed", &ExportSpec::sample_seed, std::uint64_t{0}, std::numeric_limits<std::uint64_t>::max(), "Seed of the random sample (sample: random).");
  return schema;
}

YAML::Node parse_yaml(const std::string& text, const std::string& file_name) {
  try {
    return YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw InputError(fmt::format("{}:{}:{}: malformed YAML: {}", file_name, e.mark.line + 1,
                                 e.mark.column + 1, e.msg));
  }
}

// Applies "a.b.c=value" to the tree in place. Sweep axes are named by key paths, so
// "sweep.axes.graph.n=[1, 2]" sets the axis `graph.n`, not `n` inside an axis `graph`.
void apply_override(YAML::Node& root, const std::string& arg, YamlOrigin& origin) {
  const std::string where = "--set " + arg;
  const auto eq = arg.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw InputError(fmt::format("{}: expected KEY.PATH=VALUE", where));
  }
  const std::string path = arg.substr(0, eq);
  const std::string value_text = arg.substr(eq + 1);
  std::vector<std::string> keys = split_key_path(path, where);
  if (keys.size() > 3 && keys[0] == "sweep" && keys[1] == "axes") {
    keys = {"sweep", "axes", path.substr(std::string("sweep.axes.").size())};
  }
  YAML::Node value;
  try {
    value = YAML::Load(value_text);
  } catch (const YAML::ParserException& e) {
    throw InputError(fmt::format("{}: value is not valid YAML: {}", where, e.msg));
  }
  if (value.IsNull() && value_text.empty()) {
    throw InputError(fmt::format("{}: missing value after '='", where));
  }
  set_key_path(root, keys, value, where, false);
  origin.overrides[path] = where;
}

// The scenario file's tree with the overrides applied (recorded in `origin`).
YAML::Node scenario_tree(const std::string& text, const std::vector<std::string>& overrides,
                         YamlOrigin& origin) {
  YAML::Node root = parse_yaml(text, origin.file);
  if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  if (!root.IsMap()) {
    schema_error(origin, root, "(top level)", "a scenario is a mapping of sections");
  }
  for (const std::string& arg : overrides) apply_override(root, arg, origin);
  return root;
}

// A copy of a map that shares its keys and values with the original.
YAML::Node shallow_copy(const YAML::Node& map) {
  YAML::Node copy(YAML::NodeType::Map);
  for (const auto& kv : map) copy[kv.first] = kv.second;
  return copy;
}

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw InputError(fmt::format("{}: cannot open scenario file: {}", file.string(),
                                 std::error_code(errno, std::generic_category()).message()));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Parses the graph section: the type first, then only the keys that type reads, so a typo or
// a key of another generator (`beta` on erdos_renyi) is named as such.
void parse_graph(Scenario& s, const YAML::Node& graph_node) {
  if (!graph_node || graph_node.IsNull()) return;
  if (!graph_node.IsMap()) schema_error(s.origin, graph_node, "graph", "expected a mapping of keys to values");
  if (graph_node["type"]) {
    YAML::Node type_only(YAML::NodeType::Map);
    type_only["type"] = graph_node["type"];
    graph_schema().parse(s.graph, type_only, s.origin, "graph");
  }
  const auto& allowed = graph_keys_by_type().at(s.graph.type);
  std::string list;
  for (const auto& k : allowed) list += (list.empty() ? "" : ", ") + k;
  for (const auto& kv : graph_node) {
    const std::string key = key_text(s.origin, kv.first, "graph");
    if (key == "type" || allowed.count(key)) continue;
    const char* what = graph_schema().has(key) ? "not used by" : "unknown key for";
    schema_error(s.origin, kv.first, "graph." + key,
                 fmt::format("{} graph type '{}' (it reads: type, {})", what, s.graph.type, list));
  }
  graph_schema().parse(s.graph, graph_node, s.origin, "graph");
}

void check_graph(const Scenario& s, const YAML::Node& graph_node) {
  const bool is_file = s.graph.type == "edge_list" || s.graph.type == "graphml" || s.graph.type == "cache";
  if (is_file && s.graph.path.empty()) {
    schema_error(s.origin, graph_node, "graph.path", fmt::format("graph type '{}' needs a path", s.graph.type));
  }
  if (s.graph.type == "stochastic_block_model" && s.graph.block_sizes.empty()) {
    schema_error(s.origin, graph_node, "graph.block_sizes", "stochastic_block_model needs block_sizes");
  }
  if (s.graph.type == "watts_strogatz" && s.graph.k % 2 != 0) {
    schema_error(s.origin, graph_node["k"], "graph.k", "must be even");
  }
}

// `section: {model: NAME, ...}`: the name here, the parameters for the model registry.
ModelSection parse_model_section(const Scenario& s, const YAML::Node& root, const std::string& key,
                                 const std::string& default_model) {
  ModelSection section{.model = default_model, .params = YAML::Node(YAML::NodeType::Map), .path = key};
  const YAML::Node node = root[key];
  if (!node || node.IsNull()) return section;
  if (!node.IsMap()) schema_error(s.origin, node, key, "expected a mapping");
  for (const auto& kv : node) {
    if (key_text(s.origin, kv.first, key) == "model") {
      if (!kv.second.IsScalar()) schema_error(s.origin, kv.second, key + ".model", "expected a model name");
      section.model = kv.second.Scalar();
    } else {
      section.params[kv.first] = kv.second;
    }
  }
  return section;
}

}  // namespace

Step TimeSpec::num_steps() const {
  return static_cast<Step>(std::ceil(horizon_days * 24.0 / step_hours - 1e-9));
}

std::vector<std::string> split_key_path(const std::string& path, const std::string& where) {
  std::vector<std::string> keys;
  for (std::size_t start = 0;;) {
    const auto dot = path.find('.', start);
    keys.push_back(path.substr(start, dot - start));
    if (keys.back().empty()) throw InputError(fmt::format("{}: empty key in '{}'", where, path));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return keys;
}

// yaml-cpp nodes are handles, and assigning to a handle writes through to the node it refers
// to: the walk rebinds its handle with reset() and only ever assigns nodes into maps.
YAML::Node set_key_path(const YAML::Node& root, const std::vector<std::string>& keys,
                        const YAML::Node& value, const std::string& where, bool copy_path) {
  YAML::Node top = copy_path ? shallow_copy(root) : root;
  YAML::Node parent = top;
  for (std::size_t i = 0; i + 1 < keys.size(); ++i) {
    const YAML::Node child = std::as_const(parent)[keys[i]];
    if (child.IsDefined() && !child.IsNull() && !child.IsMap()) {
      throw InputError(fmt::format("{}: '{}' is a value, not a section", where, keys[i]));
    }
    const bool missing = !child.IsDefined() || child.IsNull();
    YAML::Node next = missing     ? YAML::Node(YAML::NodeType::Map)
                      : copy_path ? shallow_copy(child)
                                  : child;
    if (missing || copy_path) parent[keys[i]] = next;
    parent.reset(next);
  }
  parent[keys.back()] = value;
  return top;
}

Scenario parse_scenario_tree(const YAML::Node& tree, const YamlOrigin& origin,
                             const std::filesystem::path& base_dir) {
  // A non-const handle: a const one answers a missing key with a node that cannot be copied.
  YAML::Node root = tree;
  Scenario s;
  s.origin = origin;
  s.base_dir = base_dir;
  if (!root.IsMap()) schema_error(s.origin, root, "(top level)", "a scenario is a mapping of sections");

  static const std::set<std::string> sections{"time", "graph", "institution", "diffusion", "strategy", "censorship", "attitude", "export", "sweep"};
  for (const auto& kv : root) {
    const std::string key = key_text(s.origin, kv.first, "");
    if (sections.count(key)) continue;
    if (!top_schema().has(key)) {
      schema_error(s.origin, kv.first, key,
                   "unknown key (known: " + top_schema().known_keys() + ", time, graph, institution, strategy, diffusion, censorship, attitude, export, sweep)");
    }
  }
  TopLevel top;
  top.name = std::filesystem::path(origin.file).stem().string();
  for (const auto& kv : root) {
    const std::string key = key_text(s.origin, kv.first, "");
    if (!sections.count(key)) {
      YAML::Node one(YAML::NodeType::Map);
      one[key] = kv.second;
      // Parse key by key so errors keep the original node (and its line).
      top_schema().parse(top, one, s.origin, "");
    }
  }
  s.name = top.name;
  s.description = top.description;
  s.seed = top.seed;
  s.runs = top.runs;
  if (s.name.empty()) schema_error(s.origin, root["name"], "name", "must not be empty");

  time_schema().parse(s.time, root["time"], s.origin, "time");
  parse_graph(s, root["graph"]);
  check_graph(s, root["graph"]);
  institution_schema().parse(s.institution, root["institution"], s.origin, "institution");

  s.diffusion = parse_model_section(s, root, "diffusion", "independent_cascade");
  s.strategy = parse_model_section(s, root, "strategy", "posting");
  s.censorship = root["censorship"];
  // Optional: the key, even with an empty value, enables the attitude model.
  if (root["attitude"]) s.attitude = parse_model_section(s, root, "attitude", "bounded_confidence");
  // Optional too: the key, even with an empty value, records events for export.
  if (const YAML::Node exports = root["export"]) {
    s.exports.enabled = true;
    if (!exports.IsNull()) export_schema().parse(s.exports, exports, s.origin, "export");
  }
  if (s.time.num_steps() < 1) schema_error(s.origin, root["time"], "time", "the horizon is shorter than one step");

  s.source = YAML::Clone(root);
  s.source.remove("sweep");
  if (const YAML::Node sweep = root["sweep"]) {
    if (!sweep.IsMap()) {
      schema_error(s.origin, sweep, "sweep", "expected a mapping with at least `axes`");
    }
    s.sweep_node = sweep;
    (void)expand_sweep(s);  // reports the sweep's errors at load time
  }
  return s;
}

Scenario parse_scenario(const std::string& text, const std::string& file_name,
                        const std::vector<std::string>& overrides,
                        const std::filesystem::path& base_dir) {
  YamlOrigin origin;
  origin.file = file_name;
  const YAML::Node root = scenario_tree(text, overrides, origin);
  Scenario s = parse_scenario_tree(root, origin, base_dir);
  // `source` from a second parse instead of YAML::Clone, which drops the line numbers that
  // messages about a sweep point's unswept keys need.
  YamlOrigin unused{.file = file_name, .overrides = {}};
  s.source = scenario_tree(text, overrides, unused);
  s.source.remove("sweep");
  return s;
}

Scenario load_scenario(const std::filesystem::path& file, const std::vector<std::string>& overrides) {
  const std::string text = read_file(file);
  return parse_scenario(text, file.string(), overrides, file.parent_path());
}

std::filesystem::path resolve_path(const Scenario& s, const std::string& path) {
  std::filesystem::path p(path);
  return p.is_absolute() ? p : s.base_dir / p;
}

std::string effective_yaml(const Scenario& s, const YAML::Node& diffusion, const YAML::Node& strategy,
                           const YAML::Node& censorship, const YAML::Node& attitude) {
  YAML::Node root(YAML::NodeType::Map);
  TopLevel top{s.name, s.description, s.seed, s.runs};
  for (const auto& kv : top_schema().to_yaml(top)) root[kv.first] = kv.second;
  root["time"] = time_schema().to_yaml(s.time);
  YAML::Node graph(YAML::NodeType::Map);
  const YAML::Node all_graph = graph_schema().to_yaml(s.graph);
  graph["type"] = s.graph.type;
  for (const auto& key : graph_keys_by_type().at(s.graph.type)) graph[key] = all_graph[key];
  root["graph"] = graph;
  root["institution"] = institution_schema().to_yaml(s.institution);
  root["strategy"] = strategy;
  root["diffusion"] = diffusion;
  root["censorship"] = censorship;
  if (attitude.IsDefined() && !attitude.IsNull()) root["attitude"] = attitude;
  if (s.exports.enabled) root["export"] = export_schema().to_yaml(s.exports);
  YAML::Emitter out;
  out << root;
  return std::string(out.c_str()) + "\n";
}

std::string scenario_docs() {
  std::string out;
  out += "### Top level\n\n" + docs_table(top_schema().docs(), "") + "\n";
  out += "### `time`\n\n" + docs_table(time_schema().docs(), "time") + "\n";
  out += "### `graph`\n\n" + docs_table(graph_schema().docs(), "graph") + "\n";
  out += "Keys read by each graph type (any other graph key is an error):\n\n";
  for (const auto& [type, keys] : graph_keys_by_type()) {
    std::string list;
    for (const auto& k : keys) list += (list.empty() ? "" : ", ") + ("`" + k + "`");
    out += fmt::format("- `{}`: {}\n", type, list);
  }
  out += "\n### `institution`\n\n" + docs_table(institution_schema().docs(), "institution") + "\n";
  out += "### `export`\n\n"
         "Optional. With the section present, even empty (`export: {}`), every run records per-user "
         "events (first exposure, reads, shares, the sharer credited with each read) in the result "
         "file's /events, which `softpower export` turns into GEXF and GraphML files; the keys below "
         "make `softpower run` write them at the end (docs/gephi.md).\n\n" +
         docs_table(export_schema().docs(), "export") + "\n";
  out += sweep_docs();
  return out;
}

}  // namespace softpower
