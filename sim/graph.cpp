#include "sim/graph.hpp"

#include <tbb/parallel_sort.h>

#include <algorithm>
#include <numeric>

#include "sim/error.hpp"

namespace softpower {
namespace {

struct WeightedArc {
  VertexId source;
  VertexId target;
  float weight;
};

constexpr std::uint64_t kFnvOffset = 1469598103934665603ull;
constexpr std::uint64_t kFnvPrime = 1099511628211ull;

void fnv_bytes(std::uint64_t& h, const void* data, std::size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) h = (h ^ p[i]) * kFnvPrime;
}

// Sorted, self-loop-free, duplicate-merged arcs; arc ids then follow (source, target) order.
void canonicalize(std::vector<ArcInput>& arcs, std::vector<float>& weights, BuildReport& report) {
  const bool weighted = !weights.empty();
  std::vector<WeightedArc> all(arcs.size());
  for (std::size_t i = 0; i < arcs.size(); ++i) {
    all[i] = {arcs[i].source, arcs[i].target, weighted ? weights[i] : 1.0f};
  }
  tbb::parallel_sort(all.begin(), all.end(), [](const WeightedArc& a, const WeightedArc& b) {
    return a.source != b.source ? a.source < b.source : a.target < b.target;
  });
  std::size_t out = 0;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all[i].source == all[i].target) {
      ++report.self_loops_dropped;
      continue;
    }
    if (out > 0 && all[out - 1].source == all[i].source && all[out - 1].target == all[i].target) {
      all[out - 1].weight += all[i].weight;
      ++report.duplicate_arcs_merged;
      continue;
    }
    all[out++] = all[i];
  }
  all.resize(out);
  arcs.resize(out);
  if (weighted) weights.resize(out);
  for (std::size_t i = 0; i < out; ++i) {
    arcs[i] = {all[i].source, all[i].target};
    if (weighted) weights[i] = all[i].weight;
  }
}

}  // namespace

SocialGraph SocialGraph::from_arcs(VertexId num_vertices, std::vector<ArcInput> arcs,
                                   std::vector<float> weights, std::vector<std::string> labels,
                                   BuildOptions options, BuildReport* report) {
  if (!weights.empty() && weights.size() != arcs.size()) {
    throw std::invalid_argument("SocialGraph::from_arcs: weights must be empty or one per arc");
  }
  if (!labels.empty() && labels.size() != num_vertices) {
    throw std::invalid_argument("SocialGraph::from_arcs: labels must be empty or one per vertex");
  }
  for (const ArcInput& a : arcs) {
    if (a.source >= num_vertices || a.target >= num_vertices) {
      throw std::invalid_argument("SocialGraph::from_arcs: arc endpoint out of range");
    }
  }
  BuildReport local;
  if (options.canonicalize) canonicalize(arcs, weights, local);
  if (report) *report = local;

  SocialGraph g;
  // Boost's counting sort is stable, so arc ids follow the order of `arcs` within each source.
  auto to_pair = [](const ArcInput& a) { return std::pair<VertexId, VertexId>(a.source, a.target); };
  std::vector<std::pair<VertexId, VertexId>> pairs(arcs.size());
  std::transform(arcs.begin(), arcs.end(), pairs.begin(), to_pair);
  arcs.clear();
  arcs.shrink_to_fit();
  g.graph_ = Graph(boost::edges_are_unsorted_multi_pass, pairs.begin(), pairs.end(), num_vertices);
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
