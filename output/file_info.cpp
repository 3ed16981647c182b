#include "output/file_info.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "output/detail/result_layout.hpp"
#include "output/result_writer.hpp"
#include "sim/detail/hdf5.hpp"
#include "sim/graph_cache.hpp"

namespace softpower {
namespace {

std::string type_name(hid_t type) {
  const std::size_t bits = 8 * H5Tget_size(type);
  switch (H5Tget_class(type)) {
    case H5T_INTEGER:
      return fmt::format("{}{}", H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int", bits);
    case H5T_FLOAT:
      return fmt::format("float{}", bits);
    case H5T_STRING:
      return "string";
    case H5T_COMPOUND: {
      std::vector<std::string> members;
      const int count = H5Tget_nmembers(type);
      for (int i = 0; i < count; ++i) {
        char* name = H5Tget_member_name(type, static_cast<unsigned>(i));
        const detail::Datatype member(H5Tget_member_type(type, static_cast<unsigned>(i)));
        members.push_back(fmt::format("{}:{}", name != nullptr ? name : "?",
                                      member.valid() ? type_name(member.get()) : "?"));
        H5free_memory(name);
      }
      return fmt::format("{{{}}}", fmt::join(members, ", "));
    }
    default:
      return "other";
  }
}

/// The names of the dimension scales attached to each dimension ("" where none is).
std::vector<std::string> dimension_names(hid_t ds, int rank) {
  std::vector<std::string> names(static_cast<std::size_t>(rank));
  if (rank == 1 && H5DSis_scale(ds) > 0) {
    // A scale is the coordinate of its own dimension.
    char name[256] = {};
    if (H5DSget_scale_name(ds, name, sizeof name) > 0) names[0] = name;
    H5Eclear2(H5E_DEFAULT);
    return names;
  }
  for (int d = 0; d < rank; ++d) {
    if (H5DSget_num_scales(ds, static_cast<unsigned>(d)) <= 0) continue;
    auto visit = [](hid_t, unsigned, hid_t scale, void* data) -> herr_t {
      char name[256] = {};
      if (H5DSget_scale_name(scale, name, sizeof name) > 0) {
        *static_cast<std::string*>(data) = name;
      }
      return 1;  // the first scale names the dimension
    };
    H5DSiterate_scales(ds, static_cast<unsigned>(d), nullptr, visit,
                       &names[static_cast<std::size_t>(d)]);
  }
  H5Eclear2(H5E_DEFAULT);
  return names;
}

std::string describe_dataset(hid_t ds) {
  const detail::Datatype type(H5Dget_type(ds));
  const detail::Dataspace space(H5Dget_space(ds));
  const detail::PropList dcpl(H5Dget_create_plist(ds));
  if (!type.valid() || !space.valid() || !dcpl.valid()) return "(unreadable)";
  std::string text = type_name(type.get());

  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank <= 0) return text + " scalar";
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  std::vector<hsize_t> max_dims(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(space.get(), dims.data(), max_dims.data());
  const std::vector<std::string> names = dimension_names(ds, rank);
  std::vector<std::string> extents;
  for (int d = 0; d < rank; ++d) {
    const auto i = static_cast<std::size_t>(d);
    std::string extent = names[i].empty() ? "" : names[i] + "=";
    extent += std::to_string(dims[i]);
    if (max_dims[i] == H5S_UNLIMITED) extent += "+";
    extents.push_back(std::move(extent));
  }
  text += fmt::format(" [{}]", fmt::join(extents, ", "));

  if (H5Pget_layout(dcpl.get()) == H5D_CHUNKED) {
    std::vector<hsize_t> chunk(static_cast<std::size_t>(rank));
    H5Pget_chunk(dcpl.get(), rank, chunk.data());
    text += fmt::format(" chunks [{}]", fmt::join(chunk, ", "));
    std::vector<std::string> filters;
    const int num_filters = H5Pget_nfilters(dcpl.get());
    for (int f = 0; f < num_filters; ++f) {
      unsigned flags = 0;
      std::size_t num_values = 1;
      unsigned values[1] = {0};
      char name[64] = {};
      const H5Z_filter_t id = H5Pget_filter2(dcpl.get(), static_cast<unsigned>(f), &flags,
                                             &num_values, values, sizeof name, name, nullptr);
      if (id == H5Z_FILTER_DEFLATE) {
        filters.push_back(fmt::format("deflate({})", values[0]));
      } else if (id == H5Z_FILTER_SHUFFLE) {
        filters.push_back("shuffle");
      } else {
        filters.push_back(name[0] != '\0' ? name : fmt::format("filter {}", id));
      }
    }
    if (!filters.empty()) text += fmt::format(" {}", fmt::join(filters, "+"));
  }
  if (H5DSis_scale(ds) > 0) text += " (dimension scale)";
  return text;
}

/// Every dataset in the file, by path, with its type, shape and storage.
std::string list_datasets(const detail::Checker& check, hid_t file) {
  struct Row {
    std::string path;
    std::string text;
  };
  std::vector<Row> rows;
  auto visit = [](hid_t root, const char* name, const H5L_info_t* info, void* data) -> herr_t {
    if (info->type != H5L_TYPE_HARD) return 0;
    const detail::Object obj(H5Oopen(root, name, H5P_DEFAULT));
    if (obj.valid() && H5Iget_type(obj.get()) == H5I_DATASET) {
      static_cast<std::vector<Row>*>(data)->push_back(
          {std::string("/") + name, describe_dataset(obj.get())});
    }
    return 0;
  };
  check.ok(H5Lvisit(file, H5_INDEX_NAME, H5_ITER_INC, visit, &rows), "cannot list the datasets");
  std::size_t width = 0;
  for (const Row& row : rows) width = std::max(width, row.path.size());
  std::string text = "datasets:\n";
  for (const Row& row : rows) text += fmt::format("  {:<{}}  {}\n", row.path, width, row.text);
  return text;
}

std::string string_or(const detail::Checker& check, hid_t obj, const char* name,
                      const char* fallback) {
  return detail::has_attribute(check, obj, name) ? detail::read_string_attribute(check, obj, name)
                                                 : fallback;
}

/// How many /params rows hold a written run (the others keep the fill value).
RunId count_written_runs(const detail::Checker& check, hid_t file, RunId num_runs) {
  const detail::Dataset params(
      check.id(H5Dopen2(file, "params", H5P_DEFAULT), "cannot open /params"));
  detail::Datatype run_only(
      check.id(H5Tcreate(H5T_COMPOUND, sizeof(RunId)), "cannot read /params"));
  check.ok(H5Tinsert(run_only.get(), "run", 0, H5T_NATIVE_UINT64), "cannot read /params");
  const std::vector<hsize_t> dims = detail::dataset_dims(check, params.get(), "/params");
  if (dims.size() != 1 || dims[0] != num_runs) check.fail("/params does not hold num_runs rows");
  detail::check_fits_in_memory(check, "/params", num_runs, sizeof(RunId));
  std::vector<RunId> runs(num_runs);
  check.ok(H5Dread(params.get(), run_only.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, runs.data()),
           "cannot read /params");
  RunId written = 0;
  for (RunId run : runs) written += run != detail::kUnwrittenRun ? 1 : 0;
  return written;
}

/// The float64 series in /metrics (rank 2 or 3; time_hours is 1-D), by name, with their
/// column counts: "none" in files without any.
std::string describe_series(const detail::Checker& check, hid_t file) {
  // No exceptions in the callback: they must not unwind through HDF5's C frames.
  auto on_link = [](hid_t group, const char* name, const H5L_info_t* info, void* data) -> herr_t {
    if (info->type != H5L_TYPE_HARD) return 0;
    const detail::Object obj(H5Oopen(group, name, H5P_DEFAULT));
    if (!obj.valid() || H5Iget_type(obj.get()) != H5I_DATASET) return 0;
    const detail::Datatype type(H5Dget_type(obj.get()));
    const detail::Dataspace space(H5Dget_space(obj.get()));
    if (!type.valid() || !space.valid() || H5Tget_class(type.get()) != H5T_FLOAT) return 0;
    hsize_t dims[3] = {};
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank < 2 || rank > 3 || H5Sget_simple_extent_dims(space.get(), dims, nullptr) < 0) return 0;
    auto& series = *static_cast<std::vector<std::string>*>(data);
    series.push_back(rank == 2 ? std::string(name) : fmt::format("{} ({} columns)", name, dims[2]));
    return 0;
  };
  const detail::Group metrics(
      check.id(H5Gopen2(file, "metrics", H5P_DEFAULT), "cannot open /metrics"));
  std::vector<std::string> series;
  check.ok(H5Literate(metrics.get(), H5_INDEX_NAME, H5_ITER_INC, nullptr, on_link, &series),
           "cannot list /metrics");
  return series.empty() ? "none" : fmt::format("{}", fmt::join(series, ", "));
}

/// How many attitude snapshots the file holds, of how many users: "none" without /attitude.
std::string describe_snapshots(const detail::Checker& check, hid_t file) {
  const std::string what = std::string("cannot read /") + detail::kSnapshotSteps;
  if (!check.yes(H5Lexists(file, detail::kAttitudeGroup, H5P_DEFAULT), what) ||
      !check.yes(H5Lexists(file, detail::kSnapshotSteps, H5P_DEFAULT), what) ||
      !check.yes(H5Lexists(file, detail::kSnapshots, H5P_DEFAULT), what)) {
    return "none";
  }
  const detail::Dataset steps(check.id(H5Dopen2(file, detail::kSnapshotSteps, H5P_DEFAULT), what));
  const detail::Dataset values(check.id(H5Dopen2(file, detail::kSnapshots, H5P_DEFAULT), what));
  const std::vector<hsize_t> step_dims = detail::dataset_dims(check, steps.get(), what);
  const std::vector<hsize_t> value_dims = detail::dataset_dims(check, values.get(), what);
  if (step_dims.size() != 2 || value_dims.size() != 3) {
    check.fail(
        "/attitude/snapshot_steps is not [run, snapshot] or /attitude/snapshots not "
        "[run, snapshot, user]");
  }
  std::vector<Step> cells(step_dims[0] * step_dims[1]);
  if (!cells.empty()) {
    check.ok(H5Dread(steps.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, cells.data()),
             what);
  }
  const auto taken = std::count_if(cells.begin(), cells.end(),
                                   [](Step s) { return s != detail::kNoSnapshotStep; });
  return fmt::format("{} of {} users each (up to {} per run)", taken, value_dims[2], step_dims[1]);
}

/// The events a result file holds: reads so far, vertices, attitudes; nothing without /events.
std::optional<std::string> describe_events(const detail::Checker& check, hid_t file) {
  const std::string what = "cannot read /events";
  if (!check.yes(H5Lexists(file, detail::kEventsGroup, H5P_DEFAULT), what)) return std::nullopt;
  const auto dims_of = [&](const char* name) -> std::vector<hsize_t> {
    if (!check.yes(H5Lexists(file, name, H5P_DEFAULT), what)) return {};
    const detail::Dataset ds(check.id(H5Dopen2(file, name, H5P_DEFAULT), what));
    return detail::dataset_dims(check, ds.get(), std::string("/") + name);
  };
  const std::vector<hsize_t> reads = dims_of(detail::kEventReads);
  const std::vector<hsize_t> exposure = dims_of(detail::kFirstExposure);
  const std::vector<hsize_t> attitude = dims_of(detail::kAttitudeInitial);
  if (reads.size() != 1 || exposure.size() != 2) {
    check.fail("/events/reads is not a table or /events/first_exposure not [run, vertex]");
  }
  return fmt::format("{} reads, first exposure of {} vertices, {}", reads[0], exposure[1],
                     attitude.size() == 2
                         ? fmt::format("initial and final attitudes of {} users", attitude[1])
                         : std::string("no attitudes"));
}

/// Up to kShownValues distinct values of each swept column, in order of first appearance.
constexpr std::size_t kShownValues = 6;

/// The sweep of a result file: its shape, this file's shard and run ids, and the values of each
/// axis among the runs the file holds.
void describe_sweep(const detail::Checker& check, hid_t file, RunId num_runs,
                    const std::function<void(const char*, const std::string&)>& line) {
  using detail::read_attribute;
  line("sweep", fmt::format("{}: {} points x {} replicates = {} runs, seeds {}",
                            detail::read_string_attribute(check, file, "sweep_fingerprint"),
                            read_attribute<std::uint64_t>(check, file, "sweep_points"),
                            read_attribute<std::uint64_t>(check, file, "sweep_replicates"),
                            read_attribute<std::uint64_t>(check, file, "sweep_runs"),
                            detail::read_string_attribute(check, file, "sweep_seeds")));
  // /metrics/run holds every row's run id from the start, even in a .partial file.
  const detail::Group metrics(
      check.id(H5Gopen2(file, "metrics", H5P_DEFAULT), "cannot open /metrics"));
  const std::vector<RunId> ids = detail::read_vector<RunId>(check, metrics.get(), "run", num_runs);
  line("shard", fmt::format("{}/{}: {} runs, run ids {} .. {}",
                            read_attribute<std::uint32_t>(check, file, "shard"),
                            read_attribute<std::uint32_t>(check, file, "num_shards"), ids.size(),
                            ids.front(), ids.back()));
  const detail::ParamsTable params = detail::read_params(check, file, num_runs);
  const std::size_t num_columns = params.layout.swept.size();
  if (num_columns == 0) {
    line("axes", "none (replicates only)");
    return;
  }
  for (std::size_t c = 0; c < num_columns; ++c) {
    std::vector<std::string> distinct;
    for (std::size_t i = 0; i < params.num_rows; ++i) {
      if (params.run(i) == detail::kUnwrittenRun) continue;
      std::string value = params.swept_text(i, c);
      if (params.layout.swept[c].kind == detail::SweptKind::kString) value = '"' + value + '"';
      if (std::find(distinct.begin(), distinct.end(), value) == distinct.end()) {
        distinct.push_back(std::move(value));
      }
    }
    std::string text = params.layout.swept[c].name + ": ";
    const std::size_t shown = std::min(distinct.size(), kShownValues);
    text += fmt::format(
        "{}",
        fmt::join(distinct.begin(), distinct.begin() + static_cast<std::ptrdiff_t>(shown), ", "));
    if (distinct.size() > shown) text += fmt::format(", ... ({} distinct)", distinct.size());
    line(c == 0 ? "axes" : "", text);
  }
}

std::string describe_result(const detail::Checker& check, hid_t file, bool partial) {
  using detail::read_attribute;
  using detail::read_string_attribute;
  const auto format = read_attribute<std::uint32_t>(check, file, "format_version");
  const auto runs = read_attribute<RunId>(check, file, "num_runs");
  const auto steps = read_attribute<Step>(check, file, "num_steps");
  const auto step_hours = read_attribute<double>(check, file, "step_hours");
  std::string text = fmt::format("{}: softpower result file", check.path().string());
  if (partial) {
    text += fmt::format(
        ", INCOMPLETE: {} of {} runs written (the writer was interrupted or "
        "failed; the final name is only given to complete files)",
        count_written_runs(check, file, runs), runs);
  } else if (format > kResultFormatVersion) {
    text += fmt::format(" (format {} is newer than this softpower reads: {})", format,
                        kResultFormatVersion);
  }
  text += "\n";
  const auto line = [&text](const char* key, const std::string& value) {
    text += fmt::format("  {:<18} {}\n", key, value);
  };
  line("softpower version",
       fmt::format("{} (format {})", read_string_attribute(check, file, "softpower_version"),
                   format));
  line("scenario", read_string_attribute(check, file, "scenario_name"));
  line("command line", read_string_attribute(check, file, "command_line"));
  line("seed", std::to_string(read_attribute<std::uint64_t>(check, file, "seed")));
  line("threads", std::to_string(read_attribute<std::int32_t>(check, file, "threads")));
  line("runs", std::to_string(runs));
  if (detail::has_attribute(check, file, "sweep_fingerprint"))
    describe_sweep(check, file, runs, line);
  if (detail::has_attribute(check, file, "merged_from")) {
    std::string sources = detail::read_string_attribute(check, file, "merged_from");
    for (std::size_t at = sources.find('\n'); at != std::string::npos;
         at = sources.find('\n', at)) {
      sources.replace(at, 1, ", ");
    }
    line("merged from", sources);
  }
  line("steps",
       fmt::format("{} x {} h = {} h", steps, step_hours, static_cast<double>(steps) * step_hours));
  line("graph", fmt::format("{} vertices, {} arcs, checksum {:016x}",
                            read_attribute<VertexId>(check, file, "num_vertices"),
                            read_attribute<ArcId>(check, file, "num_arcs"),
                            read_attribute<std::uint64_t>(check, file, "graph_checksum")));
  line("graph description", read_string_attribute(check, file, "graph_description"));
  line("start time", read_string_attribute(check, file, "start_time"));
  line("end time", string_or(check, file, "end_time", "(not finished)"));
  line("float series", describe_series(check, file));
  line("snapshots", describe_snapshots(check, file));
  if (const std::optional<std::string> events = describe_events(check, file)) {
    line("events", *events);
  }
  return text + list_datasets(check, file);
}

std::string describe_graph_cache(const detail::Checker& check, hid_t file) {
  const GraphCacheInfo info = read_graph_cache_info(check.path());
  std::string text = fmt::format("{}: softpower graph cache\n", check.path().string());
  const auto line = [&text](const char* key, const std::string& value) {
    text += fmt::format("  {:<18} {}\n", key, value);
  };
  line("softpower version",
       fmt::format("{} (format {})", info.softpower_version, info.format_version));
  line("vertices", std::to_string(info.num_vertices));
  line("arcs", std::to_string(info.num_arcs));
  line("weighted", info.weighted ? "yes" : "no");
  line("labelled", info.labelled ? "yes" : "no");
  line("description", info.description);
  line("checksum", fmt::format("{:016x}", info.checksum));
  return text + list_datasets(check, file);
}

std::string describe(const detail::Checker& check) {
  const std::filesystem::path& path = check.path();
  const detail::File file = detail::open_for_reading(check);
  if (!detail::has_attribute(check, file.get(), "file_kind")) {
    check.fail("an HDF5 file, but not a softpower file (no file_kind attribute)");
  }
  const std::string kind = detail::read_string_attribute(check, file.get(), "file_kind");
  const bool partial = path.extension() == ".partial";
  if (kind == detail::kResultFileKind) return describe_result(check, file.get(), partial);
  if (kind == kGraphCacheFileKind) {
    std::string text = describe_graph_cache(check, file.get());
    if (partial) text.insert(0, "INCOMPLETE (a .partial file: saving it did not finish)\n");
    return text;
  }
  check.fail(fmt::format("an HDF5 file, but not a softpower file (file_kind = \"{}\")", kind));
}

}  // namespace

std::string describe_file(const std::filesystem::path& path) {
  detail::silence_errors();
  const detail::Checker check(path, detail::Failure::kInput);
  return detail::rehearsed(check, [&check] { return describe(check); });
}

}  // namespace softpower
