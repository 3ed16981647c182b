// `softpower sweep`: every run of a scenario's sweep (or of one shard of it), in parallel, into
// one result file, with a checkpoint from which `--resume` finishes an interrupted sweep.
#include <fmt/format.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <filesystem>
#include <iostream>
#include <set>
#include <thread>

#include "apps/cli_support.hpp"
#include "apps/commands.hpp"
#include "apps/point_context.hpp"
#include "apps/progress.hpp"
#include "apps/run_queue.hpp"
#include "apps/stop_signals.hpp"
#include "apps/sweep_plan.hpp"
#include "output/merge.hpp"
#include "output/result_reader.hpp"
#include "output/result_writer.hpp"
#include "output/run_journal.hpp"
#include "sim/error.hpp"

namespace softpower::cli {
namespace {

namespace fs = std::filesystem;

/// The file of one shard: `{shard}` and `{shards}` in the name are replaced by K and N;
/// without them, ".shard-K-of-N" goes before the extension.
fs::path shard_output_path(const fs::path& path, const Shard& shard) {
  if (shard.count == 1) return path;
  std::string name = path.filename().string();
  const auto replace_all = [&](const std::string& key, const std::string& value) {
    bool found = false;
    for (auto at = name.find(key); at != std::string::npos; at = name.find(key, at + value.size())) {
      name.replace(at, key.size(), value);
      found = true;
    }
    return found;
  };
  const bool named = replace_all("{shard}", std::to_string(shard.index)) |
                     replace_all("{shards}", std::to_string(shard.count));
  if (!named) {
    const std::string suffix = fmt::format(".shard-{}-of-{}", shard.index, shard.count);
    const auto dot = name.rfind('.');
    name = dot == std::string::npos || dot == 0 ? name + suffix : name.substr(0, dot) + suffix + name.substr(dot);
  }
  return path.parent_path() / name;
}

bool same_layout(const std::vector<SeriesSpec>& a, const std::vector<SeriesSpec>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const SeriesSpec& x, const SeriesSpec& y) {
    return x.name == y.name && x.columns == y.columns;
  });
}

std::size_t metric_index(const char* name) {
  const auto& specs = Engine::metric_specs();
  const auto it = std::find_if(specs.begin(), specs.end(), [&](const MetricSpec& s) { return s.name == name; });
  return static_cast<std::size_t>(it - specs.begin());
}

/// Per-point means for the closing table, fed every run the file receives.
class PointSummary {
 public:
  PointSummary(const Sweep& sweep, const std::vector<SeriesSpec>& series) : sweep_(sweep), points_(sweep.num_points()) {
    for (std::size_t k = 0; k < series.size(); ++k) {
      if (series[k].name == "soft_power_index") index_series_ = k;
    }
  }

  void add(const RunResult& r) {
    Point& p = points_[sweep_.point_of(r.run)];
    ++p.runs;
    const auto reach = static_cast<double>(r.metrics[reach_metric_].back());
    p.reach += reach;
    p.reach_squares += reach * reach;
    p.items += r.items.size();
    for (const auto& item : r.items) p.reads += item.reads;
    if (index_series_ && !r.series[*index_series_].empty()) p.index += r.series[*index_series_].back();
  }

  void print(const std::vector<ParamColumn>& columns) const {
    constexpr std::size_t kMaxRows = 40;
    std::string header = fmt::format("{:>6}", "point");
    for (const auto& c : columns) header += fmt::format("  {:>14}", c.name.size() > 14 ? c.name.substr(c.name.size() - 14) : c.name);
    header += fmt::format("  {:>5}  {:>18}  {:>12}", "runs", "reach (mean ± se)", "reads/item");
    if (index_series_) header += fmt::format("  {:>10}", "SPI");
    fmt::print("{}\n", header);
    std::size_t shown = 0;
    for (std::size_t p = 0; p < points_.size(); ++p) {
      const Point& pt = points_[p];
      if (pt.runs == 0) continue;
      if (++shown > kMaxRows) {
        fmt::print("  ... ({} points in all; the file has every one)\n", points_.size());
        break;
      }
      std::string row = fmt::format("{:>6}", p);
      for (const auto& c : columns) row += fmt::format("  {:>14}", cell(c, p));
      const double n = static_cast<double>(pt.runs);
      const double mean = pt.reach / n;
      const double var = n > 1 ? std::max(0.0, (pt.reach_squares - n * mean * mean) / (n - 1)) : 0.0;
      row += fmt::format("  {:>5}  {:>18}  {:>12.2f}", pt.runs, fmt::format("{:.1f} ± {:.1f}", mean, std::sqrt(var / n)),
                         pt.items ? static_cast<double>(pt.reads) / static_cast<double>(pt.items) : 0.0);
      if (index_series_) row += fmt::format("  {:>+10.3g}", pt.index / n);
      fmt::print("{}\n", row);
    }
  }

