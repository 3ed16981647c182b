// The attitude statistics are kept per block of users and recomputed only where something
// changed; these tests hold them to a recomputation of every block and to direct formulas.
#include "sim/attitude_state.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "models/attitude/bounded_confidence.hpp"

namespace softpower {
namespace {

constexpr VertexId kUsers = 10000;  // two full blocks of 4096 and a partial one
constexpr std::uint32_t kCommunities = 5;
constexpr Step kSteps = 60;

struct Population {
  std::vector<std::uint8_t> region;
  std::vector<std::uint32_t> community;
};

Population random_population(std::uint64_t seed) {
  std::mt19937_64 random(seed);
  Population p{std::vector<std::uint8_t>(kUsers), std::vector<std::uint32_t>(kUsers)};
  for (VertexId v = 0; v < kUsers; ++v) {
    p.region[v] = static_cast<std::uint8_t>(random() % 2);
    p.community[v] = static_cast<std::uint32_t>(random() % kCommunities);
  }
  return p;
}

BoundedConfidence decaying_model() {
  BoundedConfidence::Params params;
  params.social_step = false;  // the day is decay alone: no graph needed
  params.saturation_reads = 0;
  return BoundedConfidence(params, nullptr, kUsers);
}

std::size_t series_index(const char* name) {
  const auto specs = AttitudeState::series_specs(kCommunities);
  for (std::size_t k = 0; k < specs.size(); ++k) {
    if (specs[k].name == name) return k;
  }
  ADD_FAILURE() << "no series " << name;
  return 0;
}

// A run's worth of reads, first reaches and days, applied to `state`; with `recompute_all`,
// every record recomputes every block.
RunResult drive(AttitudeState& state, bool recompute_all) {
  RunResult result;
  state.start(result, kSteps, 0);
  AtomicBits reached(kUsers);
  std::mt19937_64 random(7);
  std::uniform_int_distribution<VertexId> user(0, kUsers - 1);
  ItemSpec item;
  for (Step step = 0; step < kSteps; ++step) {
    if (step % 24 == 23) state.daily();
    const int reads = step % 5 == 0 ? 0 : static_cast<int>(random() % 40);  // some steps touch no one
    for (int i = 0; i < reads; ++i) {
      const VertexId v = user(random);
      item.valence = std::uniform_real_distribution<double>(-0.5, 0.9)(random);
      if (reached.set(v)) state.reached(v);
      state.read(v, item);
    }
    // Reached without reading (an exposure the user did not open).
    for (int i = 0; i < reads; ++i) {
      const VertexId v = user(random);
      if (reached.set(v)) state.reached(v);
    }
    if (recompute_all) state.touch_all();
    state.record(step, result, reached);
  }
  return result;
}

TEST(AttitudeState, BlockwiseStatisticsEqualARecomputationOfEveryBlock) {
  const Population p = random_population(1);
  const AttitudeGroups groups(kUsers, p.region, p.community);
  const BoundedConfidence model = decaying_model();
  AttitudeState incremental(model, groups, kUsers, p.region, 42, 0);
  AttitudeState full(model, groups, kUsers, p.region, 42, 0);
  const RunResult a = drive(incremental, false);
  const RunResult b = drive(full, true);
  ASSERT_EQ(a.series.size(), b.series.size());
  for (std::size_t k = 0; k < a.series.size(); ++k) {
    ASSERT_EQ(a.series[k].size(), b.series[k].size());
    for (std::size_t i = 0; i < a.series[k].size(); ++i) {
      ASSERT_EQ(std::bit_cast<std::uint64_t>(a.series[k][i]), std::bit_cast<std::uint64_t>(b.series[k][i]))
          << "series " << k << " entry " << i;
    }
  }
  // The run moved attitudes: the comparison is not of two constant series.
  const auto& index = a.series[series_index("soft_power_index")];
  EXPECT_NE(index.front(), index.back());
}

TEST(AttitudeState, StatisticsMatchDirectFormulas) {
  const Population p = random_population(2);
  const AttitudeGroups groups(kUsers, p.region, p.community);
  const BoundedConfidence model = decaying_model();
  AttitudeState state(model, groups, kUsers, p.region, 9, 0);
  RunResult result;
  state.start(result, 1, 0);
  AtomicBits reached(kUsers);
  ItemSpec item;
  item.valence = 0.8;
  std::vector<double> before(kUsers);
  for (VertexId v = 0; v < kUsers; ++v) before[v] = state.attitude(v);
  for (VertexId v = 0; v < kUsers; v += 7) state.read(v, item);  // readers, never reached
  for (VertexId v = 0; v < kUsers; v += 3) {
    reached.set(v);
    state.reached(v);
  }
  state.record(0, result, reached);

  long double sum = 0, community_sum = 0, index_sum = 0, reached_sum = 0, readers_sum = 0;
  std::size_t in_community = 0, reached_users = 0, readers = 0;
  for (VertexId v = 0; v < kUsers; ++v) {
    const long double x = state.attitude(v), gap = x - before[v];
    sum += x;
    index_sum += gap;
    if (p.community[v] == 3) {
      community_sum += x;
      ++in_community;
    }
    if (v % 3 == 0) {
      reached_sum += gap;
      ++reached_users;
    }
    if (v % 7 == 0) {
      readers_sum += gap;
      ++readers;
    }
  }
  const long double mean = sum / kUsers, community_mean = community_sum / in_community;
  long double squares = 0, community_squares = 0;
  for (VertexId v = 0; v < kUsers; ++v) {
    squares += (state.attitude(v) - mean) * (state.attitude(v) - mean);
    if (p.community[v] == 3) community_squares += (state.attitude(v) - community_mean) * (state.attitude(v) - community_mean);
  }
  constexpr double kTolerance = 1e-15;  // a few roundings of values below 1 in 10,000 terms
  EXPECT_NEAR(result.series[series_index("attitude_mean")][0], static_cast<double>(mean), kTolerance);
  EXPECT_NEAR(result.series[series_index("attitude_variance")][0], static_cast<double>(squares / kUsers), kTolerance);
  EXPECT_NEAR(result.series[series_index("attitude_mean_by_community")][3], static_cast<double>(community_mean), kTolerance);
  EXPECT_NEAR(result.series[series_index("attitude_variance_by_community")][3],
              static_cast<double>(community_squares / in_community), kTolerance);
  EXPECT_NEAR(result.series[series_index("soft_power_index")][0], static_cast<double>(index_sum / kUsers), kTolerance);
  EXPECT_NEAR(result.series[series_index("soft_power_index_reached")][0],
              static_cast<double>(reached_sum / reached_users), kTolerance);
  EXPECT_NEAR(result.series[series_index("soft_power_index_readers")][0],
              static_cast<double>(readers_sum / readers), kTolerance);
  EXPECT_GT(result.series[series_index("soft_power_index_readers")][0], 0.01);  // reads moved them

  // Bin b holds attitudes in [-1 + b / 10, -1 + (b + 1) / 10), and 1 falls in the last bin.
  std::vector<double> expected_histogram(AttitudeState::kHistogramBins, 0.0);
  for (VertexId v = 0; v < kUsers; ++v) {
    const double scaled = std::floor((state.attitude(v) + 1.0) / 2.0 * AttitudeState::kHistogramBins);
    const auto bin = static_cast<std::size_t>(std::clamp(scaled, 0.0, AttitudeState::kHistogramBins - 1.0));
    ++expected_histogram[bin];
  }
  for (std::size_t bin = 0; bin < AttitudeState::kHistogramBins; ++bin) {
    EXPECT_EQ(result.series[series_index("attitude_histogram")][bin], expected_histogram[bin]) << "bin " << bin;
  }
  EXPECT_GT(*std::max_element(expected_histogram.begin(), expected_histogram.end()), 0.0);
  EXPECT_LT(*std::max_element(expected_histogram.begin(), expected_histogram.end()), kUsers);  // spread over bins
}

TEST(AttitudeState, AFirstReachWithoutAReadUpdatesTheReachedIndex) {
  const Population p = random_population(3);
  const AttitudeGroups groups(kUsers, p.region, p.community);
  const BoundedConfidence model = decaying_model();
  AttitudeState state(model, groups, kUsers, p.region, 5, 0);
  RunResult result;
  state.start(result, 2, 0);
  AtomicBits reached(kUsers);
  ItemSpec item;
  item.valence = 0.9;
  const double before = state.attitude(5000);
  state.read(5000, item);
  state.record(0, result, reached);
  const std::size_t index = series_index("soft_power_index_reached");
  EXPECT_TRUE(std::isnan(result.series[index][0]));  // read, but not yet counted as reached
  reached.set(5000);
  state.reached(5000);
  state.record(1, result, reached);
  EXPECT_EQ(result.series[index][1], state.attitude(5000) - before);
}

TEST(AttitudeGroups, SlotsCoverEveryGroupOnceInEachBlockItHasUsersIn) {
  const Population p = random_population(4);
  const AttitudeGroups groups(kUsers, p.region, p.community);
  ASSERT_EQ(groups.blocks(), 3u);
  ASSERT_EQ(groups.groups(), 1 + 2 + kCommunities);
  EXPECT_EQ(groups.size[0], kUsers);
  EXPECT_EQ(groups.size[1] + groups.size[2], kUsers);
  // With 5 random communities every block holds every group: 8 slots per block.
  EXPECT_EQ(groups.block_slots, (std::vector<std::uint64_t>{0, 8, 16, 24}));
  EXPECT_EQ(groups.slot_size[16], kUsers - 2 * AttitudeGroups::kUsersPerBlock);  // group 0, last block
  std::vector<std::uint64_t> users_in(groups.groups(), 0);
  for (VertexId v = 0; v < kUsers; ++v) {
    const std::size_t first = groups.block_slots[v / AttitudeGroups::kUsersPerBlock];
    EXPECT_EQ(groups.slot_group[first + groups.user_slots[v][0]], 1u + p.region[v]) << v;
    EXPECT_EQ(groups.slot_group[first + groups.user_slots[v][1]], 3u + p.community[v]) << v;
    ++users_in[3 + p.community[v]];
  }
  for (std::size_t g = 0; g < groups.groups(); ++g) {
    std::uint64_t total = 0;
    for (std::uint64_t k = groups.group_slot_offsets[g]; k < groups.group_slot_offsets[g + 1]; ++k) {
      total += groups.slot_size[groups.group_slots[k]];
      if (k > groups.group_slot_offsets[g]) {
        EXPECT_LT(groups.group_slots[k - 1], groups.group_slots[k]);
      }
    }
    EXPECT_EQ(total, groups.size[g]) << "group " << g;
    if (g >= 3) {
      EXPECT_EQ(total, users_in[g]) << "group " << g;
    }
  }
}

TEST(AttitudeGroups, ContiguousCommunitiesTakeFewSlots) {
  // 2,000 communities of 5 users in id order: a block holds about 820 of them, not 2,000.
  std::vector<std::uint32_t> community(kUsers);
  for (VertexId v = 0; v < kUsers; ++v) community[v] = v / 5;
  const AttitudeGroups groups(kUsers, {}, community);
  EXPECT_EQ(groups.groups(), 3u + 2000u);
  EXPECT_EQ(groups.size[2], 0u);  // no international users
  // Per block: group 0, region 0 and its communities (a community split by a block boundary
  // is in both blocks).
  EXPECT_EQ(groups.block_slots.back(), 3u * 2 + 2000u + 2u);
}

}  // namespace
}  // namespace softpower
