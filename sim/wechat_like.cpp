// wechat_like: communities, lognormal friend counts with homophily, regions, chat groups and
// institution followers. The rule is in sim/wechat_like.hpp; the derivation, defaults, ranges,
// sources and measured behaviour are in docs/wechat-like-graphs.md.
//
// Determinism: every draw is keyed by what it decides (community, user, stub bucket, group,
// institution), and every parallel loop either writes slots owned by one index (a community's
// rows, a bucket, a group, a bin of 1024 users' rows) or concatenates fixed blocks in block
// order. Nothing depends on the thread count or on scheduling.
//
// Memory at 1M users x mean degree 150: the per-community edge lists (8 bytes per internal
// friendship) and the cross-community stubs (4 bytes each, twice while shuffling) are freed once
// the CSR targets (4 bytes per arc, allocated once) are filled; the in-arcs (4 bytes per arc)
// are then copied from the mutual rows, not transposed.
#include "sim/wechat_like.hpp"

#include <fmt/format.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>
#include <tbb/parallel_sort.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <string>
#include <unordered_set>
#include <utility>

#include "sim/error.hpp"
#include "sim/rng.hpp"

namespace softpower {
namespace {

__extension__ typedef unsigned __int128 Uint128;

constexpr std::uint32_t kMinGroupSize = 3;
constexpr std::uint32_t kMaxGroupSizeLimit = 100000;
constexpr double kMaxSigma = 3.0;
constexpr double kMaxGroupsPerUser = 1000.0;
// Sorted positions per sampling block inside one community: blocks are fixed, so the
// concatenated edge list is the same for any thread count.
constexpr std::size_t kSampleBlock = 2048;
// Cross-community stubs per shuffle bucket (a bucket is permuted in cache) and the most scatter
// blocks (bounds the blocks x buckets count table).
constexpr std::uint64_t kStubBucket = std::uint64_t{1} << 16;
constexpr std::uint64_t kMaxScatterBlocks = 256;
// Chung-Lu sampling tests pairs one by one while their probability is at least this, and skips
// geometrically below it (a skip costs two logarithms, a test one draw).
constexpr double kSkipBelow = 0.2;
// Users (rows) per bin when routing arcs to their rows: a bin's rows (about 1024 x mean degree
// x 4 bytes) stay in cache while its arcs are written.
constexpr int kRowBinShift = 10;
// Items (stub pairs or friendships, two arcs each) routed per round, which bounds the routing
// buffer to 16 bytes per item, and per block inside a round.
constexpr std::uint64_t kRouteRound = std::uint64_t{1} << 23;
constexpr std::uint64_t kRouteBlock = std::uint64_t{1} << 17;
// Communities with at least this many users build their local rows in parallel.
constexpr std::size_t kParallelRows = std::size_t{1} << 15;
// Rounds of re-matching the internal stubs a Chung-Lu sample left unused.
constexpr int kRepairRounds = 8;
// Context of the kWechatInternal draw that rounds a user's internal quota. Contexts 1 to
// kRepairRounds are the repair rounds (entity = community); context 0 is the Chung-Lu sample
// (entity = user).
constexpr std::uint64_t kQuotaContext = kRepairRounds + 1;
// Fitting the Chung-Lu weights to the internal targets: iterations and relative L1 tolerance.
constexpr int kWeightIterations = 30;
constexpr double kWeightTolerance = 1e-3;

/// floor(bits / 2^64 * n): a uniform integer in [0, n) from 64 random bits (Lemire 2019).
std::uint64_t scale_below(std::uint64_t bits, std::uint64_t n) {
  return static_cast<std::uint64_t>((static_cast<Uint128>(bits) * n) >> 64);
}

/// A sequence of draws for one (purpose, context, entity): the k-th value is word k % 4 of the
/// Philox block with index k / 4, so it is a pure function of the key and k.
class DrawStream {
 public:
  DrawStream(const CounterRng& rng, Purpose purpose, std::uint64_t context, std::uint64_t entity)
      : rng_(rng), purpose_(purpose), context_(context), entity_(entity) {}

  std::uint64_t bits() {
    if (used_ == 4) {
      block_ = rng_.block(purpose_, context_, entity_, index_++);
      used_ = 0;
    }
    return block_[used_++];
  }
  double uniform() { return CounterRng::to_unit(bits()); }
  std::uint64_t below(std::uint64_t n) { return scale_below(bits(), n); }

