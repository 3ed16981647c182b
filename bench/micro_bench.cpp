// Micro benchmarks (Google Benchmark) of the pieces the hot loop is made of.
#include <benchmark/benchmark.h>

#include "sim/generators.hpp"
#include "sim/rng.hpp"

namespace {

void BM_PhiloxUniform(benchmark::State& state) {
  const softpower::CounterRng rng(1, 2);
  std::uint64_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(rng.uniform(softpower::Purpose::kOpen, 0, i++));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PhiloxUniform);

void BM_ErdosRenyi(benchmark::State& state) {
  const auto n = static_cast<softpower::VertexId>(state.range(0));
  for (auto _ : state) {
    auto g = softpower::erdos_renyi(n, 10, false, 1);
    benchmark::DoNotOptimize(g.num_arcs());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0) * 10);
}
BENCHMARK(BM_ErdosRenyi)->Arg(100000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
