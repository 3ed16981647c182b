// Everything a sweep decides before it runs anything: the expanded points, checked one by one,
// the fingerprint that ties shards, checkpoints and merges together, and the /params columns.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "output/result_writer.hpp"
#include "sim/scenario.hpp"
#include "sim/sweep.hpp"

namespace softpower::cli {

struct Shard {
  std::uint32_t index = 0;  // 0-based
  std::uint32_t count = 1;
  [[nodiscard]] bool owns(RunId run) const { return run % count == index; }
};

struct SweepPlan {
  Scenario base;
  Sweep sweep;
  std::string fingerprint;
  std::string base_yaml;  // effective YAML of the scenario without its sweep block
  Step num_steps = 0;
  double step_hours = 1.0;
  std::vector<ParamColumn> columns;  // /params: one per axis
};

/// Expands the sweep and checks every point's scenario and model parameters (InputError on the
/// first bad point), and that all points share one time grid.
SweepPlan plan_sweep(const Scenario& base);

/// "K/N" (0 <= K < N), or, when `text` is empty, SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of
/// SLURM_ARRAY_TASK_COUNT when those are set; one shard otherwise.
Shard parse_shard(const std::string& text);

/// The run ids a shard owns, increasing. Runs are dealt round-robin (run % N == K), so slow and
/// fast points spread evenly over shards.
std::vector<RunId> shard_runs(const Sweep& sweep, const Shard& shard);

/// The SweepInfo a result file of this shard records.
SweepInfo sweep_info(const SweepPlan& plan, const Shard& shard);

}  // namespace softpower::cli
