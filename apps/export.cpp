// `softpower export`: one run of a result file as GEXF or GraphML. The graph is not in the
// result file: it is rebuilt from the scenario stored there (through the graph cache or the
// graph file it names) and must match the checksum the run recorded. The run's per-user events
// come from the file, or, for a run recorded without them, from running it again (apps/replay.hpp).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <iostream>

#include "apps/cli_support.hpp"
#include "apps/commands.hpp"
#include "apps/output_checks.hpp"
#include "apps/replay.hpp"
#include "output/result_reader.hpp"
#include "output/run_comparison.hpp"
#include "sim/error.hpp"
#include "viz_export/export.hpp"

namespace softpower::cli {
namespace {

// A run recorded without events (no `export:` section) is computed again with events on. Every
// draw is keyed by seed, run and what it decides, so the recomputed run is the stored one; that
// is checked, not assumed: its metrics and items must equal the stored ones bit for bit.
RunResult regenerate_events(const std::string& file, const ResultReader& reader, Replay& replay, std::size_t row,
                            std::ostream& log) {
  const auto started = std::chrono::steady_clock::now();
  const RunId run = reader.provenance().run_ids[row];
  log << fmt::format(
      "softpower: {} holds no per-user events (its scenario had no export: section); regenerating them by "
      "running run {} again\n",
      file, run);
  const StoredLayout layout = stored_layout(reader);
  StoredLayout computed = engine_layout(*replay.context(run)->engine);
  computed.events = layout.events;  // the stored file has none to compare with
  const auto layout_changes = layout_differences(layout, computed);
  if (!layout_changes.empty()) {
    throw RuntimeFailure(fmt::format("{}: cannot regenerate run {}'s events: this softpower writes other datasets "
                                     "than the file holds ({})",
                                     file, run, fmt::join(layout_changes, "; ")));
  }
  RunResult regenerated;
  replay.execute({&run, 1}, [&](RunResult&& r) { regenerated = std::move(r); });
  const auto differences = compare_runs(layout, reader.read_run(row), regenerated);
  if (!differences.empty()) {
    std::vector<std::string> lines;
    for (const auto& d : differences) {
      lines.push_back(fmt::format("{} {}: stored {}, recomputed {}", d.dataset, d.where, d.stored, d.recomputed));
    }
    throw RuntimeFailure(fmt::format(
        "{}: run {} computed again does not reproduce the stored run, so its events would not be the run's: {} "
        "(see `softpower rerun {} --run {}`)",
        file, run, fmt::join(lines, "; "), file, run));
  }
  log << fmt::format("softpower: regenerated run {}'s events in {:.2f} s; its metrics and items equal the stored "
                     "ones bit for bit\n",
                     run, seconds_since(started));
  return regenerated;
}

}  // namespace

int export_run(const ExportOptions& options) {
  if (options.spec.gexf.empty() && options.spec.graphml.empty()) {
    throw InputError("export: give --gexf FILE and/or --graphml FILE");
  }
  // File types first: reading the run and rebuilding the graph can take a while.
  viz::check_file_types(options.spec, "--");
  const ResultReader reader(options.result);
  const Provenance& prov = reader.provenance();
  const RunId run = options.run.value_or(prov.run_ids.front());
  const auto row = std::find(prov.run_ids.begin(), prov.run_ids.end(), run);
  if (row == prov.run_ids.end()) {
    throw InputError(fmt::format("{}: has no run {} (its runs: {}{})", options.result, run, prov.run_ids.front(),
                                 prov.run_ids.size() > 1 ? fmt::format(" .. {}", prov.run_ids.back()) : ""));
  }
  static std::ostream discard(nullptr);
  std::ostream& log = options.quiet ? discard : std::cerr;
  Replay replay(options.result, reader, options.scenario_dir, /*always_record_events=*/true);
  // Before the run is read or recomputed and the graph rebuilt; names relative to the cwd.
  std::vector<InputPath> inputs = sweep_inputs(replay.plan(), {});
  inputs.insert(inputs.begin(), {options.result, "the result being exported"});
  check_outputs(export_outputs(options.spec, {}, "--"), inputs, options.quiet);
  const auto row_index = static_cast<std::size_t>(row - prov.run_ids.begin());
  RunResult result;
  if (reader.events_layout().enabled()) {
    result = reader.read_run(row_index);
    replay.check_graph(run, result.events.graph_checksum);
  } else {
    if (replay.records_graph_of(run)) replay.check_graph(run, prov.graph_checksum);
    result = regenerate_events(options.result, reader, replay, row_index, log);
  }
  const auto context = replay.context(run);
  const PreparedGraph& graph = *context->graph;
  const viz::ExportSource source{.graph = graph,
                                 .run = result,
                                 .paid_seeds = context->strategy->seeds(),
                                 .scenario_name = context->scenario.name,
                                 .num_steps = prov.num_steps,
                                 .step_hours = prov.step_hours};
  if (!options.cascade) {
    viz::write_exports(source, options.spec, {}, log);  // paths as given: relative to the working directory
    return 0;
  }
  for (const auto& [name, format] :
       {std::pair{options.spec.gexf, viz::Format::kGexf}, std::pair{options.spec.graphml, viz::Format::kGraphml}}) {
    if (name.empty()) continue;
    viz::ExportReport report;
    try {
      viz::write_file(name, [&](std::ostream& out) {
        report = viz::write_cascade(source, *options.cascade, options.spec, format, out);
      });
    } catch (const InputError& e) {
      throw InputError(fmt::format("{}: --cascade {}: {}", options.result, *options.cascade, e.what()));
    }
    log << fmt::format("softpower: wrote {} ({} nodes, {} edges)\n", name, report.nodes, report.edges);
  }
  return 0;
}

}  // namespace softpower::cli
