// HDF5 C API plumbing shared by the result writer, the graph cache and `info`: a move-only owner
// for every kind of hid_t, HDF5 failures turned into exceptions that name the file and carry the
// HDF5 error stack, typed attributes, chunked datasets and run-time compound row layouts.
//
// HDF5 keeps its error stack and its auto-print setting per thread: every entry point calls
// silence_errors() on the thread it runs on.
#pragma once

#include <hdf5.h>
#include <hdf5_hl.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <ranges>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "sim/detail/hdf5_probe.hpp"
#include "sim/error.hpp"

namespace softpower::detail {

/// Owns one HDF5 identifier and releases it with `Close`.
template <herr_t (*Close)(hid_t)>
class H5Id {
 public:
  H5Id() = default;
  explicit H5Id(hid_t id) : id_(id) {}
  H5Id(const H5Id&) = delete;
  H5Id& operator=(const H5Id&) = delete;
  H5Id(H5Id&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)) {}
  H5Id& operator=(H5Id&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
    }
    return *this;
  }
  ~H5Id() { reset(); }

  [[nodiscard]] hid_t get() const { return id_; }
  [[nodiscard]] bool valid() const { return id_ >= 0; }

  /// Releases the identifier now and returns HDF5's status, for the one close that must be
  /// checked: a file's, which flushes.
  herr_t close() {
    const herr_t status = id_ >= 0 ? Close(id_) : 0;
    id_ = H5I_INVALID_HID;
    return status;
  }
  void reset() { static_cast<void>(close()); }

 private:
  hid_t id_ = H5I_INVALID_HID;
};

using File = H5Id<H5Fclose>;
using Group = H5Id<H5Gclose>;
using Dataset = H5Id<H5Dclose>;
using Dataspace = H5Id<H5Sclose>;
using Datatype = H5Id<H5Tclose>;
using Attribute = H5Id<H5Aclose>;
using PropList = H5Id<H5Pclose>;
using Object = H5Id<H5Oclose>;

/// Stops HDF5 from printing error stacks to stderr on the calling thread; failures are reported
/// through exceptions instead.
inline void silence_errors() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

/// The calling thread's HDF5 error stack as one line, and clears it: the innermost entry (the
/// cause, e.g. "... errno = 28, error message = 'No space left on device' ...") and the API call
/// it surfaced from.
inline std::string error_stack_message() {
  struct Stack {
    std::string cause;
    std::string api_call;
    unsigned entries = 0;
  } stack;
  auto collect = [](unsigned, const H5E_error2_t* err, void* data) -> herr_t {
    auto& s = *static_cast<Stack*>(data);
    if (s.entries++ == 0) {
      // Some descriptions span lines ("time = ...\n, filename = ..."): keep them on one.
      for (const char* c = err->desc != nullptr ? err->desc : ""; *c != '\0'; ++c) {
        const bool space = *c == '\n' || *c == '\t' || *c == ' ';
        if (space && (s.cause.empty() || s.cause.back() == ' ')) continue;
        s.cause += space ? ' ' : *c;
      }
      while (!s.cause.empty() && s.cause.back() == ' ') s.cause.pop_back();
      if (s.cause.empty()) s.cause = "(no description)";
      if (err->func_name != nullptr) s.cause += std::string(" (in ") + err->func_name + ")";
    }
    if (err->func_name != nullptr) s.api_call = err->func_name;
    return 0;
  };
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, collect, &stack);
  H5Eclear2(H5E_DEFAULT);
  if (stack.entries == 0) return "no HDF5 error recorded";
  if (stack.entries == 1) return stack.cause;
  return stack.cause + " [reported by " + stack.api_call + "]";
}

/// Which exception a failing HDF5 call turns into: reading a file the user gave is an input
/// problem; writing one is a runtime failure.
enum class Failure { kInput, kRuntime };

