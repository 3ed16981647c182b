#include "models/registry.hpp"

#include <fmt/format.h>

#include <functional>
#include <numeric>

#include "models/attitude/bounded_confidence.hpp"
#include "models/censorship/pipeline.hpp"
#include "models/diffusion/independent_cascade.hpp"
#include "models/diffusion/wechat_feed.hpp"
#include "models/strategy/fixed_schedule.hpp"
#include "models/strategy/kol_seeding.hpp"
#include "models/strategy/posting_strategy.hpp"
#include "sim/error.hpp"

namespace softpower {
namespace {

template <class Model>
std::unique_ptr<DiffusionModel> make_with_schema(const Scenario& s) {
  typename Model::Params params;
  Model::schema().parse(params, s.diffusion.params, s.origin, s.diffusion.path);
  return std::make_unique<Model>(params);
}

template <class Params>
std::string docs_table(const Schema<Params>& schema) {
  std::string out = "| key | type | default | range | meaning |\n|---|---|---|---|---|\n";
  for (const FieldDoc& d : schema.docs()) {
    out += fmt::format("| `{}` | {} | `{}` | {} | {} |\n", d.key, d.type, d.default_value, d.range, d.help);
  }
  return out;
}

template <class Model>
std::string docs_of() {
  return fmt::format("#### `{}`\n\n", Model::kName) + docs_table(Model::schema());
}

std::string posting_docs() {
  return docs_of<PostingStrategy>() +
         "\n`topics` is a list of topics, each a mapping with these keys (default: one topic with the defaults):\n\n" +
         docs_table(PostingStrategy::topic_schema());
}

// Splits `topics` off the section, since Schema handles scalar keys only.
YAML::Node without(const YAML::Node& map, const std::string& key) {
  YAML::Node rest(YAML::NodeType::Map);
  for (const auto& kv : map) {
    // A key that is not a plain name stays, for the schema to reject with its position.
    if (!kv.first.IsScalar() || kv.first.Scalar() != key) rest[kv.first] = kv.second;
  }
  return rest;
}

std::unique_ptr<StrategyModel> make_posting(const Scenario& s, const PreparedGraph* graph) {
  PostingStrategy::Params params;
  PostingStrategy::schema().parse(params, without(s.strategy.params, "topics"), s.origin, s.strategy.path);
  if (!params.language_fit.empty() && params.language_fit.size() != 2) {
    schema_error(s.origin, s.strategy.params["language_fit"], s.strategy.path + ".language_fit",
                 "expected 2 values [domestic, international]");
  }
  std::vector<Topic> topics;
  if (const YAML::Node list = s.strategy.params["topics"]) {
    const std::string path = s.strategy.path + ".topics";
    if (!list.IsSequence() || list.size() == 0) {
      schema_error(s.origin, list, path, "expected a non-empty list of topics, e.g. [{name: culture, appeal: 0.6}]");
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
      Topic topic;
      PostingStrategy::topic_schema().parse(topic, list[i], s.origin, path + "[" + std::to_string(i) + "]");
      topics.push_back(topic);
    }
  }
  std::vector<VertexId> kols;
  if (graph && params.kol_budget > 0) {
    kols = choose_kols(graph->graph, graph->publisher.num_users, params.kol_budget,
                       parse_kol_selection(params.kol_selection), s.seed, graph->community,
                       params.kol_community);
  }
  return std::make_unique<PostingStrategy>(params, std::move(topics), std::move(kols));
}

std::unique_ptr<StrategyModel> make_fixed_schedule(const Scenario& s, const PreparedGraph*) {
  FixedSchedule::Params params;
  FixedSchedule::schema().parse(params, s.strategy.params, s.origin, s.strategy.path);
  return std::make_unique<FixedSchedule>(params);
}

struct StrategyEntry {
  const char* name;
  std::function<std::unique_ptr<StrategyModel>(const Scenario&, const PreparedGraph*)> make;
  std::function<std::string()> docs;
};

// The posting strategies, by scenario name.
const std::vector<StrategyEntry>& strategy_models() {
  static const std::vector<StrategyEntry> entries{
      {PostingStrategy::kName, make_posting, posting_docs},
      {FixedSchedule::kName, make_fixed_schedule, docs_of<FixedSchedule>},
  };
  return entries;
}

template <class Entries>
std::string names_of(const Entries& entries) {
  std::string known;
  for (const auto& entry : entries) known += (known.empty() ? "" : ", ") + std::string(entry.name);
  return known;
}

std::unique_ptr<DiffusionModel> make_wechat_feed(const Scenario& s) {
  WechatFeed::Params params;
  WechatFeed::schema().parse(params, s.diffusion.params, s.origin, s.diffusion.path);
  try {
    return std::make_unique<WechatFeed>(params);
  } catch (const std::invalid_argument& e) {
    const bool diurnal = params.diurnal.size() != 24 ||
                         std::accumulate(params.diurnal.begin(), params.diurnal.end(), 0.0) <= 0.0;
    const std::string key = diurnal ? "diurnal" : "moments_share";
    const YAML::Node node = s.diffusion.params[key];
    schema_error(s.origin, node ? node : s.diffusion.params, s.diffusion.path + "." + key, e.what());
  }
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
      {WechatFeed::kName, make_wechat_feed, docs_of<WechatFeed>},
  };
  return entries;
}

std::unique_ptr<AttitudeModel> make_bounded_confidence(const ModelSection& section, const Scenario& s,
                                                       const PreparedGraph* graph) {
  BoundedConfidence::Params params;
  BoundedConfidence::schema().parse(params, section.params, s.origin, section.path);
  if (!graph) return std::make_unique<BoundedConfidence>(params, nullptr, 0);
  return std::make_unique<BoundedConfidence>(params, &graph->graph, graph->publisher.num_users);
}

struct AttitudeEntry {
  const char* name;
  std::function<std::unique_ptr<AttitudeModel>(const ModelSection&, const Scenario&, const PreparedGraph*)> make;
  std::function<std::string()> docs;
};

// The attitude models, by scenario name.
const std::vector<AttitudeEntry>& attitude_models() {
  static const std::vector<AttitudeEntry> entries{
      {BoundedConfidence::kName, make_bounded_confidence, docs_of<BoundedConfidence>},
  };
  return entries;
}

// Names the file, line and column of `SECTION.model` (or the --set or sweep axis that set it).
[[noreturn]] void unknown_model(const Scenario& s, const std::string& section, const std::string& model,
                                const std::string& known) {
  const YAML::Node source = s.source;
  const YAML::Node node = source.IsMap() && source[section].IsMap() ? source[section]["model"] : YAML::Node();
  schema_error(s.origin, node, section + ".model", fmt::format("unknown model '{}' (known: {})", model, known));
}

}  // namespace

