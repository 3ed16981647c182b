#include "sim/attitude_state.hpp"

#include <fmt/format.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace softpower {
namespace {

std::size_t bin_of(double x) {
  const double scaled = (x + 1.0) / 2.0 * AttitudeState::kHistogramBins;
  // Truncation is the floor of a positive value, and anything below 0 lands in bin 0 either way;
  // std::floor is a library call on baseline x86-64 (no SSE4.1), once per user and step.
  const std::ptrdiff_t bin = scaled > 0.0 ? static_cast<std::ptrdiff_t>(scaled) : 0;
  return static_cast<std::size_t>(std::min<std::ptrdiff_t>(bin, AttitudeState::kHistogramBins - 1));
}

}  // namespace

AttitudeGroups::AttitudeGroups(VertexId users, std::span<const std::uint8_t> region,
                               std::span<const std::uint32_t> community)
    : user_slots(users) {
  const auto community_of = [&](std::size_t v) { return v < community.size() ? community[v] : 0u; };
  if (!community.empty() && users > 0) {
    for (std::size_t v = 0; v < users; ++v) num_communities = std::max(num_communities, community_of(v) + 1);
  }
  size.assign(1 + kRegions + num_communities, 0);
  const auto groups_of = [&](std::size_t v) {
    const std::uint32_t region_group = 1 + (v < region.size() && region[v] != 0 ? 1 : 0);
    return std::array<std::uint32_t, 2>{
        region_group, num_communities > 0 ? static_cast<std::uint32_t>(1 + kRegions + community_of(v)) : 0u};
  };
  const std::size_t num_blocks = (std::size_t{users} + kUsersPerBlock - 1) / kUsersPerBlock;
  block_slots.assign(1, 0);
  std::vector<std::uint32_t> local(groups(), ~0u);  // a group's slot in the current block
  std::vector<std::uint32_t> present;
  for (std::size_t b = 0; b < num_blocks; ++b) {
    const std::size_t begin = b * kUsersPerBlock, end = std::min<std::size_t>(users, begin + kUsersPerBlock);
    present.assign(1, 0);
    for (std::size_t v = begin; v < end; ++v) {
      for (std::uint32_t g : groups_of(v)) {
        if (g != 0 && local[g] == ~0u) {
          local[g] = 0;
          present.push_back(g);
        }
      }
    }
    std::sort(present.begin(), present.end());
    for (std::size_t k = 0; k < present.size(); ++k) {
      local[present[k]] = static_cast<std::uint32_t>(k);
      slot_group.push_back(present[k]);
      slot_size.push_back(0);
    }
    const std::size_t first = block_slots.back();
    for (std::size_t v = begin; v < end; ++v) {
      const auto g = groups_of(v);
      user_slots[v] = {static_cast<std::uint16_t>(local[g[0]]), static_cast<std::uint16_t>(local[g[1]])};
      ++slot_size[first];
      ++slot_size[first + local[g[0]]];
      if (num_communities > 0) ++slot_size[first + local[g[1]]];
    }
    for (std::uint32_t g : present) local[g] = ~0u;
    local[0] = ~0u;
    block_slots.push_back(slot_group.size());
  }
  group_slot_offsets.assign(groups() + 1, 0);
  for (std::size_t s = 0; s < slot_group.size(); ++s) {
    ++group_slot_offsets[slot_group[s] + 1];
    size[slot_group[s]] += slot_size[s];
  }
  std::partial_sum(group_slot_offsets.begin(), group_slot_offsets.end(), group_slot_offsets.begin());
  group_slots.resize(slot_group.size());
  std::vector<std::uint64_t> next(group_slot_offsets.begin(), group_slot_offsets.end() - 1);
  for (std::size_t s = 0; s < slot_group.size(); ++s) group_slots[next[slot_group[s]]++] = s;
}

std::vector<SeriesSpec> AttitudeState::series_specs(std::uint32_t num_communities) {
  const std::vector<std::string> regions{"domestic", "international"};
  std::vector<std::string> communities, bins;
  for (std::uint32_t c = 0; c < num_communities; ++c) communities.push_back(std::to_string(c));
  for (std::size_t b = 0; b < kHistogramBins; ++b) {
    const double lo = -1.0 + 2.0 * static_cast<double>(b) / kHistogramBins;
    const double hi = lo + 2.0 / kHistogramBins;
    bins.push_back(fmt::format("[{:.1f}, {:.1f}{}", lo, hi, b + 1 == kHistogramBins ? "]" : ")"));
  }
  std::vector<SeriesSpec> specs{
      {"attitude_mean", "attitude", "Mean attitude toward the institution over all users, [-1, 1].", {}},
      {"attitude_variance", "attitude^2", "Variance of the users' attitudes (population variance).", {}},
      {"attitude_mean_by_region", "attitude", "Mean attitude of domestic and of international users (NaN for an empty region).", regions},
      {"attitude_variance_by_region", "attitude^2", "Attitude variance of domestic and of international users.", regions},
  };
  if (num_communities > 0) {
    specs.push_back({"attitude_mean_by_community", "attitude", "Mean attitude of each community's users (NaN for an empty community).", communities});
    specs.push_back({"attitude_variance_by_community", "attitude^2", "Attitude variance of each community's users.", communities});
  }
  specs.push_back({"attitude_histogram", "users", "Users by attitude, in 20 bins of width 0.1 over [-1, 1].", bins});
  specs.push_back({"soft_power_index", "attitude", "Mean over all users of their attitude minus the attitude they would have had without the institution's items (same priors, decay and social step).", {}});
  specs.push_back({"soft_power_index_reached", "attitude", "The same difference averaged over the users reached by any item so far (NaN before anyone is reached).", {}});
  specs.push_back({"soft_power_index_readers", "attitude", "The same difference averaged over the users who have opened at least one of the institution's items so far (NaN before the first read).", {}});
  return specs;
}

