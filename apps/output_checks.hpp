// Which files each command reads and writes, gathered for the check that runs before any work
// (check_output_paths, sim/output_path.hpp): every output is checked against every input.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "apps/sweep_plan.hpp"
#include "sim/output_path.hpp"
#include "sim/scenario.hpp"

namespace softpower::cli {

/// The files `scenario` reads: `scenario_file` (empty: none) and its graph file and node table
/// where the graph comes from files.
std::vector<InputPath> scenario_inputs(const Scenario& scenario, const std::filesystem::path& scenario_file);

/// The same for a sweep: the base scenario's files, and each point's when an axis changes the
/// graph (a point may name another graph file).
std::vector<InputPath> sweep_inputs(const SweepPlan& plan, const std::filesystem::path& scenario_file);

/// The export files of an `export:` section or of `softpower export`: spec.gexf and
/// spec.graphml, relative names resolved against `base_dir` as viz::write_exports does.
std::vector<OutputPath> export_outputs(const ExportSpec& spec, const std::filesystem::path& base_dir,
                                       const std::string& role_prefix);

/// check_output_paths, with its notes ("created folder X ...") printed on stderr unless `quiet`.
void check_outputs(const std::vector<OutputPath>& outputs, const std::vector<InputPath>& inputs, bool quiet);

}  // namespace softpower::cli
