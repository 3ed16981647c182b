// libFuzzer harness: a scenario file's text through what `softpower validate` does without
// touching the disk: parse_scenario (YAML, keys, types, ranges, the sweep block), every model
// family's parameter checks, and the first points of a sweep. Correct answers: a scenario, or
// InputError. Anything else (another exception type means bad input would exit 1, not 2) is a
// finding.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "models/censorship/pipeline.hpp"
#include "models/registry.hpp"
#include "sim/error.hpp"
#include "sim/scenario.hpp"
#include "sim/sweep.hpp"

namespace {

void check_models(const softpower::Scenario& s) {
  (void)softpower::make_diffusion_model(s);
  (void)softpower::make_strategy_model(s, nullptr);
  (void)softpower::make_platform_filter(s);
  (void)softpower::make_attitude_model(s, nullptr);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const softpower::Scenario s = softpower::parse_scenario(text, "fuzz.yaml", {});
    if (!s.sweep_node) {
      check_models(s);
      return 0;
    }
    const softpower::Sweep sweep = softpower::expand_sweep(s);
    // A few points: each is a full parse of the base scenario with the axes' values set.
    for (std::uint64_t p = 0; p < std::min<std::uint64_t>(sweep.num_points(), 4); ++p) {
      check_models(softpower::scenario_at_point(s, sweep, p));
    }
  } catch (const softpower::InputError&) {
  }
  return 0;
}