/// Checks HDF5 return values for one file. Every failure names the file and what was being done,
/// and carries the HDF5 error stack.
class Checker {
 public:
  Checker(std::filesystem::path path, Failure kind) : path_(std::move(path)), kind_(kind) {}

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  /// Returns `id`, or throws when it is negative (a failed create/open).
  hid_t id(hid_t id, std::string_view what) const {
    if (id < 0) fail_hdf5(what);
    return id;
  }
  void ok(herr_t status, std::string_view what) const {
    if (status < 0) fail_hdf5(what);
  }
  /// HDF5's tri-state answers: negative is an error.
  bool yes(htri_t answer, std::string_view what) const {
    if (answer < 0) fail_hdf5(what);
    return answer > 0;
  }

  /// A failure HDF5 itself reported: appends the error stack.
  [[noreturn]] void fail_hdf5(std::string_view what) const {
    fail(std::string(what) + ": " + error_stack_message());
  }
  /// A failure found by our own checks (wrong kind of file, inconsistent sizes).
  [[noreturn]] void fail(std::string_view what) const {
    const std::string message = path_.string() + ": " + std::string(what);
    if (kind_ == Failure::kInput) throw InputError(message);
    throw RuntimeFailure(message);
  }

 private:
  std::filesystem::path path_;
  Failure kind_;
};

template <class T>
hid_t native_type() {
  if constexpr (std::is_same_v<T, std::uint8_t>)
    return H5T_NATIVE_UINT8;
  else if constexpr (std::is_same_v<T, std::uint32_t>)
    return H5T_NATIVE_UINT32;
  else if constexpr (std::is_same_v<T, std::int32_t>)
    return H5T_NATIVE_INT32;
  else if constexpr (std::is_same_v<T, std::uint64_t>)
    return H5T_NATIVE_UINT64;
  else if constexpr (std::is_same_v<T, std::int64_t>)
    return H5T_NATIVE_INT64;
  else if constexpr (std::is_same_v<T, float>)
    return H5T_NATIVE_FLOAT;
  else if constexpr (std::is_same_v<T, double>)
    return H5T_NATIVE_DOUBLE;
  else
    static_assert(sizeof(T) == 0, "no HDF5 type for T");
}

/// Variable-length UTF-8 string: what h5py, netCDF and pandas read as `str`.
inline Datatype string_type(const Checker& check) {
  Datatype type(check.id(H5Tcopy(H5T_C_S1), "cannot copy the string type"));
  check.ok(H5Tset_size(type.get(), H5T_VARIABLE), "cannot make a variable-length string type");
  check.ok(H5Tset_cset(type.get(), H5T_CSET_UTF8), "cannot set the UTF-8 character set");
  return type;
}

/// Frees what HDF5 allocated while reading variable-length data into `buf`.
inline void reclaim_vlen(hid_t type, hid_t space, void* buf) {
#if H5_VERSION_GE(1, 12, 0)
  H5Treclaim(type, space, H5P_DEFAULT, buf);
#else
  H5Dvlen_reclaim(type, space, H5P_DEFAULT, buf);
#endif
}

inline bool has_attribute(const Checker& check, hid_t obj, const char* name) {
  return check.yes(H5Aexists(obj, name), std::string("cannot look up attribute ") + name);
}

template <class T>
void write_attribute(const Checker& check, hid_t obj, const char* name, T value) {
  const std::string what = std::string("cannot write attribute ") + name;
  Dataspace space(check.id(H5Screate(H5S_SCALAR), what));
  Attribute attr(check.id(
      H5Acreate2(obj, name, native_type<T>(), space.get(), H5P_DEFAULT, H5P_DEFAULT), what));
  check.ok(H5Awrite(attr.get(), native_type<T>(), &value), what);
}

inline void write_attribute(const Checker& check, hid_t obj, const char* name,
                            const std::string& value) {
  const std::string what = std::string("cannot write attribute ") + name;
  const Datatype type = string_type(check);
  Dataspace space(check.id(H5Screate(H5S_SCALAR), what));
  Attribute attr(
      check.id(H5Acreate2(obj, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), what));
  const char* text = value.c_str();
  check.ok(H5Awrite(attr.get(), type.get(), &text), what);
}

