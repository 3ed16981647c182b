#include "models/strategy/kol_seeding.hpp"

#include <boost/graph/page_rank.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <unordered_set>

#include "sim/error.hpp"
#include "sim/rng.hpp"

namespace softpower {
namespace {

std::vector<VertexId> top_by(VertexId num_users, std::uint32_t budget,
                             const std::vector<double>& score) {
  std::vector<VertexId> order(num_users);
  std::iota(order.begin(), order.end(), VertexId{0});
  const auto k = std::min<std::size_t>(budget, num_users);
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                    [&](VertexId a, VertexId b) { return score[a] != score[b] ? score[a] > score[b] : a < b; });
  order.resize(k);
  std::sort(order.begin(), order.end());
  return order;
}

// Floyd's algorithm over `pool`: `budget` distinct entries, each subset equally likely.
std::vector<VertexId> sample(const std::vector<VertexId>& pool, std::uint32_t budget, std::uint64_t seed) {
  const CounterRng rng(seed, 0);
  const std::uint64_t size = pool.size();
  const std::uint64_t k = std::min<std::uint64_t>(budget, size);
  std::unordered_set<std::uint64_t> chosen;
  for (std::uint64_t j = size - k; j < size; ++j) {
    const std::uint64_t t = rng.bits(Purpose::kKolRandom, 0, j) % (j + 1);
    chosen.insert(chosen.count(t) ? j : t);
  }
  std::vector<VertexId> out;
  for (std::uint64_t i : chosen) out.push_back(pool[i]);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

KolSelection parse_kol_selection(const std::string& name) {
  if (name == "degree") return KolSelection::kDegree;
  if (name == "pagerank") return KolSelection::kPagerank;
  if (name == "random") return KolSelection::kRandom;
  if (name == "community") return KolSelection::kCommunity;
  throw std::invalid_argument("unknown KOL selection: " + name);
}

std::vector<VertexId> choose_kols(const SocialGraph& graph, VertexId num_users, std::uint32_t budget,
                                  KolSelection selection, std::uint64_t seed,
                                  const std::vector<std::uint32_t>& community,
                                  std::uint32_t target_community) {
  if (budget == 0) return {};
  if (budget > num_users) {
    throw InputError(fmt::format("strategy.kol_budget: {} KOLs requested but the graph has only {} users",
                                 budget, num_users));
  }
  const CsrView out = graph.out_view();
  switch (selection) {
    case KolSelection::kDegree: {
      std::vector<double> degree(num_users);
      for (VertexId v = 0; v < num_users; ++v) degree[v] = static_cast<double>(out.out_degree(v));
      return top_by(num_users, budget, degree);
    }
    case KolSelection::kPagerank: {
      // Rank flows from a listener to the users they hear from, so run PageRank on the graph
      // with arcs reversed: build it once from the in-arcs.
      const CsrView in = graph.in_view();
      std::vector<ArcId> offsets(in.offsets.begin(), in.offsets.end());
      std::vector<VertexId> targets(in.targets.begin(), in.targets.end());
      // Boost's PageRank walks in_edges(), which needs the in-arc ids.
      const SocialGraph reversed =
          SocialGraph::from_csr(std::move(offsets), std::move(targets), {}, {}, InArcIds::kAlways);
      std::vector<double> rank(graph.num_vertices(), 0.0);
      boost::graph::page_rank(reversed.csr(),
                       boost::make_iterator_property_map(rank.begin(), boost::get(boost::vertex_index, reversed.csr())),
                       boost::graph::n_iterations(50), 0.85);
      rank.resize(num_users);
      return top_by(num_users, budget, rank);
    }
    case KolSelection::kRandom: {
      std::vector<VertexId> pool(num_users);
      std::iota(pool.begin(), pool.end(), VertexId{0});
      return sample(pool, budget, seed);
    }
    case KolSelection::kCommunity: {
      if (community.size() < num_users) {
        throw InputError("strategy.kol_selection: 'community' needs community labels (a wechat_like graph, or an imported one with a community column or attribute)");
      }
      std::vector<VertexId> pool;
      for (VertexId v = 0; v < num_users; ++v) {
        if (community[v] == target_community) pool.push_back(v);
      }
      if (pool.size() < budget) {
        throw InputError(fmt::format("strategy.kol_budget: community {} has only {} users, {} KOLs requested",
                                     target_community, pool.size(), budget));
      }
      return sample(pool, budget, seed);
    }
  }
  return {};
}

}  // namespace softpower