 private:
  const CounterRng& rng_;
  Purpose purpose_;
  std::uint64_t context_;
  std::uint64_t entity_;
  std::uint64_t index_ = 0;
  r123::Philox4x64::ctr_type block_{};
  int used_ = 4;
};

/// Turns per-block counts (position[blk * bins + b]) into each block's first write position in
/// bin b, ordered bin-major then block, and fills start[b] with the first position of bin b
/// (start has bins + 1 entries). The fixed block order keeps the scatter thread-independent.
void counts_to_positions(std::vector<std::uint64_t>& position, std::uint64_t blocks,
                         std::uint64_t bins, std::vector<std::uint64_t>& start) {
  std::uint64_t running = 0;
  for (std::uint64_t b = 0; b < bins; ++b) {
    start[b] = running;
    for (std::uint64_t blk = 0; blk < blocks; ++blk) {
      const std::uint64_t count = position[blk * bins + b];
      position[blk * bins + b] = running;
      running += count;
    }
  }
  start[bins] = running;
}

/// Writes the arcs of items [0, items) into CSR rows: arcs_of(k, emit) calls emit(row, value)
/// at most twice, and each arc goes to out[cursor[row]++]. The arcs are first routed into bins
/// of 2^kRowBinShift rows (sequential writes; fixed blocks, in order), then each bin is written
/// to its rows, so the scattered writes stay in cache. A row receives its arcs in item order,
/// whatever the thread count. Rounds of kRouteRound items bound the routing buffer.
template <class ArcsOf>
void route_arcs(std::uint64_t items, std::uint64_t rows, ArcsOf&& arcs_of, std::uint64_t* cursor,
                std::uint32_t* out) {
  const std::uint64_t bins = (rows >> kRowBinShift) + 1;
  const std::uint64_t blocks_per_round = kRouteRound / kRouteBlock;
  std::vector<ArcInput> routed(2 * std::min(items, kRouteRound));
  std::vector<std::uint64_t> position(blocks_per_round * bins);
  std::vector<std::uint64_t> bin_start(bins + 1);
  for (std::uint64_t first = 0; first < items; first += kRouteRound) {
    const std::uint64_t last = std::min(items, first + kRouteRound);
    const std::uint64_t blocks = (last - first + kRouteBlock - 1) / kRouteBlock;
    auto for_each_arc = [&](std::uint64_t blk, auto&& visit) {
      const std::uint64_t lo = first + blk * kRouteBlock, hi = std::min(last, lo + kRouteBlock);
      for (std::uint64_t k = lo; k < hi; ++k) arcs_of(k, visit);
    };
    std::fill(position.begin(), position.end(), 0);
    tbb::parallel_for(std::uint64_t{0}, blocks, [&](std::uint64_t blk) {
      std::uint64_t* count = position.data() + blk * bins;
      for_each_arc(blk, [&](std::uint32_t row, std::uint32_t) { ++count[row >> kRowBinShift]; });
    });
    counts_to_positions(position, blocks, bins, bin_start);
    tbb::parallel_for(std::uint64_t{0}, blocks, [&](std::uint64_t blk) {
      std::uint64_t* next = position.data() + blk * bins;
      for_each_arc(blk, [&](std::uint32_t row, std::uint32_t value) {
        routed[next[row >> kRowBinShift]++] = {row, value};
      });
    });
    tbb::parallel_for(std::uint64_t{0}, bins, [&](std::uint64_t b) {
      for (std::uint64_t a = bin_start[b]; a < bin_start[b + 1]; ++a) {
        out[cursor[routed[a].source]++] = routed[a].target;
      }
    });
  }
}

void require(bool ok, const std::string& message) {
  if (!ok) throw InputError("wechat_like: " + message);
}

/// x in [lo, hi], false for NaN.
bool within(double x, double lo, double hi) { return x >= lo && x <= hi; }

VertexId effective_degree_cap(const WechatLikeParams& p) {
  return std::min<VertexId>(p.max_degree, p.users - 1);
}

std::uint32_t effective_max_group_size(const WechatLikeParams& p) {
  return std::min<std::uint32_t>(p.max_group_size, p.users);
}

std::uint32_t community_count(const WechatLikeParams& p) {
  return static_cast<std::uint32_t>(
      std::max<long long>(1, std::llround(static_cast<double>(p.users) / p.community_size)));
}

std::uint64_t group_count(const WechatLikeParams& p) {
  if (p.groups_per_user <= 0.0) return 0;
  return static_cast<std::uint64_t>(
      std::llround(static_cast<double>(p.users) * p.groups_per_user / p.mean_group_size));
}

void validate(const WechatLikeParams& p) {
  require(p.users >= 2, fmt::format("users must be at least 2 (got {})", p.users));
  require(std::uint64_t{p.users} + p.institutions < kNoVertex,
          fmt::format("users + institutions must be below 2^32 - 1 (got {} + {})", p.users,
                      p.institutions));
  require(p.max_degree >= 1, "max_degree must be at least 1 (got 0)");
  const VertexId cap = effective_degree_cap(p);
  require(std::isfinite(p.mean_degree) && p.mean_degree > 0.0 && p.mean_degree <= cap,
          fmt::format("mean_degree must be in (0, min(max_degree, users - 1)] = (0, {}] (got {})",
                      cap, p.mean_degree));
  require(within(p.degree_sigma, 0.0, kMaxSigma),
          fmt::format("degree_sigma must be in [0, {}] (got {})", kMaxSigma, p.degree_sigma));
  require(p.community_size >= 1 && p.community_size <= p.users,
          fmt::format("community_size must be in [1, users] = [1, {}] (got {})", p.users,
                      p.community_size));
  require(within(p.community_size_sigma, 0.0, kMaxSigma),
          fmt::format("community_size_sigma must be in [0, {}] (got {})", kMaxSigma,
                      p.community_size_sigma));
  require(within(p.homophily, 0.0, 1.0),
          fmt::format("homophily must be in [0, 1] (got {})", p.homophily));
  require(
      within(p.international_fraction, 0.0, 1.0),
      fmt::format("international_fraction must be in [0, 1] (got {})", p.international_fraction));
  require(within(p.region_homophily, 0.0, 1.0),
          fmt::format("region_homophily must be in [0, 1] (got {})", p.region_homophily));
  require(within(p.groups_per_user, 0.0, kMaxGroupsPerUser),
          fmt::format("groups_per_user must be in [0, {}] (got {})", kMaxGroupsPerUser,
                      p.groups_per_user));
  require(p.max_group_size >= kMinGroupSize && p.max_group_size <= kMaxGroupSizeLimit,
          fmt::format("max_group_size must be in [{}, {}] (got {})", kMinGroupSize,
                      kMaxGroupSizeLimit, p.max_group_size));
  if (p.groups_per_user > 0.0) {
    const std::uint32_t max_size = effective_max_group_size(p);
    require(within(p.mean_group_size, kMinGroupSize, max_size),
            fmt::format("mean_group_size must be in [{}, min(max_group_size, users)] = [{}, {}] "
                        "(got {})",
                        kMinGroupSize, kMinGroupSize, max_size, p.mean_group_size));
  }
  require(
      within(p.group_size_sigma, 0.0, kMaxSigma),
      fmt::format("group_size_sigma must be in [0, {}] (got {})", kMaxSigma, p.group_size_sigma));
  require(within(p.group_community_share, 0.0, 1.0),
          fmt::format("group_community_share must be in [0, 1] (got {})", p.group_community_share));
  require(p.followers <= p.users,
          fmt::format("followers must be in [0, users] = [0, {}] (got {})", p.users, p.followers));
  require(within(p.follower_seed_bias, 0.0, 1.0),
          fmt::format("follower_seed_bias must be in [0, 1] (got {})", p.follower_seed_bias));
  if (p.institutions > 0) {
    const std::uint32_t communities = community_count(p);
    require(p.seed_community < communities,
            fmt::format("seed_community must be below the number of communities ({}) (got {})",
                        communities, p.seed_community));
  }
}

// ---------------------------------------------------------------------------------------------
// 1. Communities and target degrees.

/// Community c starts at c + floor((n - C) W_{<c} / W), W_{<c} the sum of the lognormal weights
/// exp(sigma Z_b) of the communities before it: every community has at least one user and the
/// rest is split in proportion to the weights.
std::vector<VertexId> make_community_offsets(VertexId n, std::uint32_t communities, double sigma,
                                             const CounterRng& rng) {
  std::vector<double> weight(communities);
  tbb::parallel_for(std::uint32_t{0}, communities, [&](std::uint32_t c) {
    const auto b = rng.block(Purpose::kWechatCommunity, 0, c);
    weight[c] = std::exp(sigma * CounterRng::standard_normal(b[0], b[1]));
  });
  std::vector<double> prefix(communities + 1, 0.0);
  std::partial_sum(weight.begin(), weight.end(), prefix.begin() + 1);
  const double total = prefix.back();
  std::vector<VertexId> offsets(communities + 1);
  const double spare = static_cast<double>(n - communities);
  for (std::uint32_t c = 0; c < communities; ++c) {
    // Product first: equal weights then give sizes that differ by at most one, exactly.
    offsets[c] = c + static_cast<VertexId>(std::floor(spare * prefix[c] / total));
  }
  offsets[communities] = n;
  return offsets;
}

/// d_i = min(round(exp(mu + sigma Z_i)), cap).
std::vector<std::uint32_t> target_degrees(const WechatLikeParams& p, const CounterRng& rng) {
  const double sigma = p.degree_sigma;
  const double mu = std::log(p.mean_degree) - sigma * sigma / 2.0;
  const double cap = effective_degree_cap(p);
  std::vector<std::uint32_t> degree(p.users);
  tbb::parallel_for(tbb::blocked_range<VertexId>(0, p.users), [&](const auto& r) {
    for (VertexId i = r.begin(); i < r.end(); ++i) {
      const auto b = rng.block(Purpose::kWechatDegree, 0, i);
      const double x = std::exp(mu + sigma * CounterRng::standard_normal(b[0], b[1]));
      degree[i] = static_cast<std::uint32_t>(x >= cap ? cap : std::round(x));
    }
  });
  return degree;
}

// ---------------------------------------------------------------------------------------------
// 2. Friendships inside a community: Chung-Lu with fitted weights.

/// The weights of one community in descending order, their prefix sums, and the permutation.
struct SortedWeights {
  std::vector<std::uint32_t> order;  // local index of the k-th largest weight
  std::vector<double> sorted;        // sorted[k] = w[order[k]]
  std::vector<double> prefix;        // prefix[k] = sorted[0] + ... + sorted[k - 1]