inline void write_attribute(const Checker& check, hid_t obj, const char* name, const char* value) {
  write_attribute(check, obj, name, std::string(value));
}

/// Reads a scalar numeric attribute, converting from whatever numeric type it was stored as.
template <class T>
T read_attribute(const Checker& check, hid_t obj, const char* name) {
  const std::string what = std::string("cannot read attribute ") + name;
  Attribute attr(check.id(H5Aopen(obj, name, H5P_DEFAULT), what));
  Dataspace space(check.id(H5Aget_space(attr.get()), what));
  if (H5Sget_simple_extent_npoints(space.get()) != 1) check.fail(what + ": not a scalar");
  Datatype stored(check.id(H5Aget_type(attr.get()), what));
  const H5T_class_t cls = H5Tget_class(stored.get());
  if (cls != H5T_INTEGER && cls != H5T_FLOAT) check.fail(what + ": not a number");
  T value{};
  check.ok(H5Aread(attr.get(), native_type<T>(), &value), what);
  return value;
}

/// Reads a scalar string attribute, variable-length or fixed-length.
inline std::string read_string_attribute(const Checker& check, hid_t obj, const char* name) {
  const std::string what = std::string("cannot read attribute ") + name;
  Attribute attr(check.id(H5Aopen(obj, name, H5P_DEFAULT), what));
  Datatype stored(check.id(H5Aget_type(attr.get()), what));
  if (H5Tget_class(stored.get()) != H5T_STRING) check.fail(what + ": not a string");
  Dataspace space(check.id(H5Aget_space(attr.get()), what));
  if (H5Sget_simple_extent_npoints(space.get()) != 1) check.fail(what + ": not a scalar");
  if (check.yes(H5Tis_variable_str(stored.get()), what)) {
    const Datatype type = string_type(check);
    char* text = nullptr;
    check.ok(H5Aread(attr.get(), type.get(), &text), what);
    std::string value = text != nullptr ? text : "";
    reclaim_vlen(type.get(), space.get(), &text);
    return value;
  }
  const std::size_t size = H5Tget_size(stored.get());
  Datatype type(check.id(H5Tcopy(H5T_C_S1), what));
  check.ok(H5Tset_size(type.get(), size + 1), what);
  std::string value(size + 1, '\0');
  check.ok(H5Aread(attr.get(), type.get(), value.data()), what);
  value.resize(std::strlen(value.c_str()));
  return value;
}

/// How a dataset is stored: chunk shape (empty: contiguous) and filters.
struct Storage {
  std::vector<hsize_t> chunk;
  int deflate_level = 0;  // 0: no compression
  bool shuffle = false;
};

/// Creates a dataset of `type` with current extent `dims` and maximum extent `max_dims`
/// (empty: same as dims). `fill` points at one element used for unwritten cells (nullptr: zero).
inline Dataset create_dataset(const Checker& check, hid_t loc, const char* name, hid_t type,
                              const std::vector<hsize_t>& dims,
                              const std::vector<hsize_t>& max_dims, const Storage& storage,
                              const void* fill = nullptr) {
  const std::string what = std::string("cannot create dataset ") + name;
  Dataspace space(check.id(H5Screate_simple(static_cast<int>(dims.size()), dims.data(),
                                            max_dims.empty() ? nullptr : max_dims.data()),
                           what));
  PropList dcpl(check.id(H5Pcreate(H5P_DATASET_CREATE), what));
  if (!storage.chunk.empty()) {
    check.ok(H5Pset_chunk(dcpl.get(), static_cast<int>(storage.chunk.size()), storage.chunk.data()),
             what);
    if (storage.shuffle) check.ok(H5Pset_shuffle(dcpl.get()), what);
    if (storage.deflate_level > 0) {
      check.ok(H5Pset_deflate(dcpl.get(), static_cast<unsigned>(storage.deflate_level)), what);
    }
  }
  if (fill != nullptr) check.ok(H5Pset_fill_value(dcpl.get(), type, fill), what);
  check.ok(H5Pset_attr_creation_order(dcpl.get(), H5P_CRT_ORDER_TRACKED), what);
  return Dataset(check.id(
      H5Dcreate2(loc, name, type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT), what));
}

