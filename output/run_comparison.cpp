#include "output/run_comparison.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <bit>
#include <optional>
#include <type_traits>

namespace softpower {
namespace {

template <class T>
bool same_bits(const T& a, const T& b) {
  if constexpr (std::is_same_v<T, double>) {
    return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
  } else if constexpr (std::is_same_v<T, float>) {
    return std::bit_cast<std::uint32_t>(a) == std::bit_cast<std::uint32_t>(b);
  } else {
    return a == b;
  }
}

template <class T>
std::string text_of(const T& value) {
  if constexpr (std::is_enum_v<T>) {
    return fmt::format("{}", static_cast<int>(value));
  } else {
    return fmt::format("{}", value);
  }
}

/// The first difference of one dataset: fields are offered in order, the first unequal one is
/// kept and the rest are ignored.
class FirstDifference {
 public:
  template <class T>
  void field(const std::string& where, const T& stored, const T& recomputed) {
    if (found_ || same_bits(stored, recomputed)) return;
    std::string a = text_of(stored), b = text_of(recomputed);
    if constexpr (std::is_floating_point_v<T>) {
      if (a == b) {  // different bits that print alike (NaN payloads)
        a +=
            fmt::format(" (bits {:#x})", std::bit_cast<std::uint64_t>(static_cast<double>(stored)));
        b += fmt::format(" (bits {:#x})",
                         std::bit_cast<std::uint64_t>(static_cast<double>(recomputed)));
      }
    }
    found_ = Found{.where = where, .stored = std::move(a), .recomputed = std::move(b)};
  }

  /// Compares lengths, then elements; `where(i)` names element i.
  template <class T, class Where>
  void elements(const std::vector<T>& stored, const std::vector<T>& recomputed, Where where) {
    field("length", stored.size(), recomputed.size());
    for (std::size_t i = 0; i < stored.size() && !found_; ++i)
      field(where(i), stored[i], recomputed[i]);
  }

  [[nodiscard]] bool found() const { return found_.has_value(); }

  void report(std::vector<RunDifference>& out, const std::string& dataset, RunId run) {
    if (found_) out.push_back({dataset, run, found_->where, found_->stored, found_->recomputed});
  }

