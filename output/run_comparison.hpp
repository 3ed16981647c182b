// Compares a run as a result file stores it with the same run computed again: the check behind
// `softpower rerun`, and behind `softpower export` regenerating the events of a run recorded
// without them. Bit for bit: floating-point values compare by their bit patterns, so a NaN equals
// the same NaN and 0.0 differs from -0.0, exactly as two files' bytes would.
#pragma once

#include <string>
#include <vector>

#include "sim/run_result.hpp"

namespace softpower {

/// The per-run datasets of a result file: what ResultReader reports of a file, or what an
/// engine would write.
struct StoredLayout {
  std::vector<MetricSpec> metrics;
  std::vector<SeriesSpec> series;
  VertexId snapshot_users = 0;  // 0: no /attitude
  EventsLayout events;          // disabled: no /events
};

/// Where one dataset of one run first differs.
struct RunDifference {
  std::string dataset;  // as named in the file: "/params", "/metrics/reads", "/events/reads", ...
  RunId run = 0;
  std::string where;  // the first differing element: "step 17", "item 4, reads", "length"
  std::string stored;
  std::string recomputed;
};

/// The per-run datasets of a file of `layout`, in file order (/params, /metrics/<name>,
/// /attitude/..., /items, /events/...): the names compare_runs() reports differences under.
[[nodiscard]] std::vector<std::string> run_datasets(const StoredLayout& layout);

/// How the datasets a recomputation produces differ from those of the file, one line each
/// ("/metrics/x: in the file but not computed"); empty when they have the same names, types,
/// columns and sizes.
[[nodiscard]] std::vector<std::string> layout_differences(const StoredLayout& stored,
                                                          const StoredLayout& recomputed);

/// The first difference in each dataset of run_datasets(layout) between `stored` and
/// `recomputed` (both of `layout`: check layout_differences first), in that order; empty when
/// the run was reproduced bit for bit. /params compares the seed, institution and steps_run
/// (the run column is the run id both are keyed by).
[[nodiscard]] std::vector<RunDifference> compare_runs(const StoredLayout& layout,
                                                      const RunResult& stored,
                                                      const RunResult& recomputed);

}  // namespace softpower
