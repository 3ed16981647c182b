// One exact comparison of two RunResults, events included, for the tests that store and read
// them back (result files, the checkpoint journal): floating-point values compare as bit
// patterns, so that NaN equals itself and -0 differs from 0.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "sim/run_result.hpp"

namespace softpower::test {

template <class T>
std::vector<unsigned char> bit_pattern(const std::vector<T>& values) {
  std::vector<unsigned char> out(values.size() * sizeof(T));
  if (!values.empty()) std::memcpy(out.data(), values.data(), out.size());
  return out;
}

inline std::string describe(const ReadEvent& e) {
  return fmt::format("item {} user {} step {} parent {} hop {} via {} outcome {} share_channel {}",
                     e.item, e.user, e.step, e.parent, e.hop, static_cast<unsigned>(e.via),
                     static_cast<unsigned>(e.outcome), static_cast<unsigned>(e.share_channel));
}

/// The events of two runs, attitudes as bit patterns.
inline void expect_same_events(const UserEvents& a, const UserEvents& b) {
  EXPECT_EQ(a.first_exposure, b.first_exposure);
  EXPECT_EQ(bit_pattern(a.attitude_initial), bit_pattern(b.attitude_initial));
  EXPECT_EQ(bit_pattern(a.attitude_final), bit_pattern(b.attitude_final));
  EXPECT_EQ(a.graph_checksum, b.graph_checksum);
  ASSERT_EQ(a.reads.size(), b.reads.size());
  for (std::size_t i = 0; i < a.reads.size(); ++i) {
    EXPECT_TRUE(a.reads[i] == b.reads[i])
        << "read " << i << ": " << describe(a.reads[i]) << " vs " << describe(b.reads[i]);
  }
}

inline void expect_same_run(const RunResult& a, const RunResult& b) {
  SCOPED_TRACE(fmt::format("run {}", b.run));
  EXPECT_EQ(a.run, b.run);
  EXPECT_EQ(a.seed, b.seed);
  EXPECT_EQ(a.institution, b.institution);
  EXPECT_EQ(a.steps_run, b.steps_run);
  EXPECT_EQ(a.metrics, b.metrics);
  ASSERT_EQ(a.series.size(), b.series.size());
  for (std::size_t k = 0; k < a.series.size(); ++k) {
    EXPECT_EQ(bit_pattern(a.series[k]), bit_pattern(b.series[k])) << "series " << k;
  }
  EXPECT_EQ(a.snapshot_steps, b.snapshot_steps);
  EXPECT_EQ(bit_pattern(a.snapshots), bit_pattern(b.snapshots));
  ASSERT_EQ(a.items.size(), b.items.size());
  for (std::size_t i = 0; i < a.items.size(); ++i) {
    const ItemRecord& x = a.items[i];
    const ItemRecord& y = b.items[i];
    SCOPED_TRACE(fmt::format("item {}", i));
    EXPECT_EQ(x.item, y.item);
    EXPECT_EQ(x.push, y.push);
    EXPECT_EQ(x.topic, y.topic);
    EXPECT_EQ(std::bit_cast<std::uint64_t>(x.appeal), std::bit_cast<std::uint64_t>(y.appeal));
    EXPECT_EQ(std::bit_cast<std::uint64_t>(x.sensitivity), std::bit_cast<std::uint64_t>(y.sensitivity));
    EXPECT_EQ(std::bit_cast<std::uint64_t>(x.valence), std::bit_cast<std::uint64_t>(y.valence));
    EXPECT_EQ(x.publish_step, y.publish_step);
    EXPECT_EQ(x.blocked, y.blocked);
    EXPECT_EQ(x.takedown_step, y.takedown_step);
    EXPECT_EQ(x.reads, y.reads);
    EXPECT_EQ(x.shares, y.shares);
    EXPECT_EQ(x.first_hop_shares, y.first_hop_shares);
    EXPECT_EQ(x.reach, y.reach);
    EXPECT_EQ(x.depth, y.depth);
  }
  expect_same_events(a.events, b.events);
}

}  // namespace softpower::test
