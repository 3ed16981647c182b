#include "models/strategy/fixed_schedule.hpp"

#include <algorithm>
#include <cmath>

namespace softpower {

const Schema<FixedSchedule::Params>& FixedSchedule::schema() {
  static const auto schema = Schema<Params>{}.number_list(
      "hours", &Params::hours, 0.0, 24.0 * 3650,
      "Simulated hours at which one article each is published (hours beyond the horizon are ignored).");
  return schema;
}

FixedSchedule::FixedSchedule(Params params, std::vector<VertexId> seeds)
    : params_(std::move(params)), seeds_(std::move(seeds)) {
  std::sort(params_.hours.begin(), params_.hours.end());
}

YAML::Node FixedSchedule::effective_params() const {
  YAML::Node node(YAML::NodeType::Map);
  node["model"] = kName;
  for (const auto& kv : schema().to_yaml(params_)) node[kv.first] = kv.second;
  return node;
}

PublicationPlan FixedSchedule::plan(std::uint64_t, RunId, Step num_steps, double step_hours) const {
  PublicationPlan out;
  const Topic topic;
  std::uint32_t push = 0;
  for (double hour : params_.hours) {
    const auto step = static_cast<Step>(std::floor(hour / step_hours + 1e-9));
    if (step >= num_steps) break;
    out.items.push_back({.step = step, .push = push++, .topic = 0, .appeal = topic.appeal,
                         .sensitivity = topic.sensitivity, .valence = topic.valence});
  }
  return out;
}

}  // namespace softpower
