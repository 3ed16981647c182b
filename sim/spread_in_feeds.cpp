// The feed rule: deliveries put an item in feeds; every user holding it unread who is active in
// the step may open it, and a reader may share it to one channel. docs/model.md, "Feeds" and
// "Diffusion: wechat_feed"; the model's numbers come from models/diffusion/wechat_feed.
#include <cmath>
#include <numeric>
#include <optional>

#include "sim/detail/spread.hpp"

namespace softpower::detail {
namespace {

constexpr std::size_t kFeedGrain = 4096;  // feed entries per parallel task

// Lognormal factor with mean 1 and shape sigma, from one keyed block of bits.
double lognormal_unit_mean(const CounterRng& rng, Purpose purpose, VertexId v, double sigma) {
  if (sigma == 0.0) return 1.0;
  return std::exp(sigma * rng.normal(purpose, 0, v) - 0.5 * sigma * sigma);
}

// The mean of the diurnal profile over the hours of the step.
double diurnal_mean(const FeedRule& rule, Step step, double hours) {
  double mean = 0.0;
  const double start = static_cast<double>(step) * hours;
  const int samples = std::max(1, static_cast<int>(std::ceil(hours)));
  for (int s = 0; s < samples; ++s) {
    const double hour = std::fmod(start + (s + 0.5) * hours / samples, 24.0);
    mean += rule.diurnal[static_cast<std::size_t>(hour)] / samples;
  }
  return mean;
}

// The channel a reader shares to, drawn from the mix among the channels they can use
// (Moments, chat and Wow need a friend, a group share a group); nullopt: none.
std::optional<Channel> share_channel(const RunState& state, const FeedState& feed, VertexId v, ItemId item) {
  std::array<double, kNumChannels> weight = feed.rule.channel_weight;
  weight[index_of(Channel::kPush)] = 0.0;
  if (state.out.out_degree(v) == 0) {
    weight[index_of(Channel::kMoments)] = weight[index_of(Channel::kChat)] = weight[index_of(Channel::kWow)] = 0.0;
  }
  if (feed.group_offsets[v + 1] == feed.group_offsets[v]) weight[index_of(Channel::kGroup)] = 0.0;
  const double total = std::accumulate(weight.begin(), weight.end(), 0.0);
  if (!(total > 0.0)) return std::nullopt;
  double u = state.rng.uniform(Purpose::kShareChannel, item, v) * total;
  std::optional<Channel> channel;
  for (std::size_t ch = 1; ch < kNumChannels; ++ch) {
    if (weight[ch] == 0.0) continue;
    channel = static_cast<Channel>(ch);  // the last usable channel absorbs rounding
    if (u < weight[ch]) break;
    u -= weight[ch];
  }
  return channel;
}

// Who receives a share: every friend (Moments, Wow), one friend (chat) or one group.
Delivery share_delivery(const RunState& state, const FeedState& feed, VertexId v, Channel channel,
                        std::uint32_t hop, ItemId item) {
  const CsrView& out = state.out;
  const std::uint64_t friends = out.out_degree(v);
  Delivery d{.targets = out.targets.data() + out.offsets[v], .count = friends, .sharer = v,
             .channel = channel, .hop = hop + 1};
  if (channel == Channel::kChat) {
    d.targets += state.rng.bits(Purpose::kShareTarget, item, v) % friends;
    d.count = 1;
  } else if (channel == Channel::kGroup) {
    const std::uint64_t groups = feed.group_offsets[v + 1] - feed.group_offsets[v];
    const std::uint32_t group =
        feed.user_groups[feed.group_offsets[v] + state.rng.bits(Purpose::kShareTarget, item, v) % groups];
    d.targets = feed.groups->members.data() + feed.groups->offsets[group];
    d.count = feed.groups->offsets[group + 1] - feed.groups->offsets[group];
  }
  return d;
}

}  // namespace

FeedState::FeedState(const FeedRule& rule_, double step_hours_, std::span<const float> attention_,
                     std::span<const std::uint64_t> group_offsets_, std::span<const std::uint32_t> user_groups_,
                     const ChatGroups* groups_, const CounterRng& rng, VertexId num_vertices)
    : rule(rule_), step_hours(step_hours_), attention(attention_), group_offsets(group_offsets_),
      user_groups(user_groups_), groups(groups_), session_rate(num_vertices), propensity(num_vertices) {
  tbb::parallel_for(VertexId{0}, num_vertices, [&](VertexId v) {
    session_rate[v] = static_cast<float>(rule.sessions_per_day *
                                         lognormal_unit_mean(rng, Purpose::kSessionRate, v, rule.session_sigma));
    propensity[v] = static_cast<float>(lognormal_unit_mean(rng, Purpose::kSharePropensity, v, rule.share_sigma));
  });
  const auto lifetime = std::max<Step>(1, static_cast<Step>(std::ceil(rule.lifetime_hours / step_hours - 1e-9)));
  age_factor.resize(static_cast<std::size_t>(lifetime));
  for (Step age = 0; age < lifetime; ++age) {
    age_factor[age] = std::exp2(-static_cast<double>(age) * step_hours / rule.age_half_life_hours);
  }
}

void start_in_feeds(const RunState& state, LiveItem& item, std::span<const VertexId> kols, VertexId num_vertices) {
  namespace fb = feed_bits;
  item.words = std::make_unique<std::atomic<std::uint64_t>[]>(num_vertices);
  if (state.events) {
    item.credit = std::make_unique<std::atomic<std::uint64_t>[]>(num_vertices);
    for (VertexId v = 0; v < num_vertices; ++v) item.credit[v].store(~std::uint64_t{0}, std::memory_order_relaxed);
  }
  const auto start = [&](VertexId v, Channel channel) {
    item.words[v].store(fb::kOpened | fb::kShared, std::memory_order_relaxed);
    item.deliveries.push_back({.targets = state.out.targets.data() + state.out.offsets[v],
                               .count = state.out.out_degree(v), .sharer = v, .channel = channel, .hop = 1});
  };
  start(state.institution, Channel::kPush);
  for (VertexId kol : kols) {
    if (kol != state.institution) start(kol, Channel::kMoments);
  }
}

void spread_in_feeds(RunState& state, const FeedState& feed, LiveItem& item, ItemRecord& record, Step step) {
  namespace fb = feed_bits;
  const CounterRng& rng = state.rng;
  const FeedRule& rule = feed.rule;
  const ItemId item_id = record.item;
  auto* words = item.words.get();
  auto* credit = item.credit.get();
  const Step age_now = step - record.publish_step;

  // Deliveries: an unopened item enters (or is renewed in) the recipient's feed.
  std::optional<PhaseTimer> timer(std::in_place, *state.phases, Phase::kFeedAssembly);
  prefix_offsets(item.deliveries.size(), [&](std::size_t i) { return item.deliveries[i].count; }, state.first);
  for_each_balanced(state.first, state.per_thread, [&](Counters& c, std::size_t i, std::uint64_t k) {
    const Delivery& d = item.deliveries[i];
    const VertexId v = d.targets[k];
    if (v == d.sharer) return;  // a group holds its sharer
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
    if (credit) {
      // Deliveries in the same step race; the minimum is the same whichever lands first.
      const std::uint64_t mine = std::uint64_t{d.hop} << 32 | d.sharer;
      std::uint64_t best = credit[v].load(std::memory_order_relaxed);
      while (mine < best && !credit[v].compare_exchange_weak(best, mine, std::memory_order_relaxed)) {
      }
    }
    if (!(old & fb::kChannels)) {
      ++c.reach_item;
      if (state.reached.set(v)) {
        ++c.reach_run;
        state.first_reached(v, step);
      }
    }
    if (!(old & fb::kPending)) c.feed_entries.push_back(v);
  });
  item.deliveries.clear();
  for (Counters& c : state.per_thread) {
    item.feed.insert(item.feed.end(), c.feed_entries.begin(), c.feed_entries.end());
    c.feed_entries.clear();
  }

  timer.emplace(*state.phases, Phase::kReadAndShare);
  // Feed checks. Activity is keyed by (step, user) alone, so a user who checks their feed sees
  // every item in it.
  const ItemFilter& filter = item.filter;
  const double days_active = diurnal_mean(rule, step, feed.step_hours) * feed.step_hours / 24.0;
  const double open_item = rule.open_probability * filter.open_multiplier *
                           std::exp(rule.appeal_slope * (item.spec.appeal - 0.5));
  const double share_item = rule.share_probability * std::exp(rule.share_appeal_slope * (item.spec.appeal - 0.5));
  const auto lifetime = static_cast<Step>(feed.age_factor.size());
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
      const double p_active = 1.0 - std::exp(-feed.session_rate[v] * days_active);
      if (!rng.bernoulli(p_active, Purpose::kActive, step, v)) {
        c.feed_entries.push_back(v);
        continue;
      }
      state.count_active(v, c);
      // The most salient channel the item came through sets the open factor and is credited.
      std::size_t via = 0;
      for (std::size_t ch = 1; ch < kNumChannels; ++ch) {
        if ((word >> ch & 1) && (!(word >> via & 1) || rule.salience[ch] > rule.salience[via])) via = ch;
      }
      const std::size_t r = state.region_of(v);
      const double p_open = open_item * item.spec.language_fit[r] * feed.age_factor[age] * feed.attention[v] *
                            rule.salience[via] * ((word & fb::kTwice) ? rule.repeat_boost : 1.0);
      if (!rng.bernoulli(p_open, Purpose::kOpen, item_id, v, static_cast<std::uint64_t>(step))) {
        c.feed_entries.push_back(v);
        continue;
      }
      words[v].store((word | fb::kOpened) & ~fb::kPending, std::memory_order_relaxed);
      // The read moves the attitude first, so the new attitude sets the share factor.
      double attitude_factor = 1.0;
      if (state.attitudes) {
        state.attitudes->read(v, item.spec);
        attitude_factor = std::max(0.0, 1.0 + rule.attitude_slope * state.attitudes->attitude(v));
      }
      const std::uint32_t hop = fb::hop(word);
      ++c.opens;
      ++c.opens_by[via];
      c.max_hop = std::max(c.max_hop, hop);
      ReadEvent* event = nullptr;
      if (credit) {
        const std::uint64_t credited = credit[v].load(std::memory_order_relaxed);
        event = &c.reads.emplace_back(ReadEvent{.item = item_id, .user = v, .step = step,
                                                .parent = static_cast<VertexId>(credited & 0xffffffffu),
                                                .hop = static_cast<std::uint32_t>(credited >> 32),
                                                .via = static_cast<Channel>(via)});
      }
      // One draw decides sharing and self-censorship, as in the rule decided on arrival.
      const double q = std::min(1.0, share_item * feed.propensity[v] * attitude_factor);
      if (q <= 0.0) continue;
      const double u_share = rng.uniform(Purpose::kShare, item_id, v);
      if (!(u_share < q * filter.share_multiplier[r])) {
        if (u_share < q) {
          ++c.self_censored;
          if (event) event->outcome = ReadOutcome::kSelfCensored;
        }
        continue;
      }
      const std::optional<Channel> channel = share_channel(state, feed, v, item_id);
      if (!channel) continue;  // no friend and no group to share with
      words[v].fetch_or(fb::kShared, std::memory_order_relaxed);
      ++c.shares;
      ++c.shares_by[index_of(*channel)];
      if (hop == 1) ++c.first_hop_shares;
      if (event) event->share_channel = *channel;
      if (rng.bernoulli(filter.share_filter[r][index_of(*channel)], Purpose::kShareFilter, item_id, v)) {
        ++c.filtered;
        if (event) event->outcome = ReadOutcome::kShareFiltered;
        continue;
      }
      if (event) event->outcome = ReadOutcome::kShared;
      c.deliveries.push_back(share_delivery(state, feed, v, *channel, hop, item_id));
    }
  });
  item.feed.clear();
  state.merge_counters(step, record);
  for (Counters& c : state.per_thread) {
    item.feed.insert(item.feed.end(), c.feed_entries.begin(), c.feed_entries.end());
    item.deliveries.insert(item.deliveries.end(), c.deliveries.begin(), c.deliveries.end());
  }
  // Deliveries in sharer order keep the next step's reads of the CSR arrays forward.
  std::sort(item.deliveries.begin(), item.deliveries.end(),
            [](const Delivery& a, const Delivery& b) { return a.sharer < b.sharer; });
}

}  // namespace softpower::detail
