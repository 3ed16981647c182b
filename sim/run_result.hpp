// What one run produces: per-step metric series and the per-item table. The engine fills it;
// the writer in output/ stores it. Neither knows the other.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/model.hpp"
#include "sim/phase_times.hpp"
#include "sim/types.hpp"

namespace softpower {

/// Static description of one per-step metric; the writer creates /metrics/<name> from it.
struct MetricSpec {
  std::string name;         // dataset name, snake_case
  std::string unit;         // "count", "users", ...
  std::string description;  // one line, stored as an attribute
};

/// A per-step float64 series, optionally with a column axis (per region, per community,
/// histogram bins); stored as /metrics/<name>, [run, step] or [run, step, column].
struct SeriesSpec {
  std::string name;
  std::string unit;
  std::string description;
  std::vector<std::string> columns;  // empty: one value per step; else one per column
  [[nodiscard]] std::size_t width() const { return columns.empty() ? 1 : columns.size(); }
};

/// Per-item outcome of a run (one row of /items).
struct ItemRecord {
  ItemId item = 0;
  std::uint32_t push = 0;     // push it was published in
  std::uint32_t topic = 0;    // index into the strategy's topics
  double appeal = 0.0;
  double sensitivity = 0.0;
  double valence = 0.0;
  Step publish_step = 0;
  bool blocked = false;       // stopped before publication (never delivered)
  Step takedown_step = -1;    // step it was removed in; -1: never (within the horizon)
  std::uint64_t reads = 0;    // users who opened it
  std::uint64_t shares = 0;   // users who shared it
  std::uint64_t first_hop_shares = 0;  // shares by readers one hop from the publisher or a paid seed
  std::uint64_t reach = 0;    // distinct users it was delivered to
  std::uint32_t depth = 0;    // most hops from the publisher to a reader (1: only followers and paid seeds' audiences read it; 0: nobody)
};

/// How a read ended (ReadEvent::outcome).
enum class ReadOutcome : std::uint8_t {
  kRead = 0,           // opened, not shared
  kShared = 1,         // shared, and the share was delivered
  kShareFiltered = 2,  // shared, but the platform silently dropped the share
  kSelfCensored = 3,   // would have shared but for self-censorship
};

/// One user's read (open) of one item. Every user opens an item at most once, and decides on
/// sharing when they open it, so one event holds both.
struct ReadEvent {
  ItemId item = 0;
  VertexId user = 0;
  Step step = 0;  // step of the open (and of the share, if any)
  /// Whose delivery the read is credited to: among the deliveries the user got before opening,
  /// the one with the fewest hops from the publisher, ties to the lowest sharer id. The
  /// publisher, a paid seed or a sharer; the parent of the user in the item's cascade tree.
  VertexId parent = kNoVertex;
  std::uint32_t hop = 0;             // hops from the publisher: 1 for its followers and paid seeds' audiences
  Channel via = Channel::kPush;      // channel credited with the open (as in the opens_* metrics)
  ReadOutcome outcome = ReadOutcome::kRead;
  Channel share_channel = Channel::kPush;  // shared or filtered: where to; kPush otherwise
  bool operator==(const ReadEvent&) const = default;
};

/// Per-user events of one run, recorded only when the scenario asks for them (an `export:`
/// block): what `softpower export` needs, without dense per-step per-user states.
struct UserEvents {
  /// Per vertex: the step in which any item was first delivered to it; -1 if never. Empty: the
  /// run recorded no events.
  std::vector<Step> first_exposure;
  std::vector<ReadEvent> reads;  // sorted by (item, user)
  /// Per user (vertices 0 .. users-1), with an attitude model: attitude before the first step
  /// and after the last. Empty without attitudes.
  std::vector<float> attitude_initial;
  std::vector<float> attitude_final;
  std::uint64_t graph_checksum = 0;  // SocialGraph::checksum() of the graph the run used
  [[nodiscard]] bool recorded() const { return !first_exposure.empty(); }
  bool operator==(const UserEvents&) const = default;
};

/// The shape of a result file's events: `vertices` first-exposure steps and `attitude_users`
/// attitudes per run. vertices == 0: the file holds no events.
struct EventsLayout {
  VertexId vertices = 0;
  VertexId attitude_users = 0;
  [[nodiscard]] bool enabled() const { return vertices > 0; }
  bool operator==(const EventsLayout&) const = default;
};

struct RunResult {
  RunId run = 0;
  std::uint64_t seed = 0;
  VertexId institution = kNoVertex;  // the publishing vertex of this run
  /// metrics[k][s]: value of metric k (same order as the engine's metric_specs()) at step s.
  std::vector<std::vector<std::int64_t>> metrics;
  /// series[k][s * width + c]: float64 series k (order of the engine's series_specs()).
  std::vector<std::vector<double>> series;
  /// Attitude snapshots: every user's attitude at each of snapshot_steps, snapshot-major.
  std::vector<Step> snapshot_steps;
  std::vector<float> snapshots;
  std::vector<ItemRecord> items;
  Step steps_run = 0;  // steps actually simulated (the run stops early when nothing can happen)
  UserEvents events;   // empty unless the engine records events
  PhaseTimes phases;   // wall time per phase of the step loop (not part of the results)
};

}  // namespace softpower
