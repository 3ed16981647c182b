#include "sim/graph_cache.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <softpower/version.hpp>
#include <stdexcept>
#include <system_error>
#include <utility>
#include <vector>

#include "sim/detail/atomic_file.hpp"
#include "sim/detail/hdf5.hpp"
#include "sim/error.hpp"
#include "sim/output_path.hpp"

namespace softpower {
namespace {

// 1 MiB of targets per chunk; deflate level 1 decompresses as fast as level 4 and compresses
// several times faster, and a cache is rebuilt rather than archived.
constexpr hsize_t kChunkElements = hsize_t{1} << 18;
constexpr int kDeflateLevel = 1;

detail::Storage storage_for(hsize_t size) {
  if (size == 0) return {};  // HDF5 cannot chunk an empty fixed-size dataset
  return {{std::min(size, kChunkElements)}, kDeflateLevel, true};
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

void write_labels(const detail::Checker& check, hid_t file,
                  const std::vector<std::string>& labels) {
  std::vector<const char*> text(labels.size());
  for (std::size_t v = 0; v < labels.size(); ++v) text[v] = labels[v].c_str();
  const detail::Datatype type = detail::string_type(check);
  const detail::Dataset ds = detail::create_dataset(
      check, file, "labels", type.get(), {labels.size()}, {}, storage_for(labels.size()));
  if (!labels.empty()) {
    check.ok(H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, text.data()),
             "cannot write dataset labels");
  }
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
  detail::write_vector(check, root, "offsets", out.offsets, storage_for(out.offsets.size()));
  detail::write_vector(check, root, "targets", out.targets, storage_for(out.targets.size()));
  if (!g.weights().empty()) {
    detail::write_vector(check, root, "weights", g.weights(), storage_for(g.weights().size()));
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
  info.labelled = has_link(check, file, "labels");
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

GraphCacheInfo read_graph_cache_info(const std::filesystem::path& path) {
  detail::silence_errors();
  const detail::Checker check(path, detail::Failure::kInput);
  const detail::File file = detail::open_for_reading(check);
  return read_info(check, file.get());
}

SocialGraph load_graph_cache(const std::filesystem::path& path, VertexAttributes* attributes) {
  detail::silence_errors();
  const detail::Checker check(path, detail::Failure::kInput);
  const detail::File file = detail::open_for_reading(check);
  const GraphCacheInfo info = read_info(check, file.get());
  const VertexId n = info.num_vertices;
  const ArcId m = info.num_arcs;

  auto offsets = detail::read_vector<ArcId>(check, file.get(), "offsets", hsize_t{n} + 1);
  if (offsets.front() != 0 || offsets.back() != m) {
    check.fail(fmt::format("corrupt graph cache: offsets run from {} to {}, expected 0 to {}",
                           offsets.front(), offsets.back(), m));
  }
  auto targets = detail::read_vector<VertexId>(check, file.get(), "targets", m);
  std::vector<float> weights;
  if (info.weighted) weights = detail::read_vector<float>(check, file.get(), "weights", m);
  std::vector<std::string> labels;
  if (info.labelled) labels = read_labels(check, file.get(), n);

  for (VertexId v = 0; v < n; ++v) {
    if (offsets[v] > offsets[v + 1]) {
      check.fail(fmt::format("corrupt graph cache: offsets decrease at vertex {}", v));
    }
  }
  for (ArcId a = 0; a < m; ++a) {
    if (targets[a] >= n) {
      check.fail(fmt::format("corrupt graph cache: arc {} points to vertex {} of {}", a, targets[a], n));
    }
  }
  // The saved arrays are the CSR itself, so arc ids, and with them the weights, stay as saved.
  SocialGraph g = SocialGraph::from_csr(std::move(offsets), std::move(targets), std::move(weights),
                                        std::move(labels));
  g.set_description(info.description);
  const std::uint64_t checksum = g.checksum();
  if (checksum != info.checksum) {
    check.fail(
        fmt::format("corrupt graph cache: checksum {:016x} of the loaded graph differs "
                    "from the stored {:016x}; delete the file to rebuild it",
                    checksum, info.checksum));
  }
  if (attributes != nullptr) *attributes = read_attributes(check, file.get(), info);
  return g;
}

}  // namespace softpower
