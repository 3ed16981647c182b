// A scenario file parsed once into typed structs with defaults. Precedence:
// built-in defaults < scenario file < `--set key.path=value` overrides.
// Every key is documented in scenarios/README.md, generated from the same tables (scenario_docs).
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <exception>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sim/schema.hpp"
#include "sim/types.hpp"

namespace softpower {

struct TimeSpec {
  double step_hours = 1.0;
  double horizon_days = 7.0;
  [[nodiscard]] Step num_steps() const;
};

struct GraphSpec {
  std::string type = "erdos_renyi";
  std::uint32_t n = 10000;
  double mean_degree = 10.0;
  bool directed = false;
  std::uint32_t m = 3;
  std::uint32_t k = 10;
  double beta = 0.1;
  std::vector<std::uint32_t> block_sizes;
  double p_in = 0.01;
  double p_out = 0.0001;
  std::string path;  // relative paths are resolved against the scenario file's folder
  bool weighted = false;
  bool ignore_extra_columns = false;
  std::string weight_key = "weight";
  std::string nodes_path;                 // edge_list: regions and communities by id
  std::string region_key = "region";      // graphml node attributes
  std::string community_key = "community";
  std::uint64_t seed = 1;
  // wechat_like (n and mean_degree above are shared)
  double degree_sigma = 0.9;
  std::uint32_t max_degree = 5000;
  std::uint32_t community_size = 500;
  double homophily = 0.8;
  double international_fraction = 0.1;
  double region_homophily = 0.8;
  double groups_per_user = 3.0;
  double mean_group_size = 30.0;
  std::uint32_t max_group_size = 500;
  double group_community_share = 0.8;
  double follower_seed_bias = 0.5;
  std::uint32_t seed_community = 0;
};

struct InstitutionSpec {
  std::string placement = "new";
  std::uint32_t vertex = 0;
  std::uint32_t followers = 1000;
};

/// The `export:` section: the scenario's runs record per-user events, and `softpower run`
/// writes the files named here at the end. `softpower export` takes the same options on its
/// command line (viz_export/export.hpp uses this struct for both).
struct ExportSpec {
  bool enabled = false;  // the section is present (even empty): record events
  std::uint64_t run = 0;
  std::string gexf;      // relative paths: to the result file's folder
  std::string graphml;
  std::string gexf_version = "1.3";
  bool dynamic = false;
  std::uint32_t cascades = 0;  // cascade trees of the top items by reach, one file each
  std::string sample = "none";
  std::uint32_t depth = 2;
  std::uint32_t top_items = 3;
  std::uint32_t k = 10;
  std::uint32_t vertices = 50000;
  std::uint64_t sample_seed = 1;
};

/// A model family's section (`diffusion: {model: NAME, ...}`, `strategy: ...`): the model
/// registry in models/ validates the parameters, since sim/ does not know the models.
struct ModelSection {
  std::string model;
  YAML::Node params;  // every key but `model`
  std::string path;   // "diffusion"
};

struct Scenario {
  std::string name;
  std::string description;
  std::uint64_t seed = 1;
  std::uint64_t runs = 1;
  TimeSpec time;
  GraphSpec graph;
  InstitutionSpec institution;
  ModelSection diffusion;
  ModelSection strategy;
  std::optional<ModelSection> attitude;  // absent: users have no attitudes
  YAML::Node censorship;               // the platform filter's section, parsed in models/censorship
  ExportSpec exports;                  // the `export` section
  /// The `sweep:` block (sim/sweep.hpp); without one an undefined node, so `if (s.sweep_node)`
  /// tells whether the scenario is a sweep (a default-constructed YAML::Node would be true).
  YAML::Node sweep_node{YAML::NodeType::Undefined};
  /// The whole scenario tree after overrides, without `sweep`: a deep copy that shares no node
  /// with the members above. From parse_scenario/load_scenario it keeps the file's line numbers
  /// (a second parse of the text: YAML::Clone would set every node's position to line 1).
  YAML::Node source;
  YamlOrigin origin;                   // for errors raised after loading (e.g. by models)
  std::filesystem::path base_dir;      // folder of the scenario file
};

/// Loads FILE and applies `overrides` ("key.path=value", YAML syntax for the value).
/// Throws InputError naming file, line, column and key path.
Scenario load_scenario(const std::filesystem::path& file, const std::vector<std::string>& overrides);

/// Same, from text already in memory; `file_name` is used in messages.
Scenario parse_scenario(const std::string& text, const std::string& file_name,
                        const std::vector<std::string>& overrides,
                        const std::filesystem::path& base_dir = ".");

/// Parses a scenario tree already loaded (and overridden): parse_scenario without the text.
/// `origin` names the file and the key paths set from elsewhere (`--set`, sweep points) for
/// messages; `source` of the result is YAML::Clone(root) without `sweep`.
Scenario parse_scenario_tree(const YAML::Node& root, const YamlOrigin& origin,
                             const std::filesystem::path& base_dir);

/// Splits a dot-separated key path ("graph.n") into its keys. Throws InputError
/// "WHERE: empty key in 'PATH'" for an empty key.
std::vector<std::string> split_key_path(const std::string& path, const std::string& where);

/// Returns `root` with `value` at the key path `keys`, creating the maps on the way (the tree
/// walk of `--set` overrides and of sweep points). Throws InputError "WHERE: 'KEY' is a value,
/// not a section" when the path runs through a value. In place (`copy_path` false) it modifies
/// and returns `root`; with `copy_path` it returns a new root in which only the maps on the path
/// are new (shallow copies), sharing every other subtree, unchanged, with `root`.
YAML::Node set_key_path(const YAML::Node& root, const std::vector<std::string>& keys,
                        const YAML::Node& value, const std::string& where, bool copy_path);

/// Throws InputError, at the institution key (or the graph's size when the institution keys are
/// defaults), when a generated graph has fewer users than institution.followers or no vertex
/// institution.vertex. Graph files are checked once read. Not part of parsing: `graph generate`
/// ignores the institution.
void check_institution(const Scenario& scenario);

/// Rethrows an InputError raised once the graph exists (a generator's limits, the institution's
/// followers, a model's KOL budget), whose message starts with a scenario key path
/// ("strategy.kol_budget: ...") or a generator's name ("erdos_renyi: ..."), as
/// "FILE:LINE:COL: MESSAGE" at that key in the scenario (or the --set that set it). Any other
/// message (an importer's "edges.txt:3: ...") is rethrown unchanged.
[[noreturn]] void rethrow_at_key(const Scenario& scenario, const std::exception_ptr& error);

/// The effective scenario as YAML (every key, defaults included); `diffusion`, `strategy`,
/// `censorship` and `attitude` are the models' own effective parameters. A null `attitude`
/// (no attitude model) leaves the section out.
std::string effective_yaml(const Scenario& s, const YAML::Node& diffusion, const YAML::Node& strategy,
                           const YAML::Node& censorship, const YAML::Node& attitude = YAML::Node());

/// Markdown reference of every section and key (scenarios/README.md embeds it).
std::string scenario_docs();

/// Path of a graph file named by the scenario, resolved against its folder.
std::filesystem::path resolve_path(const Scenario& s, const std::string& path);

}  // namespace softpower
