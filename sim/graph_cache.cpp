#include "sim/graph_cache.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <span>
#include <softpower/version.hpp>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "sim/checksum.hpp"
#include "sim/detail/atomic_file.hpp"
#include "sim/detail/hdf5.hpp"
#include "sim/error.hpp"
#include "sim/output_path.hpp"

namespace softpower {
namespace {

// The per-user attributes and labels: 1 MiB chunks, deflate level 1 (it decompresses as fast as
// level 4 and compresses several times faster). The arc arrays are stored contiguous and
// uncompressed instead (format 2): one read straight into the graph's memory is what makes a
// cache load in a fraction of a second; deflate made the load 4 times slower for a file 3.5
// times smaller, and a cache is rebuilt rather than archived (`h5repack -f GZIP=1` compresses
// one if disk space matters more: loading reads either).
constexpr hsize_t kChunkElements = hsize_t{1} << 18;
constexpr int kDeflateLevel = 1;

detail::Storage storage_for(hsize_t size) {
  if (size == 0) return {};  // HDF5 cannot chunk an empty fixed-size dataset
  return {{std::min(size, kChunkElements)}, kDeflateLevel, true};
}

const detail::Storage kContiguous{};

// Root attribute `in_arcs` (format 2): where the in-arcs come from.
constexpr const char* kInArcsSameAsOut = "same as out-arcs";
constexpr const char* kInArcsStored = "stored";

/// Checksum of the stored in-arcs (the graph's own checksum covers only the forward arrays).
std::uint64_t in_arcs_checksum(const CsrView& in, std::span<const ArcId> arc_ids) {
  BlockChecksum sum;
  sum.add_array(in.offsets);
  sum.add_array(in.targets);
  sum.add_array(arc_ids);
  return sum.value();
}

/// An unweighted graph whose in-arcs equal its out-arcs array for array (every friendship
/// mutual, rows in the same order) stores one copy: wechat_like graphs halve their cache.
bool in_arcs_equal_out_arcs(const SocialGraph& g) {
  const CsrView out = g.out_view(), in = g.in_view();
  return g.weights().empty() && std::ranges::equal(out.offsets, in.offsets) &&
         std::ranges::equal(out.targets, in.targets);
}

// FNV-1a over the attribute arrays as stored (regions, then communities as little-endian
// uint32), the same hash as SocialGraph::checksum(): the graph checksum does not cover them.
std::uint64_t attributes_checksum(const VertexAttributes& a) {
  std::uint64_t h = 1469598103934665603ull;
  const auto bytes = [&h](const void* data, std::size_t size) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i) h = (h ^ p[i]) * 1099511628211ull;
  };
  bytes(a.region.data(), a.region.size());
  for (const std::uint32_t c : a.community) {
    const unsigned char le[4] = {static_cast<unsigned char>(c), static_cast<unsigned char>(c >> 8),
                                 static_cast<unsigned char>(c >> 16),
                                 static_cast<unsigned char>(c >> 24)};
    bytes(le, sizeof le);
  }
  return h;
}

// The rules an import follows (docs/graph-import.md): regions 0 or 1, communities below n.
// Returns what is wrong, or an empty string.
std::string check_attributes(const VertexAttributes& a, VertexId n) {
  if (!a.region.empty() && a.region.size() != n) {
    return fmt::format("{} regions for {} vertices", a.region.size(), n);
  }
  if (!a.community.empty() && a.community.size() != n) {
    return fmt::format("{} communities for {} vertices", a.community.size(), n);
  }
  for (VertexId v = 0; v < a.region.size(); ++v) {
    if (a.region[v] > 1) {
      return fmt::format("region of vertex {} is {}, not 0 or 1", v, a.region[v]);
    }
  }
  for (VertexId v = 0; v < a.community.size(); ++v) {
    if (a.community[v] >= n) {
      return fmt::format("community of vertex {} is {}, not below {}", v, a.community[v], n);
    }
  }
  return {};
}

bool has_link(const detail::Checker& check, hid_t loc, const char* name) {
  return check.yes(H5Lexists(loc, name, H5P_DEFAULT), std::string("cannot look up ") + name);
}

