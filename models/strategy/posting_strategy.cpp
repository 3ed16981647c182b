#include "models/strategy/posting_strategy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "sim/error.hpp"
#include "sim/rng.hpp"

namespace softpower {
namespace {

constexpr double kHoursPerDay = 24.0;
constexpr double kDaysPerMonth = 30.0;

}  // namespace

const Schema<PostingStrategy::Params>& PostingStrategy::schema() {
  static const auto schema = Schema<Params>{}
      .choice("account_type", &Params::account_type, {"service", "subscription"}, "Quota (P2): service = at most 4 pushes per 30-day month (the only type open to foreign entities, P1); subscription = at most 1 push per day.")
      .number("first_push_hour", &Params::first_push_hour, 0.0, 24.0 * 3650, "Simulated hour of the first push attempt (9 = 09:00 on day 0).")
      .number("push_every_hours", &Params::push_every_hours, 1.0 / 60.0, 24.0 * 3650, "Hours between push attempts (168 = weekly).")
      .number("pushes", &Params::pushes, std::uint32_t{0}, std::uint32_t{10000000}, "Push attempts; 0 = until end_hour or the horizon.")
      .number("end_hour", &Params::end_hour, 0.0, 24.0 * 3650, "No push attempts at or after this hour; 0 = no limit (campaigns end early).")
      .number("articles_per_push", &Params::articles_per_push, std::uint32_t{1}, kMaxArticlesPerPush, "Articles in each push (P2: up to 8).")
      .number("max_sensitivity", &Params::max_sensitivity, 0.0, 1.0, "The institution's own self-censorship: topics with a higher sensitivity are never published.")
      .number("kol_budget", &Params::kol_budget, std::uint32_t{0}, std::uint32_t{10000000}, "Paid key opinion leaders who share every item when it is published.")
      .choice("kol_selection", &Params::kol_selection, {"degree", "pagerank", "random", "community"}, "How KOLs are chosen: most followers, highest PageRank, uniformly, or uniformly within kol_community.")
      .number("kol_community", &Params::kol_community, std::uint32_t{0}, std::numeric_limits<std::uint32_t>::max(), "Community of the KOLs (kol_selection: community).")
      .choice("language", &Params::language, {"chinese", "english", "bilingual"}, "Language of the articles: sets the open-probability factor per reader region (chinese 1 / 0.7, english 0.4 / 1, bilingual 0.9 / 0.9 for domestic / international readers).")
      .number_list("language_fit", &Params::language_fit, 0.0, 1.0, "[domestic, international] open-probability factors; overrides the ones `language` sets (empty: from language).");
  return schema;
}

std::array<double, 2> PostingStrategy::language_fit_of(const std::string& language) {
  if (language == "english") return {0.4, 1.0};
  if (language == "bilingual") return {0.9, 0.9};
  return {1.0, 0.7};
}

const Schema<Topic>& PostingStrategy::topic_schema() {
  static const auto schema = Schema<Topic>{}
      .text("name", &Topic::name, "Label, stored with the scenario.")
      .number("appeal", &Topic::appeal, 0.0, 1.0, "How attractive articles on the topic are (raises the open probability in feed models).")
      .number("sensitivity", &Topic::sensitivity, 0.0, 1.0, "Political sensitivity s: drives platform filtering and self-censorship.")
      .number("valence", &Topic::valence, -1.0, 1.0, "The soft-power message: positive (friendship, culture) to negative (critical).")
      .number("weight", &Topic::weight, 0.0, 1e9, "Share of articles on this topic, relative to the other topics' weights.");
  return schema;
}

PostingStrategy::PostingStrategy(Params params, std::vector<Topic> topics, std::vector<VertexId> kols)
    : params_(std::move(params)), topics_(std::move(topics)), kols_(std::move(kols)),
      language_fit_(language_fit_of(params_.language)) {
  if (!params_.language_fit.empty()) {
    if (params_.language_fit.size() != 2) {
      throw InputError(fmt::format("strategy.language_fit: expected 2 values [domestic, international], got {}",
                                   params_.language_fit.size()));
    }
    language_fit_ = {params_.language_fit[0], params_.language_fit[1]};
  }
  if (topics_.empty()) topics_.push_back(Topic{});
  double total = 0;
  for (const Topic& t : topics_) {
    if (t.sensitivity <= params_.max_sensitivity) total += t.weight;
    cumulative_weight_.push_back(total);
  }
  if (total <= 0) {
    throw InputError(fmt::format(
        "strategy.max_sensitivity: {} censors every topic (or every remaining topic has weight 0): "
        "nothing could be published", params_.max_sensitivity));
  }
}

YAML::Node PostingStrategy::effective_params() const {
  YAML::Node node(YAML::NodeType::Map);
  node["model"] = kName;
  for (const auto& kv : schema().to_yaml(params_)) node[kv.first] = kv.second;
  YAML::Node list(YAML::NodeType::Sequence);
  for (const Topic& t : topics_) list.push_back(topic_schema().to_yaml(t));
  node["topics"] = list;
  return node;
}

PublicationPlan PostingStrategy::plan(std::uint64_t seed, RunId run, Step num_steps,
                                      double step_hours) const {
  const CounterRng rng(seed, run);
  PublicationPlan out;
  std::map<std::int64_t, std::uint32_t> pushes_in_period;  // quota period -> accepted pushes
  const bool subscription = params_.account_type == "subscription";
  const double period_hours = subscription ? kHoursPerDay : kHoursPerDay * kDaysPerMonth;
  const std::uint32_t quota = subscription ? 1 : 4;
  std::uint32_t push = 0;
  for (std::uint64_t k = 0; params_.pushes == 0 || k < params_.pushes; ++k) {
    const double hour = params_.first_push_hour + static_cast<double>(k) * params_.push_every_hours;
    if (params_.end_hour > 0 && hour >= params_.end_hour) break;
    const auto step = static_cast<Step>(std::floor(hour / step_hours + 1e-9));
    if (step >= num_steps) break;
    auto& used = pushes_in_period[static_cast<std::int64_t>(std::floor(hour / period_hours))];
    if (used >= quota) {
      out.refused.push_back(step);
      continue;
    }
    ++used;
    for (std::uint32_t a = 0; a < params_.articles_per_push; ++a) {
      const double u = rng.uniform(Purpose::kTopic, push, a) * cumulative_weight_.back();
      const auto topic = static_cast<std::uint32_t>(
          std::upper_bound(cumulative_weight_.begin(), cumulative_weight_.end(), u) - cumulative_weight_.begin());
      const Topic& t = topics_[topic];
      out.items.push_back({.step = step, .push = push, .topic = topic, .appeal = t.appeal,
                           .sensitivity = t.sensitivity, .valence = t.valence,
                           .language_fit = language_fit_});
    }
    ++push;
  }
  return out;
}

}  // namespace softpower
