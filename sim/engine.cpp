#include "sim/engine.hpp"

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <memory>
#include <numbers>
#include <numeric>
#include <optional>

#include "sim/rng.hpp"

namespace softpower {
namespace {

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

// Arcs per parallel task. Large enough to amortise scheduling, small enough to balance a
// frontier dominated by one high-degree vertex.
constexpr std::uint64_t kArcGrain = 2048;
constexpr std::size_t kFeedGrain = 4096;  // feed entries per parallel task

std::size_t index_of(Channel c) { return static_cast<std::size_t>(c); }

// One sharer's delivery to one channel's audience: `count` users from `targets`.
struct Delivery {
  const VertexId* targets;
  std::uint64_t count;
  VertexId sharer;
  Channel channel;
  std::uint32_t hop;  // hops from the publisher of the recipients
};

struct Counters {
  std::int64_t exposures = 0;
  std::int64_t opens = 0;
  std::int64_t shares = 0;
  std::int64_t filtered = 0;
  std::int64_t self_censored = 0;
  std::int64_t reach_item = 0;  // first exposure to this item
  std::int64_t reach_run = 0;   // first exposure to any item
  std::int64_t active = 0;      // users first seen active in this step
  std::int64_t first_hop_shares = 0;
  std::uint32_t max_hop = 0;
  std::array<std::int64_t, kNumChannels> opens_by{};
  std::array<std::int64_t, kNumChannels> shares_by{};
  std::vector<VertexId> sharers;       // independent cascade: next frontier
  std::vector<Delivery> deliveries;    // feed: next step's deliveries
  std::vector<VertexId> feed_entries;  // feed: new entries, then entries kept
  void reset() {
    auto s = std::move(sharers);
    auto d = std::move(deliveries);
    auto f = std::move(feed_entries);
    *this = Counters{};
    sharers = std::move(s);
    deliveries = std::move(d);
    feed_entries = std::move(f);
    sharers.clear();
    deliveries.clear();
    feed_entries.clear();
  }
};

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

enum Flag : std::uint8_t { kExposed = 1, kOpened = 2, kShared = 4 };

struct LiveItem {
  std::size_t record;  // index into RunResult::items
  ItemSpec spec;
  ItemFilter filter;
  // Independent cascade: set-once bits per user, and the users whose shares are delivered in
  // the coming step.
  std::unique_ptr<std::atomic<std::uint8_t>[]> flags{};
  std::vector<VertexId> frontier{};
  // Feed: per-user words (feed_bits), deliveries of the coming step, users holding it unread.
  std::unique_ptr<std::atomic<std::uint64_t>[]> words{};
  std::vector<Delivery> deliveries{};
  std::vector<VertexId> feed{};
  [[nodiscard]] bool spreading() const {
    return !frontier.empty() || !deliveries.empty() || !feed.empty();
  }
};

// Arc-balanced partition: first[i] is the first position of part i; returns the total.
template <class Sizes>
std::uint64_t prefix_offsets(std::size_t parts, Sizes size_of, std::vector<std::uint64_t>& first) {
  first.assign(parts + 1, 0);
  for (std::size_t i = 0; i < parts; ++i) first[i + 1] = first[i] + size_of(i);
  return first[parts];
}

// Calls visit(part, position in part) for every position of every part, in parallel.
template <class Visit>
void for_each_balanced(const std::vector<std::uint64_t>& first, Visit visit) {
  const std::uint64_t total = first.back();
  tbb::parallel_for(tbb::blocked_range<std::uint64_t>(0, total, kArcGrain),
                    [&](const tbb::blocked_range<std::uint64_t>& range) {
                      std::size_t i = static_cast<std::size_t>(
                          std::upper_bound(first.begin(), first.end(), range.begin()) - first.begin() - 1);
                      for (std::uint64_t k = range.begin(); k < range.end(); ++k) {
                        while (first[i + 1] <= k) ++i;
                        visit(i, k - first[i]);
                      }
                    });
}

// Lognormal factor with mean 1 and shape sigma, from one keyed block of bits.
double lognormal_unit_mean(const CounterRng& rng, Purpose purpose, VertexId v, double sigma) {
  if (sigma == 0.0) return 1.0;
  const auto b = rng.block(purpose, 0, v);
  const double u1 = 1.0 - CounterRng::to_unit(b[0]);  // (0, 1]
  const double u2 = CounterRng::to_unit(b[1]);
  const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  return std::exp(sigma * z - 0.5 * sigma * sigma);
}

}  // namespace

Engine::Engine(const SocialGraph& graph, Publisher publisher, const DiffusionModel& diffusion,
               const StrategyModel& strategy, EngineConfig config)
    : graph_(graph), publisher_(publisher), diffusion_(diffusion), strategy_(strategy), config_(config) {
  if (config_.attitude) {
    attitude_groups_ = std::make_unique<AttitudeGroups>(publisher_.num_users, config_.region, config_.community);
  }
  const FeedRule* feed = diffusion_.feed();
  if (!feed) return;
  const VertexId n = graph_.num_vertices();
  // Limited attention (P9, P18): the more sources a user follows, the less each gets read.
  attention_.resize(n);
  const CsrView in = graph_.in_view();
  tbb::parallel_for(VertexId{0}, n, [&](VertexId v) {
    const double sources = static_cast<double>(in.out_degree(v));
    attention_[v] = sources <= feed->attention_reference
                        ? 1.0f
                        : static_cast<float>(std::pow(feed->attention_reference / sources, feed->attention_exponent));
  });
  group_offsets_.assign(static_cast<std::size_t>(n) + 1, 0);
  if (config_.groups) {
    const ChatGroups& g = *config_.groups;
    for (VertexId member : g.members) ++group_offsets_[member + 1];
    std::partial_sum(group_offsets_.begin(), group_offsets_.end(), group_offsets_.begin());
    user_groups_.resize(g.members.size());
    std::vector<std::uint64_t> next(group_offsets_.begin(), group_offsets_.end() - 1);
    for (std::size_t group = 0; group < g.size(); ++group) {
      for (std::uint64_t k = g.offsets[group]; k < g.offsets[group + 1]; ++k) {
        user_groups_[next[g.members[k]]++] = static_cast<std::uint32_t>(group);
      }
    }
  }
}

const std::vector<MetricSpec>& Engine::metric_specs() {
  static const std::vector<MetricSpec> specs{
      {"published", "items", "Items the institution published in the step (blocked ones included)."},
      {"refused_by_quota", "pushes", "Pushes the account's quota refused in the step (nothing was published)."},
      {"refused_by_suspension", "pushes", "Pushes refused in the step because the account was suspended."},
      {"blocked", "items", "Items stopped at publication by the platform filter (never delivered)."},
      {"taken_down", "items", "Items the platform removed in the step."},
      {"exposures", "exposures", "Item deliveries into feeds (one per sharer and recipient, per item)."},
      {"opens", "users", "Users who opened an item in the step (each user opens an item at most once)."},
      {"opens_push", "users", "Opens of items that reached the reader by the institution's push (the most salient channel an item came through counts)."},
      {"opens_moments", "users", "Opens of items that reached the reader through a friend's Moments."},
      {"opens_chat", "users", "Opens of items that reached the reader in a 1:1 chat."},
      {"opens_group", "users", "Opens of items that reached the reader in a group chat."},
      {"opens_wow", "users", "Opens of items that reached the reader through a friend's Wow (Top Stories)."},
      {"shares", "users", "Users who shared an item in the step (each user shares an item at most once; filtered shares included)."},
      {"shares_moments", "users", "Shares to Moments (all friends)."},
      {"shares_chat", "users", "Shares to a 1:1 chat (one friend)."},
      {"shares_group", "users", "Shares to a group chat (its members)."},
      {"shares_wow", "users", "Wow (Looking) endorsements (friends, in Top Stories)."},
      {"shares_filtered", "users", "Shares the platform silently dropped in the step (the sharer's audience never got them)."},
      {"shares_self_censored", "users", "Readers who would have shared an item but for self-censorship."},
      {"reach_new", "users", "Users reached by any item for the first time in the step."},
      {"reach_cumulative", "users", "Distinct users reached by any item up to and including the step."},
      {"active_users", "users", "Distinct users who were active in the step with at least one unread item in front of them."},
      {"live_items", "items", "Items still spreading or waiting unread in feeds at the end of the step."},
  };
  return specs;
}

std::vector<SeriesSpec> Engine::series_specs() const {
  if (!config_.attitude) return {};
  return AttitudeState::series_specs(attitude_groups_->num_communities);
}

VertexId Engine::snapshot_users() const {
  if (!config_.attitude || config_.attitude->snapshot_every_steps(config_.step_hours) == 0) return 0;
  return publisher_.num_users;
}

namespace {

// Everything one run shares between its items and steps.
struct RunState {
  const CsrView out;
  const CounterRng rng;
  std::span<const std::uint8_t> region;
  std::unique_ptr<std::atomic<std::uint8_t>[]> reached;
  std::unique_ptr<std::atomic<Step>[]> active_in;  // last step a user was counted active (+1)
  tbb::enumerable_thread_specific<Counters> per_thread;
  std::size_t region_of(VertexId v) const { return v < region.size() ? region[v] : 0; }
  void count_active(VertexId v, Step step, Counters& c) {
    if (active_in[v].exchange(step + 1, std::memory_order_relaxed) != step + 1) ++c.active;
  }
};

// Adds the threads' counters to the step's metrics and the item's record.
void merge_counters(RunState& state, std::vector<std::vector<std::int64_t>>& m, Step step, ItemRecord& record) {
  for (Counters& c : state.per_thread) {
    m[kExposures][step] += c.exposures;
    m[kOpens][step] += c.opens;
    m[kShares][step] += c.shares;
    m[kSharesFiltered][step] += c.filtered;
    m[kSharesSelfCensored][step] += c.self_censored;
    m[kReachNew][step] += c.reach_run;
    m[kActiveUsers][step] += c.active;
    for (std::size_t ch = 0; ch < kNumChannels; ++ch) {
      m[kOpensPush + ch][step] += c.opens_by[ch];
      if (ch != index_of(Channel::kPush)) m[kShares + ch][step] += c.shares_by[ch];
    }
    record.reach += c.reach_item;
    record.reads += c.opens;
    record.shares += c.shares;
    record.first_hop_shares += c.first_hop_shares;
    record.depth = std::max(record.depth, c.max_hop);
  }
}

}  // namespace

RunResult Engine::run(RunId run) const {
  const VertexId n = graph_.num_vertices();
  RunState state{.out = graph_.out_view(),
                 .rng = CounterRng(config_.seed, run),
                 .region = config_.region,
                 .reached = std::make_unique<std::atomic<std::uint8_t>[]>(n),
                 .active_in = std::make_unique<std::atomic<Step>[]>(n),
                 .per_thread = {}};
  const CsrView& out = state.out;
  const CounterRng& rng = state.rng;
  const Step num_steps = config_.num_steps;
  const FeedRule* feed = diffusion_.feed();

  RunResult result;
  result.run = run;
  result.seed = config_.seed;
  result.institution = publisher_.vertex;
  if (result.institution == kNoVertex) {
    result.institution =
        static_cast<VertexId>(rng.bits(Purpose::kSeedVertex, 0, 0) % publisher_.num_users);
  }
  const VertexId institution = result.institution;
  result.metrics.assign(kNumMetrics, std::vector<std::int64_t>(num_steps, 0));
  auto& m = result.metrics;

  const PublicationPlan plan = strategy_.plan(config_.seed, run, num_steps, config_.step_hours);
  for (Step refused : plan.refused) ++m[kRefused][refused];
  const std::span<const VertexId> kols = strategy_.seeds();

  std::optional<AttitudeState> attitudes;
  if (config_.attitude) {
    attitudes.emplace(*config_.attitude, *attitude_groups_, publisher_.num_users, config_.region, config_.seed, run);
    attitudes->start(result, num_steps, config_.attitude->snapshot_every_steps(config_.step_hours));
  }
  // Calendar days: the attitude model's daily step runs at the start of each step that begins
  // a new day.
  const auto day_of = [&](Step s) {
    return static_cast<std::int64_t>(std::floor(static_cast<double>(s) * config_.step_hours / 24.0 + 1e-9));
  };
  const auto next_day_start = [&](Step s) {
    Step next = static_cast<Step>(std::ceil(static_cast<double>(day_of(s) + 1) * 24.0 / config_.step_hours - 1e-9));
    while (day_of(next) <= day_of(s)) ++next;
    return next;
  };

  // Feed model: users' heavy-tailed session rates and share propensities for this run, and the
  // factors that depend only on an entry's age.
  std::vector<float> session_rate, propensity;
  std::vector<double> age_factor;
  if (feed) {
    session_rate.resize(n);
    propensity.resize(n);
    tbb::parallel_for(VertexId{0}, n, [&](VertexId v) {
      session_rate[v] = static_cast<float>(feed->sessions_per_day *
                                           lognormal_unit_mean(rng, Purpose::kSessionRate, v, feed->session_sigma));
      propensity[v] = static_cast<float>(lognormal_unit_mean(rng, Purpose::kSharePropensity, v, feed->share_sigma));
    });
    const auto lifetime = std::max<Step>(1, static_cast<Step>(std::ceil(feed->lifetime_hours / config_.step_hours - 1e-9)));
    age_factor.resize(static_cast<std::size_t>(lifetime));
    for (Step age = 0; age < lifetime; ++age) {
      age_factor[age] = std::exp2(-static_cast<double>(age) * config_.step_hours / feed->age_half_life_hours);
    }
  }

  std::int64_t reach_total = 0;
  std::vector<LiveItem> live;
  std::vector<std::pair<Step, std::size_t>> takedowns;  // (step, record), min-heap by step
  std::uint32_t strikes = 0;
  Step suspended_until = 0;
  std::size_t next_item = 0;
  std::uint32_t last_refused_push = ~0u;
  const auto later = [](const auto& a, const auto& b) { return a.first > b.first; };
  std::vector<std::uint64_t> first;  // scratch: balanced partition offsets

  // Independent cascade: every exposure is decided on arrival (per arc).
  auto spread_on_arrival = [&](LiveItem& item, ItemRecord& record, Step step) {
    const DiffusionRule rule = diffusion_.rule(step);
    const ItemId item_id = record.item;
    auto* flags = item.flags.get();
    const double open_probability = rule.open_probability * item.filter.open_multiplier;
    const std::array<double, 2> open_by_region{open_probability * item.spec.language_fit[0],
                                               open_probability * item.spec.language_fit[1]};
    const ItemFilter& filter = item.filter;
    const auto hop = static_cast<std::uint32_t>(step - record.publish_step + 1);
    const std::size_t moments = index_of(Channel::kMoments);
    prefix_offsets(item.frontier.size(), [&](std::size_t i) { return out.out_degree(item.frontier[i]); }, first);
    for_each_balanced(first, [&](std::size_t i, std::uint64_t k) {
      Counters& c = state.per_thread.local();
      const VertexId u = item.frontier[i];
      const ArcId arc = out.offsets[u] + k;
      const VertexId v = out.targets[arc];
      ++c.exposures;
      std::uint8_t seen = flags[v].load(std::memory_order_relaxed);
      if (!(seen & kExposed)) {
        seen = flags[v].fetch_or(kExposed, std::memory_order_relaxed);
        if (!(seen & kExposed)) {
          ++c.reach_item;
          if (!(state.reached[v].exchange(1, std::memory_order_relaxed))) ++c.reach_run;
        }
      }
      if (seen & kOpened) return;
      if (!rng.bernoulli(rule.activity, Purpose::kActive, step, v)) return;
      state.count_active(v, step, c);
      const std::size_t r = state.region_of(v);
      if (!rng.bernoulli(open_by_region[r], Purpose::kOpen, item_id, arc)) return;
      if (flags[v].fetch_or(kOpened, std::memory_order_relaxed) & kOpened) return;
      if (attitudes) attitudes->read(v, item.spec);
      ++c.opens;
      ++c.opens_by[u == institution ? index_of(Channel::kPush) : moments];
      c.max_hop = std::max(c.max_hop, hop);
      // One draw decides sharing; self-censorship shrinks the window it must fall in, so the
      // readers it silenced are exactly those between the two thresholds.
      const double q = rule.share_probability;
      const double q_free = q * filter.share_multiplier[r];
      if (q_free < 1.0) {
        if (q <= 0.0) return;
        const double u_share = rng.uniform(Purpose::kShare, item_id, v);
        if (!(u_share < q_free)) {
          if (u_share < q) ++c.self_censored;
          return;
        }
      }
      flags[v].fetch_or(kShared, std::memory_order_relaxed);
      ++c.shares;
      ++c.shares_by[moments];
      if (hop == 1) ++c.first_hop_shares;
      if (rng.bernoulli(filter.share_filter[r][moments], Purpose::kShareFilter, item_id, v)) {
        ++c.filtered;
        return;
      }
      c.sharers.push_back(v);
    });
    item.frontier.clear();
    merge_counters(state, m, step, record);
    for (Counters& c : state.per_thread) {
      item.frontier.insert(item.frontier.end(), c.sharers.begin(), c.sharers.end());
    }
    // Visiting the next frontier in vertex order turns random reads of the CSR arrays into a
    // forward sweep the prefetcher can follow (about 2x on large frontiers).
    tbb::parallel_sort(item.frontier.begin(), item.frontier.end());
  };

  // The channel a reader shares to, drawn from the mix among the channels they can use
  // (Moments, chat and Wow need a friend, a group share a group); nullopt: none.
  auto share_channel = [&](VertexId v, ItemId item_id) -> std::optional<Channel> {
    std::array<double, kNumChannels> weight = feed->channel_weight;
    weight[index_of(Channel::kPush)] = 0.0;
    if (out.out_degree(v) == 0) {
      weight[index_of(Channel::kMoments)] = weight[index_of(Channel::kChat)] = weight[index_of(Channel::kWow)] = 0.0;
    }
    if (group_offsets_[v + 1] == group_offsets_[v]) weight[index_of(Channel::kGroup)] = 0.0;
    const double total = std::accumulate(weight.begin(), weight.end(), 0.0);
    if (!(total > 0.0)) return std::nullopt;
    double u = rng.uniform(Purpose::kShareChannel, item_id, v) * total;
    std::optional<Channel> channel;
    for (std::size_t ch = 1; ch < kNumChannels; ++ch) {
      if (weight[ch] == 0.0) continue;
      channel = static_cast<Channel>(ch);  // the last usable channel absorbs rounding
      if (u < weight[ch]) break;
      u -= weight[ch];
    }
    return channel;
  };

  // Who receives a share: every friend (Moments, Wow), one friend (chat) or one group.
  auto share_delivery = [&](VertexId v, Channel channel, std::uint32_t hop, ItemId item_id) {
    const std::uint64_t friends = out.out_degree(v);
    Delivery d{.targets = out.targets.data() + out.offsets[v], .count = friends, .sharer = v,
               .channel = channel, .hop = hop + 1};
    if (channel == Channel::kChat) {
      d.targets += rng.bits(Purpose::kShareTarget, item_id, v) % friends;
      d.count = 1;
    } else if (channel == Channel::kGroup) {
      const std::uint64_t groups = group_offsets_[v + 1] - group_offsets_[v];
      const std::uint32_t group =
          user_groups_[group_offsets_[v] + rng.bits(Purpose::kShareTarget, item_id, v) % groups];
      const ChatGroups& g = *config_.groups;
      d.targets = g.members.data() + g.offsets[group];
      d.count = g.offsets[group + 1] - g.offsets[group];
    }
    return d;
  };

  // Feed model: deliveries put the item in feeds; then every user holding it unread who is
  // active in the step may open it.
  auto spread_in_feeds = [&](LiveItem& item, ItemRecord& record, Step step) {
    namespace fb = feed_bits;
    const ItemId item_id = record.item;
    auto* words = item.words.get();
    const Step age_now = step - record.publish_step;
    prefix_offsets(item.deliveries.size(), [&](std::size_t i) { return item.deliveries[i].count; }, first);
    for_each_balanced(first, [&](std::size_t i, std::uint64_t k) {
      const Delivery& d = item.deliveries[i];
      const VertexId v = d.targets[k];
      if (v == d.sharer) return;  // a group holds its sharer
      Counters& c = state.per_thread.local();
      ++c.exposures;
      std::uint64_t old = words[v].load(std::memory_order_relaxed);
      std::uint64_t next;
      do {
        if (old & fb::kOpened) return;
        const bool first_arrival = !(old & fb::kChannels);
        next = old | fb::channel_bit(d.channel) | fb::kPending | (first_arrival ? 0 : fb::kTwice);
        next = fb::with_hop(next, first_arrival ? d.hop : std::min(fb::hop(old), d.hop));
        next = fb::with_arrival(next, age_now);
      } while (!words[v].compare_exchange_weak(old, next, std::memory_order_relaxed));
      if (!(old & fb::kChannels)) {
        ++c.reach_item;
        if (!(state.reached[v].exchange(1, std::memory_order_relaxed))) ++c.reach_run;
      }
      if (!(old & fb::kPending)) c.feed_entries.push_back(v);
    });
    item.deliveries.clear();
    for (Counters& c : state.per_thread) {
      item.feed.insert(item.feed.end(), c.feed_entries.begin(), c.feed_entries.end());
      c.feed_entries.clear();
    }

    // Feed checks. Activity is keyed by (step, user) alone, so a user who checks their feed
    // sees every item in it.
    const ItemFilter& filter = item.filter;
    const double hours = config_.step_hours;
    double diurnal = 0.0;  // mean profile over the step's hours of day
    const double start = static_cast<double>(step) * hours;
    const int samples = std::max(1, static_cast<int>(std::ceil(hours)));
    for (int s = 0; s < samples; ++s) {
      const double hour = std::fmod(start + (s + 0.5) * hours / samples, 24.0);
      diurnal += feed->diurnal[static_cast<std::size_t>(hour)] / samples;
    }
    const double days_active = diurnal * hours / 24.0;
    const double open_item = feed->open_probability * filter.open_multiplier *
                             std::exp(feed->appeal_slope * (item.spec.appeal - 0.5));
    const double share_item = feed->share_probability * std::exp(feed->share_appeal_slope * (item.spec.appeal - 0.5));
    const auto lifetime = static_cast<Step>(age_factor.size());
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, item.feed.size(), kFeedGrain),
                      [&](const tbb::blocked_range<std::size_t>& range) {
      Counters& c = state.per_thread.local();
      for (std::size_t e = range.begin(); e < range.end(); ++e) {
        const VertexId v = item.feed[e];
        const std::uint64_t word = words[v].load(std::memory_order_relaxed);
        const Step age = age_now - fb::arrival(word);
        if (age >= lifetime) {  // expired unread
          words[v].store(word & ~fb::kPending, std::memory_order_relaxed);
          continue;
        }
        const double p_active = 1.0 - std::exp(-session_rate[v] * days_active);
        if (!rng.bernoulli(p_active, Purpose::kActive, step, v)) {
          c.feed_entries.push_back(v);
          continue;
        }
        state.count_active(v, step, c);
        // The most salient channel the item came through sets the open factor and is credited.
        std::size_t via = 0;
        for (std::size_t ch = 1; ch < kNumChannels; ++ch) {
          if ((word >> ch & 1) && (!(word >> via & 1) || feed->salience[ch] > feed->salience[via])) via = ch;
        }
        const std::size_t r = state.region_of(v);
        const double p_open = open_item * item.spec.language_fit[r] * age_factor[age] * attention_[v] * feed->salience[via] *
                              ((word & fb::kTwice) ? feed->repeat_boost : 1.0);
        if (!rng.bernoulli(p_open, Purpose::kOpen, item_id, v, static_cast<std::uint64_t>(step))) {
          c.feed_entries.push_back(v);
          continue;
        }
        words[v].store((word | fb::kOpened) & ~fb::kPending, std::memory_order_relaxed);
        double attitude_factor = 1.0;
        if (attitudes) {
          attitudes->read(v, item.spec);
          attitude_factor = std::max(0.0, 1.0 + feed->attitude_slope * attitudes->attitude(v));
        }
        const std::uint32_t hop = fb::hop(word);
        ++c.opens;
        ++c.opens_by[via];
        c.max_hop = std::max(c.max_hop, hop);
        const double q = std::min(1.0, share_item * propensity[v] * attitude_factor);
        const double q_free = q * filter.share_multiplier[r];
        if (q <= 0.0) continue;
        const double u_share = rng.uniform(Purpose::kShare, item_id, v);
        if (!(u_share < q_free)) {
          if (u_share < q) ++c.self_censored;
          continue;
        }
        const std::optional<Channel> channel = share_channel(v, item_id);
        if (!channel) continue;  // no friend and no group to share with
        words[v].fetch_or(fb::kShared, std::memory_order_relaxed);
        ++c.shares;
        ++c.shares_by[index_of(*channel)];
        if (hop == 1) ++c.first_hop_shares;
        if (rng.bernoulli(filter.share_filter[r][index_of(*channel)], Purpose::kShareFilter, item_id, v)) {
          ++c.filtered;
          continue;
        }
        c.deliveries.push_back(share_delivery(v, *channel, hop, item_id));
      }
    });
    item.feed.clear();
    merge_counters(state, m, step, record);
    for (Counters& c : state.per_thread) {
      item.feed.insert(item.feed.end(), c.feed_entries.begin(), c.feed_entries.end());
      item.deliveries.insert(item.deliveries.end(), c.deliveries.begin(), c.deliveries.end());
    }
    // Deliveries in sharer order keep the next step's reads of the CSR arrays forward.
    std::sort(item.deliveries.begin(), item.deliveries.end(),
              [](const Delivery& a, const Delivery& b) { return a.sharer < b.sharer; });
  };

  for (Step step = 0; step < num_steps; ++step) {
    if (attitudes && step > 0) {
      for (auto days = day_of(step) - day_of(step - 1); days > 0; --days) attitudes->daily();
    }
    if (live.empty()) {
      // Nothing spreads: jump to the next publication, takedown or (with attitudes) day.
      // Skipped steps keep zero counts and the unchanged cumulative values.
      Step next = num_steps;
      if (next_item < plan.items.size()) next = std::min(next, plan.items[next_item].step);
      if (!takedowns.empty()) next = std::min(next, takedowns.front().first);
      if (attitudes) next = std::min(next, next_day_start(step));
      if (next > step) {
        for (Step s = step; s < std::min(next, num_steps); ++s) {
          m[kReachCumulative][s] = reach_total;
          if (attitudes) attitudes->record(s, result);
        }
        if (next >= num_steps) break;
        step = next - 1;
        continue;
      }
    }

    // Takedowns take effect first: a removed item delivers nothing more, and its unread feed
    // entries vanish.
    while (!takedowns.empty() && takedowns.front().first == step) {
      std::pop_heap(takedowns.begin(), takedowns.end(), later);
      const std::size_t record = takedowns.back().second;
      takedowns.pop_back();
      result.items[record].takedown_step = step;
      ++m[kTakenDown][step];
      live.erase(std::remove_if(live.begin(), live.end(),
                                [&](const LiveItem& it) { return it.record == record; }),
                 live.end());
      suspended_until = std::max(suspended_until,
                                 step + (config_.filter ? config_.filter->suspension_steps(++strikes, config_.step_hours) : 0));
    }

    for (; next_item < plan.items.size() && plan.items[next_item].step == step; ++next_item) {
      const ItemSpec& spec = plan.items[next_item];
      if (step < suspended_until) {
        if (spec.push != last_refused_push) ++m[kRefusedSuspended][step];
        last_refused_push = spec.push;
        continue;
      }
      ItemRecord record;
      record.item = static_cast<ItemId>(result.items.size());
      record.push = spec.push;
      record.topic = spec.topic;
      record.appeal = spec.appeal;
      record.sensitivity = spec.sensitivity;
      record.valence = spec.valence;
      record.publish_step = step;
      const ItemFilter filter = config_.filter ? config_.filter->on_publish(spec, record.item, config_.seed, run, config_.step_hours)
                                               : ItemFilter{};
      record.blocked = filter.blocked;
      ++m[kPublished][step];
      result.items.push_back(record);
      if (filter.blocked) {
        ++m[kBlocked][step];
        continue;
      }
      if (filter.takedown_step != kNever && filter.takedown_step < num_steps) {
        takedowns.emplace_back(filter.takedown_step, result.items.size() - 1);
        std::push_heap(takedowns.begin(), takedowns.end(), later);
      }
      LiveItem item{.record = result.items.size() - 1, .spec = spec, .filter = filter};
      // The publisher and its paid seeds start the cascade; they never read it as an exposure.
      if (feed) {
        namespace fb = feed_bits;
        item.words = std::make_unique<std::atomic<std::uint64_t>[]>(n);
        const auto start = [&](VertexId v, Channel channel) {
          item.words[v].store(fb::kOpened | fb::kShared, std::memory_order_relaxed);
          item.deliveries.push_back({.targets = out.targets.data() + out.offsets[v], .count = out.out_degree(v),
                                     .sharer = v, .channel = channel, .hop = 1});
        };
        start(institution, Channel::kPush);
        for (VertexId kol : kols) {
          if (kol != institution) start(kol, Channel::kMoments);
        }
      } else {
        item.flags = std::make_unique<std::atomic<std::uint8_t>[]>(n);
        item.flags[institution].store(kExposed | kOpened | kShared, std::memory_order_relaxed);
        item.frontier.push_back(institution);
        for (VertexId kol : kols) {
          if (kol == institution) continue;
          item.flags[kol].store(kExposed | kOpened | kShared, std::memory_order_relaxed);
          item.frontier.push_back(kol);
        }
      }
      live.push_back(std::move(item));
    }

    for (LiveItem& item : live) {
      ItemRecord& record = result.items[item.record];
      for (Counters& c : state.per_thread) c.reset();
      if (feed) {
        spread_in_feeds(item, record, step);
      } else {
        spread_on_arrival(item, record, step);
      }
    }
    reach_total += m[kReachNew][step];
    m[kReachCumulative][step] = reach_total;

    live.erase(std::remove_if(live.begin(), live.end(), [](const LiveItem& it) { return !it.spreading(); }),
               live.end());
    m[kLiveItems][step] = static_cast<std::int64_t>(live.size());
    result.steps_run = step + 1;
    if (attitudes) attitudes->record(step, result);
  }
  return result;
}

}  // namespace softpower
