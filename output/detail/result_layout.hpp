// The result file's names and table rows, shared by the writer, `info` and the tests so the
// layout is spelled out once. docs/output-format.md is the user-facing description.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "output/result_writer.hpp"
#include "sim/detail/hdf5.hpp"
#include "sim/model.hpp"
#include "sim/run_result.hpp"
#include "sim/types.hpp"

namespace softpower::detail {

inline constexpr const char* kResultFileKind = "softpower-result";

/// Scalar string datasets: the effective scenario, and a sweep's block as written.
inline constexpr const char* kScenarioDataset = "scenario";
inline constexpr const char* kSweepDataset = "sweep";

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

/// Per-user events; the group exists only in files written with events enabled.
inline constexpr const char* kEventsGroup = "events";
inline constexpr const char* kEventReads = "events/reads";
inline constexpr const char* kEventReadCount = "events/read_count";
inline constexpr const char* kFirstExposure = "events/first_exposure";
inline constexpr const char* kAttitudeInitial = "events/attitude_initial";
inline constexpr const char* kAttitudeFinal = "events/attitude_final";
inline constexpr const char* kEventGraphChecksum = "events/graph_checksum";
/// The fill value of /events/first_exposure: never exposed (or a run not written yet).
inline constexpr Step kNeverExposed = -1;
/// Codes of ReadOutcome, by value, as stored in /events/reads.outcome.
inline constexpr std::array<const char*, 4> kReadOutcomeNames{"read", "shared", "share_filtered",
                                                              "self_censored"};

/// The /params columns every file has, in order; a sweep's columns follow them.
inline constexpr const char* kParamsBuiltinColumns[] = {"run",  "point",       "replicate",
                                                        "seed", "institution", "steps_run"};

/// How a swept /params column is stored.
enum class SweptKind { kInt64, kFloat64, kString };

/// One swept /params column as laid out in the file.
struct SweptColumn {
  std::string name;
  SweptKind kind = SweptKind::kInt64;
  std::size_t string_size = 0;  // a string column's bytes, terminator included
};

/// The layout of each sweep column: the kind its values have; strings sized to the longest
/// value plus the terminator.
inline std::vector<SweptColumn> swept_columns(const std::vector<ParamColumn>& columns) {
  std::vector<SweptColumn> out;
  for (const ParamColumn& c : columns) {
    SweptColumn column{.name = c.name, .kind = static_cast<SweptKind>(c.by_point.index())};
    if (const auto* text = std::get_if<std::vector<std::string>>(&c.by_point)) {
      std::size_t longest = 0;
      for (const std::string& value : *text) longest = std::max(longest, value.size());
      column.string_size = longest + 1;
    }
    out.push_back(std::move(column));
  }
  return out;
}

/// The point and replicate of run `run`: of its sweep, or point 0 and replicate = run without.
inline std::pair<std::uint64_t, std::uint64_t> point_and_replicate(const SweepInfo* sweep,
                                                                   RunId run) {
  if (sweep == nullptr) return {0, run};
  return {run / sweep->replicates, run % sweep->replicates};
}

/// /params: one row per run, the built-in columns then one per swept key.
struct ParamsLayout {
  RowLayout layout;
  std::size_t run = layout.add<std::uint64_t>("run");
  std::size_t point = layout.add<std::uint64_t>("point");
  std::size_t replicate = layout.add<std::uint64_t>("replicate");
  std::size_t seed = layout.add<std::uint64_t>("seed");
  std::size_t institution = layout.add<std::uint32_t>("institution");
  std::size_t steps_run = layout.add<std::int64_t>("steps_run");
  std::vector<SweptColumn> swept;
  std::vector<std::size_t> swept_index;  // layout column of swept[i]

  ParamsLayout() = default;
  explicit ParamsLayout(std::vector<SweptColumn> columns) : swept(std::move(columns)) {
    for (const SweptColumn& c : swept) {
      switch (c.kind) {
        case SweptKind::kInt64:
          swept_index.push_back(layout.add<std::int64_t>(c.name));
          break;
        case SweptKind::kFloat64:
          swept_index.push_back(layout.add<double>(c.name));
          break;
        case SweptKind::kString:
          swept_index.push_back(layout.add_string(c.name, c.string_size));
          break;
      }
    }
  }

  /// The row of run `r`; with a sweep, its point's values in the swept columns (whose
  /// `columns` must match `swept`).
  void fill(std::byte* row, const RunResult& r, const SweepInfo* sweep) const {
    const auto [p, rep] = point_and_replicate(sweep, r.run);
    layout.set<std::uint64_t>(row, run, r.run);
    layout.set<std::uint64_t>(row, point, p);
    layout.set<std::uint64_t>(row, replicate, rep);
    layout.set<std::uint64_t>(row, seed, r.seed);
    layout.set<std::uint32_t>(row, institution, r.institution);
    layout.set<std::int64_t>(row, steps_run, r.steps_run);
    if (sweep == nullptr) return;
    // A plain copy: clang before 16 cannot capture a structured binding in a lambda.
    const std::uint64_t point_index = p;
    for (std::size_t i = 0; i < swept_index.size(); ++i) {
      const std::size_t column = swept_index[i];
      std::visit(
          [&](const auto& values) {
            using T = typename std::decay_t<decltype(values)>::value_type;
            if constexpr (std::is_same_v<T, std::string>) {
              layout.set_string(row, column, values[point_index]);
            } else {
              layout.set<T>(row, column, values[point_index]);
            }
          },
          sweep->columns[i].by_point);
    }
  }
  [[nodiscard]] std::vector<std::byte> unwritten_row() const {
    std::vector<std::byte> row(layout.row_size());
    layout.set<std::uint64_t>(row.data(), run, kUnwrittenRun);
    layout.set<std::uint32_t>(row.data(), institution, kNoVertex);
    return row;
  }
};

/// The /params rows of an open result file, read whole, with the layout of their columns (a
/// sweep's columns recovered from the file's compound type: integer members as int64, floating
/// ones as float64, strings as fixed-length strings of the stored size). Files written before
/// the point and replicate columns existed read as point 0, replicate = run.
struct ParamsTable {
  ParamsLayout layout;
  std::size_t num_rows = 0;
  std::vector<std::byte> cells;  // num_rows x layout.layout.row_size()

