#include "output/result_writer.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <softpower/version.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "output/file_info.hpp"
#include "sim/detail/hdf5.hpp"
#include "sim/engine.hpp"
#include "sim/error.hpp"
#include "sim/graph_cache.hpp"
#include "tests/output/event_fixtures.hpp"
#include "tests/support/run_result_checks.hpp"
#include "tests/support/test_support.hpp"

namespace softpower {
namespace {

namespace fs = std::filesystem;

using testing_support::TempDir;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Reads the files back with the plain HDF5 C API, independently of the writer's own layout code.
const detail::Checker kRead("(test read-back)", detail::Failure::kRuntime);

Provenance tiny_provenance() {
  Provenance p;
  p.scenario_name = "tiny";
  // Longer than an HDF5 attribute could hold in an object header (64 KiB).
  p.scenario_text = "name: tiny\n# " + std::string(100'000, 'x') + "\nseed: 42\n";
  p.command_line = "softpower run scenarios/tiny.yaml --seed 42";
  p.graph_description = "erdos_renyi n=5 mean_degree=1.6 seed=7";
  p.seed = 42;
  p.graph_checksum = 0xdeadbeefcafef00dull;
  p.threads = 4;
  p.num_vertices = 5;
  p.num_arcs = 8;
  p.step_hours = 0.5;
  p.num_steps = 5;
  p.num_runs = 3;
  p.start_time = "2024-05-01T12:00:00Z";
  return p;
}

std::vector<MetricSpec> tiny_metrics() {
  return {{"reads", "users", "Users who read an item in the step."},
          {"shares", "users", "Users who shared an item in the step."}};
}

std::int64_t metric_value(RunId run, std::size_t k, Step s) {
  // Large and negative values catch any narrowing on the way to the file.
  const auto base = static_cast<std::int64_t>(1000 * run + 100 * k) + s;
  return k == 1 ? -base * (std::int64_t{1} << 40) : base;
}

/// Run r has r + 1 items, handed over in descending item order.
RunResult tiny_run(RunId run) {
  RunResult r;
  r.run = run;
  r.seed = 42 + 1000 * run;
  r.institution = static_cast<VertexId>(run + 1);
  r.steps_run = static_cast<Step>(3 + run % 3);
  for (std::size_t k = 0; k < 2; ++k) {
    std::vector<std::int64_t> series;
    for (Step s = 0; s < 5; ++s) series.push_back(metric_value(run, k, s));
    r.metrics.push_back(std::move(series));
  }
  for (RunId i = run + 1; i-- > 0;) {
    r.items.push_back({.item = static_cast<ItemId>(2 * i),
                       .push = static_cast<std::uint32_t>(i / 2),
                       .topic = static_cast<std::uint32_t>(run),
                       .appeal = 0.25 * static_cast<double>(i),
                       .sensitivity = 0.125,
                       .valence = -0.5,
                       .publish_step = static_cast<Step>(i),
                       .reads = 10 * run + i,
                       .shares = 20 * run + i,
                       .first_hop_shares = 5 * run + i,
                       .reach = 30 * run + i + (std::uint64_t{1} << 33),
                       .depth = static_cast<std::uint32_t>(run + i)});
  }
  return r;
}

void write_tiny_file(const fs::path& path, std::initializer_list<RunId> order) {
  ResultWriter w(path, tiny_provenance(), tiny_metrics());
  for (RunId run : order) w.write_run(tiny_run(run));
  w.finish();
}

std::string string_attr(hid_t obj, const char* name) {
  return detail::read_string_attribute(kRead, obj, name);
}

/// The stored type of an attribute equals `expected` (a native type).
bool attr_has_type(hid_t obj, const char* name, hid_t expected) {
  const detail::Attribute attr(H5Aopen(obj, name, H5P_DEFAULT));
  const detail::Datatype type(H5Aget_type(attr.get()));
  return H5Tequal(type.get(), expected) > 0;
}

template <class T>
T attr(hid_t obj, const char* name) {
  return detail::read_attribute<T>(kRead, obj, name);
}

struct Filters {
  bool shuffle = false;
  int deflate = -1;
  std::vector<hsize_t> chunk;
};

Filters filters_of(hid_t ds) {
  Filters f;
  const detail::PropList dcpl(H5Dget_create_plist(ds));
  if (H5Pget_layout(dcpl.get()) != H5D_CHUNKED) return f;
  f.chunk.resize(3);
  const int rank = H5Pget_chunk(dcpl.get(), 3, f.chunk.data());
  f.chunk.resize(static_cast<std::size_t>(rank));
  for (int i = 0; i < H5Pget_nfilters(dcpl.get()); ++i) {
    unsigned flags = 0;
    std::size_t n = 1;
    unsigned level = 0;
    const H5Z_filter_t id = H5Pget_filter2(dcpl.get(), static_cast<unsigned>(i), &flags, &n, &level,
                                           0, nullptr, nullptr);
    if (id == H5Z_FILTER_SHUFFLE) f.shuffle = true;
    if (id == H5Z_FILTER_DEFLATE) f.deflate = static_cast<int>(level);
  }
  return f;
}

TEST(ResultWriter, WritesEveryValueOfRunsGivenOutOfOrder) {
  TempDir dir;
  const fs::path path = dir.path() / "sub" / "dir" / "tiny.h5";
  write_tiny_file(path, {2, 0, 1});
  ASSERT_TRUE(fs::exists(path));
  EXPECT_FALSE(fs::exists(dir.path() / "sub" / "dir" / "tiny.h5.partial"));

  const detail::File file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  ASSERT_TRUE(file.valid());
  const hid_t root = file.get();
  const Provenance prov = tiny_provenance();

  // Root attributes, values and stored types.
  EXPECT_EQ(string_attr(root, "file_kind"), "softpower-result");
  EXPECT_EQ(attr<std::uint32_t>(root, "format_version"), kResultFormatVersion);
  EXPECT_EQ(string_attr(root, "softpower_version"), kVersion);
  EXPECT_EQ(string_attr(root, "scenario_name"), "tiny");
  EXPECT_EQ(string_attr(root, "command_line"), prov.command_line);
  EXPECT_EQ(attr<std::uint64_t>(root, "seed"), 42u);
  EXPECT_EQ(attr<std::int32_t>(root, "threads"), 4);
  EXPECT_EQ(string_attr(root, "graph_description"), prov.graph_description);
  EXPECT_EQ(attr<std::uint64_t>(root, "graph_checksum"), 0xdeadbeefcafef00dull);
  EXPECT_EQ(attr<std::uint32_t>(root, "num_vertices"), 5u);
  EXPECT_EQ(attr<std::uint64_t>(root, "num_arcs"), 8u);
  EXPECT_EQ(attr<std::uint64_t>(root, "num_runs"), 3u);
  EXPECT_EQ(attr<std::int64_t>(root, "num_steps"), 5);
  EXPECT_EQ(attr<double>(root, "step_hours"), 0.5);
  EXPECT_EQ(string_attr(root, "start_time"), "2024-05-01T12:00:00Z");
  // ISO 8601 UTC, e.g. 2024-05-01T12:00:00Z: digits everywhere but the separators.
  const std::string end_time = string_attr(root, "end_time");
  ASSERT_EQ(end_time.size(), 20u) << end_time;
  for (std::size_t i = 0; i < end_time.size(); ++i) {
    const char expected = i == 4 || i == 7     ? '-'
                          : i == 10            ? 'T'
                          : i == 13 || i == 16 ? ':'
                          : i == 19            ? 'Z'
                                               : '0';
    if (expected == '0') {
      EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(end_time[i]))) << end_time;
    } else {
      EXPECT_EQ(end_time[i], expected) << end_time;
    }
  }
  EXPECT_TRUE(attr_has_type(root, "seed", H5T_NATIVE_UINT64));
  EXPECT_TRUE(attr_has_type(root, "graph_checksum", H5T_NATIVE_UINT64));
  EXPECT_TRUE(attr_has_type(root, "num_arcs", H5T_NATIVE_UINT64));
  EXPECT_TRUE(attr_has_type(root, "num_vertices", H5T_NATIVE_UINT32));
  EXPECT_TRUE(attr_has_type(root, "threads", H5T_NATIVE_INT32));
  EXPECT_TRUE(attr_has_type(root, "step_hours", H5T_NATIVE_DOUBLE));
  // Only sweep files and merged files carry these.
  for (const char* name : {"sweep_fingerprint", "sweep_seeds", "sweep_replicates", "sweep_points",
                           "sweep_runs", "shard", "num_shards", "merged_from"}) {
    EXPECT_EQ(H5Aexists(root, name), 0) << name;
  }
  EXPECT_EQ(H5Lexists(root, "sweep", H5P_DEFAULT), 0);

  // /scenario: the full text, as a scalar variable-length string.
  {
    const detail::Dataset ds(H5Dopen2(root, "scenario", H5P_DEFAULT));
    ASSERT_TRUE(ds.valid());
    const detail::Datatype type = detail::string_type(kRead);
    char* text = nullptr;
    ASSERT_GE(H5Dread(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &text), 0);
    EXPECT_EQ(std::string(text), prov.scenario_text);
    const detail::Dataspace space(H5Dget_space(ds.get()));
    EXPECT_EQ(H5Sget_simple_extent_type(space.get()), H5S_SCALAR);
    detail::reclaim_vlen(type.get(), space.get(), &text);
  }

  // /params, read through a memory type of our own: fields match by name.
  {
    struct Row {
      std::uint64_t run;
      std::uint64_t point;
      std::uint64_t replicate;
      std::uint64_t seed;
      std::uint32_t institution;
      std::int64_t steps_run;
    };
    const detail::Datatype type(H5Tcreate(H5T_COMPOUND, sizeof(Row)));
    H5Tinsert(type.get(), "run", offsetof(Row, run), H5T_NATIVE_UINT64);
    H5Tinsert(type.get(), "point", offsetof(Row, point), H5T_NATIVE_UINT64);
    H5Tinsert(type.get(), "replicate", offsetof(Row, replicate), H5T_NATIVE_UINT64);
    H5Tinsert(type.get(), "seed", offsetof(Row, seed), H5T_NATIVE_UINT64);
    H5Tinsert(type.get(), "institution", offsetof(Row, institution), H5T_NATIVE_UINT32);
    H5Tinsert(type.get(), "steps_run", offsetof(Row, steps_run), H5T_NATIVE_INT64);
    const detail::Dataset ds(H5Dopen2(root, "params", H5P_DEFAULT));
    ASSERT_EQ(detail::dataset_dims(kRead, ds.get(), "params"), (std::vector<hsize_t>{3}));
    std::vector<Row> rows(3);
    ASSERT_GE(H5Dread(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data()), 0);
    for (RunId run = 0; run < 3; ++run) {
      const RunResult expected = tiny_run(run);
      EXPECT_EQ(rows[run].run, run);
      EXPECT_EQ(rows[run].point, 0u);  // a plain run: one point, every run a replicate
      EXPECT_EQ(rows[run].replicate, run);
      EXPECT_EQ(rows[run].seed, expected.seed);
      EXPECT_EQ(rows[run].institution, expected.institution);
      EXPECT_EQ(rows[run].steps_run, expected.steps_run);
    }
  }

