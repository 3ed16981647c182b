#include "report/page.hpp"

#include <fmt/format.h>

#include "report/svg.hpp"
#include "softpower/version.hpp"

namespace softpower::report {
namespace {

constexpr const char* kStyle = R"css(
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 24px auto; max-width: 920px; color: #222222; line-height: 1.4; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #cccccc; }
figure { margin: 24px 0; } figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 13px; color: #333333; } .datasets { font-size: 12px; color: #666666; }
table { border-collapse: collapse; font-size: 12px; margin: 8px 0; }
td, th { border: 1px solid #cccccc; padding: 2px 6px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; } pre { background: #f6f6f6; padding: 8px; overflow-x: auto; font-size: 12px; }
.note { color: #555555; font-size: 13px; } .scroll { max-height: 420px; overflow-y: auto; }
)css";

std::string row(const std::string& name, const std::string& value) {
  return "<tr><th>" + xml(name) + "</th><td>" + xml(value) + "</td></tr>";
}

std::string provenance(const ResultSummary& s) {
  const Provenance& p = s.prov;
  std::string out = "<h2 id=\"provenance\">Provenance</h2><table>";
  out += row("result file", s.file.string());
  out += row("scenario", p.scenario_name);
  out += row("written by", "softpower " + s.softpower_version);
  out += row("command line", p.command_line);
  out += row("seed", std::to_string(p.seed));
  out += row("threads", std::to_string(p.threads));
  out += row("graph", p.graph_description);
  out += row("graph checksum", fmt::format("{} (0x{:016x})", p.graph_checksum, p.graph_checksum));
  out += row("vertices, arcs", fmt::format("{}, {}", p.num_vertices, p.num_arcs));
  out += row("runs, steps",
             fmt::format("{} runs x {} steps of {:g} h ({:g} days)", p.num_runs, p.num_steps,
                         p.step_hours, static_cast<double>(p.num_steps) * p.step_hours / 24));
  out += row("started, completed", p.start_time + ", " + s.end_time);
  if (p.sweep) {
    const SweepInfo& w = *p.sweep;
    out +=
        row("sweep", fmt::format("{} points x {} replicates = {} runs, seeds {}, fingerprint {}",
                                 w.num_points, w.replicates, w.total_runs, w.seeds, w.fingerprint));
    out += row("shard", fmt::format("{} of {}", w.shard, w.num_shards));
  }
  if (!p.merged_from.empty())
    out += row("merged from", fmt::format("{}", fmt::join(p.merged_from, ", ")));
  out += "</table><h3>Effective scenario (/scenario)</h3><pre>" + xml(p.scenario_text) + "</pre>";
  if (p.sweep) out += "<h3>Sweep block (/sweep)</h3><pre>" + xml(p.sweep->text) + "</pre>";
  return out;
}

}  // namespace

std::string render_page(const ResultSummary& s, const Figures& figures) {
  const Provenance& p = s.prov;
  const std::string title = fmt::format("softpower report: {}", p.scenario_name);
  std::string out =
      "<!DOCTYPE html>\n"
      "<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><head><meta charset=\"UTF-8\"/>"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>"
      "<meta name=\"generator\" content=\"softpower " +
      xml(kVersion) + "\"/>";
  out += "<title>" + xml(title) + "</title><style>" + kStyle + "</style></head><body>";
  out += "<h1>" + xml(title) + "</h1>";
  out +=
      "<p>" +
      xml(fmt::format(
          "{}: {} run{} of {:g} days ({} steps of {:g} h) on {} ({} vertices, {} arcs){}.",
          s.file.filename().string(), p.num_runs, p.num_runs == 1 ? "" : "s",
          static_cast<double>(p.num_steps) * p.step_hours / 24, p.num_steps, p.step_hours,
          p.graph_description, p.num_vertices, p.num_arcs,
          p.sweep ? fmt::format("; a sweep of {} points x {} replicates over {}",
                                p.sweep->num_points, p.sweep->replicates, fmt::join(s.axes, ", "))
                  : std::string())) +
      "</p>";
  if (!s.grouping_note.empty()) out += "<p class=\"note\">" + xml(s.grouping_note) + "</p>";
  out += "<p class=\"note\">Time is simulated time in days; counts are summed " + xml(s.bins.per) +
         " unless marked cumulative. Every figure is drawn from the result file alone; "
         "<a href=\"#provenance\">provenance</a> at the end.</p>";
  out += "<ul>";
  for (const Figure& f : figures.figures)
    out += "<li><a href=\"#" + f.id + "\">" + xml(f.title) + "</a></li>";
  out += "</ul>";
  for (const Figure& f : figures.figures) {
    out += "<figure id=\"" + f.id + "\">" + f.svg + "<figcaption>" + xml(f.caption) +
           " <span class=\"datasets\">Reads: " + xml(f.datasets) + "</span></figcaption></figure>";
    if (!f.table.empty()) out += "<div class=\"scroll\">" + f.table + "</div>";
  }
  if (!figures.omitted.empty()) {
    out += "<h2>Figures left out</h2><ul>";
    for (const Omitted& o : figures.omitted)
      out += "<li class=\"note\">" + xml(o.title) + ": " + xml(o.reason) + ".</li>";
    out += "</ul>";
  }
  out += provenance(s);
  out += "<p class=\"note\">Written by softpower " + xml(kVersion) +
         " (softpower report).</p></body></html>\n";
  return out;
}

}  // namespace softpower::report
