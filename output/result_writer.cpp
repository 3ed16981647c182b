#include "output/result_writer.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <ctime>
#include <limits>
#include <map>
#include <optional>
#include <softpower/version.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "output/detail/result_checks.hpp"
#include "output/detail/result_layout.hpp"
#include "sim/detail/atomic_file.hpp"
#include "sim/detail/hdf5.hpp"
#include "sim/error.hpp"
#include "sim/output_path.hpp"

namespace softpower {
namespace {

// One chunk is one run's series (or 8192 steps of it, 64 KiB): write_run touches only its own
// chunks, so runs can arrive in any order and each chunk is compressed and written once.
constexpr hsize_t kMaxMetricChunkSteps = 8192;
constexpr hsize_t kItemChunkRows = 4096;  // 192 KiB of rows
// A snapshot chunk is one (run, snapshot) row of users, or 128 Ki users of it (512 KiB, within
// HDF5's default 1 MiB chunk cache): each is written whole, once.
constexpr hsize_t kMaxSnapshotChunkUsers = hsize_t{1} << 17;
constexpr hsize_t kSnapshotStepChunk = 256;
constexpr hsize_t kReadChunkRows = 16384;  // 560 KiB of rows
// A per-vertex events chunk is one run's row, or 128 Ki vertices of it (1 MiB of int64): written
// once, whole, in whatever order runs arrive.
constexpr hsize_t kMaxEventChunkVertices = hsize_t{1} << 17;
constexpr int kDeflateLevel = 4;
// Per-user attitudes (snapshots, and the events' first and last attitudes) are stored without
// filters: 32-bit floats with busy mantissas, which shuffle + deflate 4 shrank by 14% (41.6 ->
// 35.8 MB in a polito_baseline file) for most of the time spent writing the file (docs/
// output-format.md, "Compression").
constexpr int kAttitudeDeflateLevel = 0;
// The float64 series (attitude statistics per community and histogram bin, every step) are most
// of what a file compresses: level 1 takes 0.6 times level 4's writing time for a file 1.2%
// larger (a polito_baseline file: 46.4 against 45.9 MB).
constexpr int kSeriesDeflateLevel = 1;


/// Group creation properties that keep links and attributes in the order they were made.
detail::Group create_ordered_group(const detail::Checker& check, hid_t loc, const char* name) {
  const std::string what = std::string("cannot create /") + name;
  detail::PropList gcpl(check.id(H5Pcreate(H5P_GROUP_CREATE), what));
  constexpr unsigned kOrder = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;
  check.ok(H5Pset_link_creation_order(gcpl.get(), kOrder), what);
  check.ok(H5Pset_attr_creation_order(gcpl.get(), kOrder), what);
  return detail::Group(check.id(H5Gcreate2(loc, name, H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), what));
}

/// Writes `count` elements of `data` into the hyperslab of `ds` that starts at `start`.
void write_block(const detail::Checker& check, hid_t ds, hid_t mem_type,
                 const std::vector<hsize_t>& start, const std::vector<hsize_t>& count,
                 const void* data, const std::string& what) {
  detail::Dataspace file_space(check.id(H5Dget_space(ds), what));
  check.ok(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr,
                               count.data(), nullptr),
           what);
  detail::Dataspace mem_space(
      check.id(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), what));
  check.ok(H5Dwrite(ds, mem_type, mem_space.get(), file_space.get(), H5P_DEFAULT, data), what);
}

/// Appends `count` rows of `data` to the extendible 1-D dataset `ds`, which holds `rows` so far.
void append_rows(const detail::Checker& check, hid_t ds, hid_t mem_type, hsize_t& rows,
                 hsize_t count, const void* data, const std::string& what) {
  if (count == 0) return;
  const hsize_t new_rows = rows + count;
  check.ok(H5Dset_extent(ds, &new_rows), what);
  write_block(check, ds, mem_type, {rows}, {count}, data, what);
  rows = new_rows;
}

/// "0 push, 1 moments, ...": the text attribute naming the codes of a uint8 column.
template <std::size_t N>
std::string code_names(const std::array<const char*, N>& names) {
  std::vector<std::string> codes;
  for (std::size_t i = 0; i < N; ++i) codes.push_back(fmt::format("{} {}", i, names[i]));
  return fmt::format("{}", fmt::join(codes, ", "));
}

}  // namespace

std::string iso8601_utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  const std::size_t size = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return std::string(text, size);
}

