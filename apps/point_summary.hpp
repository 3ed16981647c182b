// The table `softpower sweep` prints at the end: each point's swept values and mean outcomes
// over its replicates.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "output/result_writer.hpp"
#include "output/run_outcome.hpp"
#include "sim/run_result.hpp"
#include "sim/sweep.hpp"

namespace softpower::cli {

/// Per-point means for the closing table, fed every run the file receives.
class PointSummary {
 public:
  PointSummary(const Sweep& sweep, const std::vector<SeriesSpec>& series, double step_hours);
  void add(const RunResult& r);
  void print(const std::vector<ParamColumn>& columns) const;

 private:
  struct Point {
    std::uint64_t runs = 0, items = 0, reads = 0;
    double reach = 0, reach_squares = 0;
    MeanAndError peak_index, peak_index_reached;
  };

  const Sweep& sweep_;
  std::vector<Point> points_;
  std::size_t reach_metric_;
  std::optional<std::size_t> index_series_, reached_index_series_;
  double step_hours_;
};

}  // namespace softpower::cli
