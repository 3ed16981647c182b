// down_ranking: the platform shows sensitive items less prominently, so every exposure is opened
// less often:  open probability *= 1 - C * max_reduction * s^exponent.
#pragma once

#include "models/censorship/mechanism.hpp"
#include "sim/schema.hpp"

namespace softpower {

struct DownRankingParams {
  double max_reduction = 0.5;
  double exponent = 2.0;
};

class DownRanking final : public MechanismWithParams<DownRanking, DownRankingParams> {
 public:
  static constexpr const char* kName = "down_ranking";
  static const Schema<Params>& schema();
  using MechanismWithParams::MechanismWithParams;
  void on_publish(const ItemSpec& item, ItemId id, double strength, const CounterRng& rng,
                  double step_hours, ItemFilter& out) const override;
};

}  // namespace softpower
