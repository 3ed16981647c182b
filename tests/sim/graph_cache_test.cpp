#include "sim/graph_cache.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <softpower/version.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/detail/hdf5.hpp"
#include "output/result_writer.hpp"
#include "sim/checksum.hpp"
#include "sim/error.hpp"
#include "tests/support/test_support.hpp"

namespace softpower {
namespace {

namespace fs = std::filesystem;

using testing_support::offsets_of;
using testing_support::targets_of;
using testing_support::TempDir;

const detail::Checker kEdit("(test edit)", detail::Failure::kRuntime);

void expect_same_graph(const SocialGraph& a, const SocialGraph& b) {
  EXPECT_EQ(a.num_vertices(), b.num_vertices());
  EXPECT_EQ(a.num_arcs(), b.num_arcs());
  EXPECT_EQ(offsets_of(a.out_view()), offsets_of(b.out_view()));
  EXPECT_EQ(targets_of(a.out_view()), targets_of(b.out_view()));
  EXPECT_EQ(offsets_of(a.in_view()), offsets_of(b.in_view()));
  EXPECT_EQ(targets_of(a.in_view()), targets_of(b.in_view()));
  EXPECT_EQ(std::vector<ArcId>(a.in_arc_ids().begin(), a.in_arc_ids().end()),
            std::vector<ArcId>(b.in_arc_ids().begin(), b.in_arc_ids().end()));
  EXPECT_EQ(a.weights(), b.weights());
  EXPECT_EQ(a.labels(), b.labels());
  EXPECT_EQ(a.description(), b.description());
  EXPECT_EQ(a.checksum(), b.checksum());
}

SocialGraph small_graph(bool weighted, bool labelled) {
  std::vector<ArcInput> arcs{{0, 1}, {0, 2}, {1, 2}, {2, 0}, {3, 4}, {4, 3}, {4, 0}};
  std::vector<float> weights;
  if (weighted) weights = {0.5f, 1.5f, 2.0f, 0.25f, 3.0f, 1e-7f, 42.0f};
  std::vector<std::string> labels;
  if (labelled) labels = {"alice", "Zürich", "", "user 3", "北京"};
  SocialGraph g = SocialGraph::from_arcs(5, std::move(arcs), std::move(weights), std::move(labels));
  g.set_description("test graph weighted=" + std::to_string(weighted));
  return g;
}

std::string load_error(const fs::path& path) {
  try {
    static_cast<void>(load_graph_cache(path));
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

/// Opens a cache for editing, to corrupt it the way a bad disk or a bad tool would.
detail::File open_for_edit(const fs::path& path) {
  return detail::File(kEdit.id(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "open"));
}

template <class T>
void overwrite_attribute(const fs::path& path, const char* name, T value) {
  const detail::File file = open_for_edit(path);
  const detail::Attribute attr(kEdit.id(H5Aopen(file.get(), name, H5P_DEFAULT), "open attr"));
  kEdit.ok(H5Awrite(attr.get(), detail::native_type<T>(), &value), "write attr");
}

template <class T>
void overwrite_element(const fs::path& path, const char* dataset, hsize_t index, T value) {
  const detail::File file = open_for_edit(path);
  const detail::Dataset ds(kEdit.id(H5Dopen2(file.get(), dataset, H5P_DEFAULT), "open"));
  const detail::Dataspace space(kEdit.id(H5Dget_space(ds.get()), "space"));
  const hsize_t one = 1;
  kEdit.ok(H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, &index, nullptr, &one, nullptr),
           "select");
  const detail::Dataspace mem(kEdit.id(H5Screate_simple(1, &one, nullptr), "mem"));
  kEdit.ok(
      H5Dwrite(ds.get(), detail::native_type<T>(), mem.get(), space.get(), H5P_DEFAULT, &value),
      "write");
}

TEST(GraphCache, RoundTripsAPlainGraph) {
  TempDir dir;
  const SocialGraph g = small_graph(false, false);
  const fs::path path = dir.path() / "plain.h5";
  save_graph_cache(g, path);
  EXPECT_FALSE(fs::exists(dir.path() / "plain.h5.partial"));
  const SocialGraph loaded = load_graph_cache(path);
  expect_same_graph(g, loaded);
  EXPECT_TRUE(loaded.weights().empty());
  EXPECT_TRUE(loaded.labels().empty());
}

TEST(GraphCache, RoundTripsWeightsAndLabels) {
  TempDir dir;
  const SocialGraph g = small_graph(true, true);
  const fs::path path = dir.path() / "nested" / "dirs" / "full.h5";  // parents are created
  save_graph_cache(g, path);
  const SocialGraph loaded = load_graph_cache(path);
  expect_same_graph(g, loaded);
  EXPECT_EQ(loaded.label(1), "Zürich");
  EXPECT_EQ(loaded.label(2), "");
  EXPECT_EQ(loaded.weights()[6], 1e-7f);  // arc 4->3 sorts after 4->0
}

TEST(GraphCache, KeepsArcIdsOfANonCanonicalGraph) {
  TempDir dir;
  // Targets out of order within a source, a duplicate arc and a self-loop, kept as given.
  const SocialGraph g =
      SocialGraph::from_arcs(3, {{0, 2}, {0, 1}, {0, 2}, {1, 1}, {2, 0}}, {1.f, 2.f, 3.f, 4.f, 5.f},
                             {}, BuildOptions{.canonicalize = false});
  const fs::path path = dir.path() / "raw.h5";
  save_graph_cache(g, path);
  const SocialGraph loaded = load_graph_cache(path);
  expect_same_graph(g, loaded);
  EXPECT_EQ(targets_of(loaded.out_view()), (std::vector<VertexId>{2, 1, 2, 1, 0}));
  EXPECT_EQ(loaded.weights(), (std::vector<float>{1.f, 2.f, 3.f, 4.f, 5.f}));
}

TEST(GraphCache, RoundTripsGraphsWithoutArcsOrVertices) {
  TempDir dir;
  const SocialGraph no_arcs = SocialGraph::from_arcs(4, {}, {}, {"a", "b", "c", "d"});
  save_graph_cache(no_arcs, dir.path() / "no_arcs.h5");
  expect_same_graph(no_arcs, load_graph_cache(dir.path() / "no_arcs.h5"));
  const SocialGraph empty = SocialGraph::from_arcs(0, {});
  save_graph_cache(empty, dir.path() / "empty.h5");
  expect_same_graph(empty, load_graph_cache(dir.path() / "empty.h5"));
}

TEST(GraphCache, ReadsInfoWithoutLoading) {
  TempDir dir;
  const SocialGraph g = small_graph(true, false);
  const fs::path path = dir.path() / "info.h5";
  save_graph_cache(g, path);
  const GraphCacheInfo info = read_graph_cache_info(path);
  EXPECT_EQ(info.format_version, kGraphCacheFormatVersion);
  EXPECT_EQ(info.softpower_version, kVersion);
  EXPECT_EQ(info.description, g.description());
  EXPECT_EQ(info.checksum, g.checksum());
  EXPECT_EQ(info.num_vertices, 5u);
  EXPECT_EQ(info.num_arcs, 7u);
  EXPECT_TRUE(info.weighted);
  EXPECT_FALSE(info.labelled);
}

// --- regions and communities ---

VertexAttributes small_attributes() { return {{0, 1, 1, 0, 1}, {2, 0, 4, 2, 1}}; }

TEST(GraphCache, RoundTripsRegionsAndCommunities) {
  TempDir dir;
  const SocialGraph g = small_graph(true, true);
  const fs::path path = dir.path() / "attributes.h5";
  save_graph_cache(g, path, small_attributes());
  VertexAttributes loaded_attributes;
  const SocialGraph loaded = load_graph_cache(path, &loaded_attributes);
  expect_same_graph(g, loaded);
  EXPECT_EQ(loaded_attributes.region, small_attributes().region);
  EXPECT_EQ(loaded_attributes.community, small_attributes().community);
  const GraphCacheInfo info = read_graph_cache_info(path);
  EXPECT_TRUE(info.has_region);
  EXPECT_TRUE(info.has_community);
  EXPECT_EQ(info.checksum, g.checksum()) << "the graph checksum does not cover the attributes";
  EXPECT_EQ(info.format_version, kGraphCacheFormatVersion) << "optional datasets an older reader can ignore";
  expect_same_graph(g, load_graph_cache(path));  // without asking for the attributes
}

TEST(GraphCache, EitherAttributeAlone) {
  TempDir dir;
  const fs::path path = dir.path() / "community.h5";
  save_graph_cache(small_graph(false, false), path, {{}, {0, 0, 1, 1, 1}});
  VertexAttributes a{{1}, {}};
  load_graph_cache(path, &a);
  EXPECT_TRUE(a.region.empty());
  EXPECT_EQ(a.community, (std::vector<std::uint32_t>{0, 0, 1, 1, 1}));
  EXPECT_FALSE(read_graph_cache_info(path).has_region);
  save_graph_cache(small_graph(false, false), path, {{1, 1, 1, 1, 0}, {}});
  load_graph_cache(path, &a);
  EXPECT_EQ(a.region, (std::vector<std::uint8_t>{1, 1, 1, 1, 0}));
  EXPECT_TRUE(a.community.empty());
}

// A cache without the attribute datasets, as every cache written before they existed.
TEST(GraphCache, CachesWithoutAttributesLoadWithNone) {
  TempDir dir;
  const fs::path path = dir.path() / "old.h5";
  save_graph_cache(small_graph(true, true), path);
  VertexAttributes a{{1}, {1}};
  expect_same_graph(small_graph(true, true), load_graph_cache(path, &a));
  EXPECT_TRUE(a.empty());
  const GraphCacheInfo info = read_graph_cache_info(path);
  EXPECT_FALSE(info.has_region);
  EXPECT_FALSE(info.has_community);
  const detail::File file = open_for_edit(path);
  EXPECT_FALSE(detail::has_attribute(kEdit, file.get(), "attributes_checksum"));
}

TEST(GraphCache, AttributesOfTheWrongSizeOrRangeAreNotSaved) {
  TempDir dir;
  const fs::path path = dir.path() / "bad.h5";
  EXPECT_THROW(save_graph_cache(small_graph(false, false), path, {{0, 1}, {}}),
               std::invalid_argument);
  EXPECT_THROW(save_graph_cache(small_graph(false, false), path, {{0, 1, 2, 0, 0}, {}}),
               std::invalid_argument);
  EXPECT_THROW(save_graph_cache(small_graph(false, false), path, {{}, {0, 0, 0, 0, 5}}),
               std::invalid_argument);
  EXPECT_FALSE(fs::exists(path));
}

TEST(GraphCache, CorruptAttributesAreInputErrors) {
  TempDir dir;
  const fs::path path = dir.path() / "corrupt.h5";
  auto error = [&path] {
    try {
      VertexAttributes a;
      static_cast<void>(load_graph_cache(path, &a));
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("(no InputError)");
  };
  save_graph_cache(small_graph(false, false), path, small_attributes());
  overwrite_element<std::uint8_t>(path, "region", 1, 7);
  EXPECT_EQ(error(), path.string() + ": corrupt graph cache: region of vertex 1 is 7, not 0 or 1");

  save_graph_cache(small_graph(false, false), path, small_attributes());
  overwrite_element<std::uint32_t>(path, "community", 4, 9);
  EXPECT_EQ(error(), path.string() + ": corrupt graph cache: community of vertex 4 is 9, not below 5");

  save_graph_cache(small_graph(false, false), path, small_attributes());
  overwrite_element<std::uint32_t>(path, "community", 4, 3);  // valid: only the checksum can tell
  EXPECT_TRUE(contains(error(), "corrupt graph cache: checksum ")) << error();
  EXPECT_TRUE(contains(error(), "of the loaded regions and communities differs")) << error();
  EXPECT_NO_THROW(load_graph_cache(path)) << "not read unless asked for";

  save_graph_cache(small_graph(false, false), path, small_attributes());
  {
    const detail::File file = open_for_edit(path);
    kEdit.ok(H5Adelete(file.get(), "attributes_checksum"), "delete");
  }
  EXPECT_EQ(error(),
            path.string() + ": corrupt graph cache: region or community without attributes_checksum");
}

TEST(GraphCache, MissingAndNonHdf5FilesAreInputErrors) {
  TempDir dir;
  const fs::path missing = dir.path() / "missing.h5";
  EXPECT_EQ(load_error(missing), missing.string() + ": no such file");
  const fs::path text = dir.path() / "text.h5";
  std::ofstream(text) << "0 1\n1 2\n";
  EXPECT_EQ(load_error(text), text.string() + ": not an HDF5 file");
}

TEST(GraphCache, AResultFileIsNotAGraphCache) {
  TempDir dir;
  const fs::path path = dir.path() / "result.h5";
  Provenance prov;
  prov.num_steps = 1;
  ResultWriter w(path, prov, {});
  w.write_run({});
  w.finish();
  EXPECT_EQ(load_error(path),
            path.string() + ": not a softpower graph cache (no file_kind = \"softpower-graph\")");
}

TEST(GraphCache, TruncatedFileIsAnInputError) {
  TempDir dir;
  const fs::path path = dir.path() / "truncated.h5";
  save_graph_cache(small_graph(true, true), path);
  fs::resize_file(path, fs::file_size(path) / 2);
  const std::string message = load_error(path);
  EXPECT_TRUE(message.starts_with(path.string() + ": ")) << message;
  EXPECT_NE(message, "(no InputError)");
}

TEST(GraphCache, FlippedChecksumIsAnInputError) {
  TempDir dir;
  const SocialGraph g = small_graph(false, true);
  const fs::path path = dir.path() / "flipped.h5";
  save_graph_cache(g, path);
  overwrite_attribute<std::uint64_t>(path, "checksum", g.checksum() ^ 1);
  const std::string message = load_error(path);
  EXPECT_TRUE(message.starts_with(path.string() + ": corrupt graph cache: checksum ")) << message;
  EXPECT_TRUE(contains(message, "delete the file to rebuild it")) << message;
}

TEST(GraphCache, ChangedArcIsCaughtByTheChecksum) {
  TempDir dir;
  const fs::path path = dir.path() / "changed.h5";
  save_graph_cache(small_graph(false, false), path);
  overwrite_element<VertexId>(path, "targets", 0,
                              3);  // still a valid vertex: only the checksum can tell
  EXPECT_TRUE(contains(load_error(path), "corrupt graph cache: checksum"));
}

TEST(GraphCache, OutOfRangeTargetIsAnInputError) {
  TempDir dir;
  const fs::path path = dir.path() / "range.h5";
  save_graph_cache(small_graph(false, false), path);
  overwrite_element<VertexId>(path, "targets", 6, 99);
  EXPECT_EQ(load_error(path),
            path.string() + ": corrupt graph cache: arc 6 points to vertex 99 of 5");
}

TEST(GraphCache, NonMonotoneOffsetsAreInputErrors) {
  TempDir dir;
  const fs::path path = dir.path() / "offsets.h5";
  save_graph_cache(small_graph(false, false), path);
  overwrite_element<ArcId>(path, "offsets", 1, 100);  // past the end, then back
  EXPECT_EQ(load_error(path),
            path.string() + ": corrupt graph cache: offsets decrease at vertex 1");
}

TEST(GraphCache, InconsistentSizesAreInputErrors) {
  TempDir dir;
  const fs::path path = dir.path() / "sizes.h5";
  save_graph_cache(small_graph(false, false), path);
  overwrite_attribute<std::uint64_t>(path, "num_arcs", 8);
  EXPECT_EQ(load_error(path),
            path.string() + ": corrupt graph cache: offsets run from 0 to 7, expected 0 to 8");
  overwrite_attribute<std::uint32_t>(path, "num_vertices", 6);
  EXPECT_EQ(load_error(path), path.string() + ": cannot read dataset offsets: expected 7 elements");
}

TEST(GraphCache, NewerFormatIsAnInputError) {
  TempDir dir;
  const fs::path path = dir.path() / "future.h5";
  save_graph_cache(small_graph(false, false), path);
  overwrite_attribute<std::uint32_t>(path, "format_version", kGraphCacheFormatVersion + 1);
  EXPECT_TRUE(contains(load_error(path), fmt::format("graph cache format {} is newer",
                                                     kGraphCacheFormatVersion + 1)))
      << load_error(path);
}

bool has_dataset(const fs::path& path, const char* name) {
  const detail::File file = open_for_edit(path);
  return H5Lexists(file.get(), name, H5P_DEFAULT) > 0;
}

TEST(GraphCache, MutualGraphsStoreOneDirectionOthersBoth) {
  TempDir dir;
  // Every arc has its reverse and rows are sorted: the in-arcs are the out-arcs.
  const SocialGraph mutual = SocialGraph::from_arcs(4, {{0, 1}, {1, 0}, {1, 2}, {2, 1}, {0, 3}, {3, 0}});
  const fs::path one = dir.path() / "mutual.h5";
  save_graph_cache(mutual, one);
  EXPECT_FALSE(has_dataset(one, "in_sources"));
  expect_same_graph(mutual, load_graph_cache(one));

  for (const bool weighted : {false, true}) {
    const SocialGraph g = small_graph(weighted, false);
    const fs::path both = dir.path() / fmt::format("both{}.h5", weighted);
    save_graph_cache(g, both);
    EXPECT_TRUE(has_dataset(both, "in_sources"));
    EXPECT_EQ(has_dataset(both, "in_arc_ids"), weighted);
    expect_same_graph(g, load_graph_cache(both));
  }
}

TEST(GraphCache, DamagedInArcsAreInputErrors) {
  TempDir dir;
  const fs::path path = dir.path() / "in.h5";
  const SocialGraph g = small_graph(true, false);
  save_graph_cache(g, path);
  overwrite_element<VertexId>(path, "in_sources", 2, 3);  // in range: only the checksum can tell
  EXPECT_TRUE(contains(load_error(path), "corrupt graph cache: checksum ")) << load_error(path);
  EXPECT_TRUE(contains(load_error(path), "of the loaded in-arcs")) << load_error(path);

  // A forged file whose checksum matches its out-of-range in-arc still cannot reach memory
  // outside the graph.
  save_graph_cache(g, path);
  std::vector<VertexId> sources(g.in_view().targets.begin(), g.in_view().targets.end());
  sources[2] = 99;
  overwrite_element<VertexId>(path, "in_sources", 2, 99);
  BlockChecksum forged;
  forged.add_array(g.in_view().offsets);
  forged.add_array(std::span<const VertexId>(sources));
  forged.add_array(g.in_arc_ids());
  overwrite_attribute<std::uint64_t>(path, "in_arcs_checksum", forged.value());
  EXPECT_EQ(load_error(path), path.string() + ": corrupt graph cache: in-arc 2 points to vertex 99 of 5");

  save_graph_cache(small_graph(true, false), path);
  overwrite_element<ArcId>(path, "in_arc_ids", 0, 1000);
  EXPECT_TRUE(contains(load_error(path), "corrupt graph cache: checksum ")) << load_error(path);
}

// Caches written by softpower 0.1 (format 1: deflated arcs, FNV-1a checksum, in-arcs derived
// on load) still load, and give the graph they were made from.
TEST(GraphCache, ReadsFormatOneCaches) {
  const fs::path fixtures = fs::path(SOFTPOWER_FIXTURES_DIR) / "format1";
  VertexAttributes attributes;
  const SocialGraph g = load_graph_cache(fixtures / "cache_v1.h5", &attributes);
  EXPECT_EQ(g.num_vertices(), 200u);
  EXPECT_EQ(g.num_arcs(), 1760u);
  EXPECT_EQ(g.fnv1a_checksum(), 0x85929d78f32bad6aull);  // as `softpower info` printed it
  EXPECT_EQ(attributes.community.size(), 200u);
  const SocialGraph regenerated = SocialGraph::from_csr(
      {g.out_view().offsets.begin(), g.out_view().offsets.end()},
      {g.out_view().targets.begin(), g.out_view().targets.end()});
  EXPECT_EQ(g.checksum(), regenerated.checksum());

  const SocialGraph weighted = load_graph_cache(fixtures / "weighted_v1.h5");
  EXPECT_EQ(weighted.num_arcs(), 4u);
  EXPECT_EQ(weighted.fnv1a_checksum(), 0x0da1aa217cb91021ull);
  EXPECT_EQ(weighted.labels(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(weighted.in_arc_ids().size(), 4u);
}

TEST(GraphCache, UnwritablePathIsARuntimeFailureAndLeavesNoPartialFile) {
  TempDir dir;
  std::ofstream(dir.path() / "file") << "x";
  const fs::path path = dir.path() / "file" / "cache.h5";
  try {
    save_graph_cache(small_graph(false, false), path);
    FAIL() << "saved under a regular file";
  } catch (const RuntimeFailure& e) {
    EXPECT_TRUE(contains(e.what(), path.string())) << e.what();
  }
  // HDF5 itself fails to create the file: the .partial path is a directory.
  const fs::path blocked = dir.path() / "blocked.h5";
  fs::create_directories(dir.path() / "blocked.h5.partial");
  EXPECT_THROW(save_graph_cache(small_graph(false, false), blocked), RuntimeFailure);
  EXPECT_FALSE(fs::exists(blocked));
}

TEST(GraphCache, LabelWithANulByteCannotBeCached) {
  TempDir dir;
  const SocialGraph g =
      SocialGraph::from_arcs(2, {{0, 1}}, {}, {"ok", std::string("bad\0label", 9)});
  const fs::path path = dir.path() / "nul.h5";
  EXPECT_THROW(save_graph_cache(g, path), InputError);
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(dir.path() / "nul.h5.partial"));
}

}  // namespace
}  // namespace softpower
