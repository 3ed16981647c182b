// wechat_feed: items wait in feeds; readers share to one of four channels.
//
// An item enters a user's feed when it is delivered (the institution's push, or a friend's
// share) and stays until it is opened or expires `lifetime_hours` after its last delivery.
// User v checks their feed in a step of Δ hours with probability
//   P(active) = 1 - exp(-λ_v d(h) Δ / 24),   λ_v = sessions_per_day · LN(session_sigma)
// (LN: a lognormal factor with mean 1, drawn per user and run; d: the 24-hour profile, mean 1).
// An active user opens an entry with probability
//   p_open = p0 · exp(β_a (appeal - 1/2)) · 2^(-age / τ) · A_v · S_c · B · D
// with age the hours since its last delivery, A_v = min(1, (k_ref / k_in(v))^γ) for a user
// following k_in(v) sources (limited attention, P9, P18), S_c the salience of the most salient
// channel it came through, B = repeat_boost once it has been delivered twice or more (and no
// more after: P19), D the platform's down-ranking factor. A reader shares with probability
//   q = min(1, q0 · π_v · exp(β_s (appeal - 1/2)) · max(0, 1 + α x_v)) · (self-censorship)
// (π_v a lognormal propensity with mean 1, x_v the reader's attitude, 0 without an attitude
// model), to one channel drawn from the channel mix among those the reader can use: Moments and
// Wow reach every friend, a chat one friend drawn at random, a group every member of one of the
// reader's groups (P7, P14-P16). Every user opens and shares an item at most once.
// docs/model.md has the sources and the calibration of the defaults.
#pragma once

#include <vector>

#include "sim/model.hpp"
#include "sim/schema.hpp"

namespace softpower {

class WechatFeed final : public DiffusionModel {
 public:
  struct Params {
    double sessions_per_day = 3.0;
    double session_sigma = 1.0;
    std::vector<double> diurnal = default_diurnal();
    double open_probability = 0.012;
    double appeal_slope = 2.0;
    double age_half_life_hours = 6.0;
    double lifetime_hours = 48.0;
    double attention_reference = 150.0;
    double attention_exponent = 0.5;
    double repeat_boost = 2.0;
    double push_salience = 1.0;
    double moments_salience = 18.0;
    double chat_salience = 60.0;
    double group_salience = 3.0;
    double wow_salience = 15.0;
    double share_probability = 0.034;
    double share_appeal_slope = 1.0;
    double share_sigma = 1.0;
    double attitude_slope = 0.5;
    double moments_share = 0.21;
    double chat_share = 0.33;
    double group_share = 0.36;
    double wow_share = 0.20;
  };
  static constexpr const char* kName = "wechat_feed";
  static const Schema<Params>& schema();
  /// Relative feed activity by hour of day (an assumption, see docs/model.md).
  static std::vector<double> default_diurnal();

  /// Throws std::invalid_argument if `diurnal` does not hold 24 values with a positive sum or
  /// the channel mix sums to 0 (the scenario loader turns both into errors naming the key).
  explicit WechatFeed(const Params& params);
  [[nodiscard]] std::string name() const override { return kName; }
  [[nodiscard]] YAML::Node effective_params() const override;
  [[nodiscard]] DiffusionRule rule(Step) const override { return {}; }
  [[nodiscard]] const FeedRule* feed() const override { return &rule_; }

 private:
  Params params_;
  FeedRule rule_;
};

}  // namespace softpower