std::unique_ptr<AttitudeModel> make_attitude_model(const Scenario& scenario, const PreparedGraph* graph) {
  if (!scenario.attitude) return nullptr;
  for (const auto& entry : attitude_models()) {
    if (scenario.attitude->model == entry.name) return entry.make(*scenario.attitude, scenario, graph);
  }
  unknown_model(scenario, "attitude", scenario.attitude->model, names_of(attitude_models()));
}

std::vector<std::string> attitude_model_names() {
  std::vector<std::string> names;
  for (const auto& entry : attitude_models()) names.emplace_back(entry.name);
  return names;
}

std::unique_ptr<DiffusionModel> make_diffusion_model(const Scenario& scenario) {
  for (const auto& entry : diffusion_models()) {
    if (scenario.diffusion.model == entry.name) return entry.make(scenario);
  }
  unknown_model(scenario, "diffusion", scenario.diffusion.model, names_of(diffusion_models()));
}

std::unique_ptr<StrategyModel> make_strategy_model(const Scenario& scenario, const PreparedGraph* graph) {
  for (const auto& entry : strategy_models()) {
    if (scenario.strategy.model != entry.name) continue;
    try {
      return entry.make(scenario, graph);
    } catch (const InputError&) {
      rethrow_at_key(scenario, std::current_exception());  // a KOL budget beyond the users
    }
  }
  unknown_model(scenario, "strategy", scenario.strategy.model, names_of(strategy_models()));
}

std::vector<std::string> diffusion_model_names() {
  std::vector<std::string> names;
  for (const auto& entry : diffusion_models()) names.emplace_back(entry.name);
  return names;
}

std::string model_docs() {
  std::string out = "### `strategy`\n\n`strategy.model` selects the posting strategy (default `posting`); the other keys are its parameters.\n\n";
  for (const auto& entry : strategy_models()) out += entry.docs() + "\n";
  out += "### `diffusion`\n\n`diffusion.model` selects the model (default `independent_cascade`); the other keys are the model's parameters.\n\n";
  for (const auto& entry : diffusion_models()) out += entry.docs() + "\n";
  out += censorship_docs();
  out += "### `attitude`\n\nOptional: without an `attitude` section users have no attitudes. `attitude: {}` enables the "
         "default model `bounded_confidence`; `attitude.model` selects the model, the other keys are its parameters.\n\n";
  for (const auto& entry : attitude_models()) out += entry.docs() + "\n";
  return out;
}

}  // namespace softpower