/// Writes a whole 1-D dataset from a contiguous range (vector, span) in one call.
template <class Range>
Dataset write_vector(const Checker& check, hid_t loc, const char* name, const Range& data,
                     const Storage& storage) {
  using T = std::ranges::range_value_t<Range>;
  const hsize_t size = std::ranges::size(data);
  Dataset ds = create_dataset(check, loc, name, native_type<T>(), {size}, {}, storage);
  if (size > 0) {
    check.ok(H5Dwrite(ds.get(), native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT,
                      std::ranges::data(data)),
             std::string("cannot write dataset ") + name);
  }
  return ds;
}

/// The current extent of a dataset.
inline std::vector<hsize_t> dataset_dims(const Checker& check, hid_t ds, std::string_view name) {
  const std::string what = "cannot read the shape of " + std::string(name);
  Dataspace space(check.id(H5Dget_space(ds), what));
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) check.fail_hdf5(what);
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0 && H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr) < 0) {
    check.fail_hdf5(what);
  }
  return dims;
}

/// Reads a whole 1-D dataset of `expected` elements, converting to native `T`, into a vector with
/// capacity for `spare` more (so a later append does not move it).
template <class T>
std::vector<T> read_vector(const Checker& check, hid_t loc, const char* name, hsize_t expected,
                           hsize_t spare = 0) {
  const std::string what = std::string("cannot read dataset ") + name;
  Dataset ds(check.id(H5Dopen2(loc, name, H5P_DEFAULT), what));
  const std::vector<hsize_t> dims = dataset_dims(check, ds.get(), name);
  if (dims.size() != 1 || dims[0] != expected) {
    check.fail(what + ": expected " + std::to_string(expected) + " elements");
  }
  std::vector<T> data;
  data.reserve(expected + spare);
  data.resize(expected);
  if (expected > 0) {
    check.ok(H5Dread(ds.get(), native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), what);
  }
  return data;
}

/// A packed compound row whose columns are chosen at run time, used both in memory and in the
/// file, so a table gains a column with one add() and no struct or offsetof bookkeeping.
class RowLayout {
 public:
  /// Appends a numeric column and returns its index.
  template <class T>
  std::size_t add(std::string name) {
    fields_.push_back({std::move(name), native_type<T>(), size_, sizeof(T)});
    size_ += sizeof(T);
    return fields_.size() - 1;
  }
  /// Appends a fixed-length, null-terminated ASCII string column of `size` bytes (terminator
  /// included, so it holds up to size - 1 characters) and returns its index.
  std::size_t add_string(std::string name, std::size_t size) {
    fields_.push_back({std::move(name), H5T_C_S1, size_, size == 0 ? 1 : size, true});
    size_ += fields_.back().size;
    return fields_.size() - 1;
  }

  [[nodiscard]] std::size_t row_size() const { return size_; }

  template <class T>
  void set(std::byte* row, std::size_t column, T value) const {
    std::memcpy(row + fields_[column].offset, &value, sizeof(T));
  }
  template <class T>
  [[nodiscard]] T get(const std::byte* row, std::size_t column) const {
    T value;
    std::memcpy(&value, row + fields_[column].offset, sizeof(T));
    return value;
  }
  /// Stores `value` in a string column, cut to its capacity and padded with NULs.
  void set_string(std::byte* row, std::size_t column, std::string_view value) const {
    const Field& f = fields_[column];
    const std::size_t length = std::min(value.size(), f.size - 1);
    std::memcpy(row + f.offset, value.data(), length);
    std::memset(row + f.offset + length, 0, f.size - length);
  }
  [[nodiscard]] std::string get_string(const std::byte* row, std::size_t column) const {
    const Field& f = fields_[column];
    const std::string_view text(reinterpret_cast<const char*>(row + f.offset), f.size);
    return std::string(text.substr(0, text.find('\0')));
  }

