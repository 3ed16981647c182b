// `softpower report`: turns a result file (a run, a sweep, a shard or a merged sweep) into one
// self-contained HTML page of figures, and optionally each figure as a PNG.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace softpower::report {

struct ReportOptions {
  std::filesystem::path input;
  std::filesystem::path output;   // empty: the input with the extension .html
  std::string metric;             // sweep outcome, NAME[:REDUCTION]; empty: the default
  std::filesystem::path png_dir;  // empty: no PNGs
};

struct ReportResult {
  std::filesystem::path output;
  std::uintmax_t bytes = 0;
  std::size_t figures = 0;
  std::vector<std::string> omitted;  // "title: reason" of each figure left out for want of data
  std::vector<std::filesystem::path> pngs;
  std::vector<std::string> notes;  // from the output-path check ("created folder X ...")
};

/// Writes the report (to a temporary name in the output's folder, renamed on success).
/// Throws InputError (exit 2) for a missing input, a file that is not a complete softpower
/// result file, an unknown metric (naming the valid ones), an output equal to the input or in
/// a folder that does not exist, and --png without rsvg-convert on PATH; RuntimeFailure if
/// writing or a conversion fails.
ReportResult write_report(const ReportOptions& options);

}  // namespace softpower::report
