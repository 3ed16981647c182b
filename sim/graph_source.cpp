#include "sim/graph_source.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "sim/edge_list.hpp"
#include "sim/error.hpp"
#include "sim/generators.hpp"
#include "sim/graph_cache.hpp"
#include "sim/graphml.hpp"
#include "sim/rng.hpp"

namespace softpower {
namespace {

void append_notes(const ImportReport& report, std::vector<std::string>* notes) {
  if (!notes) return;
  notes->insert(notes->end(), report.notes.begin(), report.notes.end());
  if (report.self_loops_dropped) {
    notes->push_back(fmt::format("{} self-loops dropped", report.self_loops_dropped));
  }
  if (report.duplicate_arcs_merged) {
    notes->push_back(fmt::format("{} duplicate arcs merged", report.duplicate_arcs_merged));
  }
}

WechatLikeParams wechat_params(const Scenario& s, std::uint32_t institutions) {
  const GraphSpec& g = s.graph;
  WechatLikeParams p;
  p.users = g.n;
  p.mean_degree = g.mean_degree;
  p.degree_sigma = g.degree_sigma;
  p.max_degree = g.max_degree;
  p.community_size = g.community_size;
  p.homophily = g.homophily;
  p.international_fraction = g.international_fraction;
  p.region_homophily = g.region_homophily;
  p.groups_per_user = g.groups_per_user;
  p.mean_group_size = g.mean_group_size;
  p.max_group_size = g.max_group_size;
  p.group_community_share = g.group_community_share;
  p.institutions = institutions;
  p.followers = institutions ? s.institution.followers : 0;
  p.follower_seed_bias = g.follower_seed_bias;
  p.seed_community = g.seed_community;
  p.seed = g.seed;
  return p;
}

}  // namespace

SocialGraph build_graph(const Scenario& s, std::vector<std::string>* notes,
                        VertexAttributes* attributes, ArcId spare_arcs) {
  const GraphSpec& g = s.graph;
  VertexAttributes unused;
  VertexAttributes& out = attributes != nullptr ? *attributes : unused;
  out = {};
  if (g.type == "wechat_like") {
    WechatLikeGraph world = wechat_like(wechat_params(s, 0));
    out.region = std::move(world.region);
    out.community = std::move(world.community);
    return std::move(world.graph);
  }
  if (g.type == "erdos_renyi") return erdos_renyi(g.n, g.mean_degree, g.directed, g.seed);
  if (g.type == "barabasi_albert") return barabasi_albert(g.n, g.m, g.seed);
  if (g.type == "watts_strogatz") return watts_strogatz(g.n, g.k, g.beta, g.seed);
  if (g.type == "stochastic_block_model") {
    std::vector<VertexId> sizes(g.block_sizes.begin(), g.block_sizes.end());
    return stochastic_block_model(sizes, g.p_in, g.p_out, g.directed, g.seed);
  }
  const std::filesystem::path path = resolve_path(s, g.path);
  ImportReport report;
  SocialGraph graph;
  if (g.type == "edge_list") {
    EdgeListOptions options;
    options.directed = g.directed;
    options.weighted = g.weighted;
    options.ignore_extra_columns = g.ignore_extra_columns;
    if (!g.nodes_path.empty()) options.nodes_path = resolve_path(s, g.nodes_path);
    graph = import_edge_list(path, options, &report, &out);
  } else if (g.type == "graphml") {
    GraphmlOptions options;
    options.weight_key = g.weight_key;
    options.region_key = g.region_key;
    options.community_key = g.community_key;
    graph = import_graphml(path, options, &report, &out);
  } else if (g.type == "cache") {
    return load_graph_cache(path, &out, spare_arcs);
  } else {
    throw std::logic_error("build_graph: unhandled graph type " + g.type);
  }
  append_notes(report, notes);
  return graph;
}

VertexId add_institution(SocialGraph& graph, VertexId followers, std::uint64_t seed) {
  const VertexId n = graph.num_vertices();
  if (followers > n) {
    throw InputError(fmt::format("institution.followers: {} followers requested but the graph has only {} users", followers, n));
  }
  // Floyd's algorithm: exactly `followers` distinct users, each subset equally likely.
  const CounterRng rng(seed, 0);
  std::unordered_set<VertexId> chosen;
  chosen.reserve(followers);
  for (std::uint64_t j = n - followers; j < n; ++j) {
    const auto t = static_cast<VertexId>(rng.bits(Purpose::kGraphFollowers, 0, j) % (j + 1));
    chosen.insert(chosen.count(t) ? static_cast<VertexId>(j) : t);
  }
  std::vector<VertexId> sorted(chosen.begin(), chosen.end());
  std::sort(sorted.begin(), sorted.end());

  // The new vertex's row goes last, so every existing arc keeps its id.
  graph.append_vertex(sorted, "institution");
  graph.set_description(fmt::format("{}; institution vertex {} with {} followers", graph.description(), n, followers));
  return n;
}

namespace {

PreparedGraph prepare_graph_unlocated(const Scenario& s) {
  PreparedGraph prepared;
  if (s.graph.type == "wechat_like") {
    // The generator places the institution itself (followers biased to the seed community).
    const bool new_institution = s.institution.placement == "new";
    WechatLikeGraph world = wechat_like(wechat_params(s, new_institution ? 1 : 0));
    prepared.graph = std::move(world.graph);
    prepared.region = std::move(world.region);
    prepared.community = std::move(world.community);
    prepared.groups = std::move(world.groups);
    prepared.publisher.num_users = world.num_users;
    prepared.publisher.vertex = new_institution ? world.institutions.front() : kNoVertex;
    if (s.institution.placement == "fixed") {
      if (s.institution.vertex >= world.num_users) {
        throw InputError(fmt::format("institution.vertex: vertex {} does not exist (the graph has {} users)",
                                     s.institution.vertex, world.num_users));
      }
      prepared.publisher.vertex = s.institution.vertex;
    }
    return prepared;
  }
  VertexAttributes attributes;
  const bool new_institution = s.institution.placement == "new";
  prepared.graph = build_graph(s, &prepared.notes, &attributes, new_institution ? s.institution.followers : 0);
  prepared.region = std::move(attributes.region);
  prepared.community = std::move(attributes.community);
  const VertexId users = prepared.graph.num_vertices();
  prepared.publisher.num_users = users;
  const InstitutionSpec& inst = s.institution;
  if (inst.placement == "new") {
    prepared.publisher.vertex = add_institution(prepared.graph, inst.followers, s.graph.seed);
  } else if (inst.placement == "fixed") {
    if (inst.vertex >= users) {
      throw InputError(fmt::format("institution.vertex: vertex {} does not exist (the graph has {} vertices)",
                                   inst.vertex, users));
    }
    prepared.publisher.vertex = inst.vertex;
  } else {
    prepared.publisher.vertex = kNoVertex;
  }
  return prepared;
}

}  // namespace

// Errors named at their scenario key: followers beyond the users, a generator's limits.
PreparedGraph prepare_graph(const Scenario& s) {
  check_institution(s);  // before generating a graph too small for it
  try {
    return prepare_graph_unlocated(s);
  } catch (const InputError&) {
    rethrow_at_key(s, std::current_exception());
  }
}

}  // namespace softpower
