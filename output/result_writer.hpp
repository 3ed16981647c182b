// The HDF5 result file of one run or sweep: provenance, /params, /metrics/<name> (int64 metrics
// and float64 series), /items, optional /attitude snapshots and optional /events.
// docs/output-format.md describes every dataset and attribute.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sim/run_result.hpp"
#include "sim/types.hpp"

namespace softpower {

/// Version of the result file layout, stored as the root attribute `format_version`. Readers
/// accept files whose version they know; additions that old readers can ignore (a new column,
/// dataset or attribute) do not bump it. Version 2: graph checksums are SocialGraph::checksum()
/// (block XXH64); version 1 files recorded SocialGraph::fnv1a_checksum().
inline constexpr std::uint32_t kResultFormatVersion = 2;

/// One swept scenario key: its /params column, with one value per sweep point.
struct ParamColumn {
  std::string name;  // the key path, e.g. "censorship.strength"
  std::variant<std::vector<std::int64_t>, std::vector<double>, std::vector<std::string>> by_point;
};

/// What makes a file part of a sweep. Run ids are point-major: point = run / replicates,
/// replicate = run % replicates.
struct SweepInfo {
  std::string fingerprint;            // sweep_fingerprint(): equal for every shard of one sweep
  std::string text;                   // the sweep block as written (YAML); stored as /sweep
  std::string seeds = "independent";  // or "common"
  std::uint64_t replicates = 1;
  std::uint64_t num_points = 1;
  std::uint64_t total_runs = 1;  // runs of the whole sweep; a shard file holds some of them
  std::uint32_t shard = 0;       // this file's shard, 0-based
  std::uint32_t num_shards = 1;
  std::vector<ParamColumn> columns;  // one per axis, in axis order
};

/// Where a result file came from; every field becomes a root attribute (the scenario text the
/// /scenario dataset, the sweep text /sweep, run_ids the run column of /params).
struct Provenance {
  std::string scenario_name;
  std::string scenario_text;  // full effective YAML
  /// Absolute folder of the scenario file: relative graph paths in scenario_text resolve against
  /// it (`softpower export` rebuilds the graph). Attribute `scenario_dir`, written if not empty.
  std::string scenario_dir;
  std::string command_line;
  std::string graph_description;
  std::uint64_t seed = 0;
  std::uint64_t graph_checksum = 0;
  int threads = 1;
  VertexId num_vertices = 0;
  ArcId num_arcs = 0;
  double step_hours = 1.0;
  Step num_steps = 0;  // length of every metric series
  RunId num_runs = 1;  // rows of the file
  /// The run id of each row, strictly increasing; empty means 0 .. num_runs-1. A shard file
  /// holds a subset of its sweep's run ids.
  std::vector<RunId> run_ids;
  std::optional<SweepInfo> sweep;  // absent: a plain run (point 0, replicate = run)
  std::string start_time;          // ISO 8601 UTC, see iso8601_utc_now()
  /// The files `softpower merge` combined into this one; the attribute `merged_from` (joined
  /// with newlines) is written only when this is not empty.
  std::vector<std::string> merged_from;
};

/// The current time as ISO 8601 UTC with second precision, e.g. "2024-05-01T12:34:56Z".
std::string iso8601_utc_now();

/// Writes one result file. Runs arrive in any order, each exactly once; metric rows and /params
/// rows are written (and the file flushed) as each run arrives, items (and event reads) in row
/// order as soon as every earlier row has arrived. Row i holds run prov.run_ids[i] (run i without
/// run_ids). The file is built as FINAL_PATH.partial and only renamed to FINAL_PATH by a successful
/// finish(), so a file under the final name is always complete.
///
/// Calls must not overlap: serialize them (a writer queue, or a mutex around write_run).
class ResultWriter {
 public:
  /// Creates FINAL_PATH.partial (and missing parent directories), truncating a stale one.
  /// Throws RuntimeFailure naming the path if that fails, std::invalid_argument for an
  /// impossible shape (no runs, no steps, step_hours <= 0, run_ids not strictly increasing or
  /// not num_runs of them), a bad or duplicate metric name, or an inconsistent sweep (see
  /// detail::check_result_shape).
  /// The file holds no float64 series and no /attitude group.
  ResultWriter(std::filesystem::path final_path, const Provenance& prov,
               std::vector<MetricSpec> metrics);
  /// As above, plus one float64 dataset /metrics/<name> per series and, if `snapshot_users` > 0,
  /// /attitude/snapshot_steps and /attitude/snapshots of that many users. Also throws
  /// std::invalid_argument for a bad series name, one shared with a metric or another series
  /// (a series with columns also claims <name>_columns), an empty or repeated column label,
  /// or snapshot_users > prov.num_vertices.
  ///
  /// With `events.enabled()`, also the /events group: every run's reads, first exposures (of
  /// events.vertices, which must be prov.num_vertices), initial and final attitudes (of
  /// events.attitude_users <= vertices; none if 0) and graph checksum. Throws
  /// std::invalid_argument for any other events layout.
  ResultWriter(std::filesystem::path final_path, const Provenance& prov,
               std::vector<MetricSpec> metrics, std::vector<SeriesSpec> series,
               VertexId snapshot_users, EventsLayout events = {});
  ResultWriter(const ResultWriter&) = delete;
  ResultWriter& operator=(const ResultWriter&) = delete;
  ResultWriter(ResultWriter&&) noexcept;
  ResultWriter& operator=(ResultWriter&&) noexcept;
  /// Without a successful finish(): closes the file and leaves FINAL_PATH.partial, never the
  /// final name.
  ~ResultWriter();

  /// Stores one run in the row of its run id. Throws std::logic_error if `r.run` is not one of
  /// the file's run ids, is already written, or the writer is finished; std::invalid_argument,
  /// writing nothing, if `r.metrics` does not hold num_steps values per metric, `r.series`
  /// num_steps x width values per series, or `r.snapshots` snapshot_steps.size() x snapshot_users
  /// values, or if the snapshot steps are not strictly increasing within [0, num_steps];
  /// also if the file has events and `r.events` are not recorded in its layout (first exposure
  /// per vertex, attitudes per attitude user, reads sorted strictly by (item, user) with item <
  /// r.items.size(), user and parent (or kNoVertex) vertices, defined channel and outcome
  /// codes), or if the file has none and `r.events` holds any (never silently dropped);
  /// RuntimeFailure on an HDF5 or I/O error (after which the writer only accepts destruction). Runs
  /// may have different numbers of snapshots.
  void write_run(const RunResult& r);

  /// Writes the end_time attribute, closes the file and renames FINAL_PATH.partial to FINAL_PATH.
  /// Throws std::logic_error listing missing run ids (nothing is changed and the writer stays
  /// usable), RuntimeFailure on an HDF5 or I/O error (e.g. a full disk; only the .partial file
  /// is left).
  void finish();

  /// Gives the file up because the disk is full elsewhere (a sweep's checkpoint could not be
  /// written): deletes FINAL_PATH.partial at once, so its space goes back to the disk as after a
  /// full disk in write_run, and returns "PARTIAL was removed to free the space (N run(s) had
  /// been written)" for the message. The writer then only accepts destruction.
  std::string discard();

  [[nodiscard]] const std::filesystem::path& final_path() const;
  [[nodiscard]] const std::filesystem::path& partial_path() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace softpower
