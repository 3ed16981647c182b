#include "viz_export/cascade.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/diffusion/independent_cascade.hpp"
#include "models/diffusion/wechat_feed.hpp"
#include "models/strategy/fixed_schedule.hpp"
#include "sim/engine.hpp"
#include "sim/generators.hpp"
#include "viz_export/sampling.hpp"

namespace softpower::viz {
namespace {

constexpr ReadOutcome kRead = ReadOutcome::kRead;
constexpr ReadOutcome kShared = ReadOutcome::kShared;
constexpr ReadOutcome kFiltered = ReadOutcome::kShareFiltered;

ItemRecord published(ItemId item, Step step) {
  ItemRecord record;
  record.item = item;
  record.publish_step = step;
  return record;
}

// Item 1, published in step 2 by vertex 0, with vertex 9 as a paid seed:
//   0 -> 4 (hop 1, shares to Moments) -> 2 (hop 2, shares to chat) -> 7 (hop 3)
//   0 -> 5 (hop 1, reads only)            4 -> 8 (hop 2, share filtered)
//   9 -> 3 (hop 1, shares to a group)  -> 6 (hop 2)
// Items 0 and 2 surround it in the table and must not leak in.
UserEvents two_root_events() {
  UserEvents events;
  events.first_exposure.assign(10, 0);
  events.reads = {
      {.item = 0, .user = 1, .step = 0, .parent = 0, .hop = 1},
      {.item = 0, .user = 9, .step = 1, .parent = 0, .hop = 1},
      {.item = 1,
       .user = 2,
       .step = 4,
       .parent = 4,
       .hop = 2,
       .via = Channel::kMoments,
       .outcome = kShared,
       .share_channel = Channel::kChat},
      {.item = 1,
       .user = 3,
       .step = 2,
       .parent = 9,
       .hop = 1,
       .via = Channel::kMoments,
       .outcome = kShared,
       .share_channel = Channel::kGroup},
      {.item = 1,
       .user = 4,
       .step = 3,
       .parent = 0,
       .hop = 1,
       .via = Channel::kPush,
       .outcome = kShared,
       .share_channel = Channel::kMoments},
      {.item = 1, .user = 5, .step = 2, .parent = 0, .hop = 1, .via = Channel::kPush},
      {.item = 1, .user = 6, .step = 6, .parent = 3, .hop = 2, .via = Channel::kGroup},
      {.item = 1, .user = 7, .step = 5, .parent = 2, .hop = 3, .via = Channel::kChat},
      {.item = 1,
       .user = 8,
       .step = 4,
       .parent = 4,
       .hop = 2,
       .via = Channel::kMoments,
       .outcome = kFiltered,
       .share_channel = Channel::kWow},
      {.item = 2, .user = 0, .step = 8, .parent = 1, .hop = 1},
  };
  return events;
}

TEST(CascadeTree, TwoRootsExactly) {
  const CascadeTree tree = cascade_tree(two_root_events(), published(1, 2));
  EXPECT_EQ(tree.item, 1u);
  EXPECT_EQ(tree.depth, 3u);
  const std::vector<CascadeNode> nodes{
      {.vertex = 0,
       .root = true,
       .step = 2,
       .hop = 0,
       .outcome = kRead,
       .via = Channel::kPush,
       .share_channel = Channel::kPush},
      {.vertex = 2,
       .root = false,
       .step = 4,
       .hop = 2,
       .outcome = kShared,
       .via = Channel::kMoments,
       .share_channel = Channel::kChat},
      {.vertex = 3,
       .root = false,
       .step = 2,
       .hop = 1,
       .outcome = kShared,
       .via = Channel::kMoments,
       .share_channel = Channel::kGroup},
      {.vertex = 4,
       .root = false,
       .step = 3,
       .hop = 1,
       .outcome = kShared,
       .via = Channel::kPush,
       .share_channel = Channel::kMoments},
      {.vertex = 5,
       .root = false,
       .step = 2,
       .hop = 1,
       .outcome = kRead,
       .via = Channel::kPush,
       .share_channel = Channel::kPush},
      {.vertex = 6,
       .root = false,
       .step = 6,
       .hop = 2,
       .outcome = kRead,
       .via = Channel::kGroup,
       .share_channel = Channel::kPush},
      {.vertex = 7,
       .root = false,
       .step = 5,
       .hop = 3,
       .outcome = kRead,
       .via = Channel::kChat,
       .share_channel = Channel::kPush},
      {.vertex = 8,
       .root = false,
       .step = 4,
       .hop = 2,
       .outcome = kFiltered,
       .via = Channel::kMoments,
       .share_channel = Channel::kWow},
      {.vertex = 9,
       .root = true,
       .step = 2,
       .hop = 0,
       .outcome = kRead,
       .via = Channel::kPush,
       .share_channel = Channel::kPush},
  };
  EXPECT_EQ(tree.nodes, nodes);
  const std::vector<CascadeEdge> edges{
      {.parent = 4, .child = 2, .step = 4, .via = Channel::kMoments},
      {.parent = 9, .child = 3, .step = 2, .via = Channel::kMoments},
      {.parent = 0, .child = 4, .step = 3, .via = Channel::kPush},
      {.parent = 0, .child = 5, .step = 2, .via = Channel::kPush},
      {.parent = 3, .child = 6, .step = 6, .via = Channel::kGroup},
      {.parent = 2, .child = 7, .step = 5, .via = Channel::kChat},
      {.parent = 4, .child = 8, .step = 4, .via = Channel::kMoments},
  };
  EXPECT_EQ(tree.edges, edges);
}

TEST(CascadeTree, ItemsAtTheEdgesOfTheTable) {
  const UserEvents events = two_root_events();
  const CascadeTree first = cascade_tree(events, published(0, 0));
  EXPECT_EQ(first.depth, 1u);
  ASSERT_EQ(first.nodes.size(), 3u);
  EXPECT_EQ(first.nodes[0].vertex, 0u);
  EXPECT_TRUE(first.nodes[0].root);
  EXPECT_EQ(first.edges, (std::vector<CascadeEdge>{
                             {.parent = 0, .child = 1, .step = 0, .via = Channel::kPush},
                             {.parent = 0, .child = 9, .step = 1, .via = Channel::kPush}}));
  // Vertex 1 reads item 0 but is a root of item 2: roots are per item.
  const CascadeTree last = cascade_tree(events, published(2, 7));
  ASSERT_EQ(last.nodes.size(), 2u);
  EXPECT_EQ(last.nodes[0].vertex, 0u);
  EXPECT_FALSE(last.nodes[0].root);
  EXPECT_EQ(last.nodes[1].vertex, 1u);
  EXPECT_TRUE(last.nodes[1].root);
  EXPECT_EQ(last.nodes[1].step, 7);
}

TEST(CascadeTree, ItemNobodyReadIsEmpty) {
  const UserEvents events = two_root_events();
  for (const ItemId item : {ItemId{3}, ItemId{100}}) {
    const CascadeTree tree = cascade_tree(events, published(item, 5));
    EXPECT_EQ(tree.item, item);
    EXPECT_TRUE(tree.nodes.empty());
    EXPECT_TRUE(tree.edges.empty());
    EXPECT_EQ(tree.depth, 0u);
  }
  EXPECT_TRUE(cascade_tree(UserEvents{}, published(0, 0)).nodes.empty());
}

// Corrupts one read of item 1 (by user) and expects an error naming the item and that user.
void expect_rejected(void (*corrupt)(std::vector<ReadEvent>&), VertexId user,
                     const std::string& what) {
  UserEvents events = two_root_events();
  corrupt(events.reads);
  try {
    (void)cascade_tree(events, published(1, 2));
    ADD_FAILURE() << "accepted: " << what;
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("item 1"), std::string::npos) << message;
    EXPECT_NE(message.find("user " + std::to_string(user)), std::string::npos) << message;
  }
}

ReadEvent& read_of(std::vector<ReadEvent>& reads, VertexId user) {
  return *std::find_if(reads.begin(), reads.end(),
                       [&](const ReadEvent& r) { return r.item == 1 && r.user == user; });
}

TEST(CascadeTree, RejectsCorruptedEvents) {
  expect_rejected([](auto& r) { read_of(r, 5).parent = kNoVertex; }, 5, "no parent");
  expect_rejected([](auto& r) { read_of(r, 5).parent = 5; }, 5, "own parent");
  expect_rejected([](auto& r) { read_of(r, 3).step = 1; }, 3, "read before publication");
  expect_rejected([](auto& r) { read_of(r, 7).hop = 4; }, 7, "hop skips a level");
  expect_rejected([](auto& r) { read_of(r, 6).hop = 1; }, 6, "hop equal to the parent's");
  expect_rejected([](auto& r) { read_of(r, 5).hop = 2; }, 5, "a root's child at hop 2");
  expect_rejected([](auto& r) { read_of(r, 5).hop = 0; }, 5, "a reader at hop 0");
  expect_rejected(
      [](auto& r) {
        read_of(r, 7).parent = 5;
        read_of(r, 7).hop = 2;
      },
      7, "parent never shared");
  expect_rejected(
      [](auto& r) {
        read_of(r, 2).parent = 8;
        read_of(r, 2).hop = 3;
      },
      2, "parent's share was filtered");
  expect_rejected([](auto& r) { read_of(r, 7).step = 3; }, 7, "read before its parent");
  expect_rejected([](auto& r) { read_of(r, 7).user = 6; }, 6, "duplicate read");
  // A cycle among readers cannot satisfy the hops: 2 and 4 credited to each other.
  expect_rejected(
      [](auto& r) {
        read_of(r, 4).parent = 2;
        read_of(r, 4).hop = 3;
      },
      2, "cycle");
}

// Real runs with recorded events: every item's tree has one edge per read, the engine's depth,
// and only the publisher and paid seeds as roots; readers_of_items covers every tree.
void check_run(const RunResult& r, VertexId publisher, const std::vector<VertexId>& seeds) {
  ASSERT_TRUE(r.events.recorded());
  std::uint64_t total = 0;
  std::size_t deep = 0;
  for (const ItemRecord& item : r.items) {
    const CascadeTree tree = cascade_tree(r.events, item);
    EXPECT_EQ(tree.edges.size(), item.reads) << "item " << item.item;
    EXPECT_EQ(tree.depth, item.depth) << "item " << item.item;
    EXPECT_TRUE(std::is_sorted(
        tree.nodes.begin(), tree.nodes.end(),
        [](const CascadeNode& a, const CascadeNode& b) { return a.vertex < b.vertex; }));
    const std::vector<VertexId> sample = readers_of_items(r.events, std::vector<ItemId>{item.item});
    ASSERT_EQ(sample.size(), tree.nodes.size());
    for (std::size_t i = 0; i < sample.size(); ++i) {
      EXPECT_EQ(sample[i], tree.nodes[i].vertex);
      if (tree.nodes[i].root) {
        EXPECT_TRUE(sample[i] == publisher || std::count(seeds.begin(), seeds.end(), sample[i]) > 0)
            << sample[i];
      }
    }
    total += tree.edges.size();
    deep += tree.depth >= 3;
  }
  EXPECT_EQ(total, r.events.reads.size());
  EXPECT_GT(deep, 0u);  // the check saw real cascades, not just followers
}

TEST(CascadeTree, EngineRunsGiveConsistentTrees) {
  const SocialGraph g = erdos_renyi(3000, 8.0, false, 4);
  const std::vector<VertexId> seeds{17, 1200};
  const FixedSchedule schedule({.hours = {0, 3, 7}}, seeds);
  EngineConfig config;
  config.seed = 9;
  config.num_steps = 48;
  config.record_events = true;
  {
    const IndependentCascade model(
        {.open_probability = 0.5, .share_probability = 0.3, .activity = 0.8});
    const Engine engine(g, {.vertex = 5, .num_users = 3000}, model, schedule, config);
    check_run(engine.run(0), 5, seeds);
  }
  {
    WechatFeed::Params p;
    p.open_probability = 0.2;
    p.share_probability = 0.5;
    const WechatFeed model(p);
    const Engine engine(g, {.vertex = 5, .num_users = 3000}, model, schedule, config);
    check_run(engine.run(1), 5, seeds);
  }
}

}  // namespace
}  // namespace softpower::viz
