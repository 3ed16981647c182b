#include "output/detail/result_checks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <utility>
#include <variant>

#include "output/detail/result_layout.hpp"

namespace softpower::detail {
namespace {

bool snake_case(const std::string& name) {
  if (name.empty() || name[0] < 'a' || name[0] > 'z') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

/// The datasets of /metrics by name, with what claimed each, so a clash names both claimants.
class MetricsNames {
 public:
  MetricsNames() {
    for (const char* name : kMetricsScaleNames) names_.emplace(name, "a coordinate");
  }

  void claim(const std::string& name, const std::string& owner) {
    if (!snake_case(name)) {
      throw std::invalid_argument(fmt::format(
          "ResultWriter: {} name '{}' is not snake_case ([a-z][a-z0-9_]*)", owner, name));
    }
    const auto [it, fresh] = names_.emplace(name, owner);
    if (fresh) return;
    if (it->second == "a coordinate") {
      throw std::invalid_argument(
          fmt::format("ResultWriter: {} name '{}' is reserved for a coordinate", owner, name));
    }
    if (it->second == owner) {
      throw std::invalid_argument(fmt::format("ResultWriter: {} '{}' listed twice", owner, name));
    }
    throw std::invalid_argument(fmt::format(
        "ResultWriter: /metrics/{} would hold both the {} and the {}", name, it->second, owner));
  }

 private:
  std::map<std::string, std::string> names_;
};

void check_columns(const SeriesSpec& spec) {
  for (std::size_t c = 0; c < spec.columns.size(); ++c) {
    if (spec.columns[c].empty()) {
      throw std::invalid_argument(
          fmt::format("ResultWriter: series '{}' has an empty label for column {}", spec.name, c));
    }
    if (std::find(spec.columns.begin(), spec.columns.begin() + static_cast<std::ptrdiff_t>(c),
                  spec.columns[c]) != spec.columns.begin() + static_cast<std::ptrdiff_t>(c)) {
      throw std::invalid_argument(fmt::format("ResultWriter: series '{}' lists column '{}' twice",
                                              spec.name, spec.columns[c]));
    }
  }
}

void check_snapshots(const std::string& file, const ResultShape& shape, const RunResult& r) {
  const std::size_t count = r.snapshot_steps.size();
  if (shape.snapshot_users == 0 && (count > 0 || !r.snapshots.empty())) {
    throw std::invalid_argument(fmt::format(
        "{}: run {} has {} attitude snapshots ({} values), but the file was made without "
        "snapshots (snapshot_users = 0)",
        file, r.run, count, r.snapshots.size()));
  }
  const std::size_t expected = count * shape.snapshot_users;
  if (r.snapshots.size() != expected) {
    throw std::invalid_argument(fmt::format(
        "{}: run {} has {} snapshot values, expected snapshot_steps ({}) x snapshot_users ({}) "
        "= {}",
        file, r.run, r.snapshots.size(), count, shape.snapshot_users, expected));
  }
  for (std::size_t j = 0; j < count; ++j) {
    const Step step = r.snapshot_steps[j];
    if (step < 0 || step > shape.prov.num_steps) {
      throw std::invalid_argument(
          fmt::format("{}: run {} snapshot {} is at step {}, outside [0, num_steps = {}]", file,
                      r.run, j, step, shape.prov.num_steps));
    }
    if (j > 0 && step <= r.snapshot_steps[j - 1]) {
      throw std::invalid_argument(fmt::format(
          "{}: run {} snapshot steps must increase, but snapshot {} is at step {} after step {}",
          file, r.run, j, step, r.snapshot_steps[j - 1]));
    }
  }
}

void check_events_layout(const ResultShape& shape) {
  const EventsLayout& events = shape.events;
  if (!events.enabled()) {
    if (events.attitude_users > 0) {
      throw std::invalid_argument(fmt::format(
          "ResultWriter: events of {} attitude users, but of no vertices (events disabled)",
          events.attitude_users));
    }
    return;
  }
  if (events.vertices != shape.prov.num_vertices) {
    throw std::invalid_argument(
        fmt::format("ResultWriter: events of {} vertices, but the graph has {}", events.vertices,
                    shape.prov.num_vertices));
  }
  if (events.attitude_users > events.vertices) {
    throw std::invalid_argument(
        fmt::format("ResultWriter: events of {} attitude users exceed the graph's {} vertices",
                    events.attitude_users, events.vertices));
  }
}

void check_events(const std::string& file, const ResultShape& shape, const RunResult& r) {
  const EventsLayout& layout = shape.events;
  const UserEvents& e = r.events;
  if (!layout.enabled()) {
    if (e.recorded() || !e.reads.empty() || !e.attitude_initial.empty() ||
        !e.attitude_final.empty()) {
      throw std::invalid_argument(
          fmt::format("{}: run {} carries events ({} reads), but the file was made without events",
                      file, r.run, e.reads.size()));
    }
    return;
  }
  if (!e.recorded()) {
    throw std::invalid_argument(
        fmt::format("{}: run {} recorded no events (no first exposures), but the file holds events",
                    file, r.run));
  }
  if (e.first_exposure.size() != layout.vertices) {
    throw std::invalid_argument(
        fmt::format("{}: run {} has {} first exposures, expected one per vertex ({})", file, r.run,
                    e.first_exposure.size(), layout.vertices));
  }
  for (const auto& [name, values] :
       {std::pair{"initial", &e.attitude_initial}, std::pair{"final", &e.attitude_final}}) {
    if (values->size() != layout.attitude_users) {
      throw std::invalid_argument(
          fmt::format("{}: run {} has {} {} attitudes, expected attitude_users = {}", file, r.run,
                      values->size(), name, layout.attitude_users));
    }
  }
  for (std::size_t i = 0; i < e.reads.size(); ++i) {
    const ReadEvent& read = e.reads[i];
    const auto bad = [&](const std::string& why) {
      return std::invalid_argument(fmt::format("{}: run {} read {} (item {}, user {}) {}", file,
                                               r.run, i, read.item, read.user, why));
    };
    if (i > 0) {
      const ReadEvent& prev = e.reads[i - 1];
      if (std::pair(read.item, read.user) <= std::pair(prev.item, prev.user)) {
        throw bad(
            fmt::format("follows item {}, user {}: reads must be sorted strictly by (item, user)",
                        prev.item, prev.user));
      }
    }
    if (read.item >= r.items.size()) {
      throw bad(fmt::format("names an item the run does not have ({} items)", r.items.size()));
    }
    if (read.user >= layout.vertices) {
      throw bad(fmt::format("names a user outside the graph's {} vertices", layout.vertices));
    }
    if (read.parent >= layout.vertices && read.parent != kNoVertex) {
      throw bad(fmt::format("has parent {}, outside the graph's {} vertices", read.parent,
                            layout.vertices));
    }
    if (!valid_codes(read)) {
      throw bad(fmt::format("has an undefined code: via {}, outcome {}, share_channel {}",
                            static_cast<unsigned>(read.via), static_cast<unsigned>(read.outcome),
                            static_cast<unsigned>(read.share_channel)));
    }
  }
}

void check_run_ids(const Provenance& prov) {
  if (prov.run_ids.empty()) return;
  if (prov.run_ids.size() != prov.num_runs) {
    throw std::invalid_argument(fmt::format("ResultWriter: {} run ids for num_runs = {} rows",
                                            prov.run_ids.size(), prov.num_runs));
  }
  for (std::size_t i = 1; i < prov.run_ids.size(); ++i) {
    if (prov.run_ids[i] <= prov.run_ids[i - 1]) {
      throw std::invalid_argument(fmt::format(
          "ResultWriter: run ids must increase strictly, but row {} holds run {} after run {}", i,
          prov.run_ids[i], prov.run_ids[i - 1]));
    }
  }
}

void check_sweep(const Provenance& prov) {
  if (!prov.sweep) return;
  const SweepInfo& sweep = *prov.sweep;
  if (sweep.replicates < 1 || sweep.num_points < 1) {
    throw std::invalid_argument(
        fmt::format("ResultWriter: a sweep needs at least 1 point and 1 replicate, not {} x {}",
                    sweep.num_points, sweep.replicates));
  }
  if (sweep.num_points > sweep.total_runs / sweep.replicates ||
      sweep.total_runs != sweep.num_points * sweep.replicates) {
    throw std::invalid_argument(fmt::format(
        "ResultWriter: the sweep's total_runs = {} is not num_points ({}) x replicates ({})",
        sweep.total_runs, sweep.num_points, sweep.replicates));
  }
  if (sweep.num_shards < 1 || sweep.shard >= sweep.num_shards) {
    throw std::invalid_argument(fmt::format("ResultWriter: shard {} is not below num_shards = {}",
                                            sweep.shard, sweep.num_shards));
  }
  const RunId last = prov.run_ids.empty() ? prov.num_runs - 1 : prov.run_ids.back();
  if (last >= sweep.total_runs) {
    throw std::invalid_argument(
        fmt::format("ResultWriter: run {} is beyond the sweep's {} runs", last, sweep.total_runs));
  }
  std::map<std::string, std::string> names;
  for (const char* name : kParamsBuiltinColumns) names.emplace(name, "built-in");
  for (const ParamColumn& column : sweep.columns) {
    if (column.name.empty()) {
      throw std::invalid_argument("ResultWriter: a sweep column has an empty name");
    }
    const auto [it, fresh] = names.emplace(column.name, "sweep");
    if (!fresh) {
      throw std::invalid_argument(
          it->second == "built-in"
              ? fmt::format(
                    "ResultWriter: sweep column '{}' clashes with a built-in /params column",
                    column.name)
              : fmt::format("ResultWriter: sweep column '{}' listed twice", column.name));
    }
    const std::size_t values = std::visit([](const auto& v) { return v.size(); }, column.by_point);
    if (values != sweep.num_points) {
      throw std::invalid_argument(
          fmt::format("ResultWriter: sweep column '{}' has {} values, expected one per point ({})",
                      column.name, values, sweep.num_points));
    }
  }
}

}  // namespace

void check_result_shape(const ResultShape& shape) {
  const Provenance& prov = shape.prov;
  if (prov.num_runs < 1) throw std::invalid_argument("ResultWriter: num_runs must be at least 1");
  if (prov.num_steps < 1) throw std::invalid_argument("ResultWriter: num_steps must be at least 1");
  if (!(prov.step_hours > 0) || !std::isfinite(prov.step_hours)) {
    throw std::invalid_argument("ResultWriter: step_hours must be positive and finite");
  }
  check_run_ids(prov);
  check_sweep(prov);
  MetricsNames names;
  for (const MetricSpec& spec : shape.metrics) names.claim(spec.name, "metric");
  for (const SeriesSpec& spec : shape.series) {
    names.claim(spec.name, "series");
    if (spec.columns.empty()) continue;
    check_columns(spec);
    names.claim(spec.name + kColumnsSuffix, fmt::format("column labels of series '{}'", spec.name));
  }
  if (shape.snapshot_users > prov.num_vertices) {
    throw std::invalid_argument(
        fmt::format("ResultWriter: snapshot_users = {} exceeds the graph's {} vertices",
                    shape.snapshot_users, prov.num_vertices));
  }
  check_events_layout(shape);
}

void check_run_shape(const std::string& file, const ResultShape& shape, const RunResult& r) {
  const auto steps = static_cast<std::size_t>(shape.prov.num_steps);
  if (r.metrics.size() != shape.metrics.size()) {
    throw std::invalid_argument(fmt::format("{}: run {} has {} metric series, expected {}", file,
                                            r.run, r.metrics.size(), shape.metrics.size()));
  }
  for (std::size_t k = 0; k < r.metrics.size(); ++k) {
    if (r.metrics[k].size() != steps) {
      throw std::invalid_argument(
          fmt::format("{}: run {} metric '{}' has {} values, expected num_steps = {}", file, r.run,
                      shape.metrics[k].name, r.metrics[k].size(), steps));
    }
  }
  if (r.series.size() != shape.series.size()) {
    throw std::invalid_argument(fmt::format("{}: run {} has {} float64 series, expected {}", file,
                                            r.run, r.series.size(), shape.series.size()));
  }
  for (std::size_t k = 0; k < r.series.size(); ++k) {
    const SeriesSpec& spec = shape.series[k];
    if (r.series[k].size() != steps * spec.width()) {
      throw std::invalid_argument(fmt::format(
          "{}: run {} series '{}' has {} values, expected num_steps ({}) x columns ({}) = {}", file,
          r.run, spec.name, r.series[k].size(), steps, spec.width(), steps * spec.width()));
    }
  }
  check_snapshots(file, shape, r);
  check_events(file, shape, r);
}

}  // namespace softpower::detail
