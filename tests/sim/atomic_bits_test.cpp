#include "sim/atomic_bits.hpp"

#include <gtest/gtest.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include <atomic>
#include <cstddef>
#include <vector>

namespace softpower {
namespace {

TEST(AtomicBits, StartsClearAndSetsEachBitOnce) {
  AtomicBits bits(130);  // three words, the last partly used
  for (std::size_t i = 0; i < 130; ++i) EXPECT_FALSE(bits.test(i)) << i;
  for (std::size_t i : {0, 1, 63, 64, 65, 127, 128, 129}) {
    EXPECT_TRUE(bits.set(i)) << i;
    EXPECT_FALSE(bits.set(i)) << i;
  }
  for (std::size_t i = 0; i < 130; ++i) {
    const bool expected = i == 0 || i == 1 || i == 63 || i == 64 || i == 65 || i == 127 || i == 128 || i == 129;
    EXPECT_EQ(bits.test(i), expected) << i;
  }
}

TEST(AtomicBits, ExactlyOneThreadWinsEachBit) {
  constexpr std::size_t kBits = 1 << 16;
  constexpr std::size_t kTries = 8;  // each bit is set by this many tasks, on up to 8 threads
  tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 8);
  AtomicBits bits(kBits);
  std::vector<std::atomic<int>> wins(kBits);
  tbb::parallel_for(std::size_t{0}, kBits * kTries, [&](std::size_t k) {
    // Neighbouring tasks set neighbouring bits of one word, so words are contended.
    const std::size_t i = k % kBits;
    if (bits.set(i)) wins[i].fetch_add(1, std::memory_order_relaxed);
  });
  for (std::size_t i = 0; i < kBits; ++i) {
    ASSERT_TRUE(bits.test(i)) << i;
    ASSERT_EQ(wins[i].load(), 1) << i;
  }
}

}  // namespace
}  // namespace softpower
