#include "report/report.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <fstream>
#include <system_error>

#include "report/figures.hpp"
#include "report/page.hpp"
#include "report/png_export.hpp"
#include "report/result_summary.hpp"
#include "sim/error.hpp"
#include "sim/output_path.hpp"

namespace softpower::report {
namespace {

namespace fs = std::filesystem;

/// Checks what can be checked before reading the file (the shared output-path rules of
/// sim/output_path.hpp: no device, FIFO or folder, never the input; missing folders created);
/// returns the output path and the notes to print.
std::pair<fs::path, std::vector<std::string>> checked_output(const ReportOptions& options) {
  std::error_code ec;
  if (!fs::exists(options.input, ec))
    throw InputError(fmt::format("{}: no such file", options.input.string()));
  if (!fs::is_regular_file(options.input, ec))
    throw InputError(fmt::format("{}: not a file", options.input.string()));
  fs::path output = options.output;
  if (output.empty()) output = fs::path(options.input).replace_extension(".html");
  std::vector<OutputPath> outputs{{.path = output, .role = "-o"}};
  if (!options.png_dir.empty()) outputs.push_back({.path = options.png_dir, .role = "--png", .folder = true});
  std::vector<std::string> notes =
      check_output_paths(outputs, {{.path = options.input, .role = "the result file"}});
  return {output, std::move(notes)};
}

}  // namespace

ReportResult write_report(const ReportOptions& options) {
  const auto [output, notes] = checked_output(options);
  std::optional<fs::path> rsvg;
  if (!options.png_dir.empty()) {
    rsvg = find_rsvg_convert();
    if (!rsvg) {
      throw InputError(
          "--png needs rsvg-convert (Debian package librsvg2-bin, installed by "
          "scripts/install-deps.sh), which is not on PATH");
    }
  }
  const ResultSummary summary = summarize_result(options.input, options.metric);
  const Figures figures = build_figures(summary);
  const std::string page = render_page(summary, figures);

  // A temporary name beside the file written (a symlink's target), renamed on success: a reader
  // never sees half a page, and a link stays a link.
  const fs::path target = write_target(output);
  fs::path temporary = target;
  temporary += ".partial";
  ensure_replaceable(target, temporary);
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << page;
    out.flush();
    if (!out) {
      const int error = errno;  // ofstream keeps no reason of its own: the last failed write's
      std::error_code ec;
      fs::remove(temporary, ec);
      throw RuntimeFailure(fmt::format("cannot write {} ({} bytes): {}; {} was removed", output.string(), page.size(),
                                       std::generic_category().message(error), temporary.string()));
    }
  }
  std::error_code ec;
  ensure_replaceable(target, temporary);
  fs::rename(temporary, target, ec);
  if (ec) {
    fs::remove(temporary, ec);
    throw RuntimeFailure(
        fmt::format("cannot rename {} to {}", temporary.string(), output.string()));
  }
  ReportResult result{output, page.size(), figures.figures.size(), {}, {}, notes};
  for (const Omitted& o : figures.omitted) {
    if (!o.expected) result.omitted.push_back(o.title + ": " + o.reason);
  }
  if (rsvg) result.pngs = write_pngs(*rsvg, figures.figures, options.png_dir);
  return result;
}

}  // namespace softpower::report