  // Coordinates in /metrics: run and step are dimension scales; time_hours hangs off step.
  const detail::Group metrics(H5Gopen2(root, "metrics", H5P_DEFAULT));
  ASSERT_TRUE(metrics.valid());
  const detail::Dataset run_scale(H5Dopen2(metrics.get(), "run", H5P_DEFAULT));
  const detail::Dataset step_scale(H5Dopen2(metrics.get(), "step", H5P_DEFAULT));
  const detail::Dataset time(H5Dopen2(metrics.get(), "time_hours", H5P_DEFAULT));
  EXPECT_GT(H5DSis_scale(run_scale.get()), 0);
  EXPECT_GT(H5DSis_scale(step_scale.get()), 0);
  EXPECT_EQ(H5DSis_scale(time.get()), 0);
  EXPECT_GT(H5DSis_attached(time.get(), step_scale.get(), 0), 0);
  EXPECT_EQ(detail::read_vector<std::uint64_t>(kRead, metrics.get(), "run", 3),
            (std::vector<std::uint64_t>{0, 1, 2}));
  EXPECT_EQ(detail::read_vector<std::int64_t>(kRead, metrics.get(), "step", 5),
            (std::vector<std::int64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(detail::read_vector<double>(kRead, metrics.get(), "time_hours", 5),
            (std::vector<double>{0.0, 0.5, 1.0, 1.5, 2.0}));
  EXPECT_EQ(string_attr(time.get(), "unit"), "hours");

  const std::vector<MetricSpec> specs = tiny_metrics();
  for (std::size_t k = 0; k < specs.size(); ++k) {
    SCOPED_TRACE(specs[k].name);
    const detail::Dataset ds(H5Dopen2(metrics.get(), specs[k].name.c_str(), H5P_DEFAULT));
    ASSERT_TRUE(ds.valid());
    ASSERT_EQ(detail::dataset_dims(kRead, ds.get(), specs[k].name), (std::vector<hsize_t>{3, 5}));
    const detail::Datatype type(H5Dget_type(ds.get()));
    EXPECT_GT(H5Tequal(type.get(), H5T_NATIVE_INT64), 0);
    std::vector<std::int64_t> values(15);
    ASSERT_GE(H5Dread(ds.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), 0);
    for (RunId run = 0; run < 3; ++run) {
      for (Step s = 0; s < 5; ++s) {
        EXPECT_EQ(values[run * 5 + static_cast<std::size_t>(s)], metric_value(run, k, s))
            << "run " << run << " step " << s;
      }
    }
    EXPECT_EQ(string_attr(ds.get(), "unit"), specs[k].unit);
    EXPECT_EQ(string_attr(ds.get(), "description"), specs[k].description);
    EXPECT_EQ(string_attr(ds.get(), "coordinates"), "time_hours");
    const Filters f = filters_of(ds.get());
    EXPECT_EQ(f.chunk, (std::vector<hsize_t>{1, 5}));
    EXPECT_TRUE(f.shuffle);
    EXPECT_EQ(f.deflate, 4);
    EXPECT_GT(H5DSis_attached(ds.get(), run_scale.get(), 0), 0);
    EXPECT_GT(H5DSis_attached(ds.get(), step_scale.get(), 1), 0);
    EXPECT_EQ(H5DSget_num_scales(ds.get(), 0), 1);
    EXPECT_EQ(H5DSget_num_scales(ds.get(), 1), 1);
  }

  // /items: sorted by (run, item) whatever the arrival order; extendible, chunked, compressed.
  {
    struct Row {
      std::uint64_t run;
      std::uint32_t item, push, topic;
      double appeal, sensitivity, valence;
      std::int64_t publish_step;
      std::uint64_t reads, shares, first_hop_shares, reach;
      std::uint32_t depth;
    };
    const detail::Datatype type(H5Tcreate(H5T_COMPOUND, sizeof(Row)));
    H5Tinsert(type.get(), "run", offsetof(Row, run), H5T_NATIVE_UINT64);
    H5Tinsert(type.get(), "item", offsetof(Row, item), H5T_NATIVE_UINT32);
    H5Tinsert(type.get(), "push", offsetof(Row, push), H5T_NATIVE_UINT32);
    H5Tinsert(type.get(), "topic", offsetof(Row, topic), H5T_NATIVE_UINT32);
    H5Tinsert(type.get(), "appeal", offsetof(Row, appeal), H5T_NATIVE_DOUBLE);
    H5Tinsert(type.get(), "sensitivity", offsetof(Row, sensitivity), H5T_NATIVE_DOUBLE);
    H5Tinsert(type.get(), "valence", offsetof(Row, valence), H5T_NATIVE_DOUBLE);
    H5Tinsert(type.get(), "publish_step", offsetof(Row, publish_step), H5T_NATIVE_INT64);
    H5Tinsert(type.get(), "reads", offsetof(Row, reads), H5T_NATIVE_UINT64);
    H5Tinsert(type.get(), "shares", offsetof(Row, shares), H5T_NATIVE_UINT64);
    H5Tinsert(type.get(), "first_hop_shares", offsetof(Row, first_hop_shares), H5T_NATIVE_UINT64);
    H5Tinsert(type.get(), "reach", offsetof(Row, reach), H5T_NATIVE_UINT64);
    H5Tinsert(type.get(), "depth", offsetof(Row, depth), H5T_NATIVE_UINT32);
    const detail::Dataset ds(H5Dopen2(root, "items", H5P_DEFAULT));
    ASSERT_EQ(detail::dataset_dims(kRead, ds.get(), "items"), (std::vector<hsize_t>{6}));
    std::vector<Row> rows(6);
    ASSERT_GE(H5Dread(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data()), 0);
    std::size_t i = 0;
    for (RunId run = 0; run < 3; ++run) {
      for (RunId k = 0; k <= run; ++k, ++i) {
        SCOPED_TRACE("row " + std::to_string(i));
        EXPECT_EQ(rows[i].run, run);
        EXPECT_EQ(rows[i].item, 2 * k);
        EXPECT_EQ(rows[i].push, k / 2);
        EXPECT_EQ(rows[i].topic, run);
        EXPECT_EQ(rows[i].appeal, 0.25 * static_cast<double>(k));
        EXPECT_EQ(rows[i].sensitivity, 0.125);
        EXPECT_EQ(rows[i].valence, -0.5);
        EXPECT_EQ(rows[i].publish_step, static_cast<Step>(k));
        EXPECT_EQ(rows[i].reads, 10 * run + k);
        EXPECT_EQ(rows[i].shares, 20 * run + k);
        EXPECT_EQ(rows[i].first_hop_shares, 5 * run + k);
        EXPECT_EQ(rows[i].reach, 30 * run + k + (std::uint64_t{1} << 33));
        EXPECT_EQ(rows[i].depth, run + k);
      }
    }
    const detail::Dataspace space(H5Dget_space(ds.get()));
    hsize_t dims = 0;
    hsize_t max_dims = 0;
    H5Sget_simple_extent_dims(space.get(), &dims, &max_dims);
    EXPECT_EQ(max_dims, H5S_UNLIMITED);
    const Filters f = filters_of(ds.get());
    EXPECT_EQ(f.chunk, (std::vector<hsize_t>{4096}));
    EXPECT_TRUE(f.shuffle);
    EXPECT_EQ(f.deflate, 4);
  }
}

TEST(ResultWriter, RunsWithoutItemsAndItemsArrivingBeforeEarlierRuns) {
  TempDir dir;
  const fs::path path = dir.path() / "sparse.h5";
  ResultWriter w(path, tiny_provenance(), tiny_metrics());
  RunResult r1 = tiny_run(1);
  r1.items.clear();
  w.write_run(tiny_run(2));
  w.write_run(r1);
  w.write_run(tiny_run(0));
  w.finish();
  const detail::File file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  const detail::Dataset ds(H5Dopen2(file.get(), "items", H5P_DEFAULT));
  EXPECT_EQ(detail::dataset_dims(kRead, ds.get(), "items"), (std::vector<hsize_t>{4}));
  const detail::Datatype type(H5Tcreate(H5T_COMPOUND, sizeof(std::uint64_t)));
  H5Tinsert(type.get(), "run", 0, H5T_NATIVE_UINT64);
  std::vector<std::uint64_t> runs(4);
  H5Dread(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, runs.data());
  EXPECT_EQ(runs, (std::vector<std::uint64_t>{0, 2, 2, 2}));
}

TEST(ResultWriter, DestroyingWithoutFinishLeavesOnlyThePartialFile) {
  TempDir dir;
  const fs::path path = dir.path() / "interrupted.h5";
  {
    ResultWriter w(path, tiny_provenance(), tiny_metrics());
    EXPECT_EQ(w.partial_path(), dir.path() / "interrupted.h5.partial");
    w.write_run(tiny_run(2));
    w.write_run(tiny_run(0));
  }
  EXPECT_FALSE(fs::exists(path));
  ASSERT_TRUE(fs::exists(dir.path() / "interrupted.h5.partial"));
  // The partial file is a readable HDF5 file that says how far it got.
  const std::string info = describe_file(dir.path() / "interrupted.h5.partial");
  EXPECT_TRUE(contains(info, "INCOMPLETE: 2 of 3 runs written")) << info;
  EXPECT_TRUE(contains(info, "  end time           (not finished)\n")) << info;
}

TEST(ResultWriter, WritingARunTwiceIsALogicError) {
  TempDir dir;
  ResultWriter w(dir.path() / "twice.h5", tiny_provenance(), tiny_metrics());
  w.write_run(tiny_run(1));
  EXPECT_THROW(w.write_run(tiny_run(1)), std::logic_error);
  // The writer is still healthy.
  w.write_run(tiny_run(0));
  w.write_run(tiny_run(2));
  w.finish();
  EXPECT_TRUE(fs::exists(dir.path() / "twice.h5"));
}

TEST(ResultWriter, RunOutOfRangeIsALogicError) {
  TempDir dir;
  ResultWriter w(dir.path() / "range.h5", tiny_provenance(), tiny_metrics());
  EXPECT_THROW(w.write_run(tiny_run(3)), std::logic_error);
}

TEST(ResultWriter, MetricSeriesOfTheWrongShapeAreRejected) {
  TempDir dir;
  ResultWriter w(dir.path() / "shape.h5", tiny_provenance(), tiny_metrics());
  RunResult short_series = tiny_run(0);
  short_series.metrics[1].pop_back();
  EXPECT_THROW(w.write_run(short_series), std::invalid_argument);
  RunResult missing_metric = tiny_run(0);
  missing_metric.metrics.pop_back();
  EXPECT_THROW(w.write_run(missing_metric), std::invalid_argument);
  w.write_run(tiny_run(0));  // nothing was written by the rejected calls
}

TEST(ResultWriter, BadShapesAndMetricNamesAreRejected) {
  TempDir dir;
  const fs::path path = dir.path() / "bad.h5";
  Provenance no_steps = tiny_provenance();
  no_steps.num_steps = 0;
  EXPECT_THROW(ResultWriter(path, no_steps, tiny_metrics()), std::invalid_argument);
  Provenance no_runs = tiny_provenance();
  no_runs.num_runs = 0;
  EXPECT_THROW(ResultWriter(path, no_runs, tiny_metrics()), std::invalid_argument);
  Provenance bad_hours = tiny_provenance();
  bad_hours.step_hours = 0;
  EXPECT_THROW(ResultWriter(path, bad_hours, tiny_metrics()), std::invalid_argument);
  for (const char* name : {"step", "run", "time_hours", "Reads", "", "has space", "9lives"}) {
    EXPECT_THROW(ResultWriter(path, tiny_provenance(), {{name, "u", "d"}}), std::invalid_argument)
        << name;
  }
  EXPECT_THROW(ResultWriter(path, tiny_provenance(), {{"a", "u", "d"}, {"a", "u", "d"}}),
               std::invalid_argument);
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(dir.path() / "bad.h5.partial"));
}

TEST(ResultWriter, FinishWithAMissingRunThrowsAndWritesNoFinalFile) {
  TempDir dir;
  const fs::path path = dir.path() / "missing.h5";
  ResultWriter w(path, tiny_provenance(), tiny_metrics());
  w.write_run(tiny_run(0));
  w.write_run(tiny_run(2));
  try {
    w.finish();
    FAIL() << "finish() accepted a missing run";
  } catch (const std::logic_error& e) {
    EXPECT_TRUE(contains(e.what(), "1 of 3 runs not written (runs 1)")) << e.what();
  }
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(fs::exists(dir.path() / "missing.h5.partial"));
  // Nothing was closed: the missing run can still come.
  w.write_run(tiny_run(1));
  w.finish();
  EXPECT_TRUE(fs::exists(path));
  EXPECT_FALSE(fs::exists(dir.path() / "missing.h5.partial"));
  EXPECT_THROW(w.finish(), std::logic_error);
  EXPECT_THROW(w.write_run(tiny_run(0)), std::logic_error);
}

TEST(ResultWriter, UncreatableDirectoryThrowsRuntimeFailureNamingThePath) {
  TempDir dir;
  // A regular file where a directory should be: fails even for root, unlike permissions.
  std::ofstream(dir.path() / "not_a_dir") << "x";
  const fs::path path = dir.path() / "not_a_dir" / "sub" / "r.h5";
  try {
    ResultWriter w(path, tiny_provenance(), tiny_metrics());
    FAIL() << "created " << path;
  } catch (const RuntimeFailure& e) {
    EXPECT_TRUE(contains(e.what(), path.string())) << e.what();
  }
}

TEST(ResultWriter, UncreatableFileReportsTheHdf5ErrorStack) {
  TempDir dir;
  const fs::path path = dir.path() / "r.h5";
  fs::create_directories(dir.path() / "r.h5.partial");  // HDF5 cannot create a file over it
  try {
    ResultWriter w(path, tiny_provenance(), tiny_metrics());
    FAIL() << "created " << path;
  } catch (const RuntimeFailure& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.rfind((dir.path() / "r.h5.partial").string() + ": cannot create file: ", 0),
              0u)
        << message;
    EXPECT_TRUE(contains(message, "unable to")) << message;  // HDF5's own words
    EXPECT_TRUE(contains(message, "H5Fcreate")) << message;
  }
  EXPECT_FALSE(fs::exists(path));
}

TEST(ResultWriter, FinishReplacesAStaleFinalFile) {
  TempDir dir;
  const fs::path path = dir.path() / "again.h5";
  std::ofstream(path) << "old";
  write_tiny_file(path, {0, 1, 2});
  EXPECT_TRUE(describe_file(path).starts_with(path.string() + ": softpower result file\n"));
}

/// splitmix64: incompressible metric values.
std::int64_t noise(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return static_cast<std::int64_t>(x ^ (x >> 31));
}

TEST(ResultWriter, FullDiskThrowsRuntimeFailureAndLeavesNoFinalFile) {
  TempDir dir;
  const fs::path mount_point = dir.path() / "small_fs";
  fs::create_directories(mount_point);
  if (::mount("tmpfs", mount_point.c_str(), "tmpfs", 0, "size=64k") != 0) {
    GTEST_SKIP() << "cannot mount a 64 KiB tmpfs here: " << std::strerror(errno);
  }
  struct Unmount {
    fs::path path;
    ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
  } unmount{mount_point};

  Provenance prov = tiny_provenance();
  prov.scenario_text = "name: tiny\n";
  prov.num_runs = 20;
  prov.num_steps = 500;  // 2 x 4 KB of noise per run: the disk is full after a few runs
  const fs::path path = mount_point / "full.h5";
  std::string message;
  RunId runs_written = 0;
  try {
    ResultWriter w(path, prov, tiny_metrics());
    for (RunId run = 0; run < prov.num_runs; ++run, ++runs_written) {
      RunResult r = tiny_run(run);
      for (auto& series : r.metrics) {
        series.resize(500);
        for (std::size_t s = 0; s < series.size(); ++s) series[s] = noise(run * 4096 + s);
      }
      w.write_run(r);
    }
    w.finish();
  } catch (const RuntimeFailure& e) {
    message = e.what();
  }
  ASSERT_FALSE(message.empty()) << "no failure on a full disk";
  EXPECT_GT(runs_written, 0u) << "the first run should fit: " << message;
  EXPECT_TRUE(contains(message, path.string())) << message;
  EXPECT_TRUE(contains(message, "No space left on device")) << message;
  EXPECT_FALSE(fs::exists(path));
}

// Float64 series and attitude snapshots.

std::vector<SeriesSpec> tiny_series() {
  return {{"attitude_mean", "attitude", "Mean attitude of every user at the end of the step.", {}},
          {"attitude_by_region",
           "attitude",
           "Mean attitude per region at the end of the step.",
           {"domestic", "international", "abroad"}}};
}

constexpr VertexId kSnapshotUsers = 4;  // of the 5 vertices: the institution is not a user

ResultWriter tiny_attitude_writer(const fs::path& path) {
  return ResultWriter(path, tiny_provenance(), tiny_metrics(), tiny_series(), kSnapshotUsers);
}

double series_value(RunId run, std::size_t k, Step s, std::size_t c) {
  // Thirds and magnitudes below float's range: any narrowing on the way to the file shows.
  const double base =
      static_cast<double>(1000 * run + 100 * k + 10 * static_cast<RunId>(s) + c + 1);
  return base / 3.0 * (k == 1 ? -1e-200 : 1.0);
}

/// Run 0 takes 2 snapshots, run 1 none, run 2 three (the last at num_steps).
std::vector<Step> snapshot_steps_of(RunId run) {
  if (run == 0) return {0, 2};
  if (run == 2) return {1, 3, 5};
  return {};
}

float snapshot_value(RunId run, std::size_t j, VertexId u) {
  return (static_cast<float>(16 * run + 4 * j + u) - 30.0f) / 31.0f;
}

RunResult attitude_run(RunId run) {
  RunResult r = tiny_run(run);
  const std::vector<SeriesSpec> specs = tiny_series();
  for (std::size_t k = 0; k < specs.size(); ++k) {
    std::vector<double> series;
    for (Step s = 0; s < 5; ++s) {
      for (std::size_t c = 0; c < specs[k].width(); ++c)
        series.push_back(series_value(run, k, s, c));
    }
    r.series.push_back(std::move(series));
  }
  r.snapshot_steps = snapshot_steps_of(run);
  for (std::size_t j = 0; j < r.snapshot_steps.size(); ++j) {
    for (VertexId u = 0; u < kSnapshotUsers; ++u) r.snapshots.push_back(snapshot_value(run, j, u));
  }
  return r;
}

/// The whole dataset `name`, after checking its current shape.
template <class T>
std::vector<T> read_all(hid_t loc, const std::string& name, const std::vector<hsize_t>& dims) {
  const detail::Dataset ds(kRead.id(H5Dopen2(loc, name.c_str(), H5P_DEFAULT), "open " + name));
  EXPECT_EQ(detail::dataset_dims(kRead, ds.get(), name), dims) << name;
  hsize_t size = 1;
  for (hsize_t d : dims) size *= d;
  std::vector<T> values(size);
  kRead.ok(
      H5Dread(ds.get(), detail::native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
      "read " + name);
  return values;
}

std::vector<hsize_t> max_dims_of(hid_t ds) {
  const detail::Dataspace space(H5Dget_space(ds));
  std::vector<hsize_t> dims(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space.get())));
  std::vector<hsize_t> max_dims(dims.size());
  H5Sget_simple_extent_dims(space.get(), dims.data(), max_dims.data());
  return max_dims;
}

