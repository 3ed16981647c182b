// fixed_schedule: one article at each listed hour, no quota, no seeding. For validation runs
// and for replaying an observed posting history. Every item has the default topic.
#pragma once

#include <vector>

#include "models/strategy/posting_strategy.hpp"
#include "sim/model.hpp"
#include "sim/schema.hpp"

namespace softpower {

class FixedSchedule final : public StrategyModel {
 public:
  struct Params {
    std::vector<double> hours{0.0};
  };
  static constexpr const char* kName = "fixed_schedule";
  static const Schema<Params>& schema();

  explicit FixedSchedule(Params params, std::vector<VertexId> seeds = {});

  [[nodiscard]] std::string name() const override { return kName; }
  [[nodiscard]] YAML::Node effective_params() const override;
  [[nodiscard]] PublicationPlan plan(std::uint64_t seed, RunId run, Step num_steps,
                                     double step_hours) const override;
  [[nodiscard]] std::span<const VertexId> seeds() const override { return seeds_; }

 private:
  Params params_;
  std::vector<VertexId> seeds_;
};

}  // namespace softpower
