// Small pieces every subcommand uses: thread limits, timing, loading a scenario with --seed.
#pragma once

#include <fmt/format.h>
#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <chrono>
#include <filesystem>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/error.hpp"
#include "sim/scenario.hpp"

namespace softpower::cli {

/// Caps TBB's worker threads for the lifetime of the returned object; 0 keeps every core.
inline std::unique_ptr<tbb::global_control> limit_threads(int threads) {
  if (threads <= 0) return nullptr;
  return std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                               static_cast<std::size_t>(threads));
}

/// Threads TBB will use here: the cores this process may run on (its CPU affinity), capped by
/// any limit_threads() in force.
inline int active_threads() {
  const auto cap = tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism);
  return static_cast<int>(std::min<std::size_t>(cap, static_cast<std::size_t>(tbb::this_task_arena::max_concurrency())));
}

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// The scenario file's folder as an absolute path (Provenance::scenario_dir).
inline std::string scenario_folder(const Scenario& s) {
  const std::filesystem::path dir = s.base_dir.empty() ? std::filesystem::path(".") : s.base_dir;
  return std::filesystem::absolute(dir).lexically_normal().string();
}

/// --seed S: taken as text and checked here, since the option parser would wrap -1 into
/// 18446744073709551615.
inline Scenario load_with_seed(const std::string& file, std::vector<std::string> overrides,
                               const std::optional<std::string>& seed) {
  if (seed) {
    std::uint64_t value = 0;
    const char* end = seed->data() + seed->size();
    if (const auto r = std::from_chars(seed->data(), end, value); r.ec != std::errc() || r.ptr != end) {
      throw InputError(fmt::format("--seed {}: expected an integer from 0 to {}", *seed,
                                   std::numeric_limits<std::uint64_t>::max()));
    }
    overrides.push_back(fmt::format("seed={}", value));
  }
  return load_scenario(file, overrides);
}

}  // namespace softpower::cli
