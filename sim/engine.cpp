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
  kExposures,
  kOpens,
  kShares,
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
  std::int64_t reach_item = 0;  // first exposure to this item
  std::int64_t reach_run = 0;   // first exposure to any item
  std::vector<VertexId> sharers;
};

struct LiveItem {
  ItemRecord record;
  std::unique_ptr<std::atomic<std::uint8_t>[]> flags;
  std::vector<VertexId> frontier;  // users whose shares are delivered in the coming step
};

}  // namespace

Engine::Engine(const SocialGraph& graph, Publisher publisher, const DiffusionModel& diffusion,
               const StrategyModel& strategy, EngineConfig config)
    : graph_(graph), publisher_(publisher), diffusion_(diffusion), strategy_(strategy), config_(config) {}

const std::vector<MetricSpec>& Engine::metric_specs() {
  static const std::vector<MetricSpec> specs{
      {"published", "items", "Items the institution published in the step."},
      {"refused_by_quota", "pushes", "Pushes the account's quota refused in the step (nothing was published)."},
      {"exposures", "exposures", "Item deliveries into feeds (one per arc from a sharer, per item)."},
      {"opens", "users", "Users who opened an item in the step (each user opens an item at most once)."},
      {"shares", "users", "Users who shared an item in the step (each user shares an item at most once)."},
      {"reach_new", "users", "Users reached by any item for the first time in the step."},
      {"reach_cumulative", "users", "Distinct users reached by any item up to and including the step."},
      {"live_items", "items", "Items still spreading at the end of the step."},
  };
  return specs;
}

RunResult Engine::run(RunId run) const {
  const CsrView out = graph_.out_view();
  const VertexId n = graph_.num_vertices();
  const CounterRng rng(config_.seed, run);
  const Step num_steps = config_.num_steps;

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
  std::size_t next_item = 0;
  tbb::enumerable_thread_specific<Counters> per_thread;

  for (Step step = 0; step < num_steps; ++step) {
    if (live.empty()) {
      // Nothing spreads: jump to the next publication (the skipped steps keep zero counts).
      if (next_item == plan.items.size()) {
        for (Step s = step; s < num_steps; ++s) m[kReachCumulative][s] = reach_total;
        break;
      }
      const Step jump = std::max(step, plan.items[next_item].step);
      for (Step s = step; s < jump; ++s) m[kReachCumulative][s] = reach_total;
      step = jump;
    }
    while (next_item < plan.items.size() && plan.items[next_item].step == step) {
      const ItemSpec& spec = plan.items[next_item];
      LiveItem item;
      item.record.item = static_cast<ItemId>(next_item);
      item.record.push = spec.push;
      item.record.topic = spec.topic;
      item.record.appeal = spec.appeal;
      item.record.sensitivity = spec.sensitivity;
      item.record.valence = spec.valence;
      item.record.publish_step = step;
      item.flags = std::make_unique<std::atomic<std::uint8_t>[]>(n);
      // The publisher and its paid seeds start the cascade; they never read it as an exposure.
      item.flags[institution].store(kExposed | kOpened | kShared, std::memory_order_relaxed);
      item.frontier.push_back(institution);
      for (VertexId kol : kols) {
        if (kol == institution) continue;
        item.flags[kol].store(kExposed | kOpened | kShared, std::memory_order_relaxed);
        item.frontier.push_back(kol);
      }
      live.push_back(std::move(item));
      ++m[kPublished][step];
      ++next_item;
    }

    const DiffusionRule rule = diffusion_.rule(step);
    for (LiveItem& item : live) {
      // Arc-balanced partition of the frontier: offsets[i] is the first arc of frontier[i].
      const std::size_t f = item.frontier.size();
      std::vector<std::uint64_t> first_arc(f + 1, 0);
      for (std::size_t i = 0; i < f; ++i) {
        first_arc[i + 1] = first_arc[i] + out.out_degree(item.frontier[i]);
      }
      const std::uint64_t total_arcs = first_arc[f];
      const ItemId item_id = item.record.item;
      auto* flags = item.flags.get();
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
                if (!rng.bernoulli(rule.open_probability, Purpose::kOpen, item_id, arc)) continue;
                if (flags[v].fetch_or(kOpened, std::memory_order_relaxed) & kOpened) continue;
                ++c.opens;
                if (rng.bernoulli(rule.share_probability, Purpose::kShare, item_id, v)) {
                  flags[v].fetch_or(kShared, std::memory_order_relaxed);
                  ++c.shares;
                  c.sharers.push_back(v);
                }
              }
            }
          });
      item.frontier.clear();
      const std::uint64_t reads_before = item.record.reads;
      for (Counters& c : per_thread) {
        m[kExposures][step] += c.exposures;
        m[kOpens][step] += c.opens;
        m[kShares][step] += c.shares;
        m[kReachNew][step] += c.reach_run;
        item.record.reach += c.reach_item;
        item.record.reads += c.opens;
        item.record.shares += c.shares;
        item.frontier.insert(item.frontier.end(), c.sharers.begin(), c.sharers.end());
      }
      // Visiting the next frontier in vertex order turns random reads of the CSR arrays into a
      // forward sweep the prefetcher can follow (about 2x on large frontiers).
      tbb::parallel_sort(item.frontier.begin(), item.frontier.end());
      // Exposures resolve in the step they arrive, so this step's readers are all one hop
      // further from the publisher than the last step's.
      if (item.record.reads > reads_before) {
        item.record.depth = static_cast<std::uint32_t>(step - item.record.publish_step + 1);
      }
    }
    reach_total += m[kReachNew][step];
    m[kReachCumulative][step] = reach_total;

    // Finished items leave the live set in publication order, so /items is ordered by item.
    auto done = std::stable_partition(live.begin(), live.end(),
                                      [](const LiveItem& it) { return !it.frontier.empty(); });
    for (auto it = done; it != live.end(); ++it) result.items.push_back(it->record);
    live.erase(done, live.end());
    m[kLiveItems][step] = static_cast<std::int64_t>(live.size());
    result.steps_run = step + 1;
  }
  // Items still spreading at the horizon are recorded as they stand.
  for (LiveItem& item : live) result.items.push_back(item.record);
  std::sort(result.items.begin(), result.items.end(),
            [](const ItemRecord& a, const ItemRecord& b) { return a.item < b.item; });
  return result;
}

}  // namespace softpower
