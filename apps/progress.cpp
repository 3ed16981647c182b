#include "apps/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

#include "output/result_writer.hpp"

namespace softpower::cli {
namespace {

constexpr double kRedrawSeconds = 0.25;
constexpr int kBarWidth = 28;

}  // namespace

Progress::Progress(std::uint64_t total, std::uint64_t already_done, bool enabled, double log_interval_seconds)
    : total_(total),
      resumed_(already_done),
      done_(already_done),
      enabled_(enabled),
      terminal_(::isatty(STDERR_FILENO) == 1),
      interval_(log_interval_seconds),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_) {}

std::string Progress::format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto s = static_cast<std::uint64_t>(std::llround(seconds));
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

void Progress::update(std::uint64_t done) {
  done_ = done;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_print_).count();
  if (since >= (terminal_ ? kRedrawSeconds : interval_)) print(false);
}

void Progress::finish() {
  if (!enabled_) return;
  print(true);
}

void Progress::print(bool final) {
  const auto now = std::chrono::steady_clock::now();
  last_print_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done_ - resumed_) / elapsed : 0.0;
  const double eta = rate > 0 ? static_cast<double>(total_ - done_) / rate : NAN;
  const double fraction = total_ ? static_cast<double>(done_) / static_cast<double>(total_) : 1.0;
  const std::string resumed = resumed_ ? fmt::format(" ({} from the checkpoint)", resumed_) : "";
  const std::string eta_text = done_ == total_ ? fmt::format("in {}", format_duration(elapsed))
                                               : fmt::format("ETA {}", format_duration(eta));
  if (terminal_) {
    const int filled = static_cast<int>(fraction * kBarWidth);
    std::fprintf(stderr, "\r[%s%s] %llu/%llu runs%s  %.2f runs/s  %s\033[K", std::string(filled, '#').c_str(),
                 std::string(kBarWidth - filled, '.').c_str(), static_cast<unsigned long long>(done_),
                 static_cast<unsigned long long>(total_), resumed.c_str(), rate, eta_text.c_str());
    if (final) std::fputc('\n', stderr);
  } else {
    std::fprintf(stderr, "softpower: %s sweep %llu/%llu runs (%.1f%%)%s, %.2f runs/s, %s\n",
                 iso8601_utc_now().c_str(), static_cast<unsigned long long>(done_),
                 static_cast<unsigned long long>(total_), 100.0 * fraction, resumed.c_str(), rate,
                 eta_text.c_str());
  }
  std::fflush(stderr);
}

}  // namespace softpower::cli
