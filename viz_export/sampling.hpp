// Vertex samples for exporting part of a run to Gephi, which is comfortable up to about 50,000
// vertices: an ego network, a k-core, a uniform random sample, the readers of chosen items, and
// the arcs a sample induces. Pure algorithms, no I/O. Every sample is a list of distinct vertex
// ids sorted ascending, and none depends on the thread count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "sim/graph.hpp"
#include "sim/run_result.hpp"
#include "sim/types.hpp"

namespace softpower::viz {

/// The center and every vertex within `depth` hops of it along out-arcs (the audience of the
/// center, the audience of that audience, ...); depth 0 is the center alone. Level-synchronous
/// breadth-first search, parallel over large frontiers. Throws std::invalid_argument if
/// `center` is not a vertex of `g`.
[[nodiscard]] std::vector<VertexId> ego_network(const SocialGraph& g, VertexId center,
                                                std::uint32_t depth);

/// Core number of every vertex in the undirected simple graph of `g`: u and v are adjacent when
/// the arc u->v or v->u exists (reciprocal and duplicate arcs count once, self-loops not at all).
/// Batagelj-Zaversnik bucket peeling, O(n + m); undirected degrees are computed in parallel.
[[nodiscard]] std::vector<std::uint32_t> core_numbers(const SocialGraph& g);

/// The k-core of the undirected simple graph of `g` (as in core_numbers): the vertices whose
/// core number is at least k. k = 0 gives every vertex; k above the largest core, none.
[[nodiscard]] std::vector<VertexId> k_core(const SocialGraph& g, std::uint32_t k);

/// `count` distinct vertices of [0, num_vertices) drawn uniformly without replacement (Floyd's
/// algorithm, O(count) draws). Every draw is keyed by CounterRng(seed, 0) and
/// Purpose::kExportSample, so the same (num_vertices, count, seed) always gives the same sample.
/// count >= num_vertices gives every vertex.
[[nodiscard]] std::vector<VertexId> random_vertices(VertexId num_vertices, VertexId count,
                                                    std::uint64_t seed);

/// Every reader of the given items plus every reader's parent (publisher, paid seed or sharer),
/// so each edge of the items' cascade trees has both ends in the sample. `events.reads` must be
/// sorted by (item, user); items nobody read add nothing.
[[nodiscard]] std::vector<VertexId> readers_of_items(const UserEvents& events,
                                                     std::span<const ItemId> items);

/// Ids of at most k items, best first: by reach, then reads (both descending), then lower id.
/// Items with reach 0 (blocked, or delivered to nobody) are left out. Unlike the samples above,
/// the result is in rank order, not sorted by id.
[[nodiscard]] std::vector<ItemId> top_items_by_reach(std::span<const ItemRecord> items,
                                                     std::size_t k);

namespace detail {

/// Membership bitmap of a vertex set given as a strictly increasing list of vertex ids.
class VertexBitmap {
 public:
  /// Throws std::invalid_argument if `sorted_vertices` is not strictly increasing or holds an
  /// id >= num_vertices.
  VertexBitmap(VertexId num_vertices, std::span<const VertexId> sorted_vertices);
  [[nodiscard]] bool contains(VertexId v) const { return (words_[v >> 6] >> (v & 63)) & 1u; }

 private:
  std::vector<std::uint64_t> words_;
};

}  // namespace detail

/// Calls f(source, target, arc_id) for every arc of `g` with both ends in `sorted_vertices`
/// (strictly increasing vertex ids), in increasing arc-id order. O(n / 64 + sum of the set's
/// out-degrees). Throws std::invalid_argument if the list is not strictly increasing or holds
/// an id that is not a vertex.
template <class F>
void for_each_induced_arc(const SocialGraph& g, std::span<const VertexId> sorted_vertices, F&& f) {
  const detail::VertexBitmap in_set(g.num_vertices(), sorted_vertices);
  const CsrView out = g.out_view();
  // Arc ids are grouped by source in source order, so increasing sources give increasing ids.
  for (const VertexId u : sorted_vertices) {
    for (ArcId a = out.offsets[u]; a < out.offsets[u + 1]; ++a) {
      if (in_set.contains(out.targets[a])) f(u, out.targets[a], a);
    }
  }
}

/// The number of arcs for_each_induced_arc visits, counted in parallel.
[[nodiscard]] std::uint64_t count_induced_arcs(const SocialGraph& g,
                                               std::span<const VertexId> sorted_vertices);

}  // namespace softpower::viz
