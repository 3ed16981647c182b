// What the report draws, read from a result file in one pass over its rows: per-run
// trajectories reduced to time bins, per-run totals, item sizes, attitude histograms and
// community means, grouped into at most kMaxGroups groups of runs (the points of a small sweep),
// and the chosen outcome of every run for the sweep heat map. Memory: a few numbers per run and
// bin, never a run's per-user arrays (snapshots and events are not read).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "output/result_writer.hpp"

namespace softpower::report {

/// Bands drawn per trajectory figure at most: one per group.
inline constexpr std::size_t kMaxGroups = 8;

/// How a trajectory's steps become time bins.
enum class Binning {
  kSum,         // per-step counts, added up per bin
  kCumulative,  // per-step counts, summed from the start (items blocked so far)
  kLast,        // the value at the bin's last step (cumulative counts, attitudes)
};

struct TrajectorySpec {
  const char* name;
  Binning binning;
};

/// The series the trajectory figures draw; absent ones are skipped. A series with columns is
/// stored per column as "<name>/<column label>".
inline constexpr TrajectorySpec kTrajectories[] = {
    {"reach_cumulative", Binning::kLast},
    {"opens_push", Binning::kSum},
    {"opens_moments", Binning::kSum},
    {"opens_chat", Binning::kSum},
    {"opens_group", Binning::kSum},
    {"opens_wow", Binning::kSum},
    {"shares", Binning::kSum},
    {"blocked", Binning::kCumulative},
    {"taken_down", Binning::kCumulative},
    {"shares_filtered", Binning::kSum},
    {"shares_self_censored", Binning::kSum},
    {"attitude_mean", Binning::kLast},
    {"soft_power_index", Binning::kLast},
    {"soft_power_index_reached", Binning::kLast},
    {"soft_power_index_readers", Binning::kLast},
    {"attitude_mean_by_region", Binning::kLast},
};

/// The report's time bins: whole days for horizons of two weeks or more (hourly counts
/// mostly show the diurnal cycle), else up to kMaxBins bins of equal length.
struct TimeBins {
  std::size_t steps_per_bin = 1;
  std::size_t count = 0;
  std::vector<double> end_days;  // time at the end of each bin, in days
  std::string per;               // "per day", "per hour", "per 6 h"
};
inline constexpr std::size_t kMaxBins = 240;
[[nodiscard]] TimeBins choose_bins(std::int64_t num_steps, double step_hours);

/// Reduces one run's series (values[s * width + column]) to bins.
[[nodiscard]] std::vector<double> bin_series(const std::vector<double>& values, std::size_t width,
                                             std::size_t column, const TimeBins& bins,
                                             Binning binning);

/// The sweep outcome: a metric or series without columns, reduced over the steps of each run.
struct Outcome {
  std::string name;       // dataset under /metrics
  std::string reduction;  // final, peak, total or mean
  std::string unit;
  [[nodiscard]] std::string label() const;  // e.g. "final reach_cumulative (users)"
};
inline constexpr const char* kDefaultOutcome = "reach_cumulative:final";

/// Parses NAME or NAME:REDUCTION against the file's datasets. A bare NAME takes "final" for a
/// cumulative count or a float series and "total" for a per-step count. Throws InputError
/// listing every valid name and reduction.
[[nodiscard]] Outcome parse_outcome(const std::string& spec, const std::vector<MetricSpec>& metrics,
                                    const std::vector<SeriesSpec>& series);

/// The outcome of one run from its full-resolution series (NaN steps are skipped by peak and
/// mean; final is the last step's value).
[[nodiscard]] double reduce(const std::vector<double>& values, const std::string& reduction);

/// Runs drawn as one band in the trajectory figures.
struct Group {
  std::string label;
  std::vector<std::size_t> rows;  // /params rows
};

/// One sweep point present in the file.
struct PointRuns {
  std::uint64_t point = 0;
  std::vector<std::string> values;  // one per swept key, as text
  std::vector<double> outcome;      // one per run of the point present in the file
};

/// Per-group data; vectors indexed by the group's runs.
struct GroupData {
  std::map<std::string, std::vector<std::vector<double>>> trajectories;  // name -> [run][bin]
  std::map<std::string, std::vector<double>> totals;  // int metric -> per-run sum over steps
  // Per run, over its items not blocked at publication: how many, how many taken down, and the
  // same for ordinary items (sensitivity <= kOrdinarySensitivity, P22's baseline).
  std::vector<double> delivered, taken_down, ordinary, ordinary_taken_down;
  std::vector<double> followers;   // per run: the followers of a new account; NaN otherwise
  std::vector<double> item_reach;  // reach of every item not blocked, every run
  std::vector<std::vector<double>> histogram;  // [bin of attitude][time bin], mean over runs
  std::vector<std::vector<double>> community_first, community_last;  // [run][community]
};
inline constexpr double kOrdinarySensitivity = 0.1;

struct ResultSummary {
  std::filesystem::path file;
  Provenance prov;
  std::string softpower_version;  // of the softpower that wrote the file
  std::string end_time;
  std::vector<MetricSpec> metrics;
  std::vector<SeriesSpec> series;
  TimeBins bins;
  std::vector<Group> groups;
  std::string grouping_note;    // how runs were grouped, when not one group per point
  std::vector<GroupData> data;  // one per group
  std::vector<std::string> histogram_columns;  // attitude bin labels; empty without histogram
  std::vector<std::string> axes;               // swept keys, in axis order
  std::vector<PointRuns> points;               // sweep points present, in point order
  Outcome outcome;
  [[nodiscard]] bool has_metric(const std::string& name) const;
  [[nodiscard]] const SeriesSpec* find_series(const std::string& name) const;
};

/// Reads FILE (any complete result file: a run, a sweep, a shard or a merged sweep) with
/// ResultReader. Throws InputError for a file ResultReader refuses or an unknown outcome.
[[nodiscard]] ResultSummary summarize_result(const std::filesystem::path& file,
                                             const std::string& outcome_spec);

}  // namespace softpower::report
