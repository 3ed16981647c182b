// The registry of models by family: the scenario key `model: NAME` selects an entry here.
// Adding a model touches its own files and one line in the family's list in registry.cpp.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sim/model.hpp"
#include "sim/scenario.hpp"

namespace softpower {

/// Builds the diffusion model named in the scenario, validating its parameters (InputError
/// naming file, line and key path on any problem).
std::unique_ptr<DiffusionModel> make_diffusion_model(const Scenario& scenario);

std::vector<std::string> diffusion_model_names();

/// Markdown reference of every registered model's parameters.
std::string model_docs();

}  // namespace softpower
