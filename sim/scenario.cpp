#include "sim/scenario.hpp"

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <utility>

#include "sim/error.hpp"
#include "sim/output_path.hpp"
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

// What yaml-cpp's loader lets through silently, found on the parser's events (aliases arrive
// unexpanded, so an alias bomb costs nothing here): a key given twice in one mapping (the loader
// keeps both and lookups see the first), a key that is a list or mapping (which would fail later
// as a "bad conversion" without a file name), and a second document after `---` (ignored).
class StructureCheck : public YAML::EventHandler {
 public:
  StructureCheck(std::string file, const std::string& text) : file_(std::move(file)), text_(text) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    // yaml-cpp 0.7 cannot consume a ',' (or other flow punctuation) outside a flow collection:
    // it starts one empty document after another at the same place, forever (yaml-cpp #1040).
    if (documents_ > 0 && mark.pos == last_document_start_) {
      const char c = mark.pos >= 0 && static_cast<std::size_t>(mark.pos) < text_.size() ? text_[mark.pos] : '\0';
      fail(mark, "", c > ' ' && c < 127 ? fmt::format("malformed YAML: unexpected '{}'", c)
                                         : std::string("malformed YAML: unexpected character"));
    }
    last_document_start_ = mark.pos;
    if (++documents_ > 1) second_document_ = mark;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { value(mark, Kind::kNull); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { value(mark, Kind::kAlias); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string& text) override {
    value(mark, Kind::kScalar, text);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    open(mark, false);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    open(mark, true);
  }
  void OnMapEnd() override { close(); }

  /// The mark of a second document with content, if any.
  [[nodiscard]] std::optional<YAML::Mark> second_document() const {
    if (!second_document_content_) return std::nullopt;
    return second_document_;
  }

 private:
  struct Frame {
    bool map = false;
    bool at_key = true;  // a map's next node is a key
    std::size_t index = 0;
    std::string path;
    std::string key;  // the key whose value is being read
    std::map<std::string, YAML::Mark> keys;
  };

  std::string child_path() const {
    if (stack_.empty()) return {};
    const Frame& f = stack_.back();
    if (!f.map) return fmt::format("{}[{}]", f.path, f.index);
    return f.path.empty() ? f.key : f.path + "." + f.key;
  }

  [[noreturn]] void fail(const YAML::Mark& mark, const std::string& path, const std::string& message) const {
    throw InputError(fmt::format("{}:{}:{}: {}{}", file_, mark.line + 1, mark.column + 1,
                                 path.empty() ? "" : path + ": ", message));
  }

  enum class Kind { kScalar, kNull, kAlias, kContainer };

  // A node (scalar, null, alias, or the start of a list or mapping) in the current container.
  void node(const YAML::Mark& mark, Kind kind, const std::string& scalar = {}) {
    if (documents_ > 1 && kind != Kind::kNull) second_document_content_ = true;
    if (stack_.empty() || !stack_.back().map || !stack_.back().at_key) return;
    Frame& f = stack_.back();
    if (kind == Kind::kContainer || kind == Kind::kAlias) {
      fail(mark, f.path, "a key must be a plain name, not a list, a mapping or an alias");
    }
    const std::string key = kind == Kind::kNull ? "~" : scalar;
    if (const auto it = f.keys.find(key); it != f.keys.end()) {
      fail(mark, f.path.empty() ? key : f.path + "." + key,
           fmt::format("duplicate key (first at line {}, column {})", it->second.line + 1, it->second.column + 1));
    }
    f.keys.emplace(key, mark);
    f.key = key;
  }

  void value(const YAML::Mark& mark, Kind kind, const std::string& scalar = {}) {
    node(mark, kind, scalar);
    advance();
  }

  void open(const YAML::Mark& mark, bool map) {
    node(mark, Kind::kContainer);
    Frame f;
    f.map = map;
    f.path = child_path();
    stack_.push_back(std::move(f));
  }

  void close() {
    stack_.pop_back();
    advance();
  }

  // The node just read was a key, a value or a list element: move to the next position.
  void advance() {
    if (stack_.empty()) return;
    Frame& f = stack_.back();
    if (f.map) {
      f.at_key = !f.at_key;
    } else {
      ++f.index;
    }
  }

  std::string file_;
  std::vector<Frame> stack_;
  const std::string& text_;
  int documents_ = 0;
  int last_document_start_ = -1;
  YAML::Mark second_document_;
  bool second_document_content_ = false;
};

[[noreturn]] void malformed(const YAML::ParserException& e, const std::string& file_name) {
  // yaml-cpp reports nesting beyond its depth limit as "bad file", and quotes the offending
  // character raw: a control character is shown as its code instead.
  const bool too_deep = dynamic_cast<const YAML::DeepRecursion*>(&e) != nullptr;
  std::string message;
  for (const char c : std::string(too_deep ? "lists or mappings nested too deeply" : e.msg)) {
    const auto byte = static_cast<unsigned char>(c);
    message += byte < 0x20 || byte == 0x7F ? fmt::format("\\x{:02X}", byte) : std::string(1, c);
  }
  throw InputError(fmt::format("{}:{}:{}: malformed YAML: {}", file_name, e.mark.line + 1, e.mark.column + 1, message));
}

// UTF-16 and UTF-32 (which yaml-cpp reads) hold NUL bytes; UTF-8 text never does.
bool looks_utf16_or_32(const std::string& text) {
  if (text.size() < 2) return false;
  const auto b0 = static_cast<unsigned char>(text[0]);
  const auto b1 = static_cast<unsigned char>(text[1]);
  const auto printable = [](unsigned char b) { return b >= 0x20 && b < 0x7F; };
  return (b0 == 0xFF && b1 == 0xFE) || (b0 == 0xFE && b1 == 0xFF) || (b0 == 0 && (b1 == 0 || printable(b1))) ||
         (printable(b0) && b1 == 0);
}

YAML::Node parse_yaml(const std::string& text, const std::string& file_name) {
  if (const auto nul = text.find('\0'); nul != std::string::npos && !looks_utf16_or_32(text)) {
    const auto line_start = text.rfind('\n', nul);
    const auto line = std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(nul), '\n') + 1;
    const auto column = nul - (line_start == std::string::npos ? 0 : line_start + 1) + 1;
    throw InputError(fmt::format("{}:{}:{}: a NUL byte: a scenario is UTF-8 text, and this looks like binary data",
                                 file_name, line, column));
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    malformed(e, file_name);
  }
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    StructureCheck check(file_name, text);
    while (parser.HandleNextDocument(check)) {
    }
    if (const auto second = check.second_document()) {
      throw InputError(fmt::format("{}:{}:{}: a second YAML document (after ---); a scenario is one document",
                                   file_name, second->line + 1, second->column + 1));
    }
  } catch (const YAML::ParserException& e) {
    malformed(e, file_name);
  }
  return root;
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
  (void)parse_yaml(value_text, where);  // duplicate keys, keys that are lists, two documents
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
  require_regular_input(file, "the scenario");
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

