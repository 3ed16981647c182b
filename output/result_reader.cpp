#include "output/result_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "output/detail/result_layout.hpp"
#include "sim/detail/hdf5.hpp"
#include "sim/error.hpp"
#include "sim/memory_budget.hpp"

namespace softpower {
namespace detail {

std::string ParamsTable::swept_text(std::size_t i, std::size_t c) const {
  const std::size_t column = layout.swept_index[c];
  switch (layout.swept[c].kind) {
    case SweptKind::kInt64:
      return std::to_string(layout.layout.get<std::int64_t>(row(i), column));
    case SweptKind::kFloat64:
      return fmt::format("{}", layout.layout.get<double>(row(i), column));
    case SweptKind::kString:
      return layout.layout.get_string(row(i), column);
  }
  return {};
}

void check_fits_in_memory(const Checker& check, const std::string& what, std::uint64_t rows, std::size_t row_bytes) {
  const double bytes = static_cast<double>(rows) * static_cast<double>(row_bytes);
  if (const auto room = available_memory(); room && bytes > static_cast<double>(*room)) {
    check.fail(fmt::format("{} has {} rows ({:.1f} GiB), more than the {:.1f} GiB of memory available: a damaged "
                           "or forged file",
                           what, rows, bytes / (1 << 30), static_cast<double>(*room) / (1 << 30)));
  }
}

ParamsTable read_params(const Checker& check, hid_t file, std::optional<std::uint64_t> expected_rows) {
  const std::string what = "cannot read /params";
  const Dataset ds(check.id(H5Dopen2(file, "params", H5P_DEFAULT), what));
  const Datatype stored(check.id(H5Dget_type(ds.get()), what));
  if (H5Tget_class(stored.get()) != H5T_COMPOUND) check.fail("/params is not a table");
  const int members = H5Tget_nmembers(stored.get());
  if (members < 0) check.fail_hdf5(what);

  bool has_point = false;
  std::vector<SweptColumn> swept;
  for (unsigned m = 0; m < static_cast<unsigned>(members); ++m) {
    char* raw_name = H5Tget_member_name(stored.get(), m);
    if (raw_name == nullptr) check.fail_hdf5(what);
    const std::string name = raw_name;
    H5free_memory(raw_name);
    if (name == "point") has_point = true;
    if (std::find_if(std::begin(kParamsBuiltinColumns), std::end(kParamsBuiltinColumns),
                     [&](const char* b) { return name == b; }) != std::end(kParamsBuiltinColumns)) {
      continue;
    }
    const Datatype type(check.id(H5Tget_member_type(stored.get(), m), what));
    switch (H5Tget_class(type.get())) {
      case H5T_INTEGER:
        swept.push_back({.name = name, .kind = SweptKind::kInt64});
        break;
      case H5T_FLOAT:
        swept.push_back({.name = name, .kind = SweptKind::kFloat64});
        break;
      case H5T_STRING:
        if (check.yes(H5Tis_variable_str(type.get()), what)) {
          check.fail("/params column '" + name + "' is a variable-length string");
        }
        swept.push_back(
            {.name = name, .kind = SweptKind::kString, .string_size = H5Tget_size(type.get())});
        break;
      default:
        check.fail("/params column '" + name + "' is neither a number nor a string");
    }
  }

  ParamsTable table{.layout = ParamsLayout(std::move(swept)), .num_rows = 0, .cells = {}};
  const std::vector<hsize_t> dims = dataset_dims(check, ds.get(), "/params");
  if (dims.size() != 1) check.fail("/params is not one-dimensional");
  table.num_rows = dims[0];
  if (expected_rows && table.num_rows != *expected_rows) {
    check.fail(fmt::format("/params holds {} rows, but num_runs = {}", table.num_rows, *expected_rows));
  }
  check_fits_in_memory(check, "/params", table.num_rows, table.layout.layout.row_size());
  table.cells.assign(table.num_rows * table.layout.layout.row_size(), std::byte{0});
  if (table.num_rows == 0) return table;
  const Datatype memory = table.layout.layout.make_type(check);
  check.ok(H5Dread(ds.get(), memory.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, table.cells.data()),
           what);
  if (!has_point) {
    // A file from before the point and replicate columns: a plain run.
    const RowLayout& l = table.layout.layout;
    for (std::size_t i = 0; i < table.num_rows; ++i) {
      std::byte* row = table.cells.data() + i * l.row_size();
      l.set<std::uint64_t>(row, table.layout.point, 0);
      l.set<std::uint64_t>(row, table.layout.replicate, table.run(i));
    }
  }
  return table;
}

}  // namespace detail

namespace {

/// Reads a scalar string dataset.
std::string read_text(const detail::Checker& check, hid_t file, const char* name) {
  const std::string what = std::string("cannot read /") + name;
  const detail::Dataset ds(check.id(H5Dopen2(file, name, H5P_DEFAULT), what));
  const detail::Dataspace space(check.id(H5Dget_space(ds.get()), what));
  if (H5Sget_simple_extent_npoints(space.get()) != 1) check.fail(what + ": not a scalar");
  const detail::Datatype type = detail::string_type(check);
  char* text = nullptr;
  check.ok(H5Dread(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &text), what);
  std::string value = text != nullptr ? text : "";
  detail::reclaim_vlen(type.get(), space.get(), &text);
  return value;
}

/// A 1-D string dataset (column labels).
std::vector<std::string> read_strings(const detail::Checker& check, hid_t loc,
                                      const std::string& name) {
  const std::string what = "cannot read /metrics/" + name;
  const detail::Dataset ds(check.id(H5Dopen2(loc, name.c_str(), H5P_DEFAULT), what));
  const std::vector<hsize_t> dims = detail::dataset_dims(check, ds.get(), name);
  if (dims.size() != 1) check.fail(what + ": not a list of labels");
  std::vector<char*> raw(dims[0]);
  if (raw.empty()) return {};
  const detail::Datatype type = detail::string_type(check);
  check.ok(H5Dread(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()), what);
  std::vector<std::string> labels;
  for (const char* label : raw) labels.emplace_back(label != nullptr ? label : "");
  const detail::Dataspace space(check.id(H5Dget_space(ds.get()), what));
  detail::reclaim_vlen(type.get(), space.get(), raw.data());
  return labels;
}

/// The links of `group` in creation order (name order if the group does not track it).
std::vector<std::string> link_names(const detail::Checker& check, hid_t group) {
  std::vector<std::string> names;
  auto visit = [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
    static_cast<std::vector<std::string>*>(data)->emplace_back(name);
    return 0;
  };
  if (H5Literate(group, H5_INDEX_CRT_ORDER, H5_ITER_INC, nullptr, visit, &names) < 0) {
    H5Eclear2(H5E_DEFAULT);
    names.clear();
    check.ok(H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, nullptr, visit, &names),
             "cannot list /metrics");
  }
  return names;
}

std::string string_attribute_or_empty(const detail::Checker& check, hid_t obj, const char* name) {
  return detail::has_attribute(check, obj, name) ? detail::read_string_attribute(check, obj, name)
                                                 : std::string();
}

/// Reads the block of `ds` at `start` of shape `count` into `data`.
void read_block(const detail::Checker& check, hid_t ds, hid_t mem_type,
                const std::vector<hsize_t>& start, const std::vector<hsize_t>& count, void* data,
                const std::string& what) {
  const detail::Dataspace file_space(check.id(H5Dget_space(ds), what));
  check.ok(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr,
                               count.data(), nullptr),
           what);
  const detail::Dataspace mem_space(
      check.id(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), what));
  check.ok(H5Dread(ds, mem_type, mem_space.get(), file_space.get(), H5P_DEFAULT, data), what);
}

}  // namespace