  void assign(const std::vector<double>& w) {
    const std::size_t s = w.size();
    order.resize(s);
    std::iota(order.begin(), order.end(), 0u);
    // (weight descending, index ascending) is a total order: any sort gives this permutation.
    tbb::parallel_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
      return w[a] != w[b] ? w[a] > w[b] : a < b;
    });
    sorted.resize(s);
    prefix.assign(s + 1, 0.0);
    for (std::size_t k = 0; k < s; ++k) {
      sorted[k] = w[order[k]];
      prefix[k + 1] = prefix[k] + sorted[k];
    }
  }
  [[nodiscard]] double total() const { return prefix.back(); }

  /// E[internal degree] of the k-th largest: sum over j != k of min(1, w_k w_j / W), in
  /// O(log s): the partners with w_j >= W / w_k are linked surely, the rest in proportion.
  [[nodiscard]] double expected_degree(std::size_t k) const {
    const double wk = sorted[k];
    if (wk <= 0.0) return 0.0;
    const double W = total();
    const double threshold = W / wk;
    const auto sure =
        static_cast<std::size_t>(std::partition_point(sorted.begin(), sorted.end(),
                                                      [&](double x) { return x >= threshold; }) -
                                 sorted.begin());
    const double self = k < sure ? 1.0 : wk * wk / W;
    return static_cast<double>(sure) + wk * (W - prefix[sure]) / W - self;
  }
};

/// Fits Chung-Lu weights so that the expected internal degrees approach `target` where the
/// targets are feasible: w_i <- w_i a_i / E_i(w), a multiplicative fixed point (the plain
/// choice w = a under-shoots when min(1, .) saturates in dense communities and by w_i^2 / W
/// through the excluded self-pair). Returns the fitted weights in sorted form.
SortedWeights fit_weights(const std::vector<double>& target) {
  const std::size_t s = target.size();
  std::vector<double> w = target;
  std::vector<double> expected(s);
  const double target_total = std::accumulate(target.begin(), target.end(), 0.0);
  SortedWeights sw;
  for (int iteration = 0;; ++iteration) {
    sw.assign(w);
    if (sw.total() <= 0.0) return sw;
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, s, kSampleBlock), [&](const auto& r) {
      for (std::size_t k = r.begin(); k < r.end(); ++k) {
        expected[sw.order[k]] = sw.expected_degree(k);
      }
    });
    double error = 0.0;
    for (std::size_t i = 0; i < s; ++i) error += std::abs(expected[i] - target[i]);
    if (error <= kWeightTolerance * target_total || iteration == kWeightIterations) return sw;
    for (std::size_t i = 0; i < s; ++i) {
      if (expected[i] > 0.0) w[i] *= std::clamp(target[i] / expected[i], 0.25, 4.0);
    }
  }
}

/// Samples the Chung-Lu graph p_kj = min(1, w_k w_j / W) over sorted positions k < j in
/// O(s + edges) (Miller & Hagberg 2011): from k, skip geometrically with the current
/// probability p (an upper bound, as weights decrease with j) and accept the landing j with
/// q / p, q = p_kj; while p >= kSkipBelow, test each j with q directly. Draws for position k are
/// keyed by its user id. Edges hold global user ids, the heavier end first.
std::vector<ArcInput> sample_chung_lu(const SortedWeights& sw, VertexId first_user,
                                      const CounterRng& rng) {
  const std::size_t s = sw.sorted.size();
  const double W = sw.total();
  const std::size_t blocks = (s + kSampleBlock - 1) / kSampleBlock;
  std::vector<std::vector<ArcInput>> per_block(blocks);
  tbb::parallel_for(std::size_t{0}, blocks, [&](std::size_t b) {
    std::vector<ArcInput>& out = per_block[b];
    const std::size_t end = std::min(s, (b + 1) * kSampleBlock);
    for (std::size_t k = b * kSampleBlock; k < end && k + 1 < s; ++k) {
      const double wk = sw.sorted[k];
      if (wk <= 0.0) break;
      const VertexId u = first_user + sw.order[k];
      DrawStream draws(rng, Purpose::kWechatInternal, 0, u);
      std::size_t j = k + 1;
      double p = std::min(1.0, wk * sw.sorted[j] / W);
      while (j < s && p > 0.0) {
        // Landing on j had probability p after a skip and 1 without; accept with q / that.
        double landing = 1.0;
        if (p < kSkipBelow) {
          const double skip = std::floor(std::log1p(-draws.uniform()) / std::log1p(-p));
          if (skip >= static_cast<double>(s - j)) break;
          j += static_cast<std::size_t>(skip);
          landing = p;
        }
        const double q = std::min(1.0, wk * sw.sorted[j] / W);
        if (draws.uniform() * landing < q) out.push_back({u, first_user + sw.order[j]});
        p = q;
        ++j;
      }
    }
  });
  std::size_t total = 0;
  for (const auto& blk : per_block) total += blk.size();
  std::vector<ArcInput> edges;
  edges.reserve(total);
  for (auto& blk : per_block) {
    edges.insert(edges.end(), blk.begin(), blk.end());
    std::vector<ArcInput>().swap(blk);
  }
  return edges;
}

