#include "sim/engine.hpp"

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>

#include "sim/rng.hpp"

namespace softpower {
namespace {

enum Flag : std::uint8_t { kExposed = 1, kOpened = 2, kShared = 4 };

enum Metric : std::size_t {
  kPublished,
  kRefused,
  kRefusedSuspended,
  kBlocked,
  kTakenDown,
  kExposures,
  kOpens,
  kShares,
  kSharesFiltered,
  kSharesSelfCensored,
  kReachNew,
  kReachCumulative,
  kLiveItems,
  kNumMetrics
};

// Arcs per parallel task. Large enough to amortise scheduling, small enough to balance a
// frontier dominated by one high-degree vertex.
constexpr std::uint64_t kArcGrain = 2048;

struct Counters {
  std::int64_t exposures = 0;
  std::int64_t opens = 0;
  std::int64_t shares = 0;
  std::int64_t filtered = 0;
  std::int64_t self_censored = 0;
  std::int64_t reach_item = 0;  // first exposure to this item
  std::int64_t reach_run = 0;   // first exposure to any item
  std::vector<VertexId> sharers;
};

struct LiveItem {
  std::size_t record;  // index into RunResult::items
  ItemFilter filter;
  std::unique_ptr<std::atomic<std::uint8_t>[]> flags;
  std::vector<VertexId> frontier;  // users whose shares are delivered in the coming step
};

}  // namespace

Engine::Engine(const SocialGraph& graph, Publisher publisher, const DiffusionModel& diffusion,
               const StrategyModel& strategy, EngineConfig config)
    : graph_(graph), publisher_(publisher), diffusion_(diffusion), strategy_(strategy), config_(config) {}

const std::vector<MetricSpec>& Engine::metric_specs() {
  static const std::vector<MetricSpec> specs{
      {"published", "items", "Items the institution published in the step (blocked ones included)."},
      {"refused_by_quota", "pushes", "Pushes the account's quota refused in the step (nothing was published)."},
      {"refused_by_suspension", "pushes", "Pushes refused in the step because the account was suspended."},
      {"blocked", "items", "Items stopped at publication by the platform filter (never delivered)."},
      {"taken_down", "items", "Items the platform removed in the step."},
      {"exposures", "exposures", "Item deliveries into feeds (one per arc from a sharer, per item)."},
      {"opens", "users", "Users who opened an item in the step (each user opens an item at most once)."},
      {"shares", "users", "Users who shared an item in the step (each user shares an item at most once; filtered shares included)."},
      {"shares_filtered", "users", "Shares the platform silently dropped in the step (the sharer's audience never got them)."},
      {"shares_self_censored", "users", "Readers who would have shared an item but for self-censorship."},
      {"reach_new", "users", "Users reached by any item for the first time in the step."},
      {"reach_cumulative", "users", "Distinct users reached by any item up to and including the step."},
      {"live_items", "items", "Items still spreading at the end of the step."},
  };
  return specs;
}

std::vector<SeriesSpec> Engine::series_specs() const { return {}; }

VertexId Engine::snapshot_users() const { return 0; }

RunResult Engine::run(RunId run) const {
  const CsrView out = graph_.out_view();
  const VertexId n = graph_.num_vertices();
  const CounterRng rng(config_.seed, run);
  const Step num_steps = config_.num_steps;
  const auto region = config_.region;
  auto region_of = [&](VertexId v) -> std::size_t { return v < region.size() ? region[v] : 0; };

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

  auto reached = std::make_unique<std::atomic<std::uint8_t>[]>(n);
  std::int64_t reach_total = 0;
  std::vector<LiveItem> live;
  std::vector<std::pair<Step, std::size_t>> takedowns;  // (step, record), min-heap by step
  std::uint32_t strikes = 0;
  Step suspended_until = 0;
  std::size_t next_item = 0;
  std::uint32_t last_refused_push = ~0u;
  tbb::enumerable_thread_specific<Counters> per_thread;
  const auto later = [](const auto& a, const auto& b) { return a.first > b.first; };

  for (Step step = 0; step < num_steps; ++step) {
    if (live.empty()) {
      // Nothing spreads: jump to the next publication or takedown (skipped steps keep zero
      // counts).
      Step next = num_steps;
      if (next_item < plan.items.size()) next = std::min(next, plan.items[next_item].step);
      if (!takedowns.empty()) next = std::min(next, takedowns.front().first);
      const Step jump = std::max(step, next);
      for (Step s = step; s < std::min(jump, num_steps); ++s) m[kReachCumulative][s] = reach_total;
      if (jump >= num_steps) break;
      step = jump;
    }

    // Takedowns take effect first: a removed item delivers nothing more.
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
      LiveItem item{.record = result.items.size() - 1, .filter = filter,
                    .flags = std::make_unique<std::atomic<std::uint8_t>[]>(n), .frontier = {}};
      // The publisher and its paid seeds start the cascade; they never read it as an exposure.
      item.flags[institution].store(kExposed | kOpened | kShared, std::memory_order_relaxed);
      item.frontier.push_back(institution);
      for (VertexId kol : kols) {
        if (kol == institution) continue;
        item.flags[kol].store(kExposed | kOpened | kShared, std::memory_order_relaxed);
        item.frontier.push_back(kol);
      }
      live.push_back(std::move(item));
    }

    const DiffusionRule rule = diffusion_.rule(step);
    for (LiveItem& item : live) {
      ItemRecord& record = result.items[item.record];
      // Arc-balanced partition of the frontier: first_arc[i] is the first arc of frontier[i].
      const std::size_t f = item.frontier.size();
      std::vector<std::uint64_t> first_arc(f + 1, 0);
      for (std::size_t i = 0; i < f; ++i) {
        first_arc[i + 1] = first_arc[i] + out.out_degree(item.frontier[i]);
      }
      const std::uint64_t total_arcs = first_arc[f];
      const ItemId item_id = record.item;
      auto* flags = item.flags.get();
      const double open_probability = rule.open_probability * item.filter.open_multiplier;
      const ItemFilter& filter = item.filter;
      for (Counters& c : per_thread) {
        c = Counters{.sharers = std::move(c.sharers)};
        c.sharers.clear();
      }
      tbb::parallel_for(
          tbb::blocked_range<std::uint64_t>(0, total_arcs, kArcGrain),
          [&](const tbb::blocked_range<std::uint64_t>& range) {
            Counters& c = per_thread.local();
            std::size_t i = std::upper_bound(first_arc.begin(), first_arc.end(), range.begin()) -
                            first_arc.begin() - 1;
            for (std::uint64_t k = range.begin(); k < range.end();) {
              while (first_arc[i + 1] <= k) ++i;
              const VertexId u = item.frontier[i];
              const std::uint64_t stop = std::min(range.end(), first_arc[i + 1]);
              const ArcId base = out.offsets[u] - first_arc[i];
              for (; k < stop; ++k) {
                const ArcId arc = base + k;
                const VertexId v = out.targets[arc];
                ++c.exposures;
                std::uint8_t state = flags[v].load(std::memory_order_relaxed);
                if (!(state & kExposed)) {
                  state = flags[v].fetch_or(kExposed, std::memory_order_relaxed);
                  if (!(state & kExposed)) {
                    ++c.reach_item;
                    if (!(reached[v].exchange(1, std::memory_order_relaxed))) ++c.reach_run;
                  }
                }
                if (state & kOpened) continue;
                if (!rng.bernoulli(rule.activity, Purpose::kActive, step, v)) continue;
                if (!rng.bernoulli(open_probability, Purpose::kOpen, item_id, arc)) continue;
                if (flags[v].fetch_or(kOpened, std::memory_order_relaxed) & kOpened) continue;
                ++c.opens;
                // One draw decides sharing; self-censorship shrinks the window it must fall in,
                // so the readers it silenced are exactly those between the two thresholds.
                const double q = rule.share_probability;
                const std::size_t r = region_of(v);
                const double q_free = q * filter.share_multiplier[r];
                if (q_free < 1.0) {
                  if (q <= 0.0) continue;
                  const double u_share = rng.uniform(Purpose::kShare, item_id, v);
                  if (!(u_share < q_free)) {
                    if (u_share < q) ++c.self_censored;
                    continue;
                  }
                }
                flags[v].fetch_or(kShared, std::memory_order_relaxed);
                ++c.shares;
                if (rng.bernoulli(filter.share_filter[r], Purpose::kShareFilter, item_id, v)) {
                  ++c.filtered;
                  continue;
                }
                c.sharers.push_back(v);
              }
            }
          });
      item.frontier.clear();
      const std::uint64_t reads_before = record.reads;
      for (Counters& c : per_thread) {
        m[kExposures][step] += c.exposures;
        m[kOpens][step] += c.opens;
        m[kShares][step] += c.shares;
        m[kSharesFiltered][step] += c.filtered;
        m[kSharesSelfCensored][step] += c.self_censored;
        m[kReachNew][step] += c.reach_run;
        record.reach += c.reach_item;
        record.reads += c.opens;
        record.shares += c.shares;
        item.frontier.insert(item.frontier.end(), c.sharers.begin(), c.sharers.end());
      }
      // Visiting the next frontier in vertex order turns random reads of the CSR arrays into a
      // forward sweep the prefetcher can follow (about 2x on large frontiers).
      tbb::parallel_sort(item.frontier.begin(), item.frontier.end());
      // Exposures resolve in the step they arrive, so this step's readers are all one hop
      // further from the publisher than the last step's.
      if (record.reads > reads_before) {
        record.depth = static_cast<std::uint32_t>(step - record.publish_step + 1);
      }
    }
    reach_total += m[kReachNew][step];
    m[kReachCumulative][step] = reach_total;

    live.erase(std::remove_if(live.begin(), live.end(),
                              [](const LiveItem& it) { return it.frontier.empty(); }),
               live.end());
    m[kLiveItems][step] = static_cast<std::int64_t>(live.size());
    result.steps_run = step + 1;
  }
  return result;
}

}  // namespace softpower
