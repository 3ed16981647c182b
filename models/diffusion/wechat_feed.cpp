#include "models/diffusion/wechat_feed.hpp"

#include <numeric>
#include <stdexcept>

namespace softpower {

std::vector<double> WechatFeed::default_diurnal() {
  return {0.55, 0.30, 0.18, 0.12, 0.10, 0.15, 0.40, 0.85, 1.15, 1.20, 1.20, 1.30,
          1.45, 1.30, 1.15, 1.15, 1.15, 1.20, 1.30, 1.45, 1.55, 1.65, 1.50, 1.00};
}

const Schema<WechatFeed::Params>& WechatFeed::schema() {
  static const auto schema = Schema<Params>{}
      .number("sessions_per_day", &Params::sessions_per_day, 0.0, 1440.0, "Mean feed checks per user per day (λ).")
      .number("session_sigma", &Params::session_sigma, 0.0, 3.0, "Lognormal shape of users' session rates (heavy-tailed activity; 0: everyone alike).")
      .number_list("diurnal", &Params::diurnal, 0.0, 1e6, "24 relative activity levels, hour 0 to 23 of the simulation clock (rescaled to mean 1).")
      .number("open_probability", &Params::open_probability, 0.0, 1.0, "p0: probability that an active user opens a fresh pushed item of appeal 0.5 at one check.")
      .number("appeal_slope", &Params::appeal_slope, 0.0, 20.0, "β_a: open factor exp(β_a (appeal - 0.5)).")
      .number("age_half_life_hours", &Params::age_half_life_hours, 1e-3, 87600.0, "τ: the open probability halves every τ hours an entry waits.")
      .number("lifetime_hours", &Params::lifetime_hours, 1e-3, 87600.0, "An unopened feed entry expires this long after its last delivery.")
      .number("attention_reference", &Params::attention_reference, 1.0, 1e9, "k_ref: sources (friends and accounts followed) a user can follow without losing attention.")
      .number("attention_exponent", &Params::attention_exponent, 0.0, 5.0, "γ: attention factor min(1, (k_ref / sources)^γ) (0: no limit).")
      .number("repeat_boost", &Params::repeat_boost, 0.0, 1000.0, "B: open factor once an item has been delivered to the user twice or more; more deliveries add nothing.")
      .number("push_salience", &Params::push_salience, 0.0, 1e6, "Open factor of an item pushed by the institution.")
      .number("moments_salience", &Params::moments_salience, 0.0, 1e6, "Open factor of an item seen in a friend's Moments.")
      .number("chat_salience", &Params::chat_salience, 0.0, 1e6, "Open factor of an item sent in a 1:1 chat.")
      .number("group_salience", &Params::group_salience, 0.0, 1e6, "Open factor of an item posted in a group chat.")
      .number("wow_salience", &Params::wow_salience, 0.0, 1e6, "Open factor of an item a friend marked Wow (Top Stories).")
      .number("share_probability", &Params::share_probability, 0.0, 1.0, "q0: probability that a reader shares an item of appeal 0.5 (propensity 1, attitude 0).")
      .number("share_appeal_slope", &Params::share_appeal_slope, 0.0, 20.0, "β_s: share factor exp(β_s (appeal - 0.5)).")
      .number("share_sigma", &Params::share_sigma, 0.0, 3.0, "Lognormal shape of users' share propensity (0: everyone alike).")
      .number("attitude_slope", &Params::attitude_slope, 0.0, 100.0, "α: share factor max(0, 1 + α x) for a reader of attitude x (needs an attitude model).")
      .number("moments_share", &Params::moments_share, 0.0, 1.0, "Weight of Moments in the share channel mix.")
      .number("chat_share", &Params::chat_share, 0.0, 1.0, "Weight of 1:1 chats in the share channel mix.")
      .number("group_share", &Params::group_share, 0.0, 1.0, "Weight of group chats in the share channel mix.")
      .number("wow_share", &Params::wow_share, 0.0, 1.0, "Weight of Wow (Looking) in the share channel mix.");
  return schema;
}

WechatFeed::WechatFeed(const Params& params) : params_(params) {
  if (params.diurnal.size() != 24) {
    throw std::invalid_argument("needs 24 values (hours 0 to 23), got " + std::to_string(params.diurnal.size()));
  }
  const double sum = std::accumulate(params.diurnal.begin(), params.diurnal.end(), 0.0);
  if (!(sum > 0.0)) throw std::invalid_argument("needs at least one positive value");
  const double share_sum = params.moments_share + params.chat_share + params.group_share + params.wow_share;
  if (!(share_sum > 0.0)) throw std::invalid_argument("the share channel mix must not be all zero");
  FeedRule& r = rule_;
  r.sessions_per_day = params.sessions_per_day;
  r.session_sigma = params.session_sigma;
  for (std::size_t h = 0; h < 24; ++h) r.diurnal[h] = params.diurnal[h] * 24.0 / sum;
  r.open_probability = params.open_probability;
  r.appeal_slope = params.appeal_slope;
  r.age_half_life_hours = params.age_half_life_hours;
  r.lifetime_hours = params.lifetime_hours;
  r.attention_reference = params.attention_reference;
  r.attention_exponent = params.attention_exponent;
  r.repeat_boost = params.repeat_boost;
  r.salience = {params.push_salience, params.moments_salience, params.chat_salience,
                params.group_salience, params.wow_salience};
  r.share_probability = params.share_probability;
  r.share_appeal_slope = params.share_appeal_slope;
  r.share_sigma = params.share_sigma;
  r.attitude_slope = params.attitude_slope;
  r.channel_weight = {0.0, params.moments_share, params.chat_share, params.group_share, params.wow_share};
}

YAML::Node WechatFeed::effective_params() const {
  YAML::Node node(YAML::NodeType::Map);
  node["model"] = kName;
  for (const auto& kv : schema().to_yaml(params_)) node[kv.first] = kv.second;
  return node;
}

}  // namespace softpower
