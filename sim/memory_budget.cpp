#include "sim/memory_budget.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <string>

#include "sim/error.hpp"
#include "sim/graph_cache.hpp"

namespace softpower {
namespace {

// Peak bytes while building the graph, per arc, measured with /usr/bin/time -v on
// `softpower graph generate` (docs/performance.md, "Memory") and rounded up.
constexpr double kGeneratorBytesPerArc = 18.0;   // ER 13.6, BA 17.5 (raw arc list, then CSR)
constexpr double kWechatLikeBytesPerArc = 12.0;  // 10.9 at 1.5e8 arcs, 11.5 at 5e8
constexpr double kCacheBytesPerArc = 9.0;        // targets and their transpose, 4 bytes each
constexpr double kWeightBytesPerArc = 12.0;      // a float weight and the in-arc id it needs
constexpr double kGraphBytesPerUser = 64.0;      // offsets, regions, communities, groups, attention
// The attitude model's daily social step reads an unweighted graph's own in-arcs; only a
// weighted graph's W is a copy (4 bytes per entry and an 8-byte weight). Per user: row ends,
// scale and susceptibility.
constexpr double kWeightedSocialBytesPerArc = 12.0;
constexpr double kSocialBytesPerUser = 32.0;
// One run: reach and feed state (9 bytes), attitudes (36 with the daily step's buffer), and an
// 8-byte word per user for each live item, of which a run rarely holds more than 8 at once.
constexpr double kRunBytesPerUser = 128.0;
constexpr double kEventBytesPerUser = 16.0;
// One run's metrics and series, a double each per step, and the writer's copy of them: 195
// bytes per step measured at 5.3e6 steps (time: {horizon_days: 3650, step_hours: 1/60}).
constexpr double kRunBytesPerStep = 256.0;
// Kept for every run until the command ends: `run`'s per-run outcomes for its summary, the
// writer's run index, a sweep's plan and journal (about 150 bytes measured in `run`).
constexpr double kRecordBytesPerRun = 256.0;

double gib(double bytes) { return bytes / (1024.0 * 1024.0 * 1024.0); }

std::optional<std::uint64_t> read_number(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  if (!(in >> text) || text == "max") return std::nullopt;
  try {
    return std::stoull(text);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

MemoryEstimate estimate_memory(const Scenario& s, std::uint64_t concurrent_runs, std::uint64_t total_runs) {
  const GraphSpec& g = s.graph;
  MemoryEstimate e;
  e.concurrent_runs = std::min<std::uint64_t>(concurrent_runs, s.runs);
  // `graph generate` (no runs) keeps no run records.
  e.total_runs = concurrent_runs == 0 ? 0 : total_runs != 0 ? total_runs : s.runs;
  e.records_bytes = kRecordBytesPerRun * static_cast<double>(e.total_runs);
  double per_arc = kGeneratorBytesPerArc;
  bool weighted = false;  // only caches can carry weights
  const double n = g.n;
  e.known = true;
  if (g.type == "wechat_like") {
    e.users = g.n;
    e.arcs = static_cast<std::uint64_t>(n * g.mean_degree);
    e.arcs_from = fmt::format("graph.n = {} users x graph.mean_degree = {}", g.n, g.mean_degree);
    per_arc = kWechatLikeBytesPerArc;
  } else if (g.type == "erdos_renyi") {
    e.users = g.n;
    e.arcs = static_cast<std::uint64_t>(n * g.mean_degree);
    e.arcs_from = fmt::format("graph.n = {} x graph.mean_degree = {}", g.n, g.mean_degree);
  } else if (g.type == "barabasi_albert") {
    e.users = g.n;
    e.arcs = 2 * std::uint64_t{g.n} * g.m;
    e.arcs_from = fmt::format("2 x graph.n = {} x graph.m = {}", g.n, g.m);
  } else if (g.type == "watts_strogatz") {
    e.users = g.n;
    e.arcs = std::uint64_t{g.n} * g.k;
    e.arcs_from = fmt::format("graph.n = {} x graph.k = {}", g.n, g.k);
  } else if (g.type == "stochastic_block_model") {
    double total = 0.0, within = 0.0;
    for (const std::uint32_t b : g.block_sizes) {
      total += b;
      within += static_cast<double>(b) * (b - 1.0);
    }
    e.users = static_cast<std::uint64_t>(total);
    const double across = total * (total - 1.0) - within;
    e.arcs = static_cast<std::uint64_t>(g.p_in * within + g.p_out * across);
    e.arcs_from = fmt::format("graph.block_sizes (sum {}) with graph.p_in = {} and graph.p_out = {}", e.users,
                              g.p_in, g.p_out);
  } else if (g.type == "cache") {
    // The cache says its own size; an unreadable file is reported where it is opened.
    try {
      const GraphCacheInfo info = read_graph_cache_info(resolve_path(s, g.path));
      e.users = info.num_vertices;
      e.arcs = info.num_arcs;
      e.arcs_from = fmt::format("the graph cache {} ({} arcs)", g.path, info.num_arcs);
      per_arc = kCacheBytesPerArc + (info.weighted ? kWeightBytesPerArc : 0.0);
      weighted = info.weighted;
    } catch (const std::exception&) {
      e.known = false;
    }
  } else {
    e.known = false;  // edge lists and GraphML: sized only once read
  }
  if (!e.known) return e;
  const double arcs = static_cast<double>(e.arcs);
  const double users = static_cast<double>(e.users);
  e.graph_bytes = per_arc * arcs + kGraphBytesPerUser * users;
  if (s.attitude) e.graph_bytes += (weighted ? kWeightedSocialBytesPerArc * arcs : 0.0) + kSocialBytesPerUser * users;
  e.run_bytes = (kRunBytesPerUser + (s.exports.enabled ? kEventBytesPerUser : 0.0)) * users +
                kRunBytesPerStep * static_cast<double>(s.time.num_steps());
  return e;
}

std::optional<std::uint64_t> available_memory() {
  std::optional<std::uint64_t> available;
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  std::uint64_t kib = 0;
  std::string unit;
  while (meminfo >> key >> kib >> unit) {
    if (key == "MemAvailable:") {
      available = kib * 1024;
      break;
    }
  }
  // cgroup v2: the job's limit minus what it already uses.
  if (const auto limit = read_number("/sys/fs/cgroup/memory.max")) {
    const std::uint64_t used = read_number("/sys/fs/cgroup/memory.current").value_or(0);
    const std::uint64_t room = *limit > used ? *limit - used : 0;
    available = available ? std::min(*available, room) : room;
  }
  return available;
}

void check_memory(const Scenario& s, std::uint64_t concurrent_runs, const std::string& override_flag,
                  std::uint64_t total_runs) {
  MemoryEstimate e = estimate_memory(s, concurrent_runs, total_runs);
  if (!e.known) {
    // A graph file is sized only once read, but the run records do not depend on it.
    e.graph_bytes = 0.0;
    e.run_bytes = 0.0;
    if (e.records_bytes == 0.0) return;
  }
  const std::optional<std::uint64_t> available = available_memory();
  if (!available || e.total_bytes() <= static_cast<double>(*available)) return;
  const auto room = static_cast<double>(*available);
  const bool graph_alone = e.graph_bytes > room;
  const bool records_alone = e.records_bytes > room;
  const std::string runs =
      e.concurrent_runs == 0 ? std::string()
                             : fmt::format(", {:.2f} GiB for each of {} run(s) at once ({} steps of time.horizon_days / "
                                           "time.step_hours)",
                                           gib(e.run_bytes), e.concurrent_runs, s.time.num_steps());
  const std::string records =
      e.total_runs == 0 ? std::string()
                        : fmt::format(", and {:.2f} GiB to keep a record of each of the {} runs ({})", gib(e.records_bytes),
                                      e.total_runs, total_runs != 0 ? "the sweep's points x replicates" : "runs");
  const std::string graph =
      e.known ? fmt::format("{:.1f} GiB for the graph of {} users and about {} arcs ({})", gib(e.graph_bytes), e.users,
                            e.arcs, e.arcs_from)
              : std::string("the graph file not counted (sized once read)");
  throw InputError(fmt::format(
      "{}: needs about {:.1f} GiB but this machine has {:.1f} GiB available (MemAvailable, or the job's cgroup "
      "limit): {}{}{}. {}, or pass {} to run anyway (docs/performance.md, \"Memory\")",
      s.origin.file, gib(e.total_bytes()), gib(room), graph, runs, records,
      records_alone ? "Make fewer runs (runs, or the sweep's replicates and axes)"
      : graph_alone ? "Make the graph smaller (the keys above)"
                    : "Run fewer runs at once (--threads), make the graph smaller (the keys above) or the horizon shorter",
      override_flag));
}

}  // namespace softpower
