// Interfaces between the engine (sim/) and the models (models/). A model owns a local rule and
// hands the engine plain numbers once per step; the engine owns the loops, the parallelism and
// the state buffers. So there is one virtual call per step, never per vertex or arc.
#pragma once

#include <yaml-cpp/yaml.h>

#include <array>
#include <span>
#include <string>
#include <vector>

#include "sim/types.hpp"

namespace softpower {

/// How an item reaches a feed: the institution's push, or one of the four ways a user shares
/// (P15, P16: Moments and Wow reach friends; chats one friend; groups their members).
enum class Channel : std::uint8_t { kPush = 0, kMoments = 1, kChat = 2, kGroup = 3, kWow = 4 };
inline constexpr std::size_t kNumChannels = 5;
inline constexpr std::array<const char*, kNumChannels> kChannelNames{"push", "moments", "chat",
                                                                      "group", "wow"};

/// The feed model's numbers (models/diffusion/wechat_feed.hpp documents each and its source).
/// Items wait in feeds; active users open them with a probability that rises with appeal and
/// falls with age, with the user's number of sources and after the second exposure stops
/// adding; readers share to one channel.
struct FeedRule {
  double sessions_per_day = 3.0;     // mean feed checks per user per day
  double session_sigma = 1.0;        // lognormal shape of users' session rates
  std::array<double, 24> diurnal{};  // relative activity by hour of day, mean 1
  double open_probability = 0.02;    // per check, fresh item of appeal 0.5, single push exposure
  double appeal_slope = 2.0;         // open odds factor exp(slope * (appeal - 0.5))
  double age_half_life_hours = 6.0;  // open probability halves with this age
  double lifetime_hours = 48.0;      // an unopened feed entry expires at this age
  double attention_reference = 150;  // sources a user can follow without losing attention
  double attention_exponent = 0.5;   // attention factor min(1, (reference / sources)^exponent)
  double repeat_boost = 2.0;         // open factor from the second exposure on (no more after)
  std::array<double, kNumChannels> salience{};  // open factor by the channel it came through
  double share_probability = 0.03;   // per reader, appeal 0.5, propensity 1, attitude 0
  double share_appeal_slope = 1.0;   // share factor exp(slope * (appeal - 0.5))
  double share_sigma = 1.0;          // lognormal shape of users' share propensity
  double attitude_slope = 0.0;       // share factor max(0, 1 + slope * attitude)
  std::array<double, kNumChannels> channel_weight{};  // share channel mix ([kPush] unused)
};

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
  /// Non-null: items wait in feeds (FeedRule) and rule() is not used. Null: every exposure
  /// is decided on arrival by rule() (the independent cascade family).
  [[nodiscard]] virtual const FeedRule* feed() const { return nullptr; }
};

/// One article the institution publishes.
struct ItemSpec {
  Step step = 0;            // publication step
  std::uint32_t push = 0;   // index of the push it belongs to (several articles per push)
  std::uint32_t topic = 0;  // index into the strategy's topic list
  double appeal = 0.5;      // [0, 1]
  double sensitivity = 0.0; // [0, 1]
  double valence = 0.0;     // [-1, 1]: the soft-power message, negative = critical
  /// How well the article's language suits readers, [0] domestic, [1] international: scales
  /// their open probability.
  std::array<double, 2> language_fit{1.0, 1.0};
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
  /// Probability that a share is silently dropped, by sharer region and channel ([.][kPush]
  /// unused).
  double share_filter[2][kNumChannels] = {};
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
  /// daily(x, prior), and the same day for `gap`, the difference between x and the attitudes
  /// the users would have without the institution's items: the linear part of the day's map
  /// (its prior term cancels). This default is exact for maps affine in x; models may fuse the
  /// two for speed.
  virtual void daily_with_gap(std::span<double> x, std::span<const double> prior, std::span<double> gap) const {
    daily(x, prior);
    const std::vector<double> zeros(gap.size(), 0.0);
    daily(gap, zeros);
  }
  /// True if a day leaves users whose attitude equals their prior (and every gap zero)
  /// exactly where they are, so the engine may skip days until the first read moves someone.
  [[nodiscard]] virtual bool day_keeps_priors() const { return false; }
  /// Steps between attitude snapshots in the result file; 0: no snapshots.
  [[nodiscard]] virtual Step snapshot_every_steps(double step_hours) const = 0;
};

}  // namespace softpower
