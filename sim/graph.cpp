#include "sim/graph.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>
#include <tbb/task_arena.h>

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

struct InArcs {
  std::vector<ArcId> offsets;
  std::vector<VertexId> sources;
  std::vector<ArcId> arc_ids;
};

/// In-arcs ordered within each target by forward arc id, with or without the arc ids: exactly
/// what Boost's own bidirectional constructor builds (tests/sim/graph_test.cpp). The sources are
/// cut into a few chunks of about equal arc counts; each chunk counts its arcs per target, the
/// counts give every chunk its own write position per target, and the chunks then scatter in
/// parallel, each in arc order. The result does not depend on the number of chunks or threads.
InArcs transpose(const std::vector<ArcId>& offsets, const std::vector<VertexId>& targets, bool with_arc_ids) {
  const auto n = static_cast<VertexId>(offsets.size() - 1);
  const ArcId m = targets.size();
  // Each chunk costs n counters; a few chunks already saturate memory bandwidth.
  constexpr std::size_t kMaxChunks = 4;
  const std::size_t chunks = std::clamp<std::size_t>(
      std::min<std::size_t>(static_cast<std::size_t>(tbb::this_task_arena::max_concurrency()), kMaxChunks), 1,
      std::max<std::size_t>(1, m / (std::size_t{1} << 16)));
  std::vector<VertexId> chunk_begin(chunks + 1, n);
  for (std::size_t c = 0; c < chunks; ++c) {
    const ArcId first_arc = m / chunks * c;
    chunk_begin[c] = static_cast<VertexId>(std::upper_bound(offsets.begin(), offsets.end(), first_arc) - offsets.begin() - 1);
  }
  chunk_begin[0] = 0;
  std::vector<std::vector<ArcId>> cursor(chunks);
  tbb::parallel_for(std::size_t{0}, chunks, [&](std::size_t c) {
    cursor[c].assign(n, 0);
    for (ArcId a = offsets[chunk_begin[c]]; a < offsets[chunk_begin[c + 1]]; ++a) ++cursor[c][targets[a]];
  });
  InArcs in;
  in.offsets.assign(static_cast<std::size_t>(n) + 1, 0);
  for (VertexId v = 0; v < n; ++v) {
    ArcId position = in.offsets[v];
    for (std::size_t c = 0; c < chunks; ++c) {
      const ArcId count = cursor[c][v];
      cursor[c][v] = position;
      position += count;
    }
    in.offsets[v + 1] = position;
  }
  in.sources.resize(m);
  if (with_arc_ids) in.arc_ids.resize(m);
  tbb::parallel_for(std::size_t{0}, chunks, [&](std::size_t c) {
    std::vector<ArcId>& next = cursor[c];
    for (VertexId u = chunk_begin[c]; u < chunk_begin[c + 1]; ++u) {
      for (ArcId a = offsets[u]; a < offsets[u + 1]; ++a) {
        const ArcId position = next[targets[a]]++;
        in.sources[position] = u;
        if (with_arc_ids) in.arc_ids[position] = a;
      }
    }
  });
  return in;
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
  return from_csr(std::move(offsets), std::move(targets), std::move(sorted_weights), std::move(labels),
                  options.in_arc_ids);
}

SocialGraph SocialGraph::from_csr(std::vector<ArcId> offsets, std::vector<VertexId> targets,
                                  std::vector<float> weights, std::vector<std::string> labels,
                                  InArcIds in_arc_ids) {
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

  const bool keep_ids = in_arc_ids == InArcIds::kAlways || !weights.empty();
  InArcs in = transpose(offsets, targets, keep_ids);
  SocialGraph g;
  g.graph_ = Graph(n);
  g.graph_.m_forward.m_rowstart = std::move(offsets);
  g.graph_.m_forward.m_column = std::move(targets);
  g.graph_.m_backward.m_rowstart = std::move(in.offsets);
  g.graph_.m_backward.m_column = std::move(in.sources);
  g.graph_.m_backward.m_edge_properties = std::move(in.arc_ids);
  g.weights_ = std::move(weights);
  g.labels_ = std::move(labels);
  g.keeps_in_arc_ids_ = keep_ids;
  return g;
}

VertexId SocialGraph::append_vertex(std::span<const VertexId> targets, const std::string& label) {
  const VertexId n = num_vertices();
  if (n >= kNoVertex - 1) throw std::invalid_argument("SocialGraph::append_vertex: too many vertices for 32-bit ids");
  if (!std::is_sorted(targets.begin(), targets.end()) ||
      std::adjacent_find(targets.begin(), targets.end()) != targets.end() ||
      (!targets.empty() && targets.back() >= n)) {
    throw std::invalid_argument("SocialGraph::append_vertex: targets must be distinct existing vertices, sorted");
  }
  auto& fwd = graph_.m_forward;
  auto& bwd = graph_.m_backward;
  const ArcId first_new_arc = fwd.m_column.size();
  fwd.m_column.reserve(first_new_arc + targets.size());
  fwd.m_column.insert(fwd.m_column.end(), targets.begin(), targets.end());
  fwd.m_rowstart.push_back(fwd.m_column.size());
  if (!weights_.empty()) weights_.resize(fwd.m_column.size(), 1.0f);
  if (!labels_.empty()) labels_.push_back(label);

  // The new arcs have the largest ids, so each goes last among its target's in-arcs: one
  // sequential merge instead of a new transpose.
  const bool with_arc_ids = keeps_in_arc_ids_;
  std::vector<VertexId> sources(bwd.m_column.size() + targets.size());
  std::vector<ArcId> arc_ids(with_arc_ids ? sources.size() : 0);
  std::vector<ArcId> offsets(static_cast<std::size_t>(n) + 2);
  ArcId out = 0;
  std::size_t next = 0;
  for (VertexId v = 0; v < n; ++v) {
    offsets[v] = out;
    const ArcId begin = bwd.m_rowstart[v], end = bwd.m_rowstart[v + 1];
    std::copy(bwd.m_column.begin() + static_cast<std::ptrdiff_t>(begin),
              bwd.m_column.begin() + static_cast<std::ptrdiff_t>(end), sources.begin() + static_cast<std::ptrdiff_t>(out));
    if (with_arc_ids) {
      std::copy(bwd.m_edge_properties.begin() + static_cast<std::ptrdiff_t>(begin),
                bwd.m_edge_properties.begin() + static_cast<std::ptrdiff_t>(end),
                arc_ids.begin() + static_cast<std::ptrdiff_t>(out));
    }
    out += end - begin;
    if (next < targets.size() && targets[next] == v) {
      sources[out] = n;
      if (with_arc_ids) arc_ids[out] = first_new_arc + next;
      ++out;
      ++next;
    }
  }
  offsets[n] = offsets[n + 1] = out;

  Graph grown(n + 1);
  grown.m_forward.m_rowstart = std::move(fwd.m_rowstart);
  grown.m_forward.m_column = std::move(fwd.m_column);
  grown.m_backward.m_rowstart = std::move(offsets);
  grown.m_backward.m_column = std::move(sources);
  grown.m_backward.m_edge_properties = std::move(arc_ids);
  graph_ = std::move(grown);
  return n;
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
