// Figures as PNG files through rsvg-convert (Debian package librsvg2-bin): the report's SVGs
// are standalone, so librsvg draws them as the browser does.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "report/figures.hpp"

namespace softpower::report {

/// rsvg-convert's path if an executable of that name is on PATH.
[[nodiscard]] std::optional<std::filesystem::path> find_rsvg_convert();

/// Writes DIR/<figure id>.png for each figure (DIR is created if missing). Throws
/// RuntimeFailure naming the figure if a conversion fails.
std::vector<std::filesystem::path> write_pngs(const std::filesystem::path& rsvg_convert,
                                              const std::vector<Figure>& figures,
                                              const std::filesystem::path& dir);

}  // namespace softpower::report
