// Scale benchmark: the engine's independent cascade against a bare serial loop over the same
// CSR arrays with the same random draws (so both do identical work; every run checks that they
// reach the same users). One cascade per run, from one uniform vertex, in one process, on a
// generated Erdos-Renyi graph or on a graph cache (`softpower graph generate`), which is how
// bench/ic_side_by_side.sh hands graph-tool the very same graph. Prints medians over runs and
// the ratios engine / bare loop measured in this same process; with --records, writes every
// run's time and final size (one tab-separated row each) for bench/ic_table.py, and with
// --sources-out the source vertices, so another implementation can start from the same ones.
//
// usage: cascade_bench (--graph CACHE.h5 | --n N --mean-degree D) --p T [--runs R]
//                      [--threads 1 2 ...] [--steps S] [--case NAME] [--records FILE]
//                      [--sources-out FILE]
#include <fmt/format.h>
#include <fmt/os.h>
#include <tbb/task_arena.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <ctime>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "models/diffusion/independent_cascade.hpp"
#include "models/strategy/fixed_schedule.hpp"
#include "sim/detail/serial_cascade.hpp"
#include "sim/engine.hpp"
#include "sim/generators.hpp"
#include "sim/graph_cache.hpp"
#include "sim/huge_pages.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// CPU time of the whole process, every thread: beside the wall time it tells how many CPUs a
// run actually had, which on a shared machine is not the number of threads it asked for.
double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

double mean(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

}  // namespace

