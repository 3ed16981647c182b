// SocialGraph: the one graph type plus what importers know about it (original ids, arc weights).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "sim/types.hpp"

namespace softpower {

struct ArcInput {
  VertexId source;
  VertexId target;
  bool operator==(const ArcInput&) const = default;
};

/// What building a graph from raw arcs did to the input, so importers can report it.
struct BuildReport {
  std::uint64_t self_loops_dropped = 0;
  std::uint64_t duplicate_arcs_merged = 0;
};

/// Whether a graph stores, for each in-arc, the id of the forward arc it mirrors (8 bytes per
/// arc). Only weight lookups along in-arcs and Boost's in_edges() need them, so by default only
/// weighted graphs keep them.
enum class InArcIds { kIfWeighted, kAlways };

/// How to turn raw arcs into the CSR graph.
struct BuildOptions {
  /// Sort arcs by (source, target) so arc ids do not depend on input order; drop self-loops and
  /// merge duplicate arcs (summing weights). Generators that already emit unique arcs in a
  /// deterministic order may skip this.
  bool canonicalize = true;
  InArcIds in_arc_ids = InArcIds::kIfWeighted;
  /// The caller's promise that every arc u->v comes with v->u (an undirected edge list gives
  /// each edge as both arcs). With canonicalize on, no weights and no in-arc ids, each vertex's
  /// in-arcs then equal its sorted out-arcs, so they are copied instead of transposed.
  bool mutual = false;
};

class SocialGraph {
 public:
  SocialGraph() = default;

  /// Builds the CSR graph. `weights` is empty (all arcs weigh 1) or parallel to `arcs`.
  /// `labels` is empty (ids are the labels) or holds one original id per vertex.
  /// O(n + m): a stable counting sort by source, then (if canonicalizing) a parallel sort of
  /// each vertex's targets.
  static SocialGraph from_arcs(VertexId num_vertices, std::vector<ArcInput> arcs,
                               std::vector<float> weights = {}, std::vector<std::string> labels = {},
                               BuildOptions options = {}, BuildReport* report = nullptr);

  /// Adopts forward CSR arrays as they are (arc ids = positions in `targets`) and derives the
  /// in-arcs. `offsets` has n + 1 entries from 0 to targets.size(), non-decreasing; every target
  /// is below n. Throws std::invalid_argument otherwise.
  static SocialGraph from_csr(std::vector<ArcId> offsets, std::vector<VertexId> targets,
                              std::vector<float> weights = {}, std::vector<std::string> labels = {},
                              InArcIds in_arc_ids = InArcIds::kIfWeighted);

  /// Both directions as stored (a graph cache), so nothing is transposed. `in` must be exactly
  /// what from_csr derives for these forward arrays, with arc ids when the graph is weighted;
  /// this checks shapes and bounds only (so a wrong `in` cannot make an access go out of
  /// range), not that `in` is the transpose: the caller vouches for that (a cache by its own
  /// checksum over the in-arcs). Throws std::invalid_argument otherwise, whose message names
  /// the array and its first fault ("in-arc 7 points to vertex 12 of 10") for the caller to
  /// prefix with its file.
  struct InArcArrays {
    std::vector<ArcId> offsets;
    std::vector<VertexId> sources;
    std::vector<ArcId> arc_ids;
  };
  static SocialGraph from_both_directions(std::vector<ArcId> offsets, std::vector<VertexId> targets,
                                          InArcArrays in, std::vector<float> weights = {},
                                          std::vector<std::string> labels = {});

  /// Adds a vertex (id num_vertices()) with arcs to `targets`, which must be distinct, sorted
  /// existing vertices, and `label` if the graph has labels. Existing arcs keep their ids; the
  /// result equals from_csr on the grown arrays, in O(n + m) sequential copying rather than a
  /// new transpose. Returns the new id.
  VertexId append_vertex(std::span<const VertexId> targets, const std::string& label);

  [[nodiscard]] const Graph& csr() const { return graph_; }
  [[nodiscard]] CsrView out_view() const;
  [[nodiscard]] CsrView in_view() const;  // in-arcs; `targets` holds the sources
  /// For in-arc position i (as in in_view), the id of the forward arc it mirrors; empty for a
  /// graph built without them (InArcIds). Boost's in_edges() on csr() needs them.
  [[nodiscard]] std::span<const ArcId> in_arc_ids() const;

  [[nodiscard]] VertexId num_vertices() const {
    return static_cast<VertexId>(graph_.m_forward.m_rowstart.size() - 1);
  }
  [[nodiscard]] ArcId num_arcs() const { return graph_.m_forward.m_column.size(); }

  /// Arc weights by arc id; empty means every arc weighs 1.
  [[nodiscard]] const std::vector<float>& weights() const { return weights_; }
  /// Original ids from an imported file, by vertex; empty for generated graphs.
  [[nodiscard]] const std::vector<std::string>& labels() const { return labels_; }
  [[nodiscard]] std::string label(VertexId v) const;

  /// Free-form provenance ("erdos_renyi n=1000 mean_degree=10 seed=1", "edgelist path=...").
  [[nodiscard]] const std::string& description() const { return description_; }
  void set_description(std::string d) { description_ = std::move(d); }

  /// Checksum of the forward CSR arrays, weights and labels (sim/checksum.hpp: XXH64 of 1 MiB
  /// blocks), computed once when the graph is built: lets result files, exports and caches
  /// detect a different graph behind the same file name.
  [[nodiscard]] std::uint64_t checksum() const { return checksum_; }
  /// FNV-1a over the same bytes, the checksum that result files of format 1 and graph caches of
  /// format 1 recorded. Serial, about 1.5 ns per byte: computed on demand, for those files only.
  [[nodiscard]] std::uint64_t fnv1a_checksum() const;

 private:
  Graph graph_;
  std::vector<float> weights_;
  std::vector<std::string> labels_;
  std::string description_;
  bool keeps_in_arc_ids_ = false;
  std::uint64_t checksum_ = 0;

  /// from_csr, with the in-arcs copied from the out-arcs when `mirror` (see BuildOptions::mutual).
  static SocialGraph from_forward(std::vector<ArcId> offsets, std::vector<VertexId> targets,
                                 std::vector<float> weights, std::vector<std::string> labels,
                                 InArcIds in_arc_ids, bool mirror);
  /// Takes both directions' arrays, checked by the caller, and computes the checksum.
  static SocialGraph adopt(std::vector<ArcId> offsets, std::vector<VertexId> targets, InArcArrays in,
                           std::vector<float> weights, std::vector<std::string> labels, bool keeps_in_arc_ids);
  void compute_checksum();
};

}  // namespace softpower
