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
// Statistics are kept per block of users and recomputed only for the blocks whose users read,
// were reached or moved since the last step (a day's step moves every block), then added up
// over blocks in block order: a step that touches a few users costs in proportion to them plus
// one pass over the blocks, and the figures are bit-identical for any thread count.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <span>
#include <vector>

#include "sim/atomic_bits.hpp"
#include "sim/model.hpp"
#include "sim/run_result.hpp"

namespace softpower {

/// Users grouped for the statistics (built once per engine, shared by its runs): group 0 is
/// every user, groups 1-2 the regions, then one group per community. Users are cut into blocks
/// of kUsersPerBlock in id order; a slot is one group's share of one block, so a run keeps one
/// partial sum per slot and a block touches only its own slots, however many communities there
/// are.
struct AttitudeGroups {
  static constexpr std::size_t kRegions = 2;
  static constexpr std::size_t kUsersPerBlock = 4096;

  std::uint32_t num_communities = 0;
  std::vector<std::uint64_t> size;  // users per group
  // Block b's slots are [block_slots[b], block_slots[b + 1]), by increasing group; the first is
  // group 0's.
  std::vector<std::uint64_t> block_slots;
  std::vector<std::uint32_t> slot_group, slot_size;
  // Group g's slots, in block order: group_slots[group_slot_offsets[g] ...].
  std::vector<std::uint64_t> group_slot_offsets, group_slots;
  // Per user: the slots of its region and its community, counted from its block's first slot
  // (the community's is 0, group 0's slot, without communities).
  std::vector<std::array<std::uint16_t, 2>> user_slots;

  AttitudeGroups(VertexId users, std::span<const std::uint8_t> region,
                 std::span<const std::uint32_t> community);
  [[nodiscard]] std::size_t groups() const { return size.size(); }
  [[nodiscard]] std::size_t users() const { return user_slots.size(); }
  [[nodiscard]] std::size_t blocks() const { return block_slots.size() - 1; }
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
  /// User v was reached by some item for the first time (its block's reach sums change). Safe
  /// to call concurrently; institutions are ignored.
  void reached(VertexId v);

  /// Sizes result.series for `num_steps` steps (call once before the first record()).
  void start(RunResult& result, Step num_steps, Step snapshot_every);
  /// Statistics of the state at the end of `step`, and a snapshot if the step is a snapshot
  /// step. Only the blocks touched since the last record (by read(), reached() or daily()) are
  /// recomputed. `reached` has bit v set for users reached by any item so far (at least
  /// users() bits).
  void record(Step step, RunResult& result, const AtomicBits& reached);
  /// Makes the next record() recompute every block (the result is the same: for tests).
  void touch_all() { touch_all_ = true; }

 private:
  struct BlockTotals {
    std::array<std::uint32_t, kHistogramBins> histogram;
    double change, reached_change, readers_change;
    std::uint32_t reached, readers;
  };

  void touch(VertexId v) { dirty_[v / AttitudeGroups::kUsersPerBlock].store(1, std::memory_order_relaxed); }
  void recompute_block(std::size_t b, const AtomicBits& reached);
  void combine(std::span<const std::size_t> stale_blocks);

  const AttitudeModel& model_;
  const AttitudeGroups& groups_;
  std::vector<double> x_, x0_;
  std::vector<double> gap_;  // x minus the attitudes without the institution
  std::vector<std::uint32_t> reads_;
  std::atomic<bool> moved_{false};  // some read has moved some user since the start
  std::unique_ptr<std::atomic<std::uint8_t>[]> dirty_;  // per block: touched since the last record
  bool touch_all_ = true;
  // Per slot (see AttitudeGroups): the sum of its users' attitudes and of their squared
  // deviations from the slot's mean.
  std::vector<double> slot_sum_, slot_squares_;
  std::vector<double> group_mean_, group_variance_;
  std::vector<BlockTotals> block_totals_;
  std::vector<double> last_;  // the statistics last computed, series-major
  std::vector<std::size_t> widths_;  // values per step of each series
  Step snapshot_every_ = 0;
};

}  // namespace softpower
