// independent_cascade: each exposure (an item arriving in a user's feed from one sharer) is
// opened with probability T if the user is active in that step; each reader shares the item to
// their whole audience with probability q. A user opens and shares an item at most once.
//
// State: none beyond the engine's per-item bits. Parameters:
//   open_probability  T in [0, 1]  per exposure (per arc and item)
//   share_probability q in [0, 1]  per reader (per user and item)
//   activity          a in [0, 1]  per user and step
// With a = 1 and q = 1 this is the independent cascade model of Kempe, Kleinberg & Tardos
// (KDD 2003), i.e. bond percolation with occupation T (Newman, PRE 66, 016128, 2002): on a large
// Erdos-Renyi graph of mean degree c the final fraction reached solves S = 1 - exp(-c T S).
// With T = 1 and share probability q it is site percolation.
#pragma once

#include "sim/model.hpp"
#include "sim/schema.hpp"

namespace softpower {

class IndependentCascade final : public DiffusionModel {
 public:
  struct Params {
    double open_probability = 0.1;
    double share_probability = 1.0;
    double activity = 1.0;
  };
  static constexpr const char* kName = "independent_cascade";
  static const Schema<Params>& schema();

  explicit IndependentCascade(Params params) : params_(params) {}
  [[nodiscard]] std::string name() const override { return kName; }
  [[nodiscard]] YAML::Node effective_params() const override;
  [[nodiscard]] DiffusionRule rule(Step) const override;

 private:
  Params params_;
};

}  // namespace softpower
