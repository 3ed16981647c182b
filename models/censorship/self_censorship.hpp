// self_censorship: the chilling effect. Readers share sensitive items less, domestic users
// (exposed to legal risk, P29; 24.5-26.5 pp expressed-vs-private gap, P30) more than
// international ones:  share probability *= 1 - C * s * propensity[region].
#pragma once

#include "models/censorship/mechanism.hpp"
#include "sim/schema.hpp"

namespace softpower {

class SelfCensorship final : public CensorshipMechanism {
 public:
  struct Params {
    double domestic = 0.8;
    double international = 0.3;
  };
  static constexpr const char* kName = "self_censorship";
  static const Schema<Params>& schema();
  explicit SelfCensorship(Params p) : params_(p) {}
  [[nodiscard]] const char* name() const override { return kName; }
  [[nodiscard]] YAML::Node effective_params() const override { return schema().to_yaml(params_); }
  void on_publish(const ItemSpec& item, ItemId id, double strength, const CounterRng& rng,
                  double step_hours, ItemFilter& out) const override;

 private:
  Params params_;
};

}  // namespace softpower