// Labels as one UTF-8 text and the offset of each label in it: two bulk reads, where HDF5's
// variable-length strings (format 1) cost a heap lookup per label, half of loading a graph of
// 1e6 labelled vertices and 1e7 arcs.
void write_labels(const detail::Checker& check, hid_t file,
                  const std::vector<std::string>& labels) {
  std::vector<std::uint64_t> offsets{0};
  offsets.reserve(labels.size() + 1);
  std::string text;
  for (const std::string& label : labels) {
    text += label;
    offsets.push_back(text.size());
  }
  detail::write_vector(check, file, "label_offsets", offsets, kContiguous);
  const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
  detail::write_vector(check, file, "label_text", bytes, kContiguous);
}

std::vector<std::string> read_label_text(const detail::Checker& check, hid_t file, VertexId n) {
  const auto offsets = detail::read_vector<std::uint64_t>(check, file, "label_offsets", hsize_t{n} + 1);
  hsize_t size = 0;
  {
    const detail::Dataset ds(check.id(H5Dopen2(file, "label_text", H5P_DEFAULT), "cannot read dataset label_text"));
    const std::vector<hsize_t> dims = detail::dataset_dims(check, ds.get(), "label_text");
    if (dims.size() != 1) check.fail("cannot read dataset label_text: not one-dimensional");
    size = dims[0];
  }
  const auto text = detail::read_vector<std::uint8_t>(check, file, "label_text", size);
  if (offsets.front() != 0 || offsets.back() != size || !std::is_sorted(offsets.begin(), offsets.end())) {
    check.fail(fmt::format("corrupt graph cache: label_offsets do not rise from 0 to the {} bytes of label_text", size));
  }
  std::vector<std::string> labels(n);
  const auto* chars = reinterpret_cast<const char*>(text.data());
  for (VertexId v = 0; v < n; ++v) labels[v].assign(chars + offsets[v], offsets[v + 1] - offsets[v]);
  return labels;
}

void write_cache(const SocialGraph& g, const VertexAttributes& attributes,
                 const detail::Checker& check) {
  detail::PropList fapl = detail::file_access_plist(check);
  check.ok(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_SEMI), "cannot set the close degree");
  detail::File file(
      check.id(H5Fcreate(check.path().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()),
               "cannot create file"));
  const hid_t root = file.get();
  detail::write_attribute(check, root, "file_kind", kGraphCacheFileKind);
  detail::write_attribute(check, root, "format_version", kGraphCacheFormatVersion);
  detail::write_attribute(check, root, "softpower_version", kVersion);
  detail::write_attribute(check, root, "description", g.description());
  detail::write_attribute(check, root, "checksum", g.checksum());
  detail::write_attribute(check, root, "num_vertices", g.num_vertices());
  detail::write_attribute(check, root, "num_arcs", g.num_arcs());

  const CsrView out = g.out_view();
  detail::write_vector(check, root, "offsets", out.offsets, kContiguous);
  detail::write_vector(check, root, "targets", out.targets, kContiguous);
  if (!g.weights().empty()) detail::write_vector(check, root, "weights", g.weights(), kContiguous);
  if (in_arcs_equal_out_arcs(g)) {
    detail::write_attribute(check, root, "in_arcs", std::string(kInArcsSameAsOut));
  } else {
    const CsrView in = g.in_view();
    detail::write_attribute(check, root, "in_arcs", std::string(kInArcsStored));
    detail::write_vector(check, root, "in_offsets", in.offsets, kContiguous);
    detail::write_vector(check, root, "in_sources", in.targets, kContiguous);
    if (!g.weights().empty()) detail::write_vector(check, root, "in_arc_ids", g.in_arc_ids(), kContiguous);
    detail::write_attribute(check, root, "in_arcs_checksum", in_arcs_checksum(in, g.in_arc_ids()));
  }
  if (!g.labels().empty()) write_labels(check, root, g.labels());
  if (!attributes.region.empty()) {
    detail::write_vector(check, root, "region", attributes.region,
                         storage_for(attributes.region.size()));
  }
  if (!attributes.community.empty()) {
    detail::write_vector(check, root, "community", attributes.community,
                         storage_for(attributes.community.size()));
  }
  if (!attributes.empty()) {
    detail::write_attribute(check, root, "attributes_checksum", attributes_checksum(attributes));
  }
  check.ok(file.close(), "cannot close the file");
}

