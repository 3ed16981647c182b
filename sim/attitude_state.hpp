// One run's attitudes: every user's attitude x and prior x0, the reads that moved them, and the
// per-step statistics and snapshots the result file stores. The attitude model (models/attitude)
// owns the rules; this class owns the state and the bookkeeping, so the engine's step loop only
// calls read(), daily() and record().
//
// The soft-power index needs a counterfactual: the attitudes the same users would have had
// without the institution's items. Decay and the social step are affine in x, so the gap
// g = x - x_without evolves by their linear part alone: reading adds the attitude change to g,
// and each day g goes through the daily step with a zero prior. Mean g is the index.
//
// Statistics are sums in a fixed order (each group summed sequentially, groups in parallel), so
// they are bit-identical for any thread count.
#pragma once

#include <atomic>
#include <memory>
#include <span>
#include <vector>

#include "sim/model.hpp"
#include "sim/run_result.hpp"

namespace softpower {

/// Users grouped for the statistics (built once per engine, shared by its runs): the users of
/// each region and of each community, as lists in user order.
struct AttitudeGroups {
  std::vector<std::uint64_t> offsets;  // group g is members[offsets[g], offsets[g + 1])
  std::vector<VertexId> members;
  std::uint32_t num_communities = 0;   // groups: 0 all users, 1-2 regions, then communities

  AttitudeGroups(VertexId users, std::span<const std::uint8_t> region,
                 std::span<const std::uint32_t> community);
};

class AttitudeState {
 public:
  static constexpr std::size_t kHistogramBins = 20;

  /// The series record() fills, in order (community series only when there are communities).
  static std::vector<SeriesSpec> series_specs(std::uint32_t num_communities);

  AttitudeState(const AttitudeModel& model, const AttitudeGroups& groups, VertexId users,
                std::span<const std::uint8_t> region, std::uint64_t seed, RunId run);

  [[nodiscard]] VertexId users() const { return static_cast<VertexId>(x_.size()); }
  [[nodiscard]] double attitude(VertexId v) const { return v < x_.size() ? x_[v] : 0.0; }
  /// Every user's attitude now, as float (the precision of the result file).
  [[nodiscard]] std::vector<float> attitudes() const { return {x_.begin(), x_.end()}; }

  /// User v reads `item`. Safe to call concurrently for distinct users; institutions (v beyond
  /// the users) are ignored.
  void read(VertexId v, const ItemSpec& item);
  /// One day of decay and social influence.
  void daily();

  /// Sizes result.series for `num_steps` steps (call once before the first record()).
  void start(RunResult& result, Step num_steps, Step snapshot_every);
  /// Statistics of the state at the end of `step` (recomputed only if the attitudes or the
  /// number of reached users changed since the last record), and a snapshot if the step is a
  /// snapshot step. `reached[v]` is non-zero for users reached by any item so far (at least
  /// users() entries), `reach` their number.
  void record(Step step, RunResult& result, const std::atomic<std::uint8_t>* reached, std::int64_t reach);

 private:
  const AttitudeModel& model_;
  const AttitudeGroups& groups_;
  std::vector<double> x_, x0_;
  std::vector<double> gap_;  // x minus the attitudes without the institution
  std::vector<std::uint32_t> reads_;
  std::atomic<bool> changed_{true};
  std::atomic<bool> moved_{false};  // some read has moved some user since the start
  std::int64_t last_reach_ = -1;
  std::vector<double> last_;  // the statistics last computed, series-major
  std::vector<std::size_t> widths_;  // values per step of each series
  Step snapshot_every_ = 0;
};

}  // namespace softpower