std::vector<std::string> read_strings(hid_t loc, const char* name) {
  const detail::Dataset ds(H5Dopen2(loc, name, H5P_DEFAULT));
  const std::vector<hsize_t> dims = detail::dataset_dims(kRead, ds.get(), name);
  std::vector<char*> raw(dims.at(0));
  const detail::Datatype type = detail::string_type(kRead);
  kRead.ok(H5Dread(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()), name);
  std::vector<std::string> labels(raw.begin(), raw.end());
  const detail::Dataspace space(H5Dget_space(ds.get()));
  detail::reclaim_vlen(type.get(), space.get(), raw.data());
  return labels;
}

bool has_link(hid_t loc, const char* name) { return H5Lexists(loc, name, H5P_DEFAULT) > 0; }

std::string invalid_argument_message(const std::function<void()>& call) {
  try {
    call();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no std::invalid_argument)";
}

TEST(ResultWriterSeries, RoundTripsSeriesAndSnapshotsOfRunsGivenOutOfOrder) {
  TempDir dir;
  const fs::path path = dir.path() / "attitudes.h5";
  {
    ResultWriter w = tiny_attitude_writer(path);
    // The snapshot dimension grows twice (0 -> 2 -> 3) and run 0 keeps fill past its 2.
    for (RunId run : {1, 0, 2}) w.write_run(attitude_run(run));
    w.finish();
  }
  const detail::File file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  ASSERT_TRUE(file.valid());
  const detail::Group metrics(H5Gopen2(file.get(), "metrics", H5P_DEFAULT));
  const detail::Dataset run_scale(H5Dopen2(metrics.get(), "run", H5P_DEFAULT));
  const detail::Dataset step_scale(H5Dopen2(metrics.get(), "step", H5P_DEFAULT));

  // The int64 metrics are unaffected.
  EXPECT_EQ(read_all<std::int64_t>(metrics.get(), "shares", {3, 5})[2 * 5 + 4],
            metric_value(2, 1, 4));

  const std::vector<SeriesSpec> specs = tiny_series();
  for (std::size_t k = 0; k < specs.size(); ++k) {
    const SeriesSpec& spec = specs[k];
    SCOPED_TRACE(spec.name);
    const std::size_t width = spec.width();
    std::vector<hsize_t> dims{3, 5};
    if (!spec.columns.empty()) dims.push_back(width);
    const std::vector<double> values = read_all<double>(metrics.get(), spec.name, dims);
    for (RunId run = 0; run < 3; ++run) {
      for (Step s = 0; s < 5; ++s) {
        for (std::size_t c = 0; c < width; ++c) {
          EXPECT_EQ(values[(run * 5 + static_cast<std::size_t>(s)) * width + c],
                    series_value(run, k, s, c))
              << "run " << run << " step " << s << " column " << c;
        }
      }
    }
    const detail::Dataset ds(H5Dopen2(metrics.get(), spec.name.c_str(), H5P_DEFAULT));
    const detail::Datatype type(H5Dget_type(ds.get()));
    EXPECT_GT(H5Tequal(type.get(), H5T_NATIVE_DOUBLE), 0);
    EXPECT_EQ(string_attr(ds.get(), "unit"), spec.unit);
    EXPECT_EQ(string_attr(ds.get(), "description"), spec.description);
    EXPECT_EQ(string_attr(ds.get(), "coordinates"), "time_hours");
    const Filters f = filters_of(ds.get());
    EXPECT_EQ(f.chunk, spec.columns.empty() ? (std::vector<hsize_t>{1, 5})
                                            : (std::vector<hsize_t>{1, 5, width}));
    EXPECT_TRUE(f.shuffle);
    EXPECT_EQ(f.deflate, 1);  // series: level 1 (docs/output-format.md)
    EXPECT_GT(H5DSis_attached(ds.get(), run_scale.get(), 0), 0);
    EXPECT_GT(H5DSis_attached(ds.get(), step_scale.get(), 1), 0);
    const std::string columns_name = spec.name + "_columns";
    if (spec.columns.empty()) {
      EXPECT_FALSE(has_link(metrics.get(), columns_name.c_str()));
      continue;
    }
    const detail::Dataset columns(H5Dopen2(metrics.get(), columns_name.c_str(), H5P_DEFAULT));
    ASSERT_TRUE(columns.valid());
    EXPECT_GT(H5DSis_scale(columns.get()), 0);
    char scale_name[64] = {};
    H5DSget_scale_name(columns.get(), scale_name, sizeof scale_name);
    EXPECT_EQ(std::string(scale_name), columns_name);
    EXPECT_GT(H5DSis_attached(ds.get(), columns.get(), 2), 0);
    EXPECT_EQ(read_strings(metrics.get(), columns_name.c_str()), spec.columns);
  }

  // Snapshots: [run, snapshot] steps and [run, snapshot, user] attitudes, -1 / NaN past a run's
  // own snapshots.
  ASSERT_TRUE(has_link(file.get(), "attitude"));
  EXPECT_EQ(read_all<std::int64_t>(file.get(), "attitude/snapshot_steps", {3, 3}),
            (std::vector<std::int64_t>{0, 2, -1, -1, -1, -1, 1, 3, 5}));
  const std::vector<float> snapshots =
      read_all<float>(file.get(), "attitude/snapshots", {3, 3, kSnapshotUsers});
  for (RunId run = 0; run < 3; ++run) {
    const std::size_t taken = snapshot_steps_of(run).size();
    for (std::size_t j = 0; j < 3; ++j) {
      for (VertexId u = 0; u < kSnapshotUsers; ++u) {
        const float value = snapshots[(run * 3 + j) * kSnapshotUsers + u];
        if (j < taken) {
          EXPECT_EQ(value, snapshot_value(run, j, u)) << run << " " << j << " " << u;
        } else {
          EXPECT_TRUE(std::isnan(value)) << run << " " << j << " " << u;
        }
      }
    }
  }
  const detail::Dataset steps(H5Dopen2(file.get(), "attitude/snapshot_steps", H5P_DEFAULT));
  const detail::Dataset values(H5Dopen2(file.get(), "attitude/snapshots", H5P_DEFAULT));
  EXPECT_EQ(max_dims_of(steps.get()), (std::vector<hsize_t>{3, H5S_UNLIMITED}));
  EXPECT_EQ(max_dims_of(values.get()), (std::vector<hsize_t>{3, H5S_UNLIMITED, kSnapshotUsers}));
  const detail::Datatype value_type(H5Dget_type(values.get()));
  EXPECT_GT(H5Tequal(value_type.get(), H5T_NATIVE_FLOAT), 0);
  const Filters f = filters_of(values.get());
  EXPECT_EQ(f.chunk, (std::vector<hsize_t>{1, 1, kSnapshotUsers}));  // one (run, snapshot) row
  EXPECT_FALSE(f.shuffle) << "float attitudes are stored without filters";
  EXPECT_EQ(f.deflate, -1);
}

