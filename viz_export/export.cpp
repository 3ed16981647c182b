#include "viz_export/export.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <numeric>

#include "sim/error.hpp"
#include "sim/output_path.hpp"
#include "viz_export/cascade.hpp"
#include "viz_export/sampling.hpp"

namespace softpower::viz {
namespace {

constexpr const char* kOutcomeNames[] = {"read", "shared", "share_filtered", "self_censored"};

const char* outcome_name(ReadOutcome o) { return kOutcomeNames[static_cast<std::size_t>(o)]; }
const char* channel_name(Channel c) { return kChannelNames[static_cast<std::size_t>(c)]; }

std::unique_ptr<GraphWriter> make_writer(Format format, const ExportSpec& spec, std::ostream& out,
                                         GraphHeader header) {
  if (format == Format::kGraphml) return make_graphml_writer(out, std::move(header));
  return make_gexf_writer(out, std::move(header), spec.gexf_version == "1.2draft" ? GexfVersion::k1_2draft
                                                                                  : GexfVersion::k1_3);
}

// Diverging colours for attitudes in [-1, 1]: red (critical), light grey (neutral), blue
// (favourable), as ColorBrewer's RdBu ends.
Rgb attitude_color(double x) {
  const auto mix = [](std::uint8_t a, std::uint8_t b, double t) {
    return static_cast<std::uint8_t>(std::lround(a + (b - a) * t));
  };
  const Rgb neutral{240, 240, 240}, against{202, 0, 32}, favour{5, 113, 176};
  const double t = std::clamp(std::abs(x), 0.0, 1.0);
  const Rgb end = x < 0 ? against : favour;
  return {mix(neutral.r, end.r, t), mix(neutral.g, end.g, t), mix(neutral.b, end.b, t)};
}

// Without attitudes: how far each vertex got, from never reached to shared.
enum class Stage : std::uint8_t { kUnreached, kExposed, kRead, kShared, kStarter };
Rgb stage_color(Stage s) {
  switch (s) {
    case Stage::kUnreached: return {200, 200, 200};
    case Stage::kExposed: return {254, 224, 139};
    case Stage::kRead: return {253, 174, 97};
    case Stage::kShared: return {215, 48, 39};
    case Stage::kStarter: return {84, 39, 136};
  }
  return {};
}

// Reads credited to a vertex's deliveries set its size: 2 for none, +3 per doubling.
double reach_size(std::uint64_t passed_on) { return 2.0 + 3.0 * std::log2(1.0 + static_cast<double>(passed_on)); }

// Everything the network export says about the vertices and arcs, gathered in one pass over the
// reads.
struct RunTotals {
  std::vector<std::uint32_t> reads, shares, filtered, self_censored, passed_on;
  std::vector<std::pair<ArcId, std::uint32_t>> carried;  // (arc, reads credited along it), by arc
  // Per user, the steps of their reads and shares in step order (CSR by user), for dynamic files.
  std::vector<std::uint64_t> offsets;
  std::vector<Step> read_steps;
  std::vector<std::uint8_t> shared_at;  // parallel to read_steps: 1 if that read was shared
};

std::optional<ArcId> arc_between(const CsrView& out, VertexId from, VertexId to) {
  const auto begin = out.targets.begin() + static_cast<std::ptrdiff_t>(out.offsets[from]);
  const auto end = out.targets.begin() + static_cast<std::ptrdiff_t>(out.offsets[from + 1]);
  const auto it = std::lower_bound(begin, end, to);
  if (it == end || *it != to) return std::nullopt;
  return static_cast<ArcId>(it - out.targets.begin());
}

bool is_share(ReadOutcome o) { return o == ReadOutcome::kShared || o == ReadOutcome::kShareFiltered; }

RunTotals totals_of(const SocialGraph& g, const UserEvents& events, bool with_timelines) {
  const VertexId n = g.num_vertices();
  RunTotals t;
  t.reads.assign(n, 0);
  t.shares.assign(n, 0);
  t.filtered.assign(n, 0);
  t.self_censored.assign(n, 0);
  t.passed_on.assign(n, 0);
  const CsrView out = g.out_view();
  std::vector<ArcId> arcs;
  for (const ReadEvent& e : events.reads) {
    ++t.reads[e.user];
    t.shares[e.user] += is_share(e.outcome);
    t.filtered[e.user] += e.outcome == ReadOutcome::kShareFiltered;
    t.self_censored[e.user] += e.outcome == ReadOutcome::kSelfCensored;
    if (e.parent < n) {
      ++t.passed_on[e.parent];
      // Group shares reach members who need not be friends: they ride on no arc.
      if (const auto arc = arc_between(out, e.parent, e.user)) arcs.push_back(*arc);
    }
  }
  std::sort(arcs.begin(), arcs.end());
  for (ArcId arc : arcs) {
    if (t.carried.empty() || t.carried.back().first != arc) t.carried.emplace_back(arc, 0);
    ++t.carried.back().second;
  }
  if (with_timelines) {
    t.offsets.assign(static_cast<std::size_t>(n) + 1, 0);
    for (VertexId v = 0; v < n; ++v) t.offsets[v + 1] = t.offsets[v] + t.reads[v];
    std::vector<std::pair<Step, std::uint8_t>> by_user(events.reads.size());
    std::vector<std::uint64_t> next(t.offsets.begin(), t.offsets.end() - 1);
    for (const ReadEvent& e : events.reads) by_user[next[e.user]++] = {e.step, is_share(e.outcome) ? 1 : 0};
    for (VertexId v = 0; v < n; ++v) {
      std::sort(by_user.begin() + static_cast<std::ptrdiff_t>(t.offsets[v]),
                by_user.begin() + static_cast<std::ptrdiff_t>(t.offsets[v + 1]));
    }
    t.read_steps.reserve(by_user.size());
    t.shared_at.reserve(by_user.size());
    for (const auto& [step, shared] : by_user) {
      t.read_steps.push_back(step);
      t.shared_at.push_back(shared);
    }
  }
  return t;
}

void require_events(const ExportSource& source) {
  if (!source.run.events.recorded()) {
    throw InputError(fmt::format(
        "run {} has no per-user events: add an `export:` section (even `export: {{}}`) to the scenario and "
        "run it again",
        source.run.run));
  }
}

// Node attribute indices of the network export; the attitude ones exist only with attitudes,
// the dynamic ones only in dynamic files.
struct NetworkAttributes {
  std::vector<Attribute> list;
  std::size_t role, region, community = kNone, first_exposure, reads, shares, filtered, self_censored, passed_on;
  std::size_t attitude_initial = kNone, attitude_final = kNone, attitude_change = kNone;
  std::size_t aware = kNone, reads_so_far = kNone, shares_so_far = kNone, attitude = kNone;
  static constexpr std::size_t kNone = ~std::size_t{0};

