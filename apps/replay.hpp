// Runs of a result file computed again from what the file stores: its effective scenario (with
// the sweep block of a sweep file), seed and run ids, on the graph rebuilt from that scenario.
// Every draw is keyed by (seed, run, ...), never by thread or order, so a run computed again
// equals the stored one bit for bit. `softpower rerun` compares the two; `softpower export`
// regenerates the events of a run stored without them; both rebuild the graph here.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "apps/point_context.hpp"
#include "apps/sweep_plan.hpp"
#include "output/result_reader.hpp"
#include "output/run_comparison.hpp"

namespace softpower::cli {

/// The datasets `reader`'s file stores per run.
StoredLayout stored_layout(const ResultReader& reader);

/// The datasets `engine` produces per run, as a file written from it would store them.
StoredLayout engine_layout(const Engine& engine);

class Replay {
 public:
  /// Parses the scenario stored in `reader` (opened on `file`; the name is for messages) and
  /// plans its sweep. Relative graph paths in it resolve against `scenario_dir`, else the
  /// folder the file records, else the working directory. `always_record_events`: runs record
  /// per-user events even if the scenario has no `export:` section. Throws InputError if the
  /// stored scenario no longer loads.
  Replay(std::string file, const ResultReader& reader, const std::string& scenario_dir,
         bool always_record_events);

  [[nodiscard]] const SweepPlan& plan() const { return plan_; }

  /// Scenario, graph, models and engine of `run`'s point, built on first use (the graph once
  /// for a sweep that does not vary it).
  std::shared_ptr<const PointContext> context(RunId run);

  /// True if the file's `graph_checksum` attribute is the checksum of `run`'s graph: always,
  /// unless a sweep axis varies the graph and `run` is at another point than the file's first
  /// run (the attribute records that point's graph).
  [[nodiscard]] bool records_graph_of(RunId run) const;

  /// Throws InputError naming the graph (and its file) and both checksums if the graph rebuilt
  /// for `run` is not the one whose checksum the file recorded as `recorded`.
  void check_graph(RunId run, std::uint64_t recorded);

  /// The checksum of `graph` as this file's format records it.
  std::uint64_t graph_checksum(const SocialGraph& graph);

  /// Computes `runs` (run ids of the file) in parallel, each also parallel inside, and hands
  /// each result to `sink` from the worker threads, in any order.
  void execute(std::span<const RunId> runs, const std::function<void(RunResult&&)>& sink);

 private:
  std::string file_;
  std::string scenario_dir_;
  RunId first_run_ = 0;
  bool always_record_events_ = false;
  // Files of result format 1 recorded FNV-1a graph checksums: those are compared, and rerun
  // results carry them, so that an older file still reproduces.
  bool fnv1a_checksums_ = false;
  std::mutex fnv1a_mutex_;
  std::map<std::uint64_t, std::uint64_t> fnv1a_of_checksum_;  // filled by graph_checksum()
  SweepPlan plan_;
  std::shared_ptr<const PreparedGraph> shared_graph_;  // null when the sweep varies the graph
  std::uint64_t cached_point_ = 0;
  std::shared_ptr<const PointContext> cached_;
};

}  // namespace softpower::cli