  [[nodiscard]] Datatype make_type(const Checker& check) const {
    const std::string what = "cannot build a compound type";
    Datatype type(check.id(H5Tcreate(H5T_COMPOUND, size_), what));
    for (const Field& f : fields_) {
      if (!f.string) {
        check.ok(H5Tinsert(type.get(), f.name.c_str(), f.offset, f.type), what);
        continue;
      }
      const Datatype text(check.id(H5Tcopy(H5T_C_S1), what));
      check.ok(H5Tset_size(text.get(), f.size), what);
      check.ok(H5Tset_strpad(text.get(), H5T_STR_NULLTERM), what);
      check.ok(H5Tinsert(type.get(), f.name.c_str(), f.offset, text.get()), what);
    }
    return type;
  }

 private:
  struct Field {
    std::string name;
    hid_t type;  // H5T_C_S1 for a string column, sized in make_type()
    std::size_t offset;
    std::size_t size;
    bool string = false;
  };
  std::vector<Field> fields_;
  std::size_t size_ = 0;
};

/// File access settings: lock the file where the file system supports locks and carry on where
/// it does not (NFS, Lustre), instead of failing to open or create the file.
inline PropList file_access_plist(const Checker& check) {
  PropList fapl(check.id(H5Pcreate(H5P_FILE_ACCESS), "cannot create file access properties"));
#if (H5_VERSION_GE(1, 10, 7) && !H5_VERSION_GE(1, 12, 0)) || H5_VERSION_GE(1, 12, 1)
  check.ok(H5Pset_file_locking(fapl.get(), true, true), "cannot set file locking");
#endif
  return fapl;
}

/// Returns `read()` after running it once in a forked child (hdf5_rehearsal_refusal): for the
/// readers of a file's metadata, where a damaged file has crashed libhdf5 in ways that the
/// attribute walk of open_for_reading does not reproduce. A refusal fails `check`.
template <class Read>
auto rehearsed(const Checker& check, Read&& read) {
  if (const auto refusal = hdf5_rehearsal_refusal([&read] { (void)read(); }, hdf5_probe_seconds())) {
    check.fail("damaged HDF5 file: " + *refusal + ", so it is refused");
  }
  return read();
}

/// Opens `path` read-only after checking that it exists and is HDF5; failures are InputErrors.
inline File open_for_reading(const Checker& check) {
  const std::filesystem::path& path = check.path();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) check.fail("no such file");
  if (std::filesystem::is_directory(path, ec)) check.fail("is a directory, not a file");
  // H5Fopen would block on a FIFO; a device is no HDF5 file.
  if (const auto type = std::filesystem::status(path, ec).type(); !ec && type != std::filesystem::file_type::regular) {
    check.fail(type == std::filesystem::file_type::fifo ? "is a FIFO (named pipe), not a regular file"
                                                        : "is not a regular file");
  }
#if H5_VERSION_GE(1, 12, 0)
  const htri_t is_hdf5 = H5Fis_accessible(path.c_str(), H5P_DEFAULT);
#else
  const htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
#endif
  if (is_hdf5 == 0) check.fail("not an HDF5 file");
  if (is_hdf5 < 0) check.fail_hdf5("cannot read the file");
  if (const auto refusal = hdf5_probe_refusal(path, hdf5_probe_seconds())) {
    check.fail("damaged HDF5 file: " + *refusal + ", so it is refused");
  }
  const PropList fapl = file_access_plist(check);
  const hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get());
  if (id < 0) {
    std::string message = error_stack_message();
    if (message.find("unable to lock file") != std::string::npos) {
      message += " (is another process still writing it?)";
    }
    check.fail("cannot open the file: " + message);
  }
  return File(id);
}

}  // namespace softpower::detail
