// `softpower export`: one run of a result file as GEXF or GraphML. The graph is not in the
// result file: it is rebuilt from the scenario stored there (through the graph cache or the
// graph file it names) and must match the checksum the run recorded.
#include <fmt/format.h>

#include <iostream>

#include "apps/commands.hpp"
#include "models/registry.hpp"
#include "output/result_reader.hpp"
#include "sim/error.hpp"
#include "sim/graph_source.hpp"
#include "sim/sweep.hpp"
#include "viz_export/export.hpp"

namespace softpower::cli {
namespace {

// The scenario a row of the file ran: the stored effective scenario, at the row's sweep point
// for a sweep file.
Scenario scenario_of(const std::string& file, const Provenance& prov, RunId run,
                     const std::filesystem::path& scenario_dir) {
  const std::string where = file + ": /scenario";
  if (!prov.sweep) return parse_scenario(prov.scenario_text, where, {}, scenario_dir);
  YAML::Node root = YAML::Load(prov.scenario_text);
  root["sweep"] = YAML::Load(prov.sweep->text);
  YAML::Emitter text;
  text << root;
  const Scenario base = parse_scenario(text.c_str(), where, {}, scenario_dir);
  const Sweep sweep = expand_sweep(base);
  return scenario_at_point(base, sweep, run / prov.sweep->replicates);
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
  if (!reader.events_layout().enabled()) {
    throw InputError(fmt::format(
        "{}: holds no per-user events; add an `export:` section (even `export: {{}}`) to the scenario and run it "
        "again (docs/gephi.md)",
        options.result));
  }
  const RunResult result = reader.read_run(static_cast<std::size_t>(row - prov.run_ids.begin()));

  const std::filesystem::path scenario_dir = !options.scenario_dir.empty() ? options.scenario_dir
                                             : !prov.scenario_dir.empty()   ? prov.scenario_dir
                                                                            : std::filesystem::current_path().string();
  const Scenario scenario = scenario_of(options.result, prov, run, scenario_dir);
  const PreparedGraph graph = prepare_graph(scenario);
  if (graph.graph.checksum() != result.events.graph_checksum) {
    throw InputError(fmt::format(
        "{}: the graph rebuilt from the stored scenario ({}) is not the graph run {} ran on (checksum {:016x}, "
        "recorded {:016x}): the graph file changed since the run, or relative paths in the scenario resolve "
        "elsewhere (pass --scenario-dir, the folder of the scenario file)",
        options.result, graph.graph.description(), run, graph.graph.checksum(), result.events.graph_checksum));
  }
  const auto strategy = make_strategy_model(scenario, &graph);
  const viz::ExportSource source{.graph = graph,
                                 .run = result,
                                 .paid_seeds = strategy->seeds(),
                                 .scenario_name = scenario.name,
                                 .num_steps = prov.num_steps,
                                 .step_hours = prov.step_hours};
  static std::ostream discard(nullptr);
  std::ostream& log = options.quiet ? discard : std::cerr;
  if (!options.cascade) {
    viz::write_exports(source, options.spec, {}, log);  // paths as given: relative to the working directory
    return 0;
  }
  for (const auto& [name, format] :
       {std::pair{options.spec.gexf, viz::Format::kGexf}, std::pair{options.spec.graphml, viz::Format::kGraphml}}) {
    if (name.empty()) continue;
    viz::ExportReport report;
    viz::write_file(name, [&](std::ostream& out) {
      report = viz::write_cascade(source, *options.cascade, options.spec, format, out);
    });
    log << fmt::format("softpower: wrote {} ({} nodes, {} edges)\n", name, report.nodes, report.edges);
  }
  return 0;
}

}  // namespace softpower::cli
