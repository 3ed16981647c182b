// detail::for_each_balanced_run: the engine's parallel walk over a frontier's arcs, split into
// tasks by arc count. Every position of every part must be visited exactly once, in runs that
// stay inside one part, whatever the parts' sizes (zero, one, or many tasks long).
#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <mutex>
#include <vector>

#include "sim/detail/spread.hpp"

namespace softpower::detail {
namespace {

struct VisitedRun {
  std::size_t part;
  std::uint64_t begin, end;
};

std::vector<std::vector<int>> visit_counts(const std::vector<std::uint64_t>& sizes, std::vector<VisitedRun>* runs_out) {
  std::vector<std::uint64_t> first;
  prefix_offsets(sizes.size(), [&](std::size_t i) { return sizes[i]; }, first);
  std::vector<std::vector<int>> seen(sizes.size());
  for (std::size_t i = 0; i < sizes.size(); ++i) seen[i].assign(sizes[i], 0);
  tbb::enumerable_thread_specific<Counters> per_thread;
  std::mutex mutex;
  for_each_balanced_run(first, per_thread, [&](Counters&, std::size_t part, std::uint64_t begin, std::uint64_t end) {
    const std::lock_guard lock(mutex);
    runs_out->push_back({part, begin, end});
    for (std::uint64_t k = begin; k < end; ++k) ++seen.at(part).at(k);
  });
  return seen;
}

TEST(BalancedRuns, EveryPositionOnceInRunsInsideOnePart) {
  // Empty parts first, between and last; parts shorter than a task, one task long, and one
  // spanning many tasks (a hub), so that tasks begin and end inside parts and at their edges.
  const std::vector<std::uint64_t> sizes{0, 0, 3, 0, 1, kArcGrain, kArcGrain - 1, 0, 10 * kArcGrain + 17, 5, 0, 1, 0};
  for (const int threads : {1, 2, 8}) {
    const tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    std::vector<VisitedRun> runs;
    const auto seen = visit_counts(sizes, &runs);
    for (std::size_t i = 0; i < sizes.size(); ++i) {
      for (std::uint64_t k = 0; k < sizes[i]; ++k) {
        ASSERT_EQ(seen[i][k], 1) << "part " << i << " position " << k << " on " << threads << " threads";
      }
    }
    for (const VisitedRun& run : runs) {
      EXPECT_LT(run.begin, run.end) << "an empty run of part " << run.part;
      EXPECT_LE(run.end, sizes[run.part]);
      EXPECT_LE(run.end - run.begin, kArcGrain) << "a run longer than a task";
    }
  }
}

TEST(BalancedRuns, NothingToVisit) {
  for (const auto& sizes : {std::vector<std::uint64_t>{}, std::vector<std::uint64_t>{0, 0, 0}}) {
    std::vector<VisitedRun> runs;
    visit_counts(sizes, &runs);
    EXPECT_TRUE(runs.empty());
  }
}

}  // namespace
}  // namespace softpower::detail
