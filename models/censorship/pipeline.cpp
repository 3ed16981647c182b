#include "models/censorship/pipeline.hpp"

#include <fmt/format.h>

#include <functional>

#include "models/censorship/down_ranking.hpp"
#include "models/censorship/publication_block.hpp"
#include "models/censorship/self_censorship.hpp"
#include "models/censorship/share_filter.hpp"
#include "models/censorship/suspension.hpp"
#include "models/censorship/takedown.hpp"
#include "sim/error.hpp"

namespace softpower {
namespace {

struct MechanismEntry {
  const char* name;
  std::function<std::unique_ptr<CensorshipMechanism>(const YAML::Node&, const YamlOrigin&, const std::string&)> make;
  std::function<std::vector<FieldDoc>()> docs;
};

template <class M>
MechanismEntry entry() {
  return {M::kName,
          [](const YAML::Node& node, const YamlOrigin& origin, const std::string& path) {
            typename M::Params params;
            M::schema().parse(params, node, origin, path);
            return std::unique_ptr<CensorshipMechanism>(std::make_unique<M>(params));
          },
          [] { return M::schema().docs(); }};
}

// The mechanisms, in the order they are applied.
const std::vector<MechanismEntry>& mechanisms() {
  static const std::vector<MechanismEntry> entries{
      entry<PublicationBlock>(), entry<Takedown>(),       entry<ShareFilter>(),
      entry<DownRanking>(),      entry<SelfCensorship>(), entry<Suspension>(),
  };
  return entries;
}

struct Strength {
  double strength = 1.0;
};

const Schema<Strength>& strength_schema() {
  static const auto schema = Schema<Strength>{}.number(
      "strength", &Strength::strength, 0.0, 1.0,
      "C: scales every enabled mechanism (0: no filtering, 1: today's WeChat as calibrated).");
  return schema;
}

}  // namespace

CensorshipPipeline::CensorshipPipeline(double strength,
                                       std::vector<std::unique_ptr<CensorshipMechanism>> mechanisms)
    : strength_(strength), mechanisms_(std::move(mechanisms)) {}

YAML::Node CensorshipPipeline::effective_params() const {
  YAML::Node node(YAML::NodeType::Map);
  node["strength"] = strength_;
  for (const auto& m : mechanisms_) node[m->name()] = m->effective_params();
  return node;
}

ItemFilter CensorshipPipeline::on_publish(const ItemSpec& item, ItemId id, std::uint64_t seed,
                                          RunId run, double step_hours) const {
  ItemFilter out;
  const CounterRng rng(seed, run);
  for (const auto& m : mechanisms_) m->on_publish(item, id, strength_, rng, step_hours, out);
  return out;
}

Step CensorshipPipeline::suspension_steps(std::uint32_t strike, double step_hours) const {
  Step steps = 0;
  for (const auto& m : mechanisms_) steps = std::max(steps, m->suspension_steps(strike, strength_, step_hours));
  return steps;
}

std::unique_ptr<CensorshipPipeline> make_platform_filter(const Scenario& s) {
  Strength strength;
  std::vector<std::unique_ptr<CensorshipMechanism>> enabled;
  const YAML::Node& section = s.censorship;
  if (section && !section.IsNull()) {
    if (!section.IsMap()) schema_error(s.origin, section, "censorship", "expected a mapping");
    std::string known = "strength";
    for (const auto& e : mechanisms()) known += std::string(", ") + e.name;
    for (const auto& kv : section) {
      const std::string key = key_text(s.origin, kv.first, "censorship");
      const bool is_mechanism = std::any_of(mechanisms().begin(), mechanisms().end(),
                                            [&](const MechanismEntry& e) { return key == e.name; });
      if (key != "strength" && !is_mechanism) {
        schema_error(s.origin, kv.first, "censorship." + key, "unknown key (known: " + known + ")");
      }
    }
    YAML::Node strength_only(YAML::NodeType::Map);
    if (section["strength"]) strength_only["strength"] = section["strength"];
    strength_schema().parse(strength, strength_only, s.origin, "censorship");
    for (const auto& e : mechanisms()) {
      const YAML::Node node = section[e.name];
      if (!node) continue;
      enabled.push_back(e.make(node, s.origin, std::string("censorship.") + e.name));
    }
  }
  return std::make_unique<CensorshipPipeline>(strength.strength, std::move(enabled));
}

std::string censorship_docs() {
  std::string out =
      "### `censorship`\n\n"
      "The platform filter. `strength` (C, default 1) scales every mechanism; a mechanism is "
      "enabled by naming it, e.g. `takedown: {}` for its defaults. No section: no filtering. "
      "Equations and sources: docs/model.md.\n\n"
      "| key | type | default | range | meaning |\n|---|---|---|---|---|\n";
  for (const FieldDoc& d : strength_schema().docs()) {
    out += fmt::format("| `censorship.{}` | {} | `{}` | {} | {} |\n", d.key, d.type, d.default_value, d.range, d.help);
  }
  for (const auto& e : mechanisms()) {
    for (const FieldDoc& d : e.docs()) {
      out += fmt::format("| `censorship.{}.{}` | {} | `{}` | {} | {} |\n", e.name, d.key, d.type,
                         d.default_value, d.range, d.help);
    }
  }
  return out + "\n";
}

}  // namespace softpower
