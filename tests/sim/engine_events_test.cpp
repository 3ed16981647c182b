// Per-user events (RunResult::events) under both delivery rules: exact events on small graphs,
// agreement with the metrics and item records they must add up to, the cascade-tree invariants
// of the credited parents, no effect on the run itself, and bit-identical events for any thread
// count.
#include <gtest/gtest.h>
#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <map>

#include "models/censorship/pipeline.hpp"
#include "models/diffusion/independent_cascade.hpp"
#include "models/registry.hpp"
#include "models/strategy/fixed_schedule.hpp"
#include "sim/engine.hpp"
#include "sim/generators.hpp"
#include "sim/graph_source.hpp"
#include "tests/support/engine_fixtures.hpp"
#include "tests/support/engine_metrics.hpp"
#include "tests/support/run_result_checks.hpp"

namespace softpower {
namespace {

using namespace testing_support::metric;

const FixedSchedule kOnePush({.hours = {0}});

EngineConfig recording(Step steps) {
  return {.seed = 1, .num_steps = steps, .record_events = true};
}

ReadEvent read(ItemId item, VertexId user, Step step, VertexId parent, std::uint32_t hop, Channel via,
               ReadOutcome outcome = ReadOutcome::kShared, Channel share_channel = Channel::kMoments) {
  return {.item = item, .user = user, .step = step, .parent = parent, .hop = hop, .via = via,
          .outcome = outcome, .share_channel = share_channel};
}

TEST(EngineEvents, StarWithCertainSpread) {
  const SocialGraph g = testing_support::star(5);
  const IndependentCascade model({.open_probability = 1.0, .share_probability = 1.0, .activity = 1.0});
  const Engine engine(g, {.vertex = 0, .num_users = 6}, model, kOnePush, recording(4));
  EXPECT_EQ(engine.events_layout(), (EventsLayout{.vertices = 6, .attitude_users = 0}));
  const RunResult r = engine.run(0);
  std::vector<ReadEvent> expected;
  for (VertexId leaf = 1; leaf <= 5; ++leaf) expected.push_back(read(0, leaf, 0, 0, 1, Channel::kPush));
  EXPECT_EQ(r.events.reads, expected);
  // The publisher never counts as exposed, even when its readers share back to it.
  EXPECT_EQ(r.events.first_exposure, (std::vector<Step>{-1, 0, 0, 0, 0, 0}));
  EXPECT_EQ(r.events.graph_checksum, g.checksum());
  EXPECT_TRUE(r.events.attitude_initial.empty());
}

TEST(EngineEvents, SameStepOpensAreCreditedToTheLowestSharer) {
  // Path 0 - 1 - 2 - 3 - 4 (undirected); publisher 0, a paid seed at 4. In step 1 both 1 and 3
  // deliver to 2; whichever thread gets there first, the read is credited to 1.
  const SocialGraph g = testing_support::path(5);
  const IndependentCascade model({.open_probability = 1.0, .share_probability = 1.0, .activity = 1.0});
  const FixedSchedule with_seed({.hours = {0}}, {4});
  const RunResult r = Engine(g, {.vertex = 0, .num_users = 5}, model, with_seed, recording(5)).run(0);
  EXPECT_EQ(r.events.reads, (std::vector<ReadEvent>{read(0, 1, 0, 0, 1, Channel::kPush),
                                                    read(0, 2, 1, 1, 2, Channel::kMoments),
                                                    read(0, 3, 0, 4, 1, Channel::kMoments)}));
  EXPECT_EQ(r.events.first_exposure, (std::vector<Step>{-1, 0, 1, 0, -1}));
}

TEST(EngineEvents, NothingRecordedUnlessAsked) {
  const SocialGraph g = testing_support::star(5);
  const IndependentCascade model({.open_probability = 1.0, .share_probability = 1.0, .activity = 1.0});
  const Engine engine(g, {.vertex = 0, .num_users = 6}, model, kOnePush, {.seed = 1, .num_steps = 4});
  EXPECT_FALSE(engine.events_layout().enabled());
  EXPECT_EQ(engine.run(0).events, UserEvents{});
}

// A scenario under the feed rule with censorship and attitudes, small enough for a unit test, so
// that every outcome (shared, filtered, self-censored) occurs.
struct FeedSetup {
  Scenario scenario;
  PreparedGraph prepared;
  std::unique_ptr<DiffusionModel> diffusion;
  std::unique_ptr<StrategyModel> strategy;
  std::unique_ptr<PlatformFilter> filter;
  std::unique_ptr<AttitudeModel> attitude;
  explicit FeedSetup(std::vector<std::string> overrides)
      : scenario(load_scenario(std::string(SOFTPOWER_SOURCE_DIR) + "/scenarios/default.yaml", overrides)),
        prepared(prepare_graph(scenario)),
        diffusion(make_diffusion_model(scenario)),
        strategy(make_strategy_model(scenario, &prepared)),
        filter(make_platform_filter(scenario)),
        attitude(make_attitude_model(scenario, &prepared)) {}
  [[nodiscard]] Engine engine(bool record) const {
    return Engine(prepared.graph, prepared.publisher, *diffusion, *strategy,
                  {.seed = scenario.seed, .num_steps = scenario.time.num_steps(),
                   .step_hours = scenario.time.step_hours, .filter = filter.get(), .region = prepared.region,
                   .groups = &prepared.groups, .attitude = attitude.get(), .community = prepared.community,
                   .record_events = record});
  }
};

const std::vector<std::string> kSmallFeed{"graph.n=20000", "graph.mean_degree=40", "time.horizon_days=8",
                                          "strategy.push_every_hours=48", "institution.followers=3000",
                                          "diffusion.share_probability=0.4", "censorship.strength=0.6"};

// Everything the events must add up to, and the parent of every read forms a cascade tree.
void expect_consistent(const RunResult& r, const SocialGraph& g, VertexId institution,
                       std::span<const VertexId> seeds, bool on_arrival) {
  ASSERT_TRUE(r.events.recorded());
  const auto& events = r.events;
  ASSERT_TRUE(std::is_sorted(events.reads.begin(), events.reads.end(), [](const ReadEvent& a, const ReadEvent& b) {
    return a.item != b.item ? a.item < b.item : a.user < b.user;
  }));
  // First exposures, step by step, are the run's new reach.
  std::vector<std::int64_t> reach_new(r.metrics[kReachNew].size(), 0);
  for (Step s : events.first_exposure) {
    if (s >= 0) ++reach_new.at(static_cast<std::size_t>(s));
  }
  EXPECT_EQ(reach_new, r.metrics[kReachNew]);

  std::vector<std::int64_t> opens(reach_new.size(), 0), shares(reach_new.size(), 0),
      filtered(reach_new.size(), 0), self_censored(reach_new.size(), 0);
  std::map<std::pair<ItemId, VertexId>, const ReadEvent*> by_reader;
  for (const ReadEvent& e : events.reads) by_reader[{e.item, e.user}] = &e;
  std::vector<std::uint64_t> reads_of(r.items.size(), 0), shares_of(r.items.size(), 0);
  for (const ReadEvent& e : events.reads) {
    ASSERT_LT(e.item, r.items.size());
    const ItemRecord& item = r.items[e.item];
    ++reads_of[e.item];
    ++opens.at(static_cast<std::size_t>(e.step));
    if (e.outcome == ReadOutcome::kShared || e.outcome == ReadOutcome::kShareFiltered) {
      ++shares[e.step];
      ++shares_of[e.item];
      EXPECT_NE(e.share_channel, Channel::kPush);
    } else {
      EXPECT_EQ(e.share_channel, Channel::kPush);
    }
    if (e.outcome == ReadOutcome::kShareFiltered) ++filtered[e.step];
    if (e.outcome == ReadOutcome::kSelfCensored) ++self_censored[e.step];
    EXPECT_GE(events.first_exposure[e.user], 0);
    EXPECT_LE(events.first_exposure[e.user], e.step);
    EXPECT_GE(e.step, item.publish_step);
    EXPECT_LE(e.hop, item.depth);
    // The parent started the cascade, or read the item earlier, shared it and was not filtered.
    const bool starter = e.parent == institution || std::find(seeds.begin(), seeds.end(), e.parent) != seeds.end();
    const auto parent = by_reader.find({e.item, e.parent});
    if (parent == by_reader.end()) {
      EXPECT_TRUE(starter) << "item " << e.item << " user " << e.user << " parent " << e.parent;
      EXPECT_EQ(e.hop, 1u);
    } else {
      const ReadEvent& p = *parent->second;
      EXPECT_EQ(p.outcome, ReadOutcome::kShared) << "item " << e.item << " user " << e.user;
      EXPECT_EQ(e.hop, p.hop + 1);
      EXPECT_LT(p.step, e.step);
      if (on_arrival) {
        EXPECT_EQ(e.step, p.step + 1);
      }
    }
    if (on_arrival) {
      const auto out = g.out_view();
      const auto targets = out.targets.subspan(out.offsets[e.parent], out.out_degree(e.parent));
      EXPECT_TRUE(std::binary_search(targets.begin(), targets.end(), e.user));
    }
  }
  EXPECT_EQ(opens, r.metrics[kOpens]);
  EXPECT_EQ(shares, r.metrics[kShares]);
  EXPECT_EQ(filtered, r.metrics[kSharesFiltered]);
  EXPECT_EQ(self_censored, r.metrics[kSharesSelfCensored]);
  for (const ItemRecord& item : r.items) {
    EXPECT_EQ(reads_of[item.item], item.reads);
    EXPECT_EQ(shares_of[item.item], item.shares);
  }
}

void expect_same_run_besides_events(const RunResult& a, const RunResult& b) {
  EXPECT_EQ(a.metrics, b.metrics);
  ASSERT_EQ(a.series.size(), b.series.size());
  for (std::size_t k = 0; k < a.series.size(); ++k) {
    EXPECT_EQ(test::bit_pattern(a.series[k]), test::bit_pattern(b.series[k])) << "series " << k;
  }
  EXPECT_EQ(test::bit_pattern(a.snapshots), test::bit_pattern(b.snapshots));
  ASSERT_EQ(a.items.size(), b.items.size());
  for (std::size_t k = 0; k < a.items.size(); ++k) {
    EXPECT_EQ(a.items[k].reads, b.items[k].reads);
    EXPECT_EQ(a.items[k].shares, b.items[k].shares);
    EXPECT_EQ(a.items[k].reach, b.items[k].reach);
    EXPECT_EQ(a.items[k].depth, b.items[k].depth);
  }
}

template <class Run>
std::vector<RunResult> with_threads(Run run) {
  std::vector<RunResult> results;
  for (int threads : {1, 2, 16}) {
    // global_control lets TBB start more workers than cores, so 16 threads really run.
    tbb::global_control allow(tbb::global_control::max_allowed_parallelism, threads);
    tbb::task_arena arena(threads);
    arena.execute([&] { results.push_back(run()); });
  }
  return results;
}

TEST(EngineEvents, OnArrivalEventsAddUpAndDoNotDependOnThreads) {
  const SocialGraph g = erdos_renyi(30000, 12, false, 8);
  const IndependentCascade model({.open_probability = 0.3, .share_probability = 0.8, .activity = 0.8});
  const FixedSchedule schedule({.hours = {0, 3, 24}}, {17, 29});
  const Publisher publisher{.vertex = 5, .num_users = 30000};
  const Engine engine(g, publisher, model, schedule, recording(24 * 3));
  const auto results = with_threads([&] { return engine.run(2); });
  EXPECT_GT(results[0].events.reads.size(), 10000u) << "the test must exercise real cascades";
  const std::vector<VertexId> seeds{17, 29};
  expect_consistent(results[0], g, 5, seeds, true);
  for (std::size_t i = 1; i < results.size(); ++i) EXPECT_EQ(results[i].events, results[0].events);
  const RunResult plain = Engine(g, publisher, model, schedule, {.seed = 1, .num_steps = 24 * 3}).run(2);
  expect_same_run_besides_events(plain, results[0]);
}

TEST(EngineEvents, FeedEventsAddUpAndDoNotDependOnThreads) {
  const FeedSetup setup(kSmallFeed);
  const Engine engine = setup.engine(true);
  EXPECT_EQ(engine.events_layout(),
            (EventsLayout{.vertices = setup.prepared.graph.num_vertices(), .attitude_users = 20000}));
  const auto results = with_threads([&] { return engine.run(1); });
  const RunResult& r = results[0];
  std::map<ReadOutcome, int> outcomes;
  for (const ReadEvent& e : r.events.reads) ++outcomes[e.outcome];
  EXPECT_GT(outcomes[ReadOutcome::kRead], 100);
  EXPECT_GT(outcomes[ReadOutcome::kShared], 100);
  EXPECT_GT(outcomes[ReadOutcome::kShareFiltered], 0);
  EXPECT_GT(outcomes[ReadOutcome::kSelfCensored], 0);
  expect_consistent(r, setup.prepared.graph, setup.prepared.publisher.vertex, setup.strategy->seeds(), false);
  for (std::size_t i = 1; i < results.size(); ++i) EXPECT_EQ(results[i].events, r.events);
  expect_same_run_besides_events(setup.engine(false).run(1), r);

  ASSERT_EQ(r.events.attitude_initial.size(), 20000u);
  ASSERT_EQ(r.events.attitude_final.size(), 20000u);
  std::size_t moved = 0;
  for (std::size_t u = 0; u < 20000; ++u) moved += r.events.attitude_initial[u] != r.events.attitude_final[u];
  EXPECT_GT(moved, 0u);
}

}  // namespace
}  // namespace softpower