struct ResultReader::Impl {
  explicit Impl(const std::filesystem::path& file);

  void read_provenance();
  void read_sweep();
  void open_metrics();
  void open_attitude();
  void open_events();
  void index_items();
  [[nodiscard]] RunResult read_run(std::size_t row, RunParts parts) const;
  void read_events(RunResult& r, std::size_t row) const;

  detail::Checker check_;
  detail::File file_;
  Provenance prov_;
  std::uint32_t format_version_ = 0;
  std::string softpower_version_;
  std::string end_time_;
  std::vector<MetricSpec> metrics_;
  std::vector<SeriesSpec> series_;
  VertexId snapshot_users_ = 0;
  detail::ParamsTable params_;
  detail::ItemsLayout items_layout_;
  detail::Datatype items_type_;
  std::vector<detail::Dataset> metric_ds_;
  std::vector<detail::Dataset> series_ds_;
  detail::Dataset items_;
  detail::Dataset snapshot_steps_;  // open only with snapshot_users_ > 0
  detail::Dataset snapshots_;
  std::vector<hsize_t> item_begin_;  // the items of row i are item_begin_[i] .. item_begin_[i+1]
  EventsLayout events_;              // the /events datasets are open only if enabled
  detail::ReadsLayout reads_layout_;
  detail::Datatype reads_type_;
  detail::Dataset reads_;
  detail::Dataset first_exposure_;
  detail::Dataset attitude_initial_;  // and only with attitude users
  detail::Dataset attitude_final_;
  std::vector<std::uint64_t> event_checksums_;  // by row
  std::vector<hsize_t> read_begin_;  // the reads of row i are read_begin_[i] .. read_begin_[i+1]
};

