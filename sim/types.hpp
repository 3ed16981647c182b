// Core types shared by every softpower library: ids, steps and the one graph type.
#pragma once

#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <cstdint>
#include <span>

namespace softpower {

using VertexId = std::uint32_t;
using ArcId = std::uint64_t;
using Step = std::int64_t;
using RunId = std::uint64_t;
using ItemId = std::uint32_t;

inline constexpr VertexId kNoVertex = ~VertexId{0};

/// Arc u->v means "v sees what u shares": v is in u's audience. Friendships are two arcs;
/// an institution's out-arcs go to its followers. Built once, shared read-only by every run.
using Graph = boost::compressed_sparse_row_graph<boost::bidirectionalS, boost::no_property,
                                                 boost::no_property, boost::no_property, VertexId,
                                                 ArcId>;

/// Raw view of the forward CSR arrays, for hot loops that must not pay for iterator adaptors.
/// Arc ids are positions in `targets`, identical to Boost's edge_index.
struct CsrView {
  std::span<const ArcId> offsets;   // size n + 1
  std::span<const VertexId> targets;  // size m

  [[nodiscard]] VertexId num_vertices() const {
    return static_cast<VertexId>(offsets.size() - 1);
  }
  [[nodiscard]] ArcId num_arcs() const { return targets.size(); }
  [[nodiscard]] ArcId out_degree(VertexId v) const { return offsets[v + 1] - offsets[v]; }
};

}  // namespace softpower
