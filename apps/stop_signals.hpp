// SIGTERM, SIGINT, SIGUSR1 and SIGUSR2 ask a sweep to stop cleanly: Slurm sends SIGTERM (or the
// signal of `--signal`) before a job's time limit, and an interactive user presses Ctrl-C. The
// sweep abandons its runs in flight, makes the completed ones durable and exits with
// kExitInterrupted. The same signal a second time ends the process at once; the checkpoint
// stays consistent because it only ever holds whole segments.
#pragma once

#include <atomic>

namespace softpower::cli {

/// Exit status of a sweep stopped by a signal, with its completed runs checkpointed
/// (EX_TEMPFAIL: "try again later"; `--resume` finishes it).
inline constexpr int kExitInterrupted = 75;

class StopSignals {
 public:
  StopSignals();   // installs the handlers
  ~StopSignals();  // restores the previous ones
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  /// Raised by a signal (async-signal-safe store) or by request_stop().
  [[nodiscard]] const std::atomic<bool>& flag() const;
  [[nodiscard]] bool requested() const;
  /// The signal that asked to stop, 0 if none did.
  [[nodiscard]] int signal() const;
  /// Stops the sweep without a signal (an error elsewhere).
  void request_stop();
};

/// "SIGTERM", "SIGUSR1", ...
const char* signal_name(int signal);

}  // namespace softpower::cli
