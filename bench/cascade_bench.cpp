// Scale benchmark: independent cascade on an Erdos-Renyi graph, the engine against a bare
// serial loop over the same CSR arrays with the same random draws (so both do identical work;
// the run checks that they reach the same users). Reports medians over seeds and the ratio
// engine / bare loop measured in this same process.
//
// usage: cascade_bench N MEAN_DEGREE T SEEDS THREADS...
#include <fmt/format.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "models/diffusion/independent_cascade.hpp"
#include "models/strategy/fixed_schedule.hpp"
#include "sim/detail/serial_cascade.hpp"
#include "sim/engine.hpp"
#include "sim/generators.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace softpower;
  if (argc < 6) {
    fmt::print(stderr, "usage: {} N MEAN_DEGREE T SEEDS THREADS...\n", argv[0]);
    return 2;
  }
  const auto n = static_cast<VertexId>(std::stoul(argv[1]));
  const double mean_degree = std::stod(argv[2]);
  const double T = std::stod(argv[3]);
  const int seeds = std::stoi(argv[4]);
  std::vector<int> thread_counts;
  for (int i = 5; i < argc; ++i) thread_counts.push_back(std::stoi(argv[i]));

  auto t0 = Clock::now();
  const SocialGraph g = erdos_renyi(n, mean_degree, false, 1);
  auto t1 = Clock::now();
  fmt::print("graph: erdos_renyi n={} mean_degree={} -> {} arcs ({} edges), generated in {:.2f} s\n",
             n, mean_degree, g.num_arcs(), g.num_arcs() / 2, seconds(t0, t1));

  const IndependentCascade model({.open_probability = T, .share_probability = 1.0, .activity = 1.0});
  const EngineConfig config{.seed = 42, .num_steps = 100000, .step_hours = 1};
  const FixedSchedule once({.hours = {0}});
  const Engine engine(g, {.vertex = kNoVertex, .num_users = n}, model, once, config);
  const CsrView out = g.out_view();

  std::vector<double> bare_times;
  std::vector<std::vector<double>> engine_times(thread_counts.size());
  std::uint64_t arcs_total = 0, reads_total = 0;
  for (int s = 0; s < seeds; ++s) {
    const auto run = static_cast<RunId>(s);
    const CounterRng rng(config.seed, run);
    const auto source = static_cast<VertexId>(rng.bits(Purpose::kSeedVertex, 0, 0) % n);
    auto a = Clock::now();
    const auto bare = detail::serial_cascade(out.offsets.data(), out.targets.data(), n, source, rng,
                                             0, 0, model.rule(0));
    auto b = Clock::now();
    bare_times.push_back(seconds(a, b));
    arcs_total += bare.arcs_examined;
    reads_total += bare.reads;
    for (std::size_t k = 0; k < thread_counts.size(); ++k) {
      tbb::task_arena arena(thread_counts[k]);
      RunResult r;
      a = Clock::now();
      arena.execute([&] { r = engine.run(run); });
      b = Clock::now();
      engine_times[k].push_back(seconds(a, b));
      if (r.items[0].reads != bare.reads || r.items[0].depth != bare.depth) {
        fmt::print(stderr, "MISMATCH seed {}: engine reads {} depth {}, bare reads {} depth {}\n", s,
                   r.items[0].reads, r.items[0].depth, bare.reads, bare.depth);
        return 1;
      }
    }
  }
  const double arcs_per_run = static_cast<double>(arcs_total) / seeds;
  const double bare = median(bare_times);
  fmt::print("cascade: T={} seeds={} mean reads/run={:.0f} ({:.1f}% of n) mean arcs examined/run={:.0f}\n",
             T, seeds, static_cast<double>(reads_total) / seeds, 100.0 * reads_total / seeds / n, arcs_per_run);
  fmt::print("{:<22} {:>12} {:>16} {:>16}\n", "implementation", "median s/run", "arcs/s (median)", "ratio vs bare");
  fmt::print("{:<22} {:>12.4f} {:>16.3e} {:>16.2f}\n", "bare serial loop", bare, arcs_per_run / bare, 1.0);
  for (std::size_t k = 0; k < thread_counts.size(); ++k) {
    const double t = median(engine_times[k]);
    fmt::print("{:<22} {:>12.4f} {:>16.3e} {:>16.2f}\n", fmt::format("engine {} thread(s)", thread_counts[k]),
               t, arcs_per_run / t, t / bare);
  }
  return 0;
}