int main(int argc, char** argv) {
  using namespace softpower;
  use_huge_pages(argv);  // as softpower itself does: the bare loop gets the same pages
  CLI::App app{"Independent cascade: the engine against a bare serial CSR loop, same draws"};
  std::string graph_path, case_name = "cascade", records_path, sources_path;
  std::uint32_t n = 0;
  double mean_degree = 0.0, T = 0.0;
  int runs = 10;
  // The run's horizon: the engine keeps every metric per step of it (23 series of int64), so a
  // horizon of 100,000 steps would cost 18 MB of zeroed memory per run, more than a critical
  // cascade itself. A cascade cut short by the horizon fails the check against the bare loop.
  Step steps = 1000;
  std::vector<int> thread_counts{1, 2};
  auto* graph_opt =
      app.add_option("--graph", graph_path, "Graph cache (.h5) to load")->check(CLI::ExistingFile);
  auto* n_opt =
      app.add_option("--n", n, "Vertices of a generated Erdos-Renyi graph (instead of --graph)");
  app.add_option("--mean-degree", mean_degree, "Mean degree of the generated graph")->needs(n_opt);
  n_opt->excludes(graph_opt);
  app.add_option("--p", T, "Transmission probability per arc (open probability)")
      ->required()
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--runs", runs, "Cascades, each from its own uniform source vertex")
      ->check(CLI::Range(1, 1000000));
  app.add_option("--threads", thread_counts, "Engine thread counts, each timed on every run")
      ->check(CLI::Range(1, 4096));
  app.add_option("--steps", steps, "Horizon of each engine run, in steps")
      ->check(CLI::Range(1, 100000000));
  app.add_option("--case", case_name, "Label of this case in the records");
  app.add_option("--records", records_path,
                 "Write one tab-separated row per run and implementation");
  app.add_option("--sources-out", sources_path,
                 "Write the source vertex of each run, one per line");
  CLI11_PARSE(app, argc, argv);
  if (graph_path.empty() && n == 0) {
    fmt::print(stderr, "cascade_bench: give --graph CACHE.h5 or --n N --mean-degree D\n");
    return 2;
  }

  auto t0 = Clock::now();
  const SocialGraph g =
      graph_path.empty() ? erdos_renyi(n, mean_degree, false, 1) : load_graph_cache(graph_path);
  auto t1 = Clock::now();
  const VertexId users = g.num_vertices();
  fmt::print("graph: {} -> {} vertices, {} arcs, {} in {:.2f} s\n",
             graph_path.empty() ? fmt::format("erdos_renyi n={} mean_degree={}", n, mean_degree)
                                : graph_path,
             users, g.num_arcs(), graph_path.empty() ? "generated" : "loaded", seconds(t0, t1));

  const IndependentCascade model(
      {.open_probability = T, .share_probability = 1.0, .activity = 1.0});
  const EngineConfig config{.seed = 42, .num_steps = steps, .step_hours = 1};
  const FixedSchedule once({.hours = {0}});
  const Engine engine(g, {.vertex = kNoVertex, .num_users = users}, model, once, config);
  const CsrView out = g.out_view();

  std::optional<fmt::ostream> records, sources;
  if (!records_path.empty()) {
    records.emplace(fmt::output_file(records_path));
    records->print("case\timpl\tthreads\trun\tsource\tsize\tseconds\tcpu_seconds\n");
  }
  if (!sources_path.empty()) sources.emplace(fmt::output_file(sources_path));

  std::vector<double> bare_times, sizes;
  std::vector<std::vector<double>> engine_times(thread_counts.size());
  std::uint64_t arcs_total = 0;
  for (int s = 0; s < runs; ++s) {
    const auto run = static_cast<RunId>(s);
    const CounterRng rng(config.seed, run);
    // The engine's own draw of the publisher for this run (Publisher{kNoVertex, users}).
    const auto source = static_cast<VertexId>(rng.bits(Purpose::kSeedVertex, 0, 0) % users);
    double cpu = cpu_seconds();
    auto a = Clock::now();
    const auto bare = detail::serial_cascade(out.offsets.data(), out.targets.data(), users, source,
                                             rng, 0, 0, model.rule(0));
    auto b = Clock::now();
    double cpu_used = cpu_seconds() - cpu;
    bare_times.push_back(seconds(a, b));
    arcs_total += bare.arcs_examined;
    // Final size as graph-tool counts it: the source and everyone it reached.
    const std::uint64_t size = bare.reads + 1;
    sizes.push_back(static_cast<double>(size));
    if (sources) sources->print("{}\n", source);
    if (records)
      records->print("{}\tbare\t1\t{}\t{}\t{}\t{:.9f}\t{:.9f}\n", case_name, s, source, size,
                     bare_times.back(), cpu_used);
    for (std::size_t k = 0; k < thread_counts.size(); ++k) {
      tbb::task_arena arena(thread_counts[k]);
      RunResult r;
      cpu = cpu_seconds();
      a = Clock::now();
      arena.execute([&] { r = engine.run(run); });
      b = Clock::now();
      cpu_used = cpu_seconds() - cpu;
      engine_times[k].push_back(seconds(a, b));
      if (r.items[0].reads != bare.reads || r.items[0].depth != bare.depth) {
        fmt::print(stderr, "MISMATCH run {}: engine reads {} depth {}, bare reads {} depth {}\n", s,
                   r.items[0].reads, r.items[0].depth, bare.reads, bare.depth);
        return 1;
      }
      if (records) {
        records->print("{}\tengine\t{}\t{}\t{}\t{}\t{:.9f}\t{:.9f}\n", case_name, thread_counts[k],
                       s, source, size, engine_times[k].back(), cpu_used);
      }
    }
  }
  const double arcs_per_run = static_cast<double>(arcs_total) / runs;
  const double bare = median(bare_times);
  fmt::print(
      "cascade: p={} runs={} mean final size={:.0f} ({:.2f}% of n) mean arcs examined/run={:.0f}\n",
      T, runs, mean(sizes), 100.0 * mean(sizes) / users, arcs_per_run);
  fmt::print("{:<22} {:>12} {:>12} {:>16} {:>14}\n", "implementation", "median s", "mean s",
             "arcs/s (median)", "median/bare");
  fmt::print("{:<22} {:>12.5f} {:>12.5f} {:>16.3e} {:>14.2f}\n", "bare serial loop", bare,
             mean(bare_times), arcs_per_run / bare, 1.0);
  for (std::size_t k = 0; k < thread_counts.size(); ++k) {
    const double t = median(engine_times[k]);
    fmt::print("{:<22} {:>12.5f} {:>12.5f} {:>16.3e} {:>14.2f}\n",
               fmt::format("engine {} thread(s)", thread_counts[k]), t, mean(engine_times[k]),
               arcs_per_run / t, t / bare);
  }
  return 0;
}
