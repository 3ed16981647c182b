// `softpower rerun`: computes the runs of a result file again from what the file stores (its
// scenario, sweep block, seed and run ids; apps/replay.hpp) and checks that they reproduce the
// stored datasets bit for bit. Runs are compared in memory as they finish, so nothing is written
// anywhere. docs/hpc.md ("Reproducibility") lists what is compared and what is not, and why.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "apps/cli_support.hpp"
#include "apps/commands.hpp"
#include "apps/replay.hpp"
#include "output/result_reader.hpp"
#include "output/run_comparison.hpp"
#include "sim/error.hpp"
#include "sim/sweep.hpp"

namespace softpower::cli {
namespace {

// Detail lines printed per dataset before the rest are only counted: a change that breaks every
// run of a 1,000-run sweep should not bury the summary.
constexpr std::size_t kDetailsPerDataset = 10;

std::optional<RunId> parse_run_id(const std::string& text) {
  RunId value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

/// "3", "0,5,7" or "10-19" (inclusive), and lists of those: the ranges, as [first, last].
std::vector<std::pair<RunId, RunId>> parse_run_list(const std::string& text) {
  std::vector<std::pair<RunId, RunId>> ranges;
  std::stringstream items(text);
  for (std::string item; std::getline(items, item, ',');) {
    const auto dash = item.find('-');
    const auto first = parse_run_id(item.substr(0, dash));
    const auto last = dash == std::string::npos ? first : parse_run_id(item.substr(dash + 1));
    if (!first || !last || *last < *first) {
      throw InputError(
          fmt::format("--runs {}: expected run ids and ranges, e.g. --runs 0,5,10-19", text));
    }
    ranges.emplace_back(*first, *last);
  }
  return ranges;
}

/// The runs to check, increasing: every run of the file, or those named by --runs/--run, plus
/// --sample K runs spread evenly over the file (its first and last included).
std::vector<RunId> selected_runs(const RerunOptions& options, const std::vector<RunId>& file_runs) {
  std::set<RunId> chosen;
  for (const auto& list : options.runs) {
    for (const auto& [first, last] : parse_run_list(list)) {
      // File runs increase strictly: the range is all there iff it holds last - first + 1 of them.
      const auto begin = std::lower_bound(file_runs.begin(), file_runs.end(), first);
      const auto end = std::upper_bound(begin, file_runs.end(), last);
      if (static_cast<RunId>(end - begin) != last - first + 1) {
        RunId missing = first;  // the first id of the range the file lacks
        if (begin != end && *begin == first) {
          const auto gap =
              std::adjacent_find(begin, end, [](RunId a, RunId b) { return b != a + 1; });
          missing = (gap == end ? *(end - 1) : *gap) + 1;
        }
        throw InputError(fmt::format(
            "{}: has no run {} (its runs: {}{}{})", options.result, missing, file_runs.front(),
            file_runs.size() > 1 ? fmt::format(" .. {}", file_runs.back()) : "",
            file_runs.size() > 1 ? fmt::format(", {} of them", file_runs.size()) : ""));
      }
      chosen.insert(begin, end);
    }
  }
  if (options.sample > 0) {
    const std::uint64_t n = file_runs.size();
    const std::uint64_t k = std::min<std::uint64_t>(options.sample, n);
    for (std::uint64_t i = 0; i < k; ++i)
      chosen.insert(file_runs[k == 1 ? 0 : i * (n - 1) / (k - 1)]);
  }
  if (options.runs.empty() && options.sample == 0) return file_runs;
  return {chosen.begin(), chosen.end()};
}

std::string cell_text(const ParamColumn& column, std::uint64_t point) {
  return std::visit(
      [&](const auto& values) {
        return point < values.size() ? fmt::format("{}", values[point]) : "?";
      },
      column.by_point);
}

/// The swept /params columns of one run, as stored and as the stored sweep block gives them.
void compare_swept_columns(const std::vector<ParamColumn>& stored,
                           const std::vector<ParamColumn>& planned, const Sweep& sweep, RunId run,
                           std::vector<RunDifference>& out) {
  const std::uint64_t point = sweep.point_of(run);
  for (std::size_t c = 0; c < std::min(stored.size(), planned.size()); ++c) {
    const std::string a = cell_text(stored[c], point), b = cell_text(planned[c], point);
    if (stored[c].name != planned[c].name ||
        stored[c].by_point.index() != planned[c].by_point.index() || a != b) {
      const bool renamed = stored[c].name != planned[c].name;
      out.push_back({"/params", run, fmt::format("column {}", stored[c].name), a,
                     renamed ? fmt::format("{} (column {})", b, planned[c].name) : b});
      return;
    }
  }
}

/// A check of something the file stores once (not per run).
struct FileCheck {
  std::string name;
  std::string stored;
  std::string recomputed;
};

/// The first line in which two texts differ, as a check named "NAME line N"; an equal pair
/// when they do not differ.
FileCheck first_line_difference(const std::string& name, const std::string& stored,
                                const std::string& recomputed) {
  std::stringstream a(stored), b(recomputed);
  std::string line_a, line_b;
  for (std::size_t line = 1;; ++line) {
    const bool more_a = static_cast<bool>(std::getline(a, line_a));
    const bool more_b = static_cast<bool>(std::getline(b, line_b));
    if (!more_a && !more_b) return {name, "", ""};
    if (!more_a) line_a = "(end)";
    if (!more_b) line_b = "(end)";
    if (line_a != line_b) return {fmt::format("{} line {}", name, line), line_a, line_b};
  }
}

/// What the file records once, against what its stored scenario gives now.
std::vector<FileCheck> file_checks(const Provenance& prov, const SweepPlan& plan,
                                   const PointContext& first) {
  std::vector<FileCheck> checks;
  checks.push_back(first_line_difference("/scenario", prov.scenario_text, plan.base_yaml));
  if (prov.sweep) {
    const SweepInfo& s = *prov.sweep;
    checks.push_back(first_line_difference("/sweep", s.text, plan.sweep.text));
    checks.push_back({"sweep_seeds", s.seeds,
                      plan.sweep.seeds == SweepSeeds::kCommon ? "common" : "independent"});
    checks.push_back({"sweep_replicates", fmt::format("{}", s.replicates),
                      fmt::format("{}", plan.sweep.replicates)});
    checks.push_back({"sweep_points", fmt::format("{}", s.num_points),
                      fmt::format("{}", plan.sweep.num_points())});
    checks.push_back(
        {"sweep_runs", fmt::format("{}", s.total_runs), fmt::format("{}", plan.sweep.num_runs())});
    std::vector<std::string> names_a, names_b;
    for (const auto& c : s.columns) names_a.push_back(c.name);
    for (const auto& c : plan.columns) names_b.push_back(c.name);
    checks.push_back({"/params swept columns", fmt::format("{}", fmt::join(names_a, ", ")),
                      fmt::format("{}", fmt::join(names_b, ", "))});
  }
  // Which runs a file holds follows from the sweep and the shard: all of them, or run % N == K.
  const Shard shard{.index = prov.sweep ? prov.sweep->shard : 0,
                    .count = prov.sweep ? prov.sweep->num_shards : 1};
  const std::vector<RunId> expected = shard_runs(plan.sweep, shard);
  if (prov.run_ids != expected) {
    const auto [a, b] =
        std::mismatch(prov.run_ids.begin(), prov.run_ids.end(), expected.begin(), expected.end());
    const auto id_at = [](auto it, const std::vector<RunId>& ids) {
      return it == ids.end() ? std::string("(end)") : fmt::format("{}", *it);
    };
    checks.push_back({fmt::format("/metrics/run row {}", a - prov.run_ids.begin()),
                      id_at(a, prov.run_ids), id_at(b, expected)});
  }
  checks.push_back({"seed", fmt::format("{}", prov.seed), fmt::format("{}", plan.base.seed)});
  checks.push_back({"num_vertices", fmt::format("{}", prov.num_vertices),
                    fmt::format("{}", first.graph->graph.num_vertices())});
  checks.push_back({"num_arcs", fmt::format("{}", prov.num_arcs),
                    fmt::format("{}", first.graph->graph.num_arcs())});
  checks.push_back(
      {"num_steps", fmt::format("{}", prov.num_steps), fmt::format("{}", plan.num_steps)});
  checks.push_back(
      {"step_hours", fmt::format("{}", prov.step_hours), fmt::format("{}", plan.step_hours)});
  return checks;
}

std::string run_list(const std::vector<RunId>& runs) {
  if (runs.size() <= 8)
    return fmt::format("{} {}", runs.size() == 1 ? "run" : "runs", fmt::join(runs, ", "));
  return fmt::format("{} runs: {}, ...", runs.size(),
                     fmt::join(runs.begin(), runs.begin() + 8, ", "));
}

}  // namespace

int rerun(const RerunOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  const auto threads_guard = limit_threads(options.threads);
  const ResultReader reader(options.result);
  const Provenance& prov = reader.provenance();
  const std::vector<RunId> runs = selected_runs(options, prov.run_ids);
  Replay replay(options.result, reader, options.scenario_dir, /*always_record_events=*/false);
  // The recorded checksum is the graph of the file's first run (of its point, in a sweep that
  // varies the graph); the events of each run, when stored, record their own.
  replay.check_graph(prov.run_ids.front(), prov.graph_checksum);
  const auto first = replay.context(prov.run_ids.front());

  fmt::print("rerun      {}: {} of its {} runs{}, {} thread{}\n", options.result, runs.size(),
             prov.run_ids.size(),
             runs.size() < prov.run_ids.size() ? fmt::format(" ({})", run_list(runs)) : "",
             active_threads(), active_threads() == 1 ? "" : "s");
  fmt::print("stored     {}\n", prov.command_line);
  fmt::print("graph      checksum {:016x} reproduced ({})\n", prov.graph_checksum,
             first->graph->graph.description());

  std::vector<std::string> failed;
  for (const FileCheck& check : file_checks(prov, replay.plan(), *first)) {
    if (check.stored == check.recomputed) continue;
    fmt::print("DIFFERS    {}: stored {}, recomputed {}\n", check.name, check.stored,
               check.recomputed);
    failed.push_back(check.name);
  }
  if (failed.empty())
    fmt::print(
        "ok         /scenario, /sweep, /metrics/run and the root attributes that describe the "
        "results\n");

  const StoredLayout layout = stored_layout(reader);
  const auto layout_changes = layout_differences(layout, engine_layout(*first->engine));
  if (!layout_changes.empty()) {
    for (const auto& change : layout_changes) fmt::print("DIFFERS    {}\n", change);
    throw RuntimeFailure(
        fmt::format("{}: not reproduced: the stored scenario now produces other datasets than the "
                    "file holds ({} difference{}); "
                    "the file was probably written by another softpower version",
                    options.result, layout_changes.size(), layout_changes.size() == 1 ? "" : "s"));
  }

  std::map<RunId, std::size_t> row_of;
  for (std::size_t row = 0; row < prov.run_ids.size(); ++row) row_of[prov.run_ids[row]] = row;
  std::mutex mutex;  // the reader (HDF5) and the tallies
  std::map<std::string, std::vector<RunDifference>> differences;
  replay.execute(runs, [&](RunResult&& recomputed) {
    std::lock_guard lock(mutex);
    const RunResult stored = reader.read_run(row_of.at(recomputed.run));
    std::vector<RunDifference> found = compare_runs(layout, stored, recomputed);
    if (prov.sweep) {
      compare_swept_columns(prov.sweep->columns, replay.plan().columns, replay.plan().sweep,
                            recomputed.run, found);
    }
    for (auto& d : found) differences[d.dataset].push_back(std::move(d));
  });

  const std::vector<std::string> datasets = run_datasets(layout);
  for (const auto& name : datasets) {
    auto it = differences.find(name);
    if (it == differences.end()) {
      fmt::print("ok         {:<40} {} runs\n", name, runs.size());
      continue;
    }
    auto& found = it->second;
    std::sort(found.begin(), found.end(),
              [](const auto& a, const auto& b) { return a.run < b.run; });
    std::vector<RunId> bad;
    for (std::size_t k = 0; k < found.size(); ++k) {
      const RunDifference& d = found[k];
      bad.push_back(d.run);
      if (k < kDetailsPerDataset) {
        fmt::print("DIFFERS    {:<40} run {}, {}: stored {}, recomputed {}\n", name, d.run, d.where,
                   d.stored, d.recomputed);
      }
    }
    if (found.size() > kDetailsPerDataset) {
      fmt::print("DIFFERS    {:<40} ... and {} more runs\n", name,
                 found.size() - kDetailsPerDataset);
    }
    failed.push_back(fmt::format("{} ({})", name, run_list(bad)));
  }
  fmt::print(
      "not compared: start_time, end_time, command_line, threads, softpower_version, scenario_dir, "
      "merged_from, sweep_fingerprint (they describe how and when the file was made; "
      "docs/hpc.md)\n");
  if (!failed.empty()) {
    throw RuntimeFailure(
        fmt::format("{}: not reproduced bit for bit: {}", options.result, fmt::join(failed, "; ")));
  }
  fmt::print("identical  {} datasets x {} runs reproduced bit for bit in {:.2f} s\n",
             datasets.size(), runs.size(), seconds_since(started));
  return 0;
}

}  // namespace softpower::cli
