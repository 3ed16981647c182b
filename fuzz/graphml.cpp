// libFuzzer harness: the GraphML importer (sim/graphml.hpp) on arbitrary bytes, with and
// without node attributes and with each `directed` override, chosen by the first byte.
// Correct answers: a graph, or InputError. Anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <optional>

#include "fuzz/fuzz_support.hpp"
#include "sim/error.hpp"
#include "sim/graphml.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static softpower::fuzz::InputFile file("graphml", ".graphml");
  softpower::GraphmlOptions opt;
  bool with_attributes = true;
  if (size > 0) {
    const std::uint8_t mode = data[0];
    if ((mode & 3) == 1) opt.directed = true;
    if ((mode & 3) == 2) opt.directed = false;
    with_attributes = (mode & 4) == 0;
    if ((mode & 8) != 0) opt.weight_key.clear();
    ++data;
    --size;
  }
  const auto& path = file.write(data, size);
  softpower::ImportReport report;
  softpower::VertexAttributes attributes;
  try {
    const softpower::SocialGraph g =
        softpower::detail::import_graphml(path, opt, &report, 1000, with_attributes ? &attributes : nullptr);
    (void)g.checksum();
  } catch (const softpower::InputError&) {
  }
  return 0;
}
