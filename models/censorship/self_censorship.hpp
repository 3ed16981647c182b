// self_censorship: the chilling effect. Readers share sensitive items less, domestic users
// (exposed to legal risk, P29; 24.5-26.5 pp expressed-vs-private gap, P30) more than
// international ones:  share probability *= 1 - C * s * propensity[region].
#pragma once

#include "models/censorship/mechanism.hpp"
#include "sim/schema.hpp"

namespace softpower {

struct SelfCensorshipParams {
  double domestic = 0.8;
  double international = 0.3;
};

class SelfCensorship final : public MechanismWithParams<SelfCensorship, SelfCensorshipParams> {
 public:
  static constexpr const char* kName = "self_censorship";
  static const Schema<Params>& schema();
  using MechanismWithParams::MechanismWithParams;
  void on_publish(const ItemSpec& item, ItemId id, double strength, const CounterRng& rng,
                  double step_hours, ItemFilter& out) const override;
};

}  // namespace softpower
