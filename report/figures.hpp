// The report's figures, each built from a ResultSummary: trajectories with replicate bands,
// attitude distribution and attitude by region and community, cascade sizes, the censorship
// funnel beside the published ranges, and the sweep heat map with its table. A figure whose
// data the file does not hold is replaced by a one-line note.
#pragma once

#include <string>
#include <vector>

#include "report/result_summary.hpp"

namespace softpower::report {

struct Figure {
  std::string id;  // the HTML id and the PNG file name
  std::string title;
  std::string svg;       // standalone SVG
  std::string caption;   // what is plotted and how (plain text)
  std::string datasets;  // which datasets it reads (plain text)
  std::string table;     // XHTML shown after the figure (may be empty)
};

struct Omitted {
  std::string title;
  std::string reason;
  /// The figure does not apply to this kind of file (a sweep heat map of a run): the page says
  /// so, the command line does not.
  bool expected = false;
};

struct Figures {
  std::vector<Figure> figures;
  std::vector<Omitted> omitted;
};

[[nodiscard]] Figures build_figures(const ResultSummary& s);

/// A number for a label or a table: "n/a" for NaN, whole numbers from 1000 up, else three
/// significant digits.
[[nodiscard]] std::string format_value(double v);

}  // namespace softpower::report
