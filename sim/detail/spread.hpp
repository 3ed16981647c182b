// Internals of the engine's step loop shared by its two delivery rules (sim/engine.hpp):
// decided on arrival (spread_on_arrival.cpp, the independent cascade family) and feeds
// (spread_in_feeds.cpp). Not part of the public interface.
#pragma once

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <memory>
#include <span>
#include <vector>

#include "sim/atomic_bits.hpp"
#include "sim/attitude_state.hpp"
#include "sim/phase_times.hpp"
#include "sim/model.hpp"
#include "sim/rng.hpp"
#include "sim/run_result.hpp"
#include "sim/types.hpp"
#include "sim/wechat_like.hpp"

namespace softpower::detail {

enum Metric : std::size_t {
  kPublished,
  kRefused,
  kRefusedSuspended,
  kBlocked,
  kTakenDown,
  kExposures,
  kOpens,
  kOpensPush,  // kOpensPush + channel, in Channel order
  kOpensMoments,
  kOpensChat,
  kOpensGroup,
  kOpensWow,
  kShares,
  kSharesMoments,  // kShares + channel; a share never goes to the push channel
  kSharesChat,
  kSharesGroup,
  kSharesWow,
  kSharesFiltered,
  kSharesSelfCensored,
  kReachNew,
  kReachCumulative,
  kActiveUsers,
  kLiveItems,
  kNumMetrics
};
static_assert(kOpensWow - kOpensPush == static_cast<int>(Channel::kWow));
static_assert(kSharesWow - kShares == static_cast<int>(Channel::kWow));

inline std::size_t index_of(Channel c) { return static_cast<std::size_t>(c); }

// One sharer's delivery to one channel's audience: `count` users from `targets`.
struct Delivery {
  const VertexId* targets;
  std::uint64_t count;
  VertexId sharer;
  Channel channel;
  std::uint32_t hop;  // hops from the publisher of the recipients
};

// One thread's record of the users it saw active in a step. Plain (non-atomic) bits: with a
// locked read-modify-write per arc on one bitmap written by both threads, the two cores traded
// its cache lines and two threads spent up to 1.2 times one thread's CPU time on a large cascade
// (docs/performance.md, "Where the time goes").
struct ActiveMarks {
  std::vector<std::uint64_t> words;     // n / 64 + 1 once used, else empty
  std::vector<std::uint32_t> touched;   // indices of the non-zero words, each once
  void mark(VertexId v, std::size_t num_words) {
    if (words.empty()) words.assign(num_words, 0);
    std::uint64_t& word = words[v >> 6];
    if (word == 0) touched.push_back(static_cast<std::uint32_t>(v >> 6));
    word |= std::uint64_t{1} << (v & 63);
  }
};

// One thread's tallies for one item in one step, merged by merge_counters().
struct Counters {
  std::int64_t exposures = 0;
  std::int64_t opens = 0;
  std::int64_t shares = 0;
  std::int64_t filtered = 0;
  std::int64_t self_censored = 0;
  std::int64_t reach_item = 0;  // first exposure to this item
  std::int64_t reach_run = 0;   // first exposure to any item
  std::int64_t first_hop_shares = 0;
  std::uint32_t max_hop = 0;
  std::array<std::int64_t, kNumChannels> opens_by{};
  std::array<std::int64_t, kNumChannels> shares_by{};
  std::vector<VertexId> sharers;       // on arrival: next frontier
  std::vector<Delivery> deliveries;    // feed: next step's deliveries
  std::vector<VertexId> feed_entries;  // feed: new entries, then entries kept
  std::vector<ReadEvent> reads;        // recording events: this step's reads
  // Recording, on arrival: (reader, sharer) for opens that lost the race to set the opened bit,
  // so the credited sharer can be the lowest id whatever the thread timing.
  std::vector<std::pair<VertexId, VertexId>> also_opened_by;
  // Users this thread saw active in the current step, one bit each, and the words it set bits
  // in: kept across the step's items (reset() leaves them), merged by RunState::end_step().
  ActiveMarks active;
  // Zeroes the tallies and empties the lists, keeping their capacity and the active marks.
  void reset() {
    auto marks = std::move(active);
    auto s = std::move(sharers);
    auto d = std::move(deliveries);
    auto f = std::move(feed_entries);
    auto r = std::move(reads);
    auto a = std::move(also_opened_by);
    *this = Counters{};
    sharers = std::move(s);
    deliveries = std::move(d);
    feed_entries = std::move(f);
    reads = std::move(r);
    also_opened_by = std::move(a);
    active = std::move(marks);
    sharers.clear();
    deliveries.clear();
    feed_entries.clear();
    reads.clear();
    also_opened_by.clear();
  }
};

// Set-once bits per user and item for the rule decided on arrival. kSettled (recording events
// only) marks users who opened the item in an earlier step; kOpened may be set by another
// thread in this one.
enum Flag : std::uint8_t { kExposed = 1, kOpened = 2, kShared = 4, kSettled = 8 };

// Per-item state of a user in the feed model, one 64-bit word so that a delivery updates it
// with one compare-and-swap: bits 0-4 the channels it arrived through, then opened, shared,
// pending (in the item's feed list), seen twice; bits 16-31 the fewest hops from the publisher
// it arrived with; bits 32-63 the step of its last arrival, counted from publication.
namespace feed_bits {
constexpr std::uint64_t kChannels = (1u << kNumChannels) - 1;
constexpr std::uint64_t kOpened = 1u << 5;
constexpr std::uint64_t kShared = 1u << 6;
constexpr std::uint64_t kPending = 1u << 7;
constexpr std::uint64_t kTwice = 1u << 8;
constexpr int kHopShift = 16;
constexpr std::uint64_t kHopMax = 0xffff;
constexpr int kArrivalShift = 32;
inline std::uint64_t channel_bit(Channel c) { return std::uint64_t{1} << index_of(c); }
inline std::uint32_t hop(std::uint64_t f) { return static_cast<std::uint32_t>((f >> kHopShift) & kHopMax); }
inline std::uint64_t with_hop(std::uint64_t f, std::uint32_t hop) {
  return (f & ~(kHopMax << kHopShift)) | (std::uint64_t{std::min<std::uint32_t>(hop, kHopMax)} << kHopShift);
}
inline Step arrival(std::uint64_t f) { return static_cast<Step>(f >> kArrivalShift); }
inline std::uint64_t with_arrival(std::uint64_t f, Step age) {
  return (f & 0xffffffffu) | (static_cast<std::uint64_t>(age) << kArrivalShift);
}
}  // namespace feed_bits

struct LiveItem {
  std::size_t record;  // index into RunResult::items
  ItemSpec spec;
  ItemFilter filter;
  // On arrival: set-once bits per user, and the users whose shares are delivered in the
  // coming step.
  std::unique_ptr<std::atomic<std::uint8_t>[]> flags{};
  std::vector<VertexId> frontier{};
  // Feed: per-user words (feed_bits), deliveries of the coming step, users holding it unread.
  std::unique_ptr<std::atomic<std::uint64_t>[]> words{};
  std::vector<Delivery> deliveries{};
  std::vector<VertexId> feed{};
  // Feed, recording events: per user, the delivery credited with a read as (hop << 32 | sharer),
  // the minimum over deliveries; ~0 until one arrives.
  std::unique_ptr<std::atomic<std::uint64_t>[]> credit{};
  [[nodiscard]] bool spreading() const {
    return !frontier.empty() || !deliveries.empty() || !feed.empty();
  }
};

// Everything one run shares between its items and steps.
struct RunState {
  CsrView out;
  CounterRng rng;
  std::span<const std::uint8_t> region;
  VertexId institution;
  std::vector<std::vector<std::int64_t>>& metrics;
  AttitudeState* attitudes;  // null: no attitudes
  UserEvents* events;        // null: not recording events
  AtomicBits reached;  // users reached by any item so far
  // Scratch for end_step(): the union of the threads' active marks, all zero between steps.
  std::vector<std::uint64_t> active_union;
  // On arrival with paid seeds: the publisher's audience, one bit per vertex. A follower reached
  // in the publication step by the push and a seed's share at once credits the push, whichever
  // arc's open came first (as in the feed rule, the most salient channel counts).
  std::vector<std::uint64_t> push_audience{};
  tbb::enumerable_thread_specific<Counters> per_thread{};
  std::vector<std::uint64_t> first{};  // scratch: balanced partition offsets
  PhaseTimes* phases = nullptr;        // the run's profile (never null in a run)

