#include "apps/point_context.hpp"

#include <tbb/task_arena.h>

#include <algorithm>
#include <mutex>

#include "models/censorship/pipeline.hpp"

namespace softpower::cli {
namespace {

// yaml-cpp nodes are not thread-safe even to read: a lookup by key creates a node in the memory
// its tree shares. Every point's scenario shares subtrees with the base scenario, so what reads
// YAML (the point's scenario, its models' parameters) is built under this lock, while the graph
// and the engine, the costly parts, are built outside it. Without it, two points built at once
// crashed in yaml-cpp now and then under load.
std::mutex yaml_mutex;

}  // namespace

std::shared_ptr<const PointContext> build_point_context(const SweepPlan& plan, std::uint64_t point,
                                                        std::shared_ptr<const PreparedGraph> graph,
                                                        bool always_record_events) {
  auto c = std::make_shared<PointContext>();
  {
    const std::lock_guard lock(yaml_mutex);
    c->scenario = plan.base.sweep_node ? scenario_at_point(plan.base, plan.sweep, point) : plan.base;
  }
  const Scenario& s = c->scenario;
  c->graph = graph ? std::move(graph) : std::make_shared<const PreparedGraph>(prepare_graph(s));
  {
    const std::lock_guard lock(yaml_mutex);
    c->diffusion = make_diffusion_model(s);
    c->strategy = make_strategy_model(s, c->graph.get());
    c->filter = make_platform_filter(s);
    c->attitude = make_attitude_model(s, c->graph.get());
  }
  const PreparedGraph& g = *c->graph;
  const EngineConfig config{.seed = s.seed,
                            .num_steps = s.time.num_steps(),
                            .step_hours = s.time.step_hours,
                            .filter = c->filter.get(),
                            .region = g.region,
                            .groups = &g.groups,
                            .attitude = c->attitude.get(),
                            .community = g.community,
                            .record_events = s.exports.enabled || always_record_events};
  c->engine = std::make_unique<Engine>(g.graph, g.publisher, *c->diffusion, *c->strategy, config);
  return c;
}

PointContexts::PointContexts(const SweepPlan& plan, std::shared_ptr<const PreparedGraph> shared_graph,
                             std::size_t keep_recent, bool always_record_events)
    : plan_(plan),
      shared_graph_(std::move(shared_graph)),
      keep_recent_(keep_recent),
      always_record_events_(always_record_events) {}

void PointContexts::add_runs(std::span<const RunId> runs) {
  std::lock_guard lock(mutex_);
  for (RunId run : runs) ++entries_[plan_.sweep.point_of(run)].runs_left;
}

std::shared_ptr<const PointContext> PointContexts::acquire(std::uint64_t point) {
  std::promise<std::shared_ptr<const PointContext>> promise;
  std::shared_future<std::shared_ptr<const PointContext>> future;
  bool build = false;
  {
    std::lock_guard lock(mutex_);
    Entry& entry = entries_[point];
    const auto kept = std::find_if(recent_.begin(), recent_.end(), [&](const auto& r) { return r.first == point; });
    if (!entry.context.valid() && kept != recent_.end()) {
      entry.context = kept->second;
      recent_.erase(kept);
    }
    if (!entry.context.valid()) {
      entry.context = promise.get_future().share();
      build = true;
    }
    future = entry.context;
  }
  if (build) {
    try {
      // Isolated, so that while this thread waits inside the build's own parallel loops it
      // does not pick up another run and block on this very future.
      promise.set_value(tbb::this_task_arena::isolate(
          [&] { return build_point_context(plan_, point, shared_graph_, always_record_events_); }));
    } catch (...) {
      promise.set_exception(std::current_exception());
    }
  }
  return future.get();
}

void PointContexts::release(std::uint64_t point) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(point);
  if (it == entries_.end() || --it->second.runs_left > 0) return;
  recent_.emplace_back(point, std::move(it->second.context));
  while (recent_.size() > keep_recent_) recent_.erase(recent_.begin());
  entries_.erase(it);
}

void PointContexts::seed(std::uint64_t point, std::shared_ptr<const PointContext> context) {
  std::promise<std::shared_ptr<const PointContext>> promise;
  promise.set_value(std::move(context));
  std::lock_guard lock(mutex_);
  recent_.emplace_back(point, promise.get_future().share());
}

}  // namespace softpower::cli
