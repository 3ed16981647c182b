// Attitudes inside the engine (sim/attitude_state.hpp with models/attitude/bounded_confidence):
// reads move them exactly as the model says, days decay them even when nothing spreads, the
// statistics match the state, the soft-power index is the gap to a run without the
// institution's items, and everything is bit-identical for any thread count.
#include <gtest/gtest.h>
#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <cmath>
#include <cstring>

#include "models/attitude/bounded_confidence.hpp"
#include "models/diffusion/independent_cascade.hpp"
#include "models/registry.hpp"
#include "sim/engine.hpp"
#include "sim/graph_source.hpp"
#include "tests/support/engine_fixtures.hpp"
#include "tests/support/engine_metrics.hpp"

namespace softpower {
namespace {

using testing_support::Items;
using testing_support::star;
namespace metric = testing_support::metric;

// Attitudes that only reading moves: no prior spread, no discount, no wear-out, no social step.
BoundedConfidence::Params plain() {
  BoundedConfidence::Params p;
  p.prior_mean = p.prior_mean_international = 0.0;
  p.prior_sd = 0.0;
  p.openness = 2.0;
  p.convergence = 0.5;
  p.propaganda_discount = 0.0;
  p.wear_out_reads = 0.0;
  p.saturation_reads = 0;
  p.decay_days = 0.0;
  p.social_step = false;
  return p;
}

const IndependentCascade kReadOnly({.open_probability = 1.0, .share_probability = 0.0, .activity = 1.0});

std::size_t series_index(const Engine& engine, const std::string& name) {
  const auto specs = engine.series_specs();
  for (std::size_t k = 0; k < specs.size(); ++k) {
    if (specs[k].name == name) return k;
  }
  ADD_FAILURE() << "no series " << name;
  return 0;
}

TEST(AttitudeEngine, ReadsMoveAttitudesAndTheStatisticsFollow) {
  // The publisher is user 0 at the centre; 5 leaves read an item of valence 0.8 in step 0 and
  // move halfway to it.
  const SocialGraph g = star(5);
  const BoundedConfidence attitude(plain(), nullptr, 6);
  const Items items(std::vector<ItemSpec>{{.step = 0, .valence = 0.8}});
  const Engine engine(g, {.vertex = 0, .num_users = 6}, kReadOnly, items,
                      {.seed = 1, .num_steps = 3, .step_hours = 1.0, .attitude = &attitude});
  const RunResult r = engine.run(0);
  ASSERT_EQ(r.series.size(), engine.series_specs().size());
  const double mean = 5 * 0.4 / 6;
  const double variance = (5 * (0.4 - mean) * (0.4 - mean) + mean * mean) / 6;
  for (Step s = 0; s < 3; ++s) {
    EXPECT_DOUBLE_EQ(r.series[series_index(engine, "attitude_mean")][s], mean);
    EXPECT_DOUBLE_EQ(r.series[series_index(engine, "attitude_variance")][s], variance);
    EXPECT_DOUBLE_EQ(r.series[series_index(engine, "soft_power_index")][s], mean);
  }
  // All users are domestic: the international mean is NaN (no users).
  const auto& by_region = r.series[series_index(engine, "attitude_mean_by_region")];
  EXPECT_DOUBLE_EQ(by_region[0], mean);
  EXPECT_TRUE(std::isnan(by_region[1]));
  // Histogram: 0.4 falls in bin [0.4, 0.5) (index 14), 0 in [0.0, 0.1) (index 10).
  const auto& histogram = r.series[series_index(engine, "attitude_histogram")];
  std::vector<double> expected(AttitudeState::kHistogramBins, 0.0);
  expected[14] = 5;
  expected[10] = 1;
  EXPECT_EQ(std::vector<double>(histogram.begin(), histogram.begin() + 20), expected);
  EXPECT_EQ(engine.snapshot_users(), 0u);
  EXPECT_TRUE(r.snapshots.empty());
}

TEST(AttitudeEngine, IndicesAverageTheGapOverAllUsersReachedUsersAndReaders) {
  // Every leaf of the star is reached, about half open the item, and each reader moves halfway
  // to the valence 0.8: the readers' index is 0.4, the reached users' 0.4 readers / 5 and the
  // all-users index 0.4 readers / 6 (the publisher counts as a user and is never reached).
  const SocialGraph g = star(5);
  const BoundedConfidence attitude(plain(), nullptr, 6);
  const Items items(std::vector<ItemSpec>{{.step = 0, .valence = 0.8}});
  const IndependentCascade half_open({.open_probability = 0.5, .share_probability = 0.0, .activity = 1.0});
  std::size_t runs_with_non_readers = 0;
  for (RunId run = 0; run < 8; ++run) {
    const Engine engine(g, {.vertex = 0, .num_users = 6}, half_open, items,
                        {.seed = 3, .num_steps = 2, .step_hours = 1.0, .attitude = &attitude});
    const RunResult r = engine.run(run);
    ASSERT_EQ(r.metrics[metric::kReachCumulative][1], 5);
    const auto& opens = r.metrics[metric::kOpens];
    const double readers = static_cast<double>(opens[0] + opens[1]);
    if (readers < 5) ++runs_with_non_readers;
    const double all = r.series[series_index(engine, "soft_power_index")][1];
    const double reached = r.series[series_index(engine, "soft_power_index_reached")][1];
    const double by_readers = r.series[series_index(engine, "soft_power_index_readers")][1];
    EXPECT_DOUBLE_EQ(all, 0.4 * readers / 6) << "run " << run;
    EXPECT_DOUBLE_EQ(reached, 0.4 * readers / 5) << "run " << run;
    if (readers == 0) {
      EXPECT_TRUE(std::isnan(by_readers)) << "run " << run;
    } else {
      EXPECT_DOUBLE_EQ(by_readers, 0.4) << "run " << run;
    }
  }
  EXPECT_GT(runs_with_non_readers, 0u) << "the test needs runs where some reached users did not read";
}

TEST(AttitudeEngine, DaysDecayAttitudesEvenWhenNothingSpreads) {
  const SocialGraph g = star(5);
  BoundedConfidence::Params p = plain();
  p.decay_days = 1.0;
  p.snapshot_every_hours = 12;
  const BoundedConfidence attitude(p, nullptr, 6);
  const Items items(std::vector<ItemSpec>{{.step = 0, .valence = 0.8}});
  const Engine engine(g, {.vertex = 0, .num_users = 6}, kReadOnly, items,
                      {.seed = 1, .num_steps = 50, .step_hours = 1.0, .attitude = &attitude});
  const RunResult r = engine.run(0);
  const auto& mean = r.series[series_index(engine, "attitude_mean")];
  EXPECT_DOUBLE_EQ(mean[23], 5 * 0.4 / 6);
  EXPECT_DOUBLE_EQ(mean[24], 5 * 0.4 * std::exp(-1.0) / 6);  // the day-1 step at hour 24
  EXPECT_DOUBLE_EQ(mean[47], 5 * 0.4 * std::exp(-1.0) / 6);
  EXPECT_DOUBLE_EQ(mean[48], 5 * 0.4 * std::exp(-2.0) / 6);
  // Snapshots every 12 steps: 0, 12, 24, 36, 48, each of all 6 users.
  EXPECT_EQ(engine.snapshot_users(), 6u);
  EXPECT_EQ(r.snapshot_steps, (std::vector<Step>{0, 12, 24, 36, 48}));
  ASSERT_EQ(r.snapshots.size(), 5u * 6u);
  EXPECT_FLOAT_EQ(r.snapshots[1], 0.4f);
  EXPECT_FLOAT_EQ(r.snapshots[2 * 6 + 1], static_cast<float>(0.4 * std::exp(-1.0)));
  EXPECT_FLOAT_EQ(r.snapshots[0], 0.0f);  // the publisher never reads its own item
}

// A small WeChat-like population with the full attitude model and the feed.
struct Population {
  Scenario scenario;
  PreparedGraph prepared;
  std::unique_ptr<DiffusionModel> diffusion;
  std::unique_ptr<StrategyModel> strategy;
  std::unique_ptr<AttitudeModel> attitude;
  Population()
      : scenario(parse_scenario(R"(
name: attitudes
seed: 11
graph: {type: wechat_like, n: 5000, mean_degree: 30, community_size: 250, seed: 2}
institution: {placement: new, followers: 1500}
time: {step_hours: 1, horizon_days: 10}
strategy: {model: posting, account_type: subscription, push_every_hours: 24, articles_per_push: 3,
           topics: [{appeal: 0.9, valence: 0.9, sensitivity: 0}]}
diffusion: {model: wechat_feed, open_probability: 0.3, share_probability: 0.2}
attitude: {model: bounded_confidence, convergence: 0.3, snapshot_every_hours: 24}
)", "attitudes.yaml", {})),
        prepared(prepare_graph(scenario)),
        diffusion(make_diffusion_model(scenario)),
        strategy(make_strategy_model(scenario, &prepared)),
        attitude(make_attitude_model(scenario, &prepared)) {}
  [[nodiscard]] EngineConfig config() const {
    return {.seed = scenario.seed, .num_steps = scenario.time.num_steps(), .step_hours = 1.0, .filter = nullptr,
            .region = prepared.region, .groups = &prepared.groups, .attitude = attitude.get(),
            .community = prepared.community};
  }
};

TEST(AttitudeEngine, SoftPowerIndexIsTheGapToARunWithoutItems) {
  const Population pop;
  const Engine with(pop.prepared.graph, pop.prepared.publisher, *pop.diffusion, *pop.strategy, pop.config());
  const Items nothing(std::vector<ItemSpec>{});
  const Engine without(pop.prepared.graph, pop.prepared.publisher, *pop.diffusion, nothing, pop.config());
  const RunResult a = with.run(2);
  const RunResult b = without.run(2);
  const VertexId users = with.snapshot_users();
  ASSERT_EQ(users, 5000u);
  ASSERT_EQ(a.snapshot_steps, b.snapshot_steps);
  const auto& index = a.series[series_index(with, "soft_power_index")];
  double last_gap = 0.0;
  for (std::size_t k = 0; k < a.snapshot_steps.size(); ++k) {
    double gap = 0.0;
    for (VertexId v = 0; v < users; ++v) {
      gap += static_cast<double>(a.snapshots[k * users + v]) - static_cast<double>(b.snapshots[k * users + v]);
    }
    gap /= users;
    // Snapshots are float32: the gap of each user is exact to about 6e-8.
    EXPECT_NEAR(index[a.snapshot_steps[k]], gap, 1e-7) << "step " << a.snapshot_steps[k];
    last_gap = gap;
  }
  EXPECT_GT(last_gap, 1e-4) << "positive items must leave a measurable gap";
  for (double value : b.series[series_index(without, "soft_power_index")]) EXPECT_EQ(value, 0.0);
}

// Days before the first read are skipped only where they are no-ops: under the content-free
// anchor nobody moves, under the classic Friedkin-Johnsen anchor attitudes drift from day one.
TEST(AttitudeEngine, DaysWithoutReadsAreSkippedOnlyWhereNobodyMoves) {
  const Population pop;
  const Items nothing(std::vector<ItemSpec>{});
  BoundedConfidence::Params params;
  params.snapshot_every_hours = 24;
  const BoundedConfidence content_free(params, &pop.prepared.graph, pop.prepared.publisher.num_users);
  params.social_anchor = "prior";
  const BoundedConfidence classic(params, &pop.prepared.graph, pop.prepared.publisher.num_users);
  EXPECT_TRUE(content_free.day_keeps_priors());
  EXPECT_FALSE(classic.day_keeps_priors());

  for (const BoundedConfidence* model : {&content_free, &classic}) {
    EngineConfig config = pop.config();
    config.attitude = model;
    const Engine engine(pop.prepared.graph, pop.prepared.publisher, *pop.diffusion, nothing, config);
    const RunResult r = engine.run(1);
    const VertexId users = engine.snapshot_users();
    ASSERT_GE(r.snapshot_steps.size(), 3u);
    const auto day = [&](std::size_t k) {
      return std::vector<float>(r.snapshots.begin() + static_cast<std::ptrdiff_t>(k * users),
                                r.snapshots.begin() + static_cast<std::ptrdiff_t>((k + 1) * users));
    };
    if (model == &content_free) {
      for (std::size_t k = 1; k < r.snapshot_steps.size(); ++k) EXPECT_EQ(day(k), day(0)) << "snapshot " << k;
    } else {
      EXPECT_NE(day(1), day(0)) << "the classic anchor must move attitudes without any read";
    }
  }
}

TEST(AttitudeEngine, BitIdenticalForAnyThreadCount) {
  const Population pop;
  const Engine engine(pop.prepared.graph, pop.prepared.publisher, *pop.diffusion, *pop.strategy, pop.config());
  std::vector<RunResult> results;
  for (int threads : {1, 2, 16}) {
    tbb::global_control allow(tbb::global_control::max_allowed_parallelism, threads);
    tbb::task_arena arena(threads);
    arena.execute([&] { results.push_back(engine.run(5)); });
  }
  for (std::size_t i = 1; i < results.size(); ++i) {
    EXPECT_EQ(results[i].metrics, results[0].metrics);
    ASSERT_EQ(results[i].series.size(), results[0].series.size());
    for (std::size_t k = 0; k < results[0].series.size(); ++k) {
      const auto& x = results[i].series[k];
      const auto& y = results[0].series[k];
      ASSERT_EQ(x.size(), y.size());
      EXPECT_EQ(std::memcmp(x.data(), y.data(), x.size() * sizeof(double)), 0) << "series " << k;  // NaN-safe
    }
    EXPECT_EQ(results[i].snapshots, results[0].snapshots);
  }
}

}  // namespace
}  // namespace softpower
