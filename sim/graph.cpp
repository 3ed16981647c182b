#include "sim/graph.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace softpower {
namespace {

constexpr std::uint64_t kFnvOffset = 1469598103934665603ull;
constexpr std::uint64_t kFnvPrime = 1099511628211ull;

void fnv_bytes(std::uint64_t& h, const void* data, std::size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) h = (h ^ p[i]) * kFnvPrime;
}

/// Exclusive prefix sum of per-vertex counts into n + 1 offsets.
std::vector<ArcId> offsets_from_counts(const std::vector<ArcId>& counts) {
  std::vector<ArcId> offsets(counts.size() + 1, 0);
  std::partial_sum(counts.begin(), counts.end(), offsets.begin() + 1);
  return offsets;
}

/// Sorts each row by target, drops self-loops and merges duplicate arcs (summing weights),
/// then compacts the rows. Rows are independent, so this runs in parallel.
void canonicalize_rows(std::vector<ArcId>& offsets, std::vector<VertexId>& targets,
                       std::vector<float>& weights, BuildReport& report) {
  const auto n = static_cast<VertexId>(offsets.size() - 1);
  const bool weighted = !weights.empty();
  std::vector<ArcId> kept(n, 0);
  struct Dropped {
    std::uint64_t loops = 0, duplicates = 0;
  };
  const Dropped dropped = tbb::parallel_reduce(
      tbb::blocked_range<VertexId>(0, n, 1024), Dropped{},
      [&](const tbb::blocked_range<VertexId>& range, Dropped acc) {
        std::vector<std::pair<VertexId, float>> row;
        for (VertexId u = range.begin(); u < range.end(); ++u) {
          const ArcId begin = offsets[u], end = offsets[u + 1];
          row.clear();
          for (ArcId a = begin; a < end; ++a) row.emplace_back(targets[a], weighted ? weights[a] : 1.0f);
          // Stable, so merged weights are summed in input order: the same floats every time.
          std::stable_sort(row.begin(), row.end(),
                           [](const auto& x, const auto& y) { return x.first < y.first; });
          ArcId out = begin;
          for (std::size_t i = 0; i < row.size(); ++i) {
            if (row[i].first == u) {
              ++acc.loops;
            } else if (out > begin && targets[out - 1] == row[i].first) {
              if (weighted) weights[out - 1] += row[i].second;
              ++acc.duplicates;
            } else {
              targets[out] = row[i].first;
              if (weighted) weights[out] = row[i].second;
              ++out;
            }
          }
          kept[u] = out - begin;
        }
        return acc;
      },
      [](Dropped a, const Dropped& b) {
        a.loops += b.loops;
        a.duplicates += b.duplicates;
        return a;
      });
  report.self_loops_dropped = dropped.loops;
  report.duplicate_arcs_merged = dropped.duplicates;
  if (dropped.loops == 0 && dropped.duplicates == 0) return;
  std::vector<ArcId> compact = offsets_from_counts(kept);
  // Rows only move left (compact[u] <= offsets[u]), so a serial forward pass is safe.
  for (VertexId u = 0; u < n; ++u) {
    std::copy_n(targets.begin() + static_cast<std::ptrdiff_t>(offsets[u]), kept[u],
                targets.begin() + static_cast<std::ptrdiff_t>(compact[u]));
    if (weighted) {
      std::copy_n(weights.begin() + static_cast<std::ptrdiff_t>(offsets[u]), kept[u],
                  weights.begin() + static_cast<std::ptrdiff_t>(compact[u]));
    }
  }
  targets.resize(compact[n]);
  targets.shrink_to_fit();
  if (weighted) {
    weights.resize(compact[n]);
    weights.shrink_to_fit();
  }
  offsets = std::move(compact);
}

}  // namespace

SocialGraph SocialGraph::from_arcs(VertexId num_vertices, std::vector<ArcInput> arcs,
                                   std::vector<float> weights, std::vector<std::string> labels,
                                   BuildOptions options, BuildReport* report) {
  if (!weights.empty() && weights.size() != arcs.size()) {
    throw std::invalid_argument("SocialGraph::from_arcs: weights must be empty or one per arc");
  }
  const bool in_range = std::all_of(arcs.begin(), arcs.end(), [&](const ArcInput& a) {
    return a.source < num_vertices && a.target < num_vertices;
  });
  if (!in_range) throw std::invalid_argument("SocialGraph::from_arcs: arc endpoint out of range");

  // Stable counting sort by source: arcs of one source keep their input order.
  std::vector<ArcId> counts(num_vertices, 0);
  for (const ArcInput& a : arcs) ++counts[a.source];
  std::vector<ArcId> offsets = offsets_from_counts(counts);
  std::vector<ArcId> next(offsets.begin(), offsets.end() - 1);
  std::vector<VertexId> targets(arcs.size());
  std::vector<float> sorted_weights(weights.size());
  for (std::size_t i = 0; i < arcs.size(); ++i) {
    const ArcId pos = next[arcs[i].source]++;
    targets[pos] = arcs[i].target;
    if (!weights.empty()) sorted_weights[pos] = weights[i];
  }
  std::vector<ArcInput>().swap(arcs);
  std::vector<float>().swap(weights);
  std::vector<ArcId>().swap(counts);
  std::vector<ArcId>().swap(next);

  BuildReport local;
  if (options.canonicalize) canonicalize_rows(offsets, targets, sorted_weights, local);
  if (report) *report = local;
  return from_csr(std::move(offsets), std::move(targets), std::move(sorted_weights), std::move(labels));
}

