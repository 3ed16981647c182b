// Refuses a scenario whose graph or run state will not fit in memory, before any large
// allocation, so that a typo (graph.n: 1e9) or an oversized sweep ends with a message naming
// the key instead of an out-of-memory kill hours into a Slurm job.
//
// The estimate is the peak measured per arc and per user (docs/performance.md, "Memory"),
// rounded up; it is compared with what the machine or the job's cgroup has available.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sim/scenario.hpp"

namespace softpower {

struct MemoryEstimate {
  std::uint64_t users = 0;
  std::uint64_t arcs = 0;          // expected arcs of the graph (exact for a cache)
  std::string arcs_from;           // how the arcs were estimated, naming the keys
  double graph_bytes = 0.0;        // peak while the graph is built, and then held by every run
  double run_bytes = 0.0;          // state of one run
  std::uint64_t concurrent_runs = 0;
  std::uint64_t total_runs = 0;    // every run of the command, each with a small record
  double records_bytes = 0.0;      // those records: kept until the end, whatever the graph
  bool known = false;              // false: the graph size is only known once its file is read

  [[nodiscard]] double total_bytes() const {
    return graph_bytes + run_bytes * static_cast<double>(concurrent_runs) + records_bytes;
  }
};

/// The memory a scenario needs with `concurrent_runs` runs in flight (0: the graph alone, as
/// `softpower graph generate` builds it). Graph files other than caches are not estimated
/// (known = false): their size is known only once read.
/// `total_runs` (0: the scenario's `runs`) is every run of the command, a sweep's included.
MemoryEstimate estimate_memory(const Scenario& scenario, std::uint64_t concurrent_runs,
                               std::uint64_t total_runs = 0);

/// Bytes this process may still allocate: the smaller of MemAvailable (/proc/meminfo) and the
/// room left under the cgroup's memory.max (a Slurm job's limit); nullopt if neither is readable.
std::optional<std::uint64_t> available_memory();

/// Throws InputError naming the scenario and the key to change when the estimate exceeds the
/// available memory; does nothing when the estimate or the available memory is unknown.
/// `override_flag` names the command-line option that skips the check, for the message.
void check_memory(const Scenario& scenario, std::uint64_t concurrent_runs, const std::string& override_flag,
                  std::uint64_t total_runs = 0);

}  // namespace softpower
