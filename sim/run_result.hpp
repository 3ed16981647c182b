// What one run produces: per-step metric series and the per-item table. The engine fills it;
// the writer in output/ stores it. Neither knows the other.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/types.hpp"

namespace softpower {

/// Static description of one per-step metric; the writer creates /metrics/<name> from it.
struct MetricSpec {
  std::string name;         // dataset name, snake_case
  std::string unit;         // "count", "users", ...
  std::string description;  // one line, stored as an attribute
};

/// A per-step float64 series, optionally with a column axis (per region, per community,
/// histogram bins); stored as /metrics/<name>, [run, step] or [run, step, column].
struct SeriesSpec {
  std::string name;
  std::string unit;
  std::string description;
  std::vector<std::string> columns;  // empty: one value per step; else one per column
  [[nodiscard]] std::size_t width() const { return columns.empty() ? 1 : columns.size(); }
};

/// Per-item outcome of a run (one row of /items).
struct ItemRecord {
  ItemId item = 0;
  std::uint32_t push = 0;     // push it was published in
  std::uint32_t topic = 0;    // index into the strategy's topics
  double appeal = 0.0;
  double sensitivity = 0.0;
  double valence = 0.0;
  Step publish_step = 0;
  bool blocked = false;       // stopped before publication (never delivered)
  Step takedown_step = -1;    // step it was removed in; -1: never (within the horizon)
  std::uint64_t reads = 0;    // users who opened it
  std::uint64_t shares = 0;   // users who shared it
  std::uint64_t first_hop_shares = 0;  // shares by readers one hop from the publisher or a paid seed
  std::uint64_t reach = 0;    // distinct users it was delivered to
  std::uint32_t depth = 0;    // most hops from the publisher to a reader (1: only followers read it; 0: nobody)
};

struct RunResult {
  RunId run = 0;
  std::uint64_t seed = 0;
  VertexId institution = kNoVertex;  // the publishing vertex of this run
  /// metrics[k][s]: value of metric k (same order as the engine's metric_specs()) at step s.
  std::vector<std::vector<std::int64_t>> metrics;
  /// series[k][s * width + c]: float64 series k (order of the engine's series_specs()).
  std::vector<std::vector<double>> series;
  /// Attitude snapshots: every user's attitude at each of snapshot_steps, snapshot-major.
  std::vector<Step> snapshot_steps;
  std::vector<float> snapshots;
  std::vector<ItemRecord> items;
  Step steps_run = 0;  // steps actually simulated (the run stops early when nothing can happen)
};

}  // namespace softpower
