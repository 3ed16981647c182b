// The platform filter: each mechanism exactly at probabilities 0 and 1, statistically against
// its distribution, and end to end in the engine.
#include <gtest/gtest.h>

#include <cmath>

#include "models/censorship/down_ranking.hpp"
#include "models/censorship/pipeline.hpp"
#include "models/censorship/publication_block.hpp"
#include "models/censorship/self_censorship.hpp"
#include "models/censorship/share_filter.hpp"
#include "models/censorship/suspension.hpp"
#include "models/censorship/takedown.hpp"
#include "models/diffusion/independent_cascade.hpp"
#include "models/strategy/fixed_schedule.hpp"
#include "sim/engine.hpp"
#include "sim/error.hpp"

#include "tests/support/engine_metrics.hpp"

namespace softpower {
namespace {

using namespace testing_support::metric;

template <class... Mechanisms>
CensorshipPipeline pipeline(double strength, Mechanisms... ms) {
  std::vector<std::unique_ptr<CensorshipMechanism>> list;
  (list.push_back(std::make_unique<Mechanisms>(ms)), ...);
  return CensorshipPipeline(strength, std::move(list));
}

ItemSpec item_with(double sensitivity, Step step = 0) {
  return {.step = step, .push = 0, .topic = 0, .appeal = 0.5, .sensitivity = sensitivity, .valence = 0};
}

// Directed path 0 -> 1 -> ... -> 9: a certain cascade advances one hop per step.
SocialGraph path() {
  std::vector<ArcInput> arcs;
  for (VertexId v = 0; v + 1 < 10; ++v) arcs.push_back({v, v + 1});
  return SocialGraph::from_arcs(10, arcs);
}

const IndependentCascade kCertain({.open_probability = 1.0, .share_probability = 1.0, .activity = 1.0});

RunResult run_path(const PlatformFilter& filter, std::vector<double> hours = {0},
                   std::span<const std::uint8_t> region = {}) {
  static const SocialGraph g = path();
  const FixedSchedule schedule({.hours = std::move(hours)});
  const Engine engine(g, {.vertex = 0, .num_users = 10}, kCertain, schedule,
                      {.seed = 1, .num_steps = 48, .step_hours = 1.0, .filter = &filter, .region = region});
  return engine.run(0);
}

TEST(Censorship, StrengthZeroOrNoMechanismFiltersNothing) {
  const auto all = pipeline(0.0, PublicationBlock({1.0, 0.0}), Takedown({1.0, 1.0, 0.0, 1.0, 0.0}),
                            ShareFilter({1.0, 0.0, 1.0}), DownRanking({1.0, 0.0}),
                            SelfCensorship({1.0, 1.0}));
  for (const auto* p : {&all}) {
    const ItemFilter f = p->on_publish(item_with(1.0), 0, 1, 0, 1.0);
    EXPECT_FALSE(f.blocked);
    EXPECT_EQ(f.takedown_step, kNever);
    EXPECT_EQ(f.open_multiplier, 1.0);
    EXPECT_EQ(f.share_filter[0][1], 0.0);
    EXPECT_EQ(f.share_multiplier[0], 1.0);
  }
  const RunResult r = run_path(all);
  EXPECT_EQ(r.items[0].reads, 9u);
}

TEST(Censorship, BlockedItemsAreNeverDelivered) {
  const auto filter = pipeline(1.0, PublicationBlock({1.0, 0.0}));
  const RunResult r = run_path(filter);
  ASSERT_EQ(r.items.size(), 1u);
  EXPECT_TRUE(r.items[0].blocked);
  EXPECT_EQ(r.items[0].reach, 0u);
  EXPECT_EQ(r.metrics[kBlocked][0], 1);
  EXPECT_EQ(r.metrics[kPublished][0], 1);
  EXPECT_EQ(r.metrics[kExposures][0], 0);
}

TEST(Censorship, TakedownBreaksEveryUndeliveredShare) {
  // Certain takedown with a fixed 2.5 h delay: removed from step 3 on, so hops 1..3 happen.
  const auto filter = pipeline(1.0, Takedown({1.0, 1.0, 1.0, 2.5, 0.0}));
  const RunResult r = run_path(filter);
  EXPECT_EQ(r.items[0].takedown_step, 3);
  EXPECT_EQ(r.items[0].reads, 3u);
  EXPECT_EQ(r.metrics[kTakenDown][3], 1);
  EXPECT_EQ(r.metrics[kOpens][3], 0);
}

TEST(Censorship, StrikesSuspendTheAccountAndRefuseItsPushes) {
  // Every item is taken down after 0.5 h (from step 1); one strike suspends for 1 day.
  const auto filter = pipeline(1.0, Takedown({1.0, 1.0, 1.0, 0.5, 0.0}), Suspension({1, 1.0, 2.0}));
  const RunResult r = run_path(filter, {0, 10, 24, 30});
  // Item 0 at step 0 (down at 1, suspended to 25): pushes at 10 and 24 refused; 30 publishes.
  ASSERT_EQ(r.items.size(), 2u);
  EXPECT_EQ(r.items[1].publish_step, 30);
  EXPECT_EQ(r.metrics[kRefusedSuspended][10], 1);
  EXPECT_EQ(r.metrics[kRefusedSuspended][24], 1);
  const Suspension escalating({2, 1.0, 3.0});
  EXPECT_EQ(escalating.suspension_steps(1, 1.0, 1.0), 0);
  EXPECT_EQ(escalating.suspension_steps(2, 1.0, 1.0), 24);
  EXPECT_EQ(escalating.suspension_steps(4, 1.0, 1.0), 72);
  EXPECT_EQ(escalating.suspension_steps(4, 0.5, 1.0), 36);
}

TEST(Censorship, ShareFilterSilencesDomesticSharersOnly) {
  const auto filter = pipeline(1.0, ShareFilter({1.0, 0.0, 1.0}));
  const RunResult domestic = run_path(filter);
  // Vertex 1 reads and shares, but its share is dropped: nobody else is reached.
  EXPECT_EQ(domestic.items[0].reads, 1u);
  EXPECT_EQ(domestic.items[0].shares, 1u);
  EXPECT_EQ(domestic.metrics[kSharesFiltered][0], 1);
  const std::vector<std::uint8_t> international(10, 1);
  const RunResult abroad = run_path(filter, {0}, international);
  EXPECT_EQ(abroad.items[0].reads, 9u);
}

TEST(Censorship, DownRankingAndSelfCensorshipAtTheExtremes) {
  const RunResult unseen = run_path(pipeline(1.0, DownRanking({1.0, 0.0})));
  EXPECT_EQ(unseen.items[0].reads, 0u);
  EXPECT_EQ(unseen.items[0].reach, 1u);
  // s = 0.05 by default topic; use exponent-free propensity 1 and an item of s = 1 instead.
  const auto silenced = pipeline(1.0, SelfCensorship({1.0, 1.0}));
  const ItemFilter f = silenced.on_publish(item_with(1.0), 0, 1, 0, 1.0);
  EXPECT_EQ(f.share_multiplier[0], 0.0);
  EXPECT_EQ(f.share_multiplier[1], 0.0);
  const ItemFilter half = pipeline(0.5, SelfCensorship({0.8, 0.2})).on_publish(item_with(0.5), 0, 1, 0, 1.0);
  EXPECT_DOUBLE_EQ(half.share_multiplier[0], 1 - 0.5 * 0.5 * 0.8);
  EXPECT_DOUBLE_EQ(half.share_multiplier[1], 1 - 0.5 * 0.5 * 0.2);
}

TEST(Censorship, SelfCensoredReadersAreCountedNotShared) {
  // s = 0.05 (the default topic) with propensity 1 at C = 1: 5% of would-be sharers hold back.
  // Star: the centre publishes to 20,000 leaves, every leaf reads, q = 1.
  std::vector<ArcInput> arcs;
  const VertexId leaves = 20000;
  for (VertexId v = 1; v <= leaves; ++v) arcs.push_back({0, v});
  const SocialGraph g = SocialGraph::from_arcs(leaves + 1, arcs);
  const auto filter = pipeline(1.0, SelfCensorship({1.0, 1.0}));
  const FixedSchedule once({.hours = {0}});
  const RunResult r = Engine(g, {.vertex = 0, .num_users = leaves + 1}, kCertain, once,
                             {.seed = 3, .num_steps = 5, .step_hours = 1.0, .filter = &filter, .region = {}})
                          .run(0);
  const double p = 0.05;
  EXPECT_EQ(r.items[0].reads, leaves);
  EXPECT_EQ(static_cast<std::uint64_t>(r.metrics[kSharesSelfCensored][0]) + r.items[0].shares, leaves);
  EXPECT_NEAR(r.metrics[kSharesSelfCensored][0], p * leaves, 5 * std::sqrt(leaves * p * (1 - p)));
}

// P22: about 1% of ordinary articles removed; P27: ~30% of delays within 30 minutes, ~90%
// within a day. Checked on 40,000 items with the default parameters (binomial tolerances).
TEST(Censorship, DefaultTakedownRateAndDelayDistribution) {
  const Takedown takedown(TakedownParams{});
  const double ordinary = takedown.probability(1.0, 0.05);
  EXPECT_GT(ordinary, 0.005);
  EXPECT_LT(ordinary, 0.02);
  EXPECT_GT(takedown.probability(1.0, 0.8), 20 * ordinary) << "must rise steeply with sensitivity";
  EXPECT_DOUBLE_EQ(takedown.probability(0.5, 0.05), 0.5 * ordinary);

  const auto filter = pipeline(1.0, Takedown(TakedownParams{}));
  const int items = 40000;
  const double minute = 1.0 / 60;
  int removed = 0;
  for (int i = 0; i < items; ++i) {
    removed += filter.on_publish(item_with(0.05), static_cast<ItemId>(i), 11, 0, minute).takedown_step != kNever;
  }
  EXPECT_NEAR(removed, ordinary * items, 5 * std::sqrt(items * ordinary * (1 - ordinary)));

  // Delays: certain takedown, steps of one minute. takedown_step - 1 = floor(delay in minutes).
  const auto certain = pipeline(1.0, Takedown({1.0, 1.0, 1.0, 1.5, 1.8}));
  int within_30_min = 0, within_day = 0;
  for (int i = 0; i < items; ++i) {
    const Step delay_minutes = certain.on_publish(item_with(0.1), static_cast<ItemId>(i), 12, 0, minute).takedown_step - 1;
    within_30_min += delay_minutes < 30;
    within_day += delay_minutes < 24 * 60;
  }
  auto normal_cdf = [](double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); };
  const double p30 = normal_cdf(std::log(0.5 / 1.5) / 1.8);
  const double p24 = normal_cdf(std::log(24 / 1.5) / 1.8);
  EXPECT_NEAR(p30, 0.27, 0.01);
  EXPECT_NEAR(p24, 0.94, 0.01);
  EXPECT_NEAR(within_30_min, p30 * items, 5 * std::sqrt(items * p30 * (1 - p30)));
  EXPECT_NEAR(within_day, p24 * items, 5 * std::sqrt(items * p24 * (1 - p24)));
}

TEST(Censorship, ScenarioSectionErrors) {
  auto error_of = [](const std::string& text) {
    try {
      make_platform_filter(parse_scenario(text, "s.yaml", {}));
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(error_of("censorship: {strength: 2}\n"), "s.yaml:1:24: censorship.strength: value 2 is out of range [0, 1]");
  EXPECT_EQ(error_of("censorship:\n  takedown: {delay: 3}\n").rfind("s.yaml:2:14: censorship.takedown.delay: unknown key", 0), 0u);
  EXPECT_EQ(error_of("censorship:\n  firewall: {}\n").rfind("s.yaml:2:3: censorship.firewall: unknown key", 0), 0u);
  EXPECT_EQ(error_of("censorship: {strength: 0.5, takedown: {}, suspension: {strikes: 2}}\n"), "");
}

}  // namespace
}  // namespace softpower
