// GraphML files as written by NetworkX, igraph, graph-tool, Gephi and yEd. The supported subset
// and every policy are documented in docs/graph-import.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "sim/graph.hpp"
#include "sim/import_report.hpp"

namespace softpower {

/// How to read a GraphML file.
struct GraphmlOptions {
  /// nullopt: each edge follows its `directed` attribute, else its graph's `edgedefault`.
  /// true: every edge is one arc source->target. false: every edge is two arcs.
  std::optional<bool> directed;
  /// The edge attribute (<key attr.name=...>) holding arc weights; empty: ignore weights.
  std::string weight_key = "weight";
  /// The node attribute holding each user's region (0/1 or domestic/international); empty:
  /// ignore it. Read only when the caller asks for attributes.
  std::string region_key = "region";
  /// The node attribute holding each user's community (a non-negative integer); empty: ignore it.
  std::string community_key = "community";
};

/// Reads the one top-level graph of a GraphML file. Node ids are numbered 0..n-1 in order of
/// first appearance (as a <node> or as an edge endpoint) and become the graph's labels; nested
/// graphs (yEd groups) are flattened. Self-loops are dropped and duplicate arcs merged (weights
/// summed), both counted in `report`. With `attributes`, the node attributes named by
/// `region_key` and `community_key` fill it (defaults for nodes without them, a note per
/// attribute); every other attribute key, and those two without `attributes`, is skipped with
/// one note per key.
/// @throws InputError naming the file and line for malformed XML, a missing <graph>, an edge
///         without source or target, a bad weight, a bad region or community value, hyperedges,
///         ports, or more than 2^32-2 nodes.
SocialGraph import_graphml(const std::filesystem::path& path, const GraphmlOptions& opt,
                           ImportReport* report = nullptr, VertexAttributes* attributes = nullptr);

namespace detail {
/// import_graphml with a lower vertex limit, so tests can reach the limit with a tiny file.
SocialGraph import_graphml(const std::filesystem::path& path, const GraphmlOptions& opt,
                           ImportReport* report, std::uint64_t max_vertices,
                           VertexAttributes* attributes = nullptr);
}  // namespace detail

}  // namespace softpower