  [[nodiscard]] std::size_t region_of(VertexId v) const { return v < region.size() ? region[v] : 0; }
  /// The channel an open on arrival is credited to: `sharer`'s delivery reached `reader` `hop`
  /// hops from the publisher.
  [[nodiscard]] Channel arrival_channel(VertexId sharer, VertexId reader, std::uint32_t hop) const {
    const bool pushed = sharer == institution ||
                        (hop == 1 && !push_audience.empty() && (push_audience[reader >> 6] >> (reader & 63) & 1));
    return pushed ? Channel::kPush : Channel::kMoments;
  }
  // The first delivery of any item to v (the caller set v's `reached` bit).
  void first_reached(VertexId v, Step step) const {
    if (events) events->first_exposure[v] = step;
    if (attitudes) attitudes->reached(v);
  }
  void count_active(VertexId v, Counters& c) const { c.active.mark(v, active_union.size()); }
  /// The distinct users the threads saw active in the step; clears every mark. Costs what the
  /// marks touched, not the population.
  [[nodiscard]] std::int64_t end_step();
  /// Adds the threads' counters to the step's metrics and the item's record, and their reads to
  /// the run's events.
  void merge_counters(Step step, ItemRecord& record);
};

// Arcs (or recipients) per parallel task. Large enough to amortise scheduling, small enough
// to balance a frontier dominated by one high-degree vertex.
inline constexpr std::uint64_t kArcGrain = 2048;

// Balanced partition of parts of the given sizes: first[i] is the first position of part i.
template <class SizeOf>
void prefix_offsets(std::size_t parts, SizeOf size_of, std::vector<std::uint64_t>& first) {
  first.assign(parts + 1, 0);
  for (std::size_t i = 0; i < parts; ++i) first[i + 1] = first[i] + size_of(i);
}

// Calls visit_run(counters, part, begin, end) for consecutive positions [begin, end) of one
// part, covering every position of every part once, in parallel; `counters` are the calling
// thread's (looked up once per task). A run lets the visitor look up what the part shares (a
// frontier vertex and its first arc) once, not at every position.
template <class VisitRun>
void for_each_balanced_run(const std::vector<std::uint64_t>& first,
                           tbb::enumerable_thread_specific<Counters>& per_thread, VisitRun visit_run) {
  tbb::parallel_for(tbb::blocked_range<std::uint64_t>(0, first.back(), kArcGrain),
                    [&](const tbb::blocked_range<std::uint64_t>& range) {
                      Counters& c = per_thread.local();
                      auto i = static_cast<std::size_t>(
                          std::upper_bound(first.begin(), first.end(), range.begin()) - first.begin() - 1);
                      for (std::uint64_t k = range.begin(); k < range.end(); ++i) {
                        const std::uint64_t end = std::min(first[i + 1], range.end());
                        if (end > k) visit_run(c, i, k - first[i], end - first[i]);
                        k = end;  // an empty part leaves k where it is
                      }
                    });
}

// Calls visit(counters, part, position in part) for every position of every part, in parallel.
template <class Visit>
void for_each_balanced(const std::vector<std::uint64_t>& first,
                       tbb::enumerable_thread_specific<Counters>& per_thread, Visit visit) {
  for_each_balanced_run(first, per_thread, [&](Counters& c, std::size_t i, std::uint64_t begin, std::uint64_t end) {
    for (std::uint64_t k = begin; k < end; ++k) visit(c, i, k);
  });
}

/// One step of one item under a rule that decides every exposure on arrival.
void spread_on_arrival(RunState& state, const DiffusionRule& rule, LiveItem& item, ItemRecord& record, Step step);

/// What the feed rule needs beyond the run state: the model's numbers, per-user factors and
/// the users' chat groups.
struct FeedState {
  const FeedRule& rule;
  double step_hours;
  std::span<const float> attention;          // per vertex, fixed for the engine
  std::span<const std::uint64_t> group_offsets;  // user v's groups: user_groups[offsets[v], offsets[v+1])
  std::span<const std::uint32_t> user_groups;
  const ChatGroups* groups;
  std::vector<float> session_rate;  // per vertex and run
  std::vector<float> propensity;    // per vertex and run
  std::vector<double> age_factor;   // by age in steps, up to the lifetime
  /// Draws the run's per-user factors (keyed by the run's rng).
  FeedState(const FeedRule& rule, double step_hours, std::span<const float> attention,
            std::span<const std::uint64_t> group_offsets, std::span<const std::uint32_t> user_groups,
            const ChatGroups* groups, const CounterRng& rng, VertexId num_vertices);
};

/// Starts an item in the feed rule: the publisher pushes it, paid seeds share it to Moments.
void start_in_feeds(const RunState& state, LiveItem& item, std::span<const VertexId> kols, VertexId num_vertices);

/// One step of one item under the feed rule.
void spread_in_feeds(RunState& state, const FeedState& feed, LiveItem& item, ItemRecord& record, Step step);

}  // namespace softpower::detail
