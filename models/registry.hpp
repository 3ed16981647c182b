// The registry of models by family: the scenario key `model: NAME` selects an entry here.
// Adding a model touches its own files and one line in the family's list in registry.cpp.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sim/graph_source.hpp"
#include "sim/model.hpp"
#include "sim/scenario.hpp"

namespace softpower {

/// Builds the diffusion model named in the scenario, validating its parameters (InputError
/// naming file, line and key path on any problem).
std::unique_ptr<DiffusionModel> make_diffusion_model(const Scenario& scenario);

std::vector<std::string> diffusion_model_names();

/// Builds the posting strategy named in the scenario. With `graph` null only the parameters
/// are validated (for `softpower validate`): no key opinion leaders are chosen.
std::unique_ptr<StrategyModel> make_strategy_model(const Scenario& scenario,
                                                   const PreparedGraph* graph);

/// Builds the attitude model named in the scenario's `attitude` section, or returns null when
/// the scenario has none. With `graph` null only the parameters are validated (for `softpower
/// validate`): the model has no friend graph, so its social step cannot run. Otherwise users
/// are [0, graph->publisher.num_users).
std::unique_ptr<AttitudeModel> make_attitude_model(const Scenario& scenario,
                                                   const PreparedGraph* graph);

std::vector<std::string> attitude_model_names();

/// Markdown reference of every registered model's parameters.
std::string model_docs();

}  // namespace softpower
