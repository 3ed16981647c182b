#include "apps/run_executor.hpp"

#include <fmt/format.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>

#include "sim/error.hpp"

namespace softpower::cli {
namespace {

bool same_layout(const std::vector<SeriesSpec>& a, const std::vector<SeriesSpec>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const SeriesSpec& x, const SeriesSpec& y) {
    return x.name == y.name && x.columns == y.columns;
  });
}

}  // namespace

void execute_runs(std::span<const RunId> runs, const Sweep& sweep, PointContexts& contexts,
                  const RunLayout& layout, const std::atomic<bool>& stop,
                  const std::function<bool(RunResult&&)>& sink) {
  std::atomic<bool> sink_closed{false};
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, runs.size(), 1), [&](const tbb::blocked_range<std::size_t>& range) {
    for (std::size_t i = range.begin(); i != range.end(); ++i) {
      if (stop.load(std::memory_order_relaxed) || sink_closed.load(std::memory_order_relaxed)) return;
      const RunId run = runs[i];
      const std::uint64_t point = sweep.point_of(run);
      const auto context = contexts.acquire(point);
      struct Release {
        PointContexts& contexts;
        std::uint64_t point;
        ~Release() { contexts.release(point); }
      } release{contexts, point};
      const Engine& engine = *context->engine;
      if (!same_layout(engine.series_specs(), layout.series) || engine.snapshot_users() != layout.snapshot_users ||
          engine.events_layout() != layout.events) {
        throw InputError(fmt::format(
            "{}: sweep point {} stores different attitude series, snapshots or events than point {} (an axis "
            "changes the attitude or export section, the number of users, regions or communities); a sweep's "
            "runs must share one output layout",
            layout.scenario_file, point, layout.first_point));
      }
      RunResult result;
      try {
        // Isolated: while this run waits in its own parallel loops, its thread helps only them
        // instead of starting another run on top of this one's stack (memory, and a deadlock on
        // a context another thread is building).
        result = tbb::this_task_arena::isolate([&] { return engine.run(sweep.stream_of(run), &stop); });
      } catch (const RunCancelled&) {
        return;
      }
      result.run = run;
      if (!sink(std::move(result))) {
        sink_closed = true;
        return;
      }
    }
  });
}

}  // namespace softpower::cli