/// The friendships of one community as sorted rows of local ids (user - first user). A small
/// community is built by two scatters, cache-resident: a local unsorted CSR, then its
/// transpose, scanning sources in increasing order (a row of a symmetric graph then receives
/// its entries ascending). A community of kParallelRows users or more routes its arcs in
/// parallel (route_arcs) and then sorts each row; both give the same rows.
struct LocalRows {
  std::vector<std::uint64_t> offsets;
  std::vector<std::uint32_t> neighbours;

  LocalRows(const std::vector<ArcInput>& edges, VertexId first, const std::uint32_t* degree,
            std::size_t s)
      : offsets(s + 1, 0) {
    for (std::size_t i = 0; i < s; ++i) offsets[i + 1] = offsets[i] + degree[i];
    std::vector<std::uint64_t> next(offsets.begin(), offsets.end() - 1);
    neighbours.resize(offsets[s]);
    if (s >= kParallelRows) {
      route_arcs(
          edges.size(), s,
          [&](std::uint64_t k, auto&& emit) {
            emit(edges[k].source - first, edges[k].target - first);
            emit(edges[k].target - first, edges[k].source - first);
          },
          next.data(), neighbours.data());
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, s), [&](const auto& r) {
        for (std::size_t i = r.begin(); i < r.end(); ++i) {
          std::sort(neighbours.begin() + static_cast<std::ptrdiff_t>(offsets[i]),
                    neighbours.begin() + static_cast<std::ptrdiff_t>(offsets[i + 1]));
        }
      });
      return;
    }
    std::vector<std::uint32_t> unsorted(offsets[s]);
    for (const ArcInput& e : edges) {
      unsorted[next[e.source - first]++] = e.target - first;
      unsorted[next[e.target - first]++] = e.source - first;
    }
    std::copy(offsets.begin(), offsets.end() - 1, next.begin());
    for (std::uint32_t i = 0; i < s; ++i) {
      for (std::uint64_t a = offsets[i]; a < offsets[i + 1]; ++a) {
        neighbours[next[unsorted[a]]++] = i;
      }
    }
  }
  [[nodiscard]] bool linked(std::uint32_t x, std::uint32_t y) const {
    return std::binary_search(neighbours.begin() + static_cast<std::ptrdiff_t>(offsets[x]),
                              neighbours.begin() + static_cast<std::ptrdiff_t>(offsets[x + 1]), y);
  }
};

/// Tops up internal degrees that the Chung-Lu sample left below their quota: the missing stubs
/// are permuted (draws keyed by community and round) and matched in pairs; a pair that is a
/// self-loop or an existing friendship goes back into the pool for the next round. What is
/// still unmatched after kRepairRounds (users whose quota the community cannot satisfy) is
/// left to the cross-community matching.
void repair_internal(std::uint32_t community, VertexId first, std::size_t s,
                     const std::vector<std::uint32_t>& quota, std::uint32_t* count,
                     std::vector<ArcInput>& edges, const CounterRng& rng) {
  std::uint64_t missing = 0;
  for (std::size_t i = 0; i < s; ++i) missing += quota[i] - count[i];
  if (missing < 2) return;
  const LocalRows sampled(edges, first, count, s);
  std::unordered_set<std::uint64_t> added;
  std::vector<std::uint32_t> pool, rejected;
  pool.reserve(missing);
  for (std::uint32_t i = 0; i < s; ++i) pool.insert(pool.end(), quota[i] - count[i], i);
  for (int round = 1; round <= kRepairRounds && pool.size() >= 2; ++round) {
    DrawStream draws(rng, Purpose::kWechatInternal, static_cast<std::uint64_t>(round), community);
    for (std::size_t j = pool.size(); j > 1; --j) std::swap(pool[j - 1], pool[draws.below(j)]);
    rejected.clear();
    for (std::size_t j = 0; j + 1 < pool.size(); j += 2) {
      const std::uint32_t x = std::min(pool[j], pool[j + 1]), y = std::max(pool[j], pool[j + 1]);
      if (x == y || sampled.linked(x, y) || !added.insert((std::uint64_t{x} << 32) | y).second) {
        rejected.push_back(x);
        rejected.push_back(y);
        continue;
      }
      edges.push_back({first + x, first + y});
      ++count[x];
      ++count[y];
    }
    if (pool.size() % 2 == 1) rejected.push_back(pool.back());
    if (rejected.size() == pool.size()) break;  // no progress
    pool.swap(rejected);
  }
}