GraphCacheInfo read_info(const detail::Checker& check, hid_t file) {
  if (!detail::has_attribute(check, file, "file_kind") ||
      detail::read_string_attribute(check, file, "file_kind") != kGraphCacheFileKind) {
    check.fail(
        fmt::format("not a softpower graph cache (no file_kind = \"{}\")", kGraphCacheFileKind));
  }
  GraphCacheInfo info;
  info.format_version = detail::read_attribute<std::uint32_t>(check, file, "format_version");
  if (info.format_version > kGraphCacheFormatVersion) {
    check.fail(fmt::format("graph cache format {} is newer than this softpower ({}) reads ({})",
                           info.format_version, kVersion, kGraphCacheFormatVersion));
  }
  info.softpower_version = detail::read_string_attribute(check, file, "softpower_version");
  info.description = detail::read_string_attribute(check, file, "description");
  info.checksum = detail::read_attribute<std::uint64_t>(check, file, "checksum");
  info.num_vertices = detail::read_attribute<VertexId>(check, file, "num_vertices");
  info.num_arcs = detail::read_attribute<ArcId>(check, file, "num_arcs");
  info.weighted = has_link(check, file, "weights");
  info.labelled = has_link(check, file, "labels") || has_link(check, file, "label_offsets");
  info.has_region = has_link(check, file, "region");
  info.has_community = has_link(check, file, "community");
  return info;
}

std::vector<std::string> read_labels(const detail::Checker& check, hid_t file, VertexId n) {
  const std::string what = "cannot read dataset labels";
  const detail::Dataset ds(check.id(H5Dopen2(file, "labels", H5P_DEFAULT), what));
  const std::vector<hsize_t> dims = detail::dataset_dims(check, ds.get(), "labels");
  if (dims.size() != 1 || dims[0] != n) check.fail(fmt::format("{}: expected {} labels", what, n));
  const detail::Datatype stored(check.id(H5Dget_type(ds.get()), what));
  if (H5Tget_class(stored.get()) != H5T_STRING ||
      !check.yes(H5Tis_variable_str(stored.get()), what)) {
    check.fail(what + ": not variable-length strings");
  }
  std::vector<std::string> labels(n);
  if (n == 0) return labels;
  const detail::Datatype type = detail::string_type(check);
  const detail::Dataspace space(check.id(H5Dget_space(ds.get()), what));
  std::vector<char*> text(n, nullptr);
  check.ok(H5Dread(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, text.data()), what);
  struct Reclaim {
    hid_t type, space;
    std::vector<char*>& text;
    ~Reclaim() { detail::reclaim_vlen(type, space, text.data()); }
  } reclaim{type.get(), space.get(), text};
  for (VertexId v = 0; v < n; ++v) {
    if (text[v] != nullptr) labels[v] = text[v];
  }
  return labels;
}

// The optional region and community datasets, validated like an import's and checked against
// `attributes_checksum`.
VertexAttributes read_attributes(const detail::Checker& check, hid_t file,
                                 const GraphCacheInfo& info) {
  VertexAttributes a;
  const VertexId n = info.num_vertices;
  if (info.has_region) a.region = detail::read_vector<std::uint8_t>(check, file, "region", n);
  if (info.has_community) {
    a.community = detail::read_vector<std::uint32_t>(check, file, "community", n);
  }
  if (const std::string wrong = check_attributes(a, n); !wrong.empty()) {
    check.fail("corrupt graph cache: " + wrong);
  }
  const bool has_checksum = detail::has_attribute(check, file, "attributes_checksum");
  if (a.empty() && !has_checksum) return a;
  if (!has_checksum) {
    check.fail("corrupt graph cache: region or community without attributes_checksum");
  }
  const auto stored = detail::read_attribute<std::uint64_t>(check, file, "attributes_checksum");
  if (const std::uint64_t computed = attributes_checksum(a); computed != stored) {
    check.fail(
        fmt::format("corrupt graph cache: checksum {:016x} of the loaded regions and communities "
                    "differs from the stored {:016x}; delete the file to rebuild it",
                    computed, stored));
  }
  return a;
}

}  // namespace

