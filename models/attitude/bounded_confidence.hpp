// bounded_confidence: attitudes x in [-1, 1] toward the institution, moved by reading its items
// (Deffuant-style bounded confidence toward the item's valence), pulled back toward each user's
// prior every day, and mixed once a day with the attitudes of the users one sees
// (Friedkin-Johnsen).
//
// Reading item i (valence v, sensitivity s) with attitude x, after n earlier reads of the
// institution's items:
//   |v - x| <= ε:           x' = x + μ P(i) R(n) (v - x)
//   |v - x| >  ε, backfire: x' = x - β (v - x)
//   then x' is clamped to [-1, 1]
// with the propaganda discount P(i) = 1 - d max(s, max(v, 0))^k (a sensitive or strongly positive
// item is discounted as propaganda) and the wear-out R(n) = 1 / (1 + n / n_w) for n < n_s, 0 from
// n_s on (0 disables either part).
// Each day, with the gap g = x - x0 (the institution's doing) and keep = exp(-1 / τ) (τ = 0: 1):
//   social_anchor content_free (default): g <- keep ((I - Λ) g + Λ W g), x = clamp(x0 + g).
//     The prior x0 is the content-free equilibrium: with no reads nothing moves, and the only
//     loss of an induced change is the decay (the social step moves it between friends).
//   social_anchor prior (classic Friedkin-Johnsen): x <- x0 + keep (x - x0), then
//     x <- Λ W x + (I - Λ) x0, which also pulls 1 - λ of every induced change back each day and
//     moves content-free attitudes toward the Friedkin-Johnsen fixed point.
// Priors: x0 = clamp(N(m_region, σ²), -1, 1), keyed (seed, run, kAttitudePrior, 0, user).
//
// State: none; the engine owns x and x0 (one double per user each). Parameters (default, range):
//   prior_mean m_0 (0, [-1, 1]), prior_mean_international m_1 (0.2, [-1, 1]), prior_sd σ (0.3,
//   [0, 2]), openness ε (0.6, [0, 2], on the [-1, 1] scale), convergence μ (0.1, [0, 1]),
//   backfire (false), backfire_rate β (0.05, [0, 1]), propaganda_discount d (0.5, [0, 1]),
//   propaganda_exponent k (2, [0.1, 10]), wear_out_reads n_w (5), saturation_reads n_s (10),
//   decay_days τ (7), social_step (true), susceptibility λ (0.8, [0, 1]),
//   social_anchor (content_free | prior), snapshot_every_hours (0: none). Help text in schema();
//   equations in docs/model.md.
//
// Sources (rows of ../shared/reference/wechat-parameters.md): P31 (Deffuant et al., Adv. Complex
// Systems 3 (2000): ε and μ), P33 (Friedkin & Johnsen 1990: susceptibility), P34 (Schmidt &
// Eisend, J. Advertising 44(4) 2015: wear-out), P35 (Mattingly & Sundquist 2023; Rhee, Crabtree
// & Horiuchi 2023: valence, backfire, ulterior-motive discount, decay within about a week).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "models/attitude/friedkin_johnsen.hpp"
#include "sim/graph.hpp"
#include "sim/model.hpp"
#include "sim/schema.hpp"

namespace softpower {

class BoundedConfidence final : public AttitudeModel {
 public:
  struct Params {
    double prior_mean = 0.0;                // m_0, domestic users
    double prior_mean_international = 0.2;  // m_1, international users (region 1)
    double prior_sd = 0.3;                  // σ
    double openness = 0.6;                  // ε, on the [-1, 1] attitude scale
    double convergence = 0.1;               // μ
    bool backfire = false;
    double backfire_rate = 0.05;            // β
    double propaganda_discount = 0.5;       // d
    double propaganda_exponent = 2.0;       // k
    double wear_out_reads = 5.0;            // n_w; 0: no hyperbolic wear-out
    std::uint32_t saturation_reads = 10;    // n_s; 0: no saturation
    double decay_days = 7.0;                // τ; 0: no decay
    bool social_step = true;
    double susceptibility = FriedkinJohnsen::Params{}.susceptibility;  // λ
    std::string social_anchor = "content_free";  // or "prior" (classic Friedkin-Johnsen)
    double snapshot_every_hours = 0.0;      // 0: no snapshots
  };
  static constexpr const char* kName = "bounded_confidence";
  static const Schema<Params>& schema();

  /// With social_step, `graph` null gives a model that validates and documents its parameters
  /// but whose daily() throws std::logic_error; otherwise the friend graph's users are
  /// [0, num_users). Throws std::invalid_argument as FriedkinJohnsen does for a bad graph.
  BoundedConfidence(Params params, const SocialGraph* graph, VertexId num_users);

  [[nodiscard]] std::string name() const override { return kName; }
  [[nodiscard]] YAML::Node effective_params() const override;
  /// Parallel over users; each prior is a pure function of (seed, run, user). Throws
  /// std::invalid_argument if `region` is neither empty nor the size of `prior`.
  void priors(std::uint64_t seed, RunId run, std::span<const std::uint8_t> region,
              std::span<double> prior) const override;
  [[nodiscard]] double on_read(double x, double x0, const ItemSpec& item,
                               std::uint32_t reads_before) const override;
  /// Throws std::invalid_argument if x and prior differ in size (or, with the social step,
  /// are not num_users long), std::logic_error if the social step has no graph.
  void daily(std::span<double> x, std::span<const double> prior) const override;
  /// The same day for x and for the gap (decay and social step fused into one pass over W).
  void daily_with_gap(std::span<double> x, std::span<const double> prior, std::span<double> gap) const override;
  /// round(snapshot_every_hours / step_hours), at least 1; 0 when snapshot_every_hours is 0.
  [[nodiscard]] Step snapshot_every_steps(double step_hours) const override;

  /// μ P(i) R(n): the fraction of the way toward v that a read inside the openness moves x.
  [[nodiscard]] double effective_convergence(const ItemSpec& item, std::uint32_t reads_before) const;
  /// P(i) = 1 - d max(s, max(v, 0))^k.
  [[nodiscard]] double propaganda_factor(const ItemSpec& item) const;
  /// R(n) = 1 / (1 + n / n_w) for n < n_s, 0 for n >= n_s.
  [[nodiscard]] double wear_out_factor(std::uint32_t reads_before) const;
  /// exp(-1 / τ), or 1 without decay: the share of x - x0 that survives one day.
  [[nodiscard]] double daily_retention() const;
  /// True for the classic Friedkin-Johnsen anchor (x <- Λ W x + (I − Λ) x0); false for the
  /// default, where the social step moves only the deviation from the content-free attitude.
  [[nodiscard]] bool anchored_to_prior() const { return params_.social_anchor == "prior"; }
  /// Decay and the content-free social step fix x = x0; the classic Friedkin-Johnsen step
  /// moves it toward its fixed point.
  [[nodiscard]] bool day_keeps_priors() const override { return !params_.social_step || !anchored_to_prior(); }

  [[nodiscard]] const Params& params() const { return params_; }
  /// The social step, or null (social_step false, or built without a graph).
  [[nodiscard]] const FriedkinJohnsen* social() const { return social_.get(); }

 private:
  /// Throws unless the social step exists and has `users` users.
  void check_social(std::size_t users) const;

  Params params_;
  std::unique_ptr<const FriedkinJohnsen> social_;
};

}  // namespace softpower
