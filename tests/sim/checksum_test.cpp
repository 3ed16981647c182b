#include "sim/checksum.hpp"

#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <cstdint>
#include <string_view>
#include <vector>

namespace softpower {
namespace {

std::uint64_t xxh64_of(std::string_view text) {
  return xxh64(std::as_bytes(std::span(text.data(), text.size())));
}

// Published values of the reference implementation (seed 0): the empty input, the short-input
// path, and a 39-byte input that takes the 32-byte stripe loop and every tail step.
TEST(Checksum, Xxh64MatchesTheReferenceImplementation) {
  EXPECT_EQ(xxh64_of(""), 0xEF46DB3751D8E999ull);
  EXPECT_EQ(xxh64_of("a"), 0xD24EC4F1A98C6E5Bull);
  EXPECT_EQ(xxh64_of("abc"), 0x44BC2CF5AD770999ull);
  EXPECT_EQ(xxh64_of("Nobody inspects the spammish repetition"), 0xFBCEA83C8A378BF1ull);
}

std::vector<std::uint32_t> big_array() {
  // 3 MiB and 12 bytes: three full blocks and a partial one.
  std::vector<std::uint32_t> values((std::size_t{3} << 18) + 3);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<std::uint32_t>(i * 2654435761u);
  return values;
}

std::uint64_t sum_of(const std::vector<std::uint32_t>& values) {
  BlockChecksum sum;
  sum.add_array(std::span<const std::uint32_t>(values));
  return sum.value();
}

TEST(Checksum, BlockChecksumDoesNotDependOnTheThreadCount) {
  const std::vector<std::uint32_t> values = big_array();
  std::uint64_t one_thread = 0;
  {
    const tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 1);
    one_thread = sum_of(values);
  }
  EXPECT_EQ(sum_of(values), one_thread);
}

TEST(Checksum, BlockChecksumSeesEveryByteAndTheArrayBoundaries) {
  std::vector<std::uint32_t> values = big_array();
  const std::uint64_t original = sum_of(values);
  for (const std::size_t i : {std::size_t{0}, std::size_t{1} << 18, values.size() - 1}) {
    values[i] ^= 1u << 7;
    EXPECT_NE(sum_of(values), original) << "element " << i;
    values[i] ^= 1u << 7;
  }
  EXPECT_EQ(sum_of(values), original);

  // The same bytes split into other arrays give another value, and an empty array counts.
  const std::vector<std::uint32_t> a{1, 2, 3}, b{4}, ab{1, 2, 3, 4}, none;
  BlockChecksum split, joined, with_empty;
  split.add_array(std::span<const std::uint32_t>(a));
  split.add_array(std::span<const std::uint32_t>(b));
  joined.add_array(std::span<const std::uint32_t>(ab));
  with_empty.add_array(std::span<const std::uint32_t>(ab));
  with_empty.add_array(std::span<const std::uint32_t>(none));
  EXPECT_NE(split.value(), joined.value());
  EXPECT_NE(with_empty.value(), joined.value());
}

}  // namespace
}  // namespace softpower