ResultReader::Impl::Impl(const std::filesystem::path& file)
    : check_(file, detail::Failure::kInput) {
  detail::silence_errors();
  file_ = detail::open_for_reading(check_);
  const hid_t root = file_.get();
  if (!detail::has_attribute(check_, root, "file_kind")) {
    check_.fail("not a softpower result file (no file_kind attribute)");
  }
  const std::string kind = detail::read_string_attribute(check_, root, "file_kind");
  if (kind != detail::kResultFileKind) {
    check_.fail(fmt::format("not a softpower result file (file_kind = \"{}\")", kind));
  }
  const auto version = detail::read_attribute<std::uint32_t>(check_, root, "format_version");
  if (version < 1 || version > kResultFormatVersion) {
    check_.fail(fmt::format("result format_version {} is not one this softpower reads (1 .. {})",
                            version, kResultFormatVersion));
  }
  format_version_ = version;
  if (file.extension() == ".partial") {
    check_.fail(
        "incomplete result file: a .partial file, whose writer did not finish (only a complete "
        "file is renamed to its final name)");
  }
  read_provenance();
  params_ = detail::read_params(check_, root, prov_.num_runs);
  if (params_.num_rows != prov_.num_runs) {
    check_.fail(
        fmt::format("/params holds {} rows, but num_runs = {}", params_.num_rows, prov_.num_runs));
  }
  RunId unwritten = 0;
  for (std::size_t i = 0; i < params_.num_rows; ++i) {
    unwritten += params_.run(i) == detail::kUnwrittenRun ? 1 : 0;
  }
  if (unwritten > 0) {
    check_.fail(fmt::format(
        "incomplete result file: {} of {} /params rows hold no run (their writer did not finish)",
        unwritten, params_.num_rows));
  }
  prov_.run_ids.resize(params_.num_rows);
  for (std::size_t i = 0; i < params_.num_rows; ++i) {
    prov_.run_ids[i] = params_.run(i);
    if (i > 0 && prov_.run_ids[i] <= prov_.run_ids[i - 1]) {
      check_.fail(fmt::format("/params row {} holds run {} after run {}: run ids must increase", i,
                              prov_.run_ids[i], prov_.run_ids[i - 1]));
    }
  }
  read_sweep();
  items_type_ = items_layout_.layout.make_type(check_);
  open_metrics();
  open_attitude();
  open_events();
  index_items();
}

void ResultReader::Impl::read_provenance() {
  using detail::read_attribute;
  using detail::read_string_attribute;
  const hid_t root = file_.get();
  prov_.scenario_name = read_string_attribute(check_, root, "scenario_name");
  prov_.command_line = read_string_attribute(check_, root, "command_line");
  prov_.graph_description = read_string_attribute(check_, root, "graph_description");
  prov_.seed = read_attribute<std::uint64_t>(check_, root, "seed");
  prov_.graph_checksum = read_attribute<std::uint64_t>(check_, root, "graph_checksum");
  prov_.threads = read_attribute<std::int32_t>(check_, root, "threads");
  prov_.num_vertices = read_attribute<VertexId>(check_, root, "num_vertices");
  prov_.num_arcs = read_attribute<ArcId>(check_, root, "num_arcs");
  prov_.step_hours = read_attribute<double>(check_, root, "step_hours");
  prov_.num_steps = read_attribute<Step>(check_, root, "num_steps");
  prov_.num_runs = read_attribute<RunId>(check_, root, "num_runs");
  prov_.start_time = read_string_attribute(check_, root, "start_time");
  prov_.scenario_text = read_text(check_, root, detail::kScenarioDataset);
  prov_.scenario_dir = string_attribute_or_empty(check_, root, "scenario_dir");
  softpower_version_ = string_attribute_or_empty(check_, root, "softpower_version");
  end_time_ = string_attribute_or_empty(check_, root, "end_time");
  const std::string merged = string_attribute_or_empty(check_, root, "merged_from");
  for (std::size_t begin = 0; !merged.empty() && begin <= merged.size();) {
    const std::size_t end = std::min(merged.find('\n', begin), merged.size());
    prov_.merged_from.push_back(merged.substr(begin, end - begin));
    begin = end + 1;
  }
  if (prov_.num_runs < 1 || prov_.num_steps < 1) {
    check_.fail(
        fmt::format("num_runs = {} and num_steps = {}: a result file has at least one of "
                    "each",
                    prov_.num_runs, prov_.num_steps));
  }
}

