// The rule of the independent cascade family: every exposure is decided in the step it arrives,
// by one draw per arc; an exposure to an inactive user is lost. docs/model.md, "Decided on
// arrival".
#include <tbb/parallel_sort.h>

#include "sim/detail/spread.hpp"

namespace softpower::detail {
namespace {

// Several sharers' arcs can open the item for one reader in the same step; the thread that set
// the opened bit first recorded the read. Credit it to the lowest sharer id instead, so events
// do not depend on thread timing, and settle this step's readers.
void credit_lowest_sharer(RunState& state, std::atomic<std::uint8_t>* flags) {
  std::vector<std::pair<VertexId, VertexId>> also;
  for (Counters& c : state.per_thread) also.insert(also.end(), c.also_opened_by.begin(), c.also_opened_by.end());
  std::sort(also.begin(), also.end());
  for (Counters& c : state.per_thread) {
    for (ReadEvent& event : c.reads) {
      flags[event.user].fetch_or(kSettled, std::memory_order_relaxed);
      const auto lowest = std::lower_bound(also.begin(), also.end(), std::pair{event.user, VertexId{0}});
      if (lowest == also.end() || lowest->first != event.user || lowest->second > event.parent) continue;
      event.parent = lowest->second;
      event.via = state.arrival_channel(event.parent, event.user, event.hop);
    }
  }
}

}  // namespace

void spread_on_arrival(RunState& state, const DiffusionRule& rule, LiveItem& item, ItemRecord& record, Step step) {
  const CsrView& out = state.out;
  const CounterRng& rng = state.rng;
  const ItemId item_id = record.item;
  auto* flags = item.flags.get();
  const double open_probability = rule.open_probability * item.filter.open_multiplier;
  const std::array<double, 2> open_by_region{open_probability * item.spec.language_fit[0],
                                             open_probability * item.spec.language_fit[1]};
  const ItemFilter& filter = item.filter;
  // Exposures resolve in the step they arrive, so this step's readers are all one hop further
  // from the publisher than the last step's.
  const auto hop = static_cast<std::uint32_t>(step - record.publish_step + 1);
  const std::size_t moments = index_of(Channel::kMoments);
  const bool recording = state.events != nullptr;
  // Recording needs every open that succeeds in this step, not only the first thread's, so it
  // stops only at users who opened the item in an earlier step.
  const std::uint8_t done = recording ? kSettled : kOpened;
  prefix_offsets(item.frontier.size(), [&](std::size_t i) { return out.out_degree(item.frontier[i]); }, state.first);
  const auto visit_arc = [&](Counters& c, VertexId u, ArcId arc) {
    const VertexId v = out.targets[arc];
    ++c.exposures;
    std::uint8_t seen = flags[v].load(std::memory_order_relaxed);
    if (!(seen & kExposed)) {
      seen = flags[v].fetch_or(kExposed, std::memory_order_relaxed);
      if (!(seen & kExposed)) {
        ++c.reach_item;
        if (state.reached.set(v)) {
          ++c.reach_run;
          state.first_reached(v, step);
        }
      }
    }
    if (seen & done) return;
    if (!rng.bernoulli(rule.activity, Purpose::kActive, step, v)) return;
    state.count_active(v, c);
    const std::size_t r = state.region_of(v);
    if (!rng.bernoulli(open_by_region[r], Purpose::kOpen, item_id, arc)) return;
    if (flags[v].fetch_or(kOpened, std::memory_order_relaxed) & kOpened) {
      if (recording) c.also_opened_by.emplace_back(v, u);
      return;
    }
    if (state.attitudes) state.attitudes->read(v, item.spec);
    const Channel via = state.arrival_channel(u, v, hop);
    ++c.opens;
    ++c.opens_by[index_of(via)];
    c.max_hop = std::max(c.max_hop, hop);
    ReadEvent* event = nullptr;
    if (recording) {
      event = &c.reads.emplace_back(ReadEvent{.item = item_id, .user = v, .step = step, .parent = u, .hop = hop, .via = via});
    }
    // One draw decides sharing; self-censorship shrinks the window it must fall in, so the
    // readers it silenced are exactly those between the two thresholds.
    const double q = rule.share_probability;
    const double q_free = q * filter.share_multiplier[r];
    if (q_free < 1.0) {
      if (q <= 0.0) return;
      const double u_share = rng.uniform(Purpose::kShare, item_id, v);
      if (!(u_share < q_free)) {
        if (u_share < q) {
          ++c.self_censored;
          if (event) event->outcome = ReadOutcome::kSelfCensored;
        }
        return;
      }
    }
    flags[v].fetch_or(kShared, std::memory_order_relaxed);
    ++c.shares;
    ++c.shares_by[moments];
    if (hop == 1) ++c.first_hop_shares;
    if (event) event->share_channel = Channel::kMoments;
    if (rng.bernoulli(filter.share_filter[r][moments], Purpose::kShareFilter, item_id, v)) {
      ++c.filtered;
      if (event) event->outcome = ReadOutcome::kShareFiltered;
      return;
    }
    if (event) event->outcome = ReadOutcome::kShared;
    c.sharers.push_back(v);
  };
  for_each_balanced_run(state.first, state.per_thread, [&](Counters& c, std::size_t i, std::uint64_t begin, std::uint64_t end) {
    const VertexId u = item.frontier[i];
    const ArcId first_arc = out.offsets[u];
    for (ArcId arc = first_arc + begin; arc < first_arc + end; ++arc) visit_arc(c, u, arc);
  });
  item.frontier.clear();
  if (recording) credit_lowest_sharer(state, flags);
  state.merge_counters(step, record);
  for (Counters& c : state.per_thread) {
    item.frontier.insert(item.frontier.end(), c.sharers.begin(), c.sharers.end());
  }
  // Visiting the next frontier in vertex order turns random reads of the CSR arrays into a
  // forward sweep the prefetcher can follow (about 2x on large frontiers).
  tbb::parallel_sort(item.frontier.begin(), item.frontier.end());
}

}  // namespace softpower::detail
