// posting: an institution's Official Account pushes articles on a cadence, within its quota.
//
// Rule. Push k is attempted at hour first_push_hour + k * push_every_hours (up to `pushes`
// pushes, or until end_hour / the horizon). The account type sets the quota (P2 in
// ../shared/reference/wechat-parameters.md): a subscription account may push at most once per
// calendar day, a service account at most 4 times per calendar month; softpower's calendar has
// 24-hour days from the start of the run and 30-day months. A push beyond the quota is refused
// (counted, nothing published). Each push carries `articles_per_push` articles (at most 8, P2),
// whose topics are drawn from the topic mix in proportion to the weights, after the
// institution's own self-censorship has removed every topic with sensitivity above
// max_sensitivity. Paid key opinion leaders (kol_budget of them, chosen by kol_selection) share
// every item as it is published. The language of the articles scales each region's open
// probability (language_fit).
//
// Parameters: see schema() (types, defaults, ranges) and docs/model.md.
#pragma once

#include <string>
#include <vector>

#include "sim/model.hpp"
#include "sim/schema.hpp"

namespace softpower {

struct Topic {
  std::string name = "campus";
  double appeal = 0.5;
  double sensitivity = 0.05;
  double valence = 0.5;
  double weight = 1.0;
};

class PostingStrategy final : public StrategyModel {
 public:
  struct Params {
    std::string account_type = "service";
    double first_push_hour = 9.0;
    double push_every_hours = 168.0;
    std::uint32_t pushes = 0;
    double end_hour = 0.0;
    std::uint32_t articles_per_push = 1;
    double max_sensitivity = 1.0;
    std::uint32_t kol_budget = 0;
    std::string kol_selection = "degree";
    std::uint32_t kol_community = 0;
    std::string language = "chinese";
    std::vector<double> language_fit;  // empty: from `language`
  };
  static constexpr const char* kName = "posting";
  static constexpr std::uint32_t kMaxArticlesPerPush = 8;
  static const Schema<Params>& schema();
  static const Schema<Topic>& topic_schema();
  /// Open-probability factor for [domestic, international] readers of an article in `language`
  /// (an assumption, see docs/model.md).
  static std::array<double, 2> language_fit_of(const std::string& language);

  /// `topics` empty means the single default topic. Throws InputError when self-censorship
  /// leaves no topic to publish.
  PostingStrategy(Params params, std::vector<Topic> topics, std::vector<VertexId> kols);

  [[nodiscard]] std::string name() const override { return kName; }
  [[nodiscard]] YAML::Node effective_params() const override;
  [[nodiscard]] PublicationPlan plan(std::uint64_t seed, RunId run, Step num_steps,
                                     double step_hours) const override;
  [[nodiscard]] std::span<const VertexId> seeds() const override { return kols_; }
  [[nodiscard]] const Params& params() const { return params_; }
  [[nodiscard]] const std::vector<Topic>& topics() const { return topics_; }

 private:
  Params params_;
  std::vector<Topic> topics_;
  std::vector<double> cumulative_weight_;  // over publishable topics; 0 for censored ones
  std::vector<VertexId> kols_;
  std::array<double, 2> language_fit_;
};

}  // namespace softpower
