// Progress of a sweep on stderr: a bar redrawn in place on a terminal, or a plain timestamped
// line every `log_interval` seconds otherwise (batch job logs).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace softpower::cli {

class Progress {
 public:
  /// `total`: runs of this process; `already_done`: of those, runs recovered from a checkpoint
  /// (they count as done but not in the rate). `enabled` false prints nothing.
  Progress(std::uint64_t total, std::uint64_t already_done, bool enabled, double log_interval_seconds);
  /// Records `done` runs finished in total; prints if a redraw or a log line is due.
  void update(std::uint64_t done);
  /// Prints the final state (and ends the bar's line).
  void finish();

  /// "3m04s", "1h02m", "12s".
  static std::string format_duration(double seconds);

 private:
  void print(bool final);

  std::uint64_t total_;
  std::uint64_t resumed_;
  std::uint64_t done_ = 0;
  bool enabled_;
  bool terminal_;
  double interval_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_print_;
};

}  // namespace softpower::cli
