#include "apps/output_checks.hpp"

#include <iostream>

#include "sim/sweep.hpp"

namespace softpower::cli {

std::vector<InputPath> scenario_inputs(const Scenario& scenario, const std::filesystem::path& scenario_file) {
  std::vector<InputPath> inputs;
  if (!scenario_file.empty()) inputs.push_back({scenario_file, "the scenario"});
  const GraphSpec& g = scenario.graph;
  if (g.type == "edge_list" || g.type == "graphml" || g.type == "cache") {
    inputs.push_back({resolve_path(scenario, g.path), g.type == "cache" ? "the graph cache" : "the graph file"});
    if (!g.nodes_path.empty()) inputs.push_back({resolve_path(scenario, g.nodes_path), "the node table"});
  }
  return inputs;
}

std::vector<InputPath> sweep_inputs(const SweepPlan& plan, const std::filesystem::path& scenario_file) {
  std::vector<InputPath> inputs = scenario_inputs(plan.base, scenario_file);
  if (!plan.base.sweep_node || !sweep_changes_graph(plan.sweep)) return inputs;
  for (std::uint64_t p = 0; p < plan.sweep.num_points(); ++p) {
    for (InputPath& in : scenario_inputs(scenario_at_point(plan.base, plan.sweep, p), {})) {
      inputs.push_back(std::move(in));
    }
  }
  return inputs;
}

std::vector<OutputPath> export_outputs(const ExportSpec& spec, const std::filesystem::path& base_dir,
                                       const std::string& role_prefix) {
  std::vector<OutputPath> outputs;
  for (const auto& [name, key] : {std::pair{spec.gexf, "gexf"}, std::pair{spec.graphml, "graphml"}}) {
    if (name.empty()) continue;
    const std::filesystem::path path(name);
    outputs.push_back({.path = path.is_absolute() ? path : base_dir / path, .role = role_prefix + key});
  }
  return outputs;
}

void check_outputs(const std::vector<OutputPath>& outputs, const std::vector<InputPath>& inputs, bool quiet) {
  const std::vector<std::string> notes = check_output_paths(outputs, inputs);
  if (quiet) return;
  for (const std::string& note : notes) std::cerr << "softpower: note: " << note << "\n";
}

}  // namespace softpower::cli
