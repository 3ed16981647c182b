// Executes a batch of sweep runs on this process's cores: runs in parallel, each also parallel
// inside (TBB nests the two levels), each on its point's context.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "apps/point_context.hpp"
#include "sim/run_result.hpp"
#include "sim/sweep.hpp"

namespace softpower::cli {

/// What every run of a sweep must store, as the output file was created for it.
struct RunLayout {
  std::vector<SeriesSpec> series;
  VertexId snapshot_users = 0;
  EventsLayout events;
  std::uint64_t first_point = 0;  // the point the layout was taken from, for messages
  std::string scenario_file;
};

/// Runs `runs` (announced to `contexts` by the caller) and hands each finished run to `sink`,
/// from the worker threads; a sink returning false stops handing out runs. Raising `stop`
/// stops starting runs and abandons those in flight at their next step. Throws the first error
/// of any run (InputError if a point's output layout differs from `layout`).
void execute_runs(std::span<const RunId> runs, const Sweep& sweep, PointContexts& contexts,
                  const RunLayout& layout, const std::atomic<bool>& stop,
                  const std::function<bool(RunResult&&)>& sink);

}  // namespace softpower::cli
