// Plain-text edge lists (SNAP, KONECT, Matrix Market bodies, CSV exports): one edge per line.
// The format and every policy are documented in docs/graph-import.md.
#pragma once

#include <cstdint>
#include <filesystem>

#include "sim/graph.hpp"
#include "sim/import_report.hpp"

namespace softpower {

/// How to read an edge list.
struct EdgeListOptions {
  /// false: each line `u v` gives arcs u->v and v->u; true: only u->v.
  bool directed = false;
  /// true: the third column is a finite, non-negative weight; false: all arcs weigh 1 and a
  /// third column is an error unless `ignore_extra_columns`.
  bool weighted = false;
  /// Accept and ignore columns after the ones in use (KONECT timestamps, CSV extras).
  bool ignore_extra_columns = false;
  /// Lines whose first non-blank character is this are comments. Lines starting with '%'
  /// (Matrix Market / KONECT) are always comments; blank lines are skipped.
  char comment = '#';
  /// Optional node table: `id region [community]` per line, or a header naming the columns
  /// (docs/graph-import.md, "Regions and communities"). Empty: none; every user is domestic and
  /// there are no communities.
  std::filesystem::path nodes_path;
};

/// Reads an edge list. Vertex ids are arbitrary tokens, numbered 0..n-1 in order of first
/// appearance; the tokens become the graph's labels. Self-loops are dropped and duplicate arcs
/// merged (weights summed), both counted in `report`. The node table `opt.nodes_path`, if any,
/// gives regions and communities by the same ids; they go to `attributes` (defaults for users it
/// does not list, a note per column).
/// @throws InputError naming FILE:LINE and the offending text for any malformed line of either
///         file, an id of the node table that is not in the edge list, a missing or unreadable
///         file, a file without edges, or more than 2^32-2 vertices.
SocialGraph import_edge_list(const std::filesystem::path& path, const EdgeListOptions& opt,
                             ImportReport* report = nullptr,
                             VertexAttributes* attributes = nullptr);

namespace detail {
/// import_edge_list with a lower vertex limit, so tests can reach the limit with a tiny file.
SocialGraph import_edge_list(const std::filesystem::path& path, const EdgeListOptions& opt,
                             ImportReport* report, std::uint64_t max_vertices,
                             VertexAttributes* attributes = nullptr);
}  // namespace detail

}  // namespace softpower
