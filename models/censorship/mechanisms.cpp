// The platform-filter mechanisms: parameters and per-item decisions. Each decision is one
// counter-based draw keyed by the item (or by the item and user inside the engine), so it does
// not depend on threads or on which other mechanisms are enabled.
#include <algorithm>
#include <cmath>

#include "models/censorship/down_ranking.hpp"
#include "models/censorship/publication_block.hpp"
#include "models/censorship/self_censorship.hpp"
#include "models/censorship/share_filter.hpp"
#include "models/censorship/suspension.hpp"
#include "models/censorship/takedown.hpp"

namespace softpower {

const Schema<PublicationBlock::Params>& PublicationBlock::schema() {
  static const auto schema = Schema<Params>{}
      .number("max_rate", &Params::max_rate, 0.0, 1.0, "Block probability of a fully sensitive item (s = 1) at C = 1.")
      .number("exponent", &Params::exponent, 0.0, 20.0, "Steepness in s: P = C max_rate s^exponent.");
  return schema;
}

void PublicationBlock::on_publish(const ItemSpec& item, ItemId id, double strength,
                                  const CounterRng& rng, double, ItemFilter& out) const {
  const double p = strength * params_.max_rate * sensitivity_response(item.sensitivity, params_.exponent);
  if (rng.bernoulli(p, Purpose::kBlock, id, 0)) out.blocked = true;
}

const Schema<Takedown::Params>& Takedown::schema() {
  static const auto schema = Schema<Params>{}
      .number("base_rate", &Params::base_rate, 0.0, 1.0, "Takedown probability of a harmless item (s = 0) at C = 1 (P22: about 1%).")
      .number("max_rate", &Params::max_rate, 0.0, 1.0, "Takedown probability of a fully sensitive item (s = 1) at C = 1.")
      .number("exponent", &Params::exponent, 0.0, 20.0, "Steepness in s between base_rate and max_rate.")
      .number("median_delay_hours", &Params::median_delay_hours, 1.0 / 3600, 24.0 * 365, "Median detection delay (lognormal), hours.")
      .number("delay_sigma", &Params::delay_sigma, 0.0, 10.0, "Log-scale spread of the detection delay.");
  return schema;
}

double Takedown::probability(double strength, double sensitivity) const {
  const double response = sensitivity_response(sensitivity, params_.exponent);
  return strength * (params_.base_rate + (params_.max_rate - params_.base_rate) * response);
}

void Takedown::on_publish(const ItemSpec& item, ItemId id, double strength, const CounterRng& rng,
                          double step_hours, ItemFilter& out) const {
  if (!rng.bernoulli(probability(strength, item.sensitivity), Purpose::kTakedown, id, 0)) return;
  const double z = rng.normal(Purpose::kTakedownDelay, id, 0);
  const double delay_hours = params_.median_delay_hours * std::exp(params_.delay_sigma * z);
  const double hour = static_cast<double>(item.step) * step_hours + delay_hours;
  // Removal takes effect from the step after the one the delay ends in; a delay shorter than
  // one step still lets the publication step's deliveries happen.
  out.takedown_step = std::max(item.step + 1, static_cast<Step>(std::floor(hour / step_hours)) + 1);
}

const Schema<ShareFilter::Params>& ShareFilter::schema() {
  static const auto schema = Schema<Params>{}
      .number("max_rate", &Params::max_rate, 0.0, 1.0, "Probability that a domestic user's share of a fully sensitive item is dropped, at C = 1.")
      .number("exponent", &Params::exponent, 0.0, 20.0, "Steepness in s.")
      .number("moments_factor", &Params::moments_factor, 0.0, 1.0, "Relative filtering of shares to Moments (1: the strongest channel).")
      .number("group_factor", &Params::group_factor, 0.0, 1.0, "Relative filtering of shares to group chats.")
      .number("chat_factor", &Params::chat_factor, 0.0, 1.0, "Relative filtering of shares to 1:1 chats (P24, P25: weaker than groups and Moments).")
      .number("wow_factor", &Params::wow_factor, 0.0, 1.0, "Relative filtering of Wow (Looking) endorsements.");
  return schema;
}

void ShareFilter::on_publish(const ItemSpec& item, ItemId, double strength, const CounterRng&,
                             double, ItemFilter& out) const {
  const double domestic = strength * params_.max_rate * sensitivity_response(item.sensitivity, params_.exponent);
  const auto set = [&](Channel channel, double factor) {
    out.share_filter[0][static_cast<std::size_t>(channel)] = domestic * factor;
    out.share_filter[1][static_cast<std::size_t>(channel)] = 0.0;  // international accounts are not filtered (P24, P26)
  };
  set(Channel::kMoments, params_.moments_factor);
  set(Channel::kGroup, params_.group_factor);
  set(Channel::kChat, params_.chat_factor);
  set(Channel::kWow, params_.wow_factor);
}

const Schema<DownRanking::Params>& DownRanking::schema() {
  static const auto schema = Schema<Params>{}
      .number("max_reduction", &Params::max_reduction, 0.0, 1.0, "Relative cut of the open probability for a fully sensitive item at C = 1.")
      .number("exponent", &Params::exponent, 0.0, 20.0, "Steepness in s.");
  return schema;
}

void DownRanking::on_publish(const ItemSpec& item, ItemId, double strength, const CounterRng&,
                             double, ItemFilter& out) const {
  out.open_multiplier *=
      1.0 - strength * params_.max_reduction * sensitivity_response(item.sensitivity, params_.exponent);
}

const Schema<SelfCensorship::Params>& SelfCensorship::schema() {
  static const auto schema = Schema<Params>{}
      .number("domestic", &Params::domestic, 0.0, 1.0, "Self-censorship propensity of domestic users (share probability cut at C = 1, s = 1).")
      .number("international", &Params::international, 0.0, 1.0, "Same for international users.");
  return schema;
}

void SelfCensorship::on_publish(const ItemSpec& item, ItemId, double strength, const CounterRng&,
                                double, ItemFilter& out) const {
  out.share_multiplier[0] *= 1.0 - strength * item.sensitivity * params_.domestic;
  out.share_multiplier[1] *= 1.0 - strength * item.sensitivity * params_.international;
}

const Schema<Suspension::Params>& Suspension::schema() {
  static const auto schema = Schema<Params>{}
      .number("strikes", &Params::strikes, std::uint32_t{1}, std::uint32_t{1000}, "Takedowns per suspension.")
      .number("days", &Params::days, 0.0, 3650.0, "Length of the first suspension at C = 1, days.")
      .number("escalation", &Params::escalation, 1.0, 100.0, "Each further suspension is this many times longer.");
  return schema;
}

Step Suspension::suspension_steps(std::uint32_t strike, double strength, double step_hours) const {
  if (strike == 0 || strike % params_.strikes != 0 || strength <= 0) return 0;
  const std::uint32_t k = strike / params_.strikes;
  const double hours = strength * params_.days * 24.0 * std::pow(params_.escalation, k - 1.0);
  return std::max<Step>(1, static_cast<Step>(std::ceil(hours / step_hours - 1e-9)));
}

}  // namespace softpower
