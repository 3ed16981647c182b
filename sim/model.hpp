// Interfaces between the engine (sim/) and the models (models/). A model owns a local rule and
// hands the engine plain numbers once per step; the engine owns the loops, the parallelism and
// the state buffers. So there is one virtual call per step, never per vertex or arc.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "sim/types.hpp"

namespace softpower {

/// The diffusion rule for one step.
struct DiffusionRule {
  double activity = 1.0;           // probability that a user is active (online) in the step
  double open_probability = 1.0;   // probability that an active user opens one exposure
  double share_probability = 1.0;  // probability that a reader shares to their audience
};

class DiffusionModel {
 public:
  virtual ~DiffusionModel() = default;
  [[nodiscard]] virtual std::string name() const = 0;
  /// Every parameter with its effective value, `model` included (written to result files).
  [[nodiscard]] virtual YAML::Node effective_params() const = 0;
  [[nodiscard]] virtual DiffusionRule rule(Step step) const = 0;
};

}  // namespace softpower
