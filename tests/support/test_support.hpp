// Helpers shared by the test suites: a scratch directory per test, the import fixtures, and the
// arcs of a graph as plain vectors that EXPECT_EQ can compare and print.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "sim/graph.hpp"

#ifndef SOFTPOWER_FIXTURES_DIR
#error "SOFTPOWER_FIXTURES_DIR must name <source>/tests/fixtures (tests/CMakeLists.txt defines it)"
#endif

namespace softpower::testing_support {

/// An empty directory under the system temp directory, unique to the running test (suite name,
/// test name and pid) and removed with everything in it when the object goes out of scope.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = "softpower_" + std::string(info->test_suite_name()) + "_" + info->name() +
                       "_" + std::to_string(::getpid());
    std::replace(name.begin(), name.end(), '/', '_');  // parameterized tests: Prefix/Suite.Name/0
    path_ = std::filesystem::temp_directory_path() / name;
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// A file or directory below tests/fixtures/import, e.g. import_fixture("graphml/yed.graphml").
inline std::filesystem::path import_fixture(const std::string& relative) {
  return std::filesystem::path(SOFTPOWER_FIXTURES_DIR "/import/" + relative);
}

/// The CSR arrays of a view (out_view() or in_view()) as vectors.
inline std::vector<ArcId> offsets_of(const CsrView& v) {
  return {v.offsets.begin(), v.offsets.end()};
}
inline std::vector<VertexId> targets_of(const CsrView& v) {
  return {v.targets.begin(), v.targets.end()};
}

/// The forward CSR arrays of `g` (its out_view()).
inline std::vector<ArcId> offsets_of(const SocialGraph& g) { return offsets_of(g.out_view()); }
inline std::vector<VertexId> targets_of(const SocialGraph& g) { return targets_of(g.out_view()); }

/// Every arc u->v of `g`, in CSR (arc id) order.
inline std::vector<std::pair<VertexId, VertexId>> arc_list(const SocialGraph& g) {
  std::vector<std::pair<VertexId, VertexId>> arcs;
  const CsrView out = g.out_view();
  arcs.reserve(out.num_arcs());
  for (VertexId u = 0; u < g.num_vertices(); ++u) {
    for (ArcId a = out.offsets[u]; a < out.offsets[u + 1]; ++a) {
      arcs.emplace_back(u, out.targets[a]);
    }
  }
  return arcs;
}

}  // namespace softpower::testing_support
