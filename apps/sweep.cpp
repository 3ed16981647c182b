// `softpower sweep`: every run of a scenario's sweep (or of one shard of it), in parallel, into
// one result file, with a checkpoint from which `--resume` finishes an interrupted sweep.
#include <fmt/format.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <filesystem>
#include <iostream>
#include <mutex>

#include "apps/cli_support.hpp"
#include "apps/commands.hpp"
#include "apps/mpi_sweep.hpp"
#include "apps/output_checks.hpp"
#include "apps/point_context.hpp"
#include "apps/run_executor.hpp"
#include "apps/stop_signals.hpp"
#include "apps/sweep_output.hpp"
#include "apps/sweep_plan.hpp"
#include "output/merge.hpp"
#include "output/result_reader.hpp"
#include "output/result_writer.hpp"
#include "output/run_journal.hpp"
#include "sim/error.hpp"
#include "sim/huge_pages.hpp"
#include "sim/memory_budget.hpp"

namespace softpower::cli {
namespace {

namespace fs = std::filesystem;

/// The file of one shard: `{shard}` and `{shards}` in the name are replaced by K and N;
/// without them, ".shard-K-of-N" goes before the extension of a sharded sweep's file.
fs::path shard_output_path(const fs::path& path, const Shard& shard) {
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
  if (!named && shard.count > 1) {
    const std::string suffix = fmt::format(".shard-{}-of-{}", shard.index, shard.count);
    const auto dot = name.rfind('.');
    name = dot == std::string::npos || dot == 0 ? name + suffix : name.substr(0, dot) + suffix + name.substr(dot);
  }
  return path.parent_path() / name;
}

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

/// The default thread count: every core this process may use, shared between the MPI ranks
/// on this node when they may all use the same cores (mpirun --bind-to none).
int default_threads(const MpiSession& mpi) {
  return std::max(1, tbb::this_task_arena::max_concurrency() / mpi.local_size());
}

int run_sweep(const SweepOptions& options, const MpiSession& mpi) {
  const auto started = std::chrono::steady_clock::now();
  const bool root = mpi.rank() == 0;
  const bool quiet = options.quiet || !root;
  const auto threads_guard = limit_threads(options.threads > 0 ? options.threads : default_threads(mpi));
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
  if (root && base.sweep_node && sweep_changes_graph(sweep)) {
    // Every point's institution against its graph, before any output exists.
    for (std::uint64_t point = 0; point < sweep.num_points(); ++point) {
      check_institution(scenario_at_point(base, sweep, point));
    }
  } else if (root) {
    check_institution(base);
  }
  if (root && !options.no_memory_check) {
    // One graph for the whole sweep, or one per point when the sweep changes it: check each.
    // Before the output check, which may create folders.
    const std::uint64_t threads = active_threads();
    if (!base.sweep_node || !sweep_changes_graph(sweep)) {
      check_memory(base, threads, "--no-memory-check", sweep.num_runs());
    } else {
      for (std::uint64_t point = 0; point < sweep.num_points(); ++point) {
        check_memory(scenario_at_point(base, sweep, point), threads, "--no-memory-check", sweep.num_runs());
      }
    }
  }
  if (root) {
    check_outputs({{.path = output, .role = options.output.empty() ? "the default output" : "-o"},
                   {.path = checkpoint, .role = "the checkpoint folder", .folder = true}},
                  sweep_inputs(plan, options.scenario), quiet);
  }
  if (root && !quiet && (!base.exports.gexf.empty() || !base.exports.graphml.empty())) {
    std::cerr << fmt::format(
        "softpower: note: a sweep records the events of every run but writes no export files; export a run "
        "afterwards with `softpower export {} --run ID --gexf FILE`\n",
        output.string());
  }
  const std::string identity = shard.count == 1 ? fmt::format("sweep {} of {}", plan.fingerprint, base.name)
                                                : fmt::format("shard {}/{} of sweep {} of {}", shard.index,
                                                              shard.count, plan.fingerprint, base.name);
  // A kill while the checkpoint of a finished sweep was being deleted leaves its renamed rest.
  if (root) finish_interrupted_removal(checkpoint);
  if (root && fs::exists(checkpoint) && !options.resume) {
    throw InputError(fmt::format(
        "{}: the checkpoint of an interrupted sweep is in the way; add --resume to finish that sweep, or "
        "delete the folder to start again",
        checkpoint.string()));
  }
  const bool complete = root && options.resume && !fs::exists(checkpoint) && already_complete(output, plan.fingerprint);
  if (!mpi.broadcast_go(!complete)) {
    if (root && !quiet) fmt::print("{}: already complete; nothing to resume\n", output.string());
    return 0;
  }

  StopSignals signals;
  const std::vector<RunId> runs = shard_runs(sweep, shard);
  const std::shared_ptr<const PreparedGraph> shared_graph =
      sweep_changes_graph(sweep)
          ? nullptr
          : std::make_shared<const PreparedGraph>(prepare_graph(
                base.sweep_node ? scenario_at_point(base, sweep, sweep.point_of(runs.front())) : base));
  if (shared_graph && !quiet) {
    for (const auto& note : shared_graph->notes) std::cerr << "softpower: note: " << note << "\n";
  }
  const std::uint64_t first_point = sweep.point_of(runs.front());
  const auto first_context = build_point_context(plan, first_point, shared_graph);
  const RunLayout layout{.series = first_context->engine->series_specs(),
                         .snapshot_users = first_context->engine->snapshot_users(),
                         .events = first_context->engine->events_layout(),
                         .first_point = first_point,
                         .scenario_file = base.origin.file};
  // Chunks handed out over MPI may split a point: keep the last context for the next chunk.
  PointContexts contexts(plan, shared_graph, mpi.size() > 1 ? 1 : 0);
  contexts.seed(first_point, first_context);
  const ChunkRunner run_chunk = [&](std::span<const RunId> chunk, const std::function<bool(RunResult&&)>& sink) {
    contexts.add_runs(chunk);
    execute_runs(chunk, sweep, contexts, layout, signals.flag(), sink);
  };

  if (!root) {
    serve_runs(mpi, active_threads(), plan.fingerprint, signals.flag(), [&] { signals.request_stop(); }, run_chunk);
    return signals.requested() ? kExitInterrupted : 0;
  }

  Provenance prov;
  prov.scenario_name = base.name;
  prov.scenario_text = plan.base_yaml;
  prov.scenario_dir = scenario_folder(base);
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

  SweepOutput out(output, checkpoint, prov, identity, sweep, layout.series, layout.snapshot_users, layout.events, !quiet,
                  options.log_interval, [&] { signals.request_stop(); });
  // The runs' own compute, for --profile: their step loops, summed over runs.
  std::mutex compute_mutex;
  double compute_seconds = 0.0;
  std::uint64_t computed_runs = 0;
  const auto submit = [&](RunResult&& r) {
    if (options.profile) {
      double seconds = 0.0;
      for (const double s : r.phases.seconds) seconds += s;
      const std::lock_guard lock(compute_mutex);
      compute_seconds += seconds;
      ++computed_runs;
    }
    return out.submit(std::move(r));
  };
  std::exception_ptr run_error;
  try {
    if (mpi.size() > 1) {
      coordinate_runs(mpi, out.pending(), active_threads(), plan.fingerprint, signals.flag(), run_chunk, submit);
    } else {
      run_chunk(out.pending(), submit);
    }
  } catch (...) {
    run_error = std::current_exception();
    signals.request_stop();
  }
  const std::uint64_t written = out.drain();
  if (run_error) std::rethrow_exception(run_error);

  if (written < runs.size()) {
    out.close_interrupted();
    std::cerr << fmt::format(
        "softpower: {} received: stopped with {} of {} runs done; they are saved in {}.\n"
        "softpower: finish with the same command plus --resume\n",
        signal_name(signals.signal()), written, runs.size(), checkpoint.string());
    return kExitInterrupted;
  }
  out.commit();
  if (!quiet) {
    fmt::print("sweep      {}: {} points x {} replicates = {} runs{}\n", base.name, sweep.num_points(), sweep.replicates,
               sweep.num_runs(), shard.count > 1 ? fmt::format(" (shard {}/{}: {} runs)", shard.index, shard.count, runs.size()) : "");
    fmt::print("graph      {}\n", shared_graph ? fmt::format("{} users, {} arcs, built once ({})", shared_graph->publisher.num_users,
                                                              shared_graph->graph.num_arcs(), shared_graph->graph.description())
                                               : std::string("one per point (an axis changes the graph)"));
    out.summary().print(plan.columns);
    fmt::print("time       {:.2f} s, {} process{} x {} threads, {} runs from a checkpoint\n", seconds_since(started),
               mpi.size(), mpi.size() > 1 ? "es" : "", prov.threads, out.recovered());
    fmt::print("wrote      {}\n", output.string());
  }
  if (options.profile) {
    // Runs share the threads, each mostly on one, so their summed step loops over the thread
    // count is the wall time the runs alone would take; the rest is what the sweep adds.
    const double wall = seconds_since(started);
    const double ideal = compute_seconds / prov.threads;
    fmt::print("profile    wall {:.3f} s for {} computed runs on {} threads; their step loops {:.3f} s summed = {:.3f} s "
               "of wall at {} threads\n",
               wall, computed_runs, prov.threads, compute_seconds, ideal, prov.threads);
    fmt::print("           outside the runs (start-up, graph, scheduling, journal, writing, merging): {:.3f} s = "
               "{:.1f}% of the wall\n",
               wall - ideal, wall > 0 ? 100.0 * (wall - ideal) / wall : 0.0);
    fmt::print("           memory: {}\n", huge_pages_status());
  }
  return 0;
}

}  // namespace

int sweep(const SweepOptions& options) {
  const MpiSession mpi;
  if (mpi.size() == 1) return run_sweep(options, mpi);
  // One rank's error must end the others, which may be waiting for it.
  try {
    return run_sweep(options, mpi);
  } catch (const InputError& e) {
    std::cerr << "softpower: error: rank " << mpi.rank() << ": " << e.what() << "\n";
    mpi.abort(2);
  } catch (const std::exception& e) {
    std::cerr << "softpower: error: rank " << mpi.rank() << ": " << e.what() << "\n";
    mpi.abort(1);
  }
}

int merge(const MergeOptions& options) {
  std::vector<fs::path> inputs(options.inputs.begin(), options.inputs.end());
  std::vector<InputPath> read;
  for (const fs::path& in : inputs) read.push_back({in, "an input of the merge"});
  check_outputs({{.path = options.output, .role = "-o"}}, read, false);
  const MergeSummary merged = merge_results(inputs, options.output, options.command_line);
  fmt::print("wrote {}: {} runs from {} shards\n", options.output, merged.runs, merged.shards);
  return 0;
}

}  // namespace softpower::cli
