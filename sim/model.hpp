// Interfaces between the engine (sim/) and the models (models/). A model owns a local rule and
// hands the engine plain numbers once per step; the engine owns the loops, the parallelism and
// the state buffers. So there is one virtual call per step, never per vertex or arc.
#pragma once

#include <yaml-cpp/yaml.h>

#include <span>
#include <string>
#include <vector>

#include "sim/types.hpp"

namespace softpower {

/// The diffusion rule for one step.
struct DiffusionRule {
  double activity = 1.0;           // probability that a user is active (online) in the step
  double open_probability = 1.0;   // probability that an active user opens one exposure
  double share_probability = 1.0;  // probability that a reader shares to their audience
};

class DiffusionModel {
 public:
  virtual ~DiffusionModel() = default;
  [[nodiscard]] virtual std::string name() const = 0;
  /// Every parameter with its effective value, `model` included (written to result files).
  [[nodiscard]] virtual YAML::Node effective_params() const = 0;
  [[nodiscard]] virtual DiffusionRule rule(Step step) const = 0;
};

/// One article the institution publishes.
struct ItemSpec {
  Step step = 0;            // publication step
  std::uint32_t push = 0;   // index of the push it belongs to (several articles per push)
  std::uint32_t topic = 0;  // index into the strategy's topic list
  double appeal = 0.5;      // [0, 1]
  double sensitivity = 0.0; // [0, 1]
  double valence = 0.0;     // [-1, 1]: the soft-power message, negative = critical
};

/// What the institution publishes in one run: items in publication order, and the pushes the
/// account's quota refused.
struct PublicationPlan {
  std::vector<ItemSpec> items;
  std::vector<Step> refused;  // step of every refused push
};

/// A posting strategy: when and what the institution publishes, and whom it pays to seed it.
class StrategyModel {
 public:
  virtual ~StrategyModel() = default;
  [[nodiscard]] virtual std::string name() const = 0;
  [[nodiscard]] virtual YAML::Node effective_params() const = 0;
  /// The run's publications; topic draws are keyed by (seed, run), so runs differ.
  [[nodiscard]] virtual PublicationPlan plan(std::uint64_t seed, RunId run, Step num_steps,
                                             double step_hours) const = 0;
  /// Paid key opinion leaders: each shares every item to their audience when it is published.
  [[nodiscard]] virtual std::span<const VertexId> seeds() const = 0;
};

inline constexpr Step kNever = -1;

/// What the platform filter decided about one item at publication, for the engine to apply.
/// Indexed by region where it differs: [0] domestic (mainland-registered), [1] international.
struct ItemFilter {
  bool blocked = false;                   // never published (pre-publication keyword block)
  Step takedown_step = kNever;            // removed at the start of this step
  double open_multiplier = 1.0;           // down-ranking: scales every open probability
  double share_filter[2] = {0.0, 0.0};    // probability that a share is silently dropped
  double share_multiplier[2] = {1.0, 1.0};  // self-censorship: scales the share probability
};

/// The platform filter (censorship) at strength C. One call per published item.
class PlatformFilter {
 public:
  virtual ~PlatformFilter() = default;
  [[nodiscard]] virtual YAML::Node effective_params() const = 0;
  [[nodiscard]] virtual ItemFilter on_publish(const ItemSpec& item, ItemId id, std::uint64_t seed,
                                              RunId run, double step_hours) const = 0;
  /// Steps the account is suspended for after its `strike`-th strike (1-based); 0: none.
  [[nodiscard]] virtual Step suspension_steps(std::uint32_t strike, double step_hours) const = 0;
};

/// Attitudes x in [-1, 1] toward the institution, one per user (models/attitude/). The engine
/// owns the state vectors; the model owns the rules. See docs/model.md.
class AttitudeModel {
 public:
  virtual ~AttitudeModel() = default;
  [[nodiscard]] virtual std::string name() const = 0;
  [[nodiscard]] virtual YAML::Node effective_params() const = 0;
  /// Fills every user's prior attitude for one run (draws keyed by Purpose::kAttitudePrior).
  /// `region` is per user, 0 domestic / 1 international; empty means all domestic.
  virtual void priors(std::uint64_t seed, RunId run, std::span<const std::uint8_t> region,
                      std::span<double> prior) const = 0;
  /// The attitude of a user with attitude x and prior x0 after reading `item`, having read
  /// `reads_before` of the institution's items before. Pure: called concurrently for distinct
  /// users.
  [[nodiscard]] virtual double on_read(double x, double x0, const ItemSpec& item,
                                       std::uint32_t reads_before) const = 0;
  /// Advances every user's attitude by one day: decay toward the prior and the social step over
  /// the friend graph, in place. May parallelise internally; deterministic for any thread count.
  virtual void daily(std::span<double> x, std::span<const double> prior) const = 0;
  /// Steps between attitude snapshots in the result file; 0: no snapshots.
  [[nodiscard]] virtual Step snapshot_every_steps(double step_hours) const = 0;
};

}  // namespace softpower