void save_graph_cache(const SocialGraph& g, const std::filesystem::path& path,
                      const VertexAttributes& attributes) {
  if (const std::string wrong = check_attributes(attributes, g.num_vertices()); !wrong.empty()) {
    throw std::invalid_argument("save_graph_cache: " + wrong);
  }
  for (VertexId v = 0; v < g.labels().size(); ++v) {
    if (g.labels()[v].find('\0') != std::string::npos) {
      throw InputError(
          fmt::format("{}: cannot cache the graph: the label of vertex {} contains a "
                      "NUL byte",
                      path.string(), v));
    }
  }
  detail::silence_errors();
  detail::create_parent_directories(path);
  const std::filesystem::path partial = detail::partial_path_for(path);
  const detail::Checker check(partial, detail::Failure::kRuntime);
  try {
    write_cache(g, attributes, check);
    detail::commit_partial(check, partial, path);
  } catch (const RuntimeFailure& e) {
    // A half-written cache is worth nothing: unlike a result file, nothing resumes from it.
    const std::string full = full_disk_note(path, partial, errno, e.what());
    std::error_code ec;
    std::filesystem::remove(partial, ec);
    if (full.empty()) throw;
    throw RuntimeFailure(fmt::format("{}; {} was removed; {}", full, partial.string(), e.what()));
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove(partial, ec);
    throw;
  }
}

namespace {

/// An open cache and what the loader reads from it through libhdf5's variable-length strings.
struct OpenCache {
  detail::File file;
  GraphCacheInfo info;
  std::string in_arcs;  // format 2: where the in-arcs are ("same_as_out" or "stored")
};

/// Opens the cache and reads its metadata, every string attribute the loader reads among it.
/// A damaged global heap can crash libhdf5 in such a read only on the reader's own heap (the
/// attribute walk of open_for_reading read the same file without crashing in a fuzzer's build),
/// so the reads are rehearsed in a child process first (docs/reliability.md). The arc arrays,
/// plain numbers read once afterwards, are not.
OpenCache open_cache(const detail::Checker& check) {
  return detail::rehearsed(check, [&check] {
    OpenCache cache{.file = detail::open_for_reading(check), .info = {}, .in_arcs = {}};
    cache.info = read_info(check, cache.file.get());
    if (cache.info.format_version >= 2) {
      if (!detail::has_attribute(check, cache.file.get(), "in_arcs")) {
        check.fail("corrupt graph cache: format 2 without the in_arcs attribute");
      }
      cache.in_arcs = detail::read_string_attribute(check, cache.file.get(), "in_arcs");
    }
    return cache;
  });
}

}  // namespace

GraphCacheInfo read_graph_cache_info(const std::filesystem::path& path) {
  detail::silence_errors();
  const detail::Checker check(path, detail::Failure::kInput);
  return open_cache(check).info;
}

