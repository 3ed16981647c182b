#include "apps/sweep_plan.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>
#include <optional>

#include "models/censorship/pipeline.hpp"
#include "models/registry.hpp"
#include "sim/error.hpp"

namespace softpower::cli {
namespace {

/// The effective YAML of one scenario, building (and so checking) all of its models.
std::string checked_effective_yaml(const Scenario& s) {
  const auto diffusion = make_diffusion_model(s);
  const auto strategy = make_strategy_model(s, nullptr);
  const auto filter = make_platform_filter(s);
  const auto attitude = make_attitude_model(s, nullptr);
  return effective_yaml(s, diffusion->effective_params(), strategy->effective_params(),
                        filter->effective_params(), attitude ? attitude->effective_params() : YAML::Node());
}

template <class T>
std::optional<T> parse_whole(const std::string& text) {
  T value{};
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

/// An axis becomes an int64 column if every value is an integer, float64 if every value is a
/// number, and a string column otherwise (names, booleans, whole sections).
ParamColumn column_for(const Sweep& sweep, std::size_t axis) {
  std::vector<std::string> text;
  for (const auto& point : sweep.points) text.push_back(sweep_value_text(point[axis]));
  ParamColumn column{.name = sweep.axes[axis].path, .by_point = {}};
  std::vector<std::int64_t> ints;
  std::vector<double> reals;
  bool all_int = true, all_real = true;
  for (std::size_t p = 0; p < text.size(); ++p) {
    const bool scalar = sweep.points[p][axis].IsScalar();
    const auto i = scalar ? parse_whole<std::int64_t>(text[p]) : std::nullopt;
    const auto d = scalar ? parse_whole<double>(text[p]) : std::nullopt;
    all_int = all_int && i.has_value();
    all_real = all_real && d.has_value();
    ints.push_back(i.value_or(0));
    reals.push_back(d.value_or(0.0));
  }
  if (all_int) {
    column.by_point = std::move(ints);
  } else if (all_real) {
    column.by_point = std::move(reals);
  } else {
    column.by_point = std::move(text);
  }
  return column;
}

std::optional<std::int64_t> env_integer(const char* name) {
  const char* value = std::getenv(name);
  if (!value || !*value) return std::nullopt;
  const auto parsed = parse_whole<std::int64_t>(value);
  if (!parsed) throw InputError(fmt::format("environment variable {}={} is not an integer", name, value));
  return parsed;
}

}  // namespace

SweepPlan plan_sweep(const Scenario& base) {
  SweepPlan plan;
  plan.base = base;
  plan.sweep = expand_sweep(base);
  std::vector<std::string> point_yaml;
  point_yaml.reserve(plan.sweep.num_points());
  for (std::uint64_t p = 0; p < plan.sweep.num_points(); ++p) {
    const Scenario s = base.sweep_node ? scenario_at_point(base, plan.sweep, p) : base;
    point_yaml.push_back(checked_effective_yaml(s));
    if (p == 0) {
      plan.num_steps = s.time.num_steps();
      plan.step_hours = s.time.step_hours;
    } else if (s.time.num_steps() != plan.num_steps || s.time.step_hours != plan.step_hours) {
      throw InputError(fmt::format(
          "{}: sweep: point {} has {} steps of {} h but point 0 has {} steps of {} h; every run of "
          "a sweep shares one time grid, so time.* cannot vary (run separate sweeps instead)",
          base.origin.file, p, s.time.num_steps(), s.time.step_hours, plan.num_steps, plan.step_hours));
    }
  }
  plan.fingerprint = sweep_fingerprint(base, plan.sweep, point_yaml);
  plan.base_yaml = plan.sweep.axes.empty() ? point_yaml.front() : checked_effective_yaml(base);
  for (std::size_t a = 0; a < plan.sweep.axes.size(); ++a) plan.columns.push_back(column_for(plan.sweep, a));
  return plan;
}

Shard parse_shard(const std::string& text) {
  if (text.empty()) {
    const auto id = env_integer("SLURM_ARRAY_TASK_ID");
    const auto count = env_integer("SLURM_ARRAY_TASK_COUNT");
    if (!id || !count) return {};
    const std::int64_t min = env_integer("SLURM_ARRAY_TASK_MIN").value_or(0);
    const std::int64_t max = env_integer("SLURM_ARRAY_TASK_MAX").value_or(min + *count - 1);
    const std::int64_t step = env_integer("SLURM_ARRAY_TASK_STEP").value_or(1);
    if (step != 1 || max - min + 1 != *count || *id < min || *id > max) {
      throw InputError(fmt::format(
          "the Slurm array (task {} of ids {}-{} step {}, {} tasks) is not a contiguous range; pass "
          "--shard K/N explicitly",
          *id, min, max, step, *count));
    }
    return Shard{.index = static_cast<std::uint32_t>(*id - min), .count = static_cast<std::uint32_t>(*count)};
  }
  const auto slash = text.find('/');
  const auto k = slash == std::string::npos ? std::nullopt : parse_whole<std::uint32_t>(text.substr(0, slash));
  const auto n = slash == std::string::npos ? std::nullopt : parse_whole<std::uint32_t>(text.substr(slash + 1));
  if (!k || !n || *n == 0 || *k >= *n) {
    throw InputError(fmt::format("--shard {}: expected K/N with 0 <= K < N, e.g. --shard 0/8", text));
  }
  return Shard{.index = *k, .count = *n};
}

std::vector<RunId> shard_runs(const Sweep& sweep, const Shard& shard) {
  std::vector<RunId> runs;
  for (RunId r = shard.index; r < sweep.num_runs(); r += shard.count) runs.push_back(r);
  return runs;
}

SweepInfo sweep_info(const SweepPlan& plan, const Shard& shard) {
  return SweepInfo{.fingerprint = plan.fingerprint,
                   .text = plan.sweep.text,
                   .seeds = plan.sweep.seeds == SweepSeeds::kCommon ? "common" : "independent",
                   .replicates = plan.sweep.replicates,
                   .num_points = plan.sweep.num_points(),
                   .total_runs = plan.sweep.num_runs(),
                   .shard = shard.index,
                   .num_shards = shard.count,
                   .columns = plan.columns};
}

}  // namespace softpower::cli
