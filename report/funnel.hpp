// The censorship funnel of a result file (published -> blocked -> taken down; shares ->
// filtered; would-be shares -> self-censored) and the model's estimates of the quantities the
// published WeChat ranges describe, each pooled over a group's runs as scripts/funnel.py does
// (ratio of sums, standard error of a ratio estimator with runs as clusters).
#pragma once

#include <string>
#include <vector>

#include "report/result_summary.hpp"
#include "report/statistics.hpp"

namespace softpower::report {

struct FunnelStage {
  std::string label;    // e.g. "taken down after publication"
  std::string unit;     // "items" or "shares"
  std::string rate_of;  // what the rate divides by, e.g. "of delivered items"; empty: no rate
  std::vector<double> per_run;  // per group: mean count per run
  std::vector<Ratio> rate;      // per group
};

/// The funnel stages of every group; stages whose metrics the file lacks are left out.
[[nodiscard]] std::vector<FunnelStage> funnel_stages(const ResultSummary& s);

/// The model's estimate of a reference quantity (ReferenceRange::quantity) for one group: NaN
/// value when the file cannot give it (e.g. the open rate of an account that is not new).
[[nodiscard]] Ratio reference_estimate(const GroupData& d, const std::string& quantity);

}  // namespace softpower::report
