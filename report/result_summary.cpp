#include "report/result_summary.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "output/result_reader.hpp"
#include "sim/error.hpp"

namespace softpower::report {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr const char* kReductions[] = {"final", "peak", "total", "mean"};
constexpr const char* kFollowersKey = "institution.followers";

std::string value_text(const ParamColumn& column, std::uint64_t point) {
  return std::visit(
      [&](const auto& values) -> std::string {
        using T = typename std::decay_t<decltype(values)>::value_type;
        if constexpr (std::is_same_v<T, std::string>) {
          return values[point];
        } else {
          return fmt::format("{}", values[point]);
        }
      },
      column.by_point);
}

/// The followers of a new account in the base scenario; NaN for an account placed otherwise.
double base_followers(const std::string& scenario_text) {
  try {
    const YAML::Node institution = YAML::Load(scenario_text)["institution"];
    if (institution && institution["placement"] &&
        institution["placement"].as<std::string>() == "new" && institution["followers"]) {
      return institution["followers"].as<double>();
    }
  } catch (const YAML::Exception&) {
    // A scenario the reader cannot parse only loses the open rate.
  }
  return kNaN;
}

std::vector<double> as_doubles(const std::vector<std::int64_t>& values) {
  return {values.begin(), values.end()};
}

/// Groups the rows: one group per point of a sweep of at most kMaxGroups points present, else
/// one per value of the first swept key (at most kMaxGroups of them, evenly spaced).
void group_rows(ResultSummary& s, const std::vector<std::uint64_t>& point_of_row) {
  const std::size_t rows = point_of_row.size();
  if (s.points.size() <= 1) {
    s.groups.push_back(
        {fmt::format("{} ({} run{})", s.prov.scenario_name, rows, rows == 1 ? "" : "s"), {}});
    s.groups[0].rows.resize(rows);
    std::iota(s.groups[0].rows.begin(), s.groups[0].rows.end(), std::size_t{0});
    return;
  }
  std::map<std::string, std::size_t> group_of_key;
  std::vector<std::string> key_of_point(s.points.size());
  const bool by_point = s.points.size() <= kMaxGroups;
  std::vector<std::string> keys;
  for (std::size_t p = 0; p < s.points.size(); ++p) {
    const auto& v = s.points[p].values;
    std::string key;
    if (by_point) {
      for (std::size_t a = 0; a < s.axes.size(); ++a)
        key += fmt::format("{}{}={}", a ? ", " : "", s.axes[a], v[a]);
    } else {
      key = fmt::format("{}={}", s.axes[0], v[0]);
    }
    key_of_point[p] = key;
    if (!group_of_key.contains(key)) {
      group_of_key.emplace(key, keys.size());
      keys.push_back(key);
    }
  }
  std::vector<std::size_t> chosen;  // indices into keys
  if (keys.size() <= kMaxGroups) {
    chosen.resize(keys.size());
    std::iota(chosen.begin(), chosen.end(), std::size_t{0});
  } else {
    for (std::size_t k = 0; k < kMaxGroups; ++k)
      chosen.push_back(k * (keys.size() - 1) / (kMaxGroups - 1));
  }
  std::map<std::string, std::size_t> slot;
  for (std::size_t k : chosen) {
    slot.emplace(keys[k], s.groups.size());
    s.groups.push_back({keys[k], {}});
  }
  std::map<std::uint64_t, std::size_t> index_of_point;
  for (std::size_t p = 0; p < s.points.size(); ++p) index_of_point.emplace(s.points[p].point, p);
  for (std::size_t r = 0; r < rows; ++r) {
    const auto it = slot.find(key_of_point[index_of_point.at(point_of_row[r])]);
    if (it != slot.end()) s.groups[it->second].rows.push_back(r);
  }
  if (!by_point) {
    s.grouping_note = fmt::format(
        "{} sweep points: the trajectory figures draw one band per value of {} over every value "
        "of the other swept keys{}; the heat map and the table show every point.",
        s.points.size(), s.axes[0],
        keys.size() > kMaxGroups
            ? fmt::format(" ({} of its {} values, evenly spaced)", kMaxGroups, keys.size())
            : "");
  }
}

}  // namespace

