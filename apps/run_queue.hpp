// Finished runs on their way from the worker threads to the one writer thread. Bounded, so
// that workers faster than the disk wait instead of piling trajectories up in memory.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <vector>

#include "sim/run_result.hpp"

namespace softpower::cli {

class RunQueue {
 public:
  explicit RunQueue(std::size_t capacity) : capacity_(capacity) {}

  /// Blocks while the queue is full. Returns false (dropping `run`) once the queue is closed.
  bool push(RunResult&& run) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return closed_ || runs_.size() < capacity_; });
    if (closed_) return false;
    runs_.push_back(std::move(run));
    not_empty_.notify_one();
    return true;
  }

  /// Everything queued, waiting up to `timeout` for at least one run. Empty on timeout or when
  /// closed and drained.
  std::vector<RunResult> pop_all(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    not_empty_.wait_for(lock, timeout, [&] { return closed_ || !runs_.empty(); });
    std::vector<RunResult> out(std::make_move_iterator(runs_.begin()), std::make_move_iterator(runs_.end()));
    runs_.clear();
    not_full_.notify_all();
    return out;
  }

  /// No more pushes; wakes everyone. Runs already queued can still be popped.
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }

  [[nodiscard]] bool closed_and_empty() {
    std::lock_guard lock(mutex_);
    return closed_ && runs_.empty();
  }

 private:
  std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<RunResult> runs_;
  bool closed_ = false;
};

}  // namespace softpower::cli