AttitudeState::AttitudeState(const AttitudeModel& model, const AttitudeGroups& groups, VertexId users,
                             std::span<const std::uint8_t> region, std::uint64_t seed, RunId run)
    : model_(model),
      groups_(groups),
      x_(users),
      x0_(users),
      gap_(users, 0.0),
      reads_(users, 0),
      dirty_(std::make_unique<std::atomic<std::uint8_t>[]>(groups.blocks())),
      slot_sum_(groups.slot_group.size()),
      slot_squares_(groups.slot_group.size()),
      group_mean_(groups.groups(), std::numeric_limits<double>::quiet_NaN()),
      group_variance_(groups.groups(), std::numeric_limits<double>::quiet_NaN()),
      block_totals_(groups.blocks()) {
  if (groups.users() != users) {
    throw std::invalid_argument(
        fmt::format("attitudes: the groups hold {} users, the state {}", groups.users(), users));
  }
  model_.priors(seed, run, region.empty() ? region : region.first(std::min<std::size_t>(region.size(), users)), x0_);
  x_ = x0_;
}

void AttitudeState::read(VertexId v, const ItemSpec& item) {
  if (v >= x_.size()) return;
  const double before = x_[v];
  x_[v] = model_.on_read(before, x0_[v], item, reads_[v]);
  // A first read changes the readers' index even when it moves nobody (a saturated model).
  ++reads_[v];
  gap_[v] += x_[v] - before;
  if (x_[v] != before) moved_.store(true, std::memory_order_relaxed);
  touch(v);
}

void AttitudeState::reached(VertexId v) {
  if (v < x_.size()) touch(v);
}

void AttitudeState::daily() {
  // Before the first read moves anyone, x = x0 and the gap is zero: such a day is a no-op for a
  // model that keeps priors, and skipping it makes a day with nothing read cost nothing.
  if (!moved_.load(std::memory_order_relaxed) && model_.day_keeps_priors()) return;
  model_.daily_with_gap(x_, x0_, gap_);
  touch_all_ = true;
}

void AttitudeState::start(RunResult& result, Step num_steps, Step snapshot_every) {
  result.series.clear();
  widths_.clear();
  for (const auto& spec : series_specs(groups_.num_communities)) {
    widths_.push_back(spec.width());
    result.series.emplace_back(static_cast<std::size_t>(num_steps) * spec.width(), 0.0);
  }
  snapshot_every_ = snapshot_every;
}

void AttitudeState::recompute_block(std::size_t b, const AtomicBits& reached) {
  const std::size_t begin = b * AttitudeGroups::kUsersPerBlock;
  const std::size_t end = std::min(x_.size(), begin + AttitudeGroups::kUsersPerBlock);
  const std::size_t first = groups_.block_slots[b], slots = groups_.block_slots[b + 1] - first;
  const std::uint32_t* size = &groups_.slot_size[first];
  double* sum = &slot_sum_[first];
  double* squares = &slot_squares_[first];
  std::fill_n(sum, slots, 0.0);
  std::fill_n(squares, slots, 0.0);
  // Every user is in slot 0 (all users) and its region's; with communities, in its community's.
  const std::size_t memberships = groups_.num_communities > 0 ? 3 : 2;
  const auto slot = [&](std::size_t v, std::size_t k) -> std::size_t {
    return k == 0 ? 0 : groups_.user_slots[v][k - 1];
  };
  BlockTotals totals{};
  for (std::size_t v = begin; v < end; ++v) {
    for (std::size_t k = 0; k < memberships; ++k) sum[slot(v, k)] += x_[v];
    ++totals.histogram[bin_of(x_[v])];
    totals.change += gap_[v];
    if (reached.test(v)) {
      totals.reached_change += gap_[v];
      ++totals.reached;
    }
    if (reads_[v] != 0) {
      totals.readers_change += gap_[v];
      ++totals.readers;
    }
  }
  // Each slot's mean once, not one division per user and membership (the same quotient, so the
  // same bits).
  std::vector<double> mean(slots);
  for (std::size_t s = 0; s < slots; ++s) mean[s] = sum[s] / size[s];
  for (std::size_t v = begin; v < end; ++v) {
    for (std::size_t k = 0; k < memberships; ++k) {
      const std::size_t s = slot(v, k);
      const double d = x_[v] - mean[s];
      squares[s] += d * d;
    }
  }
  block_totals_[b] = totals;
}

