// Binary graph cache: a SocialGraph stored as HDF5 CSR arrays, so a large imported or generated
// graph is built once and loaded in seconds. docs/output-format.md describes the layout.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "sim/graph.hpp"
#include "sim/import_report.hpp"
#include "sim/types.hpp"

namespace softpower {

/// Root attribute `file_kind` of a graph cache.
inline constexpr const char* kGraphCacheFileKind = "softpower-graph";
/// Layout version, root attribute `format_version`; loading refuses newer versions.
inline constexpr std::uint32_t kGraphCacheFormatVersion = 2;

/// What a cache's attributes say about the graph, without loading its arrays.
struct GraphCacheInfo {
  std::uint32_t format_version = 0;
  std::string softpower_version;
  std::string description;
  std::uint64_t checksum = 0;
  VertexId num_vertices = 0;
  ArcId num_arcs = 0;
  bool weighted = false;
  bool labelled = false;
  bool has_region = false;     ///< a `region` dataset (optional; older caches have none)
  bool has_community = false;  ///< a `community` dataset (optional)
};

/// Writes `g`, and the regions and communities in `attributes` that are not empty, to `path` via
/// PATH.partial and an atomic rename; creates missing parent directories. Throws RuntimeFailure
/// naming the path on any HDF5 or I/O error (no .partial is left behind), InputError if a label
/// contains a NUL byte (HDF5 strings cannot hold one), std::invalid_argument if an attribute
/// vector is neither empty nor one value per vertex, or holds a value an import cannot give.
void save_graph_cache(const SocialGraph& g, const std::filesystem::path& path,
                      const VertexAttributes& attributes = {});

/// Loads a cache written by save_graph_cache. Arc ids, weights, labels and the description are
/// as saved; the stored checksum is verified against the loaded graph. With `attributes`, the
/// stored regions and communities fill it (empty vectors when the cache has none, as caches
/// written before they existed) and are checked against their own checksum. Throws InputError
/// naming the path if the file is missing, not HDF5, not a graph cache, from a newer format,
/// truncated, inconsistent, or fails a checksum.
/// `spare_arcs`: capacity reserved in the arc arrays for that many more arcs, so that
/// SocialGraph::append_vertex (the institution's followers) moves nothing to new memory.
SocialGraph load_graph_cache(const std::filesystem::path& path,
                             VertexAttributes* attributes = nullptr, ArcId spare_arcs = 0);

/// Reads only the attributes of a cache (for `softpower info`). Same errors as loading, except
/// that the arrays are neither read nor checked.
GraphCacheInfo read_graph_cache_info(const std::filesystem::path& path);

}  // namespace softpower
