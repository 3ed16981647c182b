// Small inputs for engine tests: a strategy that publishes exactly the items given, and a star.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "sim/graph.hpp"
#include "sim/model.hpp"

namespace softpower::testing_support {

/// Publishes exactly the given items, no refused pushes, no paid seeds.
struct Items final : StrategyModel {
  std::vector<ItemSpec> items;
  explicit Items(std::vector<ItemSpec> list) : items(std::move(list)) {}
  std::string name() const override { return "items"; }
  YAML::Node effective_params() const override { return {}; }
  PublicationPlan plan(std::uint64_t, RunId, Step, double) const override { return {.items = items, .refused = {}}; }
  std::span<const VertexId> seeds() const override { return {}; }
};

/// Undirected star: vertex 0 is the centre, 1..leaves the leaves.
inline SocialGraph star(VertexId leaves) {
  std::vector<ArcInput> arcs;
  for (VertexId leaf = 1; leaf <= leaves; ++leaf) {
    arcs.push_back({0, leaf});
    arcs.push_back({leaf, 0});
  }
  return SocialGraph::from_arcs(leaves + 1, arcs);
}

/// Undirected path 0 - 1 - ... - (n - 1).
inline SocialGraph path(VertexId n) {
  std::vector<ArcInput> arcs;
  for (VertexId v = 0; v + 1 < n; ++v) {
    arcs.push_back({v, v + 1});
    arcs.push_back({v + 1, v});
  }
  return SocialGraph::from_arcs(n, arcs);
}

}  // namespace softpower::testing_support
