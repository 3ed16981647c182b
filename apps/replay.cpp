#include "apps/replay.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <atomic>
#include <filesystem>

#include "apps/run_executor.hpp"
#include "sim/error.hpp"
#include "sim/sweep.hpp"

namespace softpower::cli {
namespace {

// A sweep file stores its base scenario and its sweep block apart (/scenario, /sweep): joined,
// they are the scenario the sweep was planned from.
Scenario stored_scenario(const std::string& file, const Provenance& prov,
                         const std::filesystem::path& scenario_dir) {
  const std::string where = file + ": /scenario";
  if (!prov.sweep) return parse_scenario(prov.scenario_text, where, {}, scenario_dir);
  YAML::Node root = YAML::Load(prov.scenario_text);
  root["sweep"] = YAML::Load(prov.sweep->text);
  YAML::Emitter text;
  text << root;
  return parse_scenario(text.c_str(), where, {}, scenario_dir);
}

bool graph_from_file(const Scenario& s) {
  return s.graph.type == "edge_list" || s.graph.type == "graphml" || s.graph.type == "cache";
}

}  // namespace

StoredLayout stored_layout(const ResultReader& reader) {
  return {.metrics = reader.metrics(),
          .series = reader.series(),
          .snapshot_users = reader.snapshot_users(),
          .events = reader.events_layout()};
}

StoredLayout engine_layout(const Engine& engine) {
  return {.metrics = Engine::metric_specs(),
          .series = engine.series_specs(),
          .snapshot_users = engine.snapshot_users(),
          .events = engine.events_layout()};
}

Replay::Replay(std::string file, const ResultReader& reader, const std::string& scenario_dir,
               bool always_record_events)
    : file_(std::move(file)),
      scenario_dir_(!scenario_dir.empty() ? scenario_dir
                    : !reader.provenance().scenario_dir.empty()
                        ? reader.provenance().scenario_dir
                        : std::filesystem::current_path().string()),
      first_run_(reader.provenance().run_ids.front()),
      always_record_events_(always_record_events),
      fnv1a_checksums_(reader.format_version() < 2),
      plan_(plan_sweep(stored_scenario(file_, reader.provenance(), scenario_dir_))) {}

std::shared_ptr<const PointContext> Replay::context(RunId run) {
  const std::uint64_t point = plan_.sweep.point_of(run);
  if (!cached_ || cached_point_ != point) {
    cached_ = build_point_context(plan_, point, shared_graph_, always_record_events_);
    cached_point_ = point;
    if (!sweep_changes_graph(plan_.sweep)) shared_graph_ = cached_->graph;
  }
  return cached_;
}

bool Replay::records_graph_of(RunId run) const {
  return !sweep_changes_graph(plan_.sweep) ||
         plan_.sweep.point_of(run) == plan_.sweep.point_of(first_run_);
}

void Replay::check_graph(RunId run, std::uint64_t recorded) {
  const auto c = context(run);
  const SocialGraph& graph = c->graph->graph;
  const std::uint64_t checksum = graph_checksum(graph);
  if (checksum == recorded) return;
  const Scenario& s = c->scenario;
  const std::string cause =
      graph_from_file(s)
          ? fmt::format(
                "the graph file {} changed since the run, or the scenario's relative graph path "
                "resolves "
                "elsewhere (pass --scenario-dir, the folder of the scenario file)",
                resolve_path(s, s.graph.path).string())
          : "this softpower version generates another graph from the same parameters";
  throw InputError(
      fmt::format("{}: the graph rebuilt from the stored scenario ({}) is not the graph run {} ran "
                  "on (checksum {:016x}, "
                  "recorded {:016x}): {}",
                  file_, graph.description(), run, checksum, recorded, cause));
}

std::uint64_t Replay::graph_checksum(const SocialGraph& graph) {
  if (!fnv1a_checksums_) return graph.checksum();
  const std::lock_guard lock(fnv1a_mutex_);
  auto [it, added] = fnv1a_of_checksum_.try_emplace(graph.checksum(), 0);
  if (added) it->second = graph.fnv1a_checksum();
  return it->second;
}

void Replay::execute(std::span<const RunId> runs, const std::function<void(RunResult&&)>& sink) {
  if (runs.empty()) return;
  const auto first = context(runs.front());
  const RunLayout layout{.series = first->engine->series_specs(),
                         .snapshot_users = first->engine->snapshot_users(),
                         .events = first->engine->events_layout(),
                         .first_point = cached_point_,
                         .scenario_file = file_};
  PointContexts contexts(plan_, shared_graph_, 0, always_record_events_);
  contexts.seed(cached_point_, first);
  contexts.add_runs(runs);
  const std::atomic<bool> never_stop{false};
  execute_runs(runs, plan_.sweep, contexts, layout, never_stop, [&](RunResult&& result) {
    if (fnv1a_checksums_ && result.events.recorded()) {
      // Every graph a run used went through check_graph() first, except other points' graphs
      // of a sweep that varies the graph: theirs stay as computed, and a comparison says so.
      const std::lock_guard lock(fnv1a_mutex_);
      if (const auto it = fnv1a_of_checksum_.find(result.events.graph_checksum);
          it != fnv1a_of_checksum_.end()) {
        result.events.graph_checksum = it->second;
      }
    }
    sink(std::move(result));
    return true;
  });
}

}  // namespace softpower::cli
