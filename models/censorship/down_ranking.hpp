// down_ranking: the platform shows sensitive items less prominently, so every exposure is opened
// less often:  open probability *= 1 - C * max_reduction * s^exponent.
#pragma once

#include "models/censorship/mechanism.hpp"
#include "sim/schema.hpp"

namespace softpower {

class DownRanking final : public CensorshipMechanism {
 public:
  struct Params {
    double max_reduction = 0.5;
    double exponent = 2.0;
  };
  static constexpr const char* kName = "down_ranking";
  static const Schema<Params>& schema();
  explicit DownRanking(Params p) : params_(p) {}
  [[nodiscard]] const char* name() const override { return kName; }
  [[nodiscard]] YAML::Node effective_params() const override { return schema().to_yaml(params_); }
  void on_publish(const ItemSpec& item, ItemId id, double strength, const CounterRng& rng,
                  double step_hours, ItemFilter& out) const override;

 private:
  Params params_;
};

}  // namespace softpower