/// The friendships inside community [first, first + s): quota q_i = min(homophily d_i, s - 1)
/// rounded at random (up with probability of its fractional part); a Chung-Lu sample with weights
/// fitted to the quotas, keeping an edge (in sampling order) only while both ends are below their
/// quota; then repair_internal. So internal degree <= q_i <= d_i. Writes each member's internal
/// degree.
std::vector<ArcInput> community_friendships(std::uint32_t community, VertexId first, VertexId end,
                                            const std::vector<std::uint32_t>& degree,
                                            double homophily, const CounterRng& rng,
                                            std::vector<std::uint32_t>& internal_degree) {
  const std::size_t s = end - first;
  std::uint32_t* count = internal_degree.data() + first;
  std::fill(count, count + s, 0u);
  if (s < 2 || homophily <= 0.0) return {};
  std::vector<std::uint32_t> quota(s);
  std::vector<double> target(s);
  for (std::size_t i = 0; i < s; ++i) {
    // Randomised rounding, so that E[q_i] = min(homophily d_i, s - 1) exactly.
    const double x = std::min(homophily * degree[first + i], static_cast<double>(s - 1));
    const double up = rng.uniform(Purpose::kWechatInternal, kQuotaContext, first + i);
    quota[i] = static_cast<std::uint32_t>(std::floor(x) + (up < x - std::floor(x) ? 1.0 : 0.0));
    target[i] = quota[i];
  }
  const SortedWeights sw = fit_weights(target);
  if (sw.total() <= 0.0) return {};
  std::vector<ArcInput> edges = sample_chung_lu(sw, first, rng);
  std::size_t kept = 0;
  for (const ArcInput& e : edges) {
    std::uint32_t& cu = count[e.source - first];
    std::uint32_t& cv = count[e.target - first];
    if (cu < quota[e.source - first] && cv < quota[e.target - first]) {
      ++cu;
      ++cv;
      edges[kept++] = e;
    }
  }
  edges.resize(kept);
  repair_internal(community, first, s, quota, count, edges, rng);
  edges.shrink_to_fit();
  return edges;
}

// ---------------------------------------------------------------------------------------------
// 3. Friendships across communities: a configuration model on the remaining stubs.

/// Every user's d_i - internal_i stubs, uniformly permuted: stubs are scattered into buckets of
/// about kStubBucket by a keyed draw each (blocks in order, so the layout does not depend on
/// threads), then each bucket is Fisher-Yates shuffled with draws keyed by the bucket. Random
/// bucket labels followed by uniform in-bucket permutations give a uniform permutation
/// (Sanders 1998). Consecutive stubs 2k, 2k+1 are then matched.
std::vector<VertexId> shuffled_stubs(const std::vector<std::uint32_t>& degree,
                                     const std::vector<std::uint32_t>& internal_degree,
                                     const CounterRng& rng) {
  const VertexId n = static_cast<VertexId>(degree.size());
  std::vector<std::uint64_t> first(std::size_t{n} + 1, 0);
  for (VertexId i = 0; i < n; ++i) first[i + 1] = first[i] + (degree[i] - internal_degree[i]);
  const std::uint64_t total = first[n];
  std::vector<VertexId> stubs(total);
  tbb::parallel_for(tbb::blocked_range<VertexId>(0, n), [&](const auto& r) {
    for (VertexId i = r.begin(); i < r.end(); ++i) {
      std::fill(stubs.begin() + static_cast<std::ptrdiff_t>(first[i]),
                stubs.begin() + static_cast<std::ptrdiff_t>(first[i + 1]), i);
    }
  });
  std::vector<std::uint64_t>().swap(first);
  if (total < 2) return stubs;

  const std::uint64_t buckets = (total + kStubBucket - 1) / kStubBucket;
  const std::uint64_t blocks = std::min(buckets, kMaxScatterBlocks);
  // Block length is a multiple of 4 so that every Philox block of bucket draws is in one block.
  const std::uint64_t block_len = ((total + blocks - 1) / blocks + 3) / 4 * 4;
  auto for_each_bucket = [&](std::uint64_t blk, auto&& visit) {
    const std::uint64_t lo = blk * block_len, hi = std::min(total, lo + block_len);
    for (std::uint64_t i = lo; i < hi; i += 4) {
      const auto words = rng.block(Purpose::kWechatStubBucket, 0, i / 4);
      for (std::uint64_t j = i; j < std::min(hi, i + 4); ++j) {
        visit(j, scale_below(words[j - i], buckets));
      }
    }
  };
  std::vector<std::uint64_t> position(blocks * buckets, 0);
  tbb::parallel_for(std::uint64_t{0}, blocks, [&](std::uint64_t blk) {
    std::uint64_t* count = position.data() + blk * buckets;
    for_each_bucket(blk, [&](std::uint64_t, std::uint64_t b) { ++count[b]; });
  });
  std::vector<std::uint64_t> bucket_start(buckets + 1, 0);
  counts_to_positions(position, blocks, buckets, bucket_start);
  std::vector<VertexId> shuffled(total);
  tbb::parallel_for(std::uint64_t{0}, blocks, [&](std::uint64_t blk) {
    std::uint64_t* next = position.data() + blk * buckets;
    for_each_bucket(blk, [&](std::uint64_t i, std::uint64_t b) { shuffled[next[b]++] = stubs[i]; });
  });
  std::vector<VertexId>().swap(stubs);
  tbb::parallel_for(std::uint64_t{0}, buckets, [&](std::uint64_t b) {
    DrawStream draws(rng, Purpose::kWechatStubShuffle, 0, b);
    VertexId* first_stub = shuffled.data() + bucket_start[b];
    for (std::uint64_t j = bucket_start[b + 1] - bucket_start[b]; j > 1; --j) {
      std::swap(first_stub[j - 1], first_stub[draws.below(j)]);
    }
  });
  return shuffled;
}

// ---------------------------------------------------------------------------------------------
// 4. The CSR rows of users and institutions.

struct FriendCsr {
  std::vector<ArcId> offsets;     // num_users + 1 entries
  std::vector<VertexId> targets;  // capacity leaves room for the institution rows
  BuildReport report;
};

/// Copies the internal friendships of community [first, end) into the start of its members'
/// rows, ascending. The rows are contiguous and owned by this community alone.
void place_internal(VertexId first, VertexId end, const std::vector<ArcInput>& edges,
                    const std::vector<std::uint32_t>& internal_degree,
                    const std::vector<ArcId>& offsets, std::vector<VertexId>& targets) {
  if (edges.empty()) return;
  const std::size_t s = end - first;
  const LocalRows rows(edges, first, internal_degree.data() + first, s);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, s, kParallelRows), [&](const auto& r) {
    for (std::size_t i = r.begin(); i < r.end(); ++i) {
      VertexId* out = targets.data() + offsets[first + i];
      for (std::uint64_t a = rows.offsets[i]; a < rows.offsets[i + 1]; ++a) {
        *out++ = first + rows.neighbours[a];
      }
    }
  });
}

