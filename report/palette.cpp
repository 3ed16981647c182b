#include "report/palette.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace softpower::report {
namespace {

struct Rgb {
  double r, g, b;
};

// matplotlib's viridis at 0, 1/8, ..., 1.
constexpr std::array<Rgb, 9> kViridis{{{68, 1, 84},
                                       {72, 40, 120},
                                       {59, 82, 139},
                                       {44, 114, 142},
                                       {33, 145, 140},
                                       {39, 173, 129},
                                       {94, 201, 98},
                                       {170, 220, 50},
                                       {253, 231, 37}}};

Rgb viridis_rgb(double t) {
  t = std::clamp(t, 0.0, 1.0);
  const double at = t * static_cast<double>(kViridis.size() - 1);
  const auto i = std::min(static_cast<std::size_t>(at), kViridis.size() - 2);
  const double f = at - static_cast<double>(i);
  const Rgb& a = kViridis[i];
  const Rgb& b = kViridis[i + 1];
  return {a.r + f * (b.r - a.r), a.g + f * (b.g - a.g), a.b + f * (b.b - a.b)};
}

}  // namespace

std::string line_colour(std::size_t i) {
  static constexpr std::array<const char*, kLineColours> kOkabeIto{
      "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"};
  return kOkabeIto[i % kOkabeIto.size()];
}

std::string viridis(double t) {
  if (std::isnan(t)) return "#dddddd";
  const Rgb c = viridis_rgb(t);
  return fmt::format("#{:02x}{:02x}{:02x}", static_cast<int>(std::lround(c.r)),
                     static_cast<int>(std::lround(c.g)), static_cast<int>(std::lround(c.b)));
}

std::string text_colour_on_viridis(double t) {
  if (std::isnan(t)) return "#000000";
  const Rgb c = viridis_rgb(t);
  // Relative luminance (Rec. 709 weights on sRGB values, close enough for a black/white choice).
  const double luminance = (0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b) / 255.0;
  return luminance > 0.45 ? "#000000" : "#ffffff";
}

}  // namespace softpower::report
