// What the result writer accepts: the names and shape of a file (checked before it is created)
// and the shape of each run (checked before any of it is written, so a rejected run leaves the
// file as it was). Every failure is a std::invalid_argument saying what was expected.
#pragma once

#include <string>
#include <vector>

#include "output/result_writer.hpp"
#include "sim/run_result.hpp"
#include "sim/types.hpp"

namespace softpower::detail {

/// Everything that fixes the layout of one result file.
struct ResultShape {
  Provenance prov;
  std::vector<MetricSpec> metrics;
  std::vector<SeriesSpec> series;
  VertexId snapshot_users = 0;  // 0: no /attitude group
  EventsLayout events;          // disabled: no /events group
};

/// Throws if the file cannot be laid out: no runs or steps, step_hours not positive, run_ids
/// not strictly increasing or not one per row, a name that is not snake_case, reserved for a
/// coordinate or taken twice in /metrics (a series with columns also takes <name>_columns), an
/// empty or repeated column label, or more snapshot users than the graph has vertices. With a
/// sweep: no points or replicates, total_runs != num_points x replicates, a run id not below
/// total_runs, shard not below num_shards, or a sweep column that is unnamed, repeated, named
/// like a built-in /params column or without exactly one value per point. With events: vertices
/// other than the graph's, or more attitude users than vertices (attitude users without events
/// too).
void check_result_shape(const ResultShape& shape);

/// Throws, naming `file` and the run, if `r` does not fit `shape`: one series of num_steps
/// values per metric, of num_steps x width values per float series, snapshot_steps.size() x
/// snapshot_users snapshot values, snapshot steps strictly increasing within [0, num_steps].
/// With events: recorded events of the layout's shape, reads sorted strictly by (item, user)
/// naming one of the run's items, vertices of the graph (or no parent) and defined codes;
/// without: no recorded events, which the file could not hold.
void check_run_shape(const std::string& file, const ResultShape& shape, const RunResult& r);

}  // namespace softpower::detail
