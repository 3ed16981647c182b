// Reads a complete softpower result file back into RunResults, row by row: what `softpower
// merge` needs to combine shard files. Memory: one run at a time, /params, and the first item of
// each row (found from the run column of /items when the file is opened).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "output/result_writer.hpp"
#include "sim/run_result.hpp"

namespace softpower {

/// Which optional parts of a run ResultReader::read_run reads: a reader that needs only the
/// metrics, series and items (`softpower report`) skips the per-user arrays, which are most of
/// a large run's bytes.
struct RunParts {
  bool snapshots = true;  // /attitude
  bool events = true;     // /events
};

class ResultReader {
 public:
  /// Opens FILE. Throws InputError naming FILE if it is missing, not HDF5, not a softpower
  /// result file, of an unknown format_version, incomplete (a .partial file, or a /params row
  /// whose run was never written: "incomplete result file ...") or inconsistent (run ids not
  /// increasing, /items not sorted by row, datasets of the wrong shape, /events/read_count not
  /// adding up to the rows of /events/reads).
  explicit ResultReader(const std::filesystem::path& file);
  ResultReader(const ResultReader&) = delete;
  ResultReader& operator=(const ResultReader&) = delete;
  ~ResultReader();

  /// Provenance as written: every root attribute the writer writes, /scenario, run_ids (filled
  /// in even for a plain file) and, in a sweep file, the sweep. A sweep column's by_point holds
  /// the values of the points with a row in this file; the others (possible in a shard file)
  /// are 0, NaN or "".
  [[nodiscard]] const Provenance& provenance() const;
  /// The file's `format_version` (1 .. kResultFormatVersion).
  [[nodiscard]] std::uint32_t format_version() const;
  /// The root attributes softpower_version (of the softpower that wrote the file) and end_time
  /// (when the file was completed); "" if absent.
  [[nodiscard]] const std::string& softpower_version() const;
  [[nodiscard]] const std::string& end_time() const;
  /// The int64 datasets of /metrics, in the order they were written (the writer's order).
  [[nodiscard]] const std::vector<MetricSpec>& metrics() const;
  /// The float64 series of /metrics, in the writer's order, with their column labels.
  [[nodiscard]] const std::vector<SeriesSpec>& series() const;
  /// Users per attitude snapshot; 0 in a file without /attitude.
  [[nodiscard]] VertexId snapshot_users() const;
  /// The shape of /events: {0, 0} in a file without events (every file written before they
  /// existed), else the vertices of /events/first_exposure and the users of the attitudes (0
  /// without them).
  [[nodiscard]] EventsLayout events_layout() const;

  /// The run stored in row `row` (0 <= row < provenance().num_runs), exactly as it was passed to
  /// ResultWriter::write_run (items in item order, snapshots only the run's own, events if the
  /// file has them). Throws std::out_of_range for a row past the end, InputError if the file
  /// cannot be read or a read in /events/reads is not of the row's run or has an undefined code.
  /// Optional parts not asked for in `parts` are left empty.
  [[nodiscard]] RunResult read_run(std::size_t row, RunParts parts = {}) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace softpower