void ResultReader::Impl::read_sweep() {
  using detail::read_attribute;
  const hid_t root = file_.get();
  if (!detail::has_attribute(check_, root, "sweep_fingerprint")) {
    if (!params_.layout.swept.empty()) {
      check_.fail("/params has sweep columns, but the file has no sweep_fingerprint attribute");
    }
    return;
  }
  SweepInfo sweep;
  sweep.fingerprint = detail::read_string_attribute(check_, root, "sweep_fingerprint");
  sweep.seeds = detail::read_string_attribute(check_, root, "sweep_seeds");
  sweep.replicates = read_attribute<std::uint64_t>(check_, root, "sweep_replicates");
  sweep.num_points = read_attribute<std::uint64_t>(check_, root, "sweep_points");
  sweep.total_runs = read_attribute<std::uint64_t>(check_, root, "sweep_runs");
  sweep.shard = read_attribute<std::uint32_t>(check_, root, "shard");
  sweep.num_shards = read_attribute<std::uint32_t>(check_, root, "num_shards");
  sweep.text = read_text(check_, root, detail::kSweepDataset);
  if (sweep.replicates < 1 || sweep.num_points < 1 ||
      sweep.num_points > sweep.total_runs / sweep.replicates ||
      sweep.total_runs != sweep.num_points * sweep.replicates || sweep.num_shards < 1 ||
      sweep.shard >= sweep.num_shards || prov_.run_ids.back() >= sweep.total_runs) {
    check_.fail(fmt::format(
        "inconsistent sweep attributes: {} points x {} replicates = {} runs, shard {} of {}, "
        "last run id {}",
        sweep.num_points, sweep.replicates, sweep.total_runs, sweep.shard, sweep.num_shards,
        prov_.run_ids.back()));
  }
  // Each point's values, from the rows of that point; points without a row in this file keep
  // 0, NaN or "".
  const detail::ParamsLayout& layout = params_.layout;
  for (std::size_t c = 0; c < layout.swept.size(); ++c) {
    ParamColumn column{.name = layout.swept[c].name, .by_point = {}};
    const std::size_t index = layout.swept_index[c];
    const auto fill = [&](auto& values, auto get) {
      for (std::size_t i = 0; i < params_.num_rows; ++i) {
        values[params_.run(i) / sweep.replicates] = get(params_.row(i), index);
      }
    };
    switch (layout.swept[c].kind) {
      case detail::SweptKind::kInt64: {
        std::vector<std::int64_t> values(sweep.num_points, 0);
        fill(values, [&](const std::byte* row, std::size_t i) {
          return layout.layout.get<std::int64_t>(row, i);
        });
        column.by_point = std::move(values);
        break;
      }
      case detail::SweptKind::kFloat64: {
        std::vector<double> values(sweep.num_points, std::numeric_limits<double>::quiet_NaN());
        fill(values, [&](const std::byte* row, std::size_t i) {
          return layout.layout.get<double>(row, i);
        });
        column.by_point = std::move(values);
        break;
      }
      case detail::SweptKind::kString: {
        std::vector<std::string> values(sweep.num_points);
        fill(values,
             [&](const std::byte* row, std::size_t i) { return layout.layout.get_string(row, i); });
        column.by_point = std::move(values);
        break;
      }
    }
    sweep.columns.push_back(std::move(column));
  }
  prov_.sweep = std::move(sweep);
}