struct ResultWriter::Impl {
  Impl(std::filesystem::path final_path, detail::ResultShape shape);
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() {
    detail::silence_errors();
    // An abandoned file (an error elsewhere, an interruption) keeps its .partial, unless the
    // disk is full: then the close could not finish (see fail()).
    if (!finished_ && !failed_ && file_.valid() && H5Fflush(file_.get(), H5F_SCOPE_LOCAL) < 0) {
      const int error = errno;
      try {
        static_cast<void>(fail(RuntimeFailure(detail::error_stack_message()), error));
      } catch (...) {  // a destructor must not throw; the close below still runs
      }
    }
    close_all();
  }

  void create_file();
  void write_provenance();
  /// A scalar variable-length string dataset /NAME.
  void write_text(const char* name, const std::string& value);
  void create_metrics();
  void create_series(hid_t metrics, hid_t run_scale, hid_t step_scale);
  void create_attitude();
  void create_events();
  void write_run(const RunResult& r, std::size_t row);
  void write_snapshots(const RunResult& r, std::size_t row);
  void write_events(const RunResult& r, std::size_t row);
  /// Appends the items and reads of `row`, which must be next_row_, and moves on.
  void append_row(std::size_t row, const std::vector<ItemRecord>& items,
                  const std::vector<ReadEvent>& reads);
  void finish();
  [[nodiscard]] const Provenance& prov() const { return shape_.prov; }
  [[nodiscard]] const SweepInfo* sweep() const {
    return shape_.prov.sweep ? &*shape_.prov.sweep : nullptr;
  }
  /// The row holding run `run`, or nullopt if the file has no row for it.
  [[nodiscard]] std::optional<std::size_t> row_of(RunId run) const {
    const auto it = std::lower_bound(run_ids_.begin(), run_ids_.end(), run);
    if (it == run_ids_.end() || *it != run) return std::nullopt;
    return static_cast<std::size_t>(it - run_ids_.begin());
  }
  /// Runs one writing step: any failure is remembered (later calls repeat its cause), and a
  /// runtime failure goes through fail() so that a full disk is named as such.
  template <class WritingStep>
  void guarded(WritingStep&& step) {
    detail::silence_errors();
    try {
      step();
    } catch (const RuntimeFailure& e) {
      const int error = errno;
      throw RuntimeFailure(fail(e, error));
    } catch (const std::exception& e) {
      failed_ = true;
      failure_ = e.what();
      throw;
    } catch (...) {
      failed_ = true;
      failure_ = "unknown error";
      throw;
    }
  }

  /// After a write failed with `failure`: records it (later calls repeat it, so whichever
  /// thread's exception reaches the user tells the cause) and returns the message to throw. On
  /// a full disk the .partial is detached and deleted: nothing resumes from it (a sweep resumes
  /// from its checkpoint folder) and the space goes back to the disk at once. Any other failure
  /// keeps the .partial with the runs written before.
  std::string fail(const RuntimeFailure& failure, int error) {
    failed_ = true;
    const std::string note = full_disk_note(final_path_, partial_path_, error, failure.what());
    if (note.empty()) {
      failure_ = failure.what();
      return failure_;
    }
    detach_from_disk();
    static_cast<void>(close_all());  // fails in HDF5 1.10 after a failed flush; see detail::silence_errors
    std::error_code ec;
    std::filesystem::remove(partial_path_, ec);
    failure_ = fmt::format("{}; {} was removed to free the space ({} run(s) had been written); {}", note,
                           partial_path_.string(), runs_written(), failure.what());
    return failure_;
  }

  /// Points HDF5's descriptor of the open file at an anonymous in-memory file, so that the
  /// .partial's blocks are freed as soon as it is deleted, even while HDF5 still holds the file
  /// (HDF5 1.10 cannot close a file after a failed flush), and any later write of HDF5's lands in
  /// memory instead of failing again on the full disk.
  void detach_from_disk() {
    void* handle = nullptr;
    if (!file_.valid() || H5Fget_vfd_handle(file_.get(), H5P_DEFAULT, &handle) < 0 || handle == nullptr) return;
    const int memory = ::memfd_create("softpower-discarded-partial", MFD_CLOEXEC);
    if (memory < 0) return;
    static_cast<void>(::dup3(memory, *static_cast<int*>(handle), O_CLOEXEC));
    ::close(memory);
  }

  /// Releases every object, then the file; returns the file's close status.
  herr_t close_all() {
    event_checksum_.reset();
    attitude_final_.reset();
    attitude_initial_.reset();
    first_exposure_.reset();
    read_count_.reset();
    reads_.reset();
    items_.reset();
    snapshots_.reset();
    snapshot_steps_.reset();
    series_ds_.clear();
    metric_ds_.clear();
    params_.reset();
    return file_.close();
  }

