#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "models/registry.hpp"
#include "models/strategy/fixed_schedule.hpp"
#include "models/strategy/kol_seeding.hpp"
#include "models/strategy/posting_strategy.hpp"
#include "sim/error.hpp"
#include "sim/generators.hpp"

namespace softpower {
namespace {

std::vector<Step> item_steps(const PublicationPlan& plan) {
  std::vector<Step> steps;
  for (const ItemSpec& item : plan.items) steps.push_back(item.step);
  return steps;
}

TEST(PostingStrategy, SubscriptionQuotaIsOnePushPerDay) {
  PostingStrategy::Params p;
  p.account_type = "subscription";
  p.first_push_hour = 9;
  p.push_every_hours = 12;  // attempts at 9, 21, 33, 45, 57, 69
  const PostingStrategy strategy(p, {}, {});
  const PublicationPlan plan = strategy.plan(1, 0, 72, 1.0);
  EXPECT_EQ(item_steps(plan), (std::vector<Step>{9, 33, 57}));
  EXPECT_EQ(plan.refused, (std::vector<Step>{21, 45, 69}));
}

TEST(PostingStrategy, ServiceQuotaIsFourPushesPerThirtyDayMonth) {
  PostingStrategy::Params p;
  p.account_type = "service";
  p.first_push_hour = 0;
  p.push_every_hours = 24;  // daily attempts for 60 days
  const PostingStrategy strategy(p, {}, {});
  const PublicationPlan plan = strategy.plan(1, 0, 60 * 24, 1.0);
  EXPECT_EQ(item_steps(plan), (std::vector<Step>{0, 24, 48, 72, 720, 744, 768, 792}));
  EXPECT_EQ(plan.refused.size(), 52u);
}

TEST(PostingStrategy, ArticlesPerPushPushesLimitAndEndHour) {
  PostingStrategy::Params p;
  p.account_type = "subscription";
  p.first_push_hour = 2;
  p.push_every_hours = 24;
  p.articles_per_push = 3;
  p.pushes = 2;
  const PublicationPlan plan = PostingStrategy(p, {}, {}).plan(1, 0, 1000, 1.0);
  ASSERT_EQ(plan.items.size(), 6u);
  EXPECT_EQ(item_steps(plan), (std::vector<Step>{2, 2, 2, 26, 26, 26}));
  EXPECT_EQ(plan.items[4].push, 1u);
  p.pushes = 0;
  p.end_hour = 50;  // attempts at 2, 26 (50 is excluded)
  EXPECT_EQ(PostingStrategy(p, {}, {}).plan(1, 0, 1000, 1.0).items.size(), 6u);
  // Coarser steps: hour 26 falls in step 4 of 6 hours.
  EXPECT_EQ(item_steps(PostingStrategy(p, {}, {}).plan(1, 0, 1000, 6.0))[3], 4);
}

TEST(PostingStrategy, TopicMixFollowsWeightsAndSelfCensorship) {
  PostingStrategy::Params p;
  p.account_type = "subscription";
  p.first_push_hour = 0;
  p.push_every_hours = 24;
  p.articles_per_push = 8;
  p.max_sensitivity = 0.5;
  const std::vector<Topic> topics{{"culture", 0.6, 0.1, 0.8, 3.0},
                                  {"science", 0.4, 0.2, 0.5, 1.0},
                                  {"politics", 0.5, 0.9, 0.1, 100.0}};
  const PostingStrategy strategy(p, topics, {});
  std::map<std::uint32_t, int> counts;
  int total = 0;
  for (RunId run = 0; run < 20; ++run) {
    for (const ItemSpec& item : strategy.plan(7, run, 24 * 100, 1.0).items) {
      ++counts[item.topic];
      ++total;
      ASSERT_LE(item.sensitivity, 0.5);
    }
  }
  EXPECT_EQ(total, 20 * 100 * 8);
  EXPECT_EQ(counts.count(2), 0u) << "the censored topic must never be published";
  // culture ~ Binomial(total, 3/4): 5 standard deviations.
  const double expected = 0.75 * total;
  EXPECT_NEAR(counts[0], expected, 5 * std::sqrt(total * 0.75 * 0.25));
  // Topic draws are keyed by (seed, run): reproducible, and different between runs.
  EXPECT_EQ(item_steps(strategy.plan(7, 3, 2400, 1.0)), item_steps(strategy.plan(7, 3, 2400, 1.0)));
  std::vector<std::uint32_t> a, b;
  for (const auto& item : strategy.plan(7, 3, 2400, 1.0).items) a.push_back(item.topic);
  for (const auto& item : strategy.plan(7, 4, 2400, 1.0).items) b.push_back(item.topic);
  EXPECT_NE(a, b);
}

TEST(PostingStrategy, CensoringEverythingIsAnInputError) {
  PostingStrategy::Params p;
  p.max_sensitivity = 0.1;
  EXPECT_THROW(PostingStrategy(p, {{"politics", 0.5, 0.9, 0.0, 1.0}}, {}), InputError);
}

TEST(FixedSchedule, OneItemPerHourWithinTheHorizon) {
  const FixedSchedule schedule({.hours = {30, 0, 5.5, 1000}});
  EXPECT_EQ(item_steps(schedule.plan(1, 0, 100, 1.0)), (std::vector<Step>{0, 5, 30}));
}

SocialGraph star_and_path() {
  // 0 is a hub with 4 followers (1..4, mutual); 5 - 6 - 7 a path.
  std::vector<ArcInput> arcs;
  for (VertexId v = 1; v <= 4; ++v) {
    arcs.push_back({0, v});
    arcs.push_back({v, 0});
  }
  arcs.push_back({5, 6});
  arcs.push_back({6, 5});
  arcs.push_back({6, 7});
  arcs.push_back({7, 6});
  return SocialGraph::from_arcs(8, arcs);
}

TEST(KolSeeding, DegreeAndPagerankPickTheHub) {
  const SocialGraph g = star_and_path();
  EXPECT_EQ(choose_kols(g, 8, 2, KolSelection::kDegree, 1), (std::vector<VertexId>{0, 6}));
  EXPECT_EQ(choose_kols(g, 8, 1, KolSelection::kPagerank, 1), (std::vector<VertexId>{0}));
  // Institution vertices beyond num_users are never chosen.
  EXPECT_EQ(choose_kols(g, 5, 5, KolSelection::kDegree, 1), (std::vector<VertexId>{0, 1, 2, 3, 4}));
}

TEST(KolSeeding, RandomAndCommunityAreDistinctDeterministicAndUniform) {
  const SocialGraph g = erdos_renyi(1000, 5, false, 1);
  const auto a = choose_kols(g, 1000, 50, KolSelection::kRandom, 9);
  EXPECT_EQ(a.size(), 50u);
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
  EXPECT_EQ(std::adjacent_find(a.begin(), a.end()), a.end());
  EXPECT_EQ(a, choose_kols(g, 1000, 50, KolSelection::kRandom, 9));
  EXPECT_NE(a, choose_kols(g, 1000, 50, KolSelection::kRandom, 10));
  // Uniformity: over many seeds, vertices below 500 are chosen half the time (binomial).
  int low = 0, total = 0;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    for (VertexId v : choose_kols(g, 1000, 10, KolSelection::kRandom, seed)) {
      low += v < 500;
      ++total;
    }
  }
  EXPECT_NEAR(low, total / 2.0, 5 * std::sqrt(total * 0.25));

  std::vector<std::uint32_t> community(1000);
  for (VertexId v = 0; v < 1000; ++v) community[v] = v % 7;
  for (VertexId v : choose_kols(g, 1000, 20, KolSelection::kCommunity, 3, community, 4)) {
    EXPECT_EQ(community[v], 4u);
  }
  EXPECT_THROW(choose_kols(g, 1000, 20, KolSelection::kCommunity, 3), InputError);
  EXPECT_THROW(choose_kols(g, 1000, 2000, KolSelection::kRandom, 3), InputError);
}

TEST(StrategyRegistry, TopicListErrorsNameTheElement) {
  const Scenario s = parse_scenario(
      "strategy:\n  topics:\n    - {name: a, appeal: 0.5}\n    - {name: b, appeal: 2}\n", "s.yaml", {});
  try {
    make_strategy_model(s, nullptr);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "s.yaml:4:25: strategy.topics[1].appeal: value 2 is out of range [0, 1]");
  }
  const Scenario unknown = parse_scenario("strategy: {model: viral}\n", "s.yaml", {});
  EXPECT_THROW(make_strategy_model(unknown, nullptr), InputError);
}

}  // namespace
}  // namespace softpower