void ResultReader::Impl::open_metrics() {
  const detail::Group group(
      check_.id(H5Gopen2(file_.get(), "metrics", H5P_DEFAULT), "cannot open /metrics"));
  const auto runs = static_cast<hsize_t>(prov_.num_runs);
  const auto steps = static_cast<hsize_t>(prov_.num_steps);
  for (const std::string& name : link_names(check_, group.get())) {
    if (std::find_if(std::begin(detail::kMetricsScaleNames), std::end(detail::kMetricsScaleNames),
                     [&](const char* scale) { return name == scale; }) !=
        std::end(detail::kMetricsScaleNames)) {
      continue;
    }
    const std::string path = "/metrics/" + name;
    const std::string what = "cannot open " + path;
    {
      const detail::Object obj(check_.id(H5Oopen(group.get(), name.c_str(), H5P_DEFAULT), what));
      if (H5Iget_type(obj.get()) != H5I_DATASET) continue;
    }
    detail::Dataset ds(check_.id(H5Dopen2(group.get(), name.c_str(), H5P_DEFAULT), what));
    const detail::Datatype type(check_.id(H5Dget_type(ds.get()), what));
    const H5T_class_t cls = H5Tget_class(type.get());
    if (cls != H5T_INTEGER && cls != H5T_FLOAT) {
      if (name.ends_with(detail::kColumnsSuffix)) continue;  // column labels
      check_.fail(fmt::format("{} holds neither integers nor floating-point numbers", path));
    }
    const std::vector<hsize_t> dims = detail::dataset_dims(check_, ds.get(), path);
    const bool with_columns = cls == H5T_FLOAT && dims.size() == 3;
    if ((dims.size() != 2 && !with_columns) || dims[0] != runs || dims[1] != steps) {
      check_.fail(fmt::format("{} is not [num_runs = {}, num_steps = {}{}]", path, runs, steps,
                              cls == H5T_FLOAT ? "(, columns)" : ""));
    }
    const std::string unit = string_attribute_or_empty(check_, ds.get(), "unit");
    const std::string description = string_attribute_or_empty(check_, ds.get(), "description");
    if (cls == H5T_INTEGER) {
      metrics_.push_back({.name = name, .unit = unit, .description = description});
      metric_ds_.push_back(std::move(ds));
      continue;
    }
    SeriesSpec spec{.name = name, .unit = unit, .description = description, .columns = {}};
    if (with_columns) {
      spec.columns = read_strings(check_, group.get(), name + detail::kColumnsSuffix);
      if (spec.columns.size() != dims[2]) {
        check_.fail(fmt::format("{} has {} columns but {}{} {} labels", path, dims[2], name,
                                detail::kColumnsSuffix, spec.columns.size()));
      }
    }
    series_.push_back(std::move(spec));
    series_ds_.push_back(std::move(ds));
  }
}

void ResultReader::Impl::open_attitude() {
  const std::string what = std::string("cannot open /") + detail::kSnapshots;
  const hid_t root = file_.get();
  if (!check_.yes(H5Lexists(root, detail::kAttitudeGroup, H5P_DEFAULT), what) ||
      !check_.yes(H5Lexists(root, detail::kSnapshots, H5P_DEFAULT), what)) {
    return;
  }
  snapshot_steps_ =
      detail::Dataset(check_.id(H5Dopen2(root, detail::kSnapshotSteps, H5P_DEFAULT), what));
  snapshots_ = detail::Dataset(check_.id(H5Dopen2(root, detail::kSnapshots, H5P_DEFAULT), what));
  const std::vector<hsize_t> step_dims =
      detail::dataset_dims(check_, snapshot_steps_.get(), detail::kSnapshotSteps);
  const std::vector<hsize_t> dims =
      detail::dataset_dims(check_, snapshots_.get(), detail::kSnapshots);
  if (step_dims.size() != 2 || dims.size() != 3 || step_dims[0] != prov_.num_runs ||
      dims[0] != prov_.num_runs || dims[1] != step_dims[1]) {
    check_.fail(
        "/attitude/snapshot_steps is not [num_runs, snapshot] or /attitude/snapshots not "
        "[num_runs, snapshot, user]");
  }
  snapshot_users_ = static_cast<VertexId>(dims[2]);
}