  std::filesystem::path final_path_;
  std::filesystem::path partial_path_;
  detail::ResultShape shape_;
  std::vector<RunId> run_ids_;  // of each row, strictly increasing
  detail::Checker check_;
  detail::ParamsLayout params_layout_;
  detail::ItemsLayout items_layout_;
  detail::ReadsLayout reads_layout_;
  detail::Datatype params_type_;
  detail::Datatype items_type_;
  detail::Datatype reads_type_;
  // The file outlives the datasets in it (members are destroyed in reverse order).
  detail::File file_;
  detail::Dataset params_;
  std::vector<detail::Dataset> metric_ds_;
  std::vector<detail::Dataset> series_ds_;
  detail::Dataset items_;
  detail::Dataset snapshot_steps_;  // open only with snapshot_users > 0
  detail::Dataset snapshots_;
  detail::Dataset reads_;  // the /events datasets are open only with events enabled
  detail::Dataset read_count_;
  detail::Dataset first_exposure_;
  detail::Dataset attitude_initial_;  // and only with attitude users
  detail::Dataset attitude_final_;
  detail::Dataset event_checksum_;

  /// What a run that arrived before an earlier row still waits to append.
  struct Pending {
    std::vector<ItemRecord> items;
    std::vector<ReadEvent> reads;
  };
  std::vector<bool> written_;  // by row
  [[nodiscard]] std::size_t runs_written() const {
    return static_cast<std::size_t>(std::count(written_.begin(), written_.end(), true));
  }
  std::size_t next_row_ = 0;   // items and reads of every row above this one are in the file
  std::map<std::size_t, Pending> pending_;  // by row
  hsize_t item_rows_ = 0;
  hsize_t read_rows_ = 0;
  hsize_t snapshot_extent_ = 0;  // the most snapshots of any run written so far
  bool failed_ = false;
  std::string failure_;  // the message of the failure that set failed_
  bool finished_ = false;
};

ResultWriter::Impl::Impl(std::filesystem::path final_path, detail::ResultShape shape)
    : final_path_(std::move(final_path)),
      partial_path_(detail::partial_path_for(final_path_)),
      shape_(std::move(shape)),
      run_ids_(shape_.prov.run_ids),
      check_(partial_path_, detail::Failure::kRuntime),
      params_layout_(shape_.prov.sweep ? detail::swept_columns(shape_.prov.sweep->columns)
                                       : std::vector<detail::SweptColumn>{}),
      written_(shape_.prov.num_runs, false) {
  if (run_ids_.empty()) {
    run_ids_.resize(shape_.prov.num_runs);
    for (RunId row = 0; row < shape_.prov.num_runs; ++row) run_ids_[row] = row;
  }
  detail::silence_errors();
  detail::create_parent_directories(final_path_);
  params_type_ = params_layout_.layout.make_type(check_);
  items_type_ = items_layout_.layout.make_type(check_);
  reads_type_ = reads_layout_.layout.make_type(check_);
  try {
    create_file();
    write_provenance();
    create_metrics();
    if (shape_.snapshot_users > 0) create_attitude();
    if (shape_.events.enabled()) create_events();
    check_.ok(H5Fflush(file_.get(), H5F_SCOPE_LOCAL), "cannot flush the file");
  } catch (const RuntimeFailure& e) {
    const int error = errno;
    throw RuntimeFailure(fail(e, error));
  }
}

void ResultWriter::Impl::create_file() {
  detail::PropList fcpl(check_.id(H5Pcreate(H5P_FILE_CREATE), "cannot create file properties"));
  constexpr unsigned kOrder = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;
  check_.ok(H5Pset_link_creation_order(fcpl.get(), kOrder), "cannot track link order");
  check_.ok(H5Pset_attr_creation_order(fcpl.get(), kOrder), "cannot track attribute order");
  detail::PropList fapl = detail::file_access_plist(check_);
  // Closing the file fails while anything in it is open, instead of silently deferring the
  // flush to the last close.
  check_.ok(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_SEMI), "cannot set the close degree");
  file_ = detail::File(
      check_.id(H5Fcreate(partial_path_.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()),
                "cannot create file"));
}

