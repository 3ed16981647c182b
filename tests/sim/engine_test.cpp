#include "sim/engine.hpp"

#include <gtest/gtest.h>
#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <queue>

#include "models/diffusion/independent_cascade.hpp"
#include "models/strategy/fixed_schedule.hpp"
#include "sim/detail/serial_cascade.hpp"
#include "sim/generators.hpp"

#include "tests/support/engine_fixtures.hpp"
#include "tests/support/engine_metrics.hpp"

namespace softpower {
namespace {

using namespace testing_support::metric;

EngineConfig horizon(Step steps = 10, std::uint64_t seed = 1) {
  EngineConfig config;
  config.seed = seed;
  config.num_steps = steps;
  return config;
}

// One article at hour 0.
const FixedSchedule kOnePush({.hours = {0}});

// Undirected star: vertex 0 is the centre, 1..5 the leaves.
SocialGraph star() {
  std::vector<ArcInput> arcs;
  for (VertexId leaf = 1; leaf <= 5; ++leaf) {
    arcs.push_back({0, leaf});
    arcs.push_back({leaf, 0});
  }
  return SocialGraph::from_arcs(6, arcs);
}

TEST(Engine, MetricsAreTheDocumentedSet) {
  std::vector<std::string> names;
  for (const auto& spec : Engine::metric_specs()) names.push_back(spec.name);
  EXPECT_EQ(names, (std::vector<std::string>{
                       "published", "refused_by_quota", "refused_by_suspension", "blocked", "taken_down",
                       "exposures", "opens", "opens_push", "opens_moments", "opens_chat", "opens_group",
                       "opens_wow", "shares", "shares_moments", "shares_chat", "shares_group", "shares_wow",
                       "shares_filtered", "shares_self_censored", "reach_new", "reach_cumulative",
                       "active_users", "live_items"}));
}

TEST(Engine, StarWithCertainOpeningAndSharing) {
  const SocialGraph g = star();
  const IndependentCascade model({.open_probability = 1.0, .share_probability = 1.0, .activity = 1.0});
  const Engine engine(g, {.vertex = 0, .num_users = 6}, model, kOnePush, horizon(4));
  const RunResult r = engine.run(0);
  ASSERT_EQ(r.items.size(), 1u);
  EXPECT_EQ(r.items[0].reads, 5u);
  EXPECT_EQ(r.items[0].shares, 5u);
  EXPECT_EQ(r.items[0].reach, 5u);
  EXPECT_EQ(r.items[0].depth, 1u);
  // Step 0: the centre's 5 arcs; step 1: each leaf shares back to the centre, who has it.
  EXPECT_EQ(r.metrics[kExposures], (std::vector<std::int64_t>{5, 5, 0, 0}));
  EXPECT_EQ(r.metrics[kOpens], (std::vector<std::int64_t>{5, 0, 0, 0}));
  EXPECT_EQ(r.metrics[kShares], (std::vector<std::int64_t>{5, 0, 0, 0}));
  EXPECT_EQ(r.metrics[kReachCumulative], (std::vector<std::int64_t>{5, 5, 5, 5}));
  EXPECT_EQ(r.metrics[kPublished], (std::vector<std::int64_t>{1, 0, 0, 0}));
  EXPECT_EQ(r.metrics[kLiveItems], (std::vector<std::int64_t>{1, 0, 0, 0}));
}

TEST(Engine, StarWithZeroProbabilities) {
  const SocialGraph g = star();
  for (const IndependentCascade::Params p :
       {IndependentCascade::Params{.open_probability = 0.0, .share_probability = 1.0, .activity = 1.0},
        IndependentCascade::Params{.open_probability = 1.0, .share_probability = 1.0, .activity = 0.0}}) {
    const IndependentCascade model(p);
    const RunResult r = Engine(g, {.vertex = 0, .num_users = 6}, model, kOnePush, horizon(3)).run(0);
    EXPECT_EQ(r.items[0].reads, 0u);
    EXPECT_EQ(r.items[0].reach, 5u);  // delivered, never opened
    EXPECT_EQ(r.items[0].depth, 0u);
    EXPECT_EQ(r.metrics[kExposures], (std::vector<std::int64_t>{5, 0, 0}));
  }
  const IndependentCascade readers_only({.open_probability = 1.0, .share_probability = 0.0, .activity = 1.0});
  const RunResult r = Engine(g, {.vertex = 0, .num_users = 6}, readers_only, kOnePush, horizon(3)).run(0);
  EXPECT_EQ(r.items[0].reads, 5u);
  EXPECT_EQ(r.items[0].shares, 0u);
  EXPECT_EQ(r.metrics[kExposures], (std::vector<std::int64_t>{5, 0, 0}));
}

TEST(Engine, CertainSpreadReachesExactlyTheBfsSetAtBfsDepth) {
  const SocialGraph g = erdos_renyi(3000, 1.5, true, 17);  // directed: reachability is one-way
  const IndependentCascade model({.open_probability = 1.0, .share_probability = 1.0, .activity = 1.0});
  const VertexId source = 0;
  const RunResult r = Engine(g, {.vertex = source, .num_users = 3000}, model, kOnePush, horizon(100)).run(0);
  // Plain BFS.
  const CsrView out = g.out_view();
  std::vector<int> dist(3000, -1);
  std::queue<VertexId> queue;
  dist[source] = 0;
  queue.push(source);
  int eccentricity = 0;
  std::uint64_t reachable = 0;
  while (!queue.empty()) {
    const VertexId u = queue.front();
    queue.pop();
    for (ArcId a = out.offsets[u]; a < out.offsets[u + 1]; ++a) {
      const VertexId v = out.targets[a];
      if (dist[v] < 0) {
        dist[v] = dist[u] + 1;
        eccentricity = std::max(eccentricity, dist[v]);
        ++reachable;
        queue.push(v);
      }
    }
  }
  ASSERT_GT(reachable, 100u) << "pick a seed that reaches a real component";
  EXPECT_EQ(r.items[0].reads, reachable);
  EXPECT_EQ(r.items[0].reach, reachable);
  EXPECT_EQ(r.items[0].depth, static_cast<std::uint32_t>(eccentricity));
  // Opens per step are the BFS layer sizes.
  for (int d = 1; d <= eccentricity; ++d) {
    const auto layer = std::count(dist.begin(), dist.end(), d);
    EXPECT_EQ(r.metrics[kOpens][d - 1], layer) << "layer " << d;
  }
}

TEST(Engine, MatchesTheSerialReferenceExactly) {
  const SocialGraph g = erdos_renyi(20000, 8, false, 4);
  const IndependentCascade model({.open_probability = 0.4, .share_probability = 0.6, .activity = 0.7});
  const Engine engine(g, {.vertex = kNoVertex, .num_users = 20000}, model, kOnePush, horizon(200, 99));
  const CsrView out = g.out_view();
  for (RunId run = 0; run < 6; ++run) {
    const RunResult r = engine.run(run);
    const auto ref = detail::serial_cascade(out.offsets.data(), out.targets.data(), 20000,
                                            r.institution, CounterRng(99, run), 0, 0, model.rule(0));
    EXPECT_EQ(r.items[0].reads, ref.reads) << "run " << run;
    EXPECT_EQ(r.items[0].shares, ref.shares);
    EXPECT_EQ(r.items[0].reach, ref.reach);
    EXPECT_EQ(r.items[0].depth, ref.depth);
    std::int64_t exposures = 0;
    for (auto x : r.metrics[kExposures]) exposures += x;
    EXPECT_EQ(static_cast<std::uint64_t>(exposures), ref.exposures);
  }
}

TEST(Engine, BitIdenticalForAnyThreadCount) {
  const SocialGraph g = erdos_renyi(50000, 12, false, 8);
  const IndependentCascade model({.open_probability = 0.3, .share_probability = 0.8, .activity = 0.8});
  const FixedSchedule schedule({.hours = {0, 3, 24, 48, 50}});
  const Engine engine(g, {.vertex = kNoVertex, .num_users = 50000}, model, schedule, horizon(24 * 5, 5));
  std::vector<RunResult> results;
  for (int threads : {1, 2, 16}) {
    // global_control lets TBB start more workers than cores, so 16 threads really run.
    tbb::global_control allow(tbb::global_control::max_allowed_parallelism, threads);
    tbb::task_arena arena(threads);
    arena.execute([&] { results.push_back(engine.run(3)); });
  }
  for (std::size_t i = 1; i < results.size(); ++i) {
    EXPECT_EQ(results[i].metrics, results[0].metrics);
    ASSERT_EQ(results[i].items.size(), results[0].items.size());
    for (std::size_t k = 0; k < results[0].items.size(); ++k) {
      EXPECT_EQ(results[i].items[k].reads, results[0].items[k].reads);
      EXPECT_EQ(results[i].items[k].reach, results[0].items[k].reach);
      EXPECT_EQ(results[i].items[k].depth, results[0].items[k].depth);
    }
  }
  std::uint64_t reads = 0;
  for (const auto& item : results[0].items) reads += item.reads;
  EXPECT_GT(reads, 20000u) << "the test must exercise real cascades";
}

TEST(Engine, ScheduleAndIdleStepsKeepCumulativeReach) {
  const SocialGraph g = star();
  const IndependentCascade model({.open_probability = 1.0, .share_probability = 0.0, .activity = 1.0});
  const FixedSchedule schedule({.hours = {2, 6}});
  const RunResult r = Engine(g, {.vertex = 0, .num_users = 6}, model, schedule, horizon(10)).run(0);
  EXPECT_EQ(r.metrics[kPublished], (std::vector<std::int64_t>{0, 0, 1, 0, 0, 0, 1, 0, 0, 0}));
  EXPECT_EQ(r.metrics[kReachNew], (std::vector<std::int64_t>{0, 0, 5, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(r.metrics[kReachCumulative], (std::vector<std::int64_t>{0, 0, 5, 5, 5, 5, 5, 5, 5, 5}));
  EXPECT_EQ(r.metrics[kOpens], (std::vector<std::int64_t>{0, 0, 5, 0, 0, 0, 5, 0, 0, 0}));
  ASSERT_EQ(r.items.size(), 2u);
  EXPECT_EQ(r.items[1].publish_step, 6);
  EXPECT_EQ(r.items[1].item, 1u);
}

TEST(Engine, ItemsStillSpreadingAtTheHorizonAreRecorded) {
  // A directed path 0 -> 1 -> ... -> 9 spreads one hop per step.
  std::vector<ArcInput> arcs;
  for (VertexId v = 0; v + 1 < 10; ++v) arcs.push_back({v, v + 1});
  const SocialGraph g = SocialGraph::from_arcs(10, arcs);
  const IndependentCascade model({.open_probability = 1.0, .share_probability = 1.0, .activity = 1.0});
  const RunResult r = Engine(g, {.vertex = 0, .num_users = 10}, model, kOnePush, horizon(4)).run(0);
  ASSERT_EQ(r.items.size(), 1u);
  EXPECT_EQ(r.items[0].reads, 4u);
  EXPECT_EQ(r.items[0].depth, 4u);
  EXPECT_EQ(r.metrics[kLiveItems].back(), 1);
}

TEST(Engine, KeyOpinionLeadersStartTheCascadeWithThePublisher) {
  // Path 0 - 1 - 2 - 3 - 4 (undirected); publisher 0, a paid KOL at 4.
  const SocialGraph g = testing_support::path(5);
  const IndependentCascade model({.open_probability = 1.0, .share_probability = 1.0, .activity = 1.0});
  const FixedSchedule with_kol({.hours = {0}}, {4});
  const RunResult r = Engine(g, {.vertex = 0, .num_users = 5}, model, with_kol, horizon(5)).run(0);
  // Step 0: 0 exposes 1, the KOL exposes 3; step 1: they expose 2 (twice).
  EXPECT_EQ(r.metrics[kOpens], (std::vector<std::int64_t>{2, 1, 0, 0, 0}));
  EXPECT_EQ(r.items[0].reads, 3u);
  EXPECT_EQ(r.items[0].reach, 3u);
  EXPECT_EQ(r.items[0].depth, 2u);
}

TEST(Engine, FollowersReachedByPushAndPaidSeedAtOnceCountAsPushOpens) {
  // The publisher 0 reaches 1..200000; the paid seed 300001 reaches 100001..300000 in the same
  // (publication) step, on other threads. Followers count as push opens whichever arc opened
  // the item first: exactly 200000 push and 100000 Moments opens with any thread count.
  constexpr VertexId kFollowers = 200000, kSeed = 300001;
  std::vector<ArcInput> arcs;
  for (VertexId v = 1; v <= kFollowers; ++v) arcs.push_back({0, v});
  for (VertexId v = kFollowers / 2 + 1; v < kSeed; ++v) arcs.push_back({kSeed, v});
  const SocialGraph g = SocialGraph::from_arcs(kSeed + 1, arcs);
  const IndependentCascade model({.open_probability = 1.0, .share_probability = 0.0, .activity = 1.0});
  const FixedSchedule with_seed({.hours = {0}}, {kSeed});
  const Engine engine(g, {.vertex = 0, .num_users = kSeed + 1}, model, with_seed, horizon(2));
  for (int threads : {1, 2, 16}) {
    tbb::global_control allow(tbb::global_control::max_allowed_parallelism, threads);
    tbb::task_arena arena(threads);
    for (RunId run = 0; run < 5; ++run) {
      const RunResult r = arena.execute([&] { return engine.run(run); });
      EXPECT_EQ(r.metrics[kOpens][0], 300000) << threads << " threads";
      EXPECT_EQ(r.metrics[kOpensPush][0], 200000) << threads << " threads";
      EXPECT_EQ(r.metrics[kOpensMoments][0], 100000) << threads << " threads";
    }
  }
}

TEST(Engine, ActiveUsersAreCountedOnceAcrossItemsAndThreads) {
  // Two items in step 0 from publisher 0 to 1..200000, so every follower is exposed twice, on
  // threads that differ between the items. Active users are the followers whose activity draw
  // for step 0 succeeds, each counted once, whatever the thread count.
  constexpr VertexId kFollowers = 200000;
  std::vector<ArcInput> arcs;
  for (VertexId v = 1; v <= kFollowers; ++v) arcs.push_back({0, v});
  const SocialGraph g = SocialGraph::from_arcs(kFollowers + 1, arcs);
  const IndependentCascade model({.open_probability = 0.0, .share_probability = 0.0, .activity = 0.5});
  const FixedSchedule two_items({.hours = {0, 0.5}});
  const Engine engine(g, {.vertex = 0, .num_users = kFollowers + 1}, model, two_items, horizon(3, 7));
  for (RunId run = 0; run < 3; ++run) {
    const CounterRng rng(7, run);
    std::int64_t active = 0;
    for (VertexId v = 1; v <= kFollowers; ++v) active += rng.bernoulli(0.5, Purpose::kActive, 0, v) ? 1 : 0;
    for (int threads : {1, 2, 16}) {
      tbb::global_control allow(tbb::global_control::max_allowed_parallelism, threads);
      tbb::task_arena arena(threads);
      const RunResult r = arena.execute([&] { return engine.run(run); });
      EXPECT_EQ(r.metrics[kExposures], (std::vector<std::int64_t>{2 * kFollowers, 0, 0})) << threads << " threads";
      EXPECT_EQ(r.metrics[kActiveUsers], (std::vector<std::int64_t>{active, 0, 0})) << threads << " threads";
    }
  }
}

}  // namespace
}  // namespace softpower
