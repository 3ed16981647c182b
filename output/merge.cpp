#include "output/merge.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <variant>

#include "output/result_reader.hpp"
#include "output/result_writer.hpp"
#include "sim/error.hpp"

namespace softpower {
namespace {

struct Input {
  std::filesystem::path path;
  std::unique_ptr<ResultReader> reader;
  [[nodiscard]] const Provenance& prov() const { return reader->provenance(); }
  [[nodiscard]] const SweepInfo& sweep() const { return *prov().sweep; }
  [[nodiscard]] std::string name() const { return path.string(); }
};

bool same_metrics(const std::vector<MetricSpec>& a, const std::vector<MetricSpec>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return x.name == y.name && x.unit == y.unit && x.description == y.description;
  });
}

bool same_series(const std::vector<SeriesSpec>& a, const std::vector<SeriesSpec>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return x.name == y.name && x.unit == y.unit && x.description == y.description &&
           x.columns == y.columns;
  });
}

std::vector<std::string> column_names(const SweepInfo& sweep) {
  std::vector<std::string> names;
  for (const ParamColumn& c : sweep.columns) {
    names.push_back(fmt::format("{}:{}", c.name, c.by_point.index()));
  }
  return names;
}

/// Throws unless `b` has the layout of `a`: the same time grid, sweep shape, /params columns,
/// metrics, series, snapshot users and events layout.
void check_same_layout(const Input& a, const Input& b) {
  const auto differ = [&](const std::string& what) {
    throw InputError(fmt::format("{}: {} differs from {}: the files do not belong to one sweep",
                                 b.name(), what, a.name()));
  };
  const Provenance& pa = a.prov();
  const Provenance& pb = b.prov();
  if (pa.num_steps != pb.num_steps || pa.step_hours != pb.step_hours) {
    differ(fmt::format("the time grid ({} steps of {} h, not {} of {} h)", pb.num_steps,
                       pb.step_hours, pa.num_steps, pa.step_hours));
  }
  const SweepInfo& sa = a.sweep();
  const SweepInfo& sb = b.sweep();
  if (sa.num_points != sb.num_points || sa.replicates != sb.replicates ||
      sa.total_runs != sb.total_runs || sa.seeds != sb.seeds) {
    differ("the sweep shape (points, replicates, seeds)");
  }
  if (column_names(sa) != column_names(sb)) differ("the set of swept /params columns");
  if (!same_metrics(a.reader->metrics(), b.reader->metrics())) differ("the list of metrics");
  if (!same_series(a.reader->series(), b.reader->series())) differ("the list of float series");
  if (a.reader->snapshot_users() != b.reader->snapshot_users()) {
    differ(fmt::format("the attitude snapshot users ({}, not {})", b.reader->snapshot_users(),
                       a.reader->snapshot_users()));
  }
  const EventsLayout ea = a.reader->events_layout();
  const EventsLayout eb = b.reader->events_layout();
  if (ea != eb) {
    differ(fmt::format(
        "the events layout ({} vertices and {} attitude users, not {} and {}; 0 vertices: no "
        "events)",
        eb.vertices, eb.attitude_users, ea.vertices, ea.attitude_users));
  }
}

/// Where a run of the sweep is stored: input and row.
struct Location {
  std::size_t input = std::numeric_limits<std::size_t>::max();
  std::size_t row = 0;
  [[nodiscard]] bool found() const { return input != std::numeric_limits<std::size_t>::max(); }
};

template <class T>
std::string list_at_most_10(const std::vector<T>& values, std::uint64_t total) {
  return fmt::format("{}{}", fmt::join(values, ", "), total > values.size() ? ", ..." : "");
}

}  // namespace

