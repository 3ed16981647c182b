// The step loop: one institution publishes items as its strategy plans; each item spreads from
// the users who share it. Synchronous steps; within a step every delivery is examined in
// parallel (balanced by recipients, so one vertex with a million followers is split across
// threads). Two delivery rules (sim/detail/spread.hpp):
//   - decided on arrival (the independent cascade family): each exposure is opened or lost in
//     the step it arrives, one draw per arc; with activity 1 and share probability 1 this is
//     the independent cascade model (bond percolation), with open probability 1 site
//     percolation;
//   - feeds (DiffusionModel::feed()): items wait in feeds until opened or expired; readers
//     share to one channel (Moments, chat, group, Wow).
// Per item, users hold set-once bits (one word per user in the feed rule), the only shared
// writes in the hot loop; counters are per thread and merged at step end. Every random draw is
// keyed by what it decides (sim/rng.hpp), so the outcome does not depend on the thread count or
// on the order in which threads examine deliveries. The platform filter decides at publication
// whether an item is blocked, when it is taken down and how it scales opening and sharing;
// takedowns are strikes that can suspend the account. With an attitude model, reads move
// attitudes and each simulated day runs the model's daily step (sim/attitude_state.hpp). Steps
// with nothing live are skipped to the next publication, takedown or day, so the cost of a run
// follows its cascades, not users x steps.
#pragma once

#include <atomic>
#include <exception>
#include <span>
#include <vector>

#include "sim/attitude_state.hpp"
#include "sim/graph.hpp"
#include "sim/model.hpp"
#include "sim/run_result.hpp"
#include "sim/scenario.hpp"
#include "sim/wechat_like.hpp"

namespace softpower {

/// Where the institution sits in the graph for every run.
struct Publisher {
  /// A fixed vertex, or kNoVertex to draw a uniform vertex in [0, num_users) per run.
  VertexId vertex = kNoVertex;
  VertexId num_users = 0;  // users are [0, num_users); an added institution vertex lies beyond
};

/// Thrown by Engine::run when its cancel flag is raised.
struct RunCancelled : std::exception {
  [[nodiscard]] const char* what() const noexcept override { return "run cancelled"; }
};

struct EngineConfig {
  std::uint64_t seed = 1;
  Step num_steps = 1;
  double step_hours = 1.0;
  const PlatformFilter* filter = nullptr;  // null: no censorship
  std::span<const std::uint8_t> region{};  // per user, 0 domestic / 1 international; empty: all domestic
  const ChatGroups* groups = nullptr;      // chat groups for group shares; null: nobody is in a group
  const AttitudeModel* attitude = nullptr;  // null: no attitudes
  std::span<const std::uint32_t> community{};  // per user, for attitude statistics; empty: none
  /// Record per-user events (RunResult::events) for `softpower export`. Costs one list entry
  /// per read, a step per vertex, and in the feed rule 8 bytes per vertex per live item.
  bool record_events = false;
};

class Engine {
 public:
  /// The publisher and the strategy's key opinion leaders start every item's cascade: they
  /// expose their audiences in the publication step and never count as its readers.
  Engine(const SocialGraph& graph, Publisher publisher, const DiffusionModel& diffusion,
         const StrategyModel& strategy, EngineConfig config);

  /// The metrics every run reports, in the order of RunResult::metrics.
  static const std::vector<MetricSpec>& metric_specs();
  /// The float64 series of this engine's runs (attitude statistics), in the order of
  /// RunResult::series. Empty without an attitude model.
  [[nodiscard]] std::vector<SeriesSpec> series_specs() const;
  /// Users per attitude snapshot (0: this engine takes no snapshots).
  [[nodiscard]] VertexId snapshot_users() const;
  /// The shape of the events each run records; disabled unless config.record_events.
  [[nodiscard]] EventsLayout events_layout() const;

  /// Runs one replicate; `run` keys its random streams. Thread-safe: runs share the engine
  /// read-only. Parallelism follows the caller's TBB arena (tbb::global_control or task_arena).
  /// If `cancel` is given and becomes true, the run stops and throws RunCancelled (a sweep
  /// abandoning its runs in flight on SIGTERM). The flag is read before each step and, inside a
  /// step, before each attitude day and each live item, so a long step stops within a fraction
  /// of a second.
  [[nodiscard]] RunResult run(RunId run, const std::atomic<bool>* cancel = nullptr) const;

 private:
  const SocialGraph& graph_;
  Publisher publisher_;
  const DiffusionModel& diffusion_;
  const StrategyModel& strategy_;
  EngineConfig config_;
  // Feed model only: per-vertex attention factor, and each user's chat groups (CSR).
  std::vector<float> attention_;
  std::vector<std::uint64_t> group_offsets_;
  std::vector<std::uint32_t> user_groups_;
  std::unique_ptr<AttitudeGroups> attitude_groups_;  // with an attitude model
  std::uint64_t graph_checksum_ = 0;  // recorded with events
};

}  // namespace softpower
