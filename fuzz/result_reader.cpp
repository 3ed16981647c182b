// libFuzzer harness: the result file reader (output/result_reader.hpp), the one `merge`,
// `report`, `export` and `rerun` use, on arbitrary bytes written to a temporary file: open,
// then read every row (at most 64). Also `softpower info`'s describe_file. Correct answers:
// data, or InputError. Anything else is a finding.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_support.hpp"
#include "output/file_info.hpp"
#include "output/result_reader.hpp"
#include "sim/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static softpower::fuzz::InputFile file("result_reader", ".h5");
  const auto& path = file.write(data, size);
  try {
    const softpower::ResultReader reader(path);
    const std::size_t rows = std::min<std::size_t>(reader.provenance().num_runs, 64);
    for (std::size_t row = 0; row < rows; ++row) (void)reader.read_run(row);
  } catch (const softpower::InputError&) {
  }
  try {
    (void)softpower::describe_file(path);
  } catch (const softpower::InputError&) {
  }
  return 0;
}