// The users of a generated graph, known from its keys; nullopt for graph files.
std::optional<std::uint64_t> generated_users(const GraphSpec& g) {
  if (g.type == "edge_list" || g.type == "graphml" || g.type == "cache") return std::nullopt;
  if (g.type != "stochastic_block_model") return g.n;
  std::uint64_t users = 0;
  for (const std::uint32_t b : g.block_sizes) users += b;
  return users;
}

}  // namespace

void check_institution(const Scenario& s) {
  const auto users = generated_users(s.graph);
  if (!users) return;
  const YAML::Node root = s.source;
  if (!root.IsDefined() || !root.IsMap()) return;
  const YAML::Node institution = std::as_const(root)["institution"];
  const YAML::Node graph = std::as_const(root)["graph"];
  const char* size_key = s.graph.type == "stochastic_block_model" ? "block_sizes" : "n";
  auto at = [&](const char* key) -> YAML::Node {
    if (institution.IsDefined() && institution.IsMap() && institution[key].IsDefined()) return institution[key];
    if (graph.IsDefined() && graph.IsMap() && graph[size_key].IsDefined()) return graph[size_key];
    return YAML::Node();
  };
  const std::string size = fmt::format("{} users of the graph (graph.{})", *users, size_key);
  if (s.institution.placement == "new" && s.institution.followers > *users) {
    schema_error(s.origin, at("followers"), "institution.followers",
                 fmt::format("{} followers is more than the {}", s.institution.followers, size));
  }
  if (s.institution.placement == "fixed" && s.institution.vertex >= *users) {
    schema_error(s.origin, at("vertex"), "institution.vertex",
                 fmt::format("vertex {} does not exist: the ids are 0 to {}, the {}", s.institution.vertex,
                             *users - 1, size));
  }
}

