// Turns a scenario's `graph` and `institution` sections into the one graph every run shares.
#pragma once

#include <string>
#include <vector>

#include "sim/engine.hpp"
#include "sim/graph.hpp"
#include "sim/import_report.hpp"
#include "sim/scenario.hpp"
#include "sim/wechat_like.hpp"

namespace softpower {

struct PreparedGraph {
  SocialGraph graph;
  Publisher publisher;
  // Per user (not the institution vertex added after them), from the generator or the imported
  // file (docs/graph-import.md, "Regions and communities").
  std::vector<std::uint32_t> community;  // per user; empty when the graph has no communities
  std::vector<std::uint8_t> region;  // per user, 0 domestic / 1 international; empty: all domestic
  ChatGroups groups;                 // chat groups (wechat_like); empty otherwise
  std::vector<std::string> notes;    // importer notes (skipped attributes, dropped self-loops, ...)
};

/// Generates or imports the graph, then places the institution (adding its vertex and follower
/// arcs for placement `new`). Throws InputError for bad files or parameters.
PreparedGraph prepare_graph(const Scenario& scenario);

/// The graph alone (no institution), as `softpower graph generate|import` writes to a cache.
/// `attributes` receives the users' regions and communities where the graph type has them
/// (wechat_like, and edge_list, graphml and cache files that give them); empty vectors otherwise.
/// `spare_arcs`: arcs about to be appended (the institution's), for which a cache load reserves
/// room (load_graph_cache).
SocialGraph build_graph(const Scenario& scenario, std::vector<std::string>* notes = nullptr,
                        VertexAttributes* attributes = nullptr, ArcId spare_arcs = 0);

/// Adds one vertex whose out-arcs go to `followers` distinct users drawn uniformly from the
/// existing vertices (Floyd's sampling, keyed by `seed`). Returns the new vertex id.
VertexId add_institution(SocialGraph& graph, VertexId followers, std::uint64_t seed);

}  // namespace softpower
