// wechat_like: a synthetic WeChat-like population. Users sit in communities (classmates,
// colleagues, alumni); friendships are mutual, lognormal in number and mostly inside the
// community; users are domestic or international, clustered by community; users belong to chat
// groups drawn mostly from one community; institutions (Official Accounts) reach followers drawn
// partly from a seed community (alumni, students).
//
// The rule, in the order it is built (docs/wechat-like-graphs.md gives every step, default, range
// and source row of /work/shared/reference/wechat-parameters.md):
//   1. communities: round(users / community_size) contiguous blocks of user ids, lognormal sizes;
//   2. target degrees d_i = min(round(exp(mu + sigma Z)), cap), mu = ln(mean_degree) - sigma^2/2;
//   3. inside each community: quotas q_i = min(homophily d_i, size - 1) (randomly rounded), a
//      Chung-Lu graph with weights fitted to the quotas, trimmed to the quotas, and the missing
//      internal stubs re-matched inside the community;
//   4. every user's remaining d_i - internal stubs are matched uniformly across the whole
//      population (configuration model), dropping self-loops and duplicates: realised <= d_i;
//   5. regions by a liability threshold: exactly round(international_fraction users) users are
//      international, with intra-community latent correlation region_homophily;
//   6. chat groups with clipped lognormal sizes, members mostly from a home community;
//   7. institutions with `followers` distinct followers, part from the seed community.
// Every random choice is a CounterRng draw keyed by the community, user, stub bucket, group or
// institution it decides, so the result is identical for any thread count.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/graph.hpp"

namespace softpower {

/// Chat groups as a CSR: group g has members members[offsets[g] .. offsets[g+1]).
struct ChatGroups {
  std::vector<std::uint64_t> offsets{0};
  std::vector<VertexId> members;    // ascending within each group, no duplicates
  std::vector<std::uint32_t> home;  // home community of each group
  [[nodiscard]] std::size_t size() const { return offsets.size() - 1; }
};

/// Parameters of wechat_like(). Ranges are checked; a value outside its range throws InputError
/// naming the field. "Pn" refers to a row of wechat-parameters.md.
struct WechatLikeParams {
  VertexId users = 100000;     ///< [2, 2^32 - 2 - institutions]
  double mean_degree = 150.0;  ///< mean friends (lognormal), (0, cap]; P13 (128-200)
  double degree_sigma = 0.9;   ///< lognormal shape of friend counts, [0, 3]; P13
  /// Friend cap, >= 1; the effective cap is min(max_degree, users - 1). P12 (5,000).
  std::uint32_t max_degree = 5000;
  /// Mean users per community, [1, users]; community count round(users / community_size).
  std::uint32_t community_size = 500;
  /// Lognormal shape of community sizes, [0, 3]; 0 gives equal sizes (within one user).
  double community_size_sigma = 0.5;
  /// Target fraction of a user's friendships inside their community, [0, 1]. Users whose target
  /// exceeds their community (homophily d_i > size - 1) spill the excess across communities.
  double homophily = 0.8;
  double international_fraction = 0.1;  ///< share of international users, [0, 1]; exact
  /// Correlation of the latent "international" score of two users of one community, [0, 1]:
  /// 0 = regions independent of communities, 1 = communities are single-region (one community
  /// may straddle the threshold).
  double region_homophily = 0.8;
  double groups_per_user = 3.0;        ///< mean chat-group memberships per user, [0, 1000]
  std::uint32_t max_group_size = 500;  ///< [3, 100000]; effective min(max_group_size, users); P14
  double mean_group_size = 30.0;       ///< [3, effective max_group_size]
  double group_size_sigma = 1.0;       ///< lognormal shape of group sizes, [0, 3]
  /// Fraction of a group's members drawn from the group's home community, [0, 1].
  double group_community_share = 0.8;
  std::uint32_t institutions = 1;  ///< institution vertices after the users
  std::uint32_t followers = 2000;  ///< followers per institution, [0, users]; P11 (~2,000 alumni)
  /// Fraction of followers drawn from the seed community (alumni, students), [0, 1]; the rest
  /// are uniform over all users. P11.
  double follower_seed_bias = 0.5;
  std::uint32_t seed_community = 0;  ///< [0, number of communities)
  std::uint64_t seed = 1;
};

struct WechatLikeGraph {
  /// Users 0..num_users-1, then institution vertices. Friendships are two arcs; institutions
  /// have out-arcs to their followers and no in-arcs. Rows are sorted by target.
  SocialGraph graph;
  VertexId num_users = 0;
  std::vector<std::uint8_t> region;      ///< per user: 0 domestic, 1 international
  std::vector<std::uint32_t> community;  ///< per user
  std::uint32_t num_communities = 0;
  /// Community c holds the users [community_offsets[c], community_offsets[c+1]).
  std::vector<VertexId> community_offsets;
  /// Per user: the degree the generator aimed for; the realised degree is at most this.
  std::vector<std::uint32_t> target_degree;
  ChatGroups groups;                   ///< members are users only
  std::vector<VertexId> institutions;  ///< vertex ids (>= num_users)
  /// Friendships lost in matching: self_loops_dropped counts stub pairs (u, u),
  /// duplicate_arcs_merged the arcs removed as duplicates (two per lost friendship).
  BuildReport report;
};

/// Builds the population described above. Deterministic in `params` (including the seed) for any
/// thread count. Throws InputError naming the parameter when a value is out of range.
WechatLikeGraph wechat_like(const WechatLikeParams& params);

}  // namespace softpower