/// Appends the cross-community arcs of every stub pair (2k, 2k+1) to the rows of both ends;
/// pairs (u, u) are skipped.
void place_external(VertexId n, const std::vector<VertexId>& stubs, std::vector<ArcId>& cursor,
                    std::vector<VertexId>& targets) {
  route_arcs(
      stubs.size() / 2, n,
      [&](std::uint64_t k, auto&& emit) {
        const VertexId u = stubs[2 * k], v = stubs[2 * k + 1];
        if (u == v) return;
        emit(u, v);
        emit(v, u);
      },
      cursor.data(), targets.data());
}

/// The in-arcs, without a transpose: friendships are mutual and every user's row is sorted and
/// free of repeats, so a user's in-arcs are their friends, in the same order, followed by the
/// institutions that they follow, by increasing id. That is exactly what SocialGraph::from_csr
/// would derive (tested against it); institutions have no in-arcs. `offsets` and `targets` hold
/// the users' rows and then one row per institution.
SocialGraph::InArcArrays mirrored_in_arcs(VertexId n, const std::vector<ArcId>& offsets,
                                          const std::vector<VertexId>& targets,
                                          const std::vector<std::vector<VertexId>>& followers) {
  std::vector<std::uint32_t> followed(n, 0);
  for (const auto& list : followers) {
    for (VertexId v : list) ++followed[v];
  }
  SocialGraph::InArcArrays in;
  in.offsets.resize(offsets.size());
  in.offsets[0] = 0;
  for (VertexId v = 0; v < n; ++v) in.offsets[v + 1] = in.offsets[v] + (offsets[v + 1] - offsets[v]) + followed[v];
  std::fill(in.offsets.begin() + n + 1, in.offsets.end(), in.offsets[n]);
  in.sources.resize(targets.size());
  tbb::parallel_for(tbb::blocked_range<VertexId>(0, n, 4096), [&](const auto& r) {
    for (VertexId v = r.begin(); v < r.end(); ++v) {
      std::copy(targets.begin() + static_cast<std::ptrdiff_t>(offsets[v]),
                targets.begin() + static_cast<std::ptrdiff_t>(offsets[v + 1]),
                in.sources.begin() + static_cast<std::ptrdiff_t>(in.offsets[v]));
    }
  });
  std::vector<ArcId> next(n);
  for (VertexId v = 0; v < n; ++v) next[v] = in.offsets[v] + (offsets[v + 1] - offsets[v]);
  for (std::size_t j = 0; j < followers.size(); ++j) {
    for (VertexId v : followers[j]) in.sources[next[v]++] = n + static_cast<VertexId>(j);
  }
  return in;
}

/// The friend rows: d_u entries, less two per self-loop pair at u and one for an unmatched odd
/// stub; internal parts placed sorted, external parts appended, then each row's external part
/// sorted, merged with the internal part and deduplicated (a duplicate friendship appears in both
/// rows, so the graph stays symmetric).
FriendCsr friend_csr(VertexId n, const std::vector<VertexId>& community_offsets,
                     std::vector<std::vector<ArcInput>>& internal,
                     const std::vector<std::uint32_t>& degree,
                     const std::vector<std::uint32_t>& internal_degree,
                     std::vector<VertexId>& stubs, std::uint64_t reserve_extra) {
  FriendCsr csr;
  const std::uint64_t pairs = stubs.size() / 2;
  const std::uint64_t loop_blocks = (pairs + kRouteBlock - 1) / kRouteBlock;
  std::vector<std::vector<VertexId>> loops_in(loop_blocks);
  tbb::parallel_for(std::uint64_t{0}, loop_blocks, [&](std::uint64_t blk) {
    const std::uint64_t hi = std::min(pairs, (blk + 1) * kRouteBlock);
    for (std::uint64_t k = blk * kRouteBlock; k < hi; ++k) {
      if (stubs[2 * k] == stubs[2 * k + 1]) loops_in[blk].push_back(stubs[2 * k]);
    }
  });
  std::vector<std::uint32_t> size(degree);
  for (const auto& blk : loops_in) {
    for (VertexId u : blk) size[u] -= 2;
    csr.report.self_loops_dropped += blk.size();
  }
  // An odd stub total leaves the last stub unmatched.
  if (stubs.size() % 2 == 1) --size[stubs.back()];
  csr.offsets.assign(std::size_t{n} + 1, 0);
  for (VertexId i = 0; i < n; ++i) csr.offsets[i + 1] = csr.offsets[i] + size[i];
  csr.targets.reserve(csr.offsets[n] + reserve_extra);
  csr.targets.resize(csr.offsets[n]);

  const auto communities = static_cast<std::uint32_t>(internal.size());
  tbb::parallel_for(std::uint32_t{0}, communities, [&](std::uint32_t c) {
    place_internal(community_offsets[c], community_offsets[c + 1], internal[c], internal_degree,
                   csr.offsets, csr.targets);
    std::vector<ArcInput>().swap(internal[c]);
  });
  std::vector<ArcId> cursor(n);
  tbb::parallel_for(VertexId{0}, n,
                    [&](VertexId u) { cursor[u] = csr.offsets[u] + internal_degree[u]; });
  place_external(n, stubs, cursor, csr.targets);
  std::vector<VertexId>().swap(stubs);
  std::vector<ArcId>().swap(cursor);

  std::vector<std::uint32_t> kept(n);
  csr.report.duplicate_arcs_merged = tbb::parallel_reduce(
      tbb::blocked_range<VertexId>(0, n), std::uint64_t{0},
      [&](const auto& r, std::uint64_t duplicates) {
        std::vector<VertexId> merged;
        for (VertexId u = r.begin(); u < r.end(); ++u) {
          VertexId* row = csr.targets.data() + csr.offsets[u];
          VertexId* mid = row + internal_degree[u];
          VertexId* row_end = csr.targets.data() + csr.offsets[u + 1];
          std::sort(mid, row_end);
          if (mid != row && mid != row_end && *(mid - 1) > *mid) {
            merged.resize(static_cast<std::size_t>(row_end - row));
            std::merge(row, mid, mid, row_end, merged.begin());
            std::copy(merged.begin(), merged.end(), row);
          }
          VertexId* last = std::unique(row, row_end);
          kept[u] = static_cast<std::uint32_t>(last - row);
          duplicates += static_cast<std::uint64_t>(row_end - last);
        }
        return duplicates;
      },
      std::plus<>());
  if (csr.report.duplicate_arcs_merged > 0) {
    // Rows only move left, so a forward pass is safe.
    ArcId out = 0;
    for (VertexId u = 0; u < n; ++u) {
      const ArcId begin = csr.offsets[u];
      std::copy_n(csr.targets.begin() + static_cast<std::ptrdiff_t>(begin), kept[u],
                  csr.targets.begin() + static_cast<std::ptrdiff_t>(out));
      csr.offsets[u] = out;
      out += kept[u];
    }
    csr.offsets[n] = out;
    csr.targets.resize(out);
  }
  return csr;
}

