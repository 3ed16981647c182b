// softpower command line: parses arguments and calls the library. Exit codes: 0 success,
// 2 bad input (arguments, scenario, graph files), 1 runtime failure, 75 a sweep stopped by a
// signal with its completed runs checkpointed (apps/stop_signals.hpp).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "apps/commands.hpp"
#include "sim/error.hpp"
#include "sim/huge_pages.hpp"
#include "softpower/version.hpp"

namespace {

std::string join_command_line(int argc, char** argv) {
  std::string out;
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    const bool quote = arg.empty() || arg.find_first_of(" \t'\"$") != std::string::npos;
    if (quote) {
      std::string escaped;
      for (char c : arg) escaped += c == '\'' ? std::string("'\\''") : std::string(1, c);
      arg = "'" + escaped + "'";
    }
    out += (i ? " " : "") + arg;
  }
  return out;
}

// An unsigned 64-bit value as typed: the option parser would wrap -1 into 18446744073709551615
// and saturate 2^64 to it.
const CLI::Validator kUnsigned64(
    [](std::string& text) -> std::string {
      std::uint64_t value = 0;
      const char* end = text.data() + text.size();
      const auto r = std::from_chars(text.data(), end, value);
      return r.ec == std::errc() && r.ptr == end ? std::string()
                                                 : "expected an integer from 0 to 18446744073709551615, got " + text;
    },
    "UINT64");

}  // namespace