void ResultReader::Impl::open_events() {
  const hid_t root = file_.get();
  if (!check_.yes(H5Lexists(root, detail::kEventsGroup, H5P_DEFAULT), "cannot open /events")) {
    return;
  }
  const auto runs = static_cast<hsize_t>(prov_.num_runs);
  const auto open_dataset = [&](const char* name) {
    return detail::Dataset(
        check_.id(H5Dopen2(root, name, H5P_DEFAULT), std::string("cannot open /") + name));
  };
  const auto dims_of = [&](const detail::Dataset& ds, const char* name) {
    return detail::dataset_dims(check_, ds.get(), std::string("/") + name);
  };

  if (prov_.num_vertices == 0) check_.fail("/events holds events of a graph without vertices");
  first_exposure_ = open_dataset(detail::kFirstExposure);
  const std::vector<hsize_t> exposure = dims_of(first_exposure_, detail::kFirstExposure);
  if (exposure.size() != 2 || exposure[0] != runs || exposure[1] != prov_.num_vertices) {
    check_.fail(fmt::format("/{} is not [num_runs = {}, num_vertices = {}]", detail::kFirstExposure,
                            runs, prov_.num_vertices));
  }
  events_.vertices = prov_.num_vertices;

  const bool has_initial =
      check_.yes(H5Lexists(root, detail::kAttitudeInitial, H5P_DEFAULT), "cannot open /events");
  const bool has_final =
      check_.yes(H5Lexists(root, detail::kAttitudeFinal, H5P_DEFAULT), "cannot open /events");
  if (has_initial != has_final) {
    check_.fail(fmt::format("/{} without /{}",
                            has_initial ? detail::kAttitudeInitial : detail::kAttitudeFinal,
                            has_initial ? detail::kAttitudeFinal : detail::kAttitudeInitial));
  }
  if (has_initial) {
    attitude_initial_ = open_dataset(detail::kAttitudeInitial);
    attitude_final_ = open_dataset(detail::kAttitudeFinal);
    const std::vector<hsize_t> a = dims_of(attitude_initial_, detail::kAttitudeInitial);
    const std::vector<hsize_t> b = dims_of(attitude_final_, detail::kAttitudeFinal);
    if (a.size() != 2 || a[0] != runs || a[1] == 0 || a[1] > events_.vertices || a != b) {
      check_.fail(fmt::format("/{} and /{} are not both [num_runs = {}, attitude users (1 .. {})]",
                              detail::kAttitudeInitial, detail::kAttitudeFinal, runs,
                              events_.vertices));
    }
    events_.attitude_users = static_cast<VertexId>(a[1]);
  }

  event_checksums_ =
      detail::read_vector<std::uint64_t>(check_, root, detail::kEventGraphChecksum, runs);
  const std::vector<std::uint64_t> counts =
      detail::read_vector<std::uint64_t>(check_, root, detail::kEventReadCount, runs);

  reads_ = open_dataset(detail::kEventReads);
  const std::vector<hsize_t> rows = dims_of(reads_, detail::kEventReads);
  const std::string what = std::string("cannot read /") + detail::kEventReads;
  const detail::Datatype stored(check_.id(H5Dget_type(reads_.get()), what));
  if (rows.size() != 1 || H5Tget_class(stored.get()) != H5T_COMPOUND) {
    check_.fail(fmt::format("/{} is not a one-dimensional table", detail::kEventReads));
  }
  reads_type_ = reads_layout_.layout.make_type(check_);
  const int columns = H5Tget_nmembers(reads_type_.get());
  for (int c = 0; c < columns; ++c) {
    char* name = H5Tget_member_name(reads_type_.get(), static_cast<unsigned>(c));
    const bool found = name != nullptr && H5Tget_member_index(stored.get(), name) >= 0;
    const std::string column = name != nullptr ? name : "?";
    H5free_memory(name);
    if (!found) {
      check_.fail(fmt::format("/{} has no column '{}'", detail::kEventReads, column));
    }
  }
  // Saturating, so that damaged counts cannot wrap around to the right total.
  constexpr hsize_t kMax = std::numeric_limits<hsize_t>::max();
  read_begin_.assign(runs + 1, 0);
  for (std::size_t row = 0; row < runs; ++row) {
    read_begin_[row + 1] =
        counts[row] > kMax - read_begin_[row] ? kMax : read_begin_[row] + counts[row];
  }
  if (read_begin_.back() != rows[0]) {
    check_.fail(fmt::format("/{} counts {} reads, but /{} has {} rows", detail::kEventReadCount,
                            read_begin_.back(), detail::kEventReads, rows[0]));
  }
}

