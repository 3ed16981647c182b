// takedown: a published article is removed after a detection delay. About 1% of ordinary
// official-account articles are removed, far more for sensitive content (P22); Weibo deletions,
// the best timing proxy, happen ~30% within 5-30 minutes and ~90% within 24 hours (P27).
//   P(takedown) = C * (base_rate + (max_rate - base_rate) * s^exponent)   (keyed (item))
//   delay ~ LogNormal(ln(median_delay_hours), delay_sigma) hours        (keyed (item))
// The defaults (median 1.5 h, sigma 1.8) put 27% of delays under 30 minutes and 94% under a
// day. A removed item stops spreading at the start of the step its delay ends in: it breaks
// every share that has not been delivered yet. Each takedown is a strike against the account.
#pragma once

#include "models/censorship/mechanism.hpp"
#include "sim/schema.hpp"

namespace softpower {

struct TakedownParams {
  double base_rate = 0.01;
  double max_rate = 0.6;
  double exponent = 3.0;
  double median_delay_hours = 1.5;
  double delay_sigma = 1.8;
};

class Takedown final : public MechanismWithParams<Takedown, TakedownParams> {
 public:
  static constexpr const char* kName = "takedown";
  static const Schema<Params>& schema();
  using MechanismWithParams::MechanismWithParams;
  void on_publish(const ItemSpec& item, ItemId id, double strength, const CounterRng& rng,
                  double step_hours, ItemFilter& out) const override;
  [[nodiscard]] double probability(double strength, double sensitivity) const;
};

}  // namespace softpower
