// Choosing paid key opinion leaders (KOLs) within a budget.
//
// by degree: the `budget` users with the most followers (out-arcs), ties to the lower id;
// by pagerank: the highest PageRank (Boost.Graph page_rank, damping 0.85, 50 iterations) on the
// reversed influence direction, i.e. a user ranks high when high-ranked users hear from them;
// random: `budget` distinct users uniformly (Floyd's algorithm, keyed by the scenario seed);
// community: uniformly among the members of one community (needs community labels).
// The choice is a strategy decision: it is the same for every run of a scenario.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/graph.hpp"

namespace softpower {

enum class KolSelection { kDegree, kPagerank, kRandom, kCommunity };

/// Returns the chosen users, sorted by id. `num_users`: users are [0, num_users) (institution
/// vertices beyond are never chosen). `community` is needed for kCommunity only.
std::vector<VertexId> choose_kols(const SocialGraph& graph, VertexId num_users, std::uint32_t budget,
                                  KolSelection selection, std::uint64_t seed,
                                  const std::vector<std::uint32_t>& community = {},
                                  std::uint32_t target_community = 0);

KolSelection parse_kol_selection(const std::string& name);

}  // namespace softpower