void ResultReader::Impl::index_items() {
  const std::string what = "cannot read /items";
  items_ = detail::Dataset(check_.id(H5Dopen2(file_.get(), "items", H5P_DEFAULT), what));
  const std::vector<hsize_t> dims = detail::dataset_dims(check_, items_.get(), "/items");
  if (dims.size() != 1) check_.fail("/items is not one-dimensional");
  std::vector<RunId> runs(dims[0]);
  if (!runs.empty()) {
    const detail::Datatype run_only(check_.id(H5Tcreate(H5T_COMPOUND, sizeof(RunId)), what));
    check_.ok(H5Tinsert(run_only.get(), "run", 0, H5T_NATIVE_UINT64), what);
    check_.ok(H5Dread(items_.get(), run_only.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, runs.data()),
              what);
  }
  // Items are sorted by row: one pass assigns each its row and counts the rows' items.
  const std::vector<RunId>& ids = prov_.run_ids;
  item_begin_.assign(ids.size() + 1, 0);
  std::size_t row = 0;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    while (row < ids.size() && ids[row] < runs[i]) ++row;
    if (row == ids.size() || ids[row] != runs[i]) {
      check_.fail(fmt::format(
          "/items row {} belongs to run {}, which {}", i, runs[i],
          std::binary_search(ids.begin(), ids.end(), runs[i])
              ? "comes before the run of the previous item (items must be sorted by run)"
              : "has no /params row"));
    }
    ++item_begin_[row + 1];
  }
  for (std::size_t r = 0; r < ids.size(); ++r) item_begin_[r + 1] += item_begin_[r];
}

RunResult ResultReader::Impl::read_run(std::size_t row, RunParts parts) const {
  if (row >= params_.num_rows) {
    throw std::out_of_range(fmt::format("{}: row {} is out of range (the file holds {} rows)",
                                        check_.path().string(), row, params_.num_rows));
  }
  detail::silence_errors();
  const detail::ParamsLayout& p = params_.layout;
  const std::byte* cells = params_.row(row);
  RunResult r;
  r.run = p.layout.get<std::uint64_t>(cells, p.run);
  r.seed = p.layout.get<std::uint64_t>(cells, p.seed);
  r.institution = p.layout.get<std::uint32_t>(cells, p.institution);
  r.steps_run = p.layout.get<std::int64_t>(cells, p.steps_run);

  const auto steps = static_cast<hsize_t>(prov_.num_steps);
  for (std::size_t k = 0; k < metrics_.size(); ++k) {
    std::vector<std::int64_t> values(steps);
    read_block(check_, metric_ds_[k].get(), H5T_NATIVE_INT64, {row, 0}, {1, steps}, values.data(),
               fmt::format("cannot read run {} of /metrics/{}", r.run, metrics_[k].name));
    r.metrics.push_back(std::move(values));
  }
  for (std::size_t k = 0; k < series_.size(); ++k) {
    const SeriesSpec& spec = series_[k];
    std::vector<hsize_t> start{row, 0};
    std::vector<hsize_t> count{1, steps};
    if (!spec.columns.empty()) {
      start.push_back(0);
      count.push_back(spec.width());
    }
    std::vector<double> values(steps * spec.width());
    read_block(check_, series_ds_[k].get(), H5T_NATIVE_DOUBLE, start, count, values.data(),
               fmt::format("cannot read run {} of /metrics/{}", r.run, spec.name));
    r.series.push_back(std::move(values));
  }

  if (parts.snapshots && snapshot_users_ > 0) {
    const std::string what = fmt::format("cannot read the attitude snapshots of run {}", r.run);
    const hsize_t extent =
        detail::dataset_dims(check_, snapshot_steps_.get(), detail::kSnapshotSteps)[1];
    if (extent > 0) {
      std::vector<Step> taken(extent);
      read_block(check_, snapshot_steps_.get(), H5T_NATIVE_INT64, {row, 0}, {1, extent},
                 taken.data(), what);
      const auto count = static_cast<hsize_t>(
          std::find(taken.begin(), taken.end(), detail::kNoSnapshotStep) - taken.begin());
      taken.resize(count);
      r.snapshot_steps = std::move(taken);
      if (count > 0) {
        r.snapshots.resize(count * snapshot_users_);
        read_block(check_, snapshots_.get(), H5T_NATIVE_FLOAT, {row, 0, 0},
                   {1, count, snapshot_users_}, r.snapshots.data(), what);
      }
    }
  }

  const hsize_t begin = item_begin_[row];
  const hsize_t count = item_begin_[row + 1] - begin;
  if (count > 0) {
    const std::size_t row_size = items_layout_.layout.row_size();
    std::vector<std::byte> rows(count * row_size);
    read_block(check_, items_.get(), items_type_.get(), {begin}, {count}, rows.data(),
               fmt::format("cannot read the items of run {}", r.run));
    r.items.reserve(count);
    for (hsize_t i = 0; i < count; ++i)
      r.items.push_back(items_layout_.record(&rows[i * row_size]));
  }
  if (parts.events && events_.enabled()) read_events(r, row);
  return r;
}