 private:
  struct Found {
    std::string where, stored, recomputed;
  };
  std::optional<Found> found_;
};

void compare_item(FirstDifference& d, std::size_t i, const ItemRecord& a, const ItemRecord& b) {
  const auto at = [&](const char* field) { return fmt::format("item {}, {}", i, field); };
  d.field(at("item"), a.item, b.item);
  d.field(at("push"), a.push, b.push);
  d.field(at("topic"), a.topic, b.topic);
  d.field(at("appeal"), a.appeal, b.appeal);
  d.field(at("sensitivity"), a.sensitivity, b.sensitivity);
  d.field(at("valence"), a.valence, b.valence);
  d.field(at("publish_step"), a.publish_step, b.publish_step);
  d.field(at("blocked"), a.blocked, b.blocked);
  d.field(at("takedown_step"), a.takedown_step, b.takedown_step);
  d.field(at("reads"), a.reads, b.reads);
  d.field(at("shares"), a.shares, b.shares);
  d.field(at("first_hop_shares"), a.first_hop_shares, b.first_hop_shares);
  d.field(at("reach"), a.reach, b.reach);
  d.field(at("depth"), a.depth, b.depth);
}

void compare_read(FirstDifference& d, std::size_t k, const ReadEvent& a, const ReadEvent& b) {
  const auto at = [&](const char* field) { return fmt::format("read {}, {}", k, field); };
  d.field(at("item"), a.item, b.item);
  d.field(at("user"), a.user, b.user);
  d.field(at("step"), a.step, b.step);
  d.field(at("parent"), a.parent, b.parent);
  d.field(at("hop"), a.hop, b.hop);
  d.field(at("via"), a.via, b.via);
  d.field(at("outcome"), a.outcome, b.outcome);
  d.field(at("share_channel"), a.share_channel, b.share_channel);
}

std::string describe(const SeriesSpec& s) {
  return s.columns.empty() ? "float64 [run, step]"
                           : fmt::format("float64 [run, step, {}] ({})", s.columns.size(),
                                         fmt::join(s.columns, ", "));
}

}  // namespace

std::vector<std::string> run_datasets(const StoredLayout& layout) {
  std::vector<std::string> names{"/params"};
  for (const auto& m : layout.metrics) names.push_back("/metrics/" + m.name);
  for (const auto& s : layout.series) names.push_back("/metrics/" + s.name);
  if (layout.snapshot_users > 0) {
    names.emplace_back("/attitude/snapshot_steps");
    names.emplace_back("/attitude/snapshots");
  }
  names.emplace_back("/items");
  if (layout.events.enabled()) {
    names.emplace_back("/events/graph_checksum");
    names.emplace_back("/events/first_exposure");
    names.emplace_back("/events/reads");
    if (layout.events.attitude_users > 0) {
      names.emplace_back("/events/attitude_initial");
      names.emplace_back("/events/attitude_final");
    }
  }
  return names;
}

std::vector<std::string> layout_differences(const StoredLayout& stored,
                                            const StoredLayout& recomputed) {
  std::vector<std::string> out;
  const auto metric_named = [](const StoredLayout& l, const std::string& name) {
    return std::find_if(l.metrics.begin(), l.metrics.end(),
                        [&](const MetricSpec& m) { return m.name == name; }) != l.metrics.end();
  };
  const auto series_named = [](const StoredLayout& l,
                               const std::string& name) -> const SeriesSpec* {
    for (const auto& s : l.series) {
      if (s.name == name) return &s;
    }
    return nullptr;
  };
  for (const auto& m : stored.metrics) {
    if (!metric_named(recomputed, m.name))
      out.push_back(fmt::format("/metrics/{}: in the file but not computed", m.name));
  }
  for (const auto& m : recomputed.metrics) {
    if (!metric_named(stored, m.name))
      out.push_back(fmt::format("/metrics/{}: computed but not in the file", m.name));
  }
  const bool same_metric_order =
      out.empty() &&
      std::equal(stored.metrics.begin(), stored.metrics.end(), recomputed.metrics.begin(),
                 recomputed.metrics.end(),
                 [](const MetricSpec& a, const MetricSpec& b) { return a.name == b.name; });
  if (out.empty() && !same_metric_order)
    out.emplace_back("/metrics: the int64 metrics are in another order");
  for (const auto& s : stored.series) {
    const SeriesSpec* other = series_named(recomputed, s.name);
    if (!other) {
      out.push_back(fmt::format("/metrics/{}: in the file but not computed", s.name));
    } else if (other->columns != s.columns) {
      out.push_back(fmt::format("/metrics/{}: {} in the file, {} computed", s.name, describe(s),
                                describe(*other)));
    }
  }
  for (const auto& s : recomputed.series) {
    if (!series_named(stored, s.name))
      out.push_back(fmt::format("/metrics/{}: computed but not in the file", s.name));
  }
  if (out.empty() &&
      !std::equal(stored.series.begin(), stored.series.end(), recomputed.series.begin(),
                  recomputed.series.end(),
                  [](const SeriesSpec& a, const SeriesSpec& b) { return a.name == b.name; })) {
    out.emplace_back("/metrics: the float64 series are in another order");
  }
  if (stored.snapshot_users != recomputed.snapshot_users) {
    out.push_back(fmt::format("/attitude/snapshots: {} users per snapshot in the file, {} computed",
                              stored.snapshot_users, recomputed.snapshot_users));
  }
  if (stored.events != recomputed.events) {
    out.push_back(
        fmt::format("/events: {} vertices and {} attitude users in the file, {} and {} computed",
                    stored.events.vertices, stored.events.attitude_users,
                    recomputed.events.vertices, recomputed.events.attitude_users));
  }
  return out;
}

std::vector<RunDifference> compare_runs(const StoredLayout& layout, const RunResult& stored,
                                        const RunResult& recomputed) {
  std::vector<RunDifference> out;
  const RunId run = stored.run;
  {
    FirstDifference d;
    d.field("run", stored.run, recomputed.run);
    d.field("seed", stored.seed, recomputed.seed);
    d.field("institution", stored.institution, recomputed.institution);
    d.field("steps_run", stored.steps_run, recomputed.steps_run);
    d.report(out, "/params", run);
  }
  const auto step = [](std::size_t s) { return fmt::format("step {}", s); };
  for (std::size_t k = 0; k < layout.metrics.size(); ++k) {
    FirstDifference d;
    d.field("metrics in the run", stored.metrics.size(), recomputed.metrics.size());
    if (!d.found() && k < stored.metrics.size())
      d.elements(stored.metrics[k], recomputed.metrics[k], step);
    d.report(out, "/metrics/" + layout.metrics[k].name, run);
  }
  for (std::size_t k = 0; k < layout.series.size(); ++k) {
    const SeriesSpec& spec = layout.series[k];
    const std::size_t width = spec.width();
    FirstDifference d;
    d.field("series in the run", stored.series.size(), recomputed.series.size());
    if (!d.found() && k < stored.series.size()) {
      d.elements(stored.series[k], recomputed.series[k], [&](std::size_t i) {
        return spec.columns.empty()
                   ? fmt::format("step {}", i)
                   : fmt::format("step {}, column {}", i / width, spec.columns[i % width]);
      });
    }
    d.report(out, "/metrics/" + spec.name, run);
  }
  if (layout.snapshot_users > 0) {
    FirstDifference steps;
    steps.elements(stored.snapshot_steps, recomputed.snapshot_steps,
                   [](std::size_t i) { return fmt::format("snapshot {}", i); });
    steps.report(out, "/attitude/snapshot_steps", run);
    FirstDifference values;
    values.elements(stored.snapshots, recomputed.snapshots, [&](std::size_t i) {
      return fmt::format("snapshot {}, user {}", i / layout.snapshot_users,
                         i % layout.snapshot_users);
    });
    values.report(out, "/attitude/snapshots", run);
  }
  {
    FirstDifference d;
    d.field("items in the run", stored.items.size(), recomputed.items.size());
    for (std::size_t i = 0; i < stored.items.size() && !d.found(); ++i) {
      compare_item(d, i, stored.items[i], recomputed.items[i]);
    }
    d.report(out, "/items", run);
  }
  if (layout.events.enabled()) {
    const UserEvents& a = stored.events;
    const UserEvents& b = recomputed.events;
    FirstDifference checksum;
    checksum.field("checksum", fmt::format("{:016x}", a.graph_checksum),
                   fmt::format("{:016x}", b.graph_checksum));
    checksum.report(out, "/events/graph_checksum", run);
    FirstDifference exposure;
    exposure.elements(a.first_exposure, b.first_exposure,
                      [](std::size_t v) { return fmt::format("vertex {}", v); });
    exposure.report(out, "/events/first_exposure", run);
    FirstDifference reads;
    reads.field("reads in the run", a.reads.size(), b.reads.size());
    for (std::size_t k = 0; k < a.reads.size() && !reads.found(); ++k)
      compare_read(reads, k, a.reads[k], b.reads[k]);
    reads.report(out, "/events/reads", run);
    if (layout.events.attitude_users > 0) {
      const auto user = [](std::size_t u) { return fmt::format("user {}", u); };
      FirstDifference initial;
      initial.elements(a.attitude_initial, b.attitude_initial, user);
      initial.report(out, "/events/attitude_initial", run);
      FirstDifference final_attitude;
      final_attitude.elements(a.attitude_final, b.attitude_final, user);
      final_attitude.report(out, "/events/attitude_final", run);
    }
  }
  return out;
}

}  // namespace softpower
