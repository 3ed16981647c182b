#include "models/registry.hpp"

#include <fmt/format.h>

#include <functional>

#include "models/diffusion/independent_cascade.hpp"
#include "sim/error.hpp"

namespace softpower {
namespace {

template <class Model>
std::unique_ptr<DiffusionModel> make_with_schema(const Scenario& s) {
  typename Model::Params params;
  Model::schema().parse(params, s.diffusion.params, s.origin, s.diffusion.path);
  return std::make_unique<Model>(params);
}

template <class Model>
std::string docs_of() {
  std::string out = fmt::format("#### `{}`\n\n| key | type | default | range | meaning |\n|---|---|---|---|---|\n", Model::kName);
  for (const FieldDoc& d : Model::schema().docs()) {
    out += fmt::format("| `{}` | {} | `{}` | {} | {} |\n", d.key, d.type, d.default_value, d.range, d.help);
  }
  return out;
}

struct DiffusionEntry {
  const char* name;
  std::function<std::unique_ptr<DiffusionModel>(const Scenario&)> make;
  std::function<std::string()> docs;
};

// The diffusion models, by scenario name.
const std::vector<DiffusionEntry>& diffusion_models() {
  static const std::vector<DiffusionEntry> entries{
      {IndependentCascade::kName, make_with_schema<IndependentCascade>, docs_of<IndependentCascade>},
  };
  return entries;
}

}  // namespace

std::unique_ptr<DiffusionModel> make_diffusion_model(const Scenario& scenario) {
  for (const auto& entry : diffusion_models()) {
    if (scenario.diffusion.model == entry.name) return entry.make(scenario);
  }
  std::string known;
  for (const auto& name : diffusion_model_names()) known += (known.empty() ? "" : ", ") + name;
  throw InputError(fmt::format("{}: diffusion.model: unknown model '{}' (known: {})",
                               scenario.origin.file, scenario.diffusion.model, known));
}

std::vector<std::string> diffusion_model_names() {
  std::vector<std::string> names;
  for (const auto& entry : diffusion_models()) names.emplace_back(entry.name);
  return names;
}

std::string model_docs() {
  std::string out = "### `diffusion`\n\n`diffusion.model` selects the model (default `independent_cascade`); the other keys are the model's parameters.\n\n";
  for (const auto& entry : diffusion_models()) out += entry.docs() + "\n";
  return out;
}

}  // namespace softpower