TimeBins choose_bins(std::int64_t num_steps, double step_hours) {
  TimeBins bins;
  const auto steps = static_cast<std::size_t>(std::max<std::int64_t>(num_steps, 1));
  const double day_steps = 24.0 / step_hours;
  const bool whole_day = std::abs(day_steps - std::round(day_steps)) < 1e-9 && day_steps >= 1;
  if (whole_day && static_cast<double>(steps) * step_hours >= 14 * 24) {
    bins.steps_per_bin = static_cast<std::size_t>(std::round(day_steps));
    bins.per = "per day";
  } else {
    bins.steps_per_bin = (steps + kMaxBins - 1) / kMaxBins;
    const double hours = static_cast<double>(bins.steps_per_bin) * step_hours;
    bins.per = hours == 1.0 ? "per hour" : fmt::format("per {:g} h", hours);
  }
  bins.count = (steps + bins.steps_per_bin - 1) / bins.steps_per_bin;
  for (std::size_t b = 0; b < bins.count; ++b) {
    const std::size_t end = std::min((b + 1) * bins.steps_per_bin, steps);
    bins.end_days.push_back(static_cast<double>(end) * step_hours / 24.0);
  }
  return bins;
}

std::vector<double> bin_series(const std::vector<double>& values, std::size_t width,
                               std::size_t column, const TimeBins& bins, Binning binning) {
  const std::size_t steps = values.size() / width;
  std::vector<double> out(bins.count, 0.0);
  double running = 0.0;
  for (std::size_t b = 0; b < bins.count; ++b) {
    const std::size_t begin = b * bins.steps_per_bin;
    const std::size_t end = std::min(begin + bins.steps_per_bin, steps);
    if (binning == Binning::kLast) {
      out[b] = end > 0 ? values[(end - 1) * width + column] : kNaN;
      continue;
    }
    double sum = 0.0;
    for (std::size_t s = begin; s < end; ++s) sum += values[s * width + column];
    running += sum;
    out[b] = binning == Binning::kSum ? sum : running;
  }
  return out;
}

std::string Outcome::label() const {
  return fmt::format("{} {}{}", reduction, name, unit.empty() ? "" : fmt::format(" ({})", unit));
}

Outcome parse_outcome(const std::string& spec, const std::vector<MetricSpec>& metrics,
                      const std::vector<SeriesSpec>& series) {
  const std::size_t colon = spec.find(':');
  const std::string name = spec.substr(0, colon);
  std::string reduction = colon == std::string::npos ? "" : spec.substr(colon + 1);
  std::vector<std::string> valid;
  Outcome out;
  bool found = false;
  for (const auto& m : metrics) {
    valid.push_back(m.name);
    if (m.name == name) {
      found = true;
      out = {name, name.ends_with("_cumulative") ? "final" : "total", m.unit};
    }
  }
  for (const auto& s : series) {
    if (!s.columns.empty()) continue;
    valid.push_back(s.name);
    if (s.name == name) {
      found = true;
      out = {name, "final", s.unit};
    }
  }
  const bool reduction_ok =
      reduction.empty() ||
      std::find(std::begin(kReductions), std::end(kReductions), reduction) != std::end(kReductions);
  if (!found || !reduction_ok) {
    throw InputError(fmt::format(
        "unknown --metric '{}': use NAME or NAME:REDUCTION with NAME one of {} and REDUCTION one "
        "of final, peak, total, mean (default: {})",
        spec, fmt::join(valid, ", "), kDefaultOutcome));
  }
  if (!reduction.empty()) out.reduction = reduction;
  return out;
}