int main(int argc, char** argv) {
  softpower::use_huge_pages(argv);
  namespace cli = softpower::cli;
  CLI::App app{"softpower: agent-based simulation of soft-power diffusion and platform filtering on follower graphs"};
  app.set_version_flag("--version", std::string("softpower ") + softpower::kVersion);
  app.require_subcommand(1);

  cli::RunOptions run;
  run.command_line = join_command_line(argc, argv);
  auto* run_cmd = app.add_subcommand("run", "Run a scenario and write its trajectories to HDF5");
  run_cmd->add_option("scenario", run.scenario, "Scenario YAML file")->required()->check(CLI::ExistingFile);
  run_cmd->add_option("-o,--output", run.output, "Result file (default: results/<scenario name>.h5)");
  run_cmd->add_option("--threads", run.threads, "Worker threads (default: every core); results do not depend on it")->check(CLI::Range(1, 4096));
  run_cmd->add_option("--seed", run.seed, "Base seed (same as --set seed=S)");
  run_cmd->add_option("--set", run.overrides, "Override a scenario key: --set key.path=value (repeatable)");
  run_cmd->add_flag("-q,--quiet", run.quiet, "Print nothing but errors");
  run_cmd->add_flag("--no-memory-check", run.no_memory_check, "Run even if the graph and runs are estimated not to fit in the available memory");
  run_cmd->add_flag("--profile", run.profile, "Print where the time went: graph, each phase of the runs' step loop, writing (docs/performance.md)");

  cli::SweepOptions sweep;
  sweep.command_line = run.command_line;
  auto* sweep_cmd = app.add_subcommand("sweep", "Run every point x replicate of a scenario's sweep block in parallel, into one HDF5 file; resumable");
  sweep_cmd->add_option("scenario", sweep.scenario, "Scenario YAML file (with a sweep: block; without one, its runs are the replicates of one point)")->required()->check(CLI::ExistingFile);
  sweep_cmd->add_option("-o,--output", sweep.output, "Result file (default: results/<scenario name>.h5); a shard writes NAME.shard-K-of-N.h5, or use {shard} and {shards} in the name");
  sweep_cmd->add_option("--threads", sweep.threads, "Worker threads (default: every core); results do not depend on it")->check(CLI::Range(1, 4096));
  sweep_cmd->add_option("--seed", sweep.seed, "Base seed (same as --set seed=S)");
  sweep_cmd->add_option("--set", sweep.overrides, "Override a scenario key: --set key.path=value (repeatable)");
  sweep_cmd->add_option("--shard", sweep.shard, "Run only shard K of N (0 <= K < N): runs with run % N == K (default: from SLURM_ARRAY_TASK_ID/COUNT when set)");
  sweep_cmd->add_flag("--resume", sweep.resume, "Finish an interrupted sweep from its checkpoint (OUTPUT.checkpoint/), running only the missing runs");
  sweep_cmd->add_option("--log-interval", sweep.log_interval, "Seconds between progress lines when stderr is not a terminal (default 60)")->check(CLI::Range(0.1, 1e6));
  sweep_cmd->add_flag("-q,--quiet", sweep.quiet, "Print nothing but errors");
  sweep_cmd->add_flag("--profile", sweep.profile, "Print the wall time spent outside the runs' step loops: setup, scheduling, the journal, writing the file (docs/performance.md)");
  sweep_cmd->add_flag("--no-memory-check", sweep.no_memory_check, "Run even if the graph and runs are estimated not to fit in the available memory");

  cli::MergeOptions merge;
  merge.command_line = run.command_line;
  auto* merge_cmd = app.add_subcommand("merge", "Combine the shard files of one sweep into one result file");
  merge_cmd->add_option("shards", merge.inputs, "Shard result files (all shards of one sweep)")->required();
  merge_cmd->add_option("-o,--output", merge.output, "Merged result file")->required();

  cli::ExportOptions exporting;
  auto* export_cmd = app.add_subcommand("export", "Write one run of a result file as GEXF (Gephi) or GraphML: the network with every user's state, a sample of it, or cascade trees");
  export_cmd->add_option("result", exporting.result, "Result file (of softpower run, sweep or merge); a run recorded without an export: section is run again to regenerate its events, and must reproduce its stored metrics bit for bit")->required()->check(CLI::ExistingFile);
  export_cmd->add_option("--run", exporting.run, "Run id to export (default: the file's first run)")->check(kUnsigned64);
  export_cmd->add_option("--gexf", exporting.spec.gexf, "GEXF file to write");
  export_cmd->add_option("--graphml", exporting.spec.graphml, "GraphML file to write");
  export_cmd->add_option("--gexf-version", exporting.spec.gexf_version, "1.3 (default; Gephi 0.9+, graphology) or 1.2draft (NetworkX before 3.6)")->check(CLI::IsMember({"1.3", "1.2draft"}));
  export_cmd->add_flag("--dynamic", exporting.spec.dynamic, "Dynamic GEXF: awareness, reads, shares and attitude over time, for Gephi's timeline");
  export_cmd->add_option("--cascades", exporting.spec.cascades, "Also write the cascade trees of the K items of largest reach, as FILE.cascade-ITEM.gexf")->check(CLI::Range(0, 100000));
  export_cmd->add_option("--cascade", exporting.cascade, "Write only the cascade tree of this item to the --gexf/--graphml file");
  export_cmd->add_option("--sample", exporting.spec.sample, "Vertices to export: none (all, default), ego, top_items, k_core, random")->check(CLI::IsMember({"none", "ego", "top_items", "k_core", "random"}));
  export_cmd->add_option("--depth", exporting.spec.depth, "--sample ego: hops from the institution (default 2)")->check(CLI::Range(0, 1000));
  export_cmd->add_option("--top-items", exporting.spec.top_items, "--sample top_items: items of largest reach (default 3)")->check(CLI::Range(1, 1000000));
  export_cmd->add_option("--k", exporting.spec.k, "--sample k_core: core number (default 10)")->check(CLI::Range(1, 1000000));
  export_cmd->add_option("--vertices", exporting.spec.vertices, "--sample random: users drawn (default 50000)")->check(CLI::Range(1u, 4294967294u));
  export_cmd->add_option("--sample-seed", exporting.spec.sample_seed, "--sample random: seed (default 1)")->check(kUnsigned64);
  export_cmd->add_option("--scenario-dir", exporting.scenario_dir, "Folder against which the stored scenario's relative graph paths resolve (default: the result's record, else the current folder)");
  export_cmd->add_flag("-q,--quiet", exporting.quiet, "Print nothing but errors");

  cli::RerunOptions rerun;
  auto* rerun_cmd = app.add_subcommand("rerun", "Run a result file's runs again from its stored scenario, seed and run ids, and check that they reproduce every stored dataset bit for bit (exit 0: identical, 1: a difference, 2: bad input or a changed graph)");
  rerun_cmd->add_option("result", rerun.result, "Result file of softpower run, sweep (a shard file: its runs) or merge")->required()->check(CLI::ExistingFile);
  rerun_cmd->add_option("--runs", rerun.runs, "Only these runs: ids and ranges, e.g. --runs 0,5,10-19 (repeatable)");
  rerun_cmd->add_option("--run", rerun.runs, "Only this run (repeatable; same as --runs N)");
  rerun_cmd->add_option("--sample", rerun.sample, "Also check K runs spread evenly over the file, first and last included (a large sweep checked by sampling)")->check(CLI::Range(1, 1 << 30));
  rerun_cmd->add_option("--threads", rerun.threads, "Worker threads (default: every core); results do not depend on it")->check(CLI::Range(1, 4096));
  rerun_cmd->add_option("--scenario-dir", rerun.scenario_dir, "Folder against which the stored scenario's relative graph paths resolve (default: the result's record, else the current folder)");

  cli::ValidateOptions validate;
  auto* validate_cmd = app.add_subcommand("validate", "Check a scenario (keys, types, ranges, model parameters) without running it");
  validate_cmd->add_option("scenario", validate.scenario, "Scenario YAML file")->required()->check(CLI::ExistingFile);
  validate_cmd->add_option("--set", validate.overrides, "Override a scenario key: --set key.path=value (repeatable)");

  std::string info_file;
  auto* info_cmd = app.add_subcommand("info", "Describe a result file or a graph cache");
  info_cmd->add_option("file", info_file, "softpower HDF5 file")->required();

  softpower::report::ReportOptions reporting;
  auto* report_cmd = app.add_subcommand("report", "Write a self-contained HTML report (inline SVG figures, no network) of a result file: a run, a sweep, a shard or a merged sweep");
  report_cmd->add_option("result", reporting.input, "Result file (.h5)")->required();
  report_cmd->add_option("-o,--output", reporting.output, "HTML file to write (default: the result file with the extension .html); its folder must exist");
  report_cmd->add_option("--metric", reporting.metric, "Sweep outcome for the heat map: NAME or NAME:REDUCTION, NAME a metric or float series of the file, REDUCTION final, peak, total or mean (default: reach_cumulative:final)");
  report_cmd->add_option("--png", reporting.png_dir, "Also write each figure as DIR/<figure>.png (needs rsvg-convert, Debian package librsvg2-bin)");

  auto* graph_cmd = app.add_subcommand("graph", "Generate or import a graph into a binary cache (HDF5)");
  graph_cmd->require_subcommand(1);
  cli::GraphGenerateOptions generate;
  auto* generate_cmd = graph_cmd->add_subcommand("generate", "Generate the graph a scenario describes; use --set graph.KEY=VALUE to choose it without a file");
  generate_cmd->add_option("scenario", generate.scenario, "Scenario YAML file (optional)")->check(CLI::ExistingFile);
  generate_cmd->add_option("--set", generate.overrides, "Override a scenario key, e.g. --set graph.n=1000000");
  generate_cmd->add_option("-o,--output", generate.output, "Graph cache file (.h5)")->required();
  generate_cmd->add_option("--threads", generate.threads, "Worker threads (default: every core)")->check(CLI::Range(1, 4096));
  generate_cmd->add_flag("--no-memory-check", generate.no_memory_check, "Generate even if the graph is estimated not to fit in the available memory");
  cli::GraphImportOptions import;
  auto* import_cmd = graph_cmd->add_subcommand("import", "Import an edge list or GraphML file");
  import_cmd->add_option("file", import.input, "Edge list (.txt, .csv, .tsv, .edges, ...) or GraphML (.graphml, .xml)")->required()->check(CLI::ExistingFile);
  import_cmd->add_option("--format", import.format, "edge_list or graphml (default: from the extension)")->check(CLI::IsMember({"edge_list", "graphml"}));
  import_cmd->add_flag("--directed", import.directed, "Edge list lines are arcs u->v (default: mutual pairs)");
  import_cmd->add_flag("--weighted", import.weighted, "Edge list third column is a weight");
  import_cmd->add_flag("--ignore-extra-columns", import.ignore_extra_columns, "Ignore edge list columns after the ones in use (otherwise an error)");
  import_cmd->add_option("--weight-key", import.weight_key, "GraphML edge attribute holding the weight");
  import_cmd->add_option("--nodes", import.nodes, "Edge list node table: id region [community] per line, or a header naming the columns")->check(CLI::ExistingFile);
  import_cmd->add_option("--region-key", import.region_key, "GraphML node attribute holding the region (0/domestic, 1/international)");
  import_cmd->add_option("--community-key", import.community_key, "GraphML node attribute holding the community (an integer)");
  import_cmd->add_option("-o,--output", import.output, "Graph cache file (.h5)")->required();

  auto* reference_cmd = app.add_subcommand("scenario-reference", "Print the reference of every scenario key (Markdown)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 answers a mistyped command with "A subcommand is required": name it instead.
    if (argc > 1 && argv[1][0] != '-') {
      bool known = false;
      for (const CLI::App* sub : app.get_subcommands({})) known = known || sub->check_name(argv[1]);
      if (!known) {
        std::cerr << "softpower: error: unknown command '" << argv[1] << "' (softpower --help lists them)\n";
        return 2;
      }
    }
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  try {
    if (*run_cmd) return cli::run(run);
    if (*sweep_cmd) return cli::sweep(sweep);
    if (*merge_cmd) return cli::merge(merge);
    if (*export_cmd) return cli::export_run(exporting);
    if (*rerun_cmd) return cli::rerun(rerun);
    if (*validate_cmd) return cli::validate(validate);
    if (*info_cmd) return cli::info(info_file);
    if (*report_cmd) return cli::report(reporting);
    if (*generate_cmd) return cli::graph_generate(generate);
    if (*import_cmd) return cli::graph_import(import);
    if (*reference_cmd) return cli::scenario_reference();
  } catch (const softpower::InputError& e) {
    std::cerr << "softpower: error: " << e.what() << "\n";
    return 2;
  } catch (const std::bad_alloc&) {
    std::cerr << "softpower: error: out of memory\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "softpower: error: " << e.what() << "\n";
    // Out through _Exit, past the libraries' exit handlers: a runtime failure can leave a
    // library unable to clean up. After a full disk, HDF5 1.10 keeps a file it could not close
    // ("slist already enabled?") and its exit handler crashes closing it again (SIGSEGV),
    // which would turn exit 1 into a crash. Everything softpower owns is closed by now.
    std::cout.flush();
    std::fflush(nullptr);
    std::_Exit(1);
  }
  return 1;
}
