// The result file's names and table rows, shared by the writer, `info` and the tests so the
// layout is spelled out once. docs/output-format.md is the user-facing description.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/detail/hdf5.hpp"
#include "sim/run_result.hpp"
#include "sim/types.hpp"

namespace softpower::detail {

inline constexpr const char* kResultFileKind = "softpower-result";

/// The coordinate datasets in /metrics; no metric may take these names.
inline constexpr const char* kMetricsScaleNames[] = {"run", "step", "time_hours"};

/// The /params `run` value of a row whose run has not been written yet (its fill value).
inline constexpr RunId kUnwrittenRun = ~RunId{0};

/// A [run, step, column] series <name> keeps its column labels in /metrics/<name> + this suffix,
/// a dimension scale of the same name (netCDF readers see a named, labelled dimension).
inline constexpr const char* kColumnsSuffix = "_columns";

/// Attitude snapshots; the group exists only in files written with snapshot_users > 0.
inline constexpr const char* kAttitudeGroup = "attitude";
inline constexpr const char* kSnapshotSteps = "attitude/snapshot_steps";
inline constexpr const char* kSnapshots = "attitude/snapshots";
/// The fill value of /attitude/snapshot_steps: no snapshot in this (run, snapshot) cell.
inline constexpr Step kNoSnapshotStep = -1;

/// /params: one row per run. A swept parameter becomes one more add() here and one more set()
/// in fill().
struct ParamsLayout {
  RowLayout layout;
  std::size_t run = layout.add<std::uint64_t>("run");
  std::size_t seed = layout.add<std::uint64_t>("seed");
  std::size_t institution = layout.add<std::uint32_t>("institution");
  std::size_t steps_run = layout.add<std::int64_t>("steps_run");

  void fill(std::byte* row, const RunResult& r) const {
    layout.set<std::uint64_t>(row, run, r.run);
    layout.set<std::uint64_t>(row, seed, r.seed);
    layout.set<std::uint32_t>(row, institution, r.institution);
    layout.set<std::int64_t>(row, steps_run, r.steps_run);
  }
  [[nodiscard]] std::vector<std::byte> unwritten_row() const {
    std::vector<std::byte> row(layout.row_size());
    layout.set<std::uint64_t>(row.data(), run, kUnwrittenRun);
    layout.set<std::uint32_t>(row.data(), institution, kNoVertex);
    return row;
  }
};

/// /items: one row per item of every run.
struct ItemsLayout {
  RowLayout layout;
  std::size_t run = layout.add<std::uint64_t>("run");
  std::size_t item = layout.add<std::uint32_t>("item");
  std::size_t push = layout.add<std::uint32_t>("push");
  std::size_t topic = layout.add<std::uint32_t>("topic");
  std::size_t appeal = layout.add<double>("appeal");
  std::size_t sensitivity = layout.add<double>("sensitivity");
  std::size_t valence = layout.add<double>("valence");
  std::size_t publish_step = layout.add<std::int64_t>("publish_step");
  std::size_t blocked = layout.add<std::uint8_t>("blocked");
  std::size_t takedown_step = layout.add<std::int64_t>("takedown_step");
  std::size_t reads = layout.add<std::uint64_t>("reads");
  std::size_t shares = layout.add<std::uint64_t>("shares");
  std::size_t first_hop_shares = layout.add<std::uint64_t>("first_hop_shares");
  std::size_t reach = layout.add<std::uint64_t>("reach");
  std::size_t depth = layout.add<std::uint32_t>("depth");

  void fill(std::byte* row, RunId r, const ItemRecord& it) const {
    layout.set<std::uint64_t>(row, run, r);
    layout.set<std::uint32_t>(row, item, it.item);
    layout.set<std::uint32_t>(row, push, it.push);
    layout.set<std::uint32_t>(row, topic, it.topic);
    layout.set<double>(row, appeal, it.appeal);
    layout.set<double>(row, sensitivity, it.sensitivity);
    layout.set<double>(row, valence, it.valence);
    layout.set<std::int64_t>(row, publish_step, it.publish_step);
    layout.set<std::uint8_t>(row, blocked, it.blocked ? 1 : 0);
    layout.set<std::int64_t>(row, takedown_step, it.takedown_step);
    layout.set<std::uint64_t>(row, reads, it.reads);
    layout.set<std::uint64_t>(row, shares, it.shares);
    layout.set<std::uint64_t>(row, first_hop_shares, it.first_hop_shares);
    layout.set<std::uint64_t>(row, reach, it.reach);
    layout.set<std::uint32_t>(row, depth, it.depth);
  }
};

}  // namespace softpower::detail
