// The figure builders behind build_figures(), one file per topic; each adds its figures or an
// Omitted note to `out`.
#pragma once

#include <string>
#include <vector>

#include "report/figures.hpp"
#include "report/line_chart.hpp"

namespace softpower::report::detail {

/// A line of a trajectory figure: the key of GroupData::trajectories and its legend label.
struct Quantity {
  std::string key;
  std::string label;
};

/// One figure of trajectories with replicate bands: with one group, one panel with a curve per
/// quantity (or a panel each with `own_panels`, for quantities of different magnitudes); with
/// several groups, one panel per quantity with a curve per group. Quantities absent from the
/// file are skipped; none present: an Omitted note with `missing`.
void add_trajectories(const ResultSummary& s, Figures& out, const std::string& id,
                      const std::string& title, const std::string& y_label,
                      const std::vector<Quantity>& quantities, const std::string& caption,
                      const std::string& datasets, const std::string& missing,
                      bool own_panels = false);

/// The legend of the groups (empty for a single group).
[[nodiscard]] std::vector<LegendEntry> group_legend(const ResultSummary& s);

/// "the 8 runs" / "each group's runs": how captions name what a band is taken over.
[[nodiscard]] std::string band_caption(const ResultSummary& s);

void add_attitude_figures(const ResultSummary& s, Figures& out);
void add_censorship_figures(const ResultSummary& s, Figures& out);
void add_sweep_figures(const ResultSummary& s, Figures& out);

/// A plain XHTML table: header cells and rows of cells, all escaped.
[[nodiscard]] std::string html_table(const std::vector<std::string>& header,
                                     const std::vector<std::vector<std::string>>& rows);

}  // namespace softpower::report::detail
