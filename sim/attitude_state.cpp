#include "sim/attitude_state.hpp"

#include <fmt/format.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace softpower {
namespace {

constexpr std::size_t kRegionGroups = 2;
constexpr std::size_t kUsersPerHistogramBlock = 1 << 16;

std::size_t bin_of(double x) {
  const auto bin = static_cast<std::ptrdiff_t>(std::floor((x + 1.0) / 2.0 * AttitudeState::kHistogramBins));
  return static_cast<std::size_t>(std::clamp<std::ptrdiff_t>(bin, 0, AttitudeState::kHistogramBins - 1));
}

}  // namespace

AttitudeGroups::AttitudeGroups(VertexId users, std::span<const std::uint8_t> region,
                               std::span<const std::uint32_t> community) {
  if (!community.empty()) {
    num_communities = *std::max_element(community.begin(), community.begin() + std::min<std::size_t>(users, community.size())) + 1;
  }
  const std::size_t groups = 1 + kRegionGroups + num_communities;
  std::vector<std::vector<VertexId>> lists(groups);
  for (VertexId v = 0; v < users; ++v) {
    lists[0].push_back(v);
    lists[1 + (v < region.size() ? region[v] : 0)].push_back(v);
    if (v < community.size()) lists[1 + kRegionGroups + community[v]].push_back(v);
  }
  offsets.assign(1, 0);
  for (const auto& list : lists) {
    members.insert(members.end(), list.begin(), list.end());
    offsets.push_back(members.size());
  }
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
    : model_(model), groups_(groups), x_(users), x0_(users), gap_(users, 0.0), reads_(users, 0) {
  model_.priors(seed, run, region.empty() ? region : region.first(std::min<std::size_t>(region.size(), users)), x0_);
  x_ = x0_;
}

void AttitudeState::read(VertexId v, const ItemSpec& item) {
  if (v >= x_.size()) return;
  const double before = x_[v];
  x_[v] = model_.on_read(before, x0_[v], item, reads_[v]);
  // A first read changes the readers' index even when it moves nobody (a saturated model).
  const bool first_read = reads_[v]++ == 0;
  gap_[v] += x_[v] - before;
  if (x_[v] != before) moved_.store(true, std::memory_order_relaxed);
  if (x_[v] != before || first_read) changed_.store(true, std::memory_order_relaxed);
}

void AttitudeState::daily() {
  // Before the first read moves anyone, x = x0 and the gap is zero: such a day is a no-op for a
  // model that keeps priors, and skipping it makes a day with nothing read cost nothing.
  if (!moved_.load(std::memory_order_relaxed) && model_.day_keeps_priors()) return;
  model_.daily_with_gap(x_, x0_, gap_);
  changed_.store(true, std::memory_order_relaxed);
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

void AttitudeState::record(Step step, RunResult& result, const std::atomic<std::uint8_t>* reached,
                           std::int64_t reach) {
  const std::size_t groups = groups_.offsets.size() - 1;
  const bool reach_changed = reach != last_reach_;
  last_reach_ = reach;
  if (changed_.exchange(false, std::memory_order_relaxed) || reach_changed || last_.empty()) {
    std::vector<double> mean(groups), variance(groups);
    tbb::parallel_for(std::size_t{0}, groups, [&](std::size_t g) {
      const std::uint64_t begin = groups_.offsets[g], end = groups_.offsets[g + 1];
      if (begin == end) {
        mean[g] = variance[g] = std::numeric_limits<double>::quiet_NaN();
        return;
      }
      double sum = 0.0;
      for (std::uint64_t k = begin; k < end; ++k) sum += x_[groups_.members[k]];
      const double m = sum / static_cast<double>(end - begin);
      double squares = 0.0;
      for (std::uint64_t k = begin; k < end; ++k) {
        const double d = x_[groups_.members[k]] - m;
        squares += d * d;
      }
      mean[g] = m;
      variance[g] = squares / static_cast<double>(end - begin);
    });
    const std::size_t blocks = (x_.size() + kUsersPerHistogramBlock - 1) / kUsersPerHistogramBlock;
    std::vector<std::array<std::uint64_t, kHistogramBins>> block_counts(blocks);
    std::vector<double> block_change(blocks), block_reached_change(blocks), block_readers_change(blocks);
    std::vector<std::uint64_t> block_reached(blocks), block_readers(blocks);
    tbb::parallel_for(std::size_t{0}, blocks, [&](std::size_t b) {
      const std::size_t begin = b * kUsersPerHistogramBlock, end = std::min(x_.size(), begin + kUsersPerHistogramBlock);
      block_counts[b].fill(0);
      double change = 0.0, reached_change = 0.0, readers_change = 0.0;
      std::uint64_t reached_users = 0, readers = 0;
      for (std::size_t v = begin; v < end; ++v) {
        ++block_counts[b][bin_of(x_[v])];
        change += gap_[v];
        if (reached[v].load(std::memory_order_relaxed) != 0) {
          reached_change += gap_[v];
          ++reached_users;
        }
        if (reads_[v] != 0) {
          readers_change += gap_[v];
          ++readers;
        }
      }
      block_change[b] = change;
      block_reached_change[b] = reached_change;
      block_reached[b] = reached_users;
      block_readers_change[b] = readers_change;
      block_readers[b] = readers;
    });
    std::array<double, kHistogramBins> histogram{};
    double change = 0.0, reached_change = 0.0, readers_change = 0.0;
    std::uint64_t reached_users = 0, readers = 0;
    for (std::size_t b = 0; b < blocks; ++b) {
      for (std::size_t i = 0; i < kHistogramBins; ++i) histogram[i] += static_cast<double>(block_counts[b][i]);
      change += block_change[b];
      reached_change += block_reached_change[b];
      reached_users += block_reached[b];
      readers_change += block_readers_change[b];
      readers += block_readers[b];
    }
    last_.clear();
    last_.push_back(mean[0]);
    last_.push_back(variance[0]);
    last_.insert(last_.end(), mean.begin() + 1, mean.begin() + 1 + kRegionGroups);
    last_.insert(last_.end(), variance.begin() + 1, variance.begin() + 1 + kRegionGroups);
    if (groups_.num_communities > 0) {
      last_.insert(last_.end(), mean.begin() + 1 + kRegionGroups, mean.end());
      last_.insert(last_.end(), variance.begin() + 1 + kRegionGroups, variance.end());
    }
    last_.insert(last_.end(), histogram.begin(), histogram.end());
    last_.push_back(x_.empty() ? 0.0 : change / static_cast<double>(x_.size()));
    const auto mean_or_nan = [](double sum, std::uint64_t count) {
      return count == 0 ? std::numeric_limits<double>::quiet_NaN() : sum / static_cast<double>(count);
    };
    last_.push_back(mean_or_nan(reached_change, reached_users));
    last_.push_back(mean_or_nan(readers_change, readers));
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
