// libFuzzer harness: the graph cache reader (sim/graph_cache.hpp) on arbitrary bytes written to
// a temporary file: read_graph_cache_info, then load_graph_cache with attributes. Correct
// answers: a graph, or InputError. Anything else is a finding.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_support.hpp"
#include "sim/error.hpp"
#include "sim/graph_cache.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static softpower::fuzz::InputFile file("graph_cache", ".h5");
  const auto& path = file.write(data, size);
  try {
    (void)softpower::read_graph_cache_info(path);
  } catch (const softpower::InputError&) {
  }
  try {
    softpower::VertexAttributes attributes;
    const softpower::SocialGraph g = softpower::load_graph_cache(path, &attributes);
    (void)g.checksum();
  } catch (const softpower::InputError&) {
  }
  return 0;
}
