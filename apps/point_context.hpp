// What the runs of one sweep point share: the point's scenario, graph, models and engine. Built
// on first use and dropped after the point's last run, so a sweep holds only the points it is
// running.
#pragma once

#include <cstdint>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <utility>
#include <vector>

#include "apps/sweep_plan.hpp"
#include "models/registry.hpp"
#include "sim/engine.hpp"
#include "sim/graph_source.hpp"

namespace softpower::cli {

struct PointContext {
  Scenario scenario;
  std::shared_ptr<const PreparedGraph> graph;
  std::unique_ptr<DiffusionModel> diffusion;
  std::unique_ptr<StrategyModel> strategy;
  std::unique_ptr<PlatformFilter> filter;
  std::unique_ptr<AttitudeModel> attitude;
  std::unique_ptr<Engine> engine;
};

/// Builds the context of one point over `graph`, or over the point's own graph when null.
/// `always_record_events`: the engine records per-user events even if the scenario has no
/// `export:` section (`softpower export` regenerating the events of a run stored without them;
/// recording them changes no other output).
std::shared_ptr<const PointContext> build_point_context(const SweepPlan& plan, std::uint64_t point,
                                                        std::shared_ptr<const PreparedGraph> graph,
                                                        bool always_record_events = false);

/// Thread-safe cache of point contexts. A context lives while runs announced with add_runs()
/// have not released it, and a little longer: the last contexts dropped are kept in case the
/// next batch of runs (MPI hands them out in chunks) needs them again.
class PointContexts {
 public:
  /// `shared_graph`: the graph of every point, or null when the sweep varies the graph.
  /// `keep_recent`: dropped contexts kept for reuse (each can hold hundreds of MB: the
  /// attitude model's weights, or a whole graph).
  /// `always_record_events`: as for build_point_context.
  PointContexts(const SweepPlan& plan, std::shared_ptr<const PreparedGraph> shared_graph,
                std::size_t keep_recent, bool always_record_events = false);

  /// Announces runs that will each acquire and then release their point's context once.
  void add_runs(std::span<const RunId> runs);

  /// The context of `point`, built by the first caller while later callers wait. A build
  /// error is rethrown to every caller.
  std::shared_ptr<const PointContext> acquire(std::uint64_t point);
  /// Called once per run when it is done with its context; the last one drops it.
  void release(std::uint64_t point);
  /// Keeps `context` (built earlier, e.g. to size the output) among the recent contexts.
  void seed(std::uint64_t point, std::shared_ptr<const PointContext> context);

 private:
  struct Entry {
    std::shared_future<std::shared_ptr<const PointContext>> context;
    std::uint64_t runs_left = 0;
  };
  const SweepPlan& plan_;
  std::shared_ptr<const PreparedGraph> shared_graph_;
  std::size_t keep_recent_;
  bool always_record_events_;
  std::mutex mutex_;
  std::map<std::uint64_t, Entry> entries_;
  std::vector<std::pair<std::uint64_t, std::shared_future<std::shared_ptr<const PointContext>>>> recent_;
};

}  // namespace softpower::cli
