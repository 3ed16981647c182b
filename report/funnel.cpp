#include "report/funnel.hpp"

#include <cmath>
#include <limits>

namespace softpower::report {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<double> total(const GroupData& d, const std::string& name) {
  const auto it = d.totals.find(name);
  return it == d.totals.end() ? std::vector<double>(d.delivered.size(), kNaN) : it->second;
}

std::vector<double> plus(std::vector<double> a, const std::vector<double>& b) {
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) a[i] += b[i];
  return a;
}

std::vector<double> minus(std::vector<double> a, const std::vector<double>& b) {
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) a[i] -= b[i];
  return a;
}

double mean(const std::vector<double>& v) {
  if (v.empty()) return kNaN;
  double sum = 0.0;
  for (double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}

}  // namespace

std::vector<FunnelStage> funnel_stages(const ResultSummary& s) {
  struct Definition {
    const char* label;
    const char* unit;
    const char* metric;
    const char* rate_of;
  };
  static constexpr Definition kStages[] = {
      {"items published", "items", "published", ""},
      {"blocked at publication", "items", "blocked", "of published"},
      {"taken down after publication", "items", "taken_down", "of delivered items"},
      {"shares (filtered ones included)", "shares", "shares", "of opens"},
      {"shares silently filtered", "shares", "shares_filtered", "of shares"},
      {"shares self-censored", "shares", "shares_self_censored", "of would-be shares"},
  };
  std::vector<FunnelStage> stages;
  for (const Definition& def : kStages) {
    if (!s.has_metric(def.metric)) continue;
    FunnelStage stage{def.label, def.unit, def.rate_of, {}, {}};
    for (const GroupData& d : s.data) {
      const std::vector<double> count = total(d, def.metric);
      stage.per_run.push_back(mean(count));
      const std::string metric = def.metric;
      std::vector<double> base;
      if (metric == "blocked") base = total(d, "published");
      if (metric == "taken_down") base = minus(total(d, "published"), total(d, "blocked"));
      if (metric == "shares") base = total(d, "opens");
      if (metric == "shares_filtered") base = total(d, "shares");
      if (metric == "shares_self_censored") base = plus(total(d, "shares"), count);
      stage.rate.push_back(base.empty() ? Ratio{kNaN, kNaN} : pooled_ratio(count, base));
    }
    stages.push_back(std::move(stage));
  }
  return stages;
}

Ratio reference_estimate(const GroupData& d, const std::string& quantity) {
  const auto opens = total(d, "opens");
  if (quantity == "open_rate") {
    std::vector<double> reached(d.delivered.size());
    for (std::size_t i = 0; i < reached.size(); ++i) reached[i] = d.delivered[i] * d.followers[i];
    return pooled_ratio(total(d, "opens_push"), reached);
  }
  if (quantity == "share_rate") return pooled_ratio(total(d, "shares"), opens);
  if (quantity == "reads_push") return pooled_ratio(total(d, "opens_push"), opens);
  if (quantity == "reads_moments") return pooled_ratio(total(d, "opens_moments"), opens);
  if (quantity == "reads_chats")
    return pooled_ratio(plus(total(d, "opens_chat"), total(d, "opens_group")), opens);
  if (quantity == "reads_wow") return pooled_ratio(total(d, "opens_wow"), opens);
  if (quantity == "moments_shares") {
    const auto moments = total(d, "shares_moments");
    return pooled_ratio(moments,
                        plus(plus(moments, total(d, "shares_chat")), total(d, "shares_group")));
  }
  if (quantity == "takedown_share") return pooled_ratio(d.taken_down, d.delivered);
  if (quantity == "takedown_share_ordinary") return pooled_ratio(d.ordinary_taken_down, d.ordinary);
  return {kNaN, kNaN};
}

}  // namespace softpower::report
