#include "apps/stop_signals.hpp"

#include <csignal>

namespace softpower::cli {
namespace {

constexpr int kSignals[] = {SIGTERM, SIGINT, SIGUSR1, SIGUSR2};

std::atomic<bool> g_stop{false};
volatile std::sig_atomic_t g_signal = 0;
struct sigaction g_previous[sizeof kSignals / sizeof kSignals[0]];

extern "C" void on_stop_signal(int sig) {
  if (g_signal == sig) {
    // The same signal twice: the user insists. Die of it, as without a handler.
    std::signal(sig, SIG_DFL);
    std::raise(sig);
    return;
  }
  if (g_signal == 0) g_signal = sig;
  g_stop.store(true, std::memory_order_relaxed);
}

}  // namespace

static_assert(std::atomic<bool>::is_always_lock_free, "signal handlers may only touch lock-free atomics");

StopSignals::StopSignals() {
  g_stop.store(false);
  g_signal = 0;
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (std::size_t i = 0; i < std::size(kSignals); ++i) sigaction(kSignals[i], &action, &g_previous[i]);
}

StopSignals::~StopSignals() {
  for (std::size_t i = 0; i < std::size(kSignals); ++i) sigaction(kSignals[i], &g_previous[i], nullptr);
}

const std::atomic<bool>& StopSignals::flag() const { return g_stop; }
bool StopSignals::requested() const { return g_stop.load(std::memory_order_relaxed); }
int StopSignals::signal() const { return static_cast<int>(g_signal); }
void StopSignals::request_stop() { g_stop.store(true); }

const char* signal_name(int signal) {
  switch (signal) {
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGUSR1: return "SIGUSR1";
    case SIGUSR2: return "SIGUSR2";
    default: return "a signal";
  }
}

}  // namespace softpower::cli