MergeSummary merge_results(const std::vector<std::filesystem::path>& inputs,
                           const std::filesystem::path& output, const std::string& command_line) {
  if (inputs.empty()) throw InputError("merge: no input files");
  std::vector<Input> in;
  for (const std::filesystem::path& path : inputs) {
    std::error_code ec;
    if (std::filesystem::exists(output, ec) && std::filesystem::equivalent(path, output, ec)) {
      throw InputError(
          fmt::format("{}: is both an input and the output of the merge", path.string()));
    }
    Input input{.path = path, .reader = std::make_unique<ResultReader>(path)};
    if (!input.prov().sweep) {
      throw InputError(fmt::format(
          "{}: not a sweep shard (no sweep_fingerprint attribute: written by `softpower run`, "
          "not `softpower sweep`)",
          path.string()));
    }
    in.push_back(std::move(input));
  }

  // One sweep, one shard count, one layout; each shard once.
  const Input& first = in.front();
  const std::uint32_t num_shards = first.sweep().num_shards;
  std::vector<const Input*> by_shard(num_shards, nullptr);
  for (const Input& input : in) {
    const SweepInfo& s = input.sweep();
    if (s.fingerprint != first.sweep().fingerprint) {
      throw InputError(fmt::format(
          "{}: sweep fingerprint {} differs from {} of {}: the files belong to different sweeps "
          "(or softpower versions)",
          input.name(), s.fingerprint, first.sweep().fingerprint, first.name()));
    }
    if (s.num_shards != num_shards) {
      throw InputError(fmt::format("{}: shard {}/{}, but {} is a shard of {}", input.name(),
                                   s.shard, s.num_shards, first.name(), num_shards));
    }
    check_same_layout(first, input);
    if (by_shard[s.shard] != nullptr) {
      throw InputError(fmt::format("{}: shard {}/{} is also {}", input.name(), s.shard, num_shards,
                                   by_shard[s.shard]->name()));
    }
    by_shard[s.shard] = &input;
  }
  std::vector<std::uint32_t> missing_shards;
  for (std::uint32_t k = 0; k < num_shards; ++k) {
    if (by_shard[k] == nullptr) missing_shards.push_back(k);
  }
  if (!missing_shards.empty()) {
    std::vector<std::string> names;
    for (const Input& input : in) names.push_back(input.name());
    throw InputError(fmt::format("merge: shard{} {} of {} missing (sweep {}; given {})",
                                 missing_shards.size() > 1 ? "s" : "",
                                 fmt::join(missing_shards, ", "), num_shards,
                                 first.sweep().fingerprint, fmt::join(names, ", ")));
  }

  // Every run of the sweep exactly once; each point's /params values from a file holding it.
  const SweepInfo& sweep = first.sweep();
  std::vector<Location> where(sweep.total_runs);
  SweepInfo merged_sweep = sweep;
  merged_sweep.shard = 0;
  merged_sweep.num_shards = 1;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const std::vector<RunId>& ids = in[i].prov().run_ids;
    for (std::size_t row = 0; row < ids.size(); ++row) {
      Location& loc = where[ids[row]];
      if (loc.found()) {
        throw InputError(
            fmt::format("{}: run {} is also in {}", in[i].name(), ids[row], in[loc.input].name()));
      }
      loc = {i, row};
      const std::uint64_t point = ids[row] / sweep.replicates;
      for (std::size_t c = 0; c < merged_sweep.columns.size(); ++c) {
        std::visit(
            [&](auto& values) {
              using V = std::decay_t<decltype(values)>;
              values[point] = std::get<V>(in[i].sweep().columns[c].by_point)[point];
            },
            merged_sweep.columns[c].by_point);
      }
    }
  }
  std::vector<RunId> missing_runs;
  std::uint64_t num_missing = 0;
  for (RunId run = 0; run < sweep.total_runs; ++run) {
    if (where[run].found()) continue;
    if (missing_runs.size() < 10) missing_runs.push_back(run);
    ++num_missing;
  }
  if (num_missing > 0) {
    throw InputError(
        fmt::format("merge: {} of the {} runs of sweep {} are in none of the files "
                    "(runs {})",
                    num_missing, sweep.total_runs, sweep.fingerprint,
                    list_at_most_10(missing_runs, num_missing)));
  }

  const Input& shard0 = *by_shard[0];
  Provenance prov = shard0.prov();
  prov.command_line = command_line;
  prov.num_runs = sweep.total_runs;
  prov.run_ids.clear();
  prov.sweep = std::move(merged_sweep);
  prov.merged_from.clear();
  for (const Input& input : in) {
    prov.threads = std::max(prov.threads, input.prov().threads);
    const std::string& start = input.prov().start_time;
    if (!start.empty() && (prov.start_time.empty() || start < prov.start_time)) {
      prov.start_time = start;
    }
    prov.merged_from.push_back(input.name());
  }

  ResultWriter writer(output, prov, shard0.reader->metrics(), shard0.reader->series(),
                      shard0.reader->snapshot_users(), shard0.reader->events_layout());
  for (RunId run = 0; run < sweep.total_runs; ++run) {
    const Location& loc = where[run];
    writer.write_run(in[loc.input].reader->read_run(loc.row));
  }
  writer.finish();
  return {.runs = sweep.total_runs, .shards = in.size()};
}

}  // namespace softpower
