// Counter-based randomness: every draw is a pure function of (seed, run, purpose, context, entity).
//
// Philox4x64-10 (Salmon et al., SC'11) maps a 256-bit counter and a 128-bit key to 256 random
// bits. The key holds the seed; the counter holds what is being decided. No generator state is
// carried between draws, so the result cannot depend on which thread asks or in which order,
// which is what makes output bit-identical for any thread, shard or rank count.
#pragma once

#include <Random123/philox.h>

#include <cmath>
#include <cstdint>
#include <numbers>

namespace softpower {

/// What a draw decides. Distinct purposes never share a counter, so streams never overlap.
/// Append only: renumbering changes every published result.
enum class Purpose : std::uint64_t {
  kGraphEdge = 1,       // generator: edge choices
  kGraphRewire = 2,     // generator: Watts-Strogatz rewiring
  kGraphBlock = 3,      // generator: SBM
  kGraphFollowers = 4,  // generator: institution followers
  kSeedVertex = 10,     // run: random institution vertex
  kActive = 11,         // user active in a step
  kOpen = 12,           // exposure (arc, item) opened
  kShare = 13,          // reader (user, item) shares
  // 20-29: wechat_like generator.
  kWechatCommunity = 20,    // wechat_like: community sizes
  kWechatDegree = 21,       // wechat_like: target friend counts
  kWechatRegion = 22,       // wechat_like: latent international scores
  kWechatInternal = 23,     // wechat_like: Chung-Lu edges inside a community
  kWechatStubBucket = 24,   // wechat_like: bucket of a cross-community stub
  kWechatStubShuffle = 25,  // wechat_like: permutation inside a stub bucket
  kWechatGroup = 26,        // wechat_like: chat-group size and home community
  kWechatGroupMember = 27,  // wechat_like: chat-group members
  kWechatFollower = 28,     // wechat_like: institution followers
  kTopic = 30,          // strategy: topic of an article
  kKolRandom = 31,      // strategy: random key opinion leaders
  kBlock = 32,          // platform filter: item blocked at publication
  kTakedown = 33,       // platform filter: item will be taken down
  kTakedownDelay = 34,  // platform filter: detection delay
  kShareFilter = 35,    // platform filter: (item, sharer) share silently dropped
  kSessionRate = 36,    // feed: a user's sessions per day (heavy-tailed)
  kSharePropensity = 37,  // feed: a user's propensity to share
  kShareChannel = 38,   // feed: channel a reader shares an item to
  kShareTarget = 39,    // feed: recipient of a 1:1 chat share, or group of a group share
  kAttitudePrior = 40,  // attitude: a user's prior attitude
  kAttitude = 41,       // attitude: other per-user draws of attitude models
  kSweepSample = 42,    // sweep: Latin-hypercube permutations and offsets
  kExportSample = 43,   // export: random vertex sample
};

class CounterRng {
 public:
  CounterRng(std::uint64_t seed, std::uint64_t run) : key_{{seed, run}} {}

  /// Uniform double in [0, 1) with 53 random bits.
  [[nodiscard]] double uniform(Purpose purpose, std::uint64_t context, std::uint64_t entity,
                               std::uint64_t index = 0) const {
    return to_unit(bits(purpose, context, entity, index));
  }

  /// 64 random bits.
  [[nodiscard]] std::uint64_t bits(Purpose purpose, std::uint64_t context, std::uint64_t entity,
                                   std::uint64_t index = 0) const {
    r123::Philox4x64::ctr_type ctr{{static_cast<std::uint64_t>(purpose), context, entity, index}};
    return r123::Philox4x64{}(ctr, key_)[0];
  }

  /// Four independent 64-bit words for one counter (for callers that need several numbers).
  [[nodiscard]] r123::Philox4x64::ctr_type block(Purpose purpose, std::uint64_t context,
                                                 std::uint64_t entity,
                                                 std::uint64_t index = 0) const {
    r123::Philox4x64::ctr_type ctr{{static_cast<std::uint64_t>(purpose), context, entity, index}};
    return r123::Philox4x64{}(ctr, key_);
  }

  /// Box-Muller: one standard normal from two random 64-bit words (e.g. two words of block()).
  [[nodiscard]] static double standard_normal(std::uint64_t a, std::uint64_t b) {
    const double u1 = 1.0 - to_unit(a);  // (0, 1], so the logarithm is finite
    const double u2 = to_unit(b);
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }

  /// A standard normal keyed like uniform() (one counter block).
  [[nodiscard]] double normal(Purpose purpose, std::uint64_t context, std::uint64_t entity,
                              std::uint64_t index = 0) const {
    const auto b = block(purpose, context, entity, index);
    return standard_normal(b[0], b[1]);
  }

  [[nodiscard]] static double to_unit(std::uint64_t x) {
    return static_cast<double>(x >> 11) * 0x1.0p-53;
  }

  /// Bernoulli(p) without a division; p outside [0, 1] saturates.
  [[nodiscard]] bool bernoulli(double p, Purpose purpose, std::uint64_t context,
                               std::uint64_t entity, std::uint64_t index = 0) const {
    if (p >= 1.0) return true;
    if (p <= 0.0) return false;
    return uniform(purpose, context, entity, index) < p;
  }

 private:
  r123::Philox4x64::key_type key_;
};

}  // namespace softpower
