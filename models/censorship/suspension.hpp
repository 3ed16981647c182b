// suspension: escalating account sanctions (P28). Every `strikes`-th takedown of the
// institution's items suspends the account: the k-th suspension lasts
// days * escalation^(k-1) days (C scales it: a suspension of C * that length, at least one
// step when C > 0). Pushes during a suspension are refused and counted.
#pragma once

#include "models/censorship/mechanism.hpp"
#include "sim/schema.hpp"

namespace softpower {

struct SuspensionParams {
  std::uint32_t strikes = 3;
  double days = 7.0;
  double escalation = 2.0;
};

class Suspension final : public MechanismWithParams<Suspension, SuspensionParams> {
 public:
  static constexpr const char* kName = "suspension";
  static const Schema<Params>& schema();
  using MechanismWithParams::MechanismWithParams;
  [[nodiscard]] Step suspension_steps(std::uint32_t strike, double strength,
                                      double step_hours) const override;
};

}  // namespace softpower