namespace {

/// Offsets from 0 to `m`, non-decreasing, else InputError naming the first fault. `array` is
/// the dataset's name.
void check_offsets(const detail::Checker& check, std::span<const ArcId> offsets, ArcId m,
                   const char* array) {
  if (offsets.front() != 0 || offsets.back() != m) {
    check.fail(fmt::format("corrupt graph cache: {} run from {} to {}, expected 0 to {}", array,
                           offsets.front(), offsets.back(), m));
  }
  for (std::size_t v = 0; v + 1 < offsets.size(); ++v) {
    if (offsets[v] > offsets[v + 1]) {
      check.fail(fmt::format("corrupt graph cache: {} decrease at vertex {}", array, v));
    }
  }
}

void check_checksum(const detail::Checker& check, std::uint64_t computed, std::uint64_t stored,
                    const char* what) {
  if (computed != stored) {
    check.fail(fmt::format("corrupt graph cache: checksum {:016x} of the loaded {} differs from "
                           "the stored {:016x}; delete the file to rebuild it",
                           computed, what, stored));
  }
}

/// Format 2: both directions read as stored, nothing transposed.
SocialGraph load_both_directions(const detail::Checker& check, const OpenCache& cache, ArcId spare_arcs,
                                 std::vector<ArcId> offsets, std::vector<VertexId> targets,
                                 std::vector<float> weights, std::vector<std::string> labels) {
  const hid_t file = cache.file.get();
  const GraphCacheInfo& info = cache.info;
  const std::string& source = cache.in_arcs;
  const VertexId n = info.num_vertices;
  const ArcId m = info.num_arcs;
  SocialGraph::InArcArrays in;
  if (source == kInArcsSameAsOut) {
    if (info.weighted) check.fail("corrupt graph cache: a weighted graph must store its in-arcs");
    in.offsets = offsets;
    in.sources.reserve(targets.size() + spare_arcs);
    in.sources.assign(targets.begin(), targets.end());
  } else if (source == kInArcsStored) {
    in.offsets = detail::read_vector<ArcId>(check, file, "in_offsets", hsize_t{n} + 1);
    check_offsets(check, in.offsets, m, "in_offsets");
    in.sources = detail::read_vector<VertexId>(check, file, "in_sources", m, spare_arcs);
    if (info.weighted) in.arc_ids = detail::read_vector<ArcId>(check, file, "in_arc_ids", m, spare_arcs);
    const auto stored = detail::read_attribute<std::uint64_t>(check, file, "in_arcs_checksum");
    check_checksum(check, in_arcs_checksum({in.offsets, in.sources}, in.arc_ids), stored, "in-arcs");
  } else {
    check.fail(fmt::format("corrupt graph cache: in_arcs is \"{}\", not \"{}\" or \"{}\"", source,
                           kInArcsSameAsOut, kInArcsStored));
  }
  try {
    return SocialGraph::from_both_directions(std::move(offsets), std::move(targets), std::move(in),
                                             std::move(weights), std::move(labels));
  } catch (const std::invalid_argument& e) {
    check.fail(std::string("corrupt graph cache: ") + e.what());
  }
}

}  // namespace

SocialGraph load_graph_cache(const std::filesystem::path& path, VertexAttributes* attributes,
                             ArcId spare_arcs) {
  detail::silence_errors();
  const detail::Checker check(path, detail::Failure::kInput);
  const OpenCache cache = open_cache(check);
  const detail::File& file = cache.file;
  const GraphCacheInfo& info = cache.info;
  const VertexId n = info.num_vertices;
  const ArcId m = info.num_arcs;

  auto offsets = detail::read_vector<ArcId>(check, file.get(), "offsets", hsize_t{n} + 1);
  check_offsets(check, offsets, m, "offsets");
  auto targets = detail::read_vector<VertexId>(check, file.get(), "targets", m, spare_arcs);
  std::vector<float> weights;
  if (info.weighted) weights = detail::read_vector<float>(check, file.get(), "weights", m, spare_arcs);
  std::vector<std::string> labels;
  if (info.labelled) {
    labels = info.format_version >= 2 ? read_label_text(check, file.get(), n) : read_labels(check, file.get(), n);
  }

  // The saved arrays are the CSR itself, so arc ids, and with them the weights, stay as saved.
  // Both constructors check every endpoint and name the first bad arc.
  SocialGraph g;
  if (info.format_version >= 2) {
    g = load_both_directions(check, cache, spare_arcs, std::move(offsets), std::move(targets),
                             std::move(weights), std::move(labels));
    check_checksum(check, g.checksum(), info.checksum, "graph");
  } else {
    try {
      g = SocialGraph::from_csr(std::move(offsets), std::move(targets), std::move(weights),
                                std::move(labels));
    } catch (const std::invalid_argument& e) {
      check.fail(std::string("corrupt graph cache: ") + e.what());
    }
    check_checksum(check, g.fnv1a_checksum(), info.checksum, "graph");
  }
  g.set_description(info.description);
  if (attributes != nullptr) *attributes = read_attributes(check, file.get(), info);
  return g;
}

}  // namespace softpower