SocialGraph SocialGraph::from_csr(std::vector<ArcId> offsets, std::vector<VertexId> targets,
                                  std::vector<float> weights, std::vector<std::string> labels) {
  if (offsets.empty() || offsets.front() != 0 || offsets.back() != targets.size() ||
      !std::is_sorted(offsets.begin(), offsets.end())) {
    throw std::invalid_argument("SocialGraph::from_csr: offsets must rise from 0 to the arc count");
  }
  if (offsets.size() - 1 > kNoVertex - 1) {
    throw std::invalid_argument("SocialGraph::from_csr: too many vertices for 32-bit ids");
  }
  const auto n = static_cast<VertexId>(offsets.size() - 1);
  if (!weights.empty() && weights.size() != targets.size()) {
    throw std::invalid_argument("SocialGraph::from_csr: weights must be empty or one per arc");
  }
  if (!labels.empty() && labels.size() != n) {
    throw std::invalid_argument("SocialGraph::from_csr: labels must be empty or one per vertex");
  }
  if (!std::all_of(targets.begin(), targets.end(), [n](VertexId v) { return v < n; })) {
    throw std::invalid_argument("SocialGraph::from_csr: arc target out of range");
  }

  // In-arcs, ordered within each target by forward arc id: exactly what Boost's own
  // bidirectional constructor builds (checked in tests/sim/graph_test.cpp), done in O(n + m)
  // without the intermediate edge list.
  std::vector<ArcId> in_counts(n, 0);
  for (VertexId v : targets) ++in_counts[v];
  std::vector<ArcId> in_offsets = offsets_from_counts(in_counts);
  std::vector<ArcId>().swap(in_counts);
  std::vector<ArcId> next(in_offsets.begin(), in_offsets.end() - 1);
  std::vector<VertexId> in_sources(targets.size());
  std::vector<ArcId> in_arc(targets.size());
  for (VertexId u = 0; u < n; ++u) {
    for (ArcId a = offsets[u]; a < offsets[u + 1]; ++a) {
      const ArcId pos = next[targets[a]]++;
      in_sources[pos] = u;
      in_arc[pos] = a;
    }
  }

  SocialGraph g;
  g.graph_ = Graph(n);
  g.graph_.m_forward.m_rowstart = std::move(offsets);
  g.graph_.m_forward.m_column = std::move(targets);
  g.graph_.m_backward.m_rowstart = std::move(in_offsets);
  g.graph_.m_backward.m_column = std::move(in_sources);
  g.graph_.m_backward.m_edge_properties = std::move(in_arc);
  g.weights_ = std::move(weights);
  g.labels_ = std::move(labels);
  return g;
}

CsrView SocialGraph::out_view() const {
  return {graph_.m_forward.m_rowstart, graph_.m_forward.m_column};
}

CsrView SocialGraph::in_view() const {
  return {graph_.m_backward.m_rowstart, graph_.m_backward.m_column};
}

std::span<const ArcId> SocialGraph::in_arc_ids() const {
  return graph_.m_backward.m_edge_properties;
}

std::string SocialGraph::label(VertexId v) const {
  return labels_.empty() ? std::to_string(v) : labels_.at(v);
}

std::uint64_t SocialGraph::checksum() const {
  std::uint64_t h = kFnvOffset;
  const auto& rows = graph_.m_forward.m_rowstart;
  const auto& cols = graph_.m_forward.m_column;
  fnv_bytes(h, rows.data(), rows.size() * sizeof(rows[0]));
  fnv_bytes(h, cols.data(), cols.size() * sizeof(cols[0]));
  fnv_bytes(h, weights_.data(), weights_.size() * sizeof(float));
  for (const std::string& s : labels_) {
    fnv_bytes(h, s.data(), s.size());
    fnv_bytes(h, "\0", 1);
  }
  return h;
}

}  // namespace softpower
