#include "models/attitude/bounded_confidence.hpp"

#include <fmt/format.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <vector>

#include "sim/error.hpp"
#include "sim/rng.hpp"

namespace softpower {
namespace {

constexpr std::size_t kGrain = 4096;  // users per parallel task

double clamp_attitude(double x) { return std::clamp(x, -1.0, 1.0); }

template <class Body>
void for_each_user(std::size_t n, const Body& body) {
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, kGrain),
                    [&](const tbb::blocked_range<std::size_t>& r) {
                      for (std::size_t v = r.begin(); v < r.end(); ++v) body(v);
                    });
}

}  // namespace

const Schema<BoundedConfidence::Params>& BoundedConfidence::schema() {
  static const auto schema = Schema<Params>{}
      .number("prior_mean", &Params::prior_mean, -1.0, 1.0, "m_0: mean prior attitude of domestic users, before clipping to [-1, 1]. An assumption (no row gives it).")
      .number("prior_mean_international", &Params::prior_mean_international, -1.0, 1.0, "m_1: mean prior attitude of international users (region 1). An assumption.")
      .number("prior_sd", &Params::prior_sd, 0.0, 2.0, "σ: standard deviation of prior attitudes x0 ~ N(m_region, σ²), clipped to [-1, 1]. An assumption.")
      .number("openness", &Params::openness, 0.0, 2.0, "ε: a read moves x toward the item's valence v only if abs(v - x) <= ε (bounded confidence, on the [-1, 1] scale: P31's [0.1, 0.5] on a unit scale is [0.2, 1] here).")
      .number("convergence", &Params::convergence, 0.0, 1.0, "μ: fraction of the way toward v that a read inside the openness moves x, before discounts (P31: (0, 0.5]).")
      .boolean("backfire", &Params::backfire, "A read outside the openness pushes x away from v (P35: critical messages can backfire).")
      .number("backfire_rate", &Params::backfire_rate, 0.0, 1.0, "β: with backfire, x moves by -β (v - x) (P35; effect sizes not retrieved).")
      .number("propaganda_discount", &Params::propaganda_discount, 0.0, 1.0, "d: the gain is scaled by 1 - d max(s, max(v, 0))^k: sensitive or strongly positive items read as propaganda (P35: a perceived ulterior motive cancels the gain). 0: off.")
      .number("propaganda_exponent", &Params::propaganda_exponent, 0.1, 10.0, "k: larger k discounts only the most sensitive or most positive items.")
      .number("wear_out_reads", &Params::wear_out_reads, 0.0, 1e6, "n_w: the gain is scaled by 1 / (1 + n / n_w) after n earlier reads of the institution's items (P34: wear-out after 3-10 exposures). 0: off.")
      .number("saturation_reads", &Params::saturation_reads, std::uint32_t{0}, std::uint32_t{1000000000}, "n_s: reads after the n_s-th have no gain (P34: attitude peaks at about 10 exposures). 0: off.")
      .number("decay_days", &Params::decay_days, 0.0, 36500.0, "τ: each day x <- x0 + (x - x0) exp(-1 / τ), decay toward the prior (P35: effects last about a week). 0: no decay.")
      .boolean("social_step", &Params::social_step, "Each day, after the decay, one Friedkin-Johnsen step over the friend graph (anchored as social_anchor says).")
      .number("susceptibility", &Params::susceptibility, 0.0, 1.0, "λ: weight of the mean attitude of the users one sees in the social step; 1 - λ stays on one's own attitude (content_free) or on the prior (prior). An assumption (P33: no empirical values).")
      .choice("social_anchor", &Params::social_anchor, {"content_free", "prior"}, "content_free: the priors are the content-free equilibrium; the social step spreads each user's deviation from it to the users who see them and removes none of it (only decay_days does). prior: classic Friedkin-Johnsen, x <- λ W x + (1 - λ) x0, which also pulls 1 - λ of every induced change back to the prior each day and moves content-free attitudes toward the Friedkin-Johnsen fixed point.")
      .number("snapshot_every_hours", &Params::snapshot_every_hours, 0.0, 24.0 * 3650, "Simulated hours between attitude snapshots in the result file (rounded to whole steps). 0: none.");
  return schema;
}

BoundedConfidence::BoundedConfidence(Params params, const SocialGraph* graph, VertexId num_users)
    : params_(params) {
  // The one table checks every range: print the values and parse them back.
  try {
    Params checked;
    schema().parse(checked, schema().to_yaml(params), YamlOrigin{.file = kName, .overrides = {}},
                   "attitude");
  } catch (const InputError& e) {
    throw std::invalid_argument(e.what());
  }
  if (params.social_step && graph) {
    social_ = std::make_unique<const FriedkinJohnsen>(
        *graph, num_users, FriedkinJohnsen::Params{.susceptibility = params.susceptibility});
  }
}

YAML::Node BoundedConfidence::effective_params() const {
  YAML::Node node(YAML::NodeType::Map);
  node["model"] = kName;
  for (const auto& kv : schema().to_yaml(params_)) node[kv.first] = kv.second;
  return node;
}

