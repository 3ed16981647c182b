// One mechanism of the platform filter. Each mechanism is its own class, enabled by naming it
// under `censorship:` in a scenario, and scaled by the filter strength C in [0, 1]; the
// pipeline (pipeline.hpp) runs the enabled ones in a fixed order. See docs/model.md.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cmath>

#include "sim/model.hpp"
#include "sim/rng.hpp"

namespace softpower {

class CensorshipMechanism {
 public:
  virtual ~CensorshipMechanism() = default;
  [[nodiscard]] virtual const char* name() const = 0;
  [[nodiscard]] virtual YAML::Node effective_params() const = 0;
  /// Adds this mechanism's decision about a newly published item to `out`.
  virtual void on_publish(const ItemSpec&, ItemId, double /*strength*/, const CounterRng&,
                          double /*step_hours*/, ItemFilter& /*out*/) const {}
  /// Suspension after the strike-th strike, in steps (0: this mechanism does not suspend).
  [[nodiscard]] virtual Step suspension_steps(std::uint32_t /*strike*/, double /*strength*/,
                                              double /*step_hours*/) const {
    return 0;
  }
};

/// The parts every mechanism shares: its typed parameters, its scenario name and its effective
/// parameters. Derived supplies kName and schema().
template <class Derived, class P>
class MechanismWithParams : public CensorshipMechanism {
 public:
  using Params = P;
  explicit MechanismWithParams(Params params) : params_(params) {}
  [[nodiscard]] const char* name() const override { return Derived::kName; }
  [[nodiscard]] YAML::Node effective_params() const override {
    return Derived::schema().to_yaml(params_);
  }

 protected:
  Params params_;
};

/// The common sensitivity response: rises from 0 at s = 0 to 1 at s = 1, the more steeply at
/// high s the larger the exponent.
inline double sensitivity_response(double s, double exponent) { return std::pow(s, exponent); }

}  // namespace softpower
