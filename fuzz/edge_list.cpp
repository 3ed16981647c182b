// libFuzzer harness: the edge-list importer (sim/edge_list.hpp) on arbitrary bytes, in each of
// its modes (directed, weighted, extra columns, comment character) chosen by the first byte.
// Correct answers: a graph, or InputError. Anything else (a crash, another exception, a
// sanitizer report) is a finding.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_support.hpp"
#include "sim/edge_list.hpp"
#include "sim/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static softpower::fuzz::InputFile file("edge_list", ".txt");
  softpower::EdgeListOptions opt;
  if (size > 0) {
    const std::uint8_t mode = data[0];
    opt.directed = (mode & 1) != 0;
    opt.weighted = (mode & 2) != 0;
    opt.ignore_extra_columns = (mode & 4) != 0;
    opt.comment = (mode & 8) != 0 ? '/' : '#';
    ++data;
    --size;
  }
  const auto& path = file.write(data, size);
  softpower::ImportReport report;
  softpower::VertexAttributes attributes;
  try {
    // A low vertex limit, so the limit's own error path is reachable by small inputs.
    const softpower::SocialGraph g = softpower::detail::import_edge_list(path, opt, &report, 1000, &attributes);
    (void)g.checksum();
  } catch (const softpower::InputError&) {
  }
  return 0;
}
