#include "output/run_comparison.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "tests/output/event_fixtures.hpp"

namespace softpower {
namespace {

constexpr EventsLayout kEvents{.vertices = 6, .attitude_users = 5};

StoredLayout layout(bool events = true) {
  return {.metrics = {{.name = "reads", .unit = "count", .description = ""},
                      {.name = "shares", .unit = "count", .description = ""}},
          .series = {{.name = "attitude_mean", .unit = "", .description = "", .columns = {}},
                     {.name = "by_region",
                      .unit = "",
                      .description = "",
                      .columns = {"domestic", "international"}}},
          .snapshot_users = 3,
          .events = events ? kEvents : EventsLayout{}};
}

RunResult sample_run(RunId run) {
  RunResult r;
  r.run = run;
  r.seed = 99;
  r.institution = 5;
  r.steps_run = 4;
  r.metrics = {{1, 2, 3, 4}, {0, 1, 0, 1}};
  r.series = {{0.5, std::numeric_limits<double>::quiet_NaN(), 0.0, 0.25}, {1, 2, 3, 4, 5, 6, 7, 8}};
  r.snapshot_steps = {0, 4};
  r.snapshots = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f};
  r.items = {{.item = 0, .reads = 3, .shares = 1, .reach = 5},
             {.item = 1, .reads = 2, .shares = 0, .reach = 4}};
  r.events = test::sample_events(run, r.items.size(), kEvents);
  return r;
}

TEST(RunComparison, AnIdenticalRunHasNoDifferenceNaNIncluded) {
  EXPECT_TRUE(compare_runs(layout(), sample_run(2), sample_run(2)).empty());
}

TEST(RunComparison, NamesTheDatasetRunAndFirstDifferingStep) {
  RunResult recomputed = sample_run(2);
  recomputed.metrics[1][2] = 7;
  recomputed.metrics[1][3] = 8;  // only the first difference is reported
  const auto d = compare_runs(layout(), sample_run(2), recomputed);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].dataset, "/metrics/shares");
  EXPECT_EQ(d[0].run, 2u);
  EXPECT_EQ(d[0].where, "step 2");
  EXPECT_EQ(d[0].stored, "0");
  EXPECT_EQ(d[0].recomputed, "7");
}

TEST(RunComparison, FloatsCompareBitForBit) {
  RunResult recomputed = sample_run(0);
  recomputed.series[0][2] = -0.0;  // == 0.0, but not the same bits
  recomputed.series[1][5] = 6.000000000000001;
  const auto d = compare_runs(layout(), sample_run(0), recomputed);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].dataset, "/metrics/attitude_mean");
  EXPECT_EQ(d[0].where, "step 2");
  EXPECT_EQ(d[0].recomputed, "-0");
  EXPECT_EQ(d[1].dataset, "/metrics/by_region");
  EXPECT_EQ(d[1].where, "step 2, column international");
}

TEST(RunComparison, EveryDatasetOfARunIsCompared) {
  const RunResult stored = sample_run(1);
  std::vector<RunResult> changed(8, stored);
  changed[0].institution = 4;
  changed[1].snapshot_steps[1] = 3;
  changed[2].snapshots[4] = 0.0f;
  changed[3].items[1].shares = 1;
  changed[4].events.first_exposure[3] = 0;
  changed[5].events.reads[2].parent = 0;
  changed[6].events.attitude_final[1] = 1.0f;
  changed[7].events.graph_checksum = 1;
  const std::vector<std::pair<std::string, std::string>> expected{
      {"/params", "institution"},
      {"/attitude/snapshot_steps", "snapshot 1"},
      {"/attitude/snapshots", "snapshot 1, user 1"},
      {"/items", "item 1, shares"},
      {"/events/first_exposure", "vertex 3"},
      {"/events/reads", "read 2, parent"},
      {"/events/attitude_final", "user 1"},
      {"/events/graph_checksum", "checksum"}};
  for (std::size_t k = 0; k < changed.size(); ++k) {
    const auto d = compare_runs(layout(), stored, changed[k]);
    ASSERT_EQ(d.size(), 1u) << k;
    EXPECT_EQ(d[0].dataset, expected[k].first);
    EXPECT_EQ(d[0].where, expected[k].second);
  }
}

TEST(RunComparison, DifferentLengthsAreDifferences) {
  RunResult recomputed = sample_run(0);
  recomputed.items.pop_back();
  recomputed.events.reads.pop_back();
  const auto d = compare_runs(layout(), sample_run(0), recomputed);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].where, "items in the run");
  EXPECT_EQ(d[0].stored, "2");
  EXPECT_EQ(d[0].recomputed, "1");
  EXPECT_EQ(d[1].dataset, "/events/reads");
}

TEST(RunComparison, EventsAreComparedOnlyInALayoutWithEvents) {
  RunResult recomputed = sample_run(0);
  recomputed.events.reads.clear();
  EXPECT_TRUE(compare_runs(layout(false), sample_run(0), recomputed).empty());
  const auto names = run_datasets(layout(false));
  EXPECT_EQ(std::count(names.begin(), names.end(), "/events/reads"), 0);
  const auto with_events = run_datasets(layout());
  EXPECT_EQ(with_events.front(), "/params");
  EXPECT_EQ(with_events.size(), 1u + 2 + 2 + 2 + 1 + 5);
}

TEST(RunComparison, LayoutDifferencesNameTheDatasets) {
  EXPECT_TRUE(layout_differences(layout(), layout()).empty());
  StoredLayout computed = layout();
  computed.metrics.push_back({.name = "blocked", .unit = "", .description = ""});
  computed.series[1].columns = {"domestic"};
  computed.events = {};
  const auto d = layout_differences(layout(), computed);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0], "/metrics/blocked: computed but not in the file");
  EXPECT_NE(d[1].find("/metrics/by_region: float64 [run, step, 2]"), std::string::npos);
  EXPECT_NE(d[2].find("/events: 6 vertices"), std::string::npos);
}

}  // namespace
}  // namespace softpower
