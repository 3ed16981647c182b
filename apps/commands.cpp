#include "apps/commands.hpp"

#include <fmt/format.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>

#include "apps/cli_support.hpp"
#include "apps/output_checks.hpp"
#include "apps/sweep_plan.hpp"
#include "models/censorship/pipeline.hpp"
#include "models/registry.hpp"
#include "output/file_info.hpp"
#include "output/result_writer.hpp"
#include "output/run_outcome.hpp"
#include "sim/edge_list.hpp"
#include "sim/engine.hpp"
#include "sim/error.hpp"
#include "sim/graph_cache.hpp"
#include "sim/graph_source.hpp"
#include "sim/huge_pages.hpp"
#include "sim/memory_budget.hpp"
#include "sim/graphml.hpp"
#include "sim/scenario.hpp"
#include "sim/sweep.hpp"
#include "viz_export/export.hpp"

namespace softpower::cli {
namespace {

// Runs overlap when there are several, so the phases are summed over runs (each run's own wall
// time) and shown as shares of that sum; writing happens on the side, under one lock.
void print_profile(const PhaseTimes& phases, double write_seconds, double graph_seconds, double runs_seconds,
                   std::uint64_t runs) {
  double in_runs = 0.0;
  for (double s : phases.seconds) in_runs += s;
  fmt::print("profile    graph {:.3f} s, {} run(s) {:.3f} s wall, of which writing {:.3f} s ({:.1f}%)\n",
             graph_seconds, runs, runs_seconds, write_seconds, runs_seconds > 0 ? 100.0 * write_seconds / runs_seconds : 0.0);
  fmt::print("           memory: {}\n", huge_pages_status());
  fmt::print("           step loop, summed over runs: {:.3f} s\n", in_runs);
  for (std::size_t k = 0; k < phases.seconds.size(); ++k) {
    fmt::print("  {:<26} {:>9.3f} s  {:>5.1f}%\n", kPhaseNames[k], phases.seconds[k],
               in_runs > 0 ? 100.0 * phases.seconds[k] / in_runs : 0.0);
  }
}

}  // namespace

int run(const RunOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  const auto threads_guard = limit_threads(options.threads);
  const Scenario scenario = load_with_seed(options.scenario, options.overrides, options.seed);
  if (scenario.sweep_node) {
    throw InputError(fmt::format("{}: has a sweep block; run it with `softpower sweep {}`", options.scenario,
                                 options.scenario));
  }
  const auto model = make_diffusion_model(scenario);
  make_strategy_model(scenario, nullptr);  // parameter errors before the graph is built
  const auto filter = make_platform_filter(scenario);
  make_attitude_model(scenario, nullptr);  // parameter errors before the graph is built
  const ExportSpec& exports = scenario.exports;
  const bool export_files = !exports.gexf.empty() || !exports.graphml.empty();
  if (export_files && exports.run >= scenario.runs) {
    throw InputError(fmt::format("{}: export.run: run {} does not exist (the scenario has {} runs, 0 .. {})",
                                 options.scenario, exports.run, scenario.runs, scenario.runs - 1));
  }
  try {
    viz::check_file_types(exports, "export.");
  } catch (const InputError& e) {
    throw InputError(fmt::format("{}: {}", options.scenario, e.what()));
  }
  const std::filesystem::path output =
      options.output.empty() ? std::filesystem::path("results") / (scenario.name + ".h5")
                             : std::filesystem::path(options.output);
  std::vector<OutputPath> outputs{{.path = output, .role = options.output.empty() ? "the default output" : "-o"}};
  if (export_files) {
    for (OutputPath& out : export_outputs(exports, output.parent_path(), "export.")) outputs.push_back(std::move(out));
  }
  // The memory check first: the output check may create folders.
  if (!options.no_memory_check) check_memory(scenario, active_threads(), "--no-memory-check");
  check_outputs(outputs, scenario_inputs(scenario, options.scenario), options.quiet);

  const PreparedGraph prepared = prepare_graph(scenario);
  if (!options.quiet) {
    for (const auto& note : prepared.notes) std::cerr << "softpower: note: " << note << "\n";
  }
  const double graph_seconds = seconds_since(started);

  const auto strategy = make_strategy_model(scenario, &prepared);
  const auto attitude = make_attitude_model(scenario, &prepared);
  const EngineConfig config{.seed = scenario.seed,
                            .num_steps = scenario.time.num_steps(),
                            .step_hours = scenario.time.step_hours,
                            .filter = filter.get(),
                            .region = prepared.region,
                            .groups = &prepared.groups,
                            .attitude = attitude.get(),
                            .community = prepared.community,
                            .record_events = scenario.exports.enabled};
  const Engine engine(prepared.graph, prepared.publisher, *model, *strategy, config);

  Provenance prov;
  prov.scenario_name = scenario.name;
  prov.scenario_dir = scenario_folder(scenario);
  prov.scenario_text = effective_yaml(scenario, model->effective_params(), strategy->effective_params(),
                                      filter->effective_params(),
                                      attitude ? attitude->effective_params() : YAML::Node());
  prov.command_line = options.command_line;
  prov.graph_description = prepared.graph.description();
  prov.seed = scenario.seed;
  prov.graph_checksum = prepared.graph.checksum();
  prov.threads = active_threads();
  prov.num_vertices = prepared.graph.num_vertices();
  prov.num_arcs = prepared.graph.num_arcs();
  prov.step_hours = scenario.time.step_hours;
  prov.num_steps = config.num_steps;
  prov.num_runs = scenario.runs;
  prov.start_time = iso8601_utc_now();
  ResultWriter writer(output, prov, Engine::metric_specs(), engine.series_specs(),
                      engine.snapshot_users(), engine.events_layout());

  // Runs are independent; each also parallelises internally (TBB nests the two levels).
  const auto& specs = Engine::metric_specs();
  auto metric_index = [&](const char* name) {
    return static_cast<std::size_t>(
        std::find_if(specs.begin(), specs.end(), [&](const MetricSpec& s) { return s.name == name; }) -
        specs.begin());
  };
  const std::size_t reach_metric = metric_index("reach_cumulative");
  const std::size_t refused_metric = metric_index("refused_by_quota");
  const std::size_t taken_down_metric = metric_index("taken_down");
  const auto series = engine.series_specs();
  auto series_index = [&](const char* name) -> std::optional<std::size_t> {
    for (std::size_t k = 0; k < series.size(); ++k) {
      if (series[k].name == name) return k;
    }
    return std::nullopt;
  };
  const auto mean_series = series_index("attitude_mean");
  const auto index_series = series_index("soft_power_index");
  const auto reached_index_series = series_index("soft_power_index_reached");
  const auto readers_index_series = series_index("soft_power_index_readers");
  std::mutex write_mutex;
  std::optional<RunResult> exported;
  std::vector<std::int64_t> final_reach(scenario.runs);
  std::vector<std::uint64_t> items(scenario.runs), reads(scenario.runs), shares(scenario.runs),
      refused(scenario.runs), taken_down(scenario.runs);
  std::vector<double> first_mean(scenario.runs), last_mean(scenario.runs);
  std::vector<IndexOutcome> index_all(scenario.runs), index_reached(scenario.runs), index_readers(scenario.runs);
  PhaseTimes phases;  // summed over runs (under write_mutex)
  double write_seconds = 0.0;
  const auto runs_started = std::chrono::steady_clock::now();
  tbb::parallel_for(RunId{0}, RunId{scenario.runs}, [&](RunId r) {
    RunResult result = engine.run(r);
    final_reach[r] = result.metrics[reach_metric].back();
    items[r] = result.items.size();
    for (auto x : result.metrics[refused_metric]) refused[r] += static_cast<std::uint64_t>(x);
    for (auto x : result.metrics[taken_down_metric]) taken_down[r] += static_cast<std::uint64_t>(x);
    for (const auto& item : result.items) {
      reads[r] += item.reads;
      shares[r] += item.shares;
    }
    if (mean_series && index_series) {
      first_mean[r] = result.series[*mean_series].front();
      last_mean[r] = result.series[*mean_series].back();
      index_all[r] = index_outcome(result.series[*index_series], scenario.time.step_hours);
      if (reached_index_series) {
        index_reached[r] = index_outcome(result.series[*reached_index_series], scenario.time.step_hours);
      }
      if (readers_index_series) {
        index_readers[r] = index_outcome(result.series[*readers_index_series], scenario.time.step_hours);
      }
    }
    std::lock_guard lock(write_mutex);
    phases += result.phases;
    const auto write_started = std::chrono::steady_clock::now();
    writer.write_run(result);
    write_seconds += seconds_since(write_started);
    if (export_files && r == exports.run) exported = std::move(result);
  });
  {
    const auto finish_started = std::chrono::steady_clock::now();
    writer.finish();
    write_seconds += seconds_since(finish_started);
  }
  const double runs_seconds = seconds_since(runs_started);
  if (exported) {
    const viz::ExportSource source{.graph = prepared,
                                   .run = *exported,
                                   .paid_seeds = strategy->seeds(),
                                   .scenario_name = scenario.name,
                                   .num_steps = config.num_steps,
                                   .step_hours = config.step_hours};
    static std::ostream discard(nullptr);
    viz::write_exports(source, exports, output.parent_path(), options.quiet ? discard : std::cerr);
  }

  if (!options.quiet) {
    const auto users = prepared.publisher.num_users;
    std::int64_t reach_sum = 0;
    std::uint64_t items_sum = 0, reads_sum = 0, shares_sum = 0, refused_sum = 0, taken_down_sum = 0;
    double first_mean_sum = 0, last_mean_sum = 0;
    MeanAndError peak_all, integral_all, final_all, peak_reached, final_reached, peak_readers, final_readers;
    for (RunId r = 0; r < scenario.runs; ++r) {
      reach_sum += final_reach[r];
      items_sum += items[r];
      reads_sum += reads[r];
      shares_sum += shares[r];
      refused_sum += refused[r];
      taken_down_sum += taken_down[r];
      first_mean_sum += first_mean[r];
      last_mean_sum += last_mean[r];
      peak_all.add(index_all[r].peak);
      integral_all.add(index_all[r].integral);
      final_all.add(index_all[r].final_value);
      peak_reached.add(index_reached[r].peak);
      final_reached.add(index_reached[r].final_value);
      peak_readers.add(index_readers[r].peak);
      final_readers.add(index_readers[r].final_value);
    }
    const double runs = static_cast<double>(scenario.runs);
    const auto per_item = [&](std::uint64_t x) {
      return items_sum ? static_cast<double>(x) / static_cast<double>(items_sum) : 0.0;
    };
    fmt::print("scenario   {} (strategy: {}, diffusion: {})\n", scenario.name, strategy->name(), model->name());
    fmt::print("graph      {} users, {} arcs ({})\n", users, prepared.graph.num_arcs(),
               prepared.graph.description());
    fmt::print("runs       {} x {} steps of {} h, seed {}, {} threads\n", scenario.runs,
               config.num_steps, scenario.time.step_hours, scenario.seed, prov.threads);
    fmt::print("items      {:.1f} per run, {:.1f} reads and {:.2f} shares per item, {:.1f} taken down and "
               "{:.1f} pushes refused by quota per run\n",
               items_sum / runs, per_item(reads_sum), per_item(shares_sum), taken_down_sum / runs, refused_sum / runs);
    fmt::print("reach      {:.1f} users per run ({:.2f}% of users)\n", reach_sum / runs,
               100.0 * static_cast<double>(reach_sum) / runs / users);
    if (mean_series && index_series) {
      const auto pm = [](const MeanAndError& m) { return fmt::format("{:+.3g} ± {:.2g}", m.mean(), m.standard_error()); };
      fmt::print("attitude   mean {:+.4f} after the first step, {:+.4f} at the end (mean over runs)\n",
                 first_mean_sum / runs, last_mean_sum / runs);
      fmt::print("soft power index, mean ± se over runs, attitude change caused by the institution:\n");
      fmt::print("  all users      peak {}, integral {} attitude·days, final {}\n", pm(peak_all), pm(integral_all),
                 pm(final_all));
      if (reached_index_series) {
        fmt::print("  reached users  peak {}, final {}\n", pm(peak_reached), pm(final_reached));
      }
      if (readers_index_series) {
        fmt::print("  readers        peak {}, final {}\n", pm(peak_readers), pm(final_readers));
      }
    }
    fmt::print("time       {:.2f} s (graph {:.2f} s)\n", seconds_since(started), graph_seconds);
    fmt::print("wrote      {}\n", output.string());
  }
  if (options.profile) print_profile(phases, write_seconds, graph_seconds, runs_seconds, scenario.runs);
  return 0;
}

namespace {

/// What `validate` checks beyond parsing: the graph file exists, the followers fit the graph.
void check_graph_inputs(const Scenario& scenario) {
  if (scenario.graph.type == "edge_list" || scenario.graph.type == "graphml" ||
      scenario.graph.type == "cache") {
    const auto path = resolve_path(scenario, scenario.graph.path);
    if (!std::filesystem::exists(path)) {
      throw InputError(fmt::format("{}: graph.path: file not found: {}", scenario.origin.file, path.string()));
    }
  }
  check_institution(scenario);
}

}  // namespace

int validate(const ValidateOptions& options) {
  const Scenario scenario = load_scenario(options.scenario, options.overrides);
  const auto model = make_diffusion_model(scenario);
  const auto strategy = make_strategy_model(scenario, nullptr);
  if (scenario.sweep_node) {
    const SweepPlan plan = plan_sweep(scenario);  // checks every point's models
    for (std::uint64_t p = 0; p < plan.sweep.num_points(); ++p) {
      check_graph_inputs(scenario_at_point(scenario, plan.sweep, p));
    }
    fmt::print("{}: ok (sweep {}: {} points x {} replicates = {} runs of {} steps, graph {}{})\n", options.scenario,
               plan.fingerprint, plan.sweep.num_points(), plan.sweep.replicates, plan.sweep.num_runs(),
               plan.num_steps, scenario.graph.type, sweep_changes_graph(plan.sweep) ? " varied by the sweep" : "");
    return 0;
  }
  make_platform_filter(scenario);
  make_attitude_model(scenario, nullptr);
  check_graph_inputs(scenario);
  fmt::print("{}: ok ({} runs x {} steps, graph {}, strategy {}, diffusion {})\n", options.scenario,
             scenario.runs, scenario.time.num_steps(), scenario.graph.type, strategy->name(), model->name());
  return 0;
}

int info(const std::string& file) {
  std::cout << describe_file(file);
  return 0;
}

int report(const report::ReportOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  const report::ReportResult r = report::write_report(options);
  for (const auto& note : r.notes) std::cerr << "softpower: note: " << note << "\n";
  for (const auto& note : r.omitted) std::cerr << "softpower: note: left out " << note << "\n";
  fmt::print("wrote {}: {} figures, {:.0f} KiB in {:.2f} s\n", r.output.string(), r.figures,
             static_cast<double>(r.bytes) / 1024.0, seconds_since(started));
  if (!r.pngs.empty()) {
    fmt::print("wrote {} PNG files to {}\n", r.pngs.size(), options.png_dir.string());
  }
  return 0;
}

int graph_generate(const GraphGenerateOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  const auto threads_guard = limit_threads(options.threads);
  const Scenario scenario = options.scenario.empty()
                                ? parse_scenario("{}", "(command line)", options.overrides)
                                : load_scenario(options.scenario, options.overrides);
  if (!options.no_memory_check) check_memory(scenario, 0, "--no-memory-check");
  check_outputs({{.path = options.output, .role = "-o"}}, scenario_inputs(scenario, options.scenario), false);
  std::vector<std::string> notes;
  VertexAttributes attributes;
  const SocialGraph graph = [&] {
    try {
      return build_graph(scenario, &notes, &attributes);
    } catch (const InputError&) {
      rethrow_at_key(scenario, std::current_exception());  // a generator's limits, at graph.type
    }
  }();
  for (const auto& note : notes) std::cerr << "softpower: note: " << note << "\n";
  save_graph_cache(graph, options.output, attributes);
  fmt::print("wrote {}: {} vertices, {} arcs ({}) in {:.2f} s\n", options.output,
             graph.num_vertices(), graph.num_arcs(), graph.description(), seconds_since(started));
  return 0;
}

int graph_import(const GraphImportOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  std::string format = options.format;
  if (format.empty()) {
    const auto ext = std::filesystem::path(options.input).extension().string();
    format = ext == ".graphml" || ext == ".xml" ? "graphml" : "edge_list";
  }
  std::vector<InputPath> inputs{{options.input, "the graph file"}};
  if (!options.nodes.empty()) inputs.push_back({options.nodes, "the node table"});
  check_outputs({{.path = options.output, .role = "-o"}}, inputs, false);
  ImportReport report;
  VertexAttributes attributes;
  SocialGraph graph;
  if (format == "graphml") {
    if (!options.nodes.empty()) throw InputError("--nodes: node tables are for edge lists; GraphML has node attributes");
    GraphmlOptions opt;
    opt.weight_key = options.weight_key;
    opt.region_key = options.region_key;
    opt.community_key = options.community_key;
    graph = import_graphml(options.input, opt, &report, &attributes);
  } else {
    EdgeListOptions opt;
    opt.directed = options.directed;
    opt.weighted = options.weighted;
    opt.ignore_extra_columns = options.ignore_extra_columns;
    opt.nodes_path = options.nodes;
    graph = import_edge_list(options.input, opt, &report, &attributes);
  }
  for (const auto& note : report.notes) std::cerr << "softpower: note: " << note << "\n";
  save_graph_cache(graph, options.output, attributes);
  fmt::print("wrote {}: {} vertices, {} arcs, {} self-loops dropped, {} duplicate arcs merged, in {:.2f} s\n",
             options.output, graph.num_vertices(), graph.num_arcs(), report.self_loops_dropped,
             report.duplicate_arcs_merged, seconds_since(started));
  return 0;
}

int scenario_reference() {
  std::cout << scenario_docs() << model_docs();
  return 0;
}

}  // namespace softpower::cli
