#include "sim/generators.hpp"

#include <fmt/format.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "sim/error.hpp"
#include "sim/rng.hpp"

namespace softpower {
namespace {

// Vertices per generation block. Blocks are fixed (not TBB's adaptive chunks), so each block's
// output, and therefore the concatenated arc list, is the same for any thread count.
constexpr VertexId kBlock = 4096;

/// Calls emit(v) for each v in [begin, end) chosen independently with probability p, using
/// geometric skips so that the cost is O(chosen + 1), not O(end - begin). Draws are keyed by
/// (row, draw index), so the row's choices do not depend on any other row.
template <class Emit>
void bernoulli_range(const CounterRng& rng, Purpose purpose, std::uint64_t row, std::uint64_t slot,
                     std::uint64_t begin, std::uint64_t end, double p, Emit&& emit) {
  if (p <= 0.0 || begin >= end) return;
  if (p >= 1.0) {
    for (std::uint64_t v = begin; v < end; ++v) emit(v);
    return;
  }
  const double log_q = std::log1p(-p);
  std::uint64_t v = begin;
  for (std::uint64_t draw = 0;; ++draw) {
    // 1 - u lies in (0, 1], so the logarithm is finite.
    const double u = rng.uniform(purpose, row, slot, draw);
    const double skip = std::floor(std::log1p(-u) / log_q);
    if (skip >= static_cast<double>(end - v)) return;
    v += static_cast<std::uint64_t>(skip);
    emit(v);
    ++v;
    if (v >= end) return;
  }
}

/// Runs `row_arcs(v, out)` for every vertex in fixed blocks in parallel and concatenates the
/// per-block outputs in block order.
template <class RowArcs>
std::vector<ArcInput> generate_rows(VertexId n, RowArcs&& row_arcs) {
  const VertexId num_blocks = n / kBlock + (n % kBlock != 0);
  std::vector<std::vector<ArcInput>> per_block(num_blocks);
  tbb::parallel_for(VertexId{0}, num_blocks, [&](VertexId b) {
    const VertexId end = std::min<VertexId>(n, (b + 1) * kBlock);
    for (VertexId v = b * kBlock; v < end; ++v) row_arcs(v, per_block[b]);
  });
  std::size_t total = 0;
  for (const auto& blk : per_block) total += blk.size();
  std::vector<ArcInput> arcs;
  arcs.reserve(total);
  for (auto& blk : per_block) {
    arcs.insert(arcs.end(), blk.begin(), blk.end());
    std::vector<ArcInput>().swap(blk);
  }
  return arcs;
}

/// Appends the reverse of every arc: an undirected edge is two arcs.
void add_reverse_arcs(std::vector<ArcInput>& arcs) {
  const std::size_t m = arcs.size();
  arcs.resize(2 * m);
  tbb::parallel_for(std::size_t{0}, m, [&](std::size_t i) {
    arcs[m + i] = {arcs[i].target, arcs[i].source};
  });
}

void require(bool ok, const std::string& message) {
  if (!ok) throw InputError(message);
}

}  // namespace

SocialGraph erdos_renyi(VertexId n, double mean_degree, bool directed, std::uint64_t seed) {
  require(n >= 2, fmt::format("erdos_renyi: n must be at least 2 (got {})", n));
  require(mean_degree >= 0.0 && mean_degree <= n - 1.0,
          fmt::format("erdos_renyi: mean_degree must be in [0, n-1] = [0, {}] (got {})", n - 1,
                      mean_degree));
  const double p = mean_degree / (n - 1.0);
  const CounterRng rng(seed, 0);
  std::vector<ArcInput> arcs = generate_rows(n, [&](VertexId u, std::vector<ArcInput>& out) {
    auto emit = [&](std::uint64_t v) { out.push_back({u, static_cast<VertexId>(v)}); };
    if (directed) {
      // Targets 0..n-2 map to every vertex but u.
      bernoulli_range(rng, Purpose::kGraphEdge, u, 0, 0, n - 1, p, [&](std::uint64_t t) {
        emit(t < u ? t : t + 1);
      });
    } else {
      bernoulli_range(rng, Purpose::kGraphEdge, u, 0, std::uint64_t{u} + 1, n, p, emit);
    }
  });
  if (!directed) add_reverse_arcs(arcs);
  SocialGraph g = SocialGraph::from_arcs(n, std::move(arcs));
  g.set_description(fmt::format("erdos_renyi n={} mean_degree={} directed={} seed={}", n,
                                mean_degree, directed, seed));
  return g;
}

SocialGraph barabasi_albert(VertexId n, std::uint32_t m, std::uint64_t seed) {
  require(m >= 1, "barabasi_albert: m must be at least 1");
  require(n > m, fmt::format("barabasi_albert: n must exceed m (got n={}, m={})", n, m));
  const CounterRng rng(seed, 0);
  // endpoints holds every edge's two ends, so a uniform pick from it is a degree-proportional
  // pick of a vertex (Batagelj & Brandes 2005).
  std::vector<VertexId> endpoints;
  endpoints.reserve(2 * (static_cast<std::size_t>(n) * m));
  std::vector<ArcInput> arcs;
  arcs.reserve(2 * static_cast<std::size_t>(n) * m);
  for (VertexId u = 0; u <= m; ++u) {
    for (VertexId v = u + 1; v <= m; ++v) {
      arcs.push_back({u, v});
      endpoints.push_back(u);
      endpoints.push_back(v);
    }
  }
  std::vector<VertexId> chosen;
  for (VertexId u = m + 1; u < n; ++u) {
    chosen.clear();
    for (std::uint64_t draw = 0; chosen.size() < m; ++draw) {
      const VertexId v = endpoints[rng.bits(Purpose::kGraphEdge, u, draw) % endpoints.size()];
      if (std::find(chosen.begin(), chosen.end(), v) == chosen.end()) chosen.push_back(v);
    }
    for (VertexId v : chosen) {
      arcs.push_back({u, v});
      endpoints.push_back(u);
      endpoints.push_back(v);
    }
  }
  add_reverse_arcs(arcs);
  SocialGraph g = SocialGraph::from_arcs(n, std::move(arcs));
  g.set_description(fmt::format("barabasi_albert n={} m={} seed={}", n, m, seed));
  return g;
}

SocialGraph watts_strogatz(VertexId n, std::uint32_t k, double beta, std::uint64_t seed) {
  require(k >= 2 && k % 2 == 0, fmt::format("watts_strogatz: k must be even and >= 2 (got {})", k));
  require(n > k, fmt::format("watts_strogatz: n must exceed k (got n={}, k={})", n, k));
  require(beta >= 0.0 && beta <= 1.0,
          fmt::format("watts_strogatz: beta must be in [0, 1] (got {})", beta));
  const CounterRng rng(seed, 0);
  const std::uint32_t half = k / 2;
  // Rewiring is sequential over vertices, like Watts & Strogatz (1998) and NetworkX: whether a
  // new end is "already a neighbour" depends on earlier rewirings. The adjacency lists are
  // small (about k), so a linear search is fastest.
  std::vector<std::vector<VertexId>> adj(n);
  for (VertexId u = 0; u < n; ++u) {
    for (std::uint32_t j = 1; j <= half; ++j) {
      const VertexId v = static_cast<VertexId>((std::uint64_t{u} + j) % n);
      adj[u].push_back(v);
      adj[v].push_back(u);
    }
  }
  auto erase = [](std::vector<VertexId>& list, VertexId x) {
    list.erase(std::find(list.begin(), list.end(), x));
  };
  for (std::uint32_t j = 1; j <= half; ++j) {
    for (VertexId u = 0; u < n; ++u) {
      const VertexId v = static_cast<VertexId>((std::uint64_t{u} + j) % n);
      if (!rng.bernoulli(beta, Purpose::kGraphRewire, u, j)) continue;
      if (adj[u].size() >= n - 1) continue;  // u already links to everyone
      // Only the lattice edge (u, v) can be rewired; if an earlier rewiring removed it, skip.
      if (std::find(adj[u].begin(), adj[u].end(), v) == adj[u].end()) continue;
      for (std::uint64_t draw = 0;; ++draw) {
        const VertexId w = static_cast<VertexId>(rng.bits(Purpose::kGraphRewire, u, j, draw + 1) % n);
        if (w == u || std::find(adj[u].begin(), adj[u].end(), w) != adj[u].end()) continue;
        erase(adj[u], v);
        erase(adj[v], u);
        adj[u].push_back(w);
        adj[w].push_back(u);
        break;
      }
    }
  }
  std::vector<ArcInput> arcs;
  arcs.reserve(static_cast<std::size_t>(n) * k);
  for (VertexId u = 0; u < n; ++u) {
    std::sort(adj[u].begin(), adj[u].end());
    for (VertexId v : adj[u]) arcs.push_back({u, v});
    std::vector<VertexId>().swap(adj[u]);
  }
  SocialGraph g = SocialGraph::from_arcs(n, std::move(arcs));
  g.set_description(fmt::format("watts_strogatz n={} k={} beta={} seed={}", n, k, beta, seed));
  return g;
}

SocialGraph stochastic_block_model(const std::vector<VertexId>& block_sizes, double p_in,
                                   double p_out, bool directed, std::uint64_t seed) {
  require(!block_sizes.empty(), "stochastic_block_model: at least one block is needed");
  require(p_in >= 0.0 && p_in <= 1.0, fmt::format("stochastic_block_model: p_in must be in [0, 1] (got {})", p_in));
  require(p_out >= 0.0 && p_out <= 1.0, fmt::format("stochastic_block_model: p_out must be in [0, 1] (got {})", p_out));
  std::vector<std::uint64_t> starts{0};
  for (VertexId s : block_sizes) {
    require(s >= 1, "stochastic_block_model: every block needs at least one vertex");
    starts.push_back(starts.back() + s);
  }
  require(starts.back() < kNoVertex, "stochastic_block_model: too many vertices for 32-bit ids");
  const auto n = static_cast<VertexId>(starts.back());
  const CounterRng rng(seed, 0);
  std::vector<ArcInput> arcs = generate_rows(n, [&](VertexId u, std::vector<ArcInput>& out) {
    const std::size_t bu = std::upper_bound(starts.begin(), starts.end(), u) - starts.begin() - 1;
    for (std::size_t b = 0; b < block_sizes.size(); ++b) {
      const double p = b == bu ? p_in : p_out;
      std::uint64_t begin = starts[b];
      const std::uint64_t end = starts[b + 1];
      if (!directed) begin = std::max<std::uint64_t>(begin, std::uint64_t{u} + 1);
      bernoulli_range(rng, Purpose::kGraphBlock, u, b, begin, end, p, [&](std::uint64_t v) {
        if (v != u) out.push_back({u, static_cast<VertexId>(v)});
      });
    }
  });
  if (!directed) add_reverse_arcs(arcs);
  SocialGraph g = SocialGraph::from_arcs(n, std::move(arcs));
  g.set_description(fmt::format("stochastic_block_model blocks={} p_in={} p_out={} directed={} seed={}",
                                block_sizes.size(), p_in, p_out, directed, seed));
  return g;
}

}  // namespace softpower
