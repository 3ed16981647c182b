// The published WeChat ranges the report compares a result file with: report/data/
// wechat_ranges.yaml (copied, with its sources, from the project's calibration reference),
// compiled into the program so that a report needs no file beside the binary.
#pragma once

#include <string>
#include <vector>

namespace softpower::report {

struct ReferenceRange {
  std::string id;            // the reference row, e.g. "P22"
  std::string quantity;      // what the report computes ("none": not comparable with a result file)
  double low = 0, high = 0;  // fractions
  std::string label, source, grade;
};

/// The shipped ranges in file order. Throws std::runtime_error if the compiled-in text does
/// not parse (a build with a broken data file).
[[nodiscard]] const std::vector<ReferenceRange>& reference_ranges();

}  // namespace softpower::report