// ---------------------------------------------------------------------------------------------
// 5. Regions.

/// Liability threshold: L_i = sqrt(rho) Z_c(i) + sqrt(1 - rho) E_i with independent standard
/// normals; the round(f n) users with the largest (L_i, E_i, i) are international. Two users of
/// one community have corr(L_i, L_j) = rho; the count is exact.
std::vector<std::uint8_t> assign_regions(const WechatLikeParams& p,
                                         const std::vector<std::uint32_t>& community,
                                         std::uint32_t communities, const CounterRng& rng) {
  const VertexId n = p.users;
  const auto international =
      static_cast<VertexId>(std::llround(p.international_fraction * static_cast<double>(n)));
  std::vector<std::uint8_t> region(n, 0);
  if (international == 0) return region;
  std::vector<double> shared(communities);
  tbb::parallel_for(std::uint32_t{0}, communities, [&](std::uint32_t c) {
    const auto b = rng.block(Purpose::kWechatRegion, 0, c);
    shared[c] = CounterRng::standard_normal(b[0], b[1]);
  });
  struct Score {
    double latent;
    double own;
    VertexId user;
  };
  std::vector<Score> score(n);
  const double a = std::sqrt(p.region_homophily), b = std::sqrt(1.0 - p.region_homophily);
  tbb::parallel_for(tbb::blocked_range<VertexId>(0, n), [&](const auto& r) {
    for (VertexId i = r.begin(); i < r.end(); ++i) {
      const auto w = rng.block(Purpose::kWechatRegion, 1, i);
      const double own = CounterRng::standard_normal(w[0], w[1]);
      score[i] = {a * shared[community[i]] + b * own, own, i};
    }
  });
  // A strict total order, so the selected set does not depend on the algorithm.
  auto higher = [](const Score& x, const Score& y) {
    if (x.latent != y.latent) return x.latent > y.latent;
    if (x.own != y.own) return x.own > y.own;
    return x.user < y.user;
  };
  std::nth_element(score.begin(), score.begin() + (international - 1), score.end(), higher);
  for (VertexId k = 0; k < international; ++k) region[score[k].user] = 1;
  return region;
}

// ---------------------------------------------------------------------------------------------
// 6. Chat groups and 7. institution followers.

/// Floyd's algorithm (Bentley & Floyd 1987): appends k distinct values of [0, range) in k draws.
void sample_distinct(DrawStream& draws, std::uint64_t range, std::uint64_t k,
                     std::unordered_set<std::uint64_t>& seen, std::vector<std::uint64_t>& out) {
  for (std::uint64_t j = range - k; j < range; ++j) {
    const std::uint64_t t = draws.below(j + 1);
    const std::uint64_t pick = seen.insert(t).second ? t : j;
    if (pick == j) seen.insert(j);
    out.push_back(pick);
  }
}

/// E[clamp(round(X), 3, max)] for X ~ LN(mu, sigma) = 3 + sum_{k=3}^{max-1} P(X >= k + 1/2).
double rounded_clipped_lognormal_mean(double mu, double sigma, std::uint32_t max) {
  double mean = kMinGroupSize;
  for (std::uint32_t k = kMinGroupSize; k < max; ++k) {
    const double tail = 0.5 * std::erfc((std::log(k + 0.5) - mu) / (sigma * std::numbers::sqrt2));
    mean += tail;
    if (tail < 1e-17) break;  // tails decrease with k
  }
  return mean;
}

