// Indices of the engine's metrics by name, so tests keep working when metrics are added.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "sim/engine.hpp"

namespace softpower::testing_support {

inline std::size_t metric_index(std::string_view name) {
  const auto& specs = Engine::metric_specs();
  for (std::size_t k = 0; k < specs.size(); ++k) {
    if (specs[k].name == name) return k;
  }
  throw std::logic_error("no engine metric named " + std::string(name));
}

namespace metric {
inline const std::size_t kPublished = metric_index("published");
inline const std::size_t kRefused = metric_index("refused_by_quota");
inline const std::size_t kRefusedSuspended = metric_index("refused_by_suspension");
inline const std::size_t kBlocked = metric_index("blocked");
inline const std::size_t kTakenDown = metric_index("taken_down");
inline const std::size_t kExposures = metric_index("exposures");
inline const std::size_t kOpens = metric_index("opens");
inline const std::size_t kOpensPush = metric_index("opens_push");
inline const std::size_t kOpensMoments = metric_index("opens_moments");
inline const std::size_t kOpensChat = metric_index("opens_chat");
inline const std::size_t kOpensGroup = metric_index("opens_group");
inline const std::size_t kOpensWow = metric_index("opens_wow");
inline const std::size_t kShares = metric_index("shares");
inline const std::size_t kSharesMoments = metric_index("shares_moments");
inline const std::size_t kSharesChat = metric_index("shares_chat");
inline const std::size_t kSharesGroup = metric_index("shares_group");
inline const std::size_t kSharesWow = metric_index("shares_wow");
inline const std::size_t kSharesFiltered = metric_index("shares_filtered");
inline const std::size_t kSharesSelfCensored = metric_index("shares_self_censored");
inline const std::size_t kReachNew = metric_index("reach_new");
inline const std::size_t kReachCumulative = metric_index("reach_cumulative");
inline const std::size_t kActiveUsers = metric_index("active_users");
inline const std::size_t kLiveItems = metric_index("live_items");
}  // namespace metric

}  // namespace softpower::testing_support
