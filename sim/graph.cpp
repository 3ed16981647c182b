#include "sim/graph.hpp"

#include <fmt/format.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "sim/checksum.hpp"

namespace softpower {
namespace {

constexpr std::uint64_t kFnvOffset = 1469598103934665603ull;
constexpr std::uint64_t kFnvPrime = 1099511628211ull;

void fnv_bytes(std::uint64_t& h, const void* data, std::size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) h = (h ^ p[i]) * kFnvPrime;
}

/// The first position whose value is at least `limit`, or values.size(); in parallel.
std::size_t first_at_or_above(std::span<const VertexId> values, VertexId limit) {
  return tbb::parallel_reduce(
      tbb::blocked_range<std::size_t>(0, values.size(), std::size_t{1} << 16), values.size(),
      [&](const tbb::blocked_range<std::size_t>& r, std::size_t found) {
        for (std::size_t i = r.begin(); i < r.end() && i < found; ++i) {
          if (values[i] >= limit) return i;
        }
        return found;
      },
      [](std::size_t a, std::size_t b) { return std::min(a, b); });
}

/// True if `offsets` rises from 0 to `arcs` without decreasing.
bool valid_offsets(std::span<const ArcId> offsets, ArcId arcs) {
  if (offsets.empty() || offsets.front() != 0 || offsets.back() != arcs) return false;
  return tbb::parallel_reduce(
      tbb::blocked_range<std::size_t>(1, offsets.size(), std::size_t{1} << 16), true,
      [&](const tbb::blocked_range<std::size_t>& r, bool ok) {
        if (!ok) return false;
        for (std::size_t i = r.begin(); i < r.end(); ++i) {
          if (offsets[i] < offsets[i - 1]) return false;
        }
        return true;
      },
      [](bool a, bool b) { return a && b; });
}

/// Exclusive prefix sum of per-vertex counts into n + 1 offsets.
std::vector<ArcId> offsets_from_counts(const std::vector<ArcId>& counts) {
  std::vector<ArcId> offsets(counts.size() + 1, 0);
  std::partial_sum(counts.begin(), counts.end(), offsets.begin() + 1);
  return offsets;
}

/// In-arcs ordered within each target by forward arc id, with or without the arc ids: exactly
/// what Boost's own bidirectional constructor builds (tests/sim/graph_test.cpp). The sources are
/// cut into a few chunks of about equal arc counts; each chunk counts its arcs per target, the
/// counts give every chunk its own write position per target, and the chunks then scatter in
/// parallel, each in arc order. The result does not depend on the number of chunks or threads.
SocialGraph::InArcArrays transpose(const std::vector<ArcId>& offsets, const std::vector<VertexId>& targets, bool with_arc_ids) {
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
  SocialGraph::InArcArrays in;
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

struct Dropped {
  std::uint64_t loops = 0, duplicates = 0;
};

/// Row u of an unweighted graph, sorted in place with its self-loops and repeats dropped (equal
/// targets are indistinguishable without weights, so no stable sort); returns what it keeps.
ArcId canonical_unweighted_row(VertexId u, VertexId* first, VertexId* last, Dropped& dropped) {
  std::sort(first, last);
  VertexId* out = first;
  for (const VertexId* t = first; t < last; ++t) {
    if (*t == u) {
      ++dropped.loops;
    } else if (out > first && *(out - 1) == *t) {
      ++dropped.duplicates;
    } else {
      *out++ = *t;
    }
  }
  return static_cast<ArcId>(out - first);
}

/// Sorts each row by target, drops self-loops and merges duplicate arcs (summing weights),
/// then compacts the rows. Rows are independent, so this runs in parallel.
void canonicalize_rows(std::vector<ArcId>& offsets, std::vector<VertexId>& targets,
                       std::vector<float>& weights, BuildReport& report) {
  const auto n = static_cast<VertexId>(offsets.size() - 1);
  const bool weighted = !weights.empty();
  std::vector<ArcId> kept(n, 0);
  const Dropped dropped = tbb::parallel_reduce(
      tbb::blocked_range<VertexId>(0, n, 1024), Dropped{},
      [&](const tbb::blocked_range<VertexId>& range, Dropped acc) {
        std::vector<std::pair<VertexId, float>> row;
        for (VertexId u = range.begin(); u < range.end(); ++u) {
          const ArcId begin = offsets[u], end = offsets[u + 1];
          if (!weighted) {
            kept[u] = canonical_unweighted_row(u, targets.data() + begin, targets.data() + end, acc);
            continue;
          }
          row.clear();
          for (ArcId a = begin; a < end; ++a) row.emplace_back(targets[a], weights[a]);
          // Stable, so merged weights are summed in input order: the same floats every time.
          std::stable_sort(row.begin(), row.end(),
                           [](const auto& x, const auto& y) { return x.first < y.first; });
          ArcId out = begin;
          for (std::size_t i = 0; i < row.size(); ++i) {
            if (row[i].first == u) {
              ++acc.loops;
            } else if (out > begin && targets[out - 1] == row[i].first) {
              weights[out - 1] += row[i].second;
              ++acc.duplicates;
            } else {
              targets[out] = row[i].first;
              weights[out] = row[i].second;
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

  // Stable counting sort by source: arcs of one source keep their input order. The input is
  // cut into a few chunks; each counts its arcs per source, the counts give every chunk its own
  // write position per source (earlier chunks first), and the chunks scatter in parallel. The
  // result does not depend on the number of chunks.
  const std::size_t m = arcs.size();
  constexpr std::size_t kMaxChunks = 4;  // each costs n counters
  const std::size_t chunks = std::clamp<std::size_t>(
      std::min<std::size_t>(static_cast<std::size_t>(tbb::this_task_arena::max_concurrency()), kMaxChunks), 1,
      std::max<std::size_t>(1, m / (std::size_t{1} << 16)));
  const auto chunk_begin = [&](std::size_t c) { return m / chunks * c + std::min(c, m % chunks); };
  std::vector<std::vector<ArcId>> cursor(chunks);
  tbb::parallel_for(std::size_t{0}, chunks, [&](std::size_t c) {
    cursor[c].assign(num_vertices, 0);
    for (std::size_t i = chunk_begin(c); i < chunk_begin(c + 1); ++i) ++cursor[c][arcs[i].source];
  });
  std::vector<ArcId> offsets(static_cast<std::size_t>(num_vertices) + 1, 0);
  for (VertexId v = 0; v < num_vertices; ++v) {
    ArcId position = offsets[v];
    for (std::size_t c = 0; c < chunks; ++c) {
      const ArcId count = cursor[c][v];
      cursor[c][v] = position;
      position += count;
    }
    offsets[v + 1] = position;
  }
  std::vector<VertexId> targets(m);
  std::vector<float> sorted_weights(weights.size());
  tbb::parallel_for(std::size_t{0}, chunks, [&](std::size_t c) {
    std::vector<ArcId>& next = cursor[c];
    for (std::size_t i = chunk_begin(c); i < chunk_begin(c + 1); ++i) {
      const ArcId pos = next[arcs[i].source]++;
      targets[pos] = arcs[i].target;
      if (!weights.empty()) sorted_weights[pos] = weights[i];
    }
  });
  std::vector<ArcInput>().swap(arcs);
  std::vector<float>().swap(weights);
  std::vector<std::vector<ArcId>>().swap(cursor);

  BuildReport local;
  if (options.canonicalize) canonicalize_rows(offsets, targets, sorted_weights, local);
  if (report) *report = local;
  // Canonical rows of a mutual arc set are sorted and free of repeats and self-loops, so v's
  // in-arcs (sources in increasing order) are exactly v's out-arcs.
  const bool mirror = options.mutual && options.canonicalize && sorted_weights.empty() &&
                      options.in_arc_ids == InArcIds::kIfWeighted;
  return from_forward(std::move(offsets), std::move(targets), std::move(sorted_weights), std::move(labels),
                      options.in_arc_ids, mirror);
}

SocialGraph SocialGraph::from_csr(std::vector<ArcId> offsets, std::vector<VertexId> targets,
                                  std::vector<float> weights, std::vector<std::string> labels,
                                  InArcIds in_arc_ids) {
  return from_forward(std::move(offsets), std::move(targets), std::move(weights), std::move(labels), in_arc_ids,
                      false);
}

SocialGraph SocialGraph::from_forward(std::vector<ArcId> offsets, std::vector<VertexId> targets,
                                      std::vector<float> weights, std::vector<std::string> labels,
                                      InArcIds in_arc_ids, bool mirror) {
  if (!valid_offsets(offsets, targets.size())) {
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
  if (const std::size_t bad = first_at_or_above(targets, n); bad < targets.size()) {
    throw std::invalid_argument(fmt::format("arc {} points to vertex {} of {}", bad, targets[bad], n));
  }

  const bool keep_ids = in_arc_ids == InArcIds::kAlways || !weights.empty();
  SocialGraph::InArcArrays in = mirror ? SocialGraph::InArcArrays{offsets, targets, {}}
                                       : transpose(offsets, targets, keep_ids);
  return adopt(std::move(offsets), std::move(targets), std::move(in), std::move(weights), std::move(labels),
               keep_ids);
}

SocialGraph SocialGraph::adopt(std::vector<ArcId> offsets, std::vector<VertexId> targets, InArcArrays in,
                               std::vector<float> weights, std::vector<std::string> labels, bool keeps_in_arc_ids) {
  SocialGraph g;
  g.graph_ = Graph(static_cast<VertexId>(offsets.size() - 1));
  g.graph_.m_forward.m_rowstart = std::move(offsets);
  g.graph_.m_forward.m_column = std::move(targets);
  g.graph_.m_backward.m_rowstart = std::move(in.offsets);
  g.graph_.m_backward.m_column = std::move(in.sources);
  g.graph_.m_backward.m_edge_properties = std::move(in.arc_ids);
  g.weights_ = std::move(weights);
  g.labels_ = std::move(labels);
  g.keeps_in_arc_ids_ = keeps_in_arc_ids;
  g.compute_checksum();
  return g;
}

SocialGraph SocialGraph::from_both_directions(std::vector<ArcId> offsets, std::vector<VertexId> targets,
                                              InArcArrays in, std::vector<float> weights,
                                              std::vector<std::string> labels) {
  const auto fail = [](const char* what) {
    throw std::invalid_argument(what);
  };
  if (offsets.empty() || offsets.size() - 1 > kNoVertex - 1) fail("no vertices, or too many for 32-bit ids");
  const auto n = static_cast<VertexId>(offsets.size() - 1);
  const ArcId m = targets.size();
  if (!valid_offsets(offsets, m)) fail("offsets must rise from 0 to the arc count");
  if (in.offsets.size() != offsets.size() || !valid_offsets(in.offsets, m) || in.sources.size() != m) {
    fail("in-arc offsets must rise from 0 to the arc count, one per vertex");
  }
  for (const auto& [endpoints, what] : {std::pair{std::span<const VertexId>(targets), "arc"},
                                        std::pair{std::span<const VertexId>(in.sources), "in-arc"}}) {
    if (const std::size_t bad = first_at_or_above(endpoints, n); bad < endpoints.size()) {
      throw std::invalid_argument(fmt::format("{} {} points to vertex {} of {}", what, bad, endpoints[bad], n));
    }
  }
  if (!weights.empty() && weights.size() != m) fail("weights must be empty or one per arc");
  if (!labels.empty() && labels.size() != n) fail("labels must be empty or one per vertex");
  const bool keep_ids = !weights.empty();
  if (in.arc_ids.size() != (keep_ids ? m : 0)) {
    fail("in-arc ids must be given for a weighted graph, one per arc, and only for one");
  }
  if (keep_ids) {
    const bool ids_in_range = tbb::parallel_reduce(
        tbb::blocked_range<std::size_t>(0, m, std::size_t{1} << 16), true,
        [&](const tbb::blocked_range<std::size_t>& r, bool ok) {
          for (std::size_t i = r.begin(); ok && i < r.end(); ++i) ok = in.arc_ids[i] < m;
          return ok;
        },
        [](bool a, bool b) { return a && b; });
    if (!ids_in_range) fail("in-arc id out of range");
  }
  return adopt(std::move(offsets), std::move(targets), std::move(in), std::move(weights), std::move(labels),
               keep_ids);
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

  // The new arcs have the largest ids, so each goes last among its target's in-arcs. The rows
  // move right in place, the last first: row v moves by the number of new arcs to vertices
  // below v, which never decreases with v, so a row is written only where rows above it have
  // already left. With capacity reserved (load_graph_cache's spare_arcs) nothing is copied
  // to new memory: about 0.1 s for 1.5e8 arcs instead of a second for two fresh arrays.
  const bool with_arc_ids = keeps_in_arc_ids_;
  auto& rows = bwd.m_rowstart;
  auto& sources = bwd.m_column;
  auto& arc_ids = bwd.m_edge_properties;
  const ArcId old_arcs = sources.size();
  sources.resize(old_arcs + targets.size());
  if (with_arc_ids) arc_ids.resize(sources.size());
  rows.push_back(sources.size());  // the new vertex has no in-arcs
  rows[n] = sources.size();
  std::size_t below = targets.size();  // new arcs to vertices below the current one, after the step
  ArcId old_end = old_arcs;            // where row v ended before it moved
  for (VertexId v = n; v-- > 0 && below > 0;) {
    const bool gains = targets[below - 1] == v;
    if (gains) --below;
    const ArcId begin = rows[v];
    const ArcId length = old_end - begin;
    const ArcId dest = begin + below;
    std::copy_backward(sources.begin() + static_cast<std::ptrdiff_t>(begin),
                       sources.begin() + static_cast<std::ptrdiff_t>(old_end),
                       sources.begin() + static_cast<std::ptrdiff_t>(dest + length));
    if (with_arc_ids) {
      std::copy_backward(arc_ids.begin() + static_cast<std::ptrdiff_t>(begin),
                         arc_ids.begin() + static_cast<std::ptrdiff_t>(old_end),
                         arc_ids.begin() + static_cast<std::ptrdiff_t>(dest + length));
    }
    if (gains) {
      sources[dest + length] = n;
      if (with_arc_ids) arc_ids[dest + length] = first_new_arc + below;
    }
    rows[v] = dest;
    old_end = begin;
  }
  // Boost keeps one (empty) property per vertex beside the row arrays.
  static_cast<Graph::inherited_vertex_properties&>(graph_).resize(static_cast<std::size_t>(n) + 1);
  compute_checksum();
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

void SocialGraph::compute_checksum() {
  BlockChecksum sum;
  sum.add_array(std::span<const ArcId>(graph_.m_forward.m_rowstart));
  sum.add_array(std::span<const VertexId>(graph_.m_forward.m_column));
  sum.add_array(std::span<const float>(weights_));
  std::string joined;
  for (const std::string& s : labels_) {
    joined += s;
    joined += '\0';
  }
  sum.add_array(std::span<const char>(joined));
  checksum_ = sum.value();
}

std::uint64_t SocialGraph::fnv1a_checksum() const {
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
