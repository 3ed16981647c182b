// A scenario's `sweep:` block: axes over scenario key paths, combined into points, each run
// `replicates` times. Expansion is a pure function of the scenario (and its base seed), so run
// ids, seeds and sampled values are the same on every machine, shard and rank.
// scenarios/README.md ("Sweeps") is the user-facing reference.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <vector>

#include "sim/scenario.hpp"
#include "sim/types.hpp"

namespace softpower {

/// How each run's random streams are keyed.
enum class SweepSeeds {
  kIndependent,  // by (base seed, run id): every run of the sweep has its own streams
  kCommon,       // by (base seed, replicate): replicate r sees the same streams at every point
                 // (common random numbers, for paired comparisons between points)
};

/// One swept key.
struct SweepAxis {
  std::string path;                // scenario key path, e.g. "censorship.strength"
  std::vector<YAML::Node> levels;  // the axis' values, in order (list, range or samples)
  bool sampled = false;            // Latin-hypercube axis (its levels are the samples)
  std::string where;               // "FILE:LINE:COL" of the axis in the scenario, for messages
};

struct Sweep {
  std::vector<SweepAxis> axes;  // in the order the scenario lists them
  bool zip = false;             // false: full factorial; true: the i-th level of every axis
  std::uint64_t replicates = 1;
  SweepSeeds seeds = SweepSeeds::kIndependent;
  std::uint64_t samples = 0;    // Latin-hypercube sample count (0: no sampled axis)
  /// points[p][a]: the value of axes[a] at point p. Factorial order: the first axis varies
  /// slowest; the sampled axes together act as one factor, at the position of the first one.
  std::vector<std::vector<YAML::Node>> points;
  std::string text;             // the sweep block re-emitted as YAML, for provenance

  [[nodiscard]] std::uint64_t num_points() const { return points.size(); }
  [[nodiscard]] std::uint64_t num_runs() const { return points.size() * replicates; }
  /// Run ids are point-major: run = point * replicates + replicate.
  [[nodiscard]] RunId run_id(std::uint64_t point, std::uint64_t replicate) const {
    return point * replicates + replicate;
  }
  [[nodiscard]] std::uint64_t point_of(RunId run) const { return run / replicates; }
  [[nodiscard]] std::uint64_t replicate_of(RunId run) const { return run % replicates; }
  /// The run index the engine keys its random streams with (see SweepSeeds).
  [[nodiscard]] RunId stream_of(RunId run) const {
    return seeds == SweepSeeds::kCommon ? replicate_of(run) : run;
  }
};

/// Parses and expands `scenario.sweep_node` (the scenario's `sweep:` block). Throws InputError
/// naming file, line, column and key for: unknown keys, an empty axis, a bad range, sampled
/// axes without `samples`, zipped axes of different lengths, an axis on a key a sweep cannot
/// vary (name, seed, runs, sweep.*), an axis nested inside another axis' path. Does not check
/// that the swept values are valid scenario values: scenario_at_point does. parse_scenario
/// calls it, so a scenario that loads has a valid sweep block.
/// A scenario without a sweep block gives one point with no axes and `runs` replicates.
Sweep expand_sweep(const Scenario& scenario);

/// The scenario at point `point`: the base scenario (`scenario.source`) with each axis' value set
/// at its key path, parsed and checked like a scenario file. Errors in a swept value name the
/// axis, its line in the file, the point and the value ("sweep.axes.KEY (FILE:LINE:COL), point
/// P, value V: MESSAGE"; the result's origin keeps this for the models' checks); errors in other
/// keys keep their own line. The result has no sweep block, `runs` equal to the sweep's
/// replicates, and the base scenario's origin file and base_dir. Only the maps on the axes'
/// paths are new: the other subtrees are shared, unchanged, with `scenario.source` (read-only).
/// Throws std::out_of_range for a point beyond the sweep.
Scenario scenario_at_point(const Scenario& scenario, const Sweep& sweep, std::uint64_t point);

/// True if any axis changes what prepare_graph builds (graph.*, institution.*): then each
/// point needs its own graph; otherwise one graph serves the whole sweep.
bool sweep_changes_graph(const Sweep& sweep);

/// A 64-bit fingerprint of everything that decides a sweep's results: the softpower version,
/// the base seed, the effective scenario of every point (`point_yaml`, one per point), the
/// replicates and the seed mode. Shards, checkpoints and merges compare it to tell whether files
/// belong to the same sweep. FNV-1a over those fields (integers as 8 little-endian bytes,
/// strings length-prefixed), so the same on every platform; as 16 lowercase hex digits.
/// Throws std::invalid_argument if `point_yaml` does not have one text per point.
std::string sweep_fingerprint(const Scenario& scenario, const Sweep& sweep,
                              const std::vector<std::string>& point_yaml);

/// The value as a /params cell would show it: the scalar text, or flow YAML for a map or list.
std::string sweep_value_text(const YAML::Node& value);

/// The `### sweep` part of the scenario reference (scenario_docs, scenarios/README.md).
std::string sweep_docs();

}  // namespace softpower