void BoundedConfidence::priors(std::uint64_t seed, RunId run, std::span<const std::uint8_t> region,
                               std::span<double> prior) const {
  if (!region.empty() && region.size() != prior.size()) {
    throw std::invalid_argument(
        fmt::format("bounded_confidence: {} regions for {} users", region.size(), prior.size()));
  }
  const CounterRng rng(seed, run);
  const double mean[2] = {params_.prior_mean, params_.prior_mean_international};
  const double sd = params_.prior_sd;
  for_each_user(prior.size(), [&](std::size_t v) {
    const auto block = rng.block(Purpose::kAttitudePrior, 0, v);
    const double m = mean[!region.empty() && region[v] != 0 ? 1 : 0];
    prior[v] = clamp_attitude(m + sd * CounterRng::standard_normal(block[0], block[1]));
  });
}

double BoundedConfidence::propaganda_factor(const ItemSpec& item) const {
  if (params_.propaganda_discount == 0.0) return 1.0;
  const double cue = std::max(item.sensitivity, std::max(item.valence, 0.0));
  return 1.0 - params_.propaganda_discount * std::pow(cue, params_.propaganda_exponent);
}

double BoundedConfidence::wear_out_factor(std::uint32_t reads_before) const {
  if (params_.saturation_reads > 0 && reads_before >= params_.saturation_reads) return 0.0;
  if (params_.wear_out_reads == 0.0) return 1.0;
  return 1.0 / (1.0 + static_cast<double>(reads_before) / params_.wear_out_reads);
}

double BoundedConfidence::effective_convergence(const ItemSpec& item,
                                                std::uint32_t reads_before) const {
  return params_.convergence * propaganda_factor(item) * wear_out_factor(reads_before);
}

double BoundedConfidence::on_read(double x, double /*x0*/, const ItemSpec& item,
                                  std::uint32_t reads_before) const {
  const double gap = item.valence - x;
  if (std::abs(gap) <= params_.openness) {
    return clamp_attitude(x + effective_convergence(item, reads_before) * gap);
  }
  if (params_.backfire) return clamp_attitude(x - params_.backfire_rate * gap);
  return x;
}

double BoundedConfidence::daily_retention() const {
  return params_.decay_days == 0.0 ? 1.0 : std::exp(-1.0 / params_.decay_days);
}

void BoundedConfidence::daily(std::span<double> x, std::span<const double> prior) const {
  if (x.size() != prior.size()) {
    throw std::invalid_argument(fmt::format(
        "bounded_confidence: daily needs one prior per attitude (got {} and {})", x.size(),
        prior.size()));
  }
  if (params_.social_step && !anchored_to_prior()) {
    // The deviation from the content-free attitude (the prior) is the whole state.
    std::vector<double> gap(x.size());
    for_each_user(x.size(), [&](std::size_t v) { gap[v] = x[v] - prior[v]; });
    daily_with_gap(x, prior, gap);
    return;
  }
  const double keep = daily_retention();
  const auto decay = [&](std::size_t v) {
    return keep == 1.0 ? x[v] : clamp_attitude(prior[v] + (x[v] - prior[v]) * keep);
  };
  if (!params_.social_step) {
    if (keep != 1.0) for_each_user(x.size(), [&](std::size_t v) { x[v] = decay(v); });
    return;
  }
  check_social(x.size());
  std::vector<double> decayed(x.size());
  for_each_user(x.size(), [&](std::size_t v) { decayed[v] = decay(v); });
  social_->step(decayed, prior, x);
}

void BoundedConfidence::check_social(std::size_t users) const {
  if (!social_) {
    throw std::logic_error("bounded_confidence: the social step needs the friend graph");
  }
  if (users != social_->num_users()) {
    throw std::invalid_argument(
        fmt::format("bounded_confidence: daily needs {} attitudes, one per user (got {})",
                    social_->num_users(), users));
  }
}

void BoundedConfidence::daily_with_gap(std::span<double> x, std::span<const double> prior,
                                       std::span<double> gap) const {
  if (gap.size() != x.size() || prior.size() != x.size()) {
    throw std::invalid_argument(fmt::format(
        "bounded_confidence: daily_with_gap needs one prior and one gap per attitude (got {}, {} and {})",
        x.size(), prior.size(), gap.size()));
  }
  const double keep = daily_retention();
  if (!params_.social_step) {
    daily(x, prior);
    if (keep != 1.0) for_each_user(gap.size(), [&](std::size_t v) { gap[v] *= keep; });
    return;
  }
  check_social(x.size());
  if (!anchored_to_prior()) {
    // x = x0 + g with g the institution's doing: the content-free attitude x0 does not move.
    std::vector<double> next(gap.size());
    social_->step_deviation(gap, keep, next);
    for_each_user(x.size(), [&](std::size_t v) {
      const double moved = prior[v] + next[v];
      x[v] = clamp_attitude(moved);
      gap[v] = x[v] == moved ? next[v] : x[v] - prior[v];
    });
    return;
  }
  std::vector<double> decayed(x.size()), decayed_gap(gap.size());
  for_each_user(x.size(), [&](std::size_t v) {
    decayed[v] = keep == 1.0 ? x[v] : clamp_attitude(prior[v] + (x[v] - prior[v]) * keep);
    decayed_gap[v] = gap[v] * keep;
  });
  social_->step_with_gap(decayed, prior, decayed_gap, x, gap);
}

Step BoundedConfidence::snapshot_every_steps(double step_hours) const {
  if (params_.snapshot_every_hours == 0.0) return 0;
  return std::max<Step>(1, static_cast<Step>(std::llround(params_.snapshot_every_hours / step_hours)));
}

}  // namespace softpower