TEST(ResultWriterSeries, UnwrittenRunsOfAPartialFileReadAsNaNAndMinusOne) {
  TempDir dir;
  const fs::path path = dir.path() / "partial.h5";
  {
    ResultWriter w = tiny_attitude_writer(path);
    w.write_run(attitude_run(2));
  }
  const fs::path partial = dir.path() / "partial.h5.partial";
  {
    const detail::File file(H5Fopen(partial.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
    ASSERT_TRUE(file.valid());
    const std::vector<double> mean = read_all<double>(file.get(), "metrics/attitude_mean", {3, 5});
    EXPECT_TRUE(std::isnan(mean[0]) && std::isnan(mean[9]));
    EXPECT_EQ(mean[14], series_value(2, 0, 4, 0));
    EXPECT_EQ(read_all<std::int64_t>(file.get(), "attitude/snapshot_steps", {3, 3}),
              (std::vector<std::int64_t>{-1, -1, -1, -1, -1, -1, 1, 3, 5}));
  }
  const std::string info = describe_file(partial);
  EXPECT_TRUE(contains(info, "  snapshots          3 of 4 users each (up to 3 per run)\n")) << info;
}

TEST(ResultWriterSeries, RunsOfTheWrongShapeAreRejectedAndWriteNothing) {
  TempDir dir;
  ResultWriter w = tiny_attitude_writer(dir.path() / "shape.h5");
  const std::string file = (dir.path() / "shape.h5").string();
  const auto rejected = [&](const std::function<void(RunResult&)>& spoil) {
    RunResult r = attitude_run(0);
    spoil(r);
    return invalid_argument_message([&] { w.write_run(r); });
  };
  EXPECT_EQ(rejected([](RunResult& r) { r.series.pop_back(); }),
            file + ": run 0 has 1 float64 series, expected 2");
  EXPECT_EQ(rejected([](RunResult& r) { r.series[0].pop_back(); }),
            file +
                ": run 0 series 'attitude_mean' has 4 values, expected num_steps (5) x "
                "columns (1) = 5");
  EXPECT_EQ(rejected([](RunResult& r) { r.series[1].resize(5); }),
            file +
                ": run 0 series 'attitude_by_region' has 5 values, expected num_steps (5) x "
                "columns (3) = 15");
  EXPECT_EQ(rejected([](RunResult& r) { r.snapshots.pop_back(); }),
            file +
                ": run 0 has 7 snapshot values, expected snapshot_steps (2) x "
                "snapshot_users (4) = 8");
  EXPECT_EQ(rejected([](RunResult& r) { r.snapshot_steps.push_back(4); }),
            file +
                ": run 0 has 8 snapshot values, expected snapshot_steps (3) x "
                "snapshot_users (4) = 12");
  EXPECT_EQ(rejected([](RunResult& r) { r.snapshot_steps[1] = 6; }),
            file + ": run 0 snapshot 1 is at step 6, outside [0, num_steps = 5]");
  EXPECT_EQ(rejected([](RunResult& r) { r.snapshot_steps[0] = -1; }),
            file + ": run 0 snapshot 0 is at step -1, outside [0, num_steps = 5]");
  EXPECT_EQ(rejected([](RunResult& r) {
              r.snapshot_steps = {2, 2};
            }),
            file +
                ": run 0 snapshot steps must increase, but snapshot 1 is at step 2 after "
                "step 2");
  // Nothing of the rejected calls reached the file: run 0 is still free, the snapshot dimension
  // still fits exactly the longest accepted run.
  for (RunId run : {0, 1, 2}) w.write_run(attitude_run(run));
  w.finish();
  const detail::File f(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  EXPECT_EQ(read_all<std::int64_t>(f.get(), "attitude/snapshot_steps", {3, 3})[1], 2);

  // A writer made without series or snapshots refuses runs that carry them.
  ResultWriter plain(dir.path() / "plain.h5", tiny_provenance(), tiny_metrics());
  const std::string plain_file = (dir.path() / "plain.h5").string();
  RunResult with_series = tiny_run(0);
  with_series.series = attitude_run(0).series;
  EXPECT_EQ(invalid_argument_message([&] { plain.write_run(with_series); }),
            plain_file + ": run 0 has 2 float64 series, expected 0");
  RunResult with_snapshots = tiny_run(0);
  with_snapshots.snapshot_steps = {1};
  EXPECT_EQ(invalid_argument_message([&] { plain.write_run(with_snapshots); }),
            plain_file +
                ": run 0 has 1 attitude snapshots (0 values), but the file was made "
                "without snapshots (snapshot_users = 0)");
  plain.write_run(tiny_run(0));
}

TEST(ResultWriterSeries, NameClashesBadColumnsAndTooManyUsersAreRejected) {
  TempDir dir;
  const fs::path path = dir.path() / "bad.h5";
  const auto message = [&](std::vector<MetricSpec> metrics, std::vector<SeriesSpec> series,
                           VertexId users = 0) {
    return invalid_argument_message([&] {
      ResultWriter(path, tiny_provenance(), std::move(metrics), std::move(series), users);
    });
  };
  const SeriesSpec mean = tiny_series()[0];
  EXPECT_EQ(message(tiny_metrics(), {{"shares", "u", "d", {}}}),
            "ResultWriter: /metrics/shares would hold both the metric and the series");
  EXPECT_EQ(message(tiny_metrics(), {mean, mean}),
            "ResultWriter: series 'attitude_mean' listed twice");
  EXPECT_EQ(message(tiny_metrics(), {{"time_hours", "u", "d", {}}}),
            "ResultWriter: series name 'time_hours' is reserved for a coordinate");
  EXPECT_EQ(message(tiny_metrics(), {{"Mean", "u", "d", {}}}),
            "ResultWriter: series name 'Mean' is not snake_case ([a-z][a-z0-9_]*)");
  // A series with columns also takes <name>_columns, from either side.
  EXPECT_EQ(message({{"x_columns", "u", "d"}}, {{"x", "u", "d", {"a"}}}),
            "ResultWriter: /metrics/x_columns would hold both the metric and the column labels "
            "of series 'x'");
  EXPECT_EQ(message({}, {{"x", "u", "d", {"a"}}, {"x_columns", "u", "d", {}}}),
            "ResultWriter: /metrics/x_columns would hold both the column labels of series 'x' "
            "and the series");
  EXPECT_EQ(message({}, {{"x", "u", "d", {"a", "b", "a"}}}),
            "ResultWriter: series 'x' lists column 'a' twice");
  EXPECT_EQ(message({}, {{"x", "u", "d", {"a", ""}}}),
            "ResultWriter: series 'x' has an empty label for column 1");
  EXPECT_EQ(message({}, {}, 6), "ResultWriter: snapshot_users = 6 exceeds the graph's 5 vertices");
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(dir.path() / "bad.h5.partial"));
}

TEST(ResultWriterSeries, WritersWithoutSnapshotsMakeNoAttitudeGroupAndNoFloatSeries) {
  TempDir dir;
  const fs::path old_style = dir.path() / "old.h5";
  write_tiny_file(old_style, {0, 1, 2});
  const fs::path none = dir.path() / "none.h5";
  {
    ResultWriter w(none, tiny_provenance(), tiny_metrics(), {}, 0);
    for (RunId run : {2, 1, 0}) w.write_run(tiny_run(run));
    w.finish();
  }
  for (const fs::path& path : {old_style, none}) {
    SCOPED_TRACE(path.string());
    const detail::File file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
    ASSERT_TRUE(file.valid());
    EXPECT_FALSE(has_link(file.get(), "attitude"));
    const std::string info = describe_file(path);
    EXPECT_TRUE(contains(info, "  float series       none\n  snapshots          none\n")) << info;
    EXPECT_FALSE(contains(info, "float64 [run")) << info;
  }
}

// Per-user events: /events.

constexpr EventsLayout kEvents{.vertices = 5, .attitude_users = kSnapshotUsers};

/// tiny_run with events of `layout`. Run 0 reads (item, user) (0, 1), (0, 2), (0, 4); run 1
/// (2 items) 7 reads; run 2 (3 items) 10.
RunResult events_run(RunId run, EventsLayout layout = kEvents) {
  RunResult r = tiny_run(run);
  r.events = test::sample_events(run, r.items.size(), layout);
  return r;
}

ResultWriter events_writer(const fs::path& path, EventsLayout layout = kEvents) {
  return ResultWriter(path, tiny_provenance(), tiny_metrics(), {}, 0, layout);
}

/// One row of /events/reads as documented, read with a type built here, not the writer's. Not
/// packed: HDF5 converts from the file's packed layout, and aligned members can be compared.
struct ReadRow {
  std::uint64_t run;
  std::uint32_t item;
  std::uint32_t user;
  std::int64_t step;
  std::uint32_t parent;
  std::uint32_t hop;
  std::uint8_t via;
  std::uint8_t outcome;
  std::uint8_t share_channel;
};

std::vector<ReadRow> read_event_rows(hid_t file, hsize_t expected_rows) {
  const detail::Dataset ds(H5Dopen2(file, "events/reads", H5P_DEFAULT));
  EXPECT_EQ(detail::dataset_dims(kRead, ds.get(), "reads"), std::vector<hsize_t>{expected_rows});
  const detail::Datatype stored(H5Dget_type(ds.get()));
  // The stored type is packed, in the documented order.
  const std::vector<std::pair<std::string, std::size_t>> columns = {
      {"run", 0},  {"item", 8}, {"user", 12},    {"step", 16},         {"parent", 24},
      {"hop", 28}, {"via", 32}, {"outcome", 33}, {"share_channel", 34}};
  EXPECT_EQ(H5Tget_size(stored.get()), 35u);
  EXPECT_EQ(H5Tget_nmembers(stored.get()), static_cast<int>(columns.size()));
  for (std::size_t c = 0; c < columns.size(); ++c) {
    char* name = H5Tget_member_name(stored.get(), static_cast<unsigned>(c));
    EXPECT_EQ(std::string(name), columns[c].first);
    H5free_memory(name);
    EXPECT_EQ(H5Tget_member_offset(stored.get(), static_cast<unsigned>(c)), columns[c].second);
  }
  const detail::Datatype type(H5Tcreate(H5T_COMPOUND, sizeof(ReadRow)));
  H5Tinsert(type.get(), "run", offsetof(ReadRow, run), H5T_NATIVE_UINT64);
  H5Tinsert(type.get(), "item", offsetof(ReadRow, item), H5T_NATIVE_UINT32);
  H5Tinsert(type.get(), "user", offsetof(ReadRow, user), H5T_NATIVE_UINT32);
  H5Tinsert(type.get(), "step", offsetof(ReadRow, step), H5T_NATIVE_INT64);
  H5Tinsert(type.get(), "parent", offsetof(ReadRow, parent), H5T_NATIVE_UINT32);
  H5Tinsert(type.get(), "hop", offsetof(ReadRow, hop), H5T_NATIVE_UINT32);
  H5Tinsert(type.get(), "via", offsetof(ReadRow, via), H5T_NATIVE_UINT8);
  H5Tinsert(type.get(), "outcome", offsetof(ReadRow, outcome), H5T_NATIVE_UINT8);
  H5Tinsert(type.get(), "share_channel", offsetof(ReadRow, share_channel), H5T_NATIVE_UINT8);
  std::vector<ReadRow> rows(expected_rows);
  if (expected_rows > 0) {
    kRead.ok(H5Dread(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data()),
             "read /events/reads");
  }
  return rows;
}

/// The rows `runs` (in row order) put in /events/reads.
void expect_event_rows(const std::vector<ReadRow>& rows, const std::vector<RunResult>& runs) {
  std::size_t at = 0;
  for (const RunResult& r : runs) {
    for (const ReadEvent& e : r.events.reads) {
      ASSERT_LT(at, rows.size());
      const ReadRow& row = rows[at++];
      SCOPED_TRACE(fmt::format("row {}: run {} {}", at - 1, r.run, test::describe(e)));
      EXPECT_EQ(row.run, r.run);
      EXPECT_EQ(row.item, e.item);
      EXPECT_EQ(row.user, e.user);
      EXPECT_EQ(row.step, e.step);
      EXPECT_EQ(row.parent, e.parent);
      EXPECT_EQ(row.hop, e.hop);
      EXPECT_EQ(row.via, static_cast<std::uint8_t>(e.via));
      EXPECT_EQ(row.outcome, static_cast<std::uint8_t>(e.outcome));
      EXPECT_EQ(row.share_channel, static_cast<std::uint8_t>(e.share_channel));
    }
  }
  EXPECT_EQ(at, rows.size());
}

template <class T>
std::vector<T> concat(const std::vector<RunResult>& runs, std::vector<T> UserEvents::*field) {
  std::vector<T> out;
  for (const RunResult& r : runs) {
    const std::vector<T>& values = r.events.*field;
    out.insert(out.end(), values.begin(), values.end());
  }
  return out;
}

TEST(ResultWriterEvents, WritesEveryDatasetOfRunsGivenOutOfOrder) {
  TempDir dir;
  const fs::path path = dir.path() / "events.h5";
  std::vector<RunResult> runs = {events_run(0), events_run(1), events_run(2)};
  runs[1].events.reads.clear();  // a run without reads
  ASSERT_EQ(runs[0].events.reads.size(), 3u);
  ASSERT_EQ(runs[2].events.reads.size(), 10u);
  {
    ResultWriter w = events_writer(path);
    for (RunId run : {2, 0, 1}) w.write_run(runs[run]);
    w.finish();
  }
  const detail::File file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  ASSERT_TRUE(file.valid());
  ASSERT_TRUE(has_link(file.get(), "events"));

  // Sorted by (row, item, user) although row 2 arrived first.
  expect_event_rows(read_event_rows(file.get(), 13), runs);
  EXPECT_EQ(read_all<std::uint64_t>(file.get(), "events/read_count", {3}),
            (std::vector<std::uint64_t>{3, 0, 10}));
  EXPECT_EQ(read_all<std::int64_t>(file.get(), "events/first_exposure", {3, 5}),
            concat(runs, &UserEvents::first_exposure));
  EXPECT_EQ(test::bit_pattern(read_all<float>(file.get(), "events/attitude_initial", {3, 4})),
            test::bit_pattern(concat(runs, &UserEvents::attitude_initial)));
  EXPECT_EQ(test::bit_pattern(read_all<float>(file.get(), "events/attitude_final", {3, 4})),
            test::bit_pattern(concat(runs, &UserEvents::attitude_final)));
  EXPECT_EQ(read_all<std::uint64_t>(file.get(), "events/graph_checksum", {3}),
            (std::vector<std::uint64_t>{0xfeedface00000000ull, 0xfeedface00000001ull,
                                        0xfeedface00000002ull}));

  // Storage as documented.
  const detail::Dataset reads(H5Dopen2(file.get(), "events/reads", H5P_DEFAULT));
  EXPECT_EQ(max_dims_of(reads.get()), std::vector<hsize_t>{H5S_UNLIMITED});
  Filters f = filters_of(reads.get());
  EXPECT_EQ(f.chunk, std::vector<hsize_t>{16384});
  EXPECT_TRUE(f.shuffle);
  EXPECT_EQ(f.deflate, 4);
  EXPECT_EQ(string_attr(reads.get(), "via_codes"), "0 push, 1 moments, 2 chat, 3 group, 4 wow");
  EXPECT_EQ(string_attr(reads.get(), "share_channel_codes"),
            "0 push, 1 moments, 2 chat, 3 group, 4 wow");
  EXPECT_EQ(string_attr(reads.get(), "outcome_codes"),
            "0 read, 1 shared, 2 share_filtered, 3 self_censored");
  EXPECT_EQ(attr<std::uint32_t>(reads.get(), "no_parent"), 4294967295u);
  for (const char* name :
       {"events/first_exposure", "events/attitude_initial", "events/attitude_final"}) {
    SCOPED_TRACE(name);
    const detail::Dataset ds(H5Dopen2(file.get(), name, H5P_DEFAULT));
    f = filters_of(ds.get());
    EXPECT_EQ(f.chunk, (std::vector<hsize_t>{
                           1, name == std::string("events/first_exposure") ? 5u : kSnapshotUsers}));
    // Attitudes are stored without filters (result_writer.cpp, kAttitudeDeflateLevel).
    const bool attitudes = name != std::string("events/first_exposure");
    EXPECT_EQ(f.shuffle, !attitudes);
    EXPECT_EQ(f.deflate, attitudes ? -1 : 4);
  }
  for (const char* name :
       {"events/reads", "events/read_count", "events/first_exposure", "events/attitude_initial",
        "events/attitude_final", "events/graph_checksum"}) {
    const detail::Dataset ds(H5Dopen2(file.get(), name, H5P_DEFAULT));
    EXPECT_FALSE(string_attr(ds.get(), "description").empty()) << name;
  }

  const std::string info = describe_file(path);
  const auto dataset_line = [](const char* name, const char* text) {
    return fmt::format("  {:<24}  {}\n", name, text);
  };
  for (const std::string& expected : {
           std::string("  snapshots          none\n"
                       "  events             13 reads, first exposure of 5 vertices, initial and "
                       "final attitudes of 4 users\n"
                       "datasets:\n"),
           dataset_line("/events/attitude_final",
                        "float32 [3, 4] chunks [1, 4]"),
           dataset_line("/events/first_exposure", "int64 [3, 5] chunks [1, 5] shuffle+deflate(4)"),
           dataset_line("/events/graph_checksum", "uint64 [3]"),
           dataset_line("/events/read_count", "uint64 [3]"),
           dataset_line("/events/reads",
                        "{run:uint64, item:uint32, user:uint32, step:int64, parent:uint32, "
                        "hop:uint32, via:uint8, outcome:uint8, share_channel:uint8} [13+] chunks "
                        "[16384] shuffle+deflate(4)"),
       }) {
    EXPECT_TRUE(contains(info, expected)) << "expected:\n" << expected << "in:\n" << info;
  }
}

TEST(ResultWriterEvents, WithoutAttitudeUsersThereAreNoAttitudeDatasets) {
  TempDir dir;
  const fs::path path = dir.path() / "events.h5";
  const EventsLayout layout{.vertices = 5, .attitude_users = 0};
  {
    ResultWriter w = events_writer(path, layout);
    for (RunId run : {1, 2, 0}) w.write_run(events_run(run, layout));
    w.finish();
  }
  const detail::File file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  ASSERT_TRUE(file.valid());
  EXPECT_FALSE(has_link(file.get(), "events/attitude_initial"));
  EXPECT_FALSE(has_link(file.get(), "events/attitude_final"));
  EXPECT_EQ(read_all<std::uint64_t>(file.get(), "events/read_count", {3}),
            (std::vector<std::uint64_t>{3, 7, 10}));
  expect_event_rows(read_event_rows(file.get(), 20),
                    {events_run(0, layout), events_run(1, layout), events_run(2, layout)});
  EXPECT_TRUE(contains(describe_file(path),
                       "  events             20 reads, first exposure of 5 vertices, no "
                       "attitudes\n"));
  // A file without events says nothing about them.
  const fs::path plain = dir.path() / "plain.h5";
  write_tiny_file(plain, {0, 1, 2});
  EXPECT_FALSE(contains(describe_file(plain), "\n  events ")) << describe_file(plain);
}

TEST(ResultWriterEvents, UnwrittenRowsOfAPartialFileKeepTheFillValues) {
  TempDir dir;
  const fs::path path = dir.path() / "partial.h5";
  const RunResult run0 = events_run(0);
  const RunResult run2 = events_run(2);
  {
    ResultWriter w = events_writer(path);
    w.write_run(run2);  // waits for rows 0 and 1 before its reads enter the table
    w.write_run(run0);
  }
  const fs::path partial = dir.path() / "partial.h5.partial";
  const detail::File file(H5Fopen(partial.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  ASSERT_TRUE(file.valid());
  expect_event_rows(read_event_rows(file.get(), 3), {run0});
  EXPECT_EQ(read_all<std::uint64_t>(file.get(), "events/read_count", {3}),
            (std::vector<std::uint64_t>{3, 0, 0}));
  std::vector<std::int64_t> exposure = run0.events.first_exposure;
  exposure.insert(exposure.end(), 5, -1);
  exposure.insert(exposure.end(), run2.events.first_exposure.begin(),
                  run2.events.first_exposure.end());
  EXPECT_EQ(read_all<std::int64_t>(file.get(), "events/first_exposure", {3, 5}), exposure);
  const std::vector<float> initial = read_all<float>(file.get(), "events/attitude_initial", {3, 4});
  const std::vector<float> final_values =
      read_all<float>(file.get(), "events/attitude_final", {3, 4});
  for (std::size_t u = 0; u < 4; ++u) {
    EXPECT_TRUE(std::isnan(initial[4 + u]) && std::isnan(final_values[4 + u])) << u;
    EXPECT_EQ(initial[8 + u], run2.events.attitude_initial[u]) << u;
  }
  EXPECT_EQ(read_all<std::uint64_t>(file.get(), "events/graph_checksum", {3}),
            (std::vector<std::uint64_t>{0xfeedface00000000ull, 0, 0xfeedface00000002ull}));
  EXPECT_TRUE(contains(describe_file(partial), "  events             3 reads, "));
}

TEST(ResultWriterEvents, RunsWhoseEventsDoNotFitAreRejectedAndWriteNothing) {
  TempDir dir;
  const fs::path path = dir.path() / "events.h5";
  const std::string file = path.string();
  ResultWriter w = events_writer(path);
  const auto rejected = [&](const std::function<void(UserEvents&)>& spoil) {
    RunResult r = events_run(0);  // reads (0, 1), (0, 2), (0, 4); read 0: via 1, shared to 2
    spoil(r.events);
    return invalid_argument_message([&] { w.write_run(r); });
  };
  const std::string run0 = file + ": run 0 ";
  EXPECT_EQ(rejected([](UserEvents& e) { e = {}; }),
            run0 + "recorded no events (no first exposures), but the file holds events");
  EXPECT_EQ(rejected([](UserEvents& e) { e.first_exposure.pop_back(); }),
            run0 + "has 4 first exposures, expected one per vertex (5)");
  EXPECT_EQ(rejected([](UserEvents& e) { e.attitude_initial.pop_back(); }),
            run0 + "has 3 initial attitudes, expected attitude_users = 4");
  EXPECT_EQ(rejected([](UserEvents& e) { e.attitude_final.push_back(0.5f); }),
            run0 + "has 5 final attitudes, expected attitude_users = 4");
  EXPECT_EQ(rejected([](UserEvents& e) { std::swap(e.reads[0], e.reads[1]); }),
            run0 +
                "read 1 (item 0, user 1) follows item 0, user 2: reads must be sorted strictly "
                "by (item, user)");
  EXPECT_EQ(rejected([](UserEvents& e) { e.reads[1] = e.reads[0]; }),
            run0 +
                "read 1 (item 0, user 1) follows item 0, user 1: reads must be sorted strictly "
                "by (item, user)");
  EXPECT_EQ(rejected([](UserEvents& e) { e.reads[2].item = 1; }),
            run0 + "read 2 (item 1, user 4) names an item the run does not have (1 items)");
  EXPECT_EQ(rejected([](UserEvents& e) { e.reads[0].user = 5; }),
            run0 + "read 0 (item 0, user 5) names a user outside the graph's 5 vertices");
  EXPECT_EQ(rejected([](UserEvents& e) { e.reads[0].parent = 5; }),
            run0 + "read 0 (item 0, user 1) has parent 5, outside the graph's 5 vertices");
  EXPECT_EQ(rejected([](UserEvents& e) { e.reads[0].via = static_cast<Channel>(5); }),
            run0 +
                "read 0 (item 0, user 1) has an undefined code: via 5, outcome 1, "
                "share_channel 2");
  EXPECT_EQ(rejected([](UserEvents& e) { e.reads[0].outcome = static_cast<ReadOutcome>(4); }),
            run0 +
                "read 0 (item 0, user 1) has an undefined code: via 1, outcome 4, "
                "share_channel 2");
  EXPECT_EQ(rejected([](UserEvents& e) { e.reads[0].share_channel = static_cast<Channel>(7); }),
            run0 +
                "read 0 (item 0, user 1) has an undefined code: via 1, outcome 1, "
                "share_channel 7");
  // Nothing of the rejected calls reached the file: run 0 is still free.
  for (RunId run : {0, 1, 2}) w.write_run(events_run(run));
  w.finish();
  {
    const detail::File f(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
    expect_event_rows(read_event_rows(f.get(), 20), {events_run(0), events_run(1), events_run(2)});
  }

  // A file without events refuses runs that carry any, rather than dropping them.
  ResultWriter plain(dir.path() / "plain.h5", tiny_provenance(), tiny_metrics());
  const std::string plain_file = (dir.path() / "plain.h5").string();
  EXPECT_EQ(invalid_argument_message([&] { plain.write_run(events_run(0)); }),
            plain_file + ": run 0 carries events (3 reads), but the file was made without events");
  RunResult attitudes_only = tiny_run(0);
  attitudes_only.events.attitude_final = {0.5f};
  EXPECT_EQ(invalid_argument_message([&] { plain.write_run(attitudes_only); }),
            plain_file + ": run 0 carries events (0 reads), but the file was made without events");
  plain.write_run(tiny_run(0));
}

TEST(ResultWriterEvents, LayoutsThatDoNotFitTheGraphAreRejected) {
  TempDir dir;
  const fs::path path = dir.path() / "bad.h5";
  const auto message = [&](EventsLayout layout) {
    return invalid_argument_message(
        [&] { ResultWriter(path, tiny_provenance(), tiny_metrics(), {}, 0, layout); });
  };
  EXPECT_EQ(message({.vertices = 0, .attitude_users = 2}),
            "ResultWriter: events of 2 attitude users, but of no vertices (events disabled)");
  EXPECT_EQ(message({.vertices = 4, .attitude_users = 0}),
            "ResultWriter: events of 4 vertices, but the graph has 5");
  EXPECT_EQ(message({.vertices = 5, .attitude_users = 6}),
            "ResultWriter: events of 6 attitude users exceed the graph's 5 vertices");
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(dir.path() / "bad.h5.partial"));
}

// Shards and sweeps: rows hold a subset of a sweep's run ids, /params the swept values.

/// 3 points x 3 replicates, one column of each type; the string column's longest value has 5
/// characters.
SweepInfo tiny_sweep(std::uint32_t shard = 1, std::uint32_t num_shards = 3) {
  return SweepInfo{
      .fingerprint = "0123456789abcdef",
      .text = "axes:\n  - {key: censorship.strength, values: [0, 0.5, 1]}\n",
      .seeds = "common",
      .replicates = 3,
      .num_points = 3,
      .total_runs = 9,
      .shard = shard,
      .num_shards = num_shards,
      .columns = {{"graph.n", std::vector<std::int64_t>{100, -200, std::int64_t{1} << 40}},
                  {"censorship.strength", std::vector<double>{0.0, 0.5, 1.0 / 3.0}},
                  {"strategy.model", std::vector<std::string>{"a", "", "burst"}}}};
}

/// Shard 1 of 3 of tiny_sweep(): runs 1, 4 and 7, one per point, each replicate 1.
Provenance shard_provenance() {
  Provenance p = tiny_provenance();
  p.run_ids = {1, 4, 7};
  p.sweep = tiny_sweep();
  return p;
}

std::string logic_error_message(const std::function<void()>& call) {
  try {
    call();
  } catch (const std::logic_error& e) {
    return e.what();
  }
  return "(no std::logic_error)";
}

TEST(ResultWriterShards, RowsHoldTheShardsRunIdsWhateverTheOrderOfWrites) {
  TempDir dir;
  const fs::path path = dir.path() / "shard.h5";
  {
    ResultWriter w(path, shard_provenance(), tiny_metrics());
    for (RunId run : {7, 1, 4}) w.write_run(tiny_run(run));
    w.finish();
  }
  const detail::File file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  ASSERT_TRUE(file.valid());
  const detail::Group metrics(H5Gopen2(file.get(), "metrics", H5P_DEFAULT));
  // The run scale holds the rows' run ids; row i of every metric is run run_ids[i].
  EXPECT_EQ(detail::read_vector<std::uint64_t>(kRead, metrics.get(), "run", 3),
            (std::vector<std::uint64_t>{1, 4, 7}));
  const std::vector<std::int64_t> shares = read_all<std::int64_t>(metrics.get(), "shares", {3, 5});
  const std::vector<RunId> ids{1, 4, 7};
  for (std::size_t row = 0; row < 3; ++row) {
    for (Step s = 0; s < 5; ++s) {
      EXPECT_EQ(shares[row * 5 + static_cast<std::size_t>(s)], metric_value(ids[row], 1, s));
    }
  }
  // /items: run ids, in row order, then by item (run r has r + 1 items).
  const detail::Dataset items(H5Dopen2(file.get(), "items", H5P_DEFAULT));
  ASSERT_EQ(detail::dataset_dims(kRead, items.get(), "items"), (std::vector<hsize_t>{15}));
  struct ItemKey {
    std::uint64_t run;
    std::uint32_t item;
  };
  const detail::Datatype key_type(H5Tcreate(H5T_COMPOUND, sizeof(ItemKey)));
  H5Tinsert(key_type.get(), "run", offsetof(ItemKey, run), H5T_NATIVE_UINT64);
  H5Tinsert(key_type.get(), "item", offsetof(ItemKey, item), H5T_NATIVE_UINT32);
  std::vector<ItemKey> keys(15);
  ASSERT_GE(H5Dread(items.get(), key_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, keys.data()), 0);
  std::size_t i = 0;
  for (RunId run : ids) {
    for (ItemId item = 0; item <= run; ++item, ++i) {
      EXPECT_EQ(keys[i].run, run) << i;
      EXPECT_EQ(keys[i].item, 2 * item) << i;
    }
  }
}

TEST(ResultWriterShards, RunsThatAreNotTheFilesAreLogicErrors) {
  TempDir dir;
  const fs::path path = dir.path() / "shard.h5";
  ResultWriter w(path, shard_provenance(), tiny_metrics());
  for (RunId run : {0, 2, 5, 8, 9}) {
    EXPECT_EQ(
        logic_error_message([&] { w.write_run(tiny_run(run)); }),
        fmt::format("{}: run {} is not one of the file's 3 run ids (1 .. 7)", path.string(), run));
  }
  w.write_run(tiny_run(4));
  EXPECT_EQ(logic_error_message([&] { w.write_run(tiny_run(4)); }),
            path.string() + ": run 4 written twice");
  // finish() names the missing run ids, not rows.
  EXPECT_EQ(logic_error_message([&] { w.finish(); }),
            path.string() + ": finish() with 2 of 3 runs not written (runs 1, 7)");
  w.write_run(tiny_run(1));
  w.write_run(tiny_run(7));
  w.finish();
  EXPECT_TRUE(fs::exists(path));
}

TEST(ResultWriterShards, SweepColumnsAttributesAndTheSweepText) {
  TempDir dir;
  const fs::path path = dir.path() / "shard.h5";
  {
    ResultWriter w(path, shard_provenance(), tiny_metrics());
    for (RunId run : {4, 7, 1}) w.write_run(tiny_run(run));
    w.finish();
  }
  const detail::File file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  ASSERT_TRUE(file.valid());
  const hid_t root = file.get();
  EXPECT_EQ(string_attr(root, "sweep_fingerprint"), "0123456789abcdef");
  EXPECT_EQ(string_attr(root, "sweep_seeds"), "common");
  EXPECT_EQ(attr<std::uint64_t>(root, "sweep_replicates"), 3u);
  EXPECT_EQ(attr<std::uint64_t>(root, "sweep_points"), 3u);
  EXPECT_EQ(attr<std::uint64_t>(root, "sweep_runs"), 9u);
  EXPECT_EQ(attr<std::uint32_t>(root, "shard"), 1u);
  EXPECT_EQ(attr<std::uint32_t>(root, "num_shards"), 3u);
  for (const char* name : {"sweep_replicates", "sweep_points", "sweep_runs"}) {
    EXPECT_TRUE(attr_has_type(root, name, H5T_NATIVE_UINT64)) << name;
  }
  EXPECT_TRUE(attr_has_type(root, "shard", H5T_NATIVE_UINT32));
  EXPECT_TRUE(attr_has_type(root, "num_shards", H5T_NATIVE_UINT32));
  EXPECT_EQ(attr<std::uint64_t>(root, "num_runs"), 3u);
  EXPECT_EQ(H5Aexists(root, "merged_from"), 0);
  {
    const detail::Dataset ds(H5Dopen2(root, "sweep", H5P_DEFAULT));
    ASSERT_TRUE(ds.valid());
    const detail::Datatype type = detail::string_type(kRead);
    char* text = nullptr;
    ASSERT_GE(H5Dread(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &text), 0);
    EXPECT_EQ(std::string(text), tiny_sweep().text);
    const detail::Dataspace space(H5Dget_space(ds.get()));
    EXPECT_EQ(H5Sget_simple_extent_type(space.get()), H5S_SCALAR);
    detail::reclaim_vlen(type.get(), space.get(), &text);
  }

  // /params: the built-in columns, then one per axis, in axis order, of the axis' type.
  const detail::Dataset params(H5Dopen2(root, "params", H5P_DEFAULT));
  const detail::Datatype stored(H5Dget_type(params.get()));
  ASSERT_EQ(H5Tget_nmembers(stored.get()), 9);
  const std::vector<std::string> names{
      "run",       "point",   "replicate",           "seed",          "institution",
      "steps_run", "graph.n", "censorship.strength", "strategy.model"};
  for (unsigned m = 0; m < 9; ++m) {
    char* name = H5Tget_member_name(stored.get(), m);
    EXPECT_EQ(std::string(name), names[m]);
    H5free_memory(name);
  }
  {
    const detail::Datatype n(H5Tget_member_type(stored.get(), 6));
    const detail::Datatype strength(H5Tget_member_type(stored.get(), 7));
    const detail::Datatype model(H5Tget_member_type(stored.get(), 8));
    EXPECT_GT(H5Tequal(n.get(), H5T_NATIVE_INT64), 0);
    EXPECT_GT(H5Tequal(strength.get(), H5T_NATIVE_DOUBLE), 0);
    ASSERT_EQ(H5Tget_class(model.get()), H5T_STRING);
    EXPECT_EQ(H5Tis_variable_str(model.get()), 0);
    EXPECT_EQ(H5Tget_size(model.get()), 6u);  // "burst" and its terminator
    EXPECT_EQ(H5Tget_strpad(model.get()), H5T_STR_NULLTERM);
  }
  struct Row {
    std::uint64_t run, point, replicate;
    std::int64_t n;
    double strength;
    char model[6];
  };
  const detail::Datatype text(H5Tcopy(H5T_C_S1));
  H5Tset_size(text.get(), 6);
  const detail::Datatype type(H5Tcreate(H5T_COMPOUND, sizeof(Row)));
  H5Tinsert(type.get(), "run", offsetof(Row, run), H5T_NATIVE_UINT64);
  H5Tinsert(type.get(), "point", offsetof(Row, point), H5T_NATIVE_UINT64);
  H5Tinsert(type.get(), "replicate", offsetof(Row, replicate), H5T_NATIVE_UINT64);
  H5Tinsert(type.get(), "graph.n", offsetof(Row, n), H5T_NATIVE_INT64);
  H5Tinsert(type.get(), "censorship.strength", offsetof(Row, strength), H5T_NATIVE_DOUBLE);
  H5Tinsert(type.get(), "strategy.model", offsetof(Row, model), text.get());
  std::vector<Row> rows(3);
  ASSERT_GE(H5Dread(params.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data()), 0);
  const SweepInfo sweep = tiny_sweep();
  const auto& n = std::get<std::vector<std::int64_t>>(sweep.columns[0].by_point);
  const auto& strength = std::get<std::vector<double>>(sweep.columns[1].by_point);
  const auto& model = std::get<std::vector<std::string>>(sweep.columns[2].by_point);
  for (std::size_t row = 0; row < 3; ++row) {
    SCOPED_TRACE(row);
    EXPECT_EQ(rows[row].run, 3 * row + 1);
    EXPECT_EQ(rows[row].point, row);
    EXPECT_EQ(rows[row].replicate, 1u);
    EXPECT_EQ(rows[row].n, n[row]);
    EXPECT_EQ(rows[row].strength, strength[row]);
    EXPECT_EQ(std::string(rows[row].model), model[row]);
  }
}

TEST(ResultWriterShards, MergedFromIsWrittenOnlyWhenGiven) {
  TempDir dir;
  const fs::path path = dir.path() / "merged.h5";
  Provenance prov = tiny_provenance();
  prov.merged_from = {"a/shard0.h5", "b/shard1.h5"};
  {
    ResultWriter w(path, prov, tiny_metrics());
    for (RunId run : {0, 1, 2}) w.write_run(tiny_run(run));
    w.finish();
  }
  const detail::File file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  EXPECT_EQ(string_attr(file.get(), "merged_from"), "a/shard0.h5\nb/shard1.h5");
}

TEST(ResultWriterShards, InconsistentRunIdsAndSweepsAreRejected) {
  TempDir dir;
  const fs::path path = dir.path() / "bad.h5";
  const auto message = [&](const std::function<void(Provenance&)>& spoil) {
    Provenance prov = shard_provenance();
    spoil(prov);
    return invalid_argument_message([&] { ResultWriter(path, prov, tiny_metrics()); });
  };
  EXPECT_EQ(message([](Provenance& p) {
              p.run_ids = {1, 4};
            }),
            "ResultWriter: 2 run ids for num_runs = 3 rows");
  EXPECT_EQ(message([](Provenance& p) {
              p.run_ids = {1, 4, 4};
            }),
            "ResultWriter: run ids must increase strictly, but row 2 holds run 4 after run 4");
  EXPECT_EQ(message([](Provenance& p) {
              p.run_ids = {4, 1, 7};
            }),
            "ResultWriter: run ids must increase strictly, but row 1 holds run 1 after run 4");
  EXPECT_EQ(message([](Provenance& p) {
              p.run_ids = {1, 4, 9};
            }),
            "ResultWriter: run 9 is beyond the sweep's 9 runs");
  EXPECT_EQ(message([](Provenance& p) {
              p.run_ids.clear();
              p.num_runs = 10;
            }),
            "ResultWriter: run 9 is beyond the sweep's 9 runs");
  EXPECT_EQ(message([](Provenance& p) { p.sweep->total_runs = 8; }),
            "ResultWriter: the sweep's total_runs = 8 is not num_points (3) x replicates (3)");
  EXPECT_EQ(message([](Provenance& p) { p.sweep->replicates = 0; }),
            "ResultWriter: a sweep needs at least 1 point and 1 replicate, not 3 x 0");
  EXPECT_EQ(message([](Provenance& p) { p.sweep->shard = 3; }),
            "ResultWriter: shard 3 is not below num_shards = 3");
  EXPECT_EQ(message([](Provenance& p) {
              std::get<std::vector<double>>(p.sweep->columns[1].by_point).pop_back();
            }),
            "ResultWriter: sweep column 'censorship.strength' has 2 values, expected one per "
            "point (3)");
  EXPECT_EQ(message([](Provenance& p) { p.sweep->columns[2].name = "graph.n"; }),
            "ResultWriter: sweep column 'graph.n' listed twice");
  for (const char* builtin : {"run", "point", "replicate", "seed", "institution", "steps_run"}) {
    EXPECT_EQ(message([&](Provenance& p) { p.sweep->columns[0].name = builtin; }),
              fmt::format("ResultWriter: sweep column '{}' clashes with a built-in /params column",
                          builtin));
  }
  EXPECT_EQ(message([](Provenance& p) { p.sweep->columns[0].name.clear(); }),
            "ResultWriter: a sweep column has an empty name");
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(dir.path() / "bad.h5.partial"));
}

TEST(DescribeFile, ResultFileWithSeriesAndSnapshots) {
  TempDir dir;
  const fs::path path = dir.path() / "attitudes.h5";
  {
    ResultWriter w = tiny_attitude_writer(path);
    for (RunId run : {2, 0, 1}) w.write_run(attitude_run(run));
    w.finish();
  }
  const std::string info = describe_file(path);
  for (const char* expected : {
           "  float series       attitude_by_region (3 columns), attitude_mean\n"
           "  snapshots          5 of 4 users each (up to 3 per run)\n"
           "datasets:\n",
           "  /attitude/snapshot_steps             int64 [3, 3+] chunks [1, 256] "
           "shuffle+deflate(4)\n",
           "  /attitude/snapshots                  float32 [3, 3+, 4] chunks [1, 1, 4]\n",
           "  /metrics/attitude_by_region          float64 [run=3, step=5, "
           "attitude_by_region_columns=3] chunks [1, 5, 3] shuffle+deflate(1)\n",
           "  /metrics/attitude_by_region_columns  string [attitude_by_region_columns=3] "
           "(dimension scale)\n",
           "  /metrics/attitude_mean               float64 [run=3, step=5] chunks [1, 5] "
           "shuffle+deflate(1)\n",
       }) {
    EXPECT_TRUE(contains(info, expected)) << "expected:\n" << expected << "in:\n" << info;
  }
}

TEST(DescribeFile, ResultFile) {
  TempDir dir;
  const fs::path path = dir.path() / "tiny.h5";
  write_tiny_file(path, {1, 2, 0});
  const std::string info = describe_file(path);
  const std::string expected_head =
      path.string() + ": softpower result file\n" + "  softpower version  " + kVersion +
      fmt::format(" (format {})\n", kResultFormatVersion) +
      "  scenario           tiny\n"
      "  command line       softpower run scenarios/tiny.yaml --seed 42\n"
      "  seed               42\n"
      "  threads            4\n"
      "  runs               3\n"
      "  steps              5 x 0.5 h = 2.5 h\n"
      "  graph              5 vertices, 8 arcs, checksum deadbeefcafef00d\n"
      "  graph description  erdos_renyi n=5 mean_degree=1.6 seed=7\n"
      "  start time         2024-05-01T12:00:00Z\n";
  EXPECT_TRUE(info.starts_with(expected_head)) << info;
  EXPECT_TRUE(contains(info, "  end time           20")) << info;
  EXPECT_TRUE(contains(info, "  float series       none\n  snapshots          none\n")) << info;
  const std::string datasets =
      "datasets:\n"
      "  /items               {run:uint64, item:uint32, push:uint32, topic:uint32, appeal:float64, "
      "sensitivity:float64, valence:float64, publish_step:int64, blocked:uint8, "
      "takedown_step:int64, reads:uint64, "
      "shares:uint64, first_hop_shares:uint64, reach:uint64, depth:uint32} [6+] chunks [4096] "
      "shuffle+deflate(4)\n"
      "  /metrics/reads       int64 [run=3, step=5] chunks [1, 5] shuffle+deflate(4)\n"
      "  /metrics/run         uint64 [run=3] (dimension scale)\n"
      "  /metrics/shares      int64 [run=3, step=5] chunks [1, 5] shuffle+deflate(4)\n"
      "  /metrics/step        int64 [step=5] (dimension scale)\n"
      "  /metrics/time_hours  float64 [step=5]\n"
      "  /params              {run:uint64, point:uint64, replicate:uint64, seed:uint64, "
      "institution:uint32, steps_run:int64} [3]\n"
      "  /scenario            string scalar\n";
  EXPECT_TRUE(info.ends_with(datasets)) << info;
}

TEST(DescribeFile, SweepShardAndItsPartialFile) {
  TempDir dir;
  const fs::path path = dir.path() / "shard.h5";
  Provenance prov = shard_provenance();
  prov.merged_from = {"x.h5", "y.h5"};
  {
    ResultWriter w(path, prov, tiny_metrics());
    w.write_run(tiny_run(4));
  }
  {
    // Unwritten rows have no values yet: only point 1's show.
    const std::string partial = describe_file(dir.path() / "shard.h5.partial");
    EXPECT_TRUE(contains(partial,
                         "  runs               3\n"
                         "  sweep              0123456789abcdef: 3 points x 3 replicates = 9 "
                         "runs, seeds common\n"
                         "  shard              1/3: 3 runs, run ids 1 .. 7\n"
                         "  axes               graph.n: -200\n"
                         "                     censorship.strength: 0.5\n"
                         "                     strategy.model: \"\"\n"))
        << partial;
  }
  {
    ResultWriter w(path, prov, tiny_metrics());
    for (RunId run : {1, 7, 4}) w.write_run(tiny_run(run));
    w.finish();
  }
  const std::string info = describe_file(path);
  EXPECT_TRUE(contains(info,
                       "  runs               3\n"
                       "  sweep              0123456789abcdef: 3 points x 3 replicates = 9 runs, "
                       "seeds common\n"
                       "  shard              1/3: 3 runs, run ids 1 .. 7\n"
                       "  axes               graph.n: 100, -200, 1099511627776\n"
                       "                     censorship.strength: 0, 0.5, 0.3333333333333333\n"
                       "                     strategy.model: \"a\", \"\", \"burst\"\n"
                       "  merged from        x.h5, y.h5\n"
                       "  steps  "))
      << info;
  EXPECT_TRUE(contains(info,
                       "  /params              {run:uint64, point:uint64, replicate:uint64, "
                       "seed:uint64, institution:uint32, steps_run:int64, graph.n:int64, "
                       "censorship.strength:float64, strategy.model:string} [3]\n"
                       "  /scenario            string scalar\n"
                       "  /sweep               string scalar\n"))
      << info;
}

TEST(DescribeFile, SweepAxesShowTheirFirstDistinctValues) {
  TempDir dir;
  const fs::path path = dir.path() / "wide.h5";
  Provenance prov = tiny_provenance();
  prov.num_runs = 8;
  prov.sweep = SweepInfo{.fingerprint = "f",
                         .text = "",
                         .seeds = "independent",
                         .replicates = 1,
                         .num_points = 8,
                         .total_runs = 8,
                         .shard = 0,
                         .num_shards = 1,
                         .columns = {{"x", std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7, 7}}}};
  {
    ResultWriter w(path, prov, tiny_metrics());
    for (RunId run = 0; run < 8; ++run) w.write_run(tiny_run(run));
    w.finish();
  }
  const std::string info = describe_file(path);
  EXPECT_TRUE(contains(info,
                       "  shard              0/1: 8 runs, run ids 0 .. 7\n"
                       "  axes               x: 1, 2, 3, 4, 5, 6, ... (7 distinct)\n"))
      << info;
}

TEST(DescribeFile, GraphCache) {
  TempDir dir;
  const fs::path path = dir.path() / "g.h5";
  SocialGraph g = SocialGraph::from_arcs(3, {{0, 1}, {1, 2}}, {0.5f, 2.0f}, {"a", "b", "c"});
  g.set_description("edgelist path=g.txt");
  save_graph_cache(g, path);
  const std::string info = describe_file(path);
  const std::string expected = fmt::format(
      "{}: softpower graph cache\n"
      "  softpower version  {} (format {})\n"
      "  vertices           3\n"
      "  arcs               2\n"
      "  weighted           yes\n"
      "  labelled           yes\n"
      "  description        edgelist path=g.txt\n"
      "  checksum           {:016x}\n"
      "datasets:\n"
      "  /in_arc_ids     uint64 [2]\n"
      "  /in_offsets     uint64 [4]\n"
      "  /in_sources     uint32 [2]\n"
      "  /label_offsets  uint64 [4]\n"
      "  /label_text     uint8 [3]\n"
      "  /offsets        uint64 [4]\n"
      "  /targets        uint32 [2]\n"
      "  /weights        float32 [2]\n",
      path.string(), kVersion, kGraphCacheFormatVersion, g.checksum());
  EXPECT_EQ(info, expected);
}

TEST(DescribeFile, RejectsMissingNonHdf5AndForeignFiles) {
  TempDir dir;
  const auto message_of = [](const fs::path& p) -> std::string {
    try {
      describe_file(p);
    } catch (const InputError& e) {
      return e.what();
    }
    return "(no InputError)";
  };
  EXPECT_EQ(message_of(dir.path() / "nope.h5"),
            (dir.path() / "nope.h5").string() + ": no such file");
  std::ofstream(dir.path() / "text.h5") << "not hdf5\n";
  EXPECT_EQ(message_of(dir.path() / "text.h5"),
            (dir.path() / "text.h5").string() + ": not an HDF5 file");
  {
    const detail::File foreign(
        H5Fcreate((dir.path() / "foreign.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    ASSERT_TRUE(foreign.valid());
  }
  EXPECT_EQ(message_of(dir.path() / "foreign.h5"),
            (dir.path() / "foreign.h5").string() +
                ": an HDF5 file, but not a softpower file (no file_kind attribute)");
}

/// The file the h5py example in docs/output-format.md reads: the python test
/// (tests/output/h5py_example_test.py) runs the two tests below with SOFTPOWER_EXAMPLE_DIR set,
/// each in its own directory, then runs the example there.
void write_example_file(bool with_attitudes) {
  TempDir scratch;
  const char* env = std::getenv("SOFTPOWER_EXAMPLE_DIR");
  const fs::path dir = env != nullptr ? fs::path(env) : scratch.path();
  const fs::path path = dir / "results" / "baseline.h5";
  const std::vector<MetricSpec>& specs = Engine::metric_specs();
  Provenance prov = tiny_provenance();
  prov.scenario_name = "baseline";
  prov.num_runs = 3;
  prov.num_steps = 48;
  prov.step_hours = 1.0;
  std::vector<SeriesSpec> series;
  VertexId snapshot_users = 0;
  if (with_attitudes) {
    series = {{"attitude_mean", "attitude", "Mean attitude of every user.", {}},
              {"attitude_by_region",
               "attitude",
               "Mean attitude per region.",
               {"domestic", "international"}}};
    snapshot_users = 5;
  }
  ResultWriter w(path, prov, specs, series, snapshot_users);
  for (RunId run : {2, 0, 1}) {
    RunResult r;
    r.run = run;
    r.seed = 42;
    r.institution = 0;
    r.steps_run = prov.num_steps;
    for (std::size_t k = 0; k < specs.size(); ++k) {
      std::vector<std::int64_t> values(48);
      for (Step s = 0; s < 48; ++s) values[static_cast<std::size_t>(s)] = (s + 1) * (run + 1);
      r.metrics.push_back(std::move(values));
    }
    for (const SeriesSpec& spec : series) {
      std::vector<double> values(48 * spec.width());
      for (std::size_t i = 0; i < values.size(); ++i) values[i] = 0.01 * static_cast<double>(i);
      r.series.push_back(std::move(values));
    }
    if (snapshot_users > 0) {
      r.snapshot_steps = {24, 48};
      r.snapshots.assign(2 * snapshot_users, 0.25f);
    }
    for (ItemId i = 0; i < 2; ++i) {
      r.items.push_back({.item = i,
                         .publish_step = 24 * i,
                         .reads = 10u * (run + 1),
                         .shares = i + run,
                         .reach = 50,
                         .depth = i + 1});
    }
    w.write_run(r);
  }
  w.finish();
  EXPECT_TRUE(fs::exists(path));
}

TEST(ResultWriterDocExample, WritesTheExampleFile) { write_example_file(true); }

/// The file of the sweep recipes in docs/output-format.md: results/sweep.h5, 3 points (two
/// axes) x 4 replicates. Every metric of run (point p, replicate q) at step s is
/// (s + 1) * (10 * (3 - p) + q), so point p's mean of the last step is 48 * (31.5 - 10 p).
TEST(ResultWriterDocExample, WritesTheSweepExampleFile) {
  TempDir scratch;
  const char* env = std::getenv("SOFTPOWER_EXAMPLE_DIR");
  const fs::path dir = env != nullptr ? fs::path(env) : scratch.path();
  const fs::path path = dir / "results" / "sweep.h5";
  const std::vector<MetricSpec>& specs = Engine::metric_specs();
  constexpr RunId kPoints = 3;
  constexpr RunId kReplicates = 4;
  Provenance prov = tiny_provenance();
  prov.scenario_name = "censorship_sweep";
  prov.num_runs = kPoints * kReplicates;
  prov.num_steps = 48;
  prov.step_hours = 1.0;
  prov.sweep = SweepInfo{
      .fingerprint = "5eed5eed5eed5eed",
      .text =
          "replicates: 4\nzip: true\naxes:\n  - {key: censorship.strength, values: [0, 0.5, "
          "1]}\n  - {key: strategy.model, values: [broadcast, broadcast, targeted]}\n",
      .seeds = "independent",
      .replicates = kReplicates,
      .num_points = kPoints,
      .total_runs = kPoints * kReplicates,
      .shard = 0,
      .num_shards = 1,
      .columns = {
          {"censorship.strength", std::vector<double>{0.0, 0.5, 1.0}},
          {"strategy.model", std::vector<std::string>{"broadcast", "broadcast", "targeted"}}}};
  ResultWriter w(path, prov, specs);
  for (RunId run = prov.num_runs; run-- > 0;) {
    const auto point = static_cast<std::int64_t>(run / kReplicates);
    const auto replicate = static_cast<std::int64_t>(run % kReplicates);
    RunResult r;
    r.run = run;
    r.seed = 42 + run;
    r.institution = 0;
    r.steps_run = prov.num_steps;
    for (std::size_t k = 0; k < specs.size(); ++k) {
      std::vector<std::int64_t> values(48);
      for (Step s = 0; s < 48; ++s) {
        values[static_cast<std::size_t>(s)] = (s + 1) * (10 * (3 - point) + replicate);
      }
      r.metrics.push_back(std::move(values));
    }
    w.write_run(r);
  }
  w.finish();
  EXPECT_TRUE(fs::exists(path));
}

TEST(ResultWriterDocExample, WritesTheExampleFileWithoutAttitudes) { write_example_file(false); }

/// The file of the /events example in docs/output-format.md: results/events.h5, 3 runs on 6
/// vertices (users 0 .. 4 and the publishing institution, vertex 5), 2 items per run. In run r,
/// item 0 is read by users 0 .. 3 (user 1 shares it to Moments, where users 2 and 3 see it;
/// user 3 censors itself) and item 1 by r + 1 users of the push: 5, 6 and 7 reads. Users first
/// see an item at step v + 1 + r, the institution never; with attitudes, every user starts at 0
/// and ends at (u + 1) / 10.
void write_events_example_file(bool with_attitudes) {
  TempDir scratch;
  const char* env = std::getenv("SOFTPOWER_EXAMPLE_DIR");
  const fs::path dir = env != nullptr ? fs::path(env) : scratch.path();
  const fs::path path = dir / "results" / "events.h5";
  constexpr VertexId kInstitution = 5;
  Provenance prov = tiny_provenance();
  prov.scenario_name = "baseline";
  prov.num_vertices = 6;
  prov.num_runs = 3;
  prov.num_steps = 48;
  prov.step_hours = 1.0;
  const EventsLayout layout{.vertices = 6, .attitude_users = with_attitudes ? 5u : 0u};
  ResultWriter w(path, prov, tiny_metrics(), {}, 0, layout);
  for (RunId run : {1, 2, 0}) {
    RunResult r;
    r.run = run;
    r.seed = 42;
    r.institution = kInstitution;
    r.steps_run = prov.num_steps;
    r.metrics.assign(2, std::vector<std::int64_t>(48, 0));
    for (ItemId i = 0; i < 2; ++i) r.items.push_back({.item = i, .publish_step = 24 * i});
    UserEvents& e = r.events;
    for (VertexId v = 0; v < 6; ++v) {
      e.first_exposure.push_back(v == kInstitution ? -1 : static_cast<Step>(v + 1 + run));
    }
    const auto read = [&](ItemId item, VertexId user, Step step, VertexId parent, std::uint32_t hop,
                          Channel via, ReadOutcome outcome,
                          Channel share_channel = Channel::kPush) {
      e.reads.push_back({.item = item,
                         .user = user,
                         .step = step,
                         .parent = parent,
                         .hop = hop,
                         .via = via,
                         .outcome = outcome,
                         .share_channel = share_channel});
    };
    read(0, 0, 2, kInstitution, 1, Channel::kPush, ReadOutcome::kRead);
    read(0, 1, 3, kInstitution, 1, Channel::kPush, ReadOutcome::kShared, Channel::kMoments);
    read(0, 2, 5, 1, 2, Channel::kMoments, ReadOutcome::kRead);
    read(0, 3, 6, 1, 2, Channel::kMoments, ReadOutcome::kSelfCensored);
    for (VertexId u = 0; u <= run; ++u) {
      read(1, u, 25 + u, kInstitution, 1, Channel::kPush, ReadOutcome::kRead);
    }
    for (VertexId u = 0; u < layout.attitude_users; ++u) {
      e.attitude_initial.push_back(0.0f);
      e.attitude_final.push_back(static_cast<float>(u + 1) / 10.0f);
    }
    e.graph_checksum = prov.graph_checksum;
    w.write_run(r);
  }
  w.finish();
  EXPECT_TRUE(fs::exists(path));
}

TEST(ResultWriterDocExample, WritesTheEventsExampleFile) { write_events_example_file(true); }
TEST(ResultWriterDocExample, WritesTheEventsExampleFileWithoutAttitudes) {
  write_events_example_file(false);
}

TEST(ResultWriterDocExample, DocumentsEveryEngineMetric) {
  std::ifstream in(fs::path(SOFTPOWER_SOURCE_DIR) / "docs" / "output-format.md");
  ASSERT_TRUE(in) << "docs/output-format.md is missing";
  std::stringstream doc;
  doc << in.rdbuf();
  for (const MetricSpec& spec : Engine::metric_specs()) {
    EXPECT_TRUE(contains(doc.str(), "| `" + spec.name + "` |")) << spec.name;
  }
}

}  // namespace
}  // namespace softpower
