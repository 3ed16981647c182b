// ResultReader: every field written comes back exactly, incomplete and foreign files are refused.
// merge_results: shards of a sweep merge into the file a single writer makes, and every way a
// set of inputs can fail to be one whole sweep is refused naming the file.
#include "output/result_reader.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "output/merge.hpp"
#include "output/result_writer.hpp"
#include "sim/detail/hdf5.hpp"
#include "sim/error.hpp"
#include "sim/graph_cache.hpp"
#include "tests/output/event_fixtures.hpp"
#include "tests/support/run_result_checks.hpp"
#include "tests/support/test_support.hpp"

namespace softpower {
namespace {

namespace fs = std::filesystem;

using testing_support::TempDir;

constexpr Step kSteps = 6;
constexpr VertexId kUsers = 3;
constexpr RunId kPoints = 3;
constexpr RunId kReplicates = 3;
constexpr RunId kSweepRuns = kPoints * kReplicates;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::vector<MetricSpec> metrics() {
  return {{"reads", "users", "Users who read an item in the step."},
          {"shares", "users", "Users who shared an item in the step."}};
}

std::vector<SeriesSpec> series() {
  return {{"attitude_mean", "attitude", "Mean attitude.", {}},
          {"attitude_by_region", "attitude", "Mean attitude per region.", {"home", "abroad"}}};
}

SweepInfo sweep_info(std::uint32_t shard, std::uint32_t num_shards) {
  return SweepInfo{
      .fingerprint = "00c0ffee00c0ffee",
      .text = "replicates: 3\naxes:\n  - {key: censorship.strength, values: [0, 0.25, 1]}\n",
      .seeds = "independent",
      .replicates = kReplicates,
      .num_points = kPoints,
      .total_runs = kSweepRuns,
      .shard = shard,
      .num_shards = num_shards,
      .columns = {{"graph.n", std::vector<std::int64_t>{10, 20, -30}},
                  {"censorship.strength", std::vector<double>{0.0, 0.25, 1.0 / 3.0}},
                  {"strategy.model", std::vector<std::string>{"broadcast", "targeted", ""}}}};
}

/// A plain file of 3 runs, or (with `ids`) shard `shard` of `num_shards` holding runs `ids`.
Provenance provenance(std::vector<RunId> ids = {}, std::uint32_t shard = 0,
                      std::uint32_t num_shards = 1, bool sweep = true) {
  Provenance p;
  p.scenario_name = "reader";
  p.scenario_text = "name: reader\nseed: 9\n";
  p.command_line = "softpower sweep reader.yaml";
  p.graph_description = "erdos_renyi n=4 mean_degree=1 seed=2";
  p.seed = 9;
  p.graph_checksum = 0x0123456789abcdefull;
  p.threads = 2 + static_cast<int>(shard);
  p.num_vertices = 4;
  p.num_arcs = 5;
  p.step_hours = 0.25;
  p.num_steps = kSteps;
  p.num_runs = ids.empty() ? (sweep ? kSweepRuns : 3) : ids.size();
  p.run_ids = std::move(ids);
  if (sweep) p.sweep = sweep_info(shard, num_shards);
  p.start_time = fmt::format("2024-05-0{}T10:00:00Z", 3 - shard % 3);
  return p;
}

/// Run r: r % 4 snapshots, r % 3 items handed over out of item order, a NaN in its series.
RunResult full_run(RunId run) {
  RunResult r;
  r.run = run;
  r.seed = 0xabcdef0000000000ull + run;
  r.institution = static_cast<VertexId>(run % 4);
  r.steps_run = static_cast<Step>(1 + run % kSteps);
  for (std::size_t k = 0; k < 2; ++k) {
    std::vector<std::int64_t> values;
    for (Step s = 0; s < kSteps; ++s) {
      values.push_back((k == 0 ? 1 : -(std::int64_t{1} << 42)) *
                       static_cast<std::int64_t>(run * 100 + static_cast<RunId>(s)));
    }
    r.metrics.push_back(std::move(values));
  }
  for (const SeriesSpec& spec : series()) {
    std::vector<double> values;
    for (std::size_t i = 0; i < static_cast<std::size_t>(kSteps) * spec.width(); ++i) {
      values.push_back(static_cast<double>(run * 1000 + i) / 7.0);
    }
    values[run % values.size()] = std::numeric_limits<double>::quiet_NaN();
    r.series.push_back(std::move(values));
  }
  for (Step s = 0; s < static_cast<Step>(run % 4); ++s) {
    r.snapshot_steps.push_back(2 * s);
    for (VertexId u = 0; u < kUsers; ++u) {
      r.snapshots.push_back(static_cast<float>(run * 10 + static_cast<RunId>(s) * 3 + u) / 97.0f);
    }
  }
  for (ItemId i = static_cast<ItemId>(run % 3); i-- > 0;) {
    r.items.push_back({.item = i,
                       .push = i / 2,
                       .topic = static_cast<std::uint32_t>(run),
                       .appeal = 0.1 * i,
                       .sensitivity = 1.0 / 3.0,
                       .valence = -0.75,
                       .publish_step = static_cast<Step>(i),
                       .blocked = (run + i) % 2 == 1,
                       .takedown_step = i == 1 ? 3 : -1,
                       .reads = run + i,
                       .shares = 2 * run + i,
                       .first_hop_shares = i,
                       .reach = (std::uint64_t{1} << 35) + run,
                       .depth = i + 1});
  }
  return r;
}

/// What the reader gives back for `r`: items in item order.
RunResult as_read(RunResult r) {
  std::stable_sort(r.items.begin(), r.items.end(),
                   [](const ItemRecord& a, const ItemRecord& b) { return a.item < b.item; });
  return r;
}

/// The 4 vertices of provenance()'s graph, the snapshot users' attitudes.
constexpr EventsLayout kEvents{.vertices = 4, .attitude_users = kUsers};

/// full_run(run) with the events of `layout` (none if it is disabled). Run r reads r % 3 items:
/// run 0 none, run 1 three times, run 2 five times (in a file of 4 vertices).
RunResult events_run(RunId run, EventsLayout layout) {
  RunResult r = full_run(run);
  if (layout.enabled()) r.events = test::sample_events(run, r.items.size(), layout);
  return r;
}

void write_file(const fs::path& path, const Provenance& prov, std::vector<RunId> order,
                EventsLayout events = {}) {
  ResultWriter w(path, prov, metrics(), series(), kUsers, events);
  for (RunId run : order) w.write_run(events_run(run, events));
  w.finish();
}

/// A file of metrics and items only: no float series, no snapshots.
void write_file_without_series(const fs::path& path, const Provenance& prov, std::vector<RunId> order) {
  ResultWriter w(path, prov, metrics());
  for (RunId run : order) {
    RunResult r = full_run(run);
    r.series.clear();
    r.snapshot_steps.clear();
    r.snapshots.clear();
    w.write_run(r);
  }
  w.finish();
}

using test::expect_same_run;

void expect_same_sweep(const SweepInfo& a, const SweepInfo& b) {
  EXPECT_EQ(a.fingerprint, b.fingerprint);
  EXPECT_EQ(a.text, b.text);
  EXPECT_EQ(a.seeds, b.seeds);
  EXPECT_EQ(a.replicates, b.replicates);
  EXPECT_EQ(a.num_points, b.num_points);
  EXPECT_EQ(a.total_runs, b.total_runs);
  EXPECT_EQ(a.shard, b.shard);
  EXPECT_EQ(a.num_shards, b.num_shards);
  ASSERT_EQ(a.columns.size(), b.columns.size());
  for (std::size_t c = 0; c < a.columns.size(); ++c) {
    EXPECT_EQ(a.columns[c].name, b.columns[c].name);
    EXPECT_EQ(a.columns[c].by_point, b.columns[c].by_point) << a.columns[c].name;
  }
}

void expect_same_specs(const ResultReader& reader) {
  const std::vector<MetricSpec> m = metrics();
  ASSERT_EQ(reader.metrics().size(), m.size());
  for (std::size_t k = 0; k < m.size(); ++k) {
    EXPECT_EQ(reader.metrics()[k].name, m[k].name);
    EXPECT_EQ(reader.metrics()[k].unit, m[k].unit);
    EXPECT_EQ(reader.metrics()[k].description, m[k].description);
  }
  const std::vector<SeriesSpec> s = series();
  ASSERT_EQ(reader.series().size(), s.size());
  for (std::size_t k = 0; k < s.size(); ++k) {
    EXPECT_EQ(reader.series()[k].name, s[k].name);
    EXPECT_EQ(reader.series()[k].unit, s[k].unit);
    EXPECT_EQ(reader.series()[k].description, s[k].description);
    EXPECT_EQ(reader.series()[k].columns, s[k].columns);
  }
  EXPECT_EQ(reader.snapshot_users(), kUsers);
}

TEST(ResultReader, RoundTripsEveryFieldOfAShardFile) {
  TempDir dir;
  const fs::path path = dir.path() / "shard.h5";
  // One run of each point; run 7 takes 3 snapshots, run 4 none, run 1 one.
  const Provenance written = provenance({1, 4, 7}, 1, 3);
  write_file(path, written, {7, 1, 4});

  const ResultReader reader(path);
  const Provenance& p = reader.provenance();
  EXPECT_EQ(p.scenario_name, written.scenario_name);
  EXPECT_EQ(p.scenario_text, written.scenario_text);
  EXPECT_EQ(p.command_line, written.command_line);
  EXPECT_EQ(p.graph_description, written.graph_description);
  EXPECT_EQ(p.seed, written.seed);
  EXPECT_EQ(p.graph_checksum, written.graph_checksum);
  EXPECT_EQ(p.threads, written.threads);
  EXPECT_EQ(p.num_vertices, written.num_vertices);
  EXPECT_EQ(p.num_arcs, written.num_arcs);
  EXPECT_EQ(p.step_hours, written.step_hours);
  EXPECT_EQ(p.num_steps, written.num_steps);
  EXPECT_EQ(p.num_runs, 3u);
  EXPECT_EQ(p.run_ids, (std::vector<RunId>{1, 4, 7}));
  EXPECT_EQ(p.start_time, written.start_time);
  EXPECT_TRUE(p.merged_from.empty());
  ASSERT_TRUE(p.sweep.has_value());
  expect_same_sweep(*p.sweep, *written.sweep);
  expect_same_specs(reader);
  for (std::size_t row = 0; row < 3; ++row) {
    expect_same_run(reader.read_run(row), as_read(full_run(p.run_ids[row])));
  }
  EXPECT_THROW(static_cast<void>(reader.read_run(3)), std::out_of_range);
}

TEST(ResultReader, PointsAShardDoesNotHoldKeepDefaultValues) {
  TempDir dir;
  const fs::path path = dir.path() / "shard.h5";
  write_file(path, provenance({3, 4}, 0, 2), {4, 3});  // both of point 1
  const ResultReader reader(path);
  const SweepInfo& s = *reader.provenance().sweep;
  EXPECT_EQ(std::get<std::vector<std::int64_t>>(s.columns[0].by_point),
            (std::vector<std::int64_t>{0, 20, 0}));
  const auto& strength = std::get<std::vector<double>>(s.columns[1].by_point);
  EXPECT_TRUE(std::isnan(strength[0]) && std::isnan(strength[2]));
  EXPECT_EQ(strength[1], 0.25);
  EXPECT_EQ(std::get<std::vector<std::string>>(s.columns[2].by_point),
            (std::vector<std::string>{"", "targeted", ""}));
}

TEST(ResultReader, PlainFileWithoutSeriesOrSnapshots) {
  TempDir dir;
  const fs::path path = dir.path() / "plain.h5";
  Provenance written = provenance({}, 0, 1, false);
  written.merged_from = {"one.h5", "two words.h5"};
  write_file_without_series(path, written, {2, 0, 1});
  const ResultReader reader(path);
  EXPECT_FALSE(reader.provenance().sweep.has_value());
  EXPECT_EQ(reader.provenance().run_ids, (std::vector<RunId>{0, 1, 2}));
  EXPECT_EQ(reader.provenance().merged_from, written.merged_from);
  EXPECT_TRUE(reader.series().empty());
  EXPECT_EQ(reader.snapshot_users(), 0u);
  for (RunId run = 0; run < 3; ++run) {
    RunResult expected = as_read(full_run(run));
    expected.series.clear();
    expected.snapshot_steps.clear();
    expected.snapshots.clear();
    expect_same_run(reader.read_run(run), expected);
  }
}

TEST(ResultReader, RoundTripsEventsOfRunsWrittenOutOfOrder) {
  TempDir dir;
  for (const EventsLayout layout : {kEvents, EventsLayout{.vertices = 4, .attitude_users = 0}}) {
    SCOPED_TRACE(fmt::format("attitude users {}", layout.attitude_users));
    const fs::path path = dir.path() / fmt::format("events{}.h5", layout.attitude_users);
    write_file(path, provenance({}, 0, 1, false), {2, 0, 1}, layout);
    const ResultReader reader(path);
    EXPECT_EQ(reader.events_layout(), layout);
    for (RunId run = 0; run < 3; ++run) {
      const RunResult expected = as_read(events_run(run, layout));
      const RunResult read = reader.read_run(run);
      EXPECT_TRUE(read.events == expected.events) << "run " << run;
      expect_same_run(read, expected);
    }
    // Run 0 has no items, so no reads, but recorded its events all the same.
    const RunResult run0 = reader.read_run(0);
    EXPECT_TRUE(run0.events.recorded());
    EXPECT_TRUE(run0.events.reads.empty());
    EXPECT_EQ(reader.read_run(1).events.reads.size(), 3u);
    EXPECT_EQ(reader.read_run(2).events.reads.size(), 5u);
    EXPECT_EQ(reader.read_run(2).events.attitude_final.size(), layout.attitude_users);
  }
}

TEST(ResultReader, ReadsOnlyTheOptionalPartsAskedFor) {
  TempDir dir;
  const fs::path path = dir.path() / "parts.h5";
  write_file(path, provenance({}, 0, 1, false), {2, 0, 1}, kEvents);
  const ResultReader reader(path);
  EXPECT_FALSE(reader.softpower_version().empty());
  EXPECT_FALSE(reader.end_time().empty());
  for (RunId run = 0; run < 3; ++run) {
    RunResult expected = as_read(events_run(run, kEvents));
    const RunResult bare = reader.read_run(run, {.snapshots = false, .events = false});
    EXPECT_TRUE(bare.snapshot_steps.empty() && bare.snapshots.empty()) << "run " << run;
    EXPECT_FALSE(bare.events.recorded()) << "run " << run;
    expected.snapshot_steps.clear();
    expected.snapshots.clear();
    expected.events = {};
    expect_same_run(bare, expected);
    const RunResult no_events = reader.read_run(run, {.snapshots = true, .events = false});
    EXPECT_EQ(no_events.snapshots.size(), as_read(events_run(run, kEvents)).snapshots.size());
    EXPECT_FALSE(no_events.events.recorded());
  }
}

TEST(ResultReader, FilesWithoutEventsHaveLayoutZero) {
  TempDir dir;
  const fs::path path = dir.path() / "plain.h5";
  write_file(path, provenance({}, 0, 1, false), {1, 2, 0});
  const ResultReader reader(path);
  EXPECT_EQ(reader.events_layout(), (EventsLayout{.vertices = 0, .attitude_users = 0}));
  EXPECT_FALSE(reader.events_layout().enabled());
  for (std::size_t row = 0; row < 3; ++row) {
    EXPECT_TRUE(reader.read_run(row).events == UserEvents{}) << row;
  }
}

std::string input_error(const std::function<void()>& call) {
  try {
    call();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

std::string read_error(const fs::path& path) {
  return input_error([&] { ResultReader reader(path); });
}

TEST(ResultReader, RefusesMissingForeignPartialAndIncompleteFiles) {
  TempDir dir;
  const fs::path missing = dir.path() / "missing.h5";
  EXPECT_EQ(read_error(missing), missing.string() + ": no such file");

  const fs::path text = dir.path() / "text.h5";
  std::ofstream(text) << "not hdf5\n";
  EXPECT_EQ(read_error(text), text.string() + ": not an HDF5 file");

  const fs::path foreign = dir.path() / "foreign.h5";
  {
    const detail::File f(H5Fcreate(foreign.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    ASSERT_TRUE(f.valid());
  }
  EXPECT_EQ(read_error(foreign),
            foreign.string() + ": not a softpower result file (no file_kind attribute)");

  const fs::path cache = dir.path() / "graph.h5";
  save_graph_cache(SocialGraph::from_arcs(2, {{0, 1}}, {}, {}), cache);
  EXPECT_EQ(read_error(cache),
            cache.string() + ": not a softpower result file (file_kind = \"softpower-graph\")");

  // An interrupted writer leaves NAME.partial; renamed by hand it is still incomplete.
  const fs::path final_path = dir.path() / "interrupted.h5";
  {
    ResultWriter w(final_path, provenance(), metrics(), series(), kUsers);
    w.write_run(full_run(4));
  }
  const fs::path partial = dir.path() / "interrupted.h5.partial";
  EXPECT_TRUE(read_error(partial).starts_with(partial.string() +
                                              ": incomplete result file: a .partial file"))
      << read_error(partial);
  const fs::path renamed = dir.path() / "renamed.h5";
  fs::copy_file(partial, renamed);
  EXPECT_EQ(read_error(renamed),
            renamed.string() +
                ": incomplete result file: 8 of 9 /params rows hold no run (their writer did not "
                "finish)");

  // A format this softpower does not know.
  const fs::path future = dir.path() / "future.h5";
  write_file(future, provenance({}, 0, 1, false), {0, 1, 2});
  {
    const detail::Checker check(future, detail::Failure::kRuntime);
    const detail::File f(H5Fopen(future.c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
    ASSERT_TRUE(f.valid());
    ASSERT_GE(H5Adelete(f.get(), "format_version"), 0);
    detail::write_attribute(check, f.get(), "format_version", std::uint32_t{99});
  }
  EXPECT_EQ(
      read_error(future),
      future.string() + fmt::format(": result format_version 99 is not one this softpower reads (1 .. {})",
                                    kResultFormatVersion));
}

/// A copy of an events file (runs 0, 1, 2; read counts 0, 3, 5) changed by `damage`.
fs::path damaged_events_file(const fs::path& dir, const std::string& name,
                             const std::function<void(hid_t)>& damage) {
  const fs::path path = dir / name;
  write_file(path, provenance({}, 0, 1, false), {0, 1, 2}, kEvents);
  const detail::File f(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
  EXPECT_TRUE(f.valid());
  damage(f.get());
  return path;
}

void overwrite(hid_t file, const char* name, hid_t type, const void* data) {
  const detail::Dataset ds(H5Dopen2(file, name, H5P_DEFAULT));
  ASSERT_GE(H5Dwrite(ds.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), 0) << name;
}

TEST(ResultReader, RefusesInconsistentEvents) {
  TempDir dir;
  const detail::Checker check("(test)", detail::Failure::kRuntime);
  const fs::path counts = damaged_events_file(dir.path(), "counts.h5", [](hid_t f) {
    const std::uint64_t more[3] = {0, 3, 6};
    overwrite(f, "events/read_count", H5T_NATIVE_UINT64, more);
  });
  EXPECT_EQ(read_error(counts),
            counts.string() + ": /events/read_count counts 9 reads, but /events/reads has 8 rows");

  const fs::path one_sided = damaged_events_file(dir.path(), "one_sided.h5", [](hid_t f) {
    ASSERT_GE(H5Ldelete(f, "events/attitude_final", H5P_DEFAULT), 0);
  });
  EXPECT_EQ(read_error(one_sided),
            one_sided.string() + ": /events/attitude_initial without /events/attitude_final");

  const fs::path shape = damaged_events_file(dir.path(), "shape.h5", [&](hid_t f) {
    ASSERT_GE(H5Ldelete(f, "events/first_exposure", H5P_DEFAULT), 0);
    detail::create_dataset(check, f, "events/first_exposure", H5T_NATIVE_INT64, {3, 2}, {}, {});
  });
  EXPECT_EQ(read_error(shape),
            shape.string() + ": /events/first_exposure is not [num_runs = 3, num_vertices = 4]");

  // Counts that add up but give row 0 a read of run 1.
  const fs::path shifted = damaged_events_file(dir.path(), "shifted.h5", [](hid_t f) {
    const std::uint64_t shifted_counts[3] = {1, 2, 5};
    overwrite(f, "events/read_count", H5T_NATIVE_UINT64, shifted_counts);
  });
  {
    const ResultReader reader(shifted);
    EXPECT_EQ(input_error([&] { static_cast<void>(reader.read_run(0)); }),
              shifted.string() +
                  ": /events/reads row 0 belongs to run 1, but /events/read_count places it "
                  "among the reads of run 0");
  }

  // A channel code the format does not define.
  const fs::path code = damaged_events_file(dir.path(), "code.h5", [&](hid_t f) {
    const detail::Dataset ds(H5Dopen2(f, "events/reads", H5P_DEFAULT));
    const detail::Datatype via_only(H5Tcreate(H5T_COMPOUND, 1));
    H5Tinsert(via_only.get(), "via", 0, H5T_NATIVE_UINT8);
    const detail::Dataspace space(H5Dget_space(ds.get()));
    const hsize_t first = 0;
    const hsize_t one = 1;
    H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, &first, nullptr, &one, nullptr);
    const detail::Dataspace memory(H5Screate_simple(1, &one, nullptr));
    const std::uint8_t nine = 9;
    ASSERT_GE(H5Dwrite(ds.get(), via_only.get(), memory.get(), space.get(), H5P_DEFAULT, &nine), 0);
  });
  {
    const ResultReader reader(code);
    EXPECT_EQ(input_error([&] { static_cast<void>(reader.read_run(1)); }),
              code.string() +
                  ": /events/reads row 0 has an undefined code: via 9, outcome 0, "
                  "share_channel 0");
    EXPECT_EQ(reader.read_run(2).events.reads.size(), 5u);  // the other rows read as written
  }
}

// merge_results

/// Every dataset of a file by path: its type, shape and contents (strings as text, everything
/// else as raw bytes), which is what tests/apps/compare_results.py compares.
std::map<std::string, std::string> datasets_of(const fs::path& path) {
  const detail::Checker check(path, detail::Failure::kRuntime);
  const detail::File file(check.id(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "open"));
  std::vector<std::string> names;
  auto visit = [](hid_t root, const char* name, const H5L_info_t*, void* data) -> herr_t {
    const detail::Object obj(H5Oopen(root, name, H5P_DEFAULT));
    if (obj.valid() && H5Iget_type(obj.get()) == H5I_DATASET) {
      static_cast<std::vector<std::string>*>(data)->push_back(name);
    }
    return 0;
  };
  check.ok(H5Lvisit(file.get(), H5_INDEX_NAME, H5_ITER_INC, visit, &names), "visit");
  std::map<std::string, std::string> out;
  for (const std::string& name : names) {
    const detail::Dataset ds(check.id(H5Dopen2(file.get(), name.c_str(), H5P_DEFAULT), name));
    const detail::Datatype type(check.id(H5Dget_type(ds.get()), name));
    const detail::Dataspace space(check.id(H5Dget_space(ds.get()), name));
    const auto count = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get()));
    std::string content = fmt::format(
        "class {} size {} dims {} | ", static_cast<int>(H5Tget_class(type.get())),
        H5Tget_size(type.get()), fmt::join(detail::dataset_dims(check, ds.get(), name), "x"));
    if (H5Tis_variable_str(type.get()) > 0) {
      std::vector<char*> text(count);
      check.ok(H5Dread(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, text.data()), name);
      for (const char* t : text) content += std::string(t) + '\0';
      detail::reclaim_vlen(type.get(), space.get(), text.data());
    } else {
      std::string bytes(count * H5Tget_size(type.get()), '\0');
      check.ok(H5Dread(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data()), name);
      content += bytes;
    }
    out.emplace(name, std::move(content));
  }
  return out;
}

/// Writes `num_shards` round-robin shards (run % num_shards == k), runs in reverse order.
std::vector<fs::path> write_shards(const fs::path& dir, std::uint32_t num_shards,
                                   EventsLayout events = {}) {
  std::vector<fs::path> paths;
  for (std::uint32_t k = 0; k < num_shards; ++k) {
    std::vector<RunId> ids;
    for (RunId run = k; run < kSweepRuns; run += num_shards) ids.push_back(run);
    const fs::path path = dir / fmt::format("shard{}.h5", k);
    std::vector<RunId> order(ids.rbegin(), ids.rend());
    write_file(path, provenance(ids, k, num_shards), order, events);
    paths.push_back(path);
  }
  return paths;
}

fs::path write_single(const fs::path& dir, EventsLayout events = {}) {
  const fs::path path = dir / "single.h5";
  write_file(path, provenance(), {8, 0, 7, 1, 6, 2, 5, 3, 4}, events);
  return path;
}

TEST(Merge, ThreeShardsMergeIntoTheFileOfASingleWriter) {
  TempDir dir;
  const fs::path single = write_single(dir.path());
  std::vector<fs::path> shards = write_shards(dir.path(), 3);
  std::swap(shards[0], shards[2]);  // any order of inputs
  const fs::path merged = dir.path() / "out" / "merged.h5";
  const MergeSummary summary = merge_results(shards, merged, "softpower merge ...");
  EXPECT_EQ(summary.runs, kSweepRuns);
  EXPECT_EQ(summary.shards, 3u);
  EXPECT_FALSE(fs::exists(dir.path() / "out" / "merged.h5.partial"));

  // Every dataset identical, byte for byte.
  const auto expected = datasets_of(single);
  const auto actual = datasets_of(merged);
  EXPECT_EQ(expected.size(), actual.size());
  for (const auto& [name, content] : expected) {
    ASSERT_TRUE(actual.contains(name)) << name;
    EXPECT_TRUE(actual.at(name) == content) << "dataset " << name << " differs";
  }
  EXPECT_TRUE(actual.contains("sweep") && actual.contains("attitude/snapshots"));

  // The same, read back field by field; provenance as documented.
  const ResultReader a(single);
  const ResultReader b(merged);
  const Provenance& pa = a.provenance();
  const Provenance& pb = b.provenance();
  EXPECT_EQ(pb.command_line, "softpower merge ...");
  EXPECT_EQ(pb.threads, 4);                          // the most of any shard (2, 3, 4)
  EXPECT_EQ(pb.start_time, "2024-05-01T10:00:00Z");  // the earliest
  EXPECT_EQ(pb.merged_from,
            (std::vector<std::string>{shards[0].string(), shards[1].string(), shards[2].string()}));
  EXPECT_EQ(pb.run_ids, pa.run_ids);
  EXPECT_EQ(pb.num_runs, kSweepRuns);
  EXPECT_EQ(pb.scenario_text, pa.scenario_text);
  expect_same_sweep(*pb.sweep, *pa.sweep);
  expect_same_specs(b);
  for (std::size_t row = 0; row < kSweepRuns; ++row) {
    expect_same_run(b.read_run(row), a.read_run(row));
    expect_same_run(b.read_run(row), as_read(full_run(row)));
  }

  // tests/apps/compare_results.py agrees, where Python has h5py.
  const std::string python = SOFTPOWER_PYTHON;
  if (!python.empty() && std::system((python + " -c 'import h5py' 2>/dev/null").c_str()) == 0) {
    const std::string command =
        fmt::format("{} {}/tests/apps/compare_results.py {} {} >/dev/null", python,
                    SOFTPOWER_SOURCE_DIR, single.string(), merged.string());
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
  }
}

TEST(Merge, ShardsWithEventsMergeIntoTheFileOfASingleWriter) {
  TempDir dir;
  const fs::path single = write_single(dir.path(), kEvents);
  const std::vector<fs::path> shards = write_shards(dir.path(), 3, kEvents);
  const fs::path merged = dir.path() / "merged.h5";
  merge_results({shards[1], shards[2], shards[0]}, merged, "softpower merge ...");

  const auto expected = datasets_of(single);
  const auto actual = datasets_of(merged);
  EXPECT_EQ(expected.size(), actual.size());
  for (const auto& [name, content] : expected) {
    ASSERT_TRUE(actual.contains(name)) << name;
    EXPECT_TRUE(actual.at(name) == content) << "dataset " << name << " differs";
  }
  for (const char* name :
       {"events/reads", "events/read_count", "events/first_exposure", "events/attitude_initial",
        "events/attitude_final", "events/graph_checksum"}) {
    EXPECT_TRUE(actual.contains(name)) << name;
  }
  const ResultReader reader(merged);
  EXPECT_EQ(reader.events_layout(), kEvents);
  for (std::size_t row = 0; row < kSweepRuns; ++row) {
    const RunResult read = reader.read_run(row);
    EXPECT_TRUE(read.events == events_run(row, kEvents).events) << row;
    expect_same_run(read, as_read(events_run(row, kEvents)));
  }

  // Shards of one sweep must agree on the events too.
  const fs::path without = dir.path() / "without_events.h5";
  write_file(without, provenance({2, 5, 8}, 2, 3), {2, 5, 8});
  const std::string message = input_error([&] {
    merge_results({shards[0], shards[1], without}, dir.path() / "m2.h5", "merge");
  });
  EXPECT_EQ(message, fmt::format("{}: the events layout (0 vertices and 0 attitude users, not 4 "
                                 "and 3; 0 vertices: no events) differs from {}: the files do not "
                                 "belong to one sweep",
                                 without.string(), shards[0].string()));
  const fs::path no_attitudes = dir.path() / "no_attitudes.h5";
  write_file(no_attitudes, provenance({2, 5, 8}, 2, 3), {2, 5, 8},
             {.vertices = 4, .attitude_users = 0});
  EXPECT_TRUE(
      contains(input_error([&] {
                 merge_results({no_attitudes, shards[0], shards[1]}, dir.path() / "m3.h5", "merge");
               }),
               fmt::format("{}: the events layout (4 vertices and 3 attitude users, not 4 and 0;",
                           shards[0].string())));
  EXPECT_FALSE(fs::exists(dir.path() / "m2.h5"));
  EXPECT_FALSE(fs::exists(dir.path() / "m3.h5"));
}

TEST(Merge, ASingleCompleteSweepFileIsCopied) {
  TempDir dir;
  const fs::path single = write_single(dir.path());
  const fs::path copy = dir.path() / "copy.h5";
  const MergeSummary summary = merge_results({single}, copy, "softpower merge single.h5");
  EXPECT_EQ(summary.runs, kSweepRuns);
  EXPECT_EQ(summary.shards, 1u);
  EXPECT_TRUE(datasets_of(single) == datasets_of(copy));
}

std::string merge_error(const std::vector<fs::path>& inputs, const fs::path& output) {
  std::string message = input_error([&] { merge_results(inputs, output, "merge"); });
  EXPECT_FALSE(fs::exists(output)) << message;
  return message;
}

TEST(Merge, RefusesInputsThatAreNotOneWholeSweep) {
  TempDir dir;
  const std::vector<fs::path> shards = write_shards(dir.path(), 3);
  const fs::path out = dir.path() / "merged.h5";

  EXPECT_EQ(merge_error({shards[0], shards[2]}, out),
            fmt::format("merge: shard 1 of 3 missing (sweep 00c0ffee00c0ffee; given {}, {})",
                        shards[0].string(), shards[2].string()));
  EXPECT_TRUE(contains(merge_error({shards[1]}, out), "merge: shards 0, 2 of 3 missing"));

  const fs::path copy = dir.path() / "copy_of_shard1.h5";
  fs::copy_file(shards[1], copy);
  EXPECT_EQ(merge_error({shards[0], shards[1], copy, shards[2]}, out),
            fmt::format("{}: shard 1/3 is also {}", copy.string(), shards[1].string()));

  const fs::path other = dir.path() / "other_sweep.h5";
  {
    Provenance p = provenance({2, 5, 8}, 2, 3);
    p.sweep->fingerprint = "ffffffffffffffff";
    write_file(other, p, {2, 5, 8});
  }
  EXPECT_EQ(merge_error({shards[0], shards[1], other}, out),
            fmt::format("{}: sweep fingerprint ffffffffffffffff differs from 00c0ffee00c0ffee of "
                        "{}: the files belong to different sweeps (or softpower versions)",
                        other.string(), shards[0].string()));

  const fs::path short_shard = dir.path() / "short_shard2.h5";
  write_file(short_shard, provenance({2, 5}, 2, 3), {5, 2});
  EXPECT_EQ(merge_error({shards[0], shards[1], short_shard}, out),
            "merge: 1 of the 9 runs of sweep 00c0ffee00c0ffee are in none of the files (runs 8)");

  const fs::path greedy = dir.path() / "greedy_shard2.h5";
  write_file(greedy, provenance({1, 2, 5, 8}, 2, 3), {1, 2, 5, 8});
  EXPECT_EQ(merge_error({shards[0], shards[1], greedy}, out),
            fmt::format("{}: run 1 is also in {}", greedy.string(), shards[1].string()));

  const fs::path other_count = dir.path() / "of_two.h5";
  write_file(other_count, provenance({1, 3, 5, 7}, 1, 2), {1, 3, 5, 7});
  EXPECT_EQ(merge_error({shards[0], other_count}, out),
            fmt::format("{}: shard 1/2, but {} is a shard of 3", other_count.string(),
                        shards[0].string()));

  const fs::path no_series = dir.path() / "no_series.h5";
  write_file_without_series(no_series, provenance({2, 5, 8}, 2, 3), {2, 5, 8});
  EXPECT_EQ(merge_error({shards[0], shards[1], no_series}, out),
            fmt::format("{}: the list of float series differs from {}: the files do not belong to "
                        "one sweep",
                        no_series.string(), shards[0].string()));

  const fs::path plain = dir.path() / "plain.h5";
  write_file(plain, provenance({}, 0, 1, false), {0, 1, 2});
  EXPECT_TRUE(merge_error({plain}, out).starts_with(plain.string() + ": not a sweep shard"))
      << merge_error({plain}, out);

  EXPECT_EQ(merge_error({shards[0], dir.path() / "nope.h5"}, out),
            (dir.path() / "nope.h5").string() + ": no such file");
  EXPECT_EQ(merge_error({}, out), "merge: no input files");
}

TEST(Merge, MissingRunsAreListedUpToTen) {
  TempDir dir;
  const fs::path path = dir.path() / "few.h5";
  Provenance p = provenance({0}, 0, 1);
  p.sweep->replicates = 6;
  p.sweep->total_runs = 18;
  write_file(path, p, {0});
  EXPECT_EQ(merge_error({path}, dir.path() / "merged.h5"),
            "merge: 17 of the 18 runs of sweep 00c0ffee00c0ffee are in none of the files (runs "
            "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ...)");
}

}  // namespace
}  // namespace softpower