/// The lognormal mu whose rounded sizes clipped to [3, max] have the requested mean (bisection;
/// the mean rises monotonically with mu from 3 to max).
double group_size_mu(double mean, double sigma, std::uint32_t max) {
  double lo = std::log(2.5) - 12.0 * sigma, hi = std::log(max + 0.5) + 12.0 * sigma;
  for (int i = 0; i < 200 && hi - lo > 1e-12; ++i) {
    const double mid = 0.5 * (lo + hi);
    (rounded_clipped_lognormal_mean(mid, sigma, max) < mean ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

ChatGroups chat_groups(const WechatLikeParams& p, const std::vector<VertexId>& community_offsets,
                       const std::vector<std::uint32_t>& community, const CounterRng& rng) {
  ChatGroups groups;
  const std::uint64_t count = group_count(p);
  if (count == 0) return groups;
  const VertexId n = p.users;
  const std::uint32_t max_size = effective_max_group_size(p);
  const double sigma = p.group_size_sigma;
  const double mean = p.mean_group_size;
  const bool constant = sigma == 0.0 || mean <= kMinGroupSize || mean >= max_size;
  const double mu = constant ? 0.0 : group_size_mu(mean, sigma, max_size);

  std::vector<std::uint32_t> size(count);
  groups.home.resize(count);
  tbb::parallel_for(tbb::blocked_range<std::uint64_t>(0, count), [&](const auto& r) {
    for (std::uint64_t g = r.begin(); g < r.end(); ++g) {
      const auto w = rng.block(Purpose::kWechatGroup, 0, g);
      double x;
      if (constant) {
        // floor(mean) or floor(mean) + 1, so the mean is exact.
        x = std::floor(mean) + (CounterRng::to_unit(w[0]) < mean - std::floor(mean) ? 1.0 : 0.0);
      } else {
        x = std::round(std::exp(mu + sigma * CounterRng::standard_normal(w[0], w[1])));
      }
      size[g] = static_cast<std::uint32_t>(std::clamp<double>(x, kMinGroupSize, max_size));
      // Home community of a uniform user: communities are chosen in proportion to their size.
      groups.home[g] = community[scale_below(w[2], n)];
    }
  });
  groups.offsets.assign(count + 1, 0);
  for (std::uint64_t g = 0; g < count; ++g) groups.offsets[g + 1] = groups.offsets[g] + size[g];
  groups.members.resize(groups.offsets[count]);
  tbb::parallel_for(tbb::blocked_range<std::uint64_t>(0, count, 64), [&](const auto& r) {
    std::unordered_set<std::uint64_t> seen;
    std::vector<std::uint64_t> picks;
    for (std::uint64_t g = r.begin(); g < r.end(); ++g) {
      const std::uint64_t s = size[g];
      const VertexId first = community_offsets[groups.home[g]];
      const std::uint64_t home_size = community_offsets[groups.home[g] + 1] - first;
      const std::uint64_t outside = n - home_size;
      // round(share s) from home, limited by the home size and by the users outside it.
      const auto wanted = static_cast<std::uint64_t>(std::llround(p.group_community_share * s));
      const std::uint64_t from_home =
          std::clamp<std::uint64_t>(wanted, s > outside ? s - outside : 0, std::min(s, home_size));
      picks.clear();
      seen.clear();
      DrawStream home_draws(rng, Purpose::kWechatGroupMember, g, 0);
      sample_distinct(home_draws, home_size, from_home, seen, picks);
      for (std::uint64_t& x : picks) x += first;
      seen.clear();
      const std::size_t home_picks = picks.size();
      DrawStream outside_draws(rng, Purpose::kWechatGroupMember, g, 1);
      sample_distinct(outside_draws, outside, s - from_home, seen, picks);
      for (std::size_t k = home_picks; k < picks.size(); ++k) {
        if (picks[k] >= first) picks[k] += home_size;  // skip the home block
      }
      std::sort(picks.begin(), picks.end());
      std::copy(picks.begin(), picks.end(),
                groups.members.begin() + static_cast<std::ptrdiff_t>(groups.offsets[g]));
    }
  });
  return groups;
}

/// Followers of institution j, ascending: min(round(bias F), seed size) distinct members of the
/// seed community (Floyd), then uniform users not yet chosen (rejection) up to F.
std::vector<VertexId> institution_followers(const WechatLikeParams& p, std::uint32_t j,
                                            const std::vector<VertexId>& community_offsets,
                                            const CounterRng& rng) {
  const VertexId first = community_offsets[p.seed_community];
  const std::uint64_t seed_size = community_offsets[p.seed_community + 1] - first;
  const std::uint64_t from_seed = std::min<std::uint64_t>(
      static_cast<std::uint64_t>(std::llround(p.follower_seed_bias * p.followers)), seed_size);
  std::unordered_set<std::uint64_t> seen;
  std::vector<std::uint64_t> picks;
  picks.reserve(p.followers);
  DrawStream seed_draws(rng, Purpose::kWechatFollower, j, 0);
  sample_distinct(seed_draws, seed_size, from_seed, seen, picks);
  seen.clear();
  for (std::uint64_t& x : picks) {
    x += first;
    seen.insert(x);
  }
  DrawStream rest_draws(rng, Purpose::kWechatFollower, j, 1);
  while (picks.size() < p.followers) {
    const std::uint64_t v = rest_draws.below(p.users);
    if (seen.insert(v).second) picks.push_back(v);
  }
  std::sort(picks.begin(), picks.end());
  return {picks.begin(), picks.end()};
}

}  // namespace

WechatLikeGraph wechat_like(const WechatLikeParams& params) {
  validate(params);
  const CounterRng rng(params.seed, 0);
  const VertexId n = params.users;
  WechatLikeGraph out;
  out.num_users = n;
  out.num_communities = community_count(params);
  out.community_offsets =
      make_community_offsets(n, out.num_communities, params.community_size_sigma, rng);
  out.community.resize(n);
  tbb::parallel_for(std::uint32_t{0}, out.num_communities, [&](std::uint32_t c) {
    std::fill(out.community.begin() + out.community_offsets[c],
              out.community.begin() + out.community_offsets[c + 1], c);
  });
  out.target_degree = target_degrees(params, rng);
  const std::vector<std::uint32_t>& degree = out.target_degree;

  std::vector<std::uint32_t> internal_degree(n, 0);
  std::vector<std::vector<ArcInput>> internal(out.num_communities);
  tbb::parallel_for(std::uint32_t{0}, out.num_communities, [&](std::uint32_t c) {
    internal[c] = community_friendships(c, out.community_offsets[c], out.community_offsets[c + 1],
                                        degree, params.homophily, rng, internal_degree);
  });
  std::vector<VertexId> stubs = shuffled_stubs(degree, internal_degree, rng);

  out.region = assign_regions(params, out.community, out.num_communities, rng);
  out.groups = chat_groups(params, out.community_offsets, out.community, rng);
  std::vector<std::vector<VertexId>> followers(params.institutions);
  tbb::parallel_for(std::uint32_t{0}, params.institutions, [&](std::uint32_t j) {
    followers[j] = institution_followers(params, j, out.community_offsets, rng);
  });

  const std::uint64_t institution_arcs = std::uint64_t{params.institutions} * params.followers;
  FriendCsr csr = friend_csr(n, out.community_offsets, internal, degree, internal_degree, stubs,
                             institution_arcs);
  out.report = csr.report;
  csr.offsets.reserve(csr.offsets.size() + params.institutions);
  for (std::uint32_t j = 0; j < params.institutions; ++j) {
    csr.targets.insert(csr.targets.end(), followers[j].begin(), followers[j].end());
    csr.offsets.push_back(csr.targets.size());
    out.institutions.push_back(n + j);
  }
  SocialGraph::InArcArrays in = mirrored_in_arcs(n, csr.offsets, csr.targets, followers);
  out.graph = SocialGraph::from_both_directions(std::move(csr.offsets), std::move(csr.targets), std::move(in));
  out.graph.set_description(fmt::format(
      "wechat_like users={} mean_degree={} degree_sigma={} max_degree={} community_size={} "
      "community_size_sigma={} homophily={} international_fraction={} region_homophily={} "
      "groups_per_user={} max_group_size={} mean_group_size={} group_size_sigma={} "
      "group_community_share={} institutions={} followers={} follower_seed_bias={} "
      "seed_community={} seed={}",
      params.users, params.mean_degree, params.degree_sigma, params.max_degree,
      params.community_size, params.community_size_sigma, params.homophily,
      params.international_fraction, params.region_homophily, params.groups_per_user,
      params.max_group_size, params.mean_group_size, params.group_size_sigma,
      params.group_community_share, params.institutions, params.followers,
      params.follower_seed_bias, params.seed_community, params.seed));
  return out;
}

}  // namespace softpower