void AttitudeState::combine(std::span<const std::size_t> stale_blocks) {
  // The groups with a slot in a stale block; each is summed again over all its slots in block
  // order, so the result does not depend on which blocks were stale.
  std::vector<std::uint8_t> stale_group(groups_.groups(), 0);
  for (std::size_t b : stale_blocks) {
    for (std::uint64_t s = groups_.block_slots[b]; s < groups_.block_slots[b + 1]; ++s) {
      stale_group[groups_.slot_group[s]] = 1;
    }
  }
  std::vector<std::size_t> stale;
  for (std::size_t g = 0; g < stale_group.size(); ++g) {
    if (stale_group[g]) stale.push_back(g);
  }
  // Mean and variance from the slots' sums and squared deviations about the slot means (the
  // parallel-axis theorem: no cancellation between large squares).
  tbb::parallel_for(std::size_t{0}, stale.size(), [&](std::size_t i) {
    const std::size_t g = stale[i];
    const std::uint64_t* slot = &groups_.group_slots[groups_.group_slot_offsets[g]];
    const std::size_t slots = groups_.group_slot_offsets[g + 1] - groups_.group_slot_offsets[g];
    const auto count = static_cast<double>(groups_.size[g]);
    double sum = 0.0;
    for (std::size_t k = 0; k < slots; ++k) sum += slot_sum_[slot[k]];
    const double m = sum / count;
    double squares = 0.0;
    for (std::size_t k = 0; k < slots; ++k) {
      const double in_slot = groups_.slot_size[slot[k]];
      const double d = slot_sum_[slot[k]] / in_slot - m;
      squares += slot_squares_[slot[k]] + in_slot * d * d;
    }
    group_mean_[g] = m;
    group_variance_[g] = squares / count;
  });
  std::array<double, kHistogramBins> histogram{};
  double change = 0.0, reached_change = 0.0, readers_change = 0.0;
  std::uint64_t reached_users = 0, readers = 0;
  for (const BlockTotals& t : block_totals_) {
    for (std::size_t i = 0; i < kHistogramBins; ++i) histogram[i] += static_cast<double>(t.histogram[i]);
    change += t.change;
    reached_change += t.reached_change;
    reached_users += t.reached;
    readers_change += t.readers_change;
    readers += t.readers;
  }
  constexpr std::size_t kRegions = AttitudeGroups::kRegions;
  const auto& mean = group_mean_;
  const auto& variance = group_variance_;
  last_.clear();
  last_.push_back(mean[0]);
  last_.push_back(variance[0]);
  last_.insert(last_.end(), mean.begin() + 1, mean.begin() + 1 + kRegions);
  last_.insert(last_.end(), variance.begin() + 1, variance.begin() + 1 + kRegions);
  if (groups_.num_communities > 0) {
    last_.insert(last_.end(), mean.begin() + 1 + kRegions, mean.end());
    last_.insert(last_.end(), variance.begin() + 1 + kRegions, variance.end());
  }
  last_.insert(last_.end(), histogram.begin(), histogram.end());
  last_.push_back(x_.empty() ? 0.0 : change / static_cast<double>(x_.size()));
  const auto mean_or_nan = [](double sum, std::uint64_t count) {
    return count == 0 ? std::numeric_limits<double>::quiet_NaN() : sum / static_cast<double>(count);
  };
  last_.push_back(mean_or_nan(reached_change, reached_users));
  last_.push_back(mean_or_nan(readers_change, readers));
}

void AttitudeState::record(Step step, RunResult& result, const AtomicBits& reached) {
  std::vector<std::size_t> stale;
  for (std::size_t b = 0; b < groups_.blocks(); ++b) {
    if (dirty_[b].exchange(0, std::memory_order_relaxed) != 0 || touch_all_) stale.push_back(b);
  }
  touch_all_ = false;
  if (!stale.empty() || last_.empty()) {
    tbb::parallel_for(std::size_t{0}, stale.size(), [&](std::size_t i) { recompute_block(stale[i], reached); });
    combine(stale);
  }
  std::size_t at = 0;
  for (std::size_t k = 0; k < widths_.size(); ++k) {
    const std::size_t width = widths_[k];
    std::copy_n(last_.begin() + static_cast<std::ptrdiff_t>(at), width,
                result.series[k].begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(step) * width));
    at += width;
  }
  if (snapshot_every_ > 0 && step % snapshot_every_ == 0) {
    result.snapshot_steps.push_back(step);
    result.snapshots.insert(result.snapshots.end(), x_.begin(), x_.end());
  }
}

}  // namespace softpower
