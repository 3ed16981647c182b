// publication_block: keyword blacklists stop an article before it is published; the block is
// invisible from outside (P23 in ../shared/reference/wechat-parameters.md).
//   P(block) = C * max_rate * s^exponent            (one draw per item, keyed (item))
// Parameters: max_rate in [0, 1] (0.3), exponent in [0, 20] (4).
#pragma once

#include "models/censorship/mechanism.hpp"
#include "sim/schema.hpp"

namespace softpower {

struct PublicationBlockParams {
  double max_rate = 0.3;
  double exponent = 4.0;
};

class PublicationBlock final : public MechanismWithParams<PublicationBlock, PublicationBlockParams> {
 public:
  static constexpr const char* kName = "publication_block";
  static const Schema<Params>& schema();
  using MechanismWithParams::MechanismWithParams;
  void on_publish(const ItemSpec& item, ItemId id, double strength, const CounterRng& rng,
                  double step_hours, ItemFilter& out) const override;
};

}  // namespace softpower
