// Micro benchmarks (Google Benchmark) of the pieces the hot loop is made of.
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <vector>

#include "models/attitude/friedkin_johnsen.hpp"
#include "sim/generators.hpp"
#include "sim/huge_pages.hpp"
#include "sim/rng.hpp"
#include "sim/wechat_like.hpp"

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

// One day of the content-free social step (the attitude model's daily pass over W) on a
// WeChat-like population: arcs per second.
void BM_SocialDay(benchmark::State& state) {
  const auto users = static_cast<softpower::VertexId>(state.range(0));
  static std::map<softpower::VertexId, std::unique_ptr<softpower::WechatLikeGraph>> graphs;
  auto& population = graphs[users];
  if (!population) {
    softpower::WechatLikeParams params;
    params.users = users;
    population = std::make_unique<softpower::WechatLikeGraph>(softpower::wechat_like(params));
  }
  const softpower::FriedkinJohnsen social(population->graph, users, {});
  std::vector<double> gap(users), next(users);
  for (softpower::VertexId v = 0; v < users; ++v) gap[v] = v % 7 == 0 ? 1e-3 : 0.0;
  for (auto _ : state) {
    social.step_deviation(gap, 0.9, next);
    gap.swap(next);
  }
  state.counters["arcs/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * static_cast<double>(population->graph.num_arcs()),
      benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SocialDay)->Arg(1000000)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same day on a copy of W (weights all 1 force the copy), beside reading the graph's own rows.
void BM_SocialDayCopiedRows(benchmark::State& state) {
  const auto users = static_cast<softpower::VertexId>(state.range(0));
  static std::unique_ptr<softpower::SocialGraph> weighted;
  if (!weighted) {
    softpower::WechatLikeParams params;
    params.users = users;
    const auto population = softpower::wechat_like(params);
    const softpower::CsrView out = population.graph.out_view();
    std::vector<softpower::ArcInput> arcs;
    arcs.reserve(out.num_arcs());
    for (softpower::VertexId u = 0; u < users; ++u) {
      for (auto k = out.offsets[u]; k < out.offsets[u + 1]; ++k) arcs.push_back({u, out.targets[k]});
    }
    const auto m = arcs.size();
    weighted = std::make_unique<softpower::SocialGraph>(
        softpower::SocialGraph::from_arcs(users, std::move(arcs), std::vector<float>(m, 1.0f)));
  }
  const softpower::FriedkinJohnsen social(*weighted, users, {});
  std::vector<double> gap(users), next(users);
  for (softpower::VertexId v = 0; v < users; ++v) gap[v] = v % 7 == 0 ? 1e-3 : 0.0;
  for (auto _ : state) {
    social.step_deviation(gap, 0.9, next);
    gap.swap(next);
  }
}
BENCHMARK(BM_SocialDayCopiedRows)->Arg(1000000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  softpower::use_huge_pages(argv);  // as softpower itself does
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
