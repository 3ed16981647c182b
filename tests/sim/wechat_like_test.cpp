#include "sim/wechat_like.hpp"

#include <gtest/gtest.h>
#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "sim/error.hpp"
#include "tests/support/test_support.hpp"

namespace softpower {
namespace {

using testing_support::offsets_of;
using testing_support::targets_of;

/// A small population that builds in well under a second.
WechatLikeParams small_params() {
  WechatLikeParams p;
  p.users = 20000;
  p.mean_degree = 30.0;
  p.community_size = 400;
  p.groups_per_user = 2.0;
  p.followers = 500;
  p.seed = 7;
  return p;
}

double mean_of(const std::vector<double>& x) {
  double s = 0;
  for (double v : x) s += v;
  return s / static_cast<double>(x.size());
}

double sd_of(const std::vector<double>& x) {
  const double m = mean_of(x);
  double s = 0;
  for (double v : x) s += (v - m) * (v - m);
  return std::sqrt(s / static_cast<double>(x.size() - 1));
}

/// Fraction of friendship arcs whose ends share a community.
double within_share(const WechatLikeGraph& w) {
  const CsrView out = w.graph.out_view();
  double within = 0;
  for (VertexId u = 0; u < w.num_users; ++u) {
    for (ArcId a = out.offsets[u]; a < out.offsets[u + 1]; ++a) {
      within += w.community[out.targets[a]] == w.community[u];
    }
  }
  return within / static_cast<double>(out.offsets[w.num_users]);
}

/// Newman's assortativity coefficient of the region over friendship arcs.
double region_assortativity(const WechatLikeGraph& w) {
  const CsrView out = w.graph.out_view();
  double e[2][2] = {{0, 0}, {0, 0}};
  for (VertexId u = 0; u < w.num_users; ++u) {
    for (ArcId a = out.offsets[u]; a < out.offsets[u + 1]; ++a) {
      e[w.region[u]][w.region[out.targets[a]]] += 1;
    }
  }
  const double total = e[0][0] + e[0][1] + e[1][0] + e[1][1];
  const double a0 = (e[0][0] + e[0][1]) / total, a1 = (e[1][0] + e[1][1]) / total;
  const double same = (e[0][0] + e[1][1]) / total;
  const double chance = a0 * a0 + a1 * a1;
  return (same - chance) / (1 - chance);
}

void expect_identical(const WechatLikeGraph& a, const WechatLikeGraph& b, const std::string& why) {
  EXPECT_EQ(offsets_of(a.graph), offsets_of(b.graph)) << why;
  EXPECT_EQ(targets_of(a.graph), targets_of(b.graph)) << why;
  EXPECT_EQ(a.region, b.region) << why;
  EXPECT_EQ(a.community, b.community) << why;
  EXPECT_EQ(a.community_offsets, b.community_offsets) << why;
  EXPECT_EQ(a.target_degree, b.target_degree) << why;
  EXPECT_EQ(a.groups.offsets, b.groups.offsets) << why;
  EXPECT_EQ(a.groups.members, b.groups.members) << why;
  EXPECT_EQ(a.groups.home, b.groups.home) << why;
  EXPECT_EQ(a.institutions, b.institutions) << why;
  EXPECT_EQ(a.report.self_loops_dropped, b.report.self_loops_dropped) << why;
  EXPECT_EQ(a.report.duplicate_arcs_merged, b.report.duplicate_arcs_merged) << why;
}

void expect_same_for_any_thread_count(const WechatLikeParams& p) {
  WechatLikeGraph reference;
  for (int threads : {1, 2, 16}) {
    tbb::global_control allow(tbb::global_control::max_allowed_parallelism, threads);
    tbb::task_arena arena(threads);
    WechatLikeGraph w;
    arena.execute([&] { w = wechat_like(p); });
    if (threads == 1) {
      reference = std::move(w);
    } else {
      expect_identical(w, reference, std::to_string(threads) + " threads");
    }
  }
  WechatLikeParams other = p;
  other.seed = p.seed + 1;
  EXPECT_NE(targets_of(wechat_like(other).graph), targets_of(reference.graph));
}

TEST(WechatLike, SameResultForAnyThreadCount) {
  WechatLikeParams p = small_params();
  p.users = 30000;
  p.mean_degree = 40.0;
  p.institutions = 2;
  // Communities larger than a Chung-Lu sampling block (2048 users).
  p.community_size = 6000;
  expect_same_for_any_thread_count(p);
  // One community large enough (>= 32768 users) to build its rows in parallel.
  p.users = 40000;
  p.mean_degree = 20.0;
  p.community_size = p.users;
  expect_same_for_any_thread_count(p);
}

/// Friendships are mutual, rows sorted without self-loops or duplicates, realised degrees within
/// targets, and the lost stubs are exactly those the report explains.
void expect_simple_within_targets(const WechatLikeParams& p) {
  const WechatLikeGraph w = wechat_like(p);
  ASSERT_EQ(w.num_users, p.users);
  ASSERT_EQ(w.graph.num_vertices(), p.users + p.institutions);
  const CsrView out = w.graph.out_view();
  std::uint64_t target_sum = 0;
  for (VertexId u = 0; u < w.num_users; ++u) {
    const auto row = out.targets.subspan(out.offsets[u], out.out_degree(u));
    ASSERT_LE(row.size(), w.target_degree[u]) << "user " << u;
    target_sum += w.target_degree[u];
    for (std::size_t k = 0; k < row.size(); ++k) {
      const VertexId v = row[k];
      ASSERT_LT(v, w.num_users) << "friend of " << u << " is not a user";
      ASSERT_NE(v, u) << "self-loop";
      if (k > 0) {
        ASSERT_LT(row[k - 1], v) << "row " << u << " unsorted or duplicated";
      }
      const auto back = out.targets.subspan(out.offsets[v], out.out_degree(v));
      ASSERT_TRUE(std::binary_search(back.begin(), back.end(), u)) << u << "->" << v << " alone";
    }
  }
  // Only matching loses stubs: every self-loop pair costs two, every duplicate arc one, and an
  // odd stub total leaves one unmatched.
  const std::uint64_t lost = target_sum - out.offsets[w.num_users];
  const std::uint64_t explained = 2 * w.report.self_loops_dropped + w.report.duplicate_arcs_merged;
  EXPECT_GE(lost, explained);
  EXPECT_LE(lost, explained + 1);
}

TEST(WechatLike, FriendshipsAreMutualSimpleAndWithinTargets) {
  WechatLikeParams p = small_params();
  expect_simple_within_targets(p);
  p.homophily = 1.0;  // hubs spill into the cross-community matching
  p.community_size = 100;
  expect_simple_within_targets(p);
  p.users = 40000;  // one community that builds its rows in parallel
  p.mean_degree = 20.0;
  p.community_size = p.users;
  expect_simple_within_targets(p);
}

TEST(WechatLike, DegreeCapHolds) {
  WechatLikeParams p = small_params();
  p.mean_degree = 40.0;
  p.degree_sigma = 1.2;
  p.max_degree = 100;
  const WechatLikeGraph w = wechat_like(p);
  const CsrView out = w.graph.out_view();
  std::size_t capped = 0;
  for (VertexId u = 0; u < w.num_users; ++u) {
    ASSERT_LE(w.target_degree[u], 100u);
    ASSERT_LE(out.out_degree(u), 100u);
    capped += w.target_degree[u] == 100;
  }
  // P(LN(ln 40 - 0.72, 1.2) >= 99.5) is about 9%.
  EXPECT_GT(capped, p.users / 20);

  // The effective cap is users - 1.
  WechatLikeParams tiny;
  tiny.users = 60;
  tiny.mean_degree = 30.0;
  tiny.community_size = 20;
  tiny.groups_per_user = 1.0;
  tiny.mean_group_size = 10.0;
  tiny.followers = 10;
  const WechatLikeGraph t = wechat_like(tiny);
  for (VertexId u = 0; u < t.num_users; ++u) ASSERT_LE(t.graph.out_view().out_degree(u), 59u);
}

TEST(WechatLike, RealisedMeanDegreeWithinThreePercent) {
  // The defaults (mean 150, sigma 0.9, communities of 500, homophily 0.8) at 50k users, and
  // the two extremes of homophily. Targets have mean 150 up to a standard error of
  // 150 sqrt(exp(0.81) - 1) / sqrt(50000) = 0.75; realised degrees lose only what matching
  // drops (self-loops, duplicates), under 2% at 50k users and shrinking like 1 / users.
  for (double homophily : {0.8, 0.0, 1.0}) {
    WechatLikeParams p;
    p.users = 50000;
    p.homophily = homophily;
    p.groups_per_user = 0.0;
    const WechatLikeGraph w = wechat_like(p);
    double target = 0;
    for (std::uint32_t d : w.target_degree) target += d;
    target /= p.users;
    const double mean = static_cast<double>(w.graph.out_view().offsets[w.num_users]) / p.users;
    EXPECT_NEAR(target, 150.0, 5 * 0.75);
    EXPECT_LE(mean, target);
    EXPECT_GT(mean, 0.98 * target) << "homophily " << homophily;
    EXPECT_NEAR(mean, 150.0, 0.03 * 150.0) << "homophily " << homophily;
  }
}

TEST(WechatLike, DegreesAreLognormal) {
  WechatLikeParams p = small_params();
  p.users = 50000;
  p.mean_degree = 50.0;
  p.degree_sigma = 0.9;
  p.max_degree = p.users;  // effectively no cap
  p.homophily = 0.2;
  const WechatLikeGraph w = wechat_like(p);
  const double mu = std::log(50.0) - 0.9 * 0.9 / 2;
  std::vector<double> log_target, log_realised;
  const CsrView out = w.graph.out_view();
  for (VertexId u = 0; u < w.num_users; ++u) {
    if (w.target_degree[u] > 0) log_target.push_back(std::log(w.target_degree[u]));
    if (out.out_degree(u) > 0) log_realised.push_back(std::log(out.out_degree(u)));
  }
  // Standard error of the mean log is 0.9 / sqrt(50000) = 0.004; rounding adds < 0.005.
  EXPECT_NEAR(mean_of(log_target), mu, 0.025);
  EXPECT_NEAR(sd_of(log_target), 0.9, 0.025);
  EXPECT_NEAR(mean_of(log_realised), mean_of(log_target), 0.02);
  EXPECT_NEAR(sd_of(log_realised), sd_of(log_target), 0.02);
}

TEST(WechatLike, WithinCommunityShareMatchesHomophily) {
  // Large equal communities and modest degrees, so every internal quota round(homophily d_i)
  // fits in its community: the within share is homophily plus the chance that a
  // cross-community stub pair lands in the same community (1/C for C equal communities).
  for (double homophily : {0.0, 0.5, 0.8, 0.95, 1.0}) {
    WechatLikeParams p = small_params();
    p.users = 40000;
    p.community_size = 2000;
    p.community_size_sigma = 0.0;
    p.mean_degree = 20.0;
    p.degree_sigma = 0.5;
    p.homophily = homophily;
    const WechatLikeGraph w = wechat_like(p);
    const double expected = homophily + (1 - homophily) / w.num_communities;
    EXPECT_NEAR(within_share(w), expected, 0.01) << "homophily " << homophily;
  }
  // Defaults (communities of 500, mean degree 150): users with homophily d_i > size - 1 keep
  // at most size - 1 friends inside, which caps the share at sum min(0.8 d_i, size - 1) / sum d_i
  // (about 0.76); docs/wechat-like-graphs.md gives the measured values.
  WechatLikeParams d;
  d.users = 40000;
  d.groups_per_user = 0.0;
  const WechatLikeGraph w = wechat_like(d);
  double quota = 0, total = 0;
  for (VertexId u = 0; u < w.num_users; ++u) {
    const double size =
        w.community_offsets[w.community[u] + 1] - w.community_offsets[w.community[u]];
    quota += std::min(0.8 * w.target_degree[u], size - 1);
    total += w.target_degree[u];
  }
  EXPECT_NEAR(within_share(w), quota / total, 0.015);
  EXPECT_GT(within_share(w), 0.74);
}

TEST(WechatLike, CommunitiesAreContiguousAndSized) {
  WechatLikeParams p = small_params();
  const WechatLikeGraph w = wechat_like(p);
  EXPECT_EQ(w.num_communities, 50u);
  ASSERT_EQ(w.community_offsets.size(), w.num_communities + 1u);
  EXPECT_EQ(w.community_offsets.front(), 0u);
  EXPECT_EQ(w.community_offsets.back(), p.users);
  for (std::uint32_t c = 0; c < w.num_communities; ++c) {
    ASSERT_LT(w.community_offsets[c], w.community_offsets[c + 1]) << "empty community " << c;
    for (VertexId u = w.community_offsets[c]; u < w.community_offsets[c + 1]; ++u) {
      ASSERT_EQ(w.community[u], c);
    }
  }
  p.community_size_sigma = 0.0;
  const WechatLikeGraph equal = wechat_like(p);
  for (std::uint32_t c = 0; c < equal.num_communities; ++c) {
    EXPECT_EQ(equal.community_offsets[c + 1] - equal.community_offsets[c], 400u);
  }
}

TEST(WechatLike, InternationalCountIsExact) {
  for (const auto& [fraction, rho] : std::vector<std::pair<double, double>>{
           {0.1, 0.8}, {0.0, 0.5}, {1.0, 0.5}, {0.37, 0.0}, {0.25, 1.0}}) {
    WechatLikeParams p = small_params();
    p.international_fraction = fraction;
    p.region_homophily = rho;
    const WechatLikeGraph w = wechat_like(p);
    ASSERT_EQ(w.region.size(), p.users);
    std::uint64_t international = 0;
    for (std::uint8_t r : w.region) {
      ASSERT_LE(r, 1);
      international += r;
    }
    EXPECT_EQ(international, static_cast<std::uint64_t>(std::llround(fraction * p.users)))
        << fraction << " " << rho;
  }
}

TEST(WechatLike, RegionsClusterByCommunity) {
  WechatLikeParams p = small_params();
  p.users = 30000;
  p.community_size = 300;
  p.international_fraction = 0.2;
  p.region_homophily = 0.0;
  const double independent = region_assortativity(wechat_like(p));
  p.region_homophily = 0.9;
  const double clustered = region_assortativity(wechat_like(p));
  // Independent regions: r is 0 up to about 1/sqrt(edges) = 0.002 plus community noise.
  EXPECT_NEAR(independent, 0.0, 0.02);
  EXPECT_GT(clustered, independent + 0.3);

  // region_homophily 1: every community but the one straddling the threshold is single-region.
  p.region_homophily = 1.0;
  const WechatLikeGraph w = wechat_like(p);
  std::uint32_t mixed = 0;
  for (std::uint32_t c = 0; c < w.num_communities; ++c) {
    const auto first = w.region.begin() + w.community_offsets[c];
    const auto last = w.region.begin() + w.community_offsets[c + 1];
    mixed += std::count(first, last, 1) != 0 && std::count(first, last, 0) != 0;
  }
  EXPECT_LE(mixed, 1u);
}

TEST(WechatLike, ChatGroups) {
  WechatLikeParams p = small_params();
  p.users = 40000;
  p.groups_per_user = 3.0;
  p.mean_group_size = 30.0;
  p.max_group_size = 500;
  p.group_community_share = 0.8;
  const WechatLikeGraph w = wechat_like(p);
  const ChatGroups& g = w.groups;
  ASSERT_EQ(g.size(), 4000u);  // round(40000 * 3 / 30)
  ASSERT_EQ(g.home.size(), g.size());
  ASSERT_EQ(g.offsets.back(), g.members.size());
  std::vector<double> sizes;
  for (std::size_t k = 0; k < g.size(); ++k) {
    const std::uint64_t size = g.offsets[k + 1] - g.offsets[k];
    ASSERT_GE(size, 3u);
    ASSERT_LE(size, 500u);
    sizes.push_back(static_cast<double>(size));
    const std::uint32_t home = g.home[k];
    ASSERT_LT(home, w.num_communities);
    std::uint64_t at_home = 0;
    for (std::uint64_t a = g.offsets[k]; a < g.offsets[k + 1]; ++a) {
      ASSERT_LT(g.members[a], w.num_users);
      if (a > g.offsets[k]) {
        ASSERT_LT(g.members[a - 1], g.members[a]) << "group " << k;
      }
      at_home += w.community[g.members[a]] == home;
    }
    const std::uint64_t home_size = w.community_offsets[home + 1] - w.community_offsets[home];
    const auto wanted = static_cast<std::uint64_t>(std::llround(0.8 * static_cast<double>(size)));
    EXPECT_EQ(at_home, std::min(wanted, home_size)) << "group " << k;
  }
  // Clipped lognormal sizes: the mean is fitted exactly, the sample mean has standard error
  // sd / sqrt(groups).
  EXPECT_NEAR(mean_of(sizes), 30.0, 5 * sd_of(sizes) / std::sqrt(sizes.size()));
  EXPECT_GT(*std::max_element(sizes.begin(), sizes.end()), 150.0);  // heavy tail

  // A tight cap: sizes in [3, 10] with mean 8.
  p.max_group_size = 10;
  p.mean_group_size = 8.0;
  const WechatLikeGraph t = wechat_like(p);
  std::vector<double> small;
  for (std::size_t k = 0; k < t.groups.size(); ++k) {
    small.push_back(static_cast<double>(t.groups.offsets[k + 1] - t.groups.offsets[k]));
    ASSERT_LE(small.back(), 10.0);
    ASSERT_GE(small.back(), 3.0);
  }
  EXPECT_NEAR(mean_of(small), 8.0, 5 * sd_of(small) / std::sqrt(small.size()));

  p.groups_per_user = 0.0;
  EXPECT_EQ(wechat_like(p).groups.size(), 0u);
}

TEST(WechatLike, InstitutionFollowers) {
  WechatLikeParams p = small_params();
  p.community_size = 2000;
  p.community_size_sigma = 0.0;
  p.institutions = 3;
  p.followers = 2000;
  p.follower_seed_bias = 0.25;
  p.seed_community = 4;
  const WechatLikeGraph w = wechat_like(p);
  ASSERT_EQ(w.institutions, (std::vector<VertexId>{p.users, p.users + 1, p.users + 2}));
  const CsrView out = w.graph.out_view();
  const CsrView in = w.graph.in_view();
  const VertexId seed_first = w.community_offsets[4];
  const double seed_size = w.community_offsets[5] - seed_first;  // 2000
  for (VertexId inst : w.institutions) {
    EXPECT_EQ(in.out_degree(inst), 0u) << "institutions have no in-arcs";
    ASSERT_EQ(out.out_degree(inst), 2000u);
    const auto row = out.targets.subspan(out.offsets[inst], 2000);
    double in_seed = 0;
    for (std::size_t k = 0; k < row.size(); ++k) {
      ASSERT_LT(row[k], w.num_users);
      if (k > 0) {
        ASSERT_LT(row[k - 1], row[k]) << "followers not distinct";
      }
      in_seed += w.community[row[k]] == 4;
    }
    // 500 drawn from the seed community, then 1500 uniform over the 19500 others not chosen,
    // of which 1500 are in the seed community (hypergeometric).
    const double extra_p = (seed_size - 500) / (p.users - 500.0);
    const double expected = 500 + 1500 * extra_p;
    EXPECT_NEAR(in_seed, expected, 5 * std::sqrt(1500 * extra_p * (1 - extra_p)));
    EXPECT_GE(in_seed, 500);
  }

  // A seed community smaller than round(bias * followers) follows entirely.
  p.community_size = 400;
  p.follower_seed_bias = 1.0;
  p.seed_community = 0;
  const WechatLikeGraph all = wechat_like(p);
  const CsrView o = all.graph.out_view();
  const VertexId inst = all.institutions[0];
  const auto row = o.targets.subspan(o.offsets[inst], o.out_degree(inst));
  for (VertexId u = all.community_offsets[0]; u < all.community_offsets[1]; ++u) {
    EXPECT_TRUE(std::binary_search(row.begin(), row.end(), u)) << "seed member " << u;
  }
}

// The generator writes the in-arcs itself, from the mutual rows, instead of transposing: they
// must be exactly what the transpose gives, with no, one or several institutions.
TEST(WechatLike, InArcsEqualTheTranspose) {
  for (const std::uint32_t institutions : {0U, 1U, 3U}) {
    WechatLikeParams p = small_params();
    p.institutions = institutions;
    p.followers = institutions == 0 ? 0 : 3000;
    const WechatLikeGraph w = wechat_like(p);
    const CsrView out = w.graph.out_view();
    const SocialGraph transposed = SocialGraph::from_csr(offsets_of(out), targets_of(out));
    const CsrView in = w.graph.in_view(), expected = transposed.in_view();
    EXPECT_TRUE(std::equal(in.offsets.begin(), in.offsets.end(), expected.offsets.begin(), expected.offsets.end()))
        << institutions << " institutions";
    EXPECT_TRUE(std::equal(in.targets.begin(), in.targets.end(), expected.targets.begin(), expected.targets.end()))
        << institutions << " institutions";
    EXPECT_EQ(w.graph.checksum(), transposed.checksum());
  }
}

TEST(WechatLike, EdgeCases) {
  WechatLikeParams p = small_params();
  p.users = 3000;
  p.institutions = 0;
  p.community_size = 1;  // every user alone: all friendships cross communities
  EXPECT_EQ(within_share(wechat_like(p)), 0.0);
  p.community_size = p.users;  // one community
  EXPECT_EQ(wechat_like(p).num_communities, 1u);
  p.degree_sigma = 0.0;  // every target is round(mean)
  const WechatLikeGraph same = wechat_like(p);
  for (std::uint32_t d : same.target_degree) ASSERT_EQ(d, 30u);
  WechatLikeParams two;
  two.users = 2;
  two.mean_degree = 1.0;
  two.degree_sigma = 0.0;
  two.community_size = 2;
  two.groups_per_user = 0.0;
  two.followers = 2;
  const WechatLikeGraph pair = wechat_like(two);
  EXPECT_EQ(testing_support::arc_list(pair.graph),
            (std::vector<std::pair<VertexId, VertexId>>{{0, 1}, {1, 0}, {2, 0}, {2, 1}}));
}

TEST(WechatLike, InvalidParametersNameTheField) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<std::pair<std::string, std::function<void(WechatLikeParams&)>>> cases{
      {"users", [](auto& p) { p.users = 1; }},
      {"institutions", [](auto& p) { p.institutions = kNoVertex; }},
      {"max_degree", [](auto& p) { p.max_degree = 0; }},
      {"mean_degree", [](auto& p) { p.mean_degree = 0.0; }},
      {"mean_degree", [=](auto& p) { p.mean_degree = nan; }},
      {"mean_degree", [](auto& p) { p.mean_degree = 5001.0; }},
      {"degree_sigma", [](auto& p) { p.degree_sigma = -0.1; }},
      {"community_size", [](auto& p) { p.community_size = 0; }},
      {"community_size", [](auto& p) { p.community_size = p.users + 1; }},
      {"community_size_sigma", [](auto& p) { p.community_size_sigma = 4.0; }},
      {"homophily", [](auto& p) { p.homophily = 1.5; }},
      {"international_fraction", [=](auto& p) { p.international_fraction = nan; }},
      {"region_homophily", [](auto& p) { p.region_homophily = -1.0; }},
      {"groups_per_user", [](auto& p) { p.groups_per_user = -1.0; }},
      {"max_group_size", [](auto& p) { p.max_group_size = 2; }},
      {"mean_group_size", [](auto& p) { p.mean_group_size = 2.0; }},
      {"mean_group_size", [](auto& p) { p.mean_group_size = 501.0; }},
      {"group_size_sigma", [](auto& p) { p.group_size_sigma = 3.5; }},
      {"group_community_share", [](auto& p) { p.group_community_share = 2.0; }},
      {"followers", [](auto& p) { p.followers = p.users + 1; }},
      {"follower_seed_bias", [](auto& p) { p.follower_seed_bias = -0.5; }},
      {"seed_community", [](auto& p) { p.seed_community = 50; }},
  };
  for (const auto& [name, change] : cases) {
    WechatLikeParams p = small_params();
    change(p);
    try {
      (void)wechat_like(p);
      ADD_FAILURE() << name << ": no error";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
  }
}

/// Scale check, run by hand: --gtest_also_run_disabled_tests --gtest_filter='*Scale*'.
void build_and_report(VertexId users) {
  WechatLikeParams p;
  p.users = users;
  const auto start = std::chrono::steady_clock::now();
  const WechatLikeGraph w = wechat_like(p);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double mean = static_cast<double>(w.graph.out_view().offsets[w.num_users]) / users;
  std::printf(
      "wechat_like users=%u mean_degree=150: %.2f s, %llu arcs, realised mean %.2f, "
      "within share %.3f\n",
      users, seconds, static_cast<unsigned long long>(w.graph.num_arcs()), mean, within_share(w));
  EXPECT_NEAR(mean, 150.0, 3.0);
}

TEST(WechatLike, DISABLED_ScaleHundredThousandUsers) { build_and_report(100000); }
TEST(WechatLike, DISABLED_ScaleMillionUsers) { build_and_report(1000000); }

}  // namespace
}  // namespace softpower
