#include "report/report.hpp"

#include <fmt/format.h>

#include <fstream>
#include <system_error>

#include "report/figures.hpp"
#include "report/page.hpp"
#include "report/png_export.hpp"
#include "report/result_summary.hpp"
#include "sim/error.hpp"

namespace softpower::report {
namespace {

namespace fs = std::filesystem;

/// Checks what can be checked before reading the file; returns the output path.
fs::path checked_output(const ReportOptions& options) {
  std::error_code ec;
  if (!fs::exists(options.input, ec))
    throw InputError(fmt::format("{}: no such file", options.input.string()));
  if (!fs::is_regular_file(options.input, ec))
    throw InputError(fmt::format("{}: not a file", options.input.string()));
  fs::path output = options.output;
  if (output.empty()) output = fs::path(options.input).replace_extension(".html");
  const fs::path folder = output.parent_path().empty() ? fs::path(".") : output.parent_path();
  if (!fs::is_directory(folder, ec)) {
    throw InputError(
        fmt::format("{}: the output folder {} does not exist", output.string(), folder.string()));
  }
  if (fs::exists(output, ec) && fs::equivalent(output, options.input, ec)) {
    throw InputError(
        fmt::format("{}: the output would overwrite the input result file", output.string()));
  }
  if (fs::is_directory(output, ec))
    throw InputError(fmt::format("{}: the output is a folder", output.string()));
  return output;
}

}  // namespace

ReportResult write_report(const ReportOptions& options) {
  const fs::path output = checked_output(options);
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

  // A temporary name in the same folder, renamed on success: a reader never sees half a page.
  fs::path temporary = output;
  temporary += ".partial";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << page;
    out.flush();
    if (!out) {
      std::error_code ec;
      fs::remove(temporary, ec);
      throw RuntimeFailure(fmt::format("cannot write {}", temporary.string()));
    }
  }
  std::error_code ec;
  fs::rename(temporary, output, ec);
  if (ec) {
    fs::remove(temporary, ec);
    throw RuntimeFailure(
        fmt::format("cannot rename {} to {}", temporary.string(), output.string()));
  }
  ReportResult result{output, page.size(), figures.figures.size(), {}, {}};
  for (const Omitted& o : figures.omitted) {
    if (!o.expected) result.omitted.push_back(o.title + ": " + o.reason);
  }
  if (rsvg) result.pngs = write_pngs(*rsvg, figures.figures, options.png_dir);
  return result;
}

}  // namespace softpower::report
