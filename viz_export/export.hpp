// One run of a result file as graph files for Gephi and the graph libraries: the network with
// every user's state (or a sample of it), and cascade trees of single items. Used by
// `softpower export` and by the `export:` section of `softpower run`; docs/gephi.md shows the
// files in Gephi.
#pragma once

#include <filesystem>
#include <functional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "sim/graph_source.hpp"
#include "sim/run_result.hpp"
#include "sim/scenario.hpp"
#include "viz_export/graph_writer.hpp"

namespace softpower::viz {

/// What an export reads: the graph a run ran on (institution included) and the run, with its
/// events.
struct ExportSource {
  const PreparedGraph& graph;
  const RunResult& run;
  std::span<const VertexId> paid_seeds;  // the strategy's key opinion leaders
  std::string scenario_name;
  Step num_steps = 0;
  double step_hours = 1.0;
};

enum class Format { kGexf, kGraphml };

/// Checks that spec.gexf names a .gexf file and spec.graphml a .graphml file (either may be
/// empty). Throws InputError naming the key, as `key_prefix` + gexf or graphml ("export." in a
/// scenario, "--" on the command line), so the mistake shows before a run, not after it.
void check_file_types(const ExportSpec& spec, const std::string& key_prefix);

struct ExportReport {
  std::uint64_t nodes = 0;
  std::uint64_t edges = 0;
  std::vector<std::string> warnings;  // e.g. a full export larger than Gephi handles comfortably
};

/// Gephi stays responsive up to about this many nodes and edges; larger full exports warn.
inline constexpr std::uint64_t kComfortableNodes = 100000;
inline constexpr std::uint64_t kComfortableEdges = 1000000;

/// The vertices `spec.sample` selects, sorted, always with the run's institution.
std::vector<VertexId> sample_vertices(const ExportSource& source, const ExportSpec& spec);

/// The network (or the sample `spec` asks for) with every vertex's state and the items each arc
/// carried. Throws InputError if the run has no events or the sample is empty of arcs and
/// vertices alike, std::runtime_error if the stream fails.
ExportReport write_network(const ExportSource& source, const ExportSpec& spec, Format format, std::ostream& out);

/// The cascade tree of one item: who passed it to whom and when. Throws InputError for an item
/// the run does not have.
ExportReport write_cascade(const ExportSource& source, ItemId item, const ExportSpec& spec, Format format,
                           std::ostream& out);

/// `file` with the item's cascade suffix: results/x.gexf -> results/x.cascade-7.gexf.
std::filesystem::path cascade_file(const std::filesystem::path& file, ItemId item);

/// Writes `write(stream)` to FILE.partial, then renames it to FILE, so FILE is whole or absent;
/// creates missing parent folders. A symlink FILE is written through (the file it points to is
/// replaced). Throws InputError (check_output_paths, sim/output_path.hpp) if FILE is a device,
/// FIFO, socket or folder, before opening anything; RuntimeFailure naming FILE if writing fails
/// (a full disk included: the bytes it lacks), after removing the .partial file.
void write_file(const std::filesystem::path& file, const std::function<void(std::ostream&)>& write);

/// The files of an `export:` section (or the command line): spec.gexf and spec.graphml
/// (relative to `base_dir`), each with the cascade trees of the spec.cascades items of largest
/// reach next to it. Prints one line per file, and every warning, to `log`. Returns the files.
std::vector<std::filesystem::path> write_exports(const ExportSource& source, const ExportSpec& spec,
                                                 const std::filesystem::path& base_dir, std::ostream& log);

}  // namespace softpower::viz
