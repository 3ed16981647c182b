// Colours of the report: Okabe-Ito for lines and bars (distinguishable with every common colour
// vision deficiency), viridis for heat maps (perceptually uniform, readable in grey scale).
#pragma once

#include <cstddef>
#include <string>

namespace softpower::report {

/// Lines and bars are told apart by these colours, in this order; the ninth reuses the first.
inline constexpr std::size_t kLineColours = 8;

/// The i-th Okabe-Ito colour as "#rrggbb" (Okabe & Ito 2008, "Color Universal Design"), ordered
/// so that the first few stay apart in every deficiency and yellow, weak on white, comes last.
[[nodiscard]] std::string line_colour(std::size_t i);

/// Viridis at t in [0, 1] (clamped; NaN gives light grey) as "#rrggbb", interpolated linearly
/// between nine samples of matplotlib's table.
[[nodiscard]] std::string viridis(double t);

/// Black or white, whichever reads better on top of viridis(t).
[[nodiscard]] std::string text_colour_on_viridis(double t);

}  // namespace softpower::report