void ResultWriter::Impl::write_provenance() {
  const hid_t root = file_.get();
  detail::write_attribute(check_, root, "file_kind", detail::kResultFileKind);
  detail::write_attribute(check_, root, "format_version", kResultFormatVersion);
  detail::write_attribute(check_, root, "softpower_version", kVersion);
  detail::write_attribute(check_, root, "scenario_name", prov().scenario_name);
  detail::write_attribute(check_, root, "command_line", prov().command_line);
  detail::write_attribute(check_, root, "seed", prov().seed);
  detail::write_attribute(check_, root, "threads", static_cast<std::int32_t>(prov().threads));
  detail::write_attribute(check_, root, "graph_description", prov().graph_description);
  detail::write_attribute(check_, root, "graph_checksum", prov().graph_checksum);
  detail::write_attribute(check_, root, "num_vertices", prov().num_vertices);
  detail::write_attribute(check_, root, "num_arcs", prov().num_arcs);
  detail::write_attribute(check_, root, "num_runs", prov().num_runs);
  detail::write_attribute(check_, root, "num_steps", prov().num_steps);
  detail::write_attribute(check_, root, "step_hours", prov().step_hours);
  detail::write_attribute(check_, root, "start_time", prov().start_time);
  if (const SweepInfo* s = sweep()) {
    detail::write_attribute(check_, root, "sweep_fingerprint", s->fingerprint);
    detail::write_attribute(check_, root, "sweep_seeds", s->seeds);
    detail::write_attribute(check_, root, "sweep_replicates", s->replicates);
    detail::write_attribute(check_, root, "sweep_points", s->num_points);
    detail::write_attribute(check_, root, "sweep_runs", s->total_runs);
    detail::write_attribute(check_, root, "shard", s->shard);
    detail::write_attribute(check_, root, "num_shards", s->num_shards);
  }
  if (!prov().scenario_dir.empty()) detail::write_attribute(check_, root, "scenario_dir", prov().scenario_dir);
  if (!prov().merged_from.empty()) {
    detail::write_attribute(check_, root, "merged_from",
                            fmt::format("{}", fmt::join(prov().merged_from, "\n")));
  }

  // The scenario can exceed what an attribute may hold, so it is a scalar string dataset; so
  // can the sweep block.
  write_text(detail::kScenarioDataset, prov().scenario_text);
  if (const SweepInfo* s = sweep()) write_text(detail::kSweepDataset, s->text);

  // Rows of runs not written yet keep the fill value, whose run column is kUnwrittenRun.
  const std::vector<std::byte> fill = params_layout_.unwritten_row();
  params_ = detail::create_dataset(check_, root, "params", params_type_.get(), {prov().num_runs},
                                   {}, {}, fill.data());
  detail::write_attribute(check_, params_.get(), "description",
                          "one row per run, by increasing run id; run == 2^64-1 marks a run not "
                          "written yet");

  const hsize_t zero = 0;
  const hsize_t unlimited = H5S_UNLIMITED;
  items_ = detail::create_dataset(check_, root, "items", items_type_.get(), {zero}, {unlimited},
                                  {{kItemChunkRows}, kDeflateLevel, true});
  detail::write_attribute(check_, items_.get(), "description",
                          "one row per item of every run, sorted by (run, item)");
}

