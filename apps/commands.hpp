// The softpower subcommands. main() only parses arguments into these option structs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "report/report.hpp"
#include "sim/scenario.hpp"

namespace softpower::cli {

struct RunOptions {
  std::string scenario;
  std::string output;  // empty: results/<scenario name>.h5
  int threads = 0;     // 0: every core
  std::optional<std::string> seed;  // as typed: checked like `seed` in a scenario
  std::vector<std::string> overrides;
  bool quiet = false;
  bool profile = false;  // print the time per phase of the runs
  bool no_memory_check = false;
  std::string command_line;
};

struct SweepOptions {
  std::string scenario;
  std::string output;  // empty: results/<scenario name>.h5; a shard adds .shard-K-of-N
  int threads = 0;
  std::optional<std::string> seed;  // as typed: checked like `seed` in a scenario
  std::vector<std::string> overrides;
  std::string shard;  // "K/N"; empty: from SLURM_ARRAY_* or one shard
  bool resume = false;
  bool quiet = false;
  double log_interval = 60.0;  // seconds between progress lines when stderr is not a terminal
  bool no_memory_check = false;
  bool profile = false;  // print the time spent outside the runs (docs/performance.md)
  std::string command_line;
};

struct MergeOptions {
  std::vector<std::string> inputs;
  std::string output;
  std::string command_line;
};

struct RerunOptions {
  std::string result;
  std::vector<std::string> runs;  // lists of run ids and ranges ("0,5,10-19"); empty: every run
  std::uint64_t sample = 0;       // also check this many runs spread over the file; 0: none
  int threads = 0;                // 0: every core
  std::string scenario_dir;       // as ExportOptions::scenario_dir
};

struct ValidateOptions {
  std::string scenario;
  std::vector<std::string> overrides;
};

struct GraphGenerateOptions {
  std::string scenario;  // optional: defaults + overrides when empty
  std::vector<std::string> overrides;
  std::string output;
  int threads = 0;
  bool no_memory_check = false;
};

struct GraphImportOptions {
  std::string input;
  std::string format;  // edge_list | graphml; empty: from the file extension
  bool directed = false;
  bool weighted = false;
  bool ignore_extra_columns = false;
  std::string weight_key = "weight";
  std::string nodes;  // edge list: node table with regions and communities
  std::string region_key = "region";
  std::string community_key = "community";
  std::string output;
};

struct ExportOptions {
  std::string result;
  std::optional<std::uint64_t> run;  // default: the file's first run
  ExportSpec spec;                   // files, version, dynamic, cascades, sample (paths: to the cwd)
  std::optional<std::uint32_t> cascade;  // only this item's cascade tree
  std::string scenario_dir;  // resolves relative graph paths of the stored scenario; default: cwd
  bool quiet = false;
};

int run(const RunOptions& options);
/// Returns 0, or kExitInterrupted (apps/stop_signals.hpp) when a signal stopped the sweep.
int sweep(const SweepOptions& options);
int merge(const MergeOptions& options);
int export_run(const ExportOptions& options);
/// Returns 0 if every compared dataset is reproduced bit for bit; throws RuntimeFailure (exit
/// 1) naming the datasets and runs that differ, InputError (exit 2) for bad input or a graph
/// whose checksum changed.
int rerun(const RerunOptions& options);
int validate(const ValidateOptions& options);
int info(const std::string& file);
int report(const report::ReportOptions& options);
int graph_generate(const GraphGenerateOptions& options);
int graph_import(const GraphImportOptions& options);
int scenario_reference();

}  // namespace softpower::cli
