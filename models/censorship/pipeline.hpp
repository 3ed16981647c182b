// The platform filter: strength C and the enabled mechanisms, run in a fixed order
// (publication_block, takedown, share_filter, down_ranking, self_censorship, suspension).
// Scenario: `censorship: {strength: C, MECHANISM: {params...}, ...}`; a mechanism is enabled
// by naming it. With C = 0, or no mechanism, nothing is filtered.
#pragma once

#include <memory>
#include <vector>

#include "models/censorship/mechanism.hpp"
#include "sim/scenario.hpp"

namespace softpower {

class CensorshipPipeline final : public PlatformFilter {
 public:
  CensorshipPipeline(double strength, std::vector<std::unique_ptr<CensorshipMechanism>> mechanisms);

  [[nodiscard]] YAML::Node effective_params() const override;
  [[nodiscard]] ItemFilter on_publish(const ItemSpec& item, ItemId id, std::uint64_t seed, RunId run,
                                      double step_hours) const override;
  [[nodiscard]] Step suspension_steps(std::uint32_t strike, double step_hours) const override;
  [[nodiscard]] double strength() const { return strength_; }

 private:
  double strength_;
  std::vector<std::unique_ptr<CensorshipMechanism>> mechanisms_;
};

/// Builds the filter from the scenario's `censorship` section (InputError on bad keys/values).
std::unique_ptr<CensorshipPipeline> make_platform_filter(const Scenario& scenario);

/// Markdown reference of the section and every mechanism.
std::string censorship_docs();

}  // namespace softpower