  [[nodiscard]] const std::byte* row(std::size_t i) const {
    return cells.data() + i * layout.layout.row_size();
  }
  [[nodiscard]] RunId run(std::size_t i) const {
    return layout.layout.get<std::uint64_t>(row(i), layout.run);
  }
  /// Swept column `c` of row `i` as text: integers in decimal, floats as the shortest text that
  /// reads back to the same value.
  [[nodiscard]] std::string swept_text(std::size_t i, std::size_t c) const;
};

/// Reads /params of `file`; failures go through `check` (defined in result_reader.cpp).
/// Fails (InputError naming the file) when `rows` rows of `row_bytes` exceed the memory
/// available: a table a file claims is checked before it is allocated.
void check_fits_in_memory(const Checker& check, const std::string& what, std::uint64_t rows, std::size_t row_bytes);

/// `expected_rows` (the file's num_runs), when given, is checked before the table is allocated:
/// a forged or damaged file may claim 1e12 rows in a few bytes.
ParamsTable read_params(const Checker& check, hid_t file, std::optional<std::uint64_t> expected_rows = std::nullopt);

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
  /// The inverse of fill(), without the run.
  [[nodiscard]] ItemRecord record(const std::byte* row) const {
    return {.item = layout.get<std::uint32_t>(row, item),
            .push = layout.get<std::uint32_t>(row, push),
            .topic = layout.get<std::uint32_t>(row, topic),
            .appeal = layout.get<double>(row, appeal),
            .sensitivity = layout.get<double>(row, sensitivity),
            .valence = layout.get<double>(row, valence),
            .publish_step = layout.get<std::int64_t>(row, publish_step),
            .blocked = layout.get<std::uint8_t>(row, blocked) != 0,
            .takedown_step = layout.get<std::int64_t>(row, takedown_step),
            .reads = layout.get<std::uint64_t>(row, reads),
            .shares = layout.get<std::uint64_t>(row, shares),
            .first_hop_shares = layout.get<std::uint64_t>(row, first_hop_shares),
            .reach = layout.get<std::uint64_t>(row, reach),
            .depth = layout.get<std::uint32_t>(row, depth)};
  }
};

/// /events/reads: one row per read of every run.
struct ReadsLayout {
  RowLayout layout;
  std::size_t run = layout.add<std::uint64_t>("run");
  std::size_t item = layout.add<std::uint32_t>("item");
  std::size_t user = layout.add<std::uint32_t>("user");
  std::size_t step = layout.add<std::int64_t>("step");
  std::size_t parent = layout.add<std::uint32_t>("parent");
  std::size_t hop = layout.add<std::uint32_t>("hop");
  std::size_t via = layout.add<std::uint8_t>("via");
  std::size_t outcome = layout.add<std::uint8_t>("outcome");
  std::size_t share_channel = layout.add<std::uint8_t>("share_channel");

  void fill(std::byte* row, RunId r, const ReadEvent& e) const {
    layout.set<std::uint64_t>(row, run, r);
    layout.set<std::uint32_t>(row, item, e.item);
    layout.set<std::uint32_t>(row, user, e.user);
    layout.set<std::int64_t>(row, step, e.step);
    layout.set<std::uint32_t>(row, parent, e.parent);
    layout.set<std::uint32_t>(row, hop, e.hop);
    layout.set<std::uint8_t>(row, via, static_cast<std::uint8_t>(e.via));
    layout.set<std::uint8_t>(row, outcome, static_cast<std::uint8_t>(e.outcome));
    layout.set<std::uint8_t>(row, share_channel, static_cast<std::uint8_t>(e.share_channel));
  }
  /// The inverse of fill(), without the run. The codes are not checked here.
  [[nodiscard]] ReadEvent event(const std::byte* row) const {
    return {.item = layout.get<std::uint32_t>(row, item),
            .user = layout.get<std::uint32_t>(row, user),
            .step = layout.get<std::int64_t>(row, step),
            .parent = layout.get<std::uint32_t>(row, parent),
            .hop = layout.get<std::uint32_t>(row, hop),
            .via = static_cast<Channel>(layout.get<std::uint8_t>(row, via)),
            .outcome = static_cast<ReadOutcome>(layout.get<std::uint8_t>(row, outcome)),
            .share_channel = static_cast<Channel>(layout.get<std::uint8_t>(row, share_channel))};
  }
};

/// Whether the codes of a read are ones the file format defines.
inline bool valid_codes(const ReadEvent& e) {
  return static_cast<std::size_t>(e.via) < kNumChannels &&
         static_cast<std::size_t>(e.outcome) < kReadOutcomeNames.size() &&
         static_cast<std::size_t>(e.share_channel) < kNumChannels;
}

}  // namespace softpower::detail