double reduce(const std::vector<double>& values, const std::string& reduction) {
  if (values.empty()) return kNaN;
  if (reduction == "final") return values.back();
  double best = -std::numeric_limits<double>::infinity(), sum = 0.0;
  std::size_t n = 0;
  for (double v : values) {
    if (std::isnan(v)) continue;
    best = std::max(best, v);
    sum += v;
    ++n;
  }
  if (n == 0) return kNaN;
  if (reduction == "peak") return best;
  if (reduction == "total") return sum;
  return sum / static_cast<double>(n);
}

bool ResultSummary::has_metric(const std::string& name) const {
  return std::any_of(metrics.begin(), metrics.end(),
                     [&](const MetricSpec& m) { return m.name == name; });
}

const SeriesSpec* ResultSummary::find_series(const std::string& name) const {
  const auto it = std::find_if(series.begin(), series.end(),
                               [&](const SeriesSpec& s) { return s.name == name; });
  return it == series.end() ? nullptr : &*it;
}

ResultSummary summarize_result(const std::filesystem::path& file, const std::string& outcome_spec) {
  const ResultReader reader(file);
  ResultSummary s;
  s.file = file;
  s.prov = reader.provenance();
  s.softpower_version = reader.softpower_version();
  s.end_time = reader.end_time();
  s.metrics = reader.metrics();
  s.series = reader.series();
  s.outcome =
      parse_outcome(outcome_spec.empty() ? kDefaultOutcome : outcome_spec, s.metrics, s.series);
  s.bins = choose_bins(s.prov.num_steps, s.prov.step_hours);
  const std::size_t rows = s.prov.run_ids.size();

  // Points present, in point order, and each row's point.
  std::vector<std::uint64_t> point_of_row(rows, 0);
  std::map<std::uint64_t, std::size_t> point_index;
  const std::uint64_t replicates = s.prov.sweep ? s.prov.sweep->replicates : rows;
  for (std::size_t r = 0; r < rows; ++r) {
    point_of_row[r] = s.prov.sweep ? s.prov.run_ids[r] / replicates : 0;
    point_index.emplace(point_of_row[r], 0);
  }
  if (s.prov.sweep) {
    for (const auto& c : s.prov.sweep->columns) s.axes.push_back(c.name);
  }
  for (auto& [point, index] : point_index) {
    index = s.points.size();
    PointRuns pr{.point = point, .values = {}, .outcome = {}};
    if (s.prov.sweep)
      for (const auto& c : s.prov.sweep->columns) pr.values.push_back(value_text(c, point));
    s.points.push_back(std::move(pr));
  }
  group_rows(s, point_of_row);

  std::vector<int> group_of_row(rows, -1), slot_of_row(rows, 0);
  for (std::size_t g = 0; g < s.groups.size(); ++g) {
    for (std::size_t k = 0; k < s.groups[g].rows.size(); ++k) {
      group_of_row[s.groups[g].rows[k]] = static_cast<int>(g);
      slot_of_row[s.groups[g].rows[k]] = static_cast<int>(k);
    }
  }
  const double followers = base_followers(s.prov.scenario_text);
  const auto followers_axis = std::find(s.axes.begin(), s.axes.end(), kFollowersKey);

  // Where each dataset sits in RunResult.
  std::map<std::string, std::size_t> metric_at, series_at;
  for (std::size_t k = 0; k < s.metrics.size(); ++k) metric_at.emplace(s.metrics[k].name, k);
  for (std::size_t k = 0; k < s.series.size(); ++k) series_at.emplace(s.series[k].name, k);
  const bool outcome_is_metric = metric_at.contains(s.outcome.name);
  const auto histogram = series_at.find("attitude_histogram");
  const auto community = series_at.find("attitude_mean_by_community");
  if (histogram != series_at.end()) s.histogram_columns = s.series[histogram->second].columns;

  s.data.resize(s.groups.size());
  for (std::size_t g = 0; g < s.groups.size(); ++g) {
    GroupData& d = s.data[g];
    const std::size_t n = s.groups[g].rows.size();
    d.delivered.assign(n, 0);
    d.taken_down.assign(n, 0);
    d.ordinary.assign(n, 0);
    d.ordinary_taken_down.assign(n, 0);
    d.followers.assign(n, followers);
    if (histogram != series_at.end()) {
      d.histogram.assign(s.histogram_columns.size(), std::vector<double>(s.bins.count, 0.0));
    }
  }

  for (std::size_t row = 0; row < rows; ++row) {
    const RunResult run = reader.read_run(row, {.snapshots = false, .events = false});
    const std::vector<double> outcome_values =
        outcome_is_metric ? as_doubles(run.metrics[metric_at.at(s.outcome.name)])
                          : run.series[series_at.at(s.outcome.name)];
    s.points[point_index.at(point_of_row[row])].outcome.push_back(
        reduce(outcome_values, s.outcome.reduction));
    if (group_of_row[row] < 0) continue;
    GroupData& d = s.data[static_cast<std::size_t>(group_of_row[row])];
    const auto slot = static_cast<std::size_t>(slot_of_row[row]);
    const std::size_t n = s.groups[static_cast<std::size_t>(group_of_row[row])].rows.size();
    const auto store = [&](const std::string& key, std::vector<double> binned) {
      auto& runs = d.trajectories[key];
      runs.resize(n);
      runs[slot] = std::move(binned);
    };
    for (const TrajectorySpec& t : kTrajectories) {
      if (const auto m = metric_at.find(t.name); m != metric_at.end()) {
        store(t.name, bin_series(as_doubles(run.metrics[m->second]), 1, 0, s.bins, t.binning));
      } else if (const auto f = series_at.find(t.name); f != series_at.end()) {
        const SeriesSpec& spec = s.series[f->second];
        if (spec.columns.empty()) {
          store(t.name, bin_series(run.series[f->second], 1, 0, s.bins, t.binning));
        }
        for (std::size_t c = 0; c < spec.columns.size(); ++c) {
          store(t.name + std::string("/") + spec.columns[c],
                bin_series(run.series[f->second], spec.width(), c, s.bins, t.binning));
        }
      }
    }
    for (std::size_t k = 0; k < s.metrics.size(); ++k) {
      auto& totals = d.totals[s.metrics[k].name];
      totals.resize(n);
      totals[slot] = static_cast<double>(
          std::accumulate(run.metrics[k].begin(), run.metrics[k].end(), std::int64_t{0}));
    }
    for (const ItemRecord& item : run.items) {
      if (item.blocked) continue;
      const bool removed = item.takedown_step >= 0;
      const bool ordinary = item.sensitivity <= kOrdinarySensitivity;
      d.delivered[slot] += 1;
      d.taken_down[slot] += removed ? 1 : 0;
      d.ordinary[slot] += ordinary ? 1 : 0;
      d.ordinary_taken_down[slot] += ordinary && removed ? 1 : 0;
      d.item_reach.push_back(static_cast<double>(item.reach));
    }
    if (followers_axis != s.axes.end()) {
      const std::string text =
          s.points[point_index.at(point_of_row[row])].values[followers_axis - s.axes.begin()];
      d.followers[slot] = std::strtod(text.c_str(), nullptr);
    }
    if (histogram != series_at.end()) {
      const std::size_t width = s.histogram_columns.size();
      for (std::size_t c = 0; c < width; ++c) {
        const std::vector<double> binned =
            bin_series(run.series[histogram->second], width, c, s.bins, Binning::kLast);
        for (std::size_t b = 0; b < binned.size(); ++b)
          d.histogram[c][b] += binned[b] / static_cast<double>(n);
      }
    }
    if (community != series_at.end()) {
      const std::vector<double>& values = run.series[community->second];
      const std::size_t width = s.series[community->second].width();
      d.community_first.emplace_back(values.begin(),
                                     values.begin() + static_cast<std::ptrdiff_t>(width));
      d.community_last.emplace_back(values.end() - static_cast<std::ptrdiff_t>(width),
                                    values.end());
    }
  }
  return s;
}

}  // namespace softpower::report