 private:
  struct Point {
    std::uint64_t runs = 0, items = 0, reads = 0;
    double reach = 0, reach_squares = 0, index = 0;
  };
  static std::string cell(const ParamColumn& c, std::size_t p) {
    return std::visit(
        [&](const auto& v) {
          std::string text = fmt::format("{}", v[p]);
          return text.size() > 14 ? text.substr(0, 13) + "~" : text;
        },
        c.by_point);
  }

  const Sweep& sweep_;
  std::vector<Point> points_;
  std::size_t reach_metric_ = metric_index("reach_cumulative");
  std::optional<std::size_t> index_series_;
};

/// With --resume and no checkpoint: a finished file of the same sweep means there is nothing
/// to do.
bool already_complete(const fs::path& output, const std::string& fingerprint) {
  if (!fs::exists(output)) return false;
  const ResultReader reader(output);
  const auto& sweep = reader.provenance().sweep;
  if (!sweep || sweep->fingerprint != fingerprint) {
    throw InputError(fmt::format(
        "{}: --resume: this file is not a result of this sweep (fingerprint {}, this sweep {}); "
        "choose another output or delete it",
        output.string(), sweep ? sweep->fingerprint : "none", fingerprint));
  }
  return true;
}

}  // namespace

int sweep(const SweepOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  const auto threads_guard = limit_threads(options.threads);
  const Scenario base = load_with_seed(options.scenario, options.overrides, options.seed);
  const SweepPlan plan = plan_sweep(base);
  const Sweep& sweep = plan.sweep;
  const Shard shard = parse_shard(options.shard);
  if (shard.count > sweep.num_runs()) {
    throw InputError(fmt::format("--shard {}/{}: the sweep has only {} runs; use at most {} shards", shard.index,
                                 shard.count, sweep.num_runs(), sweep.num_runs()));
  }
  const fs::path output = shard_output_path(
      options.output.empty() ? fs::path("results") / (base.name + ".h5") : fs::path(options.output), shard);
  const fs::path checkpoint = journal_dir_for(output);
  const std::string identity = shard.count == 1 ? fmt::format("sweep {} of {}", plan.fingerprint, base.name)
                                                : fmt::format("shard {}/{} of sweep {} of {}", shard.index,
                                                              shard.count, plan.fingerprint, base.name);
  if (fs::exists(checkpoint) && !options.resume) {
    throw InputError(fmt::format(
        "{}: the checkpoint of an interrupted sweep is in the way; add --resume to finish that sweep, or "
        "delete the folder to start again",
        checkpoint.string()));
  }
  if (options.resume && !fs::exists(checkpoint) && already_complete(output, plan.fingerprint)) {
    if (!options.quiet) fmt::print("{}: already complete; nothing to resume\n", output.string());
    return 0;
  }

  StopSignals signals;
  const std::vector<RunId> runs = shard_runs(sweep, shard);
  const std::shared_ptr<const PreparedGraph> shared_graph =
      sweep_changes_graph(sweep)
          ? nullptr
          : std::make_shared<const PreparedGraph>(prepare_graph(
                base.sweep_node ? scenario_at_point(base, sweep, sweep.point_of(runs.front())) : base));
  if (shared_graph && !options.quiet) {
    for (const auto& note : shared_graph->notes) std::cerr << "softpower: note: " << note << "\n";
  }
  const std::uint64_t first_point = sweep.point_of(runs.front());
  const auto first_context = build_point_context(plan, first_point, shared_graph);
  const Engine& first_engine = *first_context->engine;
  const std::vector<SeriesSpec> series = first_engine.series_specs();
  const VertexId snapshot_users = first_engine.snapshot_users();

  Provenance prov;
  prov.scenario_name = base.name;
  prov.scenario_text = plan.base_yaml;
  prov.command_line = options.command_line;
  prov.graph_description = first_context->graph->graph.description();
  prov.seed = base.seed;
  prov.graph_checksum = first_context->graph->graph.checksum();
  prov.threads = active_threads();
  prov.num_vertices = first_context->graph->graph.num_vertices();
  prov.num_arcs = first_context->graph->graph.num_arcs();
  prov.step_hours = plan.step_hours;
  prov.num_steps = plan.num_steps;
  prov.num_runs = runs.size();
  prov.run_ids = runs;
  prov.sweep = sweep_info(plan, shard);
  prov.start_time = iso8601_utc_now();

  RunJournal journal(checkpoint, plan.fingerprint, identity);
  ResultWriter writer(output, prov, Engine::metric_specs(), series, snapshot_users);
  PointSummary summary(sweep, series);
  std::set<RunId> done;
  const auto notes = journal.replay([&](RunResult&& r) {
    if (!shard.owns(r.run) || r.run >= sweep.num_runs()) {
      throw InputError(fmt::format("{}: holds run {}, which is not a run of {}", checkpoint.string(), r.run, identity));
    }
    writer.write_run(r);
    summary.add(r);
    done.insert(r.run);
  });
  for (const auto& note : notes) std::cerr << "softpower: warning: " << note << "\n";
  std::vector<RunId> pending;
  for (RunId r : runs) {
    if (!done.count(r)) pending.push_back(r);
  }

  PointContexts contexts(plan, shared_graph, pending);
  contexts.seed(first_point, first_context);
  RunQueue queue(2 * static_cast<std::size_t>(active_threads()) + 2);
  Progress progress(runs.size(), done.size(), !options.quiet, options.log_interval);
  std::exception_ptr writer_error;
  std::uint64_t written = done.size();  // the writer thread's until it is joined
  std::thread writer_thread([&] {
    try {
      for (;;) {
        std::vector<RunResult> batch = queue.pop_all(std::chrono::milliseconds(250));
        if (batch.empty()) {
          if (queue.closed_and_empty()) break;
          progress.update(written);
          continue;
        }
        std::vector<const RunResult*> pointers;
        for (const auto& r : batch) pointers.push_back(&r);
        journal.append(pointers);  // durable first: the HDF5 file is rebuilt from the journal
        for (const auto& r : batch) {
          writer.write_run(r);
          summary.add(r);
        }
        written += batch.size();
        progress.update(written);
      }
    } catch (...) {
      writer_error = std::current_exception();
      signals.request_stop();
      queue.close();
    }
  });

  std::exception_ptr run_error;
  try {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, pending.size(), 1), [&](const tbb::blocked_range<std::size_t>& range) {
      for (std::size_t i = range.begin(); i != range.end(); ++i) {
        if (signals.requested()) return;
        const RunId run = pending[i];
        const std::uint64_t point = sweep.point_of(run);
        const auto context = contexts.acquire(point);
        if (!same_layout(context->engine->series_specs(), series) ||
            context->engine->snapshot_users() != snapshot_users) {
          throw InputError(fmt::format(
              "{}: sweep point {} stores different attitude series or snapshots than point {} (an axis changes "
              "the attitude section or the number of regions or communities); a sweep's runs must share one "
              "output layout",
              base.origin.file, point, first_point));
        }
        RunResult result;
        try {
          // Isolated: while this run waits in its own parallel loops, its thread helps only them
          // instead of starting another run on top of this one's stack.
          result = tbb::this_task_arena::isolate([&] { return context->engine->run(sweep.stream_of(run), &signals.flag()); });
        } catch (const RunCancelled&) {
          contexts.release(point);
          return;
        }
        contexts.release(point);
        result.run = run;
        if (!queue.push(std::move(result))) return;
      }
    });
  } catch (...) {
    run_error = std::current_exception();
    signals.request_stop();
  }
  queue.close();
  writer_thread.join();
  if (writer_error) std::rethrow_exception(writer_error);
  if (run_error) std::rethrow_exception(run_error);

  if (signals.signal() != 0) {
    progress.finish();
    std::cerr << fmt::format(
        "softpower: {} received: stopped with {} of {} runs done; they are saved in {}.\n"
        "softpower: finish with the same command plus --resume\n",
        signal_name(signals.signal()), written, runs.size(), checkpoint.string());
    return kExitInterrupted;
  }
  writer.finish();
  journal.remove();
  progress.finish();
  if (!options.quiet) {
    fmt::print("sweep      {}: {} points x {} replicates = {} runs{}\n", base.name, sweep.num_points(), sweep.replicates,
               sweep.num_runs(), shard.count > 1 ? fmt::format(" (shard {}/{}: {} runs)", shard.index, shard.count, runs.size()) : "");
    fmt::print("graph      {}\n", shared_graph ? fmt::format("{} users, {} arcs, built once ({})", shared_graph->publisher.num_users,
                                                              shared_graph->graph.num_arcs(), shared_graph->graph.description())
                                               : std::string("one per point (an axis changes the graph)"));
    summary.print(plan.columns);
    fmt::print("time       {:.2f} s, {} threads, {} runs from a checkpoint\n", seconds_since(started), prov.threads, done.size());
    fmt::print("wrote      {}\n", output.string());
  }
  return 0;
}

int merge(const MergeOptions& options) {
  std::vector<fs::path> inputs(options.inputs.begin(), options.inputs.end());
  const MergeSummary merged = merge_results(inputs, options.output, options.command_line);
  fmt::print("wrote {}: {} runs from {} shards\n", options.output, merged.runs, merged.shards);
  return 0;
}

}  // namespace softpower::cli