void ResultWriter::Impl::write_text(const char* name, const std::string& value) {
  const std::string what = std::string("cannot write /") + name;
  const detail::Datatype text_type = detail::string_type(check_);
  detail::Dataspace scalar(check_.id(H5Screate(H5S_SCALAR), what));
  detail::Dataset ds(check_.id(H5Dcreate2(file_.get(), name, text_type.get(), scalar.get(),
                                          H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                               what));
  const char* text = value.c_str();
  check_.ok(H5Dwrite(ds.get(), text_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &text), what);
}

void ResultWriter::Impl::create_metrics() {
  const detail::Group group = create_ordered_group(check_, file_.get(), "metrics");
  const hid_t g = group.get();

  const auto runs = static_cast<hsize_t>(prov().num_runs);
  const auto steps = static_cast<hsize_t>(prov().num_steps);
  std::vector<std::int64_t> step_ids(steps);
  std::vector<double> hours(steps);
  for (hsize_t s = 0; s < steps; ++s) {
    step_ids[s] = static_cast<std::int64_t>(s);
    hours[s] = static_cast<double>(s) * prov().step_hours;
  }

  const detail::Dataset run_scale = detail::write_vector(check_, g, "run", run_ids_, {});
  check_.ok(H5DSset_scale(run_scale.get(), "run"), "cannot make /metrics/run a dimension scale");
  detail::write_attribute(check_, run_scale.get(), "description",
                          "run id of each row (the run column of /params)");
  const detail::Dataset step_scale = detail::write_vector(check_, g, "step", step_ids, {});
  check_.ok(H5DSset_scale(step_scale.get(), "step"), "cannot make /metrics/step a dimension scale");
  detail::write_attribute(check_, step_scale.get(), "description", "simulation step");
  const detail::Dataset time = detail::write_vector(check_, g, "time_hours", hours, {});
  check_.ok(H5DSattach_scale(time.get(), step_scale.get(), 0), "cannot attach /metrics/step");
  detail::write_attribute(check_, time.get(), "unit", "hours");
  detail::write_attribute(check_, time.get(), "description",
                          "simulated time at the start of each step: step * step_hours");

  const detail::Storage storage{{1, std::min(steps, kMaxMetricChunkSteps)}, kDeflateLevel, true};
  for (const MetricSpec& spec : shape_.metrics) {
    detail::Dataset ds = detail::create_dataset(check_, g, spec.name.c_str(), H5T_NATIVE_INT64,
                                                {runs, steps}, {}, storage);
    detail::write_attribute(check_, ds.get(), "unit", spec.unit);
    detail::write_attribute(check_, ds.get(), "description", spec.description);
    detail::write_attribute(check_, ds.get(), "coordinates", "time_hours");
    const std::string attach = "cannot attach dimension scales to /metrics/" + spec.name;
    check_.ok(H5DSattach_scale(ds.get(), run_scale.get(), 0), attach);
    check_.ok(H5DSattach_scale(ds.get(), step_scale.get(), 1), attach);
    metric_ds_.push_back(std::move(ds));
  }
  create_series(g, run_scale.get(), step_scale.get());
}

void ResultWriter::Impl::create_series(hid_t metrics, hid_t run_scale, hid_t step_scale) {
  const auto runs = static_cast<hsize_t>(prov().num_runs);
  const auto steps = static_cast<hsize_t>(prov().num_steps);
  // NaN, not zero, in the runs a .partial file does not hold yet: zero is a plausible statistic.
  const double fill = std::numeric_limits<double>::quiet_NaN();
  const detail::Datatype text_type = detail::string_type(check_);
  for (const SeriesSpec& spec : shape_.series) {
    const std::string path = "/metrics/" + spec.name;
    std::vector<hsize_t> dims{runs, steps};
    detail::Storage storage{{1, std::min(steps, kMaxMetricChunkSteps)}, kSeriesDeflateLevel, true};
    if (!spec.columns.empty()) {
      const hsize_t width = spec.width();
      dims.push_back(width);
      const hsize_t chunk_steps = std::clamp<hsize_t>(kMaxMetricChunkSteps / width, 1, steps);
      storage.chunk = {1, chunk_steps, width};
    }
    detail::Dataset ds = detail::create_dataset(check_, metrics, spec.name.c_str(),
                                                H5T_NATIVE_DOUBLE, dims, {}, storage, &fill);
    detail::write_attribute(check_, ds.get(), "unit", spec.unit);
    detail::write_attribute(check_, ds.get(), "description", spec.description);
    detail::write_attribute(check_, ds.get(), "coordinates", "time_hours");
    const std::string attach = "cannot attach dimension scales to " + path;
    check_.ok(H5DSattach_scale(ds.get(), run_scale, 0), attach);
    check_.ok(H5DSattach_scale(ds.get(), step_scale, 1), attach);
    if (!spec.columns.empty()) {
      const std::string name = spec.name + detail::kColumnsSuffix;
      const std::string what = "cannot write /metrics/" + name;
      std::vector<const char*> labels;
      for (const std::string& label : spec.columns) labels.push_back(label.c_str());
      const detail::Dataset columns = detail::create_dataset(
          check_, metrics, name.c_str(), text_type.get(), {labels.size()}, {}, {});
      check_.ok(
          H5Dwrite(columns.get(), text_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, labels.data()),
          what);
      check_.ok(H5DSset_scale(columns.get(), name.c_str()), what);
      detail::write_attribute(check_, columns.get(), "description",
                              "column labels of " + path + " (its dimension 2)");
      check_.ok(H5DSattach_scale(ds.get(), columns.get(), 2), attach);
    }
    series_ds_.push_back(std::move(ds));
  }
}

void ResultWriter::Impl::create_attitude() {
  const detail::Group group = create_ordered_group(check_, file_.get(), detail::kAttitudeGroup);
  const auto runs = static_cast<hsize_t>(prov().num_runs);
  const auto users = static_cast<hsize_t>(shape_.snapshot_users);
  const hsize_t unlimited = H5S_UNLIMITED;
  // The snapshot dimension grows to the most snapshots of any run; shorter runs keep the fill
  // values (-1 steps, NaN attitudes) beyond their own.
  const Step no_step = detail::kNoSnapshotStep;
  snapshot_steps_ = detail::create_dataset(
      check_, file_.get(), detail::kSnapshotSteps, H5T_NATIVE_INT64, {runs, 0}, {runs, unlimited},
      {{1, kSnapshotStepChunk}, kDeflateLevel, true}, &no_step);
  detail::write_attribute(check_, snapshot_steps_.get(), "description",
                          "[run, snapshot]: the step of each attitude snapshot, increasing; -1 "
                          "past the run's last snapshot");
  const float no_attitude = std::numeric_limits<float>::quiet_NaN();
  snapshots_ = detail::create_dataset(
      check_, file_.get(), detail::kSnapshots, H5T_NATIVE_FLOAT, {runs, 0, users},
      {runs, unlimited, users},
      {{1, 1, std::min(users, kMaxSnapshotChunkUsers)}, kAttitudeDeflateLevel, false}, &no_attitude);
  detail::write_attribute(check_, snapshots_.get(), "description",
                          "[run, snapshot, user]: attitude in [-1, 1] of user (vertex) u at "
                          "snapshot_steps[run, snapshot]; NaN past the run's last snapshot");
}

void ResultWriter::Impl::create_events() {
  const detail::Group group = create_ordered_group(check_, file_.get(), detail::kEventsGroup);
  const hid_t root = file_.get();
  const auto runs = static_cast<hsize_t>(prov().num_runs);
  const hsize_t zero = 0;
  const hsize_t unlimited = H5S_UNLIMITED;
  const std::string channels = code_names(kChannelNames);

  reads_ = detail::create_dataset(check_, root, detail::kEventReads, reads_type_.get(), {zero},
                                  {unlimited}, {{kReadChunkRows}, kDeflateLevel, true});
  detail::write_attribute(check_, reads_.get(), "description",
                          "one row per read (open) of an item by a user, of every run, sorted by "
                          "(run, item, user); a run's rows start at the sum of read_count of the "
                          "rows before it");
  detail::write_attribute(check_, reads_.get(), "via_codes", channels);
  detail::write_attribute(check_, reads_.get(), "outcome_codes",
                          code_names(detail::kReadOutcomeNames));
  detail::write_attribute(check_, reads_.get(), "share_channel_codes", channels);
  detail::write_attribute(check_, reads_.get(), "no_parent", std::uint32_t{kNoVertex});

  // Written when the row's reads are appended, so in a .partial file the counts always add up
  // to the rows /events/reads holds.
  const std::uint64_t none = 0;
  read_count_ = detail::create_dataset(check_, root, detail::kEventReadCount, H5T_NATIVE_UINT64,
                                       {runs}, {}, {}, &none);
  detail::write_attribute(check_, read_count_.get(), "description",
                          "[run]: rows of /events/reads of each /params row");
  event_checksum_ = detail::create_dataset(check_, root, detail::kEventGraphChecksum,
                                           H5T_NATIVE_UINT64, {runs}, {}, {}, &none);
  detail::write_attribute(check_, event_checksum_.get(), "description",
                          "[run]: checksum of the graph the run used (the graph_checksum "
                          "attribute's meaning); 0 for a run not written yet");

  const auto vertices = static_cast<hsize_t>(shape_.events.vertices);
  const Step never = detail::kNeverExposed;
  first_exposure_ = detail::create_dataset(
      check_, root, detail::kFirstExposure, H5T_NATIVE_INT64, {runs, vertices}, {},
      {{1, std::min(vertices, kMaxEventChunkVertices)}, kDeflateLevel, true}, &never);
  detail::write_attribute(check_, first_exposure_.get(), "description",
                          "[run, vertex]: step in which any item was first delivered to the "
                          "vertex; -1 if never");

  const auto users = static_cast<hsize_t>(shape_.events.attitude_users);
  if (users == 0) return;
  const float no_attitude = std::numeric_limits<float>::quiet_NaN();
  const detail::Storage storage{{1, std::min(users, kMaxEventChunkVertices)}, kAttitudeDeflateLevel, false};
  attitude_initial_ =
      detail::create_dataset(check_, root, detail::kAttitudeInitial, H5T_NATIVE_FLOAT,
                             {runs, users}, {}, storage, &no_attitude);
  detail::write_attribute(check_, attitude_initial_.get(), "description",
                          "[run, user]: attitude in [-1, 1] of user (vertex) u before the first "
                          "step; NaN for a run not written yet");
  attitude_final_ = detail::create_dataset(check_, root, detail::kAttitudeFinal, H5T_NATIVE_FLOAT,
                                           {runs, users}, {}, storage, &no_attitude);
  detail::write_attribute(check_, attitude_final_.get(), "description",
                          "[run, user]: attitude in [-1, 1] of user (vertex) u after the last "
                          "step; NaN for a run not written yet");
}

void ResultWriter::Impl::write_run(const RunResult& r, std::size_t row) {
  {
    std::vector<std::byte> cells(params_layout_.layout.row_size());
    params_layout_.fill(cells.data(), r, sweep());
    write_block(check_, params_.get(), params_type_.get(), {row}, {1}, cells.data(),
                fmt::format("cannot write run {} to /params", r.run));
  }

  const auto steps = static_cast<hsize_t>(prov().num_steps);
  for (std::size_t k = 0; k < shape_.metrics.size(); ++k) {
    write_block(check_, metric_ds_[k].get(), H5T_NATIVE_INT64, {row, 0}, {1, steps},
                r.metrics[k].data(),
                fmt::format("cannot write run {} to /metrics/{}", r.run, shape_.metrics[k].name));
  }
  for (std::size_t k = 0; k < shape_.series.size(); ++k) {
    const SeriesSpec& spec = shape_.series[k];
    std::vector<hsize_t> start{row, 0};
    std::vector<hsize_t> count{1, steps};
    if (!spec.columns.empty()) {
      start.push_back(0);
      count.push_back(spec.width());
    }
    write_block(check_, series_ds_[k].get(), H5T_NATIVE_DOUBLE, start, count, r.series[k].data(),
                fmt::format("cannot write run {} to /metrics/{}", r.run, spec.name));
  }
  write_snapshots(r, row);
  if (shape_.events.enabled()) write_events(r, row);

  std::vector<ItemRecord> items = r.items;
  std::stable_sort(items.begin(), items.end(),
                   [](const ItemRecord& a, const ItemRecord& b) { return a.item < b.item; });
  // The next row goes straight to the file: reads can be many, and are copied only to wait.
  if (row == next_row_) {
    append_row(row, items, r.events.reads);
  } else {
    pending_.emplace(row, Pending{std::move(items), r.events.reads});
  }
  for (auto it = pending_.find(next_row_); it != pending_.end(); it = pending_.find(next_row_)) {
    append_row(it->first, it->second.items, it->second.reads);
    pending_.erase(it);
  }
  check_.ok(H5Fflush(file_.get(), H5F_SCOPE_LOCAL), "cannot flush the file");
}

void ResultWriter::Impl::write_events(const RunResult& r, std::size_t row) {
  const std::string what = fmt::format("cannot write the events of run {}", r.run);
  const UserEvents& e = r.events;
  write_block(check_, first_exposure_.get(), H5T_NATIVE_INT64, {row, 0},
              {1, e.first_exposure.size()}, e.first_exposure.data(), what);
  if (shape_.events.attitude_users > 0) {
    const hsize_t users = shape_.events.attitude_users;
    write_block(check_, attitude_initial_.get(), H5T_NATIVE_FLOAT, {row, 0}, {1, users},
                e.attitude_initial.data(), what);
    write_block(check_, attitude_final_.get(), H5T_NATIVE_FLOAT, {row, 0}, {1, users},
                e.attitude_final.data(), what);
  }
  write_block(check_, event_checksum_.get(), H5T_NATIVE_UINT64, {row}, {1}, &e.graph_checksum,
              what);
}

void ResultWriter::Impl::write_snapshots(const RunResult& r, std::size_t row) {
  const hsize_t count = r.snapshot_steps.size();
  if (count == 0) return;
  const std::string what = fmt::format("cannot write the attitude snapshots of run {}", r.run);
  const auto users = static_cast<hsize_t>(shape_.snapshot_users);
  if (count > snapshot_extent_) {
    const hsize_t steps_dims[2] = {prov().num_runs, count};
    const hsize_t snapshot_dims[3] = {prov().num_runs, count, users};
    check_.ok(H5Dset_extent(snapshot_steps_.get(), steps_dims), what);
    check_.ok(H5Dset_extent(snapshots_.get(), snapshot_dims), what);
    snapshot_extent_ = count;
  }
  write_block(check_, snapshot_steps_.get(), H5T_NATIVE_INT64, {row, 0}, {1, count},
              r.snapshot_steps.data(), what);
  write_block(check_, snapshots_.get(), H5T_NATIVE_FLOAT, {row, 0, 0}, {1, count, users},
              r.snapshots.data(), what);
}

void ResultWriter::Impl::append_row(std::size_t row, const std::vector<ItemRecord>& items,
                                    const std::vector<ReadEvent>& reads) {
  const RunId run = run_ids_[row];
  {
    const std::size_t row_size = items_layout_.layout.row_size();
    std::vector<std::byte> cells(items.size() * row_size);
    for (std::size_t i = 0; i < items.size(); ++i) {
      items_layout_.fill(cells.data() + i * row_size, run, items[i]);
    }
    append_rows(check_, items_.get(), items_type_.get(), item_rows_, items.size(), cells.data(),
                fmt::format("cannot append the items of run {} to /items", run));
  }
  if (shape_.events.enabled()) {
    const std::string what = fmt::format("cannot append the reads of run {} to /events", run);
    const std::size_t row_size = reads_layout_.layout.row_size();
    std::vector<std::byte> cells(reads.size() * row_size);
    for (std::size_t i = 0; i < reads.size(); ++i) {
      reads_layout_.fill(cells.data() + i * row_size, run, reads[i]);
    }
    append_rows(check_, reads_.get(), reads_type_.get(), read_rows_, reads.size(), cells.data(),
                what);
    const std::uint64_t count = reads.size();
    write_block(check_, read_count_.get(), H5T_NATIVE_UINT64, {row}, {1}, &count, what);
  }
  ++next_row_;
}

void ResultWriter::Impl::finish() {
  detail::write_attribute(check_, file_.get(), "end_time", iso8601_utc_now());
  check_.ok(close_all(), "cannot close the file");
  detail::commit_partial(check_, partial_path_, final_path_);
}

ResultWriter::ResultWriter(std::filesystem::path final_path, const Provenance& prov,
                           std::vector<MetricSpec> metrics)
    : ResultWriter(std::move(final_path), prov, std::move(metrics), {}, 0) {}

ResultWriter::ResultWriter(std::filesystem::path final_path, const Provenance& prov,
                           std::vector<MetricSpec> metrics, std::vector<SeriesSpec> series,
                           VertexId snapshot_users, EventsLayout events) {
  detail::ResultShape shape{prov, std::move(metrics), std::move(series), snapshot_users, events};
  detail::check_result_shape(shape);
  impl_ = std::make_unique<Impl>(std::move(final_path), std::move(shape));
}

ResultWriter::ResultWriter(ResultWriter&&) noexcept = default;
ResultWriter& ResultWriter::operator=(ResultWriter&&) noexcept = default;
ResultWriter::~ResultWriter() = default;

const std::filesystem::path& ResultWriter::final_path() const { return impl_->final_path_; }
const std::filesystem::path& ResultWriter::partial_path() const { return impl_->partial_path_; }

void ResultWriter::write_run(const RunResult& r) {
  if (!impl_) throw std::logic_error("ResultWriter::write_run on a moved-from writer");
  Impl& w = *impl_;
  const std::string& name = w.final_path_.string();
  if (w.finished_) throw std::logic_error(fmt::format("{}: write_run after finish()", name));
  if (w.failed_) {
    throw RuntimeFailure(w.failure_);  // the cause, not "after an earlier failure"
  }
  const std::optional<std::size_t> row = w.row_of(r.run);
  if (!row) {
    throw std::logic_error(
        w.prov().run_ids.empty()
            ? fmt::format("{}: run {} is out of range (the file holds {} runs)", name, r.run,
                          w.prov().num_runs)
            : fmt::format("{}: run {} is not one of the file's {} run ids ({} .. {})", name, r.run,
                          w.prov().num_runs, w.run_ids_.front(), w.run_ids_.back()));
  }
  if (w.written_[*row]) {
    throw std::logic_error(fmt::format("{}: run {} written twice", name, r.run));
  }
  detail::check_run_shape(name, w.shape_, r);
  w.guarded([&] { w.write_run(r, *row); });
  w.written_[*row] = true;
}

std::string ResultWriter::discard() {
  if (!impl_) throw std::logic_error("ResultWriter::discard on a moved-from writer");
  Impl& w = *impl_;
  if (w.finished_) throw std::logic_error(fmt::format("{}: discard() after finish()", w.final_path_.string()));
  detail::silence_errors();
  if (!w.failed_) {
    w.failed_ = true;
    w.failure_ = fmt::format("{}: the file was discarded", w.final_path_.string());
  }
  w.detach_from_disk();  // HDF5's last writes (at the close) land in memory, not on the full disk
  static_cast<void>(w.close_all());
  std::error_code ec;
  std::filesystem::remove(w.partial_path_, ec);
  return fmt::format("{} was removed to free the space ({} run(s) had been written)", w.partial_path_.string(),
                     w.runs_written());
}

void ResultWriter::finish() {
  if (!impl_) throw std::logic_error("ResultWriter::finish on a moved-from writer");
  Impl& w = *impl_;
  if (w.finished_) {
    throw std::logic_error(fmt::format("{}: finish() called twice", w.final_path_.string()));
  }
  if (w.failed_) {
    throw RuntimeFailure(w.failure_);  // the cause, not "after an earlier failure"
  }
  std::vector<RunId> missing;
  RunId num_missing = 0;
  for (std::size_t row = 0; row < w.run_ids_.size(); ++row) {
    if (w.written_[row]) continue;
    if (missing.size() < 10) missing.push_back(w.run_ids_[row]);
    ++num_missing;
  }
  if (num_missing > 0) {
    throw std::logic_error(fmt::format("{}: finish() with {} of {} runs not written (runs {}{})",
                                       w.final_path_.string(), num_missing, w.prov().num_runs,
                                       fmt::join(missing, ", "),
                                       num_missing > missing.size() ? ", ..." : ""));
  }
  w.guarded([&] { w.finish(); });
  w.finished_ = true;
}

}  // namespace softpower
