// Synthetic graph generators. Each is a pure function of its parameters and seed: the same call
// gives the same graph (same arc ids) whatever the thread count, because every random choice is
// a counter-based draw keyed by the vertex or edge it decides, never by a thread's stream.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/graph.hpp"

namespace softpower {

/// G(n, p) with p = mean_degree / (n - 1). Undirected: each pair {u, v} is an edge with
/// probability p (two arcs), so the mean degree is `mean_degree`. Directed: each ordered pair
/// (u, v), u != v, is an arc with probability p, so the mean out-degree is `mean_degree`.
/// Parallel over vertices with geometric skipping (Batagelj & Brandes 2005): O(n + m).
SocialGraph erdos_renyi(VertexId n, double mean_degree, bool directed, std::uint64_t seed);

/// Barabasi-Albert preferential attachment: starts from a clique of m + 1 vertices, each new
/// vertex attaches to m distinct existing vertices chosen with probability proportional to
/// degree. Undirected. Inherently sequential (each step depends on all earlier ones).
SocialGraph barabasi_albert(VertexId n, std::uint32_t m, std::uint64_t seed);

/// Watts-Strogatz: ring lattice where each vertex links to its k/2 nearest neighbours on each
/// side (k even), then each lattice edge (u, u+j) has its far end rewired with probability beta
/// to a uniform vertex that is not u and not already a neighbour of u. Undirected.
SocialGraph watts_strogatz(VertexId n, std::uint32_t k, double beta, std::uint64_t seed);

/// Stochastic block model: consecutive blocks of the given sizes; a pair in the same block is
/// linked with probability p_in, a pair across blocks with p_out.
SocialGraph stochastic_block_model(const std::vector<VertexId>& block_sizes, double p_in,
                                   double p_out, bool directed, std::uint64_t seed);

}  // namespace softpower
