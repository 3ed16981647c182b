// Where a run's time goes, for `softpower run --profile`. Wall-clock seconds per phase of the
// engine's step loop; never written to result files (they would break bit-identical output).
#pragma once

#include <array>
#include <chrono>
#include <string_view>

namespace softpower {

enum class Phase : std::size_t {
  kSetup,          // the run's state: feeds, attitudes and priors, the posting plan
  kPublish,        // publication and takedowns: the platform filter at publication
  kFeedAssembly,   // deliveries into feeds (wechat_feed)
  kReadAndShare,   // feed checks: activity, opens, reads' attitude moves, shares, the share filter
                   // (independent_cascade decides on arrival: all of its spread is here)
  kAttitudeDays,   // daily decay and social step
  kMetrics,        // per-step statistics: reach, attitude means, histograms, indices
  kCount
};

inline constexpr std::array<std::string_view, static_cast<std::size_t>(Phase::kCount)> kPhaseNames{
    "run setup", "publishing and takedowns", "feed assembly", "reading and sharing", "attitude days",
    "metrics"};

struct PhaseTimes {
  std::array<double, static_cast<std::size_t>(Phase::kCount)> seconds{};

  double& operator[](Phase p) { return seconds[static_cast<std::size_t>(p)]; }
  PhaseTimes& operator+=(const PhaseTimes& other) {
    for (std::size_t k = 0; k < seconds.size(); ++k) seconds[k] += other.seconds[k];
    return *this;
  }
};

/// Adds the time from its construction to its destruction to one phase.
class PhaseTimer {
 public:
  PhaseTimer(PhaseTimes& times, Phase phase) : slot_(times[phase]), start_(std::chrono::steady_clock::now()) {}
  ~PhaseTimer() { slot_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }
  PhaseTimer(const PhaseTimer&) = delete;
  PhaseTimer& operator=(const PhaseTimer&) = delete;

 private:
  double& slot_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace softpower
