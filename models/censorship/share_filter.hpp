// share_filter: shares by mainland-registered (domestic) accounts are silently dropped: the
// sharer sees nothing wrong, the audience never receives the item. International accounts are
// not filtered (P24, P26). Group chat and Moments are filtered more than 1:1 chat (P24, P25),
// hence a relative factor per channel:
//   P(filtered | domestic sharer, channel c) = C * max_rate * factor_c * s^exponent  (keyed (item, sharer))
#pragma once

#include "models/censorship/mechanism.hpp"
#include "sim/schema.hpp"

namespace softpower {

struct ShareFilterParams {
  double max_rate = 0.5;
  double exponent = 2.0;
  double moments_factor = 1.0;
  double group_factor = 1.0;
  double chat_factor = 0.5;
  double wow_factor = 0.5;
};

class ShareFilter final : public MechanismWithParams<ShareFilter, ShareFilterParams> {
 public:
  static constexpr const char* kName = "share_filter";
  static const Schema<Params>& schema();
  using MechanismWithParams::MechanismWithParams;
  void on_publish(const ItemSpec& item, ItemId id, double strength, const CounterRng& rng,
                  double step_hours, ItemFilter& out) const override;
};

}  // namespace softpower
