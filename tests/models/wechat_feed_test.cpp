// The feed model (models/diffusion/wechat_feed.hpp) through the engine: exact outcomes on small
// graphs with certain or impossible events, and each factor of the open probability against its
// equation with binomial tolerances (5 standard deviations of the sample).
#include "models/diffusion/wechat_feed.hpp"

#include <gtest/gtest.h>
#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <cmath>

#include "models/censorship/pipeline.hpp"
#include "models/censorship/share_filter.hpp"
#include "models/censorship/takedown.hpp"
#include "models/registry.hpp"
#include "models/strategy/fixed_schedule.hpp"
#include "sim/engine.hpp"
#include "sim/error.hpp"
#include "sim/graph_source.hpp"
#include "tests/support/engine_fixtures.hpp"
#include "tests/support/engine_metrics.hpp"

namespace softpower {
namespace {

using testing_support::Items;
using testing_support::star;

using namespace testing_support::metric;

const FixedSchedule kOnePush({.hours = {0}});

// Every user checks their feed every step, everything delivered is opened, every reader shares
// to Moments: the feed model's deterministic corner.
WechatFeed::Params certain() {
  WechatFeed::Params p;
  p.sessions_per_day = 1440;  // P(active in an hour) = 1 - exp(-60), exactly 1 in double
  p.session_sigma = 0;
  p.diurnal.assign(24, 1.0);
  p.open_probability = 1.0;
  p.appeal_slope = 0;
  p.attention_exponent = 0;
  p.repeat_boost = 1;
  p.push_salience = p.moments_salience = p.chat_salience = p.group_salience = p.wow_salience = 1;
  p.share_probability = 1.0;
  p.share_appeal_slope = 0;
  p.share_sigma = 0;
  p.attitude_slope = 0;
  p.moments_share = 1;
  p.chat_share = p.group_share = p.wow_share = 0;
  return p;
}

EngineConfig hours(Step steps, const ChatGroups* groups = nullptr, std::span<const std::uint8_t> region = {},
                   const PlatformFilter* filter = nullptr) {
  return {.seed = 7, .num_steps = steps, .step_hours = 1.0, .filter = filter, .region = region, .groups = groups};
}

double sd(double n, double p) { return std::sqrt(n * p * (1 - p)); }

TEST(WechatFeed, CertainEventsGiveTheBreadthFirstCascade) {
  const SocialGraph g = star(5);
  const WechatFeed model(certain());
  const RunResult r = Engine(g, {.vertex = 0, .num_users = 6}, model, kOnePush, hours(4)).run(0);
  ASSERT_EQ(r.items.size(), 1u);
  EXPECT_EQ(r.items[0].reads, 5u);
  EXPECT_EQ(r.items[0].shares, 5u);
  EXPECT_EQ(r.items[0].first_hop_shares, 5u);
  EXPECT_EQ(r.items[0].reach, 5u);
  EXPECT_EQ(r.items[0].depth, 1u);
  // Step 0: the push to 5 leaves, all read and share to Moments; step 1: their shares reach the
  // centre, who published it.
  EXPECT_EQ(r.metrics[kExposures], (std::vector<std::int64_t>{5, 5, 0, 0}));
  EXPECT_EQ(r.metrics[kOpens], (std::vector<std::int64_t>{5, 0, 0, 0}));
  EXPECT_EQ(r.metrics[kOpensPush], (std::vector<std::int64_t>{5, 0, 0, 0}));
  EXPECT_EQ(r.metrics[kSharesMoments], (std::vector<std::int64_t>{5, 0, 0, 0}));
  EXPECT_EQ(r.metrics[kActiveUsers], (std::vector<std::int64_t>{5, 0, 0, 0}));
  EXPECT_EQ(r.metrics[kLiveItems], (std::vector<std::int64_t>{1, 0, 0, 0}));
}

TEST(WechatFeed, UnopenedEntriesExpireAfterTheirLifetime) {
  const SocialGraph g = star(5);
  for (const bool nobody_active : {false, true}) {
    WechatFeed::Params p = certain();
    p.lifetime_hours = 3;
    (nobody_active ? p.sessions_per_day : p.open_probability) = 0;
    const WechatFeed model(p);
    const RunResult r = Engine(g, {.vertex = 0, .num_users = 6}, model, kOnePush, hours(6)).run(0);
    EXPECT_EQ(r.items[0].reads, 0u);
    EXPECT_EQ(r.items[0].reach, 5u);  // delivered, never opened
    EXPECT_EQ(r.items[0].depth, 0u);
    // Waiting at ages 0, 1 and 2; expired at age 3.
    EXPECT_EQ(r.metrics[kLiveItems], (std::vector<std::int64_t>{1, 1, 1, 0, 0, 0}));
    const std::vector<std::int64_t> active =
        nobody_active ? std::vector<std::int64_t>(6, 0) : std::vector<std::int64_t>{5, 5, 5, 0, 0, 0};
    EXPECT_EQ(r.metrics[kActiveUsers], active);
  }
}

// Publisher 0 -> follower 1; 1 is friends with 2, 3 and 4; group {1, 5, 6, 7}.
struct Channels {
  SocialGraph graph;
  ChatGroups groups;
  Channels() {
    std::vector<ArcInput> arcs{{0, 1}};
    for (VertexId f : {2, 3, 4}) {
      arcs.push_back({1, f});
      arcs.push_back({f, 1});
    }
    graph = SocialGraph::from_arcs(8, arcs);
    groups.offsets = {0, 4};
    groups.members = {1, 5, 6, 7};
    groups.home = {0};
  }
};

TEST(WechatFeed, EachChannelReachesItsAudience) {
  const Channels c;
  struct Case {
    double WechatFeed::Params::*weight;
    std::size_t shares_metric;
    std::size_t opens_metric;
    std::int64_t audience;
  };
  for (const Case& k : {Case{&WechatFeed::Params::moments_share, kSharesMoments, kOpensMoments, 3},
                        Case{&WechatFeed::Params::chat_share, kSharesChat, kOpensChat, 1},
                        Case{&WechatFeed::Params::group_share, kSharesGroup, kOpensGroup, 3},
                        Case{&WechatFeed::Params::wow_share, kSharesWow, kOpensWow, 3}}) {
    WechatFeed::Params p = certain();
    p.moments_share = 0;
    p.*k.weight = 1;
    const WechatFeed model(p);
    const RunResult r = Engine(c.graph, {.vertex = 0, .num_users = 8}, model, kOnePush, hours(4, &c.groups)).run(0);
    SCOPED_TRACE(Engine::metric_specs()[k.shares_metric].name);
    EXPECT_EQ(r.metrics[k.shares_metric][0], 1);        // follower 1 shared in step 0
    EXPECT_EQ(r.metrics[kExposures][1], k.audience);     // delivered in step 1
    EXPECT_EQ(r.metrics[k.opens_metric][1], k.audience);
    EXPECT_EQ(r.items[0].reach, static_cast<std::uint64_t>(1 + k.audience));
    EXPECT_EQ(r.items[0].depth, 2u);
    EXPECT_EQ(r.items[0].first_hop_shares, 1u);
  }
}

TEST(WechatFeed, UnusableChannelsAreSkipped) {
  // Groups only, but nobody is in a group: the share falls to the other channels with weight;
  // with none left the reader cannot share.
  const Channels c;
  WechatFeed::Params p = certain();
  p.moments_share = 0;
  p.group_share = 1;
  const WechatFeed model(p);
  const RunResult none = Engine(c.graph, {.vertex = 0, .num_users = 8}, model, kOnePush, hours(3)).run(0);
  EXPECT_EQ(none.items[0].reads, 1u);
  EXPECT_EQ(none.items[0].shares, 0u);
  EXPECT_EQ(none.items[0].reach, 1u);
  p.chat_share = 1;
  const WechatFeed chat_left(p);
  const RunResult chat = Engine(c.graph, {.vertex = 0, .num_users = 8}, chat_left, kOnePush, hours(3)).run(0);
  EXPECT_EQ(chat.metrics[kSharesChat][0], 1);
  EXPECT_EQ(chat.items[0].reach, 2u);
}

TEST(WechatFeed, ChatRecipientIsUniformOverFriends) {
  // Follower 1 shares every item by chat to one of its 4 friends. Only the domestic friends can
  // read (language fit 0 abroad), so the chat opens count how often a domestic friend was drawn.
  std::vector<ArcInput> arcs{{0, 1}};
  for (VertexId f : {2, 3, 4, 5}) {
    arcs.push_back({1, f});
    arcs.push_back({f, 1});
  }
  const SocialGraph g = SocialGraph::from_arcs(6, arcs);
  WechatFeed::Params p = certain();
  p.moments_share = 0;
  p.chat_share = 1;
  const WechatFeed model(p);
  constexpr int kItems = 4000;
  std::vector<ItemSpec> list;
  for (int i = 0; i < kItems; ++i) list.push_back({.step = 3 * i, .language_fit = {1.0, 0.0}});
  const Items items(list);
  for (const int domestic : {1, 3}) {
    std::vector<std::uint8_t> region(6, 0);
    for (VertexId f = 2 + domestic; f <= 5; ++f) region[f] = 1;
    const RunResult r = Engine(g, {.vertex = 0, .num_users = 6}, model, items, hours(3 * kItems, nullptr, region)).run(0);
    std::int64_t shares = 0, chat_opens = 0;
    for (auto x : r.metrics[kSharesChat]) shares += x;
    for (auto x : r.metrics[kOpensChat]) chat_opens += x;
    // Follower 1 shares every item; domestic recipients share back to 1, who has read it.
    const double q = domestic / 4.0;
    EXPECT_NEAR(static_cast<double>(chat_opens), kItems * q, 5 * sd(kItems, q)) << domestic << " domestic";
    EXPECT_EQ(shares, kItems + chat_opens);
  }
}

TEST(WechatFeed, SecondExposureHelpsAndMoreDoNot) {
  // Publisher 0 pushes to sharers 1, 2, 3 (certain to open and share to Moments). Class k of
  // targets follows sharers 1..k, so gets k deliveries in step 1, and checks its feed once.
  constexpr VertexId kPerClass = 20000;
  std::vector<ArcInput> arcs{{0, 1}, {0, 2}, {0, 3}};
  VertexId next = 4;
  for (VertexId k = 1; k <= 3; ++k) {
    for (VertexId t = 0; t < kPerClass; ++t, ++next) {
      for (VertexId s = 1; s <= k; ++s) arcs.push_back({s, next});
    }
  }
  const SocialGraph g = SocialGraph::from_arcs(next, arcs);
  WechatFeed::Params p = certain();
  p.open_probability = 0.1;
  p.push_salience = 10;  // sharers open the push with certainty
  p.repeat_boost = 2;
  p.lifetime_hours = 1;  // one check: the arrival step
  const WechatFeed model(p);
  const RunResult r = Engine(g, {.vertex = 0, .num_users = next}, model, kOnePush, hours(3)).run(0);
  EXPECT_EQ(r.metrics[kOpens][0], 3);
  // Which class opened is not in the metrics; the per-class expectation adds up:
  // n (0.1 + 0.2 + 0.2).
  const double n = kPerClass;
  const double expected = n * (0.1 + 0.2 + 0.2);
  const double tolerance = 5 * std::sqrt(sd(n, 0.1) * sd(n, 0.1) + 2 * sd(n, 0.2) * sd(n, 0.2));
  EXPECT_NEAR(static_cast<double>(r.metrics[kOpensMoments][1]), expected, tolerance);
  // Without the boost: n (0.1 + 0.1 + 0.1), far outside the tolerance above.
  p.repeat_boost = 1;
  const WechatFeed flat(p);
  const RunResult f = Engine(g, {.vertex = 0, .num_users = next}, flat, kOnePush, hours(3)).run(0);
  EXPECT_NEAR(static_cast<double>(f.metrics[kOpensMoments][1]), 3 * n * 0.1, 5 * std::sqrt(3.0) * sd(n, 0.1));
}

TEST(WechatFeed, OpenProbabilityHalvesWithEveryHalfLife) {
  constexpr VertexId kUsers = 100000;
  std::vector<ArcInput> arcs;
  for (VertexId v = 1; v <= kUsers; ++v) arcs.push_back({0, v});
  const SocialGraph g = SocialGraph::from_arcs(kUsers + 1, arcs);
  WechatFeed::Params p = certain();
  p.open_probability = 0.2;
  p.age_half_life_hours = 2;
  p.lifetime_hours = 3;
  const WechatFeed model(p);
  const RunResult r = Engine(g, {.vertex = 0, .num_users = kUsers + 1}, model, kOnePush, hours(5)).run(0);
  double waiting = kUsers;
  for (Step age = 0; age < 3; ++age) {
    const double q = 0.2 * std::exp2(-age / 2.0);
    EXPECT_NEAR(static_cast<double>(r.metrics[kOpens][age]), waiting * q, 5 * sd(waiting, q)) << "age " << age;
    waiting -= static_cast<double>(r.metrics[kOpens][age]);
  }
  EXPECT_EQ(r.metrics[kOpens][3], 0);  // expired
}

TEST(WechatFeed, AttentionFallsWithTheNumberOfSources) {
  // Followers of the publisher: half follow only it, half also 15 silent accounts (16 sources).
  constexpr VertexId kUsers = 40000;
  const VertexId silent_first = kUsers + 1;
  std::vector<ArcInput> arcs;
  for (VertexId v = 1; v <= kUsers; ++v) {
    arcs.push_back({0, v});
    if (v % 2 == 0) {
      for (VertexId s = 0; s < 15; ++s) arcs.push_back({silent_first + s, v});
    }
  }
  const SocialGraph g = SocialGraph::from_arcs(silent_first + 15, arcs);
  WechatFeed::Params p = certain();
  p.open_probability = 0.4;
  p.lifetime_hours = 1;
  p.share_probability = 0;
  p.attention_reference = 4;
  p.attention_exponent = 0.5;  // 16 sources: factor (4 / 16)^0.5 = 0.5
  const WechatFeed model(p);
  const RunResult r = Engine(g, {.vertex = 0, .num_users = silent_first + 15}, model, kOnePush, hours(2)).run(0);
  const double half = kUsers / 2.0;
  EXPECT_NEAR(static_cast<double>(r.metrics[kOpens][0]), half * 0.4 + half * 0.2,
              5 * std::hypot(sd(half, 0.4), sd(half, 0.2)));
}

TEST(WechatFeed, DiurnalProfileGatesActivity) {
  constexpr VertexId kUsers = 20000;
  std::vector<ArcInput> arcs;
  for (VertexId v = 1; v <= kUsers; ++v) arcs.push_back({0, v});
  const SocialGraph g = SocialGraph::from_arcs(kUsers + 1, arcs);
  WechatFeed::Params p = certain();
  p.sessions_per_day = 1;
  p.diurnal.assign(24, 0.0);
  p.diurnal[5] = 1;  // all activity at 05:00-06:00
  p.share_probability = 0;
  p.age_half_life_hours = 87600;  // no ageing within the day
  p.lifetime_hours = 24;
  const WechatFeed model(p);
  const RunResult r = Engine(g, {.vertex = 0, .num_users = kUsers + 1}, model, kOnePush, hours(48)).run(0);
  for (Step s = 0; s < 48; ++s) {
    if (s == 5) continue;
    EXPECT_EQ(r.metrics[kOpens][s], 0) << "step " << s;
  }
  // λ d Δ / 24 = 1 * 24 * 1 / 24: P(active) = 1 - 1/e; the item expires before day 2.
  const double q = (1 - std::exp(-1.0)) * std::exp2(-5.0 / 87600);
  EXPECT_NEAR(static_cast<double>(r.metrics[kOpens][5]), kUsers * q, 5 * sd(kUsers, q));
  const double active = 1 - std::exp(-1.0);
  EXPECT_NEAR(static_cast<double>(r.metrics[kActiveUsers][5]), kUsers * active, 5 * sd(kUsers, active));
  EXPECT_GE(r.metrics[kActiveUsers][5], r.metrics[kOpens][5]);
}

TEST(WechatFeed, LanguageFitScalesOpensByRegion) {
  constexpr VertexId kUsers = 40000;
  std::vector<ArcInput> arcs;
  for (VertexId v = 1; v <= kUsers; ++v) arcs.push_back({0, v});
  const SocialGraph g = SocialGraph::from_arcs(kUsers + 1, arcs);
  std::vector<std::uint8_t> region(kUsers + 1, 0);
  for (VertexId v = 1; v <= kUsers; v += 2) region[v] = 1;
  const Items english(std::vector<ItemSpec>{{.step = 0, .language_fit = {0.25, 1.0}}});
  WechatFeed::Params p = certain();
  p.open_probability = 0.4;
  p.lifetime_hours = 1;
  p.share_probability = 0;
  const WechatFeed model(p);
  const RunResult r = Engine(g, {.vertex = 0, .num_users = kUsers + 1}, model, english, hours(2, nullptr, region)).run(0);
  const double half = kUsers / 2.0;
  EXPECT_NEAR(static_cast<double>(r.metrics[kOpens][0]), half * 0.1 + half * 0.4,
              5 * std::hypot(sd(half, 0.1), sd(half, 0.4)));
}

TEST(WechatFeed, TakedownRemovesUnreadEntriesAndStopsShares) {
  const SocialGraph g = star(50);
  WechatFeed::Params p = certain();
  p.sessions_per_day = 0;  // nobody reads: entries wait until the takedown
  const WechatFeed model(p);
  std::vector<std::unique_ptr<CensorshipMechanism>> list;
  list.push_back(std::make_unique<Takedown>(TakedownParams{1.0, 1.0, 1.0, 2.5, 0.0}));
  const CensorshipPipeline filter(1.0, std::move(list));
  const RunResult r = Engine(g, {.vertex = 0, .num_users = 51}, model, kOnePush, hours(10, nullptr, {}, &filter)).run(0);
  EXPECT_EQ(r.items[0].takedown_step, 3);
  EXPECT_EQ(r.metrics[kLiveItems], (std::vector<std::int64_t>{1, 1, 1, 0, 0, 0, 0, 0, 0, 0}));
}

TEST(WechatFeed, ShareFilterDependsOnTheChannel) {
  // Domestic sharers of a fully sensitive item at C = 1 with max_rate 1: group shares are always
  // dropped (factor 1), 1:1 chat shares never (factor 0).
  const Channels c;
  const Items sensitive(std::vector<ItemSpec>{{.step = 0, .sensitivity = 1.0}});
  std::vector<std::unique_ptr<CensorshipMechanism>> list;
  list.push_back(std::make_unique<ShareFilter>(ShareFilterParams{.max_rate = 1.0, .exponent = 1.0, .moments_factor = 1.0,
                                                                 .group_factor = 1.0, .chat_factor = 0.0, .wow_factor = 0.0}));
  const CensorshipPipeline filter(1.0, std::move(list));
  for (const bool group : {true, false}) {
    WechatFeed::Params p = certain();
    p.moments_share = 0;
    (group ? p.group_share : p.chat_share) = 1;
    const WechatFeed model(p);
    const RunResult r = Engine(c.graph, {.vertex = 0, .num_users = 8}, model, sensitive,
                               hours(3, &c.groups, {}, &filter)).run(0);
    EXPECT_EQ(r.metrics[kSharesFiltered][0], group ? 1 : 0);
    EXPECT_EQ(r.items[0].reach, group ? 1u : 2u);
  }
}

TEST(WechatFeed, BitIdenticalForAnyThreadCount) {
  const Scenario s = parse_scenario(R"(
name: feed_threads
seed: 3
graph: {type: wechat_like, n: 20000, mean_degree: 40, community_size: 200, groups_per_user: 2, seed: 5}
institution: {placement: new, followers: 3000}
time: {step_hours: 1, horizon_days: 6}
strategy: {model: posting, account_type: subscription, push_every_hours: 24, articles_per_push: 2}
diffusion: {model: wechat_feed, open_probability: 0.2, share_probability: 0.3}
)", "feed_threads.yaml", {});
  const PreparedGraph prepared = prepare_graph(s);
  const auto model = make_diffusion_model(s);
  const auto strategy = make_strategy_model(s, &prepared);
  const Engine engine(prepared.graph, prepared.publisher, *model, *strategy,
                      {.seed = s.seed, .num_steps = s.time.num_steps(), .step_hours = 1.0, .filter = nullptr,
                       .region = prepared.region, .groups = &prepared.groups});
  std::vector<RunResult> results;
  for (int threads : {1, 2, 16}) {
    tbb::global_control allow(tbb::global_control::max_allowed_parallelism, threads);
    tbb::task_arena arena(threads);
    arena.execute([&] { results.push_back(engine.run(1)); });
  }
  std::uint64_t reads = 0, later_hop = 0;
  for (const auto& item : results[0].items) {
    reads += item.reads;
    later_hop += item.shares - item.first_hop_shares;
  }
  EXPECT_GT(reads, 5000u) << "the test must exercise real cascades";
  EXPECT_GT(later_hop, 100u) << "and shares beyond the first hop";
  for (std::size_t i = 1; i < results.size(); ++i) {
    EXPECT_EQ(results[i].metrics, results[0].metrics);
    ASSERT_EQ(results[i].items.size(), results[0].items.size());
    for (std::size_t k = 0; k < results[0].items.size(); ++k) {
      EXPECT_EQ(results[i].items[k].reads, results[0].items[k].reads);
      EXPECT_EQ(results[i].items[k].shares, results[0].items[k].shares);
      EXPECT_EQ(results[i].items[k].first_hop_shares, results[0].items[k].first_hop_shares);
      EXPECT_EQ(results[i].items[k].reach, results[0].items[k].reach);
      EXPECT_EQ(results[i].items[k].depth, results[0].items[k].depth);
    }
  }
}

TEST(WechatFeed, ScenarioErrorsNameTheKey) {
  auto error_of = [](const std::string& diffusion) -> std::string {
    try {
      const Scenario s = parse_scenario("name: x\ndiffusion:\n" + diffusion, "bad.yaml", {});
      make_diffusion_model(s);
    } catch (const InputError& e) {
      return e.what();
    }
    return "no error";
  };
  auto expect_mentions = [&](const std::string& diffusion, std::vector<std::string> parts) {
    const std::string error = error_of(diffusion);
    for (const auto& part : parts) EXPECT_NE(error.find(part), std::string::npos) << error << "\nlacks: " << part;
  };
  expect_mentions("  model: wechat_feed\n  diurnal: [1, 2, 3]\n", {"bad.yaml:4", "diffusion.diurnal", "24 values"});
  expect_mentions("  model: wechat_feed\n  moments_share: 0\n  chat_share: 0\n  group_share: 0\n  wow_share: 0\n",
                  {"bad.yaml:", "diffusion.moments_share", "all zero"});
  expect_mentions("  model: wechat_feed\n  open_probability: 1.5\n", {"bad.yaml:4", "diffusion.open_probability"});
  expect_mentions("  model: wechat_feed\n  activity: 0.5\n", {"bad.yaml:4", "diffusion.activity", "unknown key"});
}

}  // namespace
}  // namespace softpower
