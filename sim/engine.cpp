#include "sim/engine.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <memory>
#include <numeric>
#include <optional>

#include "sim/detail/spread.hpp"
#include "sim/rng.hpp"

namespace softpower {

using namespace detail;

Engine::Engine(const SocialGraph& graph, Publisher publisher, const DiffusionModel& diffusion,
               const StrategyModel& strategy, EngineConfig config)
    : graph_(graph), publisher_(publisher), diffusion_(diffusion), strategy_(strategy), config_(config) {
  if (config_.attitude) {
    attitude_groups_ = std::make_unique<AttitudeGroups>(publisher_.num_users, config_.region, config_.community);
  }
  if (config_.record_events) graph_checksum_ = graph_.checksum();
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

EventsLayout Engine::events_layout() const {
  if (!config_.record_events) return {};
  return {.vertices = graph_.num_vertices(), .attitude_users = config_.attitude ? publisher_.num_users : 0};
}

void detail::RunState::merge_counters(Step step, ItemRecord& record) {
  auto& m = metrics;
  for (Counters& c : per_thread) {
    m[kExposures][step] += c.exposures;
    m[kOpens][step] += c.opens;
    m[kShares][step] += c.shares;
    m[kSharesFiltered][step] += c.filtered;
    m[kSharesSelfCensored][step] += c.self_censored;
    m[kReachNew][step] += c.reach_run;
    for (std::size_t ch = 0; ch < kNumChannels; ++ch) {
      m[kOpensPush + ch][step] += c.opens_by[ch];
      if (ch != index_of(Channel::kPush)) m[kShares + ch][step] += c.shares_by[ch];
    }
    record.reach += c.reach_item;
    record.reads += c.opens;
    record.shares += c.shares;
    record.first_hop_shares += c.first_hop_shares;
    record.depth = std::max(record.depth, c.max_hop);
    if (events) events->reads.insert(events->reads.end(), c.reads.begin(), c.reads.end());
  }
}

std::int64_t detail::RunState::end_step() {
  std::vector<std::uint32_t> words_set;
  for (Counters& c : per_thread) {
    for (const std::uint32_t w : c.active.touched) {
      if (active_union[w] == 0) words_set.push_back(w);
      active_union[w] |= c.active.words[w];
      c.active.words[w] = 0;
    }
    c.active.touched.clear();
  }
  std::int64_t distinct = 0;
  for (const std::uint32_t w : words_set) {
    distinct += std::popcount(active_union[w]);
    active_union[w] = 0;
  }
  return distinct;
}

RunResult Engine::run(RunId run, const std::atomic<bool>* cancel) const {
  const VertexId n = graph_.num_vertices();
  const Step num_steps = config_.num_steps;
  const CounterRng rng(config_.seed, run);

  RunResult result;
  std::optional<PhaseTimer> setup_timer(std::in_place, result.phases, Phase::kSetup);
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
  UserEvents* events = nullptr;
  if (config_.record_events) {
    events = &result.events;
    events->first_exposure.assign(n, kNever);
    events->graph_checksum = graph_checksum_;
    if (attitudes) events->attitude_initial = attitudes->attitudes();
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

  RunState state{.out = graph_.out_view(),
                 .rng = rng,
                 .region = config_.region,
                 .institution = institution,
                 .metrics = m,
                 .attitudes = attitudes ? &*attitudes : nullptr,
                 .events = events,
                 .reached = AtomicBits(n),
                 .active_union = std::vector<std::uint64_t>(n / 64 + 1),
                 .phases = &result.phases};
  if (!diffusion_.feed() && !kols.empty()) {
    state.push_audience.assign(n / 64 + 1, 0);
    const CsrView& out = state.out;
    for (ArcId a = out.offsets[institution]; a < out.offsets[institution + 1]; ++a) {
      state.push_audience[out.targets[a] >> 6] |= std::uint64_t{1} << (out.targets[a] & 63);
    }
  }
  std::optional<FeedState> feed;
  if (const FeedRule* rule = diffusion_.feed()) {
    feed.emplace(*rule, config_.step_hours, attention_, group_offsets_, user_groups_, config_.groups, rng, n);
  }

  std::int64_t reach_total = 0;
  std::vector<LiveItem> live;
  std::vector<std::pair<Step, std::size_t>> takedowns;  // (step, record), min-heap by step
  std::uint32_t strikes = 0;
  Step suspended_until = 0;
  std::size_t next_item = 0;
  std::uint32_t last_refused_push = ~0u;
  const auto later = [](const auto& a, const auto& b) { return a.first > b.first; };
  setup_timer.reset();

  // Checked between steps and, inside a step, between attitude days and between items: a long
  // step (many days, many live items) still stops within a fraction of a second.
  const auto stop_if_cancelled = [cancel] {
    if (cancel && cancel->load(std::memory_order_relaxed)) throw RunCancelled();
  };
  for (Step step = 0; step < num_steps; ++step) {
    stop_if_cancelled();
    if (attitudes && step > 0) {
      const PhaseTimer timer(result.phases, Phase::kAttitudeDays);
      for (auto days = day_of(step) - day_of(step - 1); days > 0; --days) {
        stop_if_cancelled();
        attitudes->daily();
      }
    }
    if (live.empty()) {
      // Nothing spreads: jump to the next publication, takedown or (with attitudes) day.
      // Skipped steps keep zero counts and the unchanged cumulative values.
      Step next = num_steps;
      if (next_item < plan.items.size()) next = std::min(next, plan.items[next_item].step);
      if (!takedowns.empty()) next = std::min(next, takedowns.front().first);
      if (attitudes) next = std::min(next, next_day_start(step));
      if (next > step) {
        const PhaseTimer timer(result.phases, Phase::kMetrics);
        for (Step s = step; s < std::min(next, num_steps); ++s) {
          m[kReachCumulative][s] = reach_total;
          if (attitudes) attitudes->record(s, result, state.reached);
        }
        if (next >= num_steps) break;
        step = next - 1;
        continue;
      }
    }

    std::optional<PhaseTimer> timer(std::in_place, result.phases, Phase::kPublish);
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
        start_in_feeds(state, item, kols, n);
      } else {
        item.flags = std::make_unique<std::atomic<std::uint8_t>[]>(n);
        constexpr std::uint8_t kStarter = kExposed | kOpened | kShared | kSettled;
        item.flags[institution].store(kStarter, std::memory_order_relaxed);
        item.frontier.push_back(institution);
        for (VertexId kol : kols) {
          if (kol == institution) continue;
          item.flags[kol].store(kStarter, std::memory_order_relaxed);
          item.frontier.push_back(kol);
        }
      }
      live.push_back(std::move(item));
    }

    timer.reset();  // spread_in_feeds times its own two phases
    if (!feed) timer.emplace(result.phases, Phase::kReadAndShare);
    for (LiveItem& item : live) {
      stop_if_cancelled();
      ItemRecord& record = result.items[item.record];
      for (Counters& c : state.per_thread) c.reset();
      if (feed) {
        spread_in_feeds(state, *feed, item, record, step);
      } else {
        spread_on_arrival(state, diffusion_.rule(step), item, record, step);
      }
    }
    timer.emplace(result.phases, Phase::kMetrics);
    m[kActiveUsers][step] = state.end_step();
    reach_total += m[kReachNew][step];
    m[kReachCumulative][step] = reach_total;

    live.erase(std::remove_if(live.begin(), live.end(), [](const LiveItem& it) { return !it.spreading(); }),
               live.end());
    m[kLiveItems][step] = static_cast<std::int64_t>(live.size());
    result.steps_run = step + 1;
    if (attitudes) attitudes->record(step, result, state.reached);
  }
  if (events) {
    if (attitudes) events->attitude_final = attitudes->attitudes();
    std::sort(events->reads.begin(), events->reads.end(), [](const ReadEvent& a, const ReadEvent& b) {
      return a.item != b.item ? a.item < b.item : a.user < b.user;
    });
  }
  return result;
}

}  // namespace softpower