void ResultReader::Impl::read_events(RunResult& r, std::size_t row) const {
  const std::string what = fmt::format("cannot read the events of run {}", r.run);
  UserEvents& e = r.events;
  e.first_exposure.resize(events_.vertices);
  read_block(check_, first_exposure_.get(), H5T_NATIVE_INT64, {row, 0}, {1, events_.vertices},
             e.first_exposure.data(), what);
  if (events_.attitude_users > 0) {
    const hsize_t users = events_.attitude_users;
    e.attitude_initial.resize(users);
    e.attitude_final.resize(users);
    read_block(check_, attitude_initial_.get(), H5T_NATIVE_FLOAT, {row, 0}, {1, users},
               e.attitude_initial.data(), what);
    read_block(check_, attitude_final_.get(), H5T_NATIVE_FLOAT, {row, 0}, {1, users},
               e.attitude_final.data(), what);
  }
  e.graph_checksum = event_checksums_[row];

  const hsize_t begin = read_begin_[row];
  const hsize_t count = read_begin_[row + 1] - begin;
  if (count == 0) return;
  const std::size_t row_size = reads_layout_.layout.row_size();
  std::vector<std::byte> cells(count * row_size);
  read_block(check_, reads_.get(), reads_type_.get(), {begin}, {count}, cells.data(), what);
  e.reads.reserve(count);
  for (hsize_t i = 0; i < count; ++i) {
    const std::byte* cell = &cells[i * row_size];
    const RunId run = reads_layout_.layout.get<std::uint64_t>(cell, reads_layout_.run);
    if (run != r.run) {
      check_.fail(
          fmt::format("/{} row {} belongs to run {}, but /{} places it among the reads of run {}",
                      detail::kEventReads, begin + i, run, detail::kEventReadCount, r.run));
    }
    const ReadEvent& read = e.reads.emplace_back(reads_layout_.event(cell));
    if (!detail::valid_codes(read)) {
      check_.fail(fmt::format(
          "/{} row {} has an undefined code: via {}, outcome {}, share_channel {}",
          detail::kEventReads, begin + i, static_cast<unsigned>(read.via),
          static_cast<unsigned>(read.outcome), static_cast<unsigned>(read.share_channel)));
    }
  }
}

ResultReader::ResultReader(const std::filesystem::path& file)
    : impl_(detail::rehearsed(detail::Checker(file, detail::Failure::kInput),
                              [&file] { return std::make_unique<Impl>(file); })) {}
ResultReader::~ResultReader() = default;

const Provenance& ResultReader::provenance() const { return impl_->prov_; }
std::uint32_t ResultReader::format_version() const { return impl_->format_version_; }
const std::string& ResultReader::softpower_version() const { return impl_->softpower_version_; }
const std::string& ResultReader::end_time() const { return impl_->end_time_; }
const std::vector<MetricSpec>& ResultReader::metrics() const { return impl_->metrics_; }
const std::vector<SeriesSpec>& ResultReader::series() const { return impl_->series_; }
VertexId ResultReader::snapshot_users() const { return impl_->snapshot_users_; }
EventsLayout ResultReader::events_layout() const { return impl_->events_; }
RunResult ResultReader::read_run(std::size_t row, RunParts parts) const {
  return impl_->read_run(row, parts);
}

}  // namespace softpower
