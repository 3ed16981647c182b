// RunQueue (apps/run_queue.hpp): the bounded queue between the sweep's worker threads and its
// one writer thread. Run under ThreadSanitizer by `make test-tsan` (label `parallel`).
#include "apps/run_queue.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

namespace softpower::cli {
namespace {

RunResult run_with_id(RunId id) {
  RunResult r;
  r.run = id;
  r.metrics.assign(1, std::vector<std::int64_t>(8, static_cast<std::int64_t>(id)));
  return r;
}

TEST(RunQueue, ManyProducersOneConsumerDeliverEveryRunOnce) {
  constexpr int kProducers = 4;
  constexpr RunId kPerProducer = 500;
  RunQueue queue(3);
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&queue, p] {
      for (RunId i = 0; i < kPerProducer; ++i) ASSERT_TRUE(queue.push(run_with_id(p * kPerProducer + i)));
    });
  }
  std::set<RunId> seen;
  std::thread consumer([&] {
    for (;;) {
      std::vector<RunResult> batch = queue.pop_all(std::chrono::milliseconds(5));
      if (batch.empty() && queue.closed_and_empty()) return;
      for (const RunResult& r : batch) {
        EXPECT_EQ(r.metrics.at(0).at(7), static_cast<std::int64_t>(r.run));
        EXPECT_TRUE(seen.insert(r.run).second) << r.run;
      }
    }
  });
  for (auto& t : producers) t.join();
  queue.close();
  consumer.join();
  EXPECT_EQ(seen.size(), kProducers * kPerProducer);
}

TEST(RunQueue, CloseReleasesBlockedProducers) {
  RunQueue queue(1);
  ASSERT_TRUE(queue.push(run_with_id(0)));
  std::atomic<int> refused{0};
  std::vector<std::thread> producers;
  for (int p = 0; p < 3; ++p) {
    producers.emplace_back([&, p] {
      if (!queue.push(run_with_id(p + 1))) ++refused;
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  queue.close();
  for (auto& t : producers) t.join();
  EXPECT_EQ(refused.load(), 3);  // the queue stayed full until it was closed
  EXPECT_EQ(queue.pop_all(std::chrono::milliseconds(0)).size(), 1u);
  EXPECT_TRUE(queue.closed_and_empty());
}

}  // namespace
}  // namespace softpower::cli
