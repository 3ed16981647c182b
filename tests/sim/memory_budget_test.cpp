// The memory estimate behind the refusal of scenarios that will not fit (sim/memory_budget.hpp):
// the arcs each graph type will have, and a refusal that names the keys and the override.
#include "sim/memory_budget.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "sim/error.hpp"
#include "sim/generators.hpp"
#include "sim/graph_cache.hpp"

namespace softpower {
namespace {

Scenario scenario(const std::string& yaml) { return parse_scenario(yaml, "memory.yaml", {}); }

TEST(MemoryBudget, ArcsOfEveryGeneratedType) {
  EXPECT_EQ(estimate_memory(scenario("graph: {type: erdos_renyi, n: 1000, mean_degree: 20}"), 1).arcs, 20000u);
  EXPECT_EQ(estimate_memory(scenario("graph: {type: barabasi_albert, n: 1000, m: 5}"), 1).arcs, 10000u);
  EXPECT_EQ(estimate_memory(scenario("graph: {type: watts_strogatz, n: 1000, k: 6}"), 1).arcs, 6000u);
  EXPECT_EQ(estimate_memory(scenario("graph: {type: wechat_like, n: 1000, mean_degree: 150}"), 1).arcs, 150000u);
  // Two blocks of 100: within, p_in of 2 x 100 x 99 ordered pairs; across, p_out of 2 x 100 x 100.
  const MemoryEstimate sbm = estimate_memory(
      scenario("graph: {type: stochastic_block_model, block_sizes: [100, 100], p_in: 0.5, p_out: 0.01}"), 1);
  EXPECT_EQ(sbm.users, 200u);
  EXPECT_EQ(sbm.arcs, 9900u + 200u);
}

TEST(MemoryBudget, PartsAddUp) {
  const MemoryEstimate plain = estimate_memory(scenario("runs: 8\ngraph: {type: erdos_renyi, n: 1000, mean_degree: 20}"), 2);
  EXPECT_TRUE(plain.known);
  EXPECT_EQ(plain.concurrent_runs, 2u);
  EXPECT_EQ(plain.total_runs, 8u);
  EXPECT_DOUBLE_EQ(plain.total_bytes(), plain.graph_bytes + 2 * plain.run_bytes + plain.records_bytes);
  EXPECT_EQ(estimate_memory(scenario("runs: 1\ngraph: {type: erdos_renyi, n: 1000}"), 16).concurrent_runs, 1u)
      << "no more runs at once than there are runs";
  const MemoryEstimate with_attitudes =
      estimate_memory(scenario("runs: 8\ngraph: {type: erdos_renyi, n: 1000, mean_degree: 20}\nattitude: {}"), 2);
  EXPECT_GT(with_attitudes.graph_bytes, plain.graph_bytes) << "the social step keeps per-user state";
  // On an unweighted graph it reads the graph's own in-arcs: what it adds does not grow with arcs.
  const auto social_bytes = [](const char* degree) {
    const std::string graph = std::string("graph: {type: erdos_renyi, n: 1000, mean_degree: ") + degree + "}";
    return estimate_memory(scenario(graph + "\nattitude: {}"), 1).graph_bytes - estimate_memory(scenario(graph), 1).graph_bytes;
  };
  EXPECT_DOUBLE_EQ(social_bytes("20"), social_bytes("200"));
  EXPECT_EQ(estimate_memory(scenario("graph: {type: erdos_renyi, n: 1000}"), 0).total_bytes(),
            estimate_memory(scenario("graph: {type: erdos_renyi, n: 1000}"), 0).graph_bytes);
}

TEST(MemoryBudget, CacheSizeIsReadFromTheFileAndOtherFilesAreNotGuessed) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "softpower_memory_budget_test";
  std::filesystem::create_directories(dir);
  save_graph_cache(erdos_renyi(500, 8.0, false, 3), dir / "g.h5");
  const SocialGraph g = load_graph_cache(dir / "g.h5");
  const MemoryEstimate cache =
      estimate_memory(parse_scenario("graph: {type: cache, path: g.h5}", (dir / "s.yaml").string(), {}, dir), 1);
  EXPECT_TRUE(cache.known);
  EXPECT_EQ(cache.arcs, g.num_arcs());
  EXPECT_EQ(cache.users, 500u);
  EXPECT_FALSE(estimate_memory(scenario("graph: {type: edge_list, path: edges.txt}"), 1).known);
  std::filesystem::remove_all(dir);
}

TEST(MemoryBudget, RefusalNamesTheKeysTheNeedAndTheOverride) {
  const Scenario huge = scenario("graph: {type: wechat_like, n: 4000000000, mean_degree: 1000}");
  try {
    check_memory(huge, 1, "--no-memory-check");
    FAIL() << "4e12 arcs cannot fit";
  } catch (const InputError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("memory.yaml"), std::string::npos) << message;
    EXPECT_NE(message.find("graph.n"), std::string::npos) << message;
    EXPECT_NE(message.find("graph.mean_degree"), std::string::npos) << message;
    EXPECT_NE(message.find("GiB available"), std::string::npos) << message;
    EXPECT_NE(message.find("--no-memory-check"), std::string::npos) << message;
  }
  EXPECT_NO_THROW(check_memory(scenario("graph: {type: erdos_renyi, n: 1000}"), 2, "--no-memory-check"));
  ASSERT_TRUE(available_memory().has_value()) << "Linux gives MemAvailable";
  EXPECT_GT(*available_memory(), 0u);
}

TEST(MemoryBudget, RunRecordsAndStepsCount) {
  // runs: 1e12 on a tiny graph: the records of the runs alone cannot fit.
  const Scenario many = scenario("runs: 1000000000000\ngraph: {type: erdos_renyi, n: 100}");
  const MemoryEstimate e = estimate_memory(many, 2);
  EXPECT_EQ(e.total_runs, 1000000000000u);
  EXPECT_GT(e.records_bytes, 1e14);
  try {
    check_memory(many, 2, "--no-memory-check");
    FAIL() << "1e12 run records cannot fit";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("1000000000000 runs (runs)"), std::string::npos) << e.what();
  }
  // A graph file is not sized, but its runs are.
  EXPECT_THROW(check_memory(scenario("runs: 1000000000000\ngraph: {type: edge_list, path: e.txt}"), 2, "--no-memory-check"),
               InputError);
  EXPECT_NO_THROW(check_memory(scenario("runs: 1000\ngraph: {type: edge_list, path: e.txt}"), 2, "--no-memory-check"));
  EXPECT_EQ(estimate_memory(many, 0).records_bytes, 0.0) << "graph generate keeps no run records";
  const MemoryEstimate longer = estimate_memory(scenario("time: {horizon_days: 70}\ngraph: {type: erdos_renyi, n: 100}"), 1);
  const MemoryEstimate shorter = estimate_memory(scenario("time: {horizon_days: 7}\ngraph: {type: erdos_renyi, n: 100}"), 1);
  EXPECT_GT(longer.run_bytes, shorter.run_bytes) << "a run keeps its metrics per step";
}

}  // namespace
}  // namespace softpower