  // Titles equal ids: NetworkX keys attributes by title, so one name works in every tool.
  std::size_t add(const std::string& id, AttrType type, bool dynamic = false) {
    list.push_back({id, id, type, dynamic});
    return list.size() - 1;
  }
  NetworkAttributes(bool communities, bool attitudes, bool dynamic, bool snapshots) {
    role = add("role", AttrType::kString);
    region = add("region", AttrType::kString);
    if (communities) community = add("community", AttrType::kInteger);
    first_exposure = add("first_exposure", AttrType::kLong);
    reads = add("reads", AttrType::kInteger);
    shares = add("shares", AttrType::kInteger);
    filtered = add("shares_filtered", AttrType::kInteger);
    self_censored = add("self_censored", AttrType::kInteger);
    passed_on = add("passed_on", AttrType::kInteger);
    if (attitudes) {
      attitude_initial = add("attitude_initial", AttrType::kDouble);
      attitude_final = add("attitude_final", AttrType::kDouble);
      attitude_change = add("attitude_change", AttrType::kDouble);
    }
    if (dynamic) {
      aware = add("aware", AttrType::kBoolean, true);
      reads_so_far = add("reads_so_far", AttrType::kInteger, true);
      shares_so_far = add("shares_so_far", AttrType::kInteger, true);
      if (snapshots) attitude = add("attitude", AttrType::kDouble, true);
    }
  }
};

std::string lowercase_extension(const std::filesystem::path& file) {
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

// Membership in the strategy's key opinion leaders, in O(log k) per vertex.
class PaidSeeds {
 public:
  explicit PaidSeeds(std::span<const VertexId> seeds) : sorted_(seeds.begin(), seeds.end()) {
    std::sort(sorted_.begin(), sorted_.end());
  }
  bool operator()(VertexId v) const { return std::binary_search(sorted_.begin(), sorted_.end(), v); }

 private:
  std::vector<VertexId> sorted_;
};

std::string region_name(const PreparedGraph& g, VertexId v) {
  if (v >= g.publisher.num_users) return "institution";
  return v < g.region.size() && g.region[v] == 1 ? "international" : "domestic";
}

}  // namespace

void check_file_types(const ExportSpec& spec, const std::string& key_prefix) {
  const auto check = [&](const std::string& name, const char* key, const char* extension) {
    if (!name.empty() && lowercase_extension(name) != extension) {
      throw InputError(fmt::format("{}{}: {} is not a {} file", key_prefix, key, name, extension));
    }
  };
  check(spec.gexf, "gexf", ".gexf");
  check(spec.graphml, "graphml", ".graphml");
}

std::vector<VertexId> sample_vertices(const ExportSource& source, const ExportSpec& spec) {
  const SocialGraph& g = source.graph.graph;
  const VertexId institution = source.run.institution;
  std::vector<VertexId> vertices;
  if (spec.sample == "none") {
    vertices.resize(g.num_vertices());
    std::iota(vertices.begin(), vertices.end(), VertexId{0});
    return vertices;
  }
  if (spec.sample == "ego") {
    vertices = ego_network(g, institution, spec.depth);
  } else if (spec.sample == "top_items") {
    require_events(source);
    const auto items = top_items_by_reach(source.run.items, spec.top_items);
    vertices = readers_of_items(source.run.events, items);
  } else if (spec.sample == "k_core") {
    vertices = k_core(g, spec.k);
  } else if (spec.sample == "random") {
    vertices = random_vertices(source.graph.publisher.num_users, spec.vertices, spec.sample_seed);
  } else {
    throw InputError(fmt::format("unknown sample '{}' (none, ego, top_items, k_core, random)", spec.sample));
  }
  const auto at = std::lower_bound(vertices.begin(), vertices.end(), institution);
  if (at == vertices.end() || *at != institution) vertices.insert(at, institution);
  return vertices;
}

ExportReport write_network(const ExportSource& source, const ExportSpec& spec, Format format, std::ostream& out) {
  require_events(source);
  const PreparedGraph& pg = source.graph;
  const SocialGraph& g = pg.graph;
  const RunResult& run = source.run;
  const UserEvents& events = run.events;
  const bool attitudes = !events.attitude_final.empty();
  const bool dynamic = spec.dynamic && format == Format::kGexf;
  const bool snapshots = dynamic && !run.snapshot_steps.empty();
  const VertexId users = attitudes ? static_cast<VertexId>(events.attitude_final.size()) : 0;
  const std::size_t snapshot_users = run.snapshot_steps.empty() ? 0 : run.snapshots.size() / run.snapshot_steps.size();

  ExportReport report;
  if (spec.dynamic && format == Format::kGraphml) {
    report.warnings.push_back("GraphML has no time: the file holds each vertex's final state (use GEXF for the timeline)");
  }
  const std::vector<VertexId> vertices = sample_vertices(source, spec);
  const RunTotals totals = totals_of(g, events, dynamic);
  const NetworkAttributes attrs(!pg.community.empty(), attitudes, dynamic, snapshots);

  GraphHeader header;
  header.description = fmt::format("softpower scenario '{}', run {} (seed {}): {} steps of {} h{}", source.scenario_name,
                                   run.run, run.seed, source.num_steps, source.step_hours,
                                   spec.sample == "none" ? "" : fmt::format(", sample: {}", spec.sample));
  header.dynamic = dynamic;
  header.time_start = 0;
  header.time_end = source.num_steps;
  header.node_attributes = attrs.list;
  const auto writer = make_writer(format, spec, out, header);

  const PaidSeeds is_seed(source.paid_seeds);
  std::vector<AttValue> values;
  std::string label;
  for (VertexId v : vertices) {
    values.clear();
    const bool institution = v == run.institution;
    const std::string_view role = institution ? "institution" : is_seed(v) ? "paid_seed" : "user";
    const std::string region = region_name(pg, v);
    values.push_back({attrs.role, role});
    values.push_back({attrs.region, std::string_view(region)});
    if (attrs.community != NetworkAttributes::kNone && v < pg.community.size()) {
      values.push_back({attrs.community, std::int64_t{pg.community[v]}});
    }
    values.push_back({attrs.first_exposure, std::int64_t{events.first_exposure[v]}});
    values.push_back({attrs.reads, std::int64_t{totals.reads[v]}});
    values.push_back({attrs.shares, std::int64_t{totals.shares[v]}});
    values.push_back({attrs.filtered, std::int64_t{totals.filtered[v]}});
    values.push_back({attrs.self_censored, std::int64_t{totals.self_censored[v]}});
    values.push_back({attrs.passed_on, std::int64_t{totals.passed_on[v]}});
    if (attitudes && v < users) {
      const double x0 = events.attitude_initial[v], x1 = events.attitude_final[v];
      values.push_back({attrs.attitude_initial, x0});
      values.push_back({attrs.attitude_final, x1});
      values.push_back({attrs.attitude_change, x1 - x0});
    }
    if (dynamic) {
      const Step first = events.first_exposure[v];
      if (first != 0) values.push_back({attrs.aware, false, 0});
      if (first >= 0) values.push_back({attrs.aware, true, first});
      // Cumulative counts, one value per step in which they change.
      const auto cumulative = [&](std::size_t attribute, bool shares_only) {
        std::int64_t count = 0;
        values.push_back({attribute, count, 0});
        for (std::uint64_t k = totals.offsets[v]; k < totals.offsets[v + 1]; ++k) {
          if (shares_only && !totals.shared_at[k]) continue;
          ++count;
          const Step step = totals.read_steps[k];
          if (values.back().attribute == attribute && values.back().step == step) {
            values.back().value = count;
          } else {
            values.push_back({attribute, count, step});
          }
        }
      };
      cumulative(attrs.reads_so_far, false);
      cumulative(attrs.shares_so_far, true);
      if (snapshots && v < snapshot_users) {
        for (std::size_t j = 0; j < run.snapshot_steps.size(); ++j) {
          const double x = run.snapshots[j * snapshot_users + v];
          if (values.back().attribute == attrs.attitude && std::get<double>(values.back().value) == x) continue;
          values.push_back({attrs.attitude, x, run.snapshot_steps[j]});
        }
      }
    }
    // Values must be sorted by attribute; the static ones come first in attribute order already.
    std::stable_sort(values.begin(), values.end(), [](const AttValue& a, const AttValue& b) {
      return a.attribute < b.attribute;
    });
    label = institution && v >= pg.publisher.num_users ? "institution" : g.label(v);
    NodeRecord node{.id = v, .label = label, .values = values};
    const Stage stage = institution || is_seed(v)           ? Stage::kStarter
                        : totals.shares[v] > 0               ? Stage::kShared
                        : totals.reads[v] > 0                ? Stage::kRead
                        : events.first_exposure[v] >= 0      ? Stage::kExposed
                                                             : Stage::kUnreached;
    node.color = attitudes && v < users ? attitude_color(events.attitude_final[v]) : stage_color(stage);
    node.size = reach_size(totals.passed_on[v]);
    writer->node(node);
  }

  auto write_arc = [&, carried = totals.carried.begin()](VertexId from, VertexId to, ArcId arc) mutable {
    while (carried != totals.carried.end() && carried->first < arc) ++carried;
    const std::uint32_t count = carried != totals.carried.end() && carried->first == arc ? carried->second : 0;
    // 1 + the reads the arc carried: arcs that carried nothing still hold the layout together.
    // No attribute repeats it, which keeps an edge to one short line.
    writer->edge({.id = arc, .source = from, .target = to, .weight = 1.0 + count, .values = {}});
  };
  if (spec.sample == "none") {
    const CsrView arcs = g.out_view();
    for (VertexId u = 0; u < arcs.num_vertices(); ++u) {
      for (ArcId a = arcs.offsets[u]; a < arcs.offsets[u + 1]; ++a) write_arc(u, arcs.targets[a], a);
    }
  } else {
    for_each_induced_arc(g, vertices, write_arc);
  }
  writer->finish();
  report.nodes = writer->nodes_written();
  report.edges = writer->edges_written();
  if (spec.sample == "none" && (report.nodes > kComfortableNodes || report.edges > kComfortableEdges)) {
    report.warnings.push_back(fmt::format(
        "{} nodes and {} edges is more than Gephi handles comfortably (about {} nodes, {} edges); "
        "a sample (--sample ego|top_items|k_core|random) gives a file Gephi lays out in seconds",
        report.nodes, report.edges, kComfortableNodes, kComfortableEdges));
  }
  return report;
}

ExportReport write_cascade(const ExportSource& source, ItemId item, const ExportSpec& spec, Format format,
                           std::ostream& out) {
  require_events(source);
  const RunResult& run = source.run;
  if (item >= run.items.size()) {
    throw InputError(fmt::format("run {} has no item {} (it has {} items)", run.run, item, run.items.size()));
  }
  const ItemRecord& record = run.items[item];
  const CascadeTree tree = cascade_tree(run.events, record);
  const bool dynamic = spec.dynamic && format == Format::kGexf;

  GraphHeader header;
  header.description = fmt::format(
      "softpower scenario '{}', run {}: cascade tree of item {} (topic {}, published at step {}; {} readers, depth {})",
      source.scenario_name, run.run, item, record.topic, record.publish_step, record.reads, tree.depth);
  header.dynamic = dynamic;
  header.time_start = record.publish_step;
  header.time_end = std::max<Step>(source.num_steps, record.publish_step);
  header.node_attributes = {{"role", "role", AttrType::kString, false},
                            {"step", "step", AttrType::kLong, false},
                            {"hop", "hop", AttrType::kInteger, false},
                            {"outcome", "outcome", AttrType::kString, false},
                            {"via", "via", AttrType::kString, false},
                            {"share_channel", "share_channel", AttrType::kString, false},
                            {"children", "children", AttrType::kInteger, false}};
  if (dynamic) header.node_attributes.push_back({"read", "read", AttrType::kBoolean, true});
  header.edge_attributes = {{"step", "step", AttrType::kLong, false}, {"via", "via", AttrType::kString, false}};
  const auto writer = make_writer(format, spec, out, header);

  std::vector<std::uint32_t> children(tree.nodes.size(), 0);
  const auto index_of = [&](VertexId v) {
    return static_cast<std::size_t>(std::lower_bound(tree.nodes.begin(), tree.nodes.end(), v,
                                                     [](const CascadeNode& n, VertexId x) { return n.vertex < x; }) -
                                    tree.nodes.begin());
  };
  for (const CascadeEdge& e : tree.edges) ++children[index_of(e.parent)];
  const PaidSeeds is_seed(source.paid_seeds);
  std::vector<AttValue> values;
  std::string label;
  for (std::size_t i = 0; i < tree.nodes.size(); ++i) {
    const CascadeNode& n = tree.nodes[i];
    const std::string_view role = !n.root                      ? "reader"
                                  : n.vertex == run.institution ? "institution"
                                  : is_seed(n.vertex)           ? "paid_seed"
                                                                : "starter";
    values.clear();
    values.push_back({0, role});
    values.push_back({1, std::int64_t{n.root ? -1 : n.step}});
    values.push_back({2, std::int64_t{n.hop}});
    values.push_back({3, std::string_view(n.root ? "started" : outcome_name(n.outcome))});
    if (!n.root) values.push_back({4, std::string_view(channel_name(n.via))});
    if (!n.root && is_share(n.outcome)) values.push_back({5, std::string_view(channel_name(n.share_channel))});
    values.push_back({6, std::int64_t{children[i]}});
    if (dynamic) {
      if (n.step > header.time_start) values.push_back({7, false, header.time_start});
      values.push_back({7, true, n.step});
    }
    label = n.vertex >= source.graph.publisher.num_users ? "institution" : source.graph.graph.label(n.vertex);
    NodeRecord node{.id = n.vertex, .label = label, .values = values};
    node.color = n.root                            ? stage_color(Stage::kStarter)
                 : n.outcome == ReadOutcome::kShared ? stage_color(Stage::kShared)
                                                     : stage_color(Stage::kRead);
    node.size = reach_size(children[i]);
    writer->node(node);
  }
  std::uint64_t id = 0;
  for (const CascadeEdge& e : tree.edges) {
    const AttValue edge_values[] = {{0, std::int64_t{e.step}}, {1, std::string_view(channel_name(e.via))}};
    writer->edge({.id = id++, .source = e.parent, .target = e.child, .weight = 1.0, .values = edge_values});
  }
  writer->finish();
  return {.nodes = writer->nodes_written(), .edges = writer->edges_written(), .warnings = {}};
}

std::filesystem::path cascade_file(const std::filesystem::path& file, ItemId item) {
  std::filesystem::path result = file;
  result.replace_filename(fmt::format("{}.cascade-{}{}", file.stem().string(), item, file.extension().string()));
  return result;
}

void write_file(const std::filesystem::path& file, const std::function<void(std::ostream&)>& write) {
  // Cascade files get their names only once the run is known: checked here, before the open
  // (an open would block on a FIFO). Names checked before the work pass again in no time.
  static_cast<void>(check_output_paths({{.path = file, .role = "export file"}}, {}));
  const std::filesystem::path target = write_target(file);
  std::filesystem::path partial = target;
  partial += ".partial";
  const auto fail = [&](const std::string& why, int error) {
    // A half-written export is worth nothing: nothing resumes from it.
    const std::string full = full_disk_note(file, partial, error, why);
    std::error_code ignored;
    std::filesystem::remove(partial, ignored);
    if (!full.empty()) {
      throw RuntimeFailure(fmt::format("{}: cannot write: {}; {} was removed", file.string(), full, partial.string()));
    }
    throw RuntimeFailure(fmt::format("{}: cannot write: {}", file.string(), why));
  };
  std::error_code ec;
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    if (!out) fail(std::strerror(errno), errno);
    try {
      write(out);
    } catch (const std::ios_base::failure&) {
      fail(std::strerror(errno), errno);
    } catch (const std::runtime_error&) {
      if (!out) fail(std::strerror(errno), errno);
      std::filesystem::remove(partial, ec);
      throw;
    } catch (...) {
      std::filesystem::remove(partial, ec);
      throw;
    }
    out.close();
    if (!out) fail(std::strerror(errno), errno);
  }
  try {
    ensure_replaceable(target, partial);
  } catch (const RuntimeFailure& e) {
    fail(e.what(), 0);
  }
  std::filesystem::rename(partial, target, ec);
  if (ec) fail(ec.message(), ec.value());
}

std::vector<std::filesystem::path> write_exports(const ExportSource& source, const ExportSpec& spec,
                                                 const std::filesystem::path& base_dir, std::ostream& log) {
  std::vector<std::filesystem::path> written;
  const auto report = [&](const std::filesystem::path& file, const ExportReport& r) {
    log << fmt::format("softpower: wrote {} ({} nodes, {} edges)\n", file.string(), r.nodes, r.edges);
    for (const auto& warning : r.warnings) log << "softpower: warning: " << warning << "\n";
    written.push_back(file);
  };
  check_file_types(spec, "export.");
  for (const auto& [name, format] : {std::pair{spec.gexf, Format::kGexf}, std::pair{spec.graphml, Format::kGraphml}}) {
    if (name.empty()) continue;
    const std::filesystem::path file = std::filesystem::path(name).is_absolute() ? std::filesystem::path(name) : base_dir / name;
    ExportReport r;
    write_file(file, [&](std::ostream& out) { r = write_network(source, spec, format, out); });
    report(file, r);
    for (ItemId item : top_items_by_reach(source.run.items, spec.cascades)) {
      const std::filesystem::path tree_file = cascade_file(file, item);
      write_file(tree_file, [&](std::ostream& out) { r = write_cascade(source, item, spec, format, out); });
      report(tree_file, r);
    }
  }
  return written;
}

}  // namespace softpower::viz
