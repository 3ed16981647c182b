#include "models/diffusion/independent_cascade.hpp"

namespace softpower {

const Schema<IndependentCascade::Params>& IndependentCascade::schema() {
  static const auto schema = Schema<Params>{}
      .number("open_probability", &Params::open_probability, 0.0, 1.0, "T: probability that an active user opens one exposure (per arc and item).")
      .number("share_probability", &Params::share_probability, 0.0, 1.0, "q: probability that a reader shares the item to their audience (per user and item).")
      .number("activity", &Params::activity, 0.0, 1.0, "a: probability that a user is active in a step (per user and step); an exposure to an inactive user is lost.");
  return schema;
}

YAML::Node IndependentCascade::effective_params() const {
  YAML::Node node(YAML::NodeType::Map);
  node["model"] = kName;
  for (const auto& kv : schema().to_yaml(params_)) node[kv.first] = kv.second;
  return node;
}

DiffusionRule IndependentCascade::rule(Step) const {
  return {.activity = params_.activity,
          .open_probability = params_.open_probability,
          .share_probability = params_.share_probability};
}

}  // namespace softpower
