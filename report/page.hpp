// The report page: one self-contained XHTML document (inline CSS and SVG, no script, no
// external resource), well-formed XML so that xmllint can check it, readable as HTML by any
// browser.
#pragma once

#include <string>

#include "report/figures.hpp"
#include "report/result_summary.hpp"

namespace softpower::report {

/// The page: a summary, the figures in order with their captions and tables, the notes of the
/// figures left out, and the file's provenance (scenario YAML, command line, version, seed,
/// threads, graph checksum).
[[nodiscard]] std::string render_page(const ResultSummary& s, const Figures& figures);

}  // namespace softpower::report