namespace {

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
  // The name names the default output results/NAME.h5: a path in it would write elsewhere.
  if (s.name.find_first_of("/\\") != std::string::npos || s.name == "." || s.name == ".." ||
      std::any_of(s.name.begin(), s.name.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
    schema_error(s.origin, root["name"], "name",
                 "'" + s.name.substr(0, 80) + "' is not a file name (no '/', '\\' or control characters; it names results/NAME.h5)");
  }
  if (s.name.size() > 200) {
    schema_error(s.origin, root["name"], "name",
                 fmt::format("is {} characters long; at most 200 (it names results/NAME.h5)", s.name.size()));
  }

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

  // A shallow copy: the sections stay shared, with their line numbers (a sweep point's
  // messages about unswept keys name them), and removing `sweep` leaves `tree` whole.
  s.source = shallow_copy(root);
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
  // An empty file (or one of comments) is a mistake, not a request for every default.
  if (parse_yaml(text, file.string()).IsNull()) {
    throw InputError(fmt::format("{}: the scenario file is empty (no keys); write at least `name: ...`, "
                                 "or see `softpower scenario-reference`",
                                 file.string()));
  }
  return parse_scenario(text, file.string(), overrides, file.parent_path());
}

void rethrow_at_key(const Scenario& s, const std::exception_ptr& error) {
  std::string message;
  try {
    std::rethrow_exception(error);
  } catch (const InputError& e) {
    message = e.what();
  }
  static const std::set<std::string> sections{"time", "graph", "institution", "diffusion", "strategy", "censorship", "attitude", "export"};
  static const std::set<std::string> generators{"erdos_renyi", "barabasi_albert", "watts_strogatz", "stochastic_block_model", "wechat_like"};
  const auto colon = message.find(": ");
  if (colon == std::string::npos) std::rethrow_exception(error);
  std::string path = message.substr(0, colon);
  std::string rest = message.substr(colon + 2);
  if (generators.count(path) && s.graph.type == path) {
    path = "graph.type";
    rest = "graph type '" + s.graph.type + "': " + rest;
  }
  const auto dot = path.find('.');
  if (path.find_first_of(" /") != std::string::npos || !sections.count(path.substr(0, dot))) {
    std::rethrow_exception(error);
  }
  // The deepest node of the path that the file has: the key itself, else its section.
  YAML::Node node;
  const YAML::Node source = s.source;
  if (source.IsDefined() && source.IsMap()) {
    YAML::Node at = source;
    for (std::string key : split_key_path(path, path)) {
      if (const auto bracket = key.find('['); bracket != std::string::npos) key.resize(bracket);
      if (!at.IsMap() || !at[key].IsDefined()) break;
      at.reset(at[key]);
      node.reset(at);
    }
  }
  schema_error(s.origin, node, path, rest);
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
